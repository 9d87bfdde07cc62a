/*
 * pg.h (internal) -- the PostgreSQL journal backend, shared by its files.
 *
 * pg.c holds the ops table, the connection (open, reconnect, error mapping) and the
 * transactions; pg_schema.c creates, checks and migrates the schema; pg_copy.c writes a batch:
 * events, new orders and trades by COPY, all in one message, applying what src/store/projection.c
 * decides; pg_upsert.c changes older orders, the workspaces rows and the snapshot rows, one
 * statement each, in one pipeline; pg_read.c reads; pg_ctl.c holds the control inbox and the
 * status documents. Every value goes to the server as a bound parameter or as COPY data, never
 * inside SQL text, and no step costs a round trip per row.
 *
 * Durability: FULL runs with synchronous_commit=on, so COMMIT returns after the WAL is flushed.
 * NORMAL runs with synchronous_commit=off: a server crash may lose the commits of the last
 * ~3 x wal_writer_delay (600 ms by default), never corrupting anything or leaving a batch half
 * written, since PostgreSQL replays its WAL to a consistent point.
 */
#ifndef TL_STORE_PG_PG_H
#define TL_STORE_PG_PG_H

#include <libpq-fe.h>

#include "store/projection.h"
#include "tradeloop/store.h"

/* COPY trade_events data is built in this buffer and sent whenever it is nearly full, so the
 * events of a batch of any size cost no allocation. */
#define TL_PG_COPY_BUF (256 * 1024)
/* Rows fetched per scan query (keyset pagination on seq). */
#define TL_PG_SCAN_PAGE 10000
/* The rare event types, which the partial index trade_events_rare holds (the same set as on
 * SQLite); TL__PG_IS_RARE tells whether a type is one of them. */
#define TL__PG_RARE_TYPES "(type >= 14 AND type <> 16)"
#define TL__PG_IS_RARE(t) ((t) >= 14 && (t) != 16)
/* The fills (ORDER_FILLED), which the partial index trade_events_fills holds: the fills' scan
 * names them by this predicate, not by a parameter, so its generic plan can use the index. */
#define TL__PG_FILLS "type = 8"

typedef struct tl__pg {
    PGconn *conn;             /* owned */
    tl_durability durability; /* re-applied to every new session */
    int broken;               /* connection lost: the next call resets it first */
    int prefetch;             /* a scan's next page is in flight (pg_read.c) */
    int begin_pending;        /* begun, but BEGIN not sent yet: it goes with the first write */
    char *tmp;                /* owned scratch for the array literals of the statements */
    size_t tmp_cap;
    char *pre; /* owned, the batch's COPY orders then COPY trades data, encoded ahead */
    size_t pre_len, pre_cap;
    tl_projection proj;            /* owned, what the current batch does to orders, trades and
                                      workspaces (src/store/projection.c) */
    int read_only;                 /* opened by open_read: no schema set-up, no writes */
    size_t copy_len;               /* bytes pending in copy_buf */
    char copy_buf[TL_PG_COPY_BUF]; /* COPY trade_events rows, streamed */
} tl__pg;

/* Maps a failed result (consumed, may be NULL) or a dead connection to a TL_E* code and a
 * message naming `what`: SQLSTATE 23505 -> TL_EDUPLICATE (TL_EBUSY when the sequence number
 * itself is taken: another engine appended first; TL_EEXIST when an intent's idempotency key
 * was emitted already, by this engine or another), other integrity and data errors ->
 * TL_EINVAL, a lost connection -> TL_EIO "connection to PostgreSQL lost" (and marks it for a
 * reset), anything else -> TL_EIO. */
int tl__pg_fail(tl__pg *pg, PGresult *res, const char *what, tl_err *err);
/* Discards a scan's page in flight, so the connection can take another command. */
void tl__pg_drain(tl__pg *pg);
/* Runs a statement without parameters that returns no rows. */
int tl__pg_exec(tl__pg *pg, const char *sql, const char *what, tl_err *err);

