/* test_order_msg.c -- seed 002's order message: the seed's own message, exact decimals from JSON
 * numbers and strings, every field's limits, a corpus of malformed messages each refused with
 * its reason, the order_id of a refused message, and the result document. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "service/json_num.h"
#include "service/order_msg.h"

#define ID  "\"order_id\":\"TEST_001\""
#define SYM "\"symbol\":\"BTCUSDT\",\"side\":\"BUY\""
#define QTY "\"quantity\":0.001"
#define PX  "\"price\":42000.00"

static tl_order_msg ok_flags(const char *body, unsigned flags)
{
    tl_order_msg m;
    tl_err err;
    int rc = tl_order_msg_parse(body, strlen(body), flags, &m, &err);
    if (rc != 0)
        fail_msg("'%s': rc %d %s", body, rc, err.msg);
    return m;
}

static tl_order_msg ok(const char *body)
{
    return ok_flags(body, 0);
}

static void bad(const char *body, int code, const char *want)
{
    tl_order_msg m, before;
    memset(&m, 0x6b, sizeof m);
    before = m;
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_order_msg_parse(body, strlen(body), 0, &m, &err);
    if (rc != code || strcmp(err.msg, want) != 0)
        fail_msg("'%s': rc %d '%s', want %d '%s'", body, rc, err.msg, code, want);
    assert_memory_equal(&m, &before, sizeof m);
}

static void test_seed_message(void **state)
{
    (void)state;
    /* The seed's manual test, as redis-cli sends it (new lines and all). */
    tl_order_msg m = ok("{\n  \"order_id\": \"TEST_001\",\n  \"symbol\": \"BTCUSDT\",\n"
                        "  \"side\": \"BUY\",\n  \"quantity\": 0.001,\n  \"price\": 42000.00\n}");
    assert_string_equal(m.order_id, "TEST_001");
    assert_string_equal(m.symbol, "BTCUSDT");
    assert_string_equal(m.client_id, "");
    assert_int_equal(m.side, TL_SIDE_BUY);
    assert_int_equal(m.type, TL_ORDER_LIMIT);
    assert_int_equal(m.quantity, 100000);
    assert_int_equal(m.price, TL_FIXED_INT(42000));
}

static void test_decimals_exact(void **state)
{
    (void)state;
    /* 0.1 and 0.3 have no exact double: the text is what counts. */
    tl_order_msg m = ok("{" ID "," SYM ",\"quantity\":0.1,\"price\":0.3}");
    assert_int_equal(m.quantity, 10000000);
    assert_int_equal(m.price, 30000000);
    m = ok("{" ID "," SYM ",\"quantity\":1e-05,\"price\":4.2E+4}"); /* Python's repr */
    assert_int_equal(m.quantity, 1000);
    assert_int_equal(m.price, TL_FIXED_INT(42000));
    m = ok("{" ID "," SYM ",\"quantity\":\"0.00000001\",\"price\":\"92233720368.54775807\"}");
    assert_int_equal(m.quantity, 1);
    assert_int_equal(m.price, INT64_MAX);
    m = ok("{" ID "," SYM ",\"quantity\":92233720368.54775807,\"price\":1.50000000000000000000}");
    assert_int_equal(m.quantity, INT64_MAX);
    assert_int_equal(m.price, 150000000);
    m = ok("{" ID "," SYM ",\"quantity\":12345678901e-8,\"price\":0.000000000000012e12}");
    assert_int_equal(m.quantity, 12345678901LL);
    assert_int_equal(m.price, 1200000); /* 0.012 */
}

