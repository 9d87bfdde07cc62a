/* test_bapi_keys.c -- the exchange's --keys file: the shipped example, each field's rules, unique
 * accounts and API keys, messages that name the file, entry and field and never the secret. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binapi/keys.h"

#define SECRET "S3cr3tS3cr3tS3cr3t"
#define ENTRY(acct, key, bal)                                                                      \
    "{\"account\":\"" acct "\",\"api_key\":\"" key "\",\"secret\":\"" SECRET                       \
    "\",\"balances\":" bal "}"

static void parse_ok(tl_bapi_keys *k, const char *json)
{
    tl_err err;
    if (tl_bapi_keys_parse(k, json, strlen(json), &err) != 0)
        fail_msg("%s: %s", json, err.msg);
}

/* Refused with code and exactly want; k (one entry) untouched; the secret never shown. */
static void bad(const char *json, int code, const char *want)
{
    tl_bapi_keys k;
    tl_bapi_keys_init(&k);
    parse_ok(&k, "[" ENTRY("keep", "K1", "{}") "]");
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_bapi_keys_parse(&k, json, strlen(json), &err);
    if (rc != code || strcmp(err.msg, want) != 0)
        fail_msg("%s: rc %d '%s', want %d '%s'", json, rc, err.msg, code, want);
    assert_null(strstr(err.msg, "S3cr3t"));
    assert_int_equal(k.count, 1);
    assert_string_equal(k.keys[0].account, "keep");
    tl_bapi_keys_close(&k);
}

