/* multipart.c -- multipart/form-data bodies in memory (see multipart.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/multipart.h"

#define FORM "multipart/form-data"

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_bchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

static const char *skip_ows(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* Input text for a message: printable ASCII, others as '?', cut at 40 bytes. */
static const char *shown(const char *s, size_t n, char *buf, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < cap && i < 40; i++)
        buf[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (n > 40 && k + 4 < cap)
        buf[k++] = '.', buf[k++] = '.', buf[k++] = '.';
    buf[k] = '\0';
    return buf;
}

/* A parameter's value, a token or a quoted-string, decoded into out (cap bytes with the NUL).
 * Moves *pp past it. 0, -1 malformed, -2 too long (out holds its start). */
static int param_value(const char **pp, const char *end, char *out, size_t cap)
{
    const char *p = *pp;
    size_t n = 0;
    if (p < end && *p == '"') {
        for (p++;; p++) {
            if (p >= end)
                return -1; /* unclosed */
            if (*p == '"')
                break;
            if (*p == '\\' && ++p >= end)
                return -1;
            if ((unsigned char)*p < 0x20 && *p != '\t')
                return -1;
            if (n + 1 < cap)
                out[n] = *p;
            n++;
        }
        p++;
    } else {
        for (; p < end && is_tchar((unsigned char)*p); p++, n++)
            if (n + 1 < cap)
                out[n] = *p;
        if (n == 0)
            return -1;
    }
    out[n < cap ? n : cap - 1] = '\0';
    *pp = p; /* past it even when too long: the caller may skip a parameter it ignores */
    return n < cap ? 0 : -2;
}

/* The next `; name=value` of a header value. 1 one was read, 0 the end, -1 malformed, -2 a
 * value longer than vcap (name holds the parameter's name then). */
static int next_param(const char **pp, const char *end, char *name, size_t ncap, char *val,
                      size_t vcap)
{
    const char *p = skip_ows(*pp, end);
    if (p == end)
        return 0;
    if (*p != ';')
        return -1;
    p = skip_ows(p + 1, end);
    size_t n = 0;
    for (; p < end && is_tchar((unsigned char)*p); p++)
        if (n + 1 < ncap)
            name[n++] = *p;
    name[n] = '\0';
    if (n == 0 || p == end || *p != '=')
        return -1;
    p++;
    int rc = param_value(&p, end, val, vcap);
    if (rc == -1)
        return rc;
    *pp = p;
    return rc == -2 ? -2 : 1;
}

int tl_multipart_boundary(const char *ct, size_t ct_len, char *out, tl_err *err)
{
    const char *end = ct + ct_len, *p = skip_ows(ct, end);
    size_t fl = sizeof(FORM) - 1;
    char buf[64];
    if (memchr(ct, '\0', ct_len) != NULL || (size_t)(end - p) < fl ||
        strncasecmp(p, FORM, fl) != 0 ||
        (p + fl < end && p[fl] != ';' && p[fl] != ' ' && p[fl] != '\t'))
        return tl_err_set(err, TL_EINVAL, "multipart: Content-Type '%s' is not %s",
                          shown(ct, ct_len, buf, sizeof(buf)), FORM);
    p += fl;
    char name[32], val[TL_MULTIPART_BOUNDARY_MAX + 2];
    bool have = false;
    int rc;
    while ((rc = next_param(&p, end, name, sizeof(name), val, sizeof(val))) != 0) {
        bool is_b = strcasecmp(name, "boundary") == 0;
        if ((rc == -2 || (rc == 1 && strlen(val) > TL_MULTIPART_BOUNDARY_MAX)) && is_b)
            return tl_err_set(err, TL_EINVAL,
                              "multipart: the boundary is longer than %d characters",
                              TL_MULTIPART_BOUNDARY_MAX);
        if (rc == -1)
            return tl_err_set(err, TL_EINVAL, "multipart: a malformed parameter in Content-Type");
        if (!is_b)
            continue; /* another parameter, however long */
        if (have)
            return tl_err_set(err, TL_EINVAL, "multipart: two boundary parameters");
        size_t n = strlen(val);
        for (size_t i = 0; i < n; i++)
            if (!is_bchar((unsigned char)val[i]))
                return tl_err_set(err, TL_EINVAL,
                                  "multipart: the boundary holds '%s', not allowed by RFC 2046",
                                  shown(val + i, 1, buf, sizeof(buf)));
        if (n == 0 || val[n - 1] == ' ')
            return tl_err_set(err, TL_EINVAL, "multipart: the boundary is %s",
                              n == 0 ? "empty" : "ended by a space");
        memcpy(out, val, n + 1);
        have = true;
    }
    if (!have)
        return tl_err_set(err, TL_EINVAL, "multipart: Content-Type has no boundary parameter");
    return 0;
}

