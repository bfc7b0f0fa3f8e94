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
 * Splits text (lines typed in a row: an exercise, `proflab console -c`) into
 * complete inputs, by the rules above and pyinput_starts_new's. Returns how
 * many; *out is NULL-terminated (free each and the array). Blank inputs are
 * left out.
 */
int pyinput_split(const char *text, char ***out);
/* The spaces to start the next line of text with, as IPython's auto-indent. */
int pyinput_indent(const char *text);

#endif
