/*
 * Unit tests for the machine report (core/machine_report.c), the worker
 * probe (core/machine_probe.c) and per-CPU use (core/cpustat.c). The report
 * is made from hand-filled struct machines, so every field's text and JSON
 * are known; the probe runs small shell scripts standing in for the worker
 * (one that answers, one that fails, one that prints no JSON, one that never
 * ends); cpustat reads /proc/stat files written here.
 */
#include "config.h"

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

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/cpustat.h"
#include "core/machine.h"
#include "core/machine_probe.h"

static char dir[] = "/tmp/proflab-report-XXXXXX";

static int
setup(void **state)
{
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

static char *
in_dir(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void
write_file(const char *path, const char *text, int mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, (mode_t)mode), 0);
}

/* A machine as a laptop would read: 4 cores, 8 threads, 16 GiB. */
static void
laptop(struct machine *m)
{
	memset(m, 0, sizeof *m);
	m->root = xstrdup("");
	m->cpu_model = xstrdup("Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz");
	m->cpu_vendor = xstrdup("GenuineIntel");
	m->arch = xstrdup("x86_64");
	m->sockets = 1;
	m->cores = 4;
	m->logical = 8;
	m->threads_per_core = 2;
	m->affinity = 8;
	m->quota = 0;
	m->usable = 8;
	m->freq_cur = 1999.5;
	m->freq_min = 400;
	m->freq_max = 4600;
	m->freq_source = xstrdup("cpufreq");
	m->numa_nodes = 1;
	m->ncaches = 2;
	m->caches = xcalloc(2, sizeof *m->caches);
	m->caches[0] = (struct machine_cache){1, xstrdup("data"), 32768, 4, 2};
	m->caches[1] = (struct machine_cache){3, xstrdup("unified"), 8 << 20, 1, 8};
	m->topology_source = xstrdup("sysfs");
	m->mem_total = 16LL << 30;
	m->mem_available = 12LL << 30;
	m->mem_used = 3LL << 30;
	m->mem_free = 10LL << 30;
	m->mem_limit = 0;
	m->swap_total = 2LL << 30;
	m->swap_used = 512LL << 20;
	m->swap_free = (2LL << 30) - (512LL << 20);
	m->ndisks = 1;
	m->disks = xcalloc(1, sizeof *m->disks);
	m->disks[0] = (struct machine_disk){xstrdup("/"), xstrdup("/dev/nvme0n1p2"),
	    xstrdup("ext4"), 500LL << 30, 200LL << 30, 275LL << 30};
	m->load[0] = 0.5;
	m->load[1] = 0.25;
	m->load[2] = 0.125;
	m->processes = 321;
	m->hostname = xstrdup("lap");
	m->os = xstrdup("Debian GNU/Linux 12 (bookworm)");
	m->kernel = xstrdup("6.1.0-9-amd64");
	m->uptime = 90061; /* 1 day, 01:01:01 */
}

static json_t *
python_facts(void)
{
	json_error_t err;
	json_t *j = json_loads(
	    "{\"python\": {\"version\": \"3.11.2\", \"implementation\": \"CPython\","
	    " \"executable\": \"/usr/bin/python3.11\", \"compiler\": \"GCC 12.2.0\", \"error\": "
	    "null},"
	    " \"numpy\": {\"version\": \"1.24.2\", \"blas\": {\"name\": \"openblas\", \"library\":"
	    " \"/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3\", \"version\": \"0.3.21\","
	    " \"threads\": 4}, \"lapack\": null, \"built_with\": \"blas, lapack\", \"error\": "
	    "null},"
	    " \"psutil\": {\"present\": false, \"version\": null}}",
	    0, &err);

	assert_non_null(j);
	return j;
}

static char *
text_of(const struct machine *m, const json_t *bench)
{
	struct buf b;

	buf_init(&b);
	machine_format_text(m, bench, &b);
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("missing \"%s\" in:\n%s", want, text);
}

