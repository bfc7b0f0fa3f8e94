#!/bin/sh
# proflab-worker --machine WHAT: one line of JSON on stdout, checked against
# what the real python says about itself, numpy (its version and the BLAS it
# maps) and psutil; a numpy that cannot be imported is a result, not a
# failure; the benchmarks' numbers hang together. No timing assertions.
#
# Needs top_srcdir, top_builddir and PROFLAB_PYTHON (automake exports them).

: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
. "$top_srcdir/tests/lib.sh"

PY=${PROFLAB_PYTHON:-/usr/bin/python3.11}
W=$(cd "$top_builddir" && pwd)/proflab-worker

[ -x "$W" ] || bail_out "no worker at $W"
"$PY" -c 'import sys' 2>/dev/null || bail_out "no python at $PY"
tap_tmpdir
T=$TEST_TMP

# The same environment for the worker and the python it is compared with.
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONINSPECT PYTHONWARNINGS PYTHONSAFEPATH \
	PROFLAB_CHANNEL_FD PROFLAB_PYTHON_EXECUTABLE PROFLAB_PDEATHSIG OPENBLAS_NUM_THREADS \
	GOTO_NUM_THREADS OMP_NUM_THREADS MKL_NUM_THREADS BLIS_NUM_THREADS VECLIB_MAXIMUM_THREADS
PYTHONNOUSERSITE=1
PYTHONDONTWRITEBYTECODE=1
LC_ALL=C.UTF-8
export PYTHONNOUSERSITE PYTHONDONTWRITEBYTECODE LC_ALL

# run NAME ARGS...: the worker on ARGS; stdout, stderr and status into $T/NAME.{out,err,st}.
run() {
	_n=$1
	shift
	with_timeout "$W" "$@" </dev/null >"$T/$_n.out" 2>"$T/$_n.err"
	echo $? >"$T/$_n.st"
}

st() {
	cat "$T/$1.st"
}

# jget NAME EXPR: EXPR on the JSON d that run NAME printed (strings bare, the rest as JSON).
jget() {
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = eval("(" + sys.argv[2] + ")")
print(v if isinstance(v, str) else json.dumps(v))' "$T/$1.out" "$2" 2>&1
}

# jcheck NAME EXPR DESC: ok when EXPR is true of the JSON d that run NAME printed.
jcheck() {
	if "$PY" -c 'import json, os, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$T/$1.out" "$2" 2>"$T/jcheck.err"; then
		ok "$3"
	else
		not_ok "$3" "false: $2" "$(cat "$T/jcheck.err")"
		diag_file "$T/$1.out"
	fi
}

# ran_clean NAME DESC: status 0, one line on stdout that parses as a JSON object, nothing on stderr.
ran_clean() {
	if [ "$(st "$1")" = 0 ] && [ "$(wc -l <"$T/$1.out")" -eq 1 ] && [ ! -s "$T/$1.err" ] &&
		/usr/bin/python3.11 -c 'import json, sys; assert isinstance(json.load(sys.stdin), dict)' \
			<"$T/$1.out" 2>/dev/null; then
		ok "$2"
	else
		not_ok "$2" "status $(st "$1"), $(wc -l <"$T/$1.out") lines out, stderr:"
		diag_file "$T/$1.err"
		diag_file "$T/$1.out"
	fi
}

# --- the command line ----------------------------------------------------------
run bogus --machine bogus
if [ "$(st bogus)" = 2 ] && [ ! -s "$T/bogus.out" ] &&
	head -n 1 "$T/bogus.err" | grep -Eq '^proflab-worker: .*--machine bogus'; then
	ok "an unknown WHAT exits 2 with an error naming it"
else
	not_ok "an unknown WHAT exits 2 with an error naming it" "status $(st bogus):"
	diag_file "$T/bogus.err"
fi
run nowhat --machine
if [ "$(st nowhat)" = 2 ] && grep -q 'option --machine needs' "$T/nowhat.err"; then
	ok "--machine without WHAT exits 2"
else
	not_ok "--machine without WHAT exits 2" "status $(st nowhat)"
fi
echo 'print("ran")' >"$T/script.py"
run withscript --machine facts "$T/script.py"
if [ "$(st withscript)" = 2 ] && [ ! -s "$T/withscript.out" ] &&
	grep -q 'runs no script' "$T/withscript.err"; then
	ok "--machine with a script exits 2 and runs nothing"
else
	not_ok "--machine with a script exits 2 and runs nothing" "status $(st withscript)"
fi
run help --help
grep_file '^ +--machine WHAT' "$T/help.out" "--help tells of --machine"

