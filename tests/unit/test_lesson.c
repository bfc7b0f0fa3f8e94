/*
 * Unit tests of the lesson parser: blocks and their text, exercises of both
 * kinds, inline spans, every error naming its line, and a lesson directory
 * with a broken file and a duplicate exercise.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/lesson.h"

static struct lesson *
parse_ok(const char *text)
{
	char *cause = NULL;
	struct lesson *l = lesson_parse("t.md", text, strlen(text), &cause);

	if (l == NULL)
		fail_msg("unexpected error: %s", cause);
	return l;
}

/* The error for text must be exactly want. */
static void
parse_err(const char *text, const char *want)
{
	char *cause = NULL;
	struct lesson *l = lesson_parse("t.md", text, strlen(text), &cause);

	if (l != NULL) {
		lesson_free(l);
		fail_msg("parsed, but expected: %s", want);
	}
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_blocks(void **state)
{
	struct lesson *l = parse_ok("# 4. Measure CPU\r\n"
	                            "\n"
	                            "First line\n"
	                            "second line.\n"
	                            "\n"
	                            "## A heading\n"
	                            "- one\n"
	                            "  more of one\n"
	                            "- two\n"
	                            "3. third\n"
	                            "> tip one\n"
	                            "> tip two\n"
	                            ">\n"
	                            "> tip three\n"
	                            "```sh\n"
	                            "echo hi\n"
	                            "\n"
	                            "```\n");

	assert_int_equal(l->number, 4);
	assert_string_equal(l->title, "Measure CPU");
	assert_int_equal(l->nblocks, 7);
	assert_int_equal(l->blocks[0].kind, LESSON_PARAGRAPH);
	assert_string_equal(l->blocks[0].text, "First line second line.");
	assert_int_equal(l->blocks[0].line, 3);
	assert_int_equal(l->blocks[1].kind, LESSON_HEADING);
	assert_int_equal(l->blocks[1].level, 2);
	assert_string_equal(l->blocks[1].text, "A heading");
	assert_int_equal(l->blocks[2].kind, LESSON_BULLET);
	assert_string_equal(l->blocks[2].text, "one more of one");
	assert_string_equal(l->blocks[3].text, "two");
	assert_int_equal(l->blocks[4].kind, LESSON_NUMBERED);
	assert_int_equal(l->blocks[4].level, 3);
	assert_int_equal(l->blocks[5].kind, LESSON_QUOTE);
	assert_string_equal(l->blocks[5].text, "tip one tip two\ntip three");
	assert_int_equal(l->blocks[6].kind, LESSON_CODE);
	assert_string_equal(l->blocks[6].lang, "sh");
	assert_string_equal(l->blocks[6].text, "echo hi\n\n");
	assert_null(l->blocks[6].ex);
	lesson_free(l);
}

static void
test_exercises(void **state)
{
	struct lesson *l = parse_ok("# 6. Profiling\n"
	                            "```python exercise=E4 title=\"Count your cores\"\n"
	                            "import os\n"
	                            "os.cpu_count()\n"
	                            "```\n"
	                            "```proflab exercise=E16 title=\"Profile compute\"\n"
	                            "proflab profile -s 'cumulative time' compute\n"
	                            "```\n"
	                            "```proflab exercise=X1 title=Record needs=console\n"
	                            "proflab run --record \"my script.py\" a\\ b\n"
	                            "```\n");
	const struct exercise *e;

	assert_int_equal(l->nblocks, 3);
	e = l->blocks[0].ex;
	assert_int_equal(l->blocks[0].kind, LESSON_EXERCISE);
	assert_string_equal(e->id, "E4");
	assert_string_equal(e->title, "Count your cores");
	assert_int_equal(e->kind, EXERCISE_SNIPPET);
	assert_null(e->needs);
	assert_string_equal(e->code, "import os\nos.cpu_count()\n");
	e = l->blocks[1].ex;
	assert_int_equal(e->kind, EXERCISE_COMMAND);
	/* A later instrument is inferred from the command. */
	assert_string_equal(e->needs, "profile");
	assert_int_equal(e->argc, 4);
	assert_string_equal(e->argv[0], "profile");
	assert_string_equal(e->argv[2], "cumulative time");
	assert_string_equal(e->argv[3], "compute");
	assert_null(e->argv[4]);
	e = l->blocks[2].ex;
	assert_string_equal(e->title, "Record");
	assert_string_equal(e->needs, "console");
	assert_int_equal(e->argc, 4);
	assert_string_equal(e->argv[2], "my script.py");
	assert_string_equal(e->argv[3], "a b");
	lesson_free(l);
}

static void
test_errors_name_the_line(void **state)
{
	parse_err("", "t.md:1: the lesson is empty");
	parse_err("Intro\n", "t.md:1: a lesson starts with a '# N. Title' line");
	parse_err("# Intro\n", "t.md:1: the title must read '# N. Title' (N the section number)");
	parse_err("# 1. A\n\n# 2. B\n", "t.md:3: only the first line may be a '# ' title");
	parse_err("# 1. A\n#### deep\n", "t.md:2: headings go down to ### only");
	parse_err("# 1. A\n##x\n", "t.md:2: a heading needs a space after its #s");
	parse_err("# 1. A\n\n```python\nx = 1\n",
	    "t.md:3: code block opened here is never closed with ```");
	parse_err("# 1. A\n~~~\n", "t.md:2: fence code blocks with ```, not ~~~");
	parse_err("# 1. A\n```python exercise=E1 tilte=\"x\"\nx\n```\n",
	    "t.md:2: exercise block: unknown attribute 'tilte' (exercise, title, needs)");
	parse_err(
	    "# 1. A\n```python exercise=E1\nx\n```\n", "t.md:2: exercise E1: title= is missing");
	parse_err("# 1. A\n```python exercise=7 title=x\nx\n```\n",
	    "t.md:2: exercise block: exercise=7 is not E<number> or X<number>");
	parse_err("# 1. A\n```python exercise=E1 title=\"x\nx\n```\n",
	    "t.md:2: exercise block: unterminated quote in title=");
	parse_err("# 1. A\n```python exercise=E1 title=x needs=gpu\nx\n```\n",
	    "t.md:2: exercise E1: needs=gpu is not one of profile, lines, memory, console");
	parse_err("# 1. A\n```ruby exercise=E1 title=x\nx\n```\n",
	    "t.md:2: exercise E1: unknown language 'ruby' (python or proflab)");
	parse_err("# 1. A\n```python exercise=E1 title=x\n\n```\n",
	    "t.md:2: exercise E1: the python snippet is empty");
	parse_err("# 1. A\n```proflab exercise=E1 title=x\nproflab run a\nproflab run b\n```\n",
	    "t.md:2: exercise E1: a proflab block holds one command line");
	parse_err("# 1. A\n```proflab exercise=E1 title=x\npython3 a.py\n```\n",
	    "t.md:3: exercise E1: the command line must start with 'proflab COMMAND'");
	parse_err("# 1. A\n```proflab exercise=E1 title=x\nproflab frob a.py\n```\n",
	    "t.md:3: exercise E1: unknown command 'proflab frob'");
	parse_err("# 1. A\n```proflab exercise=E1 title=x\nproflab run 'a.py\n```\n",
	    "t.md:3: exercise E1: unterminated ' quote");
	parse_err("# 1. A\n```python title=x\nx\n```\n",
	    "t.md:2: code block: title= or needs= without exercise=");
	parse_err("# 1. A\n```python exercise=E1 exercise=E2 title=x\nx\n```\n",
	    "t.md:2: exercise block: exercise= given twice");
	{
		static const char nul[] = "# 1. A\nx\0y\n";
		char *cause = NULL;

		assert_null(lesson_parse("t.md", nul, sizeof nul - 1, &cause));
		assert_string_equal(cause, "t.md:1: the file holds a NUL byte: not a text lesson");
		free(cause);
	}
}

/* The parser reads only len bytes: the text need not be NUL-terminated (found by libFuzzer). */
static void
test_unterminated_input(void **state)
{
	static const char *const inputs[] = {
	    "# 1. A\n##", "# 1. A\n#", "# 1. A\n- x", "# 1. A\n```", "# 1. A\n> q", "# 1. A\n12."};

	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		size_t len = strlen(inputs[i]);
		char *exact = malloc(len), *cause = NULL;
		struct lesson *l;

		assert_non_null(exact);
		memcpy(exact, inputs[i], len);
		l = lesson_parse("t.md", exact, len, &cause);
		if (l != NULL)
			lesson_free(l);
		free(cause);
		free(exact);
	}
}

