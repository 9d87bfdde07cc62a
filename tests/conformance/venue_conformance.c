/*
 * venue_conformance.c -- the shared suite of the venue backends (see the header).
 *
 * A driver (vc) owns a simulated clock, the venue under test and a model of what the venue has
 * said: per order its state as the reports tell it, its filled quantity, the cancels sent and
 * answered; per symbol the net position of the fills. Every report goes through vc_apply, which
 * fails the test at the first one that breaks the contract; the log of all reports, in the order
 * received, is what the determinism test compares.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/venue_conformance.h"
#include "core/vec.h"
#include "venue/venue.h"

#define T0           (1735689600LL * TL_NS_PER_SEC)
#define MAXO         4096          /* client_seq 1..MAXO are the driver's orders */
#define UNKNOWN_BASE 1000000000ULL /* client_seqs from here on were never placed */
#define NSYM         3
#define LOT          100000 /* 0.001 */
#define LONG_WAIT    (3600LL * TL_NS_PER_SEC)
#define MAXQ         MAXO /* quotes fed per symbol, at most */
/* Quotes are priced apart from the orders' prices (100..200): bids from 300 up, one distinct
 * price per quote, asks QUOTE_SPREAD above, so a fill's price tells where it came from. */
#define QUOTE_BASE   TL_FIXED_INT(300)
#define QUOTE_SPREAD 50000000 /* 0.5 */

static const char *const symbols[NSYM] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
static const tl_venue_conformance *cfg;

enum { S_SENT, S_ACKED, S_REJECTED, S_FILLED, S_CANCELED, S_EXPIRED };

typedef struct vc_order {
    bool placed;
    uint8_t side, type, state, sym;
    bool cancel_refused;       /* got a CANCEL_REJECTED */
    uint32_t cancels, answers; /* cancel requests sent, CANCELED/CANCEL_REJECTED received */
    bool quoted;               /* its symbol had a quote when it was sent */
    uint64_t venue_seq;
    tl_fixed price, qty, filled;
    int64_t placed_ns;
} vc_order;

typedef struct vc {
    tl_clock clock;
    tl_venue v;
    uint32_t caps;
    vc_order o[MAXO + 1];
    uint32_t unknown_cancels, unknown_answers;
    tl_fixed pos[NSYM];
    int64_t last_ts;
    tl_venue_report *log; /* owned: every report, in the order received */
    size_t nlog, caplog;
    size_t nq[NSYM]; /* quotes fed per symbol; quote i has bid QUOTE_BASE + i * 1000 */
} vc;

/* ---- the driver ---------------------------------------------------------------------------- */

static vc *vc_open(void)
{
    vc *c = calloc(1, sizeof *c);
    assert_non_null(c);
    tl_err err = {0};
    tl_clock_init_sim(&c->clock, T0);
    int rc = tl_venue_open(&c->v, cfg->url, &c->clock, cfg->extra, &err);
    if (rc != 0)
        fail_msg("tl_venue_open(%s): %s", cfg->url, err.msg);
    c->caps = tl_venue_caps(&c->v);
    c->last_ts = INT64_MIN;
    return c;
}

static void vc_close(vc *c)
{
    tl_venue_close(&c->v);
    free(c->log);
    free(c);
}

static bool terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

static bool is_terminal(int state)
{
    return state == S_REJECTED || state == S_FILLED || state == S_CANCELED || state == S_EXPIRED;
}

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg(__VA_ARGS__);                                                                 \
    } while (0)

