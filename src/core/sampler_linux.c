/*
 * The Linux sampler: /proc/PID/stat (CPU ticks, state, ppid, start time, and
 * memory: vsize and rss are the counters psutil reads from statm) through a
 * descriptor kept open and re-read with pread at offset 0, which makes the
 * kernel regenerate it.
 *
 * Data model: the sampler owns one struct sampler_proc for the main process
 * and, with children, a table of them for the descendants, keyed by pid and
 * start time. Each reading re-discovers the descendants (the children files
 * of every thread, or a scan of proc_root when the kernel lacks them), opens
 * descriptors for new ones and closes those of the ones that are gone. A
 * process's CPU is the change of its utime+stime since its previous reading
 * (a child new to the table counts from 0 ticks); the totals are sums over
 * the tree. Without children a reading is one pread and one parse, with no
 * allocation.
 */
#include "config.h"

#include "core/sampler.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/proc.h"

struct sampler_proc {
	int pid;
	unsigned long long starttime;
	int fd_stat;
	unsigned long long ticks; /* utime+stime at the previous reading */
	int seen;
};

struct sampler {
	char *root;
	int pid;
	int children;
	int have_children_files;
	long hz;
	long page_size;
	unsigned long nreadings;
	double prev_t;
	struct sampler_proc main;

	struct sampler_proc *kids;
	size_t nkids, capkids;

	/* Scratch for discovering descendants, reused between readings. */
	int *tree; /* main pid first, then its descendants */
	size_t ntree, captree;
	struct sampler_pair {
		int pid, ppid;
	} * pairs;
	size_t npairs, cappairs;
	struct buf scratch;

	char buf[4096];
};

static ssize_t
sampler_pread(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = pread(fd, buf, size, 0);
	while (n == -1 && errno == EINTR);
	return n;
}

static int
sampler_open_file(const char *path)
{
	int fd;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	return fd;
}

static void
sampler_close_fd(int fd)
{
	/* close is not retried on EINTR: on Linux the descriptor is gone. */
	if (fd != -1)
		close(fd);
}

