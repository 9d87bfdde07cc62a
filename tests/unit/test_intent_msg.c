/*
 * test_intent_msg.c -- the body of POST /execute/intents: a good body in its forms (numbers and
 * strings, exact; extra TradeIntent keys ignored; mode defaulted), and a malformed corpus, each
 * refused with a reason that names the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "service/intent_msg.h"

static void test_good(void **state)
{
    (void)state;
    const char *b = "{\"intent\": {\"workspace_id\": \"ws1\", \"intent_id\": \"i-1\", \"action\": "
                    "\"OPEN_LONG\", \"symbol\": \"AAPL\", \"qty\": 0.1, \"evaluation_id\": "
                    "\"ev-9\", \"reason\": {\"x\": [1, 2]}}, \"fill_price\": 1e-05}";
    tl_intent_msg m;
    tl_err err = {0};
    int rc = tl_intent_msg_parse(b, strlen(b), &m, &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    assert_string_equal(m.workspace, "ws1");
    assert_string_equal(m.intent_id, "i-1");
    assert_string_equal(m.action, "OPEN_LONG");
    assert_string_equal(m.symbol, "AAPL");
    assert_string_equal(m.mode, "paper");
    assert_int_equal(m.qty, TL_FIXED_SCALE / 10); /* exactly 0.1 */
    assert_int_equal(m.fill_price, 1000);         /* exactly 0.00001 */
    const char *s = "{\"mode\":\"paper\",\"fill_price\":\"42000.5\",\"intent\":{\"qty\":\"3\","
                    "\"symbol\":\"BTCUSDT\",\"action\":\"CLOSE_LONG\",\"intent_id\":\"k\","
                    "\"workspace_id\":\"w\"}}";
    assert_int_equal(tl_intent_msg_parse(s, strlen(s), &m, NULL), 0);
    assert_int_equal(m.qty, TL_FIXED_INT(3));
    assert_int_equal(m.fill_price, TL_FIXED_INT(42000) + TL_FIXED_SCALE / 2);
    tl_paper_intent in = tl_intent_msg_intent(&m, 7);
    assert_string_equal(in.workspace, "w");
    assert_int_equal(in.ts_ns, 7);
}

#define INTENT(rest)                                                                               \
    "{\"intent\":{\"workspace_id\":\"w\",\"intent_id\":\"i\",\"action\":\"OPEN_LONG\","            \
    "\"symbol\":\"AAPL\"" rest

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int rc;
        const char *reason;
    } bad[] = {
        {"", TL_EINVAL, "body: not JSON"},
        {"[1]", TL_EINVAL, "body: want an object"},
        {"{\"fill_price\":1}", TL_EINVAL, "intent: missing"},
        {"{\"intent\":\"x\",\"fill_price\":1}", TL_EINVAL, "intent: want an object"},
        {INTENT(",\"qty\":1},\"fill_price\":1,\"fillprice\":1}"), TL_EINVAL,
         "unknown key 'fillprice'"},
        {INTENT(",\"qty\":1}}"), TL_EINVAL, "fill_price: missing"},
        {INTENT("}, \"fill_price\":1}"), TL_EINVAL, "intent.qty: missing"},
        {INTENT(",\"qty\":0},\"fill_price\":1}"), TL_EINVAL, "intent.qty: must be > 0"},
        {INTENT(",\"qty\":-2},\"fill_price\":1}"), TL_EINVAL, "intent.qty: must be > 0"},
        {INTENT(",\"qty\":true},\"fill_price\":1}"), TL_EINVAL, "intent.qty: want a decimal"},
        {INTENT(",\"qty\":1e-9},\"fill_price\":1}"), TL_EPRECISION, "intent.qty:"},
        {INTENT(",\"qty\":1},\"fill_price\":\"abc\"}"), TL_EINVAL, "fill_price:"},
        {INTENT(",\"qty\":1},\"fill_price\":0}"), TL_EINVAL, "fill_price: must be > 0"},
        {INTENT(",\"qty\":1},\"fill_price\":1,\"mode\":\"live\"}"), TL_ENOTSUP, "mode: 'live'"},
        {INTENT(",\"qty\":1},\"fill_price\":1,\"mode\":5}"), TL_EINVAL, "mode: want a string"},
        {"{\"intent\":{\"intent_id\":\"i\",\"action\":\"OPEN_LONG\",\"symbol\":\"A\",\"qty\":1},"
         "\"fill_price\":1}",
         TL_EINVAL, "intent.workspace_id: missing"},
        {"{\"intent\":{\"workspace_id\":\"a b\",\"intent_id\":\"i\",\"action\":\"OPEN_LONG\","
         "\"symbol\":\"A\",\"qty\":1},\"fill_price\":1}",
         TL_EINVAL, "intent.workspace_id:"},
        {"{\"intent\":{\"workspace_id\":\"w\",\"intent_id\":\"i/2\",\"action\":\"OPEN_LONG\","
         "\"symbol\":\"A\",\"qty\":1},\"fill_price\":1}",
         TL_EINVAL, "intent.intent_id:"},
        {"{\"intent\":{\"workspace_id\":\"w\",\"intent_id\":\"i\",\"action\":\"OPEN_LONG\","
         "\"symbol\":\"btc-usd\",\"qty\":1},\"fill_price\":1}",
         TL_EINVAL, "intent.symbol:"},
        {"{\"intent\":{\"workspace_id\":\"w\",\"intent_id\":\"i\",\"action\":7,"
         "\"symbol\":\"A\",\"qty\":1},\"fill_price\":1}",
         TL_EINVAL, "intent.action: want a string"},
        {"{\"intent\":{\"workspace_id\":\"w\",\"workspace_id\":\"v\"},\"fill_price\":1}", TL_EINVAL,
         "body: not JSON"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tl_intent_msg m;
        tl_err err = {0};
        int rc = tl_intent_msg_parse(bad[i].body, strlen(bad[i].body), &m, &err);
        if (rc != bad[i].rc || strstr(err.msg, bad[i].reason) != err.msg)
            fail_msg("case %zu: rc %d '%s', want %d '%s...'", i, rc, err.msg, bad[i].rc,
                     bad[i].reason);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
