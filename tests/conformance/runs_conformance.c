/* runs_conformance.c -- the shared suite of the run plans' rows (see the header). Everything goes
 * through the dispatcher, as a sweep and the admin pages call it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/runs_conformance.h"
#include "store/store.h"

static const char *url_template;
static unsigned url_counter;
static int is_durable;
static int (*reset_hook)(const char *url);

typedef struct ctx {
    tl_store s;
    char url[1024];
} ctx;

#define T0 1700000000000000000LL

static void open_ok(tl_store *s, const char *url)
{
    tl_err err = {0};
    int rc = tl_store_open(s, url, NULL, NULL, &err);
    if (rc != 0)
        print_error("tl_store_open(%s): %s\n", url, err.msg);
    assert_int_equal(rc, 0);
}

static int setup(void **state)
{
    ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return -1;
    const char *p = strstr(url_template, "%d");
    if (p == NULL)
        snprintf(c->url, sizeof c->url, "%s", url_template);
    else
        snprintf(c->url, sizeof c->url, "%.*s%u%s", (int)(p - url_template), url_template,
                 url_counter++, p + 2);
    if (reset_hook != NULL && reset_hook(c->url) != 0) {
        free(c);
        return -1;
    }
    open_ok(&c->s, c->url);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    tl_store_close(&c->s);
    free(c);
    return 0;
}

/* ---- rows ---- */

static const char SPEC[] =
    "{\"base\":{\"strategy\":\"breakout_52w_high\",\"symbol\":\"MSFT\"},"
    "\"max_variants\":5,\"sweep\":{\"exit.hold_bars\":[1,\"d\xc3\xa9j\xc3\xa0\"]}}";

static tl_run_plan_row plan(const char *id, int64_t created, const char *spec)
{
    tl_run_plan_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.run_plan_id, sizeof r.run_plan_id, "%s", id);
    r.created_ns = created;
    strcpy(r.strategy, "breakout_52w_high");
    strcpy(r.symbol, "MSFT");
    r.spec = spec;
    strcpy(r.data_name, "MSFT_daily.csv");
    r.bars = 2516;
    r.variants = 5;
    return r;
}

static tl_run_variant_row variant(const char *plan_id, const char *vid, int64_t ord)
{
    tl_run_variant_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.run_plan_id, sizeof r.run_plan_id, "%s", plan_id);
    snprintf(r.variant_id, sizeof r.variant_id, "%s", vid);
    r.ord = ord;
    r.kind = ord == 0 ? TL_RUN_BASELINE : TL_RUN_GRID;
    strcpy(r.workspace, "2f1c4d0e-9a6b-5c3d-8e7f-0123456789ab");
    strcpy(r.overrides, ord == 0 ? "{}" : "{\"exit.hold_bars\":5}");
    r.status = TL_RUN_DONE;
    r.trade_count = 12;
    r.return_pct = -1250000000;      /* -12.5 */
    r.max_drawdown_pct = 2075000000; /* 20.75 */
    r.sharpe = -31415926;            /* -0.31415926 */
    r.has_sharpe = 1;
    r.win_rate = 41666667; /* 0.41666667 */
    r.has_win_rate = 1;
    r.profit_factor = 150000000; /* 1.5 */
    r.has_profit_factor = 1;
    r.ending_equity = 875000000000; /* 8750 */
    memset(r.state_digest, 'a', 64);
    r.finished_ns = T0 + ord;
    return r;
}

#define P1 "00000000000000a1"
#define P2 "00000000000000b2"
#define P3 "00000000000000c3"
#define V1 "1111111111111111"
#define V2 "2222222222222222"
#define V3 "3333333333333333"

