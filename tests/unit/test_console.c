/*
 * Unit tests for the console model (core/console.c), against a fake worker
 * (a small Python script standing in for `proflab-worker --console`) so that
 * every path is exact: the request sent, results formatted as IPython prints
 * them and in order with the output, a bad % command that never reaches the
 * worker, an error from the worker, a worker that dies (a new one starts and
 * the console says so), Ctrl-C and the kill after the grace period, a worker
 * that never comes up, and the end of input.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmptree.h"

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/console.h"
#include "core/loop.h"

static char dir[] = "/tmp/proflab-console-XXXXXX";

/* The fake worker: hello, then one answer a request, chosen by the source. */
static const char fake_worker[] =
    "#!/usr/bin/python3.11\n"
    "import os, signal, sys, time\n"
    "mode = os.environ.get('FAKE_MODE', 'normal')\n"
    "if mode == 'nohello':\n"
    "    sys.exit(1)\n"
    "chan = os.fdopen(3, 'w', buffering=1)\n"
    "def send(*f):\n"
    "    chan.write('\\t'.join(str(x) for x in f) + '\\n'); chan.flush()\n"
    "send('hello', os.getpid(), '3.11.2', sys.executable, '<console>')\n"
    "req = os.fdopen(4, 'r')\n"
    "log = open(os.environ['FAKE_LOG'], 'a', buffering=1)\n"
    "while True:\n"
    "    try:\n"
    "        line = req.readline()\n"
    "    except KeyboardInterrupt:\n"
    "        continue\n"
    "    if not line:\n"
    "        log.write('eof\\n'); sys.exit(0)\n"
    "    kind, rid, magic, args, src = line.rstrip('\\n').split('\\t')\n"
    "    log.write('%s|%s|%s|%s\\n' % (rid, magic, args, src))\n"
    "    end = 'ok'\n"
    "    if src == 'out':\n"
    "        sys.stdout.write('printed\\n'); sys.stdout.flush()\n"
    "    elif magic == 'timeit':\n"
    "        sys.stdout.write('before\\n'); sys.stdout.flush()\n"
    "        send('timeit', 10, '1.000000000e-01 5.000000000e-01 1.000000000e-01')\n"
    "    elif magic == 'time':\n"
    "        send('cputime', '0.038300000', '0.025400000', '0.000000000', '42\\\\n')\n"
    "    elif magic == 'memit':\n"
    "        send('memit', 300 * 2**20, 12 * 2**20)\n"
    "    elif src == 'err':\n"
    "        send('done', rid, 'error', '-f nosuch: NameError: no nosuch'); continue\n"
    "    elif src == 'exit':\n"
    "        send('done', rid, 'systemexit', '3'); continue\n"
    "    elif src == 'die':\n"
    "        os._exit(3)\n"
    "    elif src == 'hang':\n"
    "        signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "        time.sleep(60)\n"
    "    elif src == 'sleep':\n"
    "        try:\n"
    "            time.sleep(60)\n"
    "        except KeyboardInterrupt:\n"
    "            sys.stderr.write('KeyboardInterrupt\\n'); sys.stderr.flush()\n"
    "            end = 'interrupt'\n"
    "    elif src == 'raise':\n"
    "        sys.stderr.write('ZeroDivisionError: division by zero\\n'); sys.stderr.flush()\n"
    "        end = 'exception'\n"
    "    send('done', rid, end, '')\n";

struct seen {
	struct buf text; /* every stream, tagged: [1]out [2]err [3]result [4]note */
	int done;
	int states;
};

static void
on_output(struct console *c, enum console_stream s, const char *data, size_t len, void *arg)
{
	struct seen *seen = arg;

	buf_addf(&seen->text, "[%d]", (int)s);
	buf_add(&seen->text, data, len);
}

static void
on_done(struct console *c, void *arg)
{
	((struct seen *)arg)->done++;
}

static void
on_state(struct console *c, void *arg)
{
	((struct seen *)arg)->states++;
}

/* Once: the worker's path is read once per process (core/paths.h). */
static int
group_setup(void **state)
{
	char *path;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return -1;
	path = xasprintf("%s/worker", dir);
	f = fopen(path, "w");
	fputs(fake_worker, f);
	fclose(f);
	chmod(path, 0755);
	setenv("PROFLAB_WORKER", path, 1);
	free(path);
	path = xasprintf("%s/log", dir);
	setenv("FAKE_LOG", path, 1);
	free(path);
	unsetenv("FAKE_MODE");
	return 0;
}

static int
group_teardown(void **state)
{
	remove_tree(dir);
	return 0;
}

