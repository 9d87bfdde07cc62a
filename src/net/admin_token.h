/*
 * admin_token.h -- the admin token that guards the paper broker and kill-switch endpoints.
 *
 * The token comes from the environment only, never a flag (a flag shows in `ps`):
 * TRADELOOP_ADMIN_TOKEN holds it, or TRADELOOP_ADMIN_TOKEN_FILE names a file that does (one
 * trailing newline, "\n" or "\r\n", is stripped: files written by `echo` work). An empty token,
 * an unreadable file or both variables at once are refused at start, naming the variable; no
 * variable at all is not an error: the server runs and the guarded endpoints answer 503 saying
 * why. The token is never written to a log or an error message.
 *
 * The check of an X-Admin-Token header runs in constant time with respect to its content: one
 * pass over max(len(token), len(header)) bytes, with no early exit, reading both (past its end a
 * side reads as zero), the difference OR-ed into an accumulator and the length difference folded
 * into it; the only branch is on the accumulator at the end.
 *
 * Ownership: the caller allocates the tl_admin_token; it owns a copy of the token, wiped and
 * freed by tl_admin_token_close.
 */
#ifndef TL_NET_ADMIN_TOKEN_H
#define TL_NET_ADMIN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "tradeloop.h"

#define TL_ADMIN_TOKEN_ENV      "TRADELOOP_ADMIN_TOKEN"
#define TL_ADMIN_TOKEN_FILE_ENV "TRADELOOP_ADMIN_TOKEN_FILE"
#define TL_ADMIN_TOKEN_HEADER   "X-Admin-Token"
#define TL_ADMIN_TOKEN_MAX      4096 /* bytes; a longer file is refused */

typedef struct tl_admin_token {
    char *value; /* owned, NULL when no token is configured */
    size_t len;
} tl_admin_token;

/* What tl_admin_token_check found. */
typedef enum tl_admin_verdict {
    TL_ADMIN_OK = 0,
    TL_ADMIN_UNCONFIGURED = 1, /* no token configured: answer 503 */
    TL_ADMIN_MISSING = 2,      /* no header: answer 401 */
    TL_ADMIN_WRONG = 3,        /* a header that does not match: answer 401 */
} tl_admin_verdict;

/* Loads the token from `value` (the token itself) or `file` (a path), either or both NULL (the
 * caller passes the two variables). Neither: 0, not configured. TL_EINVAL (both, empty, too
 * long, a NUL byte in the file) or TL_EIO (unreadable file), naming the variable, never the
 * token; *t is untouched on failure. */
int tl_admin_token_load(tl_admin_token *t, const char *value, const char *file, tl_err *err);

/* tl_admin_token_load from the process environment (getenv of the two variables). */
int tl_admin_token_from_env(tl_admin_token *t, tl_err *err);

bool tl_admin_token_configured(const tl_admin_token *t);

/* Checks a presented header (NULL: absent; len bytes, may hold NULs). */
tl_admin_verdict tl_admin_token_check(const tl_admin_token *t, const char *header, size_t len);

/* The HTTP status of a verdict (200, 401, 503) and a short reason for the body. */
unsigned tl_admin_verdict_status(tl_admin_verdict v);
const char *tl_admin_verdict_reason(tl_admin_verdict v);

/* Wipes and frees the token. */
void tl_admin_token_close(tl_admin_token *t);

/* The comparison itself: 1 when a[0..la) equals b[0..lb), else 0. *reads (when non-NULL) gets
 * the number of byte positions compared: always max(la, lb), whatever the content, which the
 * tests assert. NULL pointers are allowed with a length of 0. */
int tl__ct_equal(const unsigned char *a, size_t la, const unsigned char *b, size_t lb,
                 size_t *reads);

#endif /* TL_NET_ADMIN_TOKEN_H */
