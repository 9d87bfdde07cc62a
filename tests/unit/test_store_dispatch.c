/* test_store_dispatch.c -- src/store/store.c: URL routing, table checks, the append protocol
 * (validation, sequence numbers, rollback, fault injection) and argument checks, observed through
 * a recording fake backend. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

/* ---- a fake backend that records every call ------------------------------------------------ */

typedef struct fake {
    char *buf; /* allocated by open, freed by close: a missed close shows up as a leak */
    uint64_t hw;
    int durability;
    int begins, writes, commits, rollbacks, scans;
    int fail_begin, fail_write, fail_commit; /* error code to return, 0 = succeed */
    uint64_t first_seq;
    size_t n_events, n_positions, n_accounts;
    const char *scan_ws; /* filter seen by the last scan */
    const char *get_ws;  /* workspace seen by the last get */
} fake;

/* URL: "fake://" then options: "open-fail", "hw-fail", "hw=N". */
static int fake_open(void *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    fake *f = st;
    if (strstr(url, "open-fail") != NULL)
        return tl_err_set(err, TL_EIO, "fake: cannot open");
    const char *hw = strstr(url, "hw=");
    if (hw != NULL)
        f->hw = strtoull(hw + 3, NULL, 10);
    f->durability = (int)opt->durability;
    f->buf = calloc(1, 32);
    return f->buf != NULL ? 0 : TL_ENOMEM;
}

static void fake_close(void *st)
{
    fake *f = st;
    free(f->buf);
}

static int fake_begin(void *st, tl_err *err)
{
    fake *f = st;
    f->begins++;
    return f->fail_begin ? tl_err_set(err, f->fail_begin, "fake: begin failed") : 0;
}

static int fake_write(void *st, const tl_store_batch *b, tl_err *err)
{
    fake *f = st;
    f->writes++;
    if (f->fail_write)
        return tl_err_set(err, f->fail_write, "fake: write failed");
    f->first_seq = b->n_events ? b->events[0].seq : 0;
    f->n_events = b->n_events;
    f->n_positions = b->n_positions;
    f->n_accounts = b->n_accounts;
    return 0;
}

static int fake_commit(void *st, tl_err *err)
{
    fake *f = st;
    f->commits++;
    return f->fail_commit ? tl_err_set(err, f->fail_commit, "fake: commit failed") : 0;
}

static void fake_rollback(void *st)
{
    fake *f = st;
    f->rollbacks++;
}

static int fake_high_water(void *st, uint64_t *seq, tl_err *err)
{
    fake *f = st;
    if (f->buf != NULL && strcmp(f->buf, "hw-fail") == 0)
        return tl_err_set(err, TL_ECORRUPT, "fake: high water unreadable");
    *seq = f->hw;
    return 0;
}

static int fake_scan(void *st, const tl_scan_filter *flt, tl_event_fn fn, void *ctx, tl_err *err)
{
    (void)fn, (void)ctx, (void)err;
    fake *f = st;
    f->scans++;
    f->scan_ws = flt->workspace;
    return 0;
}

static int fake_find_idem(void *st, const char *key, tl_event *out, tl_err *err)
{
    (void)st, (void)key, (void)out;
    return tl_err_set(err, TL_ENOTFOUND, "fake: none");
}

static int fake_get_positions(void *st, const char *ws, tl_position_row *out, size_t cap, size_t *n,
                              tl_err *err)
{
    (void)out, (void)cap, (void)err;
    fake *f = st;
    f->get_ws = ws;
    *n = 0;
    return 0;
}

static int fake_get_accounts(void *st, const char *ws, tl_account_row *out, size_t cap, size_t *n,
                             tl_err *err)
{
    (void)out, (void)cap, (void)err;
    fake *f = st;
    f->get_ws = ws;
    *n = 0;
    return 0;
}

