/*
 * quote_csv.c -- one line of a quotes file at a time (quote_csv.h).
 */
#include <string.h>

#include "core/text.h"
#include "loop/quote_csv.h"
#include "tradeloop/clock.h"

#define QUOTE_MAX 64
#define TS_MAX    64 /* longer than any valid instant (35 bytes) */
#define QLEN(n)   ((int)((n) < QUOTE_MAX ? (n) : QUOTE_MAX))

int tl_quote_csv_init(tl_quote_csv *r, const char *symbol, tl_fixed spread_bps, tl_err *err)
{
    if (symbol != NULL) {
        int rc = tl_symbol_validate(symbol, err);
        if (rc != 0)
            return rc;
    }
    if (spread_bps < 0 || spread_bps >= TL_QUOTE_CSV_SPREAD_MAX) {
        char b[TL_FIXED_STRLEN];
        tl_fixed_format(spread_bps, b, sizeof b);
        return tl_err_set(err, TL_EINVAL, "spread %s bps out of range (0 to below 20000)", b);
    }
    memset(r, 0, sizeof *r);
    if (symbol != NULL)
        strcpy(r->symbol, symbol); /* validated: at most 15 characters */
    r->spread_bps = spread_bps;
    return 0;
}

static int is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return 0;
    return 1;
}

static int header(tl_quote_csv *r, const char *s, size_t len, tl_err *err)
{
    static const char bom[] = "\xEF\xBB\xBF";
    if (len >= 3 && memcmp(s, bom, 3) == 0) {
        s += 3;
        len -= 3;
    }
    tl_quote_csv_format f = TL_QUOTE_CSV_NONE;
    if (len == strlen(TL_QUOTE_CSV_HEADER_BIDASK) &&
        memcmp(s, TL_QUOTE_CSV_HEADER_BIDASK, len) == 0)
        f = TL_QUOTE_CSV_BIDASK;
    else if (len == strlen(TL_QUOTE_CSV_HEADER_PRICE) &&
             memcmp(s, TL_QUOTE_CSV_HEADER_PRICE, len) == 0)
        f = TL_QUOTE_CSV_PRICE;
    if (f == TL_QUOTE_CSV_NONE)
        return tl_err_set(err, TL_EINVAL, "header: want '%s' or '%s' first, got '%.*s'",
                          TL_QUOTE_CSV_HEADER_BIDASK, TL_QUOTE_CSV_HEADER_PRICE, QLEN(len), s);
    if (f == TL_QUOTE_CSV_PRICE && r->symbol[0] == '\0')
        return tl_err_set(err, TL_EINVAL,
                          "header '%s': this format needs a symbol and a spread from the caller "
                          "(--symbol, --spread-bps)",
                          TL_QUOTE_CSV_HEADER_PRICE);
    if (f == TL_QUOTE_CSV_BIDASK && r->symbol[0] != '\0')
        return tl_err_set(err, TL_EINVAL,
                          "header '%s': the file names its symbols; a symbol (%s) is only for a "
                          "'%s' file",
                          TL_QUOTE_CSV_HEADER_BIDASK, r->symbol, TL_QUOTE_CSV_HEADER_PRICE);
    r->format = f;
    return 0;
}

/* Parses a price column; the message starts with the column's name. */
static int price(const char *name, const char *s, size_t len, tl_fixed *out, tl_err *err)
{
    tl_err inner;
    int rc = tl_fixed_parse(s, len, out, &inner);
    if (rc != 0)
        return tl_err_set(err, rc, "%s: %s", name, inner.msg);
    if (*out <= 0)
        return tl_err_set(err, TL_EINVAL, "%s: must be positive, got '%.*s'", name, QLEN(len), s);
    return 0;
}

