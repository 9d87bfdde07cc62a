/*
 * keys.c -- the --keys file of the exchange (keys.h).
 */
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binapi/keys.h"
#include "core/text.h"
#include "core/vec.h"
#include "loop/json_in.h"

void tl_bapi_keys_init(tl_bapi_keys *k)
{
    memset(k, 0, sizeof *k);
}

void tl_bapi_keys_close(tl_bapi_keys *k)
{
    if (k->keys != NULL)
        OPENSSL_cleanse(k->keys, sizeof *k->keys * k->cap);
    free(k->keys);
    free(k->balances);
    tl_bapi_keys_init(k);
}

static int all_of(const char *s, size_t n, const char *extra, int lower)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (lower && c >= 'a' && c <= 'z') ||
              (c != '\0' && strchr(extra, c) != NULL)))
            return 0;
    }
    return 1;
}

/* "entry 3" or "entry 3 (alice)". */
static void who(char *buf, size_t cap, uint32_t pos, const char *account)
{
    if (account[0] != '\0')
        snprintf(buf, cap, "entry %u (%s)", pos, account);
    else
        snprintf(buf, cap, "entry %u", pos);
}

static int string_field(json_t *obj, const char *w, const char *field, json_t **out, tl_err *err)
{
    json_t *v = json_object_get(obj, field);
    if (v == NULL)
        return tl_err_set(err, TL_EINVAL, "%s: %s: missing", w, field);
    if (!json_is_string(v))
        return tl_err_set(err, TL_EINVAL, "%s: %s: want a string, got %s", w, field,
                          tl__json_type_name(v));
    *out = v;
    return 0;
}

static int parse_balances(tl_bapi_keys *k, tl_bapi_key *key, json_t *obj, const char *w,
                          tl_err *err)
{
    json_t *bal = json_object_get(obj, "balances");
    if (bal == NULL)
        return tl_err_set(err, TL_EINVAL, "%s: balances: missing", w);
    if (!json_is_object(bal))
        return tl_err_set(err, TL_EINVAL, "%s: balances: want an object, got %s", w,
                          tl__json_type_name(bal));
    const char *asset;
    json_t *v;
    char shown[TL_TEXT_SHOW_MAX];
    key->first_balance = k->n_balances;
    json_object_foreach(bal, asset, v)
    {
        size_t n = strlen(asset);
        if (n == 0 || n >= TL_BAPI_ASSET_MAX || !all_of(asset, n, "", 0))
            return tl_err_set(err, TL_EINVAL, "%s: balances: asset '%s' is not [A-Z0-9]{1,20}", w,
                              tl__text_show(asset, n, shown, sizeof shown));
        if (!json_is_string(v))
            return tl_err_set(err, TL_EINVAL,
                              "%s: balances: %s: want a decimal string (\"1.5\"), got %s", w, asset,
                              tl__json_type_name(v));
        tl_bapi_balance b;
        memset(&b, 0, sizeof b);
        memcpy(b.asset, asset, n + 1);
        tl_err inner;
        int rc = tl_fixed_parse(json_string_value(v), json_string_length(v), &b.amount, &inner);
        if (rc != 0)
            return tl_err_set(
                err, TL_EINVAL, "%s: balances: %s: '%s' is not a decimal with at most 8 decimals",
                w, asset,
                tl__text_show(json_string_value(v), json_string_length(v), shown, sizeof shown));
        if (b.amount < 0)
            return tl_err_set(err, TL_EINVAL, "%s: balances: %s: %s is negative (want >= 0)", w,
                              asset, json_string_value(v));
        if (TL_VEC_RESERVE32(&k->balances, &k->balances_cap, (size_t)k->n_balances + 1) != 0)
            return tl_err_set(err, TL_ENOMEM, "%s: no memory for its balances", w);
        k->balances[k->n_balances++] = b;
        key->n_balances++;
    }
    return 0;
}

static int parse_entry(tl_bapi_keys *k, json_t *obj, uint32_t pos, tl_err *err)
{
    static const char *const fields[] = {"account", "api_key", "secret", "balances"};
    tl_bapi_key key;
    char w[96];
    json_t *v;
    int rc;
    memset(&key, 0, sizeof key);
    who(w, sizeof w, pos, "");
    if (!json_is_object(obj))
        return tl_err_set(err, TL_EINVAL, "%s: want an object, got %s", w, tl__json_type_name(obj));
    if ((rc = string_field(obj, w, "account", &v, err)) != 0)
        return rc;
    tl_err inner;
    if ((rc = tl_workspace_validate(json_string_value(v), &inner)) != 0) {
        const char *why = inner.msg; /* the validator says "workspace"; here it is an account */
        if (strncmp(why, "workspace: ", 11) == 0)
            why += 11;
        return tl_err_set(err, rc, "%s: account: %s", w, why);
    }
    strcpy(key.account, json_string_value(v)); /* validated: shorter than TL_WORKSPACE_MAX */
    who(w, sizeof w, pos, key.account);

    const char *mk;
    json_object_foreach(obj, mk, v)
    {
        size_t f = 0;
        while (f < 4 && strcmp(mk, fields[f]) != 0)
            f++;
        if (f == 4) {
            char shown[TL_TEXT_SHOW_MAX];
            return tl_err_set(err, TL_EINVAL,
                              "%s: unknown field '%s' (want account, api_key, secret, balances)", w,
                              tl__text_show(mk, strlen(mk), shown, sizeof shown));
        }
    }
    if ((rc = string_field(obj, w, "api_key", &v, err)) != 0)
        return rc;
    size_t n = json_string_length(v);
    if (n == 0 || n >= TL_BAPI_API_KEY_MAX || !all_of(json_string_value(v), n, "", 1))
        return tl_err_set(err, TL_EINVAL, "%s: api_key: want 1..%d letters and digits", w,
                          TL_BAPI_API_KEY_MAX - 1);
    memcpy(key.api_key, json_string_value(v), n + 1);

    /* The secret's text never goes into a message: only its length or a position. */
    if ((rc = string_field(obj, w, "secret", &v, err)) != 0)
        return rc;
    n = json_string_length(v);
    if (n == 0 || n >= TL_BAPI_SECRET_MAX)
        return tl_err_set(err, TL_EINVAL, "%s: secret: %zu characters (want 1..%d)", w, n,
                          TL_BAPI_SECRET_MAX - 1);
    const char *s = json_string_value(v);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
            return tl_err_set(err, TL_EINVAL,
                              "%s: secret: the character at position %zu is not printable ASCII", w,
                              i + 1);
    memcpy(key.secret, s, n + 1);

    rc = parse_balances(k, &key, obj, w, err);
    if (rc == 0 && TL_VEC_RESERVE32(&k->keys, &k->cap, (size_t)k->count + 1) != 0)
        rc = tl_err_set(err, TL_ENOMEM, "%s: no memory", w);
    if (rc == 0)
        k->keys[k->count++] = key;
    OPENSSL_cleanse(&key, sizeof key);
    return rc;
}

