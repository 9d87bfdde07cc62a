/*
 * text.c -- outside text made fit for a one-line message (text.h).
 */
#include <string.h>

#include "core/text.h"

const char *tl__text_show(const char *s, size_t n, char *buf, size_t cap)
{
    size_t keep = n < cap ? n : cap - 4; /* cut: room for "..." and the NUL */
    for (size_t i = 0; i < keep; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (keep < n)
        memcpy(buf + keep, "...", 3);
    buf[keep < n ? keep + 3 : keep] = '\0';
    return buf;
}

void tl__err_printable(tl_err *err)
{
    if (err != NULL)
        tl__text_show(err->msg, strnlen(err->msg, sizeof err->msg), err->msg, sizeof err->msg);
}
