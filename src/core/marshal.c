/*
 * Reading Python's marshal format (see marshal.h). One recursive descent
 * over the input, which is never read past its length: every read checks
 * the bytes left first, and a container's items are collected on a shared
 * stack rather than allocated from a length the input claims, so a huge
 * claimed length ends in "truncated" after at most one item per byte.
 *
 * Values, strings and item arrays are carved from the document's arena (a
 * list of blocks). The references table maps indexes to nodes; as in
 * CPython, a container takes its slot before its items are read.
 */
#include "config.h"

#include "core/marshal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

#define MARSHAL_BLOCK 65536
#define MARSHAL_FLAG_REF 0x80

struct marshal_block {
	struct marshal_block *next;
	unsigned char *data;
	size_t used;
	size_t size;
};

struct marshal_doc {
	struct marshal_block *blocks;
	struct marshal_value *root;
	size_t size;
};

struct marshal_reader {
	const unsigned char *p;
	size_t len;
	size_t pos;
	struct marshal_doc *doc;

	struct marshal_value **refs;
	unsigned char *done; /* 0 while the container in refs[i] is being read */
	size_t nrefs;
	size_t refscap;

	struct marshal_value **stack; /* items of the containers being read */
	size_t nstack;
	size_t stackcap;

	enum marshal_result result;
	char *cause;
};

static void *
marshal_alloc(struct marshal_doc *doc, size_t size)
{
	struct marshal_block *b = doc->blocks;
	void *p;

	size = (size + 15) & ~(size_t)15;
	if (b == NULL || b->size - b->used < size) {
		b = xmalloc(sizeof *b);
		b->size = size > MARSHAL_BLOCK ? size : MARSHAL_BLOCK;
		b->data = xmalloc(b->size);
		b->used = 0;
		b->next = doc->blocks;
		doc->blocks = b;
	}
	p = b->data + b->used;
	b->used += size;
	return p;
}

static int
marshal_truncated(struct marshal_reader *r, size_t at)
{
	r->result = MARSHAL_TRUNCATED;
	r->cause = xasprintf("truncated at byte %zu of %zu", at, r->len);
	return -1;
}

static int
marshal_bad(struct marshal_reader *r, const char *what, size_t at)
{
	r->result = MARSHAL_BAD;
	r->cause = xasprintf("%s at byte %zu", what, at);
	return -1;
}

static int
marshal_need(struct marshal_reader *r, size_t n)
{
	if (r->len - r->pos < n)
		return marshal_truncated(r, r->pos);
	return 0;
}

static int
marshal_u8(struct marshal_reader *r, size_t *out)
{
	if (marshal_need(r, 1) != 0)
		return -1;
	*out = r->p[r->pos++];
	return 0;
}

static int
marshal_u32(struct marshal_reader *r, uint32_t *out)
{
	const unsigned char *q;

	if (marshal_need(r, 4) != 0)
		return -1;
	q = r->p + r->pos;
	*out = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
	r->pos += 4;
	return 0;
}

static int
marshal_i32(struct marshal_reader *r, int32_t *out)
{
	uint32_t u;

	if (marshal_u32(r, &u) != 0)
		return -1;
	*out = u <= INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000U) - INT32_MAX - 1;
	return 0;
}

/* A 4-byte length, which must not be negative. */
static int
marshal_length(struct marshal_reader *r, size_t *out)
{
	size_t at = r->pos;
	int32_t n;

	if (marshal_i32(r, &n) != 0)
		return -1;
	if (n < 0)
		return marshal_bad(r, "negative length", at);
	*out = (size_t)n;
	return 0;
}

static struct marshal_value *
marshal_new(struct marshal_reader *r, enum marshal_kind kind, size_t offset)
{
	struct marshal_value *v = marshal_alloc(r->doc, sizeof *v);

	memset(v, 0, sizeof *v);
	v->kind = kind;
	v->offset = offset;
	return v;
}

static void
marshal_ref_add(struct marshal_reader *r, struct marshal_value *v, int done)
{
	if (r->nrefs == r->refscap) {
		r->refscap = r->refscap == 0 ? 64 : r->refscap * 2;
		r->refs = xreallocarray(r->refs, r->refscap, sizeof *r->refs);
		r->done = xreallocarray(r->done, r->refscap, 1);
	}
	r->refs[r->nrefs] = v;
	r->done[r->nrefs] = done;
	r->nrefs++;
}

static void
marshal_push(struct marshal_reader *r, struct marshal_value *v)
{
	if (r->nstack == r->stackcap) {
		r->stackcap = r->stackcap == 0 ? 64 : r->stackcap * 2;
		r->stack = xreallocarray(r->stack, r->stackcap, sizeof *r->stack);
	}
	r->stack[r->nstack++] = v;
}

