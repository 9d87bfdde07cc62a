/* book.c -- the order book: orders, matching, cancel and the read-only views. The price index
 * (tick -> level, best level) is book_index.c. */
#include "exchange/book.h"

#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

const char *tl_lob_status_name(tl_lob_status s)
{
    switch (s) {
    case TL_LOB_NEW:
        return "NEW";
    case TL_LOB_PARTIALLY_FILLED:
        return "PARTIALLY_FILLED";
    case TL_LOB_FILLED:
        return "FILLED";
    case TL_LOB_EXPIRED:
        return "EXPIRED";
    }
    return "UNKNOWN";
}

int tl_lob_init(tl_lob *b, tl_fixed tick_size, tl_fixed lot_size, size_t capacity_hint, tl_err *err)
{
    if (tick_size <= 0 || lot_size <= 0)
        return tl_err_set(err, TL_EINVAL, "book: tick size and lot size must be positive");
    if (capacity_hint >= UINT32_MAX / 2)
        return tl_err_set(err, TL_EINVAL, "book: capacity hint %zu too large", capacity_hint);
    memset(b, 0, sizeof(*b));
    b->tick_size = tick_size;
    b->lot_size = lot_size;
    b->free_node = b->free_level = b->free_block = b->pinned_block = TL__LOB_NONE;
    size_t hint = capacity_hint ? capacity_hint : 16;
    if (TL_VEC_RESERVE32(&b->nodes, &b->nodes_cap, hint) != 0 ||
        TL_VEC_RESERVE32(&b->levels, &b->levels_cap, hint / 4 + 16) != 0 ||
        TL_VEC_RESERVE32(&b->blocks, &b->blocks_cap, 4) != 0 ||
        tl_hashmap_init(&b->ids, hint) != 0 || tl_hashmap_init(&b->block_map, 64) != 0) {
        tl_lob_close(b);
        return tl_err_set(err, TL_ENOMEM, "book: out of memory for %zu orders", hint);
    }
    return 0;
}

void tl_lob_close(tl_lob *b)
{
    free(b->nodes);
    free(b->levels);
    free(b->blocks);
    free(b->side[0].blocks);
    free(b->side[1].blocks);
    tl_hashmap_close(&b->ids);
    tl_hashmap_close(&b->block_map);
    memset(b, 0, sizeof(*b));
}

/* Checks what submit and preview share; the price's tick in *tick (0 for MARKET). */
static int check_order(const tl_lob *b, uint8_t side, uint8_t type, tl_fixed price, tl_fixed qty,
                       uint64_t *tick, tl_err *err)
{
    if (side != TL_SIDE_BUY && side != TL_SIDE_SELL)
        return tl_err_set(err, TL_EINVAL, "book: side %u is neither BUY nor SELL", side);
    if (qty <= 0 || !tl_fixed_is_multiple(qty, b->lot_size))
        return tl_err_set(err, TL_EINVAL,
                          "book: quantity %lld must be positive and a multiple of the lot %lld "
                          "(1e-8 units)",
                          (long long)qty, (long long)b->lot_size);
    if (type == TL_ORDER_MARKET) {
        if (price != 0)
            return tl_err_set(err, TL_EINVAL, "book: a MARKET order has no price");
        *tick = 0;
        return 0;
    }
    if (type != TL_ORDER_LIMIT)
        return tl_err_set(err, TL_EINVAL, "book: type %u is neither LIMIT nor MARKET", type);
    if (price <= 0 || !tl_fixed_is_multiple(price, b->tick_size))
        return tl_err_set(err, TL_EINVAL,
                          "book: price %lld must be positive and a multiple of the tick %lld "
                          "(1e-8 units)",
                          (long long)price, (long long)b->tick_size);
    *tick = (uint64_t)(price / b->tick_size);
    return 0;
}

/* Whether a level at tick of the opposite side of a taker on `side` is within its limit. */
static inline bool crosses(uint8_t side, bool is_limit, uint64_t limit, uint64_t t)
{
    return !is_limit || (side == TL_SIDE_BUY ? t <= limit : t >= limit);
}

/* The most a taker's fills could cost: every fill is at a price no worse for the maker than the
 * far end of what it can reach, so qty at that price bounds the notional. TL_ERANGE when that
 * bound (plus the rounding) may not fit a tl_fixed, before anything moves. */
