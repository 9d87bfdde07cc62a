/* test_multipart.c -- multipart/form-data bodies: curl's own (captured byte for byte from
 * `curl -F`), the boundary's forms, CRLF rules, the preamble and epilogue, and every refusal
 * with its message. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "net/multipart.h"

#define B  "------------------------43734637ed561140"
#define CT "multipart/form-data; boundary=" B

/* What curl 7.88 sent for -F 'spec={"x":1};type=application/json' -F data=@d.csv. */
static const char CURL_BODY[] = "--" B "\r\n"
                                "Content-Disposition: form-data; name=\"spec\"\r\n"
                                "Content-Type: application/json\r\n"
                                "\r\n"
                                "{\"x\":1}\r\n"
                                "--" B "\r\n"
                                "Content-Disposition: form-data; name=\"data\"; "
                                "filename=\"ep_d.csv\"\r\n"
                                "Content-Type: application/octet-stream\r\n"
                                "\r\n"
                                "a,b\n1,2\n\r\n"
                                "--" B "--\r\n";

static int parse(const char *ct, const char *body, size_t len, tl_multipart_part *p, tl_err *e)
{
    p[0] = (tl_multipart_part){.name = "spec"};
    p[1] = (tl_multipart_part){.name = "data"};
    tl_err_clear(e);
    return tl_multipart_parse(ct, strlen(ct), body, len, p, 2, e);
}

static void expect_refusal(const char *ct, const char *body, const char *want)
{
    tl_multipart_part p[2];
    tl_err e;
    int rc = parse(ct, body, strlen(body), p, &e);
    if (rc != TL_EINVAL || strstr(e.msg, want) == NULL)
        fail_msg("want a refusal with '%s', got %d '%s'", want, rc, e.msg);
    assert_null(p[0].data); /* untouched */
    assert_null(p[1].data);
}

static void test_curl_body(void **state)
{
    (void)state;
    tl_multipart_part p[2];
    tl_err e;
    assert_int_equal(parse(CT, CURL_BODY, sizeof(CURL_BODY) - 1, p, &e), 0);
    assert_int_equal(p[0].len, 7);
    assert_memory_equal(p[0].data, "{\"x\":1}", 7);
    assert_int_equal(p[1].len, 8); /* the file's bare LFs are content, not line ends */
    assert_memory_equal(p[1].data, "a,b\n1,2\n", 8);
}

