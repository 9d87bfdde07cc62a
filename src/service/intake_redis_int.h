/*
 * intake_redis_int.h -- what intake_redis.c and intake_stream.c share; not for other modules.
 */
#ifndef TL_SERVICE_INTAKE_REDIS_INT_H
#define TL_SERVICE_INTAKE_REDIS_INT_H

#include "service/intake_redis.h"

/* One line to the caller's on_log (when set). */
#define tl__intake_log(ri, ...) tl_redis_logf((ri)->on_log, (ri)->ctx, __VA_ARGS__)

static inline bool tl__is_error(const redisReply *rep)
{
    return rep->type == REDIS_REPLY_ERROR;
}

static inline bool tl__is_str(const redisReply *rep)
{
    return rep->type == REDIS_REPLY_STRING || rep->type == REDIS_REPLY_STATUS;
}

/* Streams: the reading connection came up (group, then this consumer's pending, then new). */
void tl__intake_stream_up(tl_redis_intake *ri);
/* Streams: issues the next XREADGROUP unless one is in flight, reading is paused or down, or
 * max_pending messages are unanswered. */
void tl__intake_read_next(tl_redis_intake *ri);
/* Streams: the claim timer's callback (a first XAUTOCLAIM page). */
void tl__intake_claim_tick(uv_timer_t *t);

#endif /* TL_SERVICE_INTAKE_REDIS_INT_H */
