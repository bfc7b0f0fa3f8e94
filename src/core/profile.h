/*
 * Function profiles: the model of a pstats file and everything shown of it.
 *
 * A profile is what cProfile (or the pure-Python profile module) leaves in
 * a .prof file: Python's marshal format holding one dict,
 *   {(file, line, name): (cc, nc, tt, ct, {caller_key: (nc, cc, tt, ct)})}
 * where cc counts primitive (non-recursive) calls, nc all calls, tt the time
 * inside the function itself and ct the time including its callees. The
 * profile module writes a plain call count instead of each caller tuple.
 * Built-ins have the key ("~", 0, "<built-in method builtins.sum>").
 *
 * struct prof owns every function and edge; functions keep the file's dict
 * order, which breaks ties when sorting, exactly as pstats' stable sort does.
 * The text functions print byte for byte what pstats prints for the same
 * file, sort and restrictions; the icicle and the explanation serve the TUI.
 */
#ifndef PROFLAB_CORE_PROFILE_H
#define PROFLAB_CORE_PROFILE_H

#include <stddef.h>
#include <time.h>

#include "base/buf.h"

/* One edge of the call graph, seen from one end. */
struct prof_edge {
	size_t func; /* the other end: a caller in callers[], a callee in callees[] */
	long long nc; /* calls along this edge */
	long long cc; /* primitive calls along this edge */
	double tt;
	double ct;
	size_t seq; /* callers[] only: its place in the file's callers dict (strip needs it) */
};

struct prof_func {
	char *file; /* "~" for built-ins */
	long line;
	char *name;
	char *std; /* pstats' func_std_string: "file:line(name)", or "{name}" for "~" */
	long long cc; /* primitive calls */
	long long nc; /* all calls */
	double tt; /* tottime */
	double ct; /* cumtime */
	/* sorted by (file, line, name) of the other end, as pstats prints them */
	struct prof_edge *callers;
	size_t ncallers;
	struct prof_edge *callees; /* derived from every function's callers */
	size_t ncallees;
};

struct prof {
	struct prof_func *funcs; /* in the file's order */
	size_t nfuncs;
	long long total_calls; /* sum of nc */
	long long prim_calls; /* sum of cc */
	double total_tt; /* sum of tt: the run's time, as pstats says "in T seconds" */
	size_t max_name_len; /* longest std, in characters */
	int caller_counts; /* 1: callers hold bare counts (the profile module's files) */
	char *source; /* "Tue Nov 24 10:00:00 2026    compute.prof", or NULL */
};

/*
 * Reads a pstats file. Errors are one line naming the file, such as
 * "x.prof: not a pstats profile (unknown marshal type 0x89 at byte 0)" or
 * "x.prof: truncated at byte 120 of 120". source is set as pstats sets it.
 * 0, or -1 with *cause (caller frees); p is then empty.
 */
int prof_load(struct prof *p, const char *path, char **cause);
/* The same from memory; name is used in messages only, source stays NULL. */
int prof_load_mem(struct prof *p, const void *data, size_t len, const char *name, char **cause);
void prof_free(struct prof *p);
/* pstats' strip_dirs(): a new profile (into *out) with every file's directory removed
 * and functions that become equal merged; source is kept. */
void prof_strip(struct prof *out, const struct prof *in);
/* The function whose std is exactly std, or (size_t)-1. */
size_t prof_find(const struct prof *p, const char *std);

/*
 * Sort orders. Fields are pstats' (index into its sort tuple), plus the two
 * per-call columns that pstats cannot sort by and the TUI can.
 */
enum prof_field {
	PROF_F_PCALLS, /* cc */
	PROF_F_CALLS, /* nc */
	PROF_F_TIME, /* tt */
	PROF_F_CUMULATIVE, /* ct */
	PROF_F_FILENAME,
	PROF_F_LINE,
	PROF_F_NAME,
	PROF_F_STDNAME,
	PROF_F_TPERCALL, /* tt / nc (0 when nc is 0) */
	PROF_F_CPERCALL, /* ct / cc (0 when cc is 0) */
	PROF_NFIELDS
};

#define PROF_SORT_MAX 8