static void
test_fingerprint(void **state)
{
	struct machine m;
	char id[9], id2[9], *text, *text2;

	laptop(&m);
	machine_fingerprint(&m, NULL, NULL, id, &text);
	assert_int_equal(strlen(id), 8);
	assert_int_equal(strspn(id, "0123456789abcdef"), 8);
	assert_string_equal(
	    text, "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz, 4 cores/8 threads, 16 GiB");
	free(text);

	/* The software goes into the words, not into the id. */
	machine_set_python(&m, python_facts());
	machine_fingerprint(&m, NULL, NULL, id2, &text);
	assert_string_equal(id, id2);
	assert_string_equal(text,
	    "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz, 4 cores/8 threads, 16 GiB; "
	    "Python 3.11.2; BLAS openblas 0.3.21");
	machine_fingerprint(&m, "3.12.1", "reference", id2, &text2);
	assert_string_equal(text2,
	    "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz, 4 cores/8 threads, 16 GiB; "
	    "Python 3.12.1; BLAS reference");
	assert_string_equal(id, id2);
	free(text);
	free(text2);

	/* The hardware changes the id: cores, memory, model. */
	m.cores = 8;
	machine_fingerprint(&m, NULL, NULL, id2, &text);
	assert_string_not_equal(id, id2);
	free(text);
	m.cores = 4;
	m.mem_total = 32LL << 30;
	machine_fingerprint(&m, NULL, NULL, id2, &text);
	assert_string_not_equal(id, id2);
	free(text);
	m.mem_total = (16LL << 30) - (100LL << 20); /* still 16 GiB rounded: the same machine */
	machine_fingerprint(&m, NULL, NULL, id2, &text);
	assert_string_equal(id, id2);
	free(text);
	machine_free(&m);
}

static void
test_text(void **state)
{
	struct machine m;
	char *text;

	laptop(&m);
	machine_set_python(&m, python_facts());
	text = text_of(&m, NULL);
	assert_has(text,
	    "\nCPU\n  model         Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz (GenuineIntel)\n");
	assert_has(text, "  cores         4 physical, 8 logical (2 threads per core)\n");
	assert_has(text, "hyper-threading: 2 threads share each core");
	assert_has(text, "  usable        8 CPUs (affinity 8, no cgroup quota)\n");
	assert_has(text, "  frequency     2000 MHz now, 400 to 4600 MHz (cpufreq)\n");
	assert_has(text, "  caches        L1d 32 KiB x4, L3 8 MiB\n");
	assert_has(text, "  total         16 GiB\n  available     12 GiB (25.0 % in use)\n");
	assert_has(text, "  swap          2 GiB, 512 MiB used\n");
	assert_has(text, "  /             500 GiB total, 275 GiB free (ext4 on /dev/nvme0n1p2)\n");
	assert_has(text, "  uptime        1 day, 01:01:01\n");
	assert_has(text, "  load          0.50 0.25 0.12 (1, 5 and 15 minutes)\n");
	assert_has(text, "  processes     321\n");
	assert_has(text, "  version       CPython 3.11.2 (GCC 12.2.0)\n");
	assert_has(text, "  BLAS          openblas (0.3.21), 4 threads\n");
	assert_has(text, "  psutil        not installed");
	assert_null(strstr(text, "Benchmarks"));
	free(text);

	/* A container: a quota and a memory limit; unknown facts say so. */
	m.quota = 1.5;
	m.quota_source = xstrdup("/sys/fs/cgroup/x/cpu.max");
	m.usable = 2;
	m.mem_limit = 1LL << 30;
	m.freq_min = m.freq_max = -1;
	m.processes = -1;
	free(m.cpu_model);
	m.cpu_model = NULL;
	text = text_of(&m, NULL);
	assert_has(text,
	    "  usable        2 CPUs (affinity 8, cgroup quota 1.50 CPUs from "
	    "/sys/fs/cgroup/x/cpu.max)\n");
	assert_has(text, "  total         16 GiB (cgroup limit 1 GiB)\n");
	assert_has(text, "minimum and maximum not reported");
	assert_has(text, "  model         unknown (GenuineIntel)\n");
	assert_has(text, "  processes     unknown\n");
	assert_true(strncmp(text, "machine ", 8) == 0);
	assert_has(text, ": unknown CPU, 4 cores/8 threads");
	free(text);
	machine_free(&m);
}

static void
test_json(void **state)
{
	struct machine m;
	json_t *doc, *bench;
	json_error_t err;
	char id[9], *text;

	laptop(&m);
	m.freq_min = -1;
	m.processes = -1;
	doc = machine_to_json(&m, NULL);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "proflab-machine/1");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(doc, "cpu"), "cores")), 4);
	assert_true(json_is_null(json_object_get(json_object_get(doc, "cpu"), "quota_cpus")));
	assert_true(json_is_null(
	    json_object_get(json_object_get(json_object_get(doc, "cpu"), "freq_mhz"), "min")));
	assert_true(json_is_null(json_object_get(doc, "processes")));
	assert_true(json_is_null(json_object_get(doc, "bench")));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(doc, "memory"), "total_bytes")),
	    16LL << 30);
	assert_true(
	    json_real_value(json_object_get(json_object_get(doc, "memory"), "percent")) == 25.0);
	/* Without the worker's facts: stand-ins that say so, every member there. */
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "numpy"), "error")),
	    "the worker did not report");
	assert_true(json_is_null(json_object_get(json_object_get(doc, "psutil"), "present")));
	machine_fingerprint(&m, NULL, NULL, id, &text);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "fingerprint"), "id")), id);
	free(text);
	json_decref(doc);

	/* Bytes that are not UTF-8 become '?', so the document stays valid JSON. */
	free(m.hostname);
	m.hostname = xstrdup("h\xff\xfex");
	bench = json_loads(
	    "{\"memory\": {\"bytes\": 67108864, \"copy_bytes_per_s\": 2.1e10}}", 0, &err);
	doc = machine_to_json(&m, bench);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "host"), "hostname")), "h??x");
	assert_true(json_equal(json_object_get(doc, "bench"), bench));
	json_decref(doc);
	json_decref(bench);
	machine_free(&m);
}

