/*
 * The lines pane: one function of a line table (core/linetab.h) at a time,
 * its source with each line's numbers beside it and a heat bar: the line's
 * time (a line timer's table) or its memory increment (a memory meter's;
 * a negative increment is drawn apart, as memory given back). The view owns
 * the table and its own state (the function shown, the selected line and
 * the first line shown of each function); app.c gives it a window to draw
 * into and the keys and clicks it does not use itself (Esc and Backspace,
 * which go back to where the pane was opened from).
 */
#ifndef PROFLAB_TUI_LINESVIEW_H
#define PROFLAB_TUI_LINESVIEW_H

#include <curses.h>

#include "core/linetab.h"

struct linesview;

/*
 * A view of *t, which it takes over (t is left empty); title names the run
 * in the heading ("E21: compute.py"). It opens on the first function, on
 * its hottest line; peak_only (`proflab memory --peak`): it shows only the
 * whole run's peak and increment, as %memit prints them.
 */
struct linesview *linesview_new(struct linetab *t, const char *title, int peak_only, int unicode);
void linesview_free(struct linesview *v);

/* Draws the pane into the whole of win. */
void linesview_draw(struct linesview *v, WINDOW *win);
/* A key (wide: a character, else a KEY_ constant); 1 when the view used it. */
int linesview_key(struct linesview *v, int code, int wide);
/* A mouse event at (y, x) inside the pane's window; 1 when used. */
int linesview_mouse(struct linesview *v, int y, int x, mmask_t bstate);
/* A short hint of the pane's keys, for the status line. */
const char *linesview_hint(const struct linesview *v);

/* The pane's keys, for the help overlay; the list ends with a NULL name. */
struct linesview_keyhelp {
	const char *name;
	const char *help;
};

extern const struct linesview_keyhelp linesview_keys[];

#endif
