/* fuzz_common.h -- helpers for the libFuzzer targets: the input as a NUL-terminated string. */
#ifndef TL_FUZZ_COMMON_H
#define TL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'ed NUL-terminated copy of the input (its embedded NULs end it early, as in C). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
    }
    return s;
}

#endif /* TL_FUZZ_COMMON_H */
