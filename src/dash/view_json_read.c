/* view_json_read.c -- the status document read back (see view_json.h): another process wrote
 * it, so every field is required and checked, and a refusal names its path. */
#include "dash/view_json.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- decoding ----
 * Each getter reads obj[key], where obj lives at path `at` ("" for the document, "accounts[2]"),
 * and names "at.key" when it refuses. */

#define PATH(buf, at, key) (snprintf(buf, sizeof buf, "%s%s%s", at, *(at) ? "." : "", key), buf)

static int field(json_t *obj, const char *at, const char *key, json_t **out, tl_err *err)
{
    char p[96];
    *out = json_object_get(obj, key);
    if (!*out)
        return tl_err_set(err, TL_EINVAL, "%s: missing", PATH(p, at, key));
    return 0;
}

static int get_str(json_t *obj, const char *at, const char *key, char *dst, size_t cap, tl_err *err)
{
    char p[96];
    json_t *j;
    int rc = field(obj, at, key, &j, err);
    if (rc != 0)
        return rc;
    if (!json_is_string(j))
        return tl_err_set(err, TL_EINVAL, "%s: want a string", PATH(p, at, key));
    size_t n = json_string_length(j);
    const char *s = json_string_value(j);
    if (n >= cap)
        return tl_err_set(err, TL_EINVAL, "%s: longer than %zu bytes", PATH(p, at, key), cap - 1);
    if (strlen(s) != n)
        return tl_err_set(err, TL_EINVAL, "%s: holds a NUL character", PATH(p, at, key));
    memcpy(dst, s, n + 1);
    return 0;
}

static int get_fixed(json_t *obj, const char *at, const char *key, tl_fixed *out, tl_err *err)
{
    char p[96];
    json_t *j;
    tl_err e = {0};
    int rc = field(obj, at, key, &j, err);
    if (rc != 0)
        return rc;
    if (!json_is_string(j))
        return tl_err_set(err, TL_EINVAL, "%s: want a decimal string", PATH(p, at, key));
    if (tl_fixed_parse(json_string_value(j), json_string_length(j), out, &e) != 0)
        return tl_err_set(err, TL_EINVAL, "%s: %s", PATH(p, at, key), e.msg);
    return 0;
}

/* A JSON integer >= 0 (jansson reads them as int64). */
static int get_int(json_t *obj, const char *at, const char *key, int64_t *out, tl_err *err)
{
    char p[96];
    json_t *j;
    int rc = field(obj, at, key, &j, err);
    if (rc != 0)
        return rc;
    if (!json_is_integer(j) || json_integer_value(j) < 0)
        return tl_err_set(err, TL_EINVAL, "%s: want a whole number >= 0", PATH(p, at, key));
    *out = (int64_t)json_integer_value(j);
    return 0;
}

static int get_u64(json_t *obj, const char *at, const char *key, uint64_t *out, tl_err *err)
{
    int64_t v;
    int rc = get_int(obj, at, key, &v, err);
    if (rc == 0)
        *out = (uint64_t)v;
    return rc;
}

static int get_bool(json_t *obj, const char *at, const char *key, bool *out, tl_err *err)
{
    char p[96];
    json_t *j;
    int rc = field(obj, at, key, &j, err);
    if (rc != 0)
        return rc;
    if (!json_is_boolean(j))
        return tl_err_set(err, TL_EINVAL, "%s: want true or false", PATH(p, at, key));
    *out = json_is_true(j);
    return 0;
}

/* obj must be an object whose keys are all in keys[] (a typo is refused, not ignored). */
static int check_object(json_t *obj, const char *at, const char *const *keys, size_t n_keys,
                        tl_err *err)
{
    const char *key;
    json_t *val;
    if (!json_is_object(obj))
        return tl_err_set(err, TL_EINVAL, "%s: want an object", *at ? at : "document");
    json_object_foreach(obj, key, val)
    {
        size_t i = 0;
        while (i < n_keys && strcmp(keys[i], key) != 0)
            i++;
        if (i == n_keys) {
            char p[96], q[40];
            snprintf(q, sizeof q, "%.32s%s", key, strlen(key) > 32 ? "..." : "");
            return tl_err_set(err, TL_EINVAL, "%s: unknown key", PATH(p, at, q));
        }
    }
    return 0;
}

#define CHECK_OBJECT(obj, at, ...)                                                                 \
    check_object(obj, at, (const char *const[]){__VA_ARGS__},                                      \
                 sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *), err)

/* The array obj[key]: at most cap items. */
static int get_array(json_t *obj, const char *key, size_t cap, json_t **out, tl_err *err)
{
    int rc = field(obj, "", key, out, err);
    if (rc != 0)
        return rc;
    if (!json_is_array(*out))
        return tl_err_set(err, TL_EINVAL, "%s: want an array", key);
    if (json_array_size(*out) > cap)
        return tl_err_set(err, TL_EINVAL, "%s: %zu items, at most %zu", key, json_array_size(*out),
                          cap);
    return 0;
}

