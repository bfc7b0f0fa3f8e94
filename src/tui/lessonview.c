/*
 * The lesson view: lays a lesson out into lines of styled cells at the
 * pane's width (word-wrapped prose, inline code and emphasis, bullets,
 * quotes, code blocks with Python colours, exercise boxes), and draws cells.
 * The layout is rebuilt when the lesson, the width or the selection changes;
 * drawing a frame only copies cells.
 */
#include "config.h"

#include "tui/view.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "core/exercise.h"

struct cellbuf {
	struct cell *cells;
	int n, cap;
};

static void
cb_add(struct cellbuf *cb, wchar_t ch, enum role r)
{
	if (cb->n == cb->cap) {
		cb->cap = cb->cap == 0 ? 64 : cb->cap * 2;
		cb->cells = xreallocarray(cb->cells, (size_t)cb->cap, sizeof *cb->cells);
	}
	cb->cells[cb->n].ch = ch;
	cb->cells[cb->n].role = (unsigned char)r;
	cb->n++;
}

/* Appends len bytes of UTF-8 as cells; bad bytes become U+FFFD or '?'. */
static void
cb_utf8(struct cellbuf *cb, const char *s, size_t len, enum role r, int unicode)
{
	mbstate_t st;
	size_t i = 0;

	memset(&st, 0, sizeof st);
	while (i < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			cb_add(cb, unicode ? 0xfffd : '?', r);
			i++;
			continue;
		}
		if (wc == '\t') {
			cb_add(cb, ' ', r);
			cb_add(cb, ' ', r);
		} else if (wc < 32 || wc == 127) {
			cb_add(cb, '?', r);
		} else {
			cb_add(cb, wc, r);
		}
		i += n;
	}
}

static void
cb_str(struct cellbuf *cb, const char *s, enum role r, int unicode)
{
	cb_utf8(cb, s, strlen(s), r, unicode);
}

static int
cell_width(wchar_t c)
{
	int w = wcwidth(c);

	return w < 0 ? 1 : w;
}

static void
lay_push(struct lesson_layout *lay, const struct cell *cells, int n, int block)
{
	struct lline *ln;

	lay->lines = xreallocarray(lay->lines, (size_t)lay->nlines + 1, sizeof *lay->lines);
	ln = &lay->lines[lay->nlines++];
	ln->cells = xreallocarray(NULL, (size_t)(n > 0 ? n : 1), sizeof *ln->cells);
	if (n > 0)
		memcpy(ln->cells, cells, (size_t)n * sizeof *cells);
	ln->ncells = n;
	ln->block = block;
}

static void
lay_blank(struct lesson_layout *lay)
{
	lay_push(lay, NULL, 0, -1);
}

/*
 * Word-wraps the cells of cb into lines of `width` columns: `first` cells
 * start the first line, `rest` cells start the others.
 */
static void
lay_wrap(struct lesson_layout *lay, const struct cellbuf *cb, const struct cellbuf *first,
    const struct cellbuf *rest, int width, int block)
{
	struct cellbuf line = {NULL, 0, 0};
	const struct cellbuf *lead = first;
	int i = 0;

	for (;;) {
		int col = 0, start, brk = -1, j;

		line.n = 0;
		for (j = 0; j < lead->n; j++) {
			cb_add(&line, lead->cells[j].ch, (enum role)lead->cells[j].role);
			col += cell_width(lead->cells[j].ch);
		}
		/* A continuation line does not start with the space it broke at. */
		while (lead == rest && lead != first && i < cb->n && cb->cells[i].ch == ' ')
			i++;
		start = i;
		for (j = i; j < cb->n; j++) {
			int w = cell_width(cb->cells[j].ch);

			if (col + w > width)
				break;
			if (cb->cells[j].ch == ' ')
				brk = j;
			col += w;
		}
		if (j < cb->n && brk > start)
			j = brk;
		if (j == start && j < cb->n)
			j = start + 1; /* a cell wider than the line: show it anyway */
		for (; i < j; i++)
			cb_add(&line, cb->cells[i].ch, (enum role)cb->cells[i].role);
		lay_push(lay, line.cells, line.n, block);
		if (i >= cb->n)
			break;
		if (lead == first) {
			lead = rest;
			/* first == rest: skip the break space here too */
			while (i < cb->n && cb->cells[i].ch == ' ')
				i++;
			if (i >= cb->n)
				break;
		}
	}
	free(line.cells);
}

static const char *const py_keywords[] = {"False", "None", "True", "and", "as", "assert", "async",
    "await", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for",
    "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
    "raise", "return", "try", "while", "with", "yield", "print", NULL};

