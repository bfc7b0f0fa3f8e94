/*
 * Unit tests of the event loop: timers fire in deadline order at absolute
 * times, descriptors dispatch, removal inside a callback, signals through the
 * self-pipe, loop_run returning when nothing is left.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"

struct order {
	int seen[8];
	int n;
	double when[8];
};

static struct order *cur;

static void
timer_note(void *arg)
{
	cur->when[cur->n] = loop_now();
	cur->seen[cur->n++] = (int)(intptr_t)arg;
}

static void
test_timers_in_deadline_order(void **state)
{
	struct loop *l = loop_new();
	struct order o = {{0}, 0, {0}};
	double t0 = loop_now();
	char *cause = NULL;

	cur = &o;
	loop_add_timer(l, t0 + 0.030, timer_note, (void *)(intptr_t)3);
	loop_add_timer(l, t0 + 0.010, timer_note, (void *)(intptr_t)1);
	loop_add_timer(l, t0 + 0.020, timer_note, (void *)(intptr_t)2);
	assert_int_equal(loop_run(l, &cause), 0);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.seen[0], 1);
	assert_int_equal(o.seen[1], 2);
	assert_int_equal(o.seen[2], 3);
	/* Never early. */
	assert_true(o.when[0] >= t0 + 0.010);
	assert_true(o.when[2] >= t0 + 0.030);
	loop_free(l);
}

static void
test_cancelled_timer_never_fires(void **state)
{
	struct loop *l = loop_new();
	struct order o = {{0}, 0, {0}};
	struct loop_timer *t;
	char *cause = NULL;

	cur = &o;
	t = loop_add_timer(l, loop_now() + 0.01, timer_note, (void *)(intptr_t)9);
	loop_add_timer(l, loop_now() + 0.02, timer_note, (void *)(intptr_t)4);
	loop_cancel_timer(l, t);
	assert_int_equal(loop_run(l, &cause), 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.seen[0], 4);
	loop_free(l);
}

struct reader {
	struct loop *l;
	char got[64];
	size_t len;
	int eof;
};

static void
fd_read(int fd, short revents, void *arg)
{
	struct reader *r = arg;
	ssize_t n = read(fd, r->got + r->len, sizeof r->got - 1 - r->len);

	if (n <= 0) {
		r->eof = 1;
		loop_remove_fd(r->l, fd);
		return;
	}
	r->len += (size_t)n;
}

static void
test_fd_dispatch_and_removal_in_callback(void **state)
{
	struct loop *l = loop_new();
	struct reader r = {l, {0}, 0, 0};
	char *cause = NULL;
	int p[2];

	assert_int_equal(pipe(p), 0);
	loop_add_fd(l, p[0], POLLIN, fd_read, &r);
	assert_int_equal(write(p[1], "hello", 5), 5);
	close(p[1]);
	/* Returns once the only descriptor removed itself at EOF. */
	assert_int_equal(loop_run(l, &cause), 0);
	assert_true(r.eof);
	assert_int_equal(r.len, 5);
	assert_memory_equal(r.got, "hello", 5);
	close(p[0]);
	loop_free(l);
}

static int signals_seen;

static void
on_signal(int signo, void *arg)
{
	signals_seen++;
	assert_int_equal(signo, SIGUSR1);
	loop_stop(arg);
}

static void
test_signal_reaches_callback(void **state)
{
	struct loop *l = loop_new();
	char *cause = NULL;

	signals_seen = 0;
	assert_int_equal(loop_add_signal(l, SIGUSR1, on_signal, l, &cause), 0);
	raise(SIGUSR1);
	/* A timer keeps the loop alive in case the signal were lost. */
	loop_add_timer(l, loop_now() + 5, timer_note, NULL);
	assert_int_equal(loop_run(l, &cause), 0);
	assert_int_equal(signals_seen, 1);
	loop_free(l);
	/* The old disposition is back. */
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	assert_true(sa.sa_handler == SIG_DFL);
}

static void
test_once_honours_timeout(void **state)
{
	struct loop *l = loop_new();
	char *cause = NULL;
	double t0 = loop_now();

	assert_int_equal(loop_once(l, 0.02, &cause), 0);
	assert_true(loop_now() - t0 >= 0.019);
	loop_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timers_in_deadline_order),
	    cmocka_unit_test(test_cancelled_timer_never_fires),
	    cmocka_unit_test(test_fd_dispatch_and_removal_in_callback),
	    cmocka_unit_test(test_signal_reaches_callback),
	    cmocka_unit_test(test_once_honours_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
