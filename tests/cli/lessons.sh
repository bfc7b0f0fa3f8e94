#!/bin/sh
# The lessons through the command line: every lesson parses and holds the
# tutorial's 25 exercises once each; every python exercise that runs today
# completes; progress is kept in the XDG state directory and reset; a
# malformed lesson is reported with its file and line while the others load.
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
[ -x "$P" ] || bail_out "no proflab at $P"
tap_tmpdir
T=$TEST_TMP
unset PROFLAB_WORKER PROFLAB_DATADIR PYTHONPATH PYTHONUNBUFFERED
export XDG_STATE_HOME="$T/state" PYTHONDONTWRITEBYTECODE=1 LC_ALL=C.UTF-8

with_timeout "$P" exercise --list >"$T/list.out" 2>"$T/list.err"
rc=$?
ids=$(grep -oE '^\[.\] +[EX][0-9]+' "$T/list.out" | grep -oE '[EX][0-9]+$')
snippets=$(awk '$3 == "python" && $4 == "-" {print $2}' "$T/list.out" | grep -E '^[EX][0-9]+$')
[ -n "$snippets" ] || snippets=$(sed -n 's/^\[ \] *\([EX][0-9]*\) *[0-9]* *python *- .*/\1/p' "$T/list.out")
nsnip=$(echo "$snippets" | wc -w)

plan $((8 + nsnip))

if [ "$rc" -eq 0 ] && [ ! -s "$T/list.err" ]; then
	ok "every lesson parses (exercise --list, no errors)"
else
	not_ok "every lesson parses (exercise --list, no errors)" "status $rc: $(cat "$T/list.err")"
fi
missing= dup=
for n in $(seq 1 25); do
	c=$(echo "$ids" | grep -cx "E$n")
	[ "$c" -eq 0 ] && missing="$missing E$n"
	[ "$c" -gt 1 ] && dup="$dup E$n"
done
is "${missing:-none}/${dup:-none}" "none/none" "the lessons hold E1..E25, each once"

for id in $snippets; do
	TEST_TIMEOUT=60 with_timeout "$P" exercise "$id" >"$T/$id.out" 2>"$T/$id.err" </dev/null
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q '^Traceback' "$T/$id.err"; then
		ok "exercise $id runs to completion"
	else
		not_ok "exercise $id runs to completion" "status $rc: $(tail -5 "$T/$id.err")"
	fi
done

# Progress: the snippets above are done, and E18 at the console.
with_timeout "$P" exercise --list >"$T/list2.out" 2>&1
first=$(echo "$snippets" | head -n 1)
grep -Eq "^\[x\] +$first " "$T/list2.out" && ok "a completed exercise is marked done" ||
	not_ok "a completed exercise is marked done" "$(head -5 "$T/list2.out")"
grep -qx "$first" "$XDG_STATE_HOME/proflab/progress" && ok "progress is kept in \$XDG_STATE_HOME/proflab/progress" ||
	not_ok "progress is kept in \$XDG_STATE_HOME/proflab/progress" "$(ls -R "$XDG_STATE_HOME" 2>&1)"
TEST_TIMEOUT=60 with_timeout "$P" exercise E18 >"$T/e18.out" 2>"$T/e18.err" </dev/null
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^>>> %prun compute.main()' "$T/e18.out" &&
	grep -q 'Ordered by: internal time' "$T/e18.out" && grep -qx E18 "$XDG_STATE_HOME/proflab/progress"; then
	ok "a console exercise (E18) is typed at the console, runs its %prun and is marked done"
else
	not_ok "a console exercise (E18) is typed at the console, runs its %prun and is marked done" "status $rc: $(tail -5 "$T/e18.err")"
fi
with_timeout "$P" --reset-progress >"$T/reset.out" 2>&1
if grep -q "progress reset ($((nsnip + 1)) exercises forgotten)" "$T/reset.out" && [ ! -e "$XDG_STATE_HOME/proflab/progress" ]; then
	ok "--reset-progress forgets everything"
else
	not_ok "--reset-progress forgets everything" "$(cat "$T/reset.out")"
fi

with_timeout "$P" exercise E99 >"$T/e99.out" 2>"$T/e99.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "no exercise 'E99' in the lessons" "$T/e99.err" &&
	ok "an unknown exercise ID is a usage error" || not_ok "an unknown exercise ID is a usage error" "$(cat "$T/e99.err")"

# A malformed lesson beside a good one.
mkdir -p "$T/data/lessons"
cp "$top_srcdir/lessons/04-cpu-and-memory.md" "$T/data/lessons/"
printf '# 5. Broken\n\n```python exercise=E15 title="x" nedds=lines\n1\n```\n' >"$T/data/lessons/05-broken.md"
PROFLAB_DATADIR="$T/data" with_timeout "$P" exercise --list >"$T/bad.out" 2>"$T/bad.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "05-broken.md:3: exercise block: unknown attribute 'nedds'" "$T/bad.err" &&
	grep -Eq ' E4 ' "$T/bad.out"; then
	ok "a malformed lesson is reported by file and line, the others still load"
else
	not_ok "a malformed lesson is reported by file and line, the others still load" "status $rc: $(cat "$T/bad.err")"
fi
