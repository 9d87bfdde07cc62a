/* replay.c -- see replay.h. */
#include "journal/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

typedef struct reset_mark {
    uint64_t seq;
    tl_fixed cash;
} reset_mark;

typedef struct replay_ctx {
    tl_ledger *l;
    reset_mark *resets; /* per workspace id of the ledger */
    uint32_t n_resets;
    tl_hashmap seen; /* hash(workspace id, trade id) -> index into ids */
    char (*ids)[TL_TRADE_ID_MAX];
    uint32_t *id_ws;
    uint32_t n_ids, cap_ids;
    tl_replay_result *res;
    int rc;
    tl_err *err;
    /* Fills come in long runs of one workspace and few symbols: the last names and their ids
     * are remembered so most fills intern nothing. */
    char last_ws[TL_WORKSPACE_MAX];
    uint32_t last_ws_id;
    char last_sym[16];
    uint32_t last_sym_id;
} replay_ctx;

static int grow_resets(replay_ctx *c, uint32_t need)
{
    if (need <= c->n_resets)
        return 0;
    reset_mark *r = realloc(c->resets, need * sizeof(*r));
    if (!r)
        return TL_ENOMEM;
    memset(r + c->n_resets, 0, (need - c->n_resets) * sizeof(*r));
    c->resets = r;
    c->n_resets = need;
    return 0;
}

static int on_reset(void *ctx, const tl_event *ev)
{
    replay_ctx *c = ctx;
    uint32_t ws;
    if ((c->rc = tl_ledger_workspace(c->l, ev->workspace, 1, &ws)) != 0 ||
        (c->rc = grow_resets(c, ws + 1)) != 0)
        return 1;
    c->resets[ws].seq = ev->seq;
    c->resets[ws].cash = ev->fee;
    c->res->resets++;
    return 0;
}

/* True when this (workspace, trade id) was replayed before; remembers it otherwise. */
static int seen_before(replay_ctx *c, uint32_t ws, const char *trade_id, int *dup)
{
    size_t len = strnlen(trade_id, TL_TRADE_ID_MAX - 1);
    uint64_t h = tl_hash_bytes(trade_id, len) ^ ((uint64_t)ws * 0x9e3779b97f4a7c15ull);
    uint64_t cursor = 0;
    uint32_t v;
    while (tl_hashmap_next_match(&c->seen, h, &cursor, &v))
        if (c->id_ws[v] == ws && strncmp(c->ids[v], trade_id, TL_TRADE_ID_MAX) == 0) {
            *dup = 1;
            return 0;
        }
    if (c->n_ids == c->cap_ids) {
        /* Both arrays grow to the same size, first to what the dedup set was sized for. */
        uint32_t cap = c->cap_ids, cap2 = c->cap_ids;
        size_t want = c->cap_ids ? (size_t)c->cap_ids + 1 : c->seen.mask / 2 + 1;
        if (TL_VEC_RESERVE32(&c->ids, &cap, want) != 0 ||
            TL_VEC_RESERVE32(&c->id_ws, &cap2, cap) != 0)
            return TL_ENOMEM;
        c->cap_ids = cap < cap2 ? cap : cap2;
    }
    memcpy(c->ids[c->n_ids], trade_id, len);
    c->ids[c->n_ids][len] = '\0';
    c->id_ws[c->n_ids] = ws;
    *dup = 0;
    return tl_hashmap_insert_multi(&c->seen, h, c->n_ids++);
}

static int cached_id(tl_ledger *l, int is_ws, const char *name, char *last, size_t cap,
                     uint32_t *last_id, uint32_t *id)
{
    if (last[0] && strcmp(last, name) == 0) {
        *id = *last_id;
        return 0;
    }
    int rc = is_ws ? tl_ledger_workspace(l, name, 1, id) : tl_ledger_symbol(l, name, 1, id);
    if (rc == 0) {
        snprintf(last, cap, "%s", name);
        *last_id = *id;
    }
    return rc;
}

