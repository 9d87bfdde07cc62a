/* desk_conformance.c -- the shared suite of the RFQ desk's rows (see the header). Everything goes
 * through the dispatcher and the journal, as the desk and `tradeloop db` call them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/desk_conformance.h"
#include "journal/journal.h"
#include "store/desk_report.h"
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

#define SEC 1000000000LL
#define T0  1700000000000000000LL

static void open_ok(tl_store *s, const char *url)
{
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
    const char *p = strstr(url_template, "%d");
    if (p == NULL)
        snprintf(c->url, sizeof c->url, "%s", url_template);
    else
        snprintf(c->url, sizeof c->url, "%.*s%u%s", (int)(p - url_template), url_template,
                 url_counter++, p + 2);
    if (reset_hook != NULL && reset_hook(c->url) != 0) {
        free(c);
        return -1;
    }
    open_ok(&c->s, c->url);
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

/* ---- rows ---- */

static tl_quote_row quote(const char *qid, int64_t ts, const char *lp, tl_fixed price, int ev)
{
    tl_quote_row r;
    memset(&r, 0, sizeof r);
    strcpy(r.workspace, "desk");
    snprintf(r.quote_id, sizeof r.quote_id, "%s", qid);
    r.ts_ns = ts;
    strcpy(r.symbol, "BTCUSDT");
    r.side = TL_SIDE_BUY;
    r.amount = 150000000; /* 1.5 */
    strcpy(r.amount_asset, "BTC");
    snprintf(r.lp, sizeof r.lp, "%s", lp);
    snprintf(r.lp_quote_id, sizeof r.lp_quote_id, "%s-%lld", lp, (long long)(ts % 1000));
    r.lp_price = price;
    r.client_price = price + price / 2000; /* 5 bps */
    r.valid_until_ns = ts + 8 * SEC;
    r.event = (uint8_t)ev;
    return r;
}

static tl_lp_quote_row lpq(const char *req, const char *lp, int status, tl_fixed price,
                           int64_t resp, int won)
{
    tl_lp_quote_row r;
    memset(&r, 0, sizeof r);
    strcpy(r.workspace, "desk");
    snprintf(r.request_id, sizeof r.request_id, "%s", req);
    r.ts_ns = T0 + resp;
    snprintf(r.lp, sizeof r.lp, "%s", lp);
    strcpy(r.symbol, "BTCUSDT");
    r.side = TL_SIDE_BUY;
    r.amount = 150000000;
    r.status = (uint8_t)status;
    if (status == TL_LPQ_QUOTED) {
        snprintf(r.lp_quote_id, sizeof r.lp_quote_id, "%s/%s", lp, req);
        r.bid = price - price / 10000; /* 1 bps below */
        r.ask = price;
        r.price = price;
    } else {
        strcpy(r.reason, status == TL_LPQ_REFUSED ? "no liquidity" : "answered after 2s");
    }
    r.response_ns = resp;
    r.won = (uint8_t)won;
    return r;
}

static tl_execution_row exec_row(const char *id, int64_t ts, const char *lp, int ok, tl_fixed pnl,
                                 const char *asset)
{
    tl_execution_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.execution_id, sizeof r.execution_id, "%s", id);
    r.ts_ns = ts;
    strcpy(r.workspace, "desk");
    strcpy(r.quote_id, "Q1");
    r.status = ok ? TL_EXEC_SUCCESS : TL_EXEC_FAILED;
    snprintf(r.lp, sizeof r.lp, "%s", lp);
    r.hedge_side = TL_SIDE_BUY;
    if (ok) {
        r.hedge_base_qty = 150000000;
        r.hedge_quote_qty = 15000000000000LL; /* 150000 */
        r.executed_qty = 150000000;
        r.avg_price = 10000000000000LL; /* 100000 */
        r.commission = 1500000000;      /* 15 */
        r.pnl = pnl;
        snprintf(r.pnl_asset, sizeof r.pnl_asset, "%s", asset);
        r.pnl_after_fees = pnl - 1500000000;
        r.pnl_bps = 399933367; /* 3.99933367 */
    } else {
        strcpy(r.error, "LP refused: quote expired");
    }
    return r;
}

