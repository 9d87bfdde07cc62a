/*
 * test_store_orders_pg.c -- the orders table read back on a real PostgreSQL server.
 *
 * ctest starts the server (fixture pg_server_start) and names the file holding its URL in
 * TL_PG_URL_FILE; without it this test fails. It works in a database of its own. The shared
 * suite first (tests/conformance/orders_conformance.c); then the plans of the reads, as the
 * store's own session runs them (its prepared statements, generic plans, enable_sort off): the
 * newest orders by an index read backwards, no sort; then a version 5 database migrated to
 * version 6.
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

#include "conformance/orders_conformance.h"
#include "pg_testdb.h"
#include "store/pg/pg.h"
#include "store/store.h"

#define TEST_DB "tl_unit_store_orders_pg"
static char pg_url[1100];

static int fresh(void **state)
{
    (void)state;
    return pg_testdb_reset(pg_url);
}

/* The plan of a statement on the store's own session, every line joined. */
static void plan_of(tl_store *s, const char *explain, char *out, size_t cap)
{
    tl__pg *pg = s->state;
    PGresult *r = PQexec(pg->conn, explain);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        print_error("%s: %s", explain, PQerrorMessage(pg->conn));
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; i < PQntuples(r) && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s\n", PQgetvalue(r, i, 0));
    PQclear(r);
}

/* 20,000 orders in 4 workspaces, analyzed: the newest 20 come from an index read backwards,
 * with no sort, of every workspace and of one. */
static void test_plans(void **state)
{
    (void)state;
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, &err), 0);
    enum { N = 20000 };
    tl_event *evs = calloc(N, sizeof *evs);
    assert_non_null(evs);
    for (int i = 0; i < N; i++) {
        evs[i].type = TL_EV_ORDER_SUBMITTED;
        evs[i].ts_ns = 1700000000000000000LL + i;
        snprintf(evs[i].workspace, sizeof evs[i].workspace, "ws%d", i % 4);
        snprintf(evs[i].order_id, sizeof evs[i].order_id, "o%d", i);
        strcpy(evs[i].symbol, "BTCUSDT");
        evs[i].qty = TL_FIXED_INT(1);
    }
    assert_int_equal(tl_store_append(&s, evs, N, NULL, 0, NULL, 0, &err), 0);
    free(evs);
    assert_int_equal(pg_testdb_sql(pg_url, "ANALYZE orders"), 0);
    char plan[4096];
    plan_of(&s, "EXPLAIN EXECUTE tl_orders_recent(20)", plan, sizeof plan);
    assert_non_null(strstr(plan, "Index Scan Backward using orders_created"));
    assert_null(strstr(plan, "Sort"));
    plan_of(&s, "EXPLAIN EXECUTE tl_orders_recent_ws(20, 'ws1')", plan, sizeof plan);
    assert_non_null(strstr(plan, "Index Scan Backward using orders_ws_created"));
    assert_null(strstr(plan, "Sort"));
    tl_order_row r[20];
    size_t n = 0;
    assert_int_equal(tl_store_orders_recent(&s, "ws1", r, 20, &n, &err), 0);
    assert_int_equal(n, 20);
    assert_string_equal(r[0].order_id, "o19997");
    assert_string_equal(r[19].order_id, "o19921");
    tl_order_counts k;
    assert_int_equal(tl_store_order_counts(&s, "ws1", &k, &err), 0);
    assert_int_equal(k.total, N / 4);
    tl_store_close(&s);
}

/* A version 5 database: refused by a reader, migrated by a writer, its orders kept. */
static void test_migrates_v5(void **state)
{
    (void)state;
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, &err), 0);
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = TL_EV_ORDER_SUBMITTED;
    ev.ts_ns = 1;
    strcpy(ev.workspace, "w");
    strcpy(ev.order_id, "o1");
    strcpy(ev.symbol, "BTCUSDT");
    ev.qty = TL_FIXED_INT(1);
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), 0);
    tl_store_close(&s);
    assert_int_equal(pg_testdb_sql(pg_url, "DROP INDEX orders_created, orders_ws_created;"
                                           " UPDATE tradeloop_meta SET value = '5'"
                                           " WHERE key = 'schema_version'"),
                     0);
    assert_int_equal(tl_store_open_read(&s, pg_url, NULL, &err), TL_EVERSION);
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, &err), 0);
    tl_order_row r[2];
    size_t n = 0;
    assert_int_equal(tl_store_orders_recent(&s, "w", r, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].order_id, "o1");
    char plan[4096];
    plan_of(&s, "EXPLAIN EXECUTE tl_orders_recent_ws(20, 'w')", plan, sizeof plan);
    assert_non_null(strstr(plan, "orders_ws_created"));
    tl_store_close(&s);
}

int main(void)
{
    if (pg_testdb_create(TEST_DB, 0, pg_url, sizeof pg_url) != 0)
        return 1;
    int failed = tl_orders_conformance_run("orders_postgresql", pg_url, 1, pg_testdb_reset);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_plans, fresh),
        cmocka_unit_test_setup(test_migrates_v5, fresh),
    };
    failed += cmocka_run_group_tests_name("store_orders_pg", tests, NULL, NULL);
    if (pg_testdb_drop(TEST_DB) != 0)
        failed++;
    return failed ? 1 : 0;
}
