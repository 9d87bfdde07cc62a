/* fuzz_multipart.c -- a multipart/form-data body and its Content-Type from a buffer: the first
 * line is the Content-Type value, the rest the body. Accepted bodies give parts that lie inside
 * the body and are followed there by the delimiter; refusals leave the parts untouched and say
 * why in one printable line. */
#include <assert.h>

#include "fuzz_common.h"
#include "fuzz_printable.h"
#include "net/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data, *nl = memchr(in, '\n', size);
    size_t ct_len = nl ? (size_t)(nl - in) : size;
    const char *body = nl ? nl + 1 : in + size;
    size_t len = size - (size_t)(body - in);
    /* A copy of exactly len bytes, so ASan sees any read past the body's end. */
    char *copy = malloc(len ? len : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, body, len);
    tl_multipart_part p[2] = {{.name = "spec"}, {.name = "data"}};
    tl_err err = {0};
    int rc = tl_multipart_parse(in, ct_len, copy, len, p, 2, &err);
    if (rc == 0) {
        char b[TL_MULTIPART_BOUNDARY_MAX + 1];
        assert(tl_multipart_boundary(in, ct_len, b, &err) == 0);
        size_t bl = strlen(b);
        for (int i = 0; i < 2; i++) {
            assert(p[i].data >= copy && p[i].data + p[i].len <= copy + len);
            const char *after = p[i].data + p[i].len;
            assert((size_t)(copy + len - after) >= bl + 4);
            assert(memcmp(after, "\r\n--", 4) == 0 && memcmp(after + 4, b, bl) == 0);
        }
        assert(p[0].data + p[0].len <= p[1].data || p[1].data + p[1].len <= p[0].data);
    } else {
        fuzz_check_refusal(rc, &err);
        assert(p[0].data == NULL && p[1].data == NULL);
    }
    free(copy);
    return 0;
}
