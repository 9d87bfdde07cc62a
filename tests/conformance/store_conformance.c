/*
 * store_conformance.c -- the shared suite of the journal storage backends (see the header).
 *
 * Everything goes through the dispatcher (src/store/store.c), as the engine's own calls do; the
 * only direct calls through a backend's table read its own high-water mark, to check that the
 * backend and the dispatcher agree. The orders and trades projections have no getter in the
 * interface, so they are checked through their UNIQUE keys: a duplicate is refused, and an id
 * whose batch was rolled back can be used again. The SQL backends' own tests read the tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/store_conformance.h"
#include "store/store.h"
#include "tradeloop/order.h"

#define URL_MAX 1024

static const char *url_template;
static unsigned url_counter;
static int (*reset_hook)(const char *url);
static int (*sql_hook)(const char *url, const char *sql, char *out, size_t cap);

typedef struct ctx {
    tl_store s;
    char url[URL_MAX];
} ctx;

void tl_store_conformance_set_reset(int (*reset)(const char *url))
{
    reset_hook = reset;
}

void tl_store_conformance_set_sql(int (*query)(const char *url, const char *sql, char *out,
                                               size_t cap))
{
    sql_hook = query;
}

/* ---- helpers ------------------------------------------------------------------------------- */

/* The template with its first "%d" replaced by a fresh counter; done by hand so that any other
 * '%' in a URL (percent-encoding) is left alone. */
static void fresh_url(char *buf, size_t cap)
{
    const char *p = strstr(url_template, "%d");
    int n;
    if (p == NULL)
        n = snprintf(buf, cap, "%s", url_template);
    else
        n = snprintf(buf, cap, "%.*s%u%s", (int)(p - url_template), url_template, url_counter++,
                     p + 2);
    assert_true(n > 0 && (size_t)n < cap);
}

/* Opens a fresh, empty store (resetting its database first when a hook is set). */
static void open_fresh(tl_store *s, char *url, size_t cap)
{
    fresh_url(url, cap);
    if (reset_hook != NULL)
        assert_int_equal(reset_hook(url), 0);
    tl_err err = {0};
    int rc = tl_store_open(s, url, NULL, NULL, &err);
    if (rc != 0)
        print_error("tl_store_open(%s): %s\n", url, err.msg);
    assert_int_equal(rc, 0);
}

static int setup(void **state)
{
    ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return -1;
    open_fresh(&c->s, c->url, sizeof c->url);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    tl_store_close(&c->s);
    free(c);
    return 0;
}

static void set_str(char *dst, size_t size, const char *src)
{
    size_t len = strlen(src);
    assert_true(len < size);
    memset(dst, 0, size);
    memcpy(dst, src, len);
}

/* A zeroed event with the fields most tests care about. */
static tl_event ev_make(int type, const char *ws, const char *order_id, const char *trade_id,
                        const char *idem)
{
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = 999999; /* the dispatcher must overwrite it */
    ev.type = (uint16_t)type;
    ev.ts_ns = 1700000000000000000LL;
    set_str(ev.workspace, sizeof ev.workspace, ws);
    set_str(ev.order_id, sizeof ev.order_id, order_id ? order_id : "");
    set_str(ev.trade_id, sizeof ev.trade_id, trade_id ? trade_id : "");
    set_str(ev.idem_key, sizeof ev.idem_key, idem ? idem : "");
    set_str(ev.symbol, sizeof ev.symbol, "BTCUSDT");
    ev.qty = TL_FIXED_INT(1);
    ev.price = TL_FIXED_INT(50000);
    return ev;
}

static tl_event submitted(const char *ws, const char *order_id)
{
    tl_event ev = ev_make(TL_EV_ORDER_SUBMITTED, ws, order_id, NULL, NULL);
    ev.status = TL_OS_PENDING_NEW;
    return ev;
}

static tl_event filled(const char *ws, const char *order_id, const char *trade_id)
{
    tl_event ev = ev_make(TL_EV_ORDER_FILLED, ws, order_id, trade_id, NULL);
    ev.status = TL_OS_FILLED;
    ev.fee = 12345;
    return ev;
}

static tl_position_row pos_make(const char *ws, const char *sym, int64_t qty)
{
    tl_position_row p;
    memset(&p, 0, sizeof p);
    set_str(p.workspace, sizeof p.workspace, ws);
    set_str(p.symbol, sizeof p.symbol, sym);
    p.qty = qty;
    p.avg_price = TL_FIXED_INT(100) + qty;
    p.realized_pnl = -qty;
    p.fees = 7;
    p.updated_ns = 1700000000000000000LL + qty;
    return p;
}

static tl_account_row acc_make(const char *ws, int64_t cash)
{
    tl_account_row a;
    memset(&a, 0, sizeof a);
    set_str(a.workspace, sizeof a.workspace, ws);
    a.starting_cash = TL_FIXED_INT(10000);
    a.cash = cash;
    a.realized_pnl = cash / 2;
    a.fees = 3;
    a.updated_ns = 1700000000000000001LL;
    return a;
}

static int append(tl_store *s, tl_event *ev, size_t n, const tl_position_row *p, size_t np,
                  const tl_account_row *a, size_t na)
{
    return tl_store_append(s, ev, n, p, np, a, na, NULL);
}

/* Appends and fails the test, with the store's message, unless it succeeds. */
static void append_ok(tl_store *s, tl_event *ev, size_t n, const tl_position_row *p, size_t np,
                      const tl_account_row *a, size_t na)
{
    tl_err err = {0};
    int rc = tl_store_append(s, ev, n, p, np, a, na, &err);
    if (rc != 0)
        print_error("tl_store_append: %s (%s)\n", err.msg, tl_errname(rc));
    assert_int_equal(rc, 0);
}

static uint64_t backend_high_water(tl_store *s)
{
    uint64_t hw = 12345;
    assert_int_equal(s->ops->high_water(s->state, &hw, NULL), 0);
    return hw;
}

/* Both the dispatcher's mark and the backend's own must say n. */
static void assert_high_water(tl_store *s, uint64_t n)
{
    assert_int_equal(s->high_water, n);
    assert_int_equal(backend_high_water(s), n);
}

typedef struct collect {
    tl_event *ev;
    size_t n, cap;
    size_t stop_after; /* 0 = never stop */
    int stop_rc;
} collect;

static int collect_fn(void *arg, const tl_event *ev)
{
    collect *c = arg;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->ev = realloc(c->ev, c->cap * sizeof *c->ev);
        assert_non_null(c->ev);
    }
    c->ev[c->n++] = *ev;
    return c->stop_after != 0 && c->n >= c->stop_after ? c->stop_rc : 0;
}

/* Scans with the filter (NULL: everything) into c; returns scan's result. */
static int scan_into(tl_store *s, const tl_scan_filter *f, collect *c)
{
    c->n = 0;
    return tl_store_scan(s, f, collect_fn, c, NULL);
}

static void assert_event_equal(const tl_event *a, const tl_event *b)
{
    assert_int_equal(a->seq, b->seq);
    assert_int_equal(a->ts_ns, b->ts_ns);
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->side, b->side);
    assert_int_equal(a->status, b->status);
    assert_string_equal(a->workspace, b->workspace);
    assert_string_equal(a->order_id, b->order_id);
    assert_string_equal(a->idem_key, b->idem_key);
    assert_string_equal(a->symbol, b->symbol);
    assert_string_equal(a->trade_id, b->trade_id);
    assert_int_equal(a->qty, b->qty);
    assert_int_equal(a->price, b->price);
    assert_int_equal(a->fee, b->fee);
    assert_string_equal(a->text, b->text);
}

