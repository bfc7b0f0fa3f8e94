#!/bin/sh
# proflab-worker run directly on small scripts: how a script sees its start,
# exit codes and tracebacks (compared byte for byte with the real python),
# SIGINT, multiprocessing, numpy, unbuffered and non-UTF-8 output, stdin and
# the channel records.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).
# Note: `import proflab` only works inside the worker; exercises import it
# with a fallback (scripts/fallback.py) so they also run under plain python.

: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

PY=${PROFLAB_PYTHON:-python3}
W=$(cd "$top_builddir" && pwd)/proflab-worker
S=$(cd "$top_srcdir/tests/worker/scripts" && pwd)

[ -x "$W" ] || bail_out "no worker at $W"
"$PY" -c 'import sys' 2>/dev/null || bail_out "no python at $PY"
tap_tmpdir
T=$TEST_TMP

# The same environment for the worker and the python it is compared with.
unset PYTHONUNBUFFERED PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONINSPECT PYTHONWARNINGS \
	PYTHONIOENCODING PYTHONSAFEPATH PYTHONUTF8 PROFLAB_CHANNEL_FD PROFLAB_PYTHON_EXECUTABLE \
	PROFLAB_PDEATHSIG
PYTHONNOUSERSITE=1
PYTHONDONTWRITEBYTECODE=1
LC_ALL=C.UTF-8
export PYTHONNOUSERSITE PYTHONDONTWRITEBYTECODE LC_ALL

PYEXE=$("$PY" -c 'import os, sys; print(os.path.realpath(sys.executable))')
PYVER=$("$PY" -c 'import platform; print(platform.python_version())')
SREAL=$(cd "$S" && pwd -P)
bgpids=

test_cleanup() {
	for p in $bgpids; do
		kill -KILL "$p" 2>/dev/null
	done
}

# run NAME PROGRAM ARGS...: stdout, stderr and status into $T/NAME.{out,err,st}.
run() {
	_n=$1
	shift
	with_timeout "$@" <"${STDIN:-/dev/null}" >"$T/$_n.out" 2>"$T/$_n.err"
	echo $? >"$T/$_n.st"
}

# same_as_python NAME DESC ARGS...: the worker and python give identical output and status.
same_as_python() {
	_sp_n=$1
	_sp_d=$2
	shift 2
	run "$_sp_n.w" "$W" "$@"
	run "$_sp_n.p" "$PY" "$@"
	if cmp -s "$T/$_sp_n.w.out" "$T/$_sp_n.p.out" && cmp -s "$T/$_sp_n.w.err" "$T/$_sp_n.p.err" &&
		cmp -s "$T/$_sp_n.w.st" "$T/$_sp_n.p.st"; then
		ok "$_sp_d"
	else
		not_ok "$_sp_d" "worker and python differ (worker status $(cat "$T/$_sp_n.w.st")," \
			"python $(cat "$T/$_sp_n.p.st"))"
		for f in out err; do
			diff -u "$T/$_sp_n.p.$f" "$T/$_sp_n.w.$f" | head -30 | sed 's/^/#   /'
		done
	fi
}

st() {
	cat "$T/$1.st"
}

# The record lines of type $1 in channel capture $2.
records() {
	grep "^$1	" "$2"
}

tab=$(printf '\t')

# --- the command line ------------------------------------------------------------
run version "$W" --version
is "$(cat "$T/version.out")" \
	"proflab-worker $(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")" \
	"--version names the package version"
run help "$W" --help
if [ "$(st help)" = 0 ] && grep -q '^usage: proflab-worker' "$T/help.out"; then
	ok "--help prints usage and exits 0"
else
	not_ok "--help prints usage and exits 0"
fi
run badopt "$W" --bogus "$S/info.py"
if [ "$(st badopt)" = 2 ] && grep -q 'unknown option --bogus' "$T/badopt.err"; then
	ok "an unknown option exits 2"
else
	not_ok "an unknown option exits 2" "status $(st badopt)"
