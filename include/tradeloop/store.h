/*
 * store.h -- the interface a journal storage backend implements (SQLite, PostgreSQL, memory).
 *
 * Like SQLite's sqlite3_vfs: a versioned const table with the URL scheme, the size of the
 * backend's private state (the dispatcher allocates it, zeroed), capability bits and slots.
 * src/store/store.c and append.c are the only callers through the table: they assign sequence
 * numbers (which must follow the high-water mark: gap-free, from 1; on a shared store from the
 * mark the reserve slot reads under its lock), check arguments, count, and inject faults.
 *
 * Idempotency: an INTENT_EMITTED carrying a key is stored once per key across the whole store,
 * every workspace and every engine (a unique index on the SQL backends): a batch that emits a
 * key already emitted is refused whole with TL_EEXIST, and the caller finds the original
 * outcome with find_idem.
 *
 * The logical schema is the same on every backend:
 *   tradeloop_meta (key, value)         'application' = 'tradeloop', 'schema_version' = N
 *   trade_events   (seq PK, ts_ns, workspace, type, order_id, idem_key, symbol, side, status,
 *                   trade_id, qty, price, fee, text)       append-only; qty/price/fee as exact
 *                                                          integers of 1e-8 units
 *   orders         (workspace, order_id, symbol, side, quantity DECIMAL(20,8), price
 *                   DECIMAL(20,8), status, filled_qty, created_at, filled_at, reject_reason)
 *                   UNIQUE (workspace, order_id)
 *   trades         (workspace, trade_id, order_id, symbol, side, quantity, price, fee, ts)
 *                   UNIQUE (workspace, trade_id); (workspace, order_id) references orders
 *   positions      (workspace, symbol, qty, avg_price, realized_pnl, fees, updated_at) PK both
 *   accounts       (workspace PK, starting_cash, cash, realized_pnl, fees, updated_at)
 *   workspaces     (workspace PK, first_seq, last_seq)     the seq range of each workspace's
 *                                                          events (schema version 2)
 *   event_types    (type PK, name)   TL_EVENT_TYPE_MAP, upserted at every open (version 2)
 *   events_v       view: trade_events with the type's name and qty/price/fee as decimals;
 *                  orders_v, trades_v, positions_v, accounts_v likewise where the table holds
 *                  integer units (SQLite)
 *   control        (id PK ascending, ts_ns, command, arg, taken_seq NULL, taken_ns NULL)
 *                  the inbox other processes write to a running engine ("kill", "release");
 *                  taken_seq is the seq of the journal event that applied it (version 4)
 *   loop_status    (name PK, ts_ns, doc)   a JSON status document per name, upserted by a
 *                  running engine, read by dashboards that attach read-only (version 4)
 *   quotes         (id, workspace, quote_id, ts_ns, symbol, side, amount, amount_asset, lp,
 *                   lp_quote_id, lp_price, client_price, valid_until_ns, event)   every quote
 *                  the RFQ desk shows: locked, improved, expired, canceled (version 5)
 *   lp_quotes      (id, workspace, request_id, ts_ns, lp, lp_quote_id, symbol, side, amount,
 *                   status, bid, ask, price, response_ns, won, reason)   every LP response
 *   executions     (execution_id PK, ts_ns, workspace, quote_id, status, lp, hedge_side,
 *                   hedge_base_qty, hedge_quote_qty, executed_qty, avg_price, commission, pnl,
 *                   pnl_asset, pnl_after_fees, pnl_bps, error)
 *                  the desk's rows, appended with a batch (quotes_v, lp_quotes_v, executions_v
 *                  show the money as decimals); id is the insertion order
 *   orders indexes  (created_at, workspace, order_id) and (workspace, created_at, order_id): the
 *                   newest orders, of all workspaces or of one, without a sort (version 6)
 *   run_plans      (run_plan_id PK (16 lower-case hex), created_ns, strategy, symbol, spec (the
 *                   sweep file's canonical JSON, any length), data_name (the CSV's name), bars,
 *                   variants (how many the plan has))                       (version 8)
 *   run_variants   (run_plan_id, variant_id (16 hex), ord (0-based plan order), kind
 *                   (baseline|grid|ablation), workspace (uuid), overrides (canonical JSON object),
 *                   status (done|failed), error, trade_count, return_pct, max_drawdown_pct,
 *                   sharpe NULL, win_rate NULL, profit_factor NULL, ending_equity, state_digest,
 *                   finished_ns)   PK (run_plan_id, variant_id); run_plan_id references
 *                  run_plans. Percentages, ratios and money as BIGINT 1e-8 units (tl_fixed);
 *                  run_variants_v shows them as exact decimals. Written one row per call in its
 *                  own transaction, never with a batch (a sweep's trading is in the journal)
 * orders, trades and workspaces are projections the backend derives from the events inside the
 * same transaction, as src/store/projection.c decides for every backend (ORDER_SUBMITTED /
 * INTENT_DENIED with an order id insert an order; other order events update its status,
 * filled_qty and filled_at; only ORDER_FILLED inserts a trade). positions and accounts are
 * snapshot rows the caller passes with the batch.
 *
 * A batch is written as: begin, write (one or more), commit -- or rollback. Nothing is visible or
 * durable before commit returns 0; after a failed write or commit the dispatcher rolls back and
 * the store holds exactly what it held before begin.
 */
