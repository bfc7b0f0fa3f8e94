/*
 * The plot of a recording through cairo, as psrecord --plot draws it: CPU %
 * (left axis) and resident memory in MB (right axis) against elapsed
 * seconds, with a grid, a legend, an optional title, the recording's phase
 * marks as labelled vertical lines and the memory peak annotated. Long
 * recordings are thinned for drawing (the minimum and maximum per pixel
 * column), never in the recording itself.
 */
#ifndef PROFLAB_CORE_PLOT_H
#define PROFLAB_CORE_PLOT_H

#include "core/recording.h"

/*
 * PNG or SVG by the extension of path (.png or .svg, in any case; anything
 * else is an error naming the extension). title may be NULL. Copes with 0 or
 * 1 sample (empty axes). Writes a temporary file in the same directory and
 * renames it, so a half plot never stays. Errors name the file.
 */
int plot_write(const char *path, const struct recording *rec, const char *title, char **cause);

/* The smallest 1, 2 or 5 x 10^k that is >= x (x > 0); 1 otherwise. */
double plot_nice_ceil(double x);

#endif
