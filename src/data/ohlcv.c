/*
 * ohlcv.c -- the OHLCV CSV loader (ohlcv.h): one pass over the mapped file, fields parsed in
 * place by the project's own parsers (tl_fixed_parse, tl_time_parse_iso).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"
#include "core/vec.h"
#include "data/ohlcv.h"
#include "tradeloop/instrument.h"
#include "tradeloop/clock.h"

#define NCOL      6
#define TS_MAX    64 /* longer than any instant tl_time_parse_iso accepts (35 bytes) */
#define QUOTE_MAX 64 /* bytes of a refused field a message shows */
#define QLEN(n)   ((int)((n) < QUOTE_MAX ? (n) : QUOTE_MAX))
#define TIME_STR  40 /* tl_time_format_iso's longest text, with room */

static const char *const col_name[NCOL] = {"timestamp", "open", "high", "low", "close", "volume"};

/* The state of one parse: the series being filled (freed on failure, handed over on success)
 * and where the parse is, for the messages. */
typedef struct parser {
    const char *name;
    size_t line;      /* 1-based number of the line being read */
    size_t prev_line; /* line of the last bar, when bars.n > 0 */
    tl_bars bars;
} parser;

void tl_bars_free(tl_bars *b)
{
    if (b == NULL)
        return;
    free(b->v);
    b->v = NULL;
    b->n = b->cap = 0;
}

