/* cmd_exchange.c -- `tradeloop exchange`: a matching exchange speaking Binance's spot REST API v3
 * (src/exchange/xserve.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/opts.h"
#include "exchange/xserve.h"

int tl_cmd_exchange(int argc, char **argv)
{
    const char *db = "exchange.db", *durability = "full", *listen = TL_XSERVE_LISTEN_DEFAULT;
    const char *keys_path = "data/exchange_keys.json", *log_level = "INFO";
    const char *maker_account = "maker", *maker_quotes = NULL;
    uint64_t fee_bps = 10, seed = 1, weight = TL_BAPI_RL_WEIGHT_PER_MIN;
    uint64_t orders_10s = TL_BAPI_RL_ORDERS_PER_10S, orders_day = TL_BAPI_RL_ORDERS_PER_DAY;
    bool no_makers = false;
    cli_flag flags[] = {
        {"db", CLI_STRING, &db, "TRADELOOP_EXCHANGE_DB", "URL",
         "the exchange's journal: FILE.db, postgresql://..., mem: (exchange.db); its own, not "
         "an engine's"},
        {"durability", CLI_STRING, &durability, "TRADELOOP_DURABILITY", "full|normal",
         "what a commit waits for before the answers go out (full)"},
        {"listen", CLI_STRING, &listen, "TRADELOOP_EXCHANGE_LISTEN", "HOST:PORT",
         "the REST API (127.0.0.1:8004; port 0: any free port, logged)"},
        {"keys", CLI_STRING, &keys_path, "TRADELOOP_EXCHANGE_KEYS", "FILE",
         "accounts, API keys, secrets and opening balances (data/exchange_keys.json)"},
        {"fee-bps", CLI_U64, &fee_bps, "TRADELOOP_EXCHANGE_FEE_BPS", "BPS",
         "commission on both sides, in the asset received (10)", .max = 1000},
        {"weight-per-min", CLI_U64_POS, &weight, NULL, "N",
         "REQUEST_WEIGHT limit per minute (6000)", .max = 100000000},
        {"orders-per-10s", CLI_U64_POS, &orders_10s, NULL, "N",
         "ORDERS limit per 10 seconds and account (50)", .max = 100000000},
        {"orders-per-day", CLI_U64_POS, &orders_day, NULL, "N",
         "ORDERS limit per day and account (160000)", .max = 1000000000},
        {"no-makers", CLI_BOOL, &no_makers, NULL, NULL, "no market makers: an empty book"},
        {"maker-account", CLI_STRING, &maker_account, NULL, "NAME",
         "the makers' account, funded in the keys file (maker)"},
        {"maker-quotes", CLI_STRING, &maker_quotes, NULL, "FILE.csv",
         "the makers' price path: the mids of a quotes CSV for the symbols it has (the others "
         "walk)"},
        {"seed", CLI_U64, &seed, "TRADELOOP_SEED", "N", "the makers' random walks (1)",
         .max = UINT64_MAX},
        {"log-level", CLI_STRING, &log_level, "LOG_LEVEL", "LEVEL",
         "DEBUG, INFO, WARNING or ERROR (INFO); one JSON object per line on stderr"},
        {NULL},
    };
    cli_command cmd = {
        "exchange",
        "[--db URL] [--listen HOST:PORT] [--keys FILE] [--fee-bps N] [--no-makers]",
        "A matching exchange for engines and bots to trade against: price-time books of\n"
        "BTCUSDT and ETHUSDT (LIMIT and MARKET, GTC/IOC/FOK), accounts with balances, fees,\n"
        "behind Binance's spot REST API v3 (/api/v3/ping, time, exchangeInfo, depth,\n"
        "ticker/bookTicker, ticker/24hr; signed: order POST/GET/DELETE, openOrders, account,\n"
        "myTrades), HMAC-signed with each account's secret, rate-limited with Binance's\n"
        "headers. Every change is journaled in --db before it is answered; a restart recovers\n"
        "every book, order, balance and trade. Accounts come from --keys (a JSON array of\n"
        "{account, api_key, secret, balances}): a new account is funded with its balances, a\n"
        "known one keeps its journaled ones. Secrets are never logged. Market makers (the\n"
        "--maker-account, unless --no-makers) quote a post-only ladder of 5 levels a side\n"
        "around a seeded random walk (or --maker-quotes' mids), refreshed every second,\n"
        "through the same journal. SIGTERM or SIGINT: what is in flight is committed and\n"
        "answered, exit 0.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    tl_err err = {0};
    tl_log_level level;
    if (tl_log_level_parse(log_level, &level, &err) != 0)
        return cli_value_error(&cmd, "log-level", "%s", err.msg);
    struct sockaddr_storage sa;
    socklen_t salen;
    if (tl_http_parse_listen(listen, &sa, &salen, &err) != 0)
        return cli_value_error(&cmd, "listen", "%s", err.msg);
    if ((rc = cli_check_store_url(&cmd, "db", db)) != CLI_OK)
        return rc;
    tl_store_options so = {TL_DURABILITY_FULL};
    if ((rc = cli_durability(&cmd, durability, &so.durability)) != CLI_OK)
        return rc;
    tl_xserve_config cfg;
    tl_xserve_config_default(&cfg);
    cfg.listen = listen;
    cfg.fee_bps = (uint32_t)fee_bps;
    cfg.limits = (tl_bapi_rl_limits){(uint32_t)weight, (uint32_t)orders_10s, (uint32_t)orders_day};
    cfg.makers = !no_makers;
    cfg.maker_account = maker_account;
    cfg.maker_quotes = maker_quotes;
    cfg.seed = seed;

    tl_bapi_keys keys;
    tl_bapi_keys_init(&keys);
    if (tl_bapi_keys_read(&keys, keys_path, &err) != 0)
        return cli_value_error(&cmd, "keys", "%s", err.msg);
    tl_log log;
    tl_log_init(&log, 2, level);
    tl_store store;
    if ((rc = cli_open_store(&cmd, "db", db, &so, &store)) != CLI_OK) {
        tl_bapi_keys_close(&keys);
        tl_log_close(&log);
        return rc;
    }
    tl_host host;
    tl_xserve *srv = calloc(1, sizeof(*srv));
    if (!srv || tl_host_init(&host, TL_HOST_LIVE, NULL, &err) != 0) {
        free(srv);
        tl_store_close(&store);
        tl_bapi_keys_close(&keys);
        tl_log_close(&log);
        return cli_fail(&cmd, "%s", err.msg[0] ? err.msg : "out of memory");
    }
    rc = tl_xserve_start(srv, &cfg, &host, &store, &keys, &log, &err);
    if (rc == 0)
        rc = tl_host_run(&host, &err);
    int exit_code = CLI_OK;
    if (rc != 0) {
        exit_code = rc == TL_EINVAL ? CLI_USAGE : CLI_FAIL;
        fprintf(stderr, "tradeloop exchange: %s\n", err.msg);
    } else if (srv->halted) {
        exit_code = CLI_FAIL; /* stopped after a failed commit: not a clean exit */
    }
    tl_xserve_close(srv);
    tl_host_close(&host);
    free(srv);
    tl_store_close(&store);
    tl_bapi_keys_close(&keys);
    tl_log_close(&log);
    return exit_code;
}
