/*
 * order.h -- orders, fills and the order state machine.
 *
 * The state machine is a table: for every (status, event) pair it names the next status or
 * refuses. A refused transition returns TL_ESTATE and leaves the order unchanged. The legal ones:
 *
 *   PENDING_NEW --accept--> OPEN            PENDING_NEW --reject--> REJECTED
 *   OPEN | PARTIALLY_FILLED --fill--> PARTIALLY_FILLED | FILLED (FILLED when nothing is left)
 *   PENDING_NEW --fill--> PARTIALLY_FILLED | FILLED (a venue may fill before it acknowledges)
 *   PENDING_NEW | OPEN | PARTIALLY_FILLED --cancel_request--> PENDING_CANCEL
 *   PENDING_CANCEL --cancel_ack--> CANCELED
 *   PENDING_CANCEL --cancel_reject--> the status it had before the request
 *   PENDING_CANCEL --fill--> PENDING_CANCEL, or FILLED when nothing is left
 *   OPEN | PARTIALLY_FILLED --expire--> EXPIRED
 *   (new) --deny--> DENIED: refused by the engine's own risk checks, never sent
 *   CANCELED | EXPIRED --fill--> unchanged status; the late fill is still applied and recorded,
 *     because the venue traded it and the position must say so.
 *
 * Duplicate fills (a trade id already applied) are refused by the order store before anything
 * changes; a fill larger than what is left is TL_EOVERFILL and changes nothing.
 */
#ifndef TRADELOOP_ORDER_H
#define TRADELOOP_ORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "fixed.h"

#define TL_TRADE_ID_MAX 32 /* venue trade id, with NUL */
#define TL_ORDER_ID_MAX 24 /* "CLI00000001" / "ORD000001", with NUL */

typedef enum tl_side { TL_SIDE_BUY = 0, TL_SIDE_SELL = 1 } tl_side;

typedef enum tl_order_type { TL_ORDER_LIMIT = 0, TL_ORDER_MARKET = 1 } tl_order_type;

#define TL_ORDER_STATUS_MAP(X)                                                                     \
    X(PENDING_NEW)                                                                                 \
    X(OPEN)                                                                                        \
    X(PARTIALLY_FILLED)                                                                            \
    X(FILLED)                                                                                      \
    X(PENDING_CANCEL)                                                                              \
    X(CANCELED)                                                                                    \
    X(REJECTED)                                                                                    \
    X(EXPIRED)                                                                                     \
    X(DENIED)

typedef enum tl_order_status {
#define TL__OS_ENUM(name) TL_OS_##name,
    TL_ORDER_STATUS_MAP(TL__OS_ENUM)
#undef TL__OS_ENUM
    TL_OS__COUNT
} tl_order_status;

#define TL_ORDER_EVENT_MAP(X)                                                                      \
    X(ACCEPT)                                                                                      \
    X(REJECT)                                                                                      \
    X(FILL)                                                                                        \
    X(CANCEL_REQUEST)                                                                              \
    X(CANCEL_ACK)                                                                                  \
    X(CANCEL_REJECT)                                                                               \
    X(EXPIRE)                                                                                      \
    X(DENY)

typedef enum tl_order_event {
#define TL__OEV_ENUM(name) TL_OEV_##name,
    TL_ORDER_EVENT_MAP(TL__OEV_ENUM)
#undef TL__OEV_ENUM
    TL_OEV__COUNT
} tl_order_event;

/* An order as the engine tracks it. Lives in the order store's pool; ids are sequence numbers
 * formatted on demand (client "CLI%08llu", venue "ORD%06llu"), so no string is built per order. */
