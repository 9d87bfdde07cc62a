/* shadow.c -- the shadow run; see shadow.h. */
#include "shadow/shadow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/prng.h"
#include "core/vec.h"
#include "engine/recover.h"
#include "journal/journal.h"
#include "journal/replay.h"
#include "venue/sim/sim.h"

#define EDGE_WARMUP         20  /* markouts before the edge is trusted */
#define QUOTE_NOTIONAL      500 /* USD per quote */
#define WALK_BPS            6   /* max mid move per step, bps */
#define HALF_SPREAD_MIN_BPS 2
#define HALF_SPREAD_MAX_BPS 8

void tl_shadow_config_default(tl_shadow_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    strcpy(cfg->symbols[0], "BTCUSDT");
    strcpy(cfg->symbols[1], "ETHUSDT");
    cfg->nsymbols = 2;
    cfg->iterations = 20;
    cfg->max_inventory_usd = TL_FIXED_INT(10000);
    cfg->max_total_notional = TL_FIXED_INT(50000);
    cfg->edge_threshold_bps = TL_FIXED_INT(3);
    cfg->fill_rate = 70000000;    /* 0.7 */
    cfg->reject_rate = 5000000;   /* 0.05 */
    cfg->partial_rate = 30000000; /* 0.3 */
    cfg->seed = 42;
    cfg->start_ns = 1735689600LL * TL_NS_PER_SEC; /* 2025-01-01T00:00:00Z */
    cfg->latency_ns = 5 * TL_NS_PER_MS;
    cfg->step_ns = 100 * TL_NS_PER_MS;
    strcpy(cfg->workspace, "shadow");
}

static int validate(const tl_shadow_config *c, tl_err *err)
{
    if (c->nsymbols == 0 || c->nsymbols > TL_SHADOW_MAX_SYMBOLS)
        return tl_err_set(err, TL_EINVAL, "symbols: need 1..%d symbols", TL_SHADOW_MAX_SYMBOLS);
    for (uint32_t i = 0; i < c->nsymbols; i++) {
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(c->symbols[i], c->symbols[j]) == 0)
                return tl_err_set(err, TL_EINVAL, "symbols: %s listed twice", c->symbols[i]);
    }
    if (c->iterations == 0)
        return tl_err_set(err, TL_EINVAL, "iterations: must be positive");
    if (c->max_inventory_usd <= 0)
        return tl_err_set(err, TL_EINVAL, "max-inv: must be positive");
    if (c->max_total_notional <= 0)
        return tl_err_set(err, TL_EINVAL, "max-total: must be positive");
    if (c->edge_threshold_bps <= 0)
        return tl_err_set(err, TL_EINVAL, "edge-threshold: must be positive");
    const tl_fixed *rates[] = {&c->fill_rate, &c->reject_rate, &c->partial_rate};
    const char *names[] = {"fill-rate", "reject-rate", "partial-rate"};
    for (int i = 0; i < 3; i++)
        if (*rates[i] < 0 || *rates[i] > TL_FIXED_SCALE)
            return tl_err_set(err, TL_EINVAL, "%s: must be within [0, 1]", names[i]);
    if (c->latency_ns < 0 || c->step_ns <= 0)
        return tl_err_set(err, TL_EINVAL, "latency and step must be non-negative and positive");
    /* The simulated clock must reach the end of the run: a start that passes this check never
     * fails later with a clock that cannot advance. */
    __int128 end = (__int128)c->start_ns + ((__int128)c->iterations + 1) * c->step_ns +
                   2 * (__int128)c->latency_ns + 1;
    if (end > INT64_MAX)
        return tl_err_set(err, TL_EINVAL,
                          "start time: too late for %llu iterations of %lld ms (the simulated "
                          "clock would pass 2262-04-11T23:47:16Z)",
                          (unsigned long long)c->iterations, (long long)(c->step_ns / 1000000));
    return 0;
}

