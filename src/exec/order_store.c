/*
 * order_store.c -- the order pool, its two id indexes, fill records and the trade-id set.
 *
 * Everything is an index into one of two pools (orders, fill records), never a pointer, so a pool
 * can grow by realloc without fixing up links. Slot lists:
 *   - free orders:  free_head -> order.next -> ...          (client_seq == 0 marks a free slot)
 *   - retire FIFO:  retire_head -> order.next -> ... -> retire_tail (terminal orders, oldest first)
 *   - free records: fill_free -> rec.next -> ...
 *   - an order's fills: order.fill_head -> rec.next -> ..., oldest first; the first record's
 *     `tail` names the last so an append does not walk the chain.
 * An order enters the retire FIFO exactly once, on the change that makes it terminal: terminal
 * statuses never become live again, so "was it terminal before this call" is "is it queued".
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "exec/order_store.h"

#define NIL     UINT32_MAX
#define MIN_CAP 16u
/* Order ids in messages, as tl_order_format_*_id writes them (no formatting on success paths). */
#define CLI_FMT "CLI%08" PRIu64
#define ORD_FMT "ORD%06" PRIu64
#define MAX_CAP (UINT32_MAX / 2) /* keeps every index below NIL, doubling included */
/* tl_order_store_create writes tl_order's fields one by one: a new field must be added there. */
_Static_assert(sizeof(tl_order) == 112, "tl_order changed: update tl_order_store_create");

/* Links slots [from, to) of the order pool onto the free list, lowest first out. */
static void free_order_range(tl_order_store *s, uint32_t from, uint32_t to)
{
    memset(&s->orders[from], 0, (size_t)(to - from) * sizeof(tl_order));
    for (uint32_t i = to; i-- > from;) {
        s->orders[i].fill_head = NIL;
        s->orders[i].next = s->free_head;
        s->free_head = i;
    }
}

static void free_rec_range(tl_order_store *s, uint32_t from, uint32_t to)
{
    memset(&s->fills[from], 0, (size_t)(to - from) * sizeof(tl_fill_rec));
    for (uint32_t i = to; i-- > from;) {
        s->fills[i].next = s->fill_free;
        s->fill_free = i;
    }
}

/* A trade id as fill records keep it: the TL_TRADE_ID_MAX bytes of its array as words, zero past
 * the NUL, so two ids are equal exactly when their words are. Comparing and copying words, not
 * strings, keeps strlen, memchr and strcmp off the path every fill takes. */
#define ID_WORDS (TL_TRADE_ID_MAX / 8)
_Static_assert(TL_TRADE_ID_MAX % 8 == 0, "trade id arrays are read as whole words");
_Static_assert(sizeof(tl_fill_rec) == sizeof(tl_fill) + 16, "fill records have no padding");
typedef struct trade_key {
    uint64_t w[ID_WORDS];
    size_t len; /* bytes before the NUL */
} trade_key;

static uint64_t id_word(const char *id, size_t i)
{
    uint64_t w;
    memcpy(&w, id + 8 * i, sizeof w);
    return w;
}

/* Keys a fill's trade id, read from its whole array. Its length is TL_TRADE_ID_MAX when it has no
 * NUL. The first zero byte is the lowest flagged by the has-a-zero-byte test (flags above a real
 * zero may be false, never below it). */
static void key_of_array(const char *id, trade_key *k)
{
    size_t len = TL_TRADE_ID_MAX;
    for (size_t i = 0; i < ID_WORDS; i++) {
        uint64_t w = id_word(id, i);
        if (len < TL_TRADE_ID_MAX) {
            w = 0;
        } else {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            uint64_t zero = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
            if (zero != 0) {
                unsigned at = (unsigned)__builtin_ctzll(zero) >> 3; /* byte index of the NUL */
                len = 8 * i + at;
                w &= at == 0 ? 0 : ~0ULL >> (64 - 8 * at);
            }
#else
            const char *nul = memchr(id + 8 * i, '\0', 8);
            if (nul != NULL) {
                len = (size_t)(nul - id);
                w = 0;
                memcpy(&w, id + 8 * i, len - 8 * i);
            }
#endif
        }
        k->w[i] = w;
    }
    k->len = len;
}

