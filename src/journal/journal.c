/* journal.c -- see journal.h. */
#include "journal/journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal/digest.h"

static tl_event *next_slot(tl_journal *j)
{
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 1024;
        tl_event *p = realloc(j->pending, cap * sizeof(*p));
        if (!p) {
            j->oom = 1;
            return NULL;
        }
        j->pending = p;
        j->cap = cap;
    }
    tl_event *ev = &j->pending[j->n++];
    memset(ev, 0, sizeof(*ev));
    memcpy(ev->workspace, j->workspace, sizeof(ev->workspace));
    return ev;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* POSITION_* breadcrumbs for people reading the journal; replay never reads them. */
static void breadcrumb(tl_journal *j, const tl_order *o, const tl_fill *f, const tl_event *fill_ev)
{
    const tl_position *p = tl_book_find(&j->exec->book, o->account, o->instrument);
    tl_fixed now = p ? p->qty : 0;
    tl_fixed signed_qty = o->side == TL_SIDE_BUY ? f->qty : -f->qty;
    tl_fixed before = now - signed_qty;
    int types[2], nt = 0;

    if (before == 0)
        types[nt++] = TL_EV_POSITION_OPENED;
    else if (now == 0)
        types[nt++] = TL_EV_POSITION_CLOSED;
    else if ((before > 0) != (now > 0)) {
        types[nt++] = TL_EV_POSITION_CLOSED;
        types[nt++] = TL_EV_POSITION_OPENED;
    } else
        types[nt++] = TL_EV_POSITION_SCALED;
    for (int i = 0; i < nt; i++) {
        tl_event *ev = next_slot(j);
        if (!ev)
            return;
        ev->type = (uint16_t)types[i];
        ev->ts_ns = fill_ev->ts_ns;
        memcpy(ev->order_id, fill_ev->order_id, sizeof(ev->order_id));
        memcpy(ev->symbol, fill_ev->symbol, sizeof(ev->symbol));
        ev->side = now >= 0 ? TL_SIDE_BUY : TL_SIDE_SELL; /* the side of the position now */
        ev->qty = now;
        ev->price = p ? p->avg_price : 0;
    }
}

static void on_event(void *ctx, int type, const tl_order *o, const tl_fill *f, const char *text)
{
    tl_journal *j = ctx;
    tl_event *ev = next_slot(j);
    if (!ev)
        return;
    ev->type = (uint16_t)type;
    ev->ts_ns = f ? f->ts_ns : tl_clock_now(j->exec->clock);
    copy_text(ev->text, sizeof(ev->text), text);
    if (o) {
        const tl_instrument *in = &j->exec->instruments->items[o->instrument];
        tl_order_format_client_id(o->client_seq, ev->order_id);
        memcpy(ev->symbol, in->symbol, sizeof(ev->symbol));
        ev->side = o->side;
        ev->status = o->status;
        ev->qty = o->qty;
        ev->price = o->price;
    }
    if (f) {
        copy_text(ev->trade_id, sizeof(ev->trade_id), f->trade_id);
        ev->qty = f->qty;
        ev->price = f->price;
        ev->fee = f->fee;
        if (!o)
            tl_order_format_client_id(f->client_seq, ev->order_id);
    }
    if (type == TL_EV_ORDER_FILLED && o) {
        j->touched[o->instrument] = 1;
        tl_event copy = *ev; /* next_slot may move the buffer */
        breadcrumb(j, o, f, &copy);
    }
    if (j->n >= j->batch_max)
        tl_journal_flush(j, NULL); /* a failure is kept in j->last_err and freezes trading */
}

int tl_journal_init(tl_journal *j, tl_store *store, tl_exec *exec, const char *workspace,
                    size_t batch_max, tl_err *err)
{
    int rc = tl_workspace_validate(workspace, err);
    if (rc != 0)
        return rc;
    memset(j, 0, sizeof(*j));
    j->touched = calloc(exec->instruments->count ? exec->instruments->count : 1, 1);
    if (!j->touched)
        return tl_err_set(err, TL_ENOMEM, "journal: out of memory");
    j->store = store;
    j->exec = exec;
    j->batch_max = batch_max ? batch_max : 4096;
    copy_text(j->workspace, sizeof(j->workspace), workspace);
    exec->on_event = on_event;
    exec->event_ctx = j;
    return 0;
}

void tl_journal_close(tl_journal *j)
{
    if (j->exec && j->exec->event_ctx == j) {
        j->exec->on_event = NULL;
        j->exec->event_ctx = NULL;
    }
    free(j->pending);
    free(j->touched);
    memset(j, 0, sizeof(*j));
}

int tl_journal_reset_workspace(tl_journal *j, tl_fixed starting_cash, tl_err *err)
{
    tl_event *ev = next_slot(j);
    if (!ev)
        return tl_err_set(err, TL_ENOMEM, "journal: out of memory");
    ev->type = TL_EV_WORKSPACE_RESET;
    ev->ts_ns = tl_clock_now(j->exec->clock);
    ev->fee = starting_cash;
    copy_text(ev->text, sizeof(ev->text), "starting cash");
    return 0;
}

