/*
 * serve_admin.h (internal) -- the admin pages of run plans on `tradeloop serve` (issue 11,
 * "Admin pages"): server-rendered HTML with inline SVG, no JavaScript.
 *
 *   GET /admin/testing/run-plans[?sort=FIGURE]       the newest plans in the store, each with its
 *                                                     best variant by FIGURE (return_pct)
 *   GET /admin/testing/run-plans/{id}[?sort=FIGURE]   every variant of plan id ranked by FIGURE,
 *                                                     each with its trade-equity curve
 *
 * Behind X-Admin-Token as the paper API (tl__serve_guard: the header only, no query parameter or
 * cookie, so a token never lands in a URL, a log or a browser's history). FIGURE is one of the
 * names `tradeloop sweep --sort` takes; the order is the sweep's: best first (lowest only for
 * max_drawdown_pct), variants without the figure (failed, or a null figure) last, ties in plan
 * order. An unknown figure is 400; an id that is not 16 lower-case hex digits, or no stored plan,
 * is 404.
 *
 * The curves come from the journal, not from the stored figures: the variant's workspace's
 * ORDER_FILLED events, buys and sells paired first in first out per symbol into closed trades
 * (the paper broker's CLOSE_LONG sells the whole position), each trade's P&L by tl_bt_trade_pnl,
 * from the starting equity tl_paper_state_get rebuilds (a WORKSPACE_RESET starts the curve over).
 *
 * serve_admin.c reads the store and ranks; admin_html.c writes the pages. Every text from outside
 * (names, symbols, overrides, errors, the data file's name) is escaped with tl_sb_xml.
 */
#ifndef TL_SERVICE_SERVE_ADMIN_H
#define TL_SERVICE_SERVE_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/sbuf.h"
#include "net/http.h"
#include "tradeloop/store.h"

#define TL_ADMIN_PATH      "/admin/testing/run-plans"
#define TL_ADMIN_N_FIGURES 7

/* The figures, as `tradeloop sweep --sort` names them; index 0 (return_pct) is the default. */
extern const char *const tl__admin_figures[TL_ADMIN_N_FIGURES];

/* Figure k of a variant: false when it has none (failed, or a null figure). Larger is better
 * (the drawdown is negated), so ranking is one comparison. */
bool tl__admin_figure(const tl_run_variant_row *v, int k, __int128 *out);

/* A trade-equity curve: the starting equity, then the equity after each closed trade. */
typedef struct tl_admin_curve {
    tl_fixed *eq; /* owned (tl__admin_curve_free) */
    size_t n, cap;
} tl_admin_curve;
void tl__admin_curve_free(tl_admin_curve *c);

/* A line of the list page: a plan, how many variants it has stored, its best by the figure. */
typedef struct tl_admin_plan_item {
    const tl_run_plan_row *plan; /* borrowed */
    size_t stored;
    bool has_best;
    tl_run_variant_row best;
} tl_admin_plan_item;

/* The pages, appended to out (check out->err once at the end). figure: the index sorted by. */
void tl__admin_list_page(tl_sb *out, const tl_admin_plan_item *items, size_t n, int figure);
/* rows[order[0..n)] in rank order, curves[i] the curve of rows[i]. */
void tl__admin_detail_page(tl_sb *out, const tl_run_plan_row *plan, const tl_run_variant_row *rows,
                           const tl_admin_curve *curves, const size_t *order, size_t n, int figure);
/* A small <svg> of the curve: integer coordinates, the values in data-equity. */
void tl__admin_sparkline(tl_sb *out, const tl_admin_curve *c);

/* The handlers (serve_admin.c); ctx is the tl_serve. */
int tl__serve_admin_list(void *ctx, tl_http_req *req, tl_err *err);
int tl__serve_admin_plan(void *ctx, tl_http_req *req, tl_err *err);
#define TL__SERVE_ADMIN_ROUTES(s)                                                                  \
    {"GET", TL_ADMIN_PATH, 0, tl__serve_admin_list, (s)},                                          \
    {                                                                                              \
        "GET", TL_ADMIN_PATH "/", TL_HTTP_PREFIX, tl__serve_admin_plan, (s)                        \
    }

#endif /* TL_SERVICE_SERVE_ADMIN_H */
