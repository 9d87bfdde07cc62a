/*
 * intake_stream.c -- the streams intake's reading and claiming (intake_redis.h): XGROUP CREATE,
 * the consumer's own pending entries then new ones, XAUTOCLAIM pages, delivery of an entry.
 */
#include <stdio.h>
#include <string.h>

#include "service/intake_redis_int.h"

static void on_ignored(redisAsyncContext *ac, void *reply, void *priv)
{
    (void)priv;
    redisReply *rep = reply;
    if (rep != NULL && tl__is_error(rep))
        tl__intake_log((tl_redis_intake *)tl_redis_of(ac)->ctx, "redis refused a command: %.120s",
                       rep->str);
}

/* One entry [id, [field, value, ...]] (fields nil: deleted since it was delivered). */
static void deliver_entry(tl_redis_intake *ri, const redisReply *e)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || !tl__is_str(e->element[0]) ||
        e->element[0]->len >= TL_INTAKE_ID_MAX) {
        tl__intake_log(ri, "stream %s: an entry of unexpected shape, skipped", ri->orders);
        return;
    }
    tl_intake_token tok;
    memset(&tok, 0, sizeof tok);
    memcpy(tok.id, e->element[0]->str, e->element[0]->len);
    const redisReply *f = e->element[1];
    if (f->type != REDIS_REPLY_ARRAY) {
        /* Deleted from the stream: nothing to execute, nothing to answer; release it. */
        tl_redis_command(&ri->out, on_ignored, NULL, "XACK %s %s %s", ri->orders, ri->group,
                         tok.id);
        ri->acked_deleted++;
        return;
    }
    const char *body = "";
    size_t len = 0;
    for (size_t i = 0; i + 1 < f->elements; i += 2)
        if (tl__is_str(f->element[i]) && strcmp(f->element[i]->str, ri->field) == 0 &&
            tl__is_str(f->element[i + 1])) {
            body = f->element[i + 1]->str;
            len = f->element[i + 1]->len;
            break;
        }
    ri->pending++;
    ri->received++;
    ri->on_message(ri->ctx, body, len, tok);
}

static void on_read(redisAsyncContext *ac, void *reply, void *priv)
{
    (void)priv;
    tl_redis_intake *ri = tl_redis_of(ac)->ctx;
    redisReply *rep = reply;
    ri->reading = false;
    if (rep == NULL || ri->closing)
        return; /* down: reading starts over when it is up again */
    if (tl__is_error(rep)) {
        char why[200];
        snprintf(why, sizeof why, "XREADGROUP refused: %.120s", rep->str);
        tl_redis_reconnect(&ri->in, why); /* after the backoff: XGROUP CREATE, then read */
        return;
    }
    size_t n = 0;
    if (rep->type == REDIS_REPLY_ARRAY) {
        for (size_t s = 0; s < rep->elements; s++) {
            const redisReply *st = rep->element[s];
            if (st->type != REDIS_REPLY_ARRAY || st->elements < 2 ||
                st->element[1]->type != REDIS_REPLY_ARRAY)
                continue;
            const redisReply *entries = st->element[1];
            for (size_t i = 0; i < entries->elements; i++) {
                const redisReply *e = entries->element[i];
                if (ri->history && e->type == REDIS_REPLY_ARRAY && e->elements >= 1 &&
                    tl__is_str(e->element[0]) && e->element[0]->len < TL_INTAKE_ID_MAX)
                    snprintf(ri->cursor, sizeof ri->cursor, "%s", e->element[0]->str);
                deliver_entry(ri, e);
                n++;
            }
        }
    }
    if (ri->history && n == 0)
        ri->history = false; /* this consumer's backlog is done: new entries from now on */
    tl__intake_read_next(ri);
}

void tl__intake_read_next(tl_redis_intake *ri)
{
    if (ri->kind != TL_INTAKE_STREAMS || ri->reading || ri->paused || ri->closing ||
        !tl_redis_connected(&ri->in) || ri->pending >= ri->max_pending)
        return;
    int rc;
    if (ri->history)
        rc = tl_redis_command(&ri->in, on_read, ri, "XREADGROUP GROUP %s %s COUNT %u STREAMS %s %s",
                              ri->group, ri->consumer, ri->count, ri->orders, ri->cursor);
    else
        rc = tl_redis_command(&ri->in, on_read, ri,
                              "XREADGROUP GROUP %s %s COUNT %u BLOCK %u STREAMS %s >", ri->group,
                              ri->consumer, ri->count, ri->block_ms, ri->orders);
    ri->reading = rc == 0;
}

static void on_group(redisAsyncContext *ac, void *reply, void *priv)
{
    (void)priv;
    tl_redis_intake *ri = tl_redis_of(ac)->ctx;
    redisReply *rep = reply;
    /* BUSYGROUP: the group exists (another engine, an earlier run): keep it as it is. */
    if (rep != NULL && tl__is_error(rep) && strncmp(rep->str, "BUSYGROUP", 9) != 0)
        tl__intake_log(ri, "XGROUP CREATE %s %s refused: %.120s", ri->orders, ri->group, rep->str);
}

static void claim_page(tl_redis_intake *ri, const char *cursor);

static void on_claimed(redisAsyncContext *ac, void *reply, void *priv)
{
    (void)priv;
    tl_redis_intake *ri = tl_redis_of(ac)->ctx;
    redisReply *rep = reply;
    ri->claiming = false;
    if (rep == NULL || ri->closing)
        return;
    if (tl__is_error(rep)) {
        tl__intake_log(ri, "XAUTOCLAIM refused: %.120s", rep->str);
        return;
    }
    /* [next cursor, [entries], [deleted ids] (Redis 7)] */
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 2 || !tl__is_str(rep->element[0]) ||
        rep->element[1]->type != REDIS_REPLY_ARRAY || rep->element[0]->len >= TL_INTAKE_ID_MAX)
        return;
    const redisReply *entries = rep->element[1];
    for (size_t i = 0; i < entries->elements; i++) {
        ri->claimed++;
        deliver_entry(ri, entries->element[i]);
    }
    if (strcmp(rep->element[0]->str, "0-0") != 0 && entries->elements > 0)
        claim_page(ri, rep->element[0]->str); /* more to claim: the next page at once */
}

static void claim_page(tl_redis_intake *ri, const char *cursor)
{
    if (ri->claiming || ri->closing || ri->paused || !tl_redis_connected(&ri->out) ||
        ri->pending >= ri->max_pending)
        return;
    snprintf(ri->claim_cursor, sizeof ri->claim_cursor, "%s", cursor);
    ri->claiming = tl_redis_command(&ri->out, on_claimed, ri, "XAUTOCLAIM %s %s %s %u %s COUNT %u",
                                    ri->orders, ri->group, ri->consumer, ri->claim_min_idle_ms,
                                    ri->claim_cursor, ri->count) == 0;
}

void tl__intake_claim_tick(uv_timer_t *t)
{
    claim_page(t->data, "0-0");
}

void tl__intake_stream_up(tl_redis_intake *ri)
{
    /* In order on one connection: the group exists before the first read asks for it. */
    tl_redis_command(&ri->in, on_group, ri, "XGROUP CREATE %s %s %s MKSTREAM", ri->orders,
                     ri->group, ri->group_start);
    ri->history = true;
    snprintf(ri->cursor, sizeof ri->cursor, "0");
    tl__intake_read_next(ri);
}
