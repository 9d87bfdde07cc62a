/*
 * paper.c -- the paper broker of seed 003 as a venue: "paper://" URLs.
 *
 * Behaviour. Every order is filled at once, whole, at its own price: the LIMIT price, or for a
 * MARKET order the caller's price carried in `price` (the seed's required fill_price). place
 * queues two reports, both stamped with the clock's now: ACCEPTED (venue_seq 1, 2, ... in the
 * order of acceptance) and FILL, whose trade id is "PT-" followed by the order's client_id (or
 * client_seq formatted as "CLI00000001" when client_id is empty), so a fill keeps its trade id
 * across restarts and a journal replay recognises it. A MARKET order without a price (0) is
 * REJECTED, because there is nothing to fill it at. A cancel is always refused (CANCEL_REJECTED):
 * "already filled" for an order it filled, "unknown order" otherwise. Nothing is ever due later,
 * so the venue has TL_VENUE_CAP_IMMEDIATE; get_orders never lists an order (none stays open) and
 * get_positions gives the net quantity per symbol of its fills.
 *
 * URL parameters (optional): fee_bps=0, the fee of every fill in basis points of its notional,
 * in [0, 10000]: fee = round(qty * price * fee_bps / 10000), one rounding, exact (params.h).
 *
 * Refusals (the call fails, nothing changes, no report): a client_seq already placed or a
 * client_id already used is TL_EDUPLICATE, since either would repeat a trade id; a fee or
 * position that would not fit a tl_fixed is TL_ERANGE.
 *
 * Memory. The venue remembers every order it filled (client_seq, venue_seq and client_id, 40
 * bytes) for the life of the session, to refuse duplicates and to name a cancel's reason. The
 * report FIFO holds what has not been polled yet. get_fills lists the last PAPER_FILLS_KEPT
 * fills (fills.h; older ones are gone), allocated as they come.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/vec.h"
#include "venue/fills.h"
#include "venue/params.h"
#include "venue/venue.h"

#define NOT_FOUND UINT32_MAX
/* The fill history's bound: the sim's at its default capacity (1024 x 4). */
#define PAPER_FILLS_KEPT 4096

typedef struct paper_order {
    uint64_t client_seq;
    uint64_t venue_seq;
    char client_id[TL_ORDER_ID_MAX]; /* as sent, or the formatted client_seq when sent empty */
} paper_order;

typedef struct paper_position {
    char symbol[16];
    tl_fixed qty; /* signed net of the fills */
} paper_position;

typedef struct paper {
    const tl_clock *clock; /* borrowed */
    tl_fixed fee_bps;
    uint64_t last_venue_seq;

    paper_order *orders; /* owned: every order filled, in placing order */
    size_t orders_len, orders_cap;
    tl_seqmap by_seq; /* client_seq -> index into orders */
    tl_hashmap by_id; /* hash(client_id) -> index into orders, multi (the ids are compared) */

    paper_position *pos; /* owned */
    size_t pos_len, pos_cap;
    tl_hashmap by_symbol; /* hash(symbol) -> index into pos, multi */

    tl_venue_report *out; /* owned FIFO: reports [out_head, out_len) not polled yet */
    size_t out_head, out_len, out_cap;

    tl__venue_fills fills; /* the last PAPER_FILLS_KEPT fills */
} paper;

/* ---- parameters ---------------------------------------------------------------------------- */

enum paper_key { K_FEE, K__COUNT };
static const char *const key_names[K__COUNT] = {[K_FEE] = "fee_bps"};

static int parse_value(void *ctx, int key, const char *val, size_t len, tl_err *err)
{
    paper *p = ctx;
    (void)key; /* fee_bps is the only one */
    return tl__venue_parse_fee_bps("paper", key_names[K_FEE], val, len, &p->fee_bps, err);
}

/* ---- lookups ------------------------------------------------------------------------------- */

static uint32_t find_id(const paper *p, const char *id, uint64_t h)
{
    uint64_t cursor = 0;
    uint32_t i;
    while (tl_hashmap_next_match(&p->by_id, h, &cursor, &i))
        if (strcmp(p->orders[i].client_id, id) == 0)
            return i;
    return NOT_FOUND;
}

/* Index of symbol's position, created flat when new. */
static int position_index(paper *p, const char *symbol, uint32_t *idx)
{
    size_t len = strlen(symbol);
    uint64_t h = tl_hash_bytes(symbol, len), cursor = 0;
    uint32_t i;
    while (tl_hashmap_next_match(&p->by_symbol, h, &cursor, &i)) {
        if (strcmp(p->pos[i].symbol, symbol) == 0) {
            *idx = i;
            return 0;
        }
    }
    if (p->pos_len >= NOT_FOUND)
        return TL_EFULL;
    int rc = TL_VEC_RESERVE(&p->pos, &p->pos_cap, p->pos_len + 1);
    if (rc == 0)
        rc = tl_hashmap_insert_multi(&p->by_symbol, h, (uint32_t)p->pos_len);
    if (rc < 0)
        return rc;
    paper_position *pp = &p->pos[p->pos_len];
    memset(pp, 0, sizeof *pp);
    memcpy(pp->symbol, symbol, len + 1);
    *idx = (uint32_t)p->pos_len++;
    return 0;
}

