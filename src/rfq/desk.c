/* desk.c -- the RFQ desk: streams, the lock, execution, hedge, rows (see desk.h). */
#include "core/text.h"
#include "rfq/desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/vec.h"

static const char *const event_names[] = {"",         "locked", "improved", "expired",
                                          "executed", "failed", "canceled", "error"};

const char *tl_desk_event_name(tl_desk_event_kind k)
{
    return (unsigned)k < sizeof(event_names) / sizeof(event_names[0]) ? event_names[k] : "?";
}

int tl_desk_init(tl_desk *d, const tl_desk_config *cfg, tl_lp *lps, uint32_t n_lps,
                 tl_engine *engine, tl_journal *journal, const tl_clock *clock,
                 tl_desk_event_fn on_event, void *ctx, tl_err *err)
{
    memset(d, 0, sizeof(*d));
    if (n_lps == 0 || n_lps > TL_DESK_MAX_LPS)
        return tl_err_set(err, TL_EINVAL, "desk: 1 to %d LPs, not %u", TL_DESK_MAX_LPS, n_lps);
    if (cfg->poll_ns <= 0)
        return tl_err_set(err, TL_EINVAL, "desk: the poll interval must be positive");
    int rc = tl_rfq_round_init(&d->rnd, n_lps, err);
    if (rc != 0)
        return rc;
    d->cfg = *cfg;
    d->lps = lps;
    d->n_lps = n_lps;
    d->engine = engine;
    d->journal = journal;
    d->clock = clock;
    d->on_event = on_event;
    d->ctx = ctx;
    d->last_exec_ms = -1;
    return 0;
}

void tl_desk_close(tl_desk *d)
{
    tl_rfq_round_close(&d->rnd);
    free(d->pending);
    memset(d, 0, sizeof(*d));
}

/* The client's side of a trade at an LP price: what the hedge calculator says. */
static int price_at(const tl_desk *d, tl_fixed lp_price, tl_hedge *h, tl_err *err)
{
    tl_hedge_input in = {d->req.side,       d->req.amount,  d->req.amount_in, lp_price,
                         d->cfg.markup_bps, d->cfg.fee_bps, d->cfg.profit_in};
    return tl_hedge_compute(&in, h, err);
}

static tl_desk_event *event(tl_desk *d, tl_desk_event_kind kind)
{
    if (TL_VEC_RESERVE(&d->pending, &d->cap_pending, d->n_pending + 1) != 0)
        return NULL;
    tl_desk_event *ev = &d->pending[d->n_pending++];
    memset(ev, 0, sizeof(*ev));
    ev->kind = kind;
    ev->ts_ns = tl_clock_now(d->clock);
    tl_text_copy(ev->quote_id, sizeof(ev->quote_id), d->quote_id);
    ev->req = d->req;
    return ev;
}

/* The lock as an event: its LP, price and the client's side at it. */
static void lock_event(tl_desk *d, tl_desk_event_kind kind)
{
    tl_desk_event *ev = event(d, kind);
    if (!ev)
        return;
    const tl_rfq_candidate *q = &d->lock.quote;
    tl_text_copy(ev->lp, sizeof(ev->lp), d->lps[q->lp].name);
    ev->lp_price = q->price;
    ev->valid_until_ns = q->valid_until_ns;
    price_at(d, q->price, &ev->price, NULL);
}

/* Commits what the call journaled, then says it: an event is never shown before it is durable. */
static int commit(tl_desk *d, tl_err *err)
{
    int rc = tl_engine_flush(d->engine, true, err);
    if (rc != 0) {
        d->n_pending = 0;
        return rc;
    }
    for (size_t i = 0; i < d->n_pending; i++)
        if (d->on_event)
            d->on_event(d->ctx, &d->pending[i]);
    d->n_pending = 0;
    return 0;
}

