/*
 * The quick benchmarks of `proflab machine --bench` (see mbench.h). Each
 * returns a new JSON object the caller owns: the measurement, or
 * {"error": "one line"}. Times come from CLOCK_MONOTONIC (loop_now).
 *
 * Start-up runs the interpreter through spawn_start, so the child gets the
 * same treatment as every other child of proflab (default signals, its own
 * group, stdin from /dev/null) and the environment proflab has, which is
 * what the learner's python sees; its output is read and thrown away. The
 * disk benchmark works in a folder of its own under the given one and
 * removes it on every path.
 */
#include "config.h"

#include "core/mbench.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/loop.h"
#include "core/spawn.h"

/* A run of `python -c CODE` that takes longer than this is killed. */
#define MBENCH_STARTUP_TIMEOUT 20.0
/* The memory benchmark: at most this many timed copies, and stops after the budget. */
#define MBENCH_MEMORY_SAMPLES 5
#define MBENCH_MEMORY_BUDGET 0.3
/* Each timed sample copies at least this much, so small buffers time well. */
#define MBENCH_MEMORY_SAMPLE_BYTES (32 << 20)
#define MBENCH_DISK_BLOCK (1 << 20)

/* Through a volatile pointer, so the compiler cannot drop or merge the copies. */
static void *(*volatile mbench_memcpy)(void *, const void *, size_t) = memcpy;
static volatile unsigned char mbench_sink;

static json_t *
mbench_error(char *msg)
{
	json_t *o = json_pack("{s:s}", "error", msg);

	free(msg);
	return o;
}

/* "PYTHON -c 'CODE'" on one line, quoted the way a shell would read it (caller frees). */
static char *
mbench_command(const char *python, const char *code)
{
	struct buf b;

	buf_init(&b);
	buf_addf(&b, "%s -c '", python);
	for (const char *p = code; *p != '\0'; p++) {
		if (*p == '\'')
			buf_adds(&b, "'\\''");
		else if ((unsigned char)*p < ' ' || *p == 0x7f)
			buf_addc(&b, ' ');
		else
			buf_addc(&b, *p);
	}
	buf_adds(&b, "'");
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

/* Reads the child's output away until EOF on both pipes; 0, or -1 at the deadline. */
static int
mbench_drain(struct child *c, double deadline)
{
	char chunk[4096];

	while (c->out_fd != -1 || c->err_fd != -1) {
		struct pollfd pfd[2] = {{c->out_fd, POLLIN, 0}, {c->err_fd, POLLIN, 0}};
		double left = deadline - loop_now();
		int rc;

		if (left <= 0)
			return -1;
		rc = poll(pfd, 2, (int)(left * 1000) + 1);
		if (rc == -1 && errno != EINTR)
			return -1;
		for (int i = 0; rc > 0 && i < 2; i++) {
			int *fd = i == 0 ? &c->out_fd : &c->err_fd;
			ssize_t n;

			if (*fd == -1 || pfd[i].revents == 0)
				continue;
			n = read(*fd, chunk, sizeof chunk);
			if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN)) {
				close(*fd);
				*fd = -1;
			}
		}
	}
	return 0;
}

/* One run of the command: 0 and *st, or -1 and *cause. */
static int
mbench_startup_once(
    const struct spawn_opts *o, const char *cmd, struct child_status *st, char **cause)
{
	struct child c;
	char *what;
	int late;

	if (spawn_start(o, &c, cause) != 0)
		return -1;
	late = mbench_drain(&c, c.start + MBENCH_STARTUP_TIMEOUT) != 0;
	if (late)
		spawn_kill_group(&c, SIGKILL);
	spawn_close(&c);
	if (spawn_reap(&c, 1, st, cause) != 1)
		return -1;
	if (late) {
		*cause = xasprintf("%s did not end within %.0f s", cmd, MBENCH_STARTUP_TIMEOUT);
		return -1;
	}
	if (!st->exited || st->code != 0) {
		what = spawn_describe(st);
		*cause = xasprintf("%s %s", cmd, what);
		free(what);
		return -1;
	}
	return 0;
}

json_t *
mbench_startup(const char *python, const char *code, int runs)
{
	char *argv[] = {(char *)python, "-c", (char *)code, NULL};
	struct spawn_opts o = {.argv = argv, .capture_output = 1, .pdeathsig = 1};
	struct child_status st, best;
	char *cmd, *cause = NULL;

	memset(&best, 0, sizeof best);
	if (runs < 1)
		runs = 1;
	cmd = mbench_command(python, code);
	for (int i = 0; i < runs; i++) {
		if (mbench_startup_once(&o, cmd, &st, &cause) != 0) {
			free(cmd);
			return mbench_error(cause);
		}
		if (i == 0 || st.real < best.real)
			best = st;
	}
	free(cmd);
	return json_pack("{s:s, s:i, s:f, s:f, s:f}", "code", code, "runs", runs, "real_s",
	    best.real, "user_s",
	    (double)best.ru.ru_utime.tv_sec + (double)best.ru.ru_utime.tv_usec / 1e6, "sys_s",
	    (double)best.ru.ru_stime.tv_sec + (double)best.ru.ru_stime.tv_usec / 1e6);
}

