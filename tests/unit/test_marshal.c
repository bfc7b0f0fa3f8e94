/*
 * Unit tests for the marshal reader (core/marshal.c): every type pstats
 * files use, references, the limits on hostile input (truncation at every
 * length, huge lengths, deep nesting), and the real profiles of
 * tests/fixtures/prof.
 */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "near.h"

#include "base/buf.h"
#include "core/marshal.h"

static char fixtures[4096];

static void
m_i32(struct buf *b, int32_t v)
{
	uint32_t u = (uint32_t)v;
	unsigned char le[4] = {u & 0xff, (u >> 8) & 0xff, (u >> 16) & 0xff, u >> 24};

	buf_add(b, le, 4);
}

static void
m_type(struct buf *b, int type, int32_t v)
{
	buf_addc(b, (char)type);
	m_i32(b, v);
}

static void
m_digits(struct buf *b, const uint16_t *d, int n)
{
	for (int i = 0; i < n; i++) {
		buf_addc(b, (char)(d[i] & 0xff));
		buf_addc(b, (char)(d[i] >> 8));
	}
}

static void
m_double(struct buf *b, double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	buf_addc(b, 'g');
	for (int i = 0; i < 8; i++)
		buf_addc(b, (char)(u >> (8 * i)));
}

/* Reads b and checks the result; returns the document (caller frees) or NULL. */
static struct marshal_doc *
expect(const struct buf *b, enum marshal_result want, const char *want_cause)
{
	struct marshal_doc *doc = (void *)1;
	char *cause = NULL;
	enum marshal_result rc;

	rc = marshal_read(b->data, b->len, &doc, &cause);
	if (rc != want)
		fail_msg("result %d, want %d (%s)", rc, want, cause != NULL ? cause : "no cause");
	if (want == MARSHAL_OK) {
		assert_null(cause);
		assert_non_null(doc);
		return doc;
	}
	assert_null(doc);
	assert_non_null(cause);
	if (want_cause != NULL && strcmp(cause, want_cause) != 0)
		fail_msg("got \"%s\", want \"%s\"", cause, want_cause);
	free(cause);
	return NULL;
}

static const struct marshal_value *
read_one(struct buf *b, struct marshal_doc **doc)
{
	*doc = expect(b, MARSHAL_OK, NULL);
	return marshal_root(*doc);
}

