/*
 * The history pane: the runs of one script as the run history keeps them
 * (core/history.h), oldest at the top and the newest at the bottom, one row
 * each (when, kind, status, wall, CPU, peak, the change against the last
 * comparable run, machine, arguments), and under them a comparison: of the
 * selected run with its last comparable run, or, once a run is marked, of
 * the marked run with the selected one (the change line as `proflab` says
 * it, and for profiled runs their top functions side by side). The view
 * owns the history it was given; app.c loads it and gives the view a window
 * and the keys and clicks it does not use itself.
 */
#ifndef PROFLAB_TUI_HISTVIEW_H
#define PROFLAB_TUI_HISTVIEW_H

#include <curses.h>

#include "core/history.h"

struct histview;

/*
 * A view of *h, which it takes over (h is left empty): the runs of script
 * (its absolute path) kept in the file at path. The newest run is selected.
 */
struct histview *histview_new(struct history *h, const char *script, const char *path, int unicode);
void histview_free(struct histview *v);
/* The script whose runs the view shows (borrowed). */
const char *histview_script(const struct histview *v);

/* Draws the pane into the whole of win. */
void histview_draw(struct histview *v, WINDOW *win);
/* Moving the selection (Up, Down, j, k, PgUp, PgDn, Home, End); 1 when the view used the key. */
int histview_key(struct histview *v, int code, int wide);
/* Marks the selected run, or unmarks it when it is the marked one. */
void histview_mark(struct histview *v);
/* A mouse event at (y, x) inside the pane's window: a click selects a row, the wheel moves. */
int histview_mouse(struct histview *v, int y, int x, mmask_t bstate);
/* A short hint of the pane's keys, for the status line. */
const char *histview_hint(const struct histview *v);

#endif
