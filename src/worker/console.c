/*
 * The console worker (see console.h).
 *
 * State: the namespace (the real __main__ module's dict, held strongly), the
 * __future__ flags the statements have set so far (kept as the REPL keeps
 * them), the wake-up pipe through which Python's signal handler ends the idle
 * wait whichever thread the kernel gave the SIGINT to, and the pid the
 * session belongs to: a process forked by a statement leaves the loop when
 * its statement ends.
 *
 * SIGINT is blocked in the main thread except while user code runs
 * (run_user, call_user) and while idle. A Ctrl-C that comes while the worker
 * itself works (dumping a profile, printing a traceback, sending records)
 * waits for the next idle wait and is swallowed there, instead of breaking
 * the worker's own Python code; one that comes as user code ends raises
 * there, as if the statement had been interrupted.
 *
 * Each magic runs its statement, switches its instrument off, prints the
 * exception if there was one (outcome_exception: the traceback module's
 * text, so the console's source lines show, or the user's sys.excepthook),
 * flushes, and only then writes its file and sends its record: the front end
 * reads output and records on different pipes, so output written after a
 * record could overtake it. request_end sends done. Exceptions are printed
 * with the leading traceback entries that did not run in the namespace
 * (timeit's, the worker's) removed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "config.h"

#include "worker/console.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "core/channel.h"
#include "worker/lines.h"
#include "worker/pymod.h"

#define PROGNAME "proflab-worker"

/* How many wrappers (methods, partials, staticmethods) -f looks through. */
#define UNWRAP_MAX 16

struct request {
	const char *id;
	const char *magic;
	char **args; /* ARGS split at newlines; args[0] owns the text */
	int nargs;
	const char *source;
	PyObject *filename; /* "<console-ID>" */
};

/* How a request ended. */
struct outcome {
	const char *kind; /* ok, exception, interrupt, systemexit or error */
	char *detail; /* owned */
	int status; /* as an exit status: for a process forked by the statement */
};

struct magic {
	const char *name;
	int minargs, maxargs; /* maxargs -1: no limit */
	const char *args; /* what ARGS should be, for errors */
	void (*run)(const struct request *, struct outcome *);
};

static PyObject *ns; /* __main__.__dict__ */
static int future_flags;
static int wake_fd[2] = {-1, -1};
static dev_t wake_dev;
static ino_t wake_ino;
static pid_t console_pid;
static PyObject *ast_expr, *ast_interactive, *ast_expression; /* ast's classes */

/* --- signals ------------------------------------------------------------- */

