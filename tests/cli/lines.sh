#!/bin/sh
# proflab lines and proflab memory: usage errors; line_profiler's and
# memory_profiler's tables for decorated scripts and for -f selections (NAME,
# Class.method, MODULE:NAME, FILE:LINE); hit counts as kernprof counts them;
# functions that raise, recurse, yield or never run; names that do not
# exist; the 100 MB numpy line against python -m memory_profiler; --peak;
# how the script ends (status, Ctrl-C, a killed worker) and no temp files left.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
S=$(cd "$top_srcdir/tests/cli/scripts" && pwd)
HITS=$(cd "$top_srcdir/tests" && pwd)/line_hits.py
PY=${PROFLAB_PYTHON:-/usr/bin/python3.11}
[ -x "$P" ] || bail_out "no proflab at $P"
tap_tmpdir
T=$TEST_TMP
unset PYTHONUNBUFFERED PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONINSPECT PROFLAB_WORKER \
	PROFLAB_DATADIR PROFLAB_CHANNEL_FD
mkdir "$T/tmp" "$T/wd" || bail_out "mkdir failed"
export PYTHONDONTWRITEBYTECODE=1 LC_ALL=C.UTF-8 XDG_STATE_HOME="$T/state" TMPDIR="$T/tmp"
cd "$T/wd" || bail_out "no $T/wd"

TIME_HEADER='Line #      Hits         Time  Per Hit   % Time  Line Contents'
MEM_HEADER='Line #    Mem usage    Increment  Occurrences   Line Contents'

# hits FILE: "NAME LINE HITS" for every measured row of line_profiler tables, sorted.
hits() {
	awk '/^Function: / { name = $2; next }
		/^=+$/ { rows = 1; next }
		/^$/ { rows = 0; next }
		rows && substr($0, 8, 9) ~ /^ *[0-9]+$/ { print name, $1, $2 }' "$1" | sort
}

# rows FILE: the rows of every table (between the '=' line and the blank line after).
rows() {
	awk '/^=+$/ { rows = 1; next } /^$/ { rows = 0; next } rows { print }' "$1"
}

# occurrences FILE: "LINE OCCURRENCES" for every measured row of memory_profiler tables.
occurrences() {
	awk '/^=+$/ { rows = 1; next }
		/^$/ { rows = 0; next }
		rows && substr($0, 35, 10) ~ /^ *[0-9]+$/ { print $1, substr($0, 35, 10) + 0 }' "$1" |
		sort
}

# --- usage errors ------------------------------------------------------------------------------
run_p noscript lines
one_line_error noscript 2 "lines: no SCRIPT given" "lines without a script: a usage error"
run_p noscript_m memory -f x
one_line_error noscript_m 2 "memory: no SCRIPT given" "memory without a script: a usage error"
run_p badu lines -u 0 "$S/lines_plain.py"
one_line_error badu 2 "invalid -u '0'" "lines -u 0: a usage error"
run_p badu2 lines -u fast "$S/lines_plain.py"
one_line_error badu2 2 "invalid -u 'fast'" "lines -u with a word: a usage error"
run_p badu3 lines -u -1e-6 "$S/lines_plain.py"
one_line_error badu3 2 "invalid -u '-1e-6'" "lines -u with a negative unit: a usage error"
run_p nou lines -u
one_line_error nou 2 "option '-u' needs a value" "lines -u without a value: a usage error"
run_p unknown lines --bogus "$S/lines_plain.py"
one_line_error unknown 2 "unknown option '--bogus'" "lines --bogus: a usage error"
run_p memu memory -u 1e-6 "$S/lines_plain.py"
one_line_error memu 2 "memory: unknown option '-u'" "memory takes no -u"
run_p linespeak lines --peak "$S/lines_plain.py"
one_line_error linespeak 2 "lines: unknown option '--peak'" "lines takes no --peak"
run_p badgrace memory --grace soon "$S/lines_plain.py"
one_line_error badgrace 2 "invalid --grace 'soon'" "memory --grace with a word: a usage error"
run_p missing lines "$T/nope.py"
one_line_error missing 1 "nope.py" "lines of a missing script: one line naming it, status 1"
run_p help lines --help
[ "$rc" = 0 ] && grep -q '^usage: proflab lines \[-f FUNC\]... \[-u UNIT\]' "$T/help.out" &&
	ok "lines --help prints its usage" || not_ok "lines --help prints its usage" "$(cat "$T/help.out")"