static void
test_scalars(void **state)
{
	struct marshal_doc *doc;
	const struct marshal_value *v;
	struct buf b;

	(void)state;
	buf_init(&b);
	buf_adds(&b, "N");
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_NONE);
	assert_int_equal(v->offset, 0);
	assert_int_equal(marshal_size(doc), 1);
	marshal_free(doc);

	buf_reset(&b);
	buf_adds(&b, "Fxyz");
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_BOOL);
	assert_int_equal(v->u.i, 0);
	assert_int_equal(marshal_size(doc), 1); /* what follows the object is not read */
	marshal_free(doc);
	buf_reset(&b);
	buf_adds(&b, "T");
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_BOOL);
	assert_int_equal(v->u.i, 1);
	marshal_free(doc);

	buf_reset(&b);
	m_type(&b, 'i', -2);
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_INT);
	assert_int_equal(v->u.i, -2);
	marshal_free(doc);
	buf_reset(&b);
	m_type(&b, 'i', INT32_MIN);
	v = read_one(&b, &doc);
	assert_true(v->u.i == INT32_MIN);
	marshal_free(doc);
	buf_reset(&b);
	m_type(&b, 'i', 123456789);
	v = read_one(&b, &doc);
	assert_int_equal(v->u.i, 123456789);
	marshal_free(doc);

	buf_reset(&b);
	buf_add(&b, "I\xfe\xff\xff\xff\xff\xff\xff\xff", 9);
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_INT);
	assert_int_equal(v->u.i, -2);
	marshal_free(doc);
	buf_reset(&b);
	buf_add(&b, "I\x01\x00\x00\x00\x00\x00\x00\x80", 9);
	v = read_one(&b, &doc);
	assert_true(v->u.i == INT64_MIN + 1);
	marshal_free(doc);
	buf_reset(&b);
	buf_add(&b, "I\x01\x00\x00\x00\x00\x00\x00", 8);
	expect(&b, MARSHAL_TRUNCATED, "truncated at byte 5 of 8");

	buf_reset(&b);
	m_double(&b, 0.01918474);
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_FLOAT);
	assert_true(v->u.f == 0.01918474);
	assert_int_equal(marshal_size(doc), 9);
	marshal_free(doc);
	buf_reset(&b);
	m_double(&b, -INFINITY);
	v = read_one(&b, &doc);
	assert_true(isinf(v->u.f) && v->u.f < 0);
	marshal_free(doc);

	/* the old text float */
	buf_reset(&b);
	buf_add(&b, "f\x04-1.5", 6);
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_FLOAT);
	assert_near(v->u.f, -1.5, 0);
	marshal_free(doc);
	buf_reset(&b);
	buf_add(&b,
	    "f\x05"
	    "2e-03",
	    7);
	v = read_one(&b, &doc);
	assert_near(v->u.f, 0.002, 1e-18);
	marshal_free(doc);
	buf_reset(&b);
	buf_add(&b, "f\x03nan", 5);
	v = read_one(&b, &doc);
	assert_true(isnan(v->u.f));
	marshal_free(doc);
	buf_reset(&b);
	buf_add(&b,
	    "f\x03"
	    "abc",
	    5);
	expect(&b, MARSHAL_BAD, "bad float at byte 0");
	buf_reset(&b);
	buf_add(&b, "f\x04 1.5", 6);
	expect(&b, MARSHAL_BAD, "bad float at byte 0");
	buf_reset(&b);
	buf_add(&b, "f\x00", 2);
	expect(&b, MARSHAL_BAD, "bad float at byte 0");
	buf_reset(&b);
	buf_add(&b,
	    "f\x04"
	    "1.5",
	    5);
	expect(&b, MARSHAL_TRUNCATED, "truncated at byte 2 of 5");
	buf_free(&b);
}

static void
expect_long(const uint16_t *d, int n, long long want)
{
	struct marshal_doc *doc;
	const struct marshal_value *v;
	struct buf b;

	buf_init(&b);
	m_type(&b, 'l', n);
	m_digits(&b, d, n < 0 ? -n : n);
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_INT);
	if (v->u.i != want)
		fail_msg("%lld != %lld", v->u.i, want);
	marshal_free(doc);
	buf_free(&b);
}

static void
test_longs(void **state)
{
	static const uint16_t five[] = {5};
	static const uint16_t two15[] = {0, 1};
	static const uint16_t max[] = {0x7fff, 0x7fff, 0x7fff, 0x7fff, 0x7};
	static const uint16_t min[] = {0, 0, 0, 0, 0x8};
	static const uint16_t big[] = {0, 0, 0, 0, 0x10};
	static const uint16_t huge[] = {0, 0, 0, 0, 0, 1};
	static const uint16_t baddigit[] = {0x8000};
	static const uint16_t unnorm[] = {5, 0};
	struct buf b;

	(void)state;
	expect_long(five, 0, 0);
	expect_long(five, 1, 5);
	expect_long(five, -1, -5);
	expect_long(two15, 2, 32768);
	expect_long(two15, -2, -32768);
	expect_long(max, 5, INT64_MAX);
	expect_long(min, -5, INT64_MIN);

	buf_init(&b);
	m_type(&b, 'l', 5);
	m_digits(&b, min, 5);
	expect(&b, MARSHAL_BAD, "integer beyond 64 bits at byte 0");
	buf_reset(&b);
	m_type(&b, 'l', -5);
	m_digits(&b, big, 5);
	expect(&b, MARSHAL_BAD, "integer beyond 64 bits at byte 0");
	buf_reset(&b);
	m_type(&b, 'l', 6);
	m_digits(&b, huge, 6);
	expect(&b, MARSHAL_BAD, "integer beyond 64 bits at byte 0");
	buf_reset(&b);
	m_type(&b, 'l', 1);
	m_digits(&b, baddigit, 1);
	expect(&b, MARSHAL_BAD, "bad digit in a long at byte 5");
	buf_reset(&b);
	m_type(&b, 'l', 2);
	m_digits(&b, unnorm, 2);
	expect(&b, MARSHAL_BAD, "unnormalized long at byte 5");
	buf_reset(&b);
	m_type(&b, 'l', INT32_MIN);
	m_digits(&b, five, 1);
	expect(&b, MARSHAL_TRUNCATED, "truncated at byte 5 of 7");
	buf_reset(&b);
	m_type(&b, 'l', 3);
	m_digits(&b, max, 2);
	buf_addc(&b, 1);
	expect(&b, MARSHAL_TRUNCATED, "truncated at byte 5 of 10");
	buf_free(&b);
}

