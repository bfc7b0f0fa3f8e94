/*
 * The run history (see history.h): JSON Lines, one object per run, written
 * with one write(2) in append mode so that two proflabs finishing at once
 * do not mix their lines, and read back leniently: a line cut short by a
 * crash is counted and left out, never fatal.
 */
#include "config.h"

#include "core/history.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "core/paths.h"

char *
history_path(char **cause)
{
	return paths_state("history.jsonl", "the run history", cause);
}

static json_t *
history_str(const char *s)
{
	json_t *j;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	return j != NULL ? j : json_null(); /* not UTF-8: left out rather than mangled */
}

int
history_append(const char *path, const struct history_entry *e, char **cause)
{
	json_t *o = json_object();
	char *line;
	size_t len;
	ssize_t n;
	int fd;

	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "time", history_str(e->time));
	json_object_set_new(o, "script", history_str(e->script));
	json_object_set_new(o, "args", history_str(e->args != NULL ? e->args : ""));
	json_object_set_new(o, "kind", history_str(e->kind));
	json_object_set_new(o, "status", json_integer(e->status));
	json_object_set_new(o, "wall_s", json_real(e->wall));
	json_object_set_new(o, "user_s", json_real(e->user));
	json_object_set_new(o, "sys_s", json_real(e->sys));
	json_object_set_new(o, "peak_mb", e->peak_mb >= 0 ? json_real(e->peak_mb) : json_null());
	json_object_set_new(o, "machine_id", history_str(e->machine_id));
	json_object_set_new(o, "machine", history_str(e->machine));
	line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9));
	json_decref(o);
	len = strlen(line);
	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	line[len] = '\0';

	if (paths_make_parents(path, cause) == -1) {
		free(line);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1) {
		*cause = xasprintf("cannot write %s: %s", path, strerror(errno));
		free(line);
		return -1;
	}
	do {
		n = write(fd, line, len);
	} while (n == -1 && errno == EINTR);
	if (n != (ssize_t)len || close(fd) == -1) {
		*cause = xasprintf(
		    "cannot write %s: %s", path, n == -1 ? strerror(errno) : "short write");
		if (n != (ssize_t)len)
			close(fd);
		free(line);
		return -1;
	}
	free(line);
	return 0;
}

/* A string member (copied), or NULL. */
static char *
history_get_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? xstrdup(s) : NULL;
}

/* One line into e; -1 when it is not an entry. */
static int
history_parse(const char *line, struct history_entry *e)
{
	json_t *o = json_loads(line, 0, NULL), *peak;

	memset(e, 0, sizeof *e);
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "script")) ||
	    !json_is_string(json_object_get(o, "kind")) ||
	    !json_is_number(json_object_get(o, "wall_s")) ||
	    !json_is_integer(json_object_get(o, "status"))) {
		json_decref(o);
		return -1;
	}
	e->time = history_get_str(o, "time");
	e->script = history_get_str(o, "script");
	e->args = history_get_str(o, "args");
	e->kind = history_get_str(o, "kind");
	e->status = (int)json_integer_value(json_object_get(o, "status"));
	e->wall = json_number_value(json_object_get(o, "wall_s"));
	e->user = json_number_value(json_object_get(o, "user_s"));
	e->sys = json_number_value(json_object_get(o, "sys_s"));
	peak = json_object_get(o, "peak_mb");
	e->peak_mb = json_is_number(peak) ? json_number_value(peak) : -1;
	e->machine_id = history_get_str(o, "machine_id");
	e->machine = history_get_str(o, "machine");
	if (e->args == NULL)
		e->args = xstrdup("");
	json_decref(o);
	return 0;
}

int
history_load(const char *path, const char *script, struct history *h, char **cause)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(h, 0, sizeof *h);
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		*cause = xasprintf("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		struct history_entry e;

		if (len <= 1)
			continue;
		if (history_parse(line, &e) == -1) {
			h->skipped++;
			continue;
		}
		if (script != NULL && strcmp(e.script, script) != 0) {
			history_entry_free(&e);
			continue;
		}
		h->entries = xreallocarray(h->entries, (size_t)h->n + 1, sizeof *h->entries);
		h->entries[h->n++] = e;
	}
	free(line);
	fclose(f);
	return 0;
}