#define FAKE_OPS(name)                                                                             \
    {                                                                                              \
        .version = TL_STORE_OPS_VERSION, .scheme = name, .state_size = sizeof(fake),               \
        .open = fake_open, .close = fake_close, .begin = fake_begin, .write = fake_write,          \
        .commit = fake_commit, .rollback = fake_rollback, .high_water = fake_high_water,           \
        .scan = fake_scan, .find_idem = fake_find_idem, .get_positions = fake_get_positions,       \
        .get_accounts = fake_get_accounts,                                                         \
    }

static const tl_store_ops fake_ops = FAKE_OPS("fake");
static const tl_store_ops redis_ops = FAKE_OPS("redis");
static const tl_store_ops fake_mem_ops = FAKE_OPS("mem"); /* tries to shadow a built-in */
static const tl_store_ops *const extras[] = {&fake_ops, &redis_ops, &fake_mem_ops, NULL};

static int open_fake(tl_store *s, const char *url)
{
    return tl_store_open(s, url, NULL, extras, NULL);
}

static fake *fk(tl_store *s)
{
    return s->state;
}

static tl_event ev_make(int type, const char *ws)
{
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (uint16_t)type;
    strcpy(ev.workspace, ws);
    return ev;
}

/* ---- routing ------------------------------------------------------------------------------- */

static void check_url(const char *url, const char *scheme, const char *target, int uri)
{
    tl_store_url u;
    tl_err err = {0};
    if (tl_store_url_parse(url, &u, &err) != 0)
        fail_msg("%s: %s", url, err.msg);
    assert_string_equal(u.scheme, scheme);
    assert_string_equal(u.target, target);
    assert_int_equal(u.sqlite_uri, uri);
}

