/*
 * A growable byte buffer. `data` is always NUL-terminated past `len`, so a
 * buffer of text can be used as a C string; it may also hold NULs.
 * The buffer owns `data`; buf_free releases it, buf_steal hands it over.
 */
#ifndef PROFLAB_BASE_BUF_H
#define PROFLAB_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Removes the first n bytes. */
void buf_consume(struct buf *b, size_t n);
/* Returns the data (caller frees) and leaves the buffer empty. */
char *buf_steal(struct buf *b);
/*
 * Appends the whole file at path to b. A directory, or a file of more than
 * max bytes ("PATH: too large for WHAT"), is refused. *mtime, when not NULL,
 * gets the file's modification time. 0, or -1 with *cause (caller frees)
 * naming path; b then holds what it held before.
 */
int buf_read_file(
    struct buf *b, const char *path, size_t max, const char *what, time_t *mtime, char **cause);

#endif