void
history_entry_free(struct history_entry *e)
{
	free(e->time);
	free(e->script);
	free(e->args);
	free(e->kind);
	free(e->machine_id);
	free(e->machine);
	memset(e, 0, sizeof *e);
}

void
history_free(struct history *h)
{
	for (int i = 0; i < h->n; i++)
		history_entry_free(&h->entries[i]);
	free(h->entries);
	memset(h, 0, sizeof *h);
}

static int
history_same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The same script, arguments and machine. */
static int
history_same_run(const struct history_entry *a, const struct history_entry *b)
{
	return strcmp(a->script, b->script) == 0 && history_same_str(a->args, b->args) &&
	    history_same_str(a->machine_id, b->machine_id);
}

int
history_baseline(const struct history *h, int upto, const struct history_entry *now)
{
	for (int i = (upto < h->n ? upto : h->n) - 1; i >= 0; i--) {
		const struct history_entry *e = &h->entries[i];

		if (e->status == 0 && strcmp(e->kind, now->kind) == 0 && history_same_run(e, now))
			return i;
	}
	return -1;
}

void
history_format_change(
    struct buf *b, const struct history_entry *before, const struct history_entry *now)
{
	double r;

	buf_addf(b, "%.2f s -> %.2f s", before->wall, now->wall);
	if (before->wall > 0 && now->wall > 0) {
		r = before->wall / now->wall;
		if (r >= 1.05)
			buf_addf(b, ", %.1fx faster", r);
		else if (r <= 1 / 1.05)
			buf_addf(b, ", %.1fx slower", 1 / r);
		else
			buf_adds(b, ", about the same");
	}
	if (before->peak_mb >= 0 && now->peak_mb >= 0)
		buf_addf(b, "; peak %.1f -> %.1f MB", before->peak_mb, now->peak_mb);
}

static int
history_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
history_format_overhead(
    struct buf *b, const struct history *h, int upto, const struct history_entry *now)
{
	static const struct {
		const char *kind, *name;
	} names[] = {{"profile", "cProfile"}, {"lines", "line timer"}, {"memory", "memory meter"}};
	const char *name = NULL;
	double *w, median;
	int n = 0;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(now->kind, names[i].kind) == 0)
			name = names[i].name;
	}
	if (name == NULL || now->wall <= 0)
		return -1;
	w = xcalloc((size_t)h->n + 1, sizeof *w);
	for (int i = 0; i < upto && i < h->n; i++) {
		const struct history_entry *e = &h->entries[i];

		if (e->status == 0 && strcmp(e->kind, "run") == 0 && history_same_run(e, now) &&
		    e->wall > 0)
			w[n++] = e->wall;
	}
	if (n == 0) {
		free(w);
		return -1;
	}
	qsort(w, (size_t)n, sizeof *w, history_cmp_double);
	median = n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
	buf_addf(b, "%s on: %.1fx the plain run (%.2f s against %.2f s, ", name, now->wall / median,
	    now->wall, median);
	if (n == 1)
		buf_adds(b, "one plain run)");
	else
		buf_addf(b, "the median of %d plain runs)", n);
	free(w);
	return 0;
}

void
history_format_table(struct buf *b, const struct history *h)
{
	buf_addf(b, "%-20s  %-7s  %6s  %9s  %9s  %10s  %-8s  %s\n", "when (UTC)", "kind", "status",
	    "wall", "cpu", "peak", "machine", "arguments");
	for (int i = 0; i < h->n; i++) {
		const struct history_entry *e = &h->entries[i];
		char when[32], peak[32];

		snprintf(when, sizeof when, "%.19s", e->time != NULL ? e->time : "?");
		if (strlen(when) == 19 && when[10] == 'T')
			when[10] = ' ';
		if (e->peak_mb >= 0)
			snprintf(peak, sizeof peak, "%.1f MB", e->peak_mb);
		else
			snprintf(peak, sizeof peak, "-");
		buf_addf(b, "%-20s  %-7s  %6d  %7.2f s  %7.2f s  %10s  %-8s  %s", when, e->kind,
		    e->status, e->wall, e->user + e->sys, peak,
		    e->machine_id != NULL ? e->machine_id : "-", e->args != NULL ? e->args : "");
		while (b->len > 0 && b->data[b->len - 1] == ' ')
			b->len--;
		buf_addc(b, '\n');
	}
}
