/*
 * sqlite_int.h (internal) -- the SQLite store backend's private state, shared by its two files:
 * sqlite_schema.c (URL, file checks, pragmas, schema creation and migration), sqlite_write.c
 * (batches, applying src/store/projection.c's result) and sqlite.c (the ops table, scans).
 *
 * Every statement the backend runs more than once is prepared at open and kept for the life of
 * the connection; a call binds, steps and resets it, so the hot paths neither parse SQL nor
 * allocate.
 */
#ifndef TL_STORE_SQLITE_INT_H
#define TL_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <string.h>

#include "store/projection.h"
#include "tradeloop/store.h"

/* Rows per multi-row INSERT: one statement step per chunk instead of per row (128 rows cost 2%
 * less per row than 64, and 64 2.5% less than 32). */
#define TL__SQ_CHUNK 128

/* Event types rare enough for an index of their own (RISK_FROZEN 14, KILL_SWITCH 15,
 * FILL_REFUSED 17, WORKSPACE_RESET 18): a replay looks for the last reset without walking the
 * journal, and the common types (fills are a third of a journal) pay nothing for it. Stored
 * values, so fixed. The partial index's condition and the rare scans', word for word so the
 * planner sees the index applies. Not `type IN (14, 15, 17, 18)`: SQLite builds that list as a
 * temporary b-tree for every row inserted, which cost a third of an append. */
#define TL__SQ_RARE_TYPES "(type >= 14 AND type <> 16)"

/* The prepared statements, indexes into tl__sqlite.stmt. */
enum {
    TL__SQ_APPEND_EVENT,  /* one row, numbered by SQLite */
    TL__SQ_APPEND_EVENTS, /* TL__SQ_CHUNK rows, numbered by SQLite */
    TL__SQ_INS_EVENT,     /* one row */
    TL__SQ_INS_EVENTS,    /* TL__SQ_CHUNK rows */
    TL__SQ_INS_ORDER,     /* one row */
    TL__SQ_INS_ORDERS,    /* TL__SQ_CHUNK rows */
    TL__SQ_UPD_ORDER,
    TL__SQ_INS_TRADE,  /* one row */
    TL__SQ_INS_TRADES, /* TL__SQ_CHUNK rows */
    TL__SQ_UPS_POSITION,
    TL__SQ_UPS_ACCOUNT,
    TL__SQ_UPS_WORKSPACE, /* advances a workspace's last seq, sets its first the first time */
    TL__SQ_GET_WORKSPACE,
    TL__SQ_MAX_SEQ,
    TL__SQ_FIND_IDEM,
    TL__SQ_GET_POSITIONS,
    TL__SQ_GET_ACCOUNTS,
    TL__SQ_SCAN,         /* seq > ?1 */
    TL__SQ_SCAN_TYPE,    /* and type = ?2 */
    TL__SQ_SCAN_WS,      /* and workspace = ?3 (?1 raised to its first seq - 1) */
    TL__SQ_SCAN_TYPE_WS, /* both */
    TL__SQ_SCAN_WS_UPTO, /* TL__SQ_SCAN_WS and seq <= ?4 (its last seq) */
    TL__SQ_SCAN_TYPE_WS_UPTO,
    TL__SQ_SCAN_RARE,    /* seq > ?1 and type = ?2, a rare type */
    TL__SQ_SCAN_RARE_WS, /* and workspace = ?3 and seq <= ?4 */
    TL__SQ_COUNT
};

/* What one parameter of a statement holds, so that binding the value it already holds is skipped
 * (sqlite_write.c): a bind costs 8-13 ns, a batch binds over twenty parameters per event, and
 * many repeat from one chunk of rows to the next (the workspace, the symbol, empty texts). */
typedef struct tl__sq_bound {
    const char *text; /* TEXT: its bytes, borrowed from the batch being written */
    int64_t v;        /* INTEGER: the value; TEXT: the length */
    int kind;         /* TL__SQ_BOUND_NONE, _INT, _TEXT or _NULL */
} tl__sq_bound;

enum { TL__SQ_BOUND_NONE, TL__SQ_BOUND_INT, TL__SQ_BOUND_TEXT, TL__SQ_BOUND_NULL };

