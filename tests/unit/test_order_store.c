/* Unit tests of the order store (src/exec/order_store.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "exec/order_store.h"

#define QTY   TL_FIXED_INT(10)
#define PRICE TL_FIXED_INT(100)

static uint64_t add(tl_order_store *s, tl_fixed qty)
{
    tl_order proto, *o = NULL;
    tl_order_init(&proto, 0, 1, TL_SIDE_BUY, TL_ORDER_LIMIT, PRICE, qty, 10);
    assert_int_equal(tl_order_store_add(s, &proto, &o), 0);
    assert_non_null(o);
    return o->client_seq;
}

static tl_fill mkfill(uint64_t client_seq, const char *trade_id, tl_fixed qty)
{
    tl_fill f;
    memset(&f, 0, sizeof(f));
    snprintf(f.trade_id, sizeof(f.trade_id), "%s", trade_id);
    f.client_seq = client_seq;
    f.qty = qty;
    f.price = PRICE;
    f.fee = 1;
    f.ts_ns = 20;
    return f;
}

static int fill(tl_order_store *s, uint64_t client_seq, const char *trade_id, tl_fixed qty)
{
    tl_fill f = mkfill(client_seq, trade_id, qty);
    return tl_order_store_fill(s, &f, NULL, NULL);
}

static void cancel(tl_order_store *s, uint64_t seq)
{
    assert_int_equal(tl_order_store_apply(s, seq, TL_OEV_CANCEL_REQUEST, 30, NULL), 0);
    assert_int_equal(tl_order_store_apply(s, seq, TL_OEV_CANCEL_ACK, 31, NULL), 0);
}

static void test_add_and_lookup(void **state)
{
    (void)state;
    tl_order_store s;
    assert_int_equal(tl_order_store_init(&s, 4, 0), 0);
    tl_order proto, *o = NULL;
    tl_order_init(&proto, 5, 6, TL_SIDE_SELL, TL_ORDER_LIMIT, PRICE, QTY, 10);
    assert_int_equal(tl_order_store_add(&s, &proto, &o), 0);
    assert_int_equal(o->client_seq, 1);
    assert_int_equal(o->instrument, 5);
    assert_int_equal(o->account, 6);
    assert_int_equal(o->status, TL_OS_PENDING_NEW);
    assert_int_equal(add(&s, QTY), 2);
    assert_int_equal(add(&s, QTY), 3);
    assert_ptr_equal(tl_order_store_by_client(&s, 1), o);
    assert_null(tl_order_store_by_client(&s, 0));
    assert_null(tl_order_store_by_client(&s, 4));
    assert_null(tl_order_store_by_venue(&s, 1)); /* no venue id bound yet */
    assert_int_equal(s.stats.added, 3);
    assert_int_equal(s.used, 3);

    /* A restart continuing numbering; one that would reuse a live number is refused. */
    tl_order_store_set_next_seq(&s, 100);
    assert_int_equal(add(&s, QTY), 100);
    tl_order_store_set_next_seq(&s, 2);
    assert_int_equal(tl_order_store_add(&s, &proto, &o), TL_EDUPLICATE);
    assert_int_equal(s.stats.added, 4);
    tl_order_store_set_next_seq(&s, 0); /* 0 is "no order": numbering restarts at 1 */
    assert_int_equal(s.next_client_seq, 1);
    tl_order_store_close(&s);
}

static void test_bind_venue_and_by_id(void **state)
{
    (void)state;
    tl_order_store s;
    tl_err err = {0};
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    uint64_t a = add(&s, QTY), b = add(&s, QTY);
    tl_order *oa = tl_order_store_by_client(&s, a), *ob = tl_order_store_by_client(&s, b);

    assert_int_equal(tl_order_store_bind_venue(&s, oa, 7, &err), 0);
    assert_ptr_equal(tl_order_store_by_venue(&s, 7), oa);
    assert_int_equal(tl_order_store_bind_venue(&s, oa, 7, &err), 0); /* same ack twice */
    assert_int_equal(tl_order_store_bind_venue(&s, ob, 7, &err), TL_EDUPLICATE);
    assert_string_equal(err.msg, "CLI00000002: ORD000007 already belongs to another order");
    assert_int_equal(ob->venue_seq, 0);
    assert_ptr_equal(tl_order_store_by_venue(&s, 7), oa);
    assert_int_equal(tl_order_store_bind_venue(&s, oa, 8, &err), TL_ESTATE);
    assert_int_equal(oa->venue_seq, 7);
    assert_null(tl_order_store_by_venue(&s, 8));
    assert_int_equal(tl_order_store_bind_venue(&s, ob, 0, &err), TL_EINVAL);
    tl_order outside = *ob;
    assert_int_equal(tl_order_store_bind_venue(&s, &outside, 9, &err), TL_EINVAL);
    assert_int_equal(tl_order_store_bind_venue(&s, &s.orders[s.cap - 1], 9, &err), TL_EINVAL);
    assert_int_equal(tl_order_store_bind_venue(&s, ob, 123456789, &err), 0);

    assert_ptr_equal(tl_order_store_by_id(&s, "CLI00000001"), oa);
    assert_ptr_equal(tl_order_store_by_id(&s, "CLI2"), ob);
    assert_ptr_equal(tl_order_store_by_id(&s, "ORD000007"), oa);
    assert_ptr_equal(tl_order_store_by_id(&s, "ORD123456789"), ob);
    assert_null(tl_order_store_by_id(&s, "CLI00000003"));
    assert_null(tl_order_store_by_id(&s, "ORD000001"));
    assert_null(tl_order_store_by_id(&s, "CLI"));
    assert_null(tl_order_store_by_id(&s, "XYZ00000001"));
    assert_null(tl_order_store_by_id(&s, ""));
    assert_null(tl_order_store_by_id(&s, NULL));
    tl_order_store_close(&s);
}

