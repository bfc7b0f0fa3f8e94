/*
 * How an exercise runs. A python snippet runs in a worker in interactive
 * mode, or, with needs=console (IPython's % commands), at the console; a
 * proflab command line runs as that subcommand, under its instrument. What
 * this version cannot run at all says what it is waiting for.
 */
#ifndef PROFLAB_CORE_EXERCISE_H
#define PROFLAB_CORE_EXERCISE_H

#include "core/lesson.h"

enum plan_kind {
	PLAN_SNIPPET, /* code: run it with the worker's --interactive */
	PLAN_COMMAND, /* argv: a proflab subcommand and its arguments */
	PLAN_CONSOLE, /* code: typed at the console, line by line, in the exercises' folder */
	PLAN_WAITING /* nothing runs yet: note says why */
};

struct exercise_plan {
	enum plan_kind kind;
	const char *code; /* PLAN_SNIPPET, PLAN_CONSOLE; borrowed from the exercise */
	char **argv; /* PLAN_COMMAND; NULL-terminated, owned */
	int argc;
	char *note; /* NULL, or what is missing and what runs instead */
};

/* Plans an exercise; the plan must be freed with exercise_plan_free. */
void exercise_plan(const struct exercise *ex, struct exercise_plan *plan);
void exercise_plan_free(struct exercise_plan *plan);
/* "the cProfile instrument" etc. for a needs= value. */
const char *exercise_needs_name(const char *needs);

#endif
