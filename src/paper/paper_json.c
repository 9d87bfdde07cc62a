/* paper_json.c -- see paper_json.h. Keys are written in sorted order by hand. */
#include "paper/paper_json.h"

/* A string, or null when empty: "no trade" is not a trade id. */
static void str_or_null(tl_jw *w, const char *key, const char *s)
{
    tl_jw_key(w, key);
    if (s[0])
        tl_jw_str(w, s);
    else
        tl_jw_null(w);
}

static void fixed_kv(tl_jw *w, const char *key, tl_fixed v)
{
    tl_jw_key(w, key);
    tl_jw_fixed(w, v);
}

void tl_paper_result_json(const tl_paper_result *r, tl_jw *w)
{
    tl_jw_obj_begin(w);
    tl_jw_key(w, "action");
    tl_jw_str(w, r->action);
    fixed_kv(w, "cash", r->cash);
    str_or_null(w, "change", r->change);
    tl_jw_key(w, "duplicate");
    tl_jw_bool(w, r->duplicate);
    fixed_kv(w, "fill_price", r->fill_price);
    tl_jw_key(w, "high_water");
    tl_jw_uint(w, r->high_water);
    tl_jw_key(w, "idempotency_key");
    tl_jw_str(w, r->idem_key);
    tl_jw_key(w, "intent_id");
    tl_jw_str(w, r->intent_id);
    tl_jw_key(w, "mode");
    tl_jw_str(w, TL_PAPER_MODE);
    tl_jw_key(w, "order_id");
    tl_jw_str(w, r->order_id);
    tl_jw_key(w, "position");
    tl_jw_obj_begin(w);
    fixed_kv(w, "avg_price", r->position_avg);
    fixed_kv(w, "qty", r->position_qty);
    tl_jw_obj_end(w);
    fixed_kv(w, "qty", r->qty);
    fixed_kv(w, "realized_pnl", r->realized_pnl);
    str_or_null(w, "reason", r->reason);
    fixed_kv(w, "starting_equity", r->starting_equity);
    tl_jw_key(w, "state_digest");
    tl_jw_str(w, r->state_digest);
    tl_jw_key(w, "status");
    tl_jw_str(w, tl_paper_status_name(r->status));
    tl_jw_key(w, "symbol");
    tl_jw_str(w, r->symbol);
    str_or_null(w, "trade_id", r->trade_id);
    tl_jw_key(w, "workspace");
    tl_jw_str(w, r->workspace);
    tl_jw_obj_end(w);
}

static void positions_json(const tl_paper_state *st, tl_jw *w)
{
    tl_jw_key(w, "positions");
    tl_jw_arr_begin(w);
    for (size_t i = 0; i < st->n_positions; i++) {
        const tl_position_row *p = &st->positions[i];
        tl_jw_obj_begin(w);
        fixed_kv(w, "avg_price", p->avg_price);
        fixed_kv(w, "qty", p->qty);
        fixed_kv(w, "realized_pnl", p->realized_pnl);
        tl_jw_key(w, "symbol");
        tl_jw_str(w, p->symbol);
        tl_jw_obj_end(w);
    }
    tl_jw_arr_end(w);
}

void tl_paper_state_json(const tl_paper_state *st, tl_paper_view view, tl_jw *w)
{
    bool recon = view == TL_PAPER_VIEW_RECONCILE;
    tl_jw_obj_begin(w);
    if (view != TL_PAPER_VIEW_POSITIONS) {
        fixed_kv(w, "cash", st->cash);
        if (recon) {
            tl_jw_key(w, "duplicates_skipped");
            tl_jw_uint(w, st->duplicates_skipped);
            tl_jw_key(w, "events");
            tl_jw_uint(w, st->high_water);
        }
        fixed_kv(w, "fees", st->fees);
        if (recon) {
            tl_jw_key(w, "fills_replayed");
            tl_jw_uint(w, st->fills_replayed);
        }
    }
    positions_json(st, w);
    if (view != TL_PAPER_VIEW_POSITIONS) {
        fixed_kv(w, "realized_pnl", st->realized_pnl);
        if (recon) {
            tl_jw_key(w, "resets");
            tl_jw_uint(w, st->resets);
            tl_jw_key(w, "snapshot_digest");
            tl_jw_str(w, st->snapshot_digest);
            tl_jw_key(w, "snapshot_match");
            tl_jw_bool(w, st->snapshot_match);
        }
        fixed_kv(w, "starting_equity", st->starting_equity);
        tl_jw_key(w, "state_digest");
        tl_jw_str(w, st->state_digest);
    }
    tl_jw_key(w, "workspace");
    tl_jw_str(w, st->workspace);
    tl_jw_obj_end(w);
}