static void test_json_decimal(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int rc;
        tl_fixed v;
    } cases[] = {
        {"0", 0, 0},
        {"-0.0", 0, 0},
        {"-1.5", 0, -150000000},
        {"1E2", 0, 10000000000LL},
        {"100e-10", 0, 1},
        {"0.000000001", TL_EPRECISION, 0},
        {"1e-9", TL_EPRECISION, 0},
        {"92233720368.54775808", TL_ERANGE, 0},
        {"1e11", TL_ERANGE, 0},
        {"1e999999999999999999", TL_ERANGE, 0},
        {"1e-999999999999999999", TL_EPRECISION, 0},
        {"01", TL_EINVAL, 0},
        {"1.", TL_EINVAL, 0},
        {".5", TL_EINVAL, 0},
        {"1e", TL_EINVAL, 0},
        {"+1", TL_EINVAL, 0},
        {"-", TL_EINVAL, 0},
        {"", TL_EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tl_fixed v = 77;
        tl_err err;
        int rc = tl__json_decimal(cases[i].s, strlen(cases[i].s), &v, &err);
        if (rc != cases[i].rc || (rc == 0 && v != cases[i].v) || (rc != 0 && v != 77))
            fail_msg("'%s': rc %d v %lld", cases[i].s, rc, (long long)v);
    }
}

static void test_fields(void **state)
{
    (void)state;
    tl_order_msg m = ok("{\"order_id\":\"a.b_c:d-9\",\"symbol\":\"ETHUSDT\",\"side\":\"sell\","
                        "\"quantity\":\"2\",\"price\":3,\"type\":\"limit\","
                        "\"client_id\":\"desk-7\"}");
    assert_string_equal(m.order_id, "a.b_c:d-9");
    assert_string_equal(m.client_id, "desk-7");
    assert_int_equal(m.side, TL_SIDE_SELL);
    assert_int_equal(m.type, TL_ORDER_LIMIT);
    assert_int_equal(m.quantity, TL_FIXED_INT(2));
    m = ok("{" ID "," SYM "," QTY ",\"type\":\"Market\"}");
    assert_int_equal(m.type, TL_ORDER_MARKET);
    assert_int_equal(m.price, 0);
    m = ok("{" ID "," SYM "," QTY ",\"type\":\"MARKET\",\"price\":null,\"client_id\":null}");
    assert_int_equal(m.price, 0);
    m = ok("{" ID "," SYM "," QTY ",\"type\":\"MARKET\",\"price\":\"10.5\"}");
    assert_int_equal(m.price, 1050000000);
    char id[256];
    snprintf(id, sizeof id, "{\"order_id\":\"%0100d\"," SYM "," QTY "," PX "}", 7);
    m = ok(id);
    assert_int_equal(strlen(m.order_id), 100);
    /* Lax: a publisher's own fields are ignored, nested ones included. */
    m = ok_flags("{" ID "," SYM "," QTY "," PX ",\"strategy\":{\"n\":[1,2.5]},\"ts\":1.25}",
                 TL_ORDER_MSG_LAX);
    assert_int_equal(m.price, TL_FIXED_INT(42000));
    m = ok_flags("{\"extra\":0.5," ID "," SYM ",\"quantity\":0.25," PX "}", TL_ORDER_MSG_LAX);
    assert_int_equal(m.quantity, 25000000);
}

