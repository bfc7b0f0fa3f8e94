/*
 * Progress in the XDG state directory (see progress.h).
 */
#include "config.h"

#include "core/progress.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/paths.h"

char *
progress_path(char **cause)
{
	return paths_state("progress", "progress", cause);
}

int
progress_load(struct progress *p, const char *path, char **cause)
{
	char line[256];
	unsigned int lineno = 0;
	FILE *f;

	memset(p, 0, sizeof *p);
	p->path = xstrdup(path);
	f = fopen(path, "re");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		*cause = xasprintf("cannot read progress %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		size_t len = strcspn(line, "\r\n");

		lineno++;
		line[len] = '\0';
		if (len == 0)
			continue;
		for (size_t i = 0; i < len; i++) {
			if (!isalnum((unsigned char)line[i])) {
				*cause = xasprintf(
				    "%s:%u: not an exercise ID: \"%s\"", path, lineno, line);
				fclose(f);
				return -1;
			}
		}
		if (!progress_is_done(p, line)) {
			p->done = xreallocarray(p->done, p->ndone + 1, sizeof *p->done);
			p->done[p->ndone++] = xstrdup(line);
		}
	}
	fclose(f);
	return 0;
}

int
progress_is_done(const struct progress *p, const char *id)
{
	for (size_t i = 0; i < p->ndone; i++) {
		if (strcmp(p->done[i], id) == 0)
			return 1;
	}
	return 0;
}

static int
progress_save(struct progress *p, char **cause)
{
	char *tmp;
	struct buf b;
	ssize_t n;
	size_t off = 0;
	int fd;

	if (paths_make_parents(p->path, cause) == -1)
		return -1;
	buf_init(&b);
	for (size_t i = 0; i < p->ndone; i++)
		buf_addf(&b, "%s\n", p->done[i]);
	tmp = xasprintf("%s.XXXXXX", p->path);
	fd = mkstemp(tmp);
	if (fd == -1) {
		*cause = xasprintf("cannot write progress %s: %s", p->path, strerror(errno));
		goto fail;
	}
	while (off < b.len) {
		n = write(fd, b.data + off, b.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*cause =
			    xasprintf("cannot write progress %s: %s", p->path, strerror(errno));
			close(fd);
			unlink(tmp);
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1 || rename(tmp, p->path) == -1) {
		*cause = xasprintf("cannot write progress %s: %s", p->path, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	free(tmp);
	buf_free(&b);
	return 0;
fail:
	free(tmp);
	buf_free(&b);
	return -1;
}

int
progress_mark(struct progress *p, const char *id, char **cause)
{
	if (progress_is_done(p, id))
		return 0;
	p->done = xreallocarray(p->done, p->ndone + 1, sizeof *p->done);
	p->done[p->ndone++] = xstrdup(id);
	return progress_save(p, cause);
}

int
progress_reset(struct progress *p, char **cause)
{
	for (size_t i = 0; i < p->ndone; i++)
		free(p->done[i]);
	free(p->done);
	p->done = NULL;
	p->ndone = 0;
	if (unlink(p->path) == -1 && errno != ENOENT) {
		*cause = xasprintf("cannot remove progress %s: %s", p->path, strerror(errno));
		return -1;
	}
	return 0;
}

void
progress_free(struct progress *p)
{
	for (size_t i = 0; i < p->ndone; i++)
		free(p->done[i]);
	free(p->done);
	free(p->path);
	memset(p, 0, sizeof *p);
}
