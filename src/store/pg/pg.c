/*
 * pg.c -- the PostgreSQL journal backend: connection, transactions and reads.
 *
 * One libpq connection per store. A lost connection fails the call that found it with TL_EIO
 * "connection to PostgreSQL lost"; the next call resets it once (PQreset) and, when the server
 * is back, prepares the session again (durability setting, prepared statements), so the engine
 * goes on without being restarted. A COMMIT whose answer never arrived is reported as a failure:
 * the batch may or may not be stored, and nothing is acknowledged that is not known durable. If
 * it was stored after all, the next append's seq collides with it (TL_EBUSY) and the dispatcher
 * re-reads the high-water mark. The same check keeps the journal gap-free when several engines
 * share one database: a seq already taken is refused by the primary key.
 *
 * Reads: scan pages through trade_events by seq (keyset pagination, TL_PG_SCAN_PAGE rows per
 * query, binary results decoded straight into a tl_event); snapshot rows come back as text and
 * are parsed exactly with tl_fixed_parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"
#include "store/store.h"

/* Type OIDs of the binary scan columns (pg_type.h, stable across releases). */
#define INT2OID 21
#define INT8OID 20
#define TEXTOID 25

#define EVENT_COLUMNS                                                                              \
    "seq, ts_ns, workspace, type, order_id, idem_key, symbol, side, status, trade_id, qty,"       \
    " price, fee, text"

static const struct {
    const char *name, *sql;
} read_statements[] = {
    {"tl_high_water", "SELECT coalesce(max(seq), 0) FROM trade_events"},
    {"tl_scan", "SELECT " EVENT_COLUMNS " FROM trade_events WHERE seq > $1"
                " AND ($2::int = 0 OR type = $2::int) AND ($3::text = '' OR workspace = $3::text)"
                " ORDER BY seq LIMIT $4"},
    /* idem_key <> '' lets the planner use the partial index. */
    {"tl_find_idem", "SELECT " EVENT_COLUMNS " FROM trade_events"
                     " WHERE idem_key = $1 AND idem_key <> '' ORDER BY seq LIMIT 1"},
    /* COLLATE "C": byte order, the same on every backend whatever the database's locale. */
    {"tl_positions", "SELECT workspace, symbol, qty, avg_price, realized_pnl, fees, updated_at"
                     " FROM positions WHERE $1::text = '' OR workspace = $1::text"
                     " ORDER BY workspace COLLATE \"C\", symbol COLLATE \"C\""},
    {"tl_accounts", "SELECT workspace, starting_cash, cash, realized_pnl, fees, updated_at"
                    " FROM accounts WHERE $1::text = '' OR workspace = $1::text"
                    " ORDER BY workspace COLLATE \"C\""},
};

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
    } else if (strcmp(state, "23505") == 0) {
        code = tl_err_set(err, TL_EDUPLICATE, "duplicate: %s", detail ? detail : msg);
    } else if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0) {
        code = tl_err_set(err, TL_EINVAL, "PostgreSQL refused %s: %s%s%s", what, msg,
                          detail ? ": " : "", detail ? detail : "");
    } else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        code = tl_err_set(err, TL_EBUSY, "PostgreSQL %s: %s", what, msg);
    } else {
        code = tl_err_set(err, TL_EIO, "PostgreSQL %s failed: %s%s%s", what, msg,
                          *state ? " (SQLSTATE " : "", *state ? state : "");
        if (*state && err && strlen(err->msg) + 2 < sizeof err->msg)
            strcat(err->msg, ")");
    }
    PQclear(res);
    return code;
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

