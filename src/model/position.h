/*
 * position.h -- positions and the cash ledger.
 *
 * A position is the net quantity one account holds in one instrument (negative = short), with an
 * average entry price. Fills in the position's direction scale it:
 *     new_avg = (old_avg*old_qty + px*add_qty) / new_qty     (one rounding, tl_fixed's rule)
 * Fills against it reduce it and realise P&L = (px - avg) * reduced_qty (sign flipped for shorts);
 * a fill larger than the position closes it and opens the rest on the other side at px (a flip).
 * Fees are charged to cash and summed per position; realized P&L is before fees.
 *
 * The book holds every (account, instrument) position and every account's cash in flat arrays with
 * a hash index, so applying a fill is O(1) and allocates only when a new pair first appears.
 */
#ifndef TL_MODEL_POSITION_H
#define TL_MODEL_POSITION_H

#include <stdint.h>

#include "core/hashmap.h"
#include "tradeloop/fixed.h"
#include "tradeloop/order.h"

typedef struct tl_position {
    uint32_t account;
    uint32_t instrument;
    tl_fixed qty;          /* net, signed */
    tl_fixed avg_price;    /* average entry of the open quantity; 0 when flat */
    tl_fixed realized_pnl; /* cumulative, before fees */
    tl_fixed fees;         /* cumulative */
    tl_fixed bought;       /* cumulative quantity bought */
    tl_fixed sold;         /* cumulative quantity sold */
} tl_position;

typedef struct tl_account {
    uint32_t id;
    tl_fixed starting_cash;
    tl_fixed cash;         /* starting_cash - buys + sells - fees */
    tl_fixed realized_pnl; /* sum over its positions */
    tl_fixed fees;
} tl_account;

/* What one fill did to a position, for events and risk. */
typedef enum tl_position_change {
    TL_POS_OPENED,  /* from flat */
    TL_POS_SCALED,  /* grew in its direction */
    TL_POS_REDUCED, /* shrank, still open */
    TL_POS_CLOSED,  /* back to flat */
    TL_POS_FLIPPED  /* through zero to the other side */
} tl_position_change;

typedef struct tl_fill_effect {
    tl_position_change change;
    tl_fixed realized; /* P&L realised by this fill */
    tl_fixed cash_delta;
} tl_fill_effect;

/* Applies a fill to one position: checked arithmetic, TL_ERANGE on overflow (position unchanged).
 * effect may be NULL. */
int tl_position_apply(tl_position *pos, tl_side side, tl_fixed qty, tl_fixed price, tl_fixed fee,
                      tl_fill_effect *effect);

typedef struct tl_book {
    tl_position *positions; /* owned, count entries */
    uint32_t pos_count, pos_cap;
    tl_account *accounts; /* owned */
    uint32_t acct_count, acct_cap;
    tl_hashmap index;      /* (account << 32 | instrument) -> positions[] index */
    tl_hashmap acct_index; /* account -> accounts[] index */
    tl_fixed default_starting_cash; /* cash of an account first seen through a fill */
} tl_book;

int tl_book_init(tl_book *book, tl_fixed default_starting_cash);
void tl_book_close(tl_book *book);
/* Forgets every position and account. */
void tl_book_clear(tl_book *book);
/* Creates or resets an account with its starting cash. */
int tl_book_open_account(tl_book *book, uint32_t account, tl_fixed starting_cash);
/* Starts an account over (a WORKSPACE_RESET): its positions flat, its cash starting_cash. */
int tl_book_reset_account(tl_book *book, uint32_t account, tl_fixed starting_cash);
/* The position of (account, instrument), created flat when absent (create != 0), else NULL. */
tl_position *tl_book_position(tl_book *book, uint32_t account, uint32_t instrument, int create);
const tl_position *tl_book_find(const tl_book *book, uint32_t account, uint32_t instrument);
tl_account *tl_book_account(tl_book *book, uint32_t account, int create);
const tl_account *tl_book_find_account(const tl_book *book, uint32_t account);
/* Applies a fill to the position and the account's cash. All-or-nothing. */
int tl_book_apply_fill(tl_book *book, uint32_t account, uint32_t instrument, tl_side side,
                       tl_fixed qty, tl_fixed price, tl_fixed fee, tl_fill_effect *effect);

#endif /* TL_MODEL_POSITION_H */
