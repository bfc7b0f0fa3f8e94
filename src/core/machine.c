/*
 * Reads the facts of struct machine (machine.h) below m->root: /proc for the
 * CPU model, memory, mounts, load, processes and this process's affinity and
 * cgroup; /sys/devices/system for the online CPUs, cores, frequency, caches
 * and NUMA nodes (or hwloc for the last two on the live system); /sys/fs/cgroup
 * for the CPU quota and memory limit; statvfs(2) for the disks. Every file is
 * read once, tolerantly: a file missing or malformed leaves its fact unknown.
 * No subprocess, so the whole report stays well inside its 300 ms.
 *
 * The counts follow psutil's Linux code (5.9): cores are the distinct
 * core_cpus_list (thread_siblings_list) of the online CPUs, the frequency is
 * the mean over cpufreq policies (else over the "cpu MHz" of /proc/cpuinfo),
 * memory is virtual_memory()'s arithmetic, and disks are the mounts of file
 * system types /proc/filesystems does not mark nodev.
 *
 * m->root is kept without its trailing slashes: "" is the live system.
 */
#include "config.h"

#include "core/machine.h"

#include <ctype.h>
#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifdef HAVE_HWLOC
#include <hwloc.h>
#endif

#include "base/buf.h"
#include "base/xmalloc.h"

#define MACHINE_MAX_CPUS 65536
#define MACHINE_MAX_FILE (16 << 20)
/* A cgroup v1 memory limit at least this large is "no limit" (the kernel shows 2^63 - 4096). */
#define MACHINE_NO_LIMIT (INT64_C(1) << 62)

/* What /proc/cpuinfo says beyond the model and vendor. */
struct machine_cpuinfo {
	int processors; /* "processor" entries */
	double mhz; /* mean "cpu MHz", -1 without */
	int cores; /* sum of "cpu cores" over distinct "physical id", -1 without */
};

/* One cache instance seen in sysfs, or a group of equal ones. */
struct machine_cache_seen {
	int level;
	int type; /* index into machine_cache_types */
	int64_t size;
	int shared_by;
	char *cpus; /* shared_cpu_list */
};

static const char *machine_cache_types[] = {"data", "instruction", "unified"};

/* --- reading files ------------------------------------------------------------------------ */

static int
machine_vpath(const struct machine *m, char *path, size_t size, const char *fmt, va_list ap)
{
	size_t len = strlen(m->root);
	int n;

	if (len >= size)
		return -1;
	memcpy(path, m->root, len);
	n = vsnprintf(path + len, size - len, fmt, ap);
	if (n < 0 || (size_t)n >= size - len)
		return -1;
	return 0;
}

static int machine_path(const struct machine *m, char *path, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
machine_path(const struct machine *m, char *path, size_t size, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = machine_vpath(m, path, size, fmt, ap);
	va_end(ap);
	return rc;
}

static int
machine_open(const char *path)
{
	int fd;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	return fd;
}

/* The whole file at path into b (emptied first); 0 or -1. */
static int
machine_slurp(const char *path, struct buf *b)
{
	ssize_t n;
	int fd;

	buf_reset(b);
	if ((fd = machine_open(path)) == -1)
		return -1;
	for (;;) {
		buf_reserve(b, 8192);
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len > MACHINE_MAX_FILE) {
			n = -1;
			break;
		}
	}
	close(fd);
	if (n != 0) {
		buf_reset(b);
		return -1;
	}
	return 0;
}

