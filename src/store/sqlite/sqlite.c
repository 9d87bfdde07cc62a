/*
 * sqlite.c -- the SQLite store backend (tl_store_sqlite_ops): tradeloop's default journal.
 *
 * A batch is one BEGIN IMMEDIATE .. COMMIT transaction holding the event rows, the orders and
 * trades projections they imply and the snapshot rows (written by sqlite_write.c), so a batch of
 * thousands of events costs one log sync. Every statement is prepared once at open. Reads decode
 * rows straight from sqlite3_column_* into a tl_event on the stack: no allocation per row.
 *
 * Every SQLite result goes through tl__sqlite_error, so a corrupt page met by any call is
 * TL_ECORRUPT, a full disk TL_EIO, a unique violation TL_EDUPLICATE, a lock held too long by
 * another process TL_EBUSY. Opening, pragmas and the schema are in sqlite_schema.c.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_int.h"
#include "store/store.h"

#define EVENT_COLS                                                                                 \
    "seq, ts_ns, type, side, status, workspace, order_id, idem_key, symbol, trade_id, qty, "       \
    "price, fee, text"
/* EVENT_COLS without seq, for the appends numbered by SQLite (sqlite_write.c). */
#define APPEND_COLS                                                                                \
    "ts_ns, type, side, status, workspace, order_id, idem_key, symbol, trade_id, qty, price, "     \
    "fee, text"
#define SCAN_SQL "SELECT " EVENT_COLS " FROM trade_events WHERE seq > ?1"
#define POS_COLS "workspace, symbol, qty, avg_price, realized_pnl, fees, updated_at"
#define ACC_COLS "workspace, starting_cash, cash, realized_pnl, fees, updated_at"

/* Unnumbered parameters of multi-row INSERTs: TL__SQ_CHUNK (128) rows of `row`. */
#define X2(row)   row "," row
#define X128(row) X2(X2(X2(X2(X2(X2(X2(row)))))))
_Static_assert(TL__SQ_CHUNK == 128, "the multi-row INSERTs hold TL__SQ_CHUNK rows");
#define EV_ROW  "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define APP_ROW "(?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define ORD_ROW "(?,?,?,?,?,?,?,?,?,?,?)"
#define TRD_ROW "(?,?,?,?,?,?,?,?,?)"
#define ORD_COLS                                                                                   \
    "workspace, order_id, symbol, side, quantity, price, status, created_at, filled_qty, "         \
    "filled_at, reject_reason"
#define TRD_COLS "workspace, trade_id, order_id, symbol, side, quantity, price, fee, ts"

/* The multi-row INSERTs are OR ROLLBACK: failing whole, they need no statement journal
 * (sqlite_write.c). */
