/*
 * The model of one recorded run: every sample, in time order, and the phase
 * marks the script set. The recording owns both arrays and every mark's label;
 * recording_free releases them. An hour at 100 Hz is 360 000 samples (about
 * 11 MB): arrays grow by doubling and nothing is ever downsampled here (only
 * the plot thins samples out for drawing).
 */
#ifndef PROFLAB_CORE_RECORDING_H
#define PROFLAB_CORE_RECORDING_H

#include <stddef.h>

/*
 * t: seconds since the start; cpu: per core percent (400 = four busy cores);
 * rss_mb, vms_mb: bytes / 1048576.
 */
struct sample {
	double t;
	double cpu;
	double rss_mb;
	double vms_mb;
};

struct mark {
	double t;
	char *label;
};

struct recording {
	struct sample *samples;
	size_t nsamples, capsamples;
	struct mark *marks;
	size_t nmarks, capmarks;
	char *machine; /* the machine's fingerprint ("machine 1a2b3c4d: AMD EPYC, ..."), or NULL */
};

void recording_init(struct recording *r);
void recording_free(struct recording *r);
void recording_add_sample(struct recording *r, const struct sample *s);
/* Copies label. */
void recording_add_mark(struct recording *r, double t, const char *label);
/* Copies the fingerprint text (NULL clears it). */
void recording_set_machine(struct recording *r, const char *machine);
/* Index of the sample with the largest rss_mb (the first of equals), -1 if none. */
long recording_peak(const struct recording *r);

#endif
