/* xmm.c -- see xmm.h: the market makers' configuration, their adoption of what the core holds,
 * and the refresh of their ladders. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/text.h"
#include "core/vec.h"
#include "exchange/xmm.h"

#define TICKS_MAX 1000000u /* spacing, half-spread and walk step: keeps every offset in range */

void tl_xmm_defaults(tl_xmm_symbol_cfg *c, const char *symbol)
{
    memset(c, 0, sizeof(*c));
    tl_text_copy(c->symbol, sizeof(c->symbol), symbol);
    c->levels = TL_XMM_DEFAULT_LEVELS;
    c->spacing_ticks = TL_XMM_DEFAULT_SPACING;
    c->half_spread_ticks = TL_XMM_DEFAULT_HALF_SPREAD;
    c->refresh_ns = TL_XMM_DEFAULT_REFRESH_NS;
    c->walk_step_ticks = TL_XMM_DEFAULT_WALK_STEP;
}

void tl_xmm_close(tl_xmm *mm)
{
    for (size_t i = 0; i < mm->n_books; i++) {
        free(mm->books[i].quotes);
        free(mm->books[i].mids);
    }
    free(mm->books);
    memset(mm, 0, sizeof(*mm));
}

/* The smallest multiple of the lot worth TL_XMM_AUTO_SIZE_NOTIONALS x MIN_NOTIONAL at price,
 * within LOT_SIZE: big enough that every level passes MIN_NOTIONAL while the path stays within
 * a factor 100 of where it began. */
static tl_fixed auto_size(const tl_xsymbol_cfg *s, tl_fixed price)
{
    __int128 want = (__int128)s->min_notional * TL_XMM_AUTO_SIZE_NOTIONALS * TL_FIXED_SCALE;
    __int128 qty = (want + price - 1) / price; /* in 1e-8, rounded up */
    __int128 lots = (qty + s->step - 1) / s->step;
    __int128 size = lots * s->step;
    if (size < s->min_qty)
        size = s->min_qty;
    if (size > s->max_qty)
        size = s->max_qty - s->max_qty % s->step;
    return (tl_fixed)size;
}

/* One symbol's configuration checked against the core's filters, and its book set up. */
static int book_init(tl_xmm_book *b, const tl_xcore *x, const tl_xmm_symbol_cfg *c, uint64_t seed,
                     tl_err *err)
{
    const char *name = c->symbol;
    b->symbol = tl_xcore_symbol(x, name);
    if (b->symbol < 0)
        return tl_err_set(err, TL_EINVAL, "market makers: no symbol '%s'", name);
    const tl_xsymbol_cfg *s = &x->symbols[b->symbol].cfg;
    if (c->levels < 1 || c->levels > TL_XMM_LEVELS_MAX)
        return tl_err_set(err, TL_EINVAL, "market makers %s: levels must be 1 to %d, not %u", name,
                          TL_XMM_LEVELS_MAX, c->levels);
    if (c->spacing_ticks < 1 || c->spacing_ticks > TICKS_MAX || c->half_spread_ticks < 1 ||
        c->half_spread_ticks > TICKS_MAX || c->walk_step_ticks > TICKS_MAX)
        return tl_err_set(err, TL_EINVAL,
                          "market makers %s: spacing and half-spread 1 to %u ticks, walk step "
                          "0 to %u",
                          name, TICKS_MAX, TICKS_MAX);
    if (c->refresh_ns <= 0)
        return tl_err_set(err, TL_EINVAL, "market makers %s: the refresh interval must be > 0",
                          name);
    if (c->size != 0 &&
        (c->size < s->min_qty || c->size > s->max_qty || !tl_fixed_is_multiple(c->size, s->step)))
        return tl_err_set(err, TL_EINVAL, "market makers %s: size off the LOT_SIZE filter", name);
    if (c->mids && c->n_mids == 0)
        return tl_err_set(err, TL_EINVAL, "market makers %s: an empty price path", name);
    b->cfg = *c;
    /* The ladder's reach from P: P stays where every level fits PRICE_FILTER, unless the filter
     * is too narrow for the ladder (then the outer levels are refused and skipped). */
    __int128 reach =
        ((__int128)c->half_spread_ticks + (__int128)(c->levels - 1) * c->spacing_ticks) * s->tick;
    b->lo = s->min_price;
    b->hi = s->max_price;
    if ((__int128)s->min_price + reach <= (__int128)s->max_price - reach) {
        b->lo = (tl_fixed)(s->min_price + reach);
        b->hi = (tl_fixed)(s->max_price - reach);
    }
    if (c->mids) {
        b->mids = malloc(c->n_mids * sizeof(*b->mids)); /* fixed size: no growing */
        if (!b->mids)
            return tl_err_set(err, TL_ENOMEM, "market makers: out of memory");
        for (size_t i = 0; i < c->n_mids; i++) {
            tl_fixed m = c->mids[i];
            if (m <= 0 || !tl_fixed_is_multiple(m, s->tick))
                return tl_err_set(err, TL_EINVAL,
                                  "market makers %s: path price %zu is off the tick", name, i + 1);
            b->mids[i] = m;
        }
        b->cfg.mids = b->mids;
    }
    /* Each symbol walks its own stream: adding a symbol does not change another's path. */
    tl_prng_seed(&b->rng, seed ^ tl_hash_bytes(name, strlen(name)));
    b->walk_mid = s->start_price < b->lo ? b->lo : s->start_price > b->hi ? b->hi : s->start_price;
    b->size = c->size ? c->size : auto_size(s, tl__xmm_path_price(b, s, 0));
    b->next_ns = INT64_MIN;
    return 0;
}

