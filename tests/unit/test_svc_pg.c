/*
 * test_svc_pg.c -- two execution services (two engines, two workspaces) on one PostgreSQL store,
 * as two consumers of one Redis stream group would be: the same order_id given to both executes
 * once. The second to commit collides (TL_EEXIST from the store), decides its step again on the
 * journal as it now is, and answers DUPLICATE with the first one's outcome; its other order of the
 * step is executed and committed all the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pg_testdb.h"
#include "service/svc.h"

static char url[1100];

typedef struct engine {
    tl_clock clock;
    tl_store store;
    tl_svc svc;
    tl_svc_result said[8];
    int n;
} engine;

static void on_answer(void *ctx, const tl_svc_result *r)
{
    engine *e = ctx;
    if (r)
        e->said[e->n++] = *r;
}

static void engine_open(engine *e, const char *ws)
{
    memset(e, 0, sizeof(*e));
    tl_clock_init_sim(&e->clock, 1735812000LL * TL_NS_PER_SEC);
    tl_err err = {0};
    assert_int_equal(tl_store_open(&e->store, url, NULL, NULL, &err), 0);
    tl_svc_config cfg;
    tl_svc_config_default(&cfg);
    snprintf(cfg.workspace, sizeof(cfg.workspace), "%s", ws);
    int rc = tl_svc_open(&e->svc, &cfg, &e->store, &e->clock, &err);
    if (rc != 0)
        fail_msg("open %s: %s", ws, err.msg);
}

static void engine_close(engine *e)
{
    tl_svc_close(&e->svc);
    tl_store_close(&e->store);
}

static tl_order_msg order(const char *id, const char *qty)
{
    tl_order_msg o;
    memset(&o, 0, sizeof(o));
    snprintf(o.order_id, sizeof(o.order_id), "%s", id);
    snprintf(o.symbol, sizeof(o.symbol), "BTCUSDT");
    o.side = TL_SIDE_BUY;
    o.type = TL_ORDER_LIMIT;
    assert_int_equal(tl_fixed_parse(qty, strlen(qty), &o.quantity, NULL), 0);
    o.price = TL_FIXED_INT(50000);
    return o;
}

static void test_one_order_two_engines(void **state)
{
    (void)state;
    engine a, b;
    engine_open(&a, "engine-a");
    engine_open(&b, "engine-b");
    tl_order_msg raced = order("raced-1", "0.5"), own = order("b-only", "0.25");
    tl_err err = {0};
    /* Both decide the raced order before either commits. */
    assert_int_equal(tl_svc_submit(&a.svc, &raced, on_answer, &a, &err), 0);
    assert_int_equal(tl_svc_submit(&b.svc, &own, on_answer, &b, &err), 0);
    assert_int_equal(tl_svc_submit(&b.svc, &raced, on_answer, &b, &err), 0);
    assert_int_equal(tl_svc_commit(&a.svc, &err), 0);
    int rc = tl_svc_commit(&b.svc, &err);
    if (rc != 0)
        fail_msg("b's commit: %d %s", rc, err.msg);
    assert_int_equal(b.svc.stats.collisions, 1);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.said[0].status, TL_ORDER_RESULT_FILLED);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.said[0].order_id, "b-only");
    assert_int_equal(b.said[0].status, TL_ORDER_RESULT_FILLED);
    assert_string_equal(b.said[1].order_id, "raced-1");
    assert_int_equal(b.said[1].status, TL_ORDER_RESULT_DUPLICATE);
    assert_int_equal(b.said[1].original, TL_ORDER_RESULT_FILLED);
    assert_string_equal(b.said[1].engine_order_id, a.said[0].engine_order_id);
    assert_string_equal(b.said[1].fills[0].trade_id, a.said[0].fills[0].trade_id);

    /* Exactly one execution of the raced key in the journal. */
    tl_event first;
    assert_int_equal(tl_store_find_idem(&a.store, "order|raced-1", &first, NULL), 0);
    assert_string_equal(first.workspace, "engine-a");
    engine_close(&a);
    engine_close(&b);

    /* Each engine recovers its own: b's order is there and still a duplicate for a. */
    engine_open(&a, "engine-a");
    tl_order_msg again = order("b-only", "0.25");
    assert_int_equal(tl_svc_submit(&a.svc, &again, on_answer, &a, &err), 0);
    assert_int_equal(tl_svc_commit(&a.svc, &err), 0);
    assert_int_equal(a.said[0].status, TL_ORDER_RESULT_DUPLICATE);
    engine_close(&a);
}

static int setup(void **state)
{
    (void)state;
    return pg_testdb_create("tl_unit_svc_pg", 0, url, sizeof(url));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_order_two_engines),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
