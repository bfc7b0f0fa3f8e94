/*
 * Parsers for /proc text (see proc.h). Numbers are read by hand within the
 * given length: the buffers come from pread and are not NUL-terminated.
 */
#include "config.h"

#include "core/proc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

struct proc_cursor {
	const char *p;
	const char *end;
};

static int
proc_isspace(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static void
proc_skip_space(struct proc_cursor *c)
{
	while (c->p < c->end && proc_isspace(*c->p))
		c->p++;
}

/* Reads one unsigned decimal field; 0 if none or overflowing. */
static int
proc_next_ull(struct proc_cursor *c, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *start;

	proc_skip_space(c);
	start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned d = (unsigned)(*c->p - '0');

		if (v > (ULLONG_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
		c->p++;
	}
	if (c->p == start || (c->p < c->end && !proc_isspace(*c->p)))
		return 0;
	*out = v;
	return 1;
}

/* Reads one signed decimal field. */
static int
proc_next_ll(struct proc_cursor *c, long long *out)
{
	unsigned long long v;
	int neg = 0;

	proc_skip_space(c);
	if (c->p < c->end && *c->p == '-') {
		neg = 1;
		c->p++;
		if (c->p < c->end && !(*c->p >= '0' && *c->p <= '9'))
			return 0;
	}
	if (!proc_next_ull(c, &v) || v > (unsigned long long)LLONG_MAX)
		return 0;
	*out = neg ? -(long long)v : (long long)v;
	return 1;
}

static int
proc_skip_fields(struct proc_cursor *c, int n)
{
	for (int i = 0; i < n; i++) {
		proc_skip_space(c);
		if (c->p == c->end)
			return 0;
		while (c->p < c->end && !proc_isspace(*c->p))
			c->p++;
	}
	return 1;
}

int
proc_parse_stat(const char *text, size_t len, struct proc_stat *st, char **cause)
{
	struct proc_cursor c = {text, text + len};
	unsigned long long v;
	long long sv;
	const char *open, *close = NULL;

	/* pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt
	 * majflt cmajflt utime stime cutime cstime priority nice num_threads
	 * itrealvalue starttime vsize rss ... */
	open = memchr(text, '(', len);
	for (const char *p = text + len; p > text; p--) {
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	}
	if (open == NULL || close == NULL || close < open) {
		*cause = xstrdup("malformed stat: no command name in parentheses");
		return -1;
	}
	c.end = open;
	if (!proc_next_ull(&c, &v) || v == 0 || v > INT_MAX) {
		*cause = xstrdup("malformed stat: bad pid");
		return -1;
	}
	st->pid = (int)v;
	c.p = close + 1;
	c.end = text + len;
	proc_skip_space(&c);
	if (c.p == c.end || c.p + 1 == c.end || !proc_isspace(c.p[1])) {
		*cause = xstrdup("malformed stat: bad state");
		return -1;
	}
	st->state = *c.p++;
	if (!proc_next_ll(&c, &sv) || sv < 0 || sv > INT_MAX)
		goto bad;
	st->ppid = (int)sv;
	if (!proc_skip_fields(&c, 9) || !proc_next_ull(&c, &st->utime) ||
	    !proc_next_ull(&c, &st->stime) || !proc_skip_fields(&c, 4) || !proc_next_ll(&c, &sv) ||
	    !proc_skip_fields(&c, 1) || !proc_next_ull(&c, &st->starttime) ||
	    !proc_next_ull(&c, &st->vsize) || !proc_next_ll(&c, &st->rss_pages))
		goto bad;
	st->num_threads = sv > LONG_MAX ? LONG_MAX : (long)sv;
	return 0;

bad:
	*cause = xstrdup("malformed stat: missing or bad numeric fields");
	return -1;
}

int
proc_parse_statm(const char *text, size_t len, unsigned long long *size_pages,
    unsigned long long *resident_pages, char **cause)
{
	struct proc_cursor c = {text, text + len};

	if (!proc_next_ull(&c, size_pages) || !proc_next_ull(&c, resident_pages)) {
		*cause = xstrdup("malformed statm");
		return -1;
	}
	return 0;
}

int
proc_parse_pidlist(const char *text, size_t len, int **pids, size_t *npids, char **cause)
{
	struct proc_cursor c = {text, text + len};
	unsigned long long v;
	size_t n = 0, cap = 0;
	int *list = NULL;

	for (;;) {
		proc_skip_space(&c);
		if (c.p == c.end)
			break;
		if (!proc_next_ull(&c, &v) || v == 0 || v > INT_MAX) {
			free(list);
			*cause = xstrdup("malformed pid list");
			return -1;
		}
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			list = xreallocarray(list, cap, sizeof *list);
		}
		list[n++] = (int)v;
	}
	*pids = list;
	*npids = n;
	return 0;
}
