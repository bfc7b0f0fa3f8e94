/*
 * The command line: option parsing and the text subcommands. Each subcommand
 * prints the same models the TUI shows.
 */
#ifndef PROFLAB_CLI_H
#define PROFLAB_CLI_H

/* Exit statuses of proflab itself (a run's own status is passed through). */
#define CLI_EXIT_ERROR 1
#define CLI_EXIT_USAGE 2

int cli_main(int argc, char **argv);
void cli_usage(FILE *f);

#endif
