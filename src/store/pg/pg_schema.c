/*
 * pg_schema.c -- creates, checks and migrates the PostgreSQL journal schema.
 *
 * tradeloop_meta says whose database this is ('application' = 'tradeloop') and which schema
 * version it holds. A new database gets tradeloop_meta first, as version 0; migrations[i] then
 * takes a database from version i to i + 1 (migrations[0] creates the journal and its
 * projections), so an old database is brought up to date step by step and a new one runs them
 * all. The whole check-and-migrate runs in one transaction under an advisory lock, so
 * engines opening the same database at the same time do it once, and a failure leaves nothing.
 *
 * Tables are looked up in the session's current schema (normally public; a URL may choose
 * another with options=-csearch_path=NAME). A schema that already holds tables but no
 * tradeloop_meta belongs to someone else and is refused rather than written into.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"

/* Money in trade_events is exact integers of 1e-8 units; the orders and trades projections use
 * NUMERIC(20,8) like seed 002's DECIMAL(20,8); positions and accounts too, so that people can
 * read them. Times are integer nanoseconds since the epoch (engine time, exact). side and
 * status are names in the projections ('BUY', 'FILLED') and small integers in the journal. */
static const char schema_v1[] =
    "CREATE TABLE trade_events ("
    " seq BIGINT PRIMARY KEY CHECK (seq > 0),"
    " ts_ns BIGINT NOT NULL,"
    " workspace TEXT NOT NULL,"
    " type SMALLINT NOT NULL,"
    " order_id TEXT NOT NULL DEFAULT '',"
    " idem_key TEXT NOT NULL DEFAULT '',"
    " symbol TEXT NOT NULL DEFAULT '',"
    " side SMALLINT NOT NULL DEFAULT 0,"
    " status SMALLINT NOT NULL DEFAULT 0,"
    " trade_id TEXT NOT NULL DEFAULT '',"
    " qty BIGINT NOT NULL DEFAULT 0,"
    " price BIGINT NOT NULL DEFAULT 0,"
    " fee BIGINT NOT NULL DEFAULT 0,"
    " text TEXT NOT NULL DEFAULT '');"
    /* find_idem: the first event carrying a key. Partial: most events carry none. */
    "CREATE INDEX trade_events_idem ON trade_events (idem_key, seq) WHERE idem_key <> '';"
    /* An intent is emitted once: two engines racing on one idempotency key cannot both commit. */
    "CREATE UNIQUE INDEX trade_events_intent_once ON trade_events (idem_key)"
    " WHERE type = 1 AND idem_key <> '';"
    /* The rare types (RISK_FROZEN 14, KILL_SWITCH 15, FILL_REFUSED 17, WORKSPACE_RESET 18), as on
     * SQLite: replay looks for a workspace's resets before its fills, and finds these few rows
     * here instead of by reading the whole journal. Other events only pay the predicate. */
    "CREATE INDEX trade_events_rare ON trade_events (type, seq) WHERE " TL__PG_RARE_TYPES ";"
    "CREATE TABLE orders ("
    " workspace TEXT NOT NULL,"
    " order_id TEXT NOT NULL,"
    " symbol TEXT NOT NULL,"
    " side TEXT NOT NULL,"
    " quantity NUMERIC(20,8) NOT NULL,"
    " price NUMERIC(20,8),"
    " status TEXT NOT NULL,"
    " filled_qty NUMERIC(20,8) NOT NULL DEFAULT 0,"
    " created_at BIGINT NOT NULL,"
    " filled_at BIGINT,"
    " reject_reason TEXT,"
    " UNIQUE (workspace, order_id))"
    /* Room for HOT updates: a status change rewrites the row without touching the index. */
    " WITH (fillfactor = 80);"
    "CREATE TABLE trades ("
    " workspace TEXT NOT NULL,"
    " trade_id TEXT NOT NULL,"
    /* NULL for a fill of no order. It references orders (workspace, order_id); pg_copy.c checks
     * that when it writes, rather than a declared foreign key whose per-row trigger would cost
     * more than the insert itself. */
    " order_id TEXT,"
    " symbol TEXT NOT NULL,"
    " side TEXT NOT NULL,"
    " quantity NUMERIC(20,8) NOT NULL,"
    " price NUMERIC(20,8) NOT NULL,"
    " fee NUMERIC(20,8) NOT NULL DEFAULT 0,"
    " ts BIGINT NOT NULL,"
    " UNIQUE (workspace, trade_id));"
    "CREATE TABLE positions ("
    " workspace TEXT NOT NULL,"
    " symbol TEXT NOT NULL,"
    " qty NUMERIC(20,8) NOT NULL,"
    " avg_price NUMERIC(20,8) NOT NULL,"
    " realized_pnl NUMERIC(20,8) NOT NULL,"
    " fees NUMERIC(20,8) NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " PRIMARY KEY (workspace, symbol));"
    "CREATE TABLE accounts ("
    " workspace TEXT PRIMARY KEY,"
    " starting_cash NUMERIC(20,8) NOT NULL,"
    " cash NUMERIC(20,8) NOT NULL,"
    " realized_pnl NUMERIC(20,8) NOT NULL,"
    " fees NUMERIC(20,8) NOT NULL,"
    " updated_at BIGINT NOT NULL);";