/* Python's long: a signed count of 15-bit digits, least significant first. */
static int
marshal_long(struct marshal_reader *r, struct marshal_value *v)
{
	unsigned long long mag = 0;
	size_t ndigits, at;
	int32_t n;
	int neg;

	if (marshal_i32(r, &n) != 0)
		return -1;
	neg = n < 0;
	ndigits = neg ? (size_t)(-(int64_t)n) : (size_t)n;
	at = r->pos;
	if ((r->len - r->pos) / 2 < ndigits)
		return marshal_truncated(r, r->pos);
	for (size_t k = 0; k < ndigits; k++) {
		unsigned long long d =
		    (unsigned long long)r->p[r->pos] | (unsigned long long)r->p[r->pos + 1] << 8;
		if (d > 0x7fff)
			return marshal_bad(r, "bad digit in a long", r->pos);
		if (k == ndigits - 1 && d == 0)
			return marshal_bad(r, "unnormalized long", at);
		r->pos += 2;
		if (d == 0)
			continue;
		if (k * 15 >= 64 || (k * 15 > 49 && (d >> (64 - k * 15)) != 0))
			return marshal_bad(r, "integer beyond 64 bits", v->offset);
		mag |= d << (k * 15);
	}
	if (neg) {
		if (mag > (unsigned long long)INT64_MAX + 1)
			return marshal_bad(r, "integer beyond 64 bits", v->offset);
		v->u.i = mag == (unsigned long long)INT64_MAX + 1 ? INT64_MIN : -(long long)mag;
	} else {
		if (mag > INT64_MAX)
			return marshal_bad(r, "integer beyond 64 bits", v->offset);
		v->u.i = (long long)mag;
	}
	return 0;
}

/* The old text float: a 1-byte length and the repr's characters. */
static int
marshal_text_float(struct marshal_reader *r, struct marshal_value *v)
{
	char text[256], *end;
	size_t n;

	if (marshal_u8(r, &n) != 0 || marshal_need(r, n) != 0)
		return -1;
	memcpy(text, r->p + r->pos, n);
	text[n] = '\0';
	r->pos += n;
	if (n == 0 || strspn(text, "0123456789+-.eEinfatyINFATY") != n)
		return marshal_bad(r, "bad float", v->offset);
	v->u.f = strtod(text, &end);
	if (*end != '\0')
		return marshal_bad(r, "bad float", v->offset);
	return 0;
}

/* Checks UTF-8 as CPython decodes it here (surrogates pass); -1 and the bad byte's index. */
static int
marshal_utf8_check(const unsigned char *s, size_t n, size_t *bad)
{
	size_t i = 0, more;

	while (i < n) {
		unsigned char c = s[i], lo = 0x80, hi = 0xbf;

		if (c < 0x80)
			more = 0;
		else if (c >= 0xc2 && c <= 0xdf)
			more = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			if (c == 0xe0)
				lo = 0xa0;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			*bad = i;
			return -1;
		}
		for (size_t k = 1; k <= more; k++) {
			if (i + k >= n || s[i + k] < (k == 1 ? lo : 0x80) ||
			    s[i + k] > (k == 1 ? hi : 0xbf)) {
				*bad = i + k < n ? i + k : i;
				return -1;
			}
		}
		i += more + 1;
	}
	return 0;
}

/* Bytes or a string of n bytes at the current position. */
static int
marshal_string(struct marshal_reader *r, struct marshal_value *v, size_t n, int latin1)
{
	const unsigned char *s;
	size_t extra = 0, bad;
	unsigned char *out;

	if (marshal_need(r, n) != 0)
		return -1;
	s = r->p + r->pos;
	if (v->kind == MARSHAL_STR && !latin1 && marshal_utf8_check(s, n, &bad) != 0)
		return marshal_bad(r, "invalid UTF-8 in a string", r->pos + bad);
	if (latin1) {
		for (size_t k = 0; k < n; k++)
			extra += s[k] >= 0x80;
	}
	out = marshal_alloc(r->doc, n + extra + 1);
	if (extra == 0)
		memcpy(out, s, n);
	else {
		for (size_t k = 0, o = 0; k < n; k++) {
			if (s[k] < 0x80)
				out[o++] = s[k];
			else {
				out[o++] = (unsigned char)(0xc0 | s[k] >> 6);
				out[o++] = (unsigned char)(0x80 | (s[k] & 0x3f));
			}
		}
	}
	out[n + extra] = '\0';
	v->u.str.s = (const char *)out;
	v->u.str.len = n + extra;
	r->pos += n;
	return 0;
}

static int marshal_object(struct marshal_reader *, int, int, struct marshal_value **);

