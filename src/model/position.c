/*
 * position.c -- positions and the cash ledger (see position.h).
 *
 * Every update is computed into locals with checked arithmetic and committed only when all of it
 * succeeded, so a fill that would overflow anything changes nothing. Products of two fixed values
 * are kept exact in 128 bits (1e-16 units) and rounded once, by tl_fixed's one rule (half away
 * from zero), the rule every module shares: replaying the same fills anywhere gives the same
 * cents. Each fill's money is rounded once (its notional) and the cost basis only ever adds,
 * splits and subtracts those notionals, so realized P&L and cash cannot drift apart.
 */
#include "model/position.h"

#include "core/vec.h"

#include <stdlib.h>
#include <string.h>

#define BOOK_INITIAL_CAP 16

static tl_fixed sign_of(tl_fixed v)
{
    return (v > 0) - (v < 0);
}

/* round(basis * part / whole), 0 < part < whole: the cost of part of an open quantity. When the
 * average is exact (avg * whole == basis * SCALE, checked with two multiplies) the quotient equals
 * avg * part / SCALE, the same rational number, so it rounds the same without dividing by a
 * variable: the usual case on the hot path. */
static inline int basis_share(tl_fixed basis, tl_fixed part, tl_fixed whole, tl_fixed avg,
                              tl_fixed *out)
{
    if ((__int128)avg * whole == (__int128)basis * TL_FIXED_SCALE)
        return tl_fixed_mul(avg, part, out);
    return tl_fixed_from_ratio128((__int128)basis * part, whole, out);
}

/* round(basis / abs_qty) as a price, abs_qty > 0. hint is a likely answer (the fill's price, or
 * the previous average): when hint * abs_qty == basis * SCALE exactly it is the answer, and the
 * division is skipped. */
static inline int average_of(tl_fixed basis, tl_fixed abs_qty, tl_fixed hint, tl_fixed *avg)
{
    if ((__int128)hint * abs_qty == (__int128)basis * TL_FIXED_SCALE) {
        *avg = hint;
        return 0;
    }
    return tl_fixed_from_ratio128((__int128)basis * TL_FIXED_SCALE, abs_qty, avg);
}

/* A position's fields after a fill: computed in full before anything is written. */
typedef struct pos_next {
    tl_fixed qty, avg_price, realized_pnl, fees, bought, sold, cost_basis;
} pos_next;

/* The arithmetic of tl_position_apply, into *n and *eff; pos is not written. Inlined into both
 * callers so that the results stay in registers: the commit below writes field by field, never
 * copying a whole struct that was just written piecewise (a load spanning several recent narrow
 * stores cannot be forwarded from the store buffer and stalls). */
static inline int position_next(const tl_position *pos, tl_side side, tl_fixed qty, tl_fixed price,
                                tl_fixed fee, pos_next *n, tl_fill_effect *eff)
    __attribute__((always_inline));
