/* test_sweep_plan.c -- the sweep file and the run plan: baseline first, the grid with sorted keys
 * and the last key fastest, the ablations of the first combination, dedupe by id, the cut at
 * max_variants, ids that do not depend on the file's formatting, and every refusal's text with
 * the spec untouched. The pinned ids were printed by a Python recomputation (hashlib, uuid5);
 * tests/e2e/test_sweep_ids.sh does that recomputation at run time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/plan.h"

#define BASE "\"base\":{\"strategy\":\"breakout_52w_high\",\"symbol\":\"MSFT\""
#define SPEC2                                                                                      \
    "{" BASE ",\"params\":{\"risk.dollars_per_trade\":\"1000\"}},"                                 \
    "\"sweep\":{\"exit.hold_bars\":[1,5],\"entry.lookback_days\":[20,50,252]},"                    \
    "\"max_variants\":50}"

static void parse_ok(tl_sweep_spec *s, const char *json)
{
    tl_err err;
    if (tl_sweep_spec_parse(s, json, strlen(json), &err) != 0)
        fail_msg("%s: %s", json, err.msg);
}

static void build_ok(tl_sweep_plan *p, const tl_sweep_spec *s)
{
    tl_err err;
    if (tl_sweep_plan_build(p, s, &err) != 0)
        fail_msg("build: %s", err.msg);
}

/* Variant i's overrides as canonical JSON. */
static const char *ov(const tl_sweep_plan *p, const tl_sweep_spec *s, uint32_t i, tl_sb *c)
{
    c->len = 0;
    tl_sweep_plan_write_overrides(p, s, &p->variants[i], c);
    assert_int_equal(c->err, 0);
    return c->buf;
}

static void test_order_and_ids(void **state)
{
    (void)state;
    static const struct {
        tl_sweep_variant_kind kind;
        const char *ov, *id, *ws;
    } want[] = {
        {TL_SWEEP_BASELINE, "{}", "237b17925449bb10", "468f2466-c8a1-5fd7-a48a-2ab00e02a03b"},
        {TL_SWEEP_GRID, "{\"entry.lookback_days\":20,\"exit.hold_bars\":1}", "ecd72ac3ed892951",
         "a1d75ac0-bb71-50f4-a038-b7610e87e884"},
        {TL_SWEEP_GRID, "{\"entry.lookback_days\":20,\"exit.hold_bars\":5}", "1053ccaf04cbb4d4",
         "f49eed18-87a9-58e8-a9fa-a47c9ef04ab4"},
        {TL_SWEEP_GRID, "{\"entry.lookback_days\":50,\"exit.hold_bars\":1}", "8a3c7be6bf397493",
         "e9ebd9e4-3bc4-59e2-926a-fae550120829"},
        {TL_SWEEP_GRID, "{\"entry.lookback_days\":50,\"exit.hold_bars\":5}", "99f52e151bf919a4",
         "e09f909e-d07c-5118-a160-4cbfa0df17c5"},
        {TL_SWEEP_GRID, "{\"entry.lookback_days\":252,\"exit.hold_bars\":1}", "044f3c855279343e",
         "468c2dd6-20a1-5f13-9d7c-702a0c147ea2"},
        {TL_SWEEP_GRID, "{\"entry.lookback_days\":252,\"exit.hold_bars\":5}", "7a9c98d874ea25ab",
         "96e34f1d-f850-5250-9a56-6119e2b21b50"},
        {TL_SWEEP_ABLATION, "{\"exit.hold_bars\":1}", "9dd80a654de610f7",
         "db6966c8-dce0-5a32-a066-c9fc3205d957"},
        {TL_SWEEP_ABLATION, "{\"entry.lookback_days\":20}", "20e7d323f4ecd174",
         "abe1647f-966d-5a17-a35d-1af4d463c420"},
    };
    tl_sweep_spec s;
    tl_sweep_plan p;
    tl_sb c = {0};
    tl_sweep_spec_init(&s);
    tl_sweep_plan_init(&p);
    parse_ok(&s, SPEC2);
    assert_string_equal(s.axes[0].key, "entry.lookback_days"); /* sorted, whatever the file */
    build_ok(&p, &s);
    assert_string_equal(p.id, "a28ee92471aa8fc4");
    assert_int_equal(p.count, 9);
    for (uint32_t i = 0; i < p.count; i++) {
        const tl_sweep_variant *v = &p.variants[i];
        assert_int_equal(v->kind, want[i].kind);
        assert_string_equal(ov(&p, &s, i, &c), want[i].ov);
        assert_string_equal(v->id, want[i].id);
        assert_string_equal(v->workspace, want[i].ws);
    }
    /* The ablations name the axis they dropped, in sorted key order. */
    assert_int_equal(p.variants[7].ablated, 0);
    assert_int_equal(p.variants[8].ablated, 1);
    assert_int_equal(p.variants[1].ablated, TL_SWEEP_NONE);
    /* A variant's value: its override, else the base's, else none (the strategy's default). */
    const tl_sweep_value *x = tl_sweep_plan_value(&p, &s, &p.variants[4], "exit.hold_bars");
    assert_true(x && x->kind == TL_SWEEP_INT && x->i == 5);
    x = tl_sweep_plan_value(&p, &s, &p.variants[7], "risk.dollars_per_trade");
    assert_true(x && x->kind == TL_SWEEP_STR && strcmp(x->s, "1000") == 0);
    assert_null(tl_sweep_plan_value(&p, &s, &p.variants[7], "entry.lookback_days"));
    assert_string_equal(tl_sweep_variant_kind_name(p.variants[8].kind), "ablation");
    tl_sb_free(&c);
    tl_sweep_plan_close(&p);
    tl_sweep_spec_close(&s);
}

