/*
 * The line timer and the line memory meter (see lines.h).
 *
 * Targets: every chosen code object has a struct target, found by the code
 * object's address in an open-addressing table (the target holds a strong
 * reference, so the address stays valid). A target's numbers live in a
 * per-line array (struct lstat) indexed from its first line; under the
 * memory meter, code objects nested in a chosen function (comprehensions,
 * inner functions) share their outer function's array, as memory_profiler
 * counts them.
 *
 * Sessions: lines_begin starts one, lines_finish ends it, after which
 * nothing of it is left: tracing off, targets freed, the built-ins and the
 * import hook removed. A session counter tells what belongs to an ended
 * session: a wrapper or a thread's stack from an old session is ignored (a
 * wrapper then calls its function plainly; a thread still tracing removes
 * the trace function at its next event), so nothing points at freed targets.
 *
 * Tracing: a script run wraps its chosen functions. The wrapper (struct
 * wrapper, the object `profile(f)` returns) raises a per-thread depth around
 * each call and installs the C trace function when it goes from 0 to 1,
 * removing it when it goes back. The console chooses code objects instead
 * (lines_add_code), and the trace function stays installed in its thread
 * from lines_start to lines_finish. While installed, the trace function sees
 * every frame's call event; a frame that is not a target gets f_trace_lines
 * = 0, so its lines cost nothing. A per-thread stack (struct tstack) holds
 * the target frames running, so a line event is one comparison away from
 * being counted or ignored. Everything runs with the GIL held.
 *
 * Line time is counted as line_profiler counts it: a line's hit and its time
 * (from its line event to the frame's next line or return event, callees
 * included) are added when it ends. Memory follows memory_profiler's rules:
 * each line or return event reads the resident memory and charges it to the
 * line that just ran. Reading /proc/self/statm costs a few microseconds, so
 * a reading younger than MEM_STALE_NS is reused: resident memory cannot
 * change by more than a few pages in that time, and the change is not lost,
 * only charged to the next line read.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include "config.h"

#include "worker/lines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "worker/pymod.h"

#define MEM_STALE_NS 20000LL

struct lstat {
	unsigned long long hits; /* time: hits; memory: occurrences */
	long long ns; /* time */
	long long incr; /* memory: increment, bytes */
	long long mem; /* memory: largest reading after the line, bytes */
};

struct target {
	PyObject *code; /* strong */
	struct target *top; /* the target whose lines these are: itself, or the outer function */
	unsigned long long calls;
	int first_resume; /* a generator's or coroutine's first RESUME offset (its start), or -1 */
	long base; /* line number of stats[0] */
	size_t nstats;
	struct lstat *stats;
	int listed; /* top-level: in the targets list */
};

struct frame_ent {
	PyFrameObject *frame; /* borrowed: alive while it runs */
	struct target *t;
	long line; /* time: the line running, -1 for none; memory: memory_profiler's prevline */
	long long t0;
};

struct tstack {
	unsigned session; /* the session the rest belongs to */
	struct frame_ent *ents; /* first, or a heap copy while the stack is deeper */
	size_t n, cap;
	int depth; /* wrappers running in this thread */
	long prev_line; /* memory: memory_profiler's prev_lineno */
	struct frame_ent first[32]; /* goes with the thread: nothing to free at its end */
};

static enum lines_kind kind;
static int active; /* a session is on */
static unsigned session; /* sessions begun so far */
static int everywhere; /* code objects chosen: the thread is traced from start to finish */
static struct target **table; /* open addressing by code address */
static size_t table_cap, table_n;
static struct target **listed; /* top-level targets, in the order they were chosen */
static size_t nlisted;
static int forever; /* a coroutine was chosen: tracing stays on */
static _Thread_local struct tstack tls;

static int statm_fd = -1;
static long long mem_last, mem_last_ns, mem_base, mem_max;
static long page_size;

static PyObject *helper; /* the Python half: a module namespace (dict), kept across sessions */

static Py_ssize_t trace_lines_off = -1; /* offset of PyFrameObject's f_trace_lines, or -1 */
static int resume_op = -1; /* the RESUME opcode, -1 before 3.11 */

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Resident memory in bytes, from /proc/self/statm; -1 when it cannot be read. */
static long long
rss_read(void)
{
	char buf[128];
	ssize_t n;
	long long size, resident;

	if (statm_fd == -1) {
		statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
		if (statm_fd == -1)
			return -1;
		page_size = sysconf(_SC_PAGESIZE);
	}
	do
		n = pread(statm_fd, buf, sizeof buf - 1, 0);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%lld %lld", &size, &resident) != 2)
		return -1;
	return resident * page_size;
}

/* The resident memory now, reusing a reading younger than MEM_STALE_NS. */
static long long
mem_now(void)
{
	long long t = now_ns(), m;

	if (t - mem_last_ns < MEM_STALE_NS)
		return mem_last;
	m = rss_read();
	if (m >= 0) {
		mem_last = m;
		if (m > mem_max)
			mem_max = m;
	}
	mem_last_ns = now_ns();
	return mem_last;
}

/* The peak resident memory (VmHWM) in bytes, or -1. */
static long long
rss_peak(void)
{
	char line[256];
	long long kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmHWM:", 6) == 0) {
			if (sscanf(line + 6, "%lld", &kb) != 1)
				kb = -1;
			break;
		}
	}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* Resets the kernel's peak resident memory to the current one (Linux 4.0+). */
static void
rss_peak_reset(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

	if (fd == -1)
		return;
	if (write(fd, "5", 1) == -1) {
		/* An old kernel: the peak then counts from the worker's start. */
	}
	close(fd);
}

