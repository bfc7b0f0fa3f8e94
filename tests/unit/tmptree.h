/*
 * remove_tree for the unit tests that build temporary folders: removes path
 * and everything below it (symbolic links are removed, never followed).
 * Include after the system headers.
 */
#ifndef PROFLAB_TESTS_TMPTREE_H
#define PROFLAB_TESTS_TMPTREE_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void __attribute__((unused)) remove_tree(const char *path)
{
	char sub[4096];
	struct dirent *de;
	struct stat sb;
	DIR *d;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) < (int)sizeof sub)
				remove_tree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

#endif
