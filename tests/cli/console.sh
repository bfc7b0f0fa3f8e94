#!/bin/sh
# proflab console: each % command's output against a fixture of
# tests/fixtures/console (NAME.in typed, NAME.out / NAME.err expected, after
# a normalizer that masks only times, memory sizes, addresses, the temp path
# and Python's version-dependent caret lines); hit counts and ncalls against
# Python's own line events and pstats; %timeit's auto-range; %memit of a
# 50 MiB buffer; --echo; bad % commands, worker errors, tracebacks and
# SystemExit; inputs run as they come, in one worker, its namespace kept;
# Ctrl-C during a statement; a statement that kills its worker; --grace;
# SIGTERM; exit statuses; usage errors; the temp folder removed; exercises
# X7, E18, X9 and X13 through `proflab exercise`.
#
# PROFLAB_FIXTURES=write rewrites the expected files from this run's
# normalized output (review them with git diff).
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
F=$(cd "$top_srcdir/tests/fixtures/console" && pwd)
PY=${PROFLAB_PYTHON:-/usr/bin/python3.11}
[ -x "$P" ] || bail_out "no proflab at $P"
tap_tmpdir
T=$TEST_TMP
TR=$(cd "$T" && pwd -P)
unset PYTHONUNBUFFERED PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONINSPECT PROFLAB_WORKER \
	PROFLAB_DATADIR PROFLAB_CHANNEL_FD
mkdir "$T/tmp" "$T/wd" || bail_out "mkdir failed"
cp "$F/cmod.py" "$T/wd/" || bail_out "no $F/cmod.py"
export PYTHONDONTWRITEBYTECODE=1 LC_ALL=C.UTF-8 XDG_STATE_HOME="$T/state" TMPDIR="$T/tmp"
# Not in -C's folder: the console finds cmod.py there, not here.
cd "$T" || bail_out "no $T"

bg= # the background proflab not reaped yet (one at a time)
test_cleanup() {
	exec 3>&-
	[ -n "$bg" ] && kill -KILL "$bg" 2>/dev/null
}

# The normalizer: stdin to stdout, argv the temp folder's paths (made @T@).
# Masks what changes from run to run and nothing else: times (a number and
# one of ns, µs, ms, s: another unit stays and fails the comparison), the
# pstats columns (N.NNN, width kept), line_profiler's Time, Per Hit and
# % Time (T, P, %) and memory_profiler's Mem usage and Increment (M MiB,
# I MiB) in their columns, %memit's sizes, 0x addresses; it drops the
# "The slowest run took" line (which shows when a run happens to be slow)
# and the lines of Python's position markers (~~^~~: they differ between
# Python versions).
NORM='
import re, sys
roots = sorted((r for r in sys.argv[1:] if r), key=len, reverse=True)
num = r"[0-9]+(?:\.[0-9]+)?(?:e[+-][0-9]+)?"
t = "(?:" + num + " (?:ns|µs|ms|s))"
mib = r"-?[0-9]+\.[0-9] MiB"
subs = [
    (rf"^CPU times: user {t}, sys: {t}, total: {t}$", "CPU times: user <t>, sys: <t>, total: <t>"),
    (rf"^Wall time: {t}$", "Wall time: <t>"),
    (rf"^{t} ± {t} per loop \(", "<t> ± <t> per loop ("),
    (r"^( +[0-9]+ function calls (?:\([0-9]+ primitive calls\) )?in )[0-9]+\.[0-9]{3}( seconds)$",
     r"\1N.NNN\2"),
    (rf"^Total time: {num} s$", "Total time: <t> s"),
    (r"^peak memory: [0-9]+\.[0-9]{2} MiB, increment: -?[0-9]+\.[0-9]{2} MiB$",
     "peak memory: <m> MiB, increment: <m> MiB"),
]

def field(s, pat, mask):
    return mask.rjust(len(s)) if re.fullmatch(" *" + pat, s) else s

