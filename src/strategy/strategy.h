/*
 * strategy.h -- the strategy interface (seed 003's strategy runner) and its one dispatch point.
 *
 * A strategy is a const table (tl_strategy_ops): a name, a parameter schema (dotted names such as
 * "entry.lookback_days", each an integer or a decimal with a default and bounds) and evaluate().
 * evaluate(spec, snapshot, state) -> evaluation has no hidden state: what it decides is a function
 * of the spec (strategy, parameters, symbol, workspace), the bars up to now and the paper state
 * the caller passes in, nothing else. Strategies never call the broker: they return intents, and
 * the runner (runner.h) executes them.
 *
 * The cache. Rolling windows (the 52-week high, moving averages) are O(window) per bar when
 * recomputed; a backtest feeds millions of bars. A strategy may therefore declare a cache: bytes
 * the caller allocates once and passes to every evaluate(), holding running sums or a window's
 * monotonic queue. A cache is a memo, not state: it is a pure function of (spec, bars[0..t-1])
 * and records the bar it expects next; called on any other bar (or with a NULL cache) a strategy
 * computes from the bars alone, so the evaluation is the same whichever way it was reached (the
 * tests check it).
 *
 * This file (strategy.c) is the only caller through the tables: it finds a strategy by name,
 * checks tables, validates and fills parameters (an unknown key, a value of the wrong type or out
 * of bounds is an error naming the key), and checks what evaluate() returns (intents of the spec's
 * symbol, exits before entries, quantities > 0) before anyone acts on it.
 */
#ifndef TL_STRATEGY_STRATEGY_H
#define TL_STRATEGY_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/bar.h"
#include "tradeloop/event.h"
#include "tradeloop/fixed.h"

#define TL_STRATEGY_OPS_VERSION    1
#define TL_STRATEGY_NAME_MAX       32 /* with NUL */
#define TL_STRATEGY_PARAMS_MAX     8  /* parameters of one strategy */
#define TL_STRATEGY_PARAM_NAME_MAX 40 /* with NUL: "entry.lookback_days" */
#define TL_STRATEGY_INTENTS_MAX    4  /* intents of one evaluation */
#define TL_STRATEGY_SIGNALS_MAX    4  /* signals of one evaluation */
#define TL_STRATEGY_SYMBOL_MAX     16 /* with NUL, as the paper broker's symbols */
/* "ev" + 16 hex digits + NUL; an intent id is "<evaluation_id>:<n>" (see runner.h). */
#define TL_STRATEGY_EVAL_ID_MAX 19

typedef enum tl_strategy_param_type {
    TL_PARAM_INTEGER = 1, /* value is the integer itself */
    TL_PARAM_DECIMAL = 2  /* value is a tl_fixed (8 decimals) */
} tl_strategy_param_type;

/* One row of a strategy's schema. def, min and max are in the type's unit (an integer, or a
 * tl_fixed); min <= def <= max is checked when the table is. */
typedef struct tl_strategy_param_def {
    const char *name; /* dotted: "entry.lookback_days" */
    tl_strategy_param_type type;
    int64_t def, min, max;
} tl_strategy_param_def;

/* Actions as the paper broker knows them (tl_paper_action: same values). */
typedef enum tl_strategy_action {
    TL_STRATEGY_OPEN_LONG = 1,
    TL_STRATEGY_CLOSE_LONG = 2
} tl_strategy_action;

const char *tl_strategy_action_name(tl_strategy_action a); /* "OPEN_LONG" / "CLOSE_LONG" */

typedef struct tl_strategy_ops tl_strategy_ops;

/* ExecutionSpec: which strategy, its parameters (every one filled: defaults, then overrides, in
 * schema order), the symbol it trades and the workspace whose paper account it trades in. */
typedef struct tl_strategy_spec {
    const tl_strategy_ops *ops; /* borrowed: a static const table */
    int64_t params[TL_STRATEGY_PARAMS_MAX];
    char symbol[TL_STRATEGY_SYMBOL_MAX];
    char workspace[TL_WORKSPACE_MAX];
} tl_strategy_spec;

