/*
 * proflab profile and proflab stats: cProfile from the command line.
 *
 * `profile` runs a script in a fresh worker under cProfile (the worker's
 * --profile), streams its output, then prints the table as python -m
 * cProfile does: directories stripped, in the given order. The pstats file
 * goes to -o FILE (written beside it and renamed into place, so a stopped
 * run never leaves half a file) or to a temporary directory removed after.
 *
 * `stats` opens any pstats file: in the lab's profile view on a terminal, or
 * as pstats' text tables with --text (or when stdout is not a terminal).
 * Both print in python -m cProfile's default order (cumulative time) unless
 * -s says otherwise; the lab opens sorted by internal time, as %prun.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/loop.h"
#include "core/paths.h"
#include "core/profile.h"
#include "tui/tui.h"

const char cli_profile_synopsis[] =
    "profile [-s SORT] [-o FILE.prof] [--limit N] [--grace S] SCRIPT [ARGS...]";
const char cli_stats_synopsis[] =
    "stats [--text] [-s SORT] [--callers PATTERN] [--callees PATTERN]\n"
    "      [--strip-dirs] [--limit N] [--icicle] [--ascii] FILE.prof";

/* --limit: a count (N >= 0) or, as pstats takes it, a share (0 <= N < 1). */
static int
cli_parse_limit(const char *cmd, const char *text, struct prof_restrict *r)
{
	char *end;
	double v;

	errno = 0;
	if (strspn(text, "0123456789") == strlen(text) && *text != '\0') {
		long n = strtol(text, &end, 10);

		if (errno == 0) {
			r->kind = PROF_R_COUNT;
			r->count = n;
			return 0;
		}
	} else {
		v = strtod(text, &end);
		if (end != text && *end == '\0' && errno == 0 && v >= 0 && v < 1) {
			r->kind = PROF_R_FRACTION;
			r->fraction = v;
			return 0;
		}
	}
	cli_usage_error(cmd,
	    "invalid --limit '%s': expected a number of lines, or a share below 1 (0.1 = the top "
	    "10%%)",
	    text);
	return -1;
}

static int
cli_parse_sort(const char *cmd, const char *keys, struct prof_sort *s)
{
	char *cause = NULL;

	if (prof_sort_parse(s, keys, &cause) == 0)
		return 0;
	cli_usage_error(cmd, "%s", cause);
	free(cause);
	return -1;
}

static void
cli_print_buf(struct buf *b)
{
	fwrite(b->data != NULL ? b->data : "", 1, b->len, stdout);
	fflush(stdout);
	buf_reset(b);
}

/* The temporary file the worker writes: beside `out`, or in a new directory. */
static char *
cli_profile_tmp(const char *out, char **tmpdir)
{
	const char *base;
	char *path;
	int fd;

	*tmpdir = NULL;
	if (out != NULL) {
		path = xasprintf("%s.XXXXXX", out);
		fd = mkstemp(path);
		if (fd == -1) {
			cli_error("cannot write %s: %s", out, strerror(errno));
			free(path);
			return NULL;
		}
		close(fd);
		return path;
	}
	base = getenv("TMPDIR");
	*tmpdir =
	    xasprintf("%s/proflab-profile.XXXXXX", base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(*tmpdir) == NULL) {
		cli_error("cannot create a temporary directory (%s): %s", *tmpdir, strerror(errno));
		free(*tmpdir);
		*tmpdir = NULL;
		return NULL;
	}
	return xasprintf("%s/profile.prof", *tmpdir);
}

