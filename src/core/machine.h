/*
 * What machine is this: the facts `proflab machine` reports, read from
 * /proc, /sys, /etc/os-release and statvfs(2) below a settable root (so the
 * tests read fixture trees), with hwloc for caches and topology where it was
 * found at configure time (the root then must be "/", as hwloc reads the
 * live system), else sysfs.
 *
 * struct machine owns every string and array in it. Facts that could not be
 * read are NULL strings, -1 counts and negative sizes or frequencies; the
 * JSON report shows them as null, the text report as "unknown".
 *
 * The Python side (the interpreter proflab embeds, numpy and its BLAS,
 * psutil) is not read here: `proflab-worker --machine facts` prints it as a
 * JSON object that machine_set_python() takes over.
 */
#ifndef PROFLAB_CORE_MACHINE_H
#define PROFLAB_CORE_MACHINE_H

#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"

#define MACHINE_SCHEMA "proflab-machine/1"

struct machine_cache {
	int level; /* 1, 2, 3, ... */
	char *type; /* "data", "instruction" or "unified" */
	int64_t size; /* bytes per instance */
	int count; /* instances in the machine */
	int shared_by; /* logical CPUs sharing one instance, -1 unknown */
};

struct machine_disk {
	char *mount;
	char *device;
	char *fstype;
	int64_t total; /* bytes: f_blocks * f_frsize, as df's Size */
	int64_t used; /* (f_blocks - f_bfree) * f_frsize, as df's Used */
	int64_t free; /* f_bavail * f_frsize, as df's Avail and psutil's free */
};

struct machine {
	char *root; /* "" for the live system */

	/* CPU */
	char *cpu_model; /* "model name" of /proc/cpuinfo, or what the architecture has */
	char *cpu_vendor;
	char *arch; /* uname -m */
	int sockets;
	int cores; /* physical cores: distinct (package, core) pairs */
	int logical; /* online logical CPUs */
	int threads_per_core; /* logical / cores */
	int affinity; /* CPUs this process may run on (Cpus_allowed_list), as nproc */
	double quota; /* cgroup CPU quota in CPUs (quota / period), 0 without one, -1 unknown */
	char *quota_source; /* the file the quota came from, or NULL */
	int usable; /* min(affinity, ceil(quota)) */
	double freq_cur; /* MHz, -1 unknown; the mean over CPUs, as psutil */
	double freq_min;
	double freq_max;
	char *freq_source; /* "cpufreq" or "cpuinfo" */
	int numa_nodes;
	struct machine_cache *caches;
	int ncaches;
	char *topology_source; /* "hwloc 2.9.0" or "sysfs" */

	/* memory, bytes, as psutil.virtual_memory() and swap_memory() compute them */
	int64_t mem_total;
	int64_t mem_available;
	int64_t mem_used;
	int64_t mem_free;
	int64_t mem_limit; /* the cgroup's memory limit, 0 without one, -1 unknown */
	int64_t swap_total;
	int64_t swap_used;
	int64_t swap_free;

	/* disks: local file systems (those /proc/filesystems does not mark nodev) and "/" */
	struct machine_disk *disks;
	int ndisks;

	double load[3];
	int processes; /* numeric entries of /proc, as len(psutil.pids()) */

	/* host */
	char *hostname;
	char *os; /* PRETTY_NAME of /etc/os-release */
	char *kernel; /* uname -r */
	double uptime; /* seconds, /proc/uptime */

	/* The worker's JSON: {"python": {...}, "numpy": {...}, "psutil": {...}}; NULL until set. */
	json_t *python;
};

/*
 * Reads every fact below root ("" or NULL: the live system). Facts that
 * cannot be read stay unknown; -1 with *cause only when root itself cannot be
 * read at all (no proc/ under it).
 */
int machine_read(struct machine *m, const char *root, char **cause);
/* Reads the values that change again: frequency, memory, swap, disks, load, processes, uptime. */
void machine_refresh(struct machine *m);
void machine_free(struct machine *m);

/* Takes over python (a JSON object; the reference is stolen). */
void machine_set_python(struct machine *m, json_t *python);

/*
 * The fingerprint: id is 8 hex digits naming the hardware (CPU model,
 * physical cores, logical CPUs, memory rounded to GiB); text adds the
 * software: "AMD EPYC, 2 cores/2 threads, 23.5 GiB; Python 3.11.2; BLAS
 * openblas". python_version and blas override (or stand in for) the
 * worker's facts and may be NULL. Caller frees text.
 */
void machine_fingerprint(
    const struct machine *m, const char *python_version, const char *blas, char id[9], char **text);

/*
 * Reads this machine (the live system) and returns "machine ID: TEXT" for a
 * run whose Python and BLAS are given (either may be NULL); NULL when the
 * machine cannot be read. Caller frees.
 */
char *machine_fingerprint_line(const char *python_version, const char *blas_library);

/* The report as JSON (schema MACHINE_SCHEMA; see man/proflab.1). bench may be NULL. */
json_t *machine_to_json(const struct machine *m, const json_t *bench);
/* The report as text, as `proflab machine` prints it. */
void machine_format_text(const struct machine *m, const json_t *bench, struct buf *b);

/*
 * The kind of BLAS a library path names: "openblas", "mkl", "blis",
 * "flexiblas", "atlas", "accelerate", "reference" (netlib's libblas, as
 * Debian's libblas3 installs it) or "unknown".
 */
const char *machine_blas_name(const char *path);

/* A JSON string of s, with '?' for bytes that are not UTF-8; NULL is null. */
json_t *machine_json_string(const char *s);

/* "1.5 GiB", "512 MiB", "31.9 KiB"; bytes < 0 is "unknown". */
void machine_format_bytes(struct buf *b, int64_t bytes);

#endif
