/* test_admin_token.c -- the admin token: where it comes from, what is refused, and a comparison
 * that reads every byte whatever the content (no early exit), shown by its read count. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/admin_token.h"

static const char TOKEN[] = "s3cret-admin-token-0123456789";

static void test_reads_every_byte_whatever_the_mismatch(void **state)
{
    (void)state;
    const unsigned char *t = (const unsigned char *)TOKEN;
    size_t n = strlen(TOKEN);
    unsigned char first[64], last[64], middle[64];
    memcpy(first, TOKEN, n);
    memcpy(last, TOKEN, n);
    memcpy(middle, TOKEN, n);
    first[0] ^= 1;
    last[n - 1] ^= 1;
    middle[n / 2] ^= 0x80;
    size_t r_eq = 0, r_first = 0, r_last = 0, r_mid = 0, r_short = 0, r_long = 0, r_empty = 0;
    assert_int_equal(tl__ct_equal(t, n, t, n, &r_eq), 1);
    assert_int_equal(tl__ct_equal(t, n, first, n, &r_first), 0);
    assert_int_equal(tl__ct_equal(t, n, last, n, &r_last), 0);
    assert_int_equal(tl__ct_equal(t, n, middle, n, &r_mid), 0);
    /* a mismatch at the first byte costs the same pass as one at the last, or none */
    assert_int_equal(r_first, n);
    assert_int_equal(r_last, n);
    assert_int_equal(r_mid, n);
    assert_int_equal(r_eq, n);
    /* lengths: the pass covers the longer side; a prefix is not equal (length folded in) */
    assert_int_equal(tl__ct_equal(t, n, t, n - 1, &r_short), 0);
    assert_int_equal(r_short, n);
    unsigned char longer[80];
    memcpy(longer, TOKEN, n);
    memset(longer + n, 0, sizeof(longer) - n); /* the same bytes then zeros: still not equal */
    assert_int_equal(tl__ct_equal(t, n, longer, sizeof(longer), &r_long), 0);
    assert_int_equal(r_long, sizeof(longer));
    assert_int_equal(tl__ct_equal(t, n, NULL, 0, &r_empty), 0);
    assert_int_equal(r_empty, n);
    assert_int_equal(tl__ct_equal(NULL, 0, NULL, 0, NULL), 1);
}

/* Structural: the source of the comparison has no early exit (no return or break in its loop). */
static void test_compare_has_no_early_exit(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/src/net/admin_token.c", TL_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    int in_fn = 0, loop_lines = 0, loops = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "int tl__ct_equal(", 17) == 0)
            in_fn = 1;
        else if (in_fn && line[0] == '}')
            break;
        if (in_fn && strstr(line, "for (") != NULL) {
            assert_null(strchr(line, '{')); /* one statement: the next line is all of it */
            loop_lines = 1;
            loops++;
        }
        else if (loop_lines > 0) {
            assert_null(strstr(line, "return"));
            assert_null(strstr(line, "break"));
            assert_null(strstr(line, "if ("));
            loop_lines--;
        }
    }
    fclose(f);
    assert_int_equal(in_fn, 1);
    assert_int_equal(loops, 1);
}