static int
py_keyword(const char *s, size_t len)
{
	for (size_t i = 0; py_keywords[i] != NULL; i++) {
		if (strlen(py_keywords[i]) == len && memcmp(py_keywords[i], s, len) == 0)
			return 1;
	}
	return 0;
}

/* One line of code as cells, with Python colours when python is set. */
static void
cb_code_line(struct cellbuf *cb, const char *s, size_t len, int python, int unicode)
{
	size_t i = 0;

	if (!python) {
		cb_utf8(cb, s, len, ROLE_CODE, unicode);
		return;
	}
	while (i < len) {
		size_t j = i;

		if (s[i] == '#') {
			cb_utf8(cb, s + i, len - i, ROLE_COMMENT, unicode);
			return;
		}
		if (s[i] == '"' || s[i] == '\'') {
			char q = s[i];

			for (j = i + 1; j < len && s[j] != q; j++) {
				if (s[j] == '\\' && j + 1 < len)
					j++;
			}
			if (j < len)
				j++;
			cb_utf8(cb, s + i, j - i, ROLE_STRING, unicode);
		} else if (isdigit((unsigned char)s[i])) {
			while (
			    j < len && (isalnum((unsigned char)s[j]) || s[j] == '.' || s[j] == '_'))
				j++;
			cb_utf8(cb, s + i, j - i, ROLE_NUMBER, unicode);
		} else if (isalpha((unsigned char)s[i]) || s[i] == '_' || s[i] == '%') {
			while (
			    j < len && (isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '%'))
				j++;
			cb_utf8(cb, s + i, j - i,
			    py_keyword(s + i, j - i) || s[i] == '%' ? ROLE_KEYWORD : ROLE_CODE,
			    unicode);
		} else {
			j = i + 1;
			cb_utf8(cb, s + i, 1, ROLE_CODE, unicode);
		}
		i = j;
	}
}

/* Code lines with a prefix, cut (not wrapped) at the width. */
static void
lay_code(struct lesson_layout *lay, const char *code, const char *prefix, enum role prole,
    int python, int width, int block, int unicode)
{
	const char *s = code;
	struct cellbuf cb = {NULL, 0, 0};

	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t len = nl != NULL ? (size_t)(nl - s) : strlen(s);
		int col = 0, n;

		cb.n = 0;
		cb_str(&cb, prefix, prole, unicode);
		cb_code_line(&cb, s, len, python, unicode);
		for (n = 0; n < cb.n; n++) {
			col += cell_width(cb.cells[n].ch);
			if (col > width)
				break;
		}
		if (n < cb.n && n > 0)
			cb.cells[n - 1].ch = unicode ? 0x2026 : '>';
		lay_push(lay, cb.cells, n, block);
		s = nl != NULL ? nl + 1 : s + len;
	}
	free(cb.cells);
}

static void
cb_spans(struct cellbuf *cb, const char *text, enum role base, int unicode)
{
	size_t n = lesson_spans(text, NULL, 0);
	struct lesson_span *sp = xcalloc(n + 1, sizeof *sp);

	lesson_spans(text, sp, n);
	for (size_t i = 0; i < n; i++) {
		enum role r = base;

		if (sp[i].kind == SPAN_CODE)
			r = ROLE_CODE_INLINE;
		else if (sp[i].kind == SPAN_BOLD)
			r = base == ROLE_TEXT ? ROLE_BOLD : base;
		else if (sp[i].kind == SPAN_ITALIC)
			r = base == ROLE_TEXT ? ROLE_ITALIC : base;
		cb_utf8(cb, sp[i].start, sp[i].len, r, unicode);
	}
	free(sp);
}

