/*
 * sign.h -- SIGNED request security of the Binance spot API v3: the HMAC-SHA256 signature and
 * the timing check, client and server side.
 *
 * Source: binance/binance-spot-api-docs, rest-api.md "SIGNED Endpoint security", "SIGNED Endpoint
 * Examples for POST /api/v3/order" (HMAC Keys) and "Timing security":
 *  - the signature payload (totalParams) is the query string concatenated, without a separator,
 *    with the request body, exactly as sent (percent-encoded); the signature is the hex of
 *    HMAC-SHA256(secretKey, payload), sent as the `signature` parameter in either of them, and is
 *    not case-sensitive;
 *  - `timestamp` is mandatory (milliseconds, or microseconds); `recvWindow` is optional, a
 *    DECIMAL of milliseconds with up to three decimals (so microseconds), default 5000, at most
 *    60000; a request is processed when
 *        timestamp < serverTime + 1000 ms  &&  serverTime - timestamp <= recvWindow
 *    and refused with -1021 otherwise. The exchange checks that twice: on receipt and just before
 *    the request reaches the matching engine (rest-api.md's pseudo-code; CHANGELOG 2025-08-12).
 *
 * Which timestamps are microseconds the docs do not say; tradeloop reads a value of 10^15 or more
 * as microseconds (that is 2001 in microseconds, the year 33658 in milliseconds) and less as
 * milliseconds. Times here are int64 microseconds since the Unix epoch.
 */
#ifndef TL_BINAPI_SIGN_H
#define TL_BINAPI_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "binapi/errors.h"
#include "binapi/params.h"

#define TL_BAPI_SIG_HEX 64 /* hex digits of a signature; buffers take one more for the NUL */

#define TL_BAPI_RECV_WINDOW_DEFAULT_US 5000000LL          /* 5000 ms */
#define TL_BAPI_RECV_WINDOW_MAX_US     60000000LL         /* 60000 ms */
#define TL_BAPI_AHEAD_US               1000000LL          /* "timestamp < serverTime + 1 second" */
#define TL_BAPI_TS_MICROS_FROM         1000000000000000LL /* 10^15: microseconds from here */

/* Client: the 64 lower-case hex digits (and a NUL) of HMAC-SHA256(secret, query || body) into
 * hex. query and body may be NULL with length 0. 0, or TL_EIO when OpenSSL fails. */
int tl_bapi_sign(const char *secret, size_t secret_len, const char *query, size_t qlen,
                 const char *body, size_t blen, char hex[TL_BAPI_SIG_HEX + 1]);

/* Server: given the raw query string and body as received, finds the one `signature` parameter
 * (in either), takes it out of its string together with one '&' next to it, and checks it
 * against HMAC-SHA256(secret, rest of query || rest of body) in constant time, in any letter
 * case. Refusals: -1102 when no signature was sent (or it is empty), -1101 when it was sent
 * twice, -1022 "Signature for this request is not valid." for a mismatch or a value that is not
 * 64 hex digits. A %-escape in the value is decoded first, as the parameter parser does. */
int tl_bapi_verify(const char *secret, size_t secret_len, const char *query, size_t qlen,
                   const char *body, size_t blen, tl_bapi_err *e);

/* A request's timing parameters, read by tl_bapi_timing_read. */
typedef struct tl_bapi_timing {
    int64_t timestamp_us;   /* the client's timestamp */
    int64_t recv_window_us; /* recvWindow, or the default */
} tl_bapi_timing;

/* Reads timestamp (mandatory LONG: -1102 when missing) and recvWindow (optional DECIMAL: -1111
 * with more than 3 decimals, -1102 "'recvWindow' contains unexpected value. Cannot be greater
 * than 60000." past the maximum) from p, marking them read. t untouched on error. */
int tl_bapi_timing_read(tl_bapi_params *p, tl_bapi_timing *t, tl_bapi_err *e);

/* The check at server time now_us: 0 when timestamp < now + 1 s and now - timestamp <=
 * recvWindow; otherwise -1021, "Timestamp for this request was 1000ms ahead of the server's
 * time." when it is ahead, "Timestamp for this request is outside of the recvWindow." when it
 * is too old. Call it on receipt and again just before the matching engine. */
int tl_bapi_timing_check(const tl_bapi_timing *t, int64_t now_us, tl_bapi_err *e);

#endif /* TL_BINAPI_SIGN_H */
