/*
 * test_store_pg.c -- the PostgreSQL journal backend against a real server.
 *
 * ctest starts a throwaway server first (tests/support/pg_server.sh, fixture pg_server_start)
 * and names the file holding its URL in TL_PG_URL_FILE. Without it this test fails: a backend
 * that was never exercised must not count as passing.
 *
 * The shared conformance suite runs first, the database emptied before each of its tests. Then
 * what only PostgreSQL has: the NUMERIC(20,8) projections read back exactly with plain libpq
 * queries, the orders folded from one batch and updated across batches, a batch large enough to
 * stream its events in several chunks and to grow the buffer of its orders and trades rows, a
 * batch of snapshot rows alone, a transaction begun and ended without a write, a foreign
 * database and a newer schema refused, an older one migrated, the session settings (durability,
 * generic plans), keyset pagination across pages, the scans of the rare types and of the fills
 * through their partial indexes, two engines racing for one sequence number, and a connection
 * killed by the server (pg_terminate_backend) between and inside batches: the call that finds it
 * fails with TL_EIO, nothing is half-written, and the store goes on once the server lets it
 * reconnect.
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

#include "conformance/store_conformance.h"
#include "pg_testdb.h"
#include "store/pg/pg.h"
#include "store/store.h"
#include "tradeloop/order.h"

/* The server's URL names tradeloop_test, which other tests may use at the same time: this test
 * works in a database of its own, made from that URL, so its resets touch nobody else. */
#define TEST_DB "tl_unit_store_pg"
static char pg_url[1100];

/* ---- helpers -------------------------------------------------------------------------------- */

static void url_for_db(const char *db, char *out, size_t cap)
{
    assert_int_equal(pg_testdb_url(db, out, cap), 0);
}

/* The single value of a query as text, into buf ("<NULL>" for NULL). */
static const char *sql_value(PGconn *c, const char *sql, char *buf, size_t cap)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        print_error("%s: %s", sql, PQerrorMessage(c));
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(r), 1);
    snprintf(buf, cap, "%s", PQgetisnull(r, 0, 0) ? "<NULL>" : PQgetvalue(r, 0, 0));
    PQclear(r);
    return buf;
}

static long sql_long(PGconn *c, const char *sql)
{
    char buf[64];
    return strtol(sql_value(c, sql, buf, sizeof buf), NULL, 10);
}

