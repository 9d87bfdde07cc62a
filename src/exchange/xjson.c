/* xjson.c -- the JSON shapes of Binance's spot API v3 answers (rest-api.md's examples), written
 * from the exchange core's state. Decimals are strings with 8 decimals ("0.10000000"), times are
 * milliseconds, as Binance sends them. */
#include "exchange/xjson.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_MS 1000000LL

static void kv_dec(tl_jw *w, const char *key, tl_fixed v)
{
    char buf[48];
    tl_fixed_format_dp(v, 8, buf, sizeof(buf));
    tl_jw_kv_str(w, key, buf);
}

static const char *tif_name(int tif)
{
    return tif == TL_LOB_IOC ? "IOC" : tif == TL_LOB_FOK ? "FOK" : "GTC";
}

/* The fields every order answer starts with. */
static void order_head(tl_jw *w, const tl_xcore *x, const tl_xorder *o)
{
    tl_jw_kv_str(w, "symbol", x->symbols[o->symbol].cfg.name);
    tl_jw_kv_uint(w, "orderId", o->id);
    tl_jw_kv_int(w, "orderListId", -1);
    tl_jw_kv_str(w, "clientOrderId", o->client_id);
}

static void order_body(tl_jw *w, const tl_xorder *o)
{
    kv_dec(w, "price", o->price);
    kv_dec(w, "origQty", o->qty);
    kv_dec(w, "executedQty", o->executed);
    kv_dec(w, "cummulativeQuoteQty", o->quote_executed);
    tl_jw_kv_str(w, "status", tl_xstatus_name(o->status));
    tl_jw_kv_str(w, "timeInForce", tif_name(o->tif));
    tl_jw_kv_str(w, "type", o->type == TL_ORDER_MARKET ? "MARKET" : "LIMIT");
    tl_jw_kv_str(w, "side", o->side == TL_SIDE_BUY ? "BUY" : "SELL");
}

void tl__xjson_order(tl_jw *w, const tl_xcore *x, const tl_xorder *o)
{
    tl_jw_obj_begin(w);
    order_head(w, x, o);
    order_body(w, o);
    kv_dec(w, "stopPrice", 0);
    kv_dec(w, "icebergQty", 0);
    tl_jw_kv_int(w, "time", o->time_ns / NS_PER_MS);
    tl_jw_kv_int(w, "updateTime", o->update_ns / NS_PER_MS);
    tl_jw_kv_bool(w, "isWorking", true);
    tl_jw_kv_int(w, "workingTime", o->time_ns / NS_PER_MS);
    kv_dec(w, "origQuoteOrderQty", 0);
    tl_jw_kv_str(w, "selfTradePreventionMode", "NONE");
    tl_jw_obj_end(w);
}

void tl__xjson_new_order(tl_jw *w, const tl_xcore *x, const tl_xorder *o, uint32_t first_fill,
                         int resp_type)
{
    tl_jw_obj_begin(w);
    order_head(w, x, o);
    tl_jw_kv_int(w, "transactTime", o->time_ns / NS_PER_MS);
    if (resp_type != TL_XJSON_ACK) {
        order_body(w, o);
        tl_jw_kv_int(w, "workingTime", o->time_ns / NS_PER_MS);
        tl_jw_kv_str(w, "selfTradePreventionMode", "NONE");
    }
    if (resp_type == TL_XJSON_FULL) {
        tl_jw_key(w, "fills");
        tl_jw_arr_begin(w);
        for (uint32_t i = first_fill; i < x->n_fills; i++) {
            const tl_xfill *f = &x->fills[i];
            if (f->order_id != o->id)
                continue;
            tl_jw_obj_begin(w);
            kv_dec(w, "price", f->price);
            kv_dec(w, "qty", f->qty);
            kv_dec(w, "commission", f->commission);
            tl_jw_kv_str(w, "commissionAsset", x->assets[f->commission_asset]);
            tl_jw_kv_uint(w, "tradeId", f->trade_id);
            tl_jw_obj_end(w);
        }
        tl_jw_arr_end(w);
    }
    tl_jw_obj_end(w);
}