static void
test_strings(void **state)
{
	struct marshal_doc *doc;
	const struct marshal_value *v;
	struct buf b;

	(void)state;
	buf_init(&b);
	m_type(&b, 's', 3);
	buf_add(&b, "a\0b", 3);
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_BYTES);
	assert_int_equal(v->u.str.len, 3);
	assert_memory_equal(v->u.str.s, "a\0b", 4);
	marshal_free(doc);

	/* 'u' and 't' hold UTF-8 */
	buf_reset(&b);
	m_type(&b, 'u', 7);
	buf_adds(&b, "grüße");
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_STR);
	assert_string_equal(v->u.str.s, "grüße");
	assert_int_equal(v->u.str.len, 7);
	marshal_free(doc);
	buf_reset(&b);
	m_type(&b, 't', 0);
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_STR);
	assert_string_equal(v->u.str.s, "");
	marshal_free(doc);
	/* surrogates pass, as CPython reads them */
	buf_reset(&b);
	m_type(&b, 'u', 3);
	buf_add(&b, "\xed\xa0\x80", 3);
	v = read_one(&b, &doc);
	assert_int_equal(v->u.str.len, 3);
	marshal_free(doc);

	/* the ASCII kinds are Latin-1 to CPython: made UTF-8 */
	buf_reset(&b);
	m_type(&b, 'a', 2);
	buf_add(&b, "\xe9x", 2);
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_STR);
	assert_string_equal(v->u.str.s, "\xc3\xa9x");
	assert_int_equal(v->u.str.len, 3);
	marshal_free(doc);
	buf_reset(&b);
	m_type(&b, 'A', 1);
	buf_adds(&b, "~");
	v = read_one(&b, &doc);
	assert_string_equal(v->u.str.s, "~");
	marshal_free(doc);
	buf_reset(&b);
	buf_add(&b, "z\x05hello", 7);
	v = read_one(&b, &doc);
	assert_string_equal(v->u.str.s, "hello");
	marshal_free(doc);
	buf_reset(&b);
	buf_add(&b, "Z\x01\xff", 3);
	v = read_one(&b, &doc);
	assert_string_equal(v->u.str.s, "\xc3\xbf");
	marshal_free(doc);
	buf_reset(&b);
	buf_add(&b, "z\x00", 2);
	v = read_one(&b, &doc);
	assert_string_equal(v->u.str.s, "");
	marshal_free(doc);

	/* bad UTF-8: the offending byte is named */
	static const struct {
		const char *bytes;
		int len;
		const char *cause;
	} bad[] = {
	    {"\xff", 1, "invalid UTF-8 in a string at byte 5"},
	    {"ab\xc0\x80", 4, "invalid UTF-8 in a string at byte 7"},
	    {"\xe0\x80\x80", 3, "invalid UTF-8 in a string at byte 6"},
	    {"\xf5\x80\x80\x80", 4, "invalid UTF-8 in a string at byte 5"},
	    {"\xf4\x90\x80\x80", 4, "invalid UTF-8 in a string at byte 6"},
	    {"x\xc3", 2, "invalid UTF-8 in a string at byte 6"},
	    {"\xe2\x82", 2, "invalid UTF-8 in a string at byte 5"},
	    {"\x80", 1, "invalid UTF-8 in a string at byte 5"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf_reset(&b);
		m_type(&b, 'u', bad[i].len);
		buf_add(&b, bad[i].bytes, (size_t)bad[i].len);
		expect(&b, MARSHAL_BAD, bad[i].cause);
	}

	buf_reset(&b);
	m_type(&b, 'u', -1);
	expect(&b, MARSHAL_BAD, "negative length at byte 1");
	buf_reset(&b);
	m_type(&b, 's', INT32_MAX);
	buf_adds(&b, "abc");
	expect(&b, MARSHAL_TRUNCATED, "truncated at byte 5 of 8");
	buf_reset(&b);
	buf_add(&b, "z\x05hell", 6);
	expect(&b, MARSHAL_TRUNCATED, "truncated at byte 2 of 6");
	buf_free(&b);
}