static void refused(const char *url, const char *msg_part)
{
    tl_store_url u;
    memset(&u, 0x5a, sizeof u);
    tl_store_url before = u;
    tl_err err = {0};
    assert_int_equal(tl_store_url_parse(url, &u, &err), TL_EINVAL);
    if (strstr(err.msg, msg_part) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", url, err.msg, msg_part);
    assert_memory_equal(&u, &before, sizeof u); /* untouched */
}

/* The rules written above tl_store_url_parse in store.h, one by one. */
static void test_url_rules(void **state)
{
    (void)state;
    check_url("mem:", "mem", "", 0);
    check_url("mem:sweep-7", "mem", "sweep-7", 0);
    check_url("MEM:", "mem", "", 0); /* schemes have no case: not a file named MEM: */
    check_url("Mem://x", "mem", "x", 0);
    check_url("postgresql://tl@127.0.0.1:5432/tradeloop", "postgresql",
              "postgresql://tl@127.0.0.1:5432/tradeloop", 0);
    check_url("postgres://localhost/db", "postgresql", "postgres://localhost/db", 0);
    check_url("POSTGRESQL://h/db", "postgresql", "POSTGRESQL://h/db", 0);
    check_url("sqlite:/var/lib/tl/tradeloop.db", "sqlite", "/var/lib/tl/tradeloop.db", 0);
    check_url("sqlite:tradeloop.db", "sqlite", "tradeloop.db", 0);
    check_url("sqlite://x.db", "sqlite", "x.db", 0); /* never /x.db */
    check_url("sqlite:///var/x.db", "sqlite", "/var/x.db", 0);
    check_url("SQLITE:x.db", "sqlite", "x.db", 0);
    check_url("file:x.db?mode=ro", "sqlite", "file:x.db?mode=ro", 1);
    check_url("/var/lib/tl/tradeloop.db", "sqlite", "/var/lib/tl/tradeloop.db", 0);
    check_url("tradeloop.db", "sqlite", "tradeloop.db", 0);
    check_url("mem", "sqlite", "mem", 0); /* a file called mem, not the memory store */
    check_url("C:data.db", "sqlite", "C:data.db", 0);
    check_url("./my:db", "sqlite", "./my:db", 0);
    check_url("redis://localhost:6379", "redis", "redis://localhost:6379", 0);
    check_url("postgresqlx://h/db", "postgresqlx", "postgresqlx://h/db", 0);

    refused("", "empty store URL");
    refused("sqlite:", "no database file after 'sqlite:'");
    refused("sqlite://", "no database file after 'sqlite://'");
    refused("postgresql:h/db", "want postgresql://");
    refused(" x.db", "leading or trailing blank");
    refused("x.db ", "leading or trailing blank");
    refused("x\tdb", "control character 0x09 at position 2");
    refused("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa://x", "scheme too long");
    tl_store_url u;
    assert_int_equal(tl_store_url_parse(NULL, &u, NULL), TL_EINVAL);
}

/* What the rules mean on disk: sqlite://x.db is ./x.db, MEM: creates no file. */
static void test_url_opens_where_it_says(void **state)
{
    (void)state;
    char dir[] = "/tmp/tl-url-XXXXXX", cwd[4096];
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    tl_store s;
    assert_int_equal(tl_store_open(&s, "sqlite://rel.db", NULL, NULL, NULL), 0);
    tl_store_close(&s);
    assert_int_equal(access("rel.db", F_OK), 0);
    assert_int_equal(tl_store_open(&s, "MEM:", NULL, NULL, NULL), 0);
    assert_string_equal(s.ops->scheme, "mem");
    tl_store_close(&s);
    assert_int_equal(access("MEM:", F_OK), -1);
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, "redis://h", NULL, NULL, &err), TL_ENOTSUP);
    assert_non_null(strstr(err.msg, "unknown store scheme 'redis'"));
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char f[64];
        snprintf(f, sizeof f, "rel.db%s", suffix[i]);
        unlink(f);
    }
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_open_routes_to_backend(void **state)
{
    (void)state;
    tl_store s;
    assert_int_equal(tl_store_open(&s, "mem:", NULL, NULL, NULL), 0);
    assert_ptr_equal(s.ops, &tl_store_mem_ops);
    assert_int_equal(s.high_water, 0);
    tl_store_close(&s);
    assert_null(s.ops);
    assert_null(s.state);
    tl_store_close(&s); /* twice is harmless */
    tl_store_close(NULL);

    /* An added table cannot shadow a built-in. */
    assert_int_equal(tl_store_open(&s, "mem:x", NULL, extras, NULL), 0);
    assert_ptr_equal(s.ops, &tl_store_mem_ops);
    tl_store_close(&s);

    /* Unknown schemes are refused, naming the scheme; the store is untouched. */
    tl_err err = {0};
    memset(&s, 0x5c, sizeof s);
    tl_store before = s;
    assert_int_equal(tl_store_open(&s, "redis://x", NULL, NULL, &err), TL_ENOTSUP);
    assert_int_equal(err.code, TL_ENOTSUP);
    assert_non_null(strstr(err.msg, "'redis'"));
    assert_memory_equal(&s, &before, sizeof s);
    /* ...unless the caller adds a backend for it. */
    assert_int_equal(tl_store_open(&s, "redis://x", NULL, extras, NULL), 0);
    assert_ptr_equal(s.ops, &redis_ops);
    tl_store_close(&s);

    assert_int_equal(tl_store_open(NULL, "mem:", NULL, NULL, NULL), TL_EINVAL);
    assert_int_equal(tl_store_open(&s, NULL, NULL, NULL, NULL), TL_EINVAL);
}

