#!/bin/sh
# The profile screen, end to end, in a real tmux: lesson 6's E16 profiles
# compute.py and opens its table under the run's graph; every sort column,
# reverse, a header click, the filter, stripped directories, callers and
# callees walked and back, the icicle zoomed in and out, the explanation, P
# between the screens, a resize; E17 writes compute.prof that pstats reads,
# E19 opens it (and says which exercise writes it when it is missing);
# `proflab stats` on cProfile's own file and on a truncated one; Esc during
# a profile run still opens the partial profile. No fixed sleeps: every
# step waits for the screen to show what it expects, with a deadline.
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
EX=$(cd "$top_srcdir/exercises" && pwd)
PY=/usr/bin/python3
[ -x "$P" ] || bail_out "no proflab at $P"
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
[ -x "$PY" ] || { echo "1..0 # SKIP no $PY"; exit 0; }
tap_tmpdir
T=$TEST_TMP
W=$T/work
LAB_CWD=$W
mkdir -p "$W"
. "$top_srcdir/tests/tui/lab.sh"

test_cleanup() {
	tm kill-server 2>/dev/null
	pkill -f "$T/[s]low.py" 2>/dev/null
	return 0
}

# The table's rows as shown (the lines under the column header).
rows() {
	screen | awk '/ncalls.*tottime.*percall.*cumtime.*percall/ { on = 1; next }
		on && /^ +[0-9]+(\/[0-9]+)? +[0-9]+\.[0-9][0-9][0-9] / { print; next }
		on { exit }'
}
# first_is max|min FIELD: the first row holds the largest (smallest) value of the column.
first_is() {
	rows | awk -v f="$2" -v want="$1" '
		{ v = $f + 0; if (NR == 1) { first = v; m = v } }
		want == "max" && v > m { m = v }
		want == "min" && v < m { m = v }
		END { exit !(NR > 1 && first == m) }'
}
# check_sort KEY DESC FIELD HOW WORDS: the heading says WORDS and the first row is HOW.
check_sort() {
	keys "$1"
	if wait_for 5 shows "sorted by $4" && first_is "$3" "$2"; then
		ok "$1 sorts by $4: the first row has the $3 of column $2"
	else
		not_ok "$1 sorts by $4" "first row: $(rows | head -n 1)"
		dump
	fi
}
header_y() { screen | grep -n 'ncalls.*tottime.*percall' | head -n 1 | cut -d: -f1; }
no_worker() { ! pgrep -f "$1" >/dev/null; }

plan 63

# --- E16: profile compute.py --------------------------------------------------------------------
start lesson 6
expect "the lab opens on lesson 6" "6. Function-level profiling" 10
keys Enter
expect "E16 runs and opens the profile screen on its table" "{built-in method builtins.sum}" 20
if rows | grep -Eq '^ +20 .*\{built-in method builtins\.sum\}'; then
	ok "sum was called 20 times"
else
	not_ok "sum was called 20 times" "$(rows)"
fi
shows "E16: compute.py" && shows "function calls" && shows "sorted by internal time" &&
	ok "the heading names the run, its calls and the sort" ||
	not_ok "the heading names the run, its calls and the sort" "$(screen | head -n 14)"
shows_re 'CPU [0-9]+ %' && shows "Memory" && shows "Profile (P: lesson)" &&
	ok "the run's graph is on top" || not_ok "the run's graph is on top" "$(screen | head -n 12)"
shows "compute_result" && ok "compute.py's functions are listed" ||
	not_ok "compute.py's functions are listed" "$(rows)"
shows "E16 done: exited with status 0" && ok "the status line says the run is done" ||
	not_ok "the status line says the run is done" "$(screen | tail -n 1)"

# --- sorting ------------------------------------------------------------------------------------
check_sort 1 1 max "call count"
if rows | head -n 1 | grep -q 'builtins.sum'; then
	ok "after 1 the row with 20 calls is first"
else
	not_ok "after 1 the row with 20 calls is first" "$(rows | head -n 3)"
fi
check_sort 2 2 max "internal time"
check_sort 3 3 max "internal time per call"
check_sort 4 4 max "cumulative time"
shows '↓cumtime' && ok "the sorted column's header has an arrow" ||
	not_ok "the sorted column's header has an arrow" "$(screen | grep ncalls)"
check_sort 5 5 max "cumulative time per call"
keys 6
if wait_for 5 shows "sorted by standard name" &&
	rows | sed '$d' | cut -c47- | sed 's|^.*/||; s/^.*…//' | LC_ALL=C sort -c 2>/dev/null; then
	ok "6 sorts by function name"
else
	not_ok "6 sorts by function name" "$(rows | cut -c47-)"
fi
keys 4 r
if wait_for 5 shows "cumulative time, reversed" && first_is min 4 && shows '↑cumtime'; then
	ok "r reverses the order (smallest cumtime first, the arrow turned)"
else
	not_ok "r reverses the order" "$(rows | head -n 3)"
	dump
fi
keys s
expect "s sorts by the next column" "sorted by cumulative time per call" 5

