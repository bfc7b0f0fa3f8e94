/*
 * The output pane's model (see outbuf.h). Each stream runs a small byte-at-a-
 * time parser: escape sequences move it through the ESC_* states and are
 * dropped; in the ground state bytes are checked as UTF-8 and appended to the
 * stream's partial line in their display form. A cut line skips straight to
 * its newline with memchr, so a flood without newlines costs little.
 */
#include "config.h"

#include "core/outbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"

enum outbuf_esc {
	ESC_NONE,
	ESC_ESC, /* after ESC */
	ESC_INTER, /* ESC, intermediates 0x20-0x2F, waiting for the final */
	ESC_CSI, /* ESC [ or 0x9B, params and intermediates */
	ESC_OSC, /* ESC ] ..., up to BEL or ESC \ */
	ESC_STR, /* ESC P, X, ^ or _ ..., up to ESC \ */
	ESC_STR_ESC, /* ESC inside an OSC or string: ESC \ or a new sequence */
};

/* A partial line keeps a larger buffer than this only while it needs it. */
#define OUTBUF_KEEP_CAP 16384

static char outbuf_empty[1];

/* The index of stream 1 .. OUTBUF_STREAMS; anything else is a caller's bug. */
static int
outbuf_index(int stream)
{
	if (stream < 1 || stream > OUTBUF_STREAMS)
		fatalx("output stream %d is not one of 1 to %d", stream, OUTBUF_STREAMS);
	return stream - 1;
}

static void
outbuf_stream_init(struct outstream *s, int stream)
{
	memset(s, 0, sizeof *s);
	buf_init(&s->line);
	s->partial.text = outbuf_empty;
	s->partial.stream = stream;
}

void
outbuf_init(struct outbuf *o, size_t max_lines)
{
	memset(o, 0, sizeof *o);
	o->max_lines = max_lines == 0 ? 1 : max_lines;
	for (int i = 0; i < OUTBUF_STREAMS; i++)
		outbuf_stream_init(&o->streams[i], i + 1);
}

static void
outbuf_free_lines(struct outbuf *o)
{
	for (size_t i = 0; i < o->count; i++)
		free(o->lines[(o->head + i) % o->cap].text);
	o->head = o->count = 0;
}

void
outbuf_free(struct outbuf *o)
{
	outbuf_free_lines(o);
	free(o->lines);
	for (int i = 0; i < OUTBUF_STREAMS; i++)
		buf_free(&o->streams[i].line);
	memset(o, 0, sizeof *o);
}

void
outbuf_clear(struct outbuf *o)
{
	outbuf_free_lines(o);
	for (int i = 0; i < OUTBUF_STREAMS; i++) {
		buf_free(&o->streams[i].line);
		outbuf_stream_init(&o->streams[i], i + 1);
	}
	o->dropped = o->total = 0;
	o->generation++;
}

/* Points the partial view at the line after a change. */
static void
outbuf_sync(struct outstream *s)
{
	s->partial.text = s->line.data != NULL ? s->line.data : outbuf_empty;
	s->partial.len = s->line.len;
}

/* Appends n bytes shown as ncols characters, or cuts the line. */
static void
outbuf_put(struct outbuf *o, struct outstream *s, const char *p, size_t n, size_t ncols)
{
	if (s->cut)
		return;
	if (s->line.len + n > OUTBUF_LINE_MAX) {
		buf_adds(&s->line, OUTBUF_CUT_MARK);
		s->cut = 1;
	} else {
		buf_add(&s->line, p, n);
		s->cols += ncols;
	}
	o->generation++;
}

static void
outbuf_puthex(struct outbuf *o, struct outstream *s, const char *fmt, unsigned int c)
{
	char tmp[8];
	int n = snprintf(tmp, sizeof tmp, fmt, c);

	outbuf_put(o, s, tmp, (size_t)n, (size_t)n);
}

/* Shows the bytes of an incomplete UTF-8 character as \xNN each. */
static void
outbuf_bad_utf8(struct outbuf *o, struct outstream *s)
{
	size_t n = s->u8len;

	s->u8len = s->u8need = 0;
	for (size_t i = 0; i < n; i++)
		outbuf_puthex(o, s, "\\x%02x", s->u8[i]);
}

