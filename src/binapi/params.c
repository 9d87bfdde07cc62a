/*
 * params.c -- request parameters: form decoding, the typed getters, the query builder
 * (params.h).
 */
#include <stdio.h>
#include <string.h>

#include "binapi/params.h"

/* The legal ranges Binance states in its -1100 messages. */
#define DECIMAL_RANGE "^([0-9]{1,20})(\\.[0-9]{1,20})?$"
#define LONG_RANGE    "^[0-9]{1,20}$"
#define SYMBOL_RANGE  "^[A-Z0-9-_.]{1,20}$"

void tl_bapi_params_init(tl_bapi_params *p)
{
    p->count = 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Form-decodes s[0..n) into out (cap bytes with the NUL). Returns the decoded length, -1 for a
 * bad escape or a NUL, -2 when it does not fit. */
static long decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (n - i < 3)
                return -1;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0)
            return -1;
        if (o + 1 >= cap)
            return -2;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return (long)o;
}

/* Pairs in s[0..n), empty ones not counted. */
static uint32_t count_pairs(const char *s, size_t n)
{
    uint32_t c = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || s[i] == '&') {
            c += i > start;
            start = i + 1;
        }
    return c;
}

static tl_bapi_param *find_in(tl_bapi_params *p, const char *key, uint32_t from, uint32_t to)
{
    for (uint32_t i = from; i < to; i++)
        if (strcmp(p->items[i].key, key) == 0)
            return &p->items[i];
    return NULL;
}

/* One source's pairs into p. first: index of this source's first item (duplicates are looked
 * for within the source; a body name the query string already has is skipped). */
static int parse_source(tl_bapi_params *p, const char *s, size_t n, bool body, tl_bapi_err *e)
{
    uint32_t first = p->count;
    size_t start = 0;
    if (n == 0)
        return 0; /* s may be NULL */
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '&')
            continue;
        const char *pair = s + start;
        size_t plen = i - start;
        start = i + 1;
        if (plen == 0)
            continue;
        const char *eq = memchr(pair, '=', plen);
        size_t klen = eq ? (size_t)(eq - pair) : plen;
        tl_bapi_param it;
        long kl = decode(pair, klen, it.key, sizeof it.key);
        if (kl == -2)
            return tl_bapi_err_set(e, TL_BAPI_UNKNOWN_PARAM, NULL);
        if (kl <= 0)
            return tl_bapi_err_set(e, TL_BAPI_ILLEGAL_CHARS, NULL);
        for (long k = 0; k < kl; k++)
            if ((unsigned char)it.key[k] < 0x21 || (unsigned char)it.key[k] > 0x7e)
                return tl_bapi_err_set(e, TL_BAPI_ILLEGAL_CHARS, NULL);
        long vl = eq ? decode(eq + 1, plen - klen - 1, it.value, sizeof it.value) : 0;
        if (!eq)
            it.value[0] = '\0';
        if (vl == -2)
            return tl_bapi_err_set(e, TL_BAPI_ILLEGAL_CHARS,
                                   "Illegal characters found in parameter '%s'; legal range is "
                                   "'^.{0,%d}$'.",
                                   it.key, TL_BAPI_VALUE_MAX - 1);
        if (vl < 0)
            return tl_bapi_err_set(e, TL_BAPI_ILLEGAL_CHARS, NULL);
        if (find_in(p, it.key, first, p->count) != NULL)
            return tl_bapi_err_set(e, TL_BAPI_TOO_MANY_PARAMETERS,
                                   "Duplicate values for a parameter detected.");
        if (body && find_in(p, it.key, 0, first) != NULL)
            continue; /* rest-api.md: "the query string parameter will be used" */
        it.vlen = (uint16_t)vl;
        it.from_body = body;
        it.read = false;
        p->items[p->count++] = it; /* room: the pairs were counted first */
    }
    return 0;
}

int tl_bapi_params_parse(tl_bapi_params *p, const char *query, size_t qlen, const char *body,
                         size_t blen, tl_bapi_err *e)
{
    p->count = 0;
    uint32_t n = count_pairs(query, qlen) + count_pairs(body, blen);
    if (n > TL_BAPI_PARAMS_MAX)
        return tl_bapi_err_set(e, TL_BAPI_TOO_MANY_PARAMETERS,
                               "Too many parameters; expected '%d' and received '%u'.",
                               TL_BAPI_PARAMS_MAX, n);
    int rc = parse_source(p, query, qlen, false, e);
    if (rc == 0)
        rc = parse_source(p, body, blen, true, e);
    if (rc != 0)
        p->count = 0;
    return rc;
}

tl_bapi_param *tl_bapi_params_find(tl_bapi_params *p, const char *key)
{
    tl_bapi_param *it = find_in(p, key, 0, p->count);
    if (it != NULL)
        it->read = true;
    return it;
}

int tl_bapi_params_unread(const tl_bapi_params *p, tl_bapi_err *e)
{
    uint32_t read = 0;
    for (uint32_t i = 0; i < p->count; i++)
        read += p->items[i].read;
    if (read == p->count)
        return 0;
    return tl_bapi_err_set(e, TL_BAPI_UNREAD_PARAMETERS,
                           "Not all sent parameters were read; read '%u' parameter(s) but was "
                           "sent '%u'.",
                           read, p->count);
}

