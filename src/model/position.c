/*
 * position.c -- positions and the cash ledger (see position.h).
 *
 * Every update is computed into locals with checked arithmetic and committed only when all of it
 * succeeded, so a fill that would overflow anything changes nothing. Products of two fixed values
 * are kept exact in 128 bits (1e-16 units) and rounded once, by tl_fixed_from_ratio128, the rule
 * every module shares: replaying the same fills anywhere gives the same cents.
 */
#include "model/position.h"

#include <stdlib.h>
#include <string.h>

#define BOOK_INITIAL_CAP 16

static tl_fixed sign_of(tl_fixed v)
{
    return (v > 0) - (v < 0);
}

int tl_position_apply(tl_position *pos, tl_side side, tl_fixed qty, tl_fixed price, tl_fixed fee,
                      tl_fill_effect *effect)
{
    if (qty <= 0 || price <= 0 || fee < 0 || (side != TL_SIDE_BUY && side != TL_SIDE_SELL))
        return TL_EINVAL;

    tl_position next = *pos;
    tl_fill_effect eff = {.realized = 0};
    tl_fixed delta = side == TL_SIDE_BUY ? qty : -qty;
    tl_fixed old_qty = pos->qty;
    tl_fixed old_abs = tl_fixed_abs(old_qty);
    tl_fixed new_qty;

    if (tl_fixed_add(old_qty, delta, &new_qty) != 0)
        return TL_ERANGE;

    if (old_qty == 0) {
        eff.change = TL_POS_OPENED;
        next.avg_price = price;
    } else if (sign_of(old_qty) == sign_of(delta)) {
        /* Scaling: the exact cost of the whole position over its new size, one rounding. */
        __int128 cost = (__int128)pos->avg_price * old_abs + (__int128)price * qty;
        eff.change = TL_POS_SCALED;
        if (tl_fixed_from_ratio128(cost, tl_fixed_abs(new_qty), &next.avg_price) != 0)
            return TL_ERANGE;
    } else {
        tl_fixed reduced = qty < old_abs ? qty : old_abs;
        __int128 pnl = ((__int128)price - pos->avg_price) * reduced;
        if (old_qty < 0)
            pnl = -pnl;
        if (tl_fixed_from_ratio128(pnl, TL_FIXED_SCALE, &eff.realized) != 0)
            return TL_ERANGE;
        if (new_qty == 0) {
            eff.change = TL_POS_CLOSED;
            next.avg_price = 0;
        } else if (qty > old_abs) {
            eff.change = TL_POS_FLIPPED; /* the rest opens on the other side at this price */
            next.avg_price = price;
        } else {
            eff.change = TL_POS_REDUCED; /* the average entry of what is left does not move */
        }
    }
    next.qty = new_qty;

    /* Cash: -qty*px - fee for a buy, +qty*px - fee for a sell, exact then one rounding. */
    __int128 value = (__int128)qty * price;
    __int128 cash = (side == TL_SIDE_BUY ? -value : value) - (__int128)fee * TL_FIXED_SCALE;
    if (tl_fixed_from_ratio128(cash, TL_FIXED_SCALE, &eff.cash_delta) != 0)
        return TL_ERANGE;

    if (tl_fixed_add(pos->realized_pnl, eff.realized, &next.realized_pnl) != 0 ||
        tl_fixed_add(pos->fees, fee, &next.fees) != 0)
        return TL_ERANGE;
    if (side == TL_SIDE_BUY ? tl_fixed_add(pos->bought, qty, &next.bought) != 0
                            : tl_fixed_add(pos->sold, qty, &next.sold) != 0)
        return TL_ERANGE;

    *pos = next;
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

/* Makes room for one more element in a flat array by doubling; the index values are uint32_t, so
 * the array stops short of UINT32_MAX entries. */
static int grow(void **items, uint32_t *cap, uint32_t count, size_t size)
{
    if (count < *cap)
        return 0;
    if (*cap >= UINT32_MAX / 2)
        return TL_ENOMEM;
    uint32_t ncap = *cap ? *cap * 2 : BOOK_INITIAL_CAP;
    void *p = realloc(*items, (size_t)ncap * size);
    if (!p)
        return TL_ENOMEM;
    *items = p;
    *cap = ncap;
    return 0;
}

tl_position *tl_book_position(tl_book *book, uint32_t account, uint32_t instrument, int create)
{
    uint64_t key = pos_key(account, instrument);
    uint32_t i;

    if (tl_hashmap_get(&book->index, key, &i))
        return &book->positions[i];
    if (!create)
        return NULL;
    if (grow((void **)&book->positions, &book->pos_cap, book->pos_count, sizeof(tl_position)))
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

    if (grow((void **)&book->accounts, &book->acct_cap, book->acct_count, sizeof(tl_account)))
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
    tl_position *pos, next_pos;
    tl_account *acct, next_acct;
    tl_fill_effect eff;
    int rc;

    pos = tl_book_position(book, account, instrument, 1);
    if (!pos)
        return TL_ENOMEM;
    acct = tl_book_account(book, account, 1);
    if (!acct) {
        rc = TL_ENOMEM;
        goto undo;
    }

    next_pos = *pos;
    rc = tl_position_apply(&next_pos, side, qty, price, fee, &eff);
    if (rc != 0)
        goto undo;
    next_acct = *acct;
    if (tl_fixed_add(acct->cash, eff.cash_delta, &next_acct.cash) != 0 ||
        tl_fixed_add(acct->realized_pnl, eff.realized, &next_acct.realized_pnl) != 0 ||
        tl_fixed_add(acct->fees, fee, &next_acct.fees) != 0) {
        rc = TL_ERANGE;
        goto undo;
    }

    *pos = next_pos;
    *acct = next_acct;
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
