/*
 * test_venue_binance.c -- the live Binance adapter's pure parts (src/venue/binance/): the request
 * it signs (the documentation's HMAC example reproduced), its reading of the documented answers,
 * the error table, the retry rule that keeps a lost reply from making a second order, and its URL.
 * The adapter on the wire against `tradeloop exchange` is tests/e2e/test_venue_binance.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "venue/binance/bnc.h"

/* Source: binance/binance-spot-api-docs, rest-api.md, "SIGNED Endpoint Examples for POST
 * /api/v3/order", HMAC Keys (the documentation's example keys). */
#define DOC_SECRET "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
#define DOC_PAYLOAD                                                                                \
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&"      \
    "timestamp=1499827319559"
#define DOC_SIG "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"

/* The fixtures below are rest-api.md's example responses (same repository), quoted with their
 * "// ..." explanatory comments removed, since those make them invalid JSON. */

/* "New order (TRADE)", "Response - FULL". */
static const char FULL_ANSWER[] =
    "{\"symbol\":\"BTCUSDT\",\"orderId\":28,\"orderListId\":-1,"
    "\"clientOrderId\":\"6gCrw2kRUAF9CvJDGP16IP\",\"transactTime\":1507725176595,"
    "\"price\":\"0.00000000\",\"origQty\":\"10.00000000\",\"executedQty\":\"10.00000000\","
    "\"origQuoteOrderQty\":\"0.000000\",\"cummulativeQuoteQty\":\"10.00000000\","
    "\"status\":\"FILLED\",\"timeInForce\":\"GTC\",\"type\":\"MARKET\",\"side\":\"SELL\","
    "\"workingTime\":1507725176595,\"selfTradePreventionMode\":\"NONE\",\"fills\":["
    "{\"price\":\"4000.00000000\",\"qty\":\"1.00000000\",\"commission\":\"4.00000000\","
    "\"commissionAsset\":\"USDT\",\"tradeId\":56},"
    "{\"price\":\"3999.00000000\",\"qty\":\"5.00000000\",\"commission\":\"19.99500000\","
    "\"commissionAsset\":\"USDT\",\"tradeId\":57},"
    "{\"price\":\"3998.00000000\",\"qty\":\"2.00000000\",\"commission\":\"7.99600000\","
    "\"commissionAsset\":\"USDT\",\"tradeId\":58},"
    "{\"price\":\"3997.00000000\",\"qty\":\"1.00000000\",\"commission\":\"3.99700000\","
    "\"commissionAsset\":\"USDT\",\"tradeId\":59},"
    "{\"price\":\"3995.00000000\",\"qty\":\"1.00000000\",\"commission\":\"3.99500000\","
    "\"commissionAsset\":\"USDT\",\"tradeId\":60}]}";

/* "Cancel order (TRADE)", Response. */
static const char CANCEL_ANSWER[] =
    "{\"symbol\":\"LTCBTC\",\"origClientOrderId\":\"myOrder1\",\"orderId\":4,\"orderListId\":-1,"
    "\"clientOrderId\":\"cancelMyOrder1\",\"transactTime\":1684804350068,\"price\":\"2.00000000\","
    "\"origQty\":\"1.00000000\",\"executedQty\":\"0.00000000\",\"origQuoteOrderQty\":\"0.000000\","
    "\"cummulativeQuoteQty\":\"0.00000000\",\"status\":\"CANCELED\",\"timeInForce\":\"GTC\","
    "\"type\":\"LIMIT\",\"side\":\"BUY\",\"selfTradePreventionMode\":\"NONE\"}";

/* "Current open orders (USER_DATA)", Response (the same object as "Query order"'s). */
static const char OPEN_ORDERS[] =
    "[{\"symbol\":\"LTCBTC\",\"orderId\":1,\"orderListId\":-1,\"clientOrderId\":\"myOrder1\","
    "\"price\":\"0.1\",\"origQty\":\"1.0\",\"executedQty\":\"0.0\",\"cummulativeQuoteQty\":\"0.0\","
    "\"status\":\"NEW\",\"timeInForce\":\"GTC\",\"type\":\"LIMIT\",\"side\":\"BUY\","
    "\"stopPrice\":\"0.0\",\"icebergQty\":\"0.0\",\"time\":1499827319559,"
    "\"updateTime\":1499827319559,\"isWorking\":true,\"origQuoteOrderQty\":\"0.000000\","
    "\"workingTime\":1499827319559,\"selfTradePreventionMode\":\"NONE\"}]";

