/*
 * uuid.h -- name-based UUIDs (RFC 4122 version 5) and their text form.
 *
 * A sweep gives each variant its own workspace, named by a UUID that anyone can recompute from the
 * plan's and the variant's ids (Python: uuid.uuid5(namespace, name)), so the same variant of the
 * same plan always trades in the same workspace, on any machine. Version 5 is SHA-1 of the
 * namespace's 16 bytes followed by the name, truncated to 16 bytes, with the version nibble set to
 * 5 and the variant bits to 10 (RFC 4122 section 4.3). SHA-1 comes from OpenSSL's EVP interface;
 * its weakness does not matter here, where the UUID names a workspace and proves nothing.
 */
#ifndef TL_CORE_UUID_H
#define TL_CORE_UUID_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop.h"

#define TL_UUID_STRLEN 37 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and its NUL */

typedef struct tl_uuid {
    uint8_t b[16]; /* in network (big-endian) order, as printed */
} tl_uuid;

/* *out = UUIDv5(ns, name[0..len)). name is borrowed bytes (UTF-8 text in practice, no NUL needed).
 * 0, or TL_ENOMEM when OpenSSL cannot make a digest context; *out untouched on error. */
int tl_uuid5(const tl_uuid *ns, const void *name, size_t len, tl_uuid *out);

/* Writes the canonical lower-case text of u into out (TL_UUID_STRLEN bytes, NUL-terminated). */
void tl_uuid_format(const tl_uuid *u, char out[TL_UUID_STRLEN]);

/* Parses the 36-character hyphenated form (either case; nothing before or after). TL_EINVAL with
 * the reason in err; *out untouched on error. */
int tl_uuid_parse(const char *s, tl_uuid *out, tl_err *err);

#endif /* TL_CORE_UUID_H */