static int machine_file(const struct machine *m, struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The file at root + fmt into b; 0 or -1. */
static int
machine_file(const struct machine *m, struct buf *b, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = machine_vpath(m, path, sizeof path, fmt, ap);
	va_end(ap);
	if (rc != 0)
		return -1;
	return machine_slurp(path, b);
}

/* A one-line file (sysfs values) into out, white space trimmed at both ends: its length, or -1. */
static int
machine_small_path(const char *path, char *out, size_t size)
{
	size_t len = 0, start = 0;
	ssize_t n = 0;
	int fd;

	if ((fd = machine_open(path)) == -1)
		return -1;
	while (len < size - 1) {
		n = read(fd, out + len, size - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (n == -1)
		return -1;
	out[len] = '\0';
	while (len > 0 && isspace((unsigned char)out[len - 1]))
		out[--len] = '\0';
	while (start < len && isspace((unsigned char)out[start]))
		start++;
	if (start > 0) {
		memmove(out, out + start, len - start + 1);
		len -= start;
	}
	return (int)len;
}

static int machine_small(const struct machine *m, char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* machine_small_path for root + fmt. */
static int
machine_small(const struct machine *m, char *out, size_t size, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = machine_vpath(m, path, sizeof path, fmt, ap);
	va_end(ap);
	if (rc != 0)
		return -1;
	return machine_small_path(path, out, size);
}

/* A whole number (a line of digits, maybe signed); 0 or -1. */
static int
machine_parse_ll(const char *s, long long *v)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	return *end == '\0' ? 0 : -1;
}

static int machine_small_ll(const struct machine *m, long long *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
machine_small_ll(const struct machine *m, long long *v, const char *fmt, ...)
{
	char path[PATH_MAX], text[64];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = machine_vpath(m, path, sizeof path, fmt, ap);
	va_end(ap);
	if (rc != 0 || machine_small_path(path, text, sizeof text) < 0)
		return -1;
	return machine_parse_ll(text, v);
}

static int
machine_is_dir(const struct machine *m, const char *sub)
{
	char path[PATH_MAX];
	struct stat st;

	if (machine_path(m, path, sizeof path, "%s", sub) != 0)
		return 0;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The next line of text at *pos (NUL-terminated in place), or NULL at the end. */
static char *
machine_next_line(char **pos)
{
	char *line = *pos, *nl;

	if (line == NULL || *line == '\0')
		return NULL;
	if ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		*pos = nl + 1;
	} else
		*pos = line + strlen(line);
	return line;
}

static char *
machine_trim(char *s)
{
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

/* --- CPU lists ("0-3,6") ------------------------------------------------------------------ */

static int
machine_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * Parses a kernel CPU list; fills *cpus (caller frees; sorted, each CPU once)
 * when cpus is not NULL. The number of CPUs, or -1 when malformed.
 */
static int
machine_cpulist(const char *s, int **cpus)
{
	int n = 0, cap = 0, *list = NULL;
	long a, b, i;
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	while (*s != '\0' && !isspace((unsigned char)*s)) {
		if (!isdigit((unsigned char)*s))
			goto bad;
		a = strtol(s, &end, 10);
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			if (!isdigit((unsigned char)*s))
				goto bad;
			b = strtol(s, &end, 10);
			s = end;
		}
		if (a < 0 || b < a || b >= MACHINE_MAX_CPUS || n + (b - a + 1) > MACHINE_MAX_CPUS)
			goto bad;
		if (cpus != NULL) {
			for (i = a; i <= b; i++) {
				if (n == cap) {
					cap = cap == 0 ? 16 : cap * 2;
					list = xreallocarray(list, (size_t)cap, sizeof *list);
				}
				list[n++] = (int)i;
			}
		} else
			n += (int)(b - a + 1);
		if (*s == ',')
			s++;
		else if (*s != '\0' && !isspace((unsigned char)*s))
			goto bad;
	}
	if (cpus != NULL) {
		if (n > 1) {
			qsort(list, (size_t)n, sizeof *list, machine_cmp_int);
			for (i = 1, cap = 1; i < n; i++) {
				if (list[i] != list[cap - 1])
					list[cap++] = list[i];
			}
			n = cap;
		}
		*cpus = list;
	}
	return n;

bad:
	free(list);
	if (cpus != NULL)
		*cpus = NULL;
	return -1;
}

static int
machine_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
machine_cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return (x > y) - (x < y);
}

/* The number of distinct values in v (sorted here). */
static int
machine_count_distinct(unsigned long long *v, int n)
{
	int i, distinct = 0;

	qsort(v, (size_t)n, sizeof *v, machine_cmp_ull);
	for (i = 0; i < n; i++) {
		if (i == 0 || v[i] != v[i - 1])
			distinct++;
	}
	return distinct;
}

/*
 * The online CPUs (*cpus, caller frees): /sys/devices/system/cpu/online, else
 * the cpuN folders there. Sets *online when the online file was read. The
 * count, or -1.
 */
static int
machine_cpus(const struct machine *m, int **cpus, int *online)
{
	char path[PATH_MAX], text[4096];
	struct dirent *de;
	int n = 0, cap = 0, *list = NULL;
	char *end;
	long cpu;
	DIR *d;

	*cpus = NULL;
	*online = 0;
	if (machine_small(m, text, sizeof text, "/sys/devices/system/cpu/online") >= 0 &&
	    (n = machine_cpulist(text, cpus)) >= 0) {
		*online = 1;
		return n;
	}
	n = 0;
	if (machine_path(m, path, sizeof path, "/sys/devices/system/cpu") != 0 ||
	    (d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "cpu", 3) != 0 || !isdigit((unsigned char)de->d_name[3]))
			continue;
		cpu = strtol(de->d_name + 3, &end, 10);
		if (*end != '\0' || cpu >= MACHINE_MAX_CPUS || n >= MACHINE_MAX_CPUS)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			list = xreallocarray(list, (size_t)cap, sizeof *list);
		}
		list[n++] = (int)cpu;
	}
	closedir(d);
	if (n == 0) {
		free(list);
		return -1;
	}
	qsort(list, (size_t)n, sizeof *list, machine_cmp_int);
	*cpus = list;
	return n;
}

/* --- /proc/cpuinfo ------------------------------------------------------------------------ */

static const struct machine_arm_part {
	unsigned implementer, part;
	const char *name;
} machine_arm_parts[] = {
    {0x41, 0xb76, "ARM1176"},
    {0x41, 0xc07, "Cortex-A7"},
    {0x41, 0xc08, "Cortex-A8"},
    {0x41, 0xc09, "Cortex-A9"},
    {0x41, 0xc0f, "Cortex-A15"},
    {0x41, 0xd03, "Cortex-A53"},
    {0x41, 0xd04, "Cortex-A35"},
    {0x41, 0xd05, "Cortex-A55"},
    {0x41, 0xd07, "Cortex-A57"},
    {0x41, 0xd08, "Cortex-A72"},
    {0x41, 0xd09, "Cortex-A73"},
    {0x41, 0xd0a, "Cortex-A75"},
    {0x41, 0xd0b, "Cortex-A76"},
    {0x41, 0xd0c, "Neoverse-N1"},
    {0x41, 0xd0d, "Cortex-A77"},
    {0x41, 0xd40, "Neoverse-V1"},
    {0x41, 0xd41, "Cortex-A78"},
    {0x41, 0xd44, "Cortex-X1"},
    {0x41, 0xd46, "Cortex-A510"},
    {0x41, 0xd47, "Cortex-A710"},
    {0x41, 0xd48, "Cortex-X2"},
    {0x41, 0xd49, "Neoverse-N2"},
    {0x41, 0xd4f, "Neoverse-V2"},
    {0x41, 0xd80, "Cortex-A520"},
    {0x41, 0xd81, "Cortex-A720"},
    {0xc0, 0xac3, "Ampere-1"},
};

static const struct machine_arm_vendor {
	unsigned implementer;
	const char *name;
} machine_arm_vendors[] = {
    {0x41, "ARM"},
    {0x42, "Broadcom"},
    {0x43, "Cavium"},
    {0x48, "HiSilicon"},
    {0x4e, "NVIDIA"},
    {0x50, "APM"},
    {0x51, "Qualcomm"},
    {0x61, "Apple"},
    {0xc0, "Ampere"},
};

/* The keys that may name the CPU, best first; the ARM implementer and part rank at ARM_RANK. */
static const char *machine_model_keys[] = {
    "model name", "cpu model", NULL, "Processor", "Model", "Hardware", "cpu", "uarch"};
#define MACHINE_ARM_RANK 2
#define MACHINE_NMODEL_KEYS (sizeof machine_model_keys / sizeof machine_model_keys[0])

/* "Cortex-A72" or "Qualcomm part 0x801" from "CPU implementer" and "CPU part"; vendor too. */
static char *
machine_arm_model(const char *implementer, const char *part, char **vendor)
{
	const char *vname = NULL;
	unsigned long impl, p;
	char *end;
	size_t i;

	impl = strtoul(implementer, &end, 0);
	if (end == implementer)
		return NULL;
	for (i = 0; i < sizeof machine_arm_vendors / sizeof machine_arm_vendors[0]; i++) {
		if (machine_arm_vendors[i].implementer == impl)
			vname = machine_arm_vendors[i].name;
	}
	if (*vendor == NULL)
		*vendor = vname != NULL ? xstrdup(vname) : xasprintf("0x%02lx", impl);
	if (part == NULL)
		return NULL;
	p = strtoul(part, &end, 0);
	if (end == part)
		return NULL;
	for (i = 0; i < sizeof machine_arm_parts / sizeof machine_arm_parts[0]; i++) {
		if (machine_arm_parts[i].implementer == impl && machine_arm_parts[i].part == p)
			return xstrdup(machine_arm_parts[i].name);
	}
	if (vname != NULL)
		return xasprintf("%s part 0x%03lx", vname, p);
	return xasprintf("implementer 0x%02lx part 0x%03lx", impl, p);
}

/* Parses text (modified) into *ci and, when not NULL, *model and *vendor (caller frees). */
static void
machine_parse_cpuinfo(char *text, struct machine_cpuinfo *ci, char **model, char **vendor)
{
	const char *models[MACHINE_NMODEL_KEYS] = {NULL};
	const char *implementer = NULL, *part = NULL, *vendor_id = NULL;
	char *pos = text, *line, *colon, *key, *value, *end;
	int ids[256], nids = 0, id = -1, cores = -1, i, nmhz = 0;
	double mhz, mhz_sum = 0;
	size_t k;
	int last;

	ci->processors = 0;
	ci->mhz = -1;
	ci->cores = -1;
	for (;;) {
		line = machine_next_line(&pos);
		last = line == NULL;
		if (last || *machine_trim(line) == '\0') {
			/* The end of a processor's section: "physical id" and "cpu cores", as psutil. */
			if (id >= 0 && cores >= 0) {
				for (i = 0; i < nids && ids[i] != id; i++)
					;
				if (i == nids && nids < (int)(sizeof ids / sizeof ids[0])) {
					ids[nids++] = id;
					ci->cores = (ci->cores < 0 ? 0 : ci->cores) + cores;
				}
			}
			id = cores = -1;
			if (last)
				break;
			continue;
		}
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		key = machine_trim(line);
		value = machine_trim(colon + 1);
		if (strcmp(key, "processor") == 0)
			ci->processors++;
		else if (strcasecmp(key, "cpu MHz") == 0) {
			mhz = strtod(value, &end);
			if (end != value && mhz > 0) {
				mhz_sum += mhz;
				nmhz++;
			}
		} else if (strcmp(key, "vendor_id") == 0 && vendor_id == NULL && *value != '\0')
			vendor_id = value;
		else if (strcmp(key, "CPU implementer") == 0 && implementer == NULL)
			implementer = value;
		else if (strcmp(key, "CPU part") == 0 && part == NULL)
			part = value;
		else if (strcmp(key, "physical id") == 0)
			id = atoi(value);
		else if (strcmp(key, "cpu cores") == 0)
			cores = atoi(value);
		else {
			for (k = 0; k < MACHINE_NMODEL_KEYS; k++) {
				if (machine_model_keys[k] != NULL &&
				    strcmp(key, machine_model_keys[k]) == 0 && models[k] == NULL &&
				    *value != '\0')
					models[k] = value;
			}
		}
	}
	if (nmhz > 0)
		ci->mhz = mhz_sum / nmhz;
	if (model == NULL)
		return;

	*model = NULL;
	*vendor = vendor_id != NULL ? xstrdup(vendor_id) : NULL;
	for (k = 0; k < MACHINE_NMODEL_KEYS && *model == NULL; k++) {
		if (k == MACHINE_ARM_RANK && implementer != NULL)
			*model = machine_arm_model(implementer, part, vendor);
		else if (models[k] != NULL)
			*model = xstrdup(models[k]);
	}
	if (*vendor == NULL && implementer != NULL)
		free(machine_arm_model(implementer, NULL, vendor));
}

/* --- cores, sockets, caches --------------------------------------------------------------- */

/*
 * Cores and sockets from the online CPUs' topology: the distinct
 * core_cpus_list (or thread_siblings_list), as psutil.cpu_count(logical=False);
 * else the distinct (physical_package_id, core_id); else cpuinfo's count.
 */
static void
machine_read_topology(
    struct machine *m, const int *cpus, int ncpus, const struct machine_cpuinfo *ci)
{
	int i, nlists = 0, npackages = 0, npairs = 0;
	unsigned long long *packages, *pairs;
	long long v, core;
	char text[4096], **lists;

	packages = xcalloc((size_t)ncpus, sizeof *packages);
	pairs = xcalloc((size_t)ncpus, sizeof *pairs);
	lists = xcalloc((size_t)ncpus, sizeof *lists);
	for (i = 0; i < ncpus; i++) {
		if (machine_small(m, text, sizeof text,
		        "/sys/devices/system/cpu/cpu%d/topology/core_cpus_list", cpus[i]) > 0 ||
		    machine_small(m, text, sizeof text,
		        "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", cpus[i]) > 0)
			lists[nlists++] = xstrdup(text);
		if (machine_small_ll(m, &v,
		        "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", cpus[i]) != 0)
			continue;
		packages[npackages++] = (unsigned long long)v;
		if (machine_small_ll(
		        m, &core, "/sys/devices/system/cpu/cpu%d/topology/core_id", cpus[i]) == 0)
			pairs[npairs++] =
			    (unsigned long long)v << 32 | ((unsigned long long)core & 0xffffffff);
	}

	if (nlists > 0) {
		qsort(lists, (size_t)nlists, sizeof *lists, machine_cmp_str);
		m->cores = 0;
		for (i = 0; i < nlists; i++) {
			if (i == 0 || strcmp(lists[i], lists[i - 1]) != 0)
				m->cores++;
		}
	} else if (npairs > 0)
		m->cores = machine_count_distinct(pairs, npairs);
	else if (ci->cores > 0)
		m->cores = ci->cores;
	if (npackages > 0)
		m->sockets = machine_count_distinct(packages, npackages);

	for (i = 0; i < nlists; i++)
		free(lists[i]);
	free(lists);
	free(packages);
	free(pairs);
}

/* "32K" -> 32768; -1 when malformed. */
static int64_t
machine_parse_size(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v < 0 || v > (INT64_MAX >> 30))
		return -1;
	switch (*end) {
	case '\0':
		return v;
	case 'K':
		return (int64_t)v << 10;
	case 'M':
		return (int64_t)v << 20;
	case 'G':
		return (int64_t)v << 30;
	}
	return -1;
}

