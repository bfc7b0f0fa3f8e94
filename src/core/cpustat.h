/*
 * Per-CPU use from /proc/stat, as htop's meters show it: two readings some
 * time apart, and each CPU's busy share of the time between them (busy is
 * everything but idle and iowait; guest time is already inside user and
 * nice). A struct cpustat owns its arrays.
 */
#ifndef PROFLAB_CORE_CPUSTAT_H
#define PROFLAB_CORE_CPUSTAT_H

struct cpustat {
	int n; /* CPUs listed (cpu0, cpu1, ...) */
	int *id; /* the N of each cpuN line */
	unsigned long long *busy; /* jiffies */
	unsigned long long *total;
};

/* Reads root/proc/stat (root "" for the live system); -1 with *cause naming the file. */
int cpustat_read(struct cpustat *s, const char *root, char **cause);
/*
 * The busy percent (0..100) of CPU i between prev and cur, or -1 when the
 * two readings do not both have it or no time passed.
 */
double cpustat_percent(const struct cpustat *prev, const struct cpustat *cur, int i);
void cpustat_free(struct cpustat *s);

#endif
