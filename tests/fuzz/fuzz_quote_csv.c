/* fuzz_quote_csv.c -- the quotes file reader fed the input's lines, by two readers at once (no
 * symbol; USDCHF at 2.5 bps): every quote has bid > 0, ask >= bid, a valid symbol and a
 * timestamp not before the previous one; every refusal a printable message. */
#include <assert.h>

#include "fuzz_common.h"
#include "fuzz_printable.h"
#include "loop/quote_csv.h"

static void check(tl_quote_csv *r, const char *line, size_t len, int64_t *last, int *have)
{
    tl_quote q;
    tl_err err = {0};
    int rc = tl_quote_csv_line(r, line, len, &q, &err);
    if (rc == 1) {
        assert(q.bid > 0 && q.ask >= q.bid);
        assert(tl_symbol_validate(q.symbol, NULL) == 0);
        assert(!*have || q.ts_ns >= *last);
        *last = q.ts_ns;
        *have = 1;
    } else if (rc < 0) {
        fuzz_check_refusal(rc, &err);
    } else {
        assert(rc == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_quote_csv a, b;
    assert(tl_quote_csv_init(&a, NULL, 0, NULL) == 0);
    assert(tl_quote_csv_init(&b, "USDCHF", 250000000, NULL) == 0);
    int64_t la = 0, lb = 0;
    int ha = 0, hb = 0;
    const char *s = (const char *)data;
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || s[i] == '\n') {
            check(&a, s + start, i - start, &la, &ha);
            check(&b, s + start, i - start, &lb, &hb);
            start = i + 1;
        }
    }
    return 0;
}
