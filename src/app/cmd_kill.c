/*
 * cmd_kill.c -- `tradeloop kill`: engage (or --release) the kill switch of an engine that runs in
 * another process, through the database it journals to.
 *
 * The request is a row in the store's control inbox (tl_store_control_put), durable before this
 * command says anything; a running engine takes it, journals a KILL_SWITCH event and marks the
 * row with that event's seq. This command then polls the row every 10 ms for up to --wait
 * seconds and says which happened: taken (with the seq), or queued, which is no failure: the
 * engine applies it when it next starts. It never creates a database: the URL must name one
 * that tradeloop already wrote (read-only open first), and mem:, which no other process can
 * reach, is refused.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/control_cli.h"
#include "app/opts.h"
#include "core/jsonw.h"
#include "store/store.h"
#include "tradeloop/clock.h"

static int print_json(const cli_command *cmd, const char *command, const tl_control_row *r,
                      uint64_t wait_s)
{
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_key(&w, "command");
    tl_jw_str(&w, command);
    tl_jw_key(&w, "control_id");
    tl_jw_uint(&w, r->id);
    tl_jw_key(&w, "journal_seq");
    if (r->taken_seq != 0)
        tl_jw_uint(&w, r->taken_seq);
    else
        tl_jw_null(&w);
    tl_jw_key(&w, "reason");
    tl_jw_str(&w, r->arg);
    tl_jw_key(&w, "taken");
    tl_jw_bool(&w, r->taken_seq != 0);
    tl_jw_key(&w, "wait_s");
    tl_jw_uint(&w, wait_s);
    tl_jw_obj_end(&w);
    return cli_print_json(cmd, &w);
}

static void print_text(bool release, const tl_control_row *r, uint64_t wait_s)
{
    if (r->taken_seq != 0)
        printf("kill switch %s by the engine (journal seq %llu)\n",
               release ? "released" : "engaged", (unsigned long long)r->taken_seq);
    else
        printf("kill switch %s (control #%llu); no engine took it within %llu s: it %s when the "
               "engine next starts\n",
               release ? "release requested" : "requested", (unsigned long long)r->id,
               (unsigned long long)wait_s, release ? "is released" : "engages");
}

int tl_cmd_kill(int argc, char **argv)
{
    const char *db = "tradeloop.db", *reason = "", *format = NULL;
    bool release = false, json = false;
    uint64_t wait_s = CONTROL_WAIT_DEFAULT;
    cli_flag flags[] = {
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "the running engine's journal: FILE.db, sqlite:FILE, postgresql://... (tradeloop.db)"},
        {"reason", CLI_STRING, &reason, NULL, "TEXT",
         "why, journaled with the switch: at most 127 characters of printable ASCII (none)"},
        {"release", CLI_BOOL, &release, NULL, NULL,
         "release the kill switch instead of engaging it"},
        {"wait", CLI_U64, &wait_s, NULL, "SECONDS",
         "how long to wait for a running engine to take the request (2)", .max = CONTROL_WAIT_MAX},
        CLI_FORMAT_FLAGS(json, format),
        {NULL},
    };
    cli_command cmd = {
        "kill",
        "[--db URL] [--reason TEXT] [--release] [--wait SECONDS] [--json | --format F]",
        "Engages the kill switch of the engine that journals to --db, from another process: every\n"
        "live order canceled, entries refused, exits and stops still working. --release lifts\n"
        "it. The request is written to the database's control inbox and is durable before\n"
        "anything is printed; a running engine takes it and journals it. Waits up to --wait\n"
        "seconds to say so (\"engaged by the engine (journal seq N)\"); if no engine took it by\n"
        "then, it is queued and applies when the engine next starts. Both exit 0.\n"
        "The database must exist and be tradeloop's; mem: cannot be reached from here.",
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
    const char *command = release ? "release" : "kill";
    tl_err err = {0};
    if (tl_control_validate(command, reason, &err) != 0) {
        /* The rule's own words, without the library's prefix; the flag's source instead. */
        const char *msg = strncmp(err.msg, "control: argument", 17) == 0 ? err.msg + 17 : err.msg;
        return cli_value_error(&cmd, "reason", "reason%s", msg);
    }
    if ((rc = control_check_database(&cmd, db)) != CLI_OK)
        return rc;

    tl_store s;
    const tl_store_options so = {.durability = TL_DURABILITY_FULL};
    if ((rc = cli_open_store(&cmd, "db", db, &so, &s)) != CLI_OK)
        return rc;
    tl_clock wall;
    tl_clock_init_real(&wall);
    uint64_t id = 0;
    tl_control_row row;
    if (tl_store_control_put(&s, command, reason, tl_clock_now(&wall), &id, &err) != 0) {
        tl_store_close(&s);
        return cli_fail(&cmd, "writing the request: %s", err.msg);
    }
    if (control_wait_taken(&s, id, wait_s, &row, &err) != 0) {
        tl_store_close(&s);
        return cli_fail(&cmd, "control #%llu is stored, but reading it back failed: %s",
                        (unsigned long long)id, err.msg);
    }
    tl_store_close(&s);
    if (as_json)
        return print_json(&cmd, command, &row, wait_s);
    print_text(release, &row, wait_s);
    return CLI_OK;
}
