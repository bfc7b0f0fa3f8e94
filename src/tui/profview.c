/*
 * The profile pane (see profview.h). The view keeps the profile as loaded
 * and, once `d` is first pressed, a copy with directories stripped; every
 * function index it holds (selection, calls history, icicle path) is an
 * index into the profile shown, and is mapped over when `d` switches.
 *
 * The table's rows are rebuilt (sorted, reversed, filtered) when the sort,
 * the filter or the profile shown changes; the icicle's bars when the path,
 * the pane's size or the profile shown changes. Drawing reads only these.
 * The geometry of the last frame is kept for the mouse.
 */
#include "config.h"

#include "tui/profview.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "tui/view.h"

#define NONE ((size_t)-1)

enum pv_col { COL_NCALLS, COL_TOTTIME, COL_TPERCALL, COL_CUMTIME, COL_CPERCALL, COL_FUNC, NCOLS };

/* cProfile's columns: "%9s %8.3f %8.3f %8.3f %8.3f %s". */
static const struct {
	const char *name;
	int x, w;
	enum prof_field field;
} pcols[NCOLS] = {
    {"ncalls", 0, 9, PROF_F_CALLS},
    {"tottime", 10, 8, PROF_F_TIME},
    {"percall", 19, 8, PROF_F_TPERCALL},
    {"cumtime", 28, 8, PROF_F_CUMULATIVE},
    {"percall", 37, 8, PROF_F_CPERCALL},
    {"filename:lineno(function)", 46, 0, PROF_F_STDNAME},
};

/* The calls mode's columns: pstats' callers/callees "ncalls tottime cumtime". */
#define CALLS_FUNC_X 28

enum cline_kind { CL_LABEL_CALLERS, CL_CALLER, CL_SELF, CL_LABEL_CALLEES, CL_CALLEE, CL_NONE };

struct cline {
	enum cline_kind kind;
	size_t i; /* CL_CALLER, CL_CALLEE: the edge */
};

struct profview {
	struct prof prof[2]; /* as loaded; with directories stripped (once have_strip) */
	int have_strip;
	int strip;
	char *title;
	int unicode;
	enum profview_mode mode;

	/* table */
	struct prof_sort sort;
	int sortcol; /* COL_*, or -1 when the order is not one column's */
	int reversed;
	size_t *rows; /* function indexes, sorted and filtered */
	size_t nrows;
	size_t sel; /* index into rows */
	int top;
	char *filter; /* NULL: none */
	int editing;
	struct buf edit;

	/* calls */
	size_t cfunc;
	size_t *hist; /* functions walked from, the last on top */
	size_t nhist;
	size_t csel; /* callers first, then callees; NONE when there are none */
	int ctop;

	/* icicle */
	size_t *path;
	size_t npath;
	struct prof_bar *bars;
	size_t nbars;
	int bars_stale, bars_w, bars_avail;
	size_t bsel;
	int want; /* after the next layout, select want_func (on want_row, if >= 0) */
	size_t want_func;
	int want_row;
	int level_rows; /* terminal rows per level: 1 or 2 */

	char *explain; /* the box's text while it is open */
	size_t explain_func;

	/* the last frame, for the mouse */
	int h, w, hdr_y, rows_y, nvis;
};

static const struct prof *
pv_prof(const struct profview *v)
{
	return &v->prof[v->strip];
}

/* --- text helpers ------------------------------------------------------------------ */

static int
wc_cols(wchar_t c)
{
	int w = wcwidth(c);

	return w < 0 ? 1 : w;
}

/* Columns of a UTF-8 string; a bad byte counts as one. */
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

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			cols++;
			i++;
			continue;
		}
		cols += wc_cols(wc);
		i += n;
	}
	return cols;
}

/* Draws s in width columns; when it is longer, its end with an ellipsis before it. */
static void
put_tail(WINDOW *win, int y, int x, const char *s, int width, enum role r, int unicode)
{
	const char *ell = unicode ? "\u2026" : "...";
	int ellw = unicode ? 1 : 3, total = str_cols(s), skip;
	mbstate_t st;
	size_t len = strlen(s), i = 0;

	if (width <= 0)
		return;
	if (total <= width || width <= ellw) {
		view_str(win, y, x, s, width, r);
		return;
	}
	/* Skip the first columns so that the rest fits after the ellipsis. */
	skip = total - (width - ellw);
	memset(&st, 0, sizeof st);
	while (i < len && skip > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			skip--;
			i++;
			continue;
		}
		skip -= wc_cols(wc);
		i += n;
	}
	view_str(win, y, x, ell, ellw, ROLE_DIM);
	view_str(win, y, x + ellw, s + i, width - ellw, r);
}

/*
 * Draws s word-wrapped at width columns from row y, at most maxrows rows
 * (win NULL: only counts); returns the rows it takes.
 */
static int
put_wrapped(WINDOW *win, int y, int x, const char *s, int width, int maxrows, enum role r)
{
	mbstate_t st;
	size_t len = strlen(s), i = 0, start = 0, brk = 0;
	int cols = 0, rows = 0;

	memset(&st, 0, sizeof st);
	for (;;) {
		wchar_t wc = ' ';
		size_t n = 1;
		int w = 1;

		if (i < len) {
			n = mbrtowc(&wc, s + i, len - i, &st);
			if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
				memset(&st, 0, sizeof st);
				n = 1;
			} else {
				w = wc_cols(wc);
			}
		}
		if (i < len && wc == ' ' && i > start)
			brk = i;
		if (i >= len || (cols + w > width && i > start)) {
			size_t end = i, next = i;

			if (i < len && brk > start) {
				end = brk;
				next = brk + 1;
			}
			if (win != NULL && rows < maxrows) {
				char *line = xstrndup(s + start, end - start);

				view_str(win, y + rows, x, line, width, r);
				free(line);
			}
			rows++;
			if (i >= len)
				return rows;
			start = i = next;
			brk = start;
			cols = 0;
			memset(&st, 0, sizeof st);
			continue;
		}
		cols += w;
		i += n;
	}
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

/* Case-insensitive (ASCII) substring test. */
static int
contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++) {
		size_t i;

		for (i = 0; i < n && hay[i] != '\0'; i++) {
			if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
				break;
		}
		if (i == n)
			return 1;
	}
	return n == 0;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* "compute.py:main", or a built-in's name ("builtins.sum"); caller frees. */
