/*
 * order_store.h -- every order the engine knows, found in O(1) by client or venue id.
 *
 * Orders live in a pool (one array, grown by doubling only when the engine outgrows its plan), so
 * creating an order on the hot path allocates nothing. Two indexes map client and venue sequence
 * numbers to pool slots (tl_seqmap: ids are handed out, and mostly forgotten, in order); a third,
 * the trade-id set, remembers every fill applied so that a duplicate fill is refused before
 * anything changes.
 *
 * Terminal orders are not forgotten at once: a venue may still report a late fill for an order it
 * already canceled. They wait in a FIFO "retire queue" of `retain` orders; only when the queue
 * overflows is the oldest evicted (its slot, ids and trade ids freed). A fill for an evicted order
 * finds no order and is refused as unknown; the journal (which keeps every fill) is the record
 * beyond the window.
 *
 * Ownership: the store owns its pool, indexes and fill records; pointers to orders it hands out
 * are borrowed and stay valid until the order is evicted (never across tl_order_store_add when the
 * pool grows: callers keep client_seq, not pointers, across calls that add orders). The *_order
 * variants take such a pointer back, checked, to spare the execution loop a second lookup.
 */
#ifndef TL_EXEC_ORDER_STORE_H
#define TL_EXEC_ORDER_STORE_H

#include <stdint.h>

#include "core/hashmap.h"
#include "tradeloop/order.h"

typedef struct tl_fill_rec {
    tl_fill fill;
    uint32_t hash;  /* the trade id's hash (trade_hash): its low bits pick its trade-id bucket */
    uint32_t chain; /* next record in the same trade-id bucket, or UINT32_MAX */
    uint32_t next;  /* next fill of the same order, or UINT32_MAX; free-list link when free */
    uint32_t tail;  /* in an order's first record only: its last record, so appends are O(1) */
} tl_fill_rec;

/* The trade ids of every recorded fill, chained through the records themselves: a bucket holds
 * the first record of its chain. Inserting is two stores and removing unlinks one record, with no
 * allocation and no probing, and the buckets (4 bytes each) stay small enough to stay cached. */
typedef struct tl_trade_set {
    uint32_t *heads; /* owned: first record of each bucket's chain, or UINT32_MAX */
    uint32_t mask;   /* buckets - 1 (a power of two): a record's bucket is hash & mask */
    uint32_t count;  /* records in the set */
} tl_trade_set;

typedef struct tl_order_store_stats {
    uint64_t added;         /* orders created */
    uint64_t fills;         /* fills applied */
    uint64_t dup_fills;     /* refused: trade id already applied */
    uint64_t overfills;     /* refused: more than the order's leaves */
    uint64_t unknown_fills; /* refused: no such order (never seen, or evicted) */
    uint64_t late_fills;    /* applied to a CANCELED or EXPIRED order */
    uint64_t evicted;       /* terminal orders forgotten after the retain window */
} tl_order_store_stats;

typedef struct tl_order_store {
    tl_order *orders; /* owned pool */
    uint32_t cap;
    uint32_t free_head; /* free slot list, UINT32_MAX when empty */
    uint32_t used;      /* slots in use (live + retained) */
    tl_fill_rec *fills; /* owned fill-record pool */
    uint32_t fill_cap;
    uint32_t fill_free;
    tl_seqmap by_client;               /* client_seq -> slot */
    tl_seqmap by_venue;                /* venue_seq -> slot */
    tl_trade_set trade_ids;            /* fill records by trade id */
    uint32_t retire_head, retire_tail; /* FIFO of terminal slots, linked through order.next */
    uint32_t retired;                  /* terminal orders waiting in the queue */
    uint32_t retain;                   /* how many terminal orders to keep */
    uint64_t next_client_seq;          /* the next order's CLI number */
    tl_order_store_stats stats;
} tl_order_store;

/* capacity: orders expected at once (live + retained); retain: terminal orders kept for late
 * fills (0 means keep them all, never evict). 0 or TL_ENOMEM. */
int tl_order_store_init(tl_order_store *s, uint32_t capacity, uint32_t retain);
void tl_order_store_close(tl_order_store *s);

/* Copies *proto into a pool slot, assigns the next client_seq, and returns the stored order in
 * *out (borrowed). TL_ENOMEM when the pool cannot grow. */
