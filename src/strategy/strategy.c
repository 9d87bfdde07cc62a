/*
 * strategy.c -- the one caller through tl_strategy_ops tables: see strategy.h.
 *
 * Finding a strategy, its parameters and what its evaluate() returns are checked here once, so a
 * strategy holds only its rule and every strategy is held to the same contract.
 */
#include "strategy/strategy.h"

#include <assert.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "tradeloop/instrument.h"

static const tl_strategy_ops *const builtin_strategies[] = {
    &tl_strategy_breakout_ops,
    &tl_strategy_sma_cross_ops,
    NULL,
};

const tl_strategy_ops *const *tl_strategy_builtins(void)
{
    return builtin_strategies;
}

const char *tl_strategy_action_name(tl_strategy_action a)
{
    return a == TL_STRATEGY_OPEN_LONG    ? "OPEN_LONG"
           : a == TL_STRATEGY_CLOSE_LONG ? "CLOSE_LONG"
                                         : "?";
}

/* ---------------------------------------------------------------------------------------- */
/* Tables */

static bool name_ok(const char *s, size_t max, bool dots)
{
    size_t n = 0;
    if (s == NULL || s[0] == '\0')
        return false;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (dots && c == '.')))
            return false;
        if (n + 1 >= max)
            return false;
    }
    return true;
}

int tl_strategy_ops_check(const tl_strategy_ops *ops, tl_err *err)
{
    if (ops == NULL)
        return tl_err_set(err, TL_EINVAL, "strategy table is NULL");
    if (!name_ok(ops->name, TL_STRATEGY_NAME_MAX, false))
        return tl_err_set(err, TL_EINVAL, "strategy table: name must be 1..%d of [a-z0-9_]",
                          TL_STRATEGY_NAME_MAX - 1);
    if (ops->version != TL_STRATEGY_OPS_VERSION)
        return tl_err_set(err, TL_EINVAL, "strategy '%s': ops version %d, expected %d", ops->name,
                          ops->version, TL_STRATEGY_OPS_VERSION);
    if (ops->evaluate == NULL)
        return tl_err_set(err, TL_EINVAL, "strategy '%s': mandatory slot 'evaluate' is NULL",
                          ops->name);
    if ((ops->cache_size == NULL) != (ops->cache_init == NULL))
        return tl_err_set(err, TL_EINVAL, "strategy '%s': cache_size and cache_init go together",
                          ops->name);
    if (ops->n_params > TL_STRATEGY_PARAMS_MAX || (ops->n_params > 0 && ops->params == NULL))
        return tl_err_set(err, TL_EINVAL, "strategy '%s': %zu parameters (at most %d)", ops->name,
                          ops->n_params, TL_STRATEGY_PARAMS_MAX);
    for (size_t i = 0; i < ops->n_params; i++) {
        const tl_strategy_param_def *p = &ops->params[i];
        if (!name_ok(p->name, TL_STRATEGY_PARAM_NAME_MAX, true))
            return tl_err_set(err, TL_EINVAL, "strategy '%s': parameter %zu has a bad name",
                              ops->name, i);
        if (p->type != TL_PARAM_INTEGER && p->type != TL_PARAM_DECIMAL)
            return tl_err_set(err, TL_EINVAL, "strategy '%s': %s: unknown type %d", ops->name,
                              p->name, (int)p->type);
        if (!(p->min <= p->def && p->def <= p->max))
            return tl_err_set(err, TL_EINVAL, "strategy '%s': %s: default out of its bounds",
                              ops->name, p->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(ops->params[j].name, p->name) == 0)
                return tl_err_set(err, TL_EINVAL, "strategy '%s': parameter %s twice", ops->name,
                                  p->name);
    }
    return 0;
}

const tl_strategy_ops *tl_strategy_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; builtin_strategies[i]; i++)
        if (strcmp(builtin_strategies[i]->name, name) == 0)
            return builtin_strategies[i];
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Specs and parameters */

int tl_strategy_spec_init(tl_strategy_spec *spec, const char *name, const char *symbol,
                          const char *workspace, tl_err *err)
{
    const tl_strategy_ops *ops = tl_strategy_find(name);
    int rc;
    if (ops == NULL) {
        char known[128] = "";
        for (size_t i = 0, off = 0; builtin_strategies[i] && off < sizeof(known); i++)
            off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s", i ? ", " : "",
                                    builtin_strategies[i]->name);
        return tl_err_set(err, TL_ENOTFOUND, "strategy: '%.40s' is not known (known: %s)",
                          name ? name : "", known);
    }
    if ((rc = tl_strategy_ops_check(ops, err)) != 0)
        return rc;
    if (symbol == NULL || tl_symbol_validate(symbol, NULL) != 0 ||
        strlen(symbol) >= TL_STRATEGY_SYMBOL_MAX)
        return tl_err_set(err, TL_EINVAL, "symbol: '%.20s' must be 1..15 of [A-Z0-9]",
                          symbol ? symbol : "");
    if ((rc = tl_workspace_validate(workspace, err)) != 0)
        return rc;
    tl_strategy_spec s;
    memset(&s, 0, sizeof(s));
    s.ops = ops;
    for (size_t i = 0; i < ops->n_params; i++)
        s.params[i] = ops->params[i].def;
    snprintf(s.symbol, sizeof(s.symbol), "%s", symbol);
    snprintf(s.workspace, sizeof(s.workspace), "%s", workspace);
    *spec = s;
    return 0;
}

