/*
 * event.h -- the journal's unit: one state change.
 *
 * Every state change of the engine is one tl_event appended to the journal (trade_events). The
 * state in memory is a fold of these events: ORDER_FILLED events are the source of truth for cash
 * and positions, and replaying them (deduplicated by trade id) rebuilds both exactly. POSITION_*
 * events are breadcrumbs for people and are never replayed.
 *
 * An event is a flat, fixed-size record (no pointers), so a batch is one array that backends
 * encode into columns without allocating. Type values are stable: they are stored.
 */
#ifndef TRADELOOP_EVENT_H
#define TRADELOOP_EVENT_H

#include <stdint.h>

#include "fixed.h"

/* X(name, stored value) */
#define TL_EVENT_TYPE_MAP(X)                                                                       \
    X(INTENT_EMITTED, 1)                                                                           \
    X(POLICY_EVALUATED, 2)                                                                         \
    X(INTENT_APPROVED, 3)                                                                          \
    X(INTENT_DENIED, 4)                                                                            \
    X(ORDER_SUBMITTED, 5)                                                                          \
    X(ORDER_ACCEPTED, 6)                                                                           \
    X(ORDER_REJECTED, 7)                                                                           \
    X(ORDER_FILLED, 8)                                                                             \
    X(ORDER_CANCELED, 9)                                                                           \
    X(ORDER_EXPIRED, 10)                                                                           \
    X(POSITION_OPENED, 11)                                                                         \
    X(POSITION_SCALED, 12)                                                                         \
    X(POSITION_CLOSED, 13)                                                                         \
    X(RISK_FROZEN, 14)                                                                             \
    X(KILL_SWITCH, 15)                                                                             \
    X(CANCEL_REQUESTED, 16)                                                                        \
    X(FILL_REFUSED, 17)                                                                            \
    X(WORKSPACE_RESET, 18)                                                                         \
    X(RISK_UNFROZEN, 19)                                                                           \
    X(CANCEL_REJECTED, 20)                                                                         \
    X(ACCOUNT_FROZEN, 21)                                                                          \
    X(ACCOUNT_UNFROZEN, 22)                                                                        \
    X(RECONCILED, 23)                                                                              \
    X(BALANCE_FUNDED, 24)

typedef enum tl_event_type {
#define TL__EV_ENUM(name, value) TL_EV_##name = (value),
    TL_EVENT_TYPE_MAP(TL__EV_ENUM)
#undef TL__EV_ENUM
        TL_EV__MAX = 24
} tl_event_type;

#define TL_WORKSPACE_MAX  48 /* with NUL: [A-Za-z0-9._:-]{1,47} */
#define TL_IDEM_KEY_MAX   112
#define TL_EVENT_TEXT_MAX 128

typedef struct tl_event {
    uint64_t seq;   /* gap-free from 1, assigned by the store dispatch */
    int64_t ts_ns;  /* engine time of the change */
    uint16_t type;  /* tl_event_type */
    uint8_t side;   /* tl_side, order and fill events */
    uint8_t status; /* tl_order_status after the change, order events;
                       KILL_SWITCH: 1 engaged, 0 released */
    uint32_t pad;
    char workspace[TL_WORKSPACE_MAX]; /* workspace / account the change belongs to */
    char order_id[24];                /* "CLI00000001", "" when none */
    char idem_key[TL_IDEM_KEY_MAX];   /* idempotency key, "" when none */
    char symbol[16];                  /* "" when none */
    char trade_id[32];                /* ORDER_FILLED: the venue's trade id;
                                         ORDER_ACCEPTED: the venue's order id ("ORD000001") */
    tl_fixed qty;                     /* order quantity, or fill quantity for ORDER_FILLED;
                                         BALANCE_FUNDED (the exchange): the amount of asset
                                         `symbol` */
    tl_fixed price;                   /* limit price, or fill price */
    tl_fixed fee;                     /* ORDER_FILLED fee; WORKSPACE_RESET starting cash;
                                         POSITION_*: realized P&L of the fill */
    char text[TL_EVENT_TEXT_MAX];     /* reason or detail, "" when none */
} tl_event;

const char *tl_event_type_name(int type); /* "ORDER_FILLED", "?" when unknown */
/* TL_EINVAL when unknown. */
int tl_event_type_parse(const char *name, tl_event_type *out);
/* Checks a workspace id's syntax. */
int tl_workspace_validate(const char *ws, tl_err *err);

#endif /* TRADELOOP_EVENT_H */
