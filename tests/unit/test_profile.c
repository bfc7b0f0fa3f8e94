/*
 * Unit tests for the function-profile model (core/profile.c). The fixtures
 * in tests/fixtures/prof come from make.sh there: two profiles of prog.py
 * and what pstats printed for them, case by case (cases.tsv), which every
 * report here must match byte for byte. Files for the load tests go to a
 * mkdtemp directory, removed by the teardown.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <cmocka.h>

#include "near.h"

#include "base/buf.h"
#include "core/profile.h"

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

static void
load_fixture(struct prof *p, const char *name)
{
	char *cause = NULL;

	if (prof_load(p, fixture_path(name), &cause) != 0)
		fail_msg("%s", cause);
	assert_null(cause);
	free(p->source);
	p->source = NULL;
}

static size_t
find(const struct prof *p, const char *std)
{
	size_t i = prof_find(p, std);

	if (i == (size_t)-1)
		fail_msg("no function %s", std);
	return i;
}

static int
setup_dir(void **state)
{
	char *dir = strdup("/tmp/proflab-test-profile.XXXXXX");

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

/* --- the pstats reports, case by case ------------------------------------------- */

/* The first line where got and want differ, for the failure message. */
static void
report_diff(const char *name, const char *got, const char *want)
{
	int line = 1;
	const char *g = got, *w = want;

	while (*g != '\0' && *g == *w) {
		if (*g == '\n')
			line++;
		g++;
		w++;
	}
	while (g > got && g[-1] != '\n') {
		g--;
		w--;
	}
	print_error("%s: line %d differs\n  got:  %.*s\n  want: %.*s\n", name, line,
	    (int)strcspn(g, "\n"), g, (int)strcspn(w, "\n"), w);
}

static void
test_pstats_cases(void **state)
{
	struct prof loaded[2][2]; /* [profile module][stripped] */
	struct prof_restrict r[8];
	struct prof_sort sort;
	struct buf cases, want, got;
	char *line, *next, *field[16], *cause = NULL, name[256];
	int nfield, failed = 0, ncases = 0, pm, strip, nr;

	(void)state;
	load_fixture(&loaded[0][0], "cprofile.prof");
	load_fixture(&loaded[1][0], "profile.prof");
	prof_strip(&loaded[0][1], &loaded[0][0]);
	prof_strip(&loaded[1][1], &loaded[1][0]);
	buf_init(&cases);
	assert_int_equal(read_file(fixture_path("cases.tsv"), &cases), 0);
	for (line = cases.data; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		nfield = 0;
		for (char *f = line; f != NULL && nfield < 16;) {
			field[nfield++] = f;
			if ((f = strchr(f, '\t')) != NULL)
				*f++ = '\0';
		}
		assert_true(nfield >= 5);
		pm = strcmp(field[1], "profile.prof") == 0;
		strip = strcmp(field[2], "1") == 0;
		nr = 0;
		for (int i = 5; i < nfield; i++, nr++) {
			memset(&r[nr], 0, sizeof r[nr]);
			if (field[i][0] == 'i') {
				r[nr].kind = PROF_R_COUNT;
				r[nr].count = strtol(field[i] + 2, NULL, 10);
			} else if (field[i][0] == 'f') {
				r[nr].kind = PROF_R_FRACTION;
				r[nr].fraction = strtod(field[i] + 2, NULL);
			} else {
				r[nr].kind = PROF_R_PATTERN;
				r[nr].pattern = field[i] + 2;
			}
		}
		if (strcmp(field[4], "-") != 0 && prof_sort_parse(&sort, field[4], &cause) != 0)
			fail_msg("%s", cause);
		buf_init(&want);
		buf_init(&got);
		snprintf(name, sizeof name, "expected/%s", field[0]);
		assert_int_equal(read_file(fixture_path(name), &want), 0);
		if (strcmp(field[3], "stats") == 0)
			prof_print_stats(&got, &loaded[pm][strip],
			    strcmp(field[4], "-") == 0 ? NULL : &sort, r, nr);
		else if (strcmp(field[3], "callers") == 0)
			prof_print_callers(&got, &loaded[pm][strip],
			    strcmp(field[4], "-") == 0 ? NULL : &sort, r, nr);
		else
			prof_print_callees(&got, &loaded[pm][strip],
			    strcmp(field[4], "-") == 0 ? NULL : &sort, r, nr);
		if (got.len != want.len ||
		    (got.len != 0 && memcmp(got.data, want.data, got.len) != 0)) {
			if (failed++ < 5)
				report_diff(field[0], got.len != 0 ? got.data : "",
				    want.len != 0 ? want.data : "");
		}
		ncases++;
		buf_free(&want);
		buf_free(&got);
	}
	buf_free(&cases);
	for (int i = 0; i < 2; i++) {
		prof_free(&loaded[i][0]);
		prof_free(&loaded[i][1]);
	}
	assert_true(ncases >= 180);
	if (failed != 0)
		fail_msg("%d of %d pstats cases differ", failed, ncases);
}

/* --- loading ------------------------------------------------------------------- */

static void
test_load_cprofile(void **state)
{
	struct prof p;
	const struct prof_func *fib, *abs_;
	size_t i, main_;
	double sum;

	(void)state;
	load_fixture(&p, "cprofile.prof");
	assert_int_equal(p.nfuncs, 25);
	assert_int_equal(p.total_calls, 48234);
	assert_int_equal(p.prim_calls, 45040);
	sum = 0;
	for (size_t k = 0; k < p.nfuncs; k++)
		sum += p.funcs[k].tt;
	assert_near(p.total_tt, sum, 0);
	assert_true(sum > 0);
	assert_int_equal(p.max_name_len, 48);
	assert_int_equal(p.caller_counts, 0);
	assert_null(p.source);

	assert_string_equal(p.funcs[0].std, "{built-in method builtins.abs}");
	assert_string_equal(p.funcs[0].file, "~");
	assert_int_equal(p.funcs[0].line, 0);
	fib = &p.funcs[i = find(&p, "prog.py:15(fib)")];
	main_ = find(&p, "prog.py:29(main)");
	assert_int_equal(fib->nc, 3193);
	assert_int_equal(fib->cc, 1);
	assert_string_equal(fib->file, "prog.py");
	assert_string_equal(fib->name, "fib");
	/* callers sorted by (file, line, name): fib before main */
	assert_int_equal(fib->ncallers, 2);
	assert_int_equal(fib->callers[0].func, i);
	assert_int_equal(fib->callers[0].nc, 3192);
	assert_int_equal(fib->callers[0].cc, 2);
	assert_int_equal(fib->callers[1].func, main_);
	assert_int_equal(fib->callers[1].nc, 1);
	/* and the callees mirror them */
	assert_int_equal(fib->ncallees, 1);
	assert_int_equal(fib->callees[0].func, i);
	assert_int_equal(fib->callees[0].nc, 3192);
	assert_true(p.funcs[main_].ncallees >= 5);
	for (size_t k = 1; k < p.funcs[main_].ncallees; k++) {
		const struct prof_func *a = &p.funcs[p.funcs[main_].callees[k - 1].func];
		const struct prof_func *b = &p.funcs[p.funcs[main_].callees[k].func];

		assert_true(strcmp(a->file, b->file) < 0 ||
		    (strcmp(a->file, b->file) == 0 && a->line <= b->line));
	}
	abs_ = &p.funcs[0];
	assert_int_equal(abs_->ncallers, 2);
	assert_int_equal(abs_->callers[0].nc + abs_->callers[1].nc, 15000);
	/* the non-ASCII name counts in characters */
	assert_string_equal(p.funcs[find(&p, "prog.py:25(grüße)")].name, "grüße");
	assert_int_equal(prof_find(&p, "nope"), (size_t)-1);
	prof_free(&p);
	assert_int_equal(p.nfuncs, 0);
}

