/*
 * timers.c -- the host's timers: a binary heap of caller-owned timers ordered by (due, creation),
 * and the one firing rule both modes use.
 *
 * Each timer knows its slot in the heap, so stopping one is O(log n) and a stopped timer is plain
 * memory again (no libuv handle to close before the caller may free it).
 */
#include <stdlib.h>

#include "core/vec.h"
#include "host/host_int.h"

static bool before(const tl_host_timer *a, const tl_host_timer *b)
{
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void place(tl__timer_heap *hp, size_t i, tl_host_timer *t)
{
    hp->items[i] = t;
    t->slot = (uint32_t)(i + 1);
}

static void sift_up(tl__timer_heap *hp, size_t i)
{
    tl_host_timer *t = hp->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(t, hp->items[parent]))
            break;
        place(hp, i, hp->items[parent]);
        i = parent;
    }
    place(hp, i, t);
}

static void sift_down(tl__timer_heap *hp, size_t i)
{
    tl_host_timer *t = hp->items[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= hp->n)
            break;
        if (c + 1 < hp->n && before(hp->items[c + 1], hp->items[c]))
            c++;
        if (!before(hp->items[c], t))
            break;
        place(hp, i, hp->items[c]);
        i = c;
    }
    place(hp, i, t);
}

int tl__timers_push(tl__timer_heap *hp, tl_host_timer *t)
{
    if (hp->n >= UINT32_MAX - 1)
        return TL_EFULL;
    if (TL_VEC_RESERVE(&hp->items, &hp->cap, hp->n + 1) != 0)
        return TL_ENOMEM;
    hp->items[hp->n] = t;
    sift_up(hp, hp->n++);
    return 0;
}

void tl__timers_remove(tl__timer_heap *hp, tl_host_timer *t)
{
    size_t i = (size_t)t->slot - 1;
    if (t->slot == 0 || i >= hp->n || hp->items[i] != t)
        return; /* not started (or a stale slot): nothing to remove */
    t->slot = 0;
    tl_host_timer *last = hp->items[--hp->n];
    if (i == hp->n)
        return;
    place(hp, i, last);
    sift_down(hp, i);
    sift_up(hp, (size_t)last->slot - 1);
}

tl_host_timer *tl__timers_top(const tl__timer_heap *hp)
{
    return hp->n > 0 ? hp->items[0] : NULL;
}

void tl__timers_heapify(tl__timer_heap *hp)
{
    for (size_t i = hp->n / 2; i-- > 0;)
        sift_down(hp, i);
    for (size_t i = 0; i < hp->n; i++)
        hp->items[i]->slot = (uint32_t)(i + 1);
}

void tl__timers_free(tl__timer_heap *hp)
{
    for (size_t i = 0; i < hp->n; i++)
        hp->items[i]->slot = 0;
    free(hp->items);
    hp->items = NULL;
    hp->n = hp->cap = 0;
}

/* The first period boundary strictly after t: due + k * repeat with k >= 1 the smallest that
 * passes t. Saturates at INT64_MAX (a timer that never comes due again). */
static int64_t next_boundary(int64_t due, int64_t repeat, int64_t t)
{
    __int128 k = t >= due ? ((__int128)t - due) / repeat + 1 : 1;
    __int128 next = (__int128)due + k * repeat;
    return next > INT64_MAX ? INT64_MAX : (int64_t)next;
}

int tl__timers_fire(tl_host *h, int64_t t)
{
    tl_host_timer *tm;
    while (!h->stopping && (tm = tl__timers_top(&h->timers)) != NULL && tm->due_ns <= t) {
        if (h->mode == TL_HOST_REPLAY && tm->due_ns > tl_clock_now(&h->clock))
            tl_clock_set(&h->clock, tm->due_ns);
        /* Rescheduled (or removed) before its callback runs, so the callback may stop or restart
         * it like any other timer. */
        if (tm->repeat_ns > 0) {
            tm->due_ns = tm->every ? next_boundary(tm->due_ns, tm->repeat_ns, tm->due_ns)
                                   : next_boundary(tm->due_ns, tm->repeat_ns, t);
            sift_down(&h->timers, 0);
        } else {
            tl__timers_remove(&h->timers, tm);
        }
        h->timer_fires++;
        int rc = tl__host_called(h, tm->cb(tm->ctx, tm, &h->err));
        if (rc < 0)
            return rc;
    }
    return 0;
}
