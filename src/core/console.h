/*
 * The console: a Python prompt backed by one long-lived worker
 * (`proflab-worker --console`), shared by `proflab console` and the lab's
 * console screen. Each complete input is one request (core/channel.h's
 * `run` record); % commands (core/magic.h) are parsed here, run by the
 * worker with our own instruments, and their results formatted here in
 * IPython's layouts, so the command line and the TUI print the same text.
 *
 * While a statement runs the worker can be sampled (one recording a
 * statement, for the live graph). Ctrl-C (console_interrupt) raises
 * KeyboardInterrupt in the statement; if it has not ended `grace` seconds
 * later, the worker is killed. A worker that dies, whatever the cause, is
 * replaced by a new one at once, and the console says so: the names defined
 * before are gone with it.
 *
 * The console owns its run, recordings, request state and strings.
 */
#ifndef PROFLAB_CORE_CONSOLE_H
#define PROFLAB_CORE_CONSOLE_H

#include "core/magic.h"
#include "core/recorder.h"
#include "core/run.h"

struct loop;
struct loop_timer;
struct prof;

/* The streams of text a console hands on. */
enum console_stream {
	CONSOLE_STDOUT = 1, /* the statement's own output */
	CONSOLE_STDERR = 2, /* ... its errors and tracebacks */
	CONSOLE_RESULT = 3, /* a % command's result: timings, tables */
	CONSOLE_NOTE = 4 /* the console's own word: a new worker, a bad % command */
};

enum console_state {
	CONSOLE_READY, /* a worker is up (or starting) and no statement runs */
	CONSOLE_BUSY, /* a statement runs */
	CONSOLE_DEAD /* no worker could be started */
};

struct console_opts {
	const char *cwd; /* the worker's working directory (imports are found there); NULL: ours */
	const char *tmpdir; /* where %prun and %lprun files are written; must exist */
	double grace; /* seconds between Ctrl-C and the kill; <= 0: 2 */
	int record; /* sample the worker while each statement runs */
	double interval; /* ... every interval seconds (<= 0: 0.1) */
	int prun_table; /* print %prun's table (else one line: the TUI opens the profile pane) */
};

struct console {
	struct loop *loop;
	struct console_opts opts; /* strings copied */
	char *cwd;
	char *tmpdir;
	enum console_state state;
	struct run run;
	int have_run;
	int got_hello; /* the current worker said hello */
	int failed_starts; /* workers in a row that died before hello */
	int workers; /* workers started so far */
	char *python_version;
	/* the statement running, or the last one */
	long next_id;
	long cur_id;
	char *cur_text;
	struct magic cur;
	char *cur_path; /* its profile or line table */
	char *cur_kind; /* how it ended: ok, exception, interrupt, systemexit, error, died */
	int interrupted;
	struct loop_timer *kill_timer;
	struct loop_timer *respawn_timer;
	int closing; /* console_close: no new worker */
	/* the recording of the statement running, or of the last one */
	int recording; /* 1 running, 2 ended and kept */
	struct recorder rec;
	unsigned long failures; /* statements that raised or failed, and bad % commands */
	void (*on_output)(
	    struct console *, enum console_stream, const char *data, size_t len, void *arg);
	/* A statement ended (or never started: a bad % command); the console is ready again. */
	void (*on_done)(struct console *, void *arg);
	/* %prun wrote a profile (path, in tmpdir), before on_done. */
	void (*on_profile)(struct console *, const char *path, void *arg);
	/* %lprun or %mprun wrote a line table (path, in tmpdir), before on_done. */
	void (*on_lines)(struct console *, const char *path, int memory, void *arg);
	/* The worker changed: started, died, replaced. */
	void (*on_state)(struct console *, void *arg);
	void *arg;
};

/* Starts the first worker; callbacks and arg set on c before. 0, or -1 with *cause. */
int console_start(struct console *c, struct loop *l, const struct console_opts *o, char **cause);
/*
 * Runs one complete input (core/pyinput.h says when it is). A bad %
 * command is reported on CONSOLE_NOTE and ends at once (on_done); so does a
 * blank input. -1 with *cause only when a statement is already running or
 * no worker is left.
 */
int console_submit(struct console *c, const char *text, char **cause);
/* Ctrl-C: KeyboardInterrupt in the running statement, the kill after grace; else nothing. */
void console_interrupt(struct console *c);
/* The recording of the running (or last) statement, or NULL. */
const struct recording *console_recording(const struct console *c);
/*
 * No more input: the worker gets EOF on its requests and ends once the
 * running statement has; no other starts. The state becomes CONSOLE_DEAD
 * (and on_state is called) when it has.
 */
void console_close(struct console *c);
/* Kills the worker if it still runs and frees everything. */
void console_free(struct console *c);

#endif
