/* test_event.c -- event type names and parsing, workspace id syntax. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tradeloop/event.h"

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(tl_event_type_name(TL_EV_INTENT_EMITTED), "INTENT_EMITTED");
    assert_string_equal(tl_event_type_name(TL_EV_ORDER_FILLED), "ORDER_FILLED");
    assert_string_equal(tl_event_type_name(8), "ORDER_FILLED");
    assert_string_equal(tl_event_type_name(TL_EV_WORKSPACE_RESET), "WORKSPACE_RESET");
    assert_string_equal(tl_event_type_name(0), "?");
    assert_string_equal(tl_event_type_name(TL_EV__MAX + 1), "?");
    assert_string_equal(tl_event_type_name(-1), "?");
}

static void test_type_parse_round_trip(void **state)
{
    (void)state;
    for (int t = 1; t <= TL_EV__MAX; t++) {
        tl_event_type out = 0;
        assert_int_equal(tl_event_type_parse(tl_event_type_name(t), &out), 0);
        assert_int_equal(out, t);
    }
    tl_event_type out = TL_EV_KILL_SWITCH;
    assert_int_equal(tl_event_type_parse("order_filled", &out), TL_EINVAL); /* case matters */
    assert_int_equal(tl_event_type_parse("ORDER_FILLED ", &out), TL_EINVAL);
    assert_int_equal(tl_event_type_parse("", &out), TL_EINVAL);
    assert_int_equal(tl_event_type_parse("?", &out), TL_EINVAL);
    assert_int_equal(tl_event_type_parse(NULL, &out), TL_EINVAL);
    assert_int_equal(out, TL_EV_KILL_SWITCH); /* untouched on failure */
}

static void test_stored_values_stable(void **state)
{
    (void)state;
    /* Values are stored in databases: changing one breaks every journal ever written. */
    assert_int_equal(TL_EV_INTENT_EMITTED, 1);
    assert_int_equal(TL_EV_ORDER_SUBMITTED, 5);
    assert_int_equal(TL_EV_ORDER_FILLED, 8);
    assert_int_equal(TL_EV_KILL_SWITCH, 15);
    assert_int_equal(TL_EV_WORKSPACE_RESET, 18);
    assert_int_equal(sizeof(tl_event) % 8, 0);
}

static void test_workspace_valid(void **state)
{
    (void)state;
    assert_int_equal(tl_workspace_validate("a", NULL), 0);
    assert_int_equal(tl_workspace_validate("desk-1.paper_A:eu", NULL), 0);
    assert_int_equal(tl_workspace_validate("ABCxyz0189._:-", NULL), 0);
    char max[TL_WORKSPACE_MAX];
    memset(max, 'w', TL_WORKSPACE_MAX - 1);
    max[TL_WORKSPACE_MAX - 1] = '\0';
    assert_int_equal(tl_workspace_validate(max, NULL), 0); /* 47 characters */
}

static void test_workspace_invalid(void **state)
{
    (void)state;
    tl_err err = {0};
    assert_int_equal(tl_workspace_validate(NULL, &err), TL_EINVAL);
    assert_int_equal(tl_workspace_validate("", &err), TL_EINVAL);
    assert_int_equal(err.code, TL_EINVAL);
    assert_non_null(strstr(err.msg, "empty"));

    char long_ws[TL_WORKSPACE_MAX + 1];
    memset(long_ws, 'w', TL_WORKSPACE_MAX);
    long_ws[TL_WORKSPACE_MAX] = '\0';
    assert_int_equal(tl_workspace_validate(long_ws, &err), TL_EINVAL); /* 48 characters */
    assert_non_null(strstr(err.msg, "longer than 47"));

    assert_int_equal(tl_workspace_validate("desk 1", &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "0x20 at position 5"));
    assert_int_equal(tl_workspace_validate("ab/c", &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "'/' at position 3"));
    assert_int_equal(tl_workspace_validate("x'", &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "''' at position 2"));
    assert_int_equal(tl_workspace_validate("ok\n", &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "0x0a at position 3"));
    assert_int_equal(tl_workspace_validate("caf\xc3\xa9", &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "0xc3 at position 4"));
    const char *bad = "+;%*@$#!";
    for (const char *p = bad; *p; p++) {
        char ws[4] = {'a', *p, 'b', '\0'};
        assert_int_equal(tl_workspace_validate(ws, NULL), TL_EINVAL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),           cmocka_unit_test(test_type_parse_round_trip),
        cmocka_unit_test(test_stored_values_stable), cmocka_unit_test(test_workspace_valid),
        cmocka_unit_test(test_workspace_invalid),
    };
    return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
