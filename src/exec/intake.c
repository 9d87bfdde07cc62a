/* intake.c -- see intake.h. */
#include "exec/intake.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "tradeloop.h"

static const char *const status_names[] = {"FILLED",  "DENIED",   "REFUSED",
                                           "WORKING", "REJECTED", "CANCELED"};

const char *tl_intent_status_name(int status)
{
    return status >= 0 && status < (int)(sizeof(status_names) / sizeof(status_names[0]))
               ? status_names[status]
               : "?";
}

int tl_intake_init(tl_intake *in)
{
    memset(in, 0, sizeof(*in));
    if (tl_hashmap_init(&in->by_key, 64) != 0 || tl_hashmap_init(&in->name_by_hash, 64) != 0 ||
        tl_hashmap_init(&in->name_by_seq, 64) != 0 || tl_hashmap_init(&in->rec_by_seq, 64) != 0) {
        tl_intake_close(in);
        return TL_ENOMEM;
    }
    return 0;
}

void tl_intake_close(tl_intake *in)
{
    free(in->recs);
    free(in->names);
    free(in->name_seq);
    tl_hashmap_close(&in->by_key);
    tl_hashmap_close(&in->name_by_hash);
    tl_hashmap_close(&in->name_by_seq);
    tl_hashmap_close(&in->rec_by_seq);
    memset(in, 0, sizeof(*in));
}

static uint64_t hash_str(const char *s)
{
    return tl_hash_bytes(s, strlen(s));
}

tl_intent_record *tl_intake_find(const tl_intake *in, const char *key)
{
    uint64_t h = hash_str(key), cur = 0;
    uint32_t i;
    while (tl_hashmap_next_match(&in->by_key, h, &cur, &i))
        if (strcmp(in->recs[i].key, key) == 0)
            return &in->recs[i];
    return NULL;
}

int tl_intake_add(tl_intake *in, const char *key, const tl_intent_payload *payload,
                  tl_intent_record **out)
{
    size_t len = strlen(key);
    if (len == 0 || len >= TL_IDEM_KEY_MAX)
        return TL_EINVAL;
    if (in->n >= UINT32_MAX - 1 || TL_VEC_RESERVE(&in->recs, &in->cap, in->n + 1) != 0)
        return TL_ENOMEM;
    if (tl_hashmap_insert_multi(&in->by_key, hash_str(key), (uint32_t)in->n) != 0)
        return TL_ENOMEM;
    tl_intent_record *r = &in->recs[in->n++];
    memset(r, 0, sizeof(*r));
    memcpy(r->key, key, len + 1);
    r->payload = *payload;
    *out = r;
    return 0;
}

void tl_intake_drop_last(tl_intake *in)
{
    if (in->n == 0)
        return;
    uint32_t i = (uint32_t)(in->n - 1);
    const char *key = in->recs[i].key;
    tl_hashmap_del_pair(&in->by_key, hash_str(key), i);
    in->n--;
}

bool tl_intent_payload_equal(const tl_intent_payload *a, const tl_intent_payload *b)
{
    return a->account == b->account && strcmp(a->action, b->action) == 0 &&
           strcmp(a->symbol, b->symbol) == 0 && a->side == b->side && a->price == b->price &&
           a->qty == b->qty;
}

int tl_intake_bind_order(tl_intake *in, const tl_intent_record *rec, uint64_t client_seq)
{
    return tl_hashmap_put(&in->rec_by_seq, client_seq, (uint32_t)(rec - in->recs));
}

tl_intent_record *tl_intake_by_order(const tl_intake *in, uint64_t client_seq)
{
    uint32_t i;
    if (in->n == 0 || !tl_hashmap_get(&in->rec_by_seq, client_seq, &i))
        return NULL;
    return &in->recs[i];
}

bool tl_intake_order_by_name(const tl_intake *in, const char *name, uint64_t *seq)
{
    uint64_t h = hash_str(name), cur = 0;
    uint32_t i;
    while (tl_hashmap_next_match(&in->name_by_hash, h, &cur, &i)) {
        if (strcmp(in->names[i], name) == 0) {
            *seq = in->name_seq[i];
            return true;
        }
    }
    return false;
}

const char *tl_intake_order_name(const tl_intake *in, uint64_t client_seq)
{
    uint32_t i;
    if (in->n_names == 0 || !tl_hashmap_get(&in->name_by_seq, client_seq, &i))
        return NULL;
    return in->names[i];
}

int tl_intake_name_order(tl_intake *in, uint64_t client_seq, const char *name)
{
    size_t len = strlen(name);
    uint64_t other;
    if (len == 0 || len >= TL_ORDER_ID_MAX)
        return TL_EINVAL;
    if (tl_intake_order_by_name(in, name, &other) || tl_intake_order_name(in, client_seq))
        return TL_EDUPLICATE;
    size_t cap = in->cap_names;
    if (in->n_names >= UINT32_MAX - 1 || TL_VEC_RESERVE(&in->names, &cap, in->n_names + 1) != 0)
        return TL_ENOMEM;
    size_t cap2 = in->cap_names;
    if (TL_VEC_RESERVE(&in->name_seq, &cap2, in->n_names + 1) != 0)
        return TL_ENOMEM;
    /* Both arrays grow to the same capacity (same doubling from the same start). */
    in->cap_names = cap < cap2 ? cap : cap2;
    uint32_t i = (uint32_t)in->n_names;
    if (tl_hashmap_insert_multi(&in->name_by_hash, hash_str(name), i) != 0)
        return TL_ENOMEM;
    if (tl_hashmap_put(&in->name_by_seq, client_seq, i) != 0) {
        tl_hashmap_del_pair(&in->name_by_hash, hash_str(name), i);
        return TL_ENOMEM;
    }
    memcpy(in->names[i], name, len + 1);
    in->name_seq[i] = client_seq;
    in->n_names++;
    return 0;
}

/* Crockford's base 32, lower case: no i, l, o or u to misread, and its characters sort in ASCII
 * as their values do, so ids compare as the numbers they encode. */
static const char b32[] = "0123456789abcdefghjkmnpqrstvwxyz";

static void put_b32(char *out, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 5)
        out[i] = b32[v & 31];
}

int tl_intake_order_id(const char prefix[3], const char *key, int64_t ts_ns,
                       char out[TL_ORDER_ID_MAX], tl_err *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(key, strlen(key), md, &len, EVP_sha256(), NULL) || len < 8)
        return tl_err_set(err, TL_EIO, "intake: SHA-256 failed");
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h << 8 | md[i];
    uint64_t ms = ts_ns > 0 ? (uint64_t)(ts_ns / 1000000) : 0;
    out[0] = prefix[0];
    out[1] = prefix[1];
    put_b32(out + 2, ms & ((UINT64_C(1) << 45) - 1), 9); /* 45 bits: until the year 3084 */
    put_b32(out + 11, h >> 9, 11);                       /* 55 bits of the key's hash */
    out[22] = '\0';
    return 0;
}
