/*
 * Unit tests for the line-table model (core/linetab.c). The fixtures in
 * tests/fixtures/lines come from make.sh there: line tables (real
 * measurements of prog.py by line_profiler and memory_profiler, and made-up
 * ones for the edges) and what line_profiler's show_text, memory_profiler's
 * show_results and %memit printed for them (cases.tsv), which the printers
 * here must match byte for byte. Malformed tables are written inline; each
 * must fail with a cause naming the file and line.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "base/buf.h"
#include "core/linetab.h"

static char fixtures[4096];

static char *
fixture_path(const char *name)
{
	static char path[8192];

	snprintf(path, sizeof path, "%s/%s", fixtures, name);
	return path;
}

/* The whole file into b; 0 or -1. */
static int
read_file(const char *path, struct buf *b)
{
	char chunk[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(b, chunk, (size_t)n);
	close(fd);
	return n == 0 ? 0 : -1;
}

/* What a printer wrote, as a string (caller frees). */
struct capture {
	FILE *f;
	char *data;
	size_t len;
};

static void
capture_start(struct capture *c)
{
	c->data = NULL;
	c->len = 0;
	c->f = open_memstream(&c->data, &c->len);
	assert_non_null(c->f);
}

static char *
capture_end(struct capture *c)
{
	assert_int_equal(fclose(c->f), 0);
	return c->data;
}

static void
parse_ok(struct linetab *t, const char *text)
{
	char *cause = NULL;

	if (linetab_parse(t, text, strlen(text), "t.lines", &cause) != 0)
		fail_msg("parse failed: %s", cause);
	assert_null(cause);
}

/* Where two outputs first differ, for the failure message. */
static void
assert_same_output(const char *got, size_t glen, const char *want, size_t wlen, const char *what)
{
	size_t i = 0, line = 1;

	if (glen == wlen && memcmp(got, want, glen) == 0)
		return;
	while (i < glen && i < wlen && got[i] == want[i]) {
		if (got[i] == '\n')
			line++;
		i++;
	}
	fail_msg("%s: differs at byte %zu (line %zu): got '%.60s', want '%.60s'", what, i, line,
	    got + i, want + i);
}

/* --- the printers against the tools' own output ------------------------------------------ */

static void
test_cases(void **state)
{
	struct buf list, want;
	struct capture c;
	struct linetab t;
	char *line, *next, *cause = NULL, *got, path[4096];
	size_t ncases = 0, nprinter[3] = {0, 0, 0};

	buf_init(&list);
	if (read_file(fixture_path("cases.tsv"), &list) != 0)
		fail_msg("cannot read %s", fixture_path("cases.tsv"));
	buf_addc(&list, '\0');
	for (line = list.data; *line != '\0'; line = next) {
		char *f[4];
		int n = 0;

		next = strchr(line, '\n');
		assert_non_null(next);
		*next++ = '\0';
		for (char *p = line; n < 4; n++) {
			f[n] = p;
			p = strchr(p, '\t');
			if (p == NULL) {
				n++;
				break;
			}
			*p++ = '\0';
		}
		assert_int_equal(n, 4);
		if (linetab_load(&t, fixture_path(f[1]), &cause) != 0)
			fail_msg("%s: %s", f[0], cause);
		buf_init(&want);
		snprintf(path, sizeof path, "expected/%s", f[0]);
		if (read_file(fixture_path(path), &want) != 0)
			fail_msg("cannot read %s", f[0]);
		capture_start(&c);
		if (strcmp(f[2], "time") == 0) {
			assert_int_equal(t.kind, LINETAB_TIME);
			linetab_print_time(&t, strtod(f[3], NULL), c.f);
			nprinter[0]++;
		} else if (strcmp(f[2], "memory") == 0) {
			assert_int_equal(t.kind, LINETAB_MEMORY);
			linetab_print_memory(&t, 1, c.f);
			nprinter[1]++;
		} else {
			assert_string_equal(f[2], "peak");
			assert_true(t.has_peak);
			linetab_print_peak(&t, c.f);
			nprinter[2]++;
		}
		got = capture_end(&c);
		assert_same_output(got, c.len, want.data, want.len, f[0]);
		free(got);
		buf_free(&want);
		linetab_free(&t);
		ncases++;
	}
	buf_free(&list);
	assert_true(nprinter[0] >= 10 && nprinter[1] >= 2 && nprinter[2] >= 5);
	assert_int_equal(ncases, nprinter[0] + nprinter[1] + nprinter[2]);
}

/* --- parsing good tables -------------------------------------------------------------------- */

static void
test_parse_time(void **state)
{
	static const char text[] = "proflab-lines\t1\ttime\n"
	                           "func\t0\tcompute.py\tcompute_result\tcompute_result\t21\t2\n"
	                           "src\t0\t21\tdef compute_result(data):\n"
	                           "src\t0\t22\t    total = 0\n"
	                           "hit\t0\t22\t2\t1500\n"
	                           "func\t1\t/x/m.py\tstep\tGrid.step\t5\t0\n"
	                           "src\t1\t5\t@deco\n"
	                           "src\t1\t6\tdef step(self):\n"
	                           "src\t1\t7\t    pass\n"
	                           "end\t2\n";
	const struct linetab_func *f;
	struct linetab t;

	parse_ok(&t, text);
	assert_int_equal(t.kind, LINETAB_TIME);
	assert_int_equal(t.nfuncs, 2);
	assert_false(t.has_peak);
	f = &t.funcs[0];
	assert_string_equal(f->file, "compute.py");
	assert_string_equal(f->name, "compute_result");
	assert_string_equal(f->qualname, "compute_result");
	assert_int_equal(f->firstline, 21);
	assert_int_equal(f->calls, 2);
	assert_true(f->has_source);
	assert_int_equal(f->nlines, 2);
	assert_int_equal(f->lines[0].lineno, 21);
	assert_string_equal(f->lines[0].text, "def compute_result(data):");
	assert_false(f->lines[0].measured);
	assert_int_equal(f->lines[1].lineno, 22);
	assert_string_equal(f->lines[1].text, "    total = 0");
	assert_true(f->lines[1].measured);
	assert_int_equal(f->lines[1].hits, 2);
	assert_int_equal(f->lines[1].time_ns, 1500);
	assert_int_equal(f->total_ns, 1500);
	assert_int_equal(f->max_abs, 1500);
	f = &t.funcs[1];
	assert_string_equal(f->qualname, "Grid.step");
	assert_string_equal(f->name, "step");
	assert_int_equal(f->calls, 0);
	assert_int_equal(f->nlines, 3);
	assert_string_equal(f->lines[0].text, "@deco");
	assert_int_equal(f->lines[2].lineno, 7);
	assert_int_equal(f->total_ns, 0);
	assert_int_equal(f->max_abs, 0);
	for (size_t i = 0; i < f->nlines; i++)
		assert_false(f->lines[i].measured);
	linetab_free(&t);
	assert_int_equal(t.nfuncs, 0);
	assert_null(t.funcs);
}

static void
test_parse_memory(void **state)
{
	/* Records in any order after their func; a function without source; a peak. */
	static const char text[] = "proflab-lines\t1\tmemory\n"
	                           "func\t0\tm.py\tf\tf\t10\t1\n"
	                           "mem\t0\t12\t3\t-5242880\t104857600\n"
	                           "src\t0\t10\tdef f():\n"
	                           "mem\t0\t11\t1\t1048576\t110100480\n"
	                           "src\t0\t11\t    a = 1\n"
	                           "src\t0\t12\t    del a\n"
	                           "peak\t31457280\t136314880\n"
	                           "func\t1\tgone.py\tg\tC.g\t20\t4\n"
	                           "mem\t1\t23\t4\t0\t1\n"
	                           "mem\t1\t18\t2\t7\t1\n"
	                           "func\t2\tgone.py\tnever\tnever\t40\t0\n"
	                           "end\t3\n";
	const struct linetab_func *f;
	struct linetab t;

	parse_ok(&t, text);
	assert_int_equal(t.kind, LINETAB_MEMORY);
	assert_true(t.has_peak);
	assert_int_equal(t.base_bytes, 31457280);
	assert_int_equal(t.peak_bytes, 136314880);
	assert_int_equal(t.nfuncs, 3);
	f = &t.funcs[0];
	assert_true(f->has_source);
	assert_int_equal(f->nlines, 3);
	assert_false(f->lines[0].measured);
	assert_true(f->lines[1].measured);
	assert_int_equal(f->lines[1].hits, 1);
	assert_int_equal(f->lines[1].incr, 1048576);
	assert_int_equal(f->lines[1].mem, 110100480);
	assert_int_equal(f->lines[2].incr, -5242880);
	assert_int_equal(f->lines[2].hits, 3);
	assert_int_equal(f->max_abs, 5242880);
	/* No source: from min(firstline, first measured) to the last measured line. */
	f = &t.funcs[1];
	assert_false(f->has_source);
	assert_string_equal(f->qualname, "C.g");
	assert_int_equal(f->nlines, 6);
	for (size_t i = 0; i < f->nlines; i++) {
		assert_int_equal(f->lines[i].lineno, 18 + (long)i);
		assert_string_equal(f->lines[i].text, "");
		assert_int_equal(f->lines[i].measured, i == 0 || i == 5);
	}
	assert_int_equal(f->lines[0].incr, 7);
	assert_int_equal(f->max_abs, 7);
	/* Never ran, no source: its first line alone. */
	f = &t.funcs[2];
	assert_false(f->has_source);
	assert_int_equal(f->nlines, 1);
	assert_int_equal(f->lines[0].lineno, 40);
	assert_false(f->lines[0].measured);
	linetab_free(&t);
}

static void
test_parse_escapes(void **state)
{
	static const char text[] = "proflab-lines\t1\ttime\n"
	                           "func\t0\ta\\tb\\\\c\\nd.py\tf\tf\t1\t1\n"
	                           "src\t0\t1\tdef f(): return '\\\\t' + \"\\t\"\\r\n"
	                           "src\t0\t2\t\n"
	                           "hit\t0\t1\t1\t9223372036854775807\n"
	                           "end\t1";
	struct linetab t;

	parse_ok(&t, text); /* the end record without its newline is still whole */
	assert_string_equal(t.funcs[0].file, "a\tb\\c\nd.py");
	assert_string_equal(t.funcs[0].lines[0].text, "def f(): return '\\t' + \"\t\"\r");
	assert_string_equal(t.funcs[0].lines[1].text, "");
	assert_int_equal(t.funcs[0].total_ns, LLONG_MAX);
	linetab_free(&t);
}

/* Lines measured outside the source block count in the total, and are not shown. */
static void
test_parse_outside(void **state)
{
	static const char text[] = "proflab-lines\t1\ttime\n"
	                           "func\t0\tm.py\tf\tf\t3\t1\n"
	                           "src\t0\t3\tdef f():\n"
	                           "src\t0\t4\t    pass\n"
	                           "hit\t0\t4\t1\t10\n"
	                           "hit\t0\t9\t1\t90\n"
	                           "hit\t0\t1\t1\t5\n"
	                           "end\t1\n";
	struct linetab t;

	parse_ok(&t, text);
	assert_int_equal(t.funcs[0].nlines, 2);
	assert_int_equal(t.funcs[0].total_ns, 105);
	assert_int_equal(t.funcs[0].max_abs, 10);
	linetab_free(&t);
}

/* --- malformed tables ------------------------------------------------------------------------ */

#define H_TIME "proflab-lines\t1\ttime\n"
#define H_MEM "proflab-lines\t1\tmemory\n"
#define F0 "func\t0\tf.py\tf\tf\t1\t1\n"

static void
test_parse_errors(void **state)
{
	static const struct {
		const char *text;
		size_t len; /* 0: strlen */
		const char *cause;
	} cases[] = {
	    {"", 0, "t.lines:1: empty file, not a line table"},
	    {"hello\n", 0, "t.lines:1: not a proflab line table"},
	    {"proflab-lines\t2\ttime\n", 0,
	        "t.lines:1: unsupported version '2' (this proflab reads 1)"},
	    {"proflab-lines\t1\tcpu\n", 0,
	        "t.lines:1: unknown kind 'cpu' (expected time or memory)"},
	    {"proflab-lines\t1\n", 0, "t.lines:1: bad header: 2 fields, expected 3"},
	    {"proflab-lines\t1\ttime\tx\n", 0, "t.lines:1: bad header: 4 fields, expected 3"},
	    {"proflab-lines\t1\ttime\r\nend\t0\r\n", 0,
	        "t.lines:1: unknown kind 'time\r' (expected time or memory)"},
	    {H_TIME, 0, "t.lines:2: truncated (no end record)"},
	    {H_TIME F0, 0, "t.lines:3: truncated (no end record)"},
	    {H_TIME F0 "hit\t0\t1\t1\t1", 0, "t.lines:3: truncated (no end record)"},
	    {H_TIME F0 "hit\t0\t1\t1", 0, "t.lines:3: hit record with 3 fields, expected 4"},
	    {H_TIME "call\t0\n", 0, "t.lines:2: unknown record 'call'"},
	    {H_TIME "\nend\t0\n", 0, "t.lines:2: unknown record ''"},
	    {H_TIME "func\t0\tf.py\tf\t1\t1\n", 0,
	        "t.lines:2: func record with 5 fields, expected 6"},
	    {H_TIME "func\t0\tf.py\tf\tf\t1\t1\t2\n", 0, "t.lines:2: too many fields"},
	    {H_TIME "end\t0\t1\n", 0, "t.lines:2: end record with 2 fields, expected 1"},
	    {H_TIME "func\t1\tf.py\tf\tf\t1\t1\n", 0,
	        "t.lines:2: func ID 1 out of order (expected 0)"},
	    {H_TIME F0 F0, 0, "t.lines:3: func ID 0 out of order (expected 1)"},
	    {H_TIME "func\t0\tf.py\tf\tf\tx\t1\n", 0,
	        "t.lines:2: bad first line 'x': not a decimal integer"},
	    {H_TIME "func\t0\tf.py\tf\tf\t0\t1\n", 0, "t.lines:2: first line 0 out of range"},
	    {H_TIME "func\t0\tf.py\tf\tf\t-3\t1\n", 0, "t.lines:2: first line -3 out of range"},
	    {H_TIME "func\t0\tf.py\tf\tf\t+3\t1\n", 0,
	        "t.lines:2: bad first line '+3': not a decimal integer"},
	    {H_TIME "func\t0\tf.py\tf\tf\t 3\t1\n", 0,
	        "t.lines:2: bad first line ' 3': not a decimal integer"},
	    {H_TIME "func\t0\tf.py\tf\tf\t1\t-1\n", 0,
	        "t.lines:2: bad call count '-1': not a decimal integer"},
	    {H_TIME "func\t0\tf.py\tf\tf\t1\t\n", 0,
	        "t.lines:2: bad call count '': not a decimal integer"},
	    {H_TIME "func\t0\tf.py\tf\tf\t1\t99999999999999999999999\n", 0,
	        "t.lines:2: call count 99999999999999999999999 out of range"},
	    {H_TIME "func\tx\tf.py\tf\tf\t1\t1\n", 0,
	        "t.lines:2: bad function ID 'x': not a decimal integer"},
	    {H_TIME "src\t0\t1\tx\n", 0, "t.lines:2: src record for unknown function ID 0"},
	    {H_TIME F0 "src\t1\t1\tx\n", 0, "t.lines:3: src record for unknown function ID 1"},
	    {H_TIME F0 "src\t0\t2\tx\n", 0,
	        "t.lines:3: src line 2 of f out of order (expected line 1)"},
	    {H_TIME F0 "src\t0\t1\tx\nsrc\t0\t3\tx\n", 0,
	        "t.lines:4: src line 3 of f out of order (expected line 2)"},
	    {H_TIME F0 "src\t0\t1\tx\nsrc\t0\t1\tx\n", 0,
	        "t.lines:4: src line 1 of f out of order (expected line 2)"},
	    {H_TIME F0 "hit\t1\t1\t1\t1\n", 0, "t.lines:3: hit record for unknown function ID 1"},
	    {H_MEM F0 "hit\t0\t1\t1\t1\n", 0, "t.lines:3: hit record in a memory table"},
	    {H_TIME F0 "mem\t0\t1\t1\t1\t1\n", 0, "t.lines:3: mem record in a time table"},
	    {H_TIME "peak\t1\t2\n", 0, "t.lines:2: peak record in a time table"},
	    {H_MEM "peak\t1\t2\npeak\t1\t2\n", 0, "t.lines:3: a second peak record"},
	    {H_MEM "peak\t-1\t2\n", 0, "t.lines:2: baseline -1 out of range"},
	    {H_MEM "peak\t1\tlots\n", 0, "t.lines:2: bad peak 'lots': not a decimal integer"},
	    {H_TIME F0 "hit\t0\t1\t0\t1\n", 0, "t.lines:3: hit count 0 out of range"},
	    {H_TIME F0 "hit\t0\t1\t1\t-5\n", 0, "t.lines:3: time -5 out of range"},
	    {H_TIME F0 "hit\t0\t1\t1\t1.5\n", 0,
	        "t.lines:3: bad time '1.5': not a decimal integer"},
	    {H_TIME F0 "hit\t0\t0\t1\t1\n", 0, "t.lines:3: line number 0 out of range"},
	    {H_TIME F0 "hit\t0\t5000000\t1\t1\n", 0,
	        "t.lines:3: line 5000000 is too far from f at line 1"},
	    {H_TIME F0 "hit\t0\t1\t1\t9223372036854775807\nhit\t0\t2\t1\t1\n", 0,
	        "t.lines:4: the total time of f overflows"},
	    {H_TIME F0 "hit\t0\t1\t1\t9223372036854775808\n", 0,
	        "t.lines:3: time 9223372036854775808 out of range"},
	    {H_TIME F0 "hit\t0\t2\t1\t1\nhit\t0\t3\t1\t1\nhit\t0\t2\t1\t1\nend\t1\n", 0,
	        "t.lines:5: a second hit record for line 2 of f"},
	    {H_MEM F0 "mem\t0\t2\t1\t1\t1\nmem\t0\t2\t1\t1\t1\nend\t1\n", 0,
	        "t.lines:4: a second mem record for line 2 of f"},
	    {H_MEM F0 "mem\t0\t1\t0\t1\t1\n", 0, "t.lines:3: occurrence count 0 out of range"},
	    {H_MEM F0 "mem\t0\t1\t1\t-9223372036854775808\t1\n", 0,
	        "t.lines:3: increment -9223372036854775808 out of range"},
	    {H_MEM F0 "mem\t0\t1\t1\t--1\t1\n", 0,
	        "t.lines:3: bad increment '--1': not a decimal integer"},
	    {H_MEM F0 "mem\t0\t1\t1\t-\t1\n", 0,
	        "t.lines:3: bad increment '-': not a decimal integer"},
	    {H_MEM F0 "mem\t0\t1\t1\t1\t-1\n", 0, "t.lines:3: memory usage -1 out of range"},
	    {H_TIME F0 "end\t2\n", 0, "t.lines:3: end record says 2 functions, the table has 1"},
	    {H_TIME "end\t0\nend\t0\n", 0, "t.lines:3: a record after the end record"},
	    {H_TIME "end\t0\n\n", 0, "t.lines:3: a record after the end record"},
	    {H_TIME F0 "src\t0\t1\tbad \\x escape\n", 0, "t.lines:3: field 4: unknown escape \\x"},
	    {H_TIME F0 "src\t0\t1\tends in \\\n", 0,
	        "t.lines:3: field 4: field ends in a lone backslash"},
	    {H_TIME "func\t0\tf.py\tf\0g\tf\t1\t1\n",
	        sizeof(H_TIME "func\t0\tf.py\tf\0g\tf\t1\t1\n") - 1,
	        "t.lines:2: field 4: NUL byte in field"},
	};
	struct linetab t;
	char *cause;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].text);

		cause = NULL;
		if (linetab_parse(&t, cases[i].text, len, "t.lines", &cause) != -1)
			fail_msg("case %zu parsed, want '%s'", i, cases[i].cause);
		assert_non_null(cause);
		if (strcmp(cause, cases[i].cause) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, cause, cases[i].cause);
		assert_int_equal(t.nfuncs, 0);
		assert_null(t.funcs);
		free(cause);
	}
}

