/*
 * Function profiles (see profile.h): loading a pstats file through the
 * marshal reader, pstats' strip_dirs, sorts and reports, and the icicle and
 * explanation the TUI shows.
 *
 * Loading follows what pstats does with the dict marshal.load returns: a key
 * seen twice keeps its first position and takes the later value, as a
 * Python dict does. Callers that name a function missing from the file are
 * left out (pstats prints them for cProfile files and fails on profile
 * module files; they have no numbers of their own to show). Each edge keeps
 * its position in the file's callers dict in seq, because strip_dirs keeps
 * the last of two callers that become equal, and that depends on the order.
 *
 * The reports are built with the same arithmetic on the same doubles as
 * pstats, so "%8.3f" rounds the same way; only NaNs are spelt by hand, as
 * Python spells them. POSIX extended regexes stand in for re.search, and
 * pstats' top_level list (callers named ("jprofile", 0, "profiler"), which
 * no profiler of ours writes) is not printed.
 */
#include "config.h"

#include "core/profile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/marshal.h"

/* Larger files are refused before reading them. */
#define PROF_MAX_FILE (512UL * 1024 * 1024)

#define PROF_NONE ((size_t)-1)

/* An open-addressing table of function indexes keyed by (file, line, name). */
struct prof_map {
	size_t *slots; /* index + 1; 0 is empty */
	size_t cap;
	size_t n;
};

typedef int (*prof_cmp_fn)(const void *, const void *, const void *);

/* Sums that wrap rather than overflow: a crafted file may hold any counts. */
static long long
prof_add_ll(long long a, long long b)
{
	return (long long)((unsigned long long)a + (unsigned long long)b);
}

static long long
prof_sub_ll(long long a, long long b)
{
	return (long long)((unsigned long long)a - (unsigned long long)b);
}

/* Characters in UTF-8 text, as Python's len() counts them. */
static size_t
prof_strwidth(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static char *
prof_std_string(const char *file, long line, const char *name)
{
	if (strcmp(file, "~") == 0 && line == 0) {
		size_t len = strlen(name);

		if (len >= 2 && name[0] == '<' && name[len - 1] == '>')
			return xasprintf("{%.*s}", (int)(len - 2), name + 1);
		return xstrdup(name);
	}
	return xasprintf("%s:%ld(%s)", file, line, name);
}

/* A stable merge sort with a context for the comparison. */
static void
prof_msort(void *base, size_t n, size_t size, prof_cmp_fn cmp, const void *ctx)
{
	unsigned char *a = base, *tmp, *src, *dst, *swap;
	size_t width, lo, mid, hi, i, j, k;

	if (n < 2)
		return;
	tmp = xreallocarray(NULL, n, size);
	src = a;
	dst = tmp;
	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = mid + width < n ? mid + width : n;
			i = lo;
			j = mid;
			k = lo;
			while (i < mid && j < hi) {
				if (cmp(src + j * size, src + i * size, ctx) < 0)
					memcpy(dst + k++ * size, src + j++ * size, size);
				else
					memcpy(dst + k++ * size, src + i++ * size, size);
			}
			if (i < mid)
				memcpy(dst + k * size, src + i * size, (mid - i) * size);
			if (j < hi)
				memcpy(dst + k * size, src + j * size, (hi - j) * size);
		}
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != a)
		memcpy(a, src, n * size);
	free(tmp);
}

static uint64_t
prof_hash(const char *file, long line, const char *name)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *file != '\0'; file++)
		h = (h ^ (unsigned char)*file) * 1099511628211ULL;
	h = (h ^ (uint64_t)line) * 1099511628211ULL;
	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static size_t
prof_map_find(const struct prof_map *m, const struct prof_func *funcs, const char *file, long line,
    const char *name)
{
	size_t i;

	if (m->cap == 0)
		return PROF_NONE;
	i = (size_t)prof_hash(file, line, name) & (m->cap - 1);
	for (; m->slots[i] != 0; i = (i + 1) & (m->cap - 1)) {
		const struct prof_func *f = &funcs[m->slots[i] - 1];

		if (f->line == line && strcmp(f->file, file) == 0 && strcmp(f->name, name) == 0)
			return m->slots[i] - 1;
	}
	return PROF_NONE;
}

static void
prof_map_insert(struct prof_map *m, const struct prof_func *funcs, size_t idx)
{
	const struct prof_func *f = &funcs[idx];
	size_t i;

	i = (size_t)prof_hash(f->file, f->line, f->name) & (m->cap - 1);
	while (m->slots[i] != 0)
		i = (i + 1) & (m->cap - 1);
	m->slots[i] = idx + 1;
}

static void
prof_map_add(struct prof_map *m, const struct prof_func *funcs, size_t idx)
{
	size_t *old = m->slots, oldcap = m->cap;

	if ((m->n + 1) * 2 > m->cap) {
		m->cap = m->cap == 0 ? 64 : m->cap * 2;
		m->slots = xcalloc(m->cap, sizeof *m->slots);
		for (size_t i = 0; i < oldcap; i++) {
			if (old[i] != 0)
				prof_map_insert(m, funcs, old[i] - 1);
		}
		free(old);
	}
	prof_map_insert(m, funcs, idx);
	m->n++;
}

