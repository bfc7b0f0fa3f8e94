/*
 * Unit tests of the output pane's model: lines across feeds of any split,
 * "\r\n" and progress-bar "\r", two streams, escape sequences removed (also
 * when cut between feeds), controls in caret notation, tabs, backspace,
 * UTF-8 kept and invalid bytes as \xNN, the ring of max_lines, a cut flood
 * line, generation, flush and clear.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "core/outbuf.h"

#define MARK_LEN (sizeof OUTBUF_CUT_MARK - 1)

/* All complete lines (after a flush) joined by "\n", as one string the caller frees. */
static char *
joined(struct outbuf *o)
{
	struct buf b;

	buf_init(&b);
	outbuf_flush(o);
	for (size_t i = 0; i < outbuf_count(o); i++) {
		const struct outline *l = outbuf_line(o, i);

		/* No control byte may ever reach the screen. */
		for (size_t j = 0; j < l->len; j++) {
			unsigned char c = (unsigned char)l->text[j];

			assert_true(c >= 0x20 && c != 0x7f);
		}
		assert_int_equal(strlen(l->text), l->len);
		if (i != 0)
			buf_addc(&b, '\n');
		buf_add(&b, l->text, l->len);
	}
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

/*
 * Feeds in on stdout whole, byte by byte and cut in two at every place, and
 * checks the lines each time.
 */
static void
check(const char *in, size_t len, const char *want)
{
	struct outbuf o;
	char *got;

	outbuf_init(&o, 100);
	outbuf_feed(&o, 1, in, len);
	got = joined(&o);
	assert_string_equal(got, want);
	free(got);

	outbuf_clear(&o);
	for (size_t i = 0; i < len; i++)
		outbuf_feed(&o, 1, in + i, 1);
	got = joined(&o);
	assert_string_equal(got, want);
	free(got);

	for (size_t cut = 1; cut < len; cut++) {
		outbuf_clear(&o);
		outbuf_feed(&o, 1, in, cut);
		outbuf_feed(&o, 1, in + cut, len - cut);
		got = joined(&o);
		if (strcmp(got, want) != 0)
			fail_msg("cut at %zu: \"%s\", want \"%s\"", cut, got, want);
		free(got);
	}
	outbuf_free(&o);
}

#define CHECK(in, want) check(in, sizeof in - 1, want)

static void
test_lines(void **state)
{
	struct outbuf o;

	outbuf_init(&o, 10);
	outbuf_feed(&o, 1, "one\ntwo\nthr", 11);
	assert_int_equal(outbuf_count(&o), 2);
	assert_string_equal(outbuf_line(&o, 0)->text, "one");
	assert_string_equal(outbuf_line(&o, 1)->text, "two");
	assert_int_equal(outbuf_line(&o, 1)->stream, 1);
	assert_null(outbuf_line(&o, 2));
	assert_string_equal(outbuf_partial(&o, 1)->text, "thr");
	assert_int_equal(outbuf_partial(&o, 1)->len, 3);
	assert_int_equal(outbuf_partial(&o, 2)->len, 0);
	assert_string_equal(outbuf_partial(&o, 2)->text, "");
	outbuf_feed(&o, 1, "ee\n\n", 4);
	assert_int_equal(outbuf_count(&o), 4);
	assert_string_equal(outbuf_line(&o, 2)->text, "three");
	assert_string_equal(outbuf_line(&o, 3)->text, "");
	assert_int_equal(outbuf_partial(&o, 1)->len, 0);
	assert_int_equal(outbuf_total(&o), 4);
	outbuf_free(&o);

	CHECK("one\ntwo\nthree", "one\ntwo\nthree");
	CHECK("\n\na\n", "\n\na");
}

static void
test_crlf(void **state)
{
	CHECK("a\r\nb\r\n", "a\nb");
	CHECK("a\r\r\nb", "a\nb");
}

static void
test_cr_progress(void **state)
{
	struct outbuf o;

	outbuf_init(&o, 10);
	outbuf_feed(&o, 2, " 10%", 4);
	outbuf_feed(&o, 2, "\r", 1);
	/* Until something follows, the old text stays. */
	assert_string_equal(outbuf_partial(&o, 2)->text, " 10%");
	outbuf_feed(&o, 2, " 20%\r", 5);
	assert_string_equal(outbuf_partial(&o, 2)->text, " 20%");
	outbuf_feed(&o, 2, "100%", 4);
	assert_string_equal(outbuf_partial(&o, 2)->text, "100%");
	assert_int_equal(outbuf_count(&o), 0);
	outbuf_feed(&o, 2, "\n", 1);
	assert_int_equal(outbuf_count(&o), 1);
	assert_string_equal(outbuf_line(&o, 0)->text, "100%");
	assert_int_equal(outbuf_line(&o, 0)->stream, 2);
	outbuf_free(&o);

	CHECK("10%\r20%\r100%\n", "100%");
	/* A shorter text replaces a longer one, it does not overwrite it. */
	CHECK("loading...\rdone\n", "done");
	/* tqdm style: \r then clear to end of line. */
	CHECK("50%\r\033[K75%\r\033[Kdone\n", "done");
	CHECK("left\r", "left");
}

static void
test_streams(void **state)
{
	struct outbuf o;

	outbuf_init(&o, 10);
	outbuf_feed(&o, 1, "out a", 5);
	outbuf_feed(&o, 2, "err ", 4);
	outbuf_feed(&o, 1, " b\nout c", 8);
	outbuf_feed(&o, 2, "\033[3", 3);
	outbuf_feed(&o, 1, "\033[3", 3);
	outbuf_feed(&o, 2, "1mx\r", 4);
	outbuf_feed(&o, 1, "2m\n", 3);
	outbuf_feed(&o, 2, "\nlast", 5);
	assert_int_equal(outbuf_count(&o), 3);
	assert_string_equal(outbuf_line(&o, 0)->text, "out a b");
	assert_int_equal(outbuf_line(&o, 0)->stream, 1);
	assert_string_equal(outbuf_line(&o, 1)->text, "out c");
	assert_int_equal(outbuf_line(&o, 1)->stream, 1);
	assert_string_equal(outbuf_line(&o, 2)->text, "err x");
	assert_int_equal(outbuf_line(&o, 2)->stream, 2);
	assert_string_equal(outbuf_partial(&o, 2)->text, "last");
	assert_int_equal(outbuf_partial(&o, 2)->stream, 2);
	assert_int_equal(outbuf_partial(&o, 1)->len, 0);
	outbuf_free(&o);
}

static void
test_csi(void **state)
{
	CHECK("\033[1;31mred\033[0m", "red");
	CHECK("\033[38;2;255;0;0mrgb\033[m \033[38;5;196mx\033[39m", "rgb x");
	/* Cursor movement, clear screen, hide cursor, private modes. */
	CHECK("\033[2J\033[H\033[10;5Ha\033[K\033[1A\033[?25l\033[?1049hb\033[6n", "ab");
	/* The 8-bit CSI, not part of UTF-8. */
	CHECK("\x9b"
	      "31mred\x9b"
	      "0m",
	    "red");
	/* tput sgr0 (charset selection then SGR), keypad mode, save cursor. */
	CHECK("\033(B\033[ma\033=\0337b\0338", "ab");
	/* A control byte cannot be part of a CSI: the sequence ends there. */
	CHECK("\033[31\nx", "\nx");
	CHECK("\033[1", "");
}

static void
test_osc_dcs(void **state)
{
	CHECK("\033]0;my title\007a", "a");
	CHECK("\033]2;my title\033\\b", "b");
	CHECK("\033]8;;http://example.com\033\\link\033]8;;\033\\", "link");
	CHECK("\033Pq#0;2;0;0;0#0~~\033\\c", "c");
	CHECK("\033_apc\033\\\033^pm\033\\\033Xsos\033\\d", "d");
	/* BEL ends an OSC only. */
	CHECK("\033Pa\007b\033\\e", "e");
	/* ESC inside a string ends it and starts a new sequence. */
	CHECK("\033]0;t\033[31mf", "f");
	/* An unterminated string does not swallow the next lines. */
	CHECK("\033]0;t\nnext\n", "\nnext");
}

static void
test_escape_split(void **state)
{
	/* check() also cuts each of these between every two bytes. */
	CHECK("x\033[38;5;196my\033]0;t\033\\z\007\n", "xyz^G");
	CHECK("a\033]0;title\007b\033Pdata\033\\c\033(Bd\n", "abcd");
}

static void
test_controls(void **state)
{
	check("\000\001a\007\033\x1a\x1f\x7f", 8, "^@^Aa^G^Z^_^?");
	CHECK("\x0b\x0c|\x7f|", "^K^L|^?|");
	/* ESC before a control: the ESC goes, the control shows. */
	CHECK("\033\001", "^A");
}

static void
test_tab(void **state)
{
	CHECK("a\tb", "a       b");
	CHECK("12345678\tx", "12345678        x");
	CHECK("1234567\tx\ty", "1234567 x       y");
	/* Columns are characters, not bytes. */
	CHECK("\xc3\xa9\tx", "\xc3\xa9       x");
	/* A caret form is two columns. */
	CHECK("\001\tx", "^A      x");
	CHECK("ab\r\tx", "        x");
}

static void
test_backspace(void **state)
{
	CHECK("abc\b\bd", "ad");
	CHECK("h\xe2\x9c\x93\bi", "hi");
	CHECK("\b\bx", "x");
	CHECK("a\b\b\bb", "b");
	CHECK("\xc3\xa9\b\t|", "        |");
}

static void
test_utf8(void **state)
{
	CHECK("h\xc3\xa9llo \xe2\x9c\x93", "h\xc3\xa9llo \xe2\x9c\x93");
	CHECK("\xf0\x9f\x90\x8d py", "\xf0\x9f\x90\x8d py");
	CHECK("\xff", "\\xff");
	CHECK("a\x80z", "a\\x80z");
	CHECK("\xe2\x9c"
	      "A",
	    "\\xe2\\x9cA");
	CHECK("\xe2\x9c\n", "\\xe2\\x9c");
	CHECK("\xc3\xc3\xa9", "\\xc3\xc3\xa9");
	/* Overlong, surrogate, above U+10FFFF: as Python's backslashreplace. */
	CHECK("\xc0\xaf", "\\xc0\\xaf");
	CHECK("\xed\xa0\x80", "\\xed\\xa0\\x80");
	CHECK("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	CHECK("\xf5", "\\xf5");
	/* A truncated character at the end of the run. */
	CHECK("ok\xf0\x9f\x98", "ok\\xf0\\x9f\\x98");
	/* C1 controls are valid UTF-8 yet must not reach the terminal. */
	CHECK("\xc2\x9b"
	      "31m\xc2\x85",
	    "\\u009b31m\\u0085");
	CHECK("\xc2\xa0", "\xc2\xa0");
	/* A 0x9B that breaks a character is a CSI, unlike in Python. */
	CHECK("\xe0\x9b"
	      "1mz",
	    "\\xe0z");
}

static void
test_utf8_split_feeds(void **state)
{
	struct outbuf o;

	outbuf_init(&o, 10);
	outbuf_feed(&o, 1, "\xe2", 1);
	outbuf_feed(&o, 2, "\xc3", 1);
	assert_int_equal(outbuf_partial(&o, 1)->len, 0);
	outbuf_feed(&o, 1, "\x9c", 1);
	outbuf_feed(&o, 2, "\xa9", 1);
	outbuf_feed(&o, 1, "\x93", 1);
	assert_string_equal(outbuf_partial(&o, 1)->text, "\xe2\x9c\x93");
	assert_string_equal(outbuf_partial(&o, 2)->text, "\xc3\xa9");
	outbuf_free(&o);
}

static void
test_ring(void **state)
{
	struct outbuf o;
	char line[32];
	int n;

	outbuf_init(&o, 10000);
	for (int i = 0; i < 25000; i++) {
		n = snprintf(line, sizeof line, "line %d\n", i);
		outbuf_feed(&o, 1 + i % 2, line, (size_t)n);
	}
	assert_int_equal(outbuf_count(&o), 10000);
	assert_int_equal(outbuf_dropped(&o), 15000);
	assert_int_equal(outbuf_total(&o), 25000);
	assert_int_equal(o.cap, 10000);
	assert_string_equal(outbuf_line(&o, 0)->text, "line 15000");
	assert_int_equal(outbuf_line(&o, 0)->stream, 1);
	assert_string_equal(outbuf_line(&o, 5000)->text, "line 20000");
	assert_string_equal(outbuf_line(&o, 9999)->text, "line 24999");
	assert_int_equal(outbuf_line(&o, 9999)->stream, 2);
	assert_null(outbuf_line(&o, 10000));
	outbuf_free(&o);

	/* The smallest ring. */
	outbuf_init(&o, 0);
	outbuf_feed(&o, 1, "a\nb\nc\n", 6);
	assert_int_equal(outbuf_count(&o), 1);
	assert_int_equal(outbuf_dropped(&o), 2);
	assert_string_equal(outbuf_line(&o, 0)->text, "c");
	outbuf_free(&o);
}

static void
test_long_line(void **state)
{
	struct outbuf o;
	const struct outline *p;
	char chunk[4096], *big;

	memset(chunk, 'a', sizeof chunk);
	outbuf_init(&o, 10);
	for (int i = 0; i < 50; i++) {
		outbuf_feed(&o, 1, chunk, sizeof chunk);
		p = outbuf_partial(&o, 1);
		assert_true(p->len <= OUTBUF_LINE_MAX + MARK_LEN);
		assert_true(o.streams[0].line.cap <= 2 * (OUTBUF_LINE_MAX + MARK_LEN));
	}
	p = outbuf_partial(&o, 1);
	assert_int_equal(p->len, OUTBUF_LINE_MAX + MARK_LEN);
	assert_string_equal(p->text + OUTBUF_LINE_MAX, " [line cut]");
	assert_int_equal(p->text[OUTBUF_LINE_MAX - 1], 'a');
	/* Escapes, \r and bytes are dropped up to the newline. */
	outbuf_feed(&o, 1, "\033]0;x\rzz\xe2", 9);
	assert_int_equal(outbuf_partial(&o, 1)->len, OUTBUF_LINE_MAX + MARK_LEN);
	outbuf_feed(&o, 1, "tail\nnext\n", 10);
	assert_int_equal(outbuf_count(&o), 2);
	assert_int_equal(outbuf_line(&o, 0)->len, OUTBUF_LINE_MAX + MARK_LEN);
	assert_string_equal(outbuf_line(&o, 1)->text, "next");
	/* The partial's large buffer is released with its line. */
	assert_int_equal(outbuf_partial(&o, 1)->len, 0);
	assert_true(o.streams[0].line.cap <= 16384);
	outbuf_free(&o);

	/* A cut never splits a character. */
	big = malloc(OUTBUF_LINE_MAX);
	assert_non_null(big);
	memset(big, 'b', OUTBUF_LINE_MAX);
	outbuf_init(&o, 10);
	outbuf_feed(&o, 2, big, OUTBUF_LINE_MAX - 1);
	outbuf_feed(&o, 2, "\xe2\x9c\x93", 3);
	outbuf_flush(&o);
	p = outbuf_line(&o, 0);
	assert_int_equal(p->len, OUTBUF_LINE_MAX - 1 + MARK_LEN);
	assert_string_equal(p->text + OUTBUF_LINE_MAX - 1, " [line cut]");
	/* Exactly OUTBUF_LINE_MAX bytes fit. */
	outbuf_feed(&o, 2, big, OUTBUF_LINE_MAX);
	outbuf_feed(&o, 2, "\n", 1);
	assert_int_equal(outbuf_line(&o, 1)->len, OUTBUF_LINE_MAX);
	outbuf_free(&o);
	free(big);
}

static void
test_generation(void **state)
{
	struct outbuf o;
	unsigned long g;

	outbuf_init(&o, 10);
	g = outbuf_generation(&o);
	outbuf_feed(&o, 1, "a", 1);
	assert_true(outbuf_generation(&o) > g);
	g = outbuf_generation(&o);
	outbuf_feed(&o, 1, "\n", 1);
	assert_true(outbuf_generation(&o) > g);
	g = outbuf_generation(&o);
	/* Nothing to show: nothing to redraw. */
	outbuf_feed(&o, 1, "\033[0m", 4);
	outbuf_feed(&o, 1, "", 0);
	assert_int_equal(outbuf_generation(&o), g);
	outbuf_feed(&o, 2, "b", 1);
	g = outbuf_generation(&o);
	outbuf_flush(&o);
	assert_true(outbuf_generation(&o) > g);
	g = outbuf_generation(&o);
	outbuf_clear(&o);
	assert_true(outbuf_generation(&o) > g);
	outbuf_free(&o);
}

static void
test_flush_clear(void **state)
{
	struct outbuf o;

	outbuf_init(&o, 10);
	outbuf_feed(&o, 1, "done\nout", 8);
	outbuf_feed(&o, 2, "err\xe2", 4);
	outbuf_feed(&o, 2, "\033[", 2);
	outbuf_flush(&o);
	assert_int_equal(outbuf_count(&o), 3);
	assert_string_equal(outbuf_line(&o, 1)->text, "out");
	assert_int_equal(outbuf_line(&o, 1)->stream, 1);
	assert_string_equal(outbuf_line(&o, 2)->text, "err\\xe2");
	assert_int_equal(outbuf_line(&o, 2)->stream, 2);
	assert_int_equal(outbuf_partial(&o, 1)->len, 0);
	assert_int_equal(outbuf_partial(&o, 2)->len, 0);
	/* The escape state was reset too. */
	outbuf_feed(&o, 2, "x", 1);
	assert_string_equal(outbuf_partial(&o, 2)->text, "x");
	/* A second flush adds nothing more than the new partial. */
	outbuf_flush(&o);
	outbuf_flush(&o);
	assert_int_equal(outbuf_count(&o), 4);

	outbuf_feed(&o, 1, "part\033]0;", 9);
	outbuf_clear(&o);
	assert_int_equal(outbuf_count(&o), 0);
	assert_int_equal(outbuf_total(&o), 0);
	assert_int_equal(outbuf_dropped(&o), 0);
	assert_int_equal(outbuf_partial(&o, 1)->len, 0);
	assert_string_equal(outbuf_partial(&o, 1)->text, "");
	/* Nothing of the old escape is left. */
	outbuf_feed(&o, 1, "new\n", 4);
	assert_int_equal(outbuf_count(&o), 1);
	assert_string_equal(outbuf_line(&o, 0)->text, "new");
	outbuf_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_cr_progress),
	    cmocka_unit_test(test_streams),
	    cmocka_unit_test(test_csi),
	    cmocka_unit_test(test_osc_dcs),
	    cmocka_unit_test(test_escape_split),
	    cmocka_unit_test(test_controls),
	    cmocka_unit_test(test_tab),
	    cmocka_unit_test(test_backspace),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_utf8_split_feeds),
	    cmocka_unit_test(test_ring),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_generation),
	    cmocka_unit_test(test_flush_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