static int check_notional(const tl_lob *b, uint8_t side, bool is_limit, tl_fixed price,
                          tl_fixed qty, tl_err *err)
{
    uint8_t opp = side ^ 1;
    uint64_t far;
    if (side == TL_SIDE_BUY ? !tl__lob_worst_tick(b, opp, &far) : !b->side[opp].has_best)
        return 0; /* nothing to meet */
    if (side == TL_SIDE_SELL)
        far = b->side[opp].best;
    tl_fixed bound = (tl_fixed)far * b->tick_size;
    if (is_limit && side == TL_SIDE_BUY && price < bound)
        bound = price;
    if ((__int128)bound * qty / TL_FIXED_SCALE + 1 > TL_FIXED_MAX)
        return tl_err_set(err, TL_ERANGE, "book: the order's notional could exceed the range");
    return 0;
}

int tl_lob_preview(const tl_lob *b, uint8_t side, uint8_t type, tl_fixed limit_price, tl_fixed qty,
                   tl_fixed *fillable_qty, tl_fixed *notional)
{
    uint64_t limit, t;
    int rc = check_order(b, side, type, limit_price, qty, &limit, NULL);
    if (rc != 0)
        return rc;
    uint8_t opp = side ^ 1;
    bool is_limit = type == TL_ORDER_LIMIT, more = b->side[opp].has_best;
    tl_fixed left = qty;
    __int128 sum = 0;
    for (t = b->side[opp].best; more && left > 0 && crosses(side, is_limit, limit, t);
         more = tl__lob_next_tick(b, opp, t, &t)) {
        const tl__lob_level *lv = &b->levels[tl__lob_level_at(b, opp, t)];
        tl_fixed q = lv->qty < left ? lv->qty : left;
        sum += (__int128)((tl_fixed)t * b->tick_size) * q;
        left -= q;
    }
    tl_fixed n;
    if ((rc = tl_fixed_from_ratio128(sum, TL_FIXED_SCALE, &n)) != 0)
        return rc;
    *fillable_qty = qty - left;
    *notional = n;
    return 0;
}

static void node_free(tl_lob *b, uint32_t ni)
{
    b->nodes[ni].next = b->free_node;
    b->free_node = ni;
}

/* Takes o's quantity from the opposite side while it crosses; returns what is left. */
static tl_fixed match(tl_lob *b, const tl_lob_order *o, uint64_t limit, tl_lob_fill_fn fn,
                      void *ctx, __int128 *sum, uint32_t *fills)
{
    uint8_t opp = o->side ^ 1;
    bool is_limit = o->type == TL_ORDER_LIMIT;
    tl_fixed left = o->qty;
    tl_lob_fill f = {0, o->order_id, 0, o->account, o->side, false, 0, 0};
    while (left > 0 && b->side[opp].has_best &&
           crosses(o->side, is_limit, limit, b->side[opp].best)) {
        uint32_t li = tl__lob_level_at(b, opp, b->side[opp].best);
        tl__lob_level *lv = &b->levels[li];
        f.price = (tl_fixed)lv->tick * b->tick_size;
        while (left > 0 && lv->head != TL__LOB_NONE) {
            uint32_t ni = lv->head;
            tl__lob_node *n = &b->nodes[ni];
            f.qty = n->remaining < left ? n->remaining : left;
            n->remaining -= f.qty;
            lv->qty -= f.qty;
            left -= f.qty;
            *sum += (__int128)f.price * f.qty;
            f.maker_order_id = n->order_id;
            f.maker_account = n->account;
            f.maker_done = n->remaining == 0;
            if (f.maker_done) {
                lv->head = n->next;
                if (lv->head != TL__LOB_NONE)
                    b->nodes[lv->head].prev = TL__LOB_NONE;
                else
                    lv->tail = TL__LOB_NONE;
                lv->count--;
                b->count--;
                tl_hashmap_del(&b->ids, n->order_id);
                node_free(b, ni);
            }
            (*fills)++;
            if (fn)
                fn(ctx, &f);
        }
        if (lv->count == 0)
            tl__lob_level_remove(b, li);
    }
    return left;
}

/* Puts node ni (its fields set) at the tail of its level at tick, making the level if needed
 * (room reserved by tl__lob_reserve). */
