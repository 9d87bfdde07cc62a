/*
 * test_store_desk_pg.c -- the RFQ desk's rows on a real PostgreSQL server.
 *
 * ctest starts the server (fixture pg_server_start) and names the file holding its URL in
 * TL_PG_URL_FILE; without it this test fails. It works in a database of its own. The shared
 * suite first (tests/conformance/desk_conformance.c), then a version 4 database migrated to
 * version 5, its journal kept and its new views showing exact decimals.
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

#include "conformance/desk_conformance.h"
#include "pg_testdb.h"
#include "store/store.h"
#include "tradeloop/order.h"

#define TEST_DB "tl_unit_store_desk_pg"
static char pg_url[1100];

static int fresh(void **state)
{
    (void)state;
    return pg_testdb_reset(pg_url);
}

/* The first column of the first row of sql, as text. */
static void sql_is(PGconn *c, const char *sql, const char *want)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        print_error("%s: %s", sql, PQerrorMessage(c));
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_string_equal(PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "", want);
    PQclear(r);
}

/* A version 4 database (without the desk's tables) is refused by a reader, migrated by a
 * writer, keeps its journal, and takes desk rows whose views read as exact decimals. */
static void test_migrates_v4(void **state)
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
    assert_int_equal(pg_testdb_sql(pg_url, "DROP TABLE quotes, lp_quotes, executions CASCADE;"
                                           " UPDATE tradeloop_meta SET value = '4'"
                                           " WHERE key = 'schema_version'"),
                     0);
    assert_int_equal(tl_store_open_read(&s, pg_url, NULL, &err), TL_EVERSION);
    assert_non_null(strstr(err.msg, "older"));
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, &err), 0);
    assert_int_equal(s.high_water, 1);
    tl_execution_row e;
    memset(&e, 0, sizeof e);
    strcpy(e.execution_id, "E20250101-000000-000");
    e.ts_ns = 1735689600000000000LL;
    strcpy(e.workspace, "desk");
    strcpy(e.quote_id, "Q1");
    e.status = TL_EXEC_SUCCESS;
    strcpy(e.lp, "LP-1");
    e.hedge_side = TL_SIDE_BUY;
    e.pnl = 7500000000; /* 75 */
    strcpy(e.pnl_asset, "USDT");
    e.pnl_after_fees = -150000000; /* -1.5 */
    e.pnl_bps = 499750;            /* 0.0049975 */
    tl_store_batch b = {.executions = &e, .n_executions = 1};
    assert_int_equal(tl_store_append_batch(&s, NULL, 0, &b, &err), 0);
    tl_store_close(&s);
    PGconn *c = PQconnectdb(pg_url);
    sql_is(c, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", "8");
    sql_is(c,
           "SELECT pnl || ' ' || pnl_after_fees || ' ' || pnl_bps || ' ' || time"
           " FROM executions_v",
           "75 -1.5 0.0049975 2025-01-01 00:00:00+00");
    PQfinish(c);
}

int main(void)
{
    if (pg_testdb_create(TEST_DB, PG_TESTDB_UTC, pg_url, sizeof pg_url) != 0)
        return 1;
    int failed = tl_desk_conformance_run("desk_postgresql", pg_url, 1, pg_testdb_reset);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_migrates_v4, fresh),
    };
    failed += cmocka_run_group_tests_name("store_desk_pg", tests, NULL, NULL);
    if (pg_testdb_drop(TEST_DB) != 0)
        failed++;
    return failed ? 1 : 0;
}