const char *const tl__sqlite_sql[TL__SQ_COUNT] = {
    [TL__SQ_APPEND_EVENT] = "INSERT INTO trade_events (" APPEND_COLS ") VALUES " APP_ROW,
    [TL__SQ_APPEND_EVENTS] =
        "INSERT OR ROLLBACK INTO trade_events (" APPEND_COLS ") VALUES " X128(APP_ROW),
    [TL__SQ_INS_EVENT] = "INSERT INTO trade_events (" EVENT_COLS ") VALUES " EV_ROW,
    [TL__SQ_INS_EVENTS] =
        "INSERT OR ROLLBACK INTO trade_events (" EVENT_COLS ") VALUES " X128(EV_ROW),
    [TL__SQ_INS_ORDER] = "INSERT INTO orders (" ORD_COLS ") VALUES " ORD_ROW,
    [TL__SQ_INS_ORDERS] = "INSERT OR ROLLBACK INTO orders (" ORD_COLS ") VALUES " X128(ORD_ROW),
    /* The parameter numbers of an orders row, so one function binds all three. */
    [TL__SQ_UPD_ORDER] = "UPDATE orders SET status = ?7, filled_qty = filled_qty + ?9, filled_at "
                         "= coalesce(?10, filled_at), reject_reason = coalesce(?11, "
                         "reject_reason) WHERE workspace = ?1 AND order_id = ?2",
    [TL__SQ_INS_TRADE] = "INSERT INTO trades (" TRD_COLS ") VALUES " TRD_ROW,
    [TL__SQ_INS_TRADES] = "INSERT OR ROLLBACK INTO trades (" TRD_COLS ") VALUES " X128(TRD_ROW),
    [TL__SQ_UPS_POSITION] = "INSERT INTO positions (" POS_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                            "?7) ON CONFLICT (workspace, symbol) DO UPDATE SET qty = excluded.qty, "
                            "avg_price = excluded.avg_price, realized_pnl = excluded.realized_pnl, "
                            "fees = excluded.fees, updated_at = excluded.updated_at",
    [TL__SQ_UPS_ACCOUNT] = "INSERT INTO accounts (" ACC_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                           "ON CONFLICT (workspace) DO UPDATE SET starting_cash = "
                           "excluded.starting_cash, cash = excluded.cash, realized_pnl = "
                           "excluded.realized_pnl, fees = excluded.fees, updated_at = "
                           "excluded.updated_at",
    [TL__SQ_UPS_WORKSPACE] = "INSERT INTO workspaces (workspace, first_seq, last_seq) VALUES (?1, "
                             "?2, ?3) ON CONFLICT (workspace) DO UPDATE SET last_seq = "
                             "max(last_seq, excluded.last_seq)",
    [TL__SQ_GET_WORKSPACE] = "SELECT first_seq, last_seq FROM workspaces WHERE workspace = ?1",
    [TL__SQ_MAX_SEQ] = "SELECT max(seq) FROM trade_events",
    /* The key's INTENT_EMITTED; the literal conditions let the partial unique index answer. */
    [TL__SQ_FIND_IDEM] = "SELECT " EVENT_COLS " FROM trade_events WHERE idem_key = ?1 AND "
                         "type = 1 AND idem_key <> '' LIMIT 1",
    [TL__SQ_GET_POSITIONS] = "SELECT " POS_COLS " FROM positions WHERE ?1 = '' OR workspace = ?1 "
                             "ORDER BY workspace, symbol",
    [TL__SQ_GET_ACCOUNTS] = "SELECT " ACC_COLS " FROM accounts WHERE ?1 = '' OR workspace = ?1 "
                            "ORDER BY workspace",
    [TL__SQ_SCAN] = SCAN_SQL " ORDER BY seq",
    [TL__SQ_SCAN_TYPE] = SCAN_SQL " AND type = ?2 ORDER BY seq",
    /* A workspace's scans start at its first seq (sq_scan raises ?1) and stop at its last when
     * other events follow it (?4): ranges of the rowid, not the whole table. type before
     * workspace: the integer test rejects most rows before the text one is made. */
    [TL__SQ_SCAN_WS] = SCAN_SQL " AND workspace = ?3 ORDER BY seq",
    [TL__SQ_SCAN_TYPE_WS] = SCAN_SQL " AND type = ?2 AND workspace = ?3 ORDER BY seq",
    [TL__SQ_SCAN_WS_UPTO] = SCAN_SQL " AND seq <= ?4 AND workspace = ?3 ORDER BY seq",
    [TL__SQ_SCAN_TYPE_WS_UPTO] =
        SCAN_SQL " AND seq <= ?4 AND type = ?2 AND workspace = ?3 ORDER BY seq",
    /* The literal term lets the partial index of rare types answer (sqlite_schema.c). */
    [TL__SQ_SCAN_RARE] = SCAN_SQL " AND type = ?2 AND " TL__SQ_RARE_TYPES " ORDER BY seq",
    [TL__SQ_SCAN_RARE_WS] = SCAN_SQL " AND seq <= ?4 AND type = ?2 AND " TL__SQ_RARE_TYPES
                                     " AND workspace = ?3 ORDER BY seq",
};

/* Whether a type is in TL__SQ_RARE_TYPES. */
static int rare_type(int type)
{
    return type == TL_EV_RISK_FROZEN || type == TL_EV_KILL_SWITCH || type == TL_EV_FILL_REFUSED ||
           type == TL_EV_WORKSPACE_RESET;
}

/* ---------------------------------------------------------------------------------------- */
/* Decoding */

