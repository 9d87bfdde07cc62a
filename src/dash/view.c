/* view.c -- see view.h: what a valid view is, and the small formats the screen shares. */
#include "dash/view.h"

#include <stdio.h>
#include <string.h>

const char *tl_dash_mode_name(tl_dash_mode m)
{
    switch (m) {
    case TL_DASH_REPLAY:
        return "replay";
    case TL_DASH_LIVE:
        return "live";
    }
    return NULL;
}

int tl_dash_mode_parse(const char *name, tl_dash_mode *out)
{
    if (strcmp(name, "replay") == 0)
        *out = TL_DASH_REPLAY;
    else if (strcmp(name, "live") == 0)
        *out = TL_DASH_LIVE;
    else
        return TL_EINVAL;
    return 0;
}

/* NUL-terminated within cap, and every byte printable: no control character reaches the
 * terminal (an escape sequence in a reason would repaint the operator's screen). Bytes >= 0x80
 * are allowed; the decoder has already checked they are UTF-8. */
static int check_text(const char *s, size_t cap, bool nonempty, const char *path, tl_err *err)
{
    size_t n = strnlen(s, cap);
    if (n == cap)
        return tl_err_set(err, TL_EINVAL, "%s: longer than %zu bytes", path, cap - 1);
    if (nonempty && n == 0)
        return tl_err_set(err, TL_EINVAL, "%s: empty", path);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return tl_err_set(err, TL_EINVAL, "%s: control character 0x%02x at byte %zu", path, c,
                              i);
    }
    return 0;
}

/* A name that is empty (when allowed) or passes the project's own check. */
static int check_id(const char *s, size_t cap, bool allow_empty, bool symbol, const char *path,
                    tl_err *err)
{
    tl_err e = {0};
    if (strnlen(s, cap) == cap)
        return tl_err_set(err, TL_EINVAL, "%s: longer than %zu bytes", path, cap - 1);
    if (allow_empty && s[0] == '\0')
        return 0;
    if ((symbol ? tl_symbol_validate(s, &e) : tl_workspace_validate(s, &e)) != 0)
        return tl_err_set(err, TL_EINVAL, "%s: %s", path, e.msg);
    return 0;
}

static int check_reason(const char *s, const char *path, tl_err *err)
{
    size_t n = strnlen(s, TL_DASH_REASON_MAX);
    if (n == 0 || n == TL_DASH_REASON_MAX)
        return tl_err_set(err, TL_EINVAL, "%s: want 1-%d of [A-Z0-9_]", path,
                          TL_DASH_REASON_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return tl_err_set(err, TL_EINVAL, "%s: want 1-%d of [A-Z0-9_]", path,
                              TL_DASH_REASON_MAX - 1);
    return 0;
}

static int check_pct(tl_fixed v, tl_fixed lo, const char *path, tl_err *err)
{
    if (v < lo || v > TL_FIXED_INT(100))
        return tl_err_set(err, TL_EINVAL, "%s: out of range (a percentage, at least the %s)", path,
                          lo ? "current drawdown" : "0");
    return 0;
}

/* "HH:MM-HH:MM", hours 00-23 (24:00 as an end), minutes 00-59. */
static int check_window(const char *s, const char *path, tl_err *err)
{
    int h1, m1, h2, m2, used = 0;
    if (strnlen(s, TL_DASH_WINDOW_MAX) != 11 ||
        sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &used) != 4 || used != 11 ||
        s[0] < '0' || s[0] > '9' || s[6] < '0' || s[6] > '9' || h1 > 23 || m1 > 59 || h2 > 24 ||
        m2 > 59 || (h2 == 24 && m2 != 0) || h1 < 0 || m1 < 0 || h2 < 0 || m2 < 0)
        return tl_err_set(err, TL_EINVAL, "%s: want HH:MM-HH:MM", path);
    return 0;
}

/* Counts travel as JSON integers, which the decoder (jansson) reads as int64. */
static int check_count(uint64_t v, const char *path, tl_err *err)
{
    if (v > (uint64_t)INT64_MAX)
        return tl_err_set(err, TL_EINVAL, "%s: above %lld", path, (long long)INT64_MAX);
    return 0;
}

static int check_account(const tl_dash_account *a, uint32_t i, tl_err *err)
{
    char p[64];
#define AT(field) (snprintf(p, sizeof p, "accounts[%u]." field, i), p)
    int rc;
    if ((rc = check_id(a->name, sizeof a->name, false, false, AT("name"), err)) != 0)
        return rc;
    if ((rc = check_count(a->trades, AT("trades"), err)) != 0)
        return rc;
    if (a->wins > a->trades || a->losses > a->trades - a->wins)
        return tl_err_set(err, TL_EINVAL, "%s: wins + losses exceed trades", AT("trades"));
    if ((rc = check_pct(a->drawdown_pct, 0, AT("drawdown_pct"), err)) != 0 ||
        (rc = check_pct(a->max_drawdown_pct, a->drawdown_pct, AT("max_drawdown_pct"), err)) != 0)
        return rc;
    if (a->cooldown_left_ns < 0 || (!a->in_cooldown && a->cooldown_left_ns != 0))
        return tl_err_set(err, TL_EINVAL, "%s: negative, or set outside a cooldown",
                          AT("cooldown_left_ns"));
#undef AT
    return 0;
}

