/* desk_report.c -- see desk_report.h. */
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "store/desk_report.h"
#include "tradeloop/order.h"

/* A scorecard being built, with its answers' response times. */
typedef struct card {
    tl_lp_scorecard sc;
    int64_t *times; /* owned */
    size_t n_times, cap_times;
    __int128 sum_times;
} card;

typedef struct fold {
    card *cards; /* owned, unsorted: a desk has a handful of LPs */
    size_t n_cards, cap_cards;
    tl_lp_quote_row *req; /* owned: the rows of the current request */
    size_t n_req, cap_req;
    int rc; /* first failure inside a callback */
    tl_err *err;
} fold;

static card *card_of(fold *f, const char *lp)
{
    for (size_t i = 0; i < f->n_cards; i++) {
        if (strcmp(f->cards[i].sc.lp, lp) == 0)
            return &f->cards[i];
    }
    if (TL_VEC_RESERVE(&f->cards, &f->cap_cards, f->n_cards + 1) != 0)
        return NULL;
    card *c = &f->cards[f->n_cards++];
    memset(c, 0, sizeof *c);
    memcpy(c->sc.lp, lp, strnlen(lp, TL_LP_NAME_MAX - 1));
    return c;
}

static int nomem(fold *f)
{
    f->rc = tl_err_set(f->err, TL_ENOMEM, "out of memory folding the desk's rows");
    return 1;
}

/* How far price is behind best, in bps of best (>= 0 when best is the best). */
static int behind_bps(const tl_lp_quote_row *r, tl_fixed best, tl_fixed *out)
{
    __int128 diff = r->side == TL_SIDE_BUY ? (__int128)r->price - best : (__int128)best - r->price;
    return tl_fixed_from_ratio128(diff * 10000 * TL_FIXED_SCALE, best, out);
}

/* Folds the rows of one request into the cards. */
static int close_request(fold *f)
{
    tl_fixed best = 0;
    int have = 0;
    for (size_t i = 0; i < f->n_req; i++) {
        const tl_lp_quote_row *r = &f->req[i];
        if (r->status != TL_LPQ_QUOTED)
            continue;
        if (!have || (r->side == TL_SIDE_BUY ? r->price < best : r->price > best))
            best = r->price;
        have = 1;
    }
    for (size_t i = 0; i < f->n_req; i++) {
        const tl_lp_quote_row *r = &f->req[i];
        card *c = card_of(f, r->lp);
        if (c == NULL)
            return nomem(f);
        c->sc.requested++;
        c->sc.wins += r->won;
        if (r->status == TL_LPQ_REFUSED)
            c->sc.refused++;
        if (r->status == TL_LPQ_LATE)
            c->sc.late++;
        if (r->status != TL_LPQ_QUOTED)
            continue;
        c->sc.answered++;
        if (TL_VEC_RESERVE(&c->times, &c->cap_times, c->n_times + 1) != 0)
            return nomem(f);
        c->times[c->n_times++] = r->response_ns;
        c->sum_times += r->response_ns;
        tl_fixed bps;
        if (behind_bps(r, best, &bps) != 0) {
            f->rc =
                tl_err_set(f->err, TL_ERANGE, "request '%s': price out of range", r->request_id);
            return 1;
        }
        if (!c->sc.has_bps || bps < c->sc.best_bps)
            c->sc.best_bps = bps;
        if (!c->sc.has_bps || bps > c->sc.worst_bps)
            c->sc.worst_bps = bps;
        c->sc.has_bps = true;
    }
    f->n_req = 0;
    return 0;
}

static int on_lp_quote(void *ctx, const tl_lp_quote_row *row)
{
    fold *f = ctx;
    if (f->n_req > 0 && strcmp(f->req[0].request_id, row->request_id) != 0 && close_request(f))
        return 1;
    if (TL_VEC_RESERVE(&f->req, &f->cap_req, f->n_req + 1) != 0)
        return nomem(f);
    f->req[f->n_req++] = *row;
    return 0;
}