/* Fails the parse: "name:line: reason". */
static int fail(const parser *p, tl_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(const parser *p, tl_err *err, int code, const char *fmt, ...)
{
    char why[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return tl_err_set(err, code, "%s:%zu: %s", p->name, p->line, why);
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return 0;
    return 1;
}

/* True when the whole buffer is blank lines: an empty file, said as such. */
static int all_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

static int header(const parser *p, const char *s, size_t n, tl_err *err)
{
    static const char bom[] = "\xEF\xBB\xBF";
    if (n >= 3 && memcmp(s, bom, 3) == 0) {
        s += 3;
        n -= 3;
    }
    if (n == sizeof TL_OHLCV_HEADER - 1 && memcmp(s, TL_OHLCV_HEADER, n) == 0)
        return 0;
    return fail(p, err, TL_EINVAL, "header: want '%s', got '%.*s'", TL_OHLCV_HEADER, QLEN(n), s);
}

static int timestamp(const parser *p, const char *s, size_t n, int64_t *ts, tl_err *err)
{
    char buf[TS_MAX];
    tl_err inner;
    if (n >= TS_MAX)
        return fail(p, err, TL_EINVAL, "timestamp: '%.*s...' is too long for an ISO-8601 instant",
                    QLEN(n), s);
    /* No NUL in s[0..n) (parse_all refused it), so the copy ends where the field does. */
    memcpy(buf, s, n);
    buf[n] = '\0';
    int rc = tl_time_parse_iso(buf, ts, &inner);
    if (rc != 0)
        return fail(p, err, rc, "timestamp: %s", inner.msg);
    if (p->bars.n > 0 && *ts <= p->bars.v[p->bars.n - 1].ts_ns) {
        char prev[TIME_STR];
        tl_time_format_iso(p->bars.v[p->bars.n - 1].ts_ns, prev, sizeof prev);
        return fail(p, err, TL_EINVAL,
                    "timestamp %s %s line %zu's %s (timestamps must strictly "
                    "increase)",
                    buf, *ts < p->bars.v[p->bars.n - 1].ts_ns ? "goes back before" : "repeats",
                    p->prev_line, prev);
    }
    return 0;
}

/* The rules between a bar's values; the message quotes the columns as written. */
static int rules(const parser *p, const tl_bar *b, const char *const *col, const size_t *clen,
                 tl_err *err)
{
    enum { O = 1, H, L, C, V };
    if (b->low <= 0)
        return fail(p, err, TL_EINVAL, "low: must be > 0, got '%.*s'", QLEN(clen[L]), col[L]);
    if (b->high < b->open || b->high < b->close) {
        int k = b->high < b->open ? O : C;
        return fail(p, err, TL_EINVAL, "high %.*s is below %s %.*s (want high >= max(open, close))",
                    QLEN(clen[H]), col[H], col_name[k], QLEN(clen[k]), col[k]);
    }
    if (b->low > b->open || b->low > b->close) {
        int k = b->low > b->open ? O : C;
        return fail(p, err, TL_EINVAL, "low %.*s is above %s %.*s (want low <= min(open, close))",
                    QLEN(clen[L]), col[L], col_name[k], QLEN(clen[k]), col[k]);
    }
    if (b->volume < 0)
        return fail(p, err, TL_EINVAL, "volume: must be >= 0, got '%.*s'", QLEN(clen[V]), col[V]);
    return 0;
}

static int bar_line(parser *p, const char *s, size_t n, tl_err *err)
{
    /* memchr per field: a byte loop here mispredicted a branch per byte (a third of the parse). */
    const char *col[NCOL], *q = s, *end = s + n;
    size_t clen[NCOL], k = 0;
    for (;;) {
        const char *c = memchr(q, ',', (size_t)(end - q));
        if (k == NCOL) { /* one column too many: count them all for the message */
            for (k++; c != NULL; c = memchr(c + 1, ',', (size_t)(end - c - 1)))
                k++;
            break;
        }
        col[k] = q;
        clen[k++] = (size_t)((c != NULL ? c : end) - q);
        if (c == NULL)
            break;
        q = c + 1;
    }
    if (k != NCOL)
        return fail(p, err, TL_EINVAL, "want %d columns (%s), got %zu", NCOL, TL_OHLCV_HEADER, k);

    tl_bar b;
    tl_fixed *val[NCOL] = {NULL, &b.open, &b.high, &b.low, &b.close, &b.volume};
    int rc = timestamp(p, col[0], clen[0], &b.ts_ns, err);
    if (rc != 0)
        return rc;
    for (int c = 1; c < NCOL; c++) {
        tl_err inner;
        if ((rc = tl_fixed_parse(col[c], clen[c], val[c], &inner)) != 0)
            return fail(p, err, rc, "%s: %s", col_name[c], inner.msg);
    }
    if ((rc = rules(p, &b, col, clen, err)) != 0)
        return rc;

    if (p->bars.n == p->bars.cap && TL_VEC_RESERVE(&p->bars.v, &p->bars.cap, p->bars.n + 1) != 0)
        return fail(p, err, TL_ENOMEM, "out of memory after %zu bars", p->bars.n);
    p->bars.v[p->bars.n++] = b;
    p->prev_line = p->line;
    return 0;
}

/* A NUL at line[at]: says in which column. */
static int nul_byte(const parser *p, const char *line, size_t at, tl_err *err)
{
    if (p->line == 1)
        return fail(p, err, TL_EINVAL, "NUL byte in the header (a text file has none)");
    size_t c = 0;
    for (size_t i = 0; i < at; i++)
        c += line[i] == ',';
    if (c >= NCOL)
        return fail(p, err, TL_EINVAL, "NUL byte in column %zu (a text file has none)", c + 1);
    return fail(p, err, TL_EINVAL, "NUL byte in the %s column (a text file has none)", col_name[c]);
}

static int parse_all(parser *p, const char *s, size_t len, tl_err *err)
{
    if (all_blank(s, len))
        return tl_err_set(err, TL_EINVAL, "%s: no bars (empty file)", p->name);
    /* The time parser stops at a NUL, and so does a message quoting a field, so a NUL is
     * refused at its line before either sees it: one search of the whole buffer, not one per
     * line. */
    const char *nul = memchr(s, '\0', len);
    size_t pos = 0, blank = 0; /* blank: the first of a run of empty lines, 0 when none */
    while (pos < len) {
        const char *line = s + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;
        pos += n + (nl != NULL);
        p->line++;
        if (nul != NULL && nul < line + n)
            return nul_byte(p, line, (size_t)(nul - line), err);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        int rc;
        if (p->line == 1) {
            if ((rc = header(p, line, n, err)) != 0)
                return rc;
            continue;
        }
        if (is_blank(line, n)) {
            if (blank == 0)
                blank = p->line;
            continue;
        }
        if (blank != 0) {
            size_t here = p->line;
            p->line = blank;
            return fail(p, err, TL_EINVAL,
                        "empty line before the bar on line %zu (only empty "
                        "lines at the end are ignored)",
                        here);
        }
        if ((rc = bar_line(p, line, n, err)) != 0)
            return rc;
    }
    if (p->bars.n == 0)
        return tl_err_set(err, TL_EINVAL, "%s: no bars (only the header)", p->name);
    return 0;
}

int tl_ohlcv_parse(const char *buf, size_t len, const char *name, tl_bars *out, tl_err *err)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.name = name != NULL ? name : "(buffer)";
    if (buf == NULL && len > 0)
        return tl_err_set(err, TL_EINVAL, "%s: NULL buffer", p.name);
    int rc = parse_all(&p, buf != NULL ? buf : "", len, err);
    if (rc != 0) {
        tl_bars_free(&p.bars);  /* nothing half-filled reaches the caller */
        tl__err_printable(err); /* the messages quote the file's bytes */
        return rc;
    }
    *out = p.bars;
    return 0;
}

int tl_ohlcv_load(const char *path, tl_bars *out, tl_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tl_err_set(err, TL_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return tl_err_set(err, TL_EIO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return tl_err_set(err, TL_EIO, "%s: not a regular file", path);
    }
    if ((uintmax_t)st.st_size > SIZE_MAX) {
        close(fd);
        return tl_err_set(err, TL_EIO, "%s: too large to map", path);
    }
    size_t len = (size_t)st.st_size;
    if (len == 0) { /* mmap refuses a zero length; the parser says what an empty file is */
        close(fd);
        return tl_ohlcv_parse("", 0, path, out, err);
    }
    /* The mapping outlives the descriptor. A file cut short while mapped would fault (SIGBUS):
     * data files are not written while a backtest reads them. */
    void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (m == MAP_FAILED)
        return tl_err_set(err, TL_EIO, "%s: cannot map: %s", path, strerror(e));
    (void)madvise(m, len, MADV_SEQUENTIAL); /* a hint: read-ahead for the one pass */
    int rc = tl_ohlcv_parse(m, len, path, out, err);
    munmap(m, len);
    return rc;
}

void tl_ohlcv_symbol_of_path(const char *path, char *sym, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strcspn(base, "_.");
    sym[0] = '\0';
    if (n == 0 || n >= cap)
        return;
    for (size_t i = 0; i < n; i++)
        sym[i] = (char)toupper((unsigned char)base[i]);
    sym[n] = '\0';
    if (tl_symbol_validate(sym, NULL) != 0)
        sym[0] = '\0';
}
