/* test_hashmap.c -- open-addressing map: semantics, growth, backward-shift deletion, multi-map. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "tradeloop.h"

/* Checks the structural invariant: every entry is reachable from its home slot without crossing
 * an empty slot, and count matches the occupied slots. Uses the map's own lookup walk. */
static void check_invariant(const tl_hashmap *m)
{
    uint64_t used = 0;
    for (uint64_t i = 0; i <= m->mask; i++) {
        if (!m->slots[i].used)
            continue;
        used++;
        /* The entry must be found by walking its key's matches. */
        uint64_t cur = 0;
        uint32_t v;
        bool seen = false;
        while (tl_hashmap_next_match(m, m->slots[i].key, &cur, &v))
            seen = seen || v == m->slots[i].value;
        assert_true(seen);
    }
    assert_int_equal(used, m->count);
    assert_true(m->count * 2 <= m->mask + 1); /* load <= 1/2 */
}

static void test_put_get_replace_del(void **state)
{
    (void)state;
    tl_hashmap m;
    assert_int_equal(tl_hashmap_init(&m, 4), 0);
    uint32_t v = 0;
    assert_false(tl_hashmap_get(&m, 1, &v));
    assert_int_equal(tl_hashmap_put(&m, 1, 100), 0);
    assert_int_equal(tl_hashmap_put(&m, 0, 7), 0); /* key 0 is an ordinary key */
    assert_int_equal(tl_hashmap_put(&m, UINT64_MAX, 9), 0);
    assert_true(tl_hashmap_get(&m, 1, &v));
    assert_int_equal(v, 100);
    assert_true(tl_hashmap_get(&m, 0, &v));
    assert_int_equal(v, 7);
    assert_true(tl_hashmap_get(&m, UINT64_MAX, &v));
    assert_int_equal(v, 9);
    assert_int_equal(m.count, 3);

    assert_int_equal(tl_hashmap_put(&m, 1, 200), 0); /* replace, not a second entry */
    assert_int_equal(m.count, 3);
    assert_true(tl_hashmap_get(&m, 1, &v));
    assert_int_equal(v, 200);

    assert_true(tl_hashmap_del(&m, 1));
    assert_false(tl_hashmap_del(&m, 1));
    v = 55;
    assert_false(tl_hashmap_get(&m, 1, &v));
    assert_int_equal(v, 55); /* untouched on a miss */
    assert_int_equal(m.count, 2);

    tl_hashmap_clear(&m);
    assert_int_equal(m.count, 0);
    assert_false(tl_hashmap_get(&m, 0, &v));
    assert_int_equal(tl_hashmap_put(&m, 0, 1), 0);
    assert_true(tl_hashmap_get(&m, 0, &v));
    assert_int_equal(v, 1);
    tl_hashmap_close(&m);
    assert_null(m.slots);
}

static void test_init_sizes(void **state)
{
    (void)state;
    tl_hashmap m;
    assert_int_equal(tl_hashmap_init(&m, 0), 0);
    assert_true(m.mask + 1 >= 2);
    assert_int_equal((m.mask + 1) & m.mask, 0); /* power of two */
    tl_hashmap_close(&m);

    /* Room for `capacity` entries without growing: the slot array must not move. */
    assert_int_equal(tl_hashmap_init(&m, 1000), 0);
    tl_hashmap_slot *before = m.slots;
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(tl_hashmap_put(&m, i, i), 0);
    assert_ptr_equal(m.slots, before);
    tl_hashmap_close(&m);

    /* An impossible size fails cleanly. */
    assert_int_equal(tl_hashmap_init(&m, SIZE_MAX), TL_ENOMEM);
}

