/*
 * The run history: every run of a script (`proflab run`, `profile`, `lines`,
 * `memory`) appends one line of JSON to $XDG_STATE_HOME/proflab/history.jsonl
 * (default ~/.local/state/proflab/), with its wall, user and sys time, peak
 * memory, exit status and the machine's fingerprint, so that a later run of
 * the same script can say what changed ("7.09 s -> 2.10 s, 3.4x faster;
 * peak 512 -> 130 MB") and an instrumented run what its instrument cost
 * against the plain runs ("line timer on: 2.3x the plain run").
 *
 * A struct history owns its entries and every string in them.
 */
#ifndef PROFLAB_CORE_HISTORY_H
#define PROFLAB_CORE_HISTORY_H

#include "base/buf.h"

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
 * h->skipped. -1 with *cause when the file cannot be read.
 */
int history_load(const char *path, const char *script, struct history *h, char **cause);
void history_free(struct history *h);
void history_entry_free(struct history_entry *e);

/* The latest entry before index `upto` with the same script, arguments, kind and machine that
 * ended with status 0; -1 when there is none. */
int history_baseline(const struct history *h, int upto, const struct history_entry *now);
/* "7.09 s -> 2.10 s, 3.4x faster; peak 512.0 -> 130.0 MB" */
void history_format_change(
    struct buf *b, const struct history_entry *before, const struct history_entry *now);
/*
 * For an instrumented run: "line timer on: 2.3x the plain run (7.09 s against
 * 3.08 s, the median of 4)", against the plain runs before index upto with the
 * same script, arguments and machine; 0, or -1 (nothing appended) without any.
 */
int history_format_overhead(
    struct buf *b, const struct history *h, int upto, const struct history_entry *now);
/* The table `proflab history` prints, oldest first. */
void history_format_table(struct buf *b, const struct history *h);

#endif
