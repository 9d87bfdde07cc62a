/*
 * mem_orders.h (internal) -- the memory store's orders projection rows, and its reads of them
 * (mem_orders.c): the newest orders and the counts by status.
 *
 * mem.c owns the array (in insertion order, which is the order of the creating events' seqs)
 * and writes it; the reads get its committed part. Nothing is indexed for them: mem: serves
 * tests and backtests, where a read walks the array once (O(n log cap) for the newest cap).
 */
#ifndef TL_STORE_MEM_ORDERS_H
#define TL_STORE_MEM_ORDERS_H

#include <stddef.h>

#include "tradeloop/store.h"

/* A row of the orders projection. */
typedef struct tl__mem_order {
    char workspace[TL_WORKSPACE_MAX];
    char order_id[TL_ORDER_ID_MAX];
    char symbol[TL_SYMBOL_MAX];
    uint8_t side;
    uint8_t status;
    tl_fixed quantity;
    tl_fixed price;
    tl_fixed filled_qty;
    int64_t created_ns;
    int64_t filled_ns; /* last fill, 0 before the first */
    char reject_reason[TL_EVENT_TEXT_MAX];
} tl__mem_order;

/* orders[0..n): the committed rows. workspace NULL = all. The slots' contracts (store.h). */
int tl__mem_orders_recent(const tl__mem_order *orders, size_t n, const char *workspace,
                          tl_order_row *out, size_t cap, size_t *got, tl_err *err);
int tl__mem_order_counts(const tl__mem_order *orders, size_t n, const char *workspace,
                         tl_order_counts *out, tl_err *err);

#endif /* TL_STORE_MEM_ORDERS_H */