json_t *
mbench_memory(int64_t bytes)
{
	double start, t0, t, best = 0;
	unsigned char *src, *dst;
	size_t n, inner;

	if (bytes <= 0 || (uint64_t)bytes > SIZE_MAX / 2)
		return mbench_error(xasprintf("bad buffer size %lld", (long long)bytes));
	n = (size_t)bytes;
	src = malloc(n);
	dst = malloc(n);
	if (src == NULL || dst == NULL) {
		free(src);
		free(dst);
		return mbench_error(
		    xasprintf("cannot allocate two buffers of %lld bytes", (long long)bytes));
	}
	/* Touch every page first (non-zero: malloc+memset(0) may become calloc, which skips it). */
	memset(src, 0x5a, n);
	memset(dst, 0xa5, n);
	inner = n >= MBENCH_MEMORY_SAMPLE_BYTES ? 1 : MBENCH_MEMORY_SAMPLE_BYTES / n;
	start = loop_now();
	for (int i = 0; i < MBENCH_MEMORY_SAMPLES; i++) {
		t0 = loop_now();
		for (size_t k = 0; k < inner; k++)
			mbench_memcpy(dst, src, n);
		t = (loop_now() - t0) / (double)inner;
		if (i == 0 || t < best)
			best = t;
		if (loop_now() - start >= MBENCH_MEMORY_BUDGET)
			break;
	}
	mbench_sink = dst[0] ^ dst[n / 2] ^ dst[n - 1];
	free(src);
	free(dst);
	if (best <= 0)
		best = 1e-9;
	return json_pack("{s:I, s:f}", "bytes", (json_int_t)bytes, "copy_bytes_per_s",
	    2.0 * (double)bytes / best);
}

/* A name for the file system that holds fd, as df -T would print it (caller frees). */
static char *
mbench_fstype(int fd, int *memory)
{
#ifdef __linux__
	static const struct {
		unsigned long magic;
		const char *name;
		int memory;
	} types[] = {
	    {0xef53, "ext2/3/4", 0},
	    {0x58465342, "xfs", 0},
	    {0x9123683e, "btrfs", 0},
	    {0x01021994, "tmpfs", 1},
	    {0x858458f6, "ramfs", 1},
	    {0x794c7630, "overlay", 0},
	    {0x2fc12fc1, "zfs", 0},
	    {0xca451a4e, "bcachefs", 0},
	    {0xf2f52010, "f2fs", 0},
	    {0x6969, "nfs", 0},
	    {0xff534d42, "cifs", 0},
	    {0xfe534d42, "smb2", 0},
	    {0x00c36400, "ceph", 0},
	    {0x01021997, "9p", 0},
	    {0x65735546, "fuse", 0},
	    {0x4d44, "vfat", 0},
	    {0x2011bab0, "exfat", 0},
	    {0x5346544e, "ntfs", 0},
	    {0x3153464a, "jfs", 0},
	    {0x52654973, "reiserfs", 0},
	    {0x3434, "nilfs2", 0},
	    {0x15013346, "udf", 0},
	    {0x73717368, "squashfs", 0},
	    {0x9660, "iso9660", 0},
	    {0xf15f, "ecryptfs", 0},
	};
	struct statfs sfs;
	unsigned long magic;

	*memory = 0;
	if (fstatfs(fd, &sfs) == -1)
		return xstrdup("unknown");
	magic = (unsigned long)sfs.f_type & 0xffffffffUL;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (types[i].magic == magic) {
			*memory = types[i].memory;
			return xstrdup(types[i].name);
		}
	}
	return xasprintf("0x%lx", magic);
#else
	(void)fd;
	*memory = 0;
	return xstrdup("unknown");
#endif
}

/*
 * Whether more than an eighth of the file's pages are still cached after the
 * drop (tmpfs and ramfs keep them: they are the storage).
 */
