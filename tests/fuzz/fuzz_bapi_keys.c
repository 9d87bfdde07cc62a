/* fuzz_bapi_keys.c -- the exchange's --keys file: whatever the bytes, a refusal is one printable
 * line that never shows a secret, and what parses keeps its promises. */
#include <assert.h>
#include <jansson.h>
#include <string.h>

#include "binapi/keys.h"
#include "fuzz_common.h"
#include "fuzz_printable.h"

static size_t occurrences(const char *hay, size_t n, const char *needle, size_t m)
{
    size_t c = 0;
    for (size_t i = 0; i + m <= n; i++)
        c += memcmp(hay + i, needle, m) == 0;
    return c;
}

/* No secret in the message. Checked for the secrets that can only reach a message through the
 * secret field: 16+ letters and digits (no fixed text has such a run), written once in an input
 * without escapes (so no other string holds the same text). */
static void check_no_secret(const char *in, size_t n, const char *msg)
{
    if (memchr(in, '\\', n) != NULL)
        return;
    json_t *root = json_loadb(in, n, 0, NULL);
    size_t i;
    json_t *entry;
    json_array_foreach(root, i, entry)
    {
        const char *s = json_string_value(json_object_get(entry, "secret"));
        size_t m = s ? strlen(s) : 0, alnum = 0;
        while (alnum < m && ((s[alnum] >= '0' && s[alnum] <= '9') ||
                             ((s[alnum] | 0x20) >= 'a' && (s[alnum] | 0x20) <= 'z')))
            alnum++;
        if (m >= 16 && alnum == m && occurrences(in, n, s, m) == 1)
            assert(strstr(msg, s) == NULL);
    }
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_bapi_keys k;
    tl_err err = {0};
    tl_bapi_keys_init(&k);
    int rc = tl_bapi_keys_parse(&k, (const char *)data, size, &err);
    if (rc != 0) {
        fuzz_check_refusal(rc, &err);
        check_no_secret((const char *)data, size, err.msg);
        assert(k.count == 0);
        return 0;
    }
    assert(k.count >= 1 && k.count <= TL_BAPI_KEYS_MAX);
    uint32_t balances = 0;
    for (uint32_t i = 0; i < k.count; i++) {
        const tl_bapi_key *key = &k.keys[i];
        assert(key->account[0] && key->api_key[0] && key->secret[0]);
        assert(tl_bapi_keys_find(&k, key->api_key) == key);
        assert(key->first_balance == balances);
        for (uint32_t b = 0; b < key->n_balances; b++)
            assert(k.balances[key->first_balance + b].amount >= 0);
        balances += key->n_balances;
    }
    assert(balances == k.n_balances);
    tl_bapi_keys_close(&k);
    return 0;
}