static int on_fill(void *ctx, const tl_event *ev)
{
    replay_ctx *c = ctx;
    uint32_t ws, sym;
    int dup;
    if ((c->rc = cached_id(c->l, 1, ev->workspace, c->last_ws, sizeof(c->last_ws), &c->last_ws_id,
                           &ws)) != 0)
        return 1;
    if (ws < c->n_resets && ev->seq < c->resets[ws].seq)
        return 0; /* before the workspace's last reset */
    if ((c->rc = seen_before(c, ws, ev->trade_id, &dup)) != 0)
        return 1;
    if (dup) {
        c->res->duplicates_skipped++;
        return 0;
    }
    if ((c->rc = cached_id(c->l, 0, ev->symbol, c->last_sym, sizeof(c->last_sym), &c->last_sym_id,
                           &sym)) != 0)
        return 1;
    c->rc = tl_book_apply_fill(&c->l->book, ws, sym, (tl_side)ev->side, ev->qty, ev->price, ev->fee,
                               NULL);
    if (c->rc != 0) {
        tl_err_set(c->err, c->rc, "replay: event %llu (%s %s) cannot be applied: %s",
                   (unsigned long long)ev->seq, ev->workspace, ev->trade_id, tl_strerror(c->rc));
        return 1;
    }
    c->res->fills_replayed++;
    return 0;
}

int tl_replay(tl_store *s, const char *ws, tl_ledger *l, tl_replay_result *out, tl_err *err)
{
    tl_replay_result res;
    replay_ctx c;
    int rc;

    memset(&res, 0, sizeof(res));
    memset(&c, 0, sizeof(c));
    c.l = l;
    c.res = &res;
    c.err = err;
    /* Sized up front for the events the scans will read (fills are at most every one of them),
     * so the dedup set never rehashes in the middle of a replay: a workspace's own range, not
     * the whole journal of every workspace. */
    uint64_t span = s->high_water;
    tl_workspace_info wi;
    if (ws != NULL && ws[0] != '\0') {
        rc = tl_store_workspace_info(s, ws, &wi, err);
        if (rc != 0 && rc != TL_ENOTFOUND)
            return rc;
        span = rc == 0 ? wi.last_seq - wi.first_seq + 1 : 0;
    }
    size_t expect = span < (1u << 26) ? (size_t)span + 16 : (1u << 26);
    tl_fixed cash = l->default_cash;
    tl_ledger_close(l);
    if ((rc = tl_ledger_init(l, cash)) != 0 || (rc = tl_hashmap_init(&c.seen, expect)) != 0)
        return tl_err_set(err, TL_ENOMEM, "replay: out of memory");

    tl_scan_filter f = {0, TL_EV_WORKSPACE_RESET, ws ? ws : ""};
    rc = tl_store_scan(s, &f, on_reset, &c, err);
    if (c.rc != 0)
        rc = c.rc; /* the callback stopped the scan: its own error, not the stop value */
    if (rc == 0) {
        for (uint32_t i = 0; i < c.n_resets; i++)
            if (c.resets[i].seq && (rc = tl_ledger_reset(l, l->ws[i], c.resets[i].cash)) != 0)
                break;
    }
    if (rc == 0) {
        f.type = TL_EV_ORDER_FILLED;
        rc = tl_store_scan(s, &f, on_fill, &c, err);
        if (c.rc != 0)
            rc = c.rc;
    }
    if (rc == 0)
        rc = tl_ledger_digest(l, ws, res.digest, err);
    res.high_water = s->high_water;
    tl_hashmap_close(&c.seen);
    free(c.resets);
    free(c.ids);
    free(c.id_ws);
    if (rc == 0)
        *out = res;
    else if (err && !err->msg[0])
        tl_err_set(err, rc, "replay: %s", tl_strerror(rc));
    return rc;
}