static int
mbench_cached(int fd, size_t len)
{
	long pagesize = sysconf(_SC_PAGESIZE);
	size_t npages, resident = 0;
	unsigned char *vec;
	void *map;
	int rc;

	if (pagesize <= 0 || len == 0)
		return 0;
	if ((map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)
		return 0;
	npages = (len + (size_t)pagesize - 1) / (size_t)pagesize;
	vec = xmalloc(npages);
	rc = mincore(map, len, (void *)vec);
	munmap(map, len);
	if (rc == -1) {
		free(vec);
		return 0;
	}
	for (size_t i = 0; i < npages; i++)
		resident += vec[i] & 1;
	free(vec);
	return resident > npages / 8;
}

/* Fills a block with pseudo-random bytes (xorshift64), the block index atop each 4 KiB. */
static void
mbench_fill(unsigned char *block, size_t len, uint64_t index, uint64_t *seed)
{
	uint64_t x = *seed;

	for (size_t i = 0; i + 8 <= len; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(block + i, &x, 8);
	}
	for (size_t i = 0; i + 8 <= len; i += 4096)
		memcpy(block + i, &index, 8);
	*seed = x;
}

struct mbench_disk_result {
	double write_s;
	double read_s;
	int cached;
	char *fstype;
};

/* The measurement proper, on the open file in tmp; 0, or -1 and *cause naming dir. */
static int
mbench_disk_measure(
    int fd, const char *dir, uint64_t bytes, struct mbench_disk_result *r, char **cause)
{
	unsigned char *block = xmalloc(MBENCH_DISK_BLOCK);
	uint64_t seed = 0x9e3779b97f4a7c15ULL, done, index = 0;
	double t0;
	ssize_t n;
	int memory;

	r->fstype = mbench_fstype(fd, &memory);
	mbench_fill(block, MBENCH_DISK_BLOCK, index, &seed);
	t0 = loop_now();
	for (done = 0; done < bytes; done += (uint64_t)n) {
		size_t off = (size_t)(done % MBENCH_DISK_BLOCK), len = MBENCH_DISK_BLOCK - off;

		if (off == 0 && done != 0)
			mbench_fill(block, MBENCH_DISK_BLOCK, ++index, &seed);
		if (len > bytes - done)
			len = (size_t)(bytes - done);
		n = write(fd, block + off, len);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			*cause = xasprintf("cannot write in %s: %s", dir,
			    n == 0 ? "no progress" : strerror(errno));
			goto fail;
		}
	}
	if (fdatasync(fd) == -1) {
		*cause = xasprintf("cannot write in %s: %s", dir, strerror(errno));
		goto fail;
	}
	r->write_s = loop_now() - t0;

	r->cached = memory;
#ifdef POSIX_FADV_DONTNEED
	if (!r->cached && posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
		r->cached = 1;
#else
	r->cached = 1;
#endif
	if (!r->cached && bytes <= SIZE_MAX)
		r->cached = mbench_cached(fd, (size_t)bytes);

	t0 = loop_now();
	for (done = 0; done < bytes; done += (uint64_t)n) {
		size_t len = MBENCH_DISK_BLOCK;

		if (len > bytes - done)
			len = (size_t)(bytes - done);
		n = pread(fd, block, len, (off_t)done);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			*cause = n == 0
			    ? xasprintf("the file written in %s came back short (%llu of "
			                "%llu bytes)",
			          dir, (unsigned long long)done, (unsigned long long)bytes)
			    : xasprintf("cannot read back the file written in %s: %s", dir,
			          strerror(errno));
			goto fail;
		}
	}
	r->read_s = loop_now() - t0;
	mbench_sink = block[0];
	free(block);
	return 0;

fail:
	free(block);
	return -1;
}

json_t *
mbench_disk(const char *dir, int64_t bytes)
{
	struct mbench_disk_result r = {0, 0, 0, NULL};
	char *tmp, *path, *cause = NULL;
	json_t *o;
	int fd;

	if (bytes <= 0)
		return mbench_error(xasprintf("bad file size %lld", (long long)bytes));
	tmp = xasprintf("%s/proflab-disk-XXXXXX", dir);
	if (mkdtemp(tmp) == NULL) {
		free(tmp);
		return mbench_error(
		    xasprintf("cannot create a temporary folder in %s: %s", dir, strerror(errno)));
	}
	path = xasprintf("%s/data", tmp);
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1)
		cause = xasprintf("cannot create a file in %s: %s", dir, strerror(errno));
	else {
		mbench_disk_measure(fd, dir, (uint64_t)bytes, &r, &cause);
		close(fd);
	}
	if (unlink(path) == -1 && errno != ENOENT && cause == NULL)
		cause = xasprintf("cannot remove %s: %s", path, strerror(errno));
	if (rmdir(tmp) == -1 && cause == NULL)
		cause = xasprintf("cannot remove %s: %s", tmp, strerror(errno));
	free(path);
	free(tmp);
	if (cause != NULL) {
		free(r.fstype);
		return mbench_error(cause);
	}
	if (r.write_s <= 0)
		r.write_s = 1e-9;
	if (r.read_s <= 0)
		r.read_s = 1e-9;
	o = json_pack("{s:s, s:s, s:I, s:f, s:f, s:b}", "dir", dir, "fstype", r.fstype, "bytes",
	    (json_int_t)bytes, "write_bytes_per_s", (double)bytes / r.write_s, "read_bytes_per_s",
	    (double)bytes / r.read_s, "read_from_cache", r.cached);
	free(r.fstype);
	return o;
}