static void test_example_file(void **state)
{
    (void)state;
    tl_bapi_keys k;
    tl_err err;
    tl_bapi_keys_init(&k);
    if (tl_bapi_keys_read(&k, TL_SOURCE_DIR "/data/exchange_keys.json", &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(k.count, 2);
    assert_string_equal(k.keys[0].account, "maker");
    assert_string_equal(k.keys[1].account, "alice");
    assert_int_equal(strlen(k.keys[1].api_key), 64);
    assert_int_equal(strlen(k.keys[1].secret), 64);
    const tl_bapi_key *a = tl_bapi_keys_find(&k, k.keys[1].api_key);
    assert_ptr_equal(a, &k.keys[1]);
    assert_int_equal(a->n_balances, 3);
    const tl_bapi_balance *b = &k.balances[a->first_balance];
    assert_string_equal(b[0].asset, "USDT");
    assert_int_equal(b[0].amount, TL_FIXED_INT(100000));
    assert_string_equal(b[1].asset, "BTC");
    assert_int_equal(b[1].amount, 150000000);
    assert_null(tl_bapi_keys_find(&k, "nope"));
    tl_bapi_keys_close(&k);
}

static void test_parse(void **state)
{
    (void)state;
    tl_bapi_keys k;
    tl_bapi_keys_init(&k);
    parse_ok(&k, "[" ENTRY("a", "KeyA", "{\"USDT\":\"0\",\"BTC\":\"0.00000001\"}") "," ENTRY(
                     "b.1:x-y", "kEYb0123456789012345678901234567890123456789012345678901234567",
                     "{}") "]");
    assert_int_equal(k.count, 2);
    assert_int_equal(k.n_balances, 2);
    assert_int_equal(k.balances[0].amount, 0);
    assert_int_equal(k.balances[1].amount, 1);
    assert_int_equal(k.keys[1].n_balances, 0);
    assert_string_equal(k.keys[0].secret, SECRET);
    /* A second parse replaces the first. */
    parse_ok(&k, "[" ENTRY("z", "Z", "{\"ETH\":\"2\"}") "]");
    assert_int_equal(k.count, 1);
    assert_int_equal(k.n_balances, 1);
    assert_int_equal(k.keys[0].first_balance, 0);
    tl_bapi_keys_close(&k);
}

static void test_refusals(void **state)
{
    (void)state;
    bad("[]", TL_EINVAL, "no account in the file (want 1..10000)");
    bad("{}", TL_EINVAL, "want a JSON array of accounts, got an object");
    bad("[1]", TL_EINVAL, "entry 1: want an object, got an integer");
    bad("[{\"api_key\":\"K\"}]", TL_EINVAL, "entry 1: account: missing");
    bad("[{\"account\":\"a b\"}]", TL_EINVAL,
        "entry 1: account: invalid character 0x20 at position 2 (allowed: [A-Za-z0-9._:-])");
    bad("[" ENTRY("a", "K", "{}") ",{\"account\":\"b\",\"secret\":\"" SECRET "\"}]", TL_EINVAL,
        "entry 2 (b): api_key: missing");
    bad("[{\"account\":\"b\",\"api_key\":\"K-1\",\"secret\":\"x\",\"balances\":{}}]", TL_EINVAL,
        "entry 1 (b): api_key: want 1..64 letters and digits");
    bad("[{\"account\":\"b\",\"api_key\":\"K\",\"balances\":{}}]", TL_EINVAL,
        "entry 1 (b): secret: missing");
    bad("[{\"account\":\"b\",\"api_key\":\"K\",\"secret\":7,\"balances\":{}}]", TL_EINVAL,
        "entry 1 (b): secret: want a string, got an integer");
    bad("[{\"account\":\"b\",\"api_key\":\"K\",\"secret\":\"S3cr3t S3cr3t\",\"balances\":{}}]",
        TL_EINVAL, "entry 1 (b): secret: the character at position 7 is not printable ASCII");
    bad("[{\"account\":\"b\",\"api_key\":\"K\",\"secret\":\"\",\"balances\":{}}]", TL_EINVAL,
        "entry 1 (b): secret: 0 characters (want 1..128)");
    bad("[{\"account\":\"b\",\"api_key\":\"K\",\"secret\":\"" SECRET "\"}]", TL_EINVAL,
        "entry 1 (b): balances: missing");
    bad("[" ENTRY("b", "K", "[]") "]", TL_EINVAL,
        "entry 1 (b): balances: want an object, got an array");
    bad("[" ENTRY("b", "K", "{\"usdt\":\"1\"}") "]", TL_EINVAL,
        "entry 1 (b): balances: asset 'usdt' is not [A-Z0-9]{1,20}");
    bad("[" ENTRY("b", "K", "{\"USDT\":1}") "]", TL_EINVAL,
        "entry 1 (b): balances: USDT: want a decimal string (\"1.5\"), got an integer");
    bad("[" ENTRY("b", "K", "{\"USDT\":\"-1\"}") "]", TL_EINVAL,
        "entry 1 (b): balances: USDT: -1 is negative (want >= 0)");
    bad("[" ENTRY("b", "K", "{\"USDT\":\"0.000000001\"}") "]", TL_EINVAL,
        "entry 1 (b): balances: USDT: '0.000000001' is not a decimal with at most 8 decimals");
    bad("[" ENTRY("b", "K", "{\"USDT\":\"1e3\"}") "]", TL_EINVAL,
        "entry 1 (b): balances: USDT: '1e3' is not a decimal with at most 8 decimals");
    bad("[{\"account\":\"b\",\"api_key\":\"K\",\"secret\":\"" SECRET
        "\",\"balances\":{},\"secert\":1}]",
        TL_EINVAL, "entry 1 (b): unknown field 'secert' (want account, api_key, secret, balances)");
    bad("[" ENTRY("a", "K1", "{}") "," ENTRY("b", "K2", "{}") "," ENTRY("a", "K3", "{}") "]",
        TL_EDUPLICATE, "entry 3 (a): account: already used by entry 1");
    bad("[" ENTRY("a", "K1", "{}") "," ENTRY("b", "K1", "{}") "]", TL_EDUPLICATE,
        "entry 2 (b): api_key: already used by entry 1 (a)");
    /* A syntax error next to a secret does not quote it. */
    bad("[{\"account\":\"b\",\"secret\" \"S3cr3tS3cr3t\"}]", TL_EINVAL,
        "JSON: ':' expected (line 1, column 39)");
}

static void test_read_names_the_file(void **state)
{
    (void)state;
    char path[] = "/tmp/test_bapi_keys_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *json = "[" ENTRY("a", "K1", "{\"BTC\":\"x\"}") "]";
    assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    tl_bapi_keys k;
    tl_err err;
    tl_bapi_keys_init(&k);
    assert_int_equal(tl_bapi_keys_read(&k, path, &err), TL_EINVAL);
    char want[256];
    snprintf(want, sizeof want,
             "%s: entry 1 (a): balances: BTC: 'x' is not a decimal with at most 8 decimals", path);
    assert_string_equal(err.msg, want);
    unlink(path);
    assert_int_equal(tl_bapi_keys_read(&k, path, &err), TL_EIO);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(k.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_read_names_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
