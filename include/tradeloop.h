/*
 * tradeloop.h -- public entry point of libtradeloop.
 *
 * tradeloop is an order-execution engine. Every function of the library follows one error
 * convention: it returns an int, 0 on success or a negative TL_E* code on failure, and on failure
 * leaves its outputs untouched. Detail meant for a person goes into an optional caller-supplied
 * tl_err buffer (NULL is allowed everywhere). The codes come from one X-macro table that also
 * generates tl_strerror() and tl_errname(), so a code and its text can never drift apart.
 */
#ifndef TRADELOOP_H
#define TRADELOOP_H

#include <stddef.h>
#include <stdint.h>

#define TL_VERSION_MAJOR 0
#define TL_VERSION_MINOR 1
#define TL_VERSION_PATCH 0
#define TL_VERSION_STRING "0.1.0"

/* X(name, value, message). Values are stable: they may be stored or sent over the wire. */
#define TL_ERRNO_MAP(X)                                                                            \
    X(EINVAL, -1, "invalid argument")                                                              \
    X(ERANGE, -2, "value out of range")                                                            \
    X(EPRECISION, -3, "precision loss")                                                            \
    X(ENOMEM, -4, "out of memory")                                                                 \
    X(ENOTFOUND, -5, "not found")                                                                  \
    X(EDUPLICATE, -6, "duplicate")                                                                 \
    X(ESTATE, -7, "illegal state transition")                                                      \
    X(EOVERFILL, -8, "fill exceeds order quantity")                                                \
    X(ERISK, -9, "refused by risk check")                                                          \
    X(EFULL, -10, "capacity exhausted")                                                            \
    X(EIO, -11, "i/o error")                                                                       \
    X(ECORRUPT, -12, "corrupt data")                                                               \
    X(EVERSION, -13, "unsupported version")                                                        \
    X(ENOTSUP, -14, "not supported")                                                               \
    X(EBUSY, -15, "resource busy")                                                                 \
    X(ECLOSED, -16, "closed")                                                                      \
    X(EFROZEN, -17, "trading frozen")                                                              \
    X(EEXIST, -18, "already executed")

typedef enum tl_errno {
    TL_OK = 0,
#define TL__ERR_ENUM(name, value, msg) TL_##name = (value),
    TL_ERRNO_MAP(TL__ERR_ENUM)
#undef TL__ERR_ENUM
} tl_errno;

/* Human-readable detail of the last failure of a call. Owned by the caller; the library only
 * writes into it, always NUL-terminated, truncating long text. */
typedef struct tl_err {
    int code;       /* the TL_E* code the call returned */
    char msg[256];  /* one line, no trailing newline */
} tl_err;

/* Static text of a code ("invalid argument"); never NULL, "unknown error" for unknown codes. */
const char *tl_strerror(int code);
/* Symbolic name of a code ("TL_EINVAL"). */
const char *tl_errname(int code);
/* Fills err (when non-NULL) with code and a printf-style message; returns code, so a failing
 * path can be written `return tl_err_set(err, TL_EINVAL, "...")`. */
int tl_err_set(tl_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Empties err (when non-NULL). */
void tl_err_clear(tl_err *err);

const char *tl_version(void);

#endif /* TRADELOOP_H */