void tl__xjson_canceled(tl_jw *w, const tl_xcore *x, const tl_xorder *o, const char *cancel_id,
                        int64_t now_ns)
{
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "symbol", x->symbols[o->symbol].cfg.name);
    tl_jw_kv_str(w, "origClientOrderId", o->client_id);
    tl_jw_kv_uint(w, "orderId", o->id);
    tl_jw_kv_int(w, "orderListId", -1);
    tl_jw_kv_str(w, "clientOrderId", cancel_id);
    tl_jw_kv_int(w, "transactTime", now_ns / NS_PER_MS);
    order_body(w, o);
    tl_jw_kv_str(w, "selfTradePreventionMode", "NONE");
    tl_jw_obj_end(w);
}

void tl__xjson_account(tl_jw *w, const tl_xcore *x, uint32_t account, bool omit_zero,
                       int64_t now_ns)
{
    char rate[24];
    tl_fixed_format_dp((tl_fixed)x->fee_bps * (TL_FIXED_SCALE / 10000), 8, rate, sizeof(rate));
    tl_jw_obj_begin(w);
    tl_jw_kv_int(w, "makerCommission", x->fee_bps);
    tl_jw_kv_int(w, "takerCommission", x->fee_bps);
    tl_jw_kv_int(w, "buyerCommission", 0);
    tl_jw_kv_int(w, "sellerCommission", 0);
    tl_jw_key(w, "commissionRates");
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "maker", rate);
    tl_jw_kv_str(w, "taker", rate);
    tl_jw_kv_str(w, "buyer", "0.00000000");
    tl_jw_kv_str(w, "seller", "0.00000000");
    tl_jw_obj_end(w);
    tl_jw_kv_bool(w, "canTrade", true);
    tl_jw_kv_bool(w, "canWithdraw", false);
    tl_jw_kv_bool(w, "canDeposit", false);
    tl_jw_kv_bool(w, "brokered", false);
    tl_jw_kv_bool(w, "requireSelfTradePrevention", false);
    tl_jw_kv_bool(w, "preventSor", false);
    tl_jw_kv_int(w, "updateTime", now_ns / NS_PER_MS);
    tl_jw_kv_str(w, "accountType", "SPOT");
    tl_jw_key(w, "balances");
    tl_jw_arr_begin(w);
    for (size_t a = 0; a < x->n_assets; a++) {
        tl_xbalance b = tl_xcore_balance(x, account, (int)a);
        if (omit_zero && b.free == 0 && b.locked == 0)
            continue;
        tl_jw_obj_begin(w);
        tl_jw_kv_str(w, "asset", x->assets[a]);
        kv_dec(w, "free", b.free);
        kv_dec(w, "locked", b.locked);
        tl_jw_obj_end(w);
    }
    tl_jw_arr_end(w);
    tl_jw_key(w, "permissions");
    tl_jw_arr_begin(w);
    tl_jw_str(w, "SPOT");
    tl_jw_arr_end(w);
    tl_jw_kv_uint(w, "uid", account + 1);
    tl_jw_obj_end(w);
}

void tl__xjson_trade(tl_jw *w, const tl_xcore *x, const tl_xfill *f)
{
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "symbol", x->symbols[f->symbol].cfg.name);
    tl_jw_kv_uint(w, "id", f->trade_id);
    tl_jw_kv_uint(w, "orderId", f->order_id);
    tl_jw_kv_int(w, "orderListId", -1);
    kv_dec(w, "price", f->price);
    kv_dec(w, "qty", f->qty);
    kv_dec(w, "quoteQty", f->quote_qty);
    kv_dec(w, "commission", f->commission);
    tl_jw_kv_str(w, "commissionAsset", x->assets[f->commission_asset]);
    tl_jw_kv_int(w, "time", f->ts_ns / NS_PER_MS);
    tl_jw_kv_bool(w, "isBuyer", f->is_buyer);
    tl_jw_kv_bool(w, "isMaker", f->is_maker);
    tl_jw_kv_bool(w, "isBestMatch", true);
    tl_jw_obj_end(w);
}

static void rate_limit(tl_jw *w, const char *type, const char *interval, int num, uint32_t limit)
{
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "rateLimitType", type);
    tl_jw_kv_str(w, "interval", interval);
    tl_jw_kv_int(w, "intervalNum", num);
    tl_jw_kv_uint(w, "limit", limit);
    tl_jw_obj_end(w);
}