/* Every cut of every fixture table fails with a cause naming the file, or is the whole table. */
static void
test_truncated(void **state)
{
	static const char *names[] = {"time-real.lines", "time-made.lines", "memory-real.lines",
	    "memory-made.lines", "peak-0.lines"};
	struct linetab t;
	struct buf b;
	char *cause;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		buf_init(&b);
		assert_int_equal(read_file(fixture_path(names[i]), &b), 0);
		assert_true(b.len > 2 && b.data[b.len - 1] == '\n');
		for (size_t n = 0; n < b.len; n++) {
			cause = NULL;
			if (linetab_parse(&t, b.data, n, "cut.lines", &cause) == 0) {
				/* only the end record without its newline is whole */
				assert_int_equal(n, b.len - 1);
				linetab_free(&t);
				continue;
			}
			assert_non_null(cause);
			if (strncmp(cause, "cut.lines:", 10) != 0)
				fail_msg("%s cut at %zu: '%s'", names[i], n, cause);
			free(cause);
		}
		buf_free(&b);
	}
}

static int
setup_dir(void **state)
{
	char *dir = strdup("/tmp/proflab-test-linetab.XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

static int
teardown_dir(void **state)
{
	char path[8192];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(*state)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", (char *)*state, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(*state);
	free(*state);
	return 0;
}

static void
test_load(void **state)
{
	const char *dir = *state;
	char path[8192], want[9000], *cause = NULL;
	struct linetab t;
	FILE *f;

	snprintf(path, sizeof path, "%s/none.lines", dir);
	assert_int_equal(linetab_load(&t, path, &cause), -1);
	snprintf(want, sizeof want, "%s: %s", path, strerror(ENOENT));
	assert_string_equal(cause, want);
	free(cause);
	cause = NULL;
	assert_int_equal(linetab_load(&t, dir, &cause), -1);
	snprintf(want, sizeof want, "%s: %s", dir, strerror(EISDIR));
	assert_string_equal(cause, want);
	free(cause);
	cause = NULL;

	snprintf(path, sizeof path, "%s/cut.lines", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(H_MEM F0 "mem\t0\t1\t1\t1\t1\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(linetab_load(&t, path, &cause), -1);
	snprintf(want, sizeof want, "%s:4: truncated (no end record)", path);
	assert_string_equal(cause, want);
	free(cause);
	cause = NULL;

	assert_int_equal(linetab_load(&t, fixture_path("time-real.lines"), &cause), 0);
	assert_null(cause);
	assert_int_equal(t.kind, LINETAB_TIME);
	assert_true(t.nfuncs >= 10);
	for (size_t i = 0; i < t.nfuncs; i++) {
		assert_true(t.funcs[i].has_source);
		if (strcmp(t.funcs[i].qualname, "Grid.step") == 0) {
			assert_string_equal(t.funcs[i].name, "step");
			assert_int_equal(t.funcs[i].lines[3].time_ns > 0, 1);
			assert_non_null(strchr(t.funcs[i].lines[3].text, '\t'));
		}
	}
	linetab_free(&t);
}

/* --- our own layouts: no source, never ran, no peak --------------------------------------- */

static void
expect_print(const char *text, int printer, double unit, const char *want)
{
	struct capture c;
	struct linetab t;
	char *got;

	parse_ok(&t, text);
	capture_start(&c);
	if (printer == 't')
		linetab_print_time(&t, unit, c.f);
	else if (printer == 'm')
		linetab_print_memory(&t, 1, c.f);
	else
		linetab_print_peak(&t, c.f);
	got = capture_end(&c);
	assert_same_output(got, c.len, want, strlen(want), "output");
	free(got);
	linetab_free(&t);
}

static void
test_print_nosource(void **state)
{
	expect_print(H_TIME "func\t0\tgone.py\tf\tf\t10\t1\n"
	                    "hit\t0\t11\t2\t3000\n"
	                    "hit\t0\t13\t1\t1000\n"
	                    "end\t1\n",
	    't', 1e-6,
	    "Timer unit: 1e-06 s\n"
	    "\n"
	    "Total time: 4e-06 s\n"
	    "\n"
	    "Could not find file gone.py: f at line 10 without its source\n"
	    "\n"
	    "Line #      Hits         Time  Per Hit   % Time  Line Contents\n"
	    "==============================================================\n"
	    "    10                                           \n"
	    "    11         2          3.0      1.5     75.0  \n"
	    "    12                                           \n"
	    "    13         1          1.0      1.0     25.0  \n"
	    "\n");
	expect_print(H_MEM "func\t0\tgone.py\tf\tf\t10\t1\n"
	                   "mem\t0\t11\t2\t-1048576\t3145728\n"
	                   "end\t1\n",
	    'm', 0,
	    "Filename: gone.py\n"
	    "\n"
	    "Could not find file gone.py: f at line 10 without its source\n"
	    "\n"
	    "Line #    Mem usage    Increment  Occurrences   Line Contents\n"
	    "=============================================================\n"
	    "    10                                         \n"
	    "    11      3.0 MiB     -1.0 MiB           2   \n"
	    "\n"
	    "\n");
}

static void
test_print_never(void **state)
{
	/* memory_profiler skips a function that never ran; we say so. */
	expect_print(H_MEM "func\t0\tm.py\tf\tf\t1\t0\n"
	                   "src\t0\t1\tdef f():\n"
	                   "src\t0\t2\t    pass\n"
	                   "func\t1\tm.py\tg\tg\t4\t1\n"
	                   "src\t0\t3\t    return\n"
	                   "src\t1\t4\tdef g():\n"
	                   "mem\t1\t4\t1\t0\t1048576\n"
	                   "end\t2\n",
	    'm', 0,
	    "Filename: m.py\n"
	    "\n"
	    "f at line 1 never ran: nothing measured\n"
	    "\n"
	    "\n"
	    "Filename: m.py\n"
	    "\n"
	    "Line #    Mem usage    Increment  Occurrences   Line Contents\n"
	    "=============================================================\n"
	    "     4      1.0 MiB      0.0 MiB           1   def g():\n"
	    "\n"
	    "\n");
	/* Ran, nothing measured (calls but no records): its table with blank columns. */
	expect_print(H_MEM "func\t0\tm.py\tf\tf\t1\t3\n"
	                   "src\t0\t1\tdef f():\n"
	                   "end\t1\n",
	    'm', 0,
	    "Filename: m.py\n"
	    "\n"
	    "Line #    Mem usage    Increment  Occurrences   Line Contents\n"
	    "=============================================================\n"
	    "     1                                         def f():\n"
	    "\n"
	    "\n");
	/* The time table of a function that never ran: as line_profiler's. */
	expect_print(H_TIME "func\t0\tm.py\tf\tf\t1\t0\n"
	                    "src\t0\t1\tdef f():\n"
	                    "end\t1\n",
	    't', 1e-3,
	    "Timer unit: 0.001 s\n"
	    "\n"
	    "Total time: 0 s\n"
	    "File: m.py\n"
	    "Function: f at line 1\n"
	    "\n"
	    "Line #      Hits         Time  Per Hit   % Time  Line Contents\n"
	    "==============================================================\n"
	    "     1                                           def f():\n"
	    "\n");
}

static void
test_print_peak(void **state)
{
	expect_print(H_MEM "end\t0\n", 'p', 0, "");
	expect_print(H_MEM "peak\t104857600\t209715200\nend\t0\n", 'p', 0,
	    "peak memory: 200.00 MiB, increment: 100.00 MiB\n");
	/* The peak printers print nothing of the functions, the others nothing of the peak. */
	expect_print(H_MEM "peak\t1\t2\nend\t0\n", 'm', 0, "");
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_parse_time),
	    cmocka_unit_test(test_parse_memory),
	    cmocka_unit_test(test_parse_escapes),
	    cmocka_unit_test(test_parse_outside),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test_setup_teardown(test_load, setup_dir, teardown_dir),
	    cmocka_unit_test(test_print_nosource),
	    cmocka_unit_test(test_print_never),
	    cmocka_unit_test(test_print_peak),
	};

	snprintf(fixtures, sizeof fixtures, "%s/tests/fixtures/lines",
	    top != NULL && *top != '\0' ? top : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
