/*
 * params.h -- the parameters of a Binance spot API v3 request, both ways: the server parses a
 * query string and an application/x-www-form-urlencoded body into a bounded table and reads typed
 * values from it with the documented errors; the client builds a percent-encoded query.
 *
 * The rules (binance/binance-spot-api-docs, rest-api.md "General Information on Endpoints"):
 * parameters come in the query string or the body, in any order, mixed if the client likes; one
 * sent in both is taken from the query string. Within one of them a repeated name is -1101
 * "Duplicate values for a parameter detected." (errors.md). Types are rest-api.md's: DECIMAL,
 * LONG, ENUM (enums.md), STRING.
 *
 * Decoding is form decoding: '+' is a space, %XX a byte; pairs are separated by '&' (empty pairs
 * skipped), a pair without '=' has an empty value. Names are printable ASCII. Values are kept as
 * decoded bytes and checked by the getter that reads them, which says the documented error.
 *
 * Every getter marks what it reads, so tl_bapi_params_unread can refuse a request that sent more
 * than the endpoint reads (-1104), as Binance does.
 */
#ifndef TL_BINAPI_PARAMS_H
#define TL_BINAPI_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binapi/errors.h"
#include "tradeloop/fixed.h"

#define TL_BAPI_PARAMS_MAX 32  /* parameters in one request (POST /api/v3/order has 22) */
#define TL_BAPI_KEY_MAX    32  /* a name, with NUL: longer names are no parameter (-1103) */
#define TL_BAPI_VALUE_MAX  128 /* a decoded value, with NUL: longer is refused (-1100) */
#define TL_BAPI_SYMBOL_MAX 21  /* a symbol, with NUL: '^[A-Z0-9-_.]{1,20}$' */

/* One parameter, decoded. */
typedef struct tl_bapi_param {
    char key[TL_BAPI_KEY_MAX];     /* NUL-terminated, printable ASCII */
    char value[TL_BAPI_VALUE_MAX]; /* NUL-terminated; no NUL inside (refused) */
    uint16_t vlen;                 /* strlen(value) */
    bool from_body;                /* sent in the body rather than the query string */
    bool read;                     /* a getter (or tl_bapi_params_find) read it */
} tl_bapi_param;

/* Caller-allocated (about 5 KiB: a stack variable is fine); no heap. */
typedef struct tl_bapi_params {
    tl_bapi_param items[TL_BAPI_PARAMS_MAX]; /* in the order sent, query first */
    uint32_t count;
} tl_bapi_params;

void tl_bapi_params_init(tl_bapi_params *p);

/* Parses query[0..qlen) then body[0..blen) (either may be NULL with length 0; the '?' is not part
 * of the query) into p, replacing its content. Refusals, with e filled and p emptied:
 *   -1100 a bad %-escape, a NUL, a name that is not printable ASCII or empty, a value longer
 *         than TL_BAPI_VALUE_MAX - 1 bytes;
 *   -1101 more than TL_BAPI_PARAMS_MAX parameters, or a name repeated within the query string or
 *         within the body;
 *   -1103 a name longer than TL_BAPI_KEY_MAX - 1.
 * A name in both the query string and the body keeps the query string's value. */
int tl_bapi_params_parse(tl_bapi_params *p, const char *query, size_t qlen, const char *body,
                         size_t blen, tl_bapi_err *e);

/* The parameter named key (exact, case-sensitive), marked read; NULL when not sent. */
tl_bapi_param *tl_bapi_params_find(tl_bapi_params *p, const char *key);

/* -1104 "Not all sent parameters were read; read 'N' parameter(s) but was sent 'M'." when a
 * parameter was never read: the endpoint's last check. */
int tl_bapi_params_unread(const tl_bapi_params *p, tl_bapi_err *e);

/*
 * Typed getters. Each takes mandatory: a mandatory parameter not sent, or sent empty, is -1102
 * "Mandatory parameter 'x' was not sent, was empty/null, or malformed."; an optional one not sent
 * is 0 with *present false and *out untouched (present may be NULL for a mandatory one); an
 * optional one sent empty is -1105 "Parameter 'x' was empty.". On any error *out is untouched.
 */

/* DECIMAL into tl_fixed. The text must match rest-api's '^([0-9]{1,20})(\.[0-9]{1,20})?$', else
 * -1100 "Illegal characters found in parameter 'price'; legal range is '...'." (so no sign, no
 * exponent, no spaces); a non-zero digit past the 8th decimal is -1111 "Parameter 'price' has
 * too much precision." (trailing zeros are exact and accepted); past TL_FIXED_MAX is -1108
 * "Parameter 'price' overflowed.". */