/* Keys a NUL-terminated string of len (< TL_TRADE_ID_MAX) bytes. */
static void key_of_string(const char *id, size_t len, trade_key *k)
{
    char buf[TL_TRADE_ID_MAX] = {0};
    memcpy(buf, id, len);
    for (size_t i = 0; i < ID_WORDS; i++)
        k->w[i] = id_word(buf, i);
    k->len = len;
}

/* Both halves of a 64x64-bit product folded together (wyhash's "mum"): one multiply spreads
 * every bit of both operands. */
static uint64_t fold_mul(uint64_t a, uint64_t b)
{
    unsigned __int128 p = (unsigned __int128)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

/* Eight digit values (0..9), the first in the lowest byte, as a number: three multiplies, each
 * joining neighbours (pairs, then fours, then eights). */
static uint64_t digits8(uint64_t d)
{
    d = (d * 2561) >> 8; /* 10 * 2^8 + 1 */
    d &= 0x00FF00FF00FF00FFULL;
    d = (d * 6553601) >> 16; /* 100 * 2^16 + 1 */
    d &= 0x0000FFFF0000FFFFULL;
    return (d * 42949672960001ULL) >> 32; /* 10000 * 2^32 + 1 */
}

/* The bytes of word i of an id that come before byte `at`, the rest zero. */
static uint64_t bytes_before(const trade_key *k, size_t i, size_t at)
{
    size_t n = at > 8 * i ? at - 8 * i : 0; /* bytes of the word to keep */
    return n >= 8 ? k->w[i] : k->w[i] & ((UINT64_C(1) << (8 * n)) - 1);
}

/* Hash of a trade id from its words (which determine it: zero past the NUL). Most venues number
 * their trades, so most ids end in a counter ("T0000000042", "123456789"): the hash is the value
 * of their last eight digits plus a mix of the bytes before them, so consecutive trades fall in
 * consecutive buckets, a window over the sequence: a new id's bucket is one that the id `buckets`
 * before it left long ago (empty, no record to read), and the heads are walked in order, a stream
 * the CPU prefetches, where a mixed hash made two random cache misses per fill. The mixed prefix
 * keeps ids that differ only before their last eight digits ("T42-00000001", "T43-00000001")
 * spread over the buckets. Any other id is mixed whole as wyhash does (the two products are
 * independent, about two multiplies of latency). The hash only picks a bucket: ids are told apart
 * by comparing them whole. */
static uint32_t trade_hash(const trade_key *k)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (k->len >= 8) {
        /* The last eight bytes, the first of them lowest, put together from the words rather
         * than loaded across two of them: the words were just stored, and a load straddling two
         * stores cannot be forwarded from the store buffer. */
        size_t at = k->len - 8, i = at / 8, bits = 8 * (at % 8);
        uint64_t x = bits ? k->w[i] >> bits | k->w[i + 1] << (64 - bits) : k->w[i];
        /* All digits: high nibble 3, and still 3 after adding 6 (no carry crosses a byte once
         * the first test passed). */
        const uint64_t hi = 0xF0F0F0F0F0F0F0F0ULL, zeros = 0x3030303030303030ULL;
        if ((x & hi) == zeros && ((x + 0x0606060606060606ULL) & hi) == zeros) {
            /* at <= TL_TRADE_ID_MAX - 9 = 23: the prefix lies in the first three words. */
            uint64_t pre = fold_mul(bytes_before(k, 0, at) ^ 0xa0761d6478bd642fULL,
                                    bytes_before(k, 1, at) ^ 0xe7037ed1a0b428dbULL) ^
                           bytes_before(k, 2, at) * 0x9e3779b97f4a7c15ULL;
            return (uint32_t)(digits8(x - zeros) + pre);
        }
    }
#endif
    uint64_t a = fold_mul(k->w[0] ^ 0xa0761d6478bd642fULL, k->w[1] ^ 0xe7037ed1a0b428dbULL);
    uint64_t b = fold_mul(k->w[2] ^ 0x8ebc6af09c88c6e3ULL, k->w[3] ^ 0x589965cc75374cc3ULL);
    return (uint32_t)(fold_mul(a ^ 0x1d8e4e27c47d124fULL, b ^ 0x9e3779b97f4a7c15ULL) >> 32);
}

