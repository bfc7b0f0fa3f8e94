/*
 * Unit tests for the recording model (core/recording.c), psrecord's log
 * (core/reclog.c) and the cairo plot (core/plot.c). Files go to a mkdtemp
 * directory per test, removed by its teardown.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "near.h"

#include "base/buf.h"
#include "core/plot.h"
#include "core/reclog.h"
#include "core/recording.h"

#define HEADER "# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)\n"

static int
setup_dir(void **state)
{
	char *dir = strdup("/tmp/proflab-test-reclog.XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

static int
teardown_dir(void **state)
{
	char path[8192];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(*state)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", (char *)*state, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(*state);
	free(*state);
	return 0;
}

static char *
in_dir(void **state, const char *name)
{
	static char path[8192];

	snprintf(path, sizeof path, "%s/%s", (char *)*state, name);
	return path;
}

static int
count_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static char *
slurp(const char *path, size_t *len)
{
	struct buf b;
	char data[4096];
	ssize_t n;
	int fd;

	buf_init(&b);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	while ((n = read(fd, data, sizeof data)) > 0)
		buf_add(&b, data, (size_t)n);
	assert_int_equal(n, 0);
	close(fd);
	*len = b.len;
	return buf_steal(&b);
}

static void
spew(const char *path, const char *text)
{
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
test_recording(void **state)
{
	struct recording r;
	struct sample s = {0, 0, 0, 0};
	char label[] = "phase one";

	recording_init(&r);
	assert_int_equal(recording_peak(&r), -1);
	for (int i = 0; i < 5000; i++) {
		s.t = i * 0.01;
		s.cpu = i % 400;
		s.rss_mb = i == 3210 ? 900 : (i == 4000 ? 900 : i % 100);
		s.vms_mb = 1000;
		recording_add_sample(&r, &s);
	}
	assert_int_equal(r.nsamples, 5000);
	assert_true(r.capsamples >= 5000);
	assert_near(r.samples[4999].t, 49.99, 1e-9);
	assert_int_equal(recording_peak(&r), 3210); /* the first of equal peaks */
	recording_add_mark(&r, 1.5, label);
	label[0] = 'X';
	for (int i = 0; i < 40; i++)
		recording_add_mark(&r, i, "m");
	recording_add_mark(&r, 2, NULL);
	assert_int_equal(r.nmarks, 42);
	assert_string_equal(r.marks[0].label, "phase one");
	assert_string_equal(r.marks[41].label, "");
	recording_free(&r);
	assert_int_equal(r.nsamples, 0);
	assert_null(r.samples);
	recording_free(&r);
}

static void
test_format(void **state)
{
	struct sample s1 = {1.5, 99.25, 12.3456, 100}, s2 = {1234.5678, 400, 0.0625, 123456.789};
	struct buf b;

	buf_init(&b);
	reclog_format_header(&b);
	/* Python: "# {0:12s} {1:12s} {2:12s} {3:12s}\n" with str.center(12) */
	assert_string_equal(b.data, HEADER);
	assert_string_equal(b.data,
	    "# Elapsed time "
	    "  CPU (%)    "
	    " Real (MB)   "
	    "Virtual (MB)\n");
	buf_reset(&b);
	reclog_format_sample(&b, &s1);
	assert_string_equal(b.data, "       1.500       99.250       12.346      100.000\n");
	buf_reset(&b);
	reclog_format_sample(&b, &s2);
	assert_string_equal(b.data, "    1234.568      400.000        0.062   123456.789\n");
	buf_free(&b);
}