static void
lay_exercise(struct lesson_layout *lay, const struct lesson_block *b, int bi, int selected,
    int width, const struct progress *pr, int unicode)
{
	const struct exercise *ex = b->ex;
	struct cellbuf head = {NULL, 0, 0}, lead = {NULL, 0, 0};
	enum role hr = selected ? ROLE_SELECTED : ROLE_EXERCISE;
	const char *bar = unicode ? "\u2503 " : "| ";
	int done = progress_is_done(pr, ex->id);

	cb_str(&head, unicode ? (selected ? "\u25b6 " : "\u25b7 ") : (selected ? "> " : "  "), hr,
	    unicode);
	cb_str(&head, ex->id, hr, unicode);
	cb_str(&head, "  ", hr, unicode);
	cb_str(&head, ex->title, hr, unicode);
	if (done) {
		cb_str(&head, "  ", hr, unicode);
		cb_str(&head, unicode ? "\u2713 done" : "[done]", ROLE_DONE, unicode);
	}
	cb_str(&lead, "  ", hr, unicode);
	lay_wrap(lay, &head, &(struct cellbuf){NULL, 0, 0}, &lead, width, bi);
	free(head.cells);
	free(lead.cells);
	lay_code(lay, ex->code, bar, selected ? ROLE_SELECTED : ROLE_EXERCISE,
	    ex->kind == EXERCISE_SNIPPET, width, bi, unicode);
	if (ex->needs != NULL) {
		struct exercise_plan plan;

		/* A note only for what this version cannot run in full. */
		exercise_plan(ex, &plan);
		if (plan.note != NULL) {
			struct cellbuf nb = {NULL, 0, 0}, pre = {NULL, 0, 0};
			char *msg = xasprintf("needs %s; runs as far as it can today",
			    exercise_needs_name(ex->needs));

			cb_str(&pre, bar, selected ? ROLE_SELECTED : ROLE_EXERCISE, unicode);
			cb_str(&nb, msg, ROLE_DIM, unicode);
			lay_wrap(lay, &nb, &pre, &pre, width, bi);
			free(msg);
			free(nb.cells);
			free(pre.cells);
		}
		exercise_plan_free(&plan);
	}
	if (selected) {
		struct cellbuf fb = {NULL, 0, 0};

		cb_str(&fb, unicode ? "\u2517 " : "`-", ROLE_SELECTED, unicode);
		cb_str(&fb, " Enter: run   n/p: next/previous exercise", ROLE_DIM, unicode);
		lay_push(lay, fb.cells, fb.n, bi);
		free(fb.cells);
	}
}

static void
lay_block(struct lesson_layout *lay, const struct lesson_block *b, int bi, int sel, int width,
    const struct progress *pr, int unicode)
{
	struct cellbuf cb = {NULL, 0, 0}, first = {NULL, 0, 0}, rest = {NULL, 0, 0};
	char num[16];

	switch (b->kind) {
	case LESSON_HEADING:
		cb_spans(&cb, b->text, ROLE_HEADING, unicode);
		if (b->level == 2)
			cb_str(&first, unicode ? "\u25a0 " : "# ", ROLE_HEADING, unicode);
		else
			cb_str(&first, unicode ? "\u25aa " : "- ", ROLE_HEADING, unicode);
		cb_str(&rest, "  ", ROLE_HEADING, unicode);
		lay_wrap(lay, &cb, &first, &rest, width, bi);
		break;
	case LESSON_PARAGRAPH:
		cb_spans(&cb, b->text, ROLE_TEXT, unicode);
		lay_wrap(lay, &cb, &first, &rest, width, bi);
		break;
	case LESSON_BULLET:
	case LESSON_NUMBERED:
		cb_spans(&cb, b->text, ROLE_TEXT, unicode);
		if (b->kind == LESSON_BULLET) {
			cb_str(&first, unicode ? "  \u2022 " : "  - ", ROLE_DIM, unicode);
		} else {
			snprintf(num, sizeof num, "  %d. ", b->level);
			cb_str(&first, num, ROLE_DIM, unicode);
		}
		for (int i = 0; i < first.n; i++)
			cb_add(&rest, ' ', ROLE_TEXT);
		lay_wrap(lay, &cb, &first, &rest, width, bi);
		break;
	case LESSON_QUOTE: {
		const char *s = b->text;

		cb_str(&first, unicode ? "\u2502 " : "| ", ROLE_QUOTE, unicode);
		while (*s != '\0') {
			const char *nl = strchr(s, '\n');
			char *part = nl != NULL ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);

			cb.n = 0;
			cb_spans(&cb, part, ROLE_QUOTE, unicode);
			lay_wrap(lay, &cb, &first, &first, width, bi);
			free(part);
			s = nl != NULL ? nl + 1 : s + strlen(s);
		}
		break;
	}
	case LESSON_CODE:
		lay_code(lay, b->text, "    ", ROLE_CODE,
		    b->lang != NULL && strcmp(b->lang, "python") == 0, width, bi, unicode);
		break;
	case LESSON_EXERCISE:
		lay_exercise(lay, b, bi, bi == sel, width, pr, unicode);
		break;
	}
	free(cb.cells);
	free(first.cells);
	free(rest.cells);
}

/* Starts a layout with the lesson's title; returns the width to lay out at. */
static int
lay_begin(struct lesson_layout *lay, const struct lesson *l, int width, int unicode)
{
	struct cellbuf cb = {NULL, 0, 0}, none = {NULL, 0, 0};
	char *t = xasprintf("%d. %s", l->number, l->title);

	memset(lay, 0, sizeof *lay);
	lay->width = width;
	if (width < 4)
		width = 4;
	cb_str(&cb, t, ROLE_TITLE, unicode);
	lay_wrap(lay, &cb, &none, &none, width, -1);
	free(t);
	free(cb.cells);
	lay_blank(lay);
	return width;
}

