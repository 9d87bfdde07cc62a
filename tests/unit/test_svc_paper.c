/*
 * test_svc_paper.c -- the service's paper broker: a step's intents for one workspace are one
 * commit, answers come only after it, another workspace starts a new batch, a malformed intent is
 * refused at once and never answered later, and a duplicate in the same step is its original.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "service/svc_paper.h"

#define FX(n) TL_FIXED_INT(n)

typedef struct answers {
    int n;
    int rc[16];
    tl_paper_result r[16];
    uint64_t hw_at[16];
    tl_store *store;
} answers;

static void on_answer(void *ctx, int rc, const tl_paper_result *r, const tl_err *err)
{
    (void)err;
    answers *a = ctx;
    a->rc[a->n] = rc;
    a->r[a->n] = *r;
    a->hw_at[a->n++] = a->store->high_water;
}

static tl_paper_intent intent(const char *ws, const char *id, const char *action, tl_fixed qty,
                              tl_fixed px)
{
    tl_paper_intent in = {ws, id, action, "AAPL", qty, px, "paper", 1700000000000000000LL};
    return in;
}

static void test_step(void **state)
{
    (void)state;
    tl_store s;
    assert_int_equal(tl_store_open(&s, "mem:", NULL, NULL, NULL), 0);
    tl_svc_paper p;
    assert_int_equal(tl_svc_paper_init(&p, &s, TL_PAPER_DEFAULT_EQUITY), 0);
    answers a = {.store = &s};
    tl_paper_intent in[5] = {intent("w1", "a", "OPEN_LONG", FX(1), FX(100)),
                             intent("w1", "b", "OPEN_LONG", FX(1), FX(100)),
                             intent("w1", "a", "OPEN_LONG", FX(1), FX(100)), /* again */
                             intent("w2", "a", "OPEN_LONG", FX(2), FX(10)),
                             intent("w2", "c", "CLOSE_LONG", FX(2), FX(12))};
    for (int i = 0; i < 5; i++)
        assert_int_equal(tl_svc_paper_submit(&p, &in[i], on_answer, &a, NULL), 0);
    tl_paper_intent bad = intent("w1", "d", "SHORT", FX(1), FX(1));
    tl_err err = {0};
    assert_int_equal(tl_svc_paper_submit(&p, &bad, on_answer, &a, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "action"));
    assert_int_equal(a.n, 0); /* nothing said before the commit */
    assert_int_equal(tl_svc_paper_commit(&p, NULL), 0);
    assert_int_equal(a.n, 5); /* the malformed one is never answered */
    assert_int_equal(p.stats.commits, 2); /* w1's run, then w2's */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(a.rc[i], 0);
        assert_int_equal(a.hw_at[i], s.high_water); /* all said after both commits */
    }
    assert_false(a.r[0].duplicate);
    assert_true(a.r[2].duplicate);
    assert_string_equal(a.r[2].order_id, a.r[0].order_id);
    assert_int_equal(a.r[1].cash, FX(10000 - 200));
    assert_int_equal(a.r[4].realized_pnl, FX(4));
    assert_int_equal(p.stats.filled, 4);
    assert_int_equal(p.stats.duplicates, 1);
    tl_svc_paper_close(&p);
    tl_store_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
