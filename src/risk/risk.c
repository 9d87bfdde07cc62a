/*
 * risk.c -- the runtime risk monitor (see risk.h).
 *
 * Every limit is compared exactly: products of two fixed values stay in 128 bits (1e-16 units)
 * and are compared against the limit scaled to the same units, so "exactly at the limit" and
 * "1e-8 past it" never round to the same answer. Texts are built only when the caller asked for
 * them (err != NULL), keeping the accepted path free of formatting.
 */
#include "risk/risk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC 1000000000LL
/* A throttle above this is a typo, and its ring would be gigabytes. */
#define RATE_MAX 1000000u
/* Text of a 128-bit value: sign, 39 digits, point, NUL. */
#define WIDE_STRLEN 48

static const char *const reason_names[TL_RR__COUNT] = {
#define TL__RR_NAME(name, text) #name,
    TL_RISK_REASON_MAP(TL__RR_NAME)
#undef TL__RR_NAME
};

static const char *const reason_texts[TL_RR__COUNT] = {
#define TL__RR_TEXT(name, text) text,
    TL_RISK_REASON_MAP(TL__RR_TEXT)
#undef TL__RR_TEXT
};

const char *tl_risk_reason_name(int reason)
{
    return reason >= 0 && reason < TL_RR__COUNT ? reason_names[reason] : "?";
}

const char *tl_risk_reason_text(int reason)
{
    return reason >= 0 && reason < TL_RR__COUNT ? reason_texts[reason] : "unknown reason";
}

/* Exact text of (neg ? -1 : 1) * mag / 10^decimals, trailing zeros trimmed, for products that
 * may not fit a tl_fixed (|qty| x price is in 1e-16 units and can exceed the fixed range). */
static const char *fmt_wide_u(unsigned __int128 mag, bool neg, int decimals, char *buf)
{
    unsigned __int128 pow = 1;
    char tmp[WIDE_STRLEN];
    int n = 0, i = 0;

    for (int d = 0; d < decimals; d++)
        pow *= 10;
    unsigned __int128 ip = mag / pow, fp = mag % pow;
    do {
        tmp[n++] = (char)('0' + (int)(ip % 10));
        ip /= 10;
    } while (ip);
    if (neg && mag)
        buf[i++] = '-';
    while (n)
        buf[i++] = tmp[--n];
    if (fp) {
        int width = decimals;
        while (fp % 10 == 0) {
            fp /= 10;
            width--;
        }
        buf[i++] = '.';
        for (int d = width - 1; d >= 0; d--) {
            buf[i + d] = (char)('0' + (int)(fp % 10));
            fp /= 10;
        }
        i += width;
    }
    buf[i] = '\0';
    return buf;
}

static const char *fmt_wide(__int128 v, int decimals, char *buf)
{
    unsigned __int128 mag = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
    return fmt_wide_u(mag, v < 0, decimals, buf);
}

static const char *fmt(tl_fixed v, char *buf)
{
    tl_fixed_format(v, buf, TL_FIXED_STRLEN);
    return buf;
}

