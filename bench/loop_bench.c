/* loop_bench.c -- see loop_bench.h. */
#include "bench/loop_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/latency.h"
#include "core/prng.h"
#include "store/store.h"

#define VENUE_URL "sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0"
#define PRICE     TL_FIXED_INT(100)
#define QTY       TL_FIXED_INT(10)
#define BALANCE   TL_FIXED_INT(100000)           /* `tradeloop run`'s default starting balance */
#define START_NS  (1735776000LL * TL_NS_PER_SEC) /* 2025-01-02T00:00:00Z */
#define TICK_NS   TL_NS_PER_US
#define MAX_DRIFT (PRICE / 5) /* how far rotating entries may walk from PRICE */

/* One side of a symbol's accounts, in the order their stops trigger (top first): the crossing
 * takes the top, whose new entry puts it last. */
typedef struct side_ring {
    uint32_t *slots; /* owned: account indexes */
    uint32_t n, top;
    tl_fixed next_mid; /* the next rotated entry's mid: past every entry of the side */
} side_ring;

typedef struct sym_state {
    tl_quote q; /* the symbol's quote, rewritten for each one sent */
    uint32_t inst;
    side_ring longs, shorts;
    bool next_short; /* the side the next crossing takes */
} sym_state;

typedef struct bench {
    const tl_bench_loop_config *cfg;
    tl_clock clock;
    tl_venue venue;
    tl_store store;
    tl_journal journal;
    tl_loop loop;
    bool have_venue, have_store, have_journal, have_loop;
    sym_state *syms; /* owned */
    tl_loop_va *vas; /* owned */
    int64_t now;
    uint64_t signal_seq;
    tl_fixed step; /* between two entries of a symbol: 1% / accounts per symbol */
    tl_prng rng;
} bench;

static uint32_t per_symbol(const tl_bench_loop_config *c)
{
    return (c->accounts + c->symbols - 1) / c->symbols;
}

/* One quote of symbol s at (bid, ask), at the next microsecond, then the step boundary. */
static int quote(bench *b, uint32_t s, tl_fixed bid, tl_fixed ask, tl_err *err)
{
    sym_state *y = &b->syms[s];
    int rc;
    b->now += TICK_NS;
    if ((rc = tl_clock_set(&b->clock, b->now)) != 0)
        return tl_err_set(err, rc, "bench: clock");
    y->q.ts_ns = b->now;
    y->q.bid = bid;
    y->q.ask = ask;
    if ((rc = tl_loop_on_quote(&b->loop, &y->q, err)) != 0)
        return rc;
    return tl_loop_flush(&b->loop, false, err);
}

/* A quote with a 1 bp spread around mid. */
static int quote_mid(bench *b, uint32_t s, tl_fixed mid, tl_err *err)
{
    tl_fixed half = mid / 20000;
    return quote(b, s, mid - half, mid + half, err);
}

/* Account i enters its symbol at the latest quote, expecting the price it fills at. 1 when
 * accepted, 0 when refused, negative on error. */
static int enter(bench *b, uint32_t i, bool is_long, tl_err *err)
{
    const tl_bench_loop_config *c = b->cfg;
    sym_state *y = &b->syms[i % c->symbols];
    tl_signal sg;
    memset(&sg, 0, sizeof(sg));
    snprintf(sg.id, sizeof(sg.id), "b%llu", (unsigned long long)++b->signal_seq);
    sg.ts_ns = b->now;
    memcpy(sg.account, b->vas[i].name, sizeof(sg.account));
    memcpy(sg.symbol, y->q.symbol, sizeof(sg.symbol));
    sg.action = is_long ? TL_SIGNAL_ENTER_LONG : TL_SIGNAL_ENTER_SHORT;
    sg.qty = QTY;
    sg.expected_price = is_long ? y->q.ask : y->q.bid;
    uint64_t before = b->loop.stats.signals_accepted;
    int rc = tl_loop_on_signal(&b->loop, &sg, err);
    if (rc == 0)
        rc = tl_loop_flush(&b->loop, false, err);
    if (rc != 0)
        return rc;
    return b->loop.stats.signals_accepted > before;
}

static const char *last_refusal(const tl_loop *l)
{
    return l->recent_n ? l->recent[(l->recent_next + TL_LOOP_RECENT - 1) % TL_LOOP_RECENT].text
                       : "no refusal recorded";
}

/* The mid at which the j-th account of a symbol enters: within 0.5% of PRICE. */
static tl_fixed entry_mid(const bench *b, uint32_t j)
{
    uint32_t n = per_symbol(b->cfg);
    return PRICE + b->step * ((tl_fixed)2 * j - (tl_fixed)(n - 1)) / 2;
}

