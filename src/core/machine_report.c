/*
 * The machine report (see machine.h): the fingerprint, the JSON document of
 * schema MACHINE_SCHEMA and the text `proflab machine` prints. Both reports
 * are built from the same struct machine and the same bench object, so the
 * text never says what the JSON does not.
 *
 * The Python side and the benchmarks arrive as JSON objects (from the
 * worker and from mbench/netcheck); the text report reads them with the
 * small accessors below, which treat a missing or mistyped member as
 * unknown.
 */
#include "config.h"

#include "core/machine.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xmalloc.h"

/* --- small helpers ------------------------------------------------------------ */

json_t *
machine_json_string(const char *s)
{
	json_t *j;
	char *copy;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	if (j != NULL)
		return j;
	copy = xstrdup(s);
	for (char *p = copy; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	}
	j = json_string(copy);
	free(copy);
	return j != NULL ? j : json_null();
}

static json_t *
report_int(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

/* v rounded to `digits` decimals, so the JSON does not carry noise digits. */
static json_t *
report_round(double v, int digits)
{
	double scale = pow(10, digits);

	if (v < 0 || !isfinite(v))
		return json_null();
	return json_real(round(v * scale) / scale);
}

static double
report_percent(int64_t part, int64_t whole)
{
	if (part < 0 || whole <= 0)
		return -1;
	return 100.0 * (double)part / (double)whole;
}

/* The member at a dotted path of j ("numpy.blas.name"), or NULL. */
static json_t *
report_get(const json_t *j, const char *path)
{
	char key[64];
	json_t *cur = (json_t *)j;
	const char *p = path, *dot;

	while (cur != NULL && *p != '\0') {
		size_t len;

		dot = strchr(p, '.');
		len = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (len >= sizeof key)
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		cur = json_is_object(cur) ? json_object_get(cur, key) : NULL;
		p += len + (dot != NULL);
	}
	return cur;
}

static const char *
report_get_str(const json_t *j)
{
	return json_is_string(j) ? json_string_value(j) : NULL;
}

/* A number, or -1 when j is not one. */
static double
report_get_num(const json_t *j)
{
	return json_is_number(j) ? json_number_value(j) : -1;
}

void
machine_format_bytes(struct buf *b, int64_t bytes)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)bytes;
	int u = 0;

	if (bytes < 0) {
		buf_adds(b, "unknown");
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		buf_addf(b, "%lld B", (long long)bytes);
	else if (v >= 100 || v == floor(v))
		buf_addf(b, "%.0f %s", v, units[u]);
	else
		buf_addf(b, "%.1f %s", v, units[u]);
}

/* 12.3 MB/s, 1.2 GB/s: decimal units, as disk and network tools print rates. */
static void
report_rate(struct buf *b, double bytes_per_s)
{
	static const char *units[] = {"B/s", "kB/s", "MB/s", "GB/s", "TB/s"};
	int u = 0;

	while (bytes_per_s >= 1000 && u < 4) {
		bytes_per_s /= 1000;
		u++;
	}
	buf_addf(b, "%.*f %s", bytes_per_s >= 100 ? 0 : 1, bytes_per_s, units[u]);
}

static void
report_seconds(struct buf *b, double s)
{
	if (s < 1e-3)
		buf_addf(b, "%.0f µs", s * 1e6);
	else if (s < 1)
		buf_addf(b, "%.1f ms", s * 1e3);
	else
		buf_addf(b, "%.2f s", s);
}

static void
report_uptime(struct buf *b, double s)
{
	long t = (long)s, days = t / 86400;

	if (s < 0) {
		buf_adds(b, "unknown");
		return;
	}
	if (days > 0)
		buf_addf(b, "%ld day%s, ", days, days == 1 ? "" : "s");
	buf_addf(b, "%02ld:%02ld:%02ld", t % 86400 / 3600, t % 3600 / 60, t % 60);
}

const char *
machine_blas_name(const char *path)
{
	static const char *kinds[] = {
	    "openblas", "flexiblas", "mkl", "blis", "atlas", "accelerate"};
	const char *base = strrchr(path, '/');
	char *lower = xstrdup(path);
	const char *kind = "unknown";

	for (char *p = lower; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strstr(lower, kinds[i]) != NULL) {
			kind = kinds[i];
			break;
		}
	}
	if (strcmp(kind, "unknown") == 0 && strstr(lower, "veclib") != NULL)
		kind = "accelerate";
	base = base != NULL ? base + 1 : path;
	if (strcmp(kind, "unknown") == 0 && strncmp(base, "libblas", 7) == 0)
		kind = "reference";
	free(lower);
	return kind;
}