_Static_assert(TL_EV_INTENT_EMITTED == 1 && TL_EV_ORDER_FILLED == 8 && TL_EV_RISK_FROZEN == 14 &&
                   TL_EV_KILL_SWITCH == 15 && TL_EV_CANCEL_REQUESTED == 16 &&
                   TL_EV_FILL_REFUSED == 17 && TL_EV_WORKSPACE_RESET == 18,
               "the partial indexes name these event types by value");

/* v2: where each workspace's events lie (backfilled; a workspace's scan starts at its first
 * seq), the names
 * of the event types (upserted at every open, see fill_event_types) and a view people can read:
 * the type's name and qty/price/fee as exact decimals. The other tables hold NUMERIC already. */
static const char schema_v2[] =
    "CREATE TABLE workspaces ("
    " workspace TEXT PRIMARY KEY,"
    " first_seq BIGINT NOT NULL,"
    " last_seq BIGINT NOT NULL);"
    "INSERT INTO workspaces (workspace, first_seq, last_seq)"
    " SELECT workspace, min(seq), max(seq) FROM trade_events GROUP BY workspace;"
    "CREATE TABLE event_types (type SMALLINT PRIMARY KEY, name TEXT NOT NULL);"
    "CREATE VIEW events_v AS SELECT e.seq, e.ts_ns,"
    " timestamptz 'epoch' + (e.ts_ns / 1000) * interval '1 microsecond' AS time, e.workspace,"
    " e.type, coalesce(t.name, '?') AS name, e.order_id, e.idem_key, e.symbol, e.side, e.status,"
    " e.trade_id, trim_scale(e.qty / 100000000::numeric) AS qty,"
    " trim_scale(e.price / 100000000::numeric) AS price,"
    " trim_scale(e.fee / 100000000::numeric) AS fee, e.text"
    " FROM trade_events e LEFT JOIN event_types t ON t.type = e.type;";

/* v3: the fills, which replay reads (a third of a workspace's events), found without reading the
 * two thirds that are not: the fills' scan names the type, so its plan can use this index, in
 * seq order (pg_read.c; docs/PERFORMANCE.md). Its keys are unique and only ever appended at
 * the end: full pages (no room kept for inserts that never come) and no deduplication pass
 * before a page split (there is nothing to deduplicate), which makes it cheaper to append. */
static const char schema_v3[] =
    "CREATE INDEX trade_events_fills ON trade_events (seq)"
    " WITH (fillfactor = 100, deduplicate_items = off) WHERE " TL__PG_FILLS ";";

/* v4: how other processes talk to a running engine (pg_ctl.c). The control inbox, ids from an
 * identity column (pg_ctl.c makes them visible in ascending order), the lengths the dispatcher
 * enforces checked again against rows written by hand, the pending rows indexed alone; the
 * status documents, one row per name. */
static const char schema_v4[] =
    "CREATE TABLE control ("
    " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " ts_ns BIGINT NOT NULL,"
    " command TEXT NOT NULL CHECK (octet_length(command) BETWEEN 1 AND 15),"
    " arg TEXT NOT NULL DEFAULT '' CHECK (octet_length(arg) <= 127),"
    " taken_seq BIGINT CHECK (taken_seq > 0),"
    " taken_ns BIGINT,"
    " CHECK ((taken_seq IS NULL) = (taken_ns IS NULL)));"
    "CREATE INDEX control_pending ON control (id) WHERE taken_seq IS NULL;"
    "CREATE TABLE loop_status ("
    " name TEXT PRIMARY KEY,"
    " ts_ns BIGINT NOT NULL,"
    " doc TEXT NOT NULL);";