static char *
short_name(const struct prof_func *f)
{
	const char *n = f->name;
	size_t len = strlen(n);

	if (strcmp(f->file, "~") != 0)
		return xasprintf("%s:%s", base_name(f->file), f->name);
	if (len >= 2 && n[0] == '<' && n[len - 1] == '>') {
		n++;
		len -= 2;
	}
	if (len > 16 && strncmp(n, "built-in method ", 16) == 0) {
		n += 16;
		len -= 16;
	} else if (len > 18 && strncmp(n, "built-in function ", 18) == 0) {
		n += 18;
		len -= 18;
	}
	return xstrndup(n, len);
}

static void
fmt_ncalls(char *s, size_t size, long long nc, long long cc)
{
	if (nc == cc)
		snprintf(s, size, "%lld", nc);
	else
		snprintf(s, size, "%lld/%lld", nc, cc);
}

/* Draws the parts one after another, two spaces apart, over at most maxlines
 * lines; returns the lines used. */
static int
draw_parts(
    WINDOW *win, int w, const char *const *parts, const enum role *roles, int n, int maxlines)
{
	int x = 0, y = 0;

	for (int i = 0; i < n; i++) {
		int c;

		if (parts[i] == NULL || parts[i][0] == '\0')
			continue;
		c = str_cols(parts[i]);
		if (x > 0 && x + 2 + c > w && y + 1 < maxlines) {
			y++;
			x = 0;
		} else if (x > 0) {
			x += 2;
		}
		if (x < w)
			x += view_str(win, y, x, parts[i], w - x, roles[i]);
	}
	return y + 1;
}

/* --- creating, sorting, filtering ------------------------------------------------------ */

static size_t
sel_func(const struct profview *v)
{
	return v->nrows > 0 ? v->rows[v->sel] : NONE;
}

/* Rebuilds the rows; the selection stays on function keep when it is still shown. */
static void
pv_rebuild(struct profview *v, size_t keep)
{
	const struct prof *p = pv_prof(v);
	size_t *order = xcalloc(p->nfuncs + 1, sizeof *order);
	const char *filter = v->editing ? v->edit.data : v->filter;

	prof_sort_order(p, &v->sort, order);
	if (v->reversed) {
		for (size_t i = 0; i < p->nfuncs / 2; i++) {
			size_t t = order[i];

			order[i] = order[p->nfuncs - 1 - i];
			order[p->nfuncs - 1 - i] = t;
		}
	}
	v->nrows = 0;
	free(v->rows);
	v->rows = order;
	for (size_t i = 0; i < p->nfuncs; i++) {
		if (filter == NULL || filter[0] == '\0' || contains(p->funcs[order[i]].std, filter))
			v->rows[v->nrows++] = order[i];
	}
	v->sel = 0;
	for (size_t i = 0; keep != NONE && i < v->nrows; i++) {
		if (v->rows[i] == keep)
			v->sel = i;
	}
}

static int
field_col(enum prof_field f)
{
	switch (f) {
	case PROF_F_CALLS:
	case PROF_F_PCALLS:
		return COL_NCALLS;
	case PROF_F_TIME:
		return COL_TOTTIME;
	case PROF_F_TPERCALL:
		return COL_TPERCALL;
	case PROF_F_CUMULATIVE:
		return COL_CUMTIME;
	case PROF_F_CPERCALL:
		return COL_CPERCALL;
	case PROF_F_STDNAME:
		return COL_FUNC;
	default:
		return -1;
	}
}

/* Sorts by a column; the listing starts again at its top. */
static void
pv_sort_col(struct profview *v, int col, int reversed)
{
	prof_sort_field(&v->sort, pcols[col].field);
	v->sortcol = col;
	v->reversed = reversed;
	pv_rebuild(v, NONE);
	v->top = 0;
}

struct profview *
profview_new(struct prof *p, const char *title, int unicode)
{
	struct profview *v = xcalloc(1, sizeof *v);

	v->prof[0] = *p;
	memset(p, 0, sizeof *p);
	v->title = xstrdup(title);
	v->unicode = unicode;
	v->mode = PROFVIEW_TABLE;
	v->cfunc = NONE;
	v->csel = NONE;
	v->bars_stale = 1;
	v->level_rows = 1;
	buf_init(&v->edit);
	buf_addc(&v->edit, '\0');
	pv_sort_col(v, COL_TOTTIME, 0);
	return v;
}

void
profview_free(struct profview *v)
{
	if (v == NULL)
		return;
	prof_free(&v->prof[0]);
	if (v->have_strip)
		prof_free(&v->prof[1]);
	free(v->title);
	free(v->rows);
	free(v->filter);
	buf_free(&v->edit);
	free(v->hist);
	free(v->path);
	free(v->bars);
	free(v->explain);
	free(v);
}

int
profview_sort(struct profview *v, const char *keys, char **cause)
{
	struct prof_sort s;

	if (prof_sort_parse(&s, keys, cause) == -1)
		return -1;
	v->sort = s;
	v->sortcol = s.nkeys > 0 ? field_col(s.field[0]) : -1;
	v->reversed = 0;
	pv_rebuild(v, NONE);
	v->top = 0;
	return 0;
}

static size_t calls_func(const struct profview *v, size_t i);
static void calls_open(struct profview *v, size_t fn, size_t from);

/* Function f of profile `from` in profile `to` (one of them stripped), or NONE. */
static size_t
pv_map(const struct prof *from, size_t f, const struct prof *to, int to_stripped)
{
	const struct prof_func *a;

	if (f >= from->nfuncs)
		return NONE;
	a = &from->funcs[f];
	for (size_t i = 0; i < to->nfuncs; i++) {
		const struct prof_func *b = &to->funcs[i];

		if (b->line != a->line || strcmp(b->name, a->name) != 0)
			continue;
		if (to_stripped ? strcmp(b->file, base_name(a->file)) == 0
		                : strcmp(base_name(b->file), a->file) == 0)
			return i;
	}
	return NONE;
}

