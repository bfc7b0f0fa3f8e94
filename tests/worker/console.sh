#!/bin/sh
# proflab-worker --console driven directly, as the front end drives it
# (scripts/console_drive.py: run records on the request pipe, the channel and
# the output pipes read in the order the front end sees them): hello; the
# echo of expressions, None and a ';'; definitions that persist; tracebacks
# with the console's lines and no frame of ours; SyntaxError; SystemExit that
# keeps the session; Ctrl-C in a statement and while idle; %time, %timeit
# (auto-range and fixed), %prun, %lprun (console and module functions, twice,
# a bad -f), %mprun, %memit; records after the output; bad request lines; a
# forked child; EOF; the command line.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).

: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

PY=${PROFLAB_PYTHON:-/usr/bin/python3.11}
W=$(cd "$top_builddir" && pwd)/proflab-worker
S=$(cd "$top_srcdir/tests/worker/scripts" && pwd)
DRIVE=$S/console_drive.py

[ -x "$W" ] || bail_out "no worker at $W"
"$PY" -c 'import sys' 2>/dev/null || bail_out "no python at $PY"
tap_tmpdir
T=$TEST_TMP
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONINSPECT PYTHONUNBUFFERED PROFLAB_CHANNEL_FD \
	PROFLAB_PYTHON_EXECUTABLE PROFLAB_PDEATHSIG
PYTHONNOUSERSITE=1
PYTHONDONTWRITEBYTECODE=1
LC_ALL=C.UTF-8
DRIVE_TIMEOUT=$TEST_TIMEOUT
export PYTHONNOUSERSITE PYTHONDONTWRITEBYTECODE LC_ALL DRIVE_TIMEOUT
mkdir "$T/wd" || bail_out "mkdir failed"
cd "$T/wd" || bail_out "no $T/wd"
tab=$(printf '\t')

# drive NAME STEP...: the console through STEPs (see console_drive.py), from
# $T/wd; the log in $T/NAME.log, the driver's own words in $T/NAME.drv.
drive() {
	_n=$1
	shift
	with_timeout "$PY" "$DRIVE" "$T/$_n.log" "$W" "$@" >"$T/$_n.drv" 2>&1
	echo $? >"$T/$_n.st"
}

# req LOG ID: what the front end saw of request ID, from its run to its done.
req() {
	awk -v id="$2" 'index($0, "> " id " ") == 1 { on = 1; next }
		on { print }
		on && index($0, "@ done\t" id "\t") == 1 { exit }' "$1"
}

# out LOG ID STREAM: the lines request ID wrote on STREAM (1 or 2), without the prefix.
out() {
	req "$1" "$2" | sed -n "s/^$3| //p"
}

# done_of LOG ID: "KIND DETAIL" of done ID.
done_of() {
	awk -F'\t' -v id="$2" '$1 == "@ done" && $2 == id { print $3 " " $4; exit }' "$1"
}

# record LOG TYPE: the first record of TYPE, fields separated by tabs, without "@ ".
record() {
	awk -v t="$2" 'index($0, "@ " t "\t") == 1 { print substr($0, 3); exit }' "$1"
}

# hits TABLE: "QUALNAME LINE HITS" for every hit record, sorted.
hits() {
	awk -F'\t' '$1 == "func" { q[$2] = $5 } $1 == "hit" { print q[$2], $3, $4 }' "$1" |
		LC_ALL=C sort -k1,1 -k2,2n | tr '\n' ' '
}

# calls TABLE QUALNAME: the CALLS of that function's func record.
calls() {
	awk -F'\t' -v q="$2" '$1 == "func" && $5 == q { print $7; exit }' "$1"
}

# The line of LOG where PATTERN (extended regex) first matches, or 0.
lineof() {
	awk -v p="$2" '$0 ~ p { print NR; found = 1; exit } END { if (!found) print 0 }' "$1"
}

cat >"$T/wd/cmod.py" <<'EOF'
def count(n):
    t = 0
    for i in range(n):
        t += i
    return t
EOF

plan 51

