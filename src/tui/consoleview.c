/*
 * The console pane (see consoleview.h). The transcript is an outbuf, which
 * sanitizes whatever a statement prints; its five streams give each kind of
 * text its colour. The input is UTF-8 in a buf with the cursor as a byte
 * offset; it is drawn at the bottom, each of its lines after a prompt (">>> "
 * for the first, "... " for the others), wrapped at the pane's width.
 */
#include "config.h"

#include "tui/consoleview.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/inhist.h"
#include "core/outbuf.h"
#include "core/pyinput.h"
#include "tui/view.h"

#define PROMPT_WIDTH 4

struct consoleview {
	struct outbuf out;
	struct buf input; /* NUL-terminated */
	size_t cursor; /* byte offset in input */
	int back; /* transcript lines scrolled back */
	int unicode;
	int busy;
	char *what; /* the statement running, for the hint */
	struct inhist hist;
	char *hist_error;
	int win_h; /* the last drawn height, for paging */
};

struct consoleview *
consoleview_new(const char *history_path, int unicode)
{
	struct consoleview *v = xcalloc(1, sizeof *v);

	outbuf_init(&v->out, 10000);
	buf_init(&v->input);
	buf_addc(&v->input, '\0');
	v->unicode = unicode;
	if (inhist_load(&v->hist, history_path, &v->hist_error) == -1) {
		/* Still usable: in memory. */
	}
	return v;
}

void
consoleview_free(struct consoleview *v)
{
	if (v == NULL)
		return;
	outbuf_free(&v->out);
	buf_free(&v->input);
	inhist_free(&v->hist);
	free(v->hist_error);
	free(v->what);
	free(v);
}

const char *
consoleview_history_error(const struct consoleview *v)
{
	return v->hist_error;
}

void
consoleview_feed(struct consoleview *v, int stream, const char *data, size_t len)
{
	size_t before = outbuf_count(&v->out);

	outbuf_feed(&v->out, stream, data, len);
	/* Scrolled back, the view stays on the same lines. */
	if (v->back > 0)
		v->back += (int)(outbuf_count(&v->out) - before);
}

void
consoleview_echo(struct consoleview *v, const char *input)
{
	const char *p = input;
	int first = 1;
	struct buf b;

	buf_init(&b);
	outbuf_flush(&v->out);
	do {
		size_t n = strcspn(p, "\n");

		buf_adds(&b, first ? ">>> " : "... ");
		buf_add(&b, p, n);
		buf_addc(&b, '\n');
		first = 0;
		p += n;
		if (*p == '\n')
			p++;
	} while (*p != '\0');
	consoleview_feed(v, CONSOLEVIEW_TYPED, b.data, b.len);
	buf_free(&b);
}

void
consoleview_set_input(struct consoleview *v, const char *text)
{
	buf_reset(&v->input);
	buf_adds(&v->input, text);
	buf_addc(&v->input, '\0');
	v->cursor = v->input.len - 1;
}

char *
consoleview_take(struct consoleview *v)
{
	char *text = xstrdup(v->input.data), *cause = NULL;
	size_t n = strlen(text);

	/* The blank line that ended a block is not part of what is kept. */
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	if (inhist_add(&v->hist, text, &cause) == -1) {
		free(v->hist_error);
		v->hist_error = cause;
	}
	consoleview_set_input(v, "");
	v->back = 0;
	return text;
}

void
consoleview_set_busy(struct consoleview *v, int busy, const char *what)
{
	v->busy = busy;
	free(v->what);
	v->what = what != NULL ? xstrdup(what) : NULL;
}

/* --- editing ------------------------------------------------------------------ */

static void
cv_insert(struct consoleview *v, const char *s, size_t n)
{
	size_t len = v->input.len - 1;
	char *rest = xstrndup(v->input.data + v->cursor, len - v->cursor);

	v->input.len = v->cursor;
	buf_add(&v->input, s, n);
	buf_adds(&v->input, rest);
	buf_addc(&v->input, '\0');
	v->cursor += n;
	free(rest);
}

