/* fuzz_order_msg.c -- seed 002's order message: what parses is complete and within its limits,
 * the order_id a refusal's answer would carry agrees with the parser, every refusal has a
 * printable reason, and the result written for it is JSON that jansson reads back. */
#include <assert.h>
#include <jansson.h>

#include "fuzz_common.h"
#include "fuzz_printable.h"
#include "service/order_msg.h"

static void check_ok(const uint8_t *data, size_t size, const tl_order_msg *m)
{
    assert(tl_order_msg_id_validate("order_id", m->order_id, strlen(m->order_id), NULL) == 0);
    assert(m->client_id[0] == '\0' ||
           tl_order_msg_id_validate("client_id", m->client_id, strlen(m->client_id), NULL) == 0);
    assert(tl_symbol_validate(m->symbol, NULL) == 0);
    assert(m->side == TL_SIDE_BUY || m->side == TL_SIDE_SELL);
    assert(m->quantity > 0);
    assert(m->price > 0 || (m->price == 0 && m->type == TL_ORDER_MARKET));
    char id[TL_ORDER_MSG_ID_MAX];
    assert(tl_order_msg_peek_id((const char *)data, size, id));
    assert(strcmp(id, m->order_id) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (unsigned flags = 0; flags <= TL_ORDER_MSG_LAX; flags++) {
        tl_order_msg m;
        tl_err err = {0};
        int rc = tl_order_msg_parse((const char *)data, size, flags, &m, &err);
        tl_order_result r = {.side = -1, .status = TL_ORDER_RESULT_REJECTED};
        char id[TL_ORDER_MSG_ID_MAX];
        if (rc == 0) {
            check_ok(data, size, &m);
            r.order_id = m.order_id;
            r.client_id = m.client_id;
            r.symbol = m.symbol;
            r.side = (int)m.side;
            r.status = TL_ORDER_RESULT_FILLED;
            r.filled_qty = m.quantity;
        } else {
            fuzz_check_refusal(rc, &err);
            if (tl_order_msg_peek_id((const char *)data, size, id))
                r.order_id = id;
            r.reject_reason = err.msg;
        }
        tl_jw w;
        tl_jw_init(&w);
        assert(tl_order_result_write(&w, &r) == 0);
        json_t *back = json_loads(w.buf, 0, NULL);
        assert(back != NULL && json_is_object(back));
        json_decref(back);
        tl_jw_free(&w);
    }
    return 0;
}
