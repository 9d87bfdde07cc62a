/* rfq_screen.c -- the desk's events as the seed's screens or as JSON lines (rfq_screen.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/rfq_screen.h"
#include "core/jsonw.h"

#define RULE   "======================================================================"
#define FX_MAX (TL_FIXED_STRLEN + 8) /* with the thousands separators */

static const char *asset_of(const tl_rfq_request *r, tl_pair_leg leg)
{
    return leg == TL_PAIR_BASE ? r->base : r->quote;
}

static const char *fx(tl_fixed v, int dp, char *buf)
{
    tl_fixed_format_grouped(v, dp, buf, FX_MAX);
    return buf;
}

/* The amount as the client gave it: grouped, without trailing zeros ("1.5", "150,000"). */
static const char *amount(tl_fixed v, char *buf)
{
    fx(v, 8, buf);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf);
        while (end > dot + 1 && end[-1] == '0')
            end--;
        if (end == dot + 1)
            end = dot;
        *end = '\0';
    }
    return buf;
}

void rfq_screen_init(rfq_screen *s, bool json, bool interactive)
{
    memset(s, 0, sizeof(*s));
    s->json = json;
    s->interactive = interactive && !json;
    s->tty_out = isatty(STDOUT_FILENO);
}

void rfq_screen_quitting(rfq_screen *s)
{
    s->quitting = true;
}

void rfq_screen_prompt(rfq_screen *s)
{
    if (!s->interactive || s->quitting)
        return;
    fputs(RFQ_PROMPT, stdout);
    fflush(stdout);
    s->at_prompt = true;
}

void rfq_screen_typed(rfq_screen *s)
{
    s->at_prompt = false;
}

/* Before output that was not asked for by a line: the waiting prompt makes way. */
static void clear_prompt(rfq_screen *s)
{
    if (!s->at_prompt)
        return;
    fputs(s->tty_out ? "\r\033[K" : "\n", stdout);
    s->at_prompt = false;
}

void rfq_screen_banner(rfq_screen *s, uint32_t n_lps)
{
    if (!s->interactive)
        return;
    printf("tradeloop rfq: the RFQ desk, %u LP%s\n"
           "  a request: side amount asset symbol, e.g. `b 1.5 btc btcusdt` (b/buy, s/sell)\n"
           "  then: p proceed, c cancel, q quit\n\n",
           n_lps, n_lps == 1 ? "" : "s");
    rfq_screen_prompt(s);
}

void rfq_screen_streaming(rfq_screen *s, const tl_rfq_request *req, uint32_t n_lps)
{
    char a[FX_MAX];
    if (!s->interactive)
        return;
    clear_prompt(s);
    printf("requesting quotes from %u LP%s: %s %s %s on %s\n", n_lps, n_lps == 1 ? "" : "s",
           tl_side_name(req->side), amount(req->amount, a), asset_of(req, req->amount_in),
           req->symbol);
    fflush(stdout);
}

static void print_json(const tl_desk_event *ev)
{
    char t[40];
    tl_jw w;
    tl_jw_init(&w);
    tl_time_format_iso(ev->ts_ns, t, sizeof(t));
    tl_jw_obj_begin(&w);
    if (ev->kind == TL_DESK_EXECUTED || ev->kind == TL_DESK_FAILED) {
        tl_jw_key(&w, "avg_price");
        tl_jw_fixed(&w, ev->avg_price);
    }
    if (ev->lp[0] && ev->kind != TL_DESK_ERROR) {
        tl_jw_key(&w, "client_gets");
        tl_jw_fixed(&w, ev->price.client_gets);
        tl_jw_key(&w, "client_gets_asset");
        tl_jw_str(&w, asset_of(&ev->req, ev->price.client_gets_in));
        tl_jw_key(&w, "client_pays");
        tl_jw_fixed(&w, ev->price.client_pays);
        tl_jw_key(&w, "client_pays_asset");
        tl_jw_str(&w, asset_of(&ev->req, ev->price.client_pays_in));
        tl_jw_key(&w, "client_price");
        tl_jw_fixed(&w, ev->price.client_price);
    }
    if (ev->error[0]) {
        tl_jw_key(&w, "error");
        tl_jw_str(&w, ev->error);
    }
    tl_jw_key(&w, "event");
    tl_jw_str(&w, tl_desk_event_name(ev->kind));
    if (ev->execution_id[0]) {
        tl_jw_key(&w, "execution_id");
        tl_jw_str(&w, ev->execution_id);
    }
    if (ev->kind == TL_DESK_EXECUTED) {
        tl_jw_key(&w, "hedge_base");
        tl_jw_fixed(&w, ev->price.hedge_base);
        tl_jw_key(&w, "hedge_side");
        tl_jw_str(&w, tl_side_name(ev->price.hedge_side));
    }
    if (ev->lp[0]) {
        tl_jw_key(&w, "lp");
        tl_jw_str(&w, ev->lp);
        tl_jw_key(&w, "lp_price");
        tl_jw_fixed(&w, ev->lp_price);
    }
    if (ev->kind == TL_DESK_EXECUTED) {
        tl_jw_key(&w, "pnl");
        tl_jw_fixed(&w, ev->price.pnl);
        tl_jw_key(&w, "pnl_asset");
        tl_jw_str(&w, asset_of(&ev->req, ev->price.profit_in));
        tl_jw_key(&w, "pnl_bps");
        tl_jw_fixed(&w, ev->price.pnl_bps);
    }
    if (ev->quote_id[0]) {
        tl_jw_key(&w, "quote_id");
        tl_jw_str(&w, ev->quote_id);
    }
    tl_jw_key(&w, "ts");
    tl_jw_str(&w, t);
    if (ev->kind == TL_DESK_LOCKED || ev->kind == TL_DESK_IMPROVED) {
        tl_jw_key(&w, "valid_until");
        tl_time_format_iso(ev->valid_until_ns, t, sizeof(t));
        tl_jw_str(&w, t);
    }
    tl_jw_obj_end(&w);
    if (tl_jw_finish(&w) == 0)
        fwrite(w.buf, 1, w.len, stdout);
    tl_jw_free(&w);
}

