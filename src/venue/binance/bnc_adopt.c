/*
 * bnc_adopt.c -- an order of an earlier session of the engine, followed again after a restart
 * (the adopt slot of include/tradeloop/venue.h).
 *
 * The adapter follows only what it tracks, and a restarted engine starts with nothing tracked:
 * an order left working at the exchange would never be polled again, and a fill made while the
 * engine was down never reported. Adoption tracks it again by its client order id:
 *
 *   1. the symbol's myTrades cursor first (created at the newest trade when new), so a trade
 *      made from now on comes through the polling rounds;
 *   2. GET /api/v3/order?origClientOrderId=: its orderId, status and executed quantity
 *      (-2013 "Order does not exist.": it never got there, TL_ENOTFOUND);
 *   3. GET /api/v3/myTrades?orderId=: every trade of the order so far, oldest first, each
 *      reported as a FILL with the exchange's trade id. The engine refuses a trade id it already
 *      holds (FILL_REFUSED), so a fill it applied before the restart is never applied twice, and
 *      one made while it was down is applied once. A trade made between 1 and 3 is in both
 *      reads; the order's last reported trade id keeps it to one report.
 *
 * An order that ended while the engine was down is then reported ended (FILLED by its fills,
 * CANCELED or EXPIRED after them), never expired as unknown. A request without an answer fails
 * the adoption (TL_EIO): the engine cannot start trading beside an order whose state it does not
 * know.
 */
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "venue/binance/bnc.h"

#define TRADES_PAGE 1000 /* myTrades' largest limit */

/* GET /api/v3/order of the adopted order: its answer into *a. */
static int query(tl__bnc *b, const tl__bnc_order *o, tl__bnc_order_ans *a, tl_err *err)
{
    char buf[TL__BNC_QUERY_MAX];
    tl_bapi_query q;
    tl__bnc_resp r;
    tl_bapi_query_init(&q, buf, sizeof buf);
    tl_bapi_query_str(&q, "symbol", o->symbol);
    tl_bapi_query_str(&q, "origClientOrderId", o->client_id);
    int rc = tl__bnc_send(b, "GET", "/api/v3/order", &q, &r, err);
    if (rc < 0)
        return rc;
    if (r.replied && r.http != 200 && r.e.code == TL_BAPI_NO_SUCH_ORDER)
        return tl_err_set(err, TL_ENOTFOUND, "binance: adopt %s: not at the exchange",
                          o->client_id);
    if (!r.replied || r.http != 200)
        return tl_err_set(err, TL_EIO, "binance: adopt %s: GET order: %s", o->client_id,
                          r.replied ? r.e.msg : "no answer");
    return tl__bnc_parse_order(r.body, r.len, a, NULL, NULL, NULL, err);
}

/* Every trade of order_id, oldest first, appended to b->trades[*n..]. */
static int order_trades(tl__bnc *b, const tl__bnc_order *o, uint64_t order_id, size_t *n,
                        tl_err *err)
{
    uint64_t from = 0;
    *n = 0;
    for (;;) {
        char buf[TL__BNC_QUERY_MAX];
        tl_bapi_query q;
        tl__bnc_resp r;
        size_t k = 0;
        tl_bapi_query_init(&q, buf, sizeof buf);
        tl_bapi_query_str(&q, "symbol", o->symbol);
        tl_bapi_query_int(&q, "orderId", (int64_t)order_id);
        tl_bapi_query_int(&q, "fromId", (int64_t)from);
        tl_bapi_query_int(&q, "limit", TRADES_PAGE);
        int rc = tl__bnc_send(b, "GET", "/api/v3/myTrades", &q, &r, err);
        if (rc < 0)
            return rc;
        if (!r.replied || r.http != 200)
            return tl_err_set(err, TL_EIO, "binance: adopt %s: GET myTrades: %s", o->client_id,
                              r.replied ? r.e.msg : "no answer");
        /* The page is parsed into the free room after what is kept, then moved down over the
         * trades of other orders (an exchange that ignores orderId) and old ones. */
        tl__bnc_trade *page = NULL;
        size_t page_cap = 0;
        if ((rc = tl__bnc_parse_trades(r.body, r.len, &page, &page_cap, &k, err)) < 0)
            return rc;
        if (TL_VEC_RESERVE(&b->trades, &b->trades_cap, *n + k) < 0) {
            free(page);
            return tl_err_set(err, TL_ENOMEM, "binance: out of memory");
        }
        for (size_t i = 0; i < k; i++)
            if (page[i].order_id == order_id && page[i].id >= from) {
                b->trades[(*n)++] = page[i];
                from = page[i].id + 1;
            }
        free(page);
        if (k < TRADES_PAGE)
            return 0;
    }
}

int tl__bnc_adopt(void *state, const tl_venue_order *vo, uint64_t venue_seq, tl_err *err)
{
    tl__bnc *b = state;
    char id[TL_ORDER_ID_MAX];
    tl__bnc_order *o;
    tl__bnc_order_ans a;
    size_t n = 0;
    if (vo->client_id[0] != '\0')
        memcpy(id, vo->client_id, sizeof id);
    else
        tl_order_format_client_id(vo->client_seq, id);
    if (tl__bnc_find(b, vo->client_seq) != NULL || tl__bnc_find_id(b, id) != NULL)
        return tl_err_set(err, TL_EDUPLICATE, "binance: order %s already followed", id);
    int rc = tl__bnc_cursor_ensure(b, vo->symbol, err);
    if (rc < 0)
        return rc;
    if ((rc = tl__bnc_track(b, vo, id, &o)) < 0)
        return tl_err_set(err, rc, "binance: out of memory");
    if ((rc = query(b, o, &a, err)) < 0 || (rc = order_trades(b, o, a.order_id, &n, err)) < 0) {
        tl__bnc_forget(b, o);
        return rc;
    }
    /* Acknowledged before the restart: no second ACCEPTED. */
    if (venue_seq != 0)
        o->order_id = a.order_id;
    rc = tl__bnc_apply(b, o, &a, b->trades, n);
    return rc < 0 ? tl_err_set(err, rc, "binance: out of memory") : 0;
}
