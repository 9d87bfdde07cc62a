/* test_bapi_ratelimit.c -- the Binance rate-limit accountant: weight per minute per IP, orders per
 * 10 s and per day per account, windows rolling over on their boundaries, Retry-After, the
 * headers, and the client reading them back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "binapi/ratelimit.h"

static const int64_t T0 = 1499827320000; /* a whole minute: 1499827320000 % 60000 == 0 */

static void test_weight(void **state)
{
    (void)state;
    assert_int_equal(T0 % 60000, 0);
    tl_bapi_rl_limits l = {10, 50, 160000};
    tl_bapi_rl_ip ip;
    tl_bapi_rl_ip_init(&ip);
    tl_bapi_rl_result r;
    tl_bapi_err e;
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, NULL, 4, 0, T0, &r, &e), 0);
    assert_true(r.allowed);
    assert_int_equal(r.used_weight_1m, 4);
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, NULL, 6, 0, T0 + 59999, &r, &e), 0);
    assert_int_equal(r.used_weight_1m, 10); /* at the limit: allowed */
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, NULL, 1, 0, T0 + 59999, &r, &e), TL_EBUSY);
    assert_false(r.allowed);
    assert_int_equal(r.used_weight_1m, 11);
    assert_int_equal(r.retry_after_s, 1); /* 1 ms left, rounded up */
    assert_int_equal(e.code, -1003);
    assert_int_equal(e.http, 429);
    assert_string_equal(e.msg, "Too much request weight used; current limit is 10 request weight "
                               "per 1 MINUTE. Please use WebSocket Streams for live updates to "
                               "avoid polling the API.");
    tl_bapi_header h[4];
    assert_int_equal(tl_bapi_rl_headers(&r, h), 2);
    assert_string_equal(h[0].name, "X-MBX-USED-WEIGHT-1M");
    assert_string_equal(h[0].value, "11");
    assert_string_equal(h[1].name, "Retry-After");
    assert_string_equal(h[1].value, "1");
    /* The next minute starts from zero. */
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, NULL, 10, 0, T0 + 60000, &r, &e), 0);
    assert_int_equal(r.used_weight_1m, 10);
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, NULL, 1, 0, T0 + 60000 + 20500, &r, &e), TL_EBUSY);
    assert_int_equal(r.retry_after_s, 40); /* 39.5 s left */
    /* An older time counts in the newer window. */
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, NULL, 0, 0, T0 + 1, &r, &e), TL_EBUSY);
    assert_int_equal(r.used_weight_1m, 11);
    /* Another IP has its own minute. */
    tl_bapi_rl_ip other;
    tl_bapi_rl_ip_init(&other);
    assert_int_equal(tl_bapi_rl_charge(&l, &other, NULL, 10, 0, T0 + 60001, &r, &e), 0);
}

static void test_orders(void **state)
{
    (void)state;
    tl_bapi_rl_limits l;
    tl_bapi_rl_limits_default(&l);
    assert_int_equal(l.weight_per_min, 6000);
    l.orders_per_10s = 3;
    l.orders_per_day = 5;
    tl_bapi_rl_ip ip;
    tl_bapi_rl_account a;
    tl_bapi_rl_ip_init(&ip);
    tl_bapi_rl_account_init(&a);
    tl_bapi_rl_result r;
    tl_bapi_err e;
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(tl_bapi_rl_charge(&l, &ip, &a, 1, 1, T0 + 9000, &r, &e), 0);
        assert_true(r.order_counts);
        assert_int_equal(r.order_count_10s, i);
        assert_int_equal(r.order_count_1d, i);
    }
    tl_bapi_header h[4];
    assert_int_equal(tl_bapi_rl_headers(&r, h), 3);
    assert_string_equal(h[1].name, "X-MBX-ORDER-COUNT-10S");
    assert_string_equal(h[1].value, "3");
    assert_string_equal(h[2].name, "X-MBX-ORDER-COUNT-1D");
    assert_string_equal(h[2].value, "3");
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, &a, 1, 1, T0 + 9999, &r, &e), TL_EBUSY);
    assert_int_equal(e.code, -1015);
    assert_int_equal(e.http, 429);
    assert_string_equal(e.msg, "Too many new orders; current limit is 3 orders per 10 SECOND.");
    assert_int_equal(r.retry_after_s, 1);
    assert_int_equal(r.order_count_10s, 3); /* the refused order is not counted */
    assert_int_equal(r.used_weight_1m, 4);  /* its weight is */
    assert_int_equal(tl_bapi_rl_headers(&r, h), 2);
    /* A request that is not an order passes meanwhile. */
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, &a, 1, 0, T0 + 9999, &r, &e), 0);
    assert_false(r.order_counts);
    /* The next 10 s window: two more, then the day is full. */
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, &a, 1, 1, T0 + 10000, &r, &e), 0);
    assert_int_equal(r.order_count_10s, 1);
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, &a, 1, 1, T0 + 10000, &r, &e), 0);
    assert_int_equal(r.order_count_1d, 5);
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, &a, 1, 1, T0 + 20000, &r, &e), TL_EBUSY);
    assert_string_equal(e.msg, "Too many new orders; current limit is 5 orders per 1 DAY.");
    int64_t day_end = (T0 / 86400000 + 1) * 86400000;
    assert_int_equal(r.retry_after_s, (day_end - (T0 + 20000) + 999) / 1000);
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, &a, 1, 1, day_end, &r, &e), 0);
    assert_int_equal(r.order_count_1d, 1);
    /* Two orders at once that do not fit are refused whole. */
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, &a, 1, 3, day_end, &r, &e), TL_EBUSY);
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, &a, 1, 2, day_end, &r, &e), 0);
    assert_int_equal(r.order_count_10s, 3);
}