static void test_open_routes_sqlite_and_pg(void **state)
{
    (void)state;
    char dir[] = "/tmp/tl-dispatch-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char url[128], plain[128];
    snprintf(url, sizeof url, "sqlite:%s/a.db", dir);
    snprintf(plain, sizeof plain, "%s/b.db", dir);
    tl_store s;
    tl_err err = {0};
    int rc = tl_store_open(&s, url, NULL, NULL, &err);
    if (rc != 0)
        print_error("%s: %s\n", url, err.msg);
    assert_int_equal(rc, 0);
    assert_ptr_equal(s.ops, &tl_store_sqlite_ops);
    tl_store_close(&s);
    assert_int_equal(tl_store_open(&s, plain, NULL, NULL, &err), 0);
    assert_ptr_equal(s.ops, &tl_store_sqlite_ops);
    tl_store_close(&s);
    /* Both spellings reach the PostgreSQL backend, which fails to connect (nothing listens on
     * port 1): the failure is its own, not "unknown scheme", and leaves the store untouched. */
    const char *pg[] = {"postgresql://tl@127.0.0.1:1/none?connect_timeout=2",
                        "postgres://tl@127.0.0.1:1/none?connect_timeout=2"};
    for (int i = 0; i < 2; i++) {
        memset(&s, 0x5c, sizeof s);
        tl_store before = s;
        rc = tl_store_open(&s, pg[i], NULL, NULL, &err);
        assert_true(rc < 0);
        assert_int_not_equal(rc, TL_ENOTSUP);
        assert_memory_equal(&s, &before, sizeof s);
    }
    char path[160];
    const char *files[] = {"a.db", "a.db-wal", "a.db-shm", "b.db", "b.db-wal", "b.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(dir), 0);
}

static void test_open_failures_leave_store_untouched(void **state)
{
    (void)state;
    tl_store s;
    memset(&s, 0x5c, sizeof s);
    tl_store before = s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, "fake://open-fail", NULL, extras, &err), TL_EIO);
    assert_string_equal(err.msg, "fake: cannot open");
    assert_memory_equal(&s, &before, sizeof s); /* and ASan sees the state freed */

    /* A broken added table is refused even when the URL does not pick it. */
    tl_store_ops broken = fake_ops;
    broken.scan = NULL;
    const tl_store_ops *const bad[] = {&broken, NULL};
    assert_int_equal(tl_store_open(&s, "mem:", NULL, bad, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "'scan'"));
    assert_memory_equal(&s, &before, sizeof s);
}

/* A backend whose high-water mark cannot be read is closed again (its buffer freed: ASan). */
static int hw_fail_open(void *st, const char *url, const tl_store_options *opt, tl_err *err)
{
    int rc = fake_open(st, url, opt, err);
    if (rc == 0)
        strcpy(((fake *)st)->buf, "hw-fail");
    return rc;
}

static void test_open_high_water_failure_closes(void **state)
{
    (void)state;
    tl_store_ops ops = fake_ops;
    ops.scheme = "hwfail";
    ops.open = hw_fail_open;
    const tl_store_ops *const ex[] = {&ops, NULL};
    tl_store s;
    memset(&s, 0x5c, sizeof s);
    tl_store before = s;
    tl_err err = {0};
    assert_int_equal(tl_store_open(&s, "hwfail://x", NULL, ex, &err), TL_ECORRUPT);
    assert_string_equal(err.msg, "fake: high water unreadable");
    assert_memory_equal(&s, &before, sizeof s);
}

static void test_options_passed(void **state)
{
    (void)state;
    tl_store s;
    assert_int_equal(open_fake(&s, "fake://"), 0);
    assert_int_equal(fk(&s)->durability, TL_DURABILITY_FULL); /* the default */
    tl_store_close(&s);
    tl_store_options opt = {.durability = TL_DURABILITY_NORMAL};
    assert_int_equal(tl_store_open(&s, "fake://", &opt, extras, NULL), 0);
    assert_int_equal(fk(&s)->durability, TL_DURABILITY_NORMAL);
    tl_store_close(&s);
}

/* ---- the append protocol ------------------------------------------------------------------- */