static int decode_account(json_t *j, const char *at, tl_dash_account *a, tl_err *err)
{
    int rc;
    if ((rc = CHECK_OBJECT(j, at, "balance", "cooldown_left_ns", "drawdown_pct", "equity", "frozen",
                           "in_cooldown", "losses", "max_drawdown_pct", "name", "realized_pnl",
                           "trades", "unrealized_pnl", "wins")) != 0 ||
        (rc = get_fixed(j, at, "balance", &a->balance, err)) != 0 ||
        (rc = get_int(j, at, "cooldown_left_ns", &a->cooldown_left_ns, err)) != 0 ||
        (rc = get_fixed(j, at, "drawdown_pct", &a->drawdown_pct, err)) != 0 ||
        (rc = get_fixed(j, at, "equity", &a->equity, err)) != 0 ||
        (rc = get_bool(j, at, "frozen", &a->frozen, err)) != 0 ||
        (rc = get_bool(j, at, "in_cooldown", &a->in_cooldown, err)) != 0 ||
        (rc = get_u64(j, at, "losses", &a->losses, err)) != 0 ||
        (rc = get_fixed(j, at, "max_drawdown_pct", &a->max_drawdown_pct, err)) != 0 ||
        (rc = get_str(j, at, "name", a->name, sizeof a->name, err)) != 0 ||
        (rc = get_fixed(j, at, "realized_pnl", &a->realized_pnl, err)) != 0 ||
        (rc = get_u64(j, at, "trades", &a->trades, err)) != 0 ||
        (rc = get_fixed(j, at, "unrealized_pnl", &a->unrealized_pnl, err)) != 0)
        return rc;
    return get_u64(j, at, "wins", &a->wins, err);
}

static int decode_position(json_t *j, const char *at, tl_dash_position *p, tl_err *err)
{
    int rc;
    if ((rc = CHECK_OBJECT(j, at, "account", "entry", "last", "qty", "stop", "symbol",
                           "unrealized_pnl")) != 0 ||
        (rc = get_str(j, at, "account", p->account, sizeof p->account, err)) != 0 ||
        (rc = get_fixed(j, at, "entry", &p->entry, err)) != 0 ||
        (rc = get_fixed(j, at, "last", &p->last, err)) != 0 ||
        (rc = get_fixed(j, at, "qty", &p->qty, err)) != 0 ||
        (rc = get_fixed(j, at, "stop", &p->stop, err)) != 0 ||
        (rc = get_str(j, at, "symbol", p->symbol, sizeof p->symbol, err)) != 0)
        return rc;
    return get_fixed(j, at, "unrealized_pnl", &p->unrealized_pnl, err);
}

static int decode_refusal(json_t *j, const char *at, tl_dash_refusal *r, tl_err *err)
{
    int rc;
    if ((rc = CHECK_OBJECT(j, at, "account", "reason", "symbol", "text", "ts_ns")) != 0 ||
        (rc = get_str(j, at, "account", r->account, sizeof r->account, err)) != 0 ||
        (rc = get_str(j, at, "reason", r->reason, sizeof r->reason, err)) != 0 ||
        (rc = get_str(j, at, "symbol", r->symbol, sizeof r->symbol, err)) != 0 ||
        (rc = get_str(j, at, "text", r->text, sizeof r->text, err)) != 0)
        return rc;
    return get_int(j, at, "ts_ns", &r->ts_ns, err);
}

/* The three arrays, each item through its decoder. */
static int decode_rows(json_t *doc, tl_dash_view *v, tl_err *err)
{
    json_t *arr, *item;
    size_t i;
    char at[48];
    int rc;
    if ((rc = get_array(doc, "accounts", TL_DASH_MAX_ACCOUNTS, &arr, err)) != 0)
        return rc;
    json_array_foreach(arr, i, item)
    {
        snprintf(at, sizeof at, "accounts[%zu]", i);
        if ((rc = decode_account(item, at, &v->accounts[i], err)) != 0)
            return rc;
    }
    v->n_accounts = (uint32_t)json_array_size(arr);
    if ((rc = get_array(doc, "positions", TL_DASH_MAX_POSITIONS, &arr, err)) != 0)
        return rc;
    json_array_foreach(arr, i, item)
    {
        snprintf(at, sizeof at, "positions[%zu]", i);
        if ((rc = decode_position(item, at, &v->positions[i], err)) != 0)
            return rc;
    }
    v->n_positions = (uint32_t)json_array_size(arr);
    if ((rc = get_array(doc, "refusals", TL_DASH_MAX_REFUSALS, &arr, err)) != 0)
        return rc;
    json_array_foreach(arr, i, item)
    {
        snprintf(at, sizeof at, "refusals[%zu]", i);
        if ((rc = decode_refusal(item, at, &v->refusals[i], err)) != 0)
            return rc;
    }
    v->n_refusals = (uint32_t)json_array_size(arr);
    return 0;
}

