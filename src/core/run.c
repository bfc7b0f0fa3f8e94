/*
 * A run of a worker or a command (see run.h). The run ends when the main
 * process has been reaped and its pipes have reached EOF; pipes kept open by
 * a descendant that escaped the process group are given up after a second.
 */
#include "config.h"

#include "core/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "core/loop.h"
#include "core/paths.h"

#define RUN_CHANNEL_FD 3
#define RUN_DRAIN_SECONDS 1.0

static void run_check_end(struct run *r);

static void
run_warn(struct run *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (r->on_warning != NULL)
		r->on_warning(r, msg, r->arg);
	free(msg);
}

static void
run_close_fd(struct run *r, int *fd)
{
	if (*fd == -1)
		return;
	loop_remove_fd(r->loop, *fd);
	close(*fd);
	*fd = -1;
}

/* A timeit record's fields into r; -1 when they are not numbers. */
static int
run_timeit_record(struct run *r, const char *number, const char *times)
{
	char *end;
	long n = strtol(number, &end, 10);
	const char *p = times;
	double *v = NULL;
	int nv = 0;

	if (*number == '\0' || *end != '\0' || n <= 0)
		return -1;
	while (*p != '\0') {
		double t = strtod(p, &end);

		if (end == p || t < 0 || (*end != ' ' && *end != '\0')) {
			free(v);
			return -1;
		}
		v = xreallocarray(v, (size_t)nv + 1, sizeof *v);
		v[nv++] = t;
		p = *end == ' ' ? end + 1 : end;
	}
	if (nv == 0)
		return -1;
	free(r->timeit_times);
	r->timeit_times = v;
	r->timeit_nruns = nv;
	r->timeit_number = n;
	return 0;
}

static void
run_handle_record(struct run *r, const struct chan_msg *m)
{
	switch (m->type) {
	case CHAN_HELLO:
		free(r->python_version);
		r->python_version = xstrdup(m->fields[1]);
		break;
	case CHAN_MARK:
		if (r->recording) {
			char *end;
			double mono = strtod(m->fields[0], &end);

			if (*end != '\0' || end == m->fields[0]) {
				r->bad_records++;
				run_warn(
				    r, "worker sent a mark with a bad time \"%s\"", m->fields[0]);
				return;
			}
			recorder_mark(&r->rec, mono, m->fields[1]);
		}
		break;
	case CHAN_EXIT:
		free(r->exit_kind);
		free(r->exit_detail);
		r->exit_kind = xstrdup(m->fields[1]);
		r->exit_detail = xstrdup(m->fields[2]);
		break;
	case CHAN_ERROR:
		free(r->worker_error);
		r->worker_error = xstrdup(m->fields[0]);
		break;
	case CHAN_PROFILE:
		r->profile_written = 1;
		break;
	case CHAN_LINES:
		r->lines_written = 1;
		break;
	case CHAN_BLAS:
		free(r->blas_library);
		r->blas_library = xstrdup(m->fields[0]);
		break;
	case CHAN_TIMEIT:
		if (run_timeit_record(r, m->fields[0], m->fields[1]) == -1) {
			r->bad_records++;
			run_warn(r, "worker sent a bad timeit record \"%s\"", m->fields[1]);
			return;
		}
		break;
	case CHAN_CPUTIME:
	case CHAN_MEMIT:
	case CHAN_DONE:
	case CHAN_RUN:
	case CHAN_NTYPES:
		break;
	}
	if (r->on_record != NULL)
		r->on_record(r, m, r->arg);
}

static void run_output_ready(int fd, short revents, void *arg);

/*
 * Reads what the output pipes hold now. The worker writes its output before
 * the record that follows it, so draining first keeps the two in order.
 */
