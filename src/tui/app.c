/*
 * The lab's application: the terminal, the event loop's handlers, the key
 * table, runs of exercises, overlays (help, lesson list, quit) and the
 * status line. The app owns the lessons, the progress, the current run and
 * its output; the views in lessonview.c and graph.c only read them.
 *
 * Three screens: the lesson screen (lesson | graph over output), the
 * profile screen (the graph over the profile pane, full width), shown once a
 * profile exists (a `profile` run ended, or a .prof file was opened), and the
 * lines screen (the graph over the lines pane), shown once a line table
 * exists (a `lines` or `memory` run ended, or `l` timed a profile row's
 * lines), the machine screen, and the history screen (H: the runs of the
 * selected exercise's script, or of the last run's, as the run history
 * keeps them). Every worker run of a script (the kinds `proflab run`,
 * `profile`, `lines` and `memory` keep) is kept in the run history when it
 * ends, and what it says against the earlier runs ends the output pane.
 * Each pane (profview.c, linesview.c) owns its model; keys go to it
 * first on its screen, and those it does not use go to the key table. A
 * pane's screen shows the graph of the run the pane came from; when a later
 * run replaces that run, the pane keeps its recording.
 *
 * Drawing is on demand: a handler marks the app dirty and a timer redraws at
 * most 30 times a second (wnoutrefresh per window, one doupdate). While a
 * run is active a 10 Hz tick redraws the graph and the elapsed time.
 */
#include "config.h"

#include "tui/tui.h"

#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "core/console.h"
#include "core/exercise.h"
#include "core/history.h"
#include "core/inhist.h"
#include "core/linetab.h"
#include "core/loop.h"
#include "core/machine.h"
#include "core/paths.h"
#include "core/plot.h"
#include "core/profile.h"
#include "core/pyinput.h"
#include "core/run.h"
#include "core/timing.h"
#include "tui/consoleview.h"
#include "tui/histview.h"
#include "tui/linesview.h"
#include "tui/machineview.h"
#include "tui/profview.h"
#include "tui/view.h"

#define MIN_W 80
#define MIN_H 24
#define FRAME_SECONDS (1.0 / 30)
#define TICK_SECONDS 0.1
#define OUTPUT_LINES 10000

enum overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_LESSONS, OVERLAY_QUIT };

/* Screens, as bits: a key in the key table works on these. */
#define SCREEN_LESSON 1
#define SCREEN_PROFILE 2
#define SCREEN_LINES 4
#define SCREEN_MACHINE 8
#define SCREEN_HISTORY 16
#define SCREEN_CONSOLE 32
#define SCREEN_BOTH (SCREEN_LESSON | SCREEN_PROFILE)
#define SCREEN_PANES (SCREEN_PROFILE | SCREEN_LINES | SCREEN_MACHINE | SCREEN_CONSOLE)
#define SCREEN_ALL (SCREEN_LESSON | SCREEN_PROFILE | SCREEN_LINES | SCREEN_MACHINE | SCREEN_HISTORY)
/* Seconds between two readings of the machine screen's live values. */
#define MACHINE_REFRESH 1.0

/* A pane's run's recording, kept once a later run has replaced that run. */
struct kept_graph {
	struct recording rec;
	double interval;
	int ok;
};

struct app {
	struct tui_opts opts;
	struct loop *loop;
	struct lesson_set set;
	struct progress pr;
	int cur; /* lesson shown */
	int sel; /* selected exercise block, or -1 */
	int top; /* first layout line shown */
	struct lesson_layout lay;
	int lay_ok;
	int unicode;
	/* the run; kept after it ends so its graph and output stay */
	int have_run;
	int running;
	struct run run;
	char *run_id;
	char *tmpdir;
	char *tmpfile;
	char *plot;
	char *message; /* the status line's last word */
	int message_error;
	struct outbuf out;
	int out_back; /* output lines scrolled back from the end */
	int frozen;
	size_t frozen_n;
	enum overlay overlay;
	int list_sel;
	int quit;
	int too_small;
	int screen; /* SCREEN_LESSON, SCREEN_PROFILE or SCREEN_LINES */
	int run_exercise; /* the run is of exercise run_id: done when it succeeds */
	char *run_script; /* the run's script and arguments (worker runs) */
	char **run_args;
	int run_keep; /* the run goes into the run history when it ends */
	int run_memory; /* ... a memory meter's run */
	/* the history screen's pane; hist_script: the script of the last run kept */
	struct histview *hv;
	int hv_back;
	/* the console screen: one long-lived worker, kept across visits */
	struct console con;
	int con_up; /* con started (it may have died since) */
	struct consoleview *cv;
	int cv_back; /* the screen Esc goes back to */
	char *con_tmpdir; /* its %prun and %lprun files */
	char **con_queue; /* an exercise's inputs still to type, NULL-terminated */
	int con_next;
	char *con_ex; /* ... the exercise: done when every input ran cleanly */
	int con_ex_failed;
	char **con_ahead; /* inputs typed while a statement ran, oldest first, NULL-terminated */
	int con_nahead;
	char *hist_script;
	/* the profile screen's pane; pv_run: the profile is of the run in `run` */
	struct profview *pv;
	int pv_run;
	struct kept_graph pv_graph;
	char *pv_id; /* a profile run's exercise, script and arguments, for `l` */
	char *pv_script;
	char **pv_args;
	/* the lines screen's pane; lv_run: the table is of the run in `run` */
	struct linesview *lv;
	int lv_run;
	struct kept_graph lv_graph;
	int lv_back; /* the screen Esc goes back to */
	char *lines_out; /* a lines or memory run: the worker writes the table here (in tmpdir) */
	char *lines_title;
	char **lines_funcs; /* ... its --func specs, NULL-terminated */
	int lines_from; /* ... the screen it was started from */
	int lines_peak; /* ... with --peak: only the whole run's peak is shown */
	/* the machine screen's pane; mv_bench: the run is its benchmarks, whose JSON is mv_json */
	struct machineview *mv;
	int mv_back;
	int mv_bench;
	struct buf mv_json;
	struct loop_timer *mv_timer;
	/* a timeit run: its options (the driver's arguments live here while it runs) */
	struct timing_opts timeit;
	int timeit_run;
	char *prof_out; /* a profile run: the worker writes the profile here (in tmpdir) */
	char *prof_save; /* ... and -o copies it here */
	char *prof_sort; /* ... and -s sorts its table */
	char *prof_title;
	WINDOW *wlesson, *wgraph, *wout, *wstatus, *wpgraph, *wprof, *whist;
	int lesson_y, lesson_x, lesson_h, lesson_w, out_y, out_x, out_h, out_w;
	int prof_y; /* the profile pane's first row; the graph above it, a rule between */
	int dirty;
	double last_draw;
	struct loop_timer *redraw_timer;
	struct loop_timer *tick_timer;
};

static struct app *the_app;

static void app_con_exercise(struct app *a, const struct exercise *ex, const char *code);

/* --- colours ----------------------------------------------------------------- */

static attr_t role_attr[ROLE_NROLES];
static short role_pair[ROLE_NROLES];

attr_t
view_attr(enum role r)
{
	return role_attr[r];
}

short
view_pair(enum role r)
{
	return role_pair[r];
}

static void
colours_init(int present)
{
	/* fg for 256 colours, fg for 8, attribute */
	static const struct {
		short fg256, fg8;
		attr_t attr;
	} spec[ROLE_NROLES] = {
	    [ROLE_TEXT] = {-1, -1, A_NORMAL},
	    [ROLE_DIM] = {245, -1, A_DIM},
	    [ROLE_HEADING] = {75, COLOR_CYAN, A_BOLD},
	    [ROLE_BOLD] = {-1, -1, A_BOLD},
	    [ROLE_ITALIC] = {-1, -1, A_ITALIC},
	    [ROLE_CODE_INLINE] = {180, COLOR_YELLOW, A_NORMAL},
	    [ROLE_CODE] = {252, -1, A_NORMAL},
	    [ROLE_KEYWORD] = {141, COLOR_MAGENTA, A_BOLD},
	    [ROLE_STRING] = {114, COLOR_GREEN, A_NORMAL},
	    [ROLE_COMMENT] = {243, COLOR_BLUE, A_NORMAL},
	    [ROLE_NUMBER] = {209, COLOR_YELLOW, A_NORMAL},
	    [ROLE_QUOTE] = {109, COLOR_CYAN, A_NORMAL},
	    [ROLE_EXERCISE] = {220, COLOR_YELLOW, A_BOLD},
	    [ROLE_SELECTED] = {16, COLOR_BLACK, A_REVERSE | A_BOLD},
	    [ROLE_DONE] = {77, COLOR_GREEN, A_BOLD},
	    [ROLE_STDERR] = {203, COLOR_RED, A_NORMAL},
	    [ROLE_CPU] = {39, COLOR_BLUE, A_BOLD},
	    [ROLE_MEM] = {208, COLOR_RED, A_BOLD},
	    [ROLE_MARK] = {250, COLOR_WHITE, A_NORMAL},
	    [ROLE_STATUS] = {-1, -1, A_REVERSE},
	    [ROLE_ERROR] = {196, COLOR_RED, A_BOLD},
	    [ROLE_TITLE] = {231, -1, A_BOLD | A_UNDERLINE},
	    [ROLE_DIVIDER] = {220, COLOR_YELLOW, A_BOLD | A_UNDERLINE},
	    [ROLE_BAR1] = {-1, -1, A_REVERSE},
	    [ROLE_BAR2] = {-1, -1, A_NORMAL},
	    [ROLE_BAR_SEL] = {-1, -1, A_BOLD | A_UNDERLINE},
	};
	/* Roles with a background: the icicle's bars (attr above without colours). */
	static const struct {
		enum role r;
		short fg256, bg256, fg8, bg8;
		attr_t attr;
	} bg[] = {
	    {ROLE_BAR1, 231, 24, COLOR_WHITE, COLOR_BLUE, A_NORMAL},
	    {ROLE_BAR2, 16, 110, COLOR_BLACK, COLOR_CYAN, A_NORMAL},
	    {ROLE_BAR_SEL, 16, 220, COLOR_BLACK, COLOR_YELLOW, A_BOLD},
	};
	int colour = !the_app->opts.ascii && getenv("NO_COLOR") == NULL && has_colors();

	if (colour) {
		start_color();
		use_default_colors();
	}
	for (int r = 0; r < ROLE_NROLES; r++) {
		short fg = COLORS >= 256 ? spec[r].fg256 : spec[r].fg8;

		role_attr[r] = spec[r].attr;
		role_pair[r] = 0;
		if (present && (r == ROLE_TEXT || r == ROLE_CODE))
			role_attr[r] |= A_BOLD;
		if (!colour || fg == -1 || r == ROLE_SELECTED || r == ROLE_STATUS)
			continue;
		init_pair((short)(r + 1), fg, -1);
		role_pair[r] = (short)(r + 1);
	}
	for (size_t i = 0; colour && i < sizeof bg / sizeof bg[0]; i++) {
		enum role r = bg[i].r;

		if (COLORS >= 256)
			init_pair((short)(r + 1), bg[i].fg256, bg[i].bg256);
		else
			init_pair((short)(r + 1), bg[i].fg8, bg[i].bg8);
		role_pair[r] = (short)(r + 1);
		role_attr[r] = bg[i].attr;
	}
}

/* --- drawing ------------------------------------------------------------------- */

static void app_redraw_now(void *arg);

static void
app_dirty(struct app *a)
{
	double now = loop_now(), when;

	a->dirty = 1;
	/* Before the loop exists (start-up messages) the first frame draws it all. */
	if (a->redraw_timer != NULL || a->loop == NULL)
		return;
	when = a->last_draw + FRAME_SECONDS;
	a->redraw_timer = loop_add_timer(a->loop, when > now ? when : now, app_redraw_now, a);
}

static void
app_message(struct app *a, int error, const char *fmt, ...)
{
	va_list ap;

	free(a->message);
	va_start(ap, fmt);
	a->message = xvasprintf(fmt, ap);
	va_end(ap);
	a->message_error = error;
	app_dirty(a);
}

static const struct lesson *
app_lesson(const struct app *a)
{
	if (a->set.nlessons == 0)
		return NULL;
	return a->set.lessons[a->cur];
}

static void
app_relayout(struct app *a)
{
	const struct lesson *l = app_lesson(a);

	if (a->lay_ok)
		layout_free(&a->lay);
	a->lay_ok = 0;
	if (l == NULL || a->wlesson == NULL)
		return;
	if (a->opts.present)
		layout_exercise_only(&a->lay, l, a->lesson_w, a->sel, &a->pr, a->unicode);
	else
		layout_lesson(&a->lay, l, a->lesson_w, a->sel, &a->pr, a->unicode);
	a->lay_ok = 1;
	if (a->top > a->lay.nlines - 1)
		a->top = a->lay.nlines > 0 ? a->lay.nlines - 1 : 0;
}

