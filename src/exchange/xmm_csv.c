/* xmm_csv.c -- see xmm.h: a quotes file read into the market makers' price path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "exchange/xmm.h"
#include "loop/quote_csv.h"

/* True when the first non-blank line is the one-price header: such a file is read as symbol's,
 * while a `timestamp,symbol,bid,ask` file names its own symbols (quote_csv.h refuses a symbol
 * given for it). */
static bool one_price_header(const char *line)
{
    if ((unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
        (unsigned char)line[2] == 0xBF)
        line += 3; /* UTF-8 byte order mark */
    size_t n = strlen(TL_QUOTE_CSV_HEADER_PRICE);
    return strncmp(line, TL_QUOTE_CSV_HEADER_PRICE, n) == 0 &&
           (line[n] == '\0' || line[n] == '\r' || line[n] == '\n');
}

static bool blank(const char *s)
{
    s += strspn(s, " \t\r\n");
    return *s == '\0';
}

/* (bid + ask) / 2 rounded half away from zero to tick: round((bid + ask) / (2 tick)) ticks. */
static tl_fixed mid_on_tick(const tl_quote *q, tl_fixed tick)
{
    __int128 sum = (__int128)q->bid + q->ask, den = 2 * (__int128)tick;
    return (tl_fixed)((sum + den / 2) / den * tick);
}

int tl_xmm_csv_load(const char *path, const char *symbol, tl_fixed tick, tl_fixed **mids, size_t *n,
                    tl_err *err)
{
    if (tick <= 0)
        return tl_err_set(err, TL_EINVAL, "%s: a tick must be > 0", path);
    FILE *f = fopen(path, "r");
    if (!f)
        return tl_err_set(err, TL_EIO, "%s: %s", path, strerror(errno));
    tl_quote_csv r;
    bool started = false;
    char *line = NULL;
    size_t line_cap = 0, cap = 0, len = 0;
    tl_fixed *out = NULL;
    uint64_t no = 0;
    ssize_t got;
    int rc = 0;
    tl_err why;
    while (rc == 0 && (got = getline(&line, &line_cap, f)) >= 0) {
        no++;
        if (!started && blank(line))
            continue;
        if (!started) {
            started = true;
            if ((rc = tl_quote_csv_init(&r, one_price_header(line) ? symbol : NULL, 0, err)) != 0)
                break;
        }
        tl_quote q;
        int k = tl_quote_csv_line(&r, line, (size_t)got, &q, &why);
        if (k < 0)
            rc = tl_err_set(err, k, "%s line %llu: %s", path, (unsigned long long)no, why.msg);
        else if (k == 1 && strcmp(q.symbol, symbol) == 0) {
            if (TL_VEC_RESERVE(&out, &cap, len + 1) != 0)
                rc = tl_err_set(err, TL_ENOMEM, "%s: out of memory", path);
            else
                out[len++] = mid_on_tick(&q, tick);
        }
    }
    if (rc == 0 && ferror(f))
        rc = tl_err_set(err, TL_EIO, "%s: read error", path);
    if (rc == 0 && len == 0)
        rc = tl_err_set(err, TL_ENOTFOUND, "%s: no quote of %s", path, symbol);
    free(line);
    fclose(f);
    if (rc != 0) {
        free(out);
        return rc;
    }
    *mids = out;
    *n = len;
    return 0;
}