_Static_assert(TL_CONTROL_COMMAND_MAX == 16 && TL_CONTROL_ARG_MAX == 128,
               "the control table's CHECKs name these lengths");

/* v5: the RFQ desk's rows (pg_desk.c). Money as BIGINT 1e-8 units like trade_events, with
 * views of exact decimals; quotes and lp_quotes are append-only logs whose identity column is
 * the insertion order, the reads' last key; the indexes serve the reads (the newest rows by
 * time, the rows of a request together). The CHECKs name what desk_rows.c accepts. */
#define DESK_DEC(c)      "trim_scale(" c " / 100000000::numeric) AS " c
#define DESK_TIME(c, as) "timestamptz 'epoch' + (" c " / 1000) * interval '1 microsecond' AS " as
static const char
    schema_v5[] =
        "CREATE TABLE quotes ("
        " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " workspace TEXT NOT NULL,"
        " quote_id TEXT NOT NULL,"
        " ts_ns BIGINT NOT NULL,"
        " symbol TEXT NOT NULL,"
        " side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),"
        " amount BIGINT NOT NULL,"
        " amount_asset TEXT NOT NULL,"
        " lp TEXT NOT NULL,"
        " lp_quote_id TEXT NOT NULL DEFAULT '',"
        " lp_price BIGINT NOT NULL,"
        " client_price BIGINT NOT NULL,"
        " valid_until_ns BIGINT NOT NULL,"
        " event TEXT NOT NULL CHECK (event IN ('locked', 'improved', 'expired', 'canceled')));"
        "CREATE INDEX quotes_ts ON quotes (ts_ns, id);"
        "CREATE TABLE lp_quotes ("
        " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " workspace TEXT NOT NULL,"
        " request_id TEXT NOT NULL,"
        " ts_ns BIGINT NOT NULL,"
        " lp TEXT NOT NULL,"
        " lp_quote_id TEXT NOT NULL DEFAULT '',"
        " symbol TEXT NOT NULL,"
        " side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),"
        " amount BIGINT NOT NULL,"
        " status TEXT NOT NULL CHECK (status IN ('quoted', 'refused', 'late')),"
        " bid BIGINT NOT NULL,"
        " ask BIGINT NOT NULL,"
        " price BIGINT NOT NULL,"
        " response_ns BIGINT NOT NULL,"
        " won SMALLINT NOT NULL CHECK (won IN (0, 1)),"
        " reason TEXT NOT NULL DEFAULT '');"
        "CREATE INDEX lp_quotes_request ON lp_quotes (request_id COLLATE \"C\", id);"
        "CREATE TABLE executions ("
        " execution_id TEXT PRIMARY KEY,"
        " ts_ns BIGINT NOT NULL,"
        " workspace TEXT NOT NULL,"
        " quote_id TEXT NOT NULL,"
        " status TEXT NOT NULL CHECK (status IN ('SUCCESS', 'FAILED')),"
        " lp TEXT NOT NULL,"
        " hedge_side TEXT NOT NULL CHECK (hedge_side IN ('BUY', 'SELL')),"
        " hedge_base_qty BIGINT NOT NULL,"
        " hedge_quote_qty BIGINT NOT NULL,"
        " executed_qty BIGINT NOT NULL,"
        " avg_price BIGINT NOT NULL,"
        " commission BIGINT NOT NULL,"
        " pnl BIGINT NOT NULL,"
        " pnl_asset TEXT NOT NULL DEFAULT '',"
        " pnl_after_fees BIGINT NOT NULL,"
        " pnl_bps BIGINT NOT NULL,"
        " error TEXT NOT NULL DEFAULT '');"
        "CREATE INDEX executions_ts ON executions (ts_ns, execution_id COLLATE \"C\");"
        "CREATE VIEW quotes_v AS SELECT id, workspace, quote_id, ts_ns, " DESK_TIME("ts_ns", "time") ", symbol, side, " DESK_DEC("amount") ", amount_asset, lp, lp_quote_id, " DESK_DEC("lp_price") ", " DESK_DEC("client_price") ", " DESK_TIME("valid_until_ns",
                                                                                                                                                                                                                                                 "valid_until") ", event FROM quotes;"
                                                                                                                                                                                                                                                                "CREATE VIEW lp_quotes_v AS SELECT id, workspace, request_id, ts_ns, " DESK_TIME("ts_ns", "time") ", lp, lp_quote_id, symbol, side, " DESK_DEC("amount") ", status, " DESK_DEC("bid") ", " DESK_DEC("ask") ", " DESK_DEC("price") ", response_ns, won, reason FROM lp_quotes;"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                  "CREATE VIEW executions_v AS SELECT execution_id, ts_ns, " DESK_TIME(
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                      "ts_ns",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                      "time") ", workspace, quote_id, status, lp, hedge_side, " DESK_DEC("hedge_base_qty") ", " DESK_DEC("hedge_quote_qty") ", " DESK_DEC("executed_qty") ", " DESK_DEC("avg_price") ", " DESK_DEC("commission") ", " DESK_DEC("pnl") ", pnl_asset, " DESK_DEC("pnl_after_fees") ", " DESK_DEC("pnl_bps") ", error FROM executions;";
#undef DESK_DEC
#undef DESK_TIME