#ifndef TRADELOOP_STORE_H
#define TRADELOOP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "fixed.h"
#include "instrument.h" /* TL_SYMBOL_MAX, TL_ASSET_MAX */
#include "lp.h"         /* TL_LP_NAME_MAX, TL_LP_QUOTE_ID_MAX */
#include "order.h"      /* TL_ORDER_ID_MAX, TL_OS__COUNT */

/* Version 2 appended the control and status slots, version 3 the desk's read slots, version 4
 * the reserve slot of a store several engines append to, version 5 the orders' reads, version 6
 * the run plans' rows; an older
 * table is still accepted, and the later slots are then absent (its struct ends before them, so
 * they are never read; the dispatcher answers TL_ENOTSUP, refuses desk rows in a batch, and
 * numbers events itself). */
#define TL_STORE_OPS_VERSION    6
#define TL_STORE_OPS_VERSION_V1 1
#define TL_STORE_OPS_VERSION_V2 2 /* without the desk's read slots */
#define TL_STORE_OPS_VERSION_V3 3 /* without the reserve slot */
#define TL_STORE_OPS_VERSION_V4 4 /* without the orders' reads */
#define TL_STORE_OPS_VERSION_V5 5 /* without the run plans' slots */
#define TL_STORE_SCHEMA_VERSION 8

/* The control inbox and the status documents: bounds the dispatcher enforces. */
#define TL_CONTROL_COMMAND_MAX 16                /* with NUL: "kill", "release" */
#define TL_CONTROL_ARG_MAX     TL_EVENT_TEXT_MAX /* with NUL: fits the text of the event */
#define TL_STATUS_NAME_MAX     64                /* with NUL: [A-Za-z0-9._:-]{1,63} */
#define TL_STATUS_DOC_MAX      (1024 * 1024)     /* bytes of JSON text, without the NUL */

/* Capability bits. */
#define TL_STORE_CAP_DURABLE (1u << 0) /* survives the process (not mem:) */
#define TL_STORE_CAP_SHARED  (1u << 1) /* several engines may share it (PostgreSQL) */

typedef enum tl_durability {
    TL_DURABILITY_FULL = 0,  /* commit returns after the data is on stable storage */
    TL_DURABILITY_NORMAL = 1 /* may lose the last commits on power loss, never corrupts */
} tl_durability;

typedef struct tl_store_options {
    tl_durability durability;
} tl_store_options;

/* Where a workspace's events lie in the journal: every one has first_seq <= seq <= last_seq. */
typedef struct tl_workspace_info {
    uint64_t first_seq, last_seq;
} tl_workspace_info;

/* Snapshot rows passed with a batch (upserted by key). */
typedef struct tl_position_row {
    char workspace[TL_WORKSPACE_MAX];
    char symbol[16];
    tl_fixed qty, avg_price, realized_pnl, fees;
    int64_t updated_ns;
} tl_position_row;

