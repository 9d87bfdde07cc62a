/* fuzz_signal.c -- one JSONL signal: what parses is complete and within its limits; every
 * refusal has a printable message. */
#include <assert.h>

#include "fuzz_common.h"
#include "fuzz_printable.h"
#include "loop/signal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_signal s;
    tl_err err = {0};
    int rc = tl_signal_parse((const char *)data, size, &s, &err);
    if (rc == 1) {
        size_t n = strnlen(s.id, sizeof s.id);
        assert(n >= 1 && n < sizeof s.id);
        for (size_t i = 0; i < n; i++)
            assert(s.id[i] > 0x20 && s.id[i] < 0x7f);
        assert(tl_workspace_validate(s.account, NULL) == 0);
        assert(tl_symbol_validate(s.symbol, NULL) == 0);
        assert(s.action >= TL_SIGNAL_ENTER_LONG && s.action <= TL_SIGNAL_EXIT);
        assert(s.qty > 0 || (s.qty == 0 && s.action == TL_SIGNAL_EXIT));
        assert(s.expected_price >= 0);
    } else if (rc < 0) {
        fuzz_check_refusal(rc, &err);
    }
    return 0;
}
