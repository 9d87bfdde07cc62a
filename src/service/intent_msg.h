/*
 * intent_msg.h -- the body of seed 003's POST /execute/intents.
 *
 *   {"intent": {"workspace_id": "ws1", "intent_id": "i-1", "action": "OPEN_LONG",
 *               "symbol": "AAPL", "qty": 2},
 *    "fill_price": 101.5, "mode": "paper"}
 *
 *   intent        required, an object:
 *     workspace_id  required string (tl_workspace_validate)
 *     intent_id     required string, [A-Za-z0-9._:-]{1,64}
 *     action        required string, OPEN_LONG or CLOSE_LONG (anything else: the broker's 400)
 *     symbol        required string (tl_symbol_validate)
 *     qty           required decimal > 0
 *     other keys    ignored: a TradeIntent from a policy engine carries its own (evaluation_id,
 *                   reason, ...), which the broker does not act on
 *   fill_price    required decimal > 0 (the paper venue fills there)
 *   mode          optional string, "paper" (default); another mode is TL_ENOTSUP (the API's 400)
 *   other keys    refused: a typo at this level ("fillprice") must not pass unnoticed
 *
 * Decimals are JSON numbers or strings, exact (json_num.h). A refusal is TL_EINVAL (TL_ENOTSUP for
 * the mode, TL_EPRECISION / TL_ERANGE for a decimal) with a one-line reason that starts with the
 * field ("intent.qty: must be > 0, got 0", "fill_price: missing"). The parser checks shape and
 * syntax; the broker's tl_paper_intent_validate checks the rest again (one rule each, in one
 * place: the parser calls the same validators).
 */
#ifndef TL_SERVICE_INTENT_MSG_H
#define TL_SERVICE_INTENT_MSG_H

#include <stddef.h>

#include "paper/broker.h"

#define TL_INTENT_MSG_MAX_BYTES (64 * 1024)

typedef struct tl_intent_msg {
    char workspace[TL_WORKSPACE_MAX];
    char intent_id[TL_PAPER_INTENT_ID_MAX];
    char action[16];
    char symbol[16];
    char mode[16];
    tl_fixed qty, fill_price;
} tl_intent_msg;

/* Parses body[0..len). 0 with *out, or a negative code with the reason in err. */
int tl_intent_msg_parse(const char *body, size_t len, tl_intent_msg *out, tl_err *err);

/* The broker's intent of a parsed message (pointers into m), stamped ts_ns. */
tl_paper_intent tl_intent_msg_intent(const tl_intent_msg *m, int64_t ts_ns);

#endif /* TL_SERVICE_INTENT_MSG_H */
