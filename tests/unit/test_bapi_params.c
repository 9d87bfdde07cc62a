/* test_bapi_params.c -- request parameters of the Binance API layer: form decoding, query string
 * against body, duplicates and limits, each typed getter at its edges with Binance's own error
 * text, the unread check, the client's query builder, and the error body both ways. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "binapi/params.h"

static void parse_ok(tl_bapi_params *p, const char *q, const char *b)
{
    tl_bapi_err e;
    tl_bapi_params_init(p);
    if (tl_bapi_params_parse(p, q, q ? strlen(q) : 0, b, b ? strlen(b) : 0, &e) != 0)
        fail_msg("q=%s b=%s: %d %s", q, b, e.code, e.msg);
}

static void parse_bad(const char *q, const char *b, int code, const char *msg)
{
    tl_bapi_params p;
    tl_bapi_err e;
    parse_ok(&p, "keep=1", NULL);
    int rc = tl_bapi_params_parse(&p, q, q ? strlen(q) : 0, b, b ? strlen(b) : 0, &e);
    if (rc == 0 || e.code != code || strcmp(e.msg, msg) != 0)
        fail_msg("q=%s b=%s: rc %d %d '%s', want %d '%s'", q, b, rc, e.code, e.msg, code, msg);
    assert_int_equal(p.count, 0);
}

static void test_decode(void **state)
{
    (void)state;
    tl_bapi_params p;
    parse_ok(&p, "a=1&b=x+y%20z&&c&d=%E2%82%AC&e=%2b%26%3D&", NULL);
    assert_int_equal(p.count, 5);
    assert_string_equal(p.items[1].value, "x y z");
    assert_string_equal(p.items[2].key, "c");
    assert_string_equal(p.items[2].value, "");
    assert_string_equal(p.items[3].value, "\xE2\x82\xAC");
    assert_string_equal(p.items[4].value, "+&=");
    assert_int_equal(p.items[4].vlen, 3);
    parse_ok(&p, NULL, NULL);
    assert_int_equal(p.count, 0);
    /* The query string wins over the body; the body's own names come after. */
    parse_ok(&p, "symbol=BTCUSDT&price=1", "price=2&quantity=3");
    assert_int_equal(p.count, 3);
    assert_string_equal(tl_bapi_params_find(&p, "price")->value, "1");
    assert_false(tl_bapi_params_find(&p, "price")->from_body);
    assert_true(tl_bapi_params_find(&p, "quantity")->from_body);
    assert_null(tl_bapi_params_find(&p, "Price"));

    const char *illegal = "Illegal characters found in a parameter.";
    parse_bad("a=%zz", NULL, -1100, illegal);
    parse_bad("a=%4", NULL, -1100, illegal);
    parse_bad("a=%", NULL, -1100, illegal);
    parse_bad("a=1%00", NULL, -1100, illegal);
    parse_bad("=1", NULL, -1100, illegal);
    parse_bad("a%20b=1", NULL, -1100, illegal);
    parse_bad(NULL, "a=1&%01=2", -1100, illegal);
    char big[300];
    memset(big, 0, sizeof big);
    memcpy(big, "v=", 2);
    memset(big + 2, 'x', 127);
    parse_ok(&p, big, NULL);
    assert_int_equal(p.items[0].vlen, 127);
    big[2 + 127] = 'x';
    parse_bad(big, NULL, -1100,
              "Illegal characters found in parameter 'v'; legal range is "
              "'^.{0,127}$'.");
    parse_bad("abcdefghijabcdefghijabcdefghijab=1", NULL, -1103, "An unknown parameter was sent.");
    parse_ok(&p, "abcdefghijabcdefghijabcdefghija=1", NULL);

    const char *dup = "Duplicate values for a parameter detected.";
    parse_bad("a=1&b=2&a=1", NULL, -1101, dup);
    parse_bad(NULL, "a=1&a=2", -1101, dup);
    parse_bad("a=1&a%3D=2&a=3", NULL, -1101, dup);
    /* 32 parameters fit, 33 do not. */
    char many[400] = "";
    for (int i = 0; i < 32; i++)
        sprintf(many + strlen(many), "%sk%d=1", i ? "&" : "", i);
    parse_ok(&p, many, NULL);
    assert_int_equal(p.count, 32);
    parse_bad(many, "x=1", -1101, "Too many parameters; expected '32' and received '33'.");
}

