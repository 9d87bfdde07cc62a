/*
 * pg.c -- the PostgreSQL journal backend: its table, the connection and the transactions.
 *
 * One libpq connection per store. A lost connection fails the call that found it with TL_EIO
 * "connection to PostgreSQL lost"; the next call resets it once (PQreset) and, when the server
 * is back, prepares the session again (durability setting, prepared statements), so the engine
 * goes on without being restarted. A COMMIT whose answer never arrived is reported as a failure:
 * the batch may or may not be stored, and nothing is acknowledged that is not known durable. If
 * it was stored after all, the next append reads the journal's mark again under the append
 * lock (pg_reserve.c) and its workspace check refuses a batch decided on the state before it,
 * never a gap or a double. The same lock and check let several engines share one database.
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"
#include "store/store.h"

/* ---- errors ---- */

/* First line of a libpq message, without the "ERROR:  " noise or the trailing newline. */
static void one_line(char *out, size_t cap, const char *msg)
{
    if (!msg || !*msg)
        msg = "unknown error";
    size_t n = strcspn(msg, "\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, msg, n);
    out[n] = '\0';
}

int tl__pg_fail(tl__pg *pg, PGresult *res, const char *what, tl_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    char msg[160];
    one_line(msg, sizeof msg, primary ? primary : PQerrorMessage(pg->conn));
    if (!state)
        state = "";

    int code;
    if (PQstatus(pg->conn) != CONNECTION_OK || strncmp(state, "08", 2) == 0 ||
        strncmp(state, "57P", 3) == 0) {
        pg->broken = 1;
        code = tl_err_set(err, TL_EIO, "connection to PostgreSQL lost: %s: %s", what, msg);
    } else if (strcmp(state, "23505") == 0 && constraint &&
               strcmp(constraint, "trade_events_pkey") == 0) {
        code = tl_err_set(err, TL_EBUSY,
                          "journal sequence already taken (another engine appended, or a commit "
                          "whose outcome was unknown went through): %s",
                          detail ? detail : msg);
    } else if (strcmp(state, "23505") == 0 && constraint &&
               strcmp(constraint, "trade_events_intent_once") == 0) {
        code = tl_err_set(err, TL_EEXIST, "intent already executed: %s", detail ? detail : msg);
    } else if (strcmp(state, "23505") == 0) {
        code = tl_err_set(err, TL_EDUPLICATE, "duplicate: %s", detail ? detail : msg);
    } else if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0) {
        code = tl_err_set(err, TL_EINVAL, "PostgreSQL refused %s: %s%s%s", what, msg,
                          detail ? ": " : "", detail ? detail : "");
    } else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        code = tl_err_set(err, TL_EBUSY, "PostgreSQL %s: %s", what, msg);
    } else if (*state) {
        code = tl_err_set(err, TL_EIO, "PostgreSQL %s failed (SQLSTATE %s): %s", what, state, msg);
    } else {
        code = tl_err_set(err, TL_EIO, "PostgreSQL %s failed: %s", what, msg);
    }
    PQclear(res);
    return code;
}

void tl__pg_drain(tl__pg *pg)
{
    if (!pg->prefetch)
        return;
    PGresult *res;
    while ((res = PQgetResult(pg->conn)) != NULL)
        PQclear(res);
    pg->prefetch = 0;
}