/* Each test: an empty log. */
static int
setup(void **state)
{
	char *path = xasprintf("%s/log", dir);

	unlink(path);
	free(path);
	return 0;
}

/* Turns the loop until seen->done reaches n (10 s at most). */
static void
wait_done(struct loop *l, struct seen *seen, int n)
{
	double end = loop_now() + 10;
	char *cause = NULL;

	while (seen->done < n && loop_now() < end)
		assert_int_equal(loop_once(l, 0.5, &cause), 0);
	assert_int_equal(seen->done, n);
}

static void
start(struct console *c, struct loop **l, struct seen *seen, double grace)
{
	struct console_opts o = {.tmpdir = dir, .grace = grace, .prun_table = 1};
	char *cause = NULL;

	memset(c, 0, sizeof *c);
	memset(seen, 0, sizeof *seen);
	buf_init(&seen->text);
	*l = loop_new();
	c->on_output = on_output;
	c->on_done = on_done;
	c->on_state = on_state;
	c->arg = seen;
	if (console_start(c, *l, &o, &cause) != 0)
		fail_msg("%s", cause);
}

static void
submit(struct console *c, struct loop *l, struct seen *seen, const char *text)
{
	char *cause = NULL;
	int n = seen->done;

	buf_reset(&seen->text);
	if (console_submit(c, text, &cause) != 0)
		fail_msg("%s", cause);
	wait_done(l, seen, n + 1);
	buf_addc(&seen->text, '\0');
}

static char *
read_log(void)
{
	char *path = xasprintf("%s/log", dir), *data = xcalloc(1, 65536);
	FILE *f = fopen(path, "r");

	if (f != NULL) {
		size_t n = fread(data, 1, 65535, f);

		data[n] = '\0';
		fclose(f);
	}
	free(path);
	return data;
}

static void
finish(struct console *c, struct loop *l, struct seen *seen)
{
	console_free(c);
	loop_free(l);
	buf_free(&seen->text);
}

static void
test_results(void **state)
{
	struct console c;
	struct loop *l;
	struct seen seen;
	char *log;

	start(&c, &l, &seen, 2);
	submit(&c, l, &seen, "out");
	assert_string_equal(seen.text.data, "[1]printed\n");
	assert_string_equal(c.cur_kind, "ok");
	/* the result comes after the output written before it */
	submit(&c, l, &seen, "%timeit -n 10 -r 3 x");
	assert_string_equal(seen.text.data,
	    "[1]before\n[3]The slowest run took 5.00 times longer than the fastest. This could "
	    "mean that an intermediate result is being cached.\n"
	    "23.3 ms \u00b1 18.9 ms per loop (mean \u00b1 std. dev. of 3 runs, 10 loops each)\n");
	submit(&c, l, &seen, "%timeit -q -p 5 x");
	assert_string_equal(seen.text.data, "[1]before\n");
	submit(&c, l, &seen, "%time f()");
	assert_string_equal(seen.text.data,
	    "[3]CPU times: user 25.4 ms, sys: 0 ns, total: 25.4 ms\nWall time: 38.3 ms\n[1]42\n");
	submit(&c, l, &seen, "%memit -r 2 big()");
	assert_string_equal(seen.text.data, "[3]peak memory: 300.00 MiB, increment: 288.00 MiB\n");
	submit(&c, l, &seen, "raise");
	assert_string_equal(seen.text.data, "[2]ZeroDivisionError: division by zero\n");
	assert_string_equal(c.cur_kind, "exception");
	submit(&c, l, &seen, "%lprun -f nosuch err");
	assert_string_equal(seen.text.data, "[4]%lprun -f nosuch: NameError: no nosuch\n");
	submit(&c, l, &seen, "exit");
	assert_non_null(strstr(seen.text.data, "[4]SystemExit: 3 (the console goes on"));
	assert_int_equal(c.failures, 3);
	/* what the worker was sent: ids, magic names, ARGS, the statement */
	log = read_log();
	assert_non_null(strstr(log, "1|none||out\n"));
	assert_non_null(strstr(log, "2|timeit|10\\n3|x\n"));
	assert_non_null(strstr(log, "3|timeit|0\\n7|x\n"));
	assert_non_null(strstr(log, "5|memit|2|big()\n"));
	assert_non_null(strstr(log, "|lprun|"));
	assert_non_null(strstr(log, "/console-7.lines\\nnosuch|err\n"));
	free(log);
	/* the end of input: EOF for the worker, which goes, and no other starts */
	console_close(&c);
	{
		double end = loop_now() + 10;
		char *cause = NULL;

		while (c.state != CONSOLE_DEAD && loop_now() < end)
			loop_once(l, 0.5, &cause);
	}
	assert_int_equal(c.state, CONSOLE_DEAD);
	assert_int_equal(c.workers, 1);
	log = read_log();
	assert_non_null(strstr(log, "eof\n"));
	free(log);
	finish(&c, l, &seen);
}

