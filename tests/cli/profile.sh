#!/bin/sh
# proflab profile and proflab stats --text: the table against python -m
# cProfile's (same functions, same counts, same layout), pstats' own output
# byte for byte for every sort key and restriction, .prof files both ways
# (ours read by python -m pstats and pyprof2calltree, cProfile's and the
# profile module's read by us), bad files, scripts that raise, exit or are
# stopped, and lesson 6's exercises.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
S=$(cd "$top_srcdir/tests/cli/scripts" && pwd)
WS=$(cd "$top_srcdir/tests/worker/scripts" && pwd)
EX=$(cd "$top_srcdir/exercises" && pwd)
PY=${PROFLAB_PYTHON:-/usr/bin/python3}
PC="$top_srcdir/tests/prof_counts.py"
[ -x "$P" ] || bail_out "no proflab at $P"
tap_tmpdir
T=$TEST_TMP
unset PYTHONUNBUFFERED PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONINSPECT PROFLAB_WORKER \
	PROFLAB_DATADIR PROFLAB_CHANNEL_FD
export PYTHONDONTWRITEBYTECODE=1 LC_ALL=C.UTF-8 XDG_STATE_HOME="$T/state"

# A cProfile table with its times masked: what must equal python's exactly.
mask_times() {
	sed -E -e 's/ in [0-9.]+ seconds/ in T seconds/' \
		-e 's/^( +[0-9/]+) +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ /\1 t t t t /' \
		-e 's/^( +[0-9/]+) +[0-9.]+ +[0-9.]+ +[0-9.]+ /\1 t t t /' "$1"
}

# pstats_print FILE ARGS: python's own pstats output for the file.
# ARGS is python: the calls made on the Stats object, such as
# ".sort_stats('tottime').print_stats(5)".
pstats_print() {
	"$PY" -c "import pstats, sys; pstats.Stats(sys.argv[1])$2" "$1"
}

# --- proflab profile against python -m cProfile --------------------------------------------
cd "$T" || bail_out "no $T"
run_p prof profile compute
"$PY" -m cProfile "$EX/compute.py" >"$T/cprof.out" 2>&1
if [ "$rc" = 0 ] && mask_times "$T/prof.out" | sort >"$T/prof.masked" &&
	mask_times "$T/cprof.out" | sort >"$T/cprof.masked" && cmp -s "$T/prof.masked" "$T/cprof.masked"; then
	ok "profile compute: output and table as python -m cProfile's (times aside)"
else
	not_ok "profile compute: output and table as python -m cProfile's (times aside)" \
		"status $rc; $(diff "$T/prof.masked" "$T/cprof.masked" | head -20)"
fi
grep -q '^         36 function calls in [0-9.]* seconds$' "$T/prof.out" &&
	grep -q '^   Ordered by: cumulative time$' "$T/prof.out" &&
	grep -q '^   ncalls  tottime  percall  cumtime  percall filename:lineno(function)$' "$T/prof.out" &&
	grep -Eq '^ +20 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ \{built-in method builtins.sum\}$' "$T/prof.out" &&
	ok "profile compute: 36 calls, sum called 20 times, cProfile's header, default order and columns" ||
	not_ok "profile compute: 36 calls, sum called 20 times, cProfile's header, default order and columns" "$(cat "$T/prof.out")"

run_p profs profile -s tottime --limit 3 compute
"$PY" -m cProfile -s tottime "$EX/compute.py" >"$T/cprofs.out" 2>&1
grep -q '^   Ordered by: internal time$' "$T/profs.out" &&
	grep -q '^   List reduced from 11 to 3 due to restriction <3>$' "$T/profs.out" &&
	[ "$(grep -Ec '^ +[0-9/]+ +[0-9.]+ ' "$T/profs.out")" = 3 ] &&
	ok "profile -s tottime --limit 3: ordered by internal time, three lines, as pstats says" ||
	not_ok "profile -s tottime --limit 3: ordered by internal time, three lines, as pstats says" "$(cat "$T/profs.out")"

run_p recurse profile "$WS/recurse.py"
(cd "$WS" && "$PY" -m cProfile recurse.py) >"$T/crecurse.out" 2>&1
mask_times "$T/recurse.out" | sort >"$T/recurse.masked"
mask_times "$T/crecurse.out" | sort >"$T/crecurse.masked"
if cmp -s "$T/recurse.masked" "$T/crecurse.masked" && grep -Eq '^ +40/8 .* recurse.py:5\(fact\)$' "$T/recurse.out"; then
	ok "profile: recursion, generators, methods and lambdas counted as cProfile counts them (40/8)"
