/*
 * spec.c -- the sweep file into a tl_sweep_spec (spec.h).
 *
 * Everything is parsed into a spec of its own and moved into the caller's only when the whole
 * file is valid, so a refused file leaves nothing half-filled. Messages name the JSON path of what
 * they refuse, built as the walk goes down (path_key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/text.h"
#include "loop/json_in.h"
#include "sweep/canon.h"
#include "sweep/spec.h"

#define PATH_MAX_ 192 /* a path shown in a message: enough for base.params."<63 bytes>"[9999] */

void tl_sweep_spec_init(tl_sweep_spec *s)
{
    memset(s, 0, sizeof *s);
}

void tl_sweep_spec_close(tl_sweep_spec *s)
{
    for (uint32_t i = 0; i < s->n_params; i++)
        free(s->params[i].value.s);
    for (uint32_t a = 0; a < s->n_axes; a++) {
        for (uint32_t i = 0; i < s->axes[a].n; i++)
            free(s->axes[a].values[i].s);
        free(s->axes[a].values);
    }
    free(s->params);
    free(s->axes);
    free(s->canon);
    free(s->base_canon);
    tl_sweep_spec_init(s);
}

/* parent + "." + key into out, the key bare when it is an identifier and quoted otherwise (jq's
 * way: sweep."entry.lookback_days"), shown printable whatever its bytes. */
static const char *path_key(char *out, const char *parent, const char *key)
{
    char shown[TL_TEXT_SHOW_MAX];
    int bare = (key[0] < '0' || key[0] > '9') && key[0] != '\0';
    for (const char *p = key; *p && bare; p++)
        bare = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '_';
    tl__text_show(key, strlen(key), shown, sizeof shown);
    snprintf(out, PATH_MAX_, bare ? "%s%s%s" : "%s%s\"%s\"", parent, *parent ? "." : "", shown);
    return out;
}

/* Dotted snake case: [a-z][a-z0-9_]* segments joined by single dots. */
static int key_syntax_ok(const char *k)
{
    int seg_start = 1;
    for (const char *p = k; *p; p++) {
        if (seg_start && !(*p >= 'a' && *p <= 'z'))
            return 0;
        if (*p == '.') {
            seg_start = 1;
            continue;
        }
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
        seg_start = 0;
    }
    return !seg_start; /* not empty, no trailing dot */
}

static int check_key(const char *key, const char *path, tl_err *err)
{
    if (key[0] == '\0')
        return tl_err_set(err, TL_EINVAL, "%s: an empty key", path);
    if (strlen(key) >= TL_SWEEP_KEY_MAX)
        return tl_err_set(err, TL_EFULL, "%s: a key longer than %d bytes", path,
                          TL_SWEEP_KEY_MAX - 1);
    if (!key_syntax_ok(key))
        return tl_err_set(err, TL_EINVAL,
                          "%s: not a parameter key (dotted snake case: entry.lookback_days)", path);
    return 0;
}

static const char *kind_name(const json_t *v)
{
    return json_is_real(v) ? "a float" : tl__json_type_name(v);
}

static int parse_value(const json_t *v, const char *path, tl_sweep_value *out, tl_err *err)
{
    if (json_is_integer(v)) {
        *out = (tl_sweep_value){.kind = TL_SWEEP_INT, .i = (int64_t)json_integer_value(v)};
        return 0;
    }
    if (json_is_real(v))
        return tl_err_set(err, TL_EINVAL, "%s: a float; write decimals as strings (\"0.5\")", path);
    if (!json_is_string(v))
        return tl_err_set(err, TL_EINVAL, "%s: %s; want an integer or a string", path,
                          kind_name(v));
    size_t n = json_string_length(v);
    if (n == 0)
        return tl_err_set(err, TL_EINVAL, "%s: an empty string", path);
    if (n >= TL_SWEEP_STR_MAX)
        return tl_err_set(err, TL_EFULL, "%s: a string longer than %d bytes", path,
                          TL_SWEEP_STR_MAX - 1);
    char *s = strdup(json_string_value(v));
    if (s == NULL)
        return tl_err_set(err, TL_ENOMEM, "%s: no memory", path);
    *out = (tl_sweep_value){.kind = TL_SWEEP_STR, .s = s};
    return 0;
}

/* The value as a reader sees it: an integer's decimal text, a string's bytes. */
static const char *value_text(const tl_sweep_value *v, char buf[24])
{
    if (v->kind == TL_SWEEP_STR)
        return v->s;
    snprintf(buf, 24, "%lld", (long long)v->i);
    return buf;
}

