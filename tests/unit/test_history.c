/*
 * Unit tests for the run history (core/history.c): entries appended and
 * read back, a file cut short or holding other lines, the path from the XDG
 * variables, the baseline a run compares with, and the change and overhead
 * lines; a profiled run's top functions through JSON and back (and older
 * lines without them), the line that says how the top function changed,
 * and the entry and notes the commands and the lab make of an ended run.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmptree.h"

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/history.h"
#include "core/recording.h"
#include "core/run.h"

static char dir[] = "/tmp/proflab-history-XXXXXX";

static int
setup(void **state)
{
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	remove_tree(dir);
	return 0;
}

static struct history_entry
entry(const char *kind, const char *args, double wall, double peak, const char *machine)
{
	struct history_entry e;

	memset(&e, 0, sizeof e);
	e.time = (char *)"2026-11-25T03:00:00Z";
	e.script = (char *)"/x/compute.py";
	e.args = (char *)args;
	e.kind = (char *)kind;
	e.wall = wall;
	e.user = wall * 0.9;
	e.sys = wall * 0.05;
	e.peak_mb = peak;
	e.machine_id = (char *)machine;
	e.machine = (char *)"AMD EPYC, 2 cores/2 threads, 23.5 GiB";
	return e;
}

static char *
text(struct buf *b)
{
	buf_addc(b, '\0');
	return b->data;
}

static void
test_path(void **state)
{
	char *cause = NULL, *p;

	setenv("XDG_STATE_HOME", "/s", 1);
	p = history_path(&cause);
	assert_string_equal(p, "/s/proflab/history.jsonl");
	free(p);
	setenv("XDG_STATE_HOME", "relative", 1);
	setenv("HOME", "/h", 1);
	p = history_path(&cause);
	assert_string_equal(p, "/h/.local/state/proflab/history.jsonl");
	free(p);
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_null(history_path(&cause));
	assert_non_null(strstr(cause, "neither XDG_STATE_HOME nor HOME"));
	free(cause);
}

static void
test_append_load(void **state)
{
	char *path = xasprintf("%s/a/b/history.jsonl", dir), *cause = NULL;
	struct history_entry e1 = entry("run", "", 7.09, 512, "e5dd1a27");
	struct history_entry e2 = entry("lines", "-n 3", 2.5, -1, NULL);
	struct history h;
	FILE *f;

	assert_int_equal(history_load(path, NULL, &h, &cause), 0); /* no file: empty */
	assert_int_equal(h.n, 0);
	assert_int_equal(history_append(path, &e1, &cause), 0);
	assert_int_equal(history_append(path, &e2, &cause), 0);
	e2.script = (char *)"/x/other.py";
	assert_int_equal(history_append(path, &e2, &cause), 0);
	/* A line cut short, and one that is not an entry. */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("{\"v\": 1, \"script\": \"/x/compute.py\", \"kind\": \"ru\n[1, 2]\n\n", f);
	fclose(f);

	assert_int_equal(history_load(path, "/x/compute.py", &h, &cause), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.skipped, 2);
	assert_string_equal(h.entries[0].kind, "run");
	assert_true(h.entries[0].wall == 7.09);
	assert_true(h.entries[0].peak_mb == 512);
	assert_string_equal(h.entries[0].machine_id, "e5dd1a27");
	assert_string_equal(h.entries[0].args, "");
	assert_string_equal(h.entries[1].kind, "lines");
	assert_string_equal(h.entries[1].args, "-n 3");
	assert_true(h.entries[1].peak_mb < 0);
	assert_null(h.entries[1].machine_id);
	history_free(&h);
	assert_int_equal(history_load(path, NULL, &h, &cause), 0);
	assert_int_equal(h.n, 3);
	history_free(&h);

	/* A folder that cannot be made: one line naming it. */
	assert_int_equal(history_append("/proc/proflab/history.jsonl", &e1, &cause), -1);
	assert_non_null(strstr(cause, "/proc/proflab"));
	assert_null(strchr(cause, '\n'));
	free(cause);
	free(path);
}

