/* test_bapi_sign.c -- SIGNED request security of the Binance API layer: the documentation's own
 * HMAC examples reproduced exactly, verification of what a client sends (signature anywhere, any
 * letter case, tampering refused), and the timing rule at each edge. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "binapi/sign.h"

/* Source: binance/binance-spot-api-docs, rest-api.md, "SIGNED Endpoint Examples for POST
 * /api/v3/order", HMAC Keys (the example keys are the documentation's, for illustration). */
#define DOC_API_KEY "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
#define DOC_SECRET  "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
#define DOC_PAYLOAD                                                                                \
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&"      \
    "timestamp=1499827319559"
#define DOC_SIG "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
/* The same page's non-ASCII symbol (１２３４５６), percent-encoded before signing. */
#define DOC_PAYLOAD_UTF8                                                                           \
    "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&"           \
    "timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
#define DOC_SIG_UTF8 "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
/* "Example 3: Mixed query string and request body" of the same section before its rewrite of
 * 2025-12-17 (commit f83a5bfd): no '&' between the query string and the body. */
#define DOC_MIXED_QUERY "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
#define DOC_MIXED_BODY  "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
#define DOC_SIG_MIXED   "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"

static const size_t SLEN = sizeof DOC_SECRET - 1;

static void test_doc_examples(void **state)
{
    (void)state;
    char hex[TL_BAPI_SIG_HEX + 1];
    assert_int_equal(tl_bapi_sign(DOC_SECRET, SLEN, DOC_PAYLOAD, strlen(DOC_PAYLOAD), NULL, 0, hex),
                     0);
    assert_string_equal(hex, DOC_SIG);
    /* As a body instead of a query string: the same payload, the same signature. */
    assert_int_equal(tl_bapi_sign(DOC_SECRET, SLEN, "", 0, DOC_PAYLOAD, strlen(DOC_PAYLOAD), hex),
                     0);
    assert_string_equal(hex, DOC_SIG);
    assert_int_equal(
        tl_bapi_sign(DOC_SECRET, SLEN, DOC_PAYLOAD_UTF8, strlen(DOC_PAYLOAD_UTF8), NULL, 0, hex),
        0);
    assert_string_equal(hex, DOC_SIG_UTF8);
    assert_int_equal(tl_bapi_sign(DOC_SECRET, SLEN, DOC_MIXED_QUERY, strlen(DOC_MIXED_QUERY),
                                  DOC_MIXED_BODY, strlen(DOC_MIXED_BODY), hex),
                     0);
    assert_string_equal(hex, DOC_SIG_MIXED);
}

static int verify(const char *q, const char *b, tl_bapi_err *e)
{
    memset(e, 0, sizeof *e);
    return tl_bapi_verify(DOC_SECRET, SLEN, q, q ? strlen(q) : 0, b, b ? strlen(b) : 0, e);
}

static void expect(const char *q, const char *b, int code, const char *msg)
{
    tl_bapi_err e;
    int rc = verify(q, b, &e);
    if (code == 0) {
        if (rc != 0)
            fail_msg("q=%s b=%s: %d %s", q, b, e.code, e.msg);
        return;
    }
    if (rc == 0 || e.code != code || strcmp(e.msg, msg) != 0)
        fail_msg("q=%s b=%s: rc %d code %d '%s', want %d '%s'", q, b, rc, e.code, e.msg, code, msg);
}

#define BAD_SIG "Signature for this request is not valid."

static void test_verify(void **state)
{
    (void)state;
    /* The documentation's curl commands, as the exchange receives them. */
    expect(DOC_PAYLOAD "&signature=" DOC_SIG, NULL, 0, NULL);
    expect(NULL, DOC_PAYLOAD "&signature=" DOC_SIG, 0, NULL);
    expect(DOC_PAYLOAD_UTF8 "&signature=" DOC_SIG_UTF8, "", 0, NULL);
    expect(DOC_MIXED_QUERY, DOC_MIXED_BODY "&signature=" DOC_SIG_MIXED, 0, NULL);
    /* Not case-sensitive; first or middle of the string; %-escaped. */
    expect(DOC_PAYLOAD
           "&signature=C8DB56825AE71D6D79447849E617115F4A920FA2ACDCAB2B053C4B2838BD6B71",
           NULL, 0, NULL);
    expect("signature=" DOC_SIG "&" DOC_PAYLOAD, NULL, 0, NULL);
    expect("symbol=LTCBTC&side=BUY&signature=" DOC_SIG
           "&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&"
           "timestamp=1499827319559",
           NULL, 0, NULL);
    expect(DOC_PAYLOAD "&signature=%63"
                       "8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
           NULL, 0, NULL);
    /* Tampering: one character of the payload, the wrong split, another secret. */
    expect("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=2&price=0.1&recvWindow="
           "5000&timestamp=1499827319559&signature=" DOC_SIG,
           NULL, -1022, BAD_SIG);
    expect(DOC_MIXED_QUERY, DOC_MIXED_BODY "&signature=" DOC_SIG, -1022, BAD_SIG);
    tl_bapi_err e;
    const char *q = DOC_PAYLOAD "&signature=" DOC_SIG;
    assert_int_equal(tl_bapi_verify("x", 1, q, strlen(q), NULL, 0, &e), TL_EINVAL);
    assert_int_equal(e.code, -1022);
    assert_int_equal(e.http, 400);
    /* Malformed signatures: short, long, not hex. */
    expect(DOC_PAYLOAD "&signature=c8db", NULL, -1022, BAD_SIG);
    expect(DOC_PAYLOAD "&signature=" DOC_SIG "00", NULL, -1022, BAD_SIG);
    expect(DOC_PAYLOAD
           "&signature=z8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
           NULL, -1022, BAD_SIG);
    /* Missing, empty, twice. */
    const char *missing = "Mandatory parameter 'signature' was not sent, was empty/null, or "
                          "malformed.";
    expect(DOC_PAYLOAD, NULL, -1102, missing);
    expect(DOC_PAYLOAD "&signature=", NULL, -1102, missing);
    expect(DOC_PAYLOAD "&signature", NULL, -1102, missing);
    expect(NULL, NULL, -1102, missing);
    expect(DOC_PAYLOAD "&signature=" DOC_SIG, "signature=" DOC_SIG, -1101,
           "Duplicate values for a parameter detected.");
}