static void
run_drain_output(struct run *r)
{
	for (int i = 0; i < 64; i++) {
		struct pollfd p[2];
		int n = 0;

		if (r->child.out_fd != -1)
			p[n++] = (struct pollfd){.fd = r->child.out_fd, .events = POLLIN};
		if (r->child.err_fd != -1)
			p[n++] = (struct pollfd){.fd = r->child.err_fd, .events = POLLIN};
		if (n == 0 || poll(p, (nfds_t)n, 0) <= 0)
			return;
		for (int k = 0; k < n; k++) {
			if (p[k].revents != 0)
				run_output_ready(p[k].fd, p[k].revents, r);
		}
	}
}

static void
run_chan_ready(int fd, short revents, void *arg)
{
	struct run *r = arg;
	struct chan_msg m;
	char data[8192], *cause;
	ssize_t n;
	int rc;

	n = read(fd, data, sizeof data);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (chan_reader_pending(&r->chan) != 0) {
			r->bad_records++;
			run_warn(r, "worker channel ended in the middle of a record");
		}
		run_close_fd(r, &r->child.chan_fd);
		run_check_end(r);
		return;
	}
	chan_reader_feed(&r->chan, data, (size_t)n);
	for (;;) {
		cause = NULL;
		rc = chan_reader_next(&r->chan, &m, &cause);
		if (rc == 0)
			break;
		if (rc == -1) {
			r->bad_records++;
			run_warn(r, "skipped a bad worker record: %s", cause);
			free(cause);
			continue;
		}
		run_drain_output(r);
		run_handle_record(r, &m);
		chan_msg_free(&m);
	}
}

static void
run_output_ready(int fd, short revents, void *arg)
{
	struct run *r = arg;
	int stream = fd == r->child.out_fd ? 1 : 2;
	char data[65536];
	ssize_t n;

	n = read(fd, data, sizeof data);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		run_close_fd(r, stream == 1 ? &r->child.out_fd : &r->child.err_fd);
		run_check_end(r);
		return;
	}
	if (r->on_output != NULL)
		r->on_output(r, stream, data, (size_t)n, r->arg);
}

static void
run_drain_timeout(void *arg)
{
	struct run *r = arg;

	r->drain_timer = NULL;
	run_close_fd(r, &r->child.out_fd);
	run_close_fd(r, &r->child.err_fd);
	run_close_fd(r, &r->child.chan_fd);
	run_check_end(r);
}

static void
run_check_end(struct run *r)
{
	if (r->state == RUN_ENDED || !r->reaped)
		return;
	if (r->child.out_fd != -1 || r->child.err_fd != -1 || r->child.chan_fd != -1) {
		if (r->drain_timer == NULL)
			r->drain_timer = loop_add_timer(
			    r->loop, loop_now() + RUN_DRAIN_SECONDS, run_drain_timeout, r);
		return;
	}
	if (r->drain_timer != NULL) {
		loop_cancel_timer(r->loop, r->drain_timer);
		r->drain_timer = NULL;
	}
	if (r->kill_timer != NULL) {
		loop_cancel_timer(r->loop, r->kill_timer);
		r->kill_timer = NULL;
	}
	if (r->recording)
		recorder_finish(&r->rec, RECORDER_PROCESS_ENDED, NULL);
	r->state = RUN_ENDED;
	if (r->on_end != NULL)
		r->on_end(r, r->arg);
}

static void run_forget(struct run *r);

static void
run_sigchld(int signo, void *arg)
{
	struct run *r = arg;
	char *cause = NULL;
	int rc;

	if (r->reaped || r->child.pid <= 0)
		return;
	rc = spawn_reap(&r->child, 0, &r->status, &cause);
	if (rc == -1) {
		run_warn(r, "%s", cause);
		free(cause);
		return;
	}
	if (rc == 0)
		return;
	r->reaped = 1;
	run_forget(r);
	/* Whatever the script left in its process group goes with it. */
	spawn_kill_group(&r->child, SIGKILL);
	if (r->recording)
		recorder_finish(&r->rec, RECORDER_PROCESS_ENDED, NULL);
	run_check_end(r);
}

/*
 * Every run that has a child to reap, so one SIGCHLD handler serves them all
 * (the lab's run and the console's worker live at the same time).
 */
static struct run **run_active;
static size_t run_nactive;

