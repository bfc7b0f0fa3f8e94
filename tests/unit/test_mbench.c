/*
 * Unit tests for the machine benchmarks (core/mbench.c). No timing is
 * asserted, only the shape of each result: the keys, positive rates, the
 * errors a user can cause (a python that fails or is missing, a folder that
 * cannot be written, a disk that fills), and that the disk benchmark leaves
 * nothing behind. The python is $PROFLAB_PYTHON, else /usr/bin/python3.11.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmptree.h"

#include "core/mbench.h"

static const char *python;

/* The number of entries in dir other than . and .., or -1. */
static int
count_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static int
setup_dir(void **state)
{
	char *dir = strdup("/tmp/proflab-test-mbench.XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

static int
teardown_dir(void **state)
{
	chmod(*state, 0700);
	remove_tree(*state);
	free(*state);
	return 0;
}

static double
number(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || !json_is_number(v))
		fail_msg("no number \"%s\"", key);
	return json_number_value(v);
}

/* The result must be {"error": ...} on one line, containing want; returns nothing, frees o. */
static void
expect_error(json_t *o, const char *want)
{
	const char *msg;

	assert_non_null(o);
	msg = json_string_value(json_object_get(o, "error"));
	if (msg == NULL)
		fail_msg("no error (expected one with '%s')", want);
	if (strstr(msg, want) == NULL)
		fail_msg("error '%s' does not contain '%s'", msg, want);
	assert_null(strchr(msg, '\n'));
	assert_int_equal(json_object_size(o), 1);
	json_decref(o);
}

static void
expect_no_error(json_t *o)
{
	assert_non_null(o);
	if (json_object_get(o, "error") != NULL)
		fail_msg("error: %s", json_string_value(json_object_get(o, "error")));
}

/* --- start-up ------------------------------------------------------------------------------ */

static void
test_startup(void **state)
{
	json_t *o = mbench_startup(python, "pass", 3);

	expect_no_error(o);
	assert_string_equal(json_string_value(json_object_get(o, "code")), "pass");
	assert_int_equal(json_integer_value(json_object_get(o, "runs")), 3);
	assert_true(number(o, "real_s") > 1e-4);
	assert_true(number(o, "real_s") < 60);
	assert_true(number(o, "user_s") >= 0);
	assert_true(number(o, "sys_s") >= 0);
	assert_int_equal(json_object_size(o), 5);
	json_decref(o);

	/* Fewer than one run is one run. */
	o = mbench_startup(python, "pass", 0);
	expect_no_error(o);
	assert_int_equal(json_integer_value(json_object_get(o, "runs")), 1);
	json_decref(o);
}

static void
test_startup_fails(void **state)
{
	char want[4200];

	snprintf(want, sizeof want, "%s -c 'raise SystemExit(3)' exited with status 3", python);
	expect_error(mbench_startup(python, "raise SystemExit(3)", 3), want);

	/* Quotes and newlines: one line, quoted as a shell reads it. */
	snprintf(want, sizeof want,
	    "%s -c 'import sys sys.exit('\\''no'\\'')' exited with status 1", python);
	expect_error(mbench_startup(python, "import sys\nsys.exit('no')", 1), want);

	expect_error(mbench_startup(python, "import os, signal; os.kill(os.getpid(), 9)", 2),
	    "was killed by signal 9");
}

static void
test_startup_missing(void **state)
{
	expect_error(mbench_startup("/nonexistent/python3.11", "pass", 3),
	    "/nonexistent/python3.11: No such file or directory");
}

/* --- memory -------------------------------------------------------------------------------- */

static void
test_memory(void **state)
{
	json_t *o = mbench_memory(8 << 20);

	expect_no_error(o);
	assert_int_equal(json_integer_value(json_object_get(o, "bytes")), 8 << 20);
	assert_true(number(o, "copy_bytes_per_s") > 0);
	assert_int_equal(json_object_size(o), 2);
	json_decref(o);

	/* A tiny buffer is copied many times per sample; still a sane rate. */
	o = mbench_memory(4096);
	expect_no_error(o);
	assert_true(number(o, "copy_bytes_per_s") > 0);
	json_decref(o);

	expect_error(mbench_memory(0), "bad buffer size 0");
	expect_error(mbench_memory(-5), "bad buffer size -5");
}

/* --- disk ---------------------------------------------------------------------------------- */

static void
check_disk(json_t *o, const char *dir, int64_t bytes)
{
	const char *fstype;

	expect_no_error(o);
	assert_string_equal(json_string_value(json_object_get(o, "dir")), dir);
	fstype = json_string_value(json_object_get(o, "fstype"));
	assert_non_null(fstype);
	assert_true(*fstype != '\0');
	assert_int_equal(json_integer_value(json_object_get(o, "bytes")), bytes);
	assert_true(number(o, "write_bytes_per_s") > 0);
	assert_true(number(o, "read_bytes_per_s") > 0);
	assert_true(json_is_boolean(json_object_get(o, "read_from_cache")));
	assert_int_equal(json_object_size(o), 6);
}

static void
test_disk(void **state)
{
	const char *dir = *state;
	json_t *o;

	o = mbench_disk(dir, 4 << 20);
	check_disk(o, dir, 4 << 20);
	json_decref(o);
	assert_int_equal(count_entries(dir), 0);

	/* Not a whole number of blocks. */
	o = mbench_disk(dir, (3 << 19) + 3);
	check_disk(o, dir, (3 << 19) + 3);
	json_decref(o);
	assert_int_equal(count_entries(dir), 0);

	expect_error(mbench_disk(dir, 0), "bad file size 0");
	assert_int_equal(count_entries(dir), 0);
}

/* tmpfs keeps its pages: the read comes from memory and the result says so. */
static void
test_disk_tmpfs(void **state)
{
	const char *dir = "/dev/shm";
	json_t *o;

	if (count_entries(dir) == -1 || access(dir, W_OK) != 0)
		skip();
	o = mbench_disk(dir, 1 << 20);
	if (json_object_get(o, "error") != NULL ||
	    strcmp(json_string_value(json_object_get(o, "fstype")), "tmpfs") != 0) {
		json_decref(o);
		skip();
	}
	check_disk(o, dir, 1 << 20);
	assert_true(json_is_true(json_object_get(o, "read_from_cache")));
	json_decref(o);
}

static void
test_disk_missing(void **state)
{
	char dir[4200], want[4400];

	snprintf(dir, sizeof dir, "%s/nope", (char *)*state);
	snprintf(want, sizeof want,
	    "cannot create a temporary folder in %s: No such file or directory", dir);
	expect_error(mbench_disk(dir, 1 << 20), want);
	assert_int_equal(count_entries(*state), 0);
}

/* /sys refuses new folders even to root; a 0555 folder refuses them to anyone else. */
static void
test_disk_readonly(void **state)
{
	struct stat sb;
	char want[4400];

	if (stat("/sys", &sb) == 0 && S_ISDIR(sb.st_mode)) {
		expect_error(
		    mbench_disk("/sys", 1 << 20), "cannot create a temporary folder in /sys: ");
	}
	if (geteuid() == 0)
		return;
	assert_int_equal(chmod(*state, 0555), 0);
	snprintf(want, sizeof want, "cannot create a temporary folder in %s: Permission denied",
	    (char *)*state);
	expect_error(mbench_disk(*state, 1 << 20), want);
	assert_int_equal(chmod(*state, 0700), 0);
	assert_int_equal(count_entries(*state), 0);
}

/* A disk that fills, as RLIMIT_FSIZE makes it (EFBIG): an error and nothing left behind. */
static void
test_disk_full(void **state)
{
	struct rlimit old, small;
	void (*oldsig)(int);
	char want[4400];
	json_t *o;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 1 << 20;
	if (old.rlim_max != RLIM_INFINITY && old.rlim_max < small.rlim_cur)
		skip();
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	o = mbench_disk(*state, 4 << 20);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	snprintf(want, sizeof want, "cannot write in %s: %s", (char *)*state, strerror(EFBIG));
	expect_error(o, want);
	assert_int_equal(count_entries(*state), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_startup),
	    cmocka_unit_test(test_startup_fails),
	    cmocka_unit_test(test_startup_missing),
	    cmocka_unit_test(test_memory),
	    cmocka_unit_test_setup_teardown(test_disk, setup_dir, teardown_dir),
	    cmocka_unit_test(test_disk_tmpfs),
	    cmocka_unit_test_setup_teardown(test_disk_missing, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_disk_readonly, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_disk_full, setup_dir, teardown_dir),
	};

	python = getenv("PROFLAB_PYTHON");
	if (python == NULL || *python == '\0')
		python = "/usr/bin/python3.11";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
