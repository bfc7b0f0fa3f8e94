/*
 * The history pane (see histview.h). The view keeps the history as loaded,
 * the selected and the marked run (indexes into it) and the first row
 * shown; drawing reads only these, and keeps the last frame's geometry for
 * the mouse.
 *
 * The window holds, from the top: a title line; the column headings; one
 * row per run (the selected one with a pointer and in reverse, the marked
 * one with a star); a rule; the comparison. The list gets the rows the
 * comparison leaves it, three at least; the comparison is cut at the bottom
 * of a short window.
 */
#include "config.h"

#include "tui/histview.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "tui/view.h"

struct histview {
	struct history h;
	char *script;
	char *path;
	int unicode;
	int sel; /* the selected run, -1 when there is none */
	int mark; /* the marked run, or -1 */
	int top; /* the first run shown */
	/* the last frame, for the keys and the mouse */
	int list_y;
	int list_rows;
};

/* One line of the comparison. */
struct hv_line {
	char *text;
	enum role role;
};

struct hv_lines {
	struct hv_line *l;
	int n;
};

struct histview *
histview_new(struct history *h, const char *script, const char *path, int unicode)
{
	struct histview *v = xcalloc(1, sizeof *v);

	v->h = *h;
	memset(h, 0, sizeof *h);
	v->script = xstrdup(script);
	v->path = xstrdup(path);
	v->unicode = unicode;
	v->sel = v->h.n - 1;
	v->mark = -1;
	v->list_rows = 1;
	return v;
}

void
histview_free(struct histview *v)
{
	if (v == NULL)
		return;
	history_free(&v->h);
	free(v->script);
	free(v->path);
	free(v);
}

const char *
histview_script(const struct histview *v)
{
	return v->script;
}

/* --- the comparison's lines --------------------------------------------------------- */