static void
run_sigchld_all(int signo, void *arg)
{
	/* A run's callbacks may end or start runs: walk a copy. */
	size_t n = run_nactive;
	struct run **copy = xcalloc(n + 1, sizeof *copy);

	memcpy(copy, run_active, n * sizeof *copy);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < run_nactive; k++) {
			if (run_active[k] == copy[i]) {
				run_sigchld(signo, copy[i]);
				break;
			}
		}
	}
	free(copy);
}

static void
run_forget(struct run *r)
{
	for (size_t i = 0; i < run_nactive; i++) {
		if (run_active[i] == r) {
			run_active[i] = run_active[--run_nactive];
			break;
		}
	}
	if (run_nactive == 0) {
		free(run_active);
		run_active = NULL;
	}
}

/* Kills the group and waits for the main process, where the run is given up. */
static void
run_kill_and_reap(struct run *r)
{
	char *cause = NULL;

	spawn_kill_group(&r->child, SIGKILL);
	if (spawn_reap(&r->child, 1, &r->status, &cause) == 1)
		r->reaped = 1;
	run_forget(r);
	free(cause);
}

static void
run_kill_timeout(void *arg)
{
	struct run *r = arg;

	r->kill_timer = NULL;
	r->stop_requested = 2;
	spawn_kill_group(&r->child, SIGKILL);
}

void
run_stop(struct run *r)
{
	if (r->state == RUN_ENDED || r->reaped)
		return;
	if (r->stop_requested == 0) {
		r->stop_requested = 1;
		r->state = RUN_STOPPING;
		kill(r->child.pid, SIGINT);
		r->kill_timer = loop_add_timer(r->loop, loop_now() + r->grace, run_kill_timeout, r);
		return;
	}
	if (r->kill_timer != NULL) {
		loop_cancel_timer(r->loop, r->kill_timer);
		r->kill_timer = NULL;
	}
	r->stop_requested = 2;
	spawn_kill_group(&r->child, SIGKILL);
}

