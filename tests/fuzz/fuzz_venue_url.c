/* fuzz_venue_url.c -- venue URLs (sim://?…, paper://?…) through the venue dispatch: a bad one is
 * refused with a message, a good one opens, takes an order and closes cleanly. */
#include <assert.h>

#include "fuzz_common.h"
#include "venue/venue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = fuzz_str(data, size);
    if (!url)
        return 0;
    tl_clock clock;
    tl_clock_init_sim(&clock, 1735689600LL * TL_NS_PER_SEC);
    tl_venue v;
    tl_err err = {0};
    if (tl_venue_open(&v, url, &clock, NULL, &err) == 0) {
        tl_venue_order o;
        memset(&o, 0, sizeof o);
        o.client_seq = 1;
        strcpy(o.symbol, "BTCUSDT");
        o.price = TL_FIXED_INT(50000);
        o.qty = 100000;
        o.lot_size = 100000;
        tl_venue_place(&v, &o, NULL);
        tl_venue_report r[8];
        size_t n = 0;
        tl_clock_advance(&clock, TL_NS_PER_SEC);
        tl_venue_poll(&v, r, 8, &n, NULL);
        tl_venue_close(&v);
    } else {
        assert(err.msg[0] != '\0');
    }
    free(url);
    return 0;
}
