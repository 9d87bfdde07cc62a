/* jsonw.c -- see jsonw.h. */
#include "core/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

void tl_jw_init(tl_jw *w)
{
    memset(w, 0, sizeof(*w));
    w->first[0] = true;
}

void tl_jw_free(tl_jw *w)
{
    free(w->buf);
    memset(w, 0, sizeof(*w));
}

void tl_jw_reset(tl_jw *w)
{
    w->len = 0;
    if (w->buf)
        w->buf[0] = '\0';
    w->err = 0;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
}

static void put(tl_jw *w, const char *s, size_t n)
{
    if (w->err)
        return;
    size_t need = w->len + n + 1;
    /* At least 256 bytes from the start, so a one-line document is one allocation. */
    if (need > w->cap && TL_VEC_RESERVE(&w->buf, &w->cap, need < 256 ? 256 : need) != 0) {
        w->err = TL_ENOMEM;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

/* Comma before every value but the first of its container; none right after a key. */
static void sep(tl_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
}

static void open_container(tl_jw *w, char c)
{
    sep(w);
    put(w, &c, 1);
    if (w->depth + 1 >= TL_JW_MAX_DEPTH) {
        w->err = TL_ERANGE;
        return;
    }
    w->depth++;
    w->first[w->depth] = true;
}

static void close_container(tl_jw *w, char c)
{
    if (w->depth > 0)
        w->depth--;
    put(w, &c, 1);
}

void tl_jw_obj_begin(tl_jw *w)
{
    open_container(w, '{');
}

void tl_jw_obj_end(tl_jw *w)
{
    close_container(w, '}');
}

void tl_jw_arr_begin(tl_jw *w)
{
    open_container(w, '[');
}

void tl_jw_arr_end(tl_jw *w)
{
    close_container(w, ']');
}

/* Runs of characters that need no escape go in with one put: the writer's hottest loop (every
 * key and string of every answer), which put one byte at a time before. */
static void put_string(tl_jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    put(w, "\"", 1);
    const unsigned char *run = (const unsigned char *)s, *p = run;
    for (;; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (p > run)
            put(w, (const char *)run, (size_t)(p - run));
        run = p + 1;
        if (c == '\0')
            break;
        switch (c) {
        case '"':
            put(w, "\\\"", 2);
            break;
        case '\\':
            put(w, "\\\\", 2);
            break;
        case '\n':
            put(w, "\\n", 2);
            break;
        case '\r':
            put(w, "\\r", 2);
            break;
        case '\t':
            put(w, "\\t", 2);
            break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(w, esc, 6);
        }
        }
    }
    put(w, "\"", 1);
}

void tl_jw_key(tl_jw *w, const char *key)
{
    sep(w);
    put_string(w, key);
    put(w, ":", 1);
    w->after_key = true;
}

void tl_jw_str(tl_jw *w, const char *s)
{
    sep(w);
    put_string(w, s);
}

/* Decimal digits of u, written backwards ending at end; returns where they start. */
static char *digits(char *end, uint64_t u)
{
    do {
        *--end = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    return end;
}

void tl_jw_int(tl_jw *w, int64_t v)
{
    char b[24], *end = b + sizeof(b);
    char *p = digits(end, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--p = '-';
    sep(w);
    put(w, p, (size_t)(end - p));
}

void tl_jw_uint(tl_jw *w, uint64_t v)
{
    char b[24], *end = b + sizeof(b);
    char *p = digits(end, v);
    sep(w);
    put(w, p, (size_t)(end - p));
}

void tl_jw_fixed(tl_jw *w, tl_fixed v)
{
    char b[TL_FIXED_STRLEN];
    int n = tl_fixed_format(v, b, sizeof(b));
    sep(w);
    if (n < 0) {
        w->err = n;
        return;
    }
    put(w, b, (size_t)n);
}

void tl_jw_bool(tl_jw *w, bool v)
{
    sep(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void tl_jw_raw(tl_jw *w, const char *json, size_t len)
{
    sep(w);
    put(w, json, len);
}

void tl_jw_null(tl_jw *w)
{
    sep(w);
    put(w, "null", 4);
}

void tl_jw_double(tl_jw *w, double v)
{
    if (!isfinite(v)) {
        tl_jw_null(w);
        return;
    }
    char b[32];
    int n = snprintf(b, sizeof(b), "%.6g", v);
    sep(w);
    put(w, b, (size_t)n);
}

int tl_jw_finish(tl_jw *w)
{
    put(w, "\n", 1);
    return w->err;
}
