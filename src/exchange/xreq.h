/*
 * xreq.h (internal) -- a new order's parameters (POST /api/v3/order, rest-api.md "New order
 * (TRADE)") read from a request's parsed parameters into the core's tl_xplace: what the REST
 * handler does between the signature and the matching, with no HTTP in it, so that a fuzz target
 * (tests/fuzz/fuzz_xorder.c) can drive it and the core behind it.
 */
#ifndef TL_EXCHANGE_XREQ_H
#define TL_EXCHANGE_XREQ_H

#include "binapi/params.h"
#include "exchange/xcore.h"

/* Reads symbol, side, type, timeInForce, quantity, price, newClientOrderId and newOrderRespType
 * from p into *o and *resp_type (TL_XJSON_*): 0, or a Binance refusal in e (-1121 for a symbol
 * the core does not list, -1116 for an order type it does not trade, -1102 for a LIMIT without
 * price or timeInForce, -1106 / -1114 for a MARKET with one, and the getters' own). o->client_id
 * points into p. Does not check that every parameter was read (the caller's last step). */
int tl__xreq_order(tl_bapi_params *p, const tl_xcore *x, tl_xplace *o, int *resp_type,
                   tl_bapi_err *e);

#endif /* TL_EXCHANGE_XREQ_H */
