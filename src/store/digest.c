/* digest.c -- see digest.h. SHA-256 comes from OpenSSL's libcrypto (EVP). */
#include "store/digest.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
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

int tl_state_digest(tl_account_row *accounts, size_t n_accounts, tl_position_row *positions,
                    size_t n_positions, char hex[TL_DIGEST_HEX], tl_err *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[32];
    unsigned int mdlen = 0;
    char line[256];
    int ok;

    if (!ctx)
        return tl_err_set(err, TL_ENOMEM, "digest: out of memory");
    if (n_accounts)
        qsort(accounts, n_accounts, sizeof(*accounts), cmp_accounts);
    if (n_positions)
        qsort(positions, n_positions, sizeof(*positions), cmp_positions);
    ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < n_accounts; i++) {
        const tl_account_row *a = &accounts[i];
        int n =
            snprintf(line, sizeof(line), "A|%s|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "\n",
                     a->workspace, a->starting_cash, a->cash, a->realized_pnl, a->fees);
        ok = EVP_DigestUpdate(ctx, line, (size_t)n);
    }
    for (size_t i = 0; ok && i < n_positions; i++) {
        const tl_position_row *p = &positions[i];
        if (p->qty == 0 && p->realized_pnl == 0 && p->fees == 0)
            continue;
        int n = snprintf(line, sizeof(line),
                         "P|%s|%s|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "\n", p->workspace,
                         p->symbol, p->qty, p->avg_price, p->realized_pnl, p->fees);
        ok = EVP_DigestUpdate(ctx, line, (size_t)n);
    }
    if (ok)
        ok = EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (!ok || mdlen != 32)
        return tl_err_set(err, TL_EIO, "digest: SHA-256 failed");
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}
