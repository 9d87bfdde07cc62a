/*
 * batch.h -- one line of a `paper execute-batch` file: intent_id,action,symbol,qty,fill_price.
 *
 * Outside input: every field is checked (numbers exactly, the intent by the paper broker's own
 * validation) and a refusal names the column. Fuzzed by tests/fuzz/fuzz_batch_line.c.
 */
#ifndef TL_APP_BATCH_H
#define TL_APP_BATCH_H

#include <stddef.h>

#include "tradeloop/fixed.h"

#define BATCH_HEADER "intent_id,action,symbol,qty,fill_price"

typedef struct batch_line {
    char *buf;        /* owned copy of the line, split in place */
    const char *f[5]; /* intent_id, action, symbol, qty, fill_price */
    tl_fixed qty, price;
    unsigned long lineno;
} batch_line;

/* Splits bl->buf (owned by bl, NUL-terminated, no line end) in place into its five fields and
 * checks them for workspace ws. 0, or -1 with a message naming the column in why. */
int tl_batch_parse_line(batch_line *bl, const char *ws, char *why, size_t cap);
/* Frees n lines and the array. */
void tl_batch_free(batch_line *v, size_t n);

#endif /* TL_APP_BATCH_H */
