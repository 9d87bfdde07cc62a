/*
 * bnc_url.c -- the URL of a binance+http(s):// venue: where the API is, its keys, its options.
 *
 * "binance+http://127.0.0.1:8004?key_env=BNC_KEY&secret_env=BNC_SECRET&poll_ms=100"
 * "binance+https://api.example.com/?keys_file=keys.json&account=alice"
 *
 * The authority is taken as given (curl resolves it); the parameters go through the walk every
 * venue shares (venue/params.h), so an unknown or repeated key is refused the same way. The
 * secret is read here and copied into the options only: it never enters a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "venue/binance/bnc.h"
#include "venue/params.h"

#define NAME_MAX_ 256 /* an environment variable's name, a path or an account, with NUL */

enum key {
    K_KEY_ENV,
    K_SECRET_ENV,
    K_KEYS_FILE,
    K_ACCOUNT,
    K_RECV_WINDOW,
    K_POLL,
    K_TIMEOUT,
    K_TIME_SYNC,
    K_ATTEMPTS,
    K_DROP,
    K__COUNT
};
static const char *const key_names[K__COUNT] = {
    [K_KEY_ENV] = "key_env",
    [K_SECRET_ENV] = "secret_env",
    [K_KEYS_FILE] = "keys_file",
    [K_ACCOUNT] = "account",
    [K_RECV_WINDOW] = "recv_window_ms",
    [K_POLL] = "poll_ms",
    [K_TIMEOUT] = "timeout_ms",
    [K_TIME_SYNC] = "time_sync_s",
    [K_ATTEMPTS] = "place_attempts",
    [K_DROP] = "drop_reply_after_send",
};

/* Bounds of the numeric options, indexed by key (max 0: not numeric). */
static const struct {
    uint64_t min, max;
} bounds[K__COUNT] = {
    [K_RECV_WINDOW] = {1, 60000}, [K_POLL] = {0, 3600000}, [K_TIMEOUT] = {1, 60000},
    [K_TIME_SYNC] = {1, 86400},   [K_ATTEMPTS] = {1, 10},  [K_DROP] = {0, UINT64_MAX},
};

typedef struct walk {
    tl__bnc_opts *o;
    char names[K_ACCOUNT + 1][NAME_MAX_]; /* the four string options */
} walk;

static int take(void *ctx, int key, const char *val, size_t len, tl_err *err)
{
    walk *w = ctx;
    if (key <= K_ACCOUNT) {
        if (len == 0 || len >= NAME_MAX_)
            return tl__venue_param_bad(err, "binance", key_names[key], val, len,
                                       "expected 1..255 characters");
        memcpy(w->names[key], val, len);
        w->names[key][len] = '\0';
        return 0;
    }
    uint64_t v;
    if (tl__venue_parse_u64(val, len, &v) < 0 || v < bounds[key].min || v > bounds[key].max) {
        char why[64];
        snprintf(why, sizeof why, "expected a whole number in [%llu, %llu]",
                 (unsigned long long)bounds[key].min, (unsigned long long)bounds[key].max);
        return tl__venue_param_bad(err, "binance", key_names[key], val, len, why);
    }
    switch (key) {
    case K_RECV_WINDOW:
        w->o->recv_window_ms = (int64_t)v;
        break;
    case K_POLL:
        w->o->poll_ms = (int64_t)v;
        break;
    case K_TIMEOUT:
        w->o->timeout_ms = (int64_t)v;
        break;
    case K_TIME_SYNC:
        w->o->time_sync_s = (int64_t)v;
        break;
    case K_ATTEMPTS:
        w->o->place_attempts = (uint32_t)v;
        break;
    default:
        w->o->drop_reply_after_send = v;
        break;
    }
    return 0;
}

/* Copies src into dst (cap bytes) or refuses naming what: never the value, it may be a secret. */
static int copy_key(char *dst, size_t cap, const char *src, const char *what, tl_err *err)
{
    size_t len = strlen(src);
    if (len == 0 || len >= cap)
        return tl_err_set(err, TL_EINVAL, "binance: %s is empty or longer than %zu characters",
                          what, cap - 1);
    memcpy(dst, src, len + 1);
    return 0;
}

static int keys_from_env(tl__bnc_opts *o, const walk *w, tl_err *err)
{
    const char *key = getenv(w->names[K_KEY_ENV]);
    const char *secret = getenv(w->names[K_SECRET_ENV]);
    if (key == NULL)
        return tl_err_set(err, TL_EINVAL, "binance: key_env: environment variable %s is not set",
                          w->names[K_KEY_ENV]);
    if (secret == NULL)
        return tl_err_set(err, TL_EINVAL, "binance: secret_env: environment variable %s is not set",
                          w->names[K_SECRET_ENV]);
    int rc = copy_key(o->api_key, sizeof o->api_key, key, "the API key", err);
    return rc < 0 ? rc : copy_key(o->secret, sizeof o->secret, secret, "the secret", err);
}

