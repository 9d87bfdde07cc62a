/*
 * lp.c -- the one caller through tl_lp_ops tables (lp.h).
 *
 * Requests are checked before a backend sees them and answers after: an LP is outside the desk,
 * and a price the desk cannot trust must never become the locked quote. A bad answer is turned
 * into a refusal with a reason rather than an error, so the desk handles it like any refusal and
 * the scorecard counts it against the LP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp/lp.h"
#include "tradeloop/order.h"

/* Longest slice of a URL quoted back in an error. */
#define QUOTE_MAX 64

static const tl_lp_ops *const builtin_lps[] = {
    &tl_lp_sim_ops,
    NULL,
};

int tl_lp_ops_check(const tl_lp_ops *ops, tl_err *err)
{
    if (ops == NULL)
        return tl_err_set(err, TL_EINVAL, "LP backend table is NULL");
    if (ops->version != TL_LP_OPS_VERSION)
        return tl_err_set(err, TL_EINVAL, "LP backend '%s': ops version %d, expected %d",
                          ops->scheme ? ops->scheme : "?", ops->version, TL_LP_OPS_VERSION);
    if (ops->scheme == NULL || ops->scheme[0] == '\0')
        return tl_err_set(err, TL_EINVAL, "LP backend has no scheme");
    if (ops->state_size == 0)
        return tl_err_set(err, TL_EINVAL, "LP backend '%s': state_size is 0", ops->scheme);
    const char *missing = ops->open == NULL            ? "open"
                          : ops->close == NULL         ? "close"
                          : ops->request_quote == NULL ? "request_quote"
                          : ops->execute_trade == NULL ? "execute_trade"
                                                       : NULL;
    if (missing != NULL)
        return tl_err_set(err, TL_EINVAL, "LP backend '%s': mandatory slot '%s' is NULL",
                          ops->scheme, missing);
    return 0;
}

/* The table whose scheme url starts with, followed by "://" (schemes compare case-insensitively,
 * RFC 3986 3.1). */
static const tl_lp_ops *find_in(const tl_lp_ops *const *list, const char *url)
{
    for (; list != NULL && *list != NULL; list++) {
        const char *s = (*list)->scheme;
        size_t n = s != NULL ? strlen(s) : 0;
        if (n > 0 && strncasecmp(url, s, n) == 0 && strncmp(url + n, "://", 3) == 0)
            return *list;
    }
    return NULL;
}

/* 1..cap-1 bytes of printable ASCII, NUL-terminated within cap. */
static bool text_ok(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == 0 || n == cap)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return false;
    return true;
}

