/* xrest_bench.c -- see xrest_bench.h. */
#include "bench/xrest_bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "binapi/params.h"
#include "binapi/sign.h"
#include "exchange/xserve.h"

/* Two accounts of the benchmark's own (made-up keys), each funded for every round trip. */
static const char keys_json[] =
    "[{\"account\":\"maker\",\"api_key\":\"benchmakerkey\",\"secret\":\"benchmakersecret\","
    "\"balances\":{\"USDT\":\"1000000000\",\"BTC\":\"100000\"}},"
    "{\"account\":\"taker\",\"api_key\":\"benchtakerkey\",\"secret\":\"benchtakersecret\","
    "\"balances\":{\"USDT\":\"1000000000\",\"BTC\":\"100000\"}}]";

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *serve(void *arg)
{
    tl_host *host = arg;
    tl_err err;
    tl_host_run(host, &err);
    return NULL;
}

static int connect_to(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
        connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* One signed POST /api/v3/order on fd and its whole answer read: the HTTP status, or -1. */
static int round_trip(int fd, const char *key, const char *secret, const char *side, uint64_t n)
{
    char body[512], req[1024], resp[8192];
    tl_bapi_query q;
    tl_bapi_query_init(&q, body, sizeof(body) - 80);
    tl_bapi_query_str(&q, "symbol", "BTCUSDT");
    tl_bapi_query_str(&q, "side", side);
    tl_bapi_query_str(&q, "type", "LIMIT");
    tl_bapi_query_str(&q, "timeInForce", "GTC");
    tl_bapi_query_str(&q, "quantity", "0.001");
    tl_bapi_query_str(&q, "price", "30000");
    tl_bapi_query_str(&q, "newOrderRespType", "ACK");
    tl_bapi_query_int(&q, "timestamp", wall_ms());
    (void)n;
    int len = tl_bapi_query_finish(&q);
    char sig[TL_BAPI_SIG_HEX + 1];
    if (len < 0 || tl_bapi_sign(secret, strlen(secret), NULL, 0, body, (size_t)len, sig) != 0)
        return -1;
    len += snprintf(body + len, sizeof(body) - (size_t)len, "&signature=%s", sig);
    int rl = snprintf(req, sizeof(req),
                      "POST /api/v3/order HTTP/1.1\r\nHost: 127.0.0.1\r\nX-MBX-APIKEY: %s\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
                      "\r\n%s",
                      key, len, body);
    if (write(fd, req, (size_t)rl) != rl)
        return -1;
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, resp + got, sizeof(resp) - 1 - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
        resp[got] = '\0';
        char *end = strstr(resp, "\r\n\r\n");
        char *cl = strcasestr(resp, "Content-Length:");
        if (end && cl && got >= (size_t)(end + 4 - resp) + strtoul(cl + 15, NULL, 10))
            break;
        if (got == sizeof(resp) - 1)
            return -1;
    }
    return atoi(resp + 9); /* "HTTP/1.1 200" */
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int tl_bench_xrest(const char *db, tl_durability durability, uint64_t round_trips,
                   tl_bench_xrest_result *out, tl_err *err)
{
    memset(out, 0, sizeof(*out));
    tl_bapi_keys keys;
    tl_bapi_keys_init(&keys);
    int rc = tl_bapi_keys_parse(&keys, keys_json, sizeof(keys_json) - 1, err);
    if (rc != 0)
        return rc;
    tl_store_options so = {durability};
    tl_store st;
    if ((rc = tl_store_open(&st, db, &so, NULL, err)) != 0) {
        tl_bapi_keys_close(&keys);
        return rc;
    }
    tl_host host;
    tl_xserve *srv = calloc(1, sizeof(*srv));
    int64_t *lat = calloc(round_trips, sizeof(*lat));
    if (!srv || !lat || (rc = tl_host_init(&host, TL_HOST_LIVE, NULL, err)) != 0) {
        free(srv);
        free(lat);
        tl_store_close(&st);
        tl_bapi_keys_close(&keys);
        return rc ? rc : tl_err_set(err, TL_ENOMEM, "bench exchange: out of memory");
    }
    tl_xserve_config cfg;
    tl_xserve_config_default(&cfg);
    cfg.listen = "127.0.0.1:0";
    cfg.makers = false;
    /* The benchmark measures the round trip, not the limits. */
    cfg.limits = (tl_bapi_rl_limits){UINT32_MAX, UINT32_MAX, UINT32_MAX};
    rc = tl_xserve_start(srv, &cfg, &host, &st, &keys, NULL, err);
    pthread_t th;
    bool running = rc == 0 && pthread_create(&th, NULL, serve, &host) == 0;
    if (rc == 0 && !running)
        rc = tl_err_set(err, TL_EIO, "bench exchange: cannot start the server's thread");
    int fd = rc == 0 ? connect_to(tl_xserve_port(srv)) : -1;
    if (rc == 0 && fd < 0)
        rc = tl_err_set(err, TL_EIO, "bench exchange: cannot connect: %s", strerror(errno));
    /* The maker's ask rests, the taker's bid takes it: the book stays empty, every other round
     * trip is a trade. */
    int64_t t0 = mono_ns();
    for (uint64_t i = 0; rc == 0 && i < round_trips; i++) {
        int64_t a = mono_ns();
        int status = i % 2 == 0 ? round_trip(fd, "benchmakerkey", "benchmakersecret", "SELL", i)
                                : round_trip(fd, "benchtakerkey", "benchtakersecret", "BUY", i);
        lat[i] = mono_ns() - a;
        if (status != 200)
            rc = tl_err_set(err, TL_EIO, "bench exchange: order %llu answered %d",
                            (unsigned long long)i, status);
    }
    int64_t t1 = mono_ns();
    if (fd >= 0)
        close(fd);
    if (running) {
        kill(getpid(), SIGTERM); /* the server's own shutdown: it commits and stops its loop */
        pthread_join(th, NULL);
    }
    if (rc == 0) {
        qsort(lat, round_trips, sizeof(*lat), cmp_i64);
        out->round_trips = round_trips;
        out->seconds = (double)(t1 - t0) / 1e9;
        out->per_sec = (double)round_trips / out->seconds;
        out->p50_us = (double)lat[round_trips / 2] / 1e3;
        out->p99_us = (double)lat[round_trips * 99 / 100] / 1e3;
        out->trades = srv->x.last_trade_id;
    }
    tl_xserve_close(srv);
    tl_host_close(&host);
    free(srv);
    free(lat);
    tl_store_close(&st);
    tl_bapi_keys_close(&keys);
    return rc;
}
