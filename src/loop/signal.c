/*
 * signal.c -- one JSONL signal into a checked tl_signal (signal.h).
 */
#include <string.h>

#include "core/text.h"
#include "loop/json_in.h"
#include "loop/signal.h"
#include "tradeloop/clock.h"

#define KNOWN_KEYS "id, ts, account, symbol, action, qty, expected_price, limit_price"

static const char *const known[] = {"id",     "ts",  "account",        "symbol",
                                    "action", "qty", "expected_price", "limit_price"};

const char *tl_signal_action_name(int action)
{
    switch (action) {
    case TL_SIGNAL_ENTER_LONG:
        return "ENTER_LONG";
    case TL_SIGNAL_ENTER_SHORT:
        return "ENTER_SHORT";
    case TL_SIGNAL_EXIT:
        return "EXIT";
    }
    return "?";
}

/* A required string field; its length (without NUL: jansson refuses \u0000) in *len. */
static int string_field(json_t *obj, const char *key, const char **s, size_t *len, tl_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return tl_err_set(err, TL_EINVAL, "%s: missing", key);
    if (!json_is_string(v))
        return tl_err_set(err, TL_EINVAL, "%s: want a string, got %s", key, tl__json_type_name(v));
    *s = json_string_value(v);
    *len = json_string_length(v);
    return 0;
}

static int parse_id(json_t *obj, tl_signal *sg, tl_err *err)
{
    const char *s;
    size_t n;
    int rc = string_field(obj, "id", &s, &n, err);
    if (rc != 0)
        return rc;
    if (n == 0 || n >= TL_SIGNAL_ID_MAX)
        return tl_err_set(err, TL_EINVAL, "id: %zu characters (want 1..%d)", n,
                          TL_SIGNAL_ID_MAX - 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f)
            return tl_err_set(err, TL_EINVAL,
                              "id: character 0x%02x at position %zu (want printable ASCII, no "
                              "spaces)",
                              c, i + 1);
    }
    memcpy(sg->id, s, n + 1);
    return 0;
}

static int parse_names(json_t *obj, tl_signal *sg, tl_err *err)
{
    const char *s;
    size_t n;
    tl_err inner;
    int rc;
    if ((rc = string_field(obj, "ts", &s, &n, err)) != 0)
        return rc;
    if ((rc = tl_time_parse_iso(s, &sg->ts_ns, &inner)) != 0)
        return tl_err_set(err, rc, "ts: %s", inner.msg);

    if ((rc = string_field(obj, "account", &s, &n, err)) != 0)
        return rc;
    if ((rc = tl_workspace_validate(s, &inner)) != 0) {
        /* The validator speaks of a "workspace"; here it is the account's name. */
        const char *why = inner.msg;
        if (strncmp(why, "workspace: ", 11) == 0)
            why += 11;
        return tl_err_set(err, rc, "account: %s", why);
    }
    memcpy(sg->account, s, n + 1); /* validated: n < TL_WORKSPACE_MAX */

    if ((rc = string_field(obj, "symbol", &s, &n, err)) != 0)
        return rc;
    if (n >= TL_SYMBOL_MAX || (rc = tl_symbol_validate(s, &inner)) != 0)
        return tl_err_set(err, TL_EINVAL, "symbol: '%.*s' must be 1..%d of [A-Z0-9]",
                          (int)(n < 32 ? n : 32), s, TL_SYMBOL_MAX - 1);
    memcpy(sg->symbol, s, n + 1);

    if ((rc = string_field(obj, "action", &s, &n, err)) != 0)
        return rc;
    for (int a = TL_SIGNAL_ENTER_LONG; a <= TL_SIGNAL_EXIT; a++)
        if (strcmp(s, tl_signal_action_name(a)) == 0)
            sg->action = (tl_signal_action)a;
    if (sg->action == 0)
        return tl_err_set(err, TL_EINVAL, "action: '%.*s' is not ENTER_LONG, ENTER_SHORT or EXIT",
                          (int)(n < 32 ? n : 32), s);
    return 0;
}

static int parse_amounts(json_t *obj, tl_signal *sg, tl_err *err)
{
    json_t *qty = json_object_get(obj, "qty");
    json_t *px = json_object_get(obj, "expected_price");
    int rc;
    if (qty == NULL || json_is_null(qty)) {
        if (sg->action != TL_SIGNAL_EXIT)
            return tl_err_set(err, TL_EINVAL, "qty: missing (required for %s)",
                              tl_signal_action_name(sg->action));
    } else if ((rc = tl__json_positive(qty, "qty", &sg->qty, err)) != 0) {
        return rc;
    }
    if (px != NULL && !json_is_null(px) &&
        (rc = tl__json_positive(px, "expected_price", &sg->expected_price, err)) != 0)
        return rc;
    json_t *lim = json_object_get(obj, "limit_price");
    if (lim == NULL || json_is_null(lim))
        return 0;
    /* An exit must get out: a limit that never fills would leave the position without the
     * exit the signal asked for, so only entries rest. */
    if (sg->action == TL_SIGNAL_EXIT)
        return tl_err_set(err, TL_EINVAL, "limit_price: only for ENTER_LONG and ENTER_SHORT");
    return tl__json_positive(lim, "limit_price", &sg->limit_price, err);
}

static int is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int tl_signal_parse(const char *line, size_t len, tl_signal *out, tl_err *err)
{
    size_t i = 0;
    while (i < len && is_json_space(line[i]))
        i++;
    if (i == len)
        return 0;

    json_t *obj;
    int rc = tl__json_load(line, len, false, &obj, err);
    if (rc != 0) {
        tl__err_printable(err);
        return rc;
    }
    if (!json_is_object(obj)) {
        rc = tl_err_set(err, TL_EINVAL, "want one JSON object per line, got %s",
                        tl__json_type_name(obj));
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        size_t k = 0;
        while (k < sizeof known / sizeof known[0] && strcmp(key, known[k]) != 0)
            k++;
        if (k == sizeof known / sizeof known[0]) {
            rc = tl_err_set(err, TL_EINVAL, "unknown key '%.40s' (known: " KNOWN_KEYS ")", key);
            goto done;
        }
    }
    tl_signal sg;
    memset(&sg, 0, sizeof sg);
    if ((rc = parse_id(obj, &sg, err)) != 0 || (rc = parse_names(obj, &sg, err)) != 0 ||
        (rc = parse_amounts(obj, &sg, err)) != 0)
        goto done;
    *out = sg;
    rc = 1;
done:
    json_decref(obj);
    if (rc < 0)
        tl__err_printable(err);
    return rc;
}