static void
test_containers(void **state)
{
	struct marshal_doc *doc;
	const struct marshal_value *v, *w;
	struct buf b;

	(void)state;
	buf_init(&b);
	m_type(&b, '(', 3);
	buf_adds(&b, "NT");
	buf_add(&b, ")\x02[\x00\x00\x00\x00{0", 9);
	m_type(&b, 'i', 7);
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_TUPLE);
	assert_int_equal(v->u.seq.n, 3);
	assert_int_equal(v->u.seq.items[0]->kind, MARSHAL_NONE);
	assert_int_equal(v->u.seq.items[1]->kind, MARSHAL_BOOL);
	w = v->u.seq.items[2];
	assert_int_equal(w->kind, MARSHAL_TUPLE);
	assert_int_equal(w->offset, 7);
	assert_int_equal(w->u.seq.n, 2);
	assert_int_equal(w->u.seq.items[0]->kind, MARSHAL_LIST);
	assert_int_equal(w->u.seq.items[0]->u.seq.n, 0);
	assert_int_equal(w->u.seq.items[1]->kind, MARSHAL_DICT);
	assert_int_equal(w->u.seq.items[1]->u.seq.n, 0);
	assert_int_equal(marshal_size(doc), b.len - 5);
	marshal_free(doc);

	/* a dict: pairs up to a NULL key */
	buf_reset(&b);
	buf_add(&b,
	    "{z\x01"
	    "a",
	    4);
	m_type(&b, 'i', 1);
	buf_add(&b,
	    "z\x01"
	    "b[\x02\x00\x00\x00NF0",
	    11);
	v = read_one(&b, &doc);
	assert_int_equal(v->kind, MARSHAL_DICT);
	assert_int_equal(v->u.seq.n, 2);
	assert_string_equal(v->u.seq.items[0]->u.str.s, "a");
	assert_int_equal(v->u.seq.items[1]->u.i, 1);
	assert_string_equal(v->u.seq.items[2]->u.str.s, "b");
	assert_int_equal(v->u.seq.items[3]->kind, MARSHAL_LIST);
	assert_int_equal(v->u.seq.items[3]->u.seq.n, 2);
	marshal_free(doc);

	buf_reset(&b);
	buf_add(&b, "{NN", 3);
	expect(&b, MARSHAL_TRUNCATED, "truncated at byte 3 of 3");
	buf_reset(&b);
	buf_add(&b, "{N0", 3);
	expect(&b, MARSHAL_BAD, "NULL object at byte 2");
	buf_reset(&b);
	buf_add(&b, ")\x02N0", 4);
	expect(&b, MARSHAL_BAD, "NULL object at byte 3");
	buf_reset(&b);
	buf_add(&b, "0", 1);
	expect(&b, MARSHAL_BAD, "NULL object at byte 0");
	buf_reset(&b);
	m_type(&b, '[', -3);
	expect(&b, MARSHAL_BAD, "negative length at byte 1");

	/* claimed lengths are not believed: the data runs out first */
	buf_reset(&b);
	m_type(&b, '(', INT32_MAX);
	expect(&b, MARSHAL_TRUNCATED, "truncated at byte 5 of 5");
	buf_reset(&b);
	m_type(&b, '[', INT32_MAX);
	buf_adds(&b, "NNNNNNNNNN");
	expect(&b, MARSHAL_TRUNCATED, "truncated at byte 15 of 15");
	buf_free(&b);
}