/* A name as people see it: [A-Za-z0-9._-], 1..TL_LP_NAME_MAX-1 bytes. */
static bool name_ok(const char *s)
{
    if (s == NULL || !text_ok(s, TL_LP_NAME_MAX))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

int tl_lp_open(tl_lp *lp, const char *url, const tl_clock *clock, const tl_lp_ops *const *extra,
               tl_err *err)
{
    if (lp == NULL || url == NULL || clock == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_lp_open: NULL LP, URL or clock");
    if (strstr(url, "://") == NULL)
        return tl_err_set(err, TL_EINVAL, "malformed LP URL '%.*s': expected scheme://...",
                          QUOTE_MAX, url);
    /* Built-ins first, so an added table can never shadow "lpsim" by accident. */
    const tl_lp_ops *ops = find_in(builtin_lps, url);
    if (ops == NULL)
        ops = find_in(extra, url);
    if (ops == NULL)
        return tl_err_set(err, TL_ENOTSUP, "unknown LP scheme in URL '%.*s'", QUOTE_MAX, url);
    int rc = tl_lp_ops_check(ops, err);
    if (rc < 0)
        return rc;
    void *state = calloc(1, ops->state_size);
    if (state == NULL)
        return tl_err_set(err, TL_ENOMEM, "LP '%s': cannot allocate %zu bytes of state",
                          ops->scheme, ops->state_size);
    rc = ops->open(state, url, clock, err);
    if (rc < 0) {
        free(state); /* the backend released what it took before failing */
        return rc;
    }
    /* The name goes into every message and scorecard row: a backend's bad one is refused here
     * rather than printed. */
    const char *name = ops->name_of != NULL ? ops->name_of(state) : ops->scheme;
    if (!name_ok(name)) {
        ops->close(state);
        free(state);
        return tl_err_set(err, TL_EINVAL, "LP backend '%s': name is not 1..%d of [A-Za-z0-9._-]",
                          ops->scheme, TL_LP_NAME_MAX - 1);
    }
    memset(lp, 0, sizeof *lp);
    lp->ops = ops;
    lp->state = state;
    lp->clock = clock;
    strcpy(lp->name, name); /* checked: shorter than TL_LP_NAME_MAX */
    return 0;
}

void tl_lp_close(tl_lp *lp)
{
    if (lp == NULL || lp->ops == NULL)
        return;
    lp->ops->close(lp->state);
    free(lp->state);
    memset(lp, 0, sizeof *lp);
}

static int check_open(const tl_lp *lp, const char *what, tl_err *err)
{
    if (lp == NULL)
        return tl_err_set(err, TL_EINVAL, "%s: NULL LP", what);
    if (lp->ops == NULL)
        return tl_err_set(err, TL_ECLOSED, "%s: LP is closed", what);
    return 0;
}

static int check_request(const tl_lp *lp, const tl_lp_request *r, tl_err *err)
{
    char base[TL_ASSET_MAX], quote[TL_ASSET_MAX];
    tl_err inner;
    if (r == NULL)
        return tl_err_set(err, TL_EINVAL, "LP %s: quote: NULL request", lp->name);
    if (r->request_id == 0)
        return tl_err_set(err, TL_EINVAL, "LP %s: quote: request_id 0", lp->name);
    if (strnlen(r->symbol, TL_SYMBOL_MAX) == TL_SYMBOL_MAX)
        return tl_err_set(err, TL_EINVAL, "LP %s: request %llu: symbol unterminated", lp->name,
                          (unsigned long long)r->request_id);
    if (tl_pair_parse(r->symbol, base, quote, &inner) < 0)
        return tl_err_set(err, TL_EINVAL, "LP %s: request %llu: %s", lp->name,
                          (unsigned long long)r->request_id, inner.msg);
    if (r->side != TL_SIDE_BUY && r->side != TL_SIDE_SELL)
        return tl_err_set(err, TL_EINVAL, "LP %s: request %llu: bad side %u", lp->name,
                          (unsigned long long)r->request_id, r->side);
    if (r->amount_asset != TL_LP_ASSET_BASE && r->amount_asset != TL_LP_ASSET_QUOTE)
        return tl_err_set(err, TL_EINVAL, "LP %s: request %llu: bad amount asset %u", lp->name,
                          (unsigned long long)r->request_id, r->amount_asset);
    if (r->amount <= 0)
        return tl_err_set(err, TL_EINVAL, "LP %s: request %llu: amount must be > 0", lp->name,
                          (unsigned long long)r->request_id);
    return 0;
}

/* Why a quote answer breaks the contract, or NULL when it keeps it. */
static const char *quote_flaw(const tl_lp_quote *q, int64_t now)
{
    if (q->respond_ns < now)
        return "answered before it was asked";
    if (q->status == TL_LP_QUOTE_REFUSED)
        return text_ok(q->reason, TL_LP_REASON_MAX) ? NULL : "refusal without a readable reason";
    if (q->status != TL_LP_QUOTED)
        return "unknown status";
    if (q->bid <= 0 || q->ask < q->bid)
        return "need 0 < bid <= ask";
    if (q->price <= 0)
        return "price must be > 0";
    if (!text_ok(q->quote_id, TL_LP_QUOTE_ID_MAX))
        return "quote id is not printable text";
    if (q->valid_until_ns < q->respond_ns)
        return "expired on arrival";
    return NULL;
}

/* A refusal answer at respond_ns, the reason cut to fit. */
static void refuse_quote(tl_lp_quote *q, int64_t respond_ns, const char *fmt, const char *what)
{
    memset(q, 0, sizeof *q);
    q->status = TL_LP_QUOTE_REFUSED;
    q->respond_ns = respond_ns;
    snprintf(q->reason, sizeof q->reason, fmt, what);
}

int tl_lp_request_quote(tl_lp *lp, const tl_lp_request *req, tl_lp_quote *out, tl_err *err)
{
    int rc = check_open(lp, "tl_lp_request_quote", err);
    if (rc == 0 && out == NULL)
        rc = tl_err_set(err, TL_EINVAL, "LP %s: quote: NULL output", lp->name);
    if (rc == 0)
        rc = check_request(lp, req, err);
    if (rc < 0)
        return rc;
    uint64_t call = ++lp->stats.quote_requests;
    int64_t now = tl_clock_now(lp->clock);
    tl_lp_quote q;
    memset(&q, 0, sizeof q);
    if (lp->faults.never_answer_from != 0 && call >= lp->faults.never_answer_from) {
        refuse_quote(&q, TL_LP_NEVER, "%s", "no answer");
        lp->stats.silent++;
        lp->stats.quote_refusals++;
        *out = q;
        return 0;
    }
    if (lp->faults.refuse_quote_at == call) {
        refuse_quote(&q, now, "%s", "refused (injected)");
    } else {
        rc = lp->ops->request_quote(lp->state, req, &q, err);
        if (rc < 0) {
            lp->stats.errors++;
            return rc;
        }
        const char *flaw = quote_flaw(&q, now);
        if (flaw != NULL) {
            lp->stats.bad_answers++;
            refuse_quote(&q, q.respond_ns >= now ? q.respond_ns : now, "bad answer: %s", flaw);
        }
    }
    if (q.status == TL_LP_QUOTED)
        lp->stats.quotes++;
    else
        lp->stats.quote_refusals++;
    *out = q;
    return 0;
}

static int check_exec_request(const tl_lp *lp, const tl_lp_exec_request *r, tl_err *err)
{
    if (r == NULL)
        return tl_err_set(err, TL_EINVAL, "LP %s: execute: NULL request", lp->name);
    if (!text_ok(r->quote_id, TL_LP_QUOTE_ID_MAX))
        return tl_err_set(err, TL_EINVAL,
                          "LP %s: execute: quote id empty, unterminated or not "
                          "printable",
                          lp->name);
    if (r->side != TL_SIDE_BUY && r->side != TL_SIDE_SELL)
        return tl_err_set(err, TL_EINVAL, "LP %s: execute %s: bad side %u", lp->name, r->quote_id,
                          r->side);
    if (r->amount_asset != TL_LP_ASSET_BASE && r->amount_asset != TL_LP_ASSET_QUOTE)
        return tl_err_set(err, TL_EINVAL, "LP %s: execute %s: bad amount asset %u", lp->name,
                          r->quote_id, r->amount_asset);
    if (r->amount <= 0 || r->price <= 0)
        return tl_err_set(err, TL_EINVAL, "LP %s: execute %s: amount and price must be > 0",
                          lp->name, r->quote_id);
    return 0;
}

static const char *exec_flaw(const tl_lp_exec *x, const tl_lp_exec_request *r, int64_t now)
{
    if (x->respond_ns < now)
        return "answered before it was asked";
    if (x->status == TL_LP_EXEC_REFUSED)
        return text_ok(x->reason, TL_LP_REASON_MAX) ? NULL : "refusal without a readable reason";
    if (x->status != TL_LP_FILLED)
        return "unknown status";
    if (x->qty <= 0 || x->avg_price <= 0)
        return "quantity and price must be > 0";
    /* An amount in base is the quantity asked for: a fill of another size is not this trade. */
    if (r->amount_asset == TL_LP_ASSET_BASE && x->qty != r->amount)
        return "filled another quantity";
    return NULL;
}

static void refuse_exec(tl_lp_exec *x, int64_t respond_ns, const char *fmt, const char *what)
{
    memset(x, 0, sizeof *x);
    x->status = TL_LP_EXEC_REFUSED;
    x->respond_ns = respond_ns;
    snprintf(x->reason, sizeof x->reason, fmt, what);
}

int tl_lp_execute_trade(tl_lp *lp, const tl_lp_exec_request *req, tl_lp_exec *out, tl_err *err)
{
    int rc = check_open(lp, "tl_lp_execute_trade", err);
    if (rc == 0 && out == NULL)
        rc = tl_err_set(err, TL_EINVAL, "LP %s: execute: NULL output", lp->name);
    if (rc == 0)
        rc = check_exec_request(lp, req, err);
    if (rc < 0)
        return rc;
    uint64_t call = ++lp->stats.exec_requests;
    int64_t now = tl_clock_now(lp->clock);
    tl_lp_exec x;
    memset(&x, 0, sizeof x);
    if (lp->faults.refuse_exec_at == call) {
        refuse_exec(&x, now, "%s", "refused (injected)");
    } else {
        rc = lp->ops->execute_trade(lp->state, req, &x, err);
        if (rc < 0) {
            lp->stats.errors++;
            return rc;
        }
        const char *flaw = exec_flaw(&x, req, now);
        if (flaw != NULL) {
            lp->stats.bad_answers++;
            refuse_exec(&x, x.respond_ns >= now ? x.respond_ns : now, "bad answer: %s", flaw);
        }
    }
    if (x.status == TL_LP_FILLED)
        lp->stats.fills++;
    else
        lp->stats.exec_refusals++;
    *out = x;
    return 0;
}