static int
machine_cmp_cache_seen(const void *a, const void *b)
{
	const struct machine_cache_seen *x = a, *y = b;

	if (x->level != y->level)
		return x->level - y->level;
	if (x->type != y->type)
		return x->type - y->type;
	if (x->size != y->size)
		return (x->size > y->size) - (x->size < y->size);
	return x->shared_by - y->shared_by;
}

/*
 * Groups cache instances (sorted) into m->caches: one entry per level, type,
 * size and sharing, with the number of instances.
 */
static void
machine_set_caches(struct machine *m, struct machine_cache_seen *seen, int nseen)
{
	struct machine_cache *c;
	int i;

	qsort(seen, (size_t)nseen, sizeof *seen, machine_cmp_cache_seen);
	for (i = 0; i < nseen; i++) {
		c = m->ncaches > 0 ? &m->caches[m->ncaches - 1] : NULL;
		if (c != NULL && c->level == seen[i].level &&
		    strcmp(c->type, machine_cache_types[seen[i].type]) == 0 &&
		    c->size == seen[i].size && c->shared_by == seen[i].shared_by) {
			c->count++;
			continue;
		}
		m->caches = xreallocarray(m->caches, (size_t)m->ncaches + 1, sizeof *m->caches);
		c = &m->caches[m->ncaches++];
		c->level = seen[i].level;
		c->type = xstrdup(machine_cache_types[seen[i].type]);
		c->size = seen[i].size;
		c->count = 1;
		c->shared_by = seen[i].shared_by;
	}
}

