/* orders_conformance.c -- the shared suite of the orders table's reads (see the header).
 * Everything goes through the dispatcher and the journal, as `tradeloop serve` reads them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/orders_conformance.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "store/store.h"
#include "tradeloop/order.h"

static const char *url_template;
static unsigned url_counter;
static int is_durable;
static int (*reset_hook)(const char *url);

typedef struct ctx {
    tl_store s;
    char url[1024];
} ctx;

#define T0 1700000000000000000LL

static int setup(void **state)
{
    ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return -1;
    const char *p = strstr(url_template, "%d");
    if (p == NULL)
        snprintf(c->url, sizeof c->url, "%s", url_template);
    else
        snprintf(c->url, sizeof c->url, "%.*s%u%s", (int)(p - url_template), url_template,
                 url_counter++, p + 2);
    tl_err err = {0};
    if ((reset_hook != NULL && reset_hook(c->url) != 0) ||
        tl_store_open(&c->s, c->url, NULL, NULL, &err) != 0) {
        fprintf(stderr, "orders conformance: cannot open %s: %s\n", c->url, err.msg);
        free(c);
        return -1;
    }
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

/* ---- events ---- */

static tl_event ev(int type, const char *ws, const char *oid, int64_t ts, int status)
{
    tl_event e;
    memset(&e, 0, sizeof e);
    e.type = (uint16_t)type;
    e.ts_ns = ts;
    snprintf(e.workspace, sizeof e.workspace, "%s", ws);
    snprintf(e.order_id, sizeof e.order_id, "%s", oid);
    snprintf(e.symbol, sizeof e.symbol, "BTCUSDT");
    e.status = (uint8_t)status;
    e.qty = TL_FIXED_INT(2);
    e.price = 5000012345678LL; /* 50000.12345678 */
    return e;
}

static tl_event submitted(const char *ws, const char *oid, int64_t ts)
{
    return ev(TL_EV_ORDER_SUBMITTED, ws, oid, ts, TL_OS_PENDING_NEW);
}

static tl_event fill(const char *ws, const char *oid, const char *tid, int64_t ts, tl_fixed qty,
                     int status)
{
    tl_event e = ev(TL_EV_ORDER_FILLED, ws, oid, ts, status);
    snprintf(e.trade_id, sizeof e.trade_id, "%s", tid);
    e.qty = qty;
    return e;
}

