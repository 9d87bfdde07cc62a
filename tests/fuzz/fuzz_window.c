/* fuzz_window.c -- the input as a trading window and as a duration: a window formats back to
 * its text and answers "contains" the same way as a direct reading of the time of day; a
 * duration is never negative. */
#include <assert.h>

#include "fuzz_common.h"
#include "fuzz_printable.h"
#include "loop/duration.h"
#include "loop/window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_window w;
    tl_err err = {0};
    int rc = tl_window_parse((const char *)data, size, &w, &err);
    if (rc == 0) {
        char buf[16];
        assert(tl_window_format(&w, buf, sizeof buf) == 11);
        assert(size == 11 && memcmp(buf, data, 11) == 0);
        tl_tz utc;
        tl_tz_init_utc(&utc);
        for (int64_t m = 0; m < 1440; m += 7) {
            int64_t t = 1735689600LL * 1000000000LL + m * 60000000000LL;
            int in = w.start_min < w.end_min ? (m >= w.start_min && m <= w.end_min)
                                             : (m >= w.start_min || m <= w.end_min);
            assert(tl_window_contains(&w, &utc, t) == in);
        }
    } else {
        fuzz_check_refusal(rc, &err);
    }
    int64_t ns;
    rc = tl_duration_parse((const char *)data, size, &ns, &err);
    if (rc == 0)
        assert(ns >= 0);
    else
        fuzz_check_refusal(rc, &err);
    return 0;
}
