/*
 * Fuzz target for the pstats reader (libFuzzer's entry point). Whatever the
 * bytes, prof_load_mem must return a profile or a one-line error naming the
 * file, never crash or leak; a profile that loads must survive everything
 * the CLI and the lab do with it: strip, every sort, the tables, the icicle
 * at every zoom along its first bars, and the explanation of each function.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "core/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
exercise_profile(const struct prof *p)
{
	struct prof_restrict r[2] = {{PROF_R_PATTERN, "a|(", 0, 0}, {PROF_R_COUNT, NULL, 3, 0}};
	struct prof_bar *bars;
	struct prof_sort s;
	struct buf b;
	size_t *order, path[4], npath = 0, n;

	order = calloc(p->nfuncs + 1, sizeof *order);
	if (order == NULL)
		abort();
	buf_init(&b);
	for (int f = 0; f < PROF_NFIELDS; f++) {
		prof_sort_field(&s, (enum prof_field)f);
		prof_sort_order(p, &s, order);
		for (size_t i = 0; i < p->nfuncs; i++) {
			if (order[i] >= p->nfuncs)
				abort();
		}
		prof_print_stats(&b, p, &s, r + 1, 1);
	}
	prof_print_stats(&b, p, NULL, NULL, 0);
	prof_print_callers(&b, p, &s, r, 2);
	prof_print_callees(&b, p, &s, r, 1);
	if (memchr(b.data, '\0', b.len) != NULL && p->nfuncs == 0)
		abort();
	buf_free(&b);
	for (;;) {
		n = prof_icicle(p, path, npath, 80, 12, &bars);
		for (size_t i = 0; i < n; i++) {
			if (bars[i].w < 1 || bars[i].x < 0 || bars[i].x + bars[i].w > 80 ||
			    (bars[i].func != PROF_ROOT && bars[i].func >= p->nfuncs))
				abort();
		}
		if (n < 2 || npath == 4 || bars[1].func == PROF_ROOT) {
			free(bars);
			break;
		}
		path[npath++] = bars[1].func;
		free(bars);
	}
	for (size_t i = 0; i < p->nfuncs && i < 16; i++)
		free(prof_explain(p, i));
	free(order);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prof p, stripped;
	char *cause = NULL;

	if (prof_load_mem(&p, data, size, "fuzz.prof", &cause) == -1) {
		if (cause == NULL || strncmp(cause, "fuzz.prof: ", 11) != 0 ||
		    strchr(cause, '\n') != NULL)
			abort();
		free(cause);
		return 0;
	}
	exercise_profile(&p);
	prof_strip(&stripped, &p);
	exercise_profile(&stripped);
	prof_free(&stripped);
	prof_free(&p);
	return 0;
}
