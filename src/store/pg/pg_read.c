/*
 * pg_read.c -- the PostgreSQL journal backend's reads.
 *
 * scan pages through trade_events by seq (keyset pagination, TL_PG_SCAN_PAGE rows per query,
 * binary results decoded straight into a tl_event), asking for the next page before the
 * callbacks of the current one run, so the server reads while the caller works. Snapshot rows
 * come back as NUMERIC(20,8) text and are parsed exactly with tl_fixed_parse; on any bad row
 * the caller's output is left untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"

/* Type OIDs of the binary scan columns and parameters (pg_type.h, stable across releases). */
#define INT2OID 21
#define INT4OID 23
#define INT8OID 20
#define TEXTOID 25

#define EVENT_COLUMNS                                                                              \
    "seq, ts_ns, workspace, type, order_id, idem_key, symbol, side, status, trade_id, qty,"        \
    " price, fee, text"

static const struct {
    const char *name, *sql;
} read_statements[] = {
    {"tl_high_water", "SELECT coalesce(max(seq), 0) FROM trade_events"},
    {"tl_workspace_info", "SELECT first_seq, last_seq FROM workspaces WHERE workspace = $1"},
    /* The key's INTENT_EMITTED: the literal conditions let the planner use the partial unique
     * index. */
    {"tl_find_idem", "SELECT " EVENT_COLUMNS " FROM trade_events"
                     " WHERE idem_key = $1 AND type = 1 AND idem_key <> '' LIMIT 1"},
    /* COLLATE "C": byte order, the same on every backend whatever the database's locale. */
    {"tl_positions", "SELECT workspace, symbol, qty, avg_price, realized_pnl, fees, updated_at"
                     " FROM positions WHERE $1::text = '' OR workspace = $1::text"
                     " ORDER BY workspace COLLATE \"C\", symbol COLLATE \"C\""},
    {"tl_accounts", "SELECT workspace, starting_cash, cash, realized_pnl, fees, updated_at"
                    " FROM accounts WHERE $1::text = '' OR workspace = $1::text"
                    " ORDER BY workspace COLLATE \"C\""},
};

/* A scan's statement follows its filter's shape: the server evaluates only the predicates that
 * apply, and leaves out the columns the filter fixes (workspace, type), filled in from the
 * filter instead. Each column costs the server a send function call per row; the server's
 * share is most of a replay (docs/PERFORMANCE.md). Statement "tl_scan_<shape>", parameters
 * $1 after_seq, $2 type, $3 workspace, $4 page size, whichever the shape uses. */
enum { SCAN_BY_WS = 1, SCAN_BY_TYPE = 2, SCAN_RARE = 4, SCAN_FILLS = 8, SCAN_SHAPES = 16 };

static int scan_shape(const tl_scan_filter *f)
{
    int shape = f->workspace && f->workspace[0] ? SCAN_BY_WS : 0;
    if (f->type)
        shape |= SCAN_BY_TYPE | (TL__PG_IS_RARE(f->type)         ? SCAN_RARE
                                 : f->type == TL_EV_ORDER_FILLED ? SCAN_FILLS
                                                                 : 0);
    return shape;
}

/* Whether a shape exists: a type's own predicate goes with a type filter, one at a time. */
static int scan_shape_valid(int shape)
{
    int own = shape & (SCAN_RARE | SCAN_FILLS);
    return !own || (shape & SCAN_BY_TYPE && own != (SCAN_RARE | SCAN_FILLS));
}

static void scan_name(char *buf, size_t cap, int shape)
{
    snprintf(buf, cap, "tl_scan_%d", shape);
}

