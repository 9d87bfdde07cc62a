/*
 * desk_rows.h (internal) -- what the RFQ desk's rows may hold, decided in one place.
 *
 * The quotes, lp_quotes and executions rows (include/tradeloop/store.h) are written by the desk
 * and read by `tradeloop db` and by people through SQL. The dispatcher (store.c) checks every
 * row of a batch here before any backend sees it, and the backends store and read the enums by
 * the names below, so a name means the same on every backend.
 */
#ifndef TL_STORE_DESK_ROWS_H
#define TL_STORE_DESK_ROWS_H

#include "tradeloop/store.h"

/* Names as stored: "locked", "improved", "expired", "canceled"; NULL for another value. */
const char *tl_quote_event_name(int ev);
/* "quoted", "refused", "late". */
const char *tl_lpq_status_name(int st);
/* "SUCCESS", "FAILED". */
const char *tl_exec_status_name(int st);
/* The value of a stored name (exact bytes), or 0 when it is none of them. */
int tl_quote_event_parse(const char *name);
int tl_lpq_status_parse(const char *name);
int tl_exec_status_parse(const char *name);
/* "BUY" -> TL_SIDE_BUY, "SELL" -> TL_SIDE_SELL; -1 otherwise. */
int tl_desk_side_parse(const char *name);

/* "EYYYYMMDD-HHMMSS-mmm": the shape only (digits where digits go). */
int tl_execution_id_validate(const char *id, tl_err *err);

/* Every desk row of b: texts terminated, ids non-empty printable ASCII, enums known, money and
 * times non-negative where they cannot be negative, execution ids shaped and not repeated
 * within the batch (the store refuses one it holds). TL_EINVAL naming the row and field. */
int tl_desk_rows_check(const tl_store_batch *b, tl_err *err);

#endif /* TL_STORE_DESK_ROWS_H */
