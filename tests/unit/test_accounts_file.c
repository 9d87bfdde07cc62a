/* test_accounts_file.c -- the --accounts file: names, balances, overrides as text, the limits
 * (10,000 accounts, 16 MiB), duplicate names, and each refusal's text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "loop/accounts_file.h"

static void parse_ok(tl_accounts_file *f, const char *json)
{
    tl_err err;
    if (tl_accounts_file_parse(f, json, strlen(json), &err) != 0)
        fail_msg("%s: %s", json, err.msg);
}

/* Refused with code and exactly want; f (holding one account) untouched. */
static void bad(const char *json, int code, const char *want)
{
    tl_accounts_file f;
    tl_accounts_file_init(&f);
    parse_ok(&f, "[{\"name\":\"keep\",\"starting_balance\":\"1\"}]");
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_accounts_file_parse(&f, json, strlen(json), &err);
    if (rc != code || strcmp(err.msg, want) != 0)
        fail_msg("%s: rc %d '%s', want %d '%s'", json, rc, err.msg, code, want);
    assert_int_equal(f.count, 1);
    assert_string_equal(f.accounts[0].name, "keep");
    tl_accounts_file_close(&f);
}

static void test_parse(void **state)
{
    (void)state;
    tl_accounts_file f;
    tl_accounts_file_init(&f);
    parse_ok(&f, "[{\"name\": \"va1\", \"starting_balance\": \"100000\"},\n"
                 " {\"name\": \"va2\", \"starting_balance\": 50000, \"max_spread_bps\": \"5\",\n"
                 "  \"cooldown\": \"10m\", \"max_open_positions\": -3, \"x9_\": \"a b\"}]");
    assert_int_equal(f.count, 2);
    assert_string_equal(f.accounts[0].name, "va1");
    assert_int_equal(f.accounts[0].starting_balance, TL_FIXED_INT(100000));
    assert_int_equal(f.accounts[0].n_overrides, 0);
    const tl_account_spec *b = &f.accounts[1];
    assert_int_equal(b->starting_balance, TL_FIXED_INT(50000));
    assert_int_equal(b->n_overrides, 4);
    assert_int_equal(f.n_overrides, 4);
    /* File order. */
    assert_string_equal(f.overrides[b->first_override].key, "max_spread_bps");
    assert_string_equal(f.overrides[b->first_override].value, "5");
    assert_string_equal(f.overrides[b->first_override + 1].key, "cooldown");
    assert_string_equal(tl_accounts_file_find(&f, b, "max_open_positions")->value, "-3");
    assert_string_equal(tl_accounts_file_find(&f, b, "x9_")->value, "a b");
    assert_null(tl_accounts_file_find(&f, b, "name"));
    assert_null(tl_accounts_file_find(&f, &f.accounts[0], "cooldown"));
    /* A second parse replaces the first. */
    parse_ok(&f, "[{\"name\":\"z\",\"starting_balance\":\"0.00000001\"}]");
    assert_int_equal(f.count, 1);
    assert_int_equal(f.n_overrides, 0);
    assert_int_equal(f.accounts[0].starting_balance, 1);
    tl_accounts_file_close(&f);
}

