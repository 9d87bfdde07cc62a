/* test_signal.c -- one JSONL signal: every field's limits, the decimal rule, unknown and
 * duplicate keys, and each refusal's text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "loop/signal.h"
#include "tradeloop/clock.h"

#define REST "\"ts\":\"2025-01-02T14:30:00Z\",\"account\":\"va1\",\"symbol\":\"USDCHF\""
#define BASE "\"id\":\"s1\"," REST

static tl_signal ok(const char *line)
{
    tl_signal s;
    tl_err err;
    int rc = tl_signal_parse(line, strlen(line), &s, &err);
    if (rc != 1)
        fail_msg("'%s': rc %d %s", line, rc, err.msg);
    return s;
}

static void bad(const char *line, int code, const char *want)
{
    tl_signal s, before;
    memset(&s, 0x6b, sizeof s);
    before = s;
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_signal_parse(line, strlen(line), &s, &err);
    if (rc != code || strcmp(err.msg, want) != 0)
        fail_msg("'%s': rc %d '%s', want %d '%s'", line, rc, err.msg, code, want);
    assert_memory_equal(&s, &before, sizeof s);
}

static void test_entries_and_exits(void **state)
{
    (void)state;
    tl_signal s = ok("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":\"1000.5\","
                     "\"expected_price\":\"0.90125\"}\r\n");
    assert_string_equal(s.id, "s1");
    assert_int_equal(s.ts_ns, 1735828200LL * TL_NS_PER_SEC);
    assert_string_equal(s.account, "va1");
    assert_string_equal(s.symbol, "USDCHF");
    assert_int_equal(s.action, TL_SIGNAL_ENTER_LONG);
    assert_int_equal(s.qty, 100050000000LL);
    assert_int_equal(s.expected_price, 90125000);
    s = ok("{" BASE ",\"action\":\"ENTER_SHORT\",\"qty\":1000}");
    assert_int_equal(s.action, TL_SIGNAL_ENTER_SHORT);
    assert_int_equal(s.qty, TL_FIXED_INT(1000));
    assert_int_equal(s.expected_price, 0);
    s = ok("{" BASE ",\"action\":\"EXIT\"}");
    assert_int_equal(s.action, TL_SIGNAL_EXIT);
    assert_int_equal(s.qty, 0);
    s = ok("{" BASE ",\"action\":\"EXIT\",\"qty\":null,\"expected_price\":null}");
    assert_int_equal(s.qty, 0);
    s = ok("{" BASE ",\"action\":\"EXIT\",\"qty\":\"0.00000001\"}");
    assert_int_equal(s.qty, 1);
    /* Milliseconds, any key order, white space around. */
    s = ok("  {\"qty\":\"1\",\"action\":\"EXIT\",\"symbol\":\"X\",\"account\":\"a.b:c-d_e\","
           "\"ts\":\"2025-01-02T14:30:00.123Z\",\"id\":\"~!@#$%^&*()\"}  ");
    assert_int_equal(s.ts_ns, 1735828200123LL * TL_NS_PER_MS);
    assert_string_equal(s.id, "~!@#$%^&*()");
    assert_string_equal(tl_signal_action_name(TL_SIGNAL_EXIT), "EXIT");
    assert_string_equal(tl_signal_action_name(0), "?");
}

static void test_blank(void **state)
{
    (void)state;
    tl_signal s;
    assert_int_equal(tl_signal_parse("", 0, &s, NULL), 0);
    assert_int_equal(tl_signal_parse(" \t\r\n", 4, &s, NULL), 0);
}