/* The control inbox's and status documents' statements (sqlite_ctl.c), indexes into
 * tl__sqlite.ctl. */
enum {
    TL__SQC_PUT,
    TL__SQC_PENDING,
    TL__SQC_DONE,
    TL__SQC_GET,
    TL__SQC_STATUS_PUT,
    TL__SQC_STATUS_GET,
    TL__SQC_COUNT
};

/* The RFQ desk's statements (sqlite_desk.c), indexes into tl__sqlite.desk. */
enum {
    TL__SQD_INS_QUOTE,
    TL__SQD_INS_LP_QUOTE,
    TL__SQD_INS_EXECUTION,
    TL__SQD_QUOTES_RECENT,
    TL__SQD_EXECUTIONS_RECENT,
    TL__SQD_EXECUTIONS_SCAN,
    TL__SQD_LP_QUOTES_SCAN,
    TL__SQD_COUNT
};

/* The orders table's reads (sqlite_orders.c), indexes into tl__sqlite.ord. */
enum {
    TL__SQO_RECENT,    /* the newest, every workspace */
    TL__SQO_RECENT_WS, /* the newest of one workspace */
    TL__SQO_COUNTS,    /* by status, every workspace */
    TL__SQO_COUNTS_WS,
    TL__SQO_COUNT
};

/* The run plans' statements (sqlite_runs.c), indexes into tl__sqlite.runs. */
enum {
    TL__SQR_PLAN_INS,
    TL__SQR_PLAN_SAME, /* whether the stored spec equals ?2 */
    TL__SQR_VAR_PUT,
    TL__SQR_PLANS_RECENT,
    TL__SQR_PLAN_GET,
    TL__SQR_VARIANTS,
    TL__SQR_PLAN_EXISTS,
    TL__SQR_COUNT
};

typedef struct tl__sqlite {
    sqlite3 *db;                       /* owned connection, NULL when closed */
    sqlite3_stmt *stmt[TL__SQ_COUNT];  /* owned, prepared at open */
    sqlite3_stmt *ctl[TL__SQC_COUNT];  /* owned, prepared at open (sqlite_ctl.c) */
    sqlite3_stmt *desk[TL__SQD_COUNT]; /* owned, prepared at open (sqlite_desk.c) */
    sqlite3_stmt *ord[TL__SQO_COUNT];  /* owned, prepared at open (sqlite_orders.c) */
    sqlite3_stmt *runs[TL__SQR_COUNT]; /* owned, prepared at open (sqlite_runs.c) */
    tl__sq_bound *bound[TL__SQ_COUNT]; /* owned: one entry per parameter of each statement */
    char name[200];                    /* the database file, for messages (may be truncated) */
    /* Scratch of the batch being written, kept between batches so writing does not allocate
     * once it has reached the size of the largest batch. */
    tl_projection proj; /* owned: what the batch does to orders, trades and workspaces */
    uint32_t *created;  /* owned: the proj.orders entries the batch inserts */
    size_t n_created, cap_created;
    int careful;   /* writing a batch again, row by row (sqlite_write.c) */
    int read_only; /* opened by open_read: nothing is created, migrated or written */
} tl__sqlite;

/* Copies a text column into dst[cap], zeroed by the caller; TL_ECORRUPT when it does not fit
 * (only a hand-edited file can hold one). The columns are STRICT TEXT in a UTF-8 database, so
 * the length comes first without any conversion, an empty text costs one call, and the bytes
 * are read as a blob: copied by length, SQLite need not NUL-terminate them. */
static inline int tl__sq_column_text(sqlite3_stmt *q, int col, char *dst, size_t cap)
{
    int n = sqlite3_column_bytes(q, col);
    if (n == 0)
        return 0;
    const void *s = sqlite3_column_blob(q, col);
    if ((size_t)n >= cap || s == NULL)
        return TL_ECORRUPT;
    memcpy(dst, s, (size_t)n);
    return 0;
}

/* Opens the connection for url, checks what the file is, sets the pragmas, creates or migrates
 * the schema and fills event_types; read-only, only checks the schema is current. On failure
 * st->db is closed and NULL. */