static void
test_load_profile_module(void **state)
{
	struct prof p;
	const struct prof_func *f;

	(void)state;
	load_fixture(&p, "profile.prof");
	assert_int_equal(p.nfuncs, 27);
	assert_int_equal(p.total_calls, 48235);
	assert_int_equal(p.prim_calls, 45041);
	assert_int_equal(p.max_name_len, 35);
	assert_int_equal(p.caller_counts, 1);
	f = &p.funcs[find(&p, "profile:0(profiler)")];
	assert_int_equal(f->nc, 0);
	assert_int_equal(f->ncallers, 0);
	f = &p.funcs[find(&p, ":0(exec)")];
	assert_string_equal(f->file, "");
	assert_int_equal(f->nc, 3);
	assert_int_equal(f->cc, 1);
	assert_int_equal(f->ncallers, 2);
	for (size_t k = 0; k < f->ncallers; k++) {
		assert_int_equal(f->callers[k].nc, f->callers[k].cc);
		assert_near(f->callers[k].tt, 0, 0);
		assert_near(f->callers[k].ct, 0, 0);
	}
	prof_free(&p);
}

static void
test_load_source(void **state)
{
	struct utimbuf ut = {1762250400, 1762250400}; /* Tue Nov  4 10:00:00 2025 UTC */
	struct prof p;
	struct buf b, out;
	char path[8192], want[9000], *cause = NULL, *old_tz = getenv("TZ");
	FILE *f;

	snprintf(path, sizeof path, "%s/x.prof", (char *)*state);
	buf_init(&b);
	assert_int_equal(read_file(fixture_path("cprofile.prof"), &b), 0);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	fclose(f);
	assert_int_equal(utime(path, &ut), 0);
	old_tz = old_tz != NULL ? strdup(old_tz) : NULL;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(prof_load(&p, path, &cause), 0);
	snprintf(want, sizeof want, "Tue Nov  4 10:00:00 2025    %s", path);
	assert_string_equal(p.source, want);
	buf_init(&out);
	prof_print_stats(&out, &p, NULL, NULL, 0);
	assert_memory_equal(out.data, want, strlen(want));
	assert_non_null(strstr(out.data, "2025    "));
	assert_string_equal(
	    out.data + strlen(want), strstr(out.data, "\n\n         48234 function"));
	prof_free(&p);
	if (old_tz != NULL)
		setenv("TZ", old_tz, 1);
	else
		unsetenv("TZ");
	free(old_tz);
	tzset();

	/* from memory: no source */
	assert_int_equal(prof_load_mem(&p, b.data, b.len, "mem", &cause), 0);
	assert_null(p.source);
	prof_free(&p);
	buf_free(&b);
	buf_free(&out);
}

/* A few marshal writers, to build small profiles by hand. */
static void
m_i32(struct buf *b, int32_t v)
{
	uint32_t u = (uint32_t)v;
	unsigned char le[4] = {u & 0xff, (u >> 8) & 0xff, (u >> 16) & 0xff, u >> 24};

	buf_add(b, le, 4);
}

static void
m_int(struct buf *b, int32_t v)
{
	buf_addc(b, 'i');
	m_i32(b, v);
}

static void
m_float(struct buf *b, double d)
{
	unsigned char le[8];
	uint64_t u;

	memcpy(&u, &d, 8);
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(u >> (8 * i));
	buf_addc(b, 'g');
	buf_add(b, le, 8);
}

static void
m_str(struct buf *b, const char *s, size_t len)
{
	buf_addc(b, 'z');
	buf_addc(b, (char)len);
	buf_add(b, s, len);
}

static void
m_ref(struct buf *b, int32_t i)
{
	buf_addc(b, 'r');
	m_i32(b, i);
}

/* (file, line, name); flagged so that m_ref can name it after. */
static void
m_key(struct buf *b, const char *file, int line, const char *name, int flag)
{
	buf_addc(b, flag ? (char)(')' | 0x80) : ')');
	buf_addc(b, 3);
	m_str(b, file, strlen(file));
	m_int(b, line);
	m_str(b, name, strlen(name));
}

/* (cc, nc, tt, ct, { ... : the caller entries follow, then m_end */
static void
m_stats(struct buf *b, int cc, int nc, double tt, double ct)
{
	buf_adds(b, ")\x05");
	m_int(b, cc);
	m_int(b, nc);
	m_float(b, tt);
	m_float(b, ct);
	buf_addc(b, '{');
}

static void
m_edge(struct buf *b, int nc, int cc, double tt, double ct)
{
	buf_adds(b, ")\x04");
	m_int(b, nc);
	m_int(b, cc);
	m_float(b, tt);
	m_float(b, ct);
}

static void
m_end(struct buf *b)
{
	buf_addc(b, '0');
}

static void
expect_error(const void *data, size_t len, const char *want)
{
	struct prof p;
	char *cause = NULL;

	assert_int_equal(prof_load_mem(&p, data, len, "x.prof", &cause), -1);
	assert_non_null(cause);
	if (strcmp(cause, want) != 0)
		fail_msg("got \"%s\", want \"%s\"", cause, want);
	assert_int_equal(p.nfuncs, 0);
	assert_null(p.funcs);
	free(cause);
}