static void test_limits(void **state)
{
    (void)state;
    char line[512], id[80];
    memset(id, 'a', 63);
    id[63] = '\0';
    snprintf(line, sizeof line,
             "{\"id\":\"%s\",\"ts\":\"2025-01-02T14:30:00Z\",\"account\":"
             "\"abcdefghijabcdefghijabcdefghijabcdefghijabcdefg\",\"symbol\":\"ABCDEFGHIJKLMNO\","
             "\"action\":\"ENTER_LONG\",\"qty\":\"92233720368.54775807\"}",
             id);
    tl_signal s = ok(line);
    assert_int_equal(strlen(s.id), 63);
    assert_int_equal(strlen(s.account), 47);
    assert_int_equal(s.qty, TL_FIXED_MAX);
    id[63] = 'a';
    id[64] = '\0';
    snprintf(line, sizeof line, "{\"id\":\"%s\"," REST ",\"action\":\"EXIT\"}", id);
    bad(line, TL_EINVAL, "id: 64 characters (want 1..63)");
    bad("{\"id\":\"\"," REST ",\"action\":\"EXIT\"}", TL_EINVAL, "id: 0 characters (want 1..63)");
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":\"92233720368.54775808\"}", TL_ERANGE,
        "qty: decimal '92233720368.54775808' out of range (max +/-92233720368.54775807)");
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":92233720369}", TL_ERANGE,
        "qty: 92233720369 out of range");
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":\"0.000000001\"}", TL_EPRECISION,
        "qty: decimal '0.000000001' has more than 8 decimals");
}

static void test_refusals(void **state)
{
    (void)state;
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":0.5}", TL_EINVAL,
        "qty: give decimals as a string (\"0.5\"), not a JSON number");
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":1e3}", TL_EINVAL,
        "qty: give decimals as a string (\"0.5\"), not a JSON number");
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":\"0\"}", TL_EINVAL,
        "qty: must be positive, got 0");
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":-3}", TL_EINVAL,
        "qty: must be positive, got -3");
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":true}", TL_EINVAL,
        "qty: want a decimal string or an integer, got a boolean");
    bad("{" BASE ",\"action\":\"ENTER_LONG\"}", TL_EINVAL,
        "qty: missing (required for ENTER_LONG)");
    bad("{" BASE ",\"action\":\"ENTER_SHORT\",\"qty\":null}", TL_EINVAL,
        "qty: missing (required for ENTER_SHORT)");
    bad("{" BASE ",\"action\":\"EXIT\",\"expected_price\":\"-1\"}", TL_EINVAL,
        "expected_price: must be positive, got -1");
    bad("{" BASE ",\"action\":\"EXIT\",\"expected_price\":1.5}", TL_EINVAL,
        "expected_price: give decimals as a string (\"0.5\"), not a JSON number");
    bad("{" BASE ",\"action\":\"exit\"}", TL_EINVAL,
        "action: 'exit' is not ENTER_LONG, ENTER_SHORT or EXIT");
    bad("{" BASE ",\"action\":\"EXIT\",\"qyt\":\"1\"}", TL_EINVAL,
        "unknown key 'qyt' (known: id, ts, account, symbol, action, qty, expected_price, "
        "limit_price)");
    bad("{" BASE ",\"action\":\"EXIT\",\"action\":\"EXIT\"}", TL_EINVAL,
        "JSON: duplicate object key near '\"action\"' (column 97)");
    bad("{" BASE ",\"action\":\"EXIT\"", TL_EINVAL,
        "JSON: '}' expected near end of file (column 88)");
    bad("{" BASE ",\"action\":\"EXIT\"} {}", TL_EINVAL,
        "JSON: end of file expected near '{' (column 91)");
    bad("[1]", TL_EINVAL, "want one JSON object per line, got an array");
    bad("\"x\"", TL_EINVAL, "JSON: '[' or '{' expected near '\"x\"' (column 3)");
    bad("{\"ts\":\"2025-01-02T14:30:00Z\"}", TL_EINVAL, "id: missing");
    bad("{\"id\":7}", TL_EINVAL, "id: want a string, got an integer");
    bad("{\"id\":\"a b\"}", TL_EINVAL,
        "id: character 0x20 at position 2 (want printable ASCII, no spaces)");
    bad("{\"id\":\"caf\\u00e9\"}", TL_EINVAL,
        "id: character 0xc3 at position 4 (want printable ASCII, no spaces)");
    bad("{\"id\":\"a\\u0000b\"}", TL_EINVAL,
        "JSON: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"a\\u0000b\"' (column 16)");
    bad("{\"id\":\"s\",\"ts\":\"2025-01-02T14:30:00\"}", TL_EINVAL,
        "ts: malformed time '2025-01-02T14:30:00' (want 2025-01-01T00:00:00Z)");
    bad("{\"id\":\"s\",\"ts\":\"2025-01-02T14:30:00Z\"}", TL_EINVAL, "account: missing");
    bad("{\"id\":\"s\",\"ts\":\"2025-01-02T14:30:00Z\",\"account\":\"va 1\"}", TL_EINVAL,
        "account: invalid character 0x20 at position 3 (allowed: [A-Za-z0-9._:-])");
    bad("{\"id\":\"s\",\"ts\":\"2025-01-02T14:30:00Z\",\"account\":\"\"}", TL_EINVAL,
        "account: empty (1 to 47 characters of [A-Za-z0-9._:-])");
    bad("{" BASE "}", TL_EINVAL, "action: missing");
    bad("{\"id\":\"s\",\"ts\":\"2025-01-02T14:30:00Z\",\"account\":\"v\",\"symbol\":\"usd\"}",
        TL_EINVAL, "symbol: 'usd' must be 1..15 of [A-Z0-9]");
    bad("{\"id\":\"s\",\"ts\":\"2025-01-02T14:30:00Z\",\"account\":\"v\",\"symbol\":"
        "\"ABCDEFGHIJKLMNOP\"}",
        TL_EINVAL, "symbol: 'ABCDEFGHIJKLMNOP' must be 1..15 of [A-Z0-9]");
    /* Control characters never reach a message. */
    bad("{" BASE ",\"action\":\"EX\\nIT\"}", TL_EINVAL,
        "action: 'EX?IT' is not ENTER_LONG, ENTER_SHORT or EXIT");
    bad("{" BASE ",\"action\":\"EXIT\",\"q\\ty\":1}", TL_EINVAL,
        "unknown key 'q?y' (known: id, ts, account, symbol, action, qty, expected_price, "
        "limit_price)");
}

