/*
 * pg_copy.c -- writes a batch to PostgreSQL without a round trip per row.
 *
 * The events go in with one COPY trade_events FROM STDIN (text format), built in the state's
 * fixed buffer and flushed as it fills, so nothing is allocated per row. The orders and trades
 * projections are then derived on the server from the rows just copied, selected by the batch's
 * seq range (bound parameters): one INSERT for new orders, one UPDATE for the status changes
 * (the last event per order in the range wins), one INSERT for the fills. Statements whose event
 * types the batch does not hold are skipped, which keeps a one-order batch at few round trips.
 * Positions and accounts are upserted in one statement each from array parameters (unnest),
 * keeping the last row of a key if the batch repeats it.
 */
#include <stdlib.h>
#include <string.h>

#include "tradeloop/order.h"
#include "store/pg/pg.h"

/* The SQL below names event types by value; they are stored, so they cannot change. */
_Static_assert(TL_EV_INTENT_DENIED == 4 && TL_EV_ORDER_SUBMITTED == 5 &&
                   TL_EV_ORDER_ACCEPTED == 6 && TL_EV_ORDER_REJECTED == 7 &&
                   TL_EV_ORDER_FILLED == 8 && TL_EV_ORDER_CANCELED == 9 &&
                   TL_EV_ORDER_EXPIRED == 10 && TL_EV_CANCEL_REQUESTED == 16,
               "event type values used in SQL");

/* Events that create an order row (when they carry an order id). */
#define NEW_TYPES "4, 5"
/* Events that change an existing order's status. */
#define UPD_TYPES "6, 7, 8, 9, 10, 16"

enum { KIND_NEW = 1, KIND_UPD = 2, KIND_FILL = 4 };

/* The orders projection in one statement (one round trip, one pass over the batch's rows).
 * x holds the batch's order events, each with what the batch did to its order (window
 * aggregates over the order, so no join is needed): the last status, the filled quantity and
 * time, the seq of the last ORDER_REJECTED, whether the batch created it. Orders created in the
 * batch are inserted with that final state folded in, so an order submitted, accepted and
 * filled in one batch is written once; two submissions of one order still insert twice and fail
 * as a duplicate. Orders created by an earlier batch are updated from the row of their last
 * event. The last status is the second element of the greatest [seq, status] pair, which avoids
 * a sort per order. $1, $2: the batch's seq range; $3: status names ('{PENDING_NEW,...}');
 * $4: side names. */
static const char sql_orders[] =
    "WITH x AS MATERIALIZED (SELECT seq, ts_ns, workspace, type, order_id, symbol, side, status,"
    " qty, price, text,"
    " bool_or(type IN (" NEW_TYPES ")) OVER w AS created,"
    " (max(ARRAY[seq, status]) FILTER (WHERE type IN (" UPD_TYPES ")) OVER w)[2] AS last_status,"
    " sum(qty) FILTER (WHERE type = 8) OVER w AS fill_qty,"
    " max(ts_ns) FILTER (WHERE type = 8) OVER w AS filled_at,"
    " max(seq) FILTER (WHERE type = 7) OVER w AS reject_seq,"
    " max(seq) OVER w AS last_seq"
    " FROM trade_events WHERE seq BETWEEN $1 AND $2"
    " AND type IN (" NEW_TYPES ", " UPD_TYPES ") AND order_id <> ''"
    " WINDOW w AS (PARTITION BY workspace, order_id)),"
    " ins AS (INSERT INTO orders (workspace, order_id, symbol, side, quantity, price, status,"
    " filled_qty, created_at, filled_at, reject_reason)"
    " SELECT workspace, order_id, symbol, ($4::text[])[side + 1], qty * 0.00000001,"
    " price * 0.00000001, ($3::text[])[coalesce(last_status, status) + 1],"
    " coalesce(fill_qty, 0) * 0.00000001, ts_ns, filled_at,"
    " coalesce((SELECT NULLIF(r.text, '') FROM trade_events r WHERE r.seq = x.reject_seq),"
    " CASE WHEN type = 4 THEN NULLIF(text, '') END)"
    " FROM x WHERE type IN (" NEW_TYPES ")),"
    " upd AS (UPDATE orders o SET status = coalesce(($3::text[])[x.last_status + 1], o.status),"
    " filled_qty = o.filled_qty + coalesce(x.fill_qty, 0) * 0.00000001,"
    " filled_at = coalesce(x.filled_at, o.filled_at),"
    " reject_reason = coalesce((SELECT NULLIF(r.text, '') FROM trade_events r"
    " WHERE r.seq = x.reject_seq), o.reject_reason)"
    " FROM x WHERE x.seq = x.last_seq AND NOT x.created"
    " AND o.workspace = x.workspace AND o.order_id = x.order_id)"
    " SELECT 1";

