#!/bin/sh
# `proflab record` and `proflab run --record` on the tutorial's exercises:
# spam.py busy and growing, compute_and_io.py's phases through the tutorial's
# pandas recipe, multi_core.py above 100 % CPU, PNG and SVG plots, a PID,
# --duration, --include-children, zombies and many threads, Ctrl-C keeping
# the log and the plot, and every kind of bad input.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
S=$(cd "$top_srcdir/tests/cli/scripts" && pwd)
E=$(cd "$top_srcdir/exercises" && pwd)
PY=${PROFLAB_PYTHON:-/usr/bin/python3}
[ -x "$P" ] || bail_out "no proflab at $P"
tap_tmpdir
T=$TEST_TMP
unset PYTHONUNBUFFERED PYTHONPATH PYTHONHOME PROFLAB_WORKER PROFLAB_DATADIR PROFLAB_CHANNEL_FD
export PYTHONDONTWRITEBYTECODE=1 LC_ALL=C.UTF-8
have_pandas=0
"$PY" -c 'import pandas' 2>/dev/null && have_pandas=1
have_numpy=0
"$PY" -c 'import numpy' 2>/dev/null && have_numpy=1
# run_p's deadline: recordings take a while. psrecord's "Starting up command"
# line comes on stdout before a command's error.
TEST_TIMEOUT=60
ERROR_STDOUT=any

