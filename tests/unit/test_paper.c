/* test_paper.c -- the paper broker on the memory store and on a SQLite file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paper/broker.h"
#include "paper/paper_json.h"

#define FX(n) TL_FIXED_INT(n)

/* One backend under test: its URL, and a temp directory for SQLite. */
typedef struct fixture {
    const char *kind; /* "mem" or "sqlite" */
    char dir[64];
    char url[128];
    tl_store s;
} fixture;

static fixture mem_fx = {"mem", "", "", {0}};
static fixture sqlite_fx = {"sqlite", "", "", {0}};

static int setup(void **state)
{
    fixture *f = *state;
    if (strcmp(f->kind, "mem") == 0) {
        strcpy(f->url, "mem:");
    } else {
        strcpy(f->dir, "/tmp/tl_paper_XXXXXX");
        if (!mkdtemp(f->dir))
            return -1;
        snprintf(f->url, sizeof(f->url), "%s/paper.db", f->dir);
    }
    return tl_store_open(&f->s, f->url, NULL, NULL, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tl_store_close(&f->s);
    if (f->dir[0]) {
        char path[160];
        static const char *const files[] = {"paper.db", "paper.db-wal", "paper.db-shm"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
            unlink(path);
        }
        rmdir(f->dir);
        f->dir[0] = '\0';
    }
    return 0;
}

static tl_paper_intent intent(const char *ws, const char *id, const char *action, const char *sym,
                              tl_fixed qty, tl_fixed px)
{
    tl_paper_intent in = {ws, id, action, sym, qty, px, "paper", 1700000000000000000LL};
    return in;
}

/* Executes and expects 0. */
static tl_paper_result run(tl_store *s, const char *ws, const char *id, const char *action,
                           const char *sym, tl_fixed qty, tl_fixed px)
{
    tl_paper_intent in = intent(ws, id, action, sym, qty, px);
    tl_paper_result r;
    tl_err err = {0};
    int rc = tl_paper_execute(s, &in, &r, &err);
    if (rc != 0)
        fail_msg("execute %s: %d %s", id, rc, err.msg);
    return r;
}

static tl_paper_state state_of(tl_store *s, const char *ws)
{
    tl_paper_state st;
    tl_err err = {0};
    if (tl_paper_state_get(s, ws, &st, &err) != 0)
        fail_msg("state: %s", err.msg);
    return st;
}

/* ---------------------------------------------------------------------------------------- */

static void test_open_scale_close(void **state)
{
    fixture *f = *state;
    tl_paper_result r = run(&f->s, "w1", "i1", "OPEN_LONG", "AAPL", FX(2), FX(100));
    assert_int_equal(r.status, TL_PAPER_FILLED);
    assert_false(r.duplicate);
    assert_string_equal(r.change, "OPENED");
    assert_int_equal(r.cash, FX(9800));
    assert_int_equal(r.position_qty, FX(2));
    assert_int_equal(r.position_avg, FX(100));
    assert_int_equal(r.starting_equity, FX(10000));
    assert_int_equal(r.high_water, 8); /* reset + 7 events */

    r = run(&f->s, "w1", "i2", "OPEN_LONG", "AAPL", FX(1), FX(130));
    assert_string_equal(r.change, "SCALED");
    assert_int_equal(r.position_qty, FX(3));
    assert_int_equal(r.position_avg, FX(110)); /* (2*100 + 1*130) / 3 */
    assert_int_equal(r.cash, FX(9670));
    assert_int_equal(r.high_water, 15);

    r = run(&f->s, "w1", "i3", "CLOSE_LONG", "AAPL", FX(3), FX(120));
    assert_int_equal(r.status, TL_PAPER_FILLED);
    assert_string_equal(r.change, "CLOSED");
    assert_int_equal(r.position_qty, 0);
    assert_int_equal(r.realized_pnl, FX(30));
    assert_int_equal(r.cash, FX(10030));

    tl_paper_state st = state_of(&f->s, "w1");
    assert_int_equal(st.cash, FX(10030));
    assert_int_equal(st.realized_pnl, FX(30));
    assert_int_equal(st.n_positions, 0);
    assert_int_equal(st.fills_replayed, 3);
    assert_string_equal(st.state_digest, r.state_digest);
    tl_paper_state_free(&st);
}

/* The events of one fill, in order, all carrying the key and the key's order id. */
static int collect(void *ctx, const tl_event *ev)
{
    tl_event *v = ctx;
    v[ev->seq - 1] = *ev;
    return 0;
}

static void test_journal_layout(void **state)
{
    fixture *f = *state;
    tl_paper_result r = run(&f->s, "w1", "i1", "OPEN_LONG", "AAPL", FX(1), FX(5));
    /* "PO" + the intent's time in ms and the top 55 bits of sha256("w1|i1|paper"), in Crockford's
     * lower-case base 32, computed independently with
     *   python3 -c 'import hashlib; A="0123456789abcdefghjkmnpqrstvwxyz"
     *   b=lambda v,n: "".join(A[(v>>5*(n-1-i))&31] for i in range(n))
     *   h=int.from_bytes(hashlib.sha256(b"w1|i1|paper").digest()[:8],"big")
     *   print("PO"+b(1700000000000,9)+b(h>>9,11))' */
    assert_string_equal(r.order_id, "PO1hf7yat00p70zk9yxknk");
    assert_string_equal(r.trade_id, "PT-PO1hf7yat00p70zk9yxknk");
    assert_string_equal(r.idem_key, "w1|i1|paper");
    tl_event ev[8];
    memset(ev, 0, sizeof(ev));
    assert_int_equal(f->s.high_water, 8);
    assert_int_equal(tl_store_scan(&f->s, NULL, collect, ev, NULL), 0);
    /* The kernel's events: the paper venue acknowledges, then fills. */
    static const int types[8] = {
        TL_EV_WORKSPACE_RESET, TL_EV_INTENT_EMITTED, TL_EV_POLICY_EVALUATED, TL_EV_INTENT_APPROVED,
        TL_EV_ORDER_SUBMITTED, TL_EV_ORDER_ACCEPTED, TL_EV_ORDER_FILLED,     TL_EV_POSITION_OPENED};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(ev[i].type, types[i]);
        assert_int_equal(ev[i].ts_ns, 1700000000000000000LL); /* stamped with the intent's time */
    }
    assert_int_equal(ev[0].fee, FX(10000));
    assert_string_equal(ev[0].text, "paper: starting cash"); /* the workspace's mode leads */
    assert_string_equal(ev[0].idem_key, ""); /* the reset is not part of the intent */
    for (int i = 1; i < 8; i++) {
        assert_string_equal(ev[i].idem_key, "w1|i1|paper");
        assert_string_equal(ev[i].order_id, r.order_id);
    }
    assert_string_equal(ev[1].text, "OPEN_LONG");
    assert_string_equal(ev[2].text, "approved");
    assert_int_equal(ev[4].status, TL_OS_PENDING_NEW);
    assert_string_equal(ev[4].text, "MARKET");
    assert_string_equal(ev[5].trade_id, "ORD000001"); /* the venue's order id */
    assert_int_equal(ev[6].status, TL_OS_FILLED);
    assert_string_equal(ev[6].trade_id, r.trade_id);
    assert_int_equal(ev[6].qty, FX(1));
    assert_int_equal(ev[6].price, FX(5));
    assert_int_equal(ev[6].side, TL_SIDE_BUY);
    assert_int_equal(ev[7].qty, FX(1)); /* the position after the fill */
    /* The snapshot rows went with the batch. */
    tl_account_row a;
    tl_position_row p;
    size_t n = 0;
    assert_int_equal(tl_store_get_accounts(&f->s, "w1", &a, 1, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(a.cash, FX(9995));
    assert_int_equal(tl_store_get_positions(&f->s, "w1", &p, 1, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(p.qty, FX(1));
}

static void test_full_close_only(void **state)
{
    fixture *f = *state;
    run(&f->s, "w1", "o1", "OPEN_LONG", "ETH", FX(2), FX(100));
    uint64_t hw = f->s.high_water;
    tl_paper_result r = run(&f->s, "w1", "c1", "CLOSE_LONG", "ETH", FX(1), FX(110));
    assert_int_equal(r.status, TL_PAPER_DENIED);
    assert_false(r.duplicate);
    assert_non_null(strstr(r.reason, "full close only"));
    assert_non_null(strstr(r.reason, "qty 1 "));
    assert_non_null(strstr(r.reason, "position 2"));
    assert_string_equal(r.trade_id, "");
    assert_int_equal(r.position_qty, FX(2));
    assert_int_equal(r.cash, FX(9800));
    assert_int_equal(f->s.high_water, hw + 3); /* the denial is journaled */
    r = run(&f->s, "w1", "c2", "CLOSE_LONG", "ETH", FX(3), FX(110));
    assert_int_equal(r.status, TL_PAPER_DENIED);
    r = run(&f->s, "w1", "c3", "CLOSE_LONG", "ETH", FX(2), FX(90));
    assert_int_equal(r.status, TL_PAPER_FILLED);
    assert_int_equal(r.realized_pnl, FX(-20));
    assert_int_equal(r.cash, FX(9980));
}

static void test_long_only(void **state)
{
    fixture *f = *state;
    tl_paper_result r = run(&f->s, "w1", "c1", "CLOSE_LONG", "BTC", FX(1), FX(100));
    assert_int_equal(r.status, TL_PAPER_DENIED);
    assert_non_null(strstr(r.reason, "no open position in BTC"));
    assert_int_equal(r.cash, FX(10000));
    assert_int_equal(r.position_qty, 0);
    tl_paper_state st = state_of(&f->s, "w1");
    assert_int_equal(st.fills_replayed, 0);
    assert_int_equal(st.cash, FX(10000));
    tl_paper_state_free(&st);
}

static void test_cash_boundary(void **state)
{
    fixture *f = *state;
    /* Exactly the cash: accepted, nothing left. */
    tl_paper_result r = run(&f->s, "b1", "i1", "OPEN_LONG", "AAPL", FX(2), FX(5000));
    assert_int_equal(r.status, TL_PAPER_FILLED);
    assert_int_equal(r.cash, 0);
    r = run(&f->s, "b1", "i2", "OPEN_LONG", "AAPL", 1, FX(1));
    assert_int_equal(r.status, TL_PAPER_DENIED);
    /* One unit (1e-8) short: refused, naming both amounts. */
    r = run(&f->s, "b2", "i1", "OPEN_LONG", "AAPL", FX(1), FX(10000) + 1);
    assert_int_equal(r.status, TL_PAPER_DENIED);
    assert_string_equal(r.reason,
                        "INSUFFICIENT_CASH: insufficient cash: need 10000.00000001, have 10000");
    assert_int_equal(r.cash, FX(10000));
    /* The cost is rounded exactly as the ledger charges it (half away from zero): with 1e-8
     * of cash, 3e-8 x 0.5 = 1.5e-8 costs 2e-8 (refused), 1e-8 x 0.5 costs 1e-8 (accepted). */
    assert_int_equal(tl_paper_reset(&f->s, "b3", 1, 0, NULL), 0);
    r = run(&f->s, "b3", "i1", "OPEN_LONG", "AAPL", 3, TL_FIXED_SCALE / 2);
    assert_int_equal(r.status, TL_PAPER_DENIED);
    assert_string_equal(r.reason,
                        "INSUFFICIENT_CASH: insufficient cash: need 0.00000002, have 0.00000001");
    r = run(&f->s, "b3", "i2", "OPEN_LONG", "AAPL", 1, TL_FIXED_SCALE / 2);
    assert_int_equal(r.status, TL_PAPER_FILLED);
    assert_int_equal(r.cash, 0);
    assert_int_equal(r.starting_equity, 1);
}

static void test_idempotency(void **state)
{
    fixture *f = *state;
    tl_paper_result first = run(&f->s, "w1", "k1", "OPEN_LONG", "AAPL", FX(1), FX(100));
    uint64_t hw = f->s.high_water;
    tl_paper_result again = run(&f->s, "w1", "k1", "OPEN_LONG", "AAPL", FX(1), FX(100));
    assert_true(again.duplicate);
    assert_int_equal(again.status, TL_PAPER_FILLED);
    assert_string_equal(again.order_id, first.order_id);
    assert_string_equal(again.trade_id, first.trade_id);
    assert_string_equal(again.change, "OPENED");
    assert_string_equal(again.state_digest, first.state_digest);
    assert_int_equal(again.cash, FX(9900));
    assert_int_equal(f->s.high_water, hw);

    /* Same key, another payload: refused with its own reason, nothing written. */
    const struct {
        const char *action, *sym;
        tl_fixed qty, px;
    } other[] = {{"OPEN_LONG", "AAPL", FX(2), FX(100)},
                 {"OPEN_LONG", "AAPL", FX(1), FX(101)},
                 {"OPEN_LONG", "MSFT", FX(1), FX(100)},
                 {"CLOSE_LONG", "AAPL", FX(1), FX(100)}};
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        tl_paper_result r =
            run(&f->s, "w1", "k1", other[i].action, other[i].sym, other[i].qty, other[i].px);
        assert_int_equal(r.status, TL_PAPER_REFUSED);
        assert_false(r.duplicate);
        assert_string_equal(r.reason, TL_PAPER_REASON_CONFLICT);
        assert_string_equal(r.order_id, first.order_id);
        assert_int_equal(f->s.high_water, hw);
    }
    /* The key includes the workspace: the same intent id elsewhere is a new intent. */
    tl_paper_result r = run(&f->s, "w2", "k1", "OPEN_LONG", "AAPL", FX(1), FX(100));
    assert_false(r.duplicate);
    assert_string_not_equal(r.order_id, first.order_id);

    /* A denial repeats as a duplicate of the denial. */
    tl_paper_result d = run(&f->s, "w1", "k2", "CLOSE_LONG", "AAPL", FX(5), FX(100));
    assert_int_equal(d.status, TL_PAPER_DENIED);
    hw = f->s.high_water;
    tl_paper_result d2 = run(&f->s, "w1", "k2", "CLOSE_LONG", "AAPL", FX(5), FX(100));
    assert_true(d2.duplicate);
    assert_int_equal(d2.status, TL_PAPER_DENIED);
    assert_string_equal(d2.reason, d.reason);
    assert_string_equal(d2.order_id, d.order_id);
    assert_int_equal(f->s.high_water, hw);
}

static void test_malformed(void **state)
{
    fixture *f = *state;
    char long_ws[48], long_id[70];
    memset(long_ws, 'w', 47);
    long_ws[47] = '\0';
    memset(long_id, 'i', 65);
    long_id[65] = '\0';
    const struct {
        tl_paper_intent in;
        int rc;
        const char *msg;
    } bad[] = {
        {intent("w1", "i", "SHORT", "AAPL", FX(1), FX(1)), TL_EINVAL, "action: 'SHORT'"},
        {intent("w1", "i", "OPEN_LONG", "aapl", FX(1), FX(1)), TL_EINVAL, "symbol: "},
        {intent("w1", "i", "OPEN_LONG", "AAPL", 0, FX(1)), TL_EINVAL, "qty: "},
        {intent("w1", "i", "OPEN_LONG", "AAPL", FX(-1), FX(1)), TL_EINVAL, "qty: "},
        {intent("w1", "i", "OPEN_LONG", "AAPL", FX(1), 0), TL_EINVAL, "fill_price: required"},
        {intent("w1", "a b", "OPEN_LONG", "AAPL", FX(1), FX(1)), TL_EINVAL, "intent_id: invalid"},
        {intent("w1", "", "OPEN_LONG", "AAPL", FX(1), FX(1)), TL_EINVAL, "intent_id: missing"},
        {intent("w1", long_id, "OPEN_LONG", "AAPL", FX(1), FX(1)), TL_EINVAL, "intent_id: longer"},
        {intent("w|1", "i", "OPEN_LONG", "AAPL", FX(1), FX(1)), TL_EINVAL, "workspace: invalid"},
        /* 47 + 64 + "|" + "|paper" does not fit a key: refused, never cut. */
        {intent(long_ws, long_id + 1, "OPEN_LONG", "AAPL", FX(1), FX(1)), TL_EINVAL,
         "intent_id: workspace + intent id too long"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tl_paper_result r;
        memset(&r, 0x5a, sizeof(r));
        tl_err err = {0};
        assert_int_equal(tl_paper_execute(&f->s, &bad[i].in, &r, &err), bad[i].rc);
        if (strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) != 0)
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
        assert_int_equal(r.status, 0x5a5a5a5a); /* untouched */
    }
    tl_paper_intent live = intent("w1", "i", "OPEN_LONG", "AAPL", FX(1), FX(1));
    live.mode = "live";
    tl_paper_result r;
    assert_int_equal(tl_paper_execute(&f->s, &live, &r, NULL), TL_ENOTSUP);
    assert_int_equal(f->s.high_water, 0); /* nothing written for any of them */
}

static void test_reset(void **state)
{
    fixture *f = *state;
    run(&f->s, "w1", "i1", "OPEN_LONG", "AAPL", FX(10), FX(100));
    run(&f->s, "w1", "i2", "OPEN_LONG", "MSFT", FX(1), FX(50));
    uint64_t hw = f->s.high_water;
    tl_err err = {0};
    assert_int_equal(tl_paper_reset(&f->s, "w1", FX(500), 0, &err), 0);
    assert_int_equal(f->s.high_water, hw + 1); /* one event, nothing rewritten */
    assert_int_equal(tl_paper_reset(&f->s, "w1", 0, 0, NULL), TL_EINVAL);
    assert_int_equal(tl_paper_reset(&f->s, "w 1", FX(1), 0, NULL), TL_EINVAL);
    tl_paper_state st = state_of(&f->s, "w1");
    assert_int_equal(st.starting_equity, FX(500));
    assert_int_equal(st.cash, FX(500));
    assert_int_equal(st.n_positions, 0);
    assert_int_equal(st.resets, 2);
    tl_paper_state_free(&st);
    /* Keys outlive a reset; new intents trade on the new equity. */
    tl_paper_result r = run(&f->s, "w1", "i1", "OPEN_LONG", "AAPL", FX(10), FX(100));
    assert_true(r.duplicate);
    assert_int_equal(r.cash, FX(9000)); /* as it was right after the original, not today's */
    assert_int_equal(r.position_qty, FX(10));
    r = run(&f->s, "w1", "i3", "OPEN_LONG", "AAPL", FX(6), FX(100));
    assert_int_equal(r.status, TL_PAPER_DENIED);
    r = run(&f->s, "w1", "i4", "OPEN_LONG", "AAPL", FX(5), FX(100));
    assert_int_equal(r.status, TL_PAPER_FILLED);
    assert_string_equal(r.change, "OPENED");
    assert_int_equal(r.cash, 0);
    /* The snapshot rows agree with the journal after the reset flattened them. */
    assert_int_equal(tl_paper_reconcile(&f->s, "w1", &st, &err), 0);
    assert_true(st.snapshot_match);
    assert_string_equal(st.state_digest, r.state_digest);
    assert_int_equal(st.n_positions, 1);
    assert_string_equal(st.positions[0].symbol, "AAPL");
    tl_paper_state_free(&st);
}

static void test_reconcile_digest(void **state)
{
    fixture *f = *state;
    tl_paper_result r = {0};
    const char *syms[3] = {"AAPL", "MSFT", "BTCUSDT"};
    char id[16];
    for (int i = 0; i < 12; i++) {
        snprintf(id, sizeof(id), "n%d", i);
        r = run(&f->s, "w1", id, "OPEN_LONG", syms[i % 3], FX(1) / 4, FX(10 + i));
    }
    r = run(&f->s, "w1", "close", "CLOSE_LONG", "MSFT", FX(1), FX(40));
    if (r.status != TL_PAPER_FILLED)
        print_error("%s\n", r.reason);
    assert_int_equal(r.status, TL_PAPER_FILLED);
    run(&f->s, "other", "x", "OPEN_LONG", "AAPL", FX(1), FX(1)); /* another workspace */
    tl_paper_state st;
    assert_int_equal(tl_paper_reconcile(&f->s, "w1", &st, NULL), 0);
    assert_string_equal(st.state_digest, r.state_digest);
    assert_true(st.snapshot_match);
    assert_int_equal(st.fills_replayed, 13);
    assert_int_equal(st.n_positions, 2);
    assert_string_equal(st.positions[0].symbol, "AAPL");
    assert_string_equal(st.positions[1].symbol, "BTCUSDT");
    assert_int_equal(st.cash, r.cash);
    /* JSON of the state: sorted keys, exact money. */
    tl_jw w;
    tl_jw_init(&w);
    tl_paper_state_json(&st, TL_PAPER_VIEW_POSITIONS, &w);
    assert_int_equal(tl_jw_finish(&w), 0);
    assert_string_equal(w.buf,
                        "{\"positions\":[{\"avg_price\":14.5,\"qty\":1,\"realized_pnl\":0,"
                        "\"symbol\":\"AAPL\"},{\"avg_price\":16.5,\"qty\":1,"
                        "\"realized_pnl\":0,\"symbol\":\"BTCUSDT\"}],\"workspace\":\"w1\"}\n");
    tl_jw_free(&w);
    tl_paper_state_free(&st);
}

/* A session replays once, then trusts its state until the journal moves without it. */
static void test_session_replays_only_when_needed(void **state)
{
    fixture *f = *state;
    tl_paper_broker b;
    assert_int_equal(tl_paper_broker_init(&b, &f->s, TL_PAPER_DEFAULT_EQUITY), 0);
    char id[16];
    tl_paper_result r;
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof(id), "s%d", i);
        tl_paper_intent in = intent("w1", id, "OPEN_LONG", "AAPL", FX(1), FX(10));
        assert_int_equal(tl_paper_broker_execute(&b, &in, &r, NULL), 0);
    }
    assert_int_equal(b.replays, 1);
    assert_int_equal(tl_paper_reset(&f->s, "w1", FX(100), 0, NULL), 0);
    tl_paper_intent in = intent("w1", "after", "OPEN_LONG", "AAPL", FX(1), FX(10));
    assert_int_equal(tl_paper_broker_execute(&b, &in, &r, NULL), 0);
    assert_int_equal(b.replays, 2);
    assert_int_equal(r.cash, FX(90)); /* the reset was seen */
    tl_paper_broker_close(&b);
}

/* ---------------------------------------------------------------------------------------- */
/* A backend whose find_idem misses once: the broker decides on a key another writer has just
 * stored, as in a race between two processes, and the store's order-id uniqueness refuses it. */

typedef struct blind_state {
    tl_store inner;
    int blind; /* find_idem calls left that answer "not found" */
} blind_state;

static int bl_open(void *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    blind_state *b = st;
    b->blind = 0;
    return tl_store_open(&b->inner, url + strlen("blind://"), opt, NULL, err);
}
static void bl_close(void *st)
{
    tl_store_close(&((blind_state *)st)->inner);
}
static int bl_begin(void *st, tl_err *err)
{
    blind_state *b = st;
    return b->inner.ops->begin(b->inner.state, err);
}
static int bl_write(void *st, const tl_store_batch *batch, tl_err *err)
{
    blind_state *b = st;
    return b->inner.ops->write(b->inner.state, batch, err);
}
static int bl_commit(void *st, tl_err *err)
{
    blind_state *b = st;
    return b->inner.ops->commit(b->inner.state, err);
}
static void bl_rollback(void *st)
{
    blind_state *b = st;
    b->inner.ops->rollback(b->inner.state);
}
static int bl_high_water(void *st, uint64_t *seq, tl_err *err)
{
    blind_state *b = st;
    return b->inner.ops->high_water(b->inner.state, seq, err);
}
/* A blind scan misses every intent's events: the view of an engine that was rebuilt just before
 * another writer committed the same key. */
typedef struct blind_scan {
    tl_event_fn fn;
    void *ctx;
} blind_scan;
static int skip_intents(void *ctx, const tl_event *ev)
{
    blind_scan *bs = ctx;
    return ev->idem_key[0] ? 0 : bs->fn(bs->ctx, ev);
}
static int bl_scan(void *st, const tl_scan_filter *f, tl_event_fn fn, void *ctx, tl_err *err)
{
    blind_state *b = st;
    if (b->blind > 0) {
        b->blind--;
        blind_scan bs = {fn, ctx};
        return tl_store_scan(&b->inner, f, skip_intents, &bs, err);
    }
    return tl_store_scan(&b->inner, f, fn, ctx, err);
}
static int bl_find_idem(void *st, const char *key, tl_event *out, tl_err *err)
{
    return tl_store_find_idem(&((blind_state *)st)->inner, key, out, err);
}
static int bl_get_positions(void *st, const char *ws, tl_position_row *out, size_t cap, size_t *n,
                            tl_err *err)
{
    return tl_store_get_positions(&((blind_state *)st)->inner, ws, out, cap, n, err);
}
static int bl_get_accounts(void *st, const char *ws, tl_account_row *out, size_t cap, size_t *n,
                           tl_err *err)
{
    return tl_store_get_accounts(&((blind_state *)st)->inner, ws, out, cap, n, err);
}

static const tl_store_ops blind_ops = {
    .version = TL_STORE_OPS_VERSION,
    .scheme = "blind",
    .state_size = sizeof(blind_state),
    .open = bl_open,
    .close = bl_close,
    .begin = bl_begin,
    .write = bl_write,
    .commit = bl_commit,
    .rollback = bl_rollback,
    .high_water = bl_high_water,
    .scan = bl_scan,
    .find_idem = bl_find_idem,
    .get_positions = bl_get_positions,
    .get_accounts = bl_get_accounts,
};

static void test_race_same_key_is_duplicate(void **state)
{
    fixture *f = *state;
    const tl_store_ops *const extra[] = {&blind_ops, NULL};
    char url[160];
    snprintf(url, sizeof(url), "blind://%s", f->url);
    tl_store_close(&f->s); /* the blind store opens the backend itself */
    tl_store s;
    assert_int_equal(tl_store_open(&s, url, NULL, extra, NULL), 0);
    tl_paper_result first = run(&s, "w1", "k", "OPEN_LONG", "AAPL", FX(1), FX(100));
    uint64_t hw = s.high_water;
    ((blind_state *)s.state)->blind = 1;
    tl_paper_result r = run(&s, "w1", "k", "OPEN_LONG", "AAPL", FX(1), FX(100));
    assert_true(r.duplicate);
    assert_string_equal(r.order_id, first.order_id);
    assert_int_equal(r.cash, FX(9900));
    assert_int_equal(s.high_water, hw);
    assert_int_equal(s.stats.rollbacks, 1); /* the second batch was refused as a whole */
    tl_store_close(&s);
    assert_int_equal(tl_store_open(&f->s, f->url, NULL, NULL, NULL), 0);
}

/* Two handles on one SQLite file, as two processes: the second decides on a journal that moved
 * since it opened, its batch collides on seq, and it is told to retry -- nothing written. */
static void test_stale_handle_gets_busy(void **state)
{
    fixture *f = *state;
    tl_store other;
    assert_int_equal(tl_store_open(&other, f->url, NULL, NULL, NULL), 0);
    run(&f->s, "w1", "a", "OPEN_LONG", "AAPL", FX(99), FX(100)); /* leaves 100 of cash */
    uint64_t hw = f->s.high_water;
    tl_paper_intent in = intent("w1", "b", "OPEN_LONG", "AAPL", FX(99), FX(100));
    tl_paper_result r;
    tl_err err = {0};
    assert_int_equal(tl_paper_execute(&other, &in, &r, &err), TL_EBUSY);
    assert_non_null(strstr(err.msg, "retry"));
    tl_store_close(&other);
    tl_paper_state st = state_of(&f->s, "w1");
    assert_int_equal(st.high_water, hw);
    assert_int_equal(st.cash, FX(100));
    tl_paper_state_free(&st);
    /* A fresh handle sees the journal and the policy refuses the spend it cannot afford. */
    assert_int_equal(tl_store_open(&other, f->url, NULL, NULL, NULL), 0);
    assert_int_equal(tl_paper_execute(&other, &in, &r, NULL), 0);
    assert_int_equal(r.status, TL_PAPER_DENIED);
    tl_store_close(&other);
}

/* Group commit: three intents decided, one transaction; each result as a lone execute would give
 * it. Then a batch that collides with another handle's write: the intent the other handle also
 * executed comes back as its duplicate, the one it did not as TL_EBUSY, and nothing of ours is
 * written. */
static void test_group_commit_and_collision(void **state)
{
    fixture *f = *state;
    tl_paper_broker b;
    assert_int_equal(tl_paper_broker_init(&b, &f->s, TL_PAPER_DEFAULT_EQUITY), 0);
    tl_paper_intent in[3] = {intent("w1", "g1", "OPEN_LONG", "AAPL", FX(1), FX(100)),
                             intent("w1", "g2", "OPEN_LONG", "AAPL", FX(2), FX(110)),
                             intent("w1", "g3", "CLOSE_LONG", "AAPL", FX(3), FX(120))};
    tl_paper_result res[3];
    int rcs[3];
    uint64_t commits = f->s.stats.batches;
    for (int i = 0; i < 3; i++)
        assert_int_equal(tl_paper_broker_submit(&b, &in[i], &res[i], NULL), 0);
    tl_paper_intent other_ws = intent("w2", "x", "OPEN_LONG", "AAPL", FX(1), FX(1));
    tl_paper_result x;
    assert_int_equal(tl_paper_broker_submit(&b, &other_ws, &x, NULL), TL_ESTATE);
    assert_int_equal(tl_paper_broker_commit(&b, res, rcs, 3, NULL), 0);
    assert_int_equal(f->s.stats.batches, commits + 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rcs[i], 0);
        assert_int_equal(res[i].status, TL_PAPER_FILLED);
        assert_int_equal(res[i].high_water, f->s.high_water);
    }
    assert_int_equal(res[2].realized_pnl, FX(20 + 2 * 10)); /* 1 @ 100 and 2 @ 110 sold at 120 */
    tl_paper_state st = state_of(&f->s, "w1");
    assert_string_equal(st.state_digest, res[2].state_digest);
    tl_paper_state_free(&st);

    /* Another handle writes k1 after our session read the journal. */
    tl_paper_intent k[2] = {intent("w1", "k1", "OPEN_LONG", "AAPL", FX(1), FX(100)),
                            intent("w1", "k2", "OPEN_LONG", "AAPL", FX(1), FX(100))};
    assert_int_equal(tl_paper_broker_submit(&b, &k[0], &res[0], NULL), 0);
    assert_int_equal(tl_paper_broker_submit(&b, &k[1], &res[1], NULL), 0);
    tl_store other;
    assert_int_equal(tl_store_open(&other, f->url, NULL, NULL, NULL), 0);
    tl_paper_result theirs;
    assert_int_equal(tl_paper_execute(&other, &k[0], &theirs, NULL), 0);
    tl_store_close(&other);
    uint64_t hw = theirs.high_water;
    assert_int_equal(tl_paper_broker_commit(&b, res, rcs, 2, NULL), 0);
    assert_int_equal(rcs[0], 0);
    assert_true(res[0].duplicate);
    assert_string_equal(res[0].order_id, theirs.order_id);
    assert_int_equal(rcs[1], TL_EBUSY);
    st = state_of(&f->s, "w1");
    assert_int_equal(st.high_water, hw); /* nothing of our batch */
    tl_paper_state_free(&st);
    tl_paper_broker_close(&b);
}

