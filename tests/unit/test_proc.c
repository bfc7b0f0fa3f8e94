/*
 * Unit tests for the /proc text parsers (core/proc.c): strings in, fields
 * out; every cause is freed by the test that provoked it.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/proc.h"

#define STAT_TAIL                                                                                  \
	" 0 -1 4194304 1200 0 3 0 150 50 7 8 20 0 6 0 1000 104857600 2560 "                        \
	"18446744073709551615 94000000000000 94000000100000 140700000000000 0 0 0 0 "              \
	"16781312 134234626 0 0 0 17 1 0 0 0 0 0\n"

static void
expect_stat_error(const char *text)
{
	struct proc_stat st;
	char *cause = NULL;

	assert_int_equal(proc_parse_stat(text, strlen(text), &st, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "stat"));
	free(cause);
}

static void
test_stat_plain(void **state)
{
	const char *text = "4242 (python3) R 17 4242 4242" STAT_TAIL;
	struct proc_stat st;
	char *cause = NULL;

	assert_int_equal(proc_parse_stat(text, strlen(text), &st, &cause), 0);
	assert_null(cause);
	assert_int_equal(st.pid, 4242);
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 17);
	assert_int_equal(st.utime, 150);
	assert_int_equal(st.stime, 50);
	assert_int_equal(st.num_threads, 6);
	assert_int_equal(st.starttime, 1000);
	assert_int_equal(st.vsize, 104857600);
	assert_int_equal(st.rss_pages, 2560);
}

static void
test_stat_weird_comm(void **state)
{
	static const char *comms[] = {"my (weird) prog", "a) b", ") S 1 2 3 (", "x)", "((", ""};
	char text[1024];
	struct proc_stat st;
	char *cause = NULL;

	for (size_t i = 0; i < sizeof comms / sizeof comms[0]; i++) {
		snprintf(text, sizeof text, "1000 (%s) S 999 1000 1000" STAT_TAIL, comms[i]);
		assert_int_equal(proc_parse_stat(text, strlen(text), &st, &cause), 0);
		assert_int_equal(st.pid, 1000);
		assert_int_equal(st.state, 'S');
		assert_int_equal(st.ppid, 999);
		assert_int_equal(st.utime, 150);
		assert_int_equal(st.rss_pages, 2560);
	}
}

static void
test_stat_zombie_and_big_numbers(void **state)
{
	const char *text = "7 (z) Z 1 7 7 0 -1 4194304 0 0 0 0 18446744073709551615 1 0 0 20 0 1 "
	                   "0 123456789012 0 -1 0\n";
	struct proc_stat st;
	char *cause = NULL;

	assert_int_equal(proc_parse_stat(text, strlen(text), &st, &cause), 0);
	assert_int_equal(st.state, 'Z');
	assert_true(st.utime == 18446744073709551615ULL);
	assert_true(st.starttime == 123456789012ULL);
	assert_int_equal(st.vsize, 0);
	assert_int_equal(st.rss_pages, -1);
}

/* Only len bytes count: the buffer comes from pread and has no NUL. */
static void
test_stat_length_bounded(void **state)
{
	char text[512];
	struct proc_stat st;
	char *cause = NULL;
	size_t len;

	len = (size_t)snprintf(text, sizeof text, "55 (cat) S 2 55 55" STAT_TAIL);
	memset(text + len, '9', sizeof text - len); /* no NUL after the data */
	assert_int_equal(proc_parse_stat(text, len, &st, &cause), 0);
	assert_int_equal(st.rss_pages, 2560);

	/* Cut in the middle of rss: "256" */
	len = (size_t)(strstr(text, " 2560 ") - text) + 4;
	assert_int_equal(proc_parse_stat(text, len, &st, &cause), 0);
	assert_int_equal(st.rss_pages, 256);
	/* Cut before rss: an error. */
	len = (size_t)(strstr(text, " 2560 ") - text);
	assert_int_equal(proc_parse_stat(text, len, &st, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

static void
test_stat_malformed(void **state)
{
	expect_stat_error("");
	expect_stat_error("\n");
	expect_stat_error("1000 cat S 1 2 3\n");
	expect_stat_error("1000 (cat S 1 2 3\n");
	expect_stat_error("1000 cat) S 1 2 3\n");
	expect_stat_error("(cat) S 1" STAT_TAIL);
	expect_stat_error("abc (cat) S 1" STAT_TAIL);
	expect_stat_error("0 (cat) S 1" STAT_TAIL);
	expect_stat_error("99999999999 (cat) S 1" STAT_TAIL);
	expect_stat_error("12 (cat)");
	expect_stat_error("12 (cat) S");
	expect_stat_error("12 (cat) SS 1" STAT_TAIL);
	expect_stat_error("12 (cat) S x" STAT_TAIL);
	expect_stat_error("12 (cat) S 1 2 3 4 5 6 7 8 9 1x 2 3 4 5 6 7 8 9 10 11\n");
	expect_stat_error("12 (cat) S 1 2 3\n");
	expect_stat_error("12 (cat) S 1 2 3 0 -1 4 1 0 3 0 99999999999999999999999 50 7 8 20 0 6 0 "
	                  "1000 104857600 2560\n");
}

static void
test_statm(void **state)
{
	unsigned long long size = 0, res = 0;
	char *cause = NULL;
	const char *t = "25600 2560 300 10 0 5000 0\n";

	assert_int_equal(proc_parse_statm(t, strlen(t), &size, &res, &cause), 0);
	assert_int_equal(size, 25600);
	assert_int_equal(res, 2560);
	/* Bounded by len: "25600 25" */
	assert_int_equal(proc_parse_statm(t, 8, &size, &res, &cause), 0);
	assert_int_equal(res, 25);
	assert_int_equal(proc_parse_statm("7 3", 3, &size, &res, &cause), 0);
	assert_int_equal(size, 7);
	assert_int_equal(res, 3);

	static const char *bad[] = {"", "\n", "25600", "25600\n", "x 1", "1 -2", "1 2x 3"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_int_equal(proc_parse_statm(bad[i], strlen(bad[i]), &size, &res, &cause), -1);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "statm"));
		free(cause);
	}
}

static void
test_pidlist(void **state)
{
	const char *t = "12 34 56 \n";
	char *cause = NULL;
	size_t n = 99;
	int *pids = NULL;

	assert_int_equal(proc_parse_pidlist(t, strlen(t), &pids, &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pids[0], 12);
	assert_int_equal(pids[1], 34);
	assert_int_equal(pids[2], 56);
	free(pids);

	assert_int_equal(proc_parse_pidlist("", 0, &pids, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_null(pids);
	assert_int_equal(proc_parse_pidlist(" \n", 2, &pids, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_null(pids);

	/* Many: forces growth. */
	char big[8192];
	size_t len = 0;
	for (int i = 1; i <= 1000; i++)
		len += (size_t)snprintf(big + len, sizeof big - len, "%d ", i);
	assert_int_equal(proc_parse_pidlist(big, len, &pids, &n, &cause), 0);
	assert_int_equal(n, 1000);
	assert_int_equal(pids[999], 1000);
	free(pids);

	static const char *bad[] = {"12 x", "0", "-5", "99999999999", "12,13", "1 2 3a"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		pids = NULL;
		assert_int_equal(proc_parse_pidlist(bad[i], strlen(bad[i]), &pids, &n, &cause), -1);
		assert_non_null(cause);
		free(cause);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stat_plain),
	    cmocka_unit_test(test_stat_weird_comm),
	    cmocka_unit_test(test_stat_zombie_and_big_numbers),
	    cmocka_unit_test(test_stat_length_bounded),
	    cmocka_unit_test(test_stat_malformed),
	    cmocka_unit_test(test_statm),
	    cmocka_unit_test(test_pidlist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
