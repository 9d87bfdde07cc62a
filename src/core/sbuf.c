/* sbuf.c -- see sbuf.h. */
#include "core/sbuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "tradeloop.h"

void tl_sb_put(tl_sb *b, const char *s, size_t n)
{
    if (b->err)
        return;
    if (TL_VEC_RESERVE(&b->buf, &b->cap, b->len + n + 1) != 0) {
        b->err = TL_ENOMEM;
        return;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void tl_sb_puts(tl_sb *b, const char *s)
{
    tl_sb_put(b, s, strlen(s));
}

void tl_sb_printf(tl_sb *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = b->err ? b->err : TL_EINVAL;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        tl_sb_put(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->err = TL_ENOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    tl_sb_put(b, big, (size_t)n);
    free(big);
}

void tl_sb_int(tl_sb *b, int64_t v)
{
    tl_sb_printf(b, "%" PRId64, v);
}

void tl_sb_xml(tl_sb *b, const char *s)
{
    const char *run = s;
    for (const char *p = s;; p++) {
        const char *ref = NULL;
        switch (*p) {
        case '&': ref = "&amp;"; break;
        case '<': ref = "&lt;"; break;
        case '>': ref = "&gt;"; break;
        case '"': ref = "&quot;"; break;
        case '\'': ref = "&#39;"; break;
        case '\0': break;
        default: continue;
        }
        tl_sb_put(b, run, (size_t)(p - run));
        if (!ref)
            return;
        tl_sb_puts(b, ref);
        run = p + 1;
    }
}

void tl_sb_free(tl_sb *b)
{
    free(b->buf);
    memset(b, 0, sizeof(*b));
}
