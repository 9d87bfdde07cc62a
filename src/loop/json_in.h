/*
 * json_in.h -- what the loop's JSON inputs (signals, accounts file) share: loading with jansson
 * under one strict set of flags, and exact decimals from JSON values.
 */
#ifndef TL_LOOP_JSON_IN_H
#define TL_LOOP_JSON_IN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tradeloop/fixed.h"

/* Loads one JSON array or object from s[0..len) with duplicate keys refused (and NUL characters,
 * which jansson refuses by default). *out is the caller's reference. With_line: the message says
 * the line as well as the column (a file; a one-line input gives the column only). */
int tl__json_load(const char *s, size_t len, bool with_line, json_t **out, tl_err *err);

/* "string", "integer", "real", "object", ... for messages. */
const char *tl__json_type_name(const json_t *v);

/* A positive decimal given as a string ("0.5": exact, at most 8 decimals) or a JSON integer. A
 * JSON real is refused: jansson holds it as a double, whose value is not the text's (json_in.c).
 * Messages start with field. *out untouched on error. */
int tl__json_positive(const json_t *v, const char *field, tl_fixed *out, tl_err *err);

/* Reads the whole of path (a file or a pipe: read to the end, never past max bytes) into a new
 * buffer *buf (malloc'ed, the caller's to free; *len bytes). Messages start with path: TL_EIO
 * when it cannot be read, TL_EFULL past max ("more than the <max> bytes <what> may have"),
 * TL_ENOMEM. *buf and *len untouched on error. */
int tl__file_read_all(const char *path, size_t max, const char *what, char **buf, size_t *len,
                      tl_err *err);

#endif /* TL_LOOP_JSON_IN_H */