/* --- targets ------------------------------------------------------------- */

static size_t
slot_of(const void *code)
{
	uint64_t h = (uint64_t)(uintptr_t)code * 0x9E3779B97F4A7C15ULL;

	return (size_t)(h >> 20) & (table_cap - 1);
}

static struct target *
target_find(const void *code)
{
	size_t i;

	if (table_n == 0)
		return NULL;
	for (i = slot_of(code); table[i] != NULL; i = (i + 1) & (table_cap - 1)) {
		if (table[i]->code == code)
			return table[i];
	}
	return NULL;
}

static void
table_put(struct target *t)
{
	size_t i;

	if ((table_n + 1) * 2 > table_cap) {
		struct target **old = table;
		size_t oldcap = table_cap;

		table_cap = table_cap == 0 ? 64 : table_cap * 2;
		table = xcalloc(table_cap, sizeof *table);
		for (size_t j = 0; j < oldcap; j++) {
			if (old[j] == NULL)
				continue;
			for (i = slot_of(old[j]->code); table[i] != NULL;
			     i = (i + 1) & (table_cap - 1))
				;
			table[i] = old[j];
		}
		free(old);
	}
	for (i = slot_of(t->code); table[i] != NULL; i = (i + 1) & (table_cap - 1))
		;
	table[i] = t;
	table_n++;
}

/* The stats of lineno in t's array, grown to hold it. */
static struct lstat *
target_stat(struct target *t, long lineno)
{
	t = t->top;
	if (lineno < 1)
		lineno = 1;
	if (t->nstats == 0) {
		t->base = lineno;
		t->nstats = 1;
		t->stats = xcalloc(1, sizeof *t->stats);
	} else if (lineno < t->base) {
		size_t shift = (size_t)(t->base - lineno);

		t->stats = xreallocarray(t->stats, t->nstats + shift, sizeof *t->stats);
		memmove(t->stats + shift, t->stats, t->nstats * sizeof *t->stats);
		memset(t->stats, 0, shift * sizeof *t->stats);
		t->nstats += shift;
		t->base = lineno;
	} else if ((size_t)(lineno - t->base) >= t->nstats) {
		size_t n = (size_t)(lineno - t->base) + 1;

		t->stats = xreallocarray(t->stats, n, sizeof *t->stats);
		memset(t->stats + t->nstats, 0, (n - t->nstats) * sizeof *t->stats);
		t->nstats = n;
	}
	return &t->stats[lineno - t->base];
}

/* The largest line number in code's line table, or its first line. */
static long
code_last_line(PyCodeObject *code)
{
	PyObject *it, *item;
	long last = code->co_firstlineno;

	it = PyObject_CallMethod((PyObject *)code, "co_lines", NULL);
	if (it == NULL) {
		PyErr_Clear();
		return last;
	}
	while ((item = PyIter_Next(it)) != NULL) {
		PyObject *ln = PyTuple_Check(item) && PyTuple_GET_SIZE(item) == 3
		    ? PyTuple_GET_ITEM(item, 2)
		    : NULL;

		if (ln != NULL && PyLong_Check(ln) && PyLong_AsLong(ln) > last)
			last = PyLong_AsLong(ln);
		Py_DECREF(item);
	}
	Py_DECREF(it);
	PyErr_Clear();
	return last;
}

/*
 * The offset of the RESUME that starts a generator or coroutine: a call event
 * there is a call, one at any other RESUME a step. -1 for other code.
 */
static int
code_first_resume(PyCodeObject *code)
{
#if PY_VERSION_HEX >= 0x030B0000
	PyObject *bytes;
	int off = -1;

	if (resume_op < 0 || !(code->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR)))
		return -1;
	bytes = PyCode_GetCode(code);
	if (bytes == NULL) {
		PyErr_Clear();
		return -1;
	}
	for (Py_ssize_t i = 0; i + 1 < PyBytes_GET_SIZE(bytes); i += 2) {
		if ((unsigned char)PyBytes_AS_STRING(bytes)[i] == resume_op) {
			off = (int)i;
			break;
		}
	}
	Py_DECREF(bytes);
	return off;
#else
	(void)code;
	return -1;
#endif
}

/* Registers code (and, under the memory meter, the code nested in it) as a target of top. */
static struct target *
target_add(PyCodeObject *code, struct target *top)
{
	struct target *t = target_find(code);

	if (t != NULL)
		return t;
	t = xcalloc(1, sizeof *t);
	Py_INCREF(code);
	t->code = (PyObject *)code;
	t->top = top != NULL ? top : t;
	t->first_resume = code_first_resume(code);
	table_put(t);
	if (top == NULL) {
		target_stat(t, code->co_firstlineno);
		target_stat(t, code_last_line(code));
		listed = xreallocarray(listed, nlisted + 1, sizeof *listed);
		listed[nlisted++] = t;
		t->listed = 1;
	}
	if (kind == LINES_MEMORY) {
		PyObject *consts = code->co_consts;

		for (Py_ssize_t i = 0; consts != NULL && i < PyTuple_GET_SIZE(consts); i++) {
			PyObject *c = PyTuple_GET_ITEM(consts, i);

			if (PyCode_Check(c))
				target_add((PyCodeObject *)c, t->top);
		}
	}
	return t;
}

/* --- the trace function -------------------------------------------------- */

