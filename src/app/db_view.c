/* db_view.c -- see db_view.h. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "app/db_view.h"
#include "store/desk_rows.h"
#include "tradeloop/order.h"

/* UTC time to the millisecond: "2025-01-01T00:00:00.000Z" (the execution ids' resolution). */
static const char *utc(int64_t ns, char *buf, size_t cap)
{
    time_t secs = (time_t)(ns / 1000000000);
    long ms = (long)((ns % 1000000000) / 1000000);
    if (ms < 0) {
        secs--;
        ms += 1000;
    }
    struct tm tm;
    char day[32];
    if (gmtime_r(&secs, &tm) == NULL || strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(buf, cap, "%lld", (long long)ns);
    else
        snprintf(buf, cap, "%s.%03ldZ", day, ms);
    return buf;
}

/* ---- JSON: keys in sorted order ---- */

void tl_dbv_json_executions(tl_jw *w, const tl_execution_row *rows, size_t n)
{
    char t[48];
    tl_jw_key(w, "executions");
    tl_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        const tl_execution_row *r = &rows[i];
        tl_jw_obj_begin(w);
        tl_jw_kv_fixed(w, "avg_price", r->avg_price);
        tl_jw_kv_fixed(w, "commission", r->commission);
        tl_jw_kv_str(w, "error", r->error);
        tl_jw_kv_fixed(w, "executed_qty", r->executed_qty);
        tl_jw_kv_str(w, "execution_id", r->execution_id);
        tl_jw_kv_fixed(w, "hedge_base_qty", r->hedge_base_qty);
        tl_jw_kv_fixed(w, "hedge_quote_qty", r->hedge_quote_qty);
        tl_jw_kv_str(w, "hedge_side", tl_side_name(r->hedge_side));
        tl_jw_kv_str(w, "lp", r->lp);
        tl_jw_kv_fixed(w, "pnl", r->pnl);
        tl_jw_kv_fixed(w, "pnl_after_fees", r->pnl_after_fees);
        tl_jw_kv_str(w, "pnl_asset", r->pnl_asset);
        tl_jw_kv_fixed(w, "pnl_bps", r->pnl_bps);
        tl_jw_kv_str(w, "quote_id", r->quote_id);
        tl_jw_kv_str(w, "status", tl_exec_status_name(r->status));
        tl_jw_kv_str(w, "time", utc(r->ts_ns, t, sizeof t));
        tl_jw_kv_int(w, "ts_ns", r->ts_ns);
        tl_jw_kv_str(w, "workspace", r->workspace);
        tl_jw_obj_end(w);
    }
    tl_jw_arr_end(w);
}

void tl_dbv_json_lps(tl_jw *w, const tl_lp_scorecard *cards, size_t n)
{
    tl_jw_key(w, "lps");
    tl_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        const tl_lp_scorecard *c = &cards[i];
        tl_jw_obj_begin(w);
        tl_jw_kv_uint(w, "answered", c->answered);
        tl_jw_key(w, "best_bps");
        c->has_bps ? tl_jw_fixed(w, c->best_bps) : tl_jw_null(w);
        tl_jw_kv_uint(w, "executions", c->executions);
        tl_jw_kv_uint(w, "failed", c->failed);
        tl_jw_kv_uint(w, "late", c->late);
        tl_jw_kv_str(w, "lp", c->lp);
        tl_jw_kv_int(w, "mean_response_ns", c->mean_response_ns);
        tl_jw_kv_int(w, "p95_response_ns", c->p95_response_ns);
        tl_jw_kv_uint(w, "refused", c->refused);
        tl_jw_kv_uint(w, "requested", c->requested);
        tl_jw_kv_fixed(w, "response_rate", c->response_rate);
        tl_jw_kv_fixed(w, "win_rate", c->win_rate);
        tl_jw_kv_uint(w, "wins", c->wins);
        tl_jw_key(w, "worst_bps");
        c->has_bps ? tl_jw_fixed(w, c->worst_bps) : tl_jw_null(w);
        tl_jw_obj_end(w);
    }
    tl_jw_arr_end(w);
}

