/* control_conformance.c -- the shared suite of the control inbox and status documents (see the
 * header). Everything goes through the dispatcher, as the engine and `tradeloop kill` call it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/control_conformance.h"
#include "store/store.h"

static const char *url_template;
static unsigned url_counter;
static int is_durable;
static int (*reset_hook)(const char *url);

typedef struct ctx {
    tl_store s;
    char url[1024];
} ctx;

static void open_ok(tl_store *s, const char *url)
{
    tl_err err = {0};
    int rc = tl_store_open(s, url, NULL, NULL, &err);
    if (rc != 0)
        print_error("tl_store_open(%s): %s\n", url, err.msg);
    assert_int_equal(rc, 0);
}

static int setup(void **state)
{
    ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return -1;
    const char *p = strstr(url_template, "%d");
    if (p == NULL)
        snprintf(c->url, sizeof c->url, "%s", url_template);
    else
        snprintf(c->url, sizeof c->url, "%.*s%u%s", (int)(p - url_template), url_template,
                 url_counter++, p + 2);
    if (reset_hook != NULL && reset_hook(c->url) != 0) {
        free(c);
        return -1;
    }
    open_ok(&c->s, c->url);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    tl_store_close(&c->s);
    free(c);
    return 0;
}

/* Appends one KILL_SWITCH event, the kind an engine journals when it takes a row; its seq. */
static uint64_t journal_event(tl_store *s, const char *text)
{
    tl_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = TL_EV_KILL_SWITCH;
    ev.ts_ns = 1700000000000000000LL;
    strcpy(ev.workspace, "desk");
    snprintf(ev.text, sizeof ev.text, "%s", text);
    tl_err err = {0};
    int rc = tl_store_append(s, &ev, 1, NULL, 0, NULL, 0, &err);
    if (rc != 0)
        print_error("append: %s\n", err.msg);
    assert_int_equal(rc, 0);
    return ev.seq;
}