#define EXPECT_ERROR(lit, want) expect_error(lit, sizeof lit - 1, want)

static void
test_load_errors(void **state)
{
	struct prof p;
	struct buf b;
	char *cause = NULL, want[256];
	char path[8192];
	size_t at;
	FILE *f;

	EXPECT_ERROR("", "x.prof: not a pstats profile (the file is empty)");
	EXPECT_ERROR("\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
	    "x.prof: not a pstats profile (unknown marshal type 0x89 at byte 0)");
	EXPECT_ERROR(
	    "\x80\x04}\x94.", "x.prof: not a pstats profile (unknown marshal type 0x80 at byte 0)");
	EXPECT_ERROR(
	    "(dp0\n.", "x.prof: not a pstats profile (unknown marshal type 0x2e at byte 5)");
	EXPECT_ERROR("hello", "x.prof: not a pstats profile (unknown marshal type 0x68 at byte 0)");
	EXPECT_ERROR("{\"a\": 1}",
	    "x.prof: not a pstats profile (unknown marshal type 0x22 at byte "
	    "1)");
	EXPECT_ERROR(
	    "[\0\0\0\0", "x.prof: not a pstats profile (it holds a list, not a dict of functions)");
	EXPECT_ERROR("{0", "x.prof: not a pstats profile (no functions in it)");
	EXPECT_ERROR("{)\x01N", "x.prof: truncated at byte 4 of 4");

	buf_init(&b);
	buf_addc(&b, '{');
	m_int(&b, 1);
	buf_addc(&b, 'N');
	m_end(&b);
	expect_error(b.data, b.len,
	    "x.prof: not a pstats profile (the key at byte 1 is not a (file, line, name) tuple)");

	buf_reset(&b);
	buf_adds(&b, "{)\x03");
	m_str(&b, "a", 1);
	m_float(&b, 1);
	m_str(&b, "f", 1);
	buf_addc(&b, 'N');
	m_end(&b);
	expect_error(b.data, b.len,
	    "x.prof: not a pstats profile (the key at byte 1 is not a (file, line, name) tuple)");

	buf_reset(&b);
	buf_addc(&b, '{');
	m_key(&b, "a", 1, "f", 0);
	at = b.len;
	buf_addc(&b, 'N');
	m_end(&b);
	snprintf(want, sizeof want,
	    "x.prof: not a pstats profile (the value at byte %zu is not a (cc, nc, tt, ct, "
	    "callers) "
	    "tuple)",
	    at);
	expect_error(b.data, b.len, want);

	buf_reset(&b);
	buf_addc(&b, '{');
	m_key(&b, "a", 1, "f", 0);
	at = b.len;
	m_stats(&b, 1, 1, 0, 0);
	b.data[b.len - 1] = 'N'; /* callers not a dict */
	snprintf(want, sizeof want, "x.prof: truncated at byte %zu of %zu", b.len, b.len);
	expect_error(b.data, b.len, want);
	m_end(&b);
	snprintf(want, sizeof want,
	    "x.prof: not a pstats profile (the value at byte %zu is not a (cc, nc, tt, ct, "
	    "callers) "
	    "tuple)",
	    at);
	expect_error(b.data, b.len, want);

	buf_reset(&b);
	buf_addc(&b, '{');
	m_key(&b, "a", 1, "f", 0);
	m_stats(&b, 1, 1, 0, 0);
	at = b.len;
	m_int(&b, 1);
	m_int(&b, 2);
	m_end(&b);
	m_end(&b);
	snprintf(want, sizeof want,
	    "x.prof: not a pstats profile (the caller key at byte %zu is not a (file, line, name) "
	    "tuple)",
	    at);
	expect_error(b.data, b.len, want);

	buf_reset(&b);
	buf_addc(&b, '{');
	m_key(&b, "a", 1, "f", 1);
	m_stats(&b, 1, 1, 0, 0);
	m_ref(&b, 0);
	at = b.len;
	m_str(&b, "x", 1);
	m_end(&b);
	m_end(&b);
	snprintf(want, sizeof want,
	    "x.prof: not a pstats profile (the caller value at byte %zu is not a count or an (nc, "
	    "cc, tt, ct) tuple)",
	    at);
	expect_error(b.data, b.len, want);

	/* a caller that is a count, then one that is a tuple */
	buf_reset(&b);
	buf_addc(&b, '{');
	m_key(&b, "a", 1, "f", 1);
	m_stats(&b, 1, 1, 0, 0);
	m_ref(&b, 0);
	m_int(&b, 1);
	m_key(&b, "b", 1, "f", 0);
	at = b.len;
	m_edge(&b, 1, 1, 0, 0);
	m_end(&b);
	m_end(&b);
	snprintf(want, sizeof want,
	    "x.prof: not a pstats profile (callers mix counts and tuples at byte %zu)", at);
	expect_error(b.data, b.len, want);

	buf_reset(&b);
	buf_addc(&b, '{');
	buf_adds(&b, ")\x03");
	m_str(&b, "a", 1);
	m_int(&b, 1);
	m_str(&b, "f\0", 2);
	m_stats(&b, 1, 1, 0, 0);
	m_end(&b);
	m_end(&b);
	expect_error(b.data, b.len, "x.prof: not a pstats profile (a NUL in the key at byte 1)");

	buf_reset(&b);
	buf_adds(&b, "{)\x03u");
	m_i32(&b, 1);
	buf_addc(&b, (char)0xff);
	expect_error(
	    b.data, b.len, "x.prof: not a pstats profile (invalid UTF-8 in a string at byte 8)");

	/* a callers dict shared through a reference by many functions */
	buf_reset(&b);
	buf_addc(&b, '{');
	m_key(&b, "a", 1, "f", 1);
	m_stats(&b, 1, 1, 0, 0);
	b.data[b.len - 1] = (char)('{' | 0x80);
	for (int i = 0; i < 200; i++) {
		m_ref(&b, 0);
		m_int(&b, 1);
	}
	m_end(&b);
	for (int i = 0; i < 100; i++) {
		m_key(&b, "a", 2 + i, "f", 0);
		buf_adds(&b, ")\x05");
		m_int(&b, 1);
		m_int(&b, 1);
		m_float(&b, 0);
		m_float(&b, 0);
		m_ref(&b, 1);
	}
	m_end(&b);
	snprintf(want, sizeof want,
	    "x.prof: not a pstats profile (more callers than a file of %zu bytes can hold)", b.len);
	expect_error(b.data, b.len, want);
	buf_free(&b);

	/* files that are not there, or not files */
	assert_int_equal(prof_load(&p, "/nonexistent/x.prof", &cause), -1);
	assert_string_equal(cause, "/nonexistent/x.prof: No such file or directory");
	free(cause);
	assert_int_equal(prof_load(&p, "/", &cause), -1);
	assert_string_equal(cause, "/: Is a directory");
	free(cause);
	snprintf(path, sizeof path, "%s/empty.prof", (char *)*state);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(prof_load(&p, path, &cause), -1);
	assert_non_null(strstr(cause, "empty.prof: not a pstats profile (the file is empty)"));
	free(cause);
}

