/* admin_html.c -- the HTML of the admin pages of run plans (see serve_admin.h): a list, a detail
 * page, and the sparkline of a trade-equity curve. Every outside text goes through tl_sb_xml;
 * ids, figures and times are ours (hex, digits). Classes on the cells say what each holds, for
 * people styling the page and for the tests reading it. */
#include <stdio.h>
#include <string.h>

#include "service/serve_admin.h"
#include "store/run_rows.h"
#include "tradeloop/clock.h"

#define SPARK_W   180
#define SPARK_H   44
#define SPARK_PAD 3
#define NONE      "\xe2\x80\x94" /* an em dash: no figure */

static const char STYLE[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse}th,td{padding:3px 8px;border-bottom:1px solid #ddd;"
    "text-align:left;vertical-align:middle}td.num{text-align:right;font-variant-numeric:"
    "tabular-nums}th a{color:inherit}th.sorted{background:#eef}code{font-size:12px}"
    ".failed{color:#b00}nav{margin-bottom:1em}";

static void head(tl_sb *o, const char *title)
{
    tl_sb_puts(o, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width\"><title>");
    tl_sb_xml(o, title);
    tl_sb_puts(o, " \xc2\xb7 tradeloop</title><style>");
    tl_sb_puts(o, STYLE);
    tl_sb_puts(o, "</style></head>\n<body>\n");
}

static void tail(tl_sb *o)
{
    tl_sb_puts(o, "</body></html>\n");
}

static void fixed(tl_sb *o, tl_fixed v)
{
    char b[TL_FIXED_STRLEN];
    if (tl_fixed_format(v, b, sizeof(b)) > 0)
        tl_sb_puts(o, b);
}

/* A figure's cell: class = the figure's name. */
static void figure_cell(tl_sb *o, const char *name, bool has, tl_fixed v)
{
    tl_sb_printf(o, "<td class=\"num %s\">", name);
    if (has)
        fixed(o, v);
    else
        tl_sb_puts(o, NONE);
    tl_sb_puts(o, "</td>");
}

/* Figure k of a variant as the sweep prints it (the drawdown as it is, not negated). */
static void figure_k(tl_sb *o, const tl_run_variant_row *v, int k)
{
    bool done = v->status == TL_RUN_DONE;
    switch (k) {
    case 0:
        figure_cell(o, "return_pct", done, v->return_pct);
        break;
    case 1:
        figure_cell(o, "sharpe", done && v->has_sharpe, v->sharpe);
        break;
    case 2:
        figure_cell(o, "max_drawdown_pct", done, v->max_drawdown_pct);
        break;
    case 3:
        figure_cell(o, "win_rate", done && v->has_win_rate, v->win_rate);
        break;
    case 4:
        figure_cell(o, "profit_factor", done && v->has_profit_factor, v->profit_factor);
        break;
    case 5:
        tl_sb_puts(o, "<td class=\"num trade_count\">");
        if (done)
            tl_sb_int(o, v->trade_count);
        else
            tl_sb_puts(o, NONE);
        tl_sb_puts(o, "</td>");
        break;
    default:
        figure_cell(o, "ending_equity", done, v->ending_equity);
        break;
    }
}

static void utc(tl_sb *o, int64_t ns)
{
    char b[40];
    if (tl_time_format_iso(ns - ns % 1000000000, b, sizeof(b)) > 0) /* to the second */
        tl_sb_puts(o, b);
}

static void plan_link(tl_sb *o, const char *id, int figure)
{
    tl_sb_printf(o, "<a href=\"%s/%s", TL_ADMIN_PATH, id);
    if (figure != 0)
        tl_sb_printf(o, "?sort=%s", tl__admin_figures[figure]);
    tl_sb_printf(o, "\">%s</a>", id);
}

void tl__admin_list_page(tl_sb *o, const tl_admin_plan_item *items, size_t n, int figure)
{
    const char *fig = tl__admin_figures[figure];
    head(o, "Run plans");
    tl_sb_puts(o, "<h1>Run plans</h1>\n<nav>best variant by:");
    for (int k = 0; k < TL_ADMIN_N_FIGURES; k++)
        tl_sb_printf(o, k == figure ? " <b>%s</b>" : " <a href=\"?sort=%s\">%s</a>",
                     tl__admin_figures[k], tl__admin_figures[k]);
    tl_sb_printf(o,
                 "</nav>\n<table id=\"plans\"><thead><tr><th>plan</th><th>strategy</th>"
                 "<th>symbol</th><th>variants</th><th>best variant</th><th>%s</th>"
                 "<th>created (UTC)</th></tr></thead>\n<tbody>\n",
                 fig);
    for (size_t i = 0; i < n; i++) {
        const tl_run_plan_row *p = items[i].plan;
        tl_sb_printf(o, "<tr data-plan=\"%s\"><td class=\"plan\"><code>", p->run_plan_id);
        plan_link(o, p->run_plan_id, figure);
        tl_sb_puts(o, "</code></td><td class=\"strategy\">");
        tl_sb_xml(o, p->strategy);
        tl_sb_puts(o, "</td><td class=\"symbol\">");
        tl_sb_xml(o, p->symbol);
        tl_sb_printf(o, "</td><td class=\"num variants\">%zu", items[i].stored);
        if ((int64_t)items[i].stored != p->variants)
            tl_sb_printf(o, " of %lld", (long long)p->variants); /* still running, or cut */
        tl_sb_puts(o, "</td><td class=\"best\"><code>");
        tl_sb_puts(o, items[i].has_best ? items[i].best.variant_id : NONE);
        tl_sb_puts(o, "</code></td>");
        if (items[i].has_best)
            figure_k(o, &items[i].best, figure);
        else
            tl_sb_printf(o, "<td class=\"num %s\">" NONE "</td>", fig);
        tl_sb_puts(o, "<td class=\"created\">");
        utc(o, p->created_ns);
        tl_sb_puts(o, "</td></tr>\n");
    }
    tl_sb_puts(o, "</tbody></table>\n");
    if (n == 0)
        tl_sb_puts(o, "<p>No run plans yet: run <code>tradeloop sweep</code> on this store.</p>\n");
    tail(o);
}

/* The heads of the detail table, in column order: a figure's index, or -1 for a plain head. */
static const struct {
    const char *label;
    int figure;
} COLS[] = {{"rank", -1},
            {"variant", -1},
            {"kind", -1},
            {"overrides", -1},
            {"trades", 5},
            {"return_pct", 0},
            {"max_drawdown_pct", 2},
            {"sharpe", 1},
            {"win_rate", 3},
            {"profit_factor", 4},
            {"ending_equity", 6},
            {"status", -1},
            {"equity curve", -1}};

static void variant_row(tl_sb *o, const tl_run_variant_row *v, const tl_admin_curve *c, size_t rank)
{
    bool done = v->status == TL_RUN_DONE;
    const char *kind = tl_run_kind_name(v->kind);
    tl_sb_printf(o, "<tr data-variant=\"%s\"%s><td class=\"num rank\">%zu</td>", v->variant_id,
                 done ? "" : " class=\"failed\"", rank);
    tl_sb_printf(o, "<td class=\"variant_id\"><code>%s</code></td><td class=\"kind\">%s</td>",
                 v->variant_id, kind ? kind : "?");
    tl_sb_puts(o, "<td class=\"overrides\"><code>");
    tl_sb_xml(o, v->overrides);
    tl_sb_puts(o, "</code></td>");
    for (size_t k = 4; k < 11; k++)
        figure_k(o, v, COLS[k].figure);
    tl_sb_puts(o, "<td class=\"status\">");
    if (done) {
        tl_sb_puts(o, "done");
    } else {
        tl_sb_puts(o, "failed: ");
        tl_sb_xml(o, v->error);
    }
    tl_sb_puts(o, "</td><td class=\"curve\">");
    tl__admin_sparkline(o, c);
    tl_sb_puts(o, "</td></tr>\n");
}

void tl__admin_detail_page(tl_sb *o, const tl_run_plan_row *p, const tl_run_variant_row *rows,
                           const tl_admin_curve *curves, const size_t *order, size_t n, int figure)
{
    char title[64];
    snprintf(title, sizeof(title), "Run plan %s", p->run_plan_id);
    head(o, title);
    tl_sb_printf(o, "<nav><a href=\"%s\">\xe2\x86\x90 all run plans</a></nav>\n", TL_ADMIN_PATH);
    tl_sb_printf(o, "<h1>Run plan <code id=\"plan-id\">%s</code></h1>\n<dl>", p->run_plan_id);
    tl_sb_puts(o, "<dt>strategy</dt><dd id=\"strategy\">");
    tl_sb_xml(o, p->strategy);
    tl_sb_puts(o, "</dd><dt>symbol</dt><dd id=\"symbol\">");
    tl_sb_xml(o, p->symbol);
    tl_sb_puts(o, "</dd><dt>data</dt><dd id=\"data\">");
    tl_sb_xml(o, p->data_name);
    tl_sb_printf(o, ", %lld bars</dd><dt>variants</dt><dd id=\"variants\">%zu of %lld</dd>",
                 (long long)p->bars, n, (long long)p->variants);
    tl_sb_puts(o, "<dt>created (UTC)</dt><dd id=\"created\">");
    utc(o, p->created_ns);
    tl_sb_printf(o,
                 "</dd></dl>\n<p>Ranked by <b id=\"sort\">%s</b>%s; a column's head sorts by "
                 "it. A curve is the equity after each closed trade, from the journal.</p>\n",
                 tl__admin_figures[figure],
                 figure == 2 ? " (lowest first)" : " (highest first, missing last)");
    tl_sb_puts(o, "<table id=\"variants-table\"><thead><tr>");
    for (size_t k = 0; k < sizeof(COLS) / sizeof(COLS[0]); k++) {
        int f = COLS[k].figure;
        if (f < 0) {
            tl_sb_printf(o, "<th>%s</th>", COLS[k].label);
            continue;
        }
        tl_sb_printf(o, "<th%s><a href=\"?sort=%s\">%s</a></th>",
                     f == figure ? " class=\"sorted\"" : "", tl__admin_figures[f], COLS[k].label);
    }
    tl_sb_puts(o, "</tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < n; r++)
        variant_row(o, &rows[order[r]], &curves[order[r]], r + 1);
    tl_sb_puts(o, "</tbody></table>\n");
    tail(o);
}

/* y of v between lo and hi (lo < hi): the top is hi. Integer arithmetic only. */
static int64_t spark_y(tl_fixed v, tl_fixed lo, tl_fixed hi)
{
    if (hi == lo)
        return SPARK_H / 2;
    __int128 span = (__int128)hi - lo, h = SPARK_H - 2 * SPARK_PAD;
    return SPARK_PAD + (int64_t)(((__int128)hi - v) * h / span);
}

void tl__admin_sparkline(tl_sb *o, const tl_admin_curve *c)
{
    tl_sb_printf(o,
                 "<svg class=\"equity\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                 "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" data-equity=\"",
                 SPARK_W, SPARK_H, SPARK_W, SPARK_H);
    tl_fixed lo = 0, hi = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (i > 0)
            tl_sb_puts(o, " ");
        fixed(o, c->eq[i]);
        lo = i == 0 || c->eq[i] < lo ? c->eq[i] : lo;
        hi = i == 0 || c->eq[i] > hi ? c->eq[i] : hi;
    }
    tl_sb_puts(o, "\"><title>");
    if (c->n == 0) {
        tl_sb_puts(o, "no equity</title></svg>");
        return;
    }
    tl_sb_puts(o, "equity ");
    fixed(o, c->eq[0]);
    tl_sb_puts(o, " \xe2\x86\x92 ");
    fixed(o, c->eq[c->n - 1]);
    tl_sb_printf(o, " after %zu closed trades</title>", c->n - 1);
    /* The starting equity as a dashed line, then the curve: green when it ends at or above it. */
    int64_t y0 = spark_y(c->eq[0], lo, hi);
    tl_sb_printf(o,
                 "<line x1=\"%d\" y1=\"%lld\" x2=\"%d\" y2=\"%lld\" stroke=\"#999\" "
                 "stroke-dasharray=\"2 2\"/>",
                 SPARK_PAD, (long long)y0, SPARK_W - SPARK_PAD, (long long)y0);
    tl_sb_printf(o, "<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"%s\" points=\"",
                 c->eq[c->n - 1] >= c->eq[0] ? "#1a7f37" : "#c62828");
    int64_t w = SPARK_W - 2 * SPARK_PAD;
    if (c->n == 1) /* no trade: flat across */
        tl_sb_printf(o, "%d,%lld %d,%lld", SPARK_PAD, (long long)y0, SPARK_W - SPARK_PAD,
                     (long long)y0);
    for (size_t i = 0; c->n > 1 && i < c->n; i++)
        tl_sb_printf(o, "%s%lld,%lld", i ? " " : "",
                     (long long)(SPARK_PAD + (int64_t)i * w / (int64_t)(c->n - 1)),
                     (long long)spark_y(c->eq[i], lo, hi));
    tl_sb_puts(o, "\"/></svg>");
}
