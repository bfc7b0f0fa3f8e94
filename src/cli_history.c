/*
 * The run history on the command line (core/history.h): every run of a
 * script by `run`, `profile`, `lines` or `memory` is kept, and says on
 * stderr, when it has ended, what changed since the last run of the same
 * script, arguments and machine, and for an instrument what it cost against
 * the plain runs; `proflab history SCRIPT` lists a script's runs.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/history.h"
#include "core/machine.h"
#include "core/paths.h"

const char cli_history_synopsis[] = "history SCRIPT";

/* The kind of run o describes: "run", "profile", "lines" or "memory". */
static const char *
cli_history_kind(const struct run_opts *o)
{
	if (o->profile_out != NULL)
		return "profile";
	if (o->lines_out != NULL)
		return o->lines_memory ? "memory" : "lines";
	return "run";
}

/* The script's absolute path (caller frees). */
static char *
cli_history_script(const char *script)
{
	char real[PATH_MAX];

	return realpath(script, real) != NULL ? xstrdup(real) : xstrdup(script);
}

void
cli_history_note(const struct run *r, const struct run_opts *o, int status)
{
	struct history_entry e;
	struct history h;
	struct buf b;
	char *path, *cause = NULL, *line, stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	long peak;
	int base;

	/* A worker that refused to start (a bad -f) never ran the script: nothing to keep. */
	if (!r->reaped || o->script == NULL || o->interactive || r->worker_error != NULL)
		return;
	path = history_path(&cause);
	if (path == NULL) {
		free(cause);
		return;
	}
	memset(&e, 0, sizeof e);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	e.time = stamp;
	e.script = cli_history_script(o->script);
	buf_init(&b);
	for (int i = 0; o->script_args != NULL && o->script_args[i] != NULL; i++)
		buf_addf(&b, "%s%s", i > 0 ? " " : "", o->script_args[i]);
	buf_addc(&b, '\0');
	e.args = b.data;
	e.kind = (char *)cli_history_kind(o);
	e.status = status;
	e.wall = r->status.real;
	e.user = (double)r->status.ru.ru_utime.tv_sec + (double)r->status.ru.ru_utime.tv_usec / 1e6;
	e.sys = (double)r->status.ru.ru_stime.tv_sec + (double)r->status.ru.ru_stime.tv_usec / 1e6;
	peak = r->recording ? recording_peak(&r->rec.rec) : -1;
	e.peak_mb =
	    peak >= 0 ? r->rec.rec.samples[peak].rss_mb : (double)r->status.ru.ru_maxrss / 1024;
	/* A recorded run has its fingerprint already (cli_fingerprint): no second machine read. */
	if (r->recording && r->rec.rec.machine != NULL)
		line = xstrdup(r->rec.rec.machine);
	else
		line = machine_fingerprint_line(r->python_version, r->blas_library);
	if (line != NULL && strlen(line) > 18 && line[16] == ':') {
		line[16] = '\0';
		e.machine_id = line + 8; /* "machine 1a2b3c4d: ..." */
		e.machine = line + 18;
	}

	/* Only a run that succeeded says what changed: a failed one proves nothing. */
	if (e.status == 0 && history_load(path, e.script, &h, &cause) == 0) {
		struct buf out;

		buf_init(&out);
		base = history_baseline(&h, h.n, &e);
		if (base >= 0) {
			buf_adds(&out, "proflab: since the last run: ");
			history_format_change(&out, &h.entries[base], &e);
			buf_addf(&out, " (against the run of %.10s %.8s UTC)\n",
			    h.entries[base].time,
			    strlen(h.entries[base].time) >= 19 ? h.entries[base].time + 11 : "");
		}
		if (strcmp(e.kind, "run") != 0) {
			buf_adds(&out, "proflab: ");
			if (history_format_overhead(&out, &h, h.n, &e) == 0)
				buf_addc(&out, '\n');
			else
				out.len -= strlen("proflab: ");
		}
		fwrite(out.data, 1, out.len, stderr);
		buf_free(&out);
		history_free(&h);
	} else if (cause != NULL) {
		free(cause);
		cause = NULL;
	}
	if (history_append(path, &e, &cause) == -1) {
		cli_error("the run is not kept in the history: %s", cause);
		free(cause);
	}
	free(line);
	free(e.script);
	buf_free(&b);
	free(path);
}

int
cli_history(int argc, char **argv)
{
	struct history h;
	struct buf b;
	char *path, *script, *real, *cause = NULL;
	int base;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: proflab %s\n", cli_history_synopsis);
		return 0;
	}
	if (argc != 2)
		return cli_usage_error("history", "give one SCRIPT");
	script = paths_script(argv[1], &cause);
	if (script == NULL) {
		cli_error("%s", cause);
		free(cause);
		return CLI_EXIT_ERROR;
	}
	real = cli_history_script(script);
	free(script);
	path = history_path(&cause);
	if (path == NULL || history_load(path, real, &h, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		free(path);
		free(real);
		return CLI_EXIT_ERROR;
	}
	if (h.skipped > 0)
		cli_error("%s: %d line%s that %s not a run left out", path, h.skipped,
		    h.skipped == 1 ? "" : "s", h.skipped == 1 ? "is" : "are");
	if (h.n == 0) {
		printf("no runs of %s yet (kept in %s)\n", real, path);
	} else {
		buf_init(&b);
		buf_addf(&b, "%s: %d run%s\n", real, h.n, h.n == 1 ? "" : "s");
		history_format_table(&b, &h);
		base = history_baseline(&h, h.n - 1, &h.entries[h.n - 1]);
		if (base >= 0) {
			buf_adds(&b, "last against the one before: ");
			history_format_change(&b, &h.entries[base], &h.entries[h.n - 1]);
			buf_addc(&b, '\n');
		}
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
	}
	history_free(&h);
	free(path);
	free(real);
	return 0;
}
