/* fuzz_xorder.c -- orders as `tradeloop exchange` receives them, down to the matching: the input
 * is lines, each a query string then a tab then a form body (either may be empty), read as POST
 * /api/v3/order's parameters (tl__xreq_order) and, when valid, placed for one of two funded
 * accounts (the line's length picks which: odd or even) in one exchange core kept across lines. A refusal
 * is a code of Binance's table; after every order the core's books balance: no balance is ever
 * negative, each account's locked amounts are what its open orders hold, and every open order
 * rests in its book with what is left of it. */
#include <assert.h>
#include <string.h>

#include "exchange/xcore.h"
#include "exchange/xreq.h"

#define T0 (1735689600LL * 1000000000LL)

static void check_err(const tl_bapi_err *e)
{
    const tl_bapi_err_info *row = tl_bapi_err_lookup(e->code);
    assert(row != NULL && e->http == row->http && e->msg[0] != '\0');
}

static void check_books(const tl_xcore *x)
{
    tl_fixed locked[2][TL_X_MAX_SYMBOLS * 2];
    memset(locked, 0, sizeof(locked));
    for (uint64_t i = 0; i < x->n_orders; i++) {
        const tl_xorder *o = &x->orders[i];
        assert(o->executed >= 0 && o->executed <= o->qty && o->locked >= 0);
        bool open = o->status == TL_XS_NEW || o->status == TL_XS_PARTIALLY_FILLED;
        const tl_xsymbol *s = &x->symbols[o->symbol];
        tl_lob_resting r;
        assert(tl_lob_get(&s->book, o->id, &r) == open);
        if (!open) {
            assert(o->locked == 0);
            continue;
        }
        assert(r.remaining == o->qty - o->executed && r.account == o->account);
        locked[o->account][o->side == TL_SIDE_BUY ? s->quote : s->base] += o->locked;
    }
    for (uint32_t a = 0; a < x->n_accounts; a++)
        for (size_t k = 0; k < x->n_assets; k++) {
            tl_xbalance b = tl_xcore_balance(x, a, (int)k);
            assert(b.free >= 0 && b.locked == locked[a][k]);
        }
}

static void setup(tl_xcore *x)
{
    tl_err err;
    uint32_t a;
    int rc = tl_xcore_init(x, tl_xsymbols_default, tl_xsymbols_default_n, 10, &err);
    assert(rc == 0);
    static const char *const names[] = {"maker", "alice"};
    for (int i = 0; i < 2; i++) {
        rc = tl_xcore_account(x, names[i], &a, &err);
        assert(rc == 0);
        tl_xcore_fund(x, a, "USDT", TL_FIXED_INT(1000000), T0, &err);
        tl_xcore_fund(x, a, "BTC", TL_FIXED_INT(30), T0, &err);
        tl_xcore_fund(x, a, "ETH", TL_FIXED_INT(500), T0, &err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_xcore x;
    setup(&x);
    const char *s = (const char *)data, *end = s + size;
    for (int64_t t = T0; s < end; t += 1000) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *line_end = nl ? nl : end;
        uint32_t account = (uint32_t)((line_end - s) & 1);
        const char *tab = memchr(s, '\t', (size_t)(line_end - s));
        size_t qlen = (size_t)((tab ? tab : line_end) - s);
        const char *body = tab ? tab + 1 : NULL;
        size_t blen = tab ? (size_t)(line_end - body) : 0;
        tl_bapi_params p;
        tl_bapi_err e;
        tl_xplace o;
        int resp;
        if (tl_bapi_params_parse(&p, s, qlen, body, blen, &e) != 0 ||
            tl__xreq_order(&p, &x, &o, &resp, &e) != 0) {
            check_err(&e);
        } else {
            uint64_t id;
            uint32_t first;
            tl_xrefusal r;
            tl_err err;
            int rc = tl_xcore_place(&x, account, &o, t, &id, &first, &r, &err);
            assert(rc == 0 || rc == 1);
            if (rc == 1)
                assert(tl_bapi_err_lookup(r.code) != NULL);
            check_books(&x);
        }
        tl_xcore_committed(&x);
        s = nl ? nl + 1 : end;
    }
    tl_xcore_close(&x);
    return 0;
}
