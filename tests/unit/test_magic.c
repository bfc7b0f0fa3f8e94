/*
 * Unit tests for the console's % commands (core/magic.c): each magic with
 * its options as IPython reads them, the statement kept as typed, the run
 * record's ARGS, and a one-line error for every bad option or value.
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
#include "core/magic.h"

static void
parse_ok(const char *text, struct magic *m)
{
	char *cause = NULL;

	if (magic_parse(text, m, &cause) != 0)
		fail_msg("%s: %s", text, cause);
}

static void
parse_bad(const char *text, const char *expect)
{
	struct magic m;
	char *cause = NULL;

	assert_int_equal(magic_parse(text, &m, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, expect) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", text, cause, expect);
	assert_null(strchr(cause, '\n'));
	assert_null(m.stmt);
	free(cause);
}

static void
args_are(const struct magic *m, const char *path, const char *expect)
{
	struct buf b;

	buf_init(&b);
	magic_args(&b, m, path);
	buf_addc(&b, '\0');
	assert_string_equal(b.data, expect);
	buf_free(&b);
}

static void
test_plain(void **state)
{
	struct magic m;

	parse_ok("x = 1\nprint(x % 2)", &m);
	assert_int_equal(m.kind, MAGIC_NONE);
	assert_string_equal(m.stmt, "x = 1\nprint(x % 2)");
	assert_string_equal(magic_name(m.kind), "none");
	args_are(&m, "", "");
	magic_free(&m);
	/* a % inside Python is not a command */
	parse_ok("10 % 3", &m);
	assert_int_equal(m.kind, MAGIC_NONE);
	magic_free(&m);
}

static void
test_time_timeit(void **state)
{
	struct magic m;

	parse_ok("%time sum(range(10))", &m);
	assert_int_equal(m.kind, MAGIC_TIME);
	assert_string_equal(m.stmt, "sum(range(10))");
	assert_string_equal(magic_name(m.kind), "time");
	magic_free(&m);
	/* %time takes no options: a leading minus is the statement's */
	parse_ok("%time -x + 1", &m);
	assert_string_equal(m.stmt, "-x + 1");
	magic_free(&m);
	parse_ok("  %timeit   sum( range(10) )  ", &m);
	assert_int_equal(m.kind, MAGIC_TIMEIT);
	assert_int_equal(m.number, 0);
	assert_int_equal(m.repeat, 7);
	assert_int_equal(m.precision, 3);
	assert_string_equal(m.stmt, "sum( range(10) )");
	args_are(&m, "", "0\n7");
	magic_free(&m);
	parse_ok("%timeit -n 100 -r3 -p 5 -q x = [i for i in range(9)]", &m);
	assert_int_equal(m.number, 100);
	assert_int_equal(m.repeat, 3);
	assert_int_equal(m.precision, 5);
	assert_int_equal(m.quiet, 1);
	assert_string_equal(m.stmt, "x = [i for i in range(9)]");
	args_are(&m, "", "100\n3");
	magic_free(&m);
	/* a negative number is a statement, not an option */
	parse_ok("%timeit -1", &m);
	assert_string_equal(m.stmt, "-1");
	magic_free(&m);
}

static void
test_prun(void **state)
{
	struct magic m;

	parse_ok("%prun compute.main()", &m);
	assert_int_equal(m.kind, MAGIC_PRUN);
	assert_string_equal(m.sort, "time");
	assert_int_equal(m.limit, -1);
	assert_null(m.dump);
	args_are(&m, "/tmp/x.prof", "/tmp/x.prof");
	magic_free(&m);
	parse_ok("%prun -s cumulative -s name -l 5 -D out.prof -q f(1, 2)", &m);
	assert_string_equal(m.sort, "cumulative,name");
	assert_int_equal(m.limit, 5);
	assert_string_equal(m.dump, "out.prof");
	assert_int_equal(m.quiet, 1);
	assert_string_equal(m.stmt, "f(1, 2)");
	magic_free(&m);
}

static void
test_lines_memory(void **state)
{
	struct magic m;

	parse_ok("%lprun -f slow_lines.count_known -f g slow_lines.main()", &m);
	assert_int_equal(m.kind, MAGIC_LPRUN);
	assert_int_equal(m.nfuncs, 2);
	assert_string_equal(m.funcs[0], "slow_lines.count_known");
	assert_string_equal(m.funcs[1], "g");
	assert_null(m.funcs[2]);
	assert_true(m.unit == 0);
	assert_string_equal(m.stmt, "slow_lines.main()");
	args_are(&m, "/t/1.lines", "/t/1.lines\nslow_lines.count_known\ng");
	magic_free(&m);
	parse_ok("%lprun -u 1e-3 -ff f()", &m);
	assert_true(m.unit == 1e-3);
	assert_string_equal(m.funcs[0], "f");
	magic_free(&m);
	parse_ok("%mprun -f memory_hog.hold_and_release memory_hog.hold_and_release()", &m);
	assert_int_equal(m.kind, MAGIC_MPRUN);
	assert_string_equal(magic_name(m.kind), "mprun");
	magic_free(&m);
	parse_ok("%memit memory_hog.hold_and_release()", &m);
	assert_int_equal(m.kind, MAGIC_MEMIT);
	assert_int_equal(m.repeat, 1);
	args_are(&m, "", "1");
	magic_free(&m);
	parse_ok("%memit -r 3 x = bytearray(10)", &m);
	assert_int_equal(m.repeat, 3);
	magic_free(&m);
	parse_ok("%load_ext line_profiler", &m);
	assert_int_equal(m.kind, MAGIC_LOAD_EXT);
	assert_string_equal(m.ext, "line_profiler");
	magic_free(&m);
	parse_ok("%load_ext memory_profiler", &m);
	magic_free(&m);
}

static void
test_errors(void **state)
{
	parse_bad("%", "needs a command name");
	parse_bad("%foo x", "%foo: no such command");
	parse_bad("%timeit", "%timeit: no statement to run");
	parse_bad("%timeit -n", "%timeit: -n needs a value");
	parse_bad("%timeit -n abc x", "-n needs a whole number of at least 1, not \"abc\"");
	parse_bad("%timeit -n 0 x", "not \"0\"");
	parse_bad("%timeit -r -2 x", "not \"-2\"");
	parse_bad("%timeit -x 1", "%timeit: unknown option -x");
	parse_bad("%prun -l many f()", "%prun: -l needs");
	parse_bad("%prun -s nosuchkey f()", "%prun -s: ");
	parse_bad("%lprun f()", "%lprun: name the functions to measure with -f FUNC");
	parse_bad("%lprun -f f", "%lprun: no statement to run");
	parse_bad("%lprun -u 0 -f f f()", "-u needs a unit in seconds above 0");
	parse_bad("%mprun x()", "%mprun: name the functions");
	parse_bad("%memit -r x y", "%memit: -r needs");
	parse_bad("%load_ext autoreload", "%load_ext autoreload:");
	parse_bad("%%timeit\nx = 1", "cell commands are not supported");
	parse_bad("%timeit x\ny", "a % command takes one line");
	parse_bad("%time(x)", "%time(x)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_time_timeit),
	    cmocka_unit_test(test_prun),
	    cmocka_unit_test(test_lines_memory),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