/* "Account information (USER_DATA)", Response (the members after balances left out). */
static const char ACCOUNT[] =
    "{\"makerCommission\":15,\"takerCommission\":15,\"buyerCommission\":0,"
    "\"sellerCommission\":0,\"canTrade\":true,\"canWithdraw\":true,\"canDeposit\":true,"
    "\"updateTime\":123456789,\"accountType\":\"SPOT\",\"balances\":["
    "{\"asset\":\"BTC\",\"free\":\"4723846.89208129\",\"locked\":\"0.00000000\"},"
    "{\"asset\":\"LTC\",\"free\":\"4763368.68006011\",\"locked\":\"0.00000000\"}],"
    "\"permissions\":[\"SPOT\"],\"uid\":354937868}";

/* "Account trade list (USER_DATA)", Response. */
static const char MY_TRADES[] =
    "[{\"symbol\":\"BNBBTC\",\"id\":28457,\"orderId\":100234,\"orderListId\":-1,"
    "\"price\":\"4.00000100\",\"qty\":\"12.00000000\",\"quoteQty\":\"48.000012\","
    "\"commission\":\"10.10000000\",\"commissionAsset\":\"BNB\",\"time\":1499865549590,"
    "\"isBuyer\":true,\"isMaker\":false,\"isBestMatch\":true}]";

/* "Check server time", Response. */
static const char SERVER_TIME[] = "{\"serverTime\":1499827319559}";

static tl_venue_order doc_order(void)
{
    tl_venue_order o;
    memset(&o, 0, sizeof o);
    o.client_seq = 7;
    strcpy(o.symbol, "LTCBTC");
    o.side = TL_SIDE_BUY;
    o.type = TL_ORDER_LIMIT;
    o.qty = TL_FIXED_INT(1);
    o.price = TL_FIXED_SCALE / 10;
    return o;
}

static void test_doc_signature(void **state)
{
    (void)state;
    char buf[TL__BNC_QUERY_MAX];
    tl_bapi_query q;
    tl_venue_order o = doc_order();
    tl_bapi_query_init(&q, buf, sizeof buf);
    tl__bnc_place_query(&q, &o, NULL);
    assert_int_equal(tl__bnc_sign_query(&q, DOC_SECRET, 5000, 1499827319559LL), 0);
    assert_string_equal(buf, DOC_PAYLOAD "&signature=" DOC_SIG);
}

static void test_place_query(void **state)
{
    (void)state;
    char buf[TL__BNC_QUERY_MAX];
    tl_bapi_query q;
    tl_venue_order o = doc_order();
    tl_bapi_query_init(&q, buf, sizeof buf);
    tl__bnc_place_query(&q, &o, "CLI00000007");
    assert_string_equal(buf, "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&"
                             "price=0.1&newClientOrderId=CLI00000007&newOrderRespType=FULL");
    /* MARKET: no timeInForce, no price (the reference price stays home). */
    o.type = TL_ORDER_MARKET;
    o.side = TL_SIDE_SELL;
    o.qty = TL_FIXED_SCALE / 4;
    tl_bapi_query_init(&q, buf, sizeof buf);
    tl__bnc_place_query(&q, &o, "CLI00000007");
    assert_string_equal(buf, "symbol=LTCBTC&side=SELL&type=MARKET&quantity=0.25&"
                             "newClientOrderId=CLI00000007&newOrderRespType=FULL");
}

static void test_parse_full_answer(void **state)
{
    (void)state;
    tl__bnc_order_ans a;
    tl__bnc_trade *f = NULL;
    size_t cap = 0, n = 0;
    tl_err err;
    assert_int_equal(
        tl__bnc_parse_order(FULL_ANSWER, sizeof FULL_ANSWER - 1, &a, &f, &cap, &n, &err), 0);
    assert_string_equal(a.symbol, "BTCUSDT");
    assert_int_equal(a.order_id, 28);
    assert_string_equal(a.client_id, "6gCrw2kRUAF9CvJDGP16IP");
    assert_int_equal(a.status, TL_OS_FILLED);
    assert_int_equal(a.side, TL_SIDE_SELL);
    assert_int_equal(a.orig_qty, TL_FIXED_INT(10));
    assert_int_equal(a.executed_qty, TL_FIXED_INT(10));
    assert_int_equal(a.time_ms, 1507725176595LL);
    assert_int_equal(n, 5);
    assert_int_equal(f[0].id, 56);
    assert_int_equal(f[0].order_id, 28);
    assert_string_equal(f[0].symbol, "BTCUSDT");
    assert_int_equal(f[0].price, TL_FIXED_INT(4000));
    assert_int_equal(f[1].qty, TL_FIXED_INT(5));
    assert_int_equal(f[1].commission, 1999500000LL); /* 19.995 */
    assert_int_equal(f[4].id, 60);
    assert_false(f[4].is_buyer);
    free(f);
}