/* --- the fingerprint ------------------------------------------------------------- */

static uint64_t
report_fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* "openblas 0.3.21", "reference", or NULL when numpy's BLAS is not known. */
static char *
report_blas(const struct machine *m)
{
	const char *name = report_get_str(report_get(m->python, "numpy.blas.name"));
	const char *version = report_get_str(report_get(m->python, "numpy.blas.version"));

	if (name == NULL)
		return NULL;
	if (version != NULL && strstr(version, name) == NULL)
		return xasprintf("%s %s", name, version);
	return xstrdup(version != NULL ? version : name);
}

void
machine_fingerprint(
    const struct machine *m, const char *python_version, const char *blas, char id[9], char **text)
{
	struct buf b;
	char *own_blas = NULL, *key;
	double gib = m->mem_total > 0 ? (double)m->mem_total / (1024.0 * 1024 * 1024) : -1;
	uint64_t h = 0xcbf29ce484222325ULL;

	key = xasprintf("cpu=%s;cores=%d;logical=%d;mem=%.0f",
	    m->cpu_model != NULL ? m->cpu_model : "?", m->cores, m->logical, gib);
	h = report_fnv(h, key);
	free(key);
	snprintf(id, 9, "%08x", (unsigned)(h ^ (h >> 32)));

	if (python_version == NULL)
		python_version = report_get_str(report_get(m->python, "python.version"));
	if (blas == NULL)
		blas = own_blas = report_blas(m);
	buf_init(&b);
	buf_addf(&b, "%s, ", m->cpu_model != NULL ? m->cpu_model : "unknown CPU");
	if (m->cores > 0 && m->logical > 0)
		buf_addf(&b, "%d core%s/%d thread%s, ", m->cores, m->cores == 1 ? "" : "s",
		    m->logical, m->logical == 1 ? "" : "s");
	machine_format_bytes(&b, m->mem_total);
	if (python_version != NULL)
		buf_addf(&b, "; Python %s", python_version);
	if (blas != NULL)
		buf_addf(&b, "; BLAS %s", blas);
	free(own_blas);
	*text = buf_steal(&b);
}

char *
machine_fingerprint_line(const char *python_version, const char *blas_library)
{
	struct machine m;
	char id[9], *text, *line = NULL, *cause = NULL;

	memset(&m, 0, sizeof m);
	if (machine_read(&m, "", &cause) == 0) {
		machine_fingerprint(&m, python_version,
		    blas_library != NULL ? machine_blas_name(blas_library) : NULL, id, &text);
		line = xasprintf("machine %s: %s", id, text);
		free(text);
	}
	free(cause);
	machine_free(&m);
	return line;
}

/* --- JSON ------------------------------------------------------------------------ */

static json_t *
report_json_cpu(const struct machine *m)
{
	json_t *cpu = json_object(), *freq = json_object(), *caches = json_array();

	json_object_set_new(cpu, "model", machine_json_string(m->cpu_model));
	json_object_set_new(cpu, "vendor", machine_json_string(m->cpu_vendor));
	json_object_set_new(cpu, "sockets", report_int(m->sockets));
	json_object_set_new(cpu, "cores", report_int(m->cores));
	json_object_set_new(cpu, "logical", report_int(m->logical));
	json_object_set_new(cpu, "threads_per_core", report_int(m->threads_per_core));
	json_object_set_new(cpu, "affinity", report_int(m->affinity));
	json_object_set_new(cpu, "quota_cpus", m->quota > 0 ? json_real(m->quota) : json_null());
	json_object_set_new(
	    cpu, "quota_source", machine_json_string(m->quota > 0 ? m->quota_source : NULL));
	json_object_set_new(cpu, "usable", report_int(m->usable));
	json_object_set_new(freq, "current", report_round(m->freq_cur, 1));
	json_object_set_new(freq, "min", report_round(m->freq_min, 1));
	json_object_set_new(freq, "max", report_round(m->freq_max, 1));
	json_object_set_new(freq, "source", machine_json_string(m->freq_source));
	json_object_set_new(cpu, "freq_mhz", freq);
	json_object_set_new(cpu, "numa_nodes", report_int(m->numa_nodes));
	for (int i = 0; i < m->ncaches; i++) {
		const struct machine_cache *c = &m->caches[i];
		json_t *o = json_object();

		json_object_set_new(o, "level", json_integer(c->level));
		json_object_set_new(o, "type", machine_json_string(c->type));
		json_object_set_new(o, "size_bytes", report_int(c->size));
		json_object_set_new(o, "count", report_int(c->count));
		json_object_set_new(o, "shared_by", report_int(c->shared_by));
		json_array_append_new(caches, o);
	}
	json_object_set_new(cpu, "caches", caches);
	json_object_set_new(cpu, "topology_source", machine_json_string(m->topology_source));
	return cpu;
}