int
cli_profile(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"sort", required_argument, NULL, 's'},
	    {"output", required_argument, NULL, 'o'},
	    {"limit", required_argument, NULL, 'n'},
	    {"grace", required_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct prof_restrict limit = {PROF_R_COUNT, NULL, -1, 0};
	struct cli_run_state s;
	struct prof_sort sort;
	struct run_opts o;
	struct prof raw, stripped;
	struct loop *l;
	struct buf b;
	char *script, *cause = NULL, *tmp, *tmpdir;
	const char *out = NULL;
	double grace = 2.0;
	int c, rc, have_limit = 0;

	prof_sort_field(&sort, PROF_F_CUMULATIVE);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:s:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_sort("profile", optarg, &sort) == -1)
				return CLI_EXIT_USAGE;
			break;
		case 'o':
			out = optarg;
			break;
		case 'n':
			if (cli_parse_limit("profile", optarg, &limit) == -1)
				return CLI_EXIT_USAGE;
			have_limit = 1;
			break;
		case 'g':
			if (cli_seconds(optarg, 0, &grace) == -1)
				return cli_usage_error("profile",
				    "invalid --grace '%s': expected seconds > 0", optarg);
			break;
		case 'h':
			printf("usage: proflab %s\n", cli_profile_synopsis);
			return 0;
		case ':':
			return cli_usage_error(
			    "profile", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("profile", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("profile", "no SCRIPT given");
	if (out != NULL && (*out == '\0' || cli_check_writable(out) == -1))
		return out[0] == '\0' ? cli_usage_error("profile", "-o needs a file name")
		                      : CLI_EXIT_ERROR;
	script = paths_script(argv[optind], &cause);
	if (script == NULL) {
		cli_error("%s", cause);
		free(cause);
		return CLI_EXIT_ERROR;
	}
	tmp = cli_profile_tmp(out, &tmpdir);
	if (tmp == NULL) {
		free(script);
		return CLI_EXIT_ERROR;
	}
	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	o.script = script;
	o.script_args = argv + optind + 1;
	o.grace = grace;
	o.profile_out = tmp;
	rc = cli_run_worker(&s, &l, &o, script);

	buf_init(&b);
	if (!s.run.profile_written) {
		if (s.run.worker_error == NULL)
			cli_error(
			    "no profile: %s ended before its statistics were written", script);
		if (rc == 0)
			rc = CLI_EXIT_ERROR;
	} else if (prof_load(&raw, tmp, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		rc = CLI_EXIT_ERROR;
	} else {
		/* As cProfile prints it: directories stripped, no file line. */
		prof_strip(&stripped, &raw);
		prof_free(&raw);
		free(stripped.source);
		stripped.source = NULL;
		prof_print_stats(&b, &stripped, &sort, &limit, have_limit);
		cli_print_buf(&b);
		prof_free(&stripped);
		if (out != NULL && rename(tmp, out) == -1) {
			cli_error("cannot write %s: %s", out, strerror(errno));
			rc = CLI_EXIT_ERROR;
		} else if (out != NULL) {
			fprintf(stderr,
			    "proflab: profile written to %s (open it with: proflab stats %s)\n",
			    out, out);
			o.profile_out = out; /* where the history reads its top functions */
		}
	}
	buf_free(&b);
	cli_history_note(&s.run, &o, rc);
	unlink(tmp);
	if (tmpdir != NULL)
		rmdir(tmpdir);
	free(tmpdir);
	free(tmp);
	run_free(&s.run);
	loop_free(l);
	free(script);
	return rc;
}

int
cli_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"text", no_argument, NULL, 't'},
	    {"sort", required_argument, NULL, 's'},
	    {"callers", required_argument, NULL, 'r'},
	    {"callees", required_argument, NULL, 'e'},
	    {"strip-dirs", no_argument, NULL, 'd'},
	    {"limit", required_argument, NULL, 'n'},
	    {"icicle", no_argument, NULL, 'i'},
	    {"ascii", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct prof_restrict r[2];
	struct prof_sort sort;
	struct prof p, stripped;
	struct tui_opts to;
	struct buf b;
	const char *sort_keys = NULL, *callers = NULL, *callees = NULL;
	char *cause = NULL;
	int c, text = 0, strip = 0, icicle = 0, ascii = 0, nr = 0, have_limit = 0;
	struct prof_restrict limit = {PROF_R_COUNT, NULL, -1, 0};

	prof_sort_field(&sort, PROF_F_CUMULATIVE);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			text = 1;
			break;
		case 's':
			sort_keys = optarg;
			break;
		case 'r':
			callers = optarg;
			text = 1;
			break;
		case 'e':
			callees = optarg;
			text = 1;
			break;
		case 'd':
			strip = 1;
			break;
		case 'n':
			if (cli_parse_limit("stats", optarg, &limit) == -1)
				return CLI_EXIT_USAGE;
			have_limit = 1;
			break;
		case 'i':
			icicle = 1;
			break;
		case 'a':
			ascii = 1;
			break;
		case 'h':
			printf("usage: proflab %s\n", cli_stats_synopsis);
			return 0;
		case ':':
			return cli_usage_error(
			    "stats", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("stats", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("stats", "no FILE.prof given");
	if (optind + 1 < argc)
		return cli_usage_error(
		    "stats", "give one FILE.prof (got '%s' too)", argv[optind + 1]);
	if (sort_keys != NULL && cli_parse_sort("stats", sort_keys, &sort) == -1)
		return CLI_EXIT_USAGE;
	if (!text && icicle == 0 && !isatty(STDOUT_FILENO))
		text = 1;
	if (!text) {
		memset(&to, 0, sizeof to);
		to.lesson = -1;
		to.prof_path = argv[optind];
		to.prof_icicle = icicle;
		to.prof_strip = strip;
		to.prof_sort = sort_keys;
		to.ascii = ascii;
		return tui_main(&to);
	}
	if (prof_load(&p, argv[optind], &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		return CLI_EXIT_ERROR;
	}
	if (strip) {
		prof_strip(&stripped, &p);
		prof_free(&p);
		p = stripped;
	}
	if (have_limit)
		r[nr++] = limit;
	buf_init(&b);
	if (callers == NULL && callees == NULL)
		prof_print_stats(&b, &p, &sort, r, nr);
	/* --callers PATTERN --limit N: pstats' print_callers(PATTERN, N). */
	if (callers != NULL) {
		struct prof_restrict rr[2] = {{PROF_R_PATTERN, callers, 0, 0}, limit};

		prof_print_callers(&b, &p, &sort, rr, 1 + have_limit);
	}
	if (callees != NULL) {
		struct prof_restrict rr[2] = {{PROF_R_PATTERN, callees, 0, 0}, limit};

		prof_print_callees(&b, &p, &sort, rr, 1 + have_limit);
	}
	cli_print_buf(&b);
	buf_free(&b);
	prof_free(&p);
	return 0;
}