/* 100k orders from an initial pool of 16: the pools and indexes grow, every order stays findable
 * by both ids in one hash probe, and fill records keep their content. */
static void test_100k_orders(void **state)
{
    (void)state;
    enum { N = 100000 };
    tl_order_store s;
    char id[TL_ORDER_ID_MAX], trade[TL_TRADE_ID_MAX];
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    for (uint32_t i = 1; i <= N; i++) {
        tl_order *o = NULL;
        uint64_t seq = add(&s, QTY);
        assert_int_equal(seq, i);
        o = tl_order_store_by_client(&s, seq);
        assert_int_equal(tl_order_store_bind_venue(&s, o, 5000000 + i, NULL), 0);
        snprintf(trade, sizeof(trade), "T%u", i);
        assert_int_equal(fill(&s, seq, trade, TL_FIXED_INT(1)), 0);
    }
    assert_true(s.cap >= N);
    assert_true(s.fill_cap >= N);
    for (uint32_t i = 1; i <= N; i++) {
        tl_order *o = tl_order_store_by_client(&s, i);
        assert_non_null(o);
        assert_int_equal(o->client_seq, i);
        assert_ptr_equal(tl_order_store_by_venue(&s, 5000000 + i), o);
        assert_int_equal(o->status, TL_OS_PARTIALLY_FILLED);
        tl_fill f;
        assert_int_equal(tl_order_store_fills(&s, o, &f, 1), 1);
        snprintf(trade, sizeof(trade), "T%u", i);
        assert_string_equal(f.trade_id, trade);
        assert_int_equal(f.client_seq, i);
        if (i % 997 == 0) {
            tl_order_format_client_id(i, id);
            assert_ptr_equal(tl_order_store_by_id(&s, id), o);
            tl_order_format_venue_id(5000000 + i, id);
            assert_ptr_equal(tl_order_store_by_id(&s, id), o);
            assert_true(tl_order_store_has_trade(&s, trade));
        }
    }
    assert_int_equal(s.by_client.count, N);
    assert_int_equal(s.by_venue.count, N);
    assert_int_equal(s.trade_ids.count, N);
    tl_order_store_close(&s);
}

/* Within the planned capacity nothing is reallocated: same pool and index arrays throughout. */
static void test_no_allocation_within_plan(void **state)
{
    (void)state;
    enum { CAP = 1000 };
    tl_order_store s;
    char trade[TL_TRADE_ID_MAX];
    assert_int_equal(tl_order_store_init(&s, CAP, 100), 0);
    const void *orders = s.orders, *fills = s.fills, *c = s.by_client.slots, *v = s.by_venue.slots,
               *t = s.trade_ids.heads;
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < CAP / 2; i++) {
            uint64_t seq = add(&s, QTY);
            tl_order *o = tl_order_store_by_client(&s, seq);
            assert_int_equal(tl_order_store_bind_venue(&s, o, seq, NULL), 0);
            snprintf(trade, sizeof(trade), "R%d-%d", round, i);
            assert_int_equal(fill(&s, seq, trade, QTY), 0); /* FILLED: retired, then evicted */
        }
    }
    assert_int_equal(s.stats.evicted, 5 * CAP / 2 - 100);
    assert_ptr_equal(s.orders, orders);
    assert_ptr_equal(s.fills, fills);
    assert_ptr_equal(s.by_client.slots, c);
    assert_ptr_equal(s.by_venue.slots, v);
    assert_ptr_equal(s.trade_ids.heads, t);
    tl_order_store_close(&s);
}

static void test_duplicate_trade_id(void **state)
{
    (void)state;
    tl_order_store s;
    tl_err err = {0};
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    uint64_t a = add(&s, QTY), b = add(&s, QTY);
    tl_order *oa = tl_order_store_by_client(&s, a);
    assert_false(tl_order_store_has_trade(&s, "T1"));
    assert_int_equal(fill(&s, a, "T1", TL_FIXED_INT(2)), 0);
    assert_true(tl_order_store_has_trade(&s, "T1"));

    tl_order before = *oa;
    tl_fill f = mkfill(a, "T1", TL_FIXED_INT(2));
    tl_order *out = NULL;
    assert_int_equal(tl_order_store_fill(&s, &f, &out, &err), TL_EDUPLICATE);
    assert_string_equal(err.msg, "CLI00000001: trade T1 already applied");
    assert_null(out);
    assert_memory_equal(oa, &before, sizeof(before));
    /* The same trade id claimed for another order is still a duplicate. */
    tl_order before_b = *tl_order_store_by_client(&s, b);
    assert_int_equal(fill(&s, b, "T1", TL_FIXED_INT(1)), TL_EDUPLICATE);
    assert_memory_equal(tl_order_store_by_client(&s, b), &before_b, sizeof(before_b));
    assert_int_equal(s.stats.dup_fills, 2);
    assert_int_equal(s.stats.fills, 1);
    tl_fill got[4];
    assert_int_equal(tl_order_store_fills(&s, oa, got, 4), 1);
    tl_order_store_close(&s);
}

/* Plants a copy of record `rec` (another id) at the head of trade-id bucket `bucket`, as if that
 * id hashed there too. */
static void plant(tl_order_store *s, uint32_t rec, uint32_t bucket)
{
    uint32_t fake = s->fill_free;
    assert_int_not_equal(fake, UINT32_MAX);
    s->fill_free = s->fills[fake].next;
    s->fills[fake] = s->fills[rec];
    s->fills[fake].chain = s->trade_ids.heads[bucket];
    s->trade_ids.heads[bucket] = fake;
    s->trade_ids.count++;
}