/*
 * The graph the profile or the lines screen shows: the run going on, else
 * the run its pane came from (still in `run`, or kept); 0 when there is none
 * (the profile came from a file). The machine screen shows the last run.
 */
static int
pane_graph(const struct app *a, struct graph_view *g)
{
	int lines = a->screen == SCREEN_LINES;
	const struct kept_graph *k = lines ? &a->lv_graph : &a->pv_graph;

	/* The machine screen shows whatever ran last: its benchmarks, or an exercise. */
	int of_run = a->screen == SCREEN_MACHINE || a->running || (lines ? a->lv_run : a->pv_run);

	memset(g, 0, sizeof *g);
	g->unicode = a->unicode;
	if (a->screen == SCREEN_CONSOLE) {
		const struct recording *rec = a->con_up ? console_recording(&a->con) : NULL;

		if (rec == NULL)
			return 0;
		g->rec = rec;
		g->nsamples = a->frozen ? a->frozen_n : rec->nsamples;
		g->interval = a->con.rec.interval;
		g->frozen = a->frozen;
		g->running = a->con.state == CONSOLE_BUSY;
		return 1;
	}
	if (of_run && a->have_run && a->run.recording) {
		g->rec = &a->run.rec.rec;
		g->nsamples = a->frozen ? a->frozen_n : a->run.rec.rec.nsamples;
		g->interval = a->run.rec.interval;
		g->frozen = a->frozen;
		g->running = a->running;
		return 1;
	}
	if (!k->ok || a->screen == SCREEN_MACHINE)
		return 0;
	g->rec = &k->rec;
	g->nsamples = k->rec.nsamples;
	g->interval = k->interval;
	return 1;
}

/* The pane screen's graph rows: about a third, or four that say why there is none. */
static int
prof_graph_rows(const struct app *a)
{
	struct graph_view g;

	return pane_graph(a, &g) ? (LINES - 1) / 3 : 4;
}

static void
kept_free(struct kept_graph *k)
{
	if (k->ok)
		recording_free(&k->rec);
	memset(k, 0, sizeof *k);
}

/* Before a new run replaces the one in `run`: the pane that came from it keeps its graph. */
static void
app_keep_graph(struct app *a)
{
	struct kept_graph *k = a->pv_run ? &a->pv_graph : a->lv_run ? &a->lv_graph : NULL;

	if (k != NULL && a->have_run && a->run.recording) {
		kept_free(k);
		k->rec = a->run.rec.rec;
		k->interval = a->run.rec.interval;
		k->ok = 1;
		recording_init(&a->run.rec.rec);
	}
	a->pv_run = a->lv_run = 0;
}

/* The profile screen's windows: the graph, a rule, the pane. */
static void
app_prof_windows(struct app *a)
{
	int graph = prof_graph_rows(a);

	if (a->wpgraph != NULL) {
		delwin(a->wpgraph);
		delwin(a->wprof);
	}
	a->prof_y = graph + 1;
	a->wpgraph = newwin(graph, COLS, 0, 0);
	a->wprof = newwin(LINES - 1 - a->prof_y, COLS, a->prof_y, 0);
}

static void
app_windows(struct app *a)
{
	int h = LINES, w = COLS, left, graph_h;

	if (a->wlesson != NULL) {
		delwin(a->wlesson);
		delwin(a->wgraph);
		delwin(a->wout);
		delwin(a->wstatus);
		delwin(a->wpgraph);
		delwin(a->wprof);
		delwin(a->whist);
		a->wlesson = a->wgraph = a->wout = a->wstatus = a->wpgraph = a->wprof = NULL;
		a->whist = NULL;
	}
	a->too_small = w < MIN_W || h < MIN_H;
	if (a->too_small)
		return;
	left = a->opts.present ? w * 38 / 100 : w / 2;
	graph_h = a->opts.present ? (h - 1) * 65 / 100 : (h - 1) * 45 / 100;
	a->lesson_y = 0;
	a->lesson_x = 0;
	a->lesson_h = h - 1;
	a->lesson_w = left - 1;
	a->out_y = graph_h + 1;
	a->out_x = left + 1;
	a->out_h = h - 1 - graph_h - 1;
	a->out_w = w - left - 1;
	a->wlesson = newwin(a->lesson_h, a->lesson_w, 0, 0);
	a->wgraph = newwin(graph_h, w - left - 1, 0, left + 1);
	a->wout = newwin(a->out_h, a->out_w, a->out_y, a->out_x);
	a->wstatus = newwin(1, w, h - 1, 0);
	a->whist = newwin(h - 2, w, 1, 0);
	app_prof_windows(a);
	app_relayout(a);
}

static void
draw_lesson(struct app *a)
{
	WINDOW *win = a->wlesson;

	werase(win);
	if (a->set.nlessons == 0) {
		view_str(win, 0, 0, "No lessons could be loaded: press l for the errors.",
		    a->lesson_w, ROLE_ERROR);
		return;
	}
	if (!a->lay_ok)
		return;
	for (int y = 0; y < a->lesson_h && a->top + y < a->lay.nlines; y++) {
		const struct lline *ln = &a->lay.lines[a->top + y];

		view_cells(win, y, 0, ln->cells, ln->ncells, a->lesson_w);
	}
	if (a->top + a->lesson_h < a->lay.nlines)
		view_str(win, a->lesson_h - 1, a->lesson_w - 3, a->unicode ? " \u2193 " : " v ", 3,
		    ROLE_DIM);
}

static void
draw_separators(struct app *a)
{
	int graph_h = a->out_y - 1;

	for (int y = 0; y < LINES - 1; y++)
		view_str(stdscr, y, a->lesson_w, a->unicode ? "\u2502" : "|", 1, ROLE_DIM);
	for (int x = a->out_x; x < COLS; x++)
		view_str(stdscr, graph_h, x, a->unicode ? "\u2500" : "-", 1, ROLE_DIM);
	view_str(stdscr, graph_h, a->out_x + 1, " Output ", 8, ROLE_DIM);
	if (a->out_back > 0) {
		char s[64];

		snprintf(s, sizeof s, " %d lines back: ] to follow ", a->out_back);
		view_str(stdscr, graph_h, a->out_x + 10, s, COLS - a->out_x - 11, ROLE_SELECTED);
	}
	if (outbuf_dropped(&a->out) > 0) {
		char s[64];

		snprintf(s, sizeof s, " %lu older lines dropped ", outbuf_dropped(&a->out));
		view_str(stdscr, graph_h, COLS - (int)strlen(s) - 1, s, (int)strlen(s), ROLE_DIM);
	}
}

static void
draw_output(struct app *a)
{
	WINDOW *win = a->wout;
	const struct outline *lines[512];
	size_t count = outbuf_count(&a->out), n = 0;
	long end;

	werase(win);
	/* The partial lines are the newest; then complete lines backwards. */
	for (int s = 2; s >= 1 && a->out_back == 0; s--) {
		const struct outline *p = outbuf_partial(&a->out, s);

		if (p->len > 0 && n < (size_t)a->out_h)
			lines[n++] = p;
	}
	end = (long)count - 1 - a->out_back;
	for (long i = end; i >= 0 && n < (size_t)a->out_h && n < 512; i--)
		lines[n++] = outbuf_line(&a->out, (size_t)i);
	if (n == 0)
		return;
	/* Newest at the bottom, wrapped; the oldest shown may lose its first rows. */
	{
		int rows = 0, y, first = 0, skip = 0;

		for (size_t i = 0; i < n; i++) {
			rows += view_rows(lines[i]->text, a->out_w);
			if (rows >= a->out_h) {
				first = (int)i;
				skip = rows - a->out_h;
				break;
			}
			first = (int)i;
		}
		y = 0;
		for (int i = first; i >= 0; i--) {
			const struct outline *ln = lines[i];
			int r = view_rows(ln->text, a->out_w) - (i == first ? skip : 0);

			view_wrapped(win, y, 0, ln->text, a->out_w, i == first ? skip : 0,
			    a->out_h - y, ln->stream == 2 ? ROLE_STDERR : ROLE_TEXT);
			y += r;
		}
	}
}

static void
draw_graph(struct app *a, WINDOW *win)
{
	struct graph_view g;

	memset(&g, 0, sizeof g);
	g.unicode = a->unicode;
	g.running = a->running;
	g.frozen = a->frozen;
	if (a->have_run && a->run.recording) {
		g.rec = &a->run.rec.rec;
		g.nsamples = a->frozen ? a->frozen_n : a->run.rec.rec.nsamples;
		g.interval = a->run.rec.interval;
	} else {
		static const struct recording empty;

		g.rec = &empty;
	}
	graph_draw(win, &g);
}

/* The profile or lines screen's top: the graph of the pane's run, or why there is none. */
static void
draw_prof_graph(struct app *a)
{
	struct graph_view g;
	int w = getmaxx(a->wpgraph);

	if (pane_graph(a, &g)) {
		graph_draw(a->wpgraph, &g);
		return;
	}
	werase(a->wpgraph);
	if (a->screen == SCREEN_MACHINE) {
		view_str(a->wpgraph, 1, 2,
		    "Nothing recorded yet: b runs the quick benchmarks and records", w - 4,
		    ROLE_DIM);
		view_str(a->wpgraph, 2, 2,
		    "their CPU and memory here (numpy.dot shows every core busy).", w - 4,
		    ROLE_DIM);
		return;
	}
	if (a->screen == SCREEN_LINES) {
		view_str(a->wpgraph, 1, 2, "No recording: the run could not be sampled.", w - 4,
		    ROLE_DIM);
		return;
	}
	if (a->screen == SCREEN_CONSOLE) {
		view_str(a->wpgraph, 1, 2,
		    "The graph follows the console's Python while a statement runs:", w - 4,
		    ROLE_DIM);
		view_str(a->wpgraph, 2, 2, "its CPU and memory, from the statement's start.", w - 4,
		    ROLE_DIM);
		return;
	}
	view_str(a->wpgraph, 1, 2,
	    "No recording: this profile was loaded from a file, not run here.", w - 4, ROLE_DIM);
	view_str(a->wpgraph, 2, 2,
	    "A `proflab profile` exercise records its run's CPU and memory here.", w - 4, ROLE_DIM);
}

static void
draw_prof_rule(struct app *a)
{
	const char *label = a->screen == SCREEN_LINES ? " Lines (Esc: back) "
	    : a->screen == SCREEN_MACHINE             ? " Machine (M or Esc: back) "
	    : a->screen == SCREEN_CONSOLE             ? " Console (Esc: back, F1: keys) "
	                                              : " Profile (P: lesson) ";

	for (int x = 0; x < COLS; x++)
		view_str(stdscr, a->prof_y - 1, x, a->unicode ? "\u2500" : "-", 1, ROLE_DIM);
	view_str(stdscr, a->prof_y - 1, 1, label, (int)strlen(label), ROLE_DIM);
}

/* The history screen's top line. */
static void
draw_hist_rule(struct app *a)
{
	const char *label = " History (H or Esc: back) ";

	for (int x = 0; x < COLS; x++)
		view_str(stdscr, 0, x, a->unicode ? "\u2500" : "-", 1, ROLE_DIM);
	view_str(stdscr, 0, 1, label, (int)strlen(label), ROLE_DIM);
}

static void
draw_status(struct app *a)
{
	WINDOW *win = a->wstatus;
	char left[256], right[96];
	enum role r = ROLE_STATUS;

	werase(win);
	wbkgdset(win, ' ' | A_REVERSE);
	werase(win);
	if (a->screen == SCREEN_CONSOLE && a->con_up && a->con.state == CONSOLE_BUSY) {
		double t = loop_now() - a->con.rec.start;

		snprintf(
		    left, sizeof left, " console: running  %.1f s", a->con.recording ? t : 0.0);
		snprintf(right, sizeof right, "%s ", consoleview_hint(a->cv));
	} else if (a->running) {
		double t = loop_now() - a->run.child.start;
		const char *state = a->run.state == RUN_STOPPING ? "stopping" : "running";

		snprintf(left, sizeof left, " %s %s  %.1f s", state, a->run_id, t);
		snprintf(right, sizeof right, "Esc: stop  ?: help  q: quit ");
	} else {
		snprintf(left, sizeof left, " %s", a->message != NULL ? a->message : "ready");
		if (a->screen == SCREEN_PROFILE)
			snprintf(right, sizeof right, "%s", profview_hint(a->pv));
		else if (a->screen == SCREEN_LINES)
			snprintf(right, sizeof right, "%s", linesview_hint(a->lv));
		else if (a->screen == SCREEN_MACHINE)
			snprintf(right, sizeof right, "%s", machineview_hint(a->mv));
		else if (a->screen == SCREEN_HISTORY)
			snprintf(right, sizeof right, "%s", histview_hint(a->hv));
		else if (a->screen == SCREEN_CONSOLE)
			snprintf(right, sizeof right, "%s ", consoleview_hint(a->cv));
		else
			snprintf(right, sizeof right, "Enter: run  l: lessons  ?: help  q: quit ");
		if (a->message_error)
			r = ROLE_ERROR;
	}
	view_str(win, 0, 0, left, COLS, r == ROLE_ERROR ? ROLE_ERROR : ROLE_STATUS);
	if ((int)strlen(left) + (int)strlen(right) + 2 < COLS)
		view_str(win, 0, COLS - (int)strlen(right), right, (int)strlen(right), ROLE_STATUS);
}