static int prepare_scan(tl__pg *pg, int shape, tl_err *err)
{
    static const Oid types[4] = {INT8OID, INT4OID, TEXTOID, INT4OID};
    char name[16], sql[512];
    scan_name(name, sizeof name, shape);
    /* The predicate of the rare types, or of the fills, written out lets the planner use the
     * partial index trade_events_rare or trade_events_fills, in seq order; other scans follow
     * the primary key. */
    snprintf(sql, sizeof sql,
             "SELECT seq, ts_ns%s%s, order_id, idem_key, symbol, side, status, trade_id, qty,"
             " price, fee, text FROM trade_events WHERE seq > $1%s%s%s ORDER BY seq LIMIT $4",
             shape & SCAN_BY_WS ? "" : ", workspace", shape & SCAN_BY_TYPE ? "" : ", type",
             shape & SCAN_FILLS     ? " AND " TL__PG_FILLS
             : shape & SCAN_BY_TYPE ? " AND type = $2"
                                    : "",
             shape & SCAN_RARE ? " AND " TL__PG_RARE_TYPES : "",
             shape & SCAN_BY_WS ? " AND workspace = $3" : "");
    PGresult *res = PQprepare(pg->conn, name, sql, 4, types);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return tl__pg_fail(pg, res, name, err);
    PQclear(res);
    return 0;
}

