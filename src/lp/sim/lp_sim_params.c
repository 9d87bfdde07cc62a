/*
 * lp_sim_params.c -- the parameters of an "lpsim://" URL (listed in lp_sim.h): defaults,
 * parsing, and the three default LPs.
 *
 * The key walker is the venues' (venue/params.h), so an LP URL is refused with the same messages
 * as a venue URL.
 */
#include <assert.h>
#include <string.h>

#include "lp/sim/lp_sim.h"
#include "venue/params.h"

#define SCHEME "lpsim"

static const char *const default_urls[] = {
    "lpsim://?name=LP-1&phase=0&spread_bps=10&seed=1",
    "lpsim://?name=LP-2&phase=0.33333333&spread_bps=8&seed=2",
    "lpsim://?name=LP-3&phase=0.66666667&spread_bps=12&seed=3",
};

const char *const *tl_lp_sim_default_urls(size_t *n)
{
    *n = sizeof default_urls / sizeof default_urls[0];
    return default_urls;
}

void tl_lp_sim_params_default(tl_lp_sim_params *p)
{
    memset(p, 0, sizeof *p);
    strcpy(p->name, "lpsim");
    p->markets[0].base = TL_FIXED_INT(100000);
    p->markets[0].amp = TL_FIXED_INT(500);
    p->n_markets = 1;
    p->period_ns = 60 * TL_NS_PER_SEC;
    p->spread_bps = TL_FIXED_INT(10);
    p->delay_min_ns = 200 * TL_NS_PER_MS;
    p->delay_max_ns = 500 * TL_NS_PER_MS;
    p->validity_ns = 8 * TL_NS_PER_SEC;
    p->seed = 1;
}

enum key {
    K_NAME,
    K_BASE,
    K_AMP,
    K_PERIOD,
    K_PHASE,
    K_SPREAD,
    K_DMIN,
    K_DMAX,
    K_VALIDITY,
    K_SEED,
    K_REFUSE,
    K_EXEC_REFUSE,
    K__COUNT
};

static const char *const key_names[K__COUNT] = {
    [K_NAME] = "name",         [K_BASE] = "base",          [K_AMP] = "amp",
    [K_PERIOD] = "period_s",   [K_PHASE] = "phase",        [K_SPREAD] = "spread_bps",
    [K_DMIN] = "delay_min_ms", [K_DMAX] = "delay_max_ms",  [K_VALIDITY] = "validity_s",
    [K_SEED] = "seed",         [K_REFUSE] = "refuse_rate", [K_EXEC_REFUSE] = "exec_refuse_rate",
};

/* What the walk collects before the cross-checks: amp may come before base in the URL. */
typedef struct parse_ctx {
    tl_lp_sim_params p;
    tl_lp_sim_market amps[TL_LP_SIM_MARKETS_MAX]; /* amp per symbol, as given */
    uint32_t n_amps;
    tl_fixed amp_all;
    bool amp_all_given;
} parse_ctx;

static int bad(tl_err *err, enum key k, const char *val, size_t len, const char *why)
{
    return tl__venue_param_bad(err, SCHEME, key_names[k], val, len, why);
}

/* "<decimal>" (every symbol: one entry with symbol "") or "SYM:<decimal>,SYM:<decimal>" into
 * out[0..*n); each decimal must be >= min_ok (0 or 1 unit). */