/* ---- the report FIFO ----------------------------------------------------------------------- */

/* Room for n more reports: the polled ones at the front are dropped before the array grows. */
static int out_reserve(paper *p, size_t n)
{
    if (p->out_head > 0 && p->out_len + n > p->out_cap) {
        memmove(p->out, p->out + p->out_head, (p->out_len - p->out_head) * sizeof *p->out);
        p->out_len -= p->out_head;
        p->out_head = 0;
    }
    return TL_VEC_RESERVE(&p->out, &p->out_cap, p->out_len + n);
}

/* A new report, zeroed whole (padding included, so equal runs give identical bytes), stamped
 * now; room was reserved. */
static tl_venue_report *out_push(paper *p, uint8_t type, uint64_t client_seq, uint64_t venue_seq)
{
    tl_venue_report *r = &p->out[p->out_len++];
    memset(r, 0, sizeof *r);
    r->type = type;
    r->client_seq = client_seq;
    r->venue_seq = venue_seq;
    r->ts_ns = tl_clock_now(p->clock);
    return r;
}

/* ---- backend ------------------------------------------------------------------------------- */

static void paper_release(paper *p)
{
    free(p->orders);
    free(p->pos);
    free(p->out);
    if (p->by_seq.slots != NULL)
        tl_seqmap_close(&p->by_seq);
    if (p->by_id.slots != NULL)
        tl_hashmap_close(&p->by_id);
    if (p->by_symbol.slots != NULL)
        tl_hashmap_close(&p->by_symbol);
    tl__venue_fills_close(&p->fills);
    memset(p, 0, sizeof *p);
}

static int paper_open(void *state, const char *url, const tl_clock *clock, tl_err *err)
{
    paper *p = state;
    memset(p, 0, sizeof *p);
    int rc = tl__venue_params_each(url, "paper", key_names, K__COUNT, parse_value, p, err);
    if (rc < 0)
        return rc;
    p->clock = clock;
    tl__venue_fills_init(&p->fills, PAPER_FILLS_KEPT);
    rc = TL_VEC_RESERVE(&p->orders, &p->orders_cap, 1024);
    if (rc == 0)
        rc = tl_seqmap_init(&p->by_seq, 1024);
    if (rc == 0)
        rc = tl_hashmap_init(&p->by_id, 1024);
    if (rc == 0)
        rc = tl_hashmap_init(&p->by_symbol, 16);
    if (rc == 0)
        rc = out_reserve(p, 64);
    if (rc < 0) {
        paper_release(p);
        return tl_err_set(err, TL_ENOMEM, "paper: out of memory opening");
    }
    return 0;
}

static void paper_close(void *state)
{
    paper_release(state);
}

static int paper_place(void *state, const tl_venue_order *o, tl_err *err)
{
    paper *p = state;
    uint32_t idx, pidx;
    char id[TL_ORDER_ID_MAX];
    tl_fixed fee = 0, pos_qty = 0;
    int rc;

    /* Everything that can fail comes first: a failed place changes nothing. */
    if (tl_seqmap_get(&p->by_seq, o->client_seq, &idx))
        return tl_err_set(err, TL_EDUPLICATE, "paper: order %llu already placed",
                          (unsigned long long)o->client_seq);
    if (o->client_id[0] != '\0')
        memcpy(id, o->client_id, sizeof id);
    else
        tl_order_format_client_id(o->client_seq, id);
    uint64_t h = tl_hash_bytes(id, strlen(id));
    if (find_id(p, id, h) != NOT_FOUND)
        return tl_err_set(err, TL_EDUPLICATE, "paper: order %llu: client id '%s' already used",
                          (unsigned long long)o->client_seq, id);
    if ((rc = out_reserve(p, 2)) < 0)
        return tl_err_set(err, rc, "paper: out of memory placing order %llu",
                          (unsigned long long)o->client_seq);
    if (o->price <= 0) {
        strcpy(out_push(p, TL_REPORT_REJECTED, o->client_seq, 0)->text,
               "no price: paper fills at the caller's price");
        return 0;
    }
    if (p->fee_bps > 0 && tl__venue_fee(o->qty, o->price, p->fee_bps, &fee) < 0)
        return tl_err_set(err, TL_ERANGE, "paper: order %llu: fee out of range",
                          (unsigned long long)o->client_seq);
    if ((rc = position_index(p, o->symbol, &pidx)) < 0 ||
        (rc = TL_VEC_RESERVE(&p->orders, &p->orders_cap, p->orders_len + 1)) < 0 ||
        (rc = tl__venue_fills_reserve(&p->fills)) < 0)
        return tl_err_set(err, rc, "paper: out of memory placing order %llu",
                          (unsigned long long)o->client_seq);
    if (tl_fixed_add(p->pos[pidx].qty, o->side == TL_SIDE_BUY ? o->qty : -o->qty, &pos_qty) < 0)
        return tl_err_set(err, TL_ERANGE, "paper: order %llu: position in %s out of range",
                          (unsigned long long)o->client_seq, o->symbol);
    uint32_t at = (uint32_t)p->orders_len;
    if ((rc = tl_seqmap_put(&p->by_seq, o->client_seq, at)) < 0)
        return tl_err_set(err, rc, "paper: out of memory placing order %llu",
                          (unsigned long long)o->client_seq);
    if ((rc = tl_hashmap_insert_multi(&p->by_id, h, at)) < 0) {
        tl_seqmap_del(&p->by_seq, o->client_seq);
        return tl_err_set(err, rc, "paper: out of memory placing order %llu",
                          (unsigned long long)o->client_seq);
    }

    paper_order *po = &p->orders[p->orders_len++];
    po->client_seq = o->client_seq;
    po->venue_seq = ++p->last_venue_seq;
    memcpy(po->client_id, id, sizeof id);
    p->pos[pidx].qty = pos_qty;
    out_push(p, TL_REPORT_ACCEPTED, o->client_seq, po->venue_seq);
    tl_venue_report *r = out_push(p, TL_REPORT_FILL, o->client_seq, po->venue_seq);
    snprintf(r->trade_id, sizeof r->trade_id, "PT-%s", id);
    r->qty = o->qty;
    r->price = o->price;
    r->fee = fee;
    tl__venue_fills_keep(&p->fills, r, o->symbol, o->side);
    return 0;
}

