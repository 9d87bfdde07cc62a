/* test_jsonw.c -- the JSON writer: separators, exact decimals, and a buffer that grows (through
 * tl_vec_reserve) from one byte to a large document without losing or moving a byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"

static void test_small(void **state)
{
    (void)state;
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_key(&w, "a");
    tl_jw_fixed(&w, -850000); /* -0.0085 */
    tl_jw_key(&w, "b");
    tl_jw_arr_begin(&w);
    tl_jw_int(&w, -1);
    tl_jw_bool(&w, true);
    tl_jw_null(&w);
    tl_jw_str(&w, "x\"y");
    tl_jw_arr_end(&w);
    tl_jw_obj_end(&w);
    assert_int_equal(tl_jw_finish(&w), 0);
    assert_string_equal(w.buf, "{\"a\":-0.0085,\"b\":[-1,true,null,\"x\\\"y\"]}\n");
    assert_int_equal(w.len, strlen(w.buf));
    assert_true(w.cap > w.len);
    tl_jw_free(&w);
}

/* 20,000 values: the buffer grows a dozen times; the text must be exactly what was written. */
static void test_growth(void **state)
{
    (void)state;
    enum { N = 20000 };
    size_t cap = (size_t)N * 12 + 8, n = 0;
    char *want = malloc(cap);
    assert_non_null(want);
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_arr_begin(&w);
    want[n++] = '[';
    for (uint64_t i = 0; i < N; i++) {
        tl_jw_uint(&w, i * 7919);
        n += (size_t)snprintf(want + n, cap - n, "%s%llu", i ? "," : "",
                              (unsigned long long)(i * 7919));
    }
    tl_jw_arr_end(&w);
    n += (size_t)snprintf(want + n, cap - n, "]\n");
    assert_int_equal(tl_jw_finish(&w), 0);
    assert_int_equal(w.len, n);
    assert_memory_equal(w.buf, want, n + 1); /* with the NUL */
    assert_true(w.cap >= w.len + 1);
    free(want);
    tl_jw_free(&w);
}

/* Every escape, runs of plain text between them (written a run at a time), UTF-8 kept as it is,
 * and integers at their edges, compared with printf's digits. */
static void test_escapes_and_integers(void **state)
{
    (void)state;
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_arr_begin(&w);
    tl_jw_str(&w, "");
    tl_jw_str(&w, "plain run");
    tl_jw_str(&w, "\"a\\b\nc\rd\te\x01"
                  "f\x1f\x7f\xc3\xa9");
    tl_jw_str(&w, "\"\"");
    tl_jw_int(&w, INT64_MIN);
    tl_jw_int(&w, INT64_MAX);
    tl_jw_int(&w, 0);
    tl_jw_uint(&w, UINT64_MAX);
    tl_jw_arr_end(&w);
    assert_int_equal(tl_jw_finish(&w), 0);
    char want[256];
    snprintf(want, sizeof want,
             "[\"\",\"plain run\",\"\\\"a\\\\b\\nc\\rd\\te\\u0001f\\u001f\x7f\xc3\xa9\","
             "\"\\\"\\\"\",%lld,%lld,0,%llu]\n",
             (long long)INT64_MIN, (long long)INT64_MAX, (unsigned long long)UINT64_MAX);
    assert_string_equal(w.buf, want);
    tl_jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_escapes_and_integers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
