/*
 * Line tables (see linetab.h). The parser reads the file line by line; each
 * record type is an entry in linetab_records with its field count and
 * handler. A function's source lines and measured lines are gathered while
 * parsing (struct linetab_build, one per function) and laid out as its
 * lines[] once the end record has been read: one per source line, or, with
 * no source, every line from the first to the last measured one.
 *
 * The printers follow line_profiler's show_func and memory_profiler's
 * show_results: the same templates, the same arithmetic in the same order
 * (times as line_profiler scales them from a 1e-9 s timer unit, memory in
 * MiB of 2^20 bytes), so the same measurements print the same bytes.
 */
#include "config.h"

#include "core/linetab.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/channel.h"

#define LINETAB_MAGIC "proflab-lines"
#define LINETAB_VERSION "1"
#define LINETAB_MAX_FIELDS 7 /* the type and six more (func) */
#define LINETAB_MAX_SPAN 1000000L /* lines a measured line may lie from its function's first */
#define LINETAB_MAX_FILE ((size_t)1 << 30)
#define LINETAB_MIB 1048576.0

/* A measured line while parsing; lno is the file's line, for errors. */
struct linetab_rec {
	long lineno;
	unsigned long lno;
	unsigned long long hits;
	long long time_ns, incr, mem;
};

struct linetab_build {
	char **src;
	size_t nsrc, srccap;
	struct linetab_rec *recs;
	size_t nrecs, reccap;
};

struct linetab_parser {
	struct linetab *t;
	struct linetab_build *b; /* one per function, as t->funcs */
	size_t cap;
	const char *name;
	unsigned long lno;
	char *fields[LINETAB_MAX_FIELDS]; /* unescaped; fields[0] is the type */
	int nfields;
	int ended;
	char **cause;
};

static int linetab_func(struct linetab_parser *);
static int linetab_src(struct linetab_parser *);
static int linetab_hit(struct linetab_parser *);
static int linetab_mem(struct linetab_parser *);
static int linetab_peak(struct linetab_parser *);
static int linetab_end(struct linetab_parser *);

static const struct linetab_record {
	const char *name;
	int nfields; /* after the type */
	int (*fn)(struct linetab_parser *);
} linetab_records[] = {
    {"func", 6, linetab_func},
    {"src", 3, linetab_src},
    {"hit", 4, linetab_hit},
    {"mem", 5, linetab_mem},
    {"peak", 2, linetab_peak},
    {"end", 1, linetab_end},
};

static int __attribute__((format(printf, 2, 3)))
linetab_error(struct linetab_parser *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	*p->cause = xasprintf("%s:%lu: %s", p->name, p->lno, msg);
	free(msg);
	return -1;
}

/* A decimal integer in [min, max] from field i (what names it in errors). */
static int
linetab_ll(
    struct linetab_parser *p, int i, const char *what, long long min, long long max, long long *out)
{
	const char *s = p->fields[i], *digits = s + (*s == '-');
	char *end;
	long long v;

	if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits))
		return linetab_error(p, "bad %s '%s': not a decimal integer", what, s);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE || v < min || v > max)
		return linetab_error(p, "%s %s out of range", what, s);
	*out = v;
	return 0;
}

/* An unsigned decimal integer >= min from field i. */
static int
linetab_ull(struct linetab_parser *p, int i, const char *what, unsigned long long min,
    unsigned long long *out)
{
	const char *s = p->fields[i];
	char *end;
	unsigned long long v;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
		return linetab_error(p, "bad %s '%s': not a decimal integer", what, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE || v < min)
		return linetab_error(p, "%s %s out of range", what, s);
	*out = v;
	return 0;
}

/* A line number, >= 1. */
static int
linetab_lineno(struct linetab_parser *p, int i, const char *what, long *out)
{
	long long v;

	if (linetab_ll(p, i, what, 1, LONG_MAX, &v) != 0)
		return -1;
	*out = (long)v;
	return 0;
}