static int
machine_cmp_cache_instance(const void *a, const void *b)
{
	const struct machine_cache_seen *x = a, *y = b;

	if (x->level != y->level)
		return x->level - y->level;
	if (x->type != y->type)
		return x->type - y->type;
	return strcmp(x->cpus, y->cpus);
}

static int
machine_cache_type(const char *s)
{
	if (strcmp(s, "Data") == 0)
		return 0;
	if (strcmp(s, "Instruction") == 0)
		return 1;
	if (strcmp(s, "Unified") == 0)
		return 2;
	return -1;
}

/* Caches from /sys/devices/system/cpu/cpuN/cache/indexM: distinct (level, type, shared_cpu_list). */
static void
machine_read_caches_sysfs(struct machine *m, const int *cpus, int ncpus)
{
	struct machine_cache_seen *seen = NULL, *s;
	int nseen = 0, capseen = 0, i, idx, type, kept;
	char text[4096];
	long long level;

	for (i = 0; i < ncpus; i++) {
		for (idx = 0; idx < 32; idx++) {
			if (machine_small_ll(m, &level,
			        "/sys/devices/system/cpu/cpu%d/cache/index%d/level", cpus[i],
			        idx) != 0)
				break;
			if (machine_small(m, text, sizeof text,
			        "/sys/devices/system/cpu/cpu%d/cache/index%d/type", cpus[i],
			        idx) < 0 ||
			    (type = machine_cache_type(text)) < 0 || level < 1 || level > 9)
				continue;
			if (nseen == capseen) {
				capseen = capseen == 0 ? 16 : capseen * 2;
				seen = xreallocarray(seen, (size_t)capseen, sizeof *seen);
			}
			s = &seen[nseen];
			s->level = (int)level;
			s->type = type;
			s->size = -1;
			if (machine_small(m, text, sizeof text,
			        "/sys/devices/system/cpu/cpu%d/cache/index%d/size", cpus[i],
			        idx) > 0)
				s->size = machine_parse_size(text);
			if (machine_small(m, text, sizeof text,
			        "/sys/devices/system/cpu/cpu%d/cache/index%d/shared_cpu_list",
			        cpus[i], idx) > 0 &&
			    (s->shared_by = machine_cpulist(text, NULL)) > 0)
				s->cpus = xstrdup(text);
			else {
				/* Without the list, count it as this CPU's own. */
				s->shared_by = -1;
				s->cpus = xasprintf("cpu%d", cpus[i]);
			}
			nseen++;
		}
	}

	if (nseen == 0)
		return;
	/* Each CPU lists the caches it uses: keep one per (level, type, shared_cpu_list). */
	qsort(seen, (size_t)nseen, sizeof *seen, machine_cmp_cache_instance);
	for (i = 0, kept = 0; i < nseen; i++) {
		if (kept > 0 && machine_cmp_cache_instance(&seen[kept - 1], &seen[i]) == 0)
			free(seen[i].cpus);
		else
			seen[kept++] = seen[i];
	}
	nseen = kept;
	machine_set_caches(m, seen, nseen);
	for (i = 0; i < nseen; i++)
		free(seen[i].cpus);
	free(seen);
}

/* NUMA nodes: the nodeN folders of /sys/devices/system/node; 1 without the folder. */
static void
machine_read_numa_sysfs(struct machine *m)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (machine_path(m, path, sizeof path, "/sys/devices/system/node") != 0)
		return;
	if ((d = opendir(path)) == NULL) {
		if (machine_is_dir(m, "/sys/devices/system/cpu"))
			m->numa_nodes = 1;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "node", 4) == 0 && isdigit((unsigned char)de->d_name[4]))
			n++;
	}
	closedir(d);
	m->numa_nodes = n > 0 ? n : 1;
}

#ifdef HAVE_HWLOC
/* Caches and NUMA nodes through hwloc (the live system only); 0 or -1. */
static int
machine_read_hwloc(struct machine *m)
{
	struct machine_cache_seen *seen = NULL, *s;
	int nseen = 0, depth, ndepths, i, n, weight;
	hwloc_topology_t topo;
	const char *version;
	unsigned api;
	hwloc_obj_t obj;

	if (hwloc_topology_init(&topo) != 0)
		return -1;
	/*
	 * Only what the report shows: no I/O devices, but instruction caches too;
	 * not the x86 backend (cpuid, slow in a virtual machine, adds nothing on Linux).
	 */
	hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
	hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
	hwloc_topology_set_type_filter(topo, HWLOC_OBJ_MISC, HWLOC_TYPE_FILTER_KEEP_NONE);
	hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_ALL);
	if (hwloc_topology_load(topo) != 0) {
		hwloc_topology_destroy(topo);
		return -1;
	}

	ndepths = hwloc_topology_get_depth(topo);
	for (depth = 0; depth < ndepths; depth++) {
		obj = hwloc_get_obj_by_depth(topo, depth, 0);
		if (obj == NULL || !hwloc_obj_type_is_cache(obj->type))
			continue;
		n = hwloc_get_nbobjs_by_depth(topo, depth);
		for (i = 0; i < n; i++) {
			obj = hwloc_get_obj_by_depth(topo, depth, (unsigned)i);
			seen = xreallocarray(seen, (size_t)nseen + 1, sizeof *seen);
			s = &seen[nseen++];
			s->level = (int)obj->attr->cache.depth;
			switch (obj->attr->cache.type) {
			case HWLOC_OBJ_CACHE_DATA:
				s->type = 0;
				break;
			case HWLOC_OBJ_CACHE_INSTRUCTION:
				s->type = 1;
				break;
			default:
				s->type = 2;
				break;
			}
			s->size = obj->attr->cache.size > 0 ? (int64_t)obj->attr->cache.size : -1;
			weight = obj->cpuset != NULL ? hwloc_bitmap_weight(obj->cpuset) : -1;
			s->shared_by = weight > 0 ? weight : -1;
			s->cpus = NULL;
		}
	}
	if (nseen > 0)
		machine_set_caches(m, seen, nseen);
	free(seen);

	n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	m->numa_nodes = n > 0 ? n : 1;

	version = hwloc_obj_get_info_by_name(hwloc_get_root_obj(topo), "hwlocVersion");
	if (version != NULL)
		m->topology_source = xasprintf("hwloc %s", version);
	else {
		api = hwloc_get_api_version();
		m->topology_source =
		    xasprintf("hwloc %u.%u.%u", api >> 16, (api >> 8) & 0xff, api & 0xff);
	}
	hwloc_topology_destroy(topo);
	return 0;
}
#endif

