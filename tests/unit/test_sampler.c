/*
 * Unit tests for the sampler (core/sampler*.c) against the fixture /proc
 * tree in tests/fixtures/proc (see its README), copies of it changed between
 * readings, and the real /proc. Each test owns its temporary tree and
 * removes it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmptree.h"

#include "near.h"

#include "core/sampler.h"

#ifdef __linux__
#include <sys/prctl.h>

#define MB (1.0 / 256) /* one 4096-byte page in MB */

static char fixture[4096];

static void
copy_tree(const char *from, const char *to)
{
	char src[4096], dst[4096], data[8192];
	struct dirent *de;
	struct stat sb;
	ssize_t n;
	DIR *d;
	int in, out;

	assert_int_equal(mkdir(to, 0755) == 0 || errno == EEXIST, 1);
	assert_non_null(d = opendir(from));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(src, sizeof src, "%s/%s", from, de->d_name);
		snprintf(dst, sizeof dst, "%s/%s", to, de->d_name);
		assert_int_equal(lstat(src, &sb), 0);
		if (S_ISDIR(sb.st_mode)) {
			copy_tree(src, dst);
			continue;
		}
		assert_true((in = open(src, O_RDONLY)) >= 0);
		assert_true((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0);
		while ((n = read(in, data, sizeof data)) > 0)
			assert_int_equal(write(out, data, (size_t)n), n);
		assert_int_equal(n, 0);
		close(in);
		close(out);
	}
	closedir(d);
}

/* Rewrites a file in place (same inode, so kept-open descriptors see it). */
static void
put_file(const char *root, const char *name, const char *fmt, ...)
{
	char path[8192];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, name);
	assert_non_null(f = fopen(path, "w"));
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
}

static void
put_stat_mem(const char *root, int pid, const char *comm, char state, int ppid, int utime,
    int stime, int starttime, unsigned long long vsize_bytes, long long rss_pages)
{
	char name[64];

	snprintf(name, sizeof name, "%d/stat", pid);
	put_file(root, name,
	    "%d (%s) %c %d %d %d 0 -1 4194304 1200 0 3 0 %d %d 0 0 20 0 1 0 %d %llu %lld "
	    "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
	    pid, comm, state, ppid, pid, pid, utime, stime, starttime, vsize_bytes, rss_pages);
}

/* A stat line with 10 MiB of address space and 256 resident pages. */
static void
put_stat(const char *root, int pid, const char *comm, char state, int ppid, int utime, int stime,
    int starttime)
{
	put_stat_mem(root, pid, comm, state, ppid, utime, stime, starttime, 10485760ULL, 256);
}

static int
setup_tree(void **state)
{
	char *dir = strdup("/tmp/proflab-test-sampler.XXXXXX");
	char tree[4200];

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	snprintf(tree, sizeof tree, "%s/proc", dir);
	copy_tree(fixture, tree);
	*state = dir;
	return 0;
}

static int
teardown_tree(void **state)
{
	remove_tree(*state);
	free(*state);
	return 0;
}

static const char *
tree_root(void **state)
{
	static char root[4200];

	snprintf(root, sizeof root, "%s/proc", (char *)*state);
	return root;
}

static struct sampler *
open_ok(const char *root, int pid, int children)
{
	struct sampler *s;
	char *cause = NULL;

	s = sampler_open(root, pid, children, &cause);
	if (s == NULL)
		fail_msg("sampler_open %s %d: %s", root, pid, cause);
	assert_null(cause);
	sampler_set_units(s, 100, 4096);
	return s;
}

static void
read_ok(struct sampler *s, double t, struct sample *out)
{
	char *cause = NULL;
	int rc;

	rc = sampler_read(s, t, out, &cause);
	if (rc != 1)
		fail_msg("sampler_read returned %d: %s", rc, cause != NULL ? cause : "(no cause)");
	assert_near(out->t, t, 0);
}

static void
test_cpu_percent(void **state)
{
	assert_near(sampler_cpu_percent(0, 100, 100, 1.0), 100, 1e-9);
	assert_near(sampler_cpu_percent(100, 500, 100, 1.0), 400, 1e-9);
	assert_near(sampler_cpu_percent(0, 50, 100, 0.5), 100, 1e-9);
	assert_near(sampler_cpu_percent(10, 11, 100, 0.01), 100, 1e-9);
	assert_near(sampler_cpu_percent(0, 100, 100, 0), 0, 0);
	assert_near(sampler_cpu_percent(0, 100, 100, -1), 0, 0);
	assert_near(sampler_cpu_percent(200, 100, 100, 1), 0, 0);
	assert_near(sampler_cpu_percent(0, 100, 0, 1), 0, 0);
}

