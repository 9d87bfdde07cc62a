/*
 * mem_desk.h (internal) -- the memory store's RFQ desk rows (mem_desk.c).
 *
 * Arrays in insertion order, written past their committed length inside a transaction like the
 * journal's events (mem.c): commit moves the committed lengths, rollback and a failed write cut
 * the arrays back to a mark. Reads see committed rows only.
 */
#ifndef TL_STORE_MEM_DESK_H
#define TL_STORE_MEM_DESK_H

#include "core/hashmap.h"
#include "tradeloop/store.h"

/* Lengths of the three arrays. */
typedef struct tl__mem_desk_mark {
    size_t quotes, lp_quotes, executions;
} tl__mem_desk_mark;

typedef struct tl__mem_desk {
    tl_quote_row *quotes; /* owned, insertion order */
    size_t len_quotes, cap_quotes;
    tl_lp_quote_row *lp_quotes; /* owned, insertion order */
    size_t len_lp_quotes, cap_lp_quotes;
    tl_execution_row *executions; /* owned, insertion order */
    size_t len_executions, cap_executions;
    tl_hashmap exec_ix;          /* hash(execution_id) -> executions index */
    tl__mem_desk_mark committed; /* what readers see */
} tl__mem_desk;

int tl__mem_desk_init(tl__mem_desk *d, tl_err *err);
void tl__mem_desk_free(tl__mem_desk *d);
tl__mem_desk_mark tl__mem_desk_mark_now(const tl__mem_desk *d);
/* Appends the batch's desk rows; on failure (TL_EDUPLICATE, TL_ENOMEM) nothing is left. */
int tl__mem_desk_write(tl__mem_desk *d, const tl_store_batch *b, tl_err *err);
void tl__mem_desk_cut(tl__mem_desk *d, tl__mem_desk_mark mk);
void tl__mem_desk_commit(tl__mem_desk *d);

int tl__mem_quotes_recent(const tl__mem_desk *d, tl_quote_row *out, size_t cap, size_t *n,
                          tl_err *err);
int tl__mem_executions_recent(const tl__mem_desk *d, tl_execution_row *out, size_t cap, size_t *n,
                              tl_err *err);
int tl__mem_executions_scan(const tl__mem_desk *d, tl_execution_fn fn, void *ctx, tl_err *err);
int tl__mem_lp_quotes_scan(const tl__mem_desk *d, tl_lp_quote_fn fn, void *ctx, tl_err *err);

#endif /* TL_STORE_MEM_DESK_H */