static void
test_local(void **state)
{
	struct console c;
	struct loop *l;
	struct seen seen;
	char *log;

	start(&c, &l, &seen, 2);
	/* a bad % command, a blank input and %load_ext never reach the worker */
	submit(&c, l, &seen, "%timeit -n zero x");
	assert_string_equal(
	    seen.text.data, "[4]%timeit: -n needs a whole number of at least 1, not \"zero\"\n");
	assert_string_equal(c.cur_kind, "error");
	submit(&c, l, &seen, "  \n ");
	assert_string_equal(seen.text.data, "");
	submit(&c, l, &seen, "%load_ext line_profiler");
	assert_non_null(strstr(seen.text.data, "built into proflab's console"));
	submit(&c, l, &seen, "out");
	log = read_log();
	/* ids are not reused: the worker's first request is the fourth input */
	assert_string_equal(log, "4|none||out\n");
	free(log);
	finish(&c, l, &seen);
}

static void
test_death_and_interrupt(void **state)
{
	struct console c;
	struct loop *l;
	struct seen seen;
	char *cause = NULL;
	double t0;

	start(&c, &l, &seen, 0.5);
	submit(&c, l, &seen, "die");
	assert_non_null(strstr(seen.text.data,
	    "[4]the worker exited with status 3 while running this statement; a new worker has "
	    "started, and the names defined before are gone\n"));
	assert_string_equal(c.cur_kind, "died");
	assert_int_equal(c.workers, 2);
	assert_int_equal(c.state, CONSOLE_READY);
	/* the new worker answers */
	submit(&c, l, &seen, "out");
	assert_string_equal(seen.text.data, "[1]printed\n");
	/* Ctrl-C: KeyboardInterrupt in the statement; the worker stays */
	buf_reset(&seen.text);
	assert_int_equal(console_submit(&c, "sleep", &cause), 0);
	assert_int_equal(console_submit(&c, "out", &cause), -1);
	assert_string_equal(cause, "a statement is still running");
	free(cause);
	for (int asked = 0; !asked && c.state == CONSOLE_BUSY;) {
		char *log = read_log();

		asked = strstr(log, "sleep") != NULL;
		free(log);
		assert_int_equal(loop_once(l, 0.2, &cause), 0);
	}
	console_interrupt(&c);
	wait_done(l, &seen, 3);
	assert_string_equal(c.cur_kind, "interrupt");
	assert_int_equal(c.workers, 2);
	/* a statement that ignores it is killed after the grace period, and replaced */
	assert_int_equal(console_submit(&c, "hang", &cause), 0);
	t0 = loop_now();
	for (int i = 0; i < 20; i++)
		loop_once(l, 0.05, &cause);
	console_interrupt(&c);
	wait_done(l, &seen, 4);
	assert_true(loop_now() - t0 >= 0.5);
	buf_addc(&seen.text, '\0');
	assert_non_null(strstr(seen.text.data, "did not stop within 0.5 s of Ctrl-C"));
	assert_int_equal(c.workers, 3);
	submit(&c, l, &seen, "out");
	assert_string_equal(seen.text.data, "[1]printed\n");
	finish(&c, l, &seen);
}

static void
test_never_up(void **state)
{
	struct console c;
	struct loop *l;
	struct seen seen;
	char *cause = NULL;
	double end;

	setenv("FAKE_MODE", "nohello", 1);
	start(&c, &l, &seen, 2);
	end = loop_now() + 10;
	while (c.state != CONSOLE_DEAD && loop_now() < end)
		loop_once(l, 0.5, &cause);
	assert_int_equal(c.state, CONSOLE_DEAD);
	assert_int_equal(c.workers, 2);
	buf_addc(&seen.text, '\0');
	assert_non_null(strstr(seen.text.data, "[4]the console's worker could not start"));
	assert_non_null(strstr(seen.text.data, "two in a row died before they were up"));
	assert_int_equal(console_submit(&c, "1", &cause), -1);
	assert_string_equal(cause, "the console has no worker");
	free(cause);
	finish(&c, l, &seen);
	unsetenv("FAKE_MODE");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_results, setup),
	    cmocka_unit_test_setup(test_local, setup),
	    cmocka_unit_test_setup(test_death_and_interrupt, setup),
	    cmocka_unit_test_setup(test_never_up, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