else
	not_ok "profile: recursion, generators, methods and lambdas counted as cProfile counts them (40/8)" \
		"$(diff "$T/recurse.masked" "$T/crecurse.masked" | head -20)"
fi

for key in calls cumulative cumtime filename line module name ncalls nfl pcalls stdname time tottime cumu; do
	run_p "sort_$key" profile -s "$key" "$WS/recurse.py"
	want=$("$PY" -c "import pstats; print(pstats.Stats.sort_arg_dict_default.get('$key', pstats.Stats.sort_arg_dict_default['cumulative'])[1])")
	grep -q "^   Ordered by: $want\$" "$T/sort_$key.out" || break
done
[ "$key" = cumu ] && grep -q '^   Ordered by: cumulative time$' "$T/sort_cumu.out" &&
	ok "profile -s: every pstats sort key, and a unique abbreviation, accepted and named" ||
	not_ok "profile -s: every pstats sort key, and a unique abbreviation, accepted and named" "stopped at $key: $(cat "$T/sort_$key.err")"

run_p badsort profile -s speed compute
one_line_error badsort 2 "speed.*tottime" "profile -s with an unknown key: a usage error listing the keys"
run_p badlimit profile --limit many compute
one_line_error badlimit 2 "invalid --limit 'many'" "profile --limit with a bad value: a usage error"
run_p noscript profile
one_line_error noscript 2 "no SCRIPT given" "profile without a script: a usage error"
run_p missing profile "$T/nope.py"
[ "$rc" != 0 ] && grep -q 'nope.py' "$T/missing.err" && ok "profile of a missing script: an error naming it" ||
	not_ok "profile of a missing script: an error naming it" "status $rc: $(cat "$T/missing.err")"

# --- how the script ends ------------------------------------------------------------------------
run_p raises profile "$S/raises.py"
if [ "$rc" = 1 ] && grep -q '^ZeroDivisionError' "$T/raises.err" && grep -q 'raises.py:1(inner)' "$T/raises.out"; then
	ok "profile of a script that raises: its traceback, status 1, and the table of what ran"
else
	not_ok "profile of a script that raises: its traceback, status 1, and the table of what ran" \
		"status $rc: $(cat "$T/raises.err" "$T/raises.out")"
fi
run_p exit3 profile "$S/exit3.py"
[ "$rc" = 3 ] && grep -q 'function calls' "$T/exit3.out" &&
	ok "profile of sys.exit(3): status 3 and the table" || not_ok "profile of sys.exit(3): status 3 and the table" "status $rc"
run_p killed profile "$S/kill_self.py"
if [ "$rc" != 0 ] && grep -q 'no profile' "$T/killed.err" && ! grep -q 'function calls' "$T/killed.out" &&
	! ls /tmp/proflab-profile.* >/dev/null 2>&1; then
	ok "profile of a script that kills its worker: says there is no profile, fails, leaves no temp files"
else
	not_ok "profile of a script that kills its worker: says there is no profile, fails, leaves no temp files" \
		"status $rc: $(cat "$T/killed.err")"
fi

# Ctrl-C: the partial profile is printed. No timeout(1) around a process we send SIGINT to.
"$P" profile "$WS/loop.py" "$T/int.pid" >"$T/int.out" 2>"$T/int.err" </dev/null &
ppid=$!
if wait_for 20 test -s "$T/int.pid"; then
	kill -INT "$ppid"
	wait_for 10 sh -c "! kill -0 $ppid 2>/dev/null"
	wait "$ppid"
	rc=$?
	if [ "$rc" = 130 ] && grep -q 'loop.py:1(<module>)' "$T/int.out" && grep -q KeyboardInterrupt "$T/int.err"; then
		ok "Ctrl-C during profile: KeyboardInterrupt, status 130, the partial run's table"
	else
		not_ok "Ctrl-C during profile: KeyboardInterrupt, status 130, the partial run's table" \
			"status $rc: $(cat "$T/int.err" "$T/int.out" | head -20)"
	fi
else
	kill -KILL "$ppid" 2>/dev/null
	not_ok "Ctrl-C during profile: KeyboardInterrupt, status 130, the partial run's table" "loop.py did not start"