static void
test_write_and_read(void **state)
{
	const char *path = in_dir(state, "log.txt");
	struct sample s[3] = {{0, 0, 10.5, 200}, {0.1, 98.7, 11.25, 201}, {0.2, 101.4, 1e4, 2e4}};
	struct recording r;
	struct reclog *l;
	char *cause = NULL, *text;
	size_t len;

	spew(path, "old content that must go away, long enough to notice\n\n\n\n\n\n\n\n");
	assert_non_null(l = reclog_open(path, &cause));
	/* The header is on disk before the first sample. */
	text = slurp(path, &len);
	assert_string_equal(text, HEADER);
	free(text);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(reclog_write(l, &s[i], &cause), 0);
		/* Each line is on disk at once. */
		text = slurp(path, &len);
		assert_int_equal(len, strlen(HEADER) + 52 * (size_t)(i + 1));
		free(text);
	}
	assert_int_equal(reclog_close(l, &cause), 0);
	assert_null(cause);

	text = slurp(path, &len);
	assert_string_equal(text,
	    HEADER "       0.000        0.000       10.500      200.000\n"
	           "       0.100       98.700       11.250      201.000\n"
	           "       0.200      101.400    10000.000    20000.000\n");
	free(text);

	recording_init(&r);
	assert_int_equal(reclog_read(path, &r, &cause), 0);
	assert_int_equal(r.nsamples, 3);
	for (int i = 0; i < 3; i++) {
		assert_near(r.samples[i].t, s[i].t, 5e-4);
		assert_near(r.samples[i].cpu, s[i].cpu, 5e-4);
		assert_near(r.samples[i].rss_mb, s[i].rss_mb, 5e-4);
		assert_near(r.samples[i].vms_mb, s[i].vms_mb, 5e-4);
	}
	assert_int_equal(recording_peak(&r), 2);
	recording_free(&r);
}

/* As psrecord itself writes it (and hand-edited variants pandas also reads). */
static void
test_read_psrecord(void **state)
{
	const char *path = in_dir(state, "psrecord.log");
	struct recording r;
	char *cause = NULL;

	spew(path,
	    "# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)\n"
	    "       0.000        0.000       14.105       24.016\n"
	    "       0.101      100.500       52.266       62.125\n"
	    "\n"
	    "\t0.202\t99.0\t60\t70.5\r\n"
	    "       0.303        1e2      6.1E1      7.0e+01");
	recording_init(&r);
	assert_int_equal(reclog_read(path, &r, &cause), 0);
	assert_int_equal(r.nsamples, 4);
	assert_near(r.samples[1].cpu, 100.5, 1e-9);
	assert_near(r.samples[2].vms_mb, 70.5, 1e-9);
	assert_near(r.samples[3].rss_mb, 61, 1e-9);
	assert_int_equal(recording_peak(&r), 3);
	recording_free(&r);

	/* Empty, and header only. */
	spew(path, "");
	recording_init(&r);
	assert_int_equal(reclog_read(path, &r, &cause), 0);
	assert_int_equal(r.nsamples, 0);
	spew(path, HEADER);
	assert_int_equal(reclog_read(path, &r, &cause), 0);
	assert_int_equal(r.nsamples, 0);
	recording_free(&r);
}