/* Starting mid of a symbol: a round figure of its usual order of magnitude. */
static tl_fixed start_mid(const char *symbol)
{
    static const struct {
        const char *prefix;
        int64_t mid;
    } known[] = {
        {"BTC", 50000}, {"ETH", 3000}, {"SOL", 150}, {"BNB", 600}, {"XRP", 1},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strncmp(symbol, known[i].prefix, strlen(known[i].prefix)) == 0)
            return TL_FIXED_INT(known[i].mid);
    return TL_FIXED_INT(100);
}

typedef struct markout {
    uint32_t sym; /* index into the configured symbols */
    uint8_t side;
    tl_fixed price;
} markout;

typedef struct shadow_state {
    const tl_shadow_config *cfg;
    tl_instruments inst;
    tl_clock clock;
    tl_venue venue;
    tl_engine exec;
    tl_store store;
    tl_journal journal;
    int journaled;
    bool resumed;            /* the workspace had a journal: this run continues it */
    uint64_t quotes_skipped; /* quotes not sent while frozen */
    tl_prng rng;
    tl_fixed mid[TL_SHADOW_MAX_SYMBOLS];
    tl_fixed bid[TL_SHADOW_MAX_SYMBOLS], ask[TL_SHADOW_MAX_SYMBOLS];
    uint64_t resting[TL_SHADOW_MAX_SYMBOLS][2]; /* client_seq of each side's quote, 0 when none */
    uint32_t inst_of_sym[TL_SHADOW_MAX_SYMBOLS];
    uint32_t sym_of_inst[TL_SHADOW_MAX_SYMBOLS];
    markout *pending; /* fills awaiting their markout at the next step */
    size_t npending, cappending;
    tl_fixed fill_sum[TL_SHADOW_MAX_SYMBOLS];
    tl_fixed edge; /* EWMA of markouts, bps */
    uint64_t markouts;
    int oom;
} shadow_state;

/* The shadow run subscribes to the engine like any other reader: fills feed its markouts. */
static void on_event(void *ctx, const tl_engine_event *ev)
{
    shadow_state *s = ctx;
    const tl_order *o = ev->order;
    const tl_fill *f = ev->fill;
    if (ev->rec->type != TL_EV_ORDER_FILLED || !o || !f)
        return;
    uint32_t sym = s->sym_of_inst[o->instrument];
    s->fill_sum[sym] += o->side == TL_SIDE_BUY ? f->qty : -f->qty;
    if (TL_VEC_RESERVE(&s->pending, &s->cappending, s->npending + 1) != 0) {
        s->oom = 1;
        return;
    }
    s->pending[s->npending++] = (markout){sym, o->side, f->price};
}

/* Rounds price down (dir < 0) or up (dir > 0) onto the tick. */
static tl_fixed on_tick(tl_fixed px, tl_fixed tick, int dir)
{
    tl_fixed r = px - px % tick;
    if (dir > 0 && r < px)
        r += tick;
    return r;
}

