/* test_dash_view.c -- the dashboard's view: its JSON round trip (same view back, same bytes
 * again), every refusal of the decoder naming its field, and the duration format. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash/view_json.h"

#include "dash_sample.h"

static char *encode(const tl_dash_view *v)
{
    tl_jw w;
    tl_err err = {0};
    tl_jw_init(&w);
    assert_int_equal(tl_dash_view_encode(v, &w, &err), 0);
    assert_int_equal(tl_jw_finish(&w), 0);
    char *s = strdup(w.buf);
    tl_jw_free(&w);
    return s;
}

static tl_dash_view *empty_view(void);

static void test_round_trip(void **state)
{
    (void)state;
    tl_dash_view *v = dash_sample(), *back = calloc(1, sizeof *back);
    tl_err err = {0};
    char *text = encode(v);
    assert_int_equal(tl_dash_view_decode(text, strlen(text), back, &err), 0);
    assert_memory_equal(v, back, sizeof *v);
    char *again = encode(back);
    assert_string_equal(text, again);
    /* Money as exact decimal strings; keys sorted; the version is in the document. */
    assert_non_null(strstr(text, "\"balance\":\"100012.5\""));
    assert_non_null(strstr(text, "\"qty\":\"-1000\""));
    assert_non_null(strstr(text, "\"entry\":\"0.91234\""));
    assert_non_null(strstr(text, "\"realized_pnl\":\"-8.25\""));
    assert_non_null(strstr(text, "\"max_slippage_bps\":\"2.5\""));
    assert_true(strncmp(text, "{\"accounts\":[{\"balance\"", 23) == 0);
    assert_non_null(strstr(text, "\"version\":1}\n"));
    free(text);
    free(again);
    free(v);
    free(back);
}

/* An empty view (no rows, nothing engaged) also round-trips. */
static void test_round_trip_empty(void **state)
{
    (void)state;
    tl_dash_view *v = empty_view(), *back = calloc(1, sizeof *back);
    char *text = encode(v);
    tl_err err = {0};
    assert_int_equal(tl_dash_view_decode(text, strlen(text), back, &err), 0);
    assert_memory_equal(v, back, sizeof *v);
    free(text);
    free(v);
    free(back);
}

/* Replaces the first occurrence of `from` in the sample's JSON by `to`, decodes, and expects a
 * refusal whose message contains `want`; the output view must be untouched. */