void
profview_strip(struct profview *v, int on)
{
	const struct prof *from, *to;
	size_t keep, n = 0, csf = NONE;

	on = on != 0;
	if (on == v->strip)
		return;
	if (!v->have_strip) {
		prof_strip(&v->prof[1], &v->prof[0]);
		v->have_strip = 1;
	}
	from = &v->prof[v->strip];
	to = &v->prof[on];
	keep = pv_map(from, sel_func(v), to, on);
	if (v->mode == PROFVIEW_CALLS && v->cfunc != NONE && v->csel != NONE)
		csf = pv_map(from, calls_func(v, v->csel), to, on);
	v->cfunc = pv_map(from, v->cfunc, to, on);
	for (size_t i = 0; i < v->nhist; i++) {
		size_t f = pv_map(from, v->hist[i], to, on);

		if (f != NONE)
			v->hist[n++] = f;
	}
	v->nhist = n;
	v->csel = NONE;
	for (size_t i = 0; i < v->npath; i++) {
		v->path[i] = pv_map(from, v->path[i], to, on);
		if (v->path[i] == NONE)
			v->npath = 0;
	}
	if (v->bsel < v->nbars) {
		v->want = 1;
		v->want_func = v->bars[v->bsel].func == PROF_ROOT
		    ? PROF_ROOT
		    : pv_map(from, v->bars[v->bsel].func, to, on);
		v->want_row = v->bars[v->bsel].row;
	}
	v->bars_stale = 1;
	v->strip = on;
	if (v->mode == PROFVIEW_CALLS && v->cfunc == NONE)
		v->mode = PROFVIEW_TABLE;
	else if (v->mode == PROFVIEW_CALLS)
		calls_open(v, v->cfunc, csf);
	pv_rebuild(v, keep);
}

/* --- modes ------------------------------------------------------------------------------- */

static size_t
calls_count(const struct profview *v)
{
	const struct prof_func *f;

	if (v->cfunc == NONE)
		return 0;
	f = &pv_prof(v)->funcs[v->cfunc];
	return f->ncallers + f->ncallees;
}

/* The function on selected calls row i (callers first). */
static size_t
calls_func(const struct profview *v, size_t i)
{
	const struct prof_func *f = &pv_prof(v)->funcs[v->cfunc];

	if (i < f->ncallers)
		return f->callers[i].func;
	return f->callees[i - f->ncallers].func;
}

/* Shows function fn's calls; the selection goes to `from` if it is listed, else the
 * first callee. */
static void
calls_open(struct profview *v, size_t fn, size_t from)
{
	const struct prof_func *f;
	size_t n;

	v->cfunc = fn;
	v->ctop = 0;
	v->mode = PROFVIEW_CALLS;
	f = &pv_prof(v)->funcs[fn];
	n = f->ncallers + f->ncallees;
	v->csel = n == 0 ? NONE : f->ncallees > 0 ? f->ncallers : 0;
	for (size_t i = 0; from != NONE && i < n; i++) {
		if (calls_func(v, i) == from) {
			v->csel = i;
			break;
		}
	}
}

static void
table_select_func(struct profview *v, size_t fn)
{
	for (size_t i = 0; fn != NONE && i < v->nrows; i++) {
		if (v->rows[i] == fn)
			v->sel = i;
	}
}

static size_t
icicle_func(const struct profview *v)
{
	if (v->bsel < v->nbars && v->bars[v->bsel].func != PROF_ROOT)
		return v->bars[v->bsel].func;
	return NONE;
}

void
profview_set_mode(struct profview *v, enum profview_mode mode)
{
	size_t fn = NONE;

	if (v->mode == PROFVIEW_TABLE)
		fn = sel_func(v);
	else if (v->mode == PROFVIEW_CALLS)
		fn = v->cfunc;
	else
		fn = icicle_func(v);
	switch (mode) {
	case PROFVIEW_TABLE:
		table_select_func(v, fn);
		v->mode = mode;
		break;
	case PROFVIEW_CALLS:
		if (fn == NONE)
			return;
		v->nhist = 0;
		calls_open(v, fn, NONE);
		break;
	case PROFVIEW_ICICLE:
		if (v->mode != PROFVIEW_ICICLE) {
			v->want = 1;
			v->want_func = fn != NONE ? fn : PROF_ROOT;
			v->want_row = -1;
			v->bars_stale = 1;
		}
		v->mode = mode;
		break;
	}
}

enum profview_mode
profview_mode(const struct profview *v)
{
	return v->mode;
}

int
profview_editing(const struct profview *v)
{
	return v->editing;
}

const struct prof_func *
profview_selected(const struct profview *v)
{
	size_t fn;

	if (v->mode == PROFVIEW_TABLE)
		fn = sel_func(v);
	else if (v->mode == PROFVIEW_CALLS)
		fn = v->csel != NONE ? calls_func(v, v->csel) : v->cfunc;
	else
		fn = icicle_func(v);
	if (fn != NONE && v->strip)
		fn = pv_map(&v->prof[1], fn, &v->prof[0], 0);
	return fn != NONE ? &v->prof[0].funcs[fn] : NULL;
}

/* --- the icicle's layout ----------------------------------------------------------------- */

static void
icicle_layout(struct profview *v, int w, int avail)
{
	const struct prof *p = pv_prof(v);
	size_t keep_func = v->want_func, n;
	int keep = v->want, keep_row = v->want_row, maxrow = 0;

	if (!v->bars_stale && v->bars_w == w && v->bars_avail == avail)
		return;
	if (!keep && v->bsel < v->nbars) {
		keep = 1;
		keep_func = v->bars[v->bsel].func;
		keep_row = v->bars[v->bsel].row;
	}
	free(v->bars);
	v->bars = NULL;
	v->nbars = 0;
	v->bsel = 0;
	v->bars_stale = 0;
	v->bars_w = w;
	v->bars_avail = avail;
	v->want = 0;
	if (w < 1 || avail < 1)
		return;
	n = prof_icicle(p, v->path, v->npath, w, avail, &v->bars);
	for (v->nbars = 0; v->nbars < n && v->bars[v->nbars].row < avail; v->nbars++) {
		if (v->bars[v->nbars].row > maxrow)
			maxrow = v->bars[v->nbars].row;
	}
	v->level_rows = (maxrow + 1) * 2 <= avail ? 2 : 1;
	/* The same function on the same row, else its first bar. */
	for (int pass = 0; pass < 2 && keep; pass++) {
		for (size_t i = 0; i < v->nbars; i++) {
			if (v->bars[i].func == keep_func &&
			    (pass == 1 || keep_row < 0 || v->bars[i].row == keep_row)) {
				v->bsel = i;
				return;
			}
		}
	}
}

static void
icicle_zoom_in(struct profview *v)
{
	size_t n = 0, b;

	if (v->bsel == 0 || v->bsel >= v->nbars)
		return;
	for (b = v->bsel; b != 0 && b != NONE; b = v->bars[b].parent)
		n++;
	v->path = xreallocarray(v->path, v->npath + n, sizeof *v->path);
	v->npath += n;
	n = v->npath;
	for (b = v->bsel; b != 0 && b != NONE; b = v->bars[b].parent)
		v->path[--n] = v->bars[b].func;
	v->bars_stale = 1;
	v->want = 1;
	v->want_func = v->path[v->npath - 1];
	v->want_row = 0;
}