static json_t *
report_json_memory(const struct machine *m)
{
	json_t *mem = json_object();

	json_object_set_new(mem, "total_bytes", report_int(m->mem_total));
	json_object_set_new(mem, "available_bytes", report_int(m->mem_available));
	json_object_set_new(mem, "used_bytes", report_int(m->mem_used));
	json_object_set_new(mem, "free_bytes", report_int(m->mem_free));
	json_object_set_new(mem, "percent",
	    report_round(m->mem_available < 0 || m->mem_total <= 0
	            ? -1
	            : report_percent(m->mem_total - m->mem_available, m->mem_total),
	        1));
	json_object_set_new(
	    mem, "cgroup_limit_bytes", m->mem_limit > 0 ? json_integer(m->mem_limit) : json_null());
	return mem;
}

static json_t *
report_json_swap(const struct machine *m)
{
	json_t *swap = json_object();

	json_object_set_new(swap, "total_bytes", report_int(m->swap_total));
	json_object_set_new(swap, "used_bytes", report_int(m->swap_used));
	json_object_set_new(swap, "free_bytes", report_int(m->swap_free));
	json_object_set_new(swap, "percent",
	    m->swap_total == 0 ? json_real(0)
	                       : report_round(report_percent(m->swap_used, m->swap_total), 1));
	return swap;
}

static json_t *
report_json_disks(const struct machine *m)
{
	json_t *disks = json_array();

	for (int i = 0; i < m->ndisks; i++) {
		const struct machine_disk *d = &m->disks[i];
		json_t *o = json_object();
		int64_t whole = d->used >= 0 && d->free >= 0 ? d->used + d->free : -1;

		json_object_set_new(o, "mount", machine_json_string(d->mount));
		json_object_set_new(o, "device", machine_json_string(d->device));
		json_object_set_new(o, "fstype", machine_json_string(d->fstype));
		json_object_set_new(o, "total_bytes", report_int(d->total));
		json_object_set_new(o, "used_bytes", report_int(d->used));
		json_object_set_new(o, "free_bytes", report_int(d->free));
		/* psutil's and df's Use%: used over what a user could have, used + avail. */
		json_object_set_new(o, "percent", report_round(report_percent(d->used, whole), 1));
		json_array_append_new(disks, o);
	}
	return disks;
}

/* The worker's section `key`, or a null-filled stand-in when the worker said nothing. */
static json_t *
report_json_python_part(const struct machine *m, const char *key)
{
	json_t *part = report_get(m->python, key);

	if (part != NULL)
		return json_deep_copy(part);
	if (strcmp(key, "psutil") == 0)
		return json_pack("{s:n, s:n}", "present", "version");
	if (strcmp(key, "numpy") == 0)
		return json_pack("{s:n, s:n, s:n, s:n, s:s}", "version", "blas", "lapack",
		    "built_with", "error", "the worker did not report");
	return json_pack("{s:n, s:n, s:n, s:n, s:s}", "version", "implementation", "executable",
	    "compiler", "error", "the worker did not report");
}

