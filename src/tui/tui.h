/*
 * The interactive lab: lessons on one side, the live lab on the other.
 */
#ifndef PROFLAB_TUI_TUI_H
#define PROFLAB_TUI_TUI_H

struct tui_opts {
	int lesson; /* section number to open, -1 for the first */
	int present; /* presenter mode */
	int ascii; /* no Unicode drawing */
	const char *prof_path; /* `proflab stats FILE`: open on this profile, or NULL */
	int prof_icicle; /* ... in the icicle view */
	int prof_strip; /* ... with directories stripped */
	const char *prof_sort; /* ... sorted by these pstats keys, or NULL (internal time) */
};

/* Runs the lab until the user quits; the exit status. */
int tui_main(const struct tui_opts *o);

#endif
