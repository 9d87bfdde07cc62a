/* test_dash_draw.c -- the renderer on a real curses screen (terminal type xterm-256color, output
 * to /dev/null) at several sizes, read back cell by cell: every panel shows its numbers in its
 * place, a small terminal gets the message instead, rows that do not fit are counted, a number
 * that does not fit its column is never cut, and P&L carries its colour. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash/dash.h"
#include "dash/draw.h"
#include "dash_sample.h"

static SCREEN *scr;
static FILE *out, *in;

static int setup(void **state)
{
    (void)state;
    out = fopen("/dev/null", "w");
    in = fopen("/dev/null", "r");
    scr = newterm("xterm-256color", out, in);
    return scr ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    return 0;
}

/* Row y of stdscr as text, trailing blanks removed. */
static const char *row(int y)
{
    static char buf[512];
    int n = mvwinnstr(stdscr, y, 0, buf, (int)sizeof buf - 1);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == ' ')
        buf[--n] = '\0';
    return buf;
}

/* The first row at or after `from` that contains s, or -1. */
static int find(const char *s, int from)
{
    for (int y = from; y < LINES; y++)
        if (strstr(row(y), s))
            return y;
    return -1;
}

static void draw_at(int rows, int cols, const tl_dash_view *v, const char *note, bool colors)
{
    assert_int_equal(resizeterm(rows, cols), OK);
    tl_dash_draw(stdscr, v, note, colors);
}

static void test_panels(void **state)
{
    (void)state;
    tl_dash_view *v = dash_sample();
    draw_at(40, 120, v, "status is 12s old", false);
    assert_non_null(strstr(row(0), "tradeloop  live  sqlite:desk.db"));
    assert_non_null(strstr(row(0), "engine time 2024-01-02 10:00:05Z"));
    assert_non_null(strstr(row(1), "signals: 12 received, 9 accepted, 3 refused"));
    assert_non_null(strstr(row(1), "open positions: 1 of max 3"));
    assert_string_equal(row(2), "status is 12s old");

    int acc = find("VIRTUAL ACCOUNTS (2)", 0), pos = find("POSITIONS (1)", 0),
        ref = find("RECENT REFUSALS (2)", 0);
    assert_true(acc == 3 && pos > acc && ref > pos);
    int va1 = find("va1", acc), va2 = find("va2", acc);
    assert_true(va1 > acc && va1 < pos && va2 == va1 + 1);
    const char *r = row(va1);
    assert_non_null(strstr(r, "100012.50"));
    assert_non_null(strstr(r, "100030.25"));
    assert_non_null(strstr(r, "12.50"));
    assert_non_null(strstr(r, "17.75"));
    assert_non_null(strstr(r, "4/3/7"));
    assert_non_null(strstr(r, "1.25/3.40"));
    assert_non_null(strstr(r, "cd 2m10s"));
    assert_non_null(strstr(row(va2), "-8.25"));
    assert_non_null(strstr(row(va2), "FROZEN"));

    int p = find("USDCHF", pos);
    assert_true(p > pos && p < ref);
    r = row(p);
    assert_non_null(strstr(r, "va1"));
    assert_non_null(strstr(r, "-1000"));
    assert_non_null(strstr(r, "0.91234"));
    assert_non_null(strstr(r, "0.911"));
    assert_non_null(strstr(r, "1.34"));
    assert_non_null(strstr(r, "0.9305868"));

    int f = find("COOLDOWN", ref);
    assert_true(f > ref);
    assert_non_null(strstr(row(f), "10:00:04"));
    assert_non_null(strstr(row(f), "EURUSD"));
    assert_non_null(strstr(row(f), "3 losses in a row; entries refused for 2m10s"));
    assert_non_null(strstr(row(f + 1), "MALFORMED"));

    assert_string_equal(row(36), "KILL SWITCH ENGAGED: desk closed");
    assert_string_equal(row(37), "reconciliation: 42 runs, last at 10:00:03: 1 finding: order "
                                 "o-7 unknown to the venue");
    assert_string_equal(row(38), "filters: max spread 50 bps, max quote age 500 ms, max "
                                 "slippage 2.5 bps");
    assert_non_null(strstr(row(39), "trading window 09:30-16:00 America/New_York"));
    assert_non_null(strstr(row(39), "q: quit"));
    free(v);
}

