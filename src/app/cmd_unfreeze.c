/*
 * cmd_unfreeze.c -- `tradeloop unfreeze`: an operator lifts the freeze reconciliation put on a
 * virtual account (RECONCILE_MISMATCH), after looking at why, through the database the engine
 * journals to. The request goes through the control inbox like `tradeloop kill`'s
 * (control_cli.h); the engine journals ACCOUNT_UNFROZEN.
 */
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/control_cli.h"
#include "app/opts.h"
#include "core/jsonw.h"
#include "store/store.h"
#include "tradeloop/clock.h"
#include "tradeloop/event.h"

int tl_cmd_unfreeze(int argc, char **argv)
{
    const char *db = "tradeloop.db", *account = NULL, *format = NULL;
    bool json = false;
    uint64_t wait_s = CONTROL_WAIT_DEFAULT;
    cli_flag flags[] = {
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "the running engine's journal: FILE.db, sqlite:FILE, postgresql://... (tradeloop.db)"},
        {"account", CLI_STRING, &account, NULL, "NAME", "the virtual account to unfreeze"},
        {"wait", CLI_U64, &wait_s, NULL, "SECONDS",
         "how long to wait for a running engine to take the request (2)", .max = CONTROL_WAIT_MAX},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "unfreeze",
        "--account NAME [--db URL] [--wait SECONDS] [--json | --format F]",
        "Lifts the freeze reconciliation put on a virtual account whose position differed from\n"
        "the venue's (RECONCILE_MISMATCH), once an operator has looked. The request is written\n"
        "to the database's control inbox; a running engine takes it and journals\n"
        "ACCOUNT_UNFROZEN, or the engine applies it when it next starts. Both exit 0.",
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
    tl_err err = {0};
    if (!account)
        return cli_usage_error(&cmd, "--account: required");
    if (tl_workspace_validate(account, &err) != 0)
        return cli_value_error(&cmd, "account", "%s", err.msg);
    tl_control_row row;
    if ((rc = control_request(&cmd, db, "unfreeze", account, wait_s, &row)) != CLI_OK)
        return rc;
    uint64_t id = row.id;
    if (!as_json) {
        if (row.taken_seq)
            printf("account %s unfrozen by the engine (journal seq %llu)\n", account,
                   (unsigned long long)row.taken_seq);
        else
            printf("unfreeze of %s requested (control #%llu); no engine took it within %llu s: "
                   "it applies when the engine next starts\n",
                   account, (unsigned long long)id, (unsigned long long)wait_s);
        return CLI_OK;
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_str(&w, "account", account);
    tl_jw_kv_uint(&w, "control_id", id);
    tl_jw_key(&w, "journal_seq");
    if (row.taken_seq)
        tl_jw_uint(&w, row.taken_seq);
    else
        tl_jw_null(&w);
    tl_jw_kv_bool(&w, "taken", row.taken_seq != 0);
    tl_jw_obj_end(&w);
    return cli_print_json(&cmd, &w);
}