static void test_growth_keeps_entries(void **state)
{
    (void)state;
    tl_hashmap m;
    assert_int_equal(tl_hashmap_init(&m, 1), 0);
    uint64_t slots0 = m.mask + 1;
    const uint32_t n = 20000;
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(tl_hashmap_put(&m, (uint64_t)i * 0x100000000ULL + 3, i ^ 0xabcdu), 0);
        assert_true(m.count * 2 <= m.mask + 1);
    }
    assert_true(m.mask + 1 > slots0);
    assert_int_equal(m.count, n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v;
        assert_true(tl_hashmap_get(&m, (uint64_t)i * 0x100000000ULL + 3, &v));
        assert_int_equal(v, i ^ 0xabcdu);
    }
    check_invariant(&m);
    tl_hashmap_close(&m);
}

/* Sequential keys must spread: with a good mixer the longest probe run stays short. */
static void test_sequential_keys_spread(void **state)
{
    (void)state;
    tl_hashmap m;
    assert_int_equal(tl_hashmap_init(&m, 1 << 16), 0);
    for (uint32_t i = 0; i < (1u << 16); i++)
        assert_int_equal(tl_hashmap_put(&m, i, i), 0);
    uint64_t longest = 0, run = 0;
    for (uint64_t i = 0; i <= m.mask; i++) {
        run = m.slots[i].used ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    /* Identity hashing would also give short runs on sequential keys, so check spread across
     * the halves of the table too: keys 0..n-1 must not all land in the low half. */
    uint64_t low = 0;
    for (uint64_t i = 0; i <= m.mask / 2; i++)
        low += m.slots[i].used;
    assert_true(longest < 64);
    assert_true(low > m.count / 2 - m.count / 10 && low < m.count / 2 + m.count / 10);
    tl_hashmap_close(&m);
}

/* A tiny xorshift so the churn test is reproducible without depending on prng.c. */
static uint64_t xs(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_churn_against_model(void **state)
{
    (void)state;
    enum { KEYS = 2048, OPS = 100000 };
    /* Model: present[k] and value[k] for keys drawn from a small space so that ops collide. */
    static uint8_t present[KEYS];
    static uint32_t value[KEYS];
    memset(present, 0, sizeof present);
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    uint64_t model_count = 0;
    tl_hashmap m;
    assert_int_equal(tl_hashmap_init(&m, 8), 0);
    for (int op = 0; op < OPS; op++) {
        uint64_t r = xs(&rng);
        uint32_t k = (uint32_t)(r % KEYS);
        /* Keys that differ only in high bits stress the mixer too. */
        uint64_t key = ((uint64_t)k << 40) | (k & 7);
        uint32_t v = (uint32_t)(r >> 32);
        uint32_t got = 0;
        switch ((r >> 20) % 4) {
        case 0:
        case 1:
            assert_int_equal(tl_hashmap_put(&m, key, v), 0);
            model_count += !present[k];
            present[k] = 1;
            value[k] = v;
            break;
        case 2:
            assert_int_equal(tl_hashmap_del(&m, key), present[k] != 0);
            model_count -= present[k];
            present[k] = 0;
            break;
        default:
            assert_int_equal(tl_hashmap_get(&m, key, &got), present[k] != 0);
            if (present[k])
                assert_int_equal(got, value[k]);
            break;
        }
        assert_int_equal(m.count, model_count);
        if (op % 10000 == 0)
            check_invariant(&m);
    }
    for (uint32_t k = 0; k < KEYS; k++) {
        uint32_t got = 0;
        uint64_t key = ((uint64_t)k << 40) | (k & 7);
        assert_int_equal(tl_hashmap_get(&m, key, &got), present[k] != 0);
        if (present[k])
            assert_int_equal(got, value[k]);
    }
    check_invariant(&m);
    tl_hashmap_close(&m);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Collects all values of key via next_match, sorted. */
static size_t matches(const tl_hashmap *m, uint64_t key, uint32_t *out, size_t cap)
{
    uint64_t cur = 0;
    uint32_t v;
    size_t n = 0;
    while (tl_hashmap_next_match(m, key, &cur, &v)) {
        assert_true(n < cap);
        out[n++] = v;
    }
    /* A finished walk stays finished. */
    assert_false(tl_hashmap_next_match(m, key, &cur, &v));
    qsort(out, n, sizeof *out, cmp_u32);
    return n;
}

static void test_multi(void **state)
{
    (void)state;
    tl_hashmap m;
    assert_int_equal(tl_hashmap_init(&m, 2), 0);
    uint32_t got[16];
    assert_int_equal(matches(&m, 42, got, 16), 0);

    assert_int_equal(tl_hashmap_insert_multi(&m, 42, 1), 0);
    assert_int_equal(tl_hashmap_insert_multi(&m, 42, 2), 0);
    assert_int_equal(tl_hashmap_insert_multi(&m, 42, 2), 0); /* exact duplicates are allowed */
    assert_int_equal(tl_hashmap_insert_multi(&m, 43, 9), 0);
    assert_int_equal(tl_hashmap_insert_multi(&m, 42, 3), 0); /* load would pass 1/2: grows */
    assert_int_equal(m.count, 5);
    assert_int_equal(matches(&m, 42, got, 16), 4);
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], 2);
    assert_int_equal(got[2], 2);
    assert_int_equal(got[3], 3);
    assert_int_equal(matches(&m, 43, got, 16), 1);
    assert_int_equal(got[0], 9);

    /* del_pair removes exactly one entry, and only the matching one. */
    assert_true(tl_hashmap_del_pair(&m, 42, 2));
    assert_int_equal(matches(&m, 42, got, 16), 3);
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], 2);
    assert_int_equal(got[2], 3);
    assert_false(tl_hashmap_del_pair(&m, 42, 9)); /* right value, wrong key */
    assert_false(tl_hashmap_del_pair(&m, 43, 1)); /* right key, wrong value */
    assert_int_equal(m.count, 4);
    assert_true(tl_hashmap_del_pair(&m, 42, 1));
    assert_int_equal(matches(&m, 42, got, 16), 2);
    assert_int_equal(got[0], 2);
    assert_int_equal(got[1], 3);

    /* get and del act on one entry of the key. */
    uint32_t v = 0;
    assert_true(tl_hashmap_get(&m, 42, &v));
    assert_true(v == 2 || v == 3);
    assert_true(tl_hashmap_del(&m, 42));
    assert_int_equal(matches(&m, 42, got, 16), 1);
    assert_int_equal(got[0], v == 2 ? 3 : 2);
    assert_int_equal(matches(&m, 43, got, 16), 1);
    check_invariant(&m);
    tl_hashmap_close(&m);
}

