/*
 * projection.h (internal) -- what a batch of events does to the orders, trades and workspaces
 * tables: decided here, once, for every backend.
 *
 * The rules (store.h): an ORDER_SUBMITTED or INTENT_DENIED with an order id inserts an order;
 * ORDER_ACCEPTED, ORDER_REJECTED, ORDER_FILLED, ORDER_CANCELED, ORDER_EXPIRED and CANCEL_REQUESTED
 * with an order id update its status (an INTENT_DENIED order is DENIED), and a fill adds to its
 * filled quantity and sets filled_at to its time; ORDER_REJECTED and INTENT_DENIED set its reject
 * reason to their text. Only ORDER_FILLED inserts a trade: an ORDER_ACCEPTED carrying the venue's
 * order id in trade_id does not. Events of an order before its creation in the same batch match
 * no row (as an SQL UPDATE would not), so the creation starts afresh; an order created twice in
 * one batch is a duplicate. Every event advances its workspace's last seq (and sets its first
 * seq the first time the workspace is seen).
 *
 * tl_proj_fold folds a whole batch into a tl_projection: one entry per order the batch touches,
 * with its state after the batch, so a backend writes each order once (an INSERT of its final row,
 * or one UPDATE of an order an earlier batch created), then the trades, then one row per
 * workspace. Backends apply the result and decide nothing themselves. The arrays are kept from
 * batch to batch, so folding allocates nothing once it has seen the largest batch.
 */
#ifndef TL_STORE_PROJECTION_H
#define TL_STORE_PROJECTION_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop/store.h"

/* What one event does (tl_proj_event_ops), as bits. */
#define TL_PROJ_CREATE_ORDER 1u /* inserts its order */
#define TL_PROJ_UPDATE_ORDER 2u /* updates its order's row */
#define TL_PROJ_INSERT_TRADE 4u /* inserts a trade */

/* One order a batch touches. Pointers borrow the batch's events. */
typedef struct tl_proj_order {
    const tl_event *ev;         /* the creating event, or the first event of an older order */
    const tl_event *reason;     /* whose text is its reject reason (the last ORDER_REJECTED, or
                                   the creating INTENT_DENIED); NULL = unchanged / none */
    const tl_event *first_fill; /* its first fill in the batch, NULL when none */
    tl_fixed filled;            /* quantity this batch filled */
    int64_t filled_at;          /* time of its last fill in the batch, when first_fill */
    uint8_t status;             /* tl_order_status after the batch */
    uint8_t created;            /* 1: the batch inserts it; 0: created earlier, updated */
} tl_proj_order;

/* One workspace a batch appends to, with the seq range of its events in the batch. */
typedef struct tl_proj_ws {
    const char *workspace; /* borrowed from the batch */
    uint64_t first_seq, last_seq;
} tl_proj_ws;

typedef struct tl_projection {
    tl_proj_order *orders; /* in first-touch order */
    size_t n_orders, cap_orders;
    const tl_event **trades; /* the ORDER_FILLED events, in seq order */
    size_t n_trades, cap_trades;
    tl_proj_ws *ws; /* in first-seen order */
    size_t n_ws, cap_ws;
    size_t n_created, n_updated; /* orders to insert / to update */
    size_t n_updated_fills;      /* updated orders with a fill: they must exist */
    uint32_t *slots; /* open addressing over orders: index + 1, 0 = empty; <= half full */
    size_t nslots;
} tl_projection;

/* The TL_PROJ_* bits of one event: the only place that decides them. */
unsigned tl_proj_event_ops(const tl_event *ev);

/* Folds events[0..n) (ascending seq) into p, replacing what it held. TL_EDUPLICATE for an order
 * created twice in the batch, TL_ERANGE when a filled quantity overflows, TL_ENOMEM. p borrows
 * the events until the next fold. */
int tl_proj_fold(tl_projection *p, const tl_event *events, size_t n, tl_err *err);
/* Without folding: whether the batch creates any order and whether it inserts any trade. */
void tl_proj_needs(const tl_event *events, size_t n, int *creates, int *trades);
/* The reject reason to store for an order, "" when none. */
const char *tl_proj_reason(const tl_proj_order *o);
void tl_proj_free(tl_projection *p);

#endif /* TL_STORE_PROJECTION_H */
