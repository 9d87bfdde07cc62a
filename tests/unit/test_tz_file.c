/* test_tz_file.c -- TZif parsing from hand-made images (v1, v2+ with a footer, every refusal),
 * zone names, the built-in UTC, and files that are not zones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/tz.h"

#define NS 1000000000LL

typedef struct image {
    uint8_t b[4096];
    size_t n;
} image;

static void put32(image *im, uint32_t v)
{
    for (int k = 3; k >= 0; k--)
        im->b[im->n++] = (uint8_t)(v >> (8 * k));
}

static void put64(image *im, int64_t v)
{
    put32(im, (uint32_t)((uint64_t)v >> 32));
    put32(im, (uint32_t)v);
}

/* One header and data block: n transitions at times[] to types idx[], ntypes offsets. */
static void block(image *im, char version, int tsize, int n, const int64_t *times,
                  const uint8_t *idx, int ntypes, const int32_t *offs, uint32_t leap)
{
    memcpy(im->b + im->n, "TZif", 4);
    im->b[im->n + 4] = (uint8_t)version;
    memset(im->b + im->n + 5, 0, 15);
    im->n += 20;
    uint32_t counts[6] = {0, 0, leap, (uint32_t)n, (uint32_t)ntypes, 4};
    for (int k = 0; k < 6; k++)
        put32(im, counts[k]);
    for (int k = 0; k < n; k++)
        tsize == 8 ? put64(im, times[k]) : put32(im, (uint32_t)times[k]);
    for (int k = 0; k < n; k++)
        im->b[im->n++] = idx[k];
    for (int k = 0; k < ntypes; k++) {
        put32(im, (uint32_t)offs[k]);
        im->b[im->n++] = 0;
        im->b[im->n++] = 0;
    }
    memcpy(im->b + im->n, "ABC", 4);
    im->n += 4;
    for (uint32_t k = 0; k < leap; k++) {
        tsize == 8 ? put64(im, 0) : put32(im, 0);
        put32(im, 1);
    }
}

static const int64_t times[] = {0, 1000000};
static const uint8_t idx[] = {1, 0};
static const int32_t offs[] = {3600, 7200};

/* A v2 file: both blocks, then "\n<footer>\n". */
static void v2(image *im, const char *footer)
{
    im->n = 0;
    block(im, '2', 4, 2, times, idx, 2, offs, 0);
    block(im, '2', 8, 2, times, idx, 2, offs, 0);
    im->b[im->n++] = '\n';
    memcpy(im->b + im->n, footer, strlen(footer));
    im->n += strlen(footer);
    im->b[im->n++] = '\n';
}

static void load_bad(const image *im, int code, const char *want)
{
    tl_tz tz;
    memset(&tz, 0x44, sizeof tz);
    tl_tz before = tz;
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_tz_load_buf(&tz, im->b, im->n, &err);
    if (rc != code || strstr(err.msg, want) == NULL)
        fail_msg("rc %d '%s', want %d '%s'", rc, err.msg, code, want);
    assert_memory_equal(&tz, &before, sizeof tz);
}

static void test_v1(void **state)
{
    (void)state;
    image im = {.n = 0};
    block(&im, '\0', 4, 2, times, idx, 2, offs, 0);
    tl_tz tz;
    assert_int_equal(tl_tz_load_buf(&tz, im.b, im.n, NULL), 0);
    assert_int_equal(tl_tz_offset(&tz, -1), 3600); /* before: type 0 */
    assert_int_equal(tl_tz_offset(&tz, 0), 7200);  /* at the first transition */
    assert_int_equal(tl_tz_offset(&tz, 1000000 * NS - 1), 7200);
    assert_int_equal(tl_tz_offset(&tz, 1000000 * NS), 3600); /* no footer: the last type */
    assert_int_equal(tl_tz_offset(&tz, INT64_MAX), 3600);
    tl_tz_close(&tz);
}

static void test_v2_footer(void **state)
{
    (void)state;
    image im;
    v2(&im, "ABC-5");
    tl_tz tz;
    assert_int_equal(tl_tz_load_buf(&tz, im.b, im.n, NULL), 0);
    assert_int_equal(tl_tz_offset(&tz, 999999 * NS), 7200);
    assert_int_equal(tl_tz_offset(&tz, 1000000 * NS), 5 * 3600); /* the footer from here */
    tl_tz_close(&tz);
    v2(&im, ""); /* an empty footer: the last transition's type goes on */
    assert_int_equal(tl_tz_load_buf(&tz, im.b, im.n, NULL), 0);
    assert_int_equal(tl_tz_offset(&tz, 2000000 * NS), 3600);
    tl_tz_close(&tz);
}

