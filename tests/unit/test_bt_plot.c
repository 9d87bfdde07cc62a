/* test_bt_plot.c -- the backtest's SVG: well-formed (parsed by Python's XML parser), every entry
 * and exit drawn where its price is, the title escaped, the same bytes twice; and the text
 * buffer's escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/plot.h"

static void test_xml_escape(void **state)
{
    (void)state;
    tl_sb b = {0};
    tl_sb_xml(&b, "a<b>&\"c\"'d'");
    tl_sb_xml(&b, "");
    tl_sb_puts(&b, "|");
    tl_sb_int(&b, -42);
    tl_sb_printf(&b, "|%0300d", 7); /* longer than printf's stack buffer */
    assert_int_equal(b.err, 0);
    assert_memory_equal(b.buf, "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;|-42|000", 46);
    assert_int_equal(b.len, strlen(b.buf));
    assert_int_equal(b.len, 43 + 300 + 1);
    tl_sb_free(&b);
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

static void test_plot(void **state)
{
    (void)state;
    tl_bar v[5];
    memset(v, 0, sizeof(v));
    for (int i = 0; i < 5; i++) {
        v[i].ts_ns = (int64_t)(i + 1) * 86400 * 1000000000LL;
        v[i].close = TL_FIXED_INT(100 + 10 * (i % 3));
        v[i].open = v[i].high = v[i].low = v[i].close;
    }
    tl_bars bars = {v, 5, 5};
    tl_bt_trade t[2] = {{v[0].ts_ns, v[1].ts_ns, v[0].close, v[1].close, TL_FIXED_INT(1), 0},
                        {v[2].ts_ns, v[3].ts_ns, v[2].close, v[3].close, TL_FIXED_INT(1), 0}};
    tl_bt_plot p = {"breakout <script>alert(1)</script> & MSFT", &bars, t, 2, TL_FIXED_INT(1000),
                    0, 0};
    tl_sb a = {0}, b = {0};
    assert_int_equal(tl_bt_plot_svg(&p, &a, NULL), 0);
    assert_int_equal(tl_bt_plot_svg(&p, &b, NULL), 0);
    assert_string_equal(a.buf, b.buf);
    assert_null(strstr(a.buf, "<script>"));
    assert_non_null(strstr(a.buf, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; MSFT"));
    assert_int_equal(count(a.buf, "class=\"entry\""), 2);
    assert_int_equal(count(a.buf, "class=\"exit\""), 2);
    /* Well-formed XML whose price line has one point per bar, entries at their bars' x. */
    char path[] = "/tmp/tl-plot-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, a.buf, a.len), (ssize_t)a.len);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1])."
             "getroot(); ns = \"{http://www.w3.org/2000/svg}\"; "
             "pl = [e for e in r.iter(ns + \"polyline\") if e.get(\"class\") == \"price\"][0]; "
             "xs = [int(p.split(\",\")[0]) for p in pl.get(\"points\").split()]; "
             "ent = [e.get(\"d\") for e in r.iter(ns + \"path\") if e.get(\"class\") == \"entry\"]; "
             "assert len(xs) == 5 and xs == sorted(xs), xs; "
             "assert [int(d[1:].split()[0]) for d in ent] == [xs[0], xs[2]], (ent, xs)' %s",
             path);
    int rc = system(cmd);
    unlink(path);
    assert_int_equal(rc, 0);
    tl_bt_plot none = {"x", NULL, NULL, 0, TL_FIXED_INT(1), 0, 0};
    tl_err err = {0};
    assert_int_equal(tl_bt_plot_svg(&none, &a, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "no bars"));
    tl_sb_free(&a);
    tl_sb_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_escape),
        cmocka_unit_test(test_plot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
