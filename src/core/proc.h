/*
 * Pure parsers for the text of /proc files (no I/O, so tests feed them
 * strings). The text need not be NUL-terminated: only len bytes are read.
 * proc_parse_stat and proc_parse_statm never allocate; errors return -1 with
 * *cause set (caller frees) describing what was malformed.
 */
#ifndef PROFLAB_CORE_PROC_H
#define PROFLAB_CORE_PROC_H

#include <stddef.h>

/* The fields of /proc/PID/stat we use; times in clock ticks, vsize in bytes. */
struct proc_stat {
	int pid;
	char state;
	int ppid;
	unsigned long long utime, stime, starttime, vsize;
	long long rss_pages;
	long num_threads;
};

/* Handles a comm with spaces and ')' inside: the comm ends at the LAST ')'. */
int proc_parse_stat(const char *text, size_t len, struct proc_stat *st, char **cause);
/* The first two fields of /proc/PID/statm, in pages. */
int proc_parse_statm(const char *text, size_t len, unsigned long long *size_pages,
    unsigned long long *resident_pages, char **cause);
/*
 * A list of pids separated by white space ("12 34 56 \n", as in
 * /proc/PID/task/TID/children). *pids is NULL when the list is empty, else an
 * array the caller frees.
 */
int proc_parse_pidlist(const char *text, size_t len, int **pids, size_t *npids, char **cause);

#endif