/* Everything a new or reset session needs. */
static int session_setup(tl__pg *pg, tl_err *err)
{
    int rc = tl__pg_exec(pg,
                         pg->durability == TL_DURABILITY_FULL ? "SET synchronous_commit = on"
                                                              : "SET synchronous_commit = off",
                         "setting the durability", err);
    for (size_t i = 0; rc == 0 && i < sizeof read_statements / sizeof read_statements[0]; i++) {
        PGresult *res =
            PQprepare(pg->conn, read_statements[i].name, read_statements[i].sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            return tl__pg_fail(pg, res, read_statements[i].name, err);
        PQclear(res);
    }
    return rc ? rc : tl__pg_prepare_write(pg, err);
}

/* Resets a lost connection once. 0 when the session is usable. */
static int ensure_conn(tl__pg *pg, tl_err *err)
{
    if (!pg->conn)
        return tl_err_set(err, TL_ECLOSED, "PostgreSQL store is closed");
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
}

static int pg_open(void *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    tl__pg *pg = st;
    pg->durability = opt ? opt->durability : TL_DURABILITY_FULL;
    if (pg->durability != TL_DURABILITY_FULL && pg->durability != TL_DURABILITY_NORMAL)
        return tl_err_set(err, TL_EINVAL, "unknown durability %d", (int)pg->durability);

    /* Defaults first: the URL's own parameters, expanded from dbname, override them. */
    const char *const keys[] = {"connect_timeout", "application_name", "client_encoding",
                                "dbname", NULL};
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

    int rc = tl__pg_schema(pg, err);
    if (rc == 0)
        rc = session_setup(pg, err);
    if (rc)
        pg_close(pg);
    return rc;
}

/* ---- transactions ---- */

static int pg_begin(void *st, tl_err *err)
{
    tl__pg *pg = st;
    int rc = ensure_conn(pg, err);
    if (rc)
        return rc;
    if (PQtransactionStatus(pg->conn) != PQTRANS_IDLE) /* left over by a failed call */
        PQclear(PQexec(pg->conn, "ROLLBACK"));
    return tl__pg_exec(pg, "BEGIN", "BEGIN", err);
}

static int pg_write(void *st, const tl_store_batch *batch, tl_err *err)
{
    tl__pg *pg = st;
    if (!pg->conn || pg->broken)
        return tl_err_set(err, TL_EIO, "connection to PostgreSQL lost");
    return tl__pg_write(pg, batch, err);
}

static int pg_commit(void *st, tl_err *err)
{
    tl__pg *pg = st;
    if (!pg->conn || pg->broken)
        return tl_err_set(err, TL_EIO, "connection to PostgreSQL lost before COMMIT");
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
    if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK)
        return; /* the server drops the transaction with the connection */
    if (PQtransactionStatus(pg->conn) == PQTRANS_IDLE)
        return;
    PQclear(PQexec(pg->conn, "ROLLBACK"));
    if (PQstatus(pg->conn) != CONNECTION_OK)
        pg->broken = 1;
}

/* ---- reads ---- */

static PGresult *run_read(tl__pg *pg, const char *name, int nparams, const char *const *params,
                          int binary, tl_err *err, int *rc)
{
    *rc = ensure_conn(pg, err);
    if (*rc)
        return NULL;
    PGresult *res = PQexecPrepared(pg->conn, name, nparams, params, NULL, NULL, binary);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *rc = tl__pg_fail(pg, res, name, err);
        return NULL;
    }
    return res;
}

