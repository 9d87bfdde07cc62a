/*
 * venue.h -- the interface a trading venue implements (exchange, broker, simulator).
 *
 * Like SQLite's sqlite3_vfs: a versioned const table of function pointers, the size of the
 * backend's private state (the dispatcher allocates it, zeroed), capability bits, and a URL
 * scheme that selects it ("sim://?seed=42&fill_rate=0.7"). src/venue/venue.c is the only caller
 * through the table: argument checks, statistics and fault injection live there.
 *
 * The engine speaks to a venue asynchronously, as to a real exchange: place and cancel only send;
 * what the venue does (acknowledge, reject, fill, cancel, expire) comes back as reports drained
 * by poll (the seed's stream_fills). Reports are returned in the order the venue produced them.
 */
#ifndef TRADELOOP_VENUE_H
#define TRADELOOP_VENUE_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "fixed.h"
#include "order.h"

/* Version 2 appended on_quote and get_fills, version 3 adopt. An older table (built before them,
 * so possibly shorter) is still accepted: the dispatcher reads no slot its version lacks. */
#define TL_VENUE_OPS_VERSION 3

/* Capability bits. */
#define TL_VENUE_CAP_LIMIT     (1u << 0) /* LIMIT orders */
#define TL_VENUE_CAP_MARKET    (1u << 1) /* MARKET orders */
#define TL_VENUE_CAP_CANCEL    (1u << 2) /* cancel */
#define TL_VENUE_CAP_SIMULATED (1u << 3) /* no real money: deterministic simulation */
/* Every report caused by a place or cancel is due at once: a poll right after the call returns
 * them all, and no later report about that order comes without a new call. The engine may then
 * poll inline after placing instead of waiting for its next step. A backend whose timing depends
 * on its URL (sim:// with latency 0) says so through the optional caps_of slot. */
#define TL_VENUE_CAP_IMMEDIATE (1u << 4)
/* The venue prices MARKET orders from the quotes it is fed (on_quote): a host that drives it must
 * feed every quote to the venue before the engine acts on it. A venue without it prices on its
 * own, and feeding it quotes does nothing. */
#define TL_VENUE_CAP_QUOTES (1u << 5)
/* get_positions lists the asset balances of a spot account ("BTC", "USDT"), not net positions per
 * symbol: they hold funding the engine never traded, so they are not compared with the engine's
 * positions (the governed loop's reconciliation skips its position look for such a venue). */
#define TL_VENUE_CAP_BALANCES (1u << 6)

/* An order as sent to a venue. */
typedef struct tl_venue_order {
    uint64_t client_seq; /* the engine's id; every report about the order carries it back */
    char symbol[16];
    /* The order's id as the engine names it ("CLI00000001", a paper order id "PO..."),
     * NUL-terminated. Empty means the default name: a backend that needs one formats client_seq
     * with tl_order_format_client_id. */
    char client_id[TL_ORDER_ID_MAX];
    uint8_t side;   /* tl_side */
    uint8_t type;   /* tl_order_type */
    tl_fixed price; /* limit price (> 0), or the reference price of a MARKET order (>= 0;
                     * 0: none given, and a venue that needs one rejects the order) */
    tl_fixed qty;
    tl_fixed lot_size; /* the instrument's lot, so partial fills stay on the lot */
} tl_venue_order;

typedef enum tl_report_type {
    TL_REPORT_ACCEPTED = 0,    /* venue_seq assigned */
    TL_REPORT_REJECTED,        /* text says why */
    TL_REPORT_FILL,            /* trade_id, qty, price, fee */
    TL_REPORT_CANCELED,        /* cancel done */
    TL_REPORT_CANCEL_REJECTED, /* cancel refused (already filled, unknown) */
    TL_REPORT_EXPIRED
} tl_report_type;

typedef struct tl_venue_report {
    uint8_t type; /* tl_report_type */
    uint64_t client_seq;
    uint64_t venue_seq;             /* 0 when the venue never accepted the order */
    int64_t ts_ns;                  /* venue time of the event */
    char trade_id[TL_TRADE_ID_MAX]; /* FILL only */
    tl_fixed qty;                   /* FILL only */
    tl_fixed price;                 /* FILL only */
    tl_fixed fee;                   /* FILL only */
    char text[48];                  /* REJECTED / CANCEL_REJECTED reason, NUL-terminated */
} tl_venue_report;

/* The venue's view of an order (get_orders). */
typedef struct tl_venue_order_info {
    uint64_t client_seq;
    uint64_t venue_seq;
    char symbol[16];
    uint8_t side;
    uint8_t status; /* tl_order_status as the venue sees it */
    tl_fixed price, qty, filled_qty;
} tl_venue_order_info;

