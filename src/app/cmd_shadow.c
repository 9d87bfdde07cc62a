/* cmd_shadow.c -- `tradeloop shadow`: flags to tl_shadow_config, the run, the report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/opts.h"
#include "app/commands.h"
#include "core/jsonw.h"
#include "shadow/shadow.h"
#include "tradeloop/clock.h"
#include "tradeloop/event.h"

static void progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    cli_progress("shadow iterations", done, total);
}

static void print_table(const tl_shadow_config *cfg, const tl_shadow_result *r)
{
    char buf[TL_FIXED_STRLEN];
    printf("shadow run: %llu iterations, %u symbols, seed %llu\n\n",
           (unsigned long long)r->iterations, cfg->nsymbols, (unsigned long long)cfg->seed);
    printf("orders      placed %llu = filled %llu + canceled %llu + rejected %llu + open %llu\n",
           (unsigned long long)r->counts.placed, (unsigned long long)r->counts.filled,
           (unsigned long long)r->counts.canceled, (unsigned long long)r->counts.rejected,
           (unsigned long long)r->open);
    printf("            risk blocks %llu, fills %llu\n\n",
           (unsigned long long)r->counts.risk_blocks, (unsigned long long)r->counts.fills);
    printf("%-12s %20s\n", "symbol", "position");
    for (uint32_t i = 0; i < cfg->nsymbols; i++) {
        tl_fixed_format(r->position[i], buf, sizeof(buf));
        printf("%-12s %20s\n", cfg->symbols[i], buf);
    }
    tl_fixed_format(r->total_notional_usd, buf, sizeof(buf));
    printf("%-12s %20s\n\n", "notional USD", buf);
    if (r->journaled)
        printf("journal     %llu events, state digest %s\n", (unsigned long long)r->journal_events,
               r->state_digest);
    printf("risk        %s, %llu freeze event%s%s%s\n", r->frozen ? "FROZEN" : "trading",
           (unsigned long long)r->freeze_events, r->freeze_events == 1 ? "" : "s",
           r->last_freeze_reason[0] ? ": " : "", r->last_freeze_reason);
    if (r->quotes_skipped)
        printf("            %llu quotes not sent while frozen\n",
               (unsigned long long)r->quotes_skipped);
}

int tl_cmd_shadow(int argc, char **argv)
{
    tl_shadow_config cfg;
    const char *symbols = "BTCUSDT,ETHUSDT", *format = NULL, *db = NULL, *durability = "full";
    const char *workspace = "shadow";
    bool json = false;
    uint64_t iterations, seed;
    tl_fixed max_inv, max_total, edge, fill_rate, reject_rate, partial_rate;
    tl_err err = {0};

    tl_shadow_config_default(&cfg);
    iterations = cfg.iterations;
    seed = cfg.seed;
    max_inv = cfg.max_inventory_usd;
    max_total = cfg.max_total_notional;
    edge = cfg.edge_threshold_bps;
    fill_rate = cfg.fill_rate;
    reject_rate = cfg.reject_rate;
    partial_rate = cfg.partial_rate;

    cli_flag flags[] = {
        {"symbols", CLI_STRING, &symbols, NULL, "LIST",
         "comma-separated symbols (BTCUSDT,ETHUSDT)"},
        {"iterations", CLI_U64_POS, &iterations, NULL, "N", "quote steps of 100 ms (20)",
         .max = 100000000},
        {"max-inv", CLI_FIXED_POS, &max_inv, NULL, "USD", "inventory limit per symbol (10000)",
         .fmin = 1, .fmax = TL_FIXED_INT(10000000000)},
        {"max-total", CLI_FIXED_POS, &max_total, NULL, "USD", "total notional limit (50000)",
         .fmin = 1, .fmax = TL_FIXED_INT(10000000000)},
        {"edge-threshold", CLI_FIXED_POS, &edge, NULL, "BPS", "freeze below this edge (3.0)",
         .fmin = 1, .fmax = TL_FIXED_INT(10000)},
        {"fill-rate", CLI_RATE, &fill_rate, NULL, "P", "simulated fill probability (0.7)"},
        {"reject-rate", CLI_RATE, &reject_rate, NULL, "P", "simulated reject probability (0.05)"},
        {"partial-rate", CLI_RATE, &partial_rate, NULL, "P", "partial-fill probability (0.3)"},
        {"seed", CLI_U64, &seed, "TRADELOOP_SEED", "N", "PRNG seed (42)", .max = UINT64_MAX},
        CLI_FORMAT_FLAGS(json, format),
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "journal every event: FILE.db, sqlite:FILE, postgresql://..., mem:"},
        {"durability", CLI_STRING, &durability, "TRADELOOP_DURABILITY", "full|normal",
         "what a commit waits for (full)"},
        {"workspace", CLI_STRING, &workspace, NULL, "NAME",
         "journal workspace, 1-47 of [A-Za-z0-9._:-] (shadow)"},
        {NULL},
    };
    cli_command cmd = {
        "shadow",
        "[--symbols LIST] [--iterations N] [--max-inv USD] [--max-total USD] [--edge-threshold BPS]"
        " [--fill-rate P] [--reject-rate P] [--seed N] [--db URL] [--json | --format F]",
        "Drives a quote generator through the execution loop (risk -> order store -> simulated\n"
        "exchange -> fills -> positions) in simulated time and prints a deterministic report:\n"
        "the same flags give the same bytes. The simulated clock starts at TRADELOOP_FREEZE_UTC\n"
        "(alias MM_FREEZE_UTC_ISO) or 2025-01-01T00:00:00Z. --symbols takes 1 to 64 symbols of\n"
        "1-15 of [A-Z0-9]. With --db, a workspace that has a journal is resumed.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;

    const char *why = NULL;
    int n = cli_split_symbols(symbols, cfg.symbols, TL_SHADOW_MAX_SYMBOLS, &why);
    char q[CLI_QUOTE_MAX + 4];
    if (n < 0)
        return cli_value_error(&cmd, "symbols", "%s in '%s'", why, cli_quote(symbols, q));
    cfg.nsymbols = (uint32_t)n;
    for (int i = 0; i < n; i++) {
        tl_instrument probe;
        if (tl_instrument_default(cfg.symbols[i], &probe, &err) != 0)
            return cli_value_error(&cmd, "symbols", "%s", err.msg);
    }
    bool as_json;
    if ((rc = cli_output_json(&cmd, json, format, &as_json)) != CLI_OK)
        return rc;
    int frozen = 0;
    int64_t t0 = 0;
    const char *freeze_var = NULL;
    if (tl_config_freeze_from_env(&frozen, &t0, &err) != 0)
        return cli_env_error(&cmd, strncmp(err.msg, TL_FREEZE_ENV, strlen(TL_FREEZE_ENV)) == 0
                                       ? TL_FREEZE_ENV
                                       : TL_FREEZE_ENV_ALIAS,
                             err.msg);
    if (frozen) {
        cfg.start_ns = t0;
        freeze_var = getenv(TL_FREEZE_ENV) && *getenv(TL_FREEZE_ENV) ? TL_FREEZE_ENV
                                                                       : TL_FREEZE_ENV_ALIAS;
    }
    if ((rc = cli_durability(&cmd, durability, &cfg.durability)) != CLI_OK ||
        (rc = cli_workspace(&cmd, "workspace", workspace)) != CLI_OK)
        return rc;
    if (db && (rc = cli_check_store_url(&cmd, "db", db)) != CLI_OK)
        return rc;
    cfg.db_url = db;
    snprintf(cfg.workspace, sizeof(cfg.workspace), "%s", workspace);
    cfg.iterations = iterations;
    cfg.seed = seed;
    cfg.max_inventory_usd = max_inv;
    cfg.max_total_notional = max_total;
    cfg.edge_threshold_bps = edge;
    cfg.fill_rate = fill_rate;
    cfg.reject_rate = reject_rate;
    cfg.partial_rate = partial_rate;

    tl_shadow_result res;
    rc = tl_shadow_run(&cfg, &res, iterations >= 100000 ? progress : NULL, NULL, &err);
    if (rc == TL_EINVAL && freeze_var && strncmp(err.msg, "start time: ", 12) == 0)
        return cli_env_error(&cmd, freeze_var, err.msg + 12);
    if (rc == TL_EINVAL)
        return cli_usage_error(&cmd, "%s", err.msg);
    if (rc != 0)
        return cli_fail(&cmd, "%s", err.msg[0] ? err.msg : tl_strerror(rc));

    if (!as_json) {
        print_table(&cfg, &res);
        return 0;
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_shadow_report_json(&cfg, &res, &w);
    return cli_print_json(&cmd, &w);
}
