/* test_tz.c -- TZif zones and POSIX TZ rules against glibc (TZ + localtime_r, in this test
 * only), hand-made files for every refusal, and zone names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/tz.h"

#define NS 1000000000LL

/* glibc's offset at t under TZ=tzenv. */
static long glibc_off(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(localtime_r(&tt, &tm));
    return tm.tm_gmtoff;
}

static void set_tz(const char *tzenv)
{
    setenv("TZ", tzenv, 1);
    tzset();
}

typedef int32_t (*offset_fn)(const void *zone, int64_t t);

static int32_t zone_off(const void *zone, int64_t t)
{
    return tl_tz_offset(zone, t * NS);
}

static int32_t rule_off(const void *zone, int64_t t)
{
    return tl_tz_rule_offset(zone, t);
}

/* Compares ours with glibc from year `from` to `to` every `step` seconds and, with edges, at
 * the exact second of every change glibc shows between two samples (found by bisection), one
 * second before it, and one nanosecond before it. Returns the number of changes checked. */
static int compare(const char *what, offset_fn fn, const void *zone, int from, int to, int64_t step,
                   int edges)
{
    int64_t t0 = ((int64_t)from - 1970) * 31556952, t1 = ((int64_t)to - 1970) * 31556952;
    int changes = 0;
    long prev = glibc_off(t0);
    for (int64_t t = t0; t <= t1; t += step) {
        long g = glibc_off(t);
        if (fn(zone, t) != g)
            fail_msg("%s at %lld: ours %d, glibc %ld", what, (long long)t, fn(zone, t), g);
        if (edges && g != prev) {
            int64_t lo = t - step, hi = t; /* glibc_off(lo) == prev, glibc_off(hi) != prev */
            while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;
                if (glibc_off(mid) == prev)
                    lo = mid;
                else
                    hi = mid;
            }
            if (fn(zone, hi) != glibc_off(hi) || fn(zone, lo) != prev)
                fail_msg("%s change at %lld: ours %d/%d, glibc %ld/%ld", what, (long long)hi,
                         fn(zone, lo), fn(zone, hi), prev, glibc_off(hi));
            if (fn == zone_off && tl_tz_offset(zone, hi * NS - 1) != prev)
                fail_msg("%s: one ns before the change at %lld is not the old offset", what,
                         (long long)hi);
            changes++;
        }
        prev = g;
    }
    return changes;
}

static void against_glibc(const char *name, int min_changes)
{
    tl_tz tz;
    tl_err err;
    if (tl_tz_load(&tz, name, &err) != 0)
        fail_msg("load %s: %s", name, err.msg);
    assert_string_equal(tz.name, name);
    set_tz(name);
    /* Hourly-ish over the years the footer rules (past 2037 in a fat file), coarser before. */
    int n = compare(name, zone_off, &tz, 1850, 2150, 86400 * 3 + 3607, 1);
    n += compare(name, zone_off, &tz, 2000, 2060, 3599, 0);
    if (n < min_changes)
        fail_msg("%s: only %d changes seen", name, n);
    tl_tz_close(&tz);
}

static void test_new_york(void **state)
{
    (void)state;
    against_glibc("America/New_York", 400);
}

static void test_zurich(void **state)
{
    (void)state;
    against_glibc("Europe/Zurich", 300);
}

static void test_tokyo(void **state)
{
    (void)state;
    against_glibc("Asia/Tokyo", 5); /* LMT, then a few summers around 1950 */
}

static void test_sydney(void **state)
{
    (void)state;
    against_glibc("Australia/Sydney", 300);
}

/* Every zone tzdata lists (zone1970.tab), weekly from 1900 to 2100, with the exact second of
 * every change between samples. */
static void test_every_zone(void **state)
{
    (void)state;
    FILE *fp = fopen(TL_TZ_DIR "/zone1970.tab", "r");
    if (fp == NULL)
        skip();
    char line[512];
    int zones = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        if (line[0] == '#')
            continue;
        char *name = strchr(line, '\t') ? strchr(strchr(line, '\t') + 1, '\t') : NULL;
        if (name == NULL)
            continue;
        name++;
        name[strcspn(name, "\t\n")] = '\0';
        tl_tz tz;
        tl_err err;
        if (tl_tz_load(&tz, name, &err) != 0)
            fail_msg("load %s: %s", name, err.msg);
        set_tz(name);
        compare(name, zone_off, &tz, 1900, 2100, 86400 * 7 + 3607, 1);
        tl_tz_close(&tz);
        zones++;
    }
    fclose(fp);
    assert_true(zones > 300);
}

