/*
 * params.c -- URL parameters and the fee rule shared by the venue backends (see params.h).
 */
#include <assert.h>
#include <string.h>
#include <strings.h>

#include "venue/params.h"

/* Longest piece of a URL quoted back in a message. */
#define QUOTE   64
#define FEE_DEN TL__VENUE_FEE_DEN

static int quote_len(size_t len)
{
    return len > QUOTE ? QUOTE : (int)len;
}

int tl__venue_params_each(const char *url, const char *scheme, const char *const *keys, int nkeys,
                          tl__venue_param_fn fn, void *ctx, tl_err *err)
{
    assert(nkeys > 0 && nkeys <= 32);
    size_t slen = strlen(scheme);
    if (url == NULL)
        return tl_err_set(err, TL_EINVAL, "%s: NULL URL", scheme);
    if (strncasecmp(url, scheme, slen) != 0 || strncmp(url + slen, "://", 3) != 0)
        return tl_err_set(err, TL_EINVAL, "%s: '%.64s' is not a %s:// URL", scheme, url, scheme);
    const char *q = url + slen + 3;
    if (*q != '\0' && *q != '?')
        return tl_err_set(err, TL_EINVAL, "%s: unexpected '%.64s' in URL: parameters go after '?'",
                          scheme, q);
    if (*q == '?')
        q++;
    uint32_t seen = 0;
    while (*q != '\0') {
        const char *amp = strchr(q, '&');
        const char *end = amp != NULL ? amp : q + strlen(q);
        size_t len = (size_t)(end - q);
        if (len == 0 || (amp != NULL && amp[1] == '\0'))
            return tl_err_set(err, TL_EINVAL, "%s: empty parameter in '%.64s'", scheme, url);
        const char *eq = memchr(q, '=', len);
        if (eq == NULL)
            return tl_err_set(err, TL_EINVAL, "%s: parameter '%.*s' has no value", scheme,
                              quote_len(len), q);
        size_t klen = (size_t)(eq - q);
        int k = -1;
        for (int i = 0; i < nkeys && k < 0; i++)
            if (strlen(keys[i]) == klen && memcmp(keys[i], q, klen) == 0)
                k = i;
        if (k < 0)
            return tl_err_set(err, TL_EINVAL, "%s: unknown parameter '%.*s'", scheme,
                              quote_len(klen), q);
        if (seen & (1u << k))
            return tl_err_set(err, TL_EINVAL, "%s: parameter '%s' given twice", scheme, keys[k]);
        seen |= 1u << k;
        int rc = fn(ctx, k, eq + 1, (size_t)(end - eq - 1), err);
        if (rc < 0)
            return rc;
        q = amp != NULL ? amp + 1 : end;
    }
    return 0;
}

int tl__venue_parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0)
        return TL_EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return TL_EINVAL;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return TL_EINVAL;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int tl__venue_param_bad(tl_err *err, const char *scheme, const char *key, const char *val,
                        size_t len, const char *why)
{
    return tl_err_set(err, TL_EINVAL, "%s: %s=%.*s: %s", scheme, key, quote_len(len), val, why);
}

int tl__venue_parse_fee_bps(const char *scheme, const char *key, const char *val, size_t len,
                            tl_fixed *out, tl_err *err)
{
    tl_fixed f = 0;
    if (tl_fixed_parse(val, len, &f, NULL) < 0)
        return tl__venue_param_bad(err, scheme, key, val, len, "not a decimal number");
    if (f < 0)
        return tl__venue_param_bad(err, scheme, key, val, len, "must be >= 0");
    if (f > TL__VENUE_MAX_FEE_BPS)
        return tl__venue_param_bad(err, scheme, key, val, len, "must be <= 10000");
    *out = f;
    return 0;
}

/* The exact numerator qty*price*fee_bps can pass 128 bits, so split qty*price = a*FEE_DEN + r:
 * fee = a*fee_bps + round(r*fee_bps / FEE_DEN). With fee_bps <= 10000 (1e12 raw) both products
 * fit, and a*fee_bps is whole, so the only rounding is the one of the remainder, done by
 * tl_fixed_from_ratio128. */
int tl__venue_fee(tl_fixed qty, tl_fixed price, tl_fixed fee_bps, tl_fixed *out)
{
    assert(qty > 0 && price > 0 && fee_bps >= 0 && fee_bps <= TL__VENUE_MAX_FEE_BPS);
    __int128 n = (__int128)qty * price;
    __int128 a = n / FEE_DEN, r = n % FEE_DEN;
    tl_fixed frac;
    int rc = tl_fixed_from_ratio128(r * fee_bps, FEE_DEN, &frac);
    if (rc < 0)
        return rc;
    __int128 fee = a * fee_bps + frac;
    if (fee > TL_FIXED_MAX)
        return TL_ERANGE;
    *out = (tl_fixed)fee;
    return 0;
}
