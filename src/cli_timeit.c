/*
 * proflab timeit [-n N] [-r R] [-s SETUP]... [-u UNIT] [-p] [--grace S] [STATEMENT...]
 *
 * As `python3 -m timeit`: the statement (the arguments joined by newlines,
 * "pass" without any) is timed in a fresh worker by core/timing's driver,
 * which the worker runs as its script from a temporary folder; the loop count
 * is found as timeit finds it unless -n gives it; the line printed and the
 * warning on unreliable results are timeit's. The statement's own output and
 * tracebacks stream through, and Ctrl-C stops it as it stops a run.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/loop.h"
#include "core/timing.h"

const char cli_timeit_synopsis[] =
    "timeit [-n N] [-r R] [-s SETUP]... [-u UNIT] [-p] [--grace S] [STATEMENT...]";

/* Prints the run's timing as python -m timeit does; the exit status given the run's. */
static int
cli_timeit_print(const struct run *r, const struct timing_opts *t, int rc)
{
	struct buf out;

	if (rc != 0)
		return rc;
	if (r->timeit_number <= 0) {
		cli_error("timeit: the worker sent no timing");
		return CLI_EXIT_ERROR;
	}
	buf_init(&out);
	timing_format_timeit(&out, r->timeit_number, r->timeit_times, r->timeit_nruns, t->unit, 3);
	fwrite(out.data, 1, out.len, stdout);
	buf_reset(&out);
	timing_format_unreliable(
	    &out, r->timeit_number, r->timeit_times, r->timeit_nruns, t->unit, 3);
	if (out.len > 0) {
		fflush(stdout);
		fwrite(out.data, 1, out.len, stderr);
	}
	buf_free(&out);
	return 0;
}

int
cli_timeit(int argc, char **argv)
{
	struct timing_opts t;
	struct cli_run_state s;
	struct run_opts o;
	struct loop *l;
	const char *base = getenv("TMPDIR");
	char *cause = NULL, *dir, *driver;
	int rc;

	rc = timing_parse(argc, argv, &t, &cause);
	if (rc == 1) {
		printf("usage: proflab %s\n", cli_timeit_synopsis);
		return 0;
	}
	if (rc == -1) {
		rc = cli_usage_error("timeit", "%s", cause);
		free(cause);
		return rc;
	}
	dir = xasprintf("%s/proflab-timeit.XXXXXX", base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(dir) == NULL) {
		cli_error("cannot create a temporary folder (%s): %s", dir, strerror(errno));
		free(dir);
		timing_opts_free(&t);
		return CLI_EXIT_ERROR;
	}
	driver = timing_write_driver(dir, &cause);
	if (driver == NULL) {
		cli_error("%s", cause);
		free(cause);
		rmdir(dir);
		free(dir);
		timing_opts_free(&t);
		return CLI_EXIT_ERROR;
	}
	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	o.script = driver;
	o.script_args = t.args;
	o.grace = t.grace;
	rc = cli_timeit_print(&s.run, &t, cli_run_worker(&s, &l, &o, "timeit"));
	run_free(&s.run);
	loop_free(l);
	unlink(driver);
	rmdir(dir);
	free(driver);
	free(dir);
	timing_opts_free(&t);
	return rc;
}