static void
sigint_block(int block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* After user code: a SIGINT that came as it ended raises now, not in the worker's own code. */
static PyObject *
after_user(PyObject *v)
{
	PyObject *type, *value, *tb;

	if (v != NULL) {
		if (PyErr_CheckSignals() < 0)
			Py_CLEAR(v);
		return v;
	}
	PyErr_Fetch(&type, &value, &tb);
	if (PyErr_CheckSignals() < 0)
		PyErr_Clear();
	PyErr_Restore(type, value, tb);
	return NULL;
}

/* Runs code in the namespace, SIGINT let through; NULL with an exception. */
static PyObject *
run_user(PyObject *code)
{
	PyObject *v;

	sigint_block(0);
	v = PyEval_EvalCode(code, ns, ns);
	sigint_block(1);
	return after_user(v);
}

/* callable(*args) as user code; NULL with an exception. */
static PyObject *
call_user(PyObject *callable, PyObject *args)
{
	PyObject *v;

	sigint_block(0);
	v = PyObject_Call(callable, args, NULL);
	sigint_block(1);
	return after_user(v);
}

/* --- exceptions ---------------------------------------------------------- */

/* Everything printed so far written out, before a record. */
static void
flush_all(void)
{
	pymod_flush_io();
	fflush(stdout);
	fflush(stderr);
}

/* str(obj) as UTF-8, newlines made spaces (caller frees). */
static char *
text_of(PyObject *obj)
{
	PyObject *s, *bytes;
	char *out;

	s = PyObject_Str(obj);
	bytes = s != NULL ? PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace") : NULL;
	Py_XDECREF(s);
	if (bytes == NULL) {
		PyErr_Clear();
		return xstrdup("?");
	}
	out = xstrdup(PyBytes_AS_STRING(bytes));
	Py_DECREF(bytes);
	for (char *p = out; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
	return out;
}

/* Removes the leading traceback entries of frames that did not run in the namespace. */
static void
exc_trim(PyObject *exc)
{
	PyObject *first, *tb, *frame, *globals, *next;
	int mine;

	first = PyException_GetTraceback(exc);
	tb = first;
	Py_XINCREF(tb);
	while (tb != NULL && tb != Py_None) {
		frame = PyObject_GetAttrString(tb, "tb_frame");
		globals = frame != NULL ? PyObject_GetAttrString(frame, "f_globals") : NULL;
		mine = globals == ns;
		Py_XDECREF(globals);
		Py_XDECREF(frame);
		PyErr_Clear();
		if (mine)
			break;
		next = PyObject_GetAttrString(tb, "tb_next");
		Py_DECREF(tb);
		tb = next;
		if (tb == NULL)
			PyErr_Clear();
	}
	if (tb != first)
		PyException_SetTraceback(exc, tb != NULL ? tb : Py_None);
	Py_XDECREF(tb);
	Py_XDECREF(first);
}

/* traceback.format_exception's text of exc on sys.stderr; -1 with an exception. */
static int
exc_write(PyObject *exc, PyObject *tb)
{
	PyObject *mod, *fn, *args, *lines = NULL, *sep, *text = NULL, *err;
	int rc = -1;

	mod = PyImport_ImportModule("traceback");
	if (mod == NULL)
		return -1;
	fn = PyObject_GetAttrString(mod, "format_exception");
	Py_DECREF(mod);
	if (fn == NULL)
		return -1;
	args = PyTuple_Pack(3, (PyObject *)Py_TYPE(exc), exc, tb);
	if (args != NULL)
		lines = PyObject_Call(fn, args, NULL);
	Py_XDECREF(args);
	Py_DECREF(fn);
	if (lines == NULL)
		return -1;
	sep = PyUnicode_FromString("");
	if (sep != NULL)
		text = PyUnicode_Join(sep, lines);
	Py_XDECREF(sep);
	Py_DECREF(lines);
	if (text == NULL)
		return -1;
	err = PySys_GetObject("stderr"); /* borrowed */
	if (err == NULL || err == Py_None)
		rc = 0;
	else
		rc = PyFile_WriteObject(text, err, Py_PRINT_RAW);
	Py_DECREF(text);
	return rc;
}

/*
 * Prints exc as the interactive interpreter of the code module does: through
 * a sys.excepthook the user set, else as traceback.format_exception formats
 * it. Sets sys.last_type, last_value and last_traceback.
 */
static void
exc_print(PyObject *exc)
{
	PyObject *type = (PyObject *)Py_TYPE(exc), *tb, *hook, *args, *r, *err;

	tb = PyException_GetTraceback(exc);
	if (tb == NULL)
		tb = Py_NewRef(Py_None);
	if (PySys_SetObject("last_type", type) < 0 || PySys_SetObject("last_value", exc) < 0 ||
	    PySys_SetObject("last_traceback", tb) < 0)
		PyErr_Clear();
#if PY_VERSION_HEX >= 0x030C0000
	if (PySys_SetObject("last_exc", exc) < 0)
		PyErr_Clear();
#endif
	hook = PySys_GetObject("excepthook"); /* borrowed */
	if (hook != NULL && hook != PySys_GetObject("__excepthook__")) {
		args = PyTuple_Pack(3, type, exc, tb);
		r = args != NULL ? PyObject_Call(hook, args, NULL) : NULL;
		Py_XDECREF(args);
		if (r != NULL) {
			Py_DECREF(r);
			Py_DECREF(tb);
			return;
		}
		err = pymod_take_exception();
		PySys_WriteStderr("Error in sys.excepthook:\n");
		if (err != NULL && exc_write(err, Py_None) < 0)
			PyErr_Clear();
		Py_XDECREF(err);
		PySys_WriteStderr("\nOriginal exception was:\n");
	}
	if (exc_write(exc, tb) < 0) {
		PyErr_Clear();
		PyErr_Display(type, exc, tb);
		PyErr_Clear();
	}
	Py_DECREF(tb);
}

/*
 * The outcome of the pending exception (cleared), printed now: the traceback,
 * or a SystemExit code that is not None or an int, as Python prints it at exit.
 */
static void
outcome_exception(struct outcome *o)
{
	PyObject *exc = pymod_take_exception(), *code, *err;

	if (exc == NULL) {
		o->kind = "exception";
		o->detail = xstrdup("?");
		o->status = 1;
		return;
	}
	if (PyErr_GivenExceptionMatches(exc, PyExc_SystemExit)) {
		/* Python's rules at exit: print a code that is not None or an int. */
		o->kind = "systemexit";
		code = PyObject_GetAttrString(exc, "code");
		if (code == NULL) {
			PyErr_Clear();
			code = Py_NewRef(Py_None);
		}
		o->detail = text_of(code);
		o->status = 0;
		if (PyLong_Check(code)) {
			o->status = (int)PyLong_AsLong(code);
			PyErr_Clear();
		} else if (code != Py_None) {
			o->status = 1;
			err = PySys_GetObject("stderr"); /* borrowed */
			if (err != NULL && err != Py_None &&
			    (PyFile_WriteObject(code, err, Py_PRINT_RAW) < 0 ||
			        PyFile_WriteString("\n", err) < 0))
				PyErr_Clear();
		}
		Py_DECREF(code);
		Py_DECREF(exc);
		return;
	}
	if (PyErr_GivenExceptionMatches(exc, PyExc_KeyboardInterrupt)) {
		o->kind = "interrupt";
		o->status = 128 + SIGINT;
	} else {
		o->kind = "exception";
		o->status = 1;
	}
	o->detail = pymod_exception_name((PyObject *)Py_TYPE(exc));
	exc_trim(exc);
	exc_print(exc);
	Py_DECREF(exc);
	flush_all();
}

static void
outcome_error(struct outcome *o, char *detail)
{
	o->kind = "error";
	o->detail = detail;
	o->status = 1;
}

/* The pending exception (cleared) as "Type: message", for a one-line error; caller frees. */
static char *
exc_line(void)
{
	PyObject *exc = pymod_take_exception(), *msg = NULL;
	char *name, *text, *out;

	if (exc == NULL)
		return xstrdup("unknown error");
	name = pymod_exception_name((PyObject *)Py_TYPE(exc));
	if (PyErr_GivenExceptionMatches(exc, PyExc_SyntaxError))
		msg = PyObject_GetAttrString(exc, "msg");
	if (msg == NULL) {
		PyErr_Clear();
		msg = Py_NewRef(exc);
	}
	text = text_of(msg);
	out = *text != '\0' ? xasprintf("%s: %s", name, text) : xstrdup(name);
	free(text);
	free(name);
	Py_DECREF(msg);
	Py_DECREF(exc);
	return out;
}

/* --- compiling ----------------------------------------------------------- */

static void
future_keep(PyObject *code)
{
	if (code != NULL && PyCode_Check(code))
		future_flags |= ((PyCodeObject *)code)->co_flags & PyCF_MASK;
}

/* The request's source compiled whole, in mode start; NULL with an exception. */
static PyObject *
compile_source(const char *source, PyObject *filename, int start)
{
	PyCompilerFlags cf = {.cf_flags = future_flags, .cf_feature_version = PY_MINOR_VERSION};
	PyObject *code;

	code = Py_CompileStringObject(source, filename, start, &cf, -1);
	future_keep(code);
	return code;
}

/* compile(tree, filename, mode) with the session's future flags; NULL with an exception. */
static PyObject *
compile_tree(PyObject *tree, PyObject *filename, const char *mode)
{
	PyObject *compile, *code;

	compile = PyDict_GetItemString(PyEval_GetBuiltins(), "compile"); /* borrowed */
	if (compile == NULL) {
		PyErr_SetString(PyExc_RuntimeError, "builtins.compile is missing");
		return NULL;
	}
	code = PyObject_CallFunction(compile, "OOsii", tree, filename, mode, future_flags, 1);
	future_keep(code);
	return code;
}

/* IPython's rule: a last expression statement followed by ';' is not echoed. */
static int
ends_quiet(const char *source, PyObject *node)
{
	PyObject *l, *c;
	long line, col;
	const char *p = source;

	l = PyObject_GetAttrString(node, "end_lineno");
	c = PyObject_GetAttrString(node, "end_col_offset");
	line = l != NULL && PyLong_Check(l) ? PyLong_AsLong(l) : -1;
	col = c != NULL && PyLong_Check(c) ? PyLong_AsLong(c) : -1;
	Py_XDECREF(l);
	Py_XDECREF(c);
	PyErr_Clear();
	if (line < 1 || col < 0)
		return 0;
	for (long i = 1; i < line && p != NULL; i++) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (p == NULL || (long)strcspn(p, "\n") < col)
		return 0;
	p += col;
	p += strspn(p, " \t\f");
	return *p == ';';
}

/*
 * The source compiled for the none and time magics: *body runs its
 * statements; *last, when the last one is an expression statement to echo,
 * runs that one apart (mode Py_single_input: echoed as it runs;
 * Py_eval_input: its value returned), else NULL. -1 with an exception.
 */
static int
compile_cell(const struct request *rq, int mode, PyObject **body, PyObject **last)
{
	PyCompilerFlags cf = {
	    .cf_flags = future_flags | PyCF_ONLY_AST, .cf_feature_version = PY_MINOR_VERSION};
	PyObject *tree, *stmts = NULL, *node = NULL, *wrap = NULL, *kwargs = NULL, *empty = NULL;
	PyObject *value;
	Py_ssize_t n;
	int rc = -1;

	*body = *last = NULL;
	tree = Py_CompileStringObject(rq->source, rq->filename, Py_file_input, &cf, -1);
	if (tree == NULL)
		return -1;
	stmts = PyObject_GetAttrString(tree, "body");
	if (stmts == NULL || !PyList_Check(stmts))
		goto out;
	n = PyList_GET_SIZE(stmts);
	if (n > 0 && PyObject_TypeCheck(PyList_GET_ITEM(stmts, n - 1), (PyTypeObject *)ast_expr) &&
	    !ends_quiet(rq->source, PyList_GET_ITEM(stmts, n - 1))) {
		node = Py_NewRef(PyList_GET_ITEM(stmts, n - 1));
		if (PySequence_DelItem(stmts, n - 1) < 0 || (empty = PyTuple_New(0)) == NULL)
			goto out;
		if (mode == Py_single_input) {
			kwargs = Py_BuildValue("{s:[O]}", "body", node);
			if (kwargs != NULL)
				wrap = PyObject_Call(ast_interactive, empty, kwargs);
		} else {
			value = PyObject_GetAttrString(node, "value");
			if (value != NULL)
				kwargs = Py_BuildValue("{s:N}", "body", value);
			if (kwargs != NULL)
				wrap = PyObject_Call(ast_expression, empty, kwargs);
		}
		if (wrap == NULL)
			goto out;
	}
	*body = compile_tree(tree, rq->filename, "exec");
	if (*body == NULL)
		goto out;
	if (wrap != NULL) {
		*last =
		    compile_tree(wrap, rq->filename, mode == Py_single_input ? "single" : "eval");
		if (*last == NULL) {
			Py_CLEAR(*body);
			goto out;
		}
	}
	rc = 0;
out:
	Py_XDECREF(empty);
	Py_XDECREF(kwargs);
	Py_XDECREF(wrap);
	Py_XDECREF(node);
	Py_XDECREF(stmts);
	Py_DECREF(tree);
	return rc;
}

/* Puts the request's source in linecache, as "<console-ID>". */
static void
cache_source(const struct request *rq)
{
	PyObject *mod = NULL, *cache = NULL, *lines = NULL, *line, *entry = NULL;
	const char *p = rq->source, *nl;
	Py_ssize_t size = 0;

	lines = PyList_New(0);
	if (lines == NULL)
		goto out;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl != NULL) {
			line = PyUnicode_DecodeUTF8(p, nl + 1 - p, "replace");
			p = nl + 1;
		} else {
			/* linecache's lines end in newlines */
			char *withnl = xasprintf("%s\n", p);

			line = PyUnicode_DecodeUTF8(withnl, (Py_ssize_t)strlen(withnl), "replace");
			free(withnl);
			p += strlen(p);
		}
		if (line == NULL || PyList_Append(lines, line) < 0) {
			Py_XDECREF(line);
			goto out;
		}
		size += PyUnicode_GET_LENGTH(line);
		Py_DECREF(line);
	}
	if ((mod = PyImport_ImportModule("linecache")) == NULL ||
	    (cache = PyObject_GetAttrString(mod, "cache")) == NULL)
		goto out;
	entry = Py_BuildValue("(nOOO)", size, Py_None, lines, rq->filename);
	if (entry != NULL)
		PyObject_SetItem(cache, rq->filename, entry);
out:
	Py_XDECREF(entry);
	Py_XDECREF(cache);
	Py_XDECREF(mod);
	Py_XDECREF(lines);
	PyErr_Clear();
}