static void hv_add(struct hv_lines *ls, enum role r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
hv_add(struct hv_lines *ls, enum role r, const char *fmt, ...)
{
	va_list ap;

	ls->l = xreallocarray(ls->l, (size_t)ls->n + 1, sizeof *ls->l);
	va_start(ap, fmt);
	ls->l[ls->n].text = xvasprintf(fmt, ap);
	va_end(ap);
	ls->l[ls->n++].role = r;
}

static void
hv_lines_free(struct hv_lines *ls)
{
	for (int i = 0; i < ls->n; i++)
		free(ls->l[i].text);
	free(ls->l);
	memset(ls, 0, sizeof *ls);
}

/* "#2  2026-11-25 03:00:00  profile, status 0, machine e5dd1a27, arguments: 1000" */
static void
hv_describe(struct hv_lines *ls, const struct histview *v, int i)
{
	const struct history_entry *e = &v->h.entries[i];
	char when[32];

	history_format_when(when, sizeof when, e);
	hv_add(ls, ROLE_TEXT, "  #%d  %s  %s, status %d, machine %s%s%s", i + 1, when, e->kind,
	    e->status, e->machine_id != NULL ? e->machine_id : "unknown",
	    e->args[0] != '\0' ? ", arguments: " : "", e->args);
}

/* One side of the top functions: "   ncalls   tottime  function", cut to width. */
static void
hv_top_cell(struct buf *b, const struct history_entry *e, int k, int width)
{
	char cell[512], calls[48];
	int len;

	if (k == -1)
		snprintf(cell, sizeof cell, "%9s  %8s  %s", "ncalls", "tottime", "function");
	else if (k < e->ntop) {
		history_format_calls(calls, sizeof calls, &e->top[k]);
		snprintf(
		    cell, sizeof cell, "%9s  %8.3f  %s", calls, e->top[k].tottime, e->top[k].name);
	} else if (k == 0)
		snprintf(cell, sizeof cell, "%9s  %8s  %s", "", "", "(not profiled)");
	else
		cell[0] = '\0';
	if (width < 0)
		width = 0;
	len = (int)strlen(cell);
	if (len > width) {
		/* Cut at a character's start: a name may be UTF-8. */
		len = width;
		while (len > 0 && ((unsigned char)cell[len] & 0xc0) == 0x80)
			len--;
	}
	buf_add(b, cell, (size_t)len);
	while (len++ < width)
		buf_addc(b, ' ');
}

/* The top functions of before and after side by side (after < 0: before's alone). */
static void
hv_tops(struct hv_lines *ls, const struct histview *v, int before, int after, int width)
{
	const struct history_entry *b = &v->h.entries[before];
	const struct history_entry *a = after >= 0 ? &v->h.entries[after] : NULL;
	int rows = b->ntop, half = (width - 5) / 2;
	struct buf line;

	if (a != NULL && a->ntop > rows)
		rows = a->ntop;
	if (rows == 0)
		return;
	if (a == NULL)
		half = width - 2;
	if (a != NULL)
		hv_add(ls, ROLE_HEADING,
		    "  Top functions by internal time: #%d on the left, #%d on the right",
		    before + 1, after + 1);
	else
		hv_add(ls, ROLE_HEADING, "  Top functions by internal time: #%d", before + 1);
	buf_init(&line);
	for (int k = -1; k < rows; k++) {
		buf_reset(&line);
		buf_adds(&line, "  ");
		hv_top_cell(&line, b, k, half);
		if (a != NULL) {
			buf_adds(&line, v->unicode ? " \u2502 " : " | ");
			hv_top_cell(&line, a, k, half);
		}
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.len--;
		buf_addc(&line, '\0');
		hv_add(ls, k == -1 ? ROLE_DIM : ROLE_TEXT, "%s", line.data);
	}
	buf_free(&line);
}

/* "not like for like: another machine, other arguments" when before and after differ. */
static void
hv_unlike(struct hv_lines *ls, const struct history_entry *b, const struct history_entry *a, int bi,
    int ai)
{
	struct buf w;

	buf_init(&w);
	if (strcmp(b->kind, a->kind) != 0)
		buf_addf(&w, ", %s against %s", b->kind, a->kind);
	if ((b->machine_id == NULL) != (a->machine_id == NULL) ||
	    (b->machine_id != NULL && strcmp(b->machine_id, a->machine_id) != 0))
		buf_adds(&w, ", another machine");
	if (strcmp(b->args, a->args) != 0)
		buf_adds(&w, ", other arguments");
	if (b->status != 0)
		buf_addf(&w, ", #%d failed (status %d)", bi + 1, b->status);
	if (a->status != 0)
		buf_addf(&w, ", #%d failed (status %d)", ai + 1, a->status);
	if (w.len > 0)
		hv_add(ls, ROLE_EXERCISE, "  not like for like: %s", w.data + 2);
	buf_free(&w);
}

/* The comparison of run bi (the older) with run ai. */
static void
hv_compare(struct hv_lines *ls, const struct histview *v, int bi, int ai, int width)
{
	const struct history_entry *b = &v->h.entries[bi], *a = &v->h.entries[ai];
	struct buf t;

	hv_describe(ls, v, bi);
	hv_describe(ls, v, ai);
	buf_init(&t);
	history_format_change(&t, b, a);
	hv_add(ls, ROLE_BOLD, "  #%d -> #%d: %s", bi + 1, ai + 1, t.data);
	hv_add(ls, ROLE_TEXT, "  cpu (user + sys): %.2f s -> %.2f s", b->user + b->sys,
	    a->user + a->sys);
	buf_reset(&t);
	if (history_format_top_change(&t, b, a) == 0)
		hv_add(ls, ROLE_TEXT, "  %s", t.data);
	buf_free(&t);
	hv_unlike(ls, b, a, bi, ai);
	hv_tops(ls, v, bi, ai, width);
}

static void
hv_comparison(struct hv_lines *ls, const struct histview *v, int width)
{
	int sel = v->sel, mark = v->mark, base;

	if (sel < 0)
		return;
	if (mark >= 0 && mark != sel) {
		int bi = mark < sel ? mark : sel, ai = mark < sel ? sel : mark;

		hv_add(ls, ROLE_HEADING, "#%d (%s) against #%d (%s); Space on #%d unmarks it",
		    bi + 1, bi == mark ? "marked" : "selected", ai + 1,
		    ai == mark ? "marked" : "selected", mark + 1);
		hv_compare(ls, v, bi, ai, width);
		return;
	}
	if (mark == sel) {
		hv_add(ls, ROLE_HEADING,
		    "#%d is marked: select another run to compare with it (Space unmarks it)",
		    sel + 1);
		hv_describe(ls, v, sel);
		hv_tops(ls, v, sel, -1, width);
		return;
	}
	base = history_baseline(&v->h, sel, &v->h.entries[sel]);
	if (base >= 0) {
		hv_add(ls, ROLE_HEADING,
		    "#%d against #%d, the last run before it of the same kind, arguments and "
		    "machine (Space marks a run to compare any two)",
		    sel + 1, base + 1);
		hv_compare(ls, v, base, sel, width);
		return;
	}
	hv_add(ls, ROLE_HEADING,
	    "#%d: no earlier run of the same kind, arguments and machine ended well (Space "
	    "marks a run to compare any two)",
	    sel + 1);
	hv_describe(ls, v, sel);
	hv_tops(ls, v, sel, -1, width);
}

/* --- drawing --------------------------------------------------------------------------- */

static void
hv_fill(WINDOW *win, int y, int x, int width, enum role r)
{
	cchar_t cc;
	wchar_t sp[2] = {' ', 0};

	setcchar(&cc, sp, view_attr(r), view_pair(r), NULL);
	for (int i = 0; i < width; i++)
		mvwadd_wch(win, y, x + i, &cc);
}

/* Run i's row, after the two marker columns. */
static void
hv_row(const struct histview *v, int i, struct buf *b)
{
	const struct history_entry *e = &v->h.entries[i];
	char when[32], peak[32];
	struct buf change;
	int base;

	history_format_when(when, sizeof when, e);
	if (e->peak_mb >= 0)
		snprintf(peak, sizeof peak, "%.1f MB", e->peak_mb);
	else
		snprintf(peak, sizeof peak, "-");
	buf_init(&change);
	/* A failed run proves nothing: no change is said of it. */
	base = e->status == 0 ? history_baseline(&v->h, i, e) : -1;
	if (base >= 0) {
		history_format_speed(&change, &v->h.entries[base], e);
		buf_addf(&change, " vs #%d", base + 1);
	} else {
		buf_adds(&change, "-");
	}
	buf_addf(b, "%3d %-19s %-7s %6d %7.2f s %7.2f s %10s  %-20s %-8s %s", i + 1, when, e->kind,
	    e->status, e->wall, e->user + e->sys, peak, change.data,
	    e->machine_id != NULL ? e->machine_id : "-", e->args);
	buf_free(&change);
}

void
histview_draw(struct histview *v, WINDOW *win)
{
	int h = getmaxy(win), w = getmaxx(win), y = 0, avail, n = v->h.n;
	struct hv_lines ls = {NULL, 0};
	struct buf b;
	char *s;

	werase(win);
	if (n == 0) {
		s = xasprintf("no runs of %s yet (kept in %s)", v->script, v->path);
		view_str(win, 0, 1, s, w - 2, ROLE_TEXT);
		free(s);
		v->list_rows = 1;
		v->list_y = 1;
		return;
	}
	s = xasprintf("%s: %d run%s, the newest at the bottom (kept in %s)", v->script, n,
	    n == 1 ? "" : "s", v->path);
	view_str(win, y++, 1, s, w - 2, ROLE_TITLE);
	free(s);
	s = xasprintf("  %3s %-19s %-7s %6s %9s %9s %10s  %-20s %-8s %s", "#", "when (UTC)", "kind",
	    "status", "wall", "cpu", "peak", "change", "machine", "arguments");
	view_str(win, y++, 1, s, w - 2, ROLE_HEADING);
	free(s);

	hv_comparison(&ls, v, w - 2);
	avail = h - y - 1;
	v->list_rows = n;
	if (v->list_rows + ls.n > avail)
		v->list_rows = avail - ls.n;
	if (v->list_rows < 3)
		v->list_rows = 3;
	if (v->list_rows > n)
		v->list_rows = n;
	if (v->list_rows > avail)
		v->list_rows = avail > 1 ? avail : 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + v->list_rows)
		v->top = v->sel - v->list_rows + 1;
	if (v->top > n - v->list_rows)
		v->top = n - v->list_rows;
	if (v->top < 0)
		v->top = 0;
	v->list_y = y;

	buf_init(&b);
	for (int i = v->top; i < n && i < v->top + v->list_rows && y < h; i++, y++) {
		enum role r = i == v->sel ? ROLE_SELECTED
		    : i == v->mark        ? ROLE_EXERCISE
		                          : ROLE_TEXT;

		buf_reset(&b);
		buf_adds(&b, i == v->sel ? (v->unicode ? "\u25b6" : ">") : " ");
		buf_adds(&b, i == v->mark ? (v->unicode ? "\u25cf" : "*") : " ");
		hv_row(v, i, &b);
		if (i == v->sel)
			hv_fill(win, y, 1, w - 2, r);
		view_str(win, y, 1, b.data, w - 2, r);
	}
	buf_free(&b);
	if (y < h) {
		for (int x = 0; x < w; x++)
			view_str(win, y, x, v->unicode ? "\u2500" : "-", 1, ROLE_DIM);
		view_str(win, y, 2, " Compare ", 9, ROLE_DIM);
		y++;
	}
	for (int i = 0; i < ls.n && y < h; i++, y++)
		view_str(win, y, 1, ls.l[i].text, w - 2, ls.l[i].role);
	hv_lines_free(&ls);
}