int tl__pg_prepare_read(tl__pg *pg, tl_err *err)
{
    for (size_t i = 0; i < sizeof read_statements / sizeof read_statements[0]; i++) {
        PGresult *res =
            PQprepare(pg->conn, read_statements[i].name, read_statements[i].sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            return tl__pg_fail(pg, res, read_statements[i].name, err);
        PQclear(res);
    }
    for (int shape = 0; shape < SCAN_SHAPES; shape++) {
        int rc = scan_shape_valid(shape) ? prepare_scan(pg, shape, err) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

static PGresult *run_read(tl__pg *pg, const char *name, int nparams, const char *const *params,
                          int binary, tl_err *err, int *rc)
{
    *rc = tl__pg_ensure_conn(pg, err);
    if (*rc)
        return NULL;
    PGresult *res = PQexecPrepared(pg->conn, name, nparams, params, NULL, NULL, binary);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *rc = tl__pg_fail(pg, res, name, err);
        return NULL;
    }
    return res;
}

int tl__pg_high_water(void *st, uint64_t *seq, tl_err *err)
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

static const Oid event_types[14] = {INT8OID, INT8OID, TEXTOID, INT2OID, TEXTOID, TEXTOID, TEXTOID,
                                    INT2OID, INT2OID, TEXTOID, INT8OID, INT8OID, INT8OID, TEXTOID};

/* The columns of a shape's rows: EVENT_COLUMNS without those its filter fixes. */
static int check_event_columns(const PGresult *res, int shape, tl_err *err)
{
    int n = 14 - (shape & SCAN_BY_WS ? 1 : 0) - (shape & SCAN_BY_TYPE ? 1 : 0);
    if (PQnfields(res) != n || PQbinaryTuples(res) != 1)
        return tl_err_set(err, TL_ECORRUPT, "trade_events: unexpected result shape");
    for (int c = 0, col = 0; col < 14; col++) {
        if ((col == 2 && shape & SCAN_BY_WS) || (col == 3 && shape & SCAN_BY_TYPE))
            continue;
        if (PQftype(res, c) != event_types[col])
            return tl_err_set(err, TL_ECORRUPT, "trade_events column %s has an unexpected type",
                              PQfname(res, c));
        c++;
    }
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

int tl__pg_get_text(const PGresult *res, int row, int col, char *dst, size_t cap)
{
    int len = PQgetlength(res, row, col);
    if (len < 0 || (size_t)len >= cap)
        return -1;
    memcpy(dst, PQgetvalue(res, row, col), (size_t)len);
    dst[len] = '\0';
    return 0;
}

/* One binary row of a shape into *ev (zeroed first, so unused bytes compare equal); the
 * columns the shape leaves out come from f. */
static int decode_event(const PGresult *res, int row, int shape, const tl_scan_filter *f,
                        tl_event *ev, tl_err *err)
{
    uint64_t seq, ts, type = 0, side, status, qty, price, fee;
    memset(ev, 0, sizeof *ev);
    int c = 2, bad = get_int(res, row, 0, &seq) | get_int(res, row, 1, &ts);
    if (shape & SCAN_BY_WS) /* a valid name, checked by tl_store_scan: it fits */
        memcpy(ev->workspace, f->workspace, strnlen(f->workspace, sizeof ev->workspace - 1));
    else
        bad |= tl__pg_get_text(res, row, c++, ev->workspace, sizeof ev->workspace);
    if (shape & SCAN_BY_TYPE)
        type = (uint64_t)f->type;
    else
        bad |= get_int(res, row, c++, &type);
    bad |= tl__pg_get_text(res, row, c, ev->order_id, sizeof ev->order_id) |
           tl__pg_get_text(res, row, c + 1, ev->idem_key, sizeof ev->idem_key) |
           tl__pg_get_text(res, row, c + 2, ev->symbol, sizeof ev->symbol) |
           get_int(res, row, c + 3, &side) | get_int(res, row, c + 4, &status) |
           tl__pg_get_text(res, row, c + 5, ev->trade_id, sizeof ev->trade_id) |
           get_int(res, row, c + 6, &qty) | get_int(res, row, c + 7, &price) |
           get_int(res, row, c + 8, &fee) |
           tl__pg_get_text(res, row, c + 9, ev->text, sizeof ev->text);
    if (bad || side > UINT8_MAX || status > UINT8_MAX)
        return tl_err_set(err, TL_ECORRUPT, "trade_events row %d holds a value out of range", row);
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

/* The last seq of a page, from its binary row. */
static uint64_t last_seq(const PGresult *res)
{
    uint64_t seq = 0;
    get_int(res, PQntuples(res) - 1, 0, &seq);
    return seq;
}

/* The next page's query is sent before the callbacks of this page run, so the server reads it
 * while they do. A callback that uses the store meanwhile discards it (tl__pg_drain), and the
 * page is then asked for again. */
int tl__pg_scan(void *st, const tl_scan_filter *f, tl_event_fn fn, void *ctx, tl_err *err)
{
    tl__pg *pg = st;
    char after[24], type[16], limit[16];
    uint64_t from = f->after_seq;
    int by_ws = f->workspace && f->workspace[0];
    if (by_ws) {
        /* From the workspace's first seq: nothing before it is looked at. No upper bound at its
         * last seq: with both bounds in the statement, the generic plan of a fresh journal
         * became a bitmap scan of the whole range and a sort, per page (255k events/s replay),
         * and an index on (workspace, seq), which would also skip other workspaces' events
         * interleaved with its own, cost a fifth of the appends (docs/PERFORMANCE.md). */
        tl_workspace_info wi;
        int rc = tl__pg_workspace_info(pg, f->workspace, &wi, err);
        if (rc == TL_ENOTFOUND)
            return 0;
        if (rc)
            return rc;
        if (wi.first_seq - 1 > from)
            from = wi.first_seq - 1;
    }
    snprintf(after, sizeof after, "%llu", (unsigned long long)from);
    snprintf(type, sizeof type, "%d", f->type);
    snprintf(limit, sizeof limit, "%d", TL_PG_SCAN_PAGE);
    const char *params[4] = {after, type, f->workspace ? f->workspace : "", limit};
    int shape = scan_shape(f);
    char stmt[16];
    scan_name(stmt, sizeof stmt, shape);
    PGresult *res = NULL;
    tl_event ev;

    for (;;) {
        int rc = 0;
        if (pg->prefetch) {
            res = PQgetResult(pg->conn);
            tl__pg_drain(pg);
            if (PQresultStatus(res) != PGRES_TUPLES_OK)
                return tl__pg_fail(pg, res, stmt, err);
        } else if (!(res = run_read(pg, stmt, 4, params, 1, err, &rc))) {
            return rc;
        }
        int n = PQntuples(res);
        rc = check_event_columns(res, shape, err);
        if (rc == 0 && n == TL_PG_SCAN_PAGE) {
            snprintf(after, sizeof after, "%llu", (unsigned long long)last_seq(res));
            pg->prefetch = PQsendQueryPrepared(pg->conn, stmt, 4, params, NULL, NULL, 1) == 1;
        }
        for (int i = 0; rc == 0 && i < n; i++) {
            rc = decode_event(res, i, shape, f, &ev, err);
            if (rc == 0)
                rc = fn(ctx, &ev);
        }
        PQclear(res);
        if (rc || n < TL_PG_SCAN_PAGE) {
            tl__pg_drain(pg);
            return rc;
        }
    }
}

int tl__pg_find_idem(void *st, const char *idem_key, tl_event *out, tl_err *err)
{
    tl__pg *pg = st;
    int rc;
    const char *params[1] = {idem_key};
    PGresult *res = run_read(pg, "tl_find_idem", 1, params, 1, err, &rc);
    if (!res)
        return rc;
    tl_event ev;
    if (PQntuples(res) == 0)
        rc = tl_err_set(err, TL_ENOTFOUND, "no intent with idempotency key '%s'", idem_key);
    else if ((rc = check_event_columns(res, 0, err)) == 0 &&
             (rc = decode_event(res, 0, 0, NULL, &ev, err)) == 0)
        *out = ev;
    PQclear(res);
    return rc;
}

int tl__pg_workspace_info(void *st, const char *workspace, tl_workspace_info *out, tl_err *err)
{
    tl__pg *pg = st;
    int rc;
    const char *params[1] = {workspace};
    PGresult *res = run_read(pg, "tl_workspace_info", 1, params, 0, err, &rc);
    if (!res)
        return rc;
    if (PQntuples(res) == 0) {
        rc = tl_err_set(err, TL_ENOTFOUND, "workspace '%s' has no events", workspace);
    } else {
        long long first = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        long long last = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        if (first < 1 || last < first)
            rc = tl_err_set(err, TL_ECORRUPT, "workspaces row of '%s' holds %lld..%lld", workspace,
                            first, last);
        else
            *out = (tl_workspace_info){(uint64_t)first, (uint64_t)last};
    }
    PQclear(res);
    return rc;
}

/* A NUMERIC(20,8) as text ("-12.50000000"), parsed exactly. */
int tl__pg_get_fixed(const PGresult *res, int row, int col, tl_fixed *out, tl_err *err)
{
    const char *s = PQgetvalue(res, row, col);
    tl_fixed v;
    if (tl_fixed_parse(s, (size_t)PQgetlength(res, row, col), &v, NULL))
        return tl_err_set(err, TL_ECORRUPT, "%s '%s' is not a tradeloop amount", PQfname(res, col),
                          s);
    *out = v;
    return 0;
}

/* A BIGINT NOT NULL column as text. */
static int64_t get_ns(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static int decode_position(const PGresult *res, int i, tl_position_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    if (tl__pg_get_text(res, i, 0, r->workspace, sizeof r->workspace) ||
        tl__pg_get_text(res, i, 1, r->symbol, sizeof r->symbol))
        return tl_err_set(err, TL_ECORRUPT, "positions row %d: key too long", i);
    int rc = tl__pg_get_fixed(res, i, 2, &r->qty, err);
    if (rc == 0)
        rc = tl__pg_get_fixed(res, i, 3, &r->avg_price, err);
    if (rc == 0)
        rc = tl__pg_get_fixed(res, i, 4, &r->realized_pnl, err);
    if (rc == 0)
        rc = tl__pg_get_fixed(res, i, 5, &r->fees, err);
    r->updated_ns = get_ns(res, i, 6);
    return rc;
}

static int decode_account(const PGresult *res, int i, tl_account_row *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    if (tl__pg_get_text(res, i, 0, r->workspace, sizeof r->workspace))
        return tl_err_set(err, TL_ECORRUPT, "accounts row %d: key too long", i);
    int rc = tl__pg_get_fixed(res, i, 1, &r->starting_cash, err);
    if (rc == 0)
        rc = tl__pg_get_fixed(res, i, 2, &r->cash, err);
    if (rc == 0)
        rc = tl__pg_get_fixed(res, i, 3, &r->realized_pnl, err);
    if (rc == 0)
        rc = tl__pg_get_fixed(res, i, 4, &r->fees, err);
    r->updated_ns = get_ns(res, i, 5);
    return rc;
}

int tl__pg_get_positions(void *st, const char *workspace, tl_position_row *out, size_t cap,
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

int tl__pg_get_accounts(void *st, const char *workspace, tl_account_row *out, size_t cap, size_t *n,
                        tl_err *err)
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
