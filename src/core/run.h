/*
 * One run: a script in a fresh worker, or any command, started through
 * spawn, watched on the loop until it has ended and every pipe is drained.
 * Output arrives through on_output as it comes; worker channel records
 * (hello, mark, exit) update the run; an optional recorder samples it.
 *
 * Stopping is two-step: run_stop sends SIGINT to the process (Python raises
 * KeyboardInterrupt), and if it has not ended `grace` seconds later the whole
 * process group is killed. When the main process ends, the rest of its group
 * is killed too, so no process is ever left behind.
 *
 * The run owns its child, recorder and channel reader.
 */
#ifndef PROFLAB_CORE_RUN_H
#define PROFLAB_CORE_RUN_H

#include "core/channel.h"
#include "core/recorder.h"
#include "core/spawn.h"

struct loop;
struct loop_timer;

enum run_state { RUN_STARTING, RUN_RUNNING, RUN_STOPPING, RUN_ENDED };

struct run_opts {
	char *const *argv; /* a command, or NULL to run `script` in the worker */
	const char *script; /* with argv == NULL: the script and its args */
	char *const *script_args;
	int interactive; /* the worker runs the script as typed at >>> */
	int console; /* no script: a console worker (--console), its requests on run->child.req_fd */
	const char *cwd; /* the child's working directory; NULL: proflab's */
	const char *profile_out; /* worker runs: run it under cProfile and write the pstats
	                          * file here when the script ends (also after an exception
	                          * or a stop); NULL: no profile */
	const char *lines_out; /* worker runs: the line timer (or, with lines_memory, the line
	                        * memory meter) writes its table here when the script ends */
	int lines_memory;
	char *const *lines_funcs; /* NULL-terminated --func specs, or NULL */
	int capture_output; /* output through on_output (else inherited) */
	int keep_stdin; /* pass proflab's stdin on (never a terminal) */
	double grace; /* seconds between SIGINT and SIGKILL; <= 0: 2 */
	int record; /* sample the run with a recorder */
	struct recorder_opts rec; /* pid and start are filled in by run_start */
};

struct run {
	struct loop *loop;
	enum run_state state;
	struct child child;
	int is_worker;
	struct chan_reader chan;
	int recording;
	struct recorder rec;
	double grace;
	struct loop_timer *kill_timer;
	struct loop_timer *drain_timer;
	int reaped;
	struct child_status status;
	int stop_requested; /* 1: SIGINT sent; 2: group killed */
	/* From the worker's channel; NULL until known. */
	char *python_version;
	char *blas_library; /* the BLAS the script had loaded when it ended (numpy's), or NULL */
	long timeit_number; /* the last timeit record: loops per run (0: none came) */
	double *timeit_times; /* ... each run's seconds */
	int timeit_nruns;
	char *exit_kind; /* ok, exception, systemexit, interrupt */
	char *exit_detail;
	char *worker_error;
	int profile_written; /* the worker said it wrote opts.profile_out */
	int lines_written; /* the worker said it wrote opts.lines_out */
	unsigned long bad_records;
	void (*on_output)(struct run *, int stream, const char *data, size_t len, void *arg);
	void (*on_record)(struct run *, const struct chan_msg *msg, void *arg);
	void (*on_warning)(struct run *, const char *message, void *arg);
	void (*on_end)(struct run *, void *arg);
	void *arg;
};

/* Callbacks and arg must be set on r before; 0, or -1 with *cause. */
int run_start(struct run *r, struct loop *l, const struct run_opts *o, char **cause);
/* First call: SIGINT; later calls, or the grace period running out: SIGKILL. */
void run_stop(struct run *r);
/* "exited with status 0", "was killed by signal 9 (Killed)", ... (caller frees) */
char *run_describe(const struct run *r);
/* The status proflab itself should exit with for this run. */
int run_exit_code(const struct run *r);
void run_free(struct run *r);

#endif
