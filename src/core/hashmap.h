/*
 * hashmap.h -- open-addressing map from a 64-bit key to a 32-bit value.
 *
 * The order store, the trade-id set and the position book all need O(1) lookups without a heap
 * allocation per entry. This map keeps keys and values in one power-of-two array, probes
 * linearly, and deletes by backward shift (no tombstones, so lookups never slow down with churn).
 * Keys are used as given: callers pass an already well-mixed hash or a sequence number (the map
 * mixes keys itself with a multiply-shift, so sequential keys spread well).
 *
 * Several entries may share a key (multi-map) when the caller uses tl_hashmap_insert_multi and
 * walks matches with tl_hashmap_next_match; this is how the trade-id set handles two different
 * ids with the same 64-bit hash: it compares the real strings of each match.
 *
 * Growth doubles the array when the load passes 1/2; it allocates, so hot paths size the map up
 * front (tl_hashmap_init's capacity) and growth happens only when the engine outgrows its plan.
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
} tl_hashmap;

/* Room for at least `capacity` entries without growing. 0 or TL_ENOMEM. */
int tl_hashmap_init(tl_hashmap *m, size_t capacity);
void tl_hashmap_close(tl_hashmap *m);
void tl_hashmap_clear(tl_hashmap *m);

/* Sets key -> value, replacing an existing entry with the same key. 0 or TL_ENOMEM. */
int tl_hashmap_put(tl_hashmap *m, uint64_t key, uint32_t value);
/* Adds key -> value even if the key is present. 0 or TL_ENOMEM. */
int tl_hashmap_insert_multi(tl_hashmap *m, uint64_t key, uint32_t value);
/* First value of key: true and *value set when found. */
bool tl_hashmap_get(const tl_hashmap *m, uint64_t key, uint32_t *value);
/* Removes the first entry of key; true when one was removed. */
bool tl_hashmap_del(tl_hashmap *m, uint64_t key);
/* Removes the entry key -> value exactly; true when one was removed. */
bool tl_hashmap_del_pair(tl_hashmap *m, uint64_t key, uint32_t value);

/* Iteration over the entries of one key: start with *cursor = 0; returns true and the next value
 * until the key's probe run ends. The map must not change during the walk. The cursor counts the
 * slots already examined from the key's home slot; once the walk ends it is parked past the slot
 * count, so further calls keep returning false. Matches come in probe order, which is not
 * necessarily insertion order (growth rehashes). */
bool tl_hashmap_next_match(const tl_hashmap *m, uint64_t key, uint64_t *cursor, uint32_t *value);

/* 64-bit FNV-1a of a byte string, finished with a mixer; used for string keys. */
uint64_t tl_hash_bytes(const void *data, size_t len);

#endif /* TL_CORE_HASHMAP_H */
