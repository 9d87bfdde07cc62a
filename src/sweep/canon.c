/*
 * canon.c -- Python's canonical json.dumps text (canon.h).
 */
#include <stdlib.h>
#include <string.h>

#include "sweep/canon.h"

void tl_canon_str(tl_sb *c, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
    tl_sb_put(c, "\"", 1);
    /* Runs of characters that need no escape are copied in one go. */
    for (; p < end; p++) {
        char esc[6] = {'\\', 0, '0', '0', 0, 0};
        size_t elen = 2;
        switch (*p) {
        case '"':
        case '\\':
            esc[1] = (char)*p;
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            if (*p >= 0x20)
                continue;
            esc[1] = 'u';
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            elen = 6;
        }
        tl_sb_put(c, (const char *)run, (size_t)(p - run));
        tl_sb_put(c, esc, elen);
        run = p + 1;
    }
    tl_sb_put(c, (const char *)run, (size_t)(end - run));
    tl_sb_put(c, "\"", 1);
}

static int key_cmp(const void *a, const void *b)
{
    /* strcmp compares as unsigned char: UTF-8 byte order, which is code-point order. */
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put_object(tl_sb *c, const json_t *v)
{
    size_t n = json_object_size(v), i = 0;
    const char **keys = n ? malloc(n * sizeof *keys) : NULL;
    if (n && keys == NULL) {
        c->err = TL_ENOMEM; /* tl_canon_json returned early on an earlier error */
        return;
    }
    const char *k;
    json_t *item;
    json_object_foreach((json_t *)v, k, item)
    {
        keys[i++] = k;
    }
    if (n) /* qsort's array may not be NULL, even when empty */
        qsort(keys, n, sizeof *keys, key_cmp);
    tl_sb_put(c, "{", 1);
    for (i = 0; i < n; i++) {
        if (i)
            tl_sb_put(c, ",", 1);
        tl_canon_str(c, keys[i], strlen(keys[i]));
        tl_sb_put(c, ":", 1);
        tl_canon_json(c, json_object_get(v, keys[i]));
    }
    tl_sb_put(c, "}", 1);
    free(keys);
}

void tl_canon_json(tl_sb *c, const json_t *v)
{
    if (c->err)
        return;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        put_object(c, v);
        break;
    case JSON_ARRAY:
        tl_sb_put(c, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                tl_sb_put(c, ",", 1);
            tl_canon_json(c, json_array_get(v, i));
        }
        tl_sb_put(c, "]", 1);
        break;
    case JSON_STRING:
        tl_canon_str(c, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        tl_sb_int(c, (int64_t)json_integer_value(v));
        break;
    case JSON_TRUE:
        tl_sb_put(c, "true", 4);
        break;
    case JSON_FALSE:
        tl_sb_put(c, "false", 5);
        break;
    case JSON_NULL:
        tl_sb_put(c, "null", 4);
        break;
    case JSON_REAL:
        /* Python's float repr is not reproduced here (canon.h): refuse rather than differ. */
        c->err = TL_EINVAL;
        break;
    }
}
