/* intent_msg.c -- the body of POST /execute/intents (intent_msg.h). */
#include "service/intent_msg.h"

#include <jansson.h>
#include <string.h>

#include "core/text.h"
#include "loop/json_in.h"
#include "service/json_num.h"
#include "tradeloop/instrument.h"

/* A required or optional string member copied into dst[cap]: 1 when absent (optional), 0, or
 * TL_EINVAL naming `name`. */
static int get_text(json_t *obj, const char *key, const char *name, bool required, char *dst,
                    size_t cap, tl_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        if (required)
            return tl_err_set(err, TL_EINVAL, "%s: missing", name);
        return 1;
    }
    if (!json_is_string(v))
        return tl_err_set(err, TL_EINVAL, "%s: want a string, got %s", name, tl__json_type_name(v));
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n == 0)
        return tl_err_set(err, TL_EINVAL, "%s: empty", name);
    if (n >= cap || memchr(s, '\0', n) != NULL)
        return tl_err_set(err, TL_EINVAL, "%s: longer than %zu characters", name, cap - 1);
    memcpy(dst, s, n + 1);
    return 0;
}

static int get_amount(json_t *obj, const char *key, const char *name, const char *text, size_t len,
                      tl_fixed *out, tl_err *err)
{
    tl__json_span spans[TL_JSON_MEMBERS_MAX];
    size_t n = 0;
    int rc = tl__json_member_numbers(text, len, spans, TL_JSON_MEMBERS_MAX, &n, err);
    if (rc != 0)
        return rc;
    rc = tl__json_get_decimal(obj, key, name, text, spans, n, out, err);
    if (rc == 1)
        return tl_err_set(err, TL_EINVAL, "%s: missing", name);
    if (rc == 0 && *out <= 0) {
        char buf[TL_FIXED_STRLEN];
        tl_fixed_format(*out, buf, sizeof(buf));
        return tl_err_set(err, TL_EINVAL, "%s: must be > 0, got %s", name, buf);
    }
    return rc;
}

/* The text of top-level member `key` (an object): where its own numbers are. */
static int member_text(const char *body, size_t len, json_t *root, const char *key,
                       const char **text, size_t *n, tl_err *err)
{
    tl__json_span spans[TL_JSON_MEMBERS_MAX];
    size_t ns = 0, idx = 0;
    int rc = tl__json_member_numbers(body, len, spans, TL_JSON_MEMBERS_MAX, &ns, err);
    if (rc != 0)
        return rc;
    const char *k;
    json_t *v, *want = json_object_get(root, key);
    json_object_foreach(root, k, v)
    {
        if (v == want)
            break;
        idx++;
    }
    if (idx >= ns || !spans[idx].nested) /* NEVER: jansson and the walk disagree */
        return tl_err_set(err, TL_ECORRUPT, "%s: object text not found", key);
    *text = body + spans[idx].off;
    *n = spans[idx].len;
    return 0;
}

static int parse_intent(json_t *it, const char *text, size_t len, tl_intent_msg *m, tl_err *err)
{
    int rc;
    if ((rc = get_text(it, "workspace_id", "intent.workspace_id", true, m->workspace,
                       sizeof(m->workspace), err)) != 0 ||
        (rc = get_text(it, "intent_id", "intent.intent_id", true, m->intent_id,
                       sizeof(m->intent_id), err)) != 0 ||
        (rc = get_text(it, "action", "intent.action", true, m->action, sizeof(m->action), err)) !=
            0 ||
        (rc = get_text(it, "symbol", "intent.symbol", true, m->symbol, sizeof(m->symbol), err)) !=
            0)
        return rc;
    tl_err inner;
    if (tl_workspace_validate(m->workspace, &inner) != 0)
        return tl_err_set(err, TL_EINVAL, "intent.workspace_id: %s", inner.msg);
    if (tl_paper_intent_id_validate(m->intent_id, &inner) != 0)
        return tl_err_set(err, TL_EINVAL, "intent.intent_id: %s", inner.msg);
    if (tl_symbol_validate(m->symbol, &inner) != 0)
        return tl_err_set(err, TL_EINVAL, "intent.symbol: %s", inner.msg);
    return get_amount(it, "qty", "intent.qty", text, len, &m->qty, err);
}

static int parse(const char *body, size_t len, tl_intent_msg *out, tl_err *err)
{
    if (len > TL_INTENT_MSG_MAX_BYTES)
        return tl_err_set(err, TL_EINVAL, "body: %zu bytes (at most %d)", len,
                          TL_INTENT_MSG_MAX_BYTES);
    if (memchr(body, '\0', len) != NULL)
        return tl_err_set(err, TL_EINVAL, "body: a NUL byte");
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &je);
    if (!root)
        return tl_err_set(err, TL_EINVAL, "body: not JSON: %s (column %d)", je.text, je.column);
    tl_intent_msg m;
    memset(&m, 0, sizeof(m));
    int rc = 0;
    const char *key;
    json_t *v, *it = json_object_get(root, "intent");
    const char *it_text = NULL;
    size_t it_len = 0;
    if (!json_is_object(root)) {
        rc = tl_err_set(err, TL_EINVAL, "body: want an object, got %s", tl__json_type_name(root));
        goto out;
    }
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "intent") != 0 && strcmp(key, "fill_price") != 0 &&
            strcmp(key, "mode") != 0) {
            rc = tl_err_set(err, TL_EINVAL, "unknown key '%.40s' (known: intent, fill_price, mode)",
                            key);
            goto out;
        }
    }
    if (it == NULL || json_is_null(it)) {
        rc = tl_err_set(err, TL_EINVAL, "intent: missing");
        goto out;
    }
    if (!json_is_object(it)) {
        rc = tl_err_set(err, TL_EINVAL, "intent: want an object, got %s", tl__json_type_name(it));
        goto out;
    }
    if ((rc = member_text(body, len, root, "intent", &it_text, &it_len, err)) != 0 ||
        (rc = parse_intent(it, it_text, it_len, &m, err)) != 0 ||
        (rc = get_amount(root, "fill_price", "fill_price", body, len, &m.fill_price, err)) != 0)
        goto out;
    rc = get_text(root, "mode", "mode", false, m.mode, sizeof(m.mode), err);
    if (rc == 1) {
        memcpy(m.mode, TL_PAPER_MODE, sizeof(TL_PAPER_MODE));
        rc = 0;
    }
    if (rc != 0)
        goto out;
    if (strcmp(m.mode, TL_PAPER_MODE) != 0) {
        rc = tl_err_set(err, TL_ENOTSUP, "mode: '%s' is not supported (only paper)", m.mode);
        goto out;
    }
    *out = m;
out:
    json_decref(root);
    return rc;
}

int tl_intent_msg_parse(const char *body, size_t len, tl_intent_msg *out, tl_err *err)
{
    int rc = parse(body, len, out, err);
    if (rc != 0)
        tl__err_printable(err); /* the messages quote what they refuse */
    return rc;
}

tl_paper_intent tl_intent_msg_intent(const tl_intent_msg *m, int64_t ts_ns)
{
    tl_paper_intent in = {m->workspace, m->intent_id,  m->action, m->symbol,
                          m->qty,       m->fill_price, m->mode,   ts_ns};
    return in;
}