/* The store holds exactly want[0..n), in order. */
static void assert_journal(tl_store *s, const tl_event *want, size_t n)
{
    collect c = {0};
    assert_int_equal(scan_into(s, NULL, &c), 0);
    assert_int_equal(c.n, n);
    for (size_t i = 0; i < n; i++)
        assert_event_equal(&c.ev[i], &want[i]);
    free(c.ev);
}

static void assert_position_equal(const tl_position_row *a, const tl_position_row *b)
{
    assert_string_equal(a->workspace, b->workspace);
    assert_string_equal(a->symbol, b->symbol);
    assert_int_equal(a->qty, b->qty);
    assert_int_equal(a->avg_price, b->avg_price);
    assert_int_equal(a->realized_pnl, b->realized_pnl);
    assert_int_equal(a->fees, b->fees);
    assert_int_equal(a->updated_ns, b->updated_ns);
}

static void assert_account_equal(const tl_account_row *a, const tl_account_row *b)
{
    assert_string_equal(a->workspace, b->workspace);
    assert_int_equal(a->starting_cash, b->starting_cash);
    assert_int_equal(a->cash, b->cash);
    assert_int_equal(a->realized_pnl, b->realized_pnl);
    assert_int_equal(a->fees, b->fees);
    assert_int_equal(a->updated_ns, b->updated_ns);
}

#define MAX_ROWS 16

/* All position rows, which must be exactly want[0..n). */
static void assert_positions(tl_store *s, const char *ws, const tl_position_row *want, size_t n)
{
    tl_position_row got[MAX_ROWS];
    size_t count = 999;
    assert_int_equal(tl_store_get_positions(s, ws, got, MAX_ROWS, &count, NULL), 0);
    assert_int_equal(count, n);
    for (size_t i = 0; i < n; i++)
        assert_position_equal(&got[i], &want[i]);
}

static void assert_accounts(tl_store *s, const char *ws, const tl_account_row *want, size_t n)
{
    tl_account_row got[MAX_ROWS];
    size_t count = 999;
    assert_int_equal(tl_store_get_accounts(s, ws, got, MAX_ROWS, &count, NULL), 0);
    assert_int_equal(count, n);
    for (size_t i = 0; i < n; i++)
        assert_account_equal(&got[i], &want[i]);
}

static void assert_no_idem(tl_store *s, const char *key)
{
    tl_event out;
    memset(&out, 0x5a, sizeof out);
    tl_event before = out;
    assert_int_equal(tl_store_find_idem(s, key, &out, NULL), TL_ENOTFOUND);
    assert_memory_equal(&out, &before, sizeof out); /* untouched */
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_empty_store(void **state)
{
    ctx *c = *state;
    assert_high_water(&c->s, 0);
    collect col = {0};
    assert_int_equal(scan_into(&c->s, NULL, &col), 0);
    assert_int_equal(col.n, 0);
    assert_no_idem(&c->s, "k1");
    size_t n = 99;
    assert_int_equal(tl_store_get_positions(&c->s, "", NULL, 0, &n, NULL), 0);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(tl_store_get_accounts(&c->s, "", NULL, 0, &n, NULL), 0);
    assert_int_equal(n, 0);
}

static void test_append_assigns_seq(void **state)
{
    ctx *c = *state;
    tl_event ev[5];
    for (int i = 0; i < 5; i++) {
        ev[i] = ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, NULL);
        ev[i].ts_ns = 100 + i;
    }
    append_ok(&c->s, ev, 3, NULL, 0, NULL, 0);
    assert_int_equal(ev[0].seq, 1);
    assert_int_equal(ev[1].seq, 2);
    assert_int_equal(ev[2].seq, 3);
    assert_high_water(&c->s, 3);

    append_ok(&c->s, &ev[3], 1, NULL, 0, NULL, 0);
    assert_int_equal(ev[3].seq, 4);
    assert_high_water(&c->s, 4);
    append_ok(&c->s, &ev[4], 1, NULL, 0, NULL, 0);
    assert_int_equal(ev[4].seq, 5);
    assert_high_water(&c->s, 5);
    assert_journal(&c->s, ev, 5);
    assert_int_equal(c->s.stats.batches, 3);
    assert_int_equal(c->s.stats.events, 5);
    assert_int_equal(c->s.stats.failures, 0);

    /* A batch of snapshot rows alone takes no sequence number. */
    tl_account_row a = acc_make("alpha", TL_FIXED_INT(9000));
    append_ok(&c->s, NULL, 0, NULL, 0, &a, 1);
    assert_high_water(&c->s, 5);
    ev[0].seq = 0;
    append_ok(&c->s, ev, 1, NULL, 0, NULL, 0);
    assert_int_equal(ev[0].seq, 6);
    assert_high_water(&c->s, 6);
}

static void test_reopen_keeps_everything(void **state)
{
    ctx *c = *state;
    if (!(c->s.ops->caps & TL_STORE_CAP_DURABLE))
        skip();
    tl_event ev[4] = {
        submitted("alpha", "CLI00000001"),
        filled("alpha", "CLI00000001", "T-1"),
        ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "idem-ks"),
        ev_make(TL_EV_RISK_FROZEN, "beta", NULL, NULL, NULL),
    };
    tl_position_row p = pos_make("alpha", "BTCUSDT", TL_FIXED_INT(1));
    tl_account_row a = acc_make("alpha", TL_FIXED_INT(-5));
    append_ok(&c->s, ev, 3, &p, 1, &a, 1);
    append_ok(&c->s, &ev[3], 1, NULL, 0, NULL, 0);
    /* A batch that fails at commit must not reappear after the reopen. */
    tl_event lost = ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "idem-lost");
    c->s.faults.fail_commit_at = c->s.faults.commits + 1;
    assert_int_equal(append(&c->s, &lost, 1, NULL, 0, NULL, 0), TL_EIO);

    tl_store_close(&c->s);
    tl_err err = {0};
    int rc = tl_store_open(&c->s, c->url, NULL, NULL, &err);
    if (rc != 0)
        print_error("reopen %s: %s\n", c->url, err.msg);
    assert_int_equal(rc, 0);
    assert_high_water(&c->s, 4);
    assert_journal(&c->s, ev, 4);
    assert_positions(&c->s, "", &p, 1);
    assert_accounts(&c->s, "", &a, 1);
    tl_event out;
    assert_int_equal(tl_store_find_idem(&c->s, "idem-ks", &out, NULL), 0);
    assert_event_equal(&out, &ev[2]);
    assert_no_idem(&c->s, "idem-lost");
    /* The projections survived too: the stored ids are still taken. */
    tl_event dup = filled("alpha", "CLI00000001", "T-1");
    assert_int_equal(append(&c->s, &dup, 1, NULL, 0, NULL, 0), TL_EDUPLICATE);
    dup = submitted("alpha", "CLI00000001");
    assert_int_equal(append(&c->s, &dup, 1, NULL, 0, NULL, 0), TL_EDUPLICATE);
    append_ok(&c->s, &lost, 1, NULL, 0, NULL, 0);
    assert_int_equal(lost.seq, 5);
    assert_high_water(&c->s, 5);
}