/* One trade_events row (EVENT_COLS order) into ev. */
static int decode_event(tl__sqlite *st, sqlite3_stmt *q, tl_event *ev, tl_err *err)
{
    memset(ev, 0, sizeof(*ev));
    sqlite3_int64 seq = sqlite3_column_int64(q, 0);
    sqlite3_int64 type = sqlite3_column_int64(q, 2);
    sqlite3_int64 side = sqlite3_column_int64(q, 3);
    sqlite3_int64 status = sqlite3_column_int64(q, 4);
    if (seq < 1 || type < 1 || type > TL_EV__MAX || side < 0 || side > UINT8_MAX || status < 0 ||
        status > UINT8_MAX)
        return tl_err_set(err, TL_ECORRUPT, "%s: corrupt trade_events row (seq %lld)", st->name,
                          (long long)seq);
    ev->seq = (uint64_t)seq;
    ev->ts_ns = sqlite3_column_int64(q, 1);
    ev->type = (uint16_t)type;
    ev->side = (uint8_t)side;
    ev->status = (uint8_t)status;
    if (tl__sq_column_text(q, 5, ev->workspace, sizeof(ev->workspace)) != 0 ||
        tl__sq_column_text(q, 6, ev->order_id, sizeof(ev->order_id)) != 0 ||
        tl__sq_column_text(q, 7, ev->idem_key, sizeof(ev->idem_key)) != 0 ||
        tl__sq_column_text(q, 8, ev->symbol, sizeof(ev->symbol)) != 0 ||
        tl__sq_column_text(q, 9, ev->trade_id, sizeof(ev->trade_id)) != 0 ||
        tl__sq_column_text(q, 13, ev->text, sizeof(ev->text)) != 0)
        return tl_err_set(err, TL_ECORRUPT, "%s: trade_events row seq %lld has an over-long text",
                          st->name, (long long)seq);
    ev->qty = sqlite3_column_int64(q, 10);
    ev->price = sqlite3_column_int64(q, 11);
    ev->fee = sqlite3_column_int64(q, 12);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Transactions */

static int sq_write(void *state, const tl_store_batch *b, tl_err *err)
{
    return tl__sqlite_write(state, b, err);
}

static int sq_begin(void *state, tl_err *err)
{
    tl__sqlite *st = state;
    /* IMMEDIATE takes the write lock now, so a batch never fails half-way for another writer. */
    int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : tl__sqlite_error(st, rc, "beginning a batch", err);
}

static int sq_commit(void *state, tl_err *err)
{
    tl__sqlite *st = state;
    int rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : tl__sqlite_error(st, rc, "committing a batch", err);
}

static void sq_rollback(void *state)
{
    tl__sqlite *st = state;
    /* SQLite may already have rolled back by itself (disk full, I/O error). */
    if (st->db != NULL && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Reads */

static int sq_high_water(void *state, uint64_t *seq, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->stmt[TL__SQ_MAX_SEQ];
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        rc = tl__sqlite_error(st, sqlite3_reset(q), "reading the last seq", err);
        return rc;
    }
    sqlite3_int64 v = sqlite3_column_int64(q, 0); /* NULL, hence 0, when empty */
    sqlite3_reset(q);
    if (v < 0)
        return tl_err_set(err, TL_ECORRUPT, "%s: negative seq in trade_events", st->name);
    *seq = (uint64_t)v;
    return 0;
}

static int sq_workspace_info(void *state, const char *ws, tl_workspace_info *out, tl_err *err);

/*
 * Several processes appending to one file (a sweep's workers, two engines of different
 * workspaces): the batch's BEGIN IMMEDIATE already holds SQLite's write lock, so the last seq read
 * here cannot move before the commit, and the batch is numbered from it instead of from this
 * connection's own high-water mark, which another process's append makes stale (before, every
 * such append collided on the seq key). A workspace of the batch that holds an event after the
 * mark this connection knows is another writer of that workspace: TL_EBUSY, as on PostgreSQL.
 */
static int sq_reserve(void *state, const tl_ws_mark *marks, size_t n, uint64_t *last,
                      tl_err *err)
{
    tl__sqlite *st = state;
    int rc = sq_high_water(state, last, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tl_workspace_info wi;
        rc = sq_workspace_info(state, marks[i].workspace, &wi, err);
        if (rc == TL_ENOTFOUND) {
            rc = 0; /* its first events */
            continue;
        }
        if (rc == 0 && wi.last_seq > marks[i].last_seq)
            rc = tl_err_set(err, TL_EBUSY,
                            "%s: workspace '%s' has events after seq %llu that this connection "
                            "has not read: another writer got in first",
                            st->name, marks[i].workspace, (unsigned long long)marks[i].last_seq);
    }
    return rc;
}

/*
 * With a workspace, the scan reads only the workspace's range of the journal: from its first seq
 * (workspaces), and up to its last when other events follow it. The upper bound costs a test per
 * row (a tenth of a replay, measured), so it is only there when it saves reading something.
 */
static int sq_scan(void *state, const tl_scan_filter *f, tl_event_fn fn, void *ctx, tl_err *err)
{
    tl__sqlite *st = state;
    int by_type = f->type != 0;
    int by_ws = f->workspace != NULL && f->workspace[0] != '\0';
    uint64_t after = f->after_seq, until = 0, high = 0;
    sqlite3_stmt *own = NULL;
    tl_event ev;
    int rc;

    if (by_ws) {
        tl_workspace_info wi;
        rc = sq_workspace_info(st, f->workspace, &wi, err);
        if (rc == TL_ENOTFOUND)
            return 0;
        if (rc != 0 || (rc = sq_high_water(st, &high, err)) != 0)
            return rc;
        after = after > wi.first_seq - 1 ? after : wi.first_seq - 1;
        until = wi.last_seq < high ? wi.last_seq : 0;
    }
    /* Common types are read by a walk of the table, which beats an index at their density;
     * rare ones through their index. */
    int which = rare_type(f->type) ? TL__SQ_SCAN_RARE + by_ws
                : until != 0       ? TL__SQ_SCAN_WS_UPTO + by_type
                                   : TL__SQ_SCAN + by_type + 2 * by_ws;
    sqlite3_stmt *q = st->stmt[which];
    if (after > INT64_MAX)
        return 0;
    /* A callback that scans again gets its own statement: resetting ours would end this scan. */
    if (sqlite3_stmt_busy(q)) {
        rc = sqlite3_prepare_v2(st->db, tl__sqlite_sql[which], -1, &own, NULL);
        if (rc != SQLITE_OK)
            return tl__sqlite_error(st, rc, "scanning", err);
        q = own;
    }
    sqlite3_bind_int64(q, 1, (sqlite3_int64)after);
    if (by_type)
        sqlite3_bind_int(q, 2, f->type);
    if (by_ws) {
        sqlite3_bind_text(q, 3, f->workspace, -1, SQLITE_STATIC);
        if (sqlite3_bind_parameter_count(q) >= 4)
            sqlite3_bind_int64(q, 4, (sqlite3_int64)(until != 0 ? until : high));
    }
    for (;;) {
        rc = sqlite3_step(q);
        if (rc != SQLITE_ROW) {
            rc = rc == SQLITE_DONE ? 0 : tl__sqlite_error(st, rc, "scanning", err);
            break;
        }
        if ((rc = decode_event(st, q, &ev, err)) != 0 || (rc = fn(ctx, &ev)) != 0)
            break;
    }
    sqlite3_reset(q);
    sqlite3_finalize(own);
    return rc;
}

static int sq_find_idem(void *state, const char *key, tl_event *out, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->stmt[TL__SQ_FIND_IDEM];
    tl_event ev;
    int rc;

    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        rc = decode_event(st, q, &ev, err);
    else if (rc == SQLITE_DONE)
        rc = tl_err_set(err, TL_ENOTFOUND, "%s: no intent with idempotency key '%.*s'", st->name,
                        TL_IDEM_KEY_MAX, key);
    else
        rc = tl__sqlite_error(st, rc, "looking up an idempotency key", err);
    sqlite3_reset(q);
    if (rc == 0)
        *out = ev;
    return rc;
}

static int sq_workspace_info(void *state, const char *ws, tl_workspace_info *out, tl_err *err)
{
    tl__sqlite *st = state;
    sqlite3_stmt *q = st->stmt[TL__SQ_GET_WORKSPACE];
    sqlite3_bind_text(q, 1, ws, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        sqlite3_int64 first = sqlite3_column_int64(q, 0), last = sqlite3_column_int64(q, 1);
        if (first < 1 || last < first)
            rc = tl_err_set(err, TL_ECORRUPT, "%s: workspaces row of '%s' holds %lld..%lld",
                            st->name, ws, (long long)first, (long long)last);
        else {
            *out = (tl_workspace_info){(uint64_t)first, (uint64_t)last};
            rc = 0;
        }
    } else if (rc == SQLITE_DONE) {
        rc = tl_err_set(err, TL_ENOTFOUND, "%s: workspace '%s' has no events", st->name, ws);
    } else {
        rc = tl__sqlite_error(st, rc, "reading a workspace's range", err);
    }
    sqlite3_reset(q);
    return rc;
}

/* Reads every row of a get_* query into a growing array, so a failure half-way leaves the
 * caller's output untouched. Snapshot tables hold one row per workspace (and symbol): small. */
typedef int (*row_fn)(tl__sqlite *st, sqlite3_stmt *q, void *row);

static int read_rows(tl__sqlite *st, int which, const char *ws, size_t row_size, row_fn decode,
                     void *out, size_t cap, size_t *n, tl_err *err)
{
    sqlite3_stmt *q = st->stmt[which];
    unsigned char *rows = NULL;
    size_t count = 0, alloc = 0;
    int rc;

    sqlite3_bind_text(q, 1, ws != NULL ? ws : "", -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (count < cap && count == alloc) {
            size_t want = alloc ? alloc * 2 : 16;
            void *p = realloc(rows, (want < cap ? want : cap) * row_size);
            if (p == NULL) {
                rc = tl_err_set(err, TL_ENOMEM, "%s: out of memory reading snapshots", st->name);
                goto out;
            }
            rows = p;
            alloc = want < cap ? want : cap;
        }
        if (count < cap) {
            memset(rows + count * row_size, 0, row_size);
            if (decode(st, q, rows + count * row_size) != 0) {
                rc = tl_err_set(err, TL_ECORRUPT, "%s: corrupt snapshot row", st->name);
                goto out;
            }
        }
        count++;
    }
    if (rc != SQLITE_DONE) {
        rc = tl__sqlite_error(st, rc, "reading snapshots", err);
        goto out;
    }
    rc = 0;
    if (count > 0 && cap > 0)
        memcpy(out, rows, (count < cap ? count : cap) * row_size);
    *n = count;
out:
    sqlite3_reset(q);
    free(rows);
    return rc;
}

static int decode_position(tl__sqlite *st, sqlite3_stmt *q, void *row)
{
    tl_position_row *p = row;
    (void)st;
    if (tl__sq_column_text(q, 0, p->workspace, sizeof(p->workspace)) != 0 ||
        tl__sq_column_text(q, 1, p->symbol, sizeof(p->symbol)) != 0)
        return TL_ECORRUPT;
    p->qty = sqlite3_column_int64(q, 2);
    p->avg_price = sqlite3_column_int64(q, 3);
    p->realized_pnl = sqlite3_column_int64(q, 4);
    p->fees = sqlite3_column_int64(q, 5);
    p->updated_ns = sqlite3_column_int64(q, 6);
    return 0;
}

static int decode_account(tl__sqlite *st, sqlite3_stmt *q, void *row)
{
    tl_account_row *a = row;
    (void)st;
    if (tl__sq_column_text(q, 0, a->workspace, sizeof(a->workspace)) != 0)
        return TL_ECORRUPT;
    a->starting_cash = sqlite3_column_int64(q, 1);
    a->cash = sqlite3_column_int64(q, 2);
    a->realized_pnl = sqlite3_column_int64(q, 3);
    a->fees = sqlite3_column_int64(q, 4);
    a->updated_ns = sqlite3_column_int64(q, 5);
    return 0;
}

static int sq_get_positions(void *state, const char *ws, tl_position_row *out, size_t cap,
                            size_t *n, tl_err *err)
{
    return read_rows(state, TL__SQ_GET_POSITIONS, ws, sizeof(*out), decode_position, out, cap, n,
                     err);
}

static int sq_get_accounts(void *state, const char *ws, tl_account_row *out, size_t cap, size_t *n,
                           tl_err *err)
{
    return read_rows(state, TL__SQ_GET_ACCOUNTS, ws, sizeof(*out), decode_account, out, cap, n,
                     err);
}

/* ---------------------------------------------------------------------------------------- */
/* Open and close */

static void sq_close(void *state)
{
    tl__sqlite *st = state;
    tl__sqlite_ctl_finalize(st);
    tl__sqlite_desk_finalize(st);
    tl__sqlite_orders_finalize(st);
    tl__sqlite_runs_finalize(st);
    for (int i = 0; i < TL__SQ_COUNT; i++) {
        sqlite3_finalize(st->stmt[i]);
        st->stmt[i] = NULL;
        free(st->bound[i]);
        st->bound[i] = NULL;
    }
    if (st->db != NULL) {
        /* The last connection checkpoints the log into the file and removes it. */
        sqlite3_close(st->db);
        st->db = NULL;
    }
    tl_proj_free(&st->proj);
    free(st->created);
    st->created = NULL;
    st->cap_created = 0;
}

static int sq_open(void *state, const char *url, const tl_store_options *opt, tl_err *err)
{
    tl__sqlite *st = state;
    int rc = tl__sqlite_open_db(st, url, opt, err);
    if (rc != 0)
        return rc;
    for (int i = 0; i < TL__SQ_COUNT; i++) {
        rc = sqlite3_prepare_v3(st->db, tl__sqlite_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                &st->stmt[i], NULL);
        if (rc != SQLITE_OK) {
            /* Our own SQL against a schema that says it is ours: someone changed the tables. */
            rc = tl_err_set(err, TL_ECORRUPT, "%s: tables do not match schema version %d (%s)",
                            st->name, TL_STORE_SCHEMA_VERSION, sqlite3_errmsg(st->db));
            sq_close(st);
            return rc;
        }
        int n = sqlite3_bind_parameter_count(st->stmt[i]);
        st->bound[i] = calloc(n > 0 ? (size_t)n : 1, sizeof(*st->bound[i]));
        if (st->bound[i] == NULL) {
            sq_close(st);
            return tl_err_set(err, TL_ENOMEM, "%s: out of memory", st->name);
        }
    }
    if ((rc = tl__sqlite_ctl_prepare(st, err)) != 0 ||
        (rc = tl__sqlite_desk_prepare(st, err)) != 0 ||
        (rc = tl__sqlite_orders_prepare(st, err)) != 0 ||
        (rc = tl__sqlite_runs_prepare(st, err)) != 0)
        sq_close(st);
    return rc;
}

static int sq_open_read(void *state, const char *url, tl_err *err)
{
    ((tl__sqlite *)state)->read_only = 1;
    return sq_open(state, url, NULL, err);
}

const tl_store_ops tl_store_sqlite_ops = {
    .version = TL_STORE_OPS_VERSION,
    .scheme = "sqlite",
    .state_size = sizeof(tl__sqlite),
    .caps = TL_STORE_CAP_DURABLE,
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .write = sq_write,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .high_water = sq_high_water,
    .scan = sq_scan,
    .find_idem = sq_find_idem,
    .get_positions = sq_get_positions,
    .get_accounts = sq_get_accounts,
    .open_read = sq_open_read,
    .workspace_info = sq_workspace_info,
    .reserve = sq_reserve,
    .control_put = tl__sqlite_control_put,
    .control_pending = tl__sqlite_control_pending,
    .control_done = tl__sqlite_control_done,
    .control_get = tl__sqlite_control_get,
    .status_put = tl__sqlite_status_put,
    .status_get = tl__sqlite_status_get,
    .quotes_recent = tl__sqlite_quotes_recent,
    .executions_recent = tl__sqlite_executions_recent,
    .executions_scan = tl__sqlite_executions_scan,
    .lp_quotes_scan = tl__sqlite_lp_quotes_scan,
    .orders_recent = tl__sqlite_orders_recent,
    .order_counts = tl__sqlite_order_counts,
    .run_plan_put = tl__sqlite_run_plan_put,
    .run_variant_put = tl__sqlite_run_variant_put,
    .run_plans_recent = tl__sqlite_run_plans_recent,
    .run_plan_get = tl__sqlite_run_plan_get,
    .run_variants = tl__sqlite_run_variants,
};
