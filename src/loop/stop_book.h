/*
 * stop_book.h -- the governed loop's stop-losses, indexed by price (issue 8, point 5).
 *
 * Every open position of a virtual account carries one stop: a long's triggers when a quote's
 * bid <= stop, a short's when ask >= stop. Stops move all the time (they follow the average entry
 * price and the open quantity), and every quote of an instrument must find the stops it crosses
 * without walking the others, so a quote costs O(1) when nothing crosses and O(k log k) for k
 * stops crossed, whatever the number of stops.
 *
 * The structure: per instrument two binary heaps of armed stops, longs ordered highest stop
 * first, shorts lowest stop first, so the stop a quote would cross first is always at the top. A
 * heap entry carries its price and account (comparisons never leave the heap's array) and the slot
 * of its stop, which records the entry's position, so a price change or a removal sifts the entry
 * in place in O(log n). A hash map (account << 32 | instrument) finds the slot of a position.
 *
 * Order (deterministic, so a replay triggers stops in the same order every time): within a side,
 * by trigger priority -- longs highest stop first, shorts lowest first -- then by account id
 * ascending. Heaps keep this order as a strict total order (one stop per account and instrument),
 * and tl_stop_book_crossed reports in exactly this order, longs before shorts.
 *
 * Arming. A crossed stop is reported, not removed: the caller sends a reduce-only exit and must
 * not send a second one on the next quote. So a stop is armed (reported when crossed) or disarmed
 * (held, not reported, not in a heap):
 *   - tl_stop_book_set of a new position's stop creates it armed;
 *   - tl_stop_book_disarm after the exit is sent;
 *   - tl_stop_book_set of an existing stop moves its price and quantity and KEEPS its arming: the
 *     partial fills of an exit in flight shrink the position, and the stop that follows them must
 *     not fire a second exit;
 *   - tl_stop_book_arm when the exit ended with a position left (rejected, canceled, expired);
 *   - tl_stop_book_remove once the position is flat.
 * A stop never rearms by itself, so a stop is never reported twice for one exit.
 *
 * Memory: the caller owns the tl_stop_book struct; the book owns its arrays and frees them in
 * tl_stop_book_close. Growth (new stops, new instruments) allocates through src/core/vec.h;
 * tl_stop_book_crossed never allocates and never fails.
 */
#ifndef TL_LOOP_STOP_BOOK_H
#define TL_LOOP_STOP_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "tradeloop/fixed.h"

/* Instrument ids are indexes (instrument.h); the book keeps an array per id, so it refuses ids
 * past this bound (TL_ERANGE) instead of allocating for a corrupt one. */
#define TL_STOP_MAX_INSTRUMENTS (1u << 20)

/* One position's stop, as the caller sees it (get, crossed). */
typedef struct tl_stop {
    uint32_t account;
    uint32_t instrument;
    tl_fixed price; /* trigger: bid <= price for a long, ask >= price for a short; > 0 */
    tl_fixed qty;   /* the open quantity an exit must close; > 0 */
    bool is_long;   /* the position's side, not the exit's */
    bool armed;     /* reported when crossed */
} tl_stop;

/* Internal: a heap's entry. price and account are the ordering key; slot is the stop's. */
typedef struct tl__stop_entry {
    tl_fixed price;
    uint32_t account;
    uint32_t slot;
} tl__stop_entry;

/* Internal: one heap, entries[0] the top. */
typedef struct tl__stop_heap {
    tl__stop_entry *items; /* owned */
    uint32_t len, cap;
} tl__stop_heap;

/* Internal: an instrument's two heaps of armed stops. */
typedef struct tl__stop_heaps {
    tl__stop_heap longs;  /* highest price first, then lowest account */
    tl__stop_heap shorts; /* lowest price first, then lowest account */
} tl__stop_heaps;

struct tl__stop_slot; /* stop_book.c */

