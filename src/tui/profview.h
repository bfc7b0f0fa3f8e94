/*
 * The profile pane: a cProfile table, a function's callers and callees, and
 * an icicle view of one profile (core/profile.h). The view owns the profile
 * it shows and its own state (sort, filter, selection, the path walked);
 * app.c gives it a window to draw into and the keys and clicks it does not
 * use itself.
 *
 * Three modes:
 *   table   cProfile's columns; sort by any column, reverse, filter by text,
 *           strip directories; Enter opens the selected function's calls.
 *   calls   the function in the middle, its callers above and its callees
 *           below (calls, tottime, cumtime along each edge); Enter walks to
 *           the selected one, Backspace walks back.
 *   icicle  nested bars by cumulative time; arrows move between bars,
 *           Enter zooms into one, Backspace zooms back out.
 * `e` explains the selected function's numbers in words, in any mode.
 */
#ifndef PROFLAB_TUI_PROFVIEW_H
#define PROFLAB_TUI_PROFVIEW_H

#include <curses.h>

#include "core/profile.h"

struct profview;

enum profview_mode { PROFVIEW_TABLE, PROFVIEW_CALLS, PROFVIEW_ICICLE };

/*
 * A view of *p, which it takes over (p is left empty); title names the
 * profile in the heading ("E16: compute.py", "compute.prof"). It opens on
 * the table sorted by internal time, as %prun prints it.
 */
struct profview *profview_new(struct prof *p, const char *title, int unicode);
void profview_free(struct profview *v);
/* Sorts the table by pstats sort keys ("cumulative", "tottime,calls"); 0, or -1 with
 * *cause (caller frees). */
int profview_sort(struct profview *v, const char *keys, char **cause);
/* Shows the profile with directories stripped (on) or as loaded; the selection stays on
 * the same function when it can. */
void profview_strip(struct profview *v, int on);

void profview_set_mode(struct profview *v, enum profview_mode mode);
enum profview_mode profview_mode(const struct profview *v);

/* The selected function (the table's row, the calls' selection, the icicle's bar) as
 * loaded, with its directories; NULL when none. Borrowed. */
const struct prof_func *profview_selected(const struct profview *v);

/* Draws the pane into the whole of win. */
void profview_draw(struct profview *v, WINDOW *win);
/*
 * A key (wide: a character, else a KEY_ constant). Returns 1 when the view
 * used it, 0 when it is not one of its keys (Esc is used only when there is
 * something to close or walk back from). While the filter prompt is open
 * every key goes to it.
 */
int profview_key(struct profview *v, int code, int wide);
/* A mouse event at (y, x) inside the pane's window; 1 when used. */
int profview_mouse(struct profview *v, int y, int x, mmask_t bstate);
/* 1 while the filter prompt is open. */
int profview_editing(const struct profview *v);
/* A short hint of the mode's keys, for the status line. */
const char *profview_hint(const struct profview *v);

/* The pane's keys, for the help overlay; the list ends with a NULL name. */
struct profview_keyhelp {
	const char *name;
	const char *help;
};

extern const struct profview_keyhelp profview_keys[];

#endif