/* Events i of the filter test: types and workspaces vary so every filter selects a mix. */
#define NSCAN 12
static void scan_fixture(tl_store *s, tl_event *ev)
{
    static const int types[] = {TL_EV_INTENT_EMITTED, TL_EV_ORDER_ACCEPTED, TL_EV_RISK_FROZEN};
    for (int i = 0; i < NSCAN; i++) {
        ev[i] = ev_make(types[i % 3], (i % 4) < 2 ? "alpha" : "beta", NULL, NULL, NULL);
        ev[i].ts_ns = i;
    }
    append_ok(s, ev, 5, NULL, 0, NULL, 0);
    append_ok(s, &ev[5], NSCAN - 5, NULL, 0, NULL, 0);
}

/* The scan with f must return exactly the fixture's events that pass it, in order. */
static void check_filter(tl_store *s, const tl_event *ev, uint64_t after, int type, const char *ws)
{
    tl_event want[NSCAN];
    size_t n = 0;
    for (int i = 0; i < NSCAN; i++) {
        if (ev[i].seq > after && (type == 0 || ev[i].type == type) &&
            (ws == NULL || ws[0] == '\0' || strcmp(ev[i].workspace, ws) == 0))
            want[n++] = ev[i];
    }
    tl_scan_filter f = {.after_seq = after, .type = type, .workspace = ws};
    collect c = {0};
    assert_int_equal(scan_into(s, &f, &c), 0);
    assert_int_equal(c.n, n);
    for (size_t i = 0; i < n; i++)
        assert_event_equal(&c.ev[i], &want[i]);
    free(c.ev);
}

static void test_scan_filters(void **state)
{
    ctx *c = *state;
    tl_event ev[NSCAN];
    scan_fixture(&c->s, ev);
    assert_journal(&c->s, ev, NSCAN);
    check_filter(&c->s, ev, 0, 0, NULL);
    check_filter(&c->s, ev, 0, 0, "");
    check_filter(&c->s, ev, 4, 0, NULL);  /* seq 5..12: crosses the batch boundary */
    check_filter(&c->s, ev, 11, 0, NULL); /* the last one */
    check_filter(&c->s, ev, 12, 0, NULL); /* nothing after the end */
    check_filter(&c->s, ev, 1000, 0, NULL);
    check_filter(&c->s, ev, 0, TL_EV_ORDER_ACCEPTED, NULL);
    check_filter(&c->s, ev, 0, TL_EV_ORDER_FILLED, NULL); /* a type with no events */
    check_filter(&c->s, ev, 0, 0, "beta");
    check_filter(&c->s, ev, 0, 0, "gamma");
    check_filter(&c->s, ev, 3, TL_EV_RISK_FROZEN, "beta");
    check_filter(&c->s, ev, 6, TL_EV_INTENT_EMITTED, "alpha");

    /* Exact answers for two cases, so the test does not only agree with itself: INTENT_EMITTED
     * is i = 0, 3, 6, 9, of which alpha (i % 4 < 2) are i = 0 and 9, i.e. seq 1 and 10. */
    tl_scan_filter f = {.after_seq = 0, .type = TL_EV_INTENT_EMITTED, .workspace = "alpha"};
    collect col = {0};
    assert_int_equal(scan_into(&c->s, &f, &col), 0);
    assert_int_equal(col.n, 2);
    assert_int_equal(col.ev[0].seq, 1);
    assert_int_equal(col.ev[1].seq, 10);
    f.after_seq = 1;
    assert_int_equal(scan_into(&c->s, &f, &col), 0);
    assert_int_equal(col.n, 1);
    assert_int_equal(col.ev[0].seq, 10);
    free(col.ev);
}

static void test_scan_early_stop(void **state)
{
    ctx *c = *state;
    tl_event ev[NSCAN];
    scan_fixture(&c->s, ev);
    collect col = {.stop_after = 3, .stop_rc = 7};
    assert_int_equal(scan_into(&c->s, NULL, &col), 7);
    assert_int_equal(col.n, 3);
    assert_int_equal(col.ev[2].seq, 3);

    tl_scan_filter f = {.after_seq = 5, .workspace = "beta"};
    col.stop_after = 1;
    col.stop_rc = -42; /* a negative value is passed back as well */
    assert_int_equal(scan_into(&c->s, &f, &col), -42);
    assert_int_equal(col.n, 1);
    assert_int_equal(col.ev[0].seq, 7); /* i=6: i%4=2 -> beta */
    free(col.ev);
}

/* size-1 characters from alphabet, starting at offset k, so strings differ per event. */
static void fill_str(char *dst, size_t size, const char *alphabet, size_t k)
{
    size_t na = strlen(alphabet);
    for (size_t i = 0; i + 1 < size; i++)
        dst[i] = alphabet[(i + k) % na];
    dst[size - 1] = '\0';
}

static void test_round_trip_all_fields(void **state)
{
    ctx *c = *state;
    static const char ws_chars[] = "ABCxyz019._:-";
    static const char id_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:/";
    static const char key_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789:|/ -'\"";
    /* Characters that quoting, escaping, COPY and printf formats have to get right. */
    static const char special[] =
        "it's \"q\", back\\slash\ttab\nnl\rcr %s %d ;DROP TABLE x;-- \xc3\xa9\xe2\x82\xac \\N |,";
    tl_event ev[TL_EV__MAX];
    char order_of_submitted[24];
    for (int t = 1; t <= TL_EV__MAX; t++) {
        tl_event *e = &ev[t - 1];
        memset(e, 0, sizeof *e);
        e->type = (uint16_t)t;
        e->ts_ns = 1700000000123456789LL + t;
        e->side = (uint8_t)(t % 2);
        e->status = (uint8_t)(t % TL_OS__COUNT);
        fill_str(e->workspace, sizeof e->workspace, ws_chars, (size_t)t);
        fill_str(e->order_id, sizeof e->order_id, id_chars, (size_t)t);
        fill_str(e->idem_key, sizeof e->idem_key, key_chars, (size_t)t);
        fill_str(e->symbol, sizeof e->symbol, id_chars, (size_t)t + 3);
        fill_str(e->trade_id, sizeof e->trade_id, id_chars, (size_t)t + 7);
        /* 127 bytes: the special characters, then padding (all valid UTF-8). */
        memset(e->text, 'x', sizeof e->text - 1);
        memcpy(e->text, special, sizeof special - 1);
        e->text[sizeof e->text - 1] = '\0';
        e->text[sizeof e->text - 2] = (char)('a' + t);
        e->qty = TL_FIXED_INT(t) + t;
        e->price = -TL_FIXED_INT(t) - 1;
        e->fee = t;
    }
    /* Extremes. Timestamps are extreme on events no projection reads. */
    ev[TL_EV_INTENT_EMITTED - 1].ts_ns = INT64_MAX;
    ev[TL_EV_POLICY_EVALUATED - 1].ts_ns = INT64_MIN;
    ev[TL_EV_RISK_FROZEN - 1].ts_ns = 0;
    ev[TL_EV_KILL_SWITCH - 1].ts_ns = -1;
    ev[TL_EV_ORDER_SUBMITTED - 1].qty = TL_FIXED_MAX;
    ev[TL_EV_ORDER_SUBMITTED - 1].price = TL_FIXED_MIN;
    ev[TL_EV_ORDER_FILLED - 1].qty = TL_FIXED_MAX;
    ev[TL_EV_ORDER_FILLED - 1].price = TL_FIXED_MAX;
    ev[TL_EV_ORDER_FILLED - 1].fee = TL_FIXED_MIN;
    ev[TL_EV_WORKSPACE_RESET - 1].fee = TL_FIXED_MAX;
    ev[TL_EV_POSITION_OPENED - 1].qty = TL_FIXED_MIN;
    ev[TL_EV_POSITION_OPENED - 1].price = 0;
    ev[TL_EV_POSITION_OPENED - 1].fee = -1;
    ev[TL_EV_INTENT_APPROVED - 1].text[0] = '\0'; /* empty strings stay empty */
    ev[TL_EV_INTENT_APPROVED - 1].symbol[0] = '\0';
    ev[TL_EV_INTENT_APPROVED - 1].order_id[0] = '\0';
    /* The order's later events name the submitted order, so a fill has its order row (trades
     * reference orders); INTENT_DENIED keeps its own id, since it inserts an order too. */
    memcpy(order_of_submitted, ev[TL_EV_ORDER_SUBMITTED - 1].order_id, sizeof order_of_submitted);
    static const int later[] = {TL_EV_ORDER_ACCEPTED, TL_EV_ORDER_REJECTED, TL_EV_ORDER_FILLED,
                                TL_EV_ORDER_CANCELED, TL_EV_ORDER_EXPIRED,  TL_EV_CANCEL_REQUESTED};
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        memcpy(ev[later[i] - 1].order_id, order_of_submitted, sizeof order_of_submitted);
        memcpy(ev[later[i] - 1].workspace, ev[TL_EV_ORDER_SUBMITTED - 1].workspace,
               sizeof ev[0].workspace);
    }
    append_ok(&c->s, ev, TL_EV__MAX, NULL, 0, NULL, 0);
    assert_high_water(&c->s, TL_EV__MAX);
    for (int t = 1; t <= TL_EV__MAX; t++) {
        assert_int_equal(ev[t - 1].seq, t);
        assert_int_equal(strlen(ev[t - 1].workspace), TL_WORKSPACE_MAX - 1);
        assert_int_equal(strlen(ev[t - 1].idem_key), TL_IDEM_KEY_MAX - 1);
    }
    assert_int_equal(strlen(ev[0].text), TL_EVENT_TEXT_MAX - 1);
    assert_journal(&c->s, ev, TL_EV__MAX);
    /* The longest key is found on its intent (whole, to the last byte); a key only other types
     * carry is not an intent's. */
    for (int t = 1; t <= TL_EV__MAX; t++) {
        tl_event out;
        if (t != TL_EV_INTENT_EMITTED) {
            assert_no_idem(&c->s, ev[t - 1].idem_key);
            continue;
        }
        assert_int_equal(tl_store_find_idem(&c->s, ev[t - 1].idem_key, &out, NULL), 0);
        assert_event_equal(&out, &ev[t - 1]);
    }
}