static void plan_put_ok(tl_store *s, const tl_run_plan_row *p)
{
    tl_err err = {0};
    int rc = tl_store_run_plan_put(s, p, &err);
    if (rc != 0)
        print_error("run_plan_put: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

static void variant_put_ok(tl_store *s, const tl_run_variant_row *v)
{
    tl_err err = {0};
    int rc = tl_store_run_variant_put(s, v, &err);
    if (rc != 0)
        print_error("run_variant_put: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

static void plan_equal(const tl_run_plan_row *got, const tl_run_plan_row *want)
{
    assert_string_equal(got->run_plan_id, want->run_plan_id);
    assert_int_equal(got->created_ns, want->created_ns);
    assert_string_equal(got->strategy, want->strategy);
    assert_string_equal(got->symbol, want->symbol);
    assert_non_null(got->spec);
    assert_true(got->spec != want->spec); /* the caller's own copy */
    assert_string_equal(got->spec, want->spec);
    assert_string_equal(got->data_name, want->data_name);
    assert_int_equal(got->bars, want->bars);
    assert_int_equal(got->variants, want->variants);
}

/* Rows compare whole: a reader zeroes every byte it does not fill. */
static void variant_equal(const tl_run_variant_row *got, const tl_run_variant_row *want)
{
    assert_string_equal(got->variant_id, want->variant_id);
    assert_memory_equal(got, want, sizeof *got);
}

/* ---- tests ---- */

static void test_plan_round_trip(void **state)
{
    ctx *c = *state;
    /* A spec far longer than any fixed field, in UTF-8. */
    size_t len = 300000;
    char *big = malloc(len + 1);
    assert_non_null(big);
    big[0] = '{';
    for (size_t i = 1; i + 1 < len - 1; i += 2)
        memcpy(big + i, "\xc3\xa9", 2);
    big[len - 1] = '}';
    big[len] = '\0';
    tl_run_plan_row p = plan(P1, T0, big);
    plan_put_ok(&c->s, &p);
    tl_run_plan_row got;
    tl_err err = {0};
    assert_int_equal(tl_store_run_plan_get(&c->s, P1, &got, &err), 0);
    plan_equal(&got, &p);
    assert_int_equal(strlen(got.spec), len);
    tl_run_plan_row_free(&got);
    assert_null(got.spec);
    tl_run_plan_row_free(&got); /* twice is harmless */
    free(big);
}

static void test_plan_twice(void **state)
{
    ctx *c = *state;
    tl_run_plan_row p = plan(P1, T0, SPEC);
    plan_put_ok(&c->s, &p);
    /* Again with the same spec: fine, and nothing changes (not even the other fields). */
    tl_run_plan_row again = plan(P1, T0 + 99, SPEC);
    again.bars = 1;
    plan_put_ok(&c->s, &again);
    tl_run_plan_row other = plan(P1, T0, "{\"other\":1}");
    tl_err err = {0};
    assert_int_equal(tl_store_run_plan_put(&c->s, &other, &err), TL_EDUPLICATE);
    assert_non_null(strstr(err.msg, P1));
    tl_run_plan_row got;
    assert_int_equal(tl_store_run_plan_get(&c->s, P1, &got, &err), 0);
    plan_equal(&got, &p);
    tl_run_plan_row_free(&got);
    tl_run_plan_row rows[4];
    size_t n = 0;
    assert_int_equal(tl_store_run_plans_recent(&c->s, rows, 4, &n, &err), 0);
    assert_int_equal(n, 1);
    tl_run_plan_rows_free(rows, n);
}

static void test_plans_recent_order(void **state)
{
    ctx *c = *state;
    tl_run_plan_row a = plan(P2, T0, SPEC), b = plan(P1, T0 + 5, SPEC), d = plan(P3, T0 + 5, SPEC);
    plan_put_ok(&c->s, &a);
    plan_put_ok(&c->s, &d);
    plan_put_ok(&c->s, &b);
    tl_run_plan_row rows[4];
    size_t n = 99;
    tl_err err = {0};
    assert_int_equal(tl_store_run_plans_recent(&c->s, rows, 4, &n, &err), 0);
    assert_int_equal(n, 3);
    /* created_ns descending, then the id ascending. */
    plan_equal(&rows[0], &b);
    plan_equal(&rows[1], &d);
    plan_equal(&rows[2], &a);
    tl_run_plan_rows_free(rows, n);
    assert_int_equal(tl_store_run_plans_recent(&c->s, rows, 2, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[1].run_plan_id, P3);
    tl_run_plan_rows_free(rows, n);
    assert_int_equal(tl_store_run_plans_recent(&c->s, NULL, 0, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(tl_store_run_plans_recent(&c->s, NULL, 1, &n, &err), TL_EINVAL);
}

static void test_variants_order_and_count(void **state)
{
    ctx *c = *state;
    tl_run_plan_row p = plan(P1, T0, SPEC), q = plan(P2, T0, SPEC);
    plan_put_ok(&c->s, &p);
    plan_put_ok(&c->s, &q);
    tl_run_variant_row v2 = variant(P1, V3, 2), v0 = variant(P1, V2, 0), v1 = variant(P1, V1, 1);
    tl_run_variant_row other = variant(P2, V1, 0);
    variant_put_ok(&c->s, &v2);
    variant_put_ok(&c->s, &other);
    variant_put_ok(&c->s, &v0);
    variant_put_ok(&c->s, &v1);
    tl_run_variant_row rows[4];
    size_t n = 0;
    tl_err err = {0};
    assert_int_equal(tl_store_run_variants(&c->s, P1, rows, 4, &n, &err), 0);
    assert_int_equal(n, 3);
    variant_equal(&rows[0], &v0);
    variant_equal(&rows[1], &v1);
    variant_equal(&rows[2], &v2);
    /* Fewer copied than the plan has: *n says how many it has. */
    memset(rows, 0, sizeof rows);
    assert_int_equal(tl_store_run_variants(&c->s, P1, rows, 1, &n, &err), 0);
    assert_int_equal(n, 3);
    variant_equal(&rows[0], &v0);
    assert_int_equal(rows[1].variant_id[0], '\0');
    assert_int_equal(tl_store_run_variants(&c->s, P1, NULL, 0, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(tl_store_run_variants(&c->s, P2, rows, 4, &n, &err), 0);
    assert_int_equal(n, 1);
    variant_equal(&rows[0], &other);
    /* Equal ords (a caller's mistake) still come in one order: by variant id. */
    tl_run_variant_row dup = variant(P2, "0000000000000000", 0);
    variant_put_ok(&c->s, &dup);
    assert_int_equal(tl_store_run_variants(&c->s, P2, rows, 4, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].variant_id, "0000000000000000");
}

static void test_variant_replaced(void **state)
{
    ctx *c = *state;
    tl_run_plan_row p = plan(P1, T0, SPEC);
    plan_put_ok(&c->s, &p);
    tl_run_variant_row v = variant(P1, V1, 1);
    v.status = TL_RUN_FAILED;
    strcpy(v.error, "killed mid-run");
    memset(v.state_digest, 0, sizeof v.state_digest);
    variant_put_ok(&c->s, &v);
    /* Run again after a crash: every field of the row is the new run's. */
    tl_run_variant_row again = variant(P1, V1, 1);
    again.kind = TL_RUN_ABLATION;
    again.trade_count = 3;
    again.has_sharpe = 0;
    again.sharpe = 0;
    memset(again.state_digest, 'b', 64);
    variant_put_ok(&c->s, &again);
    tl_run_variant_row rows[2];
    size_t n = 0;
    tl_err err = {0};
    assert_int_equal(tl_store_run_variants(&c->s, P1, rows, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    variant_equal(&rows[0], &again);
    /* And back to failed. */
    variant_put_ok(&c->s, &v);
    assert_int_equal(tl_store_run_variants(&c->s, P1, rows, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    variant_equal(&rows[0], &v);
}

static void test_unknown_plan(void **state)
{
    ctx *c = *state;
    tl_err err = {0};
    tl_run_variant_row v = variant(P1, V1, 0);
    assert_int_equal(tl_store_run_variant_put(&c->s, &v, &err), TL_ENOTFOUND);
    assert_non_null(strstr(err.msg, P1));
    tl_run_plan_row got;
    memset(&got, 0x5a, sizeof got);
    assert_int_equal(tl_store_run_plan_get(&c->s, P1, &got, &err), TL_ENOTFOUND);
    assert_int_equal((unsigned char)got.run_plan_id[0], 0x5a); /* untouched */
    size_t n = 77;
    assert_int_equal(tl_store_run_variants(&c->s, P1, &v, 1, &n, &err), TL_ENOTFOUND);
    assert_int_equal(n, 77);
    /* A stored plan without variants yet: none, not unknown. */
    tl_run_plan_row p = plan(P1, T0, SPEC);
    plan_put_ok(&c->s, &p);
    assert_int_equal(tl_store_run_variants(&c->s, P1, &v, 1, &n, &err), 0);
    assert_int_equal(n, 0);
    tl_run_plan_row rows[1];
    assert_int_equal(tl_store_run_plans_recent(&c->s, rows, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    tl_run_plan_rows_free(rows, n);
}

static void test_null_figures(void **state)
{
    ctx *c = *state;
    tl_run_plan_row p = plan(P1, T0, SPEC);
    plan_put_ok(&c->s, &p);
    /* Absent figures (NULL) next to a present zero: each reads back as written. */
    tl_run_variant_row a = variant(P1, V1, 0);
    a.trade_count = 0;
    a.has_sharpe = a.has_win_rate = a.has_profit_factor = 0;
    a.sharpe = a.win_rate = a.profit_factor = 0;
    tl_run_variant_row b = variant(P1, V2, 1);
    b.sharpe = 0;
    b.win_rate = 0;
    b.has_profit_factor = 0;
    b.profit_factor = 0;
    variant_put_ok(&c->s, &a);
    variant_put_ok(&c->s, &b);
    tl_run_variant_row rows[2];
    size_t n = 0;
    tl_err err = {0};
    assert_int_equal(tl_store_run_variants(&c->s, P1, rows, 2, &n, &err), 0);
    assert_int_equal(n, 2);
    variant_equal(&rows[0], &a);
    variant_equal(&rows[1], &b);
    assert_int_equal(rows[1].has_sharpe, 1);
    assert_int_equal(rows[1].has_profit_factor, 0);
}

/* One refused row: the code, and the message naming the field. */
static void refused_plan(tl_store *s, const tl_run_plan_row *p, const char *want)
{
    tl_err err = {0};
    assert_int_equal(tl_store_run_plan_put(s, p, &err), TL_EINVAL);
    if (strstr(err.msg, want) == NULL)
        print_error("got '%s', want '%s'\n", err.msg, want);
    assert_non_null(strstr(err.msg, want));
}

static void refused_variant(tl_store *s, const tl_run_variant_row *v, const char *want)
{
    tl_err err = {0};
    assert_int_equal(tl_store_run_variant_put(s, v, &err), TL_EINVAL);
    if (strstr(err.msg, want) == NULL)
        print_error("got '%s', want '%s'\n", err.msg, want);
    assert_non_null(strstr(err.msg, want));
}

static void test_plan_refusals(void **state)
{
    ctx *c = *state;
    tl_run_plan_row p;
#define PLAN_BAD(change, want)                                                                     \
    do {                                                                                           \
        p = plan(P1, T0, SPEC);                                                                    \
        change;                                                                                    \
        refused_plan(&c->s, &p, want);                                                             \
    } while (0)
    PLAN_BAD(strcpy(p.run_plan_id, "00000000000000A1"), "run_plan_id '00000000000000A1' is not 16");
    PLAN_BAD(strcpy(p.run_plan_id, "00000000000000a"), "run_plan_id '00000000000000a' is not 16");
    PLAN_BAD(strcpy(p.run_plan_id, "0000000000000g01"), "is not 16 lower-case hex digits");
    PLAN_BAD(memset(p.run_plan_id, 'a', sizeof p.run_plan_id), "run_plan_id is not NUL-terminated");
    PLAN_BAD(p.strategy[0] = '\0', "strategy is empty");
    PLAN_BAD(memset(p.strategy, 'x', sizeof p.strategy), "strategy is not NUL-terminated");
    PLAN_BAD(strcpy(p.strategy, "a\nb"), "strategy holds a control character");
    PLAN_BAD(strcpy(p.strategy, "caf\xe9"), "strategy is not valid UTF-8");
    PLAN_BAD(strcpy(p.strategy, "\xed\xa0\x80"), "strategy is not valid UTF-8"); /* surrogate */
    PLAN_BAD(strcpy(p.strategy, "\xc0\xaf"), "strategy is not valid UTF-8");     /* overlong */
    PLAN_BAD(p.symbol[0] = '\0', "symbol is empty");
    PLAN_BAD(memset(p.symbol, 'M', sizeof p.symbol), "symbol is not NUL-terminated");
    PLAN_BAD(p.data_name[0] = '\0', "data_name is empty");
    PLAN_BAD(strcpy(p.data_name, "a\tb.csv"), "data_name holds a control character");
    PLAN_BAD(p.spec = NULL, "spec is NULL");
    PLAN_BAD(p.spec = "", "spec is empty");
    PLAN_BAD(p.spec = "{\"a\":\"\x01\"}", "spec holds a control character");
    PLAN_BAD(p.spec = "{\"a\":\"\xff\"}", "spec is not valid UTF-8");
    PLAN_BAD(p.created_ns = -1, "created_ns is negative");
    PLAN_BAD(p.bars = -1, "bars is negative");
    PLAN_BAD(p.variants = 0, "variants is below 1");
#undef PLAN_BAD
    tl_err err = {0};
    assert_int_equal(tl_store_run_plan_put(&c->s, NULL, &err), TL_EINVAL);
    /* The reads check the id too. */
    tl_run_plan_row got;
    size_t n;
    assert_int_equal(tl_store_run_plan_get(&c->s, "XYZ", &got, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "run_plan_id 'XYZ' is not 16 lower-case hex digits"));
    assert_int_equal(tl_store_run_plan_get(&c->s, NULL, &got, &err), TL_EINVAL);
    assert_int_equal(tl_store_run_plan_get(&c->s, P1, NULL, &err), TL_EINVAL);
    assert_int_equal(tl_store_run_variants(&c->s, "00000000000000a10", NULL, 0, &n, &err),
                     TL_EINVAL);
    assert_int_equal(tl_store_run_variants(&c->s, P1, NULL, 1, &n, &err), TL_EINVAL);
    /* Nothing was stored by any of them. */
    tl_run_plan_row rows[1];
    assert_int_equal(tl_store_run_plans_recent(&c->s, rows, 1, &n, &err), 0);
    assert_int_equal(n, 0);
}

static void test_variant_refusals(void **state)
{
    ctx *c = *state;
    tl_run_plan_row p0 = plan(P1, T0, SPEC);
    plan_put_ok(&c->s, &p0);
    tl_run_variant_row v;
#define VAR_BAD(change, want)                                                                      \
    do {                                                                                           \
        v = variant(P1, V1, 1);                                                                    \
        change;                                                                                    \
        refused_variant(&c->s, &v, want);                                                          \
    } while (0)
    VAR_BAD(strcpy(v.run_plan_id, "xyz"), "run variant: run_plan_id 'xyz' is not 16");
    VAR_BAD(strcpy(v.variant_id, "111111111111111"), "variant_id '111111111111111' is not 16");
    VAR_BAD(memset(v.variant_id, '1', sizeof v.variant_id), "variant_id is not NUL-terminated");
    VAR_BAD(v.ord = -1, "ord is negative");
    VAR_BAD(v.kind = 0, "kind is not baseline, grid or ablation");
    VAR_BAD(v.kind = 4, "kind is not baseline, grid or ablation");
    VAR_BAD(strcpy(v.workspace, "2F1C4D0E-9A6B-5C3D-8E7F-0123456789AB"),
            "workspace is not a lower-case UUID");
    VAR_BAD(strcpy(v.workspace, "2f1c4d0e9a6b5c3d8e7f0123456789ab"),
            "workspace is not a lower-case UUID");
    VAR_BAD(memset(v.workspace, 'a', sizeof v.workspace), "workspace is not NUL-terminated");
    VAR_BAD(v.overrides[0] = '\0', "overrides is empty");
    VAR_BAD(strcpy(v.overrides, "[1]"), "overrides is not a JSON object");
    VAR_BAD(memset(v.overrides, '{', sizeof v.overrides), "overrides is not NUL-terminated");
    VAR_BAD(strcpy(v.overrides, "{\"k\":\"\xc3\"}"), "overrides is not valid UTF-8");
    VAR_BAD(v.status = 0, "status is not done or failed");
    VAR_BAD(v.status = 3, "status is not done or failed");
    VAR_BAD(v.status = TL_RUN_FAILED, "error is empty on a failed variant");
    VAR_BAD(strcpy(v.error, "boom"), "error is set on a variant that is done");
    VAR_BAD(memset(v.error, 'e', sizeof v.error), "error is not NUL-terminated");
    VAR_BAD((v.status = TL_RUN_FAILED, strcpy(v.error, "a\x1b[31m")),
            "error holds a control character");
    VAR_BAD(v.trade_count = -1, "trade_count is negative");
    VAR_BAD(v.has_sharpe = 2, "has_sharpe is not 0 or 1");
    VAR_BAD(v.has_win_rate = 2, "has_win_rate is not 0 or 1");
    VAR_BAD(v.has_profit_factor = 9, "has_profit_factor is not 0 or 1");
    VAR_BAD(v.has_sharpe = 0, "sharpe is set without has_sharpe");
    VAR_BAD(v.has_win_rate = 0, "win_rate is set without has_win_rate");
    VAR_BAD(v.has_profit_factor = 0, "profit_factor is set without has_profit_factor");
    VAR_BAD(v.state_digest[0] = '\0', "state_digest is not 64 lower-case hex digits");
    VAR_BAD(v.state_digest[3] = 'A', "state_digest is not 64 lower-case hex digits");
    VAR_BAD(v.state_digest[63] = '\0', "state_digest is not 64 lower-case hex digits");
    VAR_BAD(memset(v.state_digest, 'a', sizeof v.state_digest),
            "state_digest is not NUL-terminated");
    VAR_BAD(v.finished_ns = -5, "finished_ns is negative");
#undef VAR_BAD
    tl_err err = {0};
    assert_int_equal(tl_store_run_variant_put(&c->s, NULL, &err), TL_EINVAL);
    /* A failed variant may have no digest; nothing refused was stored. */
    v = variant(P1, V1, 1);
    v.status = TL_RUN_FAILED;
    strcpy(v.error, "no bars");
    memset(v.state_digest, 0, sizeof v.state_digest);
    variant_put_ok(&c->s, &v);
    size_t n = 0;
    tl_run_variant_row rows[2];
    assert_int_equal(tl_store_run_variants(&c->s, P1, rows, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    variant_equal(&rows[0], &v);
}

/* Durable backends: rows survive the connection, and a reader sees them but cannot write. */
static void test_reopen_and_reader(void **state)
{
    ctx *c = *state;
    if (!is_durable)
        skip(); /* mem: holds nothing past its connection */
    tl_run_plan_row p = plan(P1, T0, SPEC);
    plan_put_ok(&c->s, &p);
    tl_run_variant_row v = variant(P1, V1, 0);
    v.has_win_rate = 0;
    v.win_rate = 0;
    variant_put_ok(&c->s, &v);
    tl_store_close(&c->s);
    open_ok(&c->s, c->url);
    tl_err err = {0};
    tl_run_plan_row got;
    assert_int_equal(tl_store_run_plan_get(&c->s, P1, &got, &err), 0);
    plan_equal(&got, &p);
    tl_run_plan_row_free(&got);
    tl_store_close(&c->s);
    assert_int_equal(tl_store_open_read(&c->s, c->url, NULL, &err), 0);
    tl_run_variant_row rows[1];
    size_t n = 0;
    assert_int_equal(tl_store_run_variants(&c->s, P1, rows, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    variant_equal(&rows[0], &v);
    assert_int_equal(tl_store_run_plan_put(&c->s, &p, &err), TL_ESTATE);
    assert_int_equal(tl_store_run_variant_put(&c->s, &v, &err), TL_ESTATE);
    assert_non_null(strstr(err.msg, "reading only"));
}

int tl_runs_conformance_run(const char *group_name, const char *url, int durable,
                            int (*reset)(const char *url))
{
    url_template = url;
    is_durable = durable;
    reset_hook = reset;
    const struct CMUnitTest all[] = {
        cmocka_unit_test_setup_teardown(test_plan_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plans_recent_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variants_order_and_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variant_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variant_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_and_reader, setup, teardown),
    };
    return cmocka_run_group_tests_name(group_name, all, NULL, NULL);
}

int tl_runs_conformance_put_sample(tl_store *s, tl_err *err)
{
    tl_run_plan_row p;
    memset(&p, 0, sizeof p);
    strcpy(p.run_plan_id, "0123456789abcdef");
    p.created_ns = 1735689600000000000LL;
    strcpy(p.strategy, "sma_cross");
    strcpy(p.symbol, "SPY");
    p.spec = "{\"base\":{}}";
    strcpy(p.data_name, "SPY.csv");
    p.bars = 10;
    p.variants = 2;
    int rc = tl_store_run_plan_put(s, &p, err);
    if (rc != 0)
        return rc;
    tl_run_variant_row v;
    memset(&v, 0, sizeof v);
    strcpy(v.run_plan_id, p.run_plan_id);
    strcpy(v.variant_id, "fedcba9876543210");
    v.kind = TL_RUN_BASELINE;
    strcpy(v.workspace, "00000000-0000-5000-8000-000000000000");
    strcpy(v.overrides, "{}");
    v.status = TL_RUN_DONE;
    v.trade_count = 1;
    v.return_pct = -150000000; /* -1.5 */
    v.max_drawdown_pct = 1;    /* 0.00000001 */
    v.has_win_rate = 1;        /* 0 */
    v.ending_equity = 98500000000;
    memset(v.state_digest, '0', 64);
    v.finished_ns = 1735689600000000001LL;
    return tl_store_run_variant_put(s, &v, err);
}