/* Each getter through one helper: query q, the parameter, refusal code and message. */
typedef enum { G_FIXED, G_INT, G_SIDE, G_TYPE, G_TIF, G_SYMBOL, G_STR } getter;

static int get(getter g, const char *q, const char *key, bool mandatory, int64_t *v, bool *present,
               tl_bapi_err *e)
{
    tl_bapi_params p;
    parse_ok(&p, q, NULL);
    memset(e, 0, sizeof *e);
    int x = 0;
    char sym[TL_BAPI_SYMBOL_MAX];
    const char *s = NULL;
    int rc;
    switch (g) {
    case G_FIXED:
        return tl_bapi_params_fixed(&p, key, mandatory, v, present, e);
    case G_INT:
        return tl_bapi_params_int64(&p, key, mandatory, v, present, e);
    case G_SIDE:
        rc = tl_bapi_params_side(&p, mandatory, (tl_bapi_side *)&x, present, e);
        break;
    case G_TYPE:
        rc = tl_bapi_params_type(&p, mandatory, (tl_bapi_type *)&x, present, e);
        break;
    case G_TIF:
        rc = tl_bapi_params_tif(&p, mandatory, (tl_bapi_tif *)&x, present, e);
        break;
    case G_SYMBOL:
        rc = tl_bapi_params_symbol(&p, mandatory, sym, present, e);
        x = rc == 0 ? (int)strlen(sym) : 0;
        break;
    default:
        rc = tl_bapi_params_str(&p, key, mandatory, &s, present, e);
        x = rc == 0 && s ? (int)strlen(s) : 0;
        break;
    }
    if (rc == 0)
        *v = x;
    return rc;
}

static void ok(getter g, const char *q, const char *key, int64_t want)
{
    tl_bapi_err e;
    int64_t v = -777;
    bool present = false;
    if (get(g, q, key, true, &v, &present, &e) != 0)
        fail_msg("%s: %d %s", q, e.code, e.msg);
    if (v != want || !present)
        fail_msg("%s: %lld, want %lld", q, (long long)v, (long long)want);
}

static void bad(getter g, const char *q, const char *key, bool mandatory, int code, const char *msg)
{
    tl_bapi_err e;
    int64_t v = -777;
    int rc = get(g, q, key, mandatory, &v, NULL, &e);
    if (rc == 0 || e.code != code || strcmp(e.msg, msg) != 0)
        fail_msg("%s: rc %d %d '%s', want %d '%s'", q, rc, e.code, e.msg, code, msg);
    assert_int_equal(v, -777);
    assert_int_equal(e.http, 400);
}

#define PRICE_RANGE                                                                                \
    "Illegal characters found in parameter 'price'; legal range is "                               \
    "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'."

static void test_fixed(void **state)
{
    (void)state;
    ok(G_FIXED, "price=0.1", "price", 10000000);
    ok(G_FIXED, "price=42000", "price", TL_FIXED_INT(42000));
    ok(G_FIXED, "price=0.00000001", "price", 1);
    ok(G_FIXED, "price=0.12345678", "price", 12345678);
    ok(G_FIXED, "price=0.12345678000000000000", "price", 12345678); /* 20 decimals, zeros */
    ok(G_FIXED, "price=00000000000000000001", "price", TL_FIXED_SCALE);
    ok(G_FIXED, "price=92233720368.54775807", "price", INT64_MAX);
    bad(G_FIXED, "price=0.123456789", "price", true, -1111,
        "Parameter 'price' has too much precision.");
    bad(G_FIXED, "price=0.000000001", "price", true, -1111,
        "Parameter 'price' has too much precision.");
    bad(G_FIXED, "price=92233720368.54775808", "price", true, -1108,
        "Parameter 'price' overflowed.");
    const char *garbage[] = {"price=-1",
                             "price=%2B1",
                             "price=1e3",
                             "price=1.",
                             "price=.5",
                             "price=1.5.",
                             "price=+1",
                             "price=0x1",
                             "price=1%20",
                             "price=NaN",
                             "price=123456789012345678901",
                             "price=1.123456789012345678901"};
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
        bad(G_FIXED, garbage[i], "price", true, -1100, PRICE_RANGE);
    const char *missing = "Mandatory parameter 'price' was not sent, was empty/null, or malformed.";
    bad(G_FIXED, "quantity=1", "price", true, -1102, missing);
    bad(G_FIXED, "price=", "price", true, -1102, missing);
    bad(G_FIXED, "price", "price", true, -1102, missing);
    bad(G_FIXED, "price=", "price", false, -1105, "Parameter 'price' was empty.");
    /* Optional and not sent: 0, *out untouched, present false. */
    tl_bapi_err e;
    int64_t v = -777;
    bool present = true;
    assert_int_equal(get(G_FIXED, "quantity=1", "price", false, &v, &present, &e), 0);
    assert_false(present);
    assert_int_equal(v, -777);
}

