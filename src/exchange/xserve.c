/* xserve.c -- `tradeloop exchange`'s life: recovery, funding, the commit that releases answers,
 * shutdown (see xserve.h). */
#include "exchange/xserve.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/vec.h"

void tl_xserve_config_default(tl_xserve_config *c)
{
    memset(c, 0, sizeof(*c));
    c->listen = TL_XSERVE_LISTEN_DEFAULT;
    c->fee_bps = 10;
    tl_bapi_rl_limits_default(&c->limits);
    c->makers = true;
    c->maker_account = "maker";
    c->seed = 1;
}

int64_t tl__xserve_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * TL_NS_PER_SEC + ts.tv_nsec;
}

/* What a request hears when the exchange cannot answer it (out of memory, a failed commit). */
static const char unknown_error[] = "{\"code\":-1000,\"msg\":\"An unknown error occurred while "
                                    "processing the request.\"}";

static void on_idle(uv_idle_t *h)
{
    (void)h; /* its being active makes the loop's poll return at once: see tl__xserve_mark */
}

void tl__xserve_mark(tl_xserve *s)
{
    if (s->have_idle && !uv_is_active((uv_handle_t *)&s->idle))
        uv_idle_start(&s->idle, on_idle);
}

static void send_answer(tl_xanswer *a)
{
    const char *hdr[2 * 4 + 1];
    int k = 0;
    for (int i = 0; i < a->n_headers; i++) {
        hdr[k++] = a->headers[i].name;
        hdr[k++] = a->headers[i].value;
    }
    hdr[k] = NULL;
    tl_http_reply_headers(a->req, a->status, "application/json;charset=UTF-8", a->body, a->len,
                          hdr);
}

void tl__xserve_answer(tl_xserve *s, tl_http_req *req, unsigned status, const char *body,
                       size_t len, const tl_bapi_header *headers, int n_headers)
{
    tl_xanswer a = {req, status, NULL, len, {{0}}, n_headers};
    memcpy(a.headers, headers, sizeof(*headers) * (size_t)n_headers);
    tl_event *ev;
    if (tl_xcore_pending(&s->x, &ev) == 0 && s->n_waiting == 0) {
        a.body = (char *)body;
        send_answer(&a);
        return;
    }
    /* Events wait for the commit: this answer goes out after it, in order. */
    if (TL_VEC_RESERVE(&s->waiting, &s->cap_waiting, s->n_waiting + 1) != 0 ||
        !(a.body = malloc(len + 1))) {
        tl_http_reply(req, 500, "application/json;charset=UTF-8", unknown_error,
                      sizeof(unknown_error) - 1);
        return;
    }
    memcpy(a.body, body, len);
    a.body[len] = '\0';
    s->waiting[s->n_waiting++] = a;
    tl__xserve_mark(s);
}

static void log_msg(tl_xserve *s, int level, const char *msg, const char *error)
{
    if (tl_log_begin(s->log, level, tl__xserve_now_ns(), msg)) {
        if (error)
            tl_jw_kv_str(tl_log_fields(s->log), "error", error);
        tl_log_end(s->log);
    }
}

/* Appends the pending events: 0, or the store's error (nothing of them stored). */
static int commit(tl_xserve *s, tl_err *err)
{
    tl_event *ev;
    size_t n = tl_xcore_pending(&s->x, &ev);
    if (n == 0)
        return 0;
    int rc = tl_store_append(s->store, ev, n, NULL, 0, NULL, 0, err);
    if (rc == 0) {
        s->commits++;
        s->events_committed += n;
        tl_xcore_committed(&s->x);
    }
    return rc;
}

/* The turn's end: commit what is pending, then send what waited for it. */
static void flush(tl_xserve *s)
{
    if (s->have_idle)
        uv_idle_stop(&s->idle);
    if (s->n_waiting == 0 && s->x.n_pending == 0)
        return;
    tl_err err = {0};
    if (!s->halted && commit(s, &err) != 0) {
        /* The core is ahead of its journal: nothing it decided since the last commit may be
         * said. Everyone waiting hears -1000; the process stops and a restart recovers. */
        s->halted = true;
        log_msg(s, TL_LOG_ERROR, "commit failed: the exchange stops", err.msg);
        tl_xserve_stop(s);
    }
    for (size_t i = 0; i < s->n_waiting; i++) {
        tl_xanswer *a = &s->waiting[i];
        if (s->halted)
            tl_http_reply(a->req, 500, "application/json;charset=UTF-8", unknown_error,
                          sizeof(unknown_error) - 1);
        else
            send_answer(a);
        free(a->body);
    }
    s->n_waiting = 0;
}