fi
run noscript "$W"
is "$(st noscript)" 2 "no script exits 2"
run badfd "$W" --channel-fd 99 "$S/info.py"
if [ "$(st badfd)" = 2 ] && grep -q 'bad channel fd 99' "$T/badfd.err"; then
	ok "a channel fd that is not open exits 2"
else
	not_ok "a channel fd that is not open exits 2" "status $(st badfd)"
fi

# --- how the script starts -------------------------------------------------------------
same_as_python info "argv, __file__, sys.path[0], __name__, sys.executable as python's" \
	"$S/info.py" one "two words" --three
run info "$W" "$S/info.py" one "two words" --three
has_line "argv ['$S/info.py', 'one', 'two words', '--three']" "$T/info.out" "sys.argv"
has_line "file $S/info.py" "$T/info.out" "__file__"
has_line "path0 $SREAL" "$T/info.out" "sys.path[0] is the script's directory"
has_line "name __main__" "$T/info.out" "__name__ is __main__"
has_line "executable $PYEXE" "$T/info.out" "sys.executable is the real python"
cd "$S" || bail_out "cd $S"
same_as_python relinfo "a relative script path: __file__ absolute, argv[0] as given, as python" \
	info.py
cd "$T" || bail_out "cd $T"
same_as_python sibling "a script imports its sibling modules" "$S/imports_sibling.py"
same_as_python ignored_opts "options after the script go to the script" "$S/info.py" --help -c x

ln -s "$PY" "$T/python-link"
run exeenv env PROFLAB_PYTHON_EXECUTABLE="$T/python-link" "$W" "$S/info.py"
has_line "executable $T/python-link" "$T/exeenv.out" "PROFLAB_PYTHON_EXECUTABLE sets sys.executable"

# --- endings ------------------------------------------------------------------------------
same_as_python raise "uncaught exception: status 1, traceback identical to python's" "$S/raise.py"
is "$(st raise.w)" 1 "uncaught exception exits 1"
same_as_python custom "exception class defined in __main__: as python" "$S/custom_error.py"
same_as_python exit3 "SystemExit(3) as python" "$S/sysexit.py" 3
is "$(st exit3.w)" 3 "SystemExit(3) exits 3"
same_as_python exitmsg "SystemExit('msg') as python" "$S/sysexit.py" "went wrong"
if [ "$(st exitmsg.w)" = 1 ] && [ "$(cat "$T/exitmsg.w.err")" = "went wrong" ]; then
	ok "SystemExit('msg') prints msg and exits 1"
else
	not_ok "SystemExit('msg') prints msg and exits 1" "status $(st exitmsg.w)"
fi
same_as_python exitnone "SystemExit(None) as python" "$S/sysexit.py" none
is "$(st exitnone.w)" 0 "SystemExit(None) exits 0"
same_as_python exitbare "bare SystemExit as python" "$S/sysexit.py" bare
same_as_python exitbig "SystemExit(256) as python" "$S/sysexit.py" 256

run missing "$W" --channel-fd 3 "$T/no-such.py" 3>"$T/missing.chan"
if [ "$(st missing)" = 2 ] && [ "$(wc -l <"$T/missing.err")" = 1 ] &&
	[ "$(cat "$T/missing.err")" = "proflab-worker: cannot open $T/no-such.py: No such file or directory" ]; then
	ok "a missing script: exit 2 and one line on stderr"
else
	not_ok "a missing script: exit 2 and one line on stderr" "status $(st missing)"
	diag_file "$T/missing.err"
fi
is "$(cat "$T/missing.chan")" "error${tab}cannot open $T/no-such.py: No such file or directory" \
	"a missing script sends an error record"
run dir "$W" "$T"
is "$(st dir)" 2 "a directory as script exits 2"

for prog in w p; do
	if [ $prog = w ]; then cmd=$W; else cmd=$PY; fi
	( with_timeout "$cmd" "$S/broken_pipe.py" 2>"$T/bp.$prog.err"; echo $? >"$T/bp.$prog.st" ) |
		head -c 10 >/dev/null
