/*
 * test_digest.c -- the state digest (src/store/digest.c) against a digest computed outside this
 * code. Every other digest test compares two runs of the same code, which cannot notice a field
 * left out of the dump; here a fixed state has a pinned digest, and changing any one field of an
 * account or a position changes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "store/digest.h"

/* The fixed state, given out of order (the digest sorts it), in integer units of 1e-8. Its
 * canonical dump (digest.h) is these five lines; the SOLUSDT position is flat and has neither
 * realised nor paid anything, so it is left out:
 *
 *     A|alpha|500000000000|499999000000|5|100
 *     A|desk|1000000000000|950012345678|1234500000|98765
 *     P|alpha|BTCUSDT|0|0|5|0
 *     P|desk|BTCUSDT|100000000|5000000000000|-250000|12345
 *     P|desk|ETHUSDT|-300000000|300012345678|0|777
 *
 * PINNED is its SHA-256, computed independently with
 *     python3 -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
 * fed exactly those lines, each ending in "\n" and without the leading spaces. */
#define PINNED "e0ef0698c4dd8b2fa8377e7c29704146c18440fcf8080d78eb3fbe0522ede43d"
/* SHA-256 of nothing: the state of no accounts and no positions. */
#define EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define N_ACC 2
#define N_POS 4

typedef struct state {
    tl_account_row acc[N_ACC];
    tl_position_row pos[N_POS];
} state;

static tl_account_row account(const char *ws, tl_fixed start, tl_fixed cash, tl_fixed pnl,
                              tl_fixed fees)
{
    tl_account_row a;
    memset(&a, 0, sizeof(a));
    snprintf(a.workspace, sizeof(a.workspace), "%s", ws);
    a.starting_cash = start;
    a.cash = cash;
    a.realized_pnl = pnl;
    a.fees = fees;
    a.updated_ns = 1700000000000000000LL;
    return a;
}

static tl_position_row position(const char *ws, const char *sym, tl_fixed qty, tl_fixed avg,
                                tl_fixed pnl, tl_fixed fees)
{
    tl_position_row p;
    memset(&p, 0, sizeof(p));
    snprintf(p.workspace, sizeof(p.workspace), "%s", ws);
    snprintf(p.symbol, sizeof(p.symbol), "%s", sym);
    p.qty = qty;
    p.avg_price = avg;
    p.realized_pnl = pnl;
    p.fees = fees;
    p.updated_ns = 1700000000000000000LL;
    return p;
}

static void fixed_state(state *s)
{
    s->acc[0] = account("desk", 1000000000000, 950012345678, 1234500000, 98765);
    s->acc[1] = account("alpha", 500000000000, 499999000000, 5, 100);
    s->pos[0] = position("desk", "ETHUSDT", -300000000, 300012345678, 0, 777);
    s->pos[1] = position("alpha", "SOLUSDT", 0, 0, 0, 0);
    s->pos[2] = position("desk", "BTCUSDT", 100000000, 5000000000000, -250000, 12345);
    s->pos[3] = position("alpha", "BTCUSDT", 0, 0, 5, 0);
}

static void digest_of(state *s, char hex[TL_DIGEST_HEX])
{
    tl_err err = {0};
    assert_int_equal(tl_state_digest(s->acc, N_ACC, s->pos, N_POS, hex, &err), 0);
    assert_int_equal(strlen(hex), 64);
}

static void test_pinned(void **unused)
{
    (void)unused;
    state s;
    char hex[TL_DIGEST_HEX];
    fixed_state(&s);
    digest_of(&s, hex);
    assert_string_equal(hex, PINNED);
    /* The same rows in another order: the same state. */
    state r;
    fixed_state(&r);
    for (int i = 0; i < N_POS; i++)
        r.pos[i] = s.pos[N_POS - 1 - i];
    r.acc[0] = s.acc[1];
    r.acc[1] = s.acc[0];
    digest_of(&r, hex);
    assert_string_equal(hex, PINNED);
    /* Nothing at all. */
    assert_int_equal(tl_state_digest(NULL, 0, NULL, 0, hex, NULL), 0);
    assert_string_equal(hex, EMPTY);
}

/* Each field is changed by one unit, one at a time, from the fixed state. Compared with the
 * digest of the fixed state by the same code, so this holds on its own, whatever test_pinned
 * says. */
static void test_every_field_counts(void **unused)
{
    (void)unused;
    char hex[TL_DIGEST_HEX], base[TL_DIGEST_HEX];
    state b;
    fixed_state(&b);
    digest_of(&b, base);
    static const char *const names[] = {"starting_cash", "cash", "realized_pnl", "fees"};
    for (int a = 0; a < N_ACC; a++) {
        for (int field = 0; field < 4; field++) {
            state s;
            fixed_state(&s);
            tl_fixed *f[] = {&s.acc[a].starting_cash, &s.acc[a].cash, &s.acc[a].realized_pnl,
                             &s.acc[a].fees};
            *f[field] += 1;
            digest_of(&s, hex);
            if (strcmp(hex, base) == 0)
                fail_msg("account %s: %s changed, the digest did not", s.acc[a].workspace,
                         names[field]);
        }
    }
    static const char *const pnames[] = {"qty", "avg_price", "realized_pnl", "fees"};
    for (int p = 0; p < N_POS; p++) {
        for (int field = 0; field < 4; field++) {
            state s;
            fixed_state(&s);
            tl_fixed *f[] = {&s.pos[p].qty, &s.pos[p].avg_price, &s.pos[p].realized_pnl,
                             &s.pos[p].fees};
            /* The SOLUSDT row is left out while flat and clean; its average alone keeps it so. */
            int hidden = p == 1 && field == 1;
            *f[field] += 1;
            digest_of(&s, hex);
            if ((strcmp(hex, base) == 0) != hidden)
                fail_msg("position %s %s: %s changed by one unit, digest %s", s.pos[p].workspace,
                         s.pos[p].symbol, pnames[field], hidden ? "changed" : "did not");
        }
    }
    /* Names count too. */
    state s;
    fixed_state(&s);
    s.pos[2].symbol[0] = 'X';
    digest_of(&s, hex);
    assert_string_not_equal(hex, base);
    fixed_state(&s);
    s.acc[1].workspace[0] = 'b';
    digest_of(&s, hex);
    assert_string_not_equal(hex, base);
}

/* What is not state: the time a row was written, and a row that never traded. */
static void test_what_does_not_count(void **unused)
{
    (void)unused;
    char hex[TL_DIGEST_HEX];
    state s;
    fixed_state(&s);
    for (int i = 0; i < N_ACC; i++)
        s.acc[i].updated_ns += 12345;
    for (int i = 0; i < N_POS; i++)
        s.pos[i].updated_ns = 0;
    digest_of(&s, hex);
    assert_string_equal(hex, PINNED);
    /* Without the flat SOLUSDT row: the same state. */
    fixed_state(&s);
    s.pos[1] = s.pos[3];
    tl_err err = {0};
    assert_int_equal(tl_state_digest(s.acc, N_ACC, s.pos, N_POS - 1, hex, &err), 0);
    assert_string_equal(hex, PINNED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pinned),
        cmocka_unit_test(test_every_field_counts),
        cmocka_unit_test(test_what_does_not_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
