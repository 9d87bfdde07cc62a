/*
 * intake_redis.h -- orders from Redis, results back: pub/sub (the seed's) or a stream consumer
 * group, behind one interface.
 *
 *   TL_INTAKE_PUBSUB: SUBSCRIBE to the orders channel; every message is handed to on_message;
 *     an answer is a PUBLISH of the result to the results channel. What arrives while no engine
 *     is subscribed is lost: pub/sub promises nothing more.
 *   TL_INTAKE_STREAMS: a consumer in a group on the orders stream (XGROUP CREATE ... MKSTREAM
 *     once, an existing group kept: BUSYGROUP ignored). On every connect it first reads back what
 *     the group delivered to this consumer and was never acknowledged (XREADGROUP from 0: a
 *     restart loses nothing), then new entries (XREADGROUP ... BLOCK block_ms COUNT count >),
 *     one read at a time. A timer claims what other consumers left pending longer than
 *     claim_min_idle_ms (XAUTOCLAIM, paged), which is how a dead engine's orders get done. An
 *     answer is an XADD of the result to the results stream, and only once that XADD succeeded
 *     an XACK of the order's entry: an entry is never acknowledged without its result written.
 *     An entry's order is the value of its field `field` (default "order"); an entry without it
 *     is delivered with an empty body (the caller answers it as malformed), a deleted one is
 *     acknowledged without delivery.
 *
 * Delivery is at least once in streams mode: a message may come again (after a reconnect, or
 * when a claim takes back one whose answer was slower than claim_min_idle_ms), so the caller
 * must be idempotent by order_id (the engine's intake answers a repeat with the original's
 * result), and claim_min_idle_ms must exceed the longest time from delivery to answer.
 *
 * The caller's contract: call tl_redis_intake_answer for a message only when its outcome is
 * durable (committed to the store). The answer is then the only thing that releases the
 * message: a crash before it leaves the message pending, to be delivered again.
 *
 * Two connections (tl_redis, each reconnecting with backoff): one reads (a subscribed or
 * blocked connection can do nothing else), one writes answers and claims. Answers are
 * pipelined: any number in flight, no call blocks. In streams mode reading pauses while
 * max_pending messages are delivered and not yet answered.
 *
 * Ownership: the caller allocates the tl_redis_intake and keeps it valid from init until the
 * loop has run after tl_redis_intake_close. Names are copied. ctx is borrowed.
 */
#ifndef TL_SERVICE_INTAKE_REDIS_H
#define TL_SERVICE_INTAKE_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/redis.h"

#define TL_INTAKE_ID_MAX   48  /* a stream entry id "1700000000000-0", with NUL */
#define TL_INTAKE_NAME_MAX 128 /* channel, stream, group, consumer, field names, with NUL */

typedef enum tl_intake_kind {
    TL_INTAKE_PUBSUB = 1,
    TL_INTAKE_STREAMS = 2,
} tl_intake_kind;

/* What identifies a message to its answer. Passed by value. */
typedef struct tl_intake_token {
    char id[TL_INTAKE_ID_MAX]; /* streams: the entry's id; pub/sub: "" */
} tl_intake_token;

/* A message. body is borrowed for the call (not NUL-terminated; len may be 0). */
typedef void (*tl_intake_message_cb)(void *ctx, const char *body, size_t len, tl_intake_token tok);
/* An answer's end: rc 0 when the result was published (streams: written and the entry
 * acknowledged), TL_EIO when Redis refused it or the connection was lost first, TL_ECLOSED when
 * the intake closed first. A failed answer leaves a stream entry pending (it comes again). */
typedef void (*tl_intake_answered_cb)(void *ctx, tl_intake_token tok, int rc);

