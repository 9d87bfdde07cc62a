/*
 * test_store_runs.c -- run plans and their variants on the memory and SQLite stores (the shared
 * suite, tests/conformance/runs_conformance.c; PostgreSQL runs it in test_store_runs_pg.c), and
 * what only these backends show: an older backend table answers TL_ENOTSUP, and a version 7 SQLite
 * file is migrated to version 8 (its tables and view appear, its journal kept).
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

#include "conformance/runs_conformance.h"
#include "store/run_rows.h"
#include "store/store.h"

static char dir[64];

static int old_open(void *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    (void)url;
    return tl_store_mem_ops.open(st, "mem:", opt, err);
}

/* A version 5 table (mem's, cut back): the run slots are never read. */
static void test_older_table(void **state)
{
    (void)state;
    tl_store_ops old = tl_store_mem_ops;
    old.version = TL_STORE_OPS_VERSION_V5;
    old.scheme = "oldmem";
    old.open = old_open;
    const tl_store_ops *extra[] = {&old, NULL};
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, "oldmem://x", NULL, extra, &err), 0);
    tl_run_plan_row p;
    memset(&p, 0, sizeof p);
    assert_int_equal(tl_store_run_plan_put(&s, &p, &err), TL_ENOTSUP);
    assert_non_null(strstr(err.msg, "has no run plans"));
    tl_run_variant_row v;
    memset(&v, 0, sizeof v);
    size_t n = 0;
    assert_int_equal(tl_store_run_variant_put(&s, &v, &err), TL_ENOTSUP);
    assert_int_equal(tl_store_run_plans_recent(&s, &p, 1, &n, &err), TL_ENOTSUP);
    assert_int_equal(tl_store_run_plan_get(&s, "0123456789abcdef", &p, &err), TL_ENOTSUP);
    assert_int_equal(tl_store_run_variants(&s, "0123456789abcdef", &v, 1, &n, &err), TL_ENOTSUP);
    /* Its version 5 slots still answer. */
    tl_order_counts oc;
    assert_int_equal(tl_store_order_counts(&s, NULL, &oc, &err), 0);
    tl_store_close(&s);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tl_run_kind_name(TL_RUN_ABLATION), "ablation");
    assert_null(tl_run_kind_name(0));
    assert_null(tl_run_kind_name(4));
    assert_int_equal(tl_run_kind_parse("grid"), TL_RUN_GRID);
    assert_int_equal(tl_run_kind_parse("Grid"), 0);
    assert_string_equal(tl_run_status_name(TL_RUN_FAILED), "failed");
    assert_int_equal(tl_run_status_parse("done"), TL_RUN_DONE);
    assert_int_equal(tl_run_status_parse(NULL), 0);
    tl_err err = {0};
    assert_int_equal(tl_run_id_validate("0123456789abcdef", "id", &err), 0);
    assert_int_equal(tl_run_id_validate("0123456789abcdeF", "id", &err), TL_EINVAL);
    assert_int_equal(tl_run_id_validate(NULL, "id", &err), TL_EINVAL);
}

/* The first column of every row of sql, joined by ';' (NULL as "NULL"). */
static void rows_are(sqlite3 *db, const char *sql, const char *want)
{
    sqlite3_stmt *q;
    char got[1024] = "";
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        print_error("%s: %s\n", sql, sqlite3_errmsg(db));
    assert_non_null(q);
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t n = strlen(got);
        const unsigned char *t = sqlite3_column_text(q, 0);
        snprintf(got + n, sizeof got - n, "%s%s", n ? ";" : "", t ? (const char *)t : "NULL");
    }
    sqlite3_finalize(q);
    assert_string_equal(got, want);
}

/* A version 7 file (the run tables, index and view dropped) is refused by a reader, migrated by
 * a writer with its journal kept, and its view reads as exact decimals, NULL kept NULL. */
static void test_sqlite_migrates_v7(void **state)
{
    (void)state;
    char path[128], url[160];
    snprintf(path, sizeof path, "%s/v7.db", dir);
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
                                  "DROP VIEW run_variants_v; DROP TABLE run_variants; DROP TABLE "
                                  "run_plans; UPDATE tradeloop_meta SET value = '7' WHERE key = "
                                  "'schema_version'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    rows_are(db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'run_%'", "0");
    assert_int_equal(tl_store_open_read(&s, url, NULL, &err), TL_EVERSION);
    assert_int_equal(tl_store_open(&s, url, NULL, NULL, &err), 0);
    assert_int_equal(s.high_water, 1);
    assert_int_equal(tl_runs_conformance_put_sample(&s, &err), 0);
    tl_store_close(&s);
    rows_are(db, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", "8");
    rows_are(db, "SELECT count(*) FROM trade_events", "1");
    rows_are(db,
             "SELECT name FROM sqlite_schema WHERE name LIKE 'run_%' AND name NOT LIKE "
             "'sqlite_%' ORDER BY name",
             "run_plans;run_plans_created;run_variants;run_variants_ord;run_variants_v");
    rows_are(db,
             "SELECT kind || ' ' || status || ' ' || return_pct || ' ' || max_drawdown_pct || ' ' "
             "|| coalesce(sharpe, 'NULL') || ' ' || win_rate || ' ' || coalesce(profit_factor, "
             "'NULL') || ' ' || ending_equity || ' ' || finished FROM run_variants_v",
             "baseline done -1.5 0.00000001 NULL 0 NULL 985 2025-01-01T00:00:00.000000001Z");
    sqlite3_close(db);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tl-runs-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    char tmpl[128];
    snprintf(tmpl, sizeof tmpl, "sqlite:%s/r%%d.db", dir);
    int failed = tl_runs_conformance_run("runs_mem", "mem:", 0, NULL);
    failed += tl_runs_conformance_run("runs_sqlite", tmpl, 1, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_older_table),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_sqlite_migrates_v7),
    };
    failed += cmocka_run_group_tests_name("store_runs", tests, NULL, NULL);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        failed++;
    return failed ? 1 : 0;
}