/* A boxed overlay of `rows` lines, centred; returns the window (caller deletes). */
static WINDOW *
overlay_box(int rows, int cols, const char *title)
{
	WINDOW *w;

	if (rows > LINES - 2)
		rows = LINES - 2;
	if (cols > COLS - 4)
		cols = COLS - 4;
	w = newwin(rows, cols, (LINES - rows) / 2, (COLS - cols) / 2);
	werase(w);
	/* Unicode box drawing, not ACS: some terminals show ACS as letters. */
	for (int x = 1; x < cols - 1; x++) {
		view_str(w, 0, x, the_app->unicode ? "\u2500" : "-", 1, ROLE_DIM);
		view_str(w, rows - 1, x, the_app->unicode ? "\u2500" : "-", 1, ROLE_DIM);
	}
	for (int y = 1; y < rows - 1; y++) {
		view_str(w, y, 0, the_app->unicode ? "\u2502" : "|", 1, ROLE_DIM);
		view_str(w, y, cols - 1, the_app->unicode ? "\u2502" : "|", 1, ROLE_DIM);
	}
	view_str(w, 0, 0, the_app->unicode ? "\u250c" : "+", 1, ROLE_DIM);
	view_str(w, 0, cols - 1, the_app->unicode ? "\u2510" : "+", 1, ROLE_DIM);
	view_str(w, rows - 1, 0, the_app->unicode ? "\u2514" : "+", 1, ROLE_DIM);
	view_str(w, rows - 1, cols - 1, the_app->unicode ? "\u2518" : "+", 1, ROLE_DIM);
	view_str(w, 0, 2, title, cols - 4, ROLE_TITLE);
	return w;
}

static void draw_help(struct app *a);

static void
lesson_counts(const struct app *a, const struct lesson *l, int *done, int *total)
{
	*done = *total = 0;
	for (size_t i = 0; i < l->nblocks; i++) {
		if (l->blocks[i].ex == NULL)
			continue;
		(*total)++;
		if (progress_is_done(&a->pr, l->blocks[i].ex->id))
			(*done)++;
	}
}

static void
draw_lessons(struct app *a)
{
	int rows = (int)(a->set.nlessons + a->set.nerrors) + 4;
	WINDOW *w = overlay_box(rows, 72, " Lessons (Enter opens, Esc closes) ");
	int y = 2, cols = getmaxx(w);

	for (size_t i = 0; i < a->set.nlessons; i++) {
		const struct lesson *l = a->set.lessons[i];
		char line[160];
		int done, total;

		lesson_counts(a, l, &done, &total);
		snprintf(line, sizeof line, "%2d. %s", l->number, l->title);
		view_str(
		    w, y, 2, line, cols - 14, (int)i == a->list_sel ? ROLE_SELECTED : ROLE_TEXT);
		if (total > 0) {
			snprintf(line, sizeof line, "%d/%d done", done, total);
			view_str(w, y, cols - 12, line, 11, done == total ? ROLE_DONE : ROLE_DIM);
		}
		y++;
	}
	for (size_t i = 0; i < a->set.nerrors && y < getmaxy(w) - 1; i++)
		view_str(w, y++, 2, a->set.errors[i], cols - 4, ROLE_ERROR);
	wnoutrefresh(w);
	delwin(w);
}

static void
draw_quit(struct app *a)
{
	WINDOW *w = overlay_box(5, 56, " Quit? ");

	view_str(w, 2, 2, "A run is active. Stop it and quit? (y/n)", 52, ROLE_TEXT);
	wnoutrefresh(w);
	delwin(w);
}

