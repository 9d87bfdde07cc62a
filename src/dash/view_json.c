/* view_json.c -- the status document written (see view_json.h). Keys are written in sorted order
 * by hand. The reading side, which checks every field, is view_json_read.c. */
#include "dash/view_json.h"

#include <stdio.h>
#include <string.h>

static void kv_fixed(tl_jw *w, const char *key, tl_fixed v)
{
    char buf[TL_FIXED_STRLEN];
    tl_fixed_format(v, buf, sizeof buf); /* cannot fail: the buffer fits every value */
    tl_jw_key(w, key);
    tl_jw_str(w, buf);
}

static void kv_str(tl_jw *w, const char *key, const char *s)
{
    tl_jw_key(w, key);
    tl_jw_str(w, s);
}

static void kv_uint(tl_jw *w, const char *key, uint64_t v)
{
    tl_jw_key(w, key);
    tl_jw_uint(w, v);
}

static void kv_int(tl_jw *w, const char *key, int64_t v)
{
    tl_jw_key(w, key);
    tl_jw_int(w, v);
}

static void kv_bool(tl_jw *w, const char *key, bool v)
{
    tl_jw_key(w, key);
    tl_jw_bool(w, v);
}

static void encode_account(const tl_dash_account *a, tl_jw *w)
{
    tl_jw_obj_begin(w);
    kv_fixed(w, "balance", a->balance);
    kv_int(w, "cooldown_left_ns", a->cooldown_left_ns);
    kv_fixed(w, "drawdown_pct", a->drawdown_pct);
    kv_fixed(w, "equity", a->equity);
    kv_bool(w, "frozen", a->frozen);
    kv_bool(w, "in_cooldown", a->in_cooldown);
    kv_uint(w, "losses", a->losses);
    kv_fixed(w, "max_drawdown_pct", a->max_drawdown_pct);
    kv_str(w, "name", a->name);
    kv_fixed(w, "realized_pnl", a->realized_pnl);
    kv_uint(w, "trades", a->trades);
    kv_fixed(w, "unrealized_pnl", a->unrealized_pnl);
    kv_uint(w, "wins", a->wins);
    tl_jw_obj_end(w);
}

static void encode_position(const tl_dash_position *p, tl_jw *w)
{
    tl_jw_obj_begin(w);
    kv_str(w, "account", p->account);
    kv_fixed(w, "entry", p->entry);
    kv_fixed(w, "last", p->last);
    kv_fixed(w, "qty", p->qty);
    kv_fixed(w, "stop", p->stop);
    kv_str(w, "symbol", p->symbol);
    kv_fixed(w, "unrealized_pnl", p->unrealized_pnl);
    tl_jw_obj_end(w);
}

static void encode_refusal(const tl_dash_refusal *r, tl_jw *w)
{
    tl_jw_obj_begin(w);
    kv_str(w, "account", r->account);
    kv_str(w, "reason", r->reason);
    kv_str(w, "symbol", r->symbol);
    kv_str(w, "text", r->text);
    kv_int(w, "ts_ns", r->ts_ns);
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
    kv_uint(w, "accounts_total", v->accounts_total);
    kv_str(w, "db", v->db);
    tl_jw_key(w, "filters");
    tl_jw_obj_begin(w);
    kv_uint(w, "max_quote_age_ms", v->filters.max_quote_age_ms);
    kv_fixed(w, "max_slippage_bps", v->filters.max_slippage_bps);
    kv_fixed(w, "max_spread_bps", v->filters.max_spread_bps);
    kv_str(w, "timezone", v->filters.timezone);
    kv_str(w, "trading_window", v->filters.trading_window);
    tl_jw_obj_end(w);
    tl_jw_key(w, "kill_switch");
    tl_jw_obj_begin(w);
    kv_bool(w, "engaged", v->kill.engaged);
    kv_str(w, "reason", v->kill.reason);
    tl_jw_obj_end(w);
    kv_uint(w, "max_open_positions", v->max_open_positions);
    kv_str(w, "mode", tl_dash_mode_name(v->mode));
    kv_int(w, "now_ns", v->now_ns);
    kv_uint(w, "open_positions", v->open_positions);
    tl_jw_key(w, "positions");
    tl_jw_arr_begin(w);
    for (uint32_t i = 0; i < v->n_positions; i++)
        encode_position(&v->positions[i], w);
    tl_jw_arr_end(w);
    kv_uint(w, "positions_total", v->positions_total);
    tl_jw_key(w, "reconciliation");
    tl_jw_obj_begin(w);
    kv_str(w, "result", v->recon.result);
    kv_uint(w, "runs", v->recon.runs);
    kv_int(w, "ts_ns", v->recon.ts_ns);
    tl_jw_obj_end(w);
    tl_jw_key(w, "refusals");
    tl_jw_arr_begin(w);
    for (uint32_t i = 0; i < v->n_refusals; i++)
        encode_refusal(&v->refusals[i], w);
    tl_jw_arr_end(w);
    tl_jw_key(w, "signals");
    tl_jw_obj_begin(w);
    kv_uint(w, "accepted", v->signals.accepted);
    kv_uint(w, "received", v->signals.received);
    kv_uint(w, "refused", v->signals.refused);
    tl_jw_obj_end(w);
    kv_uint(w, "version", TL_DASH_VIEW_VERSION);
    tl_jw_obj_end(w);
    return 0;
}
