/*
 * params.h (internal) -- what every venue backend shares besides the dispatch: reading the
 * "scheme://?key=value&key=value" parameters of its URL, and the fee rule.
 *
 * Both were written once in the simulator; the paper venue needs the same, and so will the live
 * adapters, so they live here to keep one set of error messages and one rounding of fees.
 */
#ifndef TL_VENUE_PARAMS_H
#define TL_VENUE_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop.h"
#include "tradeloop/fixed.h"

/* Called for each parameter, with its index in the key table and its raw value (not
 * NUL-terminated, len bytes). Returns 0 or a negative TL_E* code with err set. */
typedef int (*tl__venue_param_fn)(void *ctx, int key, const char *val, size_t len, tl_err *err);

/* Walks the parameters of url, which must be "<scheme>://" (case-insensitive), optionally
 * followed by "?" and "key=value" pairs joined by '&'. Refuses with TL_EINVAL, the message
 * starting "<scheme>: " and naming what is wrong: another scheme, anything between "//" and "?",
 * an empty parameter, one without '=', a key not in keys[0..nkeys-1], a key given twice (nkeys
 * <= 32). fn is called for each pair in order and may refuse a value. */
int tl__venue_params_each(const char *url, const char *scheme, const char *const *keys, int nkeys,
                          tl__venue_param_fn fn, void *ctx, tl_err *err);

/* Strict unsigned decimal: digits only, no sign, no spaces, no overflow. 0 or TL_EINVAL. */
int tl__venue_parse_u64(const char *s, size_t len, uint64_t *out);

/* "<scheme>: <key>=<value>: <why>" as a TL_EINVAL, the value quoted up to 64 bytes. */
int tl__venue_param_bad(tl_err *err, const char *scheme, const char *key, const char *val,
                        size_t len, const char *why);

/* Fees are in basis points of notional, as a tl_fixed in [0, TL__VENUE_MAX_FEE_BPS]: past 100%
 * a fee is meaningless, and the bound keeps the arithmetic in 128 bits. */
#define TL__VENUE_MAX_FEE_BPS TL_FIXED_INT(10000)
/* The fee's denominator: qty and price are each scaled by 1e8, fee_bps by 1e8, and bps are 1e-4
 * (fee = qty * price * fee_bps / TL__VENUE_FEE_DEN, in tl_fixed units). */
#define TL__VENUE_FEE_DEN ((__int128)TL_FIXED_SCALE * TL_FIXED_SCALE * 10000)

/* Parses a fee_bps value: a decimal in [0, 10000]. 0, or TL_EINVAL with err naming key. */
int tl__venue_parse_fee_bps(const char *scheme, const char *key, const char *val, size_t len,
                            tl_fixed *out, tl_err *err);

/* fee = qty * price * fee_bps / 10000 with one rounding, half away from zero (tl_fixed's rule),
 * exact for every qty, price > 0 and fee_bps in range. 0, or TL_ERANGE when the fee does not fit
 * a tl_fixed. */
int tl__venue_fee(tl_fixed qty, tl_fixed price, tl_fixed fee_bps, tl_fixed *out);

#endif /* TL_VENUE_PARAMS_H */