json_t *
machine_to_json(const struct machine *m, const json_t *bench)
{
	json_t *doc = json_object(), *host = json_object(), *load = json_array();
	char id[9], *text, stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	json_object_set_new(doc, "schema", json_string(MACHINE_SCHEMA));
	json_object_set_new(doc, "proflab_version", json_string(PACKAGE_VERSION));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(doc, "time", json_string(stamp));
	machine_fingerprint(m, NULL, NULL, id, &text);
	json_object_set_new(doc, "fingerprint",
	    json_pack("{s:s, s:o}", "id", id, "text", machine_json_string(text)));
	free(text);

	json_object_set_new(host, "hostname", machine_json_string(m->hostname));
	json_object_set_new(host, "os", machine_json_string(m->os));
	json_object_set_new(host, "kernel", machine_json_string(m->kernel));
	json_object_set_new(host, "arch", machine_json_string(m->arch));
	json_object_set_new(host, "uptime_s", report_round(m->uptime, 2));
	json_object_set_new(doc, "host", host);
	json_object_set_new(doc, "cpu", report_json_cpu(m));
	json_object_set_new(doc, "memory", report_json_memory(m));
	json_object_set_new(doc, "swap", report_json_swap(m));
	json_object_set_new(doc, "disks", report_json_disks(m));
	for (int i = 0; i < 3; i++)
		json_array_append_new(load, report_round(m->load[i], 2));
	json_object_set_new(doc, "load", load);
	json_object_set_new(doc, "processes", report_int(m->processes));
	json_object_set_new(doc, "python", report_json_python_part(m, "python"));
	json_object_set_new(doc, "numpy", report_json_python_part(m, "numpy"));
	json_object_set_new(doc, "psutil", report_json_python_part(m, "psutil"));
	json_object_set_new(doc, "bench", bench != NULL ? json_deep_copy(bench) : json_null());
	return doc;
}

/* --- text ------------------------------------------------------------------------ */

#define LABEL "  %-14s"

static void
report_text_cpu(const struct machine *m, struct buf *b)
{
	buf_adds(b, "CPU\n");
	buf_addf(b, LABEL "%s", "model", m->cpu_model != NULL ? m->cpu_model : "unknown");
	if (m->cpu_vendor != NULL)
		buf_addf(b, " (%s)", m->cpu_vendor);
	buf_addc(b, '\n');
	buf_addf(b, LABEL, "cores");
	if (m->cores > 0)
		buf_addf(b, "%d physical, ", m->cores);
	else
		buf_adds(b, "physical unknown, ");
	if (m->logical > 0)
		buf_addf(b, "%d logical", m->logical);
	else
		buf_adds(b, "logical unknown");
	if (m->threads_per_core > 0)
		buf_addf(b, " (%d thread%s per core)", m->threads_per_core,
		    m->threads_per_core == 1 ? "" : "s");
	if (m->sockets > 1)
		buf_addf(b, ", %d sockets", m->sockets);
	buf_addc(b, '\n');
	if (m->threads_per_core > 1)
		buf_addf(b,
		    LABEL
		    "hyper-threading: %d threads share each core. A Python process runs\n" LABEL
		    "your code in one thread, so it uses one core: more need more processes\n",
		    "", m->threads_per_core, "");
	else if (m->threads_per_core == 1)
		buf_addf(b,
		    LABEL
		    "no hyper-threading: each logical CPU is a core. A Python process still\n" LABEL
		    "runs your code in one thread, on one core at a time\n",
		    "", "");
	buf_addf(b, LABEL, "usable");
	if (m->usable > 0)
		buf_addf(b, "%d CPU%s (", m->usable, m->usable == 1 ? "" : "s");
	else
		buf_adds(b, "unknown (");
	if (m->affinity > 0)
		buf_addf(b, "affinity %d", m->affinity);
	else
		buf_adds(b, "affinity unknown");
	if (m->quota > 0)
		buf_addf(b, ", cgroup quota %.2f CPUs from %s)\n", m->quota,
		    m->quota_source != NULL ? m->quota_source : "?");
	else
		buf_addf(b, ", %s)\n", m->quota == 0 ? "no cgroup quota" : "cgroup quota unknown");
	buf_addf(b, LABEL, "frequency");
	if (m->freq_cur > 0)
		buf_addf(b, "%.0f MHz now", m->freq_cur);
	else
		buf_adds(b, "unknown now");
	if (m->freq_min > 0 && m->freq_max > 0)
		buf_addf(b, ", %.0f to %.0f MHz", m->freq_min, m->freq_max);
	else
		buf_adds(b, ", minimum and maximum not reported");
	if (m->freq_source != NULL)
		buf_addf(b, " (%s)", m->freq_source);
	buf_addc(b, '\n');
	if (m->ncaches > 0) {
		buf_addf(b, LABEL, "caches");
		for (int i = 0; i < m->ncaches; i++) {
			const struct machine_cache *c = &m->caches[i];
			const char *t = c->type != NULL ? c->type : "";

			buf_addf(b, "%sL%d%s ", i > 0 ? ", " : "", c->level,
			    strcmp(t, "data") == 0              ? "d"
			        : strcmp(t, "instruction") == 0 ? "i"
			                                        : "");
			machine_format_bytes(b, c->size);
			if (c->count > 1)
				buf_addf(b, " x%d", c->count);
		}
		buf_addc(b, '\n');
	}
	buf_addf(b, LABEL, "topology");
	if (m->sockets > 0)
		buf_addf(b, "%d socket%s, ", m->sockets, m->sockets == 1 ? "" : "s");
	if (m->numa_nodes > 0)
		buf_addf(b, "%d NUMA node%s ", m->numa_nodes, m->numa_nodes == 1 ? "" : "s");
	buf_addf(b, "(from %s)\n", m->topology_source != NULL ? m->topology_source : "nowhere");
}