static void test_too_small(void **state)
{
    (void)state;
    tl_dash_view *v = dash_sample();
    draw_at(10, 60, v, NULL, false);
    assert_string_equal(row(0), "terminal too small: need 80x20, have 60x10");
    assert_int_equal(find("ACCOUNTS", 0), -1);
    draw_at(10, 40, v, NULL, false);
    assert_string_equal(row(0), "terminal too small:");
    assert_string_equal(row(1), "need 80x20, have 40x10");
    draw_at(19, 80, v, NULL, false);
    assert_string_equal(row(0), "terminal too small: need 80x20, have 80x19");
    /* Back to a size that fits: the panels again. */
    draw_at(20, 80, v, NULL, false);
    assert_true(find("VIRTUAL ACCOUNTS", 0) == 3);
    free(v);
}

/* 80x20 with 30 accounts and 5 positions: the panels share 13 rows, each one says how many rows it
 * left out, and the footer is intact. */
static void test_overflow(void **state)
{
    (void)state;
    tl_dash_view *v = dash_sample();
    for (int i = 2; i < 30; i++) {
        v->accounts[i] = v->accounts[1];
        snprintf(v->accounts[i].name, sizeof v->accounts[i].name, "va%d", i + 1);
    }
    v->n_accounts = 30;
    v->accounts_total = 40; /* ten more than the view carries */
    for (int i = 1; i < 5; i++)
        v->positions[i] = v->positions[0];
    v->n_positions = v->positions_total = 5;
    draw_at(20, 80, v, NULL, false);
    int acc = find("VIRTUAL ACCOUNTS (40, 30 shown)", 0), pos = find("POSITIONS (5)", 0),
        ref = find("RECENT REFUSALS (2)", 0);
    assert_true(acc == 3 && pos > acc && ref > pos);
    int more = find("... ", acc);
    assert_true(more == pos - 1);
    /* 13 rows: 3 each, then one at a time while they want more: accounts 5, positions 4,
     * refusals 4 (its two rows need no more). */
    assert_int_equal(pos - acc, 5);
    assert_string_equal(row(pos - 1), "... 38 more");
    assert_int_equal(ref - pos, 4);
    assert_string_equal(row(ref - 1), "... 4 more");
    assert_non_null(strstr(row(ref + 3), "MALFORMED"));
    assert_string_equal(row(16), "KILL SWITCH ENGAGED: desk closed");
    free(v);
}

/* A balance too wide for its column loses its decimals, then shows as #, never cut. */
static void test_wide_numbers(void **state)
{
    (void)state;
    tl_dash_view *v = dash_sample();
    v->accounts[0].balance = TL_FIXED_INT(123456789);    /* 12 chars with 2 decimals */
    v->accounts[0].equity = TL_FIXED_INT(92233720368LL); /* 11 chars without decimals */
    draw_at(40, 80, v, NULL, false);
    const char *r = row(find("va1", 4));
    assert_non_null(strstr(r, " 123456789 "));
    assert_non_null(strstr(r, " ########## "));
    assert_null(strstr(r, "123456789.00"));
    free(v);
}

/* P&L in green when positive, red when negative; no colour attributes without colours. */
static void test_colors(void **state)
{
    (void)state;
    if (!has_colors())
        skip();
    assert_true(tl_dash_draw_colors());
    tl_dash_view *v = dash_sample();
    draw_at(40, 120, v, NULL, true);
    int y1 = find("va1", 4), y2 = find("va2", 4);
    int x1 = (int)(strstr(row(y1), " 12.50") - row(y1)) + 1; /* not the balance 100012.50 */
    int x2 = (int)(strstr(row(y2), "-8.25") - row(y2));
    assert_int_equal(PAIR_NUMBER(mvwinch(stdscr, y1, x1) & A_COLOR), TL_DASH_PAIR_GAIN);
    assert_int_equal(PAIR_NUMBER(mvwinch(stdscr, y2, x2) & A_COLOR), TL_DASH_PAIR_LOSS);
    draw_at(40, 120, v, NULL, false);
    assert_int_equal(PAIR_NUMBER(mvwinch(stdscr, y1, x1) & A_COLOR), 0);
    free(v);
}

/* Without a view: the note alone. q quits, other keys do not. */
static void test_note_only(void **state)
{
    (void)state;
    draw_at(24, 80, NULL, "no engine has written status to this database yet", false);
    assert_string_equal(row(0), "tradeloop");
    assert_string_equal(row(2), "no engine has written status to this database yet");
    assert_int_equal(find("ACCOUNTS", 0), -1);
    tl_dash_screen s = {scr, stdscr, false};
    tl_dash_frame *f = calloc(1, sizeof *f);
    assert_false(tl_dash_screen_key(&s, 'x', f));
    assert_true(tl_dash_screen_key(&s, 'q', f));
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_panels),   cmocka_unit_test(test_too_small),
        cmocka_unit_test(test_overflow), cmocka_unit_test(test_wide_numbers),
        cmocka_unit_test(test_colors),   cmocka_unit_test(test_note_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
