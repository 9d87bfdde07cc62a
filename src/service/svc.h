/*
 * svc.h -- the execution service's core (issue 10, seed 002): an order in, its outcome out, and
 * the outcome said only once it is durable.
 *
 * Transport-free: the Redis intake and the HTTP API parse their inputs and call tl_svc_submit; the
 * host's step end calls tl_svc_commit, which makes everything the step did durable with ONE
 * forced flush of the engine's journal (group commit: one fdatasync for every order that arrived
 * in the step) and only then hands each order's result to the answer callback it came with. A
 * failed commit answers nothing: the engine halts, the answers are dropped (their messages stay
 * unacknowledged where the transport can say so), and every later call fails with the halt's
 * reason, which /health reports.
 *
 * The orders go to one engine (src/engine/), home workspace cfg.workspace, on the venue of the
 * trading mode: paper -- "paper://", every order filled at once at its own price; mock -- the seed
 * 002 mock: "sim://" seeded, an order filled with probability success_rate (0.95) and rejected
 * otherwise; live -- the venue URL of live_venue (a binance+http(s):// exchange), which must be
 * given: a live venue is never a default. With dry_run an order is validated and answered DRY_RUN,
 * and nothing is executed or journaled.
 *
 * Several engines, one store (a stream's consumer group on PostgreSQL). Each engine has its own
 * workspace; the store numbers their batches apart and refuses a batch that holds a key another
 * engine executed first (TL_EEXIST), or that was decided on a stale state of its workspace
 * (TL_EBUSY). Nothing of such a batch is written: tl_svc_commit rebuilds the engine from the
 * journal and decides the step's orders again -- the raced order_id is now a DUPLICATE with the
 * other engine's outcome -- and commits again (up to TL_SVC_COMMIT_TRIES times).
 *
 * Exactly once. An order's idempotency key is "order|" + its order_id and its engine order id is
 * "SO" + the decision's time + a hash of the key (tl_intake_order_id, exec/intake.h). The same order_id again with the same
 * payload is answered DUPLICATE with the original outcome (also after a restart: the intake is
 * rebuilt from the journal); with another payload it is REJECTED, and nothing is written.
 *
 * Single-threaded: every call on the thread of the host's loop. The store and the clock are
 * borrowed; the rest is owned.
 */
#ifndef TL_SERVICE_SVC_H
#define TL_SERVICE_SVC_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "journal/journal.h"
#include "service/order_msg.h"
#include "store/store.h"
#include "tradeloop/venue.h"

#define TL_SVC_FILLS_MAX 8
#define TL_SVC_COMMIT_TRIES                                                                        \
    4 /* a step decided again after collisions, then the service halts */ /* fills listed in a     \
                                                                             result (an order with \
                                                                             more lists the first  \
                                                                             8) */

typedef enum tl_svc_mode { TL_SVC_PAPER = 1, TL_SVC_MOCK = 2, TL_SVC_LIVE = 3 } tl_svc_mode;

/* "paper", "mock", "live" (any case) -> the mode; TL_EINVAL naming the value otherwise. */
int tl_svc_mode_parse(const char *s, tl_svc_mode *out, tl_err *err);
const char *tl_svc_mode_name(tl_svc_mode m);

typedef struct tl_svc_config {
    char workspace[TL_WORKSPACE_MAX]; /* the engine's ("execution"); one per engine of a group */
    tl_svc_mode mode;
    bool dry_run;
    uint64_t seed;          /* mock: the venue's draws */
    tl_fixed success_rate;  /* mock: probability an order fills, [0, 1] (0.95) */
    tl_fixed starting_cash; /* of the engine's account on a new journal */
    /* live: the venue's URL ("binance+https://host?key_env=..&secret_env=.."), borrowed, outliving
     * the service; NULL or empty refuses live. */
    const char *live_venue;
} tl_svc_config;

/* The venue URL of c's trading mode into url (cap bytes): TL_EINVAL for live without
 * c->live_venue (a live venue is never a default) or a bad mock rate. tl_svc_open uses it;
 * a command checks its flags with it before opening anything. */
int tl_svc_venue_url(const tl_svc_config *c, char *url, size_t cap, tl_err *err);

/* Defaults: workspace "execution", paper, no dry run, seed 42, 0.95, cash 1,000,000,000. */
void tl_svc_config_default(tl_svc_config *c);