/* Two different trade ids in one bucket, as two ids with the same hash would be: real collisions
 * are impractical to find, so the test plants "A"'s record in "B"'s bucket, ahead of "B". */
static void test_trade_id_hash_collision(void **state)
{
    (void)state;
    tl_order_store s;
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    uint64_t a = add(&s, QTY);
    assert_int_equal(fill(&s, a, "A", TL_FIXED_INT(1)), 0);
    tl_order *o = tl_order_store_by_client(&s, a);
    uint32_t rec_a = o->fill_head;
    uint32_t bb = tl__order_store_trade_bucket(&s, "B");
    assert_int_not_equal(bb, UINT32_MAX);
    plant(&s, rec_a, bb);

    assert_false(tl_order_store_has_trade(&s, "B"));
    assert_int_equal(fill(&s, a, "B", TL_FIXED_INT(1)), 0); /* not mistaken for "A" */
    assert_true(tl_order_store_has_trade(&s, "B"));
    plant(&s, rec_a, bb); /* "A" again, now ahead of "B"'s own record */
    assert_true(tl_order_store_has_trade(&s, "B"));
    assert_int_equal(fill(&s, a, "B", TL_FIXED_INT(1)), TL_EDUPLICATE); /* found past "A" */
    assert_int_equal(o->filled_qty, TL_FIXED_INT(2));
    assert_int_equal(tl__order_store_trade_bucket(&s, ""), UINT32_MAX);
    tl_order_store_close(&s);
}

static void test_overfill(void **state)
{
    (void)state;
    tl_order_store s;
    tl_err err = {0};
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    uint64_t a = add(&s, QTY);
    assert_int_equal(fill(&s, a, "T1", TL_FIXED_INT(4)), 0);
    tl_order *o = tl_order_store_by_client(&s, a), before = *o;
    tl_fill f = mkfill(a, "T2", TL_FIXED_INT(6) + 1);
    assert_int_equal(tl_order_store_fill(&s, &f, NULL, &err), TL_EOVERFILL);
    assert_int_equal(err.code, TL_EOVERFILL);
    assert_memory_equal(o, &before, sizeof(before));
    assert_int_equal(s.stats.overfills, 1);
    assert_int_equal(s.stats.fills, 1);
    assert_false(tl_order_store_has_trade(&s, "T2")); /* a refused fill leaves no trace */
    assert_int_equal(s.trade_ids.count, 1);
    /* The venue's corrected report with the same trade id is then accepted. */
    assert_int_equal(fill(&s, a, "T2", TL_FIXED_INT(6)), 0);
    assert_int_equal(o->status, TL_OS_FILLED);
    assert_int_equal(fill(&s, a, "T3", 1), TL_EOVERFILL); /* nothing left */
    assert_int_equal(s.stats.overfills, 2);
    tl_order_store_close(&s);
}

static void test_unknown_and_invalid_fills(void **state)
{
    (void)state;
    tl_order_store s;
    tl_err err = {0};
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    uint64_t a = add(&s, QTY);
    assert_int_equal(fill(&s, 999, "T1", 1), TL_ENOTFOUND);
    assert_int_equal(fill(&s, 0, "T1", 1), TL_ENOTFOUND);
    assert_int_equal(s.stats.unknown_fills, 2);
    assert_false(tl_order_store_has_trade(&s, "T1"));

    tl_order *o = tl_order_store_by_client(&s, a), before = *o;
    tl_fill f = mkfill(a, "", 1);
    assert_int_equal(tl_order_store_fill(&s, &f, NULL, &err), TL_EINVAL);
    memset(f.trade_id, 'X', sizeof(f.trade_id)); /* no NUL within TL_TRADE_ID_MAX */
    assert_int_equal(tl_order_store_fill(&s, &f, NULL, &err), TL_EINVAL);
    f = mkfill(a, "T1", 0);
    assert_int_equal(tl_order_store_fill(&s, &f, NULL, &err), TL_EINVAL);
    f = mkfill(a, "T1", 1);
    f.price = 0;
    assert_int_equal(tl_order_store_fill(&s, &f, NULL, &err), TL_EINVAL);
    assert_memory_equal(o, &before, sizeof(before));
    assert_false(tl_order_store_has_trade(&s, "T1"));
    assert_int_equal(s.trade_ids.count, 0);
    assert_int_equal(s.stats.fills, 0);
    assert_int_equal(s.stats.overfills, 0);
    assert_int_equal(s.stats.dup_fills, 0);

    /* Fills on orders that take none: state error, nothing recorded. */
    assert_int_equal(tl_order_store_apply(&s, a, TL_OEV_REJECT, 40, NULL), 0);
    assert_int_equal(fill(&s, a, "T1", 1), TL_ESTATE);
    assert_false(tl_order_store_has_trade(&s, "T1"));
    assert_false(tl_order_store_has_trade(&s, ""));
    assert_false(tl_order_store_has_trade(&s, NULL));
    tl_order_store_close(&s);
}

static void test_apply(void **state)
{
    (void)state;
    tl_order_store s;
    tl_err err = {0};
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    uint64_t a = add(&s, QTY);
    assert_int_equal(tl_order_store_apply(&s, 77, TL_OEV_ACCEPT, 1, &err), TL_ENOTFOUND);
    assert_string_equal(err.msg, "CLI00000077: no such order");
    assert_int_equal(tl_order_store_apply(&s, a, TL_OEV_ACCEPT, 50, &err), 0);
    tl_order *o = tl_order_store_by_client(&s, a);
    assert_int_equal(o->status, TL_OS_OPEN);
    assert_int_equal(o->updated_ns, 50);
    assert_int_equal(tl_order_store_apply(&s, a, TL_OEV_ACCEPT, 51, &err), TL_ESTATE);
    assert_int_equal(o->updated_ns, 50);
    assert_int_equal(s.retired, 0);
    assert_int_equal(tl_order_store_apply(&s, a, TL_OEV_EXPIRE, 52, &err), 0);
    assert_int_equal(s.retired, 1);
    tl_order_store_close(&s);
}