static void test_duplicate_trade_id(void **state)
{
    ctx *c = *state;
    tl_event a[2] = {submitted("alpha", "O1"), filled("alpha", "O1", "T1")};
    append_ok(&c->s, a, 2, NULL, 0, NULL, 0);

    /* The same trade twice in one batch: nothing of the batch may stay. */
    tl_event b[4] = {submitted("alpha", "O2"), filled("alpha", "O2", "T2"),
                     filled("alpha", "O2", "T2"),
                     ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "idem-b")};
    set_str(b[0].idem_key, sizeof b[0].idem_key, "idem-b0");
    tl_position_row p = pos_make("alpha", "BTCUSDT", TL_FIXED_INT(2));
    tl_account_row acc = acc_make("alpha", TL_FIXED_INT(1));
    tl_err err = {0};
    assert_int_equal(tl_store_append(&c->s, b, 4, &p, 1, &acc, 1, &err), TL_EDUPLICATE);
    assert_int_equal(err.code, TL_EDUPLICATE);
    assert_high_water(&c->s, 2);
    assert_journal(&c->s, a, 2);
    assert_no_idem(&c->s, "idem-b");
    assert_no_idem(&c->s, "idem-b0");
    assert_positions(&c->s, "", NULL, 0);
    assert_accounts(&c->s, "", NULL, 0);
    assert_int_equal(c->s.stats.failures, 1);
    assert_int_equal(c->s.stats.rollbacks, 1);

    /* A trade id already stored. */
    tl_event d[2] = {submitted("alpha", "O3"), filled("alpha", "O3", "T1")};
    assert_int_equal(append(&c->s, d, 2, NULL, 0, NULL, 0), TL_EDUPLICATE);
    assert_high_water(&c->s, 2);
    assert_journal(&c->s, a, 2);

    /* Trade ids are unique per workspace only. */
    tl_event e[2] = {submitted("beta", "O1"), filled("beta", "O1", "T1")};
    append_ok(&c->s, e, 2, NULL, 0, NULL, 0);
    assert_int_equal(e[0].seq, 3);

    /* The failed batches left no order and no trade behind: their ids are free. */
    tl_event f[4] = {submitted("alpha", "O2"), filled("alpha", "O2", "T2"),
                     submitted("alpha", "O3"), filled("alpha", "O3", "T3")};
    append_ok(&c->s, f, 4, NULL, 0, NULL, 0);
    assert_int_equal(f[0].seq, 5);
    assert_int_equal(f[3].seq, 8);
    assert_high_water(&c->s, 8);
    tl_event all[8] = {a[0], a[1], e[0], e[1], f[0], f[1], f[2], f[3]};
    assert_journal(&c->s, all, 8);
}

/* Two engines racing on one idempotency key must not both commit its intent. */
static void test_intent_emitted_once(void **state)
{
    ctx *c = *state;
    tl_event a[2] = {ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "ws|i1|paper"),
                     ev_make(TL_EV_POLICY_EVALUATED, "alpha", NULL, NULL, "ws|i1|paper")};
    append_ok(&c->s, a, 2, NULL, 0, NULL, 0);
    tl_event b[2] = {ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "ws|i2|paper"),
                     ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "ws|i1|paper")};
    tl_err err = {0};
    /* A distinct code: the caller looks the key's original outcome up (find_idem). */
    assert_int_equal(tl_store_append(&c->s, b, 2, NULL, 0, NULL, 0, &err), TL_EEXIST);
    assert_high_water(&c->s, 2);
    assert_journal(&c->s, a, 2);
    assert_no_idem(&c->s, "ws|i2|paper");
    /* Across workspaces: a key is executed once in the whole store. */
    tl_event x[1] = {ev_make(TL_EV_INTENT_EMITTED, "beta", NULL, NULL, "ws|i1|paper")};
    assert_int_equal(append(&c->s, x, 1, NULL, 0, NULL, 0), TL_EEXIST);
    tl_event orig;
    assert_int_equal(tl_store_find_idem(&c->s, "ws|i1|paper", &orig, NULL), 0);
    assert_int_equal(orig.seq, 1);
    assert_string_equal(orig.workspace, "alpha");
    /* Within one batch too. */
    tl_event d[2] = {ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "ws|i3|paper"),
                     ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "ws|i3|paper")};
    assert_int_equal(append(&c->s, d, 2, NULL, 0, NULL, 0), TL_EEXIST);
    assert_high_water(&c->s, 2);
    /* Other events may carry the key again, and other keys go on. */
    tl_event e[2] = {ev_make(TL_EV_INTENT_APPROVED, "alpha", NULL, NULL, "ws|i1|paper"),
                     ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "ws|i2|paper")};
    append_ok(&c->s, e, 2, NULL, 0, NULL, 0);
    assert_int_equal(e[1].seq, 4);
}