static void
app_draw(struct app *a)
{
	a->dirty = 0;
	a->last_draw = loop_now();
	if (a->too_small) {
		char msg[128];

		werase(stdscr);
		snprintf(msg, sizeof msg, "proflab needs at least %dx%d; this terminal is %dx%d.",
		    MIN_W, MIN_H, COLS, LINES);
		mvaddstr(LINES / 2, 0, msg);
		mvaddstr(LINES / 2 + 1, 0, "Make it larger, or press q to quit.");
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	werase(stdscr);
	if (a->screen == SCREEN_HISTORY) {
		draw_hist_rule(a);
		wnoutrefresh(stdscr);
		histview_draw(a->hv, a->whist);
		wnoutrefresh(a->whist);
	} else if (a->screen & SCREEN_PANES) {
		if (a->prof_y != prof_graph_rows(a) + 1)
			app_prof_windows(a);
		draw_prof_rule(a);
		wnoutrefresh(stdscr);
		draw_prof_graph(a);
		wnoutrefresh(a->wpgraph);
		if (a->screen == SCREEN_LINES)
			linesview_draw(a->lv, a->wprof);
		else if (a->screen == SCREEN_MACHINE)
			machineview_draw(a->mv, a->wprof);
		else if (a->screen == SCREEN_CONSOLE)
			consoleview_draw(a->cv, a->wprof);
		else
			profview_draw(a->pv, a->wprof);
		wnoutrefresh(a->wprof);
	} else {
		draw_separators(a);
		wnoutrefresh(stdscr);
		draw_lesson(a);
		wnoutrefresh(a->wlesson);
		draw_graph(a, a->wgraph);
		wnoutrefresh(a->wgraph);
		draw_output(a);
		wnoutrefresh(a->wout);
	}
	draw_status(a);
	wnoutrefresh(a->wstatus);
	if (a->overlay == OVERLAY_HELP)
		draw_help(a);
	else if (a->overlay == OVERLAY_LESSONS)
		draw_lessons(a);
	else if (a->overlay == OVERLAY_QUIT)
		draw_quit(a);
	/* The console's cursor: its window last, so the terminal's cursor is there. */
	if (a->screen == SCREEN_CONSOLE && a->overlay == OVERLAY_NONE)
		wnoutrefresh(a->wprof);
	else
		curs_set(0);
	doupdate();
}

static void
app_redraw_now(void *arg)
{
	struct app *a = arg;

	a->redraw_timer = NULL;
	if (a->dirty)
		app_draw(a);
}

/* --- navigation ------------------------------------------------------------------ */

static void
app_scroll_to_sel(struct app *a)
{
	int first, last;

	if (!a->lay_ok || a->sel < 0)
		return;
	first = layout_find_block(&a->lay, a->sel);
	if (first < 0)
		return;
	last = first;
	while (last + 1 < a->lay.nlines && a->lay.lines[last + 1].block == a->sel)
		last++;
	if (first < a->top || last >= a->top + a->lesson_h) {
		a->top = first - 2 < 0 ? 0 : first - 2;
		if (last - a->top >= a->lesson_h)
			a->top = first;
	}
}

/* Selects the next (dir 1) or previous (dir -1) exercise in the lesson. */
static int
app_select(struct app *a, int dir)
{
	const struct lesson *l = app_lesson(a);
	int i;

	if (l == NULL)
		return 0;
	for (i = a->sel + dir; i >= 0 && (size_t)i < l->nblocks; i += dir) {
		if (l->blocks[i].ex != NULL) {
			a->sel = i;
			app_relayout(a);
			app_scroll_to_sel(a);
			app_dirty(a);
			return 1;
		}
	}
	return 0;
}

static void
app_open_lesson(struct app *a, int idx, int last_exercise)
{
	if (a->set.nlessons == 0)
		return;
	if (idx < 0 || (size_t)idx >= a->set.nlessons)
		return;
	a->cur = idx;
	a->top = 0;
	a->sel = last_exercise ? (int)a->set.lessons[idx]->nblocks : -1;
	app_relayout(a);
	if (!app_select(a, last_exercise ? -1 : 1))
		a->sel = -1;
	app_relayout(a);
	if (!a->opts.present)
		a->top = 0;
	app_dirty(a);
}

/* --- runs ------------------------------------------------------------------------------ */

static void
app_run_output(struct run *r, int stream, const char *data, size_t len, void *arg)
{
	struct app *a = arg;

	if (a->mv_bench && stream == 1)
		buf_add(&a->mv_json, data, len);
	else
		outbuf_feed(&a->out, stream, data, len);
	app_dirty(a);
}

static void
app_run_warning(struct run *r, const char *message, void *arg)
{
	struct app *a = arg;
	char *line = xasprintf("proflab: %s\n", message);

	outbuf_feed(&a->out, 2, line, strlen(line));
	free(line);
	app_dirty(a);
}

static void
app_cleanup_tmp(struct app *a)
{
	if (a->tmpfile != NULL)
		unlink(a->tmpfile);
	if (a->prof_out != NULL)
		unlink(a->prof_out);
	if (a->lines_out != NULL)
		unlink(a->lines_out);
	if (a->tmpdir != NULL)
		rmdir(a->tmpdir);
	free(a->tmpfile);
	free(a->prof_out);
	free(a->lines_out);
	free(a->tmpdir);
	a->tmpfile = a->tmpdir = a->prof_out = a->lines_out = NULL;
}

/* A new temporary directory for the run's files; 0, or -1 with a message. */
static int
app_make_tmpdir(struct app *a)
{
	a->tmpdir = xstrdup("/tmp/proflab-lab.XXXXXX");
	if (mkdtemp(a->tmpdir) == NULL) {
		app_message(a, 1, "cannot create a temporary directory: %s", strerror(errno));
		free(a->tmpdir);
		a->tmpdir = NULL;
		return -1;
	}
	return 0;
}

static void
strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* A copy of the NULL-terminated vector v. */
static char **
strv_dup(char *const *v)
{
	size_t n = 0;
	char **c;

	while (v != NULL && v[n] != NULL)
		n++;
	c = xcalloc(n + 1, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

/* Shows profile p (taken over) on the profile screen; 0, or -1 with *cause (bad sort). */
static int
app_open_profile(struct app *a, struct prof *p, const char *title, const char *sort, int strip,
    int icicle, char **cause)
{
	struct profview *v = profview_new(p, title, a->unicode);

	if (sort != NULL && profview_sort(v, sort, cause) == -1) {
		profview_free(v);
		return -1;
	}
	if (strip)
		profview_strip(v, 1);
	if (icicle)
		profview_set_mode(v, PROFVIEW_ICICLE);
	profview_free(a->pv);
	a->pv = v;
	a->pv_run = 0;
	kept_free(&a->pv_graph);
	free(a->pv_id);
	free(a->pv_script);
	strv_free(a->pv_args);
	a->pv_id = a->pv_script = NULL;
	a->pv_args = NULL;
	a->screen = SCREEN_PROFILE;
	return 0;
}

static void
app_prof_free(struct app *a)
{
	free(a->prof_save);
	free(a->prof_sort);
	free(a->prof_title);
	a->prof_save = a->prof_sort = a->prof_title = NULL;
}

/* A profile run has ended: open what the worker wrote (and copy it for -o). */
static void
app_profile_end(struct app *a, const struct run *r, int ok, const char *desc)
{
	struct prof p;
	char *cause = NULL;
	int saved = 0;

	if (!r->profile_written) {
		app_message(a, 1, "%s %s after %.2f s: no profile was written", a->run_id, desc,
		    r->status.real);
		return;
	}
	if (a->prof_save != NULL) {
		if (paths_copy_atomic(a->prof_out, a->prof_save, &cause) == -1) {
			app_message(a, 1, "%s", cause);
			free(cause);
			cause = NULL;
			saved = -1;
		} else {
			saved = 1;
		}
	}
	if (prof_load(&p, a->prof_out, &cause) == -1 ||
	    app_open_profile(a, &p, a->prof_title, a->prof_sort, 0, 0, &cause) == -1) {
		app_message(a, 1, "%s", cause);
		free(cause);
		return;
	}
	a->pv_run = 1;
	if (a->run_script != NULL) {
		a->pv_id = xstrdup(a->run_id);
		a->pv_script = xstrdup(a->run_script);
		a->pv_args = strv_dup(a->run_args);
	}
	if (saved == -1 || (ok && a->message_error))
		return;
	if (ok)
		app_message(a, 0, "%s done: %s in %.2f s%s%s", a->run_id, desc, r->status.real,
		    saved ? "; profile saved to " : "", saved ? a->prof_save : "");
	else
		app_message(a, 1, "%s %s after %.2f s; the profile covers the run up to then%s%s",
		    a->run_id, desc, r->status.real, saved ? ", saved to " : "",
		    saved ? a->prof_save : "");
}

static void
app_lines_free(struct app *a)
{
	free(a->lines_title);
	strv_free(a->lines_funcs);
	a->lines_title = NULL;
	a->lines_funcs = NULL;
}

/* A lines or memory run has ended: open the table the worker wrote on the lines screen. */
static void
app_lines_end(struct app *a, const struct run *r, int ok, const char *desc)
{
	struct linetab t;
	char *cause = NULL;

	if (!r->lines_written) {
		if (r->worker_error != NULL)
			app_message(a, 1, "%s: %s", a->run_id, r->worker_error);
		else
			app_message(a, 1, "%s %s after %.2f s: no line table was written",
			    a->run_id, desc, r->status.real);
		return;
	}
	if (linetab_load(&t, a->lines_out, &cause) == -1) {
		app_message(a, 1, "%s", cause);
		free(cause);
		return;
	}
	linesview_free(a->lv);
	a->lv = linesview_new(&t, a->lines_title, a->lines_peak, a->unicode);
	a->lv_run = 1;
	kept_free(&a->lv_graph);
	a->lv_back = a->lines_from;
	a->screen = SCREEN_LINES;
	if (!ok)
		app_message(a, 1, "%s %s after %.2f s; the table covers the run up to then",
		    a->run_id, desc, r->status.real);
}

/* A timeit run has ended: its line, as python -m timeit prints it, goes to the output. */
static void
app_timeit_end(struct app *a, const struct run *r, int ok)
{
	struct buf b;

	a->timeit_run = 0;
	if (ok && r->timeit_number > 0) {
		buf_init(&b);
		timing_format_timeit(
		    &b, r->timeit_number, r->timeit_times, r->timeit_nruns, a->timeit.unit, 3);
		outbuf_feed(&a->out, 1, b.data, b.len);
		buf_reset(&b);
		timing_format_unreliable(
		    &b, r->timeit_number, r->timeit_times, r->timeit_nruns, a->timeit.unit, 3);
		outbuf_feed(&a->out, 2, b.data, b.len);
		outbuf_flush(&a->out);
		buf_free(&b);
	}
	timing_opts_free(&a->timeit);
}

/* The benchmarks' run has ended: their JSON goes to the machine pane. */
static void
app_machine_end(struct app *a, int ok, const char *desc)
{
	json_error_t err;
	json_t *doc = NULL, *bench;

	a->mv_bench = 0;
	if (a->mv == NULL)
		return;
	if (ok) {
		buf_addc(&a->mv_json, '\0');
		doc = json_loads(a->mv_json.data, 0, &err);
	}
	bench = doc != NULL ? json_object_get(doc, "bench") : NULL;
	if (json_is_object(bench)) {
		machineview_set_bench(a->mv, json_incref(bench));
		machineview_set_note(a->mv, NULL, 0);
	} else if (ok) {
		machineview_set_note(a->mv, "the benchmarks printed no report (see the output)", 1);
	} else {
		char *note = xasprintf("benchmarks: proflab machine --bench %s", desc);

		machineview_set_note(a->mv, note, 1);
		free(note);
	}
	json_decref(doc);
	buf_reset(&a->mv_json);
}

static void app_hist_reload(struct app *a);

/*
 * Keeps the ended run in the run history when it is a worker run of a
 * script, as the commands do; what the history says of it (the change since
 * the last run, the instrument's cost, or why it is not kept) ends the output.
 */
static void
app_history_note(struct app *a, const struct run *r)
{
	struct run_opts o;
	struct buf notes;
	char *cause = NULL;
	int status = run_exit_code(r), rc;

	if (!a->run_keep || a->run_script == NULL)
		return;
	memset(&o, 0, sizeof o);
	o.script = a->run_script;
	o.script_args = a->run_args;
	o.profile_out = a->prof_out;
	o.lines_out = a->lines_out;
	o.lines_memory = a->run_memory;
	/* As the commands count it: an instrument that wrote nothing failed. */
	if (status == 0 &&
	    ((a->prof_out != NULL && !r->profile_written) ||
	        (a->lines_out != NULL && !r->lines_written)))
		status = 1;
	buf_init(&notes);
	rc = history_record_run(r, &o, status, &notes, &cause);
	if (rc == -1) {
		buf_addf(&notes, "proflab: the run is not kept in the history: %s\n", cause);
		free(cause);
	}
	if (notes.len > 0) {
		outbuf_feed(&a->out, 2, notes.data, notes.len);
		outbuf_flush(&a->out);
	}
	buf_free(&notes);
	if (rc == 1) {
		free(a->hist_script);
		a->hist_script = history_script(a->run_script);
		if (a->screen == SCREEN_HISTORY)
			app_hist_reload(a);
	}
}

static void
app_run_end(struct run *r, void *arg)
{
	struct app *a = arg;
	char *desc = run_describe(r), *cause = NULL;
	int ok = r->status.exited && r->status.code == 0;

	a->running = 0;
	outbuf_flush(&a->out);
	if (a->tick_timer != NULL) {
		loop_cancel_timer(a->loop, a->tick_timer);
		a->tick_timer = NULL;
	}
	if (ok && !a->run_exercise) {
		app_message(a, 0, "%s done: %s in %.2f s", a->run_id, desc, r->status.real);
	} else if (ok) {
		if (progress_mark(&a->pr, a->run_id, &cause) == -1) {
			app_message(a, 1, "%s", cause);
			free(cause);
		} else {
			app_message(a, 0, "%s done: %s in %.2f s", a->run_id, desc, r->status.real);
		}
		app_relayout(a);
	} else {
		app_message(a, 1, "%s %s after %.2f s", a->run_id, desc, r->status.real);
	}
	if (r->recording) {
		char *line = machine_fingerprint_line(r->python_version, r->blas_library);

		recording_set_machine(&r->rec.rec, line);
		free(line);
	}
	app_history_note(a, r);
	if (a->plot != NULL && r->recording &&
	    plot_write(a->plot, &r->rec.rec, a->run_id, &cause) == -1) {
		app_message(a, 1, "%s", cause);
		free(cause);
	}
	if (a->prof_out != NULL)
		app_profile_end(a, r, ok, desc);
	if (a->lines_out != NULL)
		app_lines_end(a, r, ok, desc);
	if (a->mv_bench)
		app_machine_end(a, ok, desc);
	if (a->timeit_run)
		app_timeit_end(a, r, ok);
	free(desc);
	app_cleanup_tmp(a);
	app_dirty(a);
}

static void
app_tick(void *arg)
{
	struct app *a = arg;

	a->tick_timer = NULL;
	if (!a->running && !(a->con_up && a->con.state == CONSOLE_BUSY))
		return;
	app_dirty(a);
	a->tick_timer = loop_add_timer(a->loop, loop_now() + TICK_SECONDS, app_tick, a);
}

/* Options of `proflab run` the lab honours; -1 with a message when the line is not a run. */
static int
app_parse_run(struct app *a, char *const *argv, int argc, struct run_opts *o, char **script)
{
	char *cause = NULL;
	int i;

	o->rec.interval = 0.1;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i];

		if (strcmp(opt, "--record") == 0 || strcmp(opt, "--time") == 0)
			continue;
		if (i + 1 >= argc)
			break;
		if (strcmp(opt, "--interval") == 0)
			o->rec.interval = atof(argv[++i]);
		else if (strcmp(opt, "--log") == 0)
			o->rec.log_path = argv[++i];
		else if (strcmp(opt, "--plot") == 0)
			a->plot = xstrdup(argv[++i]);
		else if (strcmp(opt, "--grace") == 0)
			o->grace = atof(argv[++i]);
		else
			i++;
	}
	if (o->rec.interval <= 0)
		o->rec.interval = 0.1;
	if (i >= argc) {
		app_message(a, 1, "the exercise's command line names no script");
		return -1;
	}
	*script = paths_script(argv[i], &cause);
	if (*script == NULL) {
		app_message(a, 1, "%s", cause);
		free(cause);
		return -1;
	}
	o->script = *script;
	o->script_args = argv + i + 1;
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/*
 * For an instrument's exercise: *script, the script argv[i] names; *out, the
 * file its table goes to in the lab's temporary folder (ID.EXT); *title,
 * what the view is headed. -1 with a message.
 */
static int
app_exercise_files(struct app *a, const struct exercise *ex, char *const *argv, int argc, int i,
    const char *ext, char **out, char **title, char **script)
{
	char *cause = NULL;

	if (i >= argc) {
		app_message(a, 1, "the exercise's command line names no script");
		return -1;
	}
	*script = paths_script(argv[i], &cause);
	if (*script == NULL) {
		app_message(a, 1, "%s", cause);
		free(cause);
		return -1;
	}
	if (app_make_tmpdir(a) == -1) {
		free(*script);
		*script = NULL;
		return -1;
	}
	*out = xasprintf("%s/%s.%s", a->tmpdir, ex->id, ext);
	*title = xasprintf("%s: %s", ex->id, base_name(*script));
	return 0;
}

/*
 * Options of `proflab profile` the lab honours (-s, -o; --limit is for the
 * text table); sets up the temporary profile file. -1 with a message.
 */
static int
app_parse_profile(struct app *a, const struct exercise *ex, char *const *argv, int argc,
    struct run_opts *o, char **script)
{
	struct prof_sort sort;
	char *cause = NULL;
	int i;

	app_prof_free(a);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i];

		if (strcmp(opt, "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			break;
		if (strcmp(opt, "-s") == 0 || strcmp(opt, "--sort") == 0) {
			free(a->prof_sort);
			a->prof_sort = xstrdup(argv[++i]);
		} else if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) {
			free(a->prof_save);
			a->prof_save = xstrdup(argv[++i]);
		} else if (strcmp(opt, "--limit") == 0 || strcmp(opt, "--interval") == 0) {
			if (strcmp(opt, "--interval") == 0 && atof(argv[i + 1]) > 0)
				o->rec.interval = atof(argv[i + 1]);
			i++;
		} else if (strcmp(opt, "--grace") == 0) {
			o->grace = atof(argv[++i]);
		} else {
			app_message(a, 1, "%s: `proflab profile` has no option %s", ex->id, opt);
			return -1;
		}
	}
	if (a->prof_sort != NULL && prof_sort_parse(&sort, a->prof_sort, &cause) == -1) {
		app_message(a, 1, "%s", cause);
		free(cause);
		return -1;
	}
	if (app_exercise_files(
	        a, ex, argv, argc, i, "prof", &a->prof_out, &a->prof_title, script) == -1)
		return -1;
	o->script = *script;
	o->script_args = argv + i + 1;
	o->profile_out = a->prof_out;
	return 0;
}

/*
 * Options of `proflab lines` and `proflab memory` the lab honours (-f, --peak, --grace;
 * -u is for the text table); sets up the temporary table file. -1 with a message.
 */
static int
app_parse_lines(struct app *a, const struct exercise *ex, char *const *argv, int argc,
    struct run_opts *o, char **script)
{
	int memory = strcmp(argv[0], "memory") == 0, i;
	size_t n = 0;

	app_lines_free(a);
	a->lines_peak = 0;
	a->lines_funcs = xcalloc((size_t)argc + 1, sizeof *a->lines_funcs);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i];

		if (strcmp(opt, "--") == 0) {
			i++;
			break;
		}
		if (memory && strcmp(opt, "--peak") == 0) {
			a->lines_peak = 1;
			continue;
		}
		if (i + 1 >= argc)
			break;
		if (strcmp(opt, "-f") == 0)
			a->lines_funcs[n++] = xstrdup(argv[++i]);
		else if (!memory && strcmp(opt, "-u") == 0)
			i++;
		else if (strcmp(opt, "--grace") == 0)
			o->grace = atof(argv[++i]);
		else {
			app_message(
			    a, 1, "%s: `proflab %s` has no option %s", ex->id, argv[0], opt);
			return -1;
		}
	}
	if (app_exercise_files(
	        a, ex, argv, argc, i, "lines", &a->lines_out, &a->lines_title, script) == -1)
		return -1;
	a->lines_from = SCREEN_LESSON;
	o->script = *script;
	o->script_args = argv + i + 1;
	o->lines_out = a->lines_out;
	o->lines_memory = memory;
	o->lines_funcs = a->lines_funcs;
	return 0;
}

/* The exercise that writes file name f with `proflab profile -o`, or NULL. */
static const char *
app_prof_writer(const struct app *a, const char *f)
{
	for (size_t i = 0; i < a->set.nlessons; i++) {
		const struct lesson *l = a->set.lessons[i];

		for (size_t b = 0; b < l->nblocks; b++) {
			const struct exercise *ex = l->blocks[b].ex;

			if (ex == NULL || ex->argc < 1 || strcmp(ex->argv[0], "profile") != 0)
				continue;
			for (int k = 1; k + 1 < ex->argc; k++) {
				if ((strcmp(ex->argv[k], "-o") == 0 ||
				        strcmp(ex->argv[k], "--outfile") == 0) &&
				    strcmp(base_name(ex->argv[k + 1]), base_name(f)) == 0)
					return ex->id;
			}
		}
	}
	return NULL;
}

