/*
 * The worker's two line instruments: the line timer (hits and time per
 * line, as line_profiler counts them) and the line memory meter (resident
 * memory after each line, its increment and occurrences, as memory_profiler
 * defines them), both inside chosen functions only.
 *
 * Functions are chosen by `--func SPEC` (NAME, MODULE:QUALNAME or
 * FILE:LINE) or by the built-in `profile` decorator, as kernprof -l honours
 * it. Either way the function ends up wrapped: the wrapper switches a C trace
 * function on for the duration of the call (and of each resumption of a
 * generator), so code outside the chosen functions runs untraced. Specs are
 * applied by adding the same decorator to the matching `def` in the parsed
 * source of the script, and of modules as they are imported.
 *
 * When the script ends, the table is written in the line table format of
 * core/linetab.h and the `lines` channel record is sent.
 *
 * Include Python.h before this header.
 */
#ifndef PROFLAB_WORKER_LINES_H
#define PROFLAB_WORKER_LINES_H

enum lines_kind { LINES_TIME, LINES_MEMORY };

/*
 * Sets the instrument up before the script runs: the built-ins, the import
 * hook and the specs, each checked against the source it names. 0, or -1
 * with *cause (caller frees): a one-line message naming the spec.
 */
int lines_setup(
    enum lines_kind kind, const char *script, char *const *funcs, int nfuncs, char **cause);
/* The script's code with its chosen functions marked; NULL with an exception. */
PyObject *lines_compile(PyObject *source, PyObject *filename);
/* Call right before the script's code runs: the memory baseline is taken here. */
void lines_start(void);
/*
 * Switches tracing off for good, writes the table to path and sends the
 * lines record. A pending exception is kept; a failure to write is reported
 * on stderr.
 */
void lines_finish(const char *path);

#endif
