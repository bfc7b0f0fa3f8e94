#!/bin/sh
# proflab-worker's line instruments, run directly: --lines and --memory with
# every way of choosing a function (--func NAME, Class.method, an inner
# function, MODULE:NAME, FILE:LINE, @profile), hits against a sys.settrace
# reference, the shapes that trip tracers (recursion, generators, a function
# that raises, threads, one that never runs), specs that name nothing, the
# table file, the channel record, Ctrl-C, and memory increments against
# memory_profiler's when it is installed.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).

: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

PY=${PROFLAB_PYTHON:-python3}
W=$(cd "$top_builddir" && pwd)/proflab-worker
S=$(cd "$top_srcdir/tests/worker/scripts" && pwd)
HITS=$(cd "$top_srcdir/tests" && pwd)/line_hits.py

[ -x "$W" ] || bail_out "no worker at $W"
"$PY" -c 'import sys' 2>/dev/null || bail_out "no python at $PY"
tap_tmpdir
T=$TEST_TMP
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP PROFLAB_CHANNEL_FD PROFLAB_PYTHON_EXECUTABLE
PYTHONNOUSERSITE=1
PYTHONDONTWRITEBYTECODE=1
LC_ALL=C.UTF-8
export PYTHONNOUSERSITE PYTHONDONTWRITEBYTECODE LC_ALL
bgpid=

test_cleanup() {
	[ -n "$bgpid" ] && kill -KILL "$bgpid" 2>/dev/null
	:
}

# lw NAME ARGS...: the worker with a channel on fd 3; NAME.{out,err,chan,st}.
lw() {
	_n=$1
	shift
	with_timeout "$W" --channel-fd 3 "$@" </dev/null >"$T/$_n.out" 2>"$T/$_n.err" 3>"$T/$_n.chan"
	echo $? >"$T/$_n.st"
}

st() {
	cat "$T/$1.st"
}

# hits TABLE: "QUALNAME LINE HITS" for every hit record, sorted.
hits() {
	awk -F'\t' '$1 == "func" { q[$2] = $5 } $1 == "hit" { print q[$2], $3, $4 }' "$1" | csort
}

# Sorted as line_hits.py sorts: by name, then line number.
csort() {
	LC_ALL=C sort -k1,1 -k2,2n
}

# field TABLE TYPE ID COLUMN: column COLUMN of the first TYPE record of function ID.
field() {
	awk -F'\t' -v t="$2" -v id="$3" -v c="$4" '$1 == t && $2 == id { print $c; exit }' "$1"
}

# func_id TABLE QUALNAME
func_id() {
	awk -F'\t' -v q="$2" '$1 == "func" && $5 == q { print $2; exit }' "$1"
}

plan 42

# --- choosing functions, hits against the reference -------------------------
MIX_FUNCS="squares depth evens fails decorated Grid.step outer helper in_thread never_called"
set --
for f in $MIX_FUNCS lines_helper:scale; do
	set -- "$@" --func "$f"
done
lw mix --lines "$T/mix.tab" "$@" "$S/lines_mix.py"
is "$(st mix)" 0 "--lines: the script runs to its end (status 0)"
grep_file "^done \[2545\]$" "$T/mix.out" "--lines: the script's output is unchanged"
head -1 "$T/mix.tab" | grep -q "^proflab-lines${tab:=	}1	time$" &&
	tail -1 "$T/mix.tab" | grep -q "^end	11$" &&
	ok "the table starts with its header and ends with end 11" ||
	not_ok "the table starts with its header and ends with end 11" "$(head -1 "$T/mix.tab")"
grep -q "^lines	$T/mix.tab	time	11$" "$T/mix.chan" &&
	[ "$(tail -1 "$T/mix.chan" | cut -f1)" = exit ] &&
	ok "channel: lines PATH time 11, before exit" ||
	not_ok "channel: lines PATH time 11, before exit" "$(cat "$T/mix.chan")"

"$PY" "$HITS" --qualnames "squares,depth,evens,fails,decorated,Grid.step,outer,outer.<locals>.helper,in_thread" \
	"$S/lines_mix.py" >"$T/ref.txt" 2>"$T/ref.err"
hits "$T/mix.tab" | grep -v "^scale " >"$T/mix.hits"
if [ -s "$T/ref.txt" ] && cmp -s "$T/ref.txt" "$T/mix.hits"; then
	ok "hits of every line equal sys.settrace's line events ($(wc -l <"$T/ref.txt") lines)"
else
	not_ok "hits of every line equal sys.settrace's line events"
	diff "$T/ref.txt" "$T/mix.hits" | head -20 | sed 's/^/#   /'
fi
is "$(hits "$T/mix.tab" | grep "^squares 9 ")" "squares 9 82" \
	"a for line runs once more than its turns, in both calls (50 + 30 turns: 82)"
