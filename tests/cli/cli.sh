#!/bin/sh
# The proflab command line and `proflab run`: help and version, usage errors,
# exit statuses passed through, tracebacks, --time, stopping (also inside
# numpy.dot) with no process left behind, a worker that dies, a flood of
# output, stdin, exercises found by name.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
S=$(cd "$top_srcdir/tests/cli/scripts" && pwd)
PY=${PROFLAB_PYTHON:-/usr/bin/python3}
[ -x "$P" ] || bail_out "no proflab at $P"
tap_tmpdir
T=$TEST_TMP
unset PYTHONUNBUFFERED PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONINSPECT PROFLAB_WORKER \
	PROFLAB_DATADIR PROFLAB_CHANNEL_FD
export PYTHONDONTWRITEBYTECODE=1 LC_ALL=C.UTF-8

# no_process_left PATTERN: no process whose command line contains PATTERN.
no_process_left() {
	! pgrep -f "$1" >/dev/null 2>&1
}

plan 30

# --- help, version, usage errors -------------------------------------------
run_p help --help
grep -q 'proflab run' "$T/help.out" && grep -q 'proflab record' "$T/help.out" &&
	[ "$rc" -eq 0 ] && ok "--help lists run and record" || not_ok "--help lists run and record"
run_p version --version
version=$(sed -n 's/^AC_INIT(\[proflab\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
is "$(cat "$T/version.out")" "proflab $version" "--version prints the configured version"
run_p badcmd frobnicate
one_line_error badcmd 2 "unknown command 'frobnicate'" "an unknown command is a one-line usage error"
run_p badopt run --frob x.py
one_line_error badopt 2 "unknown option '--frob'" "an unknown option is a one-line usage error"
run_p noscript run
one_line_error noscript 2 "no SCRIPT given" "run without a script is a usage error"
run_p missing run "$T/nope.py"
one_line_error missing 1 "cannot open $T/nope.py: No such file or directory" \
	"a missing script is a one-line error naming it"
run_p badint run --interval abc "$S/exit3.py"
one_line_error badint 2 "invalid --interval 'abc'" "a non-numeric interval is rejected"
run_p negint run --interval -1 "$S/exit3.py"
one_line_error negint 2 "invalid --interval '-1'" "a negative interval is rejected"
run_p badplot run --plot "$T/x.jpg" "$S/exit3.py"
one_line_error badplot 2 "must end in .png or .svg" "a plot that is neither PNG nor SVG is rejected early"
run_p badlog run --log /nonexistent-dir/x.log "$S/exit3.py"
one_line_error badlog 1 "/nonexistent-dir/x.log" "an unwritable log is a one-line error naming it"

# --- exit statuses and output ------------------------------------------------
run_p exit3 run "$S/exit3.py"
is "$rc" 3 "the script's SystemExit code is proflab's status"
has_line "to stdout" "$T/exit3.out" "the script's stdout reaches stdout"
has_line "to stderr" "$T/exit3.err" "the script's stderr reaches stderr"
run_p raises run "$S/raises.py"
"$PY" "$S/raises.py" >/dev/null 2>"$T/raises.want"
is "$rc" 1 "an uncaught exception gives status 1"
same_file "$T/raises.err" "$T/raises.want" "the traceback is exactly python's"

run_p time run --time "$S/busy_children.py"
cpu=$(sed -n 's/^\(user\|sys\)\t\([0-9]*\)m\([0-9.]*\)s$/\2 \3/p' "$T/time.err" |
	awk '{s += $1 * 60 + $2} END {print s + 0}')
if [ "$rc" -eq 0 ] && grep -q '^real	0m[0-9.]*s$' "$T/time.err" && grep -q '^sys	' "$T/time.err" &&
	awk -v c="$cpu" 'BEGIN { exit !(c >= 0.5) }'; then
	ok "--time prints real/user/sys, children's CPU included"
else
	not_ok "--time prints real/user/sys, children's CPU included" "$(cat "$T/time.err")"
fi

run_p byname run compute
[ "$rc" -eq 0 ] && grep -q ' numbers -> total ' "$T/byname.out" &&
	ok "an exercise runs by its name" || not_ok "an exercise runs by its name" "$(cat "$T/byname.out" "$T/byname.err")"

printf 'hello' | with_timeout "$P" run "$S/echo_stdin.py" >"$T/stdin.out" 2>&1
has_line "read 5 bytes: 'hello'" "$T/stdin.out" "piped stdin reaches the script"

run_p flood run "$S/flood.py"
is "$(wc -c <"$T/flood.out" | tr -d ' ')" 20000000 "a 20 MB flood of output arrives whole"

run_p killed run "$S/kill_self.py"
is "$rc" 137 "a worker killed by a signal gives 128 + signal"
grep -q 'was killed by signal 9 (Killed)' "$T/killed.err" &&
	ok "proflab says the worker was killed and by what" || not_ok "proflab says the worker was killed and by what" "$(cat "$T/killed.err")"

# --- stopping ---------------------------------------------------------------------
# stop_run NAME SCRIPT READY-TEXT: starts proflab run in the background, waits
# for READY-TEXT in its output, sends SIGINT, and waits for it to end. Sets
# $rc and $stop_ms (from the SIGINT to the end).
stop_run() {
	name=$1 script=$2 ready=$3
	# Not under timeout(1): it forwards SIGINT to its whole process group,
	# which proflab would take as a second Ctrl-C. A watchdog bounds it.
	"$P" run --grace 2 "$script" >"$T/$name.out" 2>"$T/$name.err" </dev/null &
	pid=$!
	(sleep 60 && kill -KILL "$pid" 2>/dev/null) &
	watchdog=$!
	if ! wait_for 30 grep -q "$ready" "$T/$name.out"; then
		kill -KILL "$pid" 2>/dev/null
		rc=timeout
		return
	fi
	t0=$(now_ms)
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	stop_ms=$(($(now_ms) - t0))
	kill "$watchdog" 2>/dev/null
}

stop_run loop "$S/loop_forever.py" looping
is "$rc" 130 "Ctrl-C stops a Python loop with KeyboardInterrupt (status 130)"
grep -q '^KeyboardInterrupt' "$T/loop.err" && grep -q 'interrupted' "$T/loop.err" &&
	ok "the traceback and proflab's line say it was interrupted" ||
	not_ok "the traceback and proflab's line say it was interrupted" "$(cat "$T/loop.err")"
wait_for 5 no_process_left "$S/loop_forever.py" && ok "no worker is left after the stop" ||
	not_ok "no worker is left after the stop" "$(pgrep -af loop_forever)"

if "$PY" -c 'import numpy' 2>/dev/null; then
	stop_run dot "$S/dot_forever.py" started
	if [ "$rc" = 137 ] && [ "$stop_ms" -lt 3000 ]; then
		ok "a stop inside numpy.dot kills the group after the 2 s grace (${stop_ms} ms)"
	else
		not_ok "a stop inside numpy.dot kills the group after the 2 s grace" \
			"status $rc after ${stop_ms:-?} ms: $(cat "$T/dot.err")"
	fi
	grep -q 'stopped (killed after 2.0 s of grace)' "$T/dot.err" &&
		ok "proflab says it had to kill the run" || not_ok "proflab says it had to kill the run" "$(cat "$T/dot.err")"
	wait_for 5 no_process_left "$S/dot_forever.py" && ok "no worker is left after the kill" ||
		not_ok "no worker is left after the kill" "$(pgrep -af dot_forever)"
else
	skip "numpy.dot stop" "numpy is not installed"
	skip "numpy.dot stop message" "numpy is not installed"
	skip "numpy.dot no process left" "numpy is not installed"
fi

# --- run --record ----------------------------------------------------------------
run_p rec run --record --interval 0.05 --log "$T/rec.log" --plot "$T/rec.svg" compute_and_io
is "$rc" 0 "run --record of compute_and_io succeeds"
for label in "starting computation" "starting network download" "starting more computation" \
	"starting disk I/O"; do
	grep -Eq "^ +[0-9]+\.[0-9]{3} s  $label\$" "$T/rec.err" || missing_mark="$missing_mark $label;"
done
if [ -z "${missing_mark:-}" ]; then
	ok "the phase markers are listed with their elapsed seconds"
else
	not_ok "the phase markers are listed with their elapsed seconds" "missing:$missing_mark" "$(cat "$T/rec.err")"
fi
grep -q '^<?xml' "$T/rec.svg" && grep -q '<svg' "$T/rec.svg" &&
	ok "the SVG plot is written" || not_ok "the SVG plot is written" "$(head -c 200 "$T/rec.svg")"