static int parse_list(enum key k, const char *val, size_t len, tl_lp_sim_market *out, uint32_t *n,
                      tl_fixed min_ok, tl_err *err)
{
    const char *why = min_ok > 0 ? "want a decimal > 0, or SYMBOL:decimal,..."
                                 : "want a decimal >= 0, or SYMBOL:decimal,...";
    uint32_t count = 0;
    tl_fixed v;
    if (memchr(val, ':', len) == NULL) {
        if (tl_fixed_parse(val, len, &v, NULL) < 0 || v < min_ok)
            return bad(err, k, val, len, why);
        memset(&out[0], 0, sizeof out[0]);
        out[0].base = v; /* the caller moves it to amp for K_AMP */
        *n = 1;
        return 0;
    }
    size_t i = 0;
    while (i <= len) {
        const char *item = val + i;
        const char *end = memchr(item, ',', len - i);
        size_t ilen = end != NULL ? (size_t)(end - item) : len - i;
        const char *colon = memchr(item, ':', ilen);
        if (colon == NULL)
            return bad(err, k, val, len, why);
        size_t slen = (size_t)(colon - item);
        if (count == TL_LP_SIM_MARKETS_MAX)
            return bad(err, k, val, len, "more than 32 symbols");
        tl_lp_sim_market *m = &out[count];
        memset(m, 0, sizeof *m);
        if (slen == 0 || slen >= TL_SYMBOL_MAX)
            return bad(err, k, val, len, "symbol must be 1..15 of [A-Z0-9]");
        memcpy(m->symbol, item, slen);
        if (tl_symbol_validate(m->symbol, NULL) < 0)
            return bad(err, k, val, len, "symbol must be 1..15 of [A-Z0-9]");
        for (uint32_t j = 0; j < count; j++)
            if (strcmp(out[j].symbol, m->symbol) == 0)
                return bad(err, k, val, len, "a symbol is given twice");
        if (tl_fixed_parse(colon + 1, ilen - slen - 1, &m->base, NULL) < 0 || m->base < min_ok)
            return bad(err, k, val, len, why);
        count++;
        i += ilen + 1;
    }
    *n = count;
    return 0;
}

/* A whole number in [lo, hi]. */
static int parse_int(enum key k, const char *val, size_t len, uint64_t lo, uint64_t hi,
                     uint64_t *out, const char *why, tl_err *err)
{
    uint64_t u;
    if (tl__venue_parse_u64(val, len, &u) < 0 || u < lo || u > hi)
        return bad(err, k, val, len, why);
    *out = u;
    return 0;
}

/* A decimal in (0, hi] seconds, as nanoseconds (1e-8 s units * 10). */
static int parse_secs(enum key k, const char *val, size_t len, tl_fixed hi, int64_t *out,
                      const char *why, tl_err *err)
{
    tl_fixed f;
    if (tl_fixed_parse(val, len, &f, NULL) < 0 || f <= 0 || f > hi)
        return bad(err, k, val, len, why);
    *out = f * 10;
    return 0;
}

static int parse_rate(enum key k, const char *val, size_t len, tl_fixed *out, tl_err *err)
{
    tl_fixed f;
    if (tl_fixed_parse(val, len, &f, NULL) < 0 || f < 0 || f > TL_FIXED_SCALE)
        return bad(err, k, val, len, "want a decimal in [0, 1]");
    *out = f;
    return 0;
}