/* Applies one report to the model, checking it against the contract. */
static void vc_apply(vc *c, const tl_venue_report *r)
{
    unsigned long long seq = (unsigned long long)r->client_seq;
    int64_t now = tl_clock_now(&c->clock);
    assert_int_equal(TL_VEC_RESERVE(&c->log, &c->caplog, c->nlog + 1), 0);
    c->log[c->nlog++] = *r;

    CHECK(r->type <= TL_REPORT_EXPIRED, "order %llu: report type %u", seq, r->type);
    CHECK(r->ts_ns <= now, "order %llu: report from the future (%lld > %lld)", seq,
          (long long)r->ts_ns, (long long)now);
    CHECK(r->ts_ns >= c->last_ts, "order %llu: report time went back", seq);
    c->last_ts = r->ts_ns;
    bool has_text = r->type == TL_REPORT_REJECTED || r->type == TL_REPORT_CANCEL_REJECTED;
    if (has_text)
        CHECK(terminated(r->text, sizeof r->text) && r->text[0] != '\0',
              "order %llu: refusal without a reason", seq);

    if (r->client_seq >= UNKNOWN_BASE) {
        CHECK(r->type == TL_REPORT_CANCEL_REJECTED, "unknown order %llu: report type %u", seq,
              r->type);
        CHECK(++c->unknown_answers <= c->unknown_cancels, "unknown order %llu: unasked answer",
              seq);
        return;
    }
    CHECK(r->client_seq >= 1 && r->client_seq <= MAXO && c->o[r->client_seq].placed,
          "report for order %llu, never placed", seq);
    vc_order *o = &c->o[r->client_seq];
    CHECK(r->ts_ns >= o->placed_ns, "order %llu: report before it was placed", seq);
    if (o->state == S_SENT)
        CHECK(r->type == TL_REPORT_ACCEPTED || r->type == TL_REPORT_REJECTED,
              "order %llu: first report is type %u, not ACCEPTED or REJECTED", seq, r->type);
    if (r->venue_seq != 0 && o->venue_seq != 0)
        CHECK(r->venue_seq == o->venue_seq, "order %llu: venue_seq changed", seq);

    switch (r->type) {
    case TL_REPORT_ACCEPTED:
        CHECK(o->state == S_SENT, "order %llu: ACCEPTED in state %d", seq, o->state);
        CHECK(r->venue_seq != 0, "order %llu: ACCEPTED without a venue_seq", seq);
        o->venue_seq = r->venue_seq;
        o->state = S_ACKED;
        break;
    case TL_REPORT_REJECTED:
        CHECK(o->state == S_SENT, "order %llu: REJECTED in state %d", seq, o->state);
        o->state = S_REJECTED;
        break;
    case TL_REPORT_FILL: {
        bool late = cfg->late_fills && (o->state == S_CANCELED || o->state == S_EXPIRED);
        CHECK(o->state == S_ACKED || late, "order %llu: FILL in state %d", seq, o->state);
        CHECK(r->venue_seq == o->venue_seq, "order %llu: FILL with another venue_seq", seq);
        CHECK(r->qty > 0 && r->price > 0 && r->fee >= 0, "order %llu: FILL qty/price/fee", seq);
        CHECK(r->qty <= o->qty - o->filled, "order %llu: overfilled", seq);
        CHECK(r->qty % LOT == 0 || r->qty == o->qty - o->filled, "order %llu: fill off the lot",
              seq);
        if (o->type == TL_ORDER_LIMIT)
            CHECK(o->side == TL_SIDE_BUY ? r->price <= o->price : r->price >= o->price,
                  "order %llu: filled through its limit", seq);
        if (o->type == TL_ORDER_MARKET && (c->caps & TL_VENUE_CAP_QUOTES) && o->quoted) {
            /* At the ask (BUY) or bid (SELL) of a quote of its symbol that was fed. */
            tl_fixed bid = r->price - (o->side == TL_SIDE_BUY ? QUOTE_SPREAD : 0);
            tl_fixed i = (bid - QUOTE_BASE) / 1000;
            CHECK(bid >= QUOTE_BASE && (bid - QUOTE_BASE) % 1000 == 0 &&
                      i < (tl_fixed)c->nq[o->sym],
                  "order %llu: MARKET %s filled at %lld, not at a quote's %s", seq,
                  o->side == TL_SIDE_BUY ? "BUY" : "SELL", (long long)r->price,
                  o->side == TL_SIDE_BUY ? "ask" : "bid");
        }
        CHECK(terminated(r->trade_id, sizeof r->trade_id) && r->trade_id[0] != '\0',
              "order %llu: FILL without a trade id", seq);
        o->filled += r->qty;
        c->pos[o->sym] += o->side == TL_SIDE_BUY ? r->qty : -r->qty;
        if (o->filled == o->qty && o->state == S_ACKED)
            o->state = S_FILLED;
        break;
    }
    case TL_REPORT_CANCELED:
        CHECK(o->cancels > o->answers, "order %llu: CANCELED without a cancel request", seq);
        CHECK(o->state == S_ACKED, "order %llu: CANCELED in state %d", seq, o->state);
        o->answers++;
        o->state = S_CANCELED;
        break;
    case TL_REPORT_CANCEL_REJECTED:
        CHECK(o->cancels > o->answers, "order %llu: CANCEL_REJECTED without a request", seq);
        o->answers++;
        o->cancel_refused = true;
        break;
    case TL_REPORT_EXPIRED:
        CHECK(o->state == S_ACKED, "order %llu: EXPIRED in state %d", seq, o->state);
        o->state = S_EXPIRED;
        break;
    }
}

