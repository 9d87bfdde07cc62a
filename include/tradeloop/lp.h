/*
 * lp.h -- the interface a liquidity provider implements (a simulated LP, a bank's RFQ API).
 *
 * Like venue.h: a versioned const table of function pointers, the size of the backend's private
 * state (the dispatcher allocates it, zeroed), capability bits, and a URL scheme that selects it
 * ("lpsim://?name=LP-1&spread_bps=10"). src/lp/lp.c is the only caller through the table:
 * argument checks, the checks of every answer, counters and fault injection live there.
 *
 * Calls are synchronous and happen in engine time (the clock given at open), but every answer is
 * stamped with the instant it reaches the caller: respond_ns = the call's now + the LP's response
 * delay. The desk measures response time as respond_ns - now and treats an answer whose
 * respond_ns is past its poll deadline as late, so a slow or silent LP is handled the same way,
 * deterministically, whether the clock is real or simulated.
 */
#ifndef TRADELOOP_LP_H
#define TRADELOOP_LP_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "fixed.h"
#include "instrument.h"

#define TL_LP_OPS_VERSION 1

/* Capability bits (both calls are mandatory, so none says whether one exists). */
#define TL_LP_CAP_SIMULATED (1u << 0) /* no real money: deterministic given clock and seed */

#define TL_LP_NAME_MAX     24 /* with NUL: "LP-1", [A-Za-z0-9._-]{1,23} */
#define TL_LP_QUOTE_ID_MAX 48 /* with NUL: the LP's quote id, printable, 1..47 bytes */
#define TL_LP_REASON_MAX   48 /* with NUL: why a request was refused, printable */

/* respond_ns of an answer that never comes (the never-answer fault; a backend may use it too):
 * later than any deadline. */
#define TL_LP_NEVER INT64_MAX

/* Which asset of the pair an amount counts. */
typedef enum tl_lp_asset { TL_LP_ASSET_BASE = 0, TL_LP_ASSET_QUOTE = 1 } tl_lp_asset;

typedef enum tl_lp_quote_status { TL_LP_QUOTED = 0, TL_LP_QUOTE_REFUSED = 1 } tl_lp_quote_status;

typedef enum tl_lp_exec_status { TL_LP_FILLED = 0, TL_LP_EXEC_REFUSED = 1 } tl_lp_exec_status;

/* A request for a quote, as the client asks it: "b 1.5 btc btcusdt". */
typedef struct tl_lp_request {
    uint64_t request_id;        /* the desk's id, > 0 */
    char symbol[TL_SYMBOL_MAX]; /* a pair tl_pair_parse splits: "BTCUSDT" */
    uint8_t side;               /* tl_side: the client's (BUY: the client buys the base) */
    uint8_t amount_asset;       /* tl_lp_asset: whether amount is in base or quote */
    tl_fixed amount;            /* > 0 */
} tl_lp_request;

/* An LP's answer to a request. */
typedef struct tl_lp_quote {
    uint8_t status;         /* tl_lp_quote_status */
    tl_fixed bid;           /* QUOTED: 0 < bid <= ask */
    tl_fixed ask;           /* QUOTED */
    tl_fixed price;         /* QUOTED: the LP's price for the amount on the client's side (> 0): the
                             * ask for a client buy, the bid for a sell, or worse for a large amount */
    int64_t valid_until_ns; /* QUOTED: last instant the quote can be executed */
    int64_t respond_ns;     /* when the answer reaches the caller (>= now) */
    char quote_id[TL_LP_QUOTE_ID_MAX]; /* QUOTED: the LP's id, "LP-1-000001" */
    char reason[TL_LP_REASON_MAX];     /* REFUSED: why, never empty */
} tl_lp_quote;

/* Executing a quote: what was quoted, sent back so the LP can check it. */
typedef struct tl_lp_exec_request {
    char quote_id[TL_LP_QUOTE_ID_MAX]; /* the LP's id from the quote */
    uint8_t side;                      /* tl_side, as requested */
    uint8_t amount_asset;              /* tl_lp_asset, as requested */
    tl_fixed amount;                   /* as requested, > 0 */
    tl_fixed price;                    /* the quote's price, > 0 */
} tl_lp_exec_request;

/* An LP's answer to an execution. */
typedef struct tl_lp_exec {
    uint8_t status;                /* tl_lp_exec_status */
    tl_fixed qty;                  /* FILLED: executed base quantity, > 0 */
    tl_fixed avg_price;            /* FILLED: average price, > 0 */
    int64_t respond_ns;            /* when the answer reaches the caller (>= now) */
    char reason[TL_LP_REASON_MAX]; /* REFUSED: "quote expired", "unknown quote", "refused", ... */
} tl_lp_exec;

typedef struct tl_lp_ops {
    int version;        /* TL_LP_OPS_VERSION */
    const char *scheme; /* "lpsim" for lpsim:// URLs */
    size_t state_size;  /* bytes of private state the dispatcher allocates (zeroed) */
    uint32_t caps;      /* TL_LP_CAP_* */

    /* Mandatory. url is borrowed; clock is borrowed and outlives the LP. */
    int (*open)(void *state, const char *url, const tl_clock *clock, tl_err *err);
    void (*close)(void *state);
    /* A quote for req (checked by the dispatcher) into *out. 0 with out->status saying QUOTED or
     * REFUSED; a negative TL_E* code only when the LP could not be asked at all. */
    int (*request_quote)(void *state, const tl_lp_request *req, tl_lp_quote *out, tl_err *err);
    /* Executes a quote: 0 with out->status FILLED or REFUSED (reason), or a negative code. */
    int (*execute_trade)(void *state, const tl_lp_exec_request *req, tl_lp_exec *out, tl_err *err);

    /* Optional (NULL: the scheme). The LP's name as people see it ("LP-1"): a string of at most
     * TL_LP_NAME_MAX - 1 bytes that the state owns and keeps while open. */
    const char *(*name_of)(const void *state);
} tl_lp_ops;

#endif /* TRADELOOP_LP_H */
