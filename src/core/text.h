/*
 * text.h -- outside text shown in an error message: messages are one line of printable text,
 * whatever bytes the input held.
 */
#ifndef TL_CORE_TEXT_H
#define TL_CORE_TEXT_H

#include <stddef.h>

#include "tradeloop.h"

#define TL_TEXT_SHOW_MAX 48 /* a buffer this size shows up to 44 characters and "..." */

/* Copies s[0..n) into buf (cap >= 4) with every byte outside printable ASCII as '?', cut with
 * "..." when it does not fit. Returns buf, always NUL-terminated. */
const char *tl__text_show(const char *s, size_t n, char *buf, size_t cap);

/* Makes err's message printable in place (a parser's last step on a refused input, since the
 * messages quote what they refuse). NULL is allowed. */
void tl__err_printable(tl_err *err);

#endif /* TL_CORE_TEXT_H */