static void
report_text_memory(const struct machine *m, struct buf *b)
{
	buf_adds(b, "Memory\n");
	buf_addf(b, LABEL, "total");
	machine_format_bytes(b, m->mem_total);
	if (m->mem_limit > 0) {
		buf_adds(b, " (cgroup limit ");
		machine_format_bytes(b, m->mem_limit);
		buf_addc(b, ')');
	}
	buf_addf(b, "\n" LABEL, "available");
	machine_format_bytes(b, m->mem_available);
	if (m->mem_available >= 0 && m->mem_total > 0)
		buf_addf(b, " (%.1f %% in use)",
		    report_percent(m->mem_total - m->mem_available, m->mem_total));
	buf_addf(b, "\n" LABEL, "used");
	machine_format_bytes(b, m->mem_used);
	buf_addf(b, "\n" LABEL, "swap");
	if (m->swap_total == 0) {
		buf_adds(b, "none");
	} else {
		machine_format_bytes(b, m->swap_total);
		buf_adds(b, ", ");
		machine_format_bytes(b, m->swap_used);
		buf_adds(b, " used");
	}
	buf_addc(b, '\n');
}

static void
report_text_disks(const struct machine *m, struct buf *b)
{
	buf_adds(b, "Disks\n");
	if (m->ndisks == 0)
		buf_addf(b, LABEL "none found\n", "");
	for (int i = 0; i < m->ndisks; i++) {
		const struct machine_disk *d = &m->disks[i];

		buf_addf(b, LABEL "", d->mount != NULL ? d->mount : "?");
		machine_format_bytes(b, d->total);
		buf_adds(b, " total, ");
		machine_format_bytes(b, d->free);
		buf_addf(b, " free (%s on %s)\n", d->fstype != NULL ? d->fstype : "?",
		    d->device != NULL ? d->device : "?");
	}
}

static void
report_text_system(const struct machine *m, struct buf *b)
{
	buf_adds(b, "System\n");
	buf_addf(b, LABEL "%s\n", "host", m->hostname != NULL ? m->hostname : "unknown");
	buf_addf(b, LABEL "%s\n", "OS", m->os != NULL ? m->os : "unknown");
	buf_addf(b, LABEL "%s", "kernel", m->kernel != NULL ? m->kernel : "unknown");
	if (m->arch != NULL)
		buf_addf(b, " (%s)", m->arch);
	buf_addf(b, "\n" LABEL, "uptime");
	report_uptime(b, m->uptime);
	buf_addf(b, "\n" LABEL "%.2f %.2f %.2f (1, 5 and 15 minutes)\n", "load", m->load[0],
	    m->load[1], m->load[2]);
	buf_addf(b, LABEL, "processes");
	if (m->processes >= 0)
		buf_addf(b, "%d\n", m->processes);
	else
		buf_adds(b, "unknown\n");
}