/* The parameter for a getter: NULL with rc 0 when optional and not sent, NULL with rc < 0 on
 * a refusal. */
static tl_bapi_param *take(tl_bapi_params *p, const char *key, bool mandatory, bool *present,
                           int *rc, tl_bapi_err *e)
{
    tl_bapi_param *it = tl_bapi_params_find(p, key);
    *rc = 0;
    if (it != NULL && it->vlen > 0) {
        if (present)
            *present = true;
        return it;
    }
    if (mandatory)
        *rc = tl_bapi_err_set(e, TL_BAPI_MANDATORY_PARAM_EMPTY_OR_MALFORMED,
                              "Mandatory parameter '%s' was not sent, was empty/null, or "
                              "malformed.",
                              key);
    else if (it != NULL)
        *rc = tl_bapi_err_set(e, TL_BAPI_PARAM_EMPTY, "Parameter '%s' was empty.", key);
    else if (present)
        *present = false;
    return NULL;
}

static int illegal(tl_bapi_err *e, const char *key, const char *range)
{
    return tl_bapi_err_set(e, TL_BAPI_ILLEGAL_CHARS,
                           "Illegal characters found in parameter '%s'; legal range is '%s'.", key,
                           range);
}

static size_t digits(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

int tl_bapi_params_fixed(tl_bapi_params *p, const char *key, bool mandatory, tl_fixed *out,
                         bool *present, tl_bapi_err *e)
{
    int rc;
    tl_bapi_param *it = take(p, key, mandatory, present, &rc, e);
    if (it == NULL)
        return rc;
    const char *s = it->value;
    size_t n = it->vlen, ip = digits(s, n), fp = 0;
    if (ip >= 1 && ip <= 20 && ip < n && s[ip] == '.')
        fp = digits(s + ip + 1, n - ip - 1);
    if (ip < 1 || ip > 20 || (ip < n && (fp < 1 || fp > 20 || ip + 1 + fp != n)))
        return illegal(e, key, DECIMAL_RANGE);
    /* Digits past the 8th decimal must be zeros: then the value is exact in a tl_fixed. */
    size_t keep = n;
    if (fp > TL_FIXED_DECIMALS) {
        for (size_t i = ip + 1 + TL_FIXED_DECIMALS; i < n; i++)
            if (s[i] != '0')
                return tl_bapi_err_set(e, TL_BAPI_BAD_PRECISION,
                                       "Parameter '%s' has too much precision.", key);
        keep = ip + 1 + TL_FIXED_DECIMALS;
    }
    tl_fixed v;
    if (tl_fixed_parse(s, keep, &v, NULL) != 0) /* the grammar is checked: only range is left */
        return tl_bapi_err_set(e, TL_BAPI_PARAM_OVERFLOW, "Parameter '%s' overflowed.", key);
    *out = v;
    return 0;
}

int tl_bapi_params_int64(tl_bapi_params *p, const char *key, bool mandatory, int64_t *out,
                         bool *present, tl_bapi_err *e)
{
    int rc;
    tl_bapi_param *it = take(p, key, mandatory, present, &rc, e);
    if (it == NULL)
        return rc;
    size_t n = it->vlen;
    if (n > 20 || digits(it->value, n) != n)
        return illegal(e, key, LONG_RANGE);
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)(it->value[i] - '0');
        if (v > ((uint64_t)INT64_MAX - d) / 10)
            return tl_bapi_err_set(e, TL_BAPI_PARAM_OVERFLOW, "Parameter '%s' overflowed.", key);
        v = v * 10 + d;
    }
    *out = (int64_t)v;
    return 0;
}

int tl_bapi_params_str(tl_bapi_params *p, const char *key, bool mandatory, const char **out,
                       bool *present, tl_bapi_err *e)
{
    int rc;
    tl_bapi_param *it = take(p, key, mandatory, present, &rc, e);
    if (it == NULL)
        return rc;
    for (size_t i = 0; i < it->vlen; i++)
        if ((unsigned char)it->value[i] < 0x20 || it->value[i] == 0x7f)
            return tl_bapi_err_set(e, TL_BAPI_ILLEGAL_CHARS,
                                   "Illegal characters found in parameter '%s'.", key);
    *out = it->value;
    return 0;
}

static const char *const side_names[] = {NULL, "BUY", "SELL"};
static const char *const type_names[] = {NULL,
                                         "LIMIT",
                                         "MARKET",
                                         "STOP_LOSS",
                                         "STOP_LOSS_LIMIT",
                                         "TAKE_PROFIT",
                                         "TAKE_PROFIT_LIMIT",
                                         "LIMIT_MAKER"};
static const char *const tif_names[] = {NULL, "GTC", "IOC", "FOK"};

#define NAME_OF(names, v)                                                                          \
    ((v) > 0 && (size_t)(v) < sizeof(names) / sizeof(names[0]) ? names[v] : NULL)