static int setup(shadow_state *s, const tl_shadow_config *cfg, tl_err *err)
{
    int rc;
    char url[256];
    char fr[TL_FIXED_STRLEN], rr[TL_FIXED_STRLEN], pr[TL_FIXED_STRLEN];

    tl_instruments_init(&s->inst);
    for (uint32_t i = 0; i < cfg->nsymbols; i++) {
        tl_instrument in;
        if ((rc = tl_instrument_default(cfg->symbols[i], &in, err)) != 0 ||
            (rc = tl_instruments_add(&s->inst, &in, &s->inst_of_sym[i], err)) != 0)
            goto fail_inst;
        s->sym_of_inst[s->inst_of_sym[i]] = i;
        s->mid[i] = on_tick(start_mid(cfg->symbols[i]), in.tick_size, 0);
    }
    tl_clock_init_sim(&s->clock, cfg->start_ns);
    tl_fixed_format(cfg->fill_rate, fr, sizeof(fr));
    tl_fixed_format(cfg->reject_rate, rr, sizeof(rr));
    tl_fixed_format(cfg->partial_rate, pr, sizeof(pr));

    /* The engine holds the venue's address from here; the venue itself is opened after the
     * recovery, which tells it where a resumed session's numbering goes on. */
    tl_engine_config xc;
    memset(&xc, 0, sizeof(xc));
    xc.account = 1;
    xc.starting_cash = TL_FIXED_INT(1000000);
    xc.order_capacity = 4096;
    xc.retain_terminal = 4096;
    xc.risk.max_inventory_usd = cfg->max_inventory_usd;
    xc.risk.max_total_notional = cfg->max_total_notional;
    xc.risk.edge_threshold_bps = cfg->edge_threshold_bps;
    xc.risk.max_order_notional = cfg->max_inventory_usd;
    xc.risk.collar_bps = TL_FIXED_INT(100);
    memcpy(xc.workspace, cfg->workspace, sizeof(xc.workspace));
    memcpy(xc.mode, "shadow", sizeof("shadow"));
    if ((rc = tl_engine_init(&s->exec, &xc, &s->inst, &s->venue, &s->clock, err)) != 0)
        goto fail_inst;
    tl_engine_subscriber self = {on_event, NULL, s};
    tl_engine_subscribe(&s->exec, &self);
    if (cfg->db_url) {
        tl_store_options so = {cfg->durability};
        if ((rc = tl_store_open(&s->store, cfg->db_url, &so, NULL, err)) != 0)
            goto fail_exec;
        if ((rc = tl_journal_init(&s->journal, &s->store, 4096, err)) != 0) {
            tl_store_close(&s->store);
            goto fail_exec;
        }
        s->journaled = 1;
        /* A workspace with a journal is resumed: the engine is rebuilt from it (orders, ids,
         * trade ids, positions, a freeze), and orders the fresh venue does not know expire. */
        if ((rc = tl_engine_recover(&s->exec, &s->store, err)) != 0)
            goto fail_journal;
        tl_engine_subscriber j = tl_journal_subscriber(&s->journal);
        tl_engine_subscribe(&s->exec, &j);
        s->resumed = s->exec.has_reset;
    }
    /* Every trade and venue order the earlier sessions numbered is taken: a resumed venue
     * numbers on past them (each fill report consumed one trade number, each placed order at
     * most one venue order number), so no trade id is ever seen twice. */
    const tl_engine_counts *k = &s->exec.counts;
    snprintf(url, sizeof(url),
             "sim://?seed=%llu&fill_rate=%s&reject_rate=%s&partial_rate=%s&latency_us=%lld"
             "&first_trade=%llu&first_order=%llu",
             (unsigned long long)cfg->seed, fr, rr, pr, (long long)(cfg->latency_ns / 1000),
             (unsigned long long)(k->fills + k->refused_fills + 1),
             (unsigned long long)(k->placed + 1));
    if ((rc = tl_venue_open(&s->venue, url, &s->clock, NULL, err)) != 0) {
        if (s->journaled)
            goto fail_journal;
        goto fail_exec;
    }
    if (cfg->db_url) {
        if (!s->exec.has_reset && (rc = tl_engine_reset(&s->exec, xc.starting_cash, err)) != 0)
            goto fail_venue;
        uint64_t expired;
        if ((rc = tl_engine_reconcile_venue(&s->exec, &expired, err)) != 0)
            goto fail_venue;
        for (uint32_t i = 0; i < cfg->nsymbols; i++) {
            const tl_position *p =
                tl_book_find(&s->exec.book, s->exec.cfg.account, s->inst_of_sym[i]);
            s->fill_sum[i] = p ? p->qty : 0;
        }
        if ((rc = tl_engine_flush(&s->exec, true, err)) != 0)
            goto fail_venue;
    } else {
        tl_engine_reset(&s->exec, xc.starting_cash, NULL);
    }
    /* The quote generator draws from its own stream, so changing the venue's draws (or its
     * parameters) does not move the prices. */
    tl_prng_seed(&s->rng, cfg->seed ^ 0x51ad0e5eedULL);
    return 0;

fail_venue:
    tl_venue_close(&s->venue);
    if (!s->journaled)
        goto fail_exec;
fail_journal:
    tl_journal_close(&s->journal);
    tl_store_close(&s->store);
    s->journaled = 0;
fail_exec:
    tl_engine_close(&s->exec);
fail_inst:
    tl_instruments_close(&s->inst);
    return rc;
}