/* The function a record names by its ID in field 1. */
static int
linetab_id(struct linetab_parser *p, size_t *out)
{
	long long id;

	if (linetab_ll(p, 1, "function ID", 0, LLONG_MAX, &id) != 0)
		return -1;
	if ((unsigned long long)id >= p->t->nfuncs)
		return linetab_error(p, "%s record for unknown function ID %lld", p->fields[0], id);
	*out = (size_t)id;
	return 0;
}

/* The kind of table a record type belongs to. */
static int
linetab_need_kind(struct linetab_parser *p, enum linetab_kind kind)
{
	if (p->t->kind == kind)
		return 0;
	return linetab_error(p, "%s record in a %s table", p->fields[0],
	    p->t->kind == LINETAB_TIME ? "time" : "memory");
}

static int
linetab_func(struct linetab_parser *p)
{
	struct linetab *t = p->t;
	struct linetab_func *f;
	long long id;
	long firstline;
	unsigned long long calls;

	if (linetab_ll(p, 1, "function ID", 0, LLONG_MAX, &id) != 0)
		return -1;
	if ((unsigned long long)id != t->nfuncs)
		return linetab_error(p, "func ID %lld out of order (expected %zu)", id, t->nfuncs);
	if (linetab_lineno(p, 5, "first line", &firstline) != 0 ||
	    linetab_ull(p, 6, "call count", 0, &calls) != 0)
		return -1;
	if (t->nfuncs == p->cap) {
		p->cap = p->cap == 0 ? 8 : p->cap * 2;
		t->funcs = xreallocarray(t->funcs, p->cap, sizeof *t->funcs);
		p->b = xreallocarray(p->b, p->cap, sizeof *p->b);
	}
	memset(&p->b[t->nfuncs], 0, sizeof *p->b);
	f = &t->funcs[t->nfuncs++];
	memset(f, 0, sizeof *f);
	f->file = p->fields[2];
	f->name = p->fields[3];
	f->qualname = p->fields[4];
	p->fields[2] = p->fields[3] = p->fields[4] = NULL;
	f->firstline = firstline;
	f->calls = calls;
	return 0;
}

static int
linetab_src(struct linetab_parser *p)
{
	struct linetab_build *b;
	struct linetab_func *f;
	size_t id;
	long lineno, want;

	if (linetab_id(p, &id) != 0 || linetab_lineno(p, 2, "line number", &lineno) != 0)
		return -1;
	f = &p->t->funcs[id];
	b = &p->b[id];
	if (b->nsrc >= (size_t)LINETAB_MAX_SPAN)
		return linetab_error(p, "too many source lines for %s", f->name);
	want = f->firstline + (long)b->nsrc;
	if (lineno != want)
		return linetab_error(p, "src line %ld of %s out of order (expected line %ld)",
		    lineno, f->name, want);
	if (b->nsrc == b->srccap) {
		b->srccap = b->srccap == 0 ? 16 : b->srccap * 2;
		b->src = xreallocarray(b->src, b->srccap, sizeof *b->src);
	}
	b->src[b->nsrc++] = p->fields[3];
	p->fields[3] = NULL;
	return 0;
}

/* A new measured line of function id: its number from field 2, checked. */
static struct linetab_rec *
linetab_rec_new(struct linetab_parser *p, size_t id)
{
	struct linetab_build *b = &p->b[id];
	struct linetab_func *f = &p->t->funcs[id];
	struct linetab_rec *r;
	long lineno;

	if (linetab_lineno(p, 2, "line number", &lineno) != 0)
		return NULL;
	if (lineno > f->firstline + LINETAB_MAX_SPAN || lineno < f->firstline - LINETAB_MAX_SPAN) {
		linetab_error(
		    p, "line %ld is too far from %s at line %ld", lineno, f->name, f->firstline);
		return NULL;
	}
	if (b->nrecs == b->reccap) {
		b->reccap = b->reccap == 0 ? 16 : b->reccap * 2;
		b->recs = xreallocarray(b->recs, b->reccap, sizeof *b->recs);
	}
	r = &b->recs[b->nrecs];
	memset(r, 0, sizeof *r);
	r->lineno = lineno;
	r->lno = p->lno;
	return r;
}

