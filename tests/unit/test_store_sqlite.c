/*
 * test_store_sqlite.c -- the SQLite journal backend: the shared conformance suite, then what only
 * SQLite has: the tables themselves (read here with sqlite3 directly), the files it must refuse
 * (foreign, garbage, truncated, newer, read-only, missing directory), pragmas, a full disk, a
 * lock held by another process, and corruption met after open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance/store_conformance.h"
#include "store/sqlite/sqlite_int.h"
#include "store/store.h"
#include "tradeloop/order.h"

#define T0 1700000000000000000LL

/* ---- fixture: one fresh directory per test --------------------------------------------- */

typedef struct fx {
    char dir[64];
    char path[128]; /* dir/t.db */
    char url[160];  /* sqlite:dir/t.db */
} fx;

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/tl-sqlite-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    remove_dir(f->dir);
    free(f);
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static void set_str(char *dst, size_t size, const char *src)
{
    size_t len = strlen(src);
    assert_true(len < size);
    memset(dst, 0, size);
    memcpy(dst, src, len);
}

static tl_event ev_make(int type, const char *order_id, int status)
{
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (uint16_t)type;
    ev.status = (uint8_t)status;
    ev.ts_ns = T0;
    set_str(ev.workspace, sizeof ev.workspace, "desk");
    set_str(ev.order_id, sizeof ev.order_id, order_id ? order_id : "");
    set_str(ev.symbol, sizeof ev.symbol, "BTCUSDT");
    return ev;
}

static tl_event submitted(const char *order_id, tl_side side, tl_fixed qty, tl_fixed price)
{
    tl_event ev = ev_make(TL_EV_ORDER_SUBMITTED, order_id, TL_OS_PENDING_NEW);
    ev.side = (uint8_t)side;
    ev.qty = qty;
    ev.price = price;
    return ev;
}

static tl_event fill(const char *order_id, const char *trade_id, tl_fixed qty, int status)
{
    tl_event ev = ev_make(TL_EV_ORDER_FILLED, order_id, status);
    set_str(ev.trade_id, sizeof ev.trade_id, trade_id);
    ev.qty = qty;
    ev.price = TL_FIXED_INT(50000) + 1;
    ev.fee = 12345;
    return ev;
}

static int open_store(tl_store *s, const char *url, tl_durability d, tl_err *err)
{
    tl_store_options o = {d};
    return tl_store_open(s, url, &o, NULL, err);
}

static void open_ok(tl_store *s, const char *url)
{
    tl_err err = {0};
    int rc = open_store(s, url, TL_DURABILITY_FULL, &err);
    if (rc != 0)
        print_error("open %s: %s\n", url, err.msg);
    assert_int_equal(rc, 0);
}

static void append_ok(tl_store *s, tl_event *ev, size_t n)
{
    tl_err err = {0};
    int rc = tl_store_append(s, ev, n, NULL, 0, NULL, 0, &err);
    if (rc != 0)
        print_error("append: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

/* Opening url must fail with code, and the message must contain each of the needles. */
static void open_refused(const char *url, int code, const char *needle1, const char *needle2)
{
    tl_store s;
    tl_err err = {0};
    int rc = open_store(&s, url, TL_DURABILITY_FULL, &err);
    if (rc != code)
        print_error("open %s: %s (%s)\n", url, err.msg, tl_errname(rc));
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    if (needle1 != NULL && strstr(err.msg, needle1) == NULL)
        fail_msg("message '%s' lacks '%s'", err.msg, needle1);
    if (needle2 != NULL && strstr(err.msg, needle2) == NULL)
        fail_msg("message '%s' lacks '%s'", err.msg, needle2);
}

static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                     SQLITE_OK);
    return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        print_error("%s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    assert_int_equal(rc, SQLITE_OK);
}

/* The rows of a query as one string: columns joined by '|', rows by ';' (NULL as "NULL"). */
static void raw_rows(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *q = NULL;
    size_t len = 0;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    out[0] = '\0';
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(q); c++) {
            const char *v = (const char *)sqlite3_column_text(q, c);
            int n =
                snprintf(out + len, cap - len, "%s%s", c ? "|" : (len ? ";" : ""), v ? v : "NULL");
            assert_true(n >= 0 && (size_t)n < cap - len);
            len += (size_t)n;
        }
    }
    assert_int_equal(rc, SQLITE_DONE);
    sqlite3_finalize(q);
}