static void teardown(shadow_state *s)
{
    if (s->journaled) {
        tl_journal_close(&s->journal);
        tl_store_close(&s->store);
    }
    tl_engine_close(&s->exec);
    tl_venue_close(&s->venue);
    tl_instruments_close(&s->inst);
    free(s->pending);
}

/* Markouts of last step's fills against this step's mids, folded into the EWMA edge (alpha 1/10,
 * integer arithmetic so the result is the same everywhere). */
static void mark_out(shadow_state *s)
{
    for (size_t i = 0; i < s->npending; i++) {
        const markout *m = &s->pending[i];
        tl_fixed diff =
            m->side == TL_SIDE_BUY ? s->mid[m->sym] - m->price : m->price - s->mid[m->sym];
        tl_fixed bps;
        if (tl_fixed_muldiv(diff, TL_FIXED_INT(10000), m->price, &bps) != 0)
            continue;
        s->edge = s->markouts == 0 ? bps : s->edge + (bps - s->edge) / 10;
        s->markouts++;
    }
    s->npending = 0;
}

static int step(shadow_state *s, tl_err *err)
{
    const tl_shadow_config *cfg = s->cfg;
    int rc;

    if ((rc = tl_clock_advance(&s->clock, cfg->step_ns)) != 0)
        return rc;
    if ((rc = tl_engine_poll(&s->exec, err)) < 0)
        return rc;
    for (uint32_t i = 0; i < cfg->nsymbols; i++) {
        uint32_t id = s->inst_of_sym[i];
        const tl_instrument *in = &s->inst.items[id];
        int64_t walk = (int64_t)tl_prng_below(&s->rng, 2 * WALK_BPS + 1) - WALK_BPS;
        int64_t half =
            HALF_SPREAD_MIN_BPS +
            (int64_t)tl_prng_below(&s->rng, HALF_SPREAD_MAX_BPS - HALF_SPREAD_MIN_BPS + 1);
        tl_fixed mid = s->mid[i] + s->mid[i] / 10000 * walk;
        mid = on_tick(mid, in->tick_size, 0);
        if (mid <= in->tick_size)
            mid = in->tick_size * 2;
        s->mid[i] = mid;
        tl_fixed bid = on_tick(mid - mid / 10000 * half, in->tick_size, -1);
        tl_fixed ask = on_tick(mid + mid / 10000 * half, in->tick_size, 1);
        if (bid <= 0)
            bid = in->tick_size;
        s->bid[i] = bid;
        s->ask[i] = ask;
        tl_engine_on_quote(&s->exec, id, bid, ask);
    }
    mark_out(s);
    if (s->markouts >= EDGE_WARMUP && (rc = tl_engine_on_edge(&s->exec, s->edge, err)) < 0)
        return rc;

    for (uint32_t i = 0; i < cfg->nsymbols; i++) {
        uint32_t id = s->inst_of_sym[i];
        const tl_instrument *in = &s->inst.items[id];
        for (int side = TL_SIDE_BUY; side <= TL_SIDE_SELL; side++) {
            uint64_t seq = s->resting[i][side];
            const tl_order *o = seq ? tl_order_store_by_client(&s->exec.orders, seq) : NULL;
            /* Requote: last step's quote goes; a refused cancel just waits for its report. */
            if (o && tl_order_status_is_live(o->status) && o->status != TL_OS_PENDING_CANCEL)
                tl_engine_cancel(&s->exec, seq, NULL);
            s->resting[i][side] = 0;
            /* A frozen quoter stops quoting: every quote would be refused, and journaling
             * millions of refusals (341 MB in 4 s) says nothing a count does not. */
            if (s->exec.risk.frozen) {
                s->quotes_skipped++;
                continue;
            }

            tl_fixed price = side == TL_SIDE_BUY ? s->bid[i] : s->ask[i];
            tl_fixed qty;
            if (tl_fixed_div(TL_FIXED_INT(QUOTE_NOTIONAL), price, &qty) != 0)
                continue;
            qty -= qty % in->lot_size;
            if (qty < in->min_qty)
                qty = in->min_qty;
            /* Refusals (limits, freeze) are counted as risk blocks by the loop. */
            if (tl_engine_submit(&s->exec, id, (tl_side)side, TL_ORDER_LIMIT, price, qty, &seq, NULL,
                               NULL) == 0)
                s->resting[i][side] = seq;
        }
    }
    return s->oom ? TL_ENOMEM : 0;
}