static void
test_spans(void **state)
{
	struct lesson_span sp[8];
	const char *t = "Use `time.time()` and **measure** *first*, a * b, `open";
	size_t n = lesson_spans(t, sp, 8);

	assert_int_equal(n, 7);
	assert_int_equal(sp[0].kind, SPAN_TEXT);
	assert_int_equal(sp[0].len, 4);
	assert_int_equal(sp[1].kind, SPAN_CODE);
	assert_memory_equal(sp[1].start, "time.time()", sp[1].len);
	assert_int_equal(sp[3].kind, SPAN_BOLD);
	assert_memory_equal(sp[3].start, "measure", sp[3].len);
	assert_int_equal(sp[5].kind, SPAN_ITALIC);
	assert_memory_equal(sp[5].start, "first", sp[5].len);
	/* A lone * and an unclosed ` are text. */
	assert_int_equal(sp[6].kind, SPAN_TEXT);
	assert_string_equal(sp[6].start, ", a * b, `open");
	/* More spans than room: counted, not stored. */
	assert_int_equal(lesson_spans(t, sp, 2), 7);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_set(void **state)
{
	char dir[] = "/tmp/proflab-test-lesson.XXXXXX", cmd[600];
	struct lesson_set set;
	const struct lesson *in;
	char *cause = NULL;

	assert_non_null(mkdtemp(dir));
	write_file(dir, "01-a.md", "# 1. A\n```python exercise=E1 title=x\n1\n```\n");
	write_file(dir, "02-b.md", "# 2. B\nbroken:\n```python\n");
	write_file(dir, "03-c.md", "# 3. C\n```python exercise=E1 title=y\n2\n```\n");
	write_file(dir, "notes.txt", "not a lesson");
	assert_int_equal(lesson_set_load(dir, &set, &cause), 0);
	assert_int_equal(set.nlessons, 2);
	assert_int_equal(set.nerrors, 2);
	assert_non_null(strstr(set.errors[0], "/02-b.md:3: code block opened here"));
	assert_non_null(strstr(set.errors[1], "/03-c.md:2: exercise E1 is also in "));
	assert_non_null(lesson_set_find(&set, "E1", &in));
	assert_int_equal(in->number, 1);
	assert_null(lesson_set_find(&set, "E9", NULL));
	lesson_set_free(&set);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(lesson_set_load("/nonexistent-lessons", &set, &cause), -1);
	assert_non_null(strstr(cause, "cannot read lessons in /nonexistent-lessons"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocks),
	    cmocka_unit_test(test_exercises),
	    cmocka_unit_test(test_errors_name_the_line),
	    cmocka_unit_test(test_unterminated_input),
	    cmocka_unit_test(test_spans),
	    cmocka_unit_test(test_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