static inline int position_next(const tl_position *pos, tl_side side, tl_fixed qty, tl_fixed price,
                                tl_fixed fee, pos_next *n, tl_fill_effect *eff)
{
    if (qty <= 0 || price <= 0 || fee < 0 || (side != TL_SIDE_BUY && side != TL_SIDE_SELL))
        return TL_EINVAL;

    tl_fixed delta = side == TL_SIDE_BUY ? qty : -qty;
    tl_fixed old_qty = pos->qty;
    tl_fixed old_abs = tl_fixed_abs(old_qty);
    tl_fixed new_qty, notional, cash_delta, basis, avg = 0, hint = price, realized = 0;
    tl_position_change change;

    if (tl_fixed_add(old_qty, delta, &new_qty) != 0)
        return TL_ERANGE;
    /* Cash: -N - fee for a buy, +N - fee for a sell; N is also what the basis sums. */
    if (tl_fill_notional(qty, price, &notional) != 0 ||
        tl_fixed_sub(side == TL_SIDE_BUY ? -notional : notional, fee, &cash_delta) != 0)
        return TL_ERANGE;

    if (old_qty == 0) {
        change = TL_POS_OPENED;
        basis = notional;
    } else if (sign_of(old_qty) == sign_of(delta)) {
        change = TL_POS_SCALED;
        hint = pos->avg_price; /* scaling at the average keeps it */
        if (tl_fixed_add(pos->cost_basis, notional, &basis) != 0)
            return TL_ERANGE;
    } else {
        /* What the closed part was worth now (closing) and cost when opened (cost); both are in
         * [0, TL_FIXED_MAX], so their difference cannot overflow. */
        tl_fixed closing = notional, cost = pos->cost_basis;
        if (qty > old_abs && tl_fill_notional(old_abs, price, &closing) != 0)
            return TL_ERANGE; /* never: old_abs * price < qty * price, which fitted */
        if (qty < old_abs && basis_share(pos->cost_basis, qty, old_abs, pos->avg_price, &cost) != 0)
            return TL_ERANGE; /* never: the share is at most the basis */
        realized = old_qty > 0 ? closing - cost : cost - closing;
        if (new_qty == 0) {
            change = TL_POS_CLOSED;
            basis = 0;
        } else if (qty > old_abs) {
            change = TL_POS_FLIPPED; /* the rest of the fill opens the other side */
            basis = notional - closing;
        } else {
            change = TL_POS_REDUCED;
            hint = pos->avg_price;
            basis = pos->cost_basis - cost;
        }
    }
    if (new_qty != 0 && average_of(basis, tl_fixed_abs(new_qty), hint, &avg) != 0)
        return TL_ERANGE;

    n->bought = pos->bought;
    n->sold = pos->sold;
    if (tl_fixed_add(pos->realized_pnl, realized, &n->realized_pnl) != 0 ||
        tl_fixed_add(pos->fees, fee, &n->fees) != 0)
        return TL_ERANGE;
    if (side == TL_SIDE_BUY ? tl_fixed_add(pos->bought, qty, &n->bought) != 0
                            : tl_fixed_add(pos->sold, qty, &n->sold) != 0)
        return TL_ERANGE;
    n->qty = new_qty;
    n->avg_price = avg;
    n->cost_basis = basis;
    eff->change = change;
    eff->realized = realized;
    eff->cash_delta = cash_delta;
    return 0;
}

static inline void position_commit(tl_position *pos, const pos_next *n)
{
    pos->qty = n->qty;
    pos->avg_price = n->avg_price;
    pos->realized_pnl = n->realized_pnl;
    pos->fees = n->fees;
    pos->bought = n->bought;
    pos->sold = n->sold;
    pos->cost_basis = n->cost_basis;
}

int tl_position_apply(tl_position *pos, tl_side side, tl_fixed qty, tl_fixed price, tl_fixed fee,
                      tl_fill_effect *effect)
{
    pos_next n;
    tl_fill_effect eff = {.realized = 0};
    int rc = position_next(pos, side, qty, price, fee, &n, &eff);

    if (rc != 0)
        return rc;
    position_commit(pos, &n);
    if (effect)
        *effect = eff;
    return 0;
}

static uint64_t pos_key(uint32_t account, uint32_t instrument)
{
    return (uint64_t)account << 32 | instrument;
}

int tl_book_init(tl_book *book, tl_fixed default_starting_cash)
{
    tl_book b;

    memset(&b, 0, sizeof(b));
    b.default_starting_cash = default_starting_cash;
    if (tl_hashmap_init(&b.index, BOOK_INITIAL_CAP) != 0)
        return TL_ENOMEM;
    if (tl_hashmap_init(&b.acct_index, BOOK_INITIAL_CAP) != 0) {
        tl_hashmap_close(&b.index);
        return TL_ENOMEM;
    }
    *book = b;
    return 0;
}

void tl_book_close(tl_book *book)
{
    free(book->positions);
    free(book->accounts);
    tl_hashmap_close(&book->index);
    tl_hashmap_close(&book->acct_index);
    memset(book, 0, sizeof(*book));
}

void tl_book_clear(tl_book *book)
{
    book->pos_count = 0;
    book->acct_count = 0;
    tl_hashmap_clear(&book->index);
    tl_hashmap_clear(&book->acct_index);
}

tl_position *tl_book_position(tl_book *book, uint32_t account, uint32_t instrument, int create)
{
    uint64_t key = pos_key(account, instrument);
    uint32_t i;

    if (tl_hashmap_get(&book->index, key, &i))
        return &book->positions[i];
    if (!create)
        return NULL;
    /* 32-bit capacity: the index values are uint32_t. */
    if (TL_VEC_RESERVE32(&book->positions, &book->pos_cap, (size_t)book->pos_count + 1) != 0)
        return NULL;
    i = book->pos_count;
    if (tl_hashmap_put(&book->index, key, i) != 0)
        return NULL;
    book->pos_count++;
    memset(&book->positions[i], 0, sizeof(tl_position));
    book->positions[i].account = account;
    book->positions[i].instrument = instrument;
    return &book->positions[i];
}