/* Three keys declared out of order: the last sorted key turns fastest. */
static void test_grid_last_key_fastest(void **state)
{
    (void)state;
    tl_sweep_spec s;
    tl_sweep_plan p;
    tl_sb c = {0};
    tl_sweep_spec_init(&s);
    tl_sweep_plan_init(&p);
    parse_ok(&s, "{\"max_variants\":100," BASE "},\"sweep\":{\"c\":[\"x\",\"y\"],\"a\":[1,2],"
                 "\"b\":[\"0.5\"]}}");
    build_ok(&p, &s);
    static const char *grid[] = {
        "{\"a\":1,\"b\":\"0.5\",\"c\":\"x\"}",
        "{\"a\":1,\"b\":\"0.5\",\"c\":\"y\"}",
        "{\"a\":2,\"b\":\"0.5\",\"c\":\"x\"}",
        "{\"a\":2,\"b\":\"0.5\",\"c\":\"y\"}",
        "{\"b\":\"0.5\",\"c\":\"x\"}",
        "{\"a\":1,\"c\":\"x\"}",
        "{\"a\":1,\"b\":\"0.5\"}",
    };
    assert_int_equal(p.count, 8);
    assert_string_equal(ov(&p, &s, 0, &c), "{}");
    for (uint32_t i = 0; i < 7; i++)
        assert_string_equal(ov(&p, &s, i + 1, &c), grid[i]);
    tl_sb_free(&c);
    tl_sweep_plan_close(&p);
    tl_sweep_spec_close(&s);
}

/* One swept key: its only ablation is the baseline again, and is dropped. */
static void test_dedupe(void **state)
{
    (void)state;
    tl_sweep_spec s;
    tl_sweep_plan p;
    tl_sweep_spec_init(&s);
    tl_sweep_plan_init(&p);
    parse_ok(&s, "{" BASE "},\"sweep\":{\"exit.hold_bars\":[1,2,3]},\"max_variants\":10}");
    build_ok(&p, &s);
    assert_int_equal(p.count, 4);
    assert_int_equal(p.variants[0].kind, TL_SWEEP_BASELINE);
    for (uint32_t i = 1; i < 4; i++)
        assert_int_equal(p.variants[i].kind, TL_SWEEP_GRID);
    tl_sweep_plan_close(&p);
    tl_sweep_spec_close(&s);
}

