/*
 * The `proflab` module and the worker's side of the channel (see pymod.h).
 *
 * The channel fd lives in one static: -2 until someone sets it (the module
 * then reads PROFLAB_CHANNEL_FD on import), -1 for no channel, or the fd.
 * Records are encoded into a buffer and written with one write loop, so a
 * record shorter than PIPE_BUF reaches a pipe whole. A write that fails for
 * good (the reader went away) turns the channel off rather than raising into
 * the script. Writes happen with the GIL held, which keeps records from
 * different threads apart and stays safe across fork(). The channel belongs
 * to the process that set it up: a forked child (os.fork, multiprocessing's
 * fork method) sees no channel, as spawned children do, and never sends a
 * second exit record.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "config.h"

#include "worker/pymod.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/channel.h"
#include "worker/lines.h"

static int chan_fd = -2;
static pid_t chan_pid; /* the process the channel belongs to */

void
pymod_set_channel_fd(int fd)
{
	chan_fd = fd;
	chan_pid = getpid();
}

int
pymod_channel_fd(void)
{
	if (chan_fd < 0 || getpid() != chan_pid)
		return -1;
	return chan_fd;
}

/*
 * Writes all of data. With interruptible set (called from Python, GIL held),
 * a signal whose handler raises stops the write if nothing went out yet:
 * -1 with the Python error set. Returns 0 when written, -1 on failure.
 */
static int
chan_write(const char *data, size_t len, int interruptible)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = write(chan_fd, data + off, len - off);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR) {
			if (interruptible && off == 0 && PyErr_CheckSignals() < 0)
				return -1;
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			struct pollfd pfd = {.fd = chan_fd, .events = POLLOUT};

			if (poll(&pfd, 1, -1) >= 0 || errno == EINTR)
				continue;
		}
		chan_fd = -1;
		return 0;
	}
	return 0;
}

static int
chan_send(enum chan_type type, const char *const *fields, int n, int interruptible)
{
	struct buf b;
	int rc;

	if (pymod_channel_fd() == -1)
		return 0;
	buf_init(&b);
	chan_encode(&b, type, fields, n);
	rc = chan_write(b.data, b.len, interruptible);
	buf_free(&b);
	return rc;
}

/* The first BLAS library mapped into this process (numpy's), as a blas record. */
static void
pymod_send_blas(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[4096], *path, *base;

	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		path = strchr(line, '/');
		if (path == NULL)
			continue;
		path[strcspn(path, "\n")] = '\0';
		base = strrchr(path, '/') + 1;
		/* Libraries only (libblas, libopenblas, ...), not extension modules such as _fblas. */
		if (strncmp(base, "lib", 3) == 0 &&
		    (strstr(base, "blas") != NULL || strstr(base, "mkl_rt") != NULL ||
		        strstr(base, "blis") != NULL)) {
			const char *field = path;

			chan_send(CHAN_BLAS, &field, 1, 0);
			break;
		}
	}
	fclose(f);
}

void
pymod_send_exit(int status, const char *kind, const char *detail)
{
	char st[16];
	const char *fields[3];

	pymod_send_blas();
	snprintf(st, sizeof st, "%d", status);
	fields[0] = st;
	fields[1] = kind;
	fields[2] = detail != NULL ? detail : "";
	chan_send(CHAN_EXIT, fields, 3, 0);
}

void
pymod_send_error(const char *message)
{
	chan_send(CHAN_ERROR, &message, 1, 0);
}

void
pymod_send_profile(const char *path, long nfuncs)
{
	char n[32];
	const char *fields[2];

	snprintf(n, sizeof n, "%ld", nfuncs);
	fields[0] = path;
	fields[1] = n;
	chan_send(CHAN_PROFILE, fields, 2, 0);
}

void
pymod_send_lines(const char *path, const char *kind, long nfuncs)
{
	char n[32];
	const char *fields[3];

	snprintf(n, sizeof n, "%ld", nfuncs);
	fields[0] = path;
	fields[1] = kind;
	fields[2] = n;
	chan_send(CHAN_LINES, fields, 3, 0);
}