/* v6: the newest orders without sorting the table (pg_orders.c): of every workspace, of one,
 * in the reads' byte order (COLLATE "C"). Neither key changes when an order does, so its
 * updates stay HOT (the table's fillfactor). IF NOT EXISTS: a database marked older by hand may
 * hold them already. */
static const char schema_v6[] = "CREATE INDEX IF NOT EXISTS orders_created ON orders"
                                " (created_at, workspace COLLATE \"C\", order_id COLLATE \"C\");"
                                "CREATE INDEX IF NOT EXISTS orders_ws_created ON orders "
                                "(workspace, created_at, order_id COLLATE \"C\");";

/* v7: find_idem reads the key's INTENT_EMITTED through the unique index (trade_events_intent_once)
 * that already made it once; the index of every event carrying a key cost each of an intent's
 * seven events an insert (docs/PERFORMANCE.md). */
static const char schema_v7[] = "DROP INDEX IF EXISTS trade_events_idem";

/* v8: run plans and their variants (pg_runs.c), figures as BIGINT 1e-8 units like the journal,
 * NULL where a figure is absent, with a view of exact decimals. The indexes serve the reads in
 * their byte order (COLLATE "C"): the newest plans, a plan's variants in order. The CHECKs name
 * what run_rows.c accepts, for rows written by hand. IF NOT EXISTS: a database marked older by
 * hand may hold them already. */
/* clang-format off */
#define RUN_DEC(c) "trim_scale(" c " / 100000000::numeric) AS " c
static const char schema_v8[] =
    "CREATE TABLE IF NOT EXISTS run_plans ("
    " run_plan_id TEXT PRIMARY KEY CHECK (octet_length(run_plan_id) = 16),"
    " created_ns BIGINT NOT NULL,"
    " strategy TEXT NOT NULL,"
    " symbol TEXT NOT NULL,"
    " spec TEXT NOT NULL,"
    " data_name TEXT NOT NULL,"
    " bars BIGINT NOT NULL CHECK (bars >= 0),"
    " variants BIGINT NOT NULL CHECK (variants >= 1));"
    "CREATE INDEX IF NOT EXISTS run_plans_created ON run_plans"
    " (created_ns DESC, run_plan_id COLLATE \"C\");"
    "CREATE TABLE IF NOT EXISTS run_variants ("
    " run_plan_id TEXT NOT NULL REFERENCES run_plans (run_plan_id),"
    " variant_id TEXT NOT NULL CHECK (octet_length(variant_id) = 16),"
    " ord BIGINT NOT NULL CHECK (ord >= 0),"
    " kind TEXT NOT NULL CHECK (kind IN ('baseline', 'grid', 'ablation')),"
    " workspace TEXT NOT NULL,"
    " overrides TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('done', 'failed')),"
    " error TEXT NOT NULL DEFAULT '',"
    " trade_count BIGINT NOT NULL CHECK (trade_count >= 0),"
    " return_pct BIGINT NOT NULL,"
    " max_drawdown_pct BIGINT NOT NULL,"
    " sharpe BIGINT,"
    " win_rate BIGINT,"
    " profit_factor BIGINT,"
    " ending_equity BIGINT NOT NULL,"
    " state_digest TEXT NOT NULL DEFAULT '',"
    " finished_ns BIGINT NOT NULL,"
    " PRIMARY KEY (run_plan_id, variant_id));"
    "CREATE INDEX IF NOT EXISTS run_variants_ord ON run_variants"
    " (run_plan_id, ord, variant_id COLLATE \"C\");"
    "CREATE OR REPLACE VIEW run_variants_v AS SELECT run_plan_id, variant_id, ord, kind,"
    " workspace, overrides, status, error, trade_count, " RUN_DEC("return_pct") ", "
    RUN_DEC("max_drawdown_pct") ", " RUN_DEC("sharpe") ", " RUN_DEC("win_rate") ", "
    RUN_DEC("profit_factor") ", " RUN_DEC("ending_equity") ", state_digest, finished_ns,"
    " timestamptz 'epoch' + (finished_ns / 1000) * interval '1 microsecond' AS finished"
    " FROM run_variants;";
