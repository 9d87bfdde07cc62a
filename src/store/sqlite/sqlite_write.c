/*
 * sqlite_write.c -- writing one batch: event rows, the orders and trades projections, snapshots.
 *
 * SQLite spends about a microsecond per row and statement, so the cost of a batch is its number
 * of statement steps and what each row makes SQLite do:
 *  - Rows go TL__SQ_CHUNK per INSERT OR ROLLBACK. A chunk meeting a constraint (a duplicate)
 *    rolls back the transaction, and the batch is written again row by row in a new one, so the
 *    error names the very row; the statements need no statement journal for it.
 *  - Events that follow the journal's last seq (the usual case) are appended without their seq,
 *    which SQLite then gives them, the same numbers, without a uniqueness seek per row.
 *  - A parameter is only bound when its value changes (binder, below).
 *  - The orders projection is folded per batch (src/store/projection.c, which decides it for
 *    every backend): an order submitted, accepted and filled in one batch is one INSERT of its
 *    final row, not an INSERT and two UPDATEs; an order created by an earlier batch gets one
 *    UPDATE. Trades are inserted after the orders, then one workspaces row per workspace.
 *  - The trades -> orders key is checked here rather than by SQLite: a fill's order is created by
 *    the batch, or its UPDATE found it; otherwise the batch fails with TL_ENOTFOUND.
 *
 * All binds are SQLITE_STATIC: they borrow the caller's batch, which outlives the call, and are
 * cleared before returning so no statement keeps a pointer into it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "store/sqlite/sqlite_int.h"
#include "tradeloop/order.h"

/* ---------------------------------------------------------------------------------------- */
/* Binding */

/* A statement and what its parameters hold (tl__sq_bound). A bind of the value a parameter
 * already holds is skipped: TEXT is compared by its bytes, since the caller's events each carry
 * their own copy, and a skipped TEXT bind keeps pointing into an earlier event of the same batch,
 * which lives as long as the write. tl__sqlite_write forgets it all before returning. */
typedef struct binder {
    sqlite3_stmt *q;
    tl__sq_bound *b;
} binder;

static binder binder_of(tl__sqlite *st, int which)
{
    return (binder){st->stmt[which], st->bound[which]};
}

static inline void bind_i64(const binder *x, int i, int64_t v)
{
    tl__sq_bound *p = &x->b[i - 1];
    if (p->kind == TL__SQ_BOUND_INT && p->v == v)
        return;
    sqlite3_bind_int64(x->q, i, v);
    p->kind = TL__SQ_BOUND_INT;
    p->v = v;
}

static inline void bind_text(const binder *x, int i, const char *s, int n)
{
    tl__sq_bound *p = &x->b[i - 1];
    if (p->kind == TL__SQ_BOUND_TEXT && p->v == n && memcmp(p->text, s, (size_t)n) == 0)
        return;
    sqlite3_bind_text(x->q, i, s, n, SQLITE_STATIC);
    p->kind = TL__SQ_BOUND_TEXT;
    p->v = n;
    p->text = s;
}

static inline void bind_null(const binder *x, int i)
{
    tl__sq_bound *p = &x->b[i - 1];
    if (p->kind == TL__SQ_BOUND_NULL)
        return;
    sqlite3_bind_null(x->q, i);
    p->kind = TL__SQ_BOUND_NULL;
}

/* Length of a fixed-size text field (the dispatcher checked it is NUL-terminated); most are
 * empty. */
static inline int field_len(const char *f, size_t cap)
{
    return f[0] == '\0' ? 0 : (int)strnlen(f, cap);
}

#define BIND_FIELD(x, i, field) bind_text((x), (i), (field), field_len((field), sizeof(field)))

/* A NUL-terminated constant (a side or status name). */
static inline void bind_name(const binder *x, int i, const char *name)
{
    bind_text(x, i, name, (int)strlen(name));
}

/* Steps a write statement to its end and resets it: SQLITE_OK or the error code (whose message
 * the reset keeps on the connection). Callers format their detail only on failure. */