void
pymod_send_cputime(double wall, double user, double sys, const char *display)
{
	char w[64], u[64], s[64];
	const char *fields[4] = {w, u, s, display != NULL ? display : ""};

	snprintf(w, sizeof w, "%.9f", wall);
	snprintf(u, sizeof u, "%.9f", user);
	snprintf(s, sizeof s, "%.9f", sys);
	chan_send(CHAN_CPUTIME, fields, 4, 0);
}

void
pymod_send_memit(long long peak, long long baseline)
{
	char p[32], b[32];
	const char *fields[2] = {p, b};

	snprintf(p, sizeof p, "%lld", peak);
	snprintf(b, sizeof b, "%lld", baseline);
	chan_send(CHAN_MEMIT, fields, 2, 0);
}

void
pymod_send_done(const char *id, const char *kind, const char *detail)
{
	const char *fields[3] = {id, kind, detail != NULL ? detail : ""};

	chan_send(CHAN_DONE, fields, 3, 0);
}

/*
 * The timeit record of number loops per run and the seconds of each run in
 * times (a sequence of floats). 0, or -1 with an exception: times is not a
 * sequence of numbers, or (interruptible) a signal handler raised.
 */
static int
send_timeit(long number, PyObject *times, int interruptible)
{
	PyObject *seq;
	struct buf b;
	char n[32];
	const char *fields[2];
	int rc;

	seq = PySequence_Fast(times, "timings: times must be a sequence of seconds");
	if (seq == NULL)
		return -1;
	buf_init(&b);
	for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
		double v = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, i));

		if (v == -1.0 && PyErr_Occurred()) {
			Py_DECREF(seq);
			buf_free(&b);
			return -1;
		}
		buf_addf(&b, "%s%.9e", i > 0 ? " " : "", v);
	}
	Py_DECREF(seq);
	buf_addc(&b, '\0');
	snprintf(n, sizeof n, "%ld", number);
	fields[0] = n;
	fields[1] = b.data;
	rc = pymod_channel_fd() == -1 ? 0 : chan_send(CHAN_TIMEIT, fields, 2, interruptible);
	buf_free(&b);
	return rc;
}

int
pymod_send_timeit(long number, PyObject *times)
{
	return send_timeit(number, times, 0);
}

/* str(obj) as UTF-8 (caller frees); unencodable characters backslash-escaped. */
static char *
py_str(PyObject *obj)
{
	PyObject *s, *bytes;
	char *out;

	s = PyObject_Str(obj);
	if (s == NULL) {
		PyErr_Clear();
		return xstrdup("?");
	}
	bytes = PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace");
	Py_DECREF(s);
	if (bytes == NULL) {
		PyErr_Clear();
		return xstrdup("?");
	}
	out = xstrdup(PyBytes_AS_STRING(bytes));
	Py_DECREF(bytes);
	return out;
}

void
pymod_send_hello(const char *script)
{
	const char *version = Py_GetVersion(), *fields[4];
	PyObject *exe, *exe_bytes = NULL;
	char pid[32], *ver;

	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	ver = xstrndup(version, strcspn(version, " "));
	exe = PySys_GetObject("executable"); /* borrowed */
	if (exe != NULL && PyUnicode_Check(exe)) {
		exe_bytes = PyUnicode_EncodeFSDefault(exe);
		if (exe_bytes == NULL)
			PyErr_Clear();
	}
	fields[0] = pid;
	fields[1] = ver;
	fields[2] = exe_bytes != NULL ? PyBytes_AS_STRING(exe_bytes) : "";
	fields[3] = script;
	chan_send(CHAN_HELLO, fields, 4, 0);
	Py_XDECREF(exe_bytes);
	free(ver);
}

PyDoc_STRVAR(mark_doc,
    "mark(label)\n--\n\n"
    "Put a phase marker on the timeline of the run; str(label) names it.\n"
    "Does nothing outside proflab.");

