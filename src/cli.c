/*
 * The command line (see cli.h). A subcommand is an entry in cli_commands:
 * its name, a synopsis line for --help, and its function. Option values are
 * checked here and rejected with one line that names the option and value.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <strings.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/exercise.h"
#include "core/lesson.h"
#include "core/loop.h"
#include "core/paths.h"
#include "core/plot.h"
#include "core/progress.h"
#include "core/recorder.h"
#include "core/run.h"
#include "core/sampler.h"
#include "tui/tui.h"

struct cli_command {
	const char *name;
	const char *synopsis;
	int (*fn)(int, char **);
};

static int cli_run(int, char **);
static int cli_record(int, char **);
static int cli_exercise(int, char **);

static const struct cli_command cli_commands[] = {
    {"run",
        "run [--record] [--interval S] [--log FILE] [--plot FILE] [--time] [--grace S]\n"
        "      SCRIPT [ARGS...]",
        cli_run},
    {"record",
        "record [--interval S] [--duration S] [--include-children] [--log FILE]\n"
        "      [--plot FILE] (PID | 'COMMAND STRING' | -- COMMAND [ARGS...])",
        cli_record},
    {"profile", cli_profile_synopsis, cli_profile},
    {"stats", cli_stats_synopsis, cli_stats},
    {"lines", cli_lines_synopsis, cli_lines},
    {"memory", cli_memory_synopsis, cli_memory},
    {"timeit", cli_timeit_synopsis, cli_timeit},
    {"console", cli_console_synopsis, cli_console},
    {"history", cli_history_synopsis, cli_history},
    {"machine", cli_machine_synopsis, cli_machine},
    {"exercise", "exercise (--list | ID)", cli_exercise},
};

void
cli_usage(FILE *f)
{
	fprintf(f,
	    "usage: proflab [--present] [--ascii] [lesson N]\n"
	    "       proflab [--help] [--version] COMMAND [OPTIONS] ...\n\n"
	    "Without a command, proflab opens the lab: the tutorial's lessons beside a\n"
	    "live graph and output of the exercise you run (? shows its keys).\n\n"
	    "commands:\n");
	for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
		fprintf(f, "  proflab %s\n", cli_commands[i].synopsis);
	fprintf(f,
	    "\n"
	    "  run     run a Python script in a fresh embedded interpreter, streaming its\n"
	    "          output; --time prints real/user/sys, --record samples CPU and memory\n"
	    "  record  sample any process or command as psrecord does: a psrecord log\n"
	    "          (--log) and a PNG or SVG plot (--plot)\n"
	    "  profile run a script under cProfile and print its table as python -m cProfile\n"
	    "          does (default order: cumulative time); -o also saves the .prof file\n"
	    "  stats   open a .prof file (cProfile's or proflab's) in the lab's profile\n"
	    "          view: table, callers and callees, icicle; --text prints pstats' tables\n"
	    "  lines   time each line of the functions chosen with -f (or decorated with\n"
	    "          @profile) and print line_profiler's table, as kernprof -l -v does\n"
	    "  memory  measure each line's memory as memory_profiler does and print its\n"
	    "          table; --peak prints the whole run's peak and increment, as %%memit\n"
	    "  timeit  time a small statement as python3 -m timeit does (the loop count\n"
	    "          found unless -n gives it, the best of -r runs), in a fresh worker\n"
	    "  console a Python prompt in one long-lived worker, with IPython's %%time,\n"
	    "          %%timeit, %%prun, and %%lprun, %%memit, %%mprun; reads standard input\n"
	    "  history list the runs of a script kept by run, profile, lines and memory:\n"
	    "          times, peak memory, machine; each run also says what changed\n"
	    "  machine what this machine is: CPU, cores, frequency, caches, memory,\n"
	    "          disks, load, OS, and the Python proflab runs with numpy's BLAS;\n"
	    "          --json prints it as JSON, --bench adds quick measurements (start-up,\n"
	    "          Python loop, numpy.dot, memory, disk, network to --net URL)\n"
	    "  exercise  list the lessons' exercises with your progress, or run one by\n"
	    "          its ID (E1..E25); one that completes is marked done\n"
	    "\n"
	    "  proflab --reset-progress   forget which exercises are done\n"
	    "\n"
	    "SCRIPT may also name one of the tutorial's exercises (spam, compute_and_io,\n"
	    "multi_core, compute, memory_error, slow_lines, memory_hog). See proflab(1).\n");
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("proflab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "proflab%s%s: ", cmd != NULL ? " " : "", cmd != NULL ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see proflab --help)\n");
	return CLI_EXIT_USAGE;
}

int
cli_seconds(const char *text, int allow_zero, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || *end != '\0' || errno != 0 || !isfinite(v) || v < 0 ||
	    (v == 0 && !allow_zero) || v > 1e7)
		return -1;
	*out = v;
	return 0;
}

/* The words joined by spaces, for messages (caller frees). */
static char *
cli_join(char *const *words, int n)
{
	struct buf b;

	buf_init(&b);
	for (int i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		buf_adds(&b, words[i]);
	}
	return buf_steal(&b);
}