static int run(sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Chunked inserts */

/* Rows of one table to insert: item i of n, bound by `bind` at parameter offset `at`. */
typedef struct rowset {
    int one, many;          /* statements: one row, TL__SQ_CHUNK rows */
    int cols;               /* parameters per row */
    size_t n;               /* rows */
    const tl_event *events; /* event rows: the batch */
    const uint32_t *idx;    /* orders rows: row i is orders[idx[i]] */
    const tl_proj_order *orders;
    const tl_event *const *trades; /* trades rows: row i is trades[i] */
    void (*bind)(const struct rowset *rs, const binder *x, int at, size_t i);
    void (*name)(const struct rowset *rs, size_t i, char *buf, size_t cap);
} rowset;

/* What insert_rows returns when a multi-row INSERT OR ROLLBACK met a constraint and so ended
 * the transaction: tl__sqlite_write then writes the batch again, row by row, to name the row. */
#define REDO_CAREFULLY 1

static int insert_rows(tl__sqlite *st, const rowset *rs, tl_err *err)
{
    char what[160];
    size_t i = 0;
    int rc = SQLITE_OK;

    for (; !st->careful && i + TL__SQ_CHUNK <= rs->n; i += TL__SQ_CHUNK) {
        binder x = binder_of(st, rs->many);
        for (int k = 0; k < TL__SQ_CHUNK; k++)
            rs->bind(rs, &x, rs->cols * k, i + (size_t)k);
        if ((rc = run(x.q)) != SQLITE_OK)
            break;
    }
    if (rc != SQLITE_OK) {
        /* The transaction is gone: ended by the OR ROLLBACK of a constraint, or by SQLite itself
         * (disk full, I/O error), where retrying outside it would commit rows one by one. */
        if ((rc & 0xff) == SQLITE_CONSTRAINT && sqlite3_get_autocommit(st->db))
            return REDO_CAREFULLY;
        rs->name(rs, i, what, sizeof(what));
        return tl__sqlite_error(st, rc, what, err);
    }
    for (; i < rs->n; i++) {
        binder x = binder_of(st, rs->one);
        rs->bind(rs, &x, 0, i);
        if ((rc = run(x.q)) != SQLITE_OK) {
            rs->name(rs, i, what, sizeof(what));
            return tl__sqlite_error(st, rc, what, err);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Events */

/* An event row; the append statements leave seq out (cols 13) and SQLite numbers the rows. */
static void bind_event(const rowset *rs, const binder *x, int at, size_t i)
{
    const tl_event *ev = &rs->events[i];
    if (rs->cols == 14)
        sqlite3_bind_int64(x->q, ++at, (sqlite3_int64)ev->seq); /* never the same twice */
    bind_i64(x, at + 1, ev->ts_ns);
    bind_i64(x, at + 2, ev->type);
    bind_i64(x, at + 3, ev->side);
    bind_i64(x, at + 4, ev->status);
    BIND_FIELD(x, at + 5, ev->workspace);
    BIND_FIELD(x, at + 6, ev->order_id);
    BIND_FIELD(x, at + 7, ev->idem_key);
    BIND_FIELD(x, at + 8, ev->symbol);
    BIND_FIELD(x, at + 9, ev->trade_id);
    bind_i64(x, at + 10, ev->qty);
    bind_i64(x, at + 11, ev->price);
    bind_i64(x, at + 12, ev->fee);
    BIND_FIELD(x, at + 13, ev->text);
}

static void name_event(const rowset *rs, size_t i, char *buf, size_t cap)
{
    snprintf(buf, cap, "appending event seq %" PRIu64, rs->events[i].seq);
}

/* The journal's last seq, 0 when empty. */
static int last_seq(tl__sqlite *st, uint64_t *seq, tl_err *err)
{
    sqlite3_stmt *q = st->stmt[TL__SQ_MAX_SEQ];
    int rc = sqlite3_step(q);
    sqlite3_int64 v = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    if (rc != SQLITE_ROW)
        return tl__sqlite_error(st, rc, "reading the last seq", err);
    *seq = v > 0 ? (uint64_t)v : 0;
    return 0;
}

/*
 * The events go in with their seq. When they follow the journal's last seq one by one (every
 * batch of a store that is the journal's only writer), the append statements leave seq to
 * SQLite, which numbers a row max(seq) + 1 from the end of the table, the same numbers: that
 * saves the uniqueness seek of an explicit rowid, a fifth of an event's insert. Anything else
 * (another writer got there first, a caller's own numbers) takes the explicit statements, which
 * refuse a taken seq as before.
 */
static int insert_events(tl__sqlite *st, const tl_event *ev, size_t n, tl_err *err)
{
    uint64_t last = 0;
    int rc;

    if (n == 0)
        return 0;
    /* seq is a signed 64-bit rowid; the dispatcher counts from 1, so this is only a guard. */
    if (ev[n - 1].seq > INT64_MAX)
        return tl_err_set(err, TL_ERANGE, "%s: seq %" PRIu64 " out of range", st->name,
                          ev[n - 1].seq);
    if ((rc = last_seq(st, &last, err)) != 0)
        return rc;
    int follows = !st->careful;
    for (size_t i = 0; i < n && follows; i++)
        follows = ev[i].seq == last + 1 + i;
    rowset rs = {.one = follows ? TL__SQ_APPEND_EVENT : TL__SQ_INS_EVENT,
                 .many = follows ? TL__SQ_APPEND_EVENTS : TL__SQ_INS_EVENTS,
                 .cols = follows ? 13 : 14,
                 .n = n,
                 .events = ev,
                 .bind = bind_event,
                 .name = name_event};
    if ((rc = insert_rows(st, &rs, err)) != 0)
        return rc;
    /* Cannot differ while this connection holds the write lock; checked, as the seq is the
     * journal's identity. */
    if (follows && sqlite3_last_insert_rowid(st->db) != (sqlite3_int64)ev[n - 1].seq)
        return tl_err_set(err, TL_EIO, "%s: appended seq %lld, expected %" PRIu64, st->name,
                          (long long)sqlite3_last_insert_rowid(st->db), ev[n - 1].seq);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* The projections, as tl_proj_fold decides them */

/* An orders row, in ORD_COLS order (the UPDATE uses the same parameter numbers). NULL
 * filled_at and reject_reason leave an existing row's values as they are. */
static void bind_order(const binder *x, int at, const tl_proj_order *o)
{
    const tl_event *ev = o->ev;
    BIND_FIELD(x, at + 1, ev->workspace);
    BIND_FIELD(x, at + 2, ev->order_id);
    BIND_FIELD(x, at + 3, ev->symbol);
    bind_name(x, at + 4, tl_side_name(ev->side));
    bind_i64(x, at + 5, ev->qty);
    bind_i64(x, at + 6, ev->price);
    bind_name(x, at + 7, tl_order_status_name(o->status));
    bind_i64(x, at + 8, ev->ts_ns);
    bind_i64(x, at + 9, o->filled);
    if (o->first_fill != NULL)
        bind_i64(x, at + 10, o->filled_at);
    else
        bind_null(x, at + 10);
    if (o->reason != NULL)
        BIND_FIELD(x, at + 11, o->reason->text);
    else if (o->created)
        bind_text(x, at + 11, "", 0);
    else
        bind_null(x, at + 11);
}

static void name_order(char *buf, size_t cap, const char *verb, const tl_event *ev)
{
    snprintf(buf, cap, "%s order %.47s/%.23s (seq %" PRIu64 ")", verb, ev->workspace, ev->order_id,
             ev->seq);
}

/*
 * The UPDATE of an order an earlier batch created. It changes nothing when no such order exists:
 * its events are still journaled, but a fill of it is refused here, in the foreign key's place
 * (it is declared, not enforced by SQLite: see sqlite_schema.c).
 */
static int update_order(tl__sqlite *st, const tl_proj_order *o, tl_err *err)
{
    binder x = binder_of(st, TL__SQ_UPD_ORDER);
    char what[128];
    bind_order(&x, 0, o);
    int rc = run(x.q);
    if (rc != SQLITE_OK) {
        name_order(what, sizeof(what), "updating", o->ev);
        return tl__sqlite_error(st, rc, what, err);
    }
    if (o->first_fill != NULL && sqlite3_changes(st->db) == 0) {
        const tl_event *ev = o->first_fill;
        return tl_err_set(err, TL_ENOTFOUND,
                          "%s: unknown reference while inserting trade %.47s/%.31s of order "
                          "%.23s (seq %" PRIu64 "): no such order",
                          st->name, ev->workspace, ev->trade_id, ev->order_id, ev->seq);
    }
    return 0;
}

static void bind_created(const rowset *rs, const binder *x, int at, size_t i)
{
    bind_order(x, at, &rs->orders[rs->idx[i]]);
}

static void name_created(const rowset *rs, size_t i, char *buf, size_t cap)
{
    name_order(buf, cap, "inserting", rs->orders[rs->idx[i]].ev);
}

static void bind_trade(const rowset *rs, const binder *x, int at, size_t i)
{
    const tl_event *ev = rs->trades[i];
    BIND_FIELD(x, at + 1, ev->workspace);
    BIND_FIELD(x, at + 2, ev->trade_id);
    if (ev->order_id[0] != '\0')
        BIND_FIELD(x, at + 3, ev->order_id);
    else
        bind_null(x, at + 3); /* a fill of no order: NULL, which the foreign key skips */
    BIND_FIELD(x, at + 4, ev->symbol);
    bind_name(x, at + 5, tl_side_name(ev->side));
    bind_i64(x, at + 6, ev->qty);
    bind_i64(x, at + 7, ev->price);
    bind_i64(x, at + 8, ev->fee);
    bind_i64(x, at + 9, ev->ts_ns);
}

static void name_trade(const rowset *rs, size_t i, char *buf, size_t cap)
{
    const tl_event *ev = rs->trades[i];
    snprintf(buf, cap, "inserting trade %.47s/%.31s of order %.23s (seq %" PRIu64 ")",
             ev->workspace, ev->trade_id, ev->order_id, ev->seq);
}

/* One row per workspace the batch appends to: its last seq advances (first seq set once). */
static int upsert_workspaces(tl__sqlite *st, const tl_projection *p, tl_err *err)
{
    for (size_t k = 0; k < p->n_ws; k++) {
        binder x = binder_of(st, TL__SQ_UPS_WORKSPACE);
        bind_name(&x, 1, p->ws[k].workspace);
        bind_i64(&x, 2, (int64_t)p->ws[k].first_seq);
        bind_i64(&x, 3, (int64_t)p->ws[k].last_seq);
        int rc = run(x.q);
        if (rc != SQLITE_OK)
            return tl__sqlite_error(st, rc, "writing a workspace's range", err);
    }
    return 0;
}

static int project(tl__sqlite *st, const tl_event *events, size_t n, tl_err *err)
{
    tl_projection *p = &st->proj;
    int rc = tl_proj_fold(p, events, n, err);
    if (rc != 0)
        return rc;
    if (TL_VEC_RESERVE(&st->created, &st->cap_created, p->n_created) != 0)
        return tl_err_set(err, TL_ENOMEM, "%s: out of memory writing a batch", st->name);
    /* Updates first, then the new orders, then the trades that reference them. */
    st->n_created = 0;
    for (size_t k = 0; k < p->n_orders; k++) {
        if (p->orders[k].created)
            st->created[st->n_created++] = (uint32_t)k;
        else if ((rc = update_order(st, &p->orders[k], err)) != 0)
            return rc;
    }
    rowset orders = {.one = TL__SQ_INS_ORDER,
                     .many = TL__SQ_INS_ORDERS,
                     .cols = 11,
                     .n = st->n_created,
                     .idx = st->created,
                     .orders = p->orders,
                     .bind = bind_created,
                     .name = name_created};
    if ((rc = insert_rows(st, &orders, err)) != 0)
        return rc;
    rowset trades = {.one = TL__SQ_INS_TRADE,
                     .many = TL__SQ_INS_TRADES,
                     .cols = 9,
                     .n = p->n_trades,
                     .trades = p->trades,
                     .bind = bind_trade,
                     .name = name_trade};
    if ((rc = insert_rows(st, &trades, err)) != 0)
        return rc;
    return upsert_workspaces(st, p, err);
}

/* ---------------------------------------------------------------------------------------- */
/* Snapshot rows */

static int upsert_position(tl__sqlite *st, const tl_position_row *p, tl_err *err)
{
    binder x = binder_of(st, TL__SQ_UPS_POSITION);
    BIND_FIELD(&x, 1, p->workspace);
    BIND_FIELD(&x, 2, p->symbol);
    bind_i64(&x, 3, p->qty);
    bind_i64(&x, 4, p->avg_price);
    bind_i64(&x, 5, p->realized_pnl);
    bind_i64(&x, 6, p->fees);
    bind_i64(&x, 7, p->updated_ns);
    int rc = run(x.q);
    return rc == SQLITE_OK ? 0 : tl__sqlite_error(st, rc, "writing a position", err);
}

static int upsert_account(tl__sqlite *st, const tl_account_row *a, tl_err *err)
{
    binder x = binder_of(st, TL__SQ_UPS_ACCOUNT);
    BIND_FIELD(&x, 1, a->workspace);
    bind_i64(&x, 2, a->starting_cash);
    bind_i64(&x, 3, a->cash);
    bind_i64(&x, 4, a->realized_pnl);
    bind_i64(&x, 5, a->fees);
    bind_i64(&x, 6, a->updated_ns);
    int rc = run(x.q);
    return rc == SQLITE_OK ? 0 : tl__sqlite_error(st, rc, "writing an account", err);
}

static int write_batch(tl__sqlite *st, const tl_store_batch *b, tl_err *err)
{
    int rc;

    if (b->n_events > UINT32_MAX)
        return tl_err_set(err, TL_EINVAL, "%s: batch of %zu events is too large", st->name,
                          b->n_events);
    if ((rc = insert_events(st, b->events, b->n_events, err)) != 0 ||
        (rc = project(st, b->events, b->n_events, err)) != 0)
        return rc;
    for (size_t i = 0; i < b->n_positions; i++) {
        if ((rc = upsert_position(st, &b->positions[i], err)) != 0)
            return rc;
    }
    for (size_t i = 0; i < b->n_accounts; i++) {
        if ((rc = upsert_account(st, &b->accounts[i], err)) != 0)
            return rc;
    }
    return tl__sqlite_desk_write(st, b, err);
}

/* Forgets what the write statements hold: the batch they point into ends with the call. */
static void unbind(tl__sqlite *st)
{
    static const int bound[] = {TL__SQ_APPEND_EVENT, TL__SQ_APPEND_EVENTS, TL__SQ_INS_EVENT,
                                TL__SQ_INS_EVENTS,   TL__SQ_INS_ORDER,     TL__SQ_INS_ORDERS,
                                TL__SQ_UPD_ORDER,    TL__SQ_INS_TRADE,     TL__SQ_INS_TRADES,
                                TL__SQ_UPS_POSITION, TL__SQ_UPS_ACCOUNT,   TL__SQ_UPS_WORKSPACE};
    for (size_t i = 0; i < sizeof(bound) / sizeof(bound[0]); i++) {
        sqlite3_clear_bindings(st->stmt[bound[i]]);
        memset(st->bound[bound[i]], 0,
               (size_t)sqlite3_bind_parameter_count(st->stmt[bound[i]]) * sizeof(tl__sq_bound));
    }
}

/*
 * The multi-row INSERTs are OR ROLLBACK: a statement that cannot fail half-way needs no statement
 * journal, a copy of every page it touches, kept to undo it alone. A constraint violation, which
 * must fail the whole batch anyway, then rolls back the transaction; the batch is written again
 * in a new one, row by row, so that the error names the very row as it did, and the dispatcher
 * rolls that back.
 */
int tl__sqlite_write(tl__sqlite *st, const tl_store_batch *b, tl_err *err)
{
    st->careful = 0;
    int rc = write_batch(st, b, err);
    if (rc == REDO_CAREFULLY) {
        unbind(st);
        st->careful = 1;
        int brc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        rc = brc == SQLITE_OK ? write_batch(st, b, err)
                              : tl__sqlite_error(st, brc, "writing a batch again", err);
        st->careful = 0;
        if (rc == REDO_CAREFULLY) /* cannot happen: no multi-row INSERT runs carefully */
            rc = tl_err_set(err, TL_EIO, "%s: constraint failed writing a batch", st->name);
    }
    unbind(st);
    return rc;
}