static struct frame_ent *
tstack_push(void)
{
	if (tls.ents == NULL) {
		tls.ents = tls.first;
		tls.cap = sizeof tls.first / sizeof tls.first[0];
	}
	if (tls.n == tls.cap) {
		if (tls.ents == tls.first) {
			tls.ents = xreallocarray(NULL, tls.cap * 2, sizeof *tls.ents);
			memcpy(tls.ents, tls.first, sizeof tls.first);
		} else {
			tls.ents = xreallocarray(tls.ents, tls.cap * 2, sizeof *tls.ents);
		}
		tls.cap *= 2;
	}
	return &tls.ents[tls.n++];
}

/* memory_profiler's trace: charge the memory now to lineno, after prev_line. */
static void
mem_charge(struct target *t, long lineno)
{
	long long m = mem_now(), prev_mem = 0;
	struct lstat *s, *p;

	if (tls.prev_line > 0) {
		p = target_stat(t, tls.prev_line);
		if (p->hits > 0)
			prev_mem = p->mem;
	}
	s = target_stat(t, lineno);
	if (s->hits == 0) {
		s->incr = m - prev_mem;
		s->mem = m;
	} else {
		s->incr += m - prev_mem;
		if (m > s->mem)
			s->mem = m;
	}
	s->hits++;
}

static void
time_close(struct frame_ent *e, long long t)
{
	struct lstat *s;

	if (e->line < 0)
		return;
	s = target_stat(e->t, e->line);
	s->hits++;
	s->ns += t - e->t0;
	e->line = -1;
}

static int
on_call(PyFrameObject *frame)
{
	PyCodeObject *code = PyFrame_GetCode(frame);
	struct target *t = target_find(code);
	struct frame_ent *e;

	Py_DECREF(code);
	if (t == NULL) {
		if (trace_lines_off >= 0)
			*((char *)frame + trace_lines_off) = 0;
		return 0;
	}
#if PY_VERSION_HEX >= 0x030B0000
	if (everywhere && (t->first_resume < 0 || PyFrame_GetLasti(frame) == t->first_resume))
		t->calls++;
#else
	if (everywhere)
		t->calls++;
#endif
	e = tstack_push();
	e->frame = frame;
	e->t = t;
	e->line = -1;
	if (kind == LINES_MEMORY)
		e->line = PyFrame_GetLineNumber(frame);
	e->t0 = 0;
	return 0;
}

static int
lines_trace(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
	struct frame_ent *e;

	(void)obj;
	(void)arg;
	if (!active || tls.session != session) {
		/* This thread's session is over. */
		PyEval_SetTrace(NULL, NULL);
		return 0;
	}
	if (what == PyTrace_CALL)
		return on_call(frame);
	if (tls.n == 0)
		return 0;
	e = &tls.ents[tls.n - 1];
	if (e->frame != frame)
		return 0;
	if (what == PyTrace_LINE) {
		if (kind == LINES_TIME) {
			long long t = now_ns();

			time_close(e, t);
			e->line = PyFrame_GetLineNumber(frame);
			e->t0 = t;
		} else {
			mem_charge(e->t, e->line);
			tls.prev_line = e->line;
			e->line = PyFrame_GetLineNumber(frame);
		}
	} else if (what == PyTrace_RETURN) {
		if (kind == LINES_TIME) {
			time_close(e, now_ns());
		} else {
			mem_charge(e->t, e->line);
			tls.prev_line = e->line;
		}
		tls.n--;
	}
	return 0;
}

/* Starts this thread's stack afresh when it belongs to an ended session. */
static void
tstack_sync(void)
{
	if (tls.session == session)
		return;
	if (tls.ents != NULL && tls.ents != tls.first)
		free(tls.ents);
	tls.ents = NULL;
	tls.n = tls.cap = 0;
	tls.depth = 0;
	tls.prev_line = 0;
	tls.session = session;
}

/* Around a wrapped call: 1 when tracing was entered, for trace_leave. */
static int
trace_enter(void)
{
	if (!active)
		return 0;
	tstack_sync();
	if (tls.depth++ == 0 && !forever)
		PyEval_SetTrace(lines_trace, NULL);
	return 1;
}

static void
trace_leave(int entered)
{
	if (!entered || !active || tls.session != session)
		return;
	if (--tls.depth > 0)
		return;
	if (!forever)
		PyEval_SetTrace(NULL, NULL);
	if (tls.ents != tls.first && tls.n == 0) {
		free(tls.ents);
		tls.ents = NULL;
	}
}

/* --- the wrapper and the generator proxy --------------------------------- */

struct wrapper {
	PyObject_HEAD PyObject *func;
	PyObject *dict;
	unsigned session; /* t belongs to this session */
	struct target *t;
	int flags; /* the code's co_flags */
};

struct genproxy {
	PyObject_HEAD PyObject *gen;
};

static PyTypeObject wrapper_type;
static PyTypeObject genproxy_type;

static PyObject *
genproxy_new(PyObject *gen)
{
	struct genproxy *g = PyObject_GC_New(struct genproxy, &genproxy_type);

	if (g == NULL) {
		Py_DECREF(gen);
		return NULL;
	}
	g->gen = gen; /* steals */
	PyObject_GC_Track(g);
	return (PyObject *)g;
}

static void
genproxy_dealloc(struct genproxy *g)
{
	PyObject_GC_UnTrack(g);
	Py_CLEAR(g->gen);
	PyObject_GC_Del(g);
}

static int
genproxy_traverse(struct genproxy *g, visitproc visit, void *arg)
{
	Py_VISIT(g->gen);
	return 0;
}

static PyObject *
genproxy_next(struct genproxy *g)
{
	PyObject *r;
	int entered;

	entered = trace_enter();
	r = PyIter_Next(g->gen);
	trace_leave(entered);
	return r;
}

