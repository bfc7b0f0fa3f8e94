/*
 * `--machine WHAT` (see machine.h): a Python helper, compiled from the
 * string below into a namespace of its own, does the work; report(WHAT)
 * returns the JSON line, which is written here.
 *
 * facts must stay near the cost of `import numpy` (the machine report has
 * 300 ms): the BLAS is the library mapped in the process after numpy's
 * import (/proc/self/maps; the file name, or the folder of Debian's
 * alternatives such as openblas-pthread/, tells which), LAPACK likewise;
 * its version and thread count come from its own functions through ctypes
 * (which numpy has imported already), dlopened with RTLD_NOLOAD so nothing
 * new is loaded. psutil is found without importing it (14 ms): find_spec,
 * then the version in the name of its .dist-info or .egg-info folder,
 * importlib.metadata only when there is none (18 ms).
 *
 * The benchmarks: pyloop calibrates its loop to about 0.1 s and keeps the
 * best of 3 runs. dot1 and dotall multiply DOT_N x DOT_N matrices (2 n^3
 * flops; 0.15 s on one core with the reference BLAS) and keep the best run
 * of at least 3 within 0.3 s, stopping at 1 s whatever the count.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "config.h"

#include "worker/machine.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

static const char *const whats[] = {"facts", "pyloop", "dot1", "dotall", NULL};

/* What the BLAS libraries read for their thread count; dot1 sets each to 1. */
static const char *const blas_thread_vars[] = {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", NULL};

static const char helper_py[] =
    "import os, sys, time\n"
    "\n"
    "DOT_N = 768\n"
    "FAMILIES = ('flexiblas', 'mkl', 'openblas', 'blis', 'atlas', 'accelerate')\n"
    "RANK = FAMILIES + ('reference', None)\n"
    "\n"
    "def one_line(e):\n"
    "    for s in str(e).splitlines():\n"
    "        if s.strip():\n"
    "            return s.strip()\n"
    "    return type(e).__name__\n"
    "\n"
    "def text(s):\n"
    "    if not isinstance(s, str) or not s:\n"
    "        return None\n"
    "    return s.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')\n"
    "\n"
    "def python_facts():\n"
    "    out = {'version': None, 'implementation': None, 'executable': text(sys.executable),\n"
    "           'compiler': None, 'error': None}\n"
    "    try:\n"
    "        import platform\n"
    "        out['version'] = platform.python_version()\n"
    "        out['implementation'] = platform.python_implementation()\n"
    "        out['compiler'] = platform.python_compiler()\n"
    "    except Exception as e:\n"
    "        out['error'] = one_line(e)\n"
    "    return out\n"
    "\n"
    "def mapped_files():\n"
    "    try:\n"
    "        with open('/proc/self/maps', 'rb') as f:\n"
    "            data = f.read()\n"
    "    except OSError:\n"
    "        return []\n"
    "    seen = {}\n"
    "    for ln in data.split(b'\\n'):\n"
    "        parts = ln.split(None, 5)\n"
    "        if len(parts) == 6 and parts[5].startswith(b'/'):\n"
    "            p = parts[5]\n"
    "            if p.endswith(b' (deleted)'):\n"
    "                p = p[:-10]\n"
    "            seen[os.fsdecode(p)] = True\n"
    "    return list(seen)\n"
    "\n"
    "def family(path):\n"
    "    base = os.path.basename(path).lower()\n"
    "    parent = os.path.basename(os.path.dirname(path)).lower()\n"
    "    for where in (base, parent):\n"
    "        for f in FAMILIES:\n"
    "            if f in where:\n"
    "                return f\n"
    "    if base.startswith(('libblas.', 'libcblas.')):\n"
    "        return 'reference'\n"
    "    return None\n"
    "\n"
    "def shared_lib(base):\n"
    "    return (base.startswith('lib') and '.so' in base and '.cpython-' not in base\n"
    "            and '.abi3.' not in base)\n"
    "\n"
    "def loaded_blas():\n"
    "    blas, lapack = [], []\n"
    "    for i, path in enumerate(mapped_files()):\n"
    "        base = os.path.basename(path).lower()\n"
    "        if not shared_lib(base):\n"
    "            continue\n"
    "        if 'lapack' in base:\n"
    "            lapack.append(path)\n"
    "        elif any(k in base for k in ('blas', 'mkl', 'blis', 'atlas')):\n"
    "            f = family(path)\n"
    "            blas.append((RANK.index(f), 'mkl_rt' not in base, i, path, f))\n"
    "    if not blas:\n"
    "        return None, None, (lapack[0] if lapack else None)\n"
    "    blas.sort()\n"
    "    return blas[0][3], blas[0][4], (lapack[0] if lapack else None)\n"
    "\n"
    "def c_symbol(lib, name):\n"
    "    for prefix in ('', 'scipy_'):\n"
    "        for suffix in ('', '64_', '_64'):\n"
    "            try:\n"
    "                return getattr(lib, prefix + name + suffix)\n"
    "            except AttributeError:\n"
    "                pass\n"
    "    return None\n"
    "\n"
    "def probe_openblas(ctypes, lib, info, one):\n"
    "    get = c_symbol(lib, 'openblas_get_num_threads')\n"
    "    if get is None:\n"
    "        return False\n"
    "    get.restype = ctypes.c_int\n"
    "    if one and get() > 1:\n"
    "        put = c_symbol(lib, 'openblas_set_num_threads')\n"
    "        if put is not None:\n"
    "            put.argtypes = [ctypes.c_int]\n"
    "            put(1)\n"
    "    info['threads'] = get()\n"
    "    conf = c_symbol(lib, 'openblas_get_config')\n"
    "    if conf is not None:\n"
    "        conf.restype = ctypes.c_char_p\n"
    "        words = (conf() or b'').decode('utf-8', 'replace').split()\n"
    "        if len(words) > 1 and words[0] == 'OpenBLAS':\n"
    "            info['version'] = words[1]\n"
    "    return True\n"
    "\n"
    "def probe_mkl(ctypes, lib, info, one):\n"
    "    get = c_symbol(lib, 'MKL_Get_Max_Threads')\n"
    "    if get is None:\n"
    "        return False\n"
    "    get.restype = ctypes.c_int\n"
    "    if one and get() > 1:\n"
    "        put = c_symbol(lib, 'MKL_Set_Num_Threads')\n"
    "        if put is not None:\n"
    "            put.argtypes = [ctypes.c_int]\n"
    "            put(1)\n"
    "    info['threads'] = get()\n"
    "    ver = c_symbol(lib, 'MKL_Get_Version_String')\n"
    "    if ver is not None:\n"
    "        buf = ctypes.create_string_buffer(256)\n"
    "        ver.argtypes = [ctypes.c_char_p, ctypes.c_int]\n"
    "        ver(buf, len(buf))\n"
    "        words = buf.value.decode('utf-8', 'replace').split()\n"
    "        if 'Version' in words[:-1]:\n"
    "            info['version'] = words[words.index('Version') + 1]\n"
    "    return True\n"
    "\n"
    "def probe_blis(ctypes, lib, info, one):\n"
    "    get = c_symbol(lib, 'bli_thread_get_num_threads')\n"
    "    if get is None:\n"
    "        return False\n"
    "    get.restype = ctypes.c_int64\n"
    "    if one and get() > 1:\n"
    "        put = c_symbol(lib, 'bli_thread_set_num_threads')\n"
    "        if put is not None:\n"
    "            put.argtypes = [ctypes.c_int64]\n"
    "            put(1)\n"
    "    info['threads'] = get()\n"
    "    ver = c_symbol(lib, 'bli_info_get_version_str')\n"
    "    if ver is not None:\n"
    "        ver.restype = ctypes.c_char_p\n"
    "        info['version'] = (ver() or b'').decode('utf-8', 'replace') or None\n"
    "    return True\n"
    "\n"
    "def probe_flexiblas(ctypes, lib, info, one):\n"
    "    get = c_symbol(lib, 'flexiblas_get_num_threads')\n"
    "    if get is None:\n"
    "        return False\n"
    "    get.restype = ctypes.c_int\n"
    "    if one and get() > 1:\n"
    "        put = c_symbol(lib, 'flexiblas_set_num_threads')\n"
    "        if put is not None:\n"
    "            put.argtypes = [ctypes.c_int]\n"
    "            put(1)\n"
    "    info['threads'] = get()\n"
    "    ver = c_symbol(lib, 'flexiblas_get_version')\n"
    "    if ver is not None:\n"
    "        v = [ctypes.c_int(), ctypes.c_int(), ctypes.c_int()]\n"
    "        ver.argtypes = [ctypes.POINTER(ctypes.c_int)] * 3\n"
    "        if ver(*[ctypes.byref(x) for x in v]) == 0:\n"
    "            info['version'] = '%d.%d.%d' % tuple(x.value for x in v)\n"
    "    return True\n"
    "\n"
    "PROBES = (('flexiblas', probe_flexiblas), ('mkl', probe_mkl),\n"
    "          ('openblas', probe_openblas), ('blis', probe_blis))\n"
    "\n"
    "def blas_facts(one=False):\n"
    "    path, name, lapack = loaded_blas()\n"
    "    if path is None:\n"
    "        return None, {'library': text(lapack)}\n"
    "    info = {'name': name, 'library': text(path), 'version': None, 'threads': None}\n"
    "    if name == 'reference':\n"
    "        info['threads'] = 1\n"
    "    try:\n"
    "        import ctypes\n"
    "        lib = ctypes.CDLL(path, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)\n"
    "    except Exception:\n"
    "        lib = None\n"
    "    if lib is not None:\n"
    "        order = sorted(PROBES, key=lambda p: p[0] != name)\n"
    "        for fam, probe in order:\n"
    "            try:\n"
    "                if probe(ctypes, lib, info, one):\n"
    "                    info['name'] = fam\n"
    "                    break\n"
    "            except Exception:\n"
    "                pass\n"
    "    if lapack is None and info['name'] in ('openblas', 'mkl', 'flexiblas'):\n"
    "        lapack = path\n"
    "    return info, {'library': text(lapack)}\n"
    "\n"
    "def built_with(numpy):\n"
    "    conf = getattr(numpy, '__config__', None)\n"
    "    deps = getattr(conf, 'CONFIG', None)\n"
    "    old = hasattr(conf, 'blas_opt_info')\n"
    "    if deps is None and not old and hasattr(numpy, 'show_config'):\n"
    "        import contextlib, io\n"
    "        try:\n"
    "            with contextlib.redirect_stdout(io.StringIO()):\n"
    "                deps = numpy.show_config(mode='dicts')\n"
    "        except Exception:\n"
    "            deps = None\n"
    "    if isinstance(deps, dict):\n"
    "        try:\n"
    "            return text(deps['Build Dependencies']['blas']['name'])\n"
    "        except (KeyError, TypeError):\n"
    "            return None\n"
    "    libs = []\n"
    "    for key in ('blas_opt_info', 'lapack_opt_info'):\n"
    "        info = getattr(conf, key, None)\n"
    "        for lib in (info.get('libraries', []) if isinstance(info, dict) else []):\n"
    "            if isinstance(lib, str) and lib not in libs:\n"
    "                libs.append(lib)\n"
    "    return ', '.join(libs) or None\n"
    "\n"
    "def numpy_facts():\n"
    "    try:\n"
    "        import numpy\n"
    "    except Exception as e:\n"
    "        return {'version': None, 'blas': None, 'lapack': None, 'built_with': None,\n"
    "                'error': one_line(e)}\n"
    "    out = {'version': text(getattr(numpy, '__version__', None)), 'blas': None,\n"
    "           'lapack': None, 'built_with': None, 'error': None}\n"
    "    out['blas'], out['lapack'] = blas_facts()\n"
    "    try:\n"
    "        out['built_with'] = built_with(numpy)\n"
    "    except Exception:\n"
    "        pass\n"
    "    return out\n"
    "\n"
    "def dist_version(name, spec):\n"
    "    dirs = []\n"
    "    if spec.submodule_search_locations:\n"
    "        dirs = [os.path.dirname(d) for d in spec.submodule_search_locations]\n"
    "    elif spec.origin:\n"
    "        dirs = [os.path.dirname(spec.origin)]\n"
    "    for d in dirs:\n"
    "        try:\n"
    "            entries = sorted(os.listdir(d))\n"
    "        except OSError:\n"
    "            continue\n"
    "        for e in entries:\n"
    "            low = e.lower()\n"
    "            if low.startswith(name + '-') and low.endswith(('.dist-info', '.egg-info')):\n"
    "                v = e[len(name) + 1:].rpartition('.')[0].split('-')[0]\n"
    "                if v:\n"
    "                    return v\n"
    "    try:\n"
    "        import importlib.metadata\n"
    "        return importlib.metadata.version(name)\n"
    "    except Exception:\n"
    "        return None\n"
    "\n"
    "def psutil_facts():\n"
    "    try:\n"
    "        import importlib.util\n"
    "        spec = importlib.util.find_spec('psutil')\n"
    "    except Exception:\n"
    "        spec = None\n"
    "    if spec is None:\n"
    "        return {'present': False, 'version': None}\n"
    "    return {'present': True, 'version': text(dist_version('psutil', spec))}\n"
    "\n"
    "def facts():\n"
    "    np = numpy_facts()\n"
    "    return {'python': python_facts(), 'numpy': np, 'psutil': psutil_facts()}\n"
    "\n"
    "def loop(n):\n"
    "    total = 0\n"
    "    for i in range(n):\n"
    "        total += i * i\n"
    "    return total\n"
    "\n"
    "def timed(fn, *args):\n"
    "    t = time.perf_counter()\n"
    "    fn(*args)\n"
    "    return time.perf_counter() - t\n"
    "\n"
    "def pyloop():\n"
    "    n = 10000\n"
    "    while True:\n"
    "        t = max(timed(loop, n), 1e-6)\n"
    "        if t >= 0.03 or n >= 1 << 40:\n"
    "            break\n"
    "        n = int(n * min(10.0, max(2.0, 0.05 / t)))\n"
    "    n = max(1000, int(n * 0.1 / t))\n"
    "    n = int(float('%.2g' % n))\n"
    "    best = min(timed(loop, n) for _ in range(3))\n"
    "    return {'iterations': n, 'seconds': round(best, 6),\n"
    "            'ns_per_iteration': round(best * 1e9 / n, 3)}\n"
    "\n"
    "def usable_cpus():\n"
    "    try:\n"
    "        return len(os.sched_getaffinity(0))\n"
    "    except (AttributeError, OSError):\n"
    "        return os.cpu_count() or 1\n"
    "\n"
    "def best_of(fn):\n"
    "    start = time.perf_counter()\n"
    "    best, runs = None, 0\n"
    "    while True:\n"
    "        t = timed(fn)\n"
    "        best = t if best is None else min(best, t)\n"
    "        runs += 1\n"
    "        spent = time.perf_counter() - start\n"
    "        if spent >= 1.0 or runs >= 50 or (runs >= 3 and spent >= 0.3):\n"
    "            return best\n"
    "\n"
    "def dot(one):\n"
    "    try:\n"
    "        import numpy\n"
    "    except Exception as e:\n"
    "        return {'error': one_line(e)}\n"
    "    n = DOT_N\n"
    "    rng = numpy.random.default_rng(1)\n"
    "    a, b = rng.random((n, n)), rng.random((n, n))\n"
    "    c = numpy.empty((n, n))\n"
    "    blas, _ = blas_facts(one)\n"
    "    threads = blas['threads'] if blas is not None else None\n"
    "    method = 'blas'\n"
    "    usable = usable_cpus()\n"
    "    reference = blas is not None and blas['name'] == 'reference'\n"
    "    if one:\n"
    "        threads = 1\n"
    "        work = lambda: numpy.dot(a, b, out=c)\n"
    "    elif usable > 1 and (threads == 1 or reference):\n"
    "        import threading\n"
    "        method, threads = 'python-threads', usable\n"
    "        cuts = [n * k // usable for k in range(usable + 1)]\n"
    "        blocks = [(a[lo:hi], c[lo:hi]) for lo, hi in zip(cuts, cuts[1:])]\n"
    "        def work():\n"
    "            ts = [threading.Thread(target=numpy.dot, args=(x, b), kwargs={'out': y})\n"
    "                  for x, y in blocks]\n"
    "            for t in ts:\n"
    "                t.start()\n"
    "            for t in ts:\n"
    "                t.join()\n"
    "    else:\n"
    "        work = lambda: numpy.dot(a, b, out=c)\n"
    "    best = best_of(work)\n"
    "    return {'n': n, 'gflops': round(2.0 * n ** 3 / best / 1e9, 3),\n"
    "            'seconds': round(best, 6), 'threads': threads, 'method': method}\n"
    "\n"
    "def report(what):\n"
    "    if what == 'facts':\n"
    "        r = facts()\n"
    "    elif what == 'pyloop':\n"
    "        r = pyloop()\n"
    "    elif what in ('dot1', 'dotall'):\n"
    "        r = dot(what == 'dot1')\n"
    "    else:\n"
    "        raise ValueError('unknown --machine %s' % what)\n"
    "    import json\n"
    "    return json.dumps(r)\n";

int
wmachine_known(const char *what)
{
	for (const char *const *w = whats; *w != NULL; w++) {
		if (strcmp(*w, what) == 0)
			return 1;
	}
	return 0;
}

void
wmachine_prepare(const char *what)
{
	if (strcmp(what, "dot1") != 0)
		return;
	for (const char *const *v = blas_thread_vars; *v != NULL; v++) {
		if (setenv(*v, "1", 1) == -1)
			fatal("setenv %s", *v);
	}
}

/* The message of the pending exception (cleared), as one line; caller frees. */
static char *
exception_line(void)
{
	PyObject *type, *value, *tb, *s = NULL;
	const char *u = NULL;
	char *out;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (value != NULL && (s = PyObject_Str(value)) != NULL)
		u = PyUnicode_AsUTF8(s);
	if (u != NULL && *u != '\0')
		out = xasprintf("%s: %s", type != NULL ? PyExceptionClass_Name(type) : "?", u);
	else
		out = xstrdup(type != NULL ? PyExceptionClass_Name(type) : "unknown error");
	PyErr_Clear();
	Py_XDECREF(s);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	for (char *p = out; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
	return out;
}

/* Runs the helper's report(what): a new reference to its str, or NULL with an exception. */
static PyObject *
helper_report(const char *what)
{
	PyObject *ns, *code, *r = NULL, *fn;

	ns = PyDict_New();
	if (ns == NULL)
		return NULL;
	if (PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0)
		goto out;
	code = Py_CompileString(helper_py, "<proflab machine>", Py_file_input);
	if (code == NULL)
		goto out;
	r = PyEval_EvalCode(code, ns, ns);
	Py_DECREF(code);
	if (r == NULL)
		goto out;
	Py_DECREF(r);
	r = NULL;
	fn = PyDict_GetItemString(ns, "report"); /* borrowed */
	if (fn == NULL) {
		PyErr_SetString(PyExc_RuntimeError, "proflab machine helper: no report");
		goto out;
	}
	r = PyObject_CallFunction(fn, "s", what);
	if (r != NULL && !PyUnicode_Check(r)) {
		Py_CLEAR(r);
		PyErr_SetString(PyExc_TypeError, "proflab machine helper: report is not a str");
	}
out:
	/* The namespace holds its functions, which hold it: clear it to break the cycle. */
	PyDict_Clear(ns);
	Py_DECREF(ns);
	return r;
}

int
wmachine_run(const char *what, char **cause)
{
	PyObject *r;
	const char *s;
	Py_ssize_t len;
	int interrupted;

	*cause = NULL;
	r = helper_report(what);
	s = r != NULL ? PyUnicode_AsUTF8AndSize(r, &len) : NULL;
	if (s == NULL) {
		Py_XDECREF(r);
		interrupted = PyErr_ExceptionMatches(PyExc_KeyboardInterrupt);
		*cause = exception_line();
		if (interrupted) {
			free(*cause);
			*cause = NULL;
			return 128 + SIGINT;
		}
		return 1;
	}
	if (fwrite(s, 1, (size_t)len, stdout) != (size_t)len || putchar('\n') == EOF ||
	    fflush(stdout) == EOF) {
		*cause = xasprintf("cannot write to stdout: %s", strerror(errno));
		Py_DECREF(r);
		return 1;
	}
	Py_DECREF(r);
	return 0;
}