static void
test_compare(void **state)
{
	struct history_entry es[] = {
	    entry("run", "", 7.09, 512, "m1"),
	    entry("run", "", 3.0, 300, "m2"), /* another machine */
	    entry("run", "big", 9.0, 600, "m1"), /* other arguments */
	    entry("profile", "", 9.5, 520, "m1"),
	    entry("run", "", 3.2, 140, "m1"),
	    entry("run", "", 2.1, 130, "m1"),
	};
	struct history h = {es, 6, 0};
	struct history_entry now = entry("run", "", 2.1, 130, "m1"),
	                     lines = entry("lines", "", 6.3, 131, "m1");
	struct buf b;

	es[4].status = 1; /* a failed run is no baseline */
	assert_int_equal(history_baseline(&h, 5, &now), 0);
	assert_int_equal(history_baseline(&h, 6, &now), 5);
	assert_int_equal(history_baseline(&h, 0, &now), -1);
	now.kind = (char *)"profile";
	assert_int_equal(history_baseline(&h, 6, &now), 3);
	now.kind = (char *)"run";

	buf_init(&b);
	history_format_change(&b, &es[0], &now);
	assert_string_equal(text(&b), "7.09 s -> 2.10 s, 3.4x faster; peak 512.0 -> 130.0 MB");
	buf_reset(&b);
	history_format_change(&b, &now, &es[0]);
	assert_string_equal(text(&b), "2.10 s -> 7.09 s, 3.4x slower; peak 130.0 -> 512.0 MB");
	buf_reset(&b);
	es[1].peak_mb = -1;
	history_format_change(&b, &es[1], &es[1]);
	assert_string_equal(text(&b), "3.00 s -> 3.00 s, about the same");
	buf_reset(&b);

	/* The line timer against the plain runs of the same script, arguments and machine:
	 * es[0] and es[5] (es[4] failed), median 4.595 s. */
	assert_int_equal(history_format_overhead(&b, &h, 6, &lines), 0);
	assert_string_equal(text(&b),
	    "line timer on: 1.4x the plain run (6.30 s against 4.59 s, the median of 2 plain "
	    "runs)");
	buf_reset(&b);
	/* Before es[1], es[0] alone: one plain run. */
	assert_int_equal(history_format_overhead(&b, &h, 1, &lines), 0);
	assert_string_equal(
	    text(&b), "line timer on: 0.9x the plain run (6.30 s against 7.09 s, one plain run)");
	buf_reset(&b);
	assert_int_equal(history_format_overhead(&b, &h, 0, &lines), -1);
	assert_int_equal(history_format_overhead(&b, &h, 6, &now), -1); /* a plain run */
	assert_int_equal(b.len, 0);

	history_format_table(&b, &h);
	assert_non_null(strstr(text(&b),
	    "\n2026-11-25 03:00:00   run           0     7.09 s     "
	    "6.74 s    512.0 MB  m1\n"));
	buf_free(&b);
}

static struct history_func
func(const char *name, long long nc, long long cc, double tt, double ct)
{
	struct history_func f = {(char *)name, nc, cc, tt, ct};

	return f;
}