static void test_duplicate_order_id(void **state)
{
    ctx *c = *state;
    tl_event a = submitted("alpha", "O1");
    append_ok(&c->s, &a, 1, NULL, 0, NULL, 0);

    tl_event b[3] = {ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "idem-x"),
                     submitted("alpha", "O2"), submitted("alpha", "O2")};
    assert_int_equal(append(&c->s, b, 3, NULL, 0, NULL, 0), TL_EDUPLICATE);
    assert_high_water(&c->s, 1);
    assert_no_idem(&c->s, "idem-x");

    tl_event d = submitted("alpha", "O1");
    assert_int_equal(append(&c->s, &d, 1, NULL, 0, NULL, 0), TL_EDUPLICATE);
    /* A denied intent that carries an order id takes that id as well. */
    tl_event denied = ev_make(TL_EV_INTENT_DENIED, "alpha", "O1", NULL, NULL);
    denied.status = TL_OS_DENIED;
    set_str(denied.text, sizeof denied.text, "max position");
    assert_int_equal(append(&c->s, &denied, 1, NULL, 0, NULL, 0), TL_EDUPLICATE);
    assert_high_water(&c->s, 1);

    /* A long batch whose very last event collides: still nothing of it stays. */
    enum { N = 64 };
    tl_event big[N];
    char id[24];
    for (int i = 0; i < N - 1; i++) {
        snprintf(id, sizeof id, "B%05d", i);
        big[i] = submitted("alpha", id);
    }
    big[N - 1] = submitted("alpha", "O1");
    assert_int_equal(append(&c->s, big, N, NULL, 0, NULL, 0), TL_EDUPLICATE);
    assert_high_water(&c->s, 1);
    assert_journal(&c->s, &a, 1);

    /* Denied intents without an order id insert nothing, so they never collide. */
    tl_event g[4] = {ev_make(TL_EV_INTENT_DENIED, "alpha", NULL, NULL, NULL),
                     ev_make(TL_EV_INTENT_DENIED, "alpha", NULL, NULL, NULL),
                     submitted("alpha", "O2"), submitted("beta", "O1")};
    append_ok(&c->s, g, 4, NULL, 0, NULL, 0);
    assert_int_equal(g[0].seq, 2);
    assert_int_equal(g[3].seq, 5);
    /* The long batch's ids are free again. */
    append_ok(&c->s, big, N - 1, NULL, 0, NULL, 0);
    assert_int_equal(big[0].seq, 6);
    assert_high_water(&c->s, 5 + N - 1);
    /* And now taken. */
    tl_event again = submitted("alpha", "B00000");
    assert_int_equal(append(&c->s, &again, 1, NULL, 0, NULL, 0), TL_EDUPLICATE);
    assert_high_water(&c->s, 5 + N - 1);
}

static void test_orders_projection_lifecycle(void **state)
{
    ctx *c = *state;
    tl_event sub = submitted("alpha", "O1");
    sub.qty = TL_FIXED_INT(10);
    append_ok(&c->s, &sub, 1, NULL, 0, NULL, 0);
    /* Later events of an order update its row; none of them is a duplicate. */
    tl_event acc = ev_make(TL_EV_ORDER_ACCEPTED, "alpha", "O1", NULL, NULL);
    acc.status = TL_OS_OPEN;
    append_ok(&c->s, &acc, 1, NULL, 0, NULL, 0);
    tl_event f1 = filled("alpha", "O1", "T1");
    f1.qty = TL_FIXED_INT(4);
    f1.status = TL_OS_PARTIALLY_FILLED;
    tl_event f2 = filled("alpha", "O1", "T2");
    f2.qty = TL_FIXED_INT(6);
    f2.ts_ns += 5;
    tl_event pair[2] = {f1, f2};
    append_ok(&c->s, pair, 2, NULL, 0, NULL, 0);
    tl_event cxl = ev_make(TL_EV_CANCEL_REQUESTED, "alpha", "O1", NULL, NULL);
    cxl.status = TL_OS_FILLED;
    append_ok(&c->s, &cxl, 1, NULL, 0, NULL, 0);

    tl_event sub2 = submitted("alpha", "O2");
    tl_event rej = ev_make(TL_EV_ORDER_REJECTED, "alpha", "O2", NULL, NULL);
    rej.status = TL_OS_REJECTED;
    set_str(rej.text, sizeof rej.text, "insufficient balance");
    tl_event two[2] = {sub2, rej};
    append_ok(&c->s, two, 2, NULL, 0, NULL, 0);
    /* An event for an order the store never saw updates nothing and is still journaled. */
    tl_event stray = ev_make(TL_EV_ORDER_CANCELED, "alpha", "O99", NULL, NULL);
    stray.status = TL_OS_CANCELED;
    append_ok(&c->s, &stray, 1, NULL, 0, NULL, 0);
    assert_high_water(&c->s, 8);

    tl_scan_filter f = {.type = TL_EV_ORDER_FILLED};
    collect col = {0};
    assert_int_equal(scan_into(&c->s, &f, &col), 0);
    assert_int_equal(col.n, 2);
    assert_event_equal(&col.ev[0], &pair[0]);
    assert_event_equal(&col.ev[1], &pair[1]);
    f.type = TL_EV_ORDER_REJECTED;
    assert_int_equal(scan_into(&c->s, &f, &col), 0);
    assert_int_equal(col.n, 1);
    assert_string_equal(col.ev[0].text, "insufficient balance");
    free(col.ev);

    tl_event dup[2] = {submitted("alpha", "O2"), submitted("alpha", "O1")};
    assert_int_equal(append(&c->s, &dup[0], 1, NULL, 0, NULL, 0), TL_EDUPLICATE);
    assert_int_equal(append(&c->s, &dup[1], 1, NULL, 0, NULL, 0), TL_EDUPLICATE);
    tl_event dupfill = filled("alpha", "O2", "T2");
    assert_int_equal(append(&c->s, &dupfill, 1, NULL, 0, NULL, 0), TL_EDUPLICATE);
    assert_high_water(&c->s, 8);
}