/* --- frequency ---------------------------------------------------------------------------- */

/*
 * The mean of scaling_cur_freq, scaling_min_freq and scaling_max_freq over
 * the cpufreq policies (or the cpuN/cpufreq folders), as psutil.cpu_freq();
 * else the mean "cpu MHz" of /proc/cpuinfo (cpuinfo_mhz; below -1 to read it
 * here).
 */
static void
machine_read_freq(struct machine *m, const int *cpus, int ncpus, double cpuinfo_mhz)
{
	char path[PATH_MAX], dir[PATH_MAX];
	double cur = 0, min = 0, max = 0;
	int n = 0, nmin = 0, nmax = 0, i, npolicies = 0;
	struct machine_cpuinfo ci;
	long long v, *policies = NULL;
	struct dirent *de;
	struct buf b;
	char *end;
	DIR *d;

	free(m->freq_source);
	m->freq_source = NULL;
	m->freq_cur = m->freq_min = m->freq_max = -1;

	if (machine_path(m, path, sizeof path, "/sys/devices/system/cpu/cpufreq") == 0 &&
	    (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "policy", 6) != 0 ||
			    !isdigit((unsigned char)de->d_name[6]))
				continue;
			v = strtoll(de->d_name + 6, &end, 10);
			if (*end != '\0')
				continue;
			policies = xreallocarray(policies, (size_t)npolicies + 1, sizeof *policies);
			policies[npolicies++] = v;
		}
		closedir(d);
	}
	for (i = 0; i < (npolicies > 0 ? npolicies : ncpus); i++) {
		if (npolicies > 0)
			snprintf(dir, sizeof dir, "/sys/devices/system/cpu/cpufreq/policy%lld",
			    policies[i]);
		else
			snprintf(dir, sizeof dir, "/sys/devices/system/cpu/cpu%d/cpufreq", cpus[i]);
		if (machine_small_ll(m, &v, "%s/scaling_cur_freq", dir) != 0 &&
		    machine_small_ll(m, &v, "%s/cpuinfo_cur_freq", dir) != 0)
			continue;
		cur += v / 1000.0;
		n++;
		if (machine_small_ll(m, &v, "%s/scaling_min_freq", dir) == 0) {
			min += v / 1000.0;
			nmin++;
		}
		if (machine_small_ll(m, &v, "%s/scaling_max_freq", dir) == 0) {
			max += v / 1000.0;
			nmax++;
		}
	}
	free(policies);
	if (n > 0) {
		m->freq_cur = cur / n;
		if (nmin == n)
			m->freq_min = min / n;
		if (nmax == n)
			m->freq_max = max / n;
		m->freq_source = xstrdup("cpufreq");
		return;
	}

	if (cpuinfo_mhz < -1) {
		buf_init(&b);
		if (machine_file(m, &b, "/proc/cpuinfo") == 0) {
			machine_parse_cpuinfo(b.data, &ci, NULL, NULL);
			cpuinfo_mhz = ci.mhz;
		}
		buf_free(&b);
	}
	if (cpuinfo_mhz > 0) {
		m->freq_cur = cpuinfo_mhz;
		m->freq_source = xstrdup("cpuinfo");
	}
}

/* --- affinity and cgroup ------------------------------------------------------------------ */

/* The CPUs sched_getaffinity(2) gives, as nproc: -1 when it fails. */
static int
machine_sched_affinity(void)
{
	cpu_set_t *set;
	size_t size;
	int n, ncpus;

	for (ncpus = 1024; ncpus <= MACHINE_MAX_CPUS; ncpus *= 2) {
		if ((set = CPU_ALLOC((size_t)ncpus)) == NULL)
			fatal("CPU_ALLOC");
		size = CPU_ALLOC_SIZE((size_t)ncpus);
		if (sched_getaffinity(0, size, set) == 0) {
			n = CPU_COUNT_S(size, set);
			CPU_FREE(set);
			return n;
		}
		CPU_FREE(set);
		if (errno != EINVAL)
			break;
	}
	return -1;
}

/*
 * The CPUs this process may run on: sched_getaffinity(2) on the live system,
 * else Cpus_allowed_list of /proc/self/status less the CPUs not online (the
 * kernel's list may name CPUs that are not there; sched_getaffinity leaves
 * them out).
 */
static void
machine_read_affinity(struct machine *m, struct buf *b, const int *online, int nonline)
{
	int i, j, n, *allowed;
	char *pos, *line;

	if (*m->root == '\0' && (m->affinity = machine_sched_affinity()) > 0)
		return;
	m->affinity = -1;
	if (machine_file(m, b, "/proc/self/status") != 0)
		return;
	pos = b->data;
	while ((line = machine_next_line(&pos)) != NULL) {
		if (strncmp(line, "Cpus_allowed_list:", 18) != 0)
			continue;
		if ((n = machine_cpulist(line + 18, &allowed)) <= 0)
			break;
		m->affinity = n;
		if (online != NULL) {
			/* Both lists are sorted. */
			for (i = j = 0, m->affinity = 0; i < n && j < nonline;) {
				if (allowed[i] == online[j]) {
					m->affinity++;
					i++;
					j++;
				} else if (allowed[i] < online[j])
					i++;
				else
					j++;
			}
			if (m->affinity == 0)
				m->affinity = -1;
		}
		free(allowed);
		break;
	}
}

/* One limit file of a cgroup: the limit read, 0 for none, -1 when unreadable. */
typedef int (*machine_limit_fn)(const struct machine *, const char *, int64_t *, int64_t *);

/* cgroup v2 cpu.max: "max 100000" or "150000 100000". */
static int
machine_limit_cpu_max(const struct machine *m, const char *dir, int64_t *quota, int64_t *period)
{
	char text[128], *end;
	long long q, p;

	if (machine_small(m, text, sizeof text, "%s/cpu.max", dir) < 0)
		return -1;
	if (strncmp(text, "max", 3) == 0)
		return 0;
	errno = 0;
	q = strtoll(text, &end, 10);
	if (errno != 0 || end == text || !isspace((unsigned char)*end))
		return -1;
	if (machine_parse_ll(end, &p) != 0 || p <= 0 || q <= 0)
		return -1;
	*quota = q;
	*period = p;
	return 1;
}

