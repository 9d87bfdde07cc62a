/* admin_token.c -- the admin token: loading from the environment, constant-time check. */
#include "net/admin_token.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* Byte i of p[0..len), or 0 past its end, without a branch on i or len: the index is masked to 0
 * out of range (p[0] is then read and masked away), so every call reads one byte. */
static unsigned char at(const unsigned char *p, size_t len, size_t i)
{
    static const unsigned char zero = 0;
    size_t in = (size_t)0 - (size_t)(i < len); /* all ones inside, 0 past the end */
    const unsigned char *base = len > 0 ? p : &zero;
    return (unsigned char)(base[i & in] & (unsigned char)in);
}

int tl__ct_equal(const unsigned char *a, size_t la, const unsigned char *b, size_t lb,
                 size_t *reads)
{
    size_t n = la > lb ? la : lb;
    size_t acc = la ^ lb; /* the length difference, folded in */
    size_t i;
    for (i = 0; i < n; i++)
        acc |= (size_t)(at(a, la, i) ^ at(b, lb, i));
    if (reads != NULL)
        *reads = i;
    return acc == 0;
}

static char *read_token_file(const char *path, size_t *len, tl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        tl_err_set(err, TL_EIO, "%s: cannot open %s: %s", TL_ADMIN_TOKEN_FILE_ENV, path,
                   strerror(errno));
        return NULL;
    }
    char *buf = malloc(TL_ADMIN_TOKEN_MAX + 3);
    if (buf == NULL) {
        fclose(f);
        tl_err_set(err, TL_ENOMEM, "%s: out of memory", TL_ADMIN_TOKEN_FILE_ENV);
        return NULL;
    }
    size_t n = fread(buf, 1, TL_ADMIN_TOKEN_MAX + 3, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        tl_err_set(err, TL_EIO, "%s: cannot read %s", TL_ADMIN_TOKEN_FILE_ENV, path);
        return NULL;
    }
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    *len = n;
    return buf;
}

int tl_admin_token_load(tl_admin_token *t, const char *value, const char *file, tl_err *err)
{
    const char *var = value != NULL ? TL_ADMIN_TOKEN_ENV : TL_ADMIN_TOKEN_FILE_ENV;
    if (value != NULL && file != NULL)
        return tl_err_set(err, TL_EINVAL, "set only one of %s and %s", TL_ADMIN_TOKEN_ENV,
                          TL_ADMIN_TOKEN_FILE_ENV);
    if (value == NULL && file == NULL) {
        t->value = NULL;
        t->len = 0;
        return 0;
    }
    char *buf;
    size_t len;
    if (value != NULL) {
        len = strlen(value);
        if (len > TL_ADMIN_TOKEN_MAX)
            return tl_err_set(err, TL_EINVAL, "%s is longer than %d bytes", var,
                              TL_ADMIN_TOKEN_MAX);
        if ((buf = malloc(len + 1)) == NULL)
            return tl_err_set(err, TL_ENOMEM, "%s: out of memory", var);
        memcpy(buf, value, len);
    } else {
        if (file[0] == '\0')
            return tl_err_set(err, TL_EINVAL, "%s is empty", var);
        if ((buf = read_token_file(file, &len, err)) == NULL)
            return err != NULL ? err->code : TL_EIO;
    }
    const char *why = NULL;
    if (len == 0)
        why = "the admin token is empty";
    else if (len > TL_ADMIN_TOKEN_MAX)
        why = "the admin token is too long";
    else if (memchr(buf, '\0', len) != NULL)
        why = "the admin token holds a NUL byte";
    if (why != NULL) {
        OPENSSL_cleanse(buf, len);
        free(buf);
        return tl_err_set(err, TL_EINVAL, "%s: %s", var, why);
    }
    buf[len] = '\0';
    t->value = buf;
    t->len = len;
    return 0;
}

int tl_admin_token_from_env(tl_admin_token *t, tl_err *err)
{
    return tl_admin_token_load(t, getenv(TL_ADMIN_TOKEN_ENV), getenv(TL_ADMIN_TOKEN_FILE_ENV),
                               err);
}

bool tl_admin_token_configured(const tl_admin_token *t)
{
    return t->value != NULL;
}

tl_admin_verdict tl_admin_token_check(const tl_admin_token *t, const char *header, size_t len)
{
    if (t->value == NULL)
        return TL_ADMIN_UNCONFIGURED;
    if (header == NULL)
        return TL_ADMIN_MISSING;
    int eq = tl__ct_equal((const unsigned char *)t->value, t->len, (const unsigned char *)header,
                          len, NULL);
    return eq ? TL_ADMIN_OK : TL_ADMIN_WRONG;
}

unsigned tl_admin_verdict_status(tl_admin_verdict v)
{
    switch (v) {
    case TL_ADMIN_OK:
        return 200;
    case TL_ADMIN_UNCONFIGURED:
        return 503;
    case TL_ADMIN_MISSING:
    case TL_ADMIN_WRONG:
        return 401;
    }
    return 500;
}

const char *tl_admin_verdict_reason(tl_admin_verdict v)
{
    switch (v) {
    case TL_ADMIN_OK:
        return "ok";
    case TL_ADMIN_UNCONFIGURED:
        return "no admin token configured: set " TL_ADMIN_TOKEN_ENV " or " TL_ADMIN_TOKEN_FILE_ENV;
    case TL_ADMIN_MISSING:
        return "missing " TL_ADMIN_TOKEN_HEADER " header";
    case TL_ADMIN_WRONG:
        return "wrong " TL_ADMIN_TOKEN_HEADER;
    }
    return "unknown";
}

void tl_admin_token_close(tl_admin_token *t)
{
    if (t->value != NULL) {
        OPENSSL_cleanse(t->value, t->len);
        free(t->value);
    }
    t->value = NULL;
    t->len = 0;
}
