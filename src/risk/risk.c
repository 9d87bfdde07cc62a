/*
 * risk.c -- the runtime risk monitor's state (see risk.h): configuration, reference prices, the
 * throttle's ring and the freeze. The rules themselves are in risk_rules.c.
 */
#include "risk/risk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A throttle above this is a typo, and its ring would be gigabytes. */
#define RATE_MAX 1000000u

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

int tl_risk_reason_of_text(const char *msg)
{
    for (int r = 0; msg && r < TL_RR__COUNT; r++) {
        const char *name = tl_risk_reason_name(r);
        size_t n = strlen(name);
        if (strncmp(msg, name, n) == 0 && msg[n] == ':')
            return r;
    }
    return -1;
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
    CHECK_NONNEG(cfg, max_spread_bps, err);
    CHECK_NONNEG(cfg, max_quote_age_ns, err);
    CHECK_NONNEG(cfg, max_slippage_bps, err);
    CHECK_NONNEG(cfg, cooldown_ns, err);
    CHECK_NONNEG(cfg, max_drawdown_pct, err);
    if (cfg->max_drawdown_pct > TL_FIXED_INT(100))
        return tl_err_set(err, TL_EINVAL, "max_drawdown_pct must be at most 100");
    if (cfg->window_on &&
        (cfg->window.start_min < 0 || cfg->window.start_min >= 1440 || cfg->window.end_min < 0 ||
         cfg->window.end_min > 1440 || cfg->window.start_min == cfg->window.end_min))
        return tl_err_set(err, TL_EINVAL, "trading window: ends must be distinct times of day");
    if (cfg->window_on && !cfg->tz)
        return tl_err_set(err, TL_EINVAL, "trading window: no time zone");
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
        m.quotes = calloc(instruments, sizeof(tl_risk_quote));
        if (!m.ref_price || !m.quotes) {
            free(m.ref_price);
            free(m.quotes);
            return tl_err_set(err, TL_ENOMEM, "risk: no memory for %u reference prices",
                              instruments);
        }
        m.ref_count = instruments;
    }
    if (cfg->max_orders_per_sec) {
        /* Written out now rather than left to calloc's lazy zero pages: the ring can be megabytes,
         * and its first pass would otherwise take a page fault every 512 orders on the hot path. */
        size_t bytes = (size_t)cfg->max_orders_per_sec * sizeof(int64_t);
        m.rate_ring = malloc(bytes);
        if (!m.rate_ring) {
            free(m.ref_price);
            free(m.quotes);
            return tl_err_set(err, TL_ENOMEM, "risk: no memory for the rate window");
        }
        /* explicit_bzero, not memset: gcc folds malloc + memset into calloc, whose zero pages
         * are mapped lazily, which is exactly the page faulting this write is here to avoid. */
        explicit_bzero(m.rate_ring, bytes);
    }
    *r = m;
    return 0;
}

void tl_risk_close(tl_risk *r)
{
    free(r->ref_price);
    free(r->quotes);
    free(r->rate_ring);
    memset(r, 0, sizeof(*r));
}

int tl_risk_grow(tl_risk *r, uint32_t instruments)
{
    if (instruments <= r->ref_count)
        return 0;
    tl_fixed *p = realloc(r->ref_price, (size_t)instruments * sizeof(*p));
    if (!p)
        return TL_ENOMEM;
    memset(p + r->ref_count, 0, (size_t)(instruments - r->ref_count) * sizeof(*p));
    r->ref_price = p;
    tl_risk_quote *q = realloc(r->quotes, (size_t)instruments * sizeof(*q));
    if (!q)
        return TL_ENOMEM; /* ref_price grew: harmless, ref_count still says the old size */
    memset(q + r->ref_count, 0, (size_t)(instruments - r->ref_count) * sizeof(*q));
    r->quotes = q;
    r->ref_count = instruments;
    return 0;
}

int tl_risk_set_quote(tl_risk *r, uint32_t instrument, tl_fixed bid, tl_fixed ask, int64_t ts_ns)
{
    if (instrument >= r->ref_count || bid <= 0 || ask < bid)
        return TL_EINVAL;
    r->quotes[instrument] = (tl_risk_quote){bid, ask, ts_ns};
    /* mid = (bid + ask) / 2 without overflow; rounds toward bid, then onto no tick: the
     * reference price is for limits, never sent as a price. */
    r->ref_price[instrument] = bid + (ask - bid) / 2;
    return 0;
}

int tl_risk_set_reference(tl_risk *r, uint32_t instrument, tl_fixed price)
{
    if (instrument >= r->ref_count || price < 0)
        return TL_EINVAL;
    r->ref_price[instrument] = price;
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

int tl_risk_kill(tl_risk *r, const char *reason)
{
    if (r->killed)
        return 0;
    r->killed = true;
    snprintf(r->kill_reason, sizeof(r->kill_reason), "%s",
             reason && reason[0] ? reason : "operator");
    return 1;
}

int tl_risk_kill_release(tl_risk *r)
{
    if (!r->killed)
        return 0;
    r->killed = false;
    r->kill_reason[0] = '\0';
    return 1;
}