run_p mainhelp --help
grep -q '^  proflab lines ' "$T/mainhelp.out" && grep -q '^  proflab memory .*--peak' "$T/mainhelp.out" &&
	ok "proflab --help lists lines and memory" || not_ok "proflab --help lists lines and memory" "$(cat "$T/mainhelp.out")"

# --- lines: a decorated script -----------------------------------------------------------------
run_p deco lines "$S/lines_deco.py"
if [ "$rc" = 0 ] && [ "$(head -1 "$T/deco.out")" = 2954950 ] &&
	[ "$(sed -n 7p "$T/deco.out")" = "Timer unit: 1e-06 s" ] &&
	[ "$(grep '^Function: ' "$T/deco.out" | tr '\n' '|')" = \
		"Function: squares at line 12|Function: step at line 27|Function: fact at line 34|Function: evens at line 41|Function: fails at line 48|Function: twice at line 61|" ] &&
	[ "$(grep -c "^$TIME_HEADER\$" "$T/deco.out")" = 6 ] &&
	[ "$(grep -c '^==============================================================$' "$T/deco.out")" = 6 ] &&
	grep -q "^File: .*lines_deco.py\$" "$T/deco.out" &&
	grep -Eq '^Total time: [0-9.e-]+ s$' "$T/deco.out"; then
	ok "lines: the script's output, then line_profiler's tables for the six @profile functions in line order"
else
	not_ok "lines: the script's output, then line_profiler's tables for the six @profile functions in line order" \
		"status $rc: $(cat "$T/deco.err" "$T/deco.out" | head -30)"
fi
# Each row: lineno, hits, time, per hit and % time as line_profiler formats them.
bad=$(rows "$T/deco.out" | grep -Ev -e '^[ 0-9]{5}[0-9] {43}' \
	-e '^[ 0-9]{5}[0-9] [ 0-9]{8}[0-9] [ 0-9]{9}[0-9]\.[0-9] [ 0-9]{5}[0-9]\.[0-9] [ 0-9]{5}[0-9]\.[0-9]  ')
is "$bad" "" "lines: measured rows in line_profiler's columns, unmeasured rows blank"
grep -q '^    38        11 .*      return n \* fact(n - 1)$' "$T/deco.out" &&
	grep -q '^    36        12 ' "$T/deco.out" &&
	ok "lines: recursion: fact(12) runs its test line 12 times and recurses 11" ||
	not_ok "lines: recursion: fact(12) runs its test line 12 times and recurses 11" "$(grep -A8 'Function: fact' "$T/deco.out")"
grep -q '^    45        21 .*              yield i$' "$T/deco.out" && grep -q '^    43        42 ' "$T/deco.out" &&
	ok "lines: a generator: its loop line 42 times across 21 resumptions, its yield 21" ||
	not_ok "lines: a generator: its loop line 42 times across 21 resumptions, its yield 21" "$(grep -A8 'Function: evens' "$T/deco.out")"
grep -q '^    51         3 .*      return y / x$' "$T/deco.out" &&
	ok "lines: a function that raises (once in three calls) is counted like the others" ||
	not_ok "lines: a function that raises (once in three calls) is counted like the others" "$(grep -A8 'Function: fails' "$T/deco.out")"

# Hits as kernprof counts them: one per line event, summed per line (line_profiler >= 4.0.3).
hits "$T/deco.out" >"$T/deco.hits"
(cd "$S" && with_timeout "$PY" "$HITS" lines_deco.py) | sort >"$T/ref.hits"
if [ -s "$T/deco.hits" ] && cmp -s "$T/deco.hits" "$T/ref.hits"; then
	ok "lines: every Hits count equals the line events kernprof counts ($(wc -l <"$T/ref.hits") lines)"
else
	not_ok "lines: every Hits count equals the line events kernprof counts" "$(diff "$T/deco.hits" "$T/ref.hits" | head -20)"
