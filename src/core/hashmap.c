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

/* 64 - log2(n) for a power of two n >= 2. */
static unsigned shift_for(uint64_t n)
{
    return (unsigned)__builtin_clzll(n - 1);
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
    m->shift = shift_for(n);
    return 0;
}

void tl_hashmap_close(tl_hashmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = 0;
    m->count = 0;
    m->shift = 0;
}

void tl_hashmap_clear(tl_hashmap *m)
{
    memset(m->slots, 0, (size_t)(m->mask + 1) * sizeof(tl_hashmap_slot));
    m->count = 0;
}

/* Index of the empty slot that ends key's probe run: where a new entry of key goes. */
static uint64_t run_end(const tl_hashmap_slot *slots, uint64_t mask, uint64_t home)
{
    uint64_t i = home;
    while (slots[i].used)
        i = (i + 1) & mask;
    return i;
}

static void set_slot(tl_hashmap_slot *s, uint64_t key, uint32_t value)
{
    s->key = key;
    s->value = value;
    s->used = 1;
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
    tl_hashmap grown = {
        .slots = slots, .mask = n * 2 - 1, .count = m->count, .shift = shift_for(n * 2)};
    for (uint64_t i = 0; i < n; i++) {
        const tl_hashmap_slot *s = &m->slots[i];
        if (s->used)
            set_slot(&slots[run_end(slots, grown.mask, tl__hashmap_home(&grown, s->key))], s->key,
                     s->value);
    }
    free(m->slots);
    *m = grown;
    return 0;
}

/* Index of the first entry of key (and value, when match_value), or -1. */
static int64_t find(const tl_hashmap *m, uint64_t key, int match_value, uint32_t value)
{
    for (uint64_t i = tl__hashmap_home(m, key);; i = (i + 1) & m->mask) {
        const tl_hashmap_slot *s = &m->slots[i];
        if (!s->used)
            return -1;
        if (s->key == key && (!match_value || s->value == value))
            return (int64_t)i;
    }
}

int tl_hashmap_put(tl_hashmap *m, uint64_t key, uint32_t value)
{
    int rc = tl_hashmap_insert_new(m, key, value);
    if (rc == 1) {
        m->slots[find(m, key, 0, 0)].value = value;
        rc = 0;
    }
    return rc;
}

int tl_hashmap_insert_new(tl_hashmap *m, uint64_t key, uint32_t value)
{
    /* One walk finds the key or the end of its run, which is where the entry goes unless the
     * map must grow first (then the run is found again in the new array). */
    uint64_t i = tl__hashmap_home(m, key);
    for (; m->slots[i].used; i = (i + 1) & m->mask) {
        if (m->slots[i].key == key)
            return 1;
    }
    if ((m->count + 1) * 2 > m->mask + 1) {
        int rc = reserve_one(m);
        if (rc != 0)
            return rc;
        i = run_end(m->slots, m->mask, tl__hashmap_home(m, key));
    }
    set_slot(&m->slots[i], key, value);
    m->count++;
    return 0;
}

int tl_hashmap_insert_multi(tl_hashmap *m, uint64_t key, uint32_t value)
{
    int rc = reserve_one(m);
    if (rc != 0)
        return rc;
    set_slot(&m->slots[run_end(m->slots, m->mask, tl__hashmap_home(m, key))], key, value);
    m->count++;
    return 0;
}

/* Empties slot `hole` and pulls later entries of the cluster back so that every entry stays
 * reachable from its home. An entry at j may move to the hole only if its home is not in the
 * cyclic range (hole, j]: otherwise it would end up before its home. */
static void remove_at(tl_hashmap *m, uint64_t hole)
{
    uint64_t mask = m->mask;
    tl_hashmap_slot *slots = m->slots;
    for (uint64_t j = (hole + 1) & mask; slots[j].used; j = (j + 1) & mask) {
        uint64_t home = tl__hashmap_home(m, slots[j].key);
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            slots[hole] = slots[j];
            hole = j;
        }
    }
    slots[hole].used = 0;
    slots[hole].key = 0;
    slots[hole].value = 0;
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

/* ---- tl_seqmap ---------------------------------------------------------------------------- */

int tl_seqmap_init(tl_seqmap *m, size_t capacity)
{
    /* The window holds `capacity` consecutive keys; the spill has room for all of them, should
     * every one outlive the window (it costs address space, not cache: untouched pages). */
    uint64_t n = slots_for(capacity) / 2;
    tl_hashmap_slot *slots = alloc_slots(n);
    if (slots == NULL)
        return TL_ENOMEM;
    if (tl_hashmap_init(&m->spill, capacity) != 0) {
        free(slots);
        return TL_ENOMEM;
    }
    m->slots = slots;
    m->mask = n - 1;
    m->count = 0;
    return 0;
}

void tl_seqmap_close(tl_seqmap *m)
{
    free(m->slots);
    tl_hashmap_close(&m->spill);
    m->slots = NULL;
    m->mask = 0;
    m->count = 0;
}

/* Sets key -> value in key's window slot, first moving the slot's other key (if any) to the
 * spill. The caller checked that key is in neither place. On TL_ENOMEM nothing changed. */
static int seq_place(tl_seqmap *m, uint64_t key, uint32_t value)
{
    tl_hashmap_slot *s = &m->slots[key & m->mask];
    if (s->used) {
        int rc = tl_hashmap_insert_multi(&m->spill, s->key, s->value);
        if (rc != 0)
            return rc;
    }
    set_slot(s, key, value);
    m->count++;
    return 0;
}

int tl_seqmap_insert_new(tl_seqmap *m, uint64_t key, uint32_t value)
{
    uint32_t v;
    if (tl_seqmap_get(m, key, &v))
        return 1;
    return seq_place(m, key, value);
}

int tl_seqmap_put(tl_seqmap *m, uint64_t key, uint32_t value)
{
    tl_hashmap_slot *s = &m->slots[key & m->mask];
    if (s->used && s->key == key) {
        s->value = value;
        return 0;
    }
    if (m->spill.count > 0) {
        int64_t at = find(&m->spill, key, 0, 0);
        if (at >= 0) {
            m->spill.slots[at].value = value;
            return 0;
        }
    }
    return seq_place(m, key, value);
}

/* Removes key (and value, when match_value) from the window or the spill. */
static bool seq_del(tl_seqmap *m, uint64_t key, int match_value, uint32_t value)
{
    tl_hashmap_slot *s = &m->slots[key & m->mask];
    if (s->used && s->key == key && (!match_value || s->value == value)) {
        s->used = 0;
        s->key = 0;
        s->value = 0;
        m->count--;
        return true;
    }
    if (m->spill.count == 0)
        return false;
    int64_t at = find(&m->spill, key, match_value, value);
    if (at < 0)
        return false;
    remove_at(&m->spill, (uint64_t)at);
    m->count--;
    return true;
}

bool tl_seqmap_del(tl_seqmap *m, uint64_t key)
{
    return seq_del(m, key, 0, 0);
}

bool tl_seqmap_del_pair(tl_seqmap *m, uint64_t key, uint32_t value)
{
    return seq_del(m, key, 1, value);
}

/* Finaliser of MurmurHash3 (multiply and xor-shift): every input bit affects every output bit. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
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
