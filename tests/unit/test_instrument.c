/* Unit tests of instruments and the instrument set (src/model/instrument.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "tradeloop/instrument.h"

static tl_fixed fx(const char *s)
{
    tl_fixed v = 0;
    assert_int_equal(tl_fixed_parse(s, (size_t)-1, &v, NULL), 0);
    return v;
}

static tl_instrument btc(void)
{
    tl_instrument i;
    memset(&i, 0, sizeof(i));
    strcpy(i.symbol, "BTCUSDT");
    strcpy(i.base, "BTC");
    strcpy(i.quote, "USDT");
    i.tick_size = fx("0.01");
    i.lot_size = fx("0.00001");
    i.min_qty = fx("0.00001");
    i.max_qty = fx("1000");
    i.min_notional = fx("5");
    return i;
}

static void test_symbol_validate(void **state)
{
    (void)state;
    tl_err err = {0};
    assert_int_equal(tl_symbol_validate("BTCUSDT", &err), 0);
    assert_int_equal(tl_symbol_validate("A", &err), 0);
    assert_int_equal(tl_symbol_validate("1000SHIBUSDT", &err), 0);
    assert_int_equal(tl_symbol_validate("ABCDEFGHIJKLMNO", &err), 0); /* 15: the longest */
    assert_int_equal(tl_symbol_validate("ABCDEFGHIJKLMNOP", &err), TL_EINVAL);
    assert_int_equal(tl_symbol_validate("", &err), TL_EINVAL);
    assert_int_equal(tl_symbol_validate("btcusdt", &err), TL_EINVAL);
    assert_int_equal(tl_symbol_validate("BTC-USDT", &err), TL_EINVAL);
    assert_int_equal(tl_symbol_validate("BTC USDT", &err), TL_EINVAL);
    assert_int_equal(tl_symbol_validate("BTC/USDT", &err), TL_EINVAL);
    assert_string_equal(err.msg, "symbol 'BTC/USDT' must be 1..15 of [A-Z0-9]");
    assert_int_equal(tl_symbol_validate(NULL, &err), TL_EINVAL);
    assert_int_equal(err.code, TL_EINVAL);
}

static void test_instrument_validate(void **state)
{
    (void)state;
    tl_err err = {0};
    tl_instrument i = btc();
    assert_int_equal(tl_instrument_validate(&i, &err), 0);

    i = btc();
    i.base[0] = '\0';
    assert_int_equal(tl_instrument_validate(&i, &err), TL_EINVAL);
    i = btc();
    strcpy(i.quote, "usdt");
    assert_int_equal(tl_instrument_validate(&i, &err), TL_EINVAL);
    i = btc();
    memset(i.base, 'B', sizeof(i.base)); /* 8 letters, no NUL */
    assert_int_equal(tl_instrument_validate(&i, &err), TL_EINVAL);
    i = btc();
    memset(i.symbol, 'S', sizeof(i.symbol)); /* no NUL */
    assert_int_equal(tl_instrument_validate(&i, &err), TL_EINVAL);
    i = btc();
    i.tick_size = 0;
    assert_int_equal(tl_instrument_validate(&i, &err), TL_EINVAL);
    assert_string_equal(err.msg, "BTCUSDT: tick 0 and lot 0.00001 must be positive");
    i = btc();
    i.lot_size = -1;
    assert_int_equal(tl_instrument_validate(&i, &err), TL_EINVAL);
    i = btc();
    i.min_qty = i.lot_size - 1;
    assert_int_equal(tl_instrument_validate(&i, &err), TL_EINVAL);
    i = btc();
    i.max_qty = i.min_qty - 1;
    assert_int_equal(tl_instrument_validate(&i, &err), TL_EINVAL);
    i = btc();
    i.max_qty = i.min_qty; /* a single allowed quantity is coherent */
    assert_int_equal(tl_instrument_validate(&i, &err), 0);
    i = btc();
    i.min_notional = -1;
    assert_int_equal(tl_instrument_validate(&i, &err), TL_EINVAL);
    i = btc();
    i.min_notional = 0;
    assert_int_equal(tl_instrument_validate(&i, &err), 0);
}

