/*
 * test_journal.c -- the journal under faults: fail the Nth write or commit, for every N across a
 * scenario, and check that the engine freezes and halts at once (no retry without end), that a
 * restart recovers from the journal and goes on, that nothing acknowledged is lost, that the
 * journal stays gap-free, and that replaying it gives the live state's digest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/recover.h"
#include "journal/journal.h"
#include "journal/replay.h"

#define STEPS     12
#define MAX_ACKED 256

typedef struct scan_check {
    uint64_t expect_seq; /* next seq the scan must see: gap-free */
    char fills[MAX_ACKED][TL_TRADE_ID_MAX];
    int nfills;
    int gap;
} scan_check;

static int collect(void *ctx, const tl_event *ev)
{
    scan_check *c = ctx;
    if (ev->seq != c->expect_seq)
        c->gap = 1;
    c->expect_seq = ev->seq + 1;
    if (ev->type == TL_EV_ORDER_FILLED && c->nfills < MAX_ACKED)
        strcpy(c->fills[c->nfills++], ev->trade_id);
    return 0;
}

static int has_fill(const scan_check *c, const char *trade_id)
{
    for (int i = 0; i < c->nfills; i++)
        if (strcmp(c->fills[i], trade_id) == 0)
            return 1;
    return 0;
}

/* Fills the journal has made durable: acknowledged ones. A subscriber beside the journal, as a
 * report or a dashboard would be. */
typedef struct acks {
    char ids[MAX_ACKED][TL_TRADE_ID_MAX];
    int n;
    char pending[MAX_ACKED][TL_TRADE_ID_MAX];
    int npending;
} acks;

static void on_fill(void *ctx, const tl_engine_event *ev)
{
    acks *a = ctx;
    if (ev->rec->type == TL_EV_ORDER_FILLED && a->npending < MAX_ACKED)
        strcpy(a->pending[a->npending++], ev->fill->trade_id);
}

typedef struct rig {
    tl_instruments inst;
    uint32_t id;
    tl_instrument btc;
    tl_clock clock;
    tl_venue venue;
    tl_engine x;
    tl_journal j;
} rig;

/* An engine on a fresh simulated venue, recovered from the store, journaling into it; it freezes
 * when a measured edge falls below edge_threshold_bps (0: never). */
static void rig_open_edge(rig *r, tl_store *store, acks *a, int64_t start_ns, uint64_t first_trade,
                          tl_fixed edge_threshold_bps)
{
    char url[160];
    tl_instruments_init(&r->inst);
    assert_int_equal(tl_instrument_default("BTCUSDT", &r->btc, NULL), 0);
    assert_int_equal(tl_instruments_add(&r->inst, &r->btc, &r->id, NULL), 0);
    tl_clock_init_sim(&r->clock, start_ns);
    snprintf(url, sizeof(url),
             "sim://?seed=3&fill_rate=1&reject_rate=0&partial_rate=0.5&latency_us=0"
             "&first_trade=%llu",
             (unsigned long long)first_trade);
    assert_int_equal(tl_venue_open(&r->venue, url, &r->clock, NULL, NULL), 0);
    tl_engine_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    strcpy(cfg.workspace, "faults");
    cfg.account = 1;
    cfg.starting_cash = TL_FIXED_INT(100000);
    cfg.risk.edge_threshold_bps = edge_threshold_bps;
    assert_int_equal(tl_engine_init(&r->x, &cfg, &r->inst, &r->venue, &r->clock, NULL), 0);
    assert_int_equal(tl_engine_recover(&r->x, store, NULL), 0);
    tl_engine_subscriber s = {on_fill, NULL, a};
    assert_int_equal(tl_engine_subscribe(&r->x, &s), 0);
    assert_int_equal(tl_journal_init(&r->j, store, 0, NULL), 0);
    tl_engine_subscriber js = tl_journal_subscriber(&r->j);
    assert_int_equal(tl_engine_subscribe(&r->x, &js), 0);
    if (!r->x.has_reset)
        assert_int_equal(tl_engine_reset(&r->x, cfg.starting_cash, NULL), 0);
    tl_engine_on_quote(&r->x, r->id, TL_FIXED_INT(49999), TL_FIXED_INT(50001));
}

static void rig_open(rig *r, tl_store *store, acks *a, int64_t start_ns, uint64_t first_trade)
{
    rig_open_edge(r, store, a, start_ns, first_trade, 0);
}

static void rig_close(rig *r)
{
    tl_journal_close(&r->j);
    tl_engine_close(&r->x);
    tl_venue_close(&r->venue);
    tl_instruments_close(&r->inst);
}

/* Steps of two orders each, a forced flush after every step (as a host acknowledging them
 * would). Returns the step whose flush failed, or -1. */
