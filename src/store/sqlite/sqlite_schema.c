/*
 * sqlite_schema.c -- opening a SQLite journal: the URL, what the file is, pragmas, the schema.
 *
 * Opening never writes to a file before it is known to be tradeloop's (or empty): a foreign
 * database, a file that is not a database, or one from a newer tradeloop is refused untouched
 * (even its journal mode is left alone). Only then are WAL and the durability pragmas set and the
 * schema created or migrated, inside one BEGIN IMMEDIATE transaction that doubles as the write
 * probe: a store that cannot take the write lock refuses to open rather than accept orders it
 * could not persist.
 *
 * Money on SQLite: it has no DECIMAL, and REAL would lose cents, so every DECIMAL(20,8) column of
 * the logical schema (orders.quantity, trades.price, ...) is an INTEGER count of 1e-8 units, the
 * tl_fixed value itself; 1.5 is stored as 150000000. Timestamps are INTEGER nanoseconds since the
 * Unix epoch. Tables are STRICT, so a value of the wrong type cannot get in.
 *
 * Keys and indexes, each paid for on every append: orders and trades are WITHOUT ROWID tables
 * whose PRIMARY KEY is the logical schema's UNIQUE (workspace, order_id) / (workspace, trade_id),
 * one b-tree each instead of a table plus a unique index. The trades -> orders FOREIGN KEY is
 * declared (PRAGMA foreign_key_check checks a file against it) and enforced by the write, which
 * knows each fill's order from folding the batch (sqlite_write.c), instead of by SQLite, whose
 * check opened a cursor and searched orders for every trade row: a tenth of an append.
 * trade_events has its seq as the rowid, a partial index of idempotency keys (only events that
 * carry one), a partial unique index that lets a key be emitted as an intent once, and a partial
 * index of the rare types (resets, kill switch, freezes, refused fills) so a replay finds the
 * last reset without walking the journal.
 * There is no index on type for the common types: fills are a third of a journal, and walking the
 * table in seq order reads them 1.5 times faster than an index whose every entry costs a seek back
 * into the table -- while such an index would cost every append a second b-tree insert (about 40%
 * of the event insert).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "store/sqlite/sqlite_int.h"

/* 64 MiB of page cache (negative = KiB): replays and big batches stay out of the file system. */
#define CACHE_KIB    65536
#define BUSY_TIMEOUT 5000 /* ms another process may hold the write lock before TL_EBUSY */

/* An integer count of 1e-8 units as exact decimal text, for people: 1000000 -> '0.01',
 * -150000000 -> '-1.5', 0 -> '0'. Integer arithmetic only (a REAL would round). */
#define DEC(c)                                                                                     \
    "(CASE WHEN " c " < 0 THEN '-' ELSE '' END || (abs(" c ") / 100000000) || CASE WHEN abs(" c    \
    ") % 100000000 = 0 THEN '' ELSE '.' || rtrim(printf('%08d', abs(" c                            \
    ") % 100000000), '0') END)"
/* Nanoseconds since the epoch as UTC ISO 8601, to the nanosecond. */
#define ISO(c)                                                                                     \
    "(strftime('%Y-%m-%dT%H:%M:%S', " c " / 1000000000, 'unixepoch') || '.' || printf('%09d', " c  \
    " % 1000000000) || 'Z')"

/*
 * Schema migrations: entry i takes the schema from version i to version i + 1, inside the open
 * transaction. A new database starts at version 0 (tradeloop_meta alone) and runs them all.
 * Append; never edit a released step.
 */