static void test_max_variants_cut(void **state)
{
    (void)state;
    char json[512];
    tl_sweep_spec s;
    tl_sweep_plan p;
    tl_sweep_spec_init(&s);
    tl_sweep_plan_init(&p);
    for (uint32_t max = 1; max <= 10; max++) {
        snprintf(json, sizeof json,
                 "{" BASE "},\"sweep\":{\"exit.hold_bars\":[1,5],"
                 "\"entry.lookback_days\":[20,50,252]},\"max_variants\":%u}",
                 max);
        parse_ok(&s, json);
        build_ok(&p, &s);
        assert_int_equal(p.count, max < 9 ? max : 9);
        assert_int_equal(p.variants[0].kind, TL_SWEEP_BASELINE);
        assert_int_equal(p.variants[p.count - 1].kind, max == 1   ? TL_SWEEP_BASELINE
                                                       : max <= 7 ? TL_SWEEP_GRID
                                                                  : TL_SWEEP_ABLATION);
    }
    /* 32 keys of 2 values: 2^32 combinations, walked only as far as the cut. */
    char big[4096];
    int n = snprintf(big, sizeof big, "{" BASE "},\"max_variants\":5,\"sweep\":{");
    for (int k = 0; k < TL_SWEEP_AXES_MAX; k++)
        n += snprintf(big + n, sizeof big - (size_t)n, "%s\"k%02d\":[1,2]", k ? "," : "", k);
    snprintf(big + n, sizeof big - (size_t)n, "}}");
    parse_ok(&s, big);
    build_ok(&p, &s);
    assert_int_equal(p.count, 5);
    assert_int_equal(p.n_overrides, 4 * TL_SWEEP_AXES_MAX);
    tl_sweep_plan_close(&p);
    tl_sweep_spec_close(&s);
}

/* The plan id is the file's content, not its formatting; variant ids are the base and the
 * overrides only, so max_variants moves the plan id (and the workspaces) but not them. */
static void test_ids_stable(void **state)
{
    (void)state;
    tl_sweep_spec a, b;
    tl_sweep_plan pa, pb;
    tl_sweep_spec_init(&a);
    tl_sweep_spec_init(&b);
    tl_sweep_plan_init(&pa);
    tl_sweep_plan_init(&pb);
    parse_ok(&a, SPEC2);
    parse_ok(&b, "{\n  \"max_variants\": 50,\n  \"sweep\": {\"entry.lookback_days\": [20, 50, 252],"
                 " \"exit.hold_bars\": [1, 5]},\n  \"base\": {\"params\": "
                 "{\"risk.dollars_per_trade\": \"1000\"}, \"symbol\": \"MSFT\", \"strategy\": "
                 "\"breakout_52w_high\"}\n}\n");
    build_ok(&pa, &a);
    build_ok(&pb, &b);
    assert_string_equal(pa.id, pb.id);
    assert_int_equal(pa.count, pb.count);
    for (uint32_t i = 0; i < pa.count; i++) {
        assert_string_equal(pa.variants[i].id, pb.variants[i].id);
        assert_string_equal(pa.variants[i].workspace, pb.variants[i].workspace);
        for (uint32_t j = 0; j < i; j++) { /* unique */
            assert_string_not_equal(pa.variants[i].id, pa.variants[j].id);
            assert_string_not_equal(pa.variants[i].workspace, pa.variants[j].workspace);
        }
    }
    const char *more = strstr(SPEC2, "50}");
    char json[512];
    snprintf(json, sizeof json, "%.*s51}", (int)(more - SPEC2), SPEC2);
    parse_ok(&b, json);
    build_ok(&pb, &b);
    assert_string_not_equal(pa.id, pb.id);
    assert_string_equal(pa.variants[3].id, pb.variants[3].id);
    assert_string_not_equal(pa.variants[3].workspace, pb.variants[3].workspace);
    tl_sweep_plan_close(&pa);
    tl_sweep_plan_close(&pb);
    tl_sweep_spec_close(&a);
    tl_sweep_spec_close(&b);
}

/* Refused with code and exactly want; s (holding SPEC2) untouched. */
static void bad(const char *json, int code, const char *want)
{
    tl_sweep_spec s;
    tl_sweep_spec_init(&s);
    parse_ok(&s, SPEC2);
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_sweep_spec_parse(&s, json, strlen(json), &err);
    if (rc != code || strcmp(err.msg, want) != 0)
        fail_msg("%s: rc %d '%s', want %d '%s'", json, rc, err.msg, code, want);
    assert_int_equal(s.n_axes, 2);
    assert_string_equal(s.axes[1].key, "exit.hold_bars");
    assert_int_equal(s.max_variants, 50);
    tl_sweep_spec_close(&s);
}

#define SW(x)  "{" BASE "},\"sweep\":" x ",\"max_variants\":5}"
#define BS(x)  "{\"base\":" x ",\"sweep\":{\"a\":[1]},\"max_variants\":5}"
#define MAX(x) "{" BASE "},\"sweep\":{\"a\":[1]},\"max_variants\":" x "}"

