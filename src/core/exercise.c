/*
 * Exercise plans (see exercise.h). The fallback for a later instrument keeps
 * the script and its arguments and drops the instrument's own options, which
 * are listed per command.
 */
#include "config.h"

#include "core/exercise.h"

#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

/* Options of the later commands that take a value. */
static const char *const options_with_value[] = {
    "-s", "--sort", "-o", "--output", "--limit", "-f", "--function", NULL};

const char *
exercise_needs_name(const char *needs)
{
	if (needs == NULL)
		return "nothing";
	if (strcmp(needs, "profile") == 0)
		return "the cProfile instrument (tables, callers, the icicle view)";
	if (strcmp(needs, "lines") == 0)
		return "the line timer";
	if (strcmp(needs, "memory") == 0)
		return "the line memory meter";
	if (strcmp(needs, "console") == 0)
		return "the interactive console with its magics";
	return needs;
}

static int
takes_value(const char *opt)
{
	for (size_t i = 0; options_with_value[i] != NULL; i++) {
		if (strcmp(opt, options_with_value[i]) == 0)
			return 1;
	}
	return 0;
}

static void
plan_waiting(struct exercise_plan *plan, const struct exercise *ex, const char *what)
{
	plan->kind = PLAN_WAITING;
	plan->note = xasprintf("%s needs %s, which this version of proflab does not have yet: %s",
	    ex->id, exercise_needs_name(ex->needs), what);
}

void
exercise_plan(const struct exercise *ex, struct exercise_plan *plan)
{
	const char *cmd;
	int i;

	memset(plan, 0, sizeof *plan);
	if (ex->kind == EXERCISE_SNIPPET) {
		if (ex->needs != NULL && strcmp(ex->needs, "console") == 0) {
			plan_waiting(plan, ex, "type it at the console when it comes");
			return;
		}
		plan->kind = PLAN_SNIPPET;
		plan->code = ex->code;
		if (ex->needs != NULL)
			plan->note = xasprintf("%s needs %s, which this version does not have yet: "
			                       "the snippet runs without it",
			    ex->id, exercise_needs_name(ex->needs));
		return;
	}
	cmd = ex->argv[0];
	if (strcmp(cmd, "run") == 0 || strcmp(cmd, "record") == 0 || strcmp(cmd, "profile") == 0 ||
	    strcmp(cmd, "stats") == 0) {
		plan->kind = PLAN_COMMAND;
		plan->argv = xcalloc((size_t)ex->argc + 1, sizeof *plan->argv);
		for (i = 0; i < ex->argc; i++)
			plan->argv[i] = xstrdup(ex->argv[i]);
		plan->argc = ex->argc;
		return;
	}
	if (strcmp(cmd, "lines") != 0 && strcmp(cmd, "memory") != 0) {
		plan_waiting(plan, ex, "nothing to run before it comes");
		return;
	}
	/* The script and its arguments, without the instrument's options. */
	for (i = 1; i < ex->argc && ex->argv[i][0] == '-' && ex->argv[i][1] != '\0'; i++) {
		if (strcmp(ex->argv[i], "--") == 0) {
			i++;
			break;
		}
		if (takes_value(ex->argv[i]))
			i++;
	}
	if (i >= ex->argc) {
		plan_waiting(plan, ex, "no script to run without it");
		return;
	}
	plan->kind = PLAN_COMMAND;
	plan->argv = xcalloc((size_t)(ex->argc - i) + 3, sizeof *plan->argv);
	plan->argv[plan->argc++] = xstrdup("run");
	plan->argv[plan->argc++] = xstrdup("--record");
	for (; i < ex->argc; i++)
		plan->argv[plan->argc++] = xstrdup(ex->argv[i]);
	plan->note = xasprintf("%s needs %s, which this version of proflab does not have yet: "
	                       "the script runs, recorded, without it",
	    ex->id, exercise_needs_name(ex->needs));
}

void
exercise_plan_free(struct exercise_plan *plan)
{
	for (int i = 0; i < plan->argc; i++)
		free(plan->argv[i]);
	free(plan->argv);
	free(plan->note);
	memset(plan, 0, sizeof *plan);
}
