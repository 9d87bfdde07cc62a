/* digest.c -- see digest.h. SHA-256 comes from OpenSSL's libcrypto (EVP). */
#include "store/digest.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static int cmp_accounts(const void *a, const void *b)
{
    return strcmp(((const tl_account_row *)a)->workspace, ((const tl_account_row *)b)->workspace);
}

static int cmp_positions(const void *a, const void *b)
{
    const tl_position_row *x = a, *y = b;
    int c = strcmp(x->workspace, y->workspace);
    return c ? c : strcmp(x->symbol, y->symbol);
}

/* Appends v in decimal, as printf's %lld would: the digest's lines are hashed per intent, where
 * snprintf was a tenth of the service's time for a paper intent. */
static char *put_i64(char *p, int64_t v)
{
    char tmp[20];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *p++ = '-';
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* Appends "|" and the text s of a fixed field of at most cap bytes. */
static char *put_field(char *p, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    *p++ = '|';
    memcpy(p, s, n);
    return p + n;
}

int tl_state_digest(tl_account_row *accounts, size_t n_accounts, tl_position_row *positions,
                    size_t n_positions, char hex[TL_DIGEST_HEX], tl_err *err)
{
    static const char hexd[] = "0123456789abcdef";
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[32];
    unsigned int mdlen = 0;
    /* The longest line: two names and four int64s with their signs and separators. */
    char line[4 + TL_WORKSPACE_MAX + sizeof(positions->symbol) + 4 * 21];
    int ok;

    if (!ctx)
        return tl_err_set(err, TL_ENOMEM, "digest: out of memory");
    if (n_accounts)
        qsort(accounts, n_accounts, sizeof(*accounts), cmp_accounts);
    if (n_positions)
        qsort(positions, n_positions, sizeof(*positions), cmp_positions);
    ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    /* "A|ws|starting_cash|cash|realized_pnl|fees\n" per account. */
    for (size_t i = 0; ok && i < n_accounts; i++) {
        const tl_account_row *a = &accounts[i];
        char *p = line;
        *p++ = 'A';
        p = put_field(p, a->workspace, sizeof(a->workspace));
        const int64_t v[4] = {a->starting_cash, a->cash, a->realized_pnl, a->fees};
        for (int k = 0; k < 4; k++) {
            *p++ = '|';
            p = put_i64(p, v[k]);
        }
        *p++ = '\n';
        ok = EVP_DigestUpdate(ctx, line, (size_t)(p - line));
    }
    /* "P|ws|symbol|qty|avg_price|realized_pnl|fees\n" per position that holds or held anything. */
    for (size_t i = 0; ok && i < n_positions; i++) {
        const tl_position_row *q = &positions[i];
        if (q->qty == 0 && q->realized_pnl == 0 && q->fees == 0)
            continue;
        char *p = line;
        *p++ = 'P';
        p = put_field(p, q->workspace, sizeof(q->workspace));
        p = put_field(p, q->symbol, sizeof(q->symbol));
        const int64_t v[4] = {q->qty, q->avg_price, q->realized_pnl, q->fees};
        for (int k = 0; k < 4; k++) {
            *p++ = '|';
            p = put_i64(p, v[k]);
        }
        *p++ = '\n';
        ok = EVP_DigestUpdate(ctx, line, (size_t)(p - line));
    }
    if (ok)
        ok = EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (!ok || mdlen != 32)
        return tl_err_set(err, TL_EIO, "digest: SHA-256 failed");
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = hexd[md[i] >> 4];
        hex[2 * i + 1] = hexd[md[i] & 15];
    }
    hex[64] = '\0';
    return 0;
}