#undef RUN_DEC
/* clang-format on */

/* What a new database gets first: it is version 0 until the migrations have run. */
static const char bootstrap[] =
    "CREATE TABLE tradeloop_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

/* migrations[v] upgrades schema version v to v + 1. Append; never edit a released step. */
static const char *const migrations[] = {
    schema_v1, schema_v2, schema_v3, schema_v4, schema_v5, schema_v6, schema_v7, schema_v8,
};
_Static_assert(sizeof migrations / sizeof migrations[0] == TL_STORE_SCHEMA_VERSION,
               "one migration step per schema version");

/* Serialises schema set-up between engines that open the same database at once. */
#define SCHEMA_LOCK_SQL "SELECT pg_advisory_xact_lock(7308604897068083712)"

static int query_rows(tl__pg *pg, const char *sql, int nparams, const char *const *params,
                      const char *what, PGresult **out, tl_err *err)
{
    PGresult *res = PQexecParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tl__pg_fail(pg, res, what, err);
    *out = res;
    return 0;
}

/* Reads tradeloop_meta: 0 and *version, or TL_ECORRUPT / TL_EVERSION. */
static int read_meta(tl__pg *pg, int *version, tl_err *err)
{
    PGresult *res = NULL;
    int rc = query_rows(pg,
                        "SELECT key, value FROM tradeloop_meta"
                        " WHERE key IN ('application', 'schema_version')",
                        0, NULL, "reading tradeloop_meta", &res, err);
    if (rc)
        return rc;
    const char *app = NULL, *ver = NULL;
    for (int i = 0; i < PQntuples(res); i++) {
        if (strcmp(PQgetvalue(res, i, 0), "application") == 0)
            app = PQgetvalue(res, i, 1);
        else
            ver = PQgetvalue(res, i, 1);
    }
    if (!app || strcmp(app, "tradeloop") != 0) {
        rc = tl_err_set(err, TL_ECORRUPT,
                        "not a tradeloop database (tradeloop_meta has no application "
                        "'tradeloop')");
        goto out;
    }
    char *end = NULL;
    long v = ver ? strtol(ver, &end, 10) : -1;
    if (!ver || end == ver || *end != '\0' || v < 0 || v > 1000000) {
        rc = tl_err_set(err, TL_ECORRUPT, "corrupt tradeloop database: bad schema_version '%s'",
                        ver ? ver : "(missing)");
        goto out;
    }
    if (v > TL_STORE_SCHEMA_VERSION) {
        rc = tl_err_set(err, TL_EVERSION,
                        "database schema version %ld is newer than this tradeloop supports "
                        "(%d): upgrade tradeloop",
                        v, TL_STORE_SCHEMA_VERSION);
        goto out;
    }
    *version = (int)v;
out:
    PQclear(res);
    return rc;
}

/* Tables, views and the like in the current schema: a database with some but no
 * tradeloop_meta is someone else's. */
