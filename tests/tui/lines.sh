#!/bin/sh
# The lines screen, end to end, in a real tmux: lesson 7's E21 times the
# lines of slow_lines.py's three @profile functions and opens the pane under
# the run's graph (rows, hit counts, heat bars, the selected line in words);
# lines and functions are moved between with the keys, the wheel and
# clicks; a resize, the help, Esc and L between the screens; lesson 8's E25
# shows memory_hog.py's increments (memory given back drawn apart), also in
# --ascii; from the profile table, l times the selected row's lines and Esc
# comes back to the same row; built-ins and comprehensions are refused; a
# function that never runs, a name that matches nothing and a run stopped
# with Esc. No fixed sleeps: every step waits for the screen, with a deadline.
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
EX=$(cd "$top_srcdir/exercises" && pwd)
PY=/usr/bin/python3.11
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
	pkill -f "$T/[l]oop.py" 2>/dev/null
	return 0
}

# lineno FILE TEXT: the number of the first line of FILE that holds TEXT.
lineno() { grep -nF -- "$2" "$1" | head -n 1 | cut -d: -f1; }
# row TEXT: the pane's first row that shows TEXT; field N TEXT: its Nth field.
row() { screen | grep -F -- "$1" | head -n 1; }
field() { row "$2" | awk -v n="$1" '{ print $n }'; }
# screen_y TEXT: the 1-based screen row of the first row that shows TEXT.
screen_y() { screen | grep -nF -- "$1" | head -n 1 | cut -d: -f1; }
# screen_x TEXT: the 1-based column of TEXT on that row (ASCII rows only).
screen_x() { screen | grep -F -- "$1" | head -n 1 | awk -v t="$1" '{ print index($0, t) }'; }
# footer N: the pane's last row speaks of line N.
footer() { shows_re "^line $1: "; }
expect_footer() {
	if wait_for 5 footer "$2"; then
		ok "$1"
	else
		not_ok "$1" "want line $2: $(screen | grep -E '^line [0-9]+: ')"
	fi
}
# Home and End as xterm sends them in keypad mode (tmux's own are not in xterm's terminfo).
home() { keys -l "$(printf '\033OH')"; }
end() { keys -l "$(printf '\033OF')"; }
wheel_down() { keys -l "$(printf '\033[<65;%d;%dM' "$1" "$2")"; }
no_worker() { ! pgrep -f "$1" >/dev/null; }
have_numpy() { "$PY" -c 'import numpy' 2>/dev/null; }

plan 70

SL=$EX/slow_lines.py
L_FOR=$(lineno "$SL" "for customer in orders:")
L_LIST=$(lineno "$SL" "if customer in known_list:")
L_SET=$(lineno "$SL" "if customer in known_set:")
L_RET=$(lineno "$SL" "return by_list, by_set")
L_DEF=$(lineno "$SL" "def count_known(")
L_POP=$(lineno "$SL" "served += queue.pop(0)")

# --- E21: the line timer on slow_lines.py ---------------------------------------------------------
start lesson 7
expect "the lab opens on lesson 7" "7. Line-level profiling" 10
if select_ex E21; then ok "E21 is selected"; else not_ok "E21 is selected"; dump; fi
keys Enter
expect "E21 runs and opens the lines screen" "line timer, 3 functions" 60
shows "E21: slow_lines.py" && shows "Lines (Esc: back)" && shows_re 'CPU [0-9]+ %' &&
	shows "Memory" && ok "the heading names the run; the run's graph is on top" ||
	{ not_ok "the heading names the run; the run's graph is on top"; dump; }
shows "E21 done: exited with status 0" && ok "the status line says the run is done" ||
	not_ok "the status line says the run is done" "$(screen | tail -n 1)"
if screen | grep -q ' count_known  *serve_in_order  *distances'; then
	ok "the three profiled functions are listed, in the file's order"
else
	not_ok "the three profiled functions are listed" "$(screen | sed -n '12,15p')"
fi
shows_re "^count_known  1 call  total time [0-9.]+ [^ ]+, " &&
	shows "slow_lines.py:$((L_DEF - 1))" &&
	ok "count_known's header: 1 call, its total time, where it starts" ||
	not_ok "count_known's header" "$(screen | grep '^count_known')"
is "$(field 1 "if customer in known_list:")/$(field 2 "if customer in known_list:")" \
	"$L_LIST/6000" "the list lookup ran 6000 times, on its own line number"