/* Resets a lost connection once (and drains a scan's page in flight). 0 when the session is
 * usable: then it has its durability setting and prepared statements. */
int tl__pg_ensure_conn(tl__pg *pg, tl_err *err);

/* pg_schema.c: creates the schema in an empty database, migrates an older tradeloop one,
 * refuses a newer one (TL_EVERSION) or a database that is not tradeloop's (TL_ECORRUPT). Runs
 * in its own transaction. */
int tl__pg_schema(tl__pg *pg, tl_err *err);
/* For a reader: 0 when the schema is tradeloop's and current, else TL_ENOTFOUND (none),
 * TL_EVERSION (older or newer) or TL_ECORRUPT. Writes nothing. */
int tl__pg_schema_check(tl__pg *pg, tl_err *err);

/* pg_copy.c: the write slot (sends BEGIN when pending), and text encoders for statement
 * parameters that return the end of what they wrote: decimal integers, exact NUMERIC(20,8)
 * text (tl_fixed_format_dp(v, 8)), a plain string. */
int tl__pg_write(tl__pg *pg, const tl_store_batch *batch, tl_err *err);
char *tl__pg_put_i64(char *p, int64_t v);
char *tl__pg_put_fixed(char *p, tl_fixed v);
char *tl__pg_put_str(char *p, const char *s);

/* pg_upsert.c: its statements prepared on the current session, and the rest of a batch after
 * its COPYs, in one pipeline: BEGIN when still pending, the orders that earlier batches created
 * (from pg->proj, when the batch has events; TL_ENOTFOUND when one with a fill does not exist),
 * the workspaces rows, the snapshot rows. */
int tl__pg_prepare_write(tl__pg *pg, tl_err *err);
int tl__pg_write_rows(tl__pg *pg, const tl_store_batch *b, tl_err *err);

/* The array parameters of the pg_upsert.c statements: one "{e1,e2,...}" text per column, each
 * element written by elem (element of `row` for `column`); rows are `stride` bytes apart.
 * Queued in the open pipeline. lit_text writes a quoted, escaped element of at most max bytes. */
#define TL__PG_COLUMNS_MAX 20
/* Bytes one array element may take: a fully escaped text field in quotes, or a number, and a
 * separator. */
#define TL__PG_ELEM_MAX (2 * TL_EVENT_TEXT_MAX + 4)
typedef char *(*tl__pg_elem_fn)(char *p, const void *row, int column);
int tl__pg_send_columns(tl__pg *pg, const char *stmt, int ncols, const void *rows, size_t stride,
                        size_t n, tl__pg_elem_fn elem, tl_err *err);
char *tl__pg_lit_text(char *p, const char *s, size_t max);

/* pg_desk.c: the RFQ desk's rows. Inserts queued in the batch's pipeline (pg_upsert.c), the
 * read slots, and their statements prepared on the current session. */
int tl__pg_prepare_desk(tl__pg *pg, tl_err *err);
int tl__pg_send_quotes(tl__pg *pg, const tl_quote_row *r, size_t n, tl_err *err);
int tl__pg_send_lp_quotes(tl__pg *pg, const tl_lp_quote_row *r, size_t n, tl_err *err);
int tl__pg_send_executions(tl__pg *pg, const tl_execution_row *r, size_t n, tl_err *err);
int tl__pg_quotes_recent(void *st, tl_quote_row *out, size_t cap, size_t *n, tl_err *err);
int tl__pg_executions_recent(void *st, tl_execution_row *out, size_t cap, size_t *n, tl_err *err);
int tl__pg_executions_scan(void *st, tl_execution_fn fn, void *ctx, tl_err *err);
int tl__pg_lp_quotes_scan(void *st, tl_lp_quote_fn fn, void *ctx, tl_err *err);

/* Runs a prepared statement that returns rows (after tl__pg_ensure_conn): the result, or NULL
 * with *rc and err set. */
