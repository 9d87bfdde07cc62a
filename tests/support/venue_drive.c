/*
 * venue_drive.c -- a test program, not the product: drives one venue (any URL) through the
 * dispatcher from commands on stdin, printing one JSON line per report and per answer, for the
 * e2e tests of live venues (tests/e2e/test_venue_binance.sh).
 *
 *   place SEQ SYMBOL BUY|SELL LIMIT|MARKET QTY [PRICE]
 *   cancel SEQ
 *   await SEQ TYPE      polls until a report of TYPE (ACCEPTED, FILL, CANCELED, REJECTED,
 *                       EXPIRED, CANCEL_REJECTED) for SEQ, at most 500 polls 20 ms apart
 *   poll                one poll
 *   orders | positions | fills
 * Exit 0 when every command succeeded, 1 otherwise (the failing one printed with "error").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "venue/venue.h"

static const char *const types[] = {"ACCEPTED", "REJECTED",        "FILL",
                                    "CANCELED", "CANCEL_REJECTED", "EXPIRED"};

static void print_report(const tl_venue_report *r)
{
    char q[32], p[32], f[32];
    tl_fixed_format(r->qty, q, sizeof q);
    tl_fixed_format(r->price, p, sizeof p);
    tl_fixed_format(r->fee, f, sizeof f);
    printf("{\"report\":\"%s\",\"client_seq\":%llu,\"venue_seq\":%llu,\"trade_id\":\"%s\","
           "\"qty\":\"%s\",\"price\":\"%s\",\"fee\":\"%s\",\"text\":\"%s\"}\n",
           r->type < 6 ? types[r->type] : "?", (unsigned long long)r->client_seq,
           (unsigned long long)r->venue_seq, r->trade_id, q, p, f, r->text);
}

static int poll_once(tl_venue *v, uint64_t seq, int type, bool *seen, tl_err *err)
{
    tl_venue_report r[64];
    size_t n = 0;
    int rc = tl_venue_poll(v, r, 64, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        print_report(&r[i]);
        if (r[i].client_seq == seq && r[i].type == type)
            *seen = true;
    }
    return rc;
}

static int command(tl_venue *v, char *line, tl_err *err)
{
    char verb[16] = "", sym[16] = "", side[8] = "", type[8] = "", qty[32] = "", price[32] = "";
    unsigned long long seq = 0;
    int k = sscanf(line, "%15s", verb);
    if (k < 1)
        return 0;
    if (strcmp(verb, "place") == 0) {
        tl_venue_order o;
        memset(&o, 0, sizeof o);
        k = sscanf(line, "%*s %llu %15s %7s %7s %31s %31s", &seq, sym, side, type, qty, price);
        if (k < 5)
            return tl_err_set(err, TL_EINVAL, "place: want SEQ SYMBOL SIDE TYPE QTY [PRICE]");
        o.client_seq = seq;
        memcpy(o.symbol, sym, sizeof o.symbol);
        o.side = strcmp(side, "SELL") == 0 ? TL_SIDE_SELL : TL_SIDE_BUY;
        o.type = strcmp(type, "MARKET") == 0 ? TL_ORDER_MARKET : TL_ORDER_LIMIT;
        if (tl_fixed_parse(qty, strlen(qty), &o.qty, err) < 0 ||
            (k == 6 && tl_fixed_parse(price, strlen(price), &o.price, err) < 0))
            return TL_EINVAL;
        return tl_venue_place(v, &o, err);
    }
    if (strcmp(verb, "cancel") == 0) {
        if (sscanf(line, "%*s %llu", &seq) != 1)
            return tl_err_set(err, TL_EINVAL, "cancel: want SEQ");
        return tl_venue_cancel(v, seq, err);
    }
    if (strcmp(verb, "poll") == 0) {
        bool seen = false;
        return poll_once(v, 0, -1, &seen, err);
    }
    if (strcmp(verb, "await") == 0) {
        char want[24] = "";
        if (sscanf(line, "%*s %llu %23s", &seq, want) != 2)
            return tl_err_set(err, TL_EINVAL, "await: want SEQ TYPE");
        int t = -1;
        for (int i = 0; i < 6; i++)
            if (strcmp(want, types[i]) == 0)
                t = i;
        bool seen = false;
        for (int i = 0; i < 500 && !seen; i++) {
            int rc = poll_once(v, seq, t, &seen, err);
            if (rc < 0)
                return rc;
            if (!seen)
                nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
        }
        return seen ? 0 : tl_err_set(err, TL_EBUSY, "await: no %s for %llu", want, seq);
    }
    if (strcmp(verb, "orders") == 0) {
        tl_venue_order_info o[64];
        size_t n = 0;
        int rc = tl_venue_get_orders(v, o, 64, &n, err);
        for (size_t i = 0; rc == 0 && i < n && i < 64; i++) {
            char p[32], q[32], f[32];
            tl_fixed_format(o[i].price, p, sizeof p);
            tl_fixed_format(o[i].qty, q, sizeof q);
            tl_fixed_format(o[i].filled_qty, f, sizeof f);
            printf("{\"order\":%llu,\"venue_seq\":%llu,\"symbol\":\"%s\",\"status\":\"%s\","
                   "\"price\":\"%s\",\"qty\":\"%s\",\"filled\":\"%s\"}\n",
                   (unsigned long long)o[i].client_seq, (unsigned long long)o[i].venue_seq,
                   o[i].symbol, tl_order_status_name(o[i].status), p, q, f);
        }
        return rc;
    }
    if (strcmp(verb, "positions") == 0) {
        tl_venue_position p[64];
        size_t n = 0;
        int rc = tl_venue_get_positions(v, p, 64, &n, err);
        for (size_t i = 0; rc == 0 && i < n && i < 64; i++) {
            char q[32];
            tl_fixed_format(p[i].qty, q, sizeof q);
            printf("{\"position\":\"%s\",\"qty\":\"%s\"}\n", p[i].symbol, q);
        }
        return rc;
    }
    if (strcmp(verb, "fills") == 0) {
        tl_venue_fill f[64];
        size_t n = 0;
        uint64_t next = 0;
        int rc = tl_venue_get_fills(v, 0, f, 64, &n, &next, err);
        for (size_t i = 0; rc == 0 && i < n; i++)
            printf("{\"fill\":%llu,\"client_seq\":%llu,\"trade_id\":\"%s\"}\n",
                   (unsigned long long)f[i].seq, (unsigned long long)f[i].client_seq,
                   f[i].trade_id);
        return rc;
    }
    return tl_err_set(err, TL_EINVAL, "unknown command '%s'", verb);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s VENUE_URL < commands\n", argv[0]);
        return 2;
    }
    tl_clock clock;
    tl_clock_init_real(&clock);
    tl_venue v;
    tl_err err = {0};
    if (tl_venue_open(&v, argv[1], &clock, NULL, &err) < 0) {
        printf("{\"error\":\"open: %s\"}\n", err.msg);
        return 1;
    }
    char line[512];
    int status = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (command(&v, line, &err) < 0) {
            line[strcspn(line, "\n")] = '\0';
            printf("{\"error\":\"%s: %s\"}\n", line, err.msg);
            status = 1;
            break;
        }
        fflush(stdout);
    }
    tl_venue_close(&v);
    return status;
}
