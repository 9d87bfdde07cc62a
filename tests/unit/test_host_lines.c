/* test_host_lines.c -- the host's line framer: CR/LF stripped, lines split across reads, the last
 * line without a newline, too-long lines reported once with their number and skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "host/lines.h"
#include "tradeloop.h"

/* Feeds `in` in pieces of `step` bytes, then the end; writes what came out into out as
 * "text|" for a line (with its number: "3:text|") and "3:LONG|" for a too-long one. */
static void frame(const char *in, size_t step, size_t max_len, char *out, size_t cap)
{
    tl_lines l;
    tl_lines_init(&l, max_len);
    size_t at = 0, n = strlen(in);
    out[0] = '\0';
    for (;;) {
        tl_line line;
        int k = tl_lines_next(&l, &line);
        if (k == TL_LINES_END)
            break;
        if (k == TL_LINES_NEED) {
            if (at == n) {
                tl_lines_eof(&l);
                continue;
            }
            char *p;
            size_t avail;
            assert_int_equal(tl_lines_prepare(&l, step, &p, &avail), 0);
            assert_true(avail >= step);
            size_t take = n - at < step ? n - at : step;
            memcpy(p, in + at, take);
            tl_lines_commit(&l, take);
            at += take;
            continue;
        }
        size_t used = strlen(out);
        if (k == TL_LINES_LINE) {
            assert_int_equal(strlen(line.text), line.len);
            snprintf(out + used, cap - used, "%llu:%s|", (unsigned long long)line.no, line.text);
        } else {
            assert_int_equal(k, TL_LINES_TOO_LONG);
            assert_null(line.text);
            snprintf(out + used, cap - used, "%llu:LONG|", (unsigned long long)line.no);
        }
    }
    tl_lines_close(&l);
}

static void check_all_steps(const char *in, size_t max_len, const char *want)
{
    char out[1024];
    for (size_t step = 1; step <= strlen(in) + 1; step++) {
        frame(in, step, max_len, out, sizeof(out));
        if (strcmp(out, want) != 0)
            fail_msg("step %zu: got '%s', want '%s'", step, out, want);
    }
}

static void test_lines_and_line_endings(void **state)
{
    (void)state;
    check_all_steps("a\nbb\r\n\nccc", 0, "1:a|2:bb|3:|4:ccc|");
    check_all_steps("a\nb\n", 0, "1:a|2:b|");        /* no phantom line after the last \n */
    check_all_steps("x\r", 0, "1:x|");               /* last line: its CR stripped too */
    check_all_steps("in\rside\n", 0, "1:in\rside|"); /* only a CR before the LF goes */
    check_all_steps("", 0, "");
}

static void test_too_long_reported_once_and_skipped(void **state)
{
    (void)state;
    /* max 4: "abcd" fits, "abcd\r" too (the CR is not content), "abcde" does not. */
    check_all_steps("abcd\nabcde\nok\n", 4, "1:abcd|2:LONG|3:ok|");
    check_all_steps("abcd\r\nabcdefghijkl\r\nok", 4, "1:abcd|2:LONG|3:ok|");
    check_all_steps("1\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 4, "1:1|2:LONG|");
    check_all_steps("xxxxxxxxxxxxxxxxxxxxxxxx\nxxxxxxxxxxxxxxxxx\n3\n", 4, "1:LONG|2:LONG|3:3|");
}

static void test_memory_bounded_by_max_len(void **state)
{
    (void)state;
    /* A 1 MB line with max 16, fed 100 bytes at a time: dropped as it comes. */
    tl_lines l;
    tl_lines_init(&l, 16);
    int reported = 0;
    for (int i = 0; i < 10000; i++) {
        char *p;
        size_t avail;
        assert_int_equal(tl_lines_prepare(&l, 100, &p, &avail), 0);
        memset(p, 'x', 100);
        tl_lines_commit(&l, 100);
        tl_line line;
        int k;
        while ((k = tl_lines_next(&l, &line)) != TL_LINES_NEED) {
            assert_int_equal(k, TL_LINES_TOO_LONG);
            assert_int_equal(line.no, 1);
            reported++;
        }
    }
    assert_int_equal(reported, 1);
    assert_true(l.cap <= 1024);
    tl_lines_close(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_and_line_endings),
        cmocka_unit_test(test_too_long_reported_once_and_skipped),
        cmocka_unit_test(test_memory_bounded_by_max_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