/* Many entries of one key interleaved with other keys in the same clusters. */
static void test_multi_many(void **state)
{
    (void)state;
    tl_hashmap m;
    assert_int_equal(tl_hashmap_init(&m, 16), 0);
    for (uint32_t i = 0; i < 300; i++) {
        assert_int_equal(tl_hashmap_insert_multi(&m, 7, i), 0);
        assert_int_equal(tl_hashmap_put(&m, 1000 + i, i), 0);
    }
    static uint32_t got[400];
    assert_int_equal(matches(&m, 7, got, 400), 300);
    for (uint32_t i = 0; i < 300; i++)
        assert_int_equal(got[i], i);
    /* Remove the even ones, from the middle of the run outwards. */
    for (uint32_t i = 0; i < 300; i += 2)
        assert_true(tl_hashmap_del_pair(&m, 7, i));
    assert_int_equal(matches(&m, 7, got, 400), 150);
    for (uint32_t i = 0; i < 150; i++)
        assert_int_equal(got[i], 2 * i + 1);
    for (uint32_t i = 0; i < 300; i++) {
        uint32_t v;
        assert_true(tl_hashmap_get(&m, 1000 + i, &v));
        assert_int_equal(v, i);
    }
    check_invariant(&m);
    tl_hashmap_close(&m);
}

/* Finds keys whose home slot (in a table of `slots` slots) is `home`, by observing where the map
 * puts a lone key. The mixer is private, so the test learns homes from the map itself. */
