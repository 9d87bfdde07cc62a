/*
 * pg_copy.c -- writes a batch to PostgreSQL without a round trip per row.
 *
 * A batch is, in order: the events by COPY trade_events; the orders it creates by COPY orders,
 * each with its state after the batch already folded in (pg_fold.c); one UPDATE for the orders
 * it changes that earlier batches created (pg_upsert.c); its fills by COPY trades; one upsert
 * each for the position and account rows (pg_upsert.c). Steps with nothing to do are skipped,
 * so a one-order batch costs few round trips. COPY text rows are built in the state's fixed
 * buffer and flushed as it fills, so nothing is allocated per row.
 *
 * Money goes to the events as exact integers of 1e-8 units and to the NUMERIC(20,8) columns as
 * tl_fixed_format_dp(v, 8) text, which PostgreSQL stores exactly.
 *
 * Keys: the unique keys of orders and trades raise SQLSTATE 23505, mapped to TL_EDUPLICATE. A
 * trade references its order. Rather than a declared foreign key, which runs a trigger and locks
 * the order row per fill (costing more than the insert itself), a fill's order is known to exist
 * when the batch creates it, and the UPDATE of older orders reports how many of those with fills
 * it found: fewer than expected is TL_ENOTFOUND. Orders are never deleted, so this holds as the
 * key would.
 */
#include <stdlib.h>
#include <string.h>

#include "tradeloop/order.h"
#include "store/pg/pg.h"

/* ---- text encoding (also used by pg_upsert.c) ---- */

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