# --- one long session ---------------------------------------------------------------
L=$T/main.log
drive main \
	'run|1|none||1 + 1' \
	'run|2|none||None' \
	'run|3|none||def f(x):\n    y = x * 2\n    return y\nf(21)' \
	'run|4|none||z = f(5)' \
	'run|5|none||z + 1' \
	'run|6|none||f(1);' \
	'run|7|none||_' \
	'run|8|none||def g(d):\n    return 10 / d' \
	'run|9|none||g(0)' \
	'run|10|none||x = (1,' \
	'run|11|none||import sys; sys.exit(3)' \
	'run|12|none||f(2)' \
	'run|13|time||import time\ntime.sleep(0.05)\nf(4)' \
	'run|14|timeit|0\n3|sum(range(50))' \
	'run|15|timeit|7\n2|f(1)' \
	'run|16|timeit|1\n1|g(0)' \
	"run|17|prun|$T/p.prof|f(3); g(1)" \
	'run|18|none||import sys; sys.getprofile() is None' \
	'run|19|none||import cmod\ndef h(n):\n    s = 0\n    for i in range(n):\n        s += cmod.count(i)\n    return s' \
	"run|20|lprun|$T/l1.tab\\nh\\ncmod.count|h(5)" \
	"run|21|lprun|$T/l2.tab\\ncmod.count|import sys\\ntraced = sys._getframe().f_trace_lines\\ncmod.count(3)" \
	'run|22|none||import sys; (traced, sys._getframe().f_trace_lines, sys.gettrace())' \
	"run|23|lprun|$T/l3.tab\\nnosuch|ran = True" \
	'run|24|none||"ran" in dir()' \
	"run|25|lprun|$T/l3.tab\\n3|ran = True" \
	'run|26|none||def big():\n    a = bytearray(50 * 2**20)\n    return len(a)' \
	"run|27|mprun|$T/m.tab\\nbig|big()" \
	'run|28|memit|1|x = bytearray(50 * 2**20); del x' \
	"send|29|none||open('$T/ready', 'w').close()\\nwhile True: pass" \
	"sigint-when|$T/ready" \
	'wait|29' \
	'run|30|none||f(10)' \
	'idle' 'sigint' 'idle' \
	'run|31|none||f(0)' \
	'raw|garbage line\n' \
	'raw|run\t32\n' \
	'raw|run\tx\tnone\t\t1\n' \
	'run|33|none||f(16)' \
	'run|34|bogus||1' \
	"run|35|prun|$T/p2.prof|print('hello'); 1/0" \
	'run|36|none||import signal; _ = signal.signal(signal.SIGINT, signal.SIG_DFL)' \
	'idle' 'sigint' \
	'run|37|none||import multiprocessing as mp\ndef sq(v): return v * v\nwith mp.Pool(2) as pool: print(pool.map(sq, range(5)))' \
	'close'
if [ "$(cat "$T/main.st")" != 0 ]; then
	diag "the driver failed ($(cat "$T/main.st")):"
	diag_file "$T/main.drv"
	diag_file "$L"
fi

hello=$(record "$L" hello)
printf '%s\n' "$hello" | grep -Eq "^hello${tab}[0-9]+${tab}3\.[0-9]+\.[0-9]+${tab}/[^$tab]+${tab}<console>$" &&
	ok "hello PID VERSION EXECUTABLE <console>" || not_ok "hello PID VERSION EXECUTABLE <console>" "$hello"
is "$(out "$L" 1 1)|$(done_of "$L" 1)" "2|ok " "an expression is echoed (repr on stdout), done ok"
is "$(req "$L" 2 | grep -c '^[12]|')|$(done_of "$L" 2)" "0|ok " "None is not echoed"
is "$(out "$L" 3 1)" 42 "a multi-line def, then a call: the value echoed"
is "$(out "$L" 5 1)" 11 "names persist across requests"
is "$(req "$L" 6 | grep -c '^[12]|')" 0 "a last expression ending in ';' is not echoed (IPython's rule)"
is "$(out "$L" 7 1)" 11 "_ is the last echoed value (sys.displayhook)"

out "$L" 9 2 >"$T/tb.txt"
printf '%s\n' 'Traceback (most recent call last):' '  File "<console-9>", line 1, in <module>' \
	'    g(0)' '  File "<console-8>", line 2, in g' '    return 10 / d' '           ~~~^~~' \
	'ZeroDivisionError: division by zero' >"$T/tb.want"
