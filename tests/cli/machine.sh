#!/bin/sh
# proflab machine: usage errors; the JSON report against its schema
# (man/machine.schema.json) and against the system's own tools
# (tests/machine_check.py: nproc, /proc/meminfo, df, psutil); the text report
# and the JSON say the same; the Python side against the Python itself; a
# worker that cannot answer; a container's cgroup quota from a fixture tree;
# --bench with the network served from 127.0.0.1 (a normal server, a slow one, one that
# never answers, a closed port: each bounded by --net-timeout, the rest of the
# report standing); the fingerprint on recorded runs and plots; exercise X3.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

P=$(cd "$top_builddir" && pwd)/proflab
SRC=$(cd "$top_srcdir" && pwd)
PY=${PROFLAB_PYTHON:-/usr/bin/python3.11}
SCHEMA=$SRC/man/machine.schema.json
FIX=$SRC/tests/fixtures/machine
[ -x "$P" ] || bail_out "no proflab at $P"
tap_tmpdir
T=$TEST_TMP
unset PYTHONUNBUFFERED PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONINSPECT PROFLAB_WORKER \
	PROFLAB_DATADIR PROFLAB_CHANNEL_FD PROFLAB_MACHINE_ROOT http_proxy https_proxy HTTP_PROXY \
	HTTPS_PROXY ALL_PROXY all_proxy
mkdir "$T/tmp" "$T/wd" "$T/disk" || bail_out "mkdir failed"
export PYTHONDONTWRITEBYTECODE=1 LC_ALL=C.UTF-8 XDG_STATE_HOME="$T/state" TMPDIR="$T/tmp"
cd "$T/wd" || bail_out "no $T/wd"

servers=
test_cleanup() {
	for s in $servers; do
		kill "$s" 2>/dev/null
	done
}

# jq_py FILE EXPR: prints the Python expression EXPR over the JSON in FILE (as d).
jq_py() {
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# valid NAME DESC: NAME.out is JSON that the schema accepts.
valid() {
	if out=$("$PY" -c '
import json, sys
import jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
' "$T/$1.out" "$SCHEMA" 2>&1); then
		ok "$2"
	else
		not_ok "$2" "$(printf '%s' "$out" | tail -n 5)"
	fi
}

# serve MODE: starts tests/netserve.py MODE; its port in $port.
serve() {
	rm -f "$T/port.$1"
	"$PY" "$SRC/tests/netserve.py" "$1" "$T/port.$1" &
	servers="$servers $!"
	wait_for 10 test -s "$T/port.$1" || bail_out "the $1 server did not start"
	port=$(cat "$T/port.$1")
}

# --- usage -------------------------------------------------------------------
run_p help machine --help
if [ "$rc" = 0 ] && grep -q '^usage: proflab machine \[--json\] \[--bench' "$T/help.out"; then
	ok "machine --help prints its synopsis"
else
	not_ok "machine --help prints its synopsis" "status $rc: $(cat "$T/help.out" "$T/help.err")"
fi
run_p mainhelp --help
grep_file '^  proflab machine \[--json\]' "$T/mainhelp.out" "proflab --help lists machine"
run_p arg machine now
one_line_error arg 2 "unexpected argument 'now'" "an extra argument is a usage error"
run_p netnobench machine --net http://127.0.0.1:1/
one_line_error netnobench 2 "go with --bench" "--net without --bench is a usage error"
run_p badto machine --bench --net-timeout 0
one_line_error badto 2 "invalid --net-timeout '0'" "--net-timeout 0 is refused, naming the value"
run_p nonet machine --bench --net
one_line_error nonet 2 "option '--net' needs a value" "--net without a value says so"
run_p baddir machine --bench --disk-dir "$T/nosuch"
one_line_error baddir 1 "cannot write in --disk-dir $T/nosuch: No such file" \
	"a --disk-dir that does not exist is one line naming it, before anything runs"
run_p badopt machine --fast
one_line_error badopt 2 "unknown option '--fast'" "an unknown option is named"

# --- the report ------------------------------------------------------------------------
run_p json machine --json
if [ "$rc" = 0 ] && [ ! -s "$T/json.err" ]; then
	ok "machine --json exits 0 and says nothing on stderr"
else
	not_ok "machine --json exits 0 and says nothing on stderr" "status $rc: $(cat "$T/json.err")"
fi
valid json "the JSON report follows the documented schema"
is "$(jq_py "$T/json.out" 'd["bench"]')" None "without --bench the bench member is null"

# Each fact against the system's own tools (machine_check.py prints "ok - ..." lines).
"$PY" "$SRC/tests/machine_check.py" "$T/json.out" >"$T/check.out" 2>&1
while IFS= read -r line; do
	case $line in
	"not ok"*) not_ok "${line#not ok*- }" ;;
	"ok"*"# SKIP"*)
		desc=${line#ok*- }
		skip "${desc%% \# SKIP*}" "${desc#*\# SKIP }"
		;;
	"ok"*) ok "${line#ok*- }" ;;
	"#"*) diag "${line#\# }" ;;
	esac
