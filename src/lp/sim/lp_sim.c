/*
 * lp_sim.c -- the simulated LP (lp_sim.h): quotes from the price wave, executions against the
 * quotes it remembers.
 *
 * Every request draws from the PRNG the same way whatever its outcome (first the refusal, then
 * the delay), so the answers to a sequence of requests depend on the seed and the engine's clock
 * only, never on which earlier requests were refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/prng.h"
#include "core/vec.h"
#include "lp/lp.h"
#include "lp/sim/lp_sim.h"
#include "tradeloop/order.h"

_Static_assert((TL_LP_SIM_KEPT & (TL_LP_SIM_KEPT - 1)) == 0, "a power of two: seq & (KEPT-1)");

/* A quote the LP gave, kept for its execution. */
typedef struct kept_quote {
    uint64_t seq; /* 1, 2, ...: the number in the quote id; 0 = empty slot */
    char symbol[TL_SYMBOL_MAX];
    uint8_t side, asset, executed;
    tl_fixed amount, price;
    int64_t valid_until_ns;
} kept_quote;

typedef struct lp_sim {
    tl_lp_sim_params p;
    const tl_clock *clock; /* borrowed */
    tl_prng rng;
    uint64_t thr_refuse, thr_exec_refuse;
    uint64_t last_seq;
    kept_quote *kept; /* owned ring, grown up to TL_LP_SIM_KEPT; slot = (seq - 1) & (KEPT - 1) */
    size_t kept_cap;
} lp_sim;

static int sim_open(void *state, const char *url, const tl_clock *clock, tl_err *err)
{
    lp_sim *s = state;
    tl_lp_sim_params p;
    int rc = tl_lp_sim_params_parse(url, &p, err);
    if (rc < 0)
        return rc;
    memset(s, 0, sizeof *s);
    s->p = p;
    s->clock = clock;
    tl_prng_seed(&s->rng, p.seed);
    s->thr_refuse = tl_prng_threshold(p.refuse_rate);
    s->thr_exec_refuse = tl_prng_threshold(p.exec_refuse_rate);
    return 0;
}

static void sim_close(void *state)
{
    lp_sim *s = state;
    free(s->kept);
    memset(s, 0, sizeof *s);
}

static const char *sim_name(const void *state)
{
    return ((const lp_sim *)state)->p.name;
}

/* The answer's delay: whole milliseconds, uniform in [min, max]. */
static int64_t draw_delay(lp_sim *s)
{
    uint64_t span = (uint64_t)((s->p.delay_max_ns - s->p.delay_min_ns) / TL_NS_PER_MS) + 1;
    return s->p.delay_min_ns + (int64_t)tl_prng_below(&s->rng, span) * TL_NS_PER_MS;
}

/* The market quoting symbol: its own, else the one for every symbol, else NULL. */
static const tl_lp_sim_market *market_of(const lp_sim *s, const char *symbol)
{
    const tl_lp_sim_market *any = NULL;
    for (uint32_t i = 0; i < s->p.n_markets; i++) {
        const tl_lp_sim_market *m = &s->p.markets[i];
        if (strcmp(m->symbol, symbol) == 0)
            return m;
        if (m->symbol[0] == '\0')
            any = m;
    }
    return any;
}

static void refuse(tl_lp_quote *q, const char *why)
{
    q->status = TL_LP_QUOTE_REFUSED;
    snprintf(q->reason, sizeof q->reason, "%s", why);
}

/* The base quantity of an amount at price: the amount itself, or amount / price. */
static int base_qty(uint8_t asset, tl_fixed amount, tl_fixed price, tl_fixed *out)
{
    if (asset == TL_LP_ASSET_BASE) {
        *out = amount;
        return 0;
    }
    return tl_fixed_div(amount, price, out);
}

/* bid, ask and the client's price at now, or a reason to refuse. */
static const char *price_at(const lp_sim *s, const tl_lp_request *r, int64_t now, tl_lp_quote *q)
{
    const tl_lp_sim_market *m = market_of(s, r->symbol);
    if (m == NULL)
        return "unknown symbol";
    tl_fixed mid, half, qty, notional;
    if (tl__lp_sim_mid(&s->p, m, now, &mid) < 0 ||
        tl_fixed_muldiv(mid, s->p.spread_bps, TL_FIXED_INT(20000), &half) < 0 ||
        tl_fixed_sub(mid, half, &q->bid) < 0 || tl_fixed_add(mid, half, &q->ask) < 0 || q->bid <= 0)
        return "no price";
    q->price = r->side == TL_SIDE_BUY ? q->ask : q->bid;
    /* The trade must be computable at execution: a quantity that rounds to nothing, or a
     * notional past the fixed-point range, is refused now rather than then. */
    if (base_qty(r->amount_asset, r->amount, q->price, &qty) < 0 ||
        tl_fixed_mul(qty, q->price, &notional) < 0)
        return "amount too large";
    if (qty <= 0)
        return "amount too small";
    return NULL;
}

