/* test_intake_redis.c -- the Redis intake against a real redis-server (the ctest fixture's, and
 * for the restart and AUTH cases one of the test's own): pub/sub round trip; streams: the entry
 * stays pending until its answer, no XACK when the XADD failed, a restart reads back its own
 * pending entries, a second consumer claims what a dead one left; reconnect after the server
 * restarts; AUTH refused without the password in any message; a refused connect is noticed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "service/intake_redis.h"

#define SCRIPT TL_SOURCE_DIR "/tests/support/redis_server.sh"

typedef struct rig {
    uv_loop_t loop;
    uv_timer_t tick; /* keeps UV_RUN_ONCE returning while run_until waits */
    tl_redis_intake ri;
    int n_msgs;
    char body[8][256];
    tl_intake_token tok[8];
    int n_answered, last_rc;
    char log[4096];
} rig;

static int g_port; /* the fixture's server */
static char g_prefix[32];

static void on_msg(void *ctx, const char *body, size_t len, tl_intake_token tok)
{
    rig *g = ctx;
    if (g->n_msgs < 8) {
        snprintf(g->body[g->n_msgs], sizeof g->body[0], "%.*s", (int)len, body);
        g->tok[g->n_msgs] = tok;
    }
    g->n_msgs++;
}

static void on_answered(void *ctx, tl_intake_token tok, int rc)
{
    (void)tok;
    rig *g = ctx;
    g->n_answered++;
    g->last_rc = rc;
}

static void on_log(void *ctx, const char *msg)
{
    rig *g = ctx;
    size_t n = strlen(g->log);
    snprintf(g->log + n, sizeof g->log - n, "%s\n", msg);
}

static void tick(uv_timer_t *t)
{
    (void)t;
}

/* Runs the loop until cond holds; false after 20 s (a safety net, not a timing assertion). */
static bool run_until(rig *g, bool (*cond)(rig *))
{
    uint64_t t0 = uv_hrtime();
    bool ok;
    while (!(ok = cond(g)) && uv_hrtime() - t0 < 20000000000ULL)
        uv_run(&g->loop, UV_RUN_ONCE);
    return ok;
}

static bool connected(rig *g)
{
    return tl_redis_intake_connected(&g->ri);
}
static bool disconnected(rig *g)
{
    return !tl_redis_connected(&g->ri.in);
}
static bool has_error(rig *g)
{
    return g->ri.in.last_error[0] != '\0';
}
static bool one_msg(rig *g)
{
    return g->n_msgs >= 1;
}
static bool two_msgs(rig *g)
{
    return g->n_msgs >= 2;
}
static bool one_answer(rig *g)
{
    return g->n_answered >= 1;
}

static redisContext *sync_cli(int port)
{
    redisContext *c = redisConnect("127.0.0.1", port);
    assert_non_null(c);
    assert_int_equal(c->err, 0);
    return c;
}

static long long cmd_int(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    assert_non_null(r);
    long long v = -1;
    if (r->type == REDIS_REPLY_INTEGER)
        v = r->integer;
    else if (r->type == REDIS_REPLY_ARRAY)
        v = (long long)r->elements;
    freeReplyObject(r);
    return v;
}

/* XPENDING's count of entries pending in the group. */
static long long pending(redisContext *c, const char *stream)
{
    redisReply *r = redisCommand(c, "XPENDING %s grp", stream);
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    long long n = r->element[0]->integer;
    freeReplyObject(r);
    return n;
}

/* PUBSUB NUMSUB channel: is our subscription in place yet? */
static int g_numsub_port;
static const char *g_numsub_channel;
static bool subscribed(rig *g)
{
    (void)g;
    redisContext *c = sync_cli(g_numsub_port);
    redisReply *r = redisCommand(c, "PUBSUB NUMSUB %s", g_numsub_channel);
    bool ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->integer > 0;
    freeReplyObject(r);
    redisFree(c);
    return ok;
}

static void rig_start(rig *g, tl_intake_kind kind, int port, const char *password,
                      const char *consumer, const char *name)
{
    memset(g, 0, sizeof *g);
    assert_int_equal(uv_loop_init(&g->loop), 0);
    uv_timer_init(&g->loop, &g->tick);
    uv_timer_start(&g->tick, tick, 5, 5);
    char orders[96], results[96];
    snprintf(orders, sizeof orders, "%s:%s:orders", g_prefix, name);
    snprintf(results, sizeof results, "%s:%s:results", g_prefix, name);
    tl_redis_intake_config cfg = {
        .kind = kind,
        .redis = {.host = "127.0.0.1",
                  .port = port,
                  .password = password,
                  .backoff_min_ms = 10,
                  .backoff_max_ms = 50},
        .orders = orders,
        .results = results,
        .group = "grp",
        .consumer = consumer,
        .block_ms = 50,
        .claim_min_idle_ms = 0,
        .claim_every_ms = strcmp(consumer, "b") == 0 ? 10 : 0,
        .on_message = on_msg,
        .on_answered = on_answered,
        .on_log = on_log,
        .ctx = g,
    };
    tl_err err;
    assert_int_equal(tl_redis_intake_init(&g->ri, &g->loop, &cfg, &err), 0);
    tl_redis_intake_start(&g->ri);
}

