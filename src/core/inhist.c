/*
 * The console's input history (see inhist.h). The file grows by one
 * appended line an input; when it holds twice INHIST_MAX lines it is
 * rewritten with the newest INHIST_MAX, through a temporary file and a
 * rename, so a crash never leaves it half written.
 */
#include "config.h"

#include "core/inhist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/channel.h"
#include "core/paths.h"

char *
inhist_path(char **cause)
{
	return paths_state("console_history", "the console's history", cause);
}

static void
inhist_push(struct inhist *h, char *s)
{
	if (h->n == INHIST_MAX) {
		free(h->items[0]);
		memmove(h->items, h->items + 1, (size_t)(h->n - 1) * sizeof *h->items);
		h->n--;
	}
	h->items = xreallocarray(h->items, (size_t)h->n + 1, sizeof *h->items);
	h->items[h->n++] = s;
}

int
inhist_load(struct inhist *h, const char *path, char **cause)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	memset(h, 0, sizeof *h);
	if (path == NULL)
		return 0;
	h->path = xstrdup(path);
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		*cause = xasprintf("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		char *bad = NULL, *s;

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		h->file_lines++;
		s = chan_unescape(line, (size_t)len, &bad);
		if (s == NULL) {
			free(bad);
			continue;
		}
		if (*s == '\0') {
			free(s);
			continue;
		}
		inhist_push(h, s);
	}
	free(line);
	h->pos = h->n;
	if (ferror(f)) {
		*cause = xasprintf("cannot read %s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static void
inhist_line(struct buf *b, const char *s)
{
	chan_escape(b, s);
	buf_addc(b, '\n');
}

/* Rewrites the file with the entries in memory. */
static int
inhist_rewrite(struct inhist *h, char **cause)
{
	char *tmp = xasprintf("%s.tmp", h->path);
	struct buf b;
	FILE *f;
	int ok;

	buf_init(&b);
	for (int i = 0; i < h->n; i++)
		inhist_line(&b, h->items[i]);
	f = fopen(tmp, "w");
	ok = f != NULL && fwrite(b.data, 1, b.len, f) == b.len;
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp, h->path) == -1)
		ok = 0;
	if (!ok) {
		*cause = xasprintf("cannot write %s: %s", h->path, strerror(errno));
		unlink(tmp);
	} else {
		h->file_lines = h->n;
	}
	buf_free(&b);
	free(tmp);
	return ok ? 0 : -1;
}

int
inhist_add(struct inhist *h, const char *input, char **cause)
{
	struct buf b;
	FILE *f;
	int ok;

	free(h->draft);
	h->draft = NULL;
	if (*input == '\0' || (h->n > 0 && strcmp(h->items[h->n - 1], input) == 0)) {
		h->pos = h->n;
		return 0;
	}
	inhist_push(h, xstrdup(input));
	h->pos = h->n;
	if (h->path == NULL)
		return 0;
	if (h->file_lines + 1 >= 2 * INHIST_MAX)
		return inhist_rewrite(h, cause);
	if (paths_make_parents(h->path, cause) == -1)
		return -1;
	buf_init(&b);
	inhist_line(&b, input);
	/* One write of one line in append mode: two consoles at once do not interleave. */
	f = fopen(h->path, "a");
	ok = f != NULL && fwrite(b.data, 1, b.len, f) == b.len;
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	buf_free(&b);
	if (!ok) {
		*cause = xasprintf("cannot write %s: %s", h->path, strerror(errno));
		return -1;
	}
	h->file_lines++;
	return 0;
}

const char *
inhist_prev(struct inhist *h, const char *current)
{
	if (h->pos == 0)
		return NULL;
	if (h->pos == h->n) {
		free(h->draft);
		h->draft = xstrdup(current);
	}
	return h->items[--h->pos];
}

const char *
inhist_next(struct inhist *h)
{
	if (h->pos >= h->n)
		return NULL;
	h->pos++;
	if (h->pos == h->n)
		return h->draft != NULL ? h->draft : "";
	return h->items[h->pos];
}

void
inhist_free(struct inhist *h)
{
	for (int i = 0; i < h->n; i++)
		free(h->items[i]);
	free(h->items);
	free(h->draft);
	free(h->path);
	memset(h, 0, sizeof *h);
}
