/*
 * recover.h -- rebuilding an engine from its journal, and squaring it with the venue after.
 */
#ifndef TL_ENGINE_RECOVER_H
#define TL_ENGINE_RECOVER_H

#include "engine/engine.h"
#include "store/store.h"

/* Feeds every event of the engine's workspace back through the kernel's transitions (no events
 * emitted, nothing sent). The engine must be fresh (no order created yet). A workspace whose
 * first reset names another mode is refused (TL_EINVAL). After it, e->has_reset says whether the
 * workspace had a WORKSPACE_RESET; without one the caller starts it with tl_engine_reset. */
int tl_engine_recover(tl_engine *e, tl_store *s, tl_err *err);

/* After recovery: live orders the venue does not know end EXPIRED ("not at the venue after a
 * restart"), journaled; *expired gets how many. A venue without get_orders is trusted. */
int tl_engine_reconcile_venue(tl_engine *e, uint64_t *expired, tl_err *err);

/* After recovery, before tl_engine_reconcile_venue (adopt.c): every live order is handed back to
 * a venue that can follow it again (tl_venue_adopt), and the reports of what it did while the
 * engine was down (fills by the venue's trade ids, its end) are applied, journaled; *adopted gets
 * how many it follows. Orders the venue does not have are left to tl_engine_reconcile_venue. A
 * venue without adoption changes nothing. An adoption that fails (the venue did not answer) is
 * the error: the engine must not trade beside an order whose state it does not know. */
int tl_engine_adopt_venue(tl_engine *e, uint64_t *adopted, tl_err *err);
/* Internal: the client_seq of every live order, in *seqs (caller frees), *n of them. */
int tl__engine_live_seqs(tl_engine *e, uint64_t **seqs, size_t *n, tl_err *err);

/* Reconciliation's repairs, each journaled. */
/* A fill the venue lists (get_fills) that never reached the engine, applied as its report was: a
 * trade id the engine already holds is refused (FILL_REFUSED), so a fill is never applied twice.
 * 1 when applied, 0 when refused. */
int tl_engine_apply_missed_fill(tl_engine *e, const tl_venue_fill *f);
/* A live order the venue does not know: EXPIRED with text. 1 when it was live, else 0. */
int tl_engine_expire_order(tl_engine *e, uint64_t client_seq, const char *text);
/* A finding of reconciliation, journaled in account's workspace (0 = home) as RECONCILED. */
void tl_engine_note(tl_engine *e, uint32_t account, const char *text);

#endif /* TL_ENGINE_RECOVER_H */
