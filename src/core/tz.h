/*
 * tz.h -- IANA time zones from TZif files (RFC 8536), for trading windows in local time.
 *
 * A zone is read once (tl_tz_load: /usr/share/zoneinfo/<name>) into a table of transitions and
 * their offsets, plus the POSIX TZ string of the file's footer (tz_rule.c) for instants after the
 * last transition (a "slim" file has none after 2007; a "fat" one stops in 2037). After loading,
 * tl_tz_offset is pure: a binary search, or the footer's rule for the instant's year. Nothing here
 * reads TZ or calls localtime: the same file gives the same offsets on every machine.
 *
 * Supported: TZif versions 1 (32-bit data) and 2, 3, 4 (the 64-bit block is read, the 32-bit
 * one skipped); footers "STD offset [DST [offset] [,start[/time],end[/time]]]" with Mm.w.d, Jn
 * and n dates and the RFC 8536 extensions (hours -167..167, transition times after 24:00).
 * Refused: files with leap-second records (the "right/" zones: their instants are not UTC), a
 * footer naming daylight time without a rule (POSIX's implementation-defined default).
 *
 * "UTC" is built in and never reads a file, so it works without tzdata.
 */
#ifndef TL_CORE_TZ_H
#define TL_CORE_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tradeloop.h"

#define TL_TZ_DIR       "/usr/share/zoneinfo"
#define TL_TZ_NAME_MAX  128           /* with NUL */
#define TL_TZ_FILE_MAX  (1024 * 1024) /* real files are < 4 KiB */
#define TL_TZ_TYPES_MAX 256           /* typecnt is at most 256 by RFC 8536 */

/* A date of a POSIX TZ rule. */
typedef struct tl_tz_date {
    char kind;    /* 'M' month.week.day, 'J' Julian 1..365 without Feb 29, 'N' zero-based 0..365 */
    int16_t n;    /* J, N: the day number */
    int8_t month; /* M: 1..12 */
    int8_t week;  /* M: 1..5, 5 = the last such weekday of the month */
    int8_t wday;  /* M: 0 = Sunday .. 6 */
    int32_t time; /* seconds after local midnight, -167h..167h (RFC 8536), default 02:00 */
} tl_tz_date;

/* The footer's rule: offsets are seconds east of UTC (POSIX writes them west: "EST5" is -18000). */
typedef struct tl_tz_rule {
    bool valid;            /* false: the file has no footer (v1, or an empty string) */
    bool has_dst;          /* false: std_off all year */
    int32_t std_off;       /* standard time */
    int32_t dst_off;       /* daylight time, default std_off + 3600 */
    tl_tz_date start, end; /* daylight time from start (in standard time) to end (in daylight) */
} tl_tz_rule;

/* A loaded zone. Caller-allocated; tl_tz_load* initialises it, tl_tz_close frees what it owns. */
typedef struct tl_tz {
    char name[TL_TZ_NAME_MAX]; /* "Europe/Zurich", or "" when loaded from a buffer */
    int64_t *trans;            /* owned: transition instants, UTC seconds, strictly ascending */
    uint8_t *trans_type;       /* owned, with trans: the type in force from each transition */
    uint32_t n_trans;
    uint32_t n_types;                  /* >= 1 */
    int32_t type_off[TL_TZ_TYPES_MAX]; /* seconds east of UTC per local time type */
    tl_tz_rule rule;                   /* after the last transition, when valid */
} tl_tz;

/* Checks a zone name: 1..127 of [A-Za-z0-9_+-/], no leading or trailing '/', no "//" ('.' is not
 * allowed at all, so no ".." can climb out of the zoneinfo directory). */
int tl_tz_name_validate(const char *name, tl_err *err);

/* Loads TL_TZ_DIR/<name>. TL_EINVAL for a bad name, TL_ENOTFOUND when no such zone file,
 * TL_ECORRUPT for a malformed file, TL_ENOTSUP for what is refused above, TL_EIO otherwise. tz is
 * untouched on error. */
int tl_tz_load(tl_tz *tz, const char *name, tl_err *err);
/* Parses a TZif image in memory (borrowed; tz copies what it keeps). Same codes. */
int tl_tz_load_buf(tl_tz *tz, const uint8_t *buf, size_t len, tl_err *err);
/* The built-in UTC zone (no file). */
void tl_tz_init_utc(tl_tz *tz);
void tl_tz_close(tl_tz *tz);

/* Seconds east of UTC in force at utc_ns (floor to the second). Before the first transition,
 * the file's first local time type (RFC 8536 section 3.2). */
int32_t tl_tz_offset(const tl_tz *tz, int64_t utc_ns);

/* tz_rule.c: parses a POSIX TZ string (the footer, without its newlines). */
int tl_tz_rule_parse(const char *s, size_t len, tl_tz_rule *out, tl_err *err);
/* The rule's offset at utc_sec. */
int32_t tl_tz_rule_offset(const tl_tz_rule *rule, int64_t utc_sec);

#endif /* TL_CORE_TZ_H */