/* Reads a whole small file into s->scratch; -1 with errno on failure. */
static int
sampler_slurp(struct sampler *s, const char *path)
{
	ssize_t n;
	int fd;

	buf_reset(&s->scratch);
	if ((fd = sampler_open_file(path)) == -1)
		return -1;
	for (;;) {
		buf_reserve(&s->scratch, 4096);
		do
			n = read(fd, s->scratch.data + s->scratch.len, 4096);
		while (n == -1 && errno == EINTR);
		if (n == -1) {
			int saved = errno;

			sampler_close_fd(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		s->scratch.len += (size_t)n;
		s->scratch.data[s->scratch.len] = '\0';
	}
	sampler_close_fd(fd);
	return 0;
}

static void
sampler_proc_close(struct sampler_proc *p)
{
	sampler_close_fd(p->fd_stat);
	p->fd_stat = -1;
}

/* Opens a process's descriptors; -1 with errno on failure. */
static int
sampler_proc_open(struct sampler *s, int pid, struct sampler_proc *p)
{
	char path[PATH_MAX];

	p->pid = pid;
	p->starttime = 0;
	p->ticks = 0;
	p->seen = 0;
	p->fd_stat = -1;
	if (snprintf(path, sizeof path, "%s/%d/stat", s->root, pid) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((p->fd_stat = sampler_open_file(path)) == -1)
		return -1;
	return 0;
}

/*
 * Reads and parses stat: 1 when read, 0 when the process is gone,
 * -1 with *cause on an error.
 */
static int
sampler_proc_read(struct sampler *s, struct sampler_proc *p, struct proc_stat *st,
    unsigned long long *size, unsigned long long *resident, char **cause)
{
	char *pcause = NULL;
	ssize_t n;

	n = sampler_pread(p->fd_stat, s->buf, sizeof s->buf);
	if (n == 0 || (n == -1 && errno == ESRCH))
		return 0;
	if (n == -1) {
		*cause = xasprintf("cannot read process %d: %s", p->pid, strerror(errno));
		return -1;
	}
	if (proc_parse_stat(s->buf, (size_t)n, st, &pcause) != 0) {
		*cause = xasprintf("cannot read process %d: %s", p->pid, pcause);
		free(pcause);
		return -1;
	}
	if (st->state == 'Z' || st->state == 'X') {
		*size = *resident = 0;
		return 1;
	}
	/*
	 * stat's vsize (bytes) and rss (pages) are the counters statm shows as
	 * size and resident: one pread instead of two.
	 */
	*size = st->vsize / (unsigned long long)s->page_size;
	*resident = st->rss_pages > 0 ? (unsigned long long)st->rss_pages : 0;
	return 1;
}

struct sampler *
sampler_open(const char *proc_root, int pid, int children, char **cause)
{
	struct sampler *s;
	struct proc_stat st;
	unsigned long long size, resident;
	char path[PATH_MAX];
	long v;
	int rc;

	if (pid <= 0) {
		*cause = xasprintf("no process with PID %d", pid);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->root = xstrdup(proc_root);
	s->pid = pid;
	s->children = children;
	s->hz = (v = sysconf(_SC_CLK_TCK)) > 0 ? v : 100;
	s->page_size = (v = sysconf(_SC_PAGESIZE)) > 0 ? v : 4096;
	buf_init(&s->scratch);
	if (sampler_proc_open(s, pid, &s->main) != 0) {
		if (errno == ENOENT || errno == ESRCH)
			*cause = xasprintf("no process with PID %d", pid);
		else
			*cause = xasprintf("cannot read process %d: %s", pid, strerror(errno));
		sampler_free(s);
		return NULL;
	}
	rc = sampler_proc_read(s, &s->main, &st, &size, &resident, cause);
	if (rc == 0)
		*cause = xasprintf("no process with PID %d", pid);
	if (rc != 1) {
		sampler_free(s);
		return NULL;
	}
	s->main.starttime = st.starttime;
	if (children) {
		snprintf(path, sizeof path, "%s/%d/task/%d/children", proc_root, pid, pid);
		s->have_children_files = access(path, R_OK) == 0;
	}
	return s;
}

void
sampler_free(struct sampler *s)
{
	if (s == NULL)
		return;
	sampler_proc_close(&s->main);
	for (size_t i = 0; i < s->nkids; i++)
		sampler_proc_close(&s->kids[i]);
	free(s->kids);
	free(s->tree);
	free(s->pairs);
	buf_free(&s->scratch);
	free(s->root);
	free(s);
}

void
sampler_set_units(struct sampler *s, long clock_ticks_per_sec, long page_size)
{
	if (clock_ticks_per_sec > 0)
		s->hz = clock_ticks_per_sec;
	if (page_size > 0)
		s->page_size = page_size;
}

static void
sampler_tree_add(struct sampler *s, int pid)
{
	for (size_t i = 0; i < s->ntree; i++) {
		if (s->tree[i] == pid)
			return;
	}
	if (s->ntree == s->captree) {
		s->captree = s->captree == 0 ? 32 : s->captree * 2;
		s->tree = xreallocarray(s->tree, s->captree, sizeof *s->tree);
	}
	s->tree[s->ntree++] = pid;
}

static int
sampler_parse_pid(const char *name)
{
	long v = 0;

	if (*name == '\0')
		return -1;
	for (; *name != '\0'; name++) {
		if (*name < '0' || *name > '9' || v > INT_MAX / 10)
			return -1;
		v = v * 10 + (*name - '0');
	}
	return v > 0 && v <= INT_MAX ? (int)v : -1;
}

/* Adds the children of pid listed in every proc_root/pid/task/TID/children. */
static void
sampler_find_children_files(struct sampler *s, int pid)
{
	char path[PATH_MAX];
	struct dirent *de;
	int *pids, tid;
	size_t npids;
	char *cause;
	DIR *d;

	snprintf(path, sizeof path, "%s/%d/task", s->root, pid);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if ((tid = sampler_parse_pid(de->d_name)) == -1)
			continue;
		snprintf(path, sizeof path, "%s/%d/task/%d/children", s->root, pid, tid);
		if (sampler_slurp(s, path) != 0)
			continue;
		cause = NULL;
		if (proc_parse_pidlist(s->scratch.data, s->scratch.len, &pids, &npids, &cause) !=
		    0) {
			free(cause);
			continue;
		}
		for (size_t i = 0; i < npids; i++)
			sampler_tree_add(s, pids[i]);
		free(pids);
	}
	closedir(d);
}

/* Fills s->pairs with (pid, ppid) of every process under proc_root. */
static void
sampler_scan_all(struct sampler *s)
{
	char path[PATH_MAX];
	struct proc_stat st;
	struct dirent *de;
	char *cause;
	int pid;
	DIR *d;

	s->npairs = 0;
	if ((d = opendir(s->root)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if ((pid = sampler_parse_pid(de->d_name)) == -1)
			continue;
		snprintf(path, sizeof path, "%s/%d/stat", s->root, pid);
		if (sampler_slurp(s, path) != 0)
			continue;
		cause = NULL;
		if (proc_parse_stat(s->scratch.data, s->scratch.len, &st, &cause) != 0) {
			free(cause);
			continue;
		}
		if (s->npairs == s->cappairs) {
			s->cappairs = s->cappairs == 0 ? 256 : s->cappairs * 2;
			s->pairs = xreallocarray(s->pairs, s->cappairs, sizeof *s->pairs);
		}
		s->pairs[s->npairs].pid = pid;
		s->pairs[s->npairs].ppid = st.ppid;
		s->npairs++;
	}
	closedir(d);
}

/* Fills s->tree with the main pid and all its descendants, breadth first. */
static void
sampler_discover(struct sampler *s)
{
	s->ntree = 0;
	sampler_tree_add(s, s->pid);
	if (!s->have_children_files)
		sampler_scan_all(s);
	for (size_t i = 0; i < s->ntree; i++) {
		if (s->have_children_files) {
			sampler_find_children_files(s, s->tree[i]);
			continue;
		}
		for (size_t j = 0; j < s->npairs; j++) {
			if (s->pairs[j].ppid == s->tree[i] && s->pairs[j].pid != s->tree[i])
				sampler_tree_add(s, s->pairs[j].pid);
		}
	}
}

static struct sampler_proc *
sampler_kid_find(struct sampler *s, int pid)
{
	for (size_t i = 0; i < s->nkids; i++) {
		if (s->kids[i].pid == pid)
			return &s->kids[i];
	}
	return NULL;
}

static struct sampler_proc *
sampler_kid_add(struct sampler *s, int pid)
{
	struct sampler_proc p;

	if (sampler_proc_open(s, pid, &p) != 0)
		return NULL;
	if (s->nkids == s->capkids) {
		s->capkids = s->capkids == 0 ? 16 : s->capkids * 2;
		s->kids = xreallocarray(s->kids, s->capkids, sizeof *s->kids);
	}
	s->kids[s->nkids] = p;
	return &s->kids[s->nkids++];
}

static void
sampler_kid_remove(struct sampler *s, size_t i)
{
	sampler_proc_close(&s->kids[i]);
	s->kids[i] = s->kids[--s->nkids];
}

/* Adds the descendants' CPU ticks since their previous reading and memory. */
static void
sampler_read_children(struct sampler *s, int first, unsigned long long *dticks,
    unsigned long long *size, unsigned long long *resident)
{
	struct sampler_proc *p;
	struct proc_stat st;
	unsigned long long ksize, kres, ticks;
	char *cause;
	int rc, isnew;

	sampler_discover(s);
	for (size_t i = 0; i < s->nkids; i++)
		s->kids[i].seen = 0;
	for (size_t i = 1; i < s->ntree; i++) {
		isnew = 0;
		if ((p = sampler_kid_find(s, s->tree[i])) == NULL) {
			if ((p = sampler_kid_add(s, s->tree[i])) == NULL)
				continue;
			isnew = 1;
		}
		cause = NULL;
		rc = sampler_proc_read(s, p, &st, &ksize, &kres, &cause);
		free(cause);
		if (rc != 1)
			continue; /* gone (or unreadable): closed below */
		if (!isnew && st.starttime != p->starttime)
			isnew = 1; /* the pid was reused */
		if (isnew) {
			p->starttime = st.starttime;
			p->ticks = 0;
		}
		ticks = st.utime + st.stime;
		if (!first && ticks >= p->ticks)
			*dticks += ticks - p->ticks;
		p->ticks = ticks;
		p->seen = 1;
		*size += ksize;
		*resident += kres;
	}
	for (size_t i = s->nkids; i > 0; i--) {
		if (!s->kids[i - 1].seen)
			sampler_kid_remove(s, i - 1);
	}
}

int
sampler_read(struct sampler *s, double t, struct sample *out, char **cause)
{
	struct proc_stat st;
	unsigned long long size, resident, ticks, dticks = 0;
	double mb = 1048576.0, dt;
	int rc, first = s->nreadings == 0;

	rc = sampler_proc_read(s, &s->main, &st, &size, &resident, cause);
	if (rc != 1)
		return rc;
	if (st.state == 'Z' || st.state == 'X')
		return 0;
	ticks = st.utime + st.stime;
	if (!first && ticks >= s->main.ticks)
		dticks = ticks - s->main.ticks;
	s->main.ticks = ticks;
	if (s->children)
		sampler_read_children(s, first, &dticks, &size, &resident);

	dt = t - s->prev_t;
	out->t = t;
	out->cpu = first ? 0 : sampler_cpu_percent(0, dticks, s->hz, dt);
	out->rss_mb = (double)resident * (double)s->page_size / mb;
	out->vms_mb = (double)size * (double)s->page_size / mb;
	s->prev_t = t;
	s->nreadings++;
	return 1;
}
