/*
 * cmd_sweep.c -- `tradeloop sweep`: a sweep file's run plan (src/sweep/plan.h), every variant a
 * backtest in its own workspace on --jobs worker processes (src/sweep/run.h), and a table of the
 * variants sorted by a chosen figure.
 *
 * Flags, the progress bar (a terminal's stderr only) and the printing: the plan is plan.c's, the
 * runs run.c's, the figures metrics.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/opts.h"
#include "core/jsonw.h"
#include "core/sbuf.h"
#include "data/ohlcv.h"
#include "sweep/queue.h"
#include "sweep/run.h"

/* The figures a table can be sorted by; lower is better only for the drawdown. */
static const char *const sort_keys[] = {"return_pct", "sharpe",        "max_drawdown_pct",
                                        "win_rate",   "profit_factor", "trade_count",
                                        "ending_equity"};
enum { N_SORT = sizeof(sort_keys) / sizeof(sort_keys[0]) };

/* Figure k of a result: false when it has none (a failed variant, a null figure). */
static bool figure(const tl_sweep_result *r, int k, __int128 *v)
{
    const tl_bt_metrics *m = &r->metrics;
    if (r->rc != 0)
        return false;
    switch (k) {
    case 0: *v = m->return_pct; return true;
    case 1: *v = m->sharpe; return m->has_sharpe;
    case 2: *v = -(__int128)m->max_drawdown_pct; return true; /* smaller is better */
    case 3: *v = m->win_rate; return m->has_win_rate;
    case 4: *v = m->profit_factor; return m->has_profit_factor;
    case 5: *v = m->trade_count; return true;
    default: *v = m->ending_equity; return true;
    }
}

typedef struct sorter {
    const tl_sweep_result *res;
    int key;
} sorter;

/* Best first; variants without the figure last; ties in plan order. */
static int by_figure(const void *a, const void *b, void *ctx)
{
    const sorter *s = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    __int128 x = 0, y = 0;
    bool hx = figure(&s->res[i], s->key, &x), hy = figure(&s->res[j], s->key, &y);
    if (hx != hy)
        return hx ? -1 : 1;
    if (hx && x != y)
        return x > y ? -1 : 1;
    return (i > j) - (i < j);
}

typedef struct progress {
    bool on;
} progress;

