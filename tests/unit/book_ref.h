/* book_ref.h -- test_book.c's reference book: two arrays kept in priority order (best price,
 * then arrival), matched and cancelled by plain scans, written for obviousness, not speed. The
 * randomized run drives it and tl_lob with the same seeded operations and compares every fill,
 * every result and both sides' depth after every step. Included by test_book.c only (after its
 * fills type, on_fill, check and the constants). */
#ifndef TL_TEST_BOOK_REF_H
#define TL_TEST_BOOK_REF_H

typedef struct ref_order {
    uint64_t id, seq, tick;
    uint32_t acct;
    tl_fixed qty;
} ref_order;

typedef struct ref_book {
    ref_order *o[2]; /* per side, best first */
    size_t n[2];
    uint64_t seq;
} ref_book;

/* Whether a goes before b on side. */
static bool ref_before(uint8_t side, const ref_order *a, const ref_order *b)
{
    if (a->tick != b->tick)
        return side == BUY ? a->tick > b->tick : a->tick < b->tick;
    return a->seq < b->seq;
}

static void ref_remove(ref_book *r, uint8_t side, size_t i)
{
    memmove(&r->o[side][i], &r->o[side][i + 1], (r->n[side] - i - 1) * sizeof(ref_order));
    r->n[side]--;
}

static bool ref_crosses(uint8_t side, uint8_t type, uint64_t limit, uint64_t t)
{
    return type == MKT || (side == BUY ? t <= limit : t >= limit);
}

/* The reference's submit: fills into fs, the result into res. */
static void ref_submit(ref_book *r, const tl_lob_order *o, fills *fs, tl_lob_result *res)
{
    uint8_t opp = o->side ^ 1;
    uint64_t limit = o->type == LIM ? (uint64_t)(o->price / TICK) : 0;
    memset(res, 0, sizeof(*res));
    fs->n = 0;
    r->seq++;
    if (o->tif == TL_LOB_FOK) {
        tl_fixed avail = 0;
        for (size_t i = 0; i < r->n[opp] && ref_crosses(o->side, o->type, limit, r->o[opp][i].tick);
             i++)
            avail += r->o[opp][i].qty;
        if (avail < o->qty) {
            res->status = TL_LOB_EXPIRED;
            return;
        }
    }
    tl_fixed left = o->qty;
    __int128 sum = 0;
    while (left > 0 && r->n[opp] > 0 && ref_crosses(o->side, o->type, limit, r->o[opp][0].tick)) {
        ref_order *m = &r->o[opp][0];
        tl_fixed q = m->qty < left ? m->qty : left;
        m->qty -= q;
        left -= q;
        tl_lob_fill f = {
            m->id, o->order_id, m->acct, o->account, o->side, m->qty == 0, (tl_fixed)m->tick * TICK,
            q};
        sum += (__int128)f.price * q;
        fs->f[fs->n++] = f;
        if (m->qty == 0)
            ref_remove(r, opp, 0);
    }
    res->fills = (uint32_t)fs->n;
    res->filled_qty = o->qty - left;
    assert_int_equal(tl_fixed_from_ratio128(sum, TL_FIXED_SCALE, &res->notional), 0);
    if (left > 0 && o->type == LIM && o->tif == TL_LOB_GTC) {
        ref_order n = {o->order_id, r->seq, limit, o->account, left};
        size_t i = 0;
        while (i < r->n[o->side] && ref_before(o->side, &r->o[o->side][i], &n))
            i++;
        memmove(&r->o[o->side][i + 1], &r->o[o->side][i], (r->n[o->side] - i) * sizeof(ref_order));
        r->o[o->side][i] = n;
        r->n[o->side]++;
        res->rested_qty = left;
    }
    res->status = left == 0 ? TL_LOB_FILLED
                  : res->rested_qty > 0
                      ? (res->filled_qty > 0 ? TL_LOB_PARTIALLY_FILLED : TL_LOB_NEW)
                      : TL_LOB_EXPIRED;
}

static void ref_same_fill(const tl_lob_fill *a, const tl_lob_fill *b)
{
    assert_int_equal(a->maker_order_id, b->maker_order_id);
    assert_int_equal(a->taker_order_id, b->taker_order_id);
    assert_int_equal(a->maker_account, b->maker_account);
    assert_int_equal(a->taker_account, b->taker_account);
    assert_int_equal(a->taker_side, b->taker_side);
    assert_int_equal(a->maker_done, b->maker_done);
    assert_int_equal(a->price, b->price);
    assert_int_equal(a->qty, b->qty);
}