is "$(hits "$T/mix.tab" | grep "^squares 10 ")" "squares 10 80" "an if line counts both branches (80)"
is "$(hits "$T/mix.tab" | grep "^in_thread ")" "in_thread 67 1" "a chosen function runs in a thread: counted"
id=$(func_id "$T/mix.tab" depth)
is "$(field "$T/mix.tab" func "$id" 7)" 41 "recursion: depth(40) is 41 calls"
is "$(hits "$T/mix.tab" | grep "^depth " | tr '\n' ' ')" "depth 18 41 depth 19 1 depth 20 40 " \
	"recursion: each frame's lines counted once"
id=$(func_id "$T/mix.tab" evens)
is "$(field "$T/mix.tab" func "$id" 7)" 1 "a generator: one call, however many steps"
is "$(hits "$T/mix.tab" | grep "^evens 26 ")" "evens 26 5" "a generator: yield counted per step (5)"
is "$(hits "$T/mix.tab" | grep "^fails " | tr '\n' ' ')" "fails 30 2 fails 31 2 " \
	"a function that raises: its raising line still counted"
id=$(func_id "$T/mix.tab" decorated)
is "$(field "$T/mix.tab" func "$id" 6)" 40 "a decorated function starts at its decorator line (40)"
is "$(hits "$T/mix.tab" | grep -c "^decorated ")" 2 "a function under another decorator: its own lines counted"
id=$(func_id "$T/mix.tab" Grid.step)
is "$(field "$T/mix.tab" func "$id" 4)" step "Class.method: NAME is co_name, QUALNAME the qualified name"
is "$(hits "$T/mix.tab" | grep "^outer.<locals>.helper ")" "outer.<locals>.helper 58 4" \
	"an inner function, chosen by its bare name"
id=$(func_id "$T/mix.tab" scale)
is "$(field "$T/mix.tab" func "$id" 3)" "$S/lines_helper.py" "MODULE:NAME: the function of the imported module"
is "$(hits "$T/mix.tab" | grep "^scale 6 ")" "scale 6 4" "MODULE:NAME: its lines counted"
id=$(func_id "$T/mix.tab" never_called)
if [ "$(field "$T/mix.tab" func "$id" 7)" = 0 ] && [ "$(hits "$T/mix.tab" | grep -c "^never_called ")" = 0 ] &&
	[ "$(field "$T/mix.tab" src "$id" 4)" = "def never_called():" ]; then
	ok "a function that never runs: listed with 0 calls, its source, no hits"
else
	not_ok "a function that never runs: listed with 0 calls, its source, no hits"
fi
is "$(awk -F'\t' '$1 == "src" && $2 == 0' "$T/mix.tab" | cut -f3 | tr '\n' ' ')" "4 5 6 7 8 " \
	"src: the function's block, line by line"
neg=$(awk -F'\t' '$1 == "hit" && ($4 < 1 || $5 < 0)' "$T/mix.tab" | wc -l)
is "$neg" 0 "every hit record has hits >= 1 and a time >= 0"

lw line --lines "$T/line.tab" --func "$S/lines_mix.py:40" --func "$S/lines_helper.py:4" "$S/lines_mix.py"
is "$(hits "$T/line.tab" | cut -d' ' -f1 | sort -u | tr '\n' ' ')" "decorated scale " \
	"FILE:LINE: the decorator line of the script, the def line of a module"

# --- @profile ------------------------------------------------------------------
lw deco --lines "$T/deco.tab" "$S/lines_deco.py"
is "$(sed -n 2p "$T/deco.out")" "build build __main__ 3" \
	"@profile: the wrapper keeps __name__, __wrapped__, __module__; a non-function passes"
"$PY" "$HITS" "$S/lines_deco.py" >"$T/deco.ref"
awk -F'\t' '$1 == "func" { q[$2] = $4 } $1 == "hit" { print q[$2], $3, $4 }' "$T/deco.tab" |
	csort >"$T/deco.hits"
if cmp -s "$T/deco.ref" "$T/deco.hits"; then
	ok "@profile (functions, a method, a staticmethod): hits equal the reference"
else
	not_ok "@profile (functions, a method, a staticmethod): hits equal the reference"
	diff "$T/deco.ref" "$T/deco.hits" | head | sed 's/^/#   /'
fi
"$PY" "$S/lines_deco.py" >"$T/deco.plain" 2>&1
grep_file "^289 7 10 8$" "$T/deco.plain" "the same script runs under plain python (fallback profile)"

