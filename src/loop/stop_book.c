/* stop_book.c -- see stop_book.h. */
#include "loop/stop_book.h"

#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

#define NONE UINT32_MAX

struct tl__stop_slot {
    tl_stop s;
    uint32_t pos;       /* index in its heap while armed */
    uint32_t next_free; /* the free chain, while not live */
    bool live;
};

typedef struct tl__stop_slot slot_t;

static uint64_t key_of(uint32_t account, uint32_t instrument)
{
    return (uint64_t)account << 32 | instrument;
}

/* The heaps' one order: true when a comes before b (is crossed first). Prices tie only between
 * different accounts, since a heap holds one stop per account. */
static inline bool before(bool longs, const tl__stop_entry *a, const tl__stop_entry *b)
{
    if (a->price != b->price)
        return longs ? a->price > b->price : a->price < b->price;
    return a->account < b->account;
}

static inline bool crosses(bool longs, tl_fixed stop, tl_fixed bid, tl_fixed ask)
{
    return longs ? bid <= stop : ask >= stop;
}

/* ---- heaps --------------------------------------------------------------------------------- */

/* Puts e at position i and tells its slot. */
static inline void place(slot_t *slots, tl__stop_heap *h, uint32_t i, tl__stop_entry e)
{
    h->items[i] = e;
    slots[e.slot].pos = i;
}

static void sift_up(slot_t *slots, tl__stop_heap *h, bool longs, uint32_t i)
{
    tl__stop_entry e = h->items[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!before(longs, &e, &h->items[parent]))
            break;
        place(slots, h, i, h->items[parent]);
        i = parent;
    }
    place(slots, h, i, e);
}

static void sift_down(slot_t *slots, tl__stop_heap *h, bool longs, uint32_t i)
{
    tl__stop_entry e = h->items[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->len)
            break;
        if (c + 1 < h->len && before(longs, &h->items[c + 1], &h->items[c]))
            c++;
        if (!before(longs, &h->items[c], &e))
            break;
        place(slots, h, i, h->items[c]);
        i = c;
    }
    place(slots, h, i, e);
}

/* Restores the order around position i after its entry changed either way. */
static void resift(slot_t *slots, tl__stop_heap *h, bool longs, uint32_t i)
{
    if (i > 0 && before(longs, &h->items[i], &h->items[(i - 1) / 2]))
        sift_up(slots, h, longs, i);
    else
        sift_down(slots, h, longs, i);
}

/* Capacity first, so the insert that follows cannot fail: the heap and crossed's frontier. */
static int heap_reserve(tl_stop_book *book, tl__stop_heap *h)
{
    if (TL_VEC_RESERVE32(&h->items, &h->cap, (size_t)h->len + 1) != 0 ||
        TL_VEC_RESERVE32(&book->frontier, &book->frontier_cap, (size_t)h->len + 1) != 0)
        return TL_ENOMEM;
    return 0;
}

static void heap_insert(slot_t *slots, tl__stop_heap *h, bool longs, uint32_t slot)
{
    const tl_stop *s = &slots[slot].s;
    tl__stop_entry e = {s->price, s->account, slot};
    place(slots, h, h->len++, e);
    sift_up(slots, h, longs, h->len - 1);
}

static void heap_remove(slot_t *slots, tl__stop_heap *h, bool longs, uint32_t i)
{
    h->len--;
    if (i == h->len)
        return;
    place(slots, h, i, h->items[h->len]);
    resift(slots, h, longs, i);
}

static tl__stop_heap *heap_of(tl_stop_book *book, const tl_stop *s)
{
    tl__stop_heaps *hs = &book->inst[s->instrument];
    return s->is_long ? &hs->longs : &hs->shorts;
}

/* ---- the book ------------------------------------------------------------------------------ */