fi

# --- -o: a .prof the world reads --------------------------------------------------------------
run_p out profile -o "$T/c.prof" compute
if [ "$rc" = 0 ] && [ -s "$T/c.prof" ] && grep -q "profile written to $T/c.prof" "$T/out.err" &&
	[ "$(ls "$T" | grep -c '^c\.prof\.')" = 0 ]; then
	ok "profile -o: the file is written (no temporary file left beside it) and named"
else
	not_ok "profile -o: the file is written (no temporary file left beside it) and named" "$(cat "$T/out.err"; ls "$T")"
fi
printf 'sort ncalls\nstats 3\ncallers sum\nquit\n' | "$PY" -m pstats "$T/c.prof" >"$T/pstats.out" 2>&1
if [ $? = 0 ] && grep -q 'builtins.sum' "$T/pstats.out" && ! grep -q Traceback "$T/pstats.out"; then
	ok "our .prof is read by python -m pstats (sort, stats, callers)"
else
	not_ok "our .prof is read by python -m pstats (sort, stats, callers)" "$(tail "$T/pstats.out")"
fi
if command -v pyprof2calltree >/dev/null 2>&1; then
	if pyprof2calltree -i "$T/c.prof" -o "$T/c.callgrind" >"$T/p2c.out" 2>&1 &&
		grep -q '^fn=.*generate_data' "$T/c.callgrind"; then
		ok "our .prof is converted by pyprof2calltree"
	else
		not_ok "our .prof is converted by pyprof2calltree" "$(cat "$T/p2c.out")"
	fi
else
	skip "our .prof is converted by pyprof2calltree" "pyprof2calltree is not installed"
fi
"$PY" "$PC" "$T/c.prof" >"$T/ours.counts"
"$PY" -m cProfile -o "$T/py.prof" "$EX/compute.py" >/dev/null 2>&1
"$PY" "$PC" "$T/py.prof" >"$T/theirs.counts"
same_file "$T/ours.counts" "$T/theirs.counts" "our .prof holds the functions and call counts of python -m cProfile -o's"
run_p outbad profile -o "$T/no/such/dir/c.prof" compute
one_line_error outbad 1 "cannot write .*c.prof" "profile -o into a missing directory: one line, before the script runs"

# --- proflab stats --text: pstats byte for byte ------------------------------------------------
"$PY" -m cProfile -o "$T/r.prof" "$WS/recurse.py" >/dev/null 2>&1
n=0
bad=
for key in calls cumulative cumtime filename line module name ncalls nfl pcalls stdname time tottime; do
	with_timeout "$P" stats --text -s "$key" "$T/r.prof" >"$T/st.out" 2>&1
	pstats_print "$T/r.prof" ".sort_stats('$key').print_stats()" >"$T/st.want"
	cmp -s "$T/st.out" "$T/st.want" && n=$((n + 1)) || bad="$bad $key"
done
is "$n${bad:+ (differs:$bad)}" 13 "stats --text -s KEY prints what pstats prints, for all 13 keys"

check_same() { # DESC PYTHON-CALLS PROFLAB-ARGS...
	desc=$1
	calls=$2
	shift 2
	with_timeout "$P" stats --text "$@" >"$T/cs.out" 2>&1
	pstats_print "$T/r.prof" "$calls" >"$T/cs.want"
	if cmp -s "$T/cs.out" "$T/cs.want"; then
		ok "$desc"
	else
		not_ok "$desc" "$(diff "$T/cs.out" "$T/cs.want" | head -20)"
	fi
}
check_same "stats --text: the default order is cumulative time, as python -m cProfile's" ".sort_stats('cumulative').print_stats()" "$T/r.prof"
check_same "stats --text -s cumulative,name: two keys" ".sort_stats('cumulative', 'name').print_stats()" -s cumulative,name "$T/r.prof"
check_same "stats --text --strip-dirs" ".strip_dirs().sort_stats('cumulative').print_stats()" --strip-dirs "$T/r.prof"
check_same "stats --text --limit 4" ".sort_stats('tottime').print_stats(4)" -s tottime --limit 4 "$T/r.prof"
check_same "stats --text --limit 0.5 (a share, as pstats)" ".sort_stats('tottime').print_stats(0.5)" -s tottime --limit 0.5 "$T/r.prof"
check_same "stats --text --callers PATTERN" ".sort_stats('cumulative').print_callers('fact')" --callers fact "$T/r.prof"
check_same "stats --text --callees PATTERN" ".sort_stats('cumulative').print_callees('main')" --callees main "$T/r.prof"
check_same "stats --text --callers with --limit" ".sort_stats('cumulative').print_callers('built-in', 2)" -s cumulative --callers built-in --limit 2 "$T/r.prof"
check_same "stats --text --callees of a regular expression, dirs stripped" \
	".strip_dirs().sort_stats('cumulative').print_callees('^recurse.py:[0-9]+\\\\(m')" --strip-dirs --callees '^recurse.py:[0-9]+\(m' "$T/r.prof"