/* Zooms out one level, or all the way; the function left stays selected. */
static void
icicle_zoom_out(struct profview *v, int all)
{
	size_t fn;

	if (v->npath == 0)
		return;
	fn = all ? v->path[0] : v->path[v->npath - 1];
	v->npath = all ? 0 : v->npath - 1;
	v->bars_stale = 1;
	v->want = 1;
	v->want_func = fn;
	v->want_row = 1;
}

/* --- keys ---------------------------------------------------------------------------------- */

static int
is_enter(int code, int wide)
{
	return (wide && (code == '\n' || code == '\r')) || (!wide && code == KEY_ENTER);
}

static int
is_backspace(int code, int wide)
{
	return (wide && (code == 127 || code == 8)) || (!wide && code == KEY_BACKSPACE);
}

static void
explain_open(struct profview *v, size_t fn)
{
	free(v->explain);
	v->explain_func = fn;
	if (fn == NONE) {
		const struct prof *p = pv_prof(v);

		v->explain = xasprintf("The whole run: %lld function calls in %.3f seconds. "
		                       "Select a function to have its numbers explained.",
		    p->total_calls, p->total_tt);
	} else {
		v->explain = prof_explain(pv_prof(v), fn);
	}
}

static int
edit_key(struct profview *v, int code, int wide)
{
	size_t keep = sel_func(v);

	if (is_enter(code, wide)) {
		free(v->filter);
		v->filter = v->edit.len > 1 ? xstrdup(v->edit.data) : NULL;
		v->editing = 0;
	} else if (wide && code == 27) {
		v->editing = 0;
	} else if (is_backspace(code, wide)) {
		/* Drop the last character, continuation bytes first. */
		size_t len = v->edit.len - 1;

		while (len > 0 && ((unsigned char)v->edit.data[len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0)
			len--;
		v->edit.data[len] = '\0';
		v->edit.len = len + 1;
	} else if (wide && code == 21) {
		v->edit.data[0] = '\0';
		v->edit.len = 1;
	} else if (wide && code >= 32 && code != 127) {
		char mb[MB_LEN_MAX];
		mbstate_t st;
		size_t n;

		memset(&st, 0, sizeof st);
		n = wcrtomb(mb, (wchar_t)code, &st);
		if (n != (size_t)-1 && v->edit.len + n < 256) {
			v->edit.len--;
			buf_add(&v->edit, mb, n);
			buf_addc(&v->edit, '\0');
		}
	}
	pv_rebuild(v, keep);
	return 1;
}

static void
table_move(struct profview *v, long d)
{
	long s = (long)v->sel + d;

	if (v->nrows == 0)
		return;
	if (s < 0)
		s = 0;
	if (s >= (long)v->nrows)
		s = (long)v->nrows - 1;
	v->sel = (size_t)s;
}

static int
table_key(struct profview *v, int code, int wide)
{
	int page = v->nvis > 2 ? v->nvis - 1 : 1;

	if (wide) {
		switch (code) {
		case 'j':
			table_move(v, 1);
			return 1;
		case 'k':
			table_move(v, -1);
			return 1;
		case 's':
		case 'S': {
			int c = v->sortcol < 0
			    ? COL_TOTTIME
			    : (v->sortcol + (code == 's' ? 1 : NCOLS - 1)) % NCOLS;

			pv_sort_col(v, c, 0);
			return 1;
		}
		case 'r':
			v->reversed = !v->reversed;
			pv_rebuild(v, NONE);
			v->top = 0;
			return 1;
		case '/':
			v->editing = 1;
			buf_reset(&v->edit);
			buf_adds(&v->edit, v->filter != NULL ? v->filter : "");
			buf_addc(&v->edit, '\0');
			return 1;
		case '\n':
		case '\r':
			profview_set_mode(v, PROFVIEW_CALLS);
			return 1;
		default:
			if (code >= '1' && code <= '6') {
				pv_sort_col(v, code - '1', 0);
				return 1;
			}
			return 0;
		}
	}
	switch (code) {
	case KEY_DOWN:
		table_move(v, 1);
		return 1;
	case KEY_UP:
		table_move(v, -1);
		return 1;
	case KEY_NPAGE:
		table_move(v, page);
		return 1;
	case KEY_PPAGE:
		table_move(v, -page);
		return 1;
	case KEY_HOME:
		table_move(v, -(long)v->nrows);
		return 1;
	case KEY_END:
		table_move(v, (long)v->nrows);
		return 1;
	case KEY_ENTER:
		profview_set_mode(v, PROFVIEW_CALLS);
		return 1;
	}
	return 0;
}

static void
calls_move(struct profview *v, long d)
{
	long n = (long)calls_count(v), s;

	if (n == 0 || v->csel == NONE)
		return;
	s = (long)v->csel + d;
	if (s < 0)
		s = 0;
	if (s >= n)
		s = n - 1;
	v->csel = (size_t)s;
}

static void
calls_walk(struct profview *v)
{
	if (v->csel == NONE)
		return;
	v->hist = xreallocarray(v->hist, v->nhist + 1, sizeof *v->hist);
	v->hist[v->nhist++] = v->cfunc;
	calls_open(v, calls_func(v, v->csel), NONE);
}

static void
calls_back(struct profview *v)
{
	size_t from = v->cfunc;

	if (v->nhist == 0)
		return;
	calls_open(v, v->hist[--v->nhist], from);
}

static int
calls_key(struct profview *v, int code, int wide)
{
	if (is_enter(code, wide)) {
		calls_walk(v);
		return 1;
	}
	if (is_backspace(code, wide) || (wide && code == 'h') || (!wide && code == KEY_LEFT)) {
		calls_back(v);
		return 1;
	}
	if (wide && (code == 27 || code == 't')) {
		profview_set_mode(v, PROFVIEW_TABLE);
		return 1;
	}
	if (wide && code == 'j')
		code = KEY_DOWN, wide = 0;
	else if (wide && code == 'k')
		code = KEY_UP, wide = 0;
	if (wide)
		return 0;
	switch (code) {
	case KEY_DOWN:
		calls_move(v, 1);
		return 1;
	case KEY_UP:
		calls_move(v, -1);
		return 1;
	case KEY_NPAGE:
		calls_move(v, 10);
		return 1;
	case KEY_PPAGE:
		calls_move(v, -10);
		return 1;
	case KEY_HOME:
		calls_move(v, -(long)calls_count(v));
		return 1;
	case KEY_END:
		calls_move(v, (long)calls_count(v));
		return 1;
	}
	return 0;
}

static int
icicle_key(struct profview *v, int code, int wide)
{
	const struct prof_bar *b = v->bsel < v->nbars ? &v->bars[v->bsel] : NULL;

	if (is_enter(code, wide)) {
		icicle_zoom_in(v);
		return 1;
	}
	if (is_backspace(code, wide) || (wide && code == 'u')) {
		icicle_zoom_out(v, 0);
		return 1;
	}
	if (wide && code == 27) {
		if (v->npath == 0)
			return 0;
		icicle_zoom_out(v, 1);
		return 1;
	}
	if (wide && (code == 'i' || code == 't')) {
		profview_set_mode(v, PROFVIEW_TABLE);
		return 1;
	}
	if (wide && code == 'h')
		code = KEY_LEFT, wide = 0;
	else if (wide && code == 'l')
		code = KEY_RIGHT, wide = 0;
	else if (wide && code == 'k')
		code = KEY_UP, wide = 0;
	else if (wide && code == 'j')
		code = KEY_DOWN, wide = 0;
	if (wide)
		return 0;
	switch (code) {
	case KEY_LEFT:
		if (b != NULL && v->bsel > 0 && v->bars[v->bsel - 1].row == b->row)
			v->bsel--;
		return 1;
	case KEY_RIGHT:
		if (b != NULL && v->bsel + 1 < v->nbars && v->bars[v->bsel + 1].row == b->row)
			v->bsel++;
		return 1;
	case KEY_UP:
		if (b != NULL && b->parent != NONE)
			v->bsel = b->parent;
		return 1;
	case KEY_DOWN:
		for (size_t i = v->bsel + 1; b != NULL && i < v->nbars; i++) {
			if (v->bars[i].parent == v->bsel) {
				v->bsel = i;
				break;
			}
		}
		return 1;
	case KEY_HOME:
		v->bsel = 0;
		return 1;
	}
	return 0;
}

int
profview_key(struct profview *v, int code, int wide)
{
	if (v->explain != NULL) {
		free(v->explain);
		v->explain = NULL;
		return 1;
	}
	if (v->editing)
		return edit_key(v, code, wide);
	if (wide && code == 'e') {
		if (v->mode == PROFVIEW_TABLE)
			explain_open(v, sel_func(v));
		else if (v->mode == PROFVIEW_CALLS)
			explain_open(v, v->csel != NONE ? calls_func(v, v->csel) : v->cfunc);
		else
			explain_open(v, icicle_func(v));
		return 1;
	}
	if (wide && code == 'd') {
		profview_strip(v, !v->strip);
		return 1;
	}
	if (wide && code == 'i' && v->mode != PROFVIEW_ICICLE) {
		profview_set_mode(v, PROFVIEW_ICICLE);
		return 1;
	}
	if (wide && code == 't' && v->mode == PROFVIEW_TABLE)
		return 1;
	switch (v->mode) {
	case PROFVIEW_TABLE:
		return table_key(v, code, wide);
	case PROFVIEW_CALLS:
		return calls_key(v, code, wide);
	case PROFVIEW_ICICLE:
		return icicle_key(v, code, wide);
	}
	return 0;
}

/* --- drawing ------------------------------------------------------------------------------- */

static const char *
arrow(const struct profview *v)
{
	int down = (v->sort.nkeys > 0 && v->sort.descending[0]) != v->reversed;

	if (v->unicode)
		return down ? "\u2193" : "\u2191";
	return down ? "v" : "^";
}

/* The table's heading; returns the lines used. */
static int
table_heading(struct profview *v, WINDOW *win, int w, int maxlines)
{
	const struct prof *p = pv_prof(v);
	const char *filter = v->editing ? v->edit.data : v->filter;
	char counts[128], sorted[200], filt[300];
	const char *parts[5];
	enum role roles[5] = {ROLE_HEADING, ROLE_TEXT, ROLE_TEXT, ROLE_EXERCISE, ROLE_DIM};

	if (p->total_calls == p->prim_calls)
		snprintf(counts, sizeof counts, "%lld function calls in %.3f seconds",
		    p->total_calls, p->total_tt);
	else
		snprintf(counts, sizeof counts,
		    "%lld function calls (%lld primitive calls) in %.3f seconds", p->total_calls,
		    p->prim_calls, p->total_tt);
	snprintf(
	    sorted, sizeof sorted, "sorted by %s%s", v->sort.desc, v->reversed ? ", reversed" : "");
	filt[0] = '\0';
	if (filter != NULL && filter[0] != '\0')
		snprintf(
		    filt, sizeof filt, "filter \"%s\": %zu of %zu", filter, v->nrows, p->nfuncs);
	parts[0] = v->title;
	parts[1] = counts;
	parts[2] = sorted;
	parts[3] = filt;
	parts[4] = v->strip ? "dirs stripped" : NULL;
	return draw_parts(win, w, parts, roles, 5, maxlines);
}

static void
table_header(struct profview *v, WINDOW *win, int y, int w)
{
	for (int c = 0; c < NCOLS; c++) {
		enum role r = c == v->sortcol ? ROLE_EXERCISE : ROLE_BOLD;
		int len = (int)strlen(pcols[c].name);
		int x = c == COL_FUNC ? pcols[c].x : pcols[c].x + pcols[c].w - len;

		if (x >= w)
			break;
		view_str(win, y, x, pcols[c].name, w - x, r);
		if (c != v->sortcol)
			continue;
		if (c == COL_FUNC)
			view_str(win, y, x + len + 1, arrow(v), w - x - len - 1, r);
		else
			view_str(win, y, x - 1, arrow(v), 1, r);
	}
}

/* One function's numbers in cProfile's layout, up to the name column. */
static void
table_numbers(char *s, size_t size, const struct prof_func *f)
{
	char nc[48], tpc[16] = "", cpc[16] = "";

	fmt_ncalls(nc, sizeof nc, f->nc, f->cc);
	if (f->nc != 0)
		snprintf(tpc, sizeof tpc, "%8.3f", f->tt / (double)f->nc);
	if (f->cc != 0)
		snprintf(cpc, sizeof cpc, "%8.3f", f->ct / (double)f->cc);
	snprintf(s, size, "%9s %8.3f %8s %8.3f %8s ", nc, f->tt, tpc, f->ct, cpc);
}

static void
draw_table(struct profview *v, WINDOW *win, int h, int w)
{
	const struct prof *p = pv_prof(v);
	int y = table_heading(v, win, w, h > 12 ? 2 : 1), bottom = h - (v->editing ? 1 : 0);

	v->hdr_y = y;
	table_header(v, win, y, w);
	v->rows_y = y + 1;
	v->nvis = bottom - v->rows_y;
	if (v->nvis < 1)
		v->nvis = 1;
	if ((int)v->sel < v->top)
		v->top = (int)v->sel;
	if ((int)v->sel >= v->top + v->nvis)
		v->top = (int)v->sel - v->nvis + 1;
	if (v->top > 0 && v->top + v->nvis > (int)v->nrows)
		v->top = (int)v->nrows > v->nvis ? (int)v->nrows - v->nvis : 0;
	if (v->nrows == 0)
		view_str(win, v->rows_y, 2,
		    p->nfuncs == 0 ? "(the profile is empty)" : "(no function matches the filter)",
		    w - 2, ROLE_DIM);
	for (int i = 0; i < v->nvis && (size_t)(v->top + i) < v->nrows; i++) {
		size_t k = (size_t)v->top + (size_t)i;
		const struct prof_func *f = &p->funcs[v->rows[k]];
		enum role r = k == v->sel ? ROLE_SELECTED : ROLE_TEXT;
		char line[160];

		if (k == v->sel)
			fill(win, v->rows_y + i, 0, w, r);
		table_numbers(line, sizeof line, f);
		view_str(win, v->rows_y + i, 0, line, w, r);
		put_tail(win, v->rows_y + i, pcols[COL_FUNC].x, f->std, w - pcols[COL_FUNC].x, r,
		    v->unicode);
	}
	if ((size_t)v->top + (size_t)v->nvis < v->nrows && !v->editing)
		view_str(win, h - 1, w - 3, v->unicode ? " \u2193 " : " v ", 3, ROLE_DIM);
	if (v->editing) {
		int x = view_str(win, h - 1, 0, "filter /", w, ROLE_EXERCISE);

		x += view_str(win, h - 1, x, v->edit.data, w - x - 1, ROLE_TEXT);
		view_str(win, h - 1, x, v->unicode ? "\u2588" : "_", 1, ROLE_TEXT);
	}
}

static void
calls_lines(const struct profview *v, struct cline **out, size_t *n)
{
	const struct prof_func *f = &pv_prof(v)->funcs[v->cfunc];
	struct cline *l = xcalloc(f->ncallers + f->ncallees + 6, sizeof *l);
	size_t k = 0;

	l[k++].kind = CL_LABEL_CALLERS;
	if (f->ncallers == 0)
		l[k++].kind = CL_NONE;
	for (size_t i = 0; i < f->ncallers; i++) {
		l[k].kind = CL_CALLER;
		l[k++].i = i;
	}
	l[k++].kind = CL_SELF;
	l[k++].kind = CL_LABEL_CALLEES;
	if (f->ncallees == 0)
		l[k++].kind = CL_NONE;
	for (size_t i = 0; i < f->ncallees; i++) {
		l[k].kind = CL_CALLEE;
		l[k++].i = i;
	}
	*out = l;
	*n = k;
}

static void
calls_row(struct profview *v, WINDOW *win, int y, int w, const struct prof_edge *e,
    const struct prof_func *other, int selected)
{
	enum role r = selected ? ROLE_SELECTED : ROLE_TEXT;
	char nc[48], line[96];

	if (selected)
		fill(win, y, 0, w, r);
	fmt_ncalls(nc, sizeof nc, e->nc, e->cc);
	snprintf(line, sizeof line, "%9s %8.3f %8.3f ", nc, e->tt, e->ct);
	view_str(win, y, 0, line, w, r);
	put_tail(win, y, CALLS_FUNC_X, other->std, w - CALLS_FUNC_X, r, v->unicode);
}

static void
draw_calls(struct profview *v, WINDOW *win, int h, int w)
{
	const struct prof *p = pv_prof(v);
	const struct prof_func *f = &p->funcs[v->cfunc];
	struct cline *lines;
	size_t n, selline = 0;
	char what[64], depth[64];
	const char *parts[3];
	enum role roles[3] = {ROLE_HEADING, ROLE_TEXT, ROLE_DIM};
	int y;

	snprintf(what, sizeof what, "callers and callees (%zu, %zu)", f->ncallers, f->ncallees);
	depth[0] = '\0';
	if (v->nhist > 0)
		snprintf(depth, sizeof depth, "walked %zu deep: Backspace walks back", v->nhist);
	parts[0] = v->title;
	parts[1] = what;
	parts[2] = depth;
	y = draw_parts(win, w, parts, roles, 3, 1);
	v->hdr_y = y;
	view_str(win, y, 0, "   ncalls  tottime  cumtime function", w, ROLE_BOLD);
	v->rows_y = y + 1;
	v->nvis = h - v->rows_y;
	calls_lines(v, &lines, &n);
	for (size_t i = 0; i < n; i++) {
		size_t k = lines[i].kind == CL_CALLER ? lines[i].i
		    : lines[i].kind == CL_CALLEE      ? f->ncallers + lines[i].i
		                                      : NONE;

		if (v->csel != NONE && k == v->csel)
			selline = i;
		if (v->csel == NONE && lines[i].kind == CL_SELF)
			selline = i;
	}
	if ((int)selline < v->ctop)
		v->ctop = (int)selline;
	if ((int)selline >= v->ctop + v->nvis)
		v->ctop = (int)selline - v->nvis + 1;
	if (v->ctop > 0 && v->ctop + v->nvis > (int)n)
		v->ctop = (int)n > v->nvis ? (int)n - v->nvis : 0;
	for (int i = 0; i < v->nvis && (size_t)(v->ctop + i) < n; i++) {
		const struct cline *l = &lines[v->ctop + i];
		int yy = v->rows_y + i;
		char label[64], line[96], nc[48];

		switch (l->kind) {
		case CL_LABEL_CALLERS:
			snprintf(label, sizeof label, "called by (%zu)", f->ncallers);
			view_str(win, yy, 2, label, w - 2, ROLE_DIM);
			break;
		case CL_LABEL_CALLEES:
			snprintf(label, sizeof label, "calls (%zu)", f->ncallees);
			view_str(win, yy, 2, label, w - 2, ROLE_DIM);
			break;
		case CL_NONE:
			view_str(win, yy, CALLS_FUNC_X, "(none)", w - CALLS_FUNC_X, ROLE_DIM);
			break;
		case CL_CALLER:
			calls_row(v, win, yy, w, &f->callers[l->i],
			    &p->funcs[f->callers[l->i].func], v->csel == l->i);
			break;
		case CL_CALLEE:
			calls_row(v, win, yy, w, &f->callees[l->i],
			    &p->funcs[f->callees[l->i].func], v->csel == f->ncallers + l->i);
			break;
		case CL_SELF:
			fill(win, yy, 0, w, ROLE_DIVIDER);
			fmt_ncalls(nc, sizeof nc, f->nc, f->cc);
			snprintf(line, sizeof line, "%9s %8.3f %8.3f ", nc, f->tt, f->ct);
			view_str(win, yy, 0, line, w, ROLE_DIVIDER);
			put_tail(win, yy, CALLS_FUNC_X, f->std, w - CALLS_FUNC_X, ROLE_DIVIDER,
			    v->unicode);
			for (int x = CALLS_FUNC_X + str_cols(f->std) + 1; x < w; x++)
				view_str(win, yy, x, v->unicode ? "\u2500" : "-", 1, ROLE_DIVIDER);
			break;
		}
	}
	free(lines);
}

/* The bar's function's short name, or "whole run". */
static char *
bar_name(const struct profview *v, const struct prof_bar *b)
{
	if (b->func == PROF_ROOT)
		return xstrdup("whole run");
	return short_name(&pv_prof(v)->funcs[b->func]);
}

static void
icicle_heading(struct profview *v, WINDOW *win, int w)
{
	const struct prof *p = pv_prof(v);
	struct buf crumb;
	char what[64], nums[128];
	const char *parts[4];
	enum role roles[4] = {ROLE_HEADING, ROLE_TEXT, ROLE_TEXT, ROLE_EXERCISE};
	const struct prof_bar *b = v->bsel < v->nbars ? &v->bars[v->bsel] : NULL;
	size_t chain[256], n = 0;

	snprintf(what, sizeof what, "icicle%s", v->npath > 0 ? ", zoomed" : "");
	nums[0] = '\0';
	if (b != NULL) {
		int k = snprintf(nums, sizeof nums, "cumtime %.3f s", b->value);

		if (p->total_tt > 0 && k > 0 && (size_t)k < sizeof nums)
			snprintf(nums + k, sizeof nums - (size_t)k, ", %.1f %% of the run",
			    100 * b->value / p->total_tt);
	}
	parts[0] = v->title;
	parts[1] = what;
	parts[2] = nums;
	parts[3] = b == NULL ? "" : b->func == PROF_ROOT ? "whole run" : p->funcs[b->func].std;
	draw_parts(win, w, parts, roles, 4, 1);

	buf_init(&crumb);
	buf_adds(&crumb, "whole run");
	for (size_t i = 0; i < v->npath; i++) {
		char *s = short_name(&p->funcs[v->path[i]]);

		buf_addf(&crumb, " > %s", s);
		free(s);
	}
	for (size_t i = v->bsel; b != NULL && i != 0 && i != NONE && n < 256; i = v->bars[i].parent)
		chain[n++] = i;
	while (n > 0) {
		char *s = bar_name(v, &v->bars[chain[--n]]);

		buf_addf(&crumb, " > %s", s);
		free(s);
	}
	buf_addc(&crumb, '\0');
	put_tail(win, 1, 0, crumb.data, w, ROLE_DIM, v->unicode);
	buf_free(&crumb);
}

static void
draw_icicle(struct profview *v, WINDOW *win, int h, int w)
{
	int avail = h - 2;
	size_t first_in_row = 0;

	icicle_layout(v, w, avail);
	icicle_heading(v, win, w);
	v->rows_y = 2;
	if (v->nbars == 0) {
		view_str(
		    win, 2, 2, "(nothing to draw: the profile has no time in it)", w - 2, ROLE_DIM);
		return;
	}
	for (size_t i = 0; i < v->nbars; i++) {
		const struct prof_bar *b = &v->bars[i];
		int y = v->rows_y + b->row * v->level_rows, lw = b->w >= 3 ? b->w - 1 : b->w;
		enum role r;
		char *name;

		if (i == 0 || b->row != v->bars[i - 1].row)
			first_in_row = i;
		r = i == v->bsel                                     ? ROLE_BAR_SEL
		    : ((i - first_in_row) + (size_t)b->row) % 2 == 0 ? ROLE_BAR1
		                                                     : ROLE_BAR2;
		for (int k = 0; k < v->level_rows; k++)
			fill(win, y + k, b->x, b->w, r);
		name = bar_name(v, b);
		if (str_cols(name) > lw && b->func != PROF_ROOT &&
		    strcmp(pv_prof(v)->funcs[b->func].file, "~") != 0)
			view_str(win, y, b->x, pv_prof(v)->funcs[b->func].name, lw, r);
		else
			view_str(win, y, b->x, name, lw, r);
		free(name);
		if (v->level_rows == 2) {
			char s[64];

			snprintf(s, sizeof s, "%.3f s", b->value);
			if (str_cols(s) <= lw)
				view_str(win, y + 1, b->x, s, lw, r);
		}
	}
}

/* The next line of *s (cut at '\n', which is replaced), advancing *s; NULL at the end. */
static char *
next_line(char **s)
{
	char *line = *s, *nl;

	if (line == NULL)
		return NULL;
	nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*s = nl + 1;
	} else {
		*s = NULL;
	}
	return line;
}

static void
draw_explain(struct profview *v, WINDOW *win, int h, int w)
{
	int bw = w >= 80 ? 76 : w >= 24 ? w - 4 : w, inner, rows = 0, bh, y0, x0, y;
	const char *title =
	    v->explain_func == NONE ? "the whole run" : pv_prof(v)->funcs[v->explain_func].std;
	const char *hz = v->unicode ? "\u2500" : "-", *vt = v->unicode ? "\u2502" : "|";
	char *text = xstrdup(v->explain), *rest = text, *line, *t;

	inner = bw - 4;
	while ((line = next_line(&rest)) != NULL)
		rows += put_wrapped(NULL, 0, 0, line, inner, 0, ROLE_TEXT);
	bh = rows + 4;
	if (bh > h)
		bh = h;
	y0 = (h - bh) / 2;
	x0 = (w - bw) / 2;
	for (int yy = y0; yy < y0 + bh; yy++)
		fill(win, yy, x0, bw, ROLE_TEXT);
	for (int x = x0 + 1; x < x0 + bw - 1; x++) {
		view_str(win, y0, x, hz, 1, ROLE_DIM);
		view_str(win, y0 + bh - 1, x, hz, 1, ROLE_DIM);
	}
	for (int yy = y0 + 1; yy < y0 + bh - 1; yy++) {
		view_str(win, yy, x0, vt, 1, ROLE_DIM);
		view_str(win, yy, x0 + bw - 1, vt, 1, ROLE_DIM);
	}
	view_str(win, y0, x0, v->unicode ? "\u250c" : "+", 1, ROLE_DIM);
	view_str(win, y0, x0 + bw - 1, v->unicode ? "\u2510" : "+", 1, ROLE_DIM);
	view_str(win, y0 + bh - 1, x0, v->unicode ? "\u2514" : "+", 1, ROLE_DIM);
	view_str(win, y0 + bh - 1, x0 + bw - 1, v->unicode ? "\u2518" : "+", 1, ROLE_DIM);
	t = xasprintf(" %s (any key closes) ", title);
	put_tail(win, y0, x0 + 2, t, bw - 4, ROLE_TITLE, v->unicode);
	free(t);
	strcpy(text, v->explain);
	rest = text;
	y = y0 + 2;
	while ((line = next_line(&rest)) != NULL && y < y0 + bh - 1)
		y += put_wrapped(win, y, x0 + 2, line, inner, y0 + bh - 2 - y, ROLE_TEXT);
	free(text);
}

void
profview_draw(struct profview *v, WINDOW *win)
{
	int h, w;

	getmaxyx(win, h, w);
	v->h = h;
	v->w = w;
	werase(win);
	if (h < 4 || w < 20) {
		view_str(win, 0, 0, "(profile: too small)", w, ROLE_DIM);
		return;
	}
	if (v->mode == PROFVIEW_CALLS && v->cfunc == NONE)
		v->mode = PROFVIEW_TABLE;
	switch (v->mode) {
	case PROFVIEW_TABLE:
		draw_table(v, win, h, w);
		break;
	case PROFVIEW_CALLS:
		draw_calls(v, win, h, w);
		break;
	case PROFVIEW_ICICLE:
		draw_icicle(v, win, h, w);
		break;
	}
	if (v->explain != NULL)
		draw_explain(v, win, h, w);
}

/* --- the mouse ------------------------------------------------------------------------------ */

static int
header_col(int x)
{
	for (int c = COL_FUNC; c > 0; c--) {
		if (x >= pcols[c].x - 1)
			return c;
	}
	return COL_NCALLS;
}

static int
table_mouse(struct profview *v, int y, int x)
{
	size_t k;

	if (y == v->hdr_y) {
		int c = header_col(x);

		pv_sort_col(v, c, c == v->sortcol ? !v->reversed : 0);
		return 1;
	}
	if (y < v->rows_y || y >= v->rows_y + v->nvis)
		return 0;
	k = (size_t)(v->top + y - v->rows_y);
	if (k >= v->nrows)
		return 0;
	if (k == v->sel)
		profview_set_mode(v, PROFVIEW_CALLS);
	else
		v->sel = k;
	return 1;
}

static int
calls_mouse(struct profview *v, int y)
{
	struct cline *lines;
	size_t n, k, i;
	const struct prof_func *f = &pv_prof(v)->funcs[v->cfunc];

	if (y < v->rows_y || y >= v->rows_y + v->nvis)
		return 0;
	calls_lines(v, &lines, &n);
	i = (size_t)(v->ctop + y - v->rows_y);
	if (i >= n || (lines[i].kind != CL_CALLER && lines[i].kind != CL_CALLEE)) {
		free(lines);
		return 0;
	}
	k = lines[i].kind == CL_CALLER ? lines[i].i : f->ncallers + lines[i].i;
	free(lines);
	if (k == v->csel)
		calls_walk(v);
	else
		v->csel = k;
	return 1;
}

static int
icicle_mouse(struct profview *v, int y, int x)
{
	int row;

	if (y < v->rows_y || v->level_rows < 1)
		return 0;
	row = (y - v->rows_y) / v->level_rows;
	for (size_t i = 0; i < v->nbars; i++) {
		const struct prof_bar *b = &v->bars[i];

		if (b->row != row || x < b->x || x >= b->x + b->w)
			continue;
		if (i == v->bsel)
			icicle_zoom_in(v);
		else
			v->bsel = i;
		return 1;
	}
	return 0;
}

int
profview_mouse(struct profview *v, int y, int x, mmask_t bstate)
{
	int wheel = (bstate & BUTTON4_PRESSED) ? -3 : (bstate & BUTTON5_PRESSED) ? 3 : 0;

	if (v->explain != NULL) {
		free(v->explain);
		v->explain = NULL;
		return 1;
	}
	if (v->editing)
		return 1;
	if (wheel != 0) {
		if (v->mode == PROFVIEW_TABLE)
			table_move(v, wheel);
		else if (v->mode == PROFVIEW_CALLS)
			calls_move(v, wheel);
		else
			icicle_key(v, wheel < 0 ? KEY_UP : KEY_DOWN, 0);
		return 1;
	}
	if (!(bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return 0;
	switch (v->mode) {
	case PROFVIEW_TABLE:
		return table_mouse(v, y, x);
	case PROFVIEW_CALLS:
		return calls_mouse(v, y);
	case PROFVIEW_ICICLE:
		return icicle_mouse(v, y, x);
	}
	return 0;
}

/* --- help ------------------------------------------------------------------------------------ */

const char *
profview_hint(const struct profview *v)
{
	if (v->explain != NULL)
		return "any key closes ";
	if (v->editing)
		return "Enter: apply  Esc: cancel  Ctrl-U: clear ";
	switch (v->mode) {
	case PROFVIEW_TABLE:
		return "1-6 s r: sort  /: filter  Enter: calls  i: icicle  e: explain  l: lines ";
	case PROFVIEW_CALLS:
		return "Enter: walk  Bksp: back  t: table  e: explain ";
	case PROFVIEW_ICICLE:
		return "arrows: move  Enter: zoom  Bksp: out  t: table ";
	}
	return "";
}

const struct profview_keyhelp profview_keys[] = {
    {"Up Down j k", "select (PgUp, PgDn, Home, End too)"},
    {"1 2 3 4 5 6", "sort: ncalls, tottime, percall, cumtime, percall, name"},
    {"s, S", "sort by the next, the previous column"},
    {"r", "reverse the order"},
    {"/", "filter by text (Enter applies, Esc cancels)"},
    {"d", "strip directories from file names, or back"},
    {"Enter", "callers and callees of the selection; walk to one"},
    {"Bksp, h, Left", "walk back (calls); zoom out (icicle)"},
    {"i", "icicle: arrows move, Enter zooms, Esc zooms out"},
    {"t, Esc", "back to the table"},
    {"e", "explain the selected function's numbers"},
    {"mouse", "click a column to sort, a row to select, twice to open"},
    {NULL, NULL},
};