static PyObject *
proflab_mark(PyObject *self, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = {"label", NULL};
	PyObject *label, *s, *bytes;
	struct timespec ts;
	const char *fields[2];
	char mono[48];
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:mark", kwlist, &label))
		return NULL;
	if (pymod_channel_fd() == -1)
		Py_RETURN_NONE;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(mono, sizeof mono, "%lld.%09ld", (long long)ts.tv_sec, (long)ts.tv_nsec);
	s = PyObject_Str(label);
	if (s == NULL)
		return NULL;
	bytes = PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace");
	Py_DECREF(s);
	if (bytes == NULL)
		return NULL;
	fields[0] = mono;
	fields[1] = PyBytes_AS_STRING(bytes); /* a NUL in the label ends it */
	rc = chan_send(CHAN_MARK, fields, 2, 1);
	Py_DECREF(bytes);
	if (rc < 0)
		return NULL;
	Py_RETURN_NONE;
}

PyDoc_STRVAR(channel_open_doc,
    "channel_open()\n--\n\n"
    "True when marks reach a proflab front end.");

PyDoc_STRVAR(timings_doc,
    "timings(number, times)\n--\n\n"
    "Report a timing to proflab: `number` loops per run, `times` the seconds\n"
    "each run took (as timeit.Timer.repeat returns them).");