static uint32_t trade_bucket(const tl_trade_set *t, uint32_t hash)
{
    return hash & t->mask;
}

/* The record holding the id, or NIL: the bucket's chain is compared word for word, so ids that
 * share a bucket (or a whole hash) are told apart. */
static uint32_t find_trade(const tl_order_store *s, uint32_t hash, const trade_key *k)
{
    for (uint32_t rec = s->trade_ids.heads[trade_bucket(&s->trade_ids, hash)]; rec != NIL;
         rec = s->fills[rec].chain) {
        const char *id = s->fills[rec].fill.trade_id;
        uint64_t diff = 0;
        for (size_t i = 0; i < ID_WORDS; i++)
            diff |= id_word(id, i) ^ k->w[i];
        if (diff == 0)
            return rec;
    }
    return NIL;
}

static void trade_link(tl_order_store *s, uint32_t rec)
{
    uint32_t *head = &s->trade_ids.heads[trade_bucket(&s->trade_ids, s->fills[rec].hash)];
    s->fills[rec].chain = *head;
    *head = rec;
    s->trade_ids.count++;
}

static void trade_unlink(tl_order_store *s, uint32_t rec)
{
    uint32_t *at = &s->trade_ids.heads[trade_bucket(&s->trade_ids, s->fills[rec].hash)];
    while (*at != rec)
        at = &s->fills[*at].chain; /* rec is in this chain: it was linked by its hash */
    *at = s->fills[rec].chain;
    s->trade_ids.count--;
}

/* Gives the trade-id set at least 2 * records buckets (chains of 1/2 on average), relinking every
 * record when it grows. TL_ENOMEM leaves it as it was. */
static int trade_set_resize(tl_order_store *s, uint32_t records)
{
    tl_trade_set *t = &s->trade_ids;
    uint64_t want = (uint64_t)records * 2, n = MIN_CAP;
    while (n < want)
        n *= 2;
    if (t->heads != NULL && n <= (uint64_t)t->mask + 1)
        return 0;
    uint32_t *heads = malloc((size_t)n * sizeof(*heads));
    if (heads == NULL)
        return TL_ENOMEM;
    memset(heads, 0xff, (size_t)n * sizeof(*heads)); /* every chain empty: NIL */
    tl_trade_set grown = {.heads = heads, .mask = (uint32_t)(n - 1)};
    if (t->heads != NULL) {
        uint64_t old_n = (uint64_t)t->mask + 1;
        for (uint64_t b = 0; b < old_n; b++) {
            for (uint32_t rec = t->heads[b], next; rec != NIL; rec = next) {
                next = s->fills[rec].chain;
                uint32_t *head = &heads[trade_bucket(&grown, s->fills[rec].hash)];
                s->fills[rec].chain = *head;
                *head = rec;
            }
        }
    }
    grown.count = t->count;
    free(t->heads);
    *t = grown;
    return 0;
}

static int grow_orders(tl_order_store *s)
{
    if (s->cap >= MAX_CAP)
        return TL_ENOMEM;
    uint32_t cap = s->cap ? s->cap * 2 : MIN_CAP;
    tl_order *orders = realloc(s->orders, (size_t)cap * sizeof(*orders));
    if (orders == NULL)
        return TL_ENOMEM;
    s->orders = orders;
    free_order_range(s, s->cap, cap);
    s->cap = cap;
    return 0;
}

static int grow_fills(tl_order_store *s)
{
    if (s->fill_cap >= MAX_CAP)
        return TL_ENOMEM;
    uint32_t cap = s->fill_cap ? s->fill_cap * 2 : MIN_CAP;
    if (trade_set_resize(s, cap) != 0)
        return TL_ENOMEM;
    tl_fill_rec *fills = realloc(s->fills, (size_t)cap * sizeof(*fills));
    if (fills == NULL)
        return TL_ENOMEM;
    s->fills = fills;
    free_rec_range(s, s->fill_cap, cap);
    s->fill_cap = cap;
    return 0;
}

