/* xcore.c -- see xcore.h: symbols, assets, accounts, balances, funding and lookups. Orders and
 * matching are in xplace.c, recovery in xrecover.c. */
#include "exchange/xcore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/vec.h"

/* Tick 0.01; lots of 0.00001 BTC and 0.0001 ETH; 5 USDT minimum notional: Binance's filters of
 * the two pairs as its exchangeInfo showed them. */
const tl_xsymbol_cfg tl_xsymbols_default[] = {
    {"BTCUSDT", "BTC", "USDT", 1000000, 1000000, TL_FIXED_INT(1000000), 1000, 1000,
     TL_FIXED_INT(9000), TL_FIXED_INT(5), TL_FIXED_INT(30000)},
    {"ETHUSDT", "ETH", "USDT", 1000000, 1000000, TL_FIXED_INT(1000000), 10000, 10000,
     TL_FIXED_INT(100000), TL_FIXED_INT(5), TL_FIXED_INT(2000)},
};
const size_t tl_xsymbols_default_n = sizeof(tl_xsymbols_default) / sizeof(tl_xsymbols_default[0]);

const char *tl_xstatus_name(int s)
{
    static const char *const names[] = {"NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED",
                                        "EXPIRED"};
    return s >= 0 && s <= TL_XS_EXPIRED ? names[s] : "?";
}

static int add_asset(tl_xcore *x, const char *name)
{
    int a = tl_xcore_asset(x, name);
    if (a >= 0)
        return a;
    tl_text_copy(x->assets[x->n_assets], TL_X_ASSET_MAX, name);
    return (int)x->n_assets++;
}

/* A symbol's filters must make sense together: every check of an order relies on them. */
static int check_symbol(const tl_xsymbol_cfg *c, tl_err *err)
{
    if (c->name[0] == '\0' || c->base[0] == '\0' || c->quote[0] == '\0' ||
        strcmp(c->base, c->quote) == 0)
        return tl_err_set(err, TL_EINVAL, "exchange: symbol '%s': needs a name and two assets",
                          c->name);
    if (c->tick <= 0 || c->step <= 0 || c->min_price < c->tick || c->max_price < c->min_price ||
        c->min_qty < c->step || c->max_qty < c->min_qty || c->min_notional < 0 ||
        !tl_fixed_is_multiple(c->min_price, c->tick) || !tl_fixed_is_multiple(c->min_qty, c->step) ||
        c->start_price < c->min_price || c->start_price > c->max_price ||
        !tl_fixed_is_multiple(c->start_price, c->tick))
        return tl_err_set(err, TL_EINVAL, "exchange: symbol '%s': inconsistent filters", c->name);
    return 0;
}

int tl_xcore_init(tl_xcore *x, const tl_xsymbol_cfg *symbols, size_t n_symbols, uint32_t fee_bps,
                  tl_err *err)
{
    memset(x, 0, sizeof(*x));
    if (n_symbols == 0 || n_symbols > TL_X_MAX_SYMBOLS)
        return tl_err_set(err, TL_EINVAL, "exchange: 1 to %d symbols, not %zu", TL_X_MAX_SYMBOLS,
                          n_symbols);
    if (fee_bps > 1000)
        return tl_err_set(err, TL_EINVAL, "exchange: a fee of %u bps is above 10%%", fee_bps);
    x->fee_bps = fee_bps;
    int rc = tl_hashmap_init(&x->client_ids, 1024);
    if (rc != 0)
        return tl_err_set(err, rc, "exchange: out of memory");
    for (size_t i = 0; i < n_symbols; i++) {
        tl_xsymbol *s = &x->symbols[i];
        if ((rc = check_symbol(&symbols[i], err)) != 0)
            break;
        if (tl_xcore_symbol(x, symbols[i].name) >= 0) {
            rc = tl_err_set(err, TL_EINVAL, "exchange: symbol '%s' twice", symbols[i].name);
            break;
        }
        s->cfg = symbols[i];
        if ((rc = tl_lob_init(&s->book, s->cfg.tick, s->cfg.step, 1024, err)) != 0)
            break;
        x->n_symbols++;
        s->base = add_asset(x, s->cfg.base);
        s->quote = add_asset(x, s->cfg.quote);
    }
    if (rc != 0)
        tl_xcore_close(x);
    return rc;
}

void tl_xcore_close(tl_xcore *x)
{
    for (size_t i = 0; i < x->n_symbols; i++)
        tl_lob_close(&x->symbols[i].book);
    for (uint32_t i = 0; i < x->n_accounts; i++)
        free(x->accounts[i].fills);
    free(x->accounts);
    free(x->orders);
    free(x->fills);
    free(x->pending);
    free(x->taken);
    tl_hashmap_close(&x->client_ids);
    memset(x, 0, sizeof(*x));
}

int tl_xcore_symbol(const tl_xcore *x, const char *name)
{
    for (size_t i = 0; i < x->n_symbols; i++)
        if (strcmp(x->symbols[i].cfg.name, name) == 0)
            return (int)i;
    return -1;
}

int tl_xcore_asset(const tl_xcore *x, const char *name)
{
    for (size_t i = 0; i < x->n_assets; i++)
        if (strcmp(x->assets[i], name) == 0)
            return (int)i;
    return -1;
}

