/*
 * cmd_hedge.c -- `tradeloop hedge`: one calculation of the hedge calculator (src/rfq/hedge.h),
 * the desk's pricing without the desk: what the client pays and gets, the hedge, the profit, the
 * fee and the P&L after it. Nothing is read or written but the flags and stdout.
 */
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/hedge_opts.h"
#include "app/opts.h"
#include "core/jsonw.h"
#include "rfq/hedge.h"

/* The calculation with the names it is printed with. */
typedef struct priced {
    const char *symbol;
    char asset[2][TL_PAIR_ASSET_MAX]; /* indexed by tl_pair_leg */
    tl_hedge_input in;
    tl_hedge h;
} priced;

static int print_json(const cli_command *cmd, const priced *p)
{
    const tl_hedge *h = &p->h;
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
#define FIX(k, v) (tl_jw_key(&w, k), tl_jw_fixed(&w, v))
#define STR(k, v) (tl_jw_key(&w, k), tl_jw_str(&w, v))
    FIX("amount", p->in.amount);
    STR("amount_asset", p->asset[p->in.amount_in]);
    STR("base", p->asset[TL_PAIR_BASE]);
    FIX("client_base", h->client_base);
    FIX("client_gets", h->client_gets);
    STR("client_gets_asset", p->asset[h->client_gets_in]);
    FIX("client_pays", h->client_pays);
    STR("client_pays_asset", p->asset[h->client_pays_in]);
    FIX("client_price", h->client_price);
    FIX("client_quote", h->client_quote);
    FIX("fee", h->fee);
    FIX("fee_bps", p->in.fee_bps);
    FIX("fee_quote", h->fee_quote);
    FIX("hedge_base", h->hedge_base);
    FIX("hedge_quote", h->hedge_quote);
    STR("hedge_side", tl_side_name(h->hedge_side));
    FIX("lp_price", p->in.lp_price);
    FIX("markup_bps", p->in.markup_bps);
    FIX("pnl", h->pnl);
    FIX("pnl_bps", h->pnl_bps);
    FIX("profit", h->profit);
    STR("profit_asset", p->asset[h->profit_in]);
    STR("quote", p->asset[TL_PAIR_QUOTE]);
    STR("side", tl_side_name(p->in.side));
    STR("symbol", p->symbol);
#undef FIX
#undef STR
    tl_jw_obj_end(&w);
    return cli_print_json(cmd, &w);
}

/* v with 8 decimals in groups of three: "150,075.00000000". */
static const char *money(tl_fixed v, char *buf)
{
    tl_fixed_format_grouped(v, 8, buf, TL_FIXED_GROUPED_STRLEN);
    return buf;
}

/* The seed's box. */
static void print_table(const priced *p)
{
    const tl_hedge *h = &p->h;
    const char *quote = p->asset[TL_PAIR_QUOTE], *base = p->asset[TL_PAIR_BASE];
    const char *profit = p->asset[h->profit_in];
    char a[TL_FIXED_GROUPED_STRLEN], b[TL_FIXED_GROUPED_STRLEN], bps[TL_FIXED_STRLEN];
    static const char rule[] =
        "======================================================================";
    printf("%s\nHEDGE %s\n%s\n\n", rule, p->symbol, rule);
    printf("  %-15s %s %s %s\n", "Side:", tl_side_name(p->in.side), money(p->in.amount, a),
           p->asset[p->in.amount_in]);
    printf("  %-15s %s %s\n", "LP price:", money(p->in.lp_price, a), quote);
    tl_fixed_format(p->in.markup_bps, b, sizeof b);
    printf("  %-15s %s %s (markup %s bps)\n", "Client price:", money(h->client_price, a), quote, b);
    printf("  %-15s %s %s\n", "Client pays:", money(h->client_pays, a),
           p->asset[h->client_pays_in]);
    printf("  %-15s %s %s\n", "Client gets:", money(h->client_gets, a),
           p->asset[h->client_gets_in]);
    printf("  %-15s %s %s %s for %s %s\n", "Hedge:", tl_side_name(h->hedge_side),
           money(h->hedge_base, a), base, money(h->hedge_quote, b), quote);
    printf("  %-15s %s %s\n", "Profit:", money(h->profit, a), profit);
    tl_fixed_format(p->in.fee_bps, bps, sizeof bps);
    if (h->profit_in == TL_PAIR_BASE)
        printf("  %-15s %s %s (%s bps: %s %s)\n", "Hedge fee:", money(h->fee, a), profit, bps,
               money(h->fee_quote, b), quote);
    else
        printf("  %-15s %s %s (%s bps)\n", "Hedge fee:", money(h->fee, a), profit, bps);
    tl_fixed_format_dp(h->pnl_bps, 2, bps, sizeof bps);
    printf("  %-15s %s %s (%s bps)\n\n%s\n", "Net P&L:", money(h->pnl, a), profit, bps, rule);
}