/* A `proflab stats` exercise: opens the file on the profile screen. */
static void
app_stats(struct app *a, const struct exercise *ex, char *const *argv, int argc)
{
	const char *file = NULL, *sort = NULL;
	int icicle = 0, strip = 0;
	char *cause = NULL, *title;
	struct prof p;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--icicle") == 0)
			icicle = 1;
		else if (strcmp(argv[i], "--strip-dirs") == 0)
			strip = 1;
		else if ((strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--sort") == 0) &&
		    i + 1 < argc)
			sort = argv[++i];
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
			i++;
		else if (argv[i][0] != '-' || argv[i][1] == '\0')
			file = argv[i];
	}
	if (file == NULL) {
		app_message(a, 1, "the exercise's command line names no .prof file");
		return;
	}
	if (access(file, F_OK) == -1 && errno == ENOENT) {
		const char *writer = app_prof_writer(a, file);

		if (writer != NULL)
			app_message(a, 1, "%s does not exist: run %s first", file, writer);
		else
			app_message(a, 1, "%s does not exist", file);
		return;
	}
	if (prof_load(&p, file, &cause) == -1) {
		app_message(a, 1, "%s", cause);
		free(cause);
		return;
	}
	title = xasprintf("%s: %s", ex->id, file);
	if (app_open_profile(a, &p, title, sort, strip, icicle, &cause) == -1) {
		app_message(a, 1, "%s", cause);
		free(cause);
		free(title);
		return;
	}
	free(title);
	if (progress_mark(&a->pr, ex->id, &cause) == -1) {
		app_message(a, 1, "%s", cause);
		free(cause);
	} else {
		app_message(a, 0, "%s: opened %s", ex->id, file);
	}
	app_relayout(a);
}

/* Clears the way for a new run: the last run's graph goes to its pane, the run is freed;
 * o gets the lab's defaults. */
static void
app_new_run(struct app *a, struct run_opts *o)
{
	app_keep_graph(a);
	if (a->have_run) {
		run_free(&a->run);
		a->have_run = 0;
	}
	free(a->plot);
	a->plot = NULL;
	memset(&a->run, 0, sizeof a->run);
	memset(o, 0, sizeof *o);
	a->timeit_run = 0;
	o->capture_output = 1;
	o->record = 1;
	o->rec.children = 1;
	o->rec.interval = 0.1;
}

/* Starts the run o describes, named id; exercise: id is marked done when it succeeds. */
static void
app_start_run(struct app *a, const struct run_opts *o, const char *id, int exercise)
{
	char *cause = NULL, *script = NULL;

	free(a->run_id);
	a->run_id = xstrdup(id);
	a->run_exercise = exercise;
	if (o->argv == NULL && !o->interactive)
		script = xstrdup(o->script);
	free(a->run_script);
	strv_free(a->run_args);
	a->run_script = script;
	a->run_args = script != NULL ? strv_dup(o->script_args) : NULL;
	/* The kinds the commands keep: not a command, a snippet or a timeit driver. */
	a->run_keep = script != NULL && !a->timeit_run;
	a->run_memory = o->lines_memory;
	a->run.on_output = app_run_output;
	a->run.on_warning = app_run_warning;
	a->run.on_end = app_run_end;
	a->run.arg = a;
	a->have_run = 1;
	a->running = 1;
	if (run_start(&a->run, a->loop, o, &cause) == -1) {
		a->running = 0;
		app_message(a, 1, "%s", cause);
		free(cause);
		app_cleanup_tmp(a);
	} else if (a->running) {
		a->tick_timer = loop_add_timer(a->loop, loop_now() + TICK_SECONDS, app_tick, a);
	}
	app_dirty(a);
}

/* `proflab timeit ...` in the lab: the driver in the run's temporary folder. */
static int
app_parse_timeit(
    struct app *a, const struct exercise *ex, char *const *argv, int argc, struct run_opts *o)
{
	char *cause = NULL;
	int rc;

	timing_opts_free(&a->timeit);
	rc = timing_parse(argc, (char **)argv, &a->timeit, &cause);
	if (rc != 0) {
		app_message(
		    a, 1, "%s: %s", ex->id, rc == 1 ? "--help is for the command line" : cause);
		free(cause);
		timing_opts_free(&a->timeit);
		return -1;
	}
	if (app_make_tmpdir(a) == -1)
		return -1;
	a->tmpfile = timing_write_driver(a->tmpdir, &cause);
	if (a->tmpfile == NULL) {
		app_message(a, 1, "%s", cause);
		free(cause);
		app_cleanup_tmp(a);
		return -1;
	}
	o->script = a->tmpfile;
	o->script_args = a->timeit.args;
	o->grace = a->timeit.grace;
	a->timeit_run = 1;
	return 0;
}

/* --- the machine screen ---------------------------------------------------------- */

static void
app_machine_tick(void *arg)
{
	struct app *a = arg;

	a->mv_timer = NULL;
	if (a->screen != SCREEN_MACHINE || a->mv == NULL)
		return;
	machineview_refresh(a->mv);
	app_dirty(a);
	a->mv_timer = loop_add_timer(a->loop, loop_now() + MACHINE_REFRESH, app_machine_tick, a);
}

/* Opens the machine screen (reading the machine the first time). */
static void
app_machine_open(struct app *a)
{
	if (a->mv == NULL)
		a->mv = machineview_new("", a->unicode);
	if (a->screen != SCREEN_MACHINE)
		a->mv_back = a->screen;
	a->screen = SCREEN_MACHINE;
	if (a->mv_timer == NULL)
		a->mv_timer =
		    loop_add_timer(a->loop, loop_now() + MACHINE_REFRESH, app_machine_tick, a);
	app_dirty(a);
}

/*
 * Runs `proflab machine --bench --json [extra...]` as a recorded run of this
 * very program; id names it (an exercise, or "benchmarks").
 */
static void
app_machine_bench(struct app *a, char *const *extra, int nextra, const char *id, int exercise)
{
	char self[4096], **argv;
	struct run_opts o;
	ssize_t n;
	int i = 0;

	if (a->running) {
		app_message(a, 1, "%s is running: Esc stops it first", a->run_id);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		app_message(
		    a, 1, "cannot find proflab itself: /proc/self/exe: %s", strerror(errno));
		return;
	}
	self[n] = '\0';
	argv = xcalloc((size_t)nextra + 5, sizeof *argv);
	argv[i++] = self;
	argv[i++] = (char *)"machine";
	argv[i++] = (char *)"--bench";
	argv[i++] = (char *)"--json";
	for (int j = 0; j < nextra; j++)
		argv[i++] = extra[j];
	app_new_run(a, &o);
	o.argv = argv;
	a->mv_bench = 1;
	buf_reset(&a->mv_json);
	machineview_set_note(
	    a->mv, "running the quick benchmarks (10 s at most; Esc stops them)", 0);
	app_start_run(a, &o, id, exercise);
	if (!a->running)
		a->mv_bench = 0;
	free(argv);
}

/* An exercise that is a `proflab machine` command: the machine screen, and its benchmarks. */
static void
app_machine_exercise(struct app *a, const struct exercise *ex, char *const *argv, int argc)
{
	char **extra = xcalloc((size_t)argc + 1, sizeof *extra);
	int bench = 0, n = 0;
	char *cause = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--bench") == 0)
			bench = 1;
		else if (strcmp(argv[i], "--json") != 0)
			extra[n++] = argv[i];
	}
	app_machine_open(a);
	if (bench) {
		app_machine_bench(a, extra, n, ex->id, 1);
	} else if (progress_mark(&a->pr, ex->id, &cause) == -1) {
		app_message(a, 1, "%s", cause);
		free(cause);
	} else {
		app_message(a, 0, "%s done: this is your machine (M or Esc: back)", ex->id);
		app_relayout(a);
	}
	free(extra);
}

static void
app_run_selected(struct app *a)
{
	const struct lesson *l = app_lesson(a);
	const struct exercise *ex;
	struct exercise_plan plan;
	struct run_opts o;
	char *script = NULL, *empty[] = {NULL};
	const char *cmd;

	if (a->running) {
		app_message(a, 1, "%s is running: Esc stops it first", a->run_id);
		return;
	}
	if (l == NULL || a->sel < 0 || l->blocks[a->sel].ex == NULL) {
		app_message(a, 1, "no exercise selected: n selects the next one");
		return;
	}
	ex = l->blocks[a->sel].ex;
	exercise_plan(ex, &plan);
	if (plan.kind == PLAN_WAITING) {
		app_message(a, 1, "%s", plan.note);
		exercise_plan_free(&plan);
		return;
	}
	if (plan.kind == PLAN_CONSOLE) {
		app_con_exercise(a, ex, plan.code);
		exercise_plan_free(&plan);
		return;
	}
	cmd = plan.kind == PLAN_COMMAND ? plan.argv[0] : "";
	if (strcmp(cmd, "machine") == 0) {
		app_machine_exercise(a, ex, plan.argv, plan.argc);
		exercise_plan_free(&plan);
		return;
	}
	if (strcmp(cmd, "stats") == 0) {
		app_stats(a, ex, plan.argv, plan.argc);
		exercise_plan_free(&plan);
		return;
	}
	app_new_run(a, &o);
	if (plan.kind == PLAN_SNIPPET) {
		FILE *f;

		if (app_make_tmpdir(a) == -1) {
			exercise_plan_free(&plan);
			return;
		}
		a->tmpfile = xasprintf("%s/%s.py", a->tmpdir, ex->id);
		f = fopen(a->tmpfile, "we");
		if (f == NULL || fputs(plan.code, f) == EOF || fclose(f) == EOF) {
			app_message(a, 1, "cannot write %s: %s", a->tmpfile, strerror(errno));
			app_cleanup_tmp(a);
			exercise_plan_free(&plan);
			return;
		}
		o.script = a->tmpfile;
		o.script_args = empty;
		o.interactive = 1;
	} else if (strcmp(cmd, "profile") == 0) {
		if (app_parse_profile(a, ex, plan.argv, plan.argc, &o, &script) == -1) {
			exercise_plan_free(&plan);
			return;
		}
	} else if (strcmp(cmd, "timeit") == 0) {
		if (app_parse_timeit(a, ex, plan.argv, plan.argc, &o) == -1) {
			exercise_plan_free(&plan);
			return;
		}
	} else if (strcmp(cmd, "lines") == 0 || strcmp(cmd, "memory") == 0) {
		if (app_parse_lines(a, ex, plan.argv, plan.argc, &o, &script) == -1) {
			exercise_plan_free(&plan);
			return;
		}
	} else if (strcmp(cmd, "run") != 0 ||
	    app_parse_run(a, plan.argv, plan.argc, &o, &script) == -1) {
		if (strcmp(cmd, "run") != 0)
			app_message(
			    a, 1, "%s runs `proflab %s` from the command line", ex->id, cmd);
		exercise_plan_free(&plan);
		return;
	}
	outbuf_clear(&a->out);
	a->out_back = 0;
	a->frozen = 0;
	if (plan.note != NULL) {
		char *line = xasprintf("proflab: %s\n", plan.note);

		outbuf_feed(&a->out, 2, line, strlen(line));
		free(line);
	}
	app_start_run(a, &o, ex->id, 1);
	free(script);
	exercise_plan_free(&plan);
}

/* `l` on the profile screen: the selected function's lines, its script run again. */
static void
key_prof_lines(struct app *a)
{
	const struct prof_func *f = profview_selected(a->pv);
	struct run_opts o;
	char *id;

	if (a->running) {
		app_message(a, 1, "%s is running: Esc stops it first", a->run_id);
		return;
	}
	if (f == NULL) {
		app_message(a, 1, "no function selected");
		return;
	}
	if (strcmp(f->file, "~") == 0) {
		app_message(a, 1, "%s is built in: it has no lines to time", f->std);
		return;
	}
	if (f->file[0] == '<' || f->line <= 0) {
		app_message(a, 1, "%s has no source file: no lines to time", f->std);
		return;
	}
	if (f->name[0] == '<') {
		app_message(a, 1,
		    "%s is not a def: its lines are timed with the function around it", f->std);
		return;
	}
	if (a->pv_script == NULL) {
		app_message(a, 1,
		    "this profile was opened from a file: l times the lines of a profile run here");
		return;
	}
	app_new_run(a, &o);
	if (app_make_tmpdir(a) == -1)
		return;
	app_lines_free(a);
	a->lines_funcs = xcalloc(2, sizeof *a->lines_funcs);
	a->lines_funcs[0] = xasprintf("%s:%ld", f->file, f->line);
	a->lines_out = xasprintf("%s/lines.tab", a->tmpdir);
	a->lines_title = xasprintf("%s: %s", a->pv_id, base_name(a->pv_script));
	a->lines_from = SCREEN_PROFILE;
	a->lines_peak = 0;
	o.script = a->pv_script;
	o.script_args = a->pv_args;
	o.lines_out = a->lines_out;
	o.lines_funcs = a->lines_funcs;
	outbuf_clear(&a->out);
	a->out_back = 0;
	a->frozen = 0;
	id = xasprintf("lines of %s", f->name);
	app_start_run(a, &o, id, 0);
	free(id);
}

