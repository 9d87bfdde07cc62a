/*
 * errors.c -- the Binance error table, its error body both ways (errors.h).
 */
#include <assert.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "binapi/errors.h"
#include "core/text.h"
#include "loop/json_in.h"

static const tl_bapi_err_info table[] = {
#define TL__BAPI_ROW(name, code, http, msg) {#name, code, http, msg},
    TL_BAPI_ERR_MAP(TL__BAPI_ROW)
#undef TL__BAPI_ROW
};

const tl_bapi_err_info *tl_bapi_err_lookup(int code)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].code == code)
            return &table[i];
    return NULL;
}

int tl_bapi_err_set(tl_bapi_err *e, int code, const char *fmt, ...)
{
    const tl_bapi_err_info *row = tl_bapi_err_lookup(code);
    assert(row != NULL && "a Binance code outside the table");
    if (row == NULL)
        row = tl_bapi_err_lookup(TL_BAPI_UNKNOWN);
    if (e != NULL) {
        e->code = row->code;
        e->http = row->http;
        if (fmt != NULL) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(e->msg, sizeof e->msg, fmt, ap);
            va_end(ap);
        } else {
            snprintf(e->msg, sizeof e->msg, "%s", row->msg);
        }
        /* Messages quote parameter names the client sent: keep them one printable line. */
        tl__text_show(e->msg, strlen(e->msg), e->msg, sizeof e->msg);
    }
    switch (row->code) {
    case TL_BAPI_TOO_MANY_REQUESTS:
    case TL_BAPI_TOO_MANY_ORDERS:
        return TL_EBUSY;
    case TL_BAPI_CANCEL_REJECTED:
    case TL_BAPI_NO_SUCH_ORDER:
        return TL_ENOTFOUND;
    case TL_BAPI_UNKNOWN:
        return TL_EIO;
    default:
        return TL_EINVAL;
    }
}

void tl_bapi_err_json(const tl_bapi_err *e, tl_jw *w)
{
    /* rest-api.md "Error Codes": code first, then msg. */
    tl_jw_obj_begin(w);
    tl_jw_kv_int(w, "code", e->code);
    tl_jw_kv_str(w, "msg", e->msg);
    tl_jw_obj_end(w);
}

int tl_bapi_err_parse(const char *body, size_t len, tl_bapi_err *e, tl_err *err)
{
    json_t *root;
    int rc = tl__json_load(body, len, false, &root, err);
    if (rc != 0) {
        tl__err_printable(err);
        return rc;
    }
    json_t *code = json_object_get(root, "code"), *msg = json_object_get(root, "msg");
    if (!json_is_object(root))
        rc = tl_err_set(err, TL_EINVAL, "error body: want an object, got %s",
                        tl__json_type_name(root));
    else if (code == NULL || !json_is_integer(code))
        rc = tl_err_set(err, TL_EINVAL, "error body: code: want an integer");
    else if (json_integer_value(code) >= 0 || json_integer_value(code) < -99999)
        rc = tl_err_set(err, TL_EINVAL, "error body: code: %lld is not an error code",
                        (long long)json_integer_value(code));
    else if (msg == NULL || !json_is_string(msg))
        rc = tl_err_set(err, TL_EINVAL, "error body: msg: want a string");
    if (rc == 0) {
        e->code = (int)json_integer_value(code);
        e->http = 0;
        tl__text_show(json_string_value(msg), json_string_length(msg), e->msg, sizeof e->msg);
    }
    json_decref(root);
    return rc;
}
