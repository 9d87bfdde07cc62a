/*
 * mem.c -- the memory store backend ("mem:"): the journal in growable arrays.
 *
 * Serves tests, backtests and sweeps, where nothing has to outlive the process, so it favours
 * speed: arrays grow by doubling and are reused, so a write allocates nothing per event. It keeps
 * the same logical schema as the SQL backends, including the orders and trades projections with
 * their UNIQUE keys, so a program that runs on mem: fails the same way on SQLite.
 *
 * Transactions. A write appends past the committed end of each array and changes snapshot rows
 * in place, logging the old value of every row it changes in an undo log. Commit just moves the
 * committed end and empties the log; rollback (and a failed write, which undoes itself as a SQL
 * statement would) replays the log backwards and cuts the arrays back to a mark. Scans and
 * lookups read only the committed events, so nothing is visible before commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/vec.h"
#include "store/mem/mem_ctl.h"
#include "store/mem/mem_desk.h"
#include "store/mem/mem_runs.h"
#include "store/mem/mem_orders.h"
#include "store/projection.h"
#include "store/store.h"

#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)
#define ORDER_ID_SIZE           FIELD_SIZE(tl_event, order_id)
#define SYMBOL_SIZE             FIELD_SIZE(tl_event, symbol)
#define TRADE_ID_SIZE           FIELD_SIZE(tl_event, trade_id)
/* Arrays are indexed by the hash maps' 32-bit values. */
#define MAX_ROWS UINT32_MAX

/* A row of the orders projection (mem_orders.h, which reads them). */
typedef tl__mem_order mem_order;
_Static_assert(ORDER_ID_SIZE == TL_ORDER_ID_MAX && SYMBOL_SIZE == TL_SYMBOL_MAX,
               "orders rows copy the events' ids and symbols whole");

/* A row of the trades projection. */
typedef struct mem_trade {
    char workspace[TL_WORKSPACE_MAX];
    char trade_id[TRADE_ID_SIZE];
    char order_id[ORDER_ID_SIZE];
    char symbol[SYMBOL_SIZE];
    uint8_t side;
    tl_fixed quantity;
    tl_fixed price;
    tl_fixed fee;
    int64_t ts_ns;
} mem_trade;

/* A row of the workspaces projection. */
typedef struct mem_ws {
    char workspace[TL_WORKSPACE_MAX];
    uint64_t first_seq, last_seq;
} mem_ws;

enum undo_kind {
    UNDO_WS_UPDATE,
    UNDO_ORDER_UPDATE,
    UNDO_POS_UPDATE,
    UNDO_POS_INSERT,
    UNDO_ACC_UPDATE,
    UNDO_ACC_INSERT
};

/* The old value of one changed row. Snapshot rows are found again by key, not by index, because
 * later inserts shift the sorted arrays; replaying the log backwards restores each row as it was
 * right after the preceding change. */
typedef struct undo_rec {
    uint8_t kind;   /* enum undo_kind */
    uint32_t index; /* UNDO_ORDER_UPDATE, UNDO_WS_UPDATE: the row's index */
    union {
        uint64_t last_seq; /* UNDO_WS_UPDATE */
        mem_order order;
        tl_position_row pos; /* old row, or the inserted row's key */
        tl_account_row acc;
    } old;
} undo_rec;

/* Lengths to cut back to: the state at begin, or at the start of a write. */
typedef struct mark {
    size_t events, orders, trades, ws, undo;
} mark;

typedef struct mem_store {
    tl_event *events; /* ascending seq; [0, n_events) committed, then the open transaction's */
    size_t n_events, len_events, cap_events;
    mem_order *orders;
    size_t len_orders, cap_orders;
    mem_trade *trades;
    size_t len_trades, cap_trades;
    mem_ws *ws; /* in order of first event */
    size_t len_ws, cap_ws;
    tl_projection proj;         /* scratch: the batch being written */
    tl_position_row *positions; /* sorted by (workspace, symbol) */
    size_t n_positions, cap_positions;
    tl_account_row *accounts; /* sorted by workspace */
    size_t n_accounts, cap_accounts;
    undo_rec *undo;
    size_t n_undo, cap_undo;
    tl_hashmap idem;     /* hash(idem_key) -> index of the key's INTENT_EMITTED */
    tl_hashmap order_ix; /* hash(workspace\0order_id) -> order index */
    tl_hashmap trade_ix; /* hash(workspace\0trade_id) -> trade index */
    tl_hashmap ws_ix;    /* hash(workspace) -> workspaces index */
    int in_txn;
    mark begin_mark;
    tl__mem_desk_mark desk_begin; /* the desk's lengths at begin */
    tl__mem_ctl ctl;              /* the control inbox and status documents (mem_ctl.c) */
    tl__mem_desk desk;            /* the RFQ desk's rows (mem_desk.c) */
    tl__mem_runs runs;            /* run plans and variants (mem_runs.c) */
} mem_store;