static int open_all(bench *b, tl_err *err)
{
    const tl_bench_loop_config *c = b->cfg;
    int rc;
    tl_clock_init_sim(&b->clock, START_NS);
    b->now = START_NS;
    if ((rc = tl_venue_open(&b->venue, VENUE_URL, &b->clock, NULL, err)) != 0)
        return rc;
    b->have_venue = true;
    if (c->journal_url) {
        tl_store_options so = {TL_DURABILITY_NORMAL};
        if ((rc = tl_store_open(&b->store, c->journal_url, &so, NULL, err)) != 0)
            return rc;
        b->have_store = true;
        if ((rc = tl_journal_init(&b->journal, &b->store, 0, err)) != 0)
            return rc;
        b->have_journal = true;
    }
    if (!(b->vas = calloc(c->accounts, sizeof(*b->vas))))
        return tl_err_set(err, TL_ENOMEM, "bench: out of memory");
    for (uint32_t i = 0; i < c->accounts; i++) {
        b->vas[i] = *c->rules;
        snprintf(b->vas[i].name, sizeof(b->vas[i].name), "va%05u", i);
        b->vas[i].starting_balance = BALANCE;
    }
    /* The cap on open positions is engine-wide: at the number of accounts, it still runs. */
    tl_loop_config lc = {b->vas, c->accounts, {0}, 0};
    lc.engine_risk.max_open_positions = c->accounts;
    if ((rc = tl_loop_init(&b->loop, &lc, &b->venue, &b->clock, b->have_store ? &b->store : NULL,
                           b->have_journal ? &b->journal : NULL, err)) != 0)
        return rc;
    b->have_loop = true;
    return 0;
}

/* Every account enters once, in the order of entry_mid, so each holds a position and a stop;
 * the rings list each side's accounts in trigger order. */
static int setup(bench *b, tl_err *err)
{
    const tl_bench_loop_config *c = b->cfg;
    uint32_t n = per_symbol(c);
    int rc;
    if (!(b->syms = calloc(c->symbols, sizeof(*b->syms))))
        return tl_err_set(err, TL_ENOMEM, "bench: out of memory");
    for (uint32_t s = 0; s < c->symbols; s++) {
        sym_state *y = &b->syms[s];
        snprintf(y->q.symbol, sizeof(y->q.symbol), "S%05u", s);
        y->longs.slots = malloc(((n + 1) / 2) * sizeof(uint32_t));
        y->shorts.slots = malloc((n / 2 + 1) * sizeof(uint32_t));
        if (!y->longs.slots || !y->shorts.slots)
            return tl_err_set(err, TL_ENOMEM, "bench: out of memory");
        y->longs.next_mid = entry_mid(b, 0) - 2 * b->step;
        y->shorts.next_mid = entry_mid(b, n - 1) + 2 * b->step;
    }
    for (uint32_t j = 0; j < n; j++) {
        tl_fixed mid = entry_mid(b, j);
        bool is_long = j % 2 == 0;
        for (uint32_t s = 0; s < c->symbols && j * c->symbols + s < c->accounts; s++) {
            uint32_t i = j * c->symbols + s;
            if ((rc = quote_mid(b, s, mid, err)) != 0 || (rc = enter(b, i, is_long, err)) < 0)
                return rc;
            if (rc == 0)
                return tl_err_set(err, TL_ESTATE, "bench: the entry of %s was refused (%s)",
                                  b->vas[i].name, last_refusal(&b->loop));
            /* Longs trigger highest stop first (last entered first); shorts lowest first. */
            sym_state *y = &b->syms[s];
            if (is_long) {
                memmove(y->longs.slots + 1, y->longs.slots, y->longs.n * sizeof(uint32_t));
                y->longs.slots[0] = i;
                y->longs.n++;
            } else {
                y->shorts.slots[y->shorts.n++] = i;
            }
        }
    }
    for (uint32_t s = 0; s < c->symbols; s++)
        if ((rc = tl_engine_instrument(&b->loop.engine, b->syms[s].q.symbol, &b->syms[s].inst,
                                       err)) != 0)
            return rc;
    if (tl_stop_book_count(&b->loop.stops) != c->accounts)
        return tl_err_set(err, TL_ECORRUPT, "bench: %u stops for %u accounts",
                          tl_stop_book_count(&b->loop.stops), c->accounts);
    return 0;
}

/* Symbol s's quote crosses the top stop of one side, exactly at its price; its exit goes out
 * through the kernel and the venue; then a quote at the side's next entry price and a signal take
 * the position again. */
static int cross(bench *b, uint32_t s, tl_bench_loop_result *r, tl_err *err)
{
    sym_state *y = &b->syms[s];
    bool is_short = y->next_short ? y->shorts.n > 0 : y->longs.n == 0;
    y->next_short = !y->next_short;
    side_ring *ring = is_short ? &y->shorts : &y->longs;
    uint32_t i = ring->slots[ring->top];
    tl_stop st;
    int rc;
    if (tl_stop_book_get(&b->loop.stops, b->loop.engine.accts[i].id, y->inst, &st) != 0)
        return tl_err_set(err, TL_ESTATE,
                          "bench: %s holds no stop: its entry after the last crossing was refused "
                          "(%s); a larger --cross-every crosses each account less often",
                          b->vas[i].name, last_refusal(&b->loop));
    uint64_t exits = b->loop.stats.exits_stop_loss;
    if (is_short)
        rc = quote(b, s, st.price - st.price / 10000, st.price, err);
    else
        rc = quote(b, s, st.price, st.price + st.price / 10000, err);
    if (rc != 0)
        return rc;
    if (b->loop.stats.exits_stop_loss != exits + 1)
        return tl_err_set(err, TL_ECORRUPT, "bench: a crossing quote sent %llu exits",
                          (unsigned long long)(b->loop.stats.exits_stop_loss - exits));
    r->crossings++;
    if ((rc = quote_mid(b, s, ring->next_mid, err)) != 0 || (rc = enter(b, i, !is_short, err)) < 0)
        return rc;
    r->reentries += (uint64_t)rc;
    r->quotes++;
    ring->next_mid += is_short ? 2 * b->step : -2 * b->step;
    ring->top = (ring->top + 1) % ring->n;
    return 0;
}

