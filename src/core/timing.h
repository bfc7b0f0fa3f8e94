/*
 * Timing small statements, as Python's timeit does: the driver script the
 * worker runs (timeit.Timer in the script's own __main__, the loop count
 * found as `python -m timeit` finds it, each run's seconds sent back with
 * proflab.timings), and the two layouts of its result:
 *   python -m timeit:  "100 loops, best of 5: 512 usec per loop"
 *   IPython's %timeit: "512 µs ± 3.1 µs per loop (mean ± std. dev. of 7 runs, 100 loops each)"
 */
#ifndef PROFLAB_CORE_TIMING_H
#define PROFLAB_CORE_TIMING_H

#include "base/buf.h"

/*
 * The driver's source. Its arguments: NUMBER (0: find it), REPEAT, TIMER
 * ("perf" or "process"), SETUP, STATEMENT.
 */
extern const char timing_driver[];

/* What `proflab timeit` was asked (timing_parse fills it; timing_opts_free frees it). */
struct timing_opts {
	long number; /* loops per run; 0: found as timeit finds it */
	long repeat; /* runs */
	int process; /* time.process_time rather than time.perf_counter */
	const char *unit; /* -u, or NULL */
	double grace; /* seconds between the stop request and the kill */
	char *setup; /* the -s words joined by newlines, "pass" without any */
	char *stmt; /* the statement words joined by newlines, "pass" without any */
	char *args[6]; /* the driver's arguments (above), NULL-terminated */
	char argtext[2][32];
};

/*
 * Parses timeit's options and statement words (argv[0] is the command's
 * name): 0, 1 after --help (nothing filled), or -1 with *cause, one line
 * naming the option and value (caller frees).
 */
int timing_parse(int argc, char **argv, struct timing_opts *o, char **cause);
void timing_opts_free(struct timing_opts *o);
/* Writes the driver as dir/timeit_driver.py: its path, or NULL with *cause. */
char *timing_write_driver(const char *dir, char **cause);

/* "nsec", "usec", "msec", "sec": 0, or -1 for another word. */
int timing_unit_known(const char *unit);

/*
 * python -m timeit's line for `number` loops per run and the runs' seconds,
 * in unit (NULL: the largest unit not above the best time), with `precision`
 * significant digits (3; -v gives 4). Appends to out.
 */
void timing_format_timeit(
    struct buf *out, long number, const double *times, int n, const char *unit, int precision);
/*
 * python -m timeit's warning when the worst run is at least 4 times the best,
 * else nothing; as warnings.warn_explicit prints it (":0: UserWarning: ...").
 */
void timing_format_unreliable(
    struct buf *out, long number, const double *times, int n, const char *unit, int precision);
/*
 * IPython's %timeit line: the mean and standard deviation of the per-loop
 * times, with `precision` significant digits (IPython's -p, 3 by default).
 */
void timing_format_ipython(struct buf *out, long number, const double *times, int n, int precision);
/* IPython's warning when the slowest run took over 4 times the fastest, else nothing. */
void timing_format_ipython_slowest(struct buf *out, long number, const double *times, int n);
/* IPython's _format_time: "1.23 ms", "512 \u00b5s", "1min 3s". */
void timing_ipython_time(struct buf *out, double t, int precision);
/* IPython's %time: "CPU times: user 1.2 s, sys: 4 ms, total: 1.2 s\nWall time: 1.21 s\n". */
void timing_format_cputime(struct buf *out, double wall, double user, double sys);

#endif
