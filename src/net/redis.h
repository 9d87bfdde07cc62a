/*
 * redis.h -- one Redis connection on the host's libuv loop, that keeps itself up.
 *
 * hiredis's async API (Debian libhiredis-dev 0.14) on a caller-given uv_loop_t (the host's
 * `loop`), through redis_uv.h. The connection:
 *
 *   - resolves a host name with uv_getaddrinfo (hiredis would call getaddrinfo and block the
 *     loop), connects without blocking, and gives up a connect that takes longer than
 *     connect_timeout_ms (0.14 has no timeout of its own);
 *   - sends AUTH first when a password is set, then PING, and is "connected" (what /health
 *     reports) only once both were answered: a refused password is a connection that is down,
 *     with the server's reason in last_error, never the password;
 *   - when it is lost (refused, reset, closed, timed out, AUTH refused) reconnects after a
 *     backoff that doubles from backoff_min_ms to backoff_max_ms and starts over once a
 *     connection is up again.
 *
 * Commands are pipelined: tl_redis_command only appends to hiredis's output buffer, and the
 * reply callbacks run in order as replies arrive. Nothing here blocks.
 *
 * A reply callback (hiredis's redisCallbackFn) gets reply NULL when the connection was lost or
 * closed before the reply came: the caller treats the command as not done (its effect unknown).
 * on_state runs when the connection comes up (true; the caller (re)issues its subscriptions
 * there) and when it goes down (false). on_log gets one line per change of state for the
 * operator; it never contains the password.
 *
 * Ownership: the caller allocates the tl_redis and keeps it valid from tl_redis_init until the
 * loop has run after tl_redis_close (uv_run returns: the timer and the socket's poll handle are
 * closed on the loop). The host name and password are copied; the password is wiped on close.
 */
#ifndef TL_NET_REDIS_H
#define TL_NET_REDIS_H

#include <stdbool.h>
#include <stdint.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <uv.h>

#include "tradeloop.h"

#define TL_REDIS_HOST_MAX 256

typedef struct tl_redis tl_redis;

typedef void (*tl_redis_state_cb)(void *ctx, tl_redis *r, bool up);
typedef void (*tl_redis_log_cb)(void *ctx, const char *msg);

typedef struct tl_redis_config {
    const char *host;            /* name or address; copied */
    int port;                    /* 1..65535 */
    const char *password;        /* NULL or "": no AUTH; copied, never logged */
    uint32_t backoff_min_ms;     /* first wait before a reconnect; 0: 100 */
    uint32_t backoff_max_ms;     /* longest wait; 0: 5000 */
    uint32_t connect_timeout_ms; /* connect + AUTH + PING; 0: 5000 */
    tl_redis_state_cb on_state;  /* may be NULL */
    tl_redis_log_cb on_log;      /* may be NULL */
    void *ctx;                   /* borrowed: both callbacks' first argument */
} tl_redis_config;

typedef enum tl_redis_phase {
    TL_REDIS_IDLE = 0,   /* not started, or closed */
    TL_REDIS_WAITING,    /* down: the reconnect timer runs */
    TL_REDIS_RESOLVING,  /* uv_getaddrinfo in flight */
    TL_REDIS_CONNECTING, /* socket, AUTH, PING in flight */
    TL_REDIS_UP,         /* PING answered */
} tl_redis_phase;

struct tl_redis {
    uv_loop_t *loop;       /* borrowed */
    redisAsyncContext *ac; /* hiredis's, NULL while down */
    uv_timer_t timer;      /* reconnect wait, or connect timeout */
    uv_getaddrinfo_t gai;  /* host name resolution */
    tl_redis_phase phase;
    bool closing;
    bool gai_busy;   /* gai in flight (it cannot be canceled once running) */
    bool timer_live; /* timer initialised (at the first start) */
    char host[TL_REDIS_HOST_MAX];
    int port;
    char *password; /* owned, NULL for none */
    uint32_t backoff_min_ms, backoff_max_ms, connect_timeout_ms;
    uint32_t backoff_ms; /* the next wait */
    tl_redis_state_cb on_state;
    tl_redis_log_cb on_log;
    void *ctx;
    uint64_t ups, downs;  /* connections that came up, and went down: for tests and /status */
    char last_error[160]; /* why it is (or was last) down, "" when it never was */
};

/* Copies the configuration; nothing connects, and no handle exists, until tl_redis_start (so r
 * may be copied until then). TL_EINVAL naming the bad field, TL_ENOMEM. On failure nothing is
 * left to close; after success tl_redis_close is due (it only wipes the password when r never
 * started). */
/* fn(ctx, the formatted line) when fn is not NULL: one line of at most 319 bytes. The log helper
 * of the connection and of the intakes built on it. */
void tl_redis_logf(tl_redis_log_cb fn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int tl_redis_init(tl_redis *r, uv_loop_t *loop, const tl_redis_config *cfg, tl_err *err);
/* Starts connecting (no-op unless idle). */
void tl_redis_start(tl_redis *r);
/* True while the connection is up (AUTH and PING answered): what /health reports. */
static inline bool tl_redis_connected(const tl_redis *r)
{
    return r->phase == TL_REDIS_UP;
}
/* Appends a command (hiredis's format: %s, %b with a length, arguments never split) with its
 * reply callback; privdata is borrowed until the callback runs. TL_ECLOSED when not connected,
 * TL_ENOMEM when hiredis could not queue it: then fn is never called. */
int tl_redis_command(tl_redis *r, redisCallbackFn *fn, void *privdata, const char *fmt, ...);
/* The same with an argument vector. */
int tl_redis_command_argv(tl_redis *r, redisCallbackFn *fn, void *privdata, int argc,
                          const char **argv, const size_t *argvlen);
/* The tl_redis a reply callback's context belongs to. */
static inline tl_redis *tl_redis_of(const redisAsyncContext *ac)
{
    return (tl_redis *)ac->data;
}
/* Drops the connection now (pending callbacks get NULL) and reconnects after the backoff, as if
 * it had been lost: for a caller that saw a reply it cannot continue from. */
void tl_redis_reconnect(tl_redis *r, const char *why);
/* Closes: pending reply callbacks run with NULL (on_state(false) is not called), no reconnect.
 * Allowed from a callback. r stays the caller's until the loop has run (see above). */
void tl_redis_close(tl_redis *r);

#endif /* TL_NET_REDIS_H */