static void
test_refs(void **state)
{
	struct marshal_doc *doc;
	const struct marshal_value *v, *t;
	struct buf b;

	(void)state;
	/* [i 7 (ref 0), None (no slot), (ref 1: z"x" (ref 2), r 0), r 1, r 2, r 0] */
	buf_init(&b);
	m_type(&b, '[', 6);
	m_type(&b, 'i' | 0x80, 7);
	buf_addc(&b, (char)('N' | 0x80));
	buf_add(&b, "\xa9\x02\xfa\x01x", 5);
	m_type(&b, 'r', 0);
	m_type(&b, 'r', 1);
	m_type(&b, 'r', 2);
	m_type(&b, 'r', 0);
	v = read_one(&b, &doc);
	assert_int_equal(v->u.seq.n, 6);
	assert_int_equal(v->u.seq.items[0]->u.i, 7);
	assert_int_equal(v->u.seq.items[1]->kind, MARSHAL_NONE);
	t = v->u.seq.items[2];
	assert_int_equal(t->kind, MARSHAL_TUPLE);
	assert_int_equal(t->u.seq.n, 2);
	assert_string_equal(t->u.seq.items[0]->u.str.s, "x");
	assert_ptr_equal(t->u.seq.items[1], v->u.seq.items[0]);
	assert_ptr_equal(v->u.seq.items[3], t);
	assert_ptr_equal(v->u.seq.items[4], t->u.seq.items[0]);
	assert_ptr_equal(v->u.seq.items[5], v->u.seq.items[0]);
	marshal_free(doc);

	/* every kind that takes a slot: float, long, bytes, str, list, dict */
	buf_reset(&b);
	m_type(&b, '(', 12);
	m_double(&b, 2.5);
	b.data[b.len - 9] = (char)('g' | 0x80);
	m_type(&b, 'l' | 0x80, 1);
	buf_add(&b, "\x09\x00", 2);
	m_type(&b, 's' | 0x80, 1);
	buf_adds(&b, "b");
	m_type(&b, 'u' | 0x80, 1);
	buf_adds(&b, "u");
	buf_add(&b,
	    "\xdb\x00\x00\x00\x00\xfb"
	    "0",
	    7);
	for (int i = 0; i < 6; i++)
		m_type(&b, 'r', i);
	buf_addc(&b, (char)('T' | 0x80));
	v = read_one(&b, &doc);
	assert_int_equal(v->u.seq.n, 12);
	for (int i = 0; i < 6; i++)
		assert_ptr_equal(v->u.seq.items[6 + i], v->u.seq.items[i]);
	assert_near(v->u.seq.items[0]->u.f, 2.5, 0);
	assert_int_equal(v->u.seq.items[1]->u.i, 9);
	assert_int_equal(v->u.seq.items[4]->kind, MARSHAL_LIST);
	assert_int_equal(v->u.seq.items[5]->kind, MARSHAL_DICT);
	marshal_free(doc);

	/* a container's slot is taken before its items: the string is ref 1, not 0 */
	buf_reset(&b);
	buf_add(&b, "\xa9\x03\xfa\x01s", 5);
	m_type(&b, 'r', 1);
	buf_adds(&b, "N");
	v = read_one(&b, &doc);
	assert_ptr_equal(v->u.seq.items[1], v->u.seq.items[0]);
	marshal_free(doc);

	/* a reference to the container being read would make a cycle */
	buf_reset(&b);
	buf_add(&b, "\xa9\x01", 2);
	m_type(&b, 'r', 0);
	expect(&b, MARSHAL_BAD, "reference to an unfinished container at byte 2");
	buf_reset(&b);
	buf_add(&b, ")\x02\xce", 3);
	m_type(&b, 'r', 0);
	expect(&b, MARSHAL_BAD, "bad reference 0 at byte 3");
	buf_reset(&b);
	buf_add(&b, ")\x02\xe9\x01\x00\x00\x00", 7);
	m_type(&b, 'r', -1);
	expect(&b, MARSHAL_BAD, "bad reference -1 at byte 7");
	buf_reset(&b);
	m_type(&b, 'r', 5);
	expect(&b, MARSHAL_BAD, "bad reference 5 at byte 0");
	buf_reset(&b);
	buf_add(&b, "r\x00\x00", 3);
	expect(&b, MARSHAL_TRUNCATED, "truncated at byte 1 of 3");
	buf_free(&b);
}

