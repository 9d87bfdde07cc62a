/*
 * xjson.h (internal) -- the exchange's answers in Binance's JSON shapes (xjson.c), written into
 * a tl_jw from the core's state. The caller checks the writer with tl_jw_finish.
 */
#ifndef TL_EXCHANGE_XJSON_H
#define TL_EXCHANGE_XJSON_H

#include <stdbool.h>
#include <stdint.h>

#include "binapi/ratelimit.h"
#include "core/jsonw.h"
#include "exchange/xcore.h"

/* newOrderRespType. */
#define TL_XJSON_ACK    0
#define TL_XJSON_RESULT 1
#define TL_XJSON_FULL   2

/* GET /api/v3/order, one element of GET /api/v3/openOrders. */
void tl__xjson_order(tl_jw *w, const tl_xcore *x, const tl_xorder *o);
/* POST /api/v3/order: ACK, RESULT or FULL (with the order's own fills from x->fills[first_fill]). */
void tl__xjson_new_order(tl_jw *w, const tl_xcore *x, const tl_xorder *o, uint32_t first_fill,
                         int resp_type);
/* DELETE /api/v3/order. */
void tl__xjson_canceled(tl_jw *w, const tl_xcore *x, const tl_xorder *o, const char *cancel_id,
                        int64_t now_ns);
/* GET /api/v3/account. */
void tl__xjson_account(tl_jw *w, const tl_xcore *x, uint32_t account, bool omit_zero,
                       int64_t now_ns);
/* One element of GET /api/v3/myTrades. */
void tl__xjson_trade(tl_jw *w, const tl_xcore *x, const tl_xfill *f);
/* GET /api/v3/exchangeInfo: every symbol, or only symbol (>= 0). */
void tl__xjson_exchange_info(tl_jw *w, const tl_xcore *x, const tl_bapi_rl_limits *l, int symbol,
                             int64_t now_ns);
/* GET /api/v3/depth: 0 or TL_ENOMEM. */
int tl__xjson_depth(tl_jw *w, const tl_xcore *x, int symbol, size_t limit);
/* GET /api/v3/ticker/bookTicker and /ticker/24hr of one symbol. */
void tl__xjson_book_ticker(tl_jw *w, const tl_xcore *x, int symbol);
void tl__xjson_ticker_24hr(tl_jw *w, const tl_xcore *x, int symbol, int64_t now_ns);

#endif /* TL_EXCHANGE_XJSON_H */