typedef struct tl_account_row {
    char workspace[TL_WORKSPACE_MAX];
    tl_fixed starting_cash, cash, realized_pnl, fees;
    int64_t updated_ns;
} tl_account_row;

/* ---- the RFQ desk's rows (schema version 5) ------------------------------------------------
 * Appended with a batch, in the transaction of its events, so a desk's acknowledgement that
 * waits for the commit finds its rows durable. Texts are NUL-terminated in their arrays; the
 * dispatcher (src/store/desk_rows.c) checks every row before anything is written. Money is
 * tl_fixed, stored as integer 1e-8 units. */
#define TL_DESK_ID_MAX   TL_LP_QUOTE_ID_MAX /* with NUL: quote, LP quote and request ids */
#define TL_EXEC_ID_MAX   24                 /* with NUL: "EYYYYMMDD-HHMMSS-mmm" (20 bytes) */
#define TL_DESK_TEXT_MAX TL_EVENT_TEXT_MAX  /* reasons and errors, with NUL */

/* What happened to a quote the desk shows (stored as its name: "locked", ...). */
typedef enum tl_quote_event {
    TL_QUOTE_LOCKED = 1,   /* the first best quote, locked for its validity */
    TL_QUOTE_IMPROVED = 2, /* a strictly better quote replaced the lock */
    TL_QUOTE_EXPIRED = 3,  /* the lock ran out before proceed */
    TL_QUOTE_CANCELED = 4  /* the operator canceled the stream */
} tl_quote_event;

/* How an LP answered one request ("quoted", "refused", "late"). */
typedef enum tl_lpq_status {
    TL_LPQ_QUOTED = 1,
    TL_LPQ_REFUSED = 2,
    TL_LPQ_LATE = 3 /* answered after the desk stopped waiting: not counted as an answer */
} tl_lpq_status;

/* "SUCCESS" or "FAILED": a failed execution records its error. */
typedef enum tl_exec_status { TL_EXEC_SUCCESS = 1, TL_EXEC_FAILED = 2 } tl_exec_status;

typedef struct tl_quote_row {
    char workspace[TL_WORKSPACE_MAX];
    char quote_id[TL_DESK_ID_MAX]; /* the desk's id of the client request's quote */
    int64_t ts_ns;
    char symbol[TL_SYMBOL_MAX];
    uint8_t side; /* tl_side: the client's side */
    tl_fixed amount;
    char amount_asset[TL_ASSET_MAX]; /* the asset the amount is in, base or quote */
    char lp[TL_LP_NAME_MAX];
    char lp_quote_id[TL_DESK_ID_MAX]; /* "" when the LP gave none */
    tl_fixed lp_price, client_price;  /* client price = LP price with the markup */
    int64_t valid_until_ns;
    uint8_t event; /* tl_quote_event */
} tl_quote_row;

/* One LP's answer to one request. request_id names one round of requests to the LPs (one
 * poll): the LP scorecards compare the prices of the rows of a request with each other. */
typedef struct tl_lp_quote_row {
    char workspace[TL_WORKSPACE_MAX];
    char request_id[TL_DESK_ID_MAX];
    int64_t ts_ns;
    char lp[TL_LP_NAME_MAX];
    char lp_quote_id[TL_DESK_ID_MAX]; /* "" when none (refused) */
    char symbol[TL_SYMBOL_MAX];
    uint8_t side; /* tl_side */
    tl_fixed amount;
    uint8_t status;                /* tl_lpq_status */
    tl_fixed bid, ask, price;      /* price: for the amount and side; 0 when not quoted */
    int64_t response_ns;           /* the response time the desk measured */
    uint8_t won;                   /* 1: this quote became the lock */
    char reason[TL_DESK_TEXT_MAX]; /* why refused or late, "" otherwise */
} tl_lp_quote_row;