static PyObject *
proflab_timings(PyObject *self, PyObject *args)
{
	PyObject *times;
	long number;

	if (!PyArg_ParseTuple(args, "lO:timings", &number, &times))
		return NULL;
	if (send_timeit(number, times, 1) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *
proflab_channel_open(PyObject *self, PyObject *unused)
{
	return PyBool_FromLong(pymod_channel_fd() != -1);
}

static PyMethodDef proflab_methods[] = {
    {"mark", (PyCFunction)(void (*)(void))proflab_mark, METH_VARARGS | METH_KEYWORDS, mark_doc},
    {"channel_open", proflab_channel_open, METH_NOARGS, channel_open_doc},
    {"timings", proflab_timings, METH_VARARGS, timings_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(proflab_doc,
    "Talk to the proflab front end from an exercise.\n\n"
    "Import it with a fallback so the script also runs under plain python:\n"
    "    try:\n"
    "        from proflab import mark\n"
    "    except ImportError:\n"
    "        def mark(label): pass\n");

static struct PyModuleDef proflab_module = {
    PyModuleDef_HEAD_INIT,
    "proflab",
    proflab_doc,
    -1,
    proflab_methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

/* The fd named by PROFLAB_CHANNEL_FD when it is open, else -1. */
static int
chan_fd_from_env(void)
{
	const char *s = getenv(CHAN_FD_ENV);
	char *end;
	long fd;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	fd = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || fd < 0 || fd > INT_MAX)
		return -1;
	if (fcntl((int)fd, F_GETFD) == -1)
		return -1;
	return (int)fd;
}

PyMODINIT_FUNC
PyInit_proflab(void)
{
	if (chan_fd == -2)
		pymod_set_channel_fd(chan_fd_from_env());
	return PyModule_Create(&proflab_module);
}

/* sys.path[0] as python computes it for a script: the directory of its real path. */
static int
sys_path_insert0(const char *script)
{
	PyObject *path, *dir;
	char *real, *slash;
	int rc;

	real = realpath(script, NULL);
	if (real == NULL)
		real = xstrdup(script);
	slash = strrchr(real, '/');
	if (slash == NULL)
		real[0] = '\0';
	else if (slash == real)
		real[1] = '\0';
	else
		*slash = '\0';
	dir = PyUnicode_DecodeFSDefault(real);
	free(real);
	if (dir == NULL)
		return -1;
	path = PySys_GetObject("path"); /* borrowed */
	if (path == NULL || !PyList_Check(path)) {
		Py_DECREF(dir);
		PyErr_SetString(PyExc_RuntimeError, "sys.path is not a list");
		return -1;
	}
	rc = PyList_Insert(path, 0, dir);
	Py_DECREF(dir);
	return rc;
}

/* __main__.__loader__ = SourceFileLoader("__main__", filename), as python sets it. */
static int
set_main_loader(PyObject *dict, PyObject *filename)
{
	PyObject *bootstrap, *loader_type, *loader;
	int rc;

	bootstrap = PyImport_ImportModule("_frozen_importlib_external");
	if (bootstrap == NULL)
		return -1;
	loader_type = PyObject_GetAttrString(bootstrap, "SourceFileLoader");
	Py_DECREF(bootstrap);
	if (loader_type == NULL)
		return -1;
	loader = PyObject_CallFunction(loader_type, "sO", "__main__", filename);
	Py_DECREF(loader_type);
	if (loader == NULL)
		return -1;
	rc = PyDict_SetItemString(dict, "__loader__", loader);
	Py_DECREF(loader);
	return rc;
}

static void
flush_stream(const char *name)
{
	PyObject *f, *r;

	f = PySys_GetObject(name); /* borrowed */
	if (f == NULL || f == Py_None)
		return;
	r = PyObject_CallMethod(f, "flush", NULL);
	if (r == NULL)
		PyErr_Clear();
	Py_XDECREF(r);
}

/* Flushes sys.stderr and sys.stdout, keeping a pending exception. */
void
pymod_flush_io(void)
{
#if PY_VERSION_HEX >= 0x030C0000
	PyObject *exc = PyErr_GetRaisedException();

	flush_stream("stderr");
	flush_stream("stdout");
	PyErr_SetRaisedException(exc);
#else
	PyObject *type, *value, *tb;

	PyErr_Fetch(&type, &value, &tb);
	flush_stream("stderr");
	flush_stream("stdout");
	PyErr_Restore(type, value, tb);
#endif
}

PyObject *
pymod_main_module(void)
{
#if PY_VERSION_HEX >= 0x030D0000
	return PyImport_AddModuleRef("__main__");
#else
	PyObject *m = PyImport_AddModule("__main__"); /* borrowed */

	Py_XINCREF(m);
	return m;
#endif
}

PyObject *
pymod_take_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
	return PyErr_GetRaisedException();
#else
	PyObject *type, *value, *tb;

	PyErr_Fetch(&type, &value, &tb);
	if (type == NULL)
		return NULL;
	PyErr_NormalizeException(&type, &value, &tb);
	if (value != NULL && tb != NULL)
		PyException_SetTraceback(value, tb);
	Py_XDECREF(type);
	Py_XDECREF(tb);
	return value;
#endif
}

/* SystemExit: the exit code by python's rules, printing a non-integer code. */
static void
handle_system_exit(struct pymod_ending *end)
{
	PyObject *exc, *code, *err;

	exc = pymod_take_exception();
	end->kind = "systemexit";
	fflush(stdout);
	if (exc == NULL || exc == Py_None) {
		end->status = 0;
		end->detail = xstrdup("None");
		Py_XDECREF(exc);
		return;
	}
	code = PyObject_GetAttrString(exc, "code");
	if (code == NULL) {
		PyErr_Clear();
		code = exc;
		Py_INCREF(code);
	}
	Py_DECREF(exc);
	end->detail = py_str(code);
	if (code == Py_None)
		end->status = 0;
	else if (PyLong_Check(code))
		end->status = (int)PyLong_AsLong(code);
	else {
		err = PySys_GetObject("stderr"); /* borrowed */
		if (err == NULL || err == Py_None ||
		    PyFile_WriteObject(code, err, Py_PRINT_RAW) < 0) {
			PyErr_Clear();
			PyObject_Print(code, stderr, Py_PRINT_RAW);
			fflush(stderr);
		}
		PySys_WriteStderr("\n");
		end->status = 1;
	}
	Py_DECREF(code);
	PyErr_Clear();
}

char *
pymod_exception_name(PyObject *type)
{
	PyObject *mod, *qual;
	char *name, *m, *q;

	qual = PyObject_GetAttrString(type, "__qualname__");
	if (qual == NULL) {
		PyErr_Clear();
		return xstrdup(PyExceptionClass_Name(type));
	}
	q = py_str(qual);
	Py_DECREF(qual);
	mod = PyObject_GetAttrString(type, "__module__");
	if (mod == NULL || !PyUnicode_Check(mod)) {
		PyErr_Clear();
		Py_XDECREF(mod);
		return q;
	}
	m = py_str(mod);
	Py_DECREF(mod);
	if (strcmp(m, "builtins") == 0 || strcmp(m, "__main__") == 0) {
		free(m);
		return q;
	}
	name = xasprintf("%s.%s", m, q);
	free(m);
	free(q);
	return name;
}

/* Classifies and prints the pending exception, as python's top level would. */
static void
handle_exception(struct pymod_ending *end)
{
	PyObject *type;

	if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
		handle_system_exit(end);
		return;
	}
	type = PyErr_Occurred(); /* borrowed */
	if (type == NULL) {
		end->kind = "exception";
		end->status = 1;
		end->detail = xstrdup("?");
		return;
	}
	if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
		end->kind = "interrupt";
		end->status = 130;
	} else {
		end->kind = "exception";
		end->status = 1;
	}
	end->detail = pymod_exception_name(type);
	PyErr_Print();
}

/*
 * Runs source as the interactive interpreter would: each top-level statement
 * compiled in 'single' mode, so the value of an expression statement goes
 * through sys.displayhook. Stops at the first exception (left set). Returns
 * 0, or -1 with the exception set.
 */
static int
run_interactive(PyObject *source, PyObject *filename, PyObject *dict)
{
	PyObject *ast = NULL, *tree = NULL, *body = NULL, *interactive = NULL, *compile;
	PyObject *kwargs = NULL, *empty = NULL;
	Py_ssize_t n;
	int rc = -1;

	compile = PyDict_GetItemString(PyEval_GetBuiltins(), "compile"); /* borrowed */
	if (compile == NULL) {
		PyErr_SetString(PyExc_RuntimeError, "builtins.compile is missing");
		return -1;
	}
	if ((ast = PyImport_ImportModule("ast")) == NULL ||
	    (tree = PyObject_CallMethod(ast, "parse", "OO", source, filename)) == NULL ||
	    (body = PyObject_GetAttrString(tree, "body")) == NULL ||
	    (interactive = PyObject_GetAttrString(ast, "Interactive")) == NULL ||
	    (empty = PyTuple_New(0)) == NULL)
		goto out;
	n = PySequence_Size(body);
	if (n < 0)
		goto out;
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *node, *one, *mod, *code, *v;

		node = PySequence_GetItem(body, i);
		if (node == NULL)
			goto out;
		one = PyList_New(1);
		if (one == NULL) {
			Py_DECREF(node);
			goto out;
		}
		PyList_SET_ITEM(one, 0, node); /* steals node */
		kwargs = Py_BuildValue("{s:N}", "body", one);
		if (kwargs == NULL)
			goto out;
		mod = PyObject_Call(interactive, empty, kwargs);
		Py_CLEAR(kwargs);
		if (mod == NULL)
			goto out;
		code = PyObject_CallFunction(compile, "OOs", mod, filename, "single");
		Py_DECREF(mod);
		if (code == NULL)
			goto out;
		v = PyEval_EvalCode(code, dict, dict);
		Py_DECREF(code);
		pymod_flush_io();
		if (v == NULL)
			goto out;
		Py_DECREF(v);
	}
	rc = 0;
out:
	Py_XDECREF(kwargs);
	Py_XDECREF(empty);
	Py_XDECREF(interactive);
	Py_XDECREF(body);
	Py_XDECREF(tree);
	Py_XDECREF(ast);
	return rc;
}