/* cgroup v1 cpu.cfs_quota_us and cpu.cfs_period_us; -1 quota is none. */
static int
machine_limit_cfs(const struct machine *m, const char *dir, int64_t *quota, int64_t *period)
{
	long long q, p;

	if (machine_small_ll(m, &q, "%s/cpu.cfs_quota_us", dir) != 0)
		return -1;
	if (q <= 0)
		return 0;
	if (machine_small_ll(m, &p, "%s/cpu.cfs_period_us", dir) != 0 || p <= 0)
		return -1;
	*quota = q;
	*period = p;
	return 1;
}

/* cgroup v2 memory.max: "max" or bytes. */
static int
machine_limit_memory_max(const struct machine *m, const char *dir, int64_t *limit, int64_t *unit)
{
	char text[64];
	long long v;

	if (machine_small(m, text, sizeof text, "%s/memory.max", dir) < 0)
		return -1;
	if (strcmp(text, "max") == 0)
		return 0;
	if (machine_parse_ll(text, &v) != 0 || v < 0)
		return -1;
	*limit = v;
	*unit = 1;
	return 1;
}

/* cgroup v1 memory.limit_in_bytes; a value near 2^63 is none. */
static int
machine_limit_memory_v1(const struct machine *m, const char *dir, int64_t *limit, int64_t *unit)
{
	long long v;

	if (machine_small_ll(m, &v, "%s/memory.limit_in_bytes", dir) != 0)
		return -1;
	if (v < 0 || v >= MACHINE_NO_LIMIT)
		return 0;
	*limit = v;
	*unit = 1;
	return 1;
}

/*
 * The smallest limit (value / unit) in the cgroup at path below the hierarchy
 * mounted at mount and in its ancestors; only at the mount's own root when
 * path is not there (a container sees its cgroup as the root). 1 with *value,
 * *unit and *source (the file, caller frees), 0 for none, -1 when the mount
 * is not there.
 */
static int
machine_cgroup_limit(const struct machine *m, const char *mount, const char *path,
    machine_limit_fn fn, const char *file, int64_t *value, int64_t *unit, char **source)
{
	char dir[PATH_MAX], *slash;
	int64_t v, u;
	int found = 0, rc;

	if (!machine_is_dir(m, mount))
		return -1;
	if (snprintf(dir, sizeof dir, "%s%s", mount, path) >= (int)sizeof dir ||
	    !machine_is_dir(m, dir))
		snprintf(dir, sizeof dir, "%s", mount);
	for (;;) {
		while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
			dir[strlen(dir) - 1] = '\0';
		rc = fn(m, dir, &v, &u);
		if (rc == 1 && (!found || (double)v / (double)u < (double)*value / (double)*unit)) {
			*value = v;
			*unit = u;
			free(*source);
			*source = xasprintf("%s/%s", dir, file);
			found = 1;
		}
		if (strlen(dir) <= strlen(mount))
			break;
		if ((slash = strrchr(dir, '/')) == NULL || slash < dir + strlen(mount))
			break;
		*slash = '\0';
	}
	return found;
}

/* The CPU quota and memory limit of this process's cgroup (v1 or v2). */
static void
machine_read_cgroup(struct machine *m, struct buf *b)
{
	static const char *cpu_mounts[] = {"/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu"};
	char *pos, *line, *controllers, *path, *c, *next;
	char *v1cpu = NULL, *v1mem = NULL, *v2 = NULL;
	int64_t q = 0, p = 1, limit = 0, unit = 1;
	char *qsource = NULL, *msource = NULL;
	int rc = -1;
	size_t i;

	if (machine_file(m, b, "/proc/self/cgroup") != 0)
		return;
	pos = b->data;
	while ((line = machine_next_line(&pos)) != NULL) {
		/* "ID:CONTROLLERS:PATH"; the path may contain colons. */
		if ((controllers = strchr(line, ':')) == NULL)
			continue;
		*controllers++ = '\0';
		if ((path = strchr(controllers, ':')) == NULL)
			continue;
		*path++ = '\0';
		if (strcmp(line, "0") == 0 && *controllers == '\0') {
			v2 = path;
			continue;
		}
		for (c = controllers; c != NULL; c = next) {
			if ((next = strchr(c, ',')) != NULL)
				*next++ = '\0';
			if (strcmp(c, "cpu") == 0)
				v1cpu = path;
			else if (strcmp(c, "memory") == 0)
				v1mem = path;
		}
	}

	if (v1cpu != NULL) {
		for (i = 0; i < sizeof cpu_mounts / sizeof cpu_mounts[0] && rc < 0; i++)
			rc = machine_cgroup_limit(m, cpu_mounts[i], v1cpu, machine_limit_cfs,
			    "cpu.cfs_quota_us", &q, &p, &qsource);
	}
	if (rc < 0 && v2 != NULL)
		rc = machine_cgroup_limit(
		    m, "/sys/fs/cgroup", v2, machine_limit_cpu_max, "cpu.max", &q, &p, &qsource);
	m->quota = 0;
	if (rc == 1) {
		m->quota = (double)q / (double)p;
		m->quota_source = qsource;
		m->usable = (int)(q / p + (q % p != 0));
		if (m->affinity > 0 && m->affinity < m->usable)
			m->usable = m->affinity;
	} else
		free(qsource);

	rc = -1;
	if (v1mem != NULL)
		rc = machine_cgroup_limit(m, "/sys/fs/cgroup/memory", v1mem,
		    machine_limit_memory_v1, "memory.limit_in_bytes", &limit, &unit, &msource);
	if (rc < 0 && v2 != NULL)
		rc = machine_cgroup_limit(m, "/sys/fs/cgroup", v2, machine_limit_memory_max,
		    "memory.max", &limit, &unit, &msource);
	m->mem_limit = rc == 1 ? limit : 0;
	free(msource);
}

/* --- memory ------------------------------------------------------------------------------- */