check_same "stats --text with a bad regular expression: reported as pstats does" \
	".sort_stats('cumulative').print_callers('(')" --callers '(' "$T/r.prof"
# python -m profile names its top level by a code object, shown without the address pstats
# prints for it (an address of the reading process, different every time).
"$PY" -m profile -o "$T/pure.prof" "$WS/recurse.py" >/dev/null 2>&1
with_timeout "$P" stats --text -s ncalls "$T/pure.prof" >"$T/pure.out" 2>&1
pstats_print "$T/pure.prof" ".sort_stats('ncalls').print_stats()" | sed 's/ at 0x[0-9a-f]*, file /, file /' >"$T/pure.want"
with_timeout "$P" stats --text --callers fact "$T/pure.prof" >>"$T/pure.out" 2>&1
pstats_print "$T/pure.prof" ".sort_stats('cumulative').print_callers('fact')" >>"$T/pure.want"
same_file "$T/pure.out" "$T/pure.want" "python -m profile's file: stats and callers as pstats prints them"
with_timeout "$P" stats "$T/r.prof" >"$T/notty.out" 2>&1 </dev/null
grep -q '^   Ordered by: cumulative time$' "$T/notty.out" && ok "stats with stdout not a terminal prints the text table" ||
	not_ok "stats with stdout not a terminal prints the text table" "$(head -5 "$T/notty.out")"

# --- bad files -----------------------------------------------------------------------------------
size=$(wc -c <"$T/r.prof")
head -c $((size / 2)) "$T/r.prof" >"$T/trunc.prof"
run_p trunc stats --text "$T/trunc.prof"
one_line_error trunc 1 "trunc.prof: .*truncated" "a truncated .prof: one line naming the file, status 1"
printf '\211PNG\r\n\032\n\0\0\0\rIHDR' >"$T/image.prof"
run_p foreign stats --text "$T/image.prof"
one_line_error foreign 1 "image.prof: not a pstats profile" "a foreign file: one line naming the file, status 1"
"$PY" -c 'import marshal, sys; marshal.dump([1, 2, 3], open(sys.argv[1], "wb"))' "$T/list.prof"
run_p list stats --text "$T/list.prof"
one_line_error list 1 "list.prof: not a pstats profile" "a marshal file that is not a profile: one line, status 1"
: >"$T/empty.prof"
run_p empty stats --text "$T/empty.prof"
one_line_error empty 1 "empty.prof" "an empty file: one line, status 1"
run_p nofile stats --text "$T/none.prof"
one_line_error nofile 1 "none.prof" "a missing file: one line naming it, status 1"
run_p twofiles stats --text "$T/r.prof" "$T/c.prof"
one_line_error twofiles 2 "one FILE.prof" "two files: a usage error"

# --- lesson 6's exercises -------------------------------------------------------------------------
run_p e16 exercise E16
grep -q '36 function calls' "$T/e16.out" && [ "$rc" = 0 ] && ok "exercise E16 profiles compute.py" ||
	not_ok "exercise E16 profiles compute.py" "status $rc: $(cat "$T/e16.err")"
run_p e17 exercise E17
[ "$rc" = 0 ] && [ -s "$T/compute.prof" ] && ok "exercise E17 writes compute.prof in the current directory" ||
	not_ok "exercise E17 writes compute.prof in the current directory" "status $rc: $(cat "$T/e17.err")"
run_p list exercise --list
grep -Eq '^\[x\] +E16 ' "$T/list.out" && grep -Eq '^\[x\] +E17 ' "$T/list.out" &&
	ok "E16 and E17 are marked done" || not_ok "E16 and E17 are marked done" "$(grep E1 "$T/list.out")"

done_testing