/* Conformance SQL hook: the first column of the first row, "" when none. */
static int query_db(const char *url, const char *sql, char *out, size_t cap)
{
    PGconn *c = PQconnectdb(url);
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        print_error("%s: %s", sql, PQerrorMessage(c));
    snprintf(out, cap, "%s", ok && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

static void open_store(tl_store *s, const char *url, tl_durability d)
{
    tl_store_options opt = {.durability = d};
    tl_err err = {0};
    int rc = tl_store_open(s, url, &opt, NULL, &err);
    if (rc != 0)
        print_error("open: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

static void set_str(char *dst, size_t size, const char *src)
{
    assert_true(strlen(src) < size);
    memset(dst, 0, size);
    memcpy(dst, src, strlen(src));
}

static tl_event ev_make(int type, const char *ws, const char *order_id, int status)
{
    tl_event e;
    memset(&e, 0, sizeof e);
    e.type = (uint16_t)type;
    e.ts_ns = 1700000000000000000LL;
    e.status = (uint8_t)status;
    set_str(e.workspace, sizeof e.workspace, ws);
    set_str(e.order_id, sizeof e.order_id, order_id ? order_id : "");
    set_str(e.symbol, sizeof e.symbol, "BTCUSDT");
    return e;
}

static tl_event fill_make(const char *ws, const char *order_id, const char *trade_id, tl_fixed qty,
                          int status)
{
    tl_event e = ev_make(TL_EV_ORDER_FILLED, ws, order_id, status);
    set_str(e.trade_id, sizeof e.trade_id, trade_id);
    e.qty = qty;
    e.price = TL_FIXED_INT(50000);
    e.fee = 1;
    return e;
}

static int append(tl_store *s, tl_event *ev, size_t n, tl_err *err)
{
    return tl_store_append(s, ev, n, NULL, 0, NULL, 0, err);
}

static void append_ok(tl_store *s, tl_event *ev, size_t n)
{
    tl_err err = {0};
    int rc = append(s, ev, n, &err);
    if (rc != 0)
        print_error("append: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

static int fresh(void **state)
{
    (void)state;
    return pg_testdb_reset(pg_url);
}

/* ---- exact money in the NUMERIC(20,8) projections ------------------------------------------- */

static void assert_numeric_column(PGconn *c, const char *table, const char *column)
{
    char sql[256], buf[64];
    snprintf(sql, sizeof sql,
             "SELECT data_type || ' ' || numeric_precision || ',' || numeric_scale"
             " FROM information_schema.columns WHERE table_name = '%s' AND column_name = '%s'",
             table, column);
    assert_string_equal(sql_value(c, sql, buf, sizeof buf), "numeric 20,8");
}

static void test_numeric_exact(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    tl_event ev[3] = {ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O1", TL_OS_PENDING_NEW),
                      fill_make("alpha", "O1", "T1", 1, TL_OS_PARTIALLY_FILLED),
                      fill_make("alpha", "", "T-noorder", TL_FIXED_INT(2), 0)};
    ev[0].qty = TL_FIXED_MAX;
    ev[0].price = 1; /* 0.00000001 */
    ev[0].side = TL_SIDE_SELL;
    ev[1].price = TL_FIXED_MIN;
    ev[1].fee = -123456789012LL;
    tl_position_row p;
    memset(&p, 0, sizeof p);
    set_str(p.workspace, sizeof p.workspace, "alpha");
    set_str(p.symbol, sizeof p.symbol, "BTCUSDT");
    p.qty = TL_FIXED_MIN;
    p.avg_price = 6500012345678LL;
    p.realized_pnl = -5;
    p.fees = TL_FIXED_MAX;
    tl_account_row a;
    memset(&a, 0, sizeof a);
    set_str(a.workspace, sizeof a.workspace, "alpha");
    a.starting_cash = TL_FIXED_INT(10000);
    a.cash = -1;
    a.realized_pnl = TL_FIXED_MIN;
    a.fees = 99999999;
    tl_err err = {0};
    assert_int_equal(tl_store_append(&s, ev, 3, &p, 1, &a, 1, &err), 0);

    PGconn *c = pg_testdb_connect(pg_url);
    char buf[256];
    assert_numeric_column(c, "orders", "quantity");
    assert_numeric_column(c, "orders", "price");
    assert_numeric_column(c, "orders", "filled_qty");
    assert_numeric_column(c, "trades", "quantity");
    assert_numeric_column(c, "trades", "price");
    assert_numeric_column(c, "trades", "fee");
    assert_string_equal(sql_value(c,
                                  "SELECT quantity || ' ' || price || ' ' || filled_qty || ' ' ||"
                                  " side || ' ' || status || ' ' || created_at || ' ' ||"
                                  " filled_at FROM orders",
                                  buf, sizeof buf),
                        "92233720368.54775807 0.00000001 0.00000001 SELL PARTIALLY_FILLED "
                        "1700000000000000000 1700000000000000000");
    assert_string_equal(sql_value(c,
                                  "SELECT quantity || ' ' || price || ' ' || fee || ' ' ||"
                                  " order_id FROM trades WHERE trade_id = 'T1'",
                                  buf, sizeof buf),
                        "0.00000001 -92233720368.54775807 -1234.56789012 O1");
    /* A fill of no order has no order to reference. */
    assert_string_equal(
        sql_value(c, "SELECT order_id FROM trades WHERE trade_id = 'T-noorder'", buf, sizeof buf),
        "<NULL>");
    assert_string_equal(sql_value(c,
                                  "SELECT qty || ' ' || avg_price || ' ' || realized_pnl || ' ' ||"
                                  " fees FROM positions",
                                  buf, sizeof buf),
                        "-92233720368.54775807 65000.12345678 -0.00000005 92233720368.54775807");
    assert_string_equal(sql_value(c,
                                  "SELECT starting_cash || ' ' || cash || ' ' || realized_pnl ||"
                                  " ' ' || fees FROM accounts",
                                  buf, sizeof buf),
                        "10000.00000000 -0.00000001 -92233720368.54775807 0.99999999");
    /* The journal keeps exact integers of 1e-8 units. */
    assert_string_equal(
        sql_value(c, "SELECT qty || ' ' || price FROM trade_events WHERE seq = 1", buf, sizeof buf),
        "9223372036854775807 1");
    /* And get_positions parses the NUMERIC text back exactly. */
    tl_position_row got;
    size_t n = 0;
    assert_int_equal(tl_store_get_positions(&s, "alpha", &got, 1, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(got.qty, TL_FIXED_MIN);
    assert_int_equal(got.avg_price, 6500012345678LL);
    assert_int_equal(got.fees, TL_FIXED_MAX);
    PQfinish(c);
    tl_store_close(&s);
}

/* ---- the orders projection, within one batch and across batches ---------------------------- */

static void test_orders_projection(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    static const char reason[] = "tab\there, nl\nthere, back\\slash \"q\" 'a' \\N";
    /* Batch 1: O1 submitted, accepted and part-filled; O2 submitted and rejected; a denied
     * intent with an order id; the same order id in another workspace. */
    tl_event b1[7] = {ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O1", TL_OS_PENDING_NEW),
                      ev_make(TL_EV_ORDER_ACCEPTED, "alpha", "O1", TL_OS_OPEN),
                      fill_make("alpha", "O1", "T1", TL_FIXED_INT(4), TL_OS_PARTIALLY_FILLED),
                      ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O2", TL_OS_PENDING_NEW),
                      ev_make(TL_EV_ORDER_REJECTED, "alpha", "O2", TL_OS_REJECTED),
                      ev_make(TL_EV_INTENT_DENIED, "alpha", "D1", TL_OS_DENIED),
                      ev_make(TL_EV_ORDER_SUBMITTED, "beta", "O1", TL_OS_PENDING_NEW)};
    b1[0].qty = TL_FIXED_INT(10);
    b1[2].ts_ns += 7;
    set_str(b1[4].text, sizeof b1[4].text, reason);
    set_str(b1[5].text, sizeof b1[5].text, "max position");
    append_ok(&s, b1, 7);

    PGconn *c = pg_testdb_connect(pg_url);
    char buf[512];
    assert_string_equal(sql_value(c,
                                  "SELECT status || ' ' || filled_qty || ' ' || filled_at FROM"
                                  " orders WHERE workspace = 'alpha' AND order_id = 'O1'",
                                  buf, sizeof buf),
                        "PARTIALLY_FILLED 4.00000000 1700000000000000007");
    assert_string_equal(sql_value(c,
                                  "SELECT reject_reason FROM orders"
                                  " WHERE workspace = 'alpha' AND order_id = 'O2'",
                                  buf, sizeof buf),
                        reason);
    assert_string_equal(sql_value(c,
                                  "SELECT status || ' ' || reject_reason FROM orders"
                                  " WHERE order_id = 'D1'",
                                  buf, sizeof buf),
                        "DENIED max position");
    assert_string_equal(sql_value(c,
                                  "SELECT status || ' ' || filled_qty || ' ' ||"
                                  " coalesce(filled_at::text, 'none') FROM orders"
                                  " WHERE workspace = 'beta'",
                                  buf, sizeof buf),
                        "PENDING_NEW 0.00000000 none");

    /* Batch 2: the rest of O1 is filled, beta's O1 is canceled, a stray event changes nothing,
     * and a new order is created and filled at once. */
    tl_event b2[5] = {fill_make("alpha", "O1", "T2", TL_FIXED_INT(6), TL_OS_FILLED),
                      ev_make(TL_EV_ORDER_CANCELED, "beta", "O1", TL_OS_CANCELED),
                      ev_make(TL_EV_ORDER_EXPIRED, "alpha", "O99", TL_OS_EXPIRED),
                      ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O3", TL_OS_PENDING_NEW),
                      fill_make("alpha", "O3", "T3", TL_FIXED_INT(1), TL_OS_FILLED)};
    b2[0].ts_ns += 100;
    append_ok(&s, b2, 5);
    assert_string_equal(sql_value(c,
                                  "SELECT status || ' ' || filled_qty || ' ' || filled_at FROM"
                                  " orders WHERE workspace = 'alpha' AND order_id = 'O1'",
                                  buf, sizeof buf),
                        "FILLED 10.00000000 1700000000000000100");
    assert_string_equal(
        sql_value(c, "SELECT status FROM orders WHERE workspace = 'beta'", buf, sizeof buf),
        "CANCELED");
    assert_string_equal(sql_value(c,
                                  "SELECT status || ' ' || filled_qty FROM orders"
                                  " WHERE order_id = 'O3'",
                                  buf, sizeof buf),
                        "FILLED 1.00000000");
    assert_int_equal(sql_long(c, "SELECT count(*) FROM orders"), 5);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM trades"), 3);

    /* A fill of an order the store does not hold is refused, and nothing of its batch stays. */
    tl_event b3[2] = {ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O4", TL_OS_PENDING_NEW),
                      fill_make("alpha", "O-unknown", "T9", TL_FIXED_INT(1), TL_OS_FILLED)};
    tl_err err = {0};
    assert_int_equal(append(&s, b3, 2, &err), TL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "O-unknown"));
    assert_int_equal(sql_long(c, "SELECT count(*) FROM orders"), 5);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM trade_events"), 12);
    assert_int_equal(s.high_water, 12);
    PQfinish(c);
    tl_store_close(&s);
}

/* ---- how a batch travels: one message of COPYs, rows encoded ahead, a pipelined tail ------- */

/* 3 x 6000 events: the events stream in several chunks of the COPY buffer, the orders and trades
 * rows outgrow their buffer more than once, and every row arrives whole. */
static void test_large_batch_rows(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    enum { ORDERS = 6000, N = 3 * ORDERS };
    tl_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    char id[24], tid[32];
    for (int i = 0; i < ORDERS; i++) {
        snprintf(id, sizeof id, "O%06d", i);
        snprintf(tid, sizeof tid, "T%06d", i);
        tl_event *e = &ev[3 * i];
        e[0] = ev_make(TL_EV_ORDER_SUBMITTED, "alpha", id, TL_OS_PENDING_NEW);
        e[0].qty = TL_FIXED_INT(i + 1);
        e[0].price = i;
        e[1] = ev_make(TL_EV_ORDER_ACCEPTED, "alpha", id, TL_OS_OPEN);
        e[2] = fill_make("alpha", id, tid, TL_FIXED_INT(i + 1), TL_OS_FILLED);
        e[2].price = TL_FIXED_INT(i);
        /* Text long enough to need escapes everywhere in the journal's row. */
        memset(e[1].text, '\\', sizeof e[1].text - 1);
    }
    tl_position_row p;
    memset(&p, 0, sizeof p);
    set_str(p.workspace, sizeof p.workspace, "alpha");
    set_str(p.symbol, sizeof p.symbol, "BTCUSDT");
    p.qty = 7;
    tl_err err = {0};
    assert_int_equal(tl_store_append(&s, ev, N, &p, 1, NULL, 0, &err), 0);

    PGconn *c = pg_testdb_connect(pg_url);
    char buf[256];
    assert_int_equal(sql_long(c, "SELECT count(*) FROM trade_events"), N);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM trade_events WHERE length(text) = 127"),
                     ORDERS);
    /* sum(1..6000) = 18003000 */
    assert_string_equal(sql_value(c,
                                  "SELECT count(*) || ' ' || sum(quantity) || ' ' ||"
                                  " sum(filled_qty) || ' ' || max(price) || ' ' ||"
                                  " count(*) FILTER (WHERE status = 'FILLED') FROM orders",
                                  buf, sizeof buf),
                        "6000 18003000.00000000 18003000.00000000 0.00005999 6000");
    assert_string_equal(sql_value(c,
                                  "SELECT count(*) || ' ' || sum(quantity) || ' ' || max(price) ||"
                                  " ' ' || min(order_id) || ' ' || max(trade_id) FROM trades",
                                  buf, sizeof buf),
                        "6000 18003000.00000000 5999.00000000 O000000 T005999");
    assert_string_equal(sql_value(c, "SELECT qty FROM positions", buf, sizeof buf), "0.00000007");
    PQfinish(c);
    free(ev);
    tl_store_close(&s);
}

/* A batch of snapshot rows without events still runs in a transaction of its own (its BEGIN goes
 * with the pipeline), and a transaction begun and ended without a write costs nothing. */
static void test_rows_without_events(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    tl_position_row p;
    memset(&p, 0, sizeof p);
    set_str(p.workspace, sizeof p.workspace, "alpha");
    set_str(p.symbol, sizeof p.symbol, "ETHUSDT");
    p.qty = TL_FIXED_INT(3);
    tl_account_row a;
    memset(&a, 0, sizeof a);
    set_str(a.workspace, sizeof a.workspace, "alpha");
    a.cash = TL_FIXED_INT(5);
    tl_err err = {0};
    assert_int_equal(tl_store_append(&s, NULL, 0, &p, 1, &a, 1, &err), 0);
    PGconn *c = pg_testdb_connect(pg_url);
    char buf[64];
    assert_string_equal(sql_value(c, "SELECT qty FROM positions", buf, sizeof buf), "3.00000000");
    assert_string_equal(sql_value(c, "SELECT cash FROM accounts", buf, sizeof buf), "5.00000000");
    assert_int_equal(s.high_water, 0);

    /* begin then commit, begin then rollback: nothing reaches the server, and nothing breaks. */
    tl__pg *pg = s.state;
    assert_int_equal(s.ops->begin(s.state, NULL), 0);
    assert_int_equal(s.ops->commit(s.state, NULL), 0);
    assert_int_equal(PQtransactionStatus(pg->conn), PQTRANS_IDLE);
    assert_int_equal(s.ops->begin(s.state, NULL), 0);
    s.ops->rollback(s.state);
    assert_int_equal(PQtransactionStatus(pg->conn), PQTRANS_IDLE);
    tl_event e = ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O1", TL_OS_PENDING_NEW);
    append_ok(&s, &e, 1);
    assert_int_equal(e.seq, 1);
    /* After a write, commit makes it durable; the transaction is over either way. */
    tl_event f = ev_make(TL_EV_ORDER_ACCEPTED, "alpha", "O1", TL_OS_OPEN);
    f.seq = 2;
    tl_store_batch b = {.events = &f, .n_events = 1};
    assert_int_equal(s.ops->begin(s.state, NULL), 0);
    assert_int_equal(s.ops->write(s.state, &b, NULL), 0);
    assert_int_equal(PQtransactionStatus(pg->conn), PQTRANS_INTRANS);
    assert_int_equal(s.ops->commit(s.state, NULL), 0);
    assert_int_equal(PQtransactionStatus(pg->conn), PQTRANS_IDLE);
    assert_string_equal(sql_value(c, "SELECT status FROM orders", buf, sizeof buf), "OPEN");
    PQfinish(c);
    tl_store_close(&s);
}

/* Text that is not UTF-8 cannot be stored in a UTF-8 database: the batch is refused whole. */
static void test_bad_text_refused(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    tl_event ev[2] = {ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O1", 0),
                      ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, 0)};
    set_str(ev[1].text, sizeof ev[1].text, "bad \xff\xfe byte");
    tl_err err = {0};
    assert_int_equal(append(&s, ev, 2, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "COPY trade_events"));
    assert_int_equal(s.high_water, 0);
    set_str(ev[1].text, sizeof ev[1].text, "good \xc3\xa9");
    append_ok(&s, ev, 2);
    assert_int_equal(ev[1].seq, 2);
    tl_store_close(&s);
}

/* ---- whose database, which version ---------------------------------------------------------- */

static void test_foreign_db_refused(void **state)
{
    (void)state;
    PGconn *c = pg_testdb_connect(pg_url);
    pg_testdb_ok(c, "DROP DATABASE IF EXISTS foreign_db WITH (FORCE)");
    pg_testdb_ok(c, "CREATE DATABASE foreign_db");
    char url[1100];
    url_for_db("foreign_db", url, sizeof url);
    PGconn *f = pg_testdb_connect(url);
    pg_testdb_ok(f, "CREATE TABLE customers (id int PRIMARY KEY, name text)");

    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, url, NULL, NULL, &err), TL_ECORRUPT);
    assert_non_null(strstr(err.msg, "not a tradeloop database"));
    /* Nothing was created in it. */
    assert_int_equal(sql_long(f, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 1);

    /* A tradeloop_meta that is someone else's is refused too. */
    pg_testdb_ok(f, "CREATE TABLE tradeloop_meta (key text PRIMARY KEY, value text)");
    pg_testdb_ok(f, "INSERT INTO tradeloop_meta VALUES ('application', 'other')");
    assert_int_equal(tl_store_open(&s, url, NULL, NULL, &err), TL_ECORRUPT);
    assert_non_null(strstr(err.msg, "not a tradeloop database"));
    PQfinish(f);
    pg_testdb_ok(c, "DROP DATABASE foreign_db");
    PQfinish(c);
}

static void test_versions(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    tl_store_close(&s);
    PGconn *c = pg_testdb_connect(pg_url);
    char buf[64];
    snprintf(buf, sizeof buf, "%d", TL_STORE_SCHEMA_VERSION);
    char v[64];
    assert_string_equal(
        sql_value(c, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", v, sizeof v),
        buf);

    /* Newer than this build: refused, and left as it was. */
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE tradeloop_meta SET value = '%d' WHERE key = 'schema_version'",
             TL_STORE_SCHEMA_VERSION + 1);
    pg_testdb_ok(c, sql);
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, &err), TL_EVERSION);
    assert_non_null(strstr(err.msg, "newer"));
    snprintf(buf, sizeof buf, "%d", TL_STORE_SCHEMA_VERSION + 1);
    assert_string_equal(
        sql_value(c, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", v, sizeof v),
        buf);

    /* Garbage is corrupt, not a version. */
    pg_testdb_ok(c, "UPDATE tradeloop_meta SET value = '1x' WHERE key = 'schema_version'");
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, &err), TL_ECORRUPT);

    /* Version 0 (tradeloop_meta alone) is migrated to the current version on open. */
    pg_testdb_ok(c, PG_TESTDB_RESET_SQL);
    pg_testdb_ok(c, "CREATE TABLE tradeloop_meta (key text PRIMARY KEY, value text NOT NULL)");
    pg_testdb_ok(c, "INSERT INTO tradeloop_meta VALUES ('application', 'tradeloop'),"
                    " ('schema_version', '0')");
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    tl_event e = ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O1", 0);
    append_ok(&s, &e, 1);
    tl_store_close(&s);
    snprintf(buf, sizeof buf, "%d", TL_STORE_SCHEMA_VERSION);
    assert_string_equal(
        sql_value(c, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", v, sizeof v),
        buf);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM orders"), 1);
    PQfinish(c);
}

/* A version 1 database (version 2 only added tables and a view, version 3 an index, version 4
 * tables, so dropping them and setting the version makes one) opens, gains them, with its
 * workspaces backfilled; a reader refuses it until then, and once current reads it without
 * writing. */
static void test_migrates_v1(void **state)
{
    (void)state;
    tl_store s;
    tl_err err = {0};
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    tl_event b[3] = {ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O1", 0),
                     ev_make(TL_EV_ORDER_SUBMITTED, "beta", "O1", 0),
                     fill_make("alpha", "O1", "T1", 1000000, TL_OS_PARTIALLY_FILLED)};
    append_ok(&s, b, 3);
    tl_store_close(&s);
    PGconn *c = pg_testdb_connect(pg_url);
    pg_testdb_ok(
        c, "DROP VIEW events_v; DROP TABLE workspaces, event_types; DROP INDEX trade_events_fills;"
           " DROP TABLE control, loop_status, quotes, lp_quotes, executions CASCADE;"
           " UPDATE tradeloop_meta SET value = '1' WHERE key = 'schema_version'");

    assert_int_equal(tl_store_open_read(&s, pg_url, NULL, &err), TL_EVERSION);
    assert_non_null(strstr(err.msg, "older"));
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    tl_store_close(&s);
    char v[128];
    assert_string_equal(
        sql_value(c, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", v, sizeof v),
        "8");
    /* Version 7 dropped version 1's index of every event carrying a key. */
    assert_int_equal(sql_long(c, "SELECT count(*) FROM pg_indexes WHERE indexname = "
                                 "'trade_events_idem'"),
                     0);
    assert_string_equal(sql_value(c,
                                  "SELECT string_agg(workspace || ' ' || first_seq || ' ' ||"
                                  " last_seq, ',' ORDER BY workspace) FROM workspaces",
                                  v, sizeof v),
                        "alpha 1 3,beta 2 2");
    assert_string_equal(sql_value(c,
                                  "SELECT name || ' ' || qty || ' ' || price || ' ' || fee"
                                  " FROM events_v WHERE seq = 3",
                                  v, sizeof v),
                        "ORDER_FILLED 0.01 50000 0.00000001");

    /* A reader: reads, cannot write. */
    assert_int_equal(tl_store_open_read(&s, pg_url, NULL, &err), 0);
    assert_int_equal(s.high_water, 3);
    tl_workspace_info wi;
    assert_int_equal(tl_store_workspace_info(&s, "beta", &wi, NULL), 0);
    assert_int_equal(wi.first_seq, 2);
    tl_event more = ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O2", 0);
    assert_int_equal(tl_store_append(&s, &more, 1, NULL, 0, NULL, 0, &err), TL_ESTATE);
    tl_store_close(&s);
    pg_testdb_ok(c, PG_TESTDB_RESET_SQL);
    assert_int_equal(tl_store_open_read(&s, pg_url, NULL, &err), TL_ENOTFOUND);
    PQfinish(c);
}

static void test_bad_url(void **state)
{
    (void)state;
    tl_store s;
    tl_err err = {0};
    /* Nothing listens on port 1; the password must not appear in the message. */
    assert_int_equal(
        tl_store_open(&s, "postgresql://someone:s3cretpw@127.0.0.1:1/db", NULL, NULL, &err),
        TL_EIO);
    assert_non_null(strstr(err.msg, "cannot connect to PostgreSQL"));
    assert_null(strstr(err.msg, "s3cretpw"));
    assert_int_equal(tl_store_open(&s, "postgresql://127.0.0.1:notaport/db", NULL, NULL, &err),
                     TL_EIO);
}

/* ---- durability ------------------------------------------------------------------------------ */

static const char *sync_commit(tl_store *s, char *buf, size_t cap)
{
    const tl__pg *pg = s->state;
    return sql_value(pg->conn, "SHOW synchronous_commit", buf, cap);
}

static void test_durability_setting(void **state)
{
    (void)state;
    tl_store s;
    char buf[32];
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    assert_string_equal(sync_commit(&s, buf, sizeof buf), "on");
    /* Prepared statements run their generic plan from the first execution, and sort last. */
    const tl__pg *pg = s.state;
    assert_string_equal(sql_value(pg->conn, "SHOW plan_cache_mode", buf, sizeof buf),
                        "force_generic_plan");
    /* Scan pages come from an index in seq order, not from a sort (test_scan_fills). */
    assert_string_equal(sql_value(pg->conn, "SHOW enable_sort", buf, sizeof buf), "off");
    assert_string_equal(sql_value(pg->conn, "SHOW jit", buf, sizeof buf), "off");
    tl_store_close(&s);
    open_store(&s, pg_url, TL_DURABILITY_NORMAL);
    assert_string_equal(sync_commit(&s, buf, sizeof buf), "off");
    tl_store_close(&s);
    tl_store_options bad = {.durability = (tl_durability)7};
    assert_int_equal(tl_store_open(&s, pg_url, &bad, NULL, NULL), TL_EINVAL);
}

/* ---- scans across pages ---------------------------------------------------------------------- */

typedef struct counter {
    uint64_t n, last_seq, stop_at;
    int ordered;
    tl_store *reenter; /* when set, every 3000th event asks the store something */
    int reenter_failed;
} counter;

static int count_fn(void *arg, const tl_event *ev)
{
    counter *c = arg;
    if (ev->seq <= c->last_seq)
        c->ordered = 0;
    c->last_seq = ev->seq;
    c->n++;
    if (c->reenter && c->n % 3000 == 0) {
        uint64_t hw = 0;
        tl_event out;
        if (c->reenter->ops->high_water(c->reenter->state, &hw, NULL) != 0 ||
            tl_store_find_idem(c->reenter, "no-such-key", &out, NULL) != TL_ENOTFOUND)
            c->reenter_failed = 1;
    }
    return c->stop_at && c->n == c->stop_at ? 5 : 0;
}

static void test_scan_pages(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_NORMAL);
    enum { N = 2 * TL_PG_SCAN_PAGE + 1 };
    tl_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    for (int i = 0; i < N; i++) {
        ev[i] = ev_make(i % 2 ? TL_EV_POSITION_SCALED : TL_EV_INTENT_EMITTED,
                        i % 3 ? "alpha" : "beta", NULL, 0);
        ev[i].ts_ns = i;
    }
    append_ok(&s, ev, N / 2);
    append_ok(&s, ev + N / 2, N - N / 2);
    counter c = {.ordered = 1};
    assert_int_equal(tl_store_scan(&s, NULL, count_fn, &c, NULL), 0);
    assert_int_equal(c.n, N);
    assert_int_equal(c.last_seq, N);
    assert_true(c.ordered);
    /* A filter whose matches span pages, from the middle. */
    tl_scan_filter f = {.after_seq = 100, .type = TL_EV_INTENT_EMITTED, .workspace = "beta"};
    size_t want = 0;
    for (int i = 100; i < N; i++)
        want += i % 2 == 0 && i % 3 == 0;
    c = (counter){.ordered = 1};
    assert_int_equal(tl_store_scan(&s, &f, count_fn, &c, NULL), 0);
    assert_int_equal(c.n, want);
    /* Stopping in the second page, with the third one in flight: the store is usable after. */
    c = (counter){.ordered = 1, .stop_at = TL_PG_SCAN_PAGE + 3};
    assert_int_equal(tl_store_scan(&s, NULL, count_fn, &c, NULL), 5);
    assert_int_equal(c.last_seq, TL_PG_SCAN_PAGE + 3);
    tl_event more = ev_make(TL_EV_KILL_SWITCH, "alpha", NULL, 0);
    append_ok(&s, &more, 1);
    assert_int_equal(more.seq, N + 1);
    /* A callback that uses the store while the next page is being read. */
    c = (counter){.ordered = 1, .reenter = &s};
    assert_int_equal(tl_store_scan(&s, NULL, count_fn, &c, NULL), 0);
    assert_int_equal(c.n, N + 1);
    assert_true(c.ordered);
    assert_false(c.reenter_failed);
    free(ev);
    tl_store_close(&s);
}

/* Whether the plan of a prepared scan of the store's session names an index. */
static int plan_uses(tl_store *s, const char *execute, const char *index)
{
    const tl__pg *pg = s->state;
    char sql[256];
    snprintf(sql, sizeof sql, "EXPLAIN EXECUTE %s", execute);
    PGresult *r = PQexec(pg->conn, sql);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    int found = 0;
    for (int i = 0; i < PQntuples(r); i++)
        found |= strstr(PQgetvalue(r, i, 0), index) != NULL;
    PQclear(r);
    return found;
}

/* Replay asks for a workspace's resets first: they come from the partial index of the rare
 * types, not from a read of the whole journal, and they are exactly the resets, filtered and in
 * order; the other rare types likewise. */
static void test_scan_rare(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_NORMAL);
    enum { N = 3000 };
    tl_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    for (int i = 0; i < N; i++) {
        int type = i % 500 == 7    ? TL_EV_WORKSPACE_RESET
                   : i % 500 == 9  ? TL_EV_KILL_SWITCH
                   : i % 500 == 11 ? TL_EV_CANCEL_REQUESTED /* 16: between rare types, not one */
                                   : TL_EV_POSITION_SCALED;
        ev[i] = ev_make(type, i % 1000 < 500 ? "alpha" : "beta", NULL, 0);
        ev[i].fee = i;
    }
    append_ok(&s, ev, N);
    /* seq = i + 1; resets at i = 7, 507, ... 2507: alpha at 7, 1007, 2007. */
    counter c = {.ordered = 1};
    tl_scan_filter f = {.type = TL_EV_WORKSPACE_RESET, .workspace = "alpha"};
    assert_int_equal(tl_store_scan(&s, &f, count_fn, &c, NULL), 0);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.last_seq, 2008);
    assert_true(c.ordered);
    f.workspace = NULL;
    f.after_seq = 508;
    c = (counter){.ordered = 1};
    assert_int_equal(tl_store_scan(&s, &f, count_fn, &c, NULL), 0);
    assert_int_equal(c.n, 4); /* 1008, 1508, 2008, 2508 */
    assert_int_equal(c.last_seq, 2508);
    assert_true(c.ordered);
    f.type = TL_EV_KILL_SWITCH;
    f.workspace = "beta";
    c = (counter){.ordered = 1};
    assert_int_equal(tl_store_scan(&s, &f, count_fn, &c, NULL), 0);
    assert_int_equal(c.n, 3); /* 510, 1510, 2510 */
    assert_int_equal(c.last_seq, 2510);
    f.type = TL_EV_CANCEL_REQUESTED;
    f.workspace = NULL;
    c = (counter){.ordered = 1};
    assert_int_equal(tl_store_scan(&s, &f, count_fn, &c, NULL), 0);
    assert_int_equal(c.n, 5); /* after 508: 512, 1012, ... 2512 */

    PGconn *admin = pg_testdb_connect(pg_url);
    pg_testdb_ok(admin, "ANALYZE trade_events");
    PQfinish(admin);
    assert_true(plan_uses(&s, "tl_scan_7(0, 18, 'alpha', 10000)", "trade_events_rare"));
    /* Other scans page through the journal in seq order, by its primary key. */
    assert_true(plan_uses(&s, "tl_scan_3(0, 12, 'alpha', 10000)", "trade_events_pkey"));
    free(ev);
    tl_store_close(&s);
}

