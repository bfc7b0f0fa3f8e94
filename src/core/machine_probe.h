/*
 * Asking the worker for the Python side of the machine report, or for one
 * of its Python benchmarks: `proflab-worker --machine WHAT` prints one line
 * of JSON on stdout. The call blocks until the worker has ended (or the
 * timeout has passed, when its process group is killed).
 */
#ifndef PROFLAB_CORE_MACHINE_PROBE_H
#define PROFLAB_CORE_MACHINE_PROBE_H

#include <jansson.h>

#include "core/spawn.h"

struct machine_probe {
	const char *worker;
	const char *what;
	struct child child;
};

/* Starts the worker: 0, or -1 with *cause. */
int machine_probe_start(
    struct machine_probe *p, const char *worker, const char *what, char **cause);
/*
 * Waits for the started worker's answer (see machine_probe); the worker is
 * reaped in every case.
 */
json_t *machine_probe_finish(struct machine_probe *p, double timeout, char **cause);

/*
 * Runs `worker --machine what` and returns the JSON value it printed, or
 * NULL with *cause (one line naming the worker and what went wrong; caller
 * frees).
 */
json_t *machine_probe(const char *worker, const char *what, double timeout, char **cause);

#endif