static int pg_high_water(void *st, uint64_t *seq, tl_err *err)
{
    tl__pg *pg = st;
    int rc;
    PGresult *res = run_read(pg, "tl_high_water", 0, NULL, 0, err, &rc);
    if (!res)
        return rc;
    *seq = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

static const Oid event_types[14] = {INT8OID, INT8OID, TEXTOID, INT2OID, TEXTOID,
                                    TEXTOID, TEXTOID, INT2OID, INT2OID, TEXTOID,
                                    INT8OID, INT8OID, INT8OID, TEXTOID};

static int check_event_columns(const PGresult *res, tl_err *err)
{
    if (PQnfields(res) != 14 || PQbinaryTuples(res) != 1)
        return tl_err_set(err, TL_ECORRUPT, "trade_events: unexpected result shape");
    for (int c = 0; c < 14; c++)
        if (PQftype(res, c) != event_types[c])
            return tl_err_set(err, TL_ECORRUPT, "trade_events column %s has an unexpected type",
                              PQfname(res, c));
    return 0;
}

static uint64_t be_u64(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | u[i];
    return v;
}

static int get_int(const PGresult *res, int row, int col, uint64_t *v)
{
    int len = PQgetlength(res, row, col);
    const char *p = PQgetvalue(res, row, col);
    if (len == 8)
        *v = be_u64(p);
    else if (len == 2)
        *v = (uint16_t)((unsigned char)p[0] << 8 | (unsigned char)p[1]);
    else
        return -1;
    return 0;
}

static int get_text(const PGresult *res, int row, int col, char *dst, size_t cap)
{
    int len = PQgetlength(res, row, col);
    if (len < 0 || (size_t)len >= cap)
        return -1;
    memcpy(dst, PQgetvalue(res, row, col), (size_t)len);
    dst[len] = '\0';
    return 0;
}

/* One binary row into *ev (zeroed first, so unused bytes compare equal). */
static int decode_event(const PGresult *res, int row, tl_event *ev, tl_err *err)
{
    uint64_t seq, ts, type, side, status, qty, price, fee;
    memset(ev, 0, sizeof *ev);
    int bad = get_int(res, row, 0, &seq) | get_int(res, row, 1, &ts) |
              get_int(res, row, 3, &type) | get_int(res, row, 7, &side) |
              get_int(res, row, 8, &status) | get_int(res, row, 10, &qty) |
              get_int(res, row, 11, &price) | get_int(res, row, 12, &fee) |
              get_text(res, row, 2, ev->workspace, sizeof ev->workspace) |
              get_text(res, row, 4, ev->order_id, sizeof ev->order_id) |
              get_text(res, row, 5, ev->idem_key, sizeof ev->idem_key) |
              get_text(res, row, 6, ev->symbol, sizeof ev->symbol) |
              get_text(res, row, 9, ev->trade_id, sizeof ev->trade_id) |
              get_text(res, row, 13, ev->text, sizeof ev->text);
    if (bad || side > UINT8_MAX || status > UINT8_MAX)
        return tl_err_set(err, TL_ECORRUPT, "trade_events row %d holds a value out of range",
                          row);
    ev->seq = seq;
    ev->ts_ns = (int64_t)ts;
    ev->type = (uint16_t)type;
    ev->side = (uint8_t)side;
    ev->status = (uint8_t)status;
    ev->qty = (tl_fixed)qty;
    ev->price = (tl_fixed)price;
    ev->fee = (tl_fixed)fee;
    return 0;
}

static int pg_scan(void *st, const tl_scan_filter *f, tl_event_fn fn, void *ctx, tl_err *err)
{
    tl__pg *pg = st;
    char after[24], type[16], limit[16];
    snprintf(after, sizeof after, "%llu", (unsigned long long)f->after_seq);
    snprintf(type, sizeof type, "%d", f->type);
    snprintf(limit, sizeof limit, "%d", TL_PG_SCAN_PAGE);
    const char *params[4] = {after, type, f->workspace ? f->workspace : "", limit};
    tl_event ev;

    for (;;) {
        int rc;
        PGresult *res = run_read(pg, "tl_scan", 4, params, 1, err, &rc);
        if (!res)
            return rc;
        int n = PQntuples(res);
        rc = check_event_columns(res, err);
        for (int i = 0; rc == 0 && i < n; i++) {
            rc = decode_event(res, i, &ev, err);
            if (rc == 0)
                rc = fn(ctx, &ev);
        }
        PQclear(res);
        if (rc || n < TL_PG_SCAN_PAGE)
            return rc;
        snprintf(after, sizeof after, "%llu", (unsigned long long)ev.seq);
    }
}

static int pg_find_idem(void *st, const char *idem_key, tl_event *out, tl_err *err)
{
    tl__pg *pg = st;
    int rc;
    const char *params[1] = {idem_key};
    PGresult *res = run_read(pg, "tl_find_idem", 1, params, 1, err, &rc);
    if (!res)
        return rc;
    tl_event ev;
    if (PQntuples(res) == 0)
        rc = TL_ENOTFOUND;
    else if ((rc = check_event_columns(res, err)) == 0 && (rc = decode_event(res, 0, &ev, err)) == 0)
        *out = ev;
    PQclear(res);
    return rc;
}

/* A NUMERIC(20,8) as text ("-12.50000000"), parsed exactly. */
static int get_fixed(const PGresult *res, int row, int col, tl_fixed *out, tl_err *err)
{
    const char *s = PQgetvalue(res, row, col);
    tl_fixed v;
    if (tl_fixed_parse(s, (size_t)PQgetlength(res, row, col), &v, NULL))
        return tl_err_set(err, TL_ECORRUPT, "%s '%s' is not a tradeloop amount",
                          PQfname(res, col), s);
    *out = v;
    return 0;
}

static int get_ns(const PGresult *res, int row, int col, int64_t *out)
{
    *out = strtoll(PQgetvalue(res, row, col), NULL, 10);
    return 0;
}

static int decode_position(const PGresult *res, int i, tl_position_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    if (get_text(res, i, 0, r->workspace, sizeof r->workspace) ||
        get_text(res, i, 1, r->symbol, sizeof r->symbol))
        return tl_err_set(err, TL_ECORRUPT, "positions row %d: key too long", i);
    int rc = get_fixed(res, i, 2, &r->qty, err);
    if (rc == 0)
        rc = get_fixed(res, i, 3, &r->avg_price, err);
    if (rc == 0)
        rc = get_fixed(res, i, 4, &r->realized_pnl, err);
    if (rc == 0)
        rc = get_fixed(res, i, 5, &r->fees, err);
    if (rc == 0)
        rc = get_ns(res, i, 6, &r->updated_ns);
    return rc;
}

static int decode_account(const PGresult *res, int i, tl_account_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    if (get_text(res, i, 0, r->workspace, sizeof r->workspace))
        return tl_err_set(err, TL_ECORRUPT, "accounts row %d: key too long", i);
    int rc = get_fixed(res, i, 1, &r->starting_cash, err);
    if (rc == 0)
        rc = get_fixed(res, i, 2, &r->cash, err);
    if (rc == 0)
        rc = get_fixed(res, i, 3, &r->realized_pnl, err);
    if (rc == 0)
        rc = get_fixed(res, i, 4, &r->fees, err);
    if (rc == 0)
        rc = get_ns(res, i, 5, &r->updated_ns);
    return rc;
}

static int pg_get_positions(void *st, const char *workspace, tl_position_row *out, size_t cap,
                            size_t *n, tl_err *err)
{
    tl__pg *pg = st;
    int rc;
    const char *params[1] = {workspace ? workspace : ""};
    PGresult *res = run_read(pg, "tl_positions", 1, params, 0, err, &rc);
    if (!res)
        return rc;
    int rows = PQntuples(res);
    tl_position_row tmp;
    /* Validate every row first: on failure the output stays untouched. */
    for (int i = 0; rc == 0 && i < rows; i++)
        rc = decode_position(res, i, &tmp, err);
    for (int i = 0; rc == 0 && i < rows && (size_t)i < cap; i++)
        decode_position(res, i, &out[i], err);
    if (rc == 0)
        *n = (size_t)rows;
    PQclear(res);
    return rc;
}

static int pg_get_accounts(void *st, const char *workspace, tl_account_row *out, size_t cap,
                           size_t *n, tl_err *err)
{
    tl__pg *pg = st;
    int rc;
    const char *params[1] = {workspace ? workspace : ""};
    PGresult *res = run_read(pg, "tl_accounts", 1, params, 0, err, &rc);
    if (!res)
        return rc;
    int rows = PQntuples(res);
    tl_account_row tmp;
    for (int i = 0; rc == 0 && i < rows; i++)
        rc = decode_account(res, i, &tmp, err);
    for (int i = 0; rc == 0 && i < rows && (size_t)i < cap; i++)
        decode_account(res, i, &out[i], err);
    if (rc == 0)
        *n = (size_t)rows;
    PQclear(res);
    return rc;
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
    .high_water = pg_high_water,
    .scan = pg_scan,
    .find_idem = pg_find_idem,
    .get_positions = pg_get_positions,
    .get_accounts = pg_get_accounts,
};