static int run_steps(rig *r, acks *a, int steps)
{
    for (int step = 0; step < steps; step++) {
        for (int k = 0; k < 2; k++) {
            tl_side side = k ? TL_SIDE_SELL : TL_SIDE_BUY;
            tl_risk_reason why = TL_RR_OK;
            int rc = tl_engine_submit(&r->x, r->id, side, TL_ORDER_LIMIT, TL_FIXED_INT(50000),
                                      r->btc.lot_size * 100, NULL, &why, NULL);
            assert_int_equal(rc, 0);
        }
        tl_clock_advance(&r->clock, TL_NS_PER_MS);
        assert_true(tl_engine_poll(&r->x, NULL) >= 0);
        tl_err err = {0};
        if (tl_engine_flush(&r->x, true, &err) != 0) {
            assert_int_equal(err.code, TL_EIO);
            assert_non_null(strstr(err.msg, "injected fault"));
            /* Frozen through the kernel, halted: nothing more is taken, and nothing of this
             * step was acknowledged. */
            assert_true(r->x.risk.frozen);
            assert_true(r->x.halted);
            assert_true(strncmp(r->x.risk.freeze_reason, TL_ENGINE_FLUSH_FREEZE_PREFIX,
                                strlen(TL_ENGINE_FLUSH_FREEZE_PREFIX)) == 0);
            assert_int_equal(tl_engine_submit(&r->x, r->id, TL_SIDE_BUY, TL_ORDER_LIMIT,
                                              TL_FIXED_INT(50000), r->btc.lot_size, NULL, NULL,
                                              NULL),
                             TL_ESTATE);
            assert_int_equal(tl_engine_flush(&r->x, true, NULL), TL_ESTATE);
            a->npending = 0;
            return step;
        }
        /* Durable: these fills may now be acknowledged. */
        for (int i = 0; i < a->npending; i++)
            strcpy(a->ids[a->n++], a->pending[i]);
        a->npending = 0;
    }
    return -1;
}

static void scenario(const char *url, int fail_write_at, int fail_commit_at)
{
    tl_store store;
    tl_store_options so = {TL_DURABILITY_NORMAL};
    acks a;
    rig r;

    memset(&a, 0, sizeof(a));
    assert_int_equal(tl_store_open(&store, url, &so, NULL, NULL), 0);
    store.faults.fail_write_at = (uint64_t)fail_write_at;
    store.faults.fail_commit_at = (uint64_t)fail_commit_at;
    rig_open(&r, &store, &a, 1735689600LL * TL_NS_PER_SEC, 1);
    int failed = run_steps(&r, &a, STEPS);
    assert_int_equal(failed >= 0, fail_write_at > 0 || fail_commit_at > 0);
    uint64_t next_seq = r.x.orders.next_client_seq;
    rig_close(&r);

    /* The restart: a new engine rebuilt from the journal goes on where the last commit left it,
     * with new order ids and new trade ids, and commits again. */
    store.faults.fail_write_at = store.faults.fail_commit_at = 0;
    rig_open(&r, &store, &a, 1735689700LL * TL_NS_PER_SEC, 1000);
    assert_true(r.x.orders.next_client_seq <= next_seq);
    assert_false(r.x.risk.frozen); /* the freeze of a failed commit was never journaled */
    assert_int_equal(run_steps(&r, &a, 2), -1);

    /* Gap-free, every acknowledged fill there, and the replay gives the live digest. */
    scan_check c;
    memset(&c, 0, sizeof(c));
    c.expect_seq = 1;
    tl_scan_filter f = {0, 0, NULL};
    assert_int_equal(tl_store_scan(&store, &f, collect, &c, NULL), 0);
    assert_false(c.gap);
    assert_int_equal(c.expect_seq - 1, store.high_water);
    assert_true(a.n > 0);
    for (int i = 0; i < a.n; i++)
        assert_true(has_fill(&c, a.ids[i]));
    assert_int_equal(c.nfills, a.n); /* and nothing that was not acknowledged */
    char live[65];
    tl_ledger l;
    tl_replay_result rr;
    assert_int_equal(tl_engine_digest(&r.x, live, NULL), 0);
    assert_int_equal(tl_ledger_init(&l, TL_FIXED_INT(100000)), 0);
    assert_int_equal(tl_replay(&store, "faults", &l, &rr, NULL), 0);
    assert_string_equal(rr.digest, live);
    assert_int_equal(rr.fills_replayed, (uint64_t)a.n);
    tl_ledger_close(&l);

    rig_close(&r);
    tl_store_close(&store);
}

static void test_every_write_fault_mem(void **state)
{
    (void)state;
    for (int n = 0; n <= STEPS; n++)
        scenario("mem:", n, 0);
}

static void test_every_commit_fault_mem(void **state)
{
    (void)state;
    for (int n = 1; n <= STEPS; n++)
        scenario("mem:", 0, n);
}