int tl_order_store_add(tl_order_store *s, const tl_order *proto, tl_order **out);
/* tl_order_store_add of a proto made by tl_order_init (a new PENDING_NEW order), initialised in
 * its pool slot rather than copied there: the order the hot path creates for every intent. */
int tl_order_store_create(tl_order_store *s, uint32_t instrument, uint32_t account, tl_side side,
                          tl_order_type type, tl_fixed price, tl_fixed qty, int64_t now_ns,
                          tl_order **out);
/* Sets the first client_seq the store will assign (for a restart that continues numbering). */
void tl_order_store_set_next_seq(tl_order_store *s, uint64_t next_client_seq);

/* The order with this client or venue sequence number, NULL when none (0 is never an id). Inline:
 * the execution loop looks an order up for every report. */
static inline tl_order *tl_order_store_by_client(const tl_order_store *s, uint64_t client_seq)
{
    uint32_t slot;
    if (client_seq == 0 || !tl_seqmap_get(&s->by_client, client_seq, &slot))
        return NULL;
    return &s->orders[slot];
}

static inline tl_order *tl_order_store_by_venue(const tl_order_store *s, uint64_t venue_seq)
{
    uint32_t slot;
    if (venue_seq == 0 || !tl_seqmap_get(&s->by_venue, venue_seq, &slot))
        return NULL;
    return &s->orders[slot];
}
/* Looks up "CLI..." or "ORD..." text. NULL when malformed or unknown. */
tl_order *tl_order_store_by_id(const tl_order_store *s, const char *id);

/* Records the venue's id of an order (on its acknowledgement). TL_EDUPLICATE when another order
 * already has that venue id, TL_ESTATE when this order already has a different one. */
int tl_order_store_bind_venue(tl_order_store *s, tl_order *o, uint64_t venue_seq, tl_err *err);

/* Applies a non-fill event to the order with this client_seq (tl_order_apply), then queues it for
 * retirement if it became terminal. TL_ENOTFOUND, TL_ESTATE. */
int tl_order_store_apply(tl_order_store *s, uint64_t client_seq, tl_order_event ev, int64_t now_ns,
                         tl_err *err);

/* tl_order_store_apply for a caller that already holds the order (borrowed from this store):
 * saves the lookup by client_seq. TL_ENOTFOUND when o is not an order of this store. */
int tl_order_store_apply_order(tl_order_store *s, tl_order *o, tl_order_event ev, int64_t now_ns,
                               tl_err *err);

/* Applies a fill: TL_ENOTFOUND (unknown order), TL_EDUPLICATE (trade id seen), TL_EOVERFILL, or
 * tl_order_apply_fill's errors; each refusal is counted in stats and changes nothing else. On
 * success the fill is recorded with the order and *out_order (may be NULL) is the order. */
int tl_order_store_fill(tl_order_store *s, const tl_fill *fill, tl_order **out_order, tl_err *err);
/* tl_order_store_fill for a caller that already looked the order up: o is what
 * tl_order_store_by_client(s, fill->client_seq) returned (NULL when unknown), which saves a second
 * lookup. Same results and errors; an o that is not that order is ignored and looked up. */
int tl_order_store_fill_order(tl_order_store *s, tl_order *o, const tl_fill *fill,
                              tl_order **out_order, tl_err *err);

/* True when a fill with this trade id has been applied (and not evicted). */
bool tl_order_store_has_trade(const tl_order_store *s, const char *trade_id);
/* Store-internal, for tests: the trade-id bucket a NUL-terminated id falls in, UINT32_MAX when
 * the id is empty or too long. */
uint32_t tl__order_store_trade_bucket(const tl_order_store *s, const char *trade_id);

/* Visits every order that may still trade (tl_order_status_is_live), in slot order. The callback
 * must not add orders; returning non-zero stops the walk and is returned. */
typedef int (*tl_order_visit_fn)(void *ctx, tl_order *o);
int tl_order_store_each_live(tl_order_store *s, tl_order_visit_fn fn, void *ctx);

/* Copies up to cap of the order's fills, oldest first, into out; returns how many it copied. */
uint32_t tl_order_store_fills(const tl_order_store *s, const tl_order *o, tl_fill *out,
                              uint32_t cap);

#endif /* TL_EXEC_ORDER_STORE_H */