int tl_order_store_init(tl_order_store *s, uint32_t capacity, uint32_t retain)
{
    memset(s, 0, sizeof(*s));
    s->free_head = NIL;
    s->fill_free = NIL;
    s->retire_head = NIL;
    s->retire_tail = NIL;
    s->retain = retain;
    s->next_client_seq = 1;
    if (capacity < MIN_CAP)
        capacity = MIN_CAP;
    if (capacity > MAX_CAP)
        capacity = MAX_CAP;

    s->orders = malloc((size_t)capacity * sizeof(*s->orders));
    s->fills = malloc((size_t)capacity * sizeof(*s->fills));
    int ok = s->orders != NULL && s->fills != NULL;
    ok = ok && tl_seqmap_init(&s->by_client, capacity) == 0;
    ok = ok && tl_seqmap_init(&s->by_venue, capacity) == 0;
    ok = ok && trade_set_resize(s, capacity) == 0;
    if (!ok) {
        tl_order_store_close(s);
        return TL_ENOMEM;
    }
    s->cap = capacity;
    s->fill_cap = capacity;
    free_order_range(s, 0, capacity);
    free_rec_range(s, 0, capacity);
    return 0;
}

void tl_order_store_close(tl_order_store *s)
{
    free(s->orders);
    free(s->fills);
    /* A map that failed (or never got) its init is all zeroes, which close accepts. */
    tl_seqmap_close(&s->by_client);
    tl_seqmap_close(&s->by_venue);
    free(s->trade_ids.heads);
    memset(s, 0, sizeof(*s));
    s->free_head = s->fill_free = s->retire_head = s->retire_tail = NIL;
}

void tl_order_store_set_next_seq(tl_order_store *s, uint64_t next_client_seq)
{
    s->next_client_seq = next_client_seq ? next_client_seq : 1; /* 0 means "no order" */
}

/* The slot of an order pointer, NIL when it is not an order of this pool. Divides once (by a
 * constant) and checks by recomputing the address, which also catches a misaligned pointer. */
static uint32_t slot_of(const tl_order_store *s, const tl_order *o)
{
    uintptr_t base = (uintptr_t)s->orders, p = (uintptr_t)o;
    if (o == NULL || p < base)
        return NIL;
    uintptr_t slot = (p - base) / sizeof(tl_order);
    if (slot >= s->cap || &s->orders[slot] != o)
        return NIL;
    return s->orders[slot].client_seq != 0 ? (uint32_t)slot : NIL;
}

static void free_rec(tl_order_store *s, uint32_t rec)
{
    s->fills[rec].next = s->fill_free;
    s->fill_free = rec;
}

/* Forgets the oldest retired order: indexes, trade ids, fill records, slot. */
static void evict_oldest(tl_order_store *s)
{
    uint32_t slot = s->retire_head;
    tl_order *o = &s->orders[slot];

    s->retire_head = o->next;
    if (s->retire_head == NIL)
        s->retire_tail = NIL;
    s->retired--;
    tl_seqmap_del_pair(&s->by_client, o->client_seq, slot);
    if (o->venue_seq != 0)
        tl_seqmap_del_pair(&s->by_venue, o->venue_seq, slot);
    for (uint32_t rec = o->fill_head; rec != NIL;) {
        uint32_t next = s->fills[rec].next;
        trade_unlink(s, rec);
        free_rec(s, rec);
        rec = next;
    }
    /* Zeroed by copying a zero order: a memset of this size compiles to rep stosq, whose start-up
     * cost is paid on every order. */
    static const tl_order zero_order;
    *o = zero_order;
    o->fill_head = NIL;
    o->next = s->free_head;
    s->free_head = slot;
    s->used--;
    s->stats.evicted++;
}