static void test_refusals(void **state)
{
    (void)state;
    bad(SW("{\"entry.lookback\":[1,2,2.5]}"), TL_EINVAL,
        "sweep.\"entry.lookback\"[2]: a float; write decimals as strings (\"0.5\")");
    bad(SW("{\"a\":[true]}"), TL_EINVAL, "sweep.a[0]: a boolean; want an integer or a string");
    bad(SW("{\"a\":[1,null]}"), TL_EINVAL, "sweep.a[1]: null; want an integer or a string");
    bad(SW("{\"a\":[{\"b\":1}]}"), TL_EINVAL, "sweep.a[0]: an object; want an integer or a string");
    bad(SW("{\"a\":[[1]]}"), TL_EINVAL, "sweep.a[0]: an array; want an integer or a string");
    bad(SW("{\"a\":[\"\"]}"), TL_EINVAL, "sweep.a[0]: an empty string");
    bad(SW("{\"a\":[]}"), TL_EINVAL, "sweep.a: an empty list");
    bad(SW("{\"a\":1}"), TL_EINVAL, "sweep.a: an integer; want a list of values");
    bad(SW("{}"), TL_EINVAL, "sweep: empty; name at least one parameter to sweep");
    bad(SW("[]"), TL_EINVAL, "sweep: an array; want an object of key: [values]");
    bad(SW("{\"\":[1]}"), TL_EINVAL, "sweep.\"\": an empty key");
    bad(SW("{\"Entry.x\":[1]}"), TL_EINVAL,
        "sweep.\"Entry.x\": not a parameter key (dotted snake case: entry.lookback_days)");
    bad(SW("{\"entry.x \":[1]}"), TL_EINVAL,
        "sweep.\"entry.x \": not a parameter key (dotted snake case: entry.lookback_days)");
    bad(SW("{\"entry..x\":[1]}"), TL_EINVAL,
        "sweep.\"entry..x\": not a parameter key (dotted snake case: entry.lookback_days)");
    bad(SW("{\"a.\":[1]}"), TL_EINVAL,
        "sweep.\"a.\": not a parameter key (dotted snake case: entry.lookback_days)");
    bad(SW("{\"\xc3\xa9\":[1]}"), TL_EINVAL,
        "sweep.\"??\": not a parameter key (dotted snake case: entry.lookback_days)");
    bad(SW("{\"a\":[1],\"a\":[2]}"), TL_EINVAL,
        "JSON: duplicate object key near '\"a\"' (line 1, column 77)");
    bad(SW("{\"a\":[20,\"x\",\"20\"]}"), TL_EINVAL, "sweep.a[2]: repeats sweep.a[0]");
    bad(SW("{\"a\":[\"x\",\"y\",\"x\"]}"), TL_EINVAL, "sweep.a[2]: repeats sweep.a[0]");
    bad(SW("{\"a\":[1,2],\"a.b\":[3]}"), TL_EINVAL,
        "sweep.\"a.b\": conflicts with sweep.a (a key cannot also be a group of keys)");
    bad("{" BASE ",\"params\":{\"entry\":1}},\"sweep\":{\"entry.x\":[1]},\"max_variants\":5}",
        TL_EINVAL,
        "sweep.\"entry.x\": conflicts with base.params.entry (a key cannot also be a group of "
        "keys)");
    bad("{" BASE ",\"params\":{\"entry\":1.5}},\"sweep\":{\"a\":[1]},\"max_variants\":5}",
        TL_EINVAL, "base.params.entry: a float; write decimals as strings (\"0.5\")");
    bad("{" BASE ",\"params\":[]},\"sweep\":{\"a\":[1]},\"max_variants\":5}", TL_EINVAL,
        "base.params: an array; want an object of key: value");
    bad(BS("{\"symbol\":\"MSFT\"}"), TL_EINVAL, "base.strategy: missing");
    bad(BS("{\"strategy\":\"x\"}"), TL_EINVAL, "base.symbol: missing");
    bad(BS("{\"strategy\":\"x\",\"symbol\":5}"), TL_EINVAL,
        "base.symbol: an integer; want a string");
    bad(BS("{\"strategy\":\"x\",\"symbol\":\"msft\"}"), TL_EINVAL,
        "base.symbol: \"msft\" is not a symbol (1..15 of [A-Z0-9])");
    bad(BS("{\"strategy\":\"Break\",\"symbol\":\"MSFT\"}"), TL_EINVAL,
        "base.strategy: \"Break\" is not a strategy name ([a-z][a-z0-9_]{0,62})");
    bad(BS("{\"strategy\":\"x\",\"symbol\":\"MSFT\",\"workspace\":\"w\"}"), TL_EINVAL,
        "base.workspace: unknown key (want strategy, symbol, params)");
    bad(BS("3"), TL_EINVAL, "base: an integer; want an object");
    bad("{\"sweep\":{\"a\":[1]},\"max_variants\":5}", TL_EINVAL, "base: missing");
    bad("{" BASE "},\"max_variants\":5}", TL_EINVAL, "sweep: missing");
    bad("{" BASE "},\"sweep\":{\"a\":[1]}}", TL_EINVAL, "max_variants: missing");
    bad(MAX("0"), TL_EINVAL, "max_variants: 0; want 1..100000");
    bad(MAX("-3"), TL_EINVAL, "max_variants: -3; want 1..100000");
    bad(MAX("100001"), TL_EFULL, "max_variants: 100001; want 1..100000");
    bad(MAX("5.0"), TL_EINVAL, "max_variants: a float; want an integer");
    bad(MAX("\"5\""), TL_EINVAL, "max_variants: a string; want an integer");
    bad("{" BASE "},\"sweep\":{\"a\":[1]},\"max_variants\":5,\"extra\":1}", TL_EINVAL,
        "extra: unknown key (want base, sweep, max_variants)");
    bad("[1]", TL_EINVAL, "sweep file: an array; want an object");
    bad("{\"base\":", TL_EINVAL, "JSON: unexpected token near end of file (line 1, column 8)");
}