static void quote_row(tl_desk *d, tl_quote_event what, tl_err *err)
{
    tl_quote_row r;
    const tl_rfq_candidate *q = &d->lock.quote;
    tl_hedge h;
    memset(&r, 0, sizeof(r));
    tl_text_copy(r.workspace, sizeof(r.workspace), d->cfg.workspace);
    tl_text_copy(r.quote_id, sizeof(r.quote_id), d->quote_id);
    r.ts_ns = tl_clock_now(d->clock);
    tl_text_copy(r.symbol, sizeof(r.symbol), d->req.symbol);
    r.side = (uint8_t)d->req.side;
    r.amount = d->req.amount;
    tl_text_copy(r.amount_asset, sizeof(r.amount_asset),
                 d->req.amount_in == TL_PAIR_BASE ? d->req.base : d->req.quote);
    tl_text_copy(r.lp, sizeof(r.lp), d->lps[q->lp].name);
    tl_text_copy(r.lp_quote_id, sizeof(r.lp_quote_id), d->lock_lp_quote_id);
    r.lp_price = q->price;
    r.client_price = price_at(d, q->price, &h, NULL) == 0 ? h.client_price : q->price;
    r.valid_until_ns = q->valid_until_ns;
    r.event = (uint8_t)what;
    tl_journal_add_quote(d->journal, &r, err);
}

static void expire(tl_desk *d, tl_err *err);

static void ask_round(tl_desk *d)
{
    tl_rfq_round_ask(&d->rnd, d->lps, ++d->next_round, &d->req, tl_clock_now(d->clock));
}

static void judge_round(tl_desk *d, tl_err *err)
{
    tl_rfq_verdict v = tl_rfq_round_judge(&d->rnd, d->lps, d->cfg.workspace, &d->req,
                                          tl_clock_now(d->clock), &d->lock, d->journal);
    if (v.change == TL_RFQ_LOCKED || v.change == TL_RFQ_IMPROVED) {
        tl_text_copy(d->lock_lp_quote_id, sizeof(d->lock_lp_quote_id),
                     d->rnd.answers[v.winner].q.quote_id);
        quote_row(d, v.change == TL_RFQ_LOCKED ? TL_QUOTE_LOCKED : TL_QUOTE_IMPROVED, err);
        lock_event(d, v.change == TL_RFQ_LOCKED ? TL_DESK_LOCKED : TL_DESK_IMPROVED);
    } else if (v.change == TL_RFQ_EXPIRED) {
        expire(d, err);
    }
}

int tl_desk_request(tl_desk *d, const tl_rfq_request *req, tl_err *err)
{
    int rc;
    if (d->streaming && (rc = tl_desk_cancel(d, err)) != 0)
        return rc;
    d->req = *req;
    tl_rfq_lock_init(&d->lock, req->side == TL_SIDE_BUY);
    d->lock_lp_quote_id[0] = '\0';
    snprintf(d->quote_id, sizeof(d->quote_id), "Q%06llu", (unsigned long long)++d->next_quote);
    d->streaming = true;
    ask_round(d);
    return commit(d, err);
}

int tl_desk_tick(tl_desk *d, tl_err *err)
{
    if (!d->streaming)
        return 0;
    judge_round(d, err);
    if (d->streaming)
        ask_round(d);
    return commit(d, err);
}

int tl_desk_cancel(tl_desk *d, tl_err *err)
{
    if (!d->streaming) {
        tl_desk_event *ev = event(d, TL_DESK_ERROR);
        if (ev)
            tl_text_copy(ev->error, sizeof(ev->error), "nothing to cancel");
        return commit(d, err);
    }
    if (d->lock.held) {
        quote_row(d, TL_QUOTE_CANCELED, err);
        lock_event(d, TL_DESK_CANCELED);
    } else {
        event(d, TL_DESK_CANCELED);
    }
    d->streaming = false;
    return commit(d, err);
}