/* Whether a prepared scan's plan reads the fills' index in seq order: no sort of its matches. */
static int plan_reads_fills(tl_store *s, const char *execute)
{
    return plan_uses(s, execute, "Index Scan using trade_events_fills") &&
           !plan_uses(s, execute, "Sort");
}

static int fill_fn(void *arg, const tl_event *ev)
{
    counter *c = arg;
    if (ev->type != TL_EV_ORDER_FILLED)
        c->ordered = 0;
    return count_fn(arg, ev);
}

/* Replay's fills come from the partial index of the fills, in seq order, whatever the table
 * held when the plan was made: the generic plan made on an empty journal is kept while it
 * fills (a bitmap scan and a sort per page there replayed ten times slower), and so is the one
 * made once its statistics exist. */
static void test_scan_fills(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_NORMAL);
    assert_true(plan_reads_fills(&s, "tl_scan_11(0, 8, 'alpha', 10000)"));
    enum { N = 3 * TL_PG_SCAN_PAGE + 3 };
    tl_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    for (int i = 0; i < N; i++) {
        const char *ws = i % 6 < 3 ? "alpha" : "beta";
        char trade[16];
        snprintf(trade, sizeof trade, "T%d", i);
        ev[i] = i % 3 == 2 ? fill_make(ws, NULL, trade, 1000000, 0)
                           : ev_make(TL_EV_POSITION_SCALED, ws, NULL, 0);
    }
    append_ok(&s, ev, N);
    /* seq = i + 1; fills at i % 3 == 2, alpha's at i % 6 == 2: seq 3, 9, ... N. */
    counter c = {.ordered = 1};
    tl_scan_filter f = {.type = TL_EV_ORDER_FILLED, .workspace = "alpha"};
    assert_int_equal(tl_store_scan(&s, &f, fill_fn, &c, NULL), 0);
    assert_int_equal(c.n, N / 6 + 1);
    assert_int_equal(c.last_seq, N);
    assert_true(c.ordered);
    f = (tl_scan_filter){.after_seq = 100, .type = TL_EV_ORDER_FILLED};
    c = (counter){.ordered = 1};
    assert_int_equal(tl_store_scan(&s, &f, fill_fn, &c, NULL), 0);
    assert_int_equal(c.n, N / 3 - 100 / 3); /* seq 102, 105, ... N */
    assert_int_equal(c.last_seq, N);
    assert_true(c.ordered);
    assert_true(plan_reads_fills(&s, "tl_scan_11(0, 8, 'alpha', 10000)"));
    tl_store_close(&s);

    /* A new session plans on the full journal, before and after its statistics. */
    open_store(&s, pg_url, TL_DURABILITY_NORMAL);
    assert_true(plan_reads_fills(&s, "tl_scan_11(0, 8, 'alpha', 10000)"));
    assert_true(plan_reads_fills(&s, "tl_scan_10(0, 8, '', 10000)"));
    PGconn *admin = pg_testdb_connect(pg_url);
    pg_testdb_ok(admin, "ANALYZE trade_events");
    PQfinish(admin);
    assert_true(plan_reads_fills(&s, "tl_scan_11(0, 8, 'alpha', 10000)"));
    assert_true(plan_reads_fills(&s, "tl_scan_10(0, 8, '', 10000)"));
    free(ev);
    tl_store_close(&s);
}