static void test_refusals(void **state)
{
    (void)state;
    bad("", TL_EINVAL, "JSON: '[' or '{' expected near end of file (line 1, column 0)");
    bad("[{\"name\":\"a\",\n\"name\":\"b\"}]", TL_EINVAL,
        "JSON: duplicate object key near '\"name\"' (line 2, column 6)");
    bad("{}", TL_EINVAL, "want a JSON array of accounts, got an object");
    bad("[]", TL_EINVAL, "no account in the file (want 1..10000)");
    bad("[7]", TL_EINVAL, "account 1: want an object, got an integer");
    bad("[{\"starting_balance\":\"1\"}]", TL_EINVAL, "account 1: name: missing");
    bad("[{\"name\":1}]", TL_EINVAL, "account 1: name: want a string, got an integer");
    bad("[{\"name\":\"va 1\"}]", TL_EINVAL,
        "account 1: name: invalid character 0x20 at position 3 (allowed: [A-Za-z0-9._:-])");
    bad("[{\"name\":\"abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh\"}]", TL_EINVAL,
        "account 1: name: longer than 47 characters");
    bad("[{\"name\":\"va1\"}]", TL_EINVAL, "account 1 (va1): starting_balance: missing");
    bad("[{\"name\":\"va1\",\"starting_balance\":\"0\"}]", TL_EINVAL,
        "account 1 (va1): starting_balance: must be positive, got 0");
    bad("[{\"name\":\"va1\",\"starting_balance\":100.5}]", TL_EINVAL,
        "account 1 (va1): starting_balance: give decimals as a string (\"0.5\"), not a JSON "
        "number");
    bad("[{\"name\":\"va1\",\"starting_balance\":\"1e5\"}]", TL_EINVAL,
        "account 1 (va1): starting_balance: malformed decimal '1e5' (want [+-]digits[.digits])");
    bad("[{\"name\":\"va1\",\"starting_balance\":\"1\",\"Max_Spread\":\"5\"}]", TL_EINVAL,
        "account 1 (va1): key 'Max_Spread' is not a flag name in snake case "
        "([a-z][a-z0-9_]{0,62})");
    bad("[{\"name\":\"va1\",\"starting_balance\":\"1\",\"max-spread\":\"5\"}]", TL_EINVAL,
        "account 1 (va1): key 'max-spread' is not a flag name in snake case "
        "([a-z][a-z0-9_]{0,62})");
    bad("[{\"name\":\"va1\",\"starting_balance\":\"1\",\"max_spread_bps\":5.5}]", TL_EINVAL,
        "account 1 (va1): max_spread_bps: give decimals as a string (\"0.5\"), not a JSON number");
    bad("[{\"name\":\"va1\",\"starting_balance\":\"1\",\"dashboard\":true}]", TL_EINVAL,
        "account 1 (va1): dashboard: want a string or an integer, got a boolean");
    bad("[{\"name\":\"va1\",\"starting_balance\":\"1\",\"timezone\":\"\"}]", TL_EINVAL,
        "account 1 (va1): timezone: 0 characters (want 1..127)");
    bad("[{\"name\":\"va1\",\"starting_balance\":\"1\",\"timezone\":\"a\\tb\"}]", TL_EINVAL,
        "account 1 (va1): timezone: character 0x09 at position 2 is not printable ASCII");
    bad("[{\"name\":\"a\",\"starting_balance\":1},{\"name\":\"b\",\"starting_balance\":1},"
        "{\"name\":\"b\",\"starting_balance\":1},{\"name\":\"a\",\"starting_balance\":1},"
        "{\"name\":\"b\",\"starting_balance\":1}]",
        TL_EDUPLICATE, "account 3: name 'b' already used by account 2");
    /* A key's text in a message is made printable and cut. */
    bad("[{\"name\":\"va1\",\"starting_balance\":\"1\","
        "\"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ\":1}]",
        TL_EINVAL,
        "account 1 (va1): key 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQR...' is not a flag name "
        "in snake case ([a-z][a-z0-9_]{0,62})");
    bad("[{\"name\":\"va1\",\"starting_balance\":\"1\",\"a\\nb\":\"5\"}]", TL_EINVAL,
        "account 1 (va1): key 'a?b' is not a flag name in snake case ([a-z][a-z0-9_]{0,62})");
}

static void test_limits(void **state)
{
    (void)state;
    /* 10,000 accounts are fine, 10,001 are not. */
    size_t cap = 64 * 10002;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = 0;
    buf[n++] = '[';
    for (int i = 0; i < 10001; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s{\"name\":\"va%d\",\"starting_balance\":1}",
                              i ? "," : "", i);
    buf[n++] = ']';
    tl_accounts_file f;
    tl_accounts_file_init(&f);
    tl_err err;
    assert_int_equal(tl_accounts_file_parse(&f, buf, n, &err), TL_EFULL);
    assert_string_equal(err.msg, "10001 accounts, more than 10000");
    /* Drop the last one. */
    char *last = strrchr(buf, '{');
    last[-1] = ']';
    assert_int_equal(tl_accounts_file_parse(&f, buf, (size_t)(last - buf), &err), 0);
    assert_int_equal(f.count, 10000);
    assert_string_equal(f.accounts[9999].name, "va9999");
    tl_accounts_file_close(&f);
    free(buf);

    /* 16 MiB exactly is read (white space), one byte more is refused before parsing. */
    size_t big = TL_ACCOUNTS_FILE_MAX + 1;
    buf = malloc(big);
    assert_non_null(buf);
    memset(buf, ' ', big);
    const char *one = "[{\"name\":\"a\",\"starting_balance\":1}]";
    memcpy(buf, one, strlen(one));
    assert_int_equal(tl_accounts_file_parse(&f, buf, big - 1, &err), 0);
    assert_int_equal(tl_accounts_file_parse(&f, buf, big, &err), TL_EFULL);
    assert_string_equal(err.msg,
                        "16777217 bytes, more than the 16777216 an accounts file may have");

    /* The same through a file. */
    char path[] = "/tmp/tl_accounts_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, big), (ssize_t)big);
    close(fd);
    assert_int_equal(tl_accounts_file_read(&f, path, &err), TL_EFULL);
    char want[256];
    snprintf(want, sizeof want, "%s: more than the 16777216 bytes an accounts file may have", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(truncate(path, (off_t)big - 1), 0);
    assert_int_equal(tl_accounts_file_read(&f, path, &err), 0);
    assert_int_equal(f.count, 1);
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "[{}]", 4), 4);
    close(fd);
    assert_int_equal(tl_accounts_file_read(&f, path, &err), TL_EINVAL);
    snprintf(want, sizeof want, "%s: account 1: name: missing", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(f.count, 1); /* untouched */
    unlink(path);
    assert_int_equal(tl_accounts_file_read(&f, path, &err), TL_EIO);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(tl_accounts_file_read(&f, "/tmp", &err), TL_EIO);
    assert_string_equal(err.msg, "/tmp: Is a directory");
    tl_accounts_file_close(&f);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