static void assert_rows(sqlite3 *db, const char *sql, const char *want)
{
    char got[4096];
    raw_rows(db, sql, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s\n  got:  %s\n  want: %s", sql, got, want);
}

/* The backend's own connection, to read per-connection settings. */
static sqlite3 *conn_of(tl_store *s)
{
    assert_ptr_equal(s->ops, &tl_store_sqlite_ops);
    return ((tl__sqlite *)s->state)->db;
}

static void write_file(const char *path, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* A closed store of n plain events (no projections), so most of the file is trade_events. */
static void make_journal(const char *url, size_t n)
{
    tl_store s;
    open_ok(&s, url);
    tl_event *ev = calloc(n, sizeof *ev);
    assert_non_null(ev);
    for (size_t i = 0; i < n; i++) {
        ev[i] = ev_make(TL_EV_POLICY_EVALUATED, NULL, 0);
        snprintf(ev[i].text, sizeof ev[i].text, "policy %zu evaluated: ok", i);
    }
    append_ok(&s, ev, n);
    free(ev);
    tl_store_close(&s);
}

static int count_fn(void *ctx, const tl_event *ev)
{
    (void)ev;
    ++*(size_t *)ctx;
    return 0;
}

/* ---- the tables --------------------------------------------------------------------------- */

static void test_schema(void **state)
{
    fx *f = *state;
    tl_store s;
    open_ok(&s, f->url);
    tl_store_close(&s);

    sqlite3 *db = raw_open(f->path);
    assert_rows(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
                "accounts;control;event_types;executions;loop_status;lp_quotes;orders;positions;"
                "quotes;run_plans;run_variants;sqlite_sequence;trade_events;tradeloop_meta;trades;"
                "workspaces");
    assert_rows(db, "SELECT name FROM sqlite_schema WHERE type = 'view' ORDER BY name",
                "accounts_v;events_v;executions_v;lp_quotes_v;orders_v;positions_v;quotes_v;"
                "run_variants_v;trades_v");
    assert_rows(db, "SELECT key, value FROM tradeloop_meta ORDER BY key",
                "application|tradeloop;schema_version|8");
    /* Every event type has its name, from TL_EVENT_TYPE_MAP. */
    char want_types[32];
    snprintf(want_types, sizeof want_types, "%d|1|%d", TL_EV__MAX, TL_EV__MAX);
    assert_rows(db, "SELECT count(*), min(type), max(type) FROM event_types", want_types);
    assert_rows(db, "SELECT name FROM event_types WHERE type = 8", "ORDER_FILLED");
    /* The unique keys of the projections, and what they are made of. */
    assert_rows(db,
                "SELECT il.\"unique\", ii.name FROM pragma_index_list('orders') il, "
                "pragma_index_info(il.name) ii WHERE il.\"unique\" ORDER BY ii.seqno",
                "1|workspace;1|order_id");
    /* The newest orders' indexes (schema version 6, test_store_orders.c checks their use). */
    assert_rows(db,
                "SELECT name FROM pragma_index_list('orders') WHERE NOT \"unique\" ORDER BY name",
                "orders_created;orders_ws_created");
    assert_rows(db,
                "SELECT il.\"unique\", ii.name FROM pragma_index_list('trades') il, "
                "pragma_index_info(il.name) ii ORDER BY ii.seqno",
                "1|workspace;1|trade_id");
    assert_rows(db,
                "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('trades') "
                "ORDER BY seq",
                "orders|workspace|workspace;orders|order_id|order_id");
    /* seq is the rowid; idempotency keys and rare types have partial indexes. */
    assert_rows(db, "SELECT name, pk FROM pragma_table_info('trade_events') WHERE pk > 0", "seq|1");
    assert_rows(db, "SELECT name, partial FROM pragma_index_list('trade_events') ORDER BY name",
                "trade_events_intent_once|1;trade_events_rare|1");
    /* A scan for a rare type goes through its partial index, with or without a workspace. */
    char plan[512], sql[512];
    for (int which = TL__SQ_SCAN_RARE; which <= TL__SQ_SCAN_RARE_WS; which++) {
        snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", tl__sqlite_sql[which]);
        raw_rows(db, sql, plan, sizeof plan);
        if (strstr(plan, "INDEX trade_events_rare") == NULL)
            fail_msg("%s\n  plan: %s", sql, plan);
    }
    /* A workspace's scan reads a rowid range (from its first seq, to its last when others
     * follow), not the whole table. */
    for (int which = TL__SQ_SCAN_WS; which <= TL__SQ_SCAN_TYPE_WS_UPTO; which++) {
        snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", tl__sqlite_sql[which]);
        raw_rows(db, sql, plan, sizeof plan);
        const char *want = which >= TL__SQ_SCAN_WS_UPTO ? "rowid>? AND rowid<?" : "rowid>?";
        if (strstr(plan, want) == NULL)
            fail_msg("%s\n  plan: %s", sql, plan);
    }
    /* Money is INTEGER units (STRICT: nothing else fits). */
    assert_rows(db,
                "SELECT name, type FROM pragma_table_info('orders') WHERE name IN "
                "('quantity', 'price', 'filled_qty') ORDER BY cid",
                "quantity|INTEGER;price|INTEGER;filled_qty|INTEGER");
    assert_rows(db, "PRAGMA journal_mode", "wal");
    sqlite3_close(db);
}

static void test_pragmas(void **state)
{
    fx *f = *state;
    tl_store s;
    tl_err err = {0};

    assert_int_equal(open_store(&s, f->url, TL_DURABILITY_FULL, &err), 0);
    assert_rows(conn_of(&s), "PRAGMA synchronous", "2");
    assert_rows(conn_of(&s), "PRAGMA journal_mode", "wal");
    /* The trades -> orders key is checked by the write, not by SQLite on every trade row
     * (test_fill_of_unknown_order). */
    assert_rows(conn_of(&s), "PRAGMA foreign_keys", "0");
    assert_rows(conn_of(&s), "PRAGMA busy_timeout", "5000");
    tl_store_close(&s);

    assert_int_equal(open_store(&s, f->url, TL_DURABILITY_NORMAL, &err), 0);
    assert_rows(conn_of(&s), "PRAGMA synchronous", "1");
    tl_store_close(&s);

    tl_store_options bad = {(tl_durability)7};
    assert_int_equal(tl_store_open(&s, f->url, &bad, NULL, &err), TL_EINVAL);
}

/* The orders and trades rows a scenario leaves, exactly. Orders O1 and O2 live across batches
 * (one UPDATE per batch), O4 lives its whole life in one batch (one INSERT of its final row). */
static void test_projection_rows(void **state)
{
    fx *f = *state;
    tl_store s;
    open_ok(&s, f->url);

    tl_event b1[3] = {submitted("O1", TL_SIDE_BUY, TL_FIXED_INT(10), TL_FIXED_INT(100) + 5),
                      submitted("O2", TL_SIDE_SELL, TL_FIXED_INT(1), TL_FIXED_INT(7)),
                      ev_make(TL_EV_INTENT_DENIED, "O3", TL_OS_DENIED)};
    set_str(b1[2].text, sizeof b1[2].text, "max position");
    b1[1].ts_ns = T0 + 1;
    append_ok(&s, b1, 3);

    tl_event b2[3] = {ev_make(TL_EV_ORDER_ACCEPTED, "O1", TL_OS_OPEN),
                      fill("O1", "T1", TL_FIXED_INT(4), TL_OS_PARTIALLY_FILLED),
                      ev_make(TL_EV_ORDER_REJECTED, "O2", TL_OS_REJECTED)};
    b2[1].ts_ns = T0 + 10;
    set_str(b2[2].text, sizeof b2[2].text, "insufficient balance");
    append_ok(&s, b2, 3);

    tl_event b3[5] = {fill("O1", "T2", TL_FIXED_INT(6), TL_OS_FILLED),
                      submitted("O4", TL_SIDE_SELL, TL_FIXED_INT(2), TL_FIXED_INT(3)),
                      ev_make(TL_EV_ORDER_ACCEPTED, "O4", TL_OS_OPEN),
                      fill("O4", "T3", TL_FIXED_INT(2), TL_OS_FILLED),
                      ev_make(TL_EV_ORDER_CANCELED, "O99", TL_OS_CANCELED)};
    b3[0].ts_ns = T0 + 20;
    b3[1].ts_ns = T0 + 30;
    b3[3].ts_ns = T0 + 31;
    b3[3].side = TL_SIDE_SELL;
    append_ok(&s, b3, 5);

    /* An event of an order before its creation in the same batch changes nothing. */
    tl_event b4[2] = {ev_make(TL_EV_ORDER_ACCEPTED, "O5", TL_OS_OPEN),
                      submitted("O5", TL_SIDE_BUY, TL_FIXED_INT(1), TL_FIXED_INT(1))};
    append_ok(&s, b4, 2);
    tl_store_close(&s);

    sqlite3 *db = raw_open(f->path);
    assert_rows(db,
                "SELECT workspace, order_id, symbol, side, quantity, price, status, filled_qty, "
                "created_at - 1700000000000000000, filled_at - 1700000000000000000, "
                "reject_reason FROM orders ORDER BY order_id",
                "desk|O1|BTCUSDT|BUY|1000000000|10000000005|FILLED|1000000000|0|20|;"
                "desk|O2|BTCUSDT|SELL|100000000|700000000|REJECTED|0|1|NULL|insufficient "
                "balance;"
                "desk|O3|BTCUSDT|BUY|0|0|DENIED|0|0|NULL|max position;"
                "desk|O4|BTCUSDT|SELL|200000000|300000000|FILLED|200000000|30|31|;"
                "desk|O5|BTCUSDT|BUY|100000000|100000000|PENDING_NEW|0|0|NULL|");
    assert_rows(db,
                "SELECT workspace, trade_id, order_id, symbol, side, quantity, price, fee, "
                "ts - 1700000000000000000 FROM trades ORDER BY trade_id",
                "desk|T1|O1|BTCUSDT|BUY|400000000|5000000000001|12345|10;"
                "desk|T2|O1|BTCUSDT|BUY|600000000|5000000000001|12345|20;"
                "desk|T3|O4|BTCUSDT|SELL|200000000|5000000000001|12345|31");
    assert_rows(db, "SELECT count(*) FROM trade_events", "13");
    assert_rows(db, "PRAGMA foreign_key_check", "");
    assert_rows(db, "PRAGMA integrity_check", "ok");
    sqlite3_close(db);
}

/* A fill of an order that is not in orders breaks the foreign key: refused, nothing kept. The
 * write checks it (SQLite's own check is off), whether the order would come from the same batch
 * or an earlier one, in the fill's own workspace. */
static void test_fill_of_unknown_order(void **state)
{
    fx *f = *state;
    tl_store s;
    tl_err err = {0};
    open_ok(&s, f->url);
    tl_event b[2] = {submitted("O1", TL_SIDE_BUY, TL_FIXED_INT(1), TL_FIXED_INT(1)),
                     fill("O404", "T1", TL_FIXED_INT(1), TL_OS_FILLED)};
    assert_int_equal(tl_store_append(&s, b, 2, NULL, 0, NULL, 0, &err), TL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "T1"));
    assert_int_equal(s.high_water, 0);
    /* A fill without an order id references nothing, so it is kept. */
    tl_event orphan = fill("", "T9", TL_FIXED_INT(1), TL_OS_FILLED);
    append_ok(&s, &orphan, 1);

    /* O1 from an earlier batch: its fills are kept; in another workspace it is unknown. */
    tl_event sub = submitted("O1", TL_SIDE_BUY, TL_FIXED_INT(2), TL_FIXED_INT(1));
    append_ok(&s, &sub, 1);
    tl_event later[2] = {fill("O1", "T2", TL_FIXED_INT(1), TL_OS_PARTIALLY_FILLED),
                         fill("O1", "T3", TL_FIXED_INT(1), TL_OS_FILLED)};
    set_str(later[1].workspace, sizeof later[1].workspace, "other");
    err = (tl_err){0};
    assert_int_equal(tl_store_append(&s, later, 2, NULL, 0, NULL, 0, &err), TL_ENOTFOUND);
    if (strstr(err.msg, "trade other/T3 of order O1") == NULL)
        fail_msg("message: %s", err.msg);
    assert_int_equal(s.high_water, 2);
    set_str(later[1].workspace, sizeof later[1].workspace, "desk");
    append_ok(&s, later, 2);

    /* Filled before it is submitted, in one batch: the order is there when the trade is. */
    tl_event early[2] = {fill("O2", "T4", TL_FIXED_INT(1), TL_OS_FILLED),
                         submitted("O2", TL_SIDE_SELL, TL_FIXED_INT(1), TL_FIXED_INT(1))};
    append_ok(&s, early, 2);
    tl_store_close(&s);

    sqlite3 *db = raw_open(f->path);
    assert_rows(db, "SELECT workspace, order_id, status, filled_qty FROM orders ORDER BY order_id",
                "desk|O1|FILLED|200000000;desk|O2|PENDING_NEW|0");
    assert_rows(db, "SELECT trade_id, order_id FROM trades ORDER BY trade_id",
                "T2|O1;T3|O1;T4|O2;T9|NULL");
    assert_rows(db, "SELECT count(*), max(seq) FROM trade_events", "6|6");
    assert_rows(db, "PRAGMA foreign_key_check", "");
    sqlite3_close(db);
}

/* Rows go TL__SQ_CHUNK to a statement; a duplicate inside a chunk of trades, orders or events is
 * still named exactly (the batch is written again row by row), and nothing of it is kept. */
static void test_duplicate_in_chunk_is_named(void **state)
{
    fx *f = *state;
    enum { N = TL__SQ_CHUNK + 40 };
    tl_store s;
    tl_err err = {0};
    tl_event *ev = calloc(2 * N, sizeof *ev);
    char id[24], tid[32], want[64];
    assert_non_null(ev);
    open_ok(&s, f->url);
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "O%03d", i);
        snprintf(tid, sizeof tid, "T%03d", i == 45 ? 44 : i);
        ev[2 * i] = submitted(id, TL_SIDE_BUY, TL_FIXED_INT(1), TL_FIXED_INT(1));
        ev[2 * i + 1] = fill(id, tid, TL_FIXED_INT(1), TL_OS_FILLED);
    }
    assert_int_equal(tl_store_append(&s, ev, 2 * N, NULL, 0, NULL, 0, &err), TL_EDUPLICATE);
    if (strstr(err.msg, "trade desk/T044 of order O045") == NULL)
        fail_msg("message: %s", err.msg);
    assert_int_equal(s.high_water, 0);
    snprintf(ev[91].trade_id, sizeof ev[91].trade_id, "T045");
    append_ok(&s, ev, 2 * N);
    assert_int_equal(s.high_water, 2 * N);

    /* An order of an earlier batch submitted again, inside a chunk of new orders. */
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "%s%03d", i == 70 ? "O" : "P", i == 70 ? 7 : i);
        ev[i] = submitted(id, TL_SIDE_SELL, TL_FIXED_INT(1), TL_FIXED_INT(1));
    }
    assert_int_equal(tl_store_append(&s, ev, N, NULL, 0, NULL, 0, &err), TL_EDUPLICATE);
    if (strstr(err.msg, "inserting order desk/O007") == NULL)
        fail_msg("message: %s", err.msg);
    /* An intent emitted twice under one key, inside a chunk of events. */
    for (int i = 0; i < N; i++) {
        ev[i] = ev_make(TL_EV_INTENT_EMITTED, NULL, 0);
        snprintf(ev[i].idem_key, sizeof ev[i].idem_key, "k%d", i == 99 ? 3 : i);
    }
    assert_int_equal(tl_store_append(&s, ev, N, NULL, 0, NULL, 0, &err), TL_EEXIST);
    snprintf(want, sizeof want, "appending event seq %d", 2 * N + 100);
    if (strstr(err.msg, want) == NULL)
        fail_msg("message: %s", err.msg);
    assert_int_equal(s.high_water, 2 * N);
    tl_store_close(&s);
    free(ev);

    sqlite3 *db = raw_open(f->path);
    snprintf(want, sizeof want, "%d|%lld", N, (long long)N * 100000000);
    assert_rows(db, "SELECT count(*), sum(filled_qty) FROM orders", want);
    snprintf(want, sizeof want, "%d", N);
    assert_rows(db, "SELECT count(*) FROM trades", want);
    snprintf(want, sizeof want, "%d|%d", 2 * N, 2 * N);
    assert_rows(db, "SELECT count(*), max(seq) FROM trade_events", want);
    sqlite3_close(db);
}

