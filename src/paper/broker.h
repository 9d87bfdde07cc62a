/*
 * broker.h -- the paper broker (seed 003): a venue that fills at once at the caller's price.
 *
 * MARKET orders only, long-only, one position per symbol (OPEN_LONG scales it), full close only
 * (a CLOSE_LONG must name exactly the position's quantity), and a cash ledger whose starting
 * equity defaults to 10000. Policy is checked again at execution: an OPEN_LONG needs cash >=
 * qty * price (paper mode charges no fees).
 *
 * The journal is the truth. Before deciding, the broker rebuilds the workspace's state with
 * tl_replay; an intent is then written as ONE tl_store_append batch:
 *     [WORKSPACE_RESET]  only before a workspace's first intent: starting cash in `fee`
 *     INTENT_EMITTED     text = the action ("OPEN_LONG"), symbol, qty, price
 *     POLICY_EVALUATED   text = "approved" or the reason
 *     INTENT_DENIED      text = the reason (inserts a DENIED order row)            -- refused, or
 *     INTENT_APPROVED, ORDER_SUBMITTED (PENDING_NEW), ORDER_FILLED (FILLED, trade id "PT-" +
 *     order id), POSITION_OPENED | POSITION_SCALED | POSITION_CLOSED (breadcrumb: the position's
 *     qty and average price after the fill, realized P&L in `fee`)
 * with the workspace's account row and the touched position row. Nothing is reported before the
 * append returned 0.
 *
 * Idempotency: key = workspace "|" intent_id "|" mode, carried by every event of the intent; the
 * order id is "PO" + the first 20 hex digits of SHA-256(key), so every attempt at one key names
 * the same order and the orders table's UNIQUE (workspace, order_id) refuses a second batch for
 * it. A key already in the journal with the same action, symbol, qty and price is a duplicate:
 * the result carries the original outcome and order id and nothing is written. The same key with
 * another payload is refused ("idempotency key reused with a different payload"), nothing
 * written. A reset does not forget keys: the journal is append-only.
 *
 * Concurrency: two processes may execute at once. A batch decided on a stale state of the
 * workspace is refused as a whole by the store (on SQLite it collides on the seq primary key; on
 * PostgreSQL the workspace holds an event the writer has not seen, see src/store/append.c), and
 * so is a second intent for the key (TL_EEXIST) or its order id: optimistic concurrency. The
 * broker then looks the key up again: found -> duplicate; not found -> TL_EBUSY (another
 * intent got in first; reopen the store and retry).
 */
#ifndef TL_PAPER_BROKER_H
#define TL_PAPER_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "journal/journal.h"
#include "journal/ledger.h"
#include "store/store.h"
#include "tradeloop/order.h"

#define TL_PAPER_DEFAULT_EQUITY  TL_FIXED_INT(10000)
#define TL_PAPER_INTENT_ID_MAX   65 /* with NUL: [A-Za-z0-9._:-]{1,64} */
#define TL_PAPER_MODE            "paper"
#define TL_PAPER_REASON_CONFLICT "idempotency key reused with a different payload"

typedef enum tl_paper_action {
    TL_PAPER_OPEN_LONG = 1, /* buy: open or scale the symbol's long position */
    TL_PAPER_CLOSE_LONG = 2 /* sell exactly the whole position */
} tl_paper_action;

/* What the caller asks for. Every pointer is borrowed for the call. */
typedef struct tl_paper_intent {
    const char *workspace; /* tl_workspace_validate */
    const char *intent_id; /* [A-Za-z0-9._:-]{1,64}, unique per workspace and mode */
    const char *action;    /* "OPEN_LONG" | "CLOSE_LONG"; anything else is TL_EINVAL */
    const char *symbol;    /* tl_symbol_validate */
    tl_fixed qty;          /* > 0 */
    tl_fixed fill_price;   /* > 0, required: the paper venue fills here */
    const char *mode;      /* "paper" (NULL means "paper"); anything else is TL_ENOTSUP */
    int64_t ts_ns;         /* time stamped on the events */
} tl_paper_intent;