/* --- keys and the mouse ------------------------------------------------------------------ */

int
histview_key(struct histview *v, int code, int wide)
{
	int page = v->list_rows > 1 ? v->list_rows - 1 : 1;

	if (wide && (code == 'j' || code == 'k'))
		code = code == 'j' ? KEY_DOWN : KEY_UP;
	else if (wide)
		return 0;
	switch (code) {
	case KEY_DOWN:
		v->sel++;
		break;
	case KEY_UP:
		v->sel--;
		break;
	case KEY_NPAGE:
		v->sel += page;
		break;
	case KEY_PPAGE:
		v->sel -= page;
		break;
	case KEY_HOME:
		v->sel = 0;
		break;
	case KEY_END:
		v->sel = v->h.n - 1;
		break;
	default:
		return 0;
	}
	if (v->sel > v->h.n - 1)
		v->sel = v->h.n - 1;
	if (v->sel < 0)
		v->sel = v->h.n > 0 ? 0 : -1;
	return 1;
}

void
histview_mark(struct histview *v)
{
	if (v->sel < 0)
		return;
	v->mark = v->mark == v->sel ? -1 : v->sel;
}

int
histview_mouse(struct histview *v, int y, int x, mmask_t bstate)
{
#ifdef BUTTON5_PRESSED
	if (bstate & BUTTON5_PRESSED)
		return histview_key(v, KEY_DOWN, 0);
#endif
	if (bstate & BUTTON4_PRESSED)
		return histview_key(v, KEY_UP, 0);
	if ((bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) && y >= v->list_y &&
	    y < v->list_y + v->list_rows && v->top + y - v->list_y < v->h.n) {
		v->sel = v->top + y - v->list_y;
		return 1;
	}
	return 0;
}

const char *
histview_hint(const struct histview *v)
{
	return v->mark >= 0 ? "Space: unmark/mark  Esc: back  ?: help "
	                    : "Space: mark to compare  Esc: back  ?: help ";
}
