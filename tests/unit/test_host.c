/* test_host.c -- the host: replay's order of items and timers with the clock at each, the
 * coalescing rule, timers stopped, stop and resume, bad, last and too-long lines, signals in both
 * modes, live reading of a pipe and a file with timers, and failures returned by callbacks. No
 * assertion depends on how long anything took. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"

#define SEC TL_NS_PER_SEC

/* Everything the callbacks do, in order, as "what@clock-seconds" words; "|" is a step end. */
typedef struct logbuf {
    char s[4096];
    tl_host *h;
    bool live; /* real time: no clock in the log */
} logbuf;

static void say(logbuf *lg, const char *fmt, ...)
{
    size_t n = strlen(lg->s);
    if (n > 0)
        lg->s[n++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lg->s + n, sizeof(lg->s) - n, fmt, ap);
    va_end(ap);
}

/* The host clock in seconds (replay) for the log. */
static long long secs(logbuf *lg)
{
    return (long long)(tl_clock_now(tl_host_clock(lg->h)) / SEC);
}

/* A line source "ts,payload" (ts in seconds); "#..." lines are skipped. */
typedef struct src_ctx {
    logbuf *lg;
    int stop_at;                /* the n-th dispatched line calls tl_host_stop */
    int fail_at;                /* the n-th dispatched line fails with TL_ERISK */
    int raise_at;               /* the n-th dispatched line raises SIGUSR1 */
    int n;                      /* lines dispatched */
    tl_host_timer *start_timer; /* the first line starts this one-shot, delay 0 */
    tl_host_timer *stop_timer;  /* the first line stops this timer */
} src_ctx;

static int peek_ts(void *ctx, const tl_line *line, int64_t *ts, tl_err *why)
{
    (void)ctx;
    if (line->text[0] == '#')
        return TL_HOST_SKIP;
    char *end;
    long long v = strtoll(line->text, &end, 10);
    if (end == line->text || *end != ',')
        return tl_err_set(why, TL_EINVAL, "line %llu: no time in '%s'",
                          (unsigned long long)line->no, line->text);
    *ts = v * SEC;
    return 0;
}

static int timer_log(void *ctx, tl_host_timer *t, tl_err *err);

static int on_line(void *ctx, const tl_line *line, tl_err *err)
{
    src_ctx *c = ctx;
    const char *comma = strchr(line->text, ',');
    const char *what = comma ? comma + 1 : line->text;
    if (c->lg->live)
        say(c->lg, "%s", what);
    else
        say(c->lg, "%s@%lld", what, secs(c->lg));
    c->n++;
    if (c->stop_timer != NULL && c->n == 1)
        tl_host_timer_stop(c->lg->h, c->stop_timer);
    if (c->start_timer != NULL && c->n == 1)
        tl_host_timer_start(c->lg->h, c->start_timer, 0, 0, timer_log, c->lg);
    if (c->n == c->raise_at)
        raise(SIGUSR1);
    if (c->n == c->stop_at)
        tl_host_stop(c->lg->h);
    if (c->n == c->fail_at)
        return tl_err_set(err, TL_ERISK, "refused at line %llu", (unsigned long long)line->no);
    return 0;
}

static int on_bad(void *ctx, uint64_t no, const tl_err *why, tl_err *err)
{
    (void)err;
    src_ctx *c = ctx;
    say(c->lg, "bad%llu:%s", (unsigned long long)no, tl_errname(why->code));
    return 0;
}

static int on_end(void *ctx, tl_err *err)
{
    (void)err;
    src_ctx *c = ctx;
    if (c->lg->live)
        say(c->lg, "end");
    else
        say(c->lg, "end@%lld", secs(c->lg));
    return 0;
}

static const tl_host_line_ops line_ops = {
    .peek = peek_ts, .on_line = on_line, .on_bad = on_bad, .on_end = on_end};
static const tl_host_line_ops strict_ops = {.peek = peek_ts, .on_line = on_line};

/* Timers log their name: the ctx is the log, the name is found by address. */
static tl_host_timer T1, T2, T3, T4, T5;
static const char *timer_name(const tl_host_timer *t)
{
    return t == &T1 ? "t1" : t == &T2 ? "t2" : t == &T3 ? "t3" : t == &T4 ? "t4" : "t5";
}

