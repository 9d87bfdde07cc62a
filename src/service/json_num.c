/*
 * json_num.c -- exact decimals from JSON numbers (json_num.h).
 */
#include <jansson.h>
#include <string.h>

#include "loop/json_in.h"
#include "service/json_num.h"

static size_t skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

/* Past the string starting at s[i] == '"'; len when it does not end. */
static size_t skip_string(const char *s, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (s[i] == '\\')
            i++; /* the escaped character, whatever it is: \" must not end the string */
        else if (s[i] == '"')
            return i + 1;
    }
    return len;
}

/* Past the array or object starting at s[i]; strings inside may hold brackets. */
static size_t skip_nested(const char *s, size_t len, size_t i)
{
    size_t depth = 0;
    while (i < len) {
        char c = s[i];
        if (c == '"') {
            i = skip_string(s, len, i);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return i + 1;
        i++;
    }
    return len;
}

static int is_num_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

int tl__json_member_numbers(const char *s, size_t len, tl__json_span *spans, size_t max, size_t *n,
                            tl_err *err)
{
    size_t i = skip_ws(s, len, 0), count = 0;
    if (i >= len || s[i] != '{')
        return tl_err_set(err, TL_ECORRUPT, "not a JSON object");
    i = skip_ws(s, len, i + 1);
    if (i < len && s[i] == '}') {
        *n = 0;
        return 0;
    }
    for (;;) {
        if (i >= len || s[i] != '"')
            return tl_err_set(err, TL_ECORRUPT, "member %zu: no key", count + 1);
        i = skip_ws(s, len, skip_string(s, len, i));
        if (i >= len || s[i] != ':')
            return tl_err_set(err, TL_ECORRUPT, "member %zu: no ':'", count + 1);
        i = skip_ws(s, len, i + 1);
        if (i >= len)
            return tl_err_set(err, TL_ECORRUPT, "member %zu: no value", count + 1);
        if (count == max)
            return tl_err_set(err, TL_EFULL, "more than %zu keys", max);
        tl__json_span sp = {0, 0};
        if (s[i] == '"') {
            i = skip_string(s, len, i);
        } else if (s[i] == '{' || s[i] == '[') {
            size_t j = skip_nested(s, len, i);
            if (j - i > UINT32_MAX || i > UINT32_MAX)
                return tl_err_set(err, TL_ERANGE, "member %zu: value too long", count + 1);
            sp.off = (uint32_t)i;
            sp.len = (uint32_t)(j - i);
            sp.nested = 1;
            i = j;
        } else if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
            size_t j = i;
            while (j < len && is_num_char(s[j]))
                j++;
            if (j - i > UINT32_MAX || i > UINT32_MAX)
                return tl_err_set(err, TL_ERANGE, "member %zu: number too long", count + 1);
            sp.off = (uint32_t)i;
            sp.len = (uint32_t)(j - i);
            i = j;
        } else {
            while (i < len && s[i] >= 'a' && s[i] <= 'z') /* true, false, null */
                i++;
        }
        spans[count++] = sp;
        i = skip_ws(s, len, i);
        if (i < len && s[i] == ',') {
            i = skip_ws(s, len, i + 1);
            continue;
        }
        if (i < len && s[i] == '}')
            break;
        return tl_err_set(err, TL_ECORRUPT, "member %zu: no ',' or '}' after it", count);
    }
    *n = count;
    return 0;
}

/* Numbers are quoted whole up to 40 characters (the text is ASCII: the caller found it in a
 * document jansson accepted, or it is refused as not a number first). */
#define SHOW(n) ((int)((n) < 40 ? (n) : 40))

