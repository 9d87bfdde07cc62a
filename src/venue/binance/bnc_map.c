/*
 * bnc_map.c -- the adapter's pure decisions: Binance's order statuses as tradeloop's, its errors
 * as the reason of a REJECTED report, and what one send of an order means for the next.
 *
 * Sources: binance/binance-spot-api-docs, enums.md "Order status (status)", errors.md (codes and
 * the -2010 / -1013 messages, as src/binapi/errors.h names them), rest-api.md "HTTP Return Codes"
 * (a 5XX "is NOT a failure": the execution status is unknown).
 */
#include <stdio.h>
#include <string.h>

#include "venue/binance/bnc.h"

int tl__bnc_status_parse(const char *name, uint8_t *out)
{
    static const struct {
        const char *name;
        uint8_t status;
    } map[] = {
        {"NEW", TL_OS_OPEN},
        {"PENDING_NEW", TL_OS_PENDING_NEW},
        {"PARTIALLY_FILLED", TL_OS_PARTIALLY_FILLED},
        {"FILLED", TL_OS_FILLED},
        {"CANCELED", TL_OS_CANCELED},
        {"PENDING_CANCEL", TL_OS_PENDING_CANCEL},
        {"REJECTED", TL_OS_REJECTED},
        {"EXPIRED", TL_OS_EXPIRED},
        {"EXPIRED_IN_MATCH", TL_OS_EXPIRED},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(name, map[i].name) == 0) {
            *out = map[i].status;
            return 0;
        }
    return TL_EINVAL;
}

/* The one table: an error (code, and for the codes that carry several messages, the message)
 * to a reason. msg NULL matches any message of the code; the first matching row wins. */
static const struct {
    int code;
    const char *msg;
    const char *reason;
} reasons[] = {
    {TL_BAPI_NEW_ORDER_REJECTED, TL_BAPI_MSG_INSUFFICIENT_BALANCE, "insufficient balance"},
    {TL_BAPI_NEW_ORDER_REJECTED, TL_BAPI_MSG_DUPLICATE_ORDER, "duplicate client order id"},
    {TL_BAPI_NEW_ORDER_REJECTED, TL_BAPI_MSG_MARKET_CLOSED, "market closed"},
    {TL_BAPI_NEW_ORDER_REJECTED, TL_BAPI_MSG_UNKNOWN_ORDER, "unknown order"},
    {TL_BAPI_NEW_ORDER_REJECTED, NULL, "rejected by the matching engine"},
    {TL_BAPI_CANCEL_REJECTED, TL_BAPI_MSG_UNKNOWN_ORDER, "unknown order"},
    {TL_BAPI_CANCEL_REJECTED, NULL, "cancel rejected"},
    {TL_BAPI_NO_SUCH_ORDER, NULL, "unknown order"},
    {TL_BAPI_INVALID_MESSAGE, TL_BAPI_MSG_PRICE_QTY_ZERO, "price * qty is zero"},
    {TL_BAPI_BAD_SYMBOL, NULL, "invalid symbol"},
    {TL_BAPI_INVALID_TIMESTAMP, NULL, "timestamp outside recvWindow"},
    {TL_BAPI_INVALID_SIGNATURE, NULL, "bad signature"},
    {TL_BAPI_UNAUTHORIZED, NULL, "api key refused"},
    {TL_BAPI_BAD_API_KEY_FMT, NULL, "api key refused"},
    {TL_BAPI_REJECTED_MBX_KEY, NULL, "api key refused"},
    {TL_BAPI_TOO_MANY_REQUESTS, NULL, "rate limited"},
    {TL_BAPI_TOO_MANY_ORDERS, NULL, "rate limited: too many orders"},
    {TL_BAPI_BAD_PRECISION, NULL, "too much precision"},
    {TL_BAPI_INVALID_TIF, NULL, "invalid time in force"},
    {TL_BAPI_INVALID_ORDER_TYPE, NULL, "invalid order type"},
    {TL_BAPI_INVALID_SIDE, NULL, "invalid side"},
    {TL_BAPI_UNKNOWN, NULL, "venue error"},
};

#define FILTER_PREFIX "Filter failure: "

void tl__bnc_reason(const tl_bapi_err *e, char text[48])
{
    /* Every filter failure is -1013 "Filter failure: NAME" (errors.md "Filter failures"): the
     * filter's name is the useful part, whichever filter it is. */
    if (e->code == TL_BAPI_INVALID_MESSAGE &&
        strncmp(e->msg, FILTER_PREFIX, sizeof FILTER_PREFIX - 1) == 0) {
        snprintf(text, 48, "filter: %s", e->msg + sizeof FILTER_PREFIX - 1);
        return;
    }
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].code == e->code &&
            (reasons[i].msg == NULL || strcmp(reasons[i].msg, e->msg) == 0)) {
            snprintf(text, 48, "%s", reasons[i].reason);
            return;
        }
    /* A parameter error (-11xx) or a code outside the table: the code keeps it traceable. */
    if (e->code <= -1100 && e->code > -1200)
        snprintf(text, 48, "bad request (%d)", e->code);
    else if (e->code != 0)
        snprintf(text, 48, "venue error %d", e->code);
    else
        snprintf(text, 48, "venue error (HTTP %d)", e->http);
}

tl__bnc_step tl__bnc_place_step(const tl__bnc_answer *a, uint32_t attempt, uint32_t max)
{
    bool unknown = !a->replied || a->http >= 500;
    if (unknown)
        return attempt < max ? TL__BNC_RETRY : TL__BNC_UNKNOWN;
    if (a->http >= 200 && a->http < 300)
        return TL__BNC_PLACED;
    /* Only a retry may meet its own first send: on the first send the id was already used by
     * another order, and adopting that one would hand the engine someone else's order. */
    if (attempt >= 2 && a->code == TL_BAPI_NEW_ORDER_REJECTED && a->msg != NULL &&
        strcmp(a->msg, TL_BAPI_MSG_DUPLICATE_ORDER) == 0)
        return TL__BNC_ADOPT;
    return TL__BNC_REJECT;
}