int tl_sweep_value_eq(const tl_sweep_value *a, const tl_sweep_value *b)
{
    if (a->kind != b->kind)
        return 0;
    return a->kind == TL_SWEEP_INT ? a->i == b->i : strcmp(a->s, b->s) == 0;
}

/* Refuses a list holding one value twice, or an integer beside its own text: a map from the
 * hash of each value's text to its index finds them without comparing every pair. */
static int check_repeats(const tl_sweep_axis *ax, const char *path, tl_err *err)
{
    tl_hashmap seen;
    if (tl_hashmap_init(&seen, ax->n) != 0)
        return tl_err_set(err, TL_ENOMEM, "%s: no memory", path);
    int rc = 0;
    for (uint32_t i = 0; i < ax->n && rc == 0; i++) {
        char bi[24], bj[24];
        const char *ti = value_text(&ax->values[i], bi);
        uint64_t h = tl_hash_bytes(ti, strlen(ti)), cur = 0;
        uint32_t j;
        while (rc == 0 && tl_hashmap_next_match(&seen, h, &cur, &j))
            if (strcmp(ti, value_text(&ax->values[j], bj)) == 0)
                rc = tl_err_set(err, TL_EINVAL, "%s[%u]: repeats %s[%u]", path, i, path, j);
        if (rc == 0 && tl_hashmap_insert_multi(&seen, h, i) != 0)
            rc = tl_err_set(err, TL_ENOMEM, "%s: no memory", path);
    }
    tl_hashmap_close(&seen);
    return rc;
}

static int parse_axis(tl_sweep_axis *ax, const char *key, const json_t *list, tl_err *err)
{
    char path[PATH_MAX_], ip[PATH_MAX_ + 16];
    path_key(path, "sweep", key);
    int rc = check_key(key, path, err);
    if (rc != 0)
        return rc;
    if (!json_is_array(list))
        return tl_err_set(err, TL_EINVAL, "%s: %s; want a list of values", path, kind_name(list));
    size_t n = json_array_size(list);
    if (n == 0)
        return tl_err_set(err, TL_EINVAL, "%s: an empty list", path);
    if (n > TL_SWEEP_VALUES_MAX)
        return tl_err_set(err, TL_EFULL, "%s: more than %d values", path, TL_SWEEP_VALUES_MAX);
    strcpy(ax->key, key);
    if ((ax->values = calloc(n, sizeof *ax->values)) == NULL)
        return tl_err_set(err, TL_ENOMEM, "%s: no memory", path);
    for (size_t i = 0; i < n; i++) {
        snprintf(ip, sizeof ip, "%s[%zu]", path, i);
        if ((rc = parse_value(json_array_get(list, i), ip, &ax->values[i], err)) != 0)
            return rc;
        ax->n++;
    }
    return check_repeats(ax, path, err);
}

static int parse_params(tl_sweep_spec *t, const json_t *params, tl_err *err)
{
    char path[PATH_MAX_];
    if (!json_is_object(params))
        return tl_err_set(err, TL_EINVAL, "base.params: %s; want an object of key: value",
                          kind_name(params));
    size_t n = json_object_size(params);
    if (n > TL_SWEEP_PARAMS_MAX)
        return tl_err_set(err, TL_EFULL, "base.params: more than %d keys", TL_SWEEP_PARAMS_MAX);
    if (n && (t->params = calloc(n, sizeof *t->params)) == NULL)
        return tl_err_set(err, TL_ENOMEM, "base.params: no memory");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)params, key, v)
    {
        path_key(path, "base.params", key);
        int rc = check_key(key, path, err);
        if (rc == 0)
            rc = parse_value(v, path, &t->params[t->n_params].value, err);
        if (rc != 0)
            return rc;
        strcpy(t->params[t->n_params++].key, key);
    }
    return 0;
}

