/*
 * test_lps_file.c -- the --lps file: both forms of entry into URLs the dispatcher opens, the
 * refusals (each naming the entry and the field), the limits, and reading from a path.
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

#include "lp/lp.h"
#include "lp/lps_file.h"
#include "tradeloop/order.h"

static int parse(tl_lps_file *f, const char *json, tl_err *err)
{
    return tl_lps_file_parse(f, json, strlen(json), err);
}

static void test_settings_and_urls(void **state)
{
    (void)state;
    tl_lps_file f;
    tl_err err = {0};
    tl_lps_file_init(&f);
    const char *json =
        "[{\"spread_bps\": \"4\", \"name\": \"LP-1\", \"base\": {\"BTCUSDT\": \"100000\", "
        "\"ETHUSDT\": 3500}, \"amp\": {\"ETHUSDT\": \"20\"}, \"phase\": \"0.25\", \"seed\": 9,"
        " \"delay_min_ms\": 100, \"delay_max_ms\": 100, \"validity_s\": \"2.5\","
        " \"refuse_rate\": \"0\", \"exec_refuse_rate\": \"0.5\", \"period_s\": 30},\n"
        " {\"url\": \"lpsim://?name=LP-2&spread_bps=12\"},\n"
        " {\"url\": \"bank://rfq.example/api\"},\n"
        " {\"name\": \"LP-3\"}]";
    int rc = parse(&f, json, &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(f.count, 4);
    assert_string_equal(f.lps[0].name, "LP-1");
    /* Written in one fixed order, whatever the file's. */
    assert_string_equal(f.lps[0].url,
                        "lpsim://?name=LP-1&base=BTCUSDT:100000,ETHUSDT:3500&amp=ETHUSDT:20"
                        "&period_s=30&phase=0.25&spread_bps=4&delay_min_ms=100&delay_max_ms=100"
                        "&validity_s=2.5&seed=9&refuse_rate=0&exec_refuse_rate=0.5");
    assert_string_equal(f.lps[1].name, "LP-2");
    assert_string_equal(f.lps[1].url, "lpsim://?name=LP-2&spread_bps=12");
    assert_string_equal(f.lps[2].name, ""); /* known once opened */
    assert_string_equal(f.lps[3].url, "lpsim://?name=LP-3");

    /* The URLs open, and the settings hold (ETHUSDT around 3500, period 30 s, delay 100 ms). */
    tl_clock clock;
    tl_clock_init_sim(&clock, 1735689600LL * TL_NS_PER_SEC + 7500 * TL_NS_PER_MS);
    tl_lp lp;
    assert_int_equal(tl_lp_open(&lp, f.lps[0].url, &clock, NULL, &err), 0);
    tl_lp_request r;
    memset(&r, 0, sizeof r);
    r.request_id = 1;
    strcpy(r.symbol, "ETHUSDT");
    r.side = TL_SIDE_BUY;
    r.amount = TL_FIXED_INT(1);
    tl_lp_quote q;
    assert_int_equal(tl_lp_request_quote(&lp, &r, &q, &err), 0);
    /* A quarter of the period plus the phase's quarter: sin(pi) = 0, mid 3500. */
    assert_int_equal(q.bid + q.ask, TL_FIXED_INT(7000));
    assert_int_equal(q.respond_ns - tl_clock_now(&clock), 100 * TL_NS_PER_MS);
    tl_lp_close(&lp);

    /* A failed parse leaves the earlier content. */
    assert_int_equal(parse(&f, "[]", &err), TL_EINVAL);
    assert_int_equal(f.count, 4);
    tl_lps_file_close(&f);
}

