/*
 * A recorder samples one process (and, if asked, its descendants) on the
 * loop's clock: reading k is due at start + k * interval, absolute deadlines,
 * so a late reading never shifts the ones after it; a deadline already passed
 * is skipped and counted in `missed`. Every sample goes into the recording
 * and, when a log is open, to the log at once.
 *
 * The recorder owns its sampler, log and recording.
 */
#ifndef PROFLAB_CORE_RECORDER_H
#define PROFLAB_CORE_RECORDER_H

#include "core/recording.h"

struct loop;
struct loop_timer;
struct sampler;
struct reclog;

enum recorder_end {
	RECORDER_RUNNING,
	RECORDER_PROCESS_ENDED,
	RECORDER_DURATION,
	RECORDER_STOPPED,
	RECORDER_ERROR
};

struct recorder_opts {
	int pid;
	int children;
	double interval; /* seconds, > 0 */
	double duration; /* seconds; <= 0: until the process ends */
	const char *log_path; /* NULL: no log; "-": standard output */
	const char *proc_root; /* NULL: "/proc" */
	double start; /* loop_now() time of t = 0; <= 0: now */
};

struct recorder {
	struct loop *loop;
	struct sampler *sampler;
	struct reclog *log;
	struct recording rec;
	double start;
	double interval;
	double duration;
	unsigned long next; /* index of the next deadline */
	unsigned long missed;
	struct loop_timer *timer;
	int pidfd;
	enum recorder_end end;
	double end_time; /* seconds since start when it ended */
	char *error; /* set when end == RECORDER_ERROR */
	void (*on_end)(struct recorder *, void *);
	void *arg;
};

/* 0, or -1 with *cause (no such process, log not writable). */
int recorder_start(struct recorder *r, struct loop *l, const struct recorder_opts *o, char **cause);
/* A phase marker at `mono` (loop_now's clock). */
void recorder_mark(struct recorder *r, double mono, const char *label);
/* Ends the recording (once): closes the log and calls on_end. */
void recorder_finish(struct recorder *r, enum recorder_end why, const char *error);
void recorder_free(struct recorder *r);
const char *recorder_end_name(enum recorder_end e);

#endif
