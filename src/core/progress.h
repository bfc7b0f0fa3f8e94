/*
 * Progress: the exercises a learner has run to completion, kept across
 * restarts in $XDG_STATE_HOME/proflab/progress (default
 * ~/.local/state/proflab/progress), one exercise ID per line. Every change is
 * written at once, atomically (a temporary file renamed over the old one).
 * The set owns its IDs and path.
 */
#ifndef PROFLAB_CORE_PROGRESS_H
#define PROFLAB_CORE_PROGRESS_H

#include <stddef.h>

struct progress {
	char *path;
	char **done;
	size_t ndone;
};

/*
 * The state file's path: $XDG_STATE_HOME/proflab/progress, else
 * $HOME/.local/state/proflab/progress; NULL with *cause when neither is set.
 */
char *progress_path(char **cause);
/* Loads the file (a missing one is empty progress); -1 with *cause naming it. */
int progress_load(struct progress *p, const char *path, char **cause);
int progress_is_done(const struct progress *p, const char *id);
/* Marks id done and saves; -1 with *cause naming the file. */
int progress_mark(struct progress *p, const char *id, char **cause);
/* Forgets everything and removes the file; -1 with *cause. */
int progress_reset(struct progress *p, char **cause);
void progress_free(struct progress *p);

#endif