/* MarketSnapshot: the bars up to now. bars->v[0..t] may be read, bars->v[t] being the current
 * bar; nothing after t is (no look-ahead: the dispatch passes a view cut at t+1). Borrowed. */
typedef struct tl_strategy_snapshot {
    const tl_bar *bars; /* bars[0..t] */
    size_t t;           /* index of the current bar */
} tl_strategy_snapshot;

/* The paper state the caller passes in: the account's cash and the position in spec's symbol. */
typedef struct tl_strategy_state {
    tl_fixed cash;
    tl_fixed position_qty;   /* 0 when flat */
    size_t entry_bar;        /* bar index the position was opened on; meaningful when qty > 0 */
    uint32_t open_positions; /* positions open in the workspace (max_positions counts these) */
} tl_strategy_state;

typedef struct tl_strategy_intent {
    tl_strategy_action action;
    tl_fixed qty;   /* > 0, whole units for the built-ins */
    tl_fixed price; /* the price decided at: the current bar's close */
} tl_strategy_intent;

typedef struct tl_strategy_signal {
    const char *name; /* static text: "high_lookback", "sma_fast", ... */
    tl_fixed value;
} tl_strategy_signal;

/* StrategyEvaluation: what one bar decided. Exits come before entries in intents[]. The
 * evaluation_id is filled by the dispatch, and only when there are intents (a bar without any
 * pays for no hashing): see tl_strategy_evaluation_id. */
typedef struct tl_strategy_evaluation {
    int64_t ts_ns; /* the current bar's time */
    size_t n_intents, n_signals;
    tl_strategy_intent intents[TL_STRATEGY_INTENTS_MAX];
    tl_strategy_signal signals[TL_STRATEGY_SIGNALS_MAX];
    char evaluation_id[TL_STRATEGY_EVAL_ID_MAX]; /* "" when no intent */
} tl_strategy_evaluation;

struct tl_strategy_ops {
    int version;      /* TL_STRATEGY_OPS_VERSION */
    const char *name; /* "breakout_52w_high": [a-z0-9_]{1,31} */
    const tl_strategy_param_def *params;
    size_t n_params; /* <= TL_STRATEGY_PARAMS_MAX */
    /* Bytes of cache evaluate() can use with this spec (0: none), and its initialisation (to
     * "expects bar 0"). Optional: both or neither. */
    size_t (*cache_size)(const tl_strategy_spec *spec);
    void (*cache_init)(const tl_strategy_spec *spec, void *cache);
    /* Mandatory. ev arrives zeroed with ts_ns set; the strategy adds intents and signals. cache
     * is NULL or cache_size(spec) bytes. 0, or a negative TL_E* code with err (TL_ERANGE when a
     * sum does not fit). */
    int (*evaluate)(const tl_strategy_spec *spec, const tl_strategy_snapshot *snap,
                    const tl_strategy_state *state, void *cache, tl_strategy_evaluation *ev,
                    tl_err *err);
    /* Optional, for speed: the first bar u in [t, n) whose evaluate() may return an intent
     * when the state stays `state` until then (it does: only intents change it), n when none.
     * It must never pass a bar that would have an intent (stopping early only costs time), and
     * decides each bar from bars[0..u] alone. A backtest's bars mostly decide nothing; scanning
     * them in the strategy's own loop saves a call chain and an evaluation's bookkeeping per
     * bar. cache as for evaluate(); left the window of bar u when it is not NULL. */
    size_t (*scan)(const tl_strategy_spec *spec, const tl_bar *bars, size_t n, size_t t,
                   const tl_strategy_state *state, void *cache);
    /* Optional: checks that hold between parameters (sma.fast < sma.slow); err names them. */
    int (*check)(const tl_strategy_spec *spec, tl_err *err);
    /* Optional: a one-line text of the strategy for --help. */
    const char *summary;
};

/* The built-ins (breakout.c, sma_cross.c). */
extern const tl_strategy_ops tl_strategy_breakout_ops;
extern const tl_strategy_ops tl_strategy_sma_cross_ops;