typedef struct tl_execution_row {
    char execution_id[TL_EXEC_ID_MAX]; /* "EYYYYMMDD-HHMMSS-mmm", unique in the store */
    int64_t ts_ns;
    char workspace[TL_WORKSPACE_MAX];
    char quote_id[TL_DESK_ID_MAX];
    uint8_t status; /* tl_exec_status */
    char lp[TL_LP_NAME_MAX];
    uint8_t hedge_side; /* tl_side of the hedge order */
    tl_fixed hedge_base_qty, hedge_quote_qty;
    tl_fixed executed_qty, avg_price, commission;
    tl_fixed pnl;                 /* in pnl_asset, before fees */
    char pnl_asset[TL_ASSET_MAX]; /* "" when no P&L (a failed execution) */
    tl_fixed pnl_after_fees;
    tl_fixed pnl_bps;             /* P&L after fees in bps of the client's quote notional */
    char error[TL_DESK_TEXT_MAX]; /* "" on success */
} tl_execution_row;

/* ---- the orders table, read back (schema version 6) -----------------------------------------
 * One row of the orders projection, as every backend holds it. The table has no order type, no
 * average fill price and no update time: filled_ns (the last fill's time) is what it keeps. */
typedef struct tl_order_row {
    char workspace[TL_WORKSPACE_MAX];
    char order_id[TL_ORDER_ID_MAX]; /* the external id the journal's events carry */
    char symbol[TL_SYMBOL_MAX];
    uint8_t side;   /* tl_side */
    uint8_t status; /* tl_order_status */
    tl_fixed qty, price, filled_qty;
    int64_t created_ns;                    /* the creating event's time */
    int64_t filled_ns;                     /* the last fill's time, 0 before the first */
    char reject_reason[TL_EVENT_TEXT_MAX]; /* "" when none */
} tl_order_row;

/* How many orders a workspace (or every workspace) holds in each status. A backend fills
 * by_status; the dispatcher adds the summaries, so the grouping is decided once: rejected
 * counts the venue's refusals and the engine's own (DENIED), canceled counts expiries, working
 * is every status that may still change (PENDING_NEW, OPEN, PARTIALLY_FILLED, PENDING_CANCEL). */
typedef struct tl_order_counts {
    uint64_t by_status[TL_OS__COUNT];
    uint64_t total, filled, rejected, canceled, working;
} tl_order_counts;

/* ---- run plans and their variants (schema version 8) --------------------------------------
 * What a sweep leaves besides its variants' trading (which is in the journal, each variant in
 * its own workspace): the plan, and each variant's figures once it has run. Texts are
 * NUL-terminated in their arrays, valid UTF-8 without control characters (bytes below 0x20);
 * the dispatcher (src/store/run_rows.c) checks a row before any backend sees it, naming the
 * field. Figures are tl_fixed: 12.5 % is 12.5 (1250000000 units), a ratio 1.5 is 1.5. */
#define TL_RUN_ID_MAX        17   /* with NUL: 16 lower-case hex digits */
#define TL_RUN_STRATEGY_MAX  64   /* with NUL */
#define TL_RUN_DATA_NAME_MAX 256  /* with NUL: the CSV's file name */
#define TL_RUN_UUID_MAX      37   /* with NUL: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower case */
#define TL_RUN_OVERRIDES_MAX 1024 /* with NUL: a canonical JSON object, "{}" for the baseline */
#define TL_RUN_ERROR_MAX     256  /* with NUL */
#define TL_RUN_DIGEST_MAX    65   /* with NUL: a state digest, 64 lower-case hex digits */
#define TL_RUN_SPEC_MAX      (64u * 1024 * 1024) /* bytes of a plan's spec, without the NUL */

/* Stored by name: "baseline", "grid", "ablation". */
typedef enum tl_run_kind { TL_RUN_BASELINE = 1, TL_RUN_GRID = 2, TL_RUN_ABLATION = 3 } tl_run_kind;
/* Stored by name: "done", "failed" (a failed variant says why in error). */
typedef enum tl_run_status { TL_RUN_DONE = 1, TL_RUN_FAILED = 2 } tl_run_status;