int tl_cmd_hedge(int argc, char **argv)
{
    const char *side = NULL, *asset = NULL, *symbol = NULL, *profit = "quote", *format = NULL;
    tl_fixed amount = 0, lp_price = 0, markup = 0, fee = 0;
    bool json = false;
    cli_flag flags[] = {
        {"side", CLI_STRING, &side, NULL, "buy|sell", "the client's side"},
        {"amount", CLI_FIXED_POS, &amount, NULL, "X", "the amount, in --asset", .fmin = 1,
         .fmax = TL_FIXED_MAX},
        {"asset", CLI_STRING, &asset, NULL, "base|quote", "the asset the amount is in"},
        {"symbol", CLI_STRING, &symbol, NULL, "SYM",
         "the pair, e.g. BTCUSDT (quote assets USDT, USDC, USD, EUR, BTC, ETH, ...)"},
        {"lp-price", CLI_FIXED_POS, &lp_price, NULL, "P",
         "the LP's price: its ask for a client buy, its bid for a sell", .fmin = 1,
         .fmax = TL_FIXED_MAX},
        HEDGE_PRICING_FLAGS(markup, fee, profit),
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "hedge",
        "--side buy|sell --amount X --asset base|quote --symbol SYM --lp-price P --markup-bps M "
        "[--profit-asset base|quote] [--fee-bps F] [--json | --format F]",
        "Prices one client trade as the RFQ desk does and prints the hedge: the client's price\n"
        "(the LP's price marked up), what the client pays and gets, the hedge at the LP's price,\n"
        "the profit kept in --profit-asset, the hedge fee and the P&L after it, in that asset and\n"
        "in bps of the client's quote notional. Exact to 1e-8: each figure is its exact value\n"
        "rounded once, half away from zero (docs/ARCHITECTURE.md, \"The hedge calculator\").",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    bool as_json;
    if ((rc = cli_output_json(&cmd, json, format, &as_json)) != CLI_OK)
        return rc;
    static const char *const required[] = {"side",   "amount",   "asset",
                                           "symbol", "lp-price", "markup-bps"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!cli_flag_seen(&cmd, required[i]))
            return cli_usage_error(&cmd, "--%s is required (see --help)", required[i]);

    priced p = {.symbol = symbol};
    char q[CLI_QUOTE_MAX + 4];
    if (strcmp(side, "buy") == 0)
        p.in.side = TL_SIDE_BUY;
    else if (strcmp(side, "sell") == 0)
        p.in.side = TL_SIDE_SELL;
    else
        return cli_value_error(&cmd, "side", "want buy or sell, got '%s'", cli_quote(side, q));
    if ((rc = cli_pair_leg(&cmd, "asset", asset, &p.in.amount_in)) != CLI_OK ||
        (rc = cli_pair_leg(&cmd, "profit-asset", profit, &p.in.profit_in)) != CLI_OK)
        return rc;
    tl_err err = {0};
    if (tl_pair_parse(symbol, p.asset[TL_PAIR_BASE], p.asset[TL_PAIR_QUOTE], &err) != 0)
        return cli_value_error(&cmd, "symbol", "%s", err.msg);
    p.in.amount = amount;
    p.in.lp_price = lp_price;
    p.in.markup_bps = markup;
    p.in.fee_bps = fee;
    /* Every refusal left is about the numbers given (too small, too large): bad input. */
    if (tl_hedge_compute(&p.in, &p.h, &err) != 0)
        return cli_usage_error(&cmd, "%s", err.msg);
    if (as_json)
        return print_json(&cmd, &p);
    print_table(&p);
    return CLI_OK;
}