/* Queues a slot that just became terminal; evicts past the retain window. */
static void retire(tl_order_store *s, uint32_t slot)
{
    s->orders[slot].next = NIL;
    if (s->retire_tail == NIL)
        s->retire_head = slot;
    else
        s->orders[s->retire_tail].next = slot;
    s->retire_tail = slot;
    s->retired++;
    /* retain >= 1, so the order just queued is never the one evicted. */
    if (s->retain > 0 && s->retired > s->retain)
        evict_oldest(s);
}

/* Takes a free slot for a new order: indexes the next client_seq (and venue_seq when not 0) to it
 * and advances the numbering. The caller fills the slot in. TL_EDUPLICATE, TL_ENOMEM; on error
 * nothing changes. */
static int claim_slot(tl_order_store *s, uint64_t venue_seq, uint32_t *out)
{
    uint64_t seq = s->next_client_seq;
    uint32_t slot;
    int rc;

    if (venue_seq != 0 && tl_seqmap_get(&s->by_venue, venue_seq, &slot))
        return TL_EDUPLICATE;
    /* Growing first only adds free slots: a refusal below still leaves every order as it was. */
    if (s->free_head == NIL && grow_orders(s) != 0)
        return TL_ENOMEM;
    slot = s->free_head;
    /* The index entry is added by the same probe that checks the number is free: a number in use
     * happens only after a restart numbered below existing orders, and is refused rather than
     * shadowing one. */
    rc = tl_seqmap_insert_new(&s->by_client, seq, slot);
    if (rc != 0)
        return rc == 1 ? TL_EDUPLICATE : TL_ENOMEM;
    if (venue_seq != 0 && tl_seqmap_put(&s->by_venue, venue_seq, slot) != 0) {
        tl_seqmap_del_pair(&s->by_client, seq, slot);
        return TL_ENOMEM;
    }
    s->free_head = s->orders[slot].next;
    s->next_client_seq = seq + 1;
    s->used++;
    s->stats.added++;
    *out = slot;
    return 0;
}

int tl_order_store_add(tl_order_store *s, const tl_order *proto, tl_order **out)
{
    tl_order o = *proto; /* proto may live in the pool, which may move */
    uint64_t seq = s->next_client_seq;
    uint32_t slot;
    int rc;

    if (o.status >= TL_OS__COUNT)
        return TL_EINVAL;
    if ((rc = claim_slot(s, o.venue_seq, &slot)) != 0)
        return rc;
    tl_order *dst = &s->orders[slot];
    *dst = o;
    dst->client_seq = seq;
    dst->fill_head = NIL;
    dst->next = NIL;
    if (tl_order_status_is_terminal(dst->status))
        retire(s, slot);
    if (out != NULL)
        *out = dst;
    return 0;
}

int tl_order_store_create(tl_order_store *s, uint32_t instrument, uint32_t account, tl_side side,
                          tl_order_type type, tl_fixed price, tl_fixed qty, int64_t now_ns,
                          tl_order **out)
{
    uint64_t seq = s->next_client_seq;
    uint32_t slot;
    int rc;

    if ((rc = claim_slot(s, 0, &slot)) != 0)
        return rc;
    /* tl_order_init's fields, written into the slot one by one: a free slot is all zeroes
     * (padding included: see free_order_range and evict_oldest), so the only other writes
     * tl_order_init would make are its memset, a rep stosq paid on every order. The unit tests
     * compare the result with tl_order_init's byte for byte. */
    tl_order *dst = &s->orders[slot];
    dst->client_seq = seq;
    dst->instrument = instrument;
    dst->account = account;
    dst->side = (uint8_t)side;
    dst->type = (uint8_t)type;
    dst->status = TL_OS_PENDING_NEW;
    dst->prev_status = TL_OS_PENDING_NEW;
    dst->price = price;
    dst->qty = qty;
    dst->created_ns = now_ns;
    dst->updated_ns = now_ns;
    dst->fill_head = NIL;
    dst->next = NIL;
    if (out != NULL)
        *out = dst;
    return 0;
}

tl_order *tl_order_store_by_id(const tl_order_store *s, const char *id)
{
    uint64_t seq;
    if (tl_order_parse_client_id(id, &seq) == 0)
        return tl_order_store_by_client(s, seq);
    if (tl_order_parse_venue_id(id, &seq) == 0)
        return tl_order_store_by_venue(s, seq);
    return NULL;
}