typedef enum tl_paper_status {
    TL_PAPER_FILLED = 0, /* filled (now, or originally for a duplicate) */
    TL_PAPER_DENIED = 1, /* refused by policy and journaled (now, or originally) */
    TL_PAPER_REFUSED = 2 /* key reused with a different payload: nothing written */
} tl_paper_status;

typedef struct tl_paper_result {
    tl_paper_status status;
    bool duplicate; /* the key had been executed: nothing written */
    char workspace[TL_WORKSPACE_MAX];
    char intent_id[TL_PAPER_INTENT_ID_MAX];
    char idem_key[TL_IDEM_KEY_MAX];
    char order_id[TL_ORDER_ID_MAX]; /* the key's order (the original one for a duplicate) */
    char trade_id[TL_TRADE_ID_MAX]; /* "" unless filled */
    char action[16];                /* "OPEN_LONG" / "CLOSE_LONG" */
    char symbol[16];
    char change[8];                 /* "OPENED" / "SCALED" / "CLOSED", "" unless filled */
    char reason[TL_EVENT_TEXT_MAX]; /* why denied or refused; "" when filled */
    tl_fixed qty, fill_price;       /* as asked (and as originally asked, for a duplicate) */
    /* The workspace's state after the call (unchanged by a duplicate or a refusal). */
    tl_fixed cash, realized_pnl, starting_equity;
    tl_fixed position_qty, position_avg; /* of `symbol`; 0 when flat */
    uint64_t high_water;                 /* last seq in the store after the call */
    char state_digest[65];               /* tl_ledger_digest of the workspace */
} tl_paper_result;

/* A broker session: a store (borrowed) and an engine on the paper:// venue rebuilt from the
 * journal of the workspace last used. The engine is trusted only while the store's high-water
 * mark is the one it was built at: any other append through this store handle makes the next
 * call rebuild it. Sessions let a batch of intents run without recovering the workspace for
 * each. */
typedef struct tl_paper_broker {
    tl_store *store;         /* borrowed */
    tl_fixed default_equity; /* starting cash of a workspace's first reset */
    tl_clock clock;          /* sim, set to each intent's ts_ns (never back) */
    tl_venue venue;          /* owned while open: paper:// */
    tl_engine engine;        /* owned while open */
    tl_journal journal;      /* owned while open: the engine's subscriber */
    bool open;
    bool synced; /* engine == journal at synced_hw */
    uint64_t synced_hw;
    uint64_t replays; /* recoveries made (for tests and stats) */
    struct tl_paper_pending *pending; /* owned: intents submitted since the last commit */
    size_t n_pending, cap_pending;
} tl_paper_broker;

int tl_paper_broker_init(tl_paper_broker *b, tl_store *s, tl_fixed default_equity);
void tl_paper_broker_close(tl_paper_broker *b);
/* Executes one intent. 0 with *out for every decided outcome (filled, denied, duplicate,
 * refused); TL_EINVAL / TL_ENOTSUP for a malformed intent (nothing written, err names the
 * field); TL_EBUSY when another writer got in first (nothing written: reopen and retry); other
 * negative codes for store failures (nothing acknowledged). */
int tl_paper_broker_execute(tl_paper_broker *b, const tl_paper_intent *in, tl_paper_result *out,
                            tl_err *err);

/* The same in two steps, for a caller that commits many intents at once (the service's group
 * commit): submit decides an intent on its workspace's engine and writes nothing; *out is its
 * outcome if the commit succeeds (high_water is filled by the commit). Intents of one commit must
 * be of one workspace (TL_ESTATE otherwise: commit first). commit makes the n intents submitted
 * since the last commit durable in one transaction; res and rcs are the caller's n results, in
 * submission order. 0 when the transaction ran or collided: after a collision (another writer got
 * in first, nothing of ours written) each intent already in the journal gets rcs[i] = 0 and its
 * duplicate result in res[i], and each that is not gets rcs[i] = TL_EBUSY (retry). A negative
 * return is a store failure: nothing written, nothing to acknowledge. A submit that fails for
 * another reason than a malformed intent drops the session with what it held: the intents
 * submitted since the last commit are not written either, and the caller answers them with that
 * failure (the commit then has none pending). */