/* Feeds the next quote of symbol sym (to every venue: one that takes none ignores it). */
static void vc_quote(vc *c, int sym)
{
    assert_true(c->nq[sym] < MAXQ);
    tl_fixed bid = QUOTE_BASE + (tl_fixed)c->nq[sym]++ * 1000;
    tl_err err = {0};
    int rc = tl_venue_on_quote(&c->v, symbols[sym], bid, bid + QUOTE_SPREAD,
                               tl_clock_now(&c->clock), &err);
    if (rc != 0)
        fail_msg("quote %s: %s", symbols[sym], err.msg);
}

/* Polls once with room for cap reports; returns how many came. */
static size_t vc_poll(vc *c, size_t cap)
{
    tl_venue_report r[8];
    size_t n = 0;
    tl_err err = {0};
    assert_true(cap <= 8);
    int rc = tl_venue_poll(&c->v, r, cap, &n, &err);
    if (rc != 0)
        fail_msg("poll: %s", err.msg);
    for (size_t i = 0; i < n; i++)
        vc_apply(c, &r[i]);
    return n;
}

/* Everything due now. */
static size_t vc_drain(vc *c)
{
    size_t total = 0, n;
    while ((n = vc_poll(c, 8)) > 0)
        total += n;
    return total;
}

static void vc_advance(vc *c, int64_t dt)
{
    assert_int_equal(tl_clock_advance(&c->clock, dt), 0);
    /* An IMMEDIATE venue had everything due when the call returned, and it was drained then. */
    if (c->caps & TL_VENUE_CAP_IMMEDIATE)
        CHECK(vc_poll(c, 8) == 0, "IMMEDIATE venue: a report came due only later");
}

static void vc_place(vc *c, uint64_t seq, int sym, int side, int type, tl_fixed qty, tl_fixed price,
                     int id_style)
{
    tl_venue_order vo;
    memset(&vo, 0, sizeof vo);
    vo.client_seq = seq;
    strcpy(vo.symbol, symbols[sym]);
    vo.side = (uint8_t)side;
    vo.type = (uint8_t)type;
    vo.price = price;
    vo.qty = qty;
    vo.lot_size = LOT;
    if (id_style == 1)
        tl_order_format_client_id(seq, vo.client_id);
    else if (id_style == 2)
        snprintf(vo.client_id, sizeof vo.client_id, "PO%020llx", (unsigned long long)seq);
    vc_order *o = &c->o[seq];
    assert_false(o->placed);
    *o = (vc_order){.placed = true,
                    .side = (uint8_t)side,
                    .type = (uint8_t)type,
                    .sym = (uint8_t)sym,
                    .price = price,
                    .qty = qty,
                    .quoted = c->nq[sym] > 0,
                    .placed_ns = tl_clock_now(&c->clock)};
    tl_err err = {0};
    int rc = tl_venue_place(&c->v, &vo, &err);
    if (rc != 0)
        fail_msg("place %llu: %s", (unsigned long long)seq, err.msg);
    if (c->caps & TL_VENUE_CAP_IMMEDIATE) {
        vc_drain(c);
        CHECK(o->state != S_SENT, "IMMEDIATE venue: order %llu unanswered after place",
              (unsigned long long)seq);
    }
}

static void vc_cancel(vc *c, uint64_t seq)
{
    tl_err err = {0};
    if (seq >= UNKNOWN_BASE)
        c->unknown_cancels++;
    else
        c->o[seq].cancels++;
    int rc = tl_venue_cancel(&c->v, seq, &err);
    if (rc != 0)
        fail_msg("cancel %llu: %s", (unsigned long long)seq, err.msg);
    if (c->caps & TL_VENUE_CAP_IMMEDIATE) {
        vc_drain(c);
        if (seq >= UNKNOWN_BASE)
            CHECK(c->unknown_answers == c->unknown_cancels, "IMMEDIATE venue: cancel unanswered");
        else
            CHECK(c->o[seq].answers == c->o[seq].cancels,
                  "IMMEDIATE venue: cancel of %llu unanswered", (unsigned long long)seq);
    }
}