/* Refresh number of a client id the makers made for symbol ("mm-<symbol>-<refresh>-..."). */
static bool parse_refresh(const char *cid, int symbol, uint64_t *r)
{
    char *end;
    if (strncmp(cid, "mm-", 3) != 0 || cid[3] < '0' || cid[3] > '9')
        return false;
    unsigned long long sym = strtoull(cid + 3, &end, 10);
    if (*end != '-' || sym != (unsigned long long)symbol || end[1] < '0' || end[1] > '9')
        return false;
    unsigned long long n = strtoull(end + 1, &end, 10);
    if (*end != '-' || n == UINT64_MAX)
        return false;
    *r = n;
    return true;
}

/* What x holds of the makers: their open orders become the quotes the next refresh cancels, and
 * the refresh numbering goes on after the highest the maker's client ids show. */
static int adopt(tl_xmm *mm, const tl_xcore *x, tl_err *err)
{
    for (uint64_t i = 0; i < x->n_orders; i++) {
        const tl_xorder *o = &x->orders[i];
        if (o->account != mm->account)
            continue;
        tl_xmm_book *b = NULL;
        for (size_t k = 0; k < mm->n_books && !b; k++)
            if (mm->books[k].symbol == o->symbol)
                b = &mm->books[k];
        if (!b)
            continue;
        uint64_t r;
        if (parse_refresh(o->client_id, o->symbol, &r) && r + 1 > b->refresh)
            b->refresh = r + 1;
        if (o->status != TL_XS_NEW && o->status != TL_XS_PARTIALLY_FILLED)
            continue;
        if (TL_VEC_RESERVE32(&b->quotes, &b->cap_quotes, b->n_quotes + 1) != 0)
            return tl_err_set(err, TL_ENOMEM, "market makers: out of memory");
        b->quotes[b->n_quotes++] = o->id;
        mm->stats.adopted++;
    }
    return 0;
}

int tl_xmm_init(tl_xmm *mm, const tl_xcore *x, const char *account, uint64_t seed,
                const tl_xmm_symbol_cfg *syms, size_t n, tl_err *err)
{
    memset(mm, 0, sizeof(*mm));
    int a = tl_xcore_find_account(x, account ? account : "");
    if (a < 0)
        return tl_err_set(err, TL_EINVAL,
                          "market makers: no account '%s' (fund it in the keys file)",
                          account ? account : "");
    if (n == 0 || n > x->n_symbols)
        return tl_err_set(err, TL_EINVAL, "market makers: 1 to %zu symbols, not %zu", x->n_symbols,
                          n);
    mm->account = (uint32_t)a;
    mm->seed = seed;
    mm->books = calloc(n, sizeof(*mm->books));
    if (!mm->books)
        return tl_err_set(err, TL_ENOMEM, "market makers: out of memory");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        mm->n_books = i + 1; /* so that close frees what a failed init made */
        rc = book_init(&mm->books[i], x, &syms[i], seed, err);
        for (size_t k = 0; rc == 0 && k < i; k++)
            if (mm->books[k].symbol == mm->books[i].symbol)
                rc = tl_err_set(err, TL_EINVAL, "market makers: symbol '%s' twice", syms[i].symbol);
    }
    if (rc == 0)
        rc = adopt(mm, x, err);
    if (rc != 0)
        tl_xmm_close(mm);
    return rc;
}

int64_t tl_xmm_next_due(const tl_xmm *mm)
{
    int64_t due = INT64_MAX;
    for (size_t i = 0; i < mm->n_books; i++)
        if (mm->books[i].next_ns < due)
            due = mm->books[i].next_ns;
    return due;
}

