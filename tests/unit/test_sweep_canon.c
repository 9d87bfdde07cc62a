/* test_sweep_canon.c -- canonical JSON is Python's json.dumps(sort_keys=True, separators=(",",
 * ":"), ensure_ascii=False) byte for byte: key order by code point (not UTF-16 order), every
 * escape, raw UTF-8 and U+2028, 64-bit integers, nesting; real numbers refused; and the one place
 * jansson's own dumps differs, which is why canon.c exists. The expected texts were printed by
 * Python 3 (tests/e2e/test_sweep_ids.sh compares whole plans with Python at run time). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sweep/canon.h"

/* canon of the JSON text in, compared with want byte for byte. */
static void same(const char *in, const char *want)
{
    json_error_t je;
    json_t *v = json_loads(in, JSON_DECODE_ANY, &je);
    if (v == NULL)
        fail_msg("%s: %s", in, je.text);
    tl_sb c = {0};
    tl_canon_json(&c, v);
    json_decref(v);
    assert_int_equal(c.err, 0);
    assert_int_equal(c.len, strlen(want));
    if (memcmp(c.buf, want, c.len) != 0)
        fail_msg("got  %s\nwant %s", c.buf, want);
    tl_sb_free(&c);
}

static void test_objects_sorted_by_code_point(void **state)
{
    (void)state;
    /* "Z" < "a" < "a b" < "ab" < "z" < "é" < "été" < U+FF61 < U+1F600: by code point. In UTF-16
     * order the emoji (a surrogate pair, 0xD83D...) would come before U+FF61. */
    same("{\"z\": 1, \"Z\": 2, \"\xc3\xa9\": 3, \"a\": {\"b\": [1, \"x\", true, false, null],"
         " \"a\": -0}, \"ab\": -9223372036854775808, \"\xc3\xa9t\xc3\xa9\": [],"
         " \"\xef\xbd\xa1\": {}, \"\xf0\x9f\x98\x80\": \"\\u2028\", \"a b\": 9223372036854775807}",
         "{\"Z\":2,\"a\":{\"a\":0,\"b\":[1,\"x\",true,false,null]},\"a b\":9223372036854775807,"
         "\"ab\":-9223372036854775808,\"z\":1,\"\xc3\xa9\":3,\"\xc3\xa9t\xc3\xa9\":[],"
         "\"\xef\xbd\xa1\":{},\"\xf0\x9f\x98\x80\":\"\xe2\x80\xa8\"}");
    same("{}", "{}");
    same("[]", "[]");
    same("[[],{\"b\":{\"d\":1,\"c\":2}}]", "[[],{\"b\":{\"c\":2,\"d\":1}}]");
}

static void test_string_escapes(void **state)
{
    (void)state;
    /* Python: '"q\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\x7f\u2028\u2029é€😀' */
    static const char in[] = "q\"b\\s/\b\f\n\r\t\0\x01\x1f\x7f\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9"
                             "\xe2\x82\xac\xf0\x9f\x98\x80";
    static const char want[] = "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\x7f\xe2\x80\xa8"
                               "\xe2\x80\xa9\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"";
    tl_sb c = {0};
    tl_canon_str(&c, in, sizeof in - 1);
    assert_int_equal(c.err, 0);
    assert_int_equal(c.len, sizeof want - 1);
    assert_memory_equal(c.buf, want, c.len);
    /* Every control character: the five short escapes, the rest as lower-case \u00xx. */
    for (int ch = 0; ch < 0x20; ch++) {
        char one = (char)ch, exp[16];
        const char *shorts = "\b\f\n\r\t", *letters = "bfnrt", *at = memchr(shorts, ch, 5);
        if (ch && at)
            snprintf(exp, sizeof exp, "\"\\%c\"", letters[at - shorts]);
        else
            snprintf(exp, sizeof exp, "\"\\u%04x\"", ch);
        c.len = 0;
        tl_canon_str(&c, &one, 1);
        assert_string_equal(c.buf, exp);
    }
    tl_sb_free(&c);
    same("\"\\u00e9\\/\"", "\"\xc3\xa9/\"");
}

/* Integers go through tl_sb_int: the extremes print as Python prints them. */
static void test_integers(void **state)
{
    (void)state;
    same("[-9223372036854775808,9223372036854775807,-0,0,7]",
         "[-9223372036854775808,9223372036854775807,0,0,7]");
    tl_sb c = {0};
    tl_sb_int(&c, INT64_MIN);
    assert_string_equal(c.buf, "-9223372036854775808");
    tl_sb_free(&c);
}

static void test_real_refused_and_sticky(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:i,s:f}", "a", 1, "b", 0.5);
    tl_sb c = {0};
    tl_canon_json(&c, v);
    assert_int_equal(c.err, TL_EINVAL);
    size_t len = c.len;
    tl_canon_str(&c, "more", 4); /* sticky: nothing more is written */
    assert_int_equal(c.len, len);
    json_decref(v);
    tl_sb_free(&c);
}

/* Why canon.c is ours: jansson's compact, sorted dumps agrees on everything above but writes a
 * control character's hex in upper case, so a value holding one would get another id than
 * Python's. If a jansson release ever matched, this test says so, and canon.c could go. */
static void test_jansson_differs(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:s,s:s}", "b", "\x1f\xe2\x80\xa8", "a", "\b");
    char *j = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    tl_sb c = {0};
    tl_canon_json(&c, v);
    assert_string_equal(c.buf, "{\"a\":\"\\b\",\"b\":\"\\u001f\xe2\x80\xa8\"}");
    assert_string_equal(j, "{\"a\":\"\\b\",\"b\":\"\\u001F\xe2\x80\xa8\"}");
    free(j);
    json_decref(v);
    tl_sb_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_objects_sorted_by_code_point),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_real_refused_and_sticky),
        cmocka_unit_test(test_jansson_differs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