# --- the mouse on the table --------------------------------------------------------------------
y=$(header_y)
click 6 "$y"
expect "a click on the ncalls header sorts by it" "sorted by call count" 5
click 6 "$y"
expect "a second click reverses it" "sorted by call count, reversed" 5
click 33 "$y"
expect "a click on the cumtime header sorts by cumulative time" "sorted by cumulative time" 5

# --- filter, stripped directories -------------------------------------------------------------
keys / s u m
expect "/ opens the filter prompt on the pane's last row" "filter /sum" 5
keys Enter
if wait_for 5 shows 'filter "sum": 1 of' && [ "$(rows | wc -l)" -eq 1 ]; then
	ok "the filter keeps the rows that match"
else
	not_ok "the filter keeps the rows that match" "$(rows)"
fi
keys / C-u Enter
if wait_for 5 hides 'filter "sum"' && [ "$(rows | wc -l)" -gt 3 ]; then
	ok "an empty filter shows every row again"
else
	not_ok "an empty filter shows every row again" "$(rows)"
fi
rows | grep -q '/compute\.py:' && ok "rows name files with their directories" ||
	not_ok "rows name files with their directories" "$(rows)"
keys d
if wait_for 5 shows "dirs stripped" && ! rows | grep -q '/compute\.py:' &&
	rows | grep -q ' compute\.py:21(compute_result)'; then
	ok "d strips the directories"
else
	not_ok "d strips the directories" "$(rows)"
fi

# --- calls --------------------------------------------------------------------------------------
keys / c o m p u t e _ r e s u l t Enter
wait_for 5 shows 'filter "compute_result": 1 of'
keys Enter
expect "Enter opens the callers and callees of compute_result" "callers and callees" 5
shows "{built-in method builtins.sum}" && shows "called by" && shows "compute.py:30(main)" &&
	ok "main calls it; it calls sum" || { not_ok "main calls it; it calls sum"; dump; }
keys Down Down Enter
expect "Enter walks to the selected callee (sum)" "walked 1 deep" 5
if screen | grep -q '^ *20 .*{built-in method builtins.sum}' &&
	shows "compute.py:21(compute_result)"; then
	ok "sum is in the middle, called by compute_result"
else
	not_ok "sum is in the middle, called by compute_result"
	dump
fi
keys BSpace
expect_gone "Backspace walks back" "walked 1 deep" 5
keys Escape
if wait_for 5 shows "filename:lineno(function)" && hides "callers and callees" &&
	hides "nothing is running"; then
	ok "Esc returns to the table (and is used up there)"
else
	not_ok "Esc returns to the table"
	dump
fi
# A click on a row selects it; a click on the selected row opens its calls.
keys / C-u Enter
wait_for 5 hides 'filter "'
line=$(screen | grep -n 'compute.py:16(generate_data)' | head -n 1 | cut -d: -f1)
click 60 "$line"
click 60 "$line"
expect "two clicks on a row open its calls" "callers and callees (1," 5
keys t

# --- the icicle ---------------------------------------------------------------------------------
keys i
expect "i opens the icicle" "icicle" 5
if wait_for 5 shows "whole run" && screen | grep -v 'icicle' | grep -q 'main' &&
	screen | grep -v 'icicle' | grep -q 'generate_data'; then
	ok "the icicle shows the whole run, main and generate_data"
else
	not_ok "the icicle shows the whole run, main and generate_data"
	dump
fi
bar=$(screen | grep -n 'generate_data' | grep -v 'icicle\|whole run' | head -n 1)
by=${bar%%:*}
bx=$(printf '%s\n' "${bar#*:}" | awk '{ print index($0, "generate_data") }')
click "$((bx + 1))" "$by"
expect "a click selects a bar" "compute.py:16(generate_data)" 5
click "$((bx + 1))" "$by"
if wait_for 5 shows "icicle, zoomed" && screen | grep -q 'whole run.*> compute.py:generate_data'; then
	ok "a click on the selected bar zooms into it (the breadcrumb shows the path)"
else
	not_ok "a click on the selected bar zooms into it"
	dump
fi
keys BSpace
if wait_for 5 sh -c "tmux -L $SOCK capture-pane -p -t lab | sed -n '/whole run/{n;p;}' | grep -q 'main'"; then
	ok "Backspace zooms out one level (main on top again)"
else
	not_ok "Backspace zooms out one level"
	dump
fi
keys Escape
expect_gone "Esc zooms out fully" "icicle, zoomed" 5
keys Up Down Enter
expect "Up, Down and Enter zoom with the keyboard" "icicle, zoomed" 5
keys Escape t

# --- explain, help, the two screens, resize ---------------------------------------------------
keys e
expect "e explains the selected function in a box" "(any key closes)" 5
keys x
expect_gone "any key closes it" "(any key closes)" 5
keys '?'
expect "? lists the profile keys" "sort: ncalls, tottime" 5
keys Escape
expect_gone "any key closes the help" "sort: ncalls, tottime" 5
keys P
if wait_for 5 shows "6. Function-level profiling" && hides "Profile (P: lesson)"; then
	ok "P shows the lesson screen"
else
	not_ok "P shows the lesson screen"
	dump