int tl_paper_broker_submit(tl_paper_broker *b, const tl_paper_intent *in, tl_paper_result *out,
                           tl_err *err);
int tl_paper_broker_commit(tl_paper_broker *b, tl_paper_result *res, int *rcs, size_t n,
                           tl_err *err);
/* Drops the intents submitted since the last commit, unwritten, with the session that decided
 * them: the next call rebuilds the workspace from the journal. For a caller that will not commit
 * what it submitted (the runner, on finding a run it cannot go on with). */
void tl_paper_broker_discard(tl_paper_broker *b);
/* The workspace of the intents waiting for a commit, NULL when none waits. */
static inline const char *tl_paper_broker_batch_workspace(const tl_paper_broker *b)
{
    return b->n_pending > 0 ? b->engine.cfg.workspace : NULL;
}

/* One intent with a one-off session, equity TL_PAPER_DEFAULT_EQUITY. */
int tl_paper_execute(tl_store *s, const tl_paper_intent *in, tl_paper_result *out, tl_err *err);

/* Checks an intent's fields without touching a store; err names the field. */
int tl_paper_intent_validate(const tl_paper_intent *in, tl_paper_action *action, tl_err *err);
int tl_paper_intent_id_validate(const char *id, tl_err *err);
/* "ws|intent|mode" into key; TL_EINVAL when it does not fit TL_IDEM_KEY_MAX. */
int tl_paper_idem_key(const char *ws, const char *intent_id, const char *mode,
                      char key[TL_IDEM_KEY_MAX], tl_err *err);
/* The order id of the intent key decided at ts_ns: tl_intake_order_id with prefix "PO". */
int tl_paper_order_id(const char *key, int64_t ts_ns, char order_id[TL_ORDER_ID_MAX], tl_err *err);

/* A workspace's state, rebuilt from the journal. */
typedef struct tl_paper_state {
    char workspace[TL_WORKSPACE_MAX];
    tl_fixed starting_equity, cash, realized_pnl, fees;
    tl_position_row *positions; /* owned (tl_paper_state_free): open positions by symbol */
    size_t n_positions;
    uint64_t fills_replayed, duplicates_skipped, resets;
    uint64_t high_water;   /* last seq of the store */
    char state_digest[65]; /* digest of the rebuilt state */
    /* tl_paper_reconcile only: the stored snapshot rows (accounts, positions) of the workspace,
     * and whether their digest equals the rebuilt one. */
    char snapshot_digest[65];
    bool snapshot_match;
} tl_paper_state;

/* Replays the workspace (tl_replay) into *out. A workspace without events has the default
 * starting equity as cash and no positions. */
int tl_paper_state_get(tl_store *s, const char *ws, tl_paper_state *out, tl_err *err);
/* tl_paper_state_get, plus the stored snapshot rows compared with the rebuilt state. */
int tl_paper_reconcile(tl_store *s, const char *ws, tl_paper_state *out, tl_err *err);
void tl_paper_state_free(tl_paper_state *st);

/* Appends a WORKSPACE_RESET with starting_cash (> 0) and flat snapshot rows: the workspace starts
 * over (cash = starting_cash, no positions); the journal keeps everything before it. */
int tl_paper_reset(tl_store *s, const char *ws, tl_fixed starting_cash, int64_t ts_ns, tl_err *err);

const char *tl_paper_status_name(tl_paper_status st); /* "FILLED", "DENIED", "REFUSED" */

#endif /* TL_PAPER_BROKER_H */