static void
app_stop(struct app *a)
{
	if (!a->running) {
		app_message(a, 0, "nothing is running (q quits)");
		return;
	}
	run_stop(&a->run);
	app_dirty(a);
}

/* --- the console screen ------------------------------------------------------------ */

static void app_con_next(struct app *a);
static void app_con_submit(struct app *a, char *text);

static void
app_con_output(struct console *c, enum console_stream s, const char *data, size_t len, void *arg)
{
	struct app *a = arg;

	consoleview_feed(a->cv, (int)s, data, len);
	app_dirty(a);
}

static void
app_con_done(struct console *c, void *arg)
{
	struct app *a = arg;

	consoleview_set_busy(a->cv, 0, NULL);
	if (a->con_queue != NULL) {
		if (c->cur_kind != NULL && strcmp(c->cur_kind, "ok") != 0)
			a->con_ex_failed = 1;
		app_con_next(a);
	} else if (a->con_nahead > 0) {
		char *text = a->con_ahead[0];

		memmove(
		    a->con_ahead, a->con_ahead + 1, (size_t)a->con_nahead * sizeof *a->con_ahead);
		a->con_nahead--;
		app_con_submit(a, text);
	}
	app_dirty(a);
}

static void
app_con_state(struct console *c, void *arg)
{
	struct app *a = arg;

	if (c->state == CONSOLE_DEAD)
		app_message(a, 1, "the console has no worker: C starts it again");
	app_dirty(a);
}

/* %prun: the profile screen shows it, with the statement's graph above. */
static void
app_con_profile(struct console *c, const char *path, void *arg)
{
	struct app *a = arg;
	const struct recording *rec = console_recording(c);
	char *cause = NULL, *title, line[160];
	struct prof p;

	if (prof_load(&p, path, &cause) == -1) {
		snprintf(line, sizeof line, "%%prun: %s\n", cause);
		consoleview_feed(a->cv, CONSOLE_NOTE, line, strlen(line));
		free(cause);
		return;
	}
	title = xasprintf("%%prun %s", c->cur.stmt);
	if (app_open_profile(a, &p, title, c->cur.sort, 1, 0, &cause) == -1) {
		snprintf(line, sizeof line, "%%prun -s: %s\n", cause);
		consoleview_feed(a->cv, CONSOLE_NOTE, line, strlen(line));
		free(cause);
		prof_free(&p);
		free(title);
		return;
	}
	free(title);
	if (rec != NULL) {
		recording_init(&a->pv_graph.rec);
		for (size_t i = 0; i < rec->nsamples; i++)
			recording_add_sample(&a->pv_graph.rec, &rec->samples[i]);
		a->pv_graph.interval = c->rec.interval;
		a->pv_graph.ok = 1;
	}
	snprintf(
	    line, sizeof line, "%%prun: the profile is on the profile screen (C comes back)\n");
	consoleview_feed(a->cv, CONSOLE_RESULT, line, strlen(line));
	app_message(a, 0, "%%prun's profile: C goes back to the console");
}

/* Starts the console (its worker runs in the exercises' folder) and shows it. */
static void
app_con_open(struct app *a)
{
	struct console_opts o;
	char *cause = NULL, *dir, *hist, intro[512];

	if (a->screen != SCREEN_CONSOLE)
		a->cv_back = a->screen;
	if (a->cv == NULL) {
		hist = inhist_path(&cause);
		a->cv = consoleview_new(hist, a->unicode);
		free(hist);
		if (cause != NULL) {
			snprintf(intro, sizeof intro, "the input history is not kept: %s\n", cause);
			consoleview_feed(a->cv, CONSOLE_NOTE, intro, strlen(intro));
			free(cause);
			cause = NULL;
		}
		if (consoleview_history_error(a->cv) != NULL) {
			snprintf(intro, sizeof intro, "%s\n", consoleview_history_error(a->cv));
			consoleview_feed(a->cv, CONSOLE_NOTE, intro, strlen(intro));
		}
	}
	if (a->con_up && a->con.state == CONSOLE_DEAD) {
		console_free(&a->con);
		a->con_up = 0;
	}
	if (!a->con_up) {
		if (a->con_tmpdir == NULL) {
			a->con_tmpdir = xstrdup("/tmp/proflab-console.XXXXXX");
			if (mkdtemp(a->con_tmpdir) == NULL) {
				app_message(a, 1, "cannot create a temporary directory: %s",
				    strerror(errno));
				free(a->con_tmpdir);
				a->con_tmpdir = NULL;
				return;
			}
		}
		dir = xasprintf("%s/exercises", paths_datadir());
		memset(&o, 0, sizeof o);
		memset(&a->con, 0, sizeof a->con);
		o.cwd = dir;
		o.tmpdir = a->con_tmpdir;
		o.grace = 2.0;
		o.record = 1;
		o.interval = 0.1;
		a->con.on_output = app_con_output;
		a->con.on_done = app_con_done;
		a->con.on_profile = app_con_profile;
		a->con.on_state = app_con_state;
		a->con.arg = a;
		if (console_start(&a->con, a->loop, &o, &cause) == -1) {
			app_message(a, 1, "the console cannot start: %s", cause);
			free(cause);
			free(dir);
			console_free(&a->con);
			return;
		}
		a->con_up = 1;
		snprintf(intro, sizeof intro,
		    "Python, in %s. %% commands: %%time, %%timeit, %%prun, %%lprun -f, %%memit, "
		    "%%mprun -f.\n",
		    dir);
		consoleview_feed(a->cv, CONSOLE_RESULT, intro, strlen(intro));
		free(dir);
	}
	a->screen = SCREEN_CONSOLE;
	app_dirty(a);
}

static void
app_con_submit(struct app *a, char *text)
{
	char *cause = NULL;

	consoleview_echo(a->cv, text);
	if (console_submit(&a->con, text, &cause) == -1) {
		char line[256];

		snprintf(line, sizeof line, "%s\n", cause);
		consoleview_feed(a->cv, CONSOLE_NOTE, line, strlen(line));
		free(cause);
		free(text);
		return;
	}
	if (a->con.state == CONSOLE_BUSY) {
		consoleview_set_busy(a->cv, 1, text);
		if (a->tick_timer == NULL)
			a->tick_timer =
			    loop_add_timer(a->loop, loop_now() + TICK_SECONDS, app_tick, a);
	}
	free(text);
}

static void
app_con_ahead_free(struct app *a)
{
	for (int i = 0; i < a->con_nahead; i++)
		free(a->con_ahead[i]);
	free(a->con_ahead);
	a->con_ahead = NULL;
	a->con_nahead = 0;
}

static void
app_con_queue_free(struct app *a)
{
	app_con_ahead_free(a);
	for (char **q = a->con_queue; q != NULL && *q != NULL; q++)
		free(*q);
	free(a->con_queue);
	a->con_queue = NULL;
	free(a->con_ex);
	a->con_ex = NULL;
}

/* Types the exercise's next input at the console, or ends the exercise. */
static void
app_con_next(struct app *a)
{
	char *cause = NULL;

	if (a->con.state == CONSOLE_BUSY)
		return;
	if (a->con_queue[a->con_next] == NULL || a->con_ex_failed || a->con.state == CONSOLE_DEAD) {
		if (a->con_ex_failed || a->con.state == CONSOLE_DEAD) {
			app_message(a, 1, "%s did not complete: see the console", a->con_ex);
		} else if (progress_mark(&a->pr, a->con_ex, &cause) == -1) {
			app_message(a, 1, "%s", cause);
			free(cause);
		} else {
			app_message(a, 0, "%s done", a->con_ex);
		}
		app_con_queue_free(a);
		return;
	}
	consoleview_set_input(a->cv, a->con_queue[a->con_next++]);
	app_con_submit(a, consoleview_take(a->cv));
}

/* A needs=console exercise: its inputs are typed at the console, one after another. */
static void
app_con_exercise(struct app *a, const struct exercise *ex, const char *code)
{
	app_con_open(a);
	if (!a->con_up)
		return;
	if (a->con.state == CONSOLE_BUSY || a->con_queue != NULL) {
		app_message(a, 1, "the console is busy: Ctrl-C interrupts it");
		return;
	}
	pyinput_split(code, &a->con_queue);
	a->con_next = 0;
	a->con_ex = xstrdup(ex->id);
	a->con_ex_failed = 0;
	app_con_next(a);
}

static void
app_con_leave(struct app *a)
{
	a->screen = (a->cv_back == SCREEN_PROFILE && a->pv != NULL) ||
	        (a->cv_back == SCREEN_LINES && a->lv != NULL) ||
	        (a->cv_back == SCREEN_MACHINE && a->mv != NULL) ||
	        (a->cv_back == SCREEN_HISTORY && a->hv != NULL)
	    ? a->cv_back
	    : SCREEN_LESSON;
	curs_set(0);
}

/* Ctrl-C on the console screen: interrupts the statement, else drops the input. */
static void
app_con_interrupt(struct app *a)
{
	static const char ki[] = "KeyboardInterrupt\n";

	if (a->con_up && a->con.state == CONSOLE_BUSY) {
		if (a->con_queue != NULL)
			a->con_ex_failed = 1;
		app_con_ahead_free(a);
		console_interrupt(&a->con);
	} else {
		consoleview_feed(a->cv, CONSOLE_STDERR, ki, sizeof ki - 1);
		consoleview_set_input(a->cv, "");
	}
	app_dirty(a);
}

static void
app_con_key(struct app *a, int code, int wide)
{
	char *text;

	if (!wide && code == KEY_F(1)) {
		a->overlay = OVERLAY_HELP;
		return;
	}
	switch (consoleview_key(a->cv, code, wide)) {
	case CV_SUBMIT:
		if (a->con_up && a->con.state == CONSOLE_BUSY) {
			/* Typed ahead, as in a terminal: it runs when the statement has ended. */
			a->con_ahead = xreallocarray(
			    a->con_ahead, (size_t)a->con_nahead + 2, sizeof *a->con_ahead);
			a->con_ahead[a->con_nahead++] = consoleview_take(a->cv);
			a->con_ahead[a->con_nahead] = NULL;
			app_message(a, 0, "%d input%s typed ahead: %s when the statement ends",
			    a->con_nahead, a->con_nahead == 1 ? "" : "s",
			    a->con_nahead == 1 ? "it runs" : "they run");
			break;
		}
		if (!a->con_up || a->con.state == CONSOLE_DEAD) {
			app_con_open(a);
			if (!a->con_up)
				break;
		}
		text = consoleview_take(a->cv);
		app_con_submit(a, text);
		break;
	case CV_LEAVE:
		app_con_leave(a);
		break;
	default:
		break;
	}
	app_dirty(a);
}

/* --- the history screen ------------------------------------------------------------ */

/*
 * The script the selected exercise runs (`proflab run`, `profile`, `lines`
 * or `memory`), as the history keys it; NULL for any other exercise.
 */
static char *
app_exercise_script(const struct app *a)
{
	const struct lesson *l = app_lesson(a);
	struct exercise_plan plan;
	char *script = NULL, *path, *cause = NULL;
	const char *cmd;
	int i;

	if (l == NULL || a->sel < 0 || l->blocks[a->sel].ex == NULL)
		return NULL;
	exercise_plan(l->blocks[a->sel].ex, &plan);
	cmd = plan.kind == PLAN_COMMAND && plan.argc > 0 ? plan.argv[0] : "";
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "profile") != 0 && strcmp(cmd, "lines") != 0 &&
	    strcmp(cmd, "memory") != 0) {
		exercise_plan_free(&plan);
		return NULL;
	}
	/* The options before the script: the flags stand alone, the others take a value. */
	for (i = 1; i < plan.argc && plan.argv[i][0] == '-'; i++) {
		if (strcmp(plan.argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(plan.argv[i], "--record") != 0 && strcmp(plan.argv[i], "--time") != 0 &&
		    strcmp(plan.argv[i], "--peak") != 0)
			i++;
	}
	if (i < plan.argc) {
		path = paths_script(plan.argv[i], &cause);
		free(cause);
		if (path != NULL)
			script = history_script(path);
		free(path);
	}
	exercise_plan_free(&plan);
	return script;
}

