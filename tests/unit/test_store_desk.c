/*
 * test_store_desk.c -- the RFQ desk's rows on the memory and SQLite stores (the shared suite,
 * tests/conformance/desk_conformance.c; PostgreSQL runs it in test_store_desk_pg.c), and what
 * only a dispatcher test can show: an older backend table refuses the rows rather than drop them.
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

#include "conformance/desk_conformance.h"
#include "store/desk_rows.h"
#include "store/store.h"
#include "tradeloop/order.h"

static char dir[64];

static int old_open(void *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    (void)url;
    return tl_store_mem_ops.open(st, "mem:", opt, err);
}

/* A version 2 table (mem's, cut back): the desk's slots are never read (TL_ENOTSUP), and a batch
 * with desk rows is refused instead of silently losing them. */
static void test_older_table_refuses_rows(void **state)
{
    (void)state;
    tl_store_ops old = tl_store_mem_ops;
    old.version = TL_STORE_OPS_VERSION_V2;
    old.scheme = "oldmem";
    old.open = old_open;
    const tl_store_ops *extra[] = {&old, NULL};
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, "oldmem://x", NULL, extra, &err), 0);
    tl_quote_row q;
    memset(&q, 0, sizeof q);
    strcpy(q.workspace, "desk");
    strcpy(q.quote_id, "Q1");
    strcpy(q.symbol, "BTCUSDT");
    strcpy(q.amount_asset, "BTC");
    strcpy(q.lp, "LP-1");
    q.amount = 1;
    q.event = TL_QUOTE_LOCKED;
    tl_store_batch b = {.quotes = &q, .n_quotes = 1};
    assert_int_equal(tl_store_append_batch(&s, NULL, 0, &b, &err), TL_ENOTSUP);
    assert_non_null(strstr(err.msg, "no desk tables"));
    size_t n = 0;
    assert_int_equal(tl_store_quotes_recent(&s, &q, 1, &n, &err), TL_ENOTSUP);
    /* Its control slots (version 2) still answer. */
    uint64_t id = 0;
    assert_int_equal(tl_store_control_put(&s, "kill", "", 1, &id, &err), 0);
    tl_store_close(&s);
}

/* The first column of every row of sql, joined by ';'. */
static void rows_are(sqlite3 *db, const char *sql, const char *want)
{
    sqlite3_stmt *q;
    char got[512] = "";
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t n = strlen(got);
        snprintf(got + n, sizeof got - n, "%s%s", n ? ";" : "", sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    assert_string_equal(got, want);
}

/* A version 4 file (the desk's tables and views dropped) is refused by a reader, migrated by a
 * writer with its journal kept, and its new views read as exact decimals. */
static void test_sqlite_migrates_v4(void **state)
{
    (void)state;
    char path[128], url[160];
    snprintf(path, sizeof path, "%s/v4.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", path);
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, url, NULL, NULL, &err), 0);
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = TL_EV_KILL_SWITCH;
    ev.ts_ns = 1;
    strcpy(ev.workspace, "desk");
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), 0);
    tl_store_close(&s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP VIEW quotes_v; DROP VIEW lp_quotes_v; DROP VIEW "
                                  "executions_v; DROP TABLE quotes; DROP TABLE lp_quotes; DROP "
                                  "TABLE executions; UPDATE tradeloop_meta SET value = '4' WHERE "
                                  "key = 'schema_version'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(tl_store_open_read(&s, url, NULL, &err), TL_EVERSION);
    assert_int_equal(tl_store_open(&s, url, NULL, NULL, &err), 0);
    assert_int_equal(s.high_water, 1);
    tl_quote_row q;
    memset(&q, 0, sizeof q);
    strcpy(q.workspace, "desk");
    strcpy(q.quote_id, "Q1");
    q.ts_ns = 1735689600000000000LL;
    strcpy(q.symbol, "BTCUSDT");
    q.side = TL_SIDE_SELL;
    q.amount = 150000000;
    strcpy(q.amount_asset, "BTC");
    strcpy(q.lp, "LP-1");
    q.lp_price = 10000000000000LL;
    q.client_price = 9995000000000LL;
    q.valid_until_ns = q.ts_ns + 8000000000LL;
    q.event = TL_QUOTE_LOCKED;
    tl_store_batch b = {.quotes = &q, .n_quotes = 1};
    assert_int_equal(tl_store_append_batch(&s, NULL, 0, &b, &err), 0);
    tl_store_close(&s);
    rows_are(db, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", "8");
    rows_are(db,
             "SELECT side || ' ' || amount || ' ' || lp_price || ' ' || client_price || ' ' || "
             "time || ' ' || valid_until || ' ' || event FROM quotes_v",
             "SELL 1.5 100000 99950 2025-01-01T00:00:00.000000000Z "
             "2025-01-01T00:00:08.000000000Z locked");
    sqlite3_close(db);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tl_quote_event_name(TL_QUOTE_CANCELED), "canceled");
    assert_null(tl_quote_event_name(0));
    assert_int_equal(tl_lpq_status_parse("late"), TL_LPQ_LATE);
    assert_int_equal(tl_lpq_status_parse("LATE"), 0);
    assert_int_equal(tl_exec_status_parse("FAILED"), TL_EXEC_FAILED);
    assert_int_equal(tl_desk_side_parse("SELL"), TL_SIDE_SELL);
    assert_int_equal(tl_desk_side_parse("sell"), -1);
    tl_err err = {0};
    assert_int_equal(tl_execution_id_validate("E20250101-235959-999", &err), 0);
    assert_int_equal(tl_execution_id_validate("E20250101-235959-99", &err), TL_EINVAL);
    assert_int_equal(tl_execution_id_validate("E20250101-235959-9999", &err), TL_EINVAL);
    assert_int_equal(tl_execution_id_validate("X20250101-235959-999", &err), TL_EINVAL);
    assert_int_equal(tl_execution_id_validate("E2025010a-235959-999", &err), TL_EINVAL);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tl-desk-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    char tmpl[128];
    snprintf(tmpl, sizeof tmpl, "sqlite:%s/d%%d.db", dir);
    int failed = tl_desk_conformance_run("desk_mem", "mem:", 0, NULL);
    failed += tl_desk_conformance_run("desk_sqlite", tmpl, 1, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_older_table_refuses_rows),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_sqlite_migrates_v4),
    };
    failed += cmocka_run_group_tests_name("store_desk", tests, NULL, NULL);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        failed++;
    return failed ? 1 : 0;
}