static uint64_t key_with_home(uint64_t slots, uint64_t home, uint64_t *next_try)
{
    for (;;) {
        uint64_t k = (*next_try)++;
        tl_hashmap probe;
        assert_int_equal(tl_hashmap_init(&probe, slots / 2), 0);
        assert_int_equal(probe.mask + 1, slots);
        assert_int_equal(tl_hashmap_put(&probe, k, 0), 0);
        int hit = probe.slots[home].used && probe.slots[home].key == k;
        tl_hashmap_close(&probe);
        if (hit)
            return k;
    }
}

/* Deletion in the middle of a cluster that wraps around the end of the array: entries after
 * the hole must shift back when (and only when) that keeps them at or after their home. */
static void test_delete_mid_cluster(void **state)
{
    (void)state;
    const uint64_t slots = 16;
    uint64_t seed = 1;
    /* Two keys homed at 14, one at 15, one at 0, one at 14 again: the run is 14,15,0,1,2. */
    uint64_t a = key_with_home(slots, 14, &seed);
    uint64_t b = key_with_home(slots, 14, &seed);
    uint64_t c = key_with_home(slots, 15, &seed);
    uint64_t d = key_with_home(slots, 0, &seed);
    uint64_t e = key_with_home(slots, 14, &seed);

    tl_hashmap m;
    assert_int_equal(tl_hashmap_init(&m, slots / 2), 0);
    assert_int_equal(m.mask + 1, slots);
    uint64_t keys[] = {a, b, c, d, e};
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(tl_hashmap_put(&m, keys[i], i), 0);
    assert_true(m.slots[14].key == a && m.slots[15].key == b && m.slots[0].key == c);
    assert_true(m.slots[1].key == d && m.slots[2].key == e);

    /* Delete b (slot 15): c (home 15) moves to 15, d (home 0) to 0, e (home 14) to 1. */
    assert_true(tl_hashmap_del(&m, b));
    assert_true(m.slots[15].used && m.slots[15].key == c);
    assert_true(m.slots[0].used && m.slots[0].key == d);
    assert_true(m.slots[1].used && m.slots[1].key == e);
    assert_false(m.slots[2].used);
    for (uint32_t i = 0; i < 5; i++) {
        uint32_t v;
        assert_int_equal(tl_hashmap_get(&m, keys[i], &v), i != 1);
        if (i != 1)
            assert_int_equal(v, i);
    }

    /* Delete a (slot 14): c must NOT move before its home 15; e (home 14) may fill 14. */
    assert_true(tl_hashmap_del(&m, a));
    assert_true(m.slots[14].used && m.slots[14].key == e);
    assert_true(m.slots[15].key == c && m.slots[0].key == d);
    assert_false(m.slots[1].used);
    uint32_t v;
    assert_true(tl_hashmap_get(&m, c, &v) && v == 2);
    assert_true(tl_hashmap_get(&m, d, &v) && v == 3);
    assert_true(tl_hashmap_get(&m, e, &v) && v == 4);
    assert_int_equal(m.count, 3);
    check_invariant(&m);
    tl_hashmap_close(&m);
}

static void test_hash_bytes(void **state)
{
    (void)state;
    /* Deterministic, length-sensitive, and different for close strings. */
    assert_true(tl_hash_bytes("abc", 3) == tl_hash_bytes("abc", 3));
    assert_true(tl_hash_bytes("abc", 3) != tl_hash_bytes("abd", 3));
    assert_true(tl_hash_bytes("abc", 3) != tl_hash_bytes("abc", 2));
    assert_true(tl_hash_bytes("", 0) != tl_hash_bytes("\0", 1));
    assert_true(tl_hash_bytes("trade-1", 7) != tl_hash_bytes("trade-2", 7));
    /* The finaliser of FNV-1a("") = offset basis; pins the algorithm so stored hashes stay valid.
     */
    uint64_t x = 0xcbf29ce484222325ULL;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    assert_true(tl_hash_bytes(NULL, 0) == x);
    /* FNV-1a("a") = 0xaf63dc4c8601ec8c (published test vector), then the same finaliser. */
    x = 0xaf63dc4c8601ec8cULL;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    assert_true(tl_hash_bytes("a", 1) == x);
}