static void
test_top_json(void **state)
{
	char *path = xasprintf("%s/top/history.jsonl", dir), *cause = NULL;
	struct history_func top[] = {
	    func("compute.py:12(slow)", 20, 20, 3.2, 3.4),
	    func("compute.py:5(fib)", 3193, 1, 0.5, 0.5),
	    func("{built-in method builtins.sum}", 4, 4, 0.001, 0.003),
	};
	struct history_entry e = entry("profile", "", 9.5, 520, "m1");
	struct history h;
	struct buf b;
	FILE *f;

	e.top = top;
	e.ntop = 3;
	e.user = 8.5;
	e.sys = 0.25;
	assert_int_equal(history_append(path, &e, &cause), 0);
	/* A line from before top functions were kept, and lines whose "top" is not all functions. */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("{\"v\": 1, \"time\": \"2026-11-24T10:00:00Z\", \"script\": \"/x/compute.py\", "
	      "\"args\": \"\", \"kind\": \"profile\", \"status\": 0, \"wall_s\": 9.9, "
	      "\"user_s\": 9, \"sys_s\": 0.5, \"peak_mb\": 500, \"machine_id\": \"m1\", "
	      "\"machine\": \"x\"}\n",
	    f);
	fputs(
	    "{\"script\": \"/x/compute.py\", \"kind\": \"profile\", \"status\": 0, "
	    "\"wall_s\": 1, \"top\": [{\"name\": \"a.py:1(f)\", \"ncalls\": 2, "
	    "\"tottime\": 0.5, \"cumtime\": 0.6}, {\"name\": 3}, [], {\"name\": \"b.py:2(g)\"}]}\n",
	    f);
	fputs("{\"script\": \"/x/compute.py\", \"kind\": \"profile\", \"status\": 0, "
	      "\"wall_s\": 1, \"top\": {\"name\": \"a.py:1(f)\"}}\n",
	    f);
	fclose(f);

	assert_int_equal(history_load(path, "/x/compute.py", &h, &cause), 0);
	assert_int_equal(h.n, 4);
	assert_int_equal(h.skipped, 0);
	assert_int_equal(h.entries[0].ntop, 3);
	assert_string_equal(h.entries[0].top[0].name, "compute.py:12(slow)");
	assert_int_equal(h.entries[0].top[0].ncalls, 20);
	assert_int_equal(h.entries[0].top[0].pcalls, 20);
	assert_true(h.entries[0].top[0].tottime == 3.2);
	assert_true(h.entries[0].top[0].cumtime == 3.4);
	assert_int_equal(h.entries[0].top[1].ncalls, 3193);
	assert_int_equal(h.entries[0].top[1].pcalls, 1);
	assert_string_equal(h.entries[0].top[2].name, "{built-in method builtins.sum}");
	/* The old line: an entry without top functions. */
	assert_int_equal(h.entries[1].ntop, 0);
	assert_null(h.entries[1].top);
	assert_true(h.entries[1].wall == 9.9);
	/* Only the members that are functions; pcalls defaults to ncalls. */
	assert_int_equal(h.entries[2].ntop, 1);
	assert_string_equal(h.entries[2].top[0].name, "a.py:1(f)");
	assert_int_equal(h.entries[2].top[0].pcalls, 2);
	assert_int_equal(h.entries[3].ntop, 0);

	buf_init(&b);
	history_format_table(&b, &h);
	assert_non_null(strstr(text(&b),
	    "\n2026-11-25 03:00:00   profile       0     9.50 s     8.75 s    520.0 MB  m1\n"
	    "       ncalls   tottime   cumtime  top functions by internal time\n"
	    "           20     3.200     3.400  compute.py:12(slow)\n"
	    "       3193/1     0.500     0.500  compute.py:5(fib)\n"
	    "            4     0.001     0.003  {built-in method builtins.sum}\n"
	    "2026-11-24 10:00:00   profile       0     9.90 s     9.50 s    500.0 MB  m1\n"));
	buf_free(&b);
	history_free(&h);
	free(path);
}