typedef struct tl_redis_intake_config {
    tl_intake_kind kind;
    tl_redis_config redis;           /* host, port, password, backoff; its callbacks are ignored */
    const char *orders;              /* channel or stream; NULL: "orders" */
    const char *results;             /* channel or stream; NULL: "order_results" */
    const char *group;               /* streams; NULL: "tradeloop" */
    const char *consumer;            /* streams: unique per engine; NULL: "engine-1" */
    const char *field;               /* streams: the entry field holding the order; NULL: "order" */
    const char *group_start;         /* streams: where a new group starts; NULL: "0" (everything
                                      * already in the stream: orders published before the first
                                      * engine ever started are executed, not skipped) */
    uint32_t count;                  /* streams: entries per read and per claim; 0: 256 */
    uint32_t block_ms;               /* streams: XREADGROUP BLOCK; 0: 1000 */
    uint32_t claim_min_idle_ms;      /* streams: XAUTOCLAIM min-idle-time; 0 is allowed */
    uint32_t claim_every_ms;         /* streams: how often to claim; 0: no claiming */
    uint32_t max_pending;            /* streams: delivered and unanswered before reading pauses;
                                      * 0: 65536 */
    uint32_t results_maxlen;         /* streams: XADD MAXLEN ~ this; 0: unbounded */
    tl_intake_message_cb on_message; /* required */
    tl_intake_answered_cb on_answered; /* may be NULL */
    tl_redis_log_cb on_log;            /* may be NULL: connection changes, refused commands */
    void *ctx;
} tl_redis_intake_config;

/* An answer in flight: its token while XADD and XACK run. */
typedef struct tl__intake_slot {
    tl_intake_token tok;
    uint32_t next_free; /* free list link, UINT32_MAX at its end */
} tl__intake_slot;

typedef struct tl_redis_intake {
    tl_intake_kind kind;
    tl_redis in;      /* SUBSCRIBE, or XGROUP CREATE + XREADGROUP */
    tl_redis out;     /* PUBLISH, or XADD + XACK + XAUTOCLAIM */
    uv_loop_t *loop;  /* borrowed */
    uv_timer_t claim; /* streams, claim_every_ms > 0 */
    bool claim_live;  /* claim initialised (at start) */
    char orders[TL_INTAKE_NAME_MAX], results[TL_INTAKE_NAME_MAX], group[TL_INTAKE_NAME_MAX];
    char consumer[TL_INTAKE_NAME_MAX], field[TL_INTAKE_NAME_MAX], group_start[TL_INTAKE_ID_MAX];
    uint32_t count, block_ms, claim_min_idle_ms, claim_every_ms, max_pending, results_maxlen;
    tl_intake_message_cb on_message;
    tl_intake_answered_cb on_answered;
    tl_redis_log_cb on_log;
    void *ctx;
    /* streams reading */
    bool reading;                  /* an XREADGROUP in flight */
    bool history;                  /* reading this consumer's own pending entries */
    char cursor[TL_INTAKE_ID_MAX]; /* history: the last id read */
    bool claiming;                 /* an XAUTOCLAIM in flight */
    char claim_cursor[TL_INTAKE_ID_MAX];
    bool paused, closing, started;
    uint64_t pending;       /* streams: delivered, not yet answered (or failed) */
    tl__intake_slot *slots; /* owned: answers in flight */
    uint32_t cap_slots, free_slot, n_slots;
    uint64_t in_flight;                                          /* answers not yet finished */
    uint64_t received, answered, failed, claimed, acked_deleted; /* counters */
} tl_redis_intake;

/* Validates and copies the configuration (TL_EINVAL naming the field). Nothing connects yet and
 * no handle exists until start; after success tl_redis_intake_close is due. ri is where the
 * intake lives from now on (its connections' callbacks hold its address). */
int tl_redis_intake_init(tl_redis_intake *ri, uv_loop_t *loop, const tl_redis_intake_config *cfg,
                         tl_err *err);
/* Connects both sides and starts reading (and claiming). */
void tl_redis_intake_start(tl_redis_intake *ri);
/* Both connections up: what /health reports. */
bool tl_redis_intake_connected(const tl_redis_intake *ri);
/* Answers the message tok with result[0..len) (copied at once). 0, or TL_ECLOSED when the writing
 * connection is down (a stream entry then stays pending and comes again; a pub/sub answer is
 * lost), TL_ENOMEM. When it returns 0, on_answered runs later with the outcome. */
int tl_redis_intake_answer(tl_redis_intake *ri, tl_intake_token tok, const char *result,
                           size_t len);
/* Stops reading for good (SIGTERM): the reading connection closes; what was delivered can still
 * be answered. Wait until tl_redis_intake_in_flight is 0, then close. */
void tl_redis_intake_stop_reading(tl_redis_intake *ri);
static inline uint64_t tl_redis_intake_in_flight(const tl_redis_intake *ri)
{
    return ri->in_flight;
}
/* Closes both connections and the timer; answers in flight end with TL_ECLOSED. */
void tl_redis_intake_close(tl_redis_intake *ri);

#endif /* TL_SERVICE_INTAKE_REDIS_H */
