/*
 * cmd_backtest.c -- `tradeloop backtest`: one strategy over an OHLCV file through the runner and
 * the paper broker (src/backtest/backtest.h), its figures printed, optionally drawn as SVG.
 *
 * Flags to a tl_strategy_spec, the series loaded, the store opened, the figures printed: the
 * decisions are the runner's and the broker's, the figures metrics.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/opts.h"
#include "backtest/backtest.h"
#include "backtest/plot.h"
#include "core/jsonw.h"
#include "data/ohlcv.h"
#include "tradeloop/instrument.h"

#define DEFAULT_WORKSPACE "backtest"

static void opt_fixed(tl_jw *w, const char *key, bool has, tl_fixed v)
{
    tl_jw_key(w, key);
    if (has)
        tl_jw_fixed(w, v);
    else
        tl_jw_null(w);
}

static int print_json(const cli_command *cmd, const tl_strategy_spec *spec, const tl_bars *bars,
                      const tl_backtest *bt)
{
    const tl_bt_metrics *m = &bt->metrics;
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_key(&w, "bars");
    tl_jw_uint(&w, bars->n);
    tl_jw_key(&w, "ending_equity");
    tl_jw_fixed(&w, m->ending_equity);
    tl_jw_key(&w, "intents");
    tl_jw_uint(&w, bt->stats.intents);
    tl_jw_key(&w, "max_drawdown_pct");
    tl_jw_fixed(&w, m->max_drawdown_pct);
    tl_jw_key(&w, "open_position");
    if (bt->open.open) {
        tl_jw_obj_begin(&w);
        tl_jw_key(&w, "entry_price");
        tl_jw_fixed(&w, bt->open.entry_price);
        tl_jw_key(&w, "marked_at");
        tl_jw_fixed(&w, bt->last_close);
        tl_jw_key(&w, "qty");
        tl_jw_fixed(&w, bt->open.qty);
        tl_jw_obj_end(&w);
    } else {
        tl_jw_null(&w);
    }
    opt_fixed(&w, "profit_factor", m->has_profit_factor, m->profit_factor);
    tl_jw_key(&w, "return_pct");
    tl_jw_fixed(&w, m->return_pct);
    opt_fixed(&w, "sharpe", m->has_sharpe, m->sharpe);
    tl_jw_key(&w, "starting_equity");
    tl_jw_fixed(&w, m->starting_equity);
    tl_jw_key(&w, "state_digest");
    tl_jw_str(&w, bt->state_digest);
    tl_jw_key(&w, "strategy");
    tl_jw_str(&w, spec->ops->name);
    tl_jw_key(&w, "symbol");
    tl_jw_str(&w, spec->symbol);
    tl_jw_key(&w, "trade_count");
    tl_jw_uint(&w, m->trade_count);
    opt_fixed(&w, "win_rate", m->has_win_rate, m->win_rate);
    tl_jw_key(&w, "workspace");
    tl_jw_str(&w, spec->workspace);
    tl_jw_obj_end(&w);
    return cli_print_json(cmd, &w);
}

static void row(const char *name, bool has, tl_fixed v, const char *unit)
{
    char s[TL_FIXED_STRLEN];
    if (has && tl_fixed_format_dp(v, 4, s, sizeof(s)) > 0)
        printf("  %-18s %s%s\n", name, s, unit);
    else
        printf("  %-18s -\n", name);
}

static void print_table(const tl_strategy_spec *spec, const tl_bars *bars, const tl_backtest *bt)
{
    const tl_bt_metrics *m = &bt->metrics;
    printf("%s on %s: %zu bars, %llu trades closed%s\n", spec->ops->name, spec->symbol, bars->n,
           (unsigned long long)m->trade_count, bt->open.open ? ", one position open" : "");
    row("return", true, m->return_pct, " %");
    row("max drawdown", true, m->max_drawdown_pct, " %");
    row("sharpe", m->has_sharpe, m->sharpe, "");
    row("win rate", m->has_win_rate, m->win_rate, "");
    row("profit factor", m->has_profit_factor, m->profit_factor, "");
    row("starting equity", true, m->starting_equity, "");
    row("ending equity", true, m->ending_equity, "");
    printf("  %-18s %s\n", "state digest", bt->state_digest);
}

/* Writes the SVG to path through a temporary file renamed over it: never half a picture. */
static int write_plot(const cli_command *cmd, const char *path, const tl_strategy_spec *spec,
                      const tl_bars *bars, const tl_backtest *bt)
{
    char title[128];
    snprintf(title, sizeof(title), "%s on %s", spec->ops->name, spec->symbol);
    tl_bt_plot p = {title, bars, bt->trades, bt->n_trades, bt->metrics.starting_equity, 0, 0};
    tl_sb sb = {0};
    tl_err err = {0};
    if (tl_bt_plot_svg(&p, &sb, &err) != 0) {
        tl_sb_free(&sb);
        return cli_fail(cmd, "%s", err.msg);
    }
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    bool ok = f && fwrite(sb.buf, 1, sb.len, f) == sb.len;
    ok = (f && fclose(f) == 0) && ok;
    ok = ok && rename(tmp, path) == 0;
    tl_sb_free(&sb);
    if (!ok) {
        unlink(tmp);
        return cli_fail(cmd, "--plot: cannot write %s", path);
    }
    return CLI_OK;
}

