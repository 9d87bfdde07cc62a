/*
 * spec.h -- the sweep file (`tradeloop sweep --spec FILE.json`, issue 11).
 *
 *   {"base":  {"strategy": "breakout_52w_high", "symbol": "MSFT",
 *              "params": {"risk.dollars_per_trade": "1000"}},
 *    "sweep": {"entry.lookback_days": [20, 50, 252], "exit.hold_bars": [1, 5]},
 *    "max_variants": 50}
 *
 *   base.strategy  a strategy name: [a-z][a-z0-9_]{0,62} (whether it exists is the runner's
 *                  question, not the file's)
 *   base.symbol    an instrument symbol: tl_symbol_validate's [A-Z0-9]{1,15}
 *   base.params    optional; an object of parameter key -> value: the base's settings, which
 *                  every variant starts from before its overrides
 *   sweep          an object of 1..TL_SWEEP_AXES_MAX parameter keys, each to a list of
 *                  1..TL_SWEEP_VALUES_MAX values to try
 *   max_variants   an integer in 1..TL_SWEEP_VARIANTS_MAX: where the plan is cut
 *
 * A parameter key is dotted snake case, [a-z][a-z0-9_]* segments joined by '.', at most
 * TL_SWEEP_KEY_MAX - 1 bytes ("entry.lookback_days"). A value is a JSON integer or a non-empty
 * string of at most TL_SWEEP_STR_MAX - 1 bytes of any UTF-8 (decimals are written as strings,
 * "0.5", so no float formatting question arises). Everything else is refused, each refusal naming
 * the JSON path of what is wrong, keys quoted as in jq:
 *   sweep."entry.lookback_days"[2]: a real number; write decimals as strings ("0.5")
 * Refused too: any other key anywhere; a key that also names a group of keys ("entry" beside
 * "entry.lookback_days", which no dotted-parameter reading can hold both of); the same value
 * twice in one list, as the same integer or string or as an integer and its text (20 and "20":
 * they look alike to a reader and to a strategy's parameter parser).
 *
 * A key of base.params may also be swept: the sweep's value overrides it. The parsed spec keeps the
 * canonical text (canon.h) of the whole file and of its base object, the inputs of the run-plan
 * and variant ids (plan.h), so the spec is all the generator needs.
 */
#ifndef TL_SWEEP_SPEC_H
#define TL_SWEEP_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop.h"
#include "tradeloop/instrument.h"

#define TL_SWEEP_FILE_MAX     (1024u * 1024) /* bytes of a sweep file */
#define TL_SWEEP_KEY_MAX      64             /* with NUL */
#define TL_SWEEP_STR_MAX      256            /* string value bytes, with NUL */
#define TL_SWEEP_NAME_MAX     64             /* strategy name, with NUL */
#define TL_SWEEP_PARAMS_MAX   256            /* keys of base.params */
#define TL_SWEEP_AXES_MAX     32             /* keys of sweep */
#define TL_SWEEP_VALUES_MAX   10000          /* values of one swept key */
#define TL_SWEEP_VARIANTS_MAX 100000         /* max_variants */

typedef enum tl_sweep_kind {
    TL_SWEEP_INT = 1, /* i holds it */
    TL_SWEEP_STR = 2, /* s holds it */
} tl_sweep_kind;

/* One parameter value. */
typedef struct tl_sweep_value {
    tl_sweep_kind kind;
    int64_t i;
    char *s; /* owned by the spec: NUL-terminated UTF-8 (JSON text cannot hold a NUL here) */
} tl_sweep_value;

/* A key of base.params and its value. */
typedef struct tl_sweep_param {
    char key[TL_SWEEP_KEY_MAX];
    tl_sweep_value value;
} tl_sweep_param;

/* A swept key and the values to try, in file order. */
typedef struct tl_sweep_axis {
    char key[TL_SWEEP_KEY_MAX];
    tl_sweep_value *values; /* owned, n of them */
    uint32_t n;
} tl_sweep_axis;

/* Caller-allocated; init, then parse or read; close frees everything. */
typedef struct tl_sweep_spec {
    char strategy[TL_SWEEP_NAME_MAX];
    char symbol[TL_SYMBOL_MAX];
    tl_sweep_param *params; /* owned, n_params of them, sorted by key */
    uint32_t n_params;
    tl_sweep_axis *axes; /* owned, n_axes of them (>= 1), sorted by key */
    uint32_t n_axes;
    uint32_t max_variants; /* 1..TL_SWEEP_VARIANTS_MAX */
    char *canon;           /* owned: canonical text of the whole file's object */
    size_t canon_len;
    char *base_canon; /* owned: canonical text of its "base" object */
    size_t base_canon_len;
} tl_sweep_spec;

void tl_sweep_spec_init(tl_sweep_spec *s);
void tl_sweep_spec_close(tl_sweep_spec *s);

/* Parses a whole file image buf[0..len) (borrowed). On success s's previous content is replaced;
 * on error s is untouched and err names the JSON path and what is wrong. TL_EINVAL for anything
 * malformed, TL_EFULL past a limit, TL_ENOMEM. */
int tl_sweep_spec_parse(tl_sweep_spec *s, const char *buf, size_t len, tl_err *err);
/* Reads path (at most TL_SWEEP_FILE_MAX bytes) and parses it; messages start with the path.
 * TL_EIO when it cannot be read. */
int tl_sweep_spec_read(tl_sweep_spec *s, const char *path, tl_err *err);

/* The axis of key, or NULL. */
const tl_sweep_axis *tl_sweep_spec_axis(const tl_sweep_spec *s, const char *key);
/* base.params' value of key, or NULL. */
const tl_sweep_value *tl_sweep_spec_param(const tl_sweep_spec *s, const char *key);

/* 1 when two values are the same value (kind and content), else 0. */
int tl_sweep_value_eq(const tl_sweep_value *a, const tl_sweep_value *b);

#endif /* TL_SWEEP_SPEC_H */
