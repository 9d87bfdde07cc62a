/* runner.c -- the strategy runner: see runner.h. */
#include "strategy/runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

int tl_runner_intent_id(const char *evaluation_id, size_t n, char id[TL_PAPER_INTENT_ID_MAX],
                        tl_err *err)
{
    int len = snprintf(id, TL_PAPER_INTENT_ID_MAX, "%s:%zu", evaluation_id, n);
    if (len < 0 || len >= TL_PAPER_INTENT_ID_MAX)
        return tl_err_set(err, TL_EINVAL, "runner: intent id of '%.20s' too long", evaluation_id);
    return 0;
}

int tl_runner_init(tl_runner *r, const tl_strategy_spec *spec, tl_paper_broker *b, tl_err *err)
{
    int rc;
    memset(r, 0, sizeof(*r));
    if (spec == NULL || spec->ops == NULL || b == NULL || b->store == NULL)
        return tl_err_set(err, TL_EINVAL, "runner: NULL spec or broker");
    if ((rc = tl_strategy_spec_check(spec, err)) != 0)
        return rc;

    /* A run starts at the workspace's start: a fresh workspace with the broker's default
     * equity; one that already has events (this run, interrupted or repeated) with its starting
     * equity and flat, and meets its earlier intents again as duplicates (see runner.h). Other
     * symbols' positions held there count against max_positions. */
    tl_paper_state ps;
    if ((rc = tl_paper_state_get(b->store, spec->workspace, &ps, err)) != 0)
        return rc;
    tl_fixed cash = ps.resets == 0 ? b->default_equity : ps.starting_equity;
    uint32_t open = 0;
    for (size_t i = 0; i < ps.n_positions; i++)
        open += strcmp(ps.positions[i].symbol, spec->symbol) != 0;
    tl_paper_state_free(&ps);

    size_t sz = tl_strategy_cache_size(spec);
    void *cache = NULL;
    if (sz > 0) {
        if ((cache = malloc(sz)) == NULL)
            return tl_err_set(err, TL_ENOMEM, "runner: out of memory for the strategy's cache");
        tl_strategy_cache_init(spec, cache);
    }
    r->spec = *spec;
    r->broker = b;
    r->cache = cache;
    r->state.cash = cash;
    r->state.open_positions = open;
    r->starting_cash = cash;
    return 0;
}

void tl_runner_close(tl_runner *r)
{
    if (r == NULL)
        return;
    free(r->cache);
    free(r->trades);
    free(r->pend);
    free(r->pend_rcs);
    memset(r, 0, sizeof(*r));
}

/* The runner's state after one intent's result, in submission order. The runner keeps its own
 * account of the fills (paper mode charges no fees: cash moves by qty * price) because a
 * duplicate's result carries the workspace's state now, not the state at its bar; a fresh
 * result's state must then be the runner's, or the workspace holds someone else's trades. */
static int apply(tl_runner *r, const tl_paper_result *res, const tl_bar *bar, size_t t, tl_err *err)
{
    if (res->duplicate)
        r->stats.duplicates++;
    if (res->status == TL_PAPER_REFUSED)
        return tl_err_set(err, TL_EDUPLICATE,
                          "runner: workspace %s already holds intent %s with another payload "
                          "(another run): use a fresh workspace",
                          r->spec.workspace, res->intent_id);
    if (res->status == TL_PAPER_DENIED) {
        r->stats.denied++;
        return 0;
    }
    r->stats.filled++;
    tl_fixed amount;
    bool close = strcmp(res->action, "CLOSE_LONG") == 0;
    if (tl_fixed_mul(res->qty, res->fill_price, &amount) != 0 ||
        (close ? tl_fixed_add(r->state.cash, amount, &r->state.cash)
               : tl_fixed_sub(r->state.cash, amount, &r->state.cash)) != 0)
        return tl_err_set(err, TL_ERANGE, "runner: cash out of range");
    if (close) {
        if (TL_VEC_RESERVE(&r->trades, &r->cap_trades, r->n_trades + 1) != 0)
            return tl_err_set(err, TL_ENOMEM, "runner: out of memory for trades");
        tl_runner_trade *tr = &r->trades[r->n_trades++];
        tr->entry_bar = r->pos.entry_bar;
        tr->entry_ts_ns = r->pos.entry_ts_ns;
        tr->entry_price = r->pos.entry_price;
        tr->exit_bar = t;
        tr->exit_ts_ns = bar->ts_ns;
        tr->exit_price = res->fill_price;
        tr->qty = res->qty;
        memset(&r->pos, 0, sizeof(r->pos));
        if (r->state.open_positions > 0)
            r->state.open_positions--;
    } else if (r->pos.open) {
        /* Scaling (a strategy that buys more): the average entry, one rounding, as the book's. */
        tl_fixed q = r->pos.qty + res->qty;
        __int128 cost =
            (__int128)r->pos.entry_price * r->pos.qty + (__int128)res->fill_price * res->qty;
        if (tl_fixed_from_ratio128(cost, q, &r->pos.entry_price) != 0)
            return tl_err_set(err, TL_ERANGE, "runner: position out of range");
        r->pos.qty = q;
    } else {
        r->pos.open = true;
        r->pos.entry_bar = t;
        r->pos.entry_ts_ns = bar->ts_ns;
        r->pos.qty = res->qty;
        r->pos.entry_price = res->fill_price;
        r->state.open_positions++;
    }
    r->state.position_qty = r->pos.qty;
    r->state.entry_bar = r->pos.entry_bar;
    if (!res->duplicate && (res->cash != r->state.cash || res->position_qty != r->pos.qty))
        return tl_err_set(err, TL_ESTATE,
                          "runner: workspace %s holds trades of another run (after intent %s "
                          "its journal has another cash or position than the run): use a fresh "
                          "workspace",
                          r->spec.workspace, res->intent_id);
    return 0;
}