/* gen.name(*args) with tracing on. */
static PyObject *
genproxy_forward(struct genproxy *g, const char *name, PyObject *args)
{
	PyObject *m, *r;
	int entered;

	m = PyObject_GetAttrString(g->gen, name);
	if (m == NULL)
		return NULL;
	entered = trace_enter();
	r = PyObject_Call(m, args, NULL);
	trace_leave(entered);
	Py_DECREF(m);
	return r;
}

static PyObject *
genproxy_send(struct genproxy *g, PyObject *args)
{
	return genproxy_forward(g, "send", args);
}

static PyObject *
genproxy_throw(struct genproxy *g, PyObject *args)
{
	return genproxy_forward(g, "throw", args);
}

static PyObject *
genproxy_close(struct genproxy *g, PyObject *args)
{
	return genproxy_forward(g, "close", args);
}

static PyObject *
genproxy_getattro(struct genproxy *g, PyObject *name)
{
	PyObject *r = PyObject_GenericGetAttr((PyObject *)g, name);

	if (r != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError))
		return r;
	PyErr_Clear();
	return PyObject_GetAttr(g->gen, name);
}

static PyMethodDef genproxy_methods[] = {
    {"send", (PyCFunction)genproxy_send, METH_VARARGS, NULL},
    {"throw", (PyCFunction)genproxy_throw, METH_VARARGS, NULL},
    {"close", (PyCFunction)genproxy_close, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject genproxy_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "proflab.traced_generator",
    .tp_basicsize = sizeof(struct genproxy),
    .tp_dealloc = (destructor)genproxy_dealloc,
    .tp_getattro = (getattrofunc)genproxy_getattro,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "A generator whose steps run under proflab's line instrument.",
    .tp_traverse = (traverseproc)genproxy_traverse,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)genproxy_next,
    .tp_methods = genproxy_methods,
};

static PyObject *
wrapper_call(struct wrapper *w, PyObject *args, PyObject *kwargs)
{
	PyObject *r;
	int entered;

	if (!active || w->session != session)
		return PyObject_Call(w->func, args, kwargs);
	w->t->calls++;
	if (w->flags & (CO_COROUTINE | CO_ASYNC_GENERATOR | CO_ITERABLE_COROUTINE)) {
		/* Its steps run from an event loop, out of our reach: trace from now on. */
		if (!forever) {
			forever = 1;
			tstack_sync();
			PyEval_SetTrace(lines_trace, NULL);
		}
		return PyObject_Call(w->func, args, kwargs);
	}
	entered = trace_enter();
	r = PyObject_Call(w->func, args, kwargs);
	trace_leave(entered);
	if (r != NULL && (w->flags & CO_GENERATOR))
		return genproxy_new(r);
	return r;
}

static PyObject *
wrapper_get(PyObject *self, PyObject *obj, PyObject *type)
{
	if (obj == NULL || obj == Py_None) {
		Py_INCREF(self);
		return self;
	}
	return PyMethod_New(self, obj);
}

static PyObject *
wrapper_getattro(struct wrapper *w, PyObject *name)
{
	PyObject *r = PyObject_GenericGetAttr((PyObject *)w, name);

	if (r != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError))
		return r;
	PyErr_Clear();
	return PyObject_GetAttr(w->func, name);
}

static PyObject *
wrapper_repr(struct wrapper *w)
{
	return PyUnicode_FromFormat("<line-profiled %R>", w->func);
}

static void
wrapper_dealloc(struct wrapper *w)
{
	PyObject_GC_UnTrack(w);
	Py_CLEAR(w->func);
	Py_CLEAR(w->dict);
	PyObject_GC_Del(w);
}

static int
wrapper_traverse(struct wrapper *w, visitproc visit, void *arg)
{
	Py_VISIT(w->func);
	Py_VISIT(w->dict);
	return 0;
}

static int
wrapper_clear(struct wrapper *w)
{
	Py_CLEAR(w->func);
	Py_CLEAR(w->dict);
	return 0;
}

static PyMemberDef wrapper_members[] = {
    {"__wrapped__", T_OBJECT, offsetof(struct wrapper, func), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject wrapper_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "proflab.line_profiled",
    .tp_basicsize = sizeof(struct wrapper),
    .tp_dealloc = (destructor)wrapper_dealloc,
    .tp_repr = (reprfunc)wrapper_repr,
    .tp_call = (ternaryfunc)wrapper_call,
    .tp_getattro = (getattrofunc)wrapper_getattro,
    .tp_setattro = PyObject_GenericSetAttr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "A function whose lines proflab measures while it runs.",
    .tp_traverse = (traverseproc)wrapper_traverse,
    .tp_clear = (inquiry)wrapper_clear,
    .tp_members = wrapper_members,
    .tp_descr_get = wrapper_get,
    .tp_dictoffset = offsetof(struct wrapper, dict),
};

/* profile(func): func wrapped, its code a target; anything else comes back as it is. */
static PyObject *
lines_profile(PyObject *self, PyObject *func)
{
	static const char *const copied[] = {"__module__", "__name__", "__qualname__", "__doc__"};
	PyObject *inner, *wrapped, *r;
	struct wrapper *w;

	(void)self;
	if (PyObject_TypeCheck(func, &wrapper_type)) {
		Py_INCREF(func);
		return func;
	}
	if (PyObject_TypeCheck(func, &PyClassMethod_Type) ||
	    PyObject_TypeCheck(func, &PyStaticMethod_Type)) {
		inner = PyObject_GetAttrString(func, "__func__");
		if (inner == NULL)
			return NULL;
		wrapped = lines_profile(NULL, inner);
		Py_DECREF(inner);
		if (wrapped == NULL)
			return NULL;
		r = PyObject_CallOneArg((PyObject *)Py_TYPE(func), wrapped);
		Py_DECREF(wrapped);
		return r;
	}
	if (!PyFunction_Check(func) || !active) {
		Py_INCREF(func);
		return func;
	}
	w = PyObject_GC_New(struct wrapper, &wrapper_type);
	if (w == NULL)
		return NULL;
	Py_INCREF(func);
	w->func = func;
	w->dict = NULL;
	w->flags = ((PyCodeObject *)PyFunction_GET_CODE(func))->co_flags;
	w->session = session;
	w->t = target_add((PyCodeObject *)PyFunction_GET_CODE(func), NULL)->top;
	PyObject_GC_Track(w);
	/* What functools.update_wrapper copies, so introspection sees the function. */
	for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
		PyObject *v = PyObject_GetAttrString(func, copied[i]);

		if (v == NULL || PyObject_SetAttrString((PyObject *)w, copied[i], v) < 0)
			PyErr_Clear();
		Py_XDECREF(v);
	}
	return (PyObject *)w;
}

