/*
 * pg_copy.c -- writes a batch's rows to PostgreSQL without a round trip per row.
 *
 * One simple-query message carries the whole insert side of a batch: BEGIN (deferred from
 * pg_begin, so it costs no round trip of its own), COPY trade_events, COPY orders for the orders
 * the batch creates, each with its state after the batch already folded in
 * (src/store/projection.c), and COPY trades for its fills; steps with nothing to do are left out.
 * The server runs them one after the other without waiting for the client in between, and the
 * client keeps it busy:
 *   - the first rows of events are encoded while the server starts the statement;
 *   - events then stream in chunks of the state's fixed buffer, each encoded while the server
 *     inserts the one before;
 *   - once the last chunk is sent, while the server still works through it, the batch is folded
 *     and its orders and trades rows are encoded into pg->pre, ready the moment the server asks
 *     for them.
 * The statements that change existing rows follow in one pipeline (pg_upsert.c).
 *
 * Text format, measured against binary on PostgreSQL 15 (docs/PERFORMANCE.md): binary parses
 * faster per row, but the server then buffers 1000 rows per flush instead of 64 kB, and sets up
 * and drops one tuple slot per buffered row for every COPY; with three COPYs a batch, that costs
 * more than the parsing saves. Money goes to the events as exact integers of 1e-8 units and to
 * the NUMERIC(20,8) columns as tl_fixed_format_dp(v, 8) text, which PostgreSQL stores exactly.
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

/* ---- text encoding for statement parameters (pg_upsert.c) ---- */

/* "00" "01" ... "99": integers are written two digits at a time. */
static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    char *t = tmp + sizeof tmp;
    while (v >= 100) {
        t -= 2;
        memcpy(t, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        t -= 2;
        memcpy(t, digit_pairs + 2 * v, 2);
    } else {
        *--t = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - t);
    memcpy(p, t, n);
    return p + n;
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
 * with COPY's escapes for the bytes that would end a field or a row. Runs without them, nearly
 * every field, are copied whole. */
static char *put_text(char *p, const char *s, size_t max)
{
    size_t n = strnlen(s, max), run = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i], e;
        switch (c) {
        case '\\':
            e = '\\';
            break;
        case '\t':
            e = 't';
            break;
        case '\n':
            e = 'n';
            break;
        case '\r':
            e = 'r';
            break;
        default:
            continue;
        }
        memcpy(p, s + run, i - run);
        p += i - run;
        *p++ = '\\';
        *p++ = e;
        run = i + 1;
    }
    memcpy(p, s + run, n - run);
    return p + n - run;
}

#define PUT_TEXT(p, field) put_text((p), (field), sizeof(field))
#define COPY_NULL          "\\N"

/* ---- COPY text rows ---- */

/* Longest row of any of the three COPYs: an event with every text field fully escaped (two
 * bytes per byte) and its integers, plus slack for separators. Orders and trades rows are
 * shorter: the same fields, fewer of them. */
#define ROW_MAX                                                                                    \
    (2 * (TL_WORKSPACE_MAX + 24 + TL_IDEM_KEY_MAX + 16 + 32 + TL_EVENT_TEXT_MAX) +                 \
     8 * TL_FIXED_STRLEN + 64)