/* The files make.sh writes that are not profiles. */
static void
test_load_bad_fixtures(void **state)
{
	static const struct {
		const char *name;
		const char *why;
	} bad[] = {
	    {"bad-code.prof",
	        "not a pstats profile (it holds a code object, not a dict of functions)"},
	    {"bad-list.prof", "not a pstats profile (it holds a list, not a dict of functions)"},
	    {"bad-pickle.prof", "not a pstats profile (unknown marshal type 0x80 at byte 0)"},
	    {"bad-truncated.prof", NULL},
	};
	struct prof p;
	struct stat st;
	char *cause, want[8400];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_int_equal(prof_load(&p, fixture_path(bad[i].name), &cause), -1);
		if (bad[i].why != NULL)
			snprintf(
			    want, sizeof want, "%s: %s", fixture_path(bad[i].name), bad[i].why);
		else {
			assert_int_equal(stat(fixture_path(bad[i].name), &st), 0);
			snprintf(want, sizeof want, "%s: truncated at byte %lld of %lld",
			    fixture_path(bad[i].name), (long long)st.st_size,
			    (long long)st.st_size);
		}
		assert_string_equal(cause, want);
		assert_null(p.source);
		free(cause);
	}
}

/* Odd but valid: keys seen twice, callers of unknown functions, ints for times. */
static void
test_load_odd(void **state)
{
	struct prof p;
	struct buf b;
	char *cause = NULL;

	(void)state;
	buf_init(&b);
	buf_addc(&b, '{');
	m_key(&b, "b.py", 1, "f", 1); /* ref 0 */
	m_stats(&b, 1, 1, 0, 0);
	m_end(&b);
	m_key(&b, "a.py", 1, "g", 1); /* ref 1 */
	m_stats(&b, 2, 2, 0, 0);
	m_ref(&b, 0);
	m_edge(&b, 2, 2, 0, 0);
	m_key(&b, "zz.py", 9, "gone", 0);
	m_edge(&b, 5, 5, 0, 0);
	m_ref(&b, 0);
	m_edge(&b, 3, 3, 0.5, 0.5); /* the later one wins */
	m_end(&b);
	m_ref(&b, 0); /* b.py:1(f) again: keeps its place, takes this value */
	buf_adds(&b, ")\x05");
	m_int(&b, 7);
	m_int(&b, 9);
	m_int(&b, 2);
	m_int(&b, 3);
	buf_addc(&b, '{');
	m_key(&b, "~", 0, "<len>", 0);
	m_edge(&b, 1, 1, 0, 0);
	m_end(&b);
	m_key(&b, "~", 0, "<len>", 0);
	m_stats(&b, 1, 1, 0, 0);
	m_end(&b);
	m_end(&b);
	buf_adds(&b, "trailing bytes are ignored");
	if (prof_load_mem(&p, b.data, b.len, "odd", &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(p.nfuncs, 3);
	assert_string_equal(p.funcs[0].std, "b.py:1(f)");
	assert_int_equal(p.funcs[0].cc, 7);
	assert_int_equal(p.funcs[0].nc, 9);
	assert_near(p.funcs[0].tt, 2, 0);
	assert_near(p.funcs[0].ct, 3, 0);
	assert_int_equal(p.funcs[0].ncallers, 1);
	assert_string_equal(p.funcs[2].std, "{len}");
	assert_int_equal(p.funcs[1].ncallers, 1);
	assert_int_equal(p.funcs[1].callers[0].nc, 3);
	assert_near(p.funcs[1].callers[0].ct, 0.5, 0);
	assert_int_equal(p.funcs[0].ncallees, 1);
	assert_int_equal(p.funcs[0].callees[0].func, 1);
	assert_int_equal(p.total_calls, 12);
	assert_int_equal(p.prim_calls, 10);
	assert_int_equal(p.max_name_len, 9);
	prof_free(&p);
	buf_free(&b);
}

/* Every prefix of a real profile fails cleanly, with one line. */
static void
test_load_truncated(void **state)
{
	const char *names[] = {"cprofile.prof", "profile.prof"};
	struct prof p;
	struct buf b;
	char *cause, want[64];

	(void)state;
	for (size_t n = 0; n < 2; n++) {
		buf_init(&b);
		assert_int_equal(read_file(fixture_path(names[n]), &b), 0);
		for (size_t len = 0; len < b.len; len++) {
			cause = NULL;
			assert_int_equal(prof_load_mem(&p, b.data, len, "t.prof", &cause), -1);
			assert_non_null(cause);
			assert_null(strchr(cause, '\n'));
			if (len > 0) {
				snprintf(want, sizeof want, " of %zu", len);
				assert_memory_equal(cause, "t.prof: truncated at byte ", 26);
				assert_non_null(strstr(cause, want));
			}
			free(cause);
		}
		assert_int_equal(prof_load_mem(&p, b.data, b.len, "t.prof", &cause), 0);
		prof_free(&p);
		buf_free(&b);
	}
}

/* Every byte of a real profile changed, in a few ways: an error or a profile, never a crash. */
static void
test_load_mutated(void **state)
{
	static const unsigned char values[] = {0x00, 0xff, 0x7f, 'r', '{', '(', 0x80};
	struct prof p, s;
	struct buf b, out;
	size_t order[64], ok = 0;
	struct prof_bar *bars;
	char *cause, *text;
	unsigned char saved;

	(void)state;
	buf_init(&b);
	buf_init(&out);
	assert_int_equal(read_file(fixture_path("cprofile.prof"), &b), 0);
	for (size_t i = 0; i < b.len; i++) {
		saved = (unsigned char)b.data[i];
		for (size_t v = 0; v < sizeof values; v++) {
			b.data[i] = (char)values[v];
			cause = NULL;
			if (prof_load_mem(&p, b.data, b.len, "m.prof", &cause) != 0) {
				assert_non_null(cause);
				assert_null(strchr(cause, '\n'));
				free(cause);
				continue;
			}
			ok++;
			if (i % 16 == 0 && p.nfuncs <= 64) {
				prof_strip(&s, &p);
				buf_reset(&out);
				prof_print_callers(&out, &s, NULL, NULL, 0);
				prof_print_callees(&out, &p, NULL, NULL, 0);
				prof_sort_order(&p, NULL, order);
				prof_icicle(&p, NULL, 0, 80, 10, &bars);
				free(bars);
				text = prof_explain(&p, 0);
				free(text);
				prof_free(&s);
			}
			prof_free(&p);
		}
		b.data[i] = (char)saved;
	}
	assert_true(ok > 0);
	buf_free(&b);
	buf_free(&out);
}

/* --- strip_dirs ----------------------------------------------------------------- */

static void
test_strip(void **state)
{
	struct prof p, s, s2;
	const struct prof_func *f, *one, *two, *abs_;
	const struct prof_edge *later;

	(void)state;
	load_fixture(&p, "cprofile.prof");
	p.source = strdup("src");
	prof_strip(&s, &p);
	assert_int_equal(s.nfuncs, 21);
	assert_int_equal(s.max_name_len, 48);
	assert_int_equal(s.total_calls, p.total_calls);
	assert_near(s.total_tt, p.total_tt, 0);
	assert_string_equal(s.source, "src");
	/* first-occurrence order */
	assert_string_equal(s.funcs[0].std, "{built-in method builtins.abs}");
	assert_string_equal(s.funcs[9].std, "util.py:1(<module>)");
	assert_string_equal(s.funcs[10].std, "util.py:1(work)");
	one = &p.funcs[find(&p, "lib/one/util.py:5(helper)")];
	two = &p.funcs[find(&p, "lib/two/util.py:5(helper)")];
	f = &s.funcs[find(&s, "util.py:5(helper)")];
	assert_int_equal(f->nc, 15000);
	assert_true(f->tt == one->tt + two->tt);
	assert_true(f->ct == one->ct + two->ct);
	assert_int_equal(f->ncallers, 1);
	assert_int_equal(f->callers[0].nc, 15000);
	assert_true(f->callers[0].ct == one->callers[0].ct + two->callers[0].ct);
	/* two callers that became equal: pstats keeps the later in the dict, it does not add them */
	abs_ = &p.funcs[0];
	assert_int_equal(abs_->ncallers, 2);
	later = &abs_->callers[abs_->callers[0].seq > abs_->callers[1].seq ? 0 : 1];
	f = &s.funcs[0];
	assert_int_equal(f->ncallers, 1);
	assert_int_equal(f->callers[0].func, find(&s, "util.py:5(helper)"));
	assert_int_equal(f->callers[0].nc, later->nc);
	assert_true(f->callers[0].tt == later->tt);
	assert_true(later->nc == 6000 || later->nc == 9000);
	/* stripping again changes nothing */
	prof_strip(&s2, &s);
	assert_int_equal(s2.nfuncs, s.nfuncs);
	for (size_t i = 0; i < s.nfuncs; i++) {
		assert_string_equal(s2.funcs[i].std, s.funcs[i].std);
		assert_int_equal(s2.funcs[i].ncallers, s.funcs[i].ncallers);
		assert_int_equal(s2.funcs[i].ncallees, s.funcs[i].ncallees);
	}
	prof_free(&s2);
	prof_free(&s);
	prof_free(&p);
}

/* --- sorting ---------------------------------------------------------------- */

/* What pstats' get_sort_arg_defs() accepts, with the description of each. */
static const struct {
	const char *key;
	const char *desc;
} pstats_keys[] = {
    {"calls", "call count"},
    {"call", "call count"},
    {"cal", "call count"},
    {"ca", "call count"},
    {"ncalls", "call count"},
    {"ncall", "call count"},
    {"ncal", "call count"},
    {"nca", "call count"},
    {"nc", "call count"},
    {"cumtime", "cumulative time"},
    {"cumtim", "cumulative time"},
    {"cumti", "cumulative time"},
    {"cumt", "cumulative time"},
    {"cu", "cumulative time"},
    {"cumulative", "cumulative time"},
    {"cumulativ", "cumulative time"},
    {"cumulati", "cumulative time"},
    {"cumulat", "cumulative time"},
    {"cumula", "cumulative time"},
    {"cumul", "cumulative time"},
    {"cumu", "cumulative time"},
    {"filename", "file name"},
    {"filenam", "file name"},
    {"filena", "file name"},
    {"filen", "file name"},
    {"file", "file name"},
    {"fil", "file name"},
    {"fi", "file name"},
    {"f", "file name"},
    {"line", "line number"},
    {"lin", "line number"},
    {"li", "line number"},
    {"l", "line number"},
    {"module", "file name"},
    {"modul", "file name"},
    {"modu", "file name"},
    {"mod", "file name"},
    {"mo", "file name"},
    {"m", "file name"},
    {"name", "function name"},
    {"nam", "function name"},
    {"na", "function name"},
    {"nfl", "name/file/line"},
    {"nf", "name/file/line"},
    {"pcalls", "primitive call count"},
    {"pcall", "primitive call count"},
    {"pcal", "primitive call count"},
    {"pca", "primitive call count"},
    {"pc", "primitive call count"},
    {"p", "primitive call count"},
    {"stdname", "standard name"},
    {"stdnam", "standard name"},
    {"stdna", "standard name"},
    {"stdn", "standard name"},
    {"std", "standard name"},
    {"st", "standard name"},
    {"s", "standard name"},
    {"time", "internal time"},
    {"tim", "internal time"},
    {"ti", "internal time"},
    {"tottime", "internal time"},
    {"tottim", "internal time"},
    {"totti", "internal time"},
    {"tott", "internal time"},
    {"tot", "internal time"},
    {"to", "internal time"},
};

static void
test_sort_keys(void **state)
{
	static const char *bad[] = {"c", "cum", "n", "t", "x", "timex", "Time", "tp_", "nfl2"};
	struct prof_sort s;
	char *cause = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof pstats_keys / sizeof pstats_keys[0]; i++) {
		if (prof_sort_parse(&s, pstats_keys[i].key, &cause) != 0)
			fail_msg("%s: %s", pstats_keys[i].key, cause);
		assert_string_equal(s.desc, pstats_keys[i].desc);
		assert_int_equal(
		    s.nkeys, strcmp(pstats_keys[i].desc, "name/file/line") == 0 ? 3 : 1);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(prof_sort_parse(&s, bad[i], &cause), -1);
		assert_non_null(strstr(cause, "unknown sort key '"));
		assert_non_null(strstr(cause, bad[i]));
		assert_non_null(strstr(cause, "tottime"));
		free(cause);
		cause = NULL;
	}
	assert_int_equal(prof_sort_parse(&s, "", &cause), -1);
	assert_string_equal(cause, "no sort key given");
	free(cause);
	assert_int_equal(prof_sort_parse(&s, "nfl nfl nfl", &cause), -1);
	assert_non_null(strstr(cause, "too many sort keys"));
	free(cause);

	assert_int_equal(prof_sort_parse(&s, "tpercall", &cause), 0);
	assert_string_equal(s.desc, "internal time per call");
	assert_int_equal(s.field[0], PROF_F_TPERCALL);
	assert_int_equal(s.descending[0], 1);
	assert_int_equal(prof_sort_parse(&s, "cp", &cause), 0);
	assert_string_equal(s.desc, "cumulative time per call");
	assert_int_equal(prof_sort_parse(&s, "tp", &cause), 0);
	assert_int_equal(prof_sort_parse(&s, "cu,name  line", &cause), 0);
	assert_string_equal(s.desc, "cumulative time, function name, line number");
	assert_int_equal(s.nkeys, 3);
	assert_int_equal(s.field[0], PROF_F_CUMULATIVE);
	assert_int_equal(s.descending[0], 1);
	assert_int_equal(s.field[1], PROF_F_NAME);
	assert_int_equal(s.descending[1], 0);
	assert_int_equal(prof_sort_parse(&s, "nfl", &cause), 0);
	assert_int_equal(s.field[0], PROF_F_NAME);
	assert_int_equal(s.field[1], PROF_F_FILENAME);
	assert_int_equal(s.field[2], PROF_F_LINE);
	assert_int_equal(prof_sort_parse(&s,
	                     "cumulative,cumulative,cumulative,cumulative,cumulative,"
	                     "cumulative,cumulative,cumulative",
	                     &cause),
	    0);
	assert_true(strlen(s.desc) < sizeof s.desc);

	prof_sort_field(&s, PROF_F_TIME);
	assert_string_equal(s.desc, "internal time");
	assert_int_equal(s.descending[0], 1);
	prof_sort_field(&s, PROF_F_STDNAME);
	assert_string_equal(s.desc, "standard name");
	assert_int_equal(s.descending[0], 0);
	prof_sort_field(&s, PROF_F_PCALLS);
	assert_string_equal(s.desc, "primitive call count");
	prof_sort_field(&s, PROF_F_CPERCALL);
	assert_string_equal(s.desc, "cumulative time per call");
}

static void
test_sort_order(void **state)
{
	struct prof p;
	struct prof_sort s;
	size_t order[64];
	char *cause = NULL;
	double prev, v;

	(void)state;
	load_fixture(&p, "cprofile.prof");
	assert_true(p.nfuncs <= 64);
	prof_sort_order(&p, NULL, order);
	for (size_t i = 0; i < p.nfuncs; i++)
		assert_int_equal(order[i], i);

	assert_int_equal(prof_sort_parse(&s, "tpercall", &cause), 0);
	prof_sort_order(&p, &s, order);
	prev = 1e9;
	for (size_t i = 0; i < p.nfuncs; i++) {
		const struct prof_func *f = &p.funcs[order[i]];

		v = f->nc == 0 ? 0 : f->tt / (double)f->nc;
		assert_true(v <= prev);
		prev = v;
	}
	prof_sort_field(&s, PROF_F_CPERCALL);
	prof_sort_order(&p, &s, order);
	assert_string_equal(p.funcs[order[0]].std, "{built-in method builtins.exec}");
	/* ties keep the file's order */
	prof_sort_field(&s, PROF_F_PCALLS);
	prof_sort_order(&p, &s, order);
	for (size_t i = 1; i < p.nfuncs; i++) {
		const struct prof_func *a = &p.funcs[order[i - 1]], *b = &p.funcs[order[i]];

		assert_true(a->cc >= b->cc);
		if (a->cc == b->cc)
			assert_true(order[i - 1] < order[i]);
	}
	prof_free(&p);
}

/* Restrictions: Python's repr of the pattern, fractions, in turn. */
static void
test_restrictions(void **state)
{
	struct prof p;
	struct prof_restrict r[2];
	struct buf out;
	char want[64];

	(void)state;
	load_fixture(&p, "cprofile.prof");
	buf_init(&out);
	memset(r, 0, sizeof r);
	r[0].kind = PROF_R_PATTERN;
	r[0].pattern = "a\\\\b\t\"'|fib";
	prof_print_stats(&out, &p, NULL, r, 1);
	assert_non_null(strstr(out.data,
	    "   List reduced from 25 to 1 due to restriction "
	    "<'a\\\\\\\\b\\t\"\\'|fib'>\n\n"));
	buf_reset(&out);
	r[0].pattern = "\x01\xc3\xa9\xc2\xa0\xe2\x80\xa8|abs";
	prof_print_stats(&out, &p, NULL, r, 1);
	assert_non_null(strstr(out.data, "<'\\x01\xc3\xa9\\xa0\\u2028|abs'>\n"));
	buf_reset(&out);
	r[0].kind = PROF_R_FRACTION;
	r[0].fraction =
	    0.0001; /* 25 * 0.0001 rounds to none: nothing is printed after the totals */
	prof_print_stats(&out, &p, NULL, r, 1);
	assert_null(strstr(out.data, "List reduced"));
	assert_null(strstr(out.data, "ncalls"));
	snprintf(want, sizeof want, "in %.3f seconds\n\n", p.total_tt);
	assert_true(out.len > strlen(want));
	assert_string_equal(out.data + out.len - strlen(want), want);
	buf_reset(&out);
	r[0].fraction = 1.0 / 3;
	r[1].kind = PROF_R_FRACTION;
	r[1].fraction = 0.02;
	prof_print_stats(&out, &p, NULL, r, 2);
	assert_null(strstr(out.data, "List reduced")); /* 8 * 0.02 rounds to none */
	assert_null(strstr(out.data, "ncalls"));
	buf_reset(&out);
	r[1].fraction = 0.25;
	prof_print_stats(&out, &p, NULL, r, 2);
	assert_non_null(strstr(out.data,
	    "   List reduced from 25 to 8 due to restriction "
	    "<0.3333333333333333>\n"
	    "   List reduced from 8 to 2 due to restriction <0.25>\n\n"));
	buf_reset(&out);
	r[0].fraction = 0.02;
	prof_print_stats(&out, &p, NULL, r, 1);
	assert_non_null(
	    strstr(out.data, "   List reduced from 25 to 1 due to restriction <0.02>\n"));
	buf_reset(&out);
	r[0].fraction = 0.3;
	prof_print_stats(&out, &p, NULL, r, 1);
	assert_non_null(
	    strstr(out.data, "   List reduced from 25 to 8 due to restriction <0.3>\n"));
	buf_reset(&out);
	r[0].fraction = 0.999;
	prof_print_stats(&out, &p, NULL, r, 1);
	assert_null(strstr(out.data, "List reduced"));
	buf_reset(&out);
	r[0].kind = PROF_R_PATTERN;
	r[0].pattern = NULL;
	prof_print_stats(&out, &p, NULL, r, 1);
	assert_null(strstr(out.data, "List reduced"));
	buf_free(&out);
	prof_free(&p);
}

/* --- the icicle ------------------------------------------------------------- */

static void
check_icicle(const struct prof *p, const struct prof_bar *bars, size_t n, int width, int depth,
    const size_t *path, size_t npath)
{
	double sumw[4096];
	int lastrow = 0, lastx = -1;

	assert_true(n <= 4096);
	for (size_t i = 0; i < n; i++) {
		const struct prof_bar *b = &bars[i];

		sumw[i] = 0;
		assert_true(b->w >= 1);
		assert_true(b->x >= 0 && b->x + b->w <= width);
		assert_true(b->row < depth);
		assert_true(b->row >= lastrow);
		if (b->row == lastrow)
			assert_true(b->x > lastx);
		lastrow = b->row;
		lastx = b->x + b->w - 1;
		assert_true(b->value >= 0);
		if (i == 0) {
			assert_int_equal(b->row, 0);
			assert_int_equal(b->x, 0);
			assert_int_equal(b->w, width);
			assert_int_equal(b->parent, (size_t)-1);
			assert_int_equal(b->func, npath > 0 ? path[npath - 1] : PROF_ROOT);
			continue;
		}
		assert_true(b->parent < i);
		assert_int_equal(b->row, bars[b->parent].row + 1);
		assert_true(b->x >= bars[b->parent].x);
		assert_true(b->x + b->w <= bars[b->parent].x + bars[b->parent].w);
		assert_true(b->value <= bars[b->parent].value * (1 + 1e-9));
		sumw[b->parent] += b->w;
		assert_true(sumw[b->parent] <= bars[b->parent].w);
		assert_true(b->func < p->nfuncs);
		/* never below itself, nor below the zoom path */
		for (size_t a = b->parent; a != (size_t)-1; a = bars[a].parent)
			assert_true(bars[a].func != b->func);
		for (size_t k = 0; k < npath; k++)
			assert_true(path[k] != b->func);
	}
}

static void
test_icicle(void **state)
{
	static const int widths[] = {1, 2, 7, 80, 200, 1000};
	struct prof p;
	struct prof_bar *bars;
	size_t n, exec_, main_, fib, path[3];
	int rows;

	(void)state;
	load_fixture(&p, "cprofile.prof");
	exec_ = find(&p, "{built-in method builtins.exec}");
	main_ = find(&p, "prog.py:29(main)");
	fib = find(&p, "prog.py:15(fib)");
	for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		for (int depth = 1; depth < 14; depth += 3) {
			n = prof_icicle(&p, NULL, 0, widths[i], depth, &bars);
			assert_true(n >= 1);
			check_icicle(&p, bars, n, widths[i], depth, NULL, 0);
			free(bars);
		}
	}
	/* unzoomed: the run, then exec (called from outside the profile), which spans it */
	n = prof_icicle(&p, NULL, 0, 100, 30, &bars);
	check_icicle(&p, bars, n, 100, 30, NULL, 0);
	assert_true(n > 8);
	assert_int_equal(bars[0].func, PROF_ROOT);
	assert_near(bars[0].value, p.total_tt, 1e-12);
	assert_int_equal(bars[1].func, exec_);
	assert_int_equal(bars[1].row, 1);
	assert_true(bars[1].w >= 99);
	assert_near(bars[1].value, p.funcs[exec_].ct, 1e-12);
	rows = 0;
	for (size_t i = 0; i < n; i++) {
		if (bars[i].row > rows)
			rows = bars[i].row;
		if (bars[i].func == fib)
			assert_true(bars[bars[i].parent].func == main_);
	}
	assert_true(rows >= 5);
	free(bars);

	/* zoomed into main: main at full width, its callees below, never exec or <module> */
	path[0] = exec_;
	path[1] = find(&p, "prog.py:1(<module>)");
	path[2] = main_;
	n = prof_icicle(&p, path, 3, 120, 8, &bars);
	check_icicle(&p, bars, n, 120, 8, path, 3);
	assert_true(n > 3);
	assert_near(bars[0].value, p.funcs[main_].ct, 1e-12);
	free(bars);

	/* a recursive function appears once: its self-calls are not drawn */
	path[0] = fib;
	n = prof_icicle(&p, path, 1, 50, 10, &bars);
	assert_int_equal(n, 1);
	free(bars);

	/* nothing to draw */
	assert_int_equal(prof_icicle(&p, NULL, 0, 0, 5, &bars), 0);
	assert_null(bars);
	assert_int_equal(prof_icicle(&p, NULL, 0, 10, 0, &bars), 0);
	path[0] = p.nfuncs;
	assert_int_equal(prof_icicle(&p, path, 1, 10, 5, &bars), 0);
	prof_free(&p);

	/* the profile module's callers are counts: widths shared by calls */
	load_fixture(&p, "profile.prof");
	n = prof_icicle(&p, NULL, 0, 100, 30, &bars);
	check_icicle(&p, bars, n, 100, 30, NULL, 0);
	assert_true(n > 8);
	assert_string_equal(p.funcs[bars[1].func].std, "profile:0(<built-in function exec>)");
	assert_true(bars[1].w >= 99);
	free(bars);
	prof_free(&p);
}