/* The footer's three objects and the signal counts. */
static int decode_footer(json_t *doc, tl_dash_view *v, tl_err *err)
{
    json_t *j;
    int rc;
    if ((rc = field(doc, "", "filters", &j, err)) != 0 ||
        (rc = CHECK_OBJECT(j, "filters", "max_quote_age_ms", "max_slippage_bps", "max_spread_bps",
                           "timezone", "trading_window")) != 0 ||
        (rc = get_u64(j, "filters", "max_quote_age_ms", &v->filters.max_quote_age_ms, err)) ||
        (rc = get_fixed(j, "filters", "max_slippage_bps", &v->filters.max_slippage_bps, err)) ||
        (rc = get_fixed(j, "filters", "max_spread_bps", &v->filters.max_spread_bps, err)) ||
        (rc = get_str(j, "filters", "timezone", v->filters.timezone, sizeof v->filters.timezone,
                      err)) != 0 ||
        (rc = get_str(j, "filters", "trading_window", v->filters.trading_window,
                      sizeof v->filters.trading_window, err)) != 0)
        return rc;
    if ((rc = field(doc, "", "kill_switch", &j, err)) != 0 ||
        (rc = CHECK_OBJECT(j, "kill_switch", "engaged", "reason")) != 0 ||
        (rc = get_bool(j, "kill_switch", "engaged", &v->kill.engaged, err)) != 0 ||
        (rc = get_str(j, "kill_switch", "reason", v->kill.reason, sizeof v->kill.reason, err)))
        return rc;
    if ((rc = field(doc, "", "reconciliation", &j, err)) != 0 ||
        (rc = CHECK_OBJECT(j, "reconciliation", "result", "runs", "ts_ns")) != 0 ||
        (rc = get_str(j, "reconciliation", "result", v->recon.result, sizeof v->recon.result,
                      err)) != 0 ||
        (rc = get_u64(j, "reconciliation", "runs", &v->recon.runs, err)) != 0 ||
        (rc = get_int(j, "reconciliation", "ts_ns", &v->recon.ts_ns, err)) != 0)
        return rc;
    if ((rc = field(doc, "", "signals", &j, err)) != 0 ||
        (rc = CHECK_OBJECT(j, "signals", "accepted", "received", "refused")) != 0 ||
        (rc = get_u64(j, "signals", "accepted", &v->signals.accepted, err)) != 0 ||
        (rc = get_u64(j, "signals", "received", &v->signals.received, err)) != 0)
        return rc;
    return get_u64(j, "signals", "refused", &v->signals.refused, err);
}

static int decode_doc(json_t *doc, tl_dash_view *v, tl_err *err)
{
    char mode[16];
    int64_t version;
    int rc;
    if ((rc = CHECK_OBJECT(doc, "", "accounts", "accounts_total", "db", "filters", "kill_switch",
                           "max_open_positions", "mode", "now_ns", "open_positions", "positions",
                           "positions_total", "reconciliation", "refusals", "signals",
                           "version")) != 0 ||
        (rc = get_int(doc, "", "version", &version, err)) != 0)
        return rc;
    if (version != TL_DASH_VIEW_VERSION)
        return tl_err_set(err, TL_EINVAL, "version: %lld, this build reads %d", (long long)version,
                          TL_DASH_VIEW_VERSION);
    if ((rc = get_u64(doc, "", "accounts_total", &v->accounts_total, err)) != 0 ||
        (rc = get_str(doc, "", "db", v->db, sizeof v->db, err)) != 0 ||
        (rc = get_u64(doc, "", "max_open_positions", &v->max_open_positions, err)) != 0 ||
        (rc = get_str(doc, "", "mode", mode, sizeof mode, err)) != 0)
        return rc;
    if (tl_dash_mode_parse(mode, &v->mode) != 0)
        return tl_err_set(err, TL_EINVAL, "mode: want replay or live");
    if ((rc = get_int(doc, "", "now_ns", &v->now_ns, err)) != 0 ||
        (rc = get_u64(doc, "", "open_positions", &v->open_positions, err)) != 0 ||
        (rc = get_u64(doc, "", "positions_total", &v->positions_total, err)) != 0 ||
        (rc = decode_rows(doc, v, err)) != 0 || (rc = decode_footer(doc, v, err)) != 0)
        return rc;
    return tl_dash_view_check(v, err);
}

int tl_dash_view_decode(const char *text, size_t len, tl_dash_view *out, tl_err *err)
{
    if (len > TL_DASH_DOC_MAX)
        return tl_err_set(err, TL_ERANGE, "status document: %zu bytes, at most %d", len,
                          TL_DASH_DOC_MAX);
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        return tl_err_set(err, TL_EINVAL, "status document: line %d column %d: %s", je.line,
                          je.column, je.text);
    /* Built aside and zeroed, so that a refusal leaves *out untouched and two decodes of the same
     * text are equal byte for byte (the fuzz target compares them). */
    tl_dash_view *v = calloc(1, sizeof *v);
    int rc = v ? decode_doc(doc, v, err) : tl_err_set(err, TL_ENOMEM, "out of memory");
    if (rc == 0)
        memcpy(out, v, sizeof *v);
    free(v);
    json_decref(doc);
    return rc;
}