/* --- measuring ----------------------------------------------------------- */

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
cpu_now(double *user, double *sys)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1) {
		*user = *sys = 0;
		return;
	}
	*user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	*sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* A count: decimal, 0 to LONG_MAX; -1 on bad text. */
static int
parse_count(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* --- the magics ---------------------------------------------------------- */

static void
magic_none(const struct request *rq, struct outcome *o)
{
	PyObject *body, *last, *v;

	if (compile_cell(rq, Py_single_input, &body, &last) < 0) {
		outcome_exception(o);
		return;
	}
	v = run_user(body);
	if (v != NULL && last != NULL) {
		Py_DECREF(v);
		v = run_user(last);
	}
	if (v == NULL)
		outcome_exception(o);
	Py_XDECREF(v);
	Py_XDECREF(last);
	Py_DECREF(body);
}

/*
 * sys.displayhook(value) as user code, with what it writes on sys.stdout
 * caught in *text (caller frees). 0, or -1 with an exception.
 */
static int
echo_capture(PyObject *value, char **text)
{
	PyObject *hook, *io, *sio, *old, *args, *r = NULL, *s, *type, *exc, *tb;

	*text = xstrdup("");
	hook = PySys_GetObject("displayhook"); /* borrowed */
	if (hook == NULL) {
		PyErr_SetString(PyExc_RuntimeError, "lost sys.displayhook");
		return -1;
	}
	Py_INCREF(hook);
	io = PyImport_ImportModule("io");
	sio = io != NULL ? PyObject_CallMethod(io, "StringIO", NULL) : NULL;
	Py_XDECREF(io);
	old = PySys_GetObject("stdout"); /* borrowed */
	Py_XINCREF(old);
	if (sio == NULL || PySys_SetObject("stdout", sio) < 0) {
		Py_XDECREF(sio);
		Py_XDECREF(old);
		Py_DECREF(hook);
		return -1;
	}
	args = PyTuple_Pack(1, value);
	if (args != NULL)
		r = call_user(hook, args);
	Py_XDECREF(args);
	Py_DECREF(hook);
	PyErr_Fetch(&type, &exc, &tb);
	if (PySys_GetObject("stdout") == sio && PySys_SetObject("stdout", old) < 0)
		PyErr_Clear();
	Py_XDECREF(old);
	s = PyObject_CallMethod(sio, "getvalue", NULL);
	if (s != NULL && PyUnicode_Check(s)) {
		PyObject *bytes = PyUnicode_AsEncodedString(s, "utf-8", "surrogateescape");

		if (bytes == NULL)
			bytes = PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace");
		if (bytes != NULL) {
			free(*text);
			*text = xstrdup(PyBytes_AS_STRING(bytes));
			Py_DECREF(bytes);
		}
	}
	Py_XDECREF(s);
	Py_DECREF(sio);
	PyErr_Clear();
	PyErr_Restore(type, exc, tb);
	if (r == NULL)
		return -1;
	Py_DECREF(r);
	return 0;
}

static void
magic_time(const struct request *rq, struct outcome *o)
{
	PyObject *body, *last, *v;
	double wall, user0, sys0, user1, sys1;
	char *shown = NULL;

	if (compile_cell(rq, Py_eval_input, &body, &last) < 0) {
		outcome_exception(o);
		return;
	}
	cpu_now(&user0, &sys0);
	wall = mono_now();
	v = run_user(body);
	if (v != NULL && last != NULL) {
		Py_DECREF(v);
		v = run_user(last);
	}
	wall = mono_now() - wall;
	cpu_now(&user1, &sys1);
	if (v == NULL)
		outcome_exception(o);
	else if (last != NULL && echo_capture(v, &shown) < 0)
		outcome_exception(o);
	flush_all();
	/* As IPython: a statement that raised shows its traceback and no times. */
	if (v != NULL)
		pymod_send_cputime(wall, user1 - user0, sys1 - sys0, shown != NULL ? shown : "");
	free(shown);
	Py_XDECREF(v);
	Py_XDECREF(last);
	Py_DECREF(body);
}

/* timer.method(arg...) as user code; NULL with an exception. */
static PyObject *
timer_call(PyObject *timer, const char *method, PyObject *args)
{
	PyObject *m, *r = NULL;

	m = PyObject_GetAttrString(timer, method);
	if (m != NULL && args != NULL)
		r = call_user(m, args);
	Py_XDECREF(m);
	Py_XDECREF(args);
	return r;
}

/* timeit's template in linecache, so a traceback through it shows the statement. */
static void
cache_timer_source(PyObject *timer)
{
	PyObject *src, *mod = NULL, *cache = NULL, *lines = NULL, *name = NULL, *entry = NULL;

	src = PyObject_GetAttrString(timer, "src");
	if (src == NULL || !PyUnicode_Check(src))
		goto out;
	if ((lines = PyUnicode_Splitlines(src, 1)) == NULL ||
	    (name = PyUnicode_FromString("<timeit-src>")) == NULL ||
	    (mod = PyImport_ImportModule("linecache")) == NULL ||
	    (cache = PyObject_GetAttrString(mod, "cache")) == NULL)
		goto out;
	entry = Py_BuildValue("(nOOO)", PyUnicode_GET_LENGTH(src), Py_None, lines, name);
	if (entry != NULL)
		PyObject_SetItem(cache, name, entry);
out:
	Py_XDECREF(entry);
	Py_XDECREF(cache);
	Py_XDECREF(mod);
	Py_XDECREF(name);
	Py_XDECREF(lines);
	Py_XDECREF(src);
	PyErr_Clear();
}

static void
magic_timeit(const struct request *rq, struct outcome *o)
{
	PyObject *code, *mod, *cls, *args = NULL, *kwargs = NULL, *timer = NULL, *t, *times = NULL;
	long number, repeat;
	double secs;

	if (parse_count(rq->args[0], &number) < 0 || parse_count(rq->args[1], &repeat) < 0) {
		outcome_error(o,
		    xasprintf(
		        "timeit: bad NUMBER or REPEAT \"%s\", \"%s\"", rq->args[0], rq->args[1]));
		return;
	}
	if (repeat == 0)
		repeat = 1; /* as python -m timeit */
	/* Compiled alone first, so a syntax error names the console's line. */
	code = compile_source(rq->source, rq->filename, Py_file_input);
	if (code == NULL) {
		outcome_exception(o);
		return;
	}
	Py_DECREF(code);
	mod = PyImport_ImportModule("timeit");
	cls = mod != NULL ? PyObject_GetAttrString(mod, "Timer") : NULL;
	Py_XDECREF(mod);
	if (cls != NULL) {
		args = Py_BuildValue("(s)", rq->source);
		kwargs = Py_BuildValue("{s:O}", "globals", ns);
		if (args != NULL && kwargs != NULL)
			timer = PyObject_Call(cls, args, kwargs);
		Py_DECREF(cls);
	}
	Py_XDECREF(args);
	Py_XDECREF(kwargs);
	if (timer == NULL)
		goto fail;
	if (number == 0) {
		/* IPython's auto-range: 10**k loops, the first to take 0.2 s. */
		for (int k = 0; k < 10; k++) {
			number = k == 0 ? 1 : number * 10;
			t = timer_call(timer, "timeit", Py_BuildValue("(l)", number));
			if (t == NULL)
				goto fail;
			secs = PyFloat_AsDouble(t);
			Py_DECREF(t);
			if (secs == -1.0 && PyErr_Occurred())
				goto fail;
			if (secs >= 0.2)
				break;
		}
	}
	times = timer_call(timer, "repeat", Py_BuildValue("(ll)", repeat, number));
	if (times == NULL)
		goto fail;
	flush_all();
	if (pymod_send_timeit(number, times) < 0)
		goto fail;
	Py_DECREF(times);
	Py_DECREF(timer);
	return;
fail:
	if (timer != NULL) {
		PyObject *type, *exc, *tb;

		PyErr_Fetch(&type, &exc, &tb);
		cache_timer_source(timer);
		PyErr_Restore(type, exc, tb);
	}
	outcome_exception(o);
	Py_XDECREF(times);
	Py_XDECREF(timer);
}

/* prof.method() keeping a pending exception; -1 (exception set) when it fails. */
static int
profiler_call(PyObject *prof, const char *method)
{
	PyObject *type, *value, *tb, *r;

	PyErr_Fetch(&type, &value, &tb);
	r = PyObject_CallMethod(prof, method, NULL);
	if (r == NULL) {
		Py_XDECREF(type);
		Py_XDECREF(value);
		Py_XDECREF(tb);
		return -1;
	}
	Py_DECREF(r);
	PyErr_Restore(type, value, tb);
	return 0;
}

static void
magic_prun(const struct request *rq, struct outcome *o)
{
	PyObject *code, *prof, *v;

	if (*rq->args[0] == '\0') {
		outcome_error(o, xstrdup("prun: no file to write the profile to"));
		return;
	}
	code = compile_source(rq->source, rq->filename, Py_file_input);
	if (code == NULL) {
		outcome_exception(o);
		return;
	}
	prof = pymod_profiler_new();
	if (prof == NULL || profiler_call(prof, "enable") < 0) {
		outcome_exception(o);
		Py_XDECREF(prof);
		Py_DECREF(code);
		return;
	}
	v = run_user(code);
	if (profiler_call(prof, "disable") < 0)
		Py_CLEAR(v);
	if (v == NULL)
		outcome_exception(o);
	flush_all();
	pymod_profiler_dump(prof, rq->args[0]);
	Py_XDECREF(v);
	Py_DECREF(prof);
	Py_DECREF(code);
}

static void
magic_memit(const struct request *rq, struct outcome *o)
{
	PyObject *code, *v = NULL;
	long repeat;
	long long base, peak;

	if (parse_count(rq->args[0], &repeat) < 0) {
		outcome_error(o, xasprintf("memit: bad REPEAT \"%s\"", rq->args[0]));
		return;
	}
	if (repeat == 0)
		repeat = 1;
	code = compile_source(rq->source, rq->filename, Py_file_input);
	if (code == NULL) {
		outcome_exception(o);
		return;
	}
	base = lines_rss();
	lines_rss_peak_reset();
	for (long i = 0; i < repeat; i++) {
		Py_XDECREF(v);
		v = run_user(code);
		if (v == NULL)
			break;
	}
	peak = lines_rss_peak();
	if (peak < base)
		peak = base;
	if (v == NULL)
		outcome_exception(o);
	flush_all();
	pymod_send_memit(peak, base);
	Py_XDECREF(v);
	Py_DECREF(code);
}

/*
 * The function -f EXPR names, evaluated in the namespace: a function, or the
 * one inside a method, staticmethod, classmethod or functools.partial. NULL
 * and *cause (caller frees) when it names none.
 */
static PyObject *
resolve_func(const char *expr, char **cause)
{
	PyObject *filename, *code = NULL, *obj = NULL, *mod, *partial = NULL, *inner;
	char *why;
	int i;

	expr += strspn(expr, " \t");
	filename = PyUnicode_FromString("<lprun -f>");
	if (filename != NULL)
		code = compile_source(expr, filename, Py_eval_input);
	Py_XDECREF(filename);
	if (code != NULL)
		obj = run_user(code);
	Py_XDECREF(code);
	if (obj == NULL) {
		why = exc_line();
		*cause = xasprintf("-f %s: %s", expr, why);
		free(why);
		return NULL;
	}
	mod = PyImport_ImportModule("functools");
	if (mod != NULL) {
		partial = PyObject_GetAttrString(mod, "partial");
		Py_DECREF(mod);
	}
	PyErr_Clear();
	for (i = 0; i < UNWRAP_MAX && !PyFunction_Check(obj); i++) {
		if (PyMethod_Check(obj))
			inner = Py_NewRef(PyMethod_GET_FUNCTION(obj));
		else if (PyObject_TypeCheck(obj, &PyStaticMethod_Type) ||
		    PyObject_TypeCheck(obj, &PyClassMethod_Type))
			inner = PyObject_GetAttrString(obj, "__func__");
		else if (partial != NULL && PyObject_IsInstance(obj, partial) == 1)
			inner = PyObject_GetAttrString(obj, "func");
		else
			break;
		PyErr_Clear();
		if (inner == NULL)
			break;
		Py_DECREF(obj);
		obj = inner;
	}
	Py_XDECREF(partial);
	PyErr_Clear();
	if (!PyFunction_Check(obj)) {
		PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(obj), "__name__");

		why = name != NULL ? text_of(name) : xstrdup(Py_TYPE(obj)->tp_name);
		Py_XDECREF(name);
		PyErr_Clear();
		*cause = xasprintf("-f %s: not a function (%s)", expr, why);
		free(why);
		Py_DECREF(obj);
		return NULL;
	}
	return obj;
}

