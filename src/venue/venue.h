/*
 * venue.h (internal) -- the one dispatch point for venue backends.
 *
 * tl_venue_open picks a backend by the URL's scheme from the built-in table (and an optional
 * table the caller adds), checks that its mandatory slots are filled and its version is known,
 * allocates its private state and opens it. Every call to a backend goes through a function here:
 * argument checks, counters and fault injection live in this one place.
 */
#ifndef TL_VENUE_VENUE_H
#define TL_VENUE_VENUE_H

#include "tradeloop/venue.h"

typedef struct tl_venue_stats {
    uint64_t placed, cancels, reports, place_errors, cancel_errors;
} tl_venue_stats;

/* Fault injection for tests: fail the Nth call (1-based) of place or cancel with TL_EIO.
 * 0 = off. */
typedef struct tl_venue_faults {
    uint64_t fail_place_at;
    uint64_t fail_cancel_at;
} tl_venue_faults;

typedef struct tl_venue {
    const tl_venue_ops *ops; /* borrowed: static const table */
    void *state;             /* owned, ops->state_size bytes */
    uint32_t caps;           /* TL_VENUE_CAP_* of this instance: caps_of at open, or ops->caps */
    tl_venue_stats stats;
    tl_venue_faults faults;
} tl_venue;

/* extra: optional NULL-terminated array of additional backends (borrowed; must outlive the
 * venue). TL_ENOTSUP for an unknown scheme, TL_EINVAL for a malformed URL or backend table. */
int tl_venue_open(tl_venue *v, const char *url, const tl_clock *clock,
                  const tl_venue_ops *const *extra, tl_err *err);
void tl_venue_close(tl_venue *v);
/* Validates a backend table: version, scheme, mandatory slots. */
int tl_venue_ops_check(const tl_venue_ops *ops, tl_err *err);

/* The capabilities of this opened venue (0 when closed): what the dispatcher checks calls
 * against, and what the engine asks (TL_VENUE_CAP_IMMEDIATE: poll inline after placing). */
static inline uint32_t tl_venue_caps(const tl_venue *v)
{
    return v->ops != NULL ? v->caps : 0;
}

int tl_venue_place(tl_venue *v, const tl_venue_order *order, tl_err *err);
int tl_venue_cancel(tl_venue *v, uint64_t client_seq, tl_err *err);
int tl_venue_poll(tl_venue *v, tl_venue_report *out, size_t cap, size_t *n, tl_err *err);
int tl_venue_get_orders(tl_venue *v, tl_venue_order_info *out, size_t cap, size_t *n, tl_err *err);
int tl_venue_get_positions(tl_venue *v, tl_venue_position *out, size_t cap, size_t *n, tl_err *err);

/* The built-in backends. */
extern const tl_venue_ops tl_venue_sim_ops;   /* sim://   (venue/sim/sim.c) */
extern const tl_venue_ops tl_venue_paper_ops; /* paper:// (venue/paper/paper.c) */

#endif /* TL_VENUE_VENUE_H */