int tl__pg_exec(tl__pg *pg, const char *sql, const char *what, tl_err *err)
{
    PGresult *res = PQexec(pg->conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        return tl__pg_fail(pg, res, what, err);
    PQclear(res);
    return 0;
}

/* ---- connection ---- */

/* Server notices ("relation ... already exists, skipping") are not for the user's terminal. */
static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Everything a new or reset session needs. Prepared statements run their generic plan from
 * the first execution: PostgreSQL otherwise plans the first five with the values, and for a
 * scan page it then picks a sequential scan and a sort of all the matches over the index on seq
 * (ten times slower per page, measured), only to settle on the index from the sixth. Sorts are
 * a last resort: a scan page comes from an index in seq order. On a journal that was never
 * analyzed (a new one, before autovacuum gets to it) the generic plan of the fills' scan was a
 * bitmap scan and a sort of all the fills after the page's seq, per page; the session's other
 * statements either sort because nothing else gives their order, or do not sort. No JIT: a
 * plan that must sort anyway is costed above jit_above_cost by enable_sort = off, and compiling
 * it took ~70 ms per upsert of a batch; none of these statements runs long enough to gain. */
static int session_setup(tl__pg *pg, tl_err *err)
{
    int rc = tl__pg_exec(pg,
                         pg->durability == TL_DURABILITY_FULL ? "SET synchronous_commit = on"
                                                              : "SET synchronous_commit = off",
                         "setting the durability", err);
    if (rc == 0)
        rc = tl__pg_exec(pg, "SET plan_cache_mode = force_generic_plan", "setting plan_cache_mode",
                         err);
    if (rc == 0)
        rc = tl__pg_exec(pg, "SET enable_sort = off", "setting enable_sort", err);
    if (rc == 0)
        rc = tl__pg_exec(pg, "SET jit = off", "setting jit", err);
    if (rc == 0 && pg->read_only)
        rc = tl__pg_exec(pg, "SET default_transaction_read_only = on", "setting read-only", err);
    if (rc == 0)
        rc = tl__pg_prepare_read(pg, err);
    if (rc == 0)
        rc = tl__pg_prepare_ctl(pg, err);
    if (rc == 0)
        rc = tl__pg_prepare_desk(pg, err);
    if (rc == 0)
        rc = tl__pg_prepare_orders(pg, err);
    if (rc == 0)
        rc = tl__pg_prepare_runs(pg, err);
    if (rc || pg->read_only)
        return rc;
    rc = tl__pg_prepare_write(pg, err);
    return rc ? rc : tl__pg_prepare_reserve(pg, err);
}

int tl__pg_ensure_conn(tl__pg *pg, tl_err *err)
{
    if (!pg->conn)
        return tl_err_set(err, TL_ECLOSED, "PostgreSQL store is closed");
    tl__pg_drain(pg);
    if (!pg->broken && PQstatus(pg->conn) == CONNECTION_OK)
        return 0;
    PQreset(pg->conn);
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        pg->broken = 1;
        char msg[160];
        one_line(msg, sizeof msg, PQerrorMessage(pg->conn));
        return tl_err_set(err, TL_EIO, "connection to PostgreSQL lost: reconnecting failed: %s",
                          msg);
    }
    pg->broken = 0;
    return session_setup(pg, err);
}

static void pg_close(void *st)
{
    tl__pg *pg = st;
    if (pg->conn)
        PQfinish(pg->conn);
    pg->conn = NULL;
    free(pg->tmp);
    pg->tmp = NULL;
    pg->tmp_cap = 0;
    free(pg->pre);
    pg->pre = NULL;
    pg->pre_len = pg->pre_cap = 0;
    tl_proj_free(&pg->proj);
}

static int pg_connect(tl__pg *pg, const char *url, tl_err *err)
{
    /* Defaults first: the URL's own parameters, expanded from dbname, override them. */
    const char *const keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                                NULL};
    const char *const vals[] = {"10", "tradeloop", "UTF8", url, NULL};
    pg->conn = PQconnectdbParams(keys, vals, 1);
    if (!pg->conn)
        return tl_err_set(err, TL_ENOMEM, "no memory for a PostgreSQL connection");
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        /* libpq's message names host, port and user, never the password. */
        char msg[200];
        one_line(msg, sizeof msg, PQerrorMessage(pg->conn));
        pg_close(pg);
        return tl_err_set(err, TL_EIO, "cannot connect to PostgreSQL: %s", msg);
    }
    PQsetNoticeProcessor(pg->conn, quiet_notices, NULL);

    int rc = pg->read_only ? tl__pg_schema_check(pg, err) : tl__pg_schema(pg, err);
    if (rc == 0)
        rc = session_setup(pg, err);
    if (rc)
        pg_close(pg);
    return rc;
}

static int pg_open(void *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    tl__pg *pg = st;
    pg->durability = opt ? opt->durability : TL_DURABILITY_FULL;
    if (pg->durability != TL_DURABILITY_FULL && pg->durability != TL_DURABILITY_NORMAL)
        return tl_err_set(err, TL_EINVAL, "unknown durability %d", (int)pg->durability);
    return pg_connect(pg, url, err);
}

/* A reader: the schema is checked, not created; the session cannot write. */
static int pg_open_read(void *st, const char *url, tl_err *err)
{
    tl__pg *pg = st;
    pg->durability = TL_DURABILITY_FULL;
    pg->read_only = 1;
    return pg_connect(pg, url, err);
}