done
if [ "$(cat "$T/bp.w.st")" = "$(cat "$T/bp.p.st")" ] && [ "$(cat "$T/bp.w.st")" -lt 128 ] &&
	grep -q '^atexit ran$' "$T/bp.w.err"; then
	ok "a broken stdout pipe: same status as python, atexit handlers run, no crash"
else
	not_ok "a broken stdout pipe: same status as python, atexit handlers run, no crash" \
		"worker $(cat "$T/bp.w.st"), python $(cat "$T/bp.p.st")"
	diag_file "$T/bp.w.err"
fi

# --- children: multiprocessing and subprocess -------------------------------------------
for method in spawn forkserver; do
	run "mp_$method" "$W" "$S/mp_pool.py" $method
	if [ "$(st "mp_$method")" = 0 ] &&
		[ "$(cat "$T/mp_$method.out")" = "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]" ]; then
		ok "multiprocessing $method: Pool.map gives the right results"
	else
		not_ok "multiprocessing $method: Pool.map gives the right results" \
			"status $(st "mp_$method")"
		diag_file "$T/mp_$method.out"
		diag_file "$T/mp_$method.err"
	fi
done
run subproc "$W" "$S/subproc.py"
is "$(st subproc):$(cat "$T/subproc.out")" "0:child said 42" \
	"subprocess.run([sys.executable, '-c', ...]) runs python"

# --- numpy, twice: a fresh interpreter per run --------------------------------------------
if "$PY" -c 'import numpy' 2>/dev/null; then
	for i in 1 2; do
		run "numpy$i" "$W" "$S/numpy_dot.py"
		is "$(st "numpy$i"):$(cat "$T/numpy$i.out")" "0:[[5.0, 14.0], [14.0, 50.0]]" \
			"numpy imports and numpy.dot works (run $i)"
	done
else
	skip "numpy imports and numpy.dot works (run 1)" "numpy is not installed for $PY"
	skip "numpy imports and numpy.dot works (run 2)" "numpy is not installed for $PY"
fi
if "$PY" -c 'import psutil' 2>/dev/null; then
	run psutil "$W" -- "$S/psutil_self.py"
	is "$(st psutil):$(cat "$T/psutil.out")" "0:psutil True True" "psutil imports and works"
else
	skip "psutil imports" "psutil is not installed for $PY"
fi

# --- SIGINT: KeyboardInterrupt, then death by SIGINT ------------------------------------
# sigint NAME SCRIPT: starts SCRIPT in the background (where sh ignores SIGINT: the
# worker must reset it), sends SIGINT once it runs, expects status 130 within 2 s.
sigint() {
	_n=$1
	rm -f "$T/$_n.pid" "$T/$_n.st"
	# No timeout(1) here: it would hand the worker a default SIGINT. test_cleanup kills it.
	(
		"$W" --channel-fd 3 "$S/$2" "$T/$_n.pid" >"$T/$_n.out" 2>"$T/$_n.err" 3>"$T/$_n.chan"
		echo $? >"$T/$_n.st"
	) &
	bgpids="$bgpids $!"
	if ! wait_for 20 test -s "$T/$_n.pid"; then
		not_ok "SIGINT in $2: the script started"
		return
	fi
	_pid=$(cat "$T/$_n.pid")
	bgpids="$bgpids $_pid"
	_t0=$(now_ms)
	kill -INT "$_pid"
	if wait_for 2 test -s "$T/$_n.st"; then
		_ms=$(($(now_ms) - _t0))
		if [ "$(st "$_n")" = 130 ] && [ "$(tail -n 1 "$T/$_n.err")" = KeyboardInterrupt ] &&
			head -n 1 "$T/$_n.err" | grep -q '^Traceback (most recent call last):$'; then
			ok "SIGINT in $2: KeyboardInterrupt traceback and status 130 (${_ms} ms)"
		else
			not_ok "SIGINT in $2: KeyboardInterrupt traceback and status 130" \
				"status $(st "$_n")"
			diag_file "$T/$_n.err"
		fi
	else
		not_ok "SIGINT in $2: KeyboardInterrupt traceback and status 130" "not ended within 2 s"
	fi
	is "$(records exit "$T/$_n.chan")" "exit${tab}130${tab}interrupt${tab}KeyboardInterrupt" \
		"SIGINT in $2: exit record says interrupt"
}
sigint loop loop.py
sigint sleep sleep.py

