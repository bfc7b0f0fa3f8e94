/*
 * Exercise plans (see exercise.h): a proflab command line is planned as
 * written; its subcommand (app.c, cli.c) reads its own options.
 */
#include "config.h"

#include "core/exercise.h"

#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

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
			plan->kind = PLAN_CONSOLE;
			plan->code = ex->code;
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
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "record") != 0 && strcmp(cmd, "profile") != 0 &&
	    strcmp(cmd, "stats") != 0 && strcmp(cmd, "lines") != 0 && strcmp(cmd, "memory") != 0 &&
	    strcmp(cmd, "machine") != 0 && strcmp(cmd, "timeit") != 0) {
		plan_waiting(plan, ex, "nothing to run before it comes");
		return;
	}
	plan->kind = PLAN_COMMAND;
	plan->argv = xcalloc((size_t)ex->argc + 1, sizeof *plan->argv);
	for (i = 0; i < ex->argc; i++)
		plan->argv[i] = xstrdup(ex->argv[i]);
	plan->argc = ex->argc;
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
