/* test_uuid.c -- UUIDv5 against Python's uuid.uuid5 (values printed by Python 3), the version and
 * variant bits, the text form both ways, and the sweep's namespace being what plan.h says. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/uuid.h"
#include "sweep/plan.h"

static const char NS_DNS[] = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
static const char NS_URL[] = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";
static const char NS_OID[] = "6ba7b812-9dad-11d1-80b4-00c04fd430c8";

static void v5(const char *ns_text, const char *name, const char *want)
{
    tl_uuid ns, u;
    char out[TL_UUID_STRLEN];
    assert_int_equal(tl_uuid_parse(ns_text, &ns, NULL), 0);
    assert_int_equal(tl_uuid5(&ns, name, strlen(name), &u), 0);
    tl_uuid_format(&u, out);
    assert_string_equal(out, want);
    assert_int_equal(u.b[6] >> 4, 5);
    assert_int_equal(u.b[8] >> 6, 2);
}

static void test_uuid5_matches_python(void **state)
{
    (void)state;
    v5(NS_DNS, "python.org", "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    v5(NS_OID, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "5741af63-7c73-5dbe-860d-d7a7069045f6");
    /* The sweep's namespace is uuid5(NAMESPACE_URL, "tradeloop:sweep-variant"), in both forms. */
    v5(NS_URL, "tradeloop:sweep-variant", TL_SWEEP_VARIANT_NS);
    tl_uuid ns = TL_SWEEP_VARIANT_NS_BIN;
    char out[TL_UUID_STRLEN];
    tl_uuid_format(&ns, out);
    assert_string_equal(out, TL_SWEEP_VARIANT_NS);
}

static void test_parse(void **state)
{
    (void)state;
    tl_uuid u, keep = {{1}};
    tl_err err;
    char out[TL_UUID_STRLEN];
    assert_int_equal(tl_uuid_parse("886313E1-3B8A-5372-9B90-0C9AEE199E5D", &u, NULL), 0);
    tl_uuid_format(&u, out);
    assert_string_equal(out, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    const char *bad[] = {
        "", "886313e1-3b8a-5372-9b90-0c9aee199e5", "886313e13b8a-5372-9b90-0c9aee199e5d0",
        "886313e1-3b8a-5372-9b90-0c9aee199e5g", "886313e1-3b8a-5372-9b90_0c9aee199e5d"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        u = keep;
        assert_int_equal(tl_uuid_parse(bad[i], &u, &err), TL_EINVAL);
        assert_memory_equal(&u, &keep, sizeof u);
    }
    assert_int_equal(tl_uuid_parse("886313e1-3b8a-5372-9b90-0c9aee199e5d ", &u, &err), TL_EINVAL);
    assert_string_equal(err.msg, "UUID: text after the 36 characters");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid5_matches_python),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
