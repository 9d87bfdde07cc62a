/*
 * ledger.h -- positions and cash keyed by names (workspace, symbol) rather than engine ids.
 *
 * The journal speaks in workspaces and symbols; the position book (model/position.h) in numeric
 * account and instrument ids. The ledger interns names to ids and wraps a book, so replay, the
 * paper broker and digests share one implementation of position math: the book's.
 */
#ifndef TL_JOURNAL_LEDGER_H
#define TL_JOURNAL_LEDGER_H

#include "core/hashmap.h"
#include "model/position.h"
#include "tradeloop/event.h"
#include "tradeloop/store.h"

typedef struct tl_ledger {
    tl_book book;                 /* owned; account id = workspace index, instrument = symbol */
    char (*ws)[TL_WORKSPACE_MAX]; /* owned names, index = id */
    uint32_t n_ws, cap_ws;
    char (*sym)[16];
    uint32_t n_sym, cap_sym;
    tl_hashmap ws_index; /* hash(name) -> id, multi */
    tl_hashmap sym_index;
    tl_fixed default_cash; /* starting cash of a workspace never reset */
} tl_ledger;

int tl_ledger_init(tl_ledger *l, tl_fixed default_cash);
void tl_ledger_close(tl_ledger *l);
/* Id of a name; created when create != 0, else TL_ENOTFOUND. */
int tl_ledger_workspace(tl_ledger *l, const char *ws, int create, uint32_t *id);
int tl_ledger_symbol(tl_ledger *l, const char *symbol, int create, uint32_t *id);
/* Sets a workspace's starting cash and forgets its positions (a WORKSPACE_RESET). */
int tl_ledger_reset(tl_ledger *l, const char *ws, tl_fixed starting_cash);
int tl_ledger_apply_fill(tl_ledger *l, const char *ws, const char *symbol, tl_side side,
                         tl_fixed qty, tl_fixed price, tl_fixed fee, tl_fill_effect *effect);
/* Rows of one workspace ("" or NULL: all), in freshly malloc'ed arrays the caller frees. */
int tl_ledger_rows(const tl_ledger *l, const char *ws, tl_account_row **accounts,
                   size_t *n_accounts, tl_position_row **positions, size_t *n_positions,
                   tl_err *err);
/* Digest of the rows of one workspace ("" = all). */
int tl_ledger_digest(const tl_ledger *l, const char *ws, char hex[65], tl_err *err);

#endif /* TL_JOURNAL_LEDGER_H */