static void test_seq_follows_high_water(void **state)
{
    (void)state;
    tl_store s;
    assert_int_equal(open_fake(&s, "fake://hw=41"), 0);
    assert_int_equal(s.high_water, 41);
    tl_event ev[2] = {ev_make(TL_EV_INTENT_EMITTED, "a"), ev_make(TL_EV_INTENT_EMITTED, "a")};
    tl_position_row p = {.workspace = "a", .symbol = "BTCUSDT"};
    assert_int_equal(tl_store_append(&s, ev, 2, &p, 1, NULL, 0, NULL), 0);
    assert_int_equal(ev[0].seq, 42);
    assert_int_equal(ev[1].seq, 43);
    assert_int_equal(fk(&s)->first_seq, 42);
    assert_int_equal(fk(&s)->n_events, 2);
    assert_int_equal(fk(&s)->n_positions, 1);
    assert_int_equal(s.high_water, 43);
    assert_int_equal(fk(&s)->begins, 1);
    assert_int_equal(fk(&s)->commits, 1);
    assert_int_equal(fk(&s)->rollbacks, 0);
    assert_int_equal(s.stats.batches, 1);
    assert_int_equal(s.stats.events, 2);
    tl_store_close(&s);

    /* The sequence cannot wrap. */
    char url[64];
    snprintf(url, sizeof url, "fake://hw=%" PRIu64, UINT64_MAX - 1);
    assert_int_equal(open_fake(&s, url), 0);
    tl_err err = {0};
    assert_int_equal(tl_store_append(&s, ev, 2, NULL, 0, NULL, 0, &err), TL_ERANGE);
    assert_int_equal(fk(&s)->begins, 0);
    assert_int_equal(tl_store_append(&s, ev, 1, NULL, 0, NULL, 0, NULL), 0);
    assert_int_equal(ev[0].seq, UINT64_MAX);
    assert_int_equal(s.high_water, UINT64_MAX);
    tl_store_close(&s);
}

static void test_backend_failures_roll_back(void **state)
{
    (void)state;
    tl_store s;
    assert_int_equal(open_fake(&s, "fake://hw=10"), 0);
    fake *f = fk(&s);
    tl_event ev = ev_make(TL_EV_KILL_SWITCH, "a");
    tl_err err = {0};

    f->fail_begin = TL_EBUSY; /* nothing started: no write, no rollback */
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), TL_EBUSY);
    assert_int_equal(f->writes, 0);
    assert_int_equal(f->rollbacks, 0);
    assert_int_equal(s.high_water, 10);
    f->fail_begin = 0;

    f->fail_write = TL_EDUPLICATE;
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), TL_EDUPLICATE);
    assert_string_equal(err.msg, "fake: write failed"); /* the backend's detail is kept */
    assert_int_equal(f->commits, 0);
    assert_int_equal(f->rollbacks, 1);
    assert_int_equal(s.high_water, 10);
    f->fail_write = 0;

    f->fail_commit = TL_EIO;
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), TL_EIO);
    assert_int_equal(f->commits, 1);
    assert_int_equal(f->rollbacks, 2);
    assert_int_equal(s.high_water, 10);
    f->fail_commit = 0;

    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), 0);
    assert_int_equal(ev.seq, 11); /* no gap after the failures */
    assert_int_equal(s.high_water, 11);
    assert_int_equal(s.stats.failures, 3);
    assert_int_equal(s.stats.rollbacks, 2);
    assert_int_equal(s.stats.batches, 1);
    assert_int_equal(s.stats.events, 1);
    tl_store_close(&s);
}

