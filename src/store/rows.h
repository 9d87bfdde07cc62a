/*
 * rows.h -- the one home of "a position or an account as a snapshot row".
 *
 * The journal's snapshot rows, the state digest of a live engine and of a replayed ledger all
 * turn the position book into tl_position_row / tl_account_row; they do it through these
 * functions, so the rows (and so the digests) cannot disagree about what a row holds.
 */
#ifndef TL_STORE_ROWS_H
#define TL_STORE_ROWS_H

#include <stddef.h>

#include "model/position.h"
#include "tradeloop/instrument.h"
#include "tradeloop/store.h"

/* A row from a position (p may be NULL: a flat row). Strings are copied, cut to fit. */
void tl_position_row_set(tl_position_row *r, const char *ws, const char *symbol,
                         const tl_position *p, int64_t ts_ns);
/* A row from an account (a may be NULL: zeros). */
void tl_account_row_set(tl_account_row *r, const char *ws, const tl_account *a, int64_t ts_ns);

/* The account row and every position row of one account of a book, positions named through
 * instruments (ids are indexes into it). *positions is malloc'ed (the caller frees it). */
int tl_rows_from_book(const tl_book *book, uint32_t account, const char *ws,
                      const tl_instruments *instruments, int64_t ts_ns, tl_account_row *acct,
                      tl_position_row **positions, size_t *n, tl_err *err);

#endif /* TL_STORE_ROWS_H */
