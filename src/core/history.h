/*
 * The run history: every run of a script (`proflab run`, `profile`, `lines`,
 * `memory`, and the lab's runs of the same kinds) appends one line of JSON to
 * $XDG_STATE_HOME/proflab/history.jsonl (default ~/.local/state/proflab/),
 * with its wall, user and sys time, peak memory, exit status, the machine's
 * fingerprint and, for a profiled run, its top functions by internal time,
 * so that a later run of the same script can say what changed ("7.09 s ->
 * 2.10 s, 3.4x faster; peak 512 -> 130 MB", "top: compute.py:12(slow)
 * 3.200 s -> 0.800 s") and an instrumented run what its instrument cost
 * against the plain runs ("line timer on: 2.3x the plain run").
 *
 * A struct history owns its entries and every string in them.
 */
#ifndef PROFLAB_CORE_HISTORY_H
#define PROFLAB_CORE_HISTORY_H

#include "base/buf.h"

struct prof;
struct run;
struct run_opts;

/* How many functions a profiled run keeps. */
#define HISTORY_TOP 5

/* One of a profiled run's top functions, as pstats prints it after strip_dirs(). */
struct history_func {
	char *name; /* "compute.py:12(slow)" (the file's base name), "{built-in method ...}" */
	long long ncalls; /* all calls */
	long long pcalls; /* primitive calls; pstats prints "ncalls/pcalls" when they differ */
	double tottime; /* seconds inside the function itself */
	double cumtime; /* seconds including its callees */
};

struct history_entry {
	char *time; /* "2026-11-25T03:00:00Z" */
	char *script; /* absolute path */
	char *args; /* the arguments, joined by spaces */
	char *kind; /* "run", "profile", "lines" or "memory" */
	int status;
	double wall; /* seconds */
	double user;
	double sys;
	double peak_mb; /* resident, MB (2^20 bytes); < 0 unknown */
	char *machine_id; /* the fingerprint's 8 hex digits, or NULL */
	char *machine; /* its words, or NULL */
	struct history_func *top; /* a profiled run's top functions by tottime, or NULL */
	int ntop;
};

struct history {
	struct history_entry *entries; /* oldest first */
	int n;
	int skipped; /* malformed lines left out */
};

/* $XDG_STATE_HOME/proflab/history.jsonl (or under ~/.local/state); NULL with *cause. */
char *history_path(char **cause);
/* Appends e as one line (creating the folders and the file); -1 with *cause naming the file. */
int history_append(const char *path, const struct history_entry *e, char **cause);
/*
 * Reads the entries of script (NULL: all) from path into h (a missing file
 * is an empty history); lines that are not entries are counted in
 * h->skipped, a "top" member that is not a list of functions is left out.
 * -1 with *cause when the file cannot be read.
 */
int history_load(const char *path, const char *script, struct history *h, char **cause);
void history_free(struct history *h);
void history_entry_free(struct history_entry *e);

/* A script argument's absolute path, as the history keys runs (caller frees). */
char *history_script(const char *script);
/* e's top functions: profile p's HISTORY_TOP first by internal time, directories stripped. */
void history_set_top(struct history_entry *e, const struct prof *p);
/*
 * The entry of the ended run r of o (a worker run of a script: `run`, or
 * with o->profile_out, o->lines_out), with the exit status its command gives
 * it: now, the absolute script, its arguments, kind, times, peak memory, the
 * fingerprint (a recorded run's own, else the machine read now), the peak
 * (the worker's own largest resident size, or a recording's peak of its
 * whole process tree when that is larger), and for a
 * profiled run the top functions of the pstats file o->profile_out (none when
 * it cannot be read). -1 (e empty) for a run the history does not keep: a
 * command, a script typed at >>> (o->interactive), a run that never ended or
 * that the worker refused to start. Caller frees e with history_entry_free.
 */
int history_entry_from_run(
    struct history_entry *e, const struct run *r, const struct run_opts *o, int status);
/*
 * Keeps e in the history at path. When e's run succeeded (status 0), first
 * appends to notes what it says against the earlier runs: lines starting
 * with "proflab: ", each ending in a newline, "since the last run: ...",
 * "top: ..." and the instrument's cost (a failed run proves nothing and says
 * nothing). 0, or -1 with *cause when e could not be written (the notes are
 * made all the same).
 */
int history_keep(const char *path, const struct history_entry *e, struct buf *notes, char **cause);
/*
 * Both of the above, what every command and the lab do when a run ends: 1
 * when the run was kept, 0 when it is not one the history keeps or there is
 * no state folder to keep it in (neither XDG_STATE_HOME nor HOME), -1 with
 * *cause ("cannot write PATH: ...") when it could not be written.
 */
int history_record_run(
    const struct run *r, const struct run_opts *o, int status, struct buf *notes, char **cause);

/* The latest entry before index `upto` with the same script, arguments, kind and machine that
 * ended with status 0; -1 when there is none. */
int history_baseline(const struct history *h, int upto, const struct history_entry *now);
/* 1 when a and b ran the same script with the same arguments on the same machine. */
int history_comparable(const struct history_entry *a, const struct history_entry *b);
/* "7.09 s -> 2.10 s, 3.4x faster; peak 512.0 -> 130.0 MB" */
void history_format_change(
    struct buf *b, const struct history_entry *before, const struct history_entry *now);
/* "3.4x faster", "1.2x slower", "about the same" (wall time), or nothing when a time is 0. */
void history_format_speed(
    struct buf *b, const struct history_entry *before, const struct history_entry *now);
/*
 * How the top function changed: "top: compute.py:12(slow) 3.200 s -> 0.800 s"
 * when both runs have the same one; when it is another function, "top:
 * compute.py:30(fast) 0.800 s, was compute.py:12(slow) 3.200 s -> 0.100 s"
 * (or "-> out of the top 5" when the old one is no longer among the new run's
 * top functions). 0, or -1 (nothing appended) unless both runs have top
 * functions.
 */
int history_format_top_change(
    struct buf *b, const struct history_entry *before, const struct history_entry *now);
/*
 * For an instrumented run: "line timer on: 2.3x the plain run (7.09 s against
 * 3.08 s, the median of 4)", against the plain runs before index upto with the
 * same script, arguments and machine; 0, or -1 (nothing appended) without any.
 */
int history_format_overhead(
    struct buf *b, const struct history *h, int upto, const struct history_entry *now);
/* e's time as "2026-11-25 03:00:00" (UTC), or "?" */
void history_format_when(char *out, size_t size, const struct history_entry *e);
/* pstats' ncalls column: "20", or "3193/1" for a recursive function. */
void history_format_calls(char *out, size_t size, const struct history_func *f);
/*
 * The table `proflab history` prints, oldest first; under a profiled run,
 * its top functions in pstats' columns (ncalls, tottime, cumtime, name).
 */
void history_format_table(struct buf *b, const struct history *h);

#endif