/* The malformed-message corpus: every case refused, the reason naming the field. */
static void test_malformed_corpus(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int code;
        const char *why;
    } cases[] = {
        {"", TL_EINVAL, "message: not JSON: '[' or '{' expected near end of file (column 0)"},
        {"{", TL_EINVAL, "message: not JSON: string or '}' expected near end of file (column 1)"},
        {"[1]", TL_EINVAL, "message: want a JSON object, got an array"},
        {"\"x\"", TL_EINVAL, "message: not JSON: '[' or '{' expected near '\"x\"' (column 3)"},
        {"{} {}", TL_EINVAL, "message: not JSON: end of file expected near '{' (column 4)"},
        {"{}", TL_EINVAL, "order_id: missing"},
        {"{" ID "," ID "}", TL_EINVAL,
         "message: not JSON: duplicate object key near '\"order_id\"' (column 33)"},
        {"{\"order_id\":1," SYM "," QTY "," PX "}", TL_EINVAL,
         "order_id: want a string, got a real number"},
        {"{\"order_id\":\"\"," SYM "," QTY "," PX "}", TL_EINVAL,
         "order_id: empty (want 1..100 of [A-Za-z0-9._:-])"},
        {"{\"order_id\":\"a b\"," SYM "," QTY "," PX "}", TL_EINVAL,
         "order_id: invalid character 0x20 at position 2 (allowed: [A-Za-z0-9._:-])"},
        {"{\"order_id\":\"a/b\"," SYM "," QTY "," PX "}", TL_EINVAL,
         "order_id: invalid character '/' at position 2 (allowed: [A-Za-z0-9._:-])"},
        {"{\"order_id\":\"\\u00e9\"," SYM "," QTY "," PX "}", TL_EINVAL,
         "order_id: invalid character 0xc3 at position 1 (allowed: [A-Za-z0-9._:-])"},
        {"{\"order_id\":\"a\\u0000b\"," SYM "," QTY "," PX "}", TL_EINVAL,
         "message: not JSON: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"a\\u0000b\"' "
         "(column 22)"},
        {"{\"order_id\":"
         "\"1234567890123456789012345678901234567890123456789012345678901234567890"
         "1234567890123456789012345678901\"," SYM "," QTY "," PX "}",
         TL_EINVAL, "order_id: 101 characters (want 1..100)"},
        {"{" ID ",\"client_id\":\"x y\",\"symbol\":\"BTCUSDT\",\"side\":\"BUY\"," QTY "," PX "}",
         TL_EINVAL, "client_id: invalid character 0x20 at position 2 (allowed: [A-Za-z0-9._:-])"},
        {"{" ID ",\"client_id\":7," SYM "," QTY "," PX "}", TL_EINVAL,
         "client_id: want a string, got a real number"},
        {"{" ID ",\"side\":\"BUY\"," QTY "," PX "}", TL_EINVAL, "symbol: missing"},
        {"{" ID ",\"symbol\":\"btcusdt\",\"side\":\"BUY\"," QTY "," PX "}", TL_EINVAL,
         "symbol: 'btcusdt' must be 1..15 of [A-Z0-9]"},
        {"{" ID ",\"symbol\":\"BTCUSDTBTCUSDTBTC\",\"side\":\"BUY\"," QTY "," PX "}", TL_EINVAL,
         "symbol: 'BTCUSDTBTCUSDTBTC' must be 1..15 of [A-Z0-9]"},
        {"{" ID ",\"symbol\":[],\"side\":\"BUY\"," QTY "," PX "}", TL_EINVAL,
         "symbol: want a string, got an array"},
        {"{" ID ",\"symbol\":\"BTCUSDT\"," QTY "," PX "}", TL_EINVAL, "side: missing"},
        {"{" ID ",\"symbol\":\"BTCUSDT\",\"side\":\"LONG\"," QTY "," PX "}", TL_EINVAL,
         "side: 'LONG' is not BUY or SELL"},
        {"{" ID ",\"symbol\":\"BTCUSDT\",\"side\":true," QTY "," PX "}", TL_EINVAL,
         "side: want a string, got a boolean"},
        {"{" ID "," SYM "," PX "}", TL_EINVAL, "quantity: missing"},
        {"{" ID "," SYM ",\"quantity\":null," PX "}", TL_EINVAL, "quantity: missing"},
        {"{" ID "," SYM ",\"quantity\":0," PX "}", TL_EINVAL, "quantity: must be > 0, got 0"},
        {"{" ID "," SYM ",\"quantity\":-1," PX "}", TL_EINVAL, "quantity: must be > 0, got -1"},
        {"{" ID "," SYM ",\"quantity\":\"-0.5\"," PX "}", TL_EINVAL,
         "quantity: must be > 0, got -0.5"},
        {"{" ID "," SYM ",\"quantity\":0.000000001," PX "}", TL_EPRECISION,
         "quantity: decimal 0.000000001 has more than 8 decimals"},
        {"{" ID "," SYM ",\"quantity\":\"0.000000001\"," PX "}", TL_EPRECISION,
         "quantity: decimal '0.000000001' has more than 8 decimals"},
        {"{" ID "," SYM ",\"quantity\":1e300," PX "}", TL_ERANGE,
         "quantity: decimal 1e300 out of range (max +/-92233720368.54775807)"},
        {"{" ID "," SYM ",\"quantity\":123456789012345678901234567890," PX "}", TL_ERANGE,
         "quantity: decimal 123456789012345678901234567890 out of range (max "
         "+/-92233720368.54775807)"},
        {"{" ID "," SYM ",\"quantity\":\"1e3\"," PX "}", TL_EINVAL,
         "quantity: malformed decimal '1e3' (want [+-]digits[.digits])"},
        {"{" ID "," SYM ",\"quantity\":\"\"," PX "}", TL_EINVAL,
         "quantity: malformed decimal '' (want [+-]digits[.digits])"},
        {"{" ID "," SYM ",\"quantity\":true," PX "}", TL_EINVAL,
         "quantity: want a decimal (number or string), got a boolean"},
        {"{" ID "," SYM ",\"quantity\":{}," PX "}", TL_EINVAL,
         "quantity: want a decimal (number or string), got an object"},
        {"{" ID "," SYM "," QTY "}", TL_EINVAL,
         "price: missing (required for a LIMIT order; say \"type\": \"MARKET\" for a market "
         "order)"},
        {"{" ID "," SYM "," QTY ",\"price\":0}", TL_EINVAL, "price: must be > 0, got 0"},
        {"{" ID "," SYM "," QTY ",\"price\":-42000.5}", TL_EINVAL,
         "price: must be > 0, got -42000.5"},
        {"{" ID "," SYM "," QTY ",\"price\":0.123456789}", TL_EPRECISION,
         "price: decimal 0.123456789 has more than 8 decimals"},
        {"{" ID "," SYM "," QTY ",\"type\":\"MARKET\",\"price\":0}", TL_EINVAL,
         "price: must be > 0, got 0"},
        {"{" ID "," SYM "," QTY "," PX ",\"type\":\"STOP\"}", TL_EINVAL,
         "type: 'STOP' is not LIMIT or MARKET"},
        {"{" ID "," SYM "," QTY "," PX ",\"type\":1}", TL_EINVAL,
         "type: want a string, got a real number"},
        {"{" ID "," SYM "," QTY ",\"prcie\":1}", TL_EINVAL,
         "unknown key 'prcie' (known: order_id, symbol, side, quantity, price, type, client_id)"},
        {"{" ID "," SYM "," QTY "," PX ",\"a\\u0001\":1}", TL_EINVAL,
         "unknown key 'a?' (known: order_id, symbol, side, quantity, price, type, client_id)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        bad(cases[i].body, cases[i].code, cases[i].why);
    /* NUL bytes inside the message, and one too large to read. */
    static const char nul[] = "{\"order_id\":\"A\"\0}";
    tl_order_msg m;
    tl_err err;
    assert_int_equal(tl_order_msg_parse(nul, sizeof nul - 1, 0, &m, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "message: not JSON"));
    static char big[TL_ORDER_MSG_MAX_BYTES + 2];
    memset(big, ' ', sizeof big);
    assert_int_equal(tl_order_msg_parse(big, sizeof big, 0, &m, &err), TL_EINVAL);
    assert_string_equal(err.msg, "message: 65538 bytes (at most 65536)");
}

static void test_many_keys(void **state)
{
    (void)state;
    char body[4096];
    size_t n = (size_t)snprintf(body, sizeof body, "{" ID "," SYM "," QTY "," PX);
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, ",\"k%d\":%d", i, i);
    snprintf(body + n, sizeof body - n, "}");
    tl_order_msg m;
    tl_err err;
    assert_int_equal(tl_order_msg_parse(body, strlen(body), TL_ORDER_MSG_LAX, &m, &err), TL_EFULL);
    assert_string_equal(err.msg, "message: more than 64 keys");
}