/* The part's name from its header section h[0..n) (lines ended by CRLF). */
static int part_name(const char *h, size_t n, unsigned k, char *name, tl_err *err)
{
    const char *end = h + n;
    bool have = false;
    char buf[64];
    /* A folded line (obsolete, RFC 7230) first: it would make its predecessor look malformed. */
    for (const char *c = h; c < end; c++)
        if ((c == h || c[-1] == '\n') && (*c == ' ' || *c == '\t'))
            return tl_err_set(err, TL_EINVAL, "multipart: part %u: a folded header line", k);
    while (h < end) {
        const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2); /* the section ends in CRLF */
        for (const char *c = h; c < eol; c++)
            if ((unsigned char)*c < 0x20 && *c != '\t')
                return tl_err_set(err, TL_EINVAL,
                                  "multipart: part %u: a control character in its headers", k);
        const char *colon = memchr(h, ':', (size_t)(eol - h));
        if (colon == NULL || colon == h)
            return tl_err_set(err, TL_EINVAL,
                              "multipart: part %u: header line '%s' has no name:", k,
                              shown(h, (size_t)(eol - h), buf, sizeof(buf)));
        static const char cd[] = "Content-Disposition";
        if ((size_t)(colon - h) == sizeof(cd) - 1 && strncasecmp(h, cd, sizeof(cd) - 1) == 0) {
            if (have)
                return tl_err_set(err, TL_EINVAL,
                                  "multipart: part %u: two Content-Disposition "
                                  "headers",
                                  k);
            have = true;
            const char *p = skip_ows(colon + 1, eol), *t = p;
            while (p < eol && is_tchar((unsigned char)*p))
                p++;
            if ((size_t)(p - t) != 9 || strncasecmp(t, "form-data", 9) != 0)
                return tl_err_set(err, TL_EINVAL,
                                  "multipart: part %u: Content-Disposition '%s', want form-data", k,
                                  shown(t, (size_t)(p - t), buf, sizeof(buf)));
            char pname[32], val[TL_MULTIPART_NAME_MAX];
            bool named = false;
            int rc;
            while ((rc = next_param(&p, eol, pname, sizeof(pname), val, sizeof(val))) != 0) {
                bool is_name = strcasecmp(pname, "name") == 0;
                if (rc == -2 && !is_name)
                    continue; /* a long filename: not ours to judge */
                if (rc < 0)
                    return tl_err_set(
                        err, TL_EINVAL, "multipart: part %u: %s in Content-Disposition", k,
                        rc == -2 ? "a name longer than 63 bytes" : "a malformed parameter");
                if (!is_name)
                    continue;
                if (named)
                    return tl_err_set(err, TL_EINVAL, "multipart: part %u: two names", k);
                if (val[0] == '\0')
                    return tl_err_set(err, TL_EINVAL, "multipart: part %u: an empty name", k);
                memcpy(name, val, strlen(val) + 1);
                named = true;
            }
            if (!named)
                return tl_err_set(err, TL_EINVAL,
                                  "multipart: part %u: Content-Disposition has no name", k);
        }
        h = eol + 2;
    }
    if (!have)
        return tl_err_set(err, TL_EINVAL, "multipart: part %u: no Content-Disposition header", k);
    return 0;
}

/* After a dash-boundary at p: 1 the closing delimiter, 0 a part follows (*next: its headers),
 * -1 garbage. */
