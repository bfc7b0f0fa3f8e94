/*
 * Unit tests of progress (XDG path, load, mark, atomic save, reset, a bad
 * file) and of exercise plans (snippets, commands, the fallback for a later
 * instrument, what waits).
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
#include <sys/stat.h>
#include <unistd.h>

#include "core/exercise.h"
#include "core/lesson.h"
#include "core/progress.h"

static void
test_path(void **state)
{
	char *cause = NULL, *p;

	setenv("XDG_STATE_HOME", "/x/state", 1);
	p = progress_path(&cause);
	assert_string_equal(p, "/x/state/proflab/progress");
	free(p);
	/* A relative XDG_STATE_HOME is ignored, as the spec says. */
	setenv("XDG_STATE_HOME", "rel", 1);
	setenv("HOME", "/home/u", 1);
	p = progress_path(&cause);
	assert_string_equal(p, "/home/u/.local/state/proflab/progress");
	free(p);
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_null(progress_path(&cause));
	assert_non_null(strstr(cause, "neither XDG_STATE_HOME nor HOME"));
	free(cause);
}

static void
test_mark_save_load_reset(void **state)
{
	char dir[] = "/tmp/proflab-test-progress.XXXXXX", path[256], line[64];
	struct progress p, q;
	char *cause = NULL;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/a/b/progress", dir);
	assert_int_equal(progress_load(&p, path, &cause), 0);
	assert_int_equal(p.ndone, 0);
	assert_int_equal(progress_mark(&p, "E4", &cause), 0);
	assert_int_equal(progress_mark(&p, "E11", &cause), 0);
	assert_int_equal(progress_mark(&p, "E4", &cause), 0);
	assert_true(progress_is_done(&p, "E11"));
	assert_false(progress_is_done(&p, "E1"));
	/* Written at once, one ID a line, no temporary file left. */
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	assert_string_equal(line, "E4\n");
	assert_non_null(fgets(line, sizeof line, f));
	assert_string_equal(line, "E11\n");
	assert_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_int_equal(progress_load(&q, path, &cause), 0);
	assert_int_equal(q.ndone, 2);
	assert_true(progress_is_done(&q, "E4"));
	progress_free(&q);
	assert_int_equal(progress_reset(&p, &cause), 0);
	assert_int_equal(p.ndone, 0);
	assert_int_equal(access(path, F_OK), -1);
	progress_free(&p);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("E1\n../etc\n", f);
	fclose(f);
	assert_int_equal(progress_load(&q, path, &cause), -1);
	assert_non_null(strstr(cause, "/a/b/progress:2: not an exercise ID"));
	free(cause);
	progress_free(&q);
	unlink(path);
	snprintf(line, sizeof line, "%s/a/b", dir);
	rmdir(line);
	snprintf(line, sizeof line, "%s/a", dir);
	rmdir(line);
	rmdir(dir);
}

static void
test_mark_unwritable(void **state)
{
	struct progress p;
	char *cause = NULL;

	/* Not even root can read or make anything under /dev/null. */
	assert_int_equal(progress_load(&p, "/dev/null/proflab/progress", &cause), -1);
	assert_string_equal(
	    cause, "cannot read progress /dev/null/proflab/progress: Not a directory");
	free(cause);
	progress_free(&p);
	assert_int_equal(progress_load(&p, "/nonexistent-proflab/progress", &cause), 0);
	free(p.path);
	p.path = strdup("/dev/null/proflab/progress");
	assert_int_equal(progress_mark(&p, "E1", &cause), -1);
	assert_string_equal(cause, "cannot create /dev/null/proflab: Not a directory");
	free(cause);
	progress_free(&p);
}

static const struct exercise *
first_exercise(struct lesson **l, const char *text)
{
	char *cause = NULL;

	*l = lesson_parse("t.md", text, strlen(text), &cause);
	if (*l == NULL)
		fail_msg("%s", cause);
	return (*l)->blocks[0].ex;
}

