/*
 * fills.c -- the bounded fill history of venue backends (see fills.h).
 *
 * Until the ring is full it is a plain array growing by doubling (TL_VEC_RESERVE), fills at
 * [0, len); from then on it has exactly max entries and head moves round it. The seq of the
 * entry at ring position i is therefore last - len + 1 + (i - head) mod max, so a cursor maps to
 * a position without a search.
 */
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "venue/fills.h"

_Static_assert(sizeof(tl_venue_fill) == 4 * 8 + TL_TRADE_ID_MAX + 16 + 8 + 3 * 8,
               "tl_venue_fill has no padding");

void tl__venue_fills_init(tl__venue_fills *h, size_t max)
{
    memset(h, 0, sizeof *h);
    h->max = max > 0 ? max : 1;
}

void tl__venue_fills_close(tl__venue_fills *h)
{
    free(h->ring);
    memset(h, 0, sizeof *h);
}

int tl__venue_fills_reserve(tl__venue_fills *h)
{
    if (h->len < h->ring_cap || h->len == h->max)
        return 0; /* room, or full: the next one overwrites the oldest */
    /* Never more than max entries: once full, positions wrap modulo ring_cap == max. */
    size_t need = h->len + 1, cap = h->ring_cap;
    int rc = TL_VEC_RESERVE(&h->ring, &cap, need);
    if (rc < 0)
        return rc;
    h->ring_cap = cap < h->max ? cap : h->max;
    return 0;
}

void tl__venue_fills_keep(tl__venue_fills *h, const tl_venue_report *r, const char symbol[16],
                          uint8_t side)
{
    size_t at;
    if (h->len < h->max) {
        at = h->len++; /* head is 0 until the ring first wraps */
    } else {
        at = h->head;
        h->head = (h->head + 1) % h->max;
    }
    /* Every byte is written field by field: the struct has no padding (asserted above), so equal
     * runs give equal bytes without a memset of the whole record, which costs on every fill. */
    tl_venue_fill *f = &h->ring[at];
    f->seq = ++h->last;
    f->client_seq = r->client_seq;
    f->venue_seq = r->venue_seq;
    f->ts_ns = r->ts_ns;
    memcpy(f->trade_id, r->trade_id, sizeof f->trade_id);
    memcpy(f->symbol, symbol, sizeof f->symbol);
    f->side = side;
    memset(f->reserved, 0, sizeof f->reserved);
    f->qty = r->qty;
    f->price = r->price;
    f->fee = r->fee;
}

int tl__venue_fills_list(const tl__venue_fills *h, const char *scheme, uint64_t after,
                         tl_venue_fill *out, size_t cap, size_t *n, uint64_t *next_cursor,
                         tl_err *err)
{
    if (after > h->last)
        return tl_err_set(err, TL_EINVAL, "%s: get_fills: cursor %llu is past the newest fill %llu",
                          scheme, (unsigned long long)after, (unsigned long long)h->last);
    uint64_t oldest = h->last - h->len + 1; /* seq of the oldest kept */
    uint64_t first = after + 1 > oldest ? after + 1 : oldest;
    size_t avail = (size_t)(h->last + 1 - first), k = avail < cap ? avail : cap;
    size_t pos = (h->head + (size_t)(first - oldest)) % (h->len > 0 ? h->len : 1);
    /* The ring holds len entries at positions [0, len) (len == max once it wrapped). */
    for (size_t i = 0; i < k; i++) {
        out[i] = h->ring[pos];
        pos = pos + 1 == h->len ? 0 : pos + 1;
    }
    *n = k;
    *next_cursor = k > 0 ? out[k - 1].seq : after;
    return 0;
}
