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

#endif /* TL_ENGINE_RECOVER_H */
