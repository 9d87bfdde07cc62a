/*
 * position.h -- positions and the cash ledger.
 *
 * A position is the net quantity one account holds in one instrument (negative = short) and its
 * exact cost basis. Money moves by one rule: a fill of qty at px is worth its notional
 *     N = round(qty * px)            (tl_fill_notional: one rounding, tl_fixed's half away from 0)
 * and the account's cash moves by -N - fee for a buy, +N - fee for a sell. The cost basis is the
 * sum of the notionals of the fills that opened what is still open: what a long paid for it, what
 * a short received for it; never negative. So money is never rounded twice:
 *   - opening or scaling adds N to the basis;
 *   - reducing r out of an open quantity Q takes cost = round(basis * r / Q) out of the basis
 *     (the whole remaining basis when r == Q) and realises P&L = N - cost for a long, cost - N for
 *     a short;
 *   - a fill larger than the position (a flip) is split: the closing part is worth
 *     Nc = round(Q * px), realises as above with Nc and the whole basis, and the opening part's
 *     basis is N - Nc exactly, so the two parts add up to the fill's notional.
 * avg_price is derived, never reused: round(basis / |qty|) (same rule), recomputed whenever qty or
 * basis changes, 0 when flat. Fees are charged to cash and summed per position; realized P&L is
 * before fees.
 *
 * The invariant, exact to the last unit, for every account at every moment since it was opened
 * with its positions flat (tl_book_open_account, or tl_ledger_reset which flattens them first):
 *     cash - starting_cash + fees == realized_pnl - sum(long basis) + sum(short basis)
 * (account fields on the left and realized_pnl; basis over the account's positions); and for
 * every position, with all its fills' signed notionals S (+N for sells, -N for buys):
 *     S == realized_pnl - basis (long) or realized_pnl + basis (short)
 * In particular a position that went back to flat has realised exactly the cash it made, before
 * fees. tests/unit/test_position.c checks both after every fill of random sequences against an
 * exact computation of its own.
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
    tl_fixed avg_price;    /* cost_basis / |qty| rounded once; 0 when flat. Derived: display only */
    tl_fixed realized_pnl; /* cumulative, before fees */
    tl_fixed fees;         /* cumulative */
    tl_fixed bought;       /* cumulative quantity bought */
    tl_fixed sold;         /* cumulative quantity sold */
    tl_fixed cost_basis;   /* >= 0: exact notional paid (long) or received (short) for the open
                            * quantity; 0 when flat */
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

/* The notional of a fill, qty * price rounded once: what cash moves by and a basis sums. TL_ERANGE
 * when it does not fit. The one rule: every module that prices a fill in money calls this. */
static inline int tl_fill_notional(tl_fixed qty, tl_fixed price, tl_fixed *out)
{
    return tl_fixed_mul(qty, price, out);
}

/* Applies a fill to one position: checked arithmetic, TL_ERANGE on overflow (position unchanged).
 * effect may be NULL. */
int tl_position_apply(tl_position *pos, tl_side side, tl_fixed qty, tl_fixed price, tl_fixed fee,
                      tl_fill_effect *effect);

typedef struct tl_book {
    tl_position *positions; /* owned, count entries */
    uint32_t pos_count, pos_cap;
    tl_account *accounts; /* owned */
    uint32_t acct_count, acct_cap;
    tl_hashmap index;               /* (account << 32 | instrument) -> positions[] index */
    tl_hashmap acct_index;          /* account -> accounts[] index */
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