/* Checks a table: version, name, schema (names unique and well formed, types known, min <= def <=
 * max), evaluate present, cache slots both or neither. */
int tl_strategy_ops_check(const tl_strategy_ops *ops, tl_err *err);
/* The built-in table named name, or NULL. */
const tl_strategy_ops *tl_strategy_find(const char *name);
/* The built-ins, NULL-terminated (for listings and --help). */
const tl_strategy_ops *const *tl_strategy_builtins(void);

/* Fills *spec: the strategy named name (TL_ENOTFOUND naming it and the known ones), its defaults,
 * symbol (1..15 of [A-Z0-9]) and workspace (tl_workspace_validate). *spec untouched on error. */
int tl_strategy_spec_init(tl_strategy_spec *spec, const char *name, const char *symbol,
                          const char *workspace, tl_err *err);
/* Sets parameter key from text: an integer ("252") or a decimal ("1000.50"; an integer parameter
 * refuses a fraction). TL_EINVAL with the key named for an unknown key, a malformed value or a
 * value of the wrong type; TL_ERANGE naming the key and its bounds when out of them. The spec is
 * untouched on error. */
int tl_strategy_spec_set(tl_strategy_spec *spec, const char *key, const char *value, tl_err *err);
/* The same from "key=value" (the command line's --param). */
int tl_strategy_spec_set_kv(tl_strategy_spec *spec, const char *kv, tl_err *err);
/* Index of key in the spec's schema, or -1. */
int tl_strategy_param_index(const tl_strategy_ops *ops, const char *key);
/* The checks between parameters (ops->check), once they are all set: the runner calls it. */
int tl_strategy_spec_check(const tl_strategy_spec *spec, tl_err *err);
/* The value of key (in the type's unit); the default when spec has none. TL_EINVAL if unknown. */
int tl_strategy_spec_get(const tl_strategy_spec *spec, const char *key, int64_t *out, tl_err *err);

/* Runs the strategy on bar t of bars (t < n). cache as in tl_strategy_ops (NULL allowed). Fills
 * *ev, including its evaluation_id when it has intents; checks what the strategy returned
 * (TL_ESTATE naming the strategy when it broke the contract). */
int tl_strategy_evaluate(const tl_strategy_spec *spec, const tl_bar *bars, size_t n, size_t t,
                         const tl_strategy_state *state, void *cache, tl_strategy_evaluation *ev,
                         tl_err *err);
/* The first bar in [t, n) that may have an intent, state unchanged until then (ops->scan; t when
 * the strategy has no scan: every bar is evaluated). Always in [t, n]. */
size_t tl_strategy_scan(const tl_strategy_spec *spec, const tl_bar *bars, size_t n, size_t t,
                        const tl_strategy_state *state, void *cache);
/* Bytes of cache for spec (0 when the strategy keeps none); tl_strategy_cache_init readies it. */
size_t tl_strategy_cache_size(const tl_strategy_spec *spec);
void tl_strategy_cache_init(const tl_strategy_spec *spec, void *cache);

/* The evaluation id of spec's evaluation at bar time ts_ns: "ev" + the first 16 hex digits of
 * SHA-256("<workspace>|<strategy>|<symbol>|<ts_ns>"). Deterministic: the same run gives the same
 * ids, and a fill's idempotency key (which holds its intent id "<evaluation_id>:<n>") names it. */
int tl_strategy_evaluation_id(const tl_strategy_spec *spec, int64_t ts_ns,
                              char id[TL_STRATEGY_EVAL_ID_MAX], tl_err *err);

/* For strategies: appends an intent / a signal (the arrays are sized for the built-ins; a full
 * array is a programming error, reported as TL_ESTATE). */
int tl_strategy_add_intent(tl_strategy_evaluation *ev, tl_strategy_action a, tl_fixed qty,
                           tl_fixed price);
void tl_strategy_add_signal(tl_strategy_evaluation *ev, const char *name, tl_fixed value);

#endif /* TL_STRATEGY_STRATEGY_H */