static void test_late_fill(void **state)
{
    (void)state;
    tl_order_store s;
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    uint64_t a = add(&s, QTY), b = add(&s, QTY);
    assert_int_equal(fill(&s, a, "T1", TL_FIXED_INT(2)), 0);
    cancel(&s, a);
    assert_int_equal(tl_order_store_apply(&s, b, TL_OEV_ACCEPT, 1, NULL), 0);
    assert_int_equal(tl_order_store_apply(&s, b, TL_OEV_EXPIRE, 2, NULL), 0);

    tl_fill f = mkfill(a, "T2", TL_FIXED_INT(3));
    tl_order *out = NULL;
    assert_int_equal(tl_order_store_fill(&s, &f, &out, NULL), 0);
    assert_ptr_equal(out, tl_order_store_by_client(&s, a));
    assert_int_equal(out->status, TL_OS_CANCELED);
    assert_int_equal(out->filled_qty, TL_FIXED_INT(5));
    assert_int_equal(fill(&s, b, "T3", QTY), 0);
    assert_int_equal(tl_order_store_by_client(&s, b)->status, TL_OS_EXPIRED);
    assert_int_equal(s.stats.late_fills, 2);
    assert_int_equal(s.stats.fills, 3);
    assert_true(tl_order_store_has_trade(&s, "T2"));
    assert_int_equal(s.retired, 2); /* each queued once, when it became terminal */
    tl_order_store_close(&s);
}

static void test_fills_oldest_first(void **state)
{
    (void)state;
    tl_order_store s;
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    uint64_t a = add(&s, QTY), b = add(&s, QTY);
    const char *ids_a[] = {"A1", "A2", "A3", "A4"};
    for (int i = 0; i < 4; i++) {
        tl_fill f = mkfill(a, ids_a[i], TL_FIXED_INT(1 + i));
        f.ts_ns = 100 + i;
        assert_int_equal(tl_order_store_fill(&s, &f, NULL, NULL), 0);
        assert_int_equal(fill(&s, b, i % 2 ? "B1" : "B0", TL_FIXED_INT(1)),
                         i < 2 ? 0 : TL_EDUPLICATE);
    }
    tl_order *oa = tl_order_store_by_client(&s, a);
    tl_fill got[8];
    memset(got, 0, sizeof(got));
    assert_int_equal(tl_order_store_fills(&s, oa, got, 8), 4);
    for (int i = 0; i < 4; i++) {
        assert_string_equal(got[i].trade_id, ids_a[i]);
        assert_int_equal(got[i].qty, TL_FIXED_INT(1 + i));
        assert_int_equal(got[i].price, PRICE);
        assert_int_equal(got[i].fee, 1);
        assert_int_equal(got[i].ts_ns, 100 + i);
        assert_int_equal(got[i].client_seq, a);
    }
    assert_int_equal(oa->status, TL_OS_FILLED);
    memset(got, 0, sizeof(got));
    assert_int_equal(tl_order_store_fills(&s, oa, got, 2), 2);
    assert_string_equal(got[0].trade_id, "A1");
    assert_string_equal(got[1].trade_id, "A2");
    assert_int_equal(got[2].qty, 0); /* cap respected */
    assert_int_equal(tl_order_store_fills(&s, tl_order_store_by_client(&s, b), got, 8), 2);
    assert_string_equal(got[0].trade_id, "B0");
    assert_string_equal(got[1].trade_id, "B1");
    tl_order_store_close(&s);
}

/* retain N: the N most recent terminal orders stay findable; the next terminal one evicts the
 * oldest, with its ids and trade ids. */
static void test_retire_boundary(void **state)
{
    (void)state;
    enum { RETAIN = 3 };
    tl_order_store s;
    char trade[TL_TRADE_ID_MAX];
    assert_int_equal(tl_order_store_init(&s, 16, RETAIN), 0);
    uint64_t seq[6];
    for (int i = 0; i < 6; i++) {
        seq[i] = add(&s, QTY);
        assert_int_equal(
            tl_order_store_bind_venue(&s, tl_order_store_by_client(&s, seq[i]), 100 + i, NULL), 0);
        snprintf(trade, sizeof(trade), "P%d", i);
        assert_int_equal(fill(&s, seq[i], trade, TL_FIXED_INT(1)), 0);
    }
    /* Three ways to end: filled, canceled, expired. */
    assert_int_equal(fill(&s, seq[0], "F0", TL_FIXED_INT(9)), 0);
    cancel(&s, seq[1]);
    assert_int_equal(tl_order_store_apply(&s, seq[2], TL_OEV_EXPIRE, 1, NULL), 0);
    assert_int_equal(s.retired, RETAIN);
    assert_int_equal(s.stats.evicted, 0);
    for (int i = 0; i < 6; i++)
        assert_non_null(tl_order_store_by_client(&s, seq[i]));

    /* The N+1th terminal order: the oldest (seq[0]) goes, everything else stays. */
    cancel(&s, seq[3]);
    assert_int_equal(s.retired, RETAIN);
    assert_int_equal(s.stats.evicted, 1);
    assert_null(tl_order_store_by_client(&s, seq[0]));
    assert_null(tl_order_store_by_venue(&s, 100));
    assert_null(tl_order_store_by_id(&s, "CLI00000001"));
    assert_false(tl_order_store_has_trade(&s, "P0"));
    assert_false(tl_order_store_has_trade(&s, "F0"));
    for (int i = 1; i < 6; i++) {
        assert_non_null(tl_order_store_by_client(&s, seq[i]));
        assert_non_null(tl_order_store_by_venue(&s, 100 + (uint64_t)i));
        snprintf(trade, sizeof(trade), "P%d", i);
        assert_true(tl_order_store_has_trade(&s, trade));
    }
    assert_int_equal(s.used, 5);
    assert_int_equal(s.trade_ids.count, 5);

    /* A late fill for the evicted order is unknown; its trade id is free again elsewhere. */
    assert_int_equal(fill(&s, seq[0], "L0", 1), TL_ENOTFOUND);
    assert_int_equal(s.stats.unknown_fills, 1);
    assert_int_equal(fill(&s, seq[4], "F0", TL_FIXED_INT(1)), 0);
    /* A late fill for a retained one is applied. */
    assert_int_equal(fill(&s, seq[1], "L1", TL_FIXED_INT(1)), 0);
    assert_int_equal(s.stats.late_fills, 1);
    tl_order_store_close(&s);
}