static void test_injected_faults(void **state)
{
    (void)state;
    tl_store s;
    assert_int_equal(open_fake(&s, "fake://"), 0);
    fake *f = fk(&s);
    tl_event ev = ev_make(TL_EV_KILL_SWITCH, "a");
    tl_err err = {0};
    s.faults.fail_write_at = 2;
    s.faults.fail_commit_at = 3;
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), 0); /* write 1 */
    /* Write #2 fails before the backend sees it. */
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), TL_EIO);
    assert_string_equal(err.msg, "injected fault: write #2");
    assert_int_equal(f->writes, 1);
    assert_int_equal(f->rollbacks, 1);
    assert_int_equal(f->commits, 1);
    assert_int_equal(s.high_water, 1);
    /* Write #3 succeeds; commit #2 succeeds (commits count only attempted commits). */
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), 0);
    assert_int_equal(ev.seq, 2);
    /* Commit #3 fails without reaching the backend's commit. */
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), TL_EIO);
    assert_string_equal(err.msg, "injected fault: commit #3");
    assert_int_equal(f->writes, 3);
    assert_int_equal(f->commits, 2);
    assert_int_equal(f->rollbacks, 2);
    assert_int_equal(s.high_water, 2);
    assert_int_equal(s.faults.writes, 4);
    assert_int_equal(s.faults.commits, 3);
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, &err), 0);
    assert_int_equal(ev.seq, 3);
    assert_int_equal(s.stats.failures, 2);
    tl_store_close(&s);
}

/* Every refused batch is refused before begin: the backend never sees it. */
static void expect_refused(tl_store *s, tl_event *ev, size_t n, const tl_position_row *p, size_t np,
                           const tl_account_row *a, size_t na, const char *msg_part)
{
    tl_err err = {0};
    uint64_t hw = s->high_water;
    assert_int_equal(tl_store_append(s, ev, n, p, np, a, na, &err), TL_EINVAL);
    if (strstr(err.msg, msg_part) == NULL)
        print_error("message '%s' lacks '%s'\n", err.msg, msg_part);
    assert_non_null(strstr(err.msg, msg_part));
    assert_int_equal(fk(s)->begins, 0);
    assert_int_equal(s->high_water, hw);
}

static void test_append_validation(void **state)
{
    (void)state;
    tl_store s;
    assert_int_equal(open_fake(&s, "fake://"), 0);
    tl_event ev[2] = {ev_make(TL_EV_INTENT_EMITTED, "a"), ev_make(TL_EV_INTENT_EMITTED, "a")};
    tl_position_row p = {.workspace = "a", .symbol = "BTCUSDT"};
    tl_account_row a = {.workspace = "a"};

    expect_refused(&s, ev, 0, NULL, 0, NULL, 0, "empty batch");
    expect_refused(&s, NULL, 1, NULL, 0, NULL, 0, "NULL array");
    expect_refused(&s, ev, 1, NULL, 1, NULL, 0, "NULL array");
    expect_refused(&s, ev, 1, NULL, 0, NULL, 1, "NULL array");
    ev[1].type = 0;
    expect_refused(&s, ev, 2, NULL, 0, NULL, 0, "event 1: unknown type 0");
    ev[1].type = TL_EV__MAX + 1;
    char unknown[32];
    snprintf(unknown, sizeof(unknown), "unknown type %d", TL_EV__MAX + 1);
    expect_refused(&s, ev, 2, NULL, 0, NULL, 0, unknown);
    ev[1] = ev_make(TL_EV_INTENT_EMITTED, "bad ws");
    expect_refused(&s, ev, 2, NULL, 0, NULL, 0, "position 4");
    ev[1] = ev_make(TL_EV_INTENT_EMITTED, "");
    expect_refused(&s, ev, 2, NULL, 0, NULL, 0, "empty");
    ev[1] = ev_make(TL_EV_INTENT_EMITTED, "a");
    memset(ev[1].workspace, 'w', sizeof ev[1].workspace);
    expect_refused(&s, ev, 2, NULL, 0, NULL, 0, "workspace unterminated");
    ev[1] = ev_make(TL_EV_INTENT_EMITTED, "a");
    memset(ev[1].order_id, 'o', sizeof ev[1].order_id);
    expect_refused(&s, ev, 2, NULL, 0, NULL, 0, "order_id unterminated");
    ev[1] = ev_make(TL_EV_INTENT_EMITTED, "a");
    memset(ev[1].text, 't', sizeof ev[1].text);
    expect_refused(&s, ev, 2, NULL, 0, NULL, 0, "text unterminated");
    ev[1] = ev_make(TL_EV_ORDER_FILLED, "a");
    strcpy(ev[1].order_id, "O1");
    expect_refused(&s, ev, 2, NULL, 0, NULL, 0, "trade_id is empty");
    ev[1] = ev_make(TL_EV_INTENT_EMITTED, "a");

    p.symbol[0] = '\0';
    expect_refused(&s, ev, 1, &p, 1, NULL, 0, "position row 0: symbol");
    strcpy(p.symbol, "BTCUSDT");
    strcpy(p.workspace, "a/b");
    expect_refused(&s, ev, 1, &p, 1, NULL, 0, "position row 0: workspace");
    strcpy(p.workspace, "a");
    strcpy(a.workspace, "a b");
    expect_refused(&s, ev, 1, &p, 1, &a, 1, "account row 0: workspace");
    strcpy(a.workspace, "a");

    assert_int_equal(s.faults.writes, 0);
    /* The same batch, repaired, goes through with seq 1. */
    assert_int_equal(tl_store_append(&s, ev, 2, &p, 1, &a, 1, NULL), 0);
    assert_int_equal(ev[0].seq, 1);
    assert_int_equal(fk(&s)->n_accounts, 1);
    tl_store_close(&s);
}

