/*
 * uuid.c -- UUIDv5 with OpenSSL's SHA-1, and the hyphenated text form (uuid.h).
 */
#include <openssl/evp.h>
#include <string.h>

#include "core/uuid.h"

/* Where the hyphens go in the 36-character form: after bytes 4, 6, 8 and 10. */
static int hyphen_after(int byte)
{
    return byte == 4 || byte == 6 || byte == 8 || byte == 10;
}

int tl_uuid5(const tl_uuid *ns, const void *name, size_t len, tl_uuid *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return TL_ENOMEM;
    int ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) && EVP_DigestUpdate(ctx, ns->b, 16) &&
             EVP_DigestUpdate(ctx, name, len) && EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    /* SHA-1 of memory cannot fail once the context exists; a failure here is OpenSSL's. */
    if (!ok || mdlen < 16)
        return TL_ENOMEM;
    memcpy(out->b, md, 16);
    out->b[6] = (uint8_t)((out->b[6] & 0x0f) | 0x50); /* version 5 */
    out->b[8] = (uint8_t)((out->b[8] & 0x3f) | 0x80); /* RFC 4122 variant: 10xx */
    return 0;
}

void tl_uuid_format(const tl_uuid *u, char out[TL_UUID_STRLEN])
{
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (hyphen_after(i))
            *p++ = '-';
        *p++ = hex[u->b[i] >> 4];
        *p++ = hex[u->b[i] & 15];
    }
    *p = '\0';
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

int tl_uuid_parse(const char *s, tl_uuid *out, tl_err *err)
{
    tl_uuid u;
    const char *p = s;
    for (int i = 0; i < 16; i++) {
        if (hyphen_after(i) && *p++ != '-')
            return tl_err_set(err, TL_EINVAL, "UUID: want 8-4-4-4-12 hex digits");
        int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);
        if (hi < 0 || lo < 0)
            return tl_err_set(err, TL_EINVAL, "UUID: want 8-4-4-4-12 hex digits");
        u.b[i] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    if (*p != '\0')
        return tl_err_set(err, TL_EINVAL, "UUID: text after the 36 characters");
    *out = u;
    return 0;
}