static int append_rows(tl_store *s, tl_event *ev, size_t n_ev, const tl_quote_row *q, size_t nq,
                       const tl_lp_quote_row *l, size_t nl, const tl_execution_row *e, size_t ne,
                       tl_err *err)
{
    tl_store_batch b = {.quotes = q,
                        .n_quotes = nq,
                        .lp_quotes = l,
                        .n_lp_quotes = nl,
                        .executions = e,
                        .n_executions = ne};
    int rc = tl_store_append_batch(s, ev, n_ev, &b, err);
    if (rc != 0 && err != NULL)
        fprintf(stderr, "(append: %s)\n", err->msg); /* shown when a test fails */
    return rc;
}

static tl_event event(const char *text)
{
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = TL_EV_KILL_SWITCH;
    ev.ts_ns = T0;
    strcpy(ev.workspace, "desk");
    snprintf(ev.text, sizeof ev.text, "%s", text);
    return ev;
}

static size_t count_quotes(tl_store *s)
{
    tl_quote_row out[64];
    size_t n = 99;
    assert_int_equal(tl_store_quotes_recent(s, out, 64, &n, NULL), 0);
    return n;
}

static size_t count_execs(tl_store *s)
{
    tl_execution_row out[64];
    size_t n = 99;
    assert_int_equal(tl_store_executions_recent(s, out, 64, &n, NULL), 0);
    return n;
}

static int count_lpq_fn(void *arg, const tl_lp_quote_row *r)
{
    (void)r;
    (*(size_t *)arg)++;
    return 0;
}

static size_t count_lpq(tl_store *s)
{
    size_t n = 0;
    assert_int_equal(tl_store_lp_quotes_scan(s, count_lpq_fn, &n, NULL), 0);
    return n;
}

/* ---- tests ---- */

/* Every field comes back as written; the recent reads are newest first, ties by insertion
 * (quotes) or execution id (executions); a cap cuts them. */