static void
magic_lines(const struct request *rq, struct outcome *o, enum lines_kind kind)
{
	PyObject *funcs, *code = NULL, *fn, *gettrace, *settrace, *old = NULL, *v, *args;
	char *cause = NULL;

	if (*rq->args[0] == '\0') {
		outcome_error(o, xasprintf("%s: no file to write the table to", rq->magic));
		return;
	}
	funcs = PyList_New(0);
	if (funcs == NULL) {
		outcome_exception(o);
		return;
	}
	for (int i = 1; i < rq->nargs; i++) {
		fn = resolve_func(rq->args[i], &cause);
		if (fn == NULL) {
			outcome_error(o, cause);
			goto out;
		}
		if (PyList_Append(funcs, fn) < 0) {
			Py_DECREF(fn);
			outcome_exception(o);
			goto out;
		}
		Py_DECREF(fn);
	}
	code = compile_source(rq->source, rq->filename, Py_file_input);
	if (code == NULL) {
		outcome_exception(o);
		goto out;
	}
	if (lines_begin(kind, &cause) < 0) {
		outcome_error(o, xasprintf("%s: %s", rq->magic, cause));
		free(cause);
		goto out;
	}
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(funcs); i++) {
		if (lines_add_code(PyFunction_GET_CODE(PyList_GET_ITEM(funcs, i))) < 0)
			PyErr_Clear();
	}
	/* A Python tracer the user set comes back after the statement. */
	gettrace = PySys_GetObject("gettrace"); /* borrowed */
	if (gettrace != NULL)
		old = PyObject_CallNoArgs(gettrace);
	PyErr_Clear();
	lines_start();
	v = run_user(code);
	lines_stop();
	if (v == NULL)
		outcome_exception(o);
	flush_all();
	lines_finish(rq->args[0]);
	Py_XDECREF(v);
	settrace = PySys_GetObject("settrace"); /* borrowed */
	if (old != NULL && old != Py_None && settrace != NULL &&
	    (args = PyTuple_Pack(1, old)) != NULL) {
		v = PyObject_Call(settrace, args, NULL);
		Py_XDECREF(v);
		Py_DECREF(args);
	}
	PyErr_Clear();
	Py_XDECREF(old);