typedef struct tl_run_plan_row {
    char run_plan_id[TL_RUN_ID_MAX];
    int64_t created_ns; /* >= 0 */
    char strategy[TL_RUN_STRATEGY_MAX];
    char symbol[TL_SYMBOL_MAX];
    /* The sweep file's canonical JSON, 1..TL_RUN_SPEC_MAX bytes. On a write, borrowed for the
     * call. On a read, malloc'ed and owned by the caller once the call returns 0: release every
     * row read with tl_run_plan_row_free (src/store/store.h), which frees it and sets NULL. */
    const char *spec;
    char data_name[TL_RUN_DATA_NAME_MAX];
    int64_t bars;     /* >= 0: bars in the data */
    int64_t variants; /* >= 1: how many variants the plan has */
} tl_run_plan_row;

typedef struct tl_run_variant_row {
    char run_plan_id[TL_RUN_ID_MAX];
    char variant_id[TL_RUN_ID_MAX];
    int64_t ord;  /* >= 0: its place in the plan, 0-based */
    uint8_t kind; /* tl_run_kind */
    char workspace[TL_RUN_UUID_MAX];
    char overrides[TL_RUN_OVERRIDES_MAX]; /* a JSON object: "{...}" */
    uint8_t status;                       /* tl_run_status */
    char error[TL_RUN_ERROR_MAX];         /* "" when done, non-empty when failed */
    int64_t trade_count;                  /* >= 0 */
    tl_fixed return_pct, max_drawdown_pct;
    /* NULL in the store when the has_ flag is 0; then the value must be 0 (and reads back 0). */
    tl_fixed sharpe, win_rate, profit_factor;
    uint8_t has_sharpe, has_win_rate, has_profit_factor; /* 0 or 1 */
    tl_fixed ending_equity;
    char state_digest[TL_RUN_DIGEST_MAX]; /* 64 hex when done; "" or 64 hex when failed */
    int64_t finished_ns;                  /* >= 0 */
} tl_run_variant_row;

typedef struct tl_store_batch {
    const tl_event *events; /* seq already assigned, contiguous, ascending */
    size_t n_events;
    const tl_position_row *positions;
    size_t n_positions;
    const tl_account_row *accounts;
    size_t n_accounts;
    /* The desk's rows, inserted (NULL/0 when none; schema version 5). A duplicate
     * execution_id, in the store or in the batch, is TL_EDUPLICATE. */
    const tl_quote_row *quotes;
    size_t n_quotes;
    const tl_lp_quote_row *lp_quotes;
    size_t n_lp_quotes;
    const tl_execution_row *executions;
    size_t n_executions;
} tl_store_batch;

/* What a writer knows of one workspace a batch appends to: it decided the batch on a state that
 * holds every event of the workspace up to last_seq, so the batch is refused when the store has
 * a later one (another writer of the same workspace got in first). */
typedef struct tl_ws_mark {
    const char *workspace; /* borrowed */
    uint64_t last_seq;
} tl_ws_mark;

/* Scan callbacks of the desk's rows: return 0 to go on, non-zero to stop (that value is
 * returned by the scan). The row is borrowed for the call. */
typedef int (*tl_lp_quote_fn)(void *ctx, const tl_lp_quote_row *row);
typedef int (*tl_execution_fn)(void *ctx, const tl_execution_row *row);

/* One row of the control inbox. ids are given in ascending order and become visible in that
 * order (a reader that saw id N never later sees a new id below N), so a poller may keep the
 * last id it read. */
typedef struct tl_control_row {
    uint64_t id;                          /* >= 1 */
    int64_t ts_ns;                        /* when requested, the requester's wall clock */
    char command[TL_CONTROL_COMMAND_MAX]; /* one of tl_control_validate's list */
    char arg[TL_CONTROL_ARG_MAX];         /* printable ASCII, "" when none */
    uint64_t taken_seq;                   /* seq of the event that applied it; 0 = not taken */
    int64_t taken_ns;                     /* when taken (the taker's clock); 0 = not taken */
} tl_control_row;

/* Scan callback: return 0 to go on, non-zero to stop (that value is returned by scan). The event
 * is borrowed for the call. */
typedef int (*tl_event_fn)(void *ctx, const tl_event *ev);

/* Filter of a scan: events with seq > after_seq, of `type` (0 = any), of `workspace` ("" or NULL =
 * any), in ascending seq order. With a workspace, a backend reads from that workspace's first seq
 * to its last (the workspaces table), not the whole journal. */
