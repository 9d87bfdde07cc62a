/*
 * redis_uv.h -- hiredis on a libuv loop.
 *
 * hiredis 0.14's own adapter (hiredis/adapters/libuv.h) drops every poll error: libuv reports
 * POLLERR (a refused connect, a reset) as a status < 0 and stops the handle, the adapter returns,
 * and hiredis never learns that the socket failed: a connect to a server that is down never
 * calls back, so nothing reconnects. This one hands such an event to hiredis as the read or
 * write it was waiting for, and hiredis then reads the socket's error (as hiredis 1.0's adapter
 * does). It also frees its state when uv_poll_init fails.
 */
#ifndef TL_NET_REDIS_UV_H
#define TL_NET_REDIS_UV_H

#include <hiredis/async.h>
#include <uv.h>

/* Attaches ac to loop: 0, or -1 (ac already attached, no memory, or libuv refused the fd). The
 * state is freed by hiredis's cleanup hook, on the loop's next turn (uv_close). */
int tl__redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop);

#endif /* TL_NET_REDIS_UV_H */
