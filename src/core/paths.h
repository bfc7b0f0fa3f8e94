/*
 * Where proflab's own files are: the worker executable and the data
 * (exercises, lessons). Run from the build tree, the build tree's worker and
 * the source tree's data are used; installed, $(pkglibexecdir) and
 * $(pkgdatadir). PROFLAB_WORKER and PROFLAB_DATADIR override both.
 * Returned strings are owned by the module and live until exit.
 */
#ifndef PROFLAB_CORE_PATHS_H
#define PROFLAB_CORE_PATHS_H

const char *paths_worker(void);
const char *paths_datadir(void);
/*
 * Resolves a script argument: the path itself when it exists, else the
 * exercise of that name (with or without ".py") in the data directory.
 * NULL with *cause ("cannot open NAME: No such file or directory") when
 * neither exists. Caller frees the result.
 */
char *paths_script(const char *arg, char **cause);
/*
 * proflab's state file `name`: $XDG_STATE_HOME/proflab/NAME, else
 * ~/.local/state/proflab/NAME. NULL with *cause ("cannot keep WHAT: neither
 * XDG_STATE_HOME nor HOME is set"). Caller frees.
 */
char *paths_state(const char *name, const char *what, char **cause);
/* mkdir -p of the folders above path (mode 0700); -1 with *cause naming the folder. */
int paths_make_parents(const char *path, char **cause);

/*
 * Copies from to a new file `to` (0644), through a temporary file beside it
 * and a rename, so `to` is whole or untouched; -1 with *cause naming the file.
 */
int paths_copy_atomic(const char *from, const char *to, char **cause);
/* Removes the files in the temporary folder dir, then dir itself (errors ignored). */
void paths_remove_tmpdir(const char *dir);

#endif