/* Snapshot rows of the positions touched since the last flush, and the account. */
static int snapshot(tl_journal *j, tl_position_row **prow, size_t *np, tl_account_row *arow)
{
    const tl_exec *x = j->exec;
    size_t n = 0;
    tl_position_row *rows = NULL;

    for (uint32_t i = 0; i < x->instruments->count; i++)
        n += j->touched[i];
    if (n && !(rows = calloc(n, sizeof(*rows))))
        return TL_ENOMEM;
    n = 0;
    for (uint32_t i = 0; i < x->instruments->count; i++) {
        if (!j->touched[i])
            continue;
        const tl_position *p = tl_book_find(&x->book, x->cfg.account, i);
        tl_position_row *r = &rows[n++];
        memcpy(r->workspace, j->workspace, sizeof(r->workspace));
        memcpy(r->symbol, x->instruments->items[i].symbol, sizeof(r->symbol));
        if (p) {
            r->qty = p->qty;
            r->avg_price = p->avg_price;
            r->realized_pnl = p->realized_pnl;
            r->fees = p->fees;
        }
        r->updated_ns = tl_clock_now(x->clock);
    }
    memset(arow, 0, sizeof(*arow));
    memcpy(arow->workspace, j->workspace, sizeof(arow->workspace));
    const tl_account *a = tl_book_find_account(&x->book, x->cfg.account);
    if (a) {
        arow->starting_cash = a->starting_cash;
        arow->cash = a->cash;
        arow->realized_pnl = a->realized_pnl;
        arow->fees = a->fees;
    }
    arow->updated_ns = tl_clock_now(x->clock);
    *prow = rows;
    *np = n;
    return 0;
}

int tl_journal_flush(tl_journal *j, tl_err *err)
{
    tl_position_row *rows;
    tl_account_row acct;
    size_t np;
    int rc;

    if (j->oom)
        return tl_err_set(err, TL_ENOMEM, "journal: an event could not be buffered");
    if (j->n == 0)
        return 0;
    if ((rc = snapshot(j, &rows, &np, &acct)) != 0)
        return tl_err_set(err, rc, "journal: out of memory");
    tl_err e = {0};
    rc = tl_store_append(j->store, j->pending, j->n, rows, np, &acct, 1, &e);
    free(rows);
    if (rc != 0) {
        j->failures++;
        j->failing = 1;
        j->last_err = e;
        char why[sizeof(e.msg) + sizeof(TL_JOURNAL_FREEZE_PREFIX)];
        snprintf(why, sizeof(why), TL_JOURNAL_FREEZE_PREFIX "%s", e.msg);
        tl_risk_freeze(&j->exec->risk, why);
        if (err)
            *err = e;
        return rc;
    }
    j->flushes++;
    j->events_written += j->n;
    j->n = 0;
    memset(j->touched, 0, j->exec->instruments->count);
    if (j->failing) {
        j->failing = 0;
        /* Lift only a freeze this journal set; an edge or kill-switch freeze stays. */
        if (j->exec->risk.frozen && strncmp(j->exec->risk.freeze_reason, TL_JOURNAL_FREEZE_PREFIX,
                                            strlen(TL_JOURNAL_FREEZE_PREFIX)) == 0)
            tl_risk_unfreeze(&j->exec->risk);
    }
    return 0;
}

int tl_journal_live_digest(const tl_journal *j, char hex[65], tl_err *err)
{
    const tl_exec *x = j->exec;
    tl_account_row acct;
    tl_position_row *rows =
        calloc(x->instruments->count ? x->instruments->count : 1, sizeof(*rows));
    size_t n = 0;
    if (!rows)
        return tl_err_set(err, TL_ENOMEM, "digest: out of memory");
    for (uint32_t i = 0; i < x->instruments->count; i++) {
        const tl_position *p = tl_book_find(&x->book, x->cfg.account, i);
        if (!p)
            continue;
        tl_position_row *r = &rows[n++];
        memset(r, 0, sizeof(*r));
        memcpy(r->workspace, j->workspace, sizeof(r->workspace));
        memcpy(r->symbol, x->instruments->items[i].symbol, sizeof(r->symbol));
        r->qty = p->qty;
        r->avg_price = p->avg_price;
        r->realized_pnl = p->realized_pnl;
        r->fees = p->fees;
    }
    memset(&acct, 0, sizeof(acct));
    memcpy(acct.workspace, j->workspace, sizeof(acct.workspace));
    const tl_account *a = tl_book_find_account(&x->book, x->cfg.account);
    if (a) {
        acct.starting_cash = a->starting_cash;
        acct.cash = a->cash;
        acct.realized_pnl = a->realized_pnl;
        acct.fees = a->fees;
    }
    int rc = tl_state_digest(&acct, 1, rows, n, hex, err);
    free(rows);
    return rc;
}
