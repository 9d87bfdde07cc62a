/* test_sweep_pool.c -- a pool of sweep workers kept across sweeps: two different sweeps in turn
 * on the same workers give, variant by variant, what one process alone gives; a worker killed
 * between sweeps is buried and the next sweep is still whole (the others take its share); a
 * store that cannot be opened fails the sweep before anything runs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "sweep/pool.h"

#define T0 (1735689600LL * 1000000000LL)

/* A series that rises in steps and falls back, so breakouts and exits happen. */
static void make_bars(tl_bars *b, size_t n)
{
    b->v = calloc(n, sizeof(*b->v));
    b->n = b->cap = n;
    for (size_t i = 0; i < n; i++) {
        tl_fixed p = TL_FIXED_INT(100) + (tl_fixed)((i * 7) % 23) * TL_FIXED_SCALE +
                     (tl_fixed)(i / 40) * TL_FIXED_SCALE;
        b->v[i] = (tl_bar){T0 + (int64_t)i * 86400LL * 1000000000LL, p, p + TL_FIXED_SCALE / 2,
                           p - TL_FIXED_SCALE / 2, p, TL_FIXED_INT(1000)};
    }
}

typedef struct sweep_fixture {
    tl_sweep_spec spec;
    tl_sweep_plan plan;
    tl_sweep_result *res;
} sweep_fixture;

static void fixture(sweep_fixture *f, const char *text)
{
    tl_err err = {0};
    tl_sweep_spec_init(&f->spec);
    tl_sweep_plan_init(&f->plan);
    if (tl_sweep_spec_parse(&f->spec, text, strlen(text), &err) != 0 ||
        tl_sweep_plan_build(&f->plan, &f->spec, &err) != 0)
        fail_msg("%s", err.msg);
    f->res = calloc(f->plan.count, sizeof(*f->res));
}

static void fixture_close(sweep_fixture *f)
{
    free(f->res);
    tl_sweep_plan_close(&f->plan);
    tl_sweep_spec_close(&f->spec);
}

static const char breakout[] =
    "{\"base\":{\"strategy\":\"breakout_52w_high\",\"symbol\":\"T\"},"
    "\"sweep\":{\"entry.lookback_days\":[5,6,7,8,9,10,11,12],\"exit.hold_bars\":[1,2,3]},\"max_variants\":100}";
static const char sma[] = "{\"base\":{\"strategy\":\"sma_cross\",\"symbol\":\"T\"},"
                          "\"sweep\":{\"sma.fast\":[2,3,4],\"sma.slow\":[20,40]},\"max_variants\":100}";

static int run(tl_sweep_pool *p, sweep_fixture *f, const tl_bars *bars, tl_err *err)
{
    tl_clock wall;
    tl_clock_init_real(&wall);
    tl_sweep_run_config cfg = {&f->plan, &f->spec, bars, TL_FIXED_INT(10000), "mem:",
                               {TL_DURABILITY_NORMAL}, 2, "test", &wall, NULL, NULL};
    return tl_sweep_pool_run(p, &cfg, f->res, err);
}

static void same_results(const sweep_fixture *a, const sweep_fixture *b)
{
    assert_int_equal(a->plan.count, b->plan.count);
    for (uint32_t i = 0; i < a->plan.count; i++) {
        if (a->res[i].rc != 0 || b->res[i].rc != 0)
            fail_msg("variant %u: %s / %s", i, a->res[i].error, b->res[i].error);
        assert_string_equal(a->res[i].state_digest, b->res[i].state_digest);
        assert_memory_equal(&a->res[i].metrics, &b->res[i].metrics, sizeof(tl_bt_metrics));
    }
}

static void test_pool_kept_across_sweeps(void **state)
{
    (void)state;
    tl_bars bars = {0};
    make_bars(&bars, 300);
    sweep_fixture alone1, alone2, pooled1, pooled2, again1;
    fixture(&alone1, breakout);
    fixture(&alone2, sma);
    fixture(&pooled1, breakout);
    fixture(&pooled2, sma);
    fixture(&again1, breakout);
    tl_err err = {0};
    assert_int_equal(run(NULL, &alone1, &bars, &err), 0);
    assert_int_equal(run(NULL, &alone2, &bars, &err), 0);
    tl_sweep_pool pool;
    assert_int_equal(tl_sweep_pool_open(&pool, 3, &err), 0);
    assert_int_equal(pool.n, 2);
    if (run(&pool, &pooled1, &bars, &err) != 0 || run(&pool, &pooled2, &bars, &err) != 0 ||
        run(&pool, &again1, &bars, &err) != 0)
        fail_msg("%s", err.msg);
    same_results(&alone1, &pooled1);
    same_results(&alone2, &pooled2);
    same_results(&alone1, &again1);
    /* A worker killed between sweeps: buried at the next one, which is still whole. */
    kill(pool.pid[0], SIGKILL);
    waitpid(pool.pid[0], NULL, 0);
    pool.pid[0] = -1; /* reaped here: close must not wait for it */
    memset(again1.res, 0, sizeof(*again1.res) * again1.plan.count);
    assert_int_equal(run(&pool, &again1, &bars, &err), 0);
    same_results(&alone1, &again1);
    assert_int_equal(pool.job_fd[0], -1);
    tl_sweep_pool_close(&pool);
    fixture_close(&alone1);
    fixture_close(&alone2);
    fixture_close(&pooled1);
    fixture_close(&pooled2);
    fixture_close(&again1);
    tl_bars_free(&bars);
}

static void test_refusals(void **state)
{
    (void)state;
    tl_sweep_pool pool;
    tl_err err = {0};
    assert_int_equal(tl_sweep_pool_open(&pool, 1, &err), TL_EINVAL);
    assert_int_equal(tl_sweep_pool_open(&pool, TL_SWEEP_POOL_MAX + 2, &err), TL_EINVAL);
    /* A store that cannot open fails the sweep itself. */
    tl_bars bars = {0};
    make_bars(&bars, 50);
    sweep_fixture f;
    fixture(&f, sma);
    assert_int_equal(tl_sweep_pool_open(&pool, 2, &err), 0);
    tl_clock wall;
    tl_clock_init_real(&wall);
    tl_sweep_run_config cfg = {&f.plan, &f.spec, &bars, TL_FIXED_INT(10000),
                               "/nonexistent-dir/x.db", {TL_DURABILITY_NORMAL}, 2, "test", &wall,
                               NULL, NULL};
    assert_int_not_equal(tl_sweep_pool_run(&pool, &cfg, f.res, &err), 0);
    tl_sweep_pool_close(&pool);
    fixture_close(&f);
    tl_bars_free(&bars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_kept_across_sweeps),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
