/*
 * The event loop (see loop.h). Descriptors live in an array parallel to the
 * pollfd array handed to ppoll; removal during dispatch only marks an entry
 * dead, and dead entries are compacted after the pass. Timers are a short
 * unsorted list: the loop never holds more than a handful.
 */
#include "config.h"

#include "core/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"

struct loop_fd {
	int fd;
	short events;
	int dead;
	loop_fd_cb cb;
	void *arg;
};

struct loop_timer {
	double when;
	loop_timer_cb cb;
	void *arg;
	struct loop_timer *next;
};

struct loop_sig {
	int signo;
	loop_signal_cb cb;
	void *arg;
	struct sigaction old;
};

struct loop {
	struct loop_fd *fds;
	size_t nfds, capfds;
	struct pollfd *pfds;
	int dispatching;
	struct loop_timer *timers;
	struct loop_sig sigs[16];
	size_t nsigs;
	int stopped;
};

static int loop_sigpipe[2] = {-1, -1};

double
loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct loop *
loop_new(void)
{
	return xcalloc(1, sizeof(struct loop));
}

void
loop_free(struct loop *l)
{
	struct loop_timer *t, *next;

	if (l == NULL)
		return;
	for (size_t i = 0; i < l->nsigs; i++)
		sigaction(l->sigs[i].signo, &l->sigs[i].old, NULL);
	if (l->nsigs != 0 && loop_sigpipe[0] != -1) {
		close(loop_sigpipe[0]);
		close(loop_sigpipe[1]);
		loop_sigpipe[0] = loop_sigpipe[1] = -1;
	}
	for (t = l->timers; t != NULL; t = next) {
		next = t->next;
		free(t);
	}
	free(l->fds);
	free(l->pfds);
	free(l);
}

void
loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	if (l->nfds == l->capfds) {
		l->capfds = l->capfds == 0 ? 8 : l->capfds * 2;
		l->fds = xreallocarray(l->fds, l->capfds, sizeof *l->fds);
		l->pfds = xreallocarray(l->pfds, l->capfds, sizeof *l->pfds);
	}
	l->fds[l->nfds++] = (struct loop_fd){fd, events, 0, cb, arg};
}

static struct loop_fd *
loop_find_fd(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd == fd && !l->fds[i].dead)
			return &l->fds[i];
	}
	return NULL;
}

void
loop_set_events(struct loop *l, int fd, short events)
{
	struct loop_fd *lf = loop_find_fd(l, fd);

	if (lf != NULL)
		lf->events = events;
}

static void
loop_compact(struct loop *l)
{
	size_t j = 0;

	for (size_t i = 0; i < l->nfds; i++) {
		if (!l->fds[i].dead)
			l->fds[j++] = l->fds[i];
	}
	l->nfds = j;
}

void
loop_remove_fd(struct loop *l, int fd)
{
	struct loop_fd *lf = loop_find_fd(l, fd);

	if (lf == NULL)
		return;
	lf->dead = 1;
	if (!l->dispatching)
		loop_compact(l);
}

struct loop_timer *
loop_add_timer(struct loop *l, double when, loop_timer_cb cb, void *arg)
{
	struct loop_timer *t = xmalloc(sizeof *t);

	t->when = when;
	t->cb = cb;
	t->arg = arg;
	t->next = l->timers;
	l->timers = t;
	return t;
}

void
loop_cancel_timer(struct loop *l, struct loop_timer *t)
{
	for (struct loop_timer **pp = &l->timers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			free(t);
			return;
		}
	}
}

static void
loop_signal_handler(int signo)
{
	int saved = errno;
	unsigned char c = (unsigned char)signo;

	if (write(loop_sigpipe[1], &c, 1) == -1) {
		/* The pipe is full: signals are already pending in it. */
	}
	errno = saved;
}

static void
loop_signal_read(int fd, short revents, void *arg)
{
	struct loop *l = arg;
	unsigned char sigs[64];
	ssize_t n;

	while ((n = read(fd, sigs, sizeof sigs)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			for (size_t j = 0; j < l->nsigs; j++) {
				if (l->sigs[j].signo == sigs[i])
					l->sigs[j].cb(sigs[i], l->sigs[j].arg);
			}
		}
	}
}