static void test_positions_accounts(void **state)
{
    ctx *c = *state;
    /* Given out of order; read back sorted by (workspace, symbol). */
    tl_position_row in[4] = {pos_make("beta", "ETHUSDT", 3), pos_make("alpha", "ETHUSDT", 2),
                             pos_make("gamma", "BTCUSDT", 4), pos_make("alpha", "BTCUSDT", 1)};
    in[0].qty = TL_FIXED_MIN;
    in[0].avg_price = TL_FIXED_MAX;
    in[0].updated_ns = INT64_MAX;
    in[1].realized_pnl = TL_FIXED_MAX;
    in[1].fees = TL_FIXED_MIN;
    in[1].updated_ns = INT64_MIN;
    append_ok(&c->s, NULL, 0, in, 4, NULL, 0);
    assert_high_water(&c->s, 0);
    tl_position_row sorted[4] = {in[3], in[1], in[0], in[2]};
    assert_positions(&c->s, "", sorted, 4);
    assert_positions(&c->s, NULL, sorted, 4);
    assert_positions(&c->s, "alpha", sorted, 2);
    assert_positions(&c->s, "beta", &sorted[2], 1);
    assert_positions(&c->s, "delta", NULL, 0);

    /* cap below the count: n says how many exist, only cap rows are written. */
    tl_position_row out[4];
    memset(out, 0xab, sizeof out);
    tl_position_row sentinel;
    memset(&sentinel, 0xab, sizeof sentinel);
    size_t n = 0;
    assert_int_equal(tl_store_get_positions(&c->s, "", out, 2, &n, NULL), 0);
    assert_int_equal(n, 4);
    assert_position_equal(&out[0], &sorted[0]);
    assert_position_equal(&out[1], &sorted[1]);
    assert_memory_equal(&out[2], &sentinel, sizeof sentinel);
    n = 0;
    assert_int_equal(tl_store_get_positions(&c->s, "alpha", NULL, 0, &n, NULL), 0);
    assert_int_equal(n, 2);

    /* Upsert: an existing key is replaced, a new one inserted in order; with events. */
    tl_position_row up[2] = {pos_make("alpha", "BTCUSDT", 11), pos_make("alpha", "ADAUSDT", 5)};
    tl_event ev = ev_make(TL_EV_POSITION_SCALED, "alpha", NULL, NULL, NULL);
    append_ok(&c->s, &ev, 1, up, 2, NULL, 0);
    tl_position_row after[5] = {up[1], up[0], in[1], in[0], in[2]};
    assert_positions(&c->s, "", after, 5);

    /* Accounts likewise. */
    tl_account_row acc[3] = {acc_make("gamma", TL_FIXED_INT(3)), acc_make("alpha", TL_FIXED_MAX),
                             acc_make("beta", TL_FIXED_MIN)};
    acc[2].updated_ns = INT64_MIN;
    append_ok(&c->s, NULL, 0, NULL, 0, acc, 3);
    tl_account_row asorted[3] = {acc[1], acc[2], acc[0]};
    assert_accounts(&c->s, "", asorted, 3);
    assert_accounts(&c->s, "beta", &asorted[1], 1);
    assert_accounts(&c->s, "delta", NULL, 0);
    tl_account_row aout[3];
    memset(aout, 0xab, sizeof aout);
    tl_account_row asentinel;
    memset(&asentinel, 0xab, sizeof asentinel);
    n = 0;
    assert_int_equal(tl_store_get_accounts(&c->s, "", aout, 1, &n, NULL), 0);
    assert_int_equal(n, 3);
    assert_account_equal(&aout[0], &asorted[0]);
    assert_memory_equal(&aout[1], &asentinel, sizeof asentinel);
    tl_account_row aup = acc_make("beta", TL_FIXED_INT(42));
    append_ok(&c->s, NULL, 0, NULL, 0, &aup, 1);
    tl_account_row aafter[3] = {acc[1], aup, acc[0]};
    assert_accounts(&c->s, "", aafter, 3);

    /* Rows passed with a batch that fails are not applied: neither updates nor inserts. */
    tl_event bad[3] = {submitted("alpha", "O1"), filled("alpha", "O1", "T1"),
                       filled("alpha", "O1", "T1")};
    tl_position_row bp[2] = {pos_make("alpha", "BTCUSDT", 99), pos_make("zeta", "XRPUSDT", 1)};
    tl_account_row ba[2] = {acc_make("alpha", 1), acc_make("zeta", 1)};
    assert_int_equal(append(&c->s, bad, 3, bp, 2, ba, 2), TL_EDUPLICATE);
    assert_positions(&c->s, "", after, 5);
    assert_accounts(&c->s, "", aafter, 3);
    assert_high_water(&c->s, 1);
}

static void test_find_idem(void **state)
{
    ctx *c = *state;
    tl_event a[3] = {ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "k1"),
                     ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, NULL),
                     ev_make(TL_EV_INTENT_APPROVED, "beta", NULL, NULL, "k2")};
    a[0].ts_ns = 11;
    append_ok(&c->s, a, 3, NULL, 0, NULL, 0);
    tl_event b[4] = {ev_make(TL_EV_INTENT_DENIED, "alpha", NULL, NULL, "k1"),
                     ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "k3"),
                     ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "k4"),
                     ev_make(TL_EV_INTENT_APPROVED, "alpha", NULL, NULL, "k4")};
    append_ok(&c->s, b, 4, NULL, 0, NULL, 0);
    tl_event out;
    assert_int_equal(tl_store_find_idem(&c->s, "k1", &out, NULL), 0);
    assert_event_equal(&out, &a[0]); /* the first, not the later repeat */
    assert_no_idem(&c->s, "k2"); /* a key on another event than an intent is not indexed */
    assert_int_equal(tl_store_find_idem(&c->s, "k3", &out, NULL), 0);
    assert_int_equal(out.seq, 5);
    assert_int_equal(tl_store_find_idem(&c->s, "k4", &out, NULL), 0);
    assert_int_equal(out.seq, 6); /* repeated inside one batch */
    assert_int_equal(out.type, TL_EV_INTENT_EMITTED);
    assert_no_idem(&c->s, "k"); /* no prefix match */
    assert_no_idem(&c->s, "k10");
    assert_no_idem(&c->s, "K1"); /* case matters */
    /* A key seen only in a failed batch is not found; its first good use is. */
    tl_event bad[3] = {ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "k9"),
                       submitted("alpha", "O1"), submitted("alpha", "O1")};
    assert_int_equal(append(&c->s, bad, 3, NULL, 0, NULL, 0), TL_EDUPLICATE);
    assert_no_idem(&c->s, "k9");
    tl_event good = ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, "k9");
    append_ok(&c->s, &good, 1, NULL, 0, NULL, 0);
    assert_int_equal(tl_store_find_idem(&c->s, "k9", &out, NULL), 0);
    assert_int_equal(out.seq, 8);
}

/* ---- fault injection ------------------------------------------------------------------------ */

#define NBATCH 6
#define BMAX   4

typedef struct scenario_batch {
    tl_event ev[BMAX];
    size_t n;
    tl_position_row pos;
    size_t npos;
    tl_account_row acc;
    size_t nacc;
} scenario_batch;

/* Several batches touching every part of a write: orders, trades, keys and snapshot rows, one
 * batch of snapshot rows alone, and a later batch that updates earlier rows. */
static void scenario(scenario_batch *b)
{
    memset(b, 0, NBATCH * sizeof *b);
    char id[24], tid[32], key[32];
    for (int i = 0; i < NBATCH; i++) {
        snprintf(id, sizeof id, "O%d", i);
        snprintf(tid, sizeof tid, "T%d", i);
        snprintf(key, sizeof key, "key-%d", i);
        if (i == 3) { /* rows alone */
            b[i].pos = pos_make("beta", "ETHUSDT", 30);
            b[i].npos = 1;
            continue;
        }
        b[i].ev[0] = ev_make(TL_EV_INTENT_EMITTED, "alpha", NULL, NULL, key);
        b[i].ev[1] = submitted("alpha", id);
        b[i].ev[2] = filled("alpha", id, tid);
        b[i].ev[2].ts_ns += i;
        b[i].n = 3;
        if (i % 2 == 0) {
            b[i].ev[3] = ev_make(TL_EV_POSITION_SCALED, "alpha", id, NULL, NULL);
            b[i].n = 4;
        }
        b[i].pos = pos_make("alpha", "BTCUSDT", i + 1);
        b[i].npos = 1;
        b[i].acc = acc_make(i < 4 ? "alpha" : "beta", TL_FIXED_INT(100 + i));
        b[i].nacc = 1;
    }
}