static void test_parse_cancel_open_account_trades_time(void **state)
{
    (void)state;
    tl__bnc_order_ans a, *list = NULL;
    tl__bnc_trade *t = NULL;
    size_t cap = 0, n = 0;
    tl_err err;
    assert_int_equal(
        tl__bnc_parse_order(CANCEL_ANSWER, sizeof CANCEL_ANSWER - 1, &a, NULL, NULL, NULL, &err),
        0);
    assert_int_equal(a.status, TL_OS_CANCELED);
    assert_int_equal(a.order_id, 4);
    assert_int_equal(a.price, TL_FIXED_INT(2));
    assert_int_equal(a.executed_qty, 0);

    assert_int_equal(
        tl__bnc_parse_orders(OPEN_ORDERS, sizeof OPEN_ORDERS - 1, &list, &cap, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].status, TL_OS_OPEN);
    assert_int_equal(list[0].price, TL_FIXED_SCALE / 10);
    assert_int_equal(list[0].orig_qty, TL_FIXED_INT(1));
    assert_string_equal(list[0].client_id, "myOrder1");
    assert_int_equal(list[0].time_ms, 1499827319559LL);
    free(list);

    tl_venue_position p[4];
    assert_int_equal(tl__bnc_parse_balances(ACCOUNT, sizeof ACCOUNT - 1, p, 1, &n, &err), 0);
    assert_int_equal(n, 2); /* both counted, one copied */
    assert_string_equal(p[0].symbol, "BTC");
    assert_int_equal(p[0].qty, 472384689208129LL);
    assert_int_equal(tl__bnc_parse_balances(ACCOUNT, sizeof ACCOUNT - 1, p, 4, &n, &err), 0);
    assert_string_equal(p[1].symbol, "LTC");

    cap = 0;
    assert_int_equal(tl__bnc_parse_trades(MY_TRADES, sizeof MY_TRADES - 1, &t, &cap, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].id, 28457);
    assert_int_equal(t[0].order_id, 100234);
    assert_int_equal(t[0].price, 400000100LL);
    /* 10.1 BNB, the base asset of BNBBTC, priced at 4.000001 BTC: 40.4000101 BTC. */
    assert_int_equal(t[0].commission, 4040001010LL);
    assert_true(t[0].is_buyer);
    assert_int_equal(t[0].time_ms, 1499865549590LL);
    free(t);

    int64_t ms = 0;
    assert_int_equal(tl__bnc_parse_time(SERVER_TIME, sizeof SERVER_TIME - 1, &ms, &err), 0);
    assert_int_equal(ms, 1499827319559LL);
}

static void test_parse_refusals(void **state)
{
    (void)state;
    tl__bnc_order_ans a;
    tl_err err;
    memset(&a, 0x5a, sizeof a);
    tl__bnc_order_ans before = a;
    /* A price as a JSON number would pass through a double: refused, naming the member. */
    const char *bad = "{\"symbol\":\"X\",\"orderId\":1,\"clientOrderId\":\"c\",\"status\":\"NEW\","
                      "\"side\":\"BUY\",\"price\":0.1,\"origQty\":\"1\",\"executedQty\":\"0\"}";
    assert_int_equal(tl__bnc_parse_order(bad, strlen(bad), &a, NULL, NULL, NULL, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "'price'"));
    assert_memory_equal(&a, &before, sizeof a);
    const char *st = "{\"symbol\":\"X\",\"orderId\":1,\"clientOrderId\":\"c\",\"status\":\"WAT\","
                     "\"side\":\"BUY\",\"price\":\"1\",\"origQty\":\"1\",\"executedQty\":\"0\"}";
    assert_int_equal(tl__bnc_parse_order(st, strlen(st), &a, NULL, NULL, NULL, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "WAT"));
    int64_t ms = 0;
    assert_int_equal(tl__bnc_parse_time("[1]", 3, &ms, &err), TL_EINVAL);
    assert_int_equal(tl__bnc_parse_time("{\"serverTime\":\"1\"}", 18, &ms, &err), TL_EINVAL);
    assert_int_equal(ms, 0);
}

