/*
 * host_int.h -- the host's internals, shared by its files (host.c: registration and the run;
 * timers.c: the heap and the firing rule; source.c: line sources; replay.c and live.c: the modes).
 */
#ifndef TL_HOST_HOST_INT_H
#define TL_HOST_HOST_INT_H

#include "host/host.h"

#define TL__HOST_READ_CHUNK (64 * 1024) /* bytes asked of one read */

typedef enum { SRC_LINES, SRC_ITEMS } tl__src_kind;

/* How a live line source is read. */
typedef enum { LIVE_NONE, LIVE_PIPE, LIVE_FILE } tl__live_kind;

typedef struct tl__host_src {
    tl_host *host;
    tl__src_kind kind;
    const tl_host_line_ops *lops;   /* SRC_LINES */
    const tl_host_source_ops *iops; /* SRC_ITEMS */
    void *ctx;
    char name[128];
    int fd;         /* owned until a libuv stream takes it over; -1 after */
    tl_lines lines; /* SRC_LINES: the framer */
    tl_line cur;    /* replay: the line peeked and not yet dispatched */
    bool has_head;  /* replay: the next item is peeked, at head_ts */
    int64_t head_ts;
    bool ended;
    tl__live_kind live;
    bool handle_open; /* the union below is initialised and not yet closed */
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_pipe_t pipe; /* LIVE_PIPE: pipes, FIFOs, ttys */
        uv_idle_t idle; /* LIVE_FILE: one chunk per loop turn */
    } u;
} tl__host_src;

typedef struct tl__host_handle {
    tl_host *host;
    bool is_signal;
    union {
        uv_handle_t handle;
        uv_signal_t signal;
        uv_timer_t timer;
    } u;
    tl_host_signal_cb sig_cb;
    tl_host_cb poll_cb;
    void *ctx;
} tl__host_handle;

/* host.c */
/* Records a failure (the first one wins) and stops the run. Returns rc. */
int tl__host_fail(tl_host *h, int rc);
/* Checks a callback's result: a negative one fails the run. Marks the step dirty. */
int tl__host_called(tl_host *h, int rc);
/* Ends the step: runs the step callback when a callback ran since the last end. */
int tl__host_end_step(tl_host *h);
/* The source has ended: counts it, and stops a run that waits for every source's end. */
void tl__host_src_ended(tl_host *h, tl__host_src *s);

/* timers.c */
int tl__timers_push(tl__timer_heap *hp, tl_host_timer *t);
void tl__timers_remove(tl__timer_heap *hp, tl_host_timer *t);
tl_host_timer *tl__timers_top(const tl__timer_heap *hp);
void tl__timers_heapify(tl__timer_heap *hp);
void tl__timers_free(tl__timer_heap *hp);
/* Fires, in (due, seq) order, every timer due at or before t (the coalescing rule in host.h).
 * Replay: sets the clock to each due time. Stops early when the run stops. */
int tl__timers_fire(tl_host *h, int64_t t);

/* source.c */
/* Replay: reads until the source's next item is peeked (has_head) or it ended. */
int tl__src_fill(tl_host *h, tl__host_src *s);
/* Replay: dispatches the peeked item (the clock already reads its time). */
int tl__src_dispatch(tl_host *h, tl__host_src *s);
/* Live: hands every complete buffered line to the source's callbacks; ends the source at its
 * end. */
int tl__src_drain(tl_host *h, tl__host_src *s);

/* replay.c, live.c */
int tl__replay_run(tl_host *h);
int tl__live_open(tl_host *h, tl__host_src *s, tl_err *err);
void tl__live_close_src(tl__host_src *s);
int tl__live_run(tl_host *h);
/* Live: arms the loop's timer for the earliest host timer (or stops it). */
void tl__live_arm(tl_host *h);

#endif /* TL_HOST_HOST_INT_H */
