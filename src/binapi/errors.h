/*
 * errors.h -- the Binance spot API v3 error codes that tradeloop's exchange sends and its live
 * adapter reads, as one const table (code, HTTP status, documented message).
 *
 * Source: binance/binance-spot-api-docs, errors.md ("Error codes for Binance") for codes and
 * messages, rest-api.md "HTTP Return Codes" for the statuses: 4XX for a malformed request, 429
 * for a broken rate limit, 5XX for the server's own failures. The key errors (-2014, -2015) are
 * 401, as web-socket-api.md "Session Authentication" shows for -2015. An error body is
 * {"code":-1121,"msg":"Invalid symbol."} (rest-api.md "Error Codes").
 *
 * The functions of src/binapi return 0 or a negative TL_E* code like the rest of the library;
 * what the wire needs (the Binance code, its HTTP status and message) goes into a caller-supplied
 * tl_bapi_err, as tl_err carries detail for people.
 */
#ifndef TL_BINAPI_ERRORS_H
#define TL_BINAPI_ERRORS_H

#include <stddef.h>

#include "core/jsonw.h"
#include "tradeloop.h"

/* X(name, code, http status, message). The message is the one errors.md gives first, or the one
 * a caller most often sends; codes with several documented messages take theirs through
 * tl_bapi_err_set's format (the TL_BAPI_MSG_* texts below). */
#define TL_BAPI_ERR_MAP(X)                                                                         \
    X(UNKNOWN, -1000, 500, "An unknown error occurred while processing the request.")              \
    X(UNAUTHORIZED, -1002, 401, "You are not authorized to execute this request.")                 \
    X(TOO_MANY_REQUESTS, -1003, 429, "Too many requests queued.")                                  \
    X(INVALID_MESSAGE, -1013, 400,                                                                 \
      "The request is rejected by the API. (i.e. The request didn't reach the Matching Engine.)")  \
    X(TOO_MANY_ORDERS, -1015, 429, "Too many new orders.")                                         \
    X(INVALID_TIMESTAMP, -1021, 400, "Timestamp for this request is outside of the recvWindow.")   \
    X(INVALID_SIGNATURE, -1022, 400, "Signature for this request is not valid.")                   \
    X(ILLEGAL_CHARS, -1100, 400, "Illegal characters found in a parameter.")                       \
    X(TOO_MANY_PARAMETERS, -1101, 400, "Too many parameters sent for this endpoint.")              \
    X(MANDATORY_PARAM_EMPTY_OR_MALFORMED, -1102, 400,                                              \
      "A mandatory parameter was not sent, was empty/null, or malformed.")                         \
    X(UNKNOWN_PARAM, -1103, 400, "An unknown parameter was sent.")                                 \
    X(UNREAD_PARAMETERS, -1104, 400, "Not all sent parameters were read.")                         \
    X(PARAM_EMPTY, -1105, 400, "A parameter was empty.")                                           \
    X(PARAM_NOT_REQUIRED, -1106, 400, "A parameter was sent when not required.")                   \
    X(PARAM_OVERFLOW, -1108, 400, "Parameter overflowed.")                                         \
    X(BAD_PRECISION, -1111, 400, "Parameter has too much precision.")                              \
    X(TIF_NOT_REQUIRED, -1114, 400, "TimeInForce parameter sent when not required.")               \
    X(INVALID_TIF, -1115, 400, "Invalid timeInForce.")                                             \
    X(INVALID_ORDER_TYPE, -1116, 400, "Invalid orderType.")                                        \
    X(INVALID_SIDE, -1117, 400, "Invalid side.")                                                   \
    X(BAD_SYMBOL, -1121, 400, "Invalid symbol.")                                                   \
    X(NEW_ORDER_REJECTED, -2010, 400, "NEW_ORDER_REJECTED")                                        \
    X(CANCEL_REJECTED, -2011, 400, "CANCEL_REJECTED")                                              \
    X(NO_SUCH_ORDER, -2013, 400, "Order does not exist.")                                          \
    X(BAD_API_KEY_FMT, -2014, 401, "API-key format invalid.")                                      \
    X(REJECTED_MBX_KEY, -2015, 401, "Invalid API-key, IP, or permissions for action.")

