/* backtest.c -- see backtest.h. */
#include "backtest/backtest.h"

#include <stdlib.h>
#include <string.h>

#include "paper/broker.h"

/* The journal's view of the workspace after the run, marked at the last close, against the
 * run's own ending equity. */
static int check_journal(tl_store *store, const tl_strategy_spec *spec, tl_backtest *bt,
                         tl_err *err)
{
    tl_paper_state st;
    int rc = tl_paper_state_get(store, spec->workspace, &st, err);
    if (rc != 0)
        return rc;
    __int128 equity = st.cash;
    for (size_t i = 0; i < st.n_positions && rc == 0; i++) {
        tl_fixed v;
        if (strcmp(st.positions[i].symbol, spec->symbol) != 0 ||
            tl_fixed_mul(st.positions[i].qty, bt->last_close, &v) != 0)
            rc = tl_err_set(err, TL_ECORRUPT,
                            "backtest: workspace %s holds %s, which this run did not trade",
                            spec->workspace, st.positions[i].symbol);
        else
            equity += v;
    }
    if (rc == 0 && equity != bt->metrics.ending_equity)
        rc = tl_err_set(err, TL_ECORRUPT,
                        "backtest: the journal of workspace %s is worth %lld (1e-8 units) at the "
                        "last close, the run's trades %lld",
                        spec->workspace, (long long)equity,
                        (long long)bt->metrics.ending_equity);
    if (rc == 0) {
        memcpy(bt->state_digest, st.state_digest, sizeof(bt->state_digest));
        bt->high_water = st.high_water;
    }
    tl_paper_state_free(&st);
    return rc;
}

int tl_backtest_run(const tl_strategy_spec *spec, const tl_bars *bars, tl_fixed starting_equity,
                    tl_store *store, tl_backtest *out, tl_err *err)
{
    tl_backtest bt;
    memset(&bt, 0, sizeof(bt));
    memset(out, 0, sizeof(*out));
    if (!bars || bars->n == 0)
        return tl_err_set(err, TL_EINVAL, "backtest: no bars");
    if (starting_equity <= 0)
        return tl_err_set(err, TL_EINVAL, "backtest: the starting equity must be positive");
    tl_workspace_info wi;
    tl_err e2 = {0};
    int rc = tl_store_workspace_info(store, spec->workspace, &wi, &e2);
    if (rc == TL_ENOTFOUND)
        rc = tl_paper_reset(store, spec->workspace, starting_equity, bars->v[0].ts_ns, err);
    else if (rc != 0 && err)
        *err = e2;
    if (rc != 0)
        return rc;

    tl_paper_broker b;
    tl_runner r;
    if ((rc = tl_paper_broker_init(&b, store, starting_equity)) != 0)
        return tl_err_set(err, rc, "backtest: paper broker: %s", tl_strerror(rc));
    if ((rc = tl_runner_init(&r, spec, &b, err)) != 0) {
        tl_paper_broker_close(&b);
        return rc;
    }
    rc = tl_runner_run(&r, bars, err);
    bt.last_close = bars->v[bars->n - 1].close;
    bt.stats = r.stats;
    bt.open = r.pos;
    if (rc == 0 && r.n_trades > 0 && !(bt.trades = calloc(r.n_trades, sizeof(*bt.trades))))
        rc = tl_err_set(err, TL_ENOMEM, "backtest: out of memory");
    for (size_t i = 0; rc == 0 && i < r.n_trades; i++) {
        const tl_runner_trade *t = &r.trades[i];
        bt.trades[i] = (tl_bt_trade){t->entry_ts_ns, t->exit_ts_ns, t->entry_price, t->exit_price,
                                     t->qty, 0};
    }
    bt.n_trades = r.n_trades;
    tl_fixed open_cost = 0;
    if (rc == 0 && bt.open.open && tl_fixed_mul(bt.open.entry_price, bt.open.qty, &open_cost) != 0)
        rc = tl_err_set(err, TL_ERANGE, "backtest: the open position's cost does not fit");
    if (rc == 0)
        rc = tl_bt_metrics_compute(r.starting_cash, bt.trades, bt.n_trades,
                                   bt.open.open ? bt.open.qty : 0, open_cost, bt.last_close,
                                   &bt.metrics, err);
    tl_runner_close(&r);
    tl_paper_broker_close(&b);
    if (rc == 0)
        rc = check_journal(store, spec, &bt, err);
    if (rc != 0) {
        tl_backtest_free(&bt);
        return rc;
    }
    *out = bt;
    return 0;
}

void tl_backtest_free(tl_backtest *bt)
{
    free(bt->trades);
    memset(bt, 0, sizeof(*bt));
}