/* An order already queued that receives a late fill is not queued a second time. */
static void test_late_fill_not_requeued(void **state)
{
    (void)state;
    tl_order_store s;
    assert_int_equal(tl_order_store_init(&s, 16, 2), 0);
    uint64_t a = add(&s, QTY), b = add(&s, QTY), c = add(&s, QTY), d = add(&s, QTY);
    cancel(&s, a);
    assert_int_equal(fill(&s, a, "LA1", TL_FIXED_INT(1)), 0);
    assert_int_equal(fill(&s, a, "LA2", TL_FIXED_INT(9)), 0); /* completes it: still CANCELED */
    assert_int_equal(tl_order_store_by_client(&s, a)->status, TL_OS_CANCELED);
    assert_int_equal(s.retired, 1);
    cancel(&s, b);
    assert_int_equal(s.retired, 2);
    cancel(&s, c);
    assert_int_equal(s.stats.evicted, 1);
    assert_null(tl_order_store_by_client(&s, a));
    assert_false(tl_order_store_has_trade(&s, "LA1"));
    assert_false(tl_order_store_has_trade(&s, "LA2"));
    assert_non_null(tl_order_store_by_client(&s, b));
    assert_non_null(tl_order_store_by_client(&s, c));
    cancel(&s, d);
    assert_int_equal(s.stats.evicted, 2);
    assert_null(tl_order_store_by_client(&s, b));
    assert_non_null(tl_order_store_by_client(&s, c));
    assert_non_null(tl_order_store_by_client(&s, d));
    assert_int_equal(s.retired, 2);
    assert_int_equal(s.used, 2);
    tl_order_store_close(&s);
}

/* Evicted slots and fill records are reused before the pools grow. */
static void test_slot_reuse(void **state)
{
    (void)state;
    tl_order_store s;
    assert_int_equal(tl_order_store_init(&s, 16, 1), 0);
    uint64_t a = add(&s, QTY);
    tl_order *oa = tl_order_store_by_client(&s, a);
    assert_int_equal(fill(&s, a, "T1", QTY), 0);
    uint32_t rec = oa->fill_head;
    uint64_t b = add(&s, QTY);
    cancel(&s, b); /* a is evicted */
    assert_int_equal(s.stats.evicted, 1);
    uint32_t cap = s.cap, fill_cap = s.fill_cap;
    tl_order proto, *oc = NULL;
    tl_order_init(&proto, 9, 9, TL_SIDE_SELL, TL_ORDER_MARKET, PRICE, QTY, 99);
    assert_int_equal(tl_order_store_add(&s, &proto, &oc), 0);
    assert_ptr_equal(oc, oa); /* the freed slot */
    assert_int_equal(oc->client_seq, 3);
    assert_int_equal(oc->instrument, 9);
    assert_int_equal(oc->filled_qty, 0);
    assert_int_equal(oc->fill_head, UINT32_MAX);
    assert_int_equal(fill(&s, oc->client_seq, "T2", TL_FIXED_INT(1)), 0);
    assert_int_equal(oc->fill_head, rec); /* the freed fill record */
    tl_fill got[2];
    assert_int_equal(tl_order_store_fills(&s, oc, got, 2), 1);
    assert_string_equal(got[0].trade_id, "T2");
    assert_int_equal(s.cap, cap);
    assert_int_equal(s.fill_cap, fill_cap);
    tl_order_store_close(&s);
}

/* An order added already terminal (denied by risk before it was ever sent) is retired at once. */
static void test_add_terminal(void **state)
{
    (void)state;
    tl_order_store s;
    assert_int_equal(tl_order_store_init(&s, 16, 1), 0);
    tl_order proto, *o;
    tl_order_init(&proto, 0, 1, TL_SIDE_BUY, TL_ORDER_LIMIT, PRICE, QTY, 10);
    proto.status = TL_OS_DENIED;
    assert_int_equal(tl_order_store_add(&s, &proto, &o), 0);
    assert_int_equal(s.retired, 1);
    assert_int_equal(tl_order_store_add(&s, &proto, &o), 0);
    assert_int_equal(s.retired, 1);
    assert_int_equal(s.stats.evicted, 1);
    assert_null(tl_order_store_by_client(&s, 1));
    assert_ptr_equal(tl_order_store_by_client(&s, 2), o);
    proto.status = TL_OS__COUNT;
    assert_int_equal(tl_order_store_add(&s, &proto, &o), TL_EINVAL);
    tl_order_store_close(&s);
}