void tl_dbv_json_quotes(tl_jw *w, const tl_quote_row *rows, size_t n)
{
    char t[48];
    tl_jw_key(w, "quotes");
    tl_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        const tl_quote_row *r = &rows[i];
        tl_jw_obj_begin(w);
        tl_jw_kv_fixed(w, "amount", r->amount);
        tl_jw_kv_str(w, "amount_asset", r->amount_asset);
        tl_jw_kv_fixed(w, "client_price", r->client_price);
        tl_jw_kv_str(w, "event", tl_quote_event_name(r->event));
        tl_jw_kv_str(w, "lp", r->lp);
        tl_jw_kv_fixed(w, "lp_price", r->lp_price);
        tl_jw_kv_str(w, "lp_quote_id", r->lp_quote_id);
        tl_jw_kv_str(w, "quote_id", r->quote_id);
        tl_jw_kv_str(w, "side", tl_side_name(r->side));
        tl_jw_kv_str(w, "symbol", r->symbol);
        tl_jw_kv_str(w, "time", utc(r->ts_ns, t, sizeof t));
        tl_jw_kv_int(w, "ts_ns", r->ts_ns);
        tl_jw_kv_str(w, "valid_until", utc(r->valid_until_ns, t, sizeof t));
        tl_jw_kv_int(w, "valid_until_ns", r->valid_until_ns);
        tl_jw_kv_str(w, "workspace", r->workspace);
        tl_jw_obj_end(w);
    }
    tl_jw_arr_end(w);
}

void tl_dbv_json_stats(tl_jw *w, const tl_desk_stats *st)
{
    tl_jw_key(w, "stats");
    tl_jw_obj_begin(w);
    tl_jw_kv_uint(w, "executions", st->executions);
    tl_jw_kv_uint(w, "failed", st->failed);
    tl_jw_key(w, "pnl");
    tl_jw_arr_begin(w);
    for (size_t i = 0; i < st->n_pnl; i++) {
        tl_jw_obj_begin(w);
        tl_jw_kv_str(w, "asset", st->pnl[i].asset);
        tl_jw_kv_fixed(w, "pnl", st->pnl[i].pnl);
        tl_jw_kv_fixed(w, "pnl_after_fees", st->pnl[i].pnl_after_fees);
        tl_jw_obj_end(w);
    }
    tl_jw_arr_end(w);
    tl_jw_kv_fixed(w, "success_rate", st->success_rate);
    tl_jw_kv_uint(w, "succeeded", st->succeeded);
    tl_jw_obj_end(w);
}

/* ---- tables ---- */

#define MAX_COLS 16
#define CELL     64

/* Prints a header and rows of cells with each column as wide as its widest cell. */
typedef struct table {
    int ncols;
    const char *const *head;
    char (*cells)[MAX_COLS][CELL]; /* the caller's rows */
    size_t n;
} table;

static void print_table(const table *t)
{
    int width[MAX_COLS];
    for (int c = 0; c < t->ncols; c++) {
        width[c] = (int)strlen(t->head[c]);
        for (size_t i = 0; i < t->n; i++) {
            int l = (int)strlen(t->cells[i][c]);
            width[c] = l > width[c] ? l : width[c];
        }
    }
    for (int c = 0; c < t->ncols; c++)
        printf("%-*s%s", c + 1 < t->ncols ? width[c] : 0, t->head[c],
               c + 1 < t->ncols ? "  " : "\n");
    for (size_t i = 0; i < t->n; i++) {
        for (int c = 0; c < t->ncols; c++)
            printf("%-*s%s", c + 1 < t->ncols ? width[c] : 0, t->cells[i][c],
                   c + 1 < t->ncols ? "  " : "\n");
    }
}

static void fx(char *cell, tl_fixed v)
{
    tl_fixed_format(v, cell, CELL);
}

/* A fraction as a percentage with 2 decimals: 0.66666667 -> "66.67%". */
static void pct(char *cell, tl_fixed v)
{
    char num[48];
    tl_fixed_format_dp(v * 100, 2, num, sizeof num); /* v <= 1: no overflow */
    snprintf(cell, CELL, "%s%%", num);
}

/* Nanoseconds as milliseconds with 3 decimals. */
static void ms(char *cell, int64_t ns)
{
    snprintf(cell, CELL, "%lld.%03lld", (long long)(ns / 1000000), (long long)(ns / 1000 % 1000));
}

void tl_dbv_table_executions(const tl_execution_row *rows, size_t n)
{
    static const char *const head[] = {
        "EXECUTION", "TIME",       "STATUS", "LP",    "HEDGE",      "BASE QTY", "QUOTE QTY",
        "AVG PRICE", "COMMISSION", "P&L",    "ASSET", "AFTER FEES", "BPS",      "ERROR"};
    if (n == 0) {
        printf("no executions\n");
        return;
    }
    char(*cells)[MAX_COLS][CELL] = calloc(n, sizeof *cells);
    if (cells == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        const tl_execution_row *r = &rows[i];
        char(*c)[CELL] = cells[i];
        snprintf(c[0], CELL, "%s", r->execution_id);
        utc(r->ts_ns, c[1], CELL);
        snprintf(c[2], CELL, "%s", tl_exec_status_name(r->status));
        snprintf(c[3], CELL, "%s", r->lp);
        snprintf(c[4], CELL, "%s", tl_side_name(r->hedge_side));
        fx(c[5], r->hedge_base_qty);
        fx(c[6], r->hedge_quote_qty);
        fx(c[7], r->avg_price);
        fx(c[8], r->commission);
        fx(c[9], r->pnl);
        snprintf(c[10], CELL, "%s", r->pnl_asset);
        fx(c[11], r->pnl_after_fees);
        tl_fixed_format_dp(r->pnl_bps, 2, c[12], CELL);
        snprintf(c[13], CELL, "%.*s", CELL - 1, r->error);
    }
    print_table(&(table){14, head, cells, n});
    free(cells);
}

