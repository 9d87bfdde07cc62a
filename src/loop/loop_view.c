/* loop_view.c -- the dashboard's view of a running loop (see loop.h, tl_loop_view): a copy of
 * values only, taken between two inputs, so it can be drawn or written as the status document
 * while the loop goes on.
 *
 * Marks. A position's `last` is the price it would exit at now: the bid of the latest quote for a
 * long, the ask for a short (the side its stop watches and a market exit fills at), so its
 * unrealized P&L is what closing it now would realize before fees, and equity is cash plus every
 * position at that price. Before any quote of its symbol a position is marked at its cost (last 0,
 * unrealized 0). Drawdown now and max are the governor's (equity marked at fills): the numbers
 * the DRAWDOWN rule judges and the report prints, not a second measure that would disagree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop/loop.h"

_Static_assert(TL_LOOP_RECENT <= TL_DASH_MAX_REFUSALS, "the view holds every recent refusal");

/* Bytes of the UTF-8 character that starts with b; 0 for a byte no character starts with. */
static size_t utf8_len(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if ((b & 0xE0) == 0xC0)
        return 2;
    if ((b & 0xF0) == 0xE0)
        return 3;
    return (b & 0xF8) == 0xF0 ? 4 : 0;
}

/* Copies s into dst as printable UTF-8 within cap: control bytes and bytes that are not part of a
 * whole UTF-8 character become '?', and a character that does not fit is left out whole (the
 * status document must stay valid UTF-8 for its reader). */
static void copy_text(char *dst, size_t cap, const char *s)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < cap;) {
        size_t n = utf8_len(*p);
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                n = 0;
        /* Overlong forms and surrogates are invalid UTF-8 too: jansson refuses them. */
        if ((n == 2 && *p < 0xC2) || (n == 3 && *p == 0xE0 && p[1] < 0xA0) ||
            (n == 3 && *p == 0xED && p[1] >= 0xA0) || (n == 4 && *p == 0xF0 && p[1] < 0x90) ||
            (n == 4 && (*p > 0xF4 || (*p == 0xF4 && p[1] >= 0x90))))
            n = 0;
        if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
            dst[o++] = '?';
            p++;
            continue;
        }
        if (o + n >= cap)
            break;
        memcpy(dst + o, p, n);
        o += n;
        p += n;
    }
    dst[o] = '\0';
}

/* A name the view can show: a refusal may name an account or symbol that does not exist (that is
 * why it was refused); those show as "" and the refusal's text still says what was named. */
static void copy_id(char *dst, size_t cap, const char *s, bool symbol)
{
    tl_err e = {0};
    bool ok = strlen(s) < cap && (s[0] == '\0' || (symbol ? tl_symbol_validate(s, &e) == 0
                                                          : tl_workspace_validate(s, &e) == 0));
    snprintf(dst, cap, "%s", ok ? s : "");
}

/* The position's value and unrealized P&L at the price it would exit at now. */
static int mark(const tl_engine *e, const tl_position *p, tl_fixed *last, tl_fixed *value,
                tl_fixed *unreal)
{
    bool is_long = p->qty > 0;
    const tl_risk_quote *q =
        p->instrument < e->risk.ref_count ? &e->risk.quotes[p->instrument] : NULL;
    *last = q && q->ts_ns != 0 ? (is_long ? q->bid : q->ask) : 0;
    if (*last == 0) {
        *value = is_long ? p->cost_basis : -p->cost_basis;
        *unreal = 0;
        return 0;
    }
    if (tl_fixed_mul(p->qty, *last, value) != 0 ||
        tl_fixed_sub(*value, is_long ? p->cost_basis : -p->cost_basis, unreal) != 0)
        return TL_ERANGE;
    return 0;
}

/* (peak - equity) / peak * 100, as the governor computes its maximum; 0..100. */
static tl_fixed drawdown_now(const tl_governor *g)
{
    if (g->equity_peak <= 0 || g->equity >= g->equity_peak)
        return 0;
    __int128 dd = ((__int128)g->equity_peak - g->equity) * 100 * TL_FIXED_SCALE / g->equity_peak;
    return dd > TL_FIXED_INT(100) ? TL_FIXED_INT(100) : (tl_fixed)dd;
}

static void fill_account(const tl_loop *l, uint32_t i, int64_t now, tl_dash_account *d)
{
    const tl_engine_account *a = &l->engine.accts[i];
    const tl_governor *g = &a->gov;
    const tl_account *b = tl_book_find_account(&l->engine.book, a->id);
    snprintf(d->name, sizeof(d->name), "%s", a->name);
    d->balance = b ? b->cash : 0;
    d->equity = d->balance; /* positions are added by the caller */
    d->realized_pnl = b ? b->realized_pnl - b->fees : 0;
    d->wins = g->wins;
    d->losses = g->losses;
    d->trades = g->trades;
    d->drawdown_pct = drawdown_now(g);
    d->max_drawdown_pct = g->max_drawdown_pct;
    if (d->max_drawdown_pct > TL_FIXED_INT(100))
        d->max_drawdown_pct = TL_FIXED_INT(100);
    if (d->max_drawdown_pct < d->drawdown_pct)
        d->max_drawdown_pct = d->drawdown_pct;
    d->in_cooldown = now < g->cooldown_until_ns;
    d->cooldown_left_ns = d->in_cooldown ? g->cooldown_until_ns - now : 0;
    d->frozen = g->frozen;
}

/* Positions: the first TL_DASH_MAX_POSITIONS into the panel, every one into its account's equity
 * and unrealized P&L. */