/* Makes room for `need` elements of `size` bytes, doubling; on TL_ENOMEM *arr is unchanged. */
static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    if (need > MAX_ROWS)
        return TL_EFULL;
    return tl_vec_reserve(arr, cap, need, size);
}

static int grow_err(int rc, const char *what, tl_err *err)
{
    if (rc == TL_EFULL)
        return tl_err_set(err, rc, "mem store: too many %s", what);
    return tl_err_set(err, rc, "mem store: out of memory growing %s", what);
}

/* Hash of "workspace\0id", the key of the orders and trades projections. */
static uint64_t ws_key_hash(const char *ws, const char *id)
{
    char buf[TL_WORKSPACE_MAX + TRADE_ID_SIZE + 1];
    size_t wl = strnlen(ws, TL_WORKSPACE_MAX - 1);
    size_t il = strnlen(id, TRADE_ID_SIZE - 1);
    memcpy(buf, ws, wl);
    buf[wl] = '\0';
    memcpy(buf + wl + 1, id, il);
    return tl_hash_bytes(buf, wl + 1 + il);
}

static uint64_t str_hash(const char *s)
{
    return tl_hash_bytes(s, strlen(s));
}

/* Index of the order (ws, id), or -1. Hash collisions are resolved on the real strings. */
static int64_t order_find(const mem_store *m, const char *ws, const char *id, uint64_t h)
{
    uint64_t cur = 0;
    uint32_t ix;
    while (tl_hashmap_next_match(&m->order_ix, h, &cur, &ix)) {
        const mem_order *o = &m->orders[ix];
        if (strcmp(o->workspace, ws) == 0 && strcmp(o->order_id, id) == 0)
            return ix;
    }
    return -1;
}

static int64_t trade_find(const mem_store *m, const char *ws, const char *id, uint64_t h)
{
    uint64_t cur = 0;
    uint32_t ix;
    while (tl_hashmap_next_match(&m->trade_ix, h, &cur, &ix)) {
        const mem_trade *t = &m->trades[ix];
        if (strcmp(t->workspace, ws) == 0 && strcmp(t->trade_id, id) == 0)
            return ix;
    }
    return -1;
}

/* Index of the INTENT_EMITTED of key among events [0, limit), or -1. */
static int64_t idem_find(const mem_store *m, const char *key, size_t limit)
{
    uint64_t cur = 0;
    uint32_t ix;
    int64_t best = -1;
    while (tl_hashmap_next_match(&m->idem, str_hash(key), &cur, &ix)) {
        if (ix < limit && strcmp(m->events[ix].idem_key, key) == 0 && (best < 0 || ix < best))
            best = ix;
    }
    return best;
}

static int pos_cmp(const tl_position_row *a, const char *ws, const char *sym)
{
    int c = strcmp(a->workspace, ws);
    return c != 0 ? c : strcmp(a->symbol, sym);
}

/* Binary search: true when found; *at is its index or the insertion point. */
static int pos_find(const mem_store *m, const char *ws, const char *sym, size_t *at)
{
    size_t lo = 0, hi = m->n_positions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pos_cmp(&m->positions[mid], ws, sym) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return lo < m->n_positions && pos_cmp(&m->positions[lo], ws, sym) == 0;
}

static int acc_find(const mem_store *m, const char *ws, size_t *at)
{
    size_t lo = 0, hi = m->n_accounts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->accounts[mid].workspace, ws) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return lo < m->n_accounts && strcmp(m->accounts[lo].workspace, ws) == 0;
}

static void pos_remove(mem_store *m, size_t at)
{
    memmove(&m->positions[at], &m->positions[at + 1],
            (m->n_positions - at - 1) * sizeof *m->positions);
    m->n_positions--;
}

static void acc_remove(mem_store *m, size_t at)
{
    memmove(&m->accounts[at], &m->accounts[at + 1], (m->n_accounts - at - 1) * sizeof *m->accounts);
    m->n_accounts--;
}

