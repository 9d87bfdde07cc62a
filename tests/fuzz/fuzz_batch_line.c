/* fuzz_batch_line.c -- one line of a paper batch file: any bytes are refused with a reason or
 * give five checked fields. */
#include <assert.h>

#include "app/batch.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    batch_line bl;
    memset(&bl, 0, sizeof bl);
    bl.buf = fuzz_str(data, size);
    if (!bl.buf)
        return 0;
    char why[300] = "";
    if (tl_batch_parse_line(&bl, "fuzz", why, sizeof why) == 0) {
        assert(bl.qty > 0 && bl.price > 0);
        for (int i = 0; i < 5; i++)
            assert(bl.f[i] != NULL && strchr(bl.f[i], ',') == NULL);
    } else {
        assert(why[0] != '\0');
    }
    free(bl.buf);
    return 0;
}