/* Every fill the venue keeps, paged 5 at a time; NULL when it has no get_fills. */
static tl_venue_fill *vc_get_fills(vc *c, size_t *count)
{
    tl_err err = {0};
    tl_venue_fill page[5], *all = NULL;
    size_t n = 0, len = 0, cap = 0;
    uint64_t cursor = 0, next = 0;
    do {
        int rc = tl_venue_get_fills(&c->v, cursor, page, 5, &n, &next, &err);
        if (rc == TL_ENOTSUP && cursor == 0)
            return NULL;
        if (rc != 0)
            fail_msg("get_fills after %llu: %s", (unsigned long long)cursor, err.msg);
        CHECK(n <= 5, "get_fills: %zu fills for room of 5", n);
        CHECK(n == 0 ? next == cursor : next == page[n - 1].seq,
              "get_fills: cursor %llu after the page", (unsigned long long)next);
        assert_int_equal(TL_VEC_RESERVE(&all, &cap, len + n + 1), 0);
        memcpy(all + len, page, n * sizeof *page);
        len += n;
        cursor = next;
    } while (n == 5);
    /* A cursor past the newest fill is a caller's mistake. */
    CHECK(tl_venue_get_fills(&c->v, cursor + 1, page, 5, &n, &next, &err) == TL_EINVAL,
          "get_fills: a cursor past the newest fill was not refused");
    *count = len;
    return all;
}

/* The fills kept are the last of the FILL reports, in order, one seq apart, each as its report
 * said and of its order's symbol and side (every report due at the listing has been applied). */
static void vc_check_fills(const vc *c, const tl_venue_fill *f, size_t nf)
{
    size_t total = 0;
    for (size_t i = 0; i < c->nlog; i++)
        total += c->log[i].type == TL_REPORT_FILL;
    CHECK(nf <= total, "get_fills lists %zu fills, the reports %zu", nf, total);
    if (nf == 0)
        return;
    CHECK(f[nf - 1].seq == total, "get_fills: newest seq %llu, %zu FILL reports",
          (unsigned long long)f[nf - 1].seq, total);
    size_t k = 0, skip = total - nf;
    for (size_t i = 0; i < c->nlog && k < nf; i++) {
        const tl_venue_report *r = &c->log[i];
        if (r->type != TL_REPORT_FILL || skip-- > 0)
            continue;
        const tl_venue_fill *x = &f[k];
        const vc_order *o = &c->o[r->client_seq];
        CHECK(x->seq == total - nf + 1 + k, "get_fills: seq %llu out of step",
              (unsigned long long)x->seq);
        CHECK(x->client_seq == r->client_seq && x->venue_seq == r->venue_seq &&
                  x->ts_ns == r->ts_ns && strcmp(x->trade_id, r->trade_id) == 0 &&
                  x->qty == r->qty && x->price == r->price && x->fee == r->fee &&
                  x->side == o->side && strcmp(x->symbol, symbols[o->sym]) == 0,
              "get_fills: fill %llu (%s) differs from its report", (unsigned long long)x->seq,
              x->trade_id);
        k++;
    }
}

/* Snapshots, then the reports due by the snapshot's time: the model must then say what the
 * snapshot says. A backend without get_orders / get_positions is checked on what it has. */