is "$(field 2 "for customer in orders:")" 6001 "the for line has one hit more than its 6000 turns"
is "$(field 2 "if customer in known_set:")" 6000 "the set lookup ran 6000 times too"
is "$(field 2 "def count_known(")" "def" "the def line has no numbers"
if row "if customer in known_list:" | grep -q '████████████████████'; then
	ok "the slowest line has the full heat bar"
else
	not_ok "the slowest line has the full heat bar" "$(row "if customer in known_list:")"
fi
bar=$(row "if customer in known_set:" | grep -o '█' | wc -l)
[ "$bar" -lt 5 ] && ok "the set lookup's bar is short ($bar cells)" ||
	not_ok "the set lookup's bar is short" "$(row "if customer in known_set:")"
pct=$(screen | sed -n "s/^line $L_LIST: 6000 hits, .* per hit, \([0-9.]*\) % of count_known's time.*/\1/p")
if [ -n "$pct" ] && awk "BEGIN { exit !($pct > 50) }"; then
	ok "the hottest line is selected and told in words ($pct % of the time)"
else
	not_ok "the hottest line is selected and told in words" "$(screen | grep '^line ')"
fi

# --- moving -----------------------------------------------------------------------------------------
keys Down
expect_footer "Down selects the next line" "$((L_LIST + 1))"
keys Up Up
expect_footer "Up twice: the for line" "$L_FOR"
shows "line $L_FOR: 6001 hits" && ok "... with its 6001 hits" || not_ok "... with its 6001 hits"
end
expect_footer "End: the last line" "$L_RET"
home
expect_footer "Home: the first line" "$((L_DEF - 1))"
shows "line $((L_DEF - 1)): nothing measured" && ok "... the decorator, where nothing is measured" ||
	not_ok "... the decorator, where nothing is measured" "$(screen | grep '^line ')"
keys NPage
expect_footer "PgDn on a short function: its last line" "$L_RET"
keys n
expect "n shows the next function" "serve_in_order  1 call" 5
keys n
expect "n again: distances" "distances  1 call" 5
keys n
expect "n wraps around to the first function" "count_known  1 call" 5
expect_footer "count_known's selection was kept" "$L_RET"
keys p
expect "p: the previous function (distances)" "distances  1 call" 5
keys Tab
expect "Tab: the next one (count_known)" "count_known  1 call" 5
keys BTab
expect "Shift-Tab: the previous one" "distances  1 call" 5
y=$(screen_y " count_known   serve_in_order")
x=$(screen_x "serve_in_order")
click "$((x + 2))" "$y"
expect "a click on a function's name shows it" "serve_in_order  1 call" 5
y=$(screen_y "served += queue.pop(0)")
click 10 "$y"
expect_footer "a click on a row selects its line" "$L_POP"
wheel_down 10 "$y"
expect_footer "the wheel moves the selection three lines" "$((L_POP + 3))"

# --- help, resize, the screens ---------------------------------------------------------------------------
keys '?'
expect "? lists the lines keys" "the next profiled function" 5
keys x
expect_gone "any key closes the help" "the next profiled function" 5
tm resize-window -t lab -x 80 -y 24
small_screen() {
	screen >"$T/small.txt"
	grep -Fq "Line Contents" "$T/small.txt" && grep -Fq "Memory" "$T/small.txt" &&
		grep -Fq "serve_in_order  1 call" "$T/small.txt" && ! grep -Fq "needs at least" "$T/small.txt"
}
if wait_for 5 small_screen; then
	ok "resized to 80x24, the lines screen still has the graph and the table"
else
	not_ok "resized to 80x24"
	dump
fi
tm resize-window -t lab -x 120 -y 36
expect "resized back to 120x36" "Lines (Esc: back)" 5
keys Escape
if wait_for 5 shows "Enter: run  l: lessons" && shows "E21  Profile the lines" &&
	hides "Lines (Esc: back)"; then
	ok "Esc goes back to the lesson it was opened from"
else
	not_ok "Esc goes back to the lesson it was opened from"
	dump
fi
grep -qx E21 "$T/state/proflab/progress" 2>/dev/null && ok "E21 is marked done" ||
	not_ok "E21 is marked done" "$(cat "$T/state/proflab/progress" 2>&1)"
keys L
expect "L shows the lines screen again" "serve_in_order  1 call" 5
keys BSpace
expect_gone "Backspace goes back too" "Lines (Esc: back)" 5
keys q
expect "q quits" "PROFLAB-EXIT=0" 5
if no_worker "$EX/[s]low_lines.py"; then
	ok "no worker is left"
else
	not_ok "no worker is left" "$(pgrep -af '[s]low_lines.py')"
fi

# --- E25: the line memory meter on memory_hog.py, then in ASCII --------------------------------------------
MH=$EX/memory_hog.py
L_GRID=$(lineno "$MH" "grid = np.ones(")
for mode in unicode ascii; do
	if [ "$mode" = ascii ]; then start --ascii lesson 8; else start lesson 8; fi
	wait_for 10 shows "8. Memory profiling"
	select_ex E25
	keys Enter
	expect "E25 ($mode) opens the memory lines" "line memory meter, 1 function" 60
	if ! have_numpy; then
		skip "E25's increments ($mode)" "no numpy for $PY"
		skip "E25's memory given back ($mode)" "no numpy for $PY"
		skip "E25's whole run ($mode)" "no numpy for $PY"
		[ "$mode" = ascii ] && skip "--ascii draws no Unicode" "no numpy for $PY"
		keys q
		continue
	fi
	inc=$(field 4 "grid = np.ones(")
	occ=$(field 6 "buffers.append(")
	if awk "BEGIN { exit !($inc >= 90 && $inc <= 100) }" 2>/dev/null && [ "$occ" = 4 ] &&
		[ "$(field 6 "for _ in range(4)")" = 5 ]; then
		ok "E25 ($mode): the 100 MB array's increment is $inc MiB; the loop's occurrences are 4 and 5"
	else
		not_ok "E25 ($mode): increments and occurrences" "$(row "grid = np.ones(")" "$(row "buffers.append(")"
	fi
	shows_re "whole run: peak [0-9.]+ MiB, increment [0-9.]+ MiB" &&
		shows_re "^hold_and_release  1 call  peak [0-9.]+ MiB, largest increment \+[0-9.]+ MiB \(line $L_GRID\)" &&
		ok "E25 ($mode): the whole run's peak and the function's largest increment" ||
		{ not_ok "E25 ($mode): the whole run's peak and the function's largest increment"; dump; }
	# The first row that gives memory back (the dels; under ASan's quarantine not all do).
	del=$(screen | awk '$3 == "MiB" && $4 ~ /^-/ && $5 == "MiB" { print NR; exit }')
	if [ "$mode" = unicode ]; then
		neg='░'
		pos='█'
	else
		neg='-'
		pos='#'
	fi
	[ -n "$del" ] && click 10 "$del"
	if [ -n "$del" ] &&
		wait_for 5 shows_re "^line [0-9]+: 1 occurrence, increment -[0-9.]+ MiB \(memory given back\)" &&
		screen | sed -n "${del}p" | grep -Eq -- "MiB +[0-9]+ +$neg+ " &&
		row "grid = np.ones(" | grep -Eq -- "MiB +[0-9]+ +$pos{20} "; then
		ok "E25 ($mode): memory given back is drawn apart and told in words"
	else
		not_ok "E25 ($mode): memory given back is drawn apart and told in words"
		dump
	fi
	if [ "$mode" = ascii ]; then
		if screen | LC_ALL=C grep -q '[^ -~]'; then
			not_ok "--ascii draws no Unicode" "$(screen | LC_ALL=C grep '[^ -~]' | head -3)"
		else
			ok "--ascii draws no Unicode"
		fi
	else
		# X12: memory --peak, only the whole run's line.
		keys Escape
		wait_for 5 hides "Lines (Esc: back)"
		select_ex X12
		keys Enter
		if wait_for 60 shows_re "^  peak memory: [0-9]+\.[0-9]{2} MiB, increment: [0-9]+\.[0-9]{2} MiB$"; then
			ok "X12 (--peak) shows the whole run's peak and increment as %memit prints them"
		else
			not_ok "X12 (--peak) shows the whole run's peak and increment"
			dump
		fi
		hides "Line Contents" && shows "the whole run (--peak)" &&
			ok "... and no line table" || { not_ok "... and no line table"; dump; }
	fi
	keys q
	wait_for 5 shows "PROFLAB-EXIT=0"
done

# --- from the profile table: l and back -------------------------------------------------------------------
start lesson 6
wait_for 10 shows "6. Function-level profiling"
keys Enter
expect "E16 opens the profile" "{built-in method builtins.sum}" 30
keys / s u m Enter
wait_for 5 shows 'filter "sum": 1 of'
keys l
expect "l on a built-in says it has no lines" "{built-in method builtins.sum} is built in: it has no lines to time" 5
keys / C-u l i s t c o m p Enter
if wait_for 5 shows 'filter "listcomp": 1 of'; then
	keys l
	expect "l on a comprehension says to time the function around it" "is not a def" 5
else
	skip "l on a comprehension" "this Python has no <listcomp> frames"
fi
keys / C-u c o m p u t e _ r e s u l t Enter
wait_for 5 shows 'filter "compute_result": 1 of'
keys l
expect "l times the selected function's lines" "line timer, 1 function" 30
shows "E16: compute.py" && shows_re "^compute_result  2 calls  total time" &&
	ok "... compute_result's, under E16's name" || { not_ok "... compute_result's, under E16's name"; dump; }
is "$(field 2 "total += sum(data")/$(field 2 "for chunk in range(CHUNKS)")" "20/22" \
	"sum's line ran 20 times, the for line 22"
shows "lines of compute_result done: exited with status 0" && shows_re 'CPU [0-9]+ %' &&
	ok "the status says the lines run is done; its graph is on top" ||
	not_ok "the status says the lines run is done; its graph is on top" "$(screen | tail -n 1)"
keys Escape
if wait_for 5 shows "Profile (P: lesson)" && shows 'filter "compute_result": 1 of' &&
	shows_re 'CPU [0-9]+ %' && hides "No recording"; then
	ok "Esc goes back to the profile, with its filter and its run's graph"
else
	not_ok "Esc goes back to the profile"
	dump
fi
keys e
expect "... on the same row (e explains compute_result)" "compute.py:21(compute_result) (any key closes)" 5
keys x
keys L
expect "L shows the lines again from the profile" "line timer, 1 function" 5
keys Escape
expect "... and Esc goes back to the profile" "Profile (P: lesson)" 5
keys q
wait_for 5 shows "PROFLAB-EXIT=0"

# --- a function that never runs, a name that matches nothing, a stopped run ----------------------------------
cat >"$T/loop.py" <<'EOF'
import sys


def busy(n):
    total = 0
    for i in range(n):
        total += i
    return total


def unused():
    return 1


def main():
    if len(sys.argv) > 1:
        print("loop: started", flush=True)
        while True:
            busy(1000)
    busy(10)


main()
EOF
mkdir -p "$T/data/lessons"
cat >"$T/data/lessons/07-lines.md" <<EOF
# 7. Lines

\`\`\`proflab exercise=E21 title="Never runs" needs=lines
proflab lines -f busy -f unused $T/loop.py
\`\`\`

\`\`\`proflab exercise=E22 title="No such function" needs=lines
proflab lines -f no_such_function $T/loop.py
\`\`\`

\`\`\`proflab exercise=E23 title="Forever" needs=lines
proflab lines -f busy $T/loop.py forever
\`\`\`
EOF
DATADIR="$T/data" start lesson 7
wait_for 10 shows "7. Lines"
select_ex E21
keys Enter
expect "-f busy -f unused: the pane opens" "line timer, 2 functions" 30
keys n
expect "a function that never ran says so" "unused  0 calls  never ran: nothing was measured" 5
shows "unused never ran (0 calls): no line was measured" && shows "return 1" &&
	ok "... with its source and no numbers" || { not_ok "... with its source and no numbers"; dump; }
keys Escape
wait_for 5 hides "Lines (Esc: back)"
select_ex E22
keys Enter
if wait_for 30 shows_re "^ E22: -f no_such_function: no function .*loop.py" &&
	hides "Lines (Esc: back)"; then
	ok "a name that matches nothing: one line on the status line, the lesson stays"
else
	not_ok "a name that matches nothing: one line on the status line"
	dump
fi
select_ex E23
keys Enter
wait_for 30 shows "loop: started"
keys Escape
expect "Esc stops the run and its partial table opens" "the table covers the run up to then" 20
if [ "$(field 2 "total += i")" -gt 0 ] 2>/dev/null; then
	ok "... with the lines busy ran ($(field 2 "total += i") hits)"
else
	not_ok "... with the lines busy ran" "$(row "total += i")"
	dump
fi
keys q
wait_for 5 shows "PROFLAB-EXIT=0"
if wait_for 5 no_worker "$T/[l]oop.py"; then
	ok "no worker is left after the stop"
else
	not_ok "no worker is left after the stop" "$(pgrep -af '[l]oop.py')"
fi
