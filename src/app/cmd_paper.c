/*
 * cmd_paper.c -- `tradeloop paper VERB`: the paper broker's command line (seed 003).
 *
 *   execute        one intent; exit 0 filled, 3 duplicate, 2 refused or malformed, 1 failure
 *   execute-batch  one intent per CSV line `intent_id,action,symbol,qty,fill_price`
 *   state | positions | reconcile   the workspace rebuilt from the journal
 *   reset          a WORKSPACE_RESET with a new starting equity
 *
 * Flags to tl_paper_intent, store opening and printing only: the decisions are the broker's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/batch.h"
#include "app/opts.h"
#include "core/vec.h"
#include "app/commands.h"
#include "core/jsonw.h"
#include "paper/paper_json.h"
#include "tradeloop/clock.h"
#include "tradeloop/instrument.h"

#define EXIT_DUPLICATE 3
/* Attempts at an intent that another writer keeps getting ahead of (TL_EBUSY). */
#define BUSY_RETRIES 50

/* Flags every verb has; the writing verbs add --durability. */
typedef struct common {
    const char *db, *workspace, *durability, *format;
    bool json;
    bool as_json; /* decided by check_common */
} common;

#define READ_FLAGS(c)                                                                              \
    {"db", CLI_STRING, &(c).db, "TRADELOOP_DB", "URL",                                              \
     "journal: FILE.db, sqlite:FILE, postgresql://..., mem: (tradeloop.db)"},                       \
        {"workspace", CLI_STRING, &(c).workspace, NULL, "NAME",                                    \
         "paper workspace, 1-47 of [A-Za-z0-9._:-] (required)"},                                   \
        CLI_FORMAT_FLAGS((c).json, (c).format)
#define WRITE_FLAGS(c)                                                                             \
    READ_FLAGS(c), {"durability", CLI_STRING, &(c).durability, "TRADELOOP_DURABILITY",             \
                    "full|normal", "what a commit waits for (full)"}

/* so == NULL for a verb that only reads. */
static int check_common(cli_command *cmd, common *c, tl_store_options *so)
{
    int rc;
    if (c->workspace == NULL)
        return cli_usage_error(cmd, "--workspace is required");
    if ((rc = cli_workspace(cmd, "workspace", c->workspace)) != CLI_OK ||
        (rc = cli_output_json(cmd, c->json, c->format, &c->as_json)) != CLI_OK ||
        (rc = cli_check_store_url(cmd, "db", c->db)) != CLI_OK)
        return rc;
    if (so && (rc = cli_durability(cmd, c->durability, &so->durability)) != CLI_OK)
        return rc;
    return CLI_OK;
}

static int64_t now_ns(cli_command *cmd, int *rc)
{
    tl_err err = {0};
    tl_clock clock;
    int frozen = 0;
    int64_t t = 0;
    if (tl_config_freeze_from_env(&frozen, &t, &err) != 0) {
        *rc = cli_env_error(cmd,
                            strncmp(err.msg, TL_FREEZE_ENV, strlen(TL_FREEZE_ENV)) == 0
                                ? TL_FREEZE_ENV
                                : TL_FREEZE_ENV_ALIAS,
                            err.msg);
        return 0;
    }
    if (frozen)
        tl_clock_init_frozen(&clock, t);
    else
        tl_clock_init_real(&clock);
    *rc = CLI_OK;
    return tl_clock_now(&clock);
}