static void
machine_read_memory(struct machine *m, struct buf *b)
{
	static const char *keys[] = {"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached",
	    "SReclaimable", "SwapTotal", "SwapFree"};
	enum { TOTAL, FREE, AVAILABLE, BUFFERS, CACHED, SRECLAIMABLE, SWAPTOTAL, SWAPFREE, NKEYS };
	int64_t v[NKEYS], used, cached;
	char *pos, *line, *colon, *end;
	long long kb;
	size_t i;

	m->mem_total = m->mem_available = m->mem_used = m->mem_free = -1;
	m->swap_total = m->swap_used = m->swap_free = -1;
	if (machine_file(m, b, "/proc/meminfo") != 0)
		return;
	for (i = 0; i < NKEYS; i++)
		v[i] = -1;
	pos = b->data;
	while ((line = machine_next_line(&pos)) != NULL) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		for (i = 0; i < NKEYS; i++) {
			if (strcmp(line, keys[i]) != 0)
				continue;
			errno = 0;
			kb = strtoll(colon + 1, &end, 10);
			if (errno == 0 && end != colon + 1 && kb >= 0 && kb < INT64_MAX / 1024)
				v[i] = kb * 1024;
			break;
		}
	}
	if (v[TOTAL] > 0) {
		m->mem_total = v[TOTAL];
		m->mem_free = v[FREE];
		m->mem_available = v[AVAILABLE];
		if (m->mem_available > m->mem_total)
			m->mem_available = m->mem_free;
		if (v[FREE] >= 0) {
			/* psutil: cached is Cached + SReclaimable, a missing field counts 0. */
			cached = v[CACHED] >= 0
			    ? v[CACHED] + (v[SRECLAIMABLE] > 0 ? v[SRECLAIMABLE] : 0)
			    : 0;
			used = v[TOTAL] - v[FREE] - cached - (v[BUFFERS] > 0 ? v[BUFFERS] : 0);
			m->mem_used = used >= 0 ? used : v[TOTAL] - v[FREE];
		}
	}
	if (v[SWAPTOTAL] >= 0 && v[SWAPFREE] >= 0 && v[SWAPFREE] <= v[SWAPTOTAL]) {
		m->swap_total = v[SWAPTOTAL];
		m->swap_free = v[SWAPFREE];
		m->swap_used = v[SWAPTOTAL] - v[SWAPFREE];
	}
}

/* --- disks -------------------------------------------------------------------------------- */

/* Decodes the octal escapes of a mounts field (\040 for a space) in place. */
static void
machine_unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

/* Whether fstype is a "real" file system in /proc/filesystems (text), as psutil. */
static int
machine_fstype_ok(const char *filesystems, const char *fstype)
{
	const char *p = filesystems, *eol, *name;
	size_t len = strlen(fstype), n;
	int nodev;

	while (*p != '\0') {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		nodev = strncmp(p, "nodev", 5) == 0;
		name = nodev ? p + 5 : p;
		while (name < eol && isspace((unsigned char)*name))
			name++;
		n = (size_t)(eol - name);
		while (n > 0 && isspace((unsigned char)name[n - 1]))
			n--;
		if (n == len && strncmp(name, fstype, len) == 0)
			return !nodev || strcmp(fstype, "zfs") == 0;
		p = *eol == '\0' ? eol : eol + 1;
	}
	return 0;
}

static void
machine_free_disks(struct machine *m)
{
	int i;

	for (i = 0; i < m->ndisks; i++) {
		free(m->disks[i].mount);
		free(m->disks[i].device);
		free(m->disks[i].fstype);
	}
	free(m->disks);
	m->disks = NULL;
	m->ndisks = 0;
}