/* insert_new adds only absent keys, in one probe, and grows like put. */
static void test_insert_new(void **state)
{
    (void)state;
    tl_hashmap m;
    uint32_t v = 0;
    assert_int_equal(tl_hashmap_init(&m, 2), 0);
    uint64_t slots0 = m.mask + 1;
    assert_int_equal(tl_hashmap_insert_new(&m, 0, 10), 0); /* key 0 is an ordinary key */
    assert_int_equal(tl_hashmap_insert_new(&m, 5, 50), 0);
    assert_int_equal(tl_hashmap_insert_new(&m, 5, 51), 1); /* present: nothing changes */
    assert_true(tl_hashmap_get(&m, 5, &v));
    assert_int_equal(v, 50);
    assert_int_equal(m.count, 2);
    for (uint32_t i = 100; i < 120; i++)
        assert_int_equal(tl_hashmap_insert_new(&m, i, i), 0);
    assert_true(m.mask + 1 > slots0); /* grew past load 1/2 */
    assert_int_equal(m.count, 22);
    for (uint32_t i = 100; i < 120; i++) {
        assert_int_equal(tl_hashmap_insert_new(&m, i, 0), 1);
        assert_true(tl_hashmap_get(&m, i, &v));
        assert_int_equal(v, i);
    }
    assert_true(tl_hashmap_get(&m, 0, &v));
    assert_int_equal(v, 10);
    check_invariant(&m);
    tl_hashmap_close(&m);
}

/* The window holds consecutive keys; one still present when the window wraps onto its slot moves
 * to the spill, where every operation still finds it. */
static void test_seqmap_window_and_spill(void **state)
{
    (void)state;
    tl_seqmap m;
    uint32_t v = 0;
    assert_int_equal(tl_seqmap_init(&m, 8), 0);
    uint64_t window = m.mask + 1;
    assert_true(window >= 8);
    assert_int_equal(window & m.mask, 0); /* power of two */
    tl_hashmap_slot *slots = m.slots;

    for (uint64_t k = 1; k <= window; k++)
        assert_int_equal(tl_seqmap_insert_new(&m, k, (uint32_t)k * 10), 0);
    assert_int_equal(m.spill.count, 0);
    assert_int_equal(tl_seqmap_insert_new(&m, 3, 0), 1);
    assert_int_equal(m.count, window);

    /* Keys 1..window-1 are forgotten in order, except 2, which stays: key 2 + window lands on
     * its slot and pushes it to the spill. */
    for (uint64_t k = 1; k < window; k++)
        if (k != 2)
            assert_true(tl_seqmap_del_pair(&m, k, (uint32_t)k * 10));
    assert_int_equal(tl_seqmap_insert_new(&m, window + 1, 1), 0);
    assert_int_equal(m.spill.count, 0); /* its slot (key 1's) was free */
    assert_int_equal(tl_seqmap_insert_new(&m, window + 2, 2), 0);
    assert_int_equal(m.spill.count, 1);
    assert_int_equal(m.count, 4);     /* 2, window, window + 1, window + 2 */
    assert_ptr_equal(m.slots, slots); /* the window never moves */

    assert_true(tl_seqmap_get(&m, 2, &v));
    assert_int_equal(v, 20);
    assert_true(tl_seqmap_get(&m, window + 2, &v));
    assert_int_equal(v, 2);
    assert_int_equal(tl_seqmap_insert_new(&m, 2, 99), 1); /* found in the spill */
    assert_int_equal(tl_seqmap_put(&m, 2, 21), 0);        /* replaced in the spill */
    assert_true(tl_seqmap_get(&m, 2, &v));
    assert_int_equal(v, 21);
    assert_int_equal(tl_seqmap_put(&m, window + 2, 3), 0); /* replaced in the window */
    assert_true(tl_seqmap_get(&m, window + 2, &v));
    assert_int_equal(v, 3);
    assert_int_equal(m.count, 4);

    assert_false(tl_seqmap_del_pair(&m, 2, 20)); /* right key, wrong value */
    assert_false(tl_seqmap_del(&m, 3));          /* never re-added */
    assert_true(tl_seqmap_del_pair(&m, 2, 21));
    assert_false(tl_seqmap_get(&m, 2, &v));
    assert_int_equal(m.spill.count, 0);
    assert_true(tl_seqmap_del(&m, window + 2));
    assert_false(tl_seqmap_get(&m, window + 2, &v));
    assert_int_equal(m.count, 2);

    /* put adds when absent, like tl_hashmap_put. */
    assert_int_equal(tl_seqmap_put(&m, 1000, 7), 0);
    assert_true(tl_seqmap_get(&m, 1000, &v));
    assert_int_equal(v, 7);
    assert_int_equal(m.count, 3);
    tl_seqmap_close(&m);
    assert_null(m.slots);
}