int tl_stop_book_init(tl_stop_book *book, size_t capacity)
{
    memset(book, 0, sizeof(*book));
    book->free_slot = NONE;
    if (capacity > UINT32_MAX - 1)
        return TL_ENOMEM;
    if (tl_hashmap_init(&book->index, capacity) != 0)
        return TL_ENOMEM;
    if (capacity > 0 && (TL_VEC_RESERVE32(&book->slots, &book->slots_cap, capacity) != 0 ||
                         TL_VEC_RESERVE32(&book->frontier, &book->frontier_cap, capacity) != 0)) {
        tl_stop_book_close(book);
        return TL_ENOMEM;
    }
    return 0;
}

void tl_stop_book_close(tl_stop_book *book)
{
    for (uint32_t i = 0; i < book->inst_cap; i++) {
        free(book->inst[i].longs.items);
        free(book->inst[i].shorts.items);
    }
    free(book->inst);
    free(book->slots);
    free(book->frontier);
    tl_hashmap_close(&book->index);
    memset(book, 0, sizeof(*book));
    book->free_slot = NONE;
}

/* The heaps of every instrument id up to `instrument`, new ones empty. */
static int reserve_instrument(tl_stop_book *book, uint32_t instrument)
{
    uint32_t old = book->inst_cap;
    if (instrument < old)
        return 0;
    if (TL_VEC_RESERVE32(&book->inst, &book->inst_cap, (size_t)instrument + 1) != 0)
        return TL_ENOMEM;
    memset(book->inst + old, 0, (size_t)(book->inst_cap - old) * sizeof(*book->inst));
    return 0;
}

static slot_t *find(const tl_stop_book *book, uint32_t account, uint32_t instrument)
{
    uint32_t slot;
    if (!tl_hashmap_get(&book->index, key_of(account, instrument), &slot))
        return NULL;
    return &book->slots[slot];
}

/* Moves an existing stop; every allocation happens before the first change. */
static int update(tl_stop_book *book, slot_t *sl, bool is_long, tl_fixed price, tl_fixed qty)
{
    tl_stop *s = &sl->s;
    uint32_t slot = (uint32_t)(sl - book->slots);
    if (s->armed && s->is_long != is_long) { /* the position flipped: the other heap */
        tl__stop_heaps *hs = &book->inst[s->instrument];
        tl__stop_heap *to = is_long ? &hs->longs : &hs->shorts;
        if (heap_reserve(book, to) != 0)
            return TL_ENOMEM;
        heap_remove(book->slots, heap_of(book, s), s->is_long, sl->pos);
        s->is_long = is_long;
        s->price = price;
        heap_insert(book->slots, to, is_long, slot);
    } else if (s->armed && s->price != price) {
        tl__stop_heap *h = heap_of(book, s);
        h->items[sl->pos].price = price;
        resift(book->slots, h, is_long, sl->pos);
    }
    s->is_long = is_long;
    s->price = price;
    s->qty = qty;
    return 0;
}

int tl_stop_book_set(tl_stop_book *book, uint32_t account, uint32_t instrument, bool is_long,
                     tl_fixed price, tl_fixed qty, tl_err *err)
{
    if (price <= 0 || qty <= 0)
        return tl_err_set(
            err, TL_EINVAL,
            "stop of account %u on instrument %u: price and quantity must be positive", account,
            instrument);
    if (instrument >= TL_STOP_MAX_INSTRUMENTS)
        return tl_err_set(err, TL_ERANGE, "stop on instrument %u: ids stop at %u", instrument,
                          TL_STOP_MAX_INSTRUMENTS - 1);
    if (reserve_instrument(book, instrument) != 0)
        return tl_err_set(err, TL_ENOMEM, "stop book: out of memory");
    slot_t *sl = find(book, account, instrument);
    if (sl != NULL) {
        if (update(book, sl, is_long, price, qty) != 0)
            return tl_err_set(err, TL_ENOMEM, "stop book: out of memory");
        return 0;
    }

    /* A new stop: a slot, room in its heap, then the index (the last step that can fail). */
    uint32_t slot = book->free_slot != NONE ? book->free_slot : book->slots_used;
    tl__stop_heaps *hs = &book->inst[instrument];
    tl__stop_heap *h = is_long ? &hs->longs : &hs->shorts;
    if ((slot == book->slots_used &&
         TL_VEC_RESERVE32(&book->slots, &book->slots_cap, (size_t)slot + 1) != 0) ||
        heap_reserve(book, h) != 0 ||
        tl_hashmap_insert_new(&book->index, key_of(account, instrument), slot) != 0)
        return tl_err_set(err, TL_ENOMEM, "stop book: out of memory");
    if (slot == book->slots_used)
        book->slots_used++;
    else
        book->free_slot = book->slots[slot].next_free;
    slot_t *n = &book->slots[slot];
    n->s = (tl_stop){account, instrument, price, qty, is_long, true};
    n->live = true;
    n->next_free = NONE;
    heap_insert(book->slots, h, is_long, slot);
    book->count++;
    return 0;
}