static void
report_text_python(const struct machine *m, struct buf *b)
{
	const json_t *py = report_get(m->python, "python");
	const json_t *np = report_get(m->python, "numpy");
	const char *s, *err;
	double threads;

	buf_adds(b, "Python (the one proflab runs)\n");
	if (m->python == NULL) {
		buf_addf(b, LABEL "unknown: the worker did not report\n", "");
		return;
	}
	err = report_get_str(report_get(py, "error"));
	if ((s = report_get_str(report_get(py, "version"))) != NULL) {
		buf_addf(b, LABEL "%s %s", "version",
		    report_get_str(report_get(py, "implementation")) != NULL
		        ? report_get_str(report_get(py, "implementation"))
		        : "Python",
		    s);
		if ((s = report_get_str(report_get(py, "compiler"))) != NULL)
			buf_addf(b, " (%s)", s);
		buf_addc(b, '\n');
	} else {
		buf_addf(b, LABEL "unknown: %s\n", "version", err != NULL ? err : "not reported");
	}
	if ((s = report_get_str(report_get(py, "executable"))) != NULL)
		buf_addf(b, LABEL "%s\n", "executable", s);

	if ((s = report_get_str(report_get(np, "version"))) == NULL) {
		err = report_get_str(report_get(np, "error"));
		buf_addf(b, LABEL "not available: %s\n", "numpy", err != NULL ? err : "unknown");
	} else {
		buf_addf(b, LABEL "%s\n", "numpy", s);
		buf_addf(b, LABEL, "BLAS");
		if ((s = report_get_str(report_get(np, "blas.name"))) != NULL) {
			buf_adds(b, s);
			if ((s = report_get_str(report_get(np, "blas.version"))) != NULL)
				buf_addf(b, " (%s)", s);
			threads = report_get_num(report_get(np, "blas.threads"));
			if (threads > 0)
				buf_addf(b, ", %.0f thread%s", threads, threads == 1 ? "" : "s");
			if ((s = report_get_str(report_get(np, "blas.library"))) != NULL)
				buf_addf(b, "\n" LABEL "%s", "", s);
		} else {
			buf_adds(b, "not found among the loaded libraries");
		}
		buf_addc(b, '\n');
		if ((s = report_get_str(report_get(np, "lapack.library"))) != NULL)
			buf_addf(b, LABEL "%s\n", "LAPACK", s);
		if ((s = report_get_str(report_get(np, "built_with"))) != NULL)
			buf_addf(b, LABEL "%s\n", "built with", s);
	}
	if (json_is_true(report_get(m->python, "psutil.present"))) {
		s = report_get_str(report_get(m->python, "psutil.version"));
		buf_addf(b, LABEL "%s\n", "psutil", s != NULL ? s : "present");
	} else {
		buf_addf(b, LABEL "not installed (apt-get install python3-psutil)\n", "psutil");
	}
}

/* One benchmark part's error, or NULL when it has none. */
static const char *
report_bench_error(const json_t *part)
{
	if (part == NULL)
		return "not run";
	return report_get_str(report_get(part, "error"));
}

static void
report_text_startup(const json_t *bench, const char *key, const char *label, struct buf *b)
{
	const json_t *s = report_get(report_get(bench, "startup"), key);
	const char *err = report_bench_error(s);

	buf_addf(b, LABEL, label);
	if (err != NULL) {
		buf_addf(b, "%s\n", err);
		return;
	}
	report_seconds(b, report_get_num(report_get(s, "real_s")));
	buf_addf(b, " for python -c '%s' (user ",
	    report_get_str(report_get(s, "code")) != NULL ? report_get_str(report_get(s, "code"))
	                                                  : "?");
	report_seconds(b, report_get_num(report_get(s, "user_s")));
	buf_adds(b, ", sys ");
	report_seconds(b, report_get_num(report_get(s, "sys_s")));
	buf_addf(b, "), best of %.0f\n", report_get_num(report_get(s, "runs")));
}