static void expect_refused_in(tl_dash_view *v, const char *from, const char *to, const char *want)
{
    tl_dash_view *out = malloc(sizeof *out);
    char *text = encode(v);
    char *at = strstr(text, from);
    if (!at)
        fail_msg("'%s' not in the sample", from);
    size_t n = strlen(text) + strlen(to) + 1;
    char *bad = malloc(n);
    snprintf(bad, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    memset(out, 0xA5, sizeof *out);
    tl_err err = {0};
    int rc = tl_dash_view_decode(bad, strlen(bad), out, &err);
    if (rc == 0 || !strstr(err.msg, want))
        fail_msg("'%s' -> '%s': rc %d, message '%s', want '%s'", from, to, rc, err.msg, want);
    for (size_t i = 0; i < sizeof *out; i++)
        assert_int_equal(((unsigned char *)out)[i], 0xA5);
    free(bad);
    free(text);
    free(v);
    free(out);
}

static void expect_refused(const char *from, const char *to, const char *want)
{
    expect_refused_in(dash_sample(), from, to, want);
}

static tl_dash_view *empty_view(void)
{
    tl_dash_view *v = calloc(1, sizeof *v);
    assert_non_null(v);
    strcpy(v->filters.trading_window, "00:00-24:00");
    strcpy(v->filters.timezone, "UTC");
    return v;
}

static void test_refusals(void **state)
{
    (void)state;
    expect_refused("{\"accounts\"", "[", "status document: line 1");
    expect_refused("\"version\":1", "\"version\":2", "version: 2, this build reads 1");
    expect_refused("\"balance\":\"100012.5\",", "", "accounts[0].balance: missing");
    expect_refused("\"balance\":\"100012.5\"", "\"balance\":100012.5",
                   "accounts[0].balance: want a decimal string");
    expect_refused("\"balance\":\"100012.5\"", "\"balance\":\"1.000000001\"",
                   "accounts[0].balance:");
    expect_refused("\"balance\":\"100012.5\"", "\"balance\":\"1e5\"", "accounts[0].balance:");
    expect_refused("\"balance\":\"100012.5\"", "\"balance\":\"100012.5\",\"bonus\":1",
                   "accounts[0].bonus: unknown key");
    expect_refused("\"name\":\"va2\"", "\"name\":\"va 2\"", "accounts[1].name:");
    expect_refused("\"wins\":4", "\"wins\":5", "accounts[0].trades: wins + losses exceed trades");
    expect_refused("\"wins\":4", "\"wins\":-1", "accounts[0].wins: want a whole number >= 0");
    expect_refused("\"wins\":4", "\"wins\":4.0", "accounts[0].wins: want a whole number");
    expect_refused("\"max_drawdown_pct\":\"3.4\"", "\"max_drawdown_pct\":\"1\"",
                   "accounts[0].max_drawdown_pct: out of range");
    expect_refused("\"drawdown_pct\":\"1.25\"", "\"drawdown_pct\":\"100.01\"",
                   "accounts[0].drawdown_pct: out of range");
    expect_refused("\"in_cooldown\":true", "\"in_cooldown\":1",
                   "accounts[0].in_cooldown: want true or false");
    expect_refused("\"in_cooldown\":true", "\"in_cooldown\":false",
                   "accounts[0].cooldown_left_ns: negative, or set outside a cooldown");
    expect_refused("\"symbol\":\"USDCHF\"", "\"symbol\":\"usdchf\"", "positions[0].symbol:");
    expect_refused("\"qty\":\"-1000\"", "\"qty\":\"0\"", "positions[0].qty: zero");
    expect_refused("\"entry\":\"0.91234\"", "\"entry\":\"-1\"", "positions[0].entry:");
    expect_refused("\"reason\":\"COOLDOWN\"", "\"reason\":\"cool down\"",
                   "refusals[0].reason: want 1-31 of [A-Z0-9_]");
    expect_refused("entries refused", "entries\\u001b[2Jrefused",
                   "refusals[0].text: control character 0x1b");
    expect_refused("entries refused", "entries\\u0000refused", "status document:");
    expect_refused("\"reason\":\"desk closed\"", "\"reason\":7",
                   "kill_switch.reason: want a string");
    expect_refused("\"trading_window\":\"09:30-16:00\"", "\"trading_window\":\"9:30-16:00\"",
                   "filters.trading_window: want HH:MM-HH:MM");
    expect_refused("\"trading_window\":\"09:30-16:00\"", "\"trading_window\":\"09:30-24:01\"",
                   "filters.trading_window: want HH:MM-HH:MM");
    expect_refused("\"timezone\":\"America/New_York\"", "\"timezone\":\"\"",
                   "filters.timezone: empty");
    expect_refused("\"mode\":\"live\"", "\"mode\":\"paper\"", "mode: want replay or live");
    expect_refused("\"accounts_total\":2", "\"accounts_total\":1",
                   "accounts: more than 256 rows, or more than accounts_total");
    expect_refused("\"received\":12", "\"received\":11",
                   "signals: accepted + refused exceed received");
    expect_refused("\"db\":\"sqlite:desk.db\"", "\"db\":\"sqlite:desk.db\",\"db\":\"x\"",
                   "status document:"); /* a duplicate key */
    expect_refused("\"now_ns\":", "\"now_ns\":99999999999999999999,\"x\":", "status document:");
    expect_refused_in(empty_view(), "\"refusals\":[]", "\"refusals\":{}",
                      "refusals: want an array");
    expect_refused_in(empty_view(), "\"signals\":{\"accepted\":0,", "\"signals\":{",
                      "signals.accepted: missing");
}

/* Arrays are capped at the view's sizes before a row is read. */
static void test_caps(void **state)
{
    (void)state;
    size_t cap, n;
    char *doc;
    tl_dash_view *v = calloc(1, sizeof *v);
    tl_err err = {0};
    /* The sample with its first refusal repeated 21 times. */
    tl_dash_view *s = dash_sample();
    char *text = encode(s);
    const char *at = strstr(text, "\"refusals\":[") + strlen("\"refusals\":[");
    const char *end = strstr(at, "]");
    size_t one = (size_t)(strchr(at, '}') - at) + 1; /* the first refusal object */
    cap = strlen(text) + (one + 1) * (TL_DASH_MAX_REFUSALS + 1) + 1;
    doc = malloc(cap);
    n = (size_t)snprintf(doc, cap, "%.*s", (int)(at - text), text);
    for (int i = 0; i <= TL_DASH_MAX_REFUSALS; i++)
        n += (size_t)snprintf(doc + n, cap - n, "%s%.*s", i ? "," : "", (int)one, at);
    snprintf(doc + n, cap - n, "%s", end);
    assert_int_equal(tl_dash_view_decode(doc, strlen(doc), v, &err), TL_EINVAL);
    assert_string_equal(err.msg, "refusals: 21 items, at most 20");
    assert_int_equal(tl_dash_view_decode(doc, TL_DASH_DOC_MAX + 1, v, &err), TL_ERANGE);
    free(doc);
    free(text);
    free(s);
    free(v);
}

/* The encoder refuses an invalid view and writes nothing. */
static void test_encode_refuses(void **state)
{
    (void)state;
    tl_dash_view *v = dash_sample();
    strcpy(v->recon.result, "bad\nline");
    tl_jw w;
    tl_err err = {0};
    tl_jw_init(&w);
    assert_int_equal(tl_dash_view_encode(v, &w, &err), TL_EINVAL);
    assert_string_equal(err.msg, "reconciliation.result: control character 0x0a at byte 3");
    assert_int_equal(w.len, 0);
    v->recon.result[0] = '\0';
    v->n_refusals = TL_DASH_MAX_REFUSALS + 1;
    assert_int_equal(tl_dash_view_encode(v, &w, &err), TL_EINVAL);
    v->n_refusals = 0;
    v->accounts[0].trades = (uint64_t)INT64_MAX + 1;
    assert_int_equal(tl_dash_view_encode(v, &w, &err), TL_EINVAL);
    assert_string_equal(err.msg, "accounts[0].trades: above 9223372036854775807");
    tl_jw_free(&w);
    free(v);
}

static void test_duration(void **state)
{
    (void)state;
    char b[16];
    struct {
        int64_t ns;
        const char *want;
    } cases[] = {
        {-5, "0s"},
        {0, "0s"},
        {1, "1s"},
        {SEC, "1s"},
        {SEC + 1, "2s"},
        {59 * SEC, "59s"},
        {60 * SEC, "1m00s"},
        {130 * SEC, "2m10s"},
        {3599 * SEC, "59m59s"},
        {3600 * SEC, "1h00m"},
        {3900 * SEC, "1h05m"},
        {86400 * SEC, "1d00h"},
        {INT64_MAX, "106751d23h"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(tl_dash_format_duration(cases[i].ns, b, sizeof b),
                         (int)strlen(cases[i].want));
        assert_string_equal(b, cases[i].want);
    }
    assert_int_equal(tl_dash_format_duration(130 * SEC, b, 5), TL_ERANGE);
    assert_string_equal(b, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_round_trip_empty),
        cmocka_unit_test(test_refusals),       cmocka_unit_test(test_caps),
        cmocka_unit_test(test_encode_refuses), cmocka_unit_test(test_duration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
