/*
 * The output pane's model: a running script's stdout and stderr as display
 * lines, safe to draw and bounded in memory.
 *
 * Raw bytes of each stream are fed as they come, in pieces of any size; each
 * stream keeps its own parser state and partial (unterminated) line, so an
 * escape sequence, a "\r\n" or a UTF-8 character cut between two feeds is
 * handled as if it had come whole. Sanitizing:
 * - "\n" and "\r\n" end a line. A lone "\r" (progress bars) restarts the
 *   partial line: its text is replaced by what follows; until something
 *   follows, the old text stays (no empty flash), and "\r\r\n" ends it.
 * - Escape sequences are removed entirely: CSI (ESC [ params intermediates
 *   final 0x40-0x7E, or the 8-bit 0x9B when it is not part of valid UTF-8),
 *   OSC (ESC ] ... BEL or ESC \), DCS, SOS, PM and APC (ESC P, ESC X, ESC ^,
 *   ESC _ ... ESC \), and ESC [intermediates 0x20-0x2F] final (two-byte
 *   ESC x, and charset selection such as ESC ( B). A byte that cannot belong
 *   to the sequence (a control in a CSI, a non-ASCII byte after ESC) ends it
 *   and is then shown as usual, and "\n" ends an unterminated OSC or DCS
 *   string, so a stray ESC never swallows the rest of the output.
 * - TAB expands to spaces up to the next multiple of 8 columns, counting
 *   one column per character.
 * - BS removes the last character of the partial line (UTF-8 aware).
 * - Other C0 controls are shown in caret notation (^@ .. ^_), DEL as ^?.
 * - Valid UTF-8 passes through, except the C1 controls U+0080-U+009F, shown
 *   as \u0080 .. \u009f. Invalid bytes are shown as \xNN (lowercase hex), as
 *   Python's backslashreplace does: each byte of a bad or truncated sequence,
 *   the byte that broke it then read afresh.
 * So a line's text holds printable ASCII and printable UTF-8 only.
 * - A line longer than OUTBUF_LINE_MAX bytes is cut: it ends with " [line
 *   cut]" and the rest of it, up to its "\n", is dropped.
 *
 * Complete lines live in a ring of at most max_lines; the oldest is freed
 * when a new one does not fit (O(1) per line). The outbuf owns every text;
 * the outlines handed out are borrowed until the next feed, flush or clear.
 */
#ifndef PROFLAB_CORE_OUTBUF_H
#define PROFLAB_CORE_OUTBUF_H

#include <stddef.h>

#include "base/buf.h"

/* Longest line kept, in bytes, before " [line cut]". */
#define OUTBUF_LINE_MAX 65536
#define OUTBUF_CUT_MARK " [line cut]"

/* One display line of output: sanitized text, no control bytes at all. */
struct outline {
	char *text; /* NUL-terminated, never NULL */
	size_t len;
	int stream; /* 1 stdout, 2 stderr; the console adds 3 to 5 (tui/consoleview.h) */
};

/* One stream's parser state and partial line. */
struct outstream {
	struct buf line;
	struct outline partial; /* a view of line */
	size_t cols; /* characters in line, for tabs */
	int esc; /* escape parser state */
	int cr; /* a "\r" waits: is it "\r\n"? */
	int cut; /* line cut: dropping up to "\n" */
	unsigned char u8[4]; /* an incomplete UTF-8 character */
	size_t u8len, u8need;
};

/* Streams an outbuf keeps apart: stdout, stderr, and three more for the console. */
#define OUTBUF_STREAMS 5
struct outbuf {
	struct outline *lines; /* ring: lines[(head + i) % cap] */
	size_t cap, head, count, max_lines;
	struct outstream streams[OUTBUF_STREAMS];
	unsigned long dropped, total, generation;
};

/* max_lines is at least 1 (e.g. 10000); the ring grows up to it as needed. */
void outbuf_init(struct outbuf *o, size_t max_lines);
void outbuf_free(struct outbuf *o);
/* Forgets all lines, partials and parser state; dropped and total restart at 0. */
void outbuf_clear(struct outbuf *o);
/* Feeds raw bytes of stream 1 or 2 as they come. */
void outbuf_feed(struct outbuf *o, int stream, const char *data, size_t len);
/* Ends both partial lines (when the run is over). */
void outbuf_flush(struct outbuf *o);
/* Complete lines kept (<= max_lines), oldest first: i in [0, outbuf_count). */
size_t outbuf_count(const struct outbuf *o);
/* NULL when i is out of range. */
const struct outline *outbuf_line(const struct outbuf *o, size_t i);
/* The partial line of a stream (len 0 when none). */
const struct outline *outbuf_partial(const struct outbuf *o, int stream);
/* Lines dropped off the front because of max_lines. */
unsigned long outbuf_dropped(const struct outbuf *o);
/* Lines ever completed. */
unsigned long outbuf_total(const struct outbuf *o);
/* Bumped on every change, so a view knows when to redraw. */
unsigned long outbuf_generation(const struct outbuf *o);

#endif
