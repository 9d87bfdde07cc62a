/*
 * queue_int.h (internal) -- what queue.c (the connection, the submitter) and queue_worker.c (the
 * worker) share.
 */
#ifndef TL_SWEEP_QUEUE_INT_H
#define TL_SWEEP_QUEUE_INT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sweep/queue.h"

struct redisReply;

/* A stream entry id, "MS-SEQ". */
typedef struct tl__sweep_id {
    uint64_t ms, seq;
} tl__sweep_id;

/* TL_EINVAL unless s[0..len) is MS-SEQ. */
int tl__sweep_id_parse(const char *s, size_t len, tl__sweep_id *out);

/* One command (hiredis's format) on q: the reply (the caller frees it; an error reply is a
 * reply), or NULL when the connection failed or is down: then q is dropped, err says why
 * (TL_EIO). */
struct redisReply *tl__sweep_queue_cmd(tl_sweep_queue *q, tl_err *err, const char *fmt, ...);

/* The hash of a plan's data: KEY:plan:RUN_PLAN_ID. */
void tl__sweep_data_key(const tl_sweep_queue *q, const char *run_plan_id, char *buf, size_t cap);

/* Monotonic milliseconds. */
int64_t tl__sweep_ms(void);
/* Sleeps ms, or less once *stop is set (stop may be NULL). */
void tl__sweep_pause(uint32_t ms, volatile sig_atomic_t *stop);

#endif /* TL_SWEEP_QUEUE_INT_H */