static void
test_top_change(void **state)
{
	struct history_func t1[] = {
	    func("compute.py:12(slow)", 20, 20, 3.2, 3.4),
	    func("compute.py:30(main)", 1, 1, 0.1, 3.6),
	};
	struct history_func t2[] = {
	    func("compute.py:12(slow)", 20, 20, 0.8, 1.0),
	};
	struct history_func t3[] = {
	    func("compute.py:40(fast)", 20, 20, 0.5, 0.5),
	    func("compute.py:12(slow)", 20, 20, 0.1, 0.2),
	};
	struct history_func t4[] = {
	    func("compute.py:40(fast)", 20, 20, 0.5, 0.5),
	};
	struct history_entry before = entry("profile", "", 7, 500, "m1"),
	                     now = entry("profile", "", 2, 130, "m1");
	struct buf b;
	char calls[48];

	buf_init(&b);
	before.top = t1;
	before.ntop = 2;
	/* Either run without top functions: nothing to say. */
	assert_int_equal(history_format_top_change(&b, &before, &now), -1);
	assert_int_equal(history_format_top_change(&b, &now, &before), -1);
	assert_int_equal(b.len, 0);

	now.top = t2;
	now.ntop = 1;
	assert_int_equal(history_format_top_change(&b, &before, &now), 0);
	assert_string_equal(text(&b), "top: compute.py:12(slow) 3.200 s -> 0.800 s");
	buf_reset(&b);
	/* Another function on top: which, and what became of the old one. */
	now.top = t3;
	now.ntop = 2;
	assert_int_equal(history_format_top_change(&b, &before, &now), 0);
	assert_string_equal(text(&b),
	    "top: compute.py:40(fast) 0.500 s, was compute.py:12(slow) 3.200 s -> 0.100 s");
	buf_reset(&b);
	now.top = t4;
	now.ntop = 1;
	assert_int_equal(history_format_top_change(&b, &before, &now), 0);
	assert_string_equal(text(&b),
	    "top: compute.py:40(fast) 0.500 s, was compute.py:12(slow) 3.200 s -> out of the top "
	    "5");
	buf_reset(&b);

	history_format_speed(&b, &before, &now);
	assert_string_equal(text(&b), "3.5x faster");
	buf_reset(&b);
	now.wall = 0;
	history_format_speed(&b, &before, &now);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	history_format_calls(calls, sizeof calls, &t1[0]);
	assert_string_equal(calls, "20");
	t1[0].pcalls = 1;
	history_format_calls(calls, sizeof calls, &t1[0]);
	assert_string_equal(calls, "20/1");
	assert_true(history_comparable(&before, &now));
	now.args = (char *)"big";
	assert_false(history_comparable(&before, &now));
}

/* An ended run as the commands and the lab hand it over: recorded, on a known machine. */
static void
fake_run(struct run *r, double wall, double peak_mb)
{
	struct sample s;

	memset(r, 0, sizeof *r);
	r->reaped = 1;
	r->status.exited = 1;
	r->status.real = wall;
	r->status.ru.ru_utime.tv_sec = 1;
	r->status.ru.ru_utime.tv_usec = 250000;
	r->status.ru.ru_stime.tv_usec = 500000;
	r->status.ru.ru_maxrss = 100 * 1024; /* KB */
	r->recording = 1;
	recording_init(&r->rec.rec);
	memset(&s, 0, sizeof s);
	s.rss_mb = 50;
	recording_add_sample(&r->rec.rec, &s);
	s.rss_mb = peak_mb;
	recording_add_sample(&r->rec.rec, &s);
	recording_set_machine(&r->rec.rec, "machine 1a2b3c4d: AMD EPYC, 2 cores; Python 3.11.2");
}

