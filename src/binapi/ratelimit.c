/*
 * ratelimit.c -- the rate-limit accountant and the client's header reader (ratelimit.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "binapi/ratelimit.h"

#define MINUTE_MS 60000
#define SEC10_MS  10000
#define DAY_MS    86400000

void tl_bapi_rl_limits_default(tl_bapi_rl_limits *l)
{
    l->weight_per_min = TL_BAPI_RL_WEIGHT_PER_MIN;
    l->orders_per_10s = TL_BAPI_RL_ORDERS_PER_10S;
    l->orders_per_day = TL_BAPI_RL_ORDERS_PER_DAY;
}

static void window_init(tl_bapi_rl_window *w)
{
    w->start_ms = INT64_MIN;
    w->used = 0;
}

void tl_bapi_rl_ip_init(tl_bapi_rl_ip *ip)
{
    window_init(&ip->minute);
}

void tl_bapi_rl_account_init(tl_bapi_rl_account *a)
{
    window_init(&a->sec10);
    window_init(&a->day);
}

/* Floor division: windows before the epoch start at a multiple too. */
static int64_t window_start(int64_t now_ms, int64_t len)
{
    int64_t q = now_ms / len;
    if (now_ms % len < 0)
        q--;
    return q * len;
}

/* The count of w at now_ms: a new window starts from zero; an older time counts in the newer
 * window it already has. */
static uint32_t roll(tl_bapi_rl_window *w, int64_t now_ms, int64_t len)
{
    int64_t s = window_start(now_ms, len);
    if (s > w->start_ms) {
        w->start_ms = s;
        w->used = 0;
    }
    return w->used;
}

static uint32_t add_sat(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/* Whole seconds until w's window ends, rounded up, at least 1. */
static uint32_t retry_after(const tl_bapi_rl_window *w, int64_t now_ms, int64_t len)
{
    int64_t left = w->start_ms + len - now_ms;
    int64_t s = (left + 999) / 1000;
    return s < 1 ? 1 : (uint32_t)s;
}

int tl_bapi_rl_charge(const tl_bapi_rl_limits *l, tl_bapi_rl_ip *ip, tl_bapi_rl_account *account,
                      uint32_t weight, uint32_t orders, int64_t now_ms, tl_bapi_rl_result *r,
                      tl_bapi_err *e)
{
    memset(r, 0, sizeof *r);
    roll(&ip->minute, now_ms, MINUTE_MS);
    ip->minute.used = add_sat(ip->minute.used, weight);
    r->used_weight_1m = ip->minute.used;
    if (ip->minute.used > l->weight_per_min) {
        r->retry_after_s = retry_after(&ip->minute, now_ms, MINUTE_MS);
        return tl_bapi_err_set(e, TL_BAPI_TOO_MANY_REQUESTS,
                               "Too much request weight used; current limit is %u request weight "
                               "per 1 MINUTE. Please use WebSocket Streams for live updates to "
                               "avoid polling the API.",
                               l->weight_per_min);
    }
    if (orders > 0 && account != NULL) {
        uint32_t c10 = add_sat(roll(&account->sec10, now_ms, SEC10_MS), orders);
        uint32_t cday = add_sat(roll(&account->day, now_ms, DAY_MS), orders);
        if (c10 > l->orders_per_10s || cday > l->orders_per_day) {
            bool ten = c10 > l->orders_per_10s;
            r->order_count_10s = account->sec10.used;
            r->order_count_1d = account->day.used;
            r->retry_after_s = ten ? retry_after(&account->sec10, now_ms, SEC10_MS)
                                   : retry_after(&account->day, now_ms, DAY_MS);
            return tl_bapi_err_set(e, TL_BAPI_TOO_MANY_ORDERS,
                                   "Too many new orders; current limit is %u orders per %s.",
                                   ten ? l->orders_per_10s : l->orders_per_day,
                                   ten ? "10 SECOND" : "1 DAY");
        }
        account->sec10.used = c10;
        account->day.used = cday;
        r->order_counts = true;
        r->order_count_10s = c10;
        r->order_count_1d = cday;
    }
    r->allowed = true;
    return 0;
}

int tl_bapi_rl_headers(const tl_bapi_rl_result *r, tl_bapi_header out[4])
{
    int n = 0;
    out[n].name = "X-MBX-USED-WEIGHT-1M";
    snprintf(out[n++].value, sizeof out[0].value, "%u", r->used_weight_1m);
    if (r->order_counts) {
        out[n].name = "X-MBX-ORDER-COUNT-10S";
        snprintf(out[n++].value, sizeof out[0].value, "%u", r->order_count_10s);
        out[n].name = "X-MBX-ORDER-COUNT-1D";
        snprintf(out[n++].value, sizeof out[0].value, "%u", r->order_count_1d);
    }
    if (!r->allowed) {
        out[n].name = "Retry-After";
        snprintf(out[n++].value, sizeof out[0].value, "%u", r->retry_after_s);
    }
    return n;
}

/* ---- the client's reading ---- */

void tl_bapi_rl_budget_init(tl_bapi_rl_budget *b)
{
    b->used_weight_1m = b->order_count_10s = b->order_count_1d = b->retry_after_s = -1;
}

int tl_bapi_rl_budget_header(tl_bapi_rl_budget *b, const char *name, const char *value)
{
    int64_t *slot;
    if (strcasecmp(name, "X-MBX-USED-WEIGHT-1M") == 0)
        slot = &b->used_weight_1m;
    else if (strcasecmp(name, "X-MBX-ORDER-COUNT-10S") == 0)
        slot = &b->order_count_10s;
    else if (strcasecmp(name, "X-MBX-ORDER-COUNT-1D") == 0)
        slot = &b->order_count_1d;
    else if (strcasecmp(name, "Retry-After") == 0)
        slot = &b->retry_after_s;
    else
        return TL_ENOTFOUND;
    const char *s = value;
    while (*s == ' ' || *s == '\t')
        s++;
    int64_t v = 0;
    int nd = 0;
    for (; *s >= '0' && *s <= '9'; s++, nd++) {
        v = v * 10 + (*s - '0');
        if (v > (1LL << 53))
            return TL_EINVAL;
    }
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    if (nd == 0 || *s != '\0')
        return TL_EINVAL;
    *slot = v;
    return 0;
}

static int64_t left(int64_t limit, int64_t used)
{
    if (used < 0)
        return limit;
    return used >= limit ? 0 : limit - used;
}

int64_t tl_bapi_rl_budget_weight_left(const tl_bapi_rl_budget *b, const tl_bapi_rl_limits *l)
{
    return left(l->weight_per_min, b->used_weight_1m);
}

int64_t tl_bapi_rl_budget_orders_left(const tl_bapi_rl_budget *b, const tl_bapi_rl_limits *l)
{
    int64_t a = left(l->orders_per_10s, b->order_count_10s);
    int64_t d = left(l->orders_per_day, b->order_count_1d);
    return a < d ? a : d;
}