static uint64_t put_ok(tl_store *s, const char *command, const char *arg, int64_t ts)
{
    tl_err err = {0};
    uint64_t id = 0;
    int rc = tl_store_control_put(s, command, arg, ts, &id, &err);
    if (rc != 0)
        print_error("control_put: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_true(id >= 1);
    return id;
}

/* ---- the inbox ------------------------------------------------------------------------------ */

/* Ids ascend; pending rows come in id order after after_id, paged by cap; a taken row leaves
 * them and shows the event that took it. */
static void test_put_pending_done(void **state)
{
    ctx *c = *state;
    tl_store *s = &c->s;
    tl_control_row rows[4];
    size_t n = 99;
    assert_int_equal(tl_store_control_pending(s, 0, rows, 4, &n, NULL), 0);
    assert_int_equal(n, 0);

    uint64_t a = put_ok(s, "kill", "fat finger on desk 3", 111);
    uint64_t b = put_ok(s, "release", "", 222);
    uint64_t k = put_ok(s, "kill", "again", 333);
    assert_true(a < b && b < k);

    tl_control_row r;
    assert_int_equal(tl_store_control_get(s, a, &r, NULL), 0);
    assert_int_equal(r.id, a);
    assert_int_equal(r.ts_ns, 111);
    assert_string_equal(r.command, "kill");
    assert_string_equal(r.arg, "fat finger on desk 3");
    assert_int_equal(r.taken_seq, 0);
    assert_int_equal(r.taken_ns, 0);

    assert_int_equal(tl_store_control_pending(s, 0, rows, 4, &n, NULL), 0);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].id, a);
    assert_int_equal(rows[1].id, b);
    assert_string_equal(rows[1].command, "release");
    assert_string_equal(rows[1].arg, "");
    assert_int_equal(rows[2].id, k);
    assert_int_equal(tl_store_control_pending(s, a, rows, 1, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, b);
    assert_int_equal(tl_store_control_pending(s, k, rows, 4, &n, NULL), 0);
    assert_int_equal(n, 0);

    uint64_t seq = journal_event(s, "fat finger on desk 3");
    assert_int_equal(tl_store_control_done(s, a, seq, 444, NULL), 0);
    assert_int_equal(tl_store_control_get(s, a, &r, NULL), 0);
    assert_int_equal(r.taken_seq, seq);
    assert_int_equal(r.taken_ns, 444);
    assert_int_equal(tl_store_control_pending(s, 0, rows, 4, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, b);
    assert_int_equal(rows[1].id, k);
}

/* Taking a row: again by the same event is a harmless retry; by another event, a missing row,
 * or an event not yet in the journal is refused, and nothing changes. */
static void test_done_rules(void **state)
{
    ctx *c = *state;
    tl_store *s = &c->s;
    tl_err err = {0};
    uint64_t id = put_ok(s, "kill", "x", 1);
    uint64_t seq = journal_event(s, "x");
    assert_int_equal(tl_store_control_done(s, id, seq + 1, 5, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "not in the journal"));
    assert_int_equal(tl_store_control_done(s, id, 0, 5, &err), TL_EINVAL);
    tl_control_row r;
    assert_int_equal(tl_store_control_get(s, id, &r, NULL), 0);
    assert_int_equal(r.taken_seq, 0);

    assert_int_equal(tl_store_control_done(s, id, seq, 5, &err), 0);
    assert_int_equal(tl_store_control_done(s, id, seq, 6, &err), 0);
    uint64_t seq2 = journal_event(s, "y");
    assert_int_equal(tl_store_control_done(s, id, seq2, 7, &err), TL_ESTATE);
    assert_non_null(strstr(err.msg, "already taken"));
    assert_int_equal(tl_store_control_get(s, id, &r, NULL), 0);
    assert_int_equal(r.taken_seq, seq);
    assert_int_equal(r.taken_ns, 5);

    assert_int_equal(tl_store_control_done(s, id + 100, seq2, 7, &err), TL_ENOTFOUND);
    assert_int_equal(tl_store_control_get(s, id + 100, &r, &err), TL_ENOTFOUND);
    assert_int_equal(tl_store_control_get(s, 0, &r, &err), TL_ENOTFOUND);
}

/* The one list of commands and the argument's bounds; a refused put stores nothing and leaves
 * *id alone. */
static void test_put_refused(void **state)
{
    ctx *c = *state;
    tl_store *s = &c->s;
    tl_err err = {0};
    uint64_t id = 77;
    char arg[TL_CONTROL_ARG_MAX + 1];
    assert_int_equal(tl_store_control_put(s, "stop", "", 1, &id, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "unknown command 'stop'"));
    assert_int_equal(tl_store_control_put(s, "", "", 1, &id, &err), TL_EINVAL);
    assert_int_equal(tl_store_control_put(s, "KILL", "", 1, &id, &err), TL_EINVAL);
    memset(arg, 'a', TL_CONTROL_ARG_MAX);
    arg[TL_CONTROL_ARG_MAX] = '\0'; /* 128 bytes: one too many */
    assert_int_equal(tl_store_control_put(s, "kill", arg, 1, &id, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "longer than 127"));
    assert_int_equal(tl_store_control_put(s, "kill", "line\nbreak", 1, &id, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "byte 5 (0x0a)"));
    assert_int_equal(tl_store_control_put(s, "kill", "caf\xc3\xa9", 1, &id, &err), TL_EINVAL);
    assert_int_equal(tl_store_control_put(s, "kill", "del\x7f", 1, &id, &err), TL_EINVAL);
    assert_int_equal(tl_store_control_put(s, "kill", NULL, 1, &id, &err), TL_EINVAL);
    assert_int_equal(tl_store_control_put(s, "kill", "x", 1, NULL, &err), TL_EINVAL);
    assert_int_equal(id, 77);
    tl_control_row rows[2];
    size_t n = 9;
    assert_int_equal(tl_store_control_pending(s, 0, rows, 2, &n, NULL), 0);
    assert_int_equal(n, 0);

    arg[TL_CONTROL_ARG_MAX - 1] = '\0'; /* 127 bytes: the most there is room for */
    arg[0] = ' ';
    arg[1] = '~';
    id = put_ok(s, "kill", arg, 1);
    tl_control_row r;
    assert_int_equal(tl_store_control_get(s, id, &r, NULL), 0);
    assert_string_equal(r.arg, arg);
    assert_int_equal(tl_store_control_pending(s, 0, NULL, 0, &n, NULL), 0);
    assert_int_equal(n, 0);
    assert_int_equal(tl_store_control_pending(s, 0, NULL, 1, &n, &err), TL_EINVAL);
}

/* ---- status documents ----------------------------------------------------------------------- */

static void test_status(void **state)
{
    ctx *c = *state;
    tl_store *s = &c->s;
    tl_err err = {0};
    char *doc = (char *)"untouched";
    int64_t ts = -1;
    assert_int_equal(tl_store_status_get(s, "loop", &doc, &ts, &err), TL_ENOTFOUND);
    assert_string_equal(doc, "untouched");
    assert_int_equal(ts, -1);

    assert_int_equal(tl_store_status_put(s, "loop", 10, "{\"accounts\":{},\"kill\":false}", &err),
                     0);
    assert_int_equal(tl_store_status_put(s, "run:va1", 11, "[1,2]", &err), 0);
    assert_int_equal(tl_store_status_get(s, "loop", &doc, &ts, &err), 0);
    assert_string_equal(doc, "{\"accounts\":{},\"kill\":false}");
    assert_int_equal(ts, 10);
    free(doc);
    /* An upsert replaces the document and its time. */
    assert_int_equal(
        tl_store_status_put(s, "loop", 20, "{\"kill\":true,\"r\":\"caf\xc3\xa9\"}", &err), 0);
    assert_int_equal(tl_store_status_get(s, "loop", &doc, NULL, &err), 0);
    assert_string_equal(doc, "{\"kill\":true,\"r\":\"caf\xc3\xa9\"}");
    free(doc);

    /* Refused, and the stored one stays. */
    assert_int_equal(tl_store_status_put(s, "loop", 30, "{\"kill\":", &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "not JSON"));
    assert_int_equal(tl_store_status_put(s, "loop", 30, "", &err), TL_EINVAL);
    assert_int_equal(tl_store_status_put(s, "", 30, "{}", &err), TL_EINVAL);
    assert_int_equal(tl_store_status_put(s, "a b", 30, "{}", &err), TL_EINVAL);
    char name[TL_STATUS_NAME_MAX + 1];
    memset(name, 'n', TL_STATUS_NAME_MAX);
    name[TL_STATUS_NAME_MAX] = '\0';
    assert_int_equal(tl_store_status_put(s, name, 30, "{}", &err), TL_EINVAL);
    assert_int_equal(tl_store_status_get(s, name, &doc, &ts, &err), TL_EINVAL);
    name[TL_STATUS_NAME_MAX - 1] = '\0';
    assert_int_equal(tl_store_status_put(s, name, 30, "{}", &err), 0);
    assert_int_equal(tl_store_status_get(s, "loop", &doc, &ts, &err), 0);
    assert_string_equal(doc, "{\"kill\":true,\"r\":\"caf\xc3\xa9\"}");
    assert_int_equal(ts, 20);
    free(doc);
}

/* A document of exactly TL_STATUS_DOC_MAX bytes goes and comes back whole; one more is refused. */
static void test_status_largest(void **state)
{
    ctx *c = *state;
    tl_store *s = &c->s;
    tl_err err = {0};
    char *big = malloc(TL_STATUS_DOC_MAX + 2);
    assert_non_null(big);
    big[0] = '"';
    for (size_t i = 1; i < TL_STATUS_DOC_MAX - 1; i++)
        big[i] = (char)('a' + i % 26);
    big[TL_STATUS_DOC_MAX - 1] = '"';
    big[TL_STATUS_DOC_MAX] = '\0';
    assert_int_equal(tl_store_status_put(s, "big", 1, big, &err), 0);
    char *doc = NULL;
    assert_int_equal(tl_store_status_get(s, "big", &doc, NULL, &err), 0);
    assert_int_equal(strlen(doc), TL_STATUS_DOC_MAX);
    assert_memory_equal(doc, big, TL_STATUS_DOC_MAX);
    free(doc);
    big[TL_STATUS_DOC_MAX] = ' '; /* valid JSON still, but a byte too long */
    big[TL_STATUS_DOC_MAX + 1] = '\0';
    assert_int_equal(tl_store_status_put(s, "big", 2, big, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "longer than"));
    free(big);
}

/* ---- other processes (durable backends) ---------------------------------------------------- */

/* What `tradeloop kill` and the engine do, on two stores of one database: the request is seen
 * by the engine, taken, and the requester sees it taken; rows and documents survive a reopen. */
static void test_two_stores(void **state)
{
    ctx *c = *state;
    if (!is_durable)
        skip();
    tl_store *engine = &c->s, req;
    journal_event(engine, "earlier");
    open_ok(&req, c->url);
    uint64_t id = put_ok(&req, "kill", "from another process", 5);
    tl_control_row rows[2];
    size_t n = 0;
    assert_int_equal(tl_store_control_pending(engine, 0, rows, 2, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, id);
    uint64_t seq = journal_event(engine, rows[0].arg);
    assert_int_equal(tl_store_control_done(engine, id, seq, 6, NULL), 0);
    tl_control_row r;
    assert_int_equal(tl_store_control_get(&req, id, &r, NULL), 0);
    assert_int_equal(r.taken_seq, seq);
    assert_int_equal(tl_store_status_put(engine, "loop", 7, "{\"seq\":2}", NULL), 0);
    tl_store_close(&req);

    tl_store_close(engine);
    open_ok(engine, c->url);
    assert_int_equal(tl_store_control_get(engine, id, &r, NULL), 0);
    assert_int_equal(r.taken_seq, seq);
    assert_string_equal(r.arg, "from another process");
    uint64_t next = put_ok(engine, "release", "", 8);
    assert_true(next > id);
    char *doc = NULL;
    assert_int_equal(tl_store_status_get(engine, "loop", &doc, NULL, NULL), 0);
    assert_string_equal(doc, "{\"seq\":2}");
    free(doc);
}

/* A reader (the dashboard, a requester waiting for its row) reads all of it and writes none. */
static void test_reader(void **state)
{
    ctx *c = *state;
    if (!is_durable)
        skip();
    tl_store *w = &c->s, r;
    uint64_t seq = journal_event(w, "x");
    uint64_t id = put_ok(w, "kill", "x", 1);
    assert_int_equal(tl_store_status_put(w, "loop", 2, "{\"a\":1}", NULL), 0);
    tl_err err = {0};
    int rc = tl_store_open_read(&r, c->url, NULL, &err);
    if (rc != 0)
        print_error("open_read: %s\n", err.msg);
    assert_int_equal(rc, 0);
    char *doc = NULL;
    int64_t ts = 0;
    assert_int_equal(tl_store_status_get(&r, "loop", &doc, &ts, &err), 0);
    assert_string_equal(doc, "{\"a\":1}");
    assert_int_equal(ts, 2);
    free(doc);
    tl_control_row rows[1], row;
    size_t n = 0;
    assert_int_equal(tl_store_control_pending(&r, 0, rows, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    /* The writer changes things; the reader sees each change on its next call. */
    assert_int_equal(tl_store_control_done(w, id, seq, 3, NULL), 0);
    assert_int_equal(tl_store_status_put(w, "loop", 4, "{\"a\":2}", NULL), 0);
    assert_int_equal(tl_store_control_get(&r, id, &row, &err), 0);
    assert_int_equal(row.taken_seq, seq);
    assert_int_equal(tl_store_status_get(&r, "loop", &doc, &ts, &err), 0);
    assert_string_equal(doc, "{\"a\":2}");
    free(doc);

    uint64_t id2 = 0;
    assert_int_equal(tl_store_control_put(&r, "kill", "", 1, &id2, &err), TL_ESTATE);
    assert_int_equal(tl_store_control_done(&r, id, seq, 1, &err), TL_ESTATE);
    assert_int_equal(tl_store_status_put(&r, "loop", 5, "{}", &err), TL_ESTATE);
    tl_store_close(&r);
}

int tl_control_conformance_run(const char *group_name, const char *template, int durable,
                               int (*reset)(const char *url))
{
    url_template = template;
    is_durable = durable;
    reset_hook = reset;
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_put_pending_done), T(test_done_rules), T(test_put_refused), T(test_status),
        T(test_status_largest),   T(test_two_stores), T(test_reader),
    };
#undef T
    return cmocka_run_group_tests_name(group_name, tests, NULL, NULL);
}
