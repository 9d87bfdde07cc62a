/*
 * intake_redis.c -- orders from Redis pub/sub or a stream consumer group, results back
 * (intake_redis.h): configuration, connections, pub/sub, answers. Streams reading and claiming
 * are in intake_stream.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "service/intake_redis_int.h"

#define NO_SLOT UINT32_MAX

static void redis_log(void *ctx, const char *msg)
{
    tl_redis_intake *ri = ctx;
    if (ri->on_log)
        ri->on_log(ri->ctx, msg);
}

/* ---- answers in flight -------------------------------------------------------------------- */

static int slot_alloc(tl_redis_intake *ri, tl_intake_token tok, uint32_t *idx)
{
    if (ri->free_slot == NO_SLOT) {
        if (TL_VEC_RESERVE32(&ri->slots, &ri->cap_slots, (size_t)ri->n_slots + 1) != 0)
            return TL_ENOMEM;
        ri->slots[ri->n_slots].next_free = NO_SLOT;
        ri->free_slot = ri->n_slots++;
    }
    *idx = ri->free_slot;
    ri->free_slot = ri->slots[*idx].next_free;
    ri->slots[*idx].tok = tok;
    ri->in_flight++;
    return 0;
}

/* The answer of slot idx ended with rc. The slot array outlives a close until the last one. */
static void finish(tl_redis_intake *ri, uint32_t idx, int rc)
{
    tl_intake_token tok = ri->slots[idx].tok;
    ri->slots[idx].next_free = ri->free_slot;
    ri->free_slot = idx;
    ri->in_flight--;
    if (rc == 0)
        ri->answered++;
    else
        ri->failed++;
    if (ri->on_answered)
        ri->on_answered(ri->ctx, tok, rc);
    if (ri->closing && ri->in_flight == 0) {
        free(ri->slots);
        ri->slots = NULL;
        ri->cap_slots = ri->n_slots = 0;
        ri->free_slot = NO_SLOT;
    }
}

static uint32_t slot_of(void *priv)
{
    return (uint32_t)((uintptr_t)priv - 1);
}

static void *priv_of(uint32_t idx)
{
    return (void *)((uintptr_t)idx + 1);
}

/* A reply that ends an answer: NULL (lost or closed) or an error fails it. */
static int answer_rc(tl_redis_intake *ri, const redisReply *rep, const char *what, uint32_t idx)
{
    if (rep == NULL)
        return ri->closing ? TL_ECLOSED : TL_EIO;
    if (tl__is_error(rep)) {
        tl__intake_log(ri, "%s of %s refused: %.120s", what,
                       ri->slots[idx].tok.id[0] ? ri->slots[idx].tok.id : "a result", rep->str);
        return TL_EIO;
    }
    return 0;
}

static void on_published(redisAsyncContext *ac, void *reply, void *priv)
{
    tl_redis_intake *ri = tl_redis_of(ac)->ctx;
    uint32_t idx = slot_of(priv);
    finish(ri, idx, answer_rc(ri, reply, "PUBLISH", idx));
}

static void on_acked(redisAsyncContext *ac, void *reply, void *priv)
{
    tl_redis_intake *ri = tl_redis_of(ac)->ctx;
    uint32_t idx = slot_of(priv);
    finish(ri, idx, answer_rc(ri, reply, "XACK", idx));
}

/* The result is in the results stream: now, and only now, the order's entry may be acked. */
static void on_added(redisAsyncContext *ac, void *reply, void *priv)
{
    tl_redis_intake *ri = tl_redis_of(ac)->ctx;
    uint32_t idx = slot_of(priv);
    int rc = answer_rc(ri, reply, "XADD", idx);
    if (rc == 0)
        rc = tl_redis_command(&ri->out, on_acked, priv, "XACK %s %s %s", ri->orders, ri->group,
                              ri->slots[idx].tok.id) == 0
                 ? 0
                 : TL_EIO;
    if (rc != 0)
        finish(ri, idx, rc);
}

