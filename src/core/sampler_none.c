/*
 * The sampler back end for systems without /proc: opening always fails with
 * a clear message, so the rest of proflab still builds and runs.
 */
#include "config.h"

#include "core/sampler.h"

#include <stddef.h>

#include "base/xmalloc.h"

struct sampler *
sampler_open(const char *proc_root, int pid, int children, char **cause)
{
	*cause = xstrdup("sampling processes is not supported on this system");
	return NULL;
}

int
sampler_read(struct sampler *s, double t, struct sample *out, char **cause)
{
	*cause = xstrdup("sampling processes is not supported on this system");
	return -1;
}

void
sampler_free(struct sampler *s)
{
}

void
sampler_set_units(struct sampler *s, long clock_ticks_per_sec, long page_size)
{
}