struct prof_sort {
	int nkeys;
	enum prof_field field[PROF_SORT_MAX];
	int descending[PROF_SORT_MAX]; /* numbers sort descending, names ascending */
	char desc[160]; /* "internal time", "cumulative time, function name", ... */
};

/*
 * Parses sort keys separated by commas or spaces: calls, ncalls, cumtime,
 * cumulative, filename, line, module, name, nfl, pcalls, stdname, time,
 * tottime, and (ours) tpercall, cpercall; a unique prefix of a key is taken
 * as pstats takes it ("cu", "tot"; not "cum", which pstats drops because
 * both cumtime and cumulative reach it). 0, or -1 with *cause naming the bad
 * key and listing the good ones.
 */
int prof_sort_parse(struct prof_sort *s, const char *keys, char **cause);
/* A single-field order (descending for numbers), with pstats' description. */
void prof_sort_field(struct prof_sort *s, enum prof_field f);
/* Fills order[0..p->nfuncs) with function indexes in sort order; ties keep file order. */
void prof_sort_order(const struct prof *p, const struct prof_sort *s, size_t *order);

/* A restriction, as the arguments of pstats' print_stats(*amount). */
enum prof_restrict_kind { PROF_R_PATTERN, PROF_R_COUNT, PROF_R_FRACTION };

struct prof_restrict {
	enum prof_restrict_kind kind;
	const char *pattern; /* PROF_R_PATTERN: searched in std (POSIX extended regex) */
	long count; /* PROF_R_COUNT: keep the first count (ignored unless 0 <= count < n) */
	double fraction; /* PROF_R_FRACTION: keep this share, 0 <= fraction < 1 */
};

/*
 * pstats' print_stats, print_callers and print_callees, appended to out.
 * s NULL: the file's order ("Random listing order was used"). The
 * restrictions are applied in turn, and reported as pstats reports them.
 * print_stats prints the source line and the totals first; the other two
 * print only their section, as pstats does.
 */
void prof_print_stats(struct buf *out, const struct prof *p, const struct prof_sort *s,
    const struct prof_restrict *r, int nr);
void prof_print_callers(struct buf *out, const struct prof *p, const struct prof_sort *s,
    const struct prof_restrict *r, int nr);
void prof_print_callees(struct buf *out, const struct prof *p, const struct prof_sort *s,
    const struct prof_restrict *r, int nr);

/*
 * The icicle: the run as a bar `width` columns wide on row 0, each
 * function's callees in the row below, each bar as wide as its share of its
 * parent (the edge's cumtime over the parent's cumtime, as snakeviz draws
 * it). A function already on the path from the root is not drawn again
 * below itself, so recursion ends. Bars narrower than one column and rows
 * past `depth` are left out.
 *
 * Zoomed (npath > 0), row 0 is path[npath - 1] alone at full width; path
 * lists the functions from the outermost one walked through to it, and
 * those are not repeated below it. Unzoomed, row 0 is the whole run (func
 * is PROF_ROOT), and row 1 the functions that nobody calls: no callers but
 * themselves or functions with no completed call (the profile module's
 * "profiler"), or more calls than their callers account for (exec, run by
 * cProfile and again by imports); if there are none, the function with the
 * largest cumtime. Profile module files count calls per caller but give no
 * times: an edge then gets the callee's cumtime shared out by calls.
 */
#define PROF_ROOT ((size_t)-1)

struct prof_bar {
	int row;
	int x;
	int w; /* >= 1 */
	size_t func; /* PROF_ROOT for the whole run */
	size_t parent; /* index of the parent bar in the array, or (size_t)-1 */
	double value; /* seconds this bar stands for */
};

/* The bars, parents before children, row by row left to right; *bars (caller frees). */
size_t prof_icicle(const struct prof *p, const size_t *path, size_t npath, int width, int depth,
    struct prof_bar **bars);

/*
 * A few sentences on function f's numbers for a learner: its calls
 * (recursive ones explained), tottime against cumtime, the per-call times
 * and its share of the run. Caller frees.
 */
char *prof_explain(const struct prof *p, size_t f);

#endif