table = None
for line in sys.stdin.read().splitlines():
    for r in roots:
        line = line.replace(r, "@T@")
    line = re.sub(r"0x[0-9a-f]{4,16}", "0xADDR", line)
    if line.startswith("The slowest run took ") or re.fullmatch(r" +[~^]+", line):
        continue
    for rx, rep in subs:
        line = re.sub(rx, rep, line)
    if line.startswith("   ncalls  tottime  percall  cumtime  percall "):
        table = "prun"
    elif line.startswith("Line #      Hits         Time  Per Hit   % Time  Line Contents"):
        table = "lprun"
    elif line.startswith("Line #    Mem usage    Increment  Occurrences   Line Contents"):
        table = "mprun"
    elif line == "":
        table = None
    elif table == "prun" and re.match(r" *[0-9/]+ ", line):
        line = re.sub(r"[0-9]+\.[0-9]{3}", lambda m: "N.NNN".rjust(len(m.group())), line[:45]) + line[45:]
    elif table == "lprun" and line[7:16].strip().isdigit():
        line = (line[:17] + field(line[17:29], num, "T") + line[29:30] + field(line[30:38], num, "P")
                + line[38:39] + field(line[39:47], num, "%") + line[47:])
    elif table == "mprun" and line[34:44].strip().isdigit():
        line = line[:7] + field(line[7:19], mib, "M MiB") + line[19:20] + field(line[20:32], mib, "I MiB") + line[32:]
    print(line)
'
norm() { "$PY" -c "$NORM" "$T" "$TR" <"$1"; }

# con NAME INPUT [ARGS...]: proflab console -C $T/wd ARGS, stdin from INPUT,
# stdout and stderr in $T/NAME.out and $T/NAME.err, under with_timeout; $rc.
con() {
	name=$1
	input=$2
	shift 2
	with_timeout "$P" console -C "$T/wd" "$@" <"$input" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
}

# matches NAME WANT-RC DESC: ok when run NAME ended with WANT-RC and its
# stdout, normalized, is $F/NAME.out; its stderr likewise $F/NAME.err, or
# empty when there is no such fixture.
matches() {
	bad=
	[ "$rc" = "$2" ] || bad="status $rc, not $2"
	for s in out err; do
		norm "$T/$1.$s" >"$T/$1.$s.norm"
		if [ "${PROFLAB_FIXTURES:-}" = write ]; then
			if [ "$s" = out ] || [ -s "$T/$1.$s.norm" ]; then
				cp "$T/$1.$s.norm" "$F/$1.$s"
			else
				rm -f "$F/$1.$s"
			fi
		fi
		want=$F/$1.$s
		[ -f "$want" ] || want=/dev/null
		if ! cmp -s "$T/$1.$s.norm" "$want"; then
			bad="$bad${bad:+; }std$s differs from $want (diff -u below)"
		fi
	done
	if [ -z "$bad" ]; then
		ok "$3"
	else
		not_ok "$3" "$bad"
		for s in out err; do
			want=$F/$1.$s
			[ -f "$want" ] || want=/dev/null
			diff -u "$want" "$T/$1.$s.norm" | head -40 | sed 's/^/#   /'
		done
	fi
}

# alive PID / gone PID: whether PID runs (a zombie has ended).
alive() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }
gone() { ! alive "$1"; }

# reap PID: waits (15 s at most, then SIGKILL) for our background proflab PID; its status in $rc.
reap() {
	wait_for 15 gone "$1" || kill -KILL "$1" 2>/dev/null
	wait "$1"
	rc=$?
	bg=
}

# consoles: the number of console temp folders under $TMPDIR.
consoles() { find "$T/tmp" -mindepth 1 -maxdepth 1 -name 'proflab-console.*' | wc -l; }

# hits FILE: "FUNCTION LINE HITS" of every measured row of line_profiler tables.
hits() {
	awk '/^Function: / { name = $2; next }
		/^=+$/ { rows = 1; next }
		/^$/ { rows = 0; next }
		rows && substr($0, 8, 9) ~ /^ *[0-9]+$/ { print name, $1, $2 }' "$1"
}

