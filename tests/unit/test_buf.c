/*
 * Unit tests for the growable buffer (base/buf.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"

static void
test_empty(void **state)
{
	struct buf b;
	char *s;

	buf_init(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
	buf_consume(&b, 10);
	assert_int_equal(b.len, 0);
	s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
	buf_free(&b);
	buf_free(&b);
}

/* "data is always NUL-terminated": also after only reserving. */
static void
test_reserve_terminates(void **state)
{
	struct buf b;
	char *s;

	buf_init(&b);
	buf_reserve(&b, 0);
	assert_non_null(b.data);
	assert_int_equal(b.data[0], '\0');
	s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
	buf_init(&b);
	buf_reserve(&b, 1000);
	assert_int_equal(b.data[0], '\0');
	buf_free(&b);
}

static void
test_add(void **state)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "hello");
	buf_addc(&b, ',');
	buf_add(&b, " world!!", 6);
	assert_int_equal(b.len, 12);
	assert_string_equal(b.data, "hello, world");
	buf_add(&b, NULL, 0);
	assert_int_equal(b.len, 12);
	buf_addf(&b, " %d %s %.2f", 42, "x", 1.5);
	assert_string_equal(b.data, "hello, world 42 x 1.50");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_addf(&b, "%s", "");
	assert_string_equal(b.data, "");
	buf_free(&b);
}

static void
test_nul_inside(void **state)
{
	struct buf b;

	buf_init(&b);
	buf_add(&b, "a\0b", 3);
	buf_addc(&b, '\0');
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "a\0b\0", 5);
	buf_consume(&b, 1);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "\0b\0", 4);
	buf_free(&b);
}

static void
test_grow(void **state)
{
	struct buf b;
	char *s;

	buf_init(&b);
	for (int i = 0; i < 100000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 100000);
	assert_true(b.cap > b.len);
	assert_int_equal(b.data[b.len], '\0');
	assert_int_equal(b.data[26 * 1000 + 3], 'd');
	/* A long formatted string. */
	buf_reset(&b);
	buf_addf(&b, "%5000d|", 7);
	assert_int_equal(b.len, 5001);
	assert_int_equal(b.data[4999], '7');
	buf_reserve(&b, 1 << 20);
	assert_true(b.cap >= b.len + (1 << 20) + 1);
	s = buf_steal(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(strlen(s), 5001);
	free(s);
	buf_free(&b);
}

static void
test_consume(void **state)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "line one\nline two\n");
	buf_consume(&b, 9);
	assert_string_equal(b.data, "line two\n");
	buf_consume(&b, 0);
	assert_string_equal(b.data, "line two\n");
	buf_consume(&b, 9);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_adds(&b, "xyz");
	buf_consume(&b, 100);
	assert_int_equal(b.len, 0);
	buf_adds(&b, "again");
	assert_string_equal(b.data, "again");
	buf_free(&b);
}

/* buf_read_file: a whole file appended, a directory and a file too large refused. */
static void
test_read_file(void **state)
{
	char path[] = "/tmp/proflab-test-buf.XXXXXX", *cause = NULL, big[100000];
	struct buf b;
	time_t mtime = 0;
	FILE *f;
	int fd;

	(void)state;
	memset(big, 'x', sizeof big);
	fd = mkstemp(path);
	assert_true(fd != -1);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, sizeof big, f), sizeof big);
	assert_int_equal(fclose(f), 0);

	buf_init(&b);
	buf_adds(&b, "head:");
	assert_int_equal(buf_read_file(&b, path, sizeof big, "a test", &mtime, &cause), 0);
	assert_int_equal(b.len, 5 + sizeof big);
	assert_memory_equal(b.data, "head:xx", 7);
	assert_int_equal(b.data[b.len], '\0');
	assert_true(mtime > 0);

	assert_int_equal(buf_read_file(&b, path, sizeof big - 1, "a test", NULL, &cause), -1);
	assert_non_null(strstr(cause, "too large for a test"));
	assert_int_equal(b.len, 5 + sizeof big);
	free(cause);

	assert_int_equal(buf_read_file(&b, "/tmp", 10, "a test", NULL, &cause), -1);
	assert_string_equal(cause, "/tmp: Is a directory");
	free(cause);
	unlink(path);
	assert_int_equal(buf_read_file(&b, path, 10, "a test", NULL, &cause), -1);
	assert_non_null(strstr(cause, "No such file"));
	free(cause);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_reserve_terminates),
	    cmocka_unit_test(test_add),
	    cmocka_unit_test(test_nul_inside),
	    cmocka_unit_test(test_grow),
	    cmocka_unit_test(test_consume),
	    cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
