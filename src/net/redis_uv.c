/*
 * redis_uv.c -- hiredis's event hooks on a uv_poll_t (redis_uv.h).
 */
#include <stdlib.h>

#include "net/redis_uv.h"

typedef struct uv_events {
    redisAsyncContext *ac; /* NULL once hiredis cleaned up: the poll is closing */
    uv_poll_t poll;
    int events; /* what hiredis waits for: UV_READABLE | UV_WRITABLE */
} uv_events;

static void on_poll(uv_poll_t *h, int status, int events)
{
    uv_events *p = h->data;
    /* An error: libuv stopped the handle and gives no events. hiredis finds the error itself
     * when it reads or writes (or checks a pending connect), so do what it waits for. */
    int ev = status < 0 ? p->events : events;
    if (p->ac != NULL && (ev & UV_READABLE))
        redisAsyncHandleRead(p->ac);
    if (p->ac != NULL && (ev & UV_WRITABLE))
        redisAsyncHandleWrite(p->ac);
    /* Still alive after an error (hiredis saw nothing wrong yet): poll again, or the context
     * would wait forever on a stopped handle. */
    if (status < 0 && p->ac != NULL && p->events)
        uv_poll_start(&p->poll, p->events, on_poll);
}

static void set_events(uv_events *p, int events)
{
    p->events = events;
    if (events)
        uv_poll_start(&p->poll, events, on_poll);
    else
        uv_poll_stop(&p->poll);
}

static void add_read(void *d)
{
    uv_events *p = d;
    set_events(p, p->events | UV_READABLE);
}

static void del_read(void *d)
{
    uv_events *p = d;
    set_events(p, p->events & ~UV_READABLE);
}

static void add_write(void *d)
{
    uv_events *p = d;
    set_events(p, p->events | UV_WRITABLE);
}

static void del_write(void *d)
{
    uv_events *p = d;
    set_events(p, p->events & ~UV_WRITABLE);
}

static void on_closed(uv_handle_t *h)
{
    free(h->data);
}

static void cleanup(void *d)
{
    uv_events *p = d;
    p->ac = NULL;
    uv_close((uv_handle_t *)&p->poll, on_closed);
}

int tl__redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop)
{
    if (ac->ev.data != NULL)
        return -1;
    uv_events *p = calloc(1, sizeof *p);
    if (p == NULL)
        return -1;
    if (uv_poll_init(loop, &p->poll, ac->c.fd) != 0) {
        free(p);
        return -1;
    }
    p->ac = ac;
    p->poll.data = p;
    ac->ev.addRead = add_read;
    ac->ev.delRead = del_read;
    ac->ev.addWrite = add_write;
    ac->ev.delWrite = del_write;
    ac->ev.cleanup = cleanup;
    ac->ev.data = p;
    return 0;
}