# py_check DESC CODE LOG: runs CODE with the log read by the tutorial's
# pandas recipe as `df` (and `sys.argv[2:]` as extra arguments); ok when it
# exits 0, else its output as diagnostics.
py_check() {
	desc=$1 code=$2 log=$3
	shift 3
	if out=$("$PY" -c "
import sys
import pandas as pd
df = pd.read_csv(sys.argv[1], skiprows=1, delim_whitespace=True, names=['t', 'cpu', 'mem', 'vmem'])
$code
" "$log" "$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "$out"
	fi
}

# log_has_samples LOG N: LOG exists and has at least N sample lines.
log_has_samples() {
	[ -f "$1" ] && [ "$(grep -vc '^#' "$1")" -ge "$2" ]
}

png_ok() { [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ]; }

plan 26

# --- spam.py: busy and growing ------------------------------------------------
run_p spam record --interval 0.1 --log "$T/spam.log" --plot "$T/spam.png" -- "$PY" "$E/spam.py" --seconds 3
is "$rc" 0 "record -- python3 spam.py succeeds"
grep -q "^Starting up command '$PY $E/spam.py --seconds 3' and attaching to process\$" "$T/spam.out" &&
	grep -Eq '^Process finished \([0-9]+\.[0-9]{2} seconds\)$' "$T/spam.out" &&
	ok "it prints psrecord's start and end lines" || not_ok "it prints psrecord's start and end lines" "$(cat "$T/spam.out")"
if [ "$have_pandas" = 1 ]; then
	py_check "spam.py keeps a core busy (median CPU above 80 %)" \
		"busy = df[df.t > 0.5].cpu.median(); assert busy > 80, busy" "$T/spam.log"
	py_check "spam.py's memory grows (last third above twice the first)" "
n = len(df) // 3
first, last = df.mem[:n].mean(), df.mem[-n:].mean()
assert last > 2 * first, (first, last)" "$T/spam.log"
else
	skip "spam.py CPU" "pandas is not installed"
	skip "spam.py memory" "pandas is not installed"
fi
png_ok "$T/spam.png" && ok "the PNG plot is a PNG" || not_ok "the PNG plot is a PNG" "$(od -c -N8 "$T/spam.png")"

# --- compute_and_io.py: phases through the pandas recipe ---------------------
run_p cio run --record --interval 0.05 --log "$T/cio.log" --plot "$T/cio.svg" "$E/compute_and_io.py"
is "$rc" 0 "run --record compute_and_io.py succeeds"
# The markers, as "T s  LABEL" lines: the phase boundaries for the checks.
marks=$(sed -n 's/^ *\([0-9.]*\) s  \(.*\)$/\2=\1/p' "$T/cio.err" | tr ' ' '_' | tr '\n' ' ')
is "$(echo "$marks" | wc -w)" 5 "the five phase markers are listed"
if [ "$have_pandas" = 1 ]; then
	py_check "the log has the tutorial's header and reads with the pandas recipe; df['mem'].max() is the peak" "
head = open(sys.argv[1]).readline()
assert head == '# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)\n', repr(head)
assert len(df) > 50 and df['mem'].max() > 5, (len(df), df['mem'].max())
assert (df.t.diff().dropna() > 0).all()" "$T/cio.log"
	py_check "the phases show: CPU high while computing, low while downloading" "
m = dict(a.split('=') for a in sys.argv[2:])
def mean(a, b):
    part = df[(df.t > float(m[a]) + 0.15) & (df.t < float(m[b]) - 0.15)]
    return part.cpu.mean()
compute = mean('starting_more_computation', 'starting_disk_I/O')
download = mean('starting_network_download', 'starting_more_computation')
assert compute > 60 and download < 40 and compute > 2 * download, (compute, download)" "$T/cio.log" $marks
else
	skip "pandas recipe" "pandas is not installed"
	skip "phases" "pandas is not installed"
fi
grep -q '^<?xml' "$T/cio.svg" && grep -q '<svg' "$T/cio.svg" &&
	ok "the SVG plot is an SVG" || not_ok "the SVG plot is an SVG" "$(head -c 100 "$T/cio.svg")"

# --- multi_core.py: more than one core ----------------------------------------
if [ "$(nproc)" -ge 2 ] && [ "$have_numpy" = 1 ] && [ "$have_pandas" = 1 ]; then
	run_p mc run --record --interval 0.1 --log "$T/mc.log" "$E/multi_core.py" --seconds 1.5
	is "$rc" 0 "run --record multi_core.py succeeds"
	py_check "multi_core.py goes above 100 % CPU" "assert df.cpu.max() > 100, df.cpu.max()" "$T/mc.log"
else
	skip "multi_core.py" "needs 2 CPUs, numpy and pandas"
	skip "multi_core.py above 100 %" "needs 2 CPUs, numpy and pandas"
fi

# --- a PID, --duration, children, zombies, threads ------------------------------
sleep 30 &
sleeper=$!
run_p pid record --interval 0.05 --duration 0.5 --log "$T/pid.log" "$sleeper"
kill "$sleeper" 2>/dev/null
grep -q "^Attaching to process $sleeper\$" "$T/pid.out" &&
	grep -q '^Recording finished after 0.50 seconds' "$T/pid.out" && [ "$rc" -eq 0 ] &&
	ok "record PID --duration stops after the duration" || not_ok "record PID --duration stops after the duration" "$(cat "$T/pid.out" "$T/pid.err")"
is "$(grep -vc '^#' "$T/pid.log")" 10 "0.5 s at 0.05 s is 10 samples, on the deadlines"

run_p cmddur record --interval 0.05 --duration 0.5 -- sleep 37.5
grep -q '^Recording finished after 0.50 seconds' "$T/cmddur.out" && [ "$rc" -eq 0 ] &&
	ok "record --duration on a command ends at the duration" ||
	not_ok "record --duration on a command ends at the duration" "status $rc: $(cat "$T/cmddur.out" "$T/cmddur.err")"
if pgrep -f 'sleep 37.5' >/dev/null; then
	not_ok "the command proflab started is stopped with the recording" "$(pgrep -af 'sleep 37.5')"
else
	ok "the command proflab started is stopped with the recording"
fi

sh -c 'sleep 0.3' &
short=$!
run_p ended record --interval 0.05 "$short"
grep -q '^Process finished' "$T/ended.out" && [ "$rc" -eq 0 ] &&
	ok "a process that ends between samples ends the recording" || not_ok "a process that ends between samples ends the recording" "$(cat "$T/ended.out" "$T/ended.err")"

if [ "$have_pandas" = 1 ]; then
	run_p kids record --include-children --interval 0.1 --log "$T/kids.log" -- "$PY" "$S/children_mem.py"
	py_check "--include-children sums the children's memory" "assert df.mem.max() > 100, df.mem.max()" "$T/kids.log"
	run_p nokids record --interval 0.1 --log "$T/nokids.log" -- "$PY" "$S/children_mem.py"
	py_check "without it only the parent counts" "assert df.mem.max() < 60, df.mem.max()" "$T/nokids.log"
else
	skip "children" "pandas is not installed"
	skip "no children" "pandas is not installed"
fi
run_p zombie record --include-children --interval 0.02 -- "$PY" "$S/zombie_threads.py"
grep -q 'threads and zombie done' "$T/zombie.out" && [ "$rc" -eq 0 ] &&
	ok "a zombie child and 50 threads are sampled without error" || not_ok "a zombie child and 50 threads are sampled without error" "$(cat "$T/zombie.err")"

# --- Ctrl-C keeps the log and the plot --------------------------------------------
"$P" record --interval 0.05 --log "$T/int.log" --plot "$T/int.png" -- sleep 30 >"$T/int.out" 2>"$T/int.err" </dev/null &
pid=$!
(sleep 60 && kill -KILL "$pid" 2>/dev/null) &
watchdog=$!
wait_for 20 log_has_samples "$T/int.log" 3
kill -INT "$pid"
wait "$pid"
rc=$?
kill "$watchdog" 2>/dev/null
grep -q '^Recording stopped' "$T/int.out" && [ "$(grep -vc '^#' "$T/int.log")" -ge 3 ] && png_ok "$T/int.png" &&
	ok "Ctrl-C ends the recording and keeps the log and the plot" ||
	not_ok "Ctrl-C ends the recording and keeps the log and the plot" "status $rc: $(cat "$T/int.out" "$T/int.err")"

# --- bad input ------------------------------------------------------------------------
run_p nopid record 4194999
one_line_error nopid 1 "no process with PID 4194999" "a PID that does not exist is a one-line error"
run_p badint record --interval fast 1
one_line_error badint 2 "invalid --interval 'fast'" "a non-numeric interval is a usage error"
run_p baddur record --duration 0 1
one_line_error baddur 2 "invalid --duration '0'" "a zero duration is a usage error"
run_p badlog record --log /nonexistent-dir/x.log -- true
one_line_error badlog 1 "cannot write log /nonexistent-dir/x.log" "an unwritable log is a one-line error naming it"
run_p badcmd record -- /nonexistent/program
one_line_error badcmd 1 "cannot run /nonexistent/program: No such file or directory" "a command that cannot start is a one-line error"
