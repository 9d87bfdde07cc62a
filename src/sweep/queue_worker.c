/*
 * queue_worker.c -- `tradeloop sweep-worker`'s loop (queue.h): read or claim one entry, run its
 * variant, store its row, acknowledge.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "core/text.h"
#include "data/ohlcv.h"
#include "store/run_rows.h"
#include "sweep/queue_int.h"

#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 5000
#define BLOCK_MAX_MS   1000 /* the longest a read waits, so a stop is seen within it */

/* What an entry came to. */
typedef enum outcome {
    RAN,    /* its row is stored: acknowledge */
    POISON, /* it can never run: acknowledge, logged */
    RETRY,  /* not now (store, data, Redis): leave it pending, logged, back off */
} outcome;

typedef struct worker {
    tl_sweep_worker_config *cfg;
    tl_store store;
    bool store_open;
    /* The plan of the last entry, kept for the next (a plan's entries come together). */
    bool loaded;
    char plan_id[TL_SWEEP_ID_STRLEN];
    tl_sweep_spec spec;
    tl_sweep_plan plan;
    tl_bars bars;
    tl_fixed equity;
    char data_name[TL_RUN_DATA_NAME_MAX];
    tl_clock clock;
    bool history; /* reading this consumer's own pending entries (from a restart) */
    char history_cursor[48];
    char claim_cursor[48];
    int64_t next_claim_ms;
    uint32_t backoff_ms;
    int rows; /* rows stored: the test hook's count */
} worker;

static void logf_(worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(worker *w, const char *fmt, ...)
{
    if (!w->cfg->log)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    w->cfg->log(w->cfg->ctx, line);
}

static void unload(worker *w)
{
    if (!w->loaded)
        return;
    tl_sweep_plan_close(&w->plan);
    tl_sweep_spec_close(&w->spec);
    tl_bars_free(&w->bars);
    memset(&w->bars, 0, sizeof(w->bars));
    w->loaded = false;
}

static void drop_store(worker *w)
{
    if (w->store_open)
        tl_store_close(&w->store);
    w->store_open = false;
}

/* The data hash's fields into w (the plan already in w->spec / w->plan). */
static outcome load_data(worker *w, tl_err *err)
{
    char key[TL_SWEEP_QUEUE_KEY_MAX + 32];
    tl__sweep_data_key(w->cfg->queue, w->plan.id, key, sizeof(key));
    redisReply *r = tl__sweep_queue_cmd(w->cfg->queue, err,
                                        "HMGET %s data data_name "
                                        "starting_equity",
                                        key);
    if (!r)
        return RETRY;
    outcome o = RETRY;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[2]->type != REDIS_REPLY_STRING) {
        tl_err_set(err, TL_ENOTFOUND, "no data for plan %s in redis (key %s)", w->plan.id, key);
    } else if (tl_ohlcv_parse(r->element[0]->str, r->element[0]->len, key, &w->bars, err) != 0 ||
               tl_fixed_parse(r->element[2]->str, r->element[2]->len, &w->equity, err) != 0 ||
               w->equity <= 0) {
        if (w->equity <= 0 && err->msg[0] == '\0')
            tl_err_set(err, TL_EINVAL, "%s: starting_equity must be > 0", key);
        o = POISON;
    } else {
        const redisReply *dn = r->element[1];
        tl_text_copy(w->data_name, sizeof(w->data_name),
                     dn->type == REDIS_REPLY_STRING ? dn->str : "");
        o = RAN;
    }
    freeReplyObject(r);
    return o;
}

/* The plan of run_plan_id from the store and its data from Redis, unless it is w's already. */
static outcome load(worker *w, const char *run_plan_id, tl_err *err)
{
    if (w->loaded && strcmp(w->plan_id, run_plan_id) == 0)
        return RAN;
    unload(w);
    if (!w->store_open) {
        if (tl_store_open(&w->store, w->cfg->db_url, &w->cfg->store_options, NULL, err) != 0)
            return RETRY;
        w->store_open = true;
    }
    tl_run_plan_row row;
    int rc = tl_store_run_plan_get(&w->store, run_plan_id, &row, err);
    if (rc == TL_ENOTFOUND) {
        tl_err_set(err, rc, "plan %s is not in the store (is this worker on the submitter's --db?)",
                   run_plan_id);
        return RETRY;
    }
    if (rc != 0) {
        drop_store(w); /* opened again for the next entry */
        return RETRY;
    }
    tl_sweep_spec_init(&w->spec);
    tl_sweep_plan_init(&w->plan);
    rc = tl_sweep_spec_parse(&w->spec, row.spec, strlen(row.spec), err);
    tl_run_plan_row_free(&row);
    if (rc == 0)
        rc = tl_sweep_plan_build(&w->plan, &w->spec, err);
    if (rc == 0 && strcmp(w->plan.id, run_plan_id) != 0)
        rc = tl_err_set(err, TL_ECORRUPT, "the stored spec of plan %s builds plan %s", run_plan_id,
                        w->plan.id);
    outcome o = rc == 0 ? load_data(w, err) : POISON;
    if (o != RAN) {
        tl_sweep_plan_close(&w->plan);
        tl_sweep_spec_close(&w->spec);
        tl_bars_free(&w->bars);
        memset(&w->bars, 0, sizeof(w->bars));
        return o;
    }
    tl_text_copy(w->plan_id, sizeof(w->plan_id), run_plan_id);
    w->loaded = true;
    return RAN;
}