static int keep(lp_sim *s, const tl_lp_request *r, const tl_lp_quote *q, uint64_t seq, tl_err *err)
{
    size_t need = seq < TL_LP_SIM_KEPT ? (size_t)seq : TL_LP_SIM_KEPT;
    if (TL_VEC_RESERVE(&s->kept, &s->kept_cap, need) != 0)
        return tl_err_set(err, TL_ENOMEM, "lpsim %s: no memory to keep a quote", s->p.name);
    kept_quote *k = &s->kept[(seq - 1) & (TL_LP_SIM_KEPT - 1)];
    memset(k, 0, sizeof *k);
    k->seq = seq;
    memcpy(k->symbol, r->symbol, sizeof k->symbol);
    k->side = r->side;
    k->asset = r->amount_asset;
    k->amount = r->amount;
    k->price = q->price;
    k->valid_until_ns = q->valid_until_ns;
    return 0;
}

_Static_assert(TL_LP_NAME_MAX - 1 + 1 + 20 < TL_LP_QUOTE_ID_MAX, "every quote id fits");

/* "<name>-%06llu" by hand: every LP is asked every poll, and snprintf was the dearest part of an
 * answer after the price. */
static void format_quote_id(char out[TL_LP_QUOTE_ID_MAX], const char *name, uint64_t seq)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + seq % 10);
        seq /= 10;
    } while (seq != 0);
    while (n < 6)
        digits[n++] = '0';
    size_t len = strlen(name);
    memcpy(out, name, len);
    out[len++] = '-';
    while (n > 0)
        out[len++] = digits[--n];
    out[len] = '\0';
}

static int sim_request_quote(void *state, const tl_lp_request *r, tl_lp_quote *q, tl_err *err)
{
    lp_sim *s = state;
    int64_t now = tl_clock_now(s->clock);
    bool refused = tl_prng_chance(&s->rng, s->thr_refuse);
    int64_t delay = draw_delay(s);
    memset(q, 0, sizeof *q);
    q->respond_ns = now + delay;
    if (refused) {
        refuse(q, "refused");
        return 0;
    }
    const char *why = price_at(s, r, now, q);
    if (why != NULL) {
        memset(q, 0, sizeof *q);
        q->respond_ns = now + delay;
        refuse(q, why);
        return 0;
    }
    /* Valid from when the client has it: the desk then holds the whole window. */
    q->valid_until_ns = q->respond_ns + s->p.validity_ns;
    uint64_t seq = s->last_seq + 1;
    int rc = keep(s, r, q, seq, err);
    if (rc < 0)
        return rc;
    s->last_seq = seq;
    q->status = TL_LP_QUOTED;
    format_quote_id(q->quote_id, s->p.name, seq);
    return 0;
}

/* The kept quote an id names, or NULL: "<name>-<digits>" with a seq this LP gave and still
 * keeps. */
static kept_quote *find_kept(lp_sim *s, const char *id)
{
    size_t n = strlen(s->p.name);
    if (strncmp(id, s->p.name, n) != 0 || id[n] != '-')
        return NULL;
    uint64_t seq = 0;
    const char *d = id + n + 1;
    if (*d == '\0')
        return NULL;
    for (; *d; d++) {
        if (*d < '0' || *d > '9' || seq > (UINT64_MAX - 9) / 10)
            return NULL;
        seq = seq * 10 + (uint64_t)(*d - '0');
    }
    if (seq == 0 || seq > s->last_seq || s->last_seq - seq >= TL_LP_SIM_KEPT)
        return NULL;
    kept_quote *k = &s->kept[(seq - 1) & (TL_LP_SIM_KEPT - 1)];
    return k->seq == seq ? k : NULL;
}

static int sim_execute_trade(void *state, const tl_lp_exec_request *r, tl_lp_exec *x, tl_err *err)
{
    lp_sim *s = state;
    (void)err;
    int64_t now = tl_clock_now(s->clock);
    bool refused = tl_prng_chance(&s->rng, s->thr_exec_refuse);
    int64_t delay = draw_delay(s);
    memset(x, 0, sizeof *x);
    x->respond_ns = now + delay;
    kept_quote *k = find_kept(s, r->quote_id);
    const char *why = NULL;
    if (k == NULL)
        why = "unknown quote";
    else if (k->executed)
        why = "quote already executed";
    else if (k->side != r->side || k->asset != r->amount_asset || k->amount != r->amount ||
             k->price != r->price)
        why = "quote mismatch";
    else if (now > k->valid_until_ns)
        why = "quote expired";
    else if (refused)
        why = "refused";
    else if (base_qty(k->asset, k->amount, k->price, &x->qty) < 0)
        why = "amount too large"; /* NEVER: price_at computed the same at quote time */
    if (why != NULL) {
        x->qty = 0;
        x->status = TL_LP_EXEC_REFUSED;
        snprintf(x->reason, sizeof x->reason, "%s", why);
        return 0;
    }
    k->executed = 1;
    x->status = TL_LP_FILLED;
    x->avg_price = k->price;
    return 0;
}

const tl_lp_ops tl_lp_sim_ops = {
    .version = TL_LP_OPS_VERSION,
    .scheme = "lpsim",
    .state_size = sizeof(lp_sim),
    .caps = TL_LP_CAP_SIMULATED,
    .open = sim_open,
    .close = sim_close,
    .request_quote = sim_request_quote,
    .execute_trade = sim_execute_trade,
    .name_of = sim_name,
};
