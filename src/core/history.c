/*
 * The run history (see history.h): JSON Lines, one object per run, written
 * with one write(2) in append mode so that two proflabs finishing at once
 * do not mix their lines, and read back leniently: a line cut short by a
 * crash is counted and left out, never fatal. A profiled run's line has a
 * "top" list of {name, ncalls, pcalls, tottime, cumtime}; older lines
 * without it load as runs without top functions.
 *
 * The commands and the lab keep a run through history_record_run, and show
 * the notes it makes in their own way (stderr, the lab's output pane).
 */
#include "config.h"

#include "core/history.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "core/machine.h"
#include "core/paths.h"
#include "core/profile.h"
#include "core/recording.h"
#include "core/run.h"

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
	if (e->ntop > 0) {
		json_t *top = json_array();

		for (int i = 0; i < e->ntop; i++) {
			const struct history_func *f = &e->top[i];
			json_t *j;

			/* A name that is not UTF-8 fails the pack: that function is left out. */
			j = f->name == NULL
			    ? NULL
			    : json_pack("{s:s, s:I, s:I, s:f, s:f}", "name", f->name, "ncalls",
			          (json_int_t)f->ncalls, "pcalls", (json_int_t)f->pcalls, "tottime",
			          f->tottime, "cumtime", f->cumtime);
			if (j != NULL)
				json_array_append_new(top, j);
		}
		json_object_set_new(o, "top", top);
	}
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