# --- facts ------------------------------------------------------------------------
run facts --machine facts
ran_clean facts "facts: one line of JSON, status 0"
jcheck facts 'sorted(d) == ["numpy", "psutil", "python"] and
    sorted(d["python"]) == ["compiler", "error", "executable", "implementation", "version"] and
    sorted(d["numpy"]) == ["blas", "built_with", "error", "lapack", "version"] and
    sorted(d["psutil"]) == ["present", "version"]' "facts: the schema's keys, none left out"

is "$(jget facts 'd["python"]["version"]')" \
	"$("$PY" -c 'import platform; print(platform.python_version())')" "python.version"
is "$(jget facts 'd["python"]["implementation"]')" \
	"$("$PY" -c 'import platform; print(platform.python_implementation())')" \
	"python.implementation"
is "$(jget facts 'd["python"]["compiler"]')" \
	"$("$PY" -c 'import platform; print(platform.python_compiler())')" "python.compiler"
is "$(jget facts 'd["python"]["executable"]')" "$(realpath "$PY")" \
	"python.executable is the real python"
is "$(jget facts 'd["python"]["error"]')" null "python.error is null"

if "$PY" -c 'import numpy' 2>/dev/null; then
	is "$(jget facts 'd["numpy"]["version"]')" "$("$PY" -c 'import numpy; print(numpy.__version__)')" \
		"numpy.version is numpy.__version__"
	is "$(jget facts 'd["numpy"]["error"]')" null "numpy.error is null"
	# What a python that imported numpy has mapped.
	"$PY" -c 'import numpy
for ln in open("/proc/self/maps"):
    f = ln.split(None, 5)
    if len(f) == 6 and f[5].startswith("/"):
        print(f[5].rstrip("\n"))' | sort -u >"$T/maps"
	lib=$(jget facts 'd["numpy"]["blas"]["library"]')
	if [ -n "$lib" ] && [ -f "$lib" ] && grep -Fxq -- "$lib" "$T/maps"; then
		ok "numpy.blas.library ($lib) is mapped in python after import numpy"
	else
		not_ok "numpy.blas.library is mapped in python after import numpy" "library: $lib" \
			"python maps: $(grep -iE 'blas|mkl|blis|atlas' "$T/maps" | tr '\n' ' ')"
	fi
	jcheck facts 'd["numpy"]["blas"]["name"] in
	    ("openblas", "mkl", "blis", "flexiblas", "atlas", "accelerate", "reference")' \
		"numpy.blas.name is a known BLAS"
	jcheck facts 'd["numpy"]["blas"]["threads"] is None or
	    type(d["numpy"]["blas"]["threads"]) is int and d["numpy"]["blas"]["threads"] >= 1' \
		"numpy.blas.threads is a count or null"
	if grep -q '/blas/libblas\.so\.3' "$T/maps"; then
		jcheck facts 'd["numpy"]["blas"]["name"] == "reference" and
		    d["numpy"]["blas"]["threads"] == 1' "Debian's libblas3 is the reference BLAS, 1 thread"
	else
		skip "Debian's libblas3 is the reference BLAS, 1 thread" "another BLAS here"
	fi
	lapack=$(jget facts 'd["numpy"]["lapack"]["library"]')
	if [ "$lapack" = null ] || grep -Fxq -- "$lapack" "$T/maps"; then
		ok "numpy.lapack.library is null or mapped in python ($lapack)"
	else
		not_ok "numpy.lapack.library is null or mapped in python" "library: $lapack"
	fi
	jcheck facts 'd["numpy"]["built_with"] is None or
	    isinstance(d["numpy"]["built_with"], str) and d["numpy"]["built_with"]' \
		"numpy.built_with is a name or null"
else
	jcheck facts 'd["numpy"]["version"] is None and d["numpy"]["error"]' \
		"no numpy in python: numpy.error says so"
	for d in "numpy.version" "numpy.error" "blas.library" "blas.name" "blas.threads" \
		"Debian's libblas3" "lapack.library" "built_with"; do
		skip "$d" "no numpy in $PY"
	done
fi

"$PY" -c 'try:
    import psutil
    print("true", psutil.__version__)
except ImportError:
    print("false null")' >"$T/psutil.want"
is "$(jget facts 'd["psutil"]["present"]') $(jget facts 'd["psutil"]["version"]')" \
	"$(cat "$T/psutil.want")" "psutil.present and version as python imports it"

# A numpy that cannot be imported, and a psutil known only by its .dist-info.
mkdir -p "$T/fake/numpy" "$T/fake/psutil" "$T/fake/psutil-9.8.7.dist-info"
echo 'raise ImportError("no numpy here")' >"$T/fake/numpy/__init__.py"
echo '__version__ = "9.8.7"' >"$T/fake/psutil/__init__.py"
printf 'Metadata-Version: 2.1\nName: psutil\nVersion: 9.8.7\n' \
	>"$T/fake/psutil-9.8.7.dist-info/METADATA"