static void
test_bench_text(void **state)
{
	struct machine m;
	json_t *bench;
	json_error_t err;
	char *text;

	laptop(&m);
	bench = json_loads(
	    "{\"startup\": {\"python\": {\"code\": \"pass\", \"runs\": 5, \"real_s\": 0.0131,"
	    " \"user_s\": 0.0085, \"sys_s\": 0.0042},"
	    " \"import_numpy\": {\"error\": \"python3 -c 'import numpy' exited with status 1\"}},"
	    " \"python_loop\": {\"iterations\": 2500000, \"seconds\": 0.1, \"ns_per_iteration\": "
	    "40},"
	    " \"numpy_dot\": {\"n\": 768, \"one_thread\": {\"gflops\": 5.93, \"seconds\": 0.15,"
	    " \"threads\": 1, \"method\": \"blas\"}, \"all\": {\"gflops\": 11.91, \"seconds\": "
	    "0.08,"
	    " \"threads\": 2, \"method\": \"python-threads\"}},"
	    " \"memory\": {\"bytes\": 67108864, \"copy_bytes_per_s\": 21100000000},"
	    " \"disk\": {\"dir\": \"/dev/shm\", \"fstype\": \"tmpfs\", \"bytes\": 134217728,"
	    " \"write_bytes_per_s\": 1.7e9, \"read_bytes_per_s\": 6e9, \"read_from_cache\": true},"
	    " \"network\": {\"url\": \"https://x.invalid/\", \"reachable\": false,"
	    " \"error\": \"could not resolve host x.invalid\"}}",
	    0, &err);
	assert_non_null(bench);
	text = text_of(&m, bench);
	assert_has(text,
	    "\nBenchmarks\n  start-up      13.1 ms for python -c 'pass' (user 8.5 ms, sys 4.2 ms), "
	    "best of 5\n");
	assert_has(text, "  import numpy  python3 -c 'import numpy' exited with status 1\n");
	assert_has(
	    text, "  Python loop   40.0 ns per iteration (25.0 million per second, one core)\n");
	assert_has(text, "  numpy.dot     5.93 GFLOP/s on one thread, 11.91 on 2 CPUs (768x768)\n");
	assert_has(text, "proflab split the product over 2 Python threads)\n");
	assert_has(text, "  memory        copy 21.1 GB/s (read + written)\n");
	assert_has(text, "  disk          write 1.7 GB/s, read 6.0 GB/s in /dev/shm (tmpfs)\n");
	assert_has(text, "(the read came from memory");
	assert_has(text, "  network       unreachable: could not resolve host x.invalid\n");
	free(text);
	json_decref(bench);

	bench =
	    json_loads("{\"network\": {\"url\": \"http://h/\", \"reachable\": true,"
	               " \"latency_s\": 0.0123, \"download_bytes\": 10000000, \"download_s\": 1,"
	               " \"download_bytes_per_s\": 1.25e7, \"error\": null}}",
	        0, &err);
	text = text_of(&m, bench);
	assert_has(text, "  network       latency 12.3 ms, download 100.0 Mbit/s (12.5 MB/s)\n");
	assert_has(text, "                from http://h/\n");
	assert_has(text, "  numpy.dot     not run\n");
	free(text);
	json_decref(bench);
	machine_free(&m);
}

static void
test_blas_name(void **state)
{
	assert_string_equal(
	    machine_blas_name("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"), "reference");
	assert_string_equal(
	    machine_blas_name("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"),
	    "openblas");
	assert_string_equal(machine_blas_name("/opt/x/libopenblasp-r0.3.21.so"), "openblas");
	assert_string_equal(machine_blas_name("/opt/intel/lib/libmkl_rt.so.2"), "mkl");
	assert_string_equal(machine_blas_name("/usr/lib/libflexiblas.so.3"), "flexiblas");
	assert_string_equal(
	    machine_blas_name("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3"), "blis");
	assert_string_equal(machine_blas_name("/usr/lib/atlas/libblas.so.3"), "atlas");
	assert_string_equal(machine_blas_name("/usr/lib/libsomething.so"), "unknown");
}

