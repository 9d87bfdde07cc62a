/* fuzz_dash_view.c -- the status document `tradeloop top` reads from a database another process
 * wrote: any bytes are refused with a message, or decode to a view that encodes and decodes back
 * to the same view, byte for byte. */
#include <assert.h>

#include "dash/view_json.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_dash_view *v = malloc(sizeof *v), *back = malloc(sizeof *back);
    tl_err err = {0};
    if (!v || !back)
        goto out;
    if (tl_dash_view_decode((const char *)data, size, v, &err) != 0) {
        assert(err.msg[0] != '\0');
        goto out;
    }
    tl_jw w;
    tl_jw_init(&w);
    int rc = tl_dash_view_encode(v, &w, &err);
    assert(rc == 0); /* a decoded view passed the checks the encoder applies */
    rc = tl_jw_finish(&w);
    assert(rc == 0);
    rc = tl_dash_view_decode(w.buf, w.len, back, &err);
    assert(rc == 0);
    assert(memcmp(v, back, sizeof *v) == 0);
    tl_jw_free(&w);
out:
    free(v);
    free(back);
    return 0;
}
