/*
 * serve.h -- `tradeloop serve`: the execution service on the host's loop (issue 10, seeds 002 and
 * 003).
 *
 * Inputs, all on one libuv loop in one thread (the engine needs no lock):
 *   - Redis (optional): orders from the `orders` channel (pub/sub) or stream (a consumer group),
 *     service/intake_redis.h; each parsed (service/order_msg.h) and given to the core
 *     (service/svc.h); a malformed one answered REJECTED at once, naming the field.
 *   - HTTP (net/http.h): /health, /status, /metrics, /orders, the paper broker of seed 003
 *     (service/svc_paper.h) and the kill switch; the admin endpoints behind X-Admin-Token.
 * The step: a uv_check_t runs after every turn of the loop that received something, and commits
 * what the turn decided -- one transaction for the orders, one per workspace for the intents --
 * and only then answers: the results go out on Redis (a stream entry is acknowledged after its
 * result is written), the HTTP requests waiting for their intents are answered. This is the
 * group commit: every order that arrived in one turn shares one fdatasync.
 *
 * Shutdown (SIGTERM, SIGINT; tl_serve_stop): intake stops (HTTP accepts no new connection, Redis
 * reads no more), what was decided is committed and answered, the answers in flight on Redis are
 * waited for (at most drain_ms), then everything closes and the host's run returns 0.
 *
 * Ownership: the caller allocates the tl_serve and owns the host, the store and the log, which
 * must outlive it; tl_serve_close before tl_host_close.
 */
#ifndef TL_SERVICE_SERVE_H
#define TL_SERVICE_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"
#include "host/host.h"
#include "net/admin_token.h"
#include "net/http.h"
#include "net/prom.h"
#include "service/intake_redis.h"
#include "service/svc.h"
#include "service/svc_paper.h"

typedef struct tl_serve_config {
    const char *listen;           /* HOST:PORT (127.0.0.1:8003) */
    tl_intake_kind intake;        /* 0: no Redis */
    tl_redis_intake_config redis; /* when intake != 0: host, port, password, names; callbacks
                                     are the service's */
    tl_svc_config svc;
    tl_fixed paper_equity;    /* a paper workspace's starting cash (10000) */
    bool allow_reset;         /* POST /execute/paper/reset/{ws} allowed */
    size_t max_body;          /* bytes of a request body (1 MiB) */
    uint32_t drain_ms;        /* shutdown: how long to wait for Redis answers in flight (5000) */
    const char *store_scheme; /* "sqlite", "postgresql", "mem": what /status says (no URL: it may
                                 hold a password) */
    const char *db_url;       /* the store's URL (borrowed), for a run-plan execution's process;
                                 NULL: mem: */
    const char *sweep_exe;    /* the program a run-plan execution runs (borrowed); NULL: this
                                 binary. Tests point it at a wrapper (TRADELOOP_SWEEP_EXE) */
    uint32_t run_plan_timeout_s; /* a run-plan execution's child is stopped past this and its
                                    request answered 504 (600) */
    tl_admin_token token;     /* moved in: the service owns it from tl_serve_start on (even when the
                                 start fails); zeroed: none configured */
} tl_serve_config;

/* The metric series the service keeps (net/prom.h), declared at start. */
typedef struct tl_serve_metrics {
    tl_prom reg;
    tl_prom_series *orders[6];  /* by outcome, tl_order_result_status */
    tl_prom_series *malformed;  /* orders refused unparsed */
    tl_prom_series *fills;      /* fills said */
    tl_prom_series *intents[5]; /* filled, denied, duplicate, refused, failed */
    tl_prom_series *commits, *commit_failures, *collisions;
    tl_prom_series *commit_seconds; /* histogram of a step's commit */
    tl_prom_series *intake_lag;     /* histogram: message received -> answered */
    tl_prom_series *kill_switch, *redis_up, *store_up, *build_info, *uptime;
    tl_prom_series *http_requests;
    struct tl_prom_family *refusals;  /* by reason code: series made as codes appear */
    struct tl_prom_family *positions; /* by symbol: the engine's net positions, at each scrape */
} tl_serve_metrics;

typedef struct tl_serve {
    tl_serve_config cfg;
    tl_host *host;   /* borrowed */
    tl_store *store; /* borrowed */
    tl_log *log;     /* borrowed */
    tl_svc svc;
    tl_svc_paper paper;
    tl_http http;
    tl_redis_intake intake;
    tl_admin_token token;
    tl_serve_metrics m;
    uv_check_t check; /* the step's end: commit, then answer */
    uv_idle_t idle;   /* active while something waits for the commit (serve.c) */
    uv_timer_t drain;
    struct tl__runplan_exec *exec; /* the run-plan execution under way (serve_runplans.c), or
                                      NULL */
    bool have_svc, have_paper, have_http, have_intake, have_check, have_idle, have_drain;
    bool dirty;    /* something was decided since the last commit */
    bool stopping; /* shutdown under way */
    int64_t started_ns;
    int64_t drain_until_ns;
} tl_serve;

/* Defaults: 127.0.0.1:8003, no Redis, tl_svc_config_default, paper equity 10000, no reset,
 * 1 MiB, 5 s. */
void tl_serve_config_default(tl_serve_config *c);

/* Starts everything on host's loop (live mode): the core recovered from the store, the HTTP
 * server listening, Redis connecting. On failure nothing is left running (tl_serve_close is
 * still due). */
int tl_serve_start(tl_serve *s, const tl_serve_config *cfg, tl_host *host, tl_store *store,
                   tl_log *log, tl_err *err);
/* Begins the shutdown (see above); the host's run returns when it is done. */
void tl_serve_stop(tl_serve *s);
void tl_serve_close(tl_serve *s);

/* Internal, shared by serve*.c. */
int tl__serve_metrics_init(tl_serve *s, tl_err *err);
void tl__serve_metrics_scrape(tl_serve *s); /* gauges read at GET /metrics */
int tl__serve_http_start(tl_serve *s, tl_err *err);
int tl__serve_bus_start(tl_serve *s, tl_err *err);
void tl__serve_mark(tl_serve *s); /* something waits for the step's commit */
/* Counts one refused order under its reason code (a risk rule's name, VENUE, MALFORMED, ...). */
void tl__serve_count_refusal(tl_serve *s, const char *code);
int64_t tl__serve_wall_ns(void);
/* The admin token's check (serve_http.c): 0 when right, else answered (401, 503) and 1. */
int tl__serve_guard(tl_serve *s, tl_http_req *req);
/* The run-plan endpoints (serve_runplans.c) and their routes, for serve_http.c's table. */
int tl__serve_runplan_generate(void *ctx, tl_http_req *req, tl_err *err);
int tl__serve_runplan_execute(void *ctx, tl_http_req *req, tl_err *err);
#define TL__SERVE_RUNPLAN_ROUTES(s)                                                              \
    {"POST", "/testing/run-plans/generate", 0, tl__serve_runplan_generate, (s)},                  \
    {                                                                                              \
        "POST", "/testing/run-plans/generate-and-execute", TL_HTTP_FORM,                           \
            tl__serve_runplan_execute, (s)                                                         \
    }
/* Shutdown: a run-plan execution under way is stopped and answered 503. */
void tl__serve_runplans_close(tl_serve *s);

#endif /* TL_SERVICE_SERVE_H */