# --- specs that name nothing ---------------------------------------------------
# spec_error DESC SPEC PATTERN: exit 2 before the script runs, one line on stderr, an error record.
spec_error() {
	lw err --lines "$T/err.tab" --func "$2" "$S/lines_mix.py"
	if [ "$(st err)" = 2 ] && [ ! -s "$T/err.out" ] && [ "$(wc -l <"$T/err.err")" = 1 ] &&
		grep -Eq "^proflab-worker: $3" "$T/err.err" && grep -Eq "^error	$3" "$T/err.chan"; then
		ok "$1"
	else
		not_ok "$1" "status $(st err): $(cat "$T/err.err")"
	fi
}
spec_error "a name that does not exist" nosuch "-f nosuch: no function named nosuch in lines_mix.py$"
spec_error "a module without that name" lines_helper:nosuch "-f lines_helper:nosuch: no function named nosuch in .*lines_helper.py$"
spec_error "a module that does not exist" nomod:f "-f nomod:f: no Python module named nomod$"
spec_error "a line with no def" "$S/lines_helper.py:6" "-f .*lines_helper.py:6: no function at line 6 in .*lines_helper.py$"
spec_error "a file that does not exist" "$T/none.py:3" "-f .*none.py:3: no file .*none.py$"
spec_error "a malformed spec" ":f" "-f :f: expected NAME, MODULE:NAME or FILE:LINE$"

lw opt --func f "$S/lines_mix.py"
is "$(st opt)" 2 "--func without --lines or --memory is a usage error"
lw opt2 --lines "$T/a" --memory "$T/b" "$S/lines_mix.py"
is "$(st opt2)" 2 "--lines and --memory together is a usage error"

# --- Ctrl-C ---------------------------------------------------------------------
rm -f "$T/ready"
"$W" --channel-fd 3 --lines "$T/sig.tab" --func spin "$S/lines_sigint.py" "$T/ready" \
	</dev/null >/dev/null 2>"$T/sig.err" 3>"$T/sig.chan" &
bgpid=$!
if wait_for 10 test -s "$T/ready"; then
	kill -INT "$bgpid"
	wait "$bgpid"
	sigst=$?
	bgpid=
	if [ "$sigst" = 130 ] && grep -q "^lines	" "$T/sig.chan" &&
		[ "$(hits "$T/sig.tab" | awk '$2 == 9 { print ($3 >= 1000) }')" = 1 ]; then
		ok "Ctrl-C in a chosen function: status 130 and the table of what ran"
	else
		not_ok "Ctrl-C in a chosen function: status 130 and the table of what ran" "status $sigst"
	fi
else
	not_ok "Ctrl-C in a chosen function: status 130 and the table of what ran" "never ready"
fi

# --- memory ---------------------------------------------------------------------
if "$PY" -c 'import numpy' 2>/dev/null; then
	lw mem --memory "$T/mem.tab" "$S/lines_mem.py"
	is "$(st mem)" 0 "--memory: the script runs (status 0)"
	grep -q "^lines	$T/mem.tab	memory	1$" "$T/mem.chan" &&
		ok "channel: lines PATH memory 1" || not_ok "channel: lines PATH memory 1"
	# mem LINE COLUMN: a column of line LINE's mem record (4 occurrences, 5 increment, 6 usage).
	mem() {
		awk -F'\t' -v l="$1" -v c="$2" '$1 == "mem" && $3 == l { print $c }' "$T/mem.tab"
	}
	is "$(mem 10 4)" 20003 "a comprehension's line: occurrences as memory_profiler counts them (20003)"
	inc=$(mem 9 5)
	awk -v i="$inc" 'BEGIN { exit !(i > 0.95 * 104857600 && i < 1.05 * 104857600) }' &&
		ok "a 100 MiB numpy array: increment within 5 % of 100 MiB ($inc)" ||
		not_ok "a 100 MiB numpy array: increment within 5 % of 100 MiB" "$inc"
	dec=$(mem 11 5)
	if grep -q __asan_init "$W"; then
		skip "del of the array: ASan's quarantine keeps freed memory resident"
	else
		awk -v i="$inc" -v d="$dec" 'BEGIN { exit !(d < 0 && -d > 0.95 * i) }' &&
			ok "del of the array: the same amount back ($dec)" ||
			not_ok "del of the array: the same amount back" "$dec"
	fi
	peak=$(awk -F'\t' '$1 == "peak" { print $3 - $2 }' "$T/mem.tab")
	awk -v p="$peak" 'BEGIN { exit !(p > 170 * 1048576) }' &&
		ok "peak record: the run's peak is above the list and the array (+$peak)" ||
		not_ok "peak record: the run's peak is above the list and the array" "$peak"
	if "$PY" -c 'import memory_profiler' 2>/dev/null; then
		(cd "$S" && with_timeout "$PY" -m memory_profiler lines_mem.py) >"$T/mp.out" 2>&1
		mpinc=$(awk '$1 == 9 { print $4 }' "$T/mp.out")
		awk -v a="$inc" -v b="$mpinc" 'BEGIN { a /= 1048576; d = a - b; if (d < 0) d = -d;
			exit !(b > 0 && d <= 0.05 * b) }' &&
			ok "the array's increment is within 5 % of memory_profiler's ($mpinc MiB)" ||
			not_ok "the array's increment is within 5 % of memory_profiler's" "$inc vs $mpinc MiB"
	else
		skip "memory_profiler is not installed"
	fi
else
	for i in 1 2 3 4 5 6 7; do
		skip "numpy is not installed"
	done
fi
done_testing
