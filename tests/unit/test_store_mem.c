/* test_store_mem.c -- the memory backend: the shared conformance suite, plus what only mem does. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "conformance/store_conformance.h"
#include "store/store.h"

static tl_event ev_make(int type, const char *ws, const char *idem)
{
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (uint16_t)type;
    strcpy(ev.workspace, ws);
    strcpy(ev.idem_key, idem);
    return ev;
}

/* Nothing outlives the store: a reopen starts empty, and ids are free again. */
static void test_reopen_is_fresh(void **state)
{
    (void)state;
    tl_store s;
    assert_int_equal(tl_store_open(&s, "mem:", NULL, NULL, NULL), 0);
    assert_int_equal(s.ops->caps & TL_STORE_CAP_DURABLE, 0);
    tl_event ev[2] = {ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "k"),
                      ev_make(TL_EV_INTENT_EMITTED, "alpha", "")};
    strcpy(ev[0].order_id, "O1");
    assert_int_equal(tl_store_append(&s, ev, 2, NULL, 0, NULL, 0, NULL), 0);
    tl_store_close(&s);
    assert_int_equal(tl_store_open(&s, "mem:again", NULL, NULL, NULL), 0);
    assert_int_equal(s.high_water, 0);
    tl_event out;
    assert_int_equal(tl_store_find_idem(&s, "k", &out, NULL), TL_ENOTFOUND);
    assert_int_equal(tl_store_append(&s, ev, 1, NULL, 0, NULL, 0, NULL), 0);
    assert_int_equal(ev[0].seq, 1);
    tl_store_close(&s);
}

/* The backend's own transaction rules, called directly: the dispatcher never breaks them, but a
 * wrong call must be refused rather than corrupt the arrays. */
static void test_transaction_rules(void **state)
{
    (void)state;
    const tl_store_ops *ops = &tl_store_mem_ops;
    void *st = test_calloc(1, ops->state_size);
    assert_int_equal(ops->open(st, "mem:", NULL, NULL), 0);
    tl_event ev = ev_make(TL_EV_INTENT_EMITTED, "alpha", "k1");
    ev.seq = 1;
    tl_store_batch b = {.events = &ev, .n_events = 1};
    assert_int_equal(ops->write(st, &b, NULL), TL_ESTATE);
    assert_int_equal(ops->commit(st, NULL), TL_ESTATE);
    ops->rollback(st); /* harmless outside a transaction */
    assert_int_equal(ops->begin(st, NULL), 0);
    assert_int_equal(ops->begin(st, NULL), TL_ESTATE);
    assert_int_equal(ops->write(st, &b, NULL), 0);
    /* Not visible before commit. */
    uint64_t hw = 9;
    assert_int_equal(ops->high_water(st, &hw, NULL), 0);
    assert_int_equal(hw, 0);
    tl_event out;
    assert_int_equal(ops->find_idem(st, "k1", &out, NULL), TL_ENOTFOUND);
    /* A seq that does not rise is a key violation, and the write undoes itself. */
    tl_event two[2] = {ev, ev};
    two[0].seq = 2;
    two[1].seq = 2;
    strcpy(two[0].idem_key, "k2");
    b.events = two;
    b.n_events = 2;
    assert_int_equal(ops->write(st, &b, NULL), TL_EDUPLICATE);
    assert_int_equal(ops->commit(st, NULL), 0);
    assert_int_equal(ops->high_water(st, &hw, NULL), 0);
    assert_int_equal(hw, 1); /* the first write stayed, the failed one did not */
    assert_int_equal(ops->find_idem(st, "k1", &out, NULL), 0);
    assert_int_equal(ops->find_idem(st, "k2", &out, NULL), TL_ENOTFOUND);
    ops->close(st);
    test_free(st);
}

/* The orders projection has no getter; its filled quantity shows through an overflow: two fills
 * of TL_FIXED_MAX on one order cannot both be applied, so a second one succeeds only if the
 * first was undone (by the failed write itself, or by the rollback after a failed commit). */
static void test_order_update_undone(void **state)
{
    (void)state;
    tl_store s;
    assert_int_equal(tl_store_open(&s, "mem:", NULL, NULL, NULL), 0);
    tl_event sub = ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "");
    strcpy(sub.order_id, "O1");
    assert_int_equal(tl_store_append(&s, &sub, 1, NULL, 0, NULL, 0, NULL), 0);

    tl_event fill = ev_make(TL_EV_ORDER_FILLED, "alpha", "");
    strcpy(fill.order_id, "O1");
    fill.qty = TL_FIXED_MAX;
    tl_event bad[2] = {fill, sub}; /* the fill applies, then the order id collides */
    strcpy(bad[0].trade_id, "T1");
    assert_int_equal(tl_store_append(&s, bad, 2, NULL, 0, NULL, 0, NULL), TL_EDUPLICATE);

    s.faults.fail_commit_at = s.faults.commits + 1;
    strcpy(fill.trade_id, "T2");
    assert_int_equal(tl_store_append(&s, &fill, 1, NULL, 0, NULL, 0, NULL), TL_EIO);

    strcpy(fill.trade_id, "T3");
    assert_int_equal(tl_store_append(&s, &fill, 1, NULL, 0, NULL, 0, NULL), 0);
    assert_int_equal(fill.seq, 2);
    /* Now the order holds TL_FIXED_MAX: one more unit overflows, and changes nothing. */
    fill.qty = 1;
    strcpy(fill.trade_id, "T4");
    tl_err err = {0};
    assert_int_equal(tl_store_append(&s, &fill, 1, NULL, 0, NULL, 0, &err), TL_ERANGE);
    assert_non_null(strstr(err.msg, "overflows"));
    assert_int_equal(s.high_water, 2);
    tl_store_close(&s);
}

int main(void)
{
    int failed = tl_store_conformance_run("store_mem_conformance", "mem:");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reopen_is_fresh),
        cmocka_unit_test(test_transaction_rules),
        cmocka_unit_test(test_order_update_undone),
    };
    return failed + cmocka_run_group_tests_name("store_mem", tests, NULL, NULL);
}
