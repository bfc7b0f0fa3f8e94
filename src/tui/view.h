/*
 * What the TUI's views share: the application state they read, the colour
 * roles they draw with, and the view functions app.c calls. Views read the
 * models (lessons, the run, its recording, the output buffer) and never hold
 * the truth; app.c owns everything here.
 */
#ifndef PROFLAB_TUI_VIEW_H
#define PROFLAB_TUI_VIEW_H

#include <curses.h>
#include <stddef.h>
#include <wchar.h>

#include "core/lesson.h"
#include "core/outbuf.h"
#include "core/progress.h"
#include "core/recording.h"

/* Colour roles; app.c maps them to pairs and attributes for the terminal. */
enum role {
	ROLE_TEXT,
	ROLE_DIM,
	ROLE_HEADING,
	ROLE_BOLD,
	ROLE_ITALIC,
	ROLE_CODE_INLINE,
	ROLE_CODE,
	ROLE_KEYWORD,
	ROLE_STRING,
	ROLE_COMMENT,
	ROLE_NUMBER,
	ROLE_QUOTE,
	ROLE_EXERCISE,
	ROLE_SELECTED,
	ROLE_DONE,
	ROLE_STDERR,
	ROLE_CPU,
	ROLE_MEM,
	ROLE_MARK,
	ROLE_STATUS,
	ROLE_ERROR,
	ROLE_TITLE,
	ROLE_DIVIDER, /* the profile's calls mode: the function between its callers and callees */
	ROLE_BAR1, /* icicle bars, alternating */
	ROLE_BAR2,
	ROLE_BAR_SEL,
	ROLE_NROLES
};

struct cell {
	wchar_t ch;
	unsigned char role;
};

/* One laid-out line of the lesson pane. */
struct lline {
	struct cell *cells;
	int ncells;
	int block; /* index of the lesson block it shows, -1 for spacing */
};

struct lesson_layout {
	struct lline *lines;
	int nlines;
	int width;
};

/* Lays out lesson l at `width` columns; sel is the selected exercise block or -1. */
void layout_lesson(struct lesson_layout *lay, const struct lesson *l, int width, int sel,
    const struct progress *pr, int unicode);
/* Lays out only block `sel` (presenter mode) with a short header. */
void layout_exercise_only(struct lesson_layout *lay, const struct lesson *l, int width, int sel,
    const struct progress *pr, int unicode);
void layout_free(struct lesson_layout *lay);
/* The first line that shows block b, or -1. */
int layout_find_block(const struct lesson_layout *lay, int b);

/* Draws cells at (y, x) of win, at most width columns. */
void view_cells(WINDOW *win, int y, int x, const struct cell *cells, int n, int width);
/* The attribute for a role (set up by app.c). */
attr_t view_attr(enum role r);
short view_pair(enum role r);
/* Rows a UTF-8 string takes wrapped at width columns (at least 1). */
int view_rows(const char *s, int width);
/* Draws it wrapped, skipping its first `skip` rows, at most maxrows rows. */
void view_wrapped(
    WINDOW *win, int y, int x, const char *s, int width, int skip, int maxrows, enum role r);
/* Draws a UTF-8 string, cut to width columns; returns the columns used. */
int view_str(WINDOW *win, int y, int x, const char *s, int width, enum role r);

struct graph_view {
	const struct recording *rec;
	size_t nsamples; /* how many of rec's samples to show (frozen: fewer) */
	double interval;
	int frozen;
	int unicode;
	int running;
};

/* Draws the CPU and memory charts into win (its whole size). */
void graph_draw(WINDOW *win, const struct graph_view *g);

#endif
