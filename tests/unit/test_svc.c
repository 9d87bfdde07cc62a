/*
 * test_svc.c -- the execution service's core: an order's result is said only after its commit,
 * an order_id executes once (DUPLICATE with the original outcome, also after a restart), a reused
 * order_id with another payload is refused without a write, the mock venue's success rate, dry
 * run, and live refused without a venue named.
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

#include "service/svc.h"

#define T0 (1735812000LL * TL_NS_PER_SEC)

typedef struct said {
    tl_svc_result r[256];
    int n;
    uint64_t hw_at[256]; /* the store's high-water mark when each result was said */
    tl_store *store;
} said;

static void on_answer(void *ctx, const tl_svc_result *r)
{
    said *s = ctx;
    if (r && s->n < 256) {
        s->hw_at[s->n] = s->store->high_water;
        s->r[s->n++] = *r;
    }
}

static tl_order_msg order(const char *id, const char *sym, tl_side side, const char *qty,
                          const char *px)
{
    tl_order_msg o;
    memset(&o, 0, sizeof(o));
    snprintf(o.order_id, sizeof(o.order_id), "%s", id);
    snprintf(o.symbol, sizeof(o.symbol), "%s", sym);
    o.side = side;
    o.type = TL_ORDER_LIMIT;
    assert_int_equal(tl_fixed_parse(qty, strlen(qty), &o.quantity, NULL), 0);
    assert_int_equal(tl_fixed_parse(px, strlen(px), &o.price, NULL), 0);
    return o;
}

typedef struct rig {
    char dir[64], path[96];
    tl_clock clock;
    tl_store store;
    tl_svc svc;
    said out;
} rig;

static void rig_open(rig *r, const tl_svc_config *cfg)
{
    tl_store_options so = {TL_DURABILITY_FULL};
    tl_err err = {0};
    tl_clock_init_sim(&r->clock, T0);
    assert_int_equal(tl_store_open(&r->store, r->path, &so, NULL, &err), 0);
    int rc = tl_svc_open(&r->svc, cfg, &r->store, &r->clock, &err);
    if (rc != 0)
        fail_msg("open: %s", err.msg);
    memset(&r->out, 0, sizeof(r->out));
    r->out.store = &r->store;
}

static void rig_close(rig *r)
{
    tl_svc_close(&r->svc);
    tl_store_close(&r->store);
}

static void rig_new(rig *r)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->dir, sizeof(r->dir), "/tmp/tl-svc-XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->path, sizeof(r->path), "%s/svc.db", r->dir);
}

static void rig_remove(rig *r)
{
    char p[128];
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s%s", r->path, sfx[i]);
        unlink(p);
    }
    rmdir(r->dir);
}

static void submit(rig *r, const tl_order_msg *o)
{
    tl_err err = {0};
    assert_int_equal(tl_svc_submit(&r->svc, o, on_answer, &r->out, &err), 0);
}

static void commit(rig *r)
{
    tl_err err = {0};
    int rc = tl_svc_commit(&r->svc, &err);
    if (rc != 0)
        fail_msg("commit: %s", err.msg);
}

static void test_paper_once_and_after_commit(void **state)
{
    (void)state;
    rig r;
    tl_svc_config cfg;
    tl_svc_config_default(&cfg);
    rig_new(&r);
    rig_open(&r, &cfg);
    uint64_t hw0 = r.store.high_water;
    tl_order_msg a = order("ord-1", "BTCUSDT", TL_SIDE_BUY, "0.5", "50000");
    tl_order_msg b = order("ord-2", "ETHUSDT", TL_SIDE_SELL, "2", "3000.25");
    submit(&r, &a);
    submit(&r, &b);
    assert_int_equal(r.out.n, 0); /* nothing said before the commit */
    commit(&r);
    assert_int_equal(r.out.n, 2);
    assert_true(r.out.hw_at[0] > hw0);        /* said after its events were in the store */
    assert_int_equal(r.svc.stats.commits, 1); /* one commit for the step's two orders */
    const tl_svc_result *x = &r.out.r[0];
    assert_string_equal(x->order_id, "ord-1");
    assert_int_equal(x->status, TL_ORDER_RESULT_FILLED);
    assert_int_equal(x->n_fills, 1);
    assert_int_equal(x->fills[0].price, TL_FIXED_INT(50000));
    assert_int_equal(x->filled_qty, TL_FIXED_INT(1) / 2);
    assert_int_equal(x->avg_price, TL_FIXED_INT(50000));
    assert_memory_equal(x->engine_order_id, "SO", 2);
    assert_int_equal(strlen(x->engine_order_id), 22);
    char first_id[TL_ORDER_ID_MAX], trade[TL_TRADE_ID_MAX];
    memcpy(first_id, x->engine_order_id, sizeof(first_id));
    memcpy(trade, x->fills[0].trade_id, sizeof(trade));
    assert_int_equal(r.out.r[1].status, TL_ORDER_RESULT_FILLED);

    /* Again: the same payload is a duplicate with the original outcome, nothing written. */
    uint64_t hw1 = r.store.high_water;
    submit(&r, &a);
    commit(&r);
    x = &r.out.r[2];
    assert_int_equal(x->status, TL_ORDER_RESULT_DUPLICATE);
    assert_int_equal(x->original, TL_ORDER_RESULT_FILLED);
    assert_string_equal(x->engine_order_id, first_id);
    assert_string_equal(x->fills[0].trade_id, trade);
    assert_int_equal(r.store.high_water, hw1);

    /* The same order_id with another quantity: refused, nothing written. */
    tl_order_msg a2 = order("ord-1", "BTCUSDT", TL_SIDE_BUY, "0.6", "50000");
    submit(&r, &a2);
    commit(&r);
    x = &r.out.r[3];
    assert_int_equal(x->status, TL_ORDER_RESULT_REJECTED);
    assert_non_null(strstr(x->reject_reason, "different payload"));
    assert_int_equal(r.store.high_water, hw1);

    /* A symbol the engine refuses is a REJECTED result naming it, not a failure. */
    tl_order_msg bad = order("ord-3", "btc/usdt", TL_SIDE_BUY, "1", "1");
    submit(&r, &bad);
    commit(&r);
    assert_int_equal(r.out.r[4].status, TL_ORDER_RESULT_REJECTED);
    assert_true(r.out.r[4].reject_reason[0] != '\0');

    /* The kill switch refuses an entry: REJECTED, its code the rule's name. */
    assert_int_equal(tl_engine_kill(&r.svc.engine, "test", NULL), 1);
    tl_order_msg k = order("ord-4", "BTCUSDT", TL_SIDE_BUY, "1", "50000");
    submit(&r, &k);
    commit(&r);
    assert_int_equal(r.out.r[5].status, TL_ORDER_RESULT_REJECTED);
    if (strcmp(r.out.r[5].reason_code, "KILL_SWITCH") != 0)
        fail_msg("code %s for '%s'", r.out.r[5].reason_code, r.out.r[5].reject_reason);
    assert_string_equal(r.out.r[3].reason_code, "PAYLOAD_CONFLICT");
    assert_string_equal(r.out.r[4].reason_code, "SYMBOL");
    assert_int_equal(tl_engine_kill_release(&r.svc.engine), 1);
    commit(&r);

    /* After a restart on the same journal the order_id is still known. */
    rig_close(&r);
    rig_open(&r, &cfg);
    submit(&r, &a);
    commit(&r);
    assert_int_equal(r.out.r[0].status, TL_ORDER_RESULT_DUPLICATE);
    assert_string_equal(r.out.r[0].engine_order_id, first_id);
    assert_string_equal(r.out.r[0].fills[0].trade_id, trade);
    assert_int_equal(r.svc.stats.duplicates, 1);
    rig_close(&r);
    rig_remove(&r);
}

