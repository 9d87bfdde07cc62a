/* broker.c -- the paper broker: see broker.h. */
#include "paper/broker.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/digest.h"
#include "journal/replay.h"
#include "tradeloop/instrument.h"

/* An intent's batch: an optional reset, then at most six events. */
#define BATCH_MAX 7

const char *tl_paper_status_name(tl_paper_status st)
{
    switch (st) {
    case TL_PAPER_FILLED:
        return "FILLED";
    case TL_PAPER_DENIED:
        return "DENIED";
    case TL_PAPER_REFUSED:
        return "REFUSED";
    }
    return "?";
}

/* ---------------------------------------------------------------------------------------- */
/* Validation, keys and order ids */

static int id_char_ok(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
}

int tl_paper_intent_id_validate(const char *id, tl_err *err)
{
    if (id == NULL || id[0] == '\0')
        return tl_err_set(err, TL_EINVAL,
                          "intent_id: missing (1 to %d characters of "
                          "[A-Za-z0-9._:-])",
                          TL_PAPER_INTENT_ID_MAX - 1);
    size_t len = strnlen(id, TL_PAPER_INTENT_ID_MAX);
    if (len >= TL_PAPER_INTENT_ID_MAX)
        return tl_err_set(err, TL_EINVAL, "intent_id: longer than %d characters",
                          TL_PAPER_INTENT_ID_MAX - 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (id_char_ok(c))
            continue;
        if (c > 0x20 && c < 0x7f)
            return tl_err_set(err, TL_EINVAL,
                              "intent_id: invalid character '%c' at position %zu "
                              "(allowed: [A-Za-z0-9._:-])",
                              (char)c, i + 1);
        return tl_err_set(err, TL_EINVAL,
                          "intent_id: invalid character 0x%02x at position %zu "
                          "(allowed: [A-Za-z0-9._:-])",
                          c, i + 1);
    }
    return 0;
}

int tl_paper_intent_validate(const tl_paper_intent *in, tl_paper_action *action, tl_err *err)
{
    tl_err e = {0};
    tl_paper_action a;

    if (in == NULL)
        return tl_err_set(err, TL_EINVAL, "paper intent: NULL");
    if (tl_workspace_validate(in->workspace, &e) != 0)
        return tl_err_set(err, TL_EINVAL, "%s", e.msg);
    if (tl_paper_intent_id_validate(in->intent_id, err) != 0)
        return TL_EINVAL;
    if (in->action != NULL && strcmp(in->action, "OPEN_LONG") == 0)
        a = TL_PAPER_OPEN_LONG;
    else if (in->action != NULL && strcmp(in->action, "CLOSE_LONG") == 0)
        a = TL_PAPER_CLOSE_LONG;
    else
        return tl_err_set(err, TL_EINVAL,
                          "action: '%.32s' is not supported (want OPEN_LONG or CLOSE_LONG)",
                          in->action ? in->action : "");
    if (in->symbol == NULL || tl_symbol_validate(in->symbol, NULL) != 0)
        return tl_err_set(err, TL_EINVAL, "symbol: '%.20s' must be 1..15 of [A-Z0-9]",
                          in->symbol ? in->symbol : "");
    if (in->qty <= 0)
        return tl_err_set(err, TL_EINVAL, "qty: must be > 0");
    if (in->fill_price <= 0)
        return tl_err_set(err, TL_EINVAL, "fill_price: required, must be > 0");
    if (in->mode != NULL && strcmp(in->mode, TL_PAPER_MODE) != 0)
        return tl_err_set(err, TL_ENOTSUP, "mode: '%.32s' is not supported (only 'paper')",
                          in->mode);
    if (action)
        *action = a;
    return 0;
}

int tl_paper_idem_key(const char *ws, const char *intent_id, const char *mode,
                      char key[TL_IDEM_KEY_MAX], tl_err *err)
{
    char buf[TL_IDEM_KEY_MAX];
    int n = snprintf(buf, sizeof(buf), "%s|%s|%s", ws, intent_id, mode ? mode : TL_PAPER_MODE);
    /* The key is stored in a fixed field: a long workspace with a long intent id cannot be told
     * apart from another once cut, so it is refused rather than truncated. */
    if (n < 0 || (size_t)n >= sizeof(buf))
        return tl_err_set(err, TL_EINVAL,
                          "intent_id: workspace + intent id too long for an idempotency key "
                          "(at most %d characters together with \"|\" and the mode)",
                          TL_IDEM_KEY_MAX - 1);
    memcpy(key, buf, (size_t)n + 1);
    return 0;
}