fi
kver=$("$PY" -c 'import kernprof; print(kernprof.__version__)' 2>/dev/null)
if [ -n "$kver" ]; then
	cp "$S/lines_deco.py" "$T/wd/kdeco.py"
	with_timeout "$PY" -m kernprof -l -v kdeco.py >"$T/kernprof.out" 2>&1
	hits "$T/kernprof.out" >"$T/kernprof.hits"
	if "$PY" -c "import sys; sys.exit(tuple(map(int, '$kver'.split('.')[:3])) < (4, 0, 3))"; then
		same_file "$T/deco.hits" "$T/kernprof.hits" "lines: Hits equal kernprof $kver's, line for line"
	else
		# kernprof 4.0.2 drops hits of branch and loop lines (pyutils/line_profiler#210):
		# compare the functions it counts right, those without branches or loops.
		grep -E '^(fails|twice) ' "$T/deco.hits" >"$T/deco.straight"
		grep -E '^(fails|twice) ' "$T/kernprof.hits" >"$T/kernprof.straight"
		if [ -s "$T/kernprof.straight" ] && cmp -s "$T/deco.straight" "$T/kernprof.straight"; then
			ok "lines: Hits equal kernprof $kver's for the functions without branches (it miscounts the others)"
		else
			not_ok "lines: Hits equal kernprof $kver's for the functions without branches" \
				"$(diff "$T/deco.straight" "$T/kernprof.straight"; tail -5 "$T/kernprof.out")"
		fi
	fi
else
	skip "lines: Hits equal kernprof's" "kernprof is not installed for $PY"
fi

run_p unit lines -u 1e-3 "$S/lines_deco.py"
run_p unit1 lines -u 1 "$S/lines_deco.py"
hits "$T/unit.out" >"$T/unit.hits"
grep -q '^Timer unit: 0.001 s$' "$T/unit.out" && grep -q '^Timer unit: 1 s$' "$T/unit1.out" &&
	cmp -s "$T/unit.hits" "$T/deco.hits" &&
	ok "lines -u: the output unit, as kernprof -u (same hits)" ||
	not_ok "lines -u: the output unit, as kernprof -u (same hits)" "$(head -12 "$T/unit.out")"

# --- lines -f --------------------------------------------------------------------------------------
run_p fname lines -f compute "$S/lines_plain.py"
if [ "$rc" = 0 ] && [ "$(grep -c '^Function: ' "$T/fname.out")" = 1 ] &&
	grep -q '^Function: compute at line 6$' "$T/fname.out" &&
	grep -q '^     9       100 .*        total += i % 7$' "$T/fname.out" &&
	grep -q '^295 10 \[0, 1, 2, 3, 4\]$' "$T/fname.out"; then
	ok "lines -f NAME: that function alone, 100 hits on its loop body"
else
	not_ok "lines -f NAME: that function alone, 100 hits on its loop body" "status $rc: $(cat "$T/fname.err" "$T/fname.out")"
fi
run_p fmeth lines -f Grid.step "$S/lines_plain.py"
run_p fbare lines -f step "$S/lines_plain.py"
grep -q '^Function: step at line 14$' "$T/fmeth.out" && grep -Eq '^    15         1 ' "$T/fmeth.out" &&
	grep -q '^Function: step at line 14$' "$T/fbare.out" && [ "$(grep -c '^Function: ' "$T/fmeth.out")" = 1 ] &&
	ok "lines -f Class.method (and the method's bare name)" ||
	not_ok "lines -f Class.method (and the method's bare name)" "$(cat "$T/fmeth.err" "$T/fmeth.out" "$T/fbare.err")"
run_p fmod lines -f lines_mod:helper "$S/lines_plain.py"
grep -q '^File: .*lines_mod\.py$' "$T/fmod.out" && grep -q '^Function: helper at line 4$' "$T/fmod.out" &&
	grep -q '^     7         5 .*        out.append(i)$' "$T/fmod.out" &&
	ok "lines -f MODULE:NAME: a function of a module the script imports" ||
	not_ok "lines -f MODULE:NAME: a function of a module the script imports" "$(cat "$T/fmod.err" "$T/fmod.out")"
