/*
 * Unit tests for the run history (core/history.c): entries appended and
 * read back, a file cut short or holding other lines, the path from the XDG
 * variables, the baseline a run compares with, and the change and overhead
 * lines.
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path),
	    cmocka_unit_test(test_append_load),
	    cmocka_unit_test(test_compare),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
