/* state.c -- the paper broker's read side and reset: state, reconciliation (see broker.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/digest.h"
#include "journal/replay.h"
#include "paper/broker.h"

void tl_paper_state_free(tl_paper_state *st)
{
    if (st == NULL)
        return;
    free(st->positions);
    st->positions = NULL;
    st->n_positions = 0;
}

static int cmp_symbol(const void *a, const void *b)
{
    return strcmp(((const tl_position_row *)a)->symbol, ((const tl_position_row *)b)->symbol);
}

int tl_paper_state_get(tl_store *s, const char *ws, tl_paper_state *out, tl_err *err)
{
    tl_err e = {0};
    if (s == NULL || out == NULL)
        return tl_err_set(err, TL_EINVAL, "paper state: NULL store or output");
    if (tl_workspace_validate(ws, &e) != 0)
        return tl_err_set(err, TL_EINVAL, "%s", e.msg);

    tl_ledger l;
    tl_replay_result res;
    tl_account_row *ar = NULL;
    tl_position_row *pr = NULL;
    size_t na = 0, np = 0;
    int rc = tl_ledger_init(&l, TL_PAPER_DEFAULT_EQUITY);
    if (rc != 0) {
        tl_ledger_close(&l);
        return tl_err_set(err, rc, "paper state: out of memory");
    }
    if ((rc = tl_replay(s, ws, &l, &res, err)) == 0)
        rc = tl_ledger_rows(&l, ws, &ar, &na, &pr, &np, err);
    tl_ledger_close(&l);
    if (rc != 0)
        return rc;

    tl_paper_state st;
    memset(&st, 0, sizeof(st));
    snprintf(st.workspace, sizeof(st.workspace), "%s", ws);
    st.starting_equity = na ? ar[0].starting_cash : TL_PAPER_DEFAULT_EQUITY;
    st.cash = na ? ar[0].cash : TL_PAPER_DEFAULT_EQUITY;
    st.realized_pnl = na ? ar[0].realized_pnl : 0;
    st.fees = na ? ar[0].fees : 0;
    /* Only open positions: a closed one lives on in the digest through its realized P&L. */
    size_t k = 0;
    for (size_t i = 0; i < np; i++)
        if (pr[i].qty != 0)
            pr[k++] = pr[i];
    if (k > 1)
        qsort(pr, k, sizeof(*pr), cmp_symbol);
    st.positions = pr;
    st.n_positions = k;
    st.fills_replayed = res.fills_replayed;
    st.duplicates_skipped = res.duplicates_skipped;
    st.resets = res.resets;
    st.high_water = res.high_water;
    memcpy(st.state_digest, res.digest, sizeof(st.state_digest));
    free(ar);
    *out = st;
    return 0;
}

/* Reads a workspace's snapshot rows into fresh arrays (count first, then the rows). */
static int read_snapshots(tl_store *s, const char *ws, tl_account_row **ar, size_t *na,
                          tl_position_row **pr, size_t *np, tl_err *err)
{
    size_t n = 0, m = 0;
    int rc;
    *ar = NULL;
    *pr = NULL;
    if ((rc = tl_store_get_accounts(s, ws, NULL, 0, &n, err)) != 0 ||
        (rc = tl_store_get_positions(s, ws, NULL, 0, &m, err)) != 0)
        return rc;
    *ar = calloc(n ? n : 1, sizeof(**ar));
    *pr = calloc(m ? m : 1, sizeof(**pr));
    if (*ar == NULL || *pr == NULL)
        return tl_err_set(err, TL_ENOMEM, "paper: out of memory reading snapshots");
    /* Rows written between the two calls are left for the next reconciliation. */
    if ((rc = tl_store_get_accounts(s, ws, *ar, n, na, err)) != 0 ||
        (rc = tl_store_get_positions(s, ws, *pr, m, np, err)) != 0)
        return rc;
    if (*na > n)
        *na = n;
    if (*np > m)
        *np = m;
    return 0;
}

int tl_paper_reconcile(tl_store *s, const char *ws, tl_paper_state *out, tl_err *err)
{
    tl_paper_state st;
    tl_account_row *ar = NULL;
    tl_position_row *pr = NULL;
    size_t na = 0, np = 0;
    int rc = tl_paper_state_get(s, ws, &st, err);
    if (rc != 0)
        return rc;
    rc = read_snapshots(s, ws, &ar, &na, &pr, &np, err);
    if (rc == 0)
        rc = tl_state_digest(ar, na, pr, np, st.snapshot_digest, err);
    free(ar);
    free(pr);
    if (rc != 0) {
        tl_paper_state_free(&st);
        return rc;
    }
    st.snapshot_match = strcmp(st.snapshot_digest, st.state_digest) == 0;
    *out = st;
    return 0;
}

/* The first WORKSPACE_RESET of a workspace names its mode. */
static int first_reset(void *ctx, const tl_event *ev)
{
    tl__engine_reset_mode(ev->text, ctx);
    return 1;
}

int tl_paper_reset(tl_store *s, const char *ws, tl_fixed starting_cash, int64_t ts_ns, tl_err *err)
{
    tl_err e = {0};
    if (s == NULL)
        return tl_err_set(err, TL_EINVAL, "paper reset: NULL store");
    if (tl_workspace_validate(ws, &e) != 0)
        return tl_err_set(err, TL_EINVAL, "%s", e.msg);
    if (starting_cash <= 0)
        return tl_err_set(err, TL_EINVAL, "starting equity: must be > 0");
    /* A workspace another mode started (a shadow run's) is not the paper broker's to reset. */
    char mode[TL_ENGINE_MODE_MAX] = "";
    tl_scan_filter f = {0, TL_EV_WORKSPACE_RESET, ws};
    int src = tl_store_scan(s, &f, first_reset, mode, err);
    if (src < 0)
        return src;
    if (mode[0] && strcmp(mode, TL_PAPER_MODE) != 0)
        return tl_err_set(err, TL_EINVAL,
                          "workspace '%s' holds a %s journal, not a paper one: use another workspace",
                          ws, mode);

    tl_account_row *ar = NULL;
    tl_position_row *pr = NULL;
    size_t na = 0, np = 0;
    int rc = read_snapshots(s, ws, &ar, &na, &pr, &np, err);
    if (rc == 0) {
        /* Every stored position of the workspace goes flat with the reset, in the same batch. */
        for (size_t i = 0; i < np; i++) {
            pr[i].qty = pr[i].avg_price = pr[i].realized_pnl = pr[i].fees = 0;
            pr[i].updated_ns = ts_ns;
        }
        tl_account_row a;
        memset(&a, 0, sizeof(a));
        snprintf(a.workspace, sizeof(a.workspace), "%s", ws);
        a.starting_cash = a.cash = starting_cash;
        a.updated_ns = ts_ns;
        tl_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.type = TL_EV_WORKSPACE_RESET;
        ev.ts_ns = ts_ns;
        memcpy(ev.workspace, a.workspace, sizeof(ev.workspace));
        ev.fee = starting_cash;
        snprintf(ev.text, sizeof(ev.text), "paper: reset");
        rc = tl_store_append(s, &ev, 1, pr, np, &a, 1, err);
    }
    free(ar);
    free(pr);
    return rc;
}