static int paper_cancel(void *state, uint64_t client_seq, tl_err *err)
{
    paper *p = state;
    uint32_t idx;
    int rc = out_reserve(p, 1);
    if (rc < 0)
        return tl_err_set(err, rc, "paper: out of memory canceling order %llu",
                          (unsigned long long)client_seq);
    /* Every order it accepted was filled in the same call, so no cancel can succeed. */
    bool known = tl_seqmap_get(&p->by_seq, client_seq, &idx);
    tl_venue_report *r =
        out_push(p, TL_REPORT_CANCEL_REJECTED, client_seq, known ? p->orders[idx].venue_seq : 0);
    strcpy(r->text, known ? "already filled" : "unknown order");
    return 0;
}

static int paper_poll(void *state, tl_venue_report *out, size_t cap, size_t *n, tl_err *err)
{
    paper *p = state;
    (void)err;
    size_t k = p->out_len - p->out_head;
    if (k > cap)
        k = cap;
    if (k > 0)
        memcpy(out, p->out + p->out_head, k * sizeof *out);
    p->out_head += k;
    if (p->out_head == p->out_len) /* drained: start over at the front */
        p->out_head = p->out_len = 0;
    *n = k;
    return 0;
}

static int paper_get_orders(void *state, tl_venue_order_info *out, size_t cap, size_t *n,
                            tl_err *err)
{
    (void)state, (void)out, (void)cap, (void)err;
    *n = 0; /* no order stays open: each was filled by the call that placed it */
    return 0;
}

static int paper_get_positions(void *state, tl_venue_position *out, size_t cap, size_t *n,
                               tl_err *err)
{
    paper *p = state;
    (void)err;
    size_t k = 0;
    for (size_t i = 0; i < p->pos_len; i++) {
        if (p->pos[i].qty == 0)
            continue; /* flat: only holdings are listed, as sim:// does */
        if (k < cap) {
            memset(&out[k], 0, sizeof out[k]);
            memcpy(out[k].symbol, p->pos[i].symbol, sizeof out[k].symbol);
            out[k].qty = p->pos[i].qty;
        }
        k++;
    }
    *n = k;
    return 0;
}

static int paper_get_fills(void *state, uint64_t after, tl_venue_fill *out, size_t cap, size_t *n,
                           uint64_t *next_cursor, tl_err *err)
{
    paper *p = state;
    return tl__venue_fills_list(&p->fills, "paper", after, out, cap, n, next_cursor, err);
}

const tl_venue_ops tl_venue_paper_ops = {
    .version = TL_VENUE_OPS_VERSION,
    .scheme = "paper",
    .state_size = sizeof(paper),
    .caps = TL_VENUE_CAP_LIMIT | TL_VENUE_CAP_MARKET | TL_VENUE_CAP_CANCEL |
            TL_VENUE_CAP_SIMULATED | TL_VENUE_CAP_IMMEDIATE,
    .open = paper_open,
    .close = paper_close,
    .place = paper_place,
    .cancel = paper_cancel,
    .poll = paper_poll,
    .get_orders = paper_get_orders,
    .get_positions = paper_get_positions,
    .get_fills = paper_get_fills,
};
