/*
 * multipart.h -- a multipart/form-data body (RFC 7578 over RFC 2046) read whole in memory: the
 * run-plan endpoint of `tradeloop serve` takes a sweep file and a CSV this way (curl -F).
 *
 * The boundary comes from the Content-Type value: `multipart/form-data; boundary=XYZ`, the
 * parameter's value a token or a quoted-string, 1..70 characters of RFC 2046's bchars (letters,
 * digits, '()+_,-./:=? and a space that is not last). Parameter names are case-insensitive; other
 * parameters are ignored.
 *
 * The body, CRLF line ends throughout (a bare LF is not a line end here):
 *   [preamble CRLF] --XYZ [padding] CRLF headers CRLF CRLF content
 *   CRLF --XYZ [padding] CRLF headers CRLF CRLF content ...
 *   CRLF --XYZ-- [padding] [CRLF epilogue]
 * The preamble and the epilogue are ignored, padding is spaces and tabs. Each part needs one
 * `Content-Disposition: form-data; name="..."` header (name quoted or a token; a quoted name may
 * hold backslash escapes; filename and other parameters are ignored; other headers are ignored).
 * A part's content is everything up to the CRLF that starts the next delimiter: the boundary
 * never occurs in content (the sender chose it so), so the first occurrence is the delimiter.
 *
 * The caller names the parts it wants; each must come exactly once, and a part of another name
 * is refused too: a form with a field the endpoint does not know is a mistake worth saying.
 * Every refusal is TL_EINVAL with one printable line naming what is wrong ("multipart: no part
 * named 'data'", "multipart: part 2: no Content-Disposition header"); the parts are then
 * untouched.
 *
 * Ownership: the parts' data point into the caller's body (borrowed; valid while it is).
 */
#ifndef TL_NET_MULTIPART_H
#define TL_NET_MULTIPART_H

#include <stddef.h>

#include "tradeloop.h"

#define TL_MULTIPART_BOUNDARY_MAX 70   /* RFC 2046 */
#define TL_MULTIPART_HEADERS_MAX  8192 /* bytes of one part's header section */
#define TL_MULTIPART_PARTS_MAX    16   /* parts a caller may ask for */
#define TL_MULTIPART_NAME_MAX     64   /* a part name's bytes, with NUL */

/* A part the caller wants. */
typedef struct tl_multipart_part {
    const char *name; /* in: the form field's name (borrowed) */
    const char *data; /* out: its content, into the body */
    size_t len;       /* out: its length */
} tl_multipart_part;

/* The boundary of a Content-Type value ct[0..ct_len) (it may hold NULs: they are refused) into
 * out (at least TL_MULTIPART_BOUNDARY_MAX + 1 bytes), NUL-terminated. TL_EINVAL when the type is
 * not multipart/form-data or the boundary is missing or malformed. */
int tl_multipart_boundary(const char *ct, size_t ct_len, char *out, tl_err *err);

/* Parses body[0..len) under the Content-Type ct and fills parts[0..n) (n <= PARTS_MAX): each
 * named part found exactly once, no other. 0, or TL_EINVAL as above. */
int tl_multipart_parse(const char *ct, size_t ct_len, const char *body, size_t len,
                       tl_multipart_part *parts, size_t n, tl_err *err);

#endif /* TL_NET_MULTIPART_H */
