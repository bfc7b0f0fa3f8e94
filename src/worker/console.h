/*
 * The console worker: `proflab-worker --console` keeps one interpreter for
 * a whole session and runs the statements the front end sends, one request
 * at a time, in the real __main__ module's namespace.
 *
 * The request loop: read one `run ID MAGIC ARGS SOURCE` record (core/
 * channel.h) from the request fd, run it, flush sys.stdout and sys.stderr,
 * send `done ID KIND DETAIL`; until EOF on the request fd. SOURCE request
 * ID is compiled as the file "<console-ID>", whose lines go in linecache.
 * While idle, SIGINT is swallowed; during a statement it raises
 * KeyboardInterrupt there. A line that is not a well-formed run record with
 * a decimal ID is reported on stderr ("proflab-worker: bad request line N:
 * CAUSE") and skipped; a bad MAGIC or bad ARGS with a good ID is answered
 * `done ID error CAUSE` without running anything.
 *
 * MAGIC and its ARGS (words separated by newlines):
 *   none    ""                 as typed at IPython's prompt: the value of a
 *                              last expression statement is echoed through
 *                              sys.displayhook (not when the source ends in ';')
 *   time    ""                 as %time: `cputime WALL USER SYS DISPLAY`, DISPLAY
 *                              what the echo printed (caught, not printed)
 *   timeit  "NUMBER\nREPEAT"   as %timeit: NUMBER 0 chooses 10**k loops, the
 *                              first taking 0.2 s or more; `timeit NUMBER TIMES`
 *   prun    "PATH"             as %prun: cProfile statistics to PATH (pstats
 *                              format), `profile PATH NFUNCS`
 *   lprun   "PATH\nEXPR..."    as %lprun -f EXPR...: the line timer on each
 *                              EXPR's function; the table (core/linetab.h) to
 *                              PATH, `lines PATH time NFUNCS`
 *   mprun   "PATH\nEXPR..."    as %mprun: the line memory meter likewise,
 *                              `lines PATH memory NFUNCS`
 *   memit   "REPEAT"           as %memit: SOURCE run REPEAT times, `memit PEAK
 *                              BASELINE` in bytes (the peak is VmHWM, reset
 *                              before the run through /proc/self/clear_refs;
 *                              where that fails, the peak since the start)
 * Only none and time echo. A magic's record comes after every byte the
 * request printed (the statement's output, the traceback), right before
 * done; it is sent however the statement ended once it started, except
 * timeit's, which needs every run.
 *
 * Include Python.h before this header.
 */
#ifndef PROFLAB_WORKER_CONSOLE_H
#define PROFLAB_WORKER_CONSOLE_H

/*
 * Runs the console on requests read from request_fd until EOF. Needs a
 * running interpreter; sends hello first. Returns the exit status: 0 at
 * EOF, 1 when the requests cannot be read; in a process forked by a
 * statement, how that statement ended.
 */
int console_main(int request_fd);

#endif
