/*
 * pg.h (internal) -- the PostgreSQL journal backend, shared by its files.
 *
 * pg.c holds the ops table, the connection (open, reconnect, error mapping) and the
 * transactions; pg_schema.c creates, checks and migrates the schema; pg_fold.c works out what a
 * batch does to the orders projection; pg_copy.c writes a batch: events, new orders and trades by
 * COPY, all in one message; pg_upsert.c changes older orders and the snapshot rows, one statement
 * each, in one pipeline; pg_read.c reads. Every value goes to the server as a bound parameter
 * or as COPY data, never inside SQL text, and no step costs a round trip per row.
 *
 * Durability: FULL runs with synchronous_commit=on, so COMMIT returns after the WAL is flushed.
 * NORMAL runs with synchronous_commit=off: a server crash may lose the commits of the last
 * ~3 x wal_writer_delay (600 ms by default), never corrupting anything or leaving a batch half
 * written, since PostgreSQL replays its WAL to a consistent point.
 */
#ifndef TL_STORE_PG_PG_H
#define TL_STORE_PG_PG_H

#include <libpq-fe.h>

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

/* One order touched by a batch. */
typedef struct tl__pg_order {
    const tl_event *ev;     /* the creating event, or the first event of an older order */
    const tl_event *reject; /* the last ORDER_REJECTED, NULL when none */
    tl_fixed filled;        /* quantity filled by this batch */
    int64_t filled_at;      /* time of its last fill, when has_fill */
    uint8_t status;         /* status after the batch */
    uint8_t created;        /* 1: created by this batch (inserted); 0: created earlier (updated) */
    uint8_t has_fill;
} tl__pg_order;

/* The orders a batch touches, in first-touch order, with a hash table over (workspace,
 * order_id). Arrays are reused from batch to batch. */
typedef struct tl__pg_fold {
    tl__pg_order *orders;
    size_t n, cap;
    uint32_t *slots; /* open addressing: index + 1, 0 = empty; a power of two, <= half full */
    size_t nslots;
    size_t n_created, n_updated; /* orders to insert / to update */
    size_t n_updated_fills;      /* updated orders with a fill: they must exist */
    size_t n_fills;              /* ORDER_FILLED events: trades to insert */
} tl__pg_fold;

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
    tl__pg_fold fold;              /* owned, the current batch's orders */
    size_t copy_len;               /* bytes pending in copy_buf */
    char copy_buf[TL_PG_COPY_BUF]; /* COPY trade_events rows, streamed */
} tl__pg;

/* Maps a failed result (consumed, may be NULL) or a dead connection to a TL_E* code and a
 * message naming `what`: SQLSTATE 23505 -> TL_EDUPLICATE (TL_EBUSY when the sequence number
 * itself is taken: another engine appended first), other integrity and data errors ->
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

/* pg_fold.c: fills f from the batch's events. TL_EDUPLICATE for an order created twice,
 * TL_ERANGE when its filled quantity overflows. fold_needs tells, without folding, whether the
 * batch creates any order and whether it has fills (rows for COPY orders, COPY trades). */
int tl__pg_fold_batch(tl__pg_fold *f, const tl_event *ev, size_t n, tl_err *err);
void tl__pg_fold_needs(const tl_event *ev, size_t n, int *creates, int *fills);
void tl__pg_fold_free(tl__pg_fold *f);

/* pg_copy.c: the write slot (sends BEGIN when pending), and text encoders for statement
 * parameters that return the end of what they wrote: decimal integers, exact NUMERIC(20,8)
 * text (tl_fixed_format_dp(v, 8)), a plain string. */
int tl__pg_write(tl__pg *pg, const tl_store_batch *batch, tl_err *err);
char *tl__pg_put_i64(char *p, int64_t v);
char *tl__pg_put_fixed(char *p, tl_fixed v);
char *tl__pg_put_str(char *p, const char *s);

/* pg_upsert.c: its statements prepared on the current session, and the rest of a batch after
 * its COPYs, in one pipeline: BEGIN when still pending, the orders that earlier batches created
 * (from pg->fold, when the batch has events; TL_ENOTFOUND when one with a fill does not exist),
 * the snapshot rows. */
int tl__pg_prepare_write(tl__pg *pg, tl_err *err);
int tl__pg_write_rows(tl__pg *pg, const tl_store_batch *b, tl_err *err);

/* pg_read.c: the read slots, and their statements prepared on the current session. */
int tl__pg_prepare_read(tl__pg *pg, tl_err *err);
int tl__pg_high_water(void *st, uint64_t *seq, tl_err *err);
int tl__pg_scan(void *st, const tl_scan_filter *f, tl_event_fn fn, void *ctx, tl_err *err);
int tl__pg_find_idem(void *st, const char *idem_key, tl_event *out, tl_err *err);
int tl__pg_get_positions(void *st, const char *workspace, tl_position_row *out, size_t cap,
                         size_t *n, tl_err *err);
int tl__pg_get_accounts(void *st, const char *workspace, tl_account_row *out, size_t cap, size_t *n,
                        tl_err *err);

#endif /* TL_STORE_PG_PG_H */