static void
test_from_run(void **state)
{
	char *script = xasprintf("%s/prog.py", dir), *prof,
	     *args[] = {(char *)"1000", (char *)"x", NULL};
	char *noargs[] = {NULL}, *argv[] = {(char *)"ls", NULL};
	const char *top = getenv("top_srcdir");
	struct history_entry e;
	struct run_opts o;
	struct run r;
	FILE *f;

	prof = xasprintf("%s/tests/fixtures/prof/cprofile.prof", top != NULL ? top : ".");
	f = fopen(script, "w");
	assert_non_null(f);
	fclose(f);
	fake_run(&r, 1.5, 200);
	memset(&o, 0, sizeof o);
	o.script = script;
	o.script_args = args;

	assert_int_equal(history_entry_from_run(&e, &r, &o, 0), 0);
	assert_string_equal(e.script, script);
	assert_string_equal(e.args, "1000 x");
	assert_string_equal(e.kind, "run");
	assert_int_equal(e.status, 0);
	assert_true(e.wall == 1.5);
	assert_true(e.user == 1.25);
	assert_true(e.sys == 0.5);
	assert_true(e.peak_mb == 200); /* the recorded peak, above the worker's own 100 MB */
	assert_string_equal(e.machine_id, "1a2b3c4d");
	assert_string_equal(e.machine, "AMD EPYC, 2 cores; Python 3.11.2");
	assert_int_equal(strlen(e.time), 20);
	assert_true(e.time[10] == 'T' && e.time[19] == 'Z');
	assert_int_equal(e.ntop, 0);
	history_entry_free(&e);
	recording_free(&r.rec.rec);

	/* A short run whose samples missed the peak: the worker's own. */
	fake_run(&r, 1.5, 60);
	o.script_args = noargs;
	o.lines_out = "/nonexistent/t.lines";
	o.lines_memory = 1;
	assert_int_equal(history_entry_from_run(&e, &r, &o, 3), 0);
	assert_true(e.peak_mb == 100);
	assert_string_equal(e.args, "");
	assert_string_equal(e.kind, "memory");
	assert_int_equal(e.status, 3);
	history_entry_free(&e);

	/* A profiled run: its top 5 by internal time, as pstats prints them after strip_dirs(). */
	o.lines_out = NULL;
	o.profile_out = prof;
	r.profile_written = 1;
	assert_int_equal(history_entry_from_run(&e, &r, &o, 0), 0);
	assert_string_equal(e.kind, "profile");
	assert_int_equal(e.ntop, 5);
	assert_string_equal(e.top[0].name, "prog.py:22(<listcomp>)");
	assert_int_equal(e.top[0].ncalls, 1);
	assert_true(e.top[0].tottime > 0.007 && e.top[0].tottime < 0.009);
	assert_string_equal(e.top[1].name, "util.py:2(<genexpr>)");
	assert_int_equal(e.top[1].ncalls, 15006);
	assert_string_equal(e.top[3].name, "{built-in method builtins.sum}");
	assert_int_equal(e.top[3].ncalls, 4);
	assert_string_equal(e.top[4].name, "prog.py:21(squares)");
	assert_true(e.top[4].cumtime > e.top[4].tottime);
	history_entry_free(&e);
	/* ... a pstats file that cannot be read, or none written: no top functions. */
	o.profile_out = "/nonexistent.prof";
	assert_int_equal(history_entry_from_run(&e, &r, &o, 0), 0);
	assert_int_equal(e.ntop, 0);
	history_entry_free(&e);
	o.profile_out = prof;
	r.profile_written = 0;
	assert_int_equal(history_entry_from_run(&e, &r, &o, 1), 0);
	assert_int_equal(e.ntop, 0);
	history_entry_free(&e);

	/* What the history does not keep. */
	o.interactive = 1;
	assert_int_equal(history_entry_from_run(&e, &r, &o, 0), -1);
	assert_null(e.script);
	o.interactive = 0;
	o.argv = argv;
	assert_int_equal(history_entry_from_run(&e, &r, &o, 0), -1);
	o.argv = NULL;
	r.worker_error = (char *)"-f nosuch: no function named nosuch";
	assert_int_equal(history_entry_from_run(&e, &r, &o, 1), -1);
	r.worker_error = NULL;
	r.reaped = 0;
	assert_int_equal(history_entry_from_run(&e, &r, &o, 0), -1);
	recording_free(&r.rec.rec);
	free(script);
	free(prof);
}

