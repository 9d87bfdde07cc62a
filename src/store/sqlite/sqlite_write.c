/*
 * sqlite_write.c -- writing one batch: event rows, the orders and trades projections, snapshots.
 *
 * SQLite spends about a microsecond per row and statement, so the cost of a batch is its number
 * of statement steps. Rows go in TL__SQ_CHUNK per INSERT; a chunk that fails is retried row by
 * row, so the error names the very row (a failed statement leaves no row behind). The orders
 * projection is folded per batch: an order submitted, accepted and filled in one batch is one
 * INSERT of its final row, not an INSERT and two UPDATEs; an order created by an earlier batch gets
 * one UPDATE. The result is the row the events imply one by one (store.h), only cheaper. Trades are
 * inserted after the orders, so the foreign key finds the order created in the same batch.
 *
 * All binds are SQLITE_STATIC: they borrow the caller's batch, which outlives the call, and are
 * cleared before returning so no statement keeps a pointer into it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_int.h"
#include "tradeloop/order.h"

/* Length of a fixed-size text field (the dispatcher checked it is NUL-terminated). */
#define LEN(field)             ((int)strnlen((field), sizeof(field)))
#define BIND_TEXT(q, i, field) sqlite3_bind_text((q), (i), (field), LEN(field), SQLITE_STATIC)

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
    const tl_event *events; /* the batch */
    const uint32_t *idx;    /* row i is idx[i] (an event or an orders entry); NULL: event i */
    const tl__sq_order *orders;
    void (*bind)(const struct rowset *rs, sqlite3_stmt *q, int at, size_t i);
    void (*name)(const struct rowset *rs, size_t i, char *buf, size_t cap);
} rowset;

