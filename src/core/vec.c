/* vec.c -- see vec.h. */
#include "core/vec.h"

#include <stdlib.h>

#include "tradeloop.h"

static int grow_to(void **items, size_t cap, size_t need, size_t elem, size_t limit, size_t *out)
{
    size_t n = cap < TL_VEC_MIN_CAP ? TL_VEC_MIN_CAP : cap;
    if (elem == 0 || need > limit)
        return TL_ENOMEM;
    while (n < need) {
        if (n > limit / 2)
            n = limit;
        else
            n *= 2;
    }
    if (n > limit)
        n = limit;
    if (n > SIZE_MAX / elem)
        return TL_ENOMEM;
    void *p = realloc(*items, n * elem);
    if (p == NULL)
        return TL_ENOMEM;
    *items = p;
    *out = n;
    return 0;
}

int tl_vec_reserve(void **items, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    return grow_to(items, *cap, need, elem, SIZE_MAX / 2, cap);
}

int tl_vec_reserve32(void **items, uint32_t *cap, size_t need, size_t elem)
{
    size_t c;
    if (need <= *cap)
        return 0;
    int rc = grow_to(items, *cap, need, elem, (size_t)UINT32_MAX - 1, &c);
    if (rc == 0)
        *cap = (uint32_t)c;
    return rc;
}
