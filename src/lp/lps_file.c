/*
 * lps_file.c -- the --lps JSON file into LP URLs (lps_file.h).
 *
 * The settings form is turned into an lpsim:// URL and that URL is checked by the simulator's
 * own parameter parser, so the file and the URL cannot disagree on a range or a default; only
 * the JSON shapes are checked here. Values are restricted to characters that cannot change the
 * URL's structure ('&', '=', ',' and ':' never pass), so no value can smuggle in a parameter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "core/vec.h"
#include "loop/json_in.h"
#include "lp/lps_file.h"
#include "lp/sim/lp_sim.h"

/* The settings keys in the order they are written into the URL (the file's order does not
 * matter, so the same settings always give the same URL). */
static const char *const SETTINGS[] = {
    "name",         "base",         "amp",        "period_s", "phase",       "spread_bps",
    "delay_min_ms", "delay_max_ms", "validity_s", "seed",     "refuse_rate", "exec_refuse_rate",
};
#define N_SETTINGS (sizeof SETTINGS / sizeof SETTINGS[0])

void tl_lps_file_init(tl_lps_file *f)
{
    memset(f, 0, sizeof *f);
}

void tl_lps_file_close(tl_lps_file *f)
{
    free(f->lps);
    tl_lps_file_init(f);
}

/* "lp 3" or "lp 3 (LP-3)", for messages. */
static const char *who(const char *name, uint32_t pos, char *buf, size_t cap)
{
    if (name[0] != '\0')
        snprintf(buf, cap, "lp %u (%s)", pos, name);
    else
        snprintf(buf, cap, "lp %u", pos);
    return buf;
}

/* A URL being written, refused when it would not fit. */
typedef struct url_buf {
    char *s; /* TL_LP_URL_MAX bytes */
    size_t n;
} url_buf;

static int put(url_buf *u, const char *w, const char *s, size_t n, tl_err *err)
{
    if (u->n + n >= TL_LP_URL_MAX)
        return tl_err_set(err, TL_EINVAL, "%s: the settings make a URL longer than %d bytes", w,
                          TL_LP_URL_MAX - 1);
    memcpy(u->s + u->n, s, n);
    u->n += n;
    u->s[u->n] = '\0';
    return 0;
}