/* Reserves one undo record; the caller fills it only once its change can no longer fail. */
static undo_rec *undo_push(mem_store *m, tl_err *err)
{
    int rc = grow((void **)&m->undo, &m->cap_undo, m->n_undo + 1, sizeof *m->undo);
    if (rc < 0) {
        grow_err(rc, "undo records", err);
        return NULL;
    }
    return &m->undo[m->n_undo];
}

static mark mark_now(const mem_store *m)
{
    return (mark){m->len_events, m->len_orders, m->len_trades, m->len_ws, m->n_undo};
}

/* Returns every array, index and snapshot row to the state recorded in mk. */
static void undo_to(mem_store *m, mark mk)
{
    size_t at;
    while (m->n_undo > mk.undo) {
        const undo_rec *u = &m->undo[--m->n_undo];
        switch (u->kind) {
        case UNDO_WS_UPDATE:
            m->ws[u->index].last_seq = u->old.last_seq;
            break;
        case UNDO_ORDER_UPDATE:
            m->orders[u->index] = u->old.order;
            break;
        case UNDO_POS_UPDATE:
            if (pos_find(m, u->old.pos.workspace, u->old.pos.symbol, &at))
                m->positions[at] = u->old.pos;
            break;
        case UNDO_POS_INSERT:
            if (pos_find(m, u->old.pos.workspace, u->old.pos.symbol, &at))
                pos_remove(m, at);
            break;
        case UNDO_ACC_UPDATE:
            if (acc_find(m, u->old.acc.workspace, &at))
                m->accounts[at] = u->old.acc;
            break;
        case UNDO_ACC_INSERT:
            if (acc_find(m, u->old.acc.workspace, &at))
                acc_remove(m, at);
            break;
        }
    }
    /* Only INTENT_EMITTED events are indexed: removing theirs drops exactly the keys emitted
     * after the mark. */
    for (size_t i = mk.events; i < m->len_events; i++) {
        if (m->events[i].type == TL_EV_INTENT_EMITTED && m->events[i].idem_key[0] != '\0')
            tl_hashmap_del_pair(&m->idem, str_hash(m->events[i].idem_key), (uint32_t)i);
    }
    m->len_events = mk.events;
    for (size_t i = mk.orders; i < m->len_orders; i++) {
        const mem_order *o = &m->orders[i];
        tl_hashmap_del_pair(&m->order_ix, ws_key_hash(o->workspace, o->order_id), (uint32_t)i);
    }
    m->len_orders = mk.orders;
    for (size_t i = mk.trades; i < m->len_trades; i++) {
        const mem_trade *t = &m->trades[i];
        tl_hashmap_del_pair(&m->trade_ix, ws_key_hash(t->workspace, t->trade_id), (uint32_t)i);
    }
    m->len_trades = mk.trades;
    for (size_t i = mk.ws; i < m->len_ws; i++)
        tl_hashmap_del_pair(&m->ws_ix, str_hash(m->ws[i].workspace), (uint32_t)i);
    m->len_ws = mk.ws;
}

static int64_t ws_find(const mem_store *m, const char *ws)
{
    uint64_t cur = 0;
    uint32_t ix;
    while (tl_hashmap_next_match(&m->ws_ix, str_hash(ws), &cur, &ix)) {
        if (strcmp(m->ws[ix].workspace, ws) == 0)
            return ix;
    }
    return -1;
}

static int order_insert(mem_store *m, const tl_proj_order *po, tl_err *err)
{
    const tl_event *ev = po->ev;
    uint64_t h = ws_key_hash(ev->workspace, ev->order_id);
    if (order_find(m, ev->workspace, ev->order_id, h) >= 0)
        return tl_err_set(err, TL_EDUPLICATE,
                          "mem store: event seq %llu: order '%s' already exists in workspace '%s'",
                          (unsigned long long)ev->seq, ev->order_id, ev->workspace);
    int rc = grow((void **)&m->orders, &m->cap_orders, m->len_orders + 1, sizeof *m->orders);
    if (rc < 0)
        return grow_err(rc, "orders", err);
    if (tl_hashmap_insert_multi(&m->order_ix, h, (uint32_t)m->len_orders) < 0)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory indexing orders");
    mem_order *o = &m->orders[m->len_orders++];
    memset(o, 0, sizeof *o);
    memcpy(o->workspace, ev->workspace, sizeof o->workspace);
    memcpy(o->order_id, ev->order_id, sizeof o->order_id);
    memcpy(o->symbol, ev->symbol, sizeof o->symbol);
    o->side = ev->side;
    o->status = po->status;
    o->quantity = ev->qty;
    o->price = ev->price;
    o->filled_qty = po->filled;
    o->created_ns = ev->ts_ns;
    o->filled_ns = po->first_fill != NULL ? po->filled_at : 0;
    snprintf(o->reject_reason, sizeof o->reject_reason, "%s", tl_proj_reason(po));
    return 0;
}