static void test_client_budget(void **state)
{
    (void)state;
    tl_bapi_rl_limits l;
    tl_bapi_rl_limits_default(&l);
    tl_bapi_rl_budget b;
    tl_bapi_rl_budget_init(&b);
    assert_int_equal(tl_bapi_rl_budget_weight_left(&b, &l), 6000);
    assert_int_equal(tl_bapi_rl_budget_orders_left(&b, &l), 50);
    assert_int_equal(tl_bapi_rl_budget_header(&b, "x-mbx-used-weight-1m", " 5990\r\n"), 0);
    assert_int_equal(tl_bapi_rl_budget_weight_left(&b, &l), 10);
    assert_int_equal(tl_bapi_rl_budget_header(&b, "X-MBX-ORDER-COUNT-10S", "48"), 0);
    assert_int_equal(tl_bapi_rl_budget_header(&b, "X-MBX-ORDER-COUNT-1D", "159999"), 0);
    assert_int_equal(tl_bapi_rl_budget_orders_left(&b, &l), 1);
    assert_int_equal(tl_bapi_rl_budget_header(&b, "X-MBX-ORDER-COUNT-10S", "45"), 0);
    assert_int_equal(tl_bapi_rl_budget_orders_left(&b, &l), 1); /* the day is the smaller */
    assert_int_equal(tl_bapi_rl_budget_header(&b, "X-MBX-USED-WEIGHT-1M", "6001"), 0);
    assert_int_equal(tl_bapi_rl_budget_weight_left(&b, &l), 0);
    assert_int_equal(tl_bapi_rl_budget_header(&b, "Retry-After", "12"), 0);
    assert_int_equal(b.retry_after_s, 12);
    assert_int_equal(tl_bapi_rl_budget_header(&b, "Content-Type", "1"), TL_ENOTFOUND);
    assert_int_equal(tl_bapi_rl_budget_header(&b, "Retry-After", "-1"), TL_EINVAL);
    assert_int_equal(tl_bapi_rl_budget_header(&b, "Retry-After", ""), TL_EINVAL);
    assert_int_equal(tl_bapi_rl_budget_header(&b, "Retry-After", "1x"), TL_EINVAL);
    assert_int_equal(tl_bapi_rl_budget_header(&b, "Retry-After", "99999999999999999999"),
                     TL_EINVAL);
    assert_int_equal(b.retry_after_s, 12);
    /* What the server writes, the client reads. */
    tl_bapi_rl_ip ip;
    tl_bapi_rl_account a;
    tl_bapi_rl_ip_init(&ip);
    tl_bapi_rl_account_init(&a);
    tl_bapi_rl_result r;
    tl_bapi_err e;
    assert_int_equal(tl_bapi_rl_charge(&l, &ip, &a, 7, 1, T0, &r, &e), 0);
    tl_bapi_header h[4];
    int n = tl_bapi_rl_headers(&r, h);
    tl_bapi_rl_budget_init(&b);
    for (int i = 0; i < n; i++)
        assert_int_equal(tl_bapi_rl_budget_header(&b, h[i].name, h[i].value), 0);
    assert_int_equal(tl_bapi_rl_budget_weight_left(&b, &l), 6000 - 7);
    assert_int_equal(tl_bapi_rl_budget_orders_left(&b, &l), 49);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weight),
        cmocka_unit_test(test_orders),
        cmocka_unit_test(test_client_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