static void vc_checkpoint(vc *c)
{
    tl_err err = {0};
    size_t n = 0, n2 = 0;
    int rc = tl_venue_get_orders(&c->v, NULL, 0, &n, &err);
    tl_venue_order_info *oi = NULL;
    if (rc != TL_ENOTSUP) {
        assert_int_equal(rc, 0);
        oi = calloc(n + 1, sizeof *oi);
        assert_non_null(oi);
        assert_int_equal(tl_venue_get_orders(&c->v, oi, n + 1, &n2, &err), 0);
        assert_int_equal(n2, n);
    }
    size_t np = 0, np2 = 0;
    tl_venue_position vp[NSYM + 1];
    rc = tl_venue_get_positions(&c->v, NULL, 0, &np, &err);
    bool have_pos = rc != TL_ENOTSUP;
    if (have_pos) {
        assert_int_equal(rc, 0);
        CHECK(np <= NSYM, "get_positions: %zu positions for %d symbols", np, NSYM);
        assert_int_equal(tl_venue_get_positions(&c->v, vp, NSYM + 1, &np2, &err), 0);
        assert_int_equal(np2, np);
    }
    size_t nf = 0;
    tl_venue_fill *fills = vc_get_fills(c, &nf);
    vc_drain(c);
    if (fills != NULL) {
        vc_check_fills(c, fills, nf);
        free(fills);
    }

    if (oi != NULL) {
        size_t live = 0;
        for (uint64_t s = 1; s <= MAXO; s++)
            live += c->o[s].placed && c->o[s].state == S_ACKED;
        CHECK(live == n, "get_orders lists %zu orders, the reports leave %zu open", n, live);
        for (size_t i = 0; i < n; i++) {
            const tl_venue_order_info *x = &oi[i];
            unsigned long long s = (unsigned long long)x->client_seq;
            CHECK(s >= 1 && s <= MAXO && c->o[s].placed && c->o[s].state == S_ACKED,
                  "get_orders lists order %llu, which the reports say is not open", s);
            const vc_order *o = &c->o[s];
            /* A MARKET order's price is the venue's to show (a quote may have set it). */
            CHECK(x->venue_seq == o->venue_seq && x->side == o->side && x->qty == o->qty &&
                      (x->price == o->price || o->type == TL_ORDER_MARKET) &&
                      x->filled_qty == o->filled && strcmp(x->symbol, symbols[o->sym]) == 0,
                  "get_orders: order %llu differs from its reports", s);
            CHECK(x->status == TL_OS_PENDING_CANCEL ||
                      x->status == (o->filled == 0 ? TL_OS_OPEN : TL_OS_PARTIALLY_FILLED),
                  "get_orders: order %llu status %u", s, x->status);
            for (size_t j = 0; j < i; j++)
                CHECK(oi[j].client_seq != x->client_seq, "get_orders lists %llu twice", s);
        }
        free(oi);
    }
    if (have_pos) {
        tl_fixed seen[NSYM] = {0};
        bool listed[NSYM] = {false};
        for (size_t i = 0; i < np; i++) {
            int k = -1;
            for (int j = 0; j < NSYM; j++)
                if (strcmp(vp[i].symbol, symbols[j]) == 0)
                    k = j;
            CHECK(k >= 0 && !listed[k], "get_positions: unexpected or repeated '%.16s'",
                  vp[i].symbol);
            listed[k] = true;
            seen[k] = vp[i].qty;
        }
        for (int j = 0; j < NSYM; j++)
            CHECK(seen[j] == c->pos[j], "get_positions: %s is %lld, the fills say %lld", symbols[j],
                  (long long)seen[j], (long long)c->pos[j]);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* After everything came due: every order answered, every cancel answered, a refused cancel
 * only for an order that is done, trade ids and venue ids unique. */
static void vc_finish(vc *c)
{
    vc_advance(c, LONG_WAIT);
    vc_drain(c);
    vc_checkpoint(c);
    CHECK(c->unknown_answers == c->unknown_cancels, "cancels of unknown orders unanswered");
    const char **ids = malloc((c->nlog + 1) * sizeof *ids);
    uint64_t *vseq = malloc((MAXO + 1) * sizeof *vseq);
    assert_true(ids != NULL && vseq != NULL);
    size_t nids = 0, nv = 0;
    for (uint64_t s = 1; s <= MAXO; s++) {
        const vc_order *o = &c->o[s];
        if (!o->placed)
            continue;
        CHECK(o->state != S_SENT, "order %llu never answered", (unsigned long long)s);
        CHECK(o->answers == o->cancels, "order %llu: %u cancels, %u answers", (unsigned long long)s,
              o->cancels, o->answers);
        CHECK(!o->cancel_refused || is_terminal(o->state),
              "order %llu: cancel refused, yet the order is still open", (unsigned long long)s);
        if (o->venue_seq != 0)
            vseq[nv++] = o->venue_seq;
    }
    for (size_t i = 0; i < c->nlog; i++)
        if (c->log[i].type == TL_REPORT_FILL)
            ids[nids++] = c->log[i].trade_id;
    qsort(ids, nids, sizeof *ids, cmp_str);
    for (size_t i = 1; i < nids; i++)
        CHECK(strcmp(ids[i - 1], ids[i]) != 0, "trade id %s given twice", ids[i]);
    qsort(vseq, nv, sizeof *vseq, cmp_u64);
    for (size_t i = 1; i < nv; i++)
        CHECK(vseq[i - 1] != vseq[i], "venue_seq %llu given to two orders",
              (unsigned long long)vseq[i]);
    free(ids);
    free(vseq);
}

/* ---- the seeded script --------------------------------------------------------------------- */

static uint64_t lcg_next(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 11;
}

/* norders orders of random symbol, side, type, quantity (some off the lot, a few MARKET ones
 * without a price) and client id style, with cancels of the new order, an older one, an unknown
 * id or the new one twice, random clock steps and polls with small rooms, and a snapshot check
 * every 200 orders. */
static void vc_script(vc *c, uint64_t seed, uint64_t norders)
{
    uint64_t x = seed, unknown = UNKNOWN_BASE;
    assert_true(norders <= MAXO);
    for (uint64_t i = 1; i <= norders; i++) {
        uint64_t r = lcg_next(&x), r2 = lcg_next(&x);
        int type = r % 4 == 0 ? TL_ORDER_MARKET : TL_ORDER_LIMIT;
        tl_fixed qty = (tl_fixed)(1 + (r >> 8) % 2000) * LOT + (r % 53 == 0 ? 1 : 0);
        tl_fixed price = TL_FIXED_INT(100) + (tl_fixed)((r >> 24) % 10000) * 1000000;
        if (type == TL_ORDER_MARKET && r % 97 == 0)
            price = 0;
        vc_place(c, i, (int)((r >> 40) % NSYM), (int)((r >> 44) & 1), type, qty, price,
                 (int)(i % 3));
        switch (r2 % 16) {
        case 0:
        case 1:
            vc_cancel(c, i); /* right after place */
            break;
        case 2:
            vc_cancel(c, 1 + (r2 >> 8) % i); /* an older one, live or done */
            break;
        case 3:
            vc_cancel(c, unknown++);
            break;
        case 4:
            vc_cancel(c, i);
            vc_cancel(c, i);
            break;
        default:
            break;
        }
        if ((r2 >> 50) % 3 == 0)
            vc_quote(c, (int)((r2 >> 52) % NSYM));
        if ((r2 >> 4) % 4 != 0)
            vc_advance(c, (int64_t)((r2 >> 20) % 3000) * TL_NS_PER_US);
        for (uint64_t k = (r2 >> 32) % 4; k > 0; k--)
            vc_poll(c, 1 + (size_t)((r2 >> 36) % 4));
        if (i % 200 == 0)
            vc_checkpoint(c);
    }
    vc_finish(c);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_long_run_legal(void **unused)
{
    (void)unused;
    vc *c = vc_open();
    vc_script(c, 7, MAXO);
    vc_close(c);
}

static void test_deterministic(void **unused)
{
    (void)unused;
    vc *a = vc_open(), *b = vc_open();
    vc_script(a, 11, 1500);
    vc_script(b, 11, 1500);
    assert_int_equal(a->nlog, b->nlog);
    assert_true(a->nlog > 1500);
    assert_memory_equal(a->log, b->log, a->nlog * sizeof *a->log);
    vc_close(a);
    vc_close(b);
}

static void test_cancel_right_after_place(void **unused)
{
    (void)unused;
    vc *c = vc_open();
    for (uint64_t i = 1; i <= 300; i++) {
        vc_place(c, i, (int)(i % NSYM), (int)(i % 2), TL_ORDER_LIMIT, (tl_fixed)i * LOT,
                 TL_FIXED_INT(100), 0);
        vc_cancel(c, i);
    }
    vc_finish(c); /* one answer each; CANCELED only if not filled; refused only if done */
    vc_close(c);
}

static void test_cancel_after_fill(void **unused)
{
    (void)unused;
    vc *c = vc_open();
    int filled = 0;
    for (uint64_t i = 1; i <= 300 && filled < 20; i++) {
        vc_place(c, i, 0, (int)(i % 2), TL_ORDER_LIMIT, 4 * LOT, TL_FIXED_INT(50), 1);
        vc_advance(c, LONG_WAIT);
        vc_drain(c);
        if (c->o[i].state != S_FILLED)
            continue;
        filled++;
        vc_cancel(c, i);
        vc_advance(c, LONG_WAIT);
        vc_drain(c);
        CHECK(c->o[i].answers == 1 && c->o[i].cancel_refused,
              "cancel of filled order %llu not refused", (unsigned long long)i);
    }
    vc_finish(c);
    vc_close(c);
}

static void test_cancel_unknown_and_twice(void **unused)
{
    (void)unused;
    vc *c = vc_open();
    vc_cancel(c, UNKNOWN_BASE);
    vc_advance(c, LONG_WAIT);
    vc_drain(c);
    assert_int_equal(c->unknown_answers, 1);
    assert_int_equal(c->log[0].venue_seq, 0);
    for (uint64_t i = 1; i <= 100; i++) {
        vc_place(c, i, 1, (int)(i % 2), TL_ORDER_MARKET, 2 * LOT, TL_FIXED_INT(10), 2);
        vc_cancel(c, i);
        vc_cancel(c, i);
    }
    vc_finish(c);
    for (uint64_t i = 1; i <= 100; i++) /* at most one of two cancels can succeed */
        assert_true(c->o[i].cancel_refused);
    vc_close(c);
}

static void test_immediate(void **unused)
{
    (void)unused;
    vc *c = vc_open();
    if (!(c->caps & TL_VENUE_CAP_IMMEDIATE)) {
        vc_close(c);
        skip();
    }
    /* vc_place / vc_cancel drain at once and check the answer came; vc_advance checks that
     * nothing more comes later. Here without the driver's help, to say it plainly: */
    for (uint64_t i = 1; i <= 100; i++) {
        vc_place(c, i, 2, (int)(i % 2), TL_ORDER_LIMIT, LOT, TL_FIXED_INT(7), 0);
        assert_true(c->o[i].state != S_SENT);
        vc_cancel(c, i);
        assert_int_equal(c->o[i].answers, 1);
        vc_advance(c, LONG_WAIT);
    }
    vc_finish(c);
    vc_close(c);
}

/* A venue that takes quotes fills a MARKET BUY at the ask and a SELL at the bid of a quote, not at
 * the reference price the order carries. */
static void test_market_at_quote(void **unused)
{
    (void)unused;
    vc *c = vc_open();
    if (!(c->caps & TL_VENUE_CAP_QUOTES)) {
        vc_close(c);
        skip();
    }
    for (uint64_t i = 1; i <= 200; i++) {
        vc_quote(c, (int)(i % NSYM));
        vc_place(c, i, (int)(i % NSYM), (int)(i % 2), TL_ORDER_MARKET, 3 * LOT, TL_FIXED_INT(150),
                 0);
        vc_advance(c, (int64_t)(i % 5) * 400 * TL_NS_PER_US);
        vc_drain(c);
    }
    vc_finish(c); /* vc_apply checked every fill's price against the quotes */
    /* Said plainly: no fill at the reference price (a venue that never fills has none). */
    for (size_t i = 0; i < c->nlog; i++)
        if (c->log[i].type == TL_REPORT_FILL)
            assert_true(c->log[i].price >= QUOTE_BASE);
    vc_close(c);
}

static void test_bad_urls(void **unused)
{
    (void)unused;
    tl_clock clock;
    tl_clock_init_sim(&clock, T0);
    int count = 0;
    for (const tl_venue_conformance_bad_url *b = cfg->bad_urls; b != NULL && b->url != NULL;
         b++, count++) {
        tl_venue v, before;
        tl_err err = {0};
        memset(&v, 0x77, sizeof v);
        before = v;
        int rc = tl_venue_open(&v, b->url, &clock, cfg->extra, &err);
        if (rc != TL_EINVAL || strstr(err.msg, b->want) == NULL)
            fail_msg("%s: rc %d, msg '%s', wanted '%s'", b->url, rc, err.msg, b->want);
        assert_memory_equal(&v, &before, sizeof v);
    }
    assert_true(count > 0); /* a backend with URL parameters lists some */
}

int tl_venue_conformance_run(const char *group_name, const tl_venue_conformance *config)
{
    cfg = config;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_run_legal),           cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_cancel_right_after_place), cmocka_unit_test(test_cancel_after_fill),
        cmocka_unit_test(test_cancel_unknown_and_twice), cmocka_unit_test(test_immediate),
        cmocka_unit_test(test_market_at_quote),          cmocka_unit_test(test_bad_urls),
    };
    return cmocka_run_group_tests_name(group_name, tests, NULL, NULL);
}