done <"$T/check.out"
grep -Eq '^(not )?ok' "$T/check.out" || not_ok "machine_check.py compared the facts" "$(cat "$T/check.out")"

run_p text machine
id=$(jq_py "$T/json.out" 'd["fingerprint"]["id"]')
if [ "$rc" = 0 ] && head -n 1 "$T/text.out" | grep -q "^machine $id: "; then
	ok "the text report opens with the same fingerprint as the JSON ($id)"
else
	not_ok "the text report opens with the same fingerprint as the JSON" "$(head -n 2 "$T/text.out")"
fi
missing=
for h in CPU Memory Disks System "Python (the one proflab runs)"; do
	grep -qx "$h" "$T/text.out" || missing="$missing [$h]"
done
is "$missing" "" "the text report has its five sections"
usable=$(jq_py "$T/json.out" 'd["cpu"]["usable"]')
grep_file "^  usable +$usable CPUs? \(affinity $(nproc)" "$T/text.out" \
	"the text's usable CPUs and affinity are the JSON's and nproc's"
total=$(jq_py "$T/json.out" 'd["memory"]["total_bytes"]')
want=$("$PY" -c "
import sys
v, u = float(sys.argv[1]), 0
while v >= 1024 and u < 5:
    v /= 1024; u += 1
print(('%.0f' if v >= 100 or v == int(v) else '%.1f') % v, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'][u])
" "$total")
grep_file "^  total +$want" "$T/text.out" "the text's memory total is the JSON's ($want)"

# The Python side: the Python proflab embeds, as that Python sees itself.
got=$(jq_py "$T/json.out" 'd["python"]["version"], d["python"]["implementation"], d["python"]["executable"]')
want=$("$PY" -c 'import os, platform, sys; print((platform.python_version(), platform.python_implementation(), os.path.realpath(sys.executable)))')
is "$got" "$want" "python: version, implementation and executable as $PY reports them"
if "$PY" -c 'import numpy' 2>/dev/null; then
	got=$(jq_py "$T/json.out" 'd["numpy"]["version"]')
	is "$got" "$("$PY" -c 'import numpy; print(numpy.__version__)')" "numpy's version is the one $PY imports"
	lib=$(jq_py "$T/json.out" 'd["numpy"]["blas"]["library"]')
	if [ -f "$lib" ] && grep -q "^  BLAS " "$T/text.out"; then
		ok "numpy's BLAS library is a file ($lib), shown in the text"
	else
		not_ok "numpy's BLAS library is a file, shown in the text" "$lib"
	fi
else
	skip "numpy's version" "no numpy"
	skip "numpy's BLAS" "no numpy"
fi
got=$(jq_py "$T/json.out" 'd["psutil"]["present"]')
want=$("$PY" -c 'import importlib.util; print(importlib.util.find_spec("psutil") is not None)')
is "$got" "$want" "psutil's presence is what $PY finds"

# A worker that cannot answer: one line says so, and the rest of the report stands.
PROFLAB_WORKER=$T/no-worker
export PROFLAB_WORKER
run_p noworker machine --json
unset PROFLAB_WORKER
if [ "$rc" = 0 ] && [ "$(wc -l <"$T/noworker.err")" -eq 1 ] &&
	grep -q '^proflab: no Python facts: ' "$T/noworker.err" &&
	[ "$(jq_py "$T/noworker.out" 'd["python"]["version"], d["cpu"]["logical"] > 0')" = "(None, True)" ]; then
	ok "without a worker: one line on stderr, the Python facts null, the rest of the report"
else
	not_ok "without a worker: one line on stderr, the Python facts null, the rest of the report" \
		"status $rc: $(cat "$T/noworker.err")"
fi
valid noworker "... and the report still follows the schema"

# A container: the cgroup quota read from a fixture tree.
if [ -f "$FIX/container-v2.tree" ] && sh "$FIX/expand.sh" "$FIX/container-v2.tree" "$T/cg-root"; then
	PROFLAB_MACHINE_ROOT=$T/cg-root
	export PROFLAB_MACHINE_ROOT
	run_p cg machine --json
	run_p cgtext machine
	unset PROFLAB_MACHINE_ROOT
	is "$(jq_py "$T/cg.out" 'd["cpu"]["quota_cpus"], d["cpu"]["usable"]')" "(1.5, 2)" \
		"a cgroup v2 quota of 150000/100000 is 1.5 CPUs, and 2 usable"
	grep_file "^  usable +2 CPUs \(affinity [0-9]+, cgroup quota 1\.50 CPUs from /sys/fs/cgroup/" \
		"$T/cgtext.out" "the text names the quota and the file it came from"
else
	skip "cgroup quota from a fixture" "no fixture $FIX/container-v2.tree"
	skip "cgroup quota in the text" "no fixture"
fi

# --- --bench -----------------------------------------------------------------------------
serve ok
TEST_TIMEOUT=90 run_p bench machine --json --bench --net "http://127.0.0.1:$port/" --disk-dir "$T/disk"
if [ "$rc" = 0 ]; then ok "machine --json --bench exits 0"; else not_ok "machine --json --bench exits 0" "status $rc: $(cat "$T/bench.err")"; fi
valid bench "the benchmarks' JSON follows the schema"
got=$(jq_py "$T/bench.out" '[k for k, v in d["bench"].items() if v is None or v.get("error") is not None]')
is "$got" "[]" "every benchmark ran without an error"
is "$(jq_py "$T/bench.out" 'd["bench"]["network"]["reachable"], d["bench"]["network"]["download_bytes"], d["bench"]["network"]["latency_s"] > 0')" \
	"(True, 2097152, True)" "the network: latency measured and the 2 MiB body downloaded"
is "$(jq_py "$T/bench.out" 'd["bench"]["disk"]["dir"]')" "$T/disk" "the disk benchmark wrote in --disk-dir"
is "$(ls -A "$T/disk" | wc -l)" 0 "... and left nothing there"
got=$(jq_py "$T/bench.out" 'd["bench"]["startup"]["python"]["real_s"] < d["bench"]["startup"]["import_numpy"]["real_s"]')
is "$got" True "importing numpy takes longer than starting the interpreter (E15)"
got=$(jq_py "$T/bench.out" 'd["bench"]["numpy_dot"]["all"]["threads"]')
is "$got" "$(nproc)" "numpy.dot on all CPUs uses as many threads as nproc"

# A server that never answers, and a closed port: bounded, one line, the rest stands.
serve silent
start=$(now_ms)
TEST_TIMEOUT=90 run_p silent machine --bench --net "http://127.0.0.1:$port/" --net-timeout 1 \
	--disk-dir "$T/disk"
took=$(($(now_ms) - start))
if [ "$rc" = 0 ] && [ "$(grep -c '^  network ' "$T/silent.out")" = 1 ] &&
	grep -Eq "^  network +latency .*no answer from 127\.0\.0\.1:$port within 1 s" "$T/silent.out"; then
	ok "a server that never answers: one network line says so"
else
	not_ok "a server that never answers: one network line says so" "status $rc: $(grep -A1 '^  network' "$T/silent.out") $(cat "$T/silent.err")"
fi
grep_file '^  memory +copy [0-9.]+ [kMGT]?B/s' "$T/silent.out" "... and the other benchmarks stand"
if [ "$took" -lt 60000 ]; then ok "... and the run ended ($took ms, bounded by the timeouts)"; else not_ok "the silent server's run was bounded" "$took ms"; fi

# A slow server: the download stops at the timeout and says what came, no error.
serve slow
TEST_TIMEOUT=90 run_p slow machine --bench --net "http://127.0.0.1:$port/" --net-timeout 1 \
	--disk-dir "$T/disk"
if [ "$rc" = 0 ] && grep -Eq "^  network +latency .*, download [0-9.]+ Mbit/s \(.*\), stopped at the timeout after [0-9.]+ KiB$" "$T/slow.out"; then
	ok "a slow server: the download stops at the timeout and reports its rate"
else
	not_ok "a slow server: the download stops at the timeout and reports its rate" "status $rc: $(grep '^  network' "$T/slow.out")"
fi

"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$T/closed"
TEST_TIMEOUT=90 run_p refused machine --bench --net "http://127.0.0.1:$(cat "$T/closed")/" \
	--net-timeout 1 --disk-dir "$T/disk"
if [ "$rc" = 0 ] && grep -Eq "^  network +unreachable: connection refused by 127\.0\.0\.1:" "$T/refused.out"; then
	ok "a closed port: the network line says unreachable, refused"
else
	not_ok "a closed port: the network line says unreachable, refused" "status $rc: $(grep '^  network' "$T/refused.out")"
fi
grep_file '^  numpy.dot ' "$T/refused.out" "... and the rest of the report stands"

# --- the fingerprint on recorded runs ----------------------------------------------------
cat >"$T/wd/np.py" <<'EOF'
import numpy
print(numpy.ones(3).dot(numpy.ones(3)))
EOF
run_p rec run --record --plot "$T/np.png" "$T/wd/np.py"
if [ "$rc" = 0 ] && grep -q "^proflab: machine $id: .*; Python [0-9.]*; BLAS [a-z]" "$T/rec.err"; then
	ok "run --record names the machine with the report's fingerprint, Python and the run's BLAS"
else
	not_ok "run --record names the machine" "status $rc: $(cat "$T/rec.err")"
fi
check "... and writes its plot" test -s "$T/np.png"
run_p rec2 record --log "$T/sleep.txt" -- sleep 0.3
grep_file "^proflab: machine $id: " "$T/rec2.err" "record names the machine too"
head -n 1 "$T/sleep.txt" >"$T/sleep.head"
has_line '# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)' "$T/sleep.head" \
	"... while its log keeps psrecord's header, byte for byte"

# --- exercise X3 ----------------------------------------------------------------------------
run_p x3 exercise X3
if [ "$rc" = 0 ] && grep -q "^machine $id: " "$T/x3.out" && grep -q '^proflab: X3 (lesson 4)' "$T/x3.err"; then
	ok "exercise X3 prints the machine report"
else
	not_ok "exercise X3 prints the machine report" "status $rc: $(cat "$T/x3.err")"
fi
run_p list exercise --list
grep_file '^\[x\] +X3 ' "$T/list.out" "... and is marked done"

done_testing
