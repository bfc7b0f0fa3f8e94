#!/bin/sh
# The machine screen, end to end, in a real tmux: M opens it from the lesson
# (fingerprint, a meter per CPU, memory and swap, the report), its live values
# are read again while it is open, the report scrolls, ? lists its keys, Esc
# and M go back; lesson 4's X3 opens it and is marked done; b runs the
# benchmarks as a recorded run (the graph on top, the fingerprint on its
# axis) and their results join the report; Esc stops a benchmark run; a
# resize. No fixed sleeps: every step waits for the screen, with a deadline.
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
PY=/usr/bin/python3.11
[ -x "$P" ] || bail_out "no proflab at $P"
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
tap_tmpdir
T=$TEST_TMP
W=$T/wd
LAB_CWD=$W
mkdir -p "$W"
unset PROFLAB_WORKER PROFLAB_DATADIR PROFLAB_MACHINE_ROOT
. "$top_srcdir/tests/tui/lab.sh"

test_cleanup() {
	tm kill-server 2>/dev/null
	return 0
}

id=$("$P" machine --json 2>/dev/null | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["fingerprint"]["id"])')
[ -n "$id" ] || bail_out "proflab machine --json gave no fingerprint"

# uptime: the report's uptime value as the screen shows it.
uptime_shown() { screen | awk '$1 == "uptime" { print $2, $3, $4 }' | head -n 1; }
uptime_changed() { [ "$(uptime_shown)" != "$1" ]; }

start lesson 4
expect "the lab opens on lesson 4" "4. Measure CPU and memory usage" 10
keys M
expect "M opens the machine screen" "Machine (M or Esc: back)" 10
expect "... with the fingerprint of proflab machine" "machine $id " 5
expect "... a meter per CPU, read twice" "%]" 5
expect "... the memory meter" "Mem[" 5
expect "... and the report" "usable" 5
expect "the status line names the screen's keys" "b: benchmarks" 5
u=$(uptime_shown)
if [ -n "$u" ] && wait_for 5 uptime_changed "$u"; then
	ok "the live values are read again while the screen is open (uptime $u -> $(uptime_shown))"
else
	not_ok "the live values are read again" "uptime stayed '$u'"
	dump
fi

keys NPage NPage NPage
expect "PgDn scrolls to the end of the report" "  psutil" 5
expect "... where the Python proflab runs is" "Python (the one proflab runs)" 5
keys PPage PPage PPage
expect "PgUp scrolls back to the top" "model" 5

keys '?'
expect "? lists the machine screen's keys" "Machine keys" 5
expect "... b among them" "run the quick benchmarks" 5
keys q
expect_gone "a key closes the help" "Machine keys" 5

keys Escape
expect "Esc goes back to the lesson" "Enter: run" 5
keys M
expect "M opens it again" "Machine (M or Esc: back)" 5
keys M
expect "... and M closes it" "Enter: run" 5

# X3 is `proflab machine`: it opens the screen and is done.
if select_ex X3; then ok "X3 can be selected"; else not_ok "X3 can be selected"; dump; fi
keys Enter
expect "Enter on X3 opens the machine screen" "Machine (M or Esc: back)" 10
expect "... and marks X3 done" "X3 done" 5

# b: the benchmarks, recorded on the graph, their results in the report.
expect "before b, the graph says nothing was recorded" "Nothing recorded yet" 5
keys b
expect "b starts the benchmarks" "running the quick benchmarks" 10
expect "... recorded on the graph" "CPU " 10
expect "... their results join the report" "numpy.dot" 60
expect "... the network has its line, whatever it found" "  network " 5
expect "... the graph's axis carries the fingerprint" "machine $id " 5
expect "the status line says the benchmarks are done" "benchmarks done" 5

# Esc stops a benchmark run; the screen says how it ended.
keys b
expect "b runs them again" "running benchmarks" 10
keys Escape
expect "Esc stops them, and the screen says so" "benchmarks: proflab machine --bench" 15

tm resize-window -t lab -x 80 -y 24
expect "after a resize to 80x24 the screen is drawn again" "Machine (M or Esc: back)" 5
tm resize-window -t lab -x 120 -y 36
expect "... and back to 120x36" "Mem[" 5

keys q
expect "q quits" "PROFLAB-EXIT=0" 10
done_testing
