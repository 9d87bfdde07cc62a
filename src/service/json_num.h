/*
 * json_num.h -- exact decimals from JSON numbers.
 *
 * jansson (2.14) turns every number with a fraction or an exponent into a double and keeps no
 * text, so 0.1 is gone by the time the parser sees it. Seed 002's publishers send money as JSON
 * numbers ("quantity": 0.001, "price": 42000.00; Python writes 0.00001 as 1e-05), so refusing
 * reals (as the loop's inputs do) is not an option here. The way out: jansson still validates
 * the document (and, with JSON_DECODE_INT_AS_REAL, never fails on a long integer), and this
 * module re-reads the number's own text from the input. Object members keep their text order in
 * jansson (insertion order, duplicate keys refused), so the i-th member jansson iterates is the
 * i-th member here.
 */
#ifndef TL_SERVICE_JSON_NUM_H
#define TL_SERVICE_JSON_NUM_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop/fixed.h"

#define TL_JSON_MEMBERS_MAX 64 /* members of one object this module indexes */

/* Where a top-level member's value lies in the text, when it is a number or an object or array
 * (nested: a nested object's own members are indexed by calling tl__json_member_numbers on its
 * text); len == 0 for any other value (string, literal). */
typedef struct tl__json_span {
    uint32_t off, len;
    uint32_t nested; /* 1: an object or an array */
} tl__json_span;

/* Indexes the members of the JSON object s[0..len) (already accepted by jansson: the walk only
 * defends itself) into spans[0..*n). TL_EFULL past max members, TL_ECORRUPT when the text is not
 * an object after all (never expected). */
int tl__json_member_numbers(const char *s, size_t len, tl__json_span *spans, size_t max, size_t *n,
                            tl_err *err);

/* The JSON number text s[0..len) (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?) as an exact
 * tl_fixed: TL_EINVAL for anything else, TL_EPRECISION when it needs more than 8 decimals (never
 * rounded: 1e-9 and 0.123456789 are refused, 1.50000000000 is 1.5), TL_ERANGE past TL_FIXED_MAX.
 * *out untouched on error. The message says why, without the field: the caller adds it. */
int tl__json_decimal(const char *s, size_t len, tl_fixed *out, tl_err *err);

/* The decimal member `key` of obj (jansson), whose text is body[0..) indexed into spans: a string
 * (tl_fixed_parse) or the number's own text (tl__json_decimal). 1 when absent or null, 0 with
 * *out, or a negative code whose message starts with `name` (the field as the caller names it,
 * "intent.qty"). */
struct json_t;
int tl__json_get_decimal(struct json_t *obj, const char *key, const char *name, const char *body,
                         const tl__json_span *spans, size_t n_spans, tl_fixed *out, tl_err *err);

#endif /* TL_SERVICE_JSON_NUM_H */