static void test_check_verdicts(void **state)
{
    (void)state;
    tl_admin_token t;
    assert_int_equal(tl_admin_token_load(&t, NULL, NULL, NULL), 0);
    assert_false(tl_admin_token_configured(&t));
    assert_int_equal(tl_admin_token_check(&t, TOKEN, strlen(TOKEN)), TL_ADMIN_UNCONFIGURED);
    assert_int_equal(tl_admin_verdict_status(TL_ADMIN_UNCONFIGURED), 503);
    assert_non_null(strstr(tl_admin_verdict_reason(TL_ADMIN_UNCONFIGURED), TL_ADMIN_TOKEN_ENV));

    assert_int_equal(tl_admin_token_load(&t, TOKEN, NULL, NULL), 0);
    assert_true(tl_admin_token_configured(&t));
    assert_int_equal(tl_admin_token_check(&t, TOKEN, strlen(TOKEN)), TL_ADMIN_OK);
    assert_int_equal(tl_admin_token_check(&t, NULL, 0), TL_ADMIN_MISSING);
    assert_int_equal(tl_admin_token_check(&t, "nope", 4), TL_ADMIN_WRONG);
    assert_int_equal(tl_admin_token_check(&t, TOKEN, strlen(TOKEN) - 1), TL_ADMIN_WRONG);
    assert_int_equal(tl_admin_token_check(&t, "", 0), TL_ADMIN_WRONG);
    char with_nul[64];
    memcpy(with_nul, TOKEN, sizeof(TOKEN)); /* the token and its NUL: one byte longer */
    assert_int_equal(tl_admin_token_check(&t, with_nul, sizeof(TOKEN)), TL_ADMIN_WRONG);
    assert_int_equal(tl_admin_verdict_status(TL_ADMIN_WRONG), 401);
    assert_int_equal(tl_admin_verdict_status(TL_ADMIN_MISSING), 401);
    tl_admin_token_close(&t);
    assert_false(tl_admin_token_configured(&t));
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void test_load_refusals_never_show_the_token(void **state)
{
    (void)state;
    tl_admin_token t = {(char *)"untouched", 9};
    tl_err err;
    assert_int_equal(tl_admin_token_load(&t, TOKEN, "/x", &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "only one"));
    assert_null(strstr(err.msg, TOKEN));
    assert_int_equal(tl_admin_token_load(&t, "", NULL, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, TL_ADMIN_TOKEN_ENV));
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(tl_admin_token_load(&t, NULL, "/nonexistent/token", &err), TL_EIO);
    assert_non_null(strstr(err.msg, TL_ADMIN_TOKEN_FILE_ENV));
    assert_string_equal(t.value, "untouched"); /* failures leave it as it was */

    char path[] = "/tmp/tl_token_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "\n", 1); /* only a newline: empty */
    assert_int_equal(tl_admin_token_load(&t, NULL, path, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "empty"));
    write_file(path, "ab\0cd", 5);
    assert_int_equal(tl_admin_token_load(&t, NULL, path, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "NUL"));
    char big[TL_ADMIN_TOKEN_MAX + 10];
    memset(big, 'x', sizeof(big));
    write_file(path, big, sizeof(big));
    assert_int_equal(tl_admin_token_load(&t, NULL, path, &err), TL_EINVAL);
    /* one trailing newline (or CRLF) stripped, nothing else */
    write_file(path, "s3cret\r\n", 8);
    assert_int_equal(tl_admin_token_load(&t, NULL, path, &err), 0);
    assert_int_equal(t.len, 6);
    assert_int_equal(tl_admin_token_check(&t, "s3cret", 6), TL_ADMIN_OK);
    tl_admin_token_close(&t);
    write_file(path, " s3cret \n\n", 10);
    assert_int_equal(tl_admin_token_load(&t, NULL, path, &err), 0);
    assert_int_equal(tl_admin_token_check(&t, " s3cret \n", 9), TL_ADMIN_OK);
    tl_admin_token_close(&t);

    /* from the environment */
    setenv(TL_ADMIN_TOKEN_FILE_ENV, path, 1);
    unsetenv(TL_ADMIN_TOKEN_ENV);
    assert_int_equal(tl_admin_token_from_env(&t, &err), 0);
    assert_true(tl_admin_token_configured(&t));
    tl_admin_token_close(&t);
    setenv(TL_ADMIN_TOKEN_ENV, "x", 1);
    assert_int_equal(tl_admin_token_from_env(&t, &err), TL_EINVAL);
    unsetenv(TL_ADMIN_TOKEN_FILE_ENV);
    unsetenv(TL_ADMIN_TOKEN_ENV);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_every_byte_whatever_the_mismatch),
        cmocka_unit_test(test_compare_has_no_early_exit),
        cmocka_unit_test(test_check_verdicts),
        cmocka_unit_test(test_load_refusals_never_show_the_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