typedef struct visit {
    uint64_t seen[16];
    int n, stop_at;
} visit;

static int record(void *ctx, tl_order *o)
{
    visit *v = ctx;
    v->seen[v->n++] = o->client_seq;
    return v->n == v->stop_at ? 42 : 0;
}

static void test_each_live(void **state)
{
    (void)state;
    tl_order_store s;
    assert_int_equal(tl_order_store_init(&s, 16, 1), 0);
    uint64_t seq[7];
    for (int i = 0; i < 7; i++)
        seq[i] = add(&s, QTY);
    assert_int_equal(tl_order_store_apply(&s, seq[1], TL_OEV_REJECT, 1, NULL), 0);
    assert_int_equal(tl_order_store_apply(&s, seq[2], TL_OEV_ACCEPT, 1, NULL), 0);
    assert_int_equal(tl_order_store_apply(&s, seq[3], TL_OEV_CANCEL_REQUEST, 1, NULL), 0);
    assert_int_equal(fill(&s, seq[4], "T4", TL_FIXED_INT(1)), 0);
    cancel(&s, seq[5]); /* evicts seq[1]: its slot is free now */
    assert_null(tl_order_store_by_client(&s, seq[1]));

    visit v = {.stop_at = -1};
    assert_int_equal(tl_order_store_each_live(&s, record, &v), 0);
    assert_int_equal(v.n, 5);
    const uint64_t want[] = {seq[0], seq[2], seq[3], seq[4], seq[6]};
    for (int i = 0; i < 5; i++)
        assert_int_equal(v.seen[i], want[i]);

    visit stop = {.stop_at = 2};
    assert_int_equal(tl_order_store_each_live(&s, record, &stop), 42);
    assert_int_equal(stop.n, 2);
    tl_order_store_close(&s);
}

/* create is add of a tl_order_init proto, byte for byte, in a fresh slot and in a reused one. */
static void test_create_matches_add(void **state)
{
    (void)state;
    tl_order_store s, t;
    tl_order proto, *made = NULL, *added = NULL;
    assert_int_equal(tl_order_store_init(&s, 16, 1), 0);
    assert_int_equal(tl_order_store_init(&t, 16, 1), 0);
    for (int round = 0; round < 3; round++) {
        int64_t now = 1000 + round;
        tl_fixed price = PRICE + round;
        assert_int_equal(
            tl_order_store_create(&s, 7, 3, TL_SIDE_SELL, TL_ORDER_MARKET, price, QTY, now, &made),
            0);
        tl_order_init(&proto, 7, 3, TL_SIDE_SELL, TL_ORDER_MARKET, price, QTY, now);
        assert_int_equal(tl_order_store_add(&t, &proto, &added), 0);
        assert_memory_equal(made, added, sizeof(*made));
        assert_ptr_equal(tl_order_store_by_client(&s, made->client_seq), made);
        /* Fill and retire both, so the next round reuses an evicted slot. */
        char trade[TL_TRADE_ID_MAX];
        snprintf(trade, sizeof(trade), "R%d", round);
        assert_int_equal(fill(&s, made->client_seq, trade, QTY), 0);
        assert_int_equal(fill(&t, added->client_seq, trade, QTY), 0);
    }
    assert_int_equal(s.stats.evicted, 2);
    assert_int_equal(s.stats.added, 3);
    tl_order_store_close(&s);
    tl_order_store_close(&t);
}

/* The variants that take an order the caller already holds: same results, and an order that is
 * not the store's is refused or ignored, never trusted. */
static void test_order_variants(void **state)
{
    (void)state;
    tl_order_store s;
    tl_err err = {0};
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    uint64_t a = add(&s, QTY), b = add(&s, QTY);
    tl_order *oa = tl_order_store_by_client(&s, a), *ob = tl_order_store_by_client(&s, b);

    assert_int_equal(tl_order_store_apply_order(&s, oa, TL_OEV_ACCEPT, 5, &err), 0);
    assert_int_equal(oa->status, TL_OS_OPEN);
    assert_int_equal(tl_order_store_apply_order(&s, oa, TL_OEV_ACCEPT, 6, &err), TL_ESTATE);
    tl_order outside = *oa;
    assert_int_equal(tl_order_store_apply_order(&s, &outside, TL_OEV_EXPIRE, 7, &err),
                     TL_ENOTFOUND);
    assert_int_equal(tl_order_store_apply_order(&s, NULL, TL_OEV_EXPIRE, 7, &err), TL_ENOTFOUND);
    tl_order *misaligned = (tl_order *)((char *)oa + 8);
    assert_int_equal(tl_order_store_apply_order(&s, misaligned, TL_OEV_EXPIRE, 7, &err),
                     TL_ENOTFOUND);
    assert_int_equal(oa->status, TL_OS_OPEN);

    /* fill_order with the right order, with NULL (looked up), with the wrong order (ignored). */
    tl_fill f = mkfill(a, "F1", TL_FIXED_INT(1));
    tl_order *out = NULL;
    assert_int_equal(tl_order_store_fill_order(&s, oa, &f, &out, &err), 0);
    assert_ptr_equal(out, oa);
    f = mkfill(a, "F2", TL_FIXED_INT(1));
    assert_int_equal(tl_order_store_fill_order(&s, NULL, &f, &out, &err), 0);
    assert_ptr_equal(out, oa);
    f = mkfill(a, "F3", TL_FIXED_INT(1));
    assert_int_equal(tl_order_store_fill_order(&s, ob, &f, &out, &err), 0);
    assert_ptr_equal(out, oa);
    assert_int_equal(oa->filled_qty, TL_FIXED_INT(3));
    assert_int_equal(ob->filled_qty, 0);
    f = mkfill(a, "F3", TL_FIXED_INT(1));
    assert_int_equal(tl_order_store_fill_order(&s, oa, &f, NULL, &err), TL_EDUPLICATE);
    f = mkfill(99, "F4", TL_FIXED_INT(1));
    assert_int_equal(tl_order_store_fill_order(&s, oa, &f, NULL, &err), TL_ENOTFOUND);
    assert_int_equal(s.stats.unknown_fills, 1);
    assert_int_equal(s.stats.dup_fills, 1);
    assert_int_equal(s.stats.fills, 3);
    tl_order_store_close(&s);
}

