/*
 * The lines pane (see linesview.h). The view keeps the table as loaded and,
 * per function, the selected line and the first line shown, so that moving
 * between functions comes back to where each was left. Drawing reads only
 * these; the geometry of the last frame is kept for the mouse.
 *
 * Columns: a time table has line_profiler's (Line, Hits, Time, Per hit,
 * % Time) with times in readable units; a memory table memory_profiler's
 * (Line, Mem usage, Increment, Occurrences) in MiB. Then the heat bar, as
 * long as the line's time or |increment| against the function's largest,
 * then the source line.
 */
#include "config.h"

#include "tui/linesview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/xmalloc.h"
#include "tui/view.h"

#define MIB (1024.0 * 1024.0)
#define BAR_X 42 /* the heat bar's column; the numbers are to its left */
#define MAX_TABS 64 /* functions in the strip the mouse can find */

struct linesview {
	struct linetab t;
	char *title;
	int peak_only;
	int unicode;
	size_t cur; /* the function shown */
	size_t *sel; /* per function: the selected line */
	int *top; /* per function: the first line shown */

	/* the last frame, for the mouse */
	int tabs_y, rows_y, nvis;
	int ntabs;
	int tab_x0[MAX_TABS], tab_x1[MAX_TABS];
	size_t tab_func[MAX_TABS];
};

/* --- text helpers ------------------------------------------------------------------ */

static int
str_cols(const char *s)
{
	mbstate_t st;
	size_t len = strlen(s), i = 0;
	int cols = 0;

	memset(&st, 0, sizeof st);
	while (i < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			cols++;
			i++;
			continue;
		}
		w = wc == '\t' ? 2 : wcwidth(wc);
		cols += w < 0 ? 1 : w;
		i += n;
	}
	return cols;
}

static void
fill(WINDOW *win, int y, int x, int width, enum role r)
{
	cchar_t cc;
	wchar_t sp[2] = {' ', 0};

	setcchar(&cc, sp, view_attr(r), view_pair(r), NULL);
	for (int i = 0; i < width; i++)
		mvwadd_wch(win, y, x + i, &cc);
}

/* Draws s right-aligned in the width columns ending before x + width. */
static void
put_right(WINDOW *win, int y, int x, int width, const char *s, int maxx, enum role r)
{
	int c = str_cols(s);

	if (c > width)
		c = width;
	if (x + width - c < maxx)
		view_str(win, y, x + width - c, s, maxx - (x + width - c), r);
}

/* Draws s in width columns; when it is longer, its end with an ellipsis before it. */
static int
put_tail(WINDOW *win, int y, int x, const char *s, int width, enum role r, int unicode)
{
	const char *ell = unicode ? "\u2026" : "...";
	int ellw = unicode ? 1 : 3, total = str_cols(s), skip;
	const char *p = s;

	if (width <= 0)
		return 0;
	if (total <= width || width <= ellw)
		return view_str(win, y, x, s, width, r);
	skip = total - (width - ellw);
	/* Skip whole characters (continuation bytes go with their lead byte). */
	while (*p != '\0' && skip > 0) {
		p++;
		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
		skip--;
	}
	view_str(win, y, x, ell, ellw, ROLE_DIM);
	return ellw + view_str(win, y, x + ellw, p, width - ellw, r);
}

/* Draws the parts one after another on row y, two spaces apart; returns the column reached. */
static int
put_parts(WINDOW *win, int y, int w, const char *const *parts, const enum role *roles, int n)
{
	int x = 0;

	for (int i = 0; i < n && x < w; i++) {
		if (parts[i] == NULL || parts[i][0] == '\0')
			continue;
		if (x > 0)
			x += 2;
		if (x < w)
			x += view_str(win, y, x, parts[i], w - x, roles[i]);
	}
	return x;
}

/* "7.05 ms": ns with three significant digits in ns, us, ms or s (whole ns below 1 us). */
static void
fmt_time(char *s, size_t size, double ns, int unicode)
{
	static const char *const units[] = {"ns", "\u00b5s", "ms", "s"};
	const char *unit;
	double x = ns;
	int u = 0;

	/* The unit is chosen on the rounded value: 999.7 ns is 1.00 us. */
	while (u < 3 && x >= 999.5) {
		x /= 1e3;
		u++;
	}
	unit = u == 1 && !unicode ? "us" : units[u];
	if (u == 0 || x >= 99.95)
		snprintf(s, size, "%.0f %s", x, unit);
	else if (x >= 9.995)
		snprintf(s, size, "%.1f %s", x, unit);
	else
		snprintf(s, size, "%.2f %s", x, unit);
}

