/*
 * clock.h -- where the engine's "now" comes from.
 *
 * The core never reads the system time itself: it asks a tl_clock. Three implementations share
 * one const table shape:
 *   real    -- CLOCK_REALTIME, for live trading;
 *   frozen  -- always the same instant, so reports and journals are byte-reproducible (the
 *              command line reads it from TRADELOOP_FREEZE_UTC: src/app/config.h; this module
 *              never reads the environment and only takes the parsed instant);
 *   sim     -- starts at a given instant and moves only when the caller advances it; backtests,
 *              shadow runs and the simulated exchange live in this time.
 * Times are int64_t nanoseconds since the Unix epoch, UTC.
 */
#ifndef TRADELOOP_CLOCK_H
#define TRADELOOP_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "../tradeloop.h"

#define TL_NS_PER_US  1000LL
#define TL_NS_PER_MS  1000000LL
#define TL_NS_PER_SEC 1000000000LL

typedef struct tl_clock tl_clock;

typedef struct tl_clock_ops {
    int version;      /* TL_CLOCK_OPS_VERSION */
    const char *name; /* "real", "frozen", "sim" */
    int64_t (*now)(const tl_clock *clock);
} tl_clock_ops;

#define TL_CLOCK_OPS_VERSION 1

/* Caller-allocated; initialise with one of the tl_clock_init_* functions. */
struct tl_clock {
    const tl_clock_ops *ops;
    int64_t t_ns; /* the instant of frozen and sim clocks; unused by real */
};

void tl_clock_init_real(tl_clock *clock);
void tl_clock_init_frozen(tl_clock *clock, int64_t t_ns);
void tl_clock_init_sim(tl_clock *clock, int64_t start_ns);

static inline int64_t tl_clock_now(const tl_clock *clock)
{
    return clock->ops->now(clock);
}

/* Sim clocks only: moves time forward by dt_ns (>= 0) or to t_ns (>= now). TL_EINVAL for any
 * other clock or for time going backwards. */
int tl_clock_advance(tl_clock *clock, int64_t dt_ns);
int tl_clock_set(tl_clock *clock, int64_t t_ns);

/* Parses an ISO-8601 UTC instant: "2025-01-01T00:00:00Z", optionally with a fraction of up to
 * 9 digits ("2025-01-01T00:00:00.250Z") and "+00:00" in place of "Z". Validates the calendar
 * (month 1..12, day within month, leap years, hour 0..23, minute/second 0..59). */
int tl_time_parse_iso(const char *s, int64_t *out_ns, tl_err *err);
/* Formats as "2025-01-01T00:00:00.000000000Z" (30 bytes with NUL) or, when the fraction is zero,
 * "2025-01-01T00:00:00Z". Returns the length or TL_ERANGE when cap is too small. */
int tl_time_format_iso(int64_t t_ns, char *buf, size_t cap);

#endif /* TRADELOOP_CLOCK_H */
