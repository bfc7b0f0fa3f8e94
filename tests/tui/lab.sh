# The harness of the TUI tests (sourced after tests/lib.sh): proflab ($P) in
# a private tmux server, and the screen read back with capture-pane.
#
#   LAB_CWD      the directory proflab starts in (default: the test's)
#   LCALL        its LC_ALL (default C.UTF-8)
#   DATADIR      its PROFLAB_DATADIR, if set
#
# Each start gets a new server: the old one may still be going away. The
# script defines test_cleanup, which should call `tm kill-server`.
[ -n "${T:-}" ] || bail_out "tests/tui/lab.sh needs T (tap_tmpdir) first"
mkdir -p "$T/home"
lab_n=0
SOCK="proflab-lab-$$-0"

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }

# start ARGS...: proflab ARGS in a fresh 120x36 tmux session.
start() {
	tm kill-server 2>/dev/null
	lab_n=$((lab_n + 1))
	SOCK="proflab-lab-$$-$lab_n"
	tm new-session -d -x 120 -y 36 -s lab ${LAB_CWD:+-c "$LAB_CWD"} \
		"env -u TMUX TERM=xterm-256color LC_ALL=${LCALL:-C.UTF-8} HOME=$T/home \
		XDG_STATE_HOME=$T/state ${DATADIR:+PROFLAB_DATADIR=$DATADIR} $P $*; \
		echo PROFLAB-EXIT=\$?; sleep 600"
}
screen() { tm capture-pane -p -t lab; }
shows() { screen | grep -Fq -- "$1"; }
shows_re() { screen | grep -Eq -- "$1"; }
hides() { ! screen | grep -Fq -- "$1"; }
keys() { tm send-keys -t lab "$@"; }
# click X Y: a left click at 1-based column X, row Y (SGR mouse report).
click() { keys -l "$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' "$1" "$2" "$1" "$2")"; }
# dump: the screen as TAP diagnostics.
dump() { screen | sed 's/^/  | /' | head -40 | while IFS= read -r l; do diag "$l"; done; }
# expect DESC TEXT [SECONDS]: ok when TEXT appears on the screen in time.
expect() {
	if wait_for "${3:-10}" shows "$2"; then
		ok "$1"
	else
		not_ok "$1" "waited for: $2"
		dump
	fi
}
# select_ex ID: n until the lesson shows exercise ID selected (n p first: a lesson opens
# on its first exercise, maybe out of sight).
select_ex() {
	wait_for 1 shows_re "(▶|>) $1 " && return 0
	keys n p
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		wait_for 1 shows_re "(▶|>) $1 " && return 0
		keys n
	done
	return 1
}
# expect_gone DESC TEXT [SECONDS]: ok when TEXT has left the screen in time.
expect_gone() {
	if wait_for "${3:-10}" hides "$2"; then
		ok "$1"
	else
		not_ok "$1" "waited for this to go: $2"
		dump
	fi
}