static void
report_text_bench(const json_t *bench, struct buf *b)
{
	const json_t *p;
	const char *err, *method;
	double v;

	buf_adds(b, "Benchmarks\n");
	report_text_startup(bench, "python", "start-up", b);
	report_text_startup(bench, "import_numpy", "import numpy", b);

	p = report_get(bench, "python_loop");
	buf_addf(b, LABEL, "Python loop");
	if ((err = report_bench_error(p)) != NULL) {
		buf_addf(b, "%s\n", err);
	} else {
		v = report_get_num(report_get(p, "ns_per_iteration"));
		buf_addf(b, "%.1f ns per iteration (%.1f million per second, one core)\n", v,
		    v > 0 ? 1e3 / v : 0);
	}

	p = report_get(bench, "numpy_dot");
	buf_addf(b, LABEL, "numpy.dot");
	if ((err = report_bench_error(p)) != NULL) {
		buf_addf(b, "%s\n", err);
	} else {
		const json_t *one = report_get(p, "one_thread"), *all = report_get(p, "all");

		if ((err = report_bench_error(one)) != NULL)
			buf_addf(b, "one thread: %s", err);
		else
			buf_addf(b, "%.2f GFLOP/s on one thread",
			    report_get_num(report_get(one, "gflops")));
		if ((err = report_bench_error(all)) != NULL) {
			buf_addf(b, "; all: %s\n", err);
		} else {
			v = report_get_num(report_get(all, "threads"));
			buf_addf(b, ", %.2f on %.0f CPU%s (%.0fx%.0f)\n",
			    report_get_num(report_get(all, "gflops")), v, v == 1 ? "" : "s",
			    report_get_num(report_get(p, "n")), report_get_num(report_get(p, "n")));
			method = report_get_str(report_get(all, "method"));
			if (method != NULL && strcmp(method, "python-threads") == 0)
				buf_addf(b,
				    LABEL
				    "(the BLAS runs one thread: proflab split the product over "
				    "%.0f Python threads)\n",
				    "", v);
		}
	}

	p = report_get(bench, "memory");
	buf_addf(b, LABEL, "memory");
	if ((err = report_bench_error(p)) != NULL) {
		buf_addf(b, "%s\n", err);
	} else {
		buf_adds(b, "copy ");
		report_rate(b, report_get_num(report_get(p, "copy_bytes_per_s")));
		buf_adds(b, " (read + written)\n");
	}

	p = report_get(bench, "disk");
	buf_addf(b, LABEL, "disk");
	if ((err = report_bench_error(p)) != NULL) {
		buf_addf(b, "%s\n", err);
	} else {
		buf_adds(b, "write ");
		report_rate(b, report_get_num(report_get(p, "write_bytes_per_s")));
		buf_adds(b, ", read ");
		report_rate(b, report_get_num(report_get(p, "read_bytes_per_s")));
		buf_addf(b, " in %s (%s)",
		    report_get_str(report_get(p, "dir")) != NULL
		        ? report_get_str(report_get(p, "dir"))
		        : "?",
		    report_get_str(report_get(p, "fstype")) != NULL
		        ? report_get_str(report_get(p, "fstype"))
		        : "?");
		if (json_is_true(report_get(p, "read_from_cache")))
			buf_addf(b,
			    "\n" LABEL
			    "(the read came from memory: this file system keeps files in RAM)",
			    "");
		buf_addc(b, '\n');
	}

	p = report_get(bench, "network");
	buf_addf(b, LABEL, "network");
	if (p == NULL) {
		buf_adds(b, "not run\n");
	} else if (!json_is_true(report_get(p, "reachable"))) {
		err = report_get_str(report_get(p, "error"));
		buf_addf(b, "unreachable: %s\n", err != NULL ? err : "no reason given");
	} else {
		v = report_get_num(report_get(p, "latency_s"));
		if (v >= 0) {
			buf_adds(b, "latency ");
			report_seconds(b, v);
		}
		err = report_get_str(report_get(p, "error"));
		if (err != NULL) {
			buf_addf(b, "%s%s\n", v >= 0 ? "; " : "", err);
		} else {
			v = report_get_num(report_get(p, "download_bytes_per_s"));
			buf_addf(b, ", download %.1f Mbit/s (", v * 8 / 1e6);
			report_rate(b, v);
			buf_addc(b, ')');
			if (json_is_true(report_get(p, "stopped_at_timeout"))) {
				buf_adds(b, ", stopped at the timeout after ");
				machine_format_bytes(
				    b, (int64_t)report_get_num(report_get(p, "download_bytes")));
			}
			buf_addc(b, '\n');
		}
		if ((err = report_get_str(report_get(p, "url"))) != NULL)
			buf_addf(b, LABEL "from %s\n", "", err);
	}
}

void
machine_format_text(const struct machine *m, const json_t *bench, struct buf *b)
{
	char id[9], *text;

	machine_fingerprint(m, NULL, NULL, id, &text);
	buf_addf(b, "machine %s: %s\n\n", id, text);
	free(text);
	report_text_cpu(m, b);
	buf_addc(b, '\n');
	report_text_memory(m, b);
	buf_addc(b, '\n');
	report_text_disks(m, b);
	buf_addc(b, '\n');
	report_text_system(m, b);
	buf_addc(b, '\n');
	report_text_python(m, b);
	if (bench != NULL) {
		buf_addc(b, '\n');
		report_text_bench(bench, b);
	}
}
