/*
 * signal.h -- one line of a signals file (`tradeloop run --signals FILE.jsonl`).
 *
 * A line is one JSON object:
 *
 *   {"id": "s-001", "ts": "2025-01-02T14:30:00Z", "account": "va1", "symbol": "USDCHF",
 *    "action": "ENTER_LONG", "qty": "1000", "expected_price": "0.9012"}
 *
 *   id              string, 1..63 printable ASCII characters, no spaces
 *   ts              ISO-8601 UTC (tl_time_parse_iso), fraction optional
 *   account         a virtual account's name: workspace syntax, [A-Za-z0-9._:-]{1,47}
 *   symbol          1..15 of [A-Z0-9]
 *   action          "ENTER_LONG", "ENTER_SHORT" or "EXIT"
 *   qty             positive; required for entries; an EXIT without it (or with null) closes the
 *                   whole position
 *   expected_price  optional (absent or null), positive
 *   limit_price     optional (absent or null), positive, entries only: the entry is a LIMIT GTC
 *                   order at that price (it may rest at the venue) instead of a MARKET order;
 *                   its stop-loss attaches to what fills, as for a market entry
 *
 * Decimals. jansson keeps no number's text: a JSON number with a fraction or an exponent is
 * already a binary double when we see it, and 0.1 is not 0.1. So qty and the prices are
 * accepted as strings ("0.5", exact, at most 8 decimals) or as JSON integers (1000), and a JSON
 * real is refused: "qty: give decimals as a string (\"0.5\"), not a JSON number". Nothing is
 * ever rounded.
 *
 * Strictness: unknown keys and duplicate keys are refused (a typo such as "qyt" must not turn an
 * entry into a signal without quantity), as are NUL characters and anything but one object on
 * the line. Errors name the field and why; the caller adds the source ("signals.jsonl line 7: ").
 */
#ifndef TL_LOOP_SIGNAL_H
#define TL_LOOP_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop/event.h"
#include "tradeloop/fixed.h"
#include "tradeloop/instrument.h"

#define TL_SIGNAL_ID_MAX 64 /* with NUL */

typedef enum tl_signal_action {
    TL_SIGNAL_ENTER_LONG = 1,
    TL_SIGNAL_ENTER_SHORT = 2,
    TL_SIGNAL_EXIT = 3,
} tl_signal_action;

typedef struct tl_signal {
    char id[TL_SIGNAL_ID_MAX];      /* NUL-terminated */
    int64_t ts_ns;                  /* UTC nanoseconds */
    char account[TL_WORKSPACE_MAX]; /* NUL-terminated */
    char symbol[TL_SYMBOL_MAX];     /* NUL-terminated */
    tl_signal_action action;
    tl_fixed qty;            /* > 0, or 0: an EXIT of the whole position */
    tl_fixed expected_price; /* > 0, or 0 when not given */
    tl_fixed limit_price;    /* > 0: a LIMIT GTC entry at it; 0: a MARKET order */
} tl_signal;

/* "ENTER_LONG", "ENTER_SHORT", "EXIT"; "?" for anything else. */
const char *tl_signal_action_name(int action);

/* Parses one line (len bytes, no NUL needed, a trailing "\n" or "\r\n" allowed). Returns 1 with
 * *out filled, 0 for a blank line (only JSON white space: the caller skips it), or a negative
 * TL_E* code with *out untouched. */
int tl_signal_parse(const char *line, size_t len, tl_signal *out, tl_err *err);

#endif /* TL_LOOP_SIGNAL_H */