static void test_peek_id(void **state)
{
    (void)state;
    char id[TL_ORDER_MSG_ID_MAX] = "";
    const char *s = "{\"order_id\":\"X-1\",\"quantity\":-1}";
    assert_true(tl_order_msg_peek_id(s, strlen(s), id));
    assert_string_equal(id, "X-1");
    s = "{\"order_id\":\"bad id\"}";
    assert_false(tl_order_msg_peek_id(s, strlen(s), id));
    s = "not json";
    assert_false(tl_order_msg_peek_id(s, strlen(s), id));
    assert_string_equal(id, "X-1");
}

static void test_result(void **state)
{
    (void)state;
    tl_jw w;
    tl_jw_init(&w);
    tl_order_result_fill f[2] = {{100000, TL_FIXED_INT(42000), "T000001"},
                                 {50000, 4200050000000LL, "T000002"}};
    tl_order_result r = {.order_id = "TEST_001",
                         .client_id = "desk-7",
                         .symbol = "BTCUSDT",
                         .side = TL_SIDE_BUY,
                         .status = TL_ORDER_RESULT_PARTIALLY_FILLED,
                         .fills = f,
                         .n_fills = 2,
                         .filled_qty = 150000,
                         .client_seq = 1,
                         .engine_order_id = "CLI00000001",
                         .received_ns = 1735828200LL * 1000000000LL,
                         .done_ns = 1735828200LL * 1000000000LL + 1};
    assert_int_equal(tl_order_result_write(&w, &r), 0);
    assert_string_equal(
        w.buf,
        "{\"client_id\":\"desk-7\",\"client_seq\":1,\"engine_order_id\":\"CLI00000001\","
        "\"fills\":[{\"price\":42000,\"qty\":0.001,\"trade_id\":\"T000001\"},"
        "{\"price\":42000.5,\"qty\":0.0005,\"trade_id\":\"T000002\"}],\"filled_qty\":0.0015,"
        "\"order_id\":\"TEST_001\",\"reject_reason\":null,\"side\":\"BUY\","
        "\"status\":\"PARTIALLY_FILLED\",\"symbol\":\"BTCUSDT\","
        "\"ts_done\":\"2025-01-02T14:30:00.000000001Z\",\"ts_received\":\"2025-01-02T14:30:00Z\"}");
    /* A message too broken to name its order: REJECTED, the unknowns null. */
    tl_order_result rej = {.side = -1,
                           .status = TL_ORDER_RESULT_REJECTED,
                           .reject_reason = "message: want a JSON object, got an array"};
    assert_int_equal(tl_order_result_write(&w, &rej), 0);
    assert_string_equal(w.buf, "{\"client_id\":null,\"client_seq\":null,\"engine_order_id\":null,"
                               "\"fills\":[],\"filled_qty\":0,\"order_id\":null,\"reject_reason\":"
                               "\"message: want a JSON object, got an array\",\"side\":null,"
                               "\"status\":\"REJECTED\",\"symbol\":null,\"ts_done\":null,"
                               "\"ts_received\":null}");
    rej.status = TL_ORDER_RESULT_DUPLICATE;
    assert_int_equal(tl_order_result_write(&w, &rej), 0);
    assert_non_null(strstr(w.buf, "\"status\":\"DUPLICATE\""));
    rej.status = TL_ORDER_RESULT_DRY_RUN;
    assert_int_equal(tl_order_result_write(&w, &rej), 0);
    assert_non_null(strstr(w.buf, "\"status\":\"DRY_RUN\""));
    rej.status = (tl_order_result_status)9;
    assert_int_equal(tl_order_result_write(&w, &rej), TL_EINVAL);
    tl_jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_message),     cmocka_unit_test(test_decimals_exact),
        cmocka_unit_test(test_json_decimal),     cmocka_unit_test(test_fields),
        cmocka_unit_test(test_malformed_corpus), cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_peek_id),          cmocka_unit_test(test_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
