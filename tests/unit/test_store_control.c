/*
 * test_store_control.c -- the control inbox and status documents on memory and SQLite, and the
 * dispatcher's rules for them (test_store_control_pg.c runs the same suite on PostgreSQL).
 *
 * What only SQLite shows: the engine holds the file open in WAL mode and commits often while
 * `tradeloop kill` writes from another process. Two stores on one file stand for the two
 * processes: a request written while the engine is reading, one written while the engine holds
 * the write lock (it waits for the commit, as the busy timeout lets it), both connections with
 * that timeout, and a reader of a file it may not write.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conformance/control_conformance.h"
#include "store/sqlite/sqlite_int.h"
#include "store/store.h"

static char dir[64];
static unsigned counter;

static void file_url(char *url, size_t cap, char *path, size_t pcap)
{
    snprintf(path, pcap, "%s/own%u.db", dir, counter++);
    snprintf(url, cap, "sqlite:%s", path);
}

static void open_ok(tl_store *s, const char *url)
{
    tl_err err = {0};
    int rc = tl_store_open(s, url, NULL, NULL, &err);
    if (rc != 0)
        print_error("open %s: %s\n", url, err.msg);
    assert_int_equal(rc, 0);
}

static uint64_t append_one(tl_store *s)
{
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = TL_EV_KILL_SWITCH;
    strcpy(ev.workspace, "desk");
    assert_int_equal(tl_store_append(s, &ev, 1, NULL, 0, NULL, 0, NULL), 0);
    return ev.seq;
}

static long busy_timeout(tl_store *s)
{
    sqlite3_stmt *q = NULL;
    sqlite3 *db = ((tl__sqlite *)s->state)->db;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA busy_timeout", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long v = (long)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Every connection waits for the lock rather than fail at once: the engine's, a requester's
 * and a reader's. */
static void test_busy_timeout(void **state)
{
    (void)state;
    char url[128], path[96];
    file_url(url, sizeof url, path, sizeof path);
    tl_store engine, req, reader;
    open_ok(&engine, url);
    open_ok(&req, url);
    assert_int_equal(tl_store_open_read(&reader, url, NULL, NULL), 0);
    assert_int_equal(busy_timeout(&engine), 5000);
    assert_int_equal(busy_timeout(&req), 5000);
    assert_int_equal(busy_timeout(&reader), 5000);
    tl_store_close(&reader);
    tl_store_close(&req);
    tl_store_close(&engine);
}

typedef struct put_during {
    tl_store *req;
    int rc;
    uint64_t id;
} put_during;

/* While the engine walks its journal (a read transaction held open across the callbacks), a
 * request is written and committed: in WAL mode a reader never blocks the writer. */
static int put_in_scan(void *ctx, const tl_event *ev)
{
    (void)ev;
    put_during *p = ctx;
    if (p->id == 0)
        p->rc = tl_store_control_put(p->req, "kill", "during a scan", 1, &p->id, NULL);
    return 0;
}

static void test_put_while_engine_reads(void **state)
{
    (void)state;
    char url[128], path[96];
    file_url(url, sizeof url, path, sizeof path);
    tl_store engine, req;
    open_ok(&engine, url);
    append_one(&engine);
    append_one(&engine);
    open_ok(&req, url);
    put_during p = {&req, -1, 0};
    assert_int_equal(tl_store_scan(&engine, NULL, put_in_scan, &p, NULL), 0);
    assert_int_equal(p.rc, 0);
    tl_control_row rows[2];
    size_t n = 0;
    assert_int_equal(tl_store_control_pending(&engine, 0, rows, 2, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, p.id);
    tl_store_close(&req);
    tl_store_close(&engine);
}

static void *put_thread(void *arg)
{
    put_during *p = arg;
    tl_err err = {0};
    p->rc = tl_store_control_put(p->req, "kill", "while the engine writes", 1, &p->id, &err);
    if (p->rc != 0)
        fprintf(stderr, "put: %s\n", err.msg);
    return NULL;
}

/* The engine holds the write lock in the middle of a batch; the request waits for its commit
 * instead of failing with TL_EBUSY, then lands after it. (The request starts before the commit
 * when the thread is scheduled within the pause; if not, it merely runs after it: the test
 * cannot fail for timing, only for a request that does not wait.) */
static void test_put_waits_for_engine_commit(void **state)
{
    (void)state;
    char url[128], path[96];
    file_url(url, sizeof url, path, sizeof path);
    tl_store engine, req;
    open_ok(&engine, url);
    open_ok(&req, url);
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = TL_EV_KILL_SWITCH;
    ev.seq = 1;
    strcpy(ev.workspace, "desk");
    tl_store_batch b = {.events = &ev, .n_events = 1};
    assert_int_equal(engine.ops->begin(engine.state, NULL), 0);
    assert_int_equal(engine.ops->write(engine.state, &b, NULL), 0);
    put_during p = {&req, -1, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, put_thread, &p), 0);
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL);
    assert_int_equal(engine.ops->commit(engine.state, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.id, 1);
    tl_control_row r;
    assert_int_equal(tl_store_control_get(&engine, p.id, &r, NULL), 0);
    assert_string_equal(r.arg, "while the engine writes");
    tl_store_close(&req);
    tl_store_close(&engine);
}

