/* run.c -- see run.h. */
#include "sweep/run.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest/backtest.h"
#include "core/sbuf.h"
#include "core/text.h"
#include "sweep/pool.h"


int tl_sweep_variant_strategy(const tl_sweep_plan *p, const tl_sweep_spec *s,
                              const tl_sweep_variant *v, tl_strategy_spec *out, tl_err *err)
{
    int rc = tl_strategy_spec_init(out, s->strategy, s->symbol, v->workspace, err);
    char num[24];
    /* Every key that may carry a value: base.params', then the swept ones; a key in both is set
     * twice to the same value (the override wins, tl_sweep_plan_value). */
    for (uint32_t i = 0; rc == 0 && i < s->n_params + s->n_axes; i++) {
        const char *key = i < s->n_params ? s->params[i].key : s->axes[i - s->n_params].key;
        const tl_sweep_value *val = tl_sweep_plan_value(p, s, v, key);
        if (!val)
            continue;
        const char *text = val->s;
        if (val->kind == TL_SWEEP_INT) {
            snprintf(num, sizeof(num), "%" PRId64, val->i);
            text = num;
        }
        rc = tl_strategy_spec_set(out, key, text, err);
    }
    return rc == 0 ? tl_strategy_spec_check(out, err) : rc;
}

/* Whether the sweep's store is in memory (mem:): its journals then live no longer than the
 * process, and no one but the variant reads them. */
bool tl__sweep_journals_in_memory(const tl_sweep_run_config *cfg)
{
    tl_store_url u;
    tl_err e = {0};
    return tl_store_url_parse(cfg->db_url, &u, &e) == 0 && strcmp(u.scheme, "mem") == 0;
}

/* One variant, on an open store: its result, whatever happened. With journals in memory the
 * variant trades into a scratch mem: journal of its own, dropped after its result is taken:
 * nothing could read it later anyway (a mem: store is its process's), so keeping every variant's
 * journal in one store only made a sweep's memory grow with its variants, and a worker process
 * pay a page fault for each new 4 KB of it, where a scratch journal reuses the pages the last
 * variant freed. The result is the same (its backtest checks its figures against its own
 * journal either way). */
void tl__sweep_run_one(const tl_sweep_run_config *cfg, tl_store *store, uint32_t i,
                       tl_sweep_result *r)
{
    tl_err err = {0};
    tl_strategy_spec spec;
    tl_backtest bt;
    tl_store scratch;
    bool own = false;
    memset(r, 0, sizeof(*r));
    r->rc = tl_sweep_variant_strategy(cfg->plan, cfg->spec, &cfg->plan->variants[i], &spec, &err);
    if (r->rc == 0 && tl__sweep_journals_in_memory(cfg)) {
        r->rc = tl_store_open(&scratch, "mem:", &cfg->store_options, NULL, &err);
        own = r->rc == 0;
        store = &scratch;
    }
    if (r->rc == 0)
        r->rc = tl_backtest_run(&spec, cfg->bars, cfg->starting_equity, store, &bt, &err);
    if (own)
        tl_store_close(&scratch);
    if (r->rc != 0) {
        tl_text_copy(r->error, sizeof(r->error), err.msg);
        return;
    }
    r->metrics = bt.metrics;
    memcpy(r->state_digest, bt.state_digest, sizeof(r->state_digest));
    r->intents = bt.stats.intents;
    tl_backtest_free(&bt);
}

