/* serve_admin.c -- the admin pages' handlers (see serve_admin.h): the store's plans and variants,
 * their ranking by a figure, and each variant's trade-equity curve rebuilt from the journal. */
#include <stdlib.h>
#include <string.h>

#include "backtest/metrics.h"
#include "core/vec.h"
#include "paper/broker.h"
#include "service/serve.h"
#include "service/serve_admin.h"
#include "store/run_rows.h"

#define HTML     "text/html; charset=utf-8"
#define LIST_MAX 100 /* plans on the list page, the newest */

const char *const tl__admin_figures[TL_ADMIN_N_FIGURES] = {
    "return_pct",    "sharpe",      "max_drawdown_pct", "win_rate",
    "profit_factor", "trade_count", "ending_equity"};

bool tl__admin_figure(const tl_run_variant_row *v, int k, __int128 *out)
{
    if (v->status != TL_RUN_DONE)
        return false;
    switch (k) {
    case 0:
        *out = v->return_pct;
        return true;
    case 1:
        *out = v->sharpe;
        return v->has_sharpe;
    case 2:
        *out = -(__int128)v->max_drawdown_pct;
        return true; /* smaller is better */
    case 3:
        *out = v->win_rate;
        return v->has_win_rate;
    case 4:
        *out = v->profit_factor;
        return v->has_profit_factor;
    case 5:
        *out = v->trade_count;
        return true;
    default:
        *out = v->ending_equity;
        return true;
    }
}

typedef struct ranker {
    const tl_run_variant_row *rows;
    int key;
} ranker;

/* Best first; without the figure last; ties in plan order (the rows are read in plan order). */
static int by_figure(const void *a, const void *b, void *ctx)
{
    const ranker *r = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    __int128 x = 0, y = 0;
    bool hx = tl__admin_figure(&r->rows[i], r->key, &x);
    bool hy = tl__admin_figure(&r->rows[j], r->key, &y);
    if (hx != hy)
        return hx ? -1 : 1;
    if (hx && x != y)
        return x > y ? -1 : 1;
    return (i > j) - (i < j);
}

static void rank(const tl_run_variant_row *rows, size_t n, int key, size_t *order)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    ranker r = {rows, key};
    qsort_r(order, n, sizeof(*order), by_figure, &r);
}

/* ?sort=FIGURE: 0 and *key, or answered 400 and 1. */
static int sort_of(tl_http_req *req, int *key)
{
    const char *s = tl_http_req_query(req, "sort");
    *key = 0;
    if (s == NULL)
        return 0;
    while (*key < TL_ADMIN_N_FIGURES && strcmp(s, tl__admin_figures[*key]) != 0)
        (*key)++;
    if (*key < TL_ADMIN_N_FIGURES)
        return 0;
    tl_http_reply_error(req, 400,
                        "sort: want one of return_pct, sharpe, max_drawdown_pct, win_rate, "
                        "profit_factor, trade_count, ending_equity");
    return 1;
}

/* Every stored variant of plan id, in plan order: *out malloc'ed (the caller frees it). */
static int read_variants(tl_store *st, const char *id, tl_run_variant_row **out, size_t *n,
                         tl_err *err)
{
    size_t cap = 64, have = 0;
    for (;;) {
        tl_run_variant_row *rows = calloc(cap, sizeof(*rows));
        if (rows == NULL)
            return tl_err_set(err, TL_ENOMEM, "admin: out of memory");
        int rc = tl_store_run_variants(st, id, rows, cap, &have, err);
        if (rc == 0 && have <= cap) {
            *out = rows;
            *n = have;
            return 0;
        }
        free(rows);
        if (rc != 0)
            return rc;
        cap = have; /* more were stored than room was given: again with room for all */
    }
}

/* ---- the curve ---- */

void tl__admin_curve_free(tl_admin_curve *c)
{
    free(c->eq);
    memset(c, 0, sizeof(*c));
}