/* Reads the timing of query q; returns the refusal code, or 0 with *t. */
static int timing(const char *q, tl_bapi_timing *t, tl_bapi_err *e)
{
    tl_bapi_params p;
    tl_bapi_params_init(&p);
    assert_int_equal(tl_bapi_params_parse(&p, q, strlen(q), NULL, 0, e), 0);
    return tl_bapi_timing_read(&p, t, e) == 0 ? 0 : e->code;
}

static void test_timing_read(void **state)
{
    (void)state;
    tl_bapi_timing t;
    tl_bapi_err e;
    assert_int_equal(timing("timestamp=1499827319559", &t, &e), 0);
    assert_int_equal(t.timestamp_us, 1499827319559000LL);
    assert_int_equal(t.recv_window_us, 5000000); /* the default */
    assert_int_equal(timing("timestamp=1499827319559123&recvWindow=6000.346", &t, &e), 0);
    assert_int_equal(t.timestamp_us, 1499827319559123LL); /* microseconds */
    assert_int_equal(t.recv_window_us, 6000346);
    assert_int_equal(timing("timestamp=999999999999999&recvWindow=60000", &t, &e), 0);
    assert_int_equal(t.timestamp_us, 999999999999999000LL); /* the last millisecond value */
    assert_int_equal(t.recv_window_us, 60000000);
    assert_int_equal(timing("timestamp=1&recvWindow=60000.000", &t, &e), 0);
    assert_int_equal(timing("timestamp=1&recvWindow=60000.001", &t, &e), -1102);
    assert_string_equal(e.msg, "'recvWindow' contains unexpected value. Cannot be greater than "
                               "60000.");
    assert_int_equal(timing("timestamp=1&recvWindow=1.0001", &t, &e), -1111);
    assert_string_equal(e.msg, "Parameter 'recvWindow' has too much precision.");
    assert_int_equal(timing("recvWindow=5000", &t, &e), -1102);
    assert_string_equal(e.msg, "Mandatory parameter 'timestamp' was not sent, was empty/null, or "
                               "malformed.");
    assert_int_equal(timing("timestamp=-5", &t, &e), -1100);
    assert_int_equal(timing("timestamp=1&recvWindow=-1", &t, &e), -1100);
}

static int check(int64_t ts_ms, int64_t window_ms, int64_t now_ms, tl_bapi_err *e)
{
    tl_bapi_timing t = {ts_ms * 1000, window_ms * 1000};
    memset(e, 0, sizeof *e);
    return tl_bapi_timing_check(&t, now_ms * 1000, e) == 0 ? 0 : e->code;
}

static void test_timing_check(void **state)
{
    (void)state;
    tl_bapi_err e;
    const int64_t now = 1499827319559;
    /* rest-api.md: timestamp < serverTime + 1 second && serverTime - timestamp <= recvWindow. */
    assert_int_equal(check(now, 5000, now, &e), 0);
    assert_int_equal(check(now + 999, 5000, now, &e), 0);
    assert_int_equal(check(now + 1000, 5000, now, &e), -1021);
    assert_string_equal(e.msg, "Timestamp for this request was 1000ms ahead of the server's time.");
    assert_int_equal(e.http, 400);
    assert_int_equal(check(now - 5000, 5000, now, &e), 0);
    assert_int_equal(check(now - 5001, 5000, now, &e), -1021);
    assert_string_equal(e.msg, "Timestamp for this request is outside of the recvWindow.");
    assert_int_equal(check(now - 60000, 60000, now, &e), 0);
    assert_int_equal(check(now - 60001, 60000, now, &e), -1021);
    assert_int_equal(check(now, 0, now, &e), 0);
    assert_int_equal(check(now - 1, 0, now, &e), -1021);
    /* Microsecond edges. */
    tl_bapi_timing t = {now * 1000 + 999999, 5000000};
    assert_int_equal(tl_bapi_timing_check(&t, now * 1000, &e), 0);
    t.timestamp_us++;
    assert_int_not_equal(tl_bapi_timing_check(&t, now * 1000, &e), 0);
    t = (tl_bapi_timing){now * 1000 - 6000346, 6000346};
    assert_int_equal(tl_bapi_timing_check(&t, now * 1000, &e), 0);
    t.timestamp_us--;
    assert_int_not_equal(tl_bapi_timing_check(&t, now * 1000, &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_examples),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_timing_read),
        cmocka_unit_test(test_timing_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