static void test_refusals(void **state)
{
    (void)state;
    image im = {.n = 0};
    load_bad(&im, TL_ECORRUPT, "not a TZif file");
    v2(&im, "ABC-5");
    im.b[0] = 'X';
    load_bad(&im, TL_ECORRUPT, "not a TZif file");
    v2(&im, "ABC-5");
    im.b[4] = '5';
    load_bad(&im, TL_ECORRUPT, "unknown version byte 0x35");
    v2(&im, "ABC-5");
    im.n -= 1;
    load_bad(&im, TL_ECORRUPT, "footer missing or not at the end");
    v2(&im, "ABC-5");
    im.b[im.n++] = 'x';
    load_bad(&im, TL_ECORRUPT, "footer missing or not at the end");
    v2(&im, "ABC-5");
    im.n = 60;
    load_bad(&im, TL_ECORRUPT, "truncated");
    v2(&im, "ABC-5x");
    load_bad(&im, TL_ECORRUPT, "TZ string 'ABC-5x': malformed at position 6");
    v2(&im, "ABC5DEF");
    load_bad(&im, TL_ENOTSUP, "daylight time without a rule");

    static const int64_t back[] = {1000000, 0};
    im.n = 0;
    block(&im, '\0', 4, 2, back, idx, 2, offs, 0);
    load_bad(&im, TL_ECORRUPT, "transition 1 out of order");
    static const uint8_t far[] = {0, 2};
    im.n = 0;
    block(&im, '\0', 4, 2, times, far, 2, offs, 0);
    load_bad(&im, TL_ECORRUPT, "transition 1 names an unknown type");
    static const int32_t huge[] = {3600, 26 * 3600};
    im.n = 0;
    block(&im, '\0', 4, 2, times, idx, 2, huge, 0);
    load_bad(&im, TL_ECORRUPT, "offset 93600 s of type 1 out of range");
    im.n = 0;
    block(&im, '\0', 4, 0, times, idx, 0, offs, 0);
    load_bad(&im, TL_ECORRUPT, "0 local time types");
    im.n = 0;
    block(&im, '\0', 4, 2, times, idx, 2, offs, 1);
    load_bad(&im, TL_ENOTSUP, "leap-second zones");
    assert_int_equal(tl_tz_load_buf(&(tl_tz){0}, NULL, 0, NULL), TL_ECORRUPT);
}

static void test_names(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "/etc/passwd",
                                      "../etc/passwd",
                                      "Europe/../../etc",
                                      "America/New York",
                                      "Europe//Zurich",
                                      "Europe/",
                                      "Europe/Zürich",
                                      "a\\b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tl_tz tz;
        tl_err err;
        if (tl_tz_load(&tz, bad[i], &err) != TL_EINVAL)
            fail_msg("'%s' not refused as a name", bad[i]);
    }
    tl_err err;
    assert_int_equal(tl_tz_name_validate("Europe/Z\xc3\xbcrich", &err), TL_EINVAL);
    assert_string_equal(err.msg, "time zone 'Europe/Z??rich': invalid character 0xc3 at position "
                                 "9 (allowed: [A-Za-z0-9_+-/])");
    char longname[TL_TZ_NAME_MAX + 1];
    memset(longname, 'A', TL_TZ_NAME_MAX);
    longname[TL_TZ_NAME_MAX] = '\0';
    assert_int_equal(tl_tz_name_validate(longname, &err), TL_EINVAL);
    assert_string_equal(err.msg, "time zone: longer than 127 characters");
    longname[TL_TZ_NAME_MAX - 1] = '\0';
    assert_int_equal(tl_tz_name_validate(longname, NULL), 0);
    assert_int_equal(tl_tz_name_validate("Etc/GMT+5", NULL), 0);
    assert_int_equal(tl_tz_name_validate("America/Port-au-Prince", NULL), 0);

    tl_tz tz;
    assert_int_equal(tl_tz_load(&tz, "Mars/Olympus_Mons", &err), TL_ENOTFOUND);
    assert_string_equal(err.msg, "time zone 'Mars/Olympus_Mons': not found in " TL_TZ_DIR);
    assert_int_equal(tl_tz_load(&tz, "America", &err), TL_ENOTFOUND);
    assert_string_equal(err.msg, "time zone 'America': not a zone file");
    assert_int_equal(tl_tz_load(&tz, "leapseconds", &err), TL_ECORRUPT);
    assert_string_equal(err.msg, "time zone 'leapseconds': not a TZif file (no 'TZif' header)");
}

static void test_utc(void **state)
{
    (void)state;
    tl_tz tz;
    assert_int_equal(tl_tz_load(&tz, "UTC", NULL), 0);
    assert_string_equal(tz.name, "UTC");
    assert_int_equal(tl_tz_offset(&tz, 0), 0);
    assert_int_equal(tl_tz_offset(&tz, INT64_MIN), 0);
    assert_int_equal(tl_tz_offset(&tz, INT64_MAX), 0);
    tl_tz_close(&tz);
    /* Etc/GMT+5 is five hours west (POSIX signs). */
    assert_int_equal(tl_tz_load(&tz, "Etc/GMT+5", NULL), 0);
    assert_int_equal(tl_tz_offset(&tz, 1700000000 * NS), -5 * 3600);
    tl_tz_close(&tz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1),       cmocka_unit_test(test_v2_footer),
        cmocka_unit_test(test_refusals), cmocka_unit_test(test_names),
        cmocka_unit_test(test_utc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