/* Removes the bytes [from, to) of the input. */
static void
cv_delete(struct consoleview *v, size_t from, size_t to)
{
	memmove(v->input.data + from, v->input.data + to, v->input.len - to);
	v->input.len -= to - from;
	if (v->cursor > to)
		v->cursor -= to - from;
	else if (v->cursor > from)
		v->cursor = from;
}

/* The byte offset of the character before (dir < 0) or after the cursor. */
static size_t
cv_step(const struct consoleview *v, size_t at, int dir)
{
	const unsigned char *s = (const unsigned char *)v->input.data;
	size_t len = v->input.len - 1;

	if (dir < 0) {
		if (at == 0)
			return 0;
		at--;
		while (at > 0 && (s[at] & 0xc0) == 0x80)
			at--;
		return at;
	}
	if (at >= len)
		return len;
	at++;
	while (at < len && (s[at] & 0xc0) == 0x80)
		at++;
	return at;
}

static size_t
cv_line_start(const struct consoleview *v, size_t at)
{
	while (at > 0 && v->input.data[at - 1] != '\n')
		at--;
	return at;
}

static size_t
cv_line_end(const struct consoleview *v, size_t at)
{
	while (at < v->input.len - 1 && v->input.data[at] != '\n')
		at++;
	return at;
}

/* Columns taken by n bytes of UTF-8 at s. */
static int
cv_width(const char *s, size_t n)
{
	mbstate_t st;
	int cols = 0;

	memset(&st, 0, sizeof st);
	while (n > 0) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &st);
		int w;

		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof st);
			k = 1;
			w = 1;
		} else {
			w = wcwidth(wc);
			if (w < 0)
				w = 1;
		}
		cols += w;
		s += k;
		n -= k;
	}
	return cols;
}

/* The byte offset in the line starting at `start` closest to column col. */
static size_t
cv_at_column(const struct consoleview *v, size_t start, int col)
{
	size_t at = start, end = cv_line_end(v, start);

	while (at < end) {
		size_t next = cv_step(v, at, 1);

		if (cv_width(v->input.data + start, next - start) > col)
			break;
		at = next;
	}
	return at;
}

/* Up or Down inside a multi-line input: 0 when the cursor is on its first (last) line. */
static int
cv_vertical(struct consoleview *v, int dir)
{
	size_t start = cv_line_start(v, v->cursor);
	int col = cv_width(v->input.data + start, v->cursor - start);

	if (dir < 0) {
		if (start == 0)
			return 0;
		v->cursor = cv_at_column(v, cv_line_start(v, start - 1), col);
		return 1;
	}
	start = cv_line_end(v, v->cursor);
	if (start >= v->input.len - 1)
		return 0;
	v->cursor = cv_at_column(v, start + 1, col);
	return 1;
}

static void
cv_history(struct consoleview *v, int dir)
{
	const char *s = dir < 0 ? inhist_prev(&v->hist, v->input.data) : inhist_next(&v->hist);

	if (s == NULL) {
		beep();
		return;
	}
	consoleview_set_input(v, s);
}

static void
cv_enter(struct consoleview *v)
{
	char spaces[64];
	int indent;

	indent = pyinput_indent(v->input.data);
	if (indent > (int)sizeof spaces - 2)
		indent = (int)sizeof spaces - 2;
	spaces[0] = '\n';
	memset(spaces + 1, ' ', (size_t)indent);
	cv_insert(v, spaces, (size_t)indent + 1);
}