int tl_strategy_param_index(const tl_strategy_ops *ops, const char *key)
{
    if (ops == NULL || key == NULL)
        return -1;
    for (size_t i = 0; i < ops->n_params; i++)
        if (strcmp(ops->params[i].name, key) == 0)
            return (int)i;
    return -1;
}

/* A parameter's value as people write it: "252", "1000.5". */
static void format_value(const tl_strategy_param_def *p, int64_t v, char *buf, size_t cap)
{
    if (p->type == TL_PARAM_INTEGER)
        snprintf(buf, cap, "%lld", (long long)v);
    else if (tl_fixed_format(v, buf, cap) < 0)
        snprintf(buf, cap, "?");
}

static int unknown_key(const tl_strategy_ops *ops, const char *key, tl_err *err)
{
    char known[160] = "";
    for (size_t i = 0, off = 0; i < ops->n_params && off < sizeof(known); i++)
        off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s", i ? ", " : "",
                                ops->params[i].name);
    return tl_err_set(err, TL_EINVAL, "%.40s: unknown parameter of strategy %s (known: %s)",
                      key ? key : "", ops->name, known);
}

int tl_strategy_spec_set(tl_strategy_spec *spec, const char *key, const char *value, tl_err *err)
{
    if (spec == NULL || spec->ops == NULL)
        return tl_err_set(err, TL_EINVAL, "strategy: spec not initialised");
    int i = tl_strategy_param_index(spec->ops, key);
    if (i < 0)
        return unknown_key(spec->ops, key, err);
    const tl_strategy_param_def *p = &spec->ops->params[i];
    tl_fixed v;
    int64_t val;
    /* Both types go through the exact decimal grammar; an integer is a decimal without a
     * fraction, so "252" and "252.0" agree and "1e3" is refused for both. */
    if (value == NULL || tl_fixed_parse(value, (size_t)-1, &v, NULL) != 0)
        return tl_err_set(err, TL_EINVAL, "%s: '%.40s' is not %s", p->name, value ? value : "",
                          p->type == TL_PARAM_INTEGER ? "an integer" : "a decimal number");
    if (p->type == TL_PARAM_INTEGER) {
        if (v % TL_FIXED_SCALE != 0)
            return tl_err_set(err, TL_EINVAL, "%s: '%.40s' is not an integer", p->name, value);
        val = v / TL_FIXED_SCALE;
    } else {
        val = v;
    }
    if (val < p->min || val > p->max) {
        char lo[TL_FIXED_STRLEN], hi[TL_FIXED_STRLEN];
        format_value(p, p->min, lo, sizeof(lo));
        format_value(p, p->max, hi, sizeof(hi));
        return tl_err_set(err, TL_ERANGE, "%s: %.40s is out of bounds [%s, %s]", p->name, value, lo,
                          hi);
    }
    spec->params[i] = val;
    return 0;
}

int tl_strategy_spec_set_kv(tl_strategy_spec *spec, const char *kv, tl_err *err)
{
    char key[TL_STRATEGY_PARAM_NAME_MAX];
    const char *eq = kv ? strchr(kv, '=') : NULL;
    if (eq == NULL || eq == kv)
        return tl_err_set(err, TL_EINVAL, "param: '%.60s' is not key=value", kv ? kv : "");
    size_t n = (size_t)(eq - kv);
    if (n >= sizeof(key))
        return tl_err_set(err, TL_EINVAL, "param: '%.60s': key too long", kv);
    memcpy(key, kv, n);
    key[n] = '\0';
    return tl_strategy_spec_set(spec, key, eq + 1, err);
}

int tl_strategy_spec_check(const tl_strategy_spec *spec, tl_err *err)
{
    if (spec == NULL || spec->ops == NULL)
        return tl_err_set(err, TL_EINVAL, "strategy: spec not initialised");
    return spec->ops->check ? spec->ops->check(spec, err) : 0;
}