/* The store must hold exactly batches [0, done), nothing of the others. */
static void assert_scenario_state(tl_store *s, const scenario_batch *b, int done)
{
    tl_event want[NBATCH * BMAX];
    size_t n = 0;
    /* The scenario's rows have two keys each, alpha's sorting first; later rows replace. */
    tl_position_row pos_by[2], pos[2];
    tl_account_row acc_by[2], acc[2];
    int has_pos[2] = {0, 0}, has_acc[2] = {0, 0};
    for (int i = 0; i < done; i++) {
        for (size_t j = 0; j < b[i].n; j++)
            want[n++] = b[i].ev[j];
        if (b[i].npos) {
            int k = strcmp(b[i].pos.workspace, "alpha") != 0;
            pos_by[k] = b[i].pos;
            has_pos[k] = 1;
        }
        if (b[i].nacc) {
            int k = strcmp(b[i].acc.workspace, "alpha") != 0;
            acc_by[k] = b[i].acc;
            has_acc[k] = 1;
        }
    }
    size_t npos = 0, nacc = 0;
    for (int k = 0; k < 2; k++) {
        if (has_pos[k])
            pos[npos++] = pos_by[k];
        if (has_acc[k])
            acc[nacc++] = acc_by[k];
    }
    assert_high_water(s, n);
    assert_journal(s, want, n);
    assert_positions(s, "", pos, npos);
    assert_accounts(s, "", acc, nacc);
    char key[32];
    for (int i = 0; i < NBATCH; i++) {
        if (b[i].n == 0)
            continue;
        snprintf(key, sizeof key, "key-%d", i);
        if (i < done) {
            tl_event out;
            assert_int_equal(tl_store_find_idem(s, key, &out, NULL), 0);
            assert_event_equal(&out, &b[i].ev[0]);
        } else {
            assert_no_idem(s, key);
        }
    }
}

/* For every N, a fresh store runs the scenario with the Nth write (or commit) failing; after the
 * failure the store holds exactly the batches that succeeded, and retrying the failed batch and
 * going on works, with no gap in the sequence. */
static void run_faults(int on_commit)
{
    for (int nth = 1; nth <= NBATCH; nth++) {
        tl_store s;
        char url[URL_MAX];
        open_fresh(&s, url, sizeof url);
        if (on_commit)
            s.faults.fail_commit_at = (uint64_t)nth;
        else
            s.faults.fail_write_at = (uint64_t)nth;
        scenario_batch b[NBATCH];
        scenario(b);
        for (int i = 0; i < NBATCH; i++) {
            scenario_batch *x = &b[i];
            tl_err err = {0};
            int rc = tl_store_append(&s, x->n ? x->ev : NULL, x->n, x->npos ? &x->pos : NULL,
                                     x->npos, x->nacc ? &x->acc : NULL, x->nacc, &err);
            if (i + 1 == nth) {
                assert_int_equal(rc, TL_EIO);
                assert_non_null(strstr(err.msg, on_commit ? "injected fault: commit #"
                                                          : "injected fault: write #"));
                assert_scenario_state(&s, b, i);
                append_ok(&s, x->n ? x->ev : NULL, x->n, x->npos ? &x->pos : NULL, x->npos,
                          x->nacc ? &x->acc : NULL, x->nacc);
            } else {
                if (rc != 0)
                    print_error("batch %d: %s\n", i, err.msg);
                assert_int_equal(rc, 0);
            }
            assert_scenario_state(&s, b, i + 1);
        }
        assert_int_equal(s.stats.failures, 1);
        assert_int_equal(s.stats.rollbacks, 1);
        assert_int_equal(s.stats.batches, NBATCH);
        tl_store_close(&s);
    }
}

static void test_fault_write(void **state)
{
    (void)state;
    run_faults(0);
}

static void test_fault_commit(void **state)
{
    (void)state;
    run_faults(1);
}

static void test_large_batch(void **state)
{
    ctx *c = *state;
    enum { N = 10000 };
    tl_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    char id[24], tid[32], key[32];
    /* Orders submitted and filled, every tenth behind an intent that carries its key. */
    for (int i = 0; i < N; i += 2) {
        snprintf(id, sizeof id, "CLI%08d", i / 2);
        snprintf(tid, sizeof tid, "TRD-%d", i / 2);
        snprintf(key, sizeof key, "idem-%d", i / 2);
        const char *ws = i % 4 == 0 ? "alpha" : "beta";
        if (i % 20 == 18) {
            ev[i] = ev_make(TL_EV_INTENT_EMITTED, ws, NULL, NULL, key);
            ev[i + 1] = ev_make(TL_EV_INTENT_APPROVED, ws, NULL, NULL, key);
            continue;
        }
        ev[i] = submitted(ws, id);
        ev[i].qty = i + 1;
        ev[i + 1] = filled(ev[i].workspace, id, tid);
        ev[i + 1].ts_ns += i;
        ev[i + 1].price = TL_FIXED_INT(i) + 1;
    }
    append_ok(&c->s, ev, N, NULL, 0, NULL, 0);
    assert_high_water(&c->s, N);
    assert_int_equal(ev[N - 1].seq, N);
    assert_journal(&c->s, ev, N);
    tl_event out;
    assert_int_equal(tl_store_find_idem(&c->s, "idem-4999", &out, NULL), 0);
    assert_int_equal(out.seq, N - 1);
    assert_int_equal(tl_store_find_idem(&c->s, "idem-9", &out, NULL), 0);
    assert_int_equal(out.seq, 19);
    assert_no_idem(&c->s, "idem-4998");
    tl_scan_filter f = {.after_seq = N / 2, .type = TL_EV_ORDER_FILLED, .workspace = "beta"};
    collect col = {0};
    assert_int_equal(scan_into(&c->s, &f, &col), 0);
    assert_int_equal(col.n, N / 8 - N / 40); /* beta's fills of the second half, less its intents */
    free(col.ev);
    /* Every id is now taken, and the sequence goes on. */
    tl_event dup = submitted("beta", "CLI00004997");
    assert_int_equal(append(&c->s, &dup, 1, NULL, 0, NULL, 0), TL_EDUPLICATE);
    tl_event next = ev_make(TL_EV_KILL_SWITCH, "alpha", NULL, NULL, NULL);
    append_ok(&c->s, &next, 1, NULL, 0, NULL, 0);
    assert_int_equal(next.seq, N + 1);
    free(ev);
}

/* NULLs slot i of t (0..10, in the table's order); returns its name, NULL past the last. */
/* clang-format off */
static const char *null_slot(tl_store_ops *t, int i)
{
    switch (i) {
    case 0: t->open = NULL; return "open";
    case 1: t->close = NULL; return "close";
    case 2: t->begin = NULL; return "begin";
    case 3: t->write = NULL; return "write";
    case 4: t->commit = NULL; return "commit";
    case 5: t->rollback = NULL; return "rollback";
    case 6: t->high_water = NULL; return "high_water";
    case 7: t->scan = NULL; return "scan";
    case 8: t->find_idem = NULL; return "find_idem";
    case 9: t->get_positions = NULL; return "get_positions";
    case 10: t->get_accounts = NULL; return "get_accounts";
    default: return NULL;
    }
}
/* clang-format on */

static void test_ops_check(void **state)
{
    ctx *c = *state;
    const tl_store_ops *ops = c->s.ops;
    tl_err err = {0};
    assert_int_equal(tl_store_ops_check(ops, &err), 0);
    assert_true(ops->state_size > 0);
    int slots = 0;
    for (int i = 0;; i++) {
        tl_store_ops t = *ops;
        const char *name = null_slot(&t, i);
        if (name == NULL)
            break;
        slots++;
        memset(&err, 0, sizeof err);
        assert_int_equal(tl_store_ops_check(&t, &err), TL_EINVAL);
        char want[64];
        snprintf(want, sizeof want, "'%s'", name);
        assert_non_null(strstr(err.msg, want));
        /* The same table offered to tl_store_open is refused before anything opens. */
        const tl_store_ops *extra[] = {&t, NULL};
        tl_store s2;
        memset(&s2, 0x77, sizeof s2);
        tl_store before = s2;
        assert_int_equal(tl_store_open(&s2, "mem:", NULL, extra, &err), TL_EINVAL);
        assert_memory_equal(&s2, &before, sizeof s2);
    }
    assert_int_equal(slots, 11);
    tl_store_ops t = *ops;
    t.version = TL_STORE_OPS_VERSION + 1;
    assert_int_equal(tl_store_ops_check(&t, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "version"));
    t = *ops;
    t.version = 0;
    assert_int_equal(tl_store_ops_check(&t, &err), TL_EINVAL);
    t = *ops;
    t.state_size = 0;
    assert_int_equal(tl_store_ops_check(&t, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "state_size"));
    t = *ops;
    t.scheme = NULL;
    assert_int_equal(tl_store_ops_check(&t, &err), TL_EINVAL);
    t.scheme = "";
    assert_int_equal(tl_store_ops_check(&t, &err), TL_EINVAL);
    assert_int_equal(tl_store_ops_check(NULL, &err), TL_EINVAL);
}