static void test_limits(void **state)
{
    (void)state;
    char key[TL_SWEEP_KEY_MAX + 1], json[1024], str[TL_SWEEP_STR_MAX + 1];
    memset(key, 'k', TL_SWEEP_KEY_MAX);
    key[TL_SWEEP_KEY_MAX - 1] = '\0'; /* 63 bytes: fits */
    tl_sweep_spec s;
    tl_sweep_spec_init(&s);
    snprintf(json, sizeof json, SW("{\"%s\":[1]}"), key);
    parse_ok(&s, json);
    key[TL_SWEEP_KEY_MAX - 1] = 'k';
    key[TL_SWEEP_KEY_MAX] = '\0';
    snprintf(json, sizeof json, SW("{\"%s\":[1]}"), key);
    char want[256];
    snprintf(want, sizeof want, "sweep.%.44s...: a key longer than 63 bytes", key);
    bad(json, TL_EFULL, want);
    memset(str, 'v', TL_SWEEP_STR_MAX);
    str[TL_SWEEP_STR_MAX] = '\0';
    snprintf(json, sizeof json, SW("{\"a\":[\"%s\"]}"), str);
    bad(json, TL_EFULL, "sweep.a[0]: a string longer than 255 bytes");
    str[TL_SWEEP_STR_MAX - 1] = '\0';
    snprintf(json, sizeof json, SW("{\"a\":[\"%s\"]}"), str);
    parse_ok(&s, json);
    tl_sweep_spec_close(&s);
}

static void test_read_file(void **state)
{
    (void)state;
    tl_sweep_spec s;
    tl_sweep_spec_init(&s);
    tl_err err;
    assert_int_equal(tl_sweep_spec_read(&s, TL_SOURCE_DIR "/examples/sweeps/breakout.json", &err),
                     0);
    assert_string_equal(s.strategy, "breakout_52w_high");
    assert_string_equal(s.symbol, "MSFT");
    assert_non_null(tl_sweep_spec_axis(&s, "entry.lookback_days"));
    assert_non_null(tl_sweep_spec_axis(&s, "exit.hold_bars"));
    assert_null(tl_sweep_spec_axis(&s, "risk.max_positions"));
    assert_int_equal(tl_sweep_spec_read(&s, "/nonexistent/sweep.json", &err), TL_EIO);
    assert_string_equal(err.msg, "/nonexistent/sweep.json: No such file or directory");
    assert_string_equal(s.strategy, "breakout_52w_high");
    tl_sweep_spec_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_ids), cmocka_unit_test(test_grid_last_key_fastest),
        cmocka_unit_test(test_dedupe),        cmocka_unit_test(test_max_variants_cut),
        cmocka_unit_test(test_ids_stable),    cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_limits),        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