/* Fill records past the planned capacity: the trade-id set grows with them and still finds every
 * id, and still refuses duplicates. */
static void test_trade_set_grows(void **state)
{
    (void)state;
    enum { N = 1000 };
    tl_order_store s;
    char trade[TL_TRADE_ID_MAX];
    assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
    uint32_t *heads = s.trade_ids.heads;
    for (int i = 0; i < N; i++) {
        uint64_t seq = add(&s, QTY);
        snprintf(trade, sizeof(trade), "G-%d", i);
        assert_int_equal(fill(&s, seq, trade, TL_FIXED_INT(1)), 0);
    }
    assert_true(s.trade_ids.heads != heads);
    assert_int_equal(s.trade_ids.count, N);
    for (int i = 0; i < N; i++) {
        snprintf(trade, sizeof(trade), "G-%d", i);
        assert_true(tl_order_store_has_trade(&s, trade));
        assert_int_equal(fill(&s, (uint64_t)(i % 7) + 1, trade, TL_FIXED_INT(1)), TL_EDUPLICATE);
    }
    assert_false(tl_order_store_has_trade(&s, "G-1000"));
    assert_false(tl_order_store_has_trade(&s, "G-"));
    assert_int_equal(s.stats.dup_fills, N);
    tl_order_store_close(&s);
}

/* An order that stays open while far more orders than the planned capacity come and go: the id
 * indexes keep it (it moves out of their windows), and it is still filled, found and evicted. */
static void test_long_lived_order(void **state)
{
    (void)state;
    enum { CAP = 16, RETAIN = 4 };
    tl_order_store s;
    char trade[TL_TRADE_ID_MAX];
    assert_int_equal(tl_order_store_init(&s, CAP, RETAIN), 0);
    uint64_t old = add(&s, QTY);
    tl_order *o = tl_order_store_by_client(&s, old);
    assert_int_equal(tl_order_store_bind_venue(&s, o, 1, NULL), 0);
    for (uint64_t i = 0; i < 10 * CAP; i++) {
        uint64_t seq = add(&s, QTY);
        assert_int_equal(
            tl_order_store_bind_venue(&s, tl_order_store_by_client(&s, seq), seq, NULL), 0);
        snprintf(trade, sizeof(trade), "L-%llu", (unsigned long long)seq);
        assert_int_equal(fill(&s, seq, trade, QTY), 0);
    }
    assert_int_equal(s.by_client.count, 1 + RETAIN);
    assert_int_equal(s.by_venue.count, 1 + RETAIN);
    assert_int_equal(s.by_client.spill.count, 1); /* pushed out of the window */
    assert_int_equal(s.by_venue.spill.count, 1);
    assert_ptr_equal(tl_order_store_by_client(&s, old), o);
    assert_ptr_equal(tl_order_store_by_venue(&s, 1), o);
    /* Its number is still taken. */
    tl_order proto, *dup = NULL;
    tl_order_init(&proto, 0, 1, TL_SIDE_BUY, TL_ORDER_LIMIT, PRICE, QTY, 10);
    uint64_t next = s.next_client_seq;
    tl_order_store_set_next_seq(&s, old);
    assert_int_equal(tl_order_store_add(&s, &proto, &dup), TL_EDUPLICATE);
    tl_order_store_set_next_seq(&s, next);
    uint64_t fresh = add(&s, QTY); /* and so is its venue id */
    assert_int_equal(tl_order_store_bind_venue(&s, tl_order_store_by_client(&s, fresh), 1, NULL),
                     TL_EDUPLICATE);
    cancel(&s, fresh);
    assert_int_equal(fill(&s, old, "L-old", QTY), 0);
    for (int i = 0; i < RETAIN; i++)
        cancel(&s, add(&s, QTY));
    assert_null(tl_order_store_by_client(&s, old));
    assert_null(tl_order_store_by_venue(&s, 1));
    assert_false(tl_order_store_has_trade(&s, "L-old"));
    tl_order_store_close(&s);
}

/* Venue trade ids share a prefix: "VENUE-T-00000001", "VENUE-T-00000002", ... agree in their
 * first 8 bytes (and ids of 17 to 31 bytes in their first 16 or 24), so the set must tell them
 * apart by every word of the id, hash and compare, and still refuse a real duplicate. Hundreds of
 * them on one order share buckets, so a comparison of the first word alone would call a new id a
 * duplicate. */
/* Ids ending in eight digits (a venue's trade counter) are bucketed by the value of those digits
 * plus a mix of what comes before: consecutive trades land in consecutive buckets, a window over
 * the sequence, and ids that differ only before their last eight digits spread out. Ids that share
 * a bucket stay distinct. */
