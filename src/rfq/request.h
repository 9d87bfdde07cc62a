/*
 * request.h -- the desk's request for quote: `b 1.5 btc btcusdt` (issue 9, "The desk").
 *
 * Four tokens separated by blanks: the client's side (b, buy, s, sell), the amount (an exact
 * positive decimal, at most 8 decimals, no exponent), the asset the amount is in (the base or the
 * quote asset of the symbol) and the symbol (a pair whose quote asset pair.h knows). Words are
 * case-insensitive; the symbol is kept in upper case. A token that starts with '#' starts a
 * comment to the end of the line. A bad request gets a one-line printable message that names the
 * token: "token 3 'eth': not an asset of BTCUSDT (BTC or USDT)". Pure: no I/O, no allocation.
 */
#ifndef TL_RFQ_REQUEST_H
#define TL_RFQ_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "rfq/pair.h"
#include "tradeloop/fixed.h"
#include "tradeloop/instrument.h"
#include "tradeloop/order.h"

typedef struct tl_rfq_request {
    tl_side side;                  /* the client's */
    tl_fixed amount;               /* > 0 */
    tl_pair_leg amount_in;         /* which asset of the symbol the amount is in */
    char symbol[TL_SYMBOL_MAX];    /* "BTCUSDT" */
    char base[TL_PAIR_ASSET_MAX];  /* "BTC" */
    char quote[TL_PAIR_ASSET_MAX]; /* "USDT" */
} tl_rfq_request;

/* Parses line[0..len) ((size_t)-1: NUL-terminated; a trailing "\r\n" is blank). 0, or TL_EINVAL
 * with the message in err and *out untouched. */
int tl_rfq_request_parse(const char *line, size_t len, tl_rfq_request *out, tl_err *err);

/* Shared with script.c, which reads the same lines. */
#define TL__RFQ_TOKENS_MAX 6
typedef struct tl__rfq_token {
    const char *s;
    size_t len;
} tl__rfq_token;
/* Splits a line at blanks up to a comment; stores the first TL__RFQ_TOKENS_MAX tokens and returns
 * how many there are in all. */
int tl__rfq_split(const char *line, size_t len, tl__rfq_token *tok);
/* Whether tok is a side word; *side gets it. */
bool tl__rfq_side(const tl__rfq_token *tok, tl_side *side);
/* The request from a split line of n tokens (the messages of tl_rfq_request_parse). */
int tl__rfq_request_tokens(const tl__rfq_token *tok, int n, tl_rfq_request *out, tl_err *err);
/* "token N 'text'" into buf (with text printable, cut when long); returns buf. */
#define TL__RFQ_TOKEN_SHOW 64
const char *tl__rfq_token_show(const tl__rfq_token *tok, int index, char *buf);

#endif /* TL_RFQ_REQUEST_H */
