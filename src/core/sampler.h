/*
 * Samples one process (and, when asked, all its descendants) from outside,
 * the way psrecord does with psutil: CPU % per core between two readings,
 * resident and virtual memory. The back end is per platform: sampler_linux.c
 * reads /proc through kept-open descriptors from a settable root (so tests
 * use fixture trees); sampler_none.c says sampling is not supported.
 *
 * The sampler owns its descriptors and tables; sampler_free releases them.
 * Readings are cheap enough for 100 Hz and more (no allocation without
 * children).
 */
#ifndef PROFLAB_CORE_SAMPLER_H
#define PROFLAB_CORE_SAMPLER_H

#include "core/recording.h"

struct sampler;

/*
 * proc_root is "/proc" or a fixture tree. Errors (cause, caller frees): "no
 * process with PID N", "cannot read process N: Permission denied", ...
 * children != 0 also samples all descendants (found through
 * /proc/PID/task/TID/children when the kernel has them, else by scanning
 * proc_root/[0-9]* for their ppid) and sums their CPU and memory, as psrecord
 * --include-children does.
 */
struct sampler *sampler_open(const char *proc_root, int pid, int children, char **cause);
/*
 * One reading at t (seconds since the recording started, on the caller's
 * clock; CPU % is computed between readings). Returns 1 and fills *out
 * (out->t = t); 0 when the process has ended (ESRCH, an empty read, or state
 * Z or X); -1 with *cause on a real error. The first reading has cpu 0, as
 * psutil's first cpu_percent.
 */
int sampler_read(struct sampler *s, double t, struct sample *out, char **cause);
void sampler_free(struct sampler *s);

/* Testing hooks and arithmetic. Units default to sysconf's values. */
void sampler_set_units(struct sampler *s, long clock_ticks_per_sec, long page_size);
/* 100 * (ticks - prev) / hz / dt; 0 if dt <= 0, hz <= 0 or ticks < prev. */
double sampler_cpu_percent(
    unsigned long long prev_ticks, unsigned long long ticks, long hz, double dt);

#endif