/* Opens the history screen on script's runs (read again from the history). */
static void
app_hist_open(struct app *a, const char *script)
{
	struct history h;
	char *path, *cause = NULL;

	path = history_path(&cause);
	if (path == NULL || history_load(path, script, &h, &cause) == -1) {
		app_message(a, 1, "%s", cause);
		free(cause);
		free(path);
		return;
	}
	histview_free(a->hv);
	a->hv = histview_new(&h, script, path, a->unicode);
	free(path);
	if (a->screen != SCREEN_HISTORY)
		a->hv_back = a->screen;
	a->screen = SCREEN_HISTORY;
	app_dirty(a);
}

/* A run has been kept while the history screen is open: it joins the list. */
static void
app_hist_reload(struct app *a)
{
	char *script = xstrdup(histview_script(a->hv));

	app_hist_open(a, script);
	free(script);
}

/* H: the history of the selected exercise's script (else the last kept run's), and back. */
static void
key_console(struct app *a)
{
	app_con_open(a);
}

static void
key_history(struct app *a)
{
	char *script;

	if (a->screen == SCREEN_HISTORY) {
		if (a->hv_back == SCREEN_MACHINE && a->mv != NULL) {
			int back = a->mv_back;

			app_machine_open(a);
			a->mv_back = back;
		} else {
			a->screen = (a->hv_back == SCREEN_PROFILE && a->pv != NULL) ||
			        (a->hv_back == SCREEN_LINES && a->lv != NULL)
			    ? a->hv_back
			    : SCREEN_LESSON;
		}
		return;
	}
	script = app_exercise_script(a);
	if (script == NULL && a->hist_script != NULL)
		script = xstrdup(a->hist_script);
	if (script == NULL) {
		app_message(
		    a, 0, "no history to show: select an exercise that runs a script, or run one");
		return;
	}
	app_hist_open(a, script);
	free(script);
}

static void
key_hist_mark(struct app *a)
{
	histview_mark(a->hv);
}

/* --- keys ---------------------------------------------------------------------------------- */

static void
key_down(struct app *a)
{
	if (a->lay_ok && a->top + a->lesson_h < a->lay.nlines)
		a->top++;
}

static void
key_up(struct app *a)
{
	if (a->top > 0)
		a->top--;
}

static void
key_pgdown(struct app *a)
{
	for (int i = 0; i < a->lesson_h - 2; i++)
		key_down(a);
}

static void
key_pgup(struct app *a)
{
	for (int i = 0; i < a->lesson_h - 2; i++)
		key_up(a);
}

static void
key_home(struct app *a)
{
	a->top = 0;
}

static void
key_end(struct app *a)
{
	while (a->lay_ok && a->top + a->lesson_h < a->lay.nlines)
		a->top++;
}

static void
key_next_lesson(struct app *a)
{
	app_open_lesson(a, a->cur + 1, 0);
}

static void
key_prev_lesson(struct app *a)
{
	app_open_lesson(a, a->cur - 1, 0);
}

static void
key_next_ex(struct app *a)
{
	/* Past the last exercise of a lesson, on to the next lesson's first. */
	if (!app_select(a, 1) && (size_t)a->cur + 1 < a->set.nlessons)
		app_open_lesson(a, a->cur + 1, 0);
}

static void
key_prev_ex(struct app *a)
{
	if (!app_select(a, -1) && a->cur > 0)
		app_open_lesson(a, a->cur - 1, 1);
}

static void
key_run(struct app *a)
{
	app_run_selected(a);
}

static void
key_stop(struct app *a)
{
	app_stop(a);
}

static void
key_lessons(struct app *a)
{
	a->overlay = OVERLAY_LESSONS;
	a->list_sel = a->cur;
}

static void
key_help(struct app *a)
{
	a->overlay = OVERLAY_HELP;
}

static void
key_quit(struct app *a)
{
	if (a->running || (a->con_up && a->con.state == CONSOLE_BUSY))
		a->overlay = OVERLAY_QUIT;
	else
		a->quit = 1;
}

static void
key_freeze(struct app *a)
{
	if (!a->have_run || !a->run.recording) {
		app_message(a, 0, "no graph to freeze yet");
		return;
	}
	a->frozen = !a->frozen;
	a->frozen_n = a->run.rec.rec.nsamples;
}

static void
key_out_back(struct app *a)
{
	long max = (long)outbuf_count(&a->out) - a->out_h;

	a->out_back += a->out_h / 2;
	if (a->out_back > max)
		a->out_back = max > 0 ? (int)max : 0;
}

static void
key_out_fwd(struct app *a)
{
	a->out_back -= a->out_h / 2;
	if (a->out_back < 0)
		a->out_back = 0;
}

static void
key_clear(struct app *a)
{
	outbuf_clear(&a->out);
	a->out_back = 0;
}

static void
key_profile(struct app *a)
{
	if (a->pv == NULL) {
		app_message(a, 0, "no profile yet: run a `proflab profile` exercise first (E16)");
		return;
	}
	a->screen = a->screen == SCREEN_PROFILE ? SCREEN_LESSON : SCREEN_PROFILE;
}

static void
key_lines(struct app *a)
{
	if (a->lv == NULL) {
		app_message(a, 0,
		    "no line table yet: run a `proflab lines` exercise (E21), or press l on a "
		    "profile row");
		return;
	}
	if (a->screen == SCREEN_LINES) {
		a->screen =
		    a->lv_back == SCREEN_PROFILE && a->pv != NULL ? SCREEN_PROFILE : SCREEN_LESSON;
		return;
	}
	a->lv_back = a->screen;
	a->screen = SCREEN_LINES;
}

static void
key_machine(struct app *a)
{
	if (a->screen != SCREEN_MACHINE) {
		app_machine_open(a);
		return;
	}
	a->screen = a->mv_back == SCREEN_PROFILE && a->pv != NULL ? SCREEN_PROFILE
	    : a->mv_back == SCREEN_LINES && a->lv != NULL         ? SCREEN_LINES
	                                                          : SCREEN_LESSON;
}

/*
 * Esc on the lines, machine or history screen: stops a run, else goes back
 * where the pane came from.
 */
static void
key_pane_esc(struct app *a)
{
	if (a->running)
		app_stop(a);
	else if (a->screen == SCREEN_LINES)
		key_lines(a);
	else if (a->screen == SCREEN_HISTORY)
		key_history(a);
	else
		key_machine(a);
}

/* A help entry for keys a pane handles itself. */
static void
key_nothing(struct app *a)
{
}

static void
key_machine_bench(struct app *a)
{
	app_machine_bench(a, NULL, 0, "benchmarks", 0);
}

struct key {
	int code;
	int wide; /* code is a character, not a KEY_ constant */
	int screens; /* SCREEN_ bits: where the key works */
	const char *name;
	const char *help;
	void (*fn)(struct app *);
};

static const struct key keys[] = {
    {'\n', 1, SCREEN_LESSON, "Enter", "run the selected exercise", key_run},
    {KEY_ENTER, 0, SCREEN_LESSON, NULL, NULL, key_run},
    {27, 1, SCREEN_BOTH, "Esc, Ctrl-C", "stop the run (then kill it after 2 s)", key_stop},
    {27, 1, SCREEN_LINES, NULL, NULL, key_pane_esc},
    {127, 1, SCREEN_LINES, NULL, NULL, key_lines},
    {8, 1, SCREEN_LINES, NULL, NULL, key_lines},
    {KEY_BACKSPACE, 0, SCREEN_LINES, NULL, NULL, key_lines},
    {27, 1, SCREEN_MACHINE, "Esc, M", "stop the run, else back to where you were", key_pane_esc},
    {127, 1, SCREEN_MACHINE, NULL, NULL, key_machine},
    {KEY_BACKSPACE, 0, SCREEN_MACHINE, NULL, NULL, key_machine},
    {'b', 1, SCREEN_MACHINE, "b", "run the quick benchmarks (recorded on the graph)",
        key_machine_bench},
    {KEY_DOWN, 0, SCREEN_MACHINE, "Down, Up, PgDn", "scroll the report (PgUp, Home, End too)",
        key_nothing},
    {27, 1, SCREEN_HISTORY, "Esc, H", "stop the run, else back to where you were", key_pane_esc},
    {127, 1, SCREEN_HISTORY, NULL, NULL, key_history},
    {KEY_BACKSPACE, 0, SCREEN_HISTORY, NULL, NULL, key_history},
    {KEY_DOWN, 0, SCREEN_HISTORY, "Down, Up, j, k", "select a run (PgDn, PgUp, Home, End, a click)",
        key_nothing},
    {' ', 1, SCREEN_HISTORY, "Space, m", "mark a run to compare with the selected one",
        key_hist_mark},
    {'m', 1, SCREEN_HISTORY, NULL, NULL, key_hist_mark},
    {'\t', 1, SCREEN_LESSON, "Tab, n", "next exercise", key_next_ex},
    {'n', 1, SCREEN_LESSON, NULL, NULL, key_next_ex},
    {KEY_BTAB, 0, SCREEN_LESSON, "Shift-Tab, p", "previous exercise", key_prev_ex},
    {'p', 1, SCREEN_LESSON, NULL, NULL, key_prev_ex},
    {KEY_RIGHT, 0, SCREEN_LESSON, "Right, Left", "next, previous lesson", key_next_lesson},
    {KEY_LEFT, 0, SCREEN_LESSON, NULL, NULL, key_prev_lesson},
    {KEY_DOWN, 0, SCREEN_LESSON, "Down, Up, j, k", "scroll the lesson", key_down},
    {'j', 1, SCREEN_LESSON, NULL, NULL, key_down},
    {KEY_UP, 0, SCREEN_LESSON, NULL, NULL, key_up},
    {'k', 1, SCREEN_LESSON, NULL, NULL, key_up},
    {KEY_NPAGE, 0, SCREEN_LESSON, "PgDn, PgUp", "scroll the lesson a page", key_pgdown},
    {KEY_PPAGE, 0, SCREEN_LESSON, NULL, NULL, key_pgup},
    {KEY_HOME, 0, SCREEN_LESSON, "Home, End", "top, bottom of the lesson", key_home},
    {KEY_END, 0, SCREEN_LESSON, NULL, NULL, key_end},
    {'[', 1, SCREEN_LESSON, "[, ]", "scroll the output back, forward", key_out_back},
    {']', 1, SCREEN_LESSON, NULL, NULL, key_out_fwd},
    {'c', 1, SCREEN_LESSON, "c", "clear the output", key_clear},
    {' ', 1, SCREEN_ALL & ~SCREEN_HISTORY, "Space", "freeze the graph (the run goes on)",
        key_freeze},
    {'P', 1, SCREEN_ALL, "P", "the profile screen, the lesson screen", key_profile},
    {'L', 1, SCREEN_ALL, "L", "the lines screen, and back", key_lines},
    {'M', 1, SCREEN_ALL, "M", "the machine screen: facts, live meters, benchmarks", key_machine},
    {'H', 1, SCREEN_ALL, "H", "the runs of the selected exercise's script", key_history},
    {'C', 1, SCREEN_ALL, "C", "the console: Python with %time, %timeit, %prun, %lprun...",
        key_console},
    {'\n', 1, SCREEN_CONSOLE, "Enter", "run the input once complete (else a new line)",
        key_nothing},
    {3, 1, SCREEN_CONSOLE, "Ctrl-C", "interrupt the statement (then kill it after 2 s)",
        key_nothing},
    {KEY_UP, 0, SCREEN_CONSOLE, "Up, Down", "earlier inputs, kept across sessions", key_nothing},
    {KEY_PPAGE, 0, SCREEN_CONSOLE, "PgUp, PgDn", "scroll the transcript", key_nothing},
    {'\t', 1, SCREEN_CONSOLE, "Tab", "indent", key_nothing},
    {1, 1, SCREEN_CONSOLE, "Ctrl-A, E, K, U", "line start, end; delete to end, to start",
        key_nothing},
    {12, 1, SCREEN_CONSOLE, "Ctrl-L", "clear the transcript", key_nothing},
    {27, 1, SCREEN_CONSOLE, "Esc, Ctrl-D", "back where you were (the statement runs on)",
        key_nothing},
    {KEY_F(1), 0, SCREEN_CONSOLE, "F1", "this help", key_help},
    {'l', 1, SCREEN_LESSON, "l", "lessons and progress", key_lessons},
    {'l', 1, SCREEN_PROFILE, "l", "time the selected function's lines (runs it again)",
        key_prof_lines},
    {'?', 1, SCREEN_ALL, "?", "this help", key_help},
    {'q', 1, SCREEN_ALL, "q", "quit (asks first while a run is active)", key_quit},
};

