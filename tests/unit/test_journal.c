/*
 * test_journal.c -- the journal under faults: fail the Nth write or commit, for every N across a
 * scenario, and check that trading freezes while the journal cannot persist, resumes once it
 * can, that nothing acknowledged is lost, that the journal stays gap-free, and that replaying it
 * gives the live state's digest.
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

/* Fills the journal has made durable: acknowledged ones. */
typedef struct acks {
    char ids[MAX_ACKED][TL_TRADE_ID_MAX];
    int n;
    char pending[MAX_ACKED][TL_TRADE_ID_MAX];
    int npending;
} acks;

static void on_fill(void *ctx, const tl_order *o, const tl_fill *f)
{
    acks *a = ctx;
    (void)o;
    if (a->npending < MAX_ACKED)
        strcpy(a->pending[a->npending++], f->trade_id);
}

static void scenario(const char *url, int fail_write_at, int fail_commit_at)
{
    tl_instruments inst;
    tl_instrument btc;
    uint32_t id;
    tl_clock clock;
    tl_venue venue;
    tl_exec x;
    tl_store store;
    tl_journal j;
    tl_store_options so = {TL_DURABILITY_NORMAL};
    acks a;
    int failures = 0, frozen_refusals = 0, failed_step = -1;

    memset(&a, 0, sizeof(a));
    tl_instruments_init(&inst);
    assert_int_equal(tl_instrument_default("BTCUSDT", &btc, NULL), 0);
    assert_int_equal(tl_instruments_add(&inst, &btc, &id, NULL), 0);
    tl_clock_init_sim(&clock, 1735689600LL * TL_NS_PER_SEC);
    assert_int_equal(
        tl_venue_open(&venue,
                      "sim://?seed=3&fill_rate=1&reject_rate=0&partial_rate=0.5&latency_us=0",
                      &clock, NULL, NULL),
        0);
    tl_exec_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.account = 1;
    cfg.starting_cash = TL_FIXED_INT(100000);
    assert_int_equal(tl_exec_init(&x, &cfg, &inst, &venue, &clock, NULL), 0);
    x.on_fill = on_fill;
    x.hook_ctx = &a;
    assert_int_equal(tl_store_open(&store, url, &so, NULL, NULL), 0);
    store.faults.fail_write_at = (uint64_t)fail_write_at;
    store.faults.fail_commit_at = (uint64_t)fail_commit_at;
    assert_int_equal(tl_journal_init(&j, &store, &x, "faults", 0, NULL), 0);
    assert_int_equal(tl_journal_reset_workspace(&j, cfg.starting_cash, NULL), 0);
    tl_exec_on_quote(&x, id, TL_FIXED_INT(49999), TL_FIXED_INT(50001));

    for (int step = 0; step < STEPS; step++) {
        for (int k = 0; k < 2; k++) {
            tl_side side = k ? TL_SIDE_SELL : TL_SIDE_BUY;
            tl_risk_reason why = TL_RR_OK;
            int rc = tl_exec_submit(&x, id, side, TL_ORDER_LIMIT, TL_FIXED_INT(50000),
                                    btc.lot_size * 100, NULL, &why, NULL);
            if (rc == TL_ERISK) {
                /* Only the journal's freeze may refuse orders in this scenario. */
                assert_int_equal(why, TL_RR_FROZEN);
                assert_true(j.failing);
                frozen_refusals++;
            } else {
                assert_int_equal(rc, 0);
            }
        }
        tl_clock_advance(&clock, TL_NS_PER_MS);
        assert_true(tl_exec_poll(&x, NULL) >= 0);
        tl_err err = {0};
        if (tl_journal_flush(&j, &err) == 0) {
            /* Durable: these fills may now be acknowledged. */
            for (int i = 0; i < a.npending; i++)
                strcpy(a.ids[a.n++], a.pending[i]);
            a.npending = 0;
            assert_false(x.risk.frozen);
        } else {
            failures++;
            failed_step = step;
            assert_int_equal(err.code, TL_EIO);
            assert_non_null(strstr(err.msg, "injected fault"));
            assert_true(x.risk.frozen);
            assert_true(strncmp(x.risk.freeze_reason, TL_JOURNAL_FREEZE_PREFIX,
                                strlen(TL_JOURNAL_FREEZE_PREFIX)) == 0);
        }
    }
    assert_int_equal(tl_journal_flush(&j, NULL), 0);
    for (int i = 0; i < a.npending; i++)
        strcpy(a.ids[a.n++], a.pending[i]);
    assert_int_equal(failures, fail_write_at || fail_commit_at ? 1 : 0);
    if (failures && failed_step < STEPS - 1)
        assert_true(frozen_refusals > 0); /* the step after the failure was refused */

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
    assert_int_equal(c.nfills, a.n); /* and nothing that was not a fill of this run */
    char live[65];
    tl_ledger l;
    tl_replay_result rr;
    assert_int_equal(tl_journal_live_digest(&j, live, NULL), 0);
    assert_int_equal(tl_ledger_init(&l, cfg.starting_cash), 0);
    assert_int_equal(tl_replay(&store, "faults", &l, &rr, NULL), 0);
    assert_string_equal(rr.digest, live);
    assert_int_equal(rr.fills_replayed, (uint64_t)a.n);
    tl_ledger_close(&l);

    tl_journal_close(&j);
    tl_store_close(&store);
    tl_exec_close(&x);
    tl_venue_close(&venue);
    tl_instruments_close(&inst);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_write_fault_mem),
        cmocka_unit_test(test_every_commit_fault_mem),
        cmocka_unit_test(test_every_fault_sqlite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
