/*
 * Timings (see timing.h). The layouts follow Python's timeit.main and
 * IPython's TimeitResult: three significant digits ("%.*g"), python -m
 * timeit's units nsec/usec/msec/sec chosen by the best time, IPython's
 * s/ms/µs/ns chosen by the order of magnitude of each number.
 */
#include "config.h"

#include "core/timing.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xmalloc.h"

const char timing_driver[] =
    "# proflab timeit: the statement is timed in __main__'s namespace, as\n"
    "# python -m timeit times it; each run's seconds go back to proflab.\n"
    "import os\n"
    "import sys\n"
    "import time\n"
    "import timeit\n"
    "\n"
    "import proflab\n"
    "\n"
    "\n"
    "def _proflab_timeit():\n"
    "    number, repeat = int(sys.argv[1]), int(sys.argv[2])\n"
    "    clock = time.process_time if sys.argv[3] == 'process' else time.perf_counter\n"
    "    setup, statement = sys.argv[4], sys.argv[5]\n"
    "    sys.path[0] = os.curdir\n"
    "    timer = timeit.Timer(statement, setup, clock, globals=globals())\n"
    "    try:\n"
    "        if number == 0:\n"
    "            number, _ = timer.autorange()\n"
    "        times = timer.repeat(repeat, number)\n"
    "    except (KeyboardInterrupt, SystemExit):\n"
    "        raise\n"
    "    except BaseException:\n"
    "        timer.print_exc()\n"
    "        sys.exit(1)\n"
    "    proflab.timings(number, times)\n"
    "\n"
    "\n"
    "_proflab_timeit()\n";

static const struct {
	const char *name;
	double scale;
} timing_units[] = {{"sec", 1.0}, {"msec", 1e-3}, {"usec", 1e-6}, {"nsec", 1e-9}};

#define NUNITS (sizeof timing_units / sizeof timing_units[0])

/* A count for -n or -r into *out; -1 on bad text. */
static int
timing_count(const char *text, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno != 0 || v < 0 || v > INT_MAX)
		return -1;
	*out = v;
	return 0;
}

/* Joins words with newlines; "pass" when there are none (caller frees). */
static char *
timing_join(char *const *words, int n)
{
	struct buf b;

	if (n == 0)
		return xstrdup("pass");
	buf_init(&b);
	for (int i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i > 0 ? "\n" : "", words[i]);
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

int
timing_parse(int argc, char **argv, struct timing_opts *o, char **cause)
{
	static const struct option longopts[] = {
	    {"number", required_argument, NULL, 'n'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"setup", required_argument, NULL, 's'},
	    {"unit", required_argument, NULL, 'u'},
	    {"process", no_argument, NULL, 'p'},
	    {"grace", required_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char **setups = xcalloc((size_t)argc + 1, sizeof *setups), *end;
	int c, nsetups = 0;

	memset(o, 0, sizeof *o);
	o->repeat = 5;
	o->grace = 2;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+n:r:s:u:ph", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (timing_count(optarg, &o->number) == -1 || o->number == 0) {
				*cause = xasprintf(
				    "invalid -n '%s': expected a number of loops > 0", optarg);
				goto fail;
			}
			break;
		case 'r':
			if (timing_count(optarg, &o->repeat) == -1) {
				*cause =
				    xasprintf("invalid -r '%s': expected a number of runs", optarg);
				goto fail;
			}
			if (o->repeat == 0)
				o->repeat = 1; /* as python -m timeit */
			break;
		case 's':
			setups[nsetups++] = optarg;
			break;
		case 'u':
			if (timing_unit_known(optarg) == -1) {
				*cause = xasprintf(
				    "invalid -u '%s': expected nsec, usec, msec or sec", optarg);
				goto fail;
			}
			o->unit = optarg;
			break;
		case 'p':
			o->process = 1;
			break;
		case 'g':
			errno = 0;
			o->grace = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || errno != 0 || !(o->grace > 0)) {
				*cause =
				    xasprintf("invalid --grace '%s': expected seconds > 0", optarg);
				goto fail;
			}
			break;
		case 'h':
			free(setups);
			return 1;
		default:
			if (optopt != 0 && strchr("nrsu", optopt) != NULL)
				*cause = xasprintf("option '%s' needs a value", argv[optind - 1]);
			else
				*cause = xasprintf("unknown option '%s'", argv[optind - 1]);
			goto fail;
		}
	}
	o->setup = timing_join(setups, nsetups);
	o->stmt = timing_join(argv + optind, argc - optind);
	free(setups);
	snprintf(o->argtext[0], sizeof o->argtext[0], "%ld", o->number);
	snprintf(o->argtext[1], sizeof o->argtext[1], "%ld", o->repeat);
	o->args[0] = o->argtext[0];
	o->args[1] = o->argtext[1];
	o->args[2] = o->process ? (char *)"process" : (char *)"perf";
	o->args[3] = o->setup;
	o->args[4] = o->stmt;
	o->args[5] = NULL;
	return 0;
fail:
	free(setups);
	return -1;
}

void
timing_opts_free(struct timing_opts *o)
{
	free(o->setup);
	free(o->stmt);
	memset(o, 0, sizeof *o);
}