/* The "top" list into e; members that are not functions are left out. */
static void
history_parse_top(json_t *top, struct history_entry *e)
{
	size_t i, n = json_array_size(top);
	json_t *f;

	if (n == 0)
		return;
	e->top = xcalloc(n, sizeof *e->top);
	json_array_foreach(top, i, f)
	{
		struct history_func *hf = &e->top[e->ntop];
		json_t *pc = json_object_get(f, "pcalls");

		if (!json_is_string(json_object_get(f, "name")) ||
		    !json_is_integer(json_object_get(f, "ncalls")) ||
		    !json_is_number(json_object_get(f, "tottime")) ||
		    !json_is_number(json_object_get(f, "cumtime")))
			continue;
		hf->name = history_get_str(f, "name");
		hf->ncalls = (long long)json_integer_value(json_object_get(f, "ncalls"));
		hf->pcalls = json_is_integer(pc) ? (long long)json_integer_value(pc) : hf->ncalls;
		hf->tottime = json_number_value(json_object_get(f, "tottime"));
		hf->cumtime = json_number_value(json_object_get(f, "cumtime"));
		e->ntop++;
	}
	if (e->ntop == 0) {
		free(e->top);
		e->top = NULL;
	}
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
	history_parse_top(json_object_get(o, "top"), e);
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
	for (int i = 0; i < e->ntop; i++)
		free(e->top[i].name);
	free(e->top);
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

/* --- a run into an entry ------------------------------------------------------- */

char *
history_script(const char *script)
{
	char real[PATH_MAX];

	return realpath(script, real) != NULL ? xstrdup(real) : xstrdup(script);
}

void
history_set_top(struct history_entry *e, const struct prof *p)
{
	struct prof stripped;
	struct prof_sort sort;
	size_t *order;

	for (int i = 0; i < e->ntop; i++)
		free(e->top[i].name);
	free(e->top);
	e->top = NULL;
	e->ntop = 0;
	if (p->nfuncs == 0)
		return;
	/* As `proflab profile` prints it: directories stripped, sorted by internal time. */
	prof_strip(&stripped, p);
	prof_sort_field(&sort, PROF_F_TIME);
	order = xcalloc(stripped.nfuncs, sizeof *order);
	prof_sort_order(&stripped, &sort, order);
	e->top = xcalloc(HISTORY_TOP, sizeof *e->top);
	for (size_t i = 0; i < stripped.nfuncs && e->ntop < HISTORY_TOP; i++) {
		const struct prof_func *f = &stripped.funcs[order[i]];
		struct history_func *hf = &e->top[e->ntop++];

		hf->name = xstrdup(f->std);
		hf->ncalls = f->nc;
		hf->pcalls = f->cc;
		hf->tottime = f->tt;
		hf->cumtime = f->ct;
	}
	free(order);
	prof_free(&stripped);
}

/* The kind of run o describes: "run", "profile", "lines" or "memory". */
static const char *
history_kind(const struct run_opts *o)
{
	if (o->profile_out != NULL)
		return "profile";
	if (o->lines_out != NULL)
		return o->lines_memory ? "memory" : "lines";
	return "run";
}

static double
history_tv(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

int
history_entry_from_run(
    struct history_entry *e, const struct run *r, const struct run_opts *o, int status)
{
	char stamp[32], *line, *cause = NULL;
	time_t now = time(NULL);
	struct tm tm;
	struct buf b;
	long peak;

	memset(e, 0, sizeof *e);
	/* A worker that refused to start (a bad -f) never ran the script: nothing to keep. */
	if (!r->reaped || o->argv != NULL || o->script == NULL || o->interactive ||
	    r->worker_error != NULL)
		return -1;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	e->time = xstrdup(stamp);
	e->script = history_script(o->script);
	buf_init(&b);
	for (int i = 0; o->script_args != NULL && o->script_args[i] != NULL; i++)
		buf_addf(&b, "%s%s", i > 0 ? " " : "", o->script_args[i]);
	e->args = b.data != NULL ? buf_steal(&b) : xstrdup("");
	e->kind = xstrdup(history_kind(o));
	e->status = status;
	e->wall = r->status.real;
	e->user = history_tv(&r->status.ru.ru_utime);
	e->sys = history_tv(&r->status.ru.ru_stime);
	/* The worker's own peak, or the recorded one of its whole tree when that is larger
	 * (a short run's samples can miss the peak; a pool's children add up). */
	e->peak_mb = (double)r->status.ru.ru_maxrss / 1024;
	peak = r->recording ? recording_peak(&r->rec.rec) : -1;
	if (peak >= 0 && r->rec.rec.samples[peak].rss_mb > e->peak_mb)
		e->peak_mb = r->rec.rec.samples[peak].rss_mb;
	/* A recorded run has its fingerprint already: no second machine read. */
	if (r->recording && r->rec.rec.machine != NULL)
		line = xstrdup(r->rec.rec.machine);
	else
		line = machine_fingerprint_line(r->python_version, r->blas_library);
	if (line != NULL && strlen(line) > 18 && line[16] == ':') {
		e->machine_id = xstrndup(line + 8, 8); /* "machine 1a2b3c4d: ..." */
		e->machine = xstrdup(line + 18);
	}
	free(line);
	if (o->profile_out != NULL && r->profile_written) {
		struct prof p;

		if (prof_load(&p, o->profile_out, &cause) == 0) {
			history_set_top(e, &p);
			prof_free(&p);
		} else {
			free(cause);
		}
	}
	return 0;
}

int
history_keep(const char *path, const struct history_entry *e, struct buf *notes, char **cause)
{
	struct history h;
	char *err = NULL;
	int base;

	/* Only a run that succeeded says what changed: a failed one proves nothing. */
	if (e->status == 0 && history_load(path, e->script, &h, &err) == 0) {
		base = history_baseline(&h, h.n, e);
		if (base >= 0) {
			const struct history_entry *b = &h.entries[base];
			char when[32];

			history_format_when(when, sizeof when, b);
			buf_adds(notes, "proflab: since the last run: ");
			history_format_change(notes, b, e);
			buf_addf(notes, " (against the run of %s UTC)\n", when);
			buf_adds(notes, "proflab: ");
			if (history_format_top_change(notes, b, e) == 0)
				buf_addc(notes, '\n');
			else
				notes->len -= strlen("proflab: ");
		}
		if (strcmp(e->kind, "run") != 0) {
			buf_adds(notes, "proflab: ");
			if (history_format_overhead(notes, &h, h.n, e) == 0)
				buf_addc(notes, '\n');
			else
				notes->len -= strlen("proflab: ");
		}
		if (notes->data != NULL)
			notes->data[notes->len] = '\0';
		history_free(&h);
	}
	free(err);
	return history_append(path, e, cause);
}

int
history_record_run(
    const struct run *r, const struct run_opts *o, int status, struct buf *notes, char **cause)
{
	struct history_entry e;
	char *path, *err = NULL;
	int rc;

	if (history_entry_from_run(&e, r, o, status) == -1)
		return 0;
	path = history_path(&err);
	if (path == NULL) {
		free(err);
		history_entry_free(&e);
		return 0;
	}
	rc = history_keep(path, &e, notes, cause) == 0 ? 1 : -1;
	history_entry_free(&e);
	free(path);
	return rc;
}

/* --- comparing -------------------------------------------------------------------- */

static int
history_same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
history_comparable(const struct history_entry *a, const struct history_entry *b)
{
	return strcmp(a->script, b->script) == 0 && history_same_str(a->args, b->args) &&
	    history_same_str(a->machine_id, b->machine_id);
}

int
history_baseline(const struct history *h, int upto, const struct history_entry *now)
{
	for (int i = (upto < h->n ? upto : h->n) - 1; i >= 0; i--) {
		const struct history_entry *e = &h->entries[i];

		if (e->status == 0 && strcmp(e->kind, now->kind) == 0 && history_comparable(e, now))
			return i;
	}
	return -1;
}

void
history_format_speed(
    struct buf *b, const struct history_entry *before, const struct history_entry *now)
{
	double r;

	if (before->wall <= 0 || now->wall <= 0)
		return;
	r = before->wall / now->wall;
	if (r >= 1.05)
		buf_addf(b, "%.1fx faster", r);
	else if (r <= 1 / 1.05)
		buf_addf(b, "%.1fx slower", 1 / r);
	else
		buf_adds(b, "about the same");
}

void
history_format_change(
    struct buf *b, const struct history_entry *before, const struct history_entry *now)
{
	buf_addf(b, "%.2f s -> %.2f s", before->wall, now->wall);
	if (before->wall > 0 && now->wall > 0) {
		buf_adds(b, ", ");
		history_format_speed(b, before, now);
	}
	if (before->peak_mb >= 0 && now->peak_mb >= 0)
		buf_addf(b, "; peak %.1f -> %.1f MB", before->peak_mb, now->peak_mb);
}

int
history_format_top_change(
    struct buf *b, const struct history_entry *before, const struct history_entry *now)
{
	const struct history_func *was, *is;

	if (before->ntop == 0 || now->ntop == 0)
		return -1;
	was = &before->top[0];
	is = &now->top[0];
	if (strcmp(was->name, is->name) == 0) {
		buf_addf(b, "top: %s %.3f s -> %.3f s", is->name, was->tottime, is->tottime);
		return 0;
	}
	/* Another function is on top: say which, and where the old top one went. */
	buf_addf(
	    b, "top: %s %.3f s, was %s %.3f s -> ", is->name, is->tottime, was->name, was->tottime);
	for (int i = 1; i < now->ntop; i++) {
		if (strcmp(now->top[i].name, was->name) == 0) {
			buf_addf(b, "%.3f s", now->top[i].tottime);
			return 0;
		}
	}
	buf_addf(b, "out of the top %d", HISTORY_TOP);
	return 0;
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

		if (e->status == 0 && strcmp(e->kind, "run") == 0 && history_comparable(e, now) &&
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

/* --- text ----------------------------------------------------------------------------- */

void
history_format_when(char *out, size_t size, const struct history_entry *e)
{
	snprintf(out, size, "%.19s", e->time != NULL ? e->time : "?");
	if (strlen(out) == 19 && out[10] == 'T')
		out[10] = ' ';
}

void
history_format_calls(char *out, size_t size, const struct history_func *f)
{
	if (f->ncalls != f->pcalls)
		snprintf(out, size, "%lld/%lld", f->ncalls, f->pcalls);
	else
		snprintf(out, size, "%lld", f->ncalls);
}

void
history_format_table(struct buf *b, const struct history *h)
{
	buf_addf(b, "%-20s  %-7s  %6s  %9s  %9s  %10s  %-8s  %s\n", "when (UTC)", "kind", "status",
	    "wall", "cpu", "peak", "machine", "arguments");
	for (int i = 0; i < h->n; i++) {
		const struct history_entry *e = &h->entries[i];
		char when[32], peak[32], calls[48];

		history_format_when(when, sizeof when, e);
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
		if (e->ntop > 0)
			buf_addf(b, "    %9s  %8s  %8s  %s\n", "ncalls", "tottime", "cumtime",
			    "top functions by internal time");
		for (int k = 0; k < e->ntop; k++) {
			const struct history_func *f = &e->top[k];

			history_format_calls(calls, sizeof calls, f);
			buf_addf(b, "    %9s  %8.3f  %8.3f  %s\n", calls, f->tottime, f->cumtime,
			    f->name);
		}
	}
}
