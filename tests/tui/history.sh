#!/bin/sh
# The run history in the lab, end to end, in a real tmux: a script never run
# has no runs yet; an exercise run twice says what changed since the last run
# at the end of the output pane (never on the terminal's stderr); a profile
# exercise run twice says how its top function changed and what cProfile
# cost; a python snippet is not kept; H opens the history screen on the
# selected exercise's script (every run, newest at the bottom, the change
# against the last comparable run), Up/Down and a click select, Space marks
# and compares two runs (the change line, the top functions side by side),
# ? lists the keys, Esc and H go back (to the lesson, to the profile
# screen); a resize; --ascii. A private
# XDG_STATE_HOME; no fixed sleeps: every step waits for the screen.
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
[ -x "$P" ] || bail_out "no proflab at $P"
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
tap_tmpdir
T=$TEST_TMP
W=$T/wd
LAB_CWD=$W
mkdir -p "$W" "$T/data/lessons"
unset PROFLAB_WORKER PROFLAB_DATADIR XDG_STATE_HOME
. "$top_srcdir/tests/tui/lab.sh"
H=$T/state/proflab/history.jsonl

test_cleanup() {
	tm kill-server 2>/dev/null
	return 0
}

cat >"$T/work.py" <<'PYEOF'
def hot(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def cold(n):
    return sum(range(n))


print("work:", hot(300000) + cold(1000))
PYEOF
{
	printf '# 6. History\n\n'
	printf '```proflab exercise=E16 title="Run work.py"\nproflab run %s\n```\n\n' "$T/work.py"
	printf '```proflab exercise=E17 title="Profile work.py" needs=profile\nproflab profile %s\n```\n\n' \
		"$T/work.py"
	printf '```python exercise=X9 title="A snippet"\nprint("snippet ran")\n```\n'
} >"$T/data/lessons/06-history.md"

# The output pane's rows (right of the pane separator) joined, without spaces: wrapped
# lines read whole even where a row ended in a space (capture-pane drops it). So
# output_shows_re takes a pattern without spaces.
output() { screen | sed -n 's/^.*│ //p' | tr -d '\n '; }
output_shows() { output | grep -Fq -- "$(printf '%s' "$1" | tr -d ' ')"; }
output_shows_re() { output | grep -Eq -- "$1"; }
expect_output() {
	if wait_for "${3:-10}" output_shows "$2"; then
		ok "$1"
	else
		not_ok "$1" "waited for: $2"
		dump
	fi
}
kept() { if [ -f "$H" ]; then wc -l <"$H" | tr -d ' '; else echo 0; fi; }
kept_is() { [ "$(kept)" = "$1" ]; }
# row N: the history screen's row of run #N (pointer, mark, number, time).
row() { screen | grep -E "^ [▶> ][●* ] +$1 [0-9-]+ [0-9:]+ " | head -n 1; }
row_y() { screen | grep -nE "^ [▶> ][●* ] +$1 [0-9-]+ [0-9:]+ " | head -n 1 | cut -d: -f1; }
selected_is() { screen | grep -qE "^ [▶>][●* ] +$1 "; }

DATADIR="$T/data" start lesson 6 "2>$T/tui.err"
expect "the lab opens on the private lesson" "6. History" 10
select_ex E16 || { not_ok "E16 can be selected"; dump; }

# --- a script never run ------------------------------------------------------------------------
keys H
expect "H opens the history screen" "History (H or Esc: back)" 5
expect "... one line for a script never run" "no runs of $T/work.py yet (kept in $H)" 5
keys Escape
expect "Esc goes back to the lesson" "Enter: run" 5

# --- a run twice ---------------------------------------------------------------------------------
keys Enter
expect "E16 runs" "E16 done: exited with status 0" 20
expect_output "... its output in the pane" "work: " 5
if wait_for 5 kept_is 1 && ! output_shows "since the last run"; then
	ok "the first run is kept, and has nothing to compare with"
else
	not_ok "the first run is kept" "$(kept) runs kept"
	dump
fi
keys Enter
if wait_for 20 output_shows_re "work:[0-9]+proflab:sincethelastrun:[0-9.]+s->[0-9.]+s,([0-9.]+x(faster|slower)|aboutthesame);peak[0-9.]+->[0-9.]+MB\(againsttherunof[0-9-]+[0-9:]+UTC\)$"; then
	ok "the second run says what changed, at the end of the output pane"
else
	not_ok "the second run says what changed, at the end of the output pane" "$(output)"
	dump
fi
if wait_for 5 kept_is 2; then ok "... and is kept"; else not_ok "... and is kept" "$(kept) runs kept"; fi

# --- a profile twice: the top function, cProfile's cost ------------------------------------------
select_ex E17 || { not_ok "E17 can be selected"; dump; }
keys Enter
expect "E17 profiles work.py" "Profile (P: lesson)" 20
wait_for 5 kept_is 3
keys P
wait_for 5 shows "Enter: run"
keys Enter
wait_for 20 kept_is 4
expect "the second profile opens too" "Profile (P: lesson)" 10
keys H
expect "H on the profile screen opens the history" "$T/work.py: 4 runs" 5
keys H
expect "... and H goes back to the profile screen" "Profile (P: lesson)" 5
keys P
expect_output "back on the lesson, the output says what changed" "proflab: since the last run: " 5
if output_shows_re "proflab:top:work\.py:1\(hot\)[0-9]+\.[0-9]{3}s->[0-9]+\.[0-9]{3}s"; then
	ok "... how the top function changed"
else
	not_ok "... how the top function changed" "$(output)"
fi
if output_shows_re "proflab:cProfileon:[0-9.]+xtheplainrun\([0-9.]+sagainst[0-9.]+s,themedianof2plainruns\)"; then
	ok "... and what cProfile cost against the two plain runs"
else
	not_ok "... and what cProfile cost" "$(output)"
fi

# --- the history screen --------------------------------------------------------------------------
keys H
expect "H opens the history of the selected exercise's script" \
	"$T/work.py: 4 runs, the newest at the bottom" 5
if shows_re "# +when \(UTC\) +kind +status +wall +cpu +peak +change +machine"; then
	ok "... under column headings"
else
	not_ok "... under column headings"
	dump
fi
if row 1 | grep -Eq ' run +0 +[0-9.]+ s +[0-9.]+ s +[0-9.]+ MB  - +[0-9a-f]{8}' &&
	row 2 | grep -Eq ' run +0 .* (faster|slower|about the same) vs #1 ' &&
	row 3 | grep -Eq ' profile +0 .*  - +[0-9a-f]{8}' &&
	row 4 | grep -Eq '^ ▶  +4 .* profile +0 .* vs #3 '; then
	ok "... every run, oldest first, the newest selected, each against its last comparable run"
else
	not_ok "... every run, oldest first" "$(screen | head -n 10)"
fi
expect "... the comparison: the selected run against its last comparable one" \
	"#4 against #3, the last run before it" 5
if shows_re "#3 -> #4: [0-9.]+ s -> [0-9.]+ s" &&
	shows "Top functions by internal time: #3 on the left, #4 on the right" &&
	shows_re "work\.py:1\(hot\) +│ +[0-9]+ +[0-9.]+  work\.py:1\(hot\)"; then
	ok "... with the change line and the top functions side by side"
else
	not_ok "... with the change line and the top functions side by side"
	dump
fi
if shows "Space: mark"; then ok "the status line names the screen's keys"; else not_ok "the status line names the screen's keys"; fi

keys Up Up
if wait_for 5 selected_is 2; then ok "Up selects the run before"; else not_ok "Up selects the run before"; dump; fi
expect "... and compares it with its last comparable run" "#2 against #1" 5
keys Space
expect "Space marks it" "#2 is marked: select another run to compare with it" 5
keys Down Down
expect "Down selects the newest: the marked run against it" "#2 (marked) against #4 (selected)" 5
if row 2 | grep -Eq '^  ● +2 '; then ok "... the marked row has a mark"; else not_ok "... the marked row has a mark" "$(row 2)"; fi
if shows_re "#2 -> #4: [0-9.]+ s -> [0-9.]+ s, ([0-9.]+x (faster|slower)|about the same); peak"; then
	ok "... the change line as proflab says it"
else
	not_ok "... the change line as proflab says it"
	dump
fi
if shows "not like for like: run against profile"; then
	ok "... and that a plain run against a profile is not like for like"
else
	not_ok "... not like for like"
	dump
fi
if shows "(not profiled)"; then ok "... the plain run's side has no top functions"; else not_ok "... the plain run's side has no top functions"; dump; fi

y=$(row_y 1)
if [ -n "$y" ]; then
	click 10 "$y"
	expect "a click selects a run" "#1 (selected) against #2 (marked)" 5
else
	not_ok "a click selects a run" "no row 1"
fi
keys m
expect "m marks too (the mark moves)" "#1 is marked" 5
keys m
expect "... and again unmarks" "#1: no earlier run of the same kind" 5

keys '?'
expect "? lists the history screen's keys" "History keys" 5
expect "... Space among them" "mark a run to compare with the selected one" 5
keys q
expect_gone "a key closes the help" "History keys" 5

tm resize-window -t lab -x 80 -y 24
expect "after a resize to 80x24 the screen is drawn again" "History (H or Esc: back)" 5
if wait_for 5 selected_is 1; then ok "... with its rows"; else not_ok "... with its rows"; dump; fi
tm resize-window -t lab -x 120 -y 36
expect "... and back to 120x36" "Compare" 5

keys H
expect "H goes back to the lesson" "Enter: run" 5
keys H
expect "H opens it again" "History (H or Esc: back)" 5
keys Escape
expect "... and Esc goes back" "Enter: run" 5

# --- a snippet is not kept -----------------------------------------------------------------------
select_ex X9 || { not_ok "X9 can be selected"; dump; }
keys Enter
expect "the snippet runs" "X9 done" 15
is "$(kept)" 4 "a python snippet is not kept in the history"
keys H
expect "H on a snippet shows the last run's script" "$T/work.py: 4 runs" 5
keys Escape
keys q
expect "q quits" "PROFLAB-EXIT=0" 10
if [ -s "$T/tui.err" ]; then
	not_ok "nothing was written on the terminal's stderr" "$(head -c 400 "$T/tui.err")"
else
	ok "nothing was written on the terminal's stderr"
fi

# --- --ascii -------------------------------------------------------------------------------------
DATADIR="$T/data" start --ascii lesson 6
expect "--ascii: the lab opens" "6. History" 10
select_ex E17 >/dev/null
keys H
expect "--ascii: H opens the history" "work.py: 4 runs" 5
if wait_for 5 selected_is 4 && ! screen | grep -q '[│─▶●]'; then
	ok "--ascii: plain characters only"
else
	not_ok "--ascii: plain characters only" "$(screen | grep '[│─▶●]' | head -3)"
fi
keys q
expect "q quits" "PROFLAB-EXIT=0" 10
done_testing