/* Makes the journal durable, then proves it: the state replayed from it has the live digest. */
static int finish_journal(shadow_state *s, tl_shadow_result *r, tl_err *err)
{
    tl_ledger replayed;
    tl_replay_result rr;
    int rc;

    if ((rc = tl_engine_flush(&s->exec, true, err)) != 0)
        return rc;
    if ((rc = tl_engine_digest(&s->exec, r->state_digest, err)) != 0)
        return rc;
    if ((rc = tl_ledger_init(&replayed, s->exec.cfg.starting_cash)) != 0)
        return tl_err_set(err, rc, "shadow: out of memory");
    rc = tl_replay(&s->store, s->cfg->workspace, &replayed, &rr, err);
    tl_ledger_close(&replayed);
    if (rc != 0)
        return rc;
    if (strcmp(rr.digest, r->state_digest) != 0)
        return tl_err_set(err, TL_ECORRUPT,
                          "shadow: replayed state %.16s differs from live state %.16s", rr.digest,
                          r->state_digest);
    r->journaled = 1;
    r->journal_events = s->journal.events_written;
    return 0;
}

int tl_shadow_run(const tl_shadow_config *cfg, tl_shadow_result *out,
                  tl_shadow_progress_fn progress, void *progress_ctx, tl_err *err)
{
    shadow_state *s;
    int rc;

    if ((rc = validate(cfg, err)) != 0)
        return rc;
    if (!(s = calloc(1, sizeof(*s))))
        return tl_err_set(err, TL_ENOMEM, "shadow: out of memory");
    s->cfg = cfg;
    if ((rc = setup(s, cfg, err)) != 0) {
        free(s);
        return rc;
    }
    uint64_t every = cfg->iterations / 100 ? cfg->iterations / 100 : 1;
    for (uint64_t it = 0; it < cfg->iterations; it++) {
        /* A step boundary after every step: the journal commits when its group is full; a
         * commit that fails halts the engine and ends the run here. */
        if ((rc = step(s, err)) != 0 || (rc = tl_engine_flush(&s->exec, false, err)) != 0) {
            teardown(s);
            free(s);
            return rc;
        }
        if (progress && (it + 1) % every == 0)
            progress(progress_ctx, it + 1, cfg->iterations);
    }
    /* Let every report already in flight arrive, so nothing is left half-known. */
    tl_clock_advance(&s->clock, 2 * cfg->latency_ns + 1);
    if ((rc = tl_engine_poll(&s->exec, err)) < 0) {
        teardown(s);
        free(s);
        return rc;
    }

    tl_shadow_result r;
    memset(&r, 0, sizeof(r));
    if (s->journaled && (rc = finish_journal(s, &r, err)) != 0) {
        teardown(s);
        free(s);
        return rc;
    }
    r.iterations = cfg->iterations;
    r.counts = s->exec.counts;
    r.open = tl_engine_open_count(&s->exec);
    for (uint32_t i = 0; i < cfg->nsymbols; i++) {
        const tl_position *p = tl_book_find(&s->exec.book, s->exec.cfg.account, s->inst_of_sym[i]);
        r.position[i] = p ? p->qty : 0;
        r.fill_sum[i] = s->fill_sum[i];
    }
    r.total_notional_usd = s->exec.total_notional;
    r.frozen = s->exec.risk.frozen;
    r.quotes_skipped = s->quotes_skipped;
    r.freeze_events = s->exec.risk.stats.freeze_events;
    memcpy(r.last_freeze_reason, s->exec.risk.freeze_reason, sizeof(r.last_freeze_reason));
    *out = r;
    teardown(s);
    free(s);
    return 0;
}

