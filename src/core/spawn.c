/*
 * fork+exec of children (see spawn.h). Between fork and exec the child only
 * makes async-signal-safe calls; an exec error travels back through a
 * close-on-exec pipe as an errno value.
 */
#include "config.h"

#include "core/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "base/xmalloc.h"
#include "core/loop.h"

static void
spawn_child_fail(int errfd, int stage)
{
	int msg[2] = {stage, errno};
	ssize_t rc;

	do
		rc = write(errfd, msg, sizeof msg);
	while (rc == -1 && errno == EINTR);
	_exit(127);
}

static void
spawn_close_pair(int p[2])
{
	for (int i = 0; i < 2; i++) {
		if (p[i] != -1)
			close(p[i]);
		p[i] = -1;
	}
}

/* In the child: fd `from` becomes `to`, without close-on-exec. */
static int
spawn_move_fd(int from, int to)
{
	if (from == to)
		return fcntl(to, F_SETFD, 0);
	return dup2(from, to) == -1 ? -1 : 0;
}

int
spawn_start(const struct spawn_opts *o, struct child *c, char **cause)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, chan[2] = {-1, -1}, req[2] = {-1, -1};
	int status[2] = {-1, -1}, nullfd = -1, msg[2];
	sigset_t all, old;
	ssize_t n;
	pid_t pid;

	c->pid = -1;
	c->out_fd = c->err_fd = c->chan_fd = c->req_fd = -1;
	if (pipe2(status, O_CLOEXEC) == -1 ||
	    (o->capture_output && (pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1)) ||
	    (o->channel_fd > 2 && pipe2(chan, O_CLOEXEC) == -1) ||
	    (o->request_fd > 2 && pipe2(req, O_CLOEXEC) == -1)) {
		*cause = xasprintf("cannot create pipes: %s", strerror(errno));
		goto fail;
	}
	if (!o->keep_stdin && (nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = xasprintf("cannot open /dev/null: %s", strerror(errno));
		goto fail;
	}
	/* Block signals so no handler of ours runs in the child before exec. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	c->start = loop_now();
	pid = fork();
	if (pid == -1) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		*cause = xasprintf("cannot fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		static const int dfl[] = {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGWINCH, SIGQUIT,
		    SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU};
		sigset_t none;

		for (size_t i = 0; i < sizeof dfl / sizeof dfl[0]; i++)
			signal(dfl[i], SIG_DFL);
		if (setpgid(0, 0) == -1)
			spawn_child_fail(status[1], 1);
#if defined(HAVE_PRCTL) && defined(PR_SET_PDEATHSIG)
		if (o->pdeathsig && prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
			spawn_child_fail(status[1], 1);
#endif
		if (nullfd != -1 && spawn_move_fd(nullfd, 0) == -1)
			spawn_child_fail(status[1], 1);
		if (o->capture_output &&
		    (spawn_move_fd(out[1], 1) == -1 || spawn_move_fd(err[1], 2) == -1))
			spawn_child_fail(status[1], 1);
		/* Out of the way first, so moving one cannot overwrite the other. */
		if (chan[1] != -1 && (chan[1] = fcntl(chan[1], F_DUPFD_CLOEXEC, 100)) == -1)
			spawn_child_fail(status[1], 1);
		if (req[0] != -1 && (req[0] = fcntl(req[0], F_DUPFD_CLOEXEC, 100)) == -1)
			spawn_child_fail(status[1], 1);
		if (chan[1] != -1 && spawn_move_fd(chan[1], o->channel_fd) == -1)
			spawn_child_fail(status[1], 1);
		if (req[0] != -1 && spawn_move_fd(req[0], o->request_fd) == -1)
			spawn_child_fail(status[1], 1);
		if (o->cwd != NULL && chdir(o->cwd) == -1)
			spawn_child_fail(status[1], 3);
		for (const char *const *e = o->env; e != NULL && *e != NULL; e++) {
			if (putenv((char *)*e) != 0)
				spawn_child_fail(status[1], 1);
		}
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(o->argv[0], o->argv);
		spawn_child_fail(status[1], 2);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* Also from the parent, so the group exists before we ever signal it. */
	setpgid(pid, pid);
	close(status[1]);
	status[1] = -1;
	do
		n = read(status[0], msg, sizeof msg);
	while (n == -1 && errno == EINTR);
	close(status[0]);
	status[0] = -1;
	if (n == (ssize_t)sizeof msg) {
		waitpid(pid, NULL, 0);
		if (msg[0] == 2)
			*cause = xasprintf("cannot run %s: %s", o->argv[0], strerror(msg[1]));
		else if (msg[0] == 3)
			*cause = xasprintf("cannot enter %s: %s", o->cwd, strerror(msg[1]));
		else
			*cause = xasprintf("cannot set up %s: %s", o->argv[0], strerror(msg[1]));
		goto fail;
	}
	if (nullfd != -1)
		close(nullfd);
	c->pid = pid;
	if (o->capture_output) {
		close(out[1]);
		close(err[1]);
		c->out_fd = out[0];
		c->err_fd = err[0];
	}
	if (chan[0] != -1) {
		close(chan[1]);
		c->chan_fd = chan[0];
	}
	if (req[1] != -1) {
		close(req[0]);
		c->req_fd = req[1];
	}
	return 0;

fail:
	spawn_close_pair(out);
	spawn_close_pair(err);
	spawn_close_pair(chan);
	spawn_close_pair(req);
	spawn_close_pair(status);
	if (nullfd != -1)
		close(nullfd);
	return -1;
}

int
spawn_reap(struct child *c, int block, struct child_status *st, char **cause)
{
	int wstatus;
	pid_t pid;

	memset(st, 0, sizeof *st);
	do
		pid = wait4(c->pid, &wstatus, block ? 0 : WNOHANG, &st->ru);
	while (pid == -1 && errno == EINTR);
	if (pid == -1) {
		*cause =
		    xasprintf("cannot wait for process %ld: %s", (long)c->pid, strerror(errno));
		return -1;
	}
	if (pid == 0)
		return 0;
	st->real = loop_now() - c->start;
	if (WIFEXITED(wstatus)) {
		st->exited = 1;
		st->code = WEXITSTATUS(wstatus);
	} else if (WIFSIGNALED(wstatus)) {
		st->signo = WTERMSIG(wstatus);
#ifdef WCOREDUMP
		st->core_dumped = WCOREDUMP(wstatus) != 0;
#endif
	}
	return 1;
}

void
spawn_kill_group(const struct child *c, int signo)
{
	if (c->pid > 0)
		kill(-c->pid, signo);
}

char *
spawn_describe(const struct child_status *st)
{
	if (st->exited)
		return xasprintf("exited with status %d", st->code);
	return xasprintf("was killed by signal %d (%s)%s", st->signo, strsignal(st->signo),
	    st->core_dumped ? ", core dumped" : "");
}

int
spawn_exit_code(const struct child_status *st)
{
	return st->exited ? st->code : 128 + st->signo;
}

void
spawn_close(struct child *c)
{
	int *fds[] = {&c->out_fd, &c->err_fd, &c->chan_fd, &c->req_fd};

	for (size_t i = 0; i < 4; i++) {
		if (*fds[i] != -1)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