/* A version 2 database (version 3 only added the fills' index, version 4 two tables) opens and
 * gains them, its fills indexed, and its fills' scan reads them through it. */
static void test_migrates_v2(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    tl_event b[3] = {ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O1", 0),
                     fill_make("alpha", "O1", "T1", 1000000, TL_OS_PARTIALLY_FILLED),
                     fill_make("alpha", "O1", "T2", 1000000, TL_OS_FILLED)};
    append_ok(&s, b, 3);
    tl_store_close(&s);
    PGconn *c = pg_testdb_connect(pg_url);
    pg_testdb_ok(c, "DROP INDEX trade_events_fills;"
                    " DROP TABLE control, loop_status, quotes, lp_quotes, executions CASCADE;"
                    " UPDATE tradeloop_meta SET value = '2' WHERE key = 'schema_version'");
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    char v[256];
    assert_string_equal(
        sql_value(c, "SELECT value FROM tradeloop_meta WHERE key = 'schema_version'", v, sizeof v),
        "8");
    /* Version 7 dropped version 1's index of every event carrying a key. */
    assert_int_equal(sql_long(c, "SELECT count(*) FROM pg_indexes WHERE indexname = "
                                 "'trade_events_idem'"),
                     0);
    assert_string_equal(sql_value(c,
                                  "SELECT indexdef FROM pg_indexes"
                                  " WHERE indexname = 'trade_events_fills'",
                                  v, sizeof v),
                        "CREATE INDEX trade_events_fills ON public.trade_events USING btree (seq)"
                        " WITH (fillfactor='100', deduplicate_items=off) WHERE (type = 8)");
    assert_true(plan_reads_fills(&s, "tl_scan_11(0, 8, 'alpha', 10000)"));
    counter n = {.ordered = 1};
    tl_scan_filter f = {.type = TL_EV_ORDER_FILLED, .workspace = "alpha"};
    assert_int_equal(tl_store_scan(&s, &f, fill_fn, &n, NULL), 0);
    assert_int_equal(n.n, 2);
    assert_int_equal(n.last_seq, 3);
    assert_true(n.ordered);
    tl_store_close(&s);
    PQfinish(c);
}