/* Maps the broker's "field: detail" message onto the flag that carries the field. */
static int intent_usage(cli_command *cmd, const char *msg)
{
    static const struct {
        const char *field, *flag;
    } map[] = {
        {"workspace: ", "--workspace"},
        {"intent_id: ", "--intent-id"},
        {"action: ", "--action"},
        {"symbol: ", "--symbol"},
        {"qty: ", "--qty"},
        {"fill_price: ", "--fill-price"},
        {"mode: ", "--mode"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        size_t n = strlen(map[i].field);
        if (strncmp(msg, map[i].field, n) == 0)
            return cli_usage_error(cmd, "%s: %s", map[i].flag, msg + n);
    }
    return cli_usage_error(cmd, "%s", msg);
}

/* Executes with retries: TL_EBUSY means another writer got ahead, so the store is reopened
 * (its high-water mark re-read) and the intent decided again on the fresh journal. */
static int execute_retrying(tl_store *s, const char *db, const tl_store_options *so,
                            tl_paper_broker *b, const tl_paper_intent *in, tl_paper_result *r,
                            tl_err *err)
{
    int rc = TL_EBUSY;
    for (int attempt = 0; attempt < BUSY_RETRIES; attempt++) {
        rc = tl_paper_broker_execute(b, in, r, err);
        if (rc != TL_EBUSY)
            return rc;
        tl_paper_broker_close(b);
        tl_store_close(s);
        struct timespec ts = {0, (long)(attempt + 1) * 1000000L};
        nanosleep(&ts, NULL);
        tl_err oerr = {0};
        if ((rc = tl_store_open(s, db, so, NULL, &oerr)) != 0) {
            *err = oerr;
            return rc;
        }
        if ((rc = tl_paper_broker_init(b, s, TL_PAPER_DEFAULT_EQUITY)) != 0)
            return tl_err_set(err, rc, "paper: %s", tl_strerror(rc));
    }
    /* The last reopen succeeded but no attempt executed: that is a failure, not a result. */
    return tl_err_set(err, TL_EBUSY,
                      "paper: the store stayed busy (another writer got ahead %d times): "
                      "nothing executed, try again",
                      BUSY_RETRIES);
}

static void print_result_line(const tl_paper_result *r)
{
    char q[TL_FIXED_STRLEN], p[TL_FIXED_STRLEN], c[TL_FIXED_STRLEN];
    tl_fixed_format(r->qty, q, sizeof(q));
    tl_fixed_format(r->fill_price, p, sizeof(p));
    tl_fixed_format_dp(r->cash, 2, c, sizeof(c));
    printf("%s%s order %s: %s %s %s @ %s", r->duplicate ? "DUPLICATE of " : "",
           tl_paper_status_name(r->status), r->order_id, r->action, q, r->symbol, p);
    if (r->status == TL_PAPER_FILLED)
        printf(" (position %s, trade %s)", r->change, r->trade_id);
    else
        printf(" -- %s", r->reason);
    printf("\ncash %s, state digest %s\n", c, r->state_digest);
}

static int result_exit(const tl_paper_result *r)
{
    if (r->duplicate)
        return EXIT_DUPLICATE;
    return r->status == TL_PAPER_FILLED ? CLI_OK : CLI_USAGE;
}

/* ---------------------------------------------------------------------------------------- */
/* execute */

static int paper_execute(int argc, char **argv)
{
    common c = {"tradeloop.db", NULL, "full", NULL, false, false};
    const char *intent_id = NULL, *action = NULL, *symbol = NULL, *mode = TL_PAPER_MODE;
    tl_fixed qty = 0, price = 0;
    cli_flag flags[] = {
        WRITE_FLAGS(c),
        {"intent-id", CLI_STRING, &intent_id, NULL, "ID",
         "[A-Za-z0-9._:-]{1,64}, the idempotency key"},
        {"action", CLI_STRING, &action, NULL, "OPEN_LONG|CLOSE_LONG", "what to do"},
        {"symbol", CLI_STRING, &symbol, NULL, "SYM", "instrument, 1..15 of [A-Z0-9]"},
        {"qty", CLI_FIXED_POS, &qty, NULL, "Q", "quantity (CLOSE_LONG: the whole position)",
         .fmin = 1, .fmax = TL_FIXED_MAX},
        {"fill-price", CLI_FIXED_POS, &price, NULL, "P", "the price the paper venue fills at",
         .fmin = 1, .fmax = TL_FIXED_MAX},
        {"mode", CLI_STRING, &mode, NULL, "paper", "execution mode (only paper)"},
        {NULL},
    };
    cli_command cmd = {
        "paper execute",
        "--workspace W --intent-id I --action OPEN_LONG|CLOSE_LONG --symbol S --qty Q "
        "--fill-price P [--db URL] [--json | --format F]",
        "Executes one intent on the paper venue: MARKET, filled at once at --fill-price,\n"
        "long-only, full close only, cash checked. Prints the result; exit 0 filled, 3 duplicate\n"
        "(the intent id was executed before: nothing changes), 2 refused or malformed, 1 failure.",
        flags,
    };
    tl_store_options so;
    int rc = cli_parse(&cmd, argc, argv, 2);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK || (rc = check_common(&cmd, &c, &so)) != CLI_OK)
        return rc;
    /* qty and price are > 0 whenever given (CLI_FIXED_POS), so 0 means absent. */
    const char *missing = !intent_id   ? "--intent-id"
                          : !action    ? "--action"
                          : !symbol    ? "--symbol"
                          : qty == 0   ? "--qty"
                          : price == 0 ? "--fill-price"
                                       : NULL;
    if (missing)
        return cli_usage_error(&cmd, "%s is required", missing);
    int64_t ts = now_ns(&cmd, &rc);
    if (rc != CLI_OK)
        return rc;
    tl_paper_intent in = {c.workspace, intent_id, action, symbol, qty, price, mode, ts};
    tl_err err = {0};
    char key[TL_IDEM_KEY_MAX];
    if (tl_paper_intent_validate(&in, NULL, &err) != 0 ||
        tl_paper_idem_key(in.workspace, in.intent_id, in.mode, key, &err) != 0)
        return intent_usage(&cmd, err.msg);

    tl_store s;
    if ((rc = cli_open_store(&cmd, "db", c.db, &so, &s)) != CLI_OK)
        return rc;
    tl_paper_broker b;
    tl_paper_result r;
    rc = tl_paper_broker_init(&b, &s, TL_PAPER_DEFAULT_EQUITY);
    if (rc == 0)
        rc = execute_retrying(&s, c.db, &so, &b, &in, &r, &err);
    tl_paper_broker_close(&b);
    tl_store_close(&s);
    if (rc == TL_EINVAL || rc == TL_ENOTSUP)
        return intent_usage(&cmd, err.msg);
    if (rc != 0)
        return cli_fail(&cmd, "%s", err.msg[0] ? err.msg : tl_strerror(rc));
    if (!c.as_json) {
        print_result_line(&r);
        return fflush(stdout) == 0 && !ferror(stdout) ? result_exit(&r)
                                                       : cli_fail(&cmd, "writing the output failed");
    }
    tl_jw w;
    tl_jw_init(&w);
    tl_paper_result_json(&r, &w);
    rc = cli_print_json(&cmd, &w);
    return rc != CLI_OK ? rc : result_exit(&r);
}

