/*
 * queue.c -- the queue's URL and connection, and the submitter's side (queue.h); the worker's
 * side is queue_worker.c.
 */
#include "sweep/queue.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "core/text.h"
#include "sweep/queue_int.h"

#define SUBMIT_CHUNK   1000  /* XADDs pipelined per round trip */
#define POLL_MS        100   /* between two looks at the group */
#define GIVE_UP_MS     60000 /* the submitter's Redis down this long: the sweep fails */
#define BACKOFF_MAX_MS 5000

int tl_sweep_queue_url_parse(const char *url, tl_sweep_queue_url *out, tl_err *err)
{
    static const char scheme[] = "redis://";
    char show[TL_TEXT_SHOW_MAX];
    const char *u = url ? url : "";
    tl__text_show(u, strlen(u), show, sizeof(show));
    if (strncmp(u, scheme, sizeof(scheme) - 1) != 0)
        return tl_err_set(err, TL_EINVAL, "'%s': want redis://HOST[:PORT][/KEY]", show);
    const char *h = u + sizeof(scheme) - 1;
    size_t hl = strcspn(h, ":/@");
    const char *at = strchr(h, '@'), *slash = strchr(h, '/');
    if (at && (!slash || at < slash)) /* user info before the path: a key may hold '@' */
        return tl_err_set(err, TL_EINVAL,
                          "'%s': no user or password in the URL (REDIS_PASSWORD carries it)", show);
    if (hl == 0 || hl >= TL_SWEEP_QUEUE_HOST_MAX)
        return tl_err_set(err, TL_EINVAL, "'%s': want a host name or address", show);
    for (size_t i = 0; i < hl; i++)
        if (!(h[i] == '.' || h[i] == '-' || (h[i] >= '0' && h[i] <= '9') ||
              (h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z')))
            return tl_err_set(err, TL_EINVAL, "'%s': a host is letters, digits, '.' and '-'", show);
    tl_sweep_queue_url r;
    memset(&r, 0, sizeof(r));
    memcpy(r.host, h, hl);
    r.port = 6379;
    const char *p = h + hl;
    if (*p == ':') {
        long port = 0;
        size_t nd = 0;
        for (p++; *p >= '0' && *p <= '9' && nd < 6; p++, nd++)
            port = port * 10 + (*p - '0');
        if (nd == 0 || nd > 5 || port < 1 || port > 65535 || (*p && *p != '/'))
            return tl_err_set(err, TL_EINVAL, "'%s': want a port in 1..65535", show);
        r.port = (int)port;
    }
    const char *key = TL_SWEEP_QUEUE_KEY_DEFAULT;
    if (*p == '/' && p[1] != '\0')
        key = p + 1;
    size_t kl = strlen(key);
    if (kl >= TL_SWEEP_QUEUE_KEY_MAX)
        return tl_err_set(err, TL_EINVAL, "'%s': the stream key is longer than %d bytes", show,
                          TL_SWEEP_QUEUE_KEY_MAX - 1);
    for (size_t i = 0; i < kl; i++)
        if ((unsigned char)key[i] <= 0x20 || (unsigned char)key[i] >= 0x7f)
            return tl_err_set(err, TL_EINVAL,
                              "'%s': the stream key is printable ASCII without spaces", show);
    memcpy(r.key, key, kl + 1);
    *out = r;
    return 0;
}

void tl_sweep_queue_init(tl_sweep_queue *q, const tl_sweep_queue_url *url, const char *password)
{
    memset(q, 0, sizeof(*q));
    q->url = *url;
    q->password = password;
    q->timeout_ms = 10000;
}

void tl_sweep_queue_drop(tl_sweep_queue *q)
{
    if (q->c)
        redisFree(q->c);
    q->c = NULL;
}

void tl_sweep_queue_close(tl_sweep_queue *q)
{
    tl_sweep_queue_drop(q);
}

/* The connection's failure as err (TL_EIO), and the connection dropped. */
static int lost(tl_sweep_queue *q, tl_err *err)
{
    redisContext *c = q->c;
    tl_err_set(err, TL_EIO, "redis %s:%d: %s", q->url.host, q->url.port,
               c && c->err ? c->errstr : "connection lost");
    tl_sweep_queue_drop(q);
    return TL_EIO;
}

struct redisReply *tl__sweep_queue_cmd(tl_sweep_queue *q, tl_err *err, const char *fmt, ...)
{
    if (!q->c) {
        tl_err_set(err, TL_EIO, "redis %s:%d: not connected", q->url.host, q->url.port);
        return NULL;
    }
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(q->c, fmt, ap);
    va_end(ap);
    if (!r)
        lost(q, err);
    return r;
}

int tl_sweep_queue_connect(tl_sweep_queue *q, tl_err *err)
{
    tl_sweep_queue_drop(q);
    struct timeval tv = {(time_t)(q->timeout_ms / 1000),
                         (suseconds_t)(q->timeout_ms % 1000) * 1000};
    q->c = redisConnectWithTimeout(q->url.host, q->url.port, tv);
    if (!q->c)
        return tl_err_set(err, TL_ENOMEM, "redis: out of memory");
    if (((redisContext *)q->c)->err || redisSetTimeout(q->c, tv) != REDIS_OK)
        return lost(q, err);
    redisReply *r;
    if (q->password && q->password[0]) {
        if (!(r = tl__sweep_queue_cmd(q, err, "AUTH %s", q->password)))
            return TL_EIO;
        int bad = r->type == REDIS_REPLY_ERROR;
        if (bad)
            tl_err_set(err, TL_EIO, "redis %s:%d: AUTH refused: %.120s", q->url.host, q->url.port,
                       r->str);
        freeReplyObject(r);
        if (bad) {
            tl_sweep_queue_drop(q);
            return TL_EIO;
        }
    }
    /* The group at 0: entries added before any worker joined are still delivered. */
    if (!(r = tl__sweep_queue_cmd(q, err, "XGROUP CREATE %s %s 0 MKSTREAM", q->url.key,
                                  TL_SWEEP_QUEUE_GROUP)))
        return TL_EIO;
    int bad = r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0;
    if (bad)
        tl_err_set(err, TL_EIO, "redis %s:%d: XGROUP CREATE %s refused: %.120s", q->url.host,
                   q->url.port, q->url.key, r->str);
    freeReplyObject(r);
    if (bad)
        tl_sweep_queue_drop(q);
    return bad ? TL_EIO : 0;
}

void tl__sweep_data_key(const tl_sweep_queue *q, const char *run_plan_id, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s:plan:%s", q->url.key, run_plan_id);
}

int64_t tl__sweep_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tl__sweep_pause(uint32_t ms, volatile sig_atomic_t *stop)
{
    /* In slices, so a stop request is seen within 50 ms. */
    while (ms > 0 && !(stop && *stop)) {
        uint32_t step = ms < 50 ? ms : 50;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

int tl__sweep_id_parse(const char *s, size_t len, tl__sweep_id *out)
{
    uint64_t v[2] = {0, 0};
    int part = 0;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '-' && part == 0 && digits > 0) {
            part = 1;
            digits = 0;
        } else if (s[i] >= '0' && s[i] <= '9' && digits < 19) {
            v[part] = v[part] * 10 + (uint64_t)(s[i] - '0');
            digits++;
        } else {
            return TL_EINVAL;
        }
    }
    if (part != 1 || digits == 0)
        return TL_EINVAL;
    out->ms = v[0];
    out->seq = v[1];
    return 0;
}

static int id_cmp(const tl__sweep_id *a, const tl__sweep_id *b)
{
    if (a->ms != b->ms)
        return a->ms < b->ms ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

int tl_sweep_queue_read_file(const char *path, char **buf, size_t *len, tl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return tl_err_set(err, TL_EIO, "%s: %s", path, strerror(errno));
    char *b = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 1u << 16;
            char *nb = ncap <= (size_t)TL_SWEEP_QUEUE_DATA_MAX + 1 ? realloc(b, ncap) : NULL;
            if (!nb) {
                rc = tl_err_set(err, cap >= TL_SWEEP_QUEUE_DATA_MAX ? TL_EIO : TL_ENOMEM,
                                "%s: larger than a queued sweep's %u bytes of data", path,
                                TL_SWEEP_QUEUE_DATA_MAX);
                break;
            }
            b = nb;
            cap = ncap;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = tl_err_set(err, TL_EIO, "%s: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (rc == 0 && n > TL_SWEEP_QUEUE_DATA_MAX)
        rc = tl_err_set(err, TL_EIO, "%s: larger than a queued sweep's %u bytes of data", path,
                        TL_SWEEP_QUEUE_DATA_MAX);
    if (rc != 0) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = n;
    return 0;
}

void tl_sweep_result_from_row(const tl_run_variant_row *row, tl_sweep_result *r)
{
    memset(r, 0, sizeof(*r));
    if (row->status != TL_RUN_DONE) {
        r->rc = TL_EIO; /* the code is not stored: any failure */
        tl_text_copy(r->error, sizeof(r->error), row->error);
        return;
    }
    tl_bt_metrics *m = &r->metrics;
    m->trade_count = (uint64_t)row->trade_count;
    m->return_pct = row->return_pct;
    m->max_drawdown_pct = row->max_drawdown_pct;
    m->has_sharpe = row->has_sharpe;
    m->sharpe = row->sharpe;
    m->has_win_rate = row->has_win_rate;
    m->win_rate = row->win_rate;
    m->has_profit_factor = row->has_profit_factor;
    m->profit_factor = row->profit_factor;
    m->ending_equity = row->ending_equity;
    tl_text_copy(r->state_digest, sizeof(r->state_digest), row->state_digest);
}

/* Step 2: what a worker needs besides the plan's row. */
static int put_data(tl_sweep_queue *q, const tl_sweep_run_config *cfg, const char *data, size_t len,
                    tl_err *err)
{
    char key[TL_SWEEP_QUEUE_KEY_MAX + 32], eq[TL_FIXED_STRLEN];
    tl__sweep_data_key(q, cfg->plan->id, key, sizeof(key));
    if (tl_fixed_format(cfg->starting_equity, eq, sizeof(eq)) <= 0)
        return tl_err_set(err, TL_ERANGE, "sweep: starting equity does not format");
    redisReply *r = tl__sweep_queue_cmd(q, err, "HSET %s data %b data_name %s starting_equity %s",
                                        key, data, len, cfg->data_name ? cfg->data_name : "", eq);
    if (!r)
        return TL_EIO;
    int rc = r->type == REDIS_REPLY_ERROR
                 ? tl_err_set(err, TL_EIO, "redis: HSET %s refused: %.120s", key, r->str)
                 : 0;
    freeReplyObject(r);
    return rc;
}

/* Step 3: one entry per variant, pipelined in chunks; ids[i] gets variant i's entry id. */
static int add_entries(tl_sweep_queue *q, const tl_sweep_plan *plan, tl__sweep_id *ids, tl_err *err)
{
    for (uint32_t start = 0; start < plan->count; start += SUBMIT_CHUNK) {
        uint32_t end = plan->count - start > SUBMIT_CHUNK ? start + SUBMIT_CHUNK : plan->count;
        if (!q->c)
            return tl_err_set(err, TL_EIO, "redis: not connected");
        for (uint32_t i = start; i < end; i++)
            if (redisAppendCommand(q->c, "XADD %s * run_plan_id %s index %u variant_id %s",
                                   q->url.key, plan->id, i, plan->variants[i].id) != REDIS_OK)
                return lost(q, err);
        int rc = 0;
        for (uint32_t i = start; i < end; i++) {
            redisReply *r = NULL;
            if (redisGetReply(q->c, (void **)&r) != REDIS_OK || !r)
                return lost(q, err);
            if (rc == 0 &&
                (r->type != REDIS_REPLY_STRING || tl__sweep_id_parse(r->str, r->len, &ids[i]) != 0))
                rc = tl_err_set(err, TL_EIO, "redis: XADD %s refused: %.120s", q->url.key,
                                r->type == REDIS_REPLY_ERROR ? r->str : "an unexpected reply");
            freeReplyObject(r);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* How many of ids[0..n) (ascending) are <= id. */
static uint32_t upto(const tl__sweep_id *ids, uint32_t n, const tl__sweep_id *id)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (id_cmp(&ids[mid], id) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Step 4, once: *done = our entries delivered and no longer pending. */
static int count_done(tl_sweep_queue *q, const tl__sweep_id *ids, uint32_t n, uint32_t *done,
                      tl_err *err)
{
    redisReply *r = tl__sweep_queue_cmd(q, err, "XINFO GROUPS %s", q->url.key);
    if (!r)
        return TL_EIO;
    tl__sweep_id last = {0, 0};
    bool found = false;
    for (size_t g = 0; r->type == REDIS_REPLY_ARRAY && g < r->elements && !found; g++) {
        const redisReply *e = r->element[g];
        const char *name = NULL, *ld = NULL;
        size_t ldlen = 0;
        for (size_t k = 0; e->type == REDIS_REPLY_ARRAY && k + 1 < e->elements; k += 2) {
            const redisReply *f = e->element[k], *v = e->element[k + 1];
            if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
                continue;
            if (strcmp(f->str, "name") == 0)
                name = v->str;
            else if (strcmp(f->str, "last-delivered-id") == 0)
                ld = v->str, ldlen = v->len;
        }
        found = name && ld && strcmp(name, TL_SWEEP_QUEUE_GROUP) == 0 &&
                tl__sweep_id_parse(ld, ldlen, &last) == 0;
    }
    freeReplyObject(r);
    if (!found)
        return tl_err_set(err, TL_ENOTFOUND, "redis: the group %s of %s is gone",
                          TL_SWEEP_QUEUE_GROUP, q->url.key);
    uint32_t delivered = upto(ids, n, &last);
    char lo[48], hi[48];
    snprintf(lo, sizeof(lo), "%" PRIu64 "-%" PRIu64, ids[0].ms, ids[0].seq);
    snprintf(hi, sizeof(hi), "%" PRIu64 "-%" PRIu64, ids[n - 1].ms, ids[n - 1].seq);
    if (!(r = tl__sweep_queue_cmd(q, err, "XPENDING %s %s %s %s %u", q->url.key,
                                  TL_SWEEP_QUEUE_GROUP, lo, hi, n)))
        return TL_EIO;
    if (r->type != REDIS_REPLY_ARRAY) {
        tl_err_set(err, TL_EIO, "redis: XPENDING refused: %.120s",
                   r->type == REDIS_REPLY_ERROR ? r->str : "an unexpected reply");
        freeReplyObject(r);
        return TL_EIO;
    }
    uint32_t pending = 0;
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *e = r->element[i];
        tl__sweep_id id;
        if (e->type == REDIS_REPLY_ARRAY && e->elements >= 1 &&
            e->element[0]->type == REDIS_REPLY_STRING &&
            tl__sweep_id_parse(e->element[0]->str, e->element[0]->len, &id) == 0) {
            uint32_t k = upto(ids, n, &id);
            pending += k > 0 && id_cmp(&ids[k - 1], &id) == 0; /* ours, not another sweep's */
        }
    }
    freeReplyObject(r);
    *done = delivered >= pending ? delivered - pending : 0;
    return 0;
}

static int wait_done(tl_sweep_queue *q, const tl_sweep_run_config *cfg, const tl__sweep_id *ids,
                     tl_err *err)
{
    uint32_t n = cfg->plan->count, shown = UINT32_MAX, backoff = 100;
    int64_t down_since = -1;
    for (;;) {
        uint32_t done = 0;
        int rc = q->c ? 0 : tl_sweep_queue_connect(q, err);
        if (rc == 0)
            rc = count_done(q, ids, n, &done, err);
        if (rc == TL_EIO) {
            /* Lost: try again with a backoff, for a while. */
            int64_t now = tl__sweep_ms();
            if (down_since < 0)
                down_since = now;
            if (now - down_since >= GIVE_UP_MS)
                return rc;
            tl_sweep_queue_drop(q);
            tl__sweep_pause(backoff, NULL);
            backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
            continue;
        }
        if (rc != 0)
            return rc;
        down_since = -1;
        backoff = 100;
        if (done != shown && cfg->progress)
            cfg->progress(cfg->ctx, done, n);
        shown = done;
        if (done >= n)
            return 0;
        tl__sweep_pause(POLL_MS, NULL);
    }
}

/* Every variant's row, into results. */
static int collect(tl_store *st, const tl_sweep_run_config *cfg, tl_sweep_result *results,
                   tl_err *err)
{
    const tl_sweep_plan *plan = cfg->plan;
    tl_run_variant_row *rows = calloc(plan->count, sizeof(*rows));
    bool *got = calloc(plan->count, sizeof(*got));
    size_t n = 0;
    int rc = rows && got ? tl_store_run_variants(st, plan->id, rows, plan->count, &n, err)
                         : tl_err_set(err, TL_ENOMEM, "sweep: out of memory");
    for (size_t k = 0; rc == 0 && k < n && k < plan->count; k++) {
        const tl_run_variant_row *row = &rows[k];
        if (row->ord < 0 || row->ord >= plan->count ||
            strcmp(row->variant_id, plan->variants[row->ord].id) != 0)
            continue;
        tl_sweep_result_from_row(row, &results[row->ord]);
        got[row->ord] = true;
    }
    for (uint32_t i = 0; rc == 0 && i < plan->count; i++)
        if (!got[i])
            rc = tl_err_set(err, TL_ENOTFOUND,
                            "sweep: variant %s was acknowledged but has no row in this store "
                            "(are the workers on the same --db?)",
                            plan->variants[i].id);
    free(rows);
    free(got);
    return rc;
}

int tl_sweep_queue_run(tl_sweep_queue *q, const tl_sweep_run_config *cfg, const char *data,
                       size_t len, tl_sweep_result *results, tl_err *err)
{
    /* Redis first: without it nothing is written anywhere, not even a new store file. */
    int rc = q->c ? 0 : tl_sweep_queue_connect(q, err);
    if (rc != 0)
        return rc;
    tl_store st;
    if ((rc = tl_store_open(&st, cfg->db_url, &cfg->store_options, NULL, err)) != 0)
        return rc;
    tl__sweep_id *ids = calloc(cfg->plan->count, sizeof(*ids));
    if (!ids)
        rc = tl_err_set(err, TL_ENOMEM, "sweep: out of memory");
    if (rc == 0)
        rc = tl_sweep_put_plan(cfg, &st, err);
    if (rc == 0)
        rc = put_data(q, cfg, data, len, err);
    if (rc == 0)
        rc = add_entries(q, cfg->plan, ids, err);
    if (rc == 0)
        rc = wait_done(q, cfg, ids, err);
    if (rc == 0)
        rc = collect(&st, cfg, results, err);
    free(ids);
    tl_store_close(&st);
    return rc;
}