static void
prof_map_free(struct prof_map *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static size_t
prof_func_add(struct prof *p, size_t *cap, const char *file, long line, const char *name)
{
	struct prof_func *f;

	if (p->nfuncs == *cap) {
		*cap = *cap == 0 ? 64 : *cap * 2;
		p->funcs = xreallocarray(p->funcs, *cap, sizeof *p->funcs);
	}
	f = &p->funcs[p->nfuncs];
	memset(f, 0, sizeof *f);
	f->file = xstrdup(file);
	f->line = line;
	f->name = xstrdup(name);
	return p->nfuncs++;
}

static int
prof_cmp_key(const struct prof_func *a, const struct prof_func *b)
{
	int c;

	if ((c = strcmp(a->file, b->file)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int
prof_cmp_edge(const void *a, const void *b, const void *ctx)
{
	const struct prof_func *funcs = ctx;

	return prof_cmp_key(&funcs[((const struct prof_edge *)a)->func],
	    &funcs[((const struct prof_edge *)b)->func]);
}

/* Sorts the callers, derives the callees (sorted too), and sets std and the totals' widths. */
static void
prof_finish(struct prof *p)
{
	struct prof_func *f, *g;
	struct prof_edge *e;
	size_t *count;

	p->max_name_len = 0;
	for (size_t i = 0; i < p->nfuncs; i++) {
		size_t w;

		f = &p->funcs[i];
		free(f->std);
		f->std = prof_std_string(f->file, f->line, f->name);
		if ((w = prof_strwidth(f->std)) > p->max_name_len)
			p->max_name_len = w;
	}
	count = xcalloc(p->nfuncs + 1, sizeof *count);
	for (size_t i = 0; i < p->nfuncs; i++) {
		f = &p->funcs[i];
		prof_msort(f->callers, f->ncallers, sizeof *f->callers, prof_cmp_edge, p->funcs);
		for (size_t k = 0; k < f->ncallers; k++)
			count[f->callers[k].func]++;
	}
	for (size_t i = 0; i < p->nfuncs; i++) {
		f = &p->funcs[i];
		free(f->callees);
		f->callees =
		    count[i] == 0 ? NULL : xreallocarray(NULL, count[i], sizeof *f->callees);
		f->ncallees = 0;
	}
	for (size_t i = 0; i < p->nfuncs; i++) {
		f = &p->funcs[i];
		for (size_t k = 0; k < f->ncallers; k++) {
			g = &p->funcs[f->callers[k].func];
			e = &g->callees[g->ncallees++];
			*e = f->callers[k];
			e->func = i;
			e->seq = 0;
		}
	}
	for (size_t i = 0; i < p->nfuncs; i++) {
		f = &p->funcs[i];
		prof_msort(f->callees, f->ncallees, sizeof *f->callees, prof_cmp_edge, p->funcs);
	}
	free(count);
}

void
prof_free(struct prof *p)
{
	for (size_t i = 0; i < p->nfuncs; i++) {
		struct prof_func *f = &p->funcs[i];

		free(f->file);
		free(f->name);
		free(f->std);
		free(f->callers);
		free(f->callees);
	}
	free(p->funcs);
	free(p->source);
	memset(p, 0, sizeof *p);
}

/* --- loading ------------------------------------------------------------------ */

/* A (file, line, name) key: 0, or -1 with *why. */
static int
prof_load_key(const struct marshal_value *k, const char **file, long *line, const char **name,
    const char *what, char **why)
{
	const struct marshal_value *a, *b, *c;

	if (k->kind != MARSHAL_TUPLE || k->u.seq.n != 3)
		goto bad;
	a = k->u.seq.items[0];
	b = k->u.seq.items[1];
	c = k->u.seq.items[2];
	/* The profile module names its top level by a code object: its description stands. */
	if (a->kind != MARSHAL_STR || b->kind != MARSHAL_INT ||
	    (c->kind != MARSHAL_STR && c->kind != MARSHAL_CODE))
		goto bad;
	if (strlen(a->u.str.s) != a->u.str.len || strlen(c->u.str.s) != c->u.str.len) {
		*why = xasprintf("a NUL in the %s at byte %zu", what, k->offset);
		return -1;
	}
	if (b->u.i < LONG_MIN || b->u.i > LONG_MAX)
		goto bad;
	*file = a->u.str.s;
	*line = (long)b->u.i;
	*name = c->u.str.s;
	return 0;
bad:
	*why = xasprintf("the %s at byte %zu is not a (file, line, name) tuple", what, k->offset);
	return -1;
}

static int
prof_load_number(const struct marshal_value *v, double *out)
{
	if (v->kind == MARSHAL_INT)
		*out = (double)v->u.i;
	else if (v->kind == MARSHAL_FLOAT)
		*out = v->u.f;
	else
		return -1;
	return 0;
}

/* One function's callers dict into its callers[] (edges to unknown functions left out). */
static int
prof_load_callers(struct prof *p, const struct prof_map *map, size_t fi,
    const struct marshal_value *d, int *mode, size_t *stamp, size_t *where, char **why)
{
	struct prof_func *f = &p->funcs[fi];
	const struct marshal_value *k, *v, *const *t;
	struct prof_edge e;
	const char *file, *name;
	size_t gi;
	long line;
	int m;

	f->callers = d->u.seq.n == 0 ? NULL : xreallocarray(NULL, d->u.seq.n, sizeof *f->callers);
	f->ncallers = 0;
	for (size_t i = 0; i < d->u.seq.n; i++) {
		k = d->u.seq.items[2 * i];
		v = d->u.seq.items[2 * i + 1];
		if (prof_load_key(k, &file, &line, &name, "caller key", why) != 0)
			return -1;
		memset(&e, 0, sizeof e);
		if (v->kind == MARSHAL_INT) {
			m = 1;
			e.nc = e.cc = v->u.i;
		} else if (v->kind == MARSHAL_TUPLE && v->u.seq.n == 4) {
			m = 2;
			t = (const struct marshal_value *const *)v->u.seq.items;
			if (t[0]->kind != MARSHAL_INT || t[1]->kind != MARSHAL_INT ||
			    prof_load_number(t[2], &e.tt) != 0 ||
			    prof_load_number(t[3], &e.ct) != 0)
				goto bad;
			e.nc = t[0]->u.i;
			e.cc = t[1]->u.i;
		} else
			goto bad;
		if (*mode != 0 && *mode != m) {
			*why = xasprintf("callers mix counts and tuples at byte %zu", v->offset);
			return -1;
		}
		*mode = m;
		if ((gi = prof_map_find(map, p->funcs, file, line, name)) == PROF_NONE)
			continue;
		if (stamp[gi] == fi + 1) {
			e.func = gi;
			e.seq = f->callers[where[gi]].seq;
			f->callers[where[gi]] = e;
			continue;
		}
		stamp[gi] = fi + 1;
		where[gi] = f->ncallers;
		e.func = gi;
		e.seq = f->ncallers;
		f->callers[f->ncallers++] = e;
	}
	return 0;
bad:
	*why = xasprintf(
	    "the caller value at byte %zu is not a count or an (nc, cc, tt, ct) tuple", v->offset);
	return -1;
}

static int
prof_build(struct prof *p, const struct marshal_value *root, size_t len, char **why)
{
	const struct marshal_value **vals = NULL, *v, *const * t;
	struct prof_map map = {NULL, 0, 0};
	struct prof_func *f;
	const char *file, *name;
	size_t cap = 0, idx, edges = 0, *stamp = NULL, *where = NULL;
	long line;
	int mode = 0, rc = -1;

	if (root->kind != MARSHAL_DICT) {
		*why = xasprintf(
		    "it holds a %s, not a dict of functions", marshal_kind_name(root->kind));
		return -1;
	}
	if (root->u.seq.n == 0) {
		*why = xstrdup("no functions in it");
		return -1;
	}
	vals = xcalloc(root->u.seq.n, sizeof *vals);
	for (size_t i = 0; i < root->u.seq.n; i++) {
		if (prof_load_key(root->u.seq.items[2 * i], &file, &line, &name, "key", why) != 0)
			goto out;
		idx = prof_map_find(&map, p->funcs, file, line, name);
		if (idx == PROF_NONE) {
			idx = prof_func_add(p, &cap, file, line, name);
			prof_map_add(&map, p->funcs, idx);
		}
		vals[idx] = root->u.seq.items[2 * i + 1];
	}
	for (size_t i = 0; i < p->nfuncs; i++) {
		v = vals[i];
		f = &p->funcs[i];
		t = (const struct marshal_value *const *)v->u.seq.items;
		if (v->kind != MARSHAL_TUPLE || v->u.seq.n != 5 || t[0]->kind != MARSHAL_INT ||
		    t[1]->kind != MARSHAL_INT || prof_load_number(t[2], &f->tt) != 0 ||
		    prof_load_number(t[3], &f->ct) != 0 || t[4]->kind != MARSHAL_DICT) {
			*why = xasprintf(
			    "the value at byte %zu is not a (cc, nc, tt, ct, callers) tuple",
			    v->offset);
			goto out;
		}
		f->cc = t[0]->u.i;
		f->nc = t[1]->u.i;
		edges += t[4]->u.seq.n;
		if (edges > len) {
			*why = xasprintf("more callers than a file of %zu bytes can hold", len);
			goto out;
		}
	}
	stamp = xcalloc(p->nfuncs, sizeof *stamp);
	where = xcalloc(p->nfuncs, sizeof *where);
	for (size_t i = 0; i < p->nfuncs; i++) {
		t = (const struct marshal_value *const *)vals[i]->u.seq.items;
		if (prof_load_callers(p, &map, i, t[4], &mode, stamp, where, why) != 0)
			goto out;
	}
	p->caller_counts = mode == 1;
	for (size_t i = 0; i < p->nfuncs; i++) {
		f = &p->funcs[i];
		p->total_calls = prof_add_ll(p->total_calls, f->nc);
		p->prim_calls = prof_add_ll(p->prim_calls, f->cc);
		p->total_tt += f->tt;
	}
	prof_finish(p);
	rc = 0;
out:
	free(vals);
	free(stamp);
	free(where);
	prof_map_free(&map);
	return rc;
}

int
prof_load_mem(struct prof *p, const void *data, size_t len, const char *name, char **cause)
{
	struct marshal_doc *doc;
	char *why;

	memset(p, 0, sizeof *p);
	if (len == 0) {
		*cause = xasprintf("%s: not a pstats profile (the file is empty)", name);
		return -1;
	}
	switch (marshal_read(data, len, &doc, &why)) {
	case MARSHAL_OK:
		break;
	case MARSHAL_TRUNCATED:
		*cause = xasprintf("%s: %s", name, why);
		free(why);
		return -1;
	case MARSHAL_BAD:
		*cause = xasprintf("%s: not a pstats profile (%s)", name, why);
		free(why);
		return -1;
	}
	if (prof_build(p, marshal_root(doc), len, &why) != 0) {
		*cause = xasprintf("%s: not a pstats profile (%s)", name, why);
		free(why);
		marshal_free(doc);
		prof_free(p);
		return -1;
	}
	marshal_free(doc);
	return 0;
}

/* time.ctime(): the C library's asctime layout, with English names whatever the locale. */
static char *
prof_ctime(time_t t)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11)
		return NULL;
	return xasprintf("%.3s %.3s%3d %.2d:%.2d:%.2d %d", days + 3 * tm.tm_wday,
	    months + 3 * tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    tm.tm_year + 1900);
}

int
prof_load(struct prof *p, const char *path, char **cause)
{
	struct buf b;
	time_t mtime;
	char *when;
	int rc;

	memset(p, 0, sizeof *p);
	buf_init(&b);
	if (buf_read_file(&b, path, PROF_MAX_FILE, "a pstats profile", &mtime, cause) == -1) {
		buf_free(&b);
		return -1;
	}
	rc = prof_load_mem(p, b.data != NULL ? b.data : "", b.len, path, cause);
	buf_free(&b);
	if (rc != 0)
		return -1;
	if ((when = prof_ctime(mtime)) != NULL) {
		p->source = xasprintf("%s    %s", when, path);
		free(when);
	} else
		p->source = xstrdup(path);
	return 0;
}

/* --- strip_dirs ------------------------------------------------------------- */

static const char *
prof_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL ? path : slash + 1;
}

static int
prof_cmp_seq(const void *a, const void *b, const void *ctx)
{
	size_t x = ((const struct prof_edge *)a)->seq, y = ((const struct prof_edge *)b)->seq;

	(void)ctx;
	return x < y ? -1 : x > y;
}

static void
prof_edge_sum(struct prof_edge *to, const struct prof_edge *from)
{
	to->nc = prof_add_ll(from->nc, to->nc);
	to->cc = prof_add_ll(from->cc, to->cc);
	to->tt = from->tt + to->tt;
	to->ct = from->ct + to->ct;
}

void
prof_strip(struct prof *out, const struct prof *in)
{
	const struct prof_func *f;
	struct prof_func *g;
	struct prof_edge *tmp, *fresh, *e;
	struct prof_map map = {NULL, 0, 0};
	size_t cap = 0, *newof, *stamp, *where, j, mark = 0;
	unsigned char *seen;

	memset(out, 0, sizeof *out);
	newof = xcalloc(in->nfuncs + 1, sizeof *newof);
	for (size_t i = 0; i < in->nfuncs; i++) {
		f = &in->funcs[i];
		j = prof_map_find(&map, out->funcs, prof_basename(f->file), f->line, f->name);
		if (j == PROF_NONE) {
			j = prof_func_add(out, &cap, prof_basename(f->file), f->line, f->name);
			prof_map_add(&map, out->funcs, j);
		}
		newof[i] = j;
	}
	seen = xcalloc(out->nfuncs + 1, 1);
	stamp = xcalloc(out->nfuncs + 1, sizeof *stamp);
	where = xcalloc(out->nfuncs + 1, sizeof *where);
	for (size_t i = 0; i < in->nfuncs; i++) {
		f = &in->funcs[i];
		g = &out->funcs[newof[i]];

		/* the re-keyed callers dict: of two callers that became equal, the later wins */
		tmp = xreallocarray(NULL, f->ncallers + 1, sizeof *tmp);
		if (f->ncallers != 0)
			memcpy(tmp, f->callers, f->ncallers * sizeof *tmp);
		prof_msort(tmp, f->ncallers, sizeof *tmp, prof_cmp_seq, NULL);
		size_t nfresh = 0;

		fresh = xreallocarray(NULL, f->ncallers + 1, sizeof *fresh);
		mark++;
		for (size_t k = 0; k < f->ncallers; k++) {
			j = newof[tmp[k].func];
			if (stamp[j] == mark) {
				fresh[where[j]].nc = tmp[k].nc;
				fresh[where[j]].cc = tmp[k].cc;
				fresh[where[j]].tt = tmp[k].tt;
				fresh[where[j]].ct = tmp[k].ct;
				continue;
			}
			stamp[j] = mark;
			where[j] = nfresh;
			fresh[nfresh] = tmp[k];
			fresh[nfresh].func = j;
			fresh[nfresh].seq = nfresh;
			nfresh++;
		}
		free(tmp);

		if (!seen[newof[i]]) {
			seen[newof[i]] = 1;
			g->cc = f->cc;
			g->nc = f->nc;
			g->tt = f->tt;
			g->ct = f->ct;
			g->callers = fresh;
			g->ncallers = nfresh;
			continue;
		}
		g->cc = prof_add_ll(f->cc, g->cc);
		g->nc = prof_add_ll(f->nc, g->nc);
		g->tt = f->tt + g->tt;
		g->ct = f->ct + g->ct;
		mark++;
		for (size_t k = 0; k < g->ncallers; k++) {
			stamp[g->callers[k].func] = mark;
			where[g->callers[k].func] = k;
		}
		g->callers =
		    xreallocarray(g->callers, g->ncallers + nfresh + 1, sizeof *g->callers);
		for (size_t k = 0; k < nfresh; k++) {
			j = fresh[k].func;
			if (stamp[j] == mark) {
				prof_edge_sum(&g->callers[where[j]], &fresh[k]);
				continue;
			}
			e = &g->callers[g->ncallers];
			*e = fresh[k];
			e->seq = g->ncallers++;
		}
		free(fresh);
	}
	free(newof);
	free(seen);
	free(stamp);
	free(where);
	prof_map_free(&map);

	out->total_calls = in->total_calls;
	out->prim_calls = in->prim_calls;
	out->total_tt = in->total_tt;
	out->caller_counts = in->caller_counts;
	out->source = in->source == NULL ? NULL : xstrdup(in->source);
	prof_finish(out);
}

size_t
prof_find(const struct prof *p, const char *std)
{
	for (size_t i = 0; i < p->nfuncs; i++) {
		if (strcmp(p->funcs[i].std, std) == 0)
			return i;
	}
	return PROF_NONE;
}

/* --- sorting ---------------------------------------------------------------- */

/* pstats' sort_arg_dict_default, in its order, then ours. */
static const struct prof_sort_key {
	const char *word;
	int nfields;
	enum prof_field fields[3];
	const char *desc;
} prof_sort_keys[] = {
    {"calls", 1, {PROF_F_CALLS}, "call count"},
    {"ncalls", 1, {PROF_F_CALLS}, "call count"},
    {"cumtime", 1, {PROF_F_CUMULATIVE}, "cumulative time"},
    {"cumulative", 1, {PROF_F_CUMULATIVE}, "cumulative time"},
    {"filename", 1, {PROF_F_FILENAME}, "file name"},
    {"line", 1, {PROF_F_LINE}, "line number"},
    {"module", 1, {PROF_F_FILENAME}, "file name"},
    {"name", 1, {PROF_F_NAME}, "function name"},
    {"nfl", 3, {PROF_F_NAME, PROF_F_FILENAME, PROF_F_LINE}, "name/file/line"},
    {"pcalls", 1, {PROF_F_PCALLS}, "primitive call count"},
    {"stdname", 1, {PROF_F_STDNAME}, "standard name"},
    {"time", 1, {PROF_F_TIME}, "internal time"},
    {"tottime", 1, {PROF_F_TIME}, "internal time"},
    {"tpercall", 1, {PROF_F_TPERCALL}, "internal time per call"},
    {"cpercall", 1, {PROF_F_CPERCALL}, "cumulative time per call"},
};
#define PROF_NSORT_KEYS (sizeof prof_sort_keys / sizeof prof_sort_keys[0])

static const char *prof_field_desc[PROF_NFIELDS] = {
    "primitive call count",
    "call count",
    "internal time",
    "cumulative time",
    "file name",
    "line number",
    "function name",
    "standard name",
    "internal time per call",
    "cumulative time per call",
};

static int
prof_field_numeric(enum prof_field f)
{
	return f != PROF_F_FILENAME && f != PROF_F_LINE && f != PROF_F_NAME && f != PROF_F_STDNAME;
}

/*
 * The key a word names, or -1. As get_sort_arg_defs does: every key adds
 * its prefixes, longest first, until one is already there; that one is
 * then ambiguous and dropped, the shorter ones are not looked at again.
 */
static int
prof_sort_lookup(const char *w, size_t wlen)
{
	struct {
		const char *s;
		size_t len;
		int key;
		int bad;
	} frag[256];
	size_t nfrag = 0, len, k;

	memset(frag, 0, sizeof frag);
	for (size_t key = 0; key < PROF_NSORT_KEYS; key++) {
		const char *word = prof_sort_keys[key].word;

		for (len = strlen(word); len > 0; len--) {
			for (k = 0; k < nfrag; k++) {
				if (frag[k].len == len && memcmp(frag[k].s, word, len) == 0)
					break;
			}
			if (k < nfrag) {
				frag[k].bad = 1;
				break;
			}
			if (nfrag == sizeof frag / sizeof frag[0])
				break;
			frag[nfrag].s = word;
			frag[nfrag].len = len;
			frag[nfrag].key = (int)key;
			frag[nfrag].bad = 0;
			nfrag++;
		}
	}
	for (k = 0; k < nfrag; k++) {
		if (!frag[k].bad && frag[k].len == wlen && memcmp(frag[k].s, w, wlen) == 0)
			return frag[k].key;
	}
	return -1;
}

static void
prof_sort_desc_add(struct prof_sort *s, const char *desc)
{
	size_t used = strlen(s->desc);

	if (used != 0 && used < sizeof s->desc)
		snprintf(s->desc + used, sizeof s->desc - used, ", %s", desc);
	else if (used == 0)
		snprintf(s->desc, sizeof s->desc, "%s", desc);
}

int
prof_sort_parse(struct prof_sort *s, const char *keys, char **cause)
{
	const struct prof_sort_key *k;
	const char *w = keys;

	memset(s, 0, sizeof *s);
	for (;;) {
		size_t wlen;
		int key;

		w += strspn(w, ", \t");
		if (*w == '\0')
			break;
		wlen = strcspn(w, ", \t");
		if ((key = prof_sort_lookup(w, wlen)) == -1) {
			*cause =
			    xasprintf("unknown sort key '%.*s' (use calls, ncalls, cumtime, "
			              "cumulative, filename, line, module, name, nfl, pcalls, "
			              "stdname, time, tottime, tpercall or cpercall, or a unique "
			              "prefix of one)",
			        (int)wlen, w);
			return -1;
		}
		k = &prof_sort_keys[key];
		if (s->nkeys + k->nfields > PROF_SORT_MAX) {
			*cause = xasprintf(
			    "too many sort keys in '%s' (at most %d fields)", keys, PROF_SORT_MAX);
			return -1;
		}
		for (int i = 0; i < k->nfields; i++) {
			s->field[s->nkeys] = k->fields[i];
			s->descending[s->nkeys] = prof_field_numeric(k->fields[i]);
			s->nkeys++;
		}
		prof_sort_desc_add(s, k->desc);
		w += wlen;
	}
	if (s->nkeys == 0) {
		*cause = xstrdup("no sort key given");
		return -1;
	}
	return 0;
}

void
prof_sort_field(struct prof_sort *s, enum prof_field f)
{
	memset(s, 0, sizeof *s);
	if ((int)f < 0 || f >= PROF_NFIELDS)
		f = PROF_F_STDNAME;
	s->nkeys = 1;
	s->field[0] = f;
	s->descending[0] = prof_field_numeric(f);
	snprintf(s->desc, sizeof s->desc, "%s", prof_field_desc[f]);
}

struct prof_sort_ctx {
	const struct prof *p;
	const struct prof_sort *s;
};

static int
prof_cmp_ll(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

/* NaNs compare equal to everything, as they do in TupleComp. */
static int
prof_cmp_double(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int
prof_cmp_field(const struct prof_func *a, const struct prof_func *b, enum prof_field f)
{
	switch (f) {
	case PROF_F_PCALLS:
		return prof_cmp_ll(a->cc, b->cc);
	case PROF_F_CALLS:
		return prof_cmp_ll(a->nc, b->nc);
	case PROF_F_TIME:
		return prof_cmp_double(a->tt, b->tt);
	case PROF_F_CUMULATIVE:
		return prof_cmp_double(a->ct, b->ct);
	case PROF_F_FILENAME:
		return strcmp(a->file, b->file);
	case PROF_F_LINE:
		return a->line < b->line ? -1 : a->line > b->line;
	case PROF_F_NAME:
		return strcmp(a->name, b->name);
	case PROF_F_STDNAME:
		return strcmp(a->std, b->std);
	case PROF_F_TPERCALL:
		return prof_cmp_double(
		    a->nc == 0 ? 0 : a->tt / (double)a->nc, b->nc == 0 ? 0 : b->tt / (double)b->nc);
	case PROF_F_CPERCALL:
		return prof_cmp_double(
		    a->cc == 0 ? 0 : a->ct / (double)a->cc, b->cc == 0 ? 0 : b->ct / (double)b->cc);
	case PROF_NFIELDS:
		break;
	}
	return 0;
}

static int
prof_cmp_order(const void *a, const void *b, const void *vctx)
{
	const struct prof_sort_ctx *ctx = vctx;
	const struct prof_func *fa = &ctx->p->funcs[*(const size_t *)a];
	const struct prof_func *fb = &ctx->p->funcs[*(const size_t *)b];

	for (int k = 0; k < ctx->s->nkeys && k < PROF_SORT_MAX; k++) {
		int c = prof_cmp_field(fa, fb, ctx->s->field[k]);
		if (c != 0)
			return ctx->s->descending[k] ? -c : c;
	}
	return 0;
}

void
prof_sort_order(const struct prof *p, const struct prof_sort *s, size_t *order)
{
	struct prof_sort_ctx ctx = {p, s};

	for (size_t i = 0; i < p->nfuncs; i++)
		order[i] = i;
	if (s != NULL && s->nkeys > 0)
		prof_msort(order, p->nfuncs, sizeof *order, prof_cmp_order, &ctx);
}

/* --- the reports ------------------------------------------------------------ */

/* Python's "%*.*f": as C's, but NaNs are always "nan". */
static void
prof_fmt(struct buf *out, int width, int prec, double x)
{
	if (isnan(x))
		buf_addf(out, "%*s", width, "nan");
	else
		buf_addf(out, "%*.*f", width, prec, x);
}

static void
prof_f8(struct buf *out, double x)
{
	prof_fmt(out, 8, 3, x);
}

/* Whether Python's str.isprintable() holds for a code point above 0x7f (close enough). */
static int
prof_printable(unsigned long c)
{
	if (c <= 0xa0 || c == 0xad || c == 0x1680 || c == 0x180e || c == 0x3000 || c == 0xfeff)
		return 0;
	if ((c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
	    (c >= 0x205f && c <= 0x206f) || (c >= 0xd800 && c <= 0xf8ff) ||
	    (c >= 0xfff9 && c <= 0xfffb) || c == 0xfffe || c == 0xffff || c > 0x10ffff)
		return 0;
	return 1;
}

/* Python's repr() of a str holding the UTF-8 text s. */
static void
prof_repr(struct buf *out, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	char quote = '\'';

	if (strchr(s, '\'') != NULL && strchr(s, '"') == NULL)
		quote = '"';
	buf_addc(out, quote);
	while (*u != '\0') {
		unsigned long c = *u;
		size_t n, k;

		n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
		for (k = 1; k < n && (u[k] & 0xc0) == 0x80; k++)
			c = (k == 1 ? c & (0x7f >> n) : c) << 6 | (u[k] & 0x3f);
		if (n == 0 || k < n) {
			buf_addf(out, "\\x%02x", *u++);
			continue;
		}
		if (c == (unsigned char)quote || c == '\\')
			buf_addf(out, "\\%c", (int)c);
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\r')
			buf_adds(out, "\\r");
		else if (c < 0x20 || c == 0x7f)
			buf_addf(out, "\\x%02lx", c);
		else if (c < 0x7f || prof_printable(c))
			buf_add(out, u, n);
		else if (c <= 0xff)
			buf_addf(out, "\\x%02lx", c);
		else if (c <= 0xffff)
			buf_addf(out, "\\u%04lx", c);
		else
			buf_addf(out, "\\U%08lx", c);
		u += n;
	}
	buf_addc(out, quote);
}

/* Python's repr() of a float: the shortest text that reads back the same. */
static void
prof_repr_double(struct buf *out, double x)
{
	char e[40], digits[24];
	int prec, exp, nd = 0, decpt;
	const char *p;

	if (isnan(x)) {
		buf_adds(out, "nan");
		return;
	}
	if (isinf(x)) {
		buf_adds(out, x < 0 ? "-inf" : "inf");
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec, x);
		if (strtod(e, NULL) == x)
			break;
	}
	p = e;
	if (*p == '-') {
		buf_addc(out, '-');
		p++;
	}
	for (; *p != 'e' && *p != '\0'; p++) {
		if (*p != '.')
			digits[nd++] = *p;
	}
	exp = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	decpt = exp + 1;
	if (decpt <= -4 || decpt > 16) {
		buf_addc(out, digits[0]);
		if (nd > 1)
			buf_addf(out, ".%s", digits + 1);
		buf_addf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	} else if (decpt <= 0)
		buf_addf(out, "0.%.*s%s", -decpt, "0000", digits);
	else if (decpt >= nd)
		buf_addf(out, "%s%.*s.0", digits, decpt - nd, "0000000000000000");
	else
		buf_addf(out, "%.*s.%s", decpt, digits, digits + decpt);
}

static void
prof_pad(struct buf *out, size_t n)
{
	while (n-- > 0)
		buf_addc(out, ' ');
}

/* s.ljust(width), in characters. */
static void
prof_ljust(struct buf *out, const char *s, size_t width)
{
	size_t w = prof_strwidth(s);

	buf_adds(out, s);
	if (w < width)
		prof_pad(out, width - w);
}

/* One restriction of print_stats(*amount) applied to list[0..*n), reported in msg. */
static void
prof_restrict_one(
    const struct prof *p, const struct prof_restrict *r, size_t *list, size_t *n, struct buf *msg)
{
	size_t before = *n, kept = 0;
	regex_t re;

	switch (r->kind) {
	case PROF_R_PATTERN:
		if (r->pattern == NULL)
			return;
		if (regcomp(&re, r->pattern, REG_EXTENDED | REG_NOSUB) != 0) {
			buf_adds(msg, "   <Invalid regular expression ");
			prof_repr(msg, r->pattern);
			buf_adds(msg, ">\n");
			return;
		}
		for (size_t i = 0; i < *n; i++) {
			if (regexec(&re, p->funcs[list[i]].std, 0, NULL, 0) == 0)
				list[kept++] = list[i];
		}
		regfree(&re);
		*n = kept;
		break;
	case PROF_R_COUNT:
		if (r->count >= 0 && (unsigned long)r->count < *n)
			*n = (size_t)r->count;
		break;
	case PROF_R_FRACTION:
		if (r->fraction >= 0.0 && r->fraction < 1.0) {
			size_t count = (size_t)((double)*n * r->fraction + .5);

			if (count < *n)
				*n = count;
		}
		break;
	}
	if (*n == before)
		return;
	buf_addf(msg, "   List reduced from %zu to %zu due to restriction <", before, *n);
	if (r->kind == PROF_R_PATTERN)
		prof_repr(msg, r->pattern);
	else if (r->kind == PROF_R_COUNT)
		buf_addf(msg, "%ld", r->count);
	else
		prof_repr_double(msg, r->fraction);
	buf_adds(msg, ">\n");
}

/*
 * get_print_list: the functions to print (caller frees), their count, and
 * the name column's width; the header is printed only if any are left.
 */
static size_t *
prof_print_list(struct buf *out, const struct prof *p, const struct prof_sort *s,
    const struct prof_restrict *r, int nr, size_t *n, size_t *width)
{
	struct buf msg;
	size_t *list;

	list = xreallocarray(NULL, p->nfuncs + 1, sizeof *list);
	buf_init(&msg);
	if (s != NULL && s->nkeys > 0) {
		prof_sort_order(p, s, list);
		buf_addf(&msg, "   Ordered by: %s\n", s->desc);
	} else {
		prof_sort_order(p, NULL, list);
		buf_adds(&msg, "   Random listing order was used\n");
	}
	*n = p->nfuncs;
	for (int i = 0; i < nr; i++)
		prof_restrict_one(p, &r[i], list, n, &msg);
	if (*n != 0) {
		buf_add(out, msg.data, msg.len);
		buf_addc(out, '\n');
	}
	buf_free(&msg);
	*width = p->max_name_len;
	if (*n < p->nfuncs) {
		*width = 0;
		for (size_t i = 0; i < *n; i++) {
			size_t w = prof_strwidth(p->funcs[list[i]].std);

			if (w > *width)
				*width = w;
		}
	}
	*width += 2;
	return list;
}

void
prof_print_stats(struct buf *out, const struct prof *p, const struct prof_sort *s,
    const struct prof_restrict *r, int nr)
{
	size_t *list, n, width;

	if (p->source != NULL)
		buf_addf(out, "%s\n\n", p->source);
	buf_addf(out, "         %lld function calls ", p->total_calls);
	if (p->total_calls != p->prim_calls)
		buf_addf(out, "(%lld primitive calls) ", p->prim_calls);
	buf_adds(out, "in ");
	prof_fmt(out, 0, 3, p->total_tt);
	buf_adds(out, " seconds\n\n");
	list = prof_print_list(out, p, s, r, nr, &n, &width);
	if (n != 0) {
		buf_adds(out,
		    "   ncalls  tottime  percall  cumtime  percall filename:lineno(function)\n");
		for (size_t i = 0; i < n; i++) {
			const struct prof_func *f = &p->funcs[list[i]];
			char calls[64];

			if (f->nc != f->cc)
				snprintf(calls, sizeof calls, "%lld/%lld", f->nc, f->cc);
			else
				snprintf(calls, sizeof calls, "%lld", f->nc);
			buf_addf(out, "%9s ", calls);
			prof_f8(out, f->tt);
			buf_addc(out, ' ');
			if (f->nc == 0)
				prof_pad(out, 8);
			else
				prof_f8(out, f->tt / (double)f->nc);
			buf_addc(out, ' ');
			prof_f8(out, f->ct);
			buf_addc(out, ' ');
			if (f->cc == 0)
				prof_pad(out, 8);
			else
				prof_f8(out, f->ct / (double)f->cc);
			buf_addf(out, " %s\n", f->std);
		}
		buf_adds(out, "\n\n");
	}
	free(list);
}

static void
prof_call_heading(struct buf *out, const struct prof *p, size_t width, const char *title)
{
	int tuples = 0;

	prof_ljust(out, "Function ", width);
	buf_addf(out, "%s\n", title);
	for (size_t i = 0; i < p->nfuncs && !p->caller_counts; i++) {
		if (p->funcs[i].ncallers != 0) {
			tuples = 1;
			break;
		}
	}
	if (tuples) {
		prof_pad(out, width);
		buf_adds(out, "    ncalls  tottime  cumtime\n");
	}
}

static void
prof_call_line(struct buf *out, const struct prof *p, size_t width, size_t fi,
    const struct prof_edge *edges, size_t n, const char *arrow)
{
	prof_ljust(out, p->funcs[fi].std, width);
	buf_addf(out, "%s ", arrow);
	if (n == 0) {
		buf_addc(out, '\n');
		return;
	}
	for (size_t k = 0; k < n; k++) {
		const struct prof_edge *e = &edges[k];

		if (!p->caller_counts) {
			char calls[64];

			if (k != 0)
				prof_pad(out, width + 1);
			if (e->nc != e->cc)
				snprintf(calls, sizeof calls, "%lld/%lld", e->nc, e->cc);
			else
				snprintf(calls, sizeof calls, "%lld", e->nc);
			buf_addf(out, "%*s ", k == 0 ? 7 : 9, calls);
			prof_f8(out, e->tt);
			buf_addc(out, ' ');
			prof_f8(out, e->ct);
			buf_addf(out, "  %s\n", p->funcs[e->func].std);
		} else {
			if (k != 0)
				prof_pad(out, width + 3);
			buf_addf(out, "%s(%lld) ", p->funcs[e->func].std, e->nc);
			prof_f8(out, p->funcs[e->func].ct);
			buf_addc(out, '\n');
		}
	}
}

static void
prof_print_calls(struct buf *out, const struct prof *p, const struct prof_sort *s,
    const struct prof_restrict *r, int nr, int callers)
{
	size_t *list, n, width;

	list = prof_print_list(out, p, s, r, nr, &n, &width);
	if (n != 0) {
		prof_call_heading(out, p, width, callers ? "was called by..." : "called...");
		for (size_t i = 0; i < n; i++) {
			const struct prof_func *f = &p->funcs[list[i]];

			if (callers)
				prof_call_line(
				    out, p, width, list[i], f->callers, f->ncallers, "<-");
			else
				prof_call_line(
				    out, p, width, list[i], f->callees, f->ncallees, "->");
		}
		buf_adds(out, "\n\n");
	}
	free(list);
}

void
prof_print_callers(struct buf *out, const struct prof *p, const struct prof_sort *s,
    const struct prof_restrict *r, int nr)
{
	prof_print_calls(out, p, s, r, nr, 1);
}

void
prof_print_callees(struct buf *out, const struct prof *p, const struct prof_sort *s,
    const struct prof_restrict *r, int nr)
{
	prof_print_calls(out, p, s, r, nr, 0);
}

/* --- the icicle ------------------------------------------------------------- */

/* Seconds of callee time along an edge; profile module files only count calls, so share ct. */
static double
prof_edge_ct(const struct prof *p, const struct prof_edge *e)
{
	const struct prof_func *g = &p->funcs[e->func];
	double v;

	if (!p->caller_counts)
		v = e->ct;
	else
		v = g->nc > 0 ? g->ct * (double)e->nc / (double)g->nc : 0;
	return isfinite(v) && v > 0 ? v : 0;
}

/* Called from outside the profile: no callers but itself or never-returning ones, or calls
 * that no caller accounts for. */
static int
prof_is_root(const struct prof *p, size_t fi)
{
	const struct prof_func *f = &p->funcs[fi];
	long long sum = 0;
	int others = 0;

	for (size_t k = 0; k < f->ncallers; k++) {
		sum = prof_add_ll(sum, f->callers[k].nc);
		if (f->callers[k].func != fi && p->funcs[f->callers[k].func].nc != 0)
			others = 1;
	}
	return !others || f->nc > sum;
}

struct prof_icicle_state {
	struct prof_bar *bars;
	size_t n;
	size_t cap;
};

static void
prof_bar_add(
    struct prof_icicle_state *st, int row, int x, int w, size_t func, size_t parent, double value)
{
	struct prof_bar *b;

	if (st->n == st->cap) {
		st->cap = st->cap == 0 ? 64 : st->cap * 2;
		st->bars = xreallocarray(st->bars, st->cap, sizeof *st->bars);
	}
	b = &st->bars[st->n++];
	b->row = row;
	b->x = x;
	b->w = w;
	b->func = func;
	b->parent = parent;
	b->value = value;
}

/* Lays out children with the given weights inside bar bi (weights over den, den >= their sum). */
static void
prof_bar_children(struct prof_icicle_state *st, size_t bi, const size_t *funcs,
    const double *weights, size_t n, double den)
{
	struct prof_bar parent = st->bars[bi];
	double cum = 0;
	long end = 0;

	if (!(den > 0) || !isfinite(den))
		return;
	for (size_t k = 0; k < n; k++) {
		long start = end;
		double frac;

		cum += weights[k];
		frac = cum / den < 1 ? cum / den : 1;
		end = (long)(parent.w * frac + 0.5);
		if (end - start >= 1)
			prof_bar_add(st, parent.row + 1, parent.x + (int)start, (int)(end - start),
			    funcs[k], bi, parent.value * (weights[k] / den));
	}
}

size_t
prof_icicle(const struct prof *p, const size_t *path, size_t npath, int width, int depth,
    struct prof_bar **bars)
{
	struct prof_icicle_state st = {NULL, 0, 0};
	const struct prof_func *f;
	size_t *stamp, *kids, nk, best = PROF_NONE, b;
	unsigned char *zoomed;
	double *weights, sum, v;

	*bars = NULL;
	if (width < 1 || depth < 1 || p->nfuncs == 0)
		return 0;
	for (size_t i = 0; i < npath; i++) {
		if (path[i] >= p->nfuncs)
			return 0;
	}
	kids = xreallocarray(NULL, p->nfuncs + 1, sizeof *kids);
	weights = xreallocarray(NULL, p->nfuncs + 1, sizeof *weights);
	stamp = xcalloc(p->nfuncs, sizeof *stamp);
	zoomed = xcalloc(p->nfuncs, 1);
	for (size_t i = 0; i < npath; i++)
		zoomed[path[i]] = 1;

	if (npath > 0) {
		v = p->funcs[path[npath - 1]].ct;
		prof_bar_add(&st, 0, 0, width, path[npath - 1], PROF_NONE, isfinite(v) ? v : 0);
	} else {
		nk = 0;
		sum = 0;
		for (size_t i = 0; i < p->nfuncs; i++) {
			if (best == PROF_NONE || p->funcs[i].ct > p->funcs[best].ct)
				best = i;
			if (prof_is_root(p, i)) {
				kids[nk] = i;
				v = p->funcs[i].ct;
				weights[nk] = isfinite(v) && v > 0 ? v : 0;
				sum += weights[nk++];
			}
		}
		if (nk == 0) {
			kids[nk] = best;
			v = p->funcs[best].ct;
			weights[nk] = isfinite(v) && v > 0 ? v : 0;
			sum += weights[nk++];
		}
		v = isfinite(p->total_tt) && p->total_tt > sum ? p->total_tt : sum;
		prof_bar_add(&st, 0, 0, width, PROF_ROOT, PROF_NONE, v);
		if (depth > 1)
			prof_bar_children(&st, 0, kids, weights, nk, v);
	}

	/* breadth first, so bars come row by row, left to right */
	for (b = npath > 0 ? 0 : 1; b < st.n; b++) {
		if (st.bars[b].row + 1 >= depth)
			break;
		size_t mark = b + 1;

		for (size_t a = b; a != PROF_NONE; a = st.bars[a].parent) {
			if (st.bars[a].func != PROF_ROOT)
				stamp[st.bars[a].func] = mark;
		}
		f = &p->funcs[st.bars[b].func];
		nk = 0;
		sum = 0;
		for (size_t k = 0; k < f->ncallees; k++) {
			size_t g = f->callees[k].func;

			if (stamp[g] == mark || zoomed[g])
				continue;
			kids[nk] = g;
			weights[nk] = prof_edge_ct(p, &f->callees[k]);
			sum += weights[nk++];
		}
		v = isfinite(f->ct) && f->ct > sum ? f->ct : sum;
		prof_bar_children(&st, b, kids, weights, nk, v);
	}
	free(kids);
	free(weights);
	free(stamp);
	free(zoomed);
	*bars = st.bars;
	return st.n;
}

/* --- the explanation -------------------------------------------------------- */

/* Seconds as a learner reads them: "0.088 s", "0.412 ms", "0.055 us". */
static void
prof_explain_time(struct buf *out, double t)
{
	if (t == 0 || !isfinite(t) || fabs(t) >= 0.001)
		buf_addf(out, "%.3f s", t);
	else if (fabs(t) >= 1e-6)
		buf_addf(out, "%.3f ms", t * 1e3);
	else
		buf_addf(out, "%.3f us", t * 1e6);
}

static int
prof_explain_percent(const struct prof *p, double t)
{
	double pc;

	if (!(p->total_tt > 0))
		return -1;
	pc = t / p->total_tt * 100;
	if (!isfinite(pc) || pc < 0)
		return -1;
	return pc > 100 ? 100 : (int)(pc + 0.5);
}

char *
prof_explain(const struct prof *p, size_t fi)
{
	const struct prof_func *f;
	struct buf b;
	size_t big = PROF_NONE;
	double bigct = 0, v;
	int pc, builtin;

	if (fi >= p->nfuncs)
		return xstrdup("There is no such function in this profile.");
	f = &p->funcs[fi];
	buf_init(&b);

	if (f->nc == 0)
		buf_addf(&b,
		    "%s never returned while the profiler was watching, so it has no calls "
		    "counted.",
		    f->std);
	else if (f->nc == 1)
		buf_addf(&b, "%s was called once.", f->std);
	else
		buf_addf(&b, "%s was called %lld times.", f->std, f->nc);
	if (f->nc != f->cc)
		buf_addf(&b,
		    " %lld of those calls were made while it was already running "
		    "(recursion), which is why ncalls shows %lld/%lld: all calls, then the "
		    "%lld primitive call%s that started from outside.",
		    prof_sub_ll(f->nc, f->cc), f->nc, f->cc, f->cc, f->cc == 1 ? "" : "s");

	buf_adds(&b, " It spent ");
	prof_explain_time(&b, f->tt);
	buf_adds(&b, " in its own code (tottime");
	if ((pc = prof_explain_percent(p, f->tt)) >= 0)
		buf_addf(&b, ": %d%% of the run", pc);
	buf_adds(&b, ") and ");
	prof_explain_time(&b, f->ct);
	buf_adds(&b, " from call to return, counting the functions it called (cumtime");
	if ((pc = prof_explain_percent(p, f->ct)) >= 0)
		buf_addf(&b, ": %d%% of the run", pc);
	buf_adds(&b, ")");
	if (f->cc > 0) {
		buf_adds(&b, ", so ");
		prof_explain_time(&b, f->ct / (double)f->cc);
		buf_adds(&b, " per call");
		if (f->nc != f->cc)
			buf_adds(&b, " (cumtime over primitive calls)");
	}
	buf_adds(&b, ".");
	if (f->nc > 0 && f->nc != 1) {
		buf_adds(&b, " Its own code took ");
		prof_explain_time(&b, f->tt / (double)f->nc);
		buf_adds(&b, " per call.");
	}

	builtin = strcmp(f->file, "~") == 0 || (f->file[0] == '\0' && f->line == 0);
	if (builtin)
		buf_adds(
		    &b, " It is built into Python (C code), so the profiler cannot see inside it.");

	for (size_t k = 0; k < f->ncallees; k++) {
		if (f->callees[k].func == fi)
			continue;
		v = prof_edge_ct(p, &f->callees[k]);
		if (big == PROF_NONE || v > bigct) {
			big = f->callees[k].func;
			bigct = v;
		}
	}
	pc = prof_explain_percent(p, f->tt);
	if (f->ct > 2 * f->tt && big != PROF_NONE && bigct > 0) {
		buf_adds(&b,
		    " Most of that time is in the functions it calls, not in its own code: the "
		    "biggest is ");
		buf_adds(&b, p->funcs[big].std);
		buf_adds(&b, ", with ");
		prof_explain_time(&b, bigct);
		buf_adds(&b, " of cumtime in the calls from here.");
	} else if (pc >= 10 && builtin)
		buf_adds(&b,
		    " Its time is spent inside the built-in itself: to save some, call it less "
		    "often or on less data.");
	else if (pc >= 10)
		buf_adds(&b,
		    " Most of its time is spent in its own lines, so that is where a speed-up "
		    "would have to come from.");
	return buf_steal(&b);
}
