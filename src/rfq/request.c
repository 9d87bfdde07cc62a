/*
 * request.c -- `b 1.5 btc btcusdt` into a tl_rfq_request (request.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "rfq/request.h"

#define USAGE "a request is SIDE AMOUNT ASSET SYMBOL, e.g. b 1.5 btc btcusdt"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int tl__rfq_split(const char *line, size_t len, tl__rfq_token *tok)
{
    if (len == (size_t)-1)
        len = strlen(line);
    int n = 0;
    size_t i = 0;
    for (;;) {
        while (i < len && blank(line[i]))
            i++;
        if (i == len || line[i] == '#')
            return n;
        size_t start = i;
        while (i < len && !blank(line[i]))
            i++;
        if (n < TL__RFQ_TOKENS_MAX)
            tok[n] = (tl__rfq_token){line + start, i - start};
        n++;
    }
}

/* Case-insensitive whole-token comparison with a word. */
static bool is_word(const tl__rfq_token *tok, const char *word)
{
    return tok->len == strlen(word) && strncasecmp(tok->s, word, tok->len) == 0;
}

bool tl__rfq_side(const tl__rfq_token *tok, tl_side *side)
{
    if (is_word(tok, "b") || is_word(tok, "buy")) {
        *side = TL_SIDE_BUY;
        return true;
    }
    if (is_word(tok, "s") || is_word(tok, "sell")) {
        *side = TL_SIDE_SELL;
        return true;
    }
    return false;
}

const char *tl__rfq_token_show(const tl__rfq_token *tok, int index, char *buf)
{
    char text[TL_TEXT_SHOW_MAX];
    snprintf(buf, TL__RFQ_TOKEN_SHOW, "token %d '%s'", index,
             tl__text_show(tok->s, tok->len, text, sizeof text));
    return buf;
}

static int amount(const tl__rfq_token *tok, tl_fixed *out, tl_err *err)
{
    char show[TL__RFQ_TOKEN_SHOW];
    tl_fixed v;
    int rc = tl_fixed_parse(tok->s, tok->len, &v, NULL);
    if (rc == TL_EPRECISION)
        return tl_err_set(err, TL_EINVAL, "%s: more than 8 decimals",
                          tl__rfq_token_show(tok, 2, show));
    if (rc == TL_ERANGE)
        return tl_err_set(err, TL_EINVAL, "%s: too large an amount",
                          tl__rfq_token_show(tok, 2, show));
    if (rc != 0)
        return tl_err_set(err, TL_EINVAL, "%s: not an amount (a decimal like 1.5)",
                          tl__rfq_token_show(tok, 2, show));
    if (v <= 0)
        return tl_err_set(err, TL_EINVAL, "%s: the amount must be positive",
                          tl__rfq_token_show(tok, 2, show));
    *out = v;
    return 0;
}

/* Token 4 into r's symbol, base and quote. */
static int symbol(const tl__rfq_token *tok, tl_rfq_request *r, tl_err *err)
{
    char show[TL__RFQ_TOKEN_SHOW];
    bool ok = tok->len < sizeof r->symbol;
    for (size_t i = 0; ok && i < tok->len; i++) {
        char c = tok->s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        r->symbol[i] = c;
    }
    if (!ok)
        return tl_err_set(err, TL_EINVAL, "%s: not a symbol (1..15 letters and digits)",
                          tl__rfq_token_show(tok, 4, show));
    r->symbol[tok->len] = '\0';
    if (tl_pair_parse(r->symbol, r->base, r->quote, NULL) != 0)
        return tl_err_set(err, TL_EINVAL,
                          "%s: not a pair ending in a known quote asset (USDT, USDC, USD, EUR, "
                          "BTC, ETH, ...)",
                          tl__rfq_token_show(tok, 4, show));
    return 0;
}

int tl__rfq_request_tokens(const tl__rfq_token *tok, int n, tl_rfq_request *out, tl_err *err)
{
    char show[TL__RFQ_TOKEN_SHOW];
    tl_rfq_request r;
    memset(&r, 0, sizeof r);
    if (n == 0)
        return tl_err_set(err, TL_EINVAL, "empty request (" USAGE ")");
    if (!tl__rfq_side(&tok[0], &r.side))
        return tl_err_set(err, TL_EINVAL, "%s: not a side (b, buy, s, sell)",
                          tl__rfq_token_show(&tok[0], 1, show));
    int rc;
    if (n >= 2 && (rc = amount(&tok[1], &r.amount, err)) != 0)
        return rc;
    if (n < 4)
        return tl_err_set(err, TL_EINVAL, "token %d missing (%s)", n + 1, USAGE);
    if ((rc = symbol(&tok[3], &r, err)) != 0)
        return rc;
    if (is_word(&tok[2], r.base))
        r.amount_in = TL_PAIR_BASE;
    else if (is_word(&tok[2], r.quote))
        r.amount_in = TL_PAIR_QUOTE;
    else
        return tl_err_set(err, TL_EINVAL, "%s: not an asset of %s (%s or %s)",
                          tl__rfq_token_show(&tok[2], 3, show), r.symbol, r.base, r.quote);
    if (n > 4)
        return tl_err_set(err, TL_EINVAL, "%s: unexpected (%s)",
                          tl__rfq_token_show(&tok[4], 5, show), USAGE);
    *out = r;
    return 0;
}

int tl_rfq_request_parse(const char *line, size_t len, tl_rfq_request *out, tl_err *err)
{
    if (line == NULL)
        return tl_err_set(err, TL_EINVAL, "empty request (" USAGE ")");
    tl__rfq_token tok[TL__RFQ_TOKENS_MAX];
    int n = tl__rfq_split(line, len, tok);
    return tl__rfq_request_tokens(tok, n, out, err);
}
