/*
 * order_msg.h -- seed 002's order message in, its result out.
 *
 * The message (Redis `orders`, one JSON object):
 *
 *   {"order_id": "TEST_001", "symbol": "BTCUSDT", "side": "BUY", "quantity": 0.001,
 *    "price": 42000.00, "type": "LIMIT", "client_id": "desk-7"}
 *
 *   order_id   required: 1..100 of [A-Za-z0-9._:-] (the seed's ids: "TEST_001"); the idempotency
 *              key of the order, so it must be printable, unambiguous and fit a journal key
 *   symbol     required: the model's symbol syntax (1..15 of [A-Z0-9], tl_symbol_validate)
 *   side       required: BUY or SELL, in any case ("buy")
 *   quantity   required, > 0
 *   price      LIMIT: required, > 0. MARKET: optional (absent or null), > 0 when given: the
 *              reference price the paper venue fills at and the risk rules check
 *   type       optional: LIMIT or MARKET, any case. Absent: LIMIT. The seed's messages carry no
 *              type and always a price, and its executors fill at that price, which is a limit
 *              order's meaning; a MARKET order must say so, so a missing price is never taken
 *              for "at any price" by accident
 *   client_id  optional (absent or null): 1..100 of [A-Za-z0-9._:-], the sender's own reference,
 *              echoed in the result
 *
 * Decimals (quantity, price) are JSON numbers or strings, both exact: a number is re-read from
 * its text (json_num.h), never through a double ("quantity": 0.1 is 0.1; 1e-05 is 0.00001); a
 * string has tl_fixed_parse's grammar ("0.001"). More than 8 decimals is refused, never rounded.
 *
 * Strictness: unknown keys are refused (a typo such as "prcie" must not go unnoticed) unless the
 * caller passes TL_ORDER_MSG_LAX (a publisher that adds its own fields: they are then ignored);
 * duplicate keys, NUL characters, anything but one object, and more than TL_ORDER_MSG_MAX_BYTES
 * are always refused. A refusal returns TL_EINVAL (TL_EPRECISION, TL_ERANGE for a decimal) and a
 * one-line printable reason that starts with the field ("quantity: must be > 0, got 0"); the
 * service answers it as REJECTED with that reason.
 *
 * The result (Redis `order_results`), written by tl_order_result_write with keys in sorted order
 * and money as exact JSON numbers:
 *
 *   {"client_id":"desk-7","client_seq":1,"engine_order_id":"CLI00000001",
 *    "fills":[{"price":42000,"qty":0.001,"trade_id":"T000001"}],"filled_qty":0.001,
 *    "order_id":"TEST_001","reject_reason":null,"side":"BUY","status":"FILLED",
 *    "symbol":"BTCUSDT","ts_done":"2025-01-02T14:30:00.000000001Z",
 *    "ts_received":"2025-01-02T14:30:00Z"}
 *
 * Keys whose value is unknown are null (a message too broken to name its order has "order_id":
 * null), so every result has the same keys.
 */
#ifndef TL_SERVICE_ORDER_MSG_H
#define TL_SERVICE_ORDER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/jsonw.h"
#include "tradeloop/fixed.h"
#include "tradeloop/instrument.h"
#include "tradeloop/order.h"

#define TL_ORDER_MSG_ID_MAX    101         /* order_id and client_id, with NUL */
#define TL_ORDER_MSG_MAX_BYTES (64 * 1024) /* one message; an order is a few hundred bytes */

/* Flags of tl_order_msg_parse. */
#define TL_ORDER_MSG_LAX 1u /* ignore unknown keys instead of refusing them */

typedef struct tl_order_msg {
    char order_id[TL_ORDER_MSG_ID_MAX];  /* NUL-terminated */
    char client_id[TL_ORDER_MSG_ID_MAX]; /* "" when not given */
    char symbol[TL_SYMBOL_MAX];          /* NUL-terminated */
    tl_side side;
    tl_order_type type;
    tl_fixed quantity; /* > 0 */
    tl_fixed price;    /* > 0; 0 only for a MARKET order given without one */
} tl_order_msg;

/* Parses body[0..len) (no NUL needed). 0 with *out filled, or a negative TL_E* code with the
 * reason in err and *out untouched. */
int tl_order_msg_parse(const char *body, size_t len, unsigned flags, tl_order_msg *out,
                       tl_err *err);

/* The order_id of a message that may be refused, so its REJECTED answer can name the order:
 * true when body is a JSON object whose "order_id" is a valid id (copied into id), else false
 * (the answer then carries "order_id": null). */
bool tl_order_msg_peek_id(const char *body, size_t len, char id[TL_ORDER_MSG_ID_MAX]);

/* Checks an order_id or client_id (field names it in the message). */
int tl_order_msg_id_validate(const char *field, const char *s, size_t len, tl_err *err);

/* What became of a message. Stable names: the wire's "status". */
typedef enum tl_order_result_status {
    TL_ORDER_RESULT_FILLED = 0,
    TL_ORDER_RESULT_PARTIALLY_FILLED = 1,
    TL_ORDER_RESULT_REJECTED = 2,
    TL_ORDER_RESULT_DUPLICATE = 3, /* order_id seen before: the fields are the original's */
    TL_ORDER_RESULT_PENDING = 4,   /* accepted, nothing filled yet (a venue that answers later) */
    TL_ORDER_RESULT_DRY_RUN = 5,   /* DRY_RUN=true: validated, not executed */
} tl_order_result_status;

const char *tl_order_result_status_name(int status); /* "FILLED", ...; "?" when out of range */

typedef struct tl_order_result_fill {
    tl_fixed qty, price;
    const char *trade_id; /* borrowed */
} tl_order_result_fill;

/* One result. Every pointer is borrowed for the call; NULL or "" strings and zero ids/times are
 * written as null. */
typedef struct tl_order_result {
    const char *order_id;  /* the message's, NULL when it could not be read */
    const char *client_id; /* the message's, NULL when none */
    const char *symbol;    /* NULL when unknown */
    int side;              /* tl_side, -1 when unknown */
    tl_order_result_status status;
    const tl_order_result_fill *fills;
    size_t n_fills;
    tl_fixed filled_qty;         /* sum of the fills */
    const char *reject_reason;   /* REJECTED: why (the parser's message, a risk rule, the venue) */
    uint64_t client_seq;         /* the engine's sequence number of the order, 0 when none */
    const char *engine_order_id; /* the engine's id ("CLI00000001"), NULL when none */
    int64_t received_ns;         /* when the message arrived (UTC ns) */
    int64_t done_ns;             /* when the outcome became durable */
} tl_order_result;

/* Writes r as one JSON object into w (reset first, so w->buf holds exactly the document, no
 * trailing newline). 0, or TL_ENOMEM (w's sticky error), TL_EINVAL for a status out of range. */
int tl_order_result_write(tl_jw *w, const tl_order_result *r);

#endif /* TL_SERVICE_ORDER_MSG_H */