static void symbol_info(tl_jw *w, const tl_xsymbol_cfg *c)
{
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "symbol", c->name);
    tl_jw_kv_str(w, "status", "TRADING");
    tl_jw_kv_str(w, "baseAsset", c->base);
    tl_jw_kv_int(w, "baseAssetPrecision", 8);
    tl_jw_kv_str(w, "quoteAsset", c->quote);
    tl_jw_kv_int(w, "quotePrecision", 8);
    tl_jw_kv_int(w, "quoteAssetPrecision", 8);
    tl_jw_kv_int(w, "baseCommissionPrecision", 8);
    tl_jw_kv_int(w, "quoteCommissionPrecision", 8);
    tl_jw_key(w, "orderTypes");
    tl_jw_arr_begin(w);
    tl_jw_str(w, "LIMIT");
    tl_jw_str(w, "MARKET");
    tl_jw_arr_end(w);
    tl_jw_kv_bool(w, "icebergAllowed", false);
    tl_jw_kv_bool(w, "ocoAllowed", false);
    tl_jw_kv_bool(w, "otoAllowed", false);
    tl_jw_kv_bool(w, "quoteOrderQtyMarketAllowed", false);
    tl_jw_kv_bool(w, "allowTrailingStop", false);
    tl_jw_kv_bool(w, "cancelReplaceAllowed", false);
    tl_jw_kv_bool(w, "isSpotTradingAllowed", true);
    tl_jw_kv_bool(w, "isMarginTradingAllowed", false);
    tl_jw_key(w, "filters");
    tl_jw_arr_begin(w);
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "filterType", "PRICE_FILTER");
    kv_dec(w, "minPrice", c->min_price);
    kv_dec(w, "maxPrice", c->max_price);
    kv_dec(w, "tickSize", c->tick);
    tl_jw_obj_end(w);
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "filterType", "LOT_SIZE");
    kv_dec(w, "minQty", c->min_qty);
    kv_dec(w, "maxQty", c->max_qty);
    kv_dec(w, "stepSize", c->step);
    tl_jw_obj_end(w);
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "filterType", "MIN_NOTIONAL");
    kv_dec(w, "minNotional", c->min_notional);
    tl_jw_kv_bool(w, "applyToMarket", true);
    tl_jw_kv_int(w, "avgPriceMins", 5);
    tl_jw_obj_end(w);
    tl_jw_arr_end(w);
    tl_jw_key(w, "permissions");
    tl_jw_arr_begin(w);
    tl_jw_arr_end(w);
    tl_jw_key(w, "permissionSets");
    tl_jw_arr_begin(w);
    tl_jw_arr_begin(w);
    tl_jw_str(w, "SPOT");
    tl_jw_arr_end(w);
    tl_jw_arr_end(w);
    tl_jw_kv_str(w, "defaultSelfTradePreventionMode", "NONE");
    tl_jw_key(w, "allowedSelfTradePreventionModes");
    tl_jw_arr_begin(w);
    tl_jw_str(w, "NONE");
    tl_jw_arr_end(w);
    tl_jw_obj_end(w);
}

void tl__xjson_exchange_info(tl_jw *w, const tl_xcore *x, const tl_bapi_rl_limits *l, int symbol,
                             int64_t now_ns)
{
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "timezone", "UTC");
    tl_jw_kv_int(w, "serverTime", now_ns / NS_PER_MS);
    tl_jw_key(w, "rateLimits");
    tl_jw_arr_begin(w);
    rate_limit(w, "REQUEST_WEIGHT", "MINUTE", 1, l->weight_per_min);
    rate_limit(w, "ORDERS", "SECOND", 10, l->orders_per_10s);
    rate_limit(w, "ORDERS", "DAY", 1, l->orders_per_day);
    tl_jw_arr_end(w);
    tl_jw_key(w, "exchangeFilters");
    tl_jw_arr_begin(w);
    tl_jw_arr_end(w);
    tl_jw_key(w, "symbols");
    tl_jw_arr_begin(w);
    for (size_t i = 0; i < x->n_symbols; i++)
        if (symbol < 0 || (size_t)symbol == i)
            symbol_info(w, &x->symbols[i].cfg);
    tl_jw_arr_end(w);
    tl_jw_obj_end(w);
}

