/*
 * The console's IPython-style commands ("magics"): what a line typed at the
 * console asks for. A line that starts with % names a magic; its options come
 * first, each a word ("-n 10" or "-n10"), and the rest of the line, as typed,
 * is the statement. Anything else is Python, run as typed at the prompt.
 *
 *   %time STATEMENT                    wall and CPU time of one run
 *   %timeit [-n N] [-r R] [-p P] [-q] STATEMENT
 *                                      loops per run (found when -n is not
 *                                      given), R runs (7), P digits (3)
 *   %prun [-s KEY]... [-l N] [-D FILE] [-q] STATEMENT
 *                                      cProfile, sorted by KEY (tottime)
 *   %lprun -f FUNC... [-u UNIT] STATEMENT
 *                                      line timer on the functions FUNC names
 *   %mprun -f FUNC... STATEMENT        line memory meter on them
 *   %memit [-r R] STATEMENT            peak memory and its increment
 *   %load_ext line_profiler|memory_profiler
 *                                      accepted: both are built in
 *
 * A struct magic owns its strings.
 */
#ifndef PROFLAB_CORE_MAGIC_H
#define PROFLAB_CORE_MAGIC_H

#include "base/buf.h"

enum magic_kind {
	MAGIC_NONE, /* plain Python */
	MAGIC_TIME,
	MAGIC_TIMEIT,
	MAGIC_PRUN,
	MAGIC_LPRUN,
	MAGIC_MPRUN,
	MAGIC_MEMIT,
	MAGIC_LOAD_EXT
};

struct magic {
	enum magic_kind kind;
	char *stmt; /* the statement (MAGIC_NONE: the whole text) */
	long number; /* %timeit -n; 0: found by auto-ranging */
	long repeat; /* %timeit -r (7), %memit -r (1) */
	int precision; /* %timeit -p (3) */
	int quiet; /* %timeit -q, %prun -q: no result printed */
	char *sort; /* %prun -s, keys separated by commas ("time" by default) */
	long limit; /* %prun -l (-1: every function) */
	char *dump; /* %prun -D FILE */
	char **funcs; /* %lprun/%mprun -f, NULL-terminated */
	int nfuncs;
	double unit; /* %lprun -u, seconds; 0: the timer's own 1e-9, as %lprun prints */
	char *ext; /* %load_ext's name */
};

/*
 * Parses one complete input. 0 and *m filled (free with magic_free); -1 with
 * *cause, one line naming the magic and the bad option or value (caller
 * frees), and *m empty.
 */
int magic_parse(const char *text, struct magic *m, char **cause);
void magic_free(struct magic *m);
/* "time", "timeit", ...; "none" for plain Python: the run record's MAGIC field. */
const char *magic_name(enum magic_kind k);
/*
 * The run record's ARGS for m (see core/channel.h): words separated by
 * newlines. path is where the worker writes a profile or line table (prun,
 * lprun, mprun), else ignored.
 */
void magic_args(struct buf *out, const struct magic *m, const char *path);

#endif