same_file "$T/tb.txt" "$T/tb.want" "a traceback: the console's source lines, no frame of the worker's"
is "$(done_of "$L" 9)" "exception ZeroDivisionError" "done exception TYPE"
out "$L" 10 2 >"$T/se.txt"
if grep -qx '  File "<console-10>", line 1' "$T/se.txt" && grep -qx '    x = (1,' "$T/se.txt" &&
	grep -q '^SyntaxError: ' "$T/se.txt" && ! grep -q Traceback "$T/se.txt" &&
	[ "$(done_of "$L" 10)" = "exception SyntaxError" ]; then
	ok "a SyntaxError: printed as the REPL prints it, done exception SyntaxError"
else
	not_ok "a SyntaxError: printed as the REPL prints it, done exception SyntaxError" "$(cat "$T/se.txt")"
fi
is "$(done_of "$L" 11)|$(out "$L" 12 1)|$(done_of "$L" 12)" "systemexit 3|4|ok " \
	"sys.exit(3): done systemexit 3, and the session goes on"

ct=$(record "$L" cputime)
if printf '%s\n' "$ct" | awk -F'\t' '{ exit !(NF == 5 && $2 >= 0.05 && $2 < 5 && $3 >= 0 && $4 >= 0 && $5 == "8\\n") }'; then
	ok "time: cputime WALL USER SYS DISPLAY, wall >= 0.05 s for a 0.05 s sleep, the echo in DISPLAY"
else
	not_ok "time: cputime WALL USER SYS DISPLAY, wall >= 0.05 s for a 0.05 s sleep, the echo in DISPLAY" "$ct"
fi
is "$(req "$L" 13 | grep -c '^[12]|')|$(done_of "$L" 13)" "0|ok " "time: the echo is not printed besides"

ti=$(req "$L" 14 | sed -n "s/^@ timeit$tab//p")
if printf '%s\n' "$ti" | awk -F'\t' '{ n = split($2, t, " "); max = 0; min = 1e9
		for (i = 1; i <= n; i++) { if (t[i] > max) max = t[i]; if (t[i] < min) min = t[i] }
		exit !($1 ~ /^10+$/ && n == 3 && max >= 0.15 && min < 2) }'; then
	ok "timeit NUMBER 0: a power of 10 loops taking about 0.2 s or more, REPEAT (3) runs ($ti)"
else
	not_ok "timeit NUMBER 0: a power of 10 loops taking about 0.2 s or more, REPEAT (3) runs" "$ti"
fi
req "$L" 15 | grep -Eq "^@ timeit${tab}7${tab}[0-9.e+-]+ [0-9.e+-]+$" &&
	ok "timeit 7 loops, 2 runs: timeit 7 TIME TIME" || not_ok "timeit 7 loops, 2 runs" "$(req "$L" 15)"
out "$L" 16 2 >"$T/ti.txt"
if grep -q '^  File "<timeit-src>", line [0-9]*, in inner$' "$T/ti.txt" &&
	grep -q '^  File "<console-8>", line 2, in g$' "$T/ti.txt" && ! grep -q 'timeit.py' "$T/ti.txt" &&
	[ "$(done_of "$L" 16)" = "exception ZeroDivisionError" ] && ! req "$L" 16 | grep -q '^@ timeit'; then
	ok "timeit of a statement that raises: the traceback from the statement, no timeit record"
else
	not_ok "timeit of a statement that raises: the traceback from the statement, no timeit record" \
		"$(cat "$T/ti.txt")"
fi

req "$L" 17 | grep -Eq "^@ profile${tab}$T/p.prof${tab}[0-9]+$" &&
	ok "prun: profile PATH NFUNCS" || not_ok "prun: profile PATH NFUNCS" "$(req "$L" 17)"
"$PY" -c 'import pstats, sys
s = pstats.Stats(sys.argv[1])
print(" ".join(sorted("%s:%s:%d" % (k[0], k[2], v[1]) for k, v in s.stats.items())))' \
	"$T/p.prof" >"$T/p.funcs" 2>&1
is "$(cat "$T/p.funcs")" "<console-17>:<module>:1 <console-3>:f:1 <console-8>:g:1" \
	"prun: the statement and the functions it called, nothing of the worker's"
echo stats | with_timeout "$PY" -m pstats "$T/p.prof" >"$T/pstats.out" 2>&1
grep_file "function calls in" "$T/pstats.out" "prun: python -m pstats reads the file"
is "$(out "$L" 18 1)" True "prun: the profiler is off after its request"

T1=$T/l1.tab
grep -q "^@ lines${tab}$T1${tab}time${tab}2$" "$L" &&
	ok "lprun: lines PATH time 2" || not_ok "lprun: lines PATH time 2" "$(req "$L" 20)"
