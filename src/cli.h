/*
 * The command line: option parsing and the text subcommands. Each subcommand
 * prints the same models the TUI shows. cli.c holds the dispatch and the
 * run, record and exercise commands; cli_prof.c the profile commands;
 * cli_lines.c the line-level ones. What they share is declared here.
 */
#ifndef PROFLAB_CLI_H
#define PROFLAB_CLI_H

#include <stdio.h>

#include "core/run.h"

/* Exit statuses of proflab itself (a run's own status is passed through). */
#define CLI_EXIT_ERROR 1
#define CLI_EXIT_USAGE 2

int cli_main(int argc, char **argv);
void cli_usage(FILE *f);

/* "proflab: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "proflab CMD: message (see proflab --help)" on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A number of seconds > 0 (or >= 0 with allow_zero) into *out; -1 on bad text. */
int cli_seconds(const char *text, int allow_zero, double *out);
/* 0 when a file can be created at path, else -1 after saying why. */
int cli_check_writable(const char *path);

struct cli_run_state {
	struct run run;
	int interrupted;
	const char *script;
	int ended;
};

/*
 * Runs o in a fresh worker to its end, streaming its output, with Ctrl-C and
 * SIGTERM as stop requests; says how it ended when that was not a plain
 * exit. Returns proflab's exit status; s->run keeps the run's results until
 * the caller's run_free, and *lp the loop until its loop_free.
 */
int cli_run_worker(
    struct cli_run_state *s, struct loop **lp, struct run_opts *o, const char *label);

/* proflab profile ... and proflab stats ... (cli_prof.c) */
int cli_profile(int argc, char **argv);
int cli_stats(int argc, char **argv);
extern const char cli_profile_synopsis[];
extern const char cli_stats_synopsis[];

/* proflab lines ... and proflab memory ... (cli_lines.c) */
int cli_lines(int argc, char **argv);
int cli_memory(int argc, char **argv);
extern const char cli_lines_synopsis[];
extern const char cli_memory_synopsis[];

/* proflab history SCRIPT, and the note every run leaves there (cli_history.c) */
int cli_history(int argc, char **argv);
extern const char cli_history_synopsis[];
/*
 * Keeps the ended run r of o in the history, with the command's exit status,
 * after saying on stderr what changed since the last such run (and, for an
 * instrument, what it cost).
 */
void cli_history_note(const struct run *r, const struct run_opts *o, int status);

/* proflab console ... (cli_console.c) */
int cli_console(int argc, char **argv);
extern const char cli_console_synopsis[];
/*
 * Runs the console on text (NULL: standard input) in dir (NULL: here), with
 * each input echoed after a prompt when echo is set. 0 when every input ran
 * without an exception or a bad % command, else CLI_EXIT_ERROR.
 */
int cli_console_run(const char *dir, double grace, int echo, const char *text);
/* proflab timeit ... (cli_timeit.c) */
int cli_timeit(int argc, char **argv);
extern const char cli_timeit_synopsis[];

/* proflab machine ... (cli_machine.c) */
int cli_machine(int argc, char **argv);
extern const char cli_machine_synopsis[];
/*
 * Says which machine a recording was made on (stderr) and puts the
 * fingerprint into r, so its plot shows it; python_version and blas_library
 * (the run's, when it ran in the worker) may be NULL.
 */
void cli_fingerprint(struct recording *r, const char *python_version, const char *blas_library);
/* The interpreter proflab embeds (PROFLAB_PYTHON_EXECUTABLE overrides it). */
const char *cli_python_exe(void);

#endif
