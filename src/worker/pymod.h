/*
 * The `proflab` module: everything the worker does inside Python. It holds
 * the channel writer (one fd, owned by the process, never closed here), the
 * built-in module scripts import (`proflab.mark(label)`), and the code that
 * runs a script as __main__ and tells how it ended.
 *
 * worker.c registers PyInit_proflab with PyImport_AppendInittab and sets the
 * channel fd before Python starts. Built as an extension module instead, the
 * module reads the fd from PROFLAB_CHANNEL_FD when it is imported.
 *
 * Include Python.h before this header.
 */
#ifndef PROFLAB_WORKER_PYMOD_H
#define PROFLAB_WORKER_PYMOD_H

#include <stdio.h>

PyMODINIT_FUNC PyInit_proflab(void);

/* The channel's fd, or -1 for none; without a call, PyInit_proflab reads the environment. */
void pymod_set_channel_fd(int fd);
int pymod_channel_fd(void);

/* Channel records; each a no-op without a channel. hello needs a running interpreter. */
void pymod_send_hello(const char *script);
void pymod_send_exit(int status, const char *kind, const char *detail);
void pymod_send_error(const char *message);
void pymod_send_profile(const char *path, long nfuncs);
void pymod_send_lines(const char *path, const char *kind, long nfuncs);
/*
 * The console's records (core/channel.h): %time's seconds and what echoing
 * its value printed, %memit's bytes, a request's end.
 */
void pymod_send_cputime(double wall, double user, double sys, const char *display);
void pymod_send_memit(long long peak, long long baseline);
void pymod_send_done(const char *id, const char *kind, const char *detail);
/*
 * The timeit record, as proflab.timings sends it: number loops per run, times
 * a sequence of each run's seconds. 0, or -1 with an exception (not numbers).
 */
int pymod_send_timeit(long number, PyObject *times);

/* Flushes sys.stderr and sys.stdout, keeping a pending exception. */
void pymod_flush_io(void);
/* "ZeroDivisionError", or "pkg.mod.Error" outside builtins and __main__ (caller frees). */
char *pymod_exception_name(PyObject *type);
/* A new cProfile.Profile(); NULL with an exception. */
PyObject *pymod_profiler_new(void);
/*
 * Writes prof's statistics to path with dump_stats, as `python -m cProfile
 * -o` does, and sends the profile record. A pending exception is kept; a
 * failure to write is reported on stderr.
 */
void pymod_profiler_dump(PyObject *prof, const char *path);

/*
 * How a script ended: kind is "ok", "exception", "systemexit" or "interrupt";
 * "cannot-run" when it did not start (the error record has been sent).
 */
struct pymod_ending {
	int status; /* exit status, before finalisation */
	const char *kind; /* static */
	char *detail; /* exception type, exit code as text or ""; caller frees */
};

/* How to run a script; zeroed, a plain run. */
struct pymod_opts {
	int interactive; /* each top-level statement as at the >>> prompt */
	const char *profile_out; /* run under cProfile, write the statistics here */
	const char *lines_out; /* run under a line instrument, write its table here */
	int lines_memory; /* the line memory meter rather than the line timer */
	char *const *funcs; /* the functions it measures (lines.h's specs) */
	int nfuncs;
};

/*
 * Runs the file fp (closed here) as __main__ the way `python SCRIPT` does:
 * sys.path[0], __file__, __loader__, tracebacks through sys.excepthook and
 * SystemExit's rules. With interactive, each top-level statement runs as at
 * the >>> prompt: expression values are echoed through sys.displayhook, and
 * the first exception ends it. With profile_out, the script runs under
 * cProfile as `python -m cProfile` runs it, and the statistics are written
 * to profile_out (pstats format) when it ends, however it ends, unless the
 * process is killed; lines_out likewise for the line instruments. A spec in
 * funcs that names nothing is reported on stderr and the channel, and the
 * script does not run (status 2, kind "cannot-run"). Fills *end; needs a running
 * interpreter.
 */
void pymod_run_script(
    FILE *fp, const char *script, const struct pymod_opts *o, struct pymod_ending *end);

/*
 * The pending exception, normalised, its traceback attached (new reference,
 * or NULL when none is pending); the error indicator is cleared.
 */
PyObject *pymod_take_exception(void);
/* The __main__ module (new reference), or NULL with an exception. */
PyObject *pymod_main_module(void);

#endif
