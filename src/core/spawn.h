/*
 * Starting and ending child processes: the worker, or any command that
 * `proflab record` starts. fork+exec only; the child gets default signal
 * dispositions and an empty mask, its own process group (so the terminal's
 * ^C reaches proflab, which decides), stdin from /dev/null unless told to
 * keep it, and every other descriptor closed by O_CLOEXEC. An exec failure
 * comes back to spawn_start as an error, not as a child that exits 127.
 */
#ifndef PROFLAB_CORE_SPAWN_H
#define PROFLAB_CORE_SPAWN_H

#include <sys/resource.h>
#include <sys/types.h>

struct spawn_opts {
	char *const *argv; /* argv[0] is looked up in PATH */
	int keep_stdin; /* inherit stdin instead of /dev/null */
	int capture_output; /* stdout and stderr through pipes (out_fd, err_fd) */
	int channel_fd; /* > 2: a channel pipe lands on this fd in the child */
	int request_fd; /* > 2: the read end of a pipe to the child lands on this fd */
	const char *cwd; /* the child's working directory, or NULL for proflab's */
	int pdeathsig; /* the child dies with SIGKILL when proflab does */
	const char *const *env; /* "NAME=VALUE" pairs to add, NULL-terminated, or NULL */
};

struct child {
	pid_t pid;
	int out_fd; /* -1 unless capture_output */
	int err_fd;
	int chan_fd; /* -1 unless channel_fd */
	int req_fd; /* the write end of the request pipe; -1 unless request_fd */
	double start; /* loop_now() just before fork */
};

/* 0 and *c filled, or -1 with *cause naming the program. */
int spawn_start(const struct spawn_opts *o, struct child *c, char **cause);

struct child_status {
	int exited; /* 1: exited with `code`; 0: killed by `signo` */
	int code;
	int signo;
	int core_dumped;
	double real; /* seconds from start to reaping */
	struct rusage ru; /* the child and the descendants it waited for */
};

/*
 * Reaps c->pid if it has ended: 1 and *st filled, 0 if it still runs (or
 * block != 0 to wait), -1 with *cause.
 */
int spawn_reap(struct child *c, int block, struct child_status *st, char **cause);
/* Sends signo to the child's whole process group (ignores ESRCH). */
void spawn_kill_group(const struct child *c, int signo);
/* "exited with status 1", "was killed by signal 9 (Killed)", ... (caller frees) */
char *spawn_describe(const struct child_status *st);
/* The shell's convention: code, or 128 + signal. */
int spawn_exit_code(const struct child_status *st);
/* Closes the child's pipes that are still open. */
void spawn_close(struct child *c);

#endif
