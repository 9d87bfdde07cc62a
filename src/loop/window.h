/*
 * window.h -- the governed loop's trading window ("09:30-16:00" in a time zone).
 *
 * A window is two wall-clock times of day, compared with the local time of an instant in the
 * run's zone (core/tz.h), so it follows daylight saving time. Both ends are inclusive, at
 * nanosecond resolution: with 09:30-16:00, 09:30:00.000000000 and 16:00:00.000000000 are inside,
 * 09:29:59.999999999 and 16:00:00.000000001 are not (the rule: exactly at the limit
 * accepted, one unit past refused). A start after the end crosses midnight: 22:00-02:00 is
 * 22:00 to 23:59:59.999999999 and 00:00 to 02:00 inclusive. "24:00" is allowed as an end only,
 * for a window open to the end of the day (00:00-24:00 is always open). Start equal to end is
 * refused: it is either empty or the whole day, and nobody should have to guess which.
 *
 * On the days clocks change, local times that do not exist are never seen and those that repeat
 * are inside twice: the window is about the wall clock traders see.
 */
#ifndef TL_LOOP_WINDOW_H
#define TL_LOOP_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tz.h"

#define TL_WINDOW_DEFAULT "09:30-16:00"

typedef struct tl_window {
    int32_t start_min; /* minutes after local midnight, 0..1439 */
    int32_t end_min;   /* 0..1440 (1440 = 24:00), != start_min */
} tl_window;

/* Parses exactly "HH:MM-HH:MM" from s[0..len) ((size_t)-1: NUL-terminated): hours 00-23,
 * minutes 00-59, two digits each; the end may also be 24:00. *out untouched on error; the
 * message names the part that is wrong. */
int tl_window_parse(const char *s, size_t len, tl_window *out, tl_err *err);
/* "09:30-16:00" (12 bytes with NUL); returns the length or TL_ERANGE when cap is too small. */
int tl_window_format(const tl_window *w, char *buf, size_t cap);

/* True when the local time of utc_ns in tz is inside the window (ends inclusive). */
bool tl_window_contains(const tl_window *w, const tl_tz *tz, int64_t utc_ns);

#endif /* TL_LOOP_WINDOW_H */