static void
test_format_bytes(void **state)
{
	static const struct {
		int64_t v;
		const char *want;
	} cases[] = {
	    {-1, "unknown"},
	    {0, "0 B"},
	    {1023, "1023 B"},
	    {1024, "1 KiB"},
	    {1536, "1.5 KiB"},
	    {150LL << 20, "150 MiB"},
	    {(23LL << 30) + (512LL << 20), "23.5 GiB"},
	    {5LL << 40, "5 TiB"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b;

		buf_init(&b);
		machine_format_bytes(&b, cases[i].v);
		buf_addc(&b, '\0');
		assert_string_equal(b.data, cases[i].want);
		buf_free(&b);
	}
}

static void
test_probe(void **state)
{
	char *cause = NULL, *path;
	json_t *j;
	struct timespec t0, t1;

	path = xstrdup(in_dir("good"));
	write_file(path, "#!/bin/sh\necho \"{\\\"what\\\": \\\"$2\\\"}\"\n", 0755);
	j = machine_probe(path, "facts", 10, &cause);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "what")), "facts");
	json_decref(j);
	free(path);

	path = xstrdup(in_dir("fails"));
	write_file(path, "#!/bin/sh\necho 'first' >&2\necho 'it broke' >&2\nexit 3\n", 0755);
	assert_null(machine_probe(path, "facts", 10, &cause));
	assert_non_null(strstr(cause, "--machine facts exited with status 3: it broke"));
	assert_null(strchr(cause, '\n'));
	free(cause);
	free(path);

	path = xstrdup(in_dir("nojson"));
	write_file(path, "#!/bin/sh\necho 'hello'\n", 0755);
	assert_null(machine_probe(path, "pyloop", 10, &cause));
	assert_non_null(strstr(cause, "--machine pyloop printed no JSON"));
	free(cause);
	free(path);

	assert_null(machine_probe(in_dir("nosuch"), "facts", 10, &cause));
	assert_non_null(strstr(cause, "nosuch"));
	free(cause);

	/* One that never ends is killed at the timeout. */
	path = xstrdup(in_dir("hangs"));
	write_file(path, "#!/bin/sh\nexec sleep 60\n", 0755);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_null(machine_probe(path, "dot1", 0.5, &cause));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(strstr(cause, "--machine dot1 gave no answer within"));
	assert_true((double)(t1.tv_sec - t0.tv_sec) < 30);
	free(cause);
	free(path);
}

static void
test_cpustat(void **state)
{
	struct cpustat a, b;
	char *cause = NULL;

	assert_int_equal(mkdir(in_dir("root"), 0755), 0);
	assert_int_equal(mkdir(in_dir("root/proc"), 0755), 0);
	write_file(in_dir("root/proc/stat"),
	    "cpu  300 0 100 1600 0 0 0 0 0 0\n"
	    "cpu0 100 0 50 800 0 0 0 0 0 0\n"
	    "cpu1 200 0 50 800 0 0 0 0 0 0\n"
	    "intr 12345\n",
	    0644);
	assert_int_equal(cpustat_read(&a, in_dir("root"), &cause), 0);
	assert_int_equal(a.n, 2);
	/* cpu0: 50 of 100 more jiffies busy; cpu1: all idle (iowait is idle too); cpu3 is new. */
	write_file(in_dir("root/proc/stat"),
	    "cpu  0 0 0 0 0 0 0 0 0 0\n"
	    "cpu0 140 0 60 850 0 0 0 0 0 0\n"
	    "cpu1 200 0 50 880 20 0 0 0 0 0\n"
	    "cpu3 1 0 0 1 0 0 0 0 0 0\n",
	    0644);
	assert_int_equal(cpustat_read(&b, in_dir("root"), &cause), 0);
	assert_int_equal(b.n, 3);
	assert_true(cpustat_percent(&a, &b, 0) == 50.0);
	assert_true(cpustat_percent(&a, &b, 1) == 0.0);
	assert_true(cpustat_percent(&a, &b, 2) == -1);
	assert_true(cpustat_percent(&a, &b, 7) == -1);
	assert_true(cpustat_percent(&b, &b, 0) == -1); /* no time passed */
	cpustat_free(&a);
	cpustat_free(&b);

	assert_int_equal(cpustat_read(&a, in_dir("nowhere"), &cause), -1);
	assert_non_null(strstr(cause, "nowhere/proc/stat"));
	free(cause);

	/* The live system has at least one CPU. */
	assert_int_equal(cpustat_read(&a, "", &cause), 0);
	assert_true(a.n >= 1);
	cpustat_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fingerprint),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_bench_text),
	    cmocka_unit_test(test_blas_name),
	    cmocka_unit_test(test_format_bytes),
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_cpustat),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