/* Both sides' aggregated depth of the book equal the reference's. */
static void ref_compare_depth(const ref_book *r, const tl_lob *b, tl_lob_level_info *buf,
                              size_t cap)
{
    for (uint8_t side = 0; side < 2; side++) {
        size_t n, k = 0;
        tl_lob_depth(b, side, cap, buf, &n);
        for (size_t i = 0; i < r->n[side]; k++) {
            tl_fixed qty = 0;
            uint32_t orders = 0;
            uint64_t t = r->o[side][i].tick;
            for (; i < r->n[side] && r->o[side][i].tick == t; i++, orders++)
                qty += r->o[side][i].qty;
            assert_true(k < n);
            assert_int_equal(buf[k].price, (tl_fixed)t * TICK);
            assert_int_equal(buf[k].qty, qty);
            assert_int_equal(buf[k].orders, orders);
        }
        assert_int_equal(n, k);
    }
}

/* `steps` seeded operations with prices within `width` ticks of 1000.00. */
static void book_ref_run(uint64_t seed, size_t steps, uint64_t width)
{
    static fills got, want;
    tl_lob b;
    ref_book r = {{NULL, NULL}, {0, 0}, 0};
    tl_prng rng;
    tl_prng_seed(&rng, seed);
    assert_int_equal(tl_lob_init(&b, TICK, LOT, 64, NULL), 0);
    r.o[0] = calloc(steps + 1, sizeof(ref_order));
    r.o[1] = calloc(steps + 1, sizeof(ref_order));
    tl_lob_level_info *buf = calloc(steps + 1, sizeof(*buf));
    assert_true(r.o[0] && r.o[1] && buf);
    uint64_t next_id = 1, total_fills = 0;
    size_t most = 0;
    for (size_t step = 0; step < steps; step++) {
        uint64_t pick = tl_prng_below(&rng, 100);
        if (pick < 20) { /* cancel a resting order, or one that does not rest */
            uint8_t side = (uint8_t)tl_prng_below(&rng, 2);
            uint64_t id = next_id + 1; /* not resting */
            size_t at = 0;
            if (r.n[side] > 0 && tl_prng_below(&rng, 10) > 0) {
                at = (size_t)tl_prng_below(&rng, r.n[side]);
                id = r.o[side][at].id;
            }
            tl_lob_resting out;
            int rc = tl_lob_cancel(&b, id, &out);
            if (id == next_id + 1) {
                assert_int_equal(rc, TL_ENOTFOUND);
            } else {
                assert_int_equal(rc, 0);
                assert_int_equal(out.remaining, r.o[side][at].qty);
                assert_int_equal(out.seq, r.o[side][at].seq);
                ref_remove(&r, side, at);
            }
        } else {
            tl_lob_order o = {next_id++,
                              (uint32_t)tl_prng_below(&rng, 5),
                              0,
                              LIM,
                              TL_LOB_GTC,
                              0,
                              LOT * (tl_fixed)(1 + tl_prng_below(&rng, 20))};
            o.side = (uint8_t)tl_prng_below(&rng, 2);
            if (pick >= 85)
                o.type = MKT;
            o.tif = pick < 60 ? TL_LOB_GTC : (uint8_t)tl_prng_below(&rng, 3);
            if (o.type == LIM) { /* mostly on its own side of 1000.00, a fifth crossing */
                tl_fixed off =
                    (tl_fixed)tl_prng_below(&rng, width + width / 4 + 1) - (tl_fixed)(width / 4);
                o.price = (100000 + (o.side == BUY ? -off : off)) * TICK;
            }
            tl_fixed can, cost;
            assert_int_equal(tl_lob_preview(&b, o.side, o.type, o.price, o.qty, &can, &cost), 0);
            tl_lob_result res, want_res;
            got.n = 0;
            tl_err err = {0};
            if (tl_lob_submit(&b, &o, on_fill, &got, &res, &err) != 0)
                fail_msg("seed %llu step %zu: %s", (unsigned long long)seed, step, err.msg);
            ref_submit(&r, &o, &want, &want_res);
            total_fills += want.n;
            assert_int_equal(res.filled_qty, want_res.filled_qty);
            assert_int_equal(res.notional, want_res.notional);
            assert_int_equal(res.rested_qty, want_res.rested_qty);
            assert_int_equal(res.fills, want_res.fills);
            assert_int_equal(res.status, want_res.status);
            assert_int_equal(got.n, want.n);
            for (size_t i = 0; i < got.n; i++)
                ref_same_fill(&got.f[i], &want.f[i]);
            if (o.tif != TL_LOB_FOK || res.status == TL_LOB_FILLED) {
                assert_int_equal(res.filled_qty, can); /* preview said so */
                assert_int_equal(res.notional, cost);
            }
        }
        ref_compare_depth(&r, &b, buf, steps + 1);
        assert_int_equal(tl_lob_count(&b), r.n[0] + r.n[1]);
        check(&b);
        if (r.n[0] + r.n[1] > most)
            most = r.n[0] + r.n[1];
    }
    /* The run did what it is for: many fills, a book of some depth. */
    assert_true(total_fills > steps / 4);
    assert_true(most > 100);
    free(buf);
    free(r.o[0]);
    free(r.o[1]);
    tl_lob_close(&b);
}

#endif /* TL_TEST_BOOK_REF_H */
