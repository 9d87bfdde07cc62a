/*
 * store.h (internal) -- the one dispatch point for storage backends.
 *
 * tl_store_open picks a backend by URL: "mem:" -> memory, "postgresql://..." or "postgres://..."
 * -> PostgreSQL, "sqlite:PATH" or a plain path -> SQLite. It checks the backend's table
 * (version, scheme, mandatory slots), allocates its state and opens it, then reads the high-water
 * mark. tl_store_append assigns the next sequence numbers to the batch's events and writes them
 * in one transaction; on any failure it rolls back and the sequence does not advance, so the
 * journal stays gap-free.
 *
 * Fault injection (tests): fail the Nth write or the Nth commit with TL_EIO; the dispatcher then
 * rolls back exactly as for a real failure.
 */
#ifndef TL_STORE_STORE_H
#define TL_STORE_STORE_H

#include "core/hashmap.h"
#include "tradeloop/store.h"

typedef struct tl_store_stats {
    uint64_t batches, events, failures, rollbacks;
} tl_store_stats;

typedef struct tl_store_faults {
    uint64_t fail_write_at;   /* 1-based count of write calls; 0 = off */
    uint64_t fail_commit_at;  /* 1-based count of commit calls; 0 = off */
    uint64_t writes, commits; /* counters the injection compares against */
} tl_store_faults;

/* One workspace this connection appended to on a shared store (append.c). */
typedef struct tl_store_ws {
    char workspace[TL_WORKSPACE_MAX];
    uint64_t last_seq; /* the last event of it this connection appended */
    uint64_t batch;    /* the batch that last listed it: each is listed once per batch */
    uint32_t list_pos; /* its place in that batch's list */
} tl_store_ws;

/* One entry of a batch's list: the workspace (ws[] index) and its last event in the batch. */
typedef struct tl_store_ws_item {
    uint32_t ws, last;
} tl_store_ws_item;

/* What a writer knows of the journal, for the per-workspace check of a shared store (the
 * backend has ops->reserve): every event up to `base` (read when the store was opened, and again
 * after a failed append, which the caller must follow by reading its state again), and the
 * events it appended itself. A batch passes when none of its workspaces holds an event after
 * max(base, that workspace's last_seq). */
typedef struct tl_store_marks {
    uint64_t base;
    tl_store_ws *ws; /* owned */
    size_t n_ws, cap_ws;
    tl_hashmap index;        /* hash(workspace) -> ws[] index, multi */
    tl_ws_mark *list;        /* owned: the current batch's marks, for ops->reserve */
    tl_store_ws_item *items; /* owned: list[i]'s workspace and last event */
    size_t n_list, cap_list, cap_items;
    uint64_t batch; /* batches listed so far */
} tl_store_marks;

typedef struct tl_store {
    const tl_store_ops *ops; /* borrowed static table */
    void *state;             /* owned */
    uint64_t high_water;     /* the highest seq this connection knows stored: the last it read
                                or appended (a shared store may hold later ones, by others) */
    uint64_t last_first_seq; /* the first seq of this connection's last append that held events,
                                0 before one: on a shared store, not high_water + 1 of before */
    tl_store_stats stats;
    tl_store_faults faults;
    int read_only; /* opened by tl_store_open_read: appends are refused */
    tl_store_marks marks;
} tl_store;

/* extra: optional NULL-terminated list of additional backends (borrowed). */
int tl_store_open(tl_store *s, const char *url, const tl_store_options *opt,
                  const tl_store_ops *const *extra, tl_err *err);
/* The same for reading only, through the backend's open_read (TL_ENOTSUP without one): the
 * store is not created, migrated or written, and tl_store_append refuses (TL_ESTATE). */
int tl_store_open_read(tl_store *s, const char *url, const tl_store_ops *const *extra, tl_err *err);
void tl_store_close(tl_store *s);
int tl_store_ops_check(const tl_store_ops *ops, tl_err *err);
/* Common entry check of every call: a NULL (TL_EINVAL) or closed (TL_ECLOSED) store. */
int tl__store_check_open(const tl_store *s, const char *what, tl_err *err);
/* append.c: the marks' life, with the store's (tl_store_open and tl_store_close). */
int tl__store_marks_init(tl_store_marks *m, uint64_t base);
void tl__store_marks_close(tl_store_marks *m);
/* A store URL, read once (src/store/url.c). The rules:
 *  - Empty, blank at either end, or holding a control character: refused.
 *  - A scheme is [A-Za-z][A-Za-z0-9+.-]* before ':', compared without case ("MEM:" is mem:). It
 *    counts as a scheme when "//" follows the colon, or when it is one of ours without it.
 *  - mem: or mem:NAME (mem://NAME too): the memory store; nothing outlives the process.
 *  - sqlite:PATH and sqlite://PATH: the SQLite file PATH exactly as written, relative or not
 *    (sqlite://x.db is ./x.db, never /x.db; sqlite:///var/x.db is /var/x.db). No PATH: refused.
 *  - file:…: a SQLite URI (file:x.db?mode=ro), handed to SQLite as such.
 *  - postgresql://… or postgres://…: PostgreSQL, the whole URL to libpq; "postgresql:" without
 *    "//" is refused.
 *  - SCHEME://… of any other scheme: target is the whole URL, for a backend the caller adds;
 *    tl_store_open refuses it (TL_ENOTSUP) when no backend serves it.
 *  - Anything else is a path to a SQLite file ("desk.db", "C:data.db", "mem" with no colon).
 * target points into url (borrowed). TL_EINVAL naming what is wrong, *out untouched. */
