/*
 * mem_runs.h (internal) -- the memory store's run plans and variants (mem_runs.c).
 *
 * Kept apart from the journal's arrays in mem.c, like the control inbox: each call is its own
 * transaction, and a batch's rollback never touches these rows. Plans and variants are arrays in
 * insertion order with a hash index each; reads sort what they return.
 */
#ifndef TL_STORE_MEM_RUNS_H
#define TL_STORE_MEM_RUNS_H

#include "core/hashmap.h"
#include "tradeloop/store.h"

typedef struct tl__mem_runs {
    tl_run_plan_row *plans; /* owned, each spec owned (malloc'ed) */
    size_t n_plans, cap_plans;
    tl_run_variant_row *variants; /* owned */
    size_t n_variants, cap_variants;
    tl_hashmap plan_ix;    /* hash(run_plan_id) -> plans index, multi */
    tl_hashmap variant_ix; /* hash(run_plan_id, variant_id) -> variants index, multi */
} tl__mem_runs;

int tl__mem_runs_init(tl__mem_runs *r, tl_err *err);
void tl__mem_runs_free(tl__mem_runs *r);
int tl__mem_run_plan_put(tl__mem_runs *r, const tl_run_plan_row *row, tl_err *err);
int tl__mem_run_variant_put(tl__mem_runs *r, const tl_run_variant_row *row, tl_err *err);
int tl__mem_run_plans_recent(const tl__mem_runs *r, tl_run_plan_row *out, size_t cap, size_t *n,
                             tl_err *err);
int tl__mem_run_plan_get(const tl__mem_runs *r, const char *id, tl_run_plan_row *out, tl_err *err);
int tl__mem_run_variants(const tl__mem_runs *r, const char *plan_id, tl_run_variant_row *out,
                         size_t cap, size_t *n, tl_err *err);

#endif /* TL_STORE_MEM_RUNS_H */
