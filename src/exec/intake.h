/*
 * intake.h -- idempotent intake: what the engine remembers of intents that carried a key, and the
 * external ids some orders are known by.
 *
 * An intent may carry an idempotency key (the paper broker's "workspace|intent|mode", later the
 * service's order_id). The first intent with a key is executed and its outcome recorded here; a
 * second intent with the same key and the same payload gets the recorded outcome back, including
 * the cash and position as they were right after the original; the same key with another payload
 * is refused. Keys are never forgotten: the journal is append-only, so a key once used stays used
 * (also across a WORKSPACE_RESET), and recovery rebuilds this table from INTENT_* events.
 *
 * An order may also be known by an external id (the paper broker's "PO…" derived from the key,
 * a client's own order id): the name table maps it both ways. Orders without one are named by
 * their client sequence number ("CLI00000001") and cost nothing here.
 *
 * Ownership: the intake owns its arrays and copies every string it is given.
 */
#ifndef TL_EXEC_INTAKE_H
#define TL_EXEC_INTAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "tradeloop/event.h"
#include "tradeloop/order.h"

/* What became of an intent. Stable values: printed and compared by callers. */
typedef enum tl_intent_status {
    TL_INTENT_FILLED = 0,   /* filled in full */
    TL_INTENT_DENIED = 1,   /* refused by a risk rule; journaled */
    TL_INTENT_REFUSED = 2,  /* key reused with a different payload: nothing journaled */
    TL_INTENT_WORKING = 3,  /* sent; the venue has not filled it in full yet */
    TL_INTENT_REJECTED = 4, /* the venue refused it */
    TL_INTENT_CANCELED = 5  /* canceled or expired before it filled in full */
} tl_intent_status;

const char *tl_intent_status_name(int status); /* "FILLED", … */

/* The payload of an intent: two intents with one key are the same intent when these agree. */
typedef struct tl_intent_payload {
    uint32_t account; /* the engine account it is for */
    char action[16];  /* caller's verb ("OPEN_LONG"), "" when none */
    char symbol[16];
    uint8_t side;
    tl_fixed price, qty;
} tl_intent_payload;

/* The recorded outcome of a keyed intent, with the state right after it. */
typedef struct tl_intent_record {
    char key[TL_IDEM_KEY_MAX];
    tl_intent_payload payload;
    uint64_t client_seq;                        /* its order, 0 when none was created */
    uint8_t status;                             /* tl_intent_status */
    char order_id[TL_ORDER_ID_MAX];             /* its order's id */
    char trade_id[TL_TRADE_ID_MAX];             /* last fill's trade id, "" when none */
    char change[8];                             /* "OPENED" / "SCALED" / "CLOSED" / "FLIPPED", "" */
    char reason[TL_EVENT_TEXT_MAX];             /* why denied or rejected, "" */
    tl_fixed cash, realized_pnl, starting_cash; /* the account right after */
    tl_fixed position_qty, position_avg;        /* the symbol's position right after */
} tl_intent_record;

typedef struct tl_intake {
    tl_intent_record *recs; /* owned */
    size_t n, cap;
    tl_hashmap by_key;              /* hash(key) -> recs[] index, multi */
    char (*names)[TL_ORDER_ID_MAX]; /* owned external order ids */
    uint64_t *name_seq;             /* owned: client_seq of names[i] */
    size_t n_names, cap_names;
    tl_hashmap name_by_hash; /* hash(name) -> names[] index, multi */
    tl_hashmap name_by_seq;  /* client_seq -> names[] index */
    tl_hashmap rec_by_seq;   /* client_seq -> recs[] index of the intent that made the order */
} tl_intake;

int tl_intake_init(tl_intake *in);
void tl_intake_close(tl_intake *in);

/* The record of key, NULL when the key was never seen. Borrowed until the next add. */
tl_intent_record *tl_intake_find(const tl_intake *in, const char *key);
/* Adds a record for a new key (the caller checked it is new); *out borrowed until the next add.
 * TL_ENOMEM. */
int tl_intake_add(tl_intake *in, const char *key, const tl_intent_payload *payload,
                  tl_intent_record **out);
/* Forgets the record added last (an intent refused before anything about it was emitted). */
void tl_intake_drop_last(tl_intake *in);
/* Links a record to the order its intent created. TL_ENOMEM. */
int tl_intake_bind_order(tl_intake *in, const tl_intent_record *rec, uint64_t client_seq);
/* The record of the intent that created client_seq, NULL when none. */
tl_intent_record *tl_intake_by_order(const tl_intake *in, uint64_t client_seq);
bool tl_intent_payload_equal(const tl_intent_payload *a, const tl_intent_payload *b);

/* External order ids. name must be 1..TL_ORDER_ID_MAX-1 characters. TL_EDUPLICATE when the name
 * or the client_seq already has a name. */
int tl_intake_name_order(tl_intake *in, uint64_t client_seq, const char *name);
/* The client_seq named name: true and *seq, else false. */
bool tl_intake_order_by_name(const tl_intake *in, const char *name, uint64_t *seq);
/* The external id of client_seq, NULL when it has none. */
const char *tl_intake_order_name(const tl_intake *in, uint64_t client_seq);

/* The engine's order id for a key decided at ts_ns: prefix (2 characters: "PO" the paper broker,
 * "SO" the service) + the time in milliseconds since the epoch (9 characters) + 55 bits of
 * SHA-256(key) (11 characters), in a base 32 that sorts as its values. The time first makes an
 * engine's ids ascend, so its orders and trades b-trees (keyed by the id) take each new row at
 * their end: a hash alone put every row on a random page, which cost ~17 KB of WAL and
 * checkpoint writes per intent (docs/PERFORMANCE.md). Two keys share an id only within one
 * millisecond and 55 bits. The caller computes it once per decision and keeps it: the same key at
 * another time names another id (a collision's rebuild reads the winner's from the journal).
 * TL_EIO when hashing fails. */
int tl_intake_order_id(const char prefix[3], const char *key, int64_t ts_ns,
                       char out[TL_ORDER_ID_MAX], tl_err *err);

#endif /* TL_EXEC_INTAKE_H */