static void
machine_read_disks(struct machine *m, struct buf *b)
{
	struct machine_disk *d, *other;
	char *pos, *line, *device, *mount, *fstype, *save, path[PATH_MAX];
	struct buf fs;
	struct statvfs sv;
	int i, j, have_fs, keep;

	machine_free_disks(m);
	buf_init(&fs);
	have_fs = machine_file(m, &fs, "/proc/filesystems") == 0;
	if (machine_file(m, b, "/proc/self/mounts") != 0 &&
	    machine_file(m, b, "/proc/mounts") != 0) {
		buf_free(&fs);
		return;
	}
	pos = b->data;
	while ((line = machine_next_line(&pos)) != NULL) {
		device = strtok_r(line, " \t", &save);
		mount = device != NULL ? strtok_r(NULL, " \t", &save) : NULL;
		fstype = mount != NULL ? strtok_r(NULL, " \t", &save) : NULL;
		if (fstype == NULL)
			continue;
		machine_unescape(device);
		machine_unescape(mount);
		if (strcmp(mount, "/") != 0) {
			if (strcmp(device, "none") == 0 || *device == '\0')
				continue;
			keep = have_fs ? machine_fstype_ok(fs.data, fstype) : *device == '/';
			if (!keep)
				continue;
		}
		/* A later mount on the same point hides the earlier one. */
		for (i = 0; i < m->ndisks && strcmp(m->disks[i].mount, mount) != 0; i++)
			;
		if (i == m->ndisks) {
			m->disks = xreallocarray(m->disks, (size_t)m->ndisks + 1, sizeof *m->disks);
			m->ndisks++;
		} else {
			free(m->disks[i].mount);
			free(m->disks[i].device);
			free(m->disks[i].fstype);
		}
		d = &m->disks[i];
		d->mount = xstrdup(mount);
		d->device = xstrdup(device);
		d->fstype = xstrdup(fstype);
		d->total = d->used = d->free = -1;
	}
	buf_free(&fs);

	/* One mount per device (bind mounts): "/", else the shortest mount path, else the first. */
	for (i = 0; i < m->ndisks; i++) {
		d = &m->disks[i];
		keep = 1;
		for (j = 0; j < m->ndisks && keep; j++) {
			other = &m->disks[j];
			if (j == i || strcmp(other->device, d->device) != 0 ||
			    strcmp(d->mount, "/") == 0)
				continue;
			if (strcmp(other->mount, "/") == 0 ||
			    strlen(other->mount) < strlen(d->mount) ||
			    (strlen(other->mount) == strlen(d->mount) && j < i))
				keep = 0;
		}
		if (keep && machine_path(m, path, sizeof path, "%s", d->mount) == 0) {
			if (statvfs(path, &sv) == 0) {
				d->total = (int64_t)sv.f_blocks * (int64_t)sv.f_frsize;
				d->used =
				    (int64_t)(sv.f_blocks - sv.f_bfree) * (int64_t)sv.f_frsize;
				d->free = (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
			} else if (*m->root == '\0')
				keep = 0; /* the live system: a mount we cannot see */
		}
		if (!keep) {
			free(d->mount);
			free(d->device);
			free(d->fstype);
			memmove(d, d + 1, (size_t)(m->ndisks - i - 1) * sizeof *d);
			m->ndisks--;
			i--;
		}
	}
	if (m->ndisks == 0) {
		free(m->disks);
		m->disks = NULL;
	}
}

/* --- load, processes, host ---------------------------------------------------------------- */

static void
machine_read_load(struct machine *m)
{
	char text[256];
	double l[3];

	m->load[0] = m->load[1] = m->load[2] = -1;
	if (machine_small(m, text, sizeof text, "/proc/loadavg") < 0)
		return;
	if (sscanf(text, "%lf %lf %lf", &l[0], &l[1], &l[2]) == 3) {
		m->load[0] = l[0];
		m->load[1] = l[1];
		m->load[2] = l[2];
	}
}

static void
machine_read_processes(struct machine *m)
{
	char path[PATH_MAX];
	struct dirent *de;
	const char *s;
	int n = 0;
	DIR *d;

	m->processes = -1;
	if (machine_path(m, path, sizeof path, "/proc") != 0 || (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		for (s = de->d_name; isdigit((unsigned char)*s); s++)
			;
		if (*s == '\0' && s != de->d_name)
			n++;
	}
	closedir(d);
	if (n > 0)
		m->processes = n;
}

static void
machine_read_uptime(struct machine *m)
{
	char text[256], *end;
	double v;

	m->uptime = -1;
	if (machine_small(m, text, sizeof text, "/proc/uptime") < 0)
		return;
	v = strtod(text, &end);
	if (end != text && v >= 0)
		m->uptime = v;
}

/* PRETTY_NAME of os-release, unquoted as the shell would. */
static char *
machine_os_release(const char *text)
{
	const char *p = text, *eol;
	struct buf v;
	char quote;

	while (*p != '\0') {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if (strncmp(p, "PRETTY_NAME=", 12) == 0) {
			p += 12;
			buf_init(&v);
			quote = *p == '"' || *p == '\'' ? *p++ : '\0';
			for (; p < eol && *p != quote; p++) {
				if (*p == '\\' && quote != '\'' && p + 1 < eol)
					p++;
				buf_addc(&v, *p);
			}
			if (v.len == 0) {
				buf_free(&v);
				return NULL;
			}
			return buf_steal(&v);
		}
		p = *eol == '\0' ? eol : eol + 1;
	}
	return NULL;
}

static void
machine_read_host(struct machine *m, struct buf *b)
{
	char text[HOST_NAME_MAX + 256];
	struct utsname u;
	int live = *m->root == '\0';

	if (uname(&u) == 0) {
		m->arch = xstrdup(u.machine);
		if (live)
			m->kernel = xstrdup(u.release);
	}
	if (live) {
		if (gethostname(text, sizeof text) == 0) {
			text[sizeof text - 1] = '\0';
			m->hostname = xstrdup(text);
		}
	} else {
		if (machine_small(m, text, sizeof text, "/proc/sys/kernel/hostname") > 0)
			m->hostname = xstrdup(text);
		if (machine_small(m, text, sizeof text, "/proc/sys/kernel/osrelease") > 0)
			m->kernel = xstrdup(text);
	}
	if (machine_file(m, b, "/etc/os-release") == 0 ||
	    machine_file(m, b, "/usr/lib/os-release") == 0)
		m->os = machine_os_release(b->data);
}

/* --- the machine -------------------------------------------------------------------------- */

static void
machine_init(struct machine *m, const char *root)
{
	size_t len;

	memset(m, 0, sizeof *m);
	m->root = xstrdup(root != NULL ? root : "");
	len = strlen(m->root);
	while (len > 0 && m->root[len - 1] == '/')
		m->root[--len] = '\0';
	m->sockets = m->cores = m->logical = m->threads_per_core = -1;
	m->affinity = m->usable = m->numa_nodes = -1;
	m->quota = -1;
	m->freq_cur = m->freq_min = m->freq_max = -1;
	m->mem_total = m->mem_available = m->mem_used = m->mem_free = -1;
	m->mem_limit = -1;
	m->swap_total = m->swap_used = m->swap_free = -1;
	m->load[0] = m->load[1] = m->load[2] = -1;
	m->processes = -1;
	m->uptime = -1;
}

int
machine_read(struct machine *m, const char *root, char **cause)
{
	struct machine_cpuinfo ci = {0, -1, -1};
	int *cpus = NULL, ncpus, online, error = 0;
	char path[PATH_MAX];
	struct stat st;
	struct buf b;

	machine_init(m, root);
	if (machine_path(m, path, sizeof path, "/proc") != 0)
		error = ENAMETOOLONG;
	else if (stat(path, &st) != 0)
		error = errno;
	else if (!S_ISDIR(st.st_mode))
		error = ENOTDIR;
	if (error != 0) {
		/* m is left empty: machine_free may be called on it or not. */
		*cause = xasprintf("%s/proc: %s", m->root, strerror(error));
		machine_free(m);
		return -1;
	}

	buf_init(&b);
	if (machine_file(m, &b, "/proc/cpuinfo") == 0)
		machine_parse_cpuinfo(b.data, &ci, &m->cpu_model, &m->cpu_vendor);
	ncpus = machine_cpus(m, &cpus, &online);
	if (online)
		m->logical = ncpus;
	else if (ci.processors > 0)
		m->logical = ci.processors;
	if (ncpus > 0)
		machine_read_topology(m, cpus, ncpus, &ci);
	else if (ci.cores > 0)
		m->cores = ci.cores;
	if (m->logical > 0 && m->cores > 0)
		m->threads_per_core = m->logical / m->cores > 0 ? m->logical / m->cores : 1;

	machine_read_affinity(m, &b, online ? cpus : NULL, ncpus);
	m->usable = m->affinity;
	machine_read_cgroup(m, &b);
	machine_read_freq(m, cpus, ncpus > 0 ? ncpus : 0, ci.mhz);

#ifdef HAVE_HWLOC
	if (*m->root != '\0' || machine_read_hwloc(m) != 0)
#endif
	{
		if (ncpus > 0)
			machine_read_caches_sysfs(m, cpus, ncpus);
		machine_read_numa_sysfs(m);
		if (m->ncaches > 0 || m->numa_nodes > 0)
			m->topology_source = xstrdup("sysfs");
	}
	free(cpus);

	machine_read_memory(m, &b);
	machine_read_disks(m, &b);
	machine_read_load(m);
	machine_read_processes(m);
	machine_read_uptime(m);
	machine_read_host(m, &b);
	buf_free(&b);
	return 0;
}

void
machine_refresh(struct machine *m)
{
	int *cpus = NULL, ncpus, online;
	struct buf b;

	if (m->root == NULL)
		return;
	ncpus = machine_cpus(m, &cpus, &online);
	machine_read_freq(m, cpus, ncpus > 0 ? ncpus : 0, -2);
	free(cpus);

	buf_init(&b);
	machine_read_memory(m, &b);
	machine_read_disks(m, &b);
	buf_free(&b);
	machine_read_load(m);
	machine_read_processes(m);
	machine_read_uptime(m);
}

void
machine_free(struct machine *m)
{
	int i;

	free(m->root);
	free(m->cpu_model);
	free(m->cpu_vendor);
	free(m->arch);
	free(m->quota_source);
	free(m->freq_source);
	free(m->topology_source);
	for (i = 0; i < m->ncaches; i++)
		free(m->caches[i].type);
	free(m->caches);
	machine_free_disks(m);
	free(m->hostname);
	free(m->os);
	free(m->kernel);
	if (m->python != NULL)
		json_decref(m->python);
	memset(m, 0, sizeof *m);
}

void
machine_set_python(struct machine *m, json_t *python)
{
	if (m->python != NULL)
		json_decref(m->python);
	m->python = python;
}