int tl_order_store_bind_venue(tl_order_store *s, tl_order *o, uint64_t venue_seq, tl_err *err)
{
    uint32_t slot = slot_of(s, o);

    if (slot == NIL)
        return tl_err_set(err, TL_EINVAL, "order is not in the store");
    if (venue_seq == 0)
        return tl_err_set(err, TL_EINVAL, CLI_FMT ": venue id 0 is not an id", o->client_seq);
    if (o->venue_seq == venue_seq)
        return 0; /* the same acknowledgement seen twice */
    if (o->venue_seq != 0) {
        return tl_err_set(err, TL_ESTATE, CLI_FMT ": already bound to " ORD_FMT ", not " ORD_FMT,
                          o->client_seq, o->venue_seq, venue_seq);
    }
    /* One probe both checks that the id is free and indexes it. */
    int rc = tl_seqmap_insert_new(&s->by_venue, venue_seq, slot);
    if (rc == 1) {
        return tl_err_set(err, TL_EDUPLICATE,
                          CLI_FMT ": " ORD_FMT " already belongs to another order", o->client_seq,
                          venue_seq);
    }
    if (rc != 0) {
        return tl_err_set(err, TL_ENOMEM, CLI_FMT ": out of memory indexing " ORD_FMT,
                          o->client_seq, venue_seq);
    }
    o->venue_seq = venue_seq;
    return 0;
}

/* tl_order_store_apply on a known slot. */
static int apply_at(tl_order_store *s, uint32_t slot, tl_order_event ev, int64_t now_ns,
                    tl_err *err)
{
    tl_order *o = &s->orders[slot];
    bool was_terminal = tl_order_status_is_terminal(o->status);
    int rc = tl_order_apply(o, ev, now_ns, err);
    if (rc != 0)
        return rc;
    if (!was_terminal && tl_order_status_is_terminal(o->status))
        retire(s, slot);
    return 0;
}

int tl_order_store_apply(tl_order_store *s, uint64_t client_seq, tl_order_event ev, int64_t now_ns,
                         tl_err *err)
{
    uint32_t slot;

    if (client_seq == 0 || !tl_seqmap_get(&s->by_client, client_seq, &slot))
        return tl_err_set(err, TL_ENOTFOUND, CLI_FMT ": no such order", client_seq);
    return apply_at(s, slot, ev, now_ns, err);
}

int tl_order_store_apply_order(tl_order_store *s, tl_order *o, tl_order_event ev, int64_t now_ns,
                               tl_err *err)
{
    uint32_t slot = slot_of(s, o);

    if (slot == NIL)
        return tl_err_set(err, TL_ENOTFOUND, "order is not in the store");
    return apply_at(s, slot, ev, now_ns, err);
}

