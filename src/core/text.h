/*
 * text.h -- outside text shown in an error message: messages are one line of printable text,
 * whatever bytes the input held.
 */
#ifndef TL_CORE_TEXT_H
#define TL_CORE_TEXT_H

#include <stddef.h>
#include <string.h>

#include "tradeloop.h"

#define TL_TEXT_SHOW_MAX 48 /* a buffer this size shows up to 44 characters and "..." */

/* Copies s[0..n) into buf (cap >= 4) with every byte outside printable ASCII as '?', cut with
 * "..." when it does not fit. Returns buf, always NUL-terminated. */
const char *tl__text_show(const char *s, size_t n, char *buf, size_t cap);

/* Makes err's message printable in place (a parser's last step on a refused input, since the
 * messages quote what they refuse). NULL is allowed. */
void tl__err_printable(tl_err *err);

/* Copies src (NULL: "") into dst[cap], cut to cap - 1 bytes, always NUL-terminated: the one way
 * the engine's own fixed-size text fields are filled (names, ids, reasons it made itself; outside
 * text goes through tl__text_show). Inline: it runs for every event's fields. */
/* A loop rather than strnlen: GCC 12 warns when it inlines strnlen with a source array shorter
 * than cap ("bound exceeds source size"), also at LTO's link where no pragma reaches; every
 * caller's source ends within its array, and the fields are short. */
static inline void tl_text_copy(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    if (src)
        while (n + 1 < cap && src[n])
            n++;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

#endif /* TL_CORE_TEXT_H */