# Status 130 from sh could also be exit(130): ask python whether it was the signal.
check "SIGINT: the worker dies of SIGINT, as python does" "$PY" - "$W" "$S/sleep.py" "$T/sig.pid" <<'EOF'
import os, signal, subprocess, sys, time
worker, script, pidfile = sys.argv[1:]
p = subprocess.Popen([worker, script, pidfile], stderr=subprocess.DEVNULL)
deadline = time.monotonic() + 20
while not os.path.exists(pidfile) and time.monotonic() < deadline:
    time.sleep(0.02)
p.send_signal(signal.SIGINT)
sys.exit(0 if p.wait(timeout=5) == -signal.SIGINT else 1)
EOF

# --- stdio ----------------------------------------------------------------------------------
LC_ALL=C
same_as_python bytes "non-UTF-8 bytes pass through as python's (LC_ALL=C)" "$S/bytes_out.py"
printf 'raw:\377\376\200\000end\nesc:\351\377\nutf8:\303\251\n' >"$T/bytes.want"
run bytes "$W" "$S/bytes_out.py"
LC_ALL=C.UTF-8
same_file "$T/bytes.out" "$T/bytes.want" "non-UTF-8 bytes: stdout.buffer and surrogateescape byte-exact"

run stdin "$W" "$S/stdin_read.py"
if [ "$(st stdin)" = 0 ] && [ "$(cat "$T/stdin.out")" = "read ''" ]; then
	ok "sys.stdin.read() with </dev/null gives '' and exits 0"
else
	not_ok "sys.stdin.read() with </dev/null gives '' and exits 0" "status $(st stdin)"
fi
for prog in w p; do
	if [ $prog = w ]; then cmd=$W; else cmd=$PY; fi
	with_timeout "$cmd" "$S/stdin_read.py" <&- >"$T/closed.$prog.out" 2>"$T/closed.$prog.err"
	echo $? >"$T/closed.$prog.st"
done
if cmp -s "$T/closed.w.err" "$T/closed.p.err" && cmp -s "$T/closed.w.st" "$T/closed.p.st"; then
	ok "a closed stdin: sys.stdin is None, as python (the script does not take fd 0)"
else
	not_ok "a closed stdin: sys.stdin is None, as python (the script does not take fd 0)"
	diag_file "$T/closed.w.err"
fi
echo "some input" >"$T/stdin.in"
STDIN=$T/stdin.in
run stdin2 "$W" "$S/stdin_read.py"
STDIN=
is "$(cat "$T/stdin2.out")" "read 'some input\\n'" "the script reads its stdin"

timeout -k 5 "$TEST_TIMEOUT" "$W" "$S/unbuffered.py" >"$T/ub.out" 2>"$T/ub.err" &
ubpid=$!
bgpids="$bgpids $ubpid"
if wait_for 10 grep -qs '^first line$' "$T/ub.out" && kill -0 "$ubpid" 2>/dev/null; then
	ok "stdout is unbuffered: a line shows before the script ends"
else
	not_ok "stdout is unbuffered: a line shows before the script ends"
fi
kill "$ubpid" 2>/dev/null
wait "$ubpid" 2>/dev/null

# --- the channel ------------------------------------------------------------------------------
run chan "$W" --channel-fd 3 "$S/channel.py" 3 3>"$T/chan.chan"
is "$(st chan)" 0 "channel script exits 0"
is "$(records hello "$T/chan.chan" | cut -f 3-)" "$PYVER${tab}$PYEXE${tab}$S/channel.py" \
	"hello record: python version, executable, script"
