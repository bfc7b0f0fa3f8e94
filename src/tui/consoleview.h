/*
 * The console screen's pane: the transcript (what was typed, the
 * statements' output, % commands' results and the console's notes, each in
 * its colour) above the input, which is edited here: multi-line, with the
 * interactive interpreter's rules for when it is complete (core/pyinput.h),
 * auto-indent, and Up/Down through the input history kept across sessions
 * (core/inhist.h). The view owns its transcript, input and history; app.c
 * owns the console and hands its text over.
 */
#ifndef PROFLAB_TUI_CONSOLEVIEW_H
#define PROFLAB_TUI_CONSOLEVIEW_H

#include <curses.h>
#include <stddef.h>

/* The transcript's streams: the console's (core/console.h) and what was typed. */
#define CONSOLEVIEW_TYPED 5

/* What a key asks of app.c. */
enum consoleview_action {
	CV_NONE, /* nothing, or the view handled it */
	CV_SUBMIT, /* the input is complete: take it with consoleview_take */
	CV_LEAVE, /* Esc, or Ctrl-D on an empty input */
	CV_CLEAR /* Ctrl-L: the transcript was cleared */
};

struct consoleview;

/* history_path: the input history's file, or NULL to keep it in memory only. */
struct consoleview *consoleview_new(const char *history_path, int unicode);
void consoleview_free(struct consoleview *v);
/* A history file that could not be read or written: why (borrowed), or NULL. */
const char *consoleview_history_error(const struct consoleview *v);

/* Adds text to the transcript: stream 1 to 4 as core/console.h's, or CONSOLEVIEW_TYPED. */
void consoleview_feed(struct consoleview *v, int stream, const char *data, size_t len);
/* Echoes an input into the transcript with its prompts, as typed. */
void consoleview_echo(struct consoleview *v, const char *input);
/* Sets the input (an exercise's line typed for the learner). */
void consoleview_set_input(struct consoleview *v, const char *text);
/* The complete input, added to the history and cleared from the prompt (caller frees). */
char *consoleview_take(struct consoleview *v);
/* busy: a statement runs (the prompt says so; typing ahead is allowed). */
void consoleview_set_busy(struct consoleview *v, int busy, const char *what);

void consoleview_draw(struct consoleview *v, WINDOW *win);
enum consoleview_action consoleview_key(struct consoleview *v, int code, int wide);
int consoleview_mouse(struct consoleview *v, int y, int x, mmask_t bstate);
/* The status line's hint. */
const char *consoleview_hint(const struct consoleview *v);

#endif