static void
draw_help(struct app *a)
{
	size_t n = 0, np = 0;
	WINDOW *w;
	int y = 2, prof = a->screen == SCREEN_PROFILE, lines = a->screen == SCREEN_LINES;
	int hist = a->screen == SCREEN_HISTORY;
	const char *title = prof          ? " Profile keys (any key closes) "
	    : lines                       ? " Lines keys (any key closes) "
	    : a->screen == SCREEN_MACHINE ? " Machine keys (any key closes) "
	    : hist                        ? " History keys (any key closes) "
	    : a->screen == SCREEN_CONSOLE ? " Console keys (any key closes) "
	                                  : " Keys (any key closes) ";

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		n += keys[i].name != NULL && (keys[i].screens & a->screen);
	while (prof && profview_keys[np].name != NULL)
		np++;
	while (lines && linesview_keys[np].name != NULL)
		np++;
	w = overlay_box((int)(n + np) + 6,
	    prof || lines || hist || a->screen == SCREEN_CONSOLE ? 78 : 64, title);
	for (size_t i = 0; i < np; i++) {
		const char *name = prof ? profview_keys[i].name : linesview_keys[i].name;
		const char *help = prof ? profview_keys[i].help : linesview_keys[i].help;

		view_str(w, y, 2, name, 16, ROLE_EXERCISE);
		view_str(w, y++, 19, help, getmaxx(w) - 21, ROLE_TEXT);
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (keys[i].name == NULL || !(keys[i].screens & a->screen))
			continue;
		view_str(w, y, 2, keys[i].name, 16, ROLE_EXERCISE);
		view_str(w, y++, 19, keys[i].help, getmaxx(w) - 21, ROLE_TEXT);
	}
	if (a->screen == SCREEN_LESSON)
		view_str(w, y + 1, 2, "Mouse: click a lesson or an exercise; the wheel scrolls.",
		    60, ROLE_DIM);
	wnoutrefresh(w);
	delwin(w);
}

static void
overlay_key(struct app *a, int code, int wide)
{
	switch (a->overlay) {
	case OVERLAY_HELP:
		a->overlay = OVERLAY_NONE;
		break;
	case OVERLAY_QUIT:
		if (wide && (code == 'y' || code == 'Y' || code == 'q')) {
			run_free(&a->run);
			a->have_run = 0;
			a->running = 0;
			a->quit = 1;
		}
		a->overlay = OVERLAY_NONE;
		break;
	case OVERLAY_LESSONS:
		if (!wide && code == KEY_DOWN && (size_t)a->list_sel + 1 < a->set.nlessons)
			a->list_sel++;
		else if (!wide && code == KEY_UP && a->list_sel > 0)
			a->list_sel--;
		else if ((wide && code == '\n') || (!wide && code == KEY_ENTER)) {
			a->overlay = OVERLAY_NONE;
			app_open_lesson(a, a->list_sel, 0);
		} else if ((wide && (code == 27 || code == 'l' || code == 'q')))
			a->overlay = OVERLAY_NONE;
		break;
	case OVERLAY_NONE:
		break;
	}
}

static void
app_mouse(struct app *a)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (a->overlay == OVERLAY_LESSONS) {
		int rows = (int)(a->set.nlessons + a->set.nerrors) + 4, top;

		if (rows > LINES - 2)
			rows = LINES - 2;
		top = (LINES - rows) / 2 + 2;
		if ((ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)) &&
		    ev.y >= top && (size_t)(ev.y - top) < a->set.nlessons) {
			a->overlay = OVERLAY_NONE;
			app_open_lesson(a, ev.y - top, 0);
		}
		return;
	}
	if (a->overlay != OVERLAY_NONE || a->too_small)
		return;
	if (a->screen == SCREEN_PROFILE) {
		if (ev.y >= a->prof_y && ev.y < LINES - 1)
			profview_mouse(a->pv, ev.y - a->prof_y, ev.x, ev.bstate);
		return;
	}
	if (a->screen == SCREEN_LINES) {
		if (ev.y >= a->prof_y && ev.y < LINES - 1)
			linesview_mouse(a->lv, ev.y - a->prof_y, ev.x, ev.bstate);
		return;
	}
	if (a->screen == SCREEN_MACHINE) {
		if (ev.y >= a->prof_y && ev.y < LINES - 1)
			machineview_mouse(a->mv, ev.y - a->prof_y, ev.x, ev.bstate);
		return;
	}
	if (a->screen == SCREEN_HISTORY) {
		if (ev.y >= 1 && ev.y < LINES - 1)
			histview_mouse(a->hv, ev.y - 1, ev.x, ev.bstate);
		return;
	}
	if (ev.bstate & BUTTON4_PRESSED) {
		for (int i = 0; i < 3; i++)
			ev.x < a->lesson_w ? key_up(a) : key_out_back(a);
		return;
	}
	if (ev.bstate & BUTTON5_PRESSED) {
		for (int i = 0; i < 3; i++)
			ev.x < a->lesson_w ? key_down(a) : key_out_fwd(a);
		return;
	}
	if ((ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) && ev.x < a->lesson_w && a->lay_ok &&
	    a->top + ev.y < a->lay.nlines) {
		int b = a->lay.lines[a->top + ev.y].block;
		const struct lesson *l = app_lesson(a);

		if (b < 0 || l == NULL || l->blocks[b].ex == NULL)
			return;
		if (b == a->sel) {
			app_run_selected(a);
		} else {
			a->sel = b;
			app_relayout(a);
		}
	}
}

static void
app_key(struct app *a, int code, int wide)
{
	if (a->too_small) {
		if (wide && code == 'q')
			key_quit(a);
		return;
	}
	if (!wide && code == KEY_MOUSE) {
		app_mouse(a);
		return;
	}
	if (wide && code == '\r')
		code = '\n';
	if (a->overlay != OVERLAY_NONE) {
		overlay_key(a, code, wide);
		return;
	}
	if (a->screen == SCREEN_PROFILE && profview_key(a->pv, code, wide))
		return;
	if (a->screen == SCREEN_LINES && linesview_key(a->lv, code, wide))
		return;
	if (a->screen == SCREEN_MACHINE && machineview_key(a->mv, code, wide))
		return;
	if (a->screen == SCREEN_HISTORY && histview_key(a->hv, code, wide))
		return;
	if (a->screen == SCREEN_CONSOLE) {
		app_con_key(a, code, wide);
		return;
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (keys[i].code == code && keys[i].wide == wide && (keys[i].screens & a->screen)) {
			keys[i].fn(a);
			return;
		}
	}
}

static void
app_input(int fd, short revents, void *arg)
{
	struct app *a = arg;
	wint_t wc;
	int rc;

	while ((rc = wget_wch(stdscr, &wc)) != ERR) {
		if (rc == KEY_CODE_YES && wc == KEY_RESIZE)
			continue;
		app_key(a, (int)wc, rc != KEY_CODE_YES);
		if (a->quit) {
			loop_stop(a->loop);
			return;
		}
	}
	app_dirty(a);
}

static void
app_resize(struct app *a)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	app_windows(a);
	app_scroll_to_sel(a);
	clearok(curscr, TRUE);
	app_dirty(a);
}

static void
app_signal(int signo, void *arg)
{
	struct app *a = arg;

	if (signo == SIGWINCH)
		app_resize(a);
	else if (signo == SIGINT && a->screen == SCREEN_CONSOLE)
		app_con_interrupt(a);
	else if (signo == SIGINT)
		app_stop(a);
	else {
		/* SIGTERM, SIGHUP: leave cleanly, and take the run along. */
		a->quit = 1;
		loop_stop(a->loop);
	}
}

static void
tui_cleanup(void)
{
	endwin();
}

int
tui_main(const struct tui_opts *opts)
{
	struct app a;
	char *cause = NULL, *dir, *path;
	const char *codeset;
	SCREEN *scr;
	int rc = 0;

	memset(&a, 0, sizeof a);
	the_app = &a;
	a.opts = *opts;
	a.sel = -1;
	a.screen = SCREEN_LESSON;
	buf_init(&a.mv_json);
	/* hwloc (the machine screen, fingerprints) must not write on the screen. */
	setenv("HWLOC_HIDE_ERRORS", "1", 0);
	codeset = nl_langinfo(CODESET);
	a.unicode = !opts->ascii && codeset != NULL && strcmp(codeset, "UTF-8") == 0;
	/* `proflab stats FILE`: a bad file is reported before the terminal is touched. */
	if (opts->prof_path != NULL) {
		struct prof p;

		if (prof_load(&p, opts->prof_path, &cause) == -1 ||
		    app_open_profile(&a, &p, opts->prof_path, opts->prof_sort, opts->prof_strip,
		        opts->prof_icicle, &cause) == -1) {
			fprintf(stderr, "proflab: %s\n", cause);
			free(cause);
			return 1;
		}
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
		    "proflab: the lab needs a terminal (see proflab --help for the "
		    "commands that do not)\n");
		profview_free(a.pv);
		return 1;
	}
	dir = xasprintf("%s/lessons", paths_datadir());
	if (lesson_set_load(dir, &a.set, &cause) == -1) {
		fprintf(stderr, "proflab: %s\n", cause);
		free(cause);
		free(dir);
		profview_free(a.pv);
		return 1;
	}
	free(dir);
	path = progress_path(&cause);
	if (path == NULL || progress_load(&a.pr, path, &cause) == -1) {
		fprintf(stderr, "proflab: %s\n", cause);
		free(cause);
		free(path);
		lesson_set_free(&a.set);
		profview_free(a.pv);
		return 1;
	}
	free(path);
	outbuf_init(&a.out, OUTPUT_LINES);
	for (size_t i = 0; i < a.set.nerrors; i++) {
		char *line = xasprintf("proflab: %s\n", a.set.errors[i]);

		outbuf_feed(&a.out, 2, line, strlen(line));
		free(line);
	}
	if (a.set.nerrors > 0)
		app_message(&a, 1, "%zu lesson file(s) could not be read: see the output and l",
		    a.set.nerrors);

	scr = newterm(NULL, stdout, stdin);
	if (scr == NULL) {
		fprintf(stderr, "proflab: cannot use the terminal (TERM=%s)\n",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
		return 1;
	}
	fatal_set_cleanup(tui_cleanup);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	colours_init(opts->present);

	a.loop = loop_new();
	loop_add_fd(a.loop, STDIN_FILENO, POLLIN, app_input, &a);
	if (loop_add_signal(a.loop, SIGWINCH, app_signal, &a, &cause) == -1 ||
	    loop_add_signal(a.loop, SIGINT, app_signal, &a, &cause) == -1 ||
	    loop_add_signal(a.loop, SIGTERM, app_signal, &a, &cause) == -1 ||
	    loop_add_signal(a.loop, SIGHUP, app_signal, &a, &cause) == -1) {
		endwin();
		fprintf(stderr, "proflab: %s\n", cause);
		free(cause);
		return 1;
	}
	app_windows(&a);
	if (a.set.nlessons > 0) {
		int idx = 0;

		for (size_t i = 0; i < a.set.nlessons; i++) {
			if (a.set.lessons[i]->number == opts->lesson)
				idx = (int)i;
		}
		app_open_lesson(&a, idx, 0);
	}
	if (a.pv != NULL && a.message == NULL)
		app_message(&a, 0, "%s opened (P: lesson)", opts->prof_path);
	app_draw(&a);
	if (loop_run(a.loop, &cause) == -1) {
		rc = 1;
		free(cause);
	}
	if (a.have_run)
		run_free(&a.run);
	if (a.con_up)
		console_free(&a.con);
	consoleview_free(a.cv);
	app_con_queue_free(&a);
	if (a.con_tmpdir != NULL)
		paths_remove_tmpdir(a.con_tmpdir);
	free(a.con_tmpdir);
	app_cleanup_tmp(&a);
	if (a.redraw_timer != NULL)
		loop_cancel_timer(a.loop, a.redraw_timer);
	if (a.tick_timer != NULL)
		loop_cancel_timer(a.loop, a.tick_timer);
	if (a.mv_timer != NULL)
		loop_cancel_timer(a.loop, a.mv_timer);
	if (a.wlesson != NULL) {
		delwin(a.wlesson);
		delwin(a.wgraph);
		delwin(a.wout);
		delwin(a.wstatus);
		delwin(a.wpgraph);
		delwin(a.wprof);
		delwin(a.whist);
	}
	endwin();
	delscreen(scr);
	fatal_set_cleanup(NULL);
	loop_free(a.loop);
	if (a.lay_ok)
		layout_free(&a.lay);
	outbuf_free(&a.out);
	progress_free(&a.pr);
	lesson_set_free(&a.set);
	free(a.message);
	free(a.run_id);
	free(a.plot);
	profview_free(a.pv);
	app_prof_free(&a);
	linesview_free(a.lv);
	app_lines_free(&a);
	machineview_free(a.mv);
	histview_free(a.hv);
	free(a.hist_script);
	timing_opts_free(&a.timeit);
	buf_free(&a.mv_json);
	kept_free(&a.pv_graph);
	kept_free(&a.lv_graph);
	free(a.pv_id);
	free(a.pv_script);
	strv_free(a.pv_args);
	free(a.run_script);
	strv_free(a.run_args);
	return rc;
}