/* Reads what is left of fp (closed here) as bytes; NULL with an exception. */
static PyObject *
read_source_bytes(FILE *fp)
{
	char chunk[65536];
	struct buf b;
	PyObject *s;
	size_t n;

	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(fp)) {
		fclose(fp);
		buf_free(&b);
		PyErr_SetFromErrno(PyExc_OSError);
		return NULL;
	}
	fclose(fp);
	s = PyBytes_FromStringAndSize(b.data != NULL ? b.data : "", (Py_ssize_t)b.len);
	buf_free(&b);
	return s;
}

/* Reads what is left of fp (closed here) as a str; NULL with an exception. */
static PyObject *
read_source(FILE *fp)
{
	PyObject *bytes, *s;

	bytes = read_source_bytes(fp);
	if (bytes == NULL)
		return NULL;
	s = PyUnicode_DecodeUTF8(
	    PyBytes_AS_STRING(bytes), PyBytes_GET_SIZE(bytes), "surrogateescape");
	Py_DECREF(bytes);
	return s;
}

PyObject *
pymod_profiler_new(void)
{
	PyObject *mod, *prof;

	mod = PyImport_ImportModule("cProfile");
	if (mod == NULL)
		return NULL;
	prof = PyObject_CallMethod(mod, "Profile", NULL);
	Py_DECREF(mod);
	return prof;
}