int
loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *arg, char **cause)
{
	struct sigaction sa;

	/* A signal routed again gets the new callback (one run after another). */
	for (size_t i = 0; i < l->nsigs; i++) {
		if (l->sigs[i].signo == signo) {
			l->sigs[i].cb = cb;
			l->sigs[i].arg = arg;
			return 0;
		}
	}
	if (l->nsigs == sizeof l->sigs / sizeof l->sigs[0])
		fatalx("too many signals in the loop");
	if (loop_sigpipe[0] == -1) {
		if (pipe2(loop_sigpipe, O_CLOEXEC | O_NONBLOCK) == -1) {
			*cause = xasprintf("cannot create the signal pipe: %s", strerror(errno));
			return -1;
		}
		loop_add_fd(l, loop_sigpipe[0], POLLIN, loop_signal_read, l);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = loop_signal_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	l->sigs[l->nsigs].signo = signo;
	l->sigs[l->nsigs].cb = cb;
	l->sigs[l->nsigs].arg = arg;
	if (sigaction(signo, &sa, &l->sigs[l->nsigs].old) == -1) {
		*cause = xasprintf("cannot catch signal %d: %s", signo, strerror(errno));
		return -1;
	}
	l->nsigs++;
	return 0;
}

static int
loop_fire_timers(struct loop *l)
{
	double now = loop_now();
	struct loop_timer **pp, *t;
	int fired = 0;

	/* One due timer at a time: a callback may add or cancel others. */
	for (;;) {
		for (pp = &l->timers; *pp != NULL; pp = &(*pp)->next) {
			if ((*pp)->when <= now)
				break;
		}
		if (*pp == NULL)
			return fired;
		t = *pp;
		*pp = t->next;
		t->cb(t->arg);
		free(t);
		fired++;
	}
}

int
loop_once(struct loop *l, double timeout, char **cause)
{
	struct timespec ts, *tsp = NULL;
	double wait = timeout, now;
	size_t n = l->nfds;
	int rc;

	if (l->timers != NULL) {
		double first = l->timers->when;

		for (struct loop_timer *t = l->timers; t != NULL; t = t->next) {
			if (t->when < first)
				first = t->when;
		}
		now = loop_now();
		if (first - now < 0)
			first = now;
		if (wait < 0 || first - now < wait)
			wait = first - now;
	}
	if (wait >= 0) {
		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - floor(wait)) * 1e9);
		if (ts.tv_nsec >= 1000000000L)
			ts.tv_nsec = 999999999L;
		tsp = &ts;
	}
	for (size_t i = 0; i < n; i++) {
		l->pfds[i].fd = l->fds[i].fd;
		l->pfds[i].events = l->fds[i].events;
		l->pfds[i].revents = 0;
	}
	rc = ppoll(l->pfds, n, tsp, NULL);
	if (rc == -1) {
		if (errno == EINTR)
			return 0;
		*cause = xasprintf("poll: %s", strerror(errno));
		return -1;
	}
	loop_fire_timers(l);
	if (rc > 0) {
		l->dispatching = 1;
		for (size_t i = 0; i < n && i < l->nfds; i++) {
			if (l->pfds[i].revents == 0 || l->fds[i].dead)
				continue;
			l->fds[i].cb(l->fds[i].fd, l->pfds[i].revents, l->fds[i].arg);
		}
		l->dispatching = 0;
		loop_compact(l);
	}
	return 0;
}

int
loop_run(struct loop *l, char **cause)
{
	l->stopped = 0;
	while (!l->stopped) {
		/* With signals routed, the signal pipe alone keeps the loop going. */
		if (l->nfds == 0 && l->timers == NULL)
			break;
		if (loop_once(l, -1, cause) == -1)
			return -1;
	}
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stopped = 1;
}

int
loop_stopped(const struct loop *l)
{
	return l->stopped;
}
