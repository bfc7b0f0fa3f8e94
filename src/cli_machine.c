/*
 * proflab machine [--json] [--bench] [--net URL] [--net-timeout S] [--disk-dir DIR]
 *
 * The facts come from core/machine (read while the worker imports numpy, so
 * the two overlap) and from `proflab-worker --machine facts`; --bench runs
 * the quick benchmarks one after the other, never two at once, so that
 * none disturbs another's figures. A benchmark that fails is reported in
 * its place and the rest of the report stands.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/machine.h"
#include "core/machine_probe.h"
#include "core/mbench.h"
#include "core/netcheck.h"
#include "core/paths.h"

const char cli_machine_synopsis[] =
    "machine [--json] [--bench [--net URL|none] [--net-timeout S] [--disk-dir DIR]]";

#define MACHINE_MEMORY_BYTES (64LL << 20)
#define MACHINE_DISK_BYTES (128LL << 20)
#define MACHINE_STARTUP_RUNS 5

/* The interpreter proflab embeds, as the worker names it in sys.executable. */
const char *
cli_python_exe(void)
{
	const char *s = getenv("PROFLAB_PYTHON_EXECUTABLE");

	return s != NULL && *s != '\0' ? s : PROFLAB_PYTHON_EXE;
}

void
cli_fingerprint(struct recording *r, const char *python_version, const char *blas_library)
{
	char *line = machine_fingerprint_line(python_version, blas_library);

	if (line == NULL)
		return;
	fprintf(stderr, "proflab: %s\n", line);
	recording_set_machine(r, line);
	free(line);
}

/* The Python facts, or NULL after a warning: the rest of the report stands. */
static json_t *
machine_python_facts(struct machine_probe *p, int started, char *cause)
{
	json_t *j = NULL;

	if (started)
		j = machine_probe_finish(p, 30, &cause);
	if (j == NULL) {
		cli_error("no Python facts: %s", cause);
		free(cause);
	}
	return j;
}

static void
machine_step(int show, const char *what)
{
	if (show)
		fprintf(stderr, "\rproflab: measuring %-32s", what);
}

static json_t *
machine_probe_part(const char *what)
{
	char *cause = NULL;
	json_t *j = machine_probe(paths_worker(), what, 60, &cause);

	if (j == NULL) {
		j = json_pack("{s:s}", "error", cause);
		free(cause);
	}
	return j;
}

/* The benchmarks, in an order that lets the slow network come last. */
static json_t *
machine_bench(const char *net, double net_timeout, const char *disk_dir)
{
	json_t *bench = json_object(), *startup = json_object(), *dot = json_object(), *one;
	int show = isatty(STDERR_FILENO);
	const char *python = cli_python_exe();

	machine_step(show, "interpreter start-up");
	json_object_set_new(
	    startup, "python", mbench_startup(python, "pass", MACHINE_STARTUP_RUNS));
	machine_step(show, "import numpy");
	json_object_set_new(
	    startup, "import_numpy", mbench_startup(python, "import numpy", MACHINE_STARTUP_RUNS));
	json_object_set_new(bench, "startup", startup);
	machine_step(show, "a pure-Python loop");
	json_object_set_new(bench, "python_loop", machine_probe_part("pyloop"));
	machine_step(show, "numpy.dot on one thread");
	one = machine_probe_part("dot1");
	if (json_object_get(one, "n") != NULL)
		json_object_set(dot, "n", json_object_get(one, "n"));
	json_object_set_new(dot, "one_thread", one);
	machine_step(show, "numpy.dot on all CPUs");
	json_object_set_new(dot, "all", machine_probe_part("dotall"));
	if (json_object_get(dot, "n") == NULL)
		json_object_set_new(dot, "n", json_null());
	/* Both failed the same way (no numpy): one error for the whole. */
	if (json_object_get(one, "error") != NULL &&
	    json_object_get(json_object_get(dot, "all"), "error") != NULL) {
		json_t *err = json_pack("{s:O}", "error", json_object_get(one, "error"));

		json_decref(dot);
		dot = err;
	}
	json_object_set_new(bench, "numpy_dot", dot);
	machine_step(show, "memory bandwidth");
	json_object_set_new(bench, "memory", mbench_memory(MACHINE_MEMORY_BYTES));
	machine_step(show, "disk write and read");
	json_object_set_new(bench, "disk", mbench_disk(disk_dir, MACHINE_DISK_BYTES));
	if (strcmp(net, "none") != 0) {
		machine_step(show, "the network");
		json_object_set_new(bench, "network", netcheck_run(net, net_timeout));
	} else {
		json_object_set_new(bench, "network", json_null());
	}
	if (show)
		fprintf(stderr, "\r%60s\r", "");
	return bench;
}

