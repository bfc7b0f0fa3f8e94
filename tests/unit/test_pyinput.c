/*
 * Unit tests for the console's completeness rules (core/pyinput.c): simple
 * statements, brackets and strings across lines, compound statements that
 * end at a blank line, % commands, the margin rule for piped input, and the
 * auto-indent.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/pyinput.h"

static void
test_simple(void **state)
{
	assert_true(pyinput_complete(""));
	assert_true(pyinput_complete("   "));
	assert_true(pyinput_complete("x = 1"));
	assert_true(pyinput_complete("print('a:')"));
	assert_true(pyinput_complete("d = {1: 2}"));
	assert_true(pyinput_complete("x = 1  # a comment:"));
	assert_true(pyinput_complete("for i in range(3): print(i)"));
	assert_true(pyinput_complete("f = lambda: 1"));
	/* % commands are one line, whatever they hold */
	assert_true(pyinput_complete("%timeit if x:"));
	assert_true(pyinput_complete("  %prun f((("));
	/* errors are complete: Python reports them */
	assert_true(pyinput_complete("x = )"));
	assert_true(pyinput_complete("s = 'no end"));
}

static void
test_open(void **state)
{
	assert_false(pyinput_complete("x = (1,"));
	assert_true(pyinput_complete("x = (1,\n2)"));
	assert_false(pyinput_complete("f(a,\n  [1, 2,"));
	assert_false(pyinput_complete("s = \"\"\"one"));
	assert_false(pyinput_complete("s = '''one\ntwo"));
	assert_true(pyinput_complete("s = '''one\ntwo'''"));
	assert_true(pyinput_complete("s = '(' + \"[\""));
	assert_false(pyinput_complete("x = 1 + \\"));
	assert_true(pyinput_complete("x = 1 + \\\n2"));
	/* an escaped quote does not end the string */
	assert_false(pyinput_complete("s = (\"a\\\"b\","));
	assert_true(pyinput_complete("s = '# not a comment ('"));
}

static void
test_compound(void **state)
{
	assert_false(pyinput_complete("def f():"));
	assert_false(pyinput_complete("def f():\n    return 1"));
	assert_true(pyinput_complete("def f():\n    return 1\n"));
	assert_true(pyinput_complete("def f():\n    return 1\n   "));
	assert_false(pyinput_complete("if x:  # why"));
	assert_false(pyinput_complete("@decorator"));
	assert_false(pyinput_complete("@decorator\ndef f(): pass"));
	assert_true(pyinput_complete("@decorator\ndef f(): pass\n"));
	assert_false(pyinput_complete("class A(\n    B):"));
	assert_false(pyinput_complete("if x:\n    y = (1,\n"));
	assert_true(pyinput_complete("if x:\n    y = (1,\n 2)\n"));
}

static void
test_starts_new(void **state)
{
	assert_true(pyinput_starts_new("def f():\n    return 1", "f()"));
	assert_false(pyinput_starts_new("def f():", "f()"));
	assert_false(pyinput_starts_new("def f():\n    return 1", "    pass"));
	assert_false(pyinput_starts_new("if x:\n    y", "else:"));
	assert_false(pyinput_starts_new("if x:\n    y", "elif z:"));
	assert_true(pyinput_starts_new("if x:\n    y", "elsewhere = 1"));
	assert_false(pyinput_starts_new("try:\n    y", "except E:"));
	assert_false(pyinput_starts_new("try:\n    y", "finally:"));
	assert_false(pyinput_starts_new("x = 1", "y = 2"));
	assert_false(pyinput_starts_new("def f():\n    return 1", ""));
	assert_false(pyinput_starts_new("def f():\n    return 1", "# note"));
	assert_false(pyinput_starts_new("@dec", "def f(): pass"));
	assert_true(pyinput_starts_new("for i in x:\n    print(i)", "%timeit f()"));
}

static void
test_indent(void **state)
{
	assert_int_equal(pyinput_indent("x = 1"), 0);
	assert_int_equal(pyinput_indent("def f():"), 4);
	assert_int_equal(pyinput_indent("def f():\n    if x:  # c"), 8);
	assert_int_equal(pyinput_indent("def f():\n    y = 1"), 4);
	assert_int_equal(pyinput_indent("d = {1:"), 0);
}

static void
test_split(void **state)
{
	char **in;
	int n;

	n = pyinput_split("%load_ext line_profiler\nimport slow_lines\n\n"
	                  "def f(x):\n    if x:\n        return 1\n    return 2\n"
	                  "%lprun -f f f(1)\nx = (1,\n 2)\nfor i in x:\n    print(i)",
	    &in);
	assert_int_equal(n, 6);
	assert_string_equal(in[0], "%load_ext line_profiler");
	assert_string_equal(in[1], "import slow_lines");
	assert_string_equal(in[2], "def f(x):\n    if x:\n        return 1\n    return 2");
	assert_string_equal(in[3], "%lprun -f f f(1)");
	assert_string_equal(in[4], "x = (1,\n 2)");
	assert_string_equal(in[5], "for i in x:\n    print(i)");
	assert_null(in[6]);
	for (int i = 0; i < n; i++)
		free(in[i]);
	free(in);
	n = pyinput_split("\n  \n", &in);
	assert_int_equal(n, 0);
	assert_null(in[0]);
	free(in);
}

/* At a terminal (no margin rule) a compound statement waits for its blank line. */
static void
test_reader(void **state)
{
	struct pyinput_reader r;
	char *out[2], *last;

	pyinput_reader_init(&r, 0);
	assert_int_equal(pyinput_reader_add(&r, "def f():", out), 0);
	assert_true(pyinput_reader_open(&r));
	assert_int_equal(pyinput_reader_add(&r, "    return 1", out), 0);
	assert_int_equal(pyinput_reader_add(&r, "f()", out), 0);
	assert_int_equal(pyinput_reader_add(&r, "", out), 1);
	assert_string_equal(out[0], "def f():\n    return 1\nf()\n");
	free(out[0]);
	assert_false(pyinput_reader_open(&r));
	assert_int_equal(pyinput_reader_add(&r, "   ", out), 0);
	assert_int_equal(pyinput_reader_add(&r, "x = (1,", out), 0);
	last = pyinput_reader_end(&r);
	assert_string_equal(last, "x = (1,");
	free(last);
	assert_null(pyinput_reader_end(&r));
	pyinput_reader_free(&r);
	/* with it, the new statement both ends the block and runs */
	pyinput_reader_init(&r, 1);
	pyinput_reader_add(&r, "if 1:", out);
	pyinput_reader_add(&r, "    y = 2", out);
	assert_int_equal(pyinput_reader_add(&r, "%time y", out), 2);
	assert_string_equal(out[0], "if 1:\n    y = 2");
	assert_string_equal(out[1], "%time y");
	free(out[0]);
	free(out[1]);
	pyinput_reader_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simple),
	    cmocka_unit_test(test_open),
	    cmocka_unit_test(test_compound),
	    cmocka_unit_test(test_starts_new),
	    cmocka_unit_test(test_indent),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
