/* plot.c -- see plot.h. */
#include "backtest/plot.h"

#include <string.h>

#define MARGIN 48 /* room for the axis labels on the left and below each panel */

/* A panel: a time range across, a value range down, mapped onto a box of pixels. */
typedef struct panel {
    int64_t t0, t1;
    __int128 v0, v1; /* v0 at the bottom, v1 at the top */
    int x, y, w, h;
} panel;

static int px(const panel *p, int64_t t)
{
    if (p->t1 == p->t0)
        return p->x + p->w / 2;
    return p->x + (int)((__int128)(t - p->t0) * p->w / (p->t1 - p->t0));
}

static int py(const panel *p, __int128 v)
{
    if (p->v1 == p->v0)
        return p->y + p->h / 2;
    return p->y + p->h - (int)((v - p->v0) * p->h / (p->v1 - p->v0));
}

static void fixed_text(tl_sb *b, tl_fixed v)
{
    char s[TL_FIXED_STRLEN];
    if (tl_fixed_format_dp(v, 2, s, sizeof(s)) > 0)
        tl_sb_puts(b, s);
}

/* The panel's frame and its lowest and highest values as labels. */
static void frame(tl_sb *b, const panel *p, const char *label)
{
    tl_sb_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                    "stroke=\"#ccc\"/>\n", p->x, p->y, p->w, p->h);
    tl_sb_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#666\">%s</text>\n", p->x,
                 p->y - 4, label);
    tl_sb_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">", p->x - 4,
                 p->y + 10);
    fixed_text(b, (tl_fixed)p->v1);
    tl_sb_printf(b, "</text>\n<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">",
                 p->x - 4, p->y + p->h);
    fixed_text(b, (tl_fixed)p->v0);
    tl_sb_puts(b, "</text>\n");
}

static void triangle(tl_sb *b, int x, int y, bool up, const char *cls, const char *color)
{
    int d = up ? 1 : -1;
    tl_sb_printf(b, "<path class=\"%s\" d=\"M%d %dl-5 %dh10z\" fill=\"%s\"/>\n", cls, x, y,
                 d * 9, color);
}

int tl_bt_plot_svg(const tl_bt_plot *p, tl_sb *out, tl_err *err)
{
    int w = p->width ? p->width : 900, h = p->height ? p->height : 520;
    if (!p->bars || p->bars->n == 0)
        return tl_err_set(err, TL_EINVAL, "plot: no bars");
    if (w < 200 || h < 200)
        return tl_err_set(err, TL_EINVAL, "plot: %d x %d is too small (200 x 200 at least)", w, h);
    const tl_bar *bar = p->bars->v;
    size_t n = p->bars->n;

    panel price = {bar[0].ts_ns, bar[n - 1].ts_ns, bar[0].close, bar[0].close, MARGIN + 24, 28,
                   w - MARGIN - 24 - 12, (h - 28 - 40) * 3 / 5};
    for (size_t i = 0; i < n; i++) {
        price.v0 = bar[i].close < price.v0 ? bar[i].close : price.v0;
        price.v1 = bar[i].close > price.v1 ? bar[i].close : price.v1;
    }
    panel eq = price;
    eq.y = price.y + price.h + 36;
    eq.h = h - eq.y - 24;
    __int128 e = p->starting_equity;
    eq.v0 = eq.v1 = e;
    for (size_t i = 0; i < p->n_trades; i++) {
        __int128 pnl;
        if (tl_bt_trade_pnl(&p->trades[i], &pnl) != 0)
            return tl_err_set(err, TL_ERANGE, "plot: trade %zu's notional does not fit", i + 1);
        e += pnl;
        eq.v0 = e < eq.v0 ? e : eq.v0;
        eq.v1 = e > eq.v1 ? e : eq.v1;
    }

    tl_sb_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                      "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n", w, h, w, h);
    tl_sb_puts(out, "<title>");
    tl_sb_xml(out, p->title ? p->title : "backtest");
    tl_sb_puts(out, "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
    tl_sb_printf(out, "<text x=\"%d\" y=\"16\" font-size=\"13\">", MARGIN);
    tl_sb_xml(out, p->title ? p->title : "backtest");
    tl_sb_puts(out, "</text>\n");

    frame(out, &price, "close");
    tl_sb_puts(out, "<polyline class=\"price\" fill=\"none\" stroke=\"#1f77b4\" points=\"");
    for (size_t i = 0; i < n; i++)
        tl_sb_printf(out, "%s%d,%d", i ? " " : "", px(&price, bar[i].ts_ns),
                     py(&price, bar[i].close));
    tl_sb_puts(out, "\"/>\n");
    for (size_t i = 0; i < p->n_trades; i++) {
        const tl_bt_trade *t = &p->trades[i];
        triangle(out, px(&price, t->entry_ts_ns), py(&price, t->entry_price) + 2, true, "entry",
                 "#2ca02c");
        triangle(out, px(&price, t->exit_ts_ns), py(&price, t->exit_price) - 2, false, "exit",
                 "#d62728");
    }

    frame(out, &eq, "equity after each closed trade");
    tl_sb_puts(out, "<polyline class=\"equity\" fill=\"none\" stroke=\"#444\" points=\"");
    e = p->starting_equity;
    int x = px(&eq, bar[0].ts_ns), y = py(&eq, e);
    tl_sb_printf(out, "%d,%d", x, y);
    for (size_t i = 0; i < p->n_trades; i++) {
        __int128 pnl = 0;
        tl_bt_trade_pnl(&p->trades[i], &pnl); /* checked above */
        e += pnl;
        x = px(&eq, p->trades[i].exit_ts_ns);
        tl_sb_printf(out, " %d,%d %d,%d", x, y, x, py(&eq, e)); /* a step at each exit */
        y = py(&eq, e);
    }
    tl_sb_printf(out, " %d,%d\"/>\n</svg>\n", px(&eq, bar[n - 1].ts_ns), y);
    if (out->err)
        return tl_err_set(err, out->err, "plot: out of memory");
    return 0;
}