void
pymod_profiler_dump(PyObject *prof, const char *path)
{
	PyObject *type, *value, *tb, *r, *stats, *p;
	Py_ssize_t n = -1;

	PyErr_Fetch(&type, &value, &tb);
	p = PyUnicode_DecodeFSDefault(path);
	r = p != NULL ? PyObject_CallMethod(prof, "dump_stats", "O", p) : NULL;
	Py_XDECREF(p);
	if (r == NULL) {
		PyObject *t2, *v2, *tb2;
		char *why;

		PyErr_Fetch(&t2, &v2, &tb2);
		why = v2 != NULL ? py_str(v2) : xstrdup("unknown error");
		fprintf(stderr, "proflab-worker: cannot write the profile to %s: %s\n", path, why);
		free(why);
		Py_XDECREF(t2);
		Py_XDECREF(v2);
		Py_XDECREF(tb2);
	} else {
		Py_DECREF(r);
		stats = PyObject_GetAttrString(prof, "stats");
		if (stats != NULL && PyDict_Check(stats))
			n = PyDict_Size(stats);
		Py_XDECREF(stats);
		PyErr_Clear();
		pymod_send_profile(path, (long)n);
	}
	PyErr_Restore(type, value, tb);
}

/* Calls method on prof with no arguments; -1 with an exception. */
static int
profiler_call(PyObject *prof, const char *method)
{
	PyObject *r = PyObject_CallMethod(prof, method, NULL);

	Py_XDECREF(r);
	return r != NULL ? 0 : -1;
}

/*
 * Runs the code of fp (closed here) in dict: under cProfile exactly as
 * `python -m cProfile` does (Profile.runctx: enable, exec, disable), so the
 * same functions are counted, but in the real __main__ namespace; or under a
 * line instrument, compiled with the chosen functions marked. NULL with an
 * exception.
 */
static PyObject *
run_instrumented(FILE *fp, PyObject *filename, PyObject *dict, PyObject *prof)
{
	PyObject *source, *compile, *code, *v;

	source = read_source_bytes(fp);
	if (source == NULL)
		return NULL;
	if (prof == NULL) {
		code = lines_compile(source, filename);
	} else {
		compile = PyDict_GetItemString(PyEval_GetBuiltins(), "compile"); /* borrowed */
		if (compile == NULL) {
			Py_DECREF(source);
			PyErr_SetString(PyExc_RuntimeError, "builtins.compile is missing");
			return NULL;
		}
		code = PyObject_CallFunction(compile, "OOs", source, filename, "exec");
	}
	Py_DECREF(source);
	if (code == NULL)
		return NULL;
	if (prof == NULL) {
		lines_start();
		v = PyEval_EvalCode(code, dict, dict);
	} else {
		v = PyObject_CallMethod(prof, "runctx", "OOO", code, dict, dict);
	}
	Py_DECREF(code);
	return v;
}