/* ---- several engines on one database ------------------------------------------------------- */

static void test_two_engines_one_seq(void **state)
{
    (void)state;
    tl_store a, b;
    open_store(&a, pg_url, TL_DURABILITY_FULL);
    open_store(&b, pg_url, TL_DURABILITY_FULL);
    tl_event ea = ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, 0);
    append_ok(&a, &ea, 1);
    /* b still believes the journal is empty, but its workspace has nothing it has not seen:
     * the store numbers its event after a's, gap-free, and nobody is refused. */
    tl_event eb = ev_make(TL_EV_KILL_SWITCH, "beta", NULL, 0);
    append_ok(&b, &eb, 1);
    assert_int_equal(eb.seq, 2);
    assert_int_equal(b.high_water, 2);
    assert_int_equal(a.high_water, 1);
    /* A writer of alpha that has not seen a's event decided on a stale state: refused, naming
     * the workspace; once it has read it again (any failure counts as such) it goes on. */
    tl_event eb2 = ev_make(TL_EV_KILL_SWITCH, "alpha", NULL, 0);
    tl_err err = {0};
    assert_int_equal(append(&b, &eb2, 1, &err), TL_EBUSY);
    assert_non_null(strstr(err.msg, "workspace 'alpha'"));
    append_ok(&b, &eb2, 1);
    assert_int_equal(eb2.seq, 3);
    /* A batch of both workspaces, interleaved: b knows each up to its last event in it. */
    tl_event mix[3] = {ev_make(TL_EV_KILL_SWITCH, "beta", NULL, 0),
                       ev_make(TL_EV_KILL_SWITCH, "alpha", NULL, 0),
                       ev_make(TL_EV_KILL_SWITCH, "beta", NULL, 0)};
    append_ok(&b, mix, 3);
    assert_int_equal(mix[2].seq, 6);
    tl_event eb3 = ev_make(TL_EV_KILL_SWITCH, "alpha", NULL, 0);
    append_ok(&b, &eb3, 1);
    assert_int_equal(eb3.seq, 7);
    /* a wrote alpha up to 1 and saw nothing since: b's later events refuse it too. */
    tl_event ea2 = ev_make(TL_EV_KILL_SWITCH, "alpha", NULL, 0);
    assert_int_equal(append(&a, &ea2, 1, &err), TL_EBUSY);
    tl_store_close(&a);
    tl_store_close(&b);
}

