/* book_index.c -- the book's price index: tick -> level in O(1), and the best level of a side
 * after any change in O(1), without scanning empty prices.
 *
 * Prices are ticks (price / tick_size). Ticks are grouped in blocks of 4096; a block holds the
 * level index of each of its ticks and, per side, a two-level bitmap (64 words of 64 bits and a
 * summary word saying which words are not zero). A hash map finds a block by number. Each side
 * keeps its blocks that hold a level in an array sorted so that the best block is last (bids
 * ascending, asks descending): the best level is the last block's extreme bit, two count-leading
 * (or trailing) zero instructions away. Blocks are few (a book 1% wide around 100,000 with a
 * tick of 0.01 spans about 50), so the sorted array stays short, and inserting or removing a
 * block happens near its best end in the common case. */
#include <string.h>

#include "core/vec.h"
#include "exchange/book.h"

#define BLOCK_MASK (TL__LOB_BLOCK_TICKS - 1)

/* A side's sort key of a block number: ascending for both sides (asks reversed). */
static inline uint64_t side_key(uint8_t side, uint64_t no)
{
    return side == TL_SIDE_BUY ? no : ~no;
}

static uint32_t block_find(const tl_lob *b, uint64_t no)
{
    uint32_t idx;
    return tl_hashmap_get(&b->block_map, no, &idx) ? idx : TL__LOB_NONE;
}

