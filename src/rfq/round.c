/* round.c -- a round of the desk's stream: ask every LP, judge their answers (see round.h). */
#include "core/text.h"
#include "rfq/round.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tl_rfq_round_init(tl_rfq_round *r, uint32_t n_lps, tl_err *err)
{
    memset(r, 0, sizeof(*r));
    r->answers = calloc(n_lps, sizeof(*r->answers));
    r->cand = calloc(n_lps, sizeof(*r->cand));
    r->row_of = calloc(n_lps, sizeof(*r->row_of));
    if (!r->answers || !r->cand || !r->row_of) {
        tl_rfq_round_close(r);
        return tl_err_set(err, TL_ENOMEM, "desk: out of memory");
    }
    r->n_lps = n_lps;
    return 0;
}

void tl_rfq_round_close(tl_rfq_round *r)
{
    free(r->answers);
    free(r->cand);
    free(r->row_of);
    memset(r, 0, sizeof(*r));
}

void tl_rfq_round_ask(tl_rfq_round *r, tl_lp *lps, uint64_t id, const tl_rfq_request *req,
                      int64_t now)
{
    tl_lp_request rq;
    memset(&rq, 0, sizeof(rq));
    rq.request_id = id;
    tl_text_copy(rq.symbol, sizeof(rq.symbol), req->symbol);
    rq.side = (uint8_t)req->side;
    rq.amount_asset = req->amount_in == TL_PAIR_BASE ? TL_LP_ASSET_BASE : TL_LP_ASSET_QUOTE;
    rq.amount = req->amount;
    r->id = id;
    for (uint32_t i = 0; i < r->n_lps; i++) {
        tl_rfq_answer *a = &r->answers[i];
        a->asked = true;
        a->asked_ns = now;
        if (tl_lp_request_quote(&lps[i], &rq, &a->q, NULL) != 0) {
            memset(&a->q, 0, sizeof(a->q));
            a->q.status = TL_LP_QUOTE_REFUSED;
            a->q.respond_ns = now;
            tl_text_copy(a->q.reason, sizeof(a->q.reason), "could not be asked");
        }
    }
}

/* The fields every row of the round shares, filled once and copied into each row. */
static void row_template(const tl_rfq_round *r, const char *workspace, const tl_rfq_request *req,
                         int64_t now, tl_lp_quote_row *t)
{
    memset(t, 0, sizeof(*t));
    tl_text_copy(t->workspace, sizeof(t->workspace), workspace);
    snprintf(t->request_id, sizeof(t->request_id), "R%06llu", (unsigned long long)r->id);
    t->ts_ns = now;
    tl_text_copy(t->symbol, sizeof(t->symbol), req->symbol);
    t->side = (uint8_t)req->side;
    t->amount = req->amount;
}

tl_rfq_verdict tl_rfq_round_judge(tl_rfq_round *r, const tl_lp *lps, const char *workspace,
                                  const tl_rfq_request *req, int64_t now, tl_rfq_lock *lock,
                                  tl_journal *j)
{
    tl_rfq_verdict v = {TL_RFQ_NONE, -1};
    tl_rfq_candidate *cand = r->cand;
    /* NULL when the journal cannot grow: the round is judged all the same (the lock must not
     * depend on memory), its rows are lost and the journal's next flush fails. */
    tl_lp_quote_row *rows = tl_journal_lp_quote_room(j, r->n_lps);
    tl_lp_quote_row common;
    size_t nc = 0, nr = 0;
    row_template(r, workspace, req, now, &common);
    for (uint32_t i = 0; i < r->n_lps; i++) {
        const tl_rfq_answer *a = &r->answers[i];
        if (!a->asked)
            continue;
        bool late = a->q.respond_ns > now;
        if (!late && a->q.status == TL_LP_QUOTED) {
            cand[nc] = (tl_rfq_candidate){i, i, a->q.price, a->q.respond_ns - a->asked_ns,
                                          a->q.valid_until_ns};
            r->row_of[nc++] = (uint32_t)nr;
        }
        if (!rows) {
            nr++;
            continue;
        }
        tl_lp_quote_row *row = &rows[nr++];
        *row = common;
        tl_text_copy(row->lp, sizeof(row->lp), lps[i].name);
        row->response_ns = late ? now - a->asked_ns : a->q.respond_ns - a->asked_ns;
        if (late) {
            row->status = TL_LPQ_LATE;
            tl_text_copy(row->reason, sizeof(row->reason), "no answer by the next poll");
        } else if (a->q.status == TL_LP_QUOTED) {
            row->status = TL_LPQ_QUOTED;
            tl_text_copy(row->lp_quote_id, sizeof(row->lp_quote_id), a->q.quote_id);
            row->bid = a->q.bid;
            row->ask = a->q.ask;
            row->price = a->q.price;
        } else {
            row->status = TL_LPQ_REFUSED;
            tl_text_copy(row->reason, sizeof(row->reason),
                         a->q.reason[0] ? a->q.reason : "refused");
        }
    }
    int b = tl_rfq_best(cand, nc, req->side == TL_SIDE_BUY);
    v.change = tl_rfq_lock_offer(lock, b >= 0 ? &cand[b] : NULL, now);
    if (v.change == TL_RFQ_LOCKED || v.change == TL_RFQ_IMPROVED) {
        v.winner = (int32_t)cand[b].lp;
        if (rows)
            rows[r->row_of[b]].won = 1;
    }
    if (rows)
        tl_journal_lp_quotes_added(j, nr);
    return v;
}
