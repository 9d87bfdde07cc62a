/*
 * pg.h (internal) -- the PostgreSQL journal backend, shared by its three files.
 *
 * pg.c holds the ops table, the connection (open, reconnect, error mapping) and the reads;
 * pg_schema.c creates, checks and migrates the schema; pg_copy.c writes a batch: the events by
 * COPY, then the orders/trades projections with set-based SQL over the rows just copied, then the
 * snapshot upserts. Every value goes to the server as a bound parameter or as COPY data, never
 * inside SQL text.
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

/* COPY data is built in this buffer and flushed to the server whenever it is nearly full, so a
 * batch of any size costs no allocation. */
#define TL_PG_COPY_BUF (256 * 1024)
/* Rows fetched per scan query (keyset pagination on seq). */
#define TL_PG_SCAN_PAGE 10000

typedef struct tl__pg {
    PGconn *conn;             /* owned */
    tl_durability durability; /* re-applied to every new session */
    int broken;               /* connection lost: the next call resets it first */
    char *tmp;                /* owned scratch for the snapshot upserts' array literals */
    size_t tmp_cap;
    size_t copy_len;                /* bytes pending in copy_buf */
    char copy_buf[TL_PG_COPY_BUF]; /* COPY text rows */
} tl__pg;

/* Maps a failed result (consumed, may be NULL) or a dead connection to a TL_E* code and a
 * message naming `what`: SQLSTATE 23505 -> TL_EDUPLICATE (TL_EBUSY when the sequence number
 * itself is taken: another engine appended first), other integrity and data errors ->
 * TL_EINVAL, a lost connection -> TL_EIO "connection to PostgreSQL lost" (and marks it for a
 * reset), anything else -> TL_EIO. */
int tl__pg_fail(tl__pg *pg, PGresult *res, const char *what, tl_err *err);
/* Runs a statement without parameters that returns no rows. */
int tl__pg_exec(tl__pg *pg, const char *sql, const char *what, tl_err *err);

/* pg_schema.c: creates the schema in an empty database, migrates an older tradeloop one,
 * refuses a newer one (TL_EVERSION) or a database that is not tradeloop's (TL_ECORRUPT). Runs
 * in its own transaction. */
int tl__pg_schema(tl__pg *pg, tl_err *err);
/* Prepares the statements of pg_copy.c on the current session. */
int tl__pg_prepare_write(tl__pg *pg, tl_err *err);

/* pg_copy.c: the write slot. */
int tl__pg_write(tl__pg *pg, const tl_store_batch *batch, tl_err *err);

#endif /* TL_STORE_PG_PG_H */