/* ---------------------------------------------------------------------------------------- */
/* execute-batch */

/* Reads and checks the whole file first: a bad line refuses the batch before anything runs.
 * Read exactly: a UTF-8 byte-order mark at the start is skipped, a NUL byte anywhere is refused
 * (C strings would end there and silently drop the rest of the line), a first line that looks
 * like a header must be exactly BATCH_HEADER, and a file with no intent is refused. */
static int read_batch(cli_command *cmd, const char *path, const char *ws, batch_line **out,
                      size_t *n_out)
{
    char q[CLI_QUOTE_MAX + 4];
    const char *shown = cli_quote(path, q);
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return cli_usage_error(cmd, "--file: cannot open %s: %s", shown, strerror(errno));
    batch_line *v = NULL;
    size_t n = 0, cap = 0, len = 0;
    char *line = NULL;
    ssize_t got;
    unsigned long lineno = 0;
    int rc = CLI_OK;
    while ((got = getline(&line, &len, f)) >= 0) {
        lineno++;
        char *p = line;
        if (lineno == 1 && got >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
            p += 3;
            got -= 3;
        }
        size_t clen = strlen(p);
        if ((ssize_t)clen != got) {
            rc = cli_usage_error(cmd, "--file: %s line %lu: NUL byte at column %zu", shown,
                                 lineno, clen + 1);
            break;
        }
        while (got > 0 && (p[got - 1] == '\n' || p[got - 1] == '\r'))
            p[--got] = '\0';
        if (got == 0 || p[0] == '#')
            continue;
        if (lineno == 1 && strncmp(p, "intent_id", 9) == 0) {
            if (strcmp(p, BATCH_HEADER) != 0) {
                char h[CLI_QUOTE_MAX + 4];
                rc = cli_usage_error(cmd, "--file: %s line 1: header '%s' is not '%s'", shown,
                                     cli_quote(p, h), BATCH_HEADER);
                break;
            }
            continue;
        }
        if (TL_VEC_RESERVE(&v, &cap, n + 1) != 0) {
            rc = cli_fail(cmd, "out of memory reading %s", shown);
            break;
        }
        batch_line *bl = &v[n];
        memset(bl, 0, sizeof(*bl));
        bl->lineno = lineno;
        if (!(bl->buf = strdup(p))) {
            rc = cli_fail(cmd, "out of memory reading %s", shown);
            break;
        }
        n++;
        char why[300];
        if (tl_batch_parse_line(bl, ws, why, sizeof(why)) != 0) {
            rc = cli_usage_error(cmd, "--file: %s line %lu: %s", shown, lineno, why);
            break;
        }
    }
    if (rc == CLI_OK && ferror(f))
        rc = cli_usage_error(cmd, "--file: error reading %s: %s", shown, strerror(errno));
    if (rc == CLI_OK && n == 0)
        rc = cli_usage_error(cmd, "--file: %s holds no intent (%lu line%s read)", shown, lineno,
                             lineno == 1 ? "" : "s");
    free(line);
    if (f != stdin)
        fclose(f);
    if (rc != CLI_OK) {
        tl_batch_free(v, n);
        return rc;
    }
    *out = v;
    *n_out = n;
    return CLI_OK;
}

