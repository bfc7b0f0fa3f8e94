/*
 * Unit tests for the console's input history (core/inhist.c): Up and Down
 * with the draft, multi-line inputs through the file, duplicates, the file
 * cut back to INHIST_MAX, bad lines, the path, and an unwritable file.
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

#include "base/xmalloc.h"
#include "core/inhist.h"

static char dir[] = "/tmp/proflab-inhist-XXXXXX";

static int
setup(void **state)
{
	strcpy(dir + strlen(dir) - 6, "XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	remove_tree(dir);
	return 0;
}

static int
count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int c, n = 0;

	if (f == NULL)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void
test_walk(void **state)
{
	char *path = xasprintf("%s/sub/console_history", dir), *cause = NULL;
	struct inhist h;

	assert_int_equal(inhist_load(&h, path, &cause), 0);
	assert_int_equal(h.n, 0);
	assert_null(inhist_prev(&h, "typed"));
	assert_int_equal(inhist_add(&h, "x = 1", &cause), 0);
	assert_int_equal(inhist_add(&h, "def f():\n\treturn x\\n\n", &cause), 0);
	assert_int_equal(inhist_add(&h, "def f():\n\treturn x\\n\n", &cause), 0);
	assert_int_equal(inhist_add(&h, "", &cause), 0);
	assert_int_equal(inhist_add(&h, "f()", &cause), 0);
	assert_int_equal(h.n, 3);
	assert_string_equal(inhist_prev(&h, "draft"), "f()");
	assert_string_equal(inhist_prev(&h, "ignored"), "def f():\n\treturn x\\n\n");
	assert_string_equal(inhist_prev(&h, "ignored"), "x = 1");
	assert_null(inhist_prev(&h, "ignored"));
	assert_string_equal(inhist_next(&h), "def f():\n\treturn x\\n\n");
	assert_string_equal(inhist_next(&h), "f()");
	assert_string_equal(inhist_next(&h), "draft");
	assert_null(inhist_next(&h));
	inhist_free(&h);
	/* the next session reads the same inputs back */
	assert_int_equal(count_lines(path), 3);
	assert_int_equal(inhist_load(&h, path, &cause), 0);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.items[1], "def f():\n\treturn x\\n\n");
	assert_string_equal(inhist_prev(&h, ""), "f()");
	inhist_free(&h);
	free(path);
}

static void
test_cut_and_bad(void **state)
{
	char *path = xasprintf("%s/console_history", dir), *cause = NULL;
	struct inhist h;
	FILE *f = fopen(path, "w");

	/* a bad escape and an empty line are left out */
	fputs("good\nbad\\q\n\nalso good\n", f);
	fclose(f);
	assert_int_equal(inhist_load(&h, path, &cause), 0);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.items[1], "also good");
	for (int i = 0; i < 2 * INHIST_MAX; i++) {
		char *s = xasprintf("x = %d", i);

		assert_int_equal(inhist_add(&h, s, &cause), 0);
		free(s);
	}
	assert_int_equal(h.n, INHIST_MAX);
	assert_string_equal(h.items[INHIST_MAX - 1], "x = 1999");
	/* the file never holds more than twice the inputs kept */
	assert_true(count_lines(path) <= 2 * INHIST_MAX);
	assert_true(count_lines(path) >= INHIST_MAX);
	inhist_free(&h);
	assert_int_equal(inhist_load(&h, path, &cause), 0);
	assert_int_equal(h.n, INHIST_MAX);
	assert_string_equal(h.items[INHIST_MAX - 1], "x = 1999");
	inhist_free(&h);
	free(path);
}

static void
test_memory_and_errors(void **state)
{
	char *cause = NULL, *path;
	struct inhist h;

	assert_int_equal(inhist_load(&h, NULL, &cause), 0);
	assert_int_equal(inhist_add(&h, "1", &cause), 0);
	assert_string_equal(inhist_prev(&h, ""), "1");
	inhist_free(&h);
	/* a folder where the file should be: the input is kept, the error says which file */
	path = xasprintf("%s/isdir", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(inhist_load(&h, path, &cause), -1);
	assert_non_null(strstr(cause, path));
	free(cause);
	cause = NULL;
	assert_int_equal(inhist_add(&h, "kept", &cause), -1);
	assert_non_null(strstr(cause, "cannot write"));
	free(cause);
	assert_string_equal(inhist_prev(&h, ""), "kept");
	inhist_free(&h);
	free(path);
	/* the path follows XDG_STATE_HOME */
	setenv("XDG_STATE_HOME", "/somewhere", 1);
	path = inhist_path(&cause);
	assert_string_equal(path, "/somewhere/proflab/console_history");
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cut_and_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memory_and_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