/* Any keys work, only speed depends on their order: a random model over keys that collide in
 * the window all the time. */
static void test_seqmap_churn_against_model(void **state)
{
    (void)state;
    enum { KEYS = 512, OPS = 100000 };
    static uint8_t present[KEYS];
    static uint32_t value[KEYS];
    memset(present, 0, sizeof present);
    uint64_t rng = 0x2545f4914f6cdd1dULL, model_count = 0;
    tl_seqmap m;
    assert_int_equal(tl_seqmap_init(&m, 16), 0);
    for (int op = 0; op < OPS; op++) {
        uint64_t r = xs(&rng);
        uint32_t k = (uint32_t)(r % KEYS);
        uint64_t key = (uint64_t)k * 1000003; /* scattered over window slots */
        uint32_t v = (uint32_t)(r >> 32), got = 0;
        switch ((r >> 20) % 5) {
        case 0:
            assert_int_equal(tl_seqmap_put(&m, key, v), 0);
            model_count += !present[k];
            present[k] = 1;
            value[k] = v;
            break;
        case 1:
            assert_int_equal(tl_seqmap_insert_new(&m, key, v), present[k] ? 1 : 0);
            if (!present[k]) {
                present[k] = 1;
                value[k] = v;
                model_count++;
            }
            break;
        case 2:
            assert_int_equal(tl_seqmap_del(&m, key), present[k] != 0);
            model_count -= present[k];
            present[k] = 0;
            break;
        case 3:
            assert_int_equal(tl_seqmap_del_pair(&m, key, value[k] ^ (uint32_t)(r & 1)),
                             present[k] && !(r & 1));
            if (present[k] && !(r & 1)) {
                present[k] = 0;
                model_count--;
            }
            break;
        default:
            assert_int_equal(tl_seqmap_get(&m, key, &got), present[k] != 0);
            if (present[k])
                assert_int_equal(got, value[k]);
            break;
        }
        assert_int_equal(m.count, model_count);
    }
    for (uint32_t k = 0; k < KEYS; k++) {
        uint32_t got = 0;
        assert_int_equal(tl_seqmap_get(&m, (uint64_t)k * 1000003, &got), present[k] != 0);
        if (present[k])
            assert_int_equal(got, value[k]);
    }
    check_invariant(&m.spill);
    tl_seqmap_close(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_replace_del),
        cmocka_unit_test(test_init_sizes),
        cmocka_unit_test(test_growth_keeps_entries),
        cmocka_unit_test(test_sequential_keys_spread),
        cmocka_unit_test(test_churn_against_model),
        cmocka_unit_test(test_multi),
        cmocka_unit_test(test_multi_many),
        cmocka_unit_test(test_delete_mid_cluster),
        cmocka_unit_test(test_hash_bytes),
        cmocka_unit_test(test_insert_new),
        cmocka_unit_test(test_seqmap_window_and_spill),
        cmocka_unit_test(test_seqmap_churn_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
