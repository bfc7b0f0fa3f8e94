/*
 * proflab-worker: runs one Python script as __main__ in an embedded
 * interpreter and reports on the channel how it went (see core/channel.h).
 *
 *   proflab-worker [--channel-fd N] [--interactive] [--profile FILE]
 *                  [--lines FILE | --memory FILE] [--func SPEC]... [--] SCRIPT [ARGS...]
 *   proflab-worker --console [--channel-fd N] [--request-fd M]
 *   proflab-worker --machine facts|pyloop|dot1|dotall
 *
 * Everything done inside Python lives in pymod.c; this file parses the
 * command line, makes the process's state sane (signals, the channel fd,
 * the environment), opens the script, and starts and ends the interpreter.
 * With --console no script runs: the interpreter starts as for one (with
 * sys.argv == ['']) and console.c runs the requests read from fd M. With
 * --machine no script runs either, and machine.c prints one line of JSON on
 * what it finds or measures.
 *
 * The interpreter reads the usual PYTHON* environment variables
 * (use_environment = 1), as `python SCRIPT` would: exercises may rely on
 * PYTHONPATH, and tests pin PYTHONNOUSERSITE and friends. sys.executable is
 * the real interpreter matching the linked libpython (PROFLAB_PYTHON_EXE,
 * or PROFLAB_PYTHON_EXECUTABLE at run time), so multiprocessing and
 * subprocess.run([sys.executable, ...]) start Python, not this program.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "base/xmalloc.h"
#include "core/channel.h"
#include "worker/console.h"
#include "worker/machine.h"
#include "worker/pymod.h"

#define PROGNAME "proflab-worker"

/* Exit status when the script could not be run at all. */
#define EXIT_CANNOT_RUN 2

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROGNAME " [--channel-fd N] [--interactive] [--profile FILE]\n"
	    "       [--lines FILE | --memory FILE] [--func SPEC]... [--] SCRIPT [ARGS...]\n"
	    "       " PROGNAME " --console [--channel-fd N] [--request-fd M]\n"
	    "       " PROGNAME " --machine facts|pyloop|dot1|dotall\n"
	    "Run a Python script as __main__ for proflab.\n"
	    "\n"
	    "  --channel-fd N  write channel records to file descriptor N\n"
	    "                  (default: $" CHAN_FD_ENV ", else no channel)\n"
	    "  --console       run no script: run the statements of the run records read\n"
	    "                  from the request fd in __main__, one by one, each answered\n"
	    "                  by a done record, until end of file\n"
	    "  --request-fd M  with --console, read the requests from file descriptor M\n"
	    "                  (default 0; stdin then becomes /dev/null)\n"
	    "  --interactive   run SCRIPT as typed at the >>> prompt: the value of each\n"
	    "                  expression statement is echoed\n"
	    "  --profile FILE  run SCRIPT under cProfile, as python -m cProfile does, and\n"
	    "                  write its statistics to FILE (pstats format) when it ends\n"
	    "  --lines FILE    time each line of the chosen functions (hits and time, as\n"
	    "                  line_profiler) and write the line table to FILE\n"
	    "  --memory FILE   measure the resident memory after each line of the chosen\n"
	    "                  functions (as memory_profiler) and the run's peak; write to FILE\n"
	    "  --func SPEC     a function to measure: NAME (in SCRIPT; Class.method too),\n"
	    "                  MODULE:NAME or FILE:LINE; repeatable. The built-in decorator\n"
	    "                  @profile chooses functions too\n"
	    "  --machine WHAT  run no script; print one line of JSON on stdout:\n"
	    "                  facts (Python, numpy and its BLAS, psutil), pyloop (a\n"
	    "                  pure-Python loop's speed), dot1 or dotall (numpy.dot\n"
	    "                  GFLOP/s on one thread, on every usable CPU)\n"
	    "  --help          show this help and exit\n"
	    "  --version       show the version and exit\n"
	    "\n"
	    "Environment: PROFLAB_PYTHON_EXECUTABLE overrides sys.executable\n"
	    "(default " PROFLAB_PYTHON_EXE "); PROFLAB_PDEATHSIG=1 kills the worker\n"
	    "when its parent dies; the usual PYTHON* variables apply.\n");
}