static int paper_execute_batch(int argc, char **argv)
{
    common c = {"tradeloop.db", NULL, "full", NULL, false, false};
    const char *file = NULL;
    cli_flag flags[] = {
        WRITE_FLAGS(c),
        {"file", CLI_STRING, &file, NULL, "FILE", "CSV intents, one a line (- for stdin)"},
        {NULL},
    };
    cli_command cmd = {
        "paper execute-batch",
        "--workspace W --file FILE [--db URL] [--durability full|normal] [--json | --format F]",
        "Executes intents read from FILE, one a line as CSV: intent_id,action,symbol,qty,\n"
        "fill_price (a first line exactly \"" BATCH_HEADER "\" and lines starting\n"
        "with # are skipped; a UTF-8 byte-order mark is skipped; a NUL byte, another header or a\n"
        "file without intents is refused). The whole file is checked first; then each intent is\n"
        "executed in order and durably, exactly as `paper execute` would, and one result line is\n"
        "printed per intent (JSON, or a line of text with --format table). Exit 0 when every\n"
        "intent got a result, 2 on a malformed file, 1 on a store failure or when a result\n"
        "cannot be written: the batch stops there (the intents before it are durable).",
        flags,
    };
    tl_store_options so;
    int rc = cli_parse(&cmd, argc, argv, 2);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK || (rc = check_common(&cmd, &c, &so)) != CLI_OK)
        return rc;
    if (!file)
        return cli_usage_error(&cmd, "--file is required");
    int64_t ts = now_ns(&cmd, &rc);
    if (rc != CLI_OK)
        return rc;
    batch_line *v = NULL;
    size_t n = 0;
    if ((rc = read_batch(&cmd, file, c.workspace, &v, &n)) != CLI_OK)
        return rc;

    tl_store s;
    if ((rc = cli_open_store(&cmd, "db", c.db, &so, &s)) != CLI_OK) {
        tl_batch_free(v, n);
        return rc;
    }
    tl_paper_broker b;
    tl_err err = {0};
    tl_jw w;
    tl_jw_init(&w);
    rc = tl_paper_broker_init(&b, &s, TL_PAPER_DEFAULT_EQUITY);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tl_paper_intent in = {c.workspace, v[i].f[0],  v[i].f[1], v[i].f[2],
                              v[i].qty,    v[i].price, NULL,      ts};
        tl_paper_result r;
        rc = execute_retrying(&s, c.db, &so, &b, &in, &r, &err);
        if (rc != 0) {
            fflush(stdout);
            rc =
                cli_fail(&cmd, "line %lu: %s", v[i].lineno, err.msg[0] ? err.msg : tl_strerror(rc));
            break;
        }
        if (c.as_json) {
            tl_jw_reset(&w);
            tl_paper_result_json(&r, &w);
            if (tl_jw_finish(&w) != 0) {
                rc = cli_fail(&cmd, "output: out of memory");
                break;
            }
            fwrite(w.buf, 1, w.len, stdout);
        } else {
            print_result_line(&r);
        }
        /* The result is durable; if it cannot be said, stop rather than execute the rest
         * into the void. */
        if (fflush(stdout) != 0 || ferror(stdout)) {
            rc = cli_fail(&cmd,
                          "line %lu: the result could not be written (%s); stopped after %zu of "
                          "%zu intents, which are executed and journaled",
                          v[i].lineno, strerror(errno), i + 1, n);
            break;
        }
    }
    tl_jw_free(&w);
    tl_paper_broker_close(&b);
    tl_store_close(&s);
    tl_batch_free(v, n);
    if (rc != 0)
        return rc < 0 ? cli_fail(&cmd, "%s", tl_strerror(rc)) : rc;
    return fflush(stdout) == 0 ? CLI_OK : cli_fail(&cmd, "writing the output failed");
}

/* ---------------------------------------------------------------------------------------- */
/* state, positions, reconcile */

