/*
 * names.h -- an enum's stored names: a table of NUL-terminated names indexed by value, entry 0
 * unused (0 is no value), read both ways. The store keeps several such columns by name
 * (src/store/desk_rows.c, run_rows.c); this is the one place the lookup is written.
 */
#ifndef TL_CORE_NAMES_H
#define TL_CORE_NAMES_H

#include <stddef.h>
#include <string.h>

#define TL_NAMES_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* names[v] for 1 <= v < n, else NULL. */
static inline const char *tl_names_get(const char *const *names, int n, int v)
{
    return v >= 1 && v < n ? names[v] : NULL;
}

/* The value whose name is s, or 0 (s NULL or unknown). */
static inline int tl_names_parse(const char *const *names, int n, const char *s)
{
    for (int i = 1; s != NULL && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return 0;
}

#endif /* TL_CORE_NAMES_H */