static void test_survives_reopen(void **state)
{
    fixture *f = *state;
    run(&f->s, "w1", "i1", "OPEN_LONG", "AAPL", FX(3), FX(100));
    tl_paper_result r = run(&f->s, "w1", "i2", "CLOSE_LONG", "AAPL", FX(3), FX(110));
    run(&f->s, "w1", "i3", "OPEN_LONG", "MSFT", FX(2), FX(7));
    tl_paper_result last = run(&f->s, "w1", "i3", "OPEN_LONG", "MSFT", FX(2), FX(7));
    assert_true(last.duplicate);
    tl_store_close(&f->s);
    assert_int_equal(tl_store_open(&f->s, f->url, NULL, NULL, NULL), 0);
    tl_paper_state st = state_of(&f->s, "w1");
    assert_int_equal(st.cash, FX(10016)); /* 10000 - 300 + 330 - 14 */
    assert_int_equal(st.realized_pnl, FX(30));
    assert_int_equal(st.n_positions, 1);
    assert_int_equal(st.positions[0].qty, FX(2));
    assert_string_equal(st.state_digest, last.state_digest);
    tl_paper_state_free(&st);
    /* Keys survive too. */
    tl_paper_result again = run(&f->s, "w1", "i2", "CLOSE_LONG", "AAPL", FX(3), FX(110));
    assert_true(again.duplicate);
    assert_string_equal(again.order_id, r.order_id);
}

