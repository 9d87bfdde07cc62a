/*
 * sbuf.h -- a growing text buffer for documents the engine writes whole: SVG plots and HTML
 * pages (issue 11). Appends never fail on the spot: the first allocation failure marks the
 * buffer (err = TL_ENOMEM) and later appends do nothing, so a writer checks once at the end.
 *
 * Ownership: the buffer owns buf (NUL-terminated once anything was written); tl_sb_free releases
 * it. Zero-initialised is empty and valid.
 */
#ifndef TL_CORE_SBUF_H
#define TL_CORE_SBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct tl_sb {
    char *buf;
    size_t len, cap;
    int err;
} tl_sb;

void tl_sb_put(tl_sb *b, const char *s, size_t n);
void tl_sb_puts(tl_sb *b, const char *s);
void tl_sb_printf(tl_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tl_sb_int(tl_sb *b, int64_t v);
/* s with & < > " ' as character references: safe inside an element and a quoted attribute of
 * HTML, XML and SVG. */
void tl_sb_xml(tl_sb *b, const char *s);
void tl_sb_free(tl_sb *b);

#endif /* TL_CORE_SBUF_H */