/* The fills become trades. A trade references its order (a fill without an order id has
 * none): rather than a declared foreign key, which runs a trigger and locks the order row per
 * fill (three times the cost of the insert itself), the insert probes orders once per fill and
 * returns how many fills found no order, and the batch is refused unless that is 0. Nothing
 * deletes orders, so the probe holds as a key would. $1, $2: the seq range; $3: side names. */
static const char sql_trades[] =
    "WITH f AS MATERIALIZED (SELECT workspace, trade_id, order_id, symbol, side, qty, price,"
    " fee, ts_ns FROM trade_events WHERE seq BETWEEN $1 AND $2 AND type = 8),"
    " ins AS (INSERT INTO trades (workspace, trade_id, order_id, symbol, side, quantity, price,"
    " fee, ts)"
    " SELECT f.workspace, f.trade_id, NULLIF(f.order_id, ''), f.symbol,"
    " ($3::text[])[f.side + 1], f.qty * 0.00000001, f.price * 0.00000001, f.fee * 0.00000001,"
    " f.ts_ns"
    " FROM f WHERE f.order_id = '' OR EXISTS (SELECT 1 FROM orders o"
    " WHERE o.workspace = f.workspace AND o.order_id = f.order_id)"
    " RETURNING 1)"
    " SELECT (SELECT count(*) FROM f) - (SELECT count(*) FROM ins),"
    " (SELECT f.order_id FROM f WHERE f.order_id <> '' AND NOT EXISTS (SELECT 1 FROM orders o"
    " WHERE o.workspace = f.workspace AND o.order_id = f.order_id) LIMIT 1)";

static const char sql_positions_upsert[] =
    "INSERT INTO positions (workspace, symbol, qty, avg_price, realized_pnl, fees, updated_at)"
    " SELECT DISTINCT ON (w, s) w, s, q, a, r, f, u"
    " FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[],"
    " $6::numeric[], $7::bigint[]) WITH ORDINALITY AS t (w, s, q, a, r, f, u, i)"
    " ORDER BY w, s, i DESC"
    " ON CONFLICT (workspace, symbol) DO UPDATE SET qty = excluded.qty,"
    " avg_price = excluded.avg_price, realized_pnl = excluded.realized_pnl,"
    " fees = excluded.fees, updated_at = excluded.updated_at";

static const char sql_accounts_upsert[] =
    "INSERT INTO accounts (workspace, starting_cash, cash, realized_pnl, fees, updated_at)"
    " SELECT DISTINCT ON (w) w, sc, c, r, f, u"
    " FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[],"
    " $6::bigint[]) WITH ORDINALITY AS t (w, sc, c, r, f, u, i)"
    " ORDER BY w, i DESC"
    " ON CONFLICT (workspace) DO UPDATE SET starting_cash = excluded.starting_cash,"
    " cash = excluded.cash, realized_pnl = excluded.realized_pnl, fees = excluded.fees,"
    " updated_at = excluded.updated_at";

static const struct {
    const char *name, *sql;
} statements[] = {
    {"tl_orders", sql_orders},
    {"tl_trades", sql_trades},
    {"tl_positions_upsert", sql_positions_upsert},
    {"tl_accounts_upsert", sql_accounts_upsert},
};

int tl__pg_prepare_write(tl__pg *pg, tl_err *err)
{
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        PGresult *res = PQprepare(pg->conn, statements[i].name, statements[i].sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            return tl__pg_fail(pg, res, statements[i].name, err);
        PQclear(res);
    }
    return 0;
}