static void test_round_trip_and_order(void **state)
{
    ctx *c = *state;
    tl_err err = {0};
    tl_quote_row q[4] = {quote("Q1", T0, "LP-1", 10000000000000LL, TL_QUOTE_LOCKED),
                         quote("Q1", T0 + SEC, "LP-2", 9999000000000LL, TL_QUOTE_IMPROVED),
                         quote("Q1", T0 + SEC, "LP-3", 9998000000000LL, TL_QUOTE_IMPROVED),
                         quote("Q1", T0 + 9 * SEC, "LP-3", 9998000000000LL, TL_QUOTE_EXPIRED)};
    tl_execution_row e[3] = {
        exec_row("E20250101-000001-000", T0 + 2 * SEC, "LP-1", 1, 7500000000, "USDT"),
        exec_row("E20250101-000000-999", T0 + 2 * SEC, "LP-2", 0, 0, ""),
        exec_row("E20250101-000000-001", T0, "LP-1", 1, 75000, "BTC")};
    strcpy(e[0].error, ""); /* every text column, "" and not */
    tl_lp_quote_row l[2] = {lpq("R1", "LP-1", TL_LPQ_QUOTED, 10000000000000LL, 250000000, 1),
                            lpq("R1", "LP-2", TL_LPQ_REFUSED, 0, 300000000, 0)};
    tl_event ev = event("with the desk's rows");
    int rc = append_rows(&c->s, &ev, 1, q, 4, l, 2, e, 3, &err);
    if (rc != 0)
        print_error("append: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(c->s.high_water, 1);

    tl_quote_row got[8];
    size_t n = 0;
    assert_int_equal(tl_store_quotes_recent(&c->s, got, 8, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(&got[0], &q[3], sizeof q[3]);
    assert_memory_equal(&got[1], &q[2], sizeof q[2]); /* same ts: inserted later first */
    assert_memory_equal(&got[2], &q[1], sizeof q[1]);
    assert_memory_equal(&got[3], &q[0], sizeof q[0]);
    assert_int_equal(tl_store_quotes_recent(&c->s, got, 2, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(&got[1], &q[2], sizeof q[2]);

    tl_execution_row ge[8];
    assert_int_equal(tl_store_executions_recent(&c->s, ge, 8, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(&ge[0], &e[0], sizeof e[0]); /* same ts: the larger id first */
    assert_memory_equal(&ge[1], &e[1], sizeof e[1]);
    assert_memory_equal(&ge[2], &e[2], sizeof e[2]);
    n = 7;
    assert_int_equal(tl_store_executions_recent(&c->s, NULL, 0, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(count_lpq(&c->s), 2);
}

typedef struct collect {
    tl_lp_quote_row rows[16];
    tl_execution_row execs[16];
    size_t n;
    size_t stop_after;
} collect;

static int collect_lpq(void *arg, const tl_lp_quote_row *r)
{
    collect *k = arg;
    k->rows[k->n++] = *r;
    return k->stop_after && k->n == k->stop_after ? 7 : 0;
}

static int collect_exec(void *arg, const tl_execution_row *r)
{
    collect *k = arg;
    k->execs[k->n++] = *r;
    return 0;
}

/* lp_quotes come back with a request's rows together (by request id, then insertion), whatever
 * batches they were written in; executions oldest first; a callback's value stops a scan. */
static void test_scans(void **state)
{
    ctx *c = *state;
    tl_err err = {0};
    tl_lp_quote_row a[3] = {lpq("R2", "LP-1", TL_LPQ_QUOTED, 100, 10, 0),
                            lpq("R1", "LP-2", TL_LPQ_LATE, 0, 20, 0),
                            lpq("R2", "LP-3", TL_LPQ_QUOTED, 101, 30, 0)};
    tl_lp_quote_row b[2] = {lpq("R1", "LP-1", TL_LPQ_QUOTED, 102, 40, 1),
                            lpq("R10", "LP-1", TL_LPQ_QUOTED, 103, 50, 0)};
    assert_int_equal(append_rows(&c->s, NULL, 0, NULL, 0, a, 3, NULL, 0, &err), 0);
    assert_int_equal(append_rows(&c->s, NULL, 0, NULL, 0, b, 2, NULL, 0, &err), 0);
    assert_int_equal(c->s.high_water, 0); /* rows without events take no seq */
    collect *k = calloc(1, sizeof *k);
    assert_int_equal(tl_store_lp_quotes_scan(&c->s, collect_lpq, k, &err), 0);
    assert_int_equal(k->n, 5);
    assert_memory_equal(&k->rows[0], &a[1], sizeof a[1]);
    assert_memory_equal(&k->rows[1], &b[0], sizeof b[0]);
    assert_memory_equal(&k->rows[2], &b[1], sizeof b[1]); /* "R10" < "R2" in bytes */
    assert_memory_equal(&k->rows[3], &a[0], sizeof a[0]);
    assert_memory_equal(&k->rows[4], &a[2], sizeof a[2]);
    memset(k, 0, sizeof *k);
    k->stop_after = 2;
    assert_int_equal(tl_store_lp_quotes_scan(&c->s, collect_lpq, k, &err), 7);
    assert_int_equal(k->n, 2);

    tl_execution_row e[2] = {exec_row("E20250101-000002-000", T0 + SEC, "LP-1", 1, 1, "USDT"),
                             exec_row("E20250101-000001-000", T0, "LP-1", 1, 2, "USDT")};
    assert_int_equal(append_rows(&c->s, NULL, 0, NULL, 0, NULL, 0, e, 2, &err), 0);
    memset(k, 0, sizeof *k);
    assert_int_equal(tl_store_executions_scan(&c->s, collect_exec, k, &err), 0);
    assert_int_equal(k->n, 2);
    assert_memory_equal(&k->execs[0], &e[1], sizeof e[1]);
    assert_memory_equal(&k->execs[1], &e[0], sizeof e[0]);
    free(k);
}

/* A duplicate execution id, already stored or twice in the batch, refuses the whole batch: its
 * events, quotes and other rows are not stored and the sequence does not advance. */
static void test_duplicate_execution(void **state)
{
    ctx *c = *state;
    tl_err err = {0};
    tl_execution_row e1 = exec_row("E20250101-120000-000", T0, "LP-1", 1, 5, "USDT");
    assert_int_equal(append_rows(&c->s, NULL, 0, NULL, 0, NULL, 0, &e1, 1, &err), 0);

    tl_event ev = event("lost with the batch");
    tl_quote_row q = quote("Q2", T0, "LP-1", 100, TL_QUOTE_LOCKED);
    tl_lp_quote_row l = lpq("R1", "LP-1", TL_LPQ_QUOTED, 100, 5, 0);
    tl_execution_row e[2] = {exec_row("E20250101-120001-000", T0, "LP-1", 1, 5, "USDT"), e1};
    e[1].pnl = 999; /* same id, other contents */
    assert_int_equal(append_rows(&c->s, &ev, 1, &q, 1, &l, 1, e, 2, &err), TL_EDUPLICATE);
    assert_int_equal(c->s.high_water, 0);
    assert_int_equal(count_quotes(&c->s), 0);
    assert_int_equal(count_lpq(&c->s), 0);
    assert_int_equal(count_execs(&c->s), 1);

    tl_execution_row twice[2] = {e[0], e[0]};
    assert_int_equal(append_rows(&c->s, &ev, 1, &q, 1, NULL, 0, twice, 2, &err), TL_EDUPLICATE);
    assert_non_null(strstr(err.msg, "E20250101-120001-000"));
    assert_int_equal(c->s.high_water, 0);
    assert_int_equal(count_quotes(&c->s), 0);
    assert_int_equal(count_execs(&c->s), 1);

    /* The store is usable afterwards. */
    assert_int_equal(append_rows(&c->s, &ev, 1, &q, 1, &l, 1, e, 1, &err), 0);
    assert_int_equal(c->s.high_water, 1);
    assert_int_equal(count_execs(&c->s), 2);
}

/* What the dispatcher refuses before any backend sees it, naming the row and field. */
static void test_refused_rows(void **state)
{
    ctx *c = *state;
    tl_err err = {0};
    tl_execution_row e = exec_row("E2025-01-01", T0, "LP-1", 1, 5, "USDT");
    assert_int_equal(append_rows(&c->s, NULL, 0, NULL, 0, NULL, 0, &e, 1, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "EYYYYMMDD-HHMMSS-mmm"));
    e = exec_row("E20250101-000000-000", T0, "LP-1", 0, 0, "");
    e.error[0] = '\0';
    assert_int_equal(append_rows(&c->s, NULL, 0, NULL, 0, NULL, 0, &e, 1, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "error"));

    tl_quote_row q = quote("Q1", T0, "LP-1", 100, 9);
    assert_int_equal(append_rows(&c->s, NULL, 0, &q, 1, NULL, 0, NULL, 0, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "quote row 0: event"));
    q = quote("", T0, "LP-1", 100, TL_QUOTE_LOCKED);
    assert_int_equal(append_rows(&c->s, NULL, 0, &q, 1, NULL, 0, NULL, 0, &err), TL_EINVAL);
    q = quote("Q1", T0, "LP-1", 100, TL_QUOTE_LOCKED);
    memset(q.lp, 'x', sizeof q.lp); /* unterminated */
    assert_int_equal(append_rows(&c->s, NULL, 0, &q, 1, NULL, 0, NULL, 0, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "lp unterminated"));

    tl_lp_quote_row l = lpq("R1", "LP-1", TL_LPQ_REFUSED, 0, 5, 1); /* won without a quote */
    assert_int_equal(append_rows(&c->s, NULL, 0, NULL, 0, &l, 1, NULL, 0, &err), TL_EINVAL);
    l = lpq("R1", "LP-1", TL_LPQ_QUOTED, 100, 5, 0);
    strcpy(l.reason, "tab\there");
    assert_int_equal(append_rows(&c->s, NULL, 0, NULL, 0, &l, 1, NULL, 0, &err), TL_EINVAL);
    assert_int_equal(append_rows(&c->s, NULL, 0, NULL, 2, NULL, 0, NULL, 0, &err), TL_EINVAL);
    assert_int_equal(count_quotes(&c->s), 0);
    assert_int_equal(count_lpq(&c->s), 0);
    assert_int_equal(count_execs(&c->s), 0);
}

/* A failed write or commit (injected on the dispatcher's path, as a real one goes) stores
 * nothing of the batch: neither its events nor its rows. */
static void test_failed_commit_writes_none(void **state)
{
    ctx *c = *state;
    tl_err err = {0};
    tl_event ev = event("e");
    tl_quote_row q = quote("Q1", T0, "LP-1", 100, TL_QUOTE_LOCKED);
    tl_lp_quote_row l = lpq("R1", "LP-1", TL_LPQ_QUOTED, 100, 5, 1);
    tl_execution_row e = exec_row("E20250101-000000-000", T0, "LP-1", 1, 5, "USDT");
    c->s.faults.fail_commit_at = c->s.faults.commits + 1;
    assert_int_equal(append_rows(&c->s, &ev, 1, &q, 1, &l, 1, &e, 1, &err), TL_EIO);
    c->s.faults.fail_write_at = c->s.faults.writes + 1;
    assert_int_equal(append_rows(&c->s, &ev, 1, &q, 1, &l, 1, &e, 1, &err), TL_EIO);
    assert_int_equal(c->s.high_water, 0);
    assert_int_equal(count_quotes(&c->s), 0);
    assert_int_equal(count_lpq(&c->s), 0);
    assert_int_equal(count_execs(&c->s), 0);
    /* The same batch then goes through: the failed attempts left no execution id behind. */
    assert_int_equal(append_rows(&c->s, &ev, 1, &q, 1, &l, 1, &e, 1, &err), 0);
    assert_int_equal(count_execs(&c->s), 1);
}

/* The journal buffers the desk's rows and commits them with its events in one transaction: a
 * failed flush stores none and keeps them; the next flush stores them all. */
static void test_journal_commits_rows_with_events(void **state)
{
    ctx *c = *state;
    tl_err err = {0};
    tl_journal j;
    assert_int_equal(tl_journal_init(&j, &c->s, 0, &err), 0);
    tl_engine_subscriber sub = tl_journal_subscriber(&j);
    tl_event rec = event("quote locked");
    tl_engine_event eev = {.rec = &rec, .symbol = ""};
    sub.on_event(sub.ctx, &eev);
    tl_quote_row q = quote("Q1", T0, "LP-1", 100, TL_QUOTE_LOCKED);
    tl_lp_quote_row l = lpq("R1", "LP-1", TL_LPQ_QUOTED, 100, 5, 1);
    tl_execution_row e = exec_row("E20250101-000000-000", T0, "LP-1", 1, 5, "USDT");
    assert_int_equal(tl_journal_add_quote(&j, &q, &err), 0);
    assert_int_equal(tl_journal_add_lp_quote(&j, &l, &err), 0);
    assert_int_equal(tl_journal_add_execution(&j, &e, &err), 0);
    /* A group flush that is not due writes nothing yet. */
    assert_int_equal(sub.flush(sub.ctx, false, &err), 0);
    assert_int_equal(count_quotes(&c->s), 0);

    c->s.faults.fail_commit_at = c->s.faults.commits + 1;
    assert_int_equal(sub.flush(sub.ctx, true, &err), TL_EIO);
    assert_int_equal(c->s.high_water, 0);
    assert_int_equal(count_quotes(&c->s), 0);
    assert_int_equal(count_lpq(&c->s), 0);
    assert_int_equal(count_execs(&c->s), 0);

    assert_int_equal(sub.flush(sub.ctx, true, &err), 0);
    assert_int_equal(c->s.high_water, 1);
    assert_int_equal(count_quotes(&c->s), 1);
    assert_int_equal(count_lpq(&c->s), 1);
    assert_int_equal(count_execs(&c->s), 1);
    assert_int_equal(j.n_quotes + j.n_lp_quotes + j.n_executions, 0);

    /* Rows alone are committed too; a duplicate id fails the flush and keeps the rows. */
    assert_int_equal(tl_journal_add_execution(&j, &e, &err), 0);
    assert_int_equal(tl_journal_flush(&j, &err), TL_EDUPLICATE);
    assert_int_equal(j.n_executions, 1);
    strcpy(j.executions[0].execution_id, "E20250101-000000-001");
    assert_int_equal(tl_journal_flush(&j, &err), 0);
    assert_int_equal(count_execs(&c->s), 2);
    tl_journal_close(&j);
}

/* The scorecards and totals folded from the rows (desk_report.c), the same on every backend.
 * Two requests: R1 (LP-1 100000 won, LP-2 100050, LP-3 refused), R2 (LP-1 100100, LP-2 100000
 * won, LP-3 late); executions: LP-1 one success, LP-2 one success and one failure. */
static void test_scorecards_and_stats(void **state)
{
    ctx *c = *state;
    tl_err err = {0};
    const tl_fixed P = TL_FIXED_SCALE;
    tl_lp_quote_row l[6] = {lpq("R1", "LP-1", TL_LPQ_QUOTED, 100000 * P, 200000000, 1),
                            lpq("R1", "LP-2", TL_LPQ_QUOTED, 100050 * P, 400000000, 0),
                            lpq("R1", "LP-3", TL_LPQ_REFUSED, 0, 100000000, 0),
                            lpq("R2", "LP-1", TL_LPQ_QUOTED, 100100 * P, 300000000, 0),
                            lpq("R2", "LP-2", TL_LPQ_QUOTED, 100000 * P, 500000000, 1),
                            lpq("R2", "LP-3", TL_LPQ_LATE, 0, 2000000000, 0)};
    tl_execution_row e[3] = {
        exec_row("E20250101-000000-000", T0, "LP-1", 1, 75 * P, "USDT"),
        exec_row("E20250101-000001-000", T0 + SEC, "LP-2", 1, 75000, "BTC"),
        exec_row("E20250101-000002-000", T0 + 2 * SEC, "LP-2", 0, 0, ""),
    };
    e[1].pnl_after_fees = 70000;
    assert_int_equal(append_rows(&c->s, NULL, 0, NULL, 0, l, 6, e, 3, &err), 0);

    tl_lp_scorecard *sc = NULL;
    size_t n = 0;
    assert_int_equal(tl_desk_scorecards(&c->s, &sc, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(sc[0].lp, "LP-1");
    assert_int_equal(sc[0].requested, 2);
    assert_int_equal(sc[0].answered, 2);
    assert_int_equal(sc[0].wins, 1);
    assert_int_equal(sc[0].response_rate, P);
    assert_int_equal(sc[0].win_rate, P / 2);
    assert_int_equal(sc[0].mean_response_ns, 250000000);
    assert_int_equal(sc[0].p95_response_ns, 300000000);
    assert_true(sc[0].has_bps);
    assert_int_equal(sc[0].best_bps, 0);
    assert_int_equal(sc[0].worst_bps, 10 * P); /* 100 over 100000 = 10 bps */
    assert_int_equal(sc[0].executions, 1);
    assert_int_equal(sc[0].failed, 0);
    assert_string_equal(sc[1].lp, "LP-2");
    assert_int_equal(sc[1].best_bps, 0);
    assert_int_equal(sc[1].worst_bps, 5 * P);
    assert_int_equal(sc[1].executions, 1);
    assert_int_equal(sc[1].failed, 1);
    assert_string_equal(sc[2].lp, "LP-3");
    assert_int_equal(sc[2].requested, 2);
    assert_int_equal(sc[2].answered, 0);
    assert_int_equal(sc[2].refused, 1);
    assert_int_equal(sc[2].late, 1);
    assert_int_equal(sc[2].response_rate, 0);
    assert_false(sc[2].has_bps);
    assert_int_equal(sc[2].p95_response_ns, 0);
    free(sc);

    tl_desk_stats st;
    assert_int_equal(tl_desk_stats_get(&c->s, &st, &err), 0);
    assert_int_equal(st.executions, 3);
    assert_int_equal(st.succeeded, 2);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.success_rate, 66666667); /* 2/3 rounded half away from zero */
    assert_int_equal(st.n_pnl, 2);
    assert_string_equal(st.pnl[0].asset, "BTC");
    assert_int_equal(st.pnl[0].pnl, 75000);
    assert_int_equal(st.pnl[0].pnl_after_fees, 70000);
    assert_string_equal(st.pnl[1].asset, "USDT");
    assert_int_equal(st.pnl[1].pnl, 75 * P);
    assert_int_equal(st.pnl[1].pnl_after_fees, 75 * P - 1500000000);
}

/* An empty store: nothing, no failure. */
static void test_empty(void **state)
{
    ctx *c = *state;
    tl_err err = {0};
    assert_int_equal(count_quotes(&c->s), 0);
    assert_int_equal(count_execs(&c->s), 0);
    assert_int_equal(count_lpq(&c->s), 0);
    tl_lp_scorecard *sc = (tl_lp_scorecard *)&err;
    size_t n = 9;
    assert_int_equal(tl_desk_scorecards(&c->s, &sc, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_null(sc);
    tl_desk_stats st;
    assert_int_equal(tl_desk_stats_get(&c->s, &st, &err), 0);
    assert_int_equal(st.executions, 0);
    assert_int_equal(st.success_rate, 0);
}

/* A durable store: the rows survive a reopen, and a reader opened read-only reads them. */
static void test_reader(void **state)
{
    ctx *c = *state;
    if (!is_durable)
        skip();
    tl_err err = {0};
    tl_event ev = event("e");
    tl_quote_row q = quote("Q1", T0, "LP-1", 100, TL_QUOTE_LOCKED);
    tl_execution_row e = exec_row("E20250101-000000-000", T0, "LP-1", 1, 5, "USDT");
    assert_int_equal(append_rows(&c->s, &ev, 1, &q, 1, NULL, 0, &e, 1, &err), 0);
    tl_store_close(&c->s);
    tl_store r;
    int rc = tl_store_open_read(&r, c->url, NULL, &err);
    if (rc != 0)
        print_error("open_read: %s\n", err.msg);
    assert_int_equal(rc, 0);
    tl_quote_row gq;
    size_t n = 0;
    assert_int_equal(tl_store_quotes_recent(&r, &gq, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(&gq, &q, sizeof q);
    tl_execution_row ge;
    assert_int_equal(tl_store_executions_recent(&r, &ge, 1, &n, &err), 0);
    assert_memory_equal(&ge, &e, sizeof e);
    assert_int_equal(append_rows(&r, NULL, 0, &q, 1, NULL, 0, NULL, 0, &err), TL_ESTATE);
    tl_store_close(&r);
    open_ok(&c->s, c->url); /* for teardown */
}

int tl_desk_conformance_run(const char *group_name, const char *template, int durable,
                            int (*reset)(const char *url))
{
    url_template = template;
    is_durable = durable;
    reset_hook = reset;
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_round_trip_and_order),
        T(test_scans),
        T(test_duplicate_execution),
        T(test_refused_rows),
        T(test_failed_commit_writes_none),
        T(test_journal_commits_rows_with_events),
        T(test_scorecards_and_stats),
        T(test_empty),
        T(test_reader),
    };
#undef T
    return cmocka_run_group_tests_name(group_name, tests, NULL, NULL);
}
