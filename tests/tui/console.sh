#!/bin/sh
# The console screen, end to end, in a real tmux: C opens it (the worker runs
# in the exercises' folder); expressions echo, names persist, a multi-line def
# ends at a blank line; %time and %timeit print IPython's lines; %prun opens
# the profile screen and C comes back; Ctrl-C interrupts a statement and the
# namespace stays; a statement that kills its worker gets a new one and the
# console says so; Ctrl-C at the prompt drops the input; the input history
# comes back in a new session; F1 lists the keys; Esc leaves and C returns to
# the same transcript; exercise X7 is typed at the console and marked done.
# No fixed sleeps: every step waits for the screen, with a deadline.
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
mkdir -p "$W"
unset PROFLAB_WORKER PROFLAB_DATADIR
. "$top_srcdir/tests/tui/lab.sh"

test_cleanup() {
	tm kill-server 2>/dev/null
	return 0
}

# type TEXT: TEXT typed literally, then Enter.
type_line() {
	keys -l "$1"
	keys Enter
}

start lesson 5
expect "the lab opens on lesson 5" "5. " 10
keys C
expect "C opens the console screen" "Console (Esc: back, F1: keys)" 10
expect "... which says where its Python runs and its % commands" "% commands: %time, %timeit" 5
expect "... with a prompt" ">>>" 5
type_line "x = 6 * 7"
type_line "x"
expect "an expression's value is echoed, and a name set before is kept" "42" 10
type_line "def f(n):"
if wait_for 5 shows_re "^\\.\\.\\. *$"; then ok "a def goes on: the next line is a continuation"; else not_ok "a def goes on: the next line is a continuation"; dump; fi
type_line "return n + 1000"
type_line ""
type_line "f(x)"
expect "a multi-line def ends at a blank line (auto-indented body)" "1042" 10
type_line "%time sum(range(10))"
expect "%time prints the CPU times as IPython does" "CPU times: user" 10
expect "... the wall time" "Wall time:" 5
expect "... and then the value" "45" 5
type_line "%timeit -n 10 -r 3 sum(range(1000))"
expect "%timeit prints IPython's line" "per loop (mean ± std. dev. of 3 runs, 10 loops each)" 20
type_line "1/0"
expect "a traceback names the console's input" 'File "<console-' 10
expect "... and the error" "ZeroDivisionError: division by zero" 5

# Ctrl-C interrupts the statement; the console and its names stay.
type_line "while True: pass"
expect "a running statement shows on the status line" "console: running" 10
keys C-c
expect "Ctrl-C interrupts it" "KeyboardInterrupt" 10
type_line "x + 1"
expect "... and the names stay" "43" 10

# A statement that kills its worker: a new one, and the console says so.
type_line "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
expect "a killed worker is replaced and the console says so" "a new worker has started" 15
type_line "x"
expect "... the names went with it" "NameError: name 'x' is not defined" 10
type_line "20 + 22"
expect "... and the new worker runs statements" "42" 10

# %prun opens the profile screen; C comes back.
type_line "%prun sum(range(100000))"
expect "%prun opens the profile screen" "Profile (P: lesson)" 15
expect "... with the statement's profile" "{built-in method builtins.sum}" 5
keys C
expect "C goes back to the console" "Console (Esc: back, F1: keys)" 5
expect "... which says where the profile went" "the profile is on the profile screen" 5

# Ctrl-C at the prompt drops the input.
keys -l "never run"
expect "typed text shows at the prompt" ">>> never run" 5
keys C-c
expect_gone "Ctrl-C at the prompt drops it" ">>> never run" 5

keys F1
expect "F1 lists the console's keys" "Console keys (any key closes)" 5
expect "... Ctrl-C among them" "interrupt the statement" 5
keys Escape
expect_gone "any key closes the help" "Console keys (any key closes)" 5
keys Escape
expect "Esc goes back where the console was opened from (the profile screen)" "Profile (P: lesson)" 5
keys P
expect "... and P to the lesson" "Enter: run" 5
keys C
expect "C returns to the same transcript" "the profile is on the profile screen" 5

# The input history, in a new session.
keys Escape q
expect "q quits" "PROFLAB-EXIT=0" 10
start lesson 5
expect "the lab opens again" "5. " 10
keys C
expect "the console opens again" "Console (Esc: back, F1: keys)" 10
keys Up
expect "Up brings back the last input of the session before" ">>> %prun sum(range(100000))" 5
keys Up
expect "... and the one before it" ">>> 20 + 22" 5
keys Down Down
expect_gone "Down comes back to the empty input" ">>> %prun sum(range(100000))" 5
grep -q '^20 + 22$' "$T/state/proflab/console_history" &&
	ok "the history is kept in \$XDG_STATE_HOME/proflab/console_history" ||
	not_ok "the history is kept in \$XDG_STATE_HOME/proflab/console_history" "$(tail -3 "$T/state/proflab/console_history" 2>&1)"

# Exercise X7: typed at the console, marked done.
keys Escape
if select_ex X7; then ok "X7 selected"; else not_ok "X7 selected"; dump; fi
keys Enter
expect "X7 opens the console and types its first line" ">>> %time sum(range(1000000))" 10
expect "... then its second" ">>> %timeit sum(range(1000000))" 30
expect "... whose result comes" "(mean ± std. dev. of 7 runs," 60
expect "X7 is done" "X7 done" 10
grep -qx X7 "$T/state/proflab/progress" && ok "X7 is kept as done" ||
	not_ok "X7 is kept as done" "$(cat "$T/state/proflab/progress" 2>&1)"
keys Escape q
expect "q quits" "PROFLAB-EXIT=0" 10
if ls /tmp/proflab-console.* >/dev/null 2>&1 && [ -n "$(find /tmp -maxdepth 1 -name 'proflab-console.*' -newer "$T/wd" 2>/dev/null)" ]; then
	not_ok "the console's temporary folder is removed" "$(ls -d /tmp/proflab-console.*)"
else
	ok "the console's temporary folder is removed"
fi
done_testing