static void reason_of(int code, const char *msg, int http, char text[48])
{
    tl_bapi_err e;
    memset(&e, 0, sizeof e);
    e.code = code;
    e.http = http;
    snprintf(e.msg, sizeof e.msg, "%s", msg);
    tl__bnc_reason(&e, text);
}

static void test_error_reasons(void **state)
{
    (void)state;
    char t[48];
    reason_of(-2010, TL_BAPI_MSG_INSUFFICIENT_BALANCE, 400, t);
    assert_string_equal(t, "insufficient balance");
    reason_of(-2010, TL_BAPI_MSG_DUPLICATE_ORDER, 400, t);
    assert_string_equal(t, "duplicate client order id");
    reason_of(-2010, "Something new.", 400, t);
    assert_string_equal(t, "rejected by the matching engine");
    reason_of(-1013, TL_BAPI_MSG_FILTER_LOT_SIZE, 400, t);
    assert_string_equal(t, "filter: LOT_SIZE");
    reason_of(-1013, TL_BAPI_MSG_FILTER_MIN_NOTIONAL, 400, t);
    assert_string_equal(t, "filter: MIN_NOTIONAL");
    reason_of(-1121, "Invalid symbol.", 400, t);
    assert_string_equal(t, "invalid symbol");
    reason_of(-1021, TL_BAPI_MSG_TS_AHEAD, 400, t);
    assert_string_equal(t, "timestamp outside recvWindow");
    reason_of(-2015, "Invalid API-key, IP, or permissions for action.", 401, t);
    assert_string_equal(t, "api key refused");
    reason_of(-1015, "Too many new orders.", 429, t);
    assert_string_equal(t, "rate limited: too many orders");
    reason_of(-1102, "Mandatory parameter 'x' was not sent.", 400, t);
    assert_string_equal(t, "bad request (-1102)");
    reason_of(-9999, "?", 400, t);
    assert_string_equal(t, "venue error -9999");
    reason_of(0, "", 403, t);
    assert_string_equal(t, "venue error (HTTP 403)");
}

static tl__bnc_step step(bool replied, long http, int code, const char *msg, uint32_t attempt)
{
    tl__bnc_answer a = {.replied = replied, .http = http, .code = code, .msg = msg};
    return tl__bnc_place_step(&a, attempt, 3);
}

static void test_place_step(void **state)
{
    (void)state;
    assert_int_equal(step(true, 200, 0, NULL, 1), TL__BNC_PLACED);
    assert_int_equal(step(true, 200, 0, NULL, 3), TL__BNC_PLACED);
    /* No answer, or "execution status unknown": the same id again, while attempts remain. */
    assert_int_equal(step(false, 0, 0, NULL, 1), TL__BNC_RETRY);
    assert_int_equal(step(true, 503, -1000, "x", 2), TL__BNC_RETRY);
    assert_int_equal(step(false, 0, 0, NULL, 3), TL__BNC_UNKNOWN);
    /* A duplicate on a retry: the first send arrived. On the first send: another order's id. */
    assert_int_equal(step(true, 400, -2010, TL_BAPI_MSG_DUPLICATE_ORDER, 2), TL__BNC_ADOPT);
    assert_int_equal(step(true, 400, -2010, TL_BAPI_MSG_DUPLICATE_ORDER, 1), TL__BNC_REJECT);
    assert_int_equal(step(true, 400, -2010, TL_BAPI_MSG_INSUFFICIENT_BALANCE, 2), TL__BNC_REJECT);
    assert_int_equal(step(true, 429, -1015, "Too many new orders.", 1), TL__BNC_REJECT);
    assert_int_equal(step(true, 400, -1013, TL_BAPI_MSG_FILTER_LOT_SIZE, 1), TL__BNC_REJECT);
}

static void test_status_names(void **state)
{
    (void)state;
    uint8_t s = 0;
    assert_int_equal(tl__bnc_status_parse("NEW", &s), 0);
    assert_int_equal(s, TL_OS_OPEN);
    assert_int_equal(tl__bnc_status_parse("EXPIRED_IN_MATCH", &s), 0);
    assert_int_equal(s, TL_OS_EXPIRED);
    assert_int_equal(tl__bnc_status_parse("PENDING_CANCEL", &s), 0);
    assert_int_equal(s, TL_OS_PENDING_CANCEL);
    assert_int_equal(tl__bnc_status_parse("new", &s), TL_EINVAL);
}