typedef struct collect {
    tl_event *ev;
    size_t n, cap;
} collect;

static int collect_fn(void *ctx, const tl_event *ev)
{
    collect *c = ctx;
    assert_true(c->n < c->cap);
    c->ev[c->n++] = *ev;
    return 0;
}

/*
 * Every field comes back as written, over several chunks and batches. The write skips binding
 * a value a parameter already holds, comparing texts by their bytes: texts of one length that
 * differ (desk1/desk2), a text after an empty one and back, and values that repeat at the same
 * place of consecutive chunks must all still land in their own rows.
 */
static void test_rows_exact_across_chunks(void **state)
{
    fx *f = *state;
    enum { N = 3 * TL__SQ_CHUNK + 7 };
    tl_store s;
    tl_event *ev = calloc(N, sizeof *ev), *got = calloc(2 * N, sizeof *got);
    assert_non_null(ev);
    assert_non_null(got);
    open_ok(&s, f->url);
    for (int batch = 0; batch < 2; batch++) {
        for (int i = 0; i < N; i++) {
            int k = batch * N + i;
            ev[i] = ev_make(TL_EV_POLICY_EVALUATED, NULL, 0);
            set_str(ev[i].workspace, sizeof ev[i].workspace, k % 3 ? "desk1" : "desk2");
            if (k % 5 == 0)
                snprintf(ev[i].text, sizeof ev[i].text, "reason %d", k % 7);
            if (k % 4 == 1)
                snprintf(ev[i].idem_key, sizeof ev[i].idem_key, "key-%d", k);
            set_str(ev[i].symbol, sizeof ev[i].symbol, k % 2 ? "ETHUSDT" : "BTCUSDT");
            ev[i].ts_ns = T0 + k / 10;
            ev[i].side = (uint8_t)(k % 3);
            ev[i].qty = k % 6;
            ev[i].price = -(tl_fixed)(k % 4);
            ev[i].fee = k % 5 == 0 ? INT64_MAX : INT64_MIN;
        }
        append_ok(&s, ev, N);
        memcpy(got + batch * N, ev, N * sizeof *ev); /* with the seq the store assigned */
    }
    collect c = {calloc(2 * N, sizeof(tl_event)), 0, 2 * N};
    assert_non_null(c.ev);
    assert_int_equal(tl_store_scan(&s, NULL, collect_fn, &c, NULL), 0);
    assert_int_equal(c.n, 2 * N);
    for (size_t i = 0; i < c.n; i++) {
        assert_int_equal(c.ev[i].seq, i + 1);
        if (memcmp(&c.ev[i], &got[i], sizeof got[i]) != 0)
            fail_msg("event %zu differs (workspace '%s' vs '%s', text '%s' vs '%s')", i,
                     c.ev[i].workspace, got[i].workspace, c.ev[i].text, got[i].text);
    }
    free(c.ev);
    free(ev);
    free(got);
    tl_store_close(&s);
}