static int count_relations(tl__pg *pg, long *n, tl_err *err)
{
    PGresult *res = NULL;
    int rc = query_rows(pg,
                        "SELECT count(*) FROM pg_catalog.pg_class c"
                        " JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace"
                        " WHERE s.nspname = current_schema()"
                        " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
                        0, NULL, "listing tables", &res, err);
    if (rc)
        return rc;
    *n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* Upserts every name of TL_EVENT_TYPE_MAP, so a new event type needs no migration; rows that
 * already hold the name are left alone (no dead tuples at every open). */
static int fill_event_types(tl__pg *pg, tl_err *err)
{
    char types[4 * TL_EV__MAX + 3], names[32 * TL_EV__MAX + 3];
    char *t = types, *n = names;
    *t++ = '{';
    *n++ = '{';
    for (int i = 1; i <= TL_EV__MAX; i++) {
        t += snprintf(t, sizeof types - (size_t)(t - types), "%s%d", i > 1 ? "," : "", i);
        n += snprintf(n, sizeof names - (size_t)(n - names), "%s%s", i > 1 ? "," : "",
                      tl_event_type_name(i));
    }
    strcpy(t, "}");
    strcpy(n, "}");
    const char *params[2] = {types, names};
    PGresult *res = PQexecParams(pg->conn,
                                 "INSERT INTO event_types (type, name)"
                                 " SELECT * FROM unnest($1::smallint[], $2::text[])"
                                 " ON CONFLICT (type) DO UPDATE SET name = excluded.name"
                                 " WHERE event_types.name <> excluded.name",
                                 2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return tl__pg_fail(pg, res, "writing event_types", err);
    PQclear(res);
    return 0;
}

/* Whether tradeloop_meta exists in the current schema. */
static int has_meta(tl__pg *pg, int *yes, tl_err *err)
{
    PGresult *res = NULL;
    int rc = query_rows(pg,
                        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
                        " JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace"
                        " WHERE s.nspname = current_schema() AND c.relname = 'tradeloop_meta')",
                        0, NULL, "looking for tradeloop_meta", &res, err);
    if (rc)
        return rc;
    *yes = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return 0;
}

int tl__pg_schema_check(tl__pg *pg, tl_err *err)
{
    int yes = 0, version = 0;
    int rc = has_meta(pg, &yes, err);
    if (rc == 0 && !yes)
        rc = tl_err_set(err, TL_ENOTFOUND, "no tradeloop journal in this database");
    if (rc == 0)
        rc = read_meta(pg, &version, err);
    if (rc == 0 && version < TL_STORE_SCHEMA_VERSION)
        rc = tl_err_set(err, TL_EVERSION,
                        "database schema version %d is older than this tradeloop's (%d); open it "
                        "once for writing (e.g. tradeloop reconcile --db) to migrate it",
                        version, TL_STORE_SCHEMA_VERSION);
    return rc;
}

static int schema_in_tx(tl__pg *pg, tl_err *err)
{
    int rc = tl__pg_exec(pg, SCHEMA_LOCK_SQL, "locking the schema", err);
    if (rc)
        return rc;

    PGresult *res = NULL;
    int meta = 0;
    if ((rc = has_meta(pg, &meta, err)) != 0)
        return rc;

    int version = 0;
    if (meta) {
        rc = read_meta(pg, &version, err);
        if (rc)
            return rc;
        if (version == TL_STORE_SCHEMA_VERSION)
            return fill_event_types(pg, err);
    } else {
        long n = 0;
        rc = count_relations(pg, &n, err);
        if (rc)
            return rc;
        if (n > 0)
            return tl_err_set(err, TL_ECORRUPT,
                              "not a tradeloop database: it holds %ld tables but no "
                              "tradeloop_meta",
                              n);
        rc = tl__pg_exec(pg, bootstrap, "creating tradeloop_meta", err);
        if (rc)
            return rc;
    }

    for (int v = version; v < TL_STORE_SCHEMA_VERSION; v++) {
        char what[64];
        snprintf(what, sizeof what, "migrating the schema to version %d", v + 1);
        rc = tl__pg_exec(pg, migrations[v], what, err);
        if (rc)
            return rc;
    }

    char vbuf[16];
    snprintf(vbuf, sizeof vbuf, "%d", TL_STORE_SCHEMA_VERSION);
    const char *params[1] = {vbuf};
    res = PQexecParams(pg->conn,
                       "INSERT INTO tradeloop_meta (key, value)"
                       " VALUES ('application', 'tradeloop'), ('schema_version', $1)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return tl__pg_fail(pg, res, "writing tradeloop_meta", err);
    PQclear(res);
    return fill_event_types(pg, err);
}

int tl__pg_schema(tl__pg *pg, tl_err *err)
{
    int rc = tl__pg_exec(pg, "BEGIN", "BEGIN", err);
    if (rc)
        return rc;
    rc = schema_in_tx(pg, err);
    if (rc) {
        if (PQstatus(pg->conn) == CONNECTION_OK)
            PQclear(PQexec(pg->conn, "ROLLBACK"));
        return rc;
    }
    return tl__pg_exec(pg, "COMMIT", "COMMIT of the schema", err);
}