/* An order an earlier batch created. One the store does not hold changes nothing, as an SQL
 * UPDATE matching no row would; but a fill of it references nothing: refused. */
static int order_update(mem_store *m, const tl_proj_order *po, size_t write_start, tl_err *err)
{
    const tl_event *ev = po->ev;
    int64_t ix =
        order_find(m, ev->workspace, ev->order_id, ws_key_hash(ev->workspace, ev->order_id));
    if (ix < 0 && po->first_fill != NULL)
        return tl_err_set(err, TL_ENOTFOUND,
                          "mem store: event seq %llu: trade '%s' of order '%s' in workspace '%s':"
                          " no such order",
                          (unsigned long long)po->first_fill->seq, po->first_fill->trade_id,
                          ev->order_id, ev->workspace);
    if (ix < 0)
        return 0;
    mem_order *o = &m->orders[ix];
    tl_fixed filled = o->filled_qty;
    if (tl_fixed_add(filled, po->filled, &filled) < 0)
        return tl_err_set(err, TL_ERANGE,
                          "mem store: event seq %llu: filled quantity of '%s' overflows",
                          (unsigned long long)ev->seq, ev->order_id);
    /* Orders inserted by this very write vanish with it, so only older ones need a record. */
    if ((size_t)ix < write_start) {
        undo_rec *u = undo_push(m, err);
        if (u == NULL)
            return TL_ENOMEM;
        u->kind = UNDO_ORDER_UPDATE;
        u->index = (uint32_t)ix;
        u->old.order = *o;
        m->n_undo++;
    }
    o->status = po->status;
    o->filled_qty = filled;
    if (po->first_fill != NULL)
        o->filled_ns = po->filled_at;
    if (po->reason != NULL)
        memcpy(o->reject_reason, po->reason->text, sizeof o->reject_reason);
    return 0;
}

static int trade_insert(mem_store *m, const tl_event *ev, tl_err *err)
{
    uint64_t h = ws_key_hash(ev->workspace, ev->trade_id);
    if (trade_find(m, ev->workspace, ev->trade_id, h) >= 0)
        return tl_err_set(err, TL_EDUPLICATE,
                          "mem store: event seq %llu: trade '%s' already exists in workspace '%s'",
                          (unsigned long long)ev->seq, ev->trade_id, ev->workspace);
    int rc = grow((void **)&m->trades, &m->cap_trades, m->len_trades + 1, sizeof *m->trades);
    if (rc < 0)
        return grow_err(rc, "trades", err);
    if (tl_hashmap_insert_multi(&m->trade_ix, h, (uint32_t)m->len_trades) < 0)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory indexing trades");
    mem_trade *t = &m->trades[m->len_trades++];
    memset(t, 0, sizeof *t);
    memcpy(t->workspace, ev->workspace, sizeof t->workspace);
    memcpy(t->trade_id, ev->trade_id, sizeof t->trade_id);
    memcpy(t->order_id, ev->order_id, sizeof t->order_id);
    memcpy(t->symbol, ev->symbol, sizeof t->symbol);
    t->side = ev->side;
    t->quantity = ev->qty;
    t->price = ev->price;
    t->fee = ev->fee;
    t->ts_ns = ev->ts_ns;
    return 0;
}

static int ws_upsert(mem_store *m, const tl_proj_ws *w, tl_err *err)
{
    int64_t ix = ws_find(m, w->workspace);
    if (ix >= 0) {
        undo_rec *u = undo_push(m, err);
        if (u == NULL)
            return TL_ENOMEM;
        u->kind = UNDO_WS_UPDATE;
        u->index = (uint32_t)ix;
        u->old.last_seq = m->ws[ix].last_seq;
        m->n_undo++;
        m->ws[ix].last_seq = w->last_seq;
        return 0;
    }
    int rc = grow((void **)&m->ws, &m->cap_ws, m->len_ws + 1, sizeof *m->ws);
    if (rc < 0)
        return grow_err(rc, "workspaces", err);
    if (tl_hashmap_insert_multi(&m->ws_ix, str_hash(w->workspace), (uint32_t)m->len_ws) < 0)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory indexing workspaces");
    mem_ws *r = &m->ws[m->len_ws++];
    snprintf(r->workspace, sizeof r->workspace, "%s", w->workspace);
    r->first_seq = w->first_seq;
    r->last_seq = w->last_seq;
    return 0;
}

