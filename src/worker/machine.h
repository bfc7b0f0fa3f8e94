/*
 * `proflab-worker --machine WHAT`: what the embedded Python knows about the
 * machine, printed as one line of JSON on stdout, for `proflab machine`
 * (core/machine.h takes the facts, the bench the rest). WHAT is:
 *
 *   facts    {"python": {...}, "numpy": {...}, "psutil": {...}}: the
 *            interpreter, numpy with the BLAS and LAPACK it loaded (and
 *            their thread count), whether psutil is installed
 *   pyloop   a pure-Python loop on one core, best of 3:
 *            {"iterations": N, "seconds": s, "ns_per_iteration": x}
 *   dot1     numpy.dot on float64 matrices, the BLAS on one thread:
 *            {"n": n, "gflops": x, "seconds": s, "threads": 1, "method": "blas"}
 *   dotall   the same on every usable CPU: the BLAS's own threads, or rows
 *            split over Python threads when the BLAS runs one
 *            ("method": "python-threads")
 *
 * A missing numpy is a result, not a failure: facts reports it in
 * numpy.error, dot1 and dotall print {"error": "..."}.
 *
 * Include Python.h before this header.
 */
#ifndef PROFLAB_WORKER_MACHINE_H
#define PROFLAB_WORKER_MACHINE_H

/* 1 when what is one of the WHATs above. */
int wmachine_known(const char *what);

/*
 * Call before Python starts: dot1 limits the BLAS to one thread through the
 * environment (OPENBLAS_NUM_THREADS and friends), read when numpy loads it.
 */
void wmachine_prepare(const char *what);

/*
 * Runs WHAT in the running interpreter and prints its line on stdout.
 * Returns the worker's exit status: 0 when printed; 1 with *cause (one line,
 * caller frees) when the helper failed or stdout could not be written;
 * 128 + SIGINT, *cause NULL, when SIGINT interrupted it.
 */
int wmachine_run(const char *what, char **cause);

#endif