static void rig_stop(rig *g)
{
    tl_redis_intake_close(&g->ri);
    uv_close((uv_handle_t *)&g->tick, NULL);
    uv_run(&g->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&g->loop), 0);
}

static void test_pubsub_round_trip(void **state)
{
    (void)state;
    rig *g = calloc(1, sizeof *g);
    rig_start(g, TL_INTAKE_PUBSUB, g_port, NULL, "a", "ps");
    assert_true(run_until(g, connected));
    char ch[96], res[96];
    snprintf(ch, sizeof ch, "%s:ps:orders", g_prefix);
    snprintf(res, sizeof res, "%s:ps:results", g_prefix);
    g_numsub_port = g_port;
    g_numsub_channel = ch;
    assert_true(run_until(g, subscribed));

    redisContext *sub = sync_cli(g_port), *pub = sync_cli(g_port);
    redisReply *r = redisCommand(sub, "SUBSCRIBE %s", res);
    freeReplyObject(r);
    const char *order = "{\"order_id\":\"TEST_001\",\"symbol\":\"BTCUSDT\"}";
    assert_int_equal(cmd_int(pub, "PUBLISH %s %s", ch, order), 1);
    assert_true(run_until(g, one_msg));
    assert_string_equal(g->body[0], order);
    assert_string_equal(g->tok[0].id, "");

    const char *result = "{\"order_id\":\"TEST_001\",\"status\":\"FILLED\"}";
    assert_int_equal(tl_redis_intake_answer(&g->ri, g->tok[0], result, strlen(result)), 0);
    assert_int_equal(tl_redis_intake_in_flight(&g->ri), 1);
    assert_true(run_until(g, one_answer));
    assert_int_equal(g->last_rc, 0);
    assert_int_equal(tl_redis_intake_in_flight(&g->ri), 0);
    void *rep = NULL;
    assert_int_equal(redisGetReply(sub, &rep), REDIS_OK);
    r = rep;
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_string_equal(r->element[0]->str, "message");
    assert_string_equal(r->element[2]->str, result);
    freeReplyObject(r);
    redisFree(sub);
    redisFree(pub);
    rig_stop(g);
    free(g);
}

static void test_streams_ack_after_answer(void **state)
{
    (void)state;
    rig *g = calloc(1, sizeof *g);
    char st[96], res[96];
    snprintf(st, sizeof st, "%s:st:orders", g_prefix);
    snprintf(res, sizeof res, "%s:st:results", g_prefix);
    redisContext *c = sync_cli(g_port);
    /* Published before any engine: the group starts at 0, so it is executed, not skipped. */
    freeReplyObject(redisCommand(c, "XADD %s * order %s", st, "{\"order_id\":\"S1\"}"));

    rig_start(g, TL_INTAKE_STREAMS, g_port, NULL, "a", "st");
    assert_true(run_until(g, one_msg));
    assert_string_equal(g->body[0], "{\"order_id\":\"S1\"}");
    assert_true(strchr(g->tok[0].id, '-') != NULL);
    /* Delivered, not answered: pending, and no result yet. */
    assert_int_equal(pending(c, st), 1);
    assert_int_equal(cmd_int(c, "XLEN %s", res), 0);

    /* A result that cannot be written (the results key is not a stream): no XACK. */
    freeReplyObject(redisCommand(c, "SET %s notastream", res));
    assert_int_equal(tl_redis_intake_answer(&g->ri, g->tok[0], "{}", 2), 0);
    assert_true(run_until(g, one_answer));
    assert_int_equal(g->last_rc, TL_EIO);
    assert_int_equal(pending(c, st), 1);
    assert_non_null(strstr(g->log, "XADD of"));
    freeReplyObject(redisCommand(c, "DEL %s", res));

    /* The real answer: written, then acknowledged. */
    g->n_answered = 0;
    assert_int_equal(tl_redis_intake_answer(&g->ri, g->tok[0], "{\"s\":1}", 7), 0);
    assert_true(run_until(g, one_answer));
    assert_int_equal(g->last_rc, 0);
    assert_int_equal(pending(c, st), 0);
    redisReply *r = redisCommand(c, "XRANGE %s - +", res);
    assert_int_equal(r->elements, 1);
    assert_string_equal(r->element[0]->element[1]->element[0]->str, "result");
    assert_string_equal(r->element[0]->element[1]->element[1]->str, "{\"s\":1}");
    freeReplyObject(r);

    /* A second entry delivered, then the engine stops without answering: the next start of the
     * same consumer reads it back from its pending list. */
    freeReplyObject(redisCommand(c, "XADD %s * order %s", st, "{\"order_id\":\"S2\"}"));
    assert_true(run_until(g, two_msgs));
    assert_string_equal(g->body[1], "{\"order_id\":\"S2\"}");
    tl_intake_token t2 = g->tok[1];
    rig_stop(g);
    assert_int_equal(pending(c, st), 1);
    rig_start(g, TL_INTAKE_STREAMS, g_port, NULL, "a", "st");
    assert_true(run_until(g, one_msg));
    assert_string_equal(g->body[0], "{\"order_id\":\"S2\"}");
    assert_string_equal(g->tok[0].id, t2.id);
    assert_int_equal(tl_redis_intake_answer(&g->ri, g->tok[0], "{\"s\":2}", 7), 0);
    assert_true(run_until(g, one_answer));
    assert_int_equal(pending(c, st), 0);
    assert_int_equal(cmd_int(c, "XLEN %s", res), 2);
    rig_stop(g);
    redisFree(c);
    free(g);
}

