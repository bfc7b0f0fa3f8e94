#!/bin/sh
# The run history: run, profile, lines and memory keep every run of a script
# in $XDG_STATE_HOME/proflab/history.jsonl; a second run of the same script,
# arguments and machine says what changed; an instrument says what it cost
# against the plain runs; a failed run is kept but never compared with; a
# profiled run keeps its top 5 functions by internal time, and a second one
# says how the top function changed; `proflab history SCRIPT` lists the runs
# with those functions; a damaged history file and a state folder that
# cannot be written cost a line on stderr, never the run.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
PY=${PROFLAB_PYTHON:-/usr/bin/python3.11}
[ -x "$P" ] || bail_out "no proflab at $P"
tap_tmpdir
T=$TEST_TMP
unset PYTHONUNBUFFERED PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONINSPECT PROFLAB_WORKER \
	PROFLAB_DATADIR PROFLAB_CHANNEL_FD
mkdir "$T/tmp" "$T/wd" || bail_out "mkdir failed"
export PYTHONDONTWRITEBYTECODE=1 LC_ALL=C.UTF-8 XDG_STATE_HOME="$T/state" TMPDIR="$T/tmp"
cd "$T/wd" || bail_out "no $T/wd"
H=$T/state/proflab/history.jsonl

cat >job.py <<'PYEOF'
import sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
data = [i * i for i in range(n)]
print(sum(data))
if len(sys.argv) > 2:
    sys.exit(int(sys.argv[2]))
PYEOF
CHANGE='^proflab: since the last run: [0-9.]+ s -> [0-9.]+ s, ([0-9.]+x (faster|slower)|about the same); peak [0-9.]+ -> [0-9.]+ MB \(against the run of [0-9-]+ [0-9:]+ UTC\)$'

run_p first run job.py
if [ "$rc" = 0 ] && ! grep -q 'since the last run' "$T/first.err" && [ "$(wc -l <"$H")" = 1 ]; then
	ok "a first run is kept, and has nothing to compare with"
else
	not_ok "a first run is kept" "status $rc: $(cat "$T/first.err")"
fi
is "$("$PY" -c 'import json, sys; e = json.loads(open(sys.argv[1]).readline()); print(e["kind"], e["status"], e["script"], e["wall_s"] > 0, e["peak_mb"] > 0, len(e["machine_id"]))' "$H")" \
	"run 0 $T/wd/job.py True True 8" "the entry: kind, status, absolute script, wall time, peak memory, the machine's id"
run_p second run job.py
grep_file "$CHANGE" "$T/second.err" "the second run says what changed since the first"
is "$(grep -c 'since the last run' "$T/second.err")" 1 "... in one line"

run_p args run job.py 1000
if ! grep -q 'since the last run' "$T/args.err"; then
	ok "other arguments are another benchmark: no comparison"
else
	not_ok "other arguments are another benchmark" "$(cat "$T/args.err")"
fi
run_p failed run job.py 200000 3
if [ "$rc" = 3 ] && ! grep -q 'since the last run' "$T/failed.err"; then
	ok "a run that fails keeps its status and says nothing of a change"
else
	not_ok "a run that fails keeps its status and says nothing of a change" "status $rc: $(cat "$T/failed.err")"
fi
run_p refused lines -f nosuch job.py
is "$(grep -c '"kind": "lines"' "$H")" 0 "a worker that refused to run the script (a bad -f) keeps nothing"
run_p third run job.py
grep_file "$CHANGE" "$T/third.err" "... and the next run compares with the last run that succeeded"

run_p prof profile job.py
grep_file '^proflab: cProfile on: [0-9.]+x the plain run \([0-9.]+ s against [0-9.]+ s, the median of 3 plain runs\)$' \
	"$T/prof.err" "an instrumented run says what its instrument cost against the plain runs"
# top: the entries' top functions, as "kind n name,name,..." lines, one per entry.
top() {
	"$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    t = e.get("top")
    if t is None:
        print(e["kind"], "-")
        continue
    ok = all(set(f) == {"name", "ncalls", "pcalls", "tottime", "cumtime"} and "/" not in f["name"]
             and f["cumtime"] >= f["tottime"] - 1e-6 for f in t)
    ok = ok and [f["tottime"] for f in t] == sorted((f["tottime"] for f in t), reverse=True)
    print(e["kind"], len(t), ",".join(f["name"] for f in t) if ok else "malformed")
' "$H"
}
if top | grep -q '^profile 5 job\.py:3(<listcomp>),' && ! top | grep -v '^profile' | grep -qv ' -$'; then
	ok "a profiled run keeps its top 5 functions (base names, pstats' numbers, by internal time); no other run has any"