int
run_start(struct run *r, struct loop *l, const struct run_opts *o, char **cause)
{
	struct spawn_opts so;
	char **argv = NULL, *pdeath = NULL;
	const char *env[2] = {NULL, NULL};
	size_t n = 0;
	int rc;

	r->loop = l;
	r->state = RUN_STARTING;
	r->grace = o->grace > 0 ? o->grace : 2.0;
	r->child.pid = -1;
	r->child.out_fd = r->child.err_fd = r->child.chan_fd = -1;
	chan_reader_init(&r->chan);
	memset(&so, 0, sizeof so);
	if (o->argv == NULL && o->console) {
		argv = xcalloc(8, sizeof *argv);
		argv[0] = (char *)paths_worker();
		argv[1] = (char *)"--channel-fd";
		argv[2] = (char *)"3";
		argv[3] = (char *)"--console";
		argv[4] = (char *)"--request-fd";
		argv[5] = (char *)"4";
		so.argv = argv;
		so.channel_fd = RUN_CHANNEL_FD;
		so.request_fd = 4;
		pdeath = xstrdup("PROFLAB_PDEATHSIG=1");
		env[0] = pdeath;
		so.env = env;
		r->is_worker = 1;
	} else if (o->argv == NULL) {
		size_t nfuncs = 0;

		for (char *const *a = o->script_args; a != NULL && *a != NULL; a++)
			n++;
		for (char *const *f = o->lines_funcs; f != NULL && *f != NULL; f++)
			nfuncs++;
		size_t a = 0;

		argv = xcalloc(n + 2 * nfuncs + 11, sizeof *argv);
		argv[a++] = (char *)paths_worker();
		argv[a++] = (char *)"--channel-fd";
		argv[a++] = (char *)"3";
		if (o->interactive)
			argv[a++] = (char *)"--interactive";
		if (o->profile_out != NULL) {
			argv[a++] = (char *)"--profile";
			argv[a++] = (char *)o->profile_out;
		}
		if (o->lines_out != NULL) {
			argv[a++] = (char *)(o->lines_memory ? "--memory" : "--lines");
			argv[a++] = (char *)o->lines_out;
			for (size_t i = 0; i < nfuncs; i++) {
				argv[a++] = (char *)"--func";
				argv[a++] = o->lines_funcs[i];
			}
		}
		argv[a++] = (char *)"--";
		argv[a++] = (char *)o->script;
		for (size_t i = 0; i < n; i++)
			argv[a++] = o->script_args[i];
		so.argv = argv;
		so.channel_fd = RUN_CHANNEL_FD;
		pdeath = xstrdup("PROFLAB_PDEATHSIG=1");
		env[0] = pdeath;
		so.env = env;
		r->is_worker = 1;
	} else {
		so.argv = o->argv;
	}
	so.capture_output = o->capture_output;
	so.cwd = o->cwd;
	so.keep_stdin = o->keep_stdin && !isatty(STDIN_FILENO);
	so.pdeathsig = 1;
	if (loop_add_signal(l, SIGCHLD, run_sigchld_all, NULL, cause) == -1) {
		free(argv);
		free(pdeath);
		return -1;
	}
	rc = spawn_start(&so, &r->child, cause);
	free(argv);
	/* putenv in the child kept the string; the parent's copy can go. */
	free(pdeath);
	if (rc == -1)
		return -1;
	r->state = RUN_RUNNING;
	run_active = xreallocarray(run_active, run_nactive + 1, sizeof *run_active);
	run_active[run_nactive++] = r;
	if (r->child.out_fd != -1) {
		loop_add_fd(l, r->child.out_fd, POLLIN, run_output_ready, r);
		loop_add_fd(l, r->child.err_fd, POLLIN, run_output_ready, r);
	}
	if (r->child.chan_fd != -1)
		loop_add_fd(l, r->child.chan_fd, POLLIN, run_chan_ready, r);
	if (o->record) {
		struct recorder_opts ro = o->rec;

		ro.pid = (int)r->child.pid;
		ro.start = r->child.start;
		if (recorder_start(&r->rec, l, &ro, cause) == -1) {
			run_kill_and_reap(r);
			spawn_close(&r->child);
			r->state = RUN_ENDED;
			return -1;
		}
		r->recording = 1;
	}
	/* A child that ended before SIGCHLD was routed is reaped here. */
	run_sigchld(SIGCHLD, r);
	return 0;
}

char *
run_describe(const struct run *r)
{
	if (!r->reaped)
		return xstrdup("is running");
	if (r->stop_requested == 2 && !r->status.exited && r->status.signo == SIGKILL)
		return xasprintf("was stopped (killed after %.1f s of grace)", r->grace);
	if (!r->status.exited && r->status.signo == SIGINT)
		return xstrdup("was interrupted (KeyboardInterrupt)");
	return spawn_describe(&r->status);
}

int
run_exit_code(const struct run *r)
{
	return spawn_exit_code(&r->status);
}

void
run_free(struct run *r)
{
	if (r->state != RUN_ENDED && r->child.pid > 0 && !r->reaped) {
		run_kill_and_reap(r);
	}
	run_forget(r);
	if (r->kill_timer != NULL)
		loop_cancel_timer(r->loop, r->kill_timer);
	if (r->drain_timer != NULL)
		loop_cancel_timer(r->loop, r->drain_timer);
	r->kill_timer = r->drain_timer = NULL;
	if (r->child.out_fd != -1)
		loop_remove_fd(r->loop, r->child.out_fd);
	if (r->child.err_fd != -1)
		loop_remove_fd(r->loop, r->child.err_fd);
	if (r->child.chan_fd != -1)
		loop_remove_fd(r->loop, r->child.chan_fd);
	spawn_close(&r->child);
	if (r->recording)
		recorder_free(&r->rec);
	chan_reader_free(&r->chan);
	free(r->python_version);
	free(r->blas_library);
	free(r->timeit_times);
	free(r->exit_kind);
	free(r->exit_detail);
	free(r->worker_error);
}