#define CHECK_NONNEG(cfg, field, err)                                                              \
    do {                                                                                           \
        if ((cfg)->field < 0)                                                                      \
            return tl_err_set(err, TL_EINVAL, #field " must not be negative");                     \
    } while (0)

int tl_risk_config_validate(const tl_risk_config *cfg, tl_err *err)
{
    CHECK_NONNEG(cfg, max_order_notional, err);
    CHECK_NONNEG(cfg, collar_bps, err);
    CHECK_NONNEG(cfg, max_inventory_usd, err);
    CHECK_NONNEG(cfg, max_total_notional, err);
    CHECK_NONNEG(cfg, edge_threshold_bps, err);
    if (cfg->max_orders_per_sec > RATE_MAX)
        return tl_err_set(err, TL_EINVAL, "max_orders_per_sec must be at most %u", RATE_MAX);
    return 0;
}

int tl_risk_init(tl_risk *r, const tl_risk_config *cfg, uint32_t instruments, tl_err *err)
{
    tl_risk m;
    int rc = tl_risk_config_validate(cfg, err);

    if (rc != 0)
        return rc;
    memset(&m, 0, sizeof(m));
    m.cfg = *cfg;
    if (instruments) {
        m.ref_price = calloc(instruments, sizeof(tl_fixed));
        if (!m.ref_price)
            return tl_err_set(err, TL_ENOMEM, "risk: no memory for %u reference prices",
                              instruments);
        m.ref_count = instruments;
    }
    if (cfg->max_orders_per_sec) {
        /* Written out now rather than left to calloc's lazy zero pages: the ring can be megabytes,
         * and its first pass would otherwise take a page fault every 512 orders on the hot path. */
        size_t bytes = (size_t)cfg->max_orders_per_sec * sizeof(int64_t);
        m.rate_ring = malloc(bytes);
        if (!m.rate_ring) {
            free(m.ref_price);
            return tl_err_set(err, TL_ENOMEM, "risk: no memory for the rate window");
        }
        memset(m.rate_ring, 0, bytes);
    }
    *r = m;
    return 0;
}

void tl_risk_close(tl_risk *r)
{
    free(r->ref_price);
    free(r->rate_ring);
    memset(r, 0, sizeof(*r));
}

int tl_risk_set_reference(tl_risk *r, uint32_t instrument, tl_fixed price)
{
    if (instrument >= r->ref_count || price < 0)
        return TL_EINVAL;
    r->ref_price[instrument] = price;
    return 0;
}

/* Counts a refusal and returns TL_ERISK. */
static int refuse(tl_risk *r, tl_risk_reason why, tl_risk_reason *reason)
{
    r->stats.blocks++;
    r->stats.blocks_by_reason[why]++;
    if (reason)
        *reason = why;
    return TL_ERISK;
}

/* The instrument's own rules, through the instrument module so there is one definition of a
 * valid price and quantity; only the classification into reasons is done here. */
static tl_risk_reason check_instrument(const tl_instrument *inst, tl_fixed price, tl_fixed qty,
                                       tl_err *err)
{
    tl_err e;

    if (tl_instrument_check_price(inst, price, &e) != 0) {
        tl_err_set(err, TL_ERISK, "BAD_PRICE: %s", e.msg);
        return TL_RR_BAD_PRICE;
    }
    if (tl_instrument_check_qty(inst, qty, &e) != 0) {
        tl_risk_reason why = TL_RR_BAD_QTY;
        if (qty > 0 && tl_fixed_is_multiple(qty, inst->lot_size))
            why = qty < inst->min_qty ? TL_RR_QTY_BELOW_MIN : TL_RR_QTY_ABOVE_MAX;
        tl_err_set(err, TL_ERISK, "%s: %s", reason_names[why], e.msg);
        return why;
    }
    return TL_RR_OK;
}

int tl_risk_check(tl_risk *r, const tl_instrument *inst, uint32_t instrument, tl_side side,
                  tl_fixed price, tl_fixed qty, const tl_risk_exposure *exposure, int64_t now_ns,
                  tl_risk_reason *reason, tl_err *err)
{
    static const tl_risk_exposure none = {0};
    const tl_risk_config *c = &r->cfg;
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], d[TL_FIXED_STRLEN];
    char w[WIDE_STRLEN], w2[WIDE_STRLEN];
    tl_risk_reason why;

    if (!exposure)
        exposure = &none;
    r->stats.checks++;

    if (r->frozen) {
        tl_err_set(err, TL_ERISK, "FROZEN: %s",
                   r->freeze_reason[0] ? r->freeze_reason : reason_texts[TL_RR_FROZEN]);
        return refuse(r, TL_RR_FROZEN, reason);
    }
    if (!inst) {
        tl_err_set(err, TL_ERISK, "UNKNOWN_INSTRUMENT: instrument id %u", instrument);
        return refuse(r, TL_RR_UNKNOWN_INSTRUMENT, reason);
    }
    why = check_instrument(inst, price, qty, err);
    if (why != TL_RR_OK)
        return refuse(r, why, reason);

    /* Order notional, exact in 1e-16 units. */
    __int128 notional = (__int128)price * qty;
    if (notional < (__int128)inst->min_notional * TL_FIXED_SCALE) {
        if (err)
            tl_err_set(err, TL_ERISK, "NOTIONAL_BELOW_MIN: %s x %s = %s < %s", fmt(qty, a),
                       fmt(price, b), fmt_wide(notional, 16, w), fmt(inst->min_notional, d));
        return refuse(r, TL_RR_NOTIONAL_BELOW_MIN, reason);
    }
    if (c->max_order_notional > 0 && notional > (__int128)c->max_order_notional * TL_FIXED_SCALE) {
        if (err)
            tl_err_set(err, TL_ERISK, "ORDER_NOTIONAL: %s x %s = %s > %s", fmt(qty, a),
                       fmt(price, b), fmt_wide(notional, 16, w), fmt(c->max_order_notional, d));
        return refuse(r, TL_RR_ORDER_NOTIONAL, reason);
    }

    tl_fixed ref = tl_risk_reference(r, instrument);
    if (c->collar_bps > 0) {
        if (ref <= 0) {
            if (err)
                tl_err_set(err, TL_ERISK, "NO_REFERENCE: no reference price for %s, collar %s bps",
                           inst->symbol, fmt(c->collar_bps, a));
            return refuse(r, TL_RR_NO_REFERENCE, reason);
        }
        /* |price - ref| / ref * 1e4 > collar, both sides multiplied out: no division. */
        __int128 diff = (__int128)price - ref;
        if (diff < 0)
            diff = -diff;
        __int128 lhs = diff * 10000 * TL_FIXED_SCALE;
        if (lhs > (__int128)c->collar_bps * ref) {
            if (err)
                tl_err_set(err, TL_ERISK, "PRICE_COLLAR: %s is %s bps from reference %s > %s bps",
                           fmt(price, a), fmt_wide(lhs / ref, 8, w), fmt(ref, b),
                           fmt(c->collar_bps, d));
            return refuse(r, TL_RR_PRICE_COLLAR, reason);
        }
    }

    /* Portfolio limits at the reference price (the order's own price when there is none). A fill
     * that shrinks the position is never refused by them: risk must not block reducing risk. */
    __int128 pos_after = (__int128)exposure->position_qty + (side == TL_SIDE_BUY ? qty : -qty);
    __int128 abs_after = pos_after < 0 ? -pos_after : pos_after;
    __int128 abs_now = exposure->position_qty;
    if (abs_now < 0)
        abs_now = -abs_now;
    tl_fixed mark = ref > 0 ? ref : price;
    /* |pos_after| < 2^64 and mark < 2^63: the product stays below 2^127. */
    unsigned __int128 inv = (unsigned __int128)abs_after * (unsigned __int128)mark;
    bool reducing = abs_after < abs_now;

    if (c->max_inventory_usd > 0 && !reducing &&
        inv > (unsigned __int128)c->max_inventory_usd * TL_FIXED_SCALE) {
        if (err)
            tl_err_set(err, TL_ERISK, "INVENTORY: |%s| x %s = %s > %s", fmt_wide(pos_after, 8, w),
                       fmt(mark, a), fmt_wide_u(inv, false, 16, w2), fmt(c->max_inventory_usd, b));
        return refuse(r, TL_RR_INVENTORY, reason);
    }
    if (c->max_total_notional > 0 && !reducing) {
        /* The other symbols' notional, as the caller measured it, plus this one after the fill. */
        __int128 others = (__int128)exposure->total_notional - exposure->symbol_notional;
        if (others < 0)
            others = 0;
        unsigned __int128 total = (unsigned __int128)others * TL_FIXED_SCALE + inv;
        if (total > (unsigned __int128)c->max_total_notional * TL_FIXED_SCALE) {
            if (err) {
                char w3[WIDE_STRLEN];
                tl_err_set(err, TL_ERISK, "TOTAL_NOTIONAL: %s + |%s| x %s = %s > %s",
                           fmt_wide(others, 8, w3), fmt_wide(pos_after, 8, w), fmt(mark, a),
                           fmt_wide_u(total, false, 16, w2), fmt(c->max_total_notional, b));
            }
            return refuse(r, TL_RR_TOTAL_NOTIONAL, reason);
        }
    }

    /* Throttle: the ring holds the send times of the last N accepted orders; when it is full, the
     * oldest of them decides whether N orders already went out within the last second. */
    uint32_t n = c->max_orders_per_sec;
    if (n && r->rate_len == n && (__int128)now_ns - r->rate_ring[r->rate_pos] < NS_PER_SEC) {
        tl_err_set(err, TL_ERISK, "RATE: %u orders within the last second, limit %u/s", n, n);
        return refuse(r, TL_RR_RATE, reason);
    }
    if (n) {
        r->rate_ring[r->rate_pos] = now_ns;
        r->rate_pos = r->rate_pos + 1 == n ? 0 : r->rate_pos + 1;
        if (r->rate_len < n)
            r->rate_len++;
    }
    if (reason)
        *reason = TL_RR_OK;
    return 0;
}

/* Freezes with a text; returns 1 when newly frozen, 0 when it already was (first reason kept). */
static int freeze(tl_risk *r, const char *text)
{
    if (r->frozen)
        return 0;
    r->frozen = true;
    r->stats.freeze_events++;
    snprintf(r->freeze_reason, sizeof(r->freeze_reason), "%s", text);
    return 1;
}

int tl_risk_on_edge(tl_risk *r, tl_fixed edge_bps)
{
    tl_fixed th = r->cfg.edge_threshold_bps;
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], text[sizeof(r->freeze_reason)];

    r->last_edge_bps = edge_bps;
    if (th <= 0 || edge_bps >= th || r->frozen)
        return 0;
    tl_fixed_format_dp(edge_bps, 2, a, sizeof(a));
    tl_fixed_format_dp(th, 2, b, sizeof(b));
    snprintf(text, sizeof(text), "Edge degradation: %s BPS < %s BPS", a, b);
    return freeze(r, text);
}

int tl_risk_freeze(tl_risk *r, const char *reason)
{
    return freeze(r, reason && reason[0] ? reason : reason_texts[TL_RR_FROZEN]);
}

void tl_risk_unfreeze(tl_risk *r)
{
    r->frozen = false;
}