/* A buy not yet sold, or what is left of it. */
typedef struct leg {
    char symbol[sizeof(((tl_event *)0)->symbol)];
    tl_fixed price, qty, fee; /* fee: the buy's, charged to the first trade that sells from it */
} leg;

typedef struct pairer {
    tl_admin_curve *c;
    leg *legs; /* first in, first out */
    size_t n_legs, cap_legs;
    __int128 equity;
    tl_err *err;
} pairer;

static int push(pairer *p)
{
    if (p->equity > INT64_MAX || p->equity < INT64_MIN)
        return tl_err_set(p->err, TL_ERANGE, "admin: equity out of range");
    if (TL_VEC_RESERVE(&p->c->eq, &p->c->cap, p->c->n + 1) != 0)
        return tl_err_set(p->err, TL_ENOMEM, "admin: out of memory");
    p->c->eq[p->c->n++] = (tl_fixed)p->equity;
    return 0;
}

/* A sell: closed trades against the symbol's legs, oldest first; one curve point for all. */
static int sell(pairer *p, const tl_event *ev)
{
    tl_fixed left = ev->qty, fee = ev->fee;
    __int128 pnl = 0;
    bool matched = false;
    size_t keep = 0;
    for (size_t i = 0; i < p->n_legs; i++) {
        leg *l = &p->legs[i];
        if (left > 0 && strcmp(l->symbol, ev->symbol) == 0) {
            tl_fixed take = l->qty < left ? l->qty : left;
            tl_bt_trade t = {0, ev->ts_ns, l->price, ev->price, take, l->fee + fee};
            __int128 one;
            if (tl_bt_trade_pnl(&t, &one) != 0)
                return tl_err_set(p->err, TL_ERANGE, "admin: a trade's notional is out of range");
            pnl += one;
            l->fee = fee = 0;
            l->qty -= take;
            left -= take;
            matched = true;
        }
        if (l->qty > 0)
            p->legs[keep++] = *l;
    }
    p->n_legs = keep;
    if (!matched) /* a sell without a buy: the broker never journals one; nothing to draw */
        return 0;
    p->equity += pnl;
    return push(p);
}

static int on_event(void *ctx, const tl_event *ev)
{
    pairer *p = ctx;
    if (ev->type == TL_EV_WORKSPACE_RESET) { /* the workspace starts over: so does its curve */
        p->n_legs = 0;
        p->c->n = 0;
        p->equity = ev->fee;
        return push(p);
    }
    if (ev->type != TL_EV_ORDER_FILLED || ev->qty <= 0)
        return 0;
    if (ev->side == TL_SIDE_SELL)
        return sell(p, ev);
    if (TL_VEC_RESERVE(&p->legs, &p->cap_legs, p->n_legs + 1) != 0)
        return tl_err_set(p->err, TL_ENOMEM, "admin: out of memory");
    leg *l = &p->legs[p->n_legs++];
    memcpy(l->symbol, ev->symbol, sizeof(l->symbol));
    l->price = ev->price;
    l->qty = ev->qty;
    l->fee = ev->fee;
    return 0;
}

/* The curve of workspace ws, from the journal. */
static int curve_build(tl_store *st, const char *ws, tl_admin_curve *c, tl_err *err)
{
    tl_paper_state ps;
    int rc = tl_paper_state_get(st, ws, &ps, err);
    if (rc != 0)
        return rc;
    pairer p = {c, NULL, 0, 0, ps.starting_equity, err};
    tl_paper_state_free(&ps);
    c->n = 0;
    if ((rc = push(&p)) == 0) {
        tl_scan_filter f = {0, 0, ws};
        rc = tl_store_scan(st, &f, on_event, &p, err);
    }
    free(p.legs);
    return rc;
}

/* ---- the handlers ---- */

