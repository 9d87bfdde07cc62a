/*
 * test_replay.c -- replay (src/journal/replay.c) handed a journal that holds the same fill twice.
 *
 * Every backend refuses a duplicate (workspace, trade id) on write, so no journal written through
 * the store ever holds one, and replay's own dedupe is never exercised by the other tests. Here a
 * SQLite journal is written through the store, then one of its fills is turned into a copy of an
 * earlier one with raw SQL (as a restored backup, a merge of two files or a foreign writer could
 * leave it). Replay must apply it once: the fills replayed, the duplicates skipped and the digest
 * are those of the journal without the copy. The same trade id in another workspace is another
 * trade.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal/replay.h"
#include "store/store.h"
#include "tradeloop/order.h"

#define T0 1700000000000000000LL

typedef struct fx {
    char dir[64];
    char path[128]; /* dir/r.db */
    char url[160];  /* sqlite:dir/r.db */
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/tl-replay-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/r.db", f->dir);
    snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char p[192];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static tl_event ev_make(const char *ws, int type, const char *order_id, int status)
{
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (uint16_t)type;
    ev.status = (uint8_t)status;
    ev.ts_ns = T0;
    snprintf(ev.workspace, sizeof ev.workspace, "%s", ws);
    snprintf(ev.order_id, sizeof ev.order_id, "%s", order_id);
    snprintf(ev.symbol, sizeof ev.symbol, "BTCUSDT");
    ev.side = TL_SIDE_BUY;
    return ev;
}

static tl_event reset(const char *ws, tl_fixed cash)
{
    tl_event ev = ev_make(ws, TL_EV_WORKSPACE_RESET, "", 0);
    ev.fee = cash;
    snprintf(ev.text, sizeof ev.text, "paper: starting cash");
    return ev;
}

static tl_event submitted(const char *ws, const char *order_id, tl_fixed qty, tl_fixed price)
{
    tl_event ev = ev_make(ws, TL_EV_ORDER_SUBMITTED, order_id, TL_OS_PENDING_NEW);
    ev.qty = qty;
    ev.price = price;
    return ev;
}

static tl_event filled(const char *ws, const char *order_id, const char *trade_id, tl_fixed qty,
                       tl_fixed price, int status)
{
    tl_event ev = ev_make(ws, TL_EV_ORDER_FILLED, order_id, status);
    snprintf(ev.trade_id, sizeof ev.trade_id, "%s", trade_id);
    ev.qty = qty;
    ev.price = price;
    ev.fee = TL_FIXED_INT(1) / 10;
    return ev;
}

