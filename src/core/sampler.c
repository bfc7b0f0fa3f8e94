/*
 * Platform-independent sampler arithmetic (the back ends are
 * sampler_linux.c and sampler_none.c).
 */
#include "config.h"

#include "core/sampler.h"

double
sampler_cpu_percent(unsigned long long prev_ticks, unsigned long long ticks, long hz, double dt)
{
	if (dt <= 0 || hz <= 0 || ticks < prev_ticks)
		return 0;
	return 100.0 * ((double)(ticks - prev_ticks) / (double)hz) / dt;
}