static void
test_fixture_single(void **state)
{
	struct sampler *s = open_ok(fixture, 1000, 0);
	struct sample out;

	read_ok(s, 0, &out);
	assert_near(out.cpu, 0, 0);
	assert_near(out.rss_mb, 2560 * MB, 1e-9);
	assert_near(out.vms_mb, 25600 * MB, 1e-9);
	/* Nothing changed: 0 % */
	read_ok(s, 1, &out);
	assert_near(out.cpu, 0, 0);
	/* Page size counts. */
	sampler_set_units(s, 100, 65536);
	read_ok(s, 2, &out);
	assert_near(out.rss_mb, 160, 1e-9);
	sampler_free(s);
}

static void
test_fixture_cpu_between_readings(void **state)
{
	const char *root = tree_root(state);
	struct sampler *s = open_ok(root, 1000, 0);
	struct sample out;

	read_ok(s, 0, &out);
	assert_near(out.cpu, 0, 0);
	/* +100 ticks in 0.5 s at 100 Hz: two cores. */
	put_stat(root, 1000, "my (weird) prog", 'R', 1, 230, 70, 1000);
	read_ok(s, 0.5, &out);
	assert_near(out.cpu, 200, 1e-9);
	/* +10 ticks in 1 s */
	put_stat(root, 1000, "my (weird) prog", 'S', 1, 235, 75, 1000);
	read_ok(s, 1.5, &out);
	assert_near(out.cpu, 10, 1e-9);
	/* Same time again: no division by zero. */
	put_stat(root, 1000, "my (weird) prog", 'S', 1, 236, 75, 1000);
	read_ok(s, 1.5, &out);
	assert_near(out.cpu, 0, 0);
	/* Memory follows stat's vsize and rss (statm's size and resident). */
	put_stat_mem(root, 1000, "my (weird) prog", 'S', 1, 236, 75, 1000, 51200ULL * 4096, 5120);
	read_ok(s, 2.5, &out);
	assert_near(out.rss_mb, 20, 1e-9);
	assert_near(out.vms_mb, 200, 1e-9);
	sampler_free(s);
}

static void
check_children_totals(const char *root)
{
	struct sampler *s = open_ok(root, 1000, 1);
	struct sample out;

	/* 1000 + 1001 + 1003 + 1004, the zombie 1002 adds no memory */
	read_ok(s, 0, &out);
	assert_near(out.cpu, 0, 0);
	assert_near(out.rss_mb, 4608 * MB, 1e-9);
	assert_near(out.vms_mb, 43520 * MB, 1e-9);
	sampler_free(s);

	/* 1001's subtree alone; 2000 never counts. */
	s = open_ok(root, 1001, 1);
	read_ok(s, 0, &out);
	assert_near(out.rss_mb, (1280 + 256) * MB, 1e-9);
	sampler_free(s);
	s = open_ok(root, 1000, 0);
	read_ok(s, 0, &out);
	assert_near(out.rss_mb, 2560 * MB, 1e-9);
	sampler_free(s);
}

static void
test_fixture_children(void **state)
{
	check_children_totals(fixture);
}

/* Without task/TID/children files the sampler scans proc_root for ppids. */
static void
test_fixture_children_scan(void **state)
{
	const char *root = tree_root(state);
	static const int pids[] = {1000, 1001, 1002, 1003, 1004, 2000, 3000};
	char path[4400];

	for (size_t i = 0; i < sizeof pids / sizeof pids[0]; i++) {
		snprintf(path, sizeof path, "%s/%d/task", root, pids[i]);
		remove_tree(path);
	}
	check_children_totals(root);
}

