/*
 * redis.c -- one self-healing Redis connection on a libuv loop (redis.h).
 *
 * Every hiredis callback checks that its context is still r->ac: a context we dropped (timeout,
 * AUTH refused, close) runs its pending callbacks with NULL and may call the disconnect hook
 * while it is freed; those belong to a connection that is already gone.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/redis.h"
#include "net/redis_uv.h"

static void connect_addr(tl_redis *r, const char *ip);
static void resolve(tl_redis *r);

void tl_redis_logf(tl_redis_log_cb fn, void *ctx, const char *fmt, ...)
{
    if (fn == NULL)
        return;
    char buf[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fn(ctx, buf);
}

#define logf_(r, ...) tl_redis_logf((r)->on_log, (r)->ctx, __VA_ARGS__)

static void on_wait_over(uv_timer_t *t)
{
    tl_redis *r = t->data;
    if (r->phase == TL_REDIS_WAITING)
        resolve(r);
}

/* The connection is gone (or never came): drop the context if we still hold it, tell the caller,
 * and wait for the backoff before the next attempt. */
static void lost(tl_redis *r, const char *why)
{
    bool was_up = r->phase == TL_REDIS_UP;
    redisAsyncContext *ac = r->ac;
    r->ac = NULL;
    snprintf(r->last_error, sizeof r->last_error, "%s", why);
    if (r->closing) {
        r->phase = TL_REDIS_IDLE;
        if (ac)
            redisAsyncFree(ac);
        return;
    }
    r->phase = TL_REDIS_WAITING;
    uv_timer_stop(&r->timer);
    uv_timer_start(&r->timer, on_wait_over, r->backoff_ms, 0);
    logf_(r, "redis %s:%d: %s; reconnecting in %u ms", r->host, r->port, why, r->backoff_ms);
    r->backoff_ms = r->backoff_ms >= r->backoff_max_ms / 2 ? r->backoff_max_ms : r->backoff_ms * 2;
    if (was_up) {
        r->downs++;
        if (r->on_state)
            r->on_state(r->ctx, r, false);
    }
    /* Last: freeing runs the pending reply callbacks (NULL), which may look at r's state. */
    if (ac)
        redisAsyncFree(ac);
}

static void on_connect_timeout(uv_timer_t *t)
{
    tl_redis *r = t->data;
    if (r->phase == TL_REDIS_CONNECTING)
        lost(r, "connect timed out");
}

static void on_connected(const redisAsyncContext *ac, int status)
{
    tl_redis *r = ac->data;
    if (ac != r->ac || status == REDIS_OK)
        return; /* AUTH and PING were queued at once: PING's reply says when we are up */
    char why[160];
    snprintf(why, sizeof why, "connect: %s", ac->errstr[0] ? ac->errstr : "failed");
    r->ac = NULL; /* hiredis frees it after this callback */
    lost(r, why);
}

static void on_disconnected(const redisAsyncContext *ac, int status)
{
    (void)status;
    tl_redis *r = ac->data;
    if (ac != r->ac)
        return;
    char why[160];
    snprintf(why, sizeof why, "connection lost: %s",
             ac->errstr[0] ? ac->errstr : "closed by the server");
    r->ac = NULL; /* hiredis frees it after this callback */
    lost(r, why);
}

static void on_auth(redisAsyncContext *ac, void *reply, void *priv)
{
    (void)priv;
    tl_redis *r = ac->data;
    redisReply *rep = reply;
    if (ac != r->ac || rep == NULL || rep->type != REDIS_REPLY_ERROR)
        return;
    /* The server's text ("WRONGPASS invalid username-password pair ...") holds no password. */
    char why[160];
    snprintf(why, sizeof why, "AUTH refused by the server: %.100s", rep->str);
    lost(r, why);
}

static void on_pong(redisAsyncContext *ac, void *reply, void *priv)
{
    (void)priv;
    tl_redis *r = ac->data;
    redisReply *rep = reply;
    if (ac != r->ac || rep == NULL || r->phase != TL_REDIS_CONNECTING)
        return;
    if (rep->type == REDIS_REPLY_ERROR) {
        char why[160];
        /* NOAUTH: the server wants a password we were not given. */
        snprintf(why, sizeof why, "PING refused: %.100s%s", rep->str,
                 strncmp(rep->str, "NOAUTH", 6) == 0 ? " (set the password)" : "");
        lost(r, why);
        return;
    }
    uv_timer_stop(&r->timer);
    r->phase = TL_REDIS_UP;
    r->ups++;
    r->backoff_ms = r->backoff_min_ms;
    logf_(r, "redis %s:%d: connected", r->host, r->port);
    if (r->on_state)
        r->on_state(r->ctx, r, true);
}

