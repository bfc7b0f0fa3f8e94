/*
 * When is typed Python complete? The console's answer, as the interactive
 * interpreter gives it (codeop), from a light lexer that needs no Python:
 * brackets, strings (triple-quoted too), comments and backslash
 * continuations are followed, and
 *   - a % command is one line;
 *   - a simple statement is complete once its brackets and strings close
 *     (a syntax error is complete too: Python will report it);
 *   - a compound statement (a first line ending in ':', or a decorator)
 *     goes on until a blank line.
 */
#ifndef PROFLAB_CORE_PYINPUT_H
#define PROFLAB_CORE_PYINPUT_H

#include "base/buf.h"

/* 1 when text (the lines typed so far, joined by newlines) should run now. */
int pyinput_complete(const char *text);
/*
 * For input read from a file or a pipe, where nobody types the blank line:
 * 1 when the compound statement in text has a body and `line` (the next
 * line) starts a new statement at the left margin, so text is complete
 * without it. 0 otherwise (and always for a simple statement).
 */
int pyinput_starts_new(const char *text, const char *line);
/*
 * Reads lines into complete inputs, by the rules above and, with margin,
 * pyinput_starts_new's (for input from a file or a pipe). Blank inputs are
 * left out.
 */
struct pyinput_reader {
	struct buf pending; /* the lines of the open input, NUL-terminated */
	int margin;
};

void pyinput_reader_init(struct pyinput_reader *r, int margin);
void pyinput_reader_free(struct pyinput_reader *r);
/* Adds one line (no newline): the inputs it completes, 0 to 2, in out (caller frees). */
int pyinput_reader_add(struct pyinput_reader *r, const char *line, char *out[2]);
/* 1 while an input is open (the "... " prompt). */
int pyinput_reader_open(const struct pyinput_reader *r);
/* At the end of the lines: the open input (caller frees), or NULL. */
char *pyinput_reader_end(struct pyinput_reader *r);
/*
 * Splits text (lines typed in a row: an exercise) into complete inputs, with
 * the margin rule. Returns how many; *out is NULL-terminated (free each and
 * the array).
 */
int pyinput_split(const char *text, char ***out);
/* The spaces to start the next line of text with, as IPython's auto-indent. */
int pyinput_indent(const char *text);

#endif