static void test_refusals(void **state)
{
    (void)state;
    struct {
        const char *json, *msg;
        int rc;
    } bad[] = {
        {"{}", "want a JSON array of LPs, got an object", TL_EINVAL},
        {"[]", "no LP in the file (want 1..1000)", TL_EINVAL},
        {"[1]", "lp 1: want an object, got an integer", TL_EINVAL},
        {"[{}]", "lp 1: name: missing (or give a \"url\")", TL_EINVAL},
        {"[{\"name\": 5}]", "lp 1: name: want a string, got an integer", TL_EINVAL},
        {"[{\"name\": \"A\"}, {\"name\": \"B\", \"colour\": \"red\"}]",
         "lp 2 (B): unknown key 'colour'", TL_EINVAL},
        {"[{\"name\": \"A\", \"spread_bps\": 1.5}]",
         "lp 1 (A): spread_bps: give decimals as a string (\"0.5\"), not a JSON number", TL_EINVAL},
        {"[{\"name\": \"A\", \"spread_bps\": \"x\"}]",
         "lp 1 (A): spread_bps=x: want basis points in [0, 5000]", TL_EINVAL},
        {"[{\"name\": \"A\", \"seed\": \"1&refuse_rate=1\"}]",
         "lp 1 (A): seed: '1&refuse_rate=1' has a character outside [A-Za-z0-9._-]", TL_EINVAL},
        {"[{\"name\": \"A\", \"seed\": [1]}]",
         "lp 1 (A): seed: want a string or an integer, got an array", TL_EINVAL},
        {"[{\"name\": \"A\", \"base\": {}}]",
         "lp 1 (A): base: an empty object (want symbol: value)", TL_EINVAL},
        {"[{\"name\": \"A\", \"base\": {\"btc\": \"1\"}}]",
         "lp 1 (A): base: key 'btc' is not a symbol (1..15 of [A-Z0-9])", TL_EINVAL},
        {"[{\"name\": \"A\", \"base\": {\"BTCUSDT\": \"1:2\"}}]",
         "lp 1 (A): base.BTCUSDT: '1:2' has a character outside [A-Za-z0-9._-]", TL_EINVAL},
        {"[{\"name\": \"A\", \"base\": {\"BTCUSDT\": \"0\"}}]",
         "lp 1 (A): base=BTCUSDT:0: want a decimal > 0, or SYMBOL:decimal,...", TL_EINVAL},
        {"[{\"name\": \"A\", \"amp\": \"100000\"}]",
         "lp 1 (A): amp of every symbol must be less than its base", TL_EINVAL},
        {"[{\"name\": \"A B\"}]", "lp 1 (A B): name: 'A B' has a character outside [A-Za-z0-9._-]",
         TL_EINVAL},
        {"[{\"name\": \"ABCDEFGHIJKLMNOPQRSTUVWXYZ\"}]",
         "lp 1: name=ABCDEFGHIJKLMNOPQRSTUVWXYZ: want 1..23 of [A-Za-z0-9._-]", TL_EINVAL},
        {"[{\"url\": \"lpsim://\", \"name\": \"A\"}]",
         "lp 1: url: give a URL alone, or settings without one", TL_EINVAL},
        {"[{\"url\": 3}]", "lp 1: url: want a string, got an integer", TL_EINVAL},
        {"[{\"url\": \"LP-1\"}]", "lp 1: url: want scheme://... of 1..4095 bytes", TL_EINVAL},
        {"[{\"url\": \"lpsim://?a b\"}]",
         "lp 1: url: character 0x20 at position 11 is not allowed in a URL", TL_EINVAL},
        {"[{\"url\": \"lpsim://?phase=2\"}]",
         "lp 1: phase=2: want a fraction of a period in [0, 1)", TL_EINVAL},
        {"[{\"name\": \"LP-1\"}, {\"name\": \"LP-2\"}, {\"url\": \"lpsim://?name=LP-1\"}]",
         "lp 3: name 'LP-1' already used by lp 1", TL_EDUPLICATE},
        {"[{\"url\": \"lpsim://\"}, {\"url\": \"lpsim://\"}]",
         "lp 2: name 'lpsim' already used by lp 1", TL_EDUPLICATE},
        {"[{\"name\": \"A\", \"name\": \"B\"}]", NULL, TL_EINVAL}, /* jansson: duplicate key */
        {"[{\"name\": \"A\"", NULL, TL_EINVAL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tl_lps_file f;
        tl_err err = {0};
        tl_lps_file_init(&f);
        int rc = parse(&f, bad[i].json, &err);
        if (rc != bad[i].rc || (bad[i].msg != NULL && strcmp(err.msg, bad[i].msg) != 0))
            fail_msg("%s: got %d '%s'", bad[i].json, rc, err.msg);
        assert_int_equal(f.count, 0);
        assert_null(f.lps);
    }
}

static void test_limits(void **state)
{
    (void)state;
    /* 1,000 LPs are fine, 1,001 are not. */
    size_t cap = 1001 * 40 + 16, n = 0;
    char *json = malloc(cap);
    tl_lps_file f;
    tl_err err = {0};
    tl_lps_file_init(&f);
    for (int count = 1000; count <= 1001; count++) {
        n = 0;
        json[n++] = '[';
        for (int i = 0; i < count; i++)
            n +=
                (size_t)snprintf(json + n, cap - n, "%s{\"name\": \"LP-%d\"}", i ? "," : "", i + 1);
        json[n++] = ']';
        json[n] = '\0';
        int rc = parse(&f, json, &err);
        if (count == 1000) {
            assert_int_equal(rc, 0);
            assert_int_equal(f.count, 1000);
            assert_string_equal(f.lps[999].name, "LP-1000");
        } else {
            assert_int_equal(rc, TL_EFULL);
            assert_string_equal(err.msg, "1001 LPs, more than 1000");
        }
    }
    free(json);
    assert_int_equal(tl_lps_file_parse(&f, "[", TL_LPS_FILE_MAX + 1, &err), TL_EFULL);
    /* 33 symbols: the simulator keeps 32. */
    char big[4096];
    n = (size_t)snprintf(big, sizeof big, "[{\"name\": \"A\", \"base\": {");
    for (int i = 0; i < 33; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"S%dUSDT\": \"1\"", i ? "," : "", i);
    snprintf(big + n, sizeof big - n, "}}]");
    assert_int_equal(parse(&f, big, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "more than 32 symbols"));
    assert_int_equal(f.count, 1000);
    tl_lps_file_close(&f);
}

static void test_read(void **state)
{
    (void)state;
    char path[] = "/tmp/test_lps_file_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *json = "[{\"name\": \"LP-1\"}, {\"name\": \"LP-2\", \"spread_bps\": \"-1\"}]";
    assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    tl_lps_file f;
    tl_err err = {0};
    char want[256];
    tl_lps_file_init(&f);
    assert_int_equal(tl_lps_file_read(&f, path, &err), TL_EINVAL);
    snprintf(want, sizeof want, "%s: lp 2 (LP-2): spread_bps=-1: want basis points in [0, 5000]",
             path);
    assert_string_equal(err.msg, want);
    unlink(path);
    assert_int_equal(tl_lps_file_read(&f, path, &err), TL_EIO);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    assert_string_equal(err.msg, want);
    tl_lps_file_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_and_urls),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