/* limit_price: an entry's LIMIT price, with expected_price's decimal rules; never on an exit. */
static void test_limit_price(void **state)
{
    (void)state;
    tl_signal s = ok("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":\"2\","
                     "\"limit_price\":\"99.5\",\"expected_price\":\"100\"}");
    assert_int_equal(s.limit_price, 9950000000LL);
    assert_int_equal(s.expected_price, TL_FIXED_INT(100));
    s = ok("{" BASE ",\"action\":\"ENTER_SHORT\",\"qty\":\"2\",\"limit_price\":101}");
    assert_int_equal(s.limit_price, TL_FIXED_INT(101));
    s = ok("{" BASE ",\"action\":\"ENTER_SHORT\",\"qty\":\"2\",\"limit_price\":null}");
    assert_int_equal(s.limit_price, 0);
    s = ok("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":\"2\"}");
    assert_int_equal(s.limit_price, 0);
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":\"2\",\"limit_price\":\"0\"}", TL_EINVAL,
        "limit_price: must be positive, got 0");
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":\"2\",\"limit_price\":99.5}", TL_EINVAL,
        "limit_price: give decimals as a string (\"0.5\"), not a JSON number");
    bad("{" BASE ",\"action\":\"ENTER_LONG\",\"qty\":\"2\",\"limit_price\":\"1.123456789\"}",
        TL_EPRECISION, "limit_price: decimal '1.123456789' has more than 8 decimals");
    bad("{" BASE ",\"action\":\"EXIT\",\"limit_price\":\"99\"}", TL_EINVAL,
        "limit_price: only for ENTER_LONG and ENTER_SHORT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries_and_exits),
        cmocka_unit_test(test_blank),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_limit_price),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