/* A string field of base: present, a string, and of the given syntax (checked by the caller). */
static int base_string(const json_t *base, const char *name, const char **out, tl_err *err)
{
    const json_t *v = json_object_get(base, name);
    if (v == NULL)
        return tl_err_set(err, TL_EINVAL, "base.%s: missing", name);
    if (!json_is_string(v))
        return tl_err_set(err, TL_EINVAL, "base.%s: %s; want a string", name, kind_name(v));
    *out = json_string_value(v);
    return 0;
}

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= TL_SWEEP_NAME_MAX || s[0] < 'a' || s[0] > 'z')
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static int parse_base(tl_sweep_spec *t, const json_t *base, tl_err *err)
{
    char path[PATH_MAX_], shown[TL_TEXT_SHOW_MAX];
    const char *key, *strategy, *symbol;
    json_t *v;
    int rc;
    if (!json_is_object(base))
        return tl_err_set(err, TL_EINVAL, "base: %s; want an object", kind_name(base));
    json_object_foreach((json_t *)base, key, v)
    {
        if (strcmp(key, "strategy") != 0 && strcmp(key, "symbol") != 0 &&
            strcmp(key, "params") != 0)
            return tl_err_set(err, TL_EINVAL, "%s: unknown key (want strategy, symbol, params)",
                              path_key(path, "base", key));
    }
    if ((rc = base_string(base, "strategy", &strategy, err)) != 0 ||
        (rc = base_string(base, "symbol", &symbol, err)) != 0)
        return rc;
    if (!name_ok(strategy))
        return tl_err_set(err, TL_EINVAL,
                          "base.strategy: \"%s\" is not a strategy name ([a-z][a-z0-9_]{0,62})",
                          tl__text_show(strategy, strlen(strategy), shown, sizeof shown));
    if (tl_symbol_validate(symbol, NULL) != 0)
        return tl_err_set(err, TL_EINVAL, "base.symbol: \"%s\" is not a symbol (1..%d of [A-Z0-9])",
                          tl__text_show(symbol, strlen(symbol), shown, sizeof shown),
                          TL_SYMBOL_MAX - 1);
    strcpy(t->strategy, strategy);
    strcpy(t->symbol, symbol);
    v = json_object_get(base, "params");
    return v ? parse_params(t, v, err) : 0;
}

