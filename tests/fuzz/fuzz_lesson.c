/*
 * Fuzz target for the lesson parser (libFuzzer's entry point). Whatever the
 * bytes, lesson_parse must return a lesson or an error naming a line, never
 * crash or leak; spans of every block must stay inside its text.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lesson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lesson_span spans[64];
	struct lesson *l;
	char *cause = NULL;

	l = lesson_parse("fuzz.md", (const char *)data, size, &cause);
	if (l == NULL) {
		if (cause == NULL || strncmp(cause, "fuzz.md:", 8) != 0)
			abort();
		free(cause);
		return 0;
	}
	for (size_t i = 0; i < l->nblocks; i++) {
		const char *t = l->blocks[i].text;
		size_t n, tl;

		if (t == NULL)
			abort();
		tl = strlen(t);
		n = lesson_spans(t, spans, 64);
		for (size_t j = 0; j < n && j < 64; j++) {
			if (spans[j].start < t || spans[j].start + spans[j].len > t + tl)
				abort();
		}
	}
	lesson_free(l);
	return 0;
}
