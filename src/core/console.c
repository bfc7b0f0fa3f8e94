/*
 * The console (see console.h). One worker at a time, one request at a time:
 * console_submit writes a `run` record on the worker's request pipe and the
 * statement is running until its `done` record. The records between (timeit,
 * cputime, memit, profile, lines) carry the results of % commands, which are
 * formatted here as they come; run.c drains the output pipes before each
 * record, so results and output keep the order the worker wrote them in.
 */
#include "config.h"

#include "core/console.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/channel.h"
#include "core/linetab.h"
#include "core/loop.h"
#include "core/paths.h"
#include "core/profile.h"
#include "core/timing.h"

static int console_spawn(struct console *c, char **cause);

static void
console_say(struct console *c, enum console_stream s, const char *data, size_t len)
{
	if (c->on_output != NULL && len > 0)
		c->on_output(c, s, data, len, c->arg);
}

static void
console_sayb(struct console *c, enum console_stream s, struct buf *b)
{
	console_say(c, s, b->data, b->len);
	buf_reset(b);
}

static void console_note(struct console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
console_note(struct console *c, const char *fmt, ...)
{
	va_list ap;
	char *s, *line;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	line = xasprintf("%s\n", s);
	console_say(c, CONSOLE_NOTE, line, strlen(line));
	free(line);
	free(s);
}

static void
console_cancel_kill(struct console *c)
{
	if (c->kill_timer != NULL)
		loop_cancel_timer(c->loop, c->kill_timer);
	c->kill_timer = NULL;
}

static void
console_stop_recording(struct console *c)
{
	if (c->recording == 1) {
		recorder_finish(&c->rec, RECORDER_STOPPED, NULL);
		c->recording = 2;
	}
}

/* The statement has ended, however: back to ready. */
static void
console_finish(struct console *c, const char *kind)
{
	free(c->cur_kind);
	c->cur_kind = xstrdup(kind);
	if (strcmp(kind, "ok") != 0 && strcmp(kind, "interrupt") != 0)
		c->failures++;
	console_cancel_kill(c);
	console_stop_recording(c);
	if (c->state == CONSOLE_BUSY)
		c->state = CONSOLE_READY;
	if (c->on_done != NULL)
		c->on_done(c, c->arg);
}

/* %prun's table as IPython prints it: directories stripped, sorted by -s, cut by -l. */
static void
console_profile(struct console *c, const char *path)
{
	struct prof raw, stripped;
	struct prof_sort sort;
	struct prof_restrict limit = {.kind = PROF_R_COUNT};
	char *cause = NULL;
	struct buf b;

	buf_init(&b);
	if (c->cur.dump != NULL) {
		char *to = c->cur.dump[0] == '/' || c->cwd == NULL
		    ? xstrdup(c->cur.dump)
		    : xasprintf("%s/%s", c->cwd, c->cur.dump);

		if (paths_copy_atomic(path, to, &cause) == -1) {
			console_note(c, "%%prun -D: %s", cause);
			free(cause);
			cause = NULL;
		} else {
			buf_addf(&b, "\n*** Profile stats marshalled to file '%s'.\n", c->cur.dump);
		}
		free(to);
	}
	if (c->opts.prun_table && !c->cur.quiet) {
		if (prof_load(&raw, path, &cause) == -1) {
			console_note(c, "%%prun: %s", cause);
			free(cause);
		} else {
			if (prof_sort_parse(&sort, c->cur.sort, &cause) == -1) {
				console_note(c, "%%prun -s: %s", cause);
				free(cause);
				prof_sort_field(&sort, PROF_F_TIME);
			}
			prof_strip(&stripped, &raw);
			prof_free(&raw);
			free(stripped.source);
			stripped.source = NULL;
			limit.count = c->cur.limit;
			prof_print_stats(&b, &stripped, &sort, &limit, c->cur.limit >= 0);
			prof_free(&stripped);
		}
	}
	console_sayb(c, CONSOLE_RESULT, &b);
	buf_free(&b);
	if (c->on_profile != NULL)
		c->on_profile(c, path, c->arg);
}

/* %lprun's or %mprun's table, as line_profiler and memory_profiler print them. */
static void
console_lines(struct console *c, const char *path, int memory)
{
	struct linetab t;
	char *cause = NULL, *data = NULL;
	size_t len = 0;
	FILE *f;

	if (linetab_load(&t, path, &cause) == -1) {
		console_note(c, "%%%s: %s", magic_name(c->cur.kind), cause);
		free(cause);
		return;
	}
	f = open_memstream(&data, &len);
	if (f == NULL)
		fatal("open_memstream");
	if (memory)
		linetab_print_memory(&t, 1, f);
	else
		linetab_print_time(&t, c->cur.unit > 0 ? c->cur.unit : 1e-9, f);
	fclose(f);
	console_say(c, CONSOLE_RESULT, data, len);
	free(data);
	linetab_free(&t);
	if (c->on_lines != NULL)
		c->on_lines(c, path, memory, c->arg);
}

static int
console_number(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return *s != '\0' && *end == '\0' && errno == 0 && *out >= 0 ? 0 : -1;
}

static void
console_record(struct run *r, const struct chan_msg *m, void *arg)
{
	struct console *c = arg;
	struct buf b;
	double v[3];

	if (m->type == CHAN_HELLO) {
		c->got_hello = 1;
		c->failed_starts = 0;
		free(c->python_version);
		c->python_version = xstrdup(m->fields[1]);
		if (c->on_state != NULL)
			c->on_state(c, c->arg);
		return;
	}
	if (c->state != CONSOLE_BUSY)
		return;
	buf_init(&b);
	switch (m->type) {
	case CHAN_TIMEIT:
		if (r->timeit_nruns > 0 && !c->cur.quiet) {
			timing_format_ipython_slowest(
			    &b, r->timeit_number, r->timeit_times, r->timeit_nruns);
			timing_format_ipython(&b, r->timeit_number, r->timeit_times,
			    r->timeit_nruns, c->cur.precision);
		}
		break;
	case CHAN_CPUTIME:
		if (console_number(m->fields[0], &v[0]) == -1 ||
		    console_number(m->fields[1], &v[1]) == -1 ||
		    console_number(m->fields[2], &v[2]) == -1) {
			console_note(c, "the worker sent a bad cputime record");
			break;
		}
		timing_format_cputime(&b, v[0], v[1], v[2]);
		console_sayb(c, CONSOLE_RESULT, &b);
		buf_adds(&b, m->fields[3]);
		console_sayb(c, CONSOLE_STDOUT, &b);
		break;
	case CHAN_MEMIT:
		if (console_number(m->fields[0], &v[0]) == -1 ||
		    console_number(m->fields[1], &v[1]) == -1) {
			console_note(c, "the worker sent a bad memit record");
			break;
		}
		buf_addf(&b, "peak memory: %.2f MiB, increment: %.2f MiB\n", v[0] / 1048576.0,
		    (v[0] - v[1]) / 1048576.0);
		break;
	case CHAN_PROFILE:
		console_profile(c, m->fields[0]);
		break;
	case CHAN_LINES:
		console_lines(c, m->fields[0], strcmp(m->fields[1], "memory") == 0);
		break;
	case CHAN_DONE:
		if (strtol(m->fields[0], NULL, 10) != c->cur_id)
			break;
		if (strcmp(m->fields[1], "systemexit") == 0)
			console_note(c,
			    "SystemExit: %s (the console goes on; its namespace is kept)",
			    m->fields[2]);
		else if (strcmp(m->fields[1], "error") == 0)
			console_note(c, "%%%s %s", magic_name(c->cur.kind), m->fields[2]);
		console_finish(c, m->fields[1]);
		break;
	default:
		break;
	}
	console_sayb(c, CONSOLE_RESULT, &b);
	buf_free(&b);
}

static void
console_output(struct run *r, int stream, const char *data, size_t len, void *arg)
{
	struct console *c = arg;

	console_say(c, stream == 1 ? CONSOLE_STDOUT : CONSOLE_STDERR, data, len);
}

static void
console_warning(struct run *r, const char *message, void *arg)
{
	console_note(arg, "%s", message);
}

/* The worker has ended: say why, and start another (from a timer: not inside the run's own code). */
static void
console_respawn(void *arg)
{
	struct console *c = arg;
	char *why = run_describe(&c->run), *cause = NULL;
	int busy = c->state == CONSOLE_BUSY, early = !c->got_hello;

	c->respawn_timer = NULL;
	if (c->closing) {
		free(why);
		c->have_run = 0;
		run_free(&c->run);
		memset(&c->run, 0, sizeof c->run);
		c->state = CONSOLE_DEAD;
		if (busy)
			console_finish(c, "died");
		if (c->on_state != NULL)
			c->on_state(c, c->arg);
		return;
	}

	if (early)
		c->failed_starts++;
	if (early)
		console_note(c, "the console's worker could not start: %s",
		    c->run.worker_error != NULL ? c->run.worker_error : why);
	else if (busy && c->interrupted == 2)
		console_note(c,
		    "the statement did not stop within %.1f s of Ctrl-C: its worker was killed; "
		    "a new worker has started, and the names defined before are gone",
		    c->run.grace);
	else if (busy)
		console_note(c,
		    "the worker %s while running this statement; a new worker has started, and "
		    "the names defined before are gone",
		    why);
	else
		console_note(c,
		    "the worker %s; a new worker has started, and the names defined "
		    "before are gone",
		    why);
	free(why);
	c->have_run = 0;
	run_free(&c->run);
	memset(&c->run, 0, sizeof c->run);
	if (c->failed_starts >= 2) {
		console_note(c, "the console has no worker: two in a row died before they were up");
		c->state = CONSOLE_DEAD;
	} else if (console_spawn(c, &cause) == -1) {
		console_note(c, "the console has no worker: %s", cause);
		free(cause);
		c->state = CONSOLE_DEAD;
	}
	if (busy) {
		if (c->state != CONSOLE_DEAD)
			c->state = CONSOLE_READY;
		console_finish(c, "died");
	}
	if (c->on_state != NULL)
		c->on_state(c, c->arg);
}

static void
console_ended(struct run *r, void *arg)
{
	struct console *c = arg;

	if (c->respawn_timer == NULL)
		c->respawn_timer = loop_add_timer(c->loop, loop_now(), console_respawn, c);
}

static int
console_spawn(struct console *c, char **cause)
{
	struct run_opts o;

	memset(&o, 0, sizeof o);
	memset(&c->run, 0, sizeof c->run);
	o.console = 1;
	o.cwd = c->cwd;
	o.capture_output = 1;
	o.grace = c->opts.grace;
	c->run.on_output = console_output;
	c->run.on_record = console_record;
	c->run.on_warning = console_warning;
	c->run.on_end = console_ended;
	c->run.arg = c;
	c->got_hello = 0;
	c->interrupted = 0;
	if (run_start(&c->run, c->loop, &o, cause) == -1) {
		run_free(&c->run);
		memset(&c->run, 0, sizeof c->run);
		return -1;
	}
	c->have_run = 1;
	c->workers++;
	if (c->state != CONSOLE_BUSY)
		c->state = CONSOLE_READY;
	return 0;
}

int
console_start(struct console *c, struct loop *l, const struct console_opts *o, char **cause)
{
	c->loop = l;
	c->opts = *o;
	c->cwd = o->cwd != NULL ? xstrdup(o->cwd) : NULL;
	c->tmpdir = xstrdup(o->tmpdir);
	c->opts.cwd = c->cwd;
	c->opts.tmpdir = c->tmpdir;
	c->next_id = 1;
	c->state = CONSOLE_READY;
	return console_spawn(c, cause);
}

/* Writes all of b to fd; -1 when the worker is gone. */
static int
console_write(int fd, const struct buf *b)
{
	size_t done = 0;

	while (done < b->len) {
		ssize_t n = write(fd, b->data + done, b->len - done);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static void
console_start_recording(struct console *c)
{
	struct recorder_opts ro;
	char *cause = NULL;

	if (c->recording != 0)
		recorder_free(&c->rec);
	c->recording = 0;
	if (!c->opts.record)
		return;
	memset(&ro, 0, sizeof ro);
	memset(&c->rec, 0, sizeof c->rec);
	ro.pid = (int)c->run.child.pid;
	ro.children = 1;
	ro.interval = c->opts.interval > 0 ? c->opts.interval : 0.1;
	if (recorder_start(&c->rec, c->loop, &ro, &cause) == -1) {
		console_note(c, "the graph cannot follow this statement: %s", cause);
		free(cause);
		recorder_free(&c->rec);
		return;
	}
	c->recording = 1;
}

int
console_submit(struct console *c, const char *text, char **cause)
{
	const char *ext = NULL;
	const char *p = text;
	char *why = NULL;
	struct buf args, rec;
	char id[32];
	const char *fields[4];

	if (c->state == CONSOLE_BUSY) {
		*cause = xstrdup("a statement is still running");
		return -1;
	}
	if (c->state == CONSOLE_DEAD || !c->have_run || c->run.child.req_fd == -1) {
		*cause = xstrdup("the console has no worker");
		return -1;
	}
	magic_free(&c->cur);
	free(c->cur_text);
	c->cur_text = xstrdup(text);
	free(c->cur_path);
	c->cur_path = NULL;
	c->interrupted = 0;
	c->cur_id = c->next_id++;
	c->state = CONSOLE_BUSY;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p == '\0') {
		console_finish(c, "ok");
		return 0;
	}
	if (magic_parse(text, &c->cur, &why) == -1) {
		console_note(c, "%s", why);
		free(why);
		console_finish(c, "error");
		return 0;
	}
	if (c->cur.kind == MAGIC_LOAD_EXT) {
		ext = c->cur.ext;
		console_note(c, "%s: built into proflab's console (%s)", ext,
		    strcmp(ext, "line_profiler") == 0 ? "%lprun" : "%memit, %mprun");
		console_finish(c, "ok");
		return 0;
	}
	if (c->cur.kind == MAGIC_PRUN)
		c->cur_path = xasprintf("%s/console-%ld.prof", c->tmpdir, c->cur_id);
	else if (c->cur.kind == MAGIC_LPRUN || c->cur.kind == MAGIC_MPRUN)
		c->cur_path = xasprintf("%s/console-%ld.lines", c->tmpdir, c->cur_id);
	buf_init(&args);
	buf_init(&rec);
	magic_args(&args, &c->cur, c->cur_path != NULL ? c->cur_path : "");
	buf_addc(&args, '\0');
	snprintf(id, sizeof id, "%ld", c->cur_id);
	fields[0] = id;
	fields[1] = magic_name(c->cur.kind);
	fields[2] = args.data;
	fields[3] = c->cur.stmt;
	chan_encode(&rec, CHAN_RUN, fields, 4);
	console_start_recording(c);
	if (console_write(c->run.child.req_fd, &rec) == -1) {
		/* The worker is gone; its end (SIGCHLD) says so and starts another. */
		console_note(c, "the worker did not take the statement: %s", strerror(errno));
	}
	buf_free(&args);
	buf_free(&rec);
	return 0;
}

static void
console_kill_timeout(void *arg)
{
	struct console *c = arg;

	c->kill_timer = NULL;
	if (c->state != CONSOLE_BUSY || !c->have_run)
		return;
	c->interrupted = 2;
	run_stop(&c->run);
	run_stop(&c->run);
}

void
console_interrupt(struct console *c)
{
	if (c->state != CONSOLE_BUSY || !c->have_run || c->run.reaped)
		return;
	if (c->interrupted == 0) {
		c->interrupted = 1;
		kill(c->run.child.pid, SIGINT);
		c->kill_timer =
		    loop_add_timer(c->loop, loop_now() + c->run.grace, console_kill_timeout, c);
		return;
	}
	/* A second Ctrl-C does not wait for the grace period. */
	console_cancel_kill(c);
	console_kill_timeout(c);
}

const struct recording *
console_recording(const struct console *c)
{
	return c->recording != 0 ? &c->rec.rec : NULL;
}

void
console_close(struct console *c)
{
	c->closing = 1;
	if (c->have_run && c->run.child.req_fd != -1) {
		close(c->run.child.req_fd);
		c->run.child.req_fd = -1;
	}
	if (!c->have_run)
		c->state = CONSOLE_DEAD;
}

void
console_free(struct console *c)
{
	if (c->respawn_timer != NULL)
		loop_cancel_timer(c->loop, c->respawn_timer);
	c->respawn_timer = NULL;
	console_cancel_kill(c);
	if (c->recording != 0)
		recorder_free(&c->rec);
	c->recording = 0;
	if (c->have_run) {
		c->run.on_end = NULL;
		c->run.on_output = NULL;
		c->run.on_record = NULL;
		c->run.on_warning = NULL;
		run_free(&c->run);
	}
	c->have_run = 0;
	magic_free(&c->cur);
	free(c->cur_text);
	free(c->cur_path);
	free(c->cur_kind);
	free(c->python_version);
	free(c->cwd);
	free(c->tmpdir);
	c->cur_text = c->cur_path = c->cur_kind = c->python_version = c->cwd = c->tmpdir = NULL;
}
