/*
 * Writing and reading psrecord's log format (see reclog.h). The writer keeps
 * one buffer per log, formats a whole line into it and hands it to write(2)
 * at once.
 */
#include "config.h"

#include "core/reclog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xmalloc.h"

struct reclog {
	int fd;
	char *path;
	struct buf line;
};

static const char *reclog_columns[] = {"Elapsed time", "CPU (%)", "Real (MB)", "Virtual (MB)"};

/* Python's str.center(width): the odd space goes where CPython puts it. */
static void
reclog_center(struct buf *b, const char *s, int width)
{
	int len = (int)strlen(s), marg, left;

	marg = width - len;
	if (marg <= 0) {
		buf_adds(b, s);
		return;
	}
	left = marg / 2 + (marg & width & 1);
	buf_addf(b, "%*s%s%*s", left, "", s, marg - left, "");
}

void
reclog_format_header(struct buf *b)
{
	buf_adds(b, "#");
	for (size_t i = 0; i < sizeof reclog_columns / sizeof reclog_columns[0]; i++) {
		buf_addc(b, ' ');
		reclog_center(b, reclog_columns[i], 12);
	}
	buf_addc(b, '\n');
}

void
reclog_format_sample(struct buf *b, const struct sample *s)
{
	buf_addf(b, "%12.3f %12.3f %12.3f %12.3f\n", s->t, s->cpu, s->rss_mb, s->vms_mb);
}

static int
reclog_write_all(struct reclog *l, char **cause)
{
	const char *p = l->line.data;
	size_t left = l->line.len;
	ssize_t n;

	while (left > 0) {
		n = write(l->fd, p, left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*cause = xasprintf("cannot write log %s: %s", l->path, strerror(errno));
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

struct reclog *
reclog_open(const char *path, char **cause)
{
	struct reclog *l;
	int fd;

	do
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	while (fd == -1 && errno == EINTR);
	if (fd == -1) {
		*cause = xasprintf("cannot write log %s: %s", path, strerror(errno));
		return NULL;
	}
	l = xcalloc(1, sizeof *l);
	l->fd = fd;
	l->path = xstrdup(path);
	buf_init(&l->line);
	reclog_format_header(&l->line);
	if (reclog_write_all(l, cause) != 0) {
		close(l->fd);
		l->fd = -1;
		reclog_close(l, NULL);
		return NULL;
	}
	return l;
}

int
reclog_write(struct reclog *l, const struct sample *s, char **cause)
{
	buf_reset(&l->line);
	reclog_format_sample(&l->line, s);
	return reclog_write_all(l, cause);
}

int
reclog_close(struct reclog *l, char **cause)
{
	int rc = 0;

	if (l->fd != -1 && close(l->fd) == -1 && errno != EINTR) {
		if (cause != NULL)
			*cause = xasprintf("cannot write log %s: %s", l->path, strerror(errno));
		rc = -1;
	}
	buf_free(&l->line);
	free(l->path);
	free(l);
	return rc;
}

/* Parses one data line: 1 with *s filled, 0 for a blank line, -1 if malformed. */
static int
reclog_parse_line(char *line, struct sample *s)
{
	double v[4];
	char *p = line, *end;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		if (n == 4)
			return -1;
		errno = 0;
		v[n] = strtod(p, &end);
		if (end == p || errno == ERANGE ||
		    (*end != '\0' && *end != ' ' && *end != '\t' && *end != '\r' && *end != '\n'))
			return -1;
		n++;
		p = end;
	}
	if (n == 0)
		return 0;
	if (n != 4)
		return -1;
	s->t = v[0];
	s->cpu = v[1];
	s->rss_mb = v[2];
	s->vms_mb = v[3];
	return 1;
}

int
reclog_read(const char *path, struct recording *out, char **cause)
{
	struct sample s;
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t len;
	FILE *f;
	int rc;

	if ((f = fopen(path, "re")) == NULL) {
		*cause = xasprintf("cannot read log %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		errno = 0;
		len = getline(&line, &cap, f);
		if (len == -1)
			break;
		lineno++;
		if (memchr(line, '\0', (size_t)len) != NULL) {
			*cause = xasprintf("%s:%lu: not a psrecord log (NUL byte)", path, lineno);
			goto fail;
		}
		if (line[0] == '#')
			continue;
		rc = reclog_parse_line(line, &s);
		if (rc == -1) {
			*cause = xasprintf("%s:%lu: expected four numbers (time, CPU %%, real MB, "
			                   "virtual MB)",
			    path, lineno);
			goto fail;
		}
		if (rc == 1)
			recording_add_sample(out, &s);
	}
	if (ferror(f)) {
		*cause =
		    xasprintf("cannot read log %s: %s", path, strerror(errno != 0 ? errno : EIO));
		goto fail;
	}
	free(line);
	fclose(f);
	return 0;

fail:
	free(line);
	fclose(f);
	return -1;
}
