/* fuzz_rfq_request.c -- the desk's input line as a request and as a script or terminal line: what
 * parses is complete and coherent (its symbol splits into its base and quote, the line reading
 * agrees with the request reading, the terminal accepts nothing the script refuses), an accepted
 * request hedges or is refused with a message, and every refusal is one printable line. */
#include <assert.h>

#include "fuzz_common.h"
#include "fuzz_printable.h"
#include "rfq/hedge.h"
#include "rfq/script.h"

static void check_request(const tl_rfq_request *r)
{
    assert(r->side == TL_SIDE_BUY || r->side == TL_SIDE_SELL);
    assert(r->amount > 0);
    assert(r->amount_in == TL_PAIR_BASE || r->amount_in == TL_PAIR_QUOTE);
    char base[TL_PAIR_ASSET_MAX], quote[TL_PAIR_ASSET_MAX];
    assert(tl_pair_parse(r->symbol, base, quote, NULL) == 0);
    assert(strcmp(base, r->base) == 0 && strcmp(quote, r->quote) == 0);
    assert(strlen(r->base) + strlen(r->quote) == strlen(r->symbol));
    for (int p = 0; p < 2; p++) {
        tl_hedge_input in = {
            r->side,         r->amount,       r->amount_in,  TL_FIXED_INT(12345) + 6789,
            TL_FIXED_INT(5), TL_FIXED_INT(1), (tl_pair_leg)p};
        tl_hedge h;
        tl_err err = {0};
        int rc = tl_hedge_compute(&in, &h, &err);
        if (rc == 0) {
            assert(h.client_base > 0 && h.client_quote > 0);
            assert(h.hedge_base > 0 && h.hedge_quote > 0);
            assert(h.pnl == h.profit - h.fee);
        } else {
            fuzz_check_refusal(rc, &err);
        }
    }
}

/* Field by field: padding bytes are not part of the value. */
static bool same(const tl_rfq_request *a, const tl_rfq_request *b)
{
    return a->side == b->side && a->amount == b->amount && a->amount_in == b->amount_in &&
           strcmp(a->symbol, b->symbol) == 0 && strcmp(a->base, b->base) == 0 &&
           strcmp(a->quote, b->quote) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    tl_rfq_request r;
    tl_err err = {0};
    int rc = tl_rfq_request_parse(s, size, &r, &err);
    if (rc == 0)
        check_request(&r);
    else
        fuzz_check_refusal(rc, &err);

    tl_rfq_line script, term;
    tl_err serr = {0}, terr = {0};
    int src = tl_rfq_line_parse(s, size, true, &script, &serr);
    int trc = tl_rfq_line_parse(s, size, false, &term, &terr);
    if (src == 0) {
        assert(script.kind >= TL_RFQ_LINE_NONE && script.kind <= TL_RFQ_LINE_WAIT);
        if (script.kind == TL_RFQ_LINE_REQUEST)
            assert(rc == 0 && same(&script.u.request, &r));
        if (script.kind == TL_RFQ_LINE_WAIT)
            assert(script.u.wait_ns >= 0 && trc != 0);
    } else {
        fuzz_check_refusal(src, &serr);
    }
    if (trc == 0)
        assert(src == 0 && term.kind == script.kind && term.kind != TL_RFQ_LINE_WAIT);
    else
        fuzz_check_refusal(trc, &terr);
    return 0;
}