/* The items of a tuple or list (n of them) or a dict (pairs up to a NULL key). */
static int
marshal_container(struct marshal_reader *r, struct marshal_value *v, size_t n, int depth)
{
	struct marshal_value *item;
	size_t base = r->nstack, count;

	if (depth >= MARSHAL_MAX_DEPTH)
		return marshal_bad(r, "containers nested too deeply", v->offset);
	if (v->kind == MARSHAL_DICT) {
		for (;;) {
			if (marshal_object(r, depth + 1, 1, &item) != 0)
				return -1;
			if (item == NULL)
				break;
			marshal_push(r, item);
			if (marshal_object(r, depth + 1, 0, &item) != 0)
				return -1;
			marshal_push(r, item);
		}
	} else {
		for (size_t k = 0; k < n; k++) {
			if (marshal_object(r, depth + 1, 0, &item) != 0)
				return -1;
			marshal_push(r, item);
		}
	}
	count = r->nstack - base;
	v->u.seq.n = v->kind == MARSHAL_DICT ? count / 2 : count;
	if (count != 0) {
		v->u.seq.items = marshal_alloc(r->doc, count * sizeof *v->u.seq.items);
		memcpy(v->u.seq.items, r->stack + base, count * sizeof *v->u.seq.items);
	}
	r->nstack = base;
	return 0;
}

/*
 * A code object, in the layout of Python 3.11 and 3.12 (the pure-Python
 * profile module names its top level by one): five int32s, eight objects
 * (the sixth the file name, the seventh the name), the first line, two more
 * objects. Only a description is kept. Like a container, it takes its
 * reference slot before its fields are read.
 */
static int
marshal_code(struct marshal_reader *r, size_t at, int ref, int depth, struct marshal_value **out)
{
	struct marshal_value *v, *field, *file = NULL, *name = NULL;
	int32_t i32, line = 0;
	char *desc, *copy;

	if (depth >= MARSHAL_MAX_DEPTH)
		return marshal_bad(r, "containers nested too deeply", at);
	v = marshal_new(r, MARSHAL_CODE, at);
	if (ref)
		marshal_ref_add(r, v, 0);
	for (int k = 0; k < 5; k++) {
		if (marshal_i32(r, &i32) != 0)
			return -1;
	}
	for (int k = 0; k < 11; k++) {
		if (k == 8) {
			if (marshal_i32(r, &line) != 0)
				return -1;
			continue;
		}
		if (marshal_object(r, depth + 1, 0, &field) != 0)
			return -1;
		if (k == 5)
			file = field;
		else if (k == 6)
			name = field;
	}
	if (file->kind != MARSHAL_STR || name->kind != MARSHAL_STR)
		return marshal_bad(r, "a code object of a Python other than 3.11 or 3.12", at);
	desc = xasprintf(
	    "<code object %s, file \"%s\", line %ld>", name->u.str.s, file->u.str.s, (long)line);
	v->u.str.len = strlen(desc);
	copy = marshal_alloc(r->doc, v->u.str.len + 1);
	memcpy(copy, desc, v->u.str.len + 1);
	v->u.str.s = copy;
	free(desc);
	*out = v;
	return 0;
}

