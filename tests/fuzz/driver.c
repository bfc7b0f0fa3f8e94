/*
 * A driver for fuzz targets without libFuzzer (so the target builds and runs
 * under `make check` with any compiler): feeds each file named on the command
 * line, then a bounded number of deterministic mutations of them (byte flips,
 * insertions of Markdown tokens, truncations, splices). Prints TAP.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const tokens[] = {"```", "```python exercise=E1 title=\"", "```proflab ", "\n",
    "# 1. ", "## ", "- ", "> ", "`", "**", "*", "\"", "'", "\\", "=", " ", "\r\n", "proflab run ",
    "needs=", "\0"};

static void
mutate(unsigned char *buf, size_t *len, size_t cap)
{
	size_t pos = *len == 0 ? 0 : next() % (*len + 1);

	switch (next() % 4) {
	case 0: /* flip a byte */
		if (*len > 0)
			buf[next() % *len] ^= (unsigned char)(1u << (next() % 8));
		break;
	case 1: { /* insert a token */
		const char *t = tokens[next() % (sizeof tokens / sizeof tokens[0])];
		size_t tl = t[0] == '\0' ? 1 : strlen(t);

		if (*len + tl > cap)
			break;
		memmove(buf + pos + tl, buf + pos, *len - pos);
		memcpy(buf + pos, t, tl);
		*len += tl;
		break;
	}
	case 2: /* truncate */
		*len = pos;
		break;
	default: /* delete a run */
		if (*len > pos) {
			size_t n = next() % (*len - pos) + 1;

			memmove(buf + pos, buf + pos + n, *len - pos - n);
			*len -= n;
		}
	}
}

int
main(int argc, char **argv)
{
	long rounds = getenv("FUZZ_ROUNDS") != NULL ? atol(getenv("FUZZ_ROUNDS")) : 200000;
	size_t cap = 1 << 20;
	unsigned char *buf = malloc(cap);
	int nseeds = 0;

	if (buf == NULL)
		return 1;
	printf("1..1\n");
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t len;

		if (f == NULL)
			continue;
		len = fread(buf, 1, cap / 2, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		nseeds++;
		for (long r = 0; r < rounds / (argc - 1); r++) {
			size_t l = len;

			f = fopen(argv[i], "rb");
			if (f == NULL)
				break;
			l = fread(buf, 1, cap / 2, f);
			fclose(f);
			for (int m = (int)(next() % 8) + 1; m > 0; m--)
				mutate(buf, &l, cap);
			LLVMFuzzerTestOneInput(buf, l);
		}
	}
	free(buf);
	{
		const char *name = strrchr(argv[0], '/');

		printf("ok 1 - %s survived %d seeds and their mutations\n",
		    name != NULL ? name + 1 : argv[0], nseeds);
	}
	return 0;
}
