/* fuzz_printable.h -- what every refusal of the loop's parsers must give: a message, one line
 * of printable ASCII. */
#ifndef TL_FUZZ_PRINTABLE_H
#define TL_FUZZ_PRINTABLE_H

#include <assert.h>

#include "tradeloop.h"

static inline void fuzz_check_refusal(int rc, const tl_err *err)
{
    assert(rc < 0);
    assert(err->msg[0] != '\0');
    for (const char *p = err->msg; *p; p++)
        assert(*p >= 0x20 && *p < 0x7f);
}

#endif /* TL_FUZZ_PRINTABLE_H */
