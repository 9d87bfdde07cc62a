/*
 * vec.h -- the one growable-array helper.
 *
 * Every flat array in tradeloop that grows (event buffers, pools, row arrays) grows here: by
 * doubling from a minimum, with the size product checked for overflow, and without touching the
 * array when the allocation fails. The array stays a plain pointer plus a capacity, owned by its
 * struct, so callers index it directly and no element is ever boxed.
 *
 *     tl_event *evs = NULL; size_t cap = 0;
 *     if (TL_VEC_RESERVE(&evs, &cap, n + 1) != 0) return TL_ENOMEM;
 */
#ifndef TL_CORE_VEC_H
#define TL_CORE_VEC_H

#include <stddef.h>
#include <stdint.h>

#define TL_VEC_MIN_CAP 16

/* Makes *items (elem bytes each, *cap of them) hold at least need elements. 0, or TL_ENOMEM with
 * *items and *cap unchanged. The new capacity is the smallest doubling of max(*cap,
 * TL_VEC_MIN_CAP) that is >= need. */
int tl_vec_reserve(void **items, size_t *cap, size_t need, size_t elem);

/* The same for a capacity kept as uint32_t (arrays indexed by 32-bit slot numbers): refuses to
 * grow to UINT32_MAX elements or more, so UINT32_MAX stays free as a "none" index. */
int tl_vec_reserve32(void **items, uint32_t *cap, size_t need, size_t elem);

/* Type-checked wrappers: p is a pointer to the array pointer, capp to its capacity. */
#define TL_VEC_RESERVE(p, capp, need) tl_vec_reserve((void **)(p), (capp), (need), sizeof(**(p)))
#define TL_VEC_RESERVE32(p, capp, need)                                                            \
    tl_vec_reserve32((void **)(p), (capp), (need), sizeof(**(p)))

#endif /* TL_CORE_VEC_H */