const tl_position *tl_book_find(const tl_book *book, uint32_t account, uint32_t instrument)
{
    uint32_t i;

    if (tl_hashmap_get(&book->index, pos_key(account, instrument), &i))
        return &book->positions[i];
    return NULL;
}

static void account_reset(tl_account *a, uint32_t id, tl_fixed starting_cash)
{
    memset(a, 0, sizeof(*a));
    a->id = id;
    a->starting_cash = starting_cash;
    a->cash = starting_cash;
}

/* Appends a fresh account; NULL on out of memory (nothing changed). */
static tl_account *account_add(tl_book *book, uint32_t account, tl_fixed starting_cash)
{
    uint32_t i;

    if (TL_VEC_RESERVE32(&book->accounts, &book->acct_cap, (size_t)book->acct_count + 1) != 0)
        return NULL;
    i = book->acct_count;
    if (tl_hashmap_put(&book->acct_index, account, i) != 0)
        return NULL;
    book->acct_count++;
    account_reset(&book->accounts[i], account, starting_cash);
    return &book->accounts[i];
}

tl_account *tl_book_account(tl_book *book, uint32_t account, int create)
{
    uint32_t i;

    if (tl_hashmap_get(&book->acct_index, account, &i))
        return &book->accounts[i];
    if (!create)
        return NULL;
    return account_add(book, account, book->default_starting_cash);
}

const tl_account *tl_book_find_account(const tl_book *book, uint32_t account)
{
    uint32_t i;
    return tl_hashmap_get(&book->acct_index, account, &i) ? &book->accounts[i] : NULL;
}

int tl_book_open_account(tl_book *book, uint32_t account, tl_fixed starting_cash)
{
    uint32_t i;

    if (tl_hashmap_get(&book->acct_index, account, &i)) {
        account_reset(&book->accounts[i], account, starting_cash);
        return 0;
    }
    return account_add(book, account, starting_cash) ? 0 : TL_ENOMEM;
}

int tl_book_apply_fill(tl_book *book, uint32_t account, uint32_t instrument, tl_side side,
                       tl_fixed qty, tl_fixed price, tl_fixed fee, tl_fill_effect *effect)
{
    uint32_t pos_before = book->pos_count, acct_before = book->acct_count;
    tl_position *pos;
    tl_account *acct;
    tl_fill_effect eff = {.realized = 0};
    tl_fixed cash, realized, fees;
    pos_next n;
    int rc;

    pos = tl_book_position(book, account, instrument, 1);
    if (!pos)
        return TL_ENOMEM;
    acct = tl_book_account(book, account, 1);
    if (!acct) {
        rc = TL_ENOMEM;
        goto undo;
    }

    /* Everything is computed first and committed only when all of it succeeded. */
    rc = position_next(pos, side, qty, price, fee, &n, &eff);
    if (rc != 0)
        goto undo;
    if (tl_fixed_add(acct->cash, eff.cash_delta, &cash) != 0 ||
        tl_fixed_add(acct->realized_pnl, eff.realized, &realized) != 0 ||
        tl_fixed_add(acct->fees, fee, &fees) != 0) {
        rc = TL_ERANGE;
        goto undo;
    }

    position_commit(pos, &n);
    acct->cash = cash;
    acct->realized_pnl = realized;
    acct->fees = fees;
    if (effect)
        *effect = eff;
    return 0;

undo:
    /* A pair or account this call created is the last entry of its array: forget it, so a failed
     * fill leaves the book exactly as it was. */
    if (book->acct_count != acct_before) {
        tl_hashmap_del(&book->acct_index, account);
        book->acct_count = acct_before;
    }
    if (book->pos_count != pos_before) {
        tl_hashmap_del(&book->index, pos_key(account, instrument));
        book->pos_count = pos_before;
    }
    return rc;
}

int tl_book_reset_account(tl_book *book, uint32_t account, tl_fixed starting_cash)
{
    /* Flatten every position of the account: a reset starts it over. The rows stay (their ids
     * are indexed); they are flat and carry no history. */
    for (uint32_t i = 0; i < book->pos_count; i++) {
        tl_position *p = &book->positions[i];
        if (p->account == account) {
            uint32_t inst = p->instrument;
            memset(p, 0, sizeof(*p));
            p->account = account;
            p->instrument = inst;
        }
    }
    return tl_book_open_account(book, account, starting_cash);
}