static int parse_value(void *ctx, int key, const char *val, size_t len, tl_err *err)
{
    parse_ctx *c = ctx;
    tl_lp_sim_params *p = &c->p;
    enum key k = (enum key)key;
    uint64_t u = 0;
    tl_fixed f = 0;
    int rc;
    switch (k) {
    case K_NAME:
        if (len == 0 || len >= TL_LP_NAME_MAX)
            return bad(err, k, val, len, "want 1..23 of [A-Za-z0-9._-]");
        for (size_t i = 0; i < len; i++) {
            char ch = val[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
                return bad(err, k, val, len, "want 1..23 of [A-Za-z0-9._-]");
        }
        memcpy(p->name, val, len);
        p->name[len] = '\0';
        return 0;
    case K_BASE:
        return parse_list(k, val, len, p->markets, &p->n_markets, 1, err);
    case K_AMP:
        rc = parse_list(k, val, len, c->amps, &c->n_amps, 0, err);
        if (rc == 0 && c->amps[0].symbol[0] == '\0') {
            c->amp_all = c->amps[0].base;
            c->amp_all_given = true;
            c->n_amps = 0;
        }
        return rc;
    case K_PERIOD:
        return parse_secs(k, val, len, TL_FIXED_INT(1000000000), &p->period_ns,
                          "want seconds, a decimal in (0, 1000000000]", err);
    case K_PHASE:
        if (tl_fixed_parse(val, len, &f, NULL) < 0 || f < 0 || f >= TL_FIXED_SCALE)
            return bad(err, k, val, len, "want a fraction of a period in [0, 1)");
        p->phase = f;
        return 0;
    case K_SPREAD:
        if (tl_fixed_parse(val, len, &f, NULL) < 0 || f < 0 || f > TL_FIXED_INT(5000))
            return bad(err, k, val, len, "want basis points in [0, 5000]");
        p->spread_bps = f;
        return 0;
    case K_DMIN:
    case K_DMAX:
        rc = parse_int(k, val, len, 0, 3600000, &u, "want whole milliseconds in [0, 3600000]", err);
        if (rc == 0)
            *(k == K_DMIN ? &p->delay_min_ns : &p->delay_max_ns) = (int64_t)u * TL_NS_PER_MS;
        return rc;
    case K_VALIDITY:
        return parse_secs(k, val, len, TL_FIXED_INT(86400), &p->validity_ns,
                          "want seconds, a decimal in (0, 86400]", err);
    case K_SEED:
        return parse_int(k, val, len, 0, UINT64_MAX, &p->seed, "not an unsigned integer", err);
    case K_REFUSE:
        return parse_rate(k, val, len, &p->refuse_rate, err);
    case K_EXEC_REFUSE:
        return parse_rate(k, val, len, &p->exec_refuse_rate, err);
    default:
        assert(0);
        return TL_EINVAL;
    }
}

/* Gives every market its amplitude once the whole URL is read, and checks amp < base. */
static int resolve_amps(parse_ctx *c, tl_err *err)
{
    tl_lp_sim_params *p = &c->p;
    if (c->n_amps > 0 && p->markets[0].symbol[0] == '\0')
        return tl_err_set(err, TL_EINVAL, SCHEME ": amp per symbol needs base per symbol");
    for (uint32_t i = 0; i < c->n_amps; i++) {
        uint32_t j = 0;
        while (j < p->n_markets && strcmp(p->markets[j].symbol, c->amps[i].symbol) != 0)
            j++;
        if (j == p->n_markets)
            return tl_err_set(err, TL_EINVAL, SCHEME ": amp: %s has no base", c->amps[i].symbol);
    }
    for (uint32_t j = 0; j < p->n_markets; j++) {
        tl_lp_sim_market *m = &p->markets[j];
        /* The default keeps the brief's proportions: 500 around 100000. */
        m->amp = c->amp_all_given ? c->amp_all : m->base / 200;
        for (uint32_t i = 0; i < c->n_amps; i++)
            if (strcmp(c->amps[i].symbol, m->symbol) == 0)
                m->amp = c->amps[i].base;
        if (m->amp >= m->base)
            return tl_err_set(err, TL_EINVAL, SCHEME ": amp of %s must be less than its base",
                              m->symbol[0] != '\0' ? m->symbol : "every symbol");
    }
    return 0;
}

int tl_lp_sim_params_parse(const char *url, tl_lp_sim_params *out, tl_err *err)
{
    if (url == NULL || out == NULL)
        return tl_err_set(err, TL_EINVAL, SCHEME ": NULL URL or params");
    parse_ctx c;
    memset(&c, 0, sizeof c);
    tl_lp_sim_params_default(&c.p);
    int rc = tl__venue_params_each(url, SCHEME, key_names, K__COUNT, parse_value, &c, err);
    if (rc < 0)
        return rc;
    if ((rc = resolve_amps(&c, err)) < 0)
        return rc;
    if (c.p.delay_min_ns > c.p.delay_max_ns)
        return tl_err_set(err, TL_EINVAL, SCHEME ": delay_min_ms must be <= delay_max_ms");
    *out = c.p;
    return 0;
}