/* Two stores on one file (two processes, in effect). Writers of different workspaces both
 * append, each batch numbered from the journal's end as it is under the write lock, not from the
 * connection's own mark; a writer of a workspace another has written to since it last read is
 * refused (TL_EBUSY), learns where the journal ends, and appends once it has read again. */
static void test_second_writer_takes_seq(void **state)
{
    fx *f = *state;
    tl_store a, b;
    tl_err err = {0};
    open_ok(&a, f->url);
    open_ok(&b, f->url);
    tl_event ea[2] = {ev_make(TL_EV_KILL_SWITCH, NULL, 0), ev_make(TL_EV_RISK_FROZEN, NULL, 0)};
    append_ok(&a, ea, 2);
    tl_event eb = ev_make(TL_EV_POLICY_EVALUATED, NULL, 0);
    set_str(eb.workspace, sizeof eb.workspace, "other");
    append_ok(&b, &eb, 1); /* another workspace: after a's two, though b never read them */
    assert_int_equal(eb.seq, 3);
    /* a's workspace, from b, which has not read a's events: refused, nothing written. */
    tl_event late = ev_make(TL_EV_POLICY_EVALUATED, NULL, 0);
    assert_int_equal(tl_store_append(&b, &late, 1, NULL, 0, NULL, 0, &err), TL_EBUSY);
    assert_non_null(strstr(err.msg, "'desk'"));
    assert_int_equal(b.high_water, 3);
    /* a goes on in its own workspace after b's append. */
    append_ok(&a, ea, 2);
    assert_int_equal(ea[0].seq, 4);
    assert_int_equal(ea[1].seq, 5);
    tl_store_close(&a);
    tl_store_close(&b);

    sqlite3 *db = raw_open(f->path);
    assert_rows(db, "SELECT group_concat(seq || ':' || type || ':' || workspace, ',') FROM "
                    "trade_events",
                "1:15:desk,2:14:desk,3:2:other,4:15:desk,5:14:desk");
    sqlite3_close(db);
}

