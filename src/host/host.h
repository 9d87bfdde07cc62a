/*
 * host.h -- the host: one event loop that drives a long-running command.
 *
 * The kernel (src/engine/) is single-threaded and does no I/O. The host turns the outside world
 * into calls of callbacks the command registered, one at a time, in one thread: lines of input
 * sources, timers, OS signals, a wall-clock poll, and the end of each step (where the command
 * flushes its journal: the host knows nothing of journals or engines). It runs on libuv, in its
 * own uv_loop_t (no global loop), in one of two modes that the code above it does not tell apart:
 *
 *   TL_HOST_REPLAY -- simulated time. The host owns a sim clock. Sources say when their next item
 *     is (peek); the host takes the earliest (ties: the source added first), fires every timer due
 *     at or before it (due order, ties: creation order), the clock set to each timer's due time,
 *     then sets the clock to the item's time and dispatches it. No sleeping, no wall clock: a
 *     replayed day is deterministic and takes seconds. Relative timers started before the run
 *     count from the first input's time (the clock reads 0 until then).
 *   TL_HOST_LIVE -- real time (CLOCK_REALTIME). Line sources are file descriptors read by libuv
 *     (pipes, ttys and FIFOs as streams; regular files a chunk per loop turn, so timers and
 *     signals are never starved); lines are dispatched as they arrive.
 *
 * Timers: a repeating timer whose period passed several times in one jump of the clock fires
 * once (at its first due time) and is then rescheduled to the first period boundary strictly
 * after the time the clock jumps to; a 1 s timer over 30-minute bars fires once per bar. The same
 * rule holds live (a loop that fell behind does not fire a burst). Both modes keep the timers in
 * one heap; live mode arms a single uv_timer_t for its earliest, so a timer is plain memory the
 * caller may free as soon as it is stopped.
 *
 * Signals (uv_signal_t) and wall-clock polls (uv_timer_t, period in wall milliseconds) work in
 * both modes: a replay runs the libuv loop without blocking (UV_RUN_NOWAIT) every pump_items
 * items, and whenever a millisecond of wall time passed (checked every 64 items), so a signal or
 * a kill file is noticed within a few ms even during a fast replay.
 *
 * Callbacks return 0 to go on or a negative TL_E* code (detail in the tl_err they get) to fail
 * the run: the host stops and tl_host_run returns that code. Any callback may call tl_host_stop;
 * the current callback finishes, the step ends (the step callback runs), and tl_host_run returns
 * 0. The step callback runs after each batch of work: in replay after each item with the timers
 * fired before it, and after each loop pump that ran a callback; live after each libuv callback
 * that ran one (a read's lines, the due timers, a signal, a poll). It does not run after a failure.
 *
 * Ownership: the caller allocates the tl_host and the tl_host_timer structs (a timer must stay
 * valid while it is started); the host allocates and owns its sources, signal and poll handles,
 * the file descriptors it opened or was given, and frees them in tl_host_close. ctx pointers are
 * borrowed and must outlive the host.
 */
#ifndef TL_HOST_HOST_H
#define TL_HOST_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "host/lines.h"
#include "tradeloop.h"
#include "tradeloop/clock.h"

typedef enum tl_host_mode {
    TL_HOST_REPLAY = 1,
    TL_HOST_LIVE = 2,
} tl_host_mode;

/* Positive results of peek callbacks (never errors). */
#define TL_HOST_SKIP 1 /* line peek: not an item (header, blank, comment), skip it silently */
#define TL_HOST_END  2 /* source peek: no more items */

typedef struct tl_host tl_host;
typedef struct tl_host_timer tl_host_timer;