static int keys_from_file(tl__bnc_opts *o, const walk *w, tl_err *err)
{
    tl_bapi_keys k;
    tl_bapi_keys_init(&k);
    int rc = tl_bapi_keys_read(&k, w->names[K_KEYS_FILE], err);
    if (rc < 0)
        return rc;
    const tl_bapi_key *found = NULL;
    for (uint32_t i = 0; i < k.count && found == NULL; i++)
        if (strcmp(k.keys[i].account, w->names[K_ACCOUNT]) == 0)
            found = &k.keys[i];
    if (found == NULL)
        rc = tl_err_set(err, TL_EINVAL, "binance: keys_file %s has no account '%s'",
                        w->names[K_KEYS_FILE], w->names[K_ACCOUNT]);
    else {
        memcpy(o->api_key, found->api_key, sizeof o->api_key);
        memcpy(o->secret, found->secret, sizeof o->secret);
    }
    tl_bapi_keys_close(&k); /* wipes the secrets it read */
    return rc;
}

int tl__bnc_opts_parse(tl__bnc_opts *o, const char *url, tl_err *err)
{
    static const char *const schemes[] = {"binance+http://", "binance+https://"};
    memset(o, 0, sizeof *o);
    o->recv_window_ms = 5000;
    o->poll_ms = 200;
    o->timeout_ms = 2000;
    o->time_sync_s = 60;
    o->place_attempts = 3;

    size_t skip = 0;
    for (size_t i = 0; i < 2 && skip == 0; i++)
        if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0)
            skip = strlen(schemes[i]);
    if (skip == 0)
        return tl_err_set(err, TL_EINVAL,
                          "binance: expected binance+http://HOST:PORT or binance+https://HOST");
    const char *host = url + skip;
    size_t hlen = strcspn(host, "/?");
    if (hlen == 0)
        return tl_err_set(err, TL_EINVAL, "binance: no host in the URL");
    const char *rest = host + hlen;
    if (*rest == '/')
        rest++; /* "https://host/?..." is the same API root */
    if (*rest != '\0' && *rest != '?')
        return tl_err_set(err, TL_EINVAL,
                          "binance: unexpected path in the URL: the API root is the host");
    /* "http" or "https", then "://host". */
    int n =
        snprintf(o->base, sizeof o->base, "%.*s%.*s", (int)(skip - 8), url + 8, (int)hlen, host);
    if (n < 0 || (size_t)n >= sizeof o->base)
        return tl_err_set(err, TL_EINVAL, "binance: host too long");
    for (char *c = o->base; *c != ':'; c++)
        *c = (char)(*c | 0x20); /* the scheme in lower case, as curl expects it */

    char params[TL__BNC_QUERY_MAX];
    n = snprintf(params, sizeof params, "binance://%s", rest);
    if (n < 0 || (size_t)n >= sizeof params)
        return tl_err_set(err, TL_EINVAL, "binance: URL parameters too long");
    walk w;
    memset(&w, 0, sizeof w);
    w.o = o;
    int rc = tl__venue_params_each(params, "binance", key_names, K__COUNT, take, &w, err);
    if (rc < 0)
        return rc;
    bool env = w.names[K_KEY_ENV][0] || w.names[K_SECRET_ENV][0];
    bool file = w.names[K_KEYS_FILE][0] || w.names[K_ACCOUNT][0];
    if (env && file)
        rc = tl_err_set(err, TL_EINVAL,
                        "binance: give key_env/secret_env or keys_file/account, "
                        "not both");
    else if (env && (!w.names[K_KEY_ENV][0] || !w.names[K_SECRET_ENV][0]))
        rc = tl_err_set(err, TL_EINVAL, "binance: key_env and secret_env go together");
    else if (file && (!w.names[K_KEYS_FILE][0] || !w.names[K_ACCOUNT][0]))
        rc = tl_err_set(err, TL_EINVAL, "binance: keys_file and account go together");
    else if (env)
        rc = keys_from_env(o, &w, err);
    else if (file)
        rc = keys_from_file(o, &w, err);
    else
        rc = tl_err_set(err, TL_EINVAL,
                        "binance: no keys: add ?key_env=NAME&secret_env=NAME or "
                        "?keys_file=PATH&account=NAME");
    if (rc < 0)
        memset(o->secret, 0, sizeof o->secret);
    return rc;
}