# --- each % command against its fixture -----------------------------------------------------

con time "$F/time.in"
matches time 0 "%time: CPU times and Wall time, then the value (none for an assignment or after ';'), status 0"

con timeit "$F/timeit.in"
matches timeit 0 "%timeit: IPython's line; -n, -r (7 runs by default), -q, singular loop and run; auto-range"
mean=$(sed -n 's/^\([0-9.]*\) ms ± .* of 2 runs, 10 loops each)$/\1/p' "$T/timeit.out")
if [ -n "$mean" ] && awk -v m="$mean" 'BEGIN { exit !(m >= 30) }'; then
	ok "%timeit without -n: a 30 ms statement gets 10 loops (1 loop takes < 0.2 s, 10 take >= 0.2 s), mean $mean ms"
else
	not_ok "%timeit without -n: a 30 ms statement gets 10 loops" "$(cat "$T/timeit.out")"
fi
if grep -A1 -E '^The slowest run took [0-9]+\.[0-9]{2} times longer than the fastest\. This could mean that an intermediate result is being cached\.$' \
	"$T/timeit.out" | grep -q 'of 4 runs, 1 loop each)$'; then
	ok "%timeit: a run 4 times slower than the best gets IPython's 'slowest run' line, before the result"
else
	not_ok "%timeit: a run 4 times slower than the best gets IPython's 'slowest run' line" "$(cat "$T/timeit.out")"
fi

con auto /dev/null -c "import cmod
%timeit -r 1 -p 1 cmod.tri(10)"
# (IPython writes the count with thousands separators: either way here.)
n=$(sed -n 's/.* of 1 run, \([0-9,]*\) loops each)$/\1/p' "$T/auto.out" | tr -d ,)
if echo "$n" | grep -Eqx '10{3,}'; then
	ok "%timeit auto-range: a sub-microsecond statement gets a power of 10 loops ($n)"
else
	not_ok "%timeit auto-range: a sub-microsecond statement gets a power of 10 loops" "status $rc: $(cat "$T/auto.out" "$T/auto.err")"
fi
grep_file '^[1-9](e\+0[0-9])? (ns|µs|ms|s) ± [0-9](e\+0[0-9])? (ns|µs|ms|s) per loop' "$T/auto.out" \
	"%timeit -p 1: one significant digit, as IPython's %.1g"

con prun "$F/prun.in"
matches prun 0 "%prun: the cProfile table (dirs stripped, -s, -l, by internal time by default), -D and -q"
# The table against pstats' own reading of the file -D wrote (in -C's folder), row for row.
"$PY" - "$T/wd/work.prof" >"$T/pstats.out" 2>&1 <<'EOF'
import pstats, sys
pstats.Stats(sys.argv[1]).strip_dirs().sort_stats("ncalls", "name").print_stats()
EOF
# rows FILE: the rows of the first pstats table in FILE, times and console numbers masked.
rows() {
	awk '/^   ncalls  tottime/ { n++; on = n == 1; next } /^$/ { on = 0 } on' "$1" |
		sed -E 's/[0-9]+\.[0-9]{3}/N.NNN/g; s/<console-[0-9]+>/<console>/'
}
rows "$T/pstats.out" >"$T/pstats.rows"
rows "$T/prun.out" >"$T/prun.rows"
if [ -s "$T/pstats.rows" ] && cmp -s "$T/prun.rows" "$T/pstats.rows" && grep -q ' 10/1 .* cmod.py:25(fact)$' "$T/pstats.rows"; then
	ok "%prun -D: pstats reads the file, and its rows and ncalls (50, 10/1, ...) are %prun's"
else
	not_ok "%prun -D: pstats reads the file, and its rows and ncalls are %prun's" "$(diff "$T/prun.rows" "$T/pstats.rows"; tail -3 "$T/pstats.out")"
