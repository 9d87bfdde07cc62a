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
    uint64_t quotes;          /* quotes passed to a backend that takes them */
    uint64_t fill_reports;    /* FILL reports polled from the backend, dropped ones included */
    uint64_t dropped_reports; /* reports swallowed by drop_report_at */
} tl_venue_stats;

/* Fault injection for tests (0 = off).
 * fail_place_at / fail_cancel_at: the Nth call (1-based) of place or cancel fails with TL_EIO.
 * drop_report_at: the Nth FILL report (1-based, counted in stats.fill_reports) that poll takes
 *   from the backend is swallowed: the caller never sees it, while the venue's own state
 *   (positions, get_fills, get_orders' filled_qty) has the fill. This is a venue that lost a fill
 *   report, for the reconciliation tests. */
typedef struct tl_venue_faults {
    uint64_t fail_place_at;
    uint64_t fail_cancel_at;
    uint64_t drop_report_at;
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
/* The venue's fills after a cursor (tl_venue_ops.get_fills). TL_ENOTSUP when the backend keeps
 * none. Page with next_cursor: *n < cap means none is left for now. */
int tl_venue_get_fills(tl_venue *v, uint64_t after, tl_venue_fill *out, size_t cap, size_t *n,
                       uint64_t *next_cursor, tl_err *err);
/* Hands the venue a live order of an earlier session (the adopt slot, venue.h): 0 when the
 * venue follows it again (reports follow through poll), TL_ENOTFOUND when the venue has no such
 * order, TL_ENOTSUP when the backend cannot adopt (no slot, or a table older than version 3).
 * The order is checked as a placed one is. */
int tl_venue_adopt(tl_venue *v, const tl_venue_order *order, uint64_t venue_seq, tl_err *err);
/* Feeds a quote to the venue. Checked first (symbol 1..15 bytes, 0 < bid <= ask: TL_EINVAL);
 * then a venue without TL_VENUE_CAP_QUOTES ignores it and 0 is returned, so a host feeds every
 * venue the same way. symbol is borrowed for the call. */
int tl_venue_on_quote(tl_venue *v, const char *symbol, tl_fixed bid, tl_fixed ask, int64_t ts_ns,
                      tl_err *err);

/* The built-in backends. */
extern const tl_venue_ops tl_venue_sim_ops;   /* sim://   (venue/sim/sim.c) */
extern const tl_venue_ops tl_venue_paper_ops; /* paper:// (venue/paper/paper.c) */
/* The live adapter on Binance's spot REST API (venue/binance/): never a default venue. */
extern const tl_venue_ops tl_venue_binance_http_ops;  /* binance+http://  */
extern const tl_venue_ops tl_venue_binance_https_ops; /* binance+https:// */

#endif /* TL_VENUE_VENUE_H */
