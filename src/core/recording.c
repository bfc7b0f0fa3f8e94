/*
 * A recorded run (see recording.h): two growable arrays owned by the
 * recording, plus the mark labels.
 */
#include "config.h"

#include "core/recording.h"

#include <stdlib.h>

#include "base/xmalloc.h"

void
recording_init(struct recording *r)
{
	r->samples = NULL;
	r->nsamples = r->capsamples = 0;
	r->marks = NULL;
	r->nmarks = r->capmarks = 0;
	r->machine = NULL;
}

void
recording_free(struct recording *r)
{
	for (size_t i = 0; i < r->nmarks; i++)
		free(r->marks[i].label);
	free(r->marks);
	free(r->samples);
	free(r->machine);
	recording_init(r);
}

void
recording_set_machine(struct recording *r, const char *machine)
{
	free(r->machine);
	r->machine = machine != NULL ? xstrdup(machine) : NULL;
}

void
recording_add_sample(struct recording *r, const struct sample *s)
{
	if (r->nsamples == r->capsamples) {
		r->capsamples = r->capsamples == 0 ? 1024 : r->capsamples * 2;
		r->samples = xreallocarray(r->samples, r->capsamples, sizeof *r->samples);
	}
	r->samples[r->nsamples++] = *s;
}

void
recording_add_mark(struct recording *r, double t, const char *label)
{
	if (r->nmarks == r->capmarks) {
		r->capmarks = r->capmarks == 0 ? 16 : r->capmarks * 2;
		r->marks = xreallocarray(r->marks, r->capmarks, sizeof *r->marks);
	}
	r->marks[r->nmarks].t = t;
	r->marks[r->nmarks].label = xstrdup(label != NULL ? label : "");
	r->nmarks++;
}

long
recording_peak(const struct recording *r)
{
	long best = -1;

	for (size_t i = 0; i < r->nsamples; i++) {
		if (best < 0 || r->samples[i].rss_mb > r->samples[best].rss_mb)
			best = (long)i;
	}
	return best;
}
