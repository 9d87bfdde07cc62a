/*
 * order_msg.c -- seed 002's order message into a checked tl_order_msg (order_msg.h).
 */
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "loop/json_in.h"
#include "service/json_num.h"
#include "service/order_msg.h"

#define KNOWN_KEYS "order_id, symbol, side, quantity, price, type, client_id"

static const char *const known[] = {"order_id", "symbol", "side",     "quantity",
                                    "price",    "type",   "client_id"};
#define N_KNOWN (sizeof known / sizeof known[0])

static int id_char_ok(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
}

int tl_order_msg_id_validate(const char *field, const char *s, size_t len, tl_err *err)
{
    if (len == 0)
        return tl_err_set(err, TL_EINVAL, "%s: empty (want 1..%d of [A-Za-z0-9._:-])", field,
                          TL_ORDER_MSG_ID_MAX - 1);
    if (len >= TL_ORDER_MSG_ID_MAX)
        return tl_err_set(err, TL_EINVAL, "%s: %zu characters (want 1..%d)", field, len,
                          TL_ORDER_MSG_ID_MAX - 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (id_char_ok(c))
            continue;
        if (c > 0x20 && c < 0x7f)
            return tl_err_set(err, TL_EINVAL,
                              "%s: invalid character '%c' at position %zu (allowed: "
                              "[A-Za-z0-9._:-])",
                              field, (char)c, i + 1);
        return tl_err_set(err, TL_EINVAL,
                          "%s: invalid character 0x%02x at position %zu (allowed: "
                          "[A-Za-z0-9._:-])",
                          field, c, i + 1);
    }
    return 0;
}

/* A string member: *v NULL when absent (or null, when null_ok). */
static int get_string(json_t *obj, const char *key, bool required, const char **s, size_t *n,
                      tl_err *err)
{
    json_t *v = json_object_get(obj, key);
    *s = NULL;
    *n = 0;
    if (v == NULL || (!required && json_is_null(v))) {
        if (required)
            return tl_err_set(err, TL_EINVAL, "%s: missing", key);
        return 0;
    }
    if (!json_is_string(v))
        return tl_err_set(err, TL_EINVAL, "%s: want a string, got %s", key, tl__json_type_name(v));
    *s = json_string_value(v);
    *n = json_string_length(v);
    return 0;
}

static int check_keys(json_t *obj, unsigned flags, tl_err *err)
{
    if (flags & TL_ORDER_MSG_LAX)
        return 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        size_t k = 0;
        while (k < N_KNOWN && strcmp(key, known[k]) != 0)
            k++;
        if (k == N_KNOWN)
            return tl_err_set(err, TL_EINVAL, "unknown key '%.40s' (known: " KNOWN_KEYS ")", key);
    }
    return 0;
}

static int parse_names(json_t *obj, tl_order_msg *m, tl_err *err)
{
    const char *s;
    size_t n;
    int rc;
    tl_err inner;
    if ((rc = get_string(obj, "order_id", true, &s, &n, err)) != 0 ||
        (rc = tl_order_msg_id_validate("order_id", s, n, err)) != 0)
        return rc;
    memcpy(m->order_id, s, n + 1);
    if ((rc = get_string(obj, "client_id", false, &s, &n, err)) != 0)
        return rc;
    if (s != NULL) {
        if ((rc = tl_order_msg_id_validate("client_id", s, n, err)) != 0)
            return rc;
        memcpy(m->client_id, s, n + 1);
    }
    if ((rc = get_string(obj, "symbol", true, &s, &n, err)) != 0)
        return rc;
    if (n >= TL_SYMBOL_MAX || tl_symbol_validate(s, &inner) != 0)
        return tl_err_set(err, TL_EINVAL, "symbol: '%.*s' must be 1..%d of [A-Z0-9]",
                          (int)(n < 32 ? n : 32), s, TL_SYMBOL_MAX - 1);
    memcpy(m->symbol, s, n + 1);
    if ((rc = get_string(obj, "side", true, &s, &n, err)) != 0)
        return rc;
    if (strcasecmp(s, "BUY") == 0)
        m->side = TL_SIDE_BUY;
    else if (strcasecmp(s, "SELL") == 0)
        m->side = TL_SIDE_SELL;
    else
        return tl_err_set(err, TL_EINVAL, "side: '%.*s' is not BUY or SELL", (int)(n < 32 ? n : 32),
                          s);
    if ((rc = get_string(obj, "type", false, &s, &n, err)) != 0)
        return rc;
    m->type = TL_ORDER_LIMIT;
    if (s != NULL) {
        if (strcasecmp(s, "MARKET") == 0)
            m->type = TL_ORDER_MARKET;
        else if (strcasecmp(s, "LIMIT") != 0)
            return tl_err_set(err, TL_EINVAL, "type: '%.*s' is not LIMIT or MARKET",
                              (int)(n < 32 ? n : 32), s);
    }
    return 0;
}

