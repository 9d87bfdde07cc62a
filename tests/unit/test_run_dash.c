/* test_run_dash.c -- what `run` shows of its database on the dashboard and in the status
 * document: a URL's user, password and query are left out; a file or sqlite: path is shown as
 * given; a long one is cut to the view's size. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "app/run_dash.h"

static void shown(const char *url, const char *want)
{
    char out[TL_DASH_DB_MAX];
    run_dash_db_shown(url, out, sizeof out);
    assert_string_equal(out, want);
}

static void test_db_shown(void **state)
{
    (void)state;
    shown("postgresql://desk:s3cret@db.example:5432/trading?sslmode=require",
          "postgresql://db.example:5432/trading");
    shown("postgres://u:p@w@host/db#frag", "postgres://host/db");
    shown("postgresql:///trading?host=/run/pg&password=x", "postgresql:///trading");
    shown("postgresql://host", "postgresql://host");
    shown("run.db", "run.db");
    shown("sqlite:/var/lib/tradeloop/tradeloop.db", "sqlite:/var/lib/tradeloop/tradeloop.db");
    shown("mem:", "mem:");
    char longp[300], out[TL_DASH_DB_MAX];
    memset(longp, 'x', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    run_dash_db_shown(longp, out, sizeof out);
    assert_int_equal(strlen(out), TL_DASH_DB_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
