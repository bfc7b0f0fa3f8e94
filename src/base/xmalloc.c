/*
 * Allocation wrappers: every failure is fatal, so callers never check.
 */
#include "config.h"

#include "base/xmalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *fatal_progname = "proflab";
static void (*fatal_cleanup)(void);

void *
xmalloc(size_t size)
{
	void *p = malloc(size == 0 ? 1 : size);

	if (p == NULL)
		fatalx("out of memory allocating %zu bytes", size);
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p;

	if (count == 0 || size == 0)
		count = size = 1;
	p = calloc(count, size);
	if (p == NULL)
		fatalx("out of memory allocating %zu x %zu bytes", count, size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size == 0 ? 1 : size);

	if (p == NULL)
		fatalx("out of memory reallocating %zu bytes", size);
	return p;
}

void *
xreallocarray(void *ptr, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		fatalx("allocation of %zu x %zu bytes overflows", count, size);
	return xrealloc(ptr, count * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatalx("bad format string: %s", fmt);
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
fatal_set_progname(const char *name)
{
	fatal_progname = name;
}

void
fatal_set_cleanup(void (*cleanup)(void))
{
	fatal_cleanup = cleanup;
}

static _Noreturn void
fatal_exit(const char *msg, int err)
{
	void (*cleanup)(void) = fatal_cleanup;

	fatal_cleanup = NULL;
	if (cleanup != NULL)
		cleanup();
	if (err != 0)
		fprintf(stderr, "%s: %s: %s\n", fatal_progname, msg, strerror(err));
	else
		fprintf(stderr, "%s: %s\n", fatal_progname, msg);
	_exit(70);
}

void
fatal(const char *fmt, ...)
{
	int err = errno;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fatal_exit(msg, err);
}

void
fatalx(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fatal_exit(msg, 0);
}
