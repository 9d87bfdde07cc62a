/* test_vec.c -- the growable-array helper: doubling, overflow refusal, untouched on failure. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "tradeloop.h"

static void test_grows_by_doubling_and_keeps_contents(void **state)
{
    (void)state;
    int *a = NULL;
    size_t cap = 0;
    assert_int_equal(TL_VEC_RESERVE(&a, &cap, 1), 0);
    assert_int_equal(cap, TL_VEC_MIN_CAP);
    for (int i = 0; i < 16; i++)
        a[i] = i;
    assert_int_equal(TL_VEC_RESERVE(&a, &cap, 17), 0);
    assert_int_equal(cap, 32);
    assert_int_equal(TL_VEC_RESERVE(&a, &cap, 100), 0);
    assert_int_equal(cap, 128);
    for (int i = 0; i < 16; i++)
        assert_int_equal(a[i], i);
    int *before = a;
    assert_int_equal(TL_VEC_RESERVE(&a, &cap, 128), 0); /* enough: untouched */
    assert_ptr_equal(a, before);
    assert_int_equal(cap, 128);
    free(a);
}

static void test_refuses_overflow_untouched(void **state)
{
    (void)state;
    uint64_t *a = NULL;
    size_t cap = 0;
    assert_int_equal(TL_VEC_RESERVE(&a, &cap, 4), 0);
    uint64_t *keep = a;
    assert_int_equal(TL_VEC_RESERVE(&a, &cap, SIZE_MAX / 4), TL_ENOMEM);
    assert_ptr_equal(a, keep);
    assert_int_equal(cap, TL_VEC_MIN_CAP);
    free(a);
}

static void test_reserve32_stops_short_of_uint32_max(void **state)
{
    (void)state;
    char *a = NULL;
    uint32_t cap = 0;
    assert_int_equal(TL_VEC_RESERVE32(&a, &cap, 40), 0);
    assert_int_equal(cap, 64);
    assert_int_equal(TL_VEC_RESERVE32(&a, &cap, (size_t)UINT32_MAX), TL_ENOMEM);
    assert_int_equal(cap, 64);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grows_by_doubling_and_keeps_contents),
        cmocka_unit_test(test_refuses_overflow_untouched),
        cmocka_unit_test(test_reserve32_stops_short_of_uint32_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