/* ---- the server drops the connection ------------------------------------------------------- */

/* Kills every tradeloop session but the admin's own, waiting until they are gone; returns how
 * many. */
static long kill_sessions(PGconn *admin)
{
    return sql_long(admin, "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity"
                           " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                           " AND application_name = 'tradeloop'");
}

static void assert_rows(PGconn *admin, long events, long orders)
{
    assert_int_equal(sql_long(admin, "SELECT count(*) FROM trade_events"), events);
    assert_int_equal(sql_long(admin, "SELECT coalesce(max(seq), 0) FROM trade_events"), events);
    assert_int_equal(sql_long(admin, "SELECT count(*) FROM orders"), orders);
}

static void test_connection_lost(void **state)
{
    (void)state;
    tl_store s;
    open_store(&s, pg_url, TL_DURABILITY_FULL);
    PGconn *admin = pg_testdb_connect(pg_url);
    char buf[16];

    tl_event b1[2] = {ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O1", 0),
                      fill_make("alpha", "O1", "T1", TL_FIXED_INT(1), TL_OS_FILLED)};
    append_ok(&s, b1, 2);

    /* Between batches: the next append finds the dead connection and fails cleanly. */
    assert_int_equal(kill_sessions(admin), 1);
    tl_event b2[2] = {ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O2", 0),
                      fill_make("alpha", "O2", "T2", TL_FIXED_INT(1), TL_OS_FILLED)};
    tl_err err = {0};
    assert_int_equal(append(&s, b2, 2, &err), TL_EIO);
    assert_non_null(strstr(err.msg, "connection to PostgreSQL lost"));
    assert_int_equal(s.high_water, 2);
    assert_rows(admin, 2, 1);

    /* The next one reconnects and goes on, gap-free, with the session set up again. */
    append_ok(&s, b2, 2);
    assert_int_equal(b2[0].seq, 3);
    assert_int_equal(s.high_water, 4);
    assert_rows(admin, 4, 2);
    assert_string_equal(sync_commit(&s, buf, sizeof buf), "on");

    /* Inside a batch: written but not committed when the server kills the session. COMMIT
     * fails, and nothing of the batch is stored. */
    tl_event b3[2] = {ev_make(TL_EV_ORDER_SUBMITTED, "alpha", "O3", 0),
                      fill_make("alpha", "O3", "T3", TL_FIXED_INT(1), TL_OS_FILLED)};
    b3[0].seq = 5;
    b3[1].seq = 6;
    tl_store_batch batch = {.events = b3, .n_events = 2};
    assert_int_equal(s.ops->begin(s.state, NULL), 0);
    assert_int_equal(s.ops->write(s.state, &batch, NULL), 0);
    assert_int_equal(kill_sessions(admin), 1);
    assert_int_equal(s.ops->commit(s.state, &err), TL_EIO);
    assert_non_null(strstr(err.msg, "connection to PostgreSQL lost"));
    s.ops->rollback(s.state);
    assert_rows(admin, 4, 2);

    /* While the server refuses connections, every append fails and nothing is written; once it
     * accepts them again, the store goes on by itself. */
    char other[1100];
    url_for_db("postgres", other, sizeof other);
    PGconn *root = pg_testdb_connect(other); /* a database cannot lock itself out */
    pg_testdb_ok(root, "ALTER DATABASE " TEST_DB " ALLOW_CONNECTIONS false");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(append(&s, b3, 2, &err), TL_EIO);
        assert_non_null(strstr(err.msg, "connection to PostgreSQL lost"));
        assert_int_equal(s.high_water, 4);
    }
    uint64_t hw = 0;
    assert_int_equal(s.ops->high_water(s.state, &hw, &err), TL_EIO);
    pg_testdb_ok(root, "ALTER DATABASE " TEST_DB " ALLOW_CONNECTIONS true");
    PQfinish(root);
    append_ok(&s, b3, 2);
    assert_int_equal(b3[0].seq, 5);
    assert_rows(admin, 6, 3);
    assert_int_equal(s.ops->high_water(s.state, &hw, NULL), 0);
    assert_int_equal(hw, 6);
    assert_int_equal(sql_long(admin, "SELECT count(*) FROM trades"), 3);
    PQfinish(admin);
    tl_store_close(&s);
}