/* A line source. Every slot but on_line may be NULL. */
typedef struct tl_host_line_ops {
    /* The line's timestamp (*ts_ns), TL_HOST_SKIP, or a negative code with detail in *why: the
     * line is bad and goes to on_bad. Called once per line in file order; the next line it accepts
     * is the next one on_line gets from this source, so the command may keep the parsed item.
     * Mandatory in replay mode; live, called when present (the timestamp is ignored). */
    int (*peek)(void *ctx, const tl_line *line, int64_t *ts_ns, tl_err *why);
    /* The line, dispatched; the clock reads its time in replay. */
    int (*on_line)(void *ctx, const tl_line *line, tl_err *err);
    /* A bad line (peek refused it, or it was longer than max_line: why->code TL_ERANGE), which
     * is skipped. Return 0 to go on. NULL: a bad line fails the run with why. */
    int (*on_bad)(void *ctx, uint64_t line_no, const tl_err *why, tl_err *err);
    /* The source ended (end of file or pipe). */
    int (*on_end)(void *ctx, tl_err *err);
} tl_host_line_ops;

/* A source of items that are not lines (a synthetic feed). Replay mode only. */
typedef struct tl_host_source_ops {
    /* 0 and the next item's time in *ts_ns, TL_HOST_END, or a negative code (fails the run).
     * Called once per item, after the previous one was dispatched. */
    int (*peek)(void *ctx, int64_t *ts_ns, tl_err *err);
    int (*dispatch)(void *ctx, tl_err *err);
} tl_host_source_ops;

typedef int (*tl_host_timer_cb)(void *ctx, tl_host_timer *t, tl_err *err);
typedef int (*tl_host_signal_cb)(void *ctx, int signum, tl_err *err);
typedef int (*tl_host_cb)(void *ctx, tl_err *err); /* wall polls, step end */

/* Caller-allocated. Zeroed or started before tl_host_timer_stop; the fields are the host's. */
struct tl_host_timer {
    int64_t due_ns;    /* next due time on the host clock (replay, before the run: the delay) */
    int64_t repeat_ns; /* period, 0 for a one-shot */
    uint64_t seq;      /* creation order: breaks ties between timers due at the same time */
    uint32_t slot;     /* index in the heap + 1; 0 when not started */
    bool relative;     /* replay, started before the run: due_ns counts from the first input */
    bool every;        /* the caller's choice, kept across starts: a repeating timer fires at
                        * every period a replay's jump passes, not once (a poll whose every
                        * round counts, such as the RFQ desk's); off by default (coalescing) */
    tl_host_timer_cb cb;
    void *ctx;
};

typedef struct tl_host_options {
    size_t max_line;     /* bytes of one line; 0: TL_LINES_MAX_DEFAULT (64 KiB) */
    uint32_t pump_items; /* replay: run the libuv loop at least every this many items; 0: 4096 */
    bool until_end;      /* live: stop when every source ended (replay always does) */
} tl_host_options;

/* The heap of started timers, ordered by (due_ns, seq). */
typedef struct tl__timer_heap {
    tl_host_timer **items; /* borrowed timers */
    size_t n, cap;
} tl__timer_heap;

struct tl__host_src;
struct tl__host_handle;

struct tl_host {
    tl_host_mode mode;
    tl_host_options opt;
    tl_clock clock;
    uv_loop_t loop;
    uv_timer_t uv_timer; /* live: armed for the earliest timer of the heap */
    tl__timer_heap timers;
    uint64_t timer_seq;
    struct tl__host_src **srcs; /* owned */
    size_t n_srcs, cap_srcs;
    size_t open_srcs;                 /* sources that have not ended */
    struct tl__host_handle **handles; /* owned: signal and poll handles */
    size_t n_handles, cap_handles;
    tl_host_cb on_step;
    void *step_ctx;
    bool started;  /* the run began once (replay: relative timers anchored) */
    bool running;  /* inside tl_host_run */
    bool stopping; /* tl_host_stop was called, or a callback failed */
    bool in_uv;    /* inside uv_run: tl_host_stop must also uv_stop */
    bool dirty;    /* a callback ran since the last step end */
    int rc;        /* the first failure of the run */
    tl_err err;    /* what callbacks write into; copied out by tl_host_run */
    uint32_t since_pump;
    uint64_t last_pump_ns;              /* uv_hrtime of the last pump */
    uint64_t items, timer_fires, pumps; /* counters, for tests and diagnostics */
};