/* ---- transactions ---- */

static int pg_begin(void *st, tl_err *err)
{
    tl__pg *pg = st;
    int rc = tl__pg_ensure_conn(pg, err);
    if (rc)
        return rc;
    if (PQtransactionStatus(pg->conn) != PQTRANS_IDLE) /* left over by a failed call */
        PQclear(PQexec(pg->conn, "ROLLBACK"));
    /* BEGIN goes out with the batch's first statements, saving a round trip. */
    pg->begin_pending = 1;
    return 0;
}

static int pg_write(void *st, const tl_store_batch *batch, tl_err *err)
{
    tl__pg *pg = st;
    tl__pg_drain(pg);
    if (!pg->conn || pg->broken)
        return tl_err_set(err, TL_EIO, "connection to PostgreSQL lost");
    return tl__pg_write(pg, batch, err);
}

static int pg_commit(void *st, tl_err *err)
{
    tl__pg *pg = st;
    tl__pg_drain(pg);
    if (!pg->conn || pg->broken)
        return tl_err_set(err, TL_EIO, "connection to PostgreSQL lost before COMMIT");
    if (pg->begin_pending) { /* nothing was written: nothing to commit */
        pg->begin_pending = 0;
        return 0;
    }
    PGresult *res = PQexec(pg->conn, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        if (PQstatus(pg->conn) != CONNECTION_OK) {
            /* The server may have committed before the connection died: unknown, so failed. */
            char msg[160];
            one_line(msg, sizeof msg, PQerrorMessage(pg->conn));
            PQclear(res);
            pg->broken = 1;
            return tl_err_set(err, TL_EIO,
                              "connection to PostgreSQL lost during COMMIT (outcome unknown): %s",
                              msg);
        }
        return tl__pg_fail(pg, res, "COMMIT", err);
    }
    /* COMMIT of a transaction that had failed answers "ROLLBACK", with success. */
    int committed = strcmp(PQcmdStatus(res), "COMMIT") == 0;
    PQclear(res);
    if (!committed)
        return tl_err_set(err, TL_EIO, "PostgreSQL rolled the transaction back at COMMIT");
    return 0;
}

static void pg_rollback(void *st)
{
    tl__pg *pg = st;
    tl__pg_drain(pg);
    pg->begin_pending = 0;
    if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK)
        return; /* the server drops the transaction with the connection */
    if (PQtransactionStatus(pg->conn) == PQTRANS_IDLE)
        return;
    PQclear(PQexec(pg->conn, "ROLLBACK"));
    if (PQstatus(pg->conn) != CONNECTION_OK)
        pg->broken = 1;
}

const tl_store_ops tl_store_pg_ops = {
    .version = TL_STORE_OPS_VERSION,
    .scheme = "postgresql",
    .state_size = sizeof(tl__pg),
    .caps = TL_STORE_CAP_DURABLE | TL_STORE_CAP_SHARED,
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .write = pg_write,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .high_water = tl__pg_high_water,
    .scan = tl__pg_scan,
    .find_idem = tl__pg_find_idem,
    .get_positions = tl__pg_get_positions,
    .get_accounts = tl__pg_get_accounts,
    .open_read = pg_open_read,
    .workspace_info = tl__pg_workspace_info,
    .control_put = tl__pg_control_put,
    .control_pending = tl__pg_control_pending,
    .control_done = tl__pg_control_done,
    .control_get = tl__pg_control_get,
    .status_put = tl__pg_status_put,
    .status_get = tl__pg_status_get,
    .quotes_recent = tl__pg_quotes_recent,
    .executions_recent = tl__pg_executions_recent,
    .executions_scan = tl__pg_executions_scan,
    .lp_quotes_scan = tl__pg_lp_quotes_scan,
    .reserve = tl__pg_reserve,
    .orders_recent = tl__pg_orders_recent,
    .order_counts = tl__pg_order_counts,
    .run_plan_put = tl__pg_run_plan_put,
    .run_variant_put = tl__pg_run_variant_put,
    .run_plans_recent = tl__pg_run_plans_recent,
    .run_plan_get = tl__pg_run_plan_get,
    .run_variants = tl__pg_run_variants,
};