static void on_check(uv_check_t *h)
{
    flush(h->data);
}

/* Accounts of the keys file: the core's account of each, funded when the journal never saw it. */
static int open_accounts(tl_xserve *s, tl_err *err)
{
    const tl_bapi_keys *k = s->keys;
    s->key_account = calloc(k->count ? k->count : 1, sizeof(*s->key_account));
    s->key_rl = calloc(k->count ? k->count : 1, sizeof(*s->key_rl));
    if (!s->key_account || !s->key_rl)
        return tl_err_set(err, TL_ENOMEM, "exchange: out of memory");
    if (tl_hashmap_init(&s->key_index, k->count ? k->count : 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "exchange: out of memory");
    s->have_key_index = true;
    int64_t now = tl__xserve_now_ns();
    for (uint32_t i = 0; i < k->count; i++) {
        const tl_bapi_key *key = &k->keys[i];
        if (tl_hashmap_insert_multi(&s->key_index,
                                    tl_hash_bytes(key->api_key, strlen(key->api_key)), i) != 0)
            return tl_err_set(err, TL_ENOMEM, "exchange: out of memory");
        bool known = tl_xcore_find_account(&s->x, key->account) >= 0;
        int rc = tl_xcore_account(&s->x, key->account, &s->key_account[i], err);
        tl_bapi_rl_account_init(&s->key_rl[i]);
        for (uint32_t b = 0; rc == 0 && !known && b < key->n_balances; b++) {
            const tl_bapi_balance *bal = &k->balances[key->first_balance + b];
            rc = tl_xcore_fund(&s->x, s->key_account[i], bal->asset, bal->amount, now, err);
        }
        if (rc != 0)
            return rc;
    }
    return commit(s, err);
}

static void arm_makers(tl_xserve *s);

static void on_makers(uv_timer_t *t)
{
    tl_xserve *s = t->data;
    if (s->stopping)
        return;
    tl_err err = {0};
    if (tl_xmm_step(&s->mm, &s->x, tl__xserve_now_ns(), &err) != 0) {
        s->halted = true;
        log_msg(s, TL_LOG_ERROR, "market makers failed: the exchange stops", err.msg);
        tl_xserve_stop(s);
        return;
    }
    tl__xserve_mark(s); /* their events are committed at the end of this turn */
    arm_makers(s);
}

static void arm_makers(tl_xserve *s)
{
    int64_t due = tl_xmm_next_due(&s->mm), now = tl__xserve_now_ns();
    uint64_t ms = due == INT64_MIN || due <= now ? 0 : (uint64_t)((due - now + 999999) / 1000000);
    uv_timer_start(&s->mm_timer, on_makers, ms, 0);
}

/* The makers of every symbol: a walk each, or the quotes file's mids where it has them. */
static int start_makers(tl_xserve *s, tl_err *err)
{
    tl_xmm_symbol_cfg cfg[TL_X_MAX_SYMBOLS];
    tl_fixed *mids[TL_X_MAX_SYMBOLS] = {0};
    size_t n = s->x.n_symbols, with_quotes = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const tl_xsymbol_cfg *sym = &s->x.symbols[i].cfg;
        tl_xmm_defaults(&cfg[i], sym->name);
        if (!s->cfg.maker_quotes)
            continue;
        tl_err e = {0};
        rc = tl_xmm_csv_load(s->cfg.maker_quotes, sym->name, sym->tick, &mids[i], &cfg[i].n_mids,
                             &e);
        if (rc == TL_ENOTFOUND) {
            rc = 0; /* this symbol walks */
        } else if (rc != 0) {
            *err = e;
        } else {
            cfg[i].mids = mids[i];
            with_quotes++;
        }
    }
    if (rc == 0 && s->cfg.maker_quotes && with_quotes == 0)
        rc = tl_err_set(err, TL_EINVAL, "%s: no quote of any symbol of the exchange",
                        s->cfg.maker_quotes);
    if (rc == 0)
        rc = tl_xmm_init(&s->mm, &s->x, s->cfg.maker_account, s->cfg.seed, cfg, n, err);
    for (size_t i = 0; i < n; i++)
        free(mids[i]); /* init copied them */
    if (rc != 0)
        return rc;
    s->have_mm = true;
    uv_timer_init(&s->host->loop, &s->mm_timer);
    s->mm_timer.data = s;
    s->have_mm_timer = true;
    arm_makers(s);
    return 0;
}