/* targets() -> [(code, calls, [(lineno, hits, ns, incr, mem), ...]), ...] */
static PyObject *
lines_targets(PyObject *self, PyObject *unused)
{
	PyObject *out = PyList_New(0), *rows, *item;

	(void)self;
	(void)unused;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < nlisted; i++) {
		struct target *t = listed[i];

		rows = PyList_New(0);
		if (rows == NULL)
			goto fail;
		for (size_t j = 0; j < t->nstats; j++) {
			struct lstat *s = &t->stats[j];

			if (s->hits == 0)
				continue;
			item = Py_BuildValue(
			    "(lKLLL)", t->base + (long)j, s->hits, s->ns, s->incr, s->mem);
			if (item == NULL || PyList_Append(rows, item) < 0) {
				Py_XDECREF(item);
				Py_DECREF(rows);
				goto fail;
			}
			Py_DECREF(item);
		}
		item = Py_BuildValue("(OKN)", t->code, t->calls, rows);
		if (item == NULL || PyList_Append(out, item) < 0) {
			Py_XDECREF(item);
			goto fail;
		}
		Py_DECREF(item);
	}
	return out;
fail:
	Py_DECREF(out);
	return NULL;
}

static PyMethodDef lines_methods[] = {
    {"profile", lines_profile, METH_O,
        "profile(func)\n--\n\nMeasure func's lines while it runs (kernprof -l's decorator)."},
    {"targets", lines_targets, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/* --- the Python half: specs, marking, the import hook, the dump ---------- */

static const char helper_py[] =
    "import ast, builtins, importlib.machinery, importlib.util, inspect, linecache, os, sys\n"
    "\n"
    "class SpecError(Exception):\n"
    "    pass\n"
    "\n"
    "class Spec:\n"
    "    def __init__(self, text):\n"
    "        self.text, self.module, self.path, self.name, self.line = text, None, None, None, 0\n"
    "        head, sep, tail = text.rpartition(':')\n"
    "        if sep and tail.isdigit():\n"
    "            self.path, self.line = head, int(tail)\n"
    "            self.real = os.path.realpath(head)\n"
    "        elif sep:\n"
    "            self.module, self.name = head, tail\n"
    "        else:\n"
    "            self.name = text\n"
    "        if not text or (sep and not head) or self.name == '' or self.line == 0 and "
    "self.path:\n"
    "            raise SpecError('-f %s: expected NAME, MODULE:NAME or FILE:LINE' % text)\n"
    "\n"
    "    def applies(self, module, real):\n"
    "        if self.path is not None:\n"
    "            return self.real == real\n"
    "        return self.module == module\n"
    "\n"
    "    def matches(self, node, qual):\n"
    "        if self.line:\n"
    "            return self.line in (first_line(node), node.lineno)\n"
    "        return self.name == qual or self.name == node.name\n"
    "\n"
    "def first_line(node):\n"
    "    return min([d.lineno for d in node.decorator_list] + [node.lineno])\n"
    "\n"
    "def defs(tree):\n"
    "    out = []\n"
    "    def walk(owner, prefix):\n"
    "        for node in ast.iter_child_nodes(owner):\n"
    "            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):\n"
    "                out.append((node, prefix + node.name))\n"
    "                walk(node, prefix + node.name + '.<locals>.')\n"
    "            elif isinstance(node, ast.ClassDef):\n"
    "                walk(node, prefix + node.name + '.')\n"
    "            else:\n"
    "                walk(node, prefix)\n"
    "    walk(tree, '')\n"
    "    return out\n"
    "\n"
    "specs = []\n"
    "expected = []\n"
    "script_real = None\n"
    "\n"
    "def mark(tree, module, real, filename):\n"
    "    mine = [s for s in specs if s.applies(module, real)]\n"
    "    if not mine:\n"
    "        return tree\n"
    "    for node, qual in defs(tree):\n"
    "        hit = [s for s in mine if s.matches(node, qual)]\n"
    "        if not hit:\n"
    "            continue\n"
    "        deco = ast.copy_location(ast.Name(id='__proflab_line__', ctx=ast.Load()), node)\n"
    "        deco.end_lineno, deco.end_col_offset = node.lineno, node.col_offset\n"
    "        node.decorator_list.append(deco)\n"
    "        expected.append((filename, node.name, qual, first_line(node)))\n"
    "        for s in hit:\n"
    "            s.found = True\n"
    "    return ast.fix_missing_locations(tree)\n"
    "\n"
    "def parse_file(path):\n"
    "    with open(path, 'rb') as f:\n"
    "        return ast.parse(f.read(), path)\n"
    "\n"
    "def check(spec, tree, where):\n"
    "    if not any(spec.matches(node, qual) for node, qual in defs(tree)):\n"
    "        what = 'at line %d' % spec.line if spec.line else 'named %s' % spec.name\n"
    "        raise SpecError('-f %s: no function %s in %s' % (spec.text, what, where))\n"
    "\n"
    "def wrap_loaded(mod, spec, tree):\n"
    "    for node, qual in defs(tree):\n"
    "        if not spec.matches(node, qual):\n"
    "            continue\n"
    "        if '<locals>' in qual:\n"
    "            raise SpecError('-f %s: %s is already imported; its inner function %s '\n"
    "                            'cannot be chosen' % (spec.text, mod.__name__, qual))\n"
    "        owner = mod\n"
    "        parts = qual.split('.')\n"
    "        for p in parts[:-1]:\n"
    "            owner = getattr(owner, p)\n"
    "        raw = inspect.getattr_static(owner, parts[-1])\n"
    "        setattr(owner, parts[-1], c_profile(raw))\n"
    "        expected.append((mod.__file__, node.name, qual, first_line(node)))\n"
    "\n"
    "def loaded_module(spec):\n"
    "    if spec.module is not None:\n"
    "        return sys.modules.get(spec.module)\n"
    "    for mod in list(sys.modules.values()):\n"
    "        f = getattr(mod, '__file__', None)\n"
    "        if isinstance(f, str) and os.path.realpath(f) == spec.real:\n"
    "            return mod\n"
    "    return None\n"
    "\n"
    "def setup(script, texts):\n"
    "    global script_real\n"
    "    script_real = os.path.realpath(script)\n"
    "    builtins.profile = c_profile\n"
    "    builtins.__proflab_line__ = c_profile\n"
    "    for text in texts:\n"
    "        spec = Spec(text)\n"
    "        spec.found = False\n"
    "        if spec.path is not None and not os.path.exists(spec.path):\n"
    "            alt = os.path.join(os.path.dirname(script), spec.path)\n"
    "            if not os.path.isabs(spec.path) and os.path.exists(alt):\n"
    "                spec.path, spec.real = alt, os.path.realpath(alt)\n"
    "        if spec.path is None and spec.module in ('__main__', os.path.splitext("
    "os.path.basename(script))[0]) and spec.module not in sys.modules:\n"
    "            spec.module = None\n"
    "        if spec.module is None and spec.path is None:\n"
    "            spec.path, spec.real = script, script_real\n"
    "            spec.line = 0\n"
    "            spec_tree = parse_file(script)\n"
    "            check(spec, spec_tree, os.path.basename(script))\n"
    "            specs.append(spec)\n"
    "            continue\n"
    "        if spec.path is not None:\n"
    "            if spec.real == script_real:\n"
    "                check(spec, parse_file(script), os.path.basename(script))\n"
    "                specs.append(spec)\n"
    "                continue\n"
    "            if not os.path.isfile(spec.path):\n"
    "                raise SpecError('-f %s: no file %s' % (text, spec.path))\n"
    "            origin = spec.path\n"
    "        else:\n"
    "            try:\n"
    "                found = importlib.util.find_spec(spec.module)\n"
    "            except (ImportError, ValueError) as e:\n"
    "                found = None\n"
    "            if found is None or not found.has_location or not found.origin or not "
    "found.origin.endswith('.py'):\n"
    "                raise SpecError('-f %s: no Python module named %s' % (text, spec.module))\n"
    "            origin = found.origin\n"
    "        tree = parse_file(origin)\n"
    "        check(spec, tree, origin)\n"
    "        mod = loaded_module(spec)\n"
    "        if mod is not None:\n"
    "            wrap_loaded(mod, spec, tree)\n"
    "        else:\n"
    "            specs.append(spec)\n"
    "    if any(s.path is None or s.real != script_real for s in specs):\n"
    "        sys.meta_path.insert(0, Finder())\n"
    "\n"
    "class Loader(importlib.machinery.SourceFileLoader):\n"
    "    def get_code(self, fullname):\n"
    "        tree = ast.parse(self.get_data(self.path), self.path)\n"
    "        tree = mark(tree, fullname, os.path.realpath(self.path), self.path)\n"
    "        return compile(tree, self.path, 'exec', dont_inherit=True)\n"
    "\n"
    "class Finder:\n"
    "    def find_spec(self, fullname, path=None, target=None):\n"
    "        found = importlib.machinery.PathFinder.find_spec(fullname, path)\n"
    "        if found is None or not isinstance(found.loader, "
    "importlib.machinery.SourceFileLoader):\n"
    "            return None\n"
    "        real = os.path.realpath(found.origin)\n"
    "        if not any(s.applies(fullname, real) for s in specs):\n"
    "            return None\n"
    "        found.loader = Loader(fullname, found.origin)\n"
    "        return found\n"
    "\n"
    "def compile_script(source, filename):\n"
    "    tree = ast.parse(source, filename)\n"
    "    tree = mark(tree, None, script_real, filename)\n"
    "    return compile(tree, filename, 'exec', dont_inherit=True)\n"
    "\n"
    "def esc(value):\n"
    "    s = str(value)\n"
    "    return (s.replace('\\\\', '\\\\\\\\').replace('\\t', '\\\\t').replace('\\n', '\\\\n')\n"
    "             .replace('\\r', '\\\\r'))\n"
    "\n"
    "def source_block(filename, first):\n"
    "    try:\n"
    "        linecache.checkcache(filename)\n"
    "        lines = linecache.getlines(filename)\n"
    "        if not lines or first < 1 or first > len(lines):\n"
    "            return []\n"
    "        return inspect.getblock(lines[first - 1:])\n"
    "    except Exception:\n"
    "        return []\n"
    "\n"
    "def dump(path, kind, peak):\n"
    "    funcs = []\n"
    "    seen = set()\n"
    "    for code, calls, rows in c_targets():\n"
    "        funcs.append((code.co_filename, code.co_name, code.co_qualname,\n"
    "                      code.co_firstlineno, calls, rows))\n"
    "        seen.add((code.co_filename, code.co_firstlineno))\n"
    "    for filename, name, qual, first in expected:\n"
    "        if (filename, first) not in seen:\n"
    "            funcs.append((filename, name, qual, first, 0, []))\n"
    "            seen.add((filename, first))\n"
    "    out = ['proflab-lines\\t1\\t%s\\n' % kind]\n"
    "    for i, (filename, name, qual, first, calls, rows) in enumerate(funcs):\n"
    "        out.append('func\\t%d\\t%s\\t%s\\t%s\\t%d\\t%d\\n'\n"
    "                   % (i, esc(filename), esc(name), esc(qual), first, calls))\n"
    "        for n, text in enumerate(source_block(filename, first)):\n"
    "            out.append('src\\t%d\\t%d\\t%s\\n' % (i, first + n, esc(text.rstrip('\\r\\n'))))\n"
    "        for lineno, hits, ns, incr, mem in rows:\n"
    "            if kind == 'time':\n"
    "                out.append('hit\\t%d\\t%d\\t%d\\t%d\\n' % (i, lineno, hits, ns))\n"
    "            else:\n"
    "                out.append('mem\\t%d\\t%d\\t%d\\t%d\\t%d\\n' % (i, lineno, hits, incr, mem))\n"
    "    if peak is not None:\n"
    "        out.append('peak\\t%d\\t%d\\n' % peak)\n"
    "    out.append('end\\t%d\\n' % len(funcs))\n"
    "    with open(path, 'w', encoding='utf-8', errors='surrogateescape') as f:\n"
    "        f.write(''.join(out))\n"
    "    return len(funcs)\n"
    "\n"
    "def reset():\n"
    "    global script_real\n"
    "    specs.clear()\n"
    "    expected.clear()\n"
    "    script_real = None\n"
    "    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, Finder)]\n"
    "    for name in ('profile', '__proflab_line__'):\n"
    "        if getattr(builtins, name, None) is c_profile:\n"
    "            delattr(builtins, name)\n";

/* helper.name(args...) */
static PyObject *
helper_call(const char *name, const char *fmt, ...)
{
	PyObject *fn, *args, *r;
	va_list ap;

	fn = PyDict_GetItemString(helper, name); /* borrowed */
	if (fn == NULL) {
		PyErr_Format(PyExc_RuntimeError, "proflab line helper: no %s", name);
		return NULL;
	}
	va_start(ap, fmt);
	args = Py_VaBuildValue(fmt, ap);
	va_end(ap);
	if (args == NULL)
		return NULL;
	r = PyObject_CallObject(fn, args);
	Py_DECREF(args);
	return r;
}

/* The message of the pending exception (cleared), as one line; caller frees. */
static char *
exception_text(void)
{
	PyObject *type, *value, *tb, *s = NULL;
	char *out;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (value != NULL)
		s = PyObject_Str(value);
	if (s != NULL && PyUnicode_Check(s) && PyUnicode_GET_LENGTH(s) > 0) {
		const char *u = PyUnicode_AsUTF8(s);

		out = xstrdup(u != NULL ? u : "?");
	} else {
		out = xstrdup(type != NULL ? PyExceptionClass_Name(type) : "unknown error");
	}
	PyErr_Clear();
	Py_XDECREF(s);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	for (char *p = out; *p != '\0'; p++) {
		if (*p == '\n')
			*p = ' ';
	}
	return out;
}

/* The offset of f_trace_lines in a frame object, from its type's members; -1 if unknown. */
static Py_ssize_t
find_trace_lines(void)
{
	for (PyMemberDef *m = PyFrame_Type.tp_members; m != NULL && m->name != NULL; m++) {
		if (strcmp(m->name, "f_trace_lines") == 0 && m->type == T_BOOL)
			return m->offset;
	}
	return -1;
}

/* The RESUME opcode from dis.opmap; -1 where there is none. */
static int
find_resume_op(void)
{
	PyObject *dis, *opmap, *op;
	int r = -1;

	dis = PyImport_ImportModule("dis");
	if (dis == NULL) {
		PyErr_Clear();
		return -1;
	}
	opmap = PyObject_GetAttrString(dis, "opmap");
	Py_DECREF(dis);
	if (opmap == NULL) {
		PyErr_Clear();
		return -1;
	}
	op = PyMapping_Check(opmap) ? PyMapping_GetItemString(opmap, "RESUME") : NULL;
	Py_DECREF(opmap);
	if (op != NULL && PyLong_Check(op))
		r = (int)PyLong_AsLong(op);
	Py_XDECREF(op);
	PyErr_Clear();
	return r;
}

/* The Python half, once per process; -1 with an exception. */
static int
helper_init(void)
{
	PyObject *dict, *code, *mod, *fn;

	if (helper != NULL)
		return 0;
	if (PyType_Ready(&wrapper_type) < 0 || PyType_Ready(&genproxy_type) < 0)
		return -1;
	dict = PyDict_New();
	if (dict == NULL)
		return -1;
	if (PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins()) < 0)
		goto fail;
	fn = PyUnicode_FromString("proflab._lines");
	if (fn == NULL || PyDict_SetItemString(dict, "__name__", fn) < 0) {
		Py_XDECREF(fn);
		goto fail;
	}
	Py_DECREF(fn);
	for (PyMethodDef *m = lines_methods; m->ml_name != NULL; m++) {
		char key[32];

		fn = PyCFunction_New(m, NULL);
		snprintf(key, sizeof key, "c_%s", m->ml_name);
		if (fn == NULL || PyDict_SetItemString(dict, key, fn) < 0) {
			Py_XDECREF(fn);
			goto fail;
		}
		Py_DECREF(fn);
	}
	code = Py_CompileString(helper_py, "<proflab lines>", Py_file_input);
	if (code == NULL)
		goto fail;
	mod = PyEval_EvalCode(code, dict, dict);
	Py_DECREF(code);
	if (mod == NULL)
		goto fail;
	Py_DECREF(mod);
	helper = dict;
	trace_lines_off = find_trace_lines();
	return 0;
fail:
	Py_DECREF(dict);
	return -1;
}

int
lines_begin(enum lines_kind k, char **cause)
{
	if (active)
		fatalx("line instrument: a session is already on");
	if (k == LINES_MEMORY && lines_rss() < 0) {
		*cause = xasprintf("cannot read /proc/self/statm: %s", strerror(errno));
		return -1;
	}
	if (helper_init() < 0) {
		*cause = exception_text();
		return -1;
	}
	kind = k;
	session++;
	active = 1;
	everywhere = 0;
	forever = 0;
	return 0;
}

/* Ends the session: tracing off in this thread, targets freed, the Python half reset. */
static void
session_end(void)
{
	PyObject *r;

	PyEval_SetTrace(NULL, NULL);
	active = 0;
	everywhere = 0;
	forever = 0;
	for (size_t i = 0; i < table_cap; i++) {
		if (table[i] == NULL)
			continue;
		Py_DECREF(table[i]->code);
		free(table[i]->stats);
		free(table[i]);
	}
	free(table);
	table = NULL;
	table_cap = table_n = 0;
	free(listed);
	listed = NULL;
	nlisted = 0;
	mem_last = mem_last_ns = mem_base = mem_max = 0;
	session++; /* every thread's stack and every wrapper is now of an old session */
	tstack_sync();
	r = helper_call("reset", "()");
	if (r == NULL)
		PyErr_Clear();
	Py_XDECREF(r);
}

int
lines_choose(const char *script, char *const *funcs, int nfuncs, char **cause)
{
	PyObject *list, *r;

	list = PyList_New(0);
	if (list == NULL)
		goto fail;
	for (int i = 0; i < nfuncs; i++) {
		PyObject *s = PyUnicode_DecodeFSDefault(funcs[i]);

		if (s == NULL || PyList_Append(list, s) < 0) {
			Py_XDECREF(s);
			Py_DECREF(list);
			goto fail;
		}
		Py_DECREF(s);
	}
	r = helper_call("setup", "(sO)", script, list);
	Py_DECREF(list);
	if (r == NULL)
		goto fail;
	Py_DECREF(r);
	return 0;
fail:
	*cause = exception_text();
	session_end();
	return -1;
}

PyObject *
lines_compile(PyObject *source, PyObject *filename)
{
	return helper_call("compile_script", "(OO)", source, filename);
}

int
lines_add_code(PyObject *code)
{
	if (!active || !PyCode_Check(code)) {
		PyErr_SetString(PyExc_TypeError, "line instrument: not a code object in a session");
		return -1;
	}
	if (resume_op == -1)
		resume_op = find_resume_op();
	target_add((PyCodeObject *)code, NULL);
	everywhere = 1;
	return 0;
}

void
lines_start(void)
{
	if (!active)
		return;
	tstack_sync();
	if (kind == LINES_MEMORY) {
		lines_rss_peak_reset();
		mem_base = rss_read();
		mem_last = mem_max = mem_base;
		mem_last_ns = now_ns();
	}
	if (everywhere)
		PyEval_SetTrace(lines_trace, NULL);
}

void
lines_stop(void)
{
	if (!active)
		return;
	PyEval_SetTrace(NULL, NULL);
	everywhere = 0;
	forever = 0;
}

void
lines_finish(const char *path)
{
	PyObject *type, *value, *tb, *r, *peak = Py_None;
	long long hwm;

	if (!active)
		return;
	PyEval_SetTrace(NULL, NULL);
	PyErr_Fetch(&type, &value, &tb);
	Py_INCREF(peak);
	if (kind == LINES_MEMORY) {
		hwm = lines_rss_peak();
		if (hwm < mem_max)
			hwm = mem_max;
		if (hwm < mem_base)
			hwm = mem_base;
		Py_DECREF(peak);
		peak = Py_BuildValue("(LL)", mem_base, hwm);
	}
	r = peak != NULL
	    ? helper_call("dump", "(ssO)", path, kind == LINES_TIME ? "time" : "memory", peak)
	    : NULL;
	Py_XDECREF(peak);
	if (r == NULL) {
		char *why = exception_text();

		fprintf(
		    stderr, "proflab-worker: cannot write the line table to %s: %s\n", path, why);
		free(why);
	} else {
		pymod_send_lines(path, kind == LINES_TIME ? "time" : "memory", PyLong_AsLong(r));
		Py_DECREF(r);
		PyErr_Clear();
	}
	session_end();
	PyErr_Restore(type, value, tb);
}

long long
lines_rss(void)
{
	return rss_read();
}

long long
lines_rss_peak(void)
{
	return rss_peak();
}

void
lines_rss_peak_reset(void)
{
	rss_peak_reset();
}