/* Up to limit levels of one side, best first, as [["price","qty"], ...]. */
static int levels(tl_jw *w, const tl_lob *b, uint8_t side, size_t limit)
{
    tl_lob_level_info *lv = malloc(sizeof(*lv) * (limit ? limit : 1));
    if (!lv)
        return TL_ENOMEM;
    size_t n = 0;
    tl_lob_depth(b, side, limit, lv, &n);
    tl_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        char p[48], q[48];
        tl_fixed_format_dp(lv[i].price, 8, p, sizeof(p));
        tl_fixed_format_dp(lv[i].qty, 8, q, sizeof(q));
        tl_jw_arr_begin(w);
        tl_jw_str(w, p);
        tl_jw_str(w, q);
        tl_jw_arr_end(w);
    }
    tl_jw_arr_end(w);
    free(lv);
    return 0;
}

int tl__xjson_depth(tl_jw *w, const tl_xcore *x, int symbol, size_t limit)
{
    const tl_lob *b = &x->symbols[symbol].book;
    tl_jw_obj_begin(w);
    /* Every change of a book is an order or a trade: their count orders the snapshots. */
    tl_jw_kv_uint(w, "lastUpdateId", x->n_orders + x->last_trade_id);
    tl_jw_key(w, "bids");
    int rc = levels(w, b, TL_SIDE_BUY, limit);
    tl_jw_key(w, "asks");
    if (rc == 0)
        rc = levels(w, b, TL_SIDE_SELL, limit);
    tl_jw_obj_end(w);
    return rc;
}

void tl__xjson_book_ticker(tl_jw *w, const tl_xcore *x, int symbol)
{
    tl_fixed bid, bq, ask, aq;
    tl_lob_best(&x->symbols[symbol].book, &bid, &bq, &ask, &aq);
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "symbol", x->symbols[symbol].cfg.name);
    kv_dec(w, "bidPrice", bid);
    kv_dec(w, "bidQty", bq);
    kv_dec(w, "askPrice", ask);
    kv_dec(w, "askQty", aq);
    tl_jw_obj_end(w);
}

void tl__xjson_ticker_24hr(tl_jw *w, const tl_xcore *x, int symbol, int64_t now_ns)
{
    int64_t from = now_ns - 24LL * 3600 * TL_NS_PER_SEC;
    tl_fixed open = 0, high = 0, low = 0, last = 0, last_qty = 0, volume = 0, quote_volume = 0;
    uint64_t first_id = 0, last_id = 0, count = 0;
    /* Every trade has one maker side in x->fills: count each trade once. */
    for (uint32_t i = 0; i < x->n_fills; i++) {
        const tl_xfill *f = &x->fills[i];
        if (!f->is_maker || f->symbol != symbol || f->ts_ns < from)
            continue;
        if (count == 0) {
            open = high = low = f->price;
            first_id = f->trade_id;
        }
        high = f->price > high ? f->price : high;
        low = f->price < low ? f->price : low;
        last = f->price;
        last_qty = f->qty;
        last_id = f->trade_id;
        volume += f->qty;
        quote_volume += f->quote_qty;
        count++;
    }
    tl_fixed bid, bq, ask, aq, change = last - open, pct = 0, avg = 0;
    tl_lob_best(&x->symbols[symbol].book, &bid, &bq, &ask, &aq);
    if (open > 0)
        tl_fixed_muldiv(change, TL_FIXED_INT(100), open, &pct);
    if (volume > 0)
        tl_fixed_div(quote_volume, volume, &avg);
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "symbol", x->symbols[symbol].cfg.name);
    kv_dec(w, "priceChange", change);
    kv_dec(w, "priceChangePercent", pct);
    kv_dec(w, "weightedAvgPrice", avg);
    kv_dec(w, "prevClosePrice", open);
    kv_dec(w, "lastPrice", last);
    kv_dec(w, "lastQty", last_qty);
    kv_dec(w, "bidPrice", bid);
    kv_dec(w, "bidQty", bq);
    kv_dec(w, "askPrice", ask);
    kv_dec(w, "askQty", aq);
    kv_dec(w, "openPrice", open);
    kv_dec(w, "highPrice", high);
    kv_dec(w, "lowPrice", low);
    kv_dec(w, "volume", volume);
    kv_dec(w, "quoteVolume", quote_volume);
    tl_jw_kv_int(w, "openTime", from / NS_PER_MS);
    tl_jw_kv_int(w, "closeTime", now_ns / NS_PER_MS);
    tl_jw_kv_int(w, "firstId", count ? (int64_t)first_id : -1);
    tl_jw_kv_int(w, "lastId", count ? (int64_t)last_id : -1);
    tl_jw_kv_uint(w, "count", count);
    tl_jw_obj_end(w);
}