enum consoleview_action
consoleview_key(struct consoleview *v, int code, int wide)
{
	size_t start;

	if (wide) {
		switch (code) {
		case 27:
			return CV_LEAVE;
		case '\n':
		case '\r':
			/* At the end of a complete input, Enter runs it; elsewhere it breaks the line. */
			if (v->cursor == v->input.len - 1 && pyinput_complete(v->input.data))
				return CV_SUBMIT;
			cv_enter(v);
			return CV_NONE;
		case '\t':
			start = cv_line_start(v, v->cursor);
			cv_insert(v, "    ",
			    (size_t)(4 - cv_width(v->input.data + start, v->cursor - start) % 4));
			return CV_NONE;
		case 127:
		case 8:
			cv_delete(v, cv_step(v, v->cursor, -1), v->cursor);
			return CV_NONE;
		case 4: /* Ctrl-D */
			if (v->input.len == 1)
				return CV_LEAVE;
			cv_delete(v, v->cursor, cv_step(v, v->cursor, 1));
			return CV_NONE;
		case 1: /* Ctrl-A */
			v->cursor = cv_line_start(v, v->cursor);
			return CV_NONE;
		case 5: /* Ctrl-E */
			v->cursor = cv_line_end(v, v->cursor);
			return CV_NONE;
		case 11: /* Ctrl-K */
			cv_delete(v, v->cursor, cv_line_end(v, v->cursor));
			return CV_NONE;
		case 21: /* Ctrl-U */
			cv_delete(v, cv_line_start(v, v->cursor), v->cursor);
			return CV_NONE;
		case 12: /* Ctrl-L */
			outbuf_clear(&v->out);
			v->back = 0;
			return CV_CLEAR;
		default:
			break;
		}
		if (code >= 32 && code != 127) {
			char mb[MB_LEN_MAX];
			mbstate_t st;
			size_t n;

			memset(&st, 0, sizeof st);
			n = wcrtomb(mb, (wchar_t)code, &st);
			if (n != (size_t)-1)
				cv_insert(v, mb, n);
		}
		return CV_NONE;
	}
	switch (code) {
	case KEY_ENTER:
		return consoleview_key(v, '\n', 1);
	case KEY_BACKSPACE:
		return consoleview_key(v, 127, 1);
	case KEY_DC:
		cv_delete(v, v->cursor, cv_step(v, v->cursor, 1));
		break;
	case KEY_LEFT:
		v->cursor = cv_step(v, v->cursor, -1);
		break;
	case KEY_RIGHT:
		v->cursor = cv_step(v, v->cursor, 1);
		break;
	case KEY_HOME:
		v->cursor = cv_line_start(v, v->cursor);
		break;
	case KEY_END:
		v->cursor = cv_line_end(v, v->cursor);
		break;
	case KEY_UP:
		if (!cv_vertical(v, -1))
			cv_history(v, -1);
		break;
	case KEY_DOWN:
		if (!cv_vertical(v, 1))
			cv_history(v, 1);
		break;
	case KEY_PPAGE:
		v->back += v->win_h > 2 ? v->win_h / 2 : 1;
		if ((size_t)v->back >= outbuf_count(&v->out))
			v->back = outbuf_count(&v->out) > 0 ? (int)outbuf_count(&v->out) - 1 : 0;
		break;
	case KEY_NPAGE:
		v->back -= v->win_h > 2 ? v->win_h / 2 : 1;
		if (v->back < 0)
			v->back = 0;
		break;
	default:
		break;
	}
	return CV_NONE;
}

int
consoleview_mouse(struct consoleview *v, int y, int x, mmask_t bstate)
{
#ifdef BUTTON5_PRESSED
	if (bstate & BUTTON4_PRESSED) {
		consoleview_key(v, KEY_PPAGE, 0);
		return 1;
	}
	if (bstate & BUTTON5_PRESSED) {
		consoleview_key(v, KEY_NPAGE, 0);
		return 1;
	}
#endif
	return 0;
}

const char *
consoleview_hint(const struct consoleview *v)
{
	if (v->busy)
		return "running: Ctrl-C interrupts it, Esc leaves it running";
	if (v->back > 0)
		return "PgDn: back to the newest lines";
	return "Enter runs, Up/Down: history, PgUp: scroll, Ctrl-L: clear, Esc: back";
}

/* --- drawing ------------------------------------------------------------------ */