fi

con lprun "$F/lprun.in"
matches lprun 0 "%lprun: line_profiler's tables (1e-09 s; -u), several -f, a function that never ran, one typed in"
# Hits against Python's line events (line_profiler >= 4.0.3 counts those) for the same calls.
hits "$T/lprun.out" | sort >"$T/lprun.hits"
(cd "$T/wd" && "$PY" - <<'EOF') | sort >"$T/events.hits"
import collections, sys
import cmod
hits = collections.Counter()
src = "def local(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n"
ns = {}
exec(compile(src, "<console>", "exec"), ns)
codes = set()
def tracer(frame, event, arg):
    if frame.f_code not in codes:
        return None
    if event == "line":
        hits[frame.f_code.co_name, frame.f_lineno] += 1
    return tracer
# lprun.in's statements, each with the functions its -f options name.
for funcs, call in (((cmod.tri, cmod.squares), cmod.work), ((cmod.fact,), lambda: cmod.fact(5)),
                    ((cmod.fact,), lambda: cmod.tri(2)), ((ns["local"],), lambda: ns["local"](4))):
    codes = {f.__code__ for f in funcs}
    sys.settrace(tracer)
    call()
    sys.settrace(None)
for (name, line), n in hits.items():
    print(name, line, n)
EOF
if [ -s "$T/events.hits" ] && cmp -s "$T/lprun.hits" "$T/events.hits" && grep -q '^tri 10 1000$' "$T/lprun.hits"; then
	ok "%lprun: every Hits count is the number of line events ($(wc -l <"$T/events.hits") lines; tri(1000)'s body 1000)"
else
	not_ok "%lprun: every Hits count is the number of line events" "$(diff "$T/lprun.hits" "$T/events.hits")"
fi

con mprun "$F/mprun.in"
matches mprun 0 "%mprun: memory_profiler's tables, Occurrences as loops run, several -f"

con memit "$F/memit.in"
matches memit 0 "%memit: peak memory and increment, -r"
inc=$(sed -n 3p "$T/memit.out" | sed -n 's/^peak memory: [0-9.]* MiB, increment: \([0-9.]*\) MiB$/\1/p')
if [ -n "$inc" ] && awk -v i="$inc" 'BEGIN { exit !(i >= 40) }'; then
	ok "%memit keep = bytearray(50 MiB): increment $inc MiB >= 40"
else
	not_ok "%memit of a 50 MiB buffer kept in a global: increment >= 40 MiB" "$(cat "$T/memit.out")"
fi

# --- echo, errors, one worker ----------------------------------------------------------------

with_timeout "$P" console --echo -C "$T/wd" <"$F/echo.in" >"$T/echo.out" 2>&1
rc=$?
: >"$T/echo.err"
matches echo 1 "--echo: each input after '>>> ' / '... ', then its output; compound statements end at a blank line or the margin"

con errors "$F/errors.in"
matches errors 1 "bad % commands, worker errors, tracebacks with <console-N> lines, SystemExit: one line each, status 1"

con stream /dev/null -c 'import os
a = os.getpid()
import sys; print("ok", os.getpid() == a, file=sys.stderr)
b = a + 1
b - a'
if [ "$rc" = 0 ] && [ "$(cat "$T/stream.out")" = 1 ] && [ "$(cat "$T/stream.err")" = "ok True" ]; then
	ok "-c TEXT: lines run in one worker, the namespace kept, the last value echoed; status 0"
else
	not_ok "-c TEXT: lines run in one worker" "status $rc: $(cat "$T/stream.out" "$T/stream.err")"
fi
echo 'print("from stdin")' >"$T/stdin.in"
con cnostdin "$T/stdin.in" -c 'print("from -c")'
is "$(cat "$T/cnostdin.out")" "from -c" "-c TEXT: standard input is not read"

# --- exit statuses and usage errors -----------------------------------------------------------

