/*
 * queue.h -- sweeps beyond one machine: a plan's variants on a Redis stream, run by
 * `tradeloop sweep-worker` processes anywhere in one consumer group (issue 11, "Beyond one
 * machine").
 *
 * The submitter (`tradeloop sweep --queue redis://HOST:PORT[/KEY]`, tl_sweep_queue_run):
 *   1. stores the plan's row (tl_sweep_put_plan): the spec's canonical text travels in it;
 *   2. puts what the store does not hold in the hash KEY:plan:RUN_PLAN_ID: `data` (the CSV's
 *      bytes, as read), `data_name` and `starting_equity` (a decimal). A later submission of the
 *      same plan overwrites it; it is left in Redis after the sweep (a worker may still claim an
 *      entry of it); `redis-cli DEL` it when the plan is done with;
 *   3. creates the group TL_SWEEP_QUEUE_GROUP on KEY at 0 (MKSTREAM), so no entry added after is
 *      missed whichever worker comes first, and XADDs one entry per variant, fields
 *      `run_plan_id`, `index` (its place in the plan) and `variant_id`;
 *   4. waits until each of its entries has been delivered and acknowledged (XINFO GROUPS'
 *      last-delivered-id, XPENDING over its ids): a worker acknowledges only after the variant's
 *      row is durable in the store, so this is "every row stored", and rows left by an earlier
 *      run of the same plan do not count; then reads the rows (tl_store_run_variants) into
 *      results. A variant acknowledged without a row in this store (a worker on another --db) is
 *      an error naming it.
 *
 * The worker (tl_sweep_worker_run), synchronous hiredis, one entry at a time (COUNT 1, so it
 * never holds entries it has not started): its own pending entries first (a restart under the
 * same consumer name), then new ones; on start and every idle_ms / 2 it XAUTOCLAIMs entries
 * pending longer than idle_ms (a dead worker's). For an entry: the plan from the store
 * (tl_store_run_plan_get), its spec parsed and built again (the run_plan_id must match), the data
 * from the hash, then tl_sweep_run_variant (run, row stored), and only then XACK. An entry that
 * cannot be read (missing fields, an index or variant_id not in the plan) is acknowledged and
 * logged: it can never succeed. A plan, data or store that is not there yet is logged and left
 * pending (not acknowledged) for a later claim. A variant longer than idle_ms may be claimed by
 * another worker while it runs: it then runs twice, with the same result and row.
 *
 * Password: REDIS_PASSWORD from the environment (never in the URL, never logged).
 */
#ifndef TL_SWEEP_QUEUE_H
#define TL_SWEEP_QUEUE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "sweep/run.h"

#define TL_SWEEP_QUEUE_KEY_DEFAULT "tradeloop:sweeps"
#define TL_SWEEP_QUEUE_GROUP       "tradeloop-sweep"
#define TL_SWEEP_QUEUE_HOST_MAX    256
#define TL_SWEEP_QUEUE_KEY_MAX     128                  /* with NUL */
#define TL_SWEEP_QUEUE_DATA_MAX    (512u * 1024 * 1024) /* a Redis string's limit */

/* redis://HOST[:PORT][/KEY]: HOST a name or an IPv4 address, PORT 1..65535 (6379), KEY the
 * stream (TL_SWEEP_QUEUE_KEY_DEFAULT), printable ASCII without spaces. A user or password in
 * the URL is refused (REDIS_PASSWORD carries it). */
typedef struct tl_sweep_queue_url {
    char host[TL_SWEEP_QUEUE_HOST_MAX];
    int port;
    char key[TL_SWEEP_QUEUE_KEY_MAX];
} tl_sweep_queue_url;

/* TL_EINVAL naming what is wrong; out untouched then. */
int tl_sweep_queue_url_parse(const char *url, tl_sweep_queue_url *out, tl_err *err);

/* One synchronous connection (hiredis redisContext). Caller-allocated; init, connect, close. */
typedef struct tl_sweep_queue {
    tl_sweep_queue_url url;
    const char *password; /* borrowed, NULL or "" for none */
    void *c;              /* redisContext *, NULL while down */
    uint32_t timeout_ms;  /* connect and each reply (above any BLOCK) */
} tl_sweep_queue;

void tl_sweep_queue_init(tl_sweep_queue *q, const tl_sweep_queue_url *url, const char *password);
/* Connects, AUTHs, PINGs and creates the group (an existing one is kept). TL_EIO with the reason
 * ("redis 127.0.0.1:1: Connection refused"); q stays down then. */
int tl_sweep_queue_connect(tl_sweep_queue *q, tl_err *err);
void tl_sweep_queue_close(tl_sweep_queue *q);
/* Drops the connection (a reply it cannot go on from, a lost server). */
void tl_sweep_queue_drop(tl_sweep_queue *q);

/* Reads the file at path (at most TL_SWEEP_QUEUE_DATA_MAX bytes) into *buf (malloc'ed, the
 * caller's) and *len. TL_EIO naming the path. */
int tl_sweep_queue_read_file(const char *path, char **buf, size_t *len, tl_err *err);

/* The submitter: steps 1-4 above on a connected q, cfg as for tl_sweep_run (its db_url is opened
 * here; jobs unused), data[0..len) the CSV's bytes cfg->bars were parsed from. results[i] (plan
 * count, caller-allocated) gets variant i's result from its row. Waits as long as it takes;
 * a connection lost meanwhile is reconnected with a backoff. 0, or the error that stopped it. */
int tl_sweep_queue_run(tl_sweep_queue *q, const tl_sweep_run_config *cfg, const char *data,
                       size_t len, tl_sweep_result *results, tl_err *err);

/* The result a stored row says (what tl_sweep_run_variant's result was). */
void tl_sweep_result_from_row(const tl_run_variant_row *row, tl_sweep_result *r);

typedef void (*tl_sweep_log_fn)(void *ctx, const char *line);

typedef struct tl_sweep_worker_config {
    tl_sweep_queue *queue; /* borrowed, initialised (connected or not) */
    const char *db_url;    /* the store the submitter uses */
    tl_store_options store_options;
    const char *consumer;        /* this worker's name in the group */
    uint32_t idle_ms;            /* claim entries pending longer than this */
    volatile sig_atomic_t *stop; /* set (by a signal handler): finish the current entry, return */
    /* Test only (TRADELOOP_TEST_WORKER_DIE_AFTER_ROW): SIGKILL this process right after its first
     * variant's row is stored, before the XACK: a worker dying at the worst moment, on cue. */
    int die_after_row;
    tl_sweep_log_fn log; /* one line per event; may be NULL */
    void *ctx;
    uint64_t done, claimed; /* out: entries run and acknowledged; of them, claimed from others */
} tl_sweep_worker_config;

/* Runs entries until *stop. The store and the first connection must come up (else TL_EIO and
 * the reason); later losses of either are retried with a backoff. 0 when stopped. */
int tl_sweep_worker_run(tl_sweep_worker_config *cfg, tl_err *err);

#endif /* TL_SWEEP_QUEUE_H */
