/*
 * fills.h (internal) -- the bounded fill history a venue backend keeps for get_fills.
 *
 * A ring of the last `max` fills, numbered 1, 2, ... in the order they were kept. It is allocated
 * as fills come (a venue that never trades holds nothing) and, once full, each new fill overwrites
 * the oldest. sim:// and paper:// share it, so both page and bound their history the same way.
 */
#ifndef TL_VENUE_FILLS_H
#define TL_VENUE_FILLS_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop/venue.h"

typedef struct tl__venue_fills {
    tl_venue_fill *ring; /* owned; ring_cap entries, of which len are kept */
    size_t ring_cap;
    size_t max;    /* the bound: at most this many kept (>= 1) */
    size_t head;   /* index of the oldest kept, once the ring wrapped (0 before) */
    size_t len;    /* how many are kept */
    uint64_t last; /* seq of the newest fill, 0 when none yet */
} tl__venue_fills;

/* An empty history bounded to max (>= 1) fills. Allocates nothing. */
void tl__venue_fills_init(tl__venue_fills *h, size_t max);
void tl__venue_fills_close(tl__venue_fills *h);

/* Room for the next fill, so that adding it cannot fail: 0 or TL_ENOMEM (nothing changed). */
int tl__venue_fills_reserve(tl__venue_fills *h);

/* Keeps the fill of FILL report r, of an order in symbol (a whole 16-byte array, copied) and side
 * (room reserved). When max are kept, the oldest is overwritten. */
void tl__venue_fills_keep(tl__venue_fills *h, const tl_venue_report *r, const char symbol[16],
                          uint8_t side);

/* get_fills over the history (see tl_venue_ops.get_fills); scheme names the venue in errors. */
int tl__venue_fills_list(const tl__venue_fills *h, const char *scheme, uint64_t after,
                         tl_venue_fill *out, size_t cap, size_t *n, uint64_t *next_cursor,
                         tl_err *err);

#endif /* TL_VENUE_FILLS_H */
