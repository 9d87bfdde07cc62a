/* draw.c -- see draw.h. Layout: header rows, the three panels sharing the middle, footer rows. */
#include "dash/draw.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define HEADER_ROWS 3 /* title, signals, note */
#define FOOTER_ROWS 4 /* kill switch, reconciliation, filters, window */

typedef struct col {
    const char *title;
    int min, max; /* width in cells */
    bool right;   /* right-aligned (numbers) */
} col;

/* Every column gets its minimum, then the spare width one cell at a time, left to right, to the
 * columns still below their maximum. One space separates columns. */
static void widths(const col *c, int n, int total, int *w)
{
    int used = n - 1;
    for (int i = 0; i < n; i++)
        used += w[i] = c[i].min;
    for (bool grew = true; grew && used < total;) {
        grew = false;
        for (int i = 0; i < n && used < total; i++)
            if (w[i] < c[i].max) {
                w[i]++;
                used++;
                grew = true;
            }
    }
}

/* s in a cell of `width` at (y, x): cut to the width (at a UTF-8 character boundary), padded on
 * the left when right-aligned. */
static void put(WINDOW *win, int y, int x, int width, const char *s, bool right, attr_t a)
{
    int n = (int)strlen(s);
    if (n > width) {
        n = width;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (a)
        wattron(win, a);
    mvwaddnstr(win, y, x + (right ? width - n : 0), s, n);
    if (a)
        wattroff(win, a);
}

/* A line of text from x to the right edge. */
static void line(WINDOW *win, int y, int x, const char *s, attr_t a)
{
    int cols = getmaxx(win);
    if (x < cols)
        put(win, y, x, cols - x, s, false, a);
}

/* v with `dp` decimals (-1: shortest exact); when that does not fit, fewer decimals; then "#".
 * A number is never cut: a cut number is a different number. */
static const char *fit_fixed(tl_fixed v, int dp, int width, char *buf)
{
    static const int fewer[] = {4, 2, 0};
    int n = dp < 0 ? tl_fixed_format(v, buf, TL_FIXED_STRLEN)
                   : tl_fixed_format_dp(v, dp, buf, TL_FIXED_STRLEN);
    for (size_t i = 0; (n < 0 || n > width) && i < sizeof fewer / sizeof fewer[0]; i++)
        if (dp < 0 || fewer[i] < dp)
            n = tl_fixed_format_dp(v, fewer[i], buf, TL_FIXED_STRLEN);
    if (n < 0 || n > width) {
        n = width < TL_FIXED_STRLEN - 1 ? width : TL_FIXED_STRLEN - 1;
        memset(buf, '#', (size_t)n);
        buf[n] = '\0';
    }
    return buf;
}

static attr_t pnl_attr(tl_fixed v, bool colors)
{
    if (!colors || v == 0)
        return 0;
    return COLOR_PAIR(v > 0 ? TL_DASH_PAIR_GAIN : TL_DASH_PAIR_LOSS);
}

static void fmt_time(int64_t ns, bool date, char *buf, size_t cap)
{
    time_t s = (time_t)(ns / 1000000000);
    struct tm tm;
    if (!gmtime_r(&s, &tm) ||
        strftime(buf, cap, date ? "%Y-%m-%d %H:%M:%SZ" : "%H:%M:%S", &tm) == 0)
        snprintf(buf, cap, "?");
}

/* A panel's rows: title, column titles, then data. `total` rows exist, `n` are in the view; those
 * that do not fit leave their last row to "... N more". Returns how many data rows to draw. */
static int panel_head(WINDOW *win, int y, int h, const char *title, const col *c, int nc, int *w,
                      uint64_t n, uint64_t total)
{
    char t[96];
    if (total > n)
        snprintf(t, sizeof t, "%s (%llu, %llu shown)", title, (unsigned long long)total,
                 (unsigned long long)n);
    else
        snprintf(t, sizeof t, "%s (%llu)", title, (unsigned long long)total);
    line(win, y, 0, t, A_BOLD);
    widths(c, nc, getmaxx(win), w);
    for (int i = 0, x = 0; i < nc; x += w[i] + 1, i++)
        put(win, y + 1, x, w[i], c[i].title, c[i].right, A_UNDERLINE);
    int cap = h - 2;
    uint64_t shown = n < (uint64_t)cap ? n : (uint64_t)cap;
    if (total > shown && shown == (uint64_t)cap)
        shown--;
    if (total > shown) {
        snprintf(t, sizeof t, "... %llu more", (unsigned long long)(total - shown));
        line(win, y + 2 + (int)shown, 0, t, A_DIM);
    } else if (total == 0) {
        line(win, y + 2, 0, "(none)", A_DIM);
    }
    return (int)shown;
}

static const col account_cols[] = {
    {"account", 8, 24, false}, {"balance", 10, 16, true}, {"equity", 10, 16, true},
    {"net P&L", 10, 14, true}, {"unreal.", 10, 14, true}, {"W/L/T", 7, 14, true},
    {"DD%/max", 9, 14, true},  {"state", 9, 16, false},
};

static void draw_accounts(WINDOW *win, const tl_dash_view *v, int y, int h, bool colors)
{
    enum { NC = sizeof account_cols / sizeof account_cols[0] };
    int w[NC];
    char b[64], f1[TL_FIXED_STRLEN], f2[TL_FIXED_STRLEN];
    int rows = panel_head(win, y, h, "VIRTUAL ACCOUNTS", account_cols, NC, w, v->n_accounts,
                          v->accounts_total);
    for (int r = 0; r < rows; r++) {
        const tl_dash_account *a = &v->accounts[r];
        int x = 0, yy = y + 2 + r, i = 0;
#define NEXT(text, attr) (put(win, yy, x, w[i], text, account_cols[i].right, attr), x += w[i++] + 1)
        NEXT(a->name, 0);
        NEXT(fit_fixed(a->balance, 2, w[i], f1), 0);
        NEXT(fit_fixed(a->equity, 2, w[i], f1), 0);
        NEXT(fit_fixed(a->realized_pnl, 2, w[i], f1), pnl_attr(a->realized_pnl, colors));
        NEXT(fit_fixed(a->unrealized_pnl, 2, w[i], f1), pnl_attr(a->unrealized_pnl, colors));
        snprintf(b, sizeof b, "%llu/%llu/%llu", (unsigned long long)a->wins,
                 (unsigned long long)a->losses, (unsigned long long)a->trades);
        NEXT(b, 0);
        /* Now and max with two decimals, fewer when the column is narrow. */
        for (int dp = 2; dp >= 0; dp--) {
            tl_fixed_format_dp(a->drawdown_pct, dp, f1, sizeof f1);
            tl_fixed_format_dp(a->max_drawdown_pct, dp, f2, sizeof f2);
            if (snprintf(b, sizeof b, "%s/%s", f1, f2) <= w[i])
                break;
        }
        NEXT(b, 0);
        attr_t warn = colors ? COLOR_PAIR(TL_DASH_PAIR_WARN) | A_BOLD : A_BOLD;
        if (a->frozen) {
            NEXT("FROZEN", colors ? COLOR_PAIR(TL_DASH_PAIR_LOSS) | A_BOLD : A_BOLD);
        } else if (a->in_cooldown) {
            char d[16];
            tl_dash_format_duration(a->cooldown_left_ns, d, sizeof d);
            snprintf(b, sizeof b, "cd %s", d);
            NEXT(b, warn);
        } else {
            NEXT("ok", 0);
        }
#undef NEXT
    }
}

static const col position_cols[] = {
    {"account", 8, 24, false}, {"symbol", 8, 15, false}, {"qty", 10, 18, true},
    {"entry", 11, 16, true},   {"last", 11, 16, true},   {"unreal.", 10, 14, true},
    {"stop", 11, 16, true},
};

static void draw_positions(WINDOW *win, const tl_dash_view *v, int y, int h, bool colors)
{
    enum { NC = sizeof position_cols / sizeof position_cols[0] };
    int w[NC];
    char f[TL_FIXED_STRLEN];
    int rows = panel_head(win, y, h, "POSITIONS", position_cols, NC, w, v->n_positions,
                          v->positions_total);
    for (int r = 0; r < rows; r++) {
        const tl_dash_position *p = &v->positions[r];
        int x = 0, yy = y + 2 + r, i = 0;
#define NEXT(text, attr)                                                                           \
    (put(win, yy, x, w[i], text, position_cols[i].right, attr), x += w[i++] + 1)
        NEXT(p->account, 0);
        NEXT(p->symbol, 0);
        NEXT(fit_fixed(p->qty, -1, w[i], f), 0);
        NEXT(fit_fixed(p->entry, -1, w[i], f), 0);
        NEXT(p->last ? fit_fixed(p->last, -1, w[i], f) : "-", 0);
        NEXT(fit_fixed(p->unrealized_pnl, 2, w[i], f), pnl_attr(p->unrealized_pnl, colors));
        NEXT(p->stop ? fit_fixed(p->stop, -1, w[i], f) : "none", 0);
#undef NEXT
    }
}

static const col refusal_cols[] = {
    {"time", 8, 8, false},     {"account", 8, 24, false},  {"symbol", 8, 15, false},
    {"reason", 18, 18, false}, {"detail", 20, 400, false},
};

static void draw_refusals(WINDOW *win, const tl_dash_view *v, int y, int h, bool colors)
{
    enum { NC = sizeof refusal_cols / sizeof refusal_cols[0] };
    int w[NC];
    char t[16];
    int rows =
        panel_head(win, y, h, "RECENT REFUSALS", refusal_cols, NC, w, v->n_refusals, v->n_refusals);
    for (int r = 0; r < rows; r++) {
        const tl_dash_refusal *f = &v->refusals[r];
        int x = 0, yy = y + 2 + r, i = 0;
        fmt_time(f->ts_ns, false, t, sizeof t);
#define NEXT(text, attr) (put(win, yy, x, w[i], text, refusal_cols[i].right, attr), x += w[i++] + 1)
        NEXT(t, 0);
        NEXT(f->account[0] ? f->account : "-", 0);
        NEXT(f->symbol[0] ? f->symbol : "-", 0);
        NEXT(f->reason, colors ? COLOR_PAIR(TL_DASH_PAIR_WARN) : 0);
        NEXT(f->text, 0);
#undef NEXT
    }
}

static void draw_footer(WINDOW *win, const tl_dash_view *v, int y, bool colors)
{
    char b[512], t[16], f1[TL_FIXED_STRLEN], f2[TL_FIXED_STRLEN];
    attr_t bad = colors ? COLOR_PAIR(TL_DASH_PAIR_LOSS) | A_BOLD : A_BOLD;
    attr_t good = colors ? COLOR_PAIR(TL_DASH_PAIR_GAIN) : 0;
    if (v->kill.engaged) {
        snprintf(b, sizeof b, "KILL SWITCH ENGAGED: %s", v->kill.reason[0] ? v->kill.reason : "-");
        line(win, y, 0, b, bad);
    } else {
        line(win, y, 0, "kill switch: off", 0);
    }
    if (v->recon.runs == 0) {
        line(win, y + 1, 0, "reconciliation: not run yet", 0);
    } else {
        fmt_time(v->recon.ts_ns, false, t, sizeof t);
        int n = snprintf(b, sizeof b, "reconciliation: %llu runs, last at %s: ",
                         (unsigned long long)v->recon.runs, t);
        line(win, y + 1, 0, b, 0);
        line(win, y + 1, n, v->recon.result, strcmp(v->recon.result, "ok") == 0 ? good : bad);
    }
    tl_fixed_format(v->filters.max_spread_bps, f1, sizeof f1);
    tl_fixed_format(v->filters.max_slippage_bps, f2, sizeof f2);
    snprintf(b, sizeof b, "filters: max spread %s bps, max quote age %llu ms, max slippage %s bps",
             f1, (unsigned long long)v->filters.max_quote_age_ms, f2);
    line(win, y + 2, 0, b, 0);
    snprintf(b, sizeof b, "trading window %s %s", v->filters.trading_window, v->filters.timezone);
    line(win, y + 3, 0, b, 0);
    put(win, y + 3, getmaxx(win) - 7, 7, "q: quit", false, A_DIM);
}

/* Rows for the three panels: each at least its title, column titles and one row; the rest one
 * row at a time, in turn, to the panels that have more to show. */
static void share_rows(const tl_dash_view *v, int avail, int h[3])
{
    /* Rows each panel can fill: those in the view, and one for "... N more". */
    uint64_t want[3] = {v->n_accounts + (v->accounts_total > v->n_accounts),
                        v->n_positions + (v->positions_total > v->n_positions), v->n_refusals};
    int used = 0;
    for (int i = 0; i < 3; i++)
        used += h[i] = 3;
    for (bool grew = true; grew && used < avail;) {
        grew = false;
        for (int i = 0; i < 3 && used < avail; i++)
            if ((uint64_t)(h[i] - 2) < want[i]) {
                h[i]++;
                used++;
                grew = true;
            }
    }
}

bool tl_dash_draw_colors(void)
{
    if (!has_colors() || start_color() == ERR)
        return false;
    use_default_colors(); /* -1 below: the terminal's own background */
    init_pair(TL_DASH_PAIR_GAIN, COLOR_GREEN, -1);
    init_pair(TL_DASH_PAIR_LOSS, COLOR_RED, -1);
    init_pair(TL_DASH_PAIR_WARN, COLOR_YELLOW, -1);
    return true;
}

void tl_dash_draw(WINDOW *w, const tl_dash_view *v, const char *note, bool colors)
{
    int rows, cols;
    char b[256], t[32];
    getmaxyx(w, rows, cols);
    werase(w);
    if (cols < TL_DASH_MIN_COLS || rows < TL_DASH_MIN_ROWS) {
        /* One line when it fits, else two: the message must be readable at any size. */
        snprintf(b, sizeof b, "need %dx%d, have %dx%d", TL_DASH_MIN_COLS, TL_DASH_MIN_ROWS, cols,
                 rows);
        if (cols >= (int)strlen("terminal too small: ") + (int)strlen(b)) {
            mvwprintw(w, 0, 0, "terminal too small: %s", b);
        } else {
            line(w, 0, 0, "terminal too small:", 0);
            if (rows > 1)
                line(w, 1, 0, b, 0);
        }
        return;
    }
    attr_t warn = colors ? COLOR_PAIR(TL_DASH_PAIR_WARN) | A_BOLD : A_BOLD;
    if (!v) {
        line(w, 0, 0, "tradeloop", A_BOLD);
        if (note && *note)
            line(w, 2, 0, note, warn);
        line(w, rows - 1, 0, "q: quit", A_DIM);
        return;
    }
    snprintf(b, sizeof b, "tradeloop  %s  %s", tl_dash_mode_name(v->mode), v->db);
    line(w, 0, 0, b, A_BOLD);
    fmt_time(v->now_ns, true, t, sizeof t);
    snprintf(b, sizeof b, "engine time %s", t);
    put(w, 0, cols - (int)strlen(b), (int)strlen(b), b, false, 0);
    snprintf(b, sizeof b,
             "signals: %llu received, %llu accepted, %llu refused    open positions: %llu of "
             "max %llu",
             (unsigned long long)v->signals.received, (unsigned long long)v->signals.accepted,
             (unsigned long long)v->signals.refused, (unsigned long long)v->open_positions,
             (unsigned long long)v->max_open_positions);
    line(w, 1, 0, b, 0);
    if (note && *note)
        line(w, 2, 0, note, warn);

    int h[3];
    share_rows(v, rows - HEADER_ROWS - FOOTER_ROWS, h);
    int y = HEADER_ROWS;
    draw_accounts(w, v, y, h[0], colors);
    draw_positions(w, v, y += h[0], h[1], colors);
    draw_refusals(w, v, y += h[1], h[2], colors);
    draw_footer(w, v, rows - FOOTER_ROWS, colors);
}