else
	not_ok "a profiled run keeps its top 5 functions" "$(top)"
fi
run_p prof2 profile -s tottime job.py
first=$(awk '/ncalls +tottime +percall/ { getline; print $NF; exit }' "$T/prof2.out")
is "$(top | tail -n 1 | cut -d' ' -f3 | cut -d, -f1)" "$first" \
	"... the first of them is the first row of the table sorted by tottime"
grep_file '^proflab: top: job\.py:3\(<listcomp>\) [0-9]+\.[0-9]{3} s -> [0-9]+\.[0-9]{3} s$' "$T/prof2.err" \
	"a second profiled run says how its top function changed"
if grep -n '' "$T/prof2.err" | grep -A1 'since the last run' | grep -q 'proflab: top: '; then
	ok "... in the line after the change since the last run"
else
	not_ok "... in the line after the change since the last run" "$(cat "$T/prof2.err")"
fi

run_p mem memory --peak job.py
grep_file '^proflab: memory meter on: [0-9.]+x the plain run' "$T/mem.err" "... the memory meter too"

run_p hist history job.py
if [ "$rc" = 0 ] && grep -q "^$T/wd/job.py: [0-9]* runs$" "$T/hist.out" &&
	grep -q '^when (UTC)  *kind  *status  *wall  *cpu  *peak  *machine  *arguments$' "$T/hist.out"; then
	ok "history SCRIPT lists the runs under a header"
else
	not_ok "history SCRIPT lists the runs under a header" "status $rc: $(cat "$T/hist.out" "$T/hist.err")"
fi
is "$(grep -cE '^[0-9-]+ [0-9:]+ +(run|lines|profile|memory) ' "$T/hist.out")" "$(wc -l <"$H")" \
	"... one row per kept run"
grep_file '^[0-9-]+ [0-9:]+ +run +3 .* 200000 3$' "$T/hist.out" "... with the failed run's status and arguments"
is "$(grep -c '^ *ncalls  *tottime  *cumtime  *top functions by internal time$' "$T/hist.out")" 2 \
	"... a heading over the top functions of each profiled run"
is "$(grep -cE '^ +[0-9/]+ +[0-9]+\.[0-9]{3} +[0-9]+\.[0-9]{3}  job\.py:3\(<listcomp>\)$' "$T/hist.out")" 2 \
	"... and their rows in pstats' columns (ncalls, tottime, cumtime, name)"
if awk '/^[0-9-]+ [0-9:]+ +profile / { p = 1; next } /^[0-9-]+ / { p = 0 } /^    / && !p { bad = 1 } END { exit bad }' "$T/hist.out"; then
	ok "... under the profiled runs only"
else
	not_ok "... under the profiled runs only" "$(cat "$T/hist.out")"
fi
cp job.py top.py
run_p top1 profile top.py
run_p top2 profile top.py
run_p tophist history top.py
if grep -q '^last against the one before: ' "$T/tophist.out" &&
	grep -qE '^top: top\.py:3\(<listcomp>\) [0-9.]+ s -> [0-9.]+ s$' "$T/tophist.out"; then
	ok "history of two profiled runs: the last against the one before, with its top function"
else
	not_ok "history of two profiled runs: the top function's change" "$(cat "$T/tophist.out")"
fi

run_p never history compute
grep_file '^no runs of .*/compute.py yet' "$T/never.out" "a script never run has no runs yet"

printf '{"v": 1, "script": "%s/wd/job.py", "kind": "ru\n' "$T" >>"$H"
run_p damaged history job.py
if [ "$rc" = 0 ] && [ "$(wc -l <"$T/damaged.err")" = 1 ] && grep -q "^proflab: $H: 1 line that is not a run left out$" "$T/damaged.err"; then
	ok "a damaged line is left out, in one line naming the file"
else
	not_ok "a damaged line is left out" "status $rc: $(cat "$T/damaged.err")"
fi

mkdir "$T/ro" && touch "$T/ro/proflab" # a file where the folder should be
XDG_STATE_HOME=$T/ro run_p ro run job.py
if [ "$rc" = 0 ] && grep -q "^proflab: the run is not kept in the history: cannot write $T/ro/proflab/history.jsonl: Not a directory$" "$T/ro.err"; then
	ok "a state folder that cannot be made: one line, and the run's own status"
else
	not_ok "a state folder that cannot be made" "status $rc: $(cat "$T/ro.err")"
fi

run_p usage history
one_line_error usage 2 "give one SCRIPT" "history without a script is a usage error"
run_p missing history nosuch.py
one_line_error missing 1 "nosuch" "history of a script that does not exist names it"

done_testing