/* The venue's view of a position (get_positions). */
typedef struct tl_venue_position {
    char symbol[16];
    tl_fixed qty; /* signed net */
} tl_venue_position;

/* A fill as the venue keeps it (get_fills), for reconciliation: the same trade as a FILL report,
 * whether or not that report reached the engine. */
typedef struct tl_venue_fill {
    uint64_t seq; /* the fill's number at this venue, 1, 2, ... in the order of the fills: the
                   * cursor that lists the fills after it */
    uint64_t client_seq;
    uint64_t venue_seq;
    int64_t ts_ns; /* venue time of the fill, as in its report */
    char trade_id[TL_TRADE_ID_MAX];
    char symbol[16];
    uint8_t side;        /* tl_side */
    uint8_t reserved[7]; /* zero; named so that the struct has no padding (see fills.c) */
    tl_fixed qty, price, fee;
} tl_venue_fill;

typedef struct tl_venue_ops {
    int version;        /* TL_VENUE_OPS_VERSION */
    const char *scheme; /* "sim" for sim:// URLs */
    size_t state_size;  /* bytes of private state the dispatcher allocates (zeroed) */
    uint32_t caps;      /* TL_VENUE_CAP_*: everything the backend can do with some URL */

    /* Mandatory. url is borrowed; clock is borrowed and outlives the venue. */
    int (*open)(void *state, const char *url, const tl_clock *clock, tl_err *err);
    void (*close)(void *state);
    /* Sends an order. 0 means sent (reports follow), not accepted. */
    int (*place)(void *state, const tl_venue_order *order, tl_err *err);
    /* Asks to cancel; a CANCELED or CANCEL_REJECTED report follows. */
    int (*cancel)(void *state, uint64_t client_seq, tl_err *err);
    /* Copies up to cap reports that are due by now into out; *n gets the count. Reports not
     * copied stay queued for the next call. */
    int (*poll)(void *state, tl_venue_report *out, size_t cap, size_t *n, tl_err *err);
    /* Optional (NULL): snapshots for reconciliation. *n gets how many exist; at most cap are
     * copied. */
    int (*get_orders)(void *state, tl_venue_order_info *out, size_t cap, size_t *n, tl_err *err);
    int (*get_positions)(void *state, tl_venue_position *out, size_t cap, size_t *n, tl_err *err);
    /* Optional (NULL: the table's caps hold). Asked once, right after open: the capabilities of
     * this opened instance, a subset of the table's caps (the dispatcher refuses the open
     * otherwise). */
    uint32_t (*caps_of)(const void *state);

    /* Version 2 slots, optional (NULL). */

    /* A quote of symbol (borrowed, NUL-terminated, 1..15 bytes; 0 < bid <= ask, checked by the
     * dispatcher) stamped ts_ns. A backend with it has TL_VENUE_CAP_QUOTES. */
    int (*on_quote)(void *state, const char *symbol, tl_fixed bid, tl_fixed ask, int64_t ts_ns,
                    tl_err *err);
    /* The fills the venue still keeps with seq > after (0: from the oldest kept), oldest first:
     * at most cap copied into out, *n gets how many were copied and *next_cursor the seq of the
     * last one copied (after, when none). A backend keeps a bounded history: fills older than it
     * are gone, and a cursor before the oldest kept lists from the oldest kept (the caller sees
     * the gap: out[0].seq > after + 1). A cursor past the newest fill is TL_EINVAL. */
    int (*get_fills)(void *state, uint64_t after, tl_venue_fill *out, size_t cap, size_t *n,
                     uint64_t *next_cursor, tl_err *err);

    /* Version 3 slot, optional (NULL). */

    /* Hands the backend an order placed by an earlier session of the engine (recovered from its
     * journal, still live there) so that it follows it again: order as it was sent (its
     * client_id, or the default name of client_seq), venue_seq the venue's id the engine holds
     * (0: the engine never saw it acknowledged, and the backend reports ACCEPTED first). Every
     * fill the venue made of it is reported with the venue's trade id, those the engine already
     * holds too (the engine refuses a trade id twice), then its end when it has ended: reports
     * follow through poll as for a placed order. TL_ENOTFOUND when the venue has no such order
     * (it never got there): the engine expires it. A backend without the slot cannot follow an
     * order it did not place; the engine then expires the live orders the venue does not list. */
    int (*adopt)(void *state, const tl_venue_order *order, uint64_t venue_seq, tl_err *err);
} tl_venue_ops;

#endif /* TRADELOOP_VENUE_H */
