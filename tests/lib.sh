# TAP helpers for proflab's shell tests (POSIX sh; dash and bash).
#
#   . "$top_srcdir/tests/lib.sh"
#   plan 3                      # or call done_testing at the end instead
#   ok "it works"               # ok 1 - it works
#   not_ok "it broke" "why"     # not ok 2 - it broke, then "# why"
#   skip "numpy" "not installed"    # ok 3 - numpy # SKIP not installed
#
# Checks:
#   check DESC CMD...          ok when CMD exits 0 (under the per-test timeout)
#   is GOT WANT DESC           ok when the strings are equal, else both in the diagnostics
#   same_file GOT WANT DESC    ok when the files are byte-identical, else a diff
#   grep_file PATTERN FILE DESC    ok when grep -E finds PATTERN in FILE
#   has_line LINE FILE DESC    ok when FILE has a line equal to LINE (no regex)
# Time:
#   with_timeout CMD...        runs CMD under timeout(1): $TEST_TIMEOUT seconds (default 30),
#                              then SIGKILL 5 s later; a timed-out command returns 124/137
#                              (a shell function: `with_timeout CMD &` makes $! a subshell;
#                              for a pid to signal, run `timeout ... CMD &` directly)
#   wait_for SECS CMD...       polls CMD (every 50 ms) until it succeeds: 0, or 1 once
#                              SECS (may be fractional) have passed; no fixed sleeps
#   now_ms                     prints a monotonic-enough wall clock in milliseconds
# Files and cleanup:
#   tap_tmpdir                 makes $TEST_TMP, removed at exit; a function named
#                              test_cleanup, if the test defines one, runs first
#   diag MSG... / diag_file FILE   diagnostics on stdout as "# ..." lines, one per MSG
#   bail_out MSG               "Bail out! MSG" and exit 1
#
# Output is TAP on stdout; the exit status is 0 when every test passed and the
# plan matched, else 1 (also when the script ends before done_testing). The
# library sets an EXIT trap: a test wanting its own cleanup defines test_cleanup.

_tap_n=0
_tap_failed=0
_tap_planned=
_tap_bailed=

TEST_TIMEOUT=${TEST_TIMEOUT:-30}

plan() {
	_tap_planned=$1
	echo "1..$1"
}

done_testing() {
	if [ -z "$_tap_planned" ]; then
		_tap_planned=$_tap_n
		echo "1..$_tap_n"
	fi
}

diag() {
	for _tap_l in "$@"; do
		printf '%s\n' "$_tap_l"
	done | sed 's/^/# /'
}

diag_file() {
	if [ -f "$1" ]; then
		head -c 4000 "$1" | sed 's/^/#   /'
		echo
	fi
}

ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}

not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $1"
	shift
	[ $# -gt 0 ] && diag "$@"
	return 0
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

bail_out() {
	echo "Bail out! $*"
	_tap_bailed=1
	exit 1
}

with_timeout() {
	timeout -k 5 "$TEST_TIMEOUT" "$@"
}

check() {
	_tap_desc=$1
	shift
	if with_timeout "$@"; then
		ok "$_tap_desc"
	else
		not_ok "$_tap_desc" "command failed (status $?): $*"
	fi
}

is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "got:  '$1'" "want: '$2'"
	fi
}

same_file() {
	if cmp -s "$1" "$2"; then
		ok "$3"
	else
		not_ok "$3" "$1 and $2 differ:"
		diff -u "$2" "$1" 2>&1 | head -40 | sed 's/^/#   /'
	fi
}

grep_file() {
	if grep -Eq -- "$1" "$2" 2>/dev/null; then
		ok "$3"
	else
		not_ok "$3" "no match for /$1/ in $2:"
		diag_file "$2"
	fi
}

has_line() {
	if grep -Fxq -- "$1" "$2" 2>/dev/null; then
		ok "$3"
	else
		not_ok "$3" "no line '$1' in $2:"
		diag_file "$2"
	fi
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

wait_for() {
	_tap_deadline=$(($(now_ms) + $(awk "BEGIN { printf \"%d\", $1 * 1000 }")))
	shift
	while :; do
		if "$@"; then
			return 0
		fi
		[ "$(now_ms)" -ge "$_tap_deadline" ] && return 1
		sleep 0.05
	done
}

_tap_exit() {
	if command -v test_cleanup >/dev/null 2>&1; then
		test_cleanup || :
	fi
	[ -n "${TEST_TMP:-}" ] && rm -rf "$TEST_TMP"
	if [ -n "$_tap_bailed" ] || [ "$_tap_failed" -gt 0 ]; then
		exit 1
	fi
	if [ -z "$_tap_planned" ]; then
		echo "# no plan: the test ended before done_testing"
		exit 1
	fi
	if [ "$_tap_planned" -ne "$_tap_n" ]; then
		echo "# planned $_tap_planned tests but ran $_tap_n"
		exit 1
	fi
	exit 0
}
trap _tap_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_p NAME ARGS...: proflab ($P) on ARGS, stdin from /dev/null, stdout and
# stderr in $T/NAME.out and $T/NAME.err, under with_timeout (TEST_TIMEOUT);
# its status in $rc.
run_p() {
	name=$1
	shift
	with_timeout "$P" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	rc=$?
}

# one_line_error NAME WANT-RC PATTERN DESC: ok when run_p NAME ended with
# status WANT-RC, one line on stderr that starts with "proflab" and matches
# the extended regular expression PATTERN, and nothing on stdout (unless
# ERROR_STDOUT=any: what was printed before the error may stay).
one_line_error() {
	lines=$(wc -l <"$T/$1.err")
	if [ "$rc" = "$2" ] && [ "$lines" -eq 1 ] && grep -Eq "^proflab.*$3" "$T/$1.err" &&
		{ [ "${ERROR_STDOUT:-}" = any ] || [ ! -s "$T/$1.out" ]; }; then
		ok "$4"
	else
		not_ok "$4" "status $rc (want $2), $lines stderr lines, $(wc -c <"$T/$1.out") bytes out: $(cat "$T/$1.err")"
	fi
}

tap_tmpdir() {
	TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/proflab-test.XXXXXX") || bail_out "mktemp failed"
	export TEST_TMP
}
