/*
 * test_multi_engine_pg.c -- several engines on one PostgreSQL journal (issue 10).
 *
 * Each engine owns its workspace and its own store connection, as service engines do. Their
 * batches interleave without refusing each other, the journal stays gap-free, and each workspace
 * recovers exactly the state that wrote it. One idempotency key submitted to two engines is
 * executed by one: the other's batch is refused with TL_EEXIST, nothing of it is stored, and it
 * finds the original by the key. Two processes then hammer the store for a few thousand
 * batches, racing on every fifth key.
 *
 * The server's URL is in the file named by TL_PG_URL_FILE (ctest's pg fixture); the test works
 * in a database of its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "engine/engine.h"
#include "engine/recover.h"
#include "journal/journal.h"
#include "pg_testdb.h"
#include "store/store.h"

#define TEST_DB "tl_unit_multi_engine_pg"
static char pg_url[1100];

/* ---- the database ---- */

static int setup_db(void **state)
{
    (void)state;
    return pg_testdb_create(TEST_DB, 0, pg_url, sizeof pg_url);
}

static int fresh(void **state)
{
    (void)state;
    return pg_testdb_reset(pg_url);
}

/* ---- an engine on the paper venue, journaling into its own connection ---- */

typedef struct rig {
    tl_store store;
    tl_clock clock;
    tl_venue venue;
    tl_engine e;
    tl_journal j;
    char ws[TL_WORKSPACE_MAX];
} rig;

/* Opens (or rebuilds, after a failed flush) the engine of ws from the journal. 0 or a code. */
static int rig_engine(rig *r)
{
    tl_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.workspace, sizeof cfg.workspace, "%s", r->ws);
    memcpy(cfg.mode, "paper", 6);
    cfg.account = 1;
    cfg.starting_cash = TL_FIXED_INT(1000000);
    cfg.any_symbol = true;
    int rc = tl_venue_open(&r->venue, "paper://", &r->clock, NULL, NULL);
    if (rc == 0)
        rc = tl_engine_init(&r->e, &cfg, NULL, &r->venue, &r->clock, NULL);
    if (rc == 0)
        rc = tl_engine_recover(&r->e, &r->store, NULL);
    if (rc == 0)
        rc = tl_journal_init(&r->j, &r->store, 0, NULL);
    tl_engine_subscriber js = tl_journal_subscriber(&r->j);
    if (rc == 0)
        rc = tl_engine_subscribe(&r->e, &js);
    if (rc == 0 && !r->e.has_reset)
        rc = tl_engine_reset(&r->e, cfg.starting_cash, NULL);
    return rc;
}

static void rig_drop(rig *r)
{
    tl_journal_close(&r->j);
    tl_engine_close(&r->e);
    tl_venue_close(&r->venue);
}

static int rig_open(rig *r, const char *ws)
{
    memset(r, 0, sizeof *r);
    snprintf(r->ws, sizeof r->ws, "%s", ws);
    tl_clock_init_frozen(&r->clock, 1700000000000000000);
    int rc = tl_store_open(&r->store, pg_url, NULL, NULL, NULL);
    return rc == 0 ? rig_engine(r) : rc;
}

static void rig_close(rig *r)
{
    rig_drop(r);
    tl_store_close(&r->store);
}

/* One order of qty 1 at price, keyed; buys and sells alternate with i. */
static int submit(rig *r, const char *key, int i)
{
    uint32_t inst;
    int rc = tl_engine_instrument(&r->e, "BTCUSDT", &inst, NULL);
    if (rc != 0)
        return rc;
    tl_intent in;
    memset(&in, 0, sizeof in);
    in.idem_key = key;
    in.order_id = key;
    in.instrument = inst;
    in.side = i % 3 == 2 ? TL_SIDE_SELL : TL_SIDE_BUY;
    in.type = TL_ORDER_MARKET;
    in.price = TL_FIXED_INT(100 + i % 7);
    in.qty = TL_FIXED_INT(1);
    return tl_engine_intent(&r->e, &in, NULL, NULL);
}

/* ---- what the journal holds ---- */

typedef struct tally {
    uint64_t next, events, gaps, intents;
} tally;

static int count_ev(void *ctx, const tl_event *ev)
{
    tally *t = ctx;
    t->gaps += ev->seq != t->next;
    t->next = ev->seq + 1;
    t->events++;
    t->intents += ev->type == TL_EV_INTENT_EMITTED;
    return 0;
}

static tally journal_tally(tl_store *s, const char *ws)
{
    tally t = {.next = 1};
    tl_scan_filter f = {.workspace = ws};
    assert_int_equal(tl_store_scan(s, &f, count_ev, &t, NULL), 0);
    return t;
}