/* ---- workspaces: ranges, and scans that read only a workspace's own events ---------------- */

/* The seqs a scan returns, "3,5,6". */
static void collect_seqs(tl_store *s, const char *ws, uint64_t after, int type, char *out,
                         size_t cap)
{
    tl_scan_filter f = {.after_seq = after, .type = type, .workspace = ws};
    collect c = {0};
    assert_int_equal(scan_into(s, &f, &c), 0);
    out[0] = '\0';
    for (size_t i = 0, len = 0; i < c.n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%llu", i ? "," : "",
                                (unsigned long long)c.ev[i].seq);
    free(c.ev);
}

/* alpha 1-2 | beta 3, alpha 4, beta 5 | beta 6: beta's events interleave with alpha's and
 * follow some. */
static void append_interleaved(tl_store *s)
{
    tl_event b1[2] = {submitted("alpha", "A1"), submitted("alpha", "A2")};
    tl_event b2[3] = {submitted("beta", "B1"), filled("alpha", "A1", "T1"),
                      ev_make(TL_EV_ORDER_ACCEPTED, "beta", "B1", "VENUE-7", NULL)};
    tl_event b3[1] = {filled("beta", "B1", "VENUE-7")};
    b3[0].qty = 1000000; /* 0.01 */
    assert_int_equal(tl_store_append(s, b1, 2, NULL, 0, NULL, 0, NULL), 0);
    assert_int_equal(tl_store_append(s, b2, 3, NULL, 0, NULL, 0, NULL), 0);
    /* The acceptance carried the venue's id in trade_id and inserted no trade, so the fill of
     * that id is no duplicate. */
    assert_int_equal(tl_store_append(s, b3, 1, NULL, 0, NULL, 0, NULL), 0);
}

static void test_workspace_range(void **state)
{
    ctx *c = *state;
    tl_workspace_info wi;
    tl_err err = {0};
    assert_int_equal(tl_store_workspace_info(&c->s, "beta", &wi, &err), TL_ENOTFOUND);
    append_interleaved(&c->s);
    assert_int_equal(tl_store_workspace_info(&c->s, "alpha", &wi, NULL), 0);
    assert_int_equal(wi.first_seq, 1);
    assert_int_equal(wi.last_seq, 4);
    assert_int_equal(tl_store_workspace_info(&c->s, "beta", &wi, NULL), 0);
    assert_int_equal(wi.first_seq, 3);
    assert_int_equal(wi.last_seq, 6);
    assert_int_equal(tl_store_workspace_info(&c->s, "gamma", &wi, NULL), TL_ENOTFOUND);
    assert_int_equal(tl_store_workspace_info(&c->s, "bad ws", &wi, NULL), TL_EINVAL);

    char got[128];
    collect_seqs(&c->s, "beta", 0, 0, got, sizeof got);
    assert_string_equal(got, "3,5,6");
    collect_seqs(&c->s, "beta", 3, 0, got, sizeof got);
    assert_string_equal(got, "5,6");
    collect_seqs(&c->s, "beta", 0, TL_EV_ORDER_FILLED, got, sizeof got);
    assert_string_equal(got, "6");
    collect_seqs(&c->s, "alpha", 0, 0, got, sizeof got);
    assert_string_equal(got, "1,2,4");
    collect_seqs(&c->s, "gamma", 0, 0, got, sizeof got);
    assert_string_equal(got, "");

    /* A failed batch leaves no range behind, and a later one extends the range. */
    tl_event bad[2] = {submitted("gamma", "G1"), submitted("gamma", "G1")};
    assert_int_not_equal(tl_store_append(&c->s, bad, 2, NULL, 0, NULL, 0, NULL), 0);
    assert_int_equal(tl_store_workspace_info(&c->s, "gamma", &wi, NULL), TL_ENOTFOUND);
    tl_event more = submitted("alpha", "A3");
    assert_int_equal(tl_store_append(&c->s, &more, 1, NULL, 0, NULL, 0, NULL), 0);
    assert_int_equal(tl_store_workspace_info(&c->s, "alpha", &wi, NULL), 0);
    assert_int_equal(wi.first_seq, 1);
    assert_int_equal(wi.last_seq, 7);
}

static void sql_value(const ctx *c, const char *sql, char *out, size_t cap)
{
    if (sql_hook(c->url, sql, out, cap) != 0)
        fail_msg("query failed: %s", sql);
}

/* What a person sees with sqlite3 or psql, and proof that a workspace's scan starts at its
 * first seq: once the workspaces row says beta starts at 5, seq 3 is not read. */
static void test_sql_views(void **state)
{
    ctx *c = *state;
    if (sql_hook == NULL)
        skip();
    char got[256];
    append_interleaved(&c->s);
    sql_value(c, "SELECT name FROM event_types WHERE type = 8", got, sizeof got);
    assert_string_equal(got, "ORDER_FILLED");
    sql_value(c, "SELECT count(*) FROM event_types", got, sizeof got);
    char want[16];
    snprintf(want, sizeof want, "%d", TL_EV__MAX); /* every type of the X-macro, no migration */
    assert_string_equal(got, want);
    sql_value(c,
              "SELECT name || ' ' || qty || ' ' || price || ' ' || fee FROM events_v"
              " WHERE seq = 6",
              got, sizeof got);
    assert_string_equal(got, "ORDER_FILLED 0.01 50000 0.00012345");
    sql_value(c, "SELECT count(*) FROM trades WHERE workspace = 'beta'", got, sizeof got);
    assert_string_equal(got, "1");
    sql_value(c, "UPDATE workspaces SET first_seq = 5 WHERE workspace = 'beta' RETURNING 1", got,
              sizeof got);
    collect_seqs(&c->s, "beta", 0, 0, got, sizeof got);
    assert_string_equal(got, "5,6");
}

int tl_store_conformance_run(const char *group_name, const char *template)
{
    url_template = template;
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_empty_store),
        T(test_append_assigns_seq),
        T(test_reopen_keeps_everything),
        T(test_scan_filters),
        T(test_scan_early_stop),
        T(test_round_trip_all_fields),
        T(test_duplicate_trade_id),
        T(test_duplicate_order_id),
        T(test_intent_emitted_once),
        T(test_orders_projection_lifecycle),
        T(test_positions_accounts),
        T(test_find_idem),
        T(test_large_batch),
        T(test_ops_check),
        T(test_workspace_range),
        T(test_sql_views),
        cmocka_unit_test(test_fault_write),
        cmocka_unit_test(test_fault_commit),
    };
#undef T
    return cmocka_run_group_tests_name(group_name, tests, NULL, NULL);
}
