/*
 * `proflab console`: the console (core/console.h) on standard input and
 * output. Lines are read as the interactive interpreter reads them and each
 * complete input runs in the one worker; its output, a % command's result
 * and the console's own notes come out in order. Read from a file or a pipe,
 * a compound statement also ends where a new statement starts at the left
 * margin, so a script of typed lines needs no blank lines.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/console.h"
#include "core/loop.h"
#include "core/paths.h"
#include "core/pyinput.h"

const char cli_console_synopsis[] = "console [-C DIR] [--grace S] [--echo] [-c TEXT]";

struct cli_console {
	struct console con;
	struct loop *loop;
	int echo;
	int tty;
	int waiting; /* a statement runs */
	int readable; /* standard input has something to read */
	int terminated; /* SIGTERM came */
};

static void
cli_console_output(
    struct console *c, enum console_stream s, const char *data, size_t len, void *arg)
{
	FILE *f = s == CONSOLE_STDERR || s == CONSOLE_NOTE ? stderr : stdout;

	/* Everything in one order: what went to the other stream first. */
	fflush(f == stdout ? stderr : stdout);
	if (s == CONSOLE_NOTE)
		fputs("proflab: ", f);
	fwrite(data, 1, len, f);
	fflush(f);
}

static void
cli_console_done(struct console *c, void *arg)
{
	struct cli_console *cc = arg;

	cc->waiting = 0;
	loop_stop(cc->loop);
}

static void
cli_console_state(struct console *c, void *arg)
{
	struct cli_console *cc = arg;

	if (c->state == CONSOLE_DEAD)
		loop_stop(cc->loop);
}

static void
cli_console_sigint(int signo, void *arg)
{
	struct cli_console *cc = arg;

	if (signo == SIGTERM) {
		cc->terminated = 1;
		console_interrupt(&cc->con);
		console_interrupt(&cc->con);
		console_close(&cc->con);
		return;
	}
	console_interrupt(&cc->con);
}

static void
cli_console_stdin(int fd, short revents, void *arg)
{
	((struct cli_console *)arg)->readable = 1;
}

/*
 * Waits, in the loop, for a line to read, so that a signal is handled while
 * the console waits for input; 0 when there is one, -1 when SIGTERM came.
 */
static int
cli_console_await_input(struct cli_console *cc, FILE *f)
{
	char *cause = NULL;
	int fd = fileno(f);

	cc->readable = 0;
	loop_add_fd(cc->loop, fd, POLLIN, cli_console_stdin, cc);
	while (!cc->readable && !cc->terminated) {
		if (loop_once(cc->loop, -1, &cause) == -1) {
			free(cause);
			break;
		}
	}
	loop_remove_fd(cc->loop, fd);
	return cc->terminated ? -1 : 0;
}

/* Turns the loop until the running statement has ended (or the console has died). */
static int
cli_console_wait(struct cli_console *cc)
{
	char *cause = NULL;

	while (cc->waiting && cc->con.state != CONSOLE_DEAD) {
		if (loop_once(cc->loop, -1, &cause) == -1) {
			cli_error("%s", cause);
			free(cause);
			return -1;
		}
	}
	return 0;
}

static void
cli_console_echo(const char *text)
{
	const char *p = text;
	int first = 1;

	fflush(stderr);
	while (*p != '\0') {
		size_t n = strcspn(p, "\n");

		printf("%s%.*s\n", first ? ">>> " : "... ", (int)n, p);
		first = 0;
		p += n;
		if (*p == '\n')
			p++;
	}
	fflush(stdout);
}