/* One value as URL text: a string of [A-Za-z0-9._-] or a JSON integer. */
static int put_value(url_buf *u, const char *w, const char *field, json_t *v, tl_err *err)
{
    char shown[TL_TEXT_SHOW_MAX], num[32];
    if (json_is_integer(v)) {
        int n = snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return put(u, w, num, (size_t)n, err);
    }
    if (json_is_real(v))
        return tl_err_set(err, TL_EINVAL,
                          "%s: %s: give decimals as a string (\"0.5\"), not a JSON number", w,
                          field);
    if (!json_is_string(v))
        return tl_err_set(err, TL_EINVAL, "%s: %s: want a string or an integer, got %s", w, field,
                          tl__json_type_name(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return tl_err_set(err, TL_EINVAL, "%s: %s: '%s' has a character outside [A-Za-z0-9._-]",
                              w, field, tl__text_show(s, n, shown, sizeof shown));
    }
    if (n == 0)
        return tl_err_set(err, TL_EINVAL, "%s: %s: empty", w, field);
    return put(u, w, s, n, err);
}

/* base or amp: one value, or an object of symbol -> value written "SYM:v,SYM:v". */
static int put_market_values(url_buf *u, const char *w, const char *field, json_t *v, tl_err *err)
{
    if (!json_is_object(v))
        return put_value(u, w, field, v, err);
    if (json_object_size(v) == 0)
        return tl_err_set(err, TL_EINVAL, "%s: %s: an empty object (want symbol: value)", w, field);
    const char *sym;
    json_t *x;
    int rc = 0, first = 1;
    char sub[96], shown[TL_TEXT_SHOW_MAX];
    json_object_foreach(v, sym, x)
    {
        if (tl_symbol_validate(sym, NULL) != 0)
            return tl_err_set(err, TL_EINVAL,
                              "%s: %s: key '%s' is not a symbol (1..15 of [A-Z0-9])", w, field,
                              tl__text_show(sym, strlen(sym), shown, sizeof shown));
        snprintf(sub, sizeof sub, "%s.%s", field, sym);
        if ((rc = put(u, w, first ? "" : ",", first ? 0 : 1, err)) != 0 ||
            (rc = put(u, w, sym, strlen(sym), err)) != 0 || (rc = put(u, w, ":", 1, err)) != 0 ||
            (rc = put_value(u, w, sub, x, err)) != 0)
            return rc;
        first = 0;
    }
    return 0;
}

/* The settings form: the URL, checked by the simulator's parser. */
static int parse_settings(tl_lp_spec *lp, json_t *obj, uint32_t pos, tl_err *err)
{
    char w[64];
    const char *key;
    json_t *v;
    int rc;
    json_t *name = json_object_get(obj, "name");
    if (name == NULL)
        return tl_err_set(err, TL_EINVAL, "lp %u: name: missing (or give a \"url\")", pos);
    if (!json_is_string(name))
        return tl_err_set(err, TL_EINVAL, "lp %u: name: want a string, got %s", pos,
                          tl__json_type_name(name));
    /* Named in the messages from here on; its syntax is the URL parser's to check. */
    if (json_string_length(name) < TL_LP_NAME_MAX)
        strcpy(lp->name, json_string_value(name));
    json_object_foreach(obj, key, v)
    {
        size_t k = 0;
        while (k < N_SETTINGS && strcmp(SETTINGS[k], key) != 0)
            k++;
        if (k == N_SETTINGS) {
            char shown[TL_TEXT_SHOW_MAX];
            return tl_err_set(err, TL_EINVAL, "%s: unknown key '%s'",
                              who(lp->name, pos, w, sizeof w),
                              tl__text_show(key, strlen(key), shown, sizeof shown));
        }
    }
    url_buf u = {lp->url, 0};
    rc = put(&u, "", "lpsim://?", 9, err);
    for (size_t k = 0; rc == 0 && k < N_SETTINGS; k++) {
        if ((v = json_object_get(obj, SETTINGS[k])) == NULL)
            continue;
        who(lp->name, pos, w, sizeof w);
        if ((rc = put(&u, w, k == 0 ? "" : "&", k == 0 ? 0 : 1, err)) != 0 ||
            (rc = put(&u, w, SETTINGS[k], strlen(SETTINGS[k]), err)) != 0 ||
            (rc = put(&u, w, "=", 1, err)) != 0)
            break;
        rc = k == 1 || k == 2 ? put_market_values(&u, w, SETTINGS[k], v, err)
                              : put_value(&u, w, SETTINGS[k], v, err);
    }
    return rc;
}

/* Checks an lpsim:// URL with the simulator's parser and takes its name; other schemes pass. */
static int check_url(tl_lp_spec *lp, uint32_t pos, tl_err *err)
{
    if (strncasecmp(lp->url, "lpsim://", 8) != 0)
        return 0;
    tl_lp_sim_params p;
    tl_err inner;
    char w[64];
    int rc = tl_lp_sim_params_parse(lp->url, &p, &inner);
    if (rc != 0) {
        const char *why = inner.msg; /* "lpsim: spread_bps=x: ..." -> "spread_bps=x: ..." */
        if (strncmp(why, "lpsim: ", 7) == 0)
            why += 7;
        return tl_err_set(err, rc, "%s: %s", who(lp->name, pos, w, sizeof w), why);
    }
    strcpy(lp->name, p.name);
    return 0;
}

static int parse_lp(tl_lps_file *f, json_t *obj, uint32_t pos, tl_err *err)
{
    tl_lp_spec lp;
    int rc;
    memset(&lp, 0, sizeof lp);
    if (!json_is_object(obj))
        return tl_err_set(err, TL_EINVAL, "lp %u: want an object, got %s", pos,
                          tl__json_type_name(obj));
    json_t *url = json_object_get(obj, "url");
    if (url != NULL) {
        if (json_object_size(obj) != 1)
            return tl_err_set(err, TL_EINVAL,
                              "lp %u: url: give a URL alone, or settings without one", pos);
        if (!json_is_string(url))
            return tl_err_set(err, TL_EINVAL, "lp %u: url: want a string, got %s", pos,
                              tl__json_type_name(url));
        const char *s = json_string_value(url);
        size_t n = json_string_length(url);
        if (n == 0 || n >= TL_LP_URL_MAX || strstr(s, "://") == NULL)
            return tl_err_set(err, TL_EINVAL, "lp %u: url: want scheme://... of 1..%d bytes", pos,
                              TL_LP_URL_MAX - 1);
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
                return tl_err_set(err, TL_EINVAL,
                                  "lp %u: url: character 0x%02x at position %zu is not allowed "
                                  "in a URL",
                                  pos, (unsigned char)s[i], i + 1);
        memcpy(lp.url, s, n + 1);
    } else if ((rc = parse_settings(&lp, obj, pos, err)) != 0) {
        return rc;
    }
    if ((rc = check_url(&lp, pos, err)) != 0)
        return rc;
    if (TL_VEC_RESERVE32(&f->lps, &f->cap, (size_t)f->count + 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "lp %u: no memory", pos);
    f->lps[f->count++] = lp;
    return 0;
}

/* Names unique where known; the message names the first repeat in file order. At most 1,000
 * entries, so the quadratic scan is a few hundred thousand compares at worst. */
static int check_unique(const tl_lps_file *f, tl_err *err)
{
    for (uint32_t i = 1; i < f->count; i++) {
        if (f->lps[i].name[0] == '\0')
            continue;
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(f->lps[i].name, f->lps[j].name) == 0)
                return tl_err_set(err, TL_EDUPLICATE, "lp %u: name '%s' already used by lp %u",
                                  i + 1, f->lps[i].name, j + 1);
    }
    return 0;
}

static int parse(tl_lps_file *out, const char *buf, size_t len, tl_err *err)
{
    if (len > TL_LPS_FILE_MAX)
        return tl_err_set(err, TL_EFULL, "%zu bytes, more than the %u an LPs file may have", len,
                          TL_LPS_FILE_MAX);
    json_t *root;
    int rc = tl__json_load(buf, len, true, &root, err);
    if (rc != 0)
        return rc;
    tl_lps_file f;
    tl_lps_file_init(&f);
    size_t n = json_is_array(root) ? json_array_size(root) : 0;
    if (!json_is_array(root))
        rc = tl_err_set(err, TL_EINVAL, "want a JSON array of LPs, got %s",
                        tl__json_type_name(root));
    else if (n == 0)
        rc = tl_err_set(err, TL_EINVAL, "no LP in the file (want 1..%d)", TL_LPS_MAX);
    else if (n > TL_LPS_MAX)
        rc = tl_err_set(err, TL_EFULL, "%zu LPs, more than %d", n, TL_LPS_MAX);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = parse_lp(&f, json_array_get(root, i), (uint32_t)i + 1, err);
    json_decref(root);
    if (rc == 0)
        rc = check_unique(&f, err);
    if (rc != 0) {
        tl_lps_file_close(&f);
        return rc;
    }
    tl_lps_file_close(out);
    *out = f;
    return 0;
}

int tl_lps_file_parse(tl_lps_file *f, const char *buf, size_t len, tl_err *err)
{
    int rc = parse(f, buf, len, err);
    if (rc != 0)
        tl__err_printable(err);
    return rc;
}

int tl_lps_file_read(tl_lps_file *f, const char *path, tl_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = tl__file_read_all(path, TL_LPS_FILE_MAX, "an LPs file", &buf, &len, err);
    if (rc == 0) {
        tl_err inner;
        if ((rc = tl_lps_file_parse(f, buf, len, &inner)) != 0)
            tl_err_set(err, rc, "%s: %s", path, inner.msg);
    }
    free(buf);
    return rc;
}