int tl_redis_intake_answer(tl_redis_intake *ri, tl_intake_token tok, const char *result, size_t len)
{
    if (ri->kind == TL_INTAKE_STREAMS && ri->pending > 0) {
        ri->pending--; /* handed back, whatever becomes of the answer */
        tl__intake_read_next(ri);
    }
    if (ri->closing || !tl_redis_connected(&ri->out))
        return TL_ECLOSED;
    uint32_t idx;
    if (slot_alloc(ri, tok, &idx) != 0)
        return TL_ENOMEM;
    int rc;
    if (ri->kind == TL_INTAKE_PUBSUB)
        rc = tl_redis_command(&ri->out, on_published, priv_of(idx), "PUBLISH %s %b", ri->results,
                              result, len);
    else if (ri->results_maxlen)
        rc = tl_redis_command(&ri->out, on_added, priv_of(idx), "XADD %s MAXLEN ~ %u * result %b",
                              ri->results, ri->results_maxlen, result, len);
    else
        rc = tl_redis_command(&ri->out, on_added, priv_of(idx), "XADD %s * result %b", ri->results,
                              result, len);
    if (rc != 0) {
        /* Never queued: the slot goes back without a callback. */
        ri->slots[idx].next_free = ri->free_slot;
        ri->free_slot = idx;
        ri->in_flight--;
        return rc;
    }
    return 0;
}

/* ---- pub/sub ------------------------------------------------------------------------------ */

static void on_subscribed(redisAsyncContext *ac, void *reply, void *priv)
{
    (void)priv;
    tl_redis_intake *ri = tl_redis_of(ac)->ctx;
    redisReply *rep = reply;
    if (rep == NULL || ri->closing || ri->paused)
        return;
    if (tl__is_error(rep)) {
        tl__intake_log(ri, "SUBSCRIBE %s refused: %.120s", ri->orders, rep->str);
        return;
    }
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 3 || !tl__is_str(rep->element[0]))
        return;
    if (strcmp(rep->element[0]->str, "subscribe") == 0) {
        tl__intake_log(ri, "subscribed to %s", ri->orders);
        return;
    }
    if (strcmp(rep->element[0]->str, "message") != 0 || !tl__is_str(rep->element[2]))
        return;
    tl_intake_token tok;
    memset(&tok, 0, sizeof tok);
    ri->received++;
    ri->on_message(ri->ctx, rep->element[2]->str, rep->element[2]->len, tok);
}

/* ---- connections -------------------------------------------------------------------------- */

static void on_in_state(void *ctx, tl_redis *r, bool up)
{
    tl_redis_intake *ri = ctx;
    (void)r;
    if (!up) {
        ri->reading = false;
        return;
    }
    if (ri->kind == TL_INTAKE_PUBSUB) {
        tl_redis_command(&ri->in, on_subscribed, ri, "SUBSCRIBE %s", ri->orders);
        return;
    }
    tl__intake_stream_up(ri);
}

static void on_out_state(void *ctx, tl_redis *r, bool up)
{
    (void)ctx;
    (void)r;
    (void)up; /* answers fail with TL_ECLOSED while it is down; the claim timer just skips */
}

