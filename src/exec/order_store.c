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
    ok = ok && tl_hashmap_init(&s->by_client, capacity) == 0;
    ok = ok && tl_hashmap_init(&s->by_venue, capacity) == 0;
    ok = ok && tl_hashmap_init(&s->trade_ids, capacity) == 0;
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
    tl_hashmap_close(&s->by_client);
    tl_hashmap_close(&s->by_venue);
    tl_hashmap_close(&s->trade_ids);
    memset(s, 0, sizeof(*s));
    s->free_head = s->fill_free = s->retire_head = s->retire_tail = NIL;
}

void tl_order_store_set_next_seq(tl_order_store *s, uint64_t next_client_seq)
{
    s->next_client_seq = next_client_seq ? next_client_seq : 1; /* 0 means "no order" */
}

static uint32_t slot_of(const tl_order_store *s, const tl_order *o)
{
    uintptr_t base = (uintptr_t)s->orders, p = (uintptr_t)o;
    if (o == NULL || p < base || p >= base + (uintptr_t)s->cap * sizeof(tl_order) ||
        (p - base) % sizeof(tl_order) != 0)
        return NIL;
    uint32_t slot = (uint32_t)((p - base) / sizeof(tl_order));
    return s->orders[slot].client_seq != 0 ? slot : NIL;
}

static void free_rec(tl_order_store *s, uint32_t rec)
{
    s->fills[rec].next = s->fill_free;
    s->fill_free = rec;
}

static uint64_t trade_hash(const char *trade_id)
{
    return tl_hash_bytes(trade_id, strlen(trade_id));
}