con st_exc /dev/null -c '1/0'
if [ "$rc" = 1 ] && grep -q '^ZeroDivisionError' "$T/st_exc.err"; then
	ok "an exception: status 1"
else
	not_ok "an exception: status 1" "status $rc: $(cat "$T/st_exc.err")"
fi
con st_magic /dev/null -c '%timeit -n 0 pass'
one_line_error st_magic 1 '%timeit: -n needs a whole number of at least 1, not "0"$' "a bad % command alone: one line, status 1"
con st_worker /dev/null -c '%lprun -f nosuch pass'
one_line_error st_worker 1 "%lprun -f nosuch: NameError: name 'nosuch' is not defined$" "a worker error alone: one line, status 1"

run_p u_opt console --bogus
one_line_error u_opt 2 "console.*'--bogus'" "console --bogus: one line naming it, status 2"
run_p u_c console -c
one_line_error u_c 2 "console.*'-c'" "console -c without TEXT: one line naming -c, status 2"
run_p u_arg console extra
one_line_error u_arg 2 "console: unexpected argument 'extra'" "console with an argument: one line naming it, status 2"
run_p u_grace console --grace 0
one_line_error u_grace 2 "console: invalid --grace '0'" "console --grace 0: one line naming the value, status 2"
run_p u_grace2 console --grace soon
one_line_error u_grace2 2 "console: invalid --grace 'soon'" "console --grace soon: one line naming the value, status 2"
run_p u_dir console -C "$T/nope" -c 'print(1)'
one_line_error u_dir 1 "nope" "console -C to a missing folder: one line naming it, status 1"
run_p u_help console --help
is "$(cat "$T/u_help.out")" "usage: proflab console [-C DIR] [--grace S] [--echo] [-c TEXT]" "console --help prints its usage"

# --- a statement that kills its worker ---------------------------------------------------------

cat >"$T/killed.in" <<'EOF'
x = 1
import os, signal
print("pid", os.getpid())
os.kill(os.getpid(), signal.SIGKILL)
import os
print("pid", os.getpid())
print("x" in globals())
y = 2
print(y * 21)
EOF
con killed "$T/killed.in"
pids=$(awk '$1 == "pid" { print $2 }' "$T/killed.out" | sort -u | wc -l)
if [ "$rc" = 1 ] && [ "$pids" = 2 ] && [ "$(sed -n '3,4p' "$T/killed.out" | tr '\n' ' ')" = "False 42 " ] &&
	[ "$(cat "$T/killed.err")" = "proflab: the worker was killed by signal 9 (Killed) while running this statement; a new worker has started, and the names defined before are gone" ]; then
	ok "a statement that kills its worker: one line saying so, the next inputs run in a new worker (old names gone), status 1"
else
	not_ok "a statement that kills its worker" "status $rc: $(cat "$T/killed.out" "$T/killed.err")"
fi

# --- Ctrl-C, fed through a FIFO: each input runs as it comes ---------------------------------
# (no timeout(1) around a process we signal; reap bounds the wait)

# feed LINE...: the lines to the console on fd 3 (in a subshell: a SIGPIPE, if it has died, ends that).
feed() { (printf '%s\n' "$@" >&3) 2>/dev/null; }
mkfifo "$T/fifo" || bail_out "mkfifo failed"
"$P" console -C "$T/wd" <"$T/fifo" >"$T/int.out" 2>"$T/int.err" &
ipid=$!
bg=$ipid
exec 3>"$T/fifo"
feed 'import os' 'x = 7' 'print("ready", os.getpid(), flush=True)'
if wait_for 20 grep -q '^ready' "$T/int.out"; then
	ok "a complete input runs at once, before the end of the input"
else
	not_ok "a complete input runs at once, before the end of the input" "$(cat "$T/int.out" "$T/int.err")"