static int parse_amounts(json_t *obj, const char *body, const tl__json_span *spans, size_t n_spans,
                         tl_order_msg *m, tl_err *err)
{
    char b[TL_FIXED_STRLEN];
    int rc =
        tl__json_get_decimal(obj, "quantity", "quantity", body, spans, n_spans, &m->quantity, err);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return tl_err_set(err, TL_EINVAL, "quantity: missing");
    if (m->quantity <= 0) {
        tl_fixed_format(m->quantity, b, sizeof b);
        return tl_err_set(err, TL_EINVAL, "quantity: must be > 0, got %s", b);
    }
    rc = tl__json_get_decimal(obj, "price", "price", body, spans, n_spans, &m->price, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        m->price = 0;
        if (m->type == TL_ORDER_LIMIT)
            return tl_err_set(err, TL_EINVAL,
                              "price: missing (required for a LIMIT order; "
                              "say \"type\": \"MARKET\" for a market order)");
        return 0;
    }
    if (m->price <= 0) {
        tl_fixed_format(m->price, b, sizeof b);
        return tl_err_set(err, TL_EINVAL, "price: must be > 0, got %s", b);
    }
    return 0;
}

static int load(const char *body, size_t len, json_t **obj, tl_err *err)
{
    if (len > TL_ORDER_MSG_MAX_BYTES)
        return tl_err_set(err, TL_EINVAL, "message: %zu bytes (at most %d)", len,
                          TL_ORDER_MSG_MAX_BYTES);
    json_error_t jerr;
    /* Integers as reals: jansson would refuse one past int64 before we could name the field;
     * every number is re-read from its text anyway. */
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
    if (root == NULL)
        return tl_err_set(err, TL_EINVAL, "message: not JSON: %s (column %d)", jerr.text,
                          jerr.column);
    if (!json_is_object(root)) {
        int rc = tl_err_set(err, TL_EINVAL, "message: want a JSON object, got %s",
                            tl__json_type_name(root));
        json_decref(root);
        return rc;
    }
    *obj = root;
    return 0;
}

int tl_order_msg_parse(const char *body, size_t len, unsigned flags, tl_order_msg *out, tl_err *err)
{
    json_t *obj;
    int rc = load(body, len, &obj, err);
    if (rc != 0) {
        tl__err_printable(err);
        return rc;
    }
    tl__json_span spans[TL_JSON_MEMBERS_MAX];
    size_t n_spans = 0;
    tl_order_msg m;
    memset(&m, 0, sizeof m);
    tl_err inner;
    if ((rc = tl__json_member_numbers(body, len, spans, TL_JSON_MEMBERS_MAX, &n_spans, &inner)) !=
        0) {
        rc = tl_err_set(err, rc, "message: %s", inner.msg);
        goto done;
    }
    if ((rc = check_keys(obj, flags, err)) != 0 || (rc = parse_names(obj, &m, err)) != 0 ||
        (rc = parse_amounts(obj, body, spans, n_spans, &m, err)) != 0)
        goto done;
    *out = m;
done:
    json_decref(obj);
    if (rc != 0)
        tl__err_printable(err);
    return rc;
}

bool tl_order_msg_peek_id(const char *body, size_t len, char id[TL_ORDER_MSG_ID_MAX])
{
    json_t *obj;
    if (load(body, len, &obj, NULL) != 0)
        return false;
    const char *s;
    size_t n;
    bool ok = get_string(obj, "order_id", true, &s, &n, NULL) == 0 &&
              tl_order_msg_id_validate("order_id", s, n, NULL) == 0;
    if (ok)
        memcpy(id, s, n + 1);
    json_decref(obj);
    return ok;
}