static void test_streams_claim(void **state)
{
    (void)state;
    rig *g = calloc(1, sizeof *g);
    char st[96];
    snprintf(st, sizeof st, "%s:cl:orders", g_prefix);
    redisContext *c = sync_cli(g_port);
    freeReplyObject(redisCommand(c, "XGROUP CREATE %s grp 0 MKSTREAM", st));
    freeReplyObject(redisCommand(c, "XADD %s * order %s", st, "{\"order_id\":\"C1\"}"));
    /* The dead engine: reads the entry and never answers. */
    redisReply *r = redisCommand(c, "XREADGROUP GROUP grp dead COUNT 10 STREAMS %s >", st);
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    assert_int_equal(pending(c, st), 1);

    rig_start(g, TL_INTAKE_STREAMS, g_port, NULL, "b", "cl"); /* b claims every 10 ms */
    assert_true(run_until(g, one_msg));
    assert_string_equal(g->body[0], "{\"order_id\":\"C1\"}");
    assert_true(g->ri.claimed >= 1);
    r = redisCommand(c, "XPENDING %s grp - + 10", st);
    assert_int_equal(r->elements, 1);
    assert_string_equal(r->element[0]->element[1]->str, "b"); /* now b's */
    freeReplyObject(r);
    assert_int_equal(tl_redis_intake_answer(&g->ri, g->tok[0], "{}", 2), 0);
    assert_true(run_until(g, one_answer));
    assert_int_equal(g->last_rc, 0);
    assert_int_equal(pending(c, st), 0);
    rig_stop(g);
    redisFree(c);
    free(g);
}

static void script(const char *args)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "bash %s %s >/dev/null", SCRIPT, args);
    assert_int_equal(system(cmd), 0);
}

