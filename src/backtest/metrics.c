/* metrics.c -- see metrics.h. */
#include "backtest/metrics.h"

#include <string.h>

/* floor(sqrt(v)) for v >= 0, bit by bit: exact, and the same on every machine. */
static uint64_t isqrt128(unsigned __int128 v)
{
    unsigned __int128 res = 0, bit = (unsigned __int128)1 << 126;
    while (bit > v)
        bit >>= 2;
    while (bit) {
        if (v >= res + bit) {
            v -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return (uint64_t)res;
}

int tl_bt_trade_pnl(const tl_bt_trade *t, __int128 *pnl)
{
    tl_fixed in, out;
    if (tl_fixed_mul(t->entry_price, t->qty, &in) != 0 ||
        tl_fixed_mul(t->exit_price, t->qty, &out) != 0)
        return TL_ERANGE;
    *pnl = (__int128)out - in - t->fees;
    return 0;
}

/* num / den as a fixed percentage (num * 100 / den); den > 0. */
static int pct(__int128 num, __int128 den, tl_fixed *out, const char *what, tl_err *err)
{
    if (tl_fixed_from_ratio128(num * 100 * TL_FIXED_SCALE, den, out) != 0)
        return tl_err_set(err, TL_ERANGE, "metrics: %s does not fit", what);
    return 0;
}

int tl_bt_metrics_compute(tl_fixed starting_equity, const tl_bt_trade *trades, size_t n,
                          tl_fixed open_qty, tl_fixed open_cost, tl_fixed last_close,
                          tl_bt_metrics *out, tl_err *err)
{
    tl_bt_metrics m;
    memset(&m, 0, sizeof(m));
    if (starting_equity <= 0)
        return tl_err_set(err, TL_EINVAL, "metrics: starting equity must be positive");
    if (open_qty < 0 || (open_qty > 0 && last_close <= 0))
        return tl_err_set(err, TL_EINVAL, "metrics: an open position needs a positive last close");
    m.starting_equity = starting_equity;
    m.trade_count = n;

    __int128 equity = starting_equity, peak = starting_equity, profit = 0, loss = 0, sum_r = 0;
    tl_fixed worst = 0;
    uint64_t wins = 0;
    for (size_t i = 0; i < n; i++) {
        const tl_bt_trade *t = &trades[i];
        if (t->entry_price <= 0 || t->exit_price <= 0 || t->qty <= 0 || t->fees < 0)
            return tl_err_set(err, TL_EINVAL,
                              "metrics: trade %zu: prices and quantity must be positive, fees "
                              "not negative",
                              i + 1);
        __int128 pnl;
        int rc;
        if (tl_bt_trade_pnl(t, &pnl) != 0)
            return tl_err_set(err, TL_ERANGE, "metrics: trade %zu's notional does not fit", i + 1);
        if (pnl > 0)
            profit += pnl;
        else if (pnl < 0)
            loss -= pnl;
        wins += t->exit_price > t->entry_price;
        equity += pnl;
        if (equity > peak)
            peak = equity;
        tl_fixed dd;
        if ((rc = pct(peak - equity, peak, &dd, "the drawdown", err)) != 0)
            return rc;
        if (dd > worst)
            worst = dd;
        tl_fixed r;
        if (tl_fixed_from_ratio128((__int128)(t->exit_price - t->entry_price) * TL_FIXED_SCALE,
                                   t->entry_price, &r) != 0)
            return tl_err_set(err, TL_ERANGE, "metrics: trade %zu's return does not fit", i + 1);
        sum_r += r;
    }
    tl_fixed mark = 0;
    if (open_qty > 0 && tl_fixed_mul(last_close, open_qty, &mark) != 0)
        return tl_err_set(err, TL_ERANGE, "metrics: the open position's value does not fit");
    __int128 end = equity - open_cost + mark;
    if (end > TL_FIXED_MAX || end < TL_FIXED_MIN)
        return tl_err_set(err, TL_ERANGE, "metrics: the ending equity does not fit");
    m.ending_equity = (tl_fixed)end;
    int rc = pct(end - starting_equity, starting_equity, &m.return_pct, "the return", err);
    if (rc != 0)
        return rc;
    m.max_drawdown_pct = worst;

    if (n > 0) {
        m.has_win_rate = true;
        tl_fixed_from_ratio128((__int128)wins * TL_FIXED_SCALE, (__int128)n, &m.win_rate);
    }
    if (loss > 0) {
        m.has_profit_factor = true;
        if (tl_fixed_from_ratio128(profit * TL_FIXED_SCALE, loss, &m.profit_factor) != 0)
            return tl_err_set(err, TL_ERANGE, "metrics: the profit factor does not fit");
    }
    if (n >= 2) {
        /* Two passes: the mean, rounded to 1e-8, then the squared deviations from it, which
         * cannot overflow 128 bits for returns that fit a tl_fixed and n < 2^60 (the rounded
         * mean moves the sum of squares by n * 1e-16 at most). */
        tl_fixed mean;
        tl_fixed_from_ratio128(sum_r, (__int128)n, &mean);
        unsigned __int128 ss = 0;
        for (size_t i = 0; i < n; i++) {
            const tl_bt_trade *t = &trades[i];
            tl_fixed r;
            tl_fixed_from_ratio128((__int128)(t->exit_price - t->entry_price) * TL_FIXED_SCALE,
                                   t->entry_price, &r);
            __int128 d = (__int128)r - mean;
            ss += (unsigned __int128)(d * d);
        }
        /* The sample variance is ss / (n - 1) in 1e-16 units. Its root in 1e-12 units (the
         * variance scaled by 1e8 first) keeps the ratio to 1e-8 where the data allow; a variance
         * too large for that scaling (returns of thousands of percent) takes the root in 1e-8
         * units. */
        const unsigned __int128 lim = (unsigned __int128)1 << 100;
        bool fine = ss < lim;
        uint64_t sd = isqrt128(fine ? ss * 100000000u / (n - 1) : ss / (n - 1));
        __int128 scale = fine ? (__int128)TL_FIXED_SCALE * 10000 : TL_FIXED_SCALE;
        if (sd > 0) {
            m.has_sharpe = true;
            /* The exact mean, sum_r / n, over the deviation. */
            if (tl_fixed_from_ratio128(sum_r * scale, (__int128)sd * (__int128)n, &m.sharpe) != 0)
                return tl_err_set(err, TL_ERANGE, "metrics: the Sharpe ratio does not fit");
        }
    }
    *out = m;
    return 0;
}