static void test_url(void **state)
{
    (void)state;
    tl__bnc_opts o;
    tl_err err;
    setenv("TL_TEST_BNC_KEY", "abcKEY123", 1);
    setenv("TL_TEST_BNC_SECRET", "s3cr3t-value", 1);
    assert_int_equal(tl__bnc_opts_parse(&o,
                                        "binance+http://127.0.0.1:8004?key_env=TL_TEST_BNC_KEY&"
                                        "secret_env=TL_TEST_BNC_SECRET&poll_ms=50&"
                                        "drop_reply_after_send=2",
                                        &err),
                     0);
    assert_string_equal(o.base, "http://127.0.0.1:8004");
    assert_string_equal(o.api_key, "abcKEY123");
    assert_string_equal(o.secret, "s3cr3t-value");
    assert_int_equal(o.poll_ms, 50);
    assert_int_equal(o.recv_window_ms, 5000);
    assert_int_equal(o.drop_reply_after_send, 2);
    assert_int_equal(tl__bnc_opts_parse(&o,
                                        "BINANCE+HTTPS://api.example.com/?key_env=TL_TEST_BNC_KEY&"
                                        "secret_env=TL_TEST_BNC_SECRET&recv_window_ms=60000",
                                        &err),
                     0);
    assert_string_equal(o.base, "https://api.example.com");
    assert_int_equal(o.recv_window_ms, 60000);

    /* keys_file + account, in the exchange's --keys format. */
    char path[] = "/tmp/tl_bnc_keysXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *keys = "[{\"account\":\"alice\",\"api_key\":\"K1\",\"secret\":\"S-alice\","
                       "\"balances\":{}},{\"account\":\"bob\",\"api_key\":\"K2\",\"secret\":"
                       "\"S-bob\",\"balances\":{}}]";
    assert_int_equal(write(fd, keys, strlen(keys)), (ssize_t)strlen(keys));
    close(fd);
    char url[256];
    snprintf(url, sizeof url, "binance+http://h:1?keys_file=%s&account=bob", path);
    assert_int_equal(tl__bnc_opts_parse(&o, url, &err), 0);
    assert_string_equal(o.api_key, "K2");
    assert_string_equal(o.secret, "S-bob");
    snprintf(url, sizeof url, "binance+http://h:1?keys_file=%s&account=carol", path);
    assert_int_equal(tl__bnc_opts_parse(&o, url, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "carol"));
    unlink(path);

    /* Refusals: each names what is wrong, none shows the secret. */
    const char *bad[] = {
        "binance+http://h:1",
        "binance+http://h:1?key_env=TL_TEST_BNC_KEY",
        "binance+http://h:1?key_env=TL_TEST_BNC_NOPE&secret_env=TL_TEST_BNC_SECRET",
        "binance+http://h:1?key_env=TL_TEST_BNC_KEY&secret_env=TL_TEST_BNC_SECRET&poll_ms=x",
        "binance+http://h:1?key_env=TL_TEST_BNC_KEY&secret_env=TL_TEST_BNC_SECRET&recv_window_ms="
        "60001",
        "binance+http://h:1?key_env=TL_TEST_BNC_KEY&secret_env=TL_TEST_BNC_SECRET&color=red",
        "binance+http://h:1/api?key_env=TL_TEST_BNC_KEY&secret_env=TL_TEST_BNC_SECRET",
        "binance+ftp://h:1?key_env=TL_TEST_BNC_KEY&secret_env=TL_TEST_BNC_SECRET",
        "binance+http://?key_env=TL_TEST_BNC_KEY&secret_env=TL_TEST_BNC_SECRET",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(tl__bnc_opts_parse(&o, bad[i], &err), TL_EINVAL);
        assert_true(strlen(err.msg) > 0);
        assert_null(strstr(err.msg, "s3cr3t"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_signature),
        cmocka_unit_test(test_place_query),
        cmocka_unit_test(test_parse_full_answer),
        cmocka_unit_test(test_parse_cancel_open_account_trades_time),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_error_reasons),
        cmocka_unit_test(test_place_step),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
