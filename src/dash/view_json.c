/* view_json.c -- the status document written (see view_json.h). Keys are written in sorted order
 * by hand. The reading side, which checks every field, is view_json_read.c. */
#include "dash/view_json.h"

#include <stdio.h>
#include <string.h>

/* Money as an exact decimal string (see view_json.h: jansson would read a number as a double). */
static void kv_money(tl_jw *w, const char *key, tl_fixed v)
{
    char buf[TL_FIXED_STRLEN];
    tl_fixed_format(v, buf, sizeof buf); /* cannot fail: the buffer fits every value */
    tl_jw_key(w, key);
    tl_jw_str(w, buf);
}

static void encode_account(const tl_dash_account *a, tl_jw *w)
{
    tl_jw_obj_begin(w);
    kv_money(w, "balance", a->balance);
    tl_jw_kv_int(w, "cooldown_left_ns", a->cooldown_left_ns);
    kv_money(w, "drawdown_pct", a->drawdown_pct);
    kv_money(w, "equity", a->equity);
    tl_jw_kv_bool(w, "frozen", a->frozen);
    tl_jw_kv_bool(w, "in_cooldown", a->in_cooldown);
    tl_jw_kv_uint(w, "losses", a->losses);
    kv_money(w, "max_drawdown_pct", a->max_drawdown_pct);
    tl_jw_kv_str(w, "name", a->name);
    kv_money(w, "realized_pnl", a->realized_pnl);
    tl_jw_kv_uint(w, "trades", a->trades);
    kv_money(w, "unrealized_pnl", a->unrealized_pnl);
    tl_jw_kv_uint(w, "wins", a->wins);
    tl_jw_obj_end(w);
}

static void encode_position(const tl_dash_position *p, tl_jw *w)
{
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "account", p->account);
    kv_money(w, "entry", p->entry);
    kv_money(w, "last", p->last);
    kv_money(w, "qty", p->qty);
    kv_money(w, "stop", p->stop);
    tl_jw_kv_str(w, "symbol", p->symbol);
    kv_money(w, "unrealized_pnl", p->unrealized_pnl);
    tl_jw_obj_end(w);
}

static void encode_refusal(const tl_dash_refusal *r, tl_jw *w)
{
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "account", r->account);
    tl_jw_kv_str(w, "reason", r->reason);
    tl_jw_kv_str(w, "symbol", r->symbol);
    tl_jw_kv_str(w, "text", r->text);
    tl_jw_kv_int(w, "ts_ns", r->ts_ns);
    tl_jw_obj_end(w);
}

int tl_dash_view_encode(const tl_dash_view *v, tl_jw *w, tl_err *err)
{
    int rc = tl_dash_view_check(v, err);
    if (rc != 0)
        return rc;
    tl_jw_obj_begin(w);
    tl_jw_key(w, "accounts");
    tl_jw_arr_begin(w);
    for (uint32_t i = 0; i < v->n_accounts; i++)
        encode_account(&v->accounts[i], w);
    tl_jw_arr_end(w);
    tl_jw_kv_uint(w, "accounts_total", v->accounts_total);
    tl_jw_kv_str(w, "db", v->db);
    tl_jw_key(w, "filters");
    tl_jw_obj_begin(w);
    tl_jw_kv_uint(w, "max_quote_age_ms", v->filters.max_quote_age_ms);
    kv_money(w, "max_slippage_bps", v->filters.max_slippage_bps);
    kv_money(w, "max_spread_bps", v->filters.max_spread_bps);
    tl_jw_kv_str(w, "timezone", v->filters.timezone);
    tl_jw_kv_str(w, "trading_window", v->filters.trading_window);
    tl_jw_obj_end(w);
    tl_jw_key(w, "kill_switch");
    tl_jw_obj_begin(w);
    tl_jw_kv_bool(w, "engaged", v->kill.engaged);
    tl_jw_kv_str(w, "reason", v->kill.reason);
    tl_jw_obj_end(w);
    tl_jw_kv_uint(w, "max_open_positions", v->max_open_positions);
    tl_jw_kv_str(w, "mode", tl_dash_mode_name(v->mode));
    tl_jw_kv_int(w, "now_ns", v->now_ns);
    tl_jw_kv_uint(w, "open_positions", v->open_positions);
    tl_jw_key(w, "positions");
    tl_jw_arr_begin(w);
    for (uint32_t i = 0; i < v->n_positions; i++)
        encode_position(&v->positions[i], w);
    tl_jw_arr_end(w);
    tl_jw_kv_uint(w, "positions_total", v->positions_total);
    tl_jw_key(w, "reconciliation");
    tl_jw_obj_begin(w);
    tl_jw_kv_str(w, "result", v->recon.result);
    tl_jw_kv_uint(w, "runs", v->recon.runs);
    tl_jw_kv_int(w, "ts_ns", v->recon.ts_ns);
    tl_jw_obj_end(w);
    tl_jw_key(w, "refusals");
    tl_jw_arr_begin(w);
    for (uint32_t i = 0; i < v->n_refusals; i++)
        encode_refusal(&v->refusals[i], w);
    tl_jw_arr_end(w);
    tl_jw_key(w, "signals");
    tl_jw_obj_begin(w);
    tl_jw_kv_uint(w, "accepted", v->signals.accepted);
    tl_jw_kv_uint(w, "received", v->signals.received);
    tl_jw_kv_uint(w, "refused", v->signals.refused);
    tl_jw_obj_end(w);
    tl_jw_kv_uint(w, "version", TL_DASH_VIEW_VERSION);
    tl_jw_obj_end(w);
    return 0;
}