/* The variant's row for the store: its place, its overrides, its figures or its failure. */
int tl__sweep_put_variant(const tl_sweep_run_config *cfg, tl_store *st, uint32_t i,
                          const tl_sweep_result *r, tl_err *err)
{
    static const uint8_t kinds[] = {[TL_SWEEP_BASELINE] = TL_RUN_BASELINE,
                                    [TL_SWEEP_GRID] = TL_RUN_GRID,
                                    [TL_SWEEP_ABLATION] = TL_RUN_ABLATION};
    const tl_sweep_variant *v = &cfg->plan->variants[i];
    tl_run_variant_row row;
    memset(&row, 0, sizeof(row));
    memcpy(row.run_plan_id, cfg->plan->id, sizeof(row.run_plan_id));
    memcpy(row.variant_id, v->id, sizeof(row.variant_id));
    memcpy(row.workspace, v->workspace, sizeof(row.workspace));
    row.ord = i;
    row.kind = kinds[v->kind];
    tl_sb ov = {0};
    tl_sweep_plan_write_overrides(cfg->plan, cfg->spec, v, &ov);
    if (ov.err || ov.len >= sizeof(row.overrides)) {
        tl_sb_free(&ov);
        return tl_err_set(err, ov.err ? ov.err : TL_ERANGE,
                          "sweep: variant %s: its overrides do not fit the store's row", v->id);
    }
    memcpy(row.overrides, ov.buf, ov.len + 1);
    tl_sb_free(&ov);
    row.finished_ns = tl_clock_now(cfg->clock);
    if (r->rc != 0) {
        row.status = TL_RUN_FAILED;
        tl_text_copy(row.error, sizeof(row.error), r->error[0] ? r->error : "failed");
    } else {
        const tl_bt_metrics *m = &r->metrics;
        row.status = TL_RUN_DONE;
        row.trade_count = (int64_t)m->trade_count;
        row.return_pct = m->return_pct;
        row.max_drawdown_pct = m->max_drawdown_pct;
        row.has_sharpe = m->has_sharpe;
        row.sharpe = m->has_sharpe ? m->sharpe : 0;
        row.has_win_rate = m->has_win_rate;
        row.win_rate = m->has_win_rate ? m->win_rate : 0;
        row.has_profit_factor = m->has_profit_factor;
        row.profit_factor = m->has_profit_factor ? m->profit_factor : 0;
        row.ending_equity = m->ending_equity;
        memcpy(row.state_digest, r->state_digest, sizeof(row.state_digest));
    }
    return tl_store_run_variant_put(st, &row, err);
}

int tl_sweep_put_plan(const tl_sweep_run_config *cfg, tl_store *st, tl_err *err)
{
    tl_run_plan_row row;
    memset(&row, 0, sizeof(row));
    memcpy(row.run_plan_id, cfg->plan->id, sizeof(row.run_plan_id));
    row.created_ns = tl_clock_now(cfg->clock);
    tl_text_copy(row.strategy, sizeof(row.strategy), cfg->spec->strategy);
    tl_text_copy(row.symbol, sizeof(row.symbol), cfg->spec->symbol);
    row.spec = cfg->spec->canon;
    tl_text_copy(row.data_name, sizeof(row.data_name), cfg->data_name ? cfg->data_name : "");
    row.bars = (int64_t)cfg->bars->n;
    row.variants = cfg->plan->count;
    return tl_store_run_plan_put(st, &row, err);
}

int tl_sweep_run_variant(const tl_sweep_run_config *cfg, tl_store *st, uint32_t i,
                         tl_sweep_result *r, tl_err *err)
{
    tl__sweep_run_one(cfg, st, i, r);
    return tl__sweep_put_variant(cfg, st, i, r, err);
}

int tl_sweep_run(const tl_sweep_run_config *cfg, tl_sweep_result *results, tl_err *err)
{
    if (cfg->jobs <= 1 || cfg->plan->count <= 1)
        return tl_sweep_pool_run(NULL, cfg, results, err);
    tl_sweep_pool pool;
    unsigned jobs = cfg->jobs < cfg->plan->count ? cfg->jobs : cfg->plan->count;
    if (jobs > TL_SWEEP_POOL_MAX + 1)
        jobs = TL_SWEEP_POOL_MAX + 1;
    int rc = tl_sweep_pool_open(&pool, jobs, err);
    if (rc != 0)
        return rc;
    rc = tl_sweep_pool_run(&pool, cfg, results, err);
    tl_sweep_pool_close(&pool);
    return rc;
}