int tl_bapi_params_fixed(tl_bapi_params *p, const char *key, bool mandatory, tl_fixed *out,
                         bool *present, tl_bapi_err *e);

/* LONG: '^[0-9]{1,20}$' (-1100 otherwise), at most INT64_MAX (-1108 otherwise). */
int tl_bapi_params_int64(tl_bapi_params *p, const char *key, bool mandatory, int64_t *out,
                         bool *present, tl_bapi_err *e);

/* STRING: any bytes but control characters (-1100), 1..TL_BAPI_VALUE_MAX-1 of them; *out points
 * into p. */
int tl_bapi_params_str(tl_bapi_params *p, const char *key, bool mandatory, const char **out,
                       bool *present, tl_bapi_err *e);

/* enums.md "Order side (side)". */
typedef enum tl_bapi_side { TL_BAPI_BUY = 1, TL_BAPI_SELL } tl_bapi_side;
/* enums.md "Order types (orderTypes, type)": all seven are parsed; an exchange refuses the ones it
 * does not trade with its own error. */
typedef enum tl_bapi_type {
    TL_BAPI_LIMIT = 1,
    TL_BAPI_MARKET,
    TL_BAPI_STOP_LOSS,
    TL_BAPI_STOP_LOSS_LIMIT,
    TL_BAPI_TAKE_PROFIT,
    TL_BAPI_TAKE_PROFIT_LIMIT,
    TL_BAPI_LIMIT_MAKER
} tl_bapi_type;
/* enums.md "Time in force (timeInForce)". */
typedef enum tl_bapi_tif { TL_BAPI_GTC = 1, TL_BAPI_IOC, TL_BAPI_FOK } tl_bapi_tif;

/* The enums, exact upper case as enums.md writes them. A value outside the enum is -1117
 * "Invalid side.", -1116 "Invalid orderType.", -1115 "Invalid timeInForce.". The parameter names
 * are the documented ones: side, type, timeInForce. */
int tl_bapi_params_side(tl_bapi_params *p, bool mandatory, tl_bapi_side *out, bool *present,
                        tl_bapi_err *e);
int tl_bapi_params_type(tl_bapi_params *p, bool mandatory, tl_bapi_type *out, bool *present,
                        tl_bapi_err *e);
int tl_bapi_params_tif(tl_bapi_params *p, bool mandatory, tl_bapi_tif *out, bool *present,
                       tl_bapi_err *e);
/* The wire names: "BUY", "LIMIT", "GTC" (NULL for a value outside the enum). */
const char *tl_bapi_side_name(tl_bapi_side s);
const char *tl_bapi_type_name(tl_bapi_type t);
const char *tl_bapi_tif_name(tl_bapi_tif t);

/* symbol: '^[A-Z0-9-_.]{1,20}$' as Binance states it (-1100 otherwise) into out. Whether the
 * exchange lists it (-1121 "Invalid symbol.") is the exchange's question. */
int tl_bapi_params_symbol(tl_bapi_params *p, bool mandatory, char out[TL_BAPI_SYMBOL_MAX],
                          bool *present, tl_bapi_err *e);

/*
 * The client side: a query string (or form body) built into the caller's buffer. Names and
 * values are percent-encoded (everything but RFC 3986's unreserved A-Z a-z 0-9 - . _ ~, as
 * %XX upper case), so the signed text is exactly the text sent (rest-api.md: "Any non-ASCII
 * character must be percent-encoded before signing."). Errors are sticky: a value that does not
 * fit makes every later call a no-op and tl_bapi_query_finish say TL_ERANGE.
 */
typedef struct tl_bapi_query {
    char *buf;  /* borrowed, cap bytes; always NUL-terminated */
    size_t cap; /* >= 1 */
    size_t len;
    int err;
} tl_bapi_query;

void tl_bapi_query_init(tl_bapi_query *q, char *buf, size_t cap);
void tl_bapi_query_str(tl_bapi_query *q, const char *key, const char *value);
void tl_bapi_query_int(tl_bapi_query *q, const char *key, int64_t value);
/* The shortest exact decimal, no trailing zeros: 0.1, 42000, 0.00000001. */
void tl_bapi_query_fixed(tl_bapi_query *q, const char *key, tl_fixed value);
/* q->len (>= 0), or TL_ERANGE when something did not fit (buf then holds what did, whole pairs
 * only). */
int tl_bapi_query_finish(const tl_bapi_query *q);

#endif /* TL_BINAPI_PARAMS_H */
