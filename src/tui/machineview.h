/*
 * The machine screen's pane: what `proflab machine` reports, with htop-like
 * meters on top (each CPU's use, memory and swap) and the live values
 * (frequency, memory, disks, load, processes, uptime) read again on every
 * refresh. The view owns its struct machine, its /proc/stat readings and
 * the benchmark results it was given; app.c runs the benchmarks (as a
 * recorded `proflab machine --bench --json` run) and hands their JSON over.
 */
#ifndef PROFLAB_TUI_MACHINEVIEW_H
#define PROFLAB_TUI_MACHINEVIEW_H

#include <curses.h>
#include <jansson.h>

struct machineview;

/*
 * Reads the machine, and asks the worker for the Python side (a fraction
 * of a second: numpy is imported); root "" is the live system.
 */
struct machineview *machineview_new(const char *root, int unicode);
void machineview_free(struct machineview *v);

/* Reads the live values again. */
void machineview_refresh(struct machineview *v);
/* Takes over bench (the report's "bench" object), or NULL to drop it; note: a line under it. */
void machineview_set_bench(struct machineview *v, json_t *bench);
/* A one-line state shown above the report ("benchmarks running..."), or NULL. */
void machineview_set_note(struct machineview *v, const char *note, int error);

void machineview_draw(struct machineview *v, WINDOW *win);
/* Scrolling keys; 1 when the view used the key. */
int machineview_key(struct machineview *v, int code, int wide);
int machineview_mouse(struct machineview *v, int y, int x, mmask_t bstate);
const char *machineview_hint(const struct machineview *v);
/* The fingerprint's id and text (caller frees text). */
void machineview_fingerprint(const struct machineview *v, char id[9], char **text);

#endif