/* opt NULL: defaults. On failure nothing is left to close. */
int tl_host_init(tl_host *h, tl_host_mode mode, const tl_host_options *opt, tl_err *err);
/* Closes every handle and descriptor the host owns and frees its memory. Not from a callback. */
void tl_host_close(tl_host *h);

/* The clock callbacks read: sim (replay) or real (live). Borrowed; valid until tl_host_close. */
const tl_clock *tl_host_clock(const tl_host *h);

/* A line source: a path, or "-" for standard input (the host reads a duplicate of fd 0). A FIFO
 * is opened read-write in live mode, so it is an inbox that survives its writers and never ends.
 * Not while running. ops is borrowed (static tables). */
int tl_host_add_lines(tl_host *h, const char *path, const tl_host_line_ops *ops, void *ctx,
                      tl_err *err);
/* The same on a descriptor the host takes over (closed by the host even when this fails). name
 * is copied and only used in messages. */
int tl_host_add_lines_fd(tl_host *h, int fd, const char *name, const tl_host_line_ops *ops,
                         void *ctx, tl_err *err);
/* An item source (replay only: TL_ENOTSUP live). Not while running. */
int tl_host_add_source(tl_host *h, const tl_host_source_ops *ops, void *ctx, tl_err *err);

/* Starts (or restarts) t to fire delay_ns from now, then every repeat_ns (0: once). _at takes an
 * instant of the host clock; one already past fires at the next opportunity. TL_EINVAL for a
 * negative delay or period; TL_ENOMEM. */
int tl_host_timer_start(tl_host *h, tl_host_timer *t, int64_t delay_ns, int64_t repeat_ns,
                        tl_host_timer_cb cb, void *ctx);
int tl_host_timer_start_at(tl_host *h, tl_host_timer *t, int64_t due_ns, int64_t repeat_ns,
                           tl_host_timer_cb cb, void *ctx);
/* Idempotent; allowed from any callback, the timer's own included. */
void tl_host_timer_stop(tl_host *h, tl_host_timer *t);

/* cb runs in the loop's thread after signum arrives (several arrivals may run it once). Installing
 * a handler replaces the signal's default action (SIGINT no longer terminates). */
int tl_host_on_signal(tl_host *h, int signum, tl_host_signal_cb cb, void *ctx, tl_err *err);
/* cb runs every period_ms of wall time, in both modes (a kill file, a database inbox). */
int tl_host_wall_poll(tl_host *h, uint64_t period_ms, tl_host_cb cb, void *ctx, tl_err *err);
/* The one step-end callback (NULL to remove). */
void tl_host_on_step(tl_host *h, tl_host_cb cb, void *ctx);

/* Runs until the inputs end (replay; live with until_end), tl_host_stop, or a failure: 0 or the
 * failing callback's code, with its detail in err. After a stop it may be called again: a replay
 * goes on where it stopped. Replay, when the inputs end: fires the timers due at the last input's
 * time, then returns (a final tick, if any, is the caller's). */
int tl_host_run(tl_host *h, tl_err *err);
/* After a run that returned (a replay whose inputs ended): waits, without inputs, for the signals
 * and wall polls (live: the sources and timers too) until tl_host_stop or a failure, as a command
 * that stays attached does (a dashboard kept on screen until q). Returns as tl_host_run does; at
 * once when nothing is registered that could stop it. */
int tl_host_wait(tl_host *h, tl_err *err);
/* Asks the run to return once the current callback is done. From any callback. */
void tl_host_stop(tl_host *h);

#endif /* TL_HOST_HOST_H */