static void test_check_price(void **state)
{
    (void)state;
    tl_err err = {0};
    tl_instrument i = btc();
    assert_int_equal(tl_instrument_check_price(&i, fx("100.01"), &err), 0);
    assert_int_equal(tl_instrument_check_price(&i, fx("0.01"), &err), 0);
    assert_int_equal(tl_instrument_check_price(&i, fx("67000"), &err), 0);
    assert_int_equal(tl_instrument_check_price(&i, fx("100.005"), &err), TL_EINVAL);
    assert_string_equal(err.msg, "BTCUSDT: price 100.005 is not a multiple of tick 0.01");
    assert_int_equal(tl_instrument_check_price(&i, fx("0.00999999"), &err), TL_EINVAL);
    assert_int_equal(tl_instrument_check_price(&i, 0, &err), TL_EINVAL);
    assert_string_equal(err.msg, "BTCUSDT: price 0 must be positive");
    assert_int_equal(tl_instrument_check_price(&i, fx("-0.01"), &err), TL_EINVAL);
    assert_string_equal(err.msg, "BTCUSDT: price -0.01 must be positive");
    assert_int_equal(tl_instrument_check_price(&i, fx("1"), NULL), 0);
    assert_int_equal(tl_instrument_check_price(&i, fx("1.001"), NULL), TL_EINVAL);
}

static void test_check_qty(void **state)
{
    (void)state;
    tl_err err = {0};
    tl_instrument i = btc();
    assert_int_equal(tl_instrument_check_qty(&i, fx("0.00001"), &err), 0); /* = min */
    assert_int_equal(tl_instrument_check_qty(&i, fx("1000"), &err), 0);    /* = max */
    assert_int_equal(tl_instrument_check_qty(&i, fx("0.12345"), &err), 0);
    assert_int_equal(tl_instrument_check_qty(&i, fx("1000.00001"), &err), TL_EINVAL);
    assert_string_equal(err.msg, "BTCUSDT: quantity 1000.00001 is above max 1000");
    assert_int_equal(tl_instrument_check_qty(&i, fx("0.123456"), &err), TL_EINVAL);
    assert_string_equal(err.msg, "BTCUSDT: quantity 0.123456 is not a multiple of lot 0.00001");
    assert_int_equal(tl_instrument_check_qty(&i, 0, &err), TL_EINVAL);
    assert_string_equal(err.msg, "BTCUSDT: quantity 0 must be positive");
    assert_int_equal(tl_instrument_check_qty(&i, fx("-1"), &err), TL_EINVAL);

    /* A minimum above the lot: on-lot quantities below it are refused. */
    i.lot_size = fx("0.0001");
    i.min_qty = fx("0.001");
    assert_int_equal(tl_instrument_check_qty(&i, fx("0.0009"), &err), TL_EINVAL);
    assert_string_equal(err.msg, "BTCUSDT: quantity 0.0009 is below min 0.001");
    assert_int_equal(tl_instrument_check_qty(&i, fx("0.001"), &err), 0);
    assert_int_equal(tl_instrument_check_qty(&i, fx("0.0011"), &err), 0);
    /* min_notional belongs to risk: a tiny order passes here. */
    assert_int_equal(tl_instrument_check_qty(&i, fx("0.001"), NULL), 0);
}