static void test_result_json(void **state)
{
    fixture *f = *state;
    tl_paper_result r = run(&f->s, "w1", "i1", "OPEN_LONG", "AAPL", FX(1) / 2, FX(3) / 2);
    tl_jw w;
    tl_jw_init(&w);
    tl_paper_result_json(&r, &w);
    assert_int_equal(tl_jw_finish(&w), 0);
    char want[1024];
    snprintf(want, sizeof(want),
             "{\"action\":\"OPEN_LONG\",\"cash\":9999.25,\"change\":\"OPENED\",\"duplicate\":false,"
             "\"fill_price\":1.5,\"high_water\":8,\"idempotency_key\":\"w1|i1|paper\","
             "\"intent_id\":\"i1\",\"mode\":\"paper\",\"order_id\":\"%s\",\"position\":{"
             "\"avg_price\":1.5,\"qty\":0.5},\"qty\":0.5,\"realized_pnl\":0,\"reason\":null,"
             "\"starting_equity\":10000,\"state_digest\":\"%s\",\"status\":\"FILLED\","
             "\"symbol\":\"AAPL\",\"trade_id\":\"PT-%s\",\"workspace\":\"w1\"}\n",
             r.order_id, r.state_digest, r.order_id);
    assert_string_equal(w.buf, want);
    tl_jw_free(&w);
}