static enum role
cv_role(int stream)
{
	switch (stream) {
	case 2:
		return ROLE_STDERR;
	case 3:
		return ROLE_CODE;
	case 4:
		return ROLE_MARK;
	case CONSOLEVIEW_TYPED:
		return ROLE_BOLD;
	default:
		return ROLE_TEXT;
	}
}

/* Rows the input takes at width (its prompts included). */
static int
cv_input_rows(const struct consoleview *v, int width)
{
	const char *p = v->input.data;
	int rows = 0;

	for (;;) {
		size_t n = strcspn(p, "\n");
		int cols = PROMPT_WIDTH + cv_width(p, n);

		rows += cols / width + 1;
		p += n;
		if (*p != '\n')
			break;
		p++;
	}
	return rows;
}

static void
cv_draw_input(struct consoleview *v, WINDOW *win, int y0, int width, int maxrows)
{
	const char *p = v->input.data;
	int y = y0, cy = -1, cx = 0, first = 1;

	for (;;) {
		size_t n = strcspn(p, "\n"), off = (size_t)(p - v->input.data);
		char *line = xstrndup(p, n);
		int rows = (PROMPT_WIDTH + cv_width(p, n)) / width + 1;

		if (v->cursor >= off && v->cursor <= off + n) {
			int col = PROMPT_WIDTH + cv_width(p, v->cursor - off);

			cy = y + col / width;
			cx = col % width;
		}
		if (y < y0 + maxrows) {
			view_str(win, y, 0, first ? ">>> " : "... ", PROMPT_WIDTH,
			    v->busy ? ROLE_DIM : ROLE_SELECTED);
			/* The first row after the prompt, then whole rows. */
			{
				char *rest = line;
				int yy = y, x = PROMPT_WIDTH;

				while (*rest != '\0' && yy < y0 + maxrows) {
					int used = view_str(win, yy, x, rest, width - x, ROLE_TEXT);
					size_t adv = 0;
					int cols = 0;

					/* Skip the characters drawn. */
					while (rest[adv] != '\0' && cols < used) {
						size_t k = 1;

						while ((rest[adv + k] & 0xc0) == 0x80)
							k++;
						cols += cv_width(rest + adv, k);
						adv += k;
					}
					if (adv == 0)
						break;
					rest += adv;
					yy++;
					x = 0;
				}
			}
		}
		free(line);
		y += rows;
		first = 0;
		p += n;
		if (*p != '\n')
			break;
		p++;
	}
	if (cy >= y0 && cy < y0 + maxrows) {
		wmove(win, cy, cx);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

void
consoleview_draw(struct consoleview *v, WINDOW *win)
{
	int h, w, in_rows, out_h, n = 0, y;
	const struct outline *lines[512];
	size_t count = outbuf_count(&v->out);
	long end;

	getmaxyx(win, h, w);
	werase(win);
	v->win_h = h;
	if (h < 1 || w < PROMPT_WIDTH + 2)
		return;
	in_rows = cv_input_rows(v, w);
	if (in_rows > h / 2 + 1)
		in_rows = h / 2 + 1;
	if (in_rows > h)
		in_rows = h;
	out_h = h - in_rows;
	/* The transcript's newest lines (partials first), then backwards. */
	for (int s = OUTBUF_STREAMS; s >= 1 && v->back == 0; s--) {
		const struct outline *p = outbuf_partial(&v->out, s);

		if (p->len > 0 && n < out_h)
			lines[n++] = p;
	}
	end = (long)count - 1 - v->back;
	for (long i = end; i >= 0 && n < out_h && n < 512; i--)
		lines[n++] = outbuf_line(&v->out, (size_t)i);
	/* Newest just above the input; the oldest shown may lose its first rows. */
	y = out_h;
	for (int i = 0; i < n && y > 0; i++) {
		int r = view_rows(lines[i]->text, w), skip = 0;

		if (r > y) {
			skip = r - y;
			r = y;
		}
		y -= r;
		view_wrapped(win, y, 0, lines[i]->text, w, skip, r, cv_role(lines[i]->stream));
	}
	cv_draw_input(v, win, out_h, w, in_rows);
}