const char *tl_bapi_side_name(tl_bapi_side s)
{
    return NAME_OF(side_names, (int)s);
}

const char *tl_bapi_type_name(tl_bapi_type t)
{
    return NAME_OF(type_names, (int)t);
}

const char *tl_bapi_tif_name(tl_bapi_tif t)
{
    return NAME_OF(tif_names, (int)t);
}

/* The enum value of the parameter key among names[1..n), or the refusal code. */
static int get_enum(tl_bapi_params *p, const char *key, const char *const *names, size_t n,
                    int bad_code, bool mandatory, int *out, bool *present, tl_bapi_err *e)
{
    int rc;
    tl_bapi_param *it = take(p, key, mandatory, present, &rc, e);
    if (it == NULL)
        return rc;
    for (size_t i = 1; i < n; i++)
        if (strcmp(it->value, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    return tl_bapi_err_set(e, bad_code, NULL);
}

int tl_bapi_params_side(tl_bapi_params *p, bool mandatory, tl_bapi_side *out, bool *present,
                        tl_bapi_err *e)
{
    int v, rc = get_enum(p, "side", side_names, 3, TL_BAPI_INVALID_SIDE, mandatory, &v, present, e);
    if (rc == 0 && (present == NULL || *present))
        *out = (tl_bapi_side)v;
    return rc;
}

int tl_bapi_params_type(tl_bapi_params *p, bool mandatory, tl_bapi_type *out, bool *present,
                        tl_bapi_err *e)
{
    int v, rc = get_enum(p, "type", type_names, 8, TL_BAPI_INVALID_ORDER_TYPE, mandatory, &v,
                         present, e);
    if (rc == 0 && (present == NULL || *present))
        *out = (tl_bapi_type)v;
    return rc;
}

int tl_bapi_params_tif(tl_bapi_params *p, bool mandatory, tl_bapi_tif *out, bool *present,
                       tl_bapi_err *e)
{
    int v, rc = get_enum(p, "timeInForce", tif_names, 4, TL_BAPI_INVALID_TIF, mandatory, &v,
                         present, e);
    if (rc == 0 && (present == NULL || *present))
        *out = (tl_bapi_tif)v;
    return rc;
}

int tl_bapi_params_symbol(tl_bapi_params *p, bool mandatory, char out[TL_BAPI_SYMBOL_MAX],
                          bool *present, tl_bapi_err *e)
{
    int rc;
    tl_bapi_param *it = take(p, "symbol", mandatory, present, &rc, e);
    if (it == NULL)
        return rc;
    if (it->vlen > TL_BAPI_SYMBOL_MAX - 1)
        return illegal(e, "symbol", SYMBOL_RANGE);
    for (size_t i = 0; i < it->vlen; i++) {
        char c = it->value[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return illegal(e, "symbol", SYMBOL_RANGE);
    }
    memcpy(out, it->value, (size_t)it->vlen + 1);
    return 0;
}

/* ---- the client's query builder ---- */

void tl_bapi_query_init(tl_bapi_query *q, char *buf, size_t cap)
{
    q->buf = buf;
    q->cap = cap;
    q->len = 0;
    q->err = 0;
    buf[0] = '\0';
}

static void put_encoded(tl_bapi_query *q, size_t *at, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s && q->err == 0; s++) {
        unsigned char c = (unsigned char)*s;
        int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~';
        size_t need = plain ? 1 : 3;
        if (*at + need >= q->cap) {
            q->err = TL_ERANGE;
            return;
        }
        if (plain) {
            q->buf[(*at)++] = (char)c;
        } else {
            q->buf[(*at)++] = '%';
            q->buf[(*at)++] = hex[c >> 4];
            q->buf[(*at)++] = hex[c & 15];
        }
    }
}

void tl_bapi_query_str(tl_bapi_query *q, const char *key, const char *value)
{
    if (q->err != 0)
        return;
    size_t at = q->len;
    if (at > 0) {
        if (at + 1 >= q->cap) {
            q->err = TL_ERANGE;
        } else {
            q->buf[at++] = '&';
        }
    }
    put_encoded(q, &at, key);
    if (q->err == 0 && at + 1 >= q->cap)
        q->err = TL_ERANGE;
    if (q->err == 0)
        q->buf[at++] = '=';
    put_encoded(q, &at, value);
    if (q->err != 0) {
        q->buf[q->len] = '\0'; /* whole pairs only */
        return;
    }
    q->len = at;
    q->buf[at] = '\0';
}

void tl_bapi_query_int(tl_bapi_query *q, const char *key, int64_t value)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)value);
    tl_bapi_query_str(q, key, num);
}

void tl_bapi_query_fixed(tl_bapi_query *q, const char *key, tl_fixed value)
{
    char num[TL_FIXED_STRLEN];
    tl_fixed_format(value, num, sizeof num); /* cannot fail: TL_FIXED_STRLEN fits every value */
    tl_bapi_query_str(q, key, num);
}

int tl_bapi_query_finish(const tl_bapi_query *q)
{
    return q->err != 0 ? q->err : (int)q->len;
}