static void test_int_enum_symbol(void **state)
{
    (void)state;
    ok(G_INT, "orderId=0", "orderId", 0);
    ok(G_INT, "orderId=9223372036854775807", "orderId", INT64_MAX);
    ok(G_INT, "orderId=00000000000000000007", "orderId", 7);
    bad(G_INT, "orderId=9223372036854775808", "orderId", true, -1108,
        "Parameter 'orderId' overflowed.");
    const char *range = "Illegal characters found in parameter 'orderId'; legal range is "
                        "'^[0-9]{1,20}$'.";
    bad(G_INT, "orderId=-1", "orderId", true, -1100, range);
    bad(G_INT, "orderId=1.0", "orderId", true, -1100, range);
    bad(G_INT, "orderId=000000000000000000001", "orderId", true, -1100, range);

    ok(G_SIDE, "side=BUY", "side", TL_BAPI_BUY);
    ok(G_SIDE, "side=SELL", "side", TL_BAPI_SELL);
    bad(G_SIDE, "side=buy", "side", true, -1117, "Invalid side.");
    bad(G_SIDE, "side=BUYX", "side", true, -1117, "Invalid side.");
    ok(G_TYPE, "type=LIMIT", "type", TL_BAPI_LIMIT);
    ok(G_TYPE, "type=MARKET", "type", TL_BAPI_MARKET);
    ok(G_TYPE, "type=LIMIT_MAKER", "type", TL_BAPI_LIMIT_MAKER);
    bad(G_TYPE, "type=STOP", "type", true, -1116, "Invalid orderType.");
    ok(G_TIF, "timeInForce=GTC", "timeInForce", TL_BAPI_GTC);
    ok(G_TIF, "timeInForce=IOC", "timeInForce", TL_BAPI_IOC);
    ok(G_TIF, "timeInForce=FOK", "timeInForce", TL_BAPI_FOK);
    bad(G_TIF, "timeInForce=GTX", "timeInForce", true, -1115, "Invalid timeInForce.");
    bad(G_TIF, "timeinforce=GTC", "timeInForce", true, -1102,
        "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
    assert_string_equal(tl_bapi_side_name(TL_BAPI_SELL), "SELL");
    assert_string_equal(tl_bapi_type_name(TL_BAPI_TAKE_PROFIT_LIMIT), "TAKE_PROFIT_LIMIT");
    assert_string_equal(tl_bapi_tif_name(TL_BAPI_FOK), "FOK");
    assert_null(tl_bapi_tif_name((tl_bapi_tif)9));

    ok(G_SYMBOL, "symbol=BTCUSDT", "symbol", 7);
    ok(G_SYMBOL, "symbol=ABCDEFGHIJ0123456789", "symbol", 20);
    ok(G_SYMBOL, "symbol=A-B_C.D", "symbol", 7);
    const char *srange = "Illegal characters found in parameter 'symbol'; legal range is "
                         "'^[A-Z0-9-_.]{1,20}$'.";
    bad(G_SYMBOL, "symbol=ABCDEFGHIJ0123456789X", "symbol", true, -1100, srange);
    bad(G_SYMBOL, "symbol=btcusdt", "symbol", true, -1100, srange);
    bad(G_SYMBOL, "symbol=%EF%BC%91", "symbol", true, -1100, srange);

    ok(G_STR, "newClientOrderId=my-order 1", "newClientOrderId", 10);
    bad(G_STR, "newClientOrderId=a%0Ab", "newClientOrderId", true, -1100,
        "Illegal characters found in parameter 'newClientOrderId'.");
}

static void test_unread(void **state)
{
    (void)state;
    tl_bapi_params p;
    tl_bapi_err e;
    tl_fixed v;
    parse_ok(&p, "price=1&quantity=2", "extra=3");
    assert_int_equal(tl_bapi_params_fixed(&p, "price", true, &v, NULL, &e), 0);
    assert_int_equal(tl_bapi_params_fixed(&p, "quantity", true, &v, NULL, &e), 0);
    assert_int_equal(tl_bapi_params_unread(&p, &e), TL_EINVAL);
    assert_int_equal(e.code, -1104);
    assert_string_equal(e.msg, "Not all sent parameters were read; read '2' parameter(s) but was "
                               "sent '3'.");
    assert_non_null(tl_bapi_params_find(&p, "extra"));
    assert_int_equal(tl_bapi_params_unread(&p, &e), 0);
}

static void test_query_builder(void **state)
{
    (void)state;
    char buf[256];
    tl_bapi_query q;
    tl_bapi_query_init(&q, buf, sizeof buf);
    tl_bapi_query_str(&q, "symbol", "LTCBTC");
    tl_bapi_query_str(&q, "side", "BUY");
    tl_bapi_query_str(&q, "type", "LIMIT");
    tl_bapi_query_str(&q, "timeInForce", "GTC");
    tl_bapi_query_fixed(&q, "quantity", TL_FIXED_INT(1));
    tl_bapi_query_fixed(&q, "price", 10000000);
    tl_bapi_query_int(&q, "recvWindow", 5000);
    tl_bapi_query_int(&q, "timestamp", 1499827319559);
    /* The documentation's example payload (rest-api.md, SIGNED Endpoint Examples). */
    assert_string_equal(buf, "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&"
                             "price=0.1&recvWindow=5000&timestamp=1499827319559");
    assert_int_equal(tl_bapi_query_finish(&q), (int)strlen(buf));

    tl_bapi_query_init(&q, buf, sizeof buf);
    tl_bapi_query_str(&q, "symbol", "\xEF\xBC\x91\xEF\xBC\x92");
    tl_bapi_query_str(&q, "newClientOrderId", "a b&c=d+e~f");
    tl_bapi_query_fixed(&q, "price", 1);
    tl_bapi_query_fixed(&q, "qty", TL_FIXED_INT(42000));
    assert_string_equal(buf, "symbol=%EF%BC%91%EF%BC%92&newClientOrderId=a%20b%26c%3Dd%2Be~f&"
                             "price=0.00000001&qty=42000");
    /* What the builder writes, the parser reads back. */
    tl_bapi_params p;
    parse_ok(&p, buf, NULL);
    assert_string_equal(tl_bapi_params_find(&p, "newClientOrderId")->value, "a b&c=d+e~f");

    /* Too small: whole pairs only, then sticky. */
    char small[12];
    tl_bapi_query_init(&q, small, sizeof small);
    tl_bapi_query_str(&q, "a", "1");
    tl_bapi_query_str(&q, "b", "123456789");
    assert_string_equal(small, "a=1");
    tl_bapi_query_str(&q, "c", "2");
    assert_string_equal(small, "a=1");
    assert_int_equal(tl_bapi_query_finish(&q), TL_ERANGE);
    tl_bapi_query_init(&q, small, sizeof small);
    tl_bapi_query_str(&q, "abcde", "12345"); /* 11 bytes and the NUL: fits exactly */
    assert_int_equal(tl_bapi_query_finish(&q), 11);
}

static void test_error_body(void **state)
{
    (void)state;
    tl_bapi_err e;
    assert_int_equal(tl_bapi_err_set(&e, TL_BAPI_BAD_SYMBOL, NULL), TL_EINVAL);
    tl_jw w;
    tl_jw_init(&w);
    tl_bapi_err_json(&e, &w);
    assert_int_equal(tl_jw_finish(&w), 0);
    assert_string_equal(w.buf, "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}\n");
    tl_bapi_err back;
    tl_err err;
    assert_int_equal(tl_bapi_err_parse(w.buf, w.len, &back, &err), 0);
    assert_int_equal(back.code, -1121);
    assert_string_equal(back.msg, "Invalid symbol.");
    tl_jw_free(&w);
    /* The documented statuses: 429 for limits, 401 for keys, 400 for the rest, 500 unknown. */
    struct {
        int code, http, rc;
        const char *msg;
    } rows[] = {
        {-1000, 500, TL_EIO, "An unknown error occurred while processing the request."},
        {-1003, 429, TL_EBUSY, "Too many requests queued."},
        {-1013, 400, TL_EINVAL, NULL},
        {-1015, 429, TL_EBUSY, "Too many new orders."},
        {-1021, 400, TL_EINVAL, "Timestamp for this request is outside of the recvWindow."},
        {-1022, 400, TL_EINVAL, "Signature for this request is not valid."},
        {-1100, 400, TL_EINVAL, "Illegal characters found in a parameter."},
        {-1101, 400, TL_EINVAL, "Too many parameters sent for this endpoint."},
        {-1102, 400, TL_EINVAL,
         "A mandatory parameter was not sent, was empty/null, or malformed."},
        {-1104, 400, TL_EINVAL, "Not all sent parameters were read."},
        {-1105, 400, TL_EINVAL, "A parameter was empty."},
        {-1111, 400, TL_EINVAL, NULL},
        {-1116, 400, TL_EINVAL, "Invalid orderType."},
        {-1117, 400, TL_EINVAL, "Invalid side."},
        {-1121, 400, TL_EINVAL, "Invalid symbol."},
        {-2010, 400, TL_EINVAL, "NEW_ORDER_REJECTED"},
        {-2011, 400, TL_ENOTFOUND, "CANCEL_REJECTED"},
        {-2013, 400, TL_ENOTFOUND, "Order does not exist."},
        {-2014, 401, TL_EINVAL, "API-key format invalid."},
        {-2015, 401, TL_EINVAL, "Invalid API-key, IP, or permissions for action."},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_int_equal(tl_bapi_err_set(&e, rows[i].code, NULL), rows[i].rc);
        assert_int_equal(e.code, rows[i].code);
        assert_int_equal(e.http, rows[i].http);
        if (rows[i].msg)
            assert_string_equal(e.msg, rows[i].msg);
    }
    assert_int_equal(
        tl_bapi_err_set(&e, TL_BAPI_NEW_ORDER_REJECTED, TL_BAPI_MSG_INSUFFICIENT_BALANCE),
        TL_EINVAL);
    assert_string_equal(e.msg, "Account has insufficient balance for requested action.");
    tl_bapi_err_set(&e, TL_BAPI_INVALID_MESSAGE, TL_BAPI_MSG_FILTER_LOT_SIZE);
    assert_string_equal(e.msg, "Filter failure: LOT_SIZE");
    assert_null(tl_bapi_err_lookup(-9999));
    assert_string_equal(tl_bapi_err_lookup(-2015)->name, "REJECTED_MBX_KEY");

    /* The client's parse: extra members ignored, unprintable bytes shown as '?'. */
    const char *b = "{\"msg\":\"Duplicate order sent.\\n\",\"code\":-2010,\"x\":1}";
    assert_int_equal(tl_bapi_err_parse(b, strlen(b), &back, &err), 0);
    assert_int_equal(back.code, -2010);
    assert_string_equal(back.msg, "Duplicate order sent.?");
    const char *bads[] = {"",
                          "[]",
                          "{\"code\":\"-1\",\"msg\":\"x\"}",
                          "{\"code\":1,\"msg\":\"x\"}",
                          "{\"code\":-1121}",
                          "{\"code\":-1121,\"msg\":null}",
                          "{\"code\":-1.5,\"msg\":\"x\"}"};
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        back.code = 7;
        assert_int_equal(tl_bapi_err_parse(bads[i], strlen(bads[i]), &back, &err), TL_EINVAL);
        assert_int_equal(back.code, 7);
        assert_true(err.msg[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),          cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_int_enum_symbol), cmocka_unit_test(test_unread),
        cmocka_unit_test(test_query_builder),   cmocka_unit_test(test_error_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
