/*
 * Timer-driven sampling (see recorder.h). The end of the process is noticed
 * at once through a pidfd where the kernel has them, else at the next
 * reading.
 */
#include "config.h"

#include "core/recorder.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "core/loop.h"
#include "core/reclog.h"
#include "core/sampler.h"

static void recorder_tick(void *arg);

static void
recorder_arm(struct recorder *r)
{
	double due = r->next * r->interval;

	if (r->duration > 0 && due >= r->duration - 1e-9) {
		r->timer = NULL;
		return;
	}
	r->timer = loop_add_timer(r->loop, r->start + due, recorder_tick, r);
}

static void
recorder_duration_end(void *arg)
{
	struct recorder *r = arg;

	r->timer = NULL;
	recorder_finish(r, RECORDER_DURATION, NULL);
}

static void
recorder_tick(void *arg)
{
	struct recorder *r = arg;
	double t = loop_now() - r->start;
	struct sample s;
	char *cause = NULL;
	unsigned long due;
	int rc;

	r->timer = NULL;
	rc = sampler_read(r->sampler, t, &s, &cause);
	if (rc == 0) {
		recorder_finish(r, RECORDER_PROCESS_ENDED, NULL);
		return;
	}
	if (rc == -1) {
		recorder_finish(r, RECORDER_ERROR, cause);
		free(cause);
		return;
	}
	recording_add_sample(&r->rec, &s);
	if (r->log != NULL && reclog_write(r->log, &s, &cause) == -1) {
		recorder_finish(r, RECORDER_ERROR, cause);
		free(cause);
		return;
	}
	/* The next deadline strictly after now; skipped ones are counted. */
	due = (unsigned long)floor(t / r->interval) + 1;
	if (due < r->next + 1)
		due = r->next + 1;
	r->missed += due - (r->next + 1);
	r->next = due;
	recorder_arm(r);
	if (r->timer == NULL)
		r->timer =
		    loop_add_timer(r->loop, r->start + r->duration, recorder_duration_end, r);
}

static void
recorder_pidfd_ready(int fd, short revents, void *arg)
{
	struct recorder *r = arg;

	recorder_finish(r, RECORDER_PROCESS_ENDED, NULL);
}

static int
recorder_pidfd_open(int pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

int
recorder_start(struct recorder *r, struct loop *l, const struct recorder_opts *o, char **cause)
{
	memset(r, 0, sizeof *r);
	r->loop = l;
	r->pidfd = -1;
	r->interval = o->interval;
	r->duration = o->duration;
	recording_init(&r->rec);
	r->sampler =
	    sampler_open(o->proc_root != NULL ? o->proc_root : "/proc", o->pid, o->children, cause);
	if (r->sampler == NULL)
		return -1;
	if (o->log_path != NULL) {
		r->log = reclog_open(o->log_path, cause);
		if (r->log == NULL) {
			sampler_free(r->sampler);
			r->sampler = NULL;
			return -1;
		}
	}
	r->start = o->start > 0 ? o->start : loop_now();
	r->end = RECORDER_RUNNING;
	r->pidfd = recorder_pidfd_open(o->pid);
	if (r->pidfd != -1)
		loop_add_fd(l, r->pidfd, POLLIN, recorder_pidfd_ready, r);
	/* The first reading now: it is the baseline of the CPU arithmetic. */
	r->next = 0;
	r->timer = loop_add_timer(l, r->start, recorder_tick, r);
	return 0;
}

void
recorder_mark(struct recorder *r, double mono, const char *label)
{
	recording_add_mark(&r->rec, mono - r->start, label);
}

void
recorder_finish(struct recorder *r, enum recorder_end why, const char *error)
{
	char *cause = NULL;

	if (r->end != RECORDER_RUNNING)
		return;
	r->end = why;
	r->end_time = loop_now() - r->start;
	if (error != NULL)
		r->error = xstrdup(error);
	if (r->timer != NULL) {
		loop_cancel_timer(r->loop, r->timer);
		r->timer = NULL;
	}
	if (r->pidfd != -1) {
		loop_remove_fd(r->loop, r->pidfd);
		close(r->pidfd);
		r->pidfd = -1;
	}
	if (r->log != NULL) {
		if (reclog_close(r->log, &cause) == -1 && r->error == NULL) {
			r->end = RECORDER_ERROR;
			r->error = cause;
		} else {
			free(cause);
		}
		r->log = NULL;
	}
	if (r->on_end != NULL)
		r->on_end(r, r->arg);
}

void
recorder_free(struct recorder *r)
{
	if (r->end == RECORDER_RUNNING) {
		r->on_end = NULL;
		recorder_finish(r, RECORDER_STOPPED, NULL);
	}
	if (r->sampler != NULL)
		sampler_free(r->sampler);
	r->sampler = NULL;
	recording_free(&r->rec);
	free(r->error);
	r->error = NULL;
}

const char *
recorder_end_name(enum recorder_end e)
{
	switch (e) {
	case RECORDER_RUNNING:
		return "running";
	case RECORDER_PROCESS_ENDED:
		return "process ended";
	case RECORDER_DURATION:
		return "duration reached";
	case RECORDER_STOPPED:
		return "stopped";
	case RECORDER_ERROR:
		return "error";
	}
	return "?";
}
