/* book_check.c -- tl__lob_check: the book's invariants, walked in full, for the tests (the
 * randomized test runs it after every step). Never on a hot path. */
#include "exchange/book.h"

#define FAIL(...) tl_err_set(err, TL_ECORRUPT, __VA_ARGS__)

/* One level: its FIFO list links both ways, its count and quantity add up, its nodes point back
 * at it and are indexed by id. Adds its orders to *orders. */
static int check_level(const tl_lob *b, uint32_t li, size_t *orders, tl_err *err)
{
    const tl__lob_level *lv = &b->levels[li];
    uint32_t prev = TL__LOB_NONE, n = 0;
    tl_fixed qty = 0;
    uint64_t last_seq = 0;
    for (uint32_t ni = lv->head; ni != TL__LOB_NONE; ni = b->nodes[ni].next) {
        const tl__lob_node *node = &b->nodes[ni];
        uint32_t idx;
        if (node->prev != prev || node->level != li || node->remaining <= 0 ||
            node->remaining > node->orig_qty)
            return FAIL("book: order %llu badly linked", (unsigned long long)node->order_id);
        if (!tl_hashmap_get(&b->ids, node->order_id, &idx) || idx != ni)
            return FAIL("book: order %llu not indexed", (unsigned long long)node->order_id);
        if (node->seq <= last_seq)
            return FAIL("book: level %llu out of time order", (unsigned long long)lv->tick);
        last_seq = node->seq;
        qty += node->remaining;
        prev = ni;
        n++;
    }
    if (lv->tail != prev || lv->count != n || lv->qty != qty || n == 0)
        return FAIL("book: level %llu totals wrong", (unsigned long long)lv->tick);
    *orders += n;
    return 0;
}

int tl__lob_check(const tl_lob *b, tl_err *err)
{
    size_t orders = 0;
    for (uint8_t side = 0; side < 2; side++) {
        const tl__lob_side *s = &b->side[side];
        uint64_t t = s->best, prev = 0;
        size_t levels = 0;
        for (bool more = s->has_best; more; more = tl__lob_next_tick(b, side, t, &t)) {
            uint32_t li = tl__lob_level_at(b, side, t);
            if (li == TL__LOB_NONE || b->levels[li].tick != t)
                return FAIL("book: tick %llu has no level", (unsigned long long)t);
            if (levels > 0 && (side == TL_SIDE_BUY ? t >= prev : t <= prev))
                return FAIL("book: levels out of price order at %llu", (unsigned long long)t);
            int rc = check_level(b, li, &orders, err);
            if (rc != 0)
                return rc;
            prev = t;
            levels++;
        }
        /* Every level in use is reached from the best. */
        size_t in_use = 0;
        for (uint32_t li = 0; li < b->levels_len; li++)
            in_use += b->levels[li].count > 0 && b->levels[li].side == side;
        if (in_use != levels)
            return FAIL("book: %zu levels in use, %zu reachable", in_use, levels);
    }
    if (orders != b->count || b->ids.count != b->count)
        return FAIL("book: %zu orders reached, %zu counted, %llu indexed", orders, b->count,
                    (unsigned long long)b->ids.count);
    if (b->side[0].has_best && b->side[1].has_best && b->side[0].best >= b->side[1].best)
        return FAIL("book: crossed");
    if (b->pinned_block != TL__LOB_NONE)
        return FAIL("book: a block is still pinned");
    return 0;
}