typedef struct tl_stop_book {
    struct tl__stop_slot *slots; /* owned: stops by slot; freed slots chained from free_slot */
    uint32_t slots_cap;
    uint32_t slots_used;  /* slots ever handed out (high-water mark) */
    uint32_t free_slot;   /* head of the free chain, UINT32_MAX when empty */
    uint32_t count;       /* live stops, armed or not */
    tl_hashmap index;     /* account << 32 | instrument -> slot */
    tl__stop_heaps *inst; /* owned: by instrument id, inst_cap of them (zeroed when added) */
    uint32_t inst_cap;
    uint32_t *frontier; /* owned: crossed's scratch, a heap of heap positions; frontier_cap >= the
                         * longest heap, so the walk never allocates */
    uint32_t frontier_cap;
} tl_stop_book;

/* Room for `capacity` stops without growing. 0 or TL_ENOMEM. */
int tl_stop_book_init(tl_stop_book *book, size_t capacity);
void tl_stop_book_close(tl_stop_book *book);

/* Sets the stop of (account, instrument): creates it armed, or moves an existing one to this side,
 * price and quantity keeping its arming (see above). price > 0 and qty > 0, else TL_EINVAL;
 * instrument >= TL_STOP_MAX_INSTRUMENTS is TL_ERANGE; TL_ENOMEM. The book is unchanged on error. */
int tl_stop_book_set(tl_stop_book *book, uint32_t account, uint32_t instrument, bool is_long,
                     tl_fixed price, tl_fixed qty, tl_err *err);
/* Forgets the stop (the position is flat). 0 or TL_ENOTFOUND. */
int tl_stop_book_remove(tl_stop_book *book, uint32_t account, uint32_t instrument);
/* Copies the stop into *out. 0 or TL_ENOTFOUND (*out untouched). */
int tl_stop_book_get(const tl_stop_book *book, uint32_t account, uint32_t instrument, tl_stop *out);
/* The exit is in flight: the stop is no longer reported. 0 (also when already disarmed) or
 * TL_ENOTFOUND. */
int tl_stop_book_disarm(tl_stop_book *book, uint32_t account, uint32_t instrument);
/* The exit ended and a position is left: the stop is reported again. 0 (also when already armed),
 * TL_ENOTFOUND, or TL_ENOMEM (the stop stays disarmed). */
int tl_stop_book_arm(tl_stop_book *book, uint32_t account, uint32_t instrument);

/* The armed stops of `instrument` that the quote (bid, ask) crosses, in trigger order (longs, then
 * shorts; see above), without changing them. Writes up to cap of them to out and their number to
 * *n. Returns 0 when that is all of them, 1 when more cross than cap (the first cap are written;
 * disarm them and call again, or call with more room). Never allocates, never fails. An instrument
 * without stops crosses nothing. */
int tl_stop_book_crossed(tl_stop_book *book, uint32_t instrument, tl_fixed bid, tl_fixed ask,
                         tl_stop *out, size_t cap, size_t *n);

/* Live stops, armed or not. */
static inline uint32_t tl_stop_book_count(const tl_stop_book *book)
{
    return book->count;
}

/* The stop price of a position entered at avg_entry, pct percent away from it (pct as tl_fixed:
 * TL_FIXED_INT(2) is 2%): avg * (1 - pct/100) for a long, avg * (1 + pct/100) for a short, exact
 * in 128 bits with one rounding, toward the entry price (a long's stop rounds up, a short's down):
 * the stop is never further from the entry than pct, so the loss at the trigger price is at most
 * the configured percent (it may fire one unit, 1e-8, early; never late). avg_entry > 0 and
 * 0 < pct < 100, else TL_EINVAL; TL_ERANGE when the result does not fit. *out untouched on error.
 */
int tl_stop_price(bool is_long, tl_fixed avg_entry, tl_fixed pct, tl_fixed *out);

/* Tests: checks every structural invariant (heap order, positions recorded in slots, index, counts,
 * arming). 0 or TL_ECORRUPT. O(n). */
int tl__stop_book_check(const tl_stop_book *book);

#endif /* TL_LOOP_STOP_BOOK_H */