static void
test_unknown_types(void **state)
{
	static const unsigned char types[] = {
	    '<', '>', 'x', 'y', 'S', '.', '?', 0, 0x80, 0x89, 0xff};
	struct buf b;
	char want[64];

	(void)state;
	buf_init(&b);
	for (size_t i = 0; i < sizeof types; i++) {
		buf_reset(&b);
		buf_add(&b, ")\x01", 2);
		buf_addc(&b, (char)types[i]);
		buf_adds(&b, "\x01\x02\x03\x04\x05\x06\x07\x08\x09");
		snprintf(want, sizeof want, "unknown marshal type 0x%02x at byte 2", types[i]);
		expect(&b, MARSHAL_BAD, want);
	}
	buf_free(&b);

	assert_string_equal(marshal_kind_name(MARSHAL_NONE), "None");
	assert_string_equal(marshal_kind_name(MARSHAL_BOOL), "bool");
	assert_string_equal(marshal_kind_name(MARSHAL_INT), "int");
	assert_string_equal(marshal_kind_name(MARSHAL_FLOAT), "float");
	assert_string_equal(marshal_kind_name(MARSHAL_BYTES), "bytes");
	assert_string_equal(marshal_kind_name(MARSHAL_STR), "str");
	assert_string_equal(marshal_kind_name(MARSHAL_TUPLE), "tuple");
	assert_string_equal(marshal_kind_name(MARSHAL_LIST), "list");
	assert_string_equal(marshal_kind_name(MARSHAL_DICT), "dict");
}

static void
test_depth(void **state)
{
	struct marshal_doc *doc;
	const struct marshal_value *v;
	struct buf b;
	int n;

	(void)state;
	buf_init(&b);
	for (int i = 0; i < MARSHAL_MAX_DEPTH; i++)
		buf_add(&b, ")\x01", 2);
	buf_adds(&b, "N");
	v = read_one(&b, &doc);
	for (n = 0; v->kind == MARSHAL_TUPLE; n++)
		v = v->u.seq.items[0];
	assert_int_equal(n, MARSHAL_MAX_DEPTH);
	marshal_free(doc);

	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_add(&b, "[\x01\x00\x00\x00", 5);
	expect(&b, MARSHAL_BAD, "containers nested too deeply at byte 1000");
	buf_free(&b);
}

/* One of each kind, with references, so that every prefix cuts something. */
static void
build_sample(struct buf *b)
{
	static const uint16_t d[] = {1, 2, 3};

	buf_add(b, "{\xfa\x03key", 6);
	m_type(b, '(', 9);
	m_type(b, 'i', -1);
	m_type(b, 'l', -3);
	m_digits(b, d, 3);
	m_double(b, 1.25);
	buf_add(b,
	    "f\x03"
	    "0.5",
	    5);
	m_type(b, 's', 2);
	buf_adds(b, "by");
	m_type(b, 'u', 2);
	buf_adds(b, "\xc3\xa9");
	m_type(b, 'A', 1);
	buf_adds(b, "A");
	buf_add(b, "[\x02\x00\x00\x00NT", 7);
	buf_add(b, "\xa9\x01", 2);
	m_type(b, 'r', 0);
	m_type(b, 'r', 0);
	buf_add(b, "FZ\x01zN0", 6);
}

static void
test_truncation(void **state)
{
	struct marshal_doc *doc;
	struct buf b, cut;
	char *cause;
	unsigned long at, of;

	(void)state;
	buf_init(&b);
	buf_init(&cut);
	build_sample(&b);
	doc = expect(&b, MARSHAL_OK, NULL);
	assert_int_equal(marshal_size(doc), b.len);
	assert_int_equal(marshal_root(doc)->u.seq.n, 3);
	marshal_free(doc);
	for (size_t len = 0; len < b.len; len++) {
		buf_reset(&cut);
		buf_add(&cut, b.data, len);
		cause = NULL;
		assert_int_equal(marshal_read(cut.data, len, &doc, &cause), MARSHAL_TRUNCATED);
		assert_null(doc);
		assert_int_equal(sscanf(cause, "truncated at byte %lu of %lu", &at, &of), 2);
		assert_int_equal(of, len);
		assert_true(at <= len);
		free(cause);
	}
	buf_free(&b);
	buf_free(&cut);
}