#define FIRST_CHUNK (32 * 1024)
_Static_assert(ROW_MAX < FIRST_CHUNK / 8 && FIRST_CHUNK < TL_PG_COPY_BUF,
               "rows fit the first chunk and the COPY buffer many times");

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
static char *encode_order(char *p, const tl_proj_order *o)
{
    const tl_event *e = o->ev;
    const char *reason = tl_proj_reason(o);
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
    p = o->first_fill ? tl__pg_put_i64(p, o->filled_at) : tl__pg_put_str(p, COPY_NULL);
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

/* ---- the batch ---- */

static const char sql_begin[] = "BEGIN;";
static const char sql_events[] =
    "COPY trade_events (seq, ts_ns, workspace, type, order_id, idem_key, symbol, side, status,"
    " trade_id, qty, price, fee, text) FROM STDIN;";
static const char sql_orders[] =
    "COPY orders (workspace, order_id, symbol, side, quantity, price, status, filled_qty,"
    " created_at, filled_at, reject_reason) FROM STDIN;";
static const char sql_trades[] =
    "COPY trades (workspace, trade_id, order_id, symbol, side, quantity, price, fee, ts)"
    " FROM STDIN;";

enum { STEP_BEGIN, STEP_EVENTS, STEP_ORDERS, STEP_TRADES };

static const char *const step_what[] = {"BEGIN", "COPY trade_events", "COPY orders", "COPY trades"};

/* The batch being written: its events, the statement's steps, and how far each has got. */
typedef struct copy_run {
    const tl_event *ev;
    size_t n, next;        /* events encoded so far */
    int steps[4], n_steps; /* STEP_*, in the statement's order */
    int cur;               /* the step whose result comes next */
    size_t orders_len;     /* pg->pre holds the orders rows, then the trades rows */
    int fold_rc;           /* the fold's own refusal, reported instead of the server's */
} copy_run;

/* Encodes events into the COPY buffer until `limit` bytes of it are nearly full or they are
 * all in. */
static void fill_events(tl__pg *pg, copy_run *r, size_t limit)
{
    char *p = pg->copy_buf + pg->copy_len;
    const char *end = pg->copy_buf + limit - ROW_MAX;
    while (r->next < r->n && p <= end)
        p = encode_event(p, &r->ev[r->next++]);
    pg->copy_len = (size_t)(p - pg->copy_buf);
}

/* Room in pg->pre for one more row after its first `used` bytes. It grows by doubling and is
 * kept from batch to batch, so rows cost no allocation once it has reached a batch's size. */
static int pre_room(tl__pg *pg, size_t used, tl_err *err)
{
    size_t need = used + ROW_MAX;
    if (need <= pg->pre_cap)
        return 0;
    size_t cap = pg->pre_cap * 2 > need ? pg->pre_cap * 2 : need;
    char *p = realloc(pg->pre, cap);
    if (!p)
        return tl_err_set(err, TL_ENOMEM, "no memory for %zu bytes of COPY data", cap);
    pg->pre = p;
    pg->pre_cap = cap;
    return 0;
}

/* Folds the batch and encodes the rows of COPY orders, then those of COPY trades, into
 * pg->pre. */
static int prepare_rows(tl__pg *pg, copy_run *r, tl_err *err)
{
    int rc = tl_proj_fold(&pg->proj, r->ev, r->n, err);
    const tl_projection *f = &pg->proj;
    size_t len = 0;
    for (size_t i = 0; rc == 0 && i < f->n_orders; i++) {
        if (f->orders[i].created && (rc = pre_room(pg, len, err)) == 0)
            len = (size_t)(encode_order(pg->pre + len, &f->orders[i]) - pg->pre);
    }
    r->orders_len = len;
    for (size_t i = 0; rc == 0 && i < f->n_trades; i++) {
        if ((rc = pre_room(pg, len, err)) == 0)
            len = (size_t)(encode_trade(pg->pre + len, f->trades[i]) - pg->pre);
    }
    pg->pre_len = len;
    return rc;
}

/* Hands n bytes of COPY data to libpq, in pieces an int can count. */
static int put_data(tl__pg *pg, const char *p, size_t n)
{
    while (n > 0) {
        size_t k = n < TL_PG_COPY_BUF ? n : TL_PG_COPY_BUF;
        if (PQputCopyData(pg->conn, p, (int)k) != 1)
            return 0;
        p += k;
        n -= k;
    }
    return 1;
}

/* Feeds the COPY the server just asked for, and ends it. 0 when the data went out, else the
 * connection's failure (the COPY is then aborted). */
static int feed_copy(tl__pg *pg, copy_run *r, int step, tl_err *err)
{
    int ok = 1;
    if (step == STEP_EVENTS) {
        for (;;) {
            ok = put_data(pg, pg->copy_buf, pg->copy_len);
            pg->copy_len = 0;
            if (!ok || r->next == r->n)
                break;
            fill_events(pg, r, sizeof pg->copy_buf);
        }
        if (ok && PQputCopyEnd(pg->conn, NULL) == 1) {
            /* The server is still inserting the last chunks: work out the rest meanwhile. */
            r->fold_rc = prepare_rows(pg, r, err);
            return 0;
        }
    } else if (r->fold_rc == 0) {
        size_t off = step == STEP_ORDERS ? 0 : r->orders_len;
        size_t len = step == STEP_ORDERS ? r->orders_len : pg->pre_len - r->orders_len;
        ok = put_data(pg, pg->pre + off, len);
        if (ok && PQputCopyEnd(pg->conn, NULL) == 1)
            return 0;
    } else {
        /* The fold refused the batch: abort, so the transaction holds none of it. */
        if (PQputCopyEnd(pg->conn, "tradeloop: batch refused") == 1)
            return 0;
    }
    PQputCopyEnd(pg->conn, "tradeloop: sending COPY data failed");
    return tl__pg_fail(pg, NULL, step_what[step], err);
}

static int copy_batch(tl__pg *pg, const tl_event *ev, size_t n, tl_err *err)
{
    copy_run r = {.ev = ev, .n = n};
    int creates = 0, fills = 0;
    tl_proj_needs(ev, n, &creates, &fills);

    char sql[sizeof sql_begin + sizeof sql_events + sizeof sql_orders + sizeof sql_trades];
    sql[0] = '\0';
    if (pg->begin_pending) {
        r.steps[r.n_steps++] = STEP_BEGIN;
        strcat(sql, sql_begin);
    }
    r.steps[r.n_steps++] = STEP_EVENTS;
    strcat(sql, sql_events);
    if (creates) {
        r.steps[r.n_steps++] = STEP_ORDERS;
        strcat(sql, sql_orders);
    }
    if (fills) {
        r.steps[r.n_steps++] = STEP_TRADES;
        strcat(sql, sql_trades);
    }
    pg->begin_pending = 0;
    if (PQsendQuery(pg->conn, sql) != 1)
        return tl__pg_fail(pg, NULL, step_what[r.steps[0]], err);

    /* A small first chunk, while the server starts the statement: it can begin inserting as
     * soon as it is ready. */
    pg->copy_len = 0;
    fill_events(pg, &r, FIRST_CHUNK);

    int rc = 0, fed = -1;
    PGresult *res;
    while ((res = PQgetResult(pg->conn)) != NULL) {
        int step = r.steps[r.cur < r.n_steps ? r.cur : r.n_steps - 1];
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COPY_IN) {
            PQclear(res);
            if (fed == r.cur) {
                /* Still in the COPY just ended: its end never left, the connection is gone.
                 * Asking again would answer the same forever. */
                pg->broken = 1;
                if (rc == 0)
                    rc = tl__pg_fail(pg, NULL, step_what[step], err);
                break;
            }
            fed = r.cur;
            int frc = feed_copy(pg, &r, step, err);
            if (rc == 0)
                rc = frc;
            continue;
        }
        r.cur++;
        if (st == PGRES_COMMAND_OK)
            PQclear(res);
        else if (rc != 0 || r.fold_rc != 0) /* only notes a lost connection */
            tl__pg_fail(pg, res, step_what[step], NULL);
        else
            rc = tl__pg_fail(pg, res, step_what[step], err);
    }
    if (rc == 0 && r.fold_rc != 0)
        rc = r.fold_rc;
    else if (rc == 0 && r.cur < r.n_steps) /* the statement ended early: the connection did */
        rc = tl__pg_fail(pg, NULL, step_what[r.steps[r.cur]], err);
    return rc;
}

int tl__pg_write(tl__pg *pg, const tl_store_batch *b, tl_err *err)
{
    int rc = 0;
    if (b->n_events > 0)
        rc = copy_batch(pg, b->events, b->n_events, err);
    return rc ? rc : tl__pg_write_rows(pg, b, err);
}