/* Known instants, written out: the DST edges of 2025 and a date the footer rules (2100). */
static void test_known_edges(void **state)
{
    (void)state;
    tl_tz ny, zh;
    assert_int_equal(tl_tz_load(&ny, "America/New_York", NULL), 0);
    assert_int_equal(tl_tz_load(&zh, "Europe/Zurich", NULL), 0);
    int64_t start = 1741503600; /* 2025-03-09T07:00:00Z = 02:00 EST */
    assert_int_equal(tl_tz_offset(&ny, start * NS - 1), -5 * 3600);
    assert_int_equal(tl_tz_offset(&ny, start * NS), -4 * 3600);
    int64_t end = 1762063200; /* 2025-11-02T06:00:00Z = 02:00 EDT */
    assert_int_equal(tl_tz_offset(&ny, end * NS - 1), -4 * 3600);
    assert_int_equal(tl_tz_offset(&ny, end * NS), -5 * 3600);
    assert_int_equal(tl_tz_offset(&zh, 1743296400LL * NS - 1), 3600); /* 2025-03-30T01:00Z */
    assert_int_equal(tl_tz_offset(&zh, 1743296400LL * NS), 7200);
    assert_int_equal(tl_tz_offset(&zh, 4118342400LL * NS), 7200); /* 2100-07-04T00:00Z */
    assert_int_equal(tl_tz_offset(&ny, 4118342400LL * NS), -4 * 3600);
    assert_int_equal(tl_tz_offset(&ny, INT64_MIN), -17762);    /* LMT, -4:56:02 */
    assert_int_equal(tl_tz_offset(&ny, INT64_MAX), -4 * 3600); /* 2262-04-11: EDT */
    tl_tz_close(&ny);
    tl_tz_close(&zh);
}

/* Footer rules alone, against glibc reading the same string from TZ. */
static void test_rules_against_glibc(void **state)
{
    (void)state;
    static const char *const rules[] = {
        "EST5EDT,M3.2.0,M11.1.0",
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "AEST-10AEDT,M10.1.0,M4.1.0/3",
        "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", /* Lord Howe: half an hour */
        "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",      /* Nuuk: a negative time */
        "IST-1GMT0,M10.5.0,M3.5.0/1",           /* Dublin: negative DST */
        "<+0330>-3:30<+0430>,J79/24,J263/24",   /* Julian days */
        "XXX3YYY,60/2,300/2",                   /* zero-based days */
        "<-04>4<-03>,M9.1.6/24,M4.1.6/24",      /* 24:00 */
        "JST-9",
        "<+0545>-5:45",
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        tl_tz_rule r;
        tl_err err;
        if (tl_tz_rule_parse(rules[i], strlen(rules[i]), &r, &err) != 0)
            fail_msg("parse '%s': %s", rules[i], err.msg);
        set_tz(rules[i]);
        compare(rules[i], rule_off, &r, 1970, 2200, 86400 * 2 + 3607, 1);
    }
}

/* DST all year (tzfile(5)'s example): glibc computes each UTC year's transitions, so it shows
 * EST in the first hours of every UTC year; the rule means EDT throughout, and ours says so. */
static void test_rule_all_year_dst(void **state)
{
    (void)state;
    tl_tz_rule r;
    assert_int_equal(tl_tz_rule_parse("EST5EDT,0/0,J365/25", 19, &r, NULL), 0);
    for (int64_t t = 0; t < 4102444800LL; t += 3600 * 7 + 13)
        if (tl_tz_rule_offset(&r, t) != -4 * 3600)
            fail_msg("EST at %lld", (long long)t);
}

static void test_rule_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "E5",
        "EST",
        "EST5EDT,M3.2.0",
        "EST5EDT,M13.2.0,M11.1.0",
        "EST5EDT,M3.6.0,M11.1.0",
        "EST5EDT,M3.2.7,M11.1.0",
        "EST5EDT,J0,J365",
        "EST5EDT,366,0",
        "EST5EDT,M3.2.0/168,M11.1.0",
        "EST25",
        "EST5:60",
        "<AB>5",
        "<ABC5",
        "EST5EDT,M3.2.0,M11.1.0x",
        "EST 5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tl_tz_rule r;
        memset(&r, 0x33, sizeof r);
        tl_tz_rule before = r;
        tl_err err;
        if (tl_tz_rule_parse(bad[i], strlen(bad[i]), &r, &err) >= 0)
            fail_msg("'%s' accepted", bad[i]);
        assert_memory_equal(&r, &before, sizeof r);
    }
    tl_tz_rule r;
    tl_err err;
    assert_int_equal(tl_tz_rule_parse("EST5EDT", 7, &r, &err), TL_ENOTSUP);
    assert_string_equal(err.msg, "TZ string 'EST5EDT': daylight time without a rule is not "
                                 "supported");
    assert_int_equal(tl_tz_rule_parse("EST5EDT,M3.2.0", 14, &r, &err), TL_ECORRUPT);
    assert_string_equal(err.msg, "TZ string 'EST5EDT,M3.2.0': malformed at position 15");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_york),
        cmocka_unit_test(test_zurich),
        cmocka_unit_test(test_tokyo),
        cmocka_unit_test(test_sydney),
        cmocka_unit_test(test_known_edges),
        cmocka_unit_test(test_every_zone),
        cmocka_unit_test(test_rules_against_glibc),
        cmocka_unit_test(test_rule_all_year_dst),
        cmocka_unit_test(test_rule_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