static int bad_number(const char *s, size_t len, tl_err *err)
{
    for (size_t i = 0; i < len && i < 40; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return tl_err_set(err, TL_EINVAL, "not a JSON number");
    return tl_err_set(err, TL_EINVAL, "'%.*s' is not a JSON number", SHOW(len), s);
}

int tl__json_decimal(const char *s, size_t len, tl_fixed *out, tl_err *err)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    /* The digits of the mantissa, integer part then fraction, as one run without the point: the
     * value is digits * 10^-(frac - exp). Leading zeros are skipped as they come; trailing zeros
     * are counted, so 1.50000000000 needs one decimal, not eleven. */
    size_t int_start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (int_end == int_start || (s[int_start] == '0' && int_end - int_start > 1))
        return bad_number(s, len, err);
    if (i < len && s[i] == '.') {
        frac_start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        frac_end = i;
        if (frac_end == frac_start)
            return bad_number(s, len, err);
    }
    int64_t exp = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        size_t e0 = i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            if (exp < 1000000) /* past this the answer is known: range or precision */
                exp = exp * 10 + (s[i] - '0');
        if (i == e0)
            return bad_number(s, len, err);
        if (eneg)
            exp = -exp;
    }
    if (i != len)
        return bad_number(s, len, err);

    /* The mantissa's digits m[0..L) are the integer part then the fraction, the point dropped:
     * the value is m * 10^(exp - nfrac). Only m[a..b], first to last non-zero digit, matters: it
     * is sig * 10^(L-1-b), so the fixed value (1e8 units) is sig * 10^k with the k below. */
    size_t nint = int_end - int_start, nfrac = frac_end - frac_start, L = nint + nfrac;
#define M(x) ((x) < nint ? s[int_start + (x)] : s[frac_start + (x)-nint])
    size_t a = 0, b = L;
    while (a < L && M(a) == '0')
        a++;
    if (a == L) {
        *out = 0;
        return 0;
    }
    while (M(b - 1) == '0')
        b--;
    b--; /* the last non-zero digit */
    int64_t k = TL_FIXED_DECIMALS + (int64_t)(L - 1 - b) - (int64_t)nfrac + exp;
    if (k < 0)
        return tl_err_set(err, TL_EPRECISION, "decimal %.*s has more than %d decimals", SHOW(len),
                          s, TL_FIXED_DECIMALS);
    if ((int64_t)(b - a + 1) + k > 19)
        return tl_err_set(err, TL_ERANGE, "decimal %.*s out of range (max +/-92233720368.54775807)",
                          SHOW(len), s);
    __int128 v = 0;
    for (size_t d = a; d <= b; d++)
        v = v * 10 + (M(d) - '0');
#undef M
    for (int64_t p = 0; p < k; p++)
        v *= 10;
    if (v > TL_FIXED_MAX)
        return tl_err_set(err, TL_ERANGE, "decimal %.*s out of range (max +/-92233720368.54775807)",
                          SHOW(len), s);
    *out = neg ? -(tl_fixed)v : (tl_fixed)v;
    return 0;
}

int tl__json_get_decimal(json_t *obj, const char *key, const char *name, const char *body,
                         const tl__json_span *spans, size_t n_spans, tl_fixed *out, tl_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return 1;
    tl_err inner;
    int rc;
    if (json_is_string(v)) {
        rc = tl_fixed_parse(json_string_value(v), json_string_length(v), out, &inner);
    } else if (json_is_number(v)) {
        /* Find the member's index: iteration follows the text's order (json_num.h). */
        size_t idx = 0;
        const char *k;
        json_t *x;
        json_object_foreach(obj, k, x)
        {
            if (x == v)
                break;
            idx++;
        }
        if (idx >= n_spans || spans[idx].len == 0) /* NEVER: jansson and the walk disagree */
            return tl_err_set(err, TL_ECORRUPT, "%s: number text not found", name);
        rc = tl__json_decimal(body + spans[idx].off, spans[idx].len, out, &inner);
    } else {
        return tl_err_set(err, TL_EINVAL, "%s: want a decimal (number or string), got %s", name,
                          tl__json_type_name(v));
    }
    if (rc != 0)
        return tl_err_set(err, rc, "%s: %s", name, inner.msg);
    return 0;
}