/* Reports a failure to run the script on stderr and the channel, then exits 2. */
static _Noreturn void cannot_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
cannot_run(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, PROGNAME ": %s\n", msg);
	pymod_send_error(msg);
	free(msg);
	exit(EXIT_CANNOT_RUN);
}

/* Parses the fd of what (channel, request); -1 and *cause (caller frees) when it is not open. */
static int
parse_fd(const char *s, const char *what, char **cause)
{
	char *end;
	long fd;

	errno = 0;
	fd = strtol(s, &end, 10);
	if (*s == '\0' || errno != 0 || *end != '\0' || fd < 0 || fd > INT_MAX) {
		*cause = xasprintf("bad %s fd \"%s\"", what, s);
		return -1;
	}
	if (fcntl((int)fd, F_GETFD) == -1) {
		*cause = xasprintf("bad %s fd %ld: %s", what, fd, strerror(errno));
		return -1;
	}
	return (int)fd;
}

/*
 * The request fd made private: close-on-exec, and when it is stdin, moved
 * above stdio with /dev/null put in its place, so no statement reads requests.
 */
static int
request_fd_prepare(int fd)
{
	int moved, null;

	if (fd > STDERR_FILENO) {
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
			fatal("fcntl(%d, F_SETFD)", fd);
		return fd;
	}
	moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	if (moved == -1)
		fatal("cannot move the request fd");
	if (fd != STDIN_FILENO)
		return moved;
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null == -1)
		fatal("cannot open /dev/null");
	if (dup2(null, fd) == -1)
		fatal("dup2");
	if (null != fd)
		close(null);
	return moved;
}