/* The lock's seconds left, to a tenth, rounded down (integers: no double near a deadline). */
static void seconds_left(int64_t ns, char *buf, size_t cap)
{
    int64_t tenths = ns > 0 ? ns / (TL_NS_PER_MS * 100) : 0;
    snprintf(buf, cap, "%lld.%llds", (long long)(tenths / 10), (long long)(tenths % 10));
}

static void print_lock(const tl_desk_event *ev, int64_t now)
{
    char a[FX_MAX];
    const tl_rfq_request *r = &ev->req;
    printf("%s\n%s\n%s\n\n", RULE, ev->kind == TL_DESK_LOCKED ? "QUOTE LOCKED" : "QUOTE IMPROVED",
           RULE);
    printf("  LP:             %s\n", ev->lp);
    printf("  Side:           %s %s %s\n", tl_side_name(r->side), amount(r->amount, a),
           asset_of(r, r->amount_in));
    printf("  Client Pays:    %s %s\n", fx(ev->price.client_pays, 8, a),
           asset_of(r, ev->price.client_pays_in));
    printf("  Client Gets:    %s %s\n", fx(ev->price.client_gets, 8, a),
           asset_of(r, ev->price.client_gets_in));
    printf("  Price:          %s %s\n", fx(ev->price.client_price, 4, a), r->quote);
    seconds_left(ev->valid_until_ns - now, a, sizeof(a));
    printf("  Valid for:      %s\n\n%s\n\n", a, RULE);
    printf("Commands: [p] proceed  [c] cancel  [q] quit\n");
}

static void print_box(const tl_desk_event *ev, int64_t now)
{
    char a[FX_MAX], b[FX_MAX];
    const tl_rfq_request *r = &ev->req;
    switch (ev->kind) {
    case TL_DESK_LOCKED:
    case TL_DESK_IMPROVED:
        print_lock(ev, now);
        break;
    case TL_DESK_EXECUTED:
        printf("%s\nEXECUTION SUCCESSFUL\n%s\n\n", RULE, RULE);
        printf("  Execution ID:   %s\n", ev->execution_id);
        printf("  Hedge:          %s %s %s\n", tl_side_name(ev->price.hedge_side),
               fx(ev->price.hedge_base, 8, a), r->base);
        printf("  Avg Price:      %s\n", fx(ev->avg_price, 2, a));
        tl_fixed_format_dp(ev->price.pnl_bps, 2, b, sizeof(b));
        printf("  Net P&L:        %s %s (%s bps)\n\n%s\n\n", fx(ev->price.pnl, 8, a),
               asset_of(r, ev->price.profit_in), b, RULE);
        break;
    case TL_DESK_FAILED:
        printf("%s\nEXECUTION FAILED\n%s\n\n  Execution ID:   %s\n  Error:          %s\n\n%s\n\n",
               RULE, RULE, ev->execution_id, ev->error, RULE);
        break;
    case TL_DESK_EXPIRED:
        printf("quote %s expired: the stream stopped; a new request starts another\n",
               ev->quote_id);
        break;
    case TL_DESK_CANCELED:
        printf("quote %s canceled\n", ev->quote_id);
        break;
    case TL_DESK_ERROR:
        printf("error: %s\n", ev->error);
        break;
    }
}

void rfq_screen_event(rfq_screen *s, const tl_desk_event *ev, int64_t now)
{
    if (s->json) {
        print_json(ev);
    } else {
        clear_prompt(s);
        print_box(ev, now);
    }
    fflush(stdout);
    rfq_screen_prompt(s);
}