if records hello "$T/chan.chan" | cut -f 2 | grep -qx '[0-9][0-9]*'; then
	ok "hello record: a pid"
else
	not_ok "hello record: a pid"
fi
is "$(records mark "$T/chan.chan" | cut -f 3)" "start
tab\\there\\nnewline\\\\back
42" "mark records: labels in order, tab, newline and backslash escaped, str() of non-str"
if [ "$(records mark "$T/chan.chan" | cut -f 2 | grep -cx '[0-9][0-9]*\.[0-9]\{9\}')" = 3 ]; then
	ok "mark records: a monotonic time with 9 decimals"
else
	not_ok "mark records: a monotonic time with 9 decimals"
fi
is "$(tail -n 1 "$T/chan.chan")" "exit${tab}0${tab}ok${tab}" "exit record last: 0 ok"
is "$(head -n 1 "$T/chan.chan" | cut -f 1)" hello "hello record first"
has_line 'open True' "$T/chan.out" "proflab.channel_open() is True with a channel"
has_line 'child sees fd False' "$T/chan.out" "the channel fd does not leak into child processes"

# proflab.timings: one timeit record; bad arguments are Python errors.
cat >"$T/timings.py" <<'PYEOF'
import proflab
proflab.timings(3, [0.25, 1.5e-7])
for bad in ((3, ["x"]), (3, 5), ("n", [1.0])):
    try:
        proflab.timings(*bad)
    except TypeError:
        print("TypeError")
PYEOF
run timings "$W" --channel-fd 3 "$T/timings.py" 3>"$T/timings.chan"
is "$(records timeit "$T/timings.chan")" "timeit${tab}3${tab}2.500000000e-01 1.500000000e-07" \
	"proflab.timings(number, times) sends a timeit record"
is "$(grep -c '^TypeError$' "$T/timings.out")" 3 "... and refuses times that are not numbers"

run chanenv env PROFLAB_CHANNEL_FD=3 "$W" "$S/channel.py" 3 3>"$T/chanenv.chan"
has_line 'env None' "$T/chanenv.out" "PROFLAB_CHANNEL_FD is removed from the script's environment"
is "$(records mark "$T/chanenv.chan" | wc -l)" 3 "PROFLAB_CHANNEL_FD names the channel"

run nochan "$W" "$S/channel.py"
if [ "$(st nochan)" = 0 ] && grep -q '^open False$' "$T/nochan.out"; then
	ok "without a channel mark() is a no-op"
else
	not_ok "without a channel mark() is a no-op" "status $(st nochan)"
fi

run chanexc "$W" --channel-fd 3 "$S/raise.py" 3>"$T/chanexc.chan"
is "$(records exit "$T/chanexc.chan")" "exit${tab}1${tab}exception${tab}ValueError" \
	"exit record: exception and its type"
run chancustom "$W" --channel-fd 3 "$S/custom_error.py" 3>"$T/chancustom.chan"
is "$(records exit "$T/chancustom.chan")" "exit${tab}1${tab}exception${tab}LessonError" \
	"exit record: a class from __main__ by its name"
run chanexit "$W" --channel-fd 3 "$S/sysexit.py" 3 3>"$T/chanexit.chan"
is "$(records exit "$T/chanexit.chan")" "exit${tab}3${tab}systemexit${tab}3" "exit record: SystemExit(3)"
run chanmsg "$W" --channel-fd 3 "$S/sysexit.py" msg 3>"$T/chanmsg.chan"
is "$(records exit "$T/chanmsg.chan")" "exit${tab}1${tab}systemexit${tab}msg" \
	"exit record: SystemExit('msg')"

run chanfork "$W" --channel-fd 3 "$S/fork_child.py" 3>"$T/chanfork.chan"
if [ "$(records exit "$T/chanfork.chan" | wc -l)" = 1 ] &&
	[ "$(records mark "$T/chanfork.chan" | cut -f 3)" = parent ] &&
	grep -qx 'child channel False' "$T/chanfork.out"; then
	ok "a forked child has no channel: no marks, no second exit record"
