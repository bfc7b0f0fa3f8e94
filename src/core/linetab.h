/*
 * Line tables: what the worker's line timer (--lines) and line memory meter
 * (--memory) measured, per chosen function and line, and the text reports
 * line_profiler and memory_profiler print for the same measurements.
 *
 * The worker writes a text file, one record per line, fields separated by a
 * tab and escaped as the channel's (core/channel.h):
 *   proflab-lines  1  KIND                     first line; KIND is time or memory
 *   func  ID  FILE  NAME  QUALNAME  FIRSTLINE  CALLS
 *   src   ID  LINENO  TEXT                     the function's source block from
 *                                              FIRSTLINE, consecutive lines
 *   hit   ID  LINENO  HITS  TIME_NS            time tables
 *   mem   ID  LINENO  OCCURRENCES  INCREMENT_BYTES  MEM_BYTES   memory tables
 *   peak  BASELINE_BYTES  PEAK_BYTES           memory tables: the whole run's RSS
 *   end   NFUNCS                               last line
 * IDs count the func records from 0; a func comes before its other records.
 * Anything else is an error whose cause names the file and line.
 *
 * struct linetab owns every function, line and string in it.
 */
#ifndef PROFLAB_CORE_LINETAB_H
#define PROFLAB_CORE_LINETAB_H

#include <stddef.h>
#include <stdio.h>

enum linetab_kind { LINETAB_TIME, LINETAB_MEMORY };

struct linetab_line {
	long lineno;
	char *text; /* source text without newline; "" when there is no source */
	int measured; /* 0: the columns are blank */
	unsigned long long hits; /* time: hits; memory: occurrences */
	long long time_ns; /* time */
	long long incr; /* memory: increment in bytes (may be negative) */
	long long mem; /* memory: mem usage in bytes */
};

struct linetab_func {
	char *file, *name, *qualname;
	long firstline;
	unsigned long long calls;
	int has_source; /* src records were present */
	struct linetab_line *lines; /* has_source: one per source line; else lines from
	                             * min(firstline, first measured) to last measured */
	size_t nlines;
	long long total_ns; /* time: sum of time_ns */
	long long max_abs; /* largest |time_ns| (time) or |incr| (memory), for heat bars */
};

struct linetab {
	enum linetab_kind kind;
	struct linetab_func *funcs; /* in file order */
	size_t nfuncs;
	int has_peak;
	long long base_bytes, peak_bytes;
};

/*
 * Parses len bytes of a line table; name is the file's name for errors
 * ("NAME:LINE: ..."). 0, or -1 with *cause (caller frees) and *t empty.
 */
int linetab_parse(struct linetab *t, const char *data, size_t len, const char *name, char **cause);
/* linetab_parse of the file at path. */
int linetab_load(struct linetab *t, const char *path, char **cause);
void linetab_free(struct linetab *t);

/* line_profiler's layout; unit = output timer unit in seconds, e.g. 1e-6 */
void linetab_print_time(const struct linetab *t, double unit, FILE *f);
/* memory_profiler's layout */
void linetab_print_memory(const struct linetab *t, int precision, FILE *f);
/* %memit's line: "peak memory: %.2f MiB, increment: %.2f MiB\n" (MiB = 2^20 bytes) */
void linetab_print_peak(const struct linetab *t, FILE *f);

#endif