out:
	Py_XDECREF(code);
	Py_DECREF(funcs);
}

static void
magic_lprun(const struct request *rq, struct outcome *o)
{
	magic_lines(rq, o, LINES_TIME);
}

static void
magic_mprun(const struct request *rq, struct outcome *o)
{
	magic_lines(rq, o, LINES_MEMORY);
}

static const struct magic magics[] = {
    {"none", 0, 0, "none", magic_none},
    {"time", 0, 0, "none", magic_time},
    {"timeit", 2, 2, "NUMBER and REPEAT", magic_timeit},
    {"prun", 1, 1, "PATH", magic_prun},
    {"lprun", 1, -1, "PATH, then the -f expressions", magic_lprun},
    {"mprun", 1, -1, "PATH, then the -f expressions", magic_mprun},
    {"memit", 1, 1, "REPEAT", magic_memit},
};

/* --- the request loop ---------------------------------------------------- */

/* "proflab-worker: bad request line N: CAUSE" on stderr; a channel cause loses its prefix. */
static void
bad_line(unsigned long n, const char *cause)
{
	const char *p = cause;

	if (strncmp(p, "channel record ", 15) == 0) {
		p += 15 + strspn(p + 15, "0123456789");
		if (*p == ' ' && p[1] == '(')
			p = strchr(p, ')') != NULL ? strchr(p, ')') + 1 : p;
		if (*p == ':')
			p++;
		p += strspn(p, " ");
	}
	pymod_flush_io();
	fprintf(stderr, PROGNAME ": bad request line %lu: %s\n", n, p);
	fflush(stderr);
}