static int on_execution(void *ctx, const tl_execution_row *row)
{
    fold *f = ctx;
    card *c = card_of(f, row->lp);
    if (c == NULL)
        return nomem(f);
    if (row->status == TL_EXEC_SUCCESS)
        c->sc.executions++;
    else
        c->sc.failed++;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_card(const void *a, const void *b)
{
    return strcmp(((const tl_lp_scorecard *)a)->lp, ((const tl_lp_scorecard *)b)->lp);
}

/* A fraction num / den as a fixed, 0 when den is 0. */
static tl_fixed ratio(uint64_t num, uint64_t den)
{
    tl_fixed v = 0;
    if (den > 0)
        tl_fixed_from_ratio128((__int128)num * TL_FIXED_SCALE, den, &v); /* <= 1: fits */
    return v;
}

static void finish(card *c)
{
    tl_lp_scorecard *s = &c->sc;
    s->response_rate = ratio(s->answered, s->requested);
    s->win_rate = ratio(s->wins, s->answered);
    if (c->n_times == 0)
        return;
    qsort(c->times, c->n_times, sizeof *c->times, cmp_i64);
    s->mean_response_ns = (int64_t)(c->sum_times / (__int128)c->n_times);
    size_t rank = (c->n_times * 95 + 99) / 100; /* ceil(0.95 n), >= 1 */
    s->p95_response_ns = c->times[rank - 1];
}

int tl_desk_scorecards(tl_store *s, tl_lp_scorecard **out, size_t *n, tl_err *err)
{
    fold f = {.err = err};
    int rc = tl_store_lp_quotes_scan(s, on_lp_quote, &f, err);
    if (rc == 0 && f.rc == 0 && f.n_req > 0)
        close_request(&f);
    if (rc == 0 && f.rc == 0)
        rc = tl_store_executions_scan(s, on_execution, &f, err);
    if (f.rc != 0)
        rc = f.rc;
    tl_lp_scorecard *cards = NULL;
    if (rc == 0 && f.n_cards > 0 && (cards = malloc(f.n_cards * sizeof *cards)) == NULL)
        rc = tl_err_set(err, TL_ENOMEM, "out of memory folding the desk's rows");
    for (size_t i = 0; i < f.n_cards; i++) {
        if (rc == 0) {
            finish(&f.cards[i]);
            cards[i] = f.cards[i].sc;
        }
        free(f.cards[i].times);
    }
    free(f.cards);
    free(f.req);
    if (rc != 0) {
        free(cards);
        return rc < 0 ? rc : tl_err_set(err, TL_EIO, "desk scan stopped (%d)", rc);
    }
    if (cards != NULL)
        qsort(cards, f.n_cards, sizeof *cards, cmp_card);
    *out = cards;
    *n = f.n_cards;
    return 0;
}

/* ---- stats ---- */

typedef struct stats_fold {
    tl_desk_stats st;
    int rc;
    tl_err *err;
} stats_fold;

static int on_stat(void *ctx, const tl_execution_row *row)
{
    stats_fold *f = ctx;
    tl_desk_stats *st = &f->st;
    st->executions++;
    if (row->status != TL_EXEC_SUCCESS) {
        st->failed++;
        return 0;
    }
    st->succeeded++;
    size_t i = 0;
    while (i < st->n_pnl && strcmp(st->pnl[i].asset, row->pnl_asset) < 0)
        i++;
    if (i == st->n_pnl || strcmp(st->pnl[i].asset, row->pnl_asset) != 0) {
        if (st->n_pnl == TL_DESK_ASSETS_MAX) {
            f->rc = tl_err_set(f->err, TL_EFULL, "more than %d P&L assets", TL_DESK_ASSETS_MAX);
            return 1;
        }
        memmove(&st->pnl[i + 1], &st->pnl[i], (st->n_pnl - i) * sizeof st->pnl[0]);
        memset(&st->pnl[i], 0, sizeof st->pnl[i]);
        memcpy(st->pnl[i].asset, row->pnl_asset, strnlen(row->pnl_asset, TL_ASSET_MAX - 1));
        st->n_pnl++;
    }
    tl_desk_pnl *p = &st->pnl[i];
    if (tl_fixed_add(p->pnl, row->pnl, &p->pnl) != 0 ||
        tl_fixed_add(p->pnl_after_fees, row->pnl_after_fees, &p->pnl_after_fees) != 0) {
        f->rc = tl_err_set(f->err, TL_ERANGE, "P&L total in '%s' out of range", p->asset);
        return 1;
    }
    return 0;
}

int tl_desk_stats_get(tl_store *s, tl_desk_stats *out, tl_err *err)
{
    stats_fold *f = calloc(1, sizeof *f);
    if (f == NULL)
        return tl_err_set(err, TL_ENOMEM, "out of memory");
    f->err = err;
    int rc = tl_store_executions_scan(s, on_stat, f, err);
    if (f->rc != 0)
        rc = f->rc;
    else if (rc > 0)
        rc = tl_err_set(err, TL_EIO, "executions scan stopped (%d)", rc);
    if (rc == 0) {
        f->st.success_rate = ratio(f->st.succeeded, f->st.executions);
        *out = f->st;
    }
    free(f);
    return rc;
}