static void
fmt_mib(char *s, size_t size, long long bytes, int sign)
{
	double m = (double)bytes / MIB;
	int big = m >= 9999.95 || m <= -9999.95; /* whole MiB, to stay in the column */

	if (sign && bytes > 0)
		snprintf(s, size, big ? "+%.0f MiB" : "+%.1f MiB", m);
	else
		snprintf(s, size, big ? "%.0f MiB" : "%.1f MiB", m);
}

/* A count in at most 8 columns. */
static void
fmt_count(char *s, size_t size, unsigned long long n)
{
	if (n >= 100000000ULL)
		snprintf(s, size, "%.2e", (double)n);
	else
		snprintf(s, size, "%llu", n);
}

static const char *
plural(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* --- creating ---------------------------------------------------------------------- */

static const struct linetab_func *
lv_func(const struct linesview *v)
{
	return v->t.nfuncs > 0 ? &v->t.funcs[v->cur] : NULL;
}

static size_t
lv_nlines(const struct linesview *v)
{
	return v->t.nfuncs > 0 ? v->t.funcs[v->cur].nlines : 0;
}

static long long
line_value(const struct linesview *v, const struct linetab_line *l)
{
	if (!l->measured)
		return 0;
	return v->t.kind == LINETAB_TIME ? l->time_ns : l->incr;
}

/* The line with the largest |value| (the first of equals), else the first measured, else 0. */
static size_t
hottest(const struct linesview *v, const struct linetab_func *f)
{
	size_t best = (size_t)-1;
	long long bv = -1;

	for (size_t i = 0; i < f->nlines; i++) {
		long long x = line_value(v, &f->lines[i]);

		if (!f->lines[i].measured)
			continue;
		if (x < 0)
			x = -x;
		if (x > bv) {
			bv = x;
			best = i;
		}
	}
	return best == (size_t)-1 ? 0 : best;
}

struct linesview *
linesview_new(struct linetab *t, const char *title, int peak_only, int unicode)
{
	struct linesview *v = xcalloc(1, sizeof *v);

	v->t = *t;
	memset(t, 0, sizeof *t);
	v->title = xstrdup(title);
	v->peak_only = peak_only;
	v->unicode = unicode;
	v->sel = xcalloc(v->t.nfuncs + 1, sizeof *v->sel);
	v->top = xcalloc(v->t.nfuncs + 1, sizeof *v->top);
	for (size_t i = 0; i < v->t.nfuncs; i++) {
		v->sel[i] = hottest(v, &v->t.funcs[i]);
		v->top[i] = -1; /* centre the selection on the first frame */
	}
	return v;
}

void
linesview_free(struct linesview *v)
{
	if (v == NULL)
		return;
	linetab_free(&v->t);
	free(v->title);
	free(v->sel);
	free(v->top);
	free(v);
}

/* --- drawing ----------------------------------------------------------------------- */

/* The title, the instrument and, for memory, the whole run's peak. */
static void
draw_heading(struct linesview *v, WINDOW *win, int w)
{
	char what[64], peak[128];
	const char *parts[3];
	enum role roles[3] = {ROLE_HEADING, ROLE_TEXT, ROLE_TEXT};

	snprintf(what, sizeof what, "%s, %zu %s",
	    v->t.kind == LINETAB_TIME ? "line timer" : "line memory meter", v->t.nfuncs,
	    plural(v->t.nfuncs, "function", "functions"));
	if (v->peak_only)
		snprintf(what, sizeof what, "memory meter, the whole run (--peak)");
	peak[0] = '\0';
	if (v->t.kind == LINETAB_MEMORY && v->t.has_peak && !v->peak_only) {
		char p[32], inc[32];

		fmt_mib(p, sizeof p, v->t.peak_bytes, 0);
		fmt_mib(inc, sizeof inc, v->t.peak_bytes - v->t.base_bytes, 0);
		snprintf(peak, sizeof peak, "whole run: peak %s, increment %s", p, inc);
	}
	parts[0] = v->title;
	parts[1] = what;
	parts[2] = peak;
	put_parts(win, 0, w, parts, roles, 3);
}

/* The functions side by side, the one shown selected; scrolled so that it is seen. */
static void
draw_tabs(struct linesview *v, WINDOW *win, int y, int w)
{
	int x = 0, shift = 0, end = 0;

	v->tabs_y = y;
	v->ntabs = 0;
	for (size_t i = 0; i <= v->cur; i++)
		end += str_cols(v->t.funcs[i].qualname) + 2 + (i > 0);
	if (end > w)
		shift = end - w;
	for (size_t i = 0; i < v->t.nfuncs; i++) {
		const struct linetab_func *f = &v->t.funcs[i];
		int c = str_cols(f->qualname) + 2, x0 = x - shift;
		enum role r = i == v->cur ? ROLE_SELECTED : f->calls == 0 ? ROLE_DIM : ROLE_TEXT;
		char *s;

		x += c + 1;
		if (x0 + c <= 0)
			continue;
		if (x0 >= w)
			break;
		s = xasprintf(" %s ", f->qualname);
		if (x0 < 0)
			put_tail(win, y, 0, s, c + x0, r, v->unicode);
		else
			view_str(win, y, x0, s, w - x0, r);
		free(s);
		if (v->ntabs < MAX_TABS) {
			v->tab_x0[v->ntabs] = x0 < 0 ? 0 : x0;
			v->tab_x1[v->ntabs] = x0 + c;
			v->tab_func[v->ntabs++] = i;
		}
	}
}

/* The function's name, where it is, its calls and its total. */
static void
draw_func_header(struct linesview *v, WINDOW *win, int y, int w, const struct linetab_func *f)
{
	char where[32], calls[64], total[160], a[32], b[32];
	const char *parts[3];
	enum role roles[3] = {ROLE_EXERCISE, ROLE_TEXT, ROLE_TEXT};
	int x, room;

	snprintf(calls, sizeof calls, "%llu %s", f->calls, plural(f->calls, "call", "calls"));
	total[0] = '\0';
	if (f->calls == 0) {
		snprintf(total, sizeof total, "never ran: nothing was measured");
		roles[2] = ROLE_BOLD;
	} else if (v->t.kind == LINETAB_TIME) {
		fmt_time(a, sizeof a, (double)f->total_ns, v->unicode);
		fmt_time(b, sizeof b, (double)f->total_ns / (double)f->calls, v->unicode);
		snprintf(total, sizeof total, "total time %s, %s per call", a, b);
	} else {
		long long peak = 0, incr = 0;
		long at = 0;

		for (size_t i = 0; i < f->nlines; i++) {
			const struct linetab_line *l = &f->lines[i];

			if (!l->measured)
				continue;
			if (l->mem > peak)
				peak = l->mem;
			if (at == 0 || l->incr > incr) {
				incr = l->incr;
				at = l->lineno;
			}
		}
		fmt_mib(a, sizeof a, peak, 0);
		fmt_mib(b, sizeof b, incr, 1);
		if (at != 0)
			snprintf(total, sizeof total, "peak %s, largest increment %s (line %ld)", a,
			    b, at);
	}
	if (!f->has_source && f->nlines > 0)
		strncat(total, total[0] != '\0' ? "; source not found" : "source not found",
		    sizeof total - strlen(total) - 1);
	parts[0] = f->qualname;
	parts[1] = calls;
	parts[2] = total;
	x = put_parts(win, y, w, parts, roles, 3);
	/* Then where it is, cut at its start when the row is short. */
	snprintf(where, sizeof where, ":%ld", f->firstline);
	room = w - x - 2 - (int)strlen(where);
	if (x + 2 < w && room >= 8) {
		x += 2;
		x += put_tail(win, y, x, f->file, room, ROLE_DIM, v->unicode);
		view_str(win, y, x, where, w - x, ROLE_DIM);
	}
}

static int
bar_width(int w)
{
	return w >= 110 ? 20 : w >= 90 ? 14 : 10;
}

static void
draw_col_header(struct linesview *v, WINDOW *win, int y, int w)
{
	int src = BAR_X + bar_width(w) + 2;

	if (v->t.kind == LINETAB_TIME) {
		put_right(win, y, 0, 5, "Line", w, ROLE_BOLD);
		put_right(win, y, 6, 8, "Hits", w, ROLE_BOLD);
		put_right(win, y, 15, 9, "Time", w, ROLE_BOLD);
		put_right(win, y, 25, 9, "Per hit", w, ROLE_BOLD);
		put_right(win, y, 35, 6, "% Time", w, ROLE_BOLD);
	} else {
		put_right(win, y, 0, 5, "Line", w, ROLE_BOLD);
		put_right(win, y, 6, 10, "Mem usage", w, ROLE_BOLD);
		put_right(win, y, 17, 10, "Increment", w, ROLE_BOLD);
		put_right(win, y, 28, 11, "Occurrences", w, ROLE_BOLD);
	}
	if (src < w)
		view_str(win, y, src, "Line Contents", w - src, ROLE_BOLD);
}

/* The heat bar of one line: |value| against the function's largest, in bw columns. */
static void
draw_bar(struct linesview *v, WINDOW *win, int y, int bw, int w, const struct linetab_func *f,
    const struct linetab_line *l)
{
	static const char *const eighths[8] = {
	    "", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589"};
	long long x = line_value(v, l), ax = x < 0 ? -x : x;
	double frac;
	int units, full, rem;
	enum role r;

	if (!l->measured || ax == 0 || f->max_abs <= 0 || BAR_X >= w)
		return;
	if (bw > w - BAR_X)
		bw = w - BAR_X;
	frac = (double)ax / (double)f->max_abs;
	if (frac > 1)
		frac = 1;
	if (x < 0)
		r = ROLE_STRING;
	else if (frac >= 0.5)
		r = ROLE_ERROR;
	else if (frac >= 0.1)
		r = ROLE_MEM;
	else
		r = ROLE_CPU;
	if (x < 0) {
		/* Memory given back: shaded cells (dashes in ASCII), whole cells only. */
		full = (int)(frac * bw + 0.5);
		if (full < 1)
			full = 1;
		for (int i = 0; i < full; i++)
			view_str(win, y, BAR_X + i, v->unicode ? "\u2591" : "-", 1, r);
		return;
	}
	if (!v->unicode) {
		full = (int)(frac * bw + 0.5);
		for (int i = 0; i < full; i++)
			view_str(win, y, BAR_X + i, "#", 1, r);
		if (full == 0)
			view_str(win, y, BAR_X, ".", 1, r);
		return;
	}
	units = (int)(frac * bw * 8 + 0.5);
	if (units < 1)
		units = 1;
	full = units / 8;
	rem = units % 8;
	for (int i = 0; i < full; i++)
		view_str(win, y, BAR_X + i, "\u2588", 1, r);
	if (rem > 0 && full < bw)
		view_str(win, y, BAR_X + full, eighths[rem], 1, r);
}

static void
draw_line(struct linesview *v, WINDOW *win, int y, int w, const struct linetab_func *f, size_t i)
{
	const struct linetab_line *l = &f->lines[i];
	int selected = i == v->sel[v->cur], bw = bar_width(w), src = BAR_X + bw + 2;
	enum role r = selected ? ROLE_SELECTED : ROLE_TEXT;
	char s[48];

	if (selected)
		fill(win, y, 0, w, r);
	snprintf(s, sizeof s, "%ld", l->lineno);
	put_right(win, y, 0, 5, s, w, selected ? r : ROLE_DIM);
	if (l->measured && v->t.kind == LINETAB_TIME) {
		fmt_count(s, sizeof s, l->hits);
		put_right(win, y, 6, 8, s, w, r);
		fmt_time(s, sizeof s, (double)l->time_ns, v->unicode);
		put_right(win, y, 15, 9, s, w, r);
		if (l->hits > 0) {
			fmt_time(s, sizeof s, (double)l->time_ns / (double)l->hits, v->unicode);
			put_right(win, y, 25, 9, s, w, r);
		}
		if (f->total_ns > 0) {
			snprintf(
			    s, sizeof s, "%.1f", 100.0 * (double)l->time_ns / (double)f->total_ns);
			put_right(win, y, 35, 6, s, w, r);
		}
	} else if (l->measured) {
		fmt_mib(s, sizeof s, l->mem, 0);
		put_right(win, y, 6, 10, s, w, r);
		fmt_mib(s, sizeof s, l->incr, 1);
		put_right(win, y, 17, 10, s, w, selected ? r : l->incr < 0 ? ROLE_STRING : r);
		fmt_count(s, sizeof s, l->hits);
		put_right(win, y, 28, 11, s, w, r);
	}
	draw_bar(v, win, y, bw, w, f, l);
	if (src < w)
		view_str(win, y, src, l->text, w - src,
		    selected          ? r
		        : l->measured ? ROLE_CODE
		                      : ROLE_DIM);
}

/* The selected line's numbers in words, on the pane's last row. */
static void
draw_footer(struct linesview *v, WINDOW *win, int y, int w, const struct linetab_func *f)
{
	const struct linetab_line *l;
	char s[256], a[32], b[32];

	if (f->calls == 0) {
		snprintf(s, sizeof s, "%s never ran (0 calls): no line was measured", f->qualname);
		view_str(win, y, 0, s, w, ROLE_DIM);
		return;
	}
	if (f->nlines == 0)
		return;
	l = &f->lines[v->sel[v->cur]];
	if (!l->measured) {
		snprintf(
		    s, sizeof s, "line %ld: nothing measured (not run, or not code)", l->lineno);
	} else if (v->t.kind == LINETAB_TIME) {
		fmt_time(a, sizeof a, (double)l->time_ns, v->unicode);
		fmt_time(b, sizeof b, l->hits > 0 ? (double)l->time_ns / (double)l->hits : 0,
		    v->unicode);
		snprintf(s, sizeof s,
		    "line %ld: %llu %s, %s in all, %s per hit, %.1f %% of %s's time", l->lineno,
		    l->hits, plural(l->hits, "hit", "hits"), a, b,
		    f->total_ns > 0 ? 100.0 * (double)l->time_ns / (double)f->total_ns : 0.0,
		    f->qualname);
	} else {
		fmt_mib(a, sizeof a, l->incr, 1);
		fmt_mib(b, sizeof b, l->mem, 0);
		snprintf(s, sizeof s, "line %ld: %llu %s, increment %s%s, %s in use after it",
		    l->lineno, l->hits, plural(l->hits, "occurrence", "occurrences"), a,
		    l->incr < 0 ? " (memory given back)" : "", b);
	}
	view_str(win, y, 0, s, w, ROLE_DIM);
}

/* --peak: the whole run's peak and increment, in %memit's words. */
static void
draw_peak(struct linesview *v, WINDOW *win, int w)
{
	char s[128];

	if (!v->t.has_peak) {
		view_str(win, 2, 2, "The run's peak memory was not measured.", w - 4, ROLE_DIM);
		return;
	}
	snprintf(s, sizeof s, "peak memory: %.2f MiB, increment: %.2f MiB",
	    (double)v->t.peak_bytes / MIB, (double)(v->t.peak_bytes - v->t.base_bytes) / MIB);
	view_str(win, 2, 2, s, w - 4, ROLE_EXERCISE);
	view_str(win, 4, 2, "The peak: the most resident memory the run used at any moment.", w - 4,
	    ROLE_DIM);
	view_str(win, 5, 2, "The increment: how much more that is than before the script started.",
	    w - 4, ROLE_DIM);
}

/* Keeps the selection in sight: on the first frame near the middle, then as it moves. */
static void
scroll_to_sel(struct linesview *v, const struct linetab_func *f)
{
	int sel = (int)v->sel[v->cur], n = (int)f->nlines, *top = &v->top[v->cur];

	if (*top < 0)
		*top = sel - v->nvis / 3;
	if (sel < *top)
		*top = sel;
	if (sel >= *top + v->nvis)
		*top = sel - v->nvis + 1;
	if (*top + v->nvis > n)
		*top = n - v->nvis;
	if (*top < 0)
		*top = 0;
}

void
linesview_draw(struct linesview *v, WINDOW *win)
{
	const struct linetab_func *f = lv_func(v);
	int h, w, y;

	getmaxyx(win, h, w);
	werase(win);
	v->ntabs = 0;
	v->nvis = 0;
	if (h < 6 || w < 40) {
		view_str(win, 0, 0, "(lines: too small)", w, ROLE_DIM);
		return;
	}
	draw_heading(v, win, w);
	if (v->peak_only) {
		draw_peak(v, win, w);
		return;
	}
	if (f == NULL) {
		view_str(win, 2, 2,
		    v->t.kind == LINETAB_MEMORY && v->t.has_peak
		        ? "No function was measured line by line: only the whole run's peak."
		        : "No function was measured: name one with -f, or decorate it with "
		          "@profile.",
		    w - 4, ROLE_DIM);
		return;
	}
	y = 1;
	if (v->t.nfuncs > 1)
		draw_tabs(v, win, y++, w);
	draw_func_header(v, win, y++, w, f);
	draw_col_header(v, win, y++, w);
	v->rows_y = y;
	v->nvis = h - 1 - y;
	if (f->nlines == 0) {
		view_str(win, y, 2, "(no lines to show: the source is missing and nothing ran)",
		    w - 2, ROLE_DIM);
		draw_footer(v, win, h - 1, w, f);
		return;
	}
	scroll_to_sel(v, f);
	for (int i = 0; i < v->nvis && (size_t)(v->top[v->cur] + i) < f->nlines; i++)
		draw_line(v, win, y + i, w, f, (size_t)(v->top[v->cur] + i));
	draw_footer(v, win, h - 1, w - 4, f);
	if ((size_t)(v->top[v->cur] + v->nvis) < f->nlines)
		view_str(win, h - 1, w - 3, v->unicode ? " \u2193 " : " v ", 3, ROLE_DIM);
}

/* --- keys and the mouse ------------------------------------------------------------ */

static void
move_sel(struct linesview *v, long d)
{
	const struct linetab_func *f = lv_func(v);
	long s;

	if (f == NULL || f->nlines == 0)
		return;
	s = (long)v->sel[v->cur] + d;
	if (s < 0)
		s = 0;
	if (s >= (long)f->nlines)
		s = (long)f->nlines - 1;
	v->sel[v->cur] = (size_t)s;
}

static void
move_func(struct linesview *v, int d)
{
	if (v->t.nfuncs == 0)
		return;
	v->cur = (v->cur + v->t.nfuncs + (size_t)(d > 0 ? 1 : v->t.nfuncs - 1)) % v->t.nfuncs;
}

int
linesview_key(struct linesview *v, int code, int wide)
{
	int page = v->nvis > 2 ? v->nvis - 1 : 1;

	if (v->peak_only)
		return 0;
	if (wide) {
		switch (code) {
		case 'j':
			move_sel(v, 1);
			return 1;
		case 'k':
			move_sel(v, -1);
			return 1;
		case 'n':
		case '\t':
			move_func(v, 1);
			return 1;
		case 'p':
			move_func(v, -1);
			return 1;
		}
		return 0;
	}
	switch (code) {
	case KEY_DOWN:
		move_sel(v, 1);
		return 1;
	case KEY_UP:
		move_sel(v, -1);
		return 1;
	case KEY_NPAGE:
		move_sel(v, page);
		return 1;
	case KEY_PPAGE:
		move_sel(v, -page);
		return 1;
	case KEY_HOME:
		move_sel(v, -(long)lv_nlines(v));
		return 1;
	case KEY_END:
		move_sel(v, (long)lv_nlines(v));
		return 1;
	case KEY_BTAB:
		move_func(v, -1);
		return 1;
	}
	return 0;
}

int
linesview_mouse(struct linesview *v, int y, int x, mmask_t bstate)
{
	const struct linetab_func *f = lv_func(v);

	if (v->peak_only)
		return 0;
	if (bstate & BUTTON4_PRESSED) {
		move_sel(v, -3);
		return 1;
	}
	if (bstate & BUTTON5_PRESSED) {
		move_sel(v, 3);
		return 1;
	}
	if (!(bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) || f == NULL)
		return 0;
	if (y == v->tabs_y && v->ntabs > 0) {
		for (int i = 0; i < v->ntabs; i++) {
			if (x >= v->tab_x0[i] && x < v->tab_x1[i]) {
				v->cur = v->tab_func[i];
				return 1;
			}
		}
		return 0;
	}
	if (y < v->rows_y || y >= v->rows_y + v->nvis || v->top[v->cur] < 0)
		return 0;
	if ((size_t)(v->top[v->cur] + y - v->rows_y) >= f->nlines)
		return 0;
	v->sel[v->cur] = (size_t)(v->top[v->cur] + y - v->rows_y);
	return 1;
}

/* --- help -------------------------------------------------------------------------- */

const char *
linesview_hint(const struct linesview *v)
{
	if (v->peak_only)
		return "Esc: back ";
	if (v->t.nfuncs > 1)
		return "arrows: line  n p: function  Esc: back ";
	return "arrows: line  Esc: back ";
}

const struct linesview_keyhelp linesview_keys[] = {
    {"Up Down j k", "select a line (PgUp, PgDn, Home, End too)"},
    {"n, Tab", "the next profiled function"},
    {"p, Shift-Tab", "the previous profiled function"},
    {"Esc, Bksp", "back where the lines came from (Esc stops a run first)"},
    {"mouse", "click a line to select it, a function's name to show it"},
    {NULL, NULL},
};