typedef struct tl_order {
    uint64_t client_seq;  /* 1, 2, ...: CLI00000001, assigned by the store */
    uint64_t venue_seq;   /* 0 until the venue acknowledges: ORD000001 */
    uint32_t instrument;  /* index into the engine's tl_instruments */
    uint32_t account;     /* virtual account id */
    uint8_t side;         /* tl_side */
    uint8_t type;         /* tl_order_type */
    uint8_t status;       /* tl_order_status */
    uint8_t prev_status;  /* status before PENDING_CANCEL, restored by CANCEL_REJECT */
    uint32_t fill_count;  /* fills applied */
    tl_fixed price;       /* limit price (reference price for MARKET) */
    tl_fixed qty;         /* ordered quantity, > 0 */
    tl_fixed filled_qty;  /* sum of applied fills, <= qty */
    tl_fixed fees;        /* sum of fill fees, in the quote asset */
    __int128 fill_value;  /* sum of fill qty*price in 1e-16 units: exact average fill price */
    int64_t created_ns;   /* when the engine created it */
    int64_t updated_ns;   /* last change */
    uint32_t fill_head;   /* store-internal: first fill record of this order, or UINT32_MAX */
    uint32_t next;        /* store-internal: free list / retire queue link */
} tl_order;

/* One execution reported by a venue. */
typedef struct tl_fill {
    char trade_id[TL_TRADE_ID_MAX]; /* the venue's id of this execution; unique per venue */
    uint64_t client_seq;            /* order it belongs to */
    tl_fixed qty;                   /* > 0 */
    tl_fixed price;                 /* > 0 */
    tl_fixed fee;                   /* >= 0, quote asset */
    int64_t ts_ns;                  /* venue's time of the execution */
} tl_fill;

const char *tl_order_status_name(int status); /* "PENDING_NEW"..., "?" when out of range */
const char *tl_order_event_name(int event);
const char *tl_side_name(int side); /* "BUY" / "SELL" */
/* Parses a status name; TL_EINVAL when unknown. */
int tl_order_status_parse(const char *name, tl_order_status *out);

/* tl_order_transition's answer for PENDING_CANCEL + CANCEL_REJECT: "the status the order had
 * before the cancel request" (its prev_status), which the table alone cannot know. */
#define TL_ORDER_PREV_STATUS TL_OS__COUNT

/* The next status of (status, event), TL_ORDER_PREV_STATUS for a cancel reject, or -1 when
 * refused. For FILL it is the status after a fill that leaves something open (FILLED when
 * nothing is left is decided by tl_order_apply_fill); -1 means the status takes no fills. */
int tl_order_transition(tl_order_status status, tl_order_event event);
/* True for FILLED, CANCELED, REJECTED, EXPIRED, DENIED: nothing more will be sent for it. */
bool tl_order_status_is_terminal(int status);
/* True while the order may still trade at the venue (PENDING_NEW, OPEN, PARTIALLY_FILLED,
 * PENDING_CANCEL). */
bool tl_order_status_is_live(int status);

/* Initialises a new PENDING_NEW order (client_seq 0: the store assigns it). */
void tl_order_init(tl_order *o, uint32_t instrument, uint32_t account, tl_side side,
                   tl_order_type type, tl_fixed price, tl_fixed qty, int64_t now_ns);
/* Applies a non-fill event through the table. TL_ESTATE (order unchanged) when refused. */
int tl_order_apply(tl_order *o, tl_order_event event, int64_t now_ns, tl_err *err);
/* Applies a fill's quantity, price and fee: TL_EINVAL for qty <= 0 or price <= 0 or fee < 0,
 * TL_EOVERFILL when qty exceeds what is left, TL_ESTATE when the status takes no fills
 * (REJECTED, DENIED, FILLED counts as overfill). On error the order is unchanged. */
int tl_order_apply_fill(tl_order *o, tl_fixed qty, tl_fixed price, tl_fixed fee, int64_t now_ns,
                        tl_err *err);
/* Quantity not yet filled. */
static inline tl_fixed tl_order_leaves(const tl_order *o)
{
    return o->qty - o->filled_qty;
}

/* "CLI00000001" / "ORD000001" into buf (TL_ORDER_ID_MAX bytes). Return the length. */
int tl_order_format_client_id(uint64_t seq, char *buf);
int tl_order_format_venue_id(uint64_t seq, char *buf);
/* Parses them back; TL_EINVAL for anything else. */
int tl_order_parse_client_id(const char *s, uint64_t *seq);
int tl_order_parse_venue_id(const char *s, uint64_t *seq);

#endif /* TRADELOOP_ORDER_H */