fi
keys P
expect "P shows the profile screen again" "filename:lineno(function)" 5
tm resize-window -t lab -x 80 -y 24
# One screen must show all three: a resize may be drawn in more than one frame.
small_screen() {
	screen >"$T/small.txt"
	grep -Fq "filename:lineno(function)" "$T/small.txt" && grep -Fq Memory "$T/small.txt" &&
		! grep -Fq "needs at least" "$T/small.txt"
}
if wait_for 5 small_screen; then
	ok "resized to 80x24, the profile screen still has the graph and the table"
else
	not_ok "resized to 80x24"
	dump
fi
tm resize-window -t lab -x 120 -y 36
expect "resized back to 120x36" "Profile (P: lesson)" 5

# --- E19 before E17, E17, E19 -------------------------------------------------------------------
keys P n n n Enter
expect "E19 without compute.prof says which exercise writes it" \
	"compute.prof does not exist: run E17 first" 10
keys p p Enter
expect "E17 profiles compute.py into compute.prof" "profile saved to compute.prof" 20
if [ -f "$W/compute.prof" ] &&
	with_timeout "$PY" -c 'import pstats,sys; pstats.Stats(sys.argv[1])' "$W/compute.prof" \
		>"$T/pstats.out" 2>&1; then
	ok "compute.prof is in the lab's directory and pstats reads it"
else
	not_ok "compute.prof is in the lab's directory and pstats reads it" "$(cat "$T/pstats.out")"
fi
keys P n n Enter
expect "E19 opens compute.prof" "E19: compute.prof" 10
shows "icicle" && shows "No recording" && ok "... in the icicle, with no recording above" ||
	{ not_ok "... in the icicle, with no recording above"; dump; }
keys q
expect "q quits from the profile screen" "PROFLAB-EXIT=0" 5
if no_worker "$EX/[c]ompute.py"; then
	ok "no worker is left"
else
	not_ok "no worker is left" "$(pgrep -af '[c]ompute.py')"
fi

# --- proflab stats ------------------------------------------------------------------------------
(cd "$T" && with_timeout "$PY" -m cProfile -o "$T/cp.prof" "$EX/compute.py" >/dev/null)
start stats "$T/cp.prof"
expect "proflab stats opens cProfile's file on the profile screen" \
	"{built-in method builtins.sum}" 10
shows "No recording" && shows "cp.prof" && ok "... named, with no recording" ||
	{ not_ok "... named, with no recording"; dump; }
keys q
wait_for 5 shows "PROFLAB-EXIT=0"
LCALL=C start stats --icicle "$T/cp.prof"
expect "stats --icicle opens on the icicle" "whole run" 10
keys t
if wait_for 5 shows "filename:lineno(function)" && shows 'vtottime' && ! screen | grep -q '[│─↓↑…]'; then
	ok "without UTF-8 it draws in ASCII (v for the sort arrow)"
else
	not_ok "without UTF-8 it draws in ASCII"
	dump
fi
keys q
head -c 200 "$T/cp.prof" >"$T/trunc.prof"
with_timeout "$P" stats --icicle "$T/trunc.prof" </dev/null >"$T/tr.out" 2>"$T/tr.err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$(wc -l <"$T/tr.err")" -eq 1 ] &&
	grep -q '^proflab: .*trunc.prof' "$T/tr.err" && [ ! -s "$T/tr.out" ]; then
	ok "stats on a truncated file: one line naming it, status $rc"
else
	not_ok "stats on a truncated file: one line naming it" "status $rc" "$(cat "$T/tr.err")"
fi
start stats "$T/trunc.prof"
if wait_for 10 shows "PROFLAB-EXIT=1" && screen | head -n 1 | grep -q '^proflab: .*trunc.prof'; then
	ok "... and on a terminal it leaves the screen alone"
else
	not_ok "... and on a terminal it leaves the screen alone"
	dump
fi

# --- Esc during a profile run -------------------------------------------------------------------
cat >"$T/slow.py" <<'EOF'
def busy():
    total = 0
    for i in range(20000):
        total += i
    return total


def main():
    print("slow: started", flush=True)
    while True:
        busy()


main()
EOF
mkdir -p "$T/data/lessons"
printf '# 6. Slow\n\n```proflab exercise=E16 title="Profile slow.py" needs=profile\nproflab profile %s\n```\n' \
	"$T/slow.py" >"$T/data/lessons/06-slow.md"
DATADIR="$T/data" start lesson 6
wait_for 10 shows "E16"
keys Enter
wait_for 15 shows "running E16"
wait_for 10 sh -c "tmux -L $SOCK capture-pane -p -t lab | grep -q 'slow: started'"
keys Escape
expect "Esc stops the profile run and its partial profile opens" \
	"the profile covers the run up to then" 15
shows "slow.py" && shows "(busy)" && ok "... with the function it was running" ||
	{ not_ok "... with the function it was running"; dump; }
keys q
wait_for 5 shows "PROFLAB-EXIT=0"
if wait_for 5 no_worker "$T/[s]low.py"; then
	ok "no worker is left after the stop"
else
	not_ok "no worker is left after the stop" "$(pgrep -af '[s]low.py')"
fi