/* ---- files that must be refused ---------------------------------------------------------- */

static void test_foreign_database(void **state)
{
    fx *f = *state;
    sqlite3 *db = raw_open(f->path);
    raw_exec(db, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
                 "INSERT INTO customers (name) VALUES ('ada')");
    sqlite3_close(db);
    open_refused(f->url, TL_ECORRUPT, "not a tradeloop database", f->path);

    /* Refused untouched: not even switched to WAL. */
    db = raw_open(f->path);
    assert_rows(db, "PRAGMA journal_mode", "delete");
    assert_rows(db, "SELECT name FROM sqlite_schema", "customers");
    /* A tradeloop_meta of someone else's is not ours either. */
    raw_exec(db, "CREATE TABLE tradeloop_meta (key TEXT, value TEXT);"
                 "INSERT INTO tradeloop_meta VALUES ('application', 'other')");
    sqlite3_close(db);
    open_refused(f->url, TL_ECORRUPT, "not a tradeloop database", NULL);
}

static void test_garbage_file(void **state)
{
    fx *f = *state;
    unsigned char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 131 + 7);
    write_file(f->path, junk, sizeof junk);
    open_refused(f->url, TL_ECORRUPT, "not a tradeloop database", f->path);
    /* A short text file too. */
    write_file(f->path, "hello, world\n", 13);
    open_refused(f->url, TL_ECORRUPT, f->path, NULL);
    /* It is left as it was. */
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_size, 13);
}

static void test_empty_file_gets_schema(void **state)
{
    fx *f = *state;
    write_file(f->path, "", 0);
    tl_store s;
    open_ok(&s, f->url);
    tl_event e = ev_make(TL_EV_KILL_SWITCH, NULL, 0);
    append_ok(&s, &e, 1);
    tl_store_close(&s);
    /* A plain path without the scheme opens the same file. */
    open_ok(&s, f->path);
    assert_int_equal(s.high_water, 1);
    tl_store_close(&s);
}

static void test_truncated_file(void **state)
{
    fx *f = *state;
    make_journal(f->url, 20000);
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_true(sb.st_size > 100000);
    assert_int_equal(truncate(f->path, sb.st_size / 2), 0);
    open_refused(f->url, TL_ECORRUPT, f->path, "corrupt");
}

/* A damaged page past what open reads is found by the first call that reads it. */
static void test_corruption_found_later(void **state)
{
    fx *f = *state;
    make_journal(f->url, 20000);
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    const off_t page = 4096;
    off_t at = (sb.st_size / 2) / page * page;
    unsigned char junk[4096];
    memset(junk, 0x5a, sizeof junk);
    int fd = open(f->path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, junk, sizeof junk, at), (ssize_t)sizeof junk);
    close(fd);

    tl_store s;
    tl_err err = {0};
    int rc = open_store(&s, f->url, TL_DURABILITY_FULL, &err);
    if (rc == 0) {
        size_t n = 0;
        rc = tl_store_scan(&s, NULL, count_fn, &n, &err);
        tl_store_close(&s);
    }
    assert_int_equal(rc, TL_ECORRUPT);
    assert_non_null(strstr(err.msg, f->path));
}