/* Edge cumtimes beyond the parent's: children are squeezed into it. */
static void
test_icicle_clamp(void **state)
{
	struct prof p;
	struct prof_bar *bars;
	struct buf b;
	char *cause = NULL;
	size_t n;

	(void)state;
	/* a (ct 1) is called by nobody and calls b and c, 5 s each along the edges */
	buf_init(&b);
	buf_addc(&b, '{');
	m_key(&b, "f", 1, "a", 1);
	m_stats(&b, 1, 1, 0, 1);
	m_end(&b);
	m_key(&b, "f", 2, "b", 0);
	m_stats(&b, 1, 1, 0, 5);
	m_ref(&b, 0);
	m_edge(&b, 1, 1, 0, 5);
	m_end(&b);
	m_key(&b, "f", 3, "c", 0);
	m_stats(&b, 1, 1, 0, 5);
	m_ref(&b, 0);
	m_edge(&b, 1, 1, 0, 5);
	m_end(&b);
	m_end(&b);
	if (prof_load_mem(&p, b.data, b.len, "clamp", &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(p.nfuncs, 3);
	n = prof_icicle(&p, NULL, 0, 10, 5, &bars);
	check_icicle(&p, bars, n, 10, 5, NULL, 0);
	assert_int_equal(n, 4);
	assert_string_equal(p.funcs[bars[1].func].std, "f:1(a)");
	assert_int_equal(bars[1].w, 10);
	assert_int_equal(bars[2].w, 5);
	assert_int_equal(bars[3].w, 5);
	assert_near(bars[2].value + bars[3].value, 1, 1e-12);
	free(bars);

	/* no function called from outside: the one with the largest cumtime stands for the run */
	prof_free(&p);
	buf_reset(&b);
	buf_addc(&b, '{');
	m_key(&b, "f", 1, "a", 1);
	m_stats(&b, 1, 1, 0, 1);
	m_key(&b, "f", 2, "b", 1);
	m_edge(&b, 1, 1, 0, 1);
	m_end(&b);
	m_ref(&b, 1);
	m_stats(&b, 1, 1, 1, 3);
	m_ref(&b, 0);
	m_edge(&b, 1, 1, 0, 1);
	m_end(&b);
	m_end(&b);
	if (prof_load_mem(&p, b.data, b.len, "cycle", &cause) != 0)
		fail_msg("%s", cause);
	n = prof_icicle(&p, NULL, 0, 30, 5, &bars);
	check_icicle(&p, bars, n, 30, 5, NULL, 0);
	assert_int_equal(n, 3);
	assert_near(bars[0].value, 3, 1e-12);
	assert_string_equal(p.funcs[bars[1].func].std, "f:2(b)");
	assert_string_equal(p.funcs[bars[2].func].std, "f:1(a)");
	assert_int_equal(bars[2].w, 10);
	free(bars);
	prof_free(&p);
	buf_free(&b);
}

/* --- the explanation -------------------------------------------------------- */

/* How the explanation writes a time: 0.088 s, 0.412 ms, 0.055 us. */
static const char *
seconds(double t)
{
	static char text[4][32];
	static int next;
	char *s = text[next++ % 4];

	if (t == 0 || t >= 0.001)
		snprintf(s, 32, "%.3f s", t);
	else if (t >= 1e-6)
		snprintf(s, 32, "%.3f ms", t * 1e3);
	else
		snprintf(s, 32, "%.3f us", t * 1e6);
	return s;
}

static void
test_explain(void **state)
{
	const struct prof_func *f;
	struct prof p;
	char *t, want[256];

	(void)state;
	load_fixture(&p, "cprofile.prof");
	t = prof_explain(&p, find(&p, "prog.py:15(fib)"));
	assert_non_null(strstr(t, "prog.py:15(fib) was called 3193 times."));
	assert_non_null(strstr(t, "3192 of those calls were made while it was already running"));
	assert_non_null(strstr(t, "3193/1"));
	assert_non_null(strstr(t, "tottime"));
	assert_non_null(strstr(t, "cumtime"));
	assert_null(strchr(t, '\n'));
	free(t);
	f = &p.funcs[find(&p, "prog.py:22(<listcomp>)")];
	t = prof_explain(&p, find(&p, "prog.py:22(<listcomp>)"));
	assert_non_null(strstr(t, "was called once."));
	snprintf(want, sizeof want, "%s in its own code (tottime: %d%% of the run)", seconds(f->tt),
	    (int)(f->tt / p.total_tt * 100 + 0.5));
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof want, "so %s per call.", seconds(f->ct));
	assert_non_null(strstr(t, want));
	assert_non_null(strstr(t, "its own lines"));
	free(t);
	f = &p.funcs[find(&p, "prog.py:29(main)")];
	t = prof_explain(&p, find(&p, "prog.py:29(main)"));
	assert_non_null(strstr(t, "(cumtime: 100% of the run)"));
	snprintf(want, sizeof want, "It spent %s in its own code", seconds(f->tt));
	assert_non_null(strstr(t, want));
	for (size_t k = 0; k < f->ncallees; k++) {
		if (f->callees[k].func == find(&p, "prog.py:21(squares)"))
			snprintf(want, sizeof want,
			    "the biggest is prog.py:21(squares), with %s of cumtime",
			    seconds(f->callees[k].ct));
	}
	assert_non_null(strstr(t, want));
	free(t);
	f = &p.funcs[find(&p, "{built-in method builtins.abs}")];
	t = prof_explain(&p, find(&p, "{built-in method builtins.abs}"));
	assert_non_null(strstr(t, "15000 times"));
	snprintf(want, sizeof want, "%s in its own code", seconds(f->tt));
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof want, "so %s per call", seconds(f->ct / 15000));
	assert_non_null(strstr(t, want));
	assert_non_null(strstr(t, "built into Python"));
	free(t);
	t = prof_explain(&p, p.nfuncs);
	assert_non_null(t);
	free(t);
	prof_free(&p);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pstats_cases),
	    cmocka_unit_test(test_load_cprofile),
	    cmocka_unit_test(test_load_profile_module),
	    cmocka_unit_test_setup_teardown(test_load_source, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_errors, setup_dir, teardown_dir),
	    cmocka_unit_test(test_load_bad_fixtures),
	    cmocka_unit_test(test_load_odd),
	    cmocka_unit_test(test_load_truncated),
	    cmocka_unit_test(test_load_mutated),
	    cmocka_unit_test(test_strip),
	    cmocka_unit_test(test_sort_keys),
	    cmocka_unit_test(test_sort_order),
	    cmocka_unit_test(test_restrictions),
	    cmocka_unit_test(test_icicle),
	    cmocka_unit_test(test_icicle_clamp),
	    cmocka_unit_test(test_explain),
	};

	snprintf(fixtures, sizeof fixtures, "%s/tests/fixtures/prof",
	    top != NULL && *top != '\0' ? top : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
