/*
 * hashmap.h -- open-addressing map from a 64-bit key to a 32-bit value.
 *
 * The position book, the simulator, the journal and the order store's id indexes (tl_seqmap,
 * below) all need O(1) lookups without a heap allocation per entry. This map keeps keys and
 * values in one power-of-two array, probes linearly, and deletes by backward shift (no
 * tombstones, so lookups never slow down with churn).
 * Keys are used as given: callers pass an already well-mixed hash or a sequence number. The map
 * places a key by Fibonacci hashing (the top bits of key * 2^64/phi): one multiply, and every key
 * bit reaches the home slot, so sequential keys land far apart instead of forming one cluster.
 *
 * Several entries may share a key (multi-map) when the caller uses tl_hashmap_insert_multi and
 * walks matches with tl_hashmap_next_match; this is how a set of strings keyed by their 64-bit
 * hash handles two different strings with the same hash: it compares the real strings of each
 * match.
 *
 * Growth doubles the array when the load passes 1/2; it allocates, so hot paths size the map up
 * front (tl_hashmap_init's capacity) and growth happens only when the engine outgrows its plan.
 * Lookups are inline: they sit on every hot path of the engine.
 */
#ifndef TL_CORE_HASHMAP_H
#define TL_CORE_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tl_hashmap_slot {
    uint64_t key;
    uint32_t value;
    uint32_t used; /* 0 empty, 1 occupied */
} tl_hashmap_slot;

typedef struct tl_hashmap {
    tl_hashmap_slot *slots; /* owned */
    uint64_t mask;          /* slot count - 1 */
    uint64_t count;
    unsigned shift; /* 64 - log2(slot count): a key's home is the top bits of its hash */
} tl_hashmap;

/* Room for at least `capacity` entries without growing. 0 or TL_ENOMEM. */
int tl_hashmap_init(tl_hashmap *m, size_t capacity);
void tl_hashmap_close(tl_hashmap *m);
void tl_hashmap_clear(tl_hashmap *m);

/* Sets key -> value, replacing an existing entry with the same key. 0 or TL_ENOMEM. */
int tl_hashmap_put(tl_hashmap *m, uint64_t key, uint32_t value);
/* Adds key -> value only when the key is absent, in one probe: 0 when added, 1 when the key is
 * already there (nothing changes), or TL_ENOMEM. */
int tl_hashmap_insert_new(tl_hashmap *m, uint64_t key, uint32_t value);
/* Adds key -> value even if the key is present. 0 or TL_ENOMEM. */
int tl_hashmap_insert_multi(tl_hashmap *m, uint64_t key, uint32_t value);
/* First value of key: true and *value set when found. */
static inline bool tl_hashmap_get(const tl_hashmap *m, uint64_t key, uint32_t *value);
/* Removes the first entry of key; true when one was removed. */
bool tl_hashmap_del(tl_hashmap *m, uint64_t key);
/* Removes the entry key -> value exactly; true when one was removed. */
bool tl_hashmap_del_pair(tl_hashmap *m, uint64_t key, uint32_t value);

/* Iteration over the entries of one key: start with *cursor = 0; returns true and the next value
 * until the key's probe run ends. The map must not change during the walk. The cursor counts the
 * slots already examined from the key's home slot; once the walk ends it is parked past the slot
 * count, so further calls keep returning false. Matches come in probe order, which is not
 * necessarily insertion order (growth rehashes). */
static inline bool tl_hashmap_next_match(const tl_hashmap *m, uint64_t key, uint64_t *cursor,
                                         uint32_t *value);

/* 64-bit FNV-1a of a byte string, finished with a mixer; used for string keys. */
uint64_t tl_hash_bytes(const void *data, size_t len);

/* ---- sequence-number map ------------------------------------------------------------------- */

/*
 * tl_seqmap: the same map, specialised for keys that are sequence numbers handed out in
 * increasing order (client and venue order ids), which are also mostly forgotten in that order.
 * Recent keys live in a direct-mapped window, key & mask: no hashing and no probing, and runs of
 * consecutive keys touch consecutive memory, so inserting the newest id and forgetting the oldest
 * are two streams the CPU prefetches instead of two random cache misses. A key still present when
 * the window wraps around to its slot (an order that stays open while `window` newer ones come
 * and go) moves to a tl_hashmap, the spill, which lookups consult only when it is not empty. Any
 * keys work; only the speed depends on their order. One value per key (no multi-map).
 */
typedef struct tl_seqmap {
    tl_hashmap_slot *slots; /* owned: the window, indexed by key & mask */
    uint64_t mask;          /* window size - 1 */
    uint64_t count;         /* entries, window and spill together */
    tl_hashmap spill;       /* keys pushed out of the window while present */
} tl_seqmap;

/* Room for at least `capacity` entries without allocating, whatever their keys. 0 or TL_ENOMEM. */
int tl_seqmap_init(tl_seqmap *m, size_t capacity);
void tl_seqmap_close(tl_seqmap *m);
/* As tl_hashmap_insert_new: 0 when added, 1 when the key is already there, or TL_ENOMEM. */
int tl_seqmap_insert_new(tl_seqmap *m, uint64_t key, uint32_t value);
/* As tl_hashmap_put: sets key -> value, replacing. 0 or TL_ENOMEM. */
int tl_seqmap_put(tl_seqmap *m, uint64_t key, uint32_t value);
/* As tl_hashmap_del / tl_hashmap_del_pair. */
bool tl_seqmap_del(tl_seqmap *m, uint64_t key);
bool tl_seqmap_del_pair(tl_seqmap *m, uint64_t key, uint32_t value);
static inline bool tl_seqmap_get(const tl_seqmap *m, uint64_t key, uint32_t *value);

/* ---- inline lookups ------------------------------------------------------------------------ */

#define TL__HASHMAP_PHI 0x9e3779b97f4a7c15ULL /* 2^64 / golden ratio, odd */

/* Home slot of a key: Fibonacci hashing keeps the top log2(slots) bits of key * PHI. */
static inline uint64_t tl__hashmap_home(const tl_hashmap *m, uint64_t key)
{
    return (key * TL__HASHMAP_PHI) >> m->shift;
}

static inline bool tl_hashmap_get(const tl_hashmap *m, uint64_t key, uint32_t *value)
{
    for (uint64_t i = tl__hashmap_home(m, key);; i = (i + 1) & m->mask) {
        const tl_hashmap_slot *s = &m->slots[i];
        if (!s->used)
            return false;
        if (s->key == key) {
            *value = s->value;
            return true;
        }
    }
}

/* Cursor = how many slots of the run, counted from the key's home, were already examined. A
 * finished walk parks the cursor past the slot count so further calls keep returning false. */
static inline bool tl_hashmap_next_match(const tl_hashmap *m, uint64_t key, uint64_t *cursor,
                                         uint32_t *value)
{
    uint64_t n = m->mask + 1;
    uint64_t home = tl__hashmap_home(m, key);
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

static inline bool tl_seqmap_get(const tl_seqmap *m, uint64_t key, uint32_t *value)
{
    const tl_hashmap_slot *s = &m->slots[key & m->mask];
    if (s->used && s->key == key) {
        *value = s->value;
        return true;
    }
    return m->spill.count > 0 && tl_hashmap_get(&m->spill, key, value);
}

#endif /* TL_CORE_HASHMAP_H */