static int copy_name(char *dst, size_t cap, const char *v, const char *dflt, const char *field,
                     tl_err *err)
{
    if (v == NULL)
        v = dflt;
    size_t n = strlen(v);
    if (n == 0 || n >= cap)
        return tl_err_set(err, TL_EINVAL, "%s: want 1..%zu characters", field, cap - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
            return tl_err_set(err, TL_EINVAL, "%s: want printable ASCII without spaces", field);
    memcpy(dst, v, n + 1);
    return 0;
}

int tl_redis_intake_init(tl_redis_intake *ri, uv_loop_t *loop, const tl_redis_intake_config *cfg,
                         tl_err *err)
{
    if (cfg->kind != TL_INTAKE_PUBSUB && cfg->kind != TL_INTAKE_STREAMS)
        return tl_err_set(err, TL_EINVAL, "intake: want pubsub or streams");
    if (cfg->on_message == NULL)
        return tl_err_set(err, TL_EINVAL, "intake: on_message is required");
    tl_redis_intake tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc;
    if ((rc = copy_name(tmp.orders, sizeof tmp.orders, cfg->orders, "orders", "orders channel",
                        err)) != 0 ||
        (rc = copy_name(tmp.results, sizeof tmp.results, cfg->results, "order_results",
                        "results channel", err)) != 0 ||
        (rc = copy_name(tmp.group, sizeof tmp.group, cfg->group, "tradeloop", "group", err)) != 0 ||
        (rc = copy_name(tmp.consumer, sizeof tmp.consumer, cfg->consumer, "engine-1", "consumer",
                        err)) != 0 ||
        (rc = copy_name(tmp.field, sizeof tmp.field, cfg->field, "order", "field", err)) != 0 ||
        (rc = copy_name(tmp.group_start, sizeof tmp.group_start, cfg->group_start, "0",
                        "group start", err)) != 0)
        return rc;
    if (strcmp(tmp.orders, tmp.results) == 0)
        return tl_err_set(err, TL_EINVAL, "results channel: must differ from the orders one");
    tl_redis_config rc_cfg = cfg->redis;
    rc_cfg.on_log = redis_log;
    rc_cfg.ctx = ri; /* where the intake will live: tmp is copied there below */
    rc_cfg.on_state = on_in_state;
    if ((rc = tl_redis_init(&tmp.in, loop, &rc_cfg, err)) != 0)
        return rc;
    rc_cfg.on_state = on_out_state;
    if ((rc = tl_redis_init(&tmp.out, loop, &rc_cfg, err)) != 0) {
        tl_redis_close(&tmp.in); /* never started: only its password to wipe */
        return rc;
    }
    tmp.loop = loop;
    tmp.kind = cfg->kind;
    tmp.count = cfg->count ? cfg->count : 256;
    tmp.block_ms = cfg->block_ms ? cfg->block_ms : 1000;
    tmp.claim_min_idle_ms = cfg->claim_min_idle_ms;
    tmp.claim_every_ms = cfg->claim_every_ms;
    tmp.max_pending = cfg->max_pending ? cfg->max_pending : 65536;
    tmp.results_maxlen = cfg->results_maxlen;
    tmp.on_message = cfg->on_message;
    tmp.on_answered = cfg->on_answered;
    tmp.on_log = cfg->on_log;
    tmp.ctx = cfg->ctx;
    tmp.free_slot = NO_SLOT;
    *ri = tmp; /* no handle exists yet (tl_redis_init makes none), so the copy is safe */
    return 0;
}

void tl_redis_intake_start(tl_redis_intake *ri)
{
    if (ri->started || ri->closing)
        return;
    ri->started = true;
    tl_redis_start(&ri->out);
    tl_redis_start(&ri->in);
    if (ri->kind == TL_INTAKE_STREAMS && ri->claim_every_ms > 0) {
        uv_timer_init(ri->loop, &ri->claim);
        ri->claim.data = ri;
        ri->claim_live = true;
        uv_timer_start(&ri->claim, tl__intake_claim_tick, ri->claim_every_ms, ri->claim_every_ms);
    }
}

bool tl_redis_intake_connected(const tl_redis_intake *ri)
{
    return tl_redis_connected(&ri->in) && tl_redis_connected(&ri->out);
}

void tl_redis_intake_stop_reading(tl_redis_intake *ri)
{
    if (ri->paused)
        return;
    ri->paused = true;
    /* Closing the reading connection drops a read in flight: what it would have brought stays in
     * the group's pending list (streams) for the next start or a claim. */
    tl_redis_close(&ri->in);
    if (ri->claim_live)
        uv_timer_stop(&ri->claim);
}

void tl_redis_intake_close(tl_redis_intake *ri)
{
    if (ri->closing)
        return;
    ri->closing = true;
    ri->paused = true;
    if (ri->claim_live) {
        uv_timer_stop(&ri->claim);
        uv_close((uv_handle_t *)&ri->claim, NULL);
        ri->claim_live = false;
    }
    tl_redis_close(&ri->in);
    tl_redis_close(&ri->out); /* answers in flight end here with TL_ECLOSED */
    if (ri->in_flight == 0) {
        free(ri->slots);
        ri->slots = NULL;
        ri->cap_slots = ri->n_slots = 0;
        ri->free_slot = NO_SLOT;
    }
}
