/*
 * The console's input history, kept across sessions in
 * $XDG_STATE_HOME/proflab/console_history: one input a line, oldest first,
 * escaped as channel fields are (a multi-line input keeps its newlines as
 * \n). Up and Down walk it as a shell does: the line being typed is kept as
 * a draft and comes back below the newest input.
 *
 * A struct inhist owns its entries, its draft and its path.
 */
#ifndef PROFLAB_CORE_INHIST_H
#define PROFLAB_CORE_INHIST_H

/* Inputs kept; the file is cut back to these when it has grown to twice as many. */
#define INHIST_MAX 1000

struct inhist {
	char **items; /* oldest first */
	int n;
	int pos; /* the entry shown: 0..n-1, or n for the draft */
	char *draft;
	char *path; /* NULL: kept in memory only */
	int file_lines; /* lines in the file, to know when to cut it back */
};

/* $XDG_STATE_HOME/proflab/console_history; NULL with *cause. */
char *inhist_path(char **cause);
/*
 * Loads the history from path (NULL: none, memory only; a missing file is an
 * empty history). -1 with *cause when it cannot be read; h is usable even then.
 */
int inhist_load(struct inhist *h, const char *path, char **cause);
/*
 * Adds an input (an empty one, or one equal to the newest, is not added),
 * appends it to the file and moves back to the draft. -1 with *cause when
 * the file cannot be written; the input is kept in memory even then.
 */
int inhist_add(struct inhist *h, const char *input, char **cause);
/* Up: the older input, current being what is typed now; NULL at the oldest. */
const char *inhist_prev(struct inhist *h, const char *current);
/* Down: the newer input, or the draft below the newest; NULL when at the draft. */
const char *inhist_next(struct inhist *h);
void inhist_free(struct inhist *h);

#endif