static int insert_rows(tl__sqlite *st, const rowset *rs, tl_err *err)
{
    char what[160];
    size_t i = 0;
    int rc = SQLITE_OK;

    for (; i + TL__SQ_CHUNK <= rs->n; i += TL__SQ_CHUNK) {
        sqlite3_stmt *q = st->stmt[rs->many];
        for (int k = 0; k < TL__SQ_CHUNK; k++)
            rs->bind(rs, q, rs->cols * k, i + (size_t)k);
        if ((rc = run(q)) != SQLITE_OK)
            break;
    }
    /* After a failed chunk SQLite may have ended the whole transaction (disk full, I/O error):
     * retrying outside it would commit rows one by one, so only retry inside it. */
    if (rc != SQLITE_OK && sqlite3_get_autocommit(st->db)) {
        rs->name(rs, i, what, sizeof(what));
        return tl__sqlite_error(st, rc, what, err);
    }
    for (; i < rs->n; i++) {
        sqlite3_stmt *q = st->stmt[rs->one];
        rs->bind(rs, q, 0, i);
        if ((rc = run(q)) != SQLITE_OK) {
            rs->name(rs, i, what, sizeof(what));
            return tl__sqlite_error(st, rc, what, err);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Events */

static void bind_event(const rowset *rs, sqlite3_stmt *q, int at, size_t i)
{
    const tl_event *ev = &rs->events[i];
    sqlite3_bind_int64(q, at + 1, (sqlite3_int64)ev->seq);
    sqlite3_bind_int64(q, at + 2, ev->ts_ns);
    sqlite3_bind_int(q, at + 3, ev->type);
    sqlite3_bind_int(q, at + 4, ev->side);
    sqlite3_bind_int(q, at + 5, ev->status);
    BIND_TEXT(q, at + 6, ev->workspace);
    BIND_TEXT(q, at + 7, ev->order_id);
    BIND_TEXT(q, at + 8, ev->idem_key);
    BIND_TEXT(q, at + 9, ev->symbol);
    BIND_TEXT(q, at + 10, ev->trade_id);
    sqlite3_bind_int64(q, at + 11, ev->qty);
    sqlite3_bind_int64(q, at + 12, ev->price);
    sqlite3_bind_int64(q, at + 13, ev->fee);
    BIND_TEXT(q, at + 14, ev->text);
}

static void name_event(const rowset *rs, size_t i, char *buf, size_t cap)
{
    snprintf(buf, cap, "appending event seq %" PRIu64, rs->events[i].seq);
}

static int insert_events(tl__sqlite *st, const tl_event *ev, size_t n, tl_err *err)
{
    /* seq is a signed 64-bit rowid; the dispatcher counts from 1, so this is only a guard. */
    if (n > 0 && ev[n - 1].seq > INT64_MAX)
        return tl_err_set(err, TL_ERANGE, "%s: seq %" PRIu64 " out of range", st->name,
                          ev[n - 1].seq);
    rowset rs = {.one = TL__SQ_INS_EVENT,
                 .many = TL__SQ_INS_EVENTS,
                 .cols = 14,
                 .n = n,
                 .events = ev,
                 .bind = bind_event,
                 .name = name_event};
    return insert_rows(st, &rs, err);
}

/* ---------------------------------------------------------------------------------------- */
/* The orders projection, folded per batch */

static uint64_t order_hash(const tl_event *ev)
{
    char key[sizeof(ev->workspace) + sizeof(ev->order_id)];
    size_t w = strnlen(ev->workspace, sizeof(ev->workspace));
    size_t o = strnlen(ev->order_id, sizeof(ev->order_id));
    memcpy(key, ev->workspace, w);
    key[w] = '\0'; /* "ab"+"c" and "a"+"bc" must differ */
    memcpy(key + w + 1, ev->order_id, o);
    return tl_hash_bytes(key, w + 1 + o);
}

static int same_order(const tl_event *a, const tl_event *b)
{
    return strncmp(a->order_id, b->order_id, sizeof(a->order_id)) == 0 &&
           strncmp(a->workspace, b->workspace, sizeof(a->workspace)) == 0;
}

/* The batch's entry of ev's order, or NULL. */
static tl__sq_order *find_order(tl__sqlite *st, const tl_event *events, const tl_event *ev,
                                uint64_t h)
{
    uint64_t cursor = 0;
    uint32_t at;
    while (tl_hashmap_next_match(&st->order_map, h, &cursor, &at)) {
        if (same_order(&events[st->orders[at].ev], ev))
            return &st->orders[at];
    }
    return NULL;
}

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap * 2 : 256;
    while (cap2 < need)
        cap2 *= 2;
    void *p = realloc(*arr, cap2 * size);
    if (p == NULL)
        return TL_ENOMEM;
    *arr = p;
    *cap = cap2;
    return 0;
}

static tl__sq_order *new_order(tl__sqlite *st, uint32_t i, uint64_t h, tl_err *err)
{
    if (grow((void **)&st->orders, &st->cap_orders, st->n_orders + 1, sizeof(*st->orders)) != 0 ||
        tl_hashmap_insert_multi(&st->order_map, h, (uint32_t)st->n_orders) != 0) {
        tl_err_set(err, TL_ENOMEM, "%s: out of memory writing a batch", st->name);
        return NULL;
    }
    tl__sq_order *o = &st->orders[st->n_orders++];
    memset(o, 0, sizeof(*o));
    o->ev = i;
    o->status_ev = i;
    return o;
}

static const char *status_of(const tl__sq_order *o, const tl_event *events)
{
    const tl_event *ev = &events[o->status_ev];
    return ev->type == TL_EV_INTENT_DENIED ? tl_order_status_name(TL_OS_DENIED)
                                           : tl_order_status_name(ev->status);
}

/* An orders row, in ORD_COLS order (the UPDATE uses the same parameter numbers). NULL
 * filled_at and reject_reason leave an existing row's values as they are. */
static void bind_order(sqlite3_stmt *q, int at, const tl_event *events, const tl__sq_order *o)
{
    const tl_event *ev = &events[o->ev];
    BIND_TEXT(q, at + 1, ev->workspace);
    BIND_TEXT(q, at + 2, ev->order_id);
    BIND_TEXT(q, at + 3, ev->symbol);
    sqlite3_bind_text(q, at + 4, tl_side_name(ev->side), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, at + 5, ev->qty);
    sqlite3_bind_int64(q, at + 6, ev->price);
    sqlite3_bind_text(q, at + 7, status_of(o, events), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, at + 8, ev->ts_ns);
    sqlite3_bind_int64(q, at + 9, o->filled);
    if (o->filled_ev != 0)
        sqlite3_bind_int64(q, at + 10, events[o->filled_ev - 1].ts_ns);
    else
        sqlite3_bind_null(q, at + 10);
    if (o->reason_ev != 0)
        BIND_TEXT(q, at + 11, events[o->reason_ev - 1].text);
    else if (o->created)
        sqlite3_bind_text(q, at + 11, "", 0, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, at + 11);
}

static void name_order(char *buf, size_t cap, const char *verb, const tl_event *ev)
{
    snprintf(buf, cap, "%s order %.47s/%.23s (seq %" PRIu64 ")", verb, ev->workspace, ev->order_id,
             ev->seq);
}

/* The UPDATE of an order the batch did not create. It changes nothing when no such order
 * exists: its events are still journaled, and a fill of it is refused by the trades foreign
 * key. */
static int update_order(tl__sqlite *st, const tl_event *events, const tl__sq_order *o, tl_err *err)
{
    sqlite3_stmt *q = st->stmt[TL__SQ_UPD_ORDER];
    char what[128];
    bind_order(q, 0, events, o);
    int rc = run(q);
    if (rc == SQLITE_OK)
        return 0;
    name_order(what, sizeof(what), "updating", &events[o->ev]);
    return tl__sqlite_error(st, rc, what, err);
}

static void bind_created(const rowset *rs, sqlite3_stmt *q, int at, size_t i)
{
    bind_order(q, at, rs->events, &rs->orders[rs->idx[i]]);
}

static void name_created(const rowset *rs, size_t i, char *buf, size_t cap)
{
    name_order(buf, cap, "inserting", &rs->events[rs->orders[rs->idx[i]].ev]);
}

/* Folds event i into its order's entry. */
static int track_order(tl__sqlite *st, const tl_event *events, uint32_t i, tl_err *err)
{
    const tl_event *ev = &events[i];
    int creates = ev->type == TL_EV_ORDER_SUBMITTED || ev->type == TL_EV_INTENT_DENIED;
    uint64_t h = order_hash(ev);
    tl__sq_order *o = find_order(st, events, ev, h);
    int rc;

    if (creates && o != NULL) {
        if (o->created)
            return tl_err_set(err, TL_EDUPLICATE,
                              "%s: duplicate while inserting order %.47s/%.23s (seq %" PRIu64
                              "): submitted twice in one batch",
                              st->name, ev->workspace, ev->order_id, ev->seq);
        /* Events of an order before its creation: apply them first, in journal order. */
        if ((rc = update_order(st, events, o, err)) != 0)
            return rc;
        memset(o, 0, sizeof(*o));
        o->ev = i;
    } else if (o == NULL && (o = new_order(st, i, h, err)) == NULL) {
        return TL_ENOMEM;
    }
    o->status_ev = i;
    if (creates) {
        o->created = 1;
        o->reason_ev = ev->type == TL_EV_INTENT_DENIED ? i + 1 : 0;
    } else if (ev->type == TL_EV_ORDER_REJECTED) {
        o->reason_ev = i + 1;
    } else if (ev->type == TL_EV_ORDER_FILLED) {
        if (__builtin_add_overflow(o->filled, ev->qty, &o->filled))
            return tl_err_set(err, TL_ERANGE, "%s: filled quantity of order %.47s/%.23s overflows",
                              st->name, ev->workspace, ev->order_id);
        if (ev->status == TL_OS_FILLED)
            o->filled_ev = i + 1;
    }
    return 0;
}

static int is_order_event(int type)
{
    switch (type) {
    case TL_EV_ORDER_SUBMITTED:
    case TL_EV_INTENT_DENIED:
    case TL_EV_ORDER_ACCEPTED:
    case TL_EV_ORDER_REJECTED:
    case TL_EV_ORDER_CANCELED:
    case TL_EV_ORDER_EXPIRED:
    case TL_EV_CANCEL_REQUESTED:
    case TL_EV_ORDER_FILLED:
        return 1;
    default:
        return 0;
    }
}

static void bind_trade(const rowset *rs, sqlite3_stmt *q, int at, size_t i)
{
    const tl_event *ev = &rs->events[rs->idx[i]];
    BIND_TEXT(q, at + 1, ev->workspace);
    BIND_TEXT(q, at + 2, ev->trade_id);
    BIND_TEXT(q, at + 3, ev->order_id);
    BIND_TEXT(q, at + 4, ev->symbol);
    sqlite3_bind_text(q, at + 5, tl_side_name(ev->side), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, at + 6, ev->qty);
    sqlite3_bind_int64(q, at + 7, ev->price);
    sqlite3_bind_int64(q, at + 8, ev->fee);
    sqlite3_bind_int64(q, at + 9, ev->ts_ns);
}

static void name_trade(const rowset *rs, size_t i, char *buf, size_t cap)
{
    const tl_event *ev = &rs->events[rs->idx[i]];
    snprintf(buf, cap, "inserting trade %.47s/%.31s of order %.23s (seq %" PRIu64 ")",
             ev->workspace, ev->trade_id, ev->order_id, ev->seq);
}

static int project(tl__sqlite *st, const tl_event *events, size_t n, tl_err *err)
{
    int rc;

    st->n_orders = 0;
    st->n_fills = 0;
    tl_hashmap_clear(&st->order_map);
    for (size_t i = 0; i < n; i++) {
        const tl_event *ev = &events[i];
        if (!is_order_event(ev->type))
            continue;
        if (ev->type == TL_EV_ORDER_FILLED) {
            if (grow((void **)&st->fills, &st->cap_fills, st->n_fills + 1, sizeof(*st->fills)))
                return tl_err_set(err, TL_ENOMEM, "%s: out of memory writing a batch", st->name);
            st->fills[st->n_fills++] = (uint32_t)i;
        }
        if (ev->order_id[0] != '\0' && (rc = track_order(st, events, (uint32_t)i, err)) != 0)
            return rc;
    }
    /* Updates first, then the new orders, then the trades that reference them. */
    st->n_created = 0;
    for (size_t k = 0; k < st->n_orders; k++) {
        const tl__sq_order *o = &st->orders[k];
        if (o->created) {
            if (grow((void **)&st->created, &st->cap_created, st->n_created + 1,
                     sizeof(*st->created)) != 0)
                return tl_err_set(err, TL_ENOMEM, "%s: out of memory writing a batch", st->name);
            st->created[st->n_created++] = (uint32_t)k;
        } else if ((rc = update_order(st, events, o, err)) != 0) {
            return rc;
        }
    }
    rowset orders = {.one = TL__SQ_INS_ORDER,
                     .many = TL__SQ_INS_ORDERS,
                     .cols = 11,
                     .n = st->n_created,
                     .events = events,
                     .idx = st->created,
                     .orders = st->orders,
                     .bind = bind_created,
                     .name = name_created};
    if ((rc = insert_rows(st, &orders, err)) != 0)
        return rc;
    rowset trades = {.one = TL__SQ_INS_TRADE,
                     .many = TL__SQ_INS_TRADES,
                     .cols = 9,
                     .n = st->n_fills,
                     .events = events,
                     .idx = st->fills,
                     .bind = bind_trade,
                     .name = name_trade};
    return insert_rows(st, &trades, err);
}

/* ---------------------------------------------------------------------------------------- */
/* Snapshot rows */

static int upsert_position(tl__sqlite *st, const tl_position_row *p, tl_err *err)
{
    sqlite3_stmt *q = st->stmt[TL__SQ_UPS_POSITION];
    BIND_TEXT(q, 1, p->workspace);
    BIND_TEXT(q, 2, p->symbol);
    sqlite3_bind_int64(q, 3, p->qty);
    sqlite3_bind_int64(q, 4, p->avg_price);
    sqlite3_bind_int64(q, 5, p->realized_pnl);
    sqlite3_bind_int64(q, 6, p->fees);
    sqlite3_bind_int64(q, 7, p->updated_ns);
    int rc = run(q);
    return rc == SQLITE_OK ? 0 : tl__sqlite_error(st, rc, "writing a position", err);
}

static int upsert_account(tl__sqlite *st, const tl_account_row *a, tl_err *err)
{
    sqlite3_stmt *q = st->stmt[TL__SQ_UPS_ACCOUNT];
    BIND_TEXT(q, 1, a->workspace);
    sqlite3_bind_int64(q, 2, a->starting_cash);
    sqlite3_bind_int64(q, 3, a->cash);
    sqlite3_bind_int64(q, 4, a->realized_pnl);
    sqlite3_bind_int64(q, 5, a->fees);
    sqlite3_bind_int64(q, 6, a->updated_ns);
    int rc = run(q);
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
    return 0;
}

int tl__sqlite_write(tl__sqlite *st, const tl_store_batch *b, tl_err *err)
{
    int rc = write_batch(st, b, err);
    static const int bound[] = {TL__SQ_INS_EVENT,  TL__SQ_INS_EVENTS,   TL__SQ_INS_ORDER,
                                TL__SQ_INS_ORDERS, TL__SQ_UPD_ORDER,    TL__SQ_INS_TRADE,
                                TL__SQ_INS_TRADES, TL__SQ_UPS_POSITION, TL__SQ_UPS_ACCOUNT};
    for (size_t i = 0; i < sizeof(bound) / sizeof(bound[0]); i++)
        sqlite3_clear_bindings(st->stmt[bound[i]]);
    return rc;
}