/* Whether c may follow the UTF-8 bytes so far (no overlong, surrogate, > U+10FFFF). */
static int
outbuf_utf8_next(const struct outstream *s, unsigned char c)
{
	if (c < 0x80 || c > 0xbf)
		return 0;
	if (s->u8len != 1)
		return 1;
	switch (s->u8[0]) {
	case 0xe0:
		return c >= 0xa0;
	case 0xed:
		return c <= 0x9f;
	case 0xf0:
		return c >= 0x90;
	case 0xf4:
		return c <= 0x8f;
	}
	return 1;
}

static void
outbuf_utf8_done(struct outbuf *o, struct outstream *s)
{
	/* U+0080-U+009F are C1 controls: a terminal may obey them. */
	if (s->u8len == 2 && s->u8[0] == 0xc2 && s->u8[1] <= 0x9f)
		outbuf_puthex(o, s, "\\u%04x", s->u8[1]);
	else
		outbuf_put(o, s, (const char *)s->u8, s->u8len, 1);
	s->u8len = s->u8need = 0;
}

static void
outbuf_restart(struct outbuf *o, struct outstream *s)
{
	if (s->line.len != 0) {
		buf_reset(&s->line);
		o->generation++;
	}
	s->cols = 0;
}

static void
outbuf_backspace(struct outbuf *o, struct outstream *s)
{
	size_t i;

	if (s->line.len == 0)
		return;
	i = s->line.len - 1;
	while (i > 0 && ((unsigned char)s->line.data[i] & 0xc0) == 0x80)
		i--;
	s->line.len = i;
	s->line.data[i] = '\0';
	if (s->cols > 0)
		s->cols--;
	o->generation++;
}

/* Moves the partial line into the ring, dropping the oldest line when full. */
static void
outbuf_end_line(struct outbuf *o, struct outstream *s)
{
	struct outline l;

	l.len = s->line.len;
	l.text = xmalloc(l.len + 1);
	if (l.len != 0)
		memcpy(l.text, s->line.data, l.len);
	l.text[l.len] = '\0';
	l.stream = s->partial.stream;

	if (o->count == o->cap && o->cap < o->max_lines) {
		/* Nothing was dropped yet, so head is 0 and the ring is in order. */
		size_t cap = o->cap == 0 ? 64 : o->cap * 2;

		if (cap > o->max_lines)
			cap = o->max_lines;
		o->lines = xreallocarray(o->lines, cap, sizeof *o->lines);
		o->cap = cap;
	}
	if (o->count == o->cap) {
		free(o->lines[o->head].text);
		o->lines[o->head] = l;
		o->head = (o->head + 1) % o->cap;
		o->dropped++;
	} else
		o->lines[(o->head + o->count++) % o->cap] = l;
	o->total++;

	if (s->line.cap > OUTBUF_KEEP_CAP)
		buf_free(&s->line);
	else
		buf_reset(&s->line);
	s->cols = 0;
	s->cut = 0;
	s->cr = 0;
	o->generation++;
}

/* One byte of an escape sequence; 0 when the byte is not part of it and must be read afresh. */
static int
outbuf_escape(struct outstream *s, unsigned char c)
{
	switch (s->esc) {
	case ESC_ESC:
		s->esc = ESC_NONE;
		if (c == '[')
			s->esc = ESC_CSI;
		else if (c == ']')
			s->esc = ESC_OSC;
		else if (c == 'P' || c == 'X' || c == '^' || c == '_')
			s->esc = ESC_STR;
		else if (c == 0x1b)
			s->esc = ESC_ESC;
		else if (c >= 0x20 && c <= 0x2f)
			s->esc = ESC_INTER;
		else if (c < 0x30 || c > 0x7e)
			return 0;
		return 1;
	case ESC_INTER:
		if (c >= 0x20 && c <= 0x2f)
			return 1;
		s->esc = ESC_NONE;
		return c >= 0x30 && c <= 0x7e;
	case ESC_CSI:
		if (c >= 0x20 && c <= 0x3f)
			return 1;
		s->esc = ESC_NONE;
		return c >= 0x40 && c <= 0x7e;
	case ESC_OSC:
	case ESC_STR:
		if (c == '\n') {
			s->esc = ESC_NONE;
			return 0;
		}
		if (c == 0x07 && s->esc == ESC_OSC)
			s->esc = ESC_NONE;
		else if (c == 0x1b)
			s->esc = ESC_STR_ESC;
		return 1;
	case ESC_STR_ESC:
		if (c == '\\') {
			s->esc = ESC_NONE;
			return 1;
		}
		/* ESC ends the string and starts a new sequence. */
		s->esc = ESC_ESC;
		return outbuf_escape(s, c);
	}
	return 0;
}