static void test_set_add_find(void **state)
{
    (void)state;
    tl_instruments set;
    tl_err err = {0};
    uint32_t id = 99;
    tl_instruments_init(&set);
    assert_int_equal(tl_instruments_find(&set, "BTCUSDT", &id), TL_ENOTFOUND);
    assert_int_equal(id, 99);

    tl_instrument i = btc();
    assert_int_equal(tl_instruments_add(&set, &i, &id, &err), 0);
    assert_int_equal(id, 0);
    assert_int_equal(tl_instrument_default("ETHUSDT", &i, &err), 0);
    assert_int_equal(tl_instruments_add(&set, &i, &id, &err), 0);
    assert_int_equal(id, 1);
    assert_int_equal(tl_instrument_default("EURUSD", &i, &err), 0);
    assert_int_equal(tl_instruments_add(&set, &i, NULL, &err), 0);
    assert_int_equal(set.count, 3);

    id = 99;
    i = btc();
    assert_int_equal(tl_instruments_add(&set, &i, &id, &err), TL_EDUPLICATE);
    assert_string_equal(err.msg, "BTCUSDT: instrument already defined");
    assert_int_equal(id, 99);
    assert_int_equal(set.count, 3);
    i.tick_size = 0;
    strcpy(i.symbol, "NEWUSDT");
    assert_int_equal(tl_instruments_add(&set, &i, &id, &err), TL_EINVAL);
    assert_int_equal(set.count, 3);
    assert_int_equal(tl_instruments_find(&set, "NEWUSDT", &id), TL_ENOTFOUND);

    assert_int_equal(tl_instruments_find(&set, "EURUSD", &id), 0);
    assert_int_equal(id, 2);
    assert_string_equal(set.items[id].quote, "USD");
    assert_int_equal(tl_instruments_find(&set, "BTCUSDT", &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(set.items[0].lot_size, fx("0.00001"));
    assert_int_equal(tl_instruments_find(&set, "BTCUSD", &id), TL_ENOTFOUND);
    assert_int_equal(tl_instruments_find(&set, NULL, &id), TL_ENOTFOUND);

    tl_instruments_close(&set);
    assert_int_equal(set.count, 0);
    assert_null(set.items);
}

/* Hundreds of instruments: the array grows, every id stays the insertion index. */
static void test_set_many(void **state)
{
    (void)state;
    tl_instruments set;
    tl_instruments_init(&set);
    char sym[32];
    for (int n = 0; n < 500; n++) {
        tl_instrument i;
        uint32_t id;
        snprintf(sym, sizeof(sym), "C%dUSDT", n);
        assert_int_equal(tl_instrument_default(sym, &i, NULL), 0);
        assert_int_equal(tl_instruments_add(&set, &i, &id, NULL), 0);
        assert_int_equal(id, (uint32_t)n);
    }
    for (int n = 499; n >= 0; n--) {
        uint32_t id;
        snprintf(sym, sizeof(sym), "C%dUSDT", n);
        assert_int_equal(tl_instruments_find(&set, sym, &id), 0);
        assert_int_equal(id, (uint32_t)n);
        assert_string_equal(set.items[id].symbol, sym);
    }
    tl_instruments_close(&set);
}

static void check_default(const char *symbol, const char *base, const char *quote, const char *tick,
                          const char *lot)
{
    tl_instrument i;
    tl_err err = {0};
    assert_int_equal(tl_instrument_default(symbol, &i, &err), 0);
    assert_string_equal(i.symbol, symbol);
    assert_string_equal(i.base, base);
    assert_string_equal(i.quote, quote);
    assert_int_equal(i.tick_size, fx(tick));
    assert_int_equal(i.lot_size, fx(lot));
    assert_true(i.min_qty >= i.lot_size);
    assert_int_equal(tl_instrument_validate(&i, &err), 0);
}

static void test_defaults(void **state)
{
    (void)state;
    tl_instrument i;
    assert_int_equal(tl_instrument_default("BTCUSDT", &i, NULL), 0);
    tl_instrument want = btc();
    assert_memory_equal(&i, &want, sizeof(i));

    assert_int_equal(tl_instrument_default("ETHUSDT", &i, NULL), 0);
    assert_int_equal(i.min_qty, fx("0.0001"));
    assert_int_equal(i.max_qty, fx("10000"));
    assert_int_equal(i.min_notional, fx("5"));

    check_default("ETHUSDT", "ETH", "USDT", "0.01", "0.0001");
    check_default("SOLUSDT", "SOL", "USDT", "0.001", "0.001");
    check_default("BNBUSDT", "BNB", "USDT", "0.01", "0.001");
    check_default("XRPUSDT", "XRP", "USDT", "0.0001", "0.1");
    /* The generic rule: longest quote suffix wins, base is the rest. */
    check_default("DOGEUSDT", "DOGE", "USDT", "0.01", "0.001");
    check_default("BTCUSDC", "BTC", "USDC", "0.01", "0.001");
    check_default("BTCUSD", "BTC", "USD", "0.01", "0.001");
    check_default("EURUSD", "EUR", "USD", "0.01", "0.001");
    check_default("USDCHF", "USD", "CHF", "0.01", "0.001");
    check_default("DAXEUR", "DAX", "EUR", "0.01", "0.001");
    check_default("USDTUSD", "USDT", "USD", "0.01", "0.001");
    check_default("ABCDEFGUSDT", "ABCDEFG", "USDT", "0.01", "0.001"); /* 7: longest base */
}

static void test_default_refusals(void **state)
{
    (void)state;
    tl_instrument i, orig;
    tl_err err = {0};
    memset(&i, 0x5A, sizeof(i));
    orig = i;
    const char *bad[] = {"USDT",    "USD", "EUR",          "BTCJPY",  "BTC",
                         "btcusdt", "",    "ABCDEFGHUSDT", "BTC-USDT"};
    for (size_t n = 0; n < sizeof(bad) / sizeof(bad[0]); n++) {
        assert_int_equal(tl_instrument_default(bad[n], &i, &err), TL_EINVAL);
        assert_memory_equal(&i, &orig, sizeof(i));
    }
    assert_int_equal(tl_instrument_default(NULL, &i, &err), TL_EINVAL);
    assert_int_equal(tl_instrument_default("BTCJPY", &i, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "BTCJPY"));
}

static void test_pair_parse(void **state)
{
    (void)state;
    struct {
        const char *symbol, *base, *quote;
    } ok[] = {
        {"BTCUSDT", "BTC", "USDT"}, {"ETHBTC", "ETH", "BTC"},    {"BTCFDUSD", "BTC", "FDUSD"},
        {"EURUSD", "EUR", "USD"},   {"USDCUSDT", "USDC", "USDT"}, {"BNBETH", "BNB", "ETH"},
        {"DOTUSD", "DOT", "USD"},   {"BTCJPY", "BTC", "JPY"},    {"SOLBNB", "SOL", "BNB"},
        {"USDCHF", "USD", "CHF"},   {"XUSDC", "X", "USDC"},       {"ABCDEFGEUR", "ABCDEFG", "EUR"},
    };
    tl_err err = {0};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char base[TL_ASSET_MAX], quote[TL_ASSET_MAX];
        assert_int_equal(tl_pair_parse(ok[i].symbol, base, quote, &err), 0);
        assert_string_equal(base, ok[i].base);
        assert_string_equal(quote, ok[i].quote);
    }
    const char *bad[] = {"USDT", "BTC", "BTCXYZ", "btcusdt", "", "ABCDEFGHUSDT", "BTC-USDT"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char base[TL_ASSET_MAX] = "keep", quote[TL_ASSET_MAX] = "keep";
        assert_int_equal(tl_pair_parse(bad[i], base, quote, &err), TL_EINVAL);
        assert_string_equal(base, "keep");
        assert_string_equal(quote, "keep");
    }
    char base[TL_ASSET_MAX], quote[TL_ASSET_MAX];
    assert_int_equal(tl_pair_parse(NULL, base, quote, &err), TL_EINVAL);
    assert_int_equal(tl_pair_parse("BTCXYZ", base, quote, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "BTCXYZ: unknown quote asset"));
    assert_int_equal(tl_pair_parse("ABCDEFGHUSDT", base, quote, &err), TL_EINVAL);
    assert_string_equal(err.msg, "ABCDEFGHUSDT: base asset longer than 7 characters");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_symbol_validate), cmocka_unit_test(test_instrument_validate),
        cmocka_unit_test(test_check_price),     cmocka_unit_test(test_check_qty),
        cmocka_unit_test(test_set_add_find),    cmocka_unit_test(test_set_many),
        cmocka_unit_test(test_defaults),        cmocka_unit_test(test_default_refusals),
        cmocka_unit_test(test_pair_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
