/*
 * prom.h -- Prometheus text exposition (format 0.0.4): a registry of metric families and a writer.
 *
 * The caller owns the registry (no global one): it declares families once at start (name, help,
 * type, label names), gets a series per label-value tuple, keeps the series pointers and updates
 * them from the engine thread; GET /metrics writes the whole registry. Updates are plain stores
 * (no atomics, no locks): the HTTP server runs on the same loop as the engine.
 *
 * No double anywhere: a gauge, a histogram's bucket bounds and its sum are integers in units of
 * 10^-decimals (decimals 9 with nanoseconds gives seconds, the base unit Prometheus wants;
 * decimals 8 with a tl_fixed gives the amount), printed as exact decimals. Counters are uint64.
 *
 * Checked at declaration: names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
 * [a-zA-Z_][a-zA-Z0-9_]* and not "__"-prefixed, counters end in "_total", a histogram has no
 * "le" label and strictly ascending bounds (+Inf is implicit), no two families produce the same
 * sample name (a histogram "x" owns x_bucket, x_sum and x_count). Output order is declaration
 * order, series in creation order: the text is deterministic.
 *
 * Ownership: tl_prom_init/close on a caller-allocated tl_prom; the registry copies every string
 * it is given and owns families and series; family and series pointers stay valid until close.
 */
#ifndef TL_NET_PROM_H
#define TL_NET_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop.h"

#define TL_PROM_MAX_LABELS 8
#define TL_PROM_MAX_DECIMALS 18
#define TL_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef enum tl_prom_type {
    TL_PROM_COUNTER = 1,
    TL_PROM_GAUGE = 2,
    TL_PROM_HISTOGRAM = 3,
} tl_prom_type;

struct tl_prom_family;

typedef struct tl_prom_series {
    const struct tl_prom_family *fam; /* borrowed: the family it belongs to */
    char **values;     /* owned, one per label of the family */
    uint64_t count;    /* counter: its value; histogram: observations */
    int64_t value;     /* gauge, in units of 10^-decimals */
    __int128 sum;      /* histogram: sum of observations, in units */
    uint64_t *buckets; /* histogram: owned, n_bounds + 1 counts, not cumulative (last: +Inf) */
} tl_prom_series;

typedef struct tl_prom_family {
    char *name; /* owned */
    char *help; /* owned */
    tl_prom_type type;
    char **labels; /* owned label names */
    size_t n_labels;
    int64_t *bounds; /* histogram: owned, strictly ascending upper bounds, in units */
    size_t n_bounds;
    unsigned decimals;        /* gauge values, bounds and sums are units of 10^-decimals */
    tl_prom_series **series;  /* owned */
    size_t n_series, cap_series;
} tl_prom_family;

typedef struct tl_prom {
    tl_prom_family **fams; /* owned, declaration order */
    size_t n_fams, cap_fams;
} tl_prom;

/* A growable text buffer the writer appends to; the caller frees buf. */
typedef struct tl_prom_text {
    char *buf; /* NUL-terminated when len > 0 */
    size_t len, cap;
} tl_prom_text;

void tl_prom_init(tl_prom *r);
void tl_prom_close(tl_prom *r);

/* Declares a family. labels: n_labels label names (borrowed, copied). For a histogram, bounds
 * (n_bounds >= 1, copied) are in units of 10^-decimals; gauges use decimals too, counters
 * ignore it. A family without labels gets its one series now (so it prints 0 at once).
 * TL_EINVAL (a name, a label, the bounds or a collision, named in err), TL_ENOMEM. */
int tl_prom_family_add(tl_prom *r, tl_prom_type type, const char *name, const char *help,
                       const char *const *labels, size_t n_labels, const int64_t *bounds,
                       size_t n_bounds, unsigned decimals, tl_prom_family **out, tl_err *err);

/* The series of these label values (n_labels of them, borrowed, copied), created on first use.
 * Keep the pointer: looking it up is a linear scan. TL_EINVAL (NULL value), TL_ENOMEM. */
int tl_prom_series_get(tl_prom_family *f, const char *const *values, tl_prom_series **out,
                       tl_err *err);

/* Updates; the type must match the family's (asserted). */
void tl_prom_counter_add(tl_prom_series *s, uint64_t n);
void tl_prom_gauge_set(tl_prom_series *s, int64_t v);
void tl_prom_gauge_add(tl_prom_series *s, int64_t delta);
void tl_prom_observe(tl_prom_series *s, int64_t v); /* histogram, in units */

/* Appends the exposition of every family to out. TL_ENOMEM leaves out's text as it was. */
int tl_prom_write(const tl_prom *r, tl_prom_text *out, tl_err *err);

/* Name checks, shared with the tests. */
int tl_prom_name_ok(const char *name);
int tl_prom_label_name_ok(const char *name);

#endif /* TL_NET_PROM_H */
