/*
 * ratelimit.h -- Binance's rate limits as a deterministic accountant on the caller's clock, and
 * the client's reading of the same headers.
 *
 * Source: binance/binance-spot-api-docs, rest-api.md "LIMITS" and enums.md "Rate limiters
 * (rateLimitType)":
 *  - REQUEST_WEIGHT per minute is counted per IP: every response carries
 *    X-MBX-USED-WEIGHT-(intervalNum)(intervalLetter), here X-MBX-USED-WEIGHT-1M;
 *  - ORDERS are counted per account, here per 10 seconds and per day: a successful order's
 *    response carries X-MBX-ORDER-COUNT-10S and X-MBX-ORDER-COUNT-1D;
 *  - past a limit the answer is HTTP 429 with a Retry-After header, "the number of seconds
 *    required to wait": -1003 TOO_MANY_REQUESTS for weight, -1015 TOO_MANY_ORDERS for orders
 *    (errors.md).
 * The defaults are the documented examples: 6000 weight per minute (enums.md), 50 orders per 10
 * seconds and 160000 per day (rest-api.md "Query Unfilled Order Count").
 *
 * Windows are fixed intervals aligned on the epoch (a minute starts at a whole minute), so the
 * counts are a function of the requests and their times only. A request's weight is counted even
 * when it is refused, as a request that reached the server was made; a refused order is not
 * counted as an order. Binance also gives an order count back when orders fill
 * (faqs/order_count_decrement.md); this accountant does not.
 */
#ifndef TL_BINAPI_RATELIMIT_H
#define TL_BINAPI_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "binapi/errors.h"

#define TL_BAPI_RL_WEIGHT_PER_MIN 6000u
#define TL_BAPI_RL_ORDERS_PER_10S 50u
#define TL_BAPI_RL_ORDERS_PER_DAY 160000u

/* The limits, as exchangeInfo's rateLimits would list them. */
typedef struct tl_bapi_rl_limits {
    uint32_t weight_per_min; /* REQUEST_WEIGHT, MINUTE, 1 */
    uint32_t orders_per_10s; /* ORDERS, SECOND, 10 */
    uint32_t orders_per_day; /* ORDERS, DAY, 1 */
} tl_bapi_rl_limits;

void tl_bapi_rl_limits_default(tl_bapi_rl_limits *l);

/* One counter over fixed windows of a length. */
typedef struct tl_bapi_rl_window {
    int64_t start_ms; /* the current window's start; INT64_MIN before the first charge */
    uint32_t used;
} tl_bapi_rl_window;

/* The per-IP state (one per client address) and the per-account state (one per account). Both
 * caller-allocated; init before the first charge. */
typedef struct tl_bapi_rl_ip {
    tl_bapi_rl_window minute;
} tl_bapi_rl_ip;
typedef struct tl_bapi_rl_account {
    tl_bapi_rl_window sec10, day;
} tl_bapi_rl_account;

void tl_bapi_rl_ip_init(tl_bapi_rl_ip *ip);
void tl_bapi_rl_account_init(tl_bapi_rl_account *a);

/* What one charge decided, and the header values to answer with. */
typedef struct tl_bapi_rl_result {
    bool allowed;
    bool order_counts;        /* X-MBX-ORDER-COUNT-* apply: an order was charged and allowed */
    uint32_t used_weight_1m;  /* X-MBX-USED-WEIGHT-1M */
    uint32_t order_count_10s; /* X-MBX-ORDER-COUNT-10S */
    uint32_t order_count_1d;  /* X-MBX-ORDER-COUNT-1D */
    uint32_t retry_after_s;   /* Retry-After when refused: seconds to the window's end */
} tl_bapi_rl_result;

/* Charges a request of weight (>= 0) from ip at now_ms and, when orders > 0, that many new
 * orders to account (non-NULL then). 0 with r->allowed, or a refusal with r filled and e set:
 * -1003 "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please
 * use WebSocket Streams for live updates to avoid polling the API." (TL_EBUSY) or -1015 "Too
 * many new orders; current limit is 50 orders per 10 SECOND." (TL_EBUSY), both HTTP 429. Time
 * going backwards is allowed (counts stay in the newer window). */
int tl_bapi_rl_charge(const tl_bapi_rl_limits *l, tl_bapi_rl_ip *ip, tl_bapi_rl_account *account,
                      uint32_t weight, uint32_t orders, int64_t now_ms, tl_bapi_rl_result *r,
                      tl_bapi_err *e);

/* The response headers of r: X-MBX-USED-WEIGHT-1M always, the two order counts when
 * r->order_counts, Retry-After when refused. Returns how many were written (at most 4). */
typedef struct tl_bapi_header {
    const char *name; /* static */
    char value[24];
} tl_bapi_header;
int tl_bapi_rl_headers(const tl_bapi_rl_result *r, tl_bapi_header out[4]);

/* The client side: what the server's headers say is used, -1 while unknown. */
typedef struct tl_bapi_rl_budget {
    int64_t used_weight_1m;
    int64_t order_count_10s;
    int64_t order_count_1d;
    int64_t retry_after_s;
} tl_bapi_rl_budget;

void tl_bapi_rl_budget_init(tl_bapi_rl_budget *b);
/* One response header (name case-insensitive, as HTTP's are; value with surrounding blanks). 0
 * when it was one of the four and b took it, TL_ENOTFOUND for any other header, TL_EINVAL for a
 * value that is not a whole number 0..2^53 (b untouched). */
int tl_bapi_rl_budget_header(tl_bapi_rl_budget *b, const char *name, const char *value);
/* What is left under l: the weight of this minute; the orders, the smaller of what is left in
 * this 10 s and today. The full limit while unknown, 0 when used up. */
int64_t tl_bapi_rl_budget_weight_left(const tl_bapi_rl_budget *b, const tl_bapi_rl_limits *l);
int64_t tl_bapi_rl_budget_orders_left(const tl_bapi_rl_budget *b, const tl_bapi_rl_limits *l);

#endif /* TL_BINAPI_RATELIMIT_H */