typedef enum tl_bapi_code {
    TL_BAPI_OK = 0,
#define TL__BAPI_ENUM(name, code, http, msg) TL_BAPI_##name = (code),
    TL_BAPI_ERR_MAP(TL__BAPI_ENUM)
#undef TL__BAPI_ENUM
} tl_bapi_code;

/* The matching engine's messages sent with -2010 / -2011 and the filter failures sent with
 * -1013 (errors.md "Messages for -1010 ERROR_MSG_RECEIVED, -2010 NEW_ORDER_REJECTED, ..." and
 * "Filter failures"). */
#define TL_BAPI_MSG_INSUFFICIENT_BALANCE "Account has insufficient balance for requested action."
#define TL_BAPI_MSG_DUPLICATE_ORDER      "Duplicate order sent."
#define TL_BAPI_MSG_UNKNOWN_ORDER        "Unknown order sent."
#define TL_BAPI_MSG_MARKET_CLOSED        "Market is closed."
#define TL_BAPI_MSG_PRICE_QTY_ZERO       "Price * QTY is zero or less."
#define TL_BAPI_MSG_FILTER_PRICE         "Filter failure: PRICE_FILTER"
#define TL_BAPI_MSG_FILTER_LOT_SIZE      "Filter failure: LOT_SIZE"
#define TL_BAPI_MSG_FILTER_MIN_NOTIONAL  "Filter failure: MIN_NOTIONAL"
#define TL_BAPI_MSG_FILTER_NOTIONAL      "Filter failure: NOTIONAL"
#define TL_BAPI_MSG_FILTER_MARKET_LOT    "Filter failure: MARKET_LOT_SIZE"

/* -1021's second documented message: a timestamp from the future. */
#define TL_BAPI_MSG_TS_AHEAD "Timestamp for this request was 1000ms ahead of the server's time."

#define TL_BAPI_MSG_MAX 256

/* An error as the wire carries it. Caller-allocated; the library only writes into it. */
typedef struct tl_bapi_err {
    int code;                  /* a tl_bapi_code (negative), 0 when none */
    int http;                  /* the HTTP status to answer with (400, 401, 429, 500) */
    char msg[TL_BAPI_MSG_MAX]; /* the message, printable ASCII, no newline */
} tl_bapi_err;

/* One row of the table. */
typedef struct tl_bapi_err_info {
    const char *name; /* "BAD_SYMBOL", errors.md's symbol */
    int code;
    int http;
    const char *msg;
} tl_bapi_err_info;

/* The row of code, or NULL when tradeloop does not use it. */
const tl_bapi_err_info *tl_bapi_err_lookup(int code);

/* Fills e (NULL allowed) with code, its HTTP status and the message: fmt (printf-style) when
 * non-NULL, else the table's. Returns the TL_E* code a function of src/binapi returns with it:
 * TL_EBUSY for a rate limit (-1003, -1015), TL_ENOTFOUND for an unknown order (-2011, -2013),
 * TL_EIO for -1000, TL_EINVAL for every other. A code not in the table is a caller's bug:
 * asserted, and -1000 in release builds. */
int tl_bapi_err_set(tl_bapi_err *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Writes e as the error body {"code":-1121,"msg":"Invalid symbol."} into w (compact, keys in
 * the documented order, no newline). Check w with tl_jw_finish as usual. */
void tl_bapi_err_json(const tl_bapi_err *e, tl_jw *w);

/* The client's inverse: an error body back into e (code, msg; http left 0 for the caller to
 * fill from the response). TL_EINVAL, with err saying why, when body is not an object with an
 * integer "code" (negative) and a string "msg"; other members are ignored. A message longer
 * than the buffer is cut; bytes outside printable ASCII become '?'. e untouched on error. */
int tl_bapi_err_parse(const char *body, size_t len, tl_bapi_err *e, tl_err *err);

#endif /* TL_BINAPI_ERRORS_H */