int tl_strategy_spec_get(const tl_strategy_spec *spec, const char *key, int64_t *out, tl_err *err)
{
    int i = spec && spec->ops ? tl_strategy_param_index(spec->ops, key) : -1;
    if (i < 0)
        return spec && spec->ops ? unknown_key(spec->ops, key, err)
                                 : tl_err_set(err, TL_EINVAL, "strategy: spec not initialised");
    *out = spec->params[i];
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Evaluation */

int tl_strategy_evaluation_id(const tl_strategy_spec *spec, int64_t ts_ns,
                              char id[TL_STRATEGY_EVAL_ID_MAX], tl_err *err)
{
    char buf[TL_WORKSPACE_MAX + TL_STRATEGY_NAME_MAX + TL_STRATEGY_SYMBOL_MAX + 24];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    int n = snprintf(buf, sizeof(buf), "%s|%s|%s|%lld", spec->workspace, spec->ops->name,
                     spec->symbol, (long long)ts_ns);
    if (n < 0 || (size_t)n >= sizeof(buf) ||
        !EVP_Digest(buf, (size_t)n, md, &len, EVP_sha256(), NULL) || len < 8)
        return tl_err_set(err, TL_EIO, "strategy: cannot hash the evaluation id");
    static const char hex[] = "0123456789abcdef";
    id[0] = 'e';
    id[1] = 'v';
    for (size_t i = 0; i < 8; i++) {
        id[2 + 2 * i] = hex[md[i] >> 4];
        id[3 + 2 * i] = hex[md[i] & 15];
    }
    id[18] = '\0';
    return 0;
}

int tl_strategy_add_intent(tl_strategy_evaluation *ev, tl_strategy_action a, tl_fixed qty,
                           tl_fixed price)
{
    if (ev->n_intents >= TL_STRATEGY_INTENTS_MAX)
        return TL_ESTATE;
    tl_strategy_intent *in = &ev->intents[ev->n_intents++];
    in->action = a;
    in->qty = qty;
    in->price = price;
    return 0;
}

void tl_strategy_add_signal(tl_strategy_evaluation *ev, const char *name, tl_fixed value)
{
    if (ev->n_signals >= TL_STRATEGY_SIGNALS_MAX)
        return; /* signals are for people: a full array drops the extra one */
    ev->signals[ev->n_signals].name = name;
    ev->signals[ev->n_signals].value = value;
    ev->n_signals++;
}

size_t tl_strategy_scan(const tl_strategy_spec *spec, const tl_bar *bars, size_t n, size_t t,
                        const tl_strategy_state *state, void *cache)
{
    if (spec->ops->scan == NULL || t >= n)
        return t;
    size_t u = spec->ops->scan(spec, bars, n, t, state, cache);
    assert(u >= t && u <= n);
    return u < t || u > n ? t : u; /* NEVER: out of range evaluates bar t, as without a scan */
}

size_t tl_strategy_cache_size(const tl_strategy_spec *spec)
{
    return spec->ops->cache_size ? spec->ops->cache_size(spec) : 0;
}

void tl_strategy_cache_init(const tl_strategy_spec *spec, void *cache)
{
    if (spec->ops->cache_init && cache)
        spec->ops->cache_init(spec, cache);
}

/* What every strategy owes its caller: known actions, quantities and prices > 0, and every exit
 * before the first entry (the runner submits them in this order). */
static int check_evaluation(const tl_strategy_spec *spec, const tl_strategy_evaluation *ev,
                            tl_err *err)
{
    bool entered = false;
    for (size_t i = 0; i < ev->n_intents; i++) {
        const tl_strategy_intent *in = &ev->intents[i];
        if (in->action != TL_STRATEGY_OPEN_LONG && in->action != TL_STRATEGY_CLOSE_LONG)
            return tl_err_set(err, TL_ESTATE, "strategy %s: intent %zu has action %d",
                              spec->ops->name, i, (int)in->action);
        if (in->qty <= 0 || in->price <= 0)
            return tl_err_set(err, TL_ESTATE, "strategy %s: intent %zu has qty or price <= 0",
                              spec->ops->name, i);
        if (in->action == TL_STRATEGY_OPEN_LONG)
            entered = true;
        else if (entered)
            return tl_err_set(err, TL_ESTATE, "strategy %s: an exit after an entry (exits first)",
                              spec->ops->name);
    }
    return 0;
}

int tl_strategy_evaluate(const tl_strategy_spec *spec, const tl_bar *bars, size_t n, size_t t,
                         const tl_strategy_state *state, void *cache, tl_strategy_evaluation *ev,
                         tl_err *err)
{
    if (spec == NULL || spec->ops == NULL || state == NULL || ev == NULL)
        return tl_err_set(err, TL_EINVAL, "strategy: NULL spec, state or evaluation");
    if (bars == NULL || t >= n)
        return tl_err_set(err, TL_EINVAL, "strategy: bar %zu of %zu", t, n);
    /* Zeroing the whole struct would cost more than a fill-free bar's rule: the counts are
     * what say which entries are live. */
    ev->ts_ns = bars[t].ts_ns;
    ev->n_intents = 0;
    ev->n_signals = 0;
    ev->evaluation_id[0] = '\0';
    tl_strategy_snapshot snap = {bars, t};
    int rc = spec->ops->evaluate(spec, &snap, state, cache, ev, err);
    if (rc != 0)
        return rc;
    if (ev->n_intents == 0)
        return 0;
    if ((rc = check_evaluation(spec, ev, err)) != 0)
        return rc;
    return tl_strategy_evaluation_id(spec, ev->ts_ns, ev->evaluation_id, err);
}