static int
cli_is_pid(const char *s)
{
	if (*s == '\0' || strlen(s) > 10)
		return 0;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return 0;
	}
	return 1;
}

/*
 * Whether a shell command string is one simple command: no unquoted
 * operator (pipe, list, redirection, subshell, substitution).
 */
static int
cli_shell_is_simple(const char *s)
{
	const char *w = s + strspn(s, " \t");
	char quote = 0;

	/* "NAME=value cmd" cannot follow exec. */
	w += strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	if (w > s && *w == '=')
		return 0;
	for (; *s != '\0'; s++) {
		if (quote == '\'') {
			if (*s == '\'')
				quote = 0;
			continue;
		}
		if (*s == '\\' && s[1] != '\0') {
			s++;
			continue;
		}
		if (*s == '`' || (*s == '$' && s[1] == '('))
			return 0;
		if (quote == '"') {
			if (*s == '"')
				quote = 0;
			continue;
		}
		if (*s == '\'' || *s == '"')
			quote = *s;
		else if (strchr("|&;<>()\n", *s) != NULL)
			return 0;
	}
	return 1;
}

static void
cli_print_summary(FILE *f, const char *prefix, const struct recorder *rec)
{
	const struct recording *r = &rec->rec;
	double cpu_max = 0, cpu_sum = 0;
	long peak = recording_peak(r);

	for (size_t i = 0; i < r->nsamples; i++) {
		cpu_sum += r->samples[i].cpu;
		if (r->samples[i].cpu > cpu_max)
			cpu_max = r->samples[i].cpu;
	}
	fprintf(f, "%s%zu samples every %.3g s", prefix, r->nsamples, rec->interval);
	if (rec->missed != 0)
		fprintf(f, " (%lu late, skipped)", rec->missed);
	if (peak >= 0) {
		fprintf(f, "; CPU max %.0f %%, mean %.0f %%; peak memory %.1f MB at %.2f s",
		    cpu_max, r->nsamples > 1 ? cpu_sum / (double)(r->nsamples - 1) : 0.0,
		    r->samples[peak].rss_mb, r->samples[peak].t);
	}
	fputc('\n', f);
}

static void
cli_print_marks(FILE *f, const struct recording *r)
{
	if (r->nmarks == 0)
		return;
	fprintf(f, "proflab: phase markers:\n");
	for (size_t i = 0; i < r->nmarks; i++)
		fprintf(f, "%10.3f s  %s\n", r->marks[i].t, r->marks[i].label);
}

static int
cli_write_plot(const char *path, const struct recording *r, const char *title)
{
	char *cause = NULL;

	if (path == NULL)
		return 0;
	if (plot_write(path, r, title, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Checks early that a file can be created at path, so an hour's run is not lost at the end. */
int
cli_check_writable(const char *path)
{
	char *dir, *slash;
	int ok;

	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	ok = access(dir, W_OK | X_OK) == 0;
	if (!ok)
		cli_error("cannot write %s: %s: %s", path, dir, strerror(errno));
	free(dir);
	return ok ? 0 : -1;
}

/* Checks early that a plot can be written: its type, and its directory. */
static int
cli_check_plot_path(const char *cmd, const char *path)
{
	const char *dot;

	if (path == NULL)
		return 0;
	dot = strrchr(path, '.');
	if (dot == NULL || (strcasecmp(dot, ".png") != 0 && strcasecmp(dot, ".svg") != 0)) {
		cli_usage_error(
		    cmd, "cannot plot to %s: the file name must end in .png or .svg", path);
		return -1;
	}
	return cli_check_writable(path);
}

/* --- proflab run ----------------------------------------------------------- */

static void
cli_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return; /* our own output is gone (closed pipe): keep running */
		}
		data += n;
		len -= (size_t)n;
	}
}