static void test_boundary_forms(void **state)
{
    (void)state;
    char b[TL_MULTIPART_BOUNDARY_MAX + 1];
    tl_err e = {0};
    assert_int_equal(tl_multipart_boundary(CT, strlen(CT), b, &e), 0);
    assert_string_equal(b, B);
    const char *q = "Multipart/Form-Data ;charset=utf-8; BOUNDARY=\"a b:c?\"";
    assert_int_equal(tl_multipart_boundary(q, strlen(q), b, &e), 0);
    assert_string_equal(b, "a b:c?");
    const char *bad[][2] = {
        {"application/json; boundary=x", "is not multipart/form-data"},
        {"multipart/form-dataX; boundary=x", "is not multipart/form-data"},
        {"multipart/mixed; boundary=x", "is not multipart/form-data"},
        {"multipart/form-data", "no boundary"},
        {"multipart/form-data; charset=utf-8", "no boundary"},
        {"multipart/form-data; boundary=", "malformed parameter"},
        {"multipart/form-data; boundary=\"\"", "empty"},
        {"multipart/form-data; boundary=\"ab \"", "ended by a space"},
        {"multipart/form-data; boundary=\"a<b\"", "'<'"},
        {"multipart/form-data; boundary=\"abc", "malformed parameter"},
        {"multipart/form-data; boundary=a; boundary=b", "two boundary"},
        {"multipart/form-data; boundary "
         "=x",
         "malformed parameter"},
        {"multipart/form-data; boundary=01234567890123456789012345678901234567890123456789"
         "012345678901234567890",
         "longer than 70"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tl_err_clear(&e);
        int rc = tl_multipart_boundary(bad[i][0], strlen(bad[i][0]), b, &e);
        if (rc != TL_EINVAL || strstr(e.msg, bad[i][1]) == NULL)
            fail_msg("%s: want '%s', got %d '%s'", bad[i][0], bad[i][1], rc, e.msg);
    }
    /* a NUL inside the header's value */
    assert_int_equal(tl_multipart_boundary("multipart/form-data; boundary=a\0b", 33, b, &e),
                     TL_EINVAL);
}

static void test_preamble_epilogue_padding_token_name(void **state)
{
    (void)state;
    const char *body = "this is a preamble\r\n"
                       "--XY \t\r\n"
                       "content-disposition: FORM-DATA; name=data\r\n"
                       "\r\n"
                       "\r\n--X\r\n" /* not the delimiter: another boundary's text */
                       "\r\n--XY\r\n"
                       "Content-Disposition: form-data; filename=\"a;name=data\"; "
                       "name=\"sp\\ec\"\r\n"
                       "\r\n"
                       "\r\n--XY-- \r\nepilogue --XY\r\n";
    tl_multipart_part p[2];
    tl_err e;
    assert_int_equal(parse("multipart/form-data; boundary=XY", body, strlen(body), p, &e), 0);
    assert_int_equal(p[0].len, 0); /* empty content */
    assert_int_equal(p[1].len, 7);
    /* parameters we ignore may be as long as they like (a found hang: a long one was re-read) */
    char lb[1024];
    snprintf(lb, sizeof(lb),
             "--XY\r\nContent-Disposition: form-data; filename=\"%0300d\"; x%0200d=1; name=spec"
             "\r\n\r\n\r\n--XY\r\nContent-Disposition: form-data; name=data\r\n\r\nz\r\n"
             "--XY--",
             0, 0);
    char lct[300];
    snprintf(lct, sizeof(lct), "multipart/form-data; charset=%0200d; boundary=XY", 0);
    assert_int_equal(parse(lct, lb, strlen(lb), p, &e), 0);
    assert_int_equal(p[1].len, 1);
    assert_int_equal(parse("multipart/form-data; boundary=XY", body, strlen(body), p, &e), 0);
    assert_int_equal(p[1].len, 7);
    assert_memory_equal(p[1].data, "\r\n--X\r\n", 7);
}

static void test_refusals(void **state)
{
    (void)state;
    const char *ct = "multipart/form-data; boundary=XY";
#define PART(name, content)                                                                        \
    "--XY\r\nContent-Disposition: form-data; name=\"" name "\"\r\n\r\n" content "\r\n"
    expect_refusal(ct, "", "no delimiter '--XY'");
    expect_refusal(ct, "garbage only", "no delimiter '--XY'");
    expect_refusal(ct, PART("spec", "{}") "--XY--", "no part named 'data'");
    expect_refusal(ct, PART("spec", "{}") PART("spec", "{}") PART("data", "x") "--XY--",
                   "two parts named 'spec'");
    expect_refusal(ct, PART("spec", "{}") PART("data", "x") PART("extra", "x") "--XY--",
                   "unexpected part 'extra'");
    expect_refusal(ct, PART("spec", "{}") PART("data", "x"),
                   "part 2 ('data'): no delimiter after its content");
    expect_refusal(ct, PART("spec", "{}") "--XY", "garbage after delimiter 2");
    expect_refusal(ct, PART("spec", "{}") "--XYZ\r\n", "garbage after delimiter 2");
    expect_refusal(ct, PART("spec", "{}") "--XY--junk", "garbage after delimiter 2");
    expect_refusal(ct, "--XY\nContent-Disposition: form-data; name=\"spec\"\n\n{}\n--XY--\n",
                   "garbage after delimiter 1");
    expect_refusal(ct, PART("spec", "{} cut short"), "'spec'): no delimiter after its content");
    expect_refusal(ct, "--XY\r\nContent-Disposition: form-data; name=\"spec\"\r\n",
                   "headers not ended");
    expect_refusal(ct, "--XY\r\n\r\nx\r\n--XY--", "part 1: no Content-Disposition header");
    expect_refusal(ct, "--XY\r\nContent-Type: text/plain\r\n\r\nx\r\n--XY--",
                   "no Content-Disposition");
    expect_refusal(ct, "--XY\r\nContent-Disposition: attachment; name=\"spec\"\r\n\r\nx\r\n--XY--",
                   "'attachment', want form-data");
    expect_refusal(ct, "--XY\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XY--", "has no name");
    expect_refusal(ct, "--XY\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--XY--",
                   "an empty name");
    expect_refusal(ct, "--XY\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--XY--",
                   "two names");
    expect_refusal(ct, "--XY\r\nContent-Disposition: form-data; name=\"spec\r\n\r\nx\r\n--XY--",
                   "a malformed parameter");
    expect_refusal(ct,
                   "--XY\r\nContent-Disposition: form-data; name=spec\r\n"
                   "Content-Disposition: form-data; name=spec\r\n\r\nx\r\n--XY--",
                   "two Content-Disposition");
    expect_refusal(ct, "--XY\r\nContent-Disposition: form-data;\r\n name=spec\r\n\r\nx\r\n--XY--",
                   "folded header");
    expect_refusal(ct, "--XY\r\nno colon here\r\n\r\nx\r\n--XY--", "has no name:");
    expect_refusal(ct, "--XY\r\nX-A: a\x01z\r\n\r\nx\r\n--XY--", "control character");
    expect_refusal("text/plain", PART("spec", "{}"), "is not multipart/form-data");
#undef PART
}

static void test_messages_printable_and_limits(void **state)
{
    (void)state;
    /* a name with bytes outside ASCII is shown with '?' */
    const char *body = "--XY\r\nContent-Disposition: form-data; name=\"\xc3\xa9t\xc3\xa9\"\r\n\r\n"
                       "x\r\n--XY--";
    tl_multipart_part p[2];
    tl_err e;
    assert_int_equal(parse("multipart/form-data; boundary=XY", body, strlen(body), p, &e),
                     TL_EINVAL);
    assert_string_equal(e.msg, "multipart: unexpected part '?"
                               "?t?"
                               "?'");
    /* more wanted parts than the parser holds */
    tl_multipart_part many[TL_MULTIPART_PARTS_MAX + 1] = {0};
    tl_err_clear(&e);
    assert_int_equal(tl_multipart_parse("multipart/form-data; boundary=XY", 32, body, strlen(body),
                                        many, TL_MULTIPART_PARTS_MAX + 1, &e),
                     TL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curl_body),
        cmocka_unit_test(test_boundary_forms),
        cmocka_unit_test(test_preamble_epilogue_padding_token_name),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_messages_printable_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
