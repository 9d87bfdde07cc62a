/* fuzz_tz.c -- the input as a TZif image and as a POSIX TZ string: a loaded zone gives offsets
 * within +/-26 h at any instant, a rule gives its standard or its daylight offset, and nothing
 * leaks. */
#include <assert.h>

#include "core/tz.h"
#include "fuzz_common.h"
#include "fuzz_printable.h"

static const int64_t instants[] = {INT64_MIN,
                                   -2717650800LL * 1000000000LL,
                                   -1,
                                   0,
                                   1,
                                   1741503600LL * 1000000000LL,
                                   2147483648LL * 1000000000LL,
                                   4118342400LL * 1000000000LL,
                                   INT64_MAX};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_tz tz;
    tl_err err = {0};
    int rc = tl_tz_load_buf(&tz, data, size, &err);
    if (rc == 0) {
        for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
            int32_t off = tl_tz_offset(&tz, instants[i]);
            assert(off > -26 * 3600 && off < 26 * 3600);
        }
        tl_tz_close(&tz);
    } else {
        fuzz_check_refusal(rc, &err);
    }
    tl_tz_rule r;
    rc = tl_tz_rule_parse((const char *)data, size, &r, &err);
    if (rc == 0) {
        for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
            int32_t off = tl_tz_rule_offset(&r, instants[i] / 1000000000LL);
            assert(off == r.std_off || (r.has_dst && off == r.dst_off));
        }
    } else {
        fuzz_check_refusal(rc, &err);
    }
    return 0;
}