/* Default dispositions and an empty mask, whatever the parent left us. */
static void
reset_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGQUIT, SIGHUP};
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void
set_pdeathsig(void)
{
	const char *s = getenv("PROFLAB_PDEATHSIG");

	if (s == NULL)
		return;
#if defined(HAVE_PRCTL) && defined(PR_SET_PDEATHSIG)
	if (strcmp(s, "1") == 0 && prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		fprintf(stderr, PROGNAME ": prctl(PR_SET_PDEATHSIG): %s\n", strerror(errno));
#endif
	unsetenv("PROFLAB_PDEATHSIG");
}

static _Noreturn void
python_failed(PyConfig *config, PyStatus status)
{
	PyConfig_Clear(config);
	if (PyStatus_IsExit(status))
		exit(status.exitcode);
	cannot_run("cannot start Python: %s%s%s", status.func != NULL ? status.func : "",
	    status.func != NULL ? ": " : "", status.err_msg != NULL ? status.err_msg : "?");
}

/* A closed stdin, stdout or stderr stays closed for Python (sys.stdin is None), not the script. */
static FILE *
move_above_stdio(FILE *fp)
{
	FILE *moved;
	int fd;

	fd = fcntl(fileno(fp), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	if (fd == -1 || (moved = fdopen(fd, "rb")) == NULL)
		fatal("cannot move the script's fd");
	fclose(fp);
	return moved;
}

/* The script's name as python shows it in __file__ and tracebacks: cwd joined, not resolved. */
static char *
script_abspath(const char *script)
{
	char *cwd, *abs;

	if (script[0] == '/' || (cwd = getcwd(NULL, 0)) == NULL)
		return xstrdup(script);
	abs = xasprintf("%s%s%s", cwd, cwd[strlen(cwd) - 1] == '/' ? "" : "/", script);
	free(cwd);
	return abs;
}

/* Starts the interpreter with sys.argv = argv[0..argc) (argv[0] the script). */
static void
python_start(int argc, char **argv)
{
	PyConfig config;
	PyStatus status;
	const char *exe;

	if (PyImport_AppendInittab("proflab", PyInit_proflab) == -1)
		fatalx("cannot register the proflab module");

	PyConfig_InitPythonConfig(&config);
	config.parse_argv = 0;
	config.buffered_stdio = 0;
	config.use_environment = 1;
	config.install_signal_handlers = 1;
#if PY_VERSION_HEX >= 0x030B0000
	config.safe_path = 0;
#endif
	exe = getenv("PROFLAB_PYTHON_EXECUTABLE");
	if (exe == NULL || *exe == '\0')
		exe = PROFLAB_PYTHON_EXE;
	status = PyConfig_SetBytesString(&config, &config.program_name, exe);
	if (PyStatus_Exception(status))
		python_failed(&config, status);
	status = PyConfig_SetBytesString(&config, &config.executable, exe);
	if (PyStatus_Exception(status))
		python_failed(&config, status);
	status = PyConfig_SetBytesArgv(&config, argc, argv);
	if (PyStatus_Exception(status))
		python_failed(&config, status);
	status = Py_InitializeFromConfig(&config);
	if (PyStatus_Exception(status))
		python_failed(&config, status);
	PyConfig_Clear(&config);
}

/* --machine WHAT: no script; its JSON line on stdout. Returns the exit status. */
static int
machine_main(const char *what)
{
	char noscript[] = "", *pyargv[] = {noscript, NULL}, *cause;
	int status;

	wmachine_prepare(what);
	python_start(1, pyargv);
	status = wmachine_run(what, &cause);
	if (Py_FinalizeEx() < 0 && status == 0)
		status = 120;
	if (cause != NULL) {
		fprintf(stderr, PROGNAME ": --machine %s: %s\n", what, cause);
		free(cause);
	}
	if (status == 128 + SIGINT) {
		signal(SIGINT, SIG_DFL);
		kill(getpid(), SIGINT);
	}
	return status;
}

/* --console: the console's loop until EOF on fd. Returns the exit status. */
static int
run_console(int fd)
{
	char noscript[] = "", *pyargv[] = {noscript, NULL};
	int status;

	fd = request_fd_prepare(fd);
	python_start(1, pyargv);
	status = console_main(fd);
	if (Py_FinalizeEx() < 0 && status == 0)
		status = 120;
	return status;
}

int
main(int argc, char **argv)
{
	struct pymod_ending end;
	struct pymod_opts o;
	const char *fdarg = NULL, *reqarg = NULL, *env, *machine = NULL;
	static char **funcs; /* static: still reachable on every way out */
	char *usage_error = NULL, *cause = NULL, *script;
	struct stat sb;
	FILE *fp;
	int i, fd = -1, reqfd, status, console = 0;

	memset(&o, 0, sizeof o);
	funcs = xcalloc((size_t)argc, sizeof *funcs);
	o.funcs = funcs;

	fatal_set_progname(PROGNAME);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--version") == 0) {
			printf(PROGNAME " %s\n", PACKAGE_VERSION);
			return 0;
		}
		if (strcmp(a, "--channel-fd") == 0) {
			if (++i == argc) {
				usage_error = xstrdup("option --channel-fd needs a value");
				break;
			}
			fdarg = argv[i];
			continue;
		}
		if (strncmp(a, "--channel-fd=", 13) == 0) {
			fdarg = a + 13;
			continue;
		}
		if (strcmp(a, "--console") == 0) {
			console = 1;
			continue;
		}
		if (strcmp(a, "--request-fd") == 0) {
			if (++i == argc) {
				usage_error = xstrdup("option --request-fd needs a value");
				break;
			}
			reqarg = argv[i];
			continue;
		}
		if (strncmp(a, "--request-fd=", 13) == 0) {
			reqarg = a + 13;
			continue;
		}
		if (strcmp(a, "--interactive") == 0) {
			o.interactive = 1;
			continue;
		}
		if (strcmp(a, "--profile") == 0 || strcmp(a, "--lines") == 0 ||
		    strcmp(a, "--memory") == 0 || strcmp(a, "--func") == 0) {
			if (++i == argc || argv[i][0] == '\0') {
				usage_error = xasprintf("option %s needs %s", a,
				    a[2] == 'f' ? "a function" : "a file name");
				break;
			}
			if (a[2] == 'p')
				o.profile_out = argv[i];
			else if (a[2] == 'f')
				funcs[o.nfuncs++] = argv[i];
			else if (o.lines_out != NULL) {
				usage_error = xstrdup("options --lines and --memory go alone");
				break;
			} else {
				o.lines_out = argv[i];
				o.lines_memory = a[2] == 'm';
			}
			continue;
		}
		if (strcmp(a, "--machine") == 0) {
			if (++i == argc || argv[i][0] == '\0') {
				usage_error =
				    xstrdup("option --machine needs facts, pyloop, dot1 or dotall");
				break;
			}
			if (!wmachine_known(argv[i])) {
				usage_error = xasprintf(
				    "unknown --machine %s: not facts, pyloop, dot1 or dotall",
				    argv[i]);
				break;
			}
			machine = argv[i];
			continue;
		}
		if (a[0] == '-' && a[1] != '\0') {
			usage_error = xasprintf("unknown option %s", a);
			break;
		}
		break;
	}
	if (usage_error == NULL && machine != NULL) {
		if (i < argc)
			usage_error = xstrdup("option --machine runs no script");
		else if (o.interactive || o.profile_out != NULL || o.lines_out != NULL ||
		    o.nfuncs > 0)
			usage_error = xstrdup("option --machine goes alone");
	}
	if (usage_error == NULL && console) {
		if (i < argc)
			usage_error = xstrdup("option --console runs no script");
		else if (machine != NULL || o.interactive || o.profile_out != NULL ||
		    o.lines_out != NULL || o.nfuncs > 0)
			usage_error = xstrdup("option --console goes alone");
	}
	if (usage_error == NULL && reqarg != NULL && !console)
		usage_error = xstrdup("option --request-fd needs --console");
	if (usage_error == NULL && machine == NULL && !console && i >= argc)
		usage_error = xstrdup("no script given");
	if (usage_error == NULL && o.nfuncs > 0 && o.lines_out == NULL)
		usage_error = xstrdup("option --func needs --lines or --memory");
	if (usage_error == NULL && o.lines_out != NULL && o.profile_out != NULL)
		usage_error = xstrdup("option --profile goes without --lines and --memory");

	reset_signals();
	set_pdeathsig();

	/* The channel: the option, else the environment, which children must not inherit. */
	env = getenv(CHAN_FD_ENV);
	if (fdarg == NULL && env != NULL && *env != '\0')
		fdarg = env;
	if (fdarg != NULL && (fd = parse_fd(fdarg, "channel", &cause)) == -1) {
		fprintf(stderr, PROGNAME ": %s\n", cause);
		free(cause);
		return EXIT_CANNOT_RUN;
	}
	unsetenv(CHAN_FD_ENV);
	if (fd > STDERR_FILENO && fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		fatal("fcntl(%d, F_SETFD)", fd);
	pymod_set_channel_fd(fd);

	if (usage_error != NULL) {
		fprintf(stderr, PROGNAME ": %s\nTry '" PROGNAME " --help'.\n", usage_error);
		pymod_send_error(usage_error);
		free(usage_error);
		return EXIT_CANNOT_RUN;
	}
	if (machine != NULL) {
		free(funcs);
		return machine_main(machine);
	}
	if (console) {
		free(funcs);
		reqfd = parse_fd(reqarg != NULL ? reqarg : "0", "request", &cause);
		if (reqfd == -1) {
			fprintf(stderr, PROGNAME ": %s\n", cause);
			pymod_send_error(cause);
			free(cause);
			return EXIT_CANNOT_RUN;
		}
		return run_console(reqfd);
	}

	fp = fopen(argv[i], "rbe");
	if (fp == NULL)
		cannot_run("cannot open %s: %s", argv[i], strerror(errno));
	if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode))
		cannot_run("cannot open %s: %s", argv[i], strerror(EISDIR));
	if (fileno(fp) <= STDERR_FILENO)
		fp = move_above_stdio(fp);

	python_start(argc - i, argv + i);
	script = script_abspath(argv[i]);
	pymod_send_hello(script);
	pymod_run_script(fp, script, &o, &end);
	free(script);
	free(funcs);
	status = end.status;
	if (Py_FinalizeEx() < 0)
		status = 120;
	if (strcmp(end.kind, "interrupt") == 0)
		status = 128 + SIGINT;
	if (strcmp(end.kind, "cannot-run") == 0) {
		free(end.detail);
		return EXIT_CANNOT_RUN;
	}
	pymod_send_exit(status & 0xff, end.kind, end.detail);
	free(end.detail);

	if (status == 128 + SIGINT && strcmp(end.kind, "interrupt") == 0) {
		/* Die of the signal, as python does, so the parent sees what happened. */
		signal(SIGINT, SIG_DFL);
		kill(getpid(), SIGINT);
	}
	return status;
}
