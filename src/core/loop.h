/*
 * The event loop: one ppoll() over registered descriptors, one-shot timers at
 * absolute CLOCK_MONOTONIC deadlines (so periodic work re-arms at start + k *
 * interval and never drifts), and signals delivered through a self-pipe so
 * their handlers run in the loop, not in signal context.
 *
 * One loop per process (the signal pipe is process-wide). Callbacks may add
 * and remove descriptors and timers, including their own.
 */
#ifndef PROFLAB_CORE_LOOP_H
#define PROFLAB_CORE_LOOP_H

struct loop;
struct loop_timer;

typedef void (*loop_fd_cb)(int fd, short revents, void *arg);
typedef void (*loop_timer_cb)(void *arg);
typedef void (*loop_signal_cb)(int signo, void *arg);

/* CLOCK_MONOTONIC in seconds: the clock of every deadline and sample. */
double loop_now(void);

struct loop *loop_new(void);
/* Restores the signals the loop took and frees it; timers are cancelled. */
void loop_free(struct loop *l);

void loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg);
void loop_set_events(struct loop *l, int fd, short events);
void loop_remove_fd(struct loop *l, int fd);

/* A one-shot timer at the absolute time `when` (loop_now's clock). */
struct loop_timer *loop_add_timer(struct loop *l, double when, loop_timer_cb cb, void *arg);
/* Cancels a pending timer; a fired timer is already gone and must not be cancelled. */
void loop_cancel_timer(struct loop *l, struct loop_timer *t);

/* Routes signo to cb (replacing an earlier route of it); 0, or -1 with *cause. */
int loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *arg, char **cause);

/*
 * Runs until loop_stop, or until nothing is left to wait on: no descriptor, no
 * timer and no routed signal.
 */
int loop_run(struct loop *l, char **cause);
/* One turn: waits at most `timeout` seconds (< 0: no limit), dispatches what is ready. */
int loop_once(struct loop *l, double timeout, char **cause);
void loop_stop(struct loop *l);
int loop_stopped(const struct loop *l);

#endif
