/* fuzz_intent_msg.c -- the body of POST /execute/intents: what parses is a complete intent that the
 * broker's own validation accepts, and every refusal has a printable reason. */
#include <assert.h>

#include "fuzz_common.h"
#include "fuzz_printable.h"
#include "service/intent_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_intent_msg m;
    tl_err err = {0};
    int rc = tl_intent_msg_parse((const char *)data, size, &m, &err);
    if (rc != 0) {
        fuzz_check_refusal(rc, &err);
        return 0;
    }
    assert(m.qty > 0 && m.fill_price > 0);
    assert(strcmp(m.mode, "paper") == 0);
    tl_paper_intent in = tl_intent_msg_intent(&m, 0);
    tl_paper_action act;
    rc = tl_paper_intent_validate(&in, &act, &err);
    /* The parser leaves the action's verb to the broker: only that may be refused here. */
    assert(rc == 0 || strstr(err.msg, "action") != NULL);
    return 0;
}
