/*
 * hashmap.c -- open addressing, linear probing, backward-shift deletion.
 *
 * Invariant: every entry sits in the probe run that starts at its home slot, with no empty slot
 * between home and entry. Lookups stop at the first empty slot; deletion keeps the invariant by
 * shifting later entries of the cluster back into the hole (no tombstones). The load is kept at
 * or below 1/2 so runs stay short and an empty slot always exists.
 */
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "tradeloop.h"

#define MIN_SLOTS 8

/* Finaliser of MurmurHash3 (multiply and xor-shift): every input bit affects every output bit,
 * so sequential keys land far apart instead of forming one long cluster. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t home_of(const tl_hashmap *m, uint64_t key)
{
    return mix64(key) & m->mask;
}

/* Smallest power of two >= 2 * capacity (load 1/2), at least MIN_SLOTS; 0 on overflow. */
static uint64_t slots_for(size_t capacity)
{
    uint64_t want = (uint64_t)capacity;
    if (want > (UINT64_C(1) << 61))
        return 0;
    want *= 2;
    uint64_t n = MIN_SLOTS;
    while (n < want)
        n <<= 1;
    return n;
}

static tl_hashmap_slot *alloc_slots(uint64_t n)
{
    if (n == 0 || n > SIZE_MAX / sizeof(tl_hashmap_slot))
        return NULL;
    return calloc((size_t)n, sizeof(tl_hashmap_slot));
}

int tl_hashmap_init(tl_hashmap *m, size_t capacity)
{
    uint64_t n = slots_for(capacity);
    tl_hashmap_slot *slots = alloc_slots(n);
    if (slots == NULL)
        return TL_ENOMEM;
    m->slots = slots;
    m->mask = n - 1;
    m->count = 0;
    return 0;
}

void tl_hashmap_close(tl_hashmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = 0;
    m->count = 0;
}

void tl_hashmap_clear(tl_hashmap *m)
{
    memset(m->slots, 0, (size_t)(m->mask + 1) * sizeof(tl_hashmap_slot));
    m->count = 0;
}

/* Places an entry at the end of its key's probe run; the caller guarantees room. */
static void place(tl_hashmap_slot *slots, uint64_t mask, uint64_t key, uint32_t value)
{
    uint64_t i = mix64(key) & mask;
    while (slots[i].used)
        i = (i + 1) & mask;
    slots[i].key = key;
    slots[i].value = value;
    slots[i].used = 1;
}

/* Makes room for one more entry, doubling and rehashing when the load would pass 1/2. On
 * TL_ENOMEM the map is unchanged. */
static int reserve_one(tl_hashmap *m)
{
    uint64_t n = m->mask + 1;
    if ((m->count + 1) * 2 <= n)
        return 0;
    tl_hashmap_slot *slots = alloc_slots(n * 2);
    if (slots == NULL)
        return TL_ENOMEM;
    uint64_t mask = n * 2 - 1;
    for (uint64_t i = 0; i < n; i++) {
        if (m->slots[i].used)
            place(slots, mask, m->slots[i].key, m->slots[i].value);
    }
    free(m->slots);
    m->slots = slots;
    m->mask = mask;
    return 0;
}

/* Index of the first entry of key (and value, when match_value), or -1. */
static int64_t find(const tl_hashmap *m, uint64_t key, int match_value, uint32_t value)
{
    for (uint64_t i = home_of(m, key);; i = (i + 1) & m->mask) {
        const tl_hashmap_slot *s = &m->slots[i];
        if (!s->used)
            return -1;
        if (s->key == key && (!match_value || s->value == value))
            return (int64_t)i;
    }
}

int tl_hashmap_put(tl_hashmap *m, uint64_t key, uint32_t value)
{
    int64_t at = find(m, key, 0, 0);
    if (at >= 0) {
        m->slots[at].value = value;
        return 0;
    }
    int rc = reserve_one(m);
    if (rc != 0)
        return rc;
    place(m->slots, m->mask, key, value);
    m->count++;
    return 0;
}

int tl_hashmap_insert_multi(tl_hashmap *m, uint64_t key, uint32_t value)
{
    int rc = reserve_one(m);
    if (rc != 0)
        return rc;
    place(m->slots, m->mask, key, value);
    m->count++;
    return 0;
}

bool tl_hashmap_get(const tl_hashmap *m, uint64_t key, uint32_t *value)
{
    int64_t at = find(m, key, 0, 0);
    if (at < 0)
        return false;
    *value = m->slots[at].value;
    return true;
}

/* Empties slot `hole` and pulls later entries of the cluster back so that every entry stays
 * reachable from its home. An entry at j may move to the hole only if its home is not in the
 * cyclic range (hole, j]: otherwise it would end up before its home. */
static void remove_at(tl_hashmap *m, uint64_t hole)
{
    uint64_t mask = m->mask;
    for (uint64_t j = (hole + 1) & mask; m->slots[j].used; j = (j + 1) & mask) {
        uint64_t home = home_of(m, m->slots[j].key);
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].used = 0;
    m->slots[hole].key = 0;
    m->slots[hole].value = 0;
    m->count--;
}

bool tl_hashmap_del(tl_hashmap *m, uint64_t key)
{
    int64_t at = find(m, key, 0, 0);
    if (at < 0)
        return false;
    remove_at(m, (uint64_t)at);
    return true;
}

bool tl_hashmap_del_pair(tl_hashmap *m, uint64_t key, uint32_t value)
{
    int64_t at = find(m, key, 1, value);
    if (at < 0)
        return false;
    remove_at(m, (uint64_t)at);
    return true;
}

/* Cursor = how many slots of the run, counted from the key's home, were already examined. A
 * finished walk parks the cursor past the slot count so further calls keep returning false. */
bool tl_hashmap_next_match(const tl_hashmap *m, uint64_t key, uint64_t *cursor, uint32_t *value)
{
    uint64_t n = m->mask + 1;
    uint64_t home = home_of(m, key);
    for (uint64_t k = *cursor; k < n; k++) {
        const tl_hashmap_slot *s = &m->slots[(home + k) & m->mask];
        if (!s->used)
            break;
        if (s->key == key) {
            *cursor = k + 1;
            *value = s->value;
            return true;
        }
    }
    *cursor = n + 1;
    return false;
}

uint64_t tl_hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis */
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL; /* FNV-1a 64 prime */
    }
    /* FNV's low bits mix poorly for short keys; the finaliser spreads them. */
    return mix64(h);
}