static const char *const migrations[] = {
    /* v1: the journal and its projections. */
    "CREATE TABLE trade_events ("
    " seq INTEGER PRIMARY KEY," /* the rowid: appends go to the end of one b-tree */
    " ts_ns INTEGER NOT NULL,"
    " workspace TEXT NOT NULL,"
    " type INTEGER NOT NULL,"
    " order_id TEXT NOT NULL,"
    " idem_key TEXT NOT NULL,"
    " symbol TEXT NOT NULL,"
    " side INTEGER NOT NULL,"
    " status INTEGER NOT NULL,"
    " trade_id TEXT NOT NULL,"
    " qty INTEGER NOT NULL," /* 1e-8 units */
    " price INTEGER NOT NULL,"
    " fee INTEGER NOT NULL,"
    " text TEXT NOT NULL) STRICT;"
    "CREATE INDEX trade_events_idem ON trade_events (idem_key) WHERE idem_key <> '';"
    /* An intent is emitted once: two engines racing on one idempotency key cannot both commit. */
    "CREATE UNIQUE INDEX trade_events_intent_once ON trade_events (idem_key)"
    " WHERE type = 1 AND idem_key <> '';"
    "CREATE INDEX trade_events_rare ON trade_events (type, seq) WHERE " TL__SQ_RARE_TYPES ";"
    "CREATE TABLE orders ("
    " workspace TEXT NOT NULL,"
    " order_id TEXT NOT NULL,"
    " symbol TEXT NOT NULL,"
    " side TEXT NOT NULL,"        /* BUY / SELL */
    " quantity INTEGER NOT NULL," /* DECIMAL(20,8) as 1e-8 units */
    " price INTEGER NOT NULL,"
    " status TEXT NOT NULL," /* tl_order_status_name */
    " filled_qty INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL," /* ns since the epoch */
    " filled_at INTEGER,"           /* its last fill's time, NULL before */
    " reject_reason TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (workspace, order_id)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE trades ("
    " workspace TEXT NOT NULL,"
    " trade_id TEXT NOT NULL,"
    " order_id TEXT," /* NULL for a fill of no order, which the foreign key then skips */
    " symbol TEXT NOT NULL,"
    " side TEXT NOT NULL,"
    " quantity INTEGER NOT NULL,"
    " price INTEGER NOT NULL,"
    " fee INTEGER NOT NULL,"
    " ts INTEGER NOT NULL,"
    " PRIMARY KEY (workspace, trade_id),"
    " FOREIGN KEY (workspace, order_id) REFERENCES orders (workspace, order_id)) STRICT, WITHOUT "
    "ROWID;"
    "CREATE TABLE positions ("
    " workspace TEXT NOT NULL,"
    " symbol TEXT NOT NULL,"
    " qty INTEGER NOT NULL,"
    " avg_price INTEGER NOT NULL,"
    " realized_pnl INTEGER NOT NULL,"
    " fees INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " PRIMARY KEY (workspace, symbol)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE accounts ("
    " workspace TEXT PRIMARY KEY,"
    " starting_cash INTEGER NOT NULL,"
    " cash INTEGER NOT NULL,"
    " realized_pnl INTEGER NOT NULL,"
    " fees INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;",
    /* v2: where each workspace's events lie (backfilled), event type names (filled at every
     * open, see fill_event_types) and views that people can read. The formatter would break
     * the SQL into fragments around the DEC() and ISO() columns. */
    /* clang-format off */
    "CREATE TABLE workspaces ("
    " workspace TEXT PRIMARY KEY,"
    " first_seq INTEGER NOT NULL,"
    " last_seq INTEGER NOT NULL) STRICT, WITHOUT ROWID;"
    "INSERT INTO workspaces (workspace, first_seq, last_seq)"
    " SELECT workspace, min(seq), max(seq) FROM trade_events GROUP BY workspace;"
    "CREATE TABLE event_types (type INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;"
    "CREATE VIEW events_v AS SELECT e.seq, e.ts_ns, " ISO("e.ts_ns") " AS time, e.workspace,"
    " e.type, coalesce(t.name, '?') AS name, e.order_id, e.idem_key, e.symbol, e.side, e.status,"
    " e.trade_id, " DEC("e.qty") " AS qty, " DEC("e.price") " AS price, " DEC("e.fee") " AS fee,"
    " e.text FROM trade_events e LEFT JOIN event_types t ON t.type = e.type;"
    "CREATE VIEW orders_v AS SELECT workspace, order_id, symbol, side, " DEC("quantity")
    " AS quantity, " DEC("price") " AS price, status, " DEC("filled_qty") " AS filled_qty,"
    " " ISO("created_at") " AS created_at, " ISO("filled_at") " AS filled_at, reject_reason"
    " FROM orders;"
    "CREATE VIEW trades_v AS SELECT workspace, trade_id, order_id, symbol, side, " DEC("quantity")
    " AS quantity, " DEC("price") " AS price, " DEC("fee") " AS fee, " ISO("ts") " AS ts"
    " FROM trades;"
    "CREATE VIEW positions_v AS SELECT workspace, symbol, " DEC("qty") " AS qty, " DEC("avg_price")
    " AS avg_price, " DEC("realized_pnl") " AS realized_pnl, " DEC("fees") " AS fees, "
    ISO("updated_at") " AS updated_at FROM positions;"
    "CREATE VIEW accounts_v AS SELECT workspace, " DEC("starting_cash") " AS starting_cash, "
    DEC("cash") " AS cash, " DEC("realized_pnl") " AS realized_pnl, " DEC("fees") " AS fees, "
    ISO("updated_at") " AS updated_at FROM accounts;",
    /* clang-format on */
    /* v3: PostgreSQL's index of the fills (pg_schema.c); the version is shared. SQLite's replay
     * reaches its figure without one (docs/PERFORMANCE.md), so nothing changes here. */
    "",
    /* v4: how other processes talk to a running engine (sqlite_ctl.c). The control inbox:
     * AUTOINCREMENT, so ids ascend and are never reused (a poller keeps the last it saw); the
     * lengths the dispatcher enforces, checked again against rows written by hand (in bytes:
     * length() of a TEXT counts characters); the pending rows indexed alone, however many were
     * taken. The status documents: one row per name, up to a megabyte each, so a rowid table
     * (a WITHOUT ROWID b-tree suits small rows only). */
    "CREATE TABLE control ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " ts_ns INTEGER NOT NULL,"
    " command TEXT NOT NULL CHECK (length(CAST(command AS BLOB)) BETWEEN 1 AND 15),"
    " arg TEXT NOT NULL DEFAULT '' CHECK (length(CAST(arg AS BLOB)) <= 127),"
    " taken_seq INTEGER CHECK (taken_seq > 0)," /* the journal event that applied it */
    " taken_ns INTEGER,"
    " CHECK ((taken_seq IS NULL) = (taken_ns IS NULL))) STRICT;"
    "CREATE INDEX control_pending ON control (id) WHERE taken_seq IS NULL;"
    "CREATE TABLE loop_status ("
    " name TEXT PRIMARY KEY,"
    " ts_ns INTEGER NOT NULL,"
    " doc TEXT NOT NULL) STRICT;",
    /* v5: the RFQ desk's rows (sqlite_desk.c), money as 1e-8 units like the journal. quotes and
     * lp_quotes are append-only logs: the rowid is the insertion order, the reads' last key.
     * executions keep the rowid too (rows are large, one b-tree plus the unique index of the
     * id). Indexes serve the reads: the newest rows by time, an LP's rows grouped by request.
     * The CHECKs name what desk_rows.c accepts, for rows written by hand. */
    /* clang-format off */
    "CREATE TABLE quotes ("
    " id INTEGER PRIMARY KEY,"
    " workspace TEXT NOT NULL,"
    " quote_id TEXT NOT NULL,"
    " ts_ns INTEGER NOT NULL,"
    " symbol TEXT NOT NULL,"
    " side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),"
    " amount INTEGER NOT NULL,"
    " amount_asset TEXT NOT NULL,"
    " lp TEXT NOT NULL,"
    " lp_quote_id TEXT NOT NULL DEFAULT '',"
    " lp_price INTEGER NOT NULL,"
    " client_price INTEGER NOT NULL,"
    " valid_until_ns INTEGER NOT NULL,"
    " event TEXT NOT NULL CHECK (event IN ('locked', 'improved', 'expired', 'canceled'))) STRICT;"
    "CREATE INDEX quotes_ts ON quotes (ts_ns);"
    "CREATE TABLE lp_quotes ("
    " id INTEGER PRIMARY KEY,"
    " workspace TEXT NOT NULL,"
    " request_id TEXT NOT NULL,"
    " ts_ns INTEGER NOT NULL,"
    " lp TEXT NOT NULL,"
    " lp_quote_id TEXT NOT NULL DEFAULT '',"
    " symbol TEXT NOT NULL,"
    " side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),"
    " amount INTEGER NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('quoted', 'refused', 'late')),"
    " bid INTEGER NOT NULL,"
    " ask INTEGER NOT NULL,"
    " price INTEGER NOT NULL,"
    " response_ns INTEGER NOT NULL,"
    " won INTEGER NOT NULL CHECK (won IN (0, 1)),"
    " reason TEXT NOT NULL DEFAULT '') STRICT;"
    "CREATE INDEX lp_quotes_request ON lp_quotes (request_id, id);"
    "CREATE TABLE executions ("
    " execution_id TEXT NOT NULL UNIQUE,"
    " ts_ns INTEGER NOT NULL,"
    " workspace TEXT NOT NULL,"
    " quote_id TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('SUCCESS', 'FAILED')),"
    " lp TEXT NOT NULL,"
    " hedge_side TEXT NOT NULL CHECK (hedge_side IN ('BUY', 'SELL')),"
    " hedge_base_qty INTEGER NOT NULL,"
    " hedge_quote_qty INTEGER NOT NULL,"
    " executed_qty INTEGER NOT NULL,"
    " avg_price INTEGER NOT NULL,"
    " commission INTEGER NOT NULL,"
    " pnl INTEGER NOT NULL,"
    " pnl_asset TEXT NOT NULL DEFAULT '',"
    " pnl_after_fees INTEGER NOT NULL,"
    " pnl_bps INTEGER NOT NULL,"
    " error TEXT NOT NULL DEFAULT '') STRICT;"
    "CREATE INDEX executions_ts ON executions (ts_ns, execution_id);"
    "CREATE VIEW quotes_v AS SELECT id, workspace, quote_id, ts_ns, " ISO("ts_ns") " AS time,"
    " symbol, side, " DEC("amount") " AS amount, amount_asset, lp, lp_quote_id, "
    DEC("lp_price") " AS lp_price, " DEC("client_price") " AS client_price, "
    ISO("valid_until_ns") " AS valid_until, event FROM quotes;"
    "CREATE VIEW lp_quotes_v AS SELECT id, workspace, request_id, ts_ns, " ISO("ts_ns")
    " AS time, lp, lp_quote_id, symbol, side, " DEC("amount") " AS amount, status, " DEC("bid")
    " AS bid, " DEC("ask") " AS ask, " DEC("price") " AS price, response_ns, won, reason"
    " FROM lp_quotes;"
    "CREATE VIEW executions_v AS SELECT execution_id, ts_ns, " ISO("ts_ns") " AS time, workspace,"
    " quote_id, status, lp, hedge_side, " DEC("hedge_base_qty") " AS hedge_base_qty, "
    DEC("hedge_quote_qty") " AS hedge_quote_qty, " DEC("executed_qty") " AS executed_qty, "
    DEC("avg_price") " AS avg_price, " DEC("commission") " AS commission, " DEC("pnl")
    " AS pnl, pnl_asset, " DEC("pnl_after_fees") " AS pnl_after_fees, " DEC("pnl_bps")
    " AS pnl_bps, error FROM executions;",
    /* clang-format on */
    /* v6: the newest orders without sorting the table (sqlite_orders.c): of every workspace, of
     * one. The primary key's columns end each index, so its order is total; each costs an
     * order's insert one more b-tree entry (docs/PERFORMANCE.md), an update that changes
     * neither key none. IF NOT EXISTS: a file marked older by hand may hold them already. */
    ("CREATE INDEX IF NOT EXISTS orders_created ON orders (created_at, workspace, order_id);"
     "CREATE INDEX IF NOT EXISTS orders_ws_created ON orders (workspace, created_at, order_id);"),
    /* v7: find_idem reads the key's INTENT_EMITTED through trade_events_intent_once, the unique
     * index that already makes it once; the index of every event carrying a key cost each of an
     * intent's seven events an insert (docs/PERFORMANCE.md). */
    "DROP INDEX IF EXISTS trade_events_idem;",
    /* v8: run plans and their variants (sqlite_runs.c), figures as 1e-8 units like the journal,
     * NULL where a figure is absent. Rowid tables: a plan holds its whole spec, a variant up to
     * a kilobyte of overrides (a WITHOUT ROWID b-tree suits small rows only). The indexes serve
     * the reads: the newest plans, a plan's variants in order. The CHECKs name what
     * run_rows.c accepts, for rows written by hand; the reference to run_plans is declared (PRAGMA
     * foreign_key_check) and enforced by the insert itself. IF NOT EXISTS: a file marked older
     * by hand may hold them already. */
    /* clang-format off */
    "CREATE TABLE IF NOT EXISTS run_plans ("
    " run_plan_id TEXT PRIMARY KEY CHECK (length(run_plan_id) = 16),"
    " created_ns INTEGER NOT NULL,"
    " strategy TEXT NOT NULL,"
    " symbol TEXT NOT NULL,"
    " spec TEXT NOT NULL,"
    " data_name TEXT NOT NULL,"
    " bars INTEGER NOT NULL CHECK (bars >= 0),"
    " variants INTEGER NOT NULL CHECK (variants >= 1)) STRICT;"
    "CREATE INDEX IF NOT EXISTS run_plans_created ON run_plans (created_ns DESC, run_plan_id);"
    "CREATE TABLE IF NOT EXISTS run_variants ("
    " run_plan_id TEXT NOT NULL REFERENCES run_plans (run_plan_id),"
    " variant_id TEXT NOT NULL CHECK (length(variant_id) = 16),"
    " ord INTEGER NOT NULL CHECK (ord >= 0),"
    " kind TEXT NOT NULL CHECK (kind IN ('baseline', 'grid', 'ablation')),"
    " workspace TEXT NOT NULL,"
    " overrides TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('done', 'failed')),"
    " error TEXT NOT NULL DEFAULT '',"
    " trade_count INTEGER NOT NULL CHECK (trade_count >= 0),"
    " return_pct INTEGER NOT NULL,"
    " max_drawdown_pct INTEGER NOT NULL,"
    " sharpe INTEGER,"
    " win_rate INTEGER,"
    " profit_factor INTEGER,"
    " ending_equity INTEGER NOT NULL,"
    " state_digest TEXT NOT NULL DEFAULT '',"
    " finished_ns INTEGER NOT NULL,"
    " PRIMARY KEY (run_plan_id, variant_id)) STRICT;"
    "CREATE INDEX IF NOT EXISTS run_variants_ord ON run_variants (run_plan_id, ord, variant_id);"
    "CREATE VIEW IF NOT EXISTS run_variants_v AS SELECT run_plan_id, variant_id, ord, kind,"
    " workspace, overrides, status, error, trade_count, " DEC("return_pct") " AS return_pct, "
    DEC("max_drawdown_pct") " AS max_drawdown_pct, " DEC("sharpe") " AS sharpe, " DEC("win_rate")
    " AS win_rate, " DEC("profit_factor") " AS profit_factor, " DEC("ending_equity")
    " AS ending_equity, state_digest, finished_ns, " ISO("finished_ns") " AS finished"
    " FROM run_variants;",
    /* clang-format on */
};
_Static_assert(TL_CONTROL_COMMAND_MAX == 16 && TL_CONTROL_ARG_MAX == 128,
               "the control table's CHECKs name these lengths");

_Static_assert(TL_EV_RISK_FROZEN == 14 && TL_EV_KILL_SWITCH == 15 && TL_EV_FILL_REFUSED == 17 &&
                   TL_EV_WORKSPACE_RESET == 18,
               "TL__SQ_RARE_TYPES names these types by their stored values");
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == TL_STORE_SCHEMA_VERSION,
               "one migration step per schema version");