static void
test_record_run(void **state)
{
	char *script = xasprintf("%s/job.py", dir), *prof, *noargs[] = {NULL}, *cause = NULL;
	char *state_dir = xasprintf("%s/state", dir), *path;
	const char *top = getenv("top_srcdir");
	struct run_opts o;
	struct history h;
	struct buf notes;
	struct run r;
	FILE *f;

	prof = xasprintf("%s/tests/fixtures/prof/cprofile.prof", top != NULL ? top : ".");
	path = xasprintf("%s/proflab/history.jsonl", state_dir);
	f = fopen(script, "w");
	assert_non_null(f);
	fclose(f);
	setenv("XDG_STATE_HOME", state_dir, 1);
	memset(&o, 0, sizeof o);
	o.script = script;
	o.script_args = noargs;
	buf_init(&notes);

	/* The first profiled run: kept, nothing to compare with. */
	fake_run(&r, 3.0, 200);
	r.profile_written = 1;
	o.profile_out = prof;
	assert_int_equal(history_record_run(&r, &o, 0, &notes, &cause), 1);
	assert_int_equal(notes.len, 0);
	/* The second: the change, and the top function's. */
	r.status.real = 1.5;
	assert_int_equal(history_record_run(&r, &o, 0, &notes, &cause), 1);
	assert_non_null(strstr(text(&notes),
	    "proflab: since the last run: 3.00 s -> 1.50 s, 2.0x faster; peak 200.0 -> 200.0 MB "
	    "(against the run of "));
	assert_non_null(strstr(notes.data, " UTC)\nproflab: top: prog.py:22(<listcomp>) 0.00"));
	assert_null(strstr(notes.data, "plain run"));
	assert_true(notes.data[strlen(notes.data) - 1] == '\n');
	buf_reset(&notes);
	/* A plain run, then a profiled one says what cProfile cost. */
	o.profile_out = NULL;
	r.status.real = 1.0;
	assert_int_equal(history_record_run(&r, &o, 0, &notes, &cause), 1);
	assert_int_equal(notes.len, 0);
	o.profile_out = prof;
	r.status.real = 2.0;
	assert_int_equal(history_record_run(&r, &o, 0, &notes, &cause), 1);
	assert_non_null(strstr(text(&notes),
	    "\nproflab: cProfile on: 2.0x the plain run (2.00 s against 1.00 s, one plain run)\n"));
	buf_reset(&notes);
	/* A failed run is kept and says nothing. */
	assert_int_equal(history_record_run(&r, &o, 1, &notes, &cause), 1);
	assert_int_equal(notes.len, 0);
	/* A snippet is not kept. */
	o.interactive = 1;
	assert_int_equal(history_record_run(&r, &o, 0, &notes, &cause), 0);
	o.interactive = 0;

	assert_int_equal(history_load(path, NULL, &h, &cause), 0);
	assert_int_equal(h.n, 5);
	assert_string_equal(h.entries[0].kind, "profile");
	assert_int_equal(h.entries[0].ntop, 5);
	assert_string_equal(h.entries[2].kind, "run");
	assert_int_equal(h.entries[2].ntop, 0);
	assert_int_equal(h.entries[4].status, 1);
	history_free(&h);

	/* A history that cannot be written: -1 with the cause. */
	{
		struct history_entry e;

		assert_int_equal(history_entry_from_run(&e, &r, &o, 0), 0);
		assert_int_equal(history_keep(path, &e, &notes, &cause), 0);
		buf_reset(&notes);
		assert_int_equal(
		    history_keep("/proc/proflab/history.jsonl", &e, &notes, &cause), -1);
		assert_non_null(strstr(cause, "/proc/proflab"));
		free(cause);
		cause = NULL;
		history_entry_free(&e);
	}
	/* Neither XDG_STATE_HOME nor HOME: nowhere to keep it, and nothing said. */
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_int_equal(history_record_run(&r, &o, 0, &notes, &cause), 0);
	assert_null(cause);
	buf_free(&notes);
	recording_free(&r.rec.rec);
	free(state_dir);
	free(path);
	free(script);
	free(prof);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path),
	    cmocka_unit_test(test_append_load),
	    cmocka_unit_test(test_compare),
	    cmocka_unit_test(test_top_json),
	    cmocka_unit_test(test_top_change),
	    cmocka_unit_test(test_from_run),
	    cmocka_unit_test(test_record_run),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