/* First position in the side's array whose key is >= key(no). */
static uint32_t side_lower_bound(const tl_lob *b, uint8_t side, uint64_t no)
{
    const tl__lob_side *s = &b->side[side];
    uint64_t key = side_key(side, no);
    uint32_t lo = 0, hi = s->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (side_key(side, b->blocks[s->blocks[mid]].no) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The best (or worst) occupied offset of a block on side; the block must hold a level there. */
static uint32_t block_extreme(const tl__lob_block *blk, uint8_t side, bool best)
{
    bool high = (side == TL_SIDE_BUY) == best; /* best bid and worst ask are the highest */
    uint64_t sum = blk->sum[side];
    unsigned w = high ? 63u - (unsigned)__builtin_clzll(sum) : (unsigned)__builtin_ctzll(sum);
    uint64_t word = blk->bits[side][w];
    unsigned bit = high ? 63u - (unsigned)__builtin_clzll(word) : (unsigned)__builtin_ctzll(word);
    return w * 64 + bit;
}

static uint64_t block_tick(const tl__lob_block *blk, uint32_t off)
{
    return (blk->no << TL__LOB_BLOCK_BITS) | off;
}

uint32_t tl__lob_level_at(const tl_lob *b, uint8_t side, uint64_t tick)
{
    uint32_t bi = block_find(b, tick >> TL__LOB_BLOCK_BITS);
    if (bi == TL__LOB_NONE)
        return TL__LOB_NONE;
    uint32_t li = b->blocks[bi].level[tick & BLOCK_MASK];
    return li != TL__LOB_NONE && b->levels[li].side == side ? li : TL__LOB_NONE;
}

int tl__lob_reserve(tl_lob *b, uint8_t side, uint64_t tick)
{
    tl__lob_side *s = &b->side[side];
    if (TL_VEC_RESERVE32(&s->blocks, &s->cap, (size_t)s->len + 1) != 0)
        return TL_ENOMEM;
    if (b->free_level == TL__LOB_NONE &&
        TL_VEC_RESERVE32(&b->levels, &b->levels_cap, (size_t)b->levels_len + 1) != 0)
        return TL_ENOMEM;
    uint64_t no = tick >> TL__LOB_BLOCK_BITS;
    if ((b->pinned_block = block_find(b, no)) != TL__LOB_NONE)
        return 0;
    uint32_t bi = b->free_block;
    if (bi == TL__LOB_NONE) {
        if (TL_VEC_RESERVE32(&b->blocks, &b->blocks_cap, (size_t)b->blocks_len + 1) != 0)
            return TL_ENOMEM;
        bi = b->blocks_len;
    }
    if (tl_hashmap_insert_new(&b->block_map, no, bi) < 0)
        return TL_ENOMEM;
    if (bi == b->free_block)
        b->free_block = b->blocks[bi].next_free;
    else
        b->blocks_len++;
    tl__lob_block *blk = &b->blocks[bi];
    memset(blk, 0, offsetof(tl__lob_block, level));
    memset(blk->level, 0xff, sizeof(blk->level)); /* TL__LOB_NONE */
    blk->no = no;
    blk->next_free = TL__LOB_NONE;
    b->pinned_block = bi;
    return 0;
}

uint32_t tl__lob_level_add(tl_lob *b, uint8_t side, uint64_t tick)
{
    uint32_t li = b->free_level;
    if (li != TL__LOB_NONE)
        b->free_level = b->levels[li].next_free;
    else
        li = b->levels_len++; /* room made by tl__lob_reserve */
    tl__lob_level *lv = &b->levels[li];
    *lv = (tl__lob_level){tick, 0, TL__LOB_NONE, TL__LOB_NONE, 0, TL__LOB_NONE, side};
    uint32_t bi = block_find(b, tick >> TL__LOB_BLOCK_BITS);
    tl__lob_block *blk = &b->blocks[bi];
    uint32_t off = (uint32_t)(tick & BLOCK_MASK);
    blk->level[off] = li;
    if (blk->sum[side] == 0) { /* the block joins the side: keep the array sorted */
        tl__lob_side *s = &b->side[side];
        uint32_t pos = side_lower_bound(b, side, blk->no);
        memmove(&s->blocks[pos + 1], &s->blocks[pos], (s->len - pos) * sizeof(*s->blocks));
        s->blocks[pos] = bi;
        s->len++;
    }
    blk->bits[side][off / 64] |= 1ull << (off % 64);
    blk->sum[side] |= 1ull << (off / 64);
    tl__lob_side *s = &b->side[side];
    if (!s->has_best || (side == TL_SIDE_BUY ? tick > s->best : tick < s->best)) {
        s->has_best = true;
        s->best = tick;
    }
    return li;
}

static void block_free(tl_lob *b, uint32_t bi)
{
    tl_hashmap_del(&b->block_map, b->blocks[bi].no);
    b->blocks[bi].next_free = b->free_block;
    b->free_block = bi;
}

void tl__lob_block_release(tl_lob *b, uint64_t tick)
{
    uint32_t bi = block_find(b, tick >> TL__LOB_BLOCK_BITS);
    b->pinned_block = TL__LOB_NONE;
    if (bi != TL__LOB_NONE && b->blocks[bi].sum[0] == 0 && b->blocks[bi].sum[1] == 0)
        block_free(b, bi);
}

void tl__lob_level_remove(tl_lob *b, uint32_t li)
{
    tl__lob_level *lv = &b->levels[li];
    uint8_t side = lv->side;
    uint64_t tick = lv->tick;
    tl__lob_side *s = &b->side[side];
    uint32_t bi = block_find(b, tick >> TL__LOB_BLOCK_BITS);
    tl__lob_block *blk = &b->blocks[bi];
    uint32_t off = (uint32_t)(tick & BLOCK_MASK);
    blk->level[off] = TL__LOB_NONE;
    if ((blk->bits[side][off / 64] &= ~(1ull << (off % 64))) == 0)
        blk->sum[side] &= ~(1ull << (off / 64));
    if (blk->sum[side] == 0) { /* the block leaves the side */
        uint32_t pos = side_lower_bound(b, side, blk->no);
        memmove(&s->blocks[pos], &s->blocks[pos + 1], (s->len - pos - 1) * sizeof(*s->blocks));
        s->len--;
        if (blk->sum[side ^ 1] == 0 && bi != b->pinned_block)
            block_free(b, bi);
    }
    lv->count = 0;
    lv->next_free = b->free_level;
    b->free_level = li;
    if (s->best == tick) {
        s->has_best = s->len > 0;
        if (s->has_best) {
            const tl__lob_block *top = &b->blocks[s->blocks[s->len - 1]];
            s->best = block_tick(top, block_extreme(top, side, true));
        }
    }
}

bool tl__lob_next_tick(const tl_lob *b, uint8_t side, uint64_t tick, uint64_t *out)
{
    uint64_t no = tick >> TL__LOB_BLOCK_BITS;
    uint32_t bi = block_find(b, no);
    if (bi != TL__LOB_NONE && b->blocks[bi].sum[side] != 0) {
        const tl__lob_block *blk = &b->blocks[bi];
        unsigned off = (unsigned)(tick & BLOCK_MASK), w = off / 64, bit = off % 64;
        uint64_t m, sm;
        if (side == TL_SIDE_BUY) { /* worse = lower */
            m = blk->bits[side][w] & ((1ull << bit) - 1);
            sm = blk->sum[side] & ((1ull << w) - 1);
        } else { /* worse = higher */
            m = bit == 63 ? 0 : blk->bits[side][w] & (~0ull << (bit + 1));
            sm = w == 63 ? 0 : blk->sum[side] & (~0ull << (w + 1));
        }
        if (m != 0) {
            unsigned nb = side == TL_SIDE_BUY ? 63u - (unsigned)__builtin_clzll(m)
                                              : (unsigned)__builtin_ctzll(m);
            *out = block_tick(blk, w * 64 + nb);
            return true;
        }
        if (sm != 0) {
            unsigned nw = side == TL_SIDE_BUY ? 63u - (unsigned)__builtin_clzll(sm)
                                              : (unsigned)__builtin_ctzll(sm);
            uint64_t word = blk->bits[side][nw];
            unsigned nb = side == TL_SIDE_BUY ? 63u - (unsigned)__builtin_clzll(word)
                                              : (unsigned)__builtin_ctzll(word);
            *out = block_tick(blk, nw * 64 + nb);
            return true;
        }
    }
    /* The next worse block: the one before tick's place in the side's array. */
    uint32_t pos = side_lower_bound(b, side, no);
    if (pos == 0)
        return false;
    const tl__lob_block *prev = &b->blocks[b->side[side].blocks[pos - 1]];
    *out = block_tick(prev, block_extreme(prev, side, true));
    return true;
}

bool tl__lob_worst_tick(const tl_lob *b, uint8_t side, uint64_t *out)
{
    const tl__lob_side *s = &b->side[side];
    if (s->len == 0)
        return false;
    const tl__lob_block *blk = &b->blocks[s->blocks[0]];
    *out = block_tick(blk, block_extreme(blk, side, false));
    return true;
}
