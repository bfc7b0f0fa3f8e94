#!/bin/sh
# The lab, end to end, in a real tmux: open, move between lessons, run
# spam.py and watch the graph and the output move, resize during the run,
# stop it, the help and lesson overlays, a mouse click, progress kept
# across a restart, a malformed lesson, presenter mode's freeze, --ascii,
# quitting during a run, and lesson 5's X8 (proflab timeit) in the lab. No fixed sleeps: every step waits for the
# screen to show what it expects, with a deadline.
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
[ -x "$P" ] || bail_out "no proflab at $P"
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
tap_tmpdir
T=$TEST_TMP
. "$top_srcdir/tests/tui/lab.sh"

test_cleanup() {
	tm kill-server 2>/dev/null
	pkill -f "$top_srcdir/exercises/[s]pam.py" 2>/dev/null
	return 0
}
# The output pane's rows (right of the pane separator) joined: wrapped lines read whole.
output_shows() { screen | sed -n 's/^.*│ //p' | tr -d '\n' | grep -Fq -- "$1"; }
value() { screen | sed -n "s/.*$1 \([0-9.]*\) .*/\1/p" | head -n 1; }

plan 36

start lesson 0
expect "the lab opens on lesson 0 with a status line" "0. " 10
shows "q: quit" && ok "the status line shows the keys" || not_ok "the status line shows the keys"
keys Right
expect "Right opens the next lesson" "1. When to profile" 5
keys l
expect "l lists the lessons with their progress" "Lessons (Enter opens" 5
keys Down Down Enter
expect "Enter in the list opens that lesson" "3. " 5
keys '?'
expect "? shows the help, generated from the key table" "run the selected exercise" 5
keys q
wait_for 5 sh -c "! tmux -L $SOCK capture-pane -p -t lab 2>/dev/null | grep -q 'this help'"

# Run spam.py (E3, the second exercise of lesson 3).
keys n
expect "n selects the next exercise" "E3" 5
keys Enter
expect "Enter runs it: the status says running" "running E3" 10
expect "its output appears live" "spam: running" 15
wait_for 10 sh -c "[ \"\$(tmux -L $SOCK capture-pane -p -t lab 2>/dev/null | sed -n 's/.*Memory \([0-9.]*\) MB.*/\1/p' | cut -d. -f1)\" -gt 20 ]"
m1=$(value Memory)
wait_for 10 sh -c "tmux -L $SOCK capture-pane -p -t lab 2>/dev/null | grep -q 'holding.*about *[1-9][0-9][0-9]\.'"
m2=$(value Memory)
if awk -v a="$m1" -v b="$m2" 'BEGIN { exit !(b > a && a > 0) }'; then
	ok "the graph's memory value moves ($m1 -> $m2 MB)"
else
	not_ok "the graph's memory value moves" "$m1 -> $m2"
fi
shows_re 'CPU [1-9][0-9]* %' && ok "the graph shows the CPU in use" || not_ok "the graph shows the CPU in use" "$(screen | grep CPU)"

tm resize-window -t lab -x 60 -y 20
expect "resized to 60x20 during the run, it says the terminal is too small" "needs at least 80x24" 5
tm resize-window -t lab -x 200 -y 60
expect "resized to 200x60, the lab comes back with the run going on" "running E3" 5
keys Escape
expect "Esc stops the run with a KeyboardInterrupt" "E3 was interrupted (KeyboardInterrupt)" 10
if wait_for 5 sh -c "! pgrep -f '$top_srcdir/exercises/[s]pam.py' >/dev/null"; then
	ok "no worker is left after the stop"
else
	not_ok "no worker is left after the stop" "$(pgrep -af '[s]pam.py')"
fi

# A snippet exercise to completion, then the progress after a restart.
tm resize-window -t lab -x 120 -y 36
keys Right
expect "lesson 4 opens with its first exercise selected" "X2  Find your process id" 5
keys Enter
expect "a snippet runs to completion and is marked done" "X2 done: exited with status 0" 10
keys q
expect "q quits when nothing runs" "PROFLAB-EXIT=0" 5
start lesson 4
expect "progress survives a restart" "X2  Find your process id and threads  ✓ done" 10

