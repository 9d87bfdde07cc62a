/* fuzz_store_url.c -- the store URL reader: never crashes, and what it accepts is consistent. */
#include <assert.h>

#include "fuzz_common.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = fuzz_str(data, size);
    if (!url)
        return 0;
    tl_store_url u;
    tl_err err = {0};
    if (tl_store_url_parse(url, &u, &err) == 0) {
        /* The target points into the URL, and a SQLite target is never empty. */
        assert(u.target >= url && u.target <= url + strlen(url));
        assert(strcmp(u.scheme, "sqlite") != 0 || u.target[0] != '\0');
        assert(u.scheme[0] != '\0');
    } else {
        assert(err.msg[0] != '\0');
    }
    free(url);
    return 0;
}
