/*
 * xserve.h -- `tradeloop exchange`: the exchange core (xcore.h) behind Binance's spot REST API v3
 * on the host's libuv loop, its journal in a tradeloop store.
 *
 * One thread, like `serve`: libmicrohttpd runs on the loop (src/net/http.h), every handler runs
 * between the loop's other work, and the core needs no lock. A request that changes the exchange
 * (an order, a cancel) leaves its events pending in the core; its answer waits in x->deferred.
 * At the end of the loop's turn (its check phase) the pending events are appended to the store
 * in one transaction (group commit), and only then are the waiting answers sent: nothing is
 * acknowledged before it is durable. A read that arrives while events are pending waits for the
 * same commit, so no client ever sees a state that a crash could take back. A failed commit
 * halts the exchange: every waiting request gets -1000 and the process stops; a restart recovers
 * what was committed (tl_xcore_recover).
 *
 * The market makers (xmm.h), when on, are a client of the core on a timer: each refresh's cancels
 * and quotes are pending events committed at the end of that turn like a request's.
 *
 * Accounts come from the --keys file (src/binapi/keys.h): an account the journal does not know is
 * funded with its balances (BALANCE_FUNDED events, committed before the server listens); one it
 * knows keeps its journaled balances. Secrets stay in memory and are never logged.
 *
 * Ownership: the caller allocates the tl_xserve and keeps the host, store and keys alive until
 * tl_xserve_close.
 */
#ifndef TL_EXCHANGE_XSERVE_H
#define TL_EXCHANGE_XSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "binapi/keys.h"
#include "binapi/ratelimit.h"
#include "core/hashmap.h"
#include "core/log.h"
#include "exchange/xcore.h"
#include "exchange/xmm.h"
#include "host/host.h"
#include "net/http.h"

#define TL_XSERVE_LISTEN_DEFAULT "127.0.0.1:8004"

typedef struct tl_xserve_config {
    const char *listen;             /* NULL: TL_XSERVE_LISTEN_DEFAULT */
    uint32_t fee_bps;               /* commission, both sides */
    tl_bapi_rl_limits limits;       /* rate limits */
    bool makers;                    /* run the market makers (xmm.h) */
    const char *maker_account;      /* their account, one of the keys file ("maker") */
    const char *maker_quotes;       /* NULL: random walks; else a quotes CSV whose mids are the
                                     * path of every symbol it has rows of (the others walk) */
    uint64_t seed;                  /* their walks */
} tl_xserve_config;

void tl_xserve_config_default(tl_xserve_config *c);

/* An answer that waits for the commit. */
typedef struct tl_xanswer {
    tl_http_req *req;
    unsigned status;
    char *body; /* owned */
    size_t len;
    tl_bapi_header headers[4];
    int n_headers;
} tl_xanswer;

typedef struct tl_xserve {
    tl_xserve_config cfg;
    tl_host *host;       /* borrowed */
    tl_store *store;     /* borrowed */
    const tl_bapi_keys *keys; /* borrowed */
    uint32_t *key_account;    /* owned: the core's account of keys->keys[i] */
    tl_hashmap key_index;     /* hash of an API key -> keys->keys index (multi: strings compared) */
    tl_bapi_rl_account *key_rl; /* owned: the order counts of keys->keys[i] */
    tl_bapi_rl_ip ip_rl;      /* request weight, one bucket for every client */
    tl_log *log;              /* borrowed, may be NULL */
    tl_xcore x;
    tl_xmm mm;
    uv_timer_t mm_timer; /* due at the makers' next refresh */
    tl_http http;
    uv_check_t check;
    uv_idle_t idle;
    tl_xanswer *waiting; /* owned: answers held until the commit */
    size_t n_waiting, cap_waiting;
    uint64_t commits, events_committed, requests;
    bool have_core, have_mm, have_mm_timer, have_key_index, have_http, have_check, have_idle;
    bool halted, stopping;
} tl_xserve;

/* Recovers the core from store, funds the keys' new accounts (committed), starts listening. */
int tl_xserve_start(tl_xserve *s, const tl_xserve_config *cfg, tl_host *host, tl_store *store,
                    const tl_bapi_keys *keys, tl_log *log, tl_err *err);
/* Stops listening; what is pending is committed and answered. */
void tl_xserve_stop(tl_xserve *s);
void tl_xserve_close(tl_xserve *s);
uint16_t tl_xserve_port(const tl_xserve *s);

/* ---- internal (xserve.c, xrest.c, xjson.c) ---- */
int64_t tl__xserve_now_ns(void);
/* Answers req now, or after the commit when events are pending. body is copied. */
void tl__xserve_answer(tl_xserve *s, tl_http_req *req, unsigned status, const char *body,
                       size_t len, const tl_bapi_header *headers, int n_headers);
/* The keys->keys index of api_key (len bytes), or -1: one probe, not a scan of the keys file. */
int tl__xserve_key(const tl_xserve *s, const char *api_key, size_t len);
/* Something is pending: the loop must reach its check phase without waiting for I/O. */
void tl__xserve_mark(tl_xserve *s);
/* The routes of the REST API (xrest.c), their context s, into out (room for cap); the count. */
size_t tl__xrest_routes(tl_xserve *s, tl_http_route *out, size_t cap);

#endif /* TL_EXCHANGE_XSERVE_H */
