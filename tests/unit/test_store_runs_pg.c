/*
 * test_store_runs_pg.c -- run plans and their variants on a real PostgreSQL server.
 *
 * ctest starts the server (fixture pg_server_start) and names the file holding its URL in
 * TL_PG_URL_FILE; without it this test fails. It works in a database of its own. The shared
 * suite first (tests/conformance/runs_conformance.c), then a version 7 database migrated to
 * version 8, its journal kept, its new tables there and its view showing exact decimals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "conformance/runs_conformance.h"
#include "pg_testdb.h"
#include "store/store.h"

#define TEST_DB "tl_unit_store_runs_pg"
static char pg_url[1100];

static int fresh(void **state)
{
    (void)state;
    return pg_testdb_reset(pg_url);
}

/* The first column of the first row of sql, as text ("NULL" for NULL). */
static void sql_is(PGconn *c, const char *sql, const char *want)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        print_error("%s: %s", sql, PQerrorMessage(c));
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    const char *got = PQntuples(r) == 0 ? "" : PQgetisnull(r, 0, 0) ? "NULL" : PQgetvalue(r, 0, 0);
    assert_string_equal(got, want);
    PQclear(r);
}

static void test_migrates_v7(void **state)
{
    (void)state;
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, &err), 0);
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = TL_EV_KILL_SWITCH;
    ev.ts_ns = 1;
    strcpy(ev.workspace, "desk");
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), 0);
    tl_store_close(&s);
    assert_int_equal(pg_testdb_sql(pg_url, "DROP TABLE run_plans, run_variants CASCADE;"
                                           " UPDATE tradeloop_meta SET value = '7'"
                                           " WHERE key = 'schema_version'"),
                     0);
    PGconn *c = pg_testdb_connect(pg_url);
    sql_is(c, "SELECT count(*) FROM pg_class WHERE relname LIKE 'run\\_%'", "0");
    assert_int_equal(tl_store_open_read(&s, pg_url, NULL, &err), TL_EVERSION);
    assert_non_null(strstr(err.msg, "older"));
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, &err), 0);
    assert_int_equal(s.high_water, 1);
    assert_int_equal(tl_runs_conformance_put_sample(&s, &err), 0);
    tl_store_close(&s);
    sql_is(c, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", "8");
    sql_is(c, "SELECT count(*) FROM trade_events", "1");
    sql_is(c,
           "SELECT string_agg(relname, ';' ORDER BY relname) FROM pg_class WHERE relname LIKE "
           "'run\\_%' AND relname NOT LIKE '%pkey'",
           "run_plans;run_plans_created;run_variants;run_variants_ord;run_variants_v");
    sql_is(c,
           "SELECT kind || ' ' || status || ' ' || return_pct || ' ' || max_drawdown_pct || ' ' ||"
           " coalesce(sharpe::text, 'NULL') || ' ' || win_rate || ' ' ||"
           " coalesce(profit_factor::text, 'NULL') || ' ' || ending_equity || ' ' || finished"
           " FROM run_variants_v",
           "baseline done -1.5 0.00000001 NULL 0 NULL 985 2025-01-01 00:00:00+00");
    PQfinish(c);
}

int main(void)
{
    if (pg_testdb_create(TEST_DB, PG_TESTDB_UTC, pg_url, sizeof pg_url) != 0)
        return 1;
    int failed = tl_runs_conformance_run("runs_postgresql", pg_url, 1, pg_testdb_reset);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_migrates_v7, fresh),
    };
    failed += cmocka_run_group_tests_name("store_runs_pg", tests, NULL, NULL);
    if (pg_testdb_drop(TEST_DB) != 0)
        failed++;
    return failed ? 1 : 0;
}
