/*
 * The worker's two line instruments: the line timer (hits and time per
 * line, as line_profiler counts them) and the line memory meter (resident
 * memory after each line, its increment and occurrences, as memory_profiler
 * defines them), both inside chosen functions only.
 *
 * One instrument is on at a time, for a session, and a process may hold as
 * many sessions one after the other as it likes (the console holds one per
 * %lprun or %mprun):
 *
 *   lines_begin(kind)            the session starts, nothing chosen yet
 *   lines_choose(script, specs)  a script run: functions chosen by spec
 *     or lines_add_code(code)    the console: code objects chosen directly
 *   lines_start()                right before the measured code runs
 *   lines_stop()                 (optional) tracing off as soon as it ends
 *   lines_finish(path)           tracing off, the table written, the lines
 *                                record sent, the session over
 *
 * A script run chooses functions by `--func SPEC` (NAME, MODULE:QUALNAME or
 * FILE:LINE) or by the built-in `profile` decorator, as kernprof -l honours
 * it. Either way the function ends up wrapped: the wrapper switches a C trace
 * function on for the duration of the call (and of each resumption of a
 * generator), so code outside the chosen functions runs untraced. Specs are
 * applied by adding the same decorator to the matching `def` in the parsed
 * source of the script, and of modules as they are imported.
 *
 * Code objects added with lines_add_code are traced wherever they run in the
 * calling thread between lines_start and lines_finish, whoever calls them;
 * the trace function stays installed in that thread for that time and
 * switches line events off on every other frame.
 *
 * The table is written in the line table format of core/linetab.h, with the
 * source lines of every function as linecache has them (so functions
 * compiled from a string the caller put in linecache get theirs too).
 *
 * Include Python.h before this header.
 */
#ifndef PROFLAB_WORKER_LINES_H
#define PROFLAB_WORKER_LINES_H

enum lines_kind { LINES_TIME, LINES_MEMORY };

/* Starts a session of the instrument kind. 0, or -1 with *cause (caller frees). */
int lines_begin(enum lines_kind kind, char **cause);
/*
 * A script run's choice: the built-ins (`profile`), the import hook and the
 * specs, each checked against the source it names. 0, or -1 with *cause
 * (caller frees): a one-line message naming the spec; the session is then over.
 */
int lines_choose(const char *script, char *const *funcs, int nfuncs, char **cause);
/* The script's code with its chosen functions marked; NULL with an exception. */
PyObject *lines_compile(PyObject *source, PyObject *filename);
/* Chooses a code object (borrowed; the session keeps a reference). -1 with an exception. */
int lines_add_code(PyObject *code);
/*
 * Call right before the measured code runs: the memory baseline is taken
 * here, and with code objects chosen, tracing starts in this thread.
 */
void lines_start(void);
/* Switches tracing off in this thread; the session and its numbers stay for lines_finish. */
void lines_stop(void);
/*
 * Switches tracing off, writes the table to path, sends the lines record and
 * ends the session. A pending exception is kept; a failure to write is
 * reported on stderr. Does nothing outside a session.
 */
void lines_finish(const char *path);

/* Resident memory now (/proc/self/statm), the peak (VmHWM), in bytes; -1 when unknown. */
long long lines_rss(void);
long long lines_rss_peak(void);
/* Resets the kernel's peak to the resident memory now (Linux 4.0+; else nothing). */
void lines_rss_peak_reset(void);

#endif