int tl__sqlite_open_db(tl__sqlite *st, const char *url, const tl_store_options *opt, tl_err *err);
/* The SQL of each statement (sqlite.c). */
extern const char *const tl__sqlite_sql[TL__SQ_COUNT];
/* Writes a batch inside the open transaction (sqlite_write.c). */
int tl__sqlite_write(tl__sqlite *st, const tl_store_batch *b, tl_err *err);
/* sqlite_ctl.c: prepares (at open) and finalizes the ctl statements; the slots. */
int tl__sqlite_ctl_prepare(tl__sqlite *st, tl_err *err);
void tl__sqlite_ctl_finalize(tl__sqlite *st);
int tl__sqlite_control_put(void *state, const char *command, const char *arg, int64_t ts_ns,
                           uint64_t *id, tl_err *err);
int tl__sqlite_control_pending(void *state, uint64_t after_id, tl_control_row *out, size_t cap,
                               size_t *n, tl_err *err);
int tl__sqlite_control_done(void *state, uint64_t id, uint64_t seq, int64_t ts_ns, tl_err *err);
int tl__sqlite_control_get(void *state, uint64_t id, tl_control_row *out, tl_err *err);
int tl__sqlite_status_put(void *state, const char *name, int64_t ts_ns, const char *doc, size_t len,
                          tl_err *err);
int tl__sqlite_status_get(void *state, const char *name, char **doc, int64_t *ts_ns, tl_err *err);
/* sqlite_desk.c: the desk's statements, its part of a batch (inside the open transaction), and
 * its read slots. */
int tl__sqlite_desk_prepare(tl__sqlite *st, tl_err *err);
void tl__sqlite_desk_finalize(tl__sqlite *st);
int tl__sqlite_desk_write(tl__sqlite *st, const tl_store_batch *b, tl_err *err);
int tl__sqlite_quotes_recent(void *state, tl_quote_row *out, size_t cap, size_t *n, tl_err *err);
int tl__sqlite_executions_recent(void *state, tl_execution_row *out, size_t cap, size_t *n,
                                 tl_err *err);
int tl__sqlite_executions_scan(void *state, tl_execution_fn fn, void *ctx, tl_err *err);
int tl__sqlite_lp_quotes_scan(void *state, tl_lp_quote_fn fn, void *ctx, tl_err *err);
/* sqlite_orders.c: the orders table's reads, their SQL (for the test of their plans) and their
 * statements, prepared at open. */
extern const char *const tl__sqlite_orders_sql[TL__SQO_COUNT];
int tl__sqlite_orders_prepare(tl__sqlite *st, tl_err *err);
void tl__sqlite_orders_finalize(tl__sqlite *st);
int tl__sqlite_orders_recent(void *state, const char *workspace, tl_order_row *out, size_t cap,
                             size_t *n, tl_err *err);
int tl__sqlite_order_counts(void *state, const char *workspace, tl_order_counts *out, tl_err *err);
/* sqlite_runs.c: the run plans' statements, prepared at open, and their slots. */
int tl__sqlite_runs_prepare(tl__sqlite *st, tl_err *err);
void tl__sqlite_runs_finalize(tl__sqlite *st);
int tl__sqlite_run_plan_put(void *state, const tl_run_plan_row *r, tl_err *err);
int tl__sqlite_run_variant_put(void *state, const tl_run_variant_row *r, tl_err *err);
int tl__sqlite_run_plans_recent(void *state, tl_run_plan_row *out, size_t cap, size_t *n,
                                tl_err *err);
int tl__sqlite_run_plan_get(void *state, const char *id, tl_run_plan_row *out, tl_err *err);
int tl__sqlite_run_variants(void *state, const char *plan_id, tl_run_variant_row *out, size_t cap,
                            size_t *n, tl_err *err);
/* Maps a SQLite result code (and the connection's message) to a TL_E* code with detail naming
 * the file and `what` was being done. */
int tl__sqlite_error(tl__sqlite *st, int rc, const char *what, tl_err *err);

#endif /* TL_STORE_SQLITE_INT_H */