int tl__xserve_key(const tl_xserve *s, const char *api_key, size_t len)
{
    uint64_t cursor = 0;
    uint32_t i;
    while (tl_hashmap_next_match(&s->key_index, tl_hash_bytes(api_key, len), &cursor, &i)) {
        const char *k = s->keys->keys[i].api_key;
        if (strlen(k) == len && memcmp(k, api_key, len) == 0)
            return (int)i;
    }
    return -1;
}

static int on_signal(void *ctx, int signum, tl_err *err)
{
    (void)signum;
    (void)err;
    tl_xserve_stop(ctx);
    return 0;
}

int tl_xserve_start(tl_xserve *s, const tl_xserve_config *cfg, tl_host *host, tl_store *store,
                    const tl_bapi_keys *keys, tl_log *log, tl_err *err)
{
    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    s->host = host;
    s->store = store;
    s->keys = keys;
    s->log = log;
    tl_bapi_rl_ip_init(&s->ip_rl);
    int rc = tl_xcore_init(&s->x, tl_xsymbols_default, tl_xsymbols_default_n, cfg->fee_bps, err);
    if (rc != 0)
        return rc;
    s->have_core = true;
    uint64_t events = 0;
    if ((rc = tl_xcore_recover(&s->x, store, &events, err)) != 0 ||
        (rc = open_accounts(s, err)) != 0)
        return rc;
    uv_loop_t *loop = &host->loop;
    uv_check_init(loop, &s->check);
    s->check.data = s;
    uv_check_start(&s->check, on_check);
    s->have_check = true;
    uv_idle_init(loop, &s->idle);
    s->idle.data = s;
    s->have_idle = true;
    if (cfg->makers && (rc = start_makers(s, err)) != 0)
        return rc;
    if ((rc = tl_host_on_signal(host, SIGTERM, on_signal, s, err)) != 0 ||
        (rc = tl_host_on_signal(host, SIGINT, on_signal, s, err)) != 0)
        return rc;
    tl_http_route routes[TL_HTTP_MAX_ROUTES];
    size_t n = tl__xrest_routes(s, routes, TL_HTTP_MAX_ROUTES);
    tl_http_options opt = {.listen = cfg->listen ? cfg->listen : TL_XSERVE_LISTEN_DEFAULT};
    if ((rc = tl_http_start(&s->http, loop, &opt, routes, n, err)) != 0)
        return rc;
    s->have_http = true;
    if (tl_log_begin(log, TL_LOG_INFO, tl__xserve_now_ns(), "exchange listening")) {
        tl_jw *w = tl_log_fields(log);
        tl_jw_kv_uint(w, "accounts", s->x.n_accounts);
        tl_jw_kv_uint(w, "events_recovered", events);
        tl_jw_kv_bool(w, "makers", s->have_mm);
        tl_jw_kv_str(w, "listen", s->http.listen);
        tl_jw_kv_uint(w, "orders", s->x.n_orders);
        tl_jw_kv_uint(w, "port", tl_http_port(&s->http));
        tl_log_end(log);
    }
    return 0;
}

uint16_t tl_xserve_port(const tl_xserve *s)
{
    return tl_http_port(&s->http);
}

void tl_xserve_stop(tl_xserve *s)
{
    if (s->stopping)
        return;
    s->stopping = true;
    if (s->have_http)
        tl_http_quiesce(&s->http);
    if (s->have_mm_timer)
        uv_timer_stop(&s->mm_timer);
    flush(s); /* what was decided is committed and answered now */
    tl_host_stop(s->host);
}

void tl_xserve_close(tl_xserve *s)
{
    if (s->have_core)
        flush(s);
    if (s->have_http)
        tl_http_close(&s->http);
    if (s->have_mm_timer)
        uv_close((uv_handle_t *)&s->mm_timer, NULL);
    if (s->have_mm)
        tl_xmm_close(&s->mm);
    if (s->have_check)
        uv_close((uv_handle_t *)&s->check, NULL);
    if (s->have_idle)
        uv_close((uv_handle_t *)&s->idle, NULL);
    for (size_t i = 0; i < s->n_waiting; i++)
        free(s->waiting[i].body);
    free(s->waiting);
    free(s->key_account);
    free(s->key_rl);
    if (s->have_key_index)
        tl_hashmap_close(&s->key_index);
    if (s->have_core)
        tl_xcore_close(&s->x);
    s->have_http = s->have_check = s->have_idle = s->have_core = false;
    s->have_mm = s->have_mm_timer = s->have_key_index = false;
}
