/*
 * desk.h -- the RFQ desk (issue 9, seed 000): a client's request is streamed to every LP, the best
 * answer is locked for its validity, and on proceed the trade is executed with the LP, hedged on
 * the hedge venue through the kernel, its P&L computed, and one executions row logged whatever
 * happens.
 *
 * Streaming. A request starts a stream: every poll (tl_desk_tick, every poll_ns of engine time) the
 * desk first judges the answers of the previous round (rfq/round.h) -- those that arrived by now
 * are candidates, the others are late -- and offers the best to the lock (rfq/lock.h), then asks
 * every LP again. Each round has its own request id, the unit of the LP scorecards. Every LP answer is an
 * lp_quotes row (won when its quote became or replaced the lock), every change of the lock a quotes
 * row and an event. When the lock runs out before proceed the stream ends ("expired").
 *
 * Execution (tl_desk_proceed). Refused when no lock holds or it expired. Otherwise the LP executes
 * the locked quote; a refusal is a FAILED row with its reason and nothing is hedged. A fill is
 * priced by the hedge calculator (rfq/hedge.h) at the LP's average price and the hedge is sent as
 * a market order to the hedge venue through the engine (journaled like every order); its fill or
 * failure decides SUCCESS or FAILED. The stream ends either way.
 *
 * Nothing is said before it is durable: every call commits its rows and events (a forced flush of
 * the engine, whose journal holds the rows) and only then hands its events to the callback.
 * Single-threaded, no I/O of its own; the LPs, the engine, the journal and the clock are borrowed.
 */
#ifndef TL_RFQ_DESK_H
#define TL_RFQ_DESK_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "journal/journal.h"
#include "lp/lp.h"
#include "rfq/hedge.h"
#include "rfq/lock.h"
#include "rfq/request.h"
#include "rfq/round.h"

#define TL_DESK_MAX_LPS 1000

typedef enum tl_desk_event_kind {
    TL_DESK_LOCKED = 1, /* a first quote locked */
    TL_DESK_IMPROVED,   /* a strictly better one replaced it */
    TL_DESK_EXPIRED,    /* the lock ran out: the stream ended */
    TL_DESK_EXECUTED,   /* executed and hedged */
    TL_DESK_FAILED,     /* the execution failed (LP refusal, hedge failure): error says why */
    TL_DESK_CANCELED,   /* the operator canceled the stream */
    TL_DESK_ERROR       /* a command that could not be done (proceed without a lock, ...) */
} tl_desk_event_kind;

const char *tl_desk_event_name(tl_desk_event_kind k); /* "locked", ... */

/* What the screen and the JSON lines show. */
typedef struct tl_desk_event {
    tl_desk_event_kind kind;
    int64_t ts_ns;
    char quote_id[TL_DESK_ID_MAX]; /* the desk's quote ("Q000001"), "" when none */
    tl_rfq_request req;            /* the client's request */
    char lp[TL_LP_NAME_MAX];       /* the locked or executing LP */
    tl_fixed lp_price;             /* its price */
    tl_hedge price;                /* the client's side of it (client pays/gets at the lock) */
    int64_t valid_until_ns;
    char execution_id[TL_EXEC_ID_MAX]; /* EXECUTED / FAILED */
    tl_fixed avg_price;                /* EXECUTED: the hedge's */
    char error[TL_DESK_TEXT_MAX];      /* FAILED / ERROR */
} tl_desk_event;

typedef void (*tl_desk_event_fn)(void *ctx, const tl_desk_event *ev);

typedef struct tl_desk_config {
    char workspace[TL_WORKSPACE_MAX]; /* of its rows */
    tl_fixed markup_bps, fee_bps;
    tl_pair_leg profit_in;
    int64_t poll_ns; /* between rounds (500 ms) */
} tl_desk_config;

typedef struct tl_desk {
    tl_desk_config cfg;
    tl_lp *lps; /* borrowed, n_lps of them */
    uint32_t n_lps;
    tl_engine *engine;   /* borrowed: the hedge's kernel, its venue the hedge venue */
    tl_journal *journal; /* borrowed: where the rows go (the engine's journal) */
    const tl_clock *clock;
    tl_desk_event_fn on_event;
    void *ctx;
    bool streaming;
    tl_rfq_request req;
    tl_rfq_lock lock;
    char quote_id[TL_DESK_ID_MAX];
    char lock_lp_quote_id[TL_LP_QUOTE_ID_MAX];
    tl_rfq_round rnd;        /* the round under way (owned; its id is the request id) */
    uint64_t next_round;     /* ids are never reused, across streams */
    uint64_t next_quote;     /* the desk's quote numbers */
    tl_desk_event *pending;  /* owned: events waiting for the commit */
    size_t n_pending, cap_pending;
    int64_t last_exec_ms; /* the millisecond the last execution id names, -1 when none */
    tl_err flush_err;
} tl_desk;

/* lps, engine, journal and clock are borrowed and must outlive the desk. */
int tl_desk_init(tl_desk *d, const tl_desk_config *cfg, tl_lp *lps, uint32_t n_lps,
                 tl_engine *engine, tl_journal *journal, const tl_clock *clock,
                 tl_desk_event_fn on_event, void *ctx, tl_err *err);
void tl_desk_close(tl_desk *d);

/* Execution ids continue after this one (the newest the store holds: a second session on the same
 * journal, scripted from the same start, must not give an id twice). TL_EINVAL when it is not an
 * execution id. */
int tl_desk_ids_after(tl_desk *d, const char *execution_id, tl_err *err);

/* A client's request: a stream starts (a stream under way is canceled first). */
int tl_desk_request(tl_desk *d, const tl_rfq_request *req, tl_err *err);
/* The poll: the previous round judged, the lock offered its best, the next round asked. Does
 * nothing without a stream. 0 or a negative error (a failed commit: the engine halted). */
int tl_desk_tick(tl_desk *d, tl_err *err);
/* p: executes the locked quote (see above). */
int tl_desk_proceed(tl_desk *d, tl_err *err);
/* c: the stream canceled. */
int tl_desk_cancel(tl_desk *d, tl_err *err);

#endif /* TL_RFQ_DESK_H */