int tl_paper_order_id(const char *key, char order_id[TL_ORDER_ID_MAX], tl_err *err)
{
    static const char hexd[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (!EVP_Digest(key, strlen(key), md, &len, EVP_sha256(), NULL) || len < 10)
        return tl_err_set(err, TL_EIO, "paper: SHA-256 failed");
    order_id[0] = 'P';
    order_id[1] = 'O';
    for (int i = 0; i < 10; i++) {
        order_id[2 + 2 * i] = hexd[md[i] >> 4];
        order_id[3 + 2 * i] = hexd[md[i] & 15];
    }
    order_id[22] = '\0';
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Session state */

int tl_paper_broker_init(tl_paper_broker *b, tl_store *s, tl_fixed default_equity)
{
    memset(b, 0, sizeof(*b));
    if (s == NULL || default_equity <= 0)
        return TL_EINVAL;
    b->store = s;
    b->default_equity = default_equity;
    return tl_ledger_init(&b->ledger, default_equity);
}

void tl_paper_broker_close(tl_paper_broker *b)
{
    tl_ledger_close(&b->ledger);
    memset(b, 0, sizeof(*b));
}

/* Makes the ledger the journal's state of ws: replays unless it already is. */
static int sync_ws(tl_paper_broker *b, const char *ws, tl_err *err)
{
    if (b->synced && b->synced_hw == b->store->high_water && strcmp(b->workspace, ws) == 0)
        return 0;
    tl_replay_result res;
    b->synced = false;
    b->ledger.default_cash = b->default_equity; /* a failed replay may have zeroed it */
    b->replays++;
    int rc = tl_replay(b->store, ws, &b->ledger, &res, err);
    if (rc != 0)
        return rc;
    snprintf(b->workspace, sizeof(b->workspace), "%s", ws);
    b->has_reset = res.resets > 0;
    b->synced_hw = b->store->high_water;
    b->synced = true;
    return 0;
}

/* The account and one position of ws in the ledger; zeros (and the default equity) for what
 * does not exist yet. */
static void ledger_view(tl_paper_broker *b, const char *ws, const char *symbol,
                        const tl_account **acct, const tl_position **pos)
{
    uint32_t a, s;
    *acct = NULL;
    *pos = NULL;
    if (tl_ledger_workspace(&b->ledger, ws, 0, &a) != 0)
        return;
    *acct = tl_book_find_account(&b->ledger.book, a);
    if (symbol && tl_ledger_symbol(&b->ledger, symbol, 0, &s) == 0)
        *pos = tl_book_find(&b->ledger.book, a, s);
}

/* Fills the state part of a result from the (synced) ledger. */
static int state_into(tl_paper_broker *b, const char *ws, const char *symbol, tl_paper_result *r,
                      tl_err *err)
{
    const tl_account *acct;
    const tl_position *pos;
    ledger_view(b, ws, symbol, &acct, &pos);
    r->starting_equity = acct ? acct->starting_cash : b->default_equity;
    r->cash = acct ? acct->cash : b->default_equity;
    r->realized_pnl = acct ? acct->realized_pnl : 0;
    r->position_qty = pos ? pos->qty : 0;
    r->position_avg = pos ? pos->avg_price : 0;
    r->high_water = b->store->high_water;
    return tl_ledger_digest(&b->ledger, ws, r->state_digest, err);
}

/* ---------------------------------------------------------------------------------------- */
/* A key seen before */

typedef struct outcome_ctx {
    const char *key;
    bool denied, filled;
    char reason[TL_EVENT_TEXT_MAX];
    char trade_id[TL_TRADE_ID_MAX];
    char change[8];
} outcome_ctx;

/* Reads the events of one intent (contiguous: one batch) after its INTENT_EMITTED. */
static int on_outcome(void *ctx, const tl_event *ev)
{
    outcome_ctx *c = ctx;
    if (strcmp(ev->idem_key, c->key) != 0)
        return 1; /* past the batch */
    switch (ev->type) {
    case TL_EV_INTENT_DENIED:
        c->denied = true;
        memcpy(c->reason, ev->text, sizeof(c->reason));
        break;
    case TL_EV_ORDER_FILLED:
        c->filled = true;
        memcpy(c->trade_id, ev->trade_id, sizeof(c->trade_id));
        break;
    case TL_EV_POSITION_OPENED:
        strcpy(c->change, "OPENED");
        break;
    case TL_EV_POSITION_SCALED:
        strcpy(c->change, "SCALED");
        break;
    case TL_EV_POSITION_CLOSED:
        strcpy(c->change, "CLOSED");
        break;
    default:
        break;
    }
    return 0;
}

static bool same_payload(const tl_event *ev, const tl_paper_intent *in)
{
    return ev->type == TL_EV_INTENT_EMITTED && strcmp(ev->text, in->action) == 0 &&
           strcmp(ev->symbol, in->symbol) == 0 && ev->qty == in->qty && ev->price == in->fill_price;
}

/* The answer for a key already in the journal: the original outcome, or a refusal when the
 * payload differs. Writes nothing. */
static int answer_existing(tl_paper_broker *b, const tl_paper_intent *in, const char *key,
                           const tl_event *first, tl_paper_result *r, tl_err *err)
{
    int rc;
    memcpy(r->order_id, first->order_id, sizeof(r->order_id));
    if (!same_payload(first, in)) {
        r->status = TL_PAPER_REFUSED;
        snprintf(r->reason, sizeof(r->reason), "%s", TL_PAPER_REASON_CONFLICT);
    } else {
        outcome_ctx c;
        memset(&c, 0, sizeof(c));
        c.key = key;
        tl_scan_filter f = {first->seq, 0, first->workspace};
        rc = tl_store_scan(b->store, &f, on_outcome, &c, err);
        if (rc < 0)
            return rc;
        if (c.filled == c.denied)
            return tl_err_set(err, TL_ECORRUPT,
                              "paper: journal holds intent '%s' (seq %llu) without one outcome",
                              key, (unsigned long long)first->seq);
        r->duplicate = true;
        r->status = c.filled ? TL_PAPER_FILLED : TL_PAPER_DENIED;
        memcpy(r->trade_id, c.trade_id, sizeof(r->trade_id));
        memcpy(r->change, c.change, sizeof(r->change));
        memcpy(r->reason, c.reason, sizeof(r->reason));
    }
    if ((rc = sync_ws(b, in->workspace, err)) != 0)
        return rc;
    return state_into(b, in->workspace, in->symbol, r, err);
}

/* ---------------------------------------------------------------------------------------- */
/* Deciding and writing */

/* Policy, re-checked at execution. 0 = approved, else the reason is in `reason`. */
static int policy(tl_paper_broker *b, const tl_paper_intent *in, tl_paper_action action,
                  char reason[TL_EVENT_TEXT_MAX])
{
    const tl_account *acct;
    const tl_position *pos;
    char q[TL_FIXED_STRLEN], p[TL_FIXED_STRLEN], c[TL_FIXED_STRLEN];

    ledger_view(b, in->workspace, in->symbol, &acct, &pos);
    tl_fixed have = pos ? pos->qty : 0;
    if (action == TL_PAPER_CLOSE_LONG) {
        if (have <= 0) {
            snprintf(reason, TL_EVENT_TEXT_MAX, "no open position in %s to close (long-only)",
                     in->symbol);
            return 1;
        }
        if (in->qty != have) {
            tl_fixed_format(in->qty, q, sizeof(q));
            tl_fixed_format(have, p, sizeof(p));
            snprintf(reason, TL_EVENT_TEXT_MAX,
                     "full close only: CLOSE_LONG qty %s differs from the %s position %s", q,
                     in->symbol, p);
            return 1;
        }
        return 0;
    }
    /* The cost exactly as the position book will charge it: one rounding of qty*price. */
    tl_fixed cost, cash = acct ? acct->cash : b->default_equity;
    if (tl_fixed_from_ratio128((__int128)in->qty * in->fill_price, TL_FIXED_SCALE, &cost) != 0) {
        snprintf(reason, TL_EVENT_TEXT_MAX, "notional qty x fill_price is out of range");
        return 1;
    }
    if (cash < cost) {
        tl_fixed_format(cost, q, sizeof(q));
        tl_fixed_format(cash, c, sizeof(c));
        snprintf(reason, TL_EVENT_TEXT_MAX, "insufficient cash: need %s, have %s", q, c);
        return 1;
    }
    return 0;
}

static tl_event *push(tl_event *evs, size_t *n, int type, const tl_event *proto)
{
    tl_event *ev = &evs[(*n)++];
    *ev = *proto;
    ev->type = (uint16_t)type;
    return ev;
}

int tl_paper_broker_execute(tl_paper_broker *b, const tl_paper_intent *in, tl_paper_result *out,
                            tl_err *err)
{
    tl_paper_action action;
    char key[TL_IDEM_KEY_MAX], order_id[TL_ORDER_ID_MAX];
    tl_paper_result r;
    tl_event first;
    int rc;

    if (b == NULL || b->store == NULL || out == NULL)
        return tl_err_set(err, TL_EINVAL, "paper: NULL broker or result");
    if ((rc = tl_paper_intent_validate(in, &action, err)) != 0 ||
        (rc = tl_paper_idem_key(in->workspace, in->intent_id, in->mode, key, err)) != 0 ||
        (rc = tl_paper_order_id(key, order_id, err)) != 0)
        return rc;

    memset(&r, 0, sizeof(r));
    snprintf(r.workspace, sizeof(r.workspace), "%s", in->workspace);
    snprintf(r.intent_id, sizeof(r.intent_id), "%s", in->intent_id);
    memcpy(r.idem_key, key, sizeof(key));
    memcpy(r.order_id, order_id, sizeof(order_id));
    snprintf(r.action, sizeof(r.action), "%s", in->action);
    snprintf(r.symbol, sizeof(r.symbol), "%s", in->symbol);
    r.qty = in->qty;
    r.fill_price = in->fill_price;

    rc = tl_store_find_idem(b->store, key, &first, err);
    if (rc == 0) {
        if ((rc = answer_existing(b, in, key, &first, &r, err)) == 0)
            *out = r;
        return rc;
    }
    if (rc != TL_ENOTFOUND)
        return rc;
    tl_err_clear(err);
    if ((rc = sync_ws(b, in->workspace, err)) != 0)
        return rc;

    /* From here the ledger runs ahead of the journal until the append returns 0. */
    tl_event evs[BATCH_MAX], proto;
    size_t n = 0;
    memset(evs, 0, sizeof(evs));
    memset(&proto, 0, sizeof(proto));
    proto.ts_ns = in->ts_ns;
    snprintf(proto.workspace, sizeof(proto.workspace), "%s", in->workspace);
    b->synced = false;
    if (!b->has_reset) {
        tl_event *ev = push(evs, &n, TL_EV_WORKSPACE_RESET, &proto);
        ev->fee = b->default_equity;
        snprintf(ev->text, sizeof(ev->text), "paper: starting equity");
        if ((rc = tl_ledger_reset(&b->ledger, in->workspace, b->default_equity)) != 0)
            return tl_err_set(err, rc, "paper: %s", tl_strerror(rc));
    }
    proto.side = action == TL_PAPER_OPEN_LONG ? TL_SIDE_BUY : TL_SIDE_SELL;
    memcpy(proto.order_id, order_id, sizeof(order_id));
    memcpy(proto.idem_key, key, sizeof(key));
    snprintf(proto.symbol, sizeof(proto.symbol), "%s", in->symbol);
    proto.qty = in->qty;
    proto.price = in->fill_price;

    char reason[TL_EVENT_TEXT_MAX] = "";
    tl_fill_effect eff = {0};
    int denied = policy(b, in, action, reason);
    if (!denied && tl_ledger_apply_fill(&b->ledger, in->workspace, in->symbol, proto.side, in->qty,
                                        in->fill_price, 0, &eff) != 0) {
        snprintf(reason, sizeof(reason), "position arithmetic out of range");
        denied = 1;
    }
    snprintf(push(evs, &n, TL_EV_INTENT_EMITTED, &proto)->text, TL_EVENT_TEXT_MAX, "%s",
             in->action);
    snprintf(push(evs, &n, TL_EV_POLICY_EVALUATED, &proto)->text, TL_EVENT_TEXT_MAX, "%s",
             denied ? reason : "approved");
    const tl_account *acct;
    const tl_position *pos;
    ledger_view(b, in->workspace, in->symbol, &acct, &pos);
    if (denied) {
        tl_event *ev = push(evs, &n, TL_EV_INTENT_DENIED, &proto);
        ev->status = TL_OS_DENIED;
        memcpy(ev->text, reason, sizeof(ev->text));
        r.status = TL_PAPER_DENIED;
        memcpy(r.reason, reason, sizeof(r.reason));
    } else {
        push(evs, &n, TL_EV_INTENT_APPROVED, &proto);
        tl_event *ev = push(evs, &n, TL_EV_ORDER_SUBMITTED, &proto);
        ev->status = TL_OS_PENDING_NEW;
        snprintf(ev->text, sizeof(ev->text), "MARKET");
        ev = push(evs, &n, TL_EV_ORDER_FILLED, &proto);
        ev->status = TL_OS_FILLED;
        snprintf(ev->trade_id, sizeof(ev->trade_id), "PT-%s", order_id);
        memcpy(r.trade_id, ev->trade_id, sizeof(r.trade_id));
        int type = eff.change == TL_POS_OPENED   ? TL_EV_POSITION_OPENED
                   : eff.change == TL_POS_CLOSED ? TL_EV_POSITION_CLOSED
                                                 : TL_EV_POSITION_SCALED;
        snprintf(r.change, sizeof(r.change), "%s",
                 type == TL_EV_POSITION_OPENED   ? "OPENED"
                 : type == TL_EV_POSITION_CLOSED ? "CLOSED"
                                                 : "SCALED");
        /* Breadcrumb: the position after the fill, never replayed. */
        ev = push(evs, &n, type, &proto);
        ev->qty = pos ? pos->qty : 0;
        ev->price = pos ? pos->avg_price : 0;
        char rz[TL_FIXED_STRLEN];
        tl_fixed_format(eff.realized, rz, sizeof(rz));
        snprintf(ev->text, sizeof(ev->text), "realized %s", rz);
        r.status = TL_PAPER_FILLED;
    }

    tl_account_row arow;
    tl_position_row prow;
    memset(&arow, 0, sizeof(arow));
    memset(&prow, 0, sizeof(prow));
    memcpy(arow.workspace, proto.workspace, sizeof(arow.workspace));
    arow.starting_cash = acct ? acct->starting_cash : b->default_equity;
    arow.cash = acct ? acct->cash : b->default_equity;
    arow.realized_pnl = acct ? acct->realized_pnl : 0;
    arow.fees = acct ? acct->fees : 0;
    arow.updated_ns = in->ts_ns;
    if (!denied) {
        memcpy(prow.workspace, proto.workspace, sizeof(prow.workspace));
        memcpy(prow.symbol, proto.symbol, sizeof(prow.symbol));
        prow.qty = pos ? pos->qty : 0;
        prow.avg_price = pos ? pos->avg_price : 0;
        prow.realized_pnl = pos ? pos->realized_pnl : 0;
        prow.fees = pos ? pos->fees : 0;
        prow.updated_ns = in->ts_ns;
    }

    rc = tl_store_append(b->store, evs, n, &prow, denied ? 0 : 1, &arow, 1, err);
    if (rc == TL_EDUPLICATE || rc == TL_EBUSY) {
        /* Another writer got in between our read and our write. If it executed this very key,
         * this call is a duplicate of it; else nothing of ours was written and the caller may
         * retry on a fresh view of the journal. */
        tl_err e2 = {0};
        int rc2 = tl_store_find_idem(b->store, key, &first, &e2);
        if (rc2 == 0) {
            memset(r.trade_id, 0, sizeof(r.trade_id));
            memset(r.change, 0, sizeof(r.change));
            memset(r.reason, 0, sizeof(r.reason));
            tl_err_clear(err);
            if ((rc = answer_existing(b, in, key, &first, &r, err)) == 0)
                *out = r;
            return rc;
        }
        if (rc2 != TL_ENOTFOUND)
            return tl_err_set(err, rc2, "%s", e2.msg);
        return tl_err_set(err, TL_EBUSY,
                          "paper: the journal moved under intent '%s' (another writer): nothing "
                          "written, retry",
                          key);
    }
    if (rc != 0)
        return rc;
    b->has_reset = true;
    b->synced_hw = b->store->high_water;
    b->synced = true;
    if ((rc = state_into(b, in->workspace, in->symbol, &r, err)) != 0)
        return rc;
    *out = r;
    return 0;
}

int tl_paper_execute(tl_store *s, const tl_paper_intent *in, tl_paper_result *out, tl_err *err)
{
    tl_paper_broker b;
    int rc = tl_paper_broker_init(&b, s, TL_PAPER_DEFAULT_EQUITY);
    if (rc != 0) {
        tl_paper_broker_close(&b);
        return tl_err_set(err, rc, "paper: cannot start a session: %s", tl_strerror(rc));
    }
    rc = tl_paper_broker_execute(&b, in, out, err);
    tl_paper_broker_close(&b);
    return rc;
}