static int reply_page(tl_http_req *req, tl_sb *page)
{
    int rc = page->err ? tl_http_reply_error(req, 500, "out of memory")
                       : tl_http_reply(req, 200, HTML, page->buf, page->len);
    tl_sb_free(page);
    return rc;
}

int tl__serve_admin_list(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    tl_serve *s = ctx;
    int key;
    if (tl__serve_guard(s, req) || sort_of(req, &key))
        return 0;
    tl_run_plan_row *plans = calloc(LIST_MAX, sizeof(*plans));
    tl_admin_plan_item *items = calloc(LIST_MAX, sizeof(*items));
    size_t n = 0;
    tl_err e = {0};
    int rc = plans && items ? tl_store_run_plans_recent(s->store, plans, LIST_MAX, &n, &e)
                            : tl_err_set(&e, TL_ENOMEM, "admin: out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tl_run_variant_row *rows = NULL;
        size_t nv = 0;
        if ((rc = read_variants(s->store, plans[i].run_plan_id, &rows, &nv, &e)) != 0)
            break;
        size_t *order = calloc(nv + 1, sizeof(*order));
        if (order == NULL) {
            free(rows);
            rc = tl_err_set(&e, TL_ENOMEM, "admin: out of memory");
            break;
        }
        rank(rows, nv, key, order);
        __int128 v;
        memset(&items[i], 0, sizeof(items[i]));
        items[i].plan = &plans[i];
        items[i].stored = nv;
        if (nv > 0 && tl__admin_figure(&rows[order[0]], key, &v)) {
            items[i].has_best = true;
            items[i].best = rows[order[0]];
        }
        free(order);
        free(rows);
    }
    if (rc != 0) {
        rc = tl_http_reply_error(req, rc == TL_ENOMEM ? 503 : 500, e.msg);
    } else {
        tl_sb page = {0};
        tl__admin_list_page(&page, items, n, key);
        rc = reply_page(req, &page);
    }
    if (plans != NULL)
        tl_run_plan_rows_free(plans, n);
    free(plans);
    free(items);
    return rc;
}

int tl__serve_admin_plan(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)err;
    tl_serve *s = ctx;
    int key;
    if (tl__serve_guard(s, req))
        return 0;
    const char *id = tl_http_req_rest(req);
    tl_err e = {0};
    if (tl_run_id_validate(id, "run_plan_id", &e) != 0)
        return tl_http_reply_error(req, 404, "no such run plan (an id is 16 lower-case hex)");
    if (sort_of(req, &key))
        return 0;
    tl_run_plan_row plan;
    memset(&plan, 0, sizeof(plan));
    int rc = tl_store_run_plan_get(s->store, id, &plan, &e);
    if (rc == TL_ENOTFOUND)
        return tl_http_reply_error(req, 404, "no such run plan");
    if (rc != 0)
        return tl_http_reply_error(req, 503, e.msg);
    tl_run_variant_row *rows = NULL;
    tl_admin_curve *curves = NULL;
    size_t *order = NULL, n = 0;
    if ((rc = read_variants(s->store, id, &rows, &n, &e)) == 0 &&
        (!(curves = calloc(n + 1, sizeof(*curves))) || !(order = calloc(n + 1, sizeof(*order)))))
        rc = tl_err_set(&e, TL_ENOMEM, "admin: out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = curve_build(s->store, rows[i].workspace, &curves[i], &e);
    if (rc != 0) {
        rc = tl_http_reply_error(req, rc == TL_ENOMEM ? 503 : 500, e.msg);
    } else {
        rank(rows, n, key, order);
        tl_sb page = {0};
        tl__admin_detail_page(&page, &plan, rows, curves, order, n, key);
        rc = reply_page(req, &page);
    }
    for (size_t i = 0; curves != NULL && i < n; i++)
        tl__admin_curve_free(&curves[i]);
    free(curves);
    free(order);
    free(rows);
    tl_run_plan_row_free(&plan);
    return rc;
}