static int run(bench *b, tl_bench_loop_result *r, tl_err *err)
{
    const tl_bench_loop_config *c = b->cfg;
    tl_bench_lat lat;
    int rc;
    if (tl_bench_lat_init(&lat) != 0)
        return tl_err_set(err, TL_ENOMEM, "bench: no memory for the latency histogram");
    r->stops_start = tl_stop_book_count(&b->loop.stops);
    uint64_t next_cross = c->cross_every ? c->cross_every : UINT64_MAX;
    uint32_t s = 0;
    tl_bench_lat_start(&lat);
    for (uint64_t k = 1; k <= c->quotes; k++) {
        if (k == next_cross) {
            /* Crossings go round the symbols whatever the period, so they go round accounts. */
            rc = cross(b, (uint32_t)(r->crossings % c->symbols), r, err);
            next_cross += c->cross_every;
        } else {
            /* A step of at most ±0.5% from PRICE, in 1 bp steps: no stop is that close. */
            tl_fixed mid = PRICE + PRICE / 10000 * ((tl_fixed)tl_prng_below(&b->rng, 101) - 50);
            rc = quote_mid(b, s, mid, err);
        }
        if (rc != 0)
            goto out;
        tl_bench_lat_tick(&lat);
        s = s + 1 == c->symbols ? 0 : s + 1;
    }
    tl_bench_lat_pcts p;
    tl_bench_lat_pcts_of(&lat, &p);
    r->quotes += c->quotes;
    r->steps = lat.count;
    r->seconds = tl_bench_lat_seconds(&lat);
    r->quotes_per_sec = r->seconds > 0 ? (double)r->quotes / r->seconds : 0;
    r->p50_ns = p.p50_ns;
    r->p99_ns = p.p99_ns;
    r->p999_ns = p.p999_ns;
    r->max_ns = p.max_ns;
    r->stops_end = tl_stop_book_count(&b->loop.stops);
    if ((rc = tl_loop_flush(&b->loop, true, err)) != 0)
        goto out;
    r->journal_events = b->have_journal ? b->journal.events_written : 0;
out:
    tl_bench_lat_close(&lat);
    return rc;
}

static void close_all(bench *b)
{
    if (b->have_loop)
        tl_loop_close(&b->loop);
    if (b->have_journal)
        tl_journal_close(&b->journal);
    if (b->have_store)
        tl_store_close(&b->store);
    if (b->have_venue)
        tl_venue_close(&b->venue);
    for (uint32_t s = 0; b->syms && s < b->cfg->symbols; s++) {
        free(b->syms[s].longs.slots);
        free(b->syms[s].shorts.slots);
    }
    free(b->syms);
    free(b->vas);
}

int tl_bench_loop(const tl_bench_loop_config *cfg, tl_bench_loop_result *out, tl_err *err)
{
    if (cfg->accounts == 0 || cfg->symbols == 0 || cfg->symbols > cfg->accounts || cfg->quotes == 0)
        return tl_err_set(err, TL_EINVAL, "want 0 < symbols <= accounts and quotes > 0");
    bench b;
    memset(&b, 0, sizeof(b));
    b.cfg = cfg;
    b.step = PRICE / 100 / per_symbol(cfg);
    if (b.step == 0)
        return tl_err_set(err, TL_EINVAL, "too many accounts per symbol");
    /* Each crossing moves its side's next entry one more step from PRICE: bounded, so prices stay
     * positive and far from the other side's stops. */
    if (cfg->cross_every) {
        uint64_t per_side = cfg->quotes / cfg->cross_every / cfg->symbols / 2 + 1;
        if (per_side > (uint64_t)(MAX_DRIFT / (2 * b.step)))
            return tl_err_set(err, TL_EINVAL,
                              "cross-every: too small for that many quotes (entries would walk "
                              "more than 20%% from the price)");
    }
    tl_prng_seed(&b.rng, cfg->seed);
    tl_bench_loop_result r;
    memset(&r, 0, sizeof(r));
    int rc = open_all(&b, err);
    if (rc == 0)
        rc = setup(&b, err);
    if (rc == 0)
        rc = run(&b, &r, err);
    close_all(&b);
    if (rc == 0)
        *out = r;
    return rc;
}
