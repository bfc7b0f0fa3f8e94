/*
 * A reader for the part of Python's marshal format (versions 2 to 4, as
 * CPython 3.11 writes it) that pstats files use: None, booleans, ints
 * (including longs that fit in 64 bits), floats, bytes, strings, tuples,
 * lists and dicts, and references to objects read before. Code objects,
 * sets, complex numbers and the like are errors.
 *
 * marshal_read turns the bytes into a tree of values owned by a struct
 * marshal_doc: every value, string and item array lives in the document's
 * arena and goes away with marshal_free. The input is not kept. A value
 * read through a reference is the same node as the first occurrence, so
 * the tree may share nodes, but it has no cycles: a reference to a
 * container that is still being read is an error.
 */
#ifndef PROFLAB_CORE_MARSHAL_H
#define PROFLAB_CORE_MARSHAL_H

#include <stddef.h>

enum marshal_kind {
	MARSHAL_NONE,
	MARSHAL_BOOL,
	MARSHAL_INT,
	MARSHAL_FLOAT,
	MARSHAL_BYTES,
	MARSHAL_STR,
	MARSHAL_TUPLE,
	MARSHAL_LIST,
	MARSHAL_DICT,
	MARSHAL_CODE /* a code object, kept as u.str: "<code object NAME, file "FILE", line N>" */
};

struct marshal_value {
	enum marshal_kind kind;
	size_t offset; /* of its type byte in the input */
	union {
		long long i; /* MARSHAL_INT; MARSHAL_BOOL is 0 or 1 */
		double f; /* MARSHAL_FLOAT */
		struct {
			const char *s; /* NUL-terminated; MARSHAL_STR in UTF-8 */
			size_t len; /* in bytes; s may hold NULs before it */
		} str; /* MARSHAL_BYTES, MARSHAL_STR, MARSHAL_CODE */
		struct {
			struct marshal_value **items;
			size_t
			    n; /* items; a dict holds n pairs: items[2k] key, items[2k + 1] value */
		} seq; /* MARSHAL_TUPLE, MARSHAL_LIST, MARSHAL_DICT */
	} u;
};

struct marshal_doc;

enum marshal_result {
	MARSHAL_OK = 0,
	MARSHAL_BAD = -1, /* not marshal data we read: *cause says what is wrong where */
	MARSHAL_TRUNCATED = -2 /* the data ends early: "truncated at byte N of M" */
};

/* How deep containers may nest. */
#define MARSHAL_MAX_DEPTH 200

/*
 * Reads the first object of data[0..len); bytes after it are ignored, as
 * marshal.load ignores them. MARSHAL_OK with *doc (free with marshal_free),
 * or an error with *cause (one line, caller frees) and *doc NULL.
 */
enum marshal_result marshal_read(
    const void *data, size_t len, struct marshal_doc **doc, char **cause);
void marshal_free(struct marshal_doc *doc);
/* The object read; borrowed from doc. */
const struct marshal_value *marshal_root(const struct marshal_doc *doc);
/* How many bytes of the input the object took. */
size_t marshal_size(const struct marshal_doc *doc);
/* "dict", "tuple", "str"...: Python's name for the kind, for messages. */
const char *marshal_kind_name(enum marshal_kind kind);

#endif