int tl_stop_book_remove(tl_stop_book *book, uint32_t account, uint32_t instrument)
{
    slot_t *sl = find(book, account, instrument);
    if (sl == NULL)
        return TL_ENOTFOUND;
    if (sl->s.armed)
        heap_remove(book->slots, heap_of(book, &sl->s), sl->s.is_long, sl->pos);
    tl_hashmap_del(&book->index, key_of(account, instrument));
    uint32_t slot = (uint32_t)(sl - book->slots);
    sl->live = false;
    sl->next_free = book->free_slot;
    book->free_slot = slot;
    book->count--;
    return 0;
}

int tl_stop_book_get(const tl_stop_book *book, uint32_t account, uint32_t instrument, tl_stop *out)
{
    const slot_t *sl = find(book, account, instrument);
    if (sl == NULL)
        return TL_ENOTFOUND;
    *out = sl->s;
    return 0;
}

int tl_stop_book_disarm(tl_stop_book *book, uint32_t account, uint32_t instrument)
{
    slot_t *sl = find(book, account, instrument);
    if (sl == NULL)
        return TL_ENOTFOUND;
    if (sl->s.armed) {
        heap_remove(book->slots, heap_of(book, &sl->s), sl->s.is_long, sl->pos);
        sl->s.armed = false;
        sl->pos = NONE;
    }
    return 0;
}

int tl_stop_book_arm(tl_stop_book *book, uint32_t account, uint32_t instrument)
{
    slot_t *sl = find(book, account, instrument);
    if (sl == NULL)
        return TL_ENOTFOUND;
    if (!sl->s.armed) {
        tl__stop_heap *h = heap_of(book, &sl->s);
        if (heap_reserve(book, h) != 0)
            return TL_ENOMEM;
        sl->s.armed = true;
        heap_insert(book->slots, h, sl->s.is_long, (uint32_t)(sl - book->slots));
    }
    return 0;
}

/* ---- crossed ------------------------------------------------------------------------------- */

/* The frontier is a small heap of positions in h, ordered like h: the best crossing entry not yet
 * reported is always its top. */
static void frontier_push(uint32_t *f, uint32_t *len, const tl__stop_heap *h, bool longs,
                          uint32_t pos)
{
    uint32_t i = (*len)++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!before(longs, &h->items[pos], &h->items[f[parent]]))
            break;
        f[i] = f[parent];
        i = parent;
    }
    f[i] = pos;
}

static uint32_t frontier_pop(uint32_t *f, uint32_t *len, const tl__stop_heap *h, bool longs)
{
    uint32_t top = f[0], last = f[--*len], i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= *len)
            break;
        if (c + 1 < *len && before(longs, &h->items[f[c + 1]], &h->items[f[c]]))
            c++;
        if (!before(longs, &h->items[f[c]], &h->items[last]))
            break;
        f[i] = f[c];
        i = c;
    }
    if (*len > 0)
        f[i] = last;
    return top;
}

