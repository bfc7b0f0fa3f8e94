/*
 * Memory and string helpers that never return NULL, and fatal exits.
 *
 * Out of memory and "impossible" states end the process through fatal() or
 * fatalx(); before exiting they run the cleanup hook (the TUI restores the
 * terminal there). Everything a user can cause is reported by the caller
 * instead, through a `char **cause` the caller frees.
 */
#ifndef PROFLAB_BASE_XMALLOC_H
#define PROFLAB_BASE_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* The name fatal messages start with ("proflab", "proflab-worker"). */
void fatal_set_progname(const char *name);
/* Called once before a fatal exit; NULL to remove. */
void fatal_set_cleanup(void (*cleanup)(void));
/* Print "progname: message: strerror(errno)" and exit 70. */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "progname: message" and exit 70. */
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