static int fill_positions(const tl_loop *l, tl_dash_view *v, tl_err *err)
{
    const tl_engine *e = &l->engine;
    const tl_book *bk = &e->book;
    for (uint32_t i = 0; i < bk->pos_count; i++) {
        const tl_position *p = &bk->positions[i];
        uint32_t slot = p->account - e->cfg.account;
        if (p->qty == 0 || slot >= e->n_accts)
            continue;
        tl_fixed last, value, unreal;
        const char *sym = e->instruments.items[p->instrument].symbol;
        if (mark(e, p, &last, &value, &unreal) != 0)
            return tl_err_set(err, TL_ERANGE, "view: %s %s: value out of range",
                              e->accts[slot].name, sym);
        if (slot < v->n_accounts) {
            tl_dash_account *a = &v->accounts[slot];
            if (tl_fixed_add(a->equity, value, &a->equity) != 0 ||
                tl_fixed_add(a->unrealized_pnl, unreal, &a->unrealized_pnl) != 0)
                return tl_err_set(err, TL_ERANGE, "view: %s: equity out of range", a->name);
        }
        v->positions_total++;
        if (v->n_positions == TL_DASH_MAX_POSITIONS)
            continue;
        tl_dash_position *d = &v->positions[v->n_positions++];
        tl_stop s;
        snprintf(d->account, sizeof(d->account), "%s", e->accts[slot].name);
        snprintf(d->symbol, sizeof(d->symbol), "%s", sym);
        d->qty = p->qty;
        d->entry = p->avg_price;
        d->last = last;
        d->unrealized_pnl = unreal;
        d->stop = tl_stop_book_get(&l->stops, p->account, p->instrument, &s) == 0 ? s.price : 0;
    }
    return 0;
}

static void fill_footer(const tl_loop *l, tl_dash_view *v)
{
    const tl_engine *e = &l->engine;
    v->kill.engaged = e->risk.killed;
    copy_text(v->kill.reason, sizeof(v->kill.reason), e->risk.killed ? e->risk.kill_reason : "");
    v->recon.runs = l->stats.reconcile_runs;
    if (v->recon.runs != 0) {
        v->recon.ts_ns = l->last_reconcile_ns > 0 ? l->last_reconcile_ns : 0;
        copy_text(v->recon.result, sizeof(v->recon.result), l->last_reconcile);
    }
    /* The thresholds of the first account: the command's flags unless the accounts file
     * overrides them for it. */
    const tl_risk_config *c = &e->accts[0].risk;
    v->filters.max_spread_bps = c->max_spread_bps;
    v->filters.max_quote_age_ms = (uint64_t)(c->max_quote_age_ns / TL_NS_PER_MS);
    v->filters.max_slippage_bps = c->max_slippage_bps;
    if (!c->window_on || tl_window_format(&c->window, v->filters.trading_window,
                                          sizeof(v->filters.trading_window)) < 0)
        snprintf(v->filters.trading_window, sizeof(v->filters.trading_window), "00:00-24:00");
    copy_text(v->filters.timezone, sizeof(v->filters.timezone),
              c->tz && c->tz->name[0] ? c->tz->name : "UTC");
    v->max_open_positions = e->risk.cfg.max_open_positions;
    v->open_positions = e->busy_accounts;
}

int tl_loop_view(const tl_loop *l, tl_dash_mode mode, const char *db, tl_dash_view *out,
                 tl_err *err)
{
    const tl_engine *e = &l->engine;
    int64_t now = tl_clock_now(l->clock);
    /* Built aside (~70 KB, not on the stack) so that a failure leaves *out as it was. */
    tl_dash_view *v = calloc(1, sizeof(*v));
    int rc;
    if (!v)
        return tl_err_set(err, TL_ENOMEM, "view: out of memory");
    v->now_ns = now > 0 ? now : 0;
    v->mode = mode;
    copy_text(v->db, sizeof(v->db), db ? db : "");
    v->signals.received = l->stats.signals_received;
    v->signals.accepted = l->stats.signals_accepted;
    v->signals.refused = l->stats.signals_refused;

    v->accounts_total = e->n_accts;
    v->n_accounts = e->n_accts < TL_DASH_MAX_ACCOUNTS ? e->n_accts : TL_DASH_MAX_ACCOUNTS;
    for (uint32_t i = 0; i < v->n_accounts; i++)
        fill_account(l, i, now, &v->accounts[i]);
    if ((rc = fill_positions(l, v, err)) != 0)
        goto out;

    /* Most recent first: the ring's newest is just before recent_next. */
    for (uint32_t k = 0; k < l->recent_n; k++) {
        const tl_loop_refusal_rec *r =
            &l->recent[(l->recent_next + TL_LOOP_RECENT - 1 - k) % TL_LOOP_RECENT];
        tl_dash_refusal *d = &v->refusals[v->n_refusals++];
        d->ts_ns = r->ts_ns > 0 ? r->ts_ns : 0;
        copy_id(d->account, sizeof(d->account), r->account, false);
        copy_id(d->symbol, sizeof(d->symbol), r->symbol, true);
        snprintf(d->reason, sizeof(d->reason), "%s", tl_loop_refusal_name(r->code));
        copy_text(d->text, sizeof(d->text), r->text);
    }
    fill_footer(l, v);
    /* Every field comes from checked state: a view that fails the check is a bug here, said
     * rather than shown or written. */
    if ((rc = tl_dash_view_check(v, err)) == 0)
        memcpy(out, v, sizeof(*v));
out:
    free(v);
    return rc;
}