/* "EYYYYMMDD-HHMMSS-mmm" of engine time t, unique in the desk: a millisecond already named moves
 * on to the next free one. */
static void exec_id(tl_desk *d, int64_t t, char out[TL_EXEC_ID_MAX])
{
    int64_t ms = t / TL_NS_PER_MS - (t % TL_NS_PER_MS < 0);
    if (ms <= d->last_exec_ms)
        ms = d->last_exec_ms + 1;
    d->last_exec_ms = ms;
    time_t s = (time_t)(ms / 1000 - (ms % 1000 < 0));
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(out, TL_EXEC_ID_MAX, "E%04d%02d%02d-%02d%02d%02d-%03d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)((ms % 1000 + 1000) % 1000));
}

int tl_desk_ids_after(tl_desk *d, const char *id, tl_err *err)
{
    char iso[32];
    int64_t t;
    /* E20250102-100001-100 -> 2025-01-02T10:00:01.100Z */
    if (strlen(id) != 20 || id[0] != 'E' || id[9] != '-' || id[16] != '-')
        return tl_err_set(err, TL_EINVAL, "'%.30s' is not an execution id", id);
    snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s.%.3sZ", id + 1, id + 5, id + 7,
             id + 10, id + 12, id + 14, id + 17);
    if (tl_time_parse_iso(iso, &t, err) != 0)
        return TL_EINVAL;
    if (t / TL_NS_PER_MS > d->last_exec_ms)
        d->last_exec_ms = t / TL_NS_PER_MS;
    return 0;
}

/* The hedge sent through the kernel: 0 and the fill's price, or the reason it did not fill. */
static int send_hedge(tl_desk *d, const tl_hedge *h, tl_fixed lp_price, tl_fixed *avg, char *why,
                      size_t cap, tl_err *err)
{
    uint32_t inst;
    tl_err e2 = {0};
    if (tl_engine_instrument(d->engine, d->req.symbol, &inst, &e2) != 0) {
        tl_text_copy(why, cap, e2.msg);
        return TL_EINVAL;
    }
    tl_intent in = {0};
    in.action = "HEDGE";
    in.instrument = inst;
    in.side = h->hedge_side;
    in.type = TL_ORDER_MARKET;
    in.price = lp_price; /* the market order's reference */
    in.qty = h->hedge_base;
    tl_engine_result r;
    int rc = tl_engine_intent(d->engine, &in, &r, &e2);
    if (rc == TL_ESTATE || rc == TL_ENOMEM) {
        if (err)
            *err = e2;
        return rc;
    }
    if (rc != 0 || r.rec.status != TL_INTENT_FILLED) {
        snprintf(why, cap, "hedge: %.110s",
                 rc != 0 ? e2.msg : (r.rec.reason[0] ? r.rec.reason : "not filled"));
        return TL_EIO;
    }
    *avg = lp_price; /* a market order fills at its reference unless the venue says */
    const tl_order *o = tl_order_store_by_client(&d->engine->orders, r.rec.client_seq);
    tl_fill f[4];
    uint32_t nf = o ? tl_order_store_fills(&d->engine->orders, o, f, 4) : 0;
    if (nf == 1)
        *avg = f[0].price;
    return 0;
}

/* The lock ran out: its row and event, and the stream ends. */
static void expire(tl_desk *d, tl_err *err)
{
    quote_row(d, TL_QUOTE_EXPIRED, err);
    lock_event(d, TL_DESK_EXPIRED);
    d->streaming = false;
}

