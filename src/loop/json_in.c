/*
 * json_in.c -- strict JSON loading and exact decimals for the loop's inputs (json_in.h).
 *
 * Why reals are refused rather than converted: jansson (2.14) parses every number with a
 * fraction or exponent into a double and keeps no text, and offers no flag to keep it; printing
 * that double back and parsing the digits would turn 0.1 into 0.1000000000000000055..., and
 * rounding it to 8 decimals would silently change values that had more. Strings and integers
 * are exact, so those are the two accepted forms.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/vec.h"
#include "loop/json_in.h"

int tl__json_load(const char *s, size_t len, bool with_line, json_t **out, tl_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (with_line)
            return tl_err_set(err, TL_EINVAL, "JSON: %s (line %d, column %d)", jerr.text, jerr.line,
                              jerr.column);
        return tl_err_set(err, TL_EINVAL, "JSON: %s (column %d)", jerr.text, jerr.column);
    }
    *out = root;
    return 0;
}

const char *tl__json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

int tl__json_positive(const json_t *v, const char *field, tl_fixed *out, tl_err *err)
{
    tl_fixed x;
    tl_err inner;
    int rc;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if ((rc = tl_fixed_parse(s, n, &x, &inner)) != 0)
            return tl_err_set(err, rc, "%s: %s", field, inner.msg);
    } else if (json_is_integer(v)) {
        if (tl_fixed_from_int(json_integer_value(v), &x) != 0)
            return tl_err_set(err, TL_ERANGE, "%s: %lld out of range", field,
                              (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        return tl_err_set(err, TL_EINVAL,
                          "%s: give decimals as a string (\"0.5\"), not a JSON number", field);
    } else {
        return tl_err_set(err, TL_EINVAL, "%s: want a decimal string or an integer, got %s", field,
                          tl__json_type_name(v));
    }
    if (x <= 0) {
        char b[TL_FIXED_STRLEN];
        tl_fixed_format(x, b, sizeof b);
        return tl_err_set(err, TL_EINVAL, "%s: must be positive, got %s", field, b);
    }
    *out = x;
    return 0;
}

int tl__file_read_all(const char *path, size_t max, const char *what, char **out, size_t *out_len,
                      tl_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tl_err_set(err, TL_EIO, "%s: %s", path, strerror(errno));
    /* Read to the end, whatever the file is (a pipe has no size), but never past the limit. */
    char *buf = NULL;
    size_t cap = 0, len = 0;
    int rc = 0;
    for (;;) {
        if (TL_VEC_RESERVE(&buf, &cap, len + 65536) != 0) {
            rc = tl_err_set(err, TL_ENOMEM, "%s: no memory to read it", path);
            break;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = tl_err_set(err, TL_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > max) {
            rc = tl_err_set(err, TL_EFULL, "%s: more than the %zu bytes %s may have", path, max,
                            what);
            break;
        }
    }
    close(fd);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len;
    return 0;
}