int tl_xcore_find_account(const tl_xcore *x, const char *name)
{
    for (uint32_t i = 0; i < x->n_accounts; i++)
        if (strcmp(x->accounts[i].name, name) == 0)
            return (int)i;
    return -1;
}

int tl_xcore_account(tl_xcore *x, const char *name, uint32_t *out, tl_err *err)
{
    int a = tl_xcore_find_account(x, name);
    if (a >= 0) {
        *out = (uint32_t)a;
        return 0;
    }
    int rc = tl_workspace_validate(name, err);
    if (rc != 0)
        return rc;
    if (TL_VEC_RESERVE32(&x->accounts, &x->cap_accounts, x->n_accounts + 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "exchange: out of memory");
    tl_xaccount *acct = &x->accounts[x->n_accounts];
    memset(acct, 0, sizeof(*acct));
    tl_text_copy(acct->name, sizeof(acct->name), name);
    *out = x->n_accounts++;
    return 0;
}

/* The balance entry of asset in acct, added (zero) when absent; NULL when the account already
 * holds TL_X_MAX_ASSETS others (impossible: there are fewer assets than that in all). */
tl_xbalance *tl__xcore_bal(tl_xcore *x, uint32_t account, int asset)
{
    tl_xaccount *a = &x->accounts[account];
    for (uint32_t i = 0; i < a->n_bal; i++)
        if (a->bal[i].asset == asset)
            return &a->bal[i];
    if (a->n_bal == TL_X_MAX_ASSETS)
        return NULL;
    a->bal[a->n_bal] = (tl_xbalance){asset, 0, 0};
    return &a->bal[a->n_bal++];
}

tl_xbalance tl_xcore_balance(const tl_xcore *x, uint32_t account, int asset)
{
    const tl_xaccount *a = &x->accounts[account];
    for (uint32_t i = 0; i < a->n_bal; i++)
        if (a->bal[i].asset == asset)
            return a->bal[i];
    return (tl_xbalance){asset, 0, 0};
}

int tl__xcore_emit(tl_xcore *x, const tl_event *ev)
{
    if (TL_VEC_RESERVE(&x->pending, &x->cap_pending, x->n_pending + 1) != 0)
        return TL_ENOMEM;
    x->pending[x->n_pending++] = *ev;
    return 0;
}

int tl_xcore_fund(tl_xcore *x, uint32_t account, const char *asset, tl_fixed amount, int64_t ts_ns,
                  tl_err *err)
{
    int a = tl_xcore_asset(x, asset);
    if (a < 0) {
        if (x->n_assets == sizeof(x->assets) / sizeof(x->assets[0]) || strlen(asset) == 0 ||
            strlen(asset) >= TL_X_ASSET_MAX)
            return tl_err_set(err, TL_EINVAL, "exchange: cannot hold asset '%s'", asset);
        a = add_asset(x, asset);
    }
    if (amount < 0)
        return tl_err_set(err, TL_EINVAL, "exchange: funding %s with a negative amount", asset);
    tl_xbalance *b = tl__xcore_bal(x, account, a);
    tl_fixed sum;
    if (!b || tl_fixed_add(b->free, amount, &sum) != 0)
        return tl_err_set(err, TL_ERANGE, "exchange: account %s: %s balance out of range",
                          x->accounts[account].name, asset);
    tl_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = TL_EV_BALANCE_FUNDED;
    ev.ts_ns = ts_ns;
    tl_text_copy(ev.workspace, sizeof(ev.workspace), x->accounts[account].name);
    tl_text_copy(ev.symbol, sizeof(ev.symbol), asset);
    ev.qty = amount;
    if (tl__xcore_emit(x, &ev) != 0)
        return tl_err_set(err, TL_ENOMEM, "exchange: out of memory");
    b->free = sum;
    return 0;
}

/* The key of (account, client id) in client_ids. */
uint64_t tl__xcore_client_key(uint32_t account, const char *client_id)
{
    char buf[4 + TL_X_CLIENT_ID_MAX];
    size_t n = strlen(client_id);
    memcpy(buf, &account, 4);
    memcpy(buf + 4, client_id, n);
    return tl_hash_bytes(buf, 4 + n);
}

const tl_xorder *tl__xcore_client_order(const tl_xcore *x, uint32_t account, const char *client_id)
{
    if (!client_id || !client_id[0] || strlen(client_id) >= TL_X_CLIENT_ID_MAX)
        return NULL;
    uint64_t key = tl__xcore_client_key(account, client_id), cursor = 0;
    uint32_t idx;
    while (tl_hashmap_next_match(&x->client_ids, key, &cursor, &idx)) {
        const tl_xorder *o = &x->orders[idx];
        if (o->account == account && strcmp(o->client_id, client_id) == 0)
            return o;
    }
    return NULL;
}

const tl_xorder *tl_xcore_find_order(const tl_xcore *x, uint32_t account, int symbol, uint64_t id,
                                     const char *client_id)
{
    const tl_xorder *o = NULL;
    if (id > 0)
        o = id <= x->n_orders ? &x->orders[id - 1] : NULL;
    else
        o = tl__xcore_client_order(x, account, client_id);
    return o && o->account == account && o->symbol == symbol ? o : NULL;
}