/* Version 0: what a new database gets before the steps run. */
static const char bootstrap_sql[] =
    "CREATE TABLE tradeloop_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
    "INSERT INTO tradeloop_meta (key, value) VALUES ('application', 'tradeloop'),"
    " ('schema_version', '0');";

int tl__sqlite_error(tl__sqlite *st, int rc, const char *what, tl_err *err)
{
    const char *msg = st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);

    switch (rc & 0xff) {
    case SQLITE_NOTADB:
        return tl_err_set(err, TL_ECORRUPT, "%s: not a tradeloop database (%s)", st->name, msg);
    case SQLITE_CORRUPT:
        return tl_err_set(err, TL_ECORRUPT, "%s: corrupt database while %s (%s)", st->name, what,
                          msg);
    case SQLITE_FULL:
        return tl_err_set(err, TL_EIO, "%s: disk full while %s", st->name, what);
    case SQLITE_READONLY:
        return tl_err_set(err, TL_EIO, "%s: read-only while %s (%s)", st->name, what, msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return tl_err_set(err, TL_EBUSY, "%s: locked by another connection while %s", st->name,
                          what);
    case SQLITE_NOMEM:
        return tl_err_set(err, TL_ENOMEM, "%s: out of memory while %s", st->name, what);
    case SQLITE_CONSTRAINT:
        /* The one unique index on idem_key: an intent emitted once (sqlite_schema's
         * trade_events_intent_once). */
        if (rc == SQLITE_CONSTRAINT_UNIQUE && strstr(msg, "trade_events.idem_key") != NULL)
            return tl_err_set(err, TL_EEXIST, "%s: intent already executed while %s (%s)",
                              st->name, what, msg);
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return tl_err_set(err, TL_EDUPLICATE, "%s: duplicate while %s (%s)", st->name, what,
                              msg);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            return tl_err_set(err, TL_ENOTFOUND, "%s: unknown reference while %s (%s)", st->name,
                              what, msg);
        return tl_err_set(err, TL_EINVAL, "%s: constraint failed while %s (%s)", st->name, what,
                          msg);
    default:
        return tl_err_set(err, TL_EIO, "%s: i/o error while %s (%s)", st->name, what, msg);
    }
}