static void on_progress(void *ctx, uint32_t done, uint32_t total)
{
    progress *p = ctx;
    if (!p->on)
        return;
    int width = 30, fill = (int)((uint64_t)done * (uint64_t)width / total);
    fprintf(stderr, "\rsweep: [%.*s%*s] %u/%u variants", fill,
            "##############################", width - fill, "", done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static void jw_opt(tl_jw *w, const char *key, bool has, tl_fixed v)
{
    tl_jw_key(w, key);
    if (has)
        tl_jw_fixed(w, v);
    else
        tl_jw_null(w);
}

static void variant_json(tl_jw *w, const tl_sweep_plan *plan, const tl_sweep_spec *spec,
                         uint32_t i, uint32_t rank, const tl_sweep_result *r, tl_sb *ov)
{
    const tl_sweep_variant *v = &plan->variants[i];
    const tl_bt_metrics *m = &r->metrics;
    bool ok = r->rc == 0;
    tl_jw_obj_begin(w);
    jw_opt(w, "ending_equity", ok, m->ending_equity);
    tl_jw_key(w, "error");
    if (ok)
        tl_jw_null(w);
    else
        tl_jw_str(w, r->error);
    tl_jw_key(w, "kind");
    tl_jw_str(w, tl_sweep_variant_kind_name(v->kind));
    jw_opt(w, "max_drawdown_pct", ok, m->max_drawdown_pct);
    tl_jw_key(w, "overrides");
    ov->len = 0;
    tl_sweep_plan_write_overrides(plan, spec, v, ov);
    tl_jw_raw(w, ov->buf ? ov->buf : "{}", ov->buf ? ov->len : 2);
    jw_opt(w, "profit_factor", ok && m->has_profit_factor, m->profit_factor);
    tl_jw_key(w, "rank");
    tl_jw_uint(w, rank);
    jw_opt(w, "return_pct", ok, m->return_pct);
    jw_opt(w, "sharpe", ok && m->has_sharpe, m->sharpe);
    tl_jw_key(w, "state_digest");
    tl_jw_str(w, ok ? r->state_digest : "");
    tl_jw_key(w, "trade_count");
    tl_jw_uint(w, ok ? m->trade_count : 0);
    tl_jw_key(w, "variant_id");
    tl_jw_str(w, v->id);
    jw_opt(w, "win_rate", ok && m->has_win_rate, m->win_rate);
    tl_jw_key(w, "workspace");
    tl_jw_str(w, v->workspace);
    tl_jw_obj_end(w);
}

static void cell(tl_fixed v, bool has, int dp)
{
    char s[TL_FIXED_STRLEN];
    if (has && tl_fixed_format_dp(v, dp, s, sizeof(s)) > 0)
        printf(" %10s", s);
    else
        printf(" %10s", "-");
}

static void variant_row(const tl_sweep_plan *plan, const tl_sweep_spec *spec, uint32_t i,
                        uint32_t rank, const tl_sweep_result *r, tl_sb *ov)
{
    const tl_sweep_variant *v = &plan->variants[i];
    const tl_bt_metrics *m = &r->metrics;
    bool ok = r->rc == 0;
    printf("%4u %s %-9s %6llu", rank, v->id, tl_sweep_variant_kind_name(v->kind),
           (unsigned long long)(ok ? m->trade_count : 0));
    cell(m->return_pct, ok, 4);
    cell(m->max_drawdown_pct, ok, 4);
    cell(m->sharpe, ok && m->has_sharpe, 4);
    cell(m->win_rate, ok && m->has_win_rate, 4);
    cell(m->profit_factor, ok && m->has_profit_factor, 4);
    ov->len = 0;
    tl_sweep_plan_write_overrides(plan, spec, v, ov);
    printf("  %s%s%s\n", ov->buf ? ov->buf : "{}", ok ? "" : "  FAILED: ", ok ? "" : r->error);
}

/* The one printer of a sweep's results, local or queued: the variants ranked by figure `key`
 * (order: plan.count slots, caller's), as JSON or a table. CLI_OK, CLI_FAIL when stdout failed or
 * a variant failed (the others printed). */
static int print_results(cli_command *cmd, const tl_sweep_plan *plan, const tl_sweep_spec *spec,
                         size_t n_bars, const tl_sweep_result *res, uint32_t *order, int key,
                         bool as_json)
{
    bool failed = false;
    for (uint32_t i = 0; i < plan->count; i++) {
        order[i] = i;
        failed |= res[i].rc != 0;
    }
    sorter by = {res, key};
    qsort_r(order, plan->count, sizeof(*order), by_figure, &by);
    tl_sb ov = {0};
    int rc = CLI_OK;
    if (as_json) {
        tl_jw w;
        tl_jw_init(&w);
        tl_jw_obj_begin(&w);
        tl_jw_key(&w, "bars");
        tl_jw_uint(&w, n_bars);
        tl_jw_key(&w, "run_plan_id");
        tl_jw_str(&w, plan->id);
        tl_jw_key(&w, "sort");
        tl_jw_str(&w, sort_keys[key]);
        tl_jw_key(&w, "strategy");
        tl_jw_str(&w, spec->strategy);
        tl_jw_key(&w, "symbol");
        tl_jw_str(&w, spec->symbol);
        tl_jw_key(&w, "variants");
        tl_jw_arr_begin(&w);
        for (uint32_t k = 0; k < plan->count; k++)
            variant_json(&w, plan, spec, order[k], k + 1, &res[order[k]], &ov);
        tl_jw_arr_end(&w);
        tl_jw_obj_end(&w);
        rc = cli_print_json(cmd, &w);
    } else {
        printf("run plan %s: %s on %s, %u variants over %zu bars, by %s\n", plan->id,
               spec->strategy, spec->symbol, plan->count, n_bars, sort_keys[key]);
        printf("rank variant          kind      trades    return%%    max_dd%%     sharpe   "
               "win_rate     profit  overrides\n");
        for (uint32_t k = 0; k < plan->count; k++)
            variant_row(plan, spec, order[k], k + 1, &res[order[k]], &ov);
    }
    tl_sb_free(&ov);
    return rc == CLI_OK && failed ? CLI_FAIL : rc;
}

int tl_cmd_sweep(int argc, char **argv)
{
    const char *spec_path = NULL, *data = NULL, *db = "tradeloop.db", *sort = "return_pct";
    const char *format = NULL, *durability = "full", *queue = NULL;
    uint64_t jobs = 0;
    tl_fixed equity = TL_FIXED_INT(10000);
    bool json = false;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cli_flag flags[] = {
        {"spec", CLI_STRING, &spec_path, NULL, "FILE.json", "the sweep file (required)"},
        {"data", CLI_STRING, &data, NULL, "FILE.csv", "OHLCV bars (required)"},
        {"jobs", CLI_U64_POS, &jobs, NULL, "N", "worker processes (the number of cores)",
         .max = 256},
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "the journal every variant trades into (tradeloop.db)"},
        {"durability", CLI_STRING, &durability, "TRADELOOP_DURABILITY", "full|normal",
         "what a commit waits for (full)"},
        {"starting-equity", CLI_FIXED_POS, &equity, NULL, "X", "each variant's cash (10000)",
         .fmin = TL_FIXED_INT(1), .fmax = TL_FIXED_INT(10000000000LL)},
        {"sort", CLI_STRING, &sort, NULL, "FIGURE",
         "return_pct, sharpe, max_drawdown_pct, win_rate, profit_factor, trade_count or "
         "ending_equity (return_pct)"},
        {"queue", CLI_STRING, &queue, NULL, "redis://HOST:PORT[/KEY]",
         "run on `tradeloop sweep-worker`s through this Redis stream (tradeloop:sweeps), not here"},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "sweep",
        "--spec FILE.json --data FILE.csv [--jobs N | --queue redis://HOST:PORT[/KEY]] [--db URL]\n"
        "       [--sort FIGURE] [--json]",
        "Runs every variant of a sweep file's run plan (baseline, grid, ablations; see\n"
        "examples/sweeps/) as a backtest in its own paper workspace, on --jobs worker\n"
        "processes, and prints the variants sorted by a figure, best first. The results do not\n"
        "depend on --jobs. With --queue the variants go on a Redis stream instead, for\n"
        "`tradeloop sweep-worker`s on the same --db (anywhere) to run; this waits for every\n"
        "variant's row and prints the same results (REDIS_PASSWORD: Redis's password).\n"
        "Exit 0, 1 when a variant failed (the others are printed), 2 on bad usage or input.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    if (!spec_path)
        return cli_usage_error(&cmd, "--spec is required");
    if (!data)
        return cli_usage_error(&cmd, "--data is required");
    int key = 0;
    while (key < N_SORT && strcmp(sort, sort_keys[key]) != 0)
        key++;
    if (key == N_SORT)
        return cli_value_error(&cmd, "sort", "want one of return_pct, sharpe, max_drawdown_pct, "
                                             "win_rate, profit_factor, trade_count, ending_equity");
    bool as_json;
    tl_sweep_run_config cfg = {0};
    if ((rc = cli_output_json(&cmd, json, format, &as_json)) != CLI_OK ||
        (rc = cli_durability(&cmd, durability, &cfg.store_options.durability)) != CLI_OK ||
        (rc = cli_check_store_url(&cmd, "db", db)) != CLI_OK)
        return rc;
    tl_sweep_queue_url qurl = {.port = 0};
    if (queue) {
        tl_err uerr = {0};
        if (tl_sweep_queue_url_parse(queue, &qurl, &uerr) != 0)
            return cli_value_error(&cmd, "queue", "%s", uerr.msg);
        if (cli_flag_seen(&cmd, "jobs"))
            return cli_usage_error(&cmd, "--jobs and --queue exclude each other");
        if (strncmp(db, "mem:", 4) == 0)
            return cli_value_error(&cmd, "db", "--queue needs a store its workers share, not mem:");
    }

    tl_err err = {0};
    tl_sweep_spec spec;
    tl_sweep_plan plan;
    tl_bars bars = {0};
    tl_sweep_spec_init(&spec);
    tl_sweep_plan_init(&plan);
    tl_sweep_result *res = NULL;
    uint32_t *order = NULL;
    char *csv = NULL;
    size_t csv_len = 0;
    tl_sweep_queue q;
    tl_sweep_queue_init(&q, &qurl, getenv("REDIS_PASSWORD"));
    if ((rc = tl_sweep_spec_read(&spec, spec_path, &err)) != 0 ||
        (rc = tl_sweep_plan_build(&plan, &spec, &err)) != 0) {
        rc = rc == TL_EIO || rc == TL_ENOMEM ? cli_fail(&cmd, "%s", err.msg)
                                             : cli_usage_error(&cmd, "%s", err.msg);
        goto out;
    }
    /* Every variant's parameters are checked before anything runs: a bad key fails the sweep
     * now, not variant by variant. */
    for (uint32_t i = 0; i < plan.count; i++) {
        tl_strategy_spec ss;
        if (tl_sweep_variant_strategy(&plan, &spec, &plan.variants[i], &ss, &err) != 0) {
            rc = cli_usage_error(&cmd, "%s: variant %s: %s", spec_path, plan.variants[i].id,
                                 err.msg);
            goto out;
        }
    }
    if ((rc = tl_ohlcv_load(data, &bars, &err)) != 0) {
        rc = rc == TL_EIO || rc == TL_ENOMEM ? cli_fail(&cmd, "%s", err.msg)
                                             : cli_usage_error(&cmd, "%s", err.msg);
        goto out;
    }
    res = calloc(plan.count, sizeof(*res));
    order = calloc(plan.count, sizeof(*order));
    if (!res || !order) {
        rc = cli_fail(&cmd, "out of memory");
        goto out;
    }
    progress prog = {isatty(STDERR_FILENO) != 0};
    cfg.plan = &plan;
    cfg.spec = &spec;
    cfg.bars = &bars;
    cfg.starting_equity = equity;
    cfg.db_url = db;
    cfg.jobs = jobs ? (unsigned)jobs : (unsigned)(cores > 0 ? cores : 1);
    cfg.progress = on_progress;
    cfg.ctx = &prog;
    cfg.data_name = data;
    tl_clock wall;
    tl_clock_init_real(&wall);
    cfg.clock = &wall;
    /* The CSV's bytes go to the workers as read: they parse them as this did. */
    if (queue && (rc = tl_sweep_queue_read_file(data, &csv, &csv_len, &err)) != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    rc = queue ? tl_sweep_queue_run(&q, &cfg, csv, csv_len, res, &err)
               : tl_sweep_run(&cfg, res, &err);
    if (rc != 0) {
        rc = cli_fail(&cmd, "%s", err.msg);
        goto out;
    }
    rc = print_results(&cmd, &plan, &spec, bars.n, res, order, key, as_json);
out:
    free(csv);
    tl_sweep_queue_close(&q);
    free(res);
    free(order);
    tl_bars_free(&bars);
    tl_sweep_plan_close(&plan);
    tl_sweep_spec_close(&spec);
    return rc;
}
