/*
 * duration.h -- durations of flags like `--cooldown 5m`, `90s`, `500ms`, `1h30m`.
 *
 * One or more "<digits><unit>" parts, units ns, us, ms, s, m, h, summed: "1h30m" is 90 minutes.
 * No sign, no fraction ("1.5s": write 1500ms, so the value is exact), no spaces, no bare number
 * (is "5" seconds or minutes?). Zero is allowed ("0s"); the caller refuses it where it means
 * nothing. The result is int64 nanoseconds; past that, TL_ERANGE.
 */
#ifndef TL_LOOP_DURATION_H
#define TL_LOOP_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop.h"

/* Parses s[0..len) ((size_t)-1: NUL-terminated). *out_ns untouched on error. */
int tl_duration_parse(const char *s, size_t len, int64_t *out_ns, tl_err *err);

#endif /* TL_LOOP_DURATION_H */