/* Cancels the quotes of b that still rest. */
static int cancel_quotes(tl_xmm *mm, tl_xmm_book *b, tl_xcore *x, int64_t now_ns, tl_err *err)
{
    for (uint32_t i = 0; i < b->n_quotes; i++) {
        const tl_xorder *o = &x->orders[b->quotes[i] - 1];
        if (o->status != TL_XS_NEW && o->status != TL_XS_PARTIALLY_FILLED)
            continue; /* filled while it rested: nothing to cancel */
        uint64_t got;
        tl_xrefusal ref;
        int rc = tl_xcore_cancel(x, mm->account, b->symbol, o->id, NULL, now_ns, &got, &ref, err);
        if (rc < 0)
            return rc;
        if (rc == 1) /* an open order of ours the core does not know: its state is broken */
            return tl_err_set(err, TL_ECORRUPT, "market makers: open order %" PRIu64 ": %s",
                              b->quotes[i], ref.msg);
        mm->stats.canceled++;
    }
    b->n_quotes = 0;
    return 0;
}

/* Places level k of side at price unless it would cross a client's order (post-only). */
static int place_level(tl_xmm *mm, tl_xmm_book *b, tl_xcore *x, uint8_t side, uint32_t k,
                       tl_fixed price, int64_t now_ns, tl_err *err)
{
    tl_fixed bid, ask;
    tl_lob_best(&x->symbols[b->symbol].book, &bid, NULL, &ask, NULL);
    if ((side == TL_SIDE_BUY && ask > 0 && price >= ask) ||
        (side == TL_SIDE_SELL && bid > 0 && price <= bid)) {
        mm->stats.skipped_cross++;
        return 0;
    }
    char cid[TL_X_CLIENT_ID_MAX];
    snprintf(cid, sizeof(cid), "mm-%d-%" PRIu64 "-%c%u", b->symbol, b->refresh,
             side == TL_SIDE_BUY ? 'b' : 'a', k);
    tl_xplace o = {b->symbol, side, TL_ORDER_LIMIT, TL_LOB_GTC, price, b->size, cid};
    uint64_t id;
    uint32_t first;
    tl_xrefusal ref;
    int rc = tl_xcore_place(x, mm->account, &o, now_ns, &id, &first, &ref, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        mm->stats.skipped_refused++;
        return 0;
    }
    mm->stats.placed++;
    /* Room was reserved by refresh: this cannot fail after the order exists. */
    b->quotes[b->n_quotes++] = id;
    return 0;
}

static int refresh(tl_xmm *mm, tl_xmm_book *b, tl_xcore *x, int64_t now_ns, tl_err *err)
{
    int rc = cancel_quotes(mm, b, x, now_ns, err);
    if (rc != 0)
        return rc;
    if (TL_VEC_RESERVE32(&b->quotes, &b->cap_quotes, 2 * (size_t)b->cfg.levels) != 0)
        return tl_err_set(err, TL_ENOMEM, "market makers: out of memory");
    const tl_xsymbol_cfg *s = &x->symbols[b->symbol].cfg;
    tl_fixed p = tl__xmm_path_price(b, s, b->refresh);
    for (int side = 0; side < 2; side++) {
        uint8_t sd = side == 0 ? TL_SIDE_BUY : TL_SIDE_SELL;
        for (uint32_t k = 0; k < b->cfg.levels; k++) {
            /* In 128 bits: a ladder wider than PRICE_FILTER may reach past int64. */
            __int128 off =
                ((__int128)b->cfg.half_spread_ticks + (__int128)k * b->cfg.spacing_ticks) * s->tick;
            __int128 price = sd == TL_SIDE_BUY ? p - off : p + off;
            if (price < s->min_price || price > s->max_price) {
                mm->stats.skipped_refused++; /* what PRICE_FILTER would say */
                continue;
            }
            if ((rc = place_level(mm, b, x, sd, k, (tl_fixed)price, now_ns, err)) != 0)
                return rc;
        }
    }
    b->refresh++;
    mm->stats.refreshes++;
    return 0;
}

int tl_xmm_step(tl_xmm *mm, tl_xcore *x, int64_t now_ns, tl_err *err)
{
    for (size_t i = 0; i < mm->n_books; i++) {
        tl_xmm_book *b = &mm->books[i];
        if (b->next_ns != INT64_MIN && now_ns < b->next_ns)
            continue;
        int rc = refresh(mm, b, x, now_ns, err);
        if (rc != 0)
            return rc;
        b->next_ns =
            now_ns > INT64_MAX - b->cfg.refresh_ns ? INT64_MAX : now_ns + b->cfg.refresh_ns;
    }
    return 0;
}