static void set_schema_version(const char *path, const char *v)
{
    char sql[128];
    sqlite3 *db = raw_open(path);
    snprintf(sql, sizeof sql, "UPDATE tradeloop_meta SET value = '%s' WHERE key = 'schema_version'",
             v);
    raw_exec(db, sql);
    sqlite3_close(db);
}

static void test_newer_schema(void **state)
{
    fx *f = *state;
    make_journal(f->url, 3);
    set_schema_version(f->path, "9");
    open_refused(f->url, TL_EVERSION, "schema version 9", "supports (8)");
    set_schema_version(f->path, "two");
    open_refused(f->url, TL_ECORRUPT, "schema_version", NULL);
}

/* Version 0 is tradeloop_meta alone: opening runs every migration step, in one transaction. */
static void test_migrates_older_schema(void **state)
{
    fx *f = *state;
    sqlite3 *db = raw_open(f->path);
    raw_exec(db, "CREATE TABLE tradeloop_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
                 "INSERT INTO tradeloop_meta VALUES ('application', 'tradeloop'), "
                 "('schema_version', '0')");
    sqlite3_close(db);
    tl_store s;
    open_ok(&s, f->url);
    tl_event e = submitted("O1", TL_SIDE_BUY, 1, 1);
    append_ok(&s, &e, 1);
    tl_store_close(&s);
    db = raw_open(f->path);
    assert_rows(db, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", "8");
    assert_rows(db, "SELECT order_id FROM orders", "O1");
    sqlite3_close(db);
}

/* What version 4 added: the control inbox and the status documents (their indexes go with
 * them; sqlite_sequence, SQLite's own and undroppable, stays and is used again). */
/* What version 8 added: the run plans' tables and their view. */
#define DROP_V8 "DROP VIEW run_variants_v; DROP TABLE run_variants; DROP TABLE run_plans;"
/* What version 5 added: the RFQ desk's tables and their views. */
#define DROP_V5                                                                                    \
    DROP_V8                                                                                        \
        "DROP VIEW quotes_v; DROP VIEW lp_quotes_v; DROP VIEW executions_v; DROP TABLE quotes;"    \
        "DROP TABLE lp_quotes; DROP TABLE executions;"
#define DROP_V4 DROP_V5 "DROP TABLE control; DROP TABLE loop_status;"

/* Strips a store back to schema version 1 with raw SQL: versions 2 and 4 only added tables and
 * views (migrations are append-only), so what is left is exactly a version 1 file. */
static void downgrade_to_v1(const char *path)
{
    sqlite3 *db = raw_open(path);
    raw_exec(db, DROP_V4 "DROP VIEW events_v; DROP VIEW orders_v; DROP VIEW trades_v;"
                         "DROP VIEW positions_v; DROP VIEW accounts_v;"
                         "DROP TABLE workspaces; DROP TABLE event_types;"
                         "UPDATE tradeloop_meta SET value = '1' WHERE key = 'schema_version'");
    sqlite3_close(db);
}

/* A version 1 file opens, gains the new tables and views, and its workspaces are backfilled;
 * a reader refuses it until then (it must not migrate). */
static void test_migrates_v1(void **state)
{
    fx *f = *state;
    tl_store s;
    tl_err err = {0};
    open_ok(&s, f->url);
    tl_event b[4] = {submitted("O1", TL_SIDE_BUY, TL_FIXED_INT(1), TL_FIXED_INT(2)),
                     submitted("O2", TL_SIDE_BUY, TL_FIXED_INT(1), TL_FIXED_INT(2)),
                     fill("O1", "T1", 1000000, TL_OS_PARTIALLY_FILLED),
                     submitted("O3", TL_SIDE_SELL, TL_FIXED_INT(1), TL_FIXED_INT(2))};
    set_str(b[1].workspace, sizeof b[1].workspace, "other");
    append_ok(&s, b, 4);
    tl_store_close(&s);
    downgrade_to_v1(f->path);
    sqlite3 *db = raw_open(f->path);
    assert_rows(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('workspaces', 'events_v')",
                "0");
    sqlite3_close(db);

    assert_int_equal(tl_store_open_read(&s, f->url, NULL, &err), TL_EVERSION);
    assert_non_null(strstr(err.msg, "older"));
    open_ok(&s, f->url);
    tl_workspace_info wi;
    assert_int_equal(tl_store_workspace_info(&s, "desk", &wi, NULL), 0);
    assert_int_equal(wi.first_seq, 1);
    assert_int_equal(wi.last_seq, 4);
    tl_store_close(&s);

    db = raw_open(f->path);
    assert_rows(db, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", "8");
    assert_rows(db, "SELECT workspace, first_seq, last_seq FROM workspaces ORDER BY workspace",
                "desk|1|4;other|2|2");
    /* Version 7 dropped version 1's index of every event carrying a key. */
    assert_rows(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'trade_events_idem'", "0");
    assert_rows(db, "SELECT seq, name, qty, price, fee FROM events_v WHERE seq IN (1, 3)",
                "1|ORDER_SUBMITTED|1|2|0;3|ORDER_FILLED|0.01|50000.00000001|0.00012345");
    assert_rows(db, "SELECT order_id, quantity, filled_qty FROM orders_v WHERE order_id = 'O1'",
                "O1|1|0.01");
    assert_rows(db, "SELECT trade_id, quantity, price FROM trades_v", "T1|0.01|50000.00000001");
    sqlite3_close(db);
}

/* Version 3 added PostgreSQL's index of the fills and nothing here: a version 2 file opens, a
 * reader refusing it until then, and is current with the same tables, indexes and views. */
static void test_migrates_v2(void **state)
{
    fx *f = *state;
    make_journal(f->url, 3);
    static char before[32768], after[32768];
    const char *schema_sql = "SELECT type, name, sql FROM sqlite_schema ORDER BY name";
    sqlite3 *db = raw_open(f->path);
    raw_rows(db, schema_sql, before, sizeof before);
    raw_exec(db, DROP_V4);
    sqlite3_close(db);
    set_schema_version(f->path, "2");

    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open_read(&s, f->url, NULL, &err), TL_EVERSION);
    assert_non_null(strstr(err.msg, "older"));
    open_ok(&s, f->url);
    tl_store_close(&s);
    db = raw_open(f->path);
    assert_rows(db, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", "8");
    raw_rows(db, schema_sql, after, sizeof after);
    assert_string_equal(after, before);
    sqlite3_close(db);
}

/* A version 3 file (before the control inbox and the status documents) opens, a reader refusing
 * it until then, and gains both, exactly as a new file has them; its journal is untouched and
 * the new tables work at once, for the writer and then for a reader. */
static void test_migrates_v3(void **state)
{
    fx *f = *state;
    make_journal(f->url, 3);
    static char before[32768], after[32768];
    const char *schema_sql = "SELECT type, name, sql FROM sqlite_schema ORDER BY name";
    sqlite3 *db = raw_open(f->path);
    raw_rows(db, schema_sql, before, sizeof before);
    raw_exec(db, DROP_V4);
    assert_rows(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('control', 'loop_status')",
                "0");
    sqlite3_close(db);
    set_schema_version(f->path, "3");

    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open_read(&s, f->url, NULL, &err), TL_EVERSION);
    assert_non_null(strstr(err.msg, "older"));
    open_ok(&s, f->url);
    assert_int_equal(s.high_water, 3);
    uint64_t id = 0;
    assert_int_equal(tl_store_control_put(&s, "kill", "migrated", 5, &id, &err), 0);
    assert_int_equal(id, 1);
    assert_int_equal(tl_store_status_put(&s, "loop", 6, "{\"ok\":true}", &err), 0);
    tl_store_close(&s);

    db = raw_open(f->path);
    assert_rows(db, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", "8");
    raw_rows(db, schema_sql, after, sizeof after);
    assert_string_equal(after, before);
    assert_rows(db, "SELECT id, command, arg, taken_seq IS NULL FROM control", "1|kill|migrated|1");
    sqlite3_close(db);

    assert_int_equal(tl_store_open_read(&s, f->url, NULL, &err), 0);
    char *doc = NULL;
    int64_t ts = 0;
    assert_int_equal(tl_store_status_get(&s, "loop", &doc, &ts, &err), 0);
    assert_string_equal(doc, "{\"ok\":true}");
    assert_int_equal(ts, 6);
    free(doc);
    tl_store_close(&s);
}

/* A reader opens the file without writing to it, and cannot append. */
static void test_open_read(void **state)
{
    fx *f = *state;
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open_read(&s, f->url, NULL, &err), TL_ENOTFOUND);
    open_ok(&s, f->url);
    tl_event e = submitted("O1", TL_SIDE_BUY, 1, 1);
    append_ok(&s, &e, 1);
    tl_store_close(&s);
    chmod(f->path, 0444); /* a reader needs no write permission on the file */
    assert_int_equal(tl_store_open_read(&s, f->url, NULL, &err), 0);
    assert_int_equal(s.high_water, 1);
    e = submitted("O2", TL_SIDE_BUY, 1, 1);
    assert_int_equal(tl_store_append(&s, &e, 1, NULL, 0, NULL, 0, &err), TL_ESTATE);
    tl_store_close(&s);
    chmod(f->path, 0644);
}

static void test_missing_directory(void **state)
{
    fx *f = *state;
    char url[256], dir[200];
    snprintf(dir, sizeof dir, "%s/no/such", f->dir);
    snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
    open_refused(url, TL_EIO, dir, "No such file or directory");
    /* Nothing was created on the way. */
    snprintf(dir, sizeof dir, "%s/no", f->dir);
    struct stat sb;
    assert_int_equal(stat(dir, &sb), -1);
    /* A directory where the file should be. */
    snprintf(url, sizeof url, "sqlite:%s", f->dir);
    open_refused(url, TL_EIO, "is a directory", NULL);
    open_refused("sqlite:", TL_EINVAL, NULL, NULL);
}

/* A store that cannot be written must not open: it would take orders it cannot persist. */
static void test_read_only(void **state)
{
    fx *f = *state;
    char url[256];
    make_journal(f->url, 3);
    /* Opened read-only through a URI: SQLite then even lets BEGIN IMMEDIATE succeed. */
    snprintf(url, sizeof url, "sqlite:file:%s?mode=ro", f->path);
    open_refused(url, TL_EIO, "read-only", f->path);
    /* A write-protected file (root writes through permissions, so only as another user). */
    if (geteuid() != 0) {
        assert_int_equal(chmod(f->path, 0444), 0);
        open_refused(f->url, TL_EIO, "read-only", f->path);
        assert_int_equal(chmod(f->path, 0644), 0);
    }
    /* The URI form opens read-write when asked to. */
    tl_store s;
    snprintf(url, sizeof url, "sqlite:file:%s?mode=rw", f->path);
    open_ok(&s, url);
    assert_int_equal(s.high_water, 3);
    tl_store_close(&s);
}

/* ---- faults while running ---------------------------------------------------------------- */

/* A full disk (here: a page limit on the connection) fails the batch cleanly; once there is
 * room again the store takes batches as before. */
static void test_disk_full(void **state)
{
    fx *f = *state;
    tl_store s;
    tl_err err = {0};
    char sql[64], pages[32];
    open_ok(&s, f->url);
    tl_event e = ev_make(TL_EV_POLICY_EVALUATED, NULL, 0);
    append_ok(&s, &e, 1);
    raw_rows(conn_of(&s), "PRAGMA page_count", pages, sizeof pages);
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %s", pages);
    raw_exec(conn_of(&s), sql);

    enum { N = 5000 };
    tl_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    for (size_t i = 0; i < N; i++) {
        ev[i] = ev_make(TL_EV_POLICY_EVALUATED, NULL, 0);
        memset(ev[i].text, 'x', sizeof ev[i].text - 1);
    }
    assert_int_equal(tl_store_append(&s, ev, N, NULL, 0, NULL, 0, &err), TL_EIO);
    assert_non_null(strstr(err.msg, "disk full"));
    assert_int_equal(s.high_water, 1);

    raw_exec(conn_of(&s), "PRAGMA max_page_count = 1000000");
    append_ok(&s, ev, N);
    assert_int_equal(s.high_water, N + 1);
    size_t n = 0;
    assert_int_equal(tl_store_scan(&s, NULL, count_fn, &n, NULL), 0);
    assert_int_equal(n, N + 1);
    free(ev);
    tl_store_close(&s);
}

/* Another process holding the write lock makes a batch fail with TL_EBUSY, not hang. */
static void test_locked_by_another(void **state)
{
    fx *f = *state;
    tl_store s;
    tl_err err = {0};
    open_ok(&s, f->url);
    sqlite3_busy_timeout(conn_of(&s), 20);
    sqlite3 *other = raw_open(f->path);
    raw_exec(other, "BEGIN IMMEDIATE");
    tl_event e = ev_make(TL_EV_POLICY_EVALUATED, NULL, 0);
    assert_int_equal(tl_store_append(&s, &e, 1, NULL, 0, NULL, 0, &err), TL_EBUSY);
    assert_non_null(strstr(err.msg, "locked"));
    raw_exec(other, "ROLLBACK");
    sqlite3_close(other);
    append_ok(&s, &e, 1);
    assert_int_equal(e.seq, 1);
    tl_store_close(&s);
}

/* ---- reads ------------------------------------------------------------------------------ */

typedef struct nest {
    tl_store *s;
    size_t outer, inner;
} nest;

static int inner_fn(void *ctx, const tl_event *ev)
{
    (void)ev;
    ((nest *)ctx)->inner++;
    return 0;
}

/* A callback may scan again: the inner scan must not end the outer one. */
static int outer_fn(void *ctx, const tl_event *ev)
{
    nest *n = ctx;
    n->outer++;
    tl_scan_filter f = {.after_seq = ev->seq, .type = TL_EV_WORKSPACE_RESET};
    return tl_store_scan(n->s, &f, inner_fn, n, NULL);
}

static void test_rare_types_and_nested_scan(void **state)
{
    fx *f = *state;
    tl_store s;
    open_ok(&s, f->url);
    tl_event ev[6] = {
        ev_make(TL_EV_WORKSPACE_RESET, NULL, 0),  ev_make(TL_EV_KILL_SWITCH, NULL, 0),
        ev_make(TL_EV_POLICY_EVALUATED, NULL, 0), ev_make(TL_EV_WORKSPACE_RESET, NULL, 0),
        ev_make(TL_EV_WORKSPACE_RESET, NULL, 0),  ev_make(TL_EV_FILL_REFUSED, NULL, 0)};
    set_str(ev[3].workspace, sizeof ev[3].workspace, "other");
    ev[4].fee = TL_FIXED_INT(10000);
    append_ok(&s, ev, 6);

    size_t n = 0;
    tl_scan_filter flt = {.type = TL_EV_WORKSPACE_RESET};
    assert_int_equal(tl_store_scan(&s, &flt, count_fn, &n, NULL), 0);
    assert_int_equal(n, 3);
    n = 0;
    flt.workspace = "desk";
    assert_int_equal(tl_store_scan(&s, &flt, count_fn, &n, NULL), 0);
    assert_int_equal(n, 2);
    n = 0;
    flt.after_seq = 4;
    assert_int_equal(tl_store_scan(&s, &flt, count_fn, &n, NULL), 0);
    assert_int_equal(n, 1);

    /* Outer: every reset; inner: the resets after it (2 + 1 + 0). */
    nest nn = {&s, 0, 0};
    tl_scan_filter all = {.type = TL_EV_WORKSPACE_RESET};
    assert_int_equal(tl_store_scan(&s, &all, outer_fn, &nn, NULL), 0);
    assert_int_equal(nn.outer, 3);
    assert_int_equal(nn.inner, 3);
    tl_store_close(&s);
}

/* Conformance SQL hook: the first column of the first row, "" when none. */
static int query_db(const char *url, const char *sql, char *out, size_t cap)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_open(url + strlen("sqlite:"), &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    const unsigned char *v = rc == SQLITE_ROW ? sqlite3_column_text(q, 0) : NULL;
    snprintf(out, cap, "%s", v != NULL ? (const char *)v : "");
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        print_error("%s: %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int main(void)
{
    char dir[] = "/tmp/tl-sqlite-conf-XXXXXX";
    char url[96];
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(url, sizeof url, "sqlite:%s/t%%d.db", dir);
    tl_store_conformance_set_sql(query_db);
    int failed = tl_store_conformance_run("sqlite_conformance", url);
    remove_dir(dir);

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_schema),
        T(test_pragmas),
        T(test_projection_rows),
        T(test_fill_of_unknown_order),
        T(test_duplicate_in_chunk_is_named),
        T(test_rows_exact_across_chunks),
        T(test_second_writer_takes_seq),
        T(test_foreign_database),
        T(test_garbage_file),
        T(test_empty_file_gets_schema),
        T(test_truncated_file),
        T(test_corruption_found_later),
        T(test_newer_schema),
        T(test_migrates_older_schema),
        T(test_migrates_v1),
        T(test_migrates_v2),
        T(test_migrates_v3),
        T(test_open_read),
        T(test_missing_directory),
        T(test_read_only),
        T(test_disk_full),
        T(test_locked_by_another),
        T(test_rare_types_and_nested_scan),
    };
#undef T
    return failed + cmocka_run_group_tests_name("sqlite_backend", tests, NULL, NULL);
}
