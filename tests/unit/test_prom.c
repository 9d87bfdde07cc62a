/* test_prom.c -- the Prometheus registry: declaration checks, exact text, and the whole
 * exposition read back by the independent parser (tests/support/prom_parse.py). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/prom.h"

static const int64_t SECONDS_NS[] = {1000000, 5000000, 25000000, 1000000000}; /* 1ms..1s */

static void test_names_checked(void **state)
{
    (void)state;
    assert_true(tl_prom_name_ok("tradeloop_orders_total"));
    assert_true(tl_prom_name_ok(":a:b_9"));
    assert_false(tl_prom_name_ok("9lives"));
    assert_false(tl_prom_name_ok("a-b"));
    assert_false(tl_prom_name_ok(""));
    assert_true(tl_prom_label_name_ok("reason"));
    assert_false(tl_prom_label_name_ok("__name"));
    assert_false(tl_prom_label_name_ok("a:b"));

    tl_prom r;
    tl_prom_init(&r);
    tl_err err;
    tl_prom_family *f;
    const char *le[] = {"le"};
    const char *dup[] = {"a", "a"};
    const int64_t down[] = {5, 5};
    assert_int_equal(tl_prom_family_add(&r, TL_PROM_COUNTER, "orders", "h", NULL, 0, NULL, 0, 0,
                                        &f, &err),
                     TL_EINVAL);
    assert_non_null(strstr(err.msg, "_total"));
    assert_int_equal(tl_prom_family_add(&r, TL_PROM_GAUGE, "bad-name", "h", NULL, 0, NULL, 0, 0,
                                        &f, &err),
                     TL_EINVAL);
    assert_int_equal(tl_prom_family_add(&r, TL_PROM_HISTOGRAM, "lat_seconds", "h", le, 1,
                                        SECONDS_NS, 4, 9, &f, &err),
                     TL_EINVAL);
    assert_non_null(strstr(err.msg, "reserved"));
    assert_int_equal(
        tl_prom_family_add(&r, TL_PROM_GAUGE, "g", "h", dup, 2, NULL, 0, 0, &f, &err), TL_EINVAL);
    assert_int_equal(tl_prom_family_add(&r, TL_PROM_HISTOGRAM, "h_seconds", "h", NULL, 0, down, 2,
                                        0, &f, &err),
                     TL_EINVAL);
    assert_int_equal(tl_prom_family_add(&r, TL_PROM_HISTOGRAM, "h_seconds", "h", NULL, 0, NULL, 0,
                                        0, &f, &err),
                     TL_EINVAL);
    /* collisions both ways: a histogram owns _bucket, _sum and _count */
    assert_int_equal(tl_prom_family_add(&r, TL_PROM_HISTOGRAM, "lat_seconds", "h", NULL, 0,
                                        SECONDS_NS, 4, 9, &f, &err),
                     0);
    assert_int_equal(tl_prom_family_add(&r, TL_PROM_GAUGE, "lat_seconds_count", "h", NULL, 0,
                                        NULL, 0, 0, &f, &err),
                     TL_EINVAL);
    assert_non_null(strstr(err.msg, "collides"));
    assert_int_equal(tl_prom_family_add(&r, TL_PROM_GAUGE, "x_sum", "h", NULL, 0, NULL, 0, 0, &f,
                                        &err),
                     0);
    assert_int_equal(tl_prom_family_add(&r, TL_PROM_HISTOGRAM, "x", "h", NULL, 0, SECONDS_NS, 4, 9,
                                        &f, &err),
                     TL_EINVAL);
    assert_int_equal(tl_prom_family_add(&r, TL_PROM_GAUGE, "x_sum", "h", NULL, 0, NULL, 0, 0, &f,
                                        &err),
                     TL_EINVAL);
    tl_prom_close(&r);
}

