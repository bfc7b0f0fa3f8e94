/*
 * The run history on the command line (core/history.h): every run of a
 * script by `run`, `profile`, `lines` or `memory` is kept, and says on
 * stderr, when it has ended, what changed since the last run of the same
 * script, arguments and machine (and for a profile how its top function
 * changed), and for an instrument what it cost against the plain runs;
 * `proflab history SCRIPT` lists a script's runs. What is kept and said is
 * core/history.c's; this file only prints it.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "core/history.h"
#include "core/paths.h"

const char cli_history_synopsis[] = "history SCRIPT";

void
cli_history_note(const struct run *r, const struct run_opts *o, int status)
{
	char *cause = NULL;
	struct buf notes;
	int rc;

	buf_init(&notes);
	rc = history_record_run(r, o, status, &notes, &cause);
	if (notes.len > 0)
		fwrite(notes.data, 1, notes.len, stderr);
	if (rc == -1) {
		cli_error("the run is not kept in the history: %s", cause);
		free(cause);
	}
	buf_free(&notes);
}

int
cli_history(int argc, char **argv)
{
	const struct history_entry *last;
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
	real = history_script(script);
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
		last = &h.entries[h.n - 1];
		base = history_baseline(&h, h.n - 1, last);
		if (base >= 0) {
			buf_adds(&b, "last against the one before: ");
			history_format_change(&b, &h.entries[base], last);
			buf_addc(&b, '\n');
			if (history_format_top_change(&b, &h.entries[base], last) == 0)
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
