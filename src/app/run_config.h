/*
 * run_config.h -- the rules of `tradeloop run` as flags, and the virtual accounts they make.
 *
 * One table of rule flags (RUN_RULE_FLAGS) serves three sources with one validation: the command
 * line and environment (cli_parse), and each account's overrides in the --accounts file, where a
 * flag is named in snake case ("max_spread_bps"). An override is parsed by the same flag entry,
 * redirected into the account's copy of the values, so a bad value is refused with the same
 * message, naming the file, the account and the key.
 */
#ifndef TL_APP_RUN_CONFIG_H
#define TL_APP_RUN_CONFIG_H

#include "app/cli.h"
#include "core/tz.h"
#include "loop/accounts_file.h"
#include "loop/loop.h"

/* The rule values as flags hold them (strings for what needs parsing after). */
typedef struct run_rules {
    uint64_t max_open_positions;
    uint64_t cooldown_losses;
    const char *cooldown;
    tl_fixed max_drawdown_pct;
    tl_fixed max_spread_bps;
    uint64_t max_quote_age_ms;
    tl_fixed max_slippage_bps;
    const char *trading_window;
    const char *timezone;
    tl_fixed stop_loss_pct;
} run_rules;

void run_rules_default(run_rules *r);

/* The rule flags of the table, pointing into *r (a macro: it expands to table entries). */
#define RUN_RULE_FLAGS(r)                                                                          \
    {"max-open-positions", CLI_U64, &(r).max_open_positions, "TRADELOOP_MAX_OPEN_POSITIONS", "N",  \
     "accounts holding a position or order at once, 0 = no cap (3)", .max = 1000000},              \
        {"cooldown-losses", CLI_U64, &(r).cooldown_losses, "TRADELOOP_COOLDOWN_LOSSES", "N",       \
         "losing round trips in a row that start a cooldown, 0 = never (3)", .max = 1000},         \
        {"cooldown", CLI_STRING, &(r).cooldown, "TRADELOOP_COOLDOWN", "DURATION",                  \
         "entries refused after them, engine time: 90s, 5m, 1h (5m)"},                             \
        {"max-drawdown-pct", CLI_FIXED, &(r).max_drawdown_pct, "TRADELOOP_MAX_DRAWDOWN_PCT", "PCT", \
         "entries refused past this drawdown from the equity peak, 0 = off (0)", .fmin = 0,        \
         .fmax = TL_FIXED_INT(100)},                                                               \
        {"max-spread-bps", CLI_FIXED, &(r).max_spread_bps, "TRADELOOP_MAX_SPREAD_BPS", "BPS",      \
         "entries refused above this spread, 0 = off (50)", .fmin = 0,                             \
         .fmax = TL_FIXED_INT(10000)},                                                             \
        {"max-quote-age-ms", CLI_U64, &(r).max_quote_age_ms, "TRADELOOP_MAX_QUOTE_AGE_MS", "MS",   \
         "entries refused on a quote older than this, 0 = off (500)", .max = 86400000},            \
        {"max-slippage-bps", CLI_FIXED, &(r).max_slippage_bps, "TRADELOOP_MAX_SLIPPAGE_BPS",       \
         "BPS", "entries refused this far from the signal's expected price, 0 = off (20)",         \
         .fmin = 0, .fmax = TL_FIXED_INT(10000)},                                                  \
        {"trading-window", CLI_STRING, &(r).trading_window, "TRADELOOP_TRADING_WINDOW",            \
         "HH:MM-HH:MM", "entries only inside it, local time, ends inclusive; 'off' (09:30-16:00)"}, \
        {"timezone", CLI_STRING, &(r).timezone, "TRADELOOP_TIMEZONE", "ZONE",                      \
         "IANA zone of the trading window (UTC)"},                                                 \
        {"stop-loss-pct", CLI_FIXED_POS, &(r).stop_loss_pct, "TRADELOOP_STOP_LOSS_PCT", "PCT",     \
         "stop-loss distance from the average entry price (2)", .fmin = 1,                         \
         .fmax = TL_FIXED_INT(99)}

/* The time zones the accounts use, loaded once each (the risk configurations borrow them). */
typedef struct run_zones {
    tl_tz *zones; /* owned */
    char (*names)[64];
    size_t n, cap;
} run_zones;

void run_zones_close(run_zones *z);

/* The accounts of the run: from the accounts file (each with its overrides applied over the
 * command's rules) or, without one, a single account `name` with `balance`. *vas is malloc'ed.
 * Errors are printed through cmd (usage errors naming the source) and returned as CLI_*. */
int run_build_accounts(cli_command *cmd, const run_rules *base, const char *accounts_path,
                       const char *name, tl_fixed balance, run_zones *zones, tl_loop_va **vas,
                       size_t *n);

#endif /* TL_APP_RUN_CONFIG_H */