static void
cli_run_output(struct run *r, int stream, const char *data, size_t len, void *arg)
{
	cli_write_all(stream == 1 ? STDOUT_FILENO : STDERR_FILENO, data, len);
}

static void
cli_run_warning(struct run *r, const char *message, void *arg)
{
	cli_error("%s", message);
}

static void
cli_run_end(struct run *r, void *arg)
{
	struct cli_run_state *s = arg;

	s->ended = 1;
	loop_stop(r->loop);
}

static void
cli_run_sigint(int signo, void *arg)
{
	struct cli_run_state *s = arg;

	s->interrupted++;
	if (s->interrupted == 1)
		cli_error("stopping %s (Ctrl-C again to kill it now)", s->script);
	run_stop(&s->run);
}

static void
cli_print_time(const struct child_status *st)
{
	double user = (double)st->ru.ru_utime.tv_sec + (double)st->ru.ru_utime.tv_usec / 1e6;
	double sys = (double)st->ru.ru_stime.tv_sec + (double)st->ru.ru_stime.tv_usec / 1e6;
	const double v[3] = {st->real, user, sys};
	const char *names[3] = {"real", "user", "sys"};

	fputc('\n', stderr);
	for (int i = 0; i < 3; i++) {
		int min = (int)(v[i] / 60);

		fprintf(stderr, "%s\t%dm%.3fs\n", names[i], min, v[i] - 60.0 * min);
	}
}

