/* fuzz_ids.c -- names from outside: order ids, event types, symbols, workspaces, intent ids. */
#include <assert.h>

#include "fuzz_common.h"
#include "paper/broker.h"
#include "tradeloop/event.h"
#include "tradeloop/instrument.h"
#include "tradeloop/order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size);
    if (!s)
        return 0;
    uint64_t seq;
    char buf[TL_ORDER_ID_MAX];
    if (tl_order_parse_client_id(s, &seq) == 0 && seq < 100000000000000000ULL) {
        tl_order_format_client_id(seq, buf);
        uint64_t back;
        assert(tl_order_parse_client_id(buf, &back) == 0 && back == seq);
    }
    tl_order_parse_venue_id(s, &seq);
    tl_event_type t;
    if (tl_event_type_parse(s, &t) == 0)
        assert(strcmp(tl_event_type_name(t), s) == 0);
    tl_symbol_validate(s, NULL);
    tl_instrument inst;
    if (tl_instrument_any(s, &inst, NULL) == 0)
        assert(tl_instrument_validate(&inst, NULL) == 0);
    tl_workspace_validate(s, NULL);
    tl_paper_intent_id_validate(s, NULL);
    free(s);
    return 0;
}
