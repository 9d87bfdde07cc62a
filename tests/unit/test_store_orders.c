/*
 * test_store_orders.c -- the orders table read back on the memory and SQLite stores (the shared
 * suite, tests/conformance/orders_conformance.c; PostgreSQL runs it in test_store_orders_pg.c),
 * and what only these stores' tests can show: SQLite's reads of the newest orders walk an index
 * (no sort of the table, by EXPLAIN QUERY PLAN), a version 5 file is migrated to version 6, and
 * an older backend table answers TL_ENOTSUP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "conformance/orders_conformance.h"
#include "store/sqlite/sqlite_int.h"
#include "store/store.h"

static char dir[64];

/* Every line of the statement's plan, joined. */
static void plan_of(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    char q[1024];
    snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    size_t at = 0;
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW && at < cap)
        at += (size_t)snprintf(out + at, cap - at, "%s; ", sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
}

/* The newest orders come from an index read backwards: no temporary b-tree sorts the table. */
static void test_sqlite_plans(void **state)
{
    (void)state;
    char path[128], url[140], plan[1024];
    snprintf(path, sizeof path, "%s/plan.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", path);
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, url, NULL, NULL, &err), 0);
    tl_store_close(&s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    plan_of(db, tl__sqlite_orders_sql[TL__SQO_RECENT], plan, sizeof plan);
    assert_non_null(strstr(plan, "orders_created"));
    assert_null(strstr(plan, "TEMP B-TREE"));
    plan_of(db, tl__sqlite_orders_sql[TL__SQO_RECENT_WS], plan, sizeof plan);
    assert_non_null(strstr(plan, "orders_ws_created"));
    assert_null(strstr(plan, "TEMP B-TREE"));
    /* A workspace's counts read its range of the primary key, not the whole table. */
    plan_of(db, tl__sqlite_orders_sql[TL__SQO_COUNTS_WS], plan, sizeof plan);
    assert_null(strstr(plan, "SCAN orders"));
    sqlite3_close(db);
}

static int exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* A version 5 file: refused by a reader, migrated by a writer, its orders kept and read. */
static void test_sqlite_migrates_v5(void **state)
{
    (void)state;
    char path[128], url[140];
    snprintf(path, sizeof path, "%s/v5.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", path);
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, url, NULL, NULL, &err), 0);
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = TL_EV_ORDER_SUBMITTED;
    ev.ts_ns = 5;
    strcpy(ev.workspace, "w");
    strcpy(ev.order_id, "o1");
    strcpy(ev.symbol, "BTCUSDT");
    ev.qty = TL_FIXED_INT(1);
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), 0);
    tl_store_close(&s);
    assert_int_equal(exec_sql(path, "DROP INDEX orders_created; DROP INDEX orders_ws_created;"
                                    " UPDATE tradeloop_meta SET value = '5'"
                                    " WHERE key = 'schema_version'"),
                     SQLITE_OK);
    assert_int_equal(tl_store_open_read(&s, url, NULL, &err), TL_EVERSION);
    assert_int_equal(tl_store_open(&s, url, NULL, NULL, &err), 0);
    tl_order_row r[2];
    size_t n = 0;
    assert_int_equal(tl_store_orders_recent(&s, NULL, r, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].order_id, "o1");
    tl_store_close(&s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char plan[1024];
    plan_of(db, tl__sqlite_orders_sql[TL__SQO_RECENT_WS], plan, sizeof plan);
    assert_non_null(strstr(plan, "orders_ws_created"));
    sqlite3_close(db);
}

static int old_open(void *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    (void)url;
    return tl_store_mem_ops.open(st, "mem:", opt, err);
}

/* A version 4 table (mem's, cut back): the orders' slots are never read. */
static void test_older_table(void **state)
{
    (void)state;
    tl_store_ops old = tl_store_mem_ops;
    old.version = TL_STORE_OPS_VERSION_V4;
    old.scheme = "oldmem";
    old.open = old_open;
    const tl_store_ops *extra[] = {&old, NULL};
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, "oldmem://x", NULL, extra, &err), 0);
    tl_order_row r[1];
    size_t n = 0;
    tl_order_counts k;
    assert_int_equal(tl_store_orders_recent(&s, NULL, r, 1, &n, &err), TL_ENOTSUP);
    assert_int_equal(tl_store_order_counts(&s, NULL, &k, &err), TL_ENOTSUP);
    assert_non_null(strstr(err.msg, "orders"));
    tl_store_close(&s);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tl-orders-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    char tmpl[128];
    snprintf(tmpl, sizeof tmpl, "sqlite:%s/o%%d.db", dir);
    int failed = tl_orders_conformance_run("orders_mem", "mem:", 0, NULL);
    failed += tl_orders_conformance_run("orders_sqlite", tmpl, 1, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_plans),
        cmocka_unit_test(test_sqlite_migrates_v5),
        cmocka_unit_test(test_older_table),
    };
    failed += cmocka_run_group_tests_name("store_orders", tests, NULL, NULL);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        failed++;
    return failed ? 1 : 0;
}