void
pymod_run_script(FILE *fp, const char *script, const struct pymod_opts *o, struct pymod_ending *end)
{
	PyCompilerFlags cf = {.cf_flags = 0, .cf_feature_version = PY_MINOR_VERSION};
	PyObject *filename, *main_mod = NULL, *dict, *v = NULL, *prof = NULL;
	int set_file = 0;

	end->status = 0;
	end->kind = "ok";
	end->detail = NULL;

	filename = PyUnicode_DecodeFSDefault(script);
	if (filename == NULL)
		goto fail;
	if (sys_path_insert0(script) < 0)
		goto fail;
	if (PySys_Audit("cpython.run_file", "O", filename) < 0)
		goto fail;
	main_mod = pymod_main_module();
	if (main_mod == NULL)
		goto fail;
	dict = PyModule_GetDict(main_mod); /* borrowed */
	if (PyDict_GetItemString(dict, "__file__") == NULL) {
		if (PyDict_SetItemString(dict, "__file__", filename) < 0 ||
		    PyDict_SetItemString(dict, "__cached__", Py_None) < 0)
			goto fail;
		set_file = 1;
	}
	if (set_main_loader(dict, filename) < 0)
		goto fail;
	/* A SIGINT that came during start-up raises here, before the script. */
	if (Py_MakePendingCalls() < 0)
		goto fail;

	if (o->profile_out != NULL && (prof = pymod_profiler_new()) == NULL)
		goto fail;
	if (o->lines_out != NULL) {
		char *cause = NULL;

		if (lines_begin(o->lines_memory ? LINES_MEMORY : LINES_TIME, &cause) < 0 ||
		    lines_choose(script, o->funcs, o->nfuncs, &cause) < 0) {
			fprintf(stderr, "proflab-worker: %s\n", cause);
			pymod_send_error(cause);
			free(cause);
			fclose(fp);
			end->status = 2;
			end->kind = "cannot-run";
			goto done;
		}
	}

	if (o->interactive) {
		PyObject *source = read_source(fp);
		int rc = -1;

		fp = NULL;
		if (source != NULL && (prof == NULL || profiler_call(prof, "enable") == 0)) {
			lines_start();
			rc = run_interactive(source, filename, dict);
			if (prof != NULL && profiler_call(prof, "disable") < 0)
				rc = -1;
		}
		if (prof != NULL)
			pymod_profiler_dump(prof, o->profile_out);
		if (o->lines_out != NULL)
			lines_finish(o->lines_out);
		if (rc < 0)
			handle_exception(end);
		Py_XDECREF(source);
		pymod_flush_io();
	} else if (prof != NULL || o->lines_out != NULL) {
		v = run_instrumented(fp, filename, dict, prof);
		fp = NULL;
		pymod_flush_io();
		if (prof != NULL)
			pymod_profiler_dump(prof, o->profile_out);
		else
			lines_finish(o->lines_out);
		if (v == NULL)
			handle_exception(end);
		Py_XDECREF(v);
	} else {
		v = PyRun_FileExFlags(fp, script, Py_file_input, dict, dict, 1, &cf);
		fp = NULL;
		pymod_flush_io();
		if (v == NULL)
			handle_exception(end);
		Py_XDECREF(v);
	}
	if (set_file) {
		if (PyDict_DelItemString(dict, "__file__") < 0)
			PyErr_Clear();
		if (PyDict_DelItemString(dict, "__cached__") < 0)
			PyErr_Clear();
	}
	goto done;

fail:
	if (fp != NULL)
		fclose(fp);
	handle_exception(end);
done:
	Py_XDECREF(prof);
	Py_XDECREF(main_mod);
	Py_XDECREF(filename);
	if (end->detail == NULL)
		end->detail = xstrdup("");
}
