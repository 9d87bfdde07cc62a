/*
 * sign.c -- HMAC-SHA256 signatures and the timing check of SIGNED requests (sign.h).
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

#include "binapi/sign.h"

#define MAC_LEN 32 /* SHA-256 */

/* A piece of the signature payload. */
typedef struct piece {
    const char *s;
    size_t n;
} piece;

/* HMAC-SHA256(secret, pieces[0] || ... ) into out. OpenSSL 3's EVP_MAC: the HMAC_CTX calls are
 * deprecated, and the pieces let the verifier leave the signature out without a copy. */
static int hmac(const char *secret, size_t slen, const piece *pieces, int n,
                unsigned char out[MAC_LEN])
{
    int rc = TL_EIO;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    /* An empty key is a valid HMAC key (padded with zeros), but OpenSSL wants a pointer. */
    static const unsigned char empty[1];
    size_t outl = 0;
    if (ctx == NULL ||
        !EVP_MAC_init(ctx, slen ? (const unsigned char *)secret : empty, slen, params))
        goto done;
    for (int i = 0; i < n; i++)
        if (pieces[i].n > 0 &&
            !EVP_MAC_update(ctx, (const unsigned char *)pieces[i].s, pieces[i].n))
            goto done;
    if (EVP_MAC_final(ctx, out, &outl, MAC_LEN) && outl == MAC_LEN)
        rc = 0;
done:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return rc;
}

int tl_bapi_sign(const char *secret, size_t secret_len, const char *query, size_t qlen,
                 const char *body, size_t blen, char hex[TL_BAPI_SIG_HEX + 1])
{
    static const char digits[] = "0123456789abcdef";
    piece pieces[2] = {{query, qlen}, {body, blen}};
    unsigned char mac[MAC_LEN];
    int rc = hmac(secret, secret_len, pieces, 2, mac);
    if (rc != 0)
        return rc;
    for (int i = 0; i < MAC_LEN; i++) {
        hex[2 * i] = digits[mac[i] >> 4];
        hex[2 * i + 1] = digits[mac[i] & 15];
    }
    hex[TL_BAPI_SIG_HEX] = '\0';
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20); /* "not case-sensitive" */
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Where a `signature` pair is: source 0 (query) or 1 (body), bytes [a, b). */
typedef struct found {
    int src;
    size_t a, b;
} found;

/* True when the name of pair s[0..n) form-decodes to "signature". */
static bool is_signature(const char *s, size_t n)
{
    static const char want[] = "signature";
    size_t w = 0;
    for (size_t i = 0; i < n; i++, w++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (n - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
                return false;
            c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            i += 2;
        }
        if (w >= sizeof want - 1 || c != want[w])
            return false;
    }
    return w == sizeof want - 1;
}

/* Finds the signature pairs of s[0..n); counts them in *count and keeps the first in *f. */
static void scan(const char *s, size_t n, int src, found *f, int *count)
{
    size_t start = 0;
    for (size_t i = 0; i <= n && n > 0; i++) {
        if (i < n && s[i] != '&')
            continue;
        const char *eq = memchr(s + start, '=', i - start);
        size_t klen = eq ? (size_t)(eq - (s + start)) : i - start;
        if (i > start && is_signature(s + start, klen)) {
            if ((*count)++ == 0)
                *f = (found){src, start, i};
        }
        start = i + 1;
    }
}