PYTHONPATH=$T/fake
export PYTHONPATH
run nonumpy --machine facts
ran_clean nonumpy "facts without numpy: status 0, JSON"
jcheck nonumpy 'd["numpy"] == {"version": None, "blas": None, "lapack": None,
    "built_with": None, "error": "no numpy here"}' "facts without numpy: numpy.error is the reason"
jcheck nonumpy 'd["python"]["error"] is None' "facts without numpy: python still there"
is "$(jget nonumpy 'd["psutil"]["present"]') $(jget nonumpy 'd["psutil"]["version"]')" \
	"$("$PY" -c 'import importlib.metadata as m, psutil; print("true", m.version("psutil"))')" \
	"a psutil found by PYTHONPATH: its version as importlib.metadata reads it"
run nonumpy1 --machine dot1
ran_clean nonumpy1 "dot1 without numpy: status 0, JSON"
jcheck nonumpy1 'd == {"error": "no numpy here"}' "dot1 without numpy: the error"
run nonumpyall --machine dotall
jcheck nonumpyall 'd == {"error": "no numpy here"}' "dotall without numpy: the error"

# A platform module that fails: python.error; a json module that fails: the helper fails.
mkdir -p "$T/noplatform" "$T/nojson/json"
printf 'raise RuntimeError("no platform\\nhere")\n' >"$T/noplatform/platform.py"
echo 'raise ImportError("no json here")' >"$T/nojson/json/__init__.py"
PYTHONPATH=$T/noplatform
run noplatform --machine facts
ran_clean noplatform "facts without platform: status 0, JSON"
jcheck noplatform 'd["python"]["error"] == "no platform" and d["python"]["version"] is None and
    d["python"]["executable"]' "facts without platform: python.error, the first line"
PYTHONPATH=$T/nojson
run nojson --machine pyloop
if [ "$(st nojson)" = 1 ] && [ ! -s "$T/nojson.out" ] && [ "$(wc -l <"$T/nojson.err")" -eq 1 ] &&
	grep -q '^proflab-worker: --machine pyloop: .*no json here' "$T/nojson.err"; then
	ok "a failing helper: status 1, one line on stderr, nothing on stdout"
else
	not_ok "a failing helper: status 1, one line on stderr, nothing on stdout" \
		"status $(st nojson):"
	diag_file "$T/nojson.err"
fi
unset PYTHONPATH

# --- the benchmarks -------------------------------------------------------------------
run pyloop --machine pyloop
ran_clean pyloop "pyloop: one line of JSON, status 0"
jcheck pyloop 'sorted(d) == ["iterations", "ns_per_iteration", "seconds"] and
    type(d["iterations"]) is int and d["iterations"] > 0 and d["seconds"] > 0 and
    d["ns_per_iteration"] > 0' "pyloop: positive values"
jcheck pyloop 'abs(d["seconds"] * 1e9 / d["iterations"] - d["ns_per_iteration"])
    <= 0.01 * d["ns_per_iteration"]' "pyloop: seconds = iterations x ns_per_iteration"

if "$PY" -c 'import numpy' 2>/dev/null; then
	run dot1 --machine dot1
	ran_clean dot1 "dot1: one line of JSON, status 0"
	jcheck dot1 'sorted(d) == ["gflops", "method", "n", "seconds", "threads"] and
	    d["threads"] == 1 and d["method"] == "blas" and d["n"] > 0 and d["gflops"] > 0' \
		"dot1: one thread, the BLAS, GFLOP/s > 0"
	jcheck dot1 'abs(2 * d["n"] ** 3 / d["seconds"] / 1e9 - d["gflops"]) <= 0.01 * d["gflops"]' \
		"dot1: gflops = 2 n^3 / seconds"
	run dotall --machine dotall
	ran_clean dotall "dotall: one line of JSON, status 0"
	jcheck dotall "d['threads'] == $(nproc) and d['gflops'] > 0 and
	    d['method'] in ('blas', 'python-threads')" "dotall: $(nproc) threads (nproc), GFLOP/s > 0"
	if [ "$(jget facts 'd["numpy"]["blas"]["name"]')" = reference ] && [ "$(nproc)" -gt 1 ]; then
		is "$(jget dotall 'd["method"]')" python-threads \
			"dotall on the one-thread reference BLAS splits rows over Python threads"
	else
		skip "dotall on the reference BLAS uses Python threads" "not the reference BLAS or 1 CPU"
	fi
else
	for d in "dot1 JSON" "dot1 values" "dot1 gflops" "dotall JSON" "dotall values" \
		"dotall method"; do
		skip "$d" "no numpy in $PY"
	done
fi

done_testing