char *tl__pg_put_i64(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

char *tl__pg_put_fixed(char *p, tl_fixed v)
{
    int n = tl_fixed_format_dp(v, 8, p, TL_FIXED_STRLEN);
    return p + (n > 0 ? n : 0); /* cannot fail: TL_FIXED_STRLEN fits every value */
}

char *tl__pg_put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* A COPY text field of at most max bytes (the struct's array; NUL-terminated when shorter),
 * with COPY's escapes for the bytes that would end a field or a row. */
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
#define COPY_NULL          "\\N"

/* ---- COPY ---- */

/* Longest row of any of the three COPYs: an event with every text field fully escaped (two
 * bytes per byte) and its integers, plus slack for separators. Orders and trades rows are
 * shorter: the same fields, fewer of them. */
#define ROW_MAX                                                                                    \
    (2 * (TL_WORKSPACE_MAX + 24 + TL_IDEM_KEY_MAX + 16 + 32 + TL_EVENT_TEXT_MAX) +                 \
     8 * TL_FIXED_STRLEN + 64)
_Static_assert(ROW_MAX < TL_PG_COPY_BUF, "a row fits the COPY buffer");

static int flush_copy(tl__pg *pg)
{
    int ok = pg->copy_len == 0 || PQputCopyData(pg->conn, pg->copy_buf, (int)pg->copy_len) == 1;
    pg->copy_len = 0;
    return ok;
}

/* Room for one more row; 0 when the connection failed (finish_copy then reports it). */
static int copy_room(tl__pg *pg)
{
    return pg->copy_len + ROW_MAX <= sizeof pg->copy_buf || flush_copy(pg);
}

static int start_copy(tl__pg *pg, const char *sql, const char *what, tl_err *err)
{
    PGresult *res = PQexec(pg->conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN)
        return tl__pg_fail(pg, res, what, err);
    PQclear(res);
    pg->copy_len = 0;
    return 0;
}

/* Sends what is left and ends the COPY (aborting it when sending failed); 0 or the mapped
 * error of the first failure. */
static int finish_copy(tl__pg *pg, int ok, const char *what, tl_err *err)
{
    ok = flush_copy(pg) && ok;
    int rc = 0;
    if (PQputCopyEnd(pg->conn, ok ? NULL : "tradeloop: sending COPY data failed") != 1)
        rc = tl__pg_fail(pg, NULL, what, err);
    PGresult *res;
    while ((res = PQgetResult(pg->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = tl__pg_fail(pg, res, what, err);
        else
            PQclear(res);
    }
    if (rc == 0 && !ok)
        rc = tl__pg_fail(pg, NULL, what, err);
    return rc;
}

static char *encode_event(char *p, const tl_event *e)
{
    p = put_u64(p, e->seq);
    *p++ = '\t';
    p = tl__pg_put_i64(p, e->ts_ns);
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
    p = tl__pg_put_i64(p, e->qty);
    *p++ = '\t';
    p = tl__pg_put_i64(p, e->price);
    *p++ = '\t';
    p = tl__pg_put_i64(p, e->fee);
    *p++ = '\t';
    p = PUT_TEXT(p, e->text);
    *p++ = '\n';
    return p;
}

/* An order as the batch leaves it; the reject reason is the last rejection's text, or an
 * INTENT_DENIED's own text, or NULL. */
static char *encode_order(char *p, const tl__pg_order *o)
{
    const tl_event *e = o->ev;
    const char *reason = o->reject                        ? o->reject->text
                         : e->type == TL_EV_INTENT_DENIED ? e->text
                                                          : "";
    p = PUT_TEXT(p, e->workspace);
    *p++ = '\t';
    p = PUT_TEXT(p, e->order_id);
    *p++ = '\t';
    p = PUT_TEXT(p, e->symbol);
    *p++ = '\t';
    p = tl__pg_put_str(p, tl_side_name(e->side));
    *p++ = '\t';
    p = tl__pg_put_fixed(p, e->qty);
    *p++ = '\t';
    p = tl__pg_put_fixed(p, e->price);
    *p++ = '\t';
    p = tl__pg_put_str(p, tl_order_status_name(o->status));
    *p++ = '\t';
    p = tl__pg_put_fixed(p, o->filled);
    *p++ = '\t';
    p = tl__pg_put_i64(p, e->ts_ns);
    *p++ = '\t';
    p = o->has_fill ? tl__pg_put_i64(p, o->filled_at) : tl__pg_put_str(p, COPY_NULL);
    *p++ = '\t';
    p = reason[0] ? put_text(p, reason, TL_EVENT_TEXT_MAX) : tl__pg_put_str(p, COPY_NULL);
    *p++ = '\n';
    return p;
}

static char *encode_trade(char *p, const tl_event *e)
{
    p = PUT_TEXT(p, e->workspace);
    *p++ = '\t';
    p = PUT_TEXT(p, e->trade_id);
    *p++ = '\t';
    p = e->order_id[0] ? PUT_TEXT(p, e->order_id) : tl__pg_put_str(p, COPY_NULL);
    *p++ = '\t';
    p = PUT_TEXT(p, e->symbol);
    *p++ = '\t';
    p = tl__pg_put_str(p, tl_side_name(e->side));
    *p++ = '\t';
    p = tl__pg_put_fixed(p, e->qty);
    *p++ = '\t';
    p = tl__pg_put_fixed(p, e->price);
    *p++ = '\t';
    p = tl__pg_put_fixed(p, e->fee);
    *p++ = '\t';
    p = tl__pg_put_i64(p, e->ts_ns);
    *p++ = '\n';
    return p;
}

#define COPY_ROW(pg, ok, encode)                                                                   \
    do {                                                                                           \
        if (!((ok) = (ok) && copy_room(pg)))                                                       \
            break;                                                                                 \
        (pg)->copy_len = (size_t)((encode) - (pg)->copy_buf);                                      \
    } while (0)

static int copy_events(tl__pg *pg, const tl_event *ev, size_t n, tl_err *err)
{
    static const char what[] = "COPY trade_events";
    int rc = start_copy(pg,
                        "COPY trade_events (seq, ts_ns, workspace, type, order_id, idem_key,"
                        " symbol, side, status, trade_id, qty, price, fee, text) FROM STDIN",
                        what, err);
    if (rc)
        return rc;
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++)
        COPY_ROW(pg, ok, encode_event(pg->copy_buf + pg->copy_len, &ev[i]));
    return finish_copy(pg, ok, what, err);
}

static int copy_orders(tl__pg *pg, tl_err *err)
{
    static const char what[] = "COPY orders";
    int rc = start_copy(pg,
                        "COPY orders (workspace, order_id, symbol, side, quantity, price, status,"
                        " filled_qty, created_at, filled_at, reject_reason) FROM STDIN",
                        what, err);
    if (rc)
        return rc;
    int ok = 1;
    const tl__pg_fold *f = &pg->fold;
    for (size_t i = 0; i < f->n && ok; i++) {
        if (f->orders[i].created)
            COPY_ROW(pg, ok, encode_order(pg->copy_buf + pg->copy_len, &f->orders[i]));
    }
    return finish_copy(pg, ok, what, err);
}

static int copy_trades(tl__pg *pg, const tl_event *ev, size_t n, tl_err *err)
{
    static const char what[] = "COPY trades";
    int rc = start_copy(pg,
                        "COPY trades (workspace, trade_id, order_id, symbol, side, quantity,"
                        " price, fee, ts) FROM STDIN",
                        what, err);
    if (rc)
        return rc;
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        if (ev[i].type == TL_EV_ORDER_FILLED)
            COPY_ROW(pg, ok, encode_trade(pg->copy_buf + pg->copy_len, &ev[i]));
    }
    return finish_copy(pg, ok, what, err);
}

int tl__pg_write(tl__pg *pg, const tl_store_batch *b, tl_err *err)
{
    int rc = 0;
    if (b->n_events > 0) {
        rc = tl__pg_fold_batch(&pg->fold, b->events, b->n_events, err);
        if (rc == 0)
            rc = copy_events(pg, b->events, b->n_events, err);
        if (rc == 0 && pg->fold.n_created > 0)
            rc = copy_orders(pg, err);
        if (rc == 0 && pg->fold.n_updated > 0)
            rc = tl__pg_update_orders(pg, err);
        if (rc == 0 && pg->fold.n_fills > 0)
            rc = copy_trades(pg, b->events, b->n_events, err);
    }
    if (rc == 0 && b->n_positions > 0)
        rc = tl__pg_upsert_positions(pg, b->positions, b->n_positions, err);
    if (rc == 0 && b->n_accounts > 0)
        rc = tl__pg_upsert_accounts(pg, b->accounts, b->n_accounts, err);
    return rc;
}
