/*
 * `proflab-worker --machine WHAT`, run to its end (see machine_probe.h). Its
 * stdout and stderr are read together through poll(2) so that neither pipe
 * can fill and stall it; stdout is the answer, the last line of stderr the
 * reason when it fails.
 */
#include "config.h"

#include "core/machine_probe.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/spawn.h"

static double
probe_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads both pipes until EOF on both or the deadline; 0, or -1 on the deadline. */
static int
probe_drain(struct child *c, struct buf *out, struct buf *err, double deadline)
{
	char chunk[4096];

	while (c->out_fd != -1 || c->err_fd != -1) {
		struct pollfd p[2] = {{c->out_fd, POLLIN, 0}, {c->err_fd, POLLIN, 0}};
		double left = deadline - probe_now();
		int n;

		if (left <= 0)
			return -1;
		n = poll(p, 2, (int)(left * 1000) + 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		for (int i = 0; i < 2; i++) {
			int *fd = i == 0 ? &c->out_fd : &c->err_fd;
			ssize_t got;

			if (*fd == -1 || p[i].revents == 0)
				continue;
			got = read(*fd, chunk, sizeof chunk);
			if (got == -1 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(*fd);
				*fd = -1;
				continue;
			}
			buf_add(i == 0 ? out : err, chunk, (size_t)got);
		}
	}
	return 0;
}

/* The last non-empty line of b, or NULL. */
static char *
probe_last_line(struct buf *b)
{
	char *s, *line = NULL;

	buf_addc(b, '\0');
	for (s = strtok(b->data, "\n"); s != NULL; s = strtok(NULL, "\n")) {
		if (*s != '\0')
			line = s;
	}
	return line != NULL ? xstrdup(line) : NULL;
}

int
machine_probe_start(struct machine_probe *p, const char *worker, const char *what, char **cause)
{
	char *argv[] = {(char *)worker, (char *)"--machine", (char *)what, NULL};
	struct spawn_opts so;

	p->worker = worker;
	p->what = what;
	memset(&so, 0, sizeof so);
	so.argv = argv;
	so.capture_output = 1;
	so.pdeathsig = 1;
	return spawn_start(&so, &p->child, cause);
}

json_t *
machine_probe_finish(struct machine_probe *p, double timeout, char **cause)
{
	struct child *c = &p->child;
	struct child_status st;
	struct buf out, err;
	json_error_t jerr;
	json_t *j = NULL;
	char *desc, *why;
	int timed_out;

	if (timeout <= 0)
		timeout = 30;
	buf_init(&out);
	buf_init(&err);
	timed_out = probe_drain(c, &out, &err, probe_now() + timeout) == -1;
	if (timed_out)
		spawn_kill_group(c, SIGKILL);
	spawn_close(c);
	if (spawn_reap(c, 1, &st, cause) == -1)
		goto out;
	if (timed_out) {
		*cause = xasprintf(
		    "%s --machine %s gave no answer within %.0f s", p->worker, p->what, timeout);
		goto out;
	}
	if (!st.exited || st.code != 0) {
		desc = spawn_describe(&st);
		why = probe_last_line(&err);
		*cause = xasprintf("%s --machine %s %s%s%s", p->worker, p->what, desc,
		    why != NULL ? ": " : "", why != NULL ? why : "");
		free(why);
		free(desc);
		goto out;
	}
	buf_addc(&out, '\0');
	j = json_loads(out.data, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		*cause =
		    xasprintf("%s --machine %s printed no JSON: %s", p->worker, p->what, jerr.text);
out:
	buf_free(&out);
	buf_free(&err);
	return j;
}

json_t *
machine_probe(const char *worker, const char *what, double timeout, char **cause)
{
	struct machine_probe p;

	if (machine_probe_start(&p, worker, what, cause) == -1)
		return NULL;
	return machine_probe_finish(&p, timeout, cause);
}
