/*
 * civil.h -- proleptic Gregorian calendar arithmetic, shared by the ISO-8601 parser (clock.c)
 * and the time zone reader (tz.c).
 *
 * Howard Hinnant's days-from-civil algorithms: exact for every int64 day count the callers use,
 * and independent of TZ and of the C library (timegm/gmtime read the environment).
 */
#ifndef TL_CORE_CIVIL_H
#define TL_CORE_CIVIL_H

#include <stdint.h>

#define TL_SEC_PER_DAY 86400LL

/* Days since 1970-01-01 of year y, month m (1..12), day d (1..31). */
int64_t tl__days_from_civil(int64_t y, int64_t m, int64_t d);
/* The date of day z (days since 1970-01-01). */
void tl__civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d);
int tl__is_leap(int64_t y);
/* Days in month m (1..12) of year y. */
int tl__days_in_month(int64_t y, int64_t m);

#endif /* TL_CORE_CIVIL_H */