fi
feed 'def spin():' '    print("spinning", flush=True)' '    while True:' '        pass' 'spin()'
if wait_for 20 grep -q '^spinning$' "$T/int.out"; then
	during=$(consoles)
	kill -INT "$ipid"
	if wait_for 10 grep -q '^KeyboardInterrupt$' "$T/int.err"; then
		feed 'print("next", x, os.getpid())'
		wait_for 10 grep -q '^next' "$T/int.out"
	fi
else
	during="spin() did not start"
fi
exec 3>&-
reap "$ipid"
is "$during" 1 "while the console runs, its temporary folder is in \$TMPDIR"
wpid=$(awk '$1 == "ready" { print $2 }' "$T/int.out")
if grep -q '^  File "<console-[0-9]*>", line [0-9]*, in spin$' "$T/int.err" && [ "$(tail -n 1 "$T/int.err")" = KeyboardInterrupt ] &&
	[ -n "$wpid" ] && grep -qx "next 7 $wpid" "$T/int.out"; then
	ok "SIGINT during a statement: its KeyboardInterrupt traceback; the next input runs in the same worker (x kept)"
else
	not_ok "SIGINT during a statement: KeyboardInterrupt, then the next input" "status $rc: $(cat "$T/int.out" "$T/int.err")"
fi

# --- --grace: a statement that ignores Ctrl-C ------------------------------------------------

cat >"$T/grace.in" <<'EOF'
import signal
x = 1
def spin():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print("spinning", flush=True)
    while True:
        pass
spin()
print("after", "x" in globals())
EOF
"$P" console --grace 0.5 -C "$T/wd" <"$T/grace.in" >"$T/grace.out" 2>"$T/grace.err" &
gpid=$!
bg=$gpid
if wait_for 20 grep -q '^spinning$' "$T/grace.out"; then
	t0=$(now_ms)
	kill -INT "$gpid"
	wait_for 10 grep -q '^after' "$T/grace.out"
	ms=$(($(now_ms) - t0))
else
	ms=-1
