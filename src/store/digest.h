/*
 * digest.h -- the state digest: SHA-256 of a canonical dump of positions and cash.
 *
 * Two states are the same exactly when their digests are: the live state of an engine and the
 * state rebuilt by replaying its journal must give the same digest, on every backend. The dump
 * is text in integer units of 1e-8, one line per row, rows sorted by (workspace, symbol):
 *     A|<workspace>|<starting_cash>|<cash>|<realized_pnl>|<fees>\n
 *     P|<workspace>|<symbol>|<qty>|<avg_price>|<realized_pnl>|<fees>\n
 * (accounts first, then positions). Positions that are flat and have never realised anything or
 * paid a fee are left out, so "never traded" and "traded to nothing at no cost" cannot differ.
 */
#ifndef TL_STORE_DIGEST_H
#define TL_STORE_DIGEST_H

#include <stddef.h>

#include "tradeloop/store.h"

#define TL_DIGEST_HEX 65 /* 64 hex digits + NUL */

/* Sorts the rows in place (callers hand over their own arrays) and writes the hex digest. */
int tl_state_digest(tl_account_row *accounts, size_t n_accounts, tl_position_row *positions,
                    size_t n_positions, char hex[TL_DIGEST_HEX], tl_err *err);

#endif /* TL_STORE_DIGEST_H */
