/*
 * Unit tests of spawn, run, recorder and paths with real commands (sh):
 * output capture, exit statuses, an exec failure, the SIGINT-then-kill stop,
 * no process left in the group, sampling at absolute deadlines.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "core/loop.h"
#include "core/paths.h"
#include "core/run.h"

struct got {
	struct buf out, err;
	int ended;
};

static void
on_output(struct run *r, int stream, const char *data, size_t len, void *arg)
{
	struct got *g = arg;

	buf_add(stream == 1 ? &g->out : &g->err, data, len);
}

static void
on_end(struct run *r, void *arg)
{
	struct got *g = arg;

	g->ended = 1;
	loop_stop(r->loop);
}

/* Runs `sh -c script` to the end; the caller frees with run_free. */
static void
run_sh(struct run *r, struct loop *l, struct got *g, const char *script, int record, double grace)
{
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)script, NULL};
	struct run_opts o;
	char *cause = NULL;

	memset(r, 0, sizeof *r);
	memset(&o, 0, sizeof o);
	buf_init(&g->out);
	buf_init(&g->err);
	g->ended = 0;
	o.argv = argv;
	o.capture_output = 1;
	o.grace = grace;
	o.record = record;
	o.rec.interval = 0.02;
	r->on_output = on_output;
	r->on_end = on_end;
	r->arg = g;
	assert_int_equal(run_start(r, l, &o, &cause), 0);
}

static void
test_output_and_exit_status(void **state)
{
	struct loop *l = loop_new();
	struct got g;
	struct run r;
	char *cause = NULL, *desc;

	run_sh(&r, l, &g, "echo out; echo err >&2; exit 3", 0, 0);
	assert_int_equal(loop_run(l, &cause), 0);
	assert_true(g.ended);
	assert_string_equal(g.out.data, "out\n");
	assert_string_equal(g.err.data, "err\n");
	assert_int_equal(run_exit_code(&r), 3);
	desc = run_describe(&r);
	assert_string_equal(desc, "exited with status 3");
	free(desc);
	run_free(&r);
	buf_free(&g.out);
	buf_free(&g.err);
	loop_free(l);
}

static void
test_exec_failure_is_an_error(void **state)
{
	char *argv[] = {(char *)"/nonexistent/proflab-no-such-program", NULL};
	struct loop *l = loop_new();
	struct run_opts o;
	struct run r;
	char *cause = NULL;

	memset(&r, 0, sizeof r);
	memset(&o, 0, sizeof o);
	o.argv = argv;
	assert_int_equal(run_start(&r, l, &o, &cause), -1);
	assert_non_null(strstr(cause, "cannot run /nonexistent/proflab-no-such-program"));
	assert_non_null(strstr(cause, "No such file or directory"));
	free(cause);
	run_free(&r);
	loop_free(l);
}

static void
stop_soon(void *arg)
{
	run_stop(arg);
}

static void
test_stop_kills_after_grace_and_leaves_nothing(void **state)
{
	struct loop *l = loop_new();
	struct got g;
	struct run r;
	char *cause = NULL, *desc;
	double t0;
	pid_t pgid;

	/* Ignores SIGINT, and leaves a grandchild in its group. */
	run_sh(&r, l, &g, "trap '' INT; sleep 30 & echo started; wait", 0, 0.3);
	pgid = r.child.pid;
	loop_add_timer(l, loop_now() + 0.2, stop_soon, &r);
	t0 = loop_now();
	assert_int_equal(loop_run(l, &cause), 0);
	assert_true(loop_now() - t0 < 5.0);
	assert_false(r.status.exited);
	assert_int_equal(r.status.signo, SIGKILL);
	desc = run_describe(&r);
	assert_non_null(strstr(desc, "stopped"));
	free(desc);
	/* Nobody is left in the process group (killed zombies may take a moment to be reaped by init). */
	for (t0 = loop_now(); kill(-pgid, 0) == 0 && loop_now() - t0 < 5;)
		usleep(10000);
	assert_int_equal(kill(-pgid, 0), -1);
	assert_int_equal(errno, ESRCH);
	run_free(&r);
	buf_free(&g.out);
	buf_free(&g.err);
	loop_free(l);
}

static void
test_sigint_ends_a_cooperative_process(void **state)
{
	struct loop *l = loop_new();
	struct got g;
	struct run r;
	char *cause = NULL;

	run_sh(&r, l, &g, "exec sleep 30", 0, 5);
	loop_add_timer(l, loop_now() + 0.1, stop_soon, &r);
	assert_int_equal(loop_run(l, &cause), 0);
	assert_false(r.status.exited);
	assert_int_equal(r.status.signo, SIGINT);
	assert_int_equal(run_exit_code(&r), 130);
	run_free(&r);
	buf_free(&g.out);
	buf_free(&g.err);
	loop_free(l);
}

static void
test_recording_samples_at_deadlines(void **state)
{
	struct loop *l = loop_new();
	struct got g;
	struct run r;
	char *cause = NULL;
	const struct recording *rec;

	run_sh(&r, l, &g, "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 0.2", 1, 0);
	assert_int_equal(loop_run(l, &cause), 0);
	rec = &r.rec.rec;
	assert_true(rec->nsamples >= 5);
	assert_int_equal(r.rec.end, RECORDER_PROCESS_ENDED);
	/* t grows; each sample lies within a deadline window of k * 0.02. */
	for (size_t i = 1; i < rec->nsamples; i++) {
		assert_true(rec->samples[i].t > rec->samples[i - 1].t);
		assert_true(rec->samples[i].rss_mb > 0);
	}
	assert_true(rec->samples[0].t < 0.02);
	run_free(&r);
	buf_free(&g.out);
	buf_free(&g.err);
	loop_free(l);
}

static void
test_paths_script(void **state)
{
	const char *top = getenv("top_srcdir");
	char *cause = NULL, *p;

	p = paths_script("/nonexistent/x.py", &cause);
	assert_null(p);
	assert_string_equal(cause, "cannot open /nonexistent/x.py: No such file or directory");
	free(cause);
	cause = NULL;
	p = paths_script("/", &cause);
	assert_null(p);
	assert_non_null(strstr(cause, "Is a directory"));
	free(cause);
	if (top == NULL)
		skip();
	setenv("PROFLAB_DATADIR", top, 1);
	p = paths_script("compute", &cause);
	assert_non_null(p);
	assert_non_null(strstr(p, "/exercises/compute.py"));
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_output_and_exit_status),
	    cmocka_unit_test(test_exec_failure_is_an_error),
	    cmocka_unit_test(test_stop_kills_after_grace_and_leaves_nothing),
	    cmocka_unit_test(test_sigint_ends_a_cooperative_process),
	    cmocka_unit_test(test_recording_samples_at_deadlines),
	    cmocka_unit_test(test_paths_script),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