#define TL_STORE_URL_MAX 4096 /* longest URL a store accepts, with NUL */

typedef struct tl_store_url {
    char scheme[32];    /* "sqlite", "postgresql", "mem", or another scheme, lower case */
    const char *target; /* sqlite: the path or URI; mem: the name; others: the whole URL */
    int sqlite_uri;     /* target is a SQLite "file:" URI */
} tl_store_url;

int tl_store_url_parse(const char *url, tl_store_url *out, tl_err *err);

/* Assigns seq high_water+1.. to events[0..n) (written into the caller's array), writes the
 * batch and commits. 0 only when committed; on failure the store and high_water are unchanged
 * (the events' seq fields are then meaningless).
 *
 * On a shared store (the backend has ops->reserve: PostgreSQL) several writers append at once:
 * the seqs come from the store's own mark, read under a lock the transaction holds until it
 * ends, so they are gap-free and become visible in seq order, and they may lie beyond
 * high_water (others appended in between; high_water then jumps to the batch's last seq).
 * Writers of different workspaces never refuse each other. A batch is refused with TL_EBUSY
 * when one of its workspaces holds an event this connection has not seen (tl_store_marks):
 * another writer of that workspace decided on the same state first. Then, as after any
 * failure, the caller reads its state again before deciding anew.
 *
 * On every store, a batch that emits an intent whose key was already emitted is TL_EEXIST
 * (nothing written): find the original with tl_store_find_idem. */
int tl_store_append(tl_store *s, tl_event *events, size_t n, const tl_position_row *positions,
                    size_t n_positions, const tl_account_row *accounts, size_t n_accounts,
                    tl_err *err);
/* The same with the batch's other rows: rows->positions .. rows->executions are written with
 * the events (rows->events and n_events are ignored). The desk's rows are checked first
 * (src/store/desk_rows.c); a backend of ops version < 3 refuses them (TL_ENOTSUP). */
int tl_store_append_batch(tl_store *s, tl_event *events, size_t n, const tl_store_batch *rows,
                          tl_err *err);
int tl_store_scan(tl_store *s, const tl_scan_filter *filter, tl_event_fn fn, void *ctx,
                  tl_err *err);
int tl_store_find_idem(tl_store *s, const char *idem_key, tl_event *out, tl_err *err);
int tl_store_get_positions(tl_store *s, const char *workspace, tl_position_row *out, size_t cap,
                           size_t *n, tl_err *err);
int tl_store_get_accounts(tl_store *s, const char *workspace, tl_account_row *out, size_t cap,
                          size_t *n, tl_err *err);
/* Where workspace ws's events lie: 0 and *out (first_seq <= last_seq), or TL_ENOTFOUND when it
 * has none. What a recovery asks first: it then scans [first_seq, last_seq] and nothing else. */
int tl_store_workspace_info(tl_store *s, const char *ws, tl_workspace_info *out, tl_err *err);

/* ---- the control inbox and the status documents (schema version 4) -------------------------
 * Another process talks to a running engine through its database: it puts a control row
 * ("kill", "release") and waits for the engine to take it (control_get shows taken_seq); the
 * engine polls control_pending, applies each row as a journal event, then control_done. The
 * engine upserts status documents that readers (`tradeloop top`) fetch with status_get. Each
 * write is its own transaction. The reads work on a store opened with tl_store_open_read; the
 * writes are refused there (TL_ESTATE). A backend without the slots: TL_ENOTSUP. On failure the
 * outputs are untouched. */

/* The one place that decides what the inbox accepts (control.c): command one of "kill",
 * "release"; arg at most TL_CONTROL_ARG_MAX - 1 bytes of printable ASCII ("" allowed). */
int tl_control_validate(const char *command, const char *arg, tl_err *err);
/* name: 1-63 of [A-Za-z0-9._:-]; doc: JSON text of at most TL_STATUS_DOC_MAX bytes. *len (may
 * be NULL) gets the document's length. */
int tl_status_validate(const char *name, const char *doc, size_t *len, tl_err *err);

/* ts_ns: the requester's wall clock. *id gets the new row's id; durable when it returns 0. */
int tl_store_control_put(tl_store *s, const char *command, const char *arg, int64_t ts_ns,
                         uint64_t *id, tl_err *err);
/* Untaken rows with id > after_id, ascending: at most cap into out, *n how many. */
int tl_store_control_pending(tl_store *s, uint64_t after_id, tl_control_row *out, size_t cap,
                             size_t *n, tl_err *err);
/* Marks row id taken by journal event seq (1 <= seq <= the high-water mark: append the event
 * first). Taking it again with the same seq is 0 (a retry whose first answer was lost); with
 * another seq TL_ESTATE; no such row TL_ENOTFOUND. */