static const redisReply *field(const redisReply *f, const char *name)
{
    for (size_t i = 0; i + 1 < f->elements; i += 2)
        if (f->element[i]->type == REDIS_REPLY_STRING && strcmp(f->element[i]->str, name) == 0 &&
            f->element[i + 1]->type == REDIS_REPLY_STRING)
            return f->element[i + 1];
    return NULL;
}

/* Runs the entry's variant and stores its row (outcome RAN), or says why not. */
static outcome run_entry(worker *w, const redisReply *f, tl_err *err)
{
    const redisReply *pid = field(f, "run_plan_id"), *idx = field(f, "index"),
                     *vid = field(f, "variant_id");
    char *end = NULL;
    unsigned long i = idx ? strtoul(idx->str, &end, 10) : 0;
    if (!pid || !vid || !idx || idx->len == 0 || *end != '\0' ||
        tl_run_id_validate(pid->str, "run_plan_id", err) != 0) {
        if (err->msg[0] == '\0')
            tl_err_set(err, TL_EINVAL, "want fields run_plan_id, index and variant_id");
        return POISON;
    }
    outcome o = load(w, pid->str, err);
    if (o != RAN)
        return o;
    if (i >= w->plan.count || strcmp(w->plan.variants[i].id, vid->str) != 0) {
        tl_err_set(err, TL_EINVAL, "plan %s has no variant %.20s at index %lu", w->plan.id,
                   vid->str, i);
        return POISON;
    }
    tl_sweep_run_config rc = {
        .plan = &w->plan,
        .spec = &w->spec,
        .bars = &w->bars,
        .starting_equity = w->equity,
        .data_name = w->data_name,
        .clock = &w->clock,
    };
    tl_sweep_result res;
    if (tl_sweep_run_variant(&rc, &w->store, (uint32_t)i, &res, err) != 0) {
        drop_store(w);
        return RETRY;
    }
    logf_(w, "plan %s variant %s (%lu of %u): %s%s", w->plan.id, vid->str, i + 1, w->plan.count,
          res.rc == 0 ? "done" : "failed: ", res.rc == 0 ? "" : res.error);
    if (++w->rows == 1 && w->cfg->die_after_row)
        kill(getpid(), SIGKILL); /* the test hook: the row is durable, the entry unacknowledged */
    return RAN;
}

/* One entry [id, fields] delivered to this consumer: run it, acknowledge it unless RETRY. */
static void handle(worker *w, const redisReply *e, bool claimed)
{
    tl_sweep_worker_config *cfg = w->cfg;
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
        e->element[0]->type != REDIS_REPLY_STRING)
        return;
    const char *id = e->element[0]->str;
    tl_err err = {0};
    /* Fields nil: deleted from the stream since; nothing to run. */
    outcome o =
        e->element[1]->type == REDIS_REPLY_ARRAY ? run_entry(w, e->element[1], &err) : POISON;
    if (o == POISON && err.msg[0])
        logf_(w, "entry %s dropped: %s", id, err.msg);
    if (o == RETRY) {
        logf_(w, "entry %s left pending: %s; retrying in %u ms", id, err.msg, w->backoff_ms);
        tl__sweep_pause(w->backoff_ms, cfg->stop);
        w->backoff_ms = w->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : w->backoff_ms * 2;
        return;
    }
    w->backoff_ms = BACKOFF_MIN_MS;
    redisReply *r = tl__sweep_queue_cmd(cfg->queue, &err, "XACK %s %s %s", cfg->queue->url.key,
                                        TL_SWEEP_QUEUE_GROUP, id);
    if (!r) {
        /* Its row is stored; unacknowledged, it is claimed and run again, to the same row. */
        logf_(w, "entry %s: XACK lost: %s", id, err.msg);
        return;
    }
    freeReplyObject(r);
    if (o == RAN) {
        cfg->done++;
        cfg->claimed += claimed;
    }
}

/* The entries of an XREADGROUP reply [[key, [entry...]]]: how many. */
static size_t handle_read(worker *w, const redisReply *r, char *cursor, size_t cap)
{
    size_t n = 0;
    for (size_t s = 0; r->type == REDIS_REPLY_ARRAY && s < r->elements; s++) {
        const redisReply *st = r->element[s];
        if (st->type != REDIS_REPLY_ARRAY || st->elements < 2 ||
            st->element[1]->type != REDIS_REPLY_ARRAY)
            continue;
        for (size_t i = 0; i < st->element[1]->elements; i++, n++) {
            const redisReply *e = st->element[1]->element[i];
            if (cursor && e->type == REDIS_REPLY_ARRAY && e->elements >= 1 &&
                e->element[0]->type == REDIS_REPLY_STRING)
                snprintf(cursor, cap, "%s", e->element[0]->str);
            handle(w, e, false);
        }
    }
    return n;
}