static void append(ctx *c, tl_event *evs, size_t n)
{
    tl_err err = {0};
    int rc = tl_store_append(&c->s, evs, n, NULL, 0, NULL, 0, &err);
    if (rc != 0)
        print_error("append: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

static size_t recent(tl_store *s, const char *ws, tl_order_row *out, size_t cap)
{
    tl_err err = {0};
    size_t n = 999;
    int rc = tl_store_orders_recent(s, ws, out, cap, &n, &err);
    if (rc != 0)
        print_error("orders_recent: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_true(n <= cap);
    return n;
}

static tl_order_counts counts(tl_store *s, const char *ws)
{
    tl_err err = {0};
    tl_order_counts k;
    memset(&k, 0xab, sizeof k);
    int rc = tl_store_order_counts(s, ws, &k, &err);
    if (rc != 0)
        print_error("order_counts: %s\n", err.msg);
    assert_int_equal(rc, 0);
    return k;
}

/* "ws/oid" of each row, space-separated, for one readable comparison. */
static const char *ids(const tl_order_row *r, size_t n)
{
    static char buf[4096];
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && at < sizeof buf; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s/%s", i ? " " : "", r[i].workspace,
                               r[i].order_id);
    return buf;
}

/* ---- tests ---- */

/* Newest first by created_at; ties by workspace, then order id, bytes descending ("o10" sorts
 * below "o9"); creation order in the journal does not matter, updates do not move an order. */
static void test_newest_first(void **state)
{
    ctx *c = *state;
    tl_event b1[] = {
        submitted("alpha", "o1", T0 + 100),  submitted("alpha", "o9", T0 + 300),
        submitted("alpha", "o10", T0 + 300), submitted("beta", "o2", T0 + 300),
        submitted("alpha", "o3", T0 + 50), /* created later in the journal, older in time */
    };
    append(c, b1, 5);
    tl_event b2[] = {
        submitted("beta", "o4", T0 + 400),
        fill("alpha", "o1", "t1", T0 + 500, TL_FIXED_INT(2), TL_OS_FILLED), /* no move */
    };
    append(c, b2, 2);
    tl_order_row rows[10];
    size_t n = recent(&c->s, NULL, rows, 10);
    assert_int_equal(n, 6);
    assert_string_equal(ids(rows, n), "beta/o4 beta/o2 alpha/o9 alpha/o10 alpha/o1 alpha/o3");
    /* The cap is the newest cap, not any cap rows. */
    n = recent(&c->s, NULL, rows, 3);
    assert_string_equal(ids(rows, n), "beta/o4 beta/o2 alpha/o9");
    n = recent(&c->s, "", rows, 1); /* "" is every workspace, as NULL */
    assert_string_equal(ids(rows, n), "beta/o4");
    /* cap 0 reads nothing and may pass no array. */
    tl_err err = {0};
    size_t got = 5;
    assert_int_equal(tl_store_orders_recent(&c->s, NULL, NULL, 0, &got, &err), 0);
    assert_int_equal(got, 0);
}

static void test_workspace_filter(void **state)
{
    ctx *c = *state;
    tl_event b[] = {
        submitted("alpha", "a1", T0 + 1),   submitted("beta", "b1", T0 + 2),
        submitted("alpha", "a2", T0 + 3),   submitted("beta", "b2", T0 + 4),
        submitted("alpha-x", "c1", T0 + 5), /* a longer name with alpha's prefix */
    };
    append(c, b, 5);
    tl_order_row rows[10];
    size_t n = recent(&c->s, "alpha", rows, 10);
    assert_string_equal(ids(rows, n), "alpha/a2 alpha/a1");
    n = recent(&c->s, "beta", rows, 1);
    assert_string_equal(ids(rows, n), "beta/b2");
    assert_int_equal(recent(&c->s, "gamma", rows, 10), 0);
    tl_order_counts k = counts(&c->s, "alpha");
    assert_int_equal(k.total, 2);
    assert_int_equal(k.by_status[TL_OS_PENDING_NEW], 2);
    assert_int_equal(counts(&c->s, NULL).total, 5);
    assert_int_equal(counts(&c->s, "gamma").total, 0);
}

/* Every field of the table comes back as written: quantities and prices exact to 1e-8, the
 * last fill's time, the reject reason of a venue's refusal and of an engine's denial. */
static void test_fields(void **state)
{
    ctx *c = *state;
    tl_event b1[] = {submitted("alpha", "o1", T0 + 10), submitted("alpha", "o2", T0 + 20),
                     ev(TL_EV_INTENT_DENIED, "alpha", "o3", T0 + 30, 0)};
    b1[1].side = TL_SIDE_SELL;
    b1[1].qty = 1; /* 0.00000001 */
    b1[1].price = TL_FIXED_MAX;
    snprintf(b1[2].text, sizeof b1[2].text, "max_notional: 2 BTC over the limit");
    append(c, b1, 3);
    tl_event b2[] = {
        ev(TL_EV_ORDER_ACCEPTED, "alpha", "o1", T0 + 11, TL_OS_OPEN),
        fill("alpha", "o1", "t1", T0 + 12, 50000000, TL_OS_PARTIALLY_FILLED), /* 0.5 */
        fill("alpha", "o1", "t2", T0 + 13, 25000000, TL_OS_PARTIALLY_FILLED),
        ev(TL_EV_ORDER_REJECTED, "alpha", "o2", T0 + 21, TL_OS_REJECTED),
    };
    snprintf(b2[3].text, sizeof b2[3].text, "insufficient balance");
    append(c, b2, 4);
    tl_order_row r[3];
    assert_int_equal(recent(&c->s, "alpha", r, 3), 3);
    assert_string_equal(r[0].order_id, "o3");
    assert_int_equal(r[0].status, TL_OS_DENIED);
    assert_string_equal(r[0].reject_reason, "max_notional: 2 BTC over the limit");
    assert_int_equal(r[0].filled_ns, 0);

    assert_string_equal(r[1].workspace, "alpha");
    assert_string_equal(r[1].symbol, "BTCUSDT");
    assert_int_equal(r[1].side, TL_SIDE_SELL);
    assert_int_equal(r[1].qty, 1);
    assert_int_equal(r[1].price, TL_FIXED_MAX);
    assert_int_equal(r[1].status, TL_OS_REJECTED);
    assert_string_equal(r[1].reject_reason, "insufficient balance");
    assert_int_equal(r[1].filled_qty, 0);
    assert_int_equal(r[1].created_ns, T0 + 20);

    assert_int_equal(r[2].side, TL_SIDE_BUY);
    assert_int_equal(r[2].qty, TL_FIXED_INT(2));
    assert_int_equal(r[2].price, 5000012345678LL);
    assert_int_equal(r[2].status, TL_OS_PARTIALLY_FILLED);
    assert_int_equal(r[2].filled_qty, 75000000);
    assert_int_equal(r[2].created_ns, T0 + 10);
    assert_int_equal(r[2].filled_ns, T0 + 13);
    assert_string_equal(r[2].reject_reason, "");
}

/* The counts follow every way an order ends, per workspace and for all. */
static void test_counts(void **state)
{
    ctx *c = *state;
    tl_order_counts k = counts(&c->s, NULL);
    for (int i = 0; i < TL_OS__COUNT; i++)
        assert_int_equal(k.by_status[i], 0);
    assert_int_equal(k.total + k.filled + k.rejected + k.canceled + k.working, 0);

    char id[8][16];
    tl_event b1[8];
    for (int i = 0; i < 8; i++) {
        snprintf(id[i], sizeof id[i], "o%d", i);
        b1[i] = submitted(i < 6 ? "alpha" : "beta", id[i], T0 + i);
    }
    append(c, b1, 8);
    k = counts(&c->s, NULL);
    assert_int_equal(k.total, 8);
    assert_int_equal(k.working, 8);
    tl_event b2[] = {
        fill("alpha", "o0", "t0", T0 + 10, TL_FIXED_INT(2), TL_OS_FILLED),
        ev(TL_EV_ORDER_REJECTED, "alpha", "o1", T0 + 11, TL_OS_REJECTED),
        ev(TL_EV_CANCEL_REQUESTED, "alpha", "o2", T0 + 12, TL_OS_PENDING_CANCEL),
        ev(TL_EV_ORDER_ACCEPTED, "alpha", "o3", T0 + 13, TL_OS_OPEN),
        ev(TL_EV_ORDER_EXPIRED, "alpha", "o3", T0 + 14, TL_OS_EXPIRED),
        fill("alpha", "o4", "t4", T0 + 15, TL_FIXED_INT(1), TL_OS_PARTIALLY_FILLED),
        fill("beta", "o6", "t6", T0 + 16, TL_FIXED_INT(2), TL_OS_FILLED),
        ev(TL_EV_ORDER_ACCEPTED, "beta", "o7", T0 + 17, TL_OS_OPEN),
    };
    append(c, b2, 8);
    tl_event b3[] = {
        ev(TL_EV_ORDER_CANCELED, "alpha", "o2", T0 + 20, TL_OS_CANCELED),
        ev(TL_EV_INTENT_DENIED, "alpha", "o8", T0 + 21, 0),
    };
    append(c, b3, 2);
    k = counts(&c->s, NULL);
    assert_int_equal(k.total, 9);
    assert_int_equal(k.filled, 2);
    assert_int_equal(k.rejected, 2); /* o1 by the venue, o8 by the engine */
    assert_int_equal(k.canceled, 2); /* o2 canceled, o3 expired */
    assert_int_equal(k.working, 3);  /* o4 partially filled, o5 pending, o7 open */
    assert_int_equal(k.by_status[TL_OS_DENIED], 1);
    assert_int_equal(k.by_status[TL_OS_EXPIRED], 1);
    assert_int_equal(k.by_status[TL_OS_OPEN], 1);
    assert_int_equal(k.by_status[TL_OS_PARTIALLY_FILLED], 1);
    assert_int_equal(k.by_status[TL_OS_PENDING_NEW], 1);
    k = counts(&c->s, "beta");
    assert_int_equal(k.total, 2);
    assert_int_equal(k.filled, 1);
    assert_int_equal(k.working, 1);
    assert_int_equal(k.rejected + k.canceled, 0);
    k = counts(&c->s, "alpha");
    assert_int_equal(k.total, 7);
    assert_int_equal(k.filled, 1);
}

/* A batch that fails (an injected commit failure) is in neither read. */
static void test_failed_append_invisible(void **state)
{
    ctx *c = *state;
    tl_event b1[] = {submitted("alpha", "o1", T0 + 1)};
    append(c, b1, 1);
    c->s.faults.fail_commit_at = c->s.faults.commits + 1;
    tl_event b2[] = {submitted("alpha", "o2", T0 + 2),
                     fill("alpha", "o1", "t1", T0 + 3, TL_FIXED_INT(2), TL_OS_FILLED)};
    tl_err err = {0};
    assert_int_equal(tl_store_append(&c->s, b2, 2, NULL, 0, NULL, 0, &err), TL_EIO);
    tl_order_row r[4];
    size_t n = recent(&c->s, NULL, r, 4);
    assert_string_equal(ids(r, n), "alpha/o1");
    assert_int_equal(r[0].status, TL_OS_PENDING_NEW);
    assert_int_equal(counts(&c->s, NULL).total, 1);
    assert_int_equal(counts(&c->s, NULL).filled, 0);
}

static void test_bad_arguments(void **state)
{
    ctx *c = *state;
    tl_err err = {0};
    tl_order_row r[2];
    size_t n = 7;
    tl_order_counts k;
    assert_int_equal(tl_store_orders_recent(&c->s, "bad workspace!", r, 2, &n, &err), TL_EINVAL);
    assert_int_equal(n, 7);
    assert_int_equal(tl_store_orders_recent(&c->s, NULL, NULL, 2, &n, &err), TL_EINVAL);
    assert_int_equal(tl_store_orders_recent(&c->s, NULL, r, 2, NULL, &err), TL_EINVAL);
    assert_int_equal(tl_store_order_counts(&c->s, "bad workspace!", &k, &err), TL_EINVAL);
    assert_int_equal(tl_store_order_counts(&c->s, NULL, NULL, &err), TL_EINVAL);
    assert_int_equal(tl_store_orders_recent(NULL, NULL, r, 2, &n, &err), TL_EINVAL);
    tl_store closed;
    memset(&closed, 0, sizeof closed);
    assert_int_equal(tl_store_order_counts(&closed, NULL, &k, &err), TL_ECLOSED);
}

/* ---- an engine through the journal ---- */

#define ENGINE_ORDERS 40

/* What the engine's own events say of each order: its last status. */
typedef struct seen {
    char ids[ENGINE_ORDERS + 1][TL_ORDER_ID_MAX];
    uint8_t status[ENGINE_ORDERS + 1];
    int n;
} seen;

static void on_event(void *ctxp, const tl_engine_event *e)
{
    seen *s = ctxp;
    const tl_event *r = e->rec;
    switch (r->type) {
    case TL_EV_ORDER_SUBMITTED:
    case TL_EV_INTENT_DENIED:
    case TL_EV_ORDER_ACCEPTED:
    case TL_EV_ORDER_REJECTED:
    case TL_EV_ORDER_FILLED:
    case TL_EV_ORDER_CANCELED:
    case TL_EV_ORDER_EXPIRED:
    case TL_EV_CANCEL_REQUESTED:
        break;
    default:
        return; /* no status of an order */
    }
    if (r->order_id[0] == '\0')
        return;
    int i = 0;
    while (i < s->n && strcmp(s->ids[i], r->order_id) != 0)
        i++;
    if (i == s->n) {
        if (s->n == ENGINE_ORDERS + 1)
            return;
        snprintf(s->ids[s->n++], TL_ORDER_ID_MAX, "%s", r->order_id);
    }
    s->status[i] = r->type == TL_EV_INTENT_DENIED ? TL_OS_DENIED : r->status;
}

/* An engine on a simulated venue that fills some orders, rejects some, leaves the rest open
 * until they are canceled, journaling into the store: the store's reads agree with the
 * engine's own events, order by order. */
static void test_engine_journal(void **state)
{
    ctx *c = *state;
    tl_instruments inst;
    tl_instruments_init(&inst);
    tl_instrument btc;
    uint32_t id;
    assert_int_equal(tl_instrument_default("BTCUSDT", &btc, NULL), 0);
    assert_int_equal(tl_instruments_add(&inst, &btc, &id, NULL), 0);
    tl_clock clock;
    tl_clock_init_sim(&clock, T0);
    tl_venue venue;
    assert_int_equal(tl_venue_open(&venue,
                                   "sim://?seed=11&fill_rate=0.5&reject_rate=0.2"
                                   "&partial_rate=0&latency_us=0",
                                   &clock, NULL, NULL),
                     0);
    tl_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.workspace, "engine-ws");
    cfg.account = 1;
    cfg.starting_cash = TL_FIXED_INT(10000000);
    tl_engine x;
    assert_int_equal(tl_engine_init(&x, &cfg, &inst, &venue, &clock, NULL), 0);
    tl_journal j;
    assert_int_equal(tl_journal_init(&j, &c->s, 0, NULL), 0);
    seen *sn = calloc(1, sizeof *sn);
    assert_non_null(sn);
    tl_engine_subscriber js = tl_journal_subscriber(&j), mine = {on_event, NULL, sn};
    assert_int_equal(tl_engine_subscribe(&x, &js), 0);
    assert_int_equal(tl_engine_subscribe(&x, &mine), 0);
    assert_int_equal(tl_engine_reset(&x, cfg.starting_cash, NULL), 0);
    assert_int_equal(tl_engine_on_quote(&x, id, TL_FIXED_INT(49999), TL_FIXED_INT(50001)), 0);
    tl_err err = {0};
    for (int i = 0; i < ENGINE_ORDERS; i++) {
        tl_clock_advance(&clock, 1000000);
        tl_engine_submit(&x, id, i % 2 ? TL_SIDE_SELL : TL_SIDE_BUY, TL_ORDER_LIMIT,
                         TL_FIXED_INT(50000), TL_FIXED_INT(1) / 100, NULL, NULL, &err);
        assert_true(tl_engine_poll(&x, &err) >= 0);
    }
    assert_true(tl_engine_cancel_all(&x, &err) >= 0);
    tl_clock_advance(&clock, 1000000);
    assert_true(tl_engine_poll(&x, &err) >= 0);
    assert_int_equal(tl_engine_flush(&x, true, &err), 0);

    tl_order_counts k = counts(&c->s, "engine-ws");
    uint64_t by[TL_OS__COUNT] = {0};
    for (int i = 0; i < sn->n; i++)
        by[sn->status[i]]++;
    assert_int_equal(k.total, (uint64_t)sn->n);
    assert_true(k.total >= ENGINE_ORDERS);
    for (int st = 0; st < TL_OS__COUNT; st++)
        assert_int_equal(k.by_status[st], by[st]);
    /* The scenario covers fills, rejects and cancels. */
    assert_true(k.filled > 0 && k.rejected > 0 && k.canceled > 0);
    assert_int_equal(k.working, 0);

    tl_order_row *rows = calloc(ENGINE_ORDERS + 1, sizeof *rows);
    assert_non_null(rows);
    size_t n = recent(&c->s, NULL, rows, ENGINE_ORDERS + 1);
    assert_int_equal(n, (size_t)sn->n);
    for (size_t i = 0; i < n; i++) {
        /* Created one per millisecond: newest first is the reverse of creation. */
        assert_string_equal(rows[i].order_id, sn->ids[n - 1 - i]);
        assert_int_equal(rows[i].status, sn->status[n - 1 - i]);
        if (i > 0)
            assert_true(rows[i].created_ns < rows[i - 1].created_ns);
        assert_int_equal(rows[i].filled_qty > 0, rows[i].status == TL_OS_FILLED);
    }
    free(rows);
    free(sn);
    tl_journal_close(&j);
    tl_engine_close(&x);
    tl_venue_close(&venue);
    tl_instruments_close(&inst);
}

/* A reader opened with tl_store_open_read sees what the writer committed. */
static void test_reader(void **state)
{
    ctx *c = *state;
    if (!is_durable)
        skip();
    tl_event b[] = {submitted("alpha", "o1", T0 + 1), submitted("alpha", "o2", T0 + 2)};
    append(c, b, 2);
    tl_store r;
    tl_err err = {0};
    assert_int_equal(tl_store_open_read(&r, c->url, NULL, &err), 0);
    tl_order_row rows[4];
    size_t n = recent(&r, "alpha", rows, 4);
    assert_string_equal(ids(rows, n), "alpha/o2 alpha/o1");
    assert_int_equal(counts(&r, NULL).working, 2);
    tl_store_close(&r);
}

int tl_orders_conformance_run(const char *group_name, const char *tmpl, int durable,
                              int (*reset)(const char *url))
{
    url_template = tmpl;
    is_durable = durable;
    reset_hook = reset;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workspace_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_append_invisible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader, setup, teardown),
    };
    return cmocka_run_group_tests_name(group_name, tests, NULL, NULL);
}