/* ---- COPY text encoding ---- */

/* Longest encoded row: every text field fully escaped (two bytes per byte), 7 integers of at
 * most 20 digits and a sign, 13 tabs and the newline. */
#define ROW_MAX                                                                                    \
    (2 * (TL_WORKSPACE_MAX + 24 + TL_IDEM_KEY_MAX + 16 + 32 + TL_EVENT_TEXT_MAX) + 7 * 21 + 14)
_Static_assert(ROW_MAX < TL_PG_COPY_BUF, "a row fits the COPY buffer");

static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_i64(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

/* A text field of at most max bytes (the struct's array; NUL-terminated when shorter), with
 * COPY's escapes for the bytes that would end a field or a row. */
static char *put_text(char *p, const char *s, size_t max)
{
    for (size_t i = 0; i < max && s[i]; i++) {
        char c = s[i];
        switch (c) {
        case '\\':
            *p++ = '\\';
            *p++ = '\\';
            break;
        case '\t':
            *p++ = '\\';
            *p++ = 't';
            break;
        case '\n':
            *p++ = '\\';
            *p++ = 'n';
            break;
        case '\r':
            *p++ = '\\';
            *p++ = 'r';
            break;
        default:
            *p++ = c;
        }
    }
    return p;
}

#define PUT_TEXT(p, field) put_text((p), (field), sizeof(field))

static char *encode_row(char *p, const tl_event *e)
{
    p = put_u64(p, e->seq);
    *p++ = '\t';
    p = put_i64(p, e->ts_ns);
    *p++ = '\t';
    p = PUT_TEXT(p, e->workspace);
    *p++ = '\t';
    p = put_u64(p, e->type);
    *p++ = '\t';
    p = PUT_TEXT(p, e->order_id);
    *p++ = '\t';
    p = PUT_TEXT(p, e->idem_key);
    *p++ = '\t';
    p = PUT_TEXT(p, e->symbol);
    *p++ = '\t';
    p = put_u64(p, e->side);
    *p++ = '\t';
    p = put_u64(p, e->status);
    *p++ = '\t';
    p = PUT_TEXT(p, e->trade_id);
    *p++ = '\t';
    p = put_i64(p, e->qty);
    *p++ = '\t';
    p = put_i64(p, e->price);
    *p++ = '\t';
    p = put_i64(p, e->fee);
    *p++ = '\t';
    p = PUT_TEXT(p, e->text);
    *p++ = '\n';
    return p;
}

static int flush_copy(tl__pg *pg)
{
    int ok = pg->copy_len == 0 || PQputCopyData(pg->conn, pg->copy_buf, (int)pg->copy_len) == 1;
    pg->copy_len = 0;
    return ok;
}

/* Ends a COPY (aborting it with `abort_msg` when non-NULL) and returns its result: 0 or the
 * mapped error of the first failure. */
static int finish_copy(tl__pg *pg, const char *abort_msg, tl_err *err)
{
    int rc = 0;
    if (PQputCopyEnd(pg->conn, abort_msg) != 1)
        rc = tl__pg_fail(pg, NULL, "COPY trade_events", err);
    PGresult *res;
    while ((res = PQgetResult(pg->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = tl__pg_fail(pg, res, "COPY trade_events", err);
        else
            PQclear(res);
    }
    return rc;
}

static int copy_events(tl__pg *pg, const tl_event *ev, size_t n, unsigned *kinds, tl_err *err)
{
    PGresult *res = PQexec(pg->conn, "COPY trade_events (seq, ts_ns, workspace, type, order_id,"
                                     " idem_key, symbol, side, status, trade_id, qty, price, fee,"
                                     " text) FROM STDIN");
    if (PQresultStatus(res) != PGRES_COPY_IN)
        return tl__pg_fail(pg, res, "COPY trade_events", err);
    PQclear(res);

    unsigned k = 0;
    pg->copy_len = 0;
    for (size_t i = 0; i < n; i++) {
        const tl_event *e = &ev[i];
        if (e->order_id[0]) {
            if (e->type == TL_EV_ORDER_SUBMITTED || e->type == TL_EV_INTENT_DENIED)
                k |= KIND_NEW;
            else if (e->type == TL_EV_ORDER_ACCEPTED || e->type == TL_EV_ORDER_REJECTED ||
                     e->type == TL_EV_ORDER_FILLED || e->type == TL_EV_ORDER_CANCELED ||
                     e->type == TL_EV_ORDER_EXPIRED || e->type == TL_EV_CANCEL_REQUESTED)
                k |= KIND_UPD;
        }
        if (e->type == TL_EV_ORDER_FILLED)
            k |= KIND_FILL;
        if (pg->copy_len + ROW_MAX > sizeof pg->copy_buf && !flush_copy(pg))
            break; /* the connection failed: finish_copy reports it */
        pg->copy_len = (size_t)(encode_row(pg->copy_buf + pg->copy_len, e) - pg->copy_buf);
    }
    int sent = flush_copy(pg);
    int rc = finish_copy(pg, sent ? NULL : "tradeloop: sending COPY data failed", err);
    if (rc == 0 && !sent)
        rc = tl__pg_fail(pg, NULL, "COPY trade_events", err);
    if (rc == 0)
        *kinds = k;
    return rc;
}

/* ---- projections and upserts ---- */

/* Writes "{NAME0,NAME1,...}" of name(0..count) into buf. */
static void names_literal(char *buf, size_t cap, const char *(*name)(int), int count)
{
    size_t len = 0;
    buf[len++] = '{';
    for (int i = 0; i < count; i++) {
        const char *s = name(i);
        size_t l = strlen(s);
        if (len + l + 3 > cap)
            break; /* cannot happen with the callers' buffers; a short array maps to NULL */
        if (i)
            buf[len++] = ',';
        memcpy(buf + len, s, l);
        len += l;
    }
    buf[len++] = '}';
    buf[len] = '\0';
}

static int exec_prepared(tl__pg *pg, const char *name, int nparams, const char *const *params,
                         tl_err *err)
{
    PGresult *res = PQexecPrepared(pg->conn, name, nparams, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        return tl__pg_fail(pg, res, name, err);
    PQclear(res);
    return 0;
}

static int insert_trades(tl__pg *pg, const char *const *params, tl_err *err)
{
    PGresult *res = PQexecPrepared(pg->conn, "tl_trades", 3, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tl__pg_fail(pg, res, "tl_trades", err);
    int rc = 0;
    if (strcmp(PQgetvalue(res, 0, 0), "0") != 0)
        rc = tl_err_set(err, TL_ENOTFOUND, "%s fill(s) of an unknown order (first: '%s')",
                        PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
    PQclear(res);
    return rc;
}

static int project(tl__pg *pg, uint64_t first, uint64_t last, unsigned kinds, tl_err *err)
{
    char lo[24], hi[24], status_names[256], side_names[32];
    *put_u64(lo, first) = '\0';
    *put_u64(hi, last) = '\0';
    names_literal(status_names, sizeof status_names, tl_order_status_name, TL_OS__COUNT);
    names_literal(side_names, sizeof side_names, tl_side_name, 2);

    const char *p4[4] = {lo, hi, status_names, side_names};
    int rc = 0;
    /* Orders first: the trades reference them. */
    if (kinds & (KIND_NEW | KIND_UPD))
        rc = exec_prepared(pg, "tl_orders", 4, p4, err);
    const char *p3[3] = {lo, hi, side_names};
    if (rc == 0 && (kinds & KIND_FILL))
        rc = insert_trades(pg, p3, err);
    return rc;
}

/* Array literals for the upserts are built in pg->tmp, grown once per batch when needed. */
typedef struct lit {
    char *p;
} lit;

static int reserve_tmp(tl__pg *pg, size_t need, tl_err *err)
{
    if (need <= pg->tmp_cap)
        return 0;
    size_t cap = pg->tmp_cap * 2 > need ? pg->tmp_cap * 2 : need;
    char *p = realloc(pg->tmp, cap);
    if (!p)
        return tl_err_set(err, TL_ENOMEM, "no memory for %zu bytes of upsert parameters", cap);
    pg->tmp = p;
    pg->tmp_cap = cap;
    return 0;
}

/* Array element text: always quoted, with '"' and '\' escaped. */
static void lit_text(lit *l, const char *s, size_t max)
{
    *l->p++ = '"';
    for (size_t i = 0; i < max && s[i]; i++) {
        if (s[i] == '"' || s[i] == '\\')
            *l->p++ = '\\';
        *l->p++ = s[i];
    }
    *l->p++ = '"';
}

/* Exact text with 8 decimals, as NUMERIC(20,8) stores it. */
static void lit_fixed(lit *l, tl_fixed v)
{
    int n = tl_fixed_format_dp(v, 8, l->p, TL_FIXED_STRLEN);
    l->p += n > 0 ? n : 0;
}

#define LIT_SEP(l, i) (*(l)->p++ = (i) ? ',' : '{')
#define LIT_END(l)                                                                                 \
    do {                                                                                           \
        *(l)->p++ = '}';                                                                           \
        *(l)->p++ = '\0';                                                                          \
    } while (0)

/* Bytes one element may take: a fully escaped text field, a fixed, an integer, plus a comma. */
#define ELEM_MAX(textmax) (2 * (textmax) + 3 + TL_FIXED_STRLEN + 22)

static int upsert_positions(tl__pg *pg, const tl_position_row *r, size_t n, tl_err *err)
{
    int rc = reserve_tmp(pg, 7 * (n * ELEM_MAX(TL_WORKSPACE_MAX) + 3), err);
    if (rc)
        return rc;
    const char *params[7];
    lit l = {pg->tmp};
    for (int col = 0; col < 7; col++) {
        params[col] = l.p;
        for (size_t i = 0; i < n; i++) {
            LIT_SEP(&l, i);
            switch (col) {
            case 0: lit_text(&l, r[i].workspace, sizeof r[i].workspace); break;
            case 1: lit_text(&l, r[i].symbol, sizeof r[i].symbol); break;
            case 2: lit_fixed(&l, r[i].qty); break;
            case 3: lit_fixed(&l, r[i].avg_price); break;
            case 4: lit_fixed(&l, r[i].realized_pnl); break;
            case 5: lit_fixed(&l, r[i].fees); break;
            default: l.p = put_i64(l.p, r[i].updated_ns); break;
            }
        }
        LIT_END(&l);
    }
    return exec_prepared(pg, "tl_positions_upsert", 7, params, err);
}

static int upsert_accounts(tl__pg *pg, const tl_account_row *r, size_t n, tl_err *err)
{
    int rc = reserve_tmp(pg, 6 * (n * ELEM_MAX(TL_WORKSPACE_MAX) + 3), err);
    if (rc)
        return rc;
    const char *params[6];
    lit l = {pg->tmp};
    for (int col = 0; col < 6; col++) {
        params[col] = l.p;
        for (size_t i = 0; i < n; i++) {
            LIT_SEP(&l, i);
            switch (col) {
            case 0: lit_text(&l, r[i].workspace, sizeof r[i].workspace); break;
            case 1: lit_fixed(&l, r[i].starting_cash); break;
            case 2: lit_fixed(&l, r[i].cash); break;
            case 3: lit_fixed(&l, r[i].realized_pnl); break;
            case 4: lit_fixed(&l, r[i].fees); break;
            default: l.p = put_i64(l.p, r[i].updated_ns); break;
            }
        }
        LIT_END(&l);
    }
    return exec_prepared(pg, "tl_accounts_upsert", 6, params, err);
}

int tl__pg_write(tl__pg *pg, const tl_store_batch *b, tl_err *err)
{
    int rc = 0;
    if (b->n_events > 0) {
        unsigned kinds = 0;
        rc = copy_events(pg, b->events, b->n_events, &kinds, err);
        if (rc == 0 && kinds)
            rc = project(pg, b->events[0].seq, b->events[b->n_events - 1].seq, kinds, err);
    }
    if (rc == 0 && b->n_positions > 0)
        rc = upsert_positions(pg, b->positions, b->n_positions, err);
    if (rc == 0 && b->n_accounts > 0)
        rc = upsert_accounts(pg, b->accounts, b->n_accounts, err);
    return rc;
}