static int check_position(const tl_dash_position *q, uint32_t i, tl_err *err)
{
    char p[64];
#define AT(field) (snprintf(p, sizeof p, "positions[%u]." field, i), p)
    int rc;
    if ((rc = check_id(q->account, sizeof q->account, false, false, AT("account"), err)) != 0 ||
        (rc = check_id(q->symbol, sizeof q->symbol, false, true, AT("symbol"), err)) != 0)
        return rc;
    if (q->qty == 0)
        return tl_err_set(err, TL_EINVAL, "%s: zero (a flat position is not shown)", AT("qty"));
    if (q->entry <= 0)
        return tl_err_set(err, TL_EINVAL, "%s: must be positive", AT("entry"));
    if (q->last < 0)
        return tl_err_set(err, TL_EINVAL, "%s: negative", AT("last"));
    if (q->stop < 0)
        return tl_err_set(err, TL_EINVAL, "%s: negative", AT("stop"));
#undef AT
    return 0;
}

static int check_refusal(const tl_dash_refusal *r, uint32_t i, tl_err *err)
{
    char p[64];
#define AT(field) (snprintf(p, sizeof p, "refusals[%u]." field, i), p)
    int rc;
    if (r->ts_ns < 0)
        return tl_err_set(err, TL_EINVAL, "%s: negative", AT("ts_ns"));
    if ((rc = check_id(r->account, sizeof r->account, true, false, AT("account"), err)) != 0 ||
        (rc = check_id(r->symbol, sizeof r->symbol, true, true, AT("symbol"), err)) != 0 ||
        (rc = check_reason(r->reason, AT("reason"), err)) != 0 ||
        (rc = check_text(r->text, sizeof r->text, false, AT("text"), err)) != 0)
        return rc;
#undef AT
    return 0;
}

int tl_dash_view_check(const tl_dash_view *v, tl_err *err)
{
    int rc;
    if (v->now_ns < 0)
        return tl_err_set(err, TL_EINVAL, "now_ns: negative");
    if (!tl_dash_mode_name(v->mode))
        return tl_err_set(err, TL_EINVAL, "mode: want replay or live");
    if ((rc = check_text(v->db, sizeof v->db, false, "db", err)) != 0)
        return rc;
    if ((rc = check_count(v->signals.received, "signals.received", err)) != 0 ||
        (rc = check_count(v->accounts_total, "accounts_total", err)) != 0 ||
        (rc = check_count(v->positions_total, "positions_total", err)) != 0 ||
        (rc = check_count(v->recon.runs, "reconciliation.runs", err)) != 0 ||
        (rc = check_count(v->filters.max_quote_age_ms, "filters.max_quote_age_ms", err)) != 0 ||
        (rc = check_count(v->max_open_positions, "max_open_positions", err)) != 0 ||
        (rc = check_count(v->open_positions, "open_positions", err)) != 0)
        return rc;
    if (v->signals.accepted > v->signals.received ||
        v->signals.refused > v->signals.received - v->signals.accepted)
        return tl_err_set(err, TL_EINVAL, "signals: accepted + refused exceed received");
    if (v->n_accounts > TL_DASH_MAX_ACCOUNTS || v->accounts_total < v->n_accounts)
        return tl_err_set(err, TL_EINVAL,
                          "accounts: more than %d rows, or more than "
                          "accounts_total",
                          TL_DASH_MAX_ACCOUNTS);
    for (uint32_t i = 0; i < v->n_accounts; i++)
        if ((rc = check_account(&v->accounts[i], i, err)) != 0)
            return rc;
    if (v->n_positions > TL_DASH_MAX_POSITIONS || v->positions_total < v->n_positions)
        return tl_err_set(err, TL_EINVAL,
                          "positions: more than %d rows, or more than "
                          "positions_total",
                          TL_DASH_MAX_POSITIONS);
    for (uint32_t i = 0; i < v->n_positions; i++)
        if ((rc = check_position(&v->positions[i], i, err)) != 0)
            return rc;
    if (v->n_refusals > TL_DASH_MAX_REFUSALS)
        return tl_err_set(err, TL_EINVAL, "refusals: more than %d rows", TL_DASH_MAX_REFUSALS);
    for (uint32_t i = 0; i < v->n_refusals; i++)
        if ((rc = check_refusal(&v->refusals[i], i, err)) != 0)
            return rc;
    if ((rc = check_text(v->kill.reason, sizeof v->kill.reason, false, "kill_switch.reason",
                         err)) != 0)
        return rc;
    if (v->recon.ts_ns < 0)
        return tl_err_set(err, TL_EINVAL, "reconciliation.ts_ns: negative");
    if ((rc = check_text(v->recon.result, sizeof v->recon.result, false, "reconciliation.result",
                         err)) != 0)
        return rc;
    if (v->filters.max_spread_bps < 0)
        return tl_err_set(err, TL_EINVAL, "filters.max_spread_bps: negative");
    if (v->filters.max_slippage_bps < 0)
        return tl_err_set(err, TL_EINVAL, "filters.max_slippage_bps: negative");
    if ((rc = check_window(v->filters.trading_window, "filters.trading_window", err)) != 0 ||
        (rc = check_text(v->filters.timezone, sizeof v->filters.timezone, true, "filters.timezone",
                         err)) != 0)
        return rc;
    return 0;
}

int tl_dash_format_duration(int64_t ns, char *buf, size_t cap)
{
    /* Rounded up: a cooldown with 0.4 s left is not over, so it never shows "0s". */
    int64_t s = ns <= 0 ? 0 : ns / 1000000000 + (ns % 1000000000 != 0);
    int n;
    if (s < 60)
        n = snprintf(buf, cap, "%llds", (long long)s);
    else if (s < 3600)
        n = snprintf(buf, cap, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else if (s < 86400)
        n = snprintf(buf, cap, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        n = snprintf(buf, cap, "%lldd%02lldh", (long long)(s / 86400),
                     (long long)(s % 86400 / 3600));
    if (n < 0 || (size_t)n >= cap) {
        if (cap)
            buf[0] = '\0';
        return TL_ERANGE;
    }
    return n;
}
