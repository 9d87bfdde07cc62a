/*
 * jsonw.h -- a small JSON writer for reports.
 *
 * Reports must be byte-reproducible and print money exactly ("-0.0085", not -0.00850000000000001),
 * which a general JSON library's double formatting cannot promise; so output goes through this
 * writer, which prints tl_fixed values as exact decimal numbers and never reorders anything: the
 * caller writes keys in sorted order. Separators are compact (',' and ':'). Parsing JSON is left
 * to jansson.
 *
 * Errors are sticky: after an allocation failure every call is a no-op and tl_jw_finish reports
 * TL_ENOMEM, so callers write a whole document and check once.
 */
#ifndef TL_CORE_JSONW_H
#define TL_CORE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tradeloop/fixed.h"

#define TL_JW_MAX_DEPTH 32

typedef struct tl_jw {
    char *buf; /* owned, NUL-terminated */
    size_t len, cap;
    int err;
    int depth;
    bool first[TL_JW_MAX_DEPTH]; /* no value written yet at this depth */
    bool after_key;
} tl_jw;

void tl_jw_init(tl_jw *w);
void tl_jw_free(tl_jw *w);
void tl_jw_reset(tl_jw *w);

void tl_jw_obj_begin(tl_jw *w);
void tl_jw_obj_end(tl_jw *w);
void tl_jw_arr_begin(tl_jw *w);
void tl_jw_arr_end(tl_jw *w);
void tl_jw_key(tl_jw *w, const char *key);
void tl_jw_str(tl_jw *w, const char *s);
void tl_jw_int(tl_jw *w, int64_t v);
void tl_jw_uint(tl_jw *w, uint64_t v);
void tl_jw_fixed(tl_jw *w, tl_fixed v); /* exact shortest decimal */
void tl_jw_bool(tl_jw *w, bool v);
void tl_jw_null(tl_jw *w);
/* A value already serialised as JSON (len bytes, e.g. a canonical object), written as it is: the
 * caller vouches for it. */
void tl_jw_raw(tl_jw *w, const char *json, size_t len);
/* A double for statistics, %.6g-style, never money; NaN/inf become null. */
void tl_jw_double(tl_jw *w, double v);
/* A key and its value, the pair every sorted-by-hand writer repeats. */
static inline void tl_jw_kv_str(tl_jw *w, const char *key, const char *v)
{
    tl_jw_key(w, key);
    tl_jw_str(w, v);
}
static inline void tl_jw_kv_int(tl_jw *w, const char *key, int64_t v)
{
    tl_jw_key(w, key);
    tl_jw_int(w, v);
}
static inline void tl_jw_kv_uint(tl_jw *w, const char *key, uint64_t v)
{
    tl_jw_key(w, key);
    tl_jw_uint(w, v);
}
static inline void tl_jw_kv_fixed(tl_jw *w, const char *key, tl_fixed v)
{
    tl_jw_key(w, key);
    tl_jw_fixed(w, v);
}
static inline void tl_jw_kv_bool(tl_jw *w, const char *key, bool v)
{
    tl_jw_key(w, key);
    tl_jw_bool(w, v);
}

/* Appends a trailing newline; returns 0 or the sticky error. The text stays in w->buf. */
int tl_jw_finish(tl_jw *w);

#endif /* TL_CORE_JSONW_H */