int tl_bapi_verify(const char *secret, size_t secret_len, const char *query, size_t qlen,
                   const char *body, size_t blen, tl_bapi_err *e)
{
    found f = {0, 0, 0};
    int count = 0;
    scan(query, qlen, 0, &f, &count);
    scan(body, blen, 1, &f, &count);
    if (count > 1)
        return tl_bapi_err_set(e, TL_BAPI_TOO_MANY_PARAMETERS,
                               "Duplicate values for a parameter detected.");
    const char *s = f.src == 0 ? query : body;
    size_t n = f.src == 0 ? qlen : blen;
    /* The value: after "signature=", %-escapes decoded; 64 hex digits make the 32 MAC bytes. */
    const char *v = count ? memchr(s + f.a, '=', f.b - f.a) : NULL;
    if (v == NULL || v + 1 == s + f.b)
        return tl_bapi_err_set(e, TL_BAPI_MANDATORY_PARAM_EMPTY_OR_MALFORMED,
                               "Mandatory parameter 'signature' was not sent, was empty/null, or "
                               "malformed.");
    unsigned char sent[MAC_LEN];
    size_t got = 0, nib = 0;
    int hi = 0;
    for (const char *c = v + 1; c < s + f.b; c++) {
        int ch = (unsigned char)*c;
        if (ch == '%' && s + f.b - c >= 3 && hexval(c[1]) >= 0 && hexval(c[2]) >= 0) {
            ch = hexval(c[1]) * 16 + hexval(c[2]);
            c += 2;
        }
        int d = hexval((char)ch);
        if (d < 0 || got == MAC_LEN)
            return tl_bapi_err_set(e, TL_BAPI_INVALID_SIGNATURE, NULL);
        if (nib++ % 2 == 0)
            hi = d;
        else
            sent[got++] = (unsigned char)(hi * 16 + d);
    }
    if (got != MAC_LEN || nib != TL_BAPI_SIG_HEX)
        return tl_bapi_err_set(e, TL_BAPI_INVALID_SIGNATURE, NULL);
    /* The payload without the pair and one '&' beside it: the one before, or else the one
     * after, as a client that appended "&signature=..." last (or put it first) signed it. */
    size_t a = f.a, b = f.b;
    if (a > 0)
        a--;
    else if (b < n)
        b++;
    piece pieces[3];
    if (f.src == 0) {
        pieces[0] = (piece){query, a};
        pieces[1] = (piece){query + b, qlen - b};
        pieces[2] = (piece){body, blen};
    } else {
        pieces[0] = (piece){query, qlen};
        pieces[1] = (piece){body, a};
        pieces[2] = (piece){body + b, blen - b};
    }
    unsigned char mac[MAC_LEN];
    int rc = hmac(secret, secret_len, pieces, 3, mac);
    if (rc != 0)
        return tl_bapi_err_set(e, TL_BAPI_UNKNOWN, NULL);
    if (CRYPTO_memcmp(mac, sent, MAC_LEN) != 0)
        return tl_bapi_err_set(e, TL_BAPI_INVALID_SIGNATURE, NULL);
    return 0;
}

int tl_bapi_timing_read(tl_bapi_params *p, tl_bapi_timing *t, tl_bapi_err *e)
{
    int64_t ts;
    int rc = tl_bapi_params_int64(p, "timestamp", true, &ts, NULL, e);
    if (rc != 0)
        return rc;
    tl_fixed win = 5000 * TL_FIXED_SCALE;
    bool present = false;
    if ((rc = tl_bapi_params_fixed(p, "recvWindow", false, &win, &present, e)) != 0)
        return rc;
    /* A tl_fixed of milliseconds counts 1e-8 ms; a microsecond is 1e-3 ms = 100000 of them. */
    const tl_fixed us = TL_FIXED_SCALE / 1000;
    if (win % us != 0)
        return tl_bapi_err_set(e, TL_BAPI_BAD_PRECISION,
                               "Parameter 'recvWindow' has too much precision.");
    if (win > TL_BAPI_RECV_WINDOW_MAX_US * us)
        return tl_bapi_err_set(e, TL_BAPI_MANDATORY_PARAM_EMPTY_OR_MALFORMED,
                               "'recvWindow' contains unexpected value. Cannot be greater than "
                               "60000.");
    t->timestamp_us = ts < TL_BAPI_TS_MICROS_FROM ? ts * 1000 : ts;
    t->recv_window_us = win / us;
    return 0;
}

int tl_bapi_timing_check(const tl_bapi_timing *t, int64_t now_us, tl_bapi_err *e)
{
    int64_t age;
    /* timestamp < serverTime + 1 second, written as a difference that cannot overflow. */
    if (__builtin_sub_overflow(now_us, t->timestamp_us, &age) || age <= -TL_BAPI_AHEAD_US)
        return tl_bapi_err_set(e, TL_BAPI_INVALID_TIMESTAMP, TL_BAPI_MSG_TS_AHEAD);
    if (age > t->recv_window_us)
        return tl_bapi_err_set(e, TL_BAPI_INVALID_TIMESTAMP, NULL);
    return 0;
}