/* tl_order_store_fill once the order's slot is known (NIL: no such order). */
static int fill_at(tl_order_store *s, uint32_t slot, const tl_fill *fill, tl_order **out_order,
                   tl_err *err)
{
    uint64_t seq = fill->client_seq;
    uint32_t rec;

    if (slot == NIL) {
        s->stats.unknown_fills++;
        return tl_err_set(err, TL_ENOTFOUND, CLI_FMT ": fill for an unknown order", seq);
    }
    trade_key k;
    key_of_array(fill->trade_id, &k);
    if (k.len == 0 || k.len == TL_TRADE_ID_MAX)
        return tl_err_set(err, TL_EINVAL, CLI_FMT ": fill without a valid trade id", seq);
    uint32_t h = trade_hash(&k);
    if (find_trade(s, h, &k) != NIL) {
        s->stats.dup_fills++;
        return tl_err_set(err, TL_EDUPLICATE, CLI_FMT ": trade %s already applied", seq,
                          fill->trade_id);
    }

    /* Reserve everything that can fail for want of memory before the order changes, so a failure
     * anywhere leaves the store as it was. */
    if (s->fill_free == NIL && grow_fills(s) != 0)
        return tl_err_set(err, TL_ENOMEM, CLI_FMT ": out of memory recording a fill", seq);
    rec = s->fill_free;

    tl_order *o = &s->orders[slot];
    uint8_t before = o->status;
    int rc = tl_order_apply_fill(o, fill->qty, fill->price, fill->fee, fill->ts_ns, err);
    if (rc != 0) {
        if (rc == TL_EOVERFILL)
            s->stats.overfills++;
        return rc;
    }

    /* Every byte of the record is written (the id zero past its NUL, no padding exists), so
     * records compare and copy out byte for byte without a memset first. */
    tl_fill_rec *r = &s->fills[rec];
    s->fill_free = r->next;
    for (size_t i = 0; i < ID_WORDS; i++)
        memcpy(r->fill.trade_id + 8 * i, &k.w[i], sizeof k.w[i]);
    r->fill.client_seq = fill->client_seq;
    r->fill.qty = fill->qty;
    r->fill.price = fill->price;
    r->fill.fee = fill->fee;
    r->fill.ts_ns = fill->ts_ns;
    r->hash = h;
    r->next = NIL;
    r->tail = 0;
    trade_link(s, rec);
    if (o->fill_head == NIL) {
        o->fill_head = rec;
    } else {
        s->fills[s->fills[o->fill_head].tail].next = rec;
    }
    s->fills[o->fill_head].tail = rec;

    s->stats.fills++;
    if (before == TL_OS_CANCELED || before == TL_OS_EXPIRED)
        s->stats.late_fills++;
    if (!tl_order_status_is_terminal(before) && tl_order_status_is_terminal(o->status))
        retire(s, slot);
    if (out_order != NULL)
        *out_order = o;
    return 0;
}

/* The slot of client_seq, or NIL. */
static uint32_t slot_by_client(const tl_order_store *s, uint64_t client_seq)
{
    uint32_t slot;
    if (client_seq == 0 || !tl_seqmap_get(&s->by_client, client_seq, &slot))
        return NIL;
    return slot;
}

int tl_order_store_fill(tl_order_store *s, const tl_fill *fill, tl_order **out_order, tl_err *err)
{
    return fill_at(s, slot_by_client(s, fill->client_seq), fill, out_order, err);
}

int tl_order_store_fill_order(tl_order_store *s, tl_order *o, const tl_fill *fill,
                              tl_order **out_order, tl_err *err)
{
    uint32_t slot = slot_of(s, o);
    if (slot == NIL || o->client_seq != fill->client_seq)
        slot = slot_by_client(s, fill->client_seq);
    return fill_at(s, slot, fill, out_order, err);
}

bool tl_order_store_has_trade(const tl_order_store *s, const char *trade_id)
{
    if (trade_id == NULL)
        return false;
    size_t len = strnlen(trade_id, TL_TRADE_ID_MAX);
    if (len == 0 || len == TL_TRADE_ID_MAX)
        return false;
    trade_key k;
    key_of_string(trade_id, len, &k);
    return find_trade(s, trade_hash(&k), &k) != NIL;
}

uint32_t tl__order_store_trade_bucket(const tl_order_store *s, const char *trade_id)
{
    size_t len = strnlen(trade_id, TL_TRADE_ID_MAX);
    if (len == 0 || len == TL_TRADE_ID_MAX)
        return NIL;
    trade_key k;
    key_of_string(trade_id, len, &k);
    return trade_bucket(&s->trade_ids, trade_hash(&k));
}

int tl_order_store_each_live(tl_order_store *s, tl_order_visit_fn fn, void *ctx)
{
    for (uint32_t i = 0; i < s->cap; i++) {
        tl_order *o = &s->orders[i];
        if (o->client_seq == 0 || !tl_order_status_is_live(o->status))
            continue;
        int rc = fn(ctx, o);
        if (rc != 0)
            return rc;
    }
    return 0;
}

uint32_t tl_order_store_fills(const tl_order_store *s, const tl_order *o, tl_fill *out,
                              uint32_t cap)
{
    uint32_t n = 0;
    for (uint32_t rec = o->fill_head; rec != NIL && n < cap; rec = s->fills[rec].next)
        out[n++] = s->fills[rec].fill;
    return n;
}