static int timer_log(void *ctx, tl_host_timer *t, tl_err *err)
{
    (void)err;
    say(ctx, "%s@%lld", timer_name(t), secs(ctx));
    return 0;
}

static int step_log(void *ctx, tl_err *err)
{
    (void)err;
    say(ctx, "|");
    return 0;
}

static char *tmpfile_with(const char *content)
{
    char *path = strdup("/tmp/tl_host_test_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void add_file(tl_host *h, const char *content, const tl_host_line_ops *ops, src_ctx *c)
{
    char *path = tmpfile_with(content);
    tl_err err;
    if (tl_host_add_lines(h, path, ops, c, &err) != 0)
        fail_msg("add %s: %s", path, err.msg);
    unlink(path);
    free(path);
}

static void replay_init(tl_host *h, logbuf *lg, const tl_host_options *opt)
{
    memset(lg, 0, sizeof(*lg));
    lg->h = h;
    assert_int_equal(tl_host_init(h, TL_HOST_REPLAY, opt, NULL), 0);
    tl_host_on_step(h, step_log, lg);
    memset(&T1, 0, sizeof(T1));
    T2 = T3 = T4 = T5 = T1;
}

static void run_ok(tl_host *h)
{
    tl_err err;
    if (tl_host_run(h, &err) != 0)
        fail_msg("run: %s", err.msg);
}

static void test_replay_order_of_sources_and_timers(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    replay_init(&h, &lg, NULL);
    src_ctx a = {.lg = &lg}, b = {.lg = &lg};
    add_file(&h, "#ts,payload\n10,a1\n20,a2\n30,a3\n", &line_ops, &a);
    add_file(&h, "15,b1\n20,b2\n30,b3\n", &line_ops, &b);
    b.start_timer = &T3; /* b1 starts t3, due at once: before b's next item, after b1 */
    /* t1: 5 s after the first input (10), every 10 s: 15, 25, 35 (after the end: never). */
    assert_int_equal(tl_host_timer_start(&h, &T1, 5 * SEC, 10 * SEC, timer_log, &lg), 0);
    assert_int_equal(tl_host_timer_start_at(&h, &T2, 20 * SEC, 0, timer_log, &lg), 0);
    /* t5 created before t4, both due at 30: creation order breaks the tie. */
    assert_int_equal(tl_host_timer_start_at(&h, &T5, 30 * SEC, 0, timer_log, &lg), 0);
    assert_int_equal(tl_host_timer_start_at(&h, &T4, 30 * SEC, 0, timer_log, &lg), 0);
    assert_int_equal(tl_clock_now(tl_host_clock(&h)), 0);
    run_ok(&h);
    assert_string_equal(lg.s, "a1@10 | t1@15 b1@15 | t3@15 t2@20 a2@20 | b2@20 | t1@25 t5@30 t4@30 "
                              "a3@30 end@30 | b3@30 end@30 |");
    assert_int_equal(tl_clock_now(tl_host_clock(&h)), 30 * SEC);
    assert_int_equal(h.items, 6);
    tl_host_close(&h);
}

static int write_fd = -1, fired;
static int count_timer(void *ctx, tl_host_timer *t, tl_err *err)
{
    (void)ctx, (void)t, (void)err;
    fired++;
    return 0;
}

/* Bars every 30 minutes from an item source (not lines). */
typedef struct bars {
    logbuf *lg;
    int64_t next;
    int left;
    bool quiet;
    tl_host_timer *last; /* the last bar starts this one-shot, delay 0 */
} bars;

static int bars_peek(void *ctx, int64_t *ts, tl_err *err)
{
    (void)err;
    bars *b = ctx;
    if (b->left == 0)
        return TL_HOST_END;
    *ts = b->next;
    return 0;
}

static int bars_dispatch(void *ctx, tl_err *err)
{
    (void)err;
    bars *b = ctx;
    if (!b->quiet)
        say(b->lg, "bar@%lld", secs(b->lg));
    b->next += 1800 * SEC;
    if (--b->left == 0 && b->last != NULL)
        tl_host_timer_start(b->lg->h, b->last, 0, 0, timer_log, b->lg);
    return 0;
}

static const tl_host_source_ops bars_ops = {.peek = bars_peek, .dispatch = bars_dispatch};

static void test_replay_coalesces_repeating_timers(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    replay_init(&h, &lg, NULL);
    bars b = {.lg = &lg, .next = 1000 * SEC, .left = 3, .last = &T2};
    assert_int_equal(tl_host_add_source(&h, &bars_ops, &b, NULL), 0);
    /* Every second: fires once per bar, at its first due time after the last one. */
    assert_int_equal(tl_host_timer_start(&h, &T1, 1 * SEC, 1 * SEC, timer_log, &lg), 0);
    assert_int_equal(tl_host_timer_start_at(&h, &T3, 10000 * SEC, 0, timer_log, &lg), 0);
    run_ok(&h);
    /* t2 (started by the last bar, due at once) fires when the inputs end; t3 (after) never. */
    assert_string_equal(lg.s, "bar@1000 | t1@1001 bar@2800 | t1@2801 bar@4600 | t2@4600 |");
    assert_int_equal(h.timer_fires, 3);
    tl_host_close(&h);

    /* A year of 30-minute bars: 17519 firings of a 1 s timer, not 31 million. */
    replay_init(&h, &lg, NULL);
    tl_host_on_step(&h, NULL, NULL);
    bars y = {.lg = &lg, .next = 1000 * SEC, .left = 17520, .quiet = true};
    assert_int_equal(tl_host_add_source(&h, &bars_ops, &y, NULL), 0);
    fired = 0;
    assert_int_equal(tl_host_timer_start(&h, &T1, 1 * SEC, 1 * SEC, count_timer, &lg), 0);
    run_ok(&h);
    assert_int_equal(h.items, 17520);
    assert_int_equal(h.timer_fires, 17519);
    assert_int_equal(fired, 17519);
    tl_host_close(&h);

    /* The same timer told to fire every period: each second of the jumps, in order. */
    replay_init(&h, &lg, NULL);
    tl_host_on_step(&h, NULL, NULL);
    bars z = {.lg = &lg, .next = 1000 * SEC, .left = 2, .quiet = true};
    assert_int_equal(tl_host_add_source(&h, &bars_ops, &z, NULL), 0);
    fired = 0;
    T1.every = true;
    assert_int_equal(tl_host_timer_start(&h, &T1, 1 * SEC, 1 * SEC, count_timer, &lg), 0);
    run_ok(&h);
    T1.every = false;
    assert_int_equal(fired, 1800); /* 1001 .. 2800 */
    tl_host_close(&h);
}

static int self_stops;
static int timer_stop_self(void *ctx, tl_host_timer *t, tl_err *err)
{
    timer_log(ctx, t, err);
    if (++self_stops == 2)
        tl_host_timer_stop(((logbuf *)ctx)->h, t);
    return 0;
}

static void test_replay_timer_stop(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    replay_init(&h, &lg, NULL);
    src_ctx a = {.lg = &lg, .stop_timer = &T1};
    add_file(&h, "10,a\n20,b\n30,c\n40,d\n50,e\n", &line_ops, &a);
    assert_int_equal(tl_host_timer_start_at(&h, &T1, 15 * SEC, 0, timer_log, &lg), 0);
    self_stops = 0;
    assert_int_equal(tl_host_timer_start_at(&h, &T2, 25 * SEC, 10 * SEC, timer_stop_self, &lg), 0);
    tl_host_timer_stop(&h, &T4); /* never started: nothing happens */
    tl_host_timer_stop(&h, &T4);
    run_ok(&h);
    assert_string_equal(lg.s, "a@10 | b@20 | t2@25 c@30 | t2@35 d@40 | e@50 end@50 |");
    assert_int_equal(T1.slot, 0);
    assert_int_equal(T2.slot, 0);
    tl_host_close(&h);
}

static int timer_stops_run(void *ctx, tl_host_timer *t, tl_err *err)
{
    timer_log(ctx, t, err);
    tl_host_stop(((logbuf *)ctx)->h);
    return 0;
}

static void test_replay_stop_and_resume(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    replay_init(&h, &lg, NULL);
    src_ctx a = {.lg = &lg, .stop_at = 2};
    add_file(&h, "1,x1\n2,x2\n3,x3\n4,x4\n5,x5\n", &line_ops, &a);
    assert_int_equal(tl_host_timer_start_at(&h, &T1, 3 * SEC, 0, timer_stops_run, &lg), 0);
    run_ok(&h);
    assert_string_equal(lg.s, "x1@1 | x2@2 |");
    lg.s[0] = '\0';
    run_ok(&h); /* the timer due at 3 stops it before the item at 3 */
    assert_string_equal(lg.s, "t1@3 |");
    lg.s[0] = '\0';
    run_ok(&h);
    assert_string_equal(lg.s, "x3@3 | x4@4 | x5@5 end@5 |");
    tl_host_close(&h);
}

static void test_replay_bad_lines_reported_and_skipped(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    replay_init(&h, &lg, NULL);
    src_ctx a = {.lg = &lg};
    /* A line without a time, one out of order, CRLF, and a last line without a newline. */
    add_file(&h, "1,a\nzz\n3,c\r\n2,late\n4,d", &line_ops, &a);
    run_ok(&h);
    assert_string_equal(lg.s, "a@1 bad2:TL_EINVAL | c@3 bad4:TL_EINVAL | d@4 end@4 |");
    tl_host_close(&h);

    /* Without on_bad, a bad line fails the run, named by source and number. */
    replay_init(&h, &lg, NULL);
    src_ctx s = {.lg = &lg};
    add_file(&h, "1,a\nzz\n3,c\n", &strict_ops, &s);
    tl_err err;
    assert_int_equal(tl_host_run(&h, &err), TL_EINVAL);
    assert_int_equal(err.code, TL_EINVAL);
    assert_non_null(strstr(err.msg, ":2: line 2: no time in 'zz'"));
    assert_string_equal(lg.s, "a@1");
    tl_host_close(&h);
}

static void test_replay_too_long_line(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    tl_host_options opt = {.max_line = 16};
    replay_init(&h, &lg, &opt);
    src_ctx a = {.lg = &lg};
    char content[256];
    snprintf(content, sizeof(content), "1,short\n2,%0100d\n3,after", 7);
    add_file(&h, content, &line_ops, &a);
    run_ok(&h);
    assert_string_equal(lg.s, "short@1 bad2:TL_ERANGE | after@3 end@3 |");
    tl_host_close(&h);
}

static int sig_log(void *ctx, int signum, tl_err *err)
{
    (void)err;
    logbuf *lg = ctx;
    assert_int_equal(signum, SIGUSR1);
    if (lg->live) {
        say(lg, "sig");
        tl_host_stop(lg->h);
    } else {
        say(lg, "sig@%lld", secs(lg));
    }
    return 0;
}

static void test_replay_signal(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    tl_host_options opt = {.pump_items = 1}; /* the loop pumped after every item */
    replay_init(&h, &lg, &opt);
    assert_int_equal(tl_host_on_signal(&h, SIGUSR1, sig_log, &lg, NULL), 0);
    src_ctx a = {.lg = &lg, .raise_at = 1};
    add_file(&h, "1,a\n2,b\n3,c\n", &line_ops, &a);
    run_ok(&h);
    assert_string_equal(lg.s, "a@1 | sig@1 | b@2 | c@3 end@3 |");
    tl_host_close(&h);
}

static void live_init(tl_host *h, logbuf *lg, const tl_host_options *opt)
{
    memset(lg, 0, sizeof(*lg));
    lg->h = h;
    lg->live = true;
    assert_int_equal(tl_host_init(h, TL_HOST_LIVE, opt, NULL), 0);
    memset(&T1, 0, sizeof(T1));
}

static int add_pipe(tl_host *h, src_ctx *c)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(tl_host_add_lines_fd(h, fds[0], "pipe", &line_ops, c, NULL), 0);
    return fds[1];
}

static void test_live_signal(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    live_init(&h, &lg, NULL);
    tl_host_on_step(&h, step_log, &lg);
    assert_int_equal(tl_host_on_signal(&h, SIGUSR1, sig_log, &lg, NULL), 0);
    src_ctx a = {.lg = &lg, .raise_at = 1};
    int w = add_pipe(&h, &a);
    assert_int_equal(write(w, "1,a\n2,b\n", 8), 8);
    run_ok(&h); /* the signal's callback stops the run; the pipe stays open */
    assert_string_equal(lg.s, "a b | sig |");
    close(w);
    tl_host_close(&h);
}

/* t1, one-shot: writes the last line into the pipe and closes it. */
static int timer_writes(void *ctx, tl_host_timer *t, tl_err *err)
{
    (void)ctx, (void)t, (void)err;
    fired++;
    assert_int_equal(write(write_fd, "3,c\n", 4), 4);
    close(write_fd);
    return 0;
}

static void test_live_pipe_with_timer(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    tl_host_options opt = {.until_end = true};
    live_init(&h, &lg, &opt);
    src_ctx a = {.lg = &lg};
    write_fd = add_pipe(&h, &a);
    assert_int_equal(write(write_fd, "1,a\nzz\n2,b\n", 11), 11);
    fired = 0;
    assert_int_equal(tl_host_timer_start(&h, &T1, TL_NS_PER_MS, 0, timer_writes, NULL), 0);
    run_ok(&h); /* ends with the pipe: until_end */
    assert_string_equal(lg.s, "a bad2:TL_EINVAL b c end");
    assert_int_equal(fired, 1);
    assert_int_equal(h.items, 3);
    tl_host_close(&h);
}

static void test_live_regular_file(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    tl_host_options opt = {.until_end = true, .max_line = 8};
    live_init(&h, &lg, &opt);
    src_ctx a = {.lg = &lg};
    add_file(&h, "1,a\n2,0123456789\n3,c\r\n#skip\n4,d", &line_ops, &a);
    run_ok(&h);
    assert_string_equal(lg.s, "a bad2:TL_ERANGE c d end");
    tl_host_close(&h);
}

static int polls;
static int poll_stops_third(void *ctx, tl_err *err)
{
    (void)err;
    if (++polls == 3)
        tl_host_stop(ctx);
    return 0;
}

static void test_wall_poll_both_modes(void **state)
{
    (void)state;
    /* Live, nothing else to do: the poll runs until it stops the run. */
    tl_host h;
    logbuf lg;
    live_init(&h, &lg, NULL);
    polls = 0;
    assert_int_equal(tl_host_wall_poll(&h, 1, poll_stops_third, &h, NULL), 0);
    run_ok(&h);
    assert_int_equal(polls, 3);
    tl_host_close(&h);

    /* Replay of an endless feed: only the wall poll can stop it. */
    replay_init(&h, &lg, NULL);
    tl_host_on_step(&h, NULL, NULL);
    bars endless = {.lg = &lg, .next = 0, .left = -1, .quiet = true};
    assert_int_equal(tl_host_add_source(&h, &bars_ops, &endless, NULL), 0);
    polls = 0;
    assert_int_equal(tl_host_wall_poll(&h, 1, poll_stops_third, &h, NULL), 0);
    run_ok(&h);
    assert_int_equal(polls, 3);
    assert_true(h.items > 0 && h.pumps > 0);
    tl_host_close(&h);
}

static int poll_fails_second(void *ctx, tl_err *err)
{
    (void)ctx;
    if (++polls == 2)
        return tl_err_set(err, TL_EIO, "screen gone");
    return 0;
}

/* After a replay's inputs ended, the host waits for its wall polls (and signals) until one stops
 * it; the step ends after each. Nothing registered: it returns at once. A failing poll ends the
 * wait with its code. */
static void test_wait_after_replay(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    tl_err err;
    replay_init(&h, &lg, NULL);
    assert_int_equal(tl_host_wait(&h, NULL), 0); /* nothing to wait for */
    src_ctx a = {.lg = &lg};
    add_file(&h, "1,a\n2,b\n", &line_ops, &a);
    run_ok(&h);
    polls = 0;
    assert_int_equal(tl_host_wall_poll(&h, 1, poll_stops_third, &h, NULL), 0);
    size_t before = strlen(lg.s);
    assert_int_equal(tl_host_wait(&h, &err), 0);
    assert_int_equal(polls, 3);
    assert_string_equal(lg.s + before, " | | |"); /* a step end after each poll */
    assert_string_equal(lg.s, "a@1 | b@2 end@2 | | | |");
    tl_host_close(&h);

    replay_init(&h, &lg, NULL);
    polls = 0;
    assert_int_equal(tl_host_wall_poll(&h, 1, poll_fails_second, &h, NULL), 0);
    assert_int_equal(tl_host_wait(&h, &err), TL_EIO);
    assert_string_equal(err.msg, "screen gone");
    assert_int_equal(polls, 2);
    assert_int_equal(tl_host_wait(&h, &err), TL_EIO); /* a failed host does not go on */
    tl_host_close(&h);
}

static int timer_fails(void *ctx, tl_host_timer *t, tl_err *err)
{
    (void)ctx, (void)t;
    return tl_err_set(err, TL_ECLOSED, "timer refused");
}

static int step_fails(void *ctx, tl_err *err)
{
    (void)ctx;
    return tl_err_set(err, TL_EIO, "journal write failed");
}

static void test_callback_errors_stop_the_run(void **state)
{
    (void)state;
    tl_host h;
    logbuf lg;
    tl_err err;
    /* A line callback: the run stops with its code and text; no step end after it. */
    replay_init(&h, &lg, NULL);
    src_ctx a = {.lg = &lg, .fail_at = 2};
    add_file(&h, "1,a\n2,b\n3,c\n", &line_ops, &a);
    assert_int_equal(tl_host_run(&h, &err), TL_ERISK);
    assert_string_equal(err.msg, "refused at line 2");
    assert_string_equal(lg.s, "a@1 | b@2");
    assert_int_equal(tl_host_run(&h, &err), TL_ERISK); /* a failed run does not go on */
    tl_host_close(&h);

    /* A timer. */
    replay_init(&h, &lg, NULL);
    src_ctx b = {.lg = &lg};
    add_file(&h, "1,a\n2,b\n", &line_ops, &b);
    assert_int_equal(tl_host_timer_start(&h, &T1, SEC, 0, timer_fails, &lg), 0);
    assert_int_equal(tl_host_run(&h, &err), TL_ECLOSED);
    assert_string_equal(err.msg, "timer refused");
    assert_string_equal(lg.s, "a@1 |");
    tl_host_close(&h);

    /* The step callback (the journal's flush). */
    replay_init(&h, &lg, NULL);
    tl_host_on_step(&h, step_fails, NULL);
    src_ctx c = {.lg = &lg};
    add_file(&h, "1,a\n2,b\n", &line_ops, &c);
    assert_int_equal(tl_host_run(&h, &err), TL_EIO);
    assert_string_equal(lg.s, "a@1");
    tl_host_close(&h);

    /* Live: a line callback fails; the lines after it are not dispatched. */
    live_init(&h, &lg, NULL);
    src_ctx d = {.lg = &lg, .fail_at = 2};
    int w = add_pipe(&h, &d);
    assert_int_equal(write(w, "1,a\n2,b\n3,c\n", 12), 12);
    assert_int_equal(tl_host_run(&h, &err), TL_ERISK);
    assert_string_equal(lg.s, "a b");
    close(w);
    tl_host_close(&h);
}

static void test_registration_checks(void **state)
{
    (void)state;
    tl_host h;
    tl_err err;
    assert_int_equal(tl_host_init(&h, 7, NULL, &err), TL_EINVAL);
    assert_int_equal(tl_host_init(&h, TL_HOST_REPLAY, NULL, NULL), 0);
    static const tl_host_line_ops no_peek = {.on_line = on_line};
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(tl_host_add_lines_fd(&h, fds[0], "p", &no_peek, NULL, &err), TL_EINVAL);
    close(fds[1]);
    assert_int_equal(tl_host_add_lines(&h, "/nonexistent/x", &line_ops, NULL, &err), TL_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/x"));
    assert_int_equal(tl_host_timer_start(&h, &T1, -1, 0, timer_log, NULL), TL_EINVAL);
    run_ok(&h); /* nothing to do: returns */
    tl_host_close(&h);

    assert_int_equal(tl_host_init(&h, TL_HOST_LIVE, NULL, NULL), 0);
    assert_int_equal(tl_host_add_source(&h, &bars_ops, NULL, &err), TL_ENOTSUP);
    tl_host_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_order_of_sources_and_timers),
        cmocka_unit_test(test_replay_coalesces_repeating_timers),
        cmocka_unit_test(test_replay_timer_stop),
        cmocka_unit_test(test_replay_stop_and_resume),
        cmocka_unit_test(test_replay_bad_lines_reported_and_skipped),
        cmocka_unit_test(test_replay_too_long_line),
        cmocka_unit_test(test_replay_signal),
        cmocka_unit_test(test_live_signal),
        cmocka_unit_test(test_live_pipe_with_timer),
        cmocka_unit_test(test_live_regular_file),
        cmocka_unit_test(test_wall_poll_both_modes),
        cmocka_unit_test(test_wait_after_replay),
        cmocka_unit_test(test_callback_errors_stop_the_run),
        cmocka_unit_test(test_registration_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