/* The record holding trade_id, or NIL. Two ids may share a hash: compare the strings. */
static uint32_t find_trade(const tl_order_store *s, uint64_t h, const char *trade_id)
{
    uint64_t cursor = 0;
    uint32_t rec;
    while (tl_hashmap_next_match(&s->trade_ids, h, &cursor, &rec)) {
        if (strcmp(s->fills[rec].fill.trade_id, trade_id) == 0)
            return rec;
    }
    return NIL;
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
    tl_hashmap_del_pair(&s->by_client, o->client_seq, slot);
    if (o->venue_seq != 0)
        tl_hashmap_del_pair(&s->by_venue, o->venue_seq, slot);
    for (uint32_t rec = o->fill_head; rec != NIL;) {
        uint32_t next = s->fills[rec].next;
        tl_hashmap_del_pair(&s->trade_ids, trade_hash(s->fills[rec].fill.trade_id), rec);
        free_rec(s, rec);
        rec = next;
    }
    memset(o, 0, sizeof(*o));
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

int tl_order_store_add(tl_order_store *s, const tl_order *proto, tl_order **out)
{
    tl_order o = *proto; /* proto may live in the pool, which may move */
    uint64_t seq = s->next_client_seq;
    uint32_t slot;

    if (o.status >= TL_OS__COUNT)
        return TL_EINVAL;
    /* Only after a restart numbered below existing orders; refused rather than shadowing one. */
    if (tl_hashmap_get(&s->by_client, seq, &slot))
        return TL_EDUPLICATE;
    if (o.venue_seq != 0 && tl_hashmap_get(&s->by_venue, o.venue_seq, &slot))
        return TL_EDUPLICATE;
    if (s->free_head == NIL && grow_orders(s) != 0)
        return TL_ENOMEM;
    slot = s->free_head;
    if (tl_hashmap_put(&s->by_client, seq, slot) != 0)
        return TL_ENOMEM;
    if (o.venue_seq != 0 && tl_hashmap_put(&s->by_venue, o.venue_seq, slot) != 0) {
        tl_hashmap_del_pair(&s->by_client, seq, slot);
        return TL_ENOMEM;
    }

    tl_order *dst = &s->orders[slot];
    s->free_head = dst->next;
    *dst = o;
    dst->client_seq = seq;
    dst->fill_head = NIL;
    dst->next = NIL;
    s->next_client_seq = seq + 1;
    s->used++;
    s->stats.added++;
    if (tl_order_status_is_terminal(dst->status))
        retire(s, slot);
    if (out != NULL)
        *out = dst;
    return 0;
}

tl_order *tl_order_store_by_client(const tl_order_store *s, uint64_t client_seq)
{
    uint32_t slot;
    if (client_seq == 0 || !tl_hashmap_get(&s->by_client, client_seq, &slot))
        return NULL;
    return &s->orders[slot];
}

tl_order *tl_order_store_by_venue(const tl_order_store *s, uint64_t venue_seq)
{
    uint32_t slot;
    if (venue_seq == 0 || !tl_hashmap_get(&s->by_venue, venue_seq, &slot))
        return NULL;
    return &s->orders[slot];
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
    uint32_t slot = slot_of(s, o), other;

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
    if (tl_hashmap_get(&s->by_venue, venue_seq, &other)) {
        return tl_err_set(err, TL_EDUPLICATE,
                          CLI_FMT ": " ORD_FMT " already belongs to another order", o->client_seq,
                          venue_seq);
    }
    if (tl_hashmap_put(&s->by_venue, venue_seq, slot) != 0) {
        return tl_err_set(err, TL_ENOMEM, CLI_FMT ": out of memory indexing " ORD_FMT,
                          o->client_seq, venue_seq);
    }
    o->venue_seq = venue_seq;
    return 0;
}

int tl_order_store_apply(tl_order_store *s, uint64_t client_seq, tl_order_event ev, int64_t now_ns,
                         tl_err *err)
{
    uint32_t slot;

    if (client_seq == 0 || !tl_hashmap_get(&s->by_client, client_seq, &slot))
        return tl_err_set(err, TL_ENOTFOUND, CLI_FMT ": no such order", client_seq);
    tl_order *o = &s->orders[slot];
    bool was_terminal = tl_order_status_is_terminal(o->status);
    int rc = tl_order_apply(o, ev, now_ns, err);
    if (rc != 0)
        return rc;
    if (!was_terminal && tl_order_status_is_terminal(o->status))
        retire(s, slot);
    return 0;
}

int tl_order_store_fill(tl_order_store *s, const tl_fill *fill, tl_order **out_order, tl_err *err)
{
    uint64_t seq = fill->client_seq;
    uint32_t slot, rec;

    if (seq == 0 || !tl_hashmap_get(&s->by_client, seq, &slot)) {
        s->stats.unknown_fills++;
        return tl_err_set(err, TL_ENOTFOUND, CLI_FMT ": fill for an unknown order", seq);
    }
    const char *nul = memchr(fill->trade_id, '\0', TL_TRADE_ID_MAX);
    if (nul == NULL || nul == fill->trade_id)
        return tl_err_set(err, TL_EINVAL, CLI_FMT ": fill without a valid trade id", seq);
    size_t len = (size_t)(nul - fill->trade_id);
    uint64_t h = tl_hash_bytes(fill->trade_id, len);
    if (find_trade(s, h, fill->trade_id) != NIL) {
        s->stats.dup_fills++;
        return tl_err_set(err, TL_EDUPLICATE, CLI_FMT ": trade %s already applied", seq,
                          fill->trade_id);
    }

    /* Reserve everything that can fail for want of memory before the order changes, so a failure
     * anywhere leaves the store as it was. */
    if (s->fill_free == NIL && grow_fills(s) != 0)
        return tl_err_set(err, TL_ENOMEM, CLI_FMT ": out of memory recording a fill", seq);
    rec = s->fill_free;
    if (tl_hashmap_insert_multi(&s->trade_ids, h, rec) != 0)
        return tl_err_set(err, TL_ENOMEM, CLI_FMT ": out of memory recording a trade id", seq);

    tl_order *o = &s->orders[slot];
    uint8_t before = o->status;
    int rc = tl_order_apply_fill(o, fill->qty, fill->price, fill->fee, fill->ts_ns, err);
    if (rc != 0) {
        tl_hashmap_del_pair(&s->trade_ids, h, rec);
        if (rc == TL_EOVERFILL)
            s->stats.overfills++;
        return rc;
    }

    tl_fill_rec *r = &s->fills[rec];
    s->fill_free = r->next;
    memset(r, 0, sizeof(*r)); /* no stale bytes after the trade id's NUL */
    memcpy(r->fill.trade_id, fill->trade_id, len);
    r->fill.client_seq = fill->client_seq;
    r->fill.qty = fill->qty;
    r->fill.price = fill->price;
    r->fill.fee = fill->fee;
    r->fill.ts_ns = fill->ts_ns;
    r->next = NIL;
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

bool tl_order_store_has_trade(const tl_order_store *s, const char *trade_id)
{
    if (trade_id == NULL)
        return false;
    size_t len = strnlen(trade_id, TL_TRADE_ID_MAX);
    if (len == 0 || len == TL_TRADE_ID_MAX)
        return false;
    return find_trade(s, tl_hash_bytes(trade_id, len), trade_id) != NIL;
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