void tl_dbv_table_quotes(const tl_quote_row *rows, size_t n)
{
    static const char *const head[] = {"TIME",     "QUOTE",        "EVENT",      "LP",
                                       "SIDE",     "AMOUNT",       "ASSET",      "SYMBOL",
                                       "LP PRICE", "CLIENT PRICE", "VALID UNTIL"};
    if (n == 0) {
        printf("no quotes\n");
        return;
    }
    char(*cells)[MAX_COLS][CELL] = calloc(n, sizeof *cells);
    if (cells == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        const tl_quote_row *r = &rows[i];
        char(*c)[CELL] = cells[i];
        utc(r->ts_ns, c[0], CELL);
        snprintf(c[1], CELL, "%s", r->quote_id);
        snprintf(c[2], CELL, "%s", tl_quote_event_name(r->event));
        snprintf(c[3], CELL, "%s", r->lp);
        snprintf(c[4], CELL, "%s", tl_side_name(r->side));
        fx(c[5], r->amount);
        snprintf(c[6], CELL, "%s", r->amount_asset);
        snprintf(c[7], CELL, "%s", r->symbol);
        fx(c[8], r->lp_price);
        fx(c[9], r->client_price);
        utc(r->valid_until_ns, c[10], CELL);
    }
    print_table(&(table){11, head, cells, n});
    free(cells);
}

void tl_dbv_table_lps(const tl_lp_scorecard *cards, size_t n)
{
    static const char *const head[] = {"LP",      "REQUESTED", "ANSWERED", "RESPONSE", "MEAN MS",
                                       "P95 MS",  "WINS",      "WIN RATE", "EXECS",    "FAILED",
                                       "REFUSED", "LATE",      "BEST BPS", "WORST BPS"};
    if (n == 0) {
        printf("no LP quotes\n");
        return;
    }
    char(*cells)[MAX_COLS][CELL] = calloc(n, sizeof *cells);
    if (cells == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        const tl_lp_scorecard *s = &cards[i];
        char(*c)[CELL] = cells[i];
        snprintf(c[0], CELL, "%s", s->lp);
        snprintf(c[1], CELL, "%llu", (unsigned long long)s->requested);
        snprintf(c[2], CELL, "%llu", (unsigned long long)s->answered);
        pct(c[3], s->response_rate);
        ms(c[4], s->mean_response_ns);
        ms(c[5], s->p95_response_ns);
        snprintf(c[6], CELL, "%llu", (unsigned long long)s->wins);
        pct(c[7], s->win_rate);
        snprintf(c[8], CELL, "%llu", (unsigned long long)s->executions);
        snprintf(c[9], CELL, "%llu", (unsigned long long)s->failed);
        snprintf(c[10], CELL, "%llu", (unsigned long long)s->refused);
        snprintf(c[11], CELL, "%llu", (unsigned long long)s->late);
        if (s->has_bps) {
            tl_fixed_format_dp(s->best_bps, 2, c[12], CELL);
            tl_fixed_format_dp(s->worst_bps, 2, c[13], CELL);
        } else {
            strcpy(c[12], "-");
            strcpy(c[13], "-");
        }
    }
    print_table(&(table){14, head, cells, n});
    free(cells);
}

void tl_dbv_table_stats(const tl_desk_stats *st)
{
    char rate[CELL];
    pct(rate, st->success_rate);
    printf("executions      %llu\n", (unsigned long long)st->executions);
    printf("succeeded       %llu\n", (unsigned long long)st->succeeded);
    printf("failed          %llu\n", (unsigned long long)st->failed);
    printf("success rate    %s\n", rate);
    for (size_t i = 0; i < st->n_pnl; i++) {
        char pnl[CELL], net[CELL];
        fx(pnl, st->pnl[i].pnl);
        fx(net, st->pnl[i].pnl_after_fees);
        printf("total P&L %-5s %s (after fees %s)\n", st->pnl[i].asset, pnl, net);
    }
}
