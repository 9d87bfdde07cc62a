/* fuzz_bapi_request.c -- a Binance API request as the exchange receives it: the input is the
 * query string, a newline, then the body. Parsing, every typed getter, the timing rule and the
 * signature check with a fixed secret must never crash; every refusal is a code of the table
 * with a printable message; and what parses, the client's query builder writes back to the same
 * parameters. */
#include <assert.h>
#include <string.h>

#include "binapi/sign.h"
#include "fuzz_common.h"

static void check_err(const tl_bapi_err *e)
{
    const tl_bapi_err_info *row = tl_bapi_err_lookup(e->code);
    assert(row != NULL && e->http == row->http);
    assert(e->msg[0] != '\0');
    for (const char *p = e->msg; *p; p++)
        assert(*p >= 0x20 && *p < 0x7f);
}

/* The builder writes p back; parsing that gives the same names and values. */
static void round_trip(const tl_bapi_params *p)
{
    static char buf[TL_BAPI_PARAMS_MAX * (TL_BAPI_KEY_MAX + TL_BAPI_VALUE_MAX) * 3 + 64];
    tl_bapi_query q;
    tl_bapi_query_init(&q, buf, sizeof buf);
    for (uint32_t i = 0; i < p->count; i++)
        tl_bapi_query_str(&q, p->items[i].key, p->items[i].value);
    int n = tl_bapi_query_finish(&q);
    assert(n >= 0);
    tl_bapi_params back;
    tl_bapi_err e;
    int rc = tl_bapi_params_parse(&back, buf, (size_t)n, NULL, 0, &e);
    assert(rc == 0 && back.count == p->count);
    for (uint32_t i = 0; i < p->count; i++) {
        assert(strcmp(back.items[i].key, p->items[i].key) == 0);
        assert(strcmp(back.items[i].value, p->items[i].value) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t qlen = nl ? (size_t)(nl - s) : size;
    const char *body = nl ? nl + 1 : NULL;
    size_t blen = nl ? size - qlen - 1 : 0;

    tl_bapi_err e;
    static const char secret[] = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    if (tl_bapi_verify(secret, sizeof secret - 1, s, qlen, body, blen, &e) != 0)
        check_err(&e);

    tl_bapi_params p;
    tl_bapi_params_init(&p);
    if (tl_bapi_params_parse(&p, s, qlen, body, blen, &e) != 0) {
        check_err(&e);
        assert(p.count == 0);
        return 0;
    }
    round_trip(&p);
    tl_fixed f;
    int64_t v;
    const char *str;
    char sym[TL_BAPI_SYMBOL_MAX];
    tl_bapi_side side;
    tl_bapi_type type;
    tl_bapi_tif tif;
    bool present;
    int rc;
#define GET(call)                                                                                  \
    do {                                                                                           \
        if ((rc = (call)) != 0)                                                                    \
            check_err(&e);                                                                         \
    } while (0)
    GET(tl_bapi_params_symbol(&p, false, sym, &present, &e));
    GET(tl_bapi_params_side(&p, false, &side, &present, &e));
    GET(tl_bapi_params_type(&p, false, &type, &present, &e));
    GET(tl_bapi_params_tif(&p, false, &tif, &present, &e));
    GET(tl_bapi_params_fixed(&p, "price", false, &f, &present, &e));
    if (rc == 0 && present)
        assert(f >= 0);
    GET(tl_bapi_params_fixed(&p, "quantity", true, &f, &present, &e));
    GET(tl_bapi_params_int64(&p, "orderId", false, &v, &present, &e));
    if (rc == 0 && present)
        assert(v >= 0);
    GET(tl_bapi_params_str(&p, "newClientOrderId", false, &str, &present, &e));
    tl_bapi_timing t;
    if (tl_bapi_timing_read(&p, &t, &e) != 0) {
        check_err(&e);
    } else {
        assert(t.recv_window_us >= 0 && t.recv_window_us <= TL_BAPI_RECV_WINDOW_MAX_US);
        GET(tl_bapi_timing_check(&t, 1499827319559000LL, &e));
    }
    tl_bapi_params_find(&p, "signature");
    GET(tl_bapi_params_unread(&p, &e));
    return 0;
}