/* The digest of ws rebuilt from the journal by a new engine on a new connection. */
static void recovered_digest(const char *ws, char hex[65])
{
    rig r;
    assert_int_equal(rig_open(&r, ws), 0);
    assert_int_equal(tl_engine_digest(&r.e, hex, NULL), 0);
    rig_close(&r);
}

/* ---- tests ---- */

/* Two engines, interleaved batches of one to three intents: nobody is refused, the journal is
 * gap-free and holds everything, and each workspace recovers to its engine's state. */
static void test_interleaved_batches(void **state)
{
    (void)state;
    rig a, b;
    char key[96], live[65], again[65];
    assert_int_equal(rig_open(&a, "eng-a"), 0);
    assert_int_equal(rig_open(&b, "eng-b"), 0);
    for (int i = 0; i < 120; i++) {
        rig *r = i % 2 ? &b : &a;
        for (int k = 0; k <= i % 3; k++) {
            snprintf(key, sizeof key, "%s-%d-%d", r->ws, i, k);
            assert_int_equal(submit(r, key, i + k), 0);
        }
        tl_err err = {0};
        int rc = tl_engine_flush(&r->e, true, &err);
        if (rc != 0)
            fail_msg("batch %d of %s refused: %s", i, r->ws, err.msg);
    }
    tally all = journal_tally(&a.store, NULL);
    assert_int_equal(all.gaps, 0);
    assert_int_equal(all.events, a.store.stats.events + b.store.stats.events);
    assert_int_equal(all.intents, 2 * 60 * 2);
    assert_int_equal(a.store.stats.failures + b.store.stats.failures, 0);
    /* Each engine's store jumped over the other's events: its mark is the journal's end or the
     * end of its own last batch. */
    assert_int_equal(b.store.high_water, all.next - 1);
    assert_true(a.store.high_water < b.store.high_water);
    for (rig *r = &a; r; r = r == &a ? &b : NULL) {
        assert_int_equal(tl_engine_digest(&r->e, live, NULL), 0);
        recovered_digest(r->ws, again);
        assert_string_equal(live, again);
        assert_int_equal(journal_tally(&a.store, r->ws).intents, 120);
    }
    rig_close(&a);
    rig_close(&b);
}

/* One key, two engines: the first executes it; the second's batch is refused with TL_EEXIST,
 * stores nothing, and the key leads it to the original outcome. */
static void test_same_key_once(void **state)
{
    (void)state;
    rig a, b;
    char live[65], again[65];
    assert_int_equal(rig_open(&a, "eng-a"), 0);
    assert_int_equal(rig_open(&b, "eng-b"), 0);
    assert_int_equal(submit(&b, "b-own-1", 0), 0);
    assert_int_equal(tl_engine_flush(&b.e, true, NULL), 0);
    assert_int_equal(tl_engine_digest(&b.e, live, NULL), 0);

    assert_int_equal(submit(&a, "order-42", 1), 0);
    assert_int_equal(tl_engine_flush(&a.e, true, NULL), 0);
    uint64_t hw = a.store.high_water;
    assert_int_equal(submit(&b, "order-42", 1), 0);
    tl_err err = {0};
    assert_int_equal(tl_engine_flush(&b.e, true, &err), TL_EEXIST);
    assert_non_null(strstr(err.msg, "order-42"));
    assert_true(b.e.halted);
    assert_int_equal(journal_tally(&b.store, NULL).next - 1, hw); /* nothing of b's batch */

    /* The original: a's intent, in a's workspace, under a's order. */
    tl_event first;
    assert_int_equal(tl_store_find_idem(&b.store, "order-42", &first, NULL), 0);
    assert_int_equal(first.type, TL_EV_INTENT_EMITTED);
    assert_string_equal(first.workspace, "eng-a");
    assert_string_equal(first.order_id, "order-42");
    rig o;
    assert_int_equal(rig_open(&o, first.workspace), 0);
    const tl_intent_record *rec = tl_intake_find(&o.e.intake, "order-42");
    assert_non_null(rec);
    assert_int_equal(rec->status, TL_INTENT_FILLED);
    assert_string_equal(rec->order_id, "order-42");
    rig_close(&o);

    /* b rebuilt from the journal is b before the refused batch, and goes on. */
    rig_drop(&b);
    assert_int_equal(rig_engine(&b), 0);
    assert_int_equal(tl_engine_digest(&b.e, again, NULL), 0);
    assert_string_equal(live, again);
    assert_int_equal(submit(&b, "b-own-2", 2), 0);
    assert_int_equal(tl_engine_flush(&b.e, true, NULL), 0);
    rig_close(&a);
    rig_close(&b);
}