static void
test_fixture_children_change(void **state)
{
	const char *root = tree_root(state);
	struct sampler *s = open_ok(root, 1000, 1);
	struct sample out;
	char path[4400];

	read_ok(s, 0, &out);
	assert_near(out.cpu, 0, 0);

	/* 1000 +50 ticks, 1001 +25, 1003 gone, new 1005 (child of 1001) with 20. */
	put_stat_mem(root, 1000, "my (weird) prog", 'S', 1, 200, 50, 1000, 25600ULL * 4096, 2560);
	put_stat_mem(root, 1001, "worker 1", 'S', 1000, 125, 0, 1100, 12800ULL * 4096, 1280);
	snprintf(path, sizeof path, "%s/1003", root);
	remove_tree(path);
	snprintf(path, sizeof path, "%s/1005", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/1005/task", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/1005/task/1005", root);
	assert_int_equal(mkdir(path, 0755), 0);
	put_file(root, "1005/task/1005/children", "");
	put_stat_mem(root, 1005, "new one", 'R', 1001, 15, 5, 1700, 1000ULL * 4096, 100);
	put_file(root, "1001/task/1001/children", "1005 ");

	read_ok(s, 1, &out);
	assert_near(out.cpu, 95, 1e-9);
	assert_near(out.rss_mb, (2560 + 1280 + 512 + 100) * MB, 1e-9);
	assert_near(out.vms_mb, (25600 + 12800 + 2560 + 1000) * MB, 1e-9);

	/* 1005 exits and its pid comes back as another process: counted from 0. */
	put_stat(root, 1005, "reused", 'R', 1001, 3, 0, 1800);
	read_ok(s, 2, &out);
	assert_near(out.cpu, 3, 1e-9);

	/* All children gone. */
	put_file(root, "1000/task/1000/children", "");
	put_file(root, "1000/task/1008/children", "");
	read_ok(s, 3, &out);
	assert_near(out.cpu, 0, 0);
	assert_near(out.rss_mb, 2560 * MB, 1e-9);
	sampler_free(s);
}

static void
test_fixture_end(void **state)
{
	const char *root = tree_root(state);
	struct sampler *s;
	struct sample out;
	char *cause = NULL;

	/* Already a zombie. */
	s = open_ok(root, 3000, 0);
	assert_int_equal(sampler_read(s, 0, &out, &cause), 0);
	assert_null(cause);
	sampler_free(s);

	/* Turns into a zombie, or vanishes (empty read). */
	s = open_ok(root, 1000, 1);
	read_ok(s, 0, &out);
	put_stat(root, 1000, "my (weird) prog", 'Z', 1, 200, 50, 1000);
	assert_int_equal(sampler_read(s, 1, &out, &cause), 0);
	put_stat(root, 1000, "my (weird) prog", 'X', 1, 200, 50, 1000);
	assert_int_equal(sampler_read(s, 1, &out, &cause), 0);
	put_file(root, "1000/stat", "%s", "");
	assert_int_equal(sampler_read(s, 2, &out, &cause), 0);
	assert_null(cause);
	sampler_free(s);
}

static void
test_fixture_errors(void **state)
{
	const char *root = tree_root(state);
	struct sampler *s;
	struct sample out;
	char *cause = NULL;

	assert_null(sampler_open(root, 4242, 0, &cause));
	assert_string_equal(cause, "no process with PID 4242");
	free(cause);
	cause = NULL;
	assert_null(sampler_open(root, 0, 0, &cause));
	assert_string_equal(cause, "no process with PID 0");
	free(cause);
	cause = NULL;
	assert_null(sampler_open(root, -3, 1, &cause));
	assert_non_null(strstr(cause, "-3"));
	free(cause);
	cause = NULL;
	assert_null(sampler_open("/nonexistent/proc", 1000, 0, &cause));
	assert_string_equal(cause, "no process with PID 1000");
	free(cause);
	cause = NULL;

	s = open_ok(root, 1000, 0);
	read_ok(s, 0, &out);
	put_file(root, "1000/stat", "garbage\n");
	assert_int_equal(sampler_read(s, 1, &out, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "cannot read process 1000: malformed stat"));
	free(cause);
	cause = NULL;
	sampler_free(s);

	/* A malformed file at open. */
	cause = NULL;
	assert_null(sampler_open(root, 1000, 0, &cause));
	assert_non_null(strstr(cause, "1000"));
	free(cause);
	sampler_free(NULL);
}

static void
test_real_self(void **state)
{
	struct sampler *s;
	struct sample out;
	char *cause = NULL;
	volatile double x = 0;

	s = sampler_open("/proc", (int)getpid(), 0, &cause);
	assert_non_null(s);
	assert_int_equal(sampler_read(s, 0, &out, &cause), 1);
	assert_near(out.cpu, 0, 0);
	assert_true(out.rss_mb > 0);
	assert_true(out.vms_mb >= out.rss_mb);
	for (long i = 0; i < 20000000; i++)
		x += (double)i;
	assert_int_equal(sampler_read(s, 0.2, &out, &cause), 1);
	assert_true(out.cpu >= 0);
	assert_true(out.rss_mb > 0);
	sampler_free(s);

	/* With children (this kernel may lack the children files: then a scan). */
	s = sampler_open("/proc", (int)getpid(), 1, &cause);
	assert_non_null(s);
	assert_int_equal(sampler_read(s, 0, &out, &cause), 1);
	assert_true(out.rss_mb > 0);
	sampler_free(s);
}

