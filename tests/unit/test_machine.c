/*
 * Unit tests for the machine facts (core/machine.c). The fixture trees in
 * tests/fixtures/machine/NAME.tree (made by make.sh there; README says what
 * each one is) stand for a laptop, containers under cgroup v2 and v1, a
 * Raspberry Pi and a bare /proc; each is written out into a temporary folder,
 * read with machine_read(folder) and every fact compared with what the tree
 * says. Sizes that come from statvfs(2) of a folder of the tree are the
 * host's and only checked for being known. Edge cases (other cpuinfo layouts,
 * malformed files, refresh) are written into a temporary tree directly. The
 * live system is checked for sanity only; tests/machine_check.py compares it
 * with the system's own tools.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmptree.h"

#include "core/machine.h"
#include "near.h"

static char fixtures[4096];

static void
read_ok(struct machine *m, const char *root)
{
	char *cause = NULL;

	if (machine_read(m, root, &cause) != 0)
		fail_msg("machine_read %s: %s", root, cause);
	assert_null(cause);
}

static const struct machine_disk *
find_disk(const struct machine *m, const char *mount)
{
	int i;

	for (i = 0; i < m->ndisks; i++) {
		if (strcmp(m->disks[i].mount, mount) == 0)
			return &m->disks[i];
	}
	return NULL;
}

static void
assert_cache(const struct machine_cache *c, int level, const char *type, int64_t size, int count,
    int shared_by)
{
	assert_int_equal(c->level, level);
	assert_string_equal(c->type, type);
	assert_int_equal(c->size, size);
	assert_int_equal(c->count, count);
	assert_int_equal(c->shared_by, shared_by);
}

/* --- temporary trees ---------------------------------------------------------------------- */

/* Creates root/name for writing, and the folders on the way. */
static FILE *
create_file(const char *root, const char *name)
{
	char path[8192], *slash;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, name);
	for (slash = path + strlen(root) + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
		*slash = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*slash = '/';
	}
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	return f;
}

