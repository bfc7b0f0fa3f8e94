/*
 * The machine pane (see machineview.h). Its window holds, from the top:
 *   the fingerprint line;
 *   one meter per CPU ("0 [|||||       23.4%]"), in as many columns as fit;
 *   the memory and swap meters;
 *   a note line (the benchmarks' state), when there is one;
 *   the report's text, as `proflab machine` prints it, scrolled with the keys.
 * The report's lines are made anew on each refresh, so the text always shows
 * the values the meters show.
 */
#include "config.h"

#include "tui/machineview.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/cpustat.h"
#include "core/machine.h"
#include "core/machine_probe.h"
#include "core/paths.h"
#include "tui/view.h"

struct machineview {
	struct machine m;
	int have_machine;
	char *error; /* why the machine could not be read */
	struct cpustat prev, cur;
	int have_prev;
	json_t *bench;
	char *note;
	int note_error;
	char **lines; /* the report's text, a line each */
	int nlines;
	int top; /* first report line shown */
	int to_bench; /* the next layout scrolls to the benchmarks' section */
	int text_rows; /* rows the report had at the last draw */
	int unicode;
};

static void
mv_free_lines(struct machineview *v)
{
	for (int i = 0; i < v->nlines; i++)
		free(v->lines[i]);
	free(v->lines);
	v->lines = NULL;
	v->nlines = 0;
}

/* The report's text, without its first line (the fingerprint, drawn on its own). */
static void
mv_layout(struct machineview *v)
{
	struct buf b;
	char *s, *nl;
	int first = 1;

	mv_free_lines(v);
	if (!v->have_machine)
		return;
	buf_init(&b);
	machine_format_text(&v->m, v->bench, &b);
	buf_addc(&b, '\0');
	for (s = b.data; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		if (!first) {
			v->lines = xreallocarray(v->lines, (size_t)v->nlines + 1, sizeof *v->lines);
			v->lines[v->nlines++] = xstrndup(s, (size_t)(nl - s));
		}
		first = 0;
		if (*nl == '\0')
			break;
	}
	/* The blank line after the fingerprint goes too. */
	if (v->nlines > 0 && v->lines[0][0] == '\0') {
		free(v->lines[0]);
		memmove(v->lines, v->lines + 1, (size_t)(v->nlines - 1) * sizeof *v->lines);
		v->nlines--;
	}
	for (int i = 0; v->to_bench && i < v->nlines; i++) {
		if (strcmp(v->lines[i], "Benchmarks") == 0) {
			v->top = i;
			v->to_bench = 0;
		}
	}
	buf_free(&b);
}

struct machineview *
machineview_new(const char *root, int unicode)
{
	struct machineview *v = xcalloc(1, sizeof *v);
	struct machine_probe probe;
	char *cause = NULL;
	json_t *py = NULL;
	int started;

	v->unicode = unicode;
	started = machine_probe_start(&probe, paths_worker(), "facts", &cause) == 0;
	if (machine_read(&v->m, root, &v->error) == 0)
		v->have_machine = 1;
	if (started)
		py = machine_probe_finish(&probe, 30, &cause);
	if (py != NULL) {
		machine_set_python(&v->m, py);
	} else {
		machineview_set_note(v, cause, 1);
	}
	free(cause);
	if (cpustat_read(&v->cur, root, &cause) == -1)
		free(cause);
	mv_layout(v);
	return v;
}

void
machineview_free(struct machineview *v)
{
	if (v == NULL)
		return;
	mv_free_lines(v);
	machine_free(&v->m);
	cpustat_free(&v->prev);
	cpustat_free(&v->cur);
	json_decref(v->bench);
	free(v->note);
	free(v->error);
	free(v);
}

void
machineview_refresh(struct machineview *v)
{
	struct cpustat next;
	char *cause = NULL;

	if (v->have_machine)
		machine_refresh(&v->m);
	if (cpustat_read(&next, v->m.root != NULL ? v->m.root : "", &cause) == 0) {
		cpustat_free(&v->prev);
		v->prev = v->cur;
		v->cur = next;
		v->have_prev = 1;
	} else {
		free(cause);
	}
	mv_layout(v);
}

void
machineview_set_bench(struct machineview *v, json_t *bench)
{
	json_decref(v->bench);
	v->bench = bench;
	v->to_bench = bench != NULL;
	mv_layout(v);
}

void
machineview_set_note(struct machineview *v, const char *note, int error)
{
	free(v->note);
	v->note = note != NULL ? xstrdup(note) : NULL;
	v->note_error = error;
}

void
machineview_fingerprint(const struct machineview *v, char id[9], char **text)
{
	machine_fingerprint(&v->m, NULL, NULL, id, text);
}

/* "label [|||||      text]" in width columns, filled to share (0..1). */
static void
mv_meter(WINDOW *win, int y, int x, int width, const char *label, double share, const char *text,
    enum role fill)
{
	int inner, bars, tl = (int)strlen(text), lw = (int)strlen(label);

	if (width < lw + 4)
		return;
	view_str(win, y, x, label, lw, ROLE_BOLD);
	inner = width - lw - 2;
	view_str(win, y, x + lw, "[", 1, ROLE_DIM);
	if (share < 0)
		share = 0;
	if (share > 1)
		share = 1;
	bars = (int)(share * inner + 0.5);
	for (int i = 0; i < inner; i++) {
		int in_text = i >= inner - tl;
		char c[2] = {in_text ? text[i - (inner - tl)] : (i < bars ? '|' : ' '), '\0'};

		view_str(win, y, x + lw + 1 + i, c, 1, in_text ? ROLE_DIM : fill);
	}
	view_str(win, y, x + lw + 1 + inner, "]", 1, ROLE_DIM);
}