static int
linetab_hit(struct linetab_parser *p)
{
	struct linetab_func *f;
	struct linetab_rec *r;
	size_t id;

	if (linetab_need_kind(p, LINETAB_TIME) != 0 || linetab_id(p, &id) != 0)
		return -1;
	if ((r = linetab_rec_new(p, id)) == NULL)
		return -1;
	if (linetab_ull(p, 3, "hit count", 1, &r->hits) != 0 ||
	    linetab_ll(p, 4, "time", 0, LLONG_MAX, &r->time_ns) != 0)
		return -1;
	f = &p->t->funcs[id];
	if (r->time_ns > LLONG_MAX - f->total_ns)
		return linetab_error(p, "the total time of %s overflows", f->name);
	f->total_ns += r->time_ns;
	p->b[id].nrecs++;
	return 0;
}

static int
linetab_mem(struct linetab_parser *p)
{
	struct linetab_rec *r;
	size_t id;

	if (linetab_need_kind(p, LINETAB_MEMORY) != 0 || linetab_id(p, &id) != 0)
		return -1;
	if ((r = linetab_rec_new(p, id)) == NULL)
		return -1;
	if (linetab_ull(p, 3, "occurrence count", 1, &r->hits) != 0 ||
	    linetab_ll(p, 4, "increment", -LLONG_MAX, LLONG_MAX, &r->incr) != 0 ||
	    linetab_ll(p, 5, "memory usage", 0, LLONG_MAX, &r->mem) != 0)
		return -1;
	p->b[id].nrecs++;
	return 0;
}

static int
linetab_peak(struct linetab_parser *p)
{
	struct linetab *t = p->t;

	if (linetab_need_kind(p, LINETAB_MEMORY) != 0)
		return -1;
	if (t->has_peak)
		return linetab_error(p, "a second peak record");
	if (linetab_ll(p, 1, "baseline", 0, LLONG_MAX, &t->base_bytes) != 0 ||
	    linetab_ll(p, 2, "peak", 0, LLONG_MAX, &t->peak_bytes) != 0)
		return -1;
	t->has_peak = 1;
	return 0;
}

static int
linetab_end(struct linetab_parser *p)
{
	long long n;

	if (linetab_ll(p, 1, "function count", 0, LLONG_MAX, &n) != 0)
		return -1;
	if ((unsigned long long)n != p->t->nfuncs)
		return linetab_error(
		    p, "end record says %lld functions, the table has %zu", n, p->t->nfuncs);
	p->ended = 1;
	return 0;
}

static int
linetab_rec_cmp(const void *a0, const void *b0)
{
	const struct linetab_rec *a = a0, *b = b0;

	if (a->lineno != b->lineno)
		return a->lineno < b->lineno ? -1 : 1;
	return a->lno < b->lno ? -1 : a->lno > b->lno;
}