void
layout_lesson(struct lesson_layout *lay, const struct lesson *l, int width, int sel,
    const struct progress *pr, int unicode)
{
	width = lay_begin(lay, l, width, unicode);
	for (size_t i = 0; i < l->nblocks; i++) {
		const struct lesson_block *b = &l->blocks[i];

		lay_block(lay, b, (int)i, sel, width, pr, unicode);
		/* Items of one list stay together. */
		if (i + 1 < l->nblocks && b->kind == l->blocks[i + 1].kind &&
		    (b->kind == LESSON_BULLET || b->kind == LESSON_NUMBERED))
			continue;
		lay_blank(lay);
	}
}

void
layout_exercise_only(struct lesson_layout *lay, const struct lesson *l, int width, int sel,
    const struct progress *pr, int unicode)
{
	width = lay_begin(lay, l, width, unicode);
	if (sel < 0 || (size_t)sel >= l->nblocks) {
		struct cellbuf cb = {NULL, 0, 0}, none = {NULL, 0, 0};

		cb_str(&cb, "This lesson has no exercise: Right for the next lesson.", ROLE_DIM,
		    unicode);
		lay_wrap(lay, &cb, &none, &none, width, -1);
		free(cb.cells);
		return;
	}
	/* The prose right before the exercise, then the exercise. */
	if (sel > 0 && l->blocks[sel - 1].kind == LESSON_PARAGRAPH) {
		lay_block(lay, &l->blocks[sel - 1], sel - 1, sel, width, pr, unicode);
		lay_blank(lay);
	}
	lay_block(lay, &l->blocks[sel], sel, sel, width, pr, unicode);
}

void
layout_free(struct lesson_layout *lay)
{
	for (int i = 0; i < lay->nlines; i++)
		free(lay->lines[i].cells);
	free(lay->lines);
	memset(lay, 0, sizeof *lay);
}

int
layout_find_block(const struct lesson_layout *lay, int b)
{
	for (int i = 0; i < lay->nlines; i++) {
		if (lay->lines[i].block == b)
			return i;
	}
	return -1;
}

void
view_cells(WINDOW *win, int y, int x, const struct cell *cells, int n, int width)
{
	int col = 0;

	for (int i = 0; i < n; i++) {
		wchar_t wc[2] = {cells[i].ch, 0};
		int w = cell_width(cells[i].ch);
		cchar_t cc;

		if (col + w > width)
			break;
		setcchar(&cc, wc, view_attr((enum role)cells[i].role),
		    view_pair((enum role)cells[i].role), NULL);
		mvwadd_wch(win, y, x + col, &cc);
		col += w;
	}
}

int
view_str(WINDOW *win, int y, int x, const char *s, int width, enum role r)
{
	struct cellbuf cb = {NULL, 0, 0};
	int col = 0;

	cb_utf8(&cb, s, strlen(s), r, 1);
	for (int i = 0; i < cb.n; i++) {
		int w = cell_width(cb.cells[i].ch);

		if (col + w > width) {
			cb.n = i;
			break;
		}
		col += w;
	}
	view_cells(win, y, x, cb.cells, cb.n, width);
	free(cb.cells);
	return col;
}

int
view_rows(const char *s, int width)
{
	struct cellbuf cb = {NULL, 0, 0};
	int col = 0, rows = 1;

	cb_utf8(&cb, s, strlen(s), ROLE_TEXT, 1);
	for (int i = 0; i < cb.n; i++) {
		int w = cell_width(cb.cells[i].ch);

		if (col + w > width && col > 0) {
			rows++;
			col = 0;
		}
		col += w;
	}
	free(cb.cells);
	return rows;
}

void
view_wrapped(
    WINDOW *win, int y, int x, const char *s, int width, int skip, int maxrows, enum role r)
{
	struct cellbuf cb = {NULL, 0, 0};
	int col = 0, row = 0, start = 0;

	cb_utf8(&cb, s, strlen(s), r, 1);
	for (int i = 0; i <= cb.n; i++) {
		int w = i < cb.n ? cell_width(cb.cells[i].ch) : 0;

		if (i == cb.n || (col + w > width && col > 0)) {
			if (row >= skip && row - skip < maxrows)
				view_cells(
				    win, y + row - skip, x, cb.cells + start, i - start, width);
			row++;
			col = 0;
			start = i;
		}
		col += w;
	}
	free(cb.cells);
}