static void
test_plans(void **state)
{
	struct exercise_plan plan;
	struct lesson *l;
	const struct exercise *ex;

	ex = first_exercise(&l, "# 1. A\n```python exercise=E4 title=x\n1 + 1\n```\n");
	exercise_plan(ex, &plan);
	assert_int_equal(plan.kind, PLAN_SNIPPET);
	assert_string_equal(plan.code, "1 + 1\n");
	assert_null(plan.note);
	exercise_plan_free(&plan);
	lesson_free(l);

	ex = first_exercise(
	    &l, "# 1. A\n```proflab exercise=E3 title=x\nproflab run --record spam\n```\n");
	exercise_plan(ex, &plan);
	assert_int_equal(plan.kind, PLAN_COMMAND);
	assert_int_equal(plan.argc, 3);
	assert_string_equal(plan.argv[0], "run");
	assert_string_equal(plan.argv[2], "spam");
	assert_null(plan.argv[3]);
	exercise_plan_free(&plan);
	lesson_free(l);

	/* profile and stats run as they are written. */
	ex = first_exercise(&l,
	    "# 1. A\n```proflab exercise=E17 title=x\n"
	    "proflab profile -s cumtime -o c.prof compute --n 3\n```\n");
	exercise_plan(ex, &plan);
	assert_int_equal(plan.kind, PLAN_COMMAND);
	assert_int_equal(plan.argc, 8);
	assert_string_equal(plan.argv[0], "profile");
	assert_string_equal(plan.argv[4], "c.prof");
	assert_string_equal(plan.argv[7], "3");
	assert_null(plan.argv[8]);
	assert_null(plan.note);
	exercise_plan_free(&plan);
	lesson_free(l);

	ex = first_exercise(
	    &l, "# 1. A\n```proflab exercise=E19 title=x\nproflab stats --icicle c.prof\n```\n");
	exercise_plan(ex, &plan);
	assert_int_equal(plan.kind, PLAN_COMMAND);
	assert_int_equal(plan.argc, 3);
	assert_string_equal(plan.argv[0], "stats");
	assert_string_equal(plan.argv[2], "c.prof");
	assert_null(plan.note);
	exercise_plan_free(&plan);
	lesson_free(l);

	/* lines and memory run as their commands, under the instrument. */
	ex = first_exercise(&l,
	    "# 1. A\n```proflab exercise=E21 title=x\n"
	    "proflab lines -f main compute --n 3\n```\n");
	exercise_plan(ex, &plan);
	assert_int_equal(plan.kind, PLAN_COMMAND);
	assert_int_equal(plan.argc, 6);
	assert_string_equal(plan.argv[0], "lines");
	assert_string_equal(plan.argv[1], "-f");
	assert_string_equal(plan.argv[2], "main");
	assert_string_equal(plan.argv[3], "compute");
	assert_string_equal(plan.argv[5], "3");
	assert_null(plan.argv[6]);
	assert_null(plan.note);
	exercise_plan_free(&plan);
	lesson_free(l);

	ex = first_exercise(&l,
	    "# 1. A\n```python exercise=E18 title=x needs=console\n"
	    "%prun compute.main()\n```\n");
	exercise_plan(ex, &plan);
	/* typed at the console, as written */
	assert_int_equal(plan.kind, PLAN_CONSOLE);
	assert_string_equal(plan.code, "%prun compute.main()\n");
	assert_null(plan.note);
	exercise_plan_free(&plan);
	lesson_free(l);

	ex = first_exercise(
	    &l, "# 1. A\n```proflab exercise=E25 title=x\nproflab memory --peak spam\n```\n");
	exercise_plan(ex, &plan);
	assert_int_equal(plan.kind, PLAN_COMMAND);
	assert_int_equal(plan.argc, 3);
	assert_string_equal(plan.argv[0], "memory");
	assert_string_equal(plan.argv[1], "--peak");
	assert_null(plan.note);
	exercise_plan_free(&plan);
	lesson_free(l);

	/* timeit and machine run as their command lines. */
	ex =
	    first_exercise(&l, "# 1. A\n```proflab exercise=X6 title=x\nproflab timeit 1+1\n```\n");
	exercise_plan(ex, &plan);
	assert_int_equal(plan.kind, PLAN_COMMAND);
	assert_string_equal(plan.argv[0], "timeit");
	assert_string_equal(plan.argv[1], "1+1");
	assert_null(plan.note);
	exercise_plan_free(&plan);
	lesson_free(l);
	ex = first_exercise(
	    &l, "# 1. A\n```proflab exercise=X6 title=x\nproflab machine --bench\n```\n");
	exercise_plan(ex, &plan);
	assert_int_equal(plan.kind, PLAN_COMMAND);
	assert_string_equal(plan.argv[0], "machine");
	assert_null(plan.note);
	exercise_plan_free(&plan);
	lesson_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path),
	    cmocka_unit_test(test_mark_save_load_reset),
	    cmocka_unit_test(test_mark_unwritable),
	    cmocka_unit_test(test_plans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