/* Lays out function i's lines from what was gathered for it. */
static int
linetab_finish(struct linetab_parser *p, size_t i)
{
	struct linetab_func *f = &p->t->funcs[i];
	struct linetab_build *b = &p->b[i];
	struct linetab_line *l;
	long first, last;
	size_t n;

	if (b->nrecs > 1)
		qsort(b->recs, b->nrecs, sizeof *b->recs, linetab_rec_cmp);
	for (size_t k = 1; k < b->nrecs; k++) {
		if (b->recs[k].lineno == b->recs[k - 1].lineno) {
			p->lno = b->recs[k].lno;
			return linetab_error(p, "a second %s record for line %ld of %s",
			    p->t->kind == LINETAB_TIME ? "hit" : "mem", b->recs[k].lineno, f->name);
		}
	}
	if (b->nsrc > 0) {
		first = f->firstline;
		n = b->nsrc;
	} else {
		first = last = f->firstline;
		if (b->nrecs > 0) {
			if (b->recs[0].lineno < first)
				first = b->recs[0].lineno;
			last = b->recs[b->nrecs - 1].lineno;
		}
		n = (size_t)(last - first + 1);
	}
	f->has_source = b->nsrc > 0;
	f->lines = xcalloc(n, sizeof *f->lines);
	f->nlines = n;
	for (size_t k = 0; k < n; k++) {
		f->lines[k].lineno = first + (long)k;
		f->lines[k].text = b->nsrc > 0 ? b->src[k] : xstrdup("");
	}
	b->nsrc = 0;
	/* Measured lines outside the source block count in total_ns but are not shown. */
	for (size_t k = 0; k < b->nrecs; k++) {
		const struct linetab_rec *r = &b->recs[k];
		long long v;

		if (r->lineno < first || (size_t)(r->lineno - first) >= n)
			continue;
		l = &f->lines[r->lineno - first];
		l->measured = 1;
		l->hits = r->hits;
		l->time_ns = r->time_ns;
		l->incr = r->incr;
		l->mem = r->mem;
		v = p->t->kind == LINETAB_TIME ? r->time_ns : r->incr;
		if (v < 0)
			v = -v;
		if (v > f->max_abs)
			f->max_abs = v;
	}
	return 0;
}

static void
linetab_build_free(struct linetab_build *b)
{
	for (size_t k = 0; k < b->nsrc; k++)
		free(b->src[k]);
	free(b->src);
	free(b->recs);
}

/* Splits one line into p->fields, unescaped. */
static int
linetab_split(struct linetab_parser *p, const char *s, size_t len)
{
	const char *end = s + len, *tab;
	char *why = NULL;

	p->nfields = 0;
	for (;;) {
		tab = memchr(s, '\t', (size_t)(end - s));
		if (tab == NULL)
			tab = end;
		if (p->nfields == LINETAB_MAX_FIELDS)
			return linetab_error(p, "too many fields");
		p->fields[p->nfields] = chan_unescape(s, (size_t)(tab - s), &why);
		if (p->fields[p->nfields] == NULL) {
			linetab_error(p, "field %d: %s", p->nfields + 1, why);
			free(why);
			return -1;
		}
		p->nfields++;
		if (tab == end)
			return 0;
		s = tab + 1;
	}
}

static void
linetab_fields_free(struct linetab_parser *p)
{
	for (int i = 0; i < p->nfields; i++) {
		free(p->fields[i]);
		p->fields[i] = NULL;
	}
	p->nfields = 0;
}

static int
linetab_header(struct linetab_parser *p)
{
	if (p->nfields < 1 || strcmp(p->fields[0], LINETAB_MAGIC) != 0)
		return linetab_error(p, "not a proflab line table");
	if (p->nfields != 3)
		return linetab_error(p, "bad header: %d fields, expected 3", p->nfields);
	if (strcmp(p->fields[1], LINETAB_VERSION) != 0)
		return linetab_error(p, "unsupported version '%s' (this proflab reads %s)",
		    p->fields[1], LINETAB_VERSION);
	if (strcmp(p->fields[2], "time") == 0)
		p->t->kind = LINETAB_TIME;
	else if (strcmp(p->fields[2], "memory") == 0)
		p->t->kind = LINETAB_MEMORY;
	else
		return linetab_error(
		    p, "unknown kind '%s' (expected time or memory)", p->fields[2]);
	return 0;
}

static int
linetab_record(struct linetab_parser *p)
{
	const struct linetab_record *rt = NULL;

	if (p->ended)
		return linetab_error(p, "a record after the end record");
	for (size_t i = 0; i < sizeof linetab_records / sizeof linetab_records[0]; i++) {
		if (strcmp(p->fields[0], linetab_records[i].name) == 0)
			rt = &linetab_records[i];
	}
	if (rt == NULL)
		return linetab_error(p, "unknown record '%s'", p->fields[0]);
	if (p->nfields - 1 != rt->nfields)
		return linetab_error(p, "%s record with %d fields, expected %d", rt->name,
		    p->nfields - 1, rt->nfields);
	return rt->fn(p);
}