char *
timing_write_driver(const char *dir, char **cause)
{
	char *path = xasprintf("%s/timeit_driver.py", dir);
	FILE *f = fopen(path, "we");
	int bad = f == NULL;

	if (f != NULL) {
		bad = fputs(timing_driver, f) == EOF;
		bad = fclose(f) == EOF || bad;
	}
	if (bad) {
		*cause = xasprintf("cannot write %s: %s", path, strerror(errno));
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

int
timing_unit_known(const char *unit)
{
	for (size_t i = 0; i < NUNITS; i++) {
		if (strcmp(unit, timing_units[i].name) == 0)
			return 0;
	}
	return -1;
}

/* As timeit.main's format_time. */
static void
timing_time(struct buf *out, double dt, const char *unit, int precision)
{
	size_t i = 0;

	if (unit != NULL) {
		while (i < NUNITS - 1 && strcmp(unit, timing_units[i].name) != 0)
			i++;
	} else {
		while (i < NUNITS - 1 && dt < timing_units[i].scale)
			i++;
	}
	buf_addf(out, "%.*g %s", precision, dt / timing_units[i].scale, timing_units[i].name);
}

static void
timing_best_worst(long number, const double *times, int n, double *best, double *worst)
{
	*best = *worst = times[0] / (double)number;
	for (int i = 1; i < n; i++) {
		double t = times[i] / (double)number;

		if (t < *best)
			*best = t;
		if (t > *worst)
			*worst = t;
	}
}

void
timing_format_timeit(
    struct buf *out, long number, const double *times, int n, const char *unit, int precision)
{
	double best, worst;

	timing_best_worst(number, times, n, &best, &worst);
	buf_addf(out, "%ld loop%s, best of %d: ", number, number != 1 ? "s" : "", n);
	timing_time(out, best, unit, precision);
	buf_adds(out, " per loop\n");
}

void
timing_format_unreliable(
    struct buf *out, long number, const double *times, int n, const char *unit, int precision)
{
	double best, worst;

	timing_best_worst(number, times, n, &best, &worst);
	if (worst < best * 4)
		return;
	buf_adds(out, ":0: UserWarning: The test results are likely unreliable. The worst time (");
	timing_time(out, worst, unit, precision);
	buf_adds(out, ") was more than four times slower than the best time (");
	timing_time(out, best, unit, precision);
	buf_adds(out, ").\n");
}

void
timing_ipython_time(struct buf *out, double t, int precision)
{
	static const char *units[] = {"s", "ms", "\u00b5s", "ns"};
	static const double scaling[] = {1, 1e3, 1e6, 1e9};
	static const struct {
		const char *suffix;
		double length;
	} parts[] = {{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}};
	int order = 3, first = 1;

	if (t >= 60) {
		double left = t;

		for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
			long v = (long)(left / parts[i].length);

			if (v > 0) {
				left = fmod(left, parts[i].length);
				buf_addf(out, "%s%ld%s", first ? "" : " ", v, parts[i].suffix);
				first = 0;
			}
			if (left < 1)
				break;
		}
		return;
	}
	if (t > 0) {
		order = -(int)floor(floor(log10(t)) / 3);
		if (order > 3)
			order = 3;
	}
	buf_addf(out, "%.*g %s", precision, t * scaling[order], units[order]);
}

void
timing_format_ipython(struct buf *out, long number, const double *times, int n, int precision)
{
	double mean = 0, var = 0;

	for (int i = 0; i < n; i++)
		mean += times[i] / (double)number;
	mean /= n;
	for (int i = 0; i < n; i++) {
		double d = times[i] / (double)number - mean;

		var += d * d;
	}
	timing_ipython_time(out, mean, precision);
	buf_adds(out, " \u00b1 ");
	timing_ipython_time(out, sqrt(var / n), precision);
	/* IPython groups the loops by thousands: "10,000 loops each". */
	{
		char digits[32], grouped[48];
		size_t len, k = 0;

		len = (size_t)snprintf(digits, sizeof digits, "%ld", number);
		for (size_t i = 0; i < len; i++) {
			if (i > 0 && (len - i) % 3 == 0)
				grouped[k++] = ',';
			grouped[k++] = digits[i];
		}
		grouped[k] = '\0';
		buf_addf(out, " per loop (mean \u00b1 std. dev. of %d run%s, %s loop%s each)\n", n,
		    n != 1 ? "s" : "", grouped, number != 1 ? "s" : "");
	}
}

void
timing_format_ipython_slowest(struct buf *out, long number, const double *times, int n)
{
	double best, worst;

	timing_best_worst(number, times, n, &best, &worst);
	if (worst > 4 * best && best > 0 && worst > 1e-6)
		buf_addf(out,
		    "The slowest run took %0.2f times longer than the fastest. This could mean "
		    "that "
		    "an intermediate result is being cached.\n",
		    worst / best);
}

void
timing_format_cputime(struct buf *out, double wall, double user, double sys)
{
	buf_adds(out, "CPU times: user ");
	timing_ipython_time(out, user, 3);
	buf_adds(out, ", sys: ");
	timing_ipython_time(out, sys, 3);
	buf_adds(out, ", total: ");
	timing_ipython_time(out, user + sys, 3);
	buf_adds(out, "\nWall time: ");
	timing_ipython_time(out, wall, 3);
	buf_adds(out, "\n");
}