/* One object into *out; a NULL ('0') gives *out NULL where null_ok, else an error. */
static int
marshal_object(struct marshal_reader *r, int depth, int null_ok, struct marshal_value **out)
{
	struct marshal_value *v;
	size_t at = r->pos, n, slot;
	int32_t i32;
	uint32_t u32;
	uint64_t u64;
	int ref, type;
	char what[64];

	*out = NULL;
	if (marshal_need(r, 1) != 0)
		return -1;
	type = r->p[r->pos] & ~MARSHAL_FLAG_REF;
	ref = (r->p[r->pos] & MARSHAL_FLAG_REF) != 0;
	r->pos++;

	switch (type) {
	case '0':
		if (!null_ok)
			return marshal_bad(r, "NULL object", at);
		return 0;
	case 'N':
		*out = marshal_new(r, MARSHAL_NONE, at);
		return 0; /* CPython gives None, False and True no reference slot */
	case 'F':
	case 'T':
		*out = v = marshal_new(r, MARSHAL_BOOL, at);
		v->u.i = type == 'T';
		return 0;
	case 'r':
		if (marshal_i32(r, &i32) != 0)
			return -1;
		if (i32 < 0 || (size_t)i32 >= r->nrefs) {
			snprintf(what, sizeof what, "bad reference %ld", (long)i32);
			return marshal_bad(r, what, at);
		}
		if (!r->done[i32])
			return marshal_bad(r, "reference to an unfinished container", at);
		*out = r->refs[i32];
		return 0;
	case '(':
	case ')':
	case '[':
	case '{':
		v = marshal_new(r,
		    type == '['       ? MARSHAL_LIST
		        : type == '{' ? MARSHAL_DICT
		                      : MARSHAL_TUPLE,
		    at);
		n = 0;
		if (type == ')' && marshal_u8(r, &n) != 0)
			return -1;
		if ((type == '(' || type == '[') && marshal_length(r, &n) != 0)
			return -1;
		slot = r->nrefs;
		if (ref)
			marshal_ref_add(r, v, 0);
		if (marshal_container(r, v, n, depth) != 0)
			return -1;
		if (ref)
			r->done[slot] = 1;
		*out = v;
		return 0;
	}

	if (type == 'c') {
		slot = r->nrefs;
		if (marshal_code(r, at, ref, depth, out) != 0)
			return -1;
		if (ref)
			r->done[slot] = 1;
		return 0;
	}

	switch (type) {
	case 'i':
		v = marshal_new(r, MARSHAL_INT, at);
		if (marshal_i32(r, &i32) != 0)
			return -1;
		v->u.i = i32;
		break;
	case 'l':
		v = marshal_new(r, MARSHAL_INT, at);
		if (marshal_long(r, v) != 0)
			return -1;
		break;
	case 'I': /* an old 64-bit int, which CPython still reads */
		v = marshal_new(r, MARSHAL_INT, at);
		if (marshal_u32(r, &u32) != 0)
			return -1;
		u64 = u32;
		if (marshal_u32(r, &u32) != 0)
			return -1;
		u64 |= (uint64_t)u32 << 32;
		v->u.i = u64 <= INT64_MAX ? (long long)u64
		                          : (long long)(u64 - INT64_MAX - 1) + INT64_MIN;
		break;
	case 'g':
		v = marshal_new(r, MARSHAL_FLOAT, at);
		if (marshal_u32(r, &u32) != 0)
			return -1;
		u64 = u32;
		if (marshal_u32(r, &u32) != 0)
			return -1;
		u64 |= (uint64_t)u32 << 32;
		memcpy(&v->u.f, &u64, sizeof v->u.f);
		break;
	case 'f':
		v = marshal_new(r, MARSHAL_FLOAT, at);
		if (marshal_text_float(r, v) != 0)
			return -1;
		break;
	case 's':
	case 'u':
	case 't':
	case 'a':
	case 'A':
		v = marshal_new(r, type == 's' ? MARSHAL_BYTES : MARSHAL_STR, at);
		if (marshal_length(r, &n) != 0 ||
		    marshal_string(r, v, n, type == 'a' || type == 'A') != 0)
			return -1;
		break;
	case 'z':
	case 'Z':
		v = marshal_new(r, MARSHAL_STR, at);
		if (marshal_u8(r, &n) != 0 || marshal_string(r, v, n, 1) != 0)
			return -1;
		break;
	default:
		snprintf(what, sizeof what, "unknown marshal type 0x%02x", r->p[at]);
		return marshal_bad(r, what, at);
	}
	if (ref)
		marshal_ref_add(r, v, 1);
	*out = v;
	return 0;
}

enum marshal_result
marshal_read(const void *data, size_t len, struct marshal_doc **doc, char **cause)
{
	struct marshal_reader r;
	struct marshal_value *root;

	memset(&r, 0, sizeof r);
	r.p = data;
	r.len = len;
	r.doc = xcalloc(1, sizeof *r.doc);
	r.result = MARSHAL_OK;
	marshal_object(&r, 0, 0, &root);
	free(r.refs);
	free(r.done);
	free(r.stack);
	if (r.result != MARSHAL_OK) {
		marshal_free(r.doc);
		*doc = NULL;
		*cause = r.cause;
		return r.result;
	}
	r.doc->root = root;
	r.doc->size = r.pos;
	*doc = r.doc;
	return MARSHAL_OK;
}

void
marshal_free(struct marshal_doc *doc)
{
	struct marshal_block *b, *next;

	if (doc == NULL)
		return;
	for (b = doc->blocks; b != NULL; b = next) {
		next = b->next;
		free(b->data);
		free(b);
	}
	free(doc);
}

const struct marshal_value *
marshal_root(const struct marshal_doc *doc)
{
	return doc->root;
}

size_t
marshal_size(const struct marshal_doc *doc)
{
	return doc->size;
}

const char *
marshal_kind_name(enum marshal_kind kind)
{
	switch (kind) {
	case MARSHAL_NONE:
		return "None";
	case MARSHAL_BOOL:
		return "bool";
	case MARSHAL_INT:
		return "int";
	case MARSHAL_FLOAT:
		return "float";
	case MARSHAL_BYTES:
		return "bytes";
	case MARSHAL_STR:
		return "str";
	case MARSHAL_CODE:
		return "code object";
	case MARSHAL_TUPLE:
		return "tuple";
	case MARSHAL_LIST:
		return "list";
	case MARSHAL_DICT:
		return "dict";
	}
	return "?";
}