/* The dashboard may run as a user who cannot write the file: it still reads the status. */
static void test_reader_of_read_only_file(void **state)
{
    (void)state;
    char url[128], path[96];
    file_url(url, sizeof url, path, sizeof path);
    tl_store s;
    open_ok(&s, url);
    assert_int_equal(tl_store_status_put(&s, "loop", 9, "{\"v\":1}", NULL), 0);
    uint64_t id = 0;
    assert_int_equal(tl_store_control_put(&s, "kill", "", 1, &id, NULL), 0);
    tl_store_close(&s);
    assert_int_equal(chmod(path, 0444), 0);
    tl_err err = {0};
    assert_int_equal(tl_store_open_read(&s, url, NULL, &err), 0);
    char *doc = NULL;
    assert_int_equal(tl_store_status_get(&s, "loop", &doc, NULL, &err), 0);
    assert_string_equal(doc, "{\"v\":1}");
    free(doc);
    tl_control_row r;
    assert_int_equal(tl_store_control_get(&s, id, &r, &err), 0);
    tl_store_close(&s);
    assert_int_equal(chmod(path, 0644), 0);
}

/* ---- the dispatcher ------------------------------------------------------------------------ */

static int memv_open(void *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    (void)url;
    return tl_store_mem_ops.open(st, "mem:", opt, err);
}

/* A version 1 table ends before the new slots: they are absent, never read. A version 2 table
 * may leave them out. Either way the calls answer TL_ENOTSUP and the journal works. */
static void test_slots_absent(void **state)
{
    (void)state;
    tl_store_ops v1 = tl_store_mem_ops, bare = tl_store_mem_ops;
    v1.version = TL_STORE_OPS_VERSION_V1;
    v1.scheme = "memv1";
    v1.open = memv_open;
    bare.scheme = "membare";
    bare.open = memv_open;
    bare.control_put = NULL;
    bare.control_pending = NULL;
    bare.control_done = NULL;
    bare.control_get = NULL;
    bare.status_put = NULL;
    bare.status_get = NULL;
    const tl_store_ops *const extra[] = {&v1, &bare, NULL};
    const char *urls[] = {"memv1://a", "membare://b"};
    for (int i = 0; i < 2; i++) {
        tl_store s;
        tl_err err = {0};
        assert_int_equal(tl_store_open(&s, urls[i], NULL, extra, &err), 0);
        uint64_t seq = append_one(&s), id = 0;
        tl_control_row r;
        size_t n;
        char *doc = NULL;
        assert_int_equal(tl_store_control_put(&s, "kill", "", 1, &id, &err), TL_ENOTSUP);
        assert_non_null(strstr(err.msg, "has no control inbox"));
        assert_int_equal(tl_store_control_pending(&s, 0, &r, 1, &n, &err), TL_ENOTSUP);
        assert_int_equal(tl_store_control_done(&s, 1, seq, 1, &err), TL_ENOTSUP);
        assert_int_equal(tl_store_control_get(&s, 1, &r, &err), TL_ENOTSUP);
        assert_int_equal(tl_store_status_put(&s, "loop", 1, "{}", &err), TL_ENOTSUP);
        assert_int_equal(tl_store_status_get(&s, "loop", &doc, NULL, &err), TL_ENOTSUP);
        tl_store_close(&s);
    }
    /* Versions other than 1 and 2 are refused at registration. */
    tl_store_ops v3 = tl_store_mem_ops;
    v3.version = TL_STORE_OPS_VERSION + 1;
    assert_int_equal(tl_store_ops_check(&v3, NULL), TL_EINVAL);
    assert_int_equal(tl_store_ops_check(&v1, NULL), 0);
}

/* A closed store, a NULL store: refused before any slot is looked at. */
static void test_closed(void **state)
{
    (void)state;
    tl_store s;
    open_ok(&s, "mem:");
    tl_store_close(&s);
    uint64_t id;
    char *doc;
    tl_control_row r;
    assert_int_equal(tl_store_control_put(&s, "kill", "", 1, &id, NULL), TL_ECLOSED);
    assert_int_equal(tl_store_control_get(&s, 1, &r, NULL), TL_ECLOSED);
    assert_int_equal(tl_store_status_get(&s, "loop", &doc, NULL, NULL), TL_ECLOSED);
    assert_int_equal(tl_store_status_put(NULL, "loop", 1, "{}", NULL), TL_EINVAL);
}

/* The validator `tradeloop kill` calls before opening anything. */
static void test_validate(void **state)
{
    (void)state;
    tl_err err = {0};
    assert_int_equal(tl_control_validate("kill", "", &err), 0);
    assert_int_equal(tl_control_validate("release", "operator said so", &err), 0);
    assert_int_equal(tl_control_validate("reset", "", &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "(kill, release, unfreeze)"));
    assert_int_equal(tl_control_validate("kill", "tab\there", &err), TL_EINVAL);
    assert_int_equal(tl_status_validate("loop", "{} {}", NULL, &err), TL_EINVAL);
    size_t len = 0;
    assert_int_equal(tl_status_validate("loop", " 42 ", &len, &err), 0);
    assert_int_equal(len, 4);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tl-control-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    char tmpl[128];
    snprintf(tmpl, sizeof tmpl, "sqlite:%s/c%%d.db", dir);
    int failed = tl_control_conformance_run("control_mem", "mem:", 0, NULL);
    failed += tl_control_conformance_run("control_sqlite", tmpl, 1, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_timeout),
        cmocka_unit_test(test_put_while_engine_reads),
        cmocka_unit_test(test_put_waits_for_engine_commit),
        cmocka_unit_test(test_reader_of_read_only_file),
        cmocka_unit_test(test_slots_absent),
        cmocka_unit_test(test_closed),
        cmocka_unit_test(test_validate),
    };
    failed += cmocka_run_group_tests_name("store_control", tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        failed++;
    return failed ? 1 : 0;
}
