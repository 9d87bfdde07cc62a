/* test_error.c -- the error table, tl_err detail buffer and version string. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tradeloop.h"

static void test_strerror_and_names(void **state)
{
    (void)state;
    assert_string_equal(tl_strerror(TL_EINVAL), "invalid argument");
    assert_string_equal(tl_strerror(TL_EFROZEN), "trading frozen");
    assert_string_equal(tl_strerror(TL_EPRECISION), "precision loss");
    assert_string_equal(tl_errname(TL_EINVAL), "TL_EINVAL");
    assert_string_equal(tl_errname(TL_EOVERFILL), "TL_EOVERFILL");
    assert_string_equal(tl_strerror(TL_OK), "success");
    assert_string_equal(tl_errname(TL_OK), "TL_OK");
    /* Unknown codes: never NULL. */
    assert_string_equal(tl_strerror(-9999), "unknown error");
    assert_string_equal(tl_strerror(1), "unknown error");
    assert_non_null(tl_errname(-9999));
    assert_string_equal(tl_errname(-9999), "TL_EUNKNOWN");
}

/* Every code of the table round-trips through both functions, and values are distinct. */
static void test_table_complete(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *name;
        const char *msg;
    } table[] = {
#define ROW(name, value, msg) {value, "TL_" #name, msg},
        TL_ERRNO_MAP(ROW)
#undef ROW
    };
    size_t n = sizeof table / sizeof table[0];
    assert_true(n >= 17); /* codes may be added, never removed */
    for (size_t i = 0; i < n; i++) {
        assert_true(table[i].code < 0);
        assert_string_equal(tl_errname(table[i].code), table[i].name);
        assert_string_equal(tl_strerror(table[i].code), table[i].msg);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(table[i].code, table[j].code);
    }
    /* Stable wire values. */
    assert_int_equal(TL_EINVAL, -1);
    assert_int_equal(TL_EFROZEN, -17);
    assert_int_equal(TL_EEXIST, -18);
    assert_string_equal(tl_errname(TL_EEXIST), "TL_EEXIST");
}

static void test_err_set(void **state)
{
    (void)state;
    tl_err err;
    memset(&err, 'x', sizeof err);
    assert_int_equal(tl_err_set(&err, TL_ERANGE, "qty %d > %s", 5, "max"), TL_ERANGE);
    assert_int_equal(err.code, TL_ERANGE);
    assert_string_equal(err.msg, "qty 5 > max");

    /* NULL err: only the code comes back. */
    assert_int_equal(tl_err_set(NULL, TL_EIO, "ignored %s", "x"), TL_EIO);

    /* Long text is truncated and stays terminated. */
    char big[600];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(tl_err_set(&err, TL_EINVAL, "%s", big), TL_EINVAL);
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);

    /* One line: control characters from quoted input are neutralised. */
    assert_int_equal(tl_err_set(&err, TL_EINVAL, "bad '%s'", "a\nb\r\x1b[2J"), TL_EINVAL);
    assert_string_equal(err.msg, "bad 'a?b??[2J'");

    tl_err_clear(&err);
    assert_int_equal(err.code, TL_OK);
    assert_string_equal(err.msg, "");
    tl_err_clear(NULL);
}

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(tl_version(), TL_VERSION_STRING);
    assert_string_equal(tl_version(), "0.1.0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_and_names),
        cmocka_unit_test(test_table_complete),
        cmocka_unit_test(test_err_set),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