/* Reads fixtures/prof/NAME into b (initialised here). */
static void
read_fixture(const char *name, struct buf *b)
{
	char path[8192], chunk[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%s/%s", fixtures, name);
	assert_true((fd = open(path, O_RDONLY)) != -1);
	buf_init(b);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(b, chunk, (size_t)n);
	close(fd);
}

static void
test_fixtures(void **state)
{
	const char *names[] = {"cprofile.prof", "profile.prof"};
	const struct marshal_value *root, *key, *val;
	struct marshal_doc *doc;
	char *cause;
	struct buf b;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		read_fixture(names[k], &b);
		doc = expect(&b, MARSHAL_OK, NULL);
		assert_int_equal(marshal_size(doc), b.len);
		root = marshal_root(doc);
		assert_int_equal(root->kind, MARSHAL_DICT);
		assert_int_equal(root->u.seq.n, k == 0 ? 25 : 27);
		for (size_t i = 0; i < root->u.seq.n; i++) {
			key = root->u.seq.items[2 * i];
			val = root->u.seq.items[2 * i + 1];
			assert_int_equal(key->kind, MARSHAL_TUPLE);
			assert_int_equal(key->u.seq.n, 3);
			assert_int_equal(val->kind, MARSHAL_TUPLE);
			assert_int_equal(val->u.seq.n, 5);
			assert_int_equal(val->u.seq.items[4]->kind, MARSHAL_DICT);
		}
		marshal_free(doc);
		for (size_t len = 0; len < b.len; len++) {
			cause = NULL;
			assert_int_equal(
			    marshal_read(b.data, len, &doc, &cause), MARSHAL_TRUNCATED);
			assert_non_null(cause);
			free(cause);
		}
		buf_free(&b);
	}
}

/* A code object (fixtures/prof/bad-code.prof is prog.py's, marshalled by 3.11): its description. */
static void
test_code(void **state)
{
	const struct marshal_value *root;
	struct marshal_doc *doc;
	char *cause;
	struct buf b;

	(void)state;
	read_fixture("bad-code.prof", &b);
	doc = expect(&b, MARSHAL_OK, NULL);
	assert_int_equal(marshal_size(doc), b.len);
	root = marshal_root(doc);
	assert_int_equal(root->kind, MARSHAL_CODE);
	assert_string_equal(marshal_kind_name(root->kind), "code object");
	assert_true(strncmp(root->u.str.s, "<code object <module>, file \"",
	                strlen("<code object <module>, file \"")) == 0);
	assert_non_null(strstr(root->u.str.s, "prog.py\", line 1>"));
	assert_int_equal(strlen(root->u.str.s), root->u.str.len);
	marshal_free(doc);
	for (size_t len = 0; len < b.len; len++) {
		cause = NULL;
		assert_int_equal(marshal_read(b.data, len, &doc, &cause), MARSHAL_TRUNCATED);
		free(cause);
	}
	/* Fields of the wrong kinds: another Python's layout. */
	buf_reset(&b);
	buf_add(&b, "c\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 21);
	for (int k = 0; k < 8; k++)
		buf_addc(&b, 'N');
	buf_add(&b, "\1\0\0\0NN", 6);
	doc =
	    expect(&b, MARSHAL_BAD, "a code object of a Python other than 3.11 or 3.12 at byte 0");
	buf_free(&b);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalars),
	    cmocka_unit_test(test_longs),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_containers),
	    cmocka_unit_test(test_refs),
	    cmocka_unit_test(test_unknown_types),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_code),
	};

	snprintf(fixtures, sizeof fixtures, "%s/tests/fixtures/prof",
	    top != NULL && *top != '\0' ? top : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