static void test_trade_ids_ending_in_a_counter(void **state)
{
    (void)state;
    tl_order_store s;
    char id[TL_TRADE_ID_MAX];
    assert_int_equal(tl_order_store_init(&s, 1024, 0), 0);
    uint32_t mask = s.trade_ids.mask;
    const char *fmt[] = {"T%010d", "%d", "X-%08d", "VENUE-2026-12-04-%08d"};
    for (size_t f = 0; f < sizeof(fmt) / sizeof(fmt[0]); f++) {
        snprintf(id, sizeof(id), fmt[f], 10000000);
        uint32_t first = tl__order_store_trade_bucket(&s, id);
        for (int i = 10000001; i < 10003000; i++) {
            snprintf(id, sizeof(id), fmt[f], i);
            assert_int_equal(tl__order_store_trade_bucket(&s, id), (first + i - 10000000) & mask);
        }
    }
    /* A counter followed by a constant run of digits: the counter, before the last eight
     * digits, still spreads the ids (1000 ids over at least 500 of 2048 buckets). */
    char seen[4096] = {0};
    int distinct = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof(id), "T%d-00000001", i);
        uint32_t b = tl__order_store_trade_bucket(&s, id);
        assert_true(b < sizeof(seen));
        distinct += !seen[b];
        seen[b] = 1;
    }
    assert_true(distinct >= 500);
    uint64_t a = add(&s, TL_FIXED_INT(10));
    const char *same_digits[] = {"T0000000042", "U0000000042", "10000000042", "00000042"};
    for (size_t i = 0; i < 4; i++) {
        assert_false(tl_order_store_has_trade(&s, same_digits[i]));
        assert_int_equal(fill(&s, a, same_digits[i], TL_FIXED_INT(1)), 0);
    }
    for (size_t i = 0; i < 4; i++) {
        assert_true(tl_order_store_has_trade(&s, same_digits[i]));
        assert_int_equal(fill(&s, a, same_digits[i], TL_FIXED_INT(1)), TL_EDUPLICATE);
    }
    assert_false(tl_order_store_has_trade(&s, "V0000000042"));
    assert_int_equal(s.trade_ids.count, 4);
    tl_order_store_close(&s);
}

static void test_trade_ids_sharing_a_prefix(void **state)
{
    (void)state;
    enum { N = 300 };
    const char *fmt[] = {"VENUE-T-%08d", "VENUE-T-00000000%07d", "VENUE-T-0000000000000000%07d"};
    for (size_t v = 0; v < sizeof(fmt) / sizeof(fmt[0]); v++) {
        tl_order_store s;
        char id[TL_TRADE_ID_MAX];
        assert_int_equal(tl_order_store_init(&s, 16, 0), 0);
        uint64_t a = add(&s, TL_FIXED_INT(N + 1));
        for (int i = 1; i <= N; i++) {
            snprintf(id, sizeof(id), fmt[v], i);
            assert_false(tl_order_store_has_trade(&s, id));
            int rc = fill(&s, a, id, TL_FIXED_INT(1));
            if (rc != 0)
                fail_msg("%s refused (%s) after %d fills", id, tl_errname(rc), i - 1);
        }
        assert_int_equal(s.trade_ids.count, N);
        assert_int_equal(s.stats.fills, N);
        /* The words past the shared prefix reach the hash: the ids spread over the buckets
         * (read once the set has stopped growing, as a resize renumbers them). */
        snprintf(id, sizeof(id), fmt[v], 1);
        uint32_t first_bucket = tl__order_store_trade_bucket(&s, id);
        int buckets_differ = 0;
        for (int i = 1; i <= N; i++) {
            snprintf(id, sizeof(id), fmt[v], i);
            buckets_differ |= tl__order_store_trade_bucket(&s, id) != first_bucket;
        }
        assert_true(buckets_differ);
        for (int i = 1; i <= N; i++) {
            snprintf(id, sizeof(id), fmt[v], i);
            assert_true(tl_order_store_has_trade(&s, id));
            assert_int_equal(fill(&s, a, id, TL_FIXED_INT(1)), TL_EDUPLICATE);
        }
        snprintf(id, sizeof(id), fmt[v], N + 1);
        assert_false(tl_order_store_has_trade(&s, id));
        tl_order *o = tl_order_store_by_client(&s, a);
        assert_int_equal(o->filled_qty, TL_FIXED_INT(N));
        assert_int_equal(s.stats.dup_fills, N);
        tl_fill got[N + 1];
        assert_int_equal(tl_order_store_fills(&s, o, got, N + 1), N);
        for (int i = 1; i <= N; i++) {
            snprintf(id, sizeof(id), fmt[v], i);
            assert_string_equal(got[i - 1].trade_id, id);
        }
        snprintf(id, sizeof(id), fmt[v], N + 1);
        assert_int_equal(fill(&s, a, id, TL_FIXED_INT(1)), 0); /* the last unit, a new id */
        tl_order_store_close(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_lookup),
        cmocka_unit_test(test_bind_venue_and_by_id),
        cmocka_unit_test(test_100k_orders),
        cmocka_unit_test(test_no_allocation_within_plan),
        cmocka_unit_test(test_duplicate_trade_id),
        cmocka_unit_test(test_trade_id_hash_collision),
        cmocka_unit_test(test_trade_ids_sharing_a_prefix),
        cmocka_unit_test(test_trade_ids_ending_in_a_counter),
        cmocka_unit_test(test_overfill),
        cmocka_unit_test(test_unknown_and_invalid_fills),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_late_fill),
        cmocka_unit_test(test_fills_oldest_first),
        cmocka_unit_test(test_retire_boundary),
        cmocka_unit_test(test_late_fill_not_requeued),
        cmocka_unit_test(test_slot_reuse),
        cmocka_unit_test(test_add_terminal),
        cmocka_unit_test(test_each_live),
        cmocka_unit_test(test_create_matches_add),
        cmocka_unit_test(test_order_variants),
        cmocka_unit_test(test_trade_set_grows),
        cmocka_unit_test(test_long_lived_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