/* Runs statements that return no rows we need. */
static int exec(tl__sqlite *st, const char *sql, const char *what, tl_err *err)
{
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : tl__sqlite_error(st, rc, what, err);
}

/* The first column of the first row of sql (with an optional text parameter) as text into
 * out[cap]; *found says whether there was a row. */
static int query_text(tl__sqlite *st, const char *sql, const char *param, char *out, size_t cap,
                      int *found, tl_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK && param != NULL)
        rc = sqlite3_bind_text(q, 1, param, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(q, 0);
        snprintf(out, cap, "%s", v != NULL ? v : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    int ret = rc == SQLITE_OK ? 0 : tl__sqlite_error(st, rc, "reading the schema", err);
    sqlite3_finalize(q);
    return ret;
}

/*
 * What the file holds: *version = -1 for an empty database (new or zero-length file), else its
 * tradeloop schema version. Reads only. Refuses a file that is not a database, a database that
 * is not tradeloop's, and a newer schema.
 */
static int inspect(tl__sqlite *st, int *version, tl_err *err)
{
    char buf[64];
    int found, rc;

    /* The first read of the file: a non-database or a truncated one fails here. */
    if ((rc = query_text(st, "SELECT count(*) FROM sqlite_schema", NULL, buf, sizeof(buf), &found,
                         err)) != 0)
        return rc;
    if (strcmp(buf, "0") == 0) {
        *version = -1;
        return 0;
    }
    if ((rc = query_text(st,
                         "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
                         "name = 'tradeloop_meta'",
                         NULL, buf, sizeof(buf), &found, err)) != 0)
        return rc;
    if (!found)
        return tl_err_set(err, TL_ECORRUPT,
                          "%s: not a tradeloop database (an SQLite database without a "
                          "tradeloop_meta table)",
                          st->name);
    /* A foreign table of that name without our columns fails to prepare: also not ours. */
    const char *meta = "SELECT value FROM tradeloop_meta WHERE key = ?1";
    if (query_text(st, meta, "application", buf, sizeof(buf), &found, NULL) != 0 || !found ||
        strcmp(buf, "tradeloop") != 0)
        return tl_err_set(err, TL_ECORRUPT,
                          "%s: not a tradeloop database (tradeloop_meta does not name tradeloop)",
                          st->name);
    if ((rc = query_text(st, meta, "schema_version", buf, sizeof(buf), &found, err)) != 0)
        return rc;
    char *end;
    errno = 0;
    long v = found ? strtol(buf, &end, 10) : -1;
    if (!found || errno != 0 || end == buf || *end != '\0' || v < 0 || v > INT_MAX)
        return tl_err_set(err, TL_ECORRUPT, "%s: corrupt tradeloop_meta (schema_version '%s')",
                          st->name, found ? buf : "");
    if (v > TL_STORE_SCHEMA_VERSION)
        return tl_err_set(err, TL_EVERSION,
                          "%s: schema version %ld is newer than this tradeloop supports (%d); "
                          "upgrade tradeloop",
                          st->name, v, TL_STORE_SCHEMA_VERSION);
    *version = (int)v;
    return 0;
}

/* Creates or migrates the schema up to TL_STORE_SCHEMA_VERSION; the caller holds the write
 * transaction, so a failing step leaves the file as it was. */
static int migrate(tl__sqlite *st, int version, tl_err *err)
{
    int rc;
    if (version < 0) {
        if ((rc = exec(st, bootstrap_sql, "creating the schema", err)) != 0)
            return rc;
        version = 0;
    }
    if (version == TL_STORE_SCHEMA_VERSION)
        return 0;
    for (int v = version; v < TL_STORE_SCHEMA_VERSION; v++) {
        if ((rc = exec(st, migrations[v], "migrating the schema", err)) != 0)
            return rc;
    }
    char sql[128];
    snprintf(sql, sizeof(sql),
             "UPDATE tradeloop_meta SET value = '%d' WHERE key = 'schema_version'",
             TL_STORE_SCHEMA_VERSION); /* a compile-time constant, not a value from outside */
    return exec(st, sql, "migrating the schema", err);
}

/* Upserts every name of TL_EVENT_TYPE_MAP into event_types, at every open, so a new event type
 * needs no migration. */
static int fill_event_types(tl__sqlite *st, tl_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db,
                                "INSERT INTO event_types (type, name) VALUES (?1, ?2) ON CONFLICT"
                                " (type) DO UPDATE SET name = excluded.name"
                                " WHERE name <> excluded.name",
                                -1, &q, NULL);
    for (int t = 1; rc == SQLITE_OK && t <= TL_EV__MAX; t++) {
        sqlite3_bind_int(q, 1, t);
        sqlite3_bind_text(q, 2, tl_event_type_name(t), -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        rc = rc == SQLITE_DONE ? sqlite3_reset(q) : rc;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_OK ? 0 : tl__sqlite_error(st, rc, "writing event_types", err);
}

/* The file's path inside an SQLite "file:" URI, for the checks made before SQLite opens it;
 * "" when it cannot be told without decoding (SQLite then reports on its own). */
static void uri_path(const char *uri, char *out, size_t cap)
{
    const char *p = uri + 5; /* after "file:" */
    if (strncmp(p, "//", 2) == 0) {
        p = strchr(p + 2, '/');
        if (p == NULL)
            p = "";
    }
    size_t n = strcspn(p, "?#");
    if (n >= cap || memchr(p, '%', n) != NULL)
        n = 0;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* A missing directory would otherwise be SQLite's bare "unable to open database file". */
static int check_path(tl__sqlite *st, const char *path, tl_err *err)
{
    char dir[PATH_MAX];
    struct stat sb;
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(dir))
        return 0;
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    }
    if (stat(dir, &sb) != 0)
        return tl_err_set(err, TL_EIO, "%s: cannot open database directory %s (%s)", st->name, dir,
                          strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return tl_err_set(err, TL_EIO, "%s: %s is not a directory", st->name, dir);
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return tl_err_set(err, TL_EIO, "%s: is a directory, not a database file", st->name);
    return 0;
}

static int set_pragmas(tl__sqlite *st, const tl_store_options *opt, tl_err *err)
{
    char mode[16];
    int found, rc;

    /* WAL: readers never block the writer, and a commit is one append to the log. */
    if ((rc = query_text(st, "PRAGMA journal_mode = WAL", NULL, mode, sizeof(mode), &found, err)) !=
        0)
        return rc;
    if (strcmp(mode, "wal") != 0)
        return tl_err_set(err, TL_EIO, "%s: cannot use WAL journal mode (got '%s')", st->name,
                          mode);
    /*
     * What each durability can lose on power loss, in WAL mode:
     *   FULL   (synchronous=FULL): the log is fsynced at every commit, so nothing that commit
     *          acknowledged is lost.
     *   NORMAL (synchronous=NORMAL): the log is fsynced only at checkpoints, so the transactions
     *          committed since the last checkpoint may roll back; the database is never corrupt.
     */
    const char *sync = opt->durability == TL_DURABILITY_NORMAL ? "PRAGMA synchronous = NORMAL"
                                                               : "PRAGMA synchronous = FULL";
    if ((rc = exec(st, sync, "setting durability", err)) != 0)
        return rc;
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", CACHE_KIB);
    if ((rc = exec(st, sql, "setting the cache size", err)) != 0)
        return rc;
    /* The trades -> orders reference is checked by the write itself (see the top). */
    return exec(st, "PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY", "setting pragmas",
                err);
}

/* A reader opens what a writer made: nothing is created or migrated, so the schema must be
 * current. */
static int check_read_only(tl__sqlite *st, int version, tl_err *err)
{
    char sql[64];
    if (version < 0)
        return tl_err_set(err, TL_ENOTFOUND, "%s: empty database, no journal in it", st->name);
    if (version < TL_STORE_SCHEMA_VERSION)
        return tl_err_set(err, TL_EVERSION,
                          "%s: schema version %d is older than this tradeloop's (%d); a command "
                          "that writes to it (shadow or paper with --db) migrates it",
                          st->name, version, TL_STORE_SCHEMA_VERSION);
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", CACHE_KIB);
    return exec(st, sql, "setting the cache size", err);
}

static int open_conn(tl__sqlite *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    /* The dispatch hands over the path or "file:" URI that src/store/url.c read from the URL. */
    const char *file = url;
    int is_uri = strncmp(file, "file:", 5) == 0;
    char path[PATH_MAX];
    int rc;

    if (*file == '\0')
        return tl_err_set(err, TL_EINVAL, "sqlite: no database file in URL '%s'", url);
    if (is_uri)
        uri_path(file, path, sizeof(path));
    else
        snprintf(path, sizeof(path), "%s", file);
    const char *shown = path[0] != '\0' ? path : file; /* long names are cut, for messages */
    size_t n = strnlen(shown, sizeof(st->name) - 1);
    memcpy(st->name, shown, n);
    st->name[n] = '\0';
    if ((rc = check_path(st, path, err)) != 0)
        return rc;

    /* NOMUTEX: a store is used by one thread at a time, so SQLite's own locking is waste.
     * EXRESCODE: extended codes tell a unique from a foreign-key violation. */
    /* A reader of a WAL database that may write opens read-write, without CREATE, and then
     * refuses every write (query_only): the last connection to close then checkpoints and
     * removes the -wal and -shm files, which a read-only connection would leave behind. A file
     * it may not write is opened read-only, as asked. */
    struct stat sb;
    if (st->read_only && path[0] != '\0' && stat(path, &sb) != 0)
        return tl_err_set(err, TL_ENOTFOUND, "%s: no such database", st->name);
    int reader_rw = st->read_only && path[0] != '\0' && access(path, W_OK) == 0;
    int flags = (st->read_only ? (reader_rw ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY)
                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE | (is_uri ? SQLITE_OPEN_URI : 0);
    rc = sqlite3_open_v2(file, &st->db, flags, NULL);
    if (rc != SQLITE_OK)
        return tl__sqlite_error(st, rc, "opening", err);
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT);

    if (st->read_only && (rc = exec(st, "PRAGMA query_only = ON", "opening", err)) != 0)
        return rc;
    int version;
    if ((rc = inspect(st, &version, err)) != 0)
        return rc;
    if (st->read_only)
        return check_read_only(st, version, err);
    /* SQLite silently falls back to read-only when the file is not writable, and then even
     * BEGIN IMMEDIATE succeeds: ask, before accepting orders that could not be persisted. */
    if (sqlite3_db_readonly(st->db, "main") != 0)
        return tl_err_set(err, TL_EIO, "%s: read-only (tradeloop must write its journal there)",
                          st->name);
    if ((rc = set_pragmas(st, opt, err)) != 0)
        return rc;
    if ((rc = exec(st, "BEGIN IMMEDIATE", "opening", err)) != 0)
        return rc;
    /* Again under the write lock: another process may have created or migrated it meanwhile. */
    if ((rc = inspect(st, &version, err)) == 0 && (rc = migrate(st, version, err)) == 0 &&
        (rc = fill_event_types(st, err)) == 0)
        rc = exec(st, "COMMIT", "creating the schema", err);
    if (rc != 0 && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int tl__sqlite_open_db(tl__sqlite *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    static const tl_store_options defaults = {TL_DURABILITY_FULL};
    if (opt == NULL)
        opt = &defaults;
    if (opt->durability != TL_DURABILITY_FULL && opt->durability != TL_DURABILITY_NORMAL)
        return tl_err_set(err, TL_EINVAL, "sqlite: unknown durability %d", (int)opt->durability);

    int rc = open_conn(st, url, opt, err);
    if (rc != 0 && st->db != NULL) {
        sqlite3_close(st->db);
        st->db = NULL;
    }
    return rc;
}