is "$(hits "$T1")" "count 2 5 count 3 15 count 4 10 count 5 5 h 3 1 h 4 6 h 5 5 h 6 1 " \
	"lprun: hits per line of a console function and a module function"
is "$(calls "$T1" h) $(calls "$T1" count)" "1 5" "lprun: calls per function"
is "$(awk -F'\t' '$1 == "func" { print $3 }' "$T1" | tr '\n' ' ')" "<console-19> $T/wd/cmod.py " \
	"lprun: the functions' files (the console's, the module's)"
is "$(awk -F'\t' '$1 == "src" && $2 == 0 { print $3 ":" $4 }' "$T1" | head -2 | tr '\n' '|')" \
	"2:def h(n):|3:    s = 0|" "lprun: a console function's source lines are in the table"
is "$(hits "$T/l2.tab")" "count 2 1 count 3 4 count 4 3 count 5 1 " \
	"a second lprun: its own functions only, counted from zero"
is "$(out "$L" 22 1)" "(False, True, None)" \
	"lprun's statement ran traced; the next one does not (f_trace_lines, gettrace)"
is "$(done_of "$L" 23)" "error -f nosuch: NameError: name 'nosuch' is not defined" \
	"lprun -f with a bad name: done error, one line"
if [ "$(out "$L" 24 1)" = False ] && [ ! -e "$T/l3.tab" ] && ! req "$L" 23 | grep -q '^@ lines'; then
	ok "lprun -f with a bad name: the statement did not run, no table"
else
	not_ok "lprun -f with a bad name: the statement did not run, no table"
fi
is "$(done_of "$L" 25)" "error -f 3: not a function (int)" "lprun -f 3: not a function (int)"

grep -q "^@ lines${tab}$T/m.tab${tab}memory${tab}1$" "$L" &&
	ok "mprun: lines PATH memory 1" || not_ok "mprun: lines PATH memory 1" "$(req "$L" 27)"
inc=$(awk -F'\t' '$1 == "mem" && $3 == 2 { print $5 }' "$T/m.tab")
awk -v i="$inc" 'BEGIN { exit !(i > 40 * 1048576) }' &&
	ok "mprun: the 50 MiB line's increment is positive, above 40 MiB ($inc)" ||
	not_ok "mprun: the 50 MiB line's increment is positive, above 40 MiB" "$inc"
mi=$(record "$L" memit)
printf '%s\n' "$mi" | awk -F'\t' '{ exit !(NF == 3 && $3 > 0 && $2 - $3 >= 40 * 1048576) }' &&
	ok "memit: peak >= baseline + 40 MiB for a 50 MiB bytearray ($mi)" ||
	not_ok "memit: peak >= baseline + 40 MiB for a 50 MiB bytearray" "$mi"

out "$L" 29 2 >"$T/ki.txt"
if [ "$(done_of "$L" 29)" = "interrupt KeyboardInterrupt" ] && [ "$(tail -1 "$T/ki.txt")" = KeyboardInterrupt ] &&
	grep -qx '  File "<console-29>", line 2, in <module>' "$T/ki.txt"; then
	ok "SIGINT in while True: pass: the KeyboardInterrupt traceback, done interrupt"
else
	not_ok "SIGINT in while True: pass: the KeyboardInterrupt traceback, done interrupt" "$(cat "$T/ki.txt")"
fi
is "$(out "$L" 30 1)|$(done_of "$L" 30)" "20|ok " "after the interrupt, the next request runs"
is "$(out "$L" 31 1)|$(done_of "$L" 31)|$(req "$L" 31 | grep -c '^2|')" "0|ok |0" \
	"SIGINT while idle is swallowed: nothing printed, the next request runs"

bad=$(sed -n 's/^2| proflab-worker: bad request line [0-9]*: //p' "$L" | tr '\n' '|')
is "$bad" 'unknown type "garbage line"|too few fields, expected 4|bad ID "x"|' \
	"bad request lines: one stderr line each"
is "$(out "$L" 33 1)|$(done_of "$L" 33)" "32|ok " "... and skipped: the next request runs"
is "$(done_of "$L" 34)" 'error unknown magic "bogus"' "an unknown magic: done error"