run_p fline lines -f "$S/lines_plain.py:14" "$S/lines_plain.py"
grep -q '^Function: step at line 14$' "$T/fline.out" && [ "$rc" = 0 ] &&
	ok "lines -f FILE:LINE: the function whose definition starts at LINE" ||
	not_ok "lines -f FILE:LINE: the function whose definition starts at LINE" "$(cat "$T/fline.err" "$T/fline.out")"
# (A fresh history: a run that follows another of the same script says what changed.)
XDG_STATE_HOME=$T/fresh1 run_p never lines -f compute -f never_called -f lines_mod:helper "$S/lines_plain.py"
if [ "$rc" = 0 ] && [ "$(grep -c '^Function: ' "$T/never.out")" = 3 ] &&
	grep -A1 '^Total time: 0 s$' "$T/never.out" | grep -q 'lines_plain.py$' &&
	grep -q '^Function: never_called at line 19$' "$T/never.out" &&
	grep -q '^    20                                               return "never"$' "$T/never.out" &&
	[ ! -s "$T/never.err" ]; then
	ok "lines: a chosen function that never runs is shown (Total time: 0 s, blank columns), not an error"
else
	not_ok "lines: a chosen function that never runs is shown (Total time: 0 s, blank columns), not an error" \
		"status $rc: $(cat "$T/never.err" "$T/never.out")"
fi
run_p nosuch lines -f no_such_function "$S/lines_plain.py"
one_line_error nosuch 1 "no_such_function" "lines -f with a name that does not exist: one line, status 1, the script not run"
run_p nosuchmod lines -f lines_mod:nope "$S/lines_plain.py"
one_line_error nosuchmod 1 "lines_mod:nope" "lines -f MODULE:NAME that does not exist: one line, status 1"
run_p nothing lines "$S/lines_plain.py"
ERROR_STDOUT=any one_line_error nothing 1 "no function chosen" \
	"lines without -f on a script without @profile: its output, then one line, status 1"
grep -q '^295 10 \[0, 1, 2, 3, 4\]$' "$T/nothing.out" && ! grep -q 'Timer unit' "$T/nothing.out" &&
	ok "lines without a function: the script ran, no table" || not_ok "lines without a function: the script ran, no table" "$(cat "$T/nothing.out")"

# --- how the script ends --------------------------------------------------------------------------
run_p raise lines -f boom "$S/lines_raise.py"
if [ "$rc" = 1 ] && grep -q '^ValueError: boom 10$' "$T/raise.err" &&
	grep -q '^     3         2 .*    x = n \* 2$' "$T/raise.out" &&
	grep -q '^     5         1 .*        raise ValueError' "$T/raise.out" &&
	grep -q '^     6         1 .*    return x$' "$T/raise.out"; then
	ok "lines: the script dies of the chosen function's exception: traceback, status 1, the table"
else
	not_ok "lines: the script dies of the chosen function's exception: traceback, status 1, the table" \
		"status $rc: $(cat "$T/raise.err" "$T/raise.out")"
fi
run_p exit3 lines "$S/exit3.py"
[ "$rc" = 3 ] && grep -q '^to stdout$' "$T/exit3.out" && grep -q 'no function chosen' "$T/exit3.err" &&
	ok "lines: the script's exit status is passed through (3)" ||
	not_ok "lines: the script's exit status is passed through (3)" "status $rc: $(cat "$T/exit3.err")"
run_p killed lines "$S/kill_self.py"
if [ "$rc" != 0 ] && grep -q 'no line table' "$T/killed.err" &&
	[ "$(grep -c 'no line table' "$T/killed.err")" = 1 ] && ! grep -q 'Timer unit' "$T/killed.out"; then
	ok "lines of a script that kills its worker: one line saying there is no table, a failure status"
else
	not_ok "lines of a script that kills its worker: one line saying there is no table, a failure status" \
		"status $rc: $(cat "$T/killed.err")"
fi