static int timestamp(const tl_quote_csv *r, const char *s, size_t len, int64_t *ts, tl_err *err)
{
    char buf[TS_MAX], last[40];
    tl_err inner;
    if (len >= TS_MAX)
        return tl_err_set(err, TL_EINVAL, "timestamp: '%.*s...' too long for an ISO-8601 instant",
                          QLEN(len), s);
    memcpy(buf, s, len);
    buf[len] = '\0';
    int rc = tl_time_parse_iso(buf, ts, &inner);
    if (rc != 0)
        return tl_err_set(err, rc, "timestamp: %s", inner.msg);
    if (r->quotes > 0 && *ts < r->last_ts) {
        tl_time_format_iso(r->last_ts, last, sizeof last);
        return tl_err_set(err, TL_EINVAL, "timestamp %s goes backwards (previous quote: %s)", buf,
                          last);
    }
    return 0;
}

static int line_quote(tl_quote_csv *r, const char *line, size_t len, tl_quote *out, tl_err *err)
{
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (is_blank(line, len))
        return 0;
    /* A NUL would end a field early where it is copied into a C string (the timestamp): a line
     * "2025-01-02T14:30:00Z\0junk,..." would be read as its prefix. */
    const char *nul = memchr(line, '\0', len);
    if (nul)
        return tl_err_set(err, TL_EINVAL, "a NUL byte at column %zu", (size_t)(nul - line) + 1);
    if (r->format == TL_QUOTE_CSV_NONE)
        return header(r, line, len, err);

    size_t want = r->format == TL_QUOTE_CSV_BIDASK ? 4 : 2, ncol = 1;
    for (size_t i = 0; i < len; i++)
        ncol += line[i] == ',';
    if (ncol != want)
        return tl_err_set(err, TL_EINVAL, "want %zu columns (%s), got %zu", want,
                          want == 4 ? TL_QUOTE_CSV_HEADER_BIDASK : TL_QUOTE_CSV_HEADER_PRICE, ncol);
    const char *col[4];
    size_t clen[4], k = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == ',') {
            col[k] = line + start;
            clen[k++] = i - start;
            start = i + 1;
        }
    }

    tl_quote q;
    memset(&q, 0, sizeof q);
    int rc = timestamp(r, col[0], clen[0], &q.ts_ns, err);
    if (rc != 0)
        return rc;
    if (r->format == TL_QUOTE_CSV_BIDASK) {
        if (clen[1] == 0 || clen[1] >= TL_SYMBOL_MAX)
            return tl_err_set(err, TL_EINVAL, "symbol: '%.*s' must be 1..%d of [A-Z0-9]",
                              QLEN(clen[1]), col[1], TL_SYMBOL_MAX - 1);
        memcpy(q.symbol, col[1], clen[1]);
        if ((rc = tl_symbol_validate(q.symbol, err)) != 0 ||
            (rc = price("bid", col[2], clen[2], &q.bid, err)) != 0 ||
            (rc = price("ask", col[3], clen[3], &q.ask, err)) != 0)
            return rc;
        if (q.ask < q.bid)
            return tl_err_set(err, TL_EINVAL, "ask %.*s is below bid %.*s", QLEN(clen[3]), col[3],
                              QLEN(clen[2]), col[2]);
    } else {
        tl_fixed p;
        if ((rc = price("price", col[1], clen[1], &p, err)) != 0)
            return rc;
        /* One exact product and one rounding per side (quote_csv.h). */
        const tl_fixed whole = TL_QUOTE_CSV_SPREAD_MAX;
        if (tl_fixed_muldiv(p, whole - r->spread_bps, whole, &q.bid) != 0 ||
            tl_fixed_muldiv(p, whole + r->spread_bps, whole, &q.ask) != 0)
            return tl_err_set(err, TL_ERANGE, "price: %.*s with the spread is out of range",
                              QLEN(clen[1]), col[1]);
        if (q.bid <= 0)
            return tl_err_set(err, TL_EINVAL, "price: %.*s gives a bid that rounds to 0",
                              QLEN(clen[1]), col[1]);
        memcpy(q.symbol, r->symbol, sizeof q.symbol);
    }
    r->last_ts = q.ts_ns;
    r->quotes++;
    *out = q;
    return 1;
}

int tl_quote_csv_line(tl_quote_csv *r, const char *line, size_t len, tl_quote *out, tl_err *err)
{
    int rc = line_quote(r, line, len, out, err);
    if (rc < 0)
        tl__err_printable(err); /* the messages quote the line's bytes */
    return rc;
}