/* ---- the other calls ----------------------------------------------------------------------- */

static int count_fn(void *ctx, const tl_event *ev)
{
    (void)ev;
    (*(int *)ctx)++;
    return 0;
}

static void test_call_argument_checks(void **state)
{
    (void)state;
    tl_store s;
    assert_int_equal(open_fake(&s, "fake://"), 0);
    fake *f = fk(&s);
    int count = 0;
    tl_err err = {0};

    assert_int_equal(tl_store_scan(&s, NULL, NULL, NULL, NULL), TL_EINVAL);
    tl_scan_filter flt = {.type = -1};
    assert_int_equal(tl_store_scan(&s, &flt, count_fn, &count, NULL), TL_EINVAL);
    flt.type = TL_EV__MAX + 1;
    assert_int_equal(tl_store_scan(&s, &flt, count_fn, &count, NULL), TL_EINVAL);
    flt.type = 0;
    flt.workspace = "no spaces";
    assert_int_equal(tl_store_scan(&s, &flt, count_fn, &count, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "position 3"));
    assert_int_equal(f->scans, 0);
    flt.workspace = "";
    f->scan_ws = "sentinel";
    assert_int_equal(tl_store_scan(&s, &flt, count_fn, &count, NULL), 0);
    assert_null(f->scan_ws); /* "" reaches the backends as NULL: one spelling of "any" */
    assert_int_equal(tl_store_scan(&s, NULL, count_fn, &count, NULL), 0);
    assert_int_equal(f->scans, 2);

    tl_event out;
    assert_int_equal(tl_store_find_idem(&s, "", &out, NULL), TL_EINVAL);
    assert_int_equal(tl_store_find_idem(&s, NULL, &out, NULL), TL_EINVAL);
    assert_int_equal(tl_store_find_idem(&s, "k", NULL, NULL), TL_EINVAL);
    char key[TL_IDEM_KEY_MAX + 1];
    memset(key, 'k', TL_IDEM_KEY_MAX);
    key[TL_IDEM_KEY_MAX] = '\0';
    assert_int_equal(tl_store_find_idem(&s, key, &out, NULL), TL_EINVAL);
    key[TL_IDEM_KEY_MAX - 1] = '\0'; /* 111 characters: a valid key */
    assert_int_equal(tl_store_find_idem(&s, key, &out, NULL), TL_ENOTFOUND);

    size_t n;
    tl_position_row prow;
    tl_account_row arow;
    assert_int_equal(tl_store_get_positions(&s, "", &prow, 1, NULL, NULL), TL_EINVAL);
    assert_int_equal(tl_store_get_positions(&s, "", NULL, 1, &n, NULL), TL_EINVAL);
    assert_int_equal(tl_store_get_positions(&s, "x y", &prow, 1, &n, NULL), TL_EINVAL);
    assert_int_equal(tl_store_get_accounts(&s, "x;y", &arow, 1, &n, NULL), TL_EINVAL);
    assert_int_equal(tl_store_get_accounts(&s, "", NULL, 1, &n, NULL), TL_EINVAL);
    assert_int_equal(tl_store_get_positions(&s, NULL, NULL, 0, &n, NULL), 0);
    assert_string_equal(f->get_ws, ""); /* NULL reaches the backends as "" */
    assert_int_equal(tl_store_get_accounts(&s, "desk-1", &arow, 1, &n, NULL), 0);
    assert_string_equal(f->get_ws, "desk-1");

    tl_store_close(&s);
    tl_event ev = ev_make(TL_EV_KILL_SWITCH, "a");
    assert_int_equal(tl_store_append(&s, &ev, 1, NULL, 0, NULL, 0, NULL), TL_ECLOSED);
    assert_int_equal(tl_store_scan(&s, NULL, count_fn, &count, NULL), TL_ECLOSED);
    assert_int_equal(tl_store_find_idem(&s, "k", &out, NULL), TL_ECLOSED);
    assert_int_equal(tl_store_get_positions(&s, "", NULL, 0, &n, NULL), TL_ECLOSED);
    assert_int_equal(tl_store_get_accounts(&s, "", NULL, 0, &n, NULL), TL_ECLOSED);
    assert_int_equal(tl_store_append(NULL, &ev, 1, NULL, 0, NULL, 0, NULL), TL_EINVAL);
    assert_int_equal(tl_store_scan(NULL, NULL, count_fn, &count, NULL), TL_EINVAL);
    assert_int_equal(count, 0);
}

