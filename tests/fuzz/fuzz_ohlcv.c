/* fuzz_ohlcv.c -- the OHLCV CSV loader fed the input as a file: on success at least one bar,
 * times strictly increasing, low > 0, high >= max(open, close), low <= min(open, close) and
 * volume >= 0; on refusal a printable message and the caller's series still empty. */
#include <assert.h>
#include <string.h>

#include "data/ohlcv.h"
#include "fuzz_printable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const tl_bars empty = {0};
    tl_bars b = {0};
    tl_err err = {0};
    int rc = tl_ohlcv_parse((const char *)data, size, "fuzz.csv", &b, &err);
    if (rc != 0) {
        fuzz_check_refusal(rc, &err);
        assert(memcmp(err.msg, "fuzz.csv", 8) == 0);
        assert(memcmp(&b, &empty, sizeof b) == 0);
        return 0;
    }
    assert(b.n > 0 && b.n <= b.cap && b.v != NULL);
    for (size_t i = 0; i < b.n; i++) {
        const tl_bar *x = &b.v[i];
        assert(i == 0 || x->ts_ns > b.v[i - 1].ts_ns);
        assert(x->low > 0 && x->volume >= 0);
        assert(x->high >= x->open && x->high >= x->close);
        assert(x->low <= x->open && x->low <= x->close);
    }
    tl_bars_free(&b);
    return 0;
}
