/*
 * replay.c -- simulated time: the earliest input next, the timers due before it first, the clock
 * moved to each, and the libuv loop pumped without blocking so signals and wall polls still come.
 */
#include "host/host_int.h"

#define PUMP_CHECK_ITEMS 64            /* items between two looks at the wall clock */
#define PUMP_WALL_NS     (1000 * 1000) /* pump at least this often in wall time */

/* Runs whatever libuv has ready (signals, wall polls) without waiting for anything. */
static int pump(tl_host *h)
{
    h->since_pump = 0;
    h->last_pump_ns = uv_hrtime();
    h->pumps++;
    h->in_uv = true;
    uv_run(&h->loop, UV_RUN_NOWAIT);
    h->in_uv = false;
    return tl__host_end_step(h);
}

static int maybe_pump(tl_host *h)
{
    h->since_pump++;
    if (h->since_pump >= h->opt.pump_items)
        return pump(h);
    if (h->since_pump % PUMP_CHECK_ITEMS == 0 && uv_hrtime() - h->last_pump_ns >= PUMP_WALL_NS)
        return pump(h);
    return 0;
}

/* The source whose next item is earliest; ties go to the one added first. */
static tl__host_src *earliest(tl_host *h)
{
    tl__host_src *best = NULL;
    for (size_t i = 0; i < h->n_srcs; i++) {
        tl__host_src *s = h->srcs[i];
        if (s->has_head && (best == NULL || s->head_ts < best->head_ts))
            best = s;
    }
    return best;
}

/* First run: timers started with a delay count from the first input's time. */
static void anchor(tl_host *h)
{
    tl__host_src *first = earliest(h);
    int64_t t0 = first != NULL ? first->head_ts : tl_clock_now(&h->clock);
    for (size_t i = 0; i < h->timers.n; i++) {
        tl_host_timer *t = h->timers.items[i];
        if (t->relative) {
            t->due_ns = t->due_ns > INT64_MAX - t0 ? INT64_MAX : t0 + t->due_ns;
            t->relative = false;
        }
    }
    tl__timers_heapify(&h->timers);
    h->started = true;
}

int tl__replay_run(tl_host *h)
{
    int rc;
    /* Every source's next item (all of them on the first run; after a stop, those dispatched
     * last), so the earliest can be chosen. */
    for (size_t i = 0; i < h->n_srcs && !h->stopping; i++)
        if ((rc = tl__src_fill(h, h->srcs[i])) < 0)
            return rc;
    if (!h->started)
        anchor(h);
    tl__host_src *s;
    while (!h->stopping && (s = earliest(h)) != NULL) {
        if ((rc = tl__timers_fire(h, s->head_ts)) < 0)
            return rc;
        if (h->stopping)
            break; /* a timer stopped the run: the item waits for the next one */
        if (s->head_ts > tl_clock_now(&h->clock))
            tl_clock_set(&h->clock, s->head_ts);
        if ((rc = tl__src_dispatch(h, s)) < 0 || (rc = tl__src_fill(h, s)) < 0 ||
            (rc = tl__host_end_step(h)) < 0 || (rc = maybe_pump(h)) < 0)
            return rc;
    }
    if (!h->stopping) {
        /* The inputs ended: what is due at the last input's time, then nothing more. */
        if ((rc = tl__timers_fire(h, tl_clock_now(&h->clock))) < 0 ||
            (rc = tl__host_end_step(h)) < 0)
            return rc;
    }
    /* A signal that came during the last items is not lost. */
    if ((rc = pump(h)) < 0)
        return rc;
    return h->rc;
}
