/*
 * proflab lines and proflab memory: line-level time and memory from the
 * command line.
 *
 * Both run a script in a fresh worker under a line instrument (the worker's
 * --lines or --memory, with a --func for each -f), stream its output, then
 * print the worker's line table (core/linetab.h): `lines` in line_profiler's
 * layout (kernprof -l -v), `memory` in memory_profiler's, or with --peak only
 * the whole run's peak and increment as %memit prints them. The table goes
 * through a temporary file, removed after.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "core/linetab.h"
#include "core/loop.h"
#include "core/paths.h"

const char cli_lines_synopsis[] = "lines [-f FUNC]... [-u UNIT] [--grace S] SCRIPT [ARGS...]";
const char cli_memory_synopsis[] =
    "memory [-f FUNC]... [--precision N] [--peak] [--grace S] SCRIPT [ARGS...]";

/* The empty temporary file the worker writes the table into (caller unlinks and frees). */
static char *
cli_lines_tmp(void)
{
	const char *base = getenv("TMPDIR");
	char *path;
	int fd;

	path = xasprintf("%s/proflab-lines.XXXXXX", base != NULL && *base != '\0' ? base : "/tmp");
	fd = mkstemp(path);
	if (fd == -1) {
		cli_error("cannot create a temporary file (%s): %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* Prints the table the worker wrote; returns the exit status given the run's. */
static int
cli_lines_print(const char *cmd, const char *path, double unit, int precision, int peak, int rc)
{
	struct linetab t;
	char *cause = NULL;

	if (linetab_load(&t, path, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		return CLI_EXIT_ERROR;
	}
	if (peak) {
		if (!t.has_peak) {
			cli_error("no peak memory in the worker's table");
			rc = CLI_EXIT_ERROR;
		} else {
			linetab_print_peak(&t, stdout);
		}
	} else if (t.nfuncs == 0) {
		cli_error("nothing to show: no function chosen (-f FUNC) and none decorated "
		          "with @profile");
		if (rc == 0)
			rc = CLI_EXIT_ERROR;
	} else if (strcmp(cmd, "lines") == 0) {
		linetab_print_time(&t, unit, stdout);
	} else {
		linetab_print_memory(&t, precision, stdout);
	}
	if (fflush(stdout) == EOF && errno != EPIPE) {
		cli_error("cannot write the table: %s", strerror(errno));
		rc = CLI_EXIT_ERROR;
	}
	linetab_free(&t);
	return rc;
}

static int
cli_lines_main(const char *cmd, int argc, char **argv)
{
	static const struct option lines_opts[] = {
	    {"func", required_argument, NULL, 'f'},
	    {"unit", required_argument, NULL, 'u'},
	    {"grace", required_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const struct option memory_opts[] = {
	    {"func", required_argument, NULL, 'f'},
	    {"peak", no_argument, NULL, 'p'},
	    {"precision", required_argument, NULL, 'P'},
	    {"grace", required_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int memory = strcmp(cmd, "memory") == 0;
	struct cli_run_state s;
	struct run_opts o;
	struct loop *l;
	char **funcs, *script, *cause = NULL, *tmp, *end;
	double grace = 2.0, unit = 1e-6;
	int c, rc, peak = 0, nfuncs = 0, precision = 1;
	long n;

	funcs = xcalloc((size_t)argc + 1, sizeof *funcs);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv,
	            memory ? "+:f:" : "+:f:u:", memory ? memory_opts : lines_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (*optarg == '\0') {
				free(funcs);
				return cli_usage_error(cmd, "-f needs a function name");
			}
			funcs[nfuncs++] = optarg;
			break;
		case 'u':
			errno = 0;
			unit = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || errno != 0 || !isfinite(unit) ||
			    unit <= 0) {
				free(funcs);
				return cli_usage_error(cmd,
				    "invalid -u '%s': expected a unit in seconds > 0, such as 1e-6",
				    optarg);
			}
			break;
		case 'p':
			peak = 1;
			break;
		case 'P':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || errno != 0 || n < 0 || n > 10) {
				free(funcs);
				return cli_usage_error(cmd,
				    "invalid --precision '%s': expected a number of decimals, 0 to "
				    "10",
				    optarg);
			}
			precision = (int)n;
			break;
		case 'g':
			if (cli_seconds(optarg, 0, &grace) == -1) {
				free(funcs);
				return cli_usage_error(
				    cmd, "invalid --grace '%s': expected seconds > 0", optarg);
			}
			break;
		case 'h':
			free(funcs);
			printf("usage: proflab %s\n",
			    memory ? cli_memory_synopsis : cli_lines_synopsis);
			return 0;
		case ':':
			free(funcs);
			return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		default:
			free(funcs);
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		free(funcs);
		return cli_usage_error(cmd, "no SCRIPT given");
	}
	script = paths_script(argv[optind], &cause);
	if (script == NULL) {
		cli_error("%s", cause);
		free(cause);
		free(funcs);
		return CLI_EXIT_ERROR;
	}
	if ((tmp = cli_lines_tmp()) == NULL) {
		free(script);
		free(funcs);
		return CLI_EXIT_ERROR;
	}
	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	o.script = script;
	o.script_args = argv + optind + 1;
	o.grace = grace;
	o.lines_out = tmp;
	o.lines_memory = memory;
	o.lines_funcs = funcs;
	rc = cli_run_worker(&s, &l, &o, script);

	if (!s.run.lines_written) {
		/* A worker error (a bad -f) has been said on stderr already. */
		if (s.run.worker_error == NULL)
			cli_error("no line table: %s ended before its table was written", script);
		if (rc == 0)
			rc = CLI_EXIT_ERROR;
	} else {
		rc = cli_lines_print(cmd, tmp, unit, precision, peak, rc);
	}
	unlink(tmp);
	free(tmp);
	cli_history_note(&s.run, &o, rc);
	run_free(&s.run);
	loop_free(l);
	free(script);
	free(funcs);
	return rc;
}

int
cli_lines(int argc, char **argv)
{
	return cli_lines_main("lines", argc, argv);
}

int
cli_memory(int argc, char **argv)
{
	return cli_lines_main("memory", argc, argv);
}
