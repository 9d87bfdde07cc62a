/*
 * sim_params.c -- the parameters of a "sim://" URL (listed in sim.h): defaults and parsing.
 *
 * Kept apart from the simulator so that sim.c holds the model only; the key walker and the fee
 * parser are the ones every backend shares (venue/params.h).
 */
#include <assert.h>

#include "venue/params.h"
#include "venue/sim/sim.h"

/* The plan is allocated up front (about 300 bytes an order with its events): a URL must not be
 * able to ask for gigabytes (the fuzzer found capacity=9519196 asking for 2.9 GB). The store
 * still grows past the plan when a run needs it. */
#define SIM_MAX_CAPACITY (1u << 20)

/* ---- parameters --------------------------------------------------------------------------- */

void tl_sim_params_default(tl_sim_params *p)
{
    p->seed = 42;
    p->fill_rate = 70000000;    /* 0.7 */
    p->reject_rate = 5000000;   /* 0.05 */
    p->partial_rate = 30000000; /* 0.3 */
    p->latency_ns = TL_NS_PER_MS;
    p->fee_bps = TL_FIXED_INT(1);
    p->capacity = 1024;
    p->first_trade = 1;
    p->first_order = 1;
}

enum sim_key {
    K_SEED,
    K_FILL,
    K_REJECT,
    K_PARTIAL,
    K_LATENCY,
    K_FEE,
    K_CAPACITY,
    K_FIRST_TRADE,
    K_FIRST_ORDER,
    K__COUNT
};

static const char *const key_names[K__COUNT] = {
    [K_SEED] = "seed",          [K_FILL] = "fill_rate",
    [K_REJECT] = "reject_rate", [K_PARTIAL] = "partial_rate",
    [K_LATENCY] = "latency_us", [K_FEE] = "fee_bps",
    [K_CAPACITY] = "capacity",  [K_FIRST_TRADE] = "first_trade",
    [K_FIRST_ORDER] = "first_order",
};

static int bad(tl_err *err, enum sim_key k, const char *val, size_t len, const char *why)
{
    return tl__venue_param_bad(err, "sim", key_names[k], val, len, why);
}

static int parse_value(void *ctx, int key, const char *val, size_t len, tl_err *err)
{
    tl_sim_params *p = ctx;
    enum sim_key k = (enum sim_key)key;
    uint64_t u = 0;
    tl_fixed f = 0;
    switch (k) {
    case K_SEED:
        if (tl__venue_parse_u64(val, len, &u) < 0)
            return bad(err, k, val, len, "not an unsigned integer");
        p->seed = u;
        return 0;
    case K_LATENCY:
        if (len > 1 && val[0] == '-' && tl__venue_parse_u64(val + 1, len - 1, &u) == 0)
            return bad(err, k, val, len, "must be >= 0");
        if (tl__venue_parse_u64(val, len, &u) < 0)
            return bad(err, k, val, len, "not an unsigned integer");
        if (u > (uint64_t)(INT64_MAX / TL_NS_PER_US) / 4) /* now + 2 latencies must stay sane */
            return bad(err, k, val, len, "too large");
        p->latency_ns = (int64_t)u * TL_NS_PER_US;
        return 0;
    case K_FIRST_TRADE:
    case K_FIRST_ORDER:
        /* A venue that continues an earlier session (a resumed shadow run) numbers its trades
         * and orders on from there: a trade id is never handed out twice. */
        if (tl__venue_parse_u64(val, len, &u) < 0)
            return bad(err, k, val, len, "not an unsigned integer");
        if (u < 1 || u > UINT64_MAX / 4)
            return bad(err, k, val, len, "must be >= 1");
        *(k == K_FIRST_TRADE ? &p->first_trade : &p->first_order) = u;
        return 0;
    case K_CAPACITY:
        if (tl__venue_parse_u64(val, len, &u) < 0)
            return bad(err, k, val, len, "not an unsigned integer");
        if (u < 1 || u > SIM_MAX_CAPACITY)
            return bad(err, k, val, len, "must be in 1..1048576");
        p->capacity = (uint32_t)u;
        return 0;
    case K_FILL:
    case K_REJECT:
    case K_PARTIAL:
        if (tl_fixed_parse(val, len, &f, NULL) < 0)
            return bad(err, k, val, len, "not a decimal number");
        if (f < 0 || f > TL_FIXED_SCALE)
            return bad(err, k, val, len, "must be in [0, 1]");
        *(k == K_FILL ? &p->fill_rate : k == K_REJECT ? &p->reject_rate : &p->partial_rate) = f;
        return 0;
    case K_FEE:
        return tl__venue_parse_fee_bps("sim", key_names[k], val, len, &p->fee_bps, err);
    default:
        assert(0);
        return TL_EINVAL;
    }
}

int tl_sim_params_parse(const char *url, tl_sim_params *out, tl_err *err)
{
    if (url == NULL || out == NULL)
        return tl_err_set(err, TL_EINVAL, "sim: NULL URL or params");
    tl_sim_params p;
    tl_sim_params_default(&p);
    int rc = tl__venue_params_each(url, "sim", key_names, K__COUNT, parse_value, &p, err);
    if (rc < 0)
        return rc;
    *out = p;
    return 0;
}