static void test_every_fault_sqlite(void **state)
{
    (void)state;
    char dir[] = "/tmp/tl-journal-XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    for (int n = 1; n <= STEPS; n++) {
        for (int kind = 0; kind < 2; kind++) {
            snprintf(path, sizeof(path), "%s/j%d_%d.db", dir, n, kind);
            scenario(path, kind ? 0 : n, kind ? n : 0);
            char f[160];
            const char *suffix[] = {"", "-wal", "-shm"};
            for (int i = 0; i < 3; i++) {
                snprintf(f, sizeof(f), "%s%s", path, suffix[i]);
                unlink(f);
            }
        }
    }
    rmdir(dir);
}

/* A freeze the rules set (the edge rule, or the kill switch) is journaled (RISK_FROZEN) and must
 * survive everything after it: a later commit that fails halts the engine, whose own freeze is
 * never journaled and must neither replace the reason nor lift the freeze; the restart recovers
 * it from the journal, still frozen for the same reason, and trading stays refused. */
static void freeze_survives(const char *url, int kill_switch)
{
    tl_store store;
    tl_store_options so = {TL_DURABILITY_NORMAL};
    acks a;
    rig r;
    tl_err err = {0};
    tl_risk_reason why = TL_RR_OK;
    const tl_fixed threshold = TL_FIXED_INT(3);

    memset(&a, 0, sizeof(a));
    assert_int_equal(tl_store_open(&store, url, &so, NULL, NULL), 0);
    rig_open_edge(&r, &store, &a, 1735689600LL * TL_NS_PER_SEC, 1, threshold);
    assert_int_equal(run_steps(&r, &a, 2), -1);
    assert_false(r.x.risk.frozen);
    assert_int_equal(tl_engine_on_edge(&r.x, TL_FIXED_INT(5), NULL), 0); /* above: nothing */
    if (kill_switch)
        assert_int_equal(tl_engine_freeze(&r.x, "kill switch: operator", NULL), 1);
    else
        assert_int_equal(tl_engine_on_edge(&r.x, TL_FIXED_INT(1), NULL), 1);
    const char *want =
        kill_switch ? "kill switch: operator" : "Edge degradation: 1.00 BPS < 3.00 BPS";
    assert_true(r.x.risk.frozen);
    assert_string_equal(r.x.risk.freeze_reason, want);
    assert_int_equal(tl_engine_flush(&r.x, true, &err), 0); /* the freeze is durable */

    /* The next step's commit fails. */
    store.faults.fail_commit_at = store.faults.commits + 1;
    assert_int_equal(tl_engine_submit(&r.x, r.id, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_FIXED_INT(50000),
                                      r.btc.lot_size * 100, NULL, &why, NULL),
                     TL_ERISK);
    assert_int_equal(why, TL_RR_FROZEN);
    assert_int_equal(tl_engine_flush(&r.x, true, &err), TL_EIO);
    assert_non_null(strstr(err.msg, "injected fault: commit"));
    assert_true(r.x.halted);
    assert_true(r.x.risk.frozen);
    assert_string_equal(r.x.risk.freeze_reason, want);
    rig_close(&r);

    /* The restart, twice: frozen for the same reason, and nothing trades. */
    store.faults.fail_commit_at = 0;
    for (int restart = 0; restart < 2; restart++) {
        rig_open_edge(&r, &store, &a, (1735689700LL + restart) * TL_NS_PER_SEC, 1000, threshold);
        assert_false(r.x.halted);
        assert_true(r.x.risk.frozen);
        assert_string_equal(r.x.risk.freeze_reason, want);
        why = TL_RR_OK;
        assert_int_equal(tl_engine_submit(&r.x, r.id, TL_SIDE_SELL, TL_ORDER_LIMIT,
                                          TL_FIXED_INT(50000), r.btc.lot_size * 100, NULL, &why,
                                          NULL),
                         TL_ERISK);
        assert_int_equal(why, TL_RR_FROZEN);
        assert_int_equal(tl_engine_flush(&r.x, true, &err), 0);
        rig_close(&r);
    }
    tl_store_close(&store);
}

static void test_freeze_survives_failed_commit(void **state)
{
    (void)state;
    char dir[] = "/tmp/tl-journal-XXXXXX", path[128], f[160];
    assert_non_null(mkdtemp(dir));
    for (int kill_switch = 0; kill_switch < 2; kill_switch++) {
        freeze_survives("mem:", kill_switch);
        snprintf(path, sizeof(path), "%s/freeze%d.db", dir, kill_switch);
        freeze_survives(path, kill_switch);
        const char *suffix[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            snprintf(f, sizeof(f), "%s%s", path, suffix[i]);
            unlink(f);
        }
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_write_fault_mem),
        cmocka_unit_test(test_every_commit_fault_mem),
        cmocka_unit_test(test_every_fault_sqlite),
        cmocka_unit_test(test_freeze_survives_failed_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
