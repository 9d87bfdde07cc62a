/* cmd_reconcile.c -- `tradeloop reconcile`: replay a whole journal, print the state and digest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/opts.h"
#include "app/commands.h"
#include "core/jsonw.h"
#include "store/digest.h"
#include "journal/replay.h"

static int print_json(const cli_command *cmd, const tl_replay_result *r, const tl_account_row *a,
                      size_t na, const tl_position_row *p, size_t np)
{
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_key(&w, "accounts");
    tl_jw_arr_begin(&w);
    for (size_t i = 0; i < na; i++) {
        tl_jw_obj_begin(&w);
        tl_jw_key(&w, "cash");
        tl_jw_fixed(&w, a[i].cash);
        tl_jw_key(&w, "fees");
        tl_jw_fixed(&w, a[i].fees);
        tl_jw_key(&w, "realized_pnl");
        tl_jw_fixed(&w, a[i].realized_pnl);
        tl_jw_key(&w, "starting_cash");
        tl_jw_fixed(&w, a[i].starting_cash);
        tl_jw_key(&w, "workspace");
        tl_jw_str(&w, a[i].workspace);
        tl_jw_obj_end(&w);
    }
    tl_jw_arr_end(&w);
    tl_jw_key(&w, "duplicates_skipped");
    tl_jw_uint(&w, r->duplicates_skipped);
    tl_jw_key(&w, "events");
    tl_jw_uint(&w, r->high_water);
    tl_jw_key(&w, "fills_replayed");
    tl_jw_uint(&w, r->fills_replayed);
    tl_jw_key(&w, "positions");
    tl_jw_arr_begin(&w);
    for (size_t i = 0; i < np; i++) {
        if (p[i].qty == 0 && p[i].realized_pnl == 0 && p[i].fees == 0)
            continue; /* as in the digest */
        tl_jw_obj_begin(&w);
        tl_jw_key(&w, "avg_price");
        tl_jw_fixed(&w, p[i].avg_price);
        tl_jw_key(&w, "fees");
        tl_jw_fixed(&w, p[i].fees);
        tl_jw_key(&w, "qty");
        tl_jw_fixed(&w, p[i].qty);
        tl_jw_key(&w, "realized_pnl");
        tl_jw_fixed(&w, p[i].realized_pnl);
        tl_jw_key(&w, "symbol");
        tl_jw_str(&w, p[i].symbol);
        tl_jw_key(&w, "workspace");
        tl_jw_str(&w, p[i].workspace);
        tl_jw_obj_end(&w);
    }
    tl_jw_arr_end(&w);
    tl_jw_key(&w, "state_digest");
    tl_jw_str(&w, r->digest);
    tl_jw_obj_end(&w);
    return cli_print_json(cmd, &w);
}

static void print_table(const tl_replay_result *r, const tl_account_row *a, size_t na,
                        const tl_position_row *p, size_t np)
{
    char c1[TL_FIXED_STRLEN], c2[TL_FIXED_STRLEN], c3[TL_FIXED_STRLEN], c4[TL_FIXED_STRLEN];
    printf("journal: %llu events, %llu fills replayed, %llu duplicate fills skipped\n\n",
           (unsigned long long)r->high_water, (unsigned long long)r->fills_replayed,
           (unsigned long long)r->duplicates_skipped);
    printf("%-20s %18s %18s %14s %12s\n", "workspace", "starting cash", "cash", "realized", "fees");
    for (size_t i = 0; i < na; i++) {
        tl_fixed_format_dp(a[i].starting_cash, 2, c1, sizeof(c1));
        tl_fixed_format_dp(a[i].cash, 2, c2, sizeof(c2));
        tl_fixed_format_dp(a[i].realized_pnl, 2, c3, sizeof(c3));
        tl_fixed_format_dp(a[i].fees, 2, c4, sizeof(c4));
        printf("%-20s %18s %18s %14s %12s\n", a[i].workspace, c1, c2, c3, c4);
    }
    printf("\n%-20s %-10s %16s %16s %14s\n", "workspace", "symbol", "qty", "avg price", "realized");
    for (size_t i = 0; i < np; i++) {
        if (p[i].qty == 0 && p[i].realized_pnl == 0 && p[i].fees == 0)
            continue;
        tl_fixed_format(p[i].qty, c1, sizeof(c1));
        tl_fixed_format(p[i].avg_price, c2, sizeof(c2));
        tl_fixed_format_dp(p[i].realized_pnl, 2, c3, sizeof(c3));
        printf("%-20s %-10s %16s %16s %14s\n", p[i].workspace, p[i].symbol, c1, c2, c3);
    }
    printf("\nstate digest %s\n", r->digest);
}

int tl_cmd_reconcile(int argc, char **argv)
{
    const char *db = "tradeloop.db", *workspace = "", *format = NULL;
    bool json = false;
    tl_err err = {0};
    cli_flag flags[] = {
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "journal to replay: FILE.db, sqlite:FILE, postgresql://..., mem: (tradeloop.db)"},
        {"workspace", CLI_STRING, &workspace, NULL, "NAME",
         "only this workspace, 1-47 of [A-Za-z0-9._:-] (all)"},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "reconcile",
        "[--db URL] [--workspace NAME] [--json | --format F]",
        "Clears the state, replays only ORDER_FILLED events (deduplicated by trade id, from each\n"
        "workspace's last reset), rebuilds cash and positions, and prints them with the state\n"
        "digest (SHA-256 of the canonical state). Reads only; changes nothing.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    bool as_json;
    if ((*workspace && (rc = cli_workspace(&cmd, "workspace", workspace)) != CLI_OK) ||
        (rc = cli_output_json(&cmd, json, format, &as_json)) != CLI_OK)
        return rc;

    /* Read-only: a missing file, an empty one or a typo is said, never created or migrated. */
    tl_store store;
    if ((rc = cli_open_store(&cmd, "db", db, NULL, &store)) != CLI_OK)
        return rc;
    tl_ledger l;
    tl_replay_result r;
    tl_account_row *a = NULL;
    tl_position_row *p = NULL;
    size_t na = 0, np = 0;
    if ((rc = tl_ledger_init(&l, TL_FIXED_INT(10000))) != 0) {
        tl_store_close(&store);
        return cli_fail(&cmd, "out of memory");
    }
    rc = tl_replay(&store, workspace, &l, &r, &err);
    if (rc == 0)
        rc = tl_ledger_rows(&l, workspace, &a, &na, &p, &np, &err);
    if (rc == 0) {
        /* Rows sorted as in the digest. */
        char hex[65];
        rc = tl_state_digest(a, na, p, np, hex, &err);
    }
    int out = rc == 0 ? CLI_OK : cli_fail(&cmd, "%s", err.msg);
    if (rc == 0 && as_json)
        out = print_json(&cmd, &r, a, na, p, np);
    else if (rc == 0)
        print_table(&r, a, na, p, np);
    free(a);
    free(p);
    tl_ledger_close(&l);
    tl_store_close(&store);
    return out;
}