/* A registry like the service's: counters by outcome, a money gauge, a latency histogram. */
static void fill(tl_prom *r)
{
    const char *outcome[] = {"outcome"};
    const char *reason[] = {"reason", "symbol"};
    tl_prom_family *orders, *refusals, *pos, *lat, *up;
    tl_prom_series *s;
    assert_int_equal(tl_prom_family_add(r, TL_PROM_COUNTER, "tradeloop_orders_total",
                                        "Orders by outcome.", outcome, 1, NULL, 0, 0, &orders,
                                        NULL),
                     0);
    assert_int_equal(tl_prom_family_add(r, TL_PROM_COUNTER, "tradeloop_refusals_total",
                                        "Refusals by rule.", reason, 2, NULL, 0, 0, &refusals,
                                        NULL),
                     0);
    assert_int_equal(tl_prom_family_add(r, TL_PROM_GAUGE, "tradeloop_position",
                                        "Net position, base units.", outcome, 1, NULL, 0, 8, &pos,
                                        NULL),
                     0);
    assert_int_equal(tl_prom_family_add(r, TL_PROM_HISTOGRAM, "tradeloop_commit_seconds",
                                        "Journal commit latency.", NULL, 0, SECONDS_NS, 4, 9, &lat,
                                        NULL),
                     0);
    assert_int_equal(tl_prom_family_add(r, TL_PROM_GAUGE, "tradeloop_up", "1 when serving.", NULL,
                                        0, NULL, 0, 0, &up, NULL),
                     0);
    const char *filled[] = {"filled"}, *rejected[] = {"rejected"};
    assert_int_equal(tl_prom_series_get(orders, filled, &s, NULL), 0);
    tl_prom_counter_add(s, 41);
    tl_prom_counter_add(s, 1);
    assert_int_equal(tl_prom_series_get(orders, rejected, &s, NULL), 0);
    tl_prom_counter_add(s, 3);
    const char *r1[] = {"max_notional", "BTC\"USD\\\n"};
    assert_int_equal(tl_prom_series_get(refusals, r1, &s, NULL), 0);
    tl_prom_counter_add(s, 2);
    const char *btc[] = {"BTCUSDT"};
    assert_int_equal(tl_prom_series_get(pos, btc, &s, NULL), 0);
    tl_prom_gauge_set(s, -1234500000); /* -12.345 */
    tl_prom_gauge_add(s, 500000000);   /* -7.345 */
    assert_int_equal(tl_prom_series_get(lat, NULL, &s, NULL), 0);
    tl_prom_observe(s, 1000000);    /* exactly on the 1 ms bound: le is inclusive */
    tl_prom_observe(s, 3000000);    /* 5 ms bucket */
    tl_prom_observe(s, 2000000000); /* above every bound: +Inf only */
    assert_int_equal(tl_prom_series_get(up, NULL, &s, NULL), 0);
    tl_prom_gauge_set(s, 1);
}

static const char EXPECTED[] =
    "# HELP tradeloop_orders_total Orders by outcome.\n"
    "# TYPE tradeloop_orders_total counter\n"
    "tradeloop_orders_total{outcome=\"filled\"} 42\n"
    "tradeloop_orders_total{outcome=\"rejected\"} 3\n"
    "# HELP tradeloop_refusals_total Refusals by rule.\n"
    "# TYPE tradeloop_refusals_total counter\n"
    "tradeloop_refusals_total{reason=\"max_notional\",symbol=\"BTC\\\"USD\\\\\\n\"} 2\n"
    "# HELP tradeloop_position Net position, base units.\n"
    "# TYPE tradeloop_position gauge\n"
    "tradeloop_position{outcome=\"BTCUSDT\"} -7.345\n"
    "# HELP tradeloop_commit_seconds Journal commit latency.\n"
    "# TYPE tradeloop_commit_seconds histogram\n"
    "tradeloop_commit_seconds_bucket{le=\"0.001\"} 1\n"
    "tradeloop_commit_seconds_bucket{le=\"0.005\"} 2\n"
    "tradeloop_commit_seconds_bucket{le=\"0.025\"} 2\n"
    "tradeloop_commit_seconds_bucket{le=\"1\"} 2\n"
    "tradeloop_commit_seconds_bucket{le=\"+Inf\"} 3\n"
    "tradeloop_commit_seconds_sum 2.004\n"
    "tradeloop_commit_seconds_count 3\n"
    "# HELP tradeloop_up 1 when serving.\n"
    "# TYPE tradeloop_up gauge\n"
    "tradeloop_up 1\n";