int tl_cmd_backtest(int argc, char **argv)
{
    const char *data = NULL, *strategy = NULL, *symbol = NULL, *db = NULL, *workspace = NULL;
    const char *plot = NULL, *format = NULL, *durability = "full";
    cli_strings params = {0};
    tl_fixed equity = TL_FIXED_INT(10000);
    bool json = false;
    cli_flag flags[] = {
        {"data", CLI_STRING, &data, NULL, "FILE.csv",
         "OHLCV bars: timestamp,open,high,low,close,volume (required)"},
        {"strategy", CLI_STRING, &strategy, NULL, "NAME",
         "breakout_52w_high or sma_cross (required)"},
        {"param", CLI_STRINGS, &params, NULL, "KEY=VALUE",
         "a strategy parameter, e.g. entry.lookback_days=20 (repeatable)"},
        {"symbol", CLI_STRING, &symbol, NULL, "SYM",
         "the instrument (from the data file's name: msft_daily.csv -> MSFT)"},
        {"starting-equity", CLI_FIXED_POS, &equity, NULL, "X", "cash at the start (10000)",
         .fmin = TL_FIXED_INT(1), .fmax = TL_FIXED_INT(10000000000LL)},
        {"db", CLI_STRING, &db, NULL, "URL", "the journal (mem:, nothing kept)"},
        {"workspace", CLI_STRING, &workspace, NULL, "NAME",
         "the paper workspace the run trades in (" DEFAULT_WORKSPACE ")"},
        {"durability", CLI_STRING, &durability, "TRADELOOP_DURABILITY", "full|normal",
         "what a commit waits for (full)"},
        {"plot", CLI_STRING, &plot, NULL, "FILE.svg",
         "draw the closes, entries, exits and the equity curve"},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "backtest",
        "--data FILE.csv --strategy NAME [--param K=V ...] [--symbol SYM] [--starting-equity X] "
        "[--db URL] [--plot FILE.svg] [--json | --format F]",
        "Runs a strategy over historical bars through the same strategy runner, paper broker and\n"
        "journal that trade on paper (not a second simulator), and prints return_pct,\n"
        "max_drawdown_pct, sharpe, win_rate, trade_count, profit_factor, ending_equity and the\n"
        "journal's state digest. Exit 0, 2 on bad usage or a bad data file, 1 on failure.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    if (!data)
        return cli_usage_error(&cmd, "--data is required");
    if (!strategy)
        return cli_usage_error(&cmd, "--strategy is required");
    bool as_json;
    tl_store_options so = {TL_DURABILITY_FULL};
    if ((rc = cli_output_json(&cmd, json, format, &as_json)) != CLI_OK ||
        (rc = cli_durability(&cmd, durability, &so.durability)) != CLI_OK ||
        (rc = cli_workspace(&cmd, "workspace", workspace ? workspace : DEFAULT_WORKSPACE)) !=
            CLI_OK ||
        (db && (rc = cli_check_store_url(&cmd, "db", db)) != CLI_OK))
        return rc;
    char sym[TL_STRATEGY_SYMBOL_MAX];
    if (symbol) {
        tl_err e = {0};
        if (tl_symbol_validate(symbol, &e) != 0)
            return cli_value_error(&cmd, "symbol", "%s", e.msg);
        snprintf(sym, sizeof(sym), "%s", symbol);
    } else {
        tl_ohlcv_symbol_of_path(data, sym, sizeof(sym));
        if (!sym[0])
            return cli_usage_error(&cmd, "--symbol is required: the name of %s suggests none",
                                   data);
    }
    tl_err err = {0};
    tl_strategy_spec spec;
    if (tl_strategy_spec_init(&spec, strategy, sym, workspace ? workspace : DEFAULT_WORKSPACE,
                              &err) != 0)
        return cli_value_error(&cmd, "strategy", "%s", err.msg);
    for (int i = 0; i < params.n; i++)
        if (tl_strategy_spec_set_kv(&spec, params.v[i], &err) != 0)
            return cli_usage_error(&cmd, "--param %s: %s", params.v[i], err.msg);
    if (tl_strategy_spec_check(&spec, &err) != 0)
        return cli_usage_error(&cmd, "%s", err.msg);

    tl_bars bars = {0};
    if ((rc = tl_ohlcv_load(data, &bars, &err)) != 0)
        return rc == TL_EIO || rc == TL_ENOMEM ? cli_fail(&cmd, "%s", err.msg)
                                               : cli_usage_error(&cmd, "%s", err.msg);
    tl_store store;
    if ((rc = cli_open_store(&cmd, "db", db ? db : "mem:", &so, &store)) != CLI_OK) {
        tl_bars_free(&bars);
        return rc;
    }
    tl_backtest bt;
    rc = tl_backtest_run(&spec, &bars, equity, &store, &bt, &err);
    tl_store_close(&store);
    if (rc != 0) {
        tl_bars_free(&bars);
        return cli_fail(&cmd, "%s", err.msg);
    }
    int out = plot ? write_plot(&cmd, plot, &spec, &bars, &bt) : CLI_OK;
    if (out == CLI_OK) {
        if (as_json)
            out = print_json(&cmd, &spec, &bars, &bt);
        else
            print_table(&spec, &bars, &bt);
    }
    tl_backtest_free(&bt);
    tl_bars_free(&bars);
    return out;
}