/* A backend without the optional slots: no read-only open, and a workspace's range is found by a
 * scan of that workspace through the backend. */
static void test_optional_slots(void **state)
{
    (void)state;
    tl_store s;
    tl_err err = {0};
    assert_int_equal(tl_store_open_read(&s, "redis://x", extras, &err), TL_ENOTSUP);
    assert_non_null(strstr(err.msg, "read-only"));
    assert_int_equal(tl_store_open(&s, "redis://x", NULL, extras, NULL), 0);
    fake *f = s.state;
    tl_workspace_info wi;
    assert_int_equal(tl_store_workspace_info(&s, "desk-1", &wi, &err), TL_ENOTFOUND);
    assert_int_equal(f->scans, 1);
    assert_string_equal(f->scan_ws, "desk-1");
    assert_int_equal(tl_store_workspace_info(&s, "a b", &wi, NULL), TL_EINVAL);
    assert_int_equal(tl_store_workspace_info(&s, NULL, &wi, NULL), TL_EINVAL);
    assert_int_equal(f->scans, 1);
    tl_store_close(&s);
    assert_int_equal(tl_store_workspace_info(&s, "desk-1", &wi, NULL), TL_ECLOSED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_rules),
        cmocka_unit_test(test_url_opens_where_it_says),
        cmocka_unit_test(test_open_routes_to_backend),
        cmocka_unit_test(test_open_routes_sqlite_and_pg),
        cmocka_unit_test(test_open_failures_leave_store_untouched),
        cmocka_unit_test(test_open_high_water_failure_closes),
        cmocka_unit_test(test_options_passed),
        cmocka_unit_test(test_seq_follows_high_water),
        cmocka_unit_test(test_backend_failures_roll_back),
        cmocka_unit_test(test_injected_faults),
        cmocka_unit_test(test_append_validation),
        cmocka_unit_test(test_call_argument_checks),
        cmocka_unit_test(test_optional_slots),
    };
    return cmocka_run_group_tests_name("store_dispatch", tests, NULL, NULL);
}