int
cli_run_worker(struct cli_run_state *s, struct loop **lp, struct run_opts *o, const char *label)
{
	char *cause = NULL, *desc;
	int rc;

	s->script = label;
	o->capture_output = 1;
	o->keep_stdin = 1;
	s->run.on_output = cli_run_output;
	s->run.on_warning = cli_run_warning;
	s->run.on_end = cli_run_end;
	s->run.arg = s;
	signal(SIGPIPE, SIG_IGN);
	*lp = loop_new();
	if (loop_add_signal(*lp, SIGINT, cli_run_sigint, s, &cause) == -1 ||
	    loop_add_signal(*lp, SIGTERM, cli_run_sigint, s, &cause) == -1 ||
	    run_start(&s->run, *lp, o, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		return CLI_EXIT_ERROR;
	}
	if (loop_run(*lp, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
	}
	rc = run_exit_code(&s->run);
	if (s->run.worker_error != NULL) {
		rc = CLI_EXIT_ERROR;
	} else if (!s->run.status.exited || s->interrupted) {
		desc = run_describe(&s->run);
		cli_error("%s %s", label, desc);
		free(desc);
	}
	return rc;
}

static int
cli_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"record", no_argument, NULL, 'r'},
	    {"interval", required_argument, NULL, 'i'},
	    {"log", required_argument, NULL, 'l'},
	    {"plot", required_argument, NULL, 'p'},
	    {"time", no_argument, NULL, 't'},
	    {"grace", required_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_run_state s;
	struct run_opts o;
	struct loop *l;
	char *script, *cause = NULL;
	int c, record = 0, show_time = 0, rc;
	double interval = 0.1, grace = 2.0;
	const char *log = NULL, *plot = NULL;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			record = 1;
			break;
		case 'i':
			if (cli_seconds(optarg, 0, &interval) == -1)
				return cli_usage_error("run",
				    "invalid --interval '%s': "
				    "expected seconds > 0",
				    optarg);
			break;
		case 'l':
			log = optarg;
			record = 1;
			break;
		case 'p':
			plot = optarg;
			record = 1;
			break;
		case 't':
			show_time = 1;
			break;
		case 'g':
			if (cli_seconds(optarg, 0, &grace) == -1)
				return cli_usage_error("run",
				    "invalid --grace '%s': "
				    "expected seconds > 0",
				    optarg);
			break;
		case 'h':
			printf("usage: proflab %s\n", cli_commands[0].synopsis);
			return 0;
		default:
			return cli_usage_error("run", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("run", "no SCRIPT given");
	if (cli_check_plot_path("run", plot) == -1)
		return CLI_EXIT_USAGE;
	script = paths_script(argv[optind], &cause);
	if (script == NULL) {
		cli_error("%s", cause);
		free(cause);
		return CLI_EXIT_ERROR;
	}
	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	o.script = script;
	o.script_args = argv + optind + 1;
	o.grace = grace;
	o.record = record;
	o.rec.children = 1;
	o.rec.interval = interval;
	o.rec.log_path = log;
	rc = cli_run_worker(&s, &l, &o, script);
	if (!s.ended) {
		run_free(&s.run);
		loop_free(l);
		free(script);
		return rc;
	}
	if (show_time)
		cli_print_time(&s.run.status);
	if (record) {
		if (s.run.rec.end == RECORDER_ERROR)
			cli_error("recording failed: %s", s.run.rec.error);
		cli_print_marks(stderr, &s.run.rec.rec);
		cli_print_summary(stderr, "proflab: recorded ", &s.run.rec);
		cli_fingerprint(&s.run.rec.rec, s.run.python_version, s.run.blas_library);
		if (log != NULL && strcmp(log, "-") != 0)
			fprintf(stderr, "proflab: log written to %s\n", log);
		if (cli_write_plot(plot, &s.run.rec.rec, script) == 0 && plot != NULL)
			fprintf(stderr, "proflab: plot written to %s\n", plot);
		else if (plot != NULL && rc == 0)
			rc = CLI_EXIT_ERROR;
	}
	cli_history_note(&s.run, &o, rc);
	run_free(&s.run);
	loop_free(l);
	free(script);
	return rc;
}

/* --- proflab record -------------------------------------------------------- */

struct cli_record_state {
	struct loop *loop;
	struct recorder rec;
	int have_run;
	struct run run;
	int interrupted;
};

static void
cli_record_end(struct recorder *rec, void *arg)
{
	struct cli_record_state *s = arg;

	/* A command we started is stopped with its recording (--duration). */
	if (s->have_run && s->run.state != RUN_ENDED) {
		if (rec->end == RECORDER_DURATION)
			run_stop(&s->run);
		return;
	}
	loop_stop(s->loop);
}

static void
cli_record_run_end(struct run *r, void *arg)
{
	struct cli_record_state *s = arg;

	if (s->run.rec.end != RECORDER_RUNNING)
		loop_stop(s->loop);
}

static void
cli_record_sigint(int signo, void *arg)
{
	struct cli_record_state *s = arg;

	s->interrupted++;
	if (s->have_run) {
		struct recorder *rec = &s->run.rec;

		if (rec->end == RECORDER_RUNNING)
			recorder_finish(rec, RECORDER_STOPPED, NULL);
		run_stop(&s->run);
		return;
	}
	recorder_finish(&s->rec, RECORDER_STOPPED, NULL);
}

static int
cli_record_bench(int pid, long n)
{
	struct sampler *sp;
	struct sample smp;
	struct timespec c0, c1, w0, w1;
	char *cause = NULL;
	double cpu, wall;

	sp = sampler_open("/proc", pid, 0, &cause);
	if (sp == NULL) {
		cli_error("%s", cause);
		free(cause);
		return CLI_EXIT_ERROR;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	clock_gettime(CLOCK_MONOTONIC, &w0);
	for (long i = 0; i < n; i++) {
		if (sampler_read(sp, (double)i * 1e-3, &smp, &cause) != 1) {
			cli_error("process %d ended during the benchmark", pid);
			free(cause);
			sampler_free(sp);
			return CLI_EXIT_ERROR;
		}
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &w1);
	sampler_free(sp);
	cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	wall = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
	printf("samples %ld cpu_seconds %.6f wall_seconds %.6f ns_per_sample %.1f\n", n, cpu, wall,
	    cpu / (double)n * 1e9);
	return 0;
}

static int
cli_record(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"interval", required_argument, NULL, 'i'},
	    {"duration", required_argument, NULL, 'd'},
	    {"include-children", no_argument, NULL, 'c'},
	    {"log", required_argument, NULL, 'l'},
	    {"plot", required_argument, NULL, 'p'},
	    {"bench-samples", required_argument, NULL, 'B'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_record_state s;
	struct recorder_opts ro;
	struct recorder *rec;
	const char *log = NULL, *plot = NULL, *title;
	char *cause = NULL, *sh_argv[4], *sh_cmd = NULL, *shown = NULL, *endp;
	int c, children = 0, rc = 0, dashdash;
	double interval = 0.1, duration = 0;
	long bench = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (cli_seconds(optarg, 0, &interval) == -1)
				return cli_usage_error("record",
				    "invalid --interval '%s': "
				    "expected seconds > 0",
				    optarg);
			break;
		case 'd':
			if (cli_seconds(optarg, 0, &duration) == -1)
				return cli_usage_error("record",
				    "invalid --duration '%s': "
				    "expected seconds > 0",
				    optarg);
			break;
		case 'c':
			children = 1;
			break;
		case 'l':
			log = optarg;
			break;
		case 'p':
			plot = optarg;
			break;
		case 'B':
			errno = 0;
			bench = strtol(optarg, &endp, 10);
			if (*endp != '\0' || errno != 0 || bench <= 0)
				return cli_usage_error(
				    "record", "invalid --bench-samples '%s'", optarg);
			break;
		case 'h':
			printf("usage: proflab %s\n", cli_commands[1].synopsis);
			return 0;
		default:
			return cli_usage_error("record", "unknown option '%s'", argv[optind - 1]);
		}
	}
	dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
	if (optind >= argc)
		return cli_usage_error("record", "no PID or command given");
	if (!dashdash && optind + 1 < argc)
		return cli_usage_error("record",
		    "unexpected '%s' (quote the command, or put it after --)", argv[optind + 1]);
	if (bench > 0) {
		if (dashdash || !cli_is_pid(argv[optind]))
			return cli_usage_error("record", "--bench-samples takes a PID");
		return cli_record_bench(atoi(argv[optind]), bench);
	}
	if (cli_check_plot_path("record", plot) == -1)
		return CLI_EXIT_USAGE;

	memset(&s, 0, sizeof s);
	memset(&ro, 0, sizeof ro);
	ro.children = children;
	ro.interval = interval;
	ro.duration = duration;
	ro.log_path = log;
	signal(SIGPIPE, SIG_IGN);
	s.loop = loop_new();
	if (loop_add_signal(s.loop, SIGINT, cli_record_sigint, &s, &cause) == -1 ||
	    loop_add_signal(s.loop, SIGTERM, cli_record_sigint, &s, &cause) == -1)
		goto fail;
	if (!dashdash && cli_is_pid(argv[optind])) {
		long pid = strtol(argv[optind], NULL, 10);

		if (pid <= 0 || pid > 0x7fffffffL) {
			cause = xasprintf("no process with PID %s", argv[optind]);
			goto fail;
		}
		ro.pid = (int)pid;
		if (recorder_start(&s.rec, s.loop, &ro, &cause) == -1)
			goto fail;
		/* recorder_start cleared the callbacks with the struct. */
		s.rec.on_end = cli_record_end;
		s.rec.arg = &s;
		rec = &s.rec;
		title = argv[optind];
		printf("Attaching to process %ld\n", pid);
	} else {
		struct run_opts o;

		memset(&o, 0, sizeof o);
		if (dashdash) {
			o.argv = argv + optind;
		} else {
			/*
			 * The shell parses the string; a simple command replaces the
			 * shell (exec), so the PID sampled is the command's own. A
			 * pipeline or list keeps the shell, and then its children are
			 * the ones to sample.
			 */
			if (cli_shell_is_simple(argv[optind])) {
				sh_cmd = xasprintf("exec %s", argv[optind]);
			} else {
				sh_cmd = xstrdup(argv[optind]);
				ro.children = 1;
			}
			sh_argv[0] = (char *)"/bin/sh";
			sh_argv[1] = (char *)"-c";
			sh_argv[2] = sh_cmd;
			sh_argv[3] = NULL;
			o.argv = sh_argv;
		}
		o.keep_stdin = 1;
		o.record = 1;
		o.rec = ro;
		s.have_run = 1;
		s.run.on_end = cli_record_run_end;
		s.run.on_warning = cli_run_warning;
		s.run.arg = &s;
		title = shown = cli_join(argv + optind, dashdash ? argc - optind : 1);
		printf("Starting up command '%s' and attaching to process\n", shown);
		fflush(stdout);
		if (run_start(&s.run, s.loop, &o, &cause) == -1)
			goto fail;
		s.run.rec.on_end = cli_record_end;
		s.run.rec.arg = &s;
		rec = &s.run.rec;
	}
	fflush(stdout);
	if (loop_run(s.loop, &cause) == -1)
		goto fail;
	if (rec->end == RECORDER_RUNNING)
		recorder_finish(rec, RECORDER_STOPPED, NULL);
	switch (rec->end) {
	case RECORDER_DURATION:
		printf("Recording finished after %.2f seconds (--duration)\n", rec->end_time);
		break;
	case RECORDER_STOPPED:
		printf("Recording stopped (%.2f seconds)\n", rec->end_time);
		break;
	case RECORDER_ERROR:
		cli_error("recording failed: %s", rec->error);
		rc = CLI_EXIT_ERROR;
		break;
	default:
		printf("Process finished (%.2f seconds)\n", rec->end_time);
		break;
	}
	cli_print_summary(stdout, "", rec);
	fflush(stdout);
	cli_fingerprint(&rec->rec, NULL, NULL);
	if (cli_write_plot(plot, &rec->rec, title) == -1)
		rc = CLI_EXIT_ERROR;
	if (s.have_run && rc == 0 && s.run.reaped && !s.interrupted &&
	    rec->end != RECORDER_DURATION)
		rc = run_exit_code(&s.run);
	if (s.have_run)
		run_free(&s.run);
	else
		recorder_free(&s.rec);
	loop_free(s.loop);
	free(sh_cmd);
	free(shown);
	return rc;

fail:
	cli_error("%s", cause);
	free(cause);
	if (s.have_run)
		run_free(&s.run);
	loop_free(s.loop);
	free(sh_cmd);
	free(shown);
	return CLI_EXIT_ERROR;
}

/* --- proflab exercise --------------------------------------------------------- */

static int
cli_load_lessons(struct lesson_set *set)
{
	char *dir = xasprintf("%s/lessons", paths_datadir()), *cause = NULL;
	int rc = lesson_set_load(dir, set, &cause);

	free(dir);
	if (rc == -1) {
		cli_error("%s", cause);
		free(cause);
		return -1;
	}
	for (size_t i = 0; i < set->nerrors; i++)
		cli_error("%s", set->errors[i]);
	return 0;
}

static int
cli_load_progress(struct progress *p)
{
	char *path, *cause = NULL;

	path = progress_path(&cause);
	if (path == NULL || progress_load(p, path, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static void
cli_exercise_list(const struct lesson_set *set, const struct progress *pr)
{
	printf(
	    "%-4s  %-4s  %-6s  %-7s  %-7s  %s\n", "done", "id", "lesson", "kind", "needs", "title");
	for (size_t i = 0; i < set->nlessons; i++) {
		const struct lesson *l = set->lessons[i];

		for (size_t j = 0; j < l->nblocks; j++) {
			const struct exercise *ex = l->blocks[j].ex;

			if (ex == NULL)
				continue;
			printf("%-4s  %-4s  %-6d  %-7s  %-7s  %s\n",
			    progress_is_done(pr, ex->id) ? "[x]" : "[ ]", ex->id, l->number,
			    ex->kind == EXERCISE_SNIPPET ? "python" : ex->argv[0],
			    ex->needs != NULL ? ex->needs : "-", ex->title);
		}
	}
}

/* Runs a snippet in a fresh worker, as typed at the >>> prompt. */
static int
cli_exercise_snippet(const struct exercise *ex)
{
	char dir[] = "/tmp/proflab-exercise.XXXXXX", *path;
	char *args[] = {NULL};
	struct cli_run_state s;
	struct run_opts o;
	struct loop *l;
	FILE *f;
	int rc = CLI_EXIT_ERROR;

	if (mkdtemp(dir) == NULL) {
		cli_error("cannot create a directory for %s: %s", ex->id, strerror(errno));
		return CLI_EXIT_ERROR;
	}
	path = xasprintf("%s/%s.py", dir, ex->id);
	f = fopen(path, "we");
	if (f == NULL || fputs(ex->code, f) == EOF || fclose(f) == EOF) {
		cli_error("cannot write %s: %s", path, strerror(errno));
		unlink(path);
		rmdir(dir);
		free(path);
		return CLI_EXIT_ERROR;
	}
	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	o.script = path;
	o.script_args = args;
	o.interactive = 1;
	rc = cli_run_worker(&s, &l, &o, ex->id);
	run_free(&s.run);
	loop_free(l);
	unlink(path);
	rmdir(dir);
	free(path);
	return rc;
}

static int
cli_exercise(int argc, char **argv)
{
	struct lesson_set set;
	struct exercise_plan plan;
	struct progress pr;
	const struct exercise *ex;
	const struct lesson *in;
	char *cause = NULL;
	int rc;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: proflab exercise (--list | ID)\n");
		return 0;
	}
	if (argc != 2)
		return cli_usage_error("exercise", "give --list or one exercise ID");
	if (cli_load_lessons(&set) == -1)
		return CLI_EXIT_ERROR;
	if (cli_load_progress(&pr) == -1) {
		lesson_set_free(&set);
		return CLI_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--list") == 0) {
		cli_exercise_list(&set, &pr);
		rc = set.nerrors == 0 ? 0 : CLI_EXIT_ERROR;
		goto out;
	}
	ex = lesson_set_find(&set, argv[1], &in);
	if (ex == NULL) {
		rc = cli_usage_error("exercise", "no exercise '%s' in the lessons", argv[1]);
		goto out;
	}
	exercise_plan(ex, &plan);
	fprintf(stderr, "proflab: %s (lesson %d): %s\n", ex->id, in->number, ex->title);
	if (plan.note != NULL)
		fprintf(stderr, "proflab: %s\n", plan.note);
	fflush(stderr);
	switch (plan.kind) {
	case PLAN_SNIPPET:
		rc = cli_exercise_snippet(ex);
		break;
	case PLAN_COMMAND:
		rc = cli_main(plan.argc + 1, plan.argv - 1);
		break;
	case PLAN_CONSOLE: {
		char *dir = xasprintf("%s/exercises", paths_datadir());

		rc = cli_console_run(dir, 2.0, 1, plan.code);
		free(dir);
		break;
	}
	default:
		rc = 0;
		break;
	}
	if (rc == 0 && plan.kind != PLAN_WAITING && progress_mark(&pr, ex->id, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
	}
	exercise_plan_free(&plan);
out:
	progress_free(&pr);
	lesson_set_free(&set);
	return rc;
}

static int
cli_reset_progress(void)
{
	struct progress pr;
	char *cause = NULL;
	size_t n;

	if (cli_load_progress(&pr) == -1)
		return CLI_EXIT_ERROR;
	n = pr.ndone;
	if (progress_reset(&pr, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		progress_free(&pr);
		return CLI_EXIT_ERROR;
	}
	printf("proflab: progress reset (%zu exercise%s forgotten)\n", n, n == 1 ? "" : "s");
	progress_free(&pr);
	return 0;
}

/* proflab [--present] [--ascii] [lesson N]: the lab. */
static int
cli_lab(int argc, char **argv)
{
	struct tui_opts o;
	int i;

	memset(&o, 0, sizeof o);
	o.lesson = -1;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--present") == 0)
			o.present = 1;
		else if (strcmp(argv[i], "--ascii") == 0)
			o.ascii = 1;
		else
			return cli_usage_error(NULL, "unknown option '%s'", argv[i]);
	}
	if (i < argc && strcmp(argv[i], "lesson") == 0) {
		char *end;
		long n;

		if (i + 2 != argc)
			return cli_usage_error("lesson", "give one lesson number, 0 to 10");
		n = strtol(argv[i + 1], &end, 10);
		if (*end != '\0' || end == argv[i + 1] || n < 0 || n > 99)
			return cli_usage_error("lesson", "invalid lesson number '%s'", argv[i + 1]);
		o.lesson = (int)n;
	} else if (i < argc) {
		return cli_usage_error(NULL, "unknown command '%s'", argv[i]);
	}
	return tui_main(&o);
}

int
cli_main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "lesson") == 0 || strcmp(argv[1], "--present") == 0 ||
	    strcmp(argv[1], "--ascii") == 0)
		return cli_lab(argc, argv);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--reset-progress") == 0 && argc == 2)
		return cli_reset_progress();
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("proflab %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++) {
		if (strcmp(argv[1], cli_commands[i].name) == 0)
			return cli_commands[i].fn(argc - 1, argv + 1);
	}
	if (argv[1][0] == '-')
		return cli_usage_error(NULL, "unknown option '%s'", argv[1]);
	return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