/* The orders, trades and workspaces rows of the batch, as tl_proj_fold decides them. */
static int apply_projection(mem_store *m, const tl_event *ev, size_t n, size_t write_start,
                            tl_err *err)
{
    tl_projection *p = &m->proj;
    int rc = tl_proj_fold(p, ev, n, err);
    for (size_t i = 0; rc == 0 && i < p->n_orders; i++)
        rc = p->orders[i].created ? order_insert(m, &p->orders[i], err)
                                  : order_update(m, &p->orders[i], write_start, err);
    for (size_t i = 0; rc == 0 && i < p->n_trades; i++)
        rc = trade_insert(m, p->trades[i], err);
    for (size_t i = 0; rc == 0 && i < p->n_ws; i++)
        rc = ws_upsert(m, &p->ws[i], err);
    return rc;
}

static int write_event(mem_store *m, const tl_event *ev, tl_err *err)
{
    uint64_t last = m->len_events > 0 ? m->events[m->len_events - 1].seq : 0;
    if (ev->seq <= last)
        return tl_err_set(err, TL_EDUPLICATE, "mem store: event seq %llu not above %llu",
                          (unsigned long long)ev->seq, (unsigned long long)last);
    /* An intent is emitted once per idempotency key (a unique index on the SQL backends), and
     * the index holds each key's INTENT_EMITTED. */
    bool intent = ev->type == TL_EV_INTENT_EMITTED && ev->idem_key[0] != '\0';
    if (intent && idem_find(m, ev->idem_key, m->len_events) >= 0)
        return tl_err_set(err, TL_EEXIST, "intent already executed: '%s' already emitted",
                          ev->idem_key);
    /* Room for the event was reserved for the whole batch. */
    size_t ix = m->len_events;
    if (intent && tl_hashmap_insert_multi(&m->idem, str_hash(ev->idem_key), (uint32_t)ix) < 0)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory indexing idempotency keys");
    m->events[ix] = *ev;
    m->len_events++;
    return 0;
}

static int upsert_position(mem_store *m, const tl_position_row *p, tl_err *err)
{
    size_t at;
    int found = pos_find(m, p->workspace, p->symbol, &at);
    undo_rec *u = undo_push(m, err);
    if (u == NULL)
        return TL_ENOMEM;
    if (found) {
        u->kind = UNDO_POS_UPDATE;
        u->old.pos = m->positions[at];
    } else {
        int rc = grow((void **)&m->positions, &m->cap_positions, m->n_positions + 1,
                      sizeof *m->positions);
        if (rc < 0)
            return grow_err(rc, "positions", err);
        memmove(&m->positions[at + 1], &m->positions[at],
                (m->n_positions - at) * sizeof *m->positions);
        m->n_positions++;
        u->kind = UNDO_POS_INSERT;
        u->old.pos = *p;
    }
    m->n_undo++;
    m->positions[at] = *p;
    return 0;
}

static int upsert_account(mem_store *m, const tl_account_row *a, tl_err *err)
{
    size_t at;
    int found = acc_find(m, a->workspace, &at);
    undo_rec *u = undo_push(m, err);
    if (u == NULL)
        return TL_ENOMEM;
    if (found) {
        u->kind = UNDO_ACC_UPDATE;
        u->old.acc = m->accounts[at];
    } else {
        int rc =
            grow((void **)&m->accounts, &m->cap_accounts, m->n_accounts + 1, sizeof *m->accounts);
        if (rc < 0)
            return grow_err(rc, "accounts", err);
        memmove(&m->accounts[at + 1], &m->accounts[at], (m->n_accounts - at) * sizeof *m->accounts);
        m->n_accounts++;
        u->kind = UNDO_ACC_INSERT;
        u->old.acc = *a;
    }
    m->n_undo++;
    m->accounts[at] = *a;
    return 0;
}

