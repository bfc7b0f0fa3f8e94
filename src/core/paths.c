/*
 * Finding the worker and the data (see paths.h). The decision "build tree or
 * installed" is made once, by comparing the directory of /proc/self/exe with
 * the build directory configure recorded.
 */
#include "config.h"

#include "core/paths.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xmalloc.h"

static char *paths_worker_path;
static char *paths_data_path;

static int
paths_in_build_tree(void)
{
	static int known = -1;
	char exe[PATH_MAX], build[PATH_MAX], *slash;
	ssize_t n;

	if (known != -1)
		return known;
	known = 0;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return known;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return known;
	*slash = '\0';
	if (realpath(PROFLAB_BUILDDIR, build) != NULL && strcmp(exe, build) == 0)
		known = 1;
	return known;
}

const char *
paths_worker(void)
{
	const char *env = getenv("PROFLAB_WORKER");

	if (paths_worker_path != NULL)
		return paths_worker_path;
	if (env != NULL && *env != '\0')
		paths_worker_path = xstrdup(env);
	else if (paths_in_build_tree())
		paths_worker_path = xstrdup(PROFLAB_BUILDDIR "/proflab-worker");
	else
		paths_worker_path = xstrdup(PROFLAB_PKGLIBEXECDIR "/proflab-worker");
	return paths_worker_path;
}

const char *
paths_datadir(void)
{
	const char *env = getenv("PROFLAB_DATADIR");

	if (paths_data_path != NULL)
		return paths_data_path;
	if (env != NULL && *env != '\0')
		paths_data_path = xstrdup(env);
	else if (paths_in_build_tree())
		paths_data_path = xstrdup(PROFLAB_SRCDIR);
	else
		paths_data_path = xstrdup(PROFLAB_PKGDATADIR);
	return paths_data_path;
}

char *
paths_script(const char *arg, char **cause)
{
	struct stat sb;
	char *p;
	int err;

	if (stat(arg, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			*cause = xasprintf("cannot run %s: Is a directory", arg);
			return NULL;
		}
		if (access(arg, R_OK) == -1) {
			*cause = xasprintf("cannot open %s: %s", arg, strerror(errno));
			return NULL;
		}
		return xstrdup(arg);
	}
	err = errno;
	if (strchr(arg, '/') == NULL) {
		size_t len = strlen(arg);
		int has_py = len > 3 && strcmp(arg + len - 3, ".py") == 0;

		p = xasprintf("%s/exercises/%s%s", paths_datadir(), arg, has_py ? "" : ".py");
		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	*cause = xasprintf("cannot open %s: %s", arg, strerror(err));
	return NULL;
}

char *
paths_state(const char *name, const char *what, char **cause)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	/* The spec: a relative XDG_STATE_HOME is invalid and ignored. */
	if (state != NULL && state[0] == '/')
		return xasprintf("%s/proflab/%s", state, name);
	if (home != NULL && home[0] != '\0')
		return xasprintf("%s/.local/state/proflab/%s", home, name);
	*cause = xasprintf("cannot keep %s: neither XDG_STATE_HOME nor HOME is set", what);
	return NULL;
}

int
paths_make_parents(const char *path, char **cause)
{
	char *dir = xstrdup(path);

	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			*cause = xasprintf("cannot create %s: %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

void
paths_remove_tmpdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char *path;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		unlink(path);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

int
paths_copy_atomic(const char *from, const char *to, char **cause)
{
	char *tmp = xasprintf("%s.XXXXXX", to), buf[65536];
	int in, out, rc = -1;
	ssize_t n = 0;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in == -1) {
		*cause = xasprintf("cannot read %s: %s", from, strerror(errno));
		free(tmp);
		return -1;
	}
	out = mkostemp(tmp, O_CLOEXEC);
	if (out == -1) {
		*cause = xasprintf("cannot write %s: %s", to, strerror(errno));
		close(in);
		free(tmp);
		return -1;
	}
	for (;;) {
		ssize_t off = 0;

		n = read(in, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		while (off < n) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w == -1 && errno == EINTR)
				continue;
			if (w == -1)
				break;
			off += w;
		}
		if (off < n) {
			n = -1;
			break;
		}
	}
	if (n == 0 && fchmod(out, 0644) == 0 && close(out) == 0) {
		out = -1;
		if (rename(tmp, to) == 0)
			rc = 0;
	}
	if (rc == -1) {
		*cause = xasprintf("cannot write %s: %s", to, strerror(errno));
		if (out != -1)
			close(out);
		unlink(tmp);
	}
	close(in);
	free(tmp);
	return rc;
}
