/*
 * plan.h -- the run plan of a sweep: which variants of the base to run, in which order, under
 * which ids and in which workspaces (issue 11, "Sweeps"; the seed's test generator).
 *
 * Order, as the issue gives it:
 *   1. the baseline: the base with no overrides;
 *   2. the grid: every combination of the swept values, the keys in sorted order and the last
 *      key varying fastest (Python's itertools.product over the sorted keys' lists);
 *   3. the ablations: for each key of the first grid combination, in sorted order, that
 *      combination without the key. Dropping an override puts the parameter back to the base's
 *      value (base.params), or to the strategy's default when the base does not set it.
 * A variant whose id is already in the plan is skipped (with one swept key, the ablation is the
 * baseline), and the plan stops at the spec's max_variants, wherever in that order it is.
 * The grid is walked, never built: a cut plan of a huge grid costs only the variants it keeps.
 *
 * Ids, recomputable with Python's standard library (tests/e2e/test_sweep_ids.sh does):
 *   canon(x)     json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
 *                (canon.h), hashed as its UTF-8 bytes
 *   run_plan_id  sha256(canon(the whole sweep file's object)).hexdigest()[:16]: the same file
 *                content, however formatted, is the same plan
 *   variant_id   sha256(canon({"base": base, "overrides": overrides})).hexdigest()[:16], base
 *                the file's "base" object as written (params included when present), overrides
 *                an object of dotted key -> value ({} for the baseline)
 *   workspace    str(uuid.uuid5(TL_SWEEP_VARIANT_NS, f"{run_plan_id}:{variant_id}")), the
 *                workspace the variant's paper account trades in
 * TL_SWEEP_VARIANT_NS is itself uuid5(NAMESPACE_URL, "tradeloop:sweep-variant"); it is fixed for
 * ever, since changing it would move every past variant's workspace.
 */
#ifndef TL_SWEEP_PLAN_H
#define TL_SWEEP_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/uuid.h"
#include "sweep/canon.h"
#include "sweep/spec.h"

#define TL_SWEEP_VARIANT_NS "96df3ae5-b909-52a1-96d0-9a70e5b94b64"
#define TL_SWEEP_VARIANT_NS_BIN                                                                    \
    {                                                                                              \
        {                                                                                          \
            0x96, 0xdf, 0x3a, 0xe5, 0xb9, 0x09, 0x52, 0xa1, 0x96, 0xd0, 0x9a, 0x70, 0xe5, 0xb9,    \
                0x4b, 0x64                                                                         \
        }                                                                                          \
    }
#define TL_SWEEP_ID_STRLEN 17 /* 16 lower-case hex digits and the NUL */
#define TL_SWEEP_NONE      UINT32_MAX

typedef enum tl_sweep_variant_kind {
    TL_SWEEP_BASELINE = 0,
    TL_SWEEP_GRID = 1,
    TL_SWEEP_ABLATION = 2,
} tl_sweep_variant_kind;

/* One override: spec->axes[axis].values[value]. */
typedef struct tl_sweep_override {
    uint32_t axis;
    uint32_t value;
} tl_sweep_override;

typedef struct tl_sweep_variant {
    char id[TL_SWEEP_ID_STRLEN];
    char workspace[TL_UUID_STRLEN];
    tl_sweep_variant_kind kind;
    uint32_t first_override; /* into tl_sweep_plan.overrides; n_overrides of them, by axis */
    uint32_t n_overrides;
    uint32_t ablated; /* an ablation's dropped axis; TL_SWEEP_NONE for the others */
} tl_sweep_variant;

/* Caller-allocated; init, build, close. The overrides point into the spec's axes by index: the
 * plan is read with the spec it was built from, which must outlive it. */
typedef struct tl_sweep_plan {
    char id[TL_SWEEP_ID_STRLEN]; /* run_plan_id */
    tl_sweep_variant *variants;  /* owned, count of them, in plan order */
    uint32_t count, cap;
    tl_sweep_override *overrides; /* owned, n_overrides of them, grouped by variant */
    uint32_t n_overrides, overrides_cap;
} tl_sweep_plan;

void tl_sweep_plan_init(tl_sweep_plan *p);
void tl_sweep_plan_close(tl_sweep_plan *p);

/* Generates the plan of spec (borrowed). On success p's previous content is replaced; on error
 * (TL_ENOMEM, TL_EFULL) p is untouched. */
int tl_sweep_plan_build(tl_sweep_plan *p, const tl_sweep_spec *spec, tl_err *err);

/* Appends v's overrides as a canonical JSON object ({"entry.lookback_days":20}) to b. */
void tl_sweep_plan_write_overrides(const tl_sweep_plan *p, const tl_sweep_spec *spec,
                                   const tl_sweep_variant *v, tl_sb *b);

/* The value variant v runs with for key: its override, else base.params' value, else NULL (the
 * strategy's default). Borrowed from the spec. */
const tl_sweep_value *tl_sweep_plan_value(const tl_sweep_plan *p, const tl_sweep_spec *spec,
                                          const tl_sweep_variant *v, const char *key);

/* "baseline", "grid", "ablation". */
const char *tl_sweep_variant_kind_name(tl_sweep_variant_kind k);

#endif /* TL_SWEEP_PLAN_H */