static int mem_open(void *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    (void)opt; /* nothing here is durable, whatever the setting */
    mem_store *m = st;
    if (strncmp(url, "mem:", 4) != 0)
        return tl_err_set(err, TL_EINVAL, "mem store: URL must start with 'mem:'");
    if (tl_hashmap_init(&m->idem, 64) < 0)
        goto nomem;
    if (tl_hashmap_init(&m->order_ix, 64) < 0) {
        tl_hashmap_close(&m->idem);
        goto nomem;
    }
    if (tl_hashmap_init(&m->trade_ix, 64) < 0) {
        tl_hashmap_close(&m->idem);
        tl_hashmap_close(&m->order_ix);
        goto nomem;
    }
    if (tl_hashmap_init(&m->ws_ix, 16) < 0) {
        tl_hashmap_close(&m->idem);
        tl_hashmap_close(&m->order_ix);
        tl_hashmap_close(&m->trade_ix);
        goto nomem;
    }
    if (tl__mem_desk_init(&m->desk, err) < 0) {
        tl_hashmap_close(&m->idem);
        tl_hashmap_close(&m->order_ix);
        tl_hashmap_close(&m->trade_ix);
        tl_hashmap_close(&m->ws_ix);
        return TL_ENOMEM;
    }
    if (tl__mem_runs_init(&m->runs, err) < 0) {
        tl_hashmap_close(&m->idem);
        tl_hashmap_close(&m->order_ix);
        tl_hashmap_close(&m->trade_ix);
        tl_hashmap_close(&m->ws_ix);
        tl__mem_desk_free(&m->desk);
        return TL_ENOMEM;
    }
    return 0;
nomem:
    return tl_err_set(err, TL_ENOMEM, "mem store: out of memory");
}

static void mem_close(void *st)
{
    mem_store *m = st;
    free(m->events);
    free(m->orders);
    free(m->trades);
    free(m->positions);
    free(m->accounts);
    free(m->undo);
    free(m->ws);
    tl_proj_free(&m->proj);
    tl_hashmap_close(&m->ws_ix);
    tl_hashmap_close(&m->idem);
    tl_hashmap_close(&m->order_ix);
    tl_hashmap_close(&m->trade_ix);
    tl__mem_ctl_free(&m->ctl);
    tl__mem_desk_free(&m->desk);
    tl__mem_runs_free(&m->runs);
    memset(m, 0, sizeof *m);
}

static int mem_begin(void *st, tl_err *err)
{
    mem_store *m = st;
    if (m->in_txn)
        return tl_err_set(err, TL_ESTATE, "mem store: transaction already open");
    m->in_txn = 1;
    m->begin_mark = mark_now(m);
    m->desk_begin = tl__mem_desk_mark_now(&m->desk);
    return 0;
}

static int mem_write(void *st, const tl_store_batch *b, tl_err *err)
{
    mem_store *m = st;
    if (!m->in_txn)
        return tl_err_set(err, TL_ESTATE, "mem store: write outside a transaction");
    mark mk = mark_now(m);
    if (b->n_events > MAX_ROWS - m->len_events)
        return grow_err(TL_EFULL, "events", err);
    int rc =
        grow((void **)&m->events, &m->cap_events, m->len_events + b->n_events, sizeof *m->events);
    if (rc < 0)
        return grow_err(rc, "events", err);
    for (size_t i = 0; rc == 0 && i < b->n_events; i++)
        rc = write_event(m, &b->events[i], err);
    if (rc == 0 && b->n_events > 0)
        rc = apply_projection(m, b->events, b->n_events, mk.orders, err);
    for (size_t i = 0; rc == 0 && i < b->n_positions; i++)
        rc = upsert_position(m, &b->positions[i], err);
    for (size_t i = 0; rc == 0 && i < b->n_accounts; i++)
        rc = upsert_account(m, &b->accounts[i], err);
    if (rc == 0)
        rc = tl__mem_desk_write(&m->desk, b, err); /* undoes itself on failure */
    if (rc < 0)
        undo_to(m, mk); /* a failed write leaves nothing behind, as a failed statement */
    return rc;
}

static int mem_commit(void *st, tl_err *err)
{
    mem_store *m = st;
    if (!m->in_txn)
        return tl_err_set(err, TL_ESTATE, "mem store: commit outside a transaction");
    m->n_events = m->len_events;
    m->n_undo = 0;
    m->in_txn = 0;
    tl__mem_desk_commit(&m->desk);
    return 0;
}

static void mem_rollback(void *st)
{
    mem_store *m = st;
    if (!m->in_txn)
        return;
    undo_to(m, m->begin_mark);
    tl__mem_desk_cut(&m->desk, m->desk_begin);
    m->in_txn = 0;
}

static int mem_high_water(void *st, uint64_t *seq, tl_err *err)
{
    (void)err;
    const mem_store *m = st;
    *seq = m->n_events > 0 ? m->events[m->n_events - 1].seq : 0;
    return 0;
}