static void
expect_read_error(void **state, const char *text, const char *want)
{
	char *path = in_dir(state, "bad.log"), *cause = NULL;
	struct recording r;

	spew(path, text);
	recording_init(&r);
	assert_int_equal(reclog_read(path, &r, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL || strstr(cause, path) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
	recording_free(&r);
}

static void
test_read_errors(void **state)
{
	char *cause = NULL;
	struct recording r;

	expect_read_error(state, HEADER "1 2 3 4\n1 2 3\n", "bad.log:3: expected four numbers");
	expect_read_error(state, HEADER "1 2 3 4 5\n", "bad.log:2:");
	expect_read_error(state, "1 2 x 4\n", "bad.log:1:");
	expect_read_error(state, "1 2 3 4x\n", "bad.log:1:");
	expect_read_error(state, "1,2,3,4\n", "bad.log:1:");
	expect_read_error(state, "1 2 3 1e999\n", "bad.log:1:");
	expect_read_error(state, "<html>\n", "bad.log:1:");

	recording_init(&r);
	assert_int_equal(reclog_read("/nonexistent/dir/x.log", &r, &cause), -1);
	assert_string_equal(
	    cause, "cannot read log /nonexistent/dir/x.log: No such file or directory");
	free(cause);
	recording_free(&r);
}

static void
test_open_errors(void **state)
{
	char *cause = NULL, *path;

	assert_null(reclog_open("/nonexistent/dir/x.log", &cause));
	assert_string_equal(
	    cause, "cannot write log /nonexistent/dir/x.log: No such file or directory");
	free(cause);
	cause = NULL;
	path = in_dir(state, "");
	assert_null(reclog_open(path, &cause));
	assert_non_null(strstr(cause, path));
	assert_non_null(strstr(cause, "Is a directory"));
	free(cause);
	/* A full device: the error names the file. */
	if (access("/dev/full", W_OK) != 0)
		return;
	cause = NULL;
	struct reclog *l = reclog_open("/dev/full", &cause);
	if (l != NULL)
		fail_msg("writing /dev/full succeeded");
	assert_string_equal(cause, "cannot write log /dev/full: No space left on device");
	free(cause);
}

static void
make_recording(struct recording *r, size_t n)
{
	struct sample s;

	recording_init(r);
	for (size_t i = 0; i < n; i++) {
		s.t = (double)i * 0.05;
		s.cpu = (double)(i % 40) * 10;
		s.rss_mb = 100 + (double)(i % 97);
		s.vms_mb = 500;
		recording_add_sample(r, &s);
	}
	recording_add_mark(r, 0, "starting computation");
	recording_add_mark(r, 0.352, "starting network download");
	recording_add_mark(r, 2.753, "starting more computation");
}

static void
check_png(const char *path)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	char *data;
	size_t len;

	data = slurp(path, &len);
	assert_true(len > 1000);
	assert_memory_equal(data, sig, 8);
	free(data);
}

static void
check_svg(const char *path)
{
	char *data;
	size_t len;

	data = slurp(path, &len);
	assert_true(len > 1000);
	assert_memory_equal(data, "<?xml", 5);
	assert_non_null(strstr(data, "<svg"));
	free(data);
}

static void
test_plot_files(void **state)
{
	struct recording r;
	char *cause = NULL;
	struct stat sb;

	make_recording(&r, 200);
	assert_int_equal(plot_write(in_dir(state, "a.png"), &r, "compute_and_io.py", &cause), 0);
	check_png(in_dir(state, "a.png"));
	assert_int_equal(stat(in_dir(state, "a.png"), &sb), 0);
	assert_true((sb.st_mode & 0444) != 0);
	assert_int_equal(plot_write(in_dir(state, "a.svg"), &r, NULL, &cause), 0);
	check_svg(in_dir(state, "a.svg"));
	assert_int_equal(plot_write(in_dir(state, "B.PNG"), &r, "", &cause), 0);
	check_png(in_dir(state, "B.PNG"));
	assert_int_equal(plot_write(in_dir(state, "c.Svg"), &r, "t", &cause), 0);
	check_svg(in_dir(state, "c.Svg"));
	/* Overwrites; no temporary file stays. */
	assert_int_equal(plot_write(in_dir(state, "a.png"), &r, "again", &cause), 0);
	assert_null(cause);
	assert_int_equal(count_entries(*state), 4);
	recording_free(&r);
}

static void
test_plot_small_and_large(void **state)
{
	struct recording r;
	char *cause = NULL;
	struct sample s = {0, 0, 0, 0};

	recording_init(&r);
	assert_int_equal(plot_write(in_dir(state, "empty.png"), &r, "empty", &cause), 0);
	check_png(in_dir(state, "empty.png"));
	assert_int_equal(plot_write(in_dir(state, "empty.svg"), &r, "empty", &cause), 0);
	check_svg(in_dir(state, "empty.svg"));
	recording_add_sample(&r, &s);
	assert_int_equal(plot_write(in_dir(state, "one.png"), &r, NULL, &cause), 0);
	s.t = 0.01;
	s.cpu = 1e6;
	s.rss_mb = 0.001;
	recording_add_sample(&r, &s);
	recording_add_mark(&r, -1, "before the start");
	recording_add_mark(&r, 1e9, "far after");
	assert_int_equal(plot_write(in_dir(state, "two.svg"), &r, NULL, &cause), 0);
	recording_free(&r);

	/* An hour at 100 Hz: thinned for drawing. */
	make_recording(&r, 360000);
	assert_int_equal(plot_write(in_dir(state, "hour.png"), &r, "an hour", &cause), 0);
	check_png(in_dir(state, "hour.png"));
	assert_int_equal(plot_write(in_dir(state, "hour.svg"), &r, "an hour", &cause), 0);
	check_svg(in_dir(state, "hour.svg"));
	assert_null(cause);
	recording_free(&r);
}

static void
test_plot_errors(void **state)
{
	struct recording r;
	char *cause = NULL, want[9000], path[8192];

	make_recording(&r, 10);
	snprintf(path, sizeof path, "%s", in_dir(state, "plot.jpg"));
	assert_int_equal(plot_write(path, &r, NULL, &cause), -1);
	snprintf(want, sizeof want,
	    "cannot write plot %s: unknown extension \".jpg\" (use .png or .svg)", path);
	assert_string_equal(cause, want);
	free(cause);
	cause = NULL;
	assert_int_equal(plot_write(in_dir(state, "plot"), &r, NULL, &cause), -1);
	assert_non_null(strstr(cause, "no file extension"));
	free(cause);
	cause = NULL;
	assert_int_equal(plot_write(in_dir(state, ".png"), &r, NULL, &cause), -1);
	assert_non_null(strstr(cause, "no file extension"));
	free(cause);
	cause = NULL;
	assert_int_equal(plot_write(in_dir(state, "x.png.gz"), &r, NULL, &cause), -1);
	assert_non_null(strstr(cause, "\".gz\""));
	free(cause);

	/* A directory that cannot be written (a regular file on the way). */
	spew(in_dir(state, "file"), "x");
	snprintf(path, sizeof path, "%s", in_dir(state, "file/plot.png"));
	cause = NULL;
	assert_int_equal(plot_write(path, &r, NULL, &cause), -1);
	snprintf(want, sizeof want, "cannot write plot %s: Not a directory", path);
	assert_string_equal(cause, want);
	free(cause);
	cause = NULL;
	assert_int_equal(plot_write("/nonexistent/dir/p.svg", &r, NULL, &cause), -1);
	assert_string_equal(
	    cause, "cannot write plot /nonexistent/dir/p.svg: No such file or directory");
	free(cause);
	/* The target is a directory: rename fails, the temporary file is gone. */
	assert_int_equal(mkdir(in_dir(state, "d.png"), 0755), 0);
	snprintf(path, sizeof path, "%s", in_dir(state, "d.png"));
	cause = NULL;
	assert_int_equal(plot_write(path, &r, NULL, &cause), -1);
	assert_non_null(strstr(cause, path));
	free(cause);
	assert_int_equal(count_entries(*state), 2);
	rmdir(path);
	recording_free(&r);
}

static void
test_nice_ceil(void **state)
{
	assert_near(plot_nice_ceil(0.3), 0.5, 1e-12);
	assert_near(plot_nice_ceil(1), 1, 1e-12);
	assert_near(plot_nice_ceil(1.1), 2, 1e-12);
	assert_near(plot_nice_ceil(2), 2, 1e-12);
	assert_near(plot_nice_ceil(3), 5, 1e-12);
	assert_near(plot_nice_ceil(7), 10, 1e-12);
	assert_near(plot_nice_ceil(20), 20, 1e-12);
	assert_near(plot_nice_ceil(45), 50, 1e-12);
	assert_near(plot_nice_ceil(0.012), 0.02, 1e-12);
	assert_near(plot_nice_ceil(0), 1, 0);
	assert_near(plot_nice_ceil(-5), 1, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recording),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test_setup_teardown(test_write_and_read, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_read_psrecord, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_read_errors, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_open_errors, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_plot_files, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_plot_small_and_large, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_plot_errors, setup_dir, teardown_dir),
	    cmocka_unit_test(test_nice_ceil),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