static void
test_real_impossible_pid(void **state)
{
	char *cause = NULL, want[64];
	long max = 1L << 22;
	FILE *f;
	int pid;

	if ((f = fopen("/proc/sys/kernel/pid_max", "r")) != NULL) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 1L << 22;
		fclose(f);
	}
	pid = (int)max + 1;
	assert_null(sampler_open("/proc", pid, 0, &cause));
	snprintf(want, sizeof want, "no process with PID %d", pid);
	assert_string_equal(cause, want);
	free(cause);
}

static pid_t child_pid = -1, grandchild_pid = -1;

/* Ends the processes test_real_child_ends started, even when it failed. */
static int
teardown_children(void **state)
{
	if (grandchild_pid > 0) {
		kill(grandchild_pid, SIGKILL);
		waitpid(grandchild_pid, NULL, 0); /* we are its subreaper */
	}
	if (child_pid > 0) {
		kill(child_pid, SIGKILL);
		waitpid(child_pid, NULL, 0);
	}
	child_pid = grandchild_pid = -1;
	return 0;
}

/* A real child: its children are summed; once killed a reading returns 0. */
static void
test_real_child_ends(void **state)
{
	struct sampler *s, *all;
	struct sample out, outall;
	char *cause = NULL;
	int status, p[2];
	pid_t pid, gpid = 0;
	ssize_t n;

	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (fork() == 0) { /* a grandchild with some memory */
			volatile char *m = malloc(8 << 20);
			pid_t me = getpid();

			for (size_t i = 0; m != NULL && i < (8 << 20); i += 1024)
				m[i] = 1;
			if (write(p[1], &me, sizeof me) != (ssize_t)sizeof me)
				_exit(1);
			close(p[1]);
			pause();
			_exit(0);
		}
		close(p[1]);
		pause();
		_exit(0);
	}
	child_pid = pid;
	close(p[1]);
	while ((n = read(p[0], &gpid, sizeof gpid)) == -1 && errno == EINTR)
		;
	close(p[0]);
	assert_int_equal(n, sizeof gpid);
	grandchild_pid = gpid;

	s = sampler_open("/proc", pid, 0, &cause);
	assert_non_null(s);
	all = sampler_open("/proc", pid, 1, &cause);
	assert_non_null(all);
	assert_int_equal(sampler_read(s, 0, &out, &cause), 1);
	assert_int_equal(sampler_read(all, 0, &outall, &cause), 1);
	if (!(outall.rss_mb >= out.rss_mb + 7.5))
		fail_msg("with children %.3f MB, alone %.3f MB", outall.rss_mb, out.rss_mb);

	kill(pid, SIGKILL);
	/* A zombie until reaped, then gone: both end the recording. */
	for (int i = 0; i < 200; i++) {
		if (sampler_read(s, 1, &out, &cause) == 0)
			break;
		usleep(5000);
	}
	assert_int_equal(sampler_read(s, 1, &out, &cause), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	child_pid = -1;
	assert_int_equal(sampler_read(s, 2, &out, &cause), 0);
	assert_int_equal(sampler_read(all, 2, &out, &cause), 0);
	assert_null(cause);
	sampler_free(s);
	sampler_free(all);
	teardown_children(NULL);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cpu_percent),
	    cmocka_unit_test(test_fixture_single),
	    cmocka_unit_test_setup_teardown(
	        test_fixture_cpu_between_readings, setup_tree, teardown_tree),
	    cmocka_unit_test(test_fixture_children),
	    cmocka_unit_test_setup_teardown(test_fixture_children_scan, setup_tree, teardown_tree),
	    cmocka_unit_test_setup_teardown(
	        test_fixture_children_change, setup_tree, teardown_tree),
	    cmocka_unit_test_setup_teardown(test_fixture_end, setup_tree, teardown_tree),
	    cmocka_unit_test_setup_teardown(test_fixture_errors, setup_tree, teardown_tree),
	    cmocka_unit_test(test_real_self),
	    cmocka_unit_test(test_real_impossible_pid),
	    cmocka_unit_test_teardown(test_real_child_ends, teardown_children),
	};

	snprintf(fixture, sizeof fixture, "%s/tests/fixtures/proc",
	    top != NULL && *top != '\0' ? top : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* !__linux__: sampler_none.c */

static void
test_not_supported(void **state)
{
	char *cause = NULL;

	assert_null(sampler_open("/proc", (int)getpid(), 0, &cause));
	assert_string_equal(cause, "sampling processes is not supported on this system");
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_supported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