static int after_delim(const char *p, const char *end, const char **next)
{
    if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
        p = skip_ows(p + 2, end);
        return p == end || (end - p >= 2 && p[0] == '\r' && p[1] == '\n') ? 1 : -1;
    }
    p = skip_ows(p, end);
    if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
        return -1;
    *next = p + 2;
    return 0;
}

int tl_multipart_parse(const char *ct, size_t ct_len, const char *body, size_t len,
                       tl_multipart_part *parts, size_t n, tl_err *err)
{
    char b[TL_MULTIPART_BOUNDARY_MAX + 1], delim[TL_MULTIPART_BOUNDARY_MAX + 5];
    int rc = tl_multipart_boundary(ct, ct_len, b, err);
    if (rc != 0)
        return rc;
    if (n > TL_MULTIPART_PARTS_MAX)
        return tl_err_set(err, TL_EINVAL, "multipart: %zu parts asked, at most %d", n,
                          TL_MULTIPART_PARTS_MAX);
    /* delim is CRLF "--" boundary; the first may come without its CRLF, at the body's start. */
    size_t dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
    const char *end = body + len, *p;
    if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0)
        p = body + dl - 2;
    else if ((p = memmem(body, len, delim, dl)) != NULL)
        p += dl;
    else
        return tl_err_set(err, TL_EINVAL, "multipart: no delimiter '--%s' in the body", b);
    const char *data[TL_MULTIPART_PARTS_MAX] = {0};
    size_t dlen[TL_MULTIPART_PARTS_MAX] = {0};
    char nm[TL_MULTIPART_NAME_MAX], buf[64];
    for (unsigned k = 1;; k++) {
        const char *h;
        int r = after_delim(p, end, &h);
        if (r < 0)
            return tl_err_set(err, TL_EINVAL,
                              "multipart: garbage after delimiter %u (want CRLF or '--')", k);
        if (r == 1)
            break;
        /* The header section: empty (a CRLF at once) or lines up to CRLF CRLF. */
        const char *c;
        size_t hl = 0;
        if (end - h >= 2 && h[0] == '\r' && h[1] == '\n') {
            c = h + 2;
        } else {
            size_t room = (size_t)(end - h);
            const char *hend =
                memmem(h, room < TL_MULTIPART_HEADERS_MAX ? room : TL_MULTIPART_HEADERS_MAX,
                       "\r\n\r\n", 4);
            if (hend == NULL)
                return tl_err_set(err, TL_EINVAL,
                                  "multipart: part %u: headers not ended by an empty line%s", k,
                                  room >= TL_MULTIPART_HEADERS_MAX ? " within 8 KiB" : "");
            hl = (size_t)(hend - h) + 2;
            c = hend + 4;
        }
        if ((rc = part_name(h, hl, k, nm, err)) != 0)
            return rc;
        const char *stop = memmem(c, (size_t)(end - c), delim, dl);
        if (stop == NULL)
            return tl_err_set(err, TL_EINVAL,
                              "multipart: part %u ('%s'): no delimiter after its content (the "
                              "body is cut short?)",
                              k, shown(nm, strlen(nm), buf, sizeof(buf)));
        size_t i = 0;
        while (i < n && strcmp(parts[i].name, nm) != 0)
            i++;
        if (i == n)
            return tl_err_set(err, TL_EINVAL, "multipart: unexpected part '%s'",
                              shown(nm, strlen(nm), buf, sizeof(buf)));
        if (data[i] != NULL)
            return tl_err_set(err, TL_EINVAL, "multipart: two parts named '%s'",
                              shown(nm, strlen(nm), buf, sizeof(buf)));
        data[i] = c;
        dlen[i] = (size_t)(stop - c);
        p = stop + dl;
    }
    for (size_t i = 0; i < n; i++)
        if (data[i] == NULL)
            return tl_err_set(err, TL_EINVAL, "multipart: no part named '%s'",
                              shown(parts[i].name, strlen(parts[i].name), buf, sizeof(buf)));
    for (size_t i = 0; i < n; i++) {
        parts[i].data = data[i];
        parts[i].len = dlen[i];
    }
    return 0;
}