static void print_state_table(const tl_paper_state *st, tl_paper_view view)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], c[TL_FIXED_STRLEN];
    if (view != TL_PAPER_VIEW_POSITIONS) {
        tl_fixed_format_dp(st->starting_equity, 2, a, sizeof(a));
        tl_fixed_format_dp(st->cash, 2, b, sizeof(b));
        tl_fixed_format_dp(st->realized_pnl, 2, c, sizeof(c));
        printf("workspace %s\n\nstarting equity %16s\ncash            %16s\nrealized P&L    %16s\n",
               st->workspace, a, b, c);
        if (view == TL_PAPER_VIEW_RECONCILE)
            printf("\njournal: %llu events, %llu fills replayed (%llu duplicates skipped), "
                   "%llu resets\n",
                   (unsigned long long)st->high_water, (unsigned long long)st->fills_replayed,
                   (unsigned long long)st->duplicates_skipped, (unsigned long long)st->resets);
        printf("\n");
    }
    printf("%-16s %20s %20s %16s\n", "symbol", "qty", "avg price", "realized");
    for (size_t i = 0; i < st->n_positions; i++) {
        const tl_position_row *p = &st->positions[i];
        tl_fixed_format(p->qty, a, sizeof(a));
        tl_fixed_format(p->avg_price, b, sizeof(b));
        tl_fixed_format_dp(p->realized_pnl, 2, c, sizeof(c));
        printf("%-16s %20s %20s %16s\n", p->symbol, a, b, c);
    }
    if (st->n_positions == 0)
        printf("(no open positions)\n");
    if (view != TL_PAPER_VIEW_POSITIONS)
        printf("\nstate digest    %s\n", st->state_digest);
    if (view == TL_PAPER_VIEW_RECONCILE)
        printf("snapshot digest %s (%s)\n", st->snapshot_digest,
               st->snapshot_match ? "matches" : "DIFFERS: snapshot rows out of date");
}

/* Prints a state as JSON or a table, and frees it. */
static int print_state(cli_command *cmd, const common *c, tl_paper_state *st, tl_paper_view view)
{
    int rc = CLI_OK;
    if (c->as_json) {
        tl_jw w;
        tl_jw_init(&w);
        tl_paper_state_json(st, view, &w);
        rc = cli_print_json(cmd, &w);
    } else {
        print_state_table(st, view);
    }
    tl_paper_state_free(st);
    return rc;
}