/* Runs one complete input and waits for it. */
static int
cli_console_submit(struct cli_console *cc, const char *text)
{
	char *cause = NULL;

	if (cc->echo)
		cli_console_echo(text);
	cc->waiting = 1;
	if (console_submit(&cc->con, text, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		cc->waiting = 0;
		return -1;
	}
	return cli_console_wait(cc);
}

/* Feeds the lines of f (or of text) to the console as the interpreter reads them. */
static int
cli_console_feed(struct cli_console *cc, FILE *f, const char *text)
{
	struct pyinput_reader in;
	char *line = NULL, *got[2], *last;
	size_t cap = 0;
	ssize_t len;
	const char *p = text;
	int rc = 0, n;

	/* Typed at a terminal, a compound statement ends at a blank line only. */
	pyinput_reader_init(&in, !cc->tty);
	while (rc == 0 && cc->con.state != CONSOLE_DEAD) {
		if (f != NULL) {
			if (cc->tty) {
				fputs(pyinput_reader_open(&in) ? "... " : ">>> ", stderr);
				fflush(stderr);
			}
			if (cli_console_await_input(cc, f) == -1 ||
			    (len = getline(&line, &cap, f)) == -1)
				break;
			if (len > 0 && line[len - 1] == '\n')
				line[--len] = '\0';
		} else {
			size_t k = strcspn(p, "\n");

			if (*p == '\0')
				break;
			free(line);
			line = xstrndup(p, k);
			p += k + (p[k] == '\n');
		}
		n = pyinput_reader_add(&in, line, got);
		for (int i = 0; i < n; i++) {
			if (rc == 0 && cli_console_submit(cc, got[i]) == -1)
				rc = -1;
			free(got[i]);
		}
	}
	if (cc->con.state == CONSOLE_DEAD || cc->terminated)
		rc = -1;
	if (rc == 0 && cc->tty && f != NULL)
		fputc('\n', stderr);
	last = pyinput_reader_end(&in);
	if (rc == 0 && last != NULL)
		rc = cli_console_submit(cc, last);
	free(last);
	free(line);
	pyinput_reader_free(&in);
	return rc;
}

int
cli_console_run(const char *dir, double grace, int echo, const char *text)
{
	static const char tmpl[] = "/proflab-console.XXXXXX";
	const char *base = getenv("TMPDIR");
	struct cli_console cc;
	struct console_opts o;
	char *cause = NULL, *tmp;
	int rc = 0;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	tmp = xasprintf("%s%s", base, tmpl);
	if (mkdtemp(tmp) == NULL) {
		cli_error("cannot create a temporary folder (%s): %s", tmp, strerror(errno));
		free(tmp);
		return CLI_EXIT_ERROR;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&cc, 0, sizeof cc);
	memset(&o, 0, sizeof o);
	cc.loop = loop_new();
	cc.echo = echo;
	cc.tty = text == NULL && isatty(STDIN_FILENO);
	o.cwd = dir;
	o.tmpdir = tmp;
	o.grace = grace;
	o.prun_table = 1;
	cc.con.on_output = cli_console_output;
	cc.con.on_done = cli_console_done;
	cc.con.on_state = cli_console_state;
	cc.con.arg = &cc;
	if (loop_add_signal(cc.loop, SIGINT, cli_console_sigint, &cc, &cause) == -1 ||
	    loop_add_signal(cc.loop, SIGTERM, cli_console_sigint, &cc, &cause) == -1 ||
	    console_start(&cc.con, cc.loop, &o, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		rc = CLI_EXIT_ERROR;
	} else {
		/* Unbuffered, so that what poll says is there is all there is. */
		if (text == NULL)
			setvbuf(stdin, NULL, _IONBF, 0);
		if (cli_console_feed(&cc, text != NULL ? NULL : stdin, text) == -1)
			rc = CLI_EXIT_ERROR;
		/* EOF for the worker, and wait for it to go. */
		console_close(&cc.con);
		while (cc.con.state != CONSOLE_DEAD && loop_once(cc.loop, 5, &cause) != -1)
			;
		if (cc.con.failures > 0 && rc == 0)
			rc = CLI_EXIT_ERROR;
		if (cc.terminated)
			rc = 128 + SIGTERM;
	}
	console_free(&cc.con);
	loop_free(cc.loop);
	paths_remove_tmpdir(tmp);
	free(tmp);
	return rc;
}

int
cli_console(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"grace", required_argument, NULL, 'g'},
	    {"echo", no_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = NULL, *text = NULL;
	double grace = 2.0;
	int echo = 0, opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:C:c:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			printf("usage: proflab %s\n", cli_console_synopsis);
			return 0;
		case 'C':
			dir = optarg;
			break;
		case 'c':
			text = optarg;
			break;
		case 'g':
			if (cli_seconds(optarg, 0, &grace) == -1)
				return cli_usage_error("console",
				    "invalid --grace '%s': expected seconds > 0", optarg);
			break;
		case 'e':
			echo = 1;
			break;
		case ':':
			return cli_usage_error(
			    "console", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("console", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error("console",
		    "unexpected argument '%s': give input with -c or on stdin", argv[optind]);
	if (dir != NULL && access(dir, X_OK) == -1) {
		cli_error("cannot enter %s: %s", dir, strerror(errno));
		return CLI_EXIT_ERROR;
	}
	return cli_console_run(dir, grace, echo, text);
}