typedef struct tl_scan_filter {
    uint64_t after_seq;
    int type;
    const char *workspace;
} tl_scan_filter;

typedef struct tl_store_ops {
    int version;        /* TL_STORE_OPS_VERSION */
    const char *scheme; /* "sqlite", "postgresql", "mem" */
    size_t state_size;  /* bytes of private state, allocated zeroed by the dispatcher */
    uint32_t caps;      /* TL_STORE_CAP_* */

    /* Opens or creates the store; creates the schema, migrates an older tradeloop schema, refuses
     * a newer one (TL_EVERSION) and a database that is not tradeloop's (TL_ECORRUPT, "not a
     * tradeloop database"). url is borrowed. */
    int (*open)(void *st, const char *url, const tl_store_options *opt, tl_err *err);
    void (*close)(void *st);
    int (*begin)(void *st, tl_err *err);
    /* Writes events and their projections, and upserts the snapshot rows. A duplicate
     * (workspace, trade_id) or (workspace, order_id) is TL_EDUPLICATE. */
    int (*write)(void *st, const tl_store_batch *batch, tl_err *err);
    int (*commit)(void *st, tl_err *err);
    void (*rollback)(void *st);
    /* Highest seq stored, 0 when empty. */
    int (*high_water)(void *st, uint64_t *seq, tl_err *err);
    int (*scan)(void *st, const tl_scan_filter *filter, tl_event_fn fn, void *ctx, tl_err *err);
    /* The INTENT_EMITTED carrying idem_key, an intent's first event (its workspace and seq): 0
     * and *out, or TL_ENOTFOUND. The key's other events are not indexed; they follow it in its
     * workspace. */
    int (*find_idem)(void *st, const char *idem_key, tl_event *out, tl_err *err);
    /* Snapshot rows of a workspace ("" = all), sorted by (workspace, symbol). *n gets how many
     * exist; at most cap are copied. */
    int (*get_positions)(void *st, const char *workspace, tl_position_row *out, size_t cap,
                         size_t *n, tl_err *err);
    int (*get_accounts)(void *st, const char *workspace, tl_account_row *out, size_t cap, size_t *n,
                        tl_err *err);
    /* Optional: opens an existing store for reading only, for readers such as `tradeloop
     * journal`: nothing is created, migrated or written (an older schema is TL_EVERSION, a
     * missing or empty store TL_ENOTFOUND). Only the read slots are then called. */
    int (*open_read)(void *st, const char *url, tl_err *err);
    /* Optional: the seq range of a workspace's events (the workspaces table), or TL_ENOTFOUND
     * when it has none. Without it the dispatcher finds the range by a scan. */
    int (*workspace_info)(void *st, const char *workspace, tl_workspace_info *out, tl_err *err);

    /* ---- version 2: optional, the dispatcher answers TL_ENOTSUP without them. Arguments are
     * checked by the dispatcher; the writes are never called on a store opened read-only. */

    /* Appends a control row, in its own transaction: durable (as the store's durability says)
     * when it returns 0 with *id. Ids ascend and become visible in that order. */
    int (*control_put)(void *st, const char *command, const char *arg, int64_t ts_ns, uint64_t *id,
                       tl_err *err);
    /* Untaken rows with id > after_id in id order: at most cap copied, *n says how many were
     * (call again after the last id for more). */
    int (*control_pending)(void *st, uint64_t after_id, tl_control_row *out, size_t cap, size_t *n,
                           tl_err *err);
    /* Marks row id taken by journal event seq at ts_ns, in its own transaction. TL_ENOTFOUND
     * when no untaken row has that id (the dispatcher tells a missing row from a taken one). */
    int (*control_done)(void *st, uint64_t id, uint64_t seq, int64_t ts_ns, tl_err *err);
    /* Row id, or TL_ENOTFOUND. */
    int (*control_get)(void *st, uint64_t id, tl_control_row *out, tl_err *err);
    /* Inserts or replaces the document of name, in its own transaction. */
    int (*status_put)(void *st, const char *name, int64_t ts_ns, const char *doc, size_t len,
                      tl_err *err);
    /* The document of name: *doc malloc'ed and NUL-terminated (the caller frees it), *ts_ns;
     * TL_ENOTFOUND when there is none. */
    int (*status_get)(void *st, const char *name, char **doc, int64_t *ts_ns, tl_err *err);

    /* ---- version 3: the desk's reads, optional (TL_ENOTSUP without them). The writes are the
     * batch's. Orders are total, the same on every backend. */

    /* The cap newest quotes rows, newest first: by ts_ns, then insertion, descending. *n gets
     * how many were copied (at most cap, which the dispatcher makes >= 1). */
    int (*quotes_recent)(void *st, tl_quote_row *out, size_t cap, size_t *n, tl_err *err);
    /* The cap newest executions, newest first: by ts_ns, then execution_id, descending. */
    int (*executions_recent)(void *st, tl_execution_row *out, size_t cap, size_t *n, tl_err *err);
    /* Every execution, oldest first (ts_ns, then execution_id). */
    int (*executions_scan)(void *st, tl_execution_fn fn, void *ctx, tl_err *err);
    /* Every lp_quotes row grouped by request: by request_id (bytes), then insertion. */
    int (*lp_quotes_scan)(void *st, tl_lp_quote_fn fn, void *ctx, tl_err *err);

    /* ---- version 4: optional, for a store several engines append to at once (PostgreSQL).
     * Called after begin and before write, for a batch with events. It serialises the
     * appends of every writer until this transaction ends (commit or rollback), answers in *last
     * the highest seq now stored (the batch is numbered from last + 1), and refuses the batch
     * with TL_EBUSY, naming the workspace, when a workspace of marks[0..n) holds an event after
     * its last_seq. Without it the dispatcher numbers from its own high-water mark, and a
     * concurrent append collides on the seq key (one writer at a time: SQLite, mem:). */
    int (*reserve)(void *st, const tl_ws_mark *marks, size_t n, uint64_t *last, tl_err *err);

    /* ---- version 5: the orders table read back, optional (TL_ENOTSUP without them). workspace
     * is NULL for every workspace, else a valid name (the dispatcher checks it). */

    /* The cap newest orders, newest first: by created_at, then workspace, then order_id (bytes),
     * descending; *n gets how many were copied (at most cap, which the dispatcher makes >= 1).
     * Served by an index, never by sorting the table. */
    int (*orders_recent)(void *st, const char *workspace, tl_order_row *out, size_t cap, size_t *n,
                         tl_err *err);
    /* out->by_status (zeroed by the dispatcher); a status the backend cannot name is
     * TL_ECORRUPT. */
    int (*order_counts)(void *st, const char *workspace, tl_order_counts *out, tl_err *err);

    /* ---- version 6: the run plans' rows, optional (TL_ENOTSUP without them). Rows are checked
     * by the dispatcher; each write is its own transaction, never part of a batch. */

    /* Inserts the plan. The same id with the same spec is 0 and changes nothing; with another
     * spec TL_EDUPLICATE. */
    int (*run_plan_put)(void *st, const tl_run_plan_row *row, tl_err *err);
    /* Inserts the variant, or replaces every field of the row of (run_plan_id, variant_id);
     * TL_ENOTFOUND when the plan is not stored. */
    int (*run_variant_put)(void *st, const tl_run_variant_row *row, tl_err *err);
    /* The cap newest plans: by created_ns descending, then run_plan_id ascending (bytes); *n
     * how many were copied (cap >= 1). Each row's spec malloc'ed; nothing allocated on failure. */
    int (*run_plans_recent)(void *st, tl_run_plan_row *out, size_t cap, size_t *n, tl_err *err);
    /* One plan (spec malloc'ed), or TL_ENOTFOUND. */
    int (*run_plan_get)(void *st, const char *run_plan_id, tl_run_plan_row *out, tl_err *err);
    /* The plan's variants by ord, then variant_id: at most cap copied, *n how many it has;
     * TL_ENOTFOUND when the plan is not stored. */
    int (*run_variants)(void *st, const char *run_plan_id, tl_run_variant_row *out, size_t cap,
                        size_t *n, tl_err *err);
} tl_store_ops;

#endif /* TRADELOOP_STORE_H */