/* Accounts and API keys unique; the message names the later entry and the first. Quadratic
 * in the entries, which a keys file has few of (the exchange indexes them itself). */
static int check_unique(const tl_bapi_keys *k, tl_err *err)
{
    for (uint32_t i = 1; i < k->count; i++)
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(k->keys[i].account, k->keys[j].account) == 0)
                return tl_err_set(err, TL_EDUPLICATE,
                                  "entry %u (%s): account: already used by entry %u", i + 1,
                                  k->keys[i].account, j + 1);
            if (strcmp(k->keys[i].api_key, k->keys[j].api_key) == 0)
                return tl_err_set(err, TL_EDUPLICATE,
                                  "entry %u (%s): api_key: already used by entry %u (%s)", i + 1,
                                  k->keys[i].account, j + 1, k->keys[j].account);
        }
    return 0;
}

static int load(const char *buf, size_t len, json_t **root, tl_err *err)
{
    json_error_t jerr;
    *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (*root != NULL)
        return 0;
    /* jansson quotes the text near the error, which may be a secret: cut it off. */
    char *near = strstr(jerr.text, " near ");
    if (near != NULL)
        *near = '\0';
    return tl_err_set(err, TL_EINVAL, "JSON: %s (line %d, column %d)", jerr.text, jerr.line,
                      jerr.column);
}

static int parse(tl_bapi_keys *out, const char *buf, size_t len, tl_err *err)
{
    if (len > TL_BAPI_KEYS_FILE_MAX)
        return tl_err_set(err, TL_EFULL, "%zu bytes, more than the %u a keys file may have", len,
                          TL_BAPI_KEYS_FILE_MAX);
    json_t *root;
    int rc = load(buf, len, &root, err);
    if (rc != 0)
        return rc;
    tl_bapi_keys k;
    tl_bapi_keys_init(&k);
    size_t n = json_is_array(root) ? json_array_size(root) : 0;
    if (!json_is_array(root))
        rc = tl_err_set(err, TL_EINVAL, "want a JSON array of accounts, got %s",
                        tl__json_type_name(root));
    else if (n == 0)
        rc = tl_err_set(err, TL_EINVAL, "no account in the file (want 1..%d)", TL_BAPI_KEYS_MAX);
    else if (n > TL_BAPI_KEYS_MAX)
        rc = tl_err_set(err, TL_EFULL, "%zu accounts, more than %d", n, TL_BAPI_KEYS_MAX);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = parse_entry(&k, json_array_get(root, i), (uint32_t)i + 1, err);
    json_decref(root); /* jansson's copies of the secrets go with it, unwiped: its allocator */
    if (rc == 0)
        rc = check_unique(&k, err);
    if (rc != 0) {
        tl_bapi_keys_close(&k);
        return rc;
    }
    tl_bapi_keys_close(out);
    *out = k;
    return 0;
}

int tl_bapi_keys_parse(tl_bapi_keys *k, const char *buf, size_t len, tl_err *err)
{
    int rc = parse(k, buf, len, err);
    if (rc != 0)
        tl__err_printable(err);
    return rc;
}

int tl_bapi_keys_read(tl_bapi_keys *k, const char *path, tl_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = tl__file_read_all(path, TL_BAPI_KEYS_FILE_MAX, "a keys file", &buf, &len, err);
    if (rc == 0) {
        tl_err inner;
        if ((rc = tl_bapi_keys_parse(k, buf, len, &inner)) != 0)
            tl_err_set(err, rc, "%s: %s", path, inner.msg);
        OPENSSL_cleanse(buf, len);
    }
    free(buf);
    return rc;
}

const tl_bapi_key *tl_bapi_keys_find(const tl_bapi_keys *k, const char *api_key)
{
    for (uint32_t i = 0; i < k->count; i++)
        if (strcmp(k->keys[i].api_key, api_key) == 0)
            return &k->keys[i];
    return NULL;
}