static void
mv_bytes_pair(char *out, size_t size, int64_t used, int64_t total)
{
	struct buf b;

	buf_init(&b);
	machine_format_bytes(&b, used);
	buf_adds(&b, "/");
	machine_format_bytes(&b, total);
	snprintf(out, size, "%s", b.data);
	buf_free(&b);
}

/* The meters; returns the rows used. */
static int
mv_draw_meters(struct machineview *v, WINDOW *win, int y0, int w)
{
	int n = v->cur.n, cols, rows, colw, y = y0, lw = n > 10 ? 4 : 3;
	char text[64], label[16];

	cols = w / 36;
	if (cols < 1)
		cols = 1;
	if (cols > 4)
		cols = 4;
	if (cols > n && n > 0)
		cols = n;
	colw = w / cols;
	rows = n > 0 ? (n + cols - 1) / cols : 0;
	for (int i = 0; i < n; i++) {
		double pct = v->have_prev ? cpustat_percent(&v->prev, &v->cur, i) : -1;

		snprintf(label, sizeof label, "%*d", lw - 1, v->cur.id[i]);
		if (pct < 0)
			snprintf(text, sizeof text, "...");
		else
			snprintf(text, sizeof text, "%.1f%%", pct);
		mv_meter(win, y0 + i % rows, 1 + (i / rows) * colw, colw - 2, label, pct / 100,
		    text, ROLE_CPU);
	}
	y += rows;
	if (v->have_machine) {
		const struct machine *m = &v->m;
		int half = w >= 72 ? w / 2 : w;
		int64_t used = m->mem_total > 0 && m->mem_available >= 0
		    ? m->mem_total - m->mem_available
		    : -1;

		mv_bytes_pair(text, sizeof text, used, m->mem_total);
		mv_meter(win, y, 1, half - 2, "Mem",
		    m->mem_total > 0 ? (double)used / (double)m->mem_total : 0, text, ROLE_MEM);
		if (m->swap_total > 0)
			mv_bytes_pair(text, sizeof text, m->swap_used, m->swap_total);
		else
			snprintf(text, sizeof text, "no swap");
		if (half < w) {
			mv_meter(win, y, 1 + half, half - 2, "Swp",
			    m->swap_total > 0 ? (double)m->swap_used / (double)m->swap_total : 0,
			    text, ROLE_MEM);
		} else {
			y++;
			mv_meter(win, y, 1, half - 2, "Swp",
			    m->swap_total > 0 ? (double)m->swap_used / (double)m->swap_total : 0,
			    text, ROLE_MEM);
		}
		y++;
	}
	return y - y0;
}

void
machineview_draw(struct machineview *v, WINDOW *win)
{
	int h = getmaxy(win), w = getmaxx(win), y = 0;
	char id[9], *text;

	werase(win);
	if (!v->have_machine) {
		view_str(win, 0, 1, "The machine could not be read:", w - 2, ROLE_ERROR);
		view_str(win, 1, 1, v->error != NULL ? v->error : "?", w - 2, ROLE_ERROR);
		return;
	}
	machine_fingerprint(&v->m, NULL, NULL, id, &text);
	view_str(win, y, 1, "machine ", w - 1, ROLE_TITLE);
	view_str(win, y, 9, id, w - 9, ROLE_TITLE);
	view_str(win, y, 18, text, w - 19, ROLE_TEXT);
	free(text);
	y += 1;
	if (h - y > 8)
		y += mv_draw_meters(v, win, y, w);
	if (v->note != NULL && y < h)
		view_str(win, y++, 1, v->note, w - 2, v->note_error ? ROLE_ERROR : ROLE_EXERCISE);
	v->text_rows = h - y;
	if (v->top > v->nlines - v->text_rows)
		v->top = v->nlines - v->text_rows;
	if (v->top < 0)
		v->top = 0;
	for (int i = v->top; i < v->nlines && y < h; i++, y++) {
		const char *s = v->lines[i];

		view_str(
		    win, y, 1, s, w - 2, s[0] != ' ' && s[0] != '\0' ? ROLE_HEADING : ROLE_TEXT);
	}
}

int
machineview_key(struct machineview *v, int code, int wide)
{
	int page = v->text_rows > 2 ? v->text_rows - 1 : 1;

	if (wide && (code == 'j' || code == 'k'))
		code = code == 'j' ? KEY_DOWN : KEY_UP;
	else if (wide)
		return 0;
	switch (code) {
	case KEY_DOWN:
		v->top++;
		break;
	case KEY_UP:
		v->top--;
		break;
	case KEY_NPAGE:
		v->top += page;
		break;
	case KEY_PPAGE:
		v->top -= page;
		break;
	case KEY_HOME:
		v->top = 0;
		break;
	case KEY_END:
		v->top = v->nlines;
		break;
	default:
		return 0;
	}
	if (v->top > v->nlines - v->text_rows)
		v->top = v->nlines - v->text_rows;
	if (v->top < 0)
		v->top = 0;
	return 1;
}

int
machineview_mouse(struct machineview *v, int y, int x, mmask_t bstate)
{
#ifdef BUTTON5_PRESSED
	if (bstate & BUTTON5_PRESSED)
		return machineview_key(v, KEY_DOWN, 0) + machineview_key(v, KEY_DOWN, 0) > 0;
#endif
	if (bstate & BUTTON4_PRESSED)
		return machineview_key(v, KEY_UP, 0) + machineview_key(v, KEY_UP, 0) > 0;
	return 0;
}

const char *
machineview_hint(const struct machineview *v)
{
	return "b: benchmarks  Esc: back  ?: help ";
}