int main(void)
{
    if (pg_testdb_create(TEST_DB, 0, pg_url, sizeof pg_url) != 0)
        return 1;
    int failed = 0;
    tl_store_conformance_set_reset(pg_testdb_reset);
    tl_store_conformance_set_sql(query_db);
    failed += tl_store_conformance_run("store_conformance_postgresql", pg_url);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_numeric_exact, fresh),
        cmocka_unit_test_setup(test_orders_projection, fresh),
        cmocka_unit_test_setup(test_large_batch_rows, fresh),
        cmocka_unit_test_setup(test_rows_without_events, fresh),
        cmocka_unit_test_setup(test_bad_text_refused, fresh),
        cmocka_unit_test_setup(test_foreign_db_refused, fresh),
        cmocka_unit_test_setup(test_versions, fresh),
        cmocka_unit_test_setup(test_migrates_v1, fresh),
        cmocka_unit_test_setup(test_migrates_v2, fresh),
        cmocka_unit_test(test_bad_url),
        cmocka_unit_test_setup(test_durability_setting, fresh),
        cmocka_unit_test_setup(test_scan_pages, fresh),
        cmocka_unit_test_setup(test_scan_rare, fresh),
        cmocka_unit_test_setup(test_scan_fills, fresh),
        cmocka_unit_test_setup(test_two_engines_one_seq, fresh),
        cmocka_unit_test_setup(test_connection_lost, fresh),
    };
    failed += cmocka_run_group_tests_name("store_pg", tests, NULL, NULL);
    if (pg_testdb_drop(TEST_DB) != 0)
        failed++;
    return failed ? 1 : 0;
}