fi
reap "$gpid"
if [ "$rc" = 1 ] && [ "$(cat "$T/grace.out")" = "spinning
after False" ] && [ "$ms" -ge 450 ] && [ "$ms" -lt 5000 ] &&
	[ "$(cat "$T/grace.err")" = "proflab: the statement did not stop within 0.5 s of Ctrl-C: its worker was killed; a new worker has started, and the names defined before are gone" ]; then
	ok "--grace 0.5: a statement that ignores SIGINT is killed after 0.5 s ($ms ms) and its worker replaced; status 1"
else
	not_ok "--grace 0.5: a statement that ignores SIGINT is killed and replaced" "status $rc, $ms ms: $(cat "$T/grace.out" "$T/grace.err")"
fi

# --- SIGTERM ends the console ------------------------------------------------------------------

cat >"$T/term.in" <<'EOF'
import os
def spin():
    print("spinning", os.getpid(), flush=True)
    while True:
        pass
spin()
print("next")
EOF
"$P" console -C "$T/wd" <"$T/term.in" >"$T/term.out" 2>"$T/term.err" &
tpid=$!
bg=$tpid
if wait_for 20 grep -q '^spinning' "$T/term.out"; then
	kill -TERM "$tpid"
	wait_for 10 gone "$tpid"
fi
reap "$tpid"
wpid=$(awk '$1 == "spinning" { print $2 }' "$T/term.out")
if [ "$rc" != 0 ] && [ "$rc" != 137 ] && ! grep -q '^next' "$T/term.out" && [ -n "$wpid" ] && wait_for 5 gone "$wpid"; then
	ok "SIGTERM during a statement ends the console (status $rc) and its worker; the next input does not run"
else
	not_ok "SIGTERM during a statement ends the console and its worker" "status $rc, worker '$wpid': $(cat "$T/term.out" "$T/term.err")"
fi

is "$(consoles)" 0 "no console temporary folder is left behind (Ctrl-C, a killed worker, --grace, SIGTERM)"

# --- exercises ----------------------------------------------------------------------------------

run_p x7 exercise X7
if [ "$rc" = 0 ] && grep -qx '>>> %time sum(range(1000000))' "$T/x7.out" && grep -qx 499999500000 "$T/x7.out" &&
	grep -Eq '^CPU times: user [0-9.]+ (ns|µs|ms|s), sys: ' "$T/x7.out" && grep -qx '>>> %timeit sum(range(1000000))' "$T/x7.out" &&
	grep -Eq '^[0-9.]+ (µs|ms|s) ± [0-9.]+ (ns|µs|ms|s) per loop \(mean ± std\. dev\. of 7 runs, 1(0|,000)* loops? each\)$' "$T/x7.out" &&
	grep -qx 'proflab: X7 (lesson 5): Time a statement with %time and %timeit' "$T/x7.err"; then
	ok "exercise X7: %time and %timeit, echoed, in the console"
else
	not_ok "exercise X7: %time and %timeit in the console" "status $rc: $(cat "$T/x7.out" "$T/x7.err")"
fi
run_p e18 exercise E18
if [ "$rc" = 0 ] && grep -qx '>>> %prun compute.main()' "$T/e18.out" && grep -qx '   Ordered by: internal time' "$T/e18.out" &&
	grep -Eq '^        1 .* compute\.py:[0-9]+\(main\)$' "$T/e18.out" &&
	grep -Eq '^        2 .* compute\.py:[0-9]+\(generate_data\)$' "$T/e18.out" && ! grep -q '/.*compute\.py' "$T/e18.out"; then
	ok "exercise E18: import compute, then %prun's table of compute.main() (in exercises/, dirs stripped)"
else
	not_ok "exercise E18: %prun compute.main()" "status $rc: $(cat "$T/e18.out" "$T/e18.err")"
fi
run_p x9 exercise X9
if [ "$rc" = 0 ] && grep -qx '>>> %lprun -f slow_lines.count_known slow_lines.main()' "$T/x9.out" &&
	grep -qx 'Timer unit: 1e-09 s' "$T/x9.out" && grep -q '^File: .*/exercises/slow_lines\.py$' "$T/x9.out" &&
	grep -qx 'Function: count_known at line 28' "$T/x9.out" && grep -Eq '^    35      6000 .*          if customer in known_list:$' "$T/x9.out" &&
	grep -qx "proflab: line_profiler: built into proflab's console (%lprun)" "$T/x9.err"; then
	ok "exercise X9: %load_ext's note, then %lprun's table of count_known (6000 hits in the loop)"
else
	not_ok "exercise X9: %lprun -f slow_lines.count_known" "status $rc: $(cat "$T/x9.out" "$T/x9.err")"
fi
done_ids='E18
X7
X9'
if "$PY" -c 'import numpy' 2>/dev/null; then
	run_p x13 exercise X13
	if [ "$rc" = 0 ] && grep -Eq '^peak memory: [0-9.]+ MiB, increment: [0-9.]+ MiB$' "$T/x13.out" &&
		grep -q '^Filename: .*/exercises/memory_hog\.py$' "$T/x13.out" &&
		grep -Eq '^    41 +[0-9.]+ MiB +[0-9.-]+ MiB +4           buffers\.append\(bytearray\(10 \* MiB\)\)$' "$T/x13.out" &&
		grep -qx "proflab: memory_profiler: built into proflab's console (%memit, %mprun)" "$T/x13.err"; then
		ok "exercise X13: %memit's line, then %mprun's table of hold_and_release"
	else
		not_ok "exercise X13: %memit and %mprun of memory_hog" "status $rc: $(cat "$T/x13.out" "$T/x13.err")"
	fi
	done_ids='E18
X13
X7
X9'
else
	skip "exercise X13: %memit and %mprun of memory_hog" "numpy is not installed for $PY"
fi
is "$(sort "$T/state/proflab/progress" 2>/dev/null)" "$done_ids" "the exercises are marked done in \$XDG_STATE_HOME/proflab/progress"
is "$(consoles)" 0 "no console temporary folder is left behind by the exercises"

done_testing
