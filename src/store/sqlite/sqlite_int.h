/*
 * sqlite_int.h (internal) -- the SQLite store backend's private state, shared by its two files:
 * sqlite_schema.c (URL, file checks, pragmas, schema creation and migration) and sqlite.c (the
 * ops table: batches, projections, scans).
 *
 * Every statement the backend runs more than once is prepared at open and kept for the life of
 * the connection; a call binds, steps and resets it, so the hot paths neither parse SQL nor
 * allocate.
 */
#ifndef TL_STORE_SQLITE_INT_H
#define TL_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "tradeloop/store.h"

/* The prepared statements, indexes into tl__sqlite.stmt. */
enum {
    TL__SQ_INS_EVENT,
    TL__SQ_INS_ORDER,
    TL__SQ_UPD_STATUS,
    TL__SQ_UPD_REJECT,
    TL__SQ_UPD_FILL,
    TL__SQ_INS_TRADE,
    TL__SQ_UPS_POSITION,
    TL__SQ_UPS_ACCOUNT,
    TL__SQ_MAX_SEQ,
    TL__SQ_FIND_IDEM,
    TL__SQ_GET_POSITIONS,
    TL__SQ_GET_ACCOUNTS,
    TL__SQ_SCAN,         /* seq > ?1 */
    TL__SQ_SCAN_TYPE,    /* and type = ?2 */
    TL__SQ_SCAN_WS,      /* and workspace = ?3 */
    TL__SQ_SCAN_TYPE_WS, /* both */
    TL__SQ_COUNT
};

typedef struct tl__sqlite {
    sqlite3 *db;                        /* owned connection, NULL when closed */
    sqlite3_stmt *stmt[TL__SQ_COUNT];   /* owned, prepared at open */
    char name[200];                     /* the database file, for messages (may be truncated) */
} tl__sqlite;

/* Opens the connection for url, checks what the file is, sets the pragmas and creates or
 * migrates the schema. On failure st->db is closed and NULL. */
int tl__sqlite_open_db(tl__sqlite *st, const char *url, const tl_store_options *opt,
                       tl_err *err);
/* Maps a SQLite result code (and the connection's message) to a TL_E* code with detail naming
 * the file and `what` was being done. */
int tl__sqlite_error(tl__sqlite *st, int rc, const char *what, tl_err *err);

#endif /* TL_STORE_SQLITE_INT_H */
