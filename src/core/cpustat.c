/*
 * /proc/stat's per-CPU lines (see cpustat.h):
 *   cpu3 user nice system idle iowait irq softirq steal guest guest_nice
 * The first line ("cpu ", all CPUs together) is skipped; so are CPUs that
 * are offline, which the kernel leaves out.
 */
#include "config.h"

#include "core/cpustat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

int
cpustat_read(struct cpustat *s, const char *root, char **cause)
{
	char *path = xasprintf("%s/proc/stat", root != NULL ? root : ""), line[512];
	FILE *f = fopen(path, "re");
	int cap = 0;

	memset(s, 0, sizeof *s);
	if (f == NULL) {
		*cause = xasprintf("cannot read %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned long long v[8] = {0};
		int id, got;

		if (strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9')
			continue;
		got = sscanf(line + 3, "%d %llu %llu %llu %llu %llu %llu %llu %llu", &id, &v[0],
		    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		if (got < 5)
			continue;
		if (s->n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			s->id = xreallocarray(s->id, (size_t)cap, sizeof *s->id);
			s->busy = xreallocarray(s->busy, (size_t)cap, sizeof *s->busy);
			s->total = xreallocarray(s->total, (size_t)cap, sizeof *s->total);
		}
		s->id[s->n] = id;
		s->total[s->n] = 0;
		for (int i = 0; i < 8; i++)
			s->total[s->n] += v[i];
		s->busy[s->n] = s->total[s->n] - v[3] - v[4];
		s->n++;
	}
	fclose(f);
	return 0;
}

double
cpustat_percent(const struct cpustat *prev, const struct cpustat *cur, int i)
{
	unsigned long long dt, db;

	if (i < 0 || i >= cur->n)
		return -1;
	for (int j = 0; j < prev->n; j++) {
		if (prev->id[j] != cur->id[i])
			continue;
		if (cur->total[i] <= prev->total[j] || cur->busy[i] < prev->busy[j])
			return -1;
		dt = cur->total[i] - prev->total[j];
		db = cur->busy[i] - prev->busy[j];
		return db >= dt ? 100.0 : 100.0 * (double)db / (double)dt;
	}
	return -1;
}

void
cpustat_free(struct cpustat *s)
{
	free(s->id);
	free(s->busy);
	free(s->total);
	memset(s, 0, sizeof *s);
}
