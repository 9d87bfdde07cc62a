/* fuzz_fixed.c -- exact decimal parsing: whatever parses formats back to a value that parses to
 * the same number (round trip), and nothing crashes or overflows. */
#include <assert.h>

#include "fuzz_common.h"
#include "tradeloop/fixed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_fixed v, w;
    tl_err err = {0};
    if (tl_fixed_parse((const char *)data, size, &v, &err) == 0) {
        char buf[TL_FIXED_STRLEN];
        assert(tl_fixed_format(v, buf, sizeof buf) > 0);
        assert(tl_fixed_parse(buf, strlen(buf), &w, NULL) == 0);
        assert(v == w);
    }
    return 0;
}
