/*
 * accounts_file.c -- the --accounts JSON file into account specs and overrides
 * (accounts_file.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/vec.h"
#include "loop/accounts_file.h"
#include "loop/json_in.h"

void tl_accounts_file_init(tl_accounts_file *f)
{
    memset(f, 0, sizeof *f);
}

void tl_accounts_file_close(tl_accounts_file *f)
{
    free(f->accounts);
    free(f->overrides);
    tl_accounts_file_init(f);
}

/* "account 3" or "account 3 (va1)", for messages. */
static const char *who(const tl_account_spec *a, uint32_t pos, char *buf, size_t cap)
{
    if (a->name[0] != '\0')
        snprintf(buf, cap, "account %u (%s)", pos, a->name);
    else
        snprintf(buf, cap, "account %u", pos);
    return buf;
}

static int key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n >= TL_ACCOUNT_KEY_MAX || k[0] < 'a' || k[0] > 'z')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
            return 0;
    return 1;
}

static int add_override(tl_accounts_file *f, tl_account_spec *a, const char *w, const char *key,
                        json_t *v, tl_err *err)
{
    char shown[TL_TEXT_SHOW_MAX];
    if (!key_ok(key))
        return tl_err_set(err, TL_EINVAL,
                          "%s: key '%s' is not a flag name in snake case ([a-z][a-z0-9_]{0,62})", w,
                          tl__text_show(key, strlen(key), shown, sizeof shown));
    tl_account_override o;
    memset(&o, 0, sizeof o);
    strcpy(o.key, key);
    if (json_is_integer(v)) {
        snprintf(o.value, sizeof o.value, "%lld", (long long)json_integer_value(v));
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (n == 0 || n >= TL_ACCOUNT_VALUE_MAX)
            return tl_err_set(err, TL_EINVAL, "%s: %s: %zu characters (want 1..%d)", w, key, n,
                              TL_ACCOUNT_VALUE_MAX - 1);
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
                return tl_err_set(err, TL_EINVAL,
                                  "%s: %s: character 0x%02x at position %zu is not printable "
                                  "ASCII",
                                  w, key, (unsigned char)s[i], i + 1);
        memcpy(o.value, s, n + 1);
    } else if (json_is_real(v)) {
        return tl_err_set(err, TL_EINVAL,
                          "%s: %s: give decimals as a string (\"0.5\"), not a JSON number", w, key);
    } else {
        return tl_err_set(err, TL_EINVAL, "%s: %s: want a string or an integer, got %s", w, key,
                          tl__json_type_name(v));
    }
    if (TL_VEC_RESERVE32(&f->overrides, &f->overrides_cap, (size_t)f->n_overrides + 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "%s: no memory for its overrides", w);
    f->overrides[f->n_overrides++] = o;
    a->n_overrides++;
    return 0;
}

static int parse_account(tl_accounts_file *f, json_t *obj, uint32_t pos, tl_err *err)
{
    tl_account_spec a;
    char w[96];
    tl_err inner;
    int rc;
    memset(&a, 0, sizeof a);
    a.first_override = f->n_overrides;
    if (!json_is_object(obj))
        return tl_err_set(err, TL_EINVAL, "account %u: want an object, got %s", pos,
                          tl__json_type_name(obj));
    json_t *name = json_object_get(obj, "name");
    if (name == NULL)
        return tl_err_set(err, TL_EINVAL, "account %u: name: missing", pos);
    if (!json_is_string(name))
        return tl_err_set(err, TL_EINVAL, "account %u: name: want a string, got %s", pos,
                          tl__json_type_name(name));
    if ((rc = tl_workspace_validate(json_string_value(name), &inner)) != 0) {
        const char *why = inner.msg; /* the validator says "workspace"; here it is a name */
        if (strncmp(why, "workspace: ", 11) == 0)
            why += 11;
        return tl_err_set(err, rc, "account %u: name: %s", pos, why);
    }
    strcpy(a.name, json_string_value(name)); /* validated: shorter than TL_WORKSPACE_MAX */
    who(&a, pos, w, sizeof w);

    json_t *bal = json_object_get(obj, "starting_balance");
    if (bal == NULL)
        return tl_err_set(err, TL_EINVAL, "%s: starting_balance: missing", w);
    if ((rc = tl__json_positive(bal, "starting_balance", &a.starting_balance, &inner)) != 0)
        return tl_err_set(err, rc, "%s: %s", w, inner.msg);

    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (strcmp(key, "name") != 0 && strcmp(key, "starting_balance") != 0 &&
            (rc = add_override(f, &a, w, key, v, err)) != 0)
            return rc;
    }
    if (TL_VEC_RESERVE32(&f->accounts, &f->cap, (size_t)f->count + 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "%s: no memory", w);
    f->accounts[f->count++] = a;
    return 0;
}

static int by_name(const void *x, const void *y)
{
    const tl_account_spec *a = *(const tl_account_spec *const *)x;
    const tl_account_spec *b = *(const tl_account_spec *const *)y;
    int c = strcmp(a->name, b->name);
    return c != 0 ? c : (a < b ? -1 : a > b);
}

/* Names unique: sorted by (name, position), a repeat is next to its first use. The message names
 * the earliest repeat in the file, as reading it top to bottom would. */
static int check_unique(const tl_accounts_file *f, tl_err *err)
{
    const tl_account_spec **v = malloc(sizeof *v * f->count);
    if (v == NULL)
        return tl_err_set(err, TL_ENOMEM, "no memory to check names");
    for (uint32_t i = 0; i < f->count; i++)
        v[i] = &f->accounts[i];
    qsort(v, f->count, sizeof *v, by_name);
    const tl_account_spec *first = NULL, *repeat = NULL;
    for (uint32_t i = 1; i < f->count; i++) {
        if (strcmp(v[i]->name, v[i - 1]->name) == 0 &&
            (i < 2 || strcmp(v[i - 1]->name, v[i - 2]->name) != 0) &&
            (repeat == NULL || v[i] < repeat)) {
            first = v[i - 1];
            repeat = v[i];
        }
    }
    free(v);
    if (repeat != NULL)
        return tl_err_set(err, TL_EDUPLICATE, "account %u: name '%s' already used by account %u",
                          (unsigned)(repeat - f->accounts) + 1, repeat->name,
                          (unsigned)(first - f->accounts) + 1);
    return 0;
}

static int parse(tl_accounts_file *out, const char *buf, size_t len, tl_err *err)
{
    if (len > TL_ACCOUNTS_FILE_MAX)
        return tl_err_set(err, TL_EFULL, "%zu bytes, more than the %u an accounts file may have",
                          len, TL_ACCOUNTS_FILE_MAX);
    json_t *root;
    int rc = tl__json_load(buf, len, true, &root, err);
    if (rc != 0)
        return rc;
    tl_accounts_file f;
    tl_accounts_file_init(&f);
    size_t n = json_is_array(root) ? json_array_size(root) : 0;
    if (!json_is_array(root))
        rc = tl_err_set(err, TL_EINVAL, "want a JSON array of accounts, got %s",
                        tl__json_type_name(root));
    else if (n == 0)
        rc = tl_err_set(err, TL_EINVAL, "no account in the file (want 1..%d)", TL_ACCOUNTS_MAX);
    else if (n > TL_ACCOUNTS_MAX)
        rc = tl_err_set(err, TL_EFULL, "%zu accounts, more than %d", n, TL_ACCOUNTS_MAX);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = parse_account(&f, json_array_get(root, i), (uint32_t)i + 1, err);
    json_decref(root);
    if (rc == 0)
        rc = check_unique(&f, err);
    if (rc != 0) {
        tl_accounts_file_close(&f);
        return rc;
    }
    tl_accounts_file_close(out);
    *out = f;
    return 0;
}

int tl_accounts_file_parse(tl_accounts_file *f, const char *buf, size_t len, tl_err *err)
{
    int rc = parse(f, buf, len, err);
    if (rc != 0)
        tl__err_printable(err);
    return rc;
}

int tl_accounts_file_read(tl_accounts_file *f, const char *path, tl_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = tl__file_read_all(path, TL_ACCOUNTS_FILE_MAX, "an accounts file", &buf, &len, err);
    if (rc == 0) {
        tl_err inner;
        if ((rc = tl_accounts_file_parse(f, buf, len, &inner)) != 0)
            tl_err_set(err, rc, "%s: %s", path, inner.msg);
    }
    free(buf);
    return rc;
}

const tl_account_override *tl_accounts_file_find(const tl_accounts_file *f,
                                                 const tl_account_spec *a, const char *key)
{
    for (uint32_t i = 0; i < a->n_overrides; i++)
        if (strcmp(f->overrides[a->first_override + i].key, key) == 0)
            return &f->overrides[a->first_override + i];
    return NULL;
}