/* Drains the wake-up pipe and runs Python's signal handlers; a KeyboardInterrupt is dropped. */
static void
signals_swallow(void)
{
	char buf[256];
	PyObject *exc;

	if (wake_fd[0] != -1) {
		while (read(wake_fd[0], buf, sizeof buf) > 0)
			;
	}
	if (PyErr_CheckSignals() == 0)
		return;
	exc = pymod_take_exception();
	if (exc != NULL && !PyErr_GivenExceptionMatches(exc, PyExc_KeyboardInterrupt) &&
	    !PyErr_GivenExceptionMatches(exc, PyExc_SystemExit)) {
		/* A handler the user installed raised something else. */
		exc_trim(exc);
		exc_print(exc);
		flush_all();
	}
	Py_XDECREF(exc);
}

/* Python's SIGINT handler back, if a statement set SIG_DFL: a Ctrl-C must not kill us. */
static void
sigint_handler_check(void)
{
	PyObject *mod, *handler, *r;

	if (PyOS_getsig(SIGINT) != SIG_DFL)
		return;
	mod = PyImport_ImportModule("signal");
	if (mod == NULL) {
		PyErr_Clear();
		return;
	}
	handler = PyObject_GetAttrString(mod, "default_int_handler");
	r = handler != NULL ? PyObject_CallMethod(mod, "signal", "iO", SIGINT, handler) : NULL;
	Py_XDECREF(r);
	Py_XDECREF(handler);
	Py_DECREF(mod);
	PyErr_Clear();
}

