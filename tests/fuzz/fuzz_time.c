/* fuzz_time.c -- ISO-8601 UTC instants (TRADELOOP_FREEZE_UTC): round trip through the formatter. */
#include <assert.h>

#include "fuzz_common.h"
#include "tradeloop/clock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size);
    if (!s)
        return 0;
    int64_t t, u;
    if (tl_time_parse_iso(s, &t, NULL) == 0) {
        char buf[64];
        if (tl_time_format_iso(t, buf, sizeof buf) > 0) {
            assert(tl_time_parse_iso(buf, &u, NULL) == 0);
            assert(t == u);
        }
    }
    free(s);
    return 0;
}