# Ctrl-C: the table of what ran. No timeout(1) around a process we send SIGINT to.
"$P" lines "$S/lines_loop.py" "$T/int.pid" >"$T/int.out" 2>"$T/int.err" </dev/null &
ppid=$!
if wait_for 20 test -s "$T/int.pid"; then
	kill -INT "$ppid"
	wait_for 10 sh -c "! kill -0 $ppid 2>/dev/null"
	wait "$ppid"
	rc=$?
	if [ "$rc" = 130 ] && grep -q KeyboardInterrupt "$T/int.err" &&
		grep -q '^Function: spin at line 7$' "$T/int.out" &&
		grep -Eq '^ +14 +[0-9]+ .*        n \+= 1$' "$T/int.out"; then
		ok "Ctrl-C during lines: KeyboardInterrupt, status 130, the table of what ran"
	else
		not_ok "Ctrl-C during lines: KeyboardInterrupt, status 130, the table of what ran" \
			"status $rc: $(cat "$T/int.err" "$T/int.out" | head -30)"
	fi
else
	kill -KILL "$ppid" 2>/dev/null
	not_ok "Ctrl-C during lines: KeyboardInterrupt, status 130, the table of what ran" "lines_loop.py did not start: $(cat "$T/int.err")"
fi

# --- memory ------------------------------------------------------------------------------------------
run_p mdeco memory "$S/lines_deco.py"
if [ "$rc" = 0 ] && [ "$(grep -c '^Filename: .*lines_deco.py$' "$T/mdeco.out")" = 6 ] &&
	[ "$(grep -c "^$MEM_HEADER\$" "$T/mdeco.out")" = 6 ] &&
	[ "$(grep -c '^=============================================================$' "$T/mdeco.out")" = 6 ] &&
	grep -Eq '^    15 +[0-9]+\.[0-9] MiB +-?[0-9]+\.[0-9] MiB +301       for i in range\(n\):$' "$T/mdeco.out"; then
	ok "memory: memory_profiler's tables for the six @profile functions"
else
	not_ok "memory: memory_profiler's tables for the six @profile functions" "status $rc: $(cat "$T/mdeco.err" "$T/mdeco.out" | head -30)"
fi
bad=$(rows "$T/mdeco.out" | grep -Ev -e '^[ 0-9]{5}[0-9] {41}' \
	-e '^[ 0-9]{5}[0-9] [ 0-9]{5}[0-9]\.[0-9] MiB [ 0-9-]{5}[0-9]\.[0-9] MiB  [ 0-9]{9}[0-9]   ')
is "$bad" "" "memory: measured rows in memory_profiler's columns (%5.1f MiB), unmeasured rows blank"
cp "$S/lines_deco.py" "$T/wd/mdeco.py"
if with_timeout "$PY" -m memory_profiler mdeco.py >"$T/mprof.out" 2>&1; then
	occurrences "$T/mprof.out" >"$T/mprof.occ"
	occurrences "$T/mdeco.out" >"$T/mdeco.occ"
	# memory_profiler measures nothing in a generator (it wraps the call, not the body).
	if [ -s "$T/mprof.occ" ] && [ -z "$(comm -23 "$T/mprof.occ" "$T/mdeco.occ")" ]; then
		ok "memory: Occurrences equal python -m memory_profiler's ($(wc -l <"$T/mprof.occ") lines)"
	else
		not_ok "memory: Occurrences equal python -m memory_profiler's" "$(comm -3 "$T/mprof.occ" "$T/mdeco.occ" | head -20)"
	fi
else
	skip "memory: Occurrences equal python -m memory_profiler's" "memory_profiler failed: $(tail -1 "$T/mprof.out")"
fi
run_p mnever memory -f compute -f never_called "$S/lines_plain.py"
if [ "$rc" = 0 ] && grep -q '^never_called at line 19 never ran: nothing measured$' "$T/mnever.out" &&
	[ "$(grep -c '^Filename: ' "$T/mnever.out")" = 2 ] && [ ! -s "$T/mnever.err" ]; then
	ok "memory: a chosen function that never runs is reported, not an error"
else
	not_ok "memory: a chosen function that never runs is reported, not an error" "status $rc: $(cat "$T/mnever.err" "$T/mnever.out")"