/* The mock venue: seeded, so the same orders give the same outcomes; about 95% fill. */
static int mock_run(uint64_t seed, int *rejected)
{
    rig r;
    tl_svc_config cfg;
    tl_svc_config_default(&cfg);
    cfg.mode = TL_SVC_MOCK;
    cfg.seed = seed;
    rig_new(&r);
    rig_open(&r, &cfg);
    int filled = 0;
    *rejected = 0;
    for (int i = 0; i < 200; i++) {
        char id[32];
        snprintf(id, sizeof(id), "m-%d", i);
        tl_order_msg o = order(id, "BTCUSDT", i % 2 ? TL_SIDE_SELL : TL_SIDE_BUY, "0.01", "50000");
        submit(&r, &o);
        if (i % 50 == 49)
            commit(&r);
    }
    for (int i = 0; i < r.out.n; i++) {
        filled += r.out.r[i].status == TL_ORDER_RESULT_FILLED;
        *rejected += r.out.r[i].status == TL_ORDER_RESULT_REJECTED;
    }
    assert_int_equal(r.out.n, 200);
    rig_close(&r);
    rig_remove(&r);
    return filled;
}

static void test_mock_success_rate(void **state)
{
    (void)state;
    int rej1, rej2;
    int f1 = mock_run(7, &rej1), f2 = mock_run(7, &rej2);
    assert_int_equal(f1, f2);
    assert_int_equal(rej1, rej2);
    assert_int_equal(f1 + rej1, 200);
    assert_in_range(rej1, 2, 25); /* 5% of 200 is 10 */
}

static void test_dry_run_and_live(void **state)
{
    (void)state;
    rig r;
    tl_svc_config cfg;
    tl_svc_config_default(&cfg);
    cfg.dry_run = true;
    rig_new(&r);
    rig_open(&r, &cfg);
    uint64_t hw = r.store.high_water;
    tl_order_msg o = order("d-1", "BTCUSDT", TL_SIDE_BUY, "1", "100");
    submit(&r, &o);
    commit(&r);
    assert_int_equal(r.out.n, 1);
    assert_int_equal(r.out.r[0].status, TL_ORDER_RESULT_DRY_RUN);
    assert_int_equal(r.store.high_water, hw); /* nothing executed, nothing journaled */
    rig_close(&r);

    cfg.dry_run = false;
    cfg.mode = TL_SVC_LIVE;
    tl_store_options so = {TL_DURABILITY_FULL};
    tl_err err = {0};
    assert_int_equal(tl_store_open(&r.store, r.path, &so, NULL, NULL), 0);
    /* Live without a venue named: refused, never a default venue. */
    assert_int_equal(tl_svc_open(&r.svc, &cfg, &r.store, &r.clock, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "--live-venue"));
    /* A named one is opened (here without keys, so its own refusal comes back). */
    cfg.live_venue = "binance+http://127.0.0.1:1";
    assert_int_equal(tl_svc_open(&r.svc, &cfg, &r.store, &r.clock, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "no keys"));
    tl_store_close(&r.store);
    rig_remove(&r);

    tl_svc_mode m;
    assert_int_equal(tl_svc_mode_parse("MOCK", &m, NULL), 0);
    assert_int_equal(m, TL_SVC_MOCK);
    assert_int_equal(tl_svc_mode_parse("real", &m, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "'real'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper_once_and_after_commit),
        cmocka_unit_test(test_mock_success_rate),
        cmocka_unit_test(test_dry_run_and_live),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