req "$L" 35 >"$T/r35.log"
o1=$(lineof "$T/r35.log" '^1\| hello$')
o2=$(lineof "$T/r35.log" '^2\| ZeroDivisionError: division by zero$')
o3=$(lineof "$T/r35.log" "^@ profile${tab}$T/p2.prof")
o4=$(lineof "$T/r35.log" "^@ done${tab}35${tab}exception${tab}ZeroDivisionError$")
if [ "$o1" -gt 0 ] && [ "$o1" -lt "$o2" ] && [ "$o2" -lt "$o3" ] && [ "$o3" -lt "$o4" ]; then
	ok "prun of a statement that raises: its output, the traceback, then the profile record, then done"
else
	not_ok "prun of a statement that raises: its output, the traceback, then the profile record, then done" \
		"lines $o1 $o2 $o3 $o4"
fi
is "$(out "$L" 37 1)|$(done_of "$L" 37)" "[0, 1, 4, 9, 16]|ok " \
	"a statement that set SIGINT to SIG_DFL: a later SIGINT does not kill the worker; Pool maps a console function"
is "$(tail -1 "$L")" "exit 0" "EOF on the request fd: exit 0"
is "$(grep -c "^@ done$tab" "$L")" 36 "one done record per well-formed request (36 of 37)"

# --- a process forked by a statement -------------------------------------------------
drive fork 'run|1|none||import os\npid = os.fork()\nif pid == 0: print("child")\nelse: _ = os.waitpid(pid, 0)' \
	'run|2|none||"parent"' 'close'
if [ "$(cat "$T/fork.st")" = 0 ] && [ "$(out "$T/fork.log" 1 1)" = child ] &&
	[ "$(out "$T/fork.log" 2 1)" = "'parent'" ] && [ "$(grep -c "^@ done$tab" "$T/fork.log")" = 2 ]; then
	ok "os.fork() in a statement: the child ends with it; the parent goes on"
else
	not_ok "os.fork() in a statement: the child ends with it; the parent goes on"
	diag_file "$T/fork.log"
fi

# --- requests on stdin ------------------------------------------------------------------
printf 'run\t1\tnone\t\tinput()\nrun\t2\tnone\t\timport sys; sys.path[0], sys.argv\n' |
	with_timeout "$W" --console --channel-fd 3 >"$T/in.out" 2>"$T/in.err" 3>"$T/in.chan"
st=$?
if [ "$st" = 0 ] && grep -q "^done${tab}1${tab}exception${tab}EOFError$" "$T/in.chan" &&
	grep -q '^EOFError' "$T/in.err"; then
	ok "requests on stdin (the default): a statement's stdin is /dev/null (input() raises EOFError)"
else
	not_ok "requests on stdin (the default): a statement's stdin is /dev/null" "status $st: $(cat "$T/in.err")"
fi
is "$(cat "$T/in.out")" "('', [''])" "sys.path[0] and sys.argv are the REPL's ('' and [''])"
printf 'run\t1\tnone\t\t1' | with_timeout "$W" --console >"$T/nl.out" 2>"$T/nl.err"
st=$?
is "$st|$(cat "$T/nl.err")|$(cat "$T/nl.out")" \
	"0|proflab-worker: bad request line 1: no newline at the end of the input|" \
	"a last line without its newline: reported, not run; exit 0"

# --- the command line ----------------------------------------------------------------------
with_timeout "$W" --console "$S/sleep.py" >/dev/null 2>"$T/u1.err"
is "$?|$(cat "$T/u1.err" | head -1)" "2|proflab-worker: option --console runs no script" \
	"--console with a script: a usage error"
with_timeout "$W" --request-fd 0 "$S/sleep.py" >/dev/null 2>"$T/u2.err"
is "$?|$(head -1 "$T/u2.err")" "2|proflab-worker: option --request-fd needs --console" \
	"--request-fd without --console: a usage error"
with_timeout "$W" --console --request-fd 9 >/dev/null 2>"$T/u3.err" 9<&-
is "$?|$(head -1 "$T/u3.err")" "2|proflab-worker: bad request fd 9: Bad file descriptor" \
	"--request-fd naming a closed fd: an error"
"$W" --help >"$T/help.out"
grep -q -- "--console \[--channel-fd N\] \[--request-fd M\]" "$T/help.out" &&
	grep -q -- "^  --request-fd M" "$T/help.out" &&
	ok "--help shows --console and --request-fd" || not_ok "--help shows --console and --request-fd"

