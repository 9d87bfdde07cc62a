/*
 * error.c -- the error table and the caller-supplied detail buffer.
 *
 * Codes, names and texts all come from TL_ERRNO_MAP, so they cannot drift apart.
 */
#include <stdarg.h>
#include <stdio.h>

#include "tradeloop.h"

const char *tl_strerror(int code)
{
    switch (code) {
    case TL_OK:
        return "success";
#define TL__ERR_TEXT(name, value, msg)                                                             \
    case TL_##name:                                                                                \
        return msg;
        TL_ERRNO_MAP(TL__ERR_TEXT)
#undef TL__ERR_TEXT
    default:
        return "unknown error";
    }
}

const char *tl_errname(int code)
{
    switch (code) {
    case TL_OK:
        return "TL_OK";
#define TL__ERR_NAME(name, value, msg)                                                             \
    case TL_##name:                                                                                \
        return "TL_" #name;
        TL_ERRNO_MAP(TL__ERR_NAME)
#undef TL__ERR_NAME
    default:
        return "TL_EUNKNOWN";
    }
}

int tl_err_set(tl_err *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    if (fmt == NULL) {
        snprintf(err->msg, sizeof err->msg, "%s", tl_strerror(code));
        return code;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n < 0) /* encoding error: still leave a readable, terminated message */
        snprintf(err->msg, sizeof err->msg, "%s", tl_strerror(code));
    /* The message is one line that often quotes outside input: control characters (newlines,
     * terminal escapes) would break log lines or the terminal, so they become '?'. */
    for (char *p = err->msg; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
    return code;
}

void tl_err_clear(tl_err *err)
{
    if (err == NULL)
        return;
    err->code = TL_OK;
    err->msg[0] = '\0';
}

const char *tl_version(void)
{
    return TL_VERSION_STRING;
}