static void rest(tl_lob *b, uint32_t ni, uint8_t side, uint64_t tick)
{
    uint32_t li = tl__lob_level_at(b, side, tick);
    if (li == TL__LOB_NONE)
        li = tl__lob_level_add(b, side, tick);
    tl__lob_level *lv = &b->levels[li];
    tl__lob_node *n = &b->nodes[ni];
    n->level = li;
    n->prev = lv->tail;
    n->next = TL__LOB_NONE;
    if (lv->tail != TL__LOB_NONE)
        b->nodes[lv->tail].next = ni;
    else
        lv->head = ni;
    lv->tail = ni;
    lv->count++;
    lv->qty += n->remaining;
    b->count++;
}

/* For an order that may rest: a node taken from the pool, its id in the index (which also
 * refuses a duplicate in the same probe), and room for its level. Nothing changes on failure. */
static int reserve_rest(tl_lob *b, const tl_lob_order *o, uint64_t tick, uint32_t *node,
                        tl_err *err)
{
    uint32_t li = tl__lob_level_at(b, o->side, tick);
    if (li != TL__LOB_NONE && b->levels[li].qty > TL_FIXED_MAX - o->qty)
        return tl_err_set(err, TL_ERANGE, "book: the quantity at that price would exceed range");
    if (b->free_node == TL__LOB_NONE &&
        TL_VEC_RESERVE32(&b->nodes, &b->nodes_cap, (size_t)b->nodes_len + 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "book: out of memory for orders");
    if (tl__lob_reserve(b, o->side, tick) != 0)
        return tl_err_set(err, TL_ENOMEM, "book: out of memory for price levels");
    uint32_t ni = b->free_node != TL__LOB_NONE ? b->free_node : b->nodes_len;
    int rc = tl_hashmap_insert_new(&b->ids, o->order_id, ni);
    if (rc != 0) {
        tl__lob_block_release(b, tick);
        return rc == 1 ? tl_err_set(err, TL_EINVAL, "book: order id %llu is already resting",
                                    (unsigned long long)o->order_id)
                       : tl_err_set(err, TL_ENOMEM, "book: out of memory for order ids");
    }
    if (ni == b->free_node)
        b->free_node = b->nodes[ni].next;
    else
        b->nodes_len++;
    *node = ni;
    return 0;
}

int tl_lob_submit(tl_lob *b, const tl_lob_order *o, tl_lob_fill_fn fn, void *ctx,
                  tl_lob_result *res, tl_err *err)
{
    uint64_t tick;
    uint32_t ni = TL__LOB_NONE, tmp;
    int rc = check_order(b, o->side, o->type, o->price, o->qty, &tick, err);
    if (rc != 0)
        return rc;
    if (o->tif != TL_LOB_GTC && o->tif != TL_LOB_IOC && o->tif != TL_LOB_FOK)
        return tl_err_set(err, TL_EINVAL, "book: time in force %u is not GTC, IOC or FOK", o->tif);
    if (o->order_id == 0)
        return tl_err_set(err, TL_EINVAL, "book: order id 0 is reserved");
    bool is_limit = o->type == TL_ORDER_LIMIT;
    bool may_rest = is_limit && o->tif == TL_LOB_GTC;
    if (!may_rest && tl_hashmap_get(&b->ids, o->order_id, &tmp))
        return tl_err_set(err, TL_EINVAL, "book: order id %llu is already resting",
                          (unsigned long long)o->order_id);
    if ((rc = check_notional(b, o->side, is_limit, o->price, o->qty, err)) != 0)
        return rc;
    memset(res, 0, sizeof(*res));
    if (o->tif == TL_LOB_FOK) {
        tl_fixed can, n;
        if ((rc = tl_lob_preview(b, o->side, o->type, o->price, o->qty, &can, &n)) != 0)
            return tl_err_set(err, rc, "book: %s", tl_strerror(rc));
        if (can < o->qty) {
            b->seq++; /* it arrived, and expired */
            res->status = TL_LOB_EXPIRED;
            return 0;
        }
    }
    if (may_rest && (rc = reserve_rest(b, o, tick, &ni, err)) != 0)
        return rc;
    uint64_t seq = ++b->seq;
    __int128 sum = 0;
    tl_fixed left = match(b, o, tick, fn, ctx, &sum, &res->fills);
    if (may_rest) {
        if (left > 0) {
            b->nodes[ni] = (tl__lob_node){o->order_id, seq, o->qty, left, 0, 0, 0, o->account};
            rest(b, ni, o->side, tick);
        } else {
            tl_hashmap_del(&b->ids, o->order_id);
            node_free(b, ni);
        }
        tl__lob_block_release(b, tick);
    }
    res->filled_qty = o->qty - left;
    res->rested_qty = may_rest ? left : 0;
    /* Cannot fail: check_notional bounded the sum. */
    (void)tl_fixed_from_ratio128(sum, TL_FIXED_SCALE, &res->notional);
    if (left == 0)
        res->status = TL_LOB_FILLED;
    else if (res->rested_qty > 0)
        res->status = res->filled_qty > 0 ? TL_LOB_PARTIALLY_FILLED : TL_LOB_NEW;
    else
        res->status = TL_LOB_EXPIRED;
    return 0;
}

static void resting_of(const tl_lob *b, uint32_t ni, tl_lob_resting *out)
{
    const tl__lob_node *n = &b->nodes[ni];
    const tl__lob_level *lv = &b->levels[n->level];
    *out = (tl_lob_resting){n->order_id, n->account,   lv->side, (tl_fixed)lv->tick * b->tick_size,
                            n->orig_qty, n->remaining, n->seq};
}

int tl_lob_cancel(tl_lob *b, uint64_t order_id, tl_lob_resting *out)
{
    uint32_t ni;
    if (!tl_hashmap_get(&b->ids, order_id, &ni))
        return TL_ENOTFOUND;
    if (out)
        resting_of(b, ni, out);
    tl__lob_node *n = &b->nodes[ni];
    uint32_t li = n->level;
    tl__lob_level *lv = &b->levels[li];
    if (n->prev != TL__LOB_NONE)
        b->nodes[n->prev].next = n->next;
    else
        lv->head = n->next;
    if (n->next != TL__LOB_NONE)
        b->nodes[n->next].prev = n->prev;
    else
        lv->tail = n->prev;
    lv->qty -= n->remaining;
    lv->count--;
    b->count--;
    tl_hashmap_del(&b->ids, order_id);
    node_free(b, ni);
    if (lv->count == 0)
        tl__lob_level_remove(b, li);
    return 0;
}

bool tl_lob_get(const tl_lob *b, uint64_t order_id, tl_lob_resting *out)
{
    uint32_t ni;
    if (!tl_hashmap_get(&b->ids, order_id, &ni))
        return false;
    if (out)
        resting_of(b, ni, out);
    return true;
}

static void best_of(const tl_lob *b, uint8_t side, tl_fixed *px, tl_fixed *qty)
{
    const tl__lob_side *s = &b->side[side];
    tl_fixed p = 0, q = 0;
    if (s->has_best) {
        p = (tl_fixed)s->best * b->tick_size;
        q = b->levels[tl__lob_level_at(b, side, s->best)].qty;
    }
    if (px)
        *px = p;
    if (qty)
        *qty = q;
}

void tl_lob_best(const tl_lob *b, tl_fixed *bid, tl_fixed *bid_qty, tl_fixed *ask,
                 tl_fixed *ask_qty)
{
    best_of(b, TL_SIDE_BUY, bid, bid_qty);
    best_of(b, TL_SIDE_SELL, ask, ask_qty);
}

void tl_lob_depth(const tl_lob *b, uint8_t side, size_t levels, tl_lob_level_info *out, size_t *n)
{
    size_t k = 0;
    uint64_t t = b->side[side & 1].best;
    for (bool more = b->side[side & 1].has_best; more && k < levels;
         more = tl__lob_next_tick(b, side & 1, t, &t)) {
        const tl__lob_level *lv = &b->levels[tl__lob_level_at(b, side & 1, t)];
        out[k++] = (tl_lob_level_info){(tl_fixed)t * b->tick_size, lv->qty, lv->count};
    }
    *n = k;
}

size_t tl_lob_count(const tl_lob *b)
{
    return b->count;
}

void tl_lob_iter(const tl_lob *b, uint8_t side, tl_lob_iter_fn fn, void *ctx)
{
    uint64_t t = b->side[side & 1].best;
    for (bool more = b->side[side & 1].has_best; more;
         more = tl__lob_next_tick(b, side & 1, t, &t)) {
        const tl__lob_level *lv = &b->levels[tl__lob_level_at(b, side & 1, t)];
        for (uint32_t ni = lv->head; ni != TL__LOB_NONE; ni = b->nodes[ni].next) {
            tl_lob_resting r;
            resting_of(b, ni, &r);
            if (!fn(ctx, &r))
                return;
        }
    }
}