/* One step: a claim page when one is due, else a read. TL_EIO when the connection is lost. */
static int step(worker *w, tl_err *err)
{
    tl_sweep_worker_config *cfg = w->cfg;
    tl_sweep_queue *q = cfg->queue;
    uint32_t every = cfg->idle_ms / 2 > 100 ? cfg->idle_ms / 2 : 100;
    redisReply *r;
    if (tl__sweep_ms() >= w->next_claim_ms) {
        r = tl__sweep_queue_cmd(q, err, "XAUTOCLAIM %s %s %s %u %s COUNT 1", q->url.key,
                                TL_SWEEP_QUEUE_GROUP, cfg->consumer, cfg->idle_ms, w->claim_cursor);
        if (!r)
            return TL_EIO;
        /* [next cursor, [entries], [deleted ids]] */
        if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
            r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_ARRAY) {
            snprintf(w->claim_cursor, sizeof(w->claim_cursor), "%s", r->element[0]->str);
            for (size_t i = 0; i < r->element[1]->elements; i++) {
                logf_(w, "claimed an entry left pending by a worker");
                handle(w, r->element[1]->element[i], true);
            }
            if (strcmp(w->claim_cursor, "0-0") == 0) /* a whole pass: the next one later */
                w->next_claim_ms = tl__sweep_ms() + every;
        } else {
            logf_(w, "XAUTOCLAIM refused: %.120s",
                  r->type == REDIS_REPLY_ERROR ? r->str : "an unexpected reply");
            w->next_claim_ms = tl__sweep_ms() + every;
        }
        freeReplyObject(r);
        return 0;
    }
    uint32_t block = every < BLOCK_MAX_MS ? every : BLOCK_MAX_MS;
    if (w->history)
        r = tl__sweep_queue_cmd(q, err, "XREADGROUP GROUP %s %s COUNT 1 STREAMS %s %s",
                                TL_SWEEP_QUEUE_GROUP, cfg->consumer, q->url.key, w->history_cursor);
    else
        r = tl__sweep_queue_cmd(q, err, "XREADGROUP GROUP %s %s COUNT 1 BLOCK %u STREAMS %s >",
                                TL_SWEEP_QUEUE_GROUP, cfg->consumer, block, q->url.key);
    if (!r)
        return TL_EIO;
    if (r->type == REDIS_REPLY_ERROR) {
        /* NOGROUP (the group was destroyed): connecting again creates it. */
        tl_err_set(err, TL_EIO, "XREADGROUP refused: %.120s", r->str);
        freeReplyObject(r);
        tl_sweep_queue_drop(q);
        return TL_EIO;
    }
    size_t n = w->history ? handle_read(w, r, w->history_cursor, sizeof(w->history_cursor))
                          : handle_read(w, r, NULL, 0);
    if (w->history && n == 0)
        w->history = false; /* the backlog of this consumer is done */
    freeReplyObject(r);
    return 0;
}

int tl_sweep_worker_run(tl_sweep_worker_config *cfg, tl_err *err)
{
    worker *w = calloc(1, sizeof(*w));
    if (!w)
        return tl_err_set(err, TL_ENOMEM, "sweep-worker: out of memory");
    w->cfg = cfg;
    w->backoff_ms = BACKOFF_MIN_MS;
    tl_clock_init_real(&w->clock);
    /* Redis first: without it nothing is written anywhere, not even a new store file. */
    int rc = cfg->queue->c ? 0 : tl_sweep_queue_connect(cfg->queue, err);
    if (rc == 0)
        rc = tl_store_open(&w->store, cfg->db_url, &cfg->store_options, NULL, err);
    w->store_open = rc == 0;
    uint32_t backoff = BACKOFF_MIN_MS;
    bool fresh = true;
    while (rc == 0 && !*cfg->stop) {
        tl_err e = {0};
        if (!cfg->queue->c) {
            if (tl_sweep_queue_connect(cfg->queue, &e) != 0) {
                logf_(w, "%s; reconnecting in %u ms", e.msg, backoff);
                tl__sweep_pause(backoff, cfg->stop);
                backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
                continue;
            }
            logf_(w, "redis %s:%d: connected again", cfg->queue->url.host, cfg->queue->url.port);
            backoff = BACKOFF_MIN_MS;
            fresh = true;
        }
        if (fresh) {
            /* (Re)connected: this consumer's own pending entries, and a claim pass at once. */
            w->history = true;
            snprintf(w->history_cursor, sizeof(w->history_cursor), "0");
            snprintf(w->claim_cursor, sizeof(w->claim_cursor), "0-0");
            w->next_claim_ms = tl__sweep_ms();
            fresh = false;
        }
        if (step(w, &e) == TL_EIO)
            logf_(w, "%s", e.msg);
    }
    unload(w);
    drop_store(w);
    free(w);
    return rc;
}