static void
outbuf_byte(struct outbuf *o, struct outstream *s, unsigned char c)
{
	char tmp[2];

	if (s->esc != ESC_NONE && outbuf_escape(s, c))
		return;
	if (s->u8need != 0) {
		if (outbuf_utf8_next(s, c)) {
			s->u8[s->u8len++] = c;
			if (s->u8len == s->u8need)
				outbuf_utf8_done(o, s);
			return;
		}
		outbuf_bad_utf8(o, s);
	}
	if (s->cr && c != '\n' && c != '\r') {
		s->cr = 0;
		outbuf_restart(o, s);
	}

	switch (c) {
	case '\n':
		outbuf_end_line(o, s);
		return;
	case '\r':
		s->cr = 1;
		return;
	case '\t':
		outbuf_put(o, s, "        ", 8 - s->cols % 8, 8 - s->cols % 8);
		return;
	case '\b':
		outbuf_backspace(o, s);
		return;
	case 0x1b:
		s->esc = ESC_ESC;
		return;
	case 0x7f:
		outbuf_put(o, s, "^?", 2, 2);
		return;
	}
	if (c < 0x20) {
		tmp[0] = '^';
		tmp[1] = (char)(c + 0x40);
		outbuf_put(o, s, tmp, 2, 2);
	} else if (c < 0x80)
		outbuf_put(o, s, (const char *)&c, 1, 1);
	else if (c >= 0xc2 && c <= 0xf4) {
		s->u8[0] = c;
		s->u8len = 1;
		s->u8need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	} else if (c == 0x9b)
		s->esc = ESC_CSI;
	else
		outbuf_puthex(o, s, "\\x%02x", c);
}

void
outbuf_feed(struct outbuf *o, int stream, const char *data, size_t len)
{
	struct outstream *s = &o->streams[outbuf_index(stream)];
	const unsigned char *p = (const unsigned char *)data, *end;

	if (len == 0)
		return;
	end = p + len;
	while (p < end) {
		if (s->cut) {
			const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));

			s->esc = ESC_NONE;
			s->u8len = s->u8need = 0;
			s->cr = 0;
			if (nl == NULL)
				break;
			p = nl;
		}
		outbuf_byte(o, s, *p++);
	}
	outbuf_sync(s);
}

void
outbuf_flush(struct outbuf *o)
{
	for (int i = 0; i < OUTBUF_STREAMS; i++) {
		struct outstream *s = &o->streams[i];

		if (s->u8need != 0)
			outbuf_bad_utf8(o, s);
		s->esc = ESC_NONE;
		s->cr = 0;
		if (s->line.len != 0)
			outbuf_end_line(o, s);
		outbuf_sync(s);
	}
}

size_t
outbuf_count(const struct outbuf *o)
{
	return o->count;
}

const struct outline *
outbuf_line(const struct outbuf *o, size_t i)
{
	if (i >= o->count)
		return NULL;
	return &o->lines[(o->head + i) % o->cap];
}

const struct outline *
outbuf_partial(const struct outbuf *o, int stream)
{
	return &o->streams[outbuf_index(stream)].partial;
}

unsigned long
outbuf_dropped(const struct outbuf *o)
{
	return o->dropped;
}

unsigned long
outbuf_total(const struct outbuf *o)
{
	return o->total;
}

unsigned long
outbuf_generation(const struct outbuf *o)
{
	return o->generation;
}
