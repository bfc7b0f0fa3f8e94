/*
 * Unit tests for core/timing.c: python -m timeit's line and warning, and
 * IPython's %timeit line, against what Python's timeit.main and IPython's
 * _format_time print for the same numbers (computed with their own code).
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
#include "core/timing.h"

struct timing_case {
	long number;
	double times[5];
	int n;
	const char *unit;
	const char *line;
	const char *warning;
	const char *ipython;
};

static const struct timing_case cases[] = {
    {100, {0.0517, 0.0533, 0.06, 0.0521, 0.0519}, 5, NULL,
        "100 loops, best of 5: 517 usec per loop\n", "",
        "538 \u00b5s \u00b1 31.5 \u00b5s per loop (mean \u00b1 std. dev. of 5 runs, 100 loops "
        "each)\n"},
    {1, {1.5, 1.6, 1.55}, 3, NULL, "1 loop, best of 3: 1.5 sec per loop\n", "",
        "1.55 s \u00b1 40.8 ms per loop (mean \u00b1 std. dev. of 3 runs, 1 loop each)\n"},
    {20000000, {0.21, 0.22, 0.2, 0.215, 0.205}, 5, NULL,
        "20000000 loops, best of 5: 10 nsec per loop\n", "",
        "10.5 ns \u00b1 0.354 ns per loop (mean \u00b1 std. dev. of 5 runs, 20,000,000 loops "
        "each)\n"},
    {10, {0.0012, 0.0013}, 2, "msec", "10 loops, best of 2: 0.12 msec per loop\n", "",
        "125 \u00b5s \u00b1 5 \u00b5s per loop (mean \u00b1 std. dev. of 2 runs, 10 loops each)\n"},
    {1, {5e-10}, 1, NULL, "1 loop, best of 1: 0.5 nsec per loop\n", "",
        "0.5 ns \u00b1 0 ns per loop (mean \u00b1 std. dev. of 1 run, 1 loop each)\n"},
    {1, {0.05, 1e-7, 1.1e-7, 1e-7, 1e-7}, 5, NULL, "1 loop, best of 5: 100 nsec per loop\n",
        ":0: UserWarning: The test results are likely unreliable. The worst time (50 msec) was "
        "more than four times slower than the best time (100 nsec).\n",
        "10 ms \u00b1 20 ms per loop (mean \u00b1 std. dev. of 5 runs, 1 loop each)\n"},
    {1000, {75.0, 76.0}, 2, NULL, "1000 loops, best of 2: 75 msec per loop\n", "",
        "75.5 ms \u00b1 500 \u00b5s per loop (mean \u00b1 std. dev. of 2 runs, 1,000 loops "
        "each)\n"},
    {1, {75.0, 76.0}, 2, NULL, "1 loop, best of 2: 75 sec per loop\n", "",
        "1min 15s \u00b1 500 ms per loop (mean \u00b1 std. dev. of 2 runs, 1 loop each)\n"},
};

static void
test_layouts(void **state)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct timing_case *c = &cases[i];
		struct buf b;

		buf_init(&b);
		timing_format_timeit(&b, c->number, c->times, c->n, c->unit, 3);
		buf_addc(&b, '\0');
		assert_string_equal(b.data, c->line);
		buf_reset(&b);
		timing_format_unreliable(&b, c->number, c->times, c->n, c->unit, 3);
		buf_addc(&b, '\0');
		assert_string_equal(b.data, c->warning);
		buf_reset(&b);
		timing_format_ipython(&b, c->number, c->times, c->n, 3);
		buf_addc(&b, '\0');
		assert_string_equal(b.data, c->ipython);
		buf_free(&b);
	}
}

/* IPython's %time lines and %timeit's warning on a cached result. */
static void
test_ipython_extras(void **state)
{
	static const double cached[] = {0.5, 0.1, 0.1};
	static const double steady[] = {0.1, 0.11, 0.1};
	struct buf b;

	buf_init(&b);
	timing_format_cputime(&b, 0.0383, 0.0254, 0);
	buf_addc(&b, '\0');
	assert_string_equal(b.data,
	    "CPU times: user 25.4 ms, sys: 0 ns, total: 25.4 ms\n"
	    "Wall time: 38.3 ms\n");
	buf_reset(&b);
	timing_format_cputime(&b, 75.5, 70, 5.25);
	buf_addc(&b, '\0');
	assert_string_equal(b.data,
	    "CPU times: user 1min 10s, sys: 5.25 s, total: 1min 15s\nWall time: 1min 15s\n");
	buf_reset(&b);
	timing_format_ipython_slowest(&b, 10, cached, 3);
	buf_addc(&b, '\0');
	assert_string_equal(b.data,
	    "The slowest run took 5.00 times longer than the fastest. This "
	    "could mean that an intermediate result is being cached.\n");
	buf_reset(&b);
	timing_format_ipython_slowest(&b, 10, steady, 3);
	assert_int_equal(b.len, 0);
	{
		static const double many[] = {1.0, 1.0};

		timing_format_ipython(&b, 1234567, many, 2, 3);
		buf_addc(&b, '\0');
		assert_non_null(strstr(b.data, "2 runs, 1,234,567 loops each)"));
		buf_reset(&b);
	}
	timing_ipython_time(&b, 0.0123456, 5);
	buf_addc(&b, '\0');
	assert_string_equal(b.data, "12.346 ms");
	buf_free(&b);
}

static void
test_units(void **state)
{
	assert_int_equal(timing_unit_known("nsec"), 0);
	assert_int_equal(timing_unit_known("usec"), 0);
	assert_int_equal(timing_unit_known("msec"), 0);
	assert_int_equal(timing_unit_known("sec"), 0);
	assert_int_equal(timing_unit_known("s"), -1);
	assert_int_equal(timing_unit_known(""), -1);
	/* The driver reports through proflab.timings and times in __main__. */
	assert_non_null(strstr(timing_driver, "proflab.timings(number, times)"));
	assert_non_null(strstr(timing_driver, "globals=globals()"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layouts),
	    cmocka_unit_test(test_units),
	    cmocka_unit_test(test_ipython_extras),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