/* Ids ascend with the decision's time whatever the key (the orders and trades b-trees then take
 * each new row at their end), one key at one time names one id, and keys decided in the same
 * millisecond still get distinct ids. */
static void test_order_ids_ascend(void **state)
{
    (void)state;
    char prev[TL_ORDER_ID_MAX] = "", id[TL_ORDER_ID_MAX], again[TL_ORDER_ID_MAX], key[32];
    int64_t t0 = 1700000000000000000LL;
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "w|%d|paper", (i * 7919) % 1000); /* keys out of order */
        assert_int_equal(tl_paper_order_id(key, t0 + (int64_t)i * 1000000, id, NULL), 0);
        assert_int_equal(strlen(id), 22);
        assert_int_equal(strspn(id + 2, "0123456789abcdefghjkmnpqrstvwxyz"), 20);
        assert_true(strcmp(prev, id) < 0);
        assert_int_equal(tl_paper_order_id(key, t0 + (int64_t)i * 1000000, again, NULL), 0);
        assert_string_equal(again, id);
        memcpy(prev, id, sizeof(prev));
    }
    char a[TL_ORDER_ID_MAX], b[TL_ORDER_ID_MAX];
    assert_int_equal(tl_paper_order_id("w|1|paper", t0, a, NULL), 0);
    assert_int_equal(tl_paper_order_id("w|2|paper", t0, b, NULL), 0);
    assert_string_not_equal(a, b);
    assert_memory_equal(a, b, 11); /* the prefix and the time */
}

#define BOTH(fn)                                                                                   \
    cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &mem_fx),                        \
        cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &sqlite_fx)
#define SQLITE_ONLY(fn) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &sqlite_fx)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_ids_ascend),
        BOTH(test_open_scale_close),
        BOTH(test_journal_layout),
        BOTH(test_full_close_only),
        BOTH(test_long_only),
        BOTH(test_cash_boundary),
        BOTH(test_idempotency),
        BOTH(test_malformed),
        BOTH(test_reset),
        BOTH(test_reconcile_digest),
        BOTH(test_session_replays_only_when_needed),
        BOTH(test_race_same_key_is_duplicate),
        BOTH(test_result_json),
        SQLITE_ONLY(test_stale_handle_gets_busy),
        SQLITE_ONLY(test_survives_reopen),
        SQLITE_ONLY(test_group_commit_and_collision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