/* Reports one heap's crossing entries best first. In a heap every entry comes after its parent,
 * so the crossing entries form a subtree at the root: walking it best first through the frontier
 * visits each of them once and at most two entries that do not cross per entry reported, and the
 * frontier never holds more than the heap. Returns false when out filled up with more left. */
static bool walk(tl_stop_book *book, const tl__stop_heap *h, bool longs, tl_fixed bid, tl_fixed ask,
                 tl_stop *out, size_t cap, size_t *n)
{
    if (h->len == 0 || !crosses(longs, h->items[0].price, bid, ask))
        return true; /* the usual quote: one comparison */
    uint32_t *f = book->frontier, flen = 0;
    frontier_push(f, &flen, h, longs, 0);
    while (flen > 0) {
        if (*n == cap)
            return false;
        uint32_t pos = frontier_pop(f, &flen, h, longs);
        out[(*n)++] = book->slots[h->items[pos].slot].s;
        for (uint32_t c = 2 * pos + 1; c <= 2 * pos + 2 && c < h->len; c++)
            if (crosses(longs, h->items[c].price, bid, ask))
                frontier_push(f, &flen, h, longs, c);
    }
    return true;
}

int tl_stop_book_crossed(tl_stop_book *book, uint32_t instrument, tl_fixed bid, tl_fixed ask,
                         tl_stop *out, size_t cap, size_t *n)
{
    *n = 0;
    if (instrument >= book->inst_cap)
        return 0;
    const tl__stop_heaps *hs = &book->inst[instrument];
    if (!walk(book, &hs->longs, true, bid, ask, out, cap, n))
        return 1;
    return walk(book, &hs->shorts, false, bid, ask, out, cap, n) ? 0 : 1;
}

/* ---- checks -------------------------------------------------------------------------------- */

static int check_heap(const tl_stop_book *book, const tl__stop_heap *h, bool longs, uint32_t inst)
{
    if (h->len > h->cap || h->len > book->frontier_cap)
        return TL_ECORRUPT;
    for (uint32_t i = 0; i < h->len; i++) {
        const tl__stop_entry *e = &h->items[i];
        if (e->slot >= book->slots_used)
            return TL_ECORRUPT;
        const slot_t *sl = &book->slots[e->slot];
        if (!sl->live || !sl->s.armed || sl->pos != i || sl->s.is_long != longs ||
            sl->s.instrument != inst || sl->s.price != e->price || sl->s.account != e->account)
            return TL_ECORRUPT;
        if (i > 0 && !before(longs, &h->items[(i - 1) / 2], e))
            return TL_ECORRUPT;
    }
    return 0;
}

int tl__stop_book_check(const tl_stop_book *book)
{
    uint64_t armed = 0, live = 0, in_heaps = 0, free_n = 0;
    for (uint32_t i = 0; i < book->slots_used; i++) {
        const slot_t *sl = &book->slots[i];
        if (!sl->live)
            continue;
        live++;
        armed += sl->s.armed;
        uint32_t v;
        if (!tl_hashmap_get(&book->index, key_of(sl->s.account, sl->s.instrument), &v) || v != i ||
            sl->s.instrument >= book->inst_cap || sl->s.price <= 0 || sl->s.qty <= 0)
            return TL_ECORRUPT;
    }
    for (uint32_t f = book->free_slot; f != NONE; f = book->slots[f].next_free) {
        if (f >= book->slots_used || book->slots[f].live || ++free_n > book->slots_used)
            return TL_ECORRUPT;
    }
    for (uint32_t i = 0; i < book->inst_cap; i++) {
        const tl__stop_heaps *hs = &book->inst[i];
        if (check_heap(book, &hs->longs, true, i) != 0 ||
            check_heap(book, &hs->shorts, false, i) != 0)
            return TL_ECORRUPT;
        in_heaps += (uint64_t)hs->longs.len + hs->shorts.len;
    }
    if (live != book->count || live != book->index.count || armed != in_heaps ||
        live + free_n != book->slots_used)
        return TL_ECORRUPT;
    return 0;
}
