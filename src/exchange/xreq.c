/* xreq.c -- see xreq.h. */
#include "exchange/xreq.h"

#include <string.h>

#include "exchange/xjson.h"

int tl__xreq_order(tl_bapi_params *p, const tl_xcore *x, tl_xplace *o, int *resp_type,
                   tl_bapi_err *e)
{
    char name[TL_BAPI_SYMBOL_MAX];
    tl_bapi_side side;
    tl_bapi_type type;
    tl_bapi_tif tif = TL_BAPI_GTC;
    tl_fixed qty = 0, price = 0;
    bool has_tif = false, has_price = false, has_cid = false, has_resp = false;
    const char *cid = NULL, *resp = NULL;
    int rc;
    if ((rc = tl_bapi_params_symbol(p, true, name, NULL, e)) != 0 ||
        (rc = tl_bapi_params_side(p, true, &side, NULL, e)) != 0 ||
        (rc = tl_bapi_params_type(p, true, &type, NULL, e)) != 0 ||
        (rc = tl_bapi_params_tif(p, false, &tif, &has_tif, e)) != 0 ||
        (rc = tl_bapi_params_fixed(p, "quantity", true, &qty, NULL, e)) != 0 ||
        (rc = tl_bapi_params_fixed(p, "price", false, &price, &has_price, e)) != 0 ||
        (rc = tl_bapi_params_str(p, "newClientOrderId", false, &cid, &has_cid, e)) != 0 ||
        (rc = tl_bapi_params_str(p, "newOrderRespType", false, &resp, &has_resp, e)) != 0)
        return rc;
    int sym = tl_xcore_symbol(x, name);
    if (sym < 0)
        return tl_bapi_err_set(e, TL_BAPI_BAD_SYMBOL, NULL);
    if (type != TL_BAPI_LIMIT && type != TL_BAPI_MARKET)
        return tl_bapi_err_set(e, TL_BAPI_INVALID_ORDER_TYPE, NULL);
    if (type == TL_BAPI_LIMIT && (!has_tif || !has_price))
        return tl_bapi_err_set(e, TL_BAPI_MANDATORY_PARAM_EMPTY_OR_MALFORMED,
                               "Mandatory parameter '%s' was not sent, was empty/null, or "
                               "malformed.",
                               has_tif ? "price" : "timeInForce");
    if (type == TL_BAPI_MARKET && has_tif)
        return tl_bapi_err_set(e, TL_BAPI_TIF_NOT_REQUIRED, NULL);
    if (type == TL_BAPI_MARKET && has_price)
        return tl_bapi_err_set(e, TL_BAPI_PARAM_NOT_REQUIRED,
                               "Parameter 'price' sent when not required.");
    *resp_type = TL_XJSON_FULL;
    if (has_resp) {
        if (strcmp(resp, "ACK") == 0)
            *resp_type = TL_XJSON_ACK;
        else if (strcmp(resp, "RESULT") == 0)
            *resp_type = TL_XJSON_RESULT;
        else if (strcmp(resp, "FULL") != 0)
            return tl_bapi_err_set(e, TL_BAPI_ILLEGAL_CHARS,
                                   "Invalid newOrderRespType; must be ACK, RESULT or FULL.");
    }
    *o = (tl_xplace){sym,
                     side == TL_BAPI_BUY ? TL_SIDE_BUY : TL_SIDE_SELL,
                     type == TL_BAPI_LIMIT ? TL_ORDER_LIMIT : TL_ORDER_MARKET,
                     tif == TL_BAPI_IOC   ? TL_LOB_IOC
                     : tif == TL_BAPI_FOK ? TL_LOB_FOK
                                          : TL_LOB_GTC,
                     price,
                     qty,
                     has_cid ? cid : NULL};
    return 0;
}