/* The wake-up pipe, unless a statement closed it (and the fds now name something else). */
static int
wake_ok(void)
{
	struct stat sb;

	if (wake_fd[0] == -1)
		return 0;
	if (fstat(wake_fd[1], &sb) == 0 && sb.st_dev == wake_dev && sb.st_ino == wake_ino &&
	    fstat(wake_fd[0], &sb) == 0 && sb.st_dev == wake_dev && sb.st_ino == wake_ino)
		return 1;
	wake_fd[0] = wake_fd[1] = -1;
	return 0;
}

/*
 * Waits for the next request record on fd, swallowing SIGINT: 1 and *msg
 * (caller frees), 0 at EOF, -1 when fd cannot be read (reported). Malformed
 * lines are reported and skipped.
 */
static int
request_next(struct chan_reader *r, int fd, struct chan_msg *msg)
{
	struct pollfd pfd[2];
	char data[65536], *cause;
	int old, rc, eof = 0, n;
	ssize_t got;

	sigint_handler_check();
	old = PySignal_SetWakeupFd(wake_ok() ? wake_fd[1] : -1);
	sigint_block(0);
	for (;;) {
		signals_swallow();
		rc = chan_reader_next(r, msg, &cause);
		if (rc == 1)
			break;
		if (rc == -1) {
			bad_line(r->line, cause);
			free(cause);
			continue;
		}
		if (eof) {
			if (chan_reader_pending(r) > 0)
				bad_line(r->line + 1, "no newline at the end of the input");
			rc = 0;
			break;
		}
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = wake_fd[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		Py_BEGIN_ALLOW_THREADS n = poll(pfd, 2, -1);
		Py_END_ALLOW_THREADS if (n == -1 && errno != EINTR && errno != EAGAIN)
		{
			fprintf(
			    stderr, PROGNAME ": cannot wait for requests: %s\n", strerror(errno));
			rc = -1;
			break;
		}
		if (pfd[1].revents & POLLNVAL)
			wake_fd[0] = wake_fd[1] = -1;
		if (n <= 0 || pfd[0].revents == 0)
			continue;
		got = read(fd, data, sizeof data);
		if (got == -1 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (got == -1) {
			fprintf(stderr, PROGNAME ": cannot read requests: %s\n", strerror(errno));
			rc = -1;
			break;
		}
		if (got == 0)
			eof = 1;
		else
			chan_reader_feed(r, data, (size_t)got);
	}
	sigint_block(1);
	signals_swallow();
	PySignal_SetWakeupFd(old);
	return rc;
}

/* Flushes and sends done. */
static void
request_end(const struct request *rq, struct outcome *o)
{
	flush_all();
	pymod_send_done(rq->id, o->kind, o->detail != NULL ? o->detail : "");
}

/* Runs one request record; returns its outcome's status (for a forked process). */
static int
request_run(const struct chan_msg *msg, unsigned long lineno)
{
	struct outcome o = {.kind = "ok", .detail = NULL, .status = 0};
	struct request rq;
	const struct magic *m = NULL;
	char *text;
	size_t idlen;

	if (msg->type != CHAN_RUN) {
		text = xasprintf("a %s record, not run", chan_types[msg->type].name);
		bad_line(lineno, text);
		free(text);
		return 0;
	}
	rq.id = msg->fields[0];
	idlen = strlen(rq.id);
	if (idlen == 0 || idlen > 18 || strspn(rq.id, "0123456789") != idlen) {
		text = xasprintf("bad ID \"%.40s\"", rq.id);
		bad_line(lineno, text);
		free(text);
		return 0;
	}
	rq.magic = msg->fields[1];
	rq.source = msg->fields[3];
	rq.nargs = 0;
	rq.args = xcalloc(strlen(msg->fields[2]) + 2, sizeof *rq.args);
	if (*msg->fields[2] != '\0') {
		char *p = xstrdup(msg->fields[2]);

		rq.args[rq.nargs++] = p;
		while ((p = strchr(p, '\n')) != NULL) {
			*p++ = '\0';
			rq.args[rq.nargs++] = p;
		}
	}
	rq.filename = PyUnicode_FromFormat("<console-%s>", rq.id);
	if (rq.filename == NULL)
		fatalx("cannot make a console file name");

	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
		if (strcmp(rq.magic, magics[i].name) == 0 ||
		    (*rq.magic == '\0' && magics[i].run == magic_none))
			m = &magics[i];
	}
	if (m == NULL) {
		outcome_error(&o, xasprintf("unknown magic \"%.40s\"", rq.magic));
	} else if (rq.nargs < m->minargs || (m->maxargs >= 0 && rq.nargs > m->maxargs)) {
		outcome_error(&o,
		    xasprintf("%s: bad ARGS (%d words): expected %s", m->name, rq.nargs, m->args));
	} else {
		cache_source(&rq);
		m->run(&rq, &o);
	}
	request_end(&rq, &o);

	Py_DECREF(rq.filename);
	if (rq.nargs > 0)
		free(rq.args[0]);
	free(rq.args);
	free(o.detail);
	return o.status;
}

/* The namespace, sys.path[0] = '', ast's classes and the wake-up pipe; -1 with an exception. */
static int
console_setup(void)
{
	PyObject *main_mod, *path, *empty, *ast;
	struct stat sb;
	int rc;

	main_mod = pymod_main_module();
	if (main_mod == NULL)
		return -1;
	ns = Py_NewRef(PyModule_GetDict(main_mod));
	Py_DECREF(main_mod);

	path = PySys_GetObject("path"); /* borrowed */
	if (path == NULL || !PyList_Check(path)) {
		PyErr_SetString(PyExc_RuntimeError, "sys.path is not a list");
		return -1;
	}
	empty = PyUnicode_FromString("");
	if (empty == NULL)
		return -1;
	rc = PyList_Insert(path, 0, empty);
	Py_DECREF(empty);
	if (rc < 0)
		return -1;

	ast = PyImport_ImportModule("ast");
	if (ast == NULL)
		return -1;
	ast_expr = PyObject_GetAttrString(ast, "Expr");
	ast_interactive = PyObject_GetAttrString(ast, "Interactive");
	ast_expression = PyObject_GetAttrString(ast, "Expression");
	Py_DECREF(ast);
	if (ast_expr == NULL || ast_interactive == NULL || ast_expression == NULL)
		return -1;
	if (!PyType_Check(ast_expr)) {
		PyErr_SetString(PyExc_RuntimeError, "ast.Expr is not a class");
		return -1;
	}

	if (pipe2(wake_fd, O_CLOEXEC | O_NONBLOCK) == -1 || fstat(wake_fd[0], &sb) == -1) {
		wake_fd[0] = wake_fd[1] = -1;
	} else {
		wake_dev = sb.st_dev;
		wake_ino = sb.st_ino;
	}
	return 0;
}

int
console_main(int request_fd)
{
	struct chan_reader r;
	struct chan_msg msg;
	int rc, status = 0, st;

	console_pid = getpid();
	sigint_block(1);
	if (console_setup() < 0) {
		char *why = exc_line();

		fprintf(stderr, PROGNAME ": cannot start the console: %s\n", why);
		pymod_send_error(why);
		free(why);
		return 1;
	}
	pymod_send_hello("<console>");
	chan_reader_init(&r);
	for (;;) {
		rc = request_next(&r, request_fd, &msg);
		if (rc <= 0) {
			status = rc == 0 ? 0 : 1;
			break;
		}
		st = request_run(&msg, r.line);
		chan_msg_free(&msg);
		if (getpid() != console_pid) {
			/* A statement forked and this is the child: it ends with its statement. */
			status = st;
			break;
		}
	}
	chan_reader_free(&r);
	return status;
}