/* Writes root/name (making its folders) with the formatted text. */
static void put_file(const char *root, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
put_file(const char *root, const char *name, const char *fmt, ...)
{
	va_list ap;
	FILE *f;

	f = create_file(root, name);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
}

/*
 * Writes out tests/fixtures/machine/NAME.tree below root: a line "@ PATH"
 * starts the file PATH, the lines up to the next "@ " are its text.
 */
static void
expand_tree(const char *name, const char *root)
{
	char path[8192], line[4096];
	FILE *in, *out = NULL;
	size_t len;

	snprintf(path, sizeof path, "%s/%s.tree", fixtures, name);
	if ((in = fopen(path, "r")) == NULL) {
		fail_msg("%s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof line, in) != NULL) {
		len = strlen(line);
		if (strncmp(line, "@ ", 2) == 0) {
			if (out != NULL)
				assert_int_equal(fclose(out), 0);
			if (len > 0 && line[len - 1] == '\n')
				line[len - 1] = '\0';
			out = create_file(root, line + 2);
		} else if (out != NULL)
			assert_int_equal(fwrite(line, 1, len, out), len);
	}
	assert_int_equal(ferror(in), 0);
	fclose(in);
	if (out != NULL)
		assert_int_equal(fclose(out), 0);
}

/* Reads the fixture tree NAME, written out in the test's temporary folder. */
static void
read_tree(void **state, const char *name, struct machine *m)
{
	expand_tree(name, *state);
	read_ok(m, *state);
}

static int
setup_dir(void **state)
{
	char *dir = strdup("/tmp/proflab-test-machine.XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

static int
teardown_dir(void **state)
{
	remove_tree(*state);
	free(*state);
	return 0;
}

/* --- the fixture trees -------------------------------------------------------------------- */

static void
test_laptop(void **state)
{
	const struct machine_disk *d;
	struct machine m;

	read_tree(state, "laptop", &m);
	assert_string_equal(m.cpu_model, "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz");
	assert_string_equal(m.cpu_vendor, "GenuineIntel");
	assert_non_null(m.arch);
	assert_int_equal(m.sockets, 1);
	assert_int_equal(m.cores, 4);
	assert_int_equal(m.logical, 8);
	assert_int_equal(m.threads_per_core, 2);
	assert_int_equal(m.affinity, 8);
	assert_near(m.quota, 0, 0);
	assert_null(m.quota_source);
	assert_int_equal(m.usable, 8);
	assert_near(m.freq_cur, 2150, 1e-9);
	assert_near(m.freq_min, 400, 1e-9);
	assert_near(m.freq_max, 4600, 1e-9);
	assert_string_equal(m.freq_source, "cpufreq");
	assert_int_equal(m.numa_nodes, 1);
	assert_string_equal(m.topology_source, "sysfs");

	assert_int_equal(m.ncaches, 4);
	assert_cache(&m.caches[0], 1, "data", 32768, 4, 2);
	assert_cache(&m.caches[1], 1, "instruction", 32768, 4, 2);
	assert_cache(&m.caches[2], 2, "unified", 262144, 4, 2);
	assert_cache(&m.caches[3], 3, "unified", 8388608, 1, 8);

	/* psutil: used = total - free - buffers - (cached + SReclaimable). */
	assert_int_equal(m.mem_total, INT64_C(16223352) * 1024);
	assert_int_equal(m.mem_free, INT64_C(5122380) * 1024);
	assert_int_equal(m.mem_available, INT64_C(11409164) * 1024);
	assert_int_equal(
	    m.mem_used, (INT64_C(16223352) - 5122380 - 402128 - 5771036 - 428332) * 1024);
	assert_int_equal(m.mem_limit, 0);
	assert_int_equal(m.swap_total, INT64_C(2097148) * 1024);
	assert_int_equal(m.swap_free, INT64_C(1572860) * 1024);
	assert_int_equal(m.swap_used, (INT64_C(2097148) - 1572860) * 1024);

	/* proc, sysfs, devtmpfs, tmpfs and cgroup2 are nodev; /srv/homes is /home's bind mount. */
	assert_int_equal(m.ndisks, 4);
	assert_string_equal(m.disks[0].mount, "/");
	assert_string_equal(m.disks[0].device, "/dev/nvme0n1p2");
	assert_string_equal(m.disks[0].fstype, "ext4");
	assert_true(m.disks[0].total > 0);
	assert_true(m.disks[0].free >= 0 && m.disks[0].used >= 0);
	assert_non_null(d = find_disk(&m, "/boot/efi"));
	assert_string_equal(d->fstype, "vfat");
	assert_int_equal(d->total, -1);
	assert_int_equal(d->used, -1);
	assert_int_equal(d->free, -1);
	assert_non_null(d = find_disk(&m, "/home"));
	assert_string_equal(d->device, "/dev/nvme0n1p3");
	assert_true(d->total > 0);
	assert_null(find_disk(&m, "/srv/homes"));
	assert_non_null(d = find_disk(&m, "/media/me/USB STICK"));
	assert_string_equal(d->device, "/dev/sda1");
	assert_null(find_disk(&m, "/tmp"));
	assert_null(find_disk(&m, "/proc"));

	assert_near(m.load[0], 0.52, 1e-9);
	assert_near(m.load[1], 0.58, 1e-9);
	assert_near(m.load[2], 0.59, 1e-9);
	assert_int_equal(m.processes, 3);
	assert_string_equal(m.hostname, "laptop");
	assert_string_equal(m.os, "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(m.kernel, "6.1.0-13-amd64");
	assert_near(m.uptime, 12345.67, 1e-9);
	assert_null(m.python);
	machine_free(&m);
}

static void
test_container_v2(void **state)
{
	const struct machine_disk *d;
	struct machine m;

	read_tree(state, "container-v2", &m);
	assert_string_equal(m.cpu_model, "AMD EPYC 7B13");
	assert_int_equal(m.logical, 16);
	assert_int_equal(m.cores, 8); /* distinct (package, core_id): no sibling lists here */
	assert_int_equal(m.threads_per_core, 2);
	assert_int_equal(m.sockets, 1);
	assert_int_equal(m.affinity, 4);
	/* max at the process's cgroup, 1.5 on its parent, 4 above: the smallest. */
	assert_near(m.quota, 1.5, 1e-12);
	assert_string_equal(m.quota_source, "/sys/fs/cgroup/kubepods.slice/pod1/cpu.max");
	assert_int_equal(m.usable, 2);
	assert_int_equal(m.mem_limit, 536870912);
	assert_near(m.freq_cur, 2500.5, 1e-9);
	assert_near(m.freq_min, -1, 0);
	assert_near(m.freq_max, -1, 0);
	assert_string_equal(m.freq_source, "cpuinfo");
	assert_int_equal(m.ncaches, 0);
	assert_int_equal(m.swap_total, 0);
	assert_int_equal(m.swap_used, 0);

	/* The overlay root stays whatever its type; one of the two bind mounts of /dev/sda1. */
	assert_int_equal(m.ndisks, 2);
	assert_string_equal(m.disks[0].mount, "/");
	assert_string_equal(m.disks[0].fstype, "overlay");
	assert_non_null(d = find_disk(&m, "/etc/hosts"));
	assert_int_equal(d->total, -1);
	assert_null(find_disk(&m, "/etc/hostname"));
	assert_null(find_disk(&m, "/dev/shm"));

	assert_string_equal(m.os, "Alpine Linux v3.18");
	assert_int_equal(m.processes, 1);
	assert_null(m.hostname);
	assert_null(m.kernel);
	machine_free(&m);
}

static void
test_container_v2_ns(void **state)
{
	struct machine m;

	read_tree(state, "container-v2-ns", &m);
	assert_int_equal(m.affinity, 2);
	assert_near(m.quota, 2.5, 1e-12);
	assert_string_equal(m.quota_source, "/sys/fs/cgroup/cpu.max");
	assert_int_equal(m.usable, 2);
	assert_int_equal(m.mem_limit, 268435456);
	machine_free(&m);
}

static void
test_container_v1(void **state)
{
	struct machine m;

	read_tree(state, "container-v1", &m);
	assert_int_equal(m.affinity, 8);
	assert_near(m.quota, 0.5, 1e-12);
	assert_string_equal(
	    m.quota_source, "/sys/fs/cgroup/cpu,cpuacct/docker/0123abcd/cpu.cfs_quota_us");
	assert_int_equal(m.usable, 1);
	assert_int_equal(m.mem_limit, 0); /* 9223372036854771712 is no limit */
	machine_free(&m);
}

static void
test_arm(void **state)
{
	struct machine m;

	read_tree(state, "arm", &m);
	assert_string_equal(m.cpu_model, "Cortex-A72");
	assert_string_equal(m.cpu_vendor, "ARM");
	assert_int_equal(m.logical, 4);
	assert_int_equal(m.cores, 4);
	assert_int_equal(m.threads_per_core, 1);
	assert_near(m.freq_cur, -1, 0);
	assert_null(m.freq_source);
	assert_int_equal(m.numa_nodes, 1);
	machine_free(&m);
}

static void
test_empty(void **state)
{
	struct machine m;

	read_tree(state, "empty", &m);
	assert_null(m.cpu_model);
	assert_null(m.cpu_vendor);
	assert_int_equal(m.sockets, -1);
	assert_int_equal(m.cores, -1);
	assert_int_equal(m.logical, -1);
	assert_int_equal(m.threads_per_core, -1);
	assert_int_equal(m.affinity, -1);
	assert_near(m.quota, -1, 0);
	assert_null(m.quota_source);
	assert_int_equal(m.usable, -1);
	assert_near(m.freq_cur, -1, 0);
	assert_near(m.freq_min, -1, 0);
	assert_near(m.freq_max, -1, 0);
	assert_null(m.freq_source);
	assert_int_equal(m.numa_nodes, -1);
	assert_int_equal(m.ncaches, 0);
	assert_null(m.caches);
	assert_null(m.topology_source);
	assert_int_equal(m.mem_total, -1);
	assert_int_equal(m.mem_available, -1);
	assert_int_equal(m.mem_used, -1);
	assert_int_equal(m.mem_free, -1);
	assert_int_equal(m.mem_limit, -1);
	assert_int_equal(m.swap_total, -1);
	assert_int_equal(m.swap_used, -1);
	assert_int_equal(m.swap_free, -1);
	assert_int_equal(m.ndisks, 0);
	assert_near(m.load[0], -1, 0);
	assert_near(m.load[2], -1, 0);
	assert_int_equal(m.processes, -1);
	assert_null(m.hostname);
	assert_null(m.os);
	assert_null(m.kernel);
	assert_near(m.uptime, -1, 0);

	machine_refresh(&m);
	assert_int_equal(m.mem_total, -1);
	assert_int_equal(m.ndisks, 0);
	assert_null(m.freq_source);
	machine_free(&m);
}

static void
test_no_proc(void **state)
{
	char *cause = NULL, root[4200], want[4300];
	struct machine m;

	snprintf(root, sizeof root, "%s/nowhere", (char *)*state);
	snprintf(want, sizeof want, "%s/proc: No such file or directory", root);
	assert_int_equal(machine_read(&m, root, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
	machine_free(&m);

	/* proc is a file: not a folder. */
	put_file(*state, "proc", "x\n");
	snprintf(want, sizeof want, "%s/proc: Not a directory", (char *)*state);
	assert_int_equal(machine_read(&m, *state, &cause), -1);
	assert_string_equal(cause, want);
	free(cause);
	machine_free(&m);

	/* A trailing slash does not change the paths. */
	snprintf(root, sizeof root, "%s/proc", (char *)*state);
	assert_int_equal(unlink(root), 0);
	expand_tree("laptop", *state);
	snprintf(root, sizeof root, "%s/", (char *)*state);
	read_ok(&m, root);
	assert_string_equal(m.root, *state);
	assert_string_equal(m.hostname, "laptop");
	machine_free(&m);
}

/* --- temporary trees: other layouts, malformed files, refresh ----------------------------- */

static void
cpuinfo_model(const char *root, const char *text, const char *model, const char *vendor)
{
	struct machine m;

	put_file(root, "proc/cpuinfo", "%s", text);
	read_ok(&m, root);
	if (model == NULL)
		assert_null(m.cpu_model);
	else {
		assert_non_null(m.cpu_model);
		assert_string_equal(m.cpu_model, model);
	}
	if (vendor == NULL)
		assert_null(m.cpu_vendor);
	else {
		assert_non_null(m.cpu_vendor);
		assert_string_equal(m.cpu_vendor, vendor);
	}
	machine_free(&m);
}

static void
test_cpuinfo_models(void **state)
{
	const char *root = *state;

	/* 32-bit ARM: "Processor" and a known part: the part wins, as lscpu. */
	cpuinfo_model(root,
	    "Processor\t: ARMv7 Processor rev 4 (v7l)\nprocessor\t: 0\nBogoMIPS\t: 38.40\n"
	    "CPU implementer\t: 0x41\nCPU part\t: 0xd03\n\nHardware\t: BCM2835\n",
	    "Cortex-A53", "ARM");
	/* An unknown part of a known implementer. */
	cpuinfo_model(root, "processor\t: 0\nCPU implementer\t: 0x51\nCPU part\t: 0x801\n",
	    "Qualcomm part 0x801", "Qualcomm");
	cpuinfo_model(root, "processor\t: 0\nCPU implementer\t: 0x99\nCPU part\t: 0x001\n",
	    "implementer 0x99 part 0x001", "0x99");
	/* Only a board name. */
	cpuinfo_model(root, "processor\t: 0\nHardware\t: Allwinner sun8i Family\n",
	    "Allwinner sun8i Family", NULL);
	cpuinfo_model(root, "processor\t: 0\nModel\t\t: Raspberry Pi 3 Model B\n",
	    "Raspberry Pi 3 Model B", NULL);
	/* MIPS, PowerPC, RISC-V. */
	cpuinfo_model(root,
	    "system type\t: MT7621\nprocessor\t: 0\ncpu model\t: MIPS 1004Kc V2.15\n",
	    "MIPS 1004Kc V2.15", NULL);
	cpuinfo_model(root, "processor\t: 0\ncpu\t\t: POWER9, altivec supported\n",
	    "POWER9, altivec supported", NULL);
	cpuinfo_model(root,
	    "processor\t: 0\nhart\t\t: 1\nisa\t\t: rv64imafdc\nuarch\t\t: sifive,u74-mc\n",
	    "sifive,u74-mc", NULL);
	/* "model name" first, whatever else is there; an empty one does not count. */
	cpuinfo_model(root, "processor\t: 0\nmodel name\t:\nHardware\t: X\n", "X", NULL);
	cpuinfo_model(root, "Hardware\t: X\nmodel name\t: Y\nvendor_id\t: V\n", "Y", "V");
	cpuinfo_model(root, "", NULL, NULL);
	cpuinfo_model(root, "no colon here\n\n\n:::\n", NULL, NULL);
}

static void
test_malformed(void **state)
{
	const char *root = *state;
	struct machine m;
	int i;

	put_file(root, "proc/cpuinfo", "processor : x\ncpu MHz : fast\n");
	put_file(root, "proc/meminfo", "MemTotal: lots kB\nMemFree:\n");
	put_file(root, "proc/loadavg", "0.5 high\n");
	put_file(root, "proc/uptime", "soon\n");
	put_file(root, "proc/self/status", "Cpus_allowed_list:\t7-3\n");
	put_file(root, "proc/self/cgroup", "garbage\n0::/a\n");
	put_file(root, "proc/self/mounts", "onlyonefield\n/dev/x\n\n");
	put_file(root, "proc/filesystems", "nodev\n\n");
	put_file(root, "sys/fs/cgroup/a/cpu.max", "lots 100000\n");
	put_file(root, "sys/fs/cgroup/a/memory.max", "-5\n");
	put_file(root, "sys/devices/system/cpu/online", "0-,x\n");
	put_file(root, "sys/devices/system/cpu/cpu0/topology/core_cpus_list", "\n");
	put_file(root, "sys/devices/system/cpu/cpu0/topology/physical_package_id", "p\n");
	put_file(root, "sys/devices/system/cpu/cpu0/cache/index0/level", "1\n");
	put_file(root, "sys/devices/system/cpu/cpu0/cache/index0/type", "Strange\n");
	put_file(root, "sys/devices/system/cpu/cpu0/cache/index1/level", "2\n");
	put_file(root, "sys/devices/system/cpu/cpu0/cache/index1/type", "Unified\n");
	put_file(root, "sys/devices/system/cpu/cpu0/cache/index1/size", "big\n");
	put_file(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "n/a\n");
	put_file(root, "sys/devices/system/cpu/cpu99999999999/README", "x\n");
	put_file(root, "etc/os-release", "PRETTY_NAME=\n");

	read_ok(&m, root);
	assert_int_equal(m.logical, 1); /* one "processor" line; the online list is malformed */
	assert_int_equal(m.cores, -1);
	assert_int_equal(m.sockets, -1);
	assert_int_equal(m.affinity, -1);
	assert_near(m.quota, 0, 0);
	assert_int_equal(m.mem_limit, 0);
	assert_near(m.freq_cur, -1, 0);
	assert_null(m.freq_source);
	/* The cache of unknown type is left out; the other's size is unknown. */
	assert_int_equal(m.ncaches, 1);
	assert_cache(&m.caches[0], 2, "unified", -1, 1, -1);
	assert_int_equal(m.mem_total, -1);
	assert_int_equal(m.swap_total, -1);
	assert_int_equal(m.ndisks, 0);
	for (i = 0; i < 3; i++)
		assert_near(m.load[i], -1, 0);
	assert_near(m.uptime, -1, 0);
	assert_null(m.os);
	machine_free(&m);
}

static void
test_memory_used(void **state)
{
	const char *root = *state;
	struct machine m;

	/* used would be negative: total - free instead; no MemAvailable: unknown. */
	put_file(root, "proc/meminfo",
	    "MemTotal: 1000 kB\nMemFree: 400 kB\nBuffers: 100 kB\nCached: 500 kB\n"
	    "SReclaimable: 100 kB\n");
	read_ok(&m, root);
	assert_int_equal(m.mem_total, 1000 * 1024);
	assert_int_equal(m.mem_used, 600 * 1024);
	assert_int_equal(m.mem_free, 400 * 1024);
	assert_int_equal(m.mem_available, -1);
	assert_int_equal(m.swap_total, -1);
	machine_free(&m);

	/* MemAvailable above MemTotal is MemFree, as psutil. */
	put_file(root, "proc/meminfo",
	    "MemTotal: 1000 kB\nMemFree: 400 kB\nMemAvailable: 2000 kB\nSwapTotal: 10 kB\n"
	    "SwapFree: 10 kB\n");
	read_ok(&m, root);
	assert_int_equal(m.mem_available, 400 * 1024);
	assert_int_equal(m.mem_used, 600 * 1024);
	assert_int_equal(m.swap_used, 0);
	machine_free(&m);
}

static void
test_cgroup_v1_root(void **state)
{
	const char *root = *state;
	struct machine m;

	/* v1 under "cpu", the process's path not there: the mount's own files; no affinity. */
	put_file(root, "proc/self/cgroup", "5:cpuacct,cpu:/docker/x\n4:memory:/docker/x\n");
	put_file(root, "sys/fs/cgroup/cpu/cpu.cfs_quota_us", "250000\n");
	put_file(root, "sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
	put_file(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "1073741824\n");
	read_ok(&m, root);
	assert_near(m.quota, 2.5, 1e-12);
	assert_string_equal(m.quota_source, "/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
	assert_int_equal(m.usable, 3);
	assert_int_equal(m.mem_limit, 1073741824);
	machine_free(&m);

	/* A v1 line without the cpu controller: no quota, the v2 line is not used for it. */
	put_file(root, "proc/self/cgroup", "4:memory:/\n");
	put_file(root, "proc/self/status", "Cpus_allowed_list:\t0,2,4-5\n");
	read_ok(&m, root);
	assert_near(m.quota, 0, 0);
	assert_int_equal(m.affinity, 4);
	assert_int_equal(m.usable, 4);
	assert_int_equal(m.mem_limit, 1073741824);
	machine_free(&m);
}

static int
affinity_of(const char *root, const char *allowed, const char *online)
{
	struct machine m;
	int n;

	put_file(root, "proc/self/status", "Name:\tx\nCpus_allowed_list:\t%s\n", allowed);
	if (online != NULL)
		put_file(root, "sys/devices/system/cpu/online", "%s\n", online);
	read_ok(&m, root);
	n = m.affinity;
	assert_int_equal(m.usable, n);
	machine_free(&m);
	return n;
}

static void
test_affinity(void **state)
{
	const char *root = *state;

	/* Without the online list, the kernel's list as it is. */
	assert_int_equal(affinity_of(root, "0-127", NULL), 128);
	/* Only the CPUs online count, as sched_getaffinity(2) and nproc. */
	assert_int_equal(affinity_of(root, "0-127", "0-1"), 2);
	assert_int_equal(affinity_of(root, "2-9", "0-3,8-11"), 4);
	assert_int_equal(affinity_of(root, "6,1,1,3", "0-7"), 3);
	assert_int_equal(affinity_of(root, "12-15", "0-7"), -1);
}

static void
test_refresh(void **state)
{
	const char *root = *state;
	struct machine m;

	put_file(root, "proc/loadavg", "1.00 2.00 3.00 1/10 5\n");
	put_file(root, "proc/uptime", "100.5 1.0\n");
	put_file(
	    root, "proc/meminfo", "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 500 kB\n");
	put_file(root, "proc/7/comm", "x\n");
	put_file(root, "proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 1000.0\n");
	put_file(root, "proc/self/mounts", "/dev/a / ext4 rw 0 0\n");
	put_file(root, "proc/filesystems", "\text4\n");
	read_ok(&m, root);
	assert_near(m.load[0], 1, 1e-9);
	assert_near(m.uptime, 100.5, 1e-9);
	assert_int_equal(m.mem_available, 500 * 1024);
	assert_int_equal(m.processes, 1);
	assert_near(m.freq_cur, 1000, 1e-9);
	assert_int_equal(m.ndisks, 1);

	put_file(root, "proc/loadavg", "4.00 5.00 6.00 1/10 5\n");
	put_file(root, "proc/uptime", "160.25 1.0\n");
	put_file(root, "proc/meminfo", "MemTotal: 1000 kB\nMemFree: 50 kB\nMemAvailable: 300 kB\n");
	put_file(root, "proc/8/comm", "y\n");
	put_file(root, "proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 1200.0\n");
	put_file(root, "proc/self/mounts", "/dev/a / ext4 rw 0 0\n/dev/b /data ext4 rw 0 0\n");
	machine_refresh(&m);
	assert_near(m.load[0], 4, 1e-9);
	assert_near(m.load[2], 6, 1e-9);
	assert_near(m.uptime, 160.25, 1e-9);
	assert_int_equal(m.mem_available, 300 * 1024);
	assert_int_equal(m.mem_free, 50 * 1024);
	assert_int_equal(m.processes, 2);
	assert_near(m.freq_cur, 1200, 1e-9);
	assert_string_equal(m.freq_source, "cpuinfo");
	assert_int_equal(m.ndisks, 2);
	assert_string_equal(m.disks[1].mount, "/data");

	put_file(root, "sys/devices/system/cpu/cpufreq/policy0/scaling_cur_freq", "3000000\n");
	machine_refresh(&m);
	assert_near(m.freq_cur, 3000, 1e-9);
	assert_string_equal(m.freq_source, "cpufreq");
	assert_near(m.freq_min, -1, 0);
	machine_free(&m);
}

static void
test_set_python(void **state)
{
	struct machine m;

	read_tree(state, "empty", &m);
	machine_set_python(&m, json_pack("{s:{s:s}}", "python", "version", "3.11.2"));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(m.python, "python"), "version")),
	    "3.11.2");
	machine_set_python(&m, json_object());
	assert_int_equal(json_object_size(m.python), 0);
	machine_set_python(&m, NULL);
	assert_null(m.python);
	machine_set_python(&m, json_object());
	machine_free(&m);
	assert_null(m.python);
}

/* --- the live system ---------------------------------------------------------------------- */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_live(void **state)
{
	struct machine m;
	double t0, t1, t2;
	int i;

	t0 = now();
	read_ok(&m, "");
	t1 = now();
	machine_refresh(&m);
	t2 = now();
	printf("# machine_read %.1f ms, machine_refresh %.1f ms (%s)\n", (t1 - t0) * 1e3,
	    (t2 - t1) * 1e3, m.topology_source != NULL ? m.topology_source : "no topology");

	assert_string_equal(m.root, "");
	assert_int_equal(m.logical, (int)sysconf(_SC_NPROCESSORS_ONLN));
	assert_true(m.cores >= 1 && m.cores <= m.logical);
	assert_true(m.threads_per_core >= 1);
	assert_true(m.affinity >= 1 && m.affinity <= m.logical);
	assert_true(m.usable >= 1 && m.usable <= m.affinity);
	assert_true(m.quota >= 0);
	assert_true(m.mem_total > 0);
	assert_true(m.mem_free >= 0 && m.mem_free <= m.mem_total);
	assert_true(m.mem_used >= 0 && m.mem_used <= m.mem_total);
	assert_true(m.swap_total >= 0);
	assert_true(m.ndisks >= 1);
	assert_non_null(find_disk(&m, "/"));
	for (i = 0; i < m.ndisks; i++)
		assert_true(m.disks[i].total >= 0);
	assert_true(m.processes > 0);
	assert_true(m.load[0] >= 0);
	assert_true(m.uptime > 0);
	assert_non_null(m.hostname);
	assert_non_null(m.kernel);
	assert_non_null(m.arch);
	assert_non_null(m.topology_source);
	assert_true(m.numa_nodes >= 1);
#ifdef HAVE_HWLOC
	assert_memory_equal(m.topology_source, "hwloc ", 6);
#endif
	for (i = 0; i < m.ncaches; i++)
		assert_true(m.caches[i].level >= 1 && m.caches[i].count >= 1);
	machine_free(&m);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_laptop, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_container_v2, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_container_v2_ns, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_container_v1, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_arm, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_empty, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_no_proc, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_cpuinfo_models, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_malformed, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_memory_used, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_cgroup_v1_root, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_affinity, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_refresh, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_set_python, setup_dir, teardown_dir),
	    cmocka_unit_test(test_live),
	};

	snprintf(fixtures, sizeof fixtures, "%s/tests/fixtures/machine",
	    top != NULL && *top != '\0' ? top : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