static int paper_show(int argc, char **argv, tl_paper_view view)
{
    common c = {"tradeloop.db", NULL, "full", NULL, false, false};
    cli_flag flags[] = {READ_FLAGS(c), {NULL}};
    const char *name = view == TL_PAPER_VIEW_STATE       ? "paper state"
                       : view == TL_PAPER_VIEW_POSITIONS ? "paper positions"
                                                         : "paper reconcile";
    cli_command cmd = {
        name,
        "--workspace W [--db URL] [--json | --format F]",
        view == TL_PAPER_VIEW_STATE
            ? "Prints the workspace's state rebuilt from the journal: starting equity, cash,\n"
              "realized P&L, open positions and the state digest. Reads only."
        : view == TL_PAPER_VIEW_POSITIONS
            ? "Prints the workspace's open positions, rebuilt from the journal. Reads only."
            : "Rebuilds the workspace from the journal alone (its last reset, then ORDER_FILLED\n"
              "events deduplicated by trade id) and prints the state, the fills replayed, the\n"
              "state digest, and whether the stored snapshot rows agree with it (exit 1 when they\n"
              "do not). Reads only.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 2);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK || (rc = check_common(&cmd, &c, NULL)) != CLI_OK)
        return rc;
    /* Read-only: nothing is created, migrated or written, even into an empty file. */
    tl_store s;
    if ((rc = cli_open_store(&cmd, "db", c.db, NULL, &s)) != CLI_OK)
        return rc;
    tl_paper_state st;
    tl_err err = {0};
    /* A workspace that holds no event is a typo or the wrong database: say so, rather than
     * show what a fresh account would hold. */
    tl_workspace_info wi;
    rc = tl_store_workspace_info(&s, c.workspace, &wi, &err);
    if (rc == TL_ENOTFOUND) {
        tl_store_close(&s);
        char q[CLI_QUOTE_MAX + 4];
        return cli_value_error(&cmd, "workspace", "'%s' has no events in %s", c.workspace,
                               cli_quote(c.db, q));
    }
    if (rc != 0) {
        tl_store_close(&s);
        return cli_fail(&cmd, "%s", err.msg[0] ? err.msg : tl_strerror(rc));
    }
    rc = view == TL_PAPER_VIEW_RECONCILE ? tl_paper_reconcile(&s, c.workspace, &st, &err)
                                         : tl_paper_state_get(&s, c.workspace, &st, &err);
    tl_store_close(&s);
    if (rc != 0)
        return cli_fail(&cmd, "%s", err.msg[0] ? err.msg : tl_strerror(rc));
    bool mismatch = view == TL_PAPER_VIEW_RECONCILE && !st.snapshot_match;
    if ((rc = print_state(&cmd, &c, &st, view)) != 0)
        return rc;
    /* The report is printed either way; a snapshot that disagrees with the journal is a
     * failure a script must see. */
    if (mismatch)
        return cli_fail(&cmd, "the stored snapshot rows of '%s' differ from the journal's state",
                        c.workspace);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* reset */

static int paper_reset(int argc, char **argv)
{
    common c = {"tradeloop.db", NULL, "full", NULL, false, false};
    tl_fixed equity = TL_PAPER_DEFAULT_EQUITY;
    cli_flag flags[] = {
        WRITE_FLAGS(c),
        {"starting-equity", CLI_FIXED_POS, &equity, NULL, "X", "starting cash (10000)",
         .fmin = 1, .fmax = TL_FIXED_INT(10000000000)},
        {NULL},
    };
    cli_command cmd = {
        "paper reset",
        "--workspace W [--starting-equity X] [--db URL] [--json | --format F]",
        "Starts the workspace over: appends a WORKSPACE_RESET (cash = starting equity, no\n"
        "positions). The journal stays append-only: earlier events and intent ids are kept, so\n"
        "an intent id used before the reset is still a duplicate after it.",
        flags,
    };
    tl_store_options so;
    int rc = cli_parse(&cmd, argc, argv, 2);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK || (rc = check_common(&cmd, &c, &so)) != CLI_OK)
        return rc;
    int64_t ts = now_ns(&cmd, &rc);
    if (rc != CLI_OK)
        return rc;
    tl_store s;
    if ((rc = cli_open_store(&cmd, "db", c.db, &so, &s)) != CLI_OK)
        return rc;
    tl_err err = {0};
    tl_paper_state st;
    rc = tl_paper_reset(&s, c.workspace, equity, ts, &err);
    if (rc == TL_EINVAL) {
        tl_store_close(&s);
        return cli_value_error(&cmd, "workspace", "%s", err.msg);
    }
    if (rc == 0)
        rc = tl_paper_state_get(&s, c.workspace, &st, &err);
    tl_store_close(&s);
    if (rc != 0)
        return cli_fail(&cmd, "%s", err.msg[0] ? err.msg : tl_strerror(rc));
    return print_state(&cmd, &c, &st, TL_PAPER_VIEW_STATE);
}

/* ---------------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} verbs[] = {
    {"execute", paper_execute, "execute one intent (exit 0 filled, 3 duplicate, 2 refused)"},
    {"execute-batch", paper_execute_batch, "execute CSV intents from a file, one JSON line each"},
    {"state", NULL, "cash, realized P&L, positions and digest, rebuilt from the journal"},
    {"positions", NULL, "open positions, rebuilt from the journal"},
    {"reconcile", NULL, "rebuild from the journal: state, fills replayed, digest, snapshot check"},
    {"reset", paper_reset, "start a workspace over with a starting equity"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: tradeloop paper VERB [flags]   (tradeloop paper VERB --help)\n\n"
                 "The paper broker: fills at the caller's price, journals everything.\n\nverbs:\n");
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        fprintf(out, "  %-14s %s\n", verbs[i].name, verbs[i].summary);
}

int tl_cmd_paper(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "tradeloop paper: missing verb (see tradeloop paper --help)\n");
        return CLI_USAGE;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(verb, "state") == 0)
        return paper_show(argc, argv, TL_PAPER_VIEW_STATE);
    if (strcmp(verb, "positions") == 0)
        return paper_show(argc, argv, TL_PAPER_VIEW_POSITIONS);
    if (strcmp(verb, "reconcile") == 0)
        return paper_show(argc, argv, TL_PAPER_VIEW_RECONCILE);
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (verbs[i].run && strcmp(verb, verbs[i].name) == 0)
            return verbs[i].run(argc, argv);
    fprintf(stderr, "tradeloop paper: unknown verb '%s' (see tradeloop paper --help)\n", verb);
    return CLI_USAGE;
}
