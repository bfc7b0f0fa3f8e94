/*
 * Unit tests for the worker channel codec (core/channel.c): escapes round
 * trip, records split at any byte, and malformed records reported and
 * skipped.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "core/channel.h"

static void
check_round_trip(const char *s)
{
	struct buf b;
	char *cause = NULL, *back;

	buf_init(&b);
	chan_escape(&b, s);
	if (b.len != 0) {
		assert_null(memchr(b.data, '\t', b.len));
		assert_null(memchr(b.data, '\n', b.len));
		assert_null(memchr(b.data, '\r', b.len));
	}
	back = chan_unescape(b.data, b.len, &cause);
	assert_non_null(back);
	assert_null(cause);
	assert_string_equal(back, s);
	free(back);
	buf_free(&b);
}

static void
test_escape_round_trip(void **state)
{
	struct buf b;
	char all[256];

	check_round_trip("");
	check_round_trip("plain text");
	check_round_trip("tab\there");
	check_round_trip("new\nline\r\ncrlf");
	check_round_trip("back\\slash \\t not a tab \\\\");
	check_round_trip("\\");
	check_round_trip("\t\n\r\\");
	check_round_trip("caf\xc3\xa9 \xff\xfe not utf-8");
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	check_round_trip(all);

	buf_init(&b);
	chan_escape(&b, "a\tb\nc\rd\\e");
	assert_string_equal(b.data, "a\\tb\\nc\\rd\\\\e");
	buf_free(&b);
}

static void
expect_unescape_error(const char *s, size_t len, const char *want)
{
	char *cause = NULL;

	assert_null(chan_unescape(s, len, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, want));
	free(cause);
}

static void
test_unescape_errors(void **state)
{
	expect_unescape_error("abc\\", 4, "lone backslash");
	expect_unescape_error("\\x", 2, "unknown escape \\x");
	expect_unescape_error("\\0", 2, "unknown escape");
	expect_unescape_error("a\0b", 3, "NUL");
	/* Only len bytes count. */
	char *cause = NULL, *s = chan_unescape("ab\\tXX", 4, &cause);
	assert_string_equal(s, "ab\t");
	free(s);
}

static void
test_encode_decode(void **state)
{
	const char *hello[] = {"1234", "3.11.2", "/usr/bin/python3", "my\tscript.py"};
	const char *mark[] = {"12.000000001", "phase\none\\"};
	const char *exitf[] = {"1", "exception", NULL};
	struct chan_reader r;
	struct chan_msg msg;
	struct buf b;
	char *cause = NULL;

	buf_init(&b);
	chan_encode(&b, CHAN_HELLO, hello, 4);
	chan_encode(&b, CHAN_MARK, mark, 2);
	chan_encode(&b, CHAN_EXIT, exitf, 3);
	assert_string_equal(b.data,
	    "hello\t1234\t3.11.2\t/usr/bin/python3\tmy\\tscript.py\n"
	    "mark\t12.000000001\tphase\\none\\\\\n"
	    "exit\t1\texception\t\n");

	chan_reader_init(&r);
	chan_reader_feed(&r, b.data, b.len);
	assert_int_equal(chan_reader_next(&r, &msg, &cause), 1);
	assert_int_equal(msg.type, CHAN_HELLO);
	assert_int_equal(msg.nfields, 4);
	assert_string_equal(msg.fields[3], "my\tscript.py");
	chan_msg_free(&msg);
	assert_int_equal(chan_reader_next(&r, &msg, &cause), 1);
	assert_int_equal(msg.type, CHAN_MARK);
	assert_string_equal(msg.fields[1], "phase\none\\");
	chan_msg_free(&msg);
	assert_int_equal(chan_reader_next(&r, &msg, &cause), 1);
	assert_int_equal(msg.type, CHAN_EXIT);
	assert_string_equal(msg.fields[2], "");
	chan_msg_free(&msg);
	assert_int_equal(chan_reader_next(&r, &msg, &cause), 0);
	assert_int_equal(chan_reader_pending(&r), 0);
	assert_null(cause);
	chan_reader_free(&r);
	buf_free(&b);
}

