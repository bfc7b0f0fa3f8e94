/*
 * The worker channel: one record per line on a dedicated file descriptor,
 * fields separated by tabs, the first field naming the record's type. Inside
 * a field, tab, newline, carriage return and backslash are escaped as \t, \n,
 * \r and \\, so any byte string survives. Text keeps it debuggable:
 * `proflab-worker --channel-fd 3 script.py 3>&1`.
 *
 * This header is the one list of record types. A record whose type is
 * unknown, whose field count is wrong or whose escapes are bad is reported
 * by chan_reader_next and skipped, never trusted.
 */
#ifndef PROFLAB_CORE_CHANNEL_H
#define PROFLAB_CORE_CHANNEL_H

#include <stddef.h>

#include "base/buf.h"

/*
 * Record types, worker to front end. Fields after the type:
 *   hello  PID  PYTHON_VERSION  EXECUTABLE  SCRIPT
 *          sent once the interpreter is up, before the script runs.
 *   mark   MONOTONIC_SECONDS  LABEL
 *          proflab.mark(label): a phase marker; the time is CLOCK_MONOTONIC
 *          in seconds ("%.9f"), the clock the front end's samples use.
 *   exit   STATUS  KIND  DETAIL
 *          how the script ended: STATUS is the worker's exit status; KIND is
 *          ok, exception (DETAIL: the exception's type), systemexit (DETAIL:
 *          the code as text) or interrupt (KeyboardInterrupt).
 *   error  MESSAGE
 *          the worker could not run the script at all (missing file, bad
 *          option); it exits with status 2 after sending it.
 *   profile  PATH  NFUNCS
 *          with --profile: the script's cProfile statistics are in PATH, in
 *          the pstats marshal format; NFUNCS is the number of functions in
 *          them. Sent before exit.
 *   lines  PATH  KIND  NFUNCS
 *          with --lines or --memory: the line table is in PATH (the format
 *          of core/linetab.h); KIND is time or memory; NFUNCS is the number
 *          of functions in it. Sent before exit.
 *   blas  LIBRARY
 *          the BLAS library loaded in the worker when the script ended (numpy
 *          loads one): its path as /proc/self/maps names it. Sent before
 *          exit, and only when one is loaded.
 *   timeit  NUMBER  TIMES
 *          proflab.timings(number, times): a timing of NUMBER loops per run;
 *          TIMES the seconds of each run, separated by spaces ("%.9e").
 *   cputime  WALL  USER  SYS  DISPLAY
 *          the console's %time: the statement's wall, user and sys seconds
 *          ("%.9f"), and what echoing its value printed ("" for none), which
 *          IPython shows after the times. (Output written after a record
 *          could overtake it, on another pipe: a request writes none.)
 *   memit  PEAK  BASELINE
 *          the console's %memit: the resident peak while the statement ran and
 *          the resident size before it, in bytes.
 *   done  ID  KIND  DETAIL
 *          the console worker finished request ID. KIND is ok, exception
 *          (DETAIL: the exception's type; the traceback went to stderr),
 *          interrupt, systemexit (DETAIL: the code as text) or error (DETAIL:
 *          one line on why the request could not run, e.g. a -f that names
 *          nothing). Every output byte of the request was written before it.
 *
 * Record types, front end to console worker (`proflab-worker --console`,
 * on its request fd):
 *   run  ID  MAGIC  ARGS  SOURCE
 *          run SOURCE in the console's namespace. MAGIC is none (as typed at
 *          the prompt: the last expression statement's value is echoed),
 *          time, timeit, prun, lprun, memit or mprun; ARGS are its words,
 *          separated by newlines (see worker/console.h).
 */
enum chan_type {
	CHAN_HELLO,
	CHAN_MARK,
	CHAN_EXIT,
	CHAN_ERROR,
	CHAN_PROFILE,
	CHAN_LINES,
	CHAN_BLAS,
	CHAN_TIMEIT,
	CHAN_CPUTIME,
	CHAN_MEMIT,
	CHAN_DONE,
	CHAN_RUN,
	CHAN_NTYPES
};

struct chan_type_def {
	const char *name;
	int nfields; /* fields after the type name */
};

extern const struct chan_type_def chan_types[CHAN_NTYPES];

/* Environment variable through which a worker learns its channel's fd. */
#define CHAN_FD_ENV "PROFLAB_CHANNEL_FD"

/* One decoded record; owns its fields. */
struct chan_msg {
	enum chan_type type;
	int nfields;
	char **fields; /* unescaped, NUL-terminated; fields[0] is the first after the type */
};

void chan_msg_free(struct chan_msg *msg);

/* Appends the escaped form of s to out. */
void chan_escape(struct buf *out, const char *s);
/*
 * Unescapes len bytes of s into a new string (caller frees); NULL and a cause
 * (caller frees) on a bad escape.
 */
char *chan_unescape(const char *s, size_t len, char **cause);

/* Appends one whole record, newline included. n must match the type. */
void chan_encode(struct buf *out, enum chan_type type, const char *const *fields, int n);

/* Splits a byte stream into records. */
struct chan_reader {
	struct buf in;
	unsigned long line; /* records read so far, for error messages */
};

void chan_reader_init(struct chan_reader *r);
void chan_reader_free(struct chan_reader *r);
void chan_reader_feed(struct chan_reader *r, const void *data, size_t len);
/*
 * Takes the next complete record: 1 and *msg filled (caller frees with
 * chan_msg_free); 0 when no complete line is buffered; -1 with *cause (caller
 * frees) when the line was malformed, in which case it has been skipped.
 */
int chan_reader_next(struct chan_reader *r, struct chan_msg *msg, char **cause);
/* Bytes of an unterminated last line, for reporting at EOF. */
size_t chan_reader_pending(const struct chan_reader *r);

#endif