static void test_auth_and_reconnect(void **state)
{
    (void)state;
    char dir[] = "/tmp/tl-redis-test-XXXXXX", args[256];
    assert_non_null(mkdtemp(dir));
    setenv("TL_REDIS_PASSWORD", "pw with space", 1);
    snprintf(args, sizeof args, "start %s/srv", dir);
    script(args);
    unsetenv("TL_REDIS_PASSWORD");
    char pf[128];
    snprintf(pf, sizeof pf, "%s/srv/port", dir);
    FILE *f = fopen(pf, "r");
    int port = 0;
    assert_int_equal(fscanf(f, "%d", &port), 1);
    fclose(f);

    /* A wrong password: down, the server's reason kept, no password anywhere. */
    rig *g = calloc(1, sizeof *g);
    rig_start(g, TL_INTAKE_PUBSUB, port, "wrong-secret", "a", "au");
    assert_true(run_until(g, disconnected));
    assert_true(run_until(g, has_error));
    assert_non_null(strstr(g->ri.in.last_error, "AUTH refused by the server: WRONGPASS"));
    assert_false(tl_redis_intake_connected(&g->ri));
    rig_stop(g);
    assert_null(strstr(g->log, "wrong-secret"));
    assert_non_null(strstr(g->log, "WRONGPASS"));

    /* No password: the server's NOAUTH is named. */
    rig_start(g, TL_INTAKE_PUBSUB, port, NULL, "a", "au");
    assert_true(run_until(g, has_error));
    assert_non_null(strstr(g->ri.in.last_error, "NOAUTH"));
    rig_stop(g);

    /* The right one: up, subscribed; the server dies and comes back on its port; the intake
     * reconnects by itself, subscribes again and gets the next message. */
    rig_start(g, TL_INTAKE_PUBSUB, port, "pw with space", "a", "au");
    assert_true(run_until(g, connected));
    char ch[96];
    snprintf(ch, sizeof ch, "%s:au:orders", g_prefix);
    g_numsub_port = port;
    g_numsub_channel = ch;
    snprintf(args, sizeof args, "kill %s/srv", dir);
    script(args);
    assert_true(run_until(g, disconnected));
    assert_false(tl_redis_intake_connected(&g->ri));
    assert_int_equal(g->ri.in.downs, 1);
    setenv("TL_REDIS_PASSWORD", "pw with space", 1);
    snprintf(args, sizeof args, "start %s/srv %d", dir, port);
    script(args);
    unsetenv("TL_REDIS_PASSWORD");
    assert_true(run_until(g, connected));
    assert_int_equal(g->ri.in.ups, 2);
    redisContext *c = sync_cli(port);
    freeReplyObject(redisCommand(c, "AUTH %s", "pw with space"));
    redisReply *r = redisCommand(c, "PUBSUB NUMSUB %s", ch);
    while (r->element[1]->integer == 0) { /* SUBSCRIBE follows the PING by one round trip */
        freeReplyObject(r);
        uv_run(&g->loop, UV_RUN_NOWAIT);
        r = redisCommand(c, "PUBSUB NUMSUB %s", ch);
    }
    freeReplyObject(r);
    assert_int_equal(cmd_int(c, "PUBLISH %s %s", ch, "after-restart"), 1);
    assert_true(run_until(g, one_msg));
    assert_string_equal(g->body[0], "after-restart");
    assert_null(strstr(g->log, "pw with space"));
    redisFree(c);
    rig_stop(g);
    free(g);
    snprintf(args, sizeof args, "stop %s/srv", dir);
    script(args);
    rmdir(dir);
}

static void test_refused_connect(void **state)
{
    (void)state;
    /* Nothing listens on the port: the stock libuv adapter of hiredis 0.14 never reports it;
     * ours does, and the connection waits and tries again, longer each time. */
    uv_loop_t loop;
    uv_loop_init(&loop);
    tl_redis r;
    tl_redis_config cfg = {
        .host = "127.0.0.1", .port = 1, .backoff_min_ms = 5, .backoff_max_ms = 20};
    tl_err err;
    assert_int_equal(tl_redis_init(&r, &loop, &cfg, &err), 0);
    tl_redis_start(&r);
    uint64_t t0 = uv_hrtime();
    while (r.backoff_ms < 20 && uv_hrtime() - t0 < 20000000000ULL)
        uv_run(&loop, UV_RUN_ONCE);
    assert_int_equal(r.backoff_ms, 20);
    assert_int_equal(r.phase == TL_REDIS_WAITING || r.phase == TL_REDIS_CONNECTING, 1);
    assert_non_null(strstr(r.last_error, "connect: Connection refused"));
    assert_int_equal(tl_redis_command(&r, NULL, NULL, "PING"), TL_ECLOSED);
    tl_redis_close(&r);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);

    cfg.port = 0;
    assert_int_equal(tl_redis_init(&r, &loop, &cfg, &err), TL_EINVAL);
    assert_string_equal(err.msg, "redis port: 0 (want 1..65535)");
}

int main(void)
{
    const char *url_file = getenv("TL_REDIS_URL_FILE");
    if (url_file == NULL) {
        fprintf(stderr,
                "TL_REDIS_URL_FILE not set (run under ctest: a fixture starts the server)\n");
        return 1;
    }
    FILE *f = fopen(url_file, "r");
    if (f == NULL || fscanf(f, "redis://127.0.0.1:%d", &g_port) != 1) {
        fprintf(stderr, "%s: no redis URL\n", url_file);
        return 1;
    }
    fclose(f);
    snprintf(g_prefix, sizeof g_prefix, "t%d", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pubsub_round_trip), cmocka_unit_test(test_streams_ack_after_answer),
        cmocka_unit_test(test_streams_claim),     cmocka_unit_test(test_auth_and_reconnect),
        cmocka_unit_test(test_refused_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