# The mouse: a click on an exercise selects it (SGR mouse report, 1-based).
keys NPage
wait_for 5 shows "▷ E"
line=$(screen | grep -n '▷ [EX][0-9]' | head -n 1 | cut -d: -f1)
id=$(screen | grep -o '▷ [EX][0-9]*' | head -n 1 | cut -c5-)
if [ -n "$line" ]; then
	keys -l "$(printf '\033[<0;5;%dM\033[<0;5;%dm' "$line" "$line")"
	expect "a mouse click selects an exercise ($id)" "▶ $id" 5
else
	not_ok "a mouse click selects an exercise" "no unselected exercise on the screen"
fi
keys q

# A malformed lesson is reported by file and line; the lab goes on.
mkdir -p "$T/data/lessons"
cp "$top_srcdir/lessons/00-questions.md" "$T/data/lessons/"
printf '# 5. Broken\n\n```python exercise=E15 title="x" nedds=1\n1\n```\n' >"$T/data/lessons/05-broken.md"
DATADIR="$T/data" start
if wait_for 10 output_shows "05-broken.md:3: exercise block: unknown attribute 'nedds'"; then
	ok "a malformed lesson shows its file and line"
else
	not_ok "a malformed lesson shows its file and line" "$(screen | sed -n 's/^.*│ //p')"
fi
expect "the other lessons still load" "0. " 5
keys q

# --ascii: plain characters only.
start --ascii lesson 4
expect "--ascii draws with plain characters" "> X2  Find your process id" 10
if screen | grep -q '[│─▶▷┃]'; then
	not_ok "--ascii leaves no box-drawing character" "$(screen | grep '[│─▶▷┃]' | head -3)"
else
	ok "--ascii leaves no box-drawing character"
fi
keys q

# Presenter mode: the exercise at hand, and space freezes the graph.
start --present lesson 3
expect "presenter mode shows the exercise at hand" "E2" 10
keys n Enter
expect "presenter mode runs E3" "running E3" 10
wait_for 10 sh -c "[ \"\$(tmux -L $SOCK capture-pane -p -t lab 2>/dev/null | sed -n 's/.*Memory \([0-9.]*\) MB.*/\1/p' | cut -d. -f1)\" -gt 10 ]"
keys Space
wait_for 5 shows "FROZEN"
f1=$(value Memory)
wait_for 10 sh -c "tmux -L $SOCK capture-pane -p -t lab 2>/dev/null | grep -q 'holding.*about *[1-9][0-9][0-9]\.'"
f2=$(value Memory)
keys Space
wait_for 5 sh -c "! tmux -L $SOCK capture-pane -p -t lab 2>/dev/null | grep -q FROZEN"
wait_for 5 sh -c "[ \"\$(tmux -L $SOCK capture-pane -p -t lab 2>/dev/null | sed -n 's/.*Memory \([0-9.]*\) MB.*/\1/p')\" != '$f1' ]"
f3=$(value Memory)
if [ -n "$f1" ] && [ "$f1" = "$f2" ] && [ "$f3" != "$f1" ]; then
	ok "space freezes the graph while the run goes on, and resumes it ($f1, $f2, $f3)"
else
	not_ok "space freezes the graph while the run goes on, and resumes it" "$f1 $f2 $f3"
fi
keys q
expect "q during a run asks first" "Stop it and quit? (y/n)" 5
keys n
wait_for 5 sh -c "! tmux -L $SOCK capture-pane -p -t lab 2>/dev/null | grep -q 'Stop it and quit'"
shows "running E3" && ok "n keeps the lab and the run" || not_ok "n keeps the lab and the run"
keys C-c
expect "Ctrl-C stops the run, not the lab" "E3 was interrupted (KeyboardInterrupt)" 10
keys Enter
expect "the exercise runs again" "running E3" 10
keys q
wait_for 5 shows "Stop it and quit? (y/n)"
keys y
expect "y stops the run and quits" "PROFLAB-EXIT=0" 10
if wait_for 5 sh -c "! pgrep -f '$top_srcdir/exercises/[s]pam.py' >/dev/null"; then
	ok "no worker is left after quitting during a run"
else
	not_ok "no worker is left after quitting during a run" "$(pgrep -af '[s]pam.py')"
fi

# X8 is `proflab timeit`: it runs in the lab, its line in the output.
start lesson 5
if select_ex X8; then ok "X8 can be selected"; else not_ok "X8 can be selected"; dump; fi
keys Enter
expect "X8 prints python -m timeit's line in the output" "100 loops, best of 5:" 60
expect "... and is marked done" "X8 done" 10