static void append_ok(tl_store *s, tl_event *ev, size_t n)
{
    tl_err err = {0};
    int rc = tl_store_append(s, ev, n, NULL, 0, NULL, 0, &err);
    if (rc != 0)
        print_error("append: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

static void open_ok(tl_store *s, const char *url)
{
    tl_store_options o = {TL_DURABILITY_NORMAL};
    tl_err err = {0};
    int rc = tl_store_open(s, url, &o, NULL, &err);
    if (rc != 0)
        print_error("open %s: %s\n", url, err.msg);
    assert_int_equal(rc, 0);
}

static void replay_ok(const char *url, const char *ws, tl_replay_result *out)
{
    tl_store s;
    tl_ledger l;
    tl_err err = {0};
    open_ok(&s, url);
    assert_int_equal(tl_ledger_init(&l, TL_FIXED_INT(1)), 0);
    int rc = tl_replay(&s, ws, &l, out, &err);
    if (rc != 0)
        print_error("replay: %s\n", err.msg);
    assert_int_equal(rc, 0);
    tl_ledger_close(&l);
    tl_store_close(&s);
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        print_error("%s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    assert_int_equal(rc, SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 1);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* The digest of desk's state written out by hand: 10,000 of cash, buy 1 @ 100 and 2 @ 101 with
 * 0.1 of fee each, so it holds 3 at a basis of 302 (average 100.66666667). */
static void expect_desk_rows(const char *url)
{
    tl_store s;
    tl_ledger l;
    tl_replay_result r;
    tl_account_row *acc = NULL;
    tl_position_row *pos = NULL;
    size_t na = 0, np = 0;
    open_ok(&s, url);
    assert_int_equal(tl_ledger_init(&l, TL_FIXED_INT(1)), 0);
    assert_int_equal(tl_replay(&s, "desk", &l, &r, NULL), 0);
    assert_int_equal(tl_ledger_rows(&l, "desk", &acc, &na, &pos, &np, NULL), 0);
    assert_int_equal(na, 1);
    assert_int_equal(acc[0].starting_cash, TL_FIXED_INT(10000));
    assert_int_equal(acc[0].cash, TL_FIXED_INT(10000 - 100 - 202) - TL_FIXED_INT(2) / 10);
    assert_int_equal(acc[0].fees, TL_FIXED_INT(2) / 10);
    assert_int_equal(np, 1);
    assert_int_equal(pos[0].qty, TL_FIXED_INT(3));
    assert_int_equal(pos[0].avg_price, 10066666667);
    free(acc);
    free(pos);
    tl_ledger_close(&l);
    tl_store_close(&s);
}

static void test_same_fill_twice(void **state)
{
    fx *f = *state;
    tl_store s;
    open_ok(&s, f->url);
    tl_event desk[] = {
        reset("desk", TL_FIXED_INT(10000)),
        submitted("desk", "O1", TL_FIXED_INT(5), TL_FIXED_INT(101)),
        filled("desk", "O1", "T1", TL_FIXED_INT(1), TL_FIXED_INT(100), TL_OS_PARTIALLY_FILLED),
        filled("desk", "O1", "T2", TL_FIXED_INT(2), TL_FIXED_INT(101), TL_OS_PARTIALLY_FILLED),
    };
    append_ok(&s, desk, 4);
    /* Another workspace's trade named T1 too: its own trade, never a duplicate of desk's. */
    tl_event other[] = {
        reset("other", TL_FIXED_INT(500)),
        submitted("other", "O1", TL_FIXED_INT(1), TL_FIXED_INT(7)),
        filled("other", "O1", "T1", TL_FIXED_INT(1), TL_FIXED_INT(7), TL_OS_FILLED),
    };
    append_ok(&s, other, 3);
    tl_store_close(&s);

    /* The journal without a duplicate. */
    tl_replay_result clean_desk, clean_all;
    replay_ok(f->url, "desk", &clean_desk);
    assert_int_equal(clean_desk.fills_replayed, 2);
    assert_int_equal(clean_desk.duplicates_skipped, 0);
    replay_ok(f->url, "", &clean_all);
    assert_int_equal(clean_all.fills_replayed, 3);
    assert_int_equal(clean_all.duplicates_skipped, 0);
    expect_desk_rows(f->url);

    /* One more fill of desk, then made a copy of desk's T1 (every column but seq and ts_ns). */
    open_ok(&s, f->url);
    tl_event more[] = {
        filled("desk", "O1", "T3", TL_FIXED_INT(2), TL_FIXED_INT(99), TL_OS_FILLED),
    };
    append_ok(&s, more, 1);
    tl_store_close(&s);
    raw_exec(f->path, "UPDATE trade_events SET (workspace, type, order_id, idem_key, symbol, side,"
                      " status, trade_id, qty, price, fee, text) = (SELECT workspace, type,"
                      " order_id, idem_key, symbol, side, status, trade_id, qty, price, fee, text"
                      " FROM trade_events WHERE workspace = 'desk' AND trade_id = 'T1')"
                      " WHERE workspace = 'desk' AND trade_id = 'T3'");

    tl_replay_result dup_desk, dup_all;
    replay_ok(f->url, "desk", &dup_desk);
    assert_int_equal(dup_desk.fills_replayed, 2);
    assert_int_equal(dup_desk.duplicates_skipped, 1);
    assert_string_equal(dup_desk.digest, clean_desk.digest);
    replay_ok(f->url, "", &dup_all);
    assert_int_equal(dup_all.fills_replayed, 3);
    assert_int_equal(dup_all.duplicates_skipped, 1);
    assert_string_equal(dup_all.digest, clean_all.digest);
    expect_desk_rows(f->url);

    /* The same row under a trade id of its own is applied, and the state moves: the digests
     * above were equal because of the dedupe, not because the row changed nothing. */
    raw_exec(f->path, "UPDATE trade_events SET trade_id = 'T4' WHERE seq = (SELECT max(seq) FROM"
                      " trade_events WHERE workspace = 'desk' AND trade_id = 'T1')");
    tl_replay_result distinct;
    replay_ok(f->url, "desk", &distinct);
    assert_int_equal(distinct.fills_replayed, 3);
    assert_int_equal(distinct.duplicates_skipped, 0);
    assert_string_not_equal(distinct.digest, clean_desk.digest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_fill_twice, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
