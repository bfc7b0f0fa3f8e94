#!/bin/sh
# proflab timeit: as python3 -m timeit. The line it prints, in the layout of
# python -m timeit's (checked against the real one); -n, -r, -s (repeated),
# -u and -p; several statement words joined by newlines; "pass" without any;
# the loop count found on the 1, 2, 5 x 10^k ladder; a statement that raises
# (its traceback, status 1, no timing); the warning on unreliable results;
# usage errors; exercise X8.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
PY=${PROFLAB_PYTHON:-/usr/bin/python3.11}
[ -x "$P" ] || bail_out "no proflab at $P"
tap_tmpdir
T=$TEST_TMP
unset PYTHONUNBUFFERED PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONINSPECT PROFLAB_WORKER \
	PROFLAB_DATADIR PROFLAB_CHANNEL_FD
mkdir "$T/tmp" "$T/wd" || bail_out "mkdir failed"
export PYTHONDONTWRITEBYTECODE=1 LC_ALL=C.UTF-8 XDG_STATE_HOME="$T/state" TMPDIR="$T/tmp"
cd "$T/wd" || bail_out "no $T/wd"

LINE='^[0-9]+ loops?, best of [0-9]+: [0-9.e+-]+ (nsec|usec|msec|sec) per loop$'
# shape FILE: the timing line with its numbers replaced by N.
shape() { grep -E "$LINE" "$1" | sed -E 's/[0-9][0-9.e+-]*/N/g; s/(nsec|usec|msec|sec)/UNIT/'; }

run_p fixed timeit -n 100 -r 5 -s "data = list(range(100000))" "sum(data)"
"$PY" -m timeit -n 100 -r 5 -s "data = list(range(100000))" "sum(data)" >"$T/fixed.py" 2>&1
if [ "$rc" = 0 ] && grep -Eq '^100 loops, best of 5: [0-9.]+ (usec|msec) per loop$' "$T/fixed.out"; then
	ok "-n 100 -r 5: 100 loops, best of 5, per loop"
else
	not_ok "-n 100 -r 5: 100 loops, best of 5, per loop" "status $rc: $(cat "$T/fixed.out" "$T/fixed.err")"
fi
is "$(shape "$T/fixed.out")" "$(shape "$T/fixed.py")" "... in python -m timeit's layout"
is "$(wc -l <"$T/fixed.out")" 1 "... and nothing else on stdout"

run_p auto timeit "x = 1"
n=$(awk '{ print $1 }' "$T/auto.out")
case $n in
1 | 2 | 5 | 1*0 | 2*0 | 5*0) ok "without -n the loop count is on timeit's 1, 2, 5 ladder ($n)" ;;
*) not_ok "without -n the loop count is on timeit's 1, 2, 5 ladder" "$(cat "$T/auto.out" "$T/auto.err")" ;;
esac
grep_file '^[0-9]+ loops, best of 5: ' "$T/auto.out" "... and 5 runs by default"
per=$(awk '{ print $6 }' "$T/auto.out")
unit=$(awk '{ print $7 }' "$T/auto.out")
ok_run=$("$PY" -c "
import sys
n, v, u = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
s = {'nsec': 1e-9, 'usec': 1e-6, 'msec': 1e-3, 'sec': 1.0}[u]
print(n * v * s >= 0.2 * 0.5)" "$n" "$per" "$unit")
is "$ok_run" True "... chosen so that one run takes about 0.2 s or more"

run_p words timeit -n 1 -r 1 -s "a = 2" -s "b = 3" "c = a * b" "print(c)"
if [ "$rc" = 0 ] && [ "$(head -n 1 "$T/words.out")" = 6 ] && grep -Eq '^1 loop, best of 1: ' "$T/words.out"; then
	ok "several -s and several statement words are joined by newlines; 1 loop, best of 1"
else
	not_ok "several -s and statement words" "status $rc: $(cat "$T/words.out" "$T/words.err")"
fi

run_p pass timeit -n 1000 -r 2
grep_file '^1000 loops, best of 2: [0-9.]+ nsec per loop$' "$T/pass.out" "no statement times pass"

run_p unit timeit -n 10 -r 2 -u msec "sum(range(1000))"
grep_file '^10 loops, best of 2: [0-9.e-]+ msec per loop$' "$T/unit.out" "-u msec prints milliseconds"
run_p proc timeit -p -n 10 -r 2 "sum(range(1000))"
grep_file '^10 loops, best of 2: ' "$T/proc.out" "-p times with the process clock"

run_p raise timeit "1/0"
if [ "$rc" = 1 ] && [ ! -s "$T/raise.out" ] && tail -n 1 "$T/raise.err" | grep -q '^ZeroDivisionError: division by zero$' &&
	grep -q '1/0' "$T/raise.err"; then
	ok "a statement that raises: its traceback, status 1, no timing"
else
	not_ok "a statement that raises" "status $rc: $(cat "$T/raise.out" "$T/raise.err")"
fi
run_p syntax timeit "x = ("
if [ "$rc" = 1 ] && grep -q 'SyntaxError' "$T/syntax.err"; then
	ok "a statement that does not compile: SyntaxError, status 1"
else
	not_ok "a statement that does not compile" "status $rc: $(cat "$T/syntax.err")"
fi

# The first run sleeps, the others do not: timeit's warning, as python -m timeit gives it.
# (setup runs again before each run: the mark is kept on the sys module.)
run_p shaky timeit -n 1 -r 5 -s "import sys, time" "if not hasattr(sys, 'seen'): sys.seen = time.sleep(0.05)"
"$PY" -m timeit -n 1 -r 5 -s "import sys, time" "if not hasattr(sys, 'seen'): sys.seen = time.sleep(0.05)" >"$T/shaky.py" 2>&1
warn='^:0: UserWarning: The test results are likely unreliable\. The worst time \([0-9.]+ msec\) was more than four times slower than the best time \([0-9.]+ [nu]sec\)\.$'
if [ "$rc" = 0 ] && grep -Eq "$warn" "$T/shaky.err" && grep -Eq "$warn" "$T/shaky.py"; then
	ok "unreliable results: the same warning as python -m timeit's, on stderr"
else
	not_ok "unreliable results: the same warning as python -m timeit's" "status $rc: $(cat "$T/shaky.err") / $(cat "$T/shaky.py")"
fi

run_p badn timeit -n 0 pass
one_line_error badn 2 "invalid -n '0'" "-n 0 is refused, naming the value"
run_p badr timeit -r x pass
one_line_error badr 2 "invalid -r 'x'" "-r x is refused"
run_p badu timeit -u hours pass
one_line_error badu 2 "invalid -u 'hours': expected nsec, usec, msec or sec" "an unknown unit is named"
run_p nos timeit -s
one_line_error nos 2 "option '-s' needs a value" "-s without a value says so"
run_p help timeit --help
grep_file '^usage: proflab timeit \[-n N\] \[-r R\] \[-s SETUP\]' "$T/help.out" "timeit --help prints its synopsis"
is "$(ls -A "$T/tmp" | wc -l)" 0 "no temporary driver is left behind"

run_p x8 exercise X8
if [ "$rc" = 0 ] && grep -Eq '^100 loops, best of 5: ' "$T/x8.out"; then
	ok "exercise X8 runs proflab timeit"
else
	not_ok "exercise X8 runs proflab timeit" "status $rc: $(cat "$T/x8.out" "$T/x8.err")"
fi

done_testing
