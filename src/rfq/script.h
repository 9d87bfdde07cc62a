/*
 * script.h -- one line the desk reads: a request, a command, or in a script a wait.
 *
 *   b 1.5 btc btcusdt   a request for quote (request.h)
 *   p | proceed         execute the locked quote
 *   c | cancel          stop the stream, back to the prompt
 *   q | quit            leave the desk
 *   wait 2s             scripts only: let simulated time pass (a duration, loop/duration.h)
 *   blank, # comment    nothing (a '#' token also ends any line early)
 *
 * Words are case-insensitive. What to do with a line is the desk's business; this only reads it.
 * A bad line gets a one-line printable message naming the token, and the desk stays up. Pure.
 */
#ifndef TL_RFQ_SCRIPT_H
#define TL_RFQ_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "rfq/request.h"

typedef enum tl_rfq_line_kind {
    TL_RFQ_LINE_NONE = 0, /* blank or a comment */
    TL_RFQ_LINE_REQUEST,
    TL_RFQ_LINE_PROCEED,
    TL_RFQ_LINE_CANCEL,
    TL_RFQ_LINE_QUIT,
    TL_RFQ_LINE_WAIT
} tl_rfq_line_kind;

/* A tagged struct: kind says which member of the union holds. */
typedef struct tl_rfq_line {
    tl_rfq_line_kind kind;
    union {
        tl_rfq_request request; /* TL_RFQ_LINE_REQUEST */
        int64_t wait_ns;        /* TL_RFQ_LINE_WAIT: >= 0 */
    } u;
} tl_rfq_line;

/* "none", "request", "proceed", "cancel", "quit", "wait" */
const char *tl_rfq_line_kind_name(tl_rfq_line_kind kind);

/* Parses line[0..len) ((size_t)-1: NUL-terminated). `script` allows `wait` (the terminal refuses
 * it: time passes there by itself). 0, or TL_EINVAL / TL_ERANGE with the message in err and *out
 * untouched. */
int tl_rfq_line_parse(const char *line, size_t len, bool script, tl_rfq_line *out, tl_err *err);

#endif /* TL_RFQ_SCRIPT_H */