/* ---- two processes ---- */

#define HAMMER_BATCHES 1500
#define SHARE_EVERY    5

/* A child: HAMMER_BATCHES batches into its workspace; every SHARE_EVERY-th is a key both
 * children submit, alone in its batch. A lost race (TL_EEXIST) is answered from the key's
 * original and the engine rebuilt; any other refusal fails the child. Writes "won lost digest"
 * to out. Exit status 0 when all went as it should. */
static int hammer(const char *ws, const char *out)
{
    rig r;
    char key[64], hex[65];
    int won = 0, lost = 0, rc;
    if ((rc = rig_open(&r, ws)) != 0)
        return 10;
    for (int i = 0; i < HAMMER_BATCHES; i++) {
        int shared = i % SHARE_EVERY == 0;
        if (shared)
            snprintf(key, sizeof key, "shared-%d", i);
        else
            snprintf(key, sizeof key, "%s-%d", ws, i);
        tl_event orig;
        if (shared && tl_store_find_idem(&r.store, key, &orig, NULL) == 0) {
            lost++; /* the other got there first, visibly: answered without trying */
            continue;
        }
        if ((rc = submit(&r, key, i)) != 0)
            return 11;
        tl_err err = {0};
        rc = tl_engine_flush(&r.e, true, &err);
        if (rc == 0) {
            won += shared;
            continue;
        }
        if (rc != TL_EEXIST || !shared) {
            fprintf(stderr, "%s: batch %d: %s (%s)\n", ws, i, err.msg, tl_errname(rc));
            return 12;
        }
        if (tl_store_find_idem(&r.store, key, &orig, NULL) != 0 || strcmp(orig.workspace, ws) == 0)
            return 13;
        lost++;
        rig_drop(&r);
        if (rig_engine(&r) != 0)
            return 14;
    }
    if (tl_engine_digest(&r.e, hex, NULL) != 0)
        return 15;
    FILE *f = fopen(out, "w");
    if (!f)
        return 16;
    fprintf(f, "%d %d %s\n", won, lost, hex);
    fclose(f);
    rig_close(&r);
    return 0;
}

static void test_two_processes(void **state)
{
    (void)state;
    /* The schema first, so the children do not race to create it. */
    tl_store s;
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, NULL), 0);
    tl_store_close(&s);
    char dir[] = "/tmp/tl_multi_XXXXXX", out[2][64];
    assert_non_null(mkdtemp(dir));
    const char *ws[2] = {"proc-a", "proc-b"};
    pid_t pid[2];
    for (int k = 0; k < 2; k++) {
        snprintf(out[k], sizeof out[k], "%s/%s", dir, ws[k]);
        pid[k] = fork();
        assert_true(pid[k] >= 0);
        if (pid[k] == 0)
            _exit(hammer(ws[k], out[k]));
    }
    int won = 0, lost = 0;
    char digest[2][65];
    for (int k = 0; k < 2; k++) {
        int st = 0;
        assert_int_equal(waitpid(pid[k], &st, 0), pid[k]);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            fail_msg("child %s: status %d", ws[k], st);
        int w, l;
        FILE *f = fopen(out[k], "r");
        assert_non_null(f);
        assert_int_equal(fscanf(f, "%d %d %64s", &w, &l, digest[k]), 3);
        fclose(f);
        unlink(out[k]);
        won += w;
        lost += l;
    }
    rmdir(dir);
    /* Every shared key executed exactly once, by one or the other. */
    int n_shared = (HAMMER_BATCHES + SHARE_EVERY - 1) / SHARE_EVERY;
    assert_int_equal(won, n_shared);
    assert_int_equal(lost, n_shared);
    assert_int_equal(tl_store_open(&s, pg_url, NULL, NULL, NULL), 0);
    tally all = journal_tally(&s, NULL);
    assert_int_equal(all.gaps, 0);
    assert_int_equal(all.intents, 2 * (HAMMER_BATCHES - n_shared) + n_shared);
    tl_store_close(&s);
    for (int k = 0; k < 2; k++) {
        char again[65];
        recovered_digest(ws[k], again);
        assert_string_equal(digest[k], again);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_interleaved_batches, fresh),
        cmocka_unit_test_setup(test_same_key_once, fresh),
        cmocka_unit_test_setup(test_two_processes, fresh),
    };
    return cmocka_run_group_tests(tests, setup_db, NULL);
}
