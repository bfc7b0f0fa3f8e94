/*
 * The live graph: CPU % above, resident memory below, against elapsed
 * seconds, each auto-scaled to its maximum so far (CPU to at least 100 %),
 * with the current value and the maximum in its label and the phase markers
 * as labelled vertical lines. Drawn as area charts in Unicode braille cells
 * (2 x 4 dots a cell) or, in ASCII, as '#' columns.
 */
#include "config.h"

#include "tui/view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "core/plot.h"

#define AXIS_W 7 /* "100.0 " plus the axis line */

/* The largest value of samples whose time lies in [t0, t1); -1 when none. */
static double
column_max(const struct graph_view *g, int mem, double t0, double t1, size_t *from)
{
	double best = -1;
	size_t i = *from;

	while (i < g->nsamples && g->rec->samples[i].t < t0)
		i++;
	*from = i;
	for (; i < g->nsamples && g->rec->samples[i].t < t1; i++) {
		double v = mem ? g->rec->samples[i].rss_mb : g->rec->samples[i].cpu;

		if (v > best)
			best = v;
	}
	return best;
}

static void
put_wc(WINDOW *win, int y, int x, wchar_t ch, enum role r)
{
	wchar_t wc[2] = {ch, 0};
	cchar_t cc;

	setcchar(&cc, wc, view_attr(r), view_pair(r), NULL);
	mvwadd_wch(win, y, x, &cc);
}

/* One chart in rows [top, top + h) of win. */
static void
chart(WINDOW *win, const struct graph_view *g, int mem, int top, int h, int w, double tmax)
{
	enum role r = mem ? ROLE_MEM : ROLE_CPU;
	int cols = w - AXIS_W, rows = h - 1, dots_x, dots_y;
	double vmax = mem ? 1 : 100, cur = 0, peak = 0, *vals;
	size_t from = 0;
	char label[128], num[16];

	if (cols < 4 || rows < 1)
		return;
	for (size_t i = 0; i < g->nsamples; i++) {
		double v = mem ? g->rec->samples[i].rss_mb : g->rec->samples[i].cpu;

		if (v > peak)
			peak = v;
	}
	if (g->nsamples > 0)
		cur = mem ? g->rec->samples[g->nsamples - 1].rss_mb
		          : g->rec->samples[g->nsamples - 1].cpu;
	vmax = plot_nice_ceil(peak > vmax ? peak : vmax);
	if (mem)
		snprintf(label, sizeof label, "Memory %.1f MB   peak %.1f MB", cur, peak);
	else
		snprintf(label, sizeof label, "CPU %.0f %%   max %.0f %%  (100 %% = one core)", cur,
		    peak);
	view_str(win, top, 0, label, w, r);

	dots_x = g->unicode ? cols * 2 : cols;
	dots_y = g->unicode ? rows * 4 : rows;
	vals = xcalloc((size_t)dots_x, sizeof *vals);
	for (int x = 0; x < dots_x; x++) {
		double t0 = tmax * x / dots_x, t1 = tmax * (x + 1) / dots_x;

		vals[x] = column_max(g, mem, t0, t1, &from);
	}
	/* A column with no sample between two that have one repeats the last value. */
	for (int x = 1; x < dots_x; x++) {
		if (x < dots_x - 1 && vals[x] < 0 && g->nsamples > 0 &&
		    tmax * x / dots_x < g->rec->samples[g->nsamples - 1].t)
			vals[x] = vals[x - 1];
	}
	for (int row = 0; row < rows; row++) {
		int y = top + 1 + row;

		if (row == 0 || row == rows - 1) {
			double v = row == 0 ? vmax : 0;

			snprintf(num, sizeof num, "%6.*f", vmax < 10 && mem ? 1 : 0, v);
			view_str(win, y, 0, num, 6, ROLE_DIM);
		}
		put_wc(win, y, AXIS_W - 1, g->unicode ? 0x2502 : '|', ROLE_DIM);
		for (int c = 0; c < cols; c++) {
			int bits = 0;

			if (g->unicode) {
				/* Dots from the bottom of the chart, left and right halves. */
				static const int left[4] = {0x40, 0x04, 0x02, 0x01};
				static const int right[4] = {0x80, 0x20, 0x10, 0x08};

				for (int half = 0; half < 2; half++) {
					double v = vals[c * 2 + half];
					int filled;

					if (v < 0)
						continue;
					filled = (int)lround(v / vmax * dots_y);
					if (filled == 0 && v > 0)
						filled = 1;
					for (int d = 0; d < 4; d++) {
						int dot = (rows - 1 - row) * 4 + d;

						if (dot < filled)
							bits |= half == 0 ? left[d] : right[d];
					}
				}
				if (bits != 0)
					put_wc(win, y, AXIS_W + c, 0x2800 + bits, r);
			} else {
				double v = vals[c];
				int filled = v < 0 ? 0 : (int)lround(v / vmax * dots_y);

				if (v > 0 && filled == 0)
					filled = 1;
				if (rows - 1 - row < filled)
					put_wc(win, y, AXIS_W + c, '#', r);
			}
		}
	}
	free(vals);
	/* Phase markers. */
	for (size_t i = 0; i < g->rec->nmarks; i++) {
		const struct mark *m = &g->rec->marks[i];
		int c = (int)(m->t / tmax * cols);

		if (c < 0 || c >= cols)
			continue;
		for (int row = 0; row < rows; row++) {
			if ((mvwinch(win, top + 1 + row, AXIS_W + c) & A_CHARTEXT) == ' ')
				put_wc(win, top + 1 + row, AXIS_W + c, g->unicode ? 0x250a : ':',
				    ROLE_MARK);
		}
		if (!mem)
			view_str(win, top + 1, AXIS_W + c + 1, m->label, cols - c - 1, ROLE_MARK);
	}
}

void
graph_draw(WINDOW *win, const struct graph_view *g)
{
	int h, w, top_h;
	double tmax = 10, tlast = 0;
	char axis[64];

	getmaxyx(win, h, w);
	werase(win);
	if (h < 6 || w < 20) {
		view_str(win, 0, 0, "(graph: too small)", w, ROLE_DIM);
		return;
	}
	if (g->nsamples > 0)
		tlast = g->rec->samples[g->nsamples - 1].t;
	while (tmax < tlast * 1.05)
		tmax = plot_nice_ceil(tmax * 1.5);
	top_h = (h - 1) / 2;
	chart(win, g, 0, 0, top_h, w, tmax);
	chart(win, g, 1, top_h, h - 1 - top_h, w, tmax);
	snprintf(axis, sizeof axis, "0 s%*s%.0f s", w - AXIS_W - 3 - 6, "", tmax);
	view_str(win, h - 1, AXIS_W, axis, w - AXIS_W, ROLE_DIM);
	/* Which machine the recording was made on: the fingerprint's id, mid-axis. */
	if (g->rec->machine != NULL && w - AXIS_W >= 40) {
		char id[24];

		snprintf(id, sizeof id, " %.16s ", g->rec->machine);
		view_str(win, h - 1, AXIS_W + (w - AXIS_W) / 2 - 9, id, 18, ROLE_DIM);
	}
	if (g->frozen)
		view_str(win, h - 1, AXIS_W + 4, " FROZEN: space resumes (the run goes on) ",
		    w - AXIS_W - 10, ROLE_SELECTED);
	else if (g->nsamples == 0 && !g->running)
		view_str(win, 2, AXIS_W + 2, "Run an exercise (Enter) to see its CPU and memory",
		    w - AXIS_W - 3, ROLE_DIM);
}