int tl_store_control_done(tl_store *s, uint64_t id, uint64_t seq, int64_t ts_ns, tl_err *err);
/* Row id, or TL_ENOTFOUND. */
int tl_store_control_get(tl_store *s, uint64_t id, tl_control_row *out, tl_err *err);
/* Inserts or replaces the document of name (tl_status_validate). */
int tl_store_status_put(tl_store *s, const char *name, int64_t ts_ns, const char *doc, tl_err *err);
/* *doc gets a malloc'ed copy (the caller frees it), *ts_ns (may be NULL) its time; TL_ENOTFOUND
 * when name has none. */
int tl_store_status_get(tl_store *s, const char *name, char **doc, int64_t *ts_ns, tl_err *err);

/* ---- the RFQ desk's rows (schema version 5) ------------------------------------------------
 * Written with a batch (tl_store_append_batch); read by `tradeloop db`, also on a store opened
 * with tl_store_open_read. A backend without the slots: TL_ENOTSUP. */

/* The cap newest quotes (by ts_ns, then insertion), newest first; *n how many were copied. */
int tl_store_quotes_recent(tl_store *s, tl_quote_row *out, size_t cap, size_t *n, tl_err *err);
/* The cap newest executions (by ts_ns, then execution_id), newest first. */
int tl_store_executions_recent(tl_store *s, tl_execution_row *out, size_t cap, size_t *n,
                               tl_err *err);
/* Every execution, oldest first. */
int tl_store_executions_scan(tl_store *s, tl_execution_fn fn, void *ctx, tl_err *err);
/* Every lp_quotes row, the rows of a request together: by request_id, then insertion. */
int tl_store_lp_quotes_scan(tl_store *s, tl_lp_quote_fn fn, void *ctx, tl_err *err);

/* ---- the orders table read back (schema version 6) -----------------------------------------
 * What `tradeloop serve` shows (GET /orders, /status's database_stats), from any store, also
 * one opened with tl_store_open_read. workspace NULL or "" means every workspace; otherwise it
 * must be a valid name (TL_EINVAL). A backend without the slots: TL_ENOTSUP. On failure the
 * outputs are untouched. */

/* The cap newest orders (by created_at, then workspace, then order_id, descending), newest
 * first; *n how many were copied. */
int tl_store_orders_recent(tl_store *s, const char *workspace, tl_order_row *out, size_t cap,
                           size_t *n, tl_err *err);
/* The orders in each status, and the summaries (see tl_order_counts). */
int tl_store_order_counts(tl_store *s, const char *workspace, tl_order_counts *out, tl_err *err);

/* ---- run plans and their variants (schema version 8) --------------------------------------
 * Written by a sweep, one row per call, each its own transaction (never with a batch); read by
 * the admin pages, also on a store opened with tl_store_open_read (the writes are refused there,
 * TL_ESTATE). Every row is checked first (src/store/run_rows.c): TL_EINVAL naming the field. A
 * backend without the slots: TL_ENOTSUP. On failure the outputs are untouched. */

/* Stores the plan. The same run_plan_id again with the same spec is 0 and changes nothing (a
 * sweep started again); with another spec TL_EDUPLICATE. */
int tl_store_run_plan_put(tl_store *s, const tl_run_plan_row *row, tl_err *err);
/* Stores a variant's row, replacing the row of the same (run_plan_id, variant_id): a variant run
 * again after a crash overwrites its figures. TL_ENOTFOUND when the plan is not stored. */
int tl_store_run_variant_put(tl_store *s, const tl_run_variant_row *row, tl_err *err);
/* The cap newest plans (created_ns descending, then run_plan_id ascending); *n how many were
 * copied. Each copied row's spec is the caller's: release them with tl_run_plan_rows_free. */
int tl_store_run_plans_recent(tl_store *s, tl_run_plan_row *out, size_t cap, size_t *n,
                              tl_err *err);
/* The plan of run_plan_id (16 lower-case hex), or TL_ENOTFOUND. out->spec is the caller's:
 * release it with tl_run_plan_row_free. */
int tl_store_run_plan_get(tl_store *s, const char *run_plan_id, tl_run_plan_row *out, tl_err *err);
/* The plan's variants in plan order (ord, then variant_id): at most cap copied into out, *n how
 * many the plan has stored (more than cap: call again with room for *n). TL_ENOTFOUND when the
 * plan is not stored. */
int tl_store_run_variants(tl_store *s, const char *run_plan_id, tl_run_variant_row *out, size_t cap,
                          size_t *n, tl_err *err);
/* Frees the spec of a row read back (free()) and sets it NULL; NULL rows and specs are fine. */
void tl_run_plan_row_free(tl_run_plan_row *row);
void tl_run_plan_rows_free(tl_run_plan_row *rows, size_t n);

extern const tl_store_ops tl_store_mem_ops;
extern const tl_store_ops tl_store_sqlite_ops;
extern const tl_store_ops tl_store_pg_ops;

#endif /* TL_STORE_STORE_H */