/* Index of the first committed event with seq > after, n_events when none. */
static size_t first_after(const mem_store *m, uint64_t after)
{
    size_t lo = 0, hi = m->n_events;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->events[mid].seq <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The committed range of a workspace: rows the open transaction added are not visible. */
static int ws_committed(const mem_store *m, const char *ws, tl_workspace_info *out)
{
    int64_t ix = ws_find(m, ws);
    uint64_t hw = m->n_events > 0 ? m->events[m->n_events - 1].seq : 0;
    if (ix < 0 || m->ws[ix].first_seq > hw)
        return 0;
    out->first_seq = m->ws[ix].first_seq;
    out->last_seq = m->ws[ix].last_seq < hw ? m->ws[ix].last_seq : hw;
    return 1;
}

static int mem_scan(void *st, const tl_scan_filter *f, tl_event_fn fn, void *ctx, tl_err *err)
{
    (void)err;
    const mem_store *m = st;
    const char *ws = f->workspace != NULL && f->workspace[0] != '\0' ? f->workspace : NULL;
    uint64_t after = f->after_seq, until = UINT64_MAX;
    tl_workspace_info wi;
    if (ws != NULL) {
        if (!ws_committed(m, ws, &wi))
            return 0;
        after = wi.first_seq - 1 > after ? wi.first_seq - 1 : after;
        until = wi.last_seq;
    }
    for (size_t i = first_after(m, after); i < m->n_events && m->events[i].seq <= until; i++) {
        const tl_event *ev = &m->events[i];
        if (f->type != 0 && ev->type != f->type)
            continue;
        if (ws != NULL && strcmp(ev->workspace, ws) != 0)
            continue;
        int rc = fn(ctx, ev);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int mem_workspace_info(void *st, const char *ws, tl_workspace_info *out, tl_err *err)
{
    if (!ws_committed(st, ws, out))
        return tl_err_set(err, TL_ENOTFOUND, "mem store: workspace '%s' has no events", ws);
    return 0;
}

static int mem_find_idem(void *st, const char *key, tl_event *out, tl_err *err)
{
    const mem_store *m = st;
    int64_t ix = idem_find(m, key, m->n_events);
    if (ix < 0)
        return tl_err_set(err, TL_ENOTFOUND, "no intent with idempotency key '%s'", key);
    *out = m->events[ix];
    return 0;
}

static int mem_get_positions(void *st, const char *ws, tl_position_row *out, size_t cap, size_t *n,
                             tl_err *err)
{
    (void)err;
    const mem_store *m = st;
    size_t from = 0, to = m->n_positions;
    if (ws != NULL && ws[0] != '\0') {
        pos_find(m, ws, "", &from);
        for (to = from; to < m->n_positions && strcmp(m->positions[to].workspace, ws) == 0; to++)
            ;
    }
    size_t count = to - from;
    if (cap > 0 && count > 0)
        memcpy(out, &m->positions[from], (count < cap ? count : cap) * sizeof *out);
    *n = count;
    return 0;
}

static int mem_get_accounts(void *st, const char *ws, tl_account_row *out, size_t cap, size_t *n,
                            tl_err *err)
{
    (void)err;
    const mem_store *m = st;
    size_t from = 0, count = m->n_accounts;
    if (ws != NULL && ws[0] != '\0')
        count = acc_find(m, ws, &from) ? 1 : 0;
    if (cap > 0 && count > 0)
        memcpy(out, &m->accounts[from], (count < cap ? count : cap) * sizeof *out);
    *n = count;
    return 0;
}

/* The control inbox and status documents: each call stands alone, outside any batch. */
static int mem_control_put(void *st, const char *command, const char *arg, int64_t ts_ns,
                           uint64_t *id, tl_err *err)
{
    return tl__mem_control_put(&((mem_store *)st)->ctl, command, arg, ts_ns, id, err);
}

static int mem_control_pending(void *st, uint64_t after_id, tl_control_row *out, size_t cap,
                               size_t *n, tl_err *err)
{
    (void)err;
    return tl__mem_control_pending(&((mem_store *)st)->ctl, after_id, out, cap, n);
}

static int mem_control_done(void *st, uint64_t id, uint64_t seq, int64_t ts_ns, tl_err *err)
{
    return tl__mem_control_done(&((mem_store *)st)->ctl, id, seq, ts_ns, err);
}

static int mem_control_get(void *st, uint64_t id, tl_control_row *out, tl_err *err)
{
    return tl__mem_control_get(&((mem_store *)st)->ctl, id, out, err);
}

static int mem_status_put(void *st, const char *name, int64_t ts_ns, const char *doc, size_t len,
                          tl_err *err)
{
    return tl__mem_status_put(&((mem_store *)st)->ctl, name, ts_ns, doc, len, err);
}

static int mem_status_get(void *st, const char *name, char **doc, int64_t *ts_ns, tl_err *err)
{
    return tl__mem_status_get(&((mem_store *)st)->ctl, name, doc, ts_ns, err);
}

static int mem_quotes_recent(void *st, tl_quote_row *out, size_t cap, size_t *n, tl_err *err)
{
    return tl__mem_quotes_recent(&((mem_store *)st)->desk, out, cap, n, err);
}

static int mem_executions_recent(void *st, tl_execution_row *out, size_t cap, size_t *n,
                                 tl_err *err)
{
    return tl__mem_executions_recent(&((mem_store *)st)->desk, out, cap, n, err);
}

/* Reads see the committed rows: those before the open transaction's, if any. */
static size_t committed_orders(const mem_store *m)
{
    return m->in_txn ? m->begin_mark.orders : m->len_orders;
}

static int mem_orders_recent(void *st, const char *workspace, tl_order_row *out, size_t cap,
                             size_t *n, tl_err *err)
{
    mem_store *m = st;
    return tl__mem_orders_recent(m->orders, committed_orders(m), workspace, out, cap, n, err);
}

static int mem_order_counts(void *st, const char *workspace, tl_order_counts *out, tl_err *err)
{
    mem_store *m = st;
    return tl__mem_order_counts(m->orders, committed_orders(m), workspace, out, err);
}

static int mem_executions_scan(void *st, tl_execution_fn fn, void *ctx, tl_err *err)
{
    return tl__mem_executions_scan(&((mem_store *)st)->desk, fn, ctx, err);
}

static int mem_lp_quotes_scan(void *st, tl_lp_quote_fn fn, void *ctx, tl_err *err)
{
    return tl__mem_lp_quotes_scan(&((mem_store *)st)->desk, fn, ctx, err);
}

/* Run plans and variants: each call stands alone, outside any batch (mem_runs.c). */
static int mem_run_plan_put(void *st, const tl_run_plan_row *row, tl_err *err)
{
    return tl__mem_run_plan_put(&((mem_store *)st)->runs, row, err);
}

static int mem_run_variant_put(void *st, const tl_run_variant_row *row, tl_err *err)
{
    return tl__mem_run_variant_put(&((mem_store *)st)->runs, row, err);
}

static int mem_run_plans_recent(void *st, tl_run_plan_row *out, size_t cap, size_t *n,
                                tl_err *err)
{
    return tl__mem_run_plans_recent(&((mem_store *)st)->runs, out, cap, n, err);
}

static int mem_run_plan_get(void *st, const char *id, tl_run_plan_row *out, tl_err *err)
{
    return tl__mem_run_plan_get(&((mem_store *)st)->runs, id, out, err);
}

static int mem_run_variants(void *st, const char *plan_id, tl_run_variant_row *out, size_t cap,
                            size_t *n, tl_err *err)
{
    return tl__mem_run_variants(&((mem_store *)st)->runs, plan_id, out, cap, n, err);
}

const tl_store_ops tl_store_mem_ops = {
    .version = TL_STORE_OPS_VERSION,
    .scheme = "mem",
    .state_size = sizeof(mem_store),
    .caps = 0,
    .open = mem_open,
    .close = mem_close,
    .begin = mem_begin,
    .write = mem_write,
    .commit = mem_commit,
    .rollback = mem_rollback,
    .high_water = mem_high_water,
    .scan = mem_scan,
    .find_idem = mem_find_idem,
    .get_positions = mem_get_positions,
    .get_accounts = mem_get_accounts,
    .workspace_info = mem_workspace_info,
    .control_put = mem_control_put,
    .control_pending = mem_control_pending,
    .control_done = mem_control_done,
    .control_get = mem_control_get,
    .status_put = mem_status_put,
    .status_get = mem_status_get,
    .quotes_recent = mem_quotes_recent,
    .executions_recent = mem_executions_recent,
    .executions_scan = mem_executions_scan,
    .lp_quotes_scan = mem_lp_quotes_scan,
    .orders_recent = mem_orders_recent,
    .order_counts = mem_order_counts,
    .run_plan_put = mem_run_plan_put,
    .run_variant_put = mem_run_variant_put,
    .run_plans_recent = mem_run_plans_recent,
    .run_plan_get = mem_run_plan_get,
    .run_variants = mem_run_variants,
};