int tl_desk_proceed(tl_desk *d, tl_err *err)
{
    int64_t now = tl_clock_now(d->clock);
    /* A lock past its validity that no poll has seen yet ends here, as a poll would end it. */
    if (d->streaming && tl_rfq_lock_offer(&d->lock, NULL, now) == TL_RFQ_EXPIRED)
        expire(d, err);
    if (!d->streaming || !tl_rfq_lock_valid(&d->lock, now)) {
        tl_desk_event *ev = event(d, TL_DESK_ERROR);
        if (ev)
            tl_text_copy(ev->error, sizeof(ev->error),
                         d->lock.expired ? "quote expired"
                         : d->streaming  ? "no quote locked yet"
                                         : "no quote to proceed with");
        return commit(d, err);
    }
    const tl_rfq_candidate *q = &d->lock.quote;
    tl_lp *lp = &d->lps[q->lp];
    tl_lp_exec_request xr;
    tl_lp_exec x;
    memset(&xr, 0, sizeof(xr));
    tl_text_copy(xr.quote_id, sizeof(xr.quote_id), d->lock_lp_quote_id);
    xr.side = (uint8_t)d->req.side;
    xr.amount_asset = d->req.amount_in == TL_PAIR_BASE ? TL_LP_ASSET_BASE : TL_LP_ASSET_QUOTE;
    xr.amount = d->req.amount;
    xr.price = q->price;
    tl_err e2 = {0};
    int rc = tl_lp_execute_trade(lp, &xr, &x, &e2);
    if (rc != 0) {
        x.status = TL_LP_EXEC_REFUSED;
        tl_text_copy(x.reason, sizeof(x.reason), e2.msg);
        x.respond_ns = now;
    }

    tl_execution_row row;
    memset(&row, 0, sizeof(row));
    exec_id(d, x.respond_ns == TL_LP_NEVER ? now : x.respond_ns, row.execution_id);
    row.ts_ns = now;
    tl_text_copy(row.workspace, sizeof(row.workspace), d->cfg.workspace);
    tl_text_copy(row.quote_id, sizeof(row.quote_id), d->quote_id);
    tl_text_copy(row.lp, sizeof(row.lp), lp->name);
    row.status = TL_EXEC_FAILED;
    tl_hedge h;
    memset(&h, 0, sizeof(h));
    tl_fixed avg = 0;
    if (x.status != TL_LP_FILLED || x.respond_ns == TL_LP_NEVER) {
        snprintf(row.error, sizeof(row.error), "LP %s: %s", lp->name,
                 x.respond_ns == TL_LP_NEVER ? "no answer" : x.reason);
    } else if ((rc = price_at(d, x.avg_price, &h, &e2)) != 0) {
        snprintf(row.error, sizeof(row.error), "hedge: %.110s", e2.msg);
    } else {
        row.hedge_side = (uint8_t)h.hedge_side;
        row.hedge_base_qty = h.hedge_base;
        row.hedge_quote_qty = h.hedge_quote;
        rc = send_hedge(d, &h, x.avg_price, &avg, row.error, sizeof(row.error), err);
        if (rc == TL_ESTATE || rc == TL_ENOMEM)
            return rc;
        if (rc == 0) {
            row.status = TL_EXEC_SUCCESS;
            row.executed_qty = h.hedge_base;
            row.avg_price = avg;
            row.commission = h.fee_quote;
            row.pnl = h.profit;
            tl_text_copy(row.pnl_asset, sizeof(row.pnl_asset),
                         h.profit_in == TL_PAIR_BASE ? d->req.base : d->req.quote);
            row.pnl_after_fees = h.pnl;
            row.pnl_bps = h.pnl_bps;
        }
    }
    tl_journal_add_execution(d->journal, &row, err);
    tl_desk_event *ev = event(d, row.status == TL_EXEC_SUCCESS ? TL_DESK_EXECUTED : TL_DESK_FAILED);
    if (ev) {
        tl_text_copy(ev->lp, sizeof(ev->lp), lp->name);
        ev->lp_price = q->price;
        ev->price = h;
        tl_text_copy(ev->execution_id, sizeof(ev->execution_id), row.execution_id);
        ev->avg_price = avg;
        tl_text_copy(ev->error, sizeof(ev->error), row.error);
    }
    d->streaming = false;
    return commit(d, err);
}