/* Fed one byte at a time, records come out whole and only once complete. */
static void
test_split_feed(void **state)
{
	const char *text = "mark\t0.5\ta\\tb\nerror\tno such file: x.py\nhello\t1\t2\t3\t4\n";
	struct chan_reader r;
	struct chan_msg msg;
	char *cause = NULL;
	int got = 0, rc;

	chan_reader_init(&r);
	for (size_t i = 0; text[i] != '\0'; i++) {
		chan_reader_feed(&r, &text[i], 1);
		while ((rc = chan_reader_next(&r, &msg, &cause)) == 1) {
			assert_int_equal(text[i], '\n');
			switch (got++) {
			case 0:
				assert_int_equal(msg.type, CHAN_MARK);
				assert_string_equal(msg.fields[1], "a\tb");
				break;
			case 1:
				assert_int_equal(msg.type, CHAN_ERROR);
				assert_string_equal(msg.fields[0], "no such file: x.py");
				break;
			case 2:
				assert_int_equal(msg.type, CHAN_HELLO);
				assert_string_equal(msg.fields[3], "4");
				break;
			}
			chan_msg_free(&msg);
		}
		assert_int_equal(rc, 0);
	}
	assert_int_equal(got, 3);

	/* An unterminated last line stays pending. */
	chan_reader_feed(&r, "exit\t0\tok", 9);
	assert_int_equal(chan_reader_next(&r, &msg, &cause), 0);
	assert_int_equal(chan_reader_pending(&r), 9);
	chan_reader_free(&r);
}

static void
expect_bad_record(const char *line, const char *want)
{
	struct chan_reader r;
	struct chan_msg msg;
	char *cause = NULL;

	chan_reader_init(&r);
	chan_reader_feed(&r, line, strlen(line));
	chan_reader_feed(&r, "error\tafter\n", 12);
	assert_int_equal(chan_reader_next(&r, &msg, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
	cause = NULL;
	/* Skipped: the next record reads fine. */
	assert_int_equal(chan_reader_next(&r, &msg, &cause), 1);
	assert_int_equal(msg.type, CHAN_ERROR);
	assert_string_equal(msg.fields[0], "after");
	chan_msg_free(&msg);
	assert_int_equal(chan_reader_next(&r, &msg, &cause), 0);
	chan_reader_free(&r);
}

static void
test_malformed(void **state)
{
	expect_bad_record("bogus\tx\n", "channel record 1: unknown type \"bogus\"");
	expect_bad_record("\n", "unknown type \"\"");
	expect_bad_record("Mark\t1\tx\n", "unknown type");
	expect_bad_record("mark\t1\n", "channel record 1 (mark): too few fields, expected 2");
	expect_bad_record("mark\n", "too few fields");
	expect_bad_record(
	    "mark\t1\tx\ty\n", "channel record 1 (mark): too many fields, expected 2");
	expect_bad_record("mark\t1\tx\t\t\t\n", "too many fields");
	expect_bad_record(
	    "mark\t1\tbad \\q escape\n", "channel record 1 (mark): unknown escape \\q");
	expect_bad_record("mark\t1\tends\\\n", "lone backslash");
}

static void
test_nul_and_cr(void **state)
{
	static const char line[] = "error\tnul\0here\n";
	struct chan_reader r;
	struct chan_msg msg;
	char *cause = NULL;

	chan_reader_init(&r);
	chan_reader_feed(&r, line, sizeof line - 1);
	assert_int_equal(chan_reader_next(&r, &msg, &cause), -1);
	assert_non_null(strstr(cause, "NUL"));
	free(cause);
	cause = NULL;

	/* A raw CR (e.g. CRLF line ends) is field data, never a separator. */
	chan_reader_feed(&r, "error\tcrlf\r\n", 12);
	assert_int_equal(chan_reader_next(&r, &msg, &cause), 1);
	assert_string_equal(msg.fields[0], "crlf\r");
	chan_msg_free(&msg);
	assert_int_equal(r.line, 2);
	chan_reader_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_round_trip),
	    cmocka_unit_test(test_unescape_errors),
	    cmocka_unit_test(test_encode_decode),
	    cmocka_unit_test(test_split_feed),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_nul_and_cr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