static void connect_addr(tl_redis *r, const char *ip)
{
    redisAsyncContext *ac = redisAsyncConnect(ip, r->port);
    if (ac == NULL) {
        lost(r, "connect: out of memory");
        return;
    }
    if (ac->err) {
        char why[160];
        snprintf(why, sizeof why, "connect: %s", ac->errstr);
        redisAsyncFree(ac);
        lost(r, why);
        return;
    }
    ac->data = r;
    if (tl__redis_uv_attach(ac, r->loop) != 0) {
        redisAsyncFree(ac);
        lost(r, "connect: cannot watch the socket");
        return;
    }
    redisAsyncSetConnectCallback(ac, on_connected);
    redisAsyncSetDisconnectCallback(ac, on_disconnected);
    r->ac = ac;
    r->phase = TL_REDIS_CONNECTING;
    uv_timer_stop(&r->timer);
    uv_timer_start(&r->timer, on_connect_timeout, r->connect_timeout_ms, 0);
    /* Queued now, written once the socket connects, answered in this order. */
    if (r->password)
        redisAsyncCommand(ac, on_auth, NULL, "AUTH %s", r->password);
    redisAsyncCommand(ac, on_pong, NULL, "PING");
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    tl_redis *r = req->data;
    r->gai_busy = false;
    if (r->closing || r->phase != TL_REDIS_RESOLVING) {
        uv_freeaddrinfo(res);
        return;
    }
    char ip[INET6_ADDRSTRLEN] = "";
    if (status == 0 && res != NULL)
        uv_ip_name(res->ai_addr, ip, sizeof ip);
    uv_freeaddrinfo(res);
    if (ip[0] == '\0') {
        char why[160];
        snprintf(why, sizeof why, "cannot resolve %.100s: %s", r->host,
                 status ? uv_strerror(status) : "no address");
        lost(r, why);
        return;
    }
    connect_addr(r, ip);
}

/* Numeric addresses connect at once; names go through libuv's thread pool. */
static void resolve(tl_redis *r)
{
    unsigned char buf[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, r->host, buf) == 1 || inet_pton(AF_INET6, r->host, buf) == 1) {
        connect_addr(r, r->host);
        return;
    }
    r->phase = TL_REDIS_RESOLVING;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    r->gai.data = r;
    int rc = uv_getaddrinfo(r->loop, &r->gai, on_resolved, r->host, NULL, &hints);
    if (rc != 0) {
        char why[160];
        snprintf(why, sizeof why, "cannot resolve %.100s: %s", r->host, uv_strerror(rc));
        lost(r, why);
        return;
    }
    r->gai_busy = true;
}

int tl_redis_init(tl_redis *r, uv_loop_t *loop, const tl_redis_config *cfg, tl_err *err)
{
    if (cfg->host == NULL || cfg->host[0] == '\0')
        return tl_err_set(err, TL_EINVAL, "redis host: empty");
    if (strlen(cfg->host) >= TL_REDIS_HOST_MAX)
        return tl_err_set(err, TL_EINVAL, "redis host: longer than %d characters",
                          TL_REDIS_HOST_MAX - 1);
    if (cfg->port < 1 || cfg->port > 65535)
        return tl_err_set(err, TL_EINVAL, "redis port: %d (want 1..65535)", cfg->port);
    memset(r, 0, sizeof *r);
    if (cfg->password && cfg->password[0]) {
        r->password = strdup(cfg->password);
        if (r->password == NULL)
            return tl_err_set(err, TL_ENOMEM, "redis: out of memory");
    }
    r->loop = loop;
    snprintf(r->host, sizeof r->host, "%s", cfg->host);
    r->port = cfg->port;
    r->backoff_min_ms = cfg->backoff_min_ms ? cfg->backoff_min_ms : 100;
    r->backoff_max_ms = cfg->backoff_max_ms ? cfg->backoff_max_ms : 5000;
    if (r->backoff_max_ms < r->backoff_min_ms)
        r->backoff_max_ms = r->backoff_min_ms;
    r->connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 5000;
    r->backoff_ms = r->backoff_min_ms;
    r->on_state = cfg->on_state;
    r->on_log = cfg->on_log;
    r->ctx = cfg->ctx;
    return 0;
}

void tl_redis_start(tl_redis *r)
{
    if (r->phase != TL_REDIS_IDLE || r->closing)
        return;
    if (!r->timer_live) {
        /* Here, not in init: a handle lives in the loop's list at its address, so a tl_redis is
         * not moved once started, and one that never started leaves nothing to close. */
        uv_timer_init(r->loop, &r->timer);
        r->timer.data = r;
        r->timer_live = true;
    }
    resolve(r);
}

int tl_redis_command(tl_redis *r, redisCallbackFn *fn, void *privdata, const char *fmt, ...)
{
    if (r->phase != TL_REDIS_UP || r->ac == NULL)
        return TL_ECLOSED;
    va_list ap;
    va_start(ap, fmt);
    int rc = redisvAsyncCommand(r->ac, fn, privdata, fmt, ap);
    va_end(ap);
    return rc == REDIS_OK ? 0 : TL_ENOMEM;
}

int tl_redis_command_argv(tl_redis *r, redisCallbackFn *fn, void *privdata, int argc,
                          const char **argv, const size_t *argvlen)
{
    if (r->phase != TL_REDIS_UP || r->ac == NULL)
        return TL_ECLOSED;
    return redisAsyncCommandArgv(r->ac, fn, privdata, argc, argv, argvlen) == REDIS_OK ? 0
                                                                                       : TL_ENOMEM;
}

void tl_redis_reconnect(tl_redis *r, const char *why)
{
    if (r->ac != NULL && !r->closing)
        lost(r, why);
}

void tl_redis_close(tl_redis *r)
{
    if (r->closing)
        return;
    r->closing = true;
    r->phase = TL_REDIS_IDLE;
    if (r->gai_busy)
        uv_cancel((uv_req_t *)&r->gai); /* fails once running: on_resolved then sees closing */
    if (r->timer_live) {
        uv_timer_stop(&r->timer);
        uv_close((uv_handle_t *)&r->timer, NULL);
    }
    redisAsyncContext *ac = r->ac;
    r->ac = NULL;
    if (ac)
        redisAsyncFree(ac);
    if (r->password) {
        explicit_bzero(r->password, strlen(r->password));
        free(r->password);
        r->password = NULL;
    }
}
