#!/bin/sh
# The exercise scripts under plain Python (PROFLAB_PYTHON): each one runs,
# exits 0 and prints what its lesson says it prints. Needs no proflab
# binary. Every command runs under timeout(1).
top_srcdir=${top_srcdir:-.}
. "$top_srcdir/tests/lib.sh"
py=${PROFLAB_PYTHON:-/usr/bin/python3}
ex=$top_srcdir/exercises

plan 21

if ! command -v "$py" >/dev/null 2>&1; then
	i=0
	while [ $i -lt 21 ]; do skip "exercises" "no python at $py"; i=$((i + 1)); done
	exit 0
fi
tap_tmpdir
tmp=$TEST_TMP

# A stand-in for the worker's built-in module, to see the markers.
mkdir "$tmp/fake" && cat >"$tmp/fake/proflab.py" <<'PY'
import os
def mark(label):
    with open(os.environ["MARKS_FILE"], "a") as marks:
        marks.write(label + "\n")
PY

# ---- compute_and_io.py: the five phases, offline, in < 15 s
t0=$(now_ms)
timeout -k 5 30 "$py" "$ex/compute_and_io.py" >"$tmp/io.out" 2>"$tmp/io.err"
rc=$?
ms=$(($(now_ms) - t0))
is "$rc" 0 "compute_and_io.py exits 0"
if [ $ms -lt 15000 ]; then ok "compute_and_io.py takes under 15 s ($ms ms)"
else not_ok "compute_and_io.py takes under 15 s" "took $ms ms"; fi
labels='starting computation
starting network download
starting more computation
starting disk I/O
done'
is "$(sed -n 's/^[0-9][0-9]*\.[0-9][0-9][0-9] sec : //p' "$tmp/io.out")" "$labels" \
    "compute_and_io.py prints the five phase labels in order"
if sed -n 's/^\([0-9][0-9]*\.[0-9][0-9][0-9]\) sec : .*/\1/p' "$tmp/io.out" |
    awk 'NR == 1 && $1 + 0 > 0.5 { bad = 1 }
	 NR > 1 && $1 + 0 <= last { bad = 1 }
	 { last = $1 + 0; count++ }
	 END { exit (bad || count != 5) }'; then
	ok "compute_and_io.py phase seconds start near 0 and increase"
else
	not_ok "compute_and_io.py phase seconds start near 0 and increase"
	diag_file "$tmp/io.out"
	diag_file "$tmp/io.err"
fi
grep_file '^download: (read .* MB from |network unreachable .*served .* MB from a local throttled server at 127\.0\.0\.1:[0-9]+)' \
    "$tmp/io.out" "compute_and_io.py says which download it did"
grep_file '^disk: wrote ' "$tmp/io.out" "compute_and_io.py reports the disk phase"

# ---- compute.py under cProfile: the tutorial's call counts
timeout -k 5 30 "$py" -m cProfile -s ncalls "$ex/compute.py" >"$tmp/prof.out" 2>&1
is "$?" 0 "python -m cProfile compute.py exits 0"
ncalls() { # ncalls TEXT: the ncalls column of the first row containing TEXT
	awk -v want="$1" 'index($0, want) && $1 ~ /^[0-9]+$/ { print $1; exit }' "$tmp/prof.out"
}
is "$(ncalls '(generate_data)')" 2 "cProfile: generate_data called 2 times"
is "$(ncalls '(compute_result)')" 2 "cProfile: compute_result called 2 times"
is "$(ncalls '{built-in method builtins.sum}')" 20 "cProfile: sum called 20 times"
is "$(ncalls '(main)')" 1 "cProfile: main called once"

# ---- multi_core.py: a, b, c (small matrices), markers through proflab.mark
MARKS_FILE=$tmp/marks PYTHONPATH=$tmp/fake timeout -k 5 60 \
    "$py" "$ex/multi_core.py" --size 200 --seconds 0.3 >"$tmp/mc.out" 2>"$tmp/mc.err"
rc=$?
is "$rc" 0 "multi_core.py exits 0"
is "$(grep -Ex '[abc]' "$tmp/mc.out" | tr -d '\n')" abc "multi_core.py prints a, b, c in order"
is "$(cut -c1-2 "$tmp/marks" 2>/dev/null | tr -d '\n')" "a:b:c:" \
    "multi_core.py calls proflab.mark before each phase"
grep_file 'products of 200x200' "$tmp/mc.out" "multi_core.py reports the matrix product"

# ---- memory_error.py: MemoryError under the cap, exit 0
timeout -k 5 60 "$py" "$ex/memory_error.py" --limit-mb 128 >"$tmp/me.out" 2>&1
is "$?" 0 "memory_error.py exits 0"
grep_file '^MemoryError: ' "$tmp/me.out" "memory_error.py reports a MemoryError"
peak=$(sed -n 's/.*peaked at \([0-9][0-9]*\) MB.*/\1/p' "$tmp/me.out")
if [ -n "$peak" ] && [ "$peak" -lt 192 ]; then ok "memory_error.py stays under its cap ($peak MB)"
else not_ok "memory_error.py stays under its cap" "peak '$peak' MB"; diag_file "$tmp/me.out"; fi

# ---- spam.py: bounded run
t0=$(now_ms)
timeout -k 5 30 "$py" "$ex/spam.py" --seconds 1 --max-mb 50 >"$tmp/spam.out" 2>&1
rc=$?
ms=$(($(now_ms) - t0))
is "$rc" 0 "spam.py --seconds 1 exits 0"
if [ $ms -le 5000 ] && grep -q '^spam: done after' "$tmp/spam.out"; then
	ok "spam.py --seconds 1 stops in time ($ms ms) and says done"
else
	not_ok "spam.py --seconds 1 stops in time and says done" "took $ms ms"
	diag_file "$tmp/spam.out"
fi

# ---- every script has the plain-python fallback for proflab.mark
missing=
for f in spam compute_and_io multi_core memory_error; do
	grep -q 'except ImportError' "$ex/$f.py" || missing="$missing $f"
done
is "$missing" "" "exercise scripts import proflab.mark with a fallback"