PGresult *tl__pg_run(tl__pg *pg, const char *name, int nparams, const char *const *params,
                     tl_err *err, int *rc);

/* pg_orders.c: the orders table's reads (schema version 6), their statements prepared on the
 * current session. */
int tl__pg_prepare_orders(tl__pg *pg, tl_err *err);
int tl__pg_orders_recent(void *st, const char *workspace, tl_order_row *out, size_t cap, size_t *n,
                         tl_err *err);
int tl__pg_order_counts(void *st, const char *workspace, tl_order_counts *out, tl_err *err);

/* pg_reserve.c: the reserve slot (several engines on one journal) and its statement, prepared
 * on the current session. */
int tl__pg_prepare_reserve(tl__pg *pg, tl_err *err);
int tl__pg_reserve(void *st, const tl_ws_mark *marks, size_t n, uint64_t *last, tl_err *err);

/* pg_read.c: the read slots, and their statements prepared on the current session; text and
 * NUMERIC(20,8) columns of a text result (tl__pg_get_text: -1 when it does not fit dst[cap];
 * tl__pg_get_fixed: TL_ECORRUPT naming the column). */
int tl__pg_get_text(const PGresult *res, int row, int col, char *dst, size_t cap);
int tl__pg_get_fixed(const PGresult *res, int row, int col, tl_fixed *out, tl_err *err);
int tl__pg_prepare_read(tl__pg *pg, tl_err *err);
int tl__pg_high_water(void *st, uint64_t *seq, tl_err *err);
int tl__pg_scan(void *st, const tl_scan_filter *f, tl_event_fn fn, void *ctx, tl_err *err);
int tl__pg_find_idem(void *st, const char *idem_key, tl_event *out, tl_err *err);
int tl__pg_get_positions(void *st, const char *workspace, tl_position_row *out, size_t cap,
                         size_t *n, tl_err *err);
int tl__pg_get_accounts(void *st, const char *workspace, tl_account_row *out, size_t cap, size_t *n,
                        tl_err *err);
int tl__pg_workspace_info(void *st, const char *workspace, tl_workspace_info *out, tl_err *err);

/* pg_ctl.c: the control inbox and status documents, and their statements prepared on the
 * current session. */
int tl__pg_prepare_ctl(tl__pg *pg, tl_err *err);
int tl__pg_control_put(void *st, const char *command, const char *arg, int64_t ts_ns, uint64_t *id,
                       tl_err *err);
int tl__pg_control_pending(void *st, uint64_t after_id, tl_control_row *out, size_t cap, size_t *n,
                           tl_err *err);
int tl__pg_control_done(void *st, uint64_t id, uint64_t seq, int64_t ts_ns, tl_err *err);
int tl__pg_control_get(void *st, uint64_t id, tl_control_row *out, tl_err *err);
int tl__pg_status_put(void *st, const char *name, int64_t ts_ns, const char *doc, size_t len,
                      tl_err *err);
int tl__pg_status_get(void *st, const char *name, char **doc, int64_t *ts_ns, tl_err *err);

/* pg_runs.c: the run plans and variants (schema version 8), their statements prepared on the
 * current session. */
int tl__pg_prepare_runs(tl__pg *pg, tl_err *err);
int tl__pg_run_plan_put(void *st, const tl_run_plan_row *r, tl_err *err);
int tl__pg_run_variant_put(void *st, const tl_run_variant_row *r, tl_err *err);
int tl__pg_run_plans_recent(void *st, tl_run_plan_row *out, size_t cap, size_t *n, tl_err *err);
int tl__pg_run_plan_get(void *st, const char *id, tl_run_plan_row *out, tl_err *err);
int tl__pg_run_variants(void *st, const char *plan_id, tl_run_variant_row *out, size_t cap,
                        size_t *n, tl_err *err);

#endif /* TL_STORE_PG_PG_H */
