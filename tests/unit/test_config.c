/* test_config.c -- the configuration layer's environment settings: the freeze instant
 * (TRADELOOP_FREEZE_UTC, alias MM_FREEZE_UTC_ISO), from explicit values, from the environment,
 * and from a .env file below the environment. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/config.h"
#include "tradeloop/clock.h"

#define SEC TL_NS_PER_SEC

static void test_freeze_parse(void **state)
{
    (void)state;
    int frozen = 9;
    int64_t t = 9;
    tl_err err;

    /* Neither set: not frozen, the instant untouched. */
    assert_int_equal(tl_config_freeze_parse(NULL, NULL, &frozen, &t, &err), 0);
    assert_int_equal(frozen, 0);
    assert_int_equal(t, 9);

    /* Empty counts as unset, for both. */
    frozen = 9;
    assert_int_equal(tl_config_freeze_parse("", "", &frozen, &t, &err), 0);
    assert_int_equal(frozen, 0);

    /* The alias alone, and behind an empty primary. */
    assert_int_equal(tl_config_freeze_parse(NULL, "2025-01-01T00:00:00Z", &frozen, &t, &err), 0);
    assert_int_equal(frozen, 1);
    assert_int_equal(t, 1735689600 * SEC);
    t = 0;
    assert_int_equal(tl_config_freeze_parse("", "2025-01-01T00:00:00Z", &frozen, &t, &err), 0);
    assert_int_equal(t, 1735689600 * SEC);

    /* The primary wins over the alias. */
    assert_int_equal(
        tl_config_freeze_parse("2024-02-29T12:34:56Z", "2025-01-01T00:00:00Z", &frozen, &t, &err),
        0);
    assert_int_equal(t, 1709210096 * SEC);

    /* Malformed primary: refused even though the alias is valid; outputs untouched. */
    frozen = 9;
    t = 9;
    assert_int_equal(
        tl_config_freeze_parse("2025-01-01", "2025-01-01T00:00:00Z", &frozen, &t, &err), TL_EINVAL);
    assert_int_equal(err.code, TL_EINVAL);
    assert_string_equal(err.msg, "TRADELOOP_FREEZE_UTC: malformed time '2025-01-01' "
                                 "(want 2025-01-01T00:00:00Z)");
    assert_int_equal(frozen, 9);
    assert_int_equal(t, 9);

    /* Malformed alias names the alias. */
    assert_int_equal(tl_config_freeze_parse(NULL, "2025-02-29T00:00:00Z", &frozen, &t, &err),
                     TL_EINVAL);
    assert_true(strncmp(err.msg, "MM_FREEZE_UTC_ISO: ", 19) == 0);
    assert_non_null(strstr(err.msg, "2025-02-29T00:00:00Z"));

    /* Out of range is a bad value for the variable too: TL_EINVAL, not the parser's TL_ERANGE. */
    assert_int_equal(tl_config_freeze_parse(NULL, "9999-01-01T00:00:00Z", &frozen, &t, NULL),
                     TL_EINVAL);
    assert_int_equal(frozen, 9);
    assert_int_equal(t, 9);
}

static void clear_env(void)
{
    unsetenv(TL_FREEZE_ENV);
    unsetenv(TL_FREEZE_ENV_ALIAS);
    unsetenv("TRADELOOP_ENV_FILE");
}

static void test_freeze_env(void **state)
{
    (void)state;
    int frozen = 9;
    int64_t t = 9;
    tl_err err;

    clear_env();
    assert_int_equal(tl_config_freeze_from_env(&frozen, &t, &err), 0);
    assert_int_equal(frozen, 0);
    assert_int_equal(t, 9);

    setenv(TL_FREEZE_ENV_ALIAS, "2025-01-01T00:00:00Z", 1);
    assert_int_equal(tl_config_freeze_from_env(&frozen, &t, &err), 0);
    assert_int_equal(frozen, 1);
    assert_int_equal(t, 1735689600 * SEC);

    setenv(TL_FREEZE_ENV, "2024-02-29T12:34:56Z", 1);
    assert_int_equal(tl_config_freeze_from_env(&frozen, &t, &err), 0);
    assert_int_equal(t, 1709210096 * SEC);

    setenv(TL_FREEZE_ENV, "yesterday", 1);
    assert_int_equal(tl_config_freeze_from_env(&frozen, &t, &err), TL_EINVAL);
    assert_true(strncmp(err.msg, "TRADELOOP_FREEZE_UTC: ", 22) == 0);
    clear_env();
}

/* The command line's precedence reaches the freeze instant: cli_parse loads the .env file below
 * the environment, so a .env value applies when the environment has none and loses to it. */
static void test_freeze_dotenv(void **state)
{
    (void)state;
    char path[] = "/tmp/tl-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# frozen for the report\nTRADELOOP_FREEZE_UTC=2024-06-01T12:00:00Z\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);

    cli_flag flags[] = {{NULL}};
    cli_command cmd = {"test", "", "", flags};
    char *argv[] = {"test", NULL};
    int frozen = 0;
    int64_t t = 0;
    tl_err err;

    clear_env();
    setenv("TRADELOOP_ENV_FILE", path, 1);
    assert_int_equal(cli_parse(&cmd, 1, argv, 1), CLI_OK);
    assert_int_equal(tl_config_freeze_from_env(&frozen, &t, &err), 0);
    assert_int_equal(frozen, 1);
    assert_int_equal(t, 1717243200 * SEC);

    /* The environment wins over the file. */
    setenv(TL_FREEZE_ENV, "2025-01-01T00:00:00Z", 1);
    assert_int_equal(cli_parse(&cmd, 1, argv, 1), CLI_OK);
    assert_int_equal(tl_config_freeze_from_env(&frozen, &t, &err), 0);
    assert_int_equal(t, 1735689600 * SEC);

    unlink(path);
    clear_env();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_freeze_parse),
        cmocka_unit_test(test_freeze_env),
        cmocka_unit_test(test_freeze_dotenv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
