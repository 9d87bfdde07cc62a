/* test_sweep_queue.c -- the queue's URL (every part, the defaults, every refusal), a stream entry
 * id, and a stored variant row read back as the result the local sweep had (what makes a queued
 * sweep's document the local one). The queue itself against a real Redis server is
 * tests/e2e/test_sweep_queue.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sweep/queue_int.h"

static void test_url_parts_and_defaults(void **state)
{
    (void)state;
    tl_sweep_queue_url u;
    tl_err err = {0};
    assert_int_equal(tl_sweep_queue_url_parse("redis://10.0.0.7:6380/desk:sweeps", &u, &err), 0);
    assert_string_equal(u.host, "10.0.0.7");
    assert_int_equal(u.port, 6380);
    assert_string_equal(u.key, "desk:sweeps");
    assert_int_equal(tl_sweep_queue_url_parse("redis://redis-1.local", &u, &err), 0);
    assert_string_equal(u.host, "redis-1.local");
    assert_int_equal(u.port, 6379);
    assert_string_equal(u.key, TL_SWEEP_QUEUE_KEY_DEFAULT);
    assert_int_equal(tl_sweep_queue_url_parse("redis://h/a@b", &u, &err), 0); /* '@' in a key */
    assert_string_equal(u.key, "a@b");
    assert_int_equal(tl_sweep_queue_url_parse("redis://h:1/", &u, &err), 0);
    assert_int_equal(u.port, 1);
    assert_string_equal(u.key, TL_SWEEP_QUEUE_KEY_DEFAULT);
}

static void refused(const char *url, const char *why)
{
    tl_sweep_queue_url u;
    memset(&u, 0x5a, sizeof(u));
    tl_err err = {0};
    assert_int_equal(tl_sweep_queue_url_parse(url, &u, &err), TL_EINVAL);
    if (strstr(err.msg, why) == NULL)
        fail_msg("%s: '%s' lacks '%s'", url, err.msg, why);
    assert_int_equal((unsigned char)u.host[0], 0x5a); /* untouched */
}

static void test_url_refusals(void **state)
{
    (void)state;
    refused("http://h:1", "want redis://");
    refused("rediss://h:1", "want redis://");
    refused("redis://", "host");
    refused("redis://:6379", "host");
    refused("redis://u:pw@h:1", "REDIS_PASSWORD");
    refused("redis://pw@h/k", "REDIS_PASSWORD");
    refused("redis://h_x:1", "host is letters");
    refused("redis://h:", "port");
    refused("redis://h:0", "port");
    refused("redis://h:65536", "port");
    refused("redis://h:12x", "port");
    refused("redis://h:1/a b", "without spaces");
    char longkey[300] = "redis://h:1/";
    memset(longkey + strlen(longkey), 'k', 200);
    refused(longkey, "longer than");
}

static void test_entry_ids(void **state)
{
    (void)state;
    tl__sweep_id id;
    assert_int_equal(tl__sweep_id_parse("1700000000000-12", 16, &id), 0);
    assert_true(id.ms == 1700000000000ULL && id.seq == 12);
    assert_int_equal(tl__sweep_id_parse("5", 1, &id), TL_EINVAL);
    assert_int_equal(tl__sweep_id_parse("-5", 2, &id), TL_EINVAL);
    assert_int_equal(tl__sweep_id_parse("5-", 2, &id), TL_EINVAL);
    assert_int_equal(tl__sweep_id_parse("5-1-2", 5, &id), TL_EINVAL);
}

static void test_result_from_row(void **state)
{
    (void)state;
    tl_run_variant_row row;
    memset(&row, 0, sizeof(row));
    row.status = TL_RUN_DONE;
    row.trade_count = 3;
    row.return_pct = TL_FIXED_INT(2);
    row.max_drawdown_pct = TL_FIXED_INT(1);
    row.has_win_rate = 1;
    row.win_rate = TL_FIXED_INT(1) / 2;
    row.ending_equity = TL_FIXED_INT(10200);
    memset(row.state_digest, 'a', 64);
    tl_sweep_result r;
    tl_sweep_result_from_row(&row, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.metrics.trade_count, 3);
    assert_true(r.metrics.return_pct == TL_FIXED_INT(2) &&
                r.metrics.ending_equity == TL_FIXED_INT(10200));
    assert_true(r.metrics.has_win_rate && !r.metrics.has_sharpe && !r.metrics.has_profit_factor);
    assert_int_equal(strlen(r.state_digest), 64);
    row.status = TL_RUN_FAILED;
    strcpy(row.error, "strategy: bad parameter");
    tl_sweep_result_from_row(&row, &r);
    assert_int_not_equal(r.rc, 0);
    assert_string_equal(r.error, "strategy: bad parameter");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_parts_and_defaults),
        cmocka_unit_test(test_url_refusals),
        cmocka_unit_test(test_entry_ids),
        cmocka_unit_test(test_result_from_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
