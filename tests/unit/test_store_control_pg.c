/*
 * test_store_control_pg.c -- the control inbox and status documents on a real PostgreSQL server.
 *
 * ctest starts the server (fixture pg_server_start) and names the file holding its URL in
 * TL_PG_URL_FILE; without it this test fails. It works in a database of its own. The shared
 * suite first (tests/conformance/control_conformance.c), then what only PostgreSQL shows: a
 * request written while an engine's batch is open on another session, ids that become visible
 * in ascending order even when two requests overlap (the second waits for the first to commit),
 * and a version 3 database migrated to version 4.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "conformance/control_conformance.h"
#include "pg_testdb.h"
#include "store/store.h"

#define TEST_DB "tl_unit_store_control_pg"
static char pg_url[1100];

static int fresh(void **state)
{
    (void)state;
    return pg_testdb_reset(pg_url);
}

static long sql_long(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    long v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

static void open_ok(tl_store *s)
{
    tl_err err = {0};
    int rc = tl_store_open(s, pg_url, NULL, NULL, &err);
    if (rc != 0)
        print_error("open: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

static tl_event kill_event(void)
{
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = TL_EV_KILL_SWITCH;
    strcpy(ev.workspace, "desk");
    return ev;
}

/* The engine's batch is open (its rows written, not committed) on one session; the request on
 * another commits at once: the two touch no common row or lock. */
static void test_put_during_engine_batch(void **state)
{
    (void)state;
    tl_store engine, req;
    open_ok(&engine);
    open_ok(&req);
    tl_event ev = kill_event();
    ev.seq = 1;
    tl_store_batch b = {.events = &ev, .n_events = 1};
    assert_int_equal(engine.ops->begin(engine.state, NULL), 0);
    assert_int_equal(engine.ops->write(engine.state, &b, NULL), 0);
    uint64_t id = 0;
    tl_err err = {0};
    assert_int_equal(tl_store_control_put(&req, "kill", "mid-batch", 1, &id, &err), 0);
    PGconn *c = pg_testdb_connect(pg_url);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM control"), 1);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM trade_events"), 0);
    assert_int_equal(engine.ops->commit(engine.state, NULL), 0);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM trade_events"), 1);
    PQfinish(c);
    tl_store_close(&req);
    tl_store_close(&engine);
}

typedef struct put_job {
    tl_store *s;
    int rc;
    uint64_t id;
} put_job;

static void *put_thread(void *arg)
{
    put_job *j = arg;
    j->rc = tl_store_control_put(j->s, "release", "second", 2, &j->id, NULL);
    return NULL;
}

/* A first requester's transaction holds id 1, uncommitted; a second request must not become
 * visible (as id 2) before it, or an engine that read id 2 would ask for rows after 2 and never
 * see 1. The second waits on the table lock: seen in pg_locks, then released by the commit. */
static void test_ids_visible_in_order(void **state)
{
    (void)state;
    tl_store s;
    open_ok(&s);
    PGconn *first = pg_testdb_connect(pg_url), *watch = pg_testdb_connect(pg_url);
    /* A bare INSERT, as a writer that takes no lock of its own: the put's lock must wait for
     * it all the same. */
    pg_testdb_ok(first,
                 "BEGIN; INSERT INTO control (ts_ns, command, arg) VALUES (1, 'kill', 'first')");
    put_job j = {&s, -1, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, put_thread, &j), 0);
    /* Wait (for an event, not a time) until the request is queued behind the lock. */
    long waiting = 0;
    for (int i = 0; i < 3000 && waiting == 0; i++) {
        waiting = sql_long(watch, "SELECT count(*) FROM pg_locks WHERE NOT granted"
                                  " AND relation = 'control'::regclass");
        if (waiting == 0) {
            struct timespec ms = {0, 10 * 1000 * 1000};
            nanosleep(&ms, NULL);
        }
    }
    assert_int_equal(waiting, 1);
    assert_int_equal(sql_long(watch, "SELECT count(*) FROM control"), 0);
    pg_testdb_ok(first, "COMMIT");
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(j.rc, 0);
    assert_int_equal(j.id, 2);
    tl_control_row rows[3];
    size_t n = 0;
    assert_int_equal(tl_store_control_pending(&s, 0, rows, 3, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].arg, "first");
    assert_string_equal(rows[1].arg, "second");
    PQfinish(watch);
    PQfinish(first);
    tl_store_close(&s);
}

/* A version 3 database (the same without the two tables) is refused by a reader, migrated by a
 * writer, and keeps its journal; a newer version is refused by both. */
static void test_migrates_v3(void **state)
{
    (void)state;
    tl_store s;
    tl_err err = {0};
    open_ok(&s);
    tl_event ev = kill_event();
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, NULL), 0);
    tl_store_close(&s);
    PGconn *c = pg_testdb_connect(pg_url);
    pg_testdb_ok(c, "DROP TABLE control, loop_status, quotes, lp_quotes, executions CASCADE;"
                    " UPDATE tradeloop_meta SET value = '3' WHERE key = 'schema_version'");
    assert_int_equal(tl_store_open_read(&s, pg_url, NULL, &err), TL_EVERSION);
    assert_non_null(strstr(err.msg, "older"));
    open_ok(&s);
    assert_int_equal(s.high_water, 1);
    uint64_t id = 0;
    assert_int_equal(tl_store_control_put(&s, "kill", "after migrating", 1, &id, &err), 0);
    assert_int_equal(id, 1);
    assert_int_equal(tl_store_status_put(&s, "loop", 2, "{}", &err), 0);
    tl_store_close(&s);
    assert_int_equal(sql_long(c, "SELECT value::int FROM tradeloop_meta"
                                 " WHERE key = 'schema_version'"),
                     TL_STORE_SCHEMA_VERSION);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM pg_indexes"
                                 " WHERE indexname = 'control_pending'"),
                     1);
    pg_testdb_ok(c, "UPDATE tradeloop_meta SET value = '99' WHERE key = 'schema_version'");
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, &err), TL_EVERSION);
    assert_int_equal(tl_store_open_read(&s, pg_url, NULL, &err), TL_EVERSION);
    assert_non_null(strstr(err.msg, "newer"));
    PQfinish(c);
}

int main(void)
{
    if (pg_testdb_create(TEST_DB, 0, pg_url, sizeof pg_url) != 0)
        return 1;
    int failed = tl_control_conformance_run("control_postgresql", pg_url, 1, pg_testdb_reset);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_put_during_engine_batch, fresh),
        cmocka_unit_test_setup(test_ids_visible_in_order, fresh),
        cmocka_unit_test_setup(test_migrates_v3, fresh),
    };
    failed += cmocka_run_group_tests_name("store_control_pg", tests, NULL, NULL);
    if (pg_testdb_drop(TEST_DB) != 0)
        failed++;
    return failed ? 1 : 0;
}