fi
run_p mprec memory --precision 3 -f compute "$S/lines_plain.py"
if [ "$rc" = 0 ] && [ "$(rows "$T/mprec.out" | grep -cE '^ *[0-9]+ +[0-9]+\.[0-9]{3} MiB +-?[0-9]+\.[0-9]{3} MiB ')" -ge 2 ]; then
	ok "memory --precision 3: three decimals, as python -m memory_profiler prints"
else
	not_ok "memory --precision 3: three decimals, as python -m memory_profiler prints" "$(cat "$T/mprec.out")"
fi
run_p badprec memory --precision 11 "$S/lines_plain.py"
one_line_error badprec 2 "invalid --precision '11'" "memory --precision 11: a usage error"
run_p mnosuch memory -f Grid.nope "$S/lines_plain.py"
one_line_error mnosuch 1 "Grid.nope" "memory -f with a name that does not exist: one line, status 1"

if "$PY" -c 'import numpy' 2>/dev/null; then
	cp "$S/lines_mem.py" "$T/wd/mem.py"
	run_p numpy memory "$S/lines_mem.py"
	with_timeout "$PY" -m memory_profiler mem.py >"$T/mpnumpy.out" 2>&1
	ours=$(awk '/np\.ones/ && $3 == "MiB" { print $4 }' "$T/numpy.out")
	theirs=$(awk '/np\.ones/ && $3 == "MiB" { print $4 }' "$T/mpnumpy.out")
	if [ "$rc" = 0 ] && [ -n "$ours" ] && [ -n "$theirs" ] &&
		awk -v a="$ours" -v b="$theirs" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 90 && d <= 0.05 * b) }'; then
		ok "memory: the 100 MB numpy line's increment ($ours MiB) within 5 % of memory_profiler's ($theirs MiB)"
	else
		not_ok "memory: the 100 MB numpy line's increment within 5 % of memory_profiler's" \
			"status $rc, ours '$ours', memory_profiler's '$theirs': $(cat "$T/numpy.err")"
	fi
	grep -Eq '^    17 +[0-9.]+ MiB +-9[0-9]\.[0-9] MiB +1       del big$' "$T/numpy.out" &&
		ok "memory: freeing the array is a negative increment" ||
		not_ok "memory: freeing the array is a negative increment" "$(cat "$T/numpy.out")"
	run_p peak memory --peak "$S/lines_mem.py"
	last=$(tail -1 "$T/peak.out")
	if [ "$rc" = 0 ] && [ "$(wc -l <"$T/peak.out")" = 2 ] && [ "$(head -1 "$T/peak.out")" = 12501000.0 ] &&
		echo "$last" | grep -Eq '^peak memory: [0-9]+\.[0-9]{2} MiB, increment: [0-9]+\.[0-9]{2} MiB$' &&
		echo "$last" | awk '{ exit !($3 > $6 && $6 >= 95) }'; then
		ok "memory --peak: the script's output, then %memit's line (increment >= the 95.4 MiB array)"
	else
		not_ok "memory --peak: the script's output, then %memit's line" "status $rc: $(cat "$T/peak.err" "$T/peak.out")"
	fi
else
	skip "memory: the 100 MB numpy line against memory_profiler" "numpy is not installed for $PY"
	skip "memory: freeing the array is a negative increment" "numpy is not installed for $PY"
	skip "memory --peak" "numpy is not installed for $PY"
fi
XDG_STATE_HOME=$T/fresh2 run_p peakplain memory --peak "$S/lines_plain.py"
[ "$rc" = 0 ] && [ ! -s "$T/peakplain.err" ] &&
	grep -Eq '^peak memory: [0-9]+\.[0-9]{2} MiB, increment: -?[0-9]+\.[0-9]{2} MiB$' "$T/peakplain.out" &&
	ok "memory --peak needs no -f" || not_ok "memory --peak needs no -f" "status $rc: $(cat "$T/peakplain.err" "$T/peakplain.out")"

# --- temp files -------------------------------------------------------------------------------------
left=$(ls "$T/tmp")
is "$left" "" "no temporary table is left behind, whatever the run's end"

done_testing