/* Where the disk benchmark writes: $TMPDIR, else /var/tmp (a disk, where /tmp may be RAM). */
static const char *
machine_default_disk_dir(void)
{
	const char *s = getenv("TMPDIR");

	if (s != NULL && *s != '\0')
		return s;
	return access("/var/tmp", W_OK | X_OK) == 0 ? "/var/tmp" : "/tmp";
}

int
cli_machine(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"bench", no_argument, NULL, 'b'},
	    {"net", required_argument, NULL, 'n'},
	    {"net-timeout", required_argument, NULL, 't'},
	    {"disk-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct machine m;
	struct machine_probe probe;
	json_t *python, *bench = NULL, *doc;
	const char *net = NULL, *disk_dir = NULL, *root;
	char *cause = NULL, *text;
	double net_timeout = 3;
	char *probe_cause = NULL;
	int c, json = 0, do_bench = 0, started;
	struct buf b;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'b':
			do_bench = 1;
			break;
		case 'n':
			if (*optarg == '\0')
				return cli_usage_error(
				    "machine", "invalid --net '': expected a URL or none");
			net = optarg;
			break;
		case 't':
			if (cli_seconds(optarg, 0, &net_timeout) == -1)
				return cli_usage_error("machine",
				    "invalid --net-timeout '%s': expected seconds > 0", optarg);
			break;
		case 'd':
			if (access(optarg, W_OK | X_OK) == -1) {
				cli_error(
				    "cannot write in --disk-dir %s: %s", optarg, strerror(errno));
				return CLI_EXIT_ERROR;
			}
			disk_dir = optarg;
			break;
		case 'h':
			printf("usage: proflab %s\n", cli_machine_synopsis);
			return 0;
		case '?':
			if (optopt != 0)
				return cli_usage_error(
				    "machine", "option '%s' needs a value", argv[optind - 1]);
			return cli_usage_error("machine", "unknown option '%s'", argv[optind - 1]);
		default:
			return cli_usage_error("machine", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("machine", "unexpected argument '%s'", argv[optind]);
	if (!do_bench && (net != NULL || disk_dir != NULL))
		return cli_usage_error("machine", "--net and --disk-dir go with --bench");

	/* PROFLAB_MACHINE_ROOT: read /proc and /sys below another root (the tests' fixture trees). */
	root = getenv("PROFLAB_MACHINE_ROOT");
	/* The worker imports numpy while /proc and /sys are read. */
	started = machine_probe_start(&probe, paths_worker(), "facts", &probe_cause) == 0;
	memset(&m, 0, sizeof m);
	if (machine_read(&m, root != NULL ? root : "", &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		python = machine_python_facts(&probe, started, probe_cause);
		json_decref(python);
		machine_free(&m);
		return CLI_EXIT_ERROR;
	}
	python = machine_python_facts(&probe, started, probe_cause);
	if (python != NULL)
		machine_set_python(&m, python);
	if (do_bench)
		bench = machine_bench(net != NULL ? net : NETCHECK_DEFAULT_URL, net_timeout,
		    disk_dir != NULL ? disk_dir : machine_default_disk_dir());

	if (json) {
		doc = machine_to_json(&m, bench);
		text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
		json_decref(doc);
		fputs(text, stdout);
		fputc('\n', stdout);
		free(text);
	} else {
		buf_init(&b);
		machine_format_text(&m, bench, &b);
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
	}
	json_decref(bench);
	machine_free(&m);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		cli_error("cannot write the report: %s", strerror(errno));
		return CLI_EXIT_ERROR;
	}
	return 0;
}