else
	not_ok "a forked child has no channel: no marks, no second exit record"
	diag_file "$T/chanfork.chan"
fi

printf 'x = 1\nif x\n    pass\n' >"$T/syntax.py"
same_as_python syntax "a syntax error: as python" "$T/syntax.py"
run chansyntax "$W" --channel-fd 3 "$T/syntax.py" 3>"$T/chansyntax.chan"
is "$(records exit "$T/chansyntax.chan")" "exit${tab}1${tab}exception${tab}SyntaxError" \
	"exit record: SyntaxError"

# --- PROFLAB_PDEATHSIG ------------------------------------------------------------------------
run pdeath env PROFLAB_PDEATHSIG=1 "$W" "$S/pdeathsig.py"
is "$(cat "$T/pdeath.out")" "pdeathsig 9 env None" \
	"PROFLAB_PDEATHSIG=1: SIGKILL on parent death, variable not passed on"
run nopdeath "$W" "$S/pdeathsig.py"
is "$(cat "$T/nopdeath.out")" "pdeathsig 0 env None" "no parent-death signal by default"

# --- the proflab module outside the worker ------------------------------------------------
if "$PY" -c 'import proflab' 2>/dev/null; then
	not_ok "import proflab fails under plain python (exercises need the fallback)"
else
	ok "import proflab fails under plain python (exercises need the fallback)"
fi
same_as_python fallback "a script importing proflab with a fallback runs the same in both" \
	"$S/fallback.py"

# --- --interactive: a snippet as typed at the >>> prompt ---------------------------------------
printf 'x = 6 * 7\nx\n"a" + "b"\nfor i in range(2):\n    i\nNone\nprint("printed")\n' >"$T/snip.py"
run snip "$W" --interactive "$T/snip.py"
printf '42\n%s\n0\n1\nprinted\n' "'ab'" >"$T/snip.want"
same_file "$T/snip.out" "$T/snip.want" "--interactive echoes each expression's value, as at the >>> prompt"
is "$(cat "$T/snip.st")" 0 "--interactive: status 0 when the snippet ends"
printf 'print("before")\n1/0\nprint("never")\n' >"$T/snipfail.py"
run snipfail "$W" --interactive --channel-fd 3 "$T/snipfail.py" 3>"$T/snipfail.chan"
if [ "$(cat "$T/snipfail.out")" = before ] && [ "$(cat "$T/snipfail.st")" = 1 ] &&
	grep -q '^ZeroDivisionError: division by zero$' "$T/snipfail.err" &&
	grep -q "line 2, in <module>" "$T/snipfail.err"; then
	ok "--interactive stops at the first exception with its traceback"
else
	not_ok "--interactive stops at the first exception with its traceback" "$(cat "$T/snipfail.err")"
fi
is "$(records exit "$T/snipfail.chan")" "exit${tab}1${tab}exception${tab}ZeroDivisionError" \
	"--interactive: the exit record names the exception"

# --- --profile: cProfile as python -m cProfile runs it --------------------------------------
PC="$top_srcdir/tests/prof_counts.py"
for sc in recurse raise sysexit; do
	arg=
	[ "$sc" = sysexit ] && arg=3
	run "prof_$sc" "$W" --channel-fd 3 --profile "$T/$sc.w.prof" "$S/$sc.py" $arg 3>"$T/prof_$sc.chan"
	(cd "$T" && with_timeout "$PY" -m cProfile -o "$T/$sc.p.prof" "$S/$sc.py" $arg >/dev/null 2>&1)
	"$PY" "$PC" "$T/$sc.w.prof" >"$T/$sc.w.counts" 2>&1
	"$PY" "$PC" "$T/$sc.p.prof" >"$T/$sc.p.counts" 2>&1
	if [ -s "$T/$sc.w.counts" ] && cmp -s "$T/$sc.w.counts" "$T/$sc.p.counts"; then
		ok "--profile $sc.py: every function and edge counted as python -m cProfile counts it"
	else
		not_ok "--profile $sc.py: every function and edge counted as python -m cProfile counts it" \
			"$(diff "$T/$sc.w.counts" "$T/$sc.p.counts" | head -20)"
	fi
	n=$("$PY" -c 'import marshal,sys; print(len(marshal.load(open(sys.argv[1],"rb"))))' "$T/$sc.w.prof")
	is "$(records profile "$T/prof_$sc.chan")" "profile${tab}$T/$sc.w.prof${tab}$n" \
		"--profile $sc.py: the profile record names the file and its $n functions"