/* Commits the intents submitted since the last commit, in one transaction. */
static int commit_pending(tl_runner *r, tl_err *err)
{
    if (r->n_pend == 0)
        return 0;
    if (TL_VEC_RESERVE(&r->pend_rcs, &r->cap_pend_rcs, r->n_pend) != 0)
        return tl_err_set(err, TL_ENOMEM, "runner: out of memory");
    size_t n = r->n_pend;
    r->n_pend = 0;
    int rc = tl_paper_broker_commit(r->broker, r->pend, r->pend_rcs, n, err);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (r->pend_rcs[i] != 0)
            return tl_err_set(err, r->pend_rcs[i],
                              "runner: intent %s: another writer got into workspace %s: %s",
                              r->pend[i].intent_id, r->spec.workspace,
                              tl_strerror(r->pend_rcs[i]));
    r->high_water = r->pend[n - 1].high_water;
    memcpy(r->state_digest, r->pend[n - 1].state_digest, sizeof(r->state_digest));
    return 0;
}

/* Submits the evaluation's intents in order and applies their outcomes (the broker decides at
 * submit; the commit only makes the decision durable); commits them now, or, in a run's group,
 * once TL_RUNNER_GROUP are waiting. */
static int execute(tl_runner *r, const tl_strategy_evaluation *ev, const tl_bar *bar, size_t t,
                   bool group, tl_err *err)
{
    char id[TL_PAPER_INTENT_ID_MAX];
    int rc;
    if (TL_VEC_RESERVE(&r->pend, &r->cap_pend, r->n_pend + ev->n_intents) != 0)
        return tl_err_set(err, TL_ENOMEM, "runner: out of memory");
    size_t first = r->n_pend;
    for (size_t i = 0; i < ev->n_intents; i++) {
        const tl_strategy_intent *in = &ev->intents[i];
        if ((rc = tl_runner_intent_id(ev->evaluation_id, i, id, err)) != 0)
            return rc;
        tl_paper_intent pi = {r->spec.workspace, id,        tl_strategy_action_name(in->action),
                              r->spec.symbol,    in->qty,   bar->close,
                              TL_PAPER_MODE,     bar->ts_ns};
        if ((rc = tl_paper_broker_submit(r->broker, &pi, &r->pend[r->n_pend], err)) != 0)
            return rc; /* the broker dropped the pending intents with its session */
        r->n_pend++;
    }
    r->stats.evaluations++;
    r->stats.intents += ev->n_intents;
    for (size_t i = first; i < r->n_pend; i++)
        if ((rc = apply(r, &r->pend[i], bar, t, err)) != 0)
            return rc;
    return group && r->n_pend < TL_RUNNER_GROUP ? 0 : commit_pending(r, err);
}

static int step(tl_runner *r, const tl_bar *bars, size_t n, size_t t, bool group, tl_err *err)
{
    tl_strategy_evaluation ev;
    int rc;
    if (t != r->next_bar)
        return tl_err_set(err, TL_ESTATE, "runner: bar %zu given, bar %zu expected", t,
                          r->next_bar);
    if ((rc = tl_strategy_evaluate(&r->spec, bars, n, t, &r->state, r->cache, &ev, err)) != 0)
        return rc;
    r->stats.bars++;
    r->next_bar = t + 1;
    if (ev.n_intents == 0)
        return 0; /* the common bar: nothing written, nothing allocated */
    return execute(r, &ev, &bars[t], t, group, err);
}

int tl_runner_step(tl_runner *r, const tl_bar *bars, size_t n, size_t t, tl_err *err)
{
    return step(r, bars, n, t, false, err);
}

int tl_runner_run(tl_runner *r, const tl_bars *bars, tl_err *err)
{
    /* The strategy passes over the bars that cannot have an intent in its own loop (the state
     * changes only at a bar with intents, so it holds across them); each other bar is a step. */
    for (size_t t = r->next_bar; t < bars->n;) {
        size_t u = tl_strategy_scan(&r->spec, bars->v, bars->n, t, &r->state, r->cache);
        r->stats.bars += u - t;
        r->next_bar = u;
        if (u == bars->n)
            break;
        int rc = step(r, bars->v, bars->n, u, true, err);
        if (rc != 0) {
            /* What the group decided since its last commit is not written: the run stops at
             * its last good commit (a failed submit already dropped them). */
            if (r->n_pend > 0)
                tl_paper_broker_discard(r->broker);
            r->n_pend = 0;
            return rc;
        }
        t = u + 1;
    }
    return commit_pending(r, err);
}