int
linetab_parse(struct linetab *t, const char *data, size_t len, const char *name, char **cause)
{
	struct linetab_parser p;
	const char *line, *nl;
	size_t pos = 0, n;
	int rc = 0;

	memset(t, 0, sizeof *t);
	memset(&p, 0, sizeof p);
	p.t = t;
	p.name = name;
	p.cause = cause;
	while (rc == 0 && pos < len) {
		line = data + pos;
		nl = memchr(line, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - line) : len - pos;
		p.lno++;
		rc = linetab_split(&p, line, n);
		if (rc == 0)
			rc = p.lno == 1 ? linetab_header(&p) : linetab_record(&p);
		linetab_fields_free(&p);
		pos += n + (nl != NULL);
	}
	if (rc == 0 && p.lno == 0) {
		p.lno = 1;
		rc = linetab_error(&p, "empty file, not a line table");
	} else if (rc == 0 && !p.ended) {
		if (data[len - 1] == '\n')
			p.lno++;
		rc = linetab_error(&p, "truncated (no end record)");
	}
	for (size_t i = 0; rc == 0 && i < t->nfuncs; i++)
		rc = linetab_finish(&p, i);
	for (size_t i = 0; i < t->nfuncs; i++)
		linetab_build_free(&p.b[i]);
	free(p.b);
	if (rc != 0)
		linetab_free(t);
	return rc;
}

int
linetab_load(struct linetab *t, const char *path, char **cause)
{
	struct buf b;
	int rc;

	memset(t, 0, sizeof *t);
	buf_init(&b);
	if (buf_read_file(&b, path, LINETAB_MAX_FILE, "a line table", NULL, cause) == -1) {
		buf_free(&b);
		return -1;
	}
	rc = linetab_parse(t, b.data != NULL ? b.data : "", b.len, path, cause);
	buf_free(&b);
	return rc;
}

void
linetab_free(struct linetab *t)
{
	for (size_t i = 0; i < t->nfuncs; i++) {
		struct linetab_func *f = &t->funcs[i];

		free(f->file);
		free(f->name);
		free(f->qualname);
		for (size_t k = 0; k < f->nlines; k++)
			free(f->lines[k].text);
		free(f->lines);
	}
	free(t->funcs);
	memset(t, 0, sizeof *t);
}

/* --- line_profiler's layout ----------------------------------------------------------- */

static int
linetab_time_cmp(const void *a0, const void *b0)
{
	const struct linetab_func *a = *(const struct linetab_func *const *)a0;
	const struct linetab_func *b = *(const struct linetab_func *const *)b0;
	int c;

	if ((c = strcmp(a->file, b->file)) != 0)
		return c;
	if (a->firstline != b->firstline)
		return a->firstline < b->firstline ? -1 : 1;
	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return a < b ? -1 : a > b; /* stable: file order */
}

static void
linetab_print_time_func(const struct linetab_func *fn, double unit, FILE *f)
{
	static const char tmpl[] = "%6s %9s %12s %8s %8s  %s";
	const double scalar = 1e-9 / unit;
	const double total = (double)fn->total_ns;
	int hlen;

	fprintf(f, "Total time: %g s\n", total * 1e-9);
	if (fn->has_source) {
		fprintf(f, "File: %s\n", fn->file);
		fprintf(f, "Function: %s at line %ld\n", fn->name, fn->firstline);
	} else {
		fprintf(f, "\nCould not find file %s: %s at line %ld without its source\n",
		    fn->file, fn->name, fn->firstline);
	}
	fputc('\n', f);
	hlen = fprintf(f, tmpl, "Line #", "Hits", "Time", "Per Hit", "% Time", "Line Contents");
	fputc('\n', f);
	for (int i = 0; i < hlen; i++)
		fputc('=', f);
	fputc('\n', f);
	for (size_t i = 0; i < fn->nlines; i++) {
		const struct linetab_line *l = &fn->lines[i];
		double t = (double)l->time_ns * scalar;

		if (!l->measured) {
			fprintf(
			    f, "%6ld %9s %12s %8s %8s  %s\n", l->lineno, "", "", "", "", l->text);
			continue;
		}
		/* '%5.1f' padded to 12 and 8 columns, as line_profiler formats them. */
		fprintf(f, "%6ld %9llu %12.1f %8.1f ", l->lineno, l->hits, t, t / (double)l->hits);
		if (total == 0)
			fprintf(f, "%8s", "");
		else if (l->time_ns <= LLONG_MAX / 100)
			fprintf(f, "%8.1f", (double)(100 * l->time_ns) / total);
		else
			fprintf(f, "%8.1f", 100.0 * (double)l->time_ns / total);
		fprintf(f, "  %s\n", l->text);
	}
	fputc('\n', f);
}