done
grep -q 'fact' "$T/recurse.w.counts" && grep -q '^recurse.py:5(fact) 40/8 ' "$T/recurse.w.counts" &&
	ok "--profile: recursive calls counted as total/primitive (40/8)" ||
	not_ok "--profile: recursive calls counted as total/primitive (40/8)" "$(cat "$T/recurse.w.counts")"
run recurse_plain "$PY" "$S/recurse.py"
same_file "$T/prof_recurse.out" "$T/recurse_plain.out" "--profile: the script's own output is unchanged"
is "$(cat "$T/prof_raise.st")" 1 "--profile: a script that raises still exits 1"
grep -q '^ZeroDivisionError' "$T/prof_raise.err" && ok "--profile: ... with its traceback" ||
	not_ok "--profile: ... with its traceback" "$(cat "$T/prof_raise.err")"
is "$(cat "$T/prof_sysexit.st")" 3 "--profile: sys.exit(3) is the worker's status (python -m cProfile exits 0)"

# Interrupted: the statistics of the partial run are still written.
"$W" --channel-fd 3 --profile "$T/loop.prof" "$S/loop.py" "$T/profint.pid" 3>"$T/profint.chan" \
	>"$T/profint.out" 2>"$T/profint.err" &
pid=$!
bgpids="$bgpids $pid"
if wait_for 20 test -s "$T/profint.pid"; then
	kill -INT "$pid"
	wait "$pid"
	st=$?
	if [ "$st" = 130 ] && [ -s "$T/loop.prof" ] && grep -q "^profile${tab}" "$T/profint.chan"; then
		ok "--profile: Ctrl-C ends the script and the partial profile is written"
	else
		not_ok "--profile: Ctrl-C ends the script and the partial profile is written" "status $st"
	fi
else
	not_ok "--profile: Ctrl-C ends the script and the partial profile is written" "loop.py printed nothing"
fi

run profbad "$W" --profile "$T/no/such/dir/x.prof" "$S/recurse.py"
if [ "$(cat "$T/profbad.st")" = 0 ] && grep -q '^proflab-worker: cannot write the profile to .*x.prof: ' "$T/profbad.err" &&
	[ "$(grep -c . "$T/profbad.err")" = 1 ]; then
	ok "--profile to an unwritable path: one line on stderr, the script's status kept"
else
	not_ok "--profile to an unwritable path: one line on stderr, the script's status kept" \
		"status $(cat "$T/profbad.st"): $(cat "$T/profbad.err")"
fi
run profnoarg "$W" --profile
is "$(cat "$T/profnoarg.st")" 2 "--profile without a file is a usage error (status 2)"

printf 'def f(n):\n    return sum(range(n))\nf(10)\nf(20)\n' >"$T/profsnip.py"
run profsnip "$W" --interactive --profile "$T/snip.prof" "$T/profsnip.py"
"$PY" "$PC" "$T/snip.prof" >"$T/snip.counts" 2>&1
grep -q '^profsnip.py:1(f) 2/2 ' "$T/snip.counts" && [ "$(cat "$T/profsnip.out")" = "$(printf '45\n190')" ] &&
	ok "--interactive --profile: the snippet's values echo and its calls are counted" ||
	not_ok "--interactive --profile: the snippet's values echo and its calls are counted" \
		"$(cat "$T/snip.counts" "$T/profsnip.out")"

done_testing