static int parse_sweep(tl_sweep_spec *t, const json_t *sweep, tl_err *err)
{
    if (!json_is_object(sweep))
        return tl_err_set(err, TL_EINVAL, "sweep: %s; want an object of key: [values]",
                          kind_name(sweep));
    size_t n = json_object_size(sweep);
    if (n == 0)
        return tl_err_set(err, TL_EINVAL, "sweep: empty; name at least one parameter to sweep");
    if (n > TL_SWEEP_AXES_MAX)
        return tl_err_set(err, TL_EFULL, "sweep: more than %d keys", TL_SWEEP_AXES_MAX);
    if ((t->axes = calloc(n, sizeof *t->axes)) == NULL)
        return tl_err_set(err, TL_ENOMEM, "sweep: no memory");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)sweep, key, v)
    {
        /* Counted before it is filled, so close frees what a refused axis allocated. */
        int rc = parse_axis(&t->axes[t->n_axes++], key, v, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int parse_max(tl_sweep_spec *t, const json_t *v, tl_err *err)
{
    if (v == NULL)
        return tl_err_set(err, TL_EINVAL, "max_variants: missing");
    if (!json_is_integer(v))
        return tl_err_set(err, TL_EINVAL, "max_variants: %s; want an integer", kind_name(v));
    json_int_t m = json_integer_value(v);
    if (m < 1 || m > TL_SWEEP_VARIANTS_MAX)
        return tl_err_set(err, m < 1 ? TL_EINVAL : TL_EFULL, "max_variants: %lld; want 1..%d",
                          (long long)m, TL_SWEEP_VARIANTS_MAX);
    t->max_variants = (uint32_t)m;
    return 0;
}

static int param_cmp(const void *a, const void *b)
{
    return strcmp(((const tl_sweep_param *)a)->key, ((const tl_sweep_param *)b)->key);
}

static int axis_cmp(const void *a, const void *b)
{
    return strcmp(((const tl_sweep_axis *)a)->key, ((const tl_sweep_axis *)b)->key);
}

/* The i-th key of params then axes, and where it sits. */
static const char *nth_key(const tl_sweep_spec *t, uint32_t i, const char **parent)
{
    *parent = i < t->n_params ? "base.params" : "sweep";
    return i < t->n_params ? t->params[i].key : t->axes[i - t->n_params].key;
}

/* Refuses "entry" beside "entry.lookback_days", in either place: a dotted key names a leaf of a
 * parameter tree, and no tree has a leaf that is also a branch. */
static int check_groups(const tl_sweep_spec *t, tl_err *err)
{
    char pa[PATH_MAX_], pb[PATH_MAX_];
    uint32_t n = t->n_params + t->n_axes;
    for (uint32_t i = 0; i < n; i++) {
        const char *fa, *fb, *a = nth_key(t, i, &fa);
        size_t la = strlen(a);
        for (uint32_t j = 0; j < n; j++) {
            const char *b = nth_key(t, j, &fb);
            if (strncmp(a, b, la) == 0 && b[la] == '.')
                return tl_err_set(err, TL_EINVAL,
                                  "%s: conflicts with %s (a key cannot also be a group of keys)",
                                  path_key(pb, fb, b), path_key(pa, fa, a));
        }
    }
    return 0;
}

static int parse_root(tl_sweep_spec *t, const json_t *root, tl_err *err)
{
    char path[PATH_MAX_];
    const char *key;
    json_t *v;
    int rc;
    if (!json_is_object(root))
        return tl_err_set(err, TL_EINVAL, "sweep file: %s; want an object", kind_name(root));
    json_object_foreach((json_t *)root, key, v)
    {
        if (strcmp(key, "base") != 0 && strcmp(key, "sweep") != 0 &&
            strcmp(key, "max_variants") != 0)
            return tl_err_set(err, TL_EINVAL, "%s: unknown key (want base, sweep, max_variants)",
                              path_key(path, "", key));
    }
    if ((v = json_object_get(root, "base")) == NULL)
        return tl_err_set(err, TL_EINVAL, "base: missing");
    if ((rc = parse_base(t, v, err)) != 0)
        return rc;
    if ((v = json_object_get(root, "sweep")) == NULL)
        return tl_err_set(err, TL_EINVAL, "sweep: missing");
    if ((rc = parse_sweep(t, v, err)) != 0 ||
        (rc = parse_max(t, json_object_get(root, "max_variants"), err)) != 0)
        return rc;
    if (t->n_params) /* qsort's array may not be NULL, even when empty */
        qsort(t->params, t->n_params, sizeof *t->params, param_cmp);
    qsort(t->axes, t->n_axes, sizeof *t->axes, axis_cmp);
    return check_groups(t, err);
}

/* The canonical text of v into a new string *out (the caller's). */
static int canon_of(const json_t *v, char **out, size_t *len, tl_err *err)
{
    tl_sb c = {0};
    tl_canon_json(&c, v);
    if (c.err == 0 && c.buf == NULL) /* never: every JSON value has text */
        c.err = TL_EINVAL;
    if (c.err != 0) {
        int rc = c.err;
        tl_sb_free(&c);
        return tl_err_set(err, rc, "sweep file: cannot write its canonical form");
    }
    *out = c.buf; /* ownership moves to the spec */
    *len = c.len;
    return 0;
}

int tl_sweep_spec_parse(tl_sweep_spec *s, const char *buf, size_t len, tl_err *err)
{
    json_t *root = NULL;
    tl_sweep_spec t;
    tl_sweep_spec_init(&t);
    int rc = tl__json_load(buf, len, true, &root, err);
    if (rc == 0)
        rc = parse_root(&t, root, err);
    if (rc == 0)
        rc = canon_of(root, &t.canon, &t.canon_len, err);
    if (rc == 0)
        rc = canon_of(json_object_get(root, "base"), &t.base_canon, &t.base_canon_len, err);
    json_decref(root);
    if (rc != 0) {
        tl_sweep_spec_close(&t);
        tl__err_printable(err);
        return rc;
    }
    tl_sweep_spec_close(s);
    *s = t;
    return 0;
}

int tl_sweep_spec_read(tl_sweep_spec *s, const char *path, tl_err *err)
{
    char *buf;
    size_t len;
    int rc = tl__file_read_all(path, TL_SWEEP_FILE_MAX, "a sweep file", &buf, &len, err);
    if (rc != 0)
        return rc;
    tl_err inner = {0};
    rc = tl_sweep_spec_parse(s, buf, len, &inner);
    free(buf);
    if (rc != 0)
        return tl_err_set(err, rc, "%s: %s", path, inner.msg);
    return 0;
}

const tl_sweep_axis *tl_sweep_spec_axis(const tl_sweep_spec *s, const char *key)
{
    tl_sweep_axis probe;
    if (strlen(key) >= sizeof probe.key || s->n_axes == 0)
        return NULL;
    strcpy(probe.key, key);
    return bsearch(&probe, s->axes, s->n_axes, sizeof *s->axes, axis_cmp);
}

const tl_sweep_value *tl_sweep_spec_param(const tl_sweep_spec *s, const char *key)
{
    tl_sweep_param probe;
    if (strlen(key) >= sizeof probe.key || s->n_params == 0)
        return NULL;
    strcpy(probe.key, key);
    const tl_sweep_param *p = bsearch(&probe, s->params, s->n_params, sizeof *s->params, param_cmp);
    return p ? &p->value : NULL;
}