void
linetab_print_time(const struct linetab *t, double unit, FILE *f)
{
	const struct linetab_func **order;

	fprintf(f, "Timer unit: %g s\n\n", unit);
	if (t->nfuncs == 0)
		return;
	order = xreallocarray(NULL, t->nfuncs, sizeof *order);
	for (size_t i = 0; i < t->nfuncs; i++)
		order[i] = &t->funcs[i];
	qsort(order, t->nfuncs, sizeof *order, linetab_time_cmp);
	for (size_t i = 0; i < t->nfuncs; i++)
		linetab_print_time_func(order[i], unit, f);
	free(order);
}

/* --- memory_profiler's layout --------------------------------------------------------- */

static void
linetab_print_memory_func(const struct linetab_func *fn, int precision, FILE *f)
{
	static const char tmpl[] = "%6s %12s %12s  %10s   %s";
	int hlen, measured = 0, width = precision + 4 > 8 ? precision + 4 : 8;

	for (size_t i = 0; i < fn->nlines; i++)
		measured |= fn->lines[i].measured;
	fprintf(f, "Filename: %s\n\n", fn->file);
	if (fn->calls == 0 && !measured) {
		fprintf(
		    f, "%s at line %ld never ran: nothing measured\n\n\n", fn->name, fn->firstline);
		return;
	}
	if (!fn->has_source) {
		fprintf(f, "Could not find file %s: %s at line %ld without its source\n\n",
		    fn->file, fn->name, fn->firstline);
	}
	hlen = fprintf(f, tmpl, "Line #", "Mem usage", "Increment", "Occurrences", "Line Contents");
	fputc('\n', f);
	for (int i = 0; i < hlen; i++)
		fputc('=', f);
	fputc('\n', f);
	for (size_t i = 0; i < fn->nlines; i++) {
		const struct linetab_line *l = &fn->lines[i];

		if (!l->measured) {
			fprintf(f, "%6ld %12s %12s  %10s   %s\n", l->lineno, "", "", "", l->text);
			continue;
		}
		/* '{:WIDTH.PRECf} MiB' right-aligned in 12 columns, as memory_profiler's. */
		fprintf(f, "%6ld %*.*f MiB %*.*f MiB  %10llu   %s\n", l->lineno, width, precision,
		    (double)l->mem / LINETAB_MIB, width, precision, (double)l->incr / LINETAB_MIB,
		    l->hits, l->text);
	}
	fputs("\n\n", f);
}

void
linetab_print_memory(const struct linetab *t, int precision, FILE *f)
{
	for (size_t i = 0; i < t->nfuncs; i++)
		linetab_print_memory_func(&t->funcs[i], precision, f);
}

void
linetab_print_peak(const struct linetab *t, FILE *f)
{
	double peak = (double)t->peak_bytes / LINETAB_MIB;

	if (!t->has_peak)
		return;
	fprintf(f, "peak memory: %.2f MiB, increment: %.2f MiB\n", peak,
	    peak - (double)t->base_bytes / LINETAB_MIB);
}
