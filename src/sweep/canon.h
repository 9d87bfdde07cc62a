/*
 * canon.h -- canonical JSON text: what Python's
 *
 *     json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
 *
 * prints, byte for byte, for the values a sweep holds. Variant and run-plan ids are hashes of this
 * text (plan.h), and the issue asks that anyone recompute them with Python's standard library, so
 * the text must be Python's, not merely equivalent JSON:
 *
 *   objects   keys sorted by code point (for UTF-8, the same as by unsigned bytes, i.e. strcmp),
 *             "k":v pairs joined by ',' with no spaces
 *   strings   '"' and '\' escaped as \" and \\; \b \f \n \r \t as those two-character escapes;
 *             every other character below 0x20 as \u00xx with lower-case hex; everything else,
 *             DEL and U+2028/U+2029 included, as its raw UTF-8
 *   integers  plain decimal ("-0" in the input reads as 0 and prints as 0, as in Python)
 *   true, false, null as themselves
 *
 * jansson's dumps (2.14, JSON_COMPACT | JSON_SORT_KEYS, no JSON_ENSURE_ASCII) comes close but
 * writes control characters with upper-case hex (\u001F where Python writes \u001f), so the ids of
 * a value holding one would differ; test_sweep_canon.c pins that difference, and writing the
 * few lines here is simpler than patching a library's output.
 * Real numbers are refused (TL_EINVAL): Python prints floats by repr, which this does not do, and
 * sweep files give decimals as strings.
 *
 * Output goes to a core/sbuf.h buffer (sticky error: write, then check b->err once).
 */
#ifndef TL_SWEEP_CANON_H
#define TL_SWEEP_CANON_H

#include <jansson.h>
#include <stddef.h>

#include "core/sbuf.h"
#include "tradeloop.h"

/* Appends s[0..n) (UTF-8, borrowed; NUL bytes allowed) as a quoted, escaped JSON string. */
void tl_canon_str(tl_sb *b, const char *s, size_t n);
/* Appends the canonical text of a whole jansson value (borrowed). A real number sets b->err to
 * TL_EINVAL. Integers need no helper: tl_sb_int prints them as Python does. */
void tl_canon_json(tl_sb *b, const json_t *v);

#endif /* TL_SWEEP_CANON_H */