typedef struct tl_svc_fill {
    char trade_id[TL_TRADE_ID_MAX];
    tl_fixed qty, price, fee;
    int64_t ts_ns;
} tl_svc_fill;

typedef struct tl_svc_result {
    char order_id[TL_ORDER_MSG_ID_MAX];
    char client_id[TL_ORDER_MSG_ID_MAX];
    tl_order_result_status status;
    tl_order_result_status original; /* DUPLICATE: the first outcome; otherwise equal to status */
    char engine_order_id[TL_ORDER_ID_MAX]; /* "" when none was created */
    uint64_t client_seq;                   /* the engine's order number, 0 when none */
    char symbol[TL_SYMBOL_MAX];
    tl_side side;
    tl_order_type type;
    tl_fixed qty, price;
    tl_fixed filled_qty, avg_price; /* avg 0 when nothing filled */
    uint32_t n_fills;
    tl_svc_fill fills[TL_SVC_FILLS_MAX];
    char reject_reason[TL_EVENT_TEXT_MAX];
    /* REJECTED: what kind, for the metrics: a risk rule's name ("KILL_SWITCH"), VENUE,
     * PAYLOAD_CONFLICT (the order_id with another payload), SYMBOL, ORDER_ID, CANCELED, ENGINE;
     * MALFORMED is the transport's, for a message that never reached the core. "" otherwise. */
    char reason_code[32];
    int64_t ts_ns; /* when the service decided */
} tl_svc_result;

/* Called from tl_svc_commit, once the result is durable; the result is borrowed for the call.
 * r NULL: the commit failed and the order's outcome will never be said (the service halted):
 * release what ctx holds and answer nothing. */
typedef void (*tl_svc_answer_fn)(void *ctx, const tl_svc_result *r);

typedef struct tl_svc_stats {
    uint64_t received;  /* orders given to tl_svc_submit, malformed ones counted apart */
    uint64_t malformed; /* tl_svc_count_malformed */
    uint64_t filled, partially_filled, rejected, duplicates, pending, dry_run;
    uint64_t commits, commit_failures;
    uint64_t collisions;      /* commits refused for another engine's write, decided again */
    uint64_t commit_ns_total; /* wall time spent committing (with the commit histogram) */
} tl_svc_stats;

typedef struct tl_svc_answer {
    tl_order_msg order; /* as submitted: decided again after a collision */
    tl_svc_result r;
    tl_svc_answer_fn fn;
    void *ctx;
} tl_svc_answer;

typedef struct tl_svc {
    tl_svc_config cfg;
    tl_store *store;       /* borrowed */
    const tl_clock *clock; /* borrowed */
    tl_venue venue;
    tl_engine engine;
    tl_journal journal;
    bool have_venue, have_engine, have_journal;
    tl_svc_answer *waiting; /* owned: results of the step, said after its commit */
    size_t n_waiting, cap_waiting;
    tl_svc_answer *spare; /* owned: the other buffer, which a commit's answers are said from */
    size_t cap_spare;
    tl_svc_stats stats;
    bool halted;
    tl_err halt; /* why, when halted */
} tl_svc;

/* Opens the venue of cfg->mode, starts the engine on it and recovers it from the store (a new
 * journal gets the workspace's reset). TL_EINVAL for live without cfg->live_venue. */
int tl_svc_open(tl_svc *s, const tl_svc_config *cfg, tl_store *store, const tl_clock *clock,
                tl_err *err);
void tl_svc_close(tl_svc *s);

/* Executes o (see above) and queues its result for the step's commit. Fails only when the
 * service is halted or out of memory; every outcome of the order itself is a result. */
int tl_svc_submit(tl_svc *s, const tl_order_msg *o, tl_svc_answer_fn fn, void *ctx, tl_err *err);

/* A message that could not be parsed: counted (the transport answers it REJECTED itself, as
 * nothing of it reaches the engine). */
void tl_svc_count_malformed(tl_svc *s);

/* The step's end: one forced flush, then every queued answer in arrival order. Nothing queued
 * and nothing buffered (the kill switch's event is buffered without an answer): nothing written. A
 * failure halts the service (see above) and is returned. */
int tl_svc_commit(tl_svc *s, tl_err *err);

#endif /* TL_SERVICE_SVC_H */