void tl_shadow_report_json(const tl_shadow_config *cfg, const tl_shadow_result *res, tl_jw *w)
{
    /* Keys in sorted order at every level: the report is compared byte for byte. */
    tl_jw_obj_begin(w);
    tl_jw_key(w, "execution");
    tl_jw_obj_begin(w);
    tl_jw_key(w, "iterations");
    tl_jw_uint(w, res->iterations);
    tl_jw_key(w, "symbols");
    tl_jw_arr_begin(w);
    for (uint32_t i = 0; i < cfg->nsymbols; i++)
        tl_jw_str(w, cfg->symbols[i]);
    tl_jw_arr_end(w);
    tl_jw_obj_end(w);

    if (res->journaled) {
        tl_jw_key(w, "journal");
        tl_jw_obj_begin(w);
        tl_jw_key(w, "events");
        tl_jw_uint(w, res->journal_events);
        tl_jw_key(w, "state_digest");
        tl_jw_str(w, res->state_digest);
        tl_jw_obj_end(w);
    }

    tl_jw_key(w, "orders");
    tl_jw_obj_begin(w);
    tl_jw_key(w, "canceled");
    tl_jw_uint(w, res->counts.canceled);
    tl_jw_key(w, "filled");
    tl_jw_uint(w, res->counts.filled);
    tl_jw_key(w, "open");
    tl_jw_uint(w, res->open);
    tl_jw_key(w, "placed");
    tl_jw_uint(w, res->counts.placed);
    tl_jw_key(w, "rejected");
    tl_jw_uint(w, res->counts.rejected);
    tl_jw_key(w, "risk_blocks");
    tl_jw_uint(w, res->counts.risk_blocks);
    tl_jw_obj_end(w);

    /* by_symbol keys sorted: the configured order may differ. */
    uint32_t order[TL_SHADOW_MAX_SYMBOLS];
    for (uint32_t i = 0; i < cfg->nsymbols; i++) {
        uint32_t j = i;
        while (j > 0 && strcmp(cfg->symbols[order[j - 1]], cfg->symbols[i]) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    tl_jw_key(w, "positions");
    tl_jw_obj_begin(w);
    tl_jw_key(w, "by_symbol");
    tl_jw_obj_begin(w);
    for (uint32_t k = 0; k < cfg->nsymbols; k++) {
        tl_jw_key(w, cfg->symbols[order[k]]);
        tl_jw_fixed(w, res->position[order[k]]);
    }
    tl_jw_obj_end(w);
    tl_jw_key(w, "total_notional_usd");
    tl_jw_fixed(w, res->total_notional_usd);
    tl_jw_obj_end(w);

    tl_jw_key(w, "risk");
    tl_jw_obj_begin(w);
    tl_jw_key(w, "freeze_events");
    tl_jw_uint(w, res->freeze_events);
    tl_jw_key(w, "frozen");
    tl_jw_bool(w, res->frozen);
    tl_jw_key(w, "last_freeze_reason");
    if (res->last_freeze_reason[0])
        tl_jw_str(w, res->last_freeze_reason);
    else
        tl_jw_null(w);
    tl_jw_key(w, "quotes_skipped");
    tl_jw_uint(w, res->quotes_skipped);
    tl_jw_obj_end(w);
    tl_jw_obj_end(w);
}