static void test_exact_text(void **state)
{
    (void)state;
    tl_prom r;
    tl_prom_init(&r);
    fill(&r);
    tl_prom_text t = {0};
    assert_int_equal(tl_prom_write(&r, &t, NULL), 0);
    assert_string_equal(t.buf, EXPECTED);
    /* appends: a second write doubles the text */
    assert_int_equal(tl_prom_write(&r, &t, NULL), 0);
    assert_int_equal(t.len, 2 * strlen(EXPECTED));
    free(t.buf);
    tl_prom_close(&r);
}

static const char *sample_value(json_t *samples, const char *name, const char *label,
                                const char *value)
{
    size_t i;
    json_t *s;
    json_array_foreach(samples, i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "name")), name) != 0)
            continue;
        json_t *l = json_object_get(json_object_get(s, "labels"), label != NULL ? label : "");
        if (label == NULL || (l != NULL && strcmp(json_string_value(l), value) == 0))
            return json_string_value(json_object_get(s, "value"));
    }
    return NULL;
}

/* The exposition through the independent parser: grammar, histogram rules, values, escapes. */
static void test_independent_parser_reads_it(void **state)
{
    (void)state;
    tl_prom r;
    tl_prom_init(&r);
    fill(&r);
    tl_prom_text t = {0};
    assert_int_equal(tl_prom_write(&r, &t, NULL), 0);
    char path[] = "/tmp/tl_prom_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, t.buf, t.len), (ssize_t)t.len);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "python3 %s/tests/support/prom_parse.py %s", TL_SOURCE_DIR, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    json_error_t jerr;
    json_t *doc = json_loadf(p, 0, &jerr);
    assert_int_equal(pclose(p), 0);
    unlink(path);
    assert_non_null(doc);
    json_t *fams = json_object_get(doc, "families");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(fams, "tradeloop_commit_seconds"),
                                          "type")),
        "histogram");
    json_t *samples = json_object_get(doc, "samples");
    assert_string_equal(sample_value(samples, "tradeloop_orders_total", "outcome", "filled"), "42");
    assert_string_equal(
        sample_value(samples, "tradeloop_refusals_total", "symbol", "BTC\"USD\\\n"), "2");
    assert_string_equal(sample_value(samples, "tradeloop_position", NULL, NULL), "-7.345");
    assert_string_equal(sample_value(samples, "tradeloop_commit_seconds_bucket", "le", "+Inf"),
                        "3");
    assert_string_equal(sample_value(samples, "tradeloop_commit_seconds_sum", NULL, NULL),
                        "2.004");
    json_decref(doc);
    free(t.buf);
    tl_prom_close(&r);
}

/* The parser is no rubber stamp: a broken histogram is refused. */
static void test_parser_refuses_broken_histogram(void **state)
{
    (void)state;
    static const char bad[] = "# HELP h x\n# TYPE h histogram\n"
                              "h_bucket{le=\"1\"} 5\nh_bucket{le=\"+Inf\"} 4\nh_sum 1\nh_count 4\n";
    char path[] = "/tmp/tl_prom_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bad, sizeof(bad) - 1), (ssize_t)(sizeof(bad) - 1));
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "python3 %s/tests/support/prom_parse.py %s >/dev/null 2>&1",
             TL_SOURCE_DIR, path);
    int rc = system(cmd);
    unlink(path);
    assert_int_not_equal(rc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_checked),
        cmocka_unit_test(test_exact_text),
        cmocka_unit_test(test_independent_parser_reads_it),
        cmocka_unit_test(test_parser_refuses_broken_histogram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
