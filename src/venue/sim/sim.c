/*
 * sim.c -- the deterministic simulated exchange behind "sim://" URLs.
 *
 * Model. place and cancel decide at once, from the sim's own PRNG, everything that will happen to
 * the order, and schedule it as events in a queue ordered by (due time, insertion number), so
 * events due at the same instant come out in the order they were scheduled. An event takes
 * effect on the sim's books (order status, filled quantity, positions) when it is taken off the
 * queue, which happens only once it is due by the borrowed clock: in poll, which turns it straight
 * into the caller's report, or before a get_orders/get_positions snapshot, which parks the reports
 * in an outbox that the next poll drains first. So the venue's books always describe "now", and
 * reports come out in exactly the order the venue produced them.
 *
 * The queue is two structures with one order. Most events are scheduled no earlier than the one
 * scheduled before them (always so with a constant latency and no partial fills, e.g. latency 0):
 * those go to a FIFO ring, already sorted, at O(1). The others go to a binary min-heap. The first
 * event is the earlier of the ring's head and the heap's top by (due time, insertion number), a
 * total order, so events come out exactly as from a single heap.
 *
 * A cancel takes effect one latency after it is sent. Fills scheduled at or before that instant
 * still happen (a late fill, as on a real venue); the order then counts as filled if nothing was
 * left, and the cancel is refused. Fills scheduled after it are dropped lazily: they stay in the
 * queue and are discarded when they come due.
 *
 * Memory. Orders live in a pool of slots found through a tl_seqmap (client_seq -> slot); events
 * reference slots with a generation so that an event outliving its slot's reuse is recognised.
 * Terminal orders are kept (a FIFO of up to `capacity`) so that a cancel of a recently filled
 * order is refused as "already filled" rather than "unknown order", then recycled. place and poll
 * allocate only when the pool, the queue or the map must grow past the planned capacity.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/hashmap.h"
#include "core/prng.h"
#include "core/vec.h"
#include "venue/fills.h"
#include "venue/params.h"
#include "venue/sim/sim.h"
#include "venue/venue.h"

#define NONE             UINT32_MAX
#define NEVER            INT64_MAX
#define FEE_DEN          TL__VENUE_FEE_DEN

/* Bytes of an order's symbol array. */
#define SIM_SYMBOL_LEN sizeof(((tl_venue_order *)0)->symbol)

/* Reasons carried by REJECTED and CANCEL_REJECTED reports. */
enum sim_reason { R_NONE, R_REJECT, R_OFF_LOT, R_NO_PRICE, R_UNKNOWN, R_FILLED, R_CANCELED };

static const char *const reason_text[] = {
    [R_NONE] = "",
    [R_REJECT] = "simulated reject",
    [R_OFF_LOT] = "quantity off the lot",
    [R_NO_PRICE] = "market order without a reference price",
    [R_UNKNOWN] = "unknown order",
    [R_FILLED] = "already filled",
    [R_CANCELED] = "already canceled",
};

/* Slot status values besides tl_order_status: a slot in the free list. */
#define SLOT_FREE 0xFF

typedef struct sim_order {
    uint64_t client_seq;
    uint64_t venue_seq;
    tl_fixed price, qty, filled_qty; /* filled_qty: fills that have taken effect by now */
    int64_t full_at;                 /* due time of the fill that completes it, or NEVER */
    int64_t cancel_at;               /* when an accepted cancel takes effect, or NEVER */
    uint32_t gen;                    /* bumped when the slot is recycled */
    uint32_t next;                   /* free list / retire FIFO link */
    uint32_t pos;                    /* index of its symbol's position */
    uint8_t side;
    uint8_t status; /* tl_order_status as the venue sees it now, or SLOT_FREE */
    uint8_t market; /* a MARKET order: priced by the quote when it reaches the venue */
    uint8_t quoted; /* price was set from a quote: fees are computed as the fills land */
    char symbol[16];
} sim_order;

typedef struct sim_event {
    int64_t due_ns;
    uint64_t seq; /* insertion number: FIFO among equal due times */
    uint64_t client_seq;
    uint64_t venue_seq;
    tl_fixed qty;  /* FILL */
    tl_fixed fee;  /* FILL, computed when scheduled so that taking effect cannot fail on it */
    uint32_t slot; /* NONE for reports about no live order (rejects) */
    uint32_t gen;
    uint8_t type;   /* tl_report_type */
    uint8_t reason; /* sim_reason */
} sim_event;

/* One per symbol seen (placed or quoted): its position and its latest quote. */
typedef struct sim_position {
    char symbol[16];
    tl_fixed qty;      /* signed net, from fills that have taken effect */
    tl_fixed bid, ask; /* latest quote; 0 when none came yet */
    int64_t quote_ns;  /* its timestamp */
} sim_position;

typedef struct sim {
    tl_sim_params p;
    const tl_clock *clock; /* borrowed */
    tl_prng rng;
    uint64_t thr_fill, thr_reject, thr_partial; /* tl_prng_chance thresholds of the rates */
    uint64_t last_venue_seq, last_trade, last_event;
    char next_trade[TL_TRADE_ID_MAX]; /* id of trade last_trade + 1, zero past its NUL */
    size_t next_trade_len;            /* its strlen */

    sim_order *orders; /* owned pool */
    size_t orders_cap;
    uint32_t orders_used; /* high-water mark: slots below it were handed out once */
    uint32_t free_head;
    uint32_t retire_head, retire_tail, retired;
    tl_seqmap by_client; /* client_seq -> slot */

    sim_event *heap; /* owned: events scheduled earlier than the ring's last one */
    size_t heap_len, heap_cap;
    sim_event *ring; /* owned: FIFO of events in (due, seq) order; ring_cap is a power of two */
    size_t ring_head, ring_len, ring_cap;
    tl_fixed fee_num;  /* fee_bps / FEE_DEN in lowest terms, for the 64-bit fee path */
    uint64_t fee_den;  /* 0 when the reduced denominator does not fit 64 bits */
    uint32_t last_pos; /* position index of the last symbol placed, or NONE */
    char last_symbol[SIM_SYMBOL_LEN]; /* that order's symbol array, as it was sent */

    sim_position *pos; /* owned */
    size_t pos_len, pos_cap;
    tl_hashmap by_symbol; /* hash(symbol) -> index into pos, multi */

    tl_venue_report *outbox; /* owned ring, allocated on first use */
    size_t out_head, out_len, out_cap;

    tl__venue_fills fills; /* the last capacity x 4 fills, for get_fills */
} sim;

/* ---- event heap --------------------------------------------------------------------------- */

static int ev_before(const sim_event *a, const sim_event *b)
{
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

/* Adds an event already numbered by queue_push; room was reserved. */
static void heap_push(sim *s, const sim_event *e)
{
    assert(s->heap_len < s->heap_cap);
    size_t i = s->heap_len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ev_before(e, &s->heap[parent]))
            break;
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = *e;
}

static void heap_pop(sim *s)
{
    assert(s->heap_len > 0);
    size_t n = --s->heap_len;
    if (n == 0)
        return;
    sim_event last = s->heap[n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && ev_before(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!ev_before(&s->heap[c], &last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    s->heap[i] = last;
}

/* ---- event queue: FIFO ring + heap -------------------------------------------------------- */

/* Makes room for `extra` more events in either structure, so that scheduling never fails
 * half-way through an order. The ring grows by unrolling into a new array in order. */
static int queue_reserve(sim *s, size_t extra)
{
    int rc = TL_VEC_RESERVE(&s->heap, &s->heap_cap, s->heap_len + extra);
    if (rc < 0 || s->ring_len + extra <= s->ring_cap)
        return rc;
    size_t ncap = s->ring_cap > 0 ? s->ring_cap : 64;
    while (ncap < s->ring_len + extra) {
        if (ncap > SIZE_MAX / 2 / sizeof *s->ring)
            return TL_ENOMEM;
        ncap *= 2;
    }
    sim_event *n = malloc(ncap * sizeof *n);
    if (n == NULL)
        return TL_ENOMEM;
    for (size_t i = 0; i < s->ring_len; i++)
        n[i] = s->ring[(s->ring_head + i) & (s->ring_cap - 1)];
    free(s->ring);
    s->ring = n;
    s->ring_cap = ncap;
    s->ring_head = 0;
    return 0;
}

/* The fields of an event but its insertion number, which queue_push assigns. */
typedef struct sim_event_args {
    uint8_t type, reason;
    uint64_t client_seq, venue_seq;
    uint32_t slot, gen;
    tl_fixed qty, fee;
} sim_event_args;

/* Schedules an event (room reserved). It joins the ring when that keeps the ring sorted: its seq
 * is the largest yet, so due >= the ring's last due is enough. The ring entry is written field by
 * field in place: an event built elsewhere and copied whole would be read back in 16-byte pieces
 * that straddle its just-written 8-byte fields, which the CPU cannot forward from its store
 * buffer (a stall on every event). */
static inline void queue_push(sim *s, int64_t due_ns, sim_event_args a)
{
    sim_event tmp, *e = &tmp;
    int in_ring = s->ring_len == 0 ||
                  due_ns >= s->ring[(s->ring_head + s->ring_len - 1) & (s->ring_cap - 1)].due_ns;
    if (in_ring) {
        assert(s->ring_len < s->ring_cap);
        e = &s->ring[(s->ring_head + s->ring_len++) & (s->ring_cap - 1)];
    }
    e->due_ns = due_ns;
    e->seq = ++s->last_event;
    e->client_seq = a.client_seq;
    e->venue_seq = a.venue_seq;
    e->qty = a.qty;
    e->fee = a.fee;
    e->slot = a.slot;
    e->gen = a.gen;
    e->type = a.type;
    e->reason = a.reason;
    if (!in_ring)
        heap_push(s, e);
}

/* The first event, or NULL when none is queued; *in_ring says where it is, for queue_pop. */
static const sim_event *queue_first(const sim *s, int *in_ring)
{
    const sim_event *r = s->ring_len > 0 ? &s->ring[s->ring_head] : NULL;
    const sim_event *h = s->heap_len > 0 ? &s->heap[0] : NULL;
    *in_ring = r != NULL && (h == NULL || ev_before(r, h));
    return *in_ring ? r : h;
}

static void queue_pop(sim *s, int in_ring)
{
    if (!in_ring) {
        heap_pop(s);
        return;
    }
    assert(s->ring_len > 0);
    /* An emptied ring starts over at slot 0, so a queue that keeps draining (latency 0) keeps
     * reusing the same few cache lines. */
    s->ring_head = --s->ring_len == 0 ? 0 : (s->ring_head + 1) & (s->ring_cap - 1);
}

/* ---- order slots -------------------------------------------------------------------------- */

static int slot_reserve(sim *s)
{
    if (s->free_head != NONE || s->orders_used < s->orders_cap)
        return 0;
    if (s->orders_used >= NONE - 1)
        return TL_EFULL;
    return TL_VEC_RESERVE(&s->orders, &s->orders_cap, (size_t)s->orders_used + 1);
}

/* The slot slot_take will hand out next (one is reserved). */
static uint32_t slot_peek(const sim *s)
{
    return s->free_head != NONE ? s->free_head : s->orders_used;
}

static uint32_t slot_take(sim *s)
{
    uint32_t i = s->free_head;
    if (i != NONE) {
        s->free_head = s->orders[i].next;
    } else {
        i = s->orders_used++;
        s->orders[i].gen = 0;
    }
    return i;
}

/* A terminal order joins the retire FIFO; the oldest beyond `capacity` is forgotten and its slot
 * recycled, bumping the generation so that dropped fills still queued for it are recognised. */
static void retire(sim *s, uint32_t i)
{
    s->orders[i].next = NONE;
    if (s->retire_tail == NONE)
        s->retire_head = i;
    else
        s->orders[s->retire_tail].next = i;
    s->retire_tail = i;
    if (++s->retired <= s->p.capacity)
        return;
    uint32_t old = s->retire_head;
    sim_order *o = &s->orders[old];
    s->retire_head = o->next;
    if (s->retire_head == NONE)
        s->retire_tail = NONE;
    s->retired--;
    tl_seqmap_del(&s->by_client, o->client_seq);
    o->gen++;
    o->status = SLOT_FREE;
    o->next = s->free_head;
    s->free_head = old;
}

/* ---- positions ---------------------------------------------------------------------------- */

/* Index of symbol's position, created flat when new (the only allocation is for a new symbol). */
static int position_find(sim *s, const char *symbol, uint32_t *idx)
{
    size_t len = strlen(symbol);
    uint64_t h = tl_hash_bytes(symbol, len);
    uint64_t cursor = 0;
    uint32_t v;
    while (tl_hashmap_next_match(&s->by_symbol, h, &cursor, &v)) {
        if (strcmp(s->pos[v].symbol, symbol) == 0) {
            *idx = v;
            return 0;
        }
    }
    if (s->pos_len >= NONE)
        return TL_EFULL;
    int rc = TL_VEC_RESERVE(&s->pos, &s->pos_cap, s->pos_len + 1);
    if (rc < 0)
        return rc;
    rc = tl_hashmap_insert_multi(&s->by_symbol, h, (uint32_t)s->pos_len);
    if (rc < 0)
        return rc;
    sim_position *p = &s->pos[s->pos_len];
    memset(p, 0, sizeof *p);
    memcpy(p->symbol, symbol, len + 1);
    *idx = (uint32_t)s->pos_len++;
    return 0;
}

/* position_find behind a one-entry cache, for the symbol array of an order. */
static int position_index(sim *s, const char symbol[SIM_SYMBOL_LEN], uint32_t *idx)
{
    /* Orders come in runs of one symbol: an order whose symbol array is byte for byte the last
     * one's needs no hashing (bytes after the NUL may differ: then the lookup below decides). */
    if (s->last_pos != NONE && memcmp(s->last_symbol, symbol, SIM_SYMBOL_LEN) == 0) {
        *idx = s->last_pos;
        return 0;
    }
    int rc = position_find(s, symbol, idx);
    if (rc == 0) {
        s->last_pos = *idx;
        memcpy(s->last_symbol, symbol, SIM_SYMBOL_LEN);
    }
    return rc;
}

/* ---- fees and ids ------------------------------------------------------------------------- */

static uint64_t gcd_u128(unsigned __int128 a, unsigned __int128 b)
{
    while (b != 0) {
        unsigned __int128 t = a % b;
        a = b;
        b = t;
    }
    return (uint64_t)a; /* divides fee_bps <= 1e12: fits */
}

/* Reduces fee_bps / FEE_DEN to lowest terms once, at open: the fee is then round(qty * price *
 * fee_num / fee_den), the same rational and so the same rounding. 1 bps is 1/1e12, 2.5 bps
 * 1/4e11: the denominator then fits 64 bits and the usual fee needs one 64-bit division. */
static void fee_ratio(sim *s)
{
    tl_fixed bps = s->p.fee_bps;
    unsigned __int128 g = bps > 0 ? gcd_u128((unsigned __int128)bps, FEE_DEN) : FEE_DEN;
    unsigned __int128 den = FEE_DEN / g;
    s->fee_num = bps > 0 ? bps / (tl_fixed)g : 0;
    s->fee_den = den >> 64 == 0 ? (uint64_t)den : 0;
}

/* The fee of a fill. When qty * price * fee_num fits 64 bits (at 1 bps, any notional up to about
 * 1,844) one 64-bit division gives the exact quotient and remainder; otherwise the 128-bit split
 * above does. Both round the same rational half away from zero. */
static int fill_fee(const sim *s, tl_fixed qty, tl_fixed price, tl_fixed *out)
{
    unsigned __int128 n = (unsigned __int128)qty * (unsigned __int128)price;
    uint64_t num = (uint64_t)s->fee_num, den = s->fee_den;
    if (den != 0 && n >> 64 == 0 && (num == 0 || (uint64_t)n <= UINT64_MAX / num)) {
        uint64_t x = (uint64_t)n * num, q = x / den, r = x % den;
        if (r >= den - r) /* 2r >= den without overflow: half away from zero */
            q++;
        if (q > (uint64_t)TL_FIXED_MAX)
            return TL_ERANGE;
        *out = (tl_fixed)q;
        return 0;
    }
    return tl__venue_fee(qty, price, s->p.fee_bps, out);
}

/* "T" and at least 10 digits, written by hand: this runs for every fill. Digits are written from
 * the end two at a time (half the chain of dependent divisions); zero padding falls out of
 * writing exactly `len` digits. */
static void format_trade_id(uint64_t n, char *buf)
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233"
        "34353637383940414243444546474849505152535455565758596061626364656667"
        "6869707172737475767778798081828384858687888990919293949596979899";
    int len = 10;
    for (uint64_t t = n / 10000000000ULL; t != 0; t /= 10)
        len++;
    char *p = buf + 1 + len;
    *p = '\0';
    while (p - buf > 2) {
        p -= 2;
        memcpy(p, pairs + 2 * (n % 100), 2);
        n /= 100;
    }
    if (p - buf > 1)
        *--p = (char)('0' + n % 10);
    buf[0] = 'T';
}

/* The next fill's trade id into out (a whole TL_TRADE_ID_MAX array). Ids count up by one, so the
 * text of the next is kept ready and advanced by a decimal increment in place, which touches
 * one digit nine times in ten; format_trade_id is needed only when a carry adds a digit. */
static void take_trade_id(sim *s, char *out)
{
    memcpy(out, s->next_trade, TL_TRADE_ID_MAX);
    uint64_t next = ++s->last_trade + 1;
    char *d = s->next_trade;
    size_t i = s->next_trade_len;
    while (--i > 0 && d[i] == '9')
        d[i] = '0';
    if (i > 0) {
        d[i]++;
    } else { /* every digit was a nine: one digit longer */
        format_trade_id(next, d);
        s->next_trade_len++;
    }
}

/* ---- backend ------------------------------------------------------------------------------ */

static void sim_release(sim *s)
{
    free(s->orders);
    free(s->heap);
    free(s->ring);
    free(s->pos);
    free(s->outbox);
    if (s->by_client.slots != NULL)
        tl_seqmap_close(&s->by_client);
    if (s->by_symbol.slots != NULL)
        tl_hashmap_close(&s->by_symbol);
    tl__venue_fills_close(&s->fills);
    memset(s, 0, sizeof *s);
}

static int sim_open(void *state, const char *url, const tl_clock *clock, tl_err *err)
{
    sim *s = state;
    tl_sim_params p;
    int rc = tl_sim_params_parse(url, &p, err);
    if (rc < 0)
        return rc;
    memset(s, 0, sizeof *s);
    s->p = p;
    s->clock = clock;
    tl_prng_seed(&s->rng, p.seed);
    s->thr_fill = tl_prng_threshold(p.fill_rate);
    s->thr_reject = tl_prng_threshold(p.reject_rate);
    s->thr_partial = tl_prng_threshold(p.partial_rate);
    s->free_head = s->retire_head = s->retire_tail = s->last_pos = NONE;
    s->last_trade = p.first_trade - 1;
    s->last_venue_seq = p.first_order - 1;
    format_trade_id(s->last_trade + 1, s->next_trade);
    s->next_trade_len = strlen(s->next_trade);
    fee_ratio(s);
    tl__venue_fills_init(&s->fills, (size_t)p.capacity * 4);
    /* Room for the planned live orders plus as many remembered terminal ones, and three events
     * (ack and up to two fills) per live order. */
    rc = TL_VEC_RESERVE(&s->orders, &s->orders_cap, (size_t)p.capacity * 2);
    if (rc == 0)
        rc = queue_reserve(s, (size_t)p.capacity * 3);
    if (rc == 0)
        rc = TL_VEC_RESERVE(&s->pos, &s->pos_cap, 16);
    if (rc == 0)
        rc = tl_seqmap_init(&s->by_client, (size_t)p.capacity * 2);
    if (rc == 0)
        rc = tl_hashmap_init(&s->by_symbol, 16);
    if (rc < 0) {
        sim_release(s);
        return tl_err_set(err, TL_ENOMEM, "sim: cannot allocate for capacity %u", p.capacity);
    }
    return 0;
}

static void sim_close(void *state)
{
    sim_release(state);
}

static int sim_place(void *state, const tl_venue_order *o, tl_err *err)
{
    sim *s = state;
    int64_t now = tl_clock_now(s->clock);
    int64_t lat = s->p.latency_ns;
    uint32_t slot, pidx;
    tl_fixed fee = 0;
    int rc;

    /* Everything that can fail comes before the first draw, so a failed place leaves the PRNG,
     * and with it every later decision, as if it had never been called. */
    if (tl_seqmap_get(&s->by_client, o->client_seq, &slot))
        return tl_err_set(err, TL_EDUPLICATE, "sim: order %llu already placed",
                          (unsigned long long)o->client_seq);
    if (now > NEVER - 2 * lat - 1)
        return tl_err_set(err, TL_ERANGE, "sim: clock too close to the end of time");
    /* A real venue refuses a quantity off the lot. */
    int off_lot = o->lot_size > 0 && o->qty % o->lot_size != 0;
    /* The fee of the whole quantity bounds the fee of any part of it. (A MARKET order that a
     * quote will price has its fees computed again as its fills land.) */
    if (o->price > 0 && fill_fee(s, o->qty, o->price, &fee) < 0)
        return tl_err_set(err, TL_ERANGE, "sim: order %llu: fee out of range",
                          (unsigned long long)o->client_seq);
    if ((rc = queue_reserve(s, 3)) < 0 || (rc = slot_reserve(s)) < 0 ||
        (rc = position_index(s, o->symbol, &pidx)) < 0 ||
        (rc = tl_seqmap_put(&s->by_client, o->client_seq, slot_peek(s))) < 0)
        return tl_err_set(err, rc, "sim: out of memory placing order %llu",
                          (unsigned long long)o->client_seq);
    /* A MARKET order fills at the quote current when it reaches the venue; without any quote of
     * its symbol when it is sent, at its reference price, and without that it cannot trade. Quotes
     * are never forgotten, so one there now is still there when the order arrives. */
    int market = o->type == TL_ORDER_MARKET;
    int no_price = o->price == 0 && !(market && s->pos[pidx].ask > 0);

    sim_event_args e = {.client_seq = o->client_seq, .slot = NONE};
    int64_t due = now + lat;
    if (off_lot || no_price || tl_prng_chance(&s->rng, s->thr_reject)) {
        tl_seqmap_del(&s->by_client, o->client_seq);
        e.type = TL_REPORT_REJECTED;
        e.reason = off_lot ? R_OFF_LOT : no_price ? R_NO_PRICE : R_REJECT;
        queue_push(s, due, e);
        return 0;
    }

    slot = slot_take(s);
    sim_order *so = &s->orders[slot];
    so->client_seq = o->client_seq;
    so->venue_seq = ++s->last_venue_seq;
    so->price = o->price;
    so->qty = o->qty;
    so->filled_qty = 0;
    so->full_at = NEVER;
    so->cancel_at = NEVER;
    so->next = NONE;
    so->pos = pidx;
    so->side = o->side;
    so->status = TL_OS_PENDING_NEW;
    so->market = (uint8_t)market;
    so->quoted = 0;
    memcpy(so->symbol, o->symbol, sizeof so->symbol);

    e.venue_seq = so->venue_seq;
    e.slot = slot;
    e.gen = so->gen;
    e.type = TL_REPORT_ACCEPTED;
    queue_push(s, due, e);

    if (!tl_prng_chance(&s->rng, s->thr_fill))
        return 0; /* rests OPEN until canceled */

    tl_fixed first = o->qty;
    if (tl_prng_chance(&s->rng, s->thr_partial)) {
        uint64_t k = 1 + tl_prng_below(&s->rng, 3);
        first = (tl_fixed)((__int128)o->qty * (__int128)k / 4);
        if (o->lot_size > 0)
            first -= first % o->lot_size;
        if (first <= 0 || first >= o->qty)
            first = o->qty;
    }
    e.type = TL_REPORT_FILL;
    e.qty = first;
    if (first == o->qty) {
        e.fee = fee; /* the whole quantity's, computed above */
    } else {
        rc = fill_fee(s, first, o->price, &e.fee); /* a part's fee is below the whole's */
        assert(rc == 0);
    }
    queue_push(s, due, e);
    so->full_at = due;
    if (first < o->qty) {
        due = now + 2 * lat;
        e.qty = o->qty - first;
        rc = fill_fee(s, e.qty, o->price, &e.fee);
        assert(rc == 0);
        queue_push(s, due, e);
        so->full_at = due;
    }
    (void)rc;
    return 0;
}

static int sim_cancel(void *state, uint64_t client_seq, tl_err *err)
{
    sim *s = state;
    int64_t now = tl_clock_now(s->clock);
    uint32_t slot;
    if (now > NEVER - s->p.latency_ns - 1)
        return tl_err_set(err, TL_ERANGE, "sim: clock too close to the end of time");
    int rc = queue_reserve(s, 1);
    if (rc < 0)
        return tl_err_set(err, rc, "sim: out of memory canceling order %llu",
                          (unsigned long long)client_seq);

    int64_t due = now + s->p.latency_ns;
    sim_event_args e = {.client_seq = client_seq,
                        .slot = NONE,
                        .type = TL_REPORT_CANCEL_REJECTED,
                        .reason = R_UNKNOWN};
    if (tl_seqmap_get(&s->by_client, client_seq, &slot)) {
        sim_order *o = &s->orders[slot];
        e.venue_seq = o->venue_seq;
        if (o->cancel_at != NEVER) {
            e.reason = R_CANCELED;
        } else if (o->full_at <= due) {
            e.reason = R_FILLED; /* every fill lands by the time the cancel would */
        } else {
            e.type = TL_REPORT_CANCELED;
            e.reason = R_NONE;
            e.slot = slot;
            e.gen = o->gen;
            o->cancel_at = due;
        }
    }
    queue_push(s, due, e);
    return 0;
}

/* Applies the queue's first event e (in_ring: where queue_first found it) to the books and writes
 * its report into r. Returns 1 when it produced a report, 0 when the event was dropped (a fill
 * canceled before it was due), or, with nothing changed and the event still queued, TL_ERANGE
 * when a position or a fee would overflow and TL_ENOMEM when the fill history cannot grow. */
static int take_effect(sim *s, const sim_event *e, int in_ring, tl_venue_report *r)
{
    sim_order *o = NULL;
    tl_fixed pos_qty = 0, fee = e->fee;
    if (e->slot != NONE) {
        o = &s->orders[e->slot];
        /* A dropped fill may outlive its order's slot; the generation tells. */
        if (o->gen != e->gen || (e->type == TL_REPORT_FILL && e->due_ns > o->cancel_at)) {
            queue_pop(s, in_ring);
            return 0;
        }
        /* Whatever can fail comes before the books change. */
        if (e->type == TL_REPORT_FILL) {
            tl_fixed d = o->side == TL_SIDE_BUY ? e->qty : -e->qty;
            if (tl_fixed_add(s->pos[o->pos].qty, d, &pos_qty) < 0 ||
                (o->quoted && fill_fee(s, e->qty, o->price, &fee) < 0))
                return TL_ERANGE;
            if (tl__venue_fills_reserve(&s->fills) < 0)
                return TL_ENOMEM;
        }
    }

    /* Zeroed whole, padding included, so equal runs give byte-identical report streams. Copied
     * from a zero report: a memset of this size compiles to a slow-starting rep stosq. */
    static const tl_venue_report zero_report;
    *r = zero_report;
    r->type = e->type;
    r->client_seq = e->client_seq;
    r->venue_seq = e->venue_seq;
    r->ts_ns = e->due_ns;
    switch (e->type) {
    case TL_REPORT_ACCEPTED:
        o->status = TL_OS_OPEN;
        /* The order reaches the venue now: a MARKET one takes the latest quote's ask or bid. Its
         * first fill is due at this same instant, queued after this event. */
        if (o->market && s->pos[o->pos].ask > 0) {
            o->price = o->side == TL_SIDE_BUY ? s->pos[o->pos].ask : s->pos[o->pos].bid;
            o->quoted = 1;
        }
        break;
    case TL_REPORT_FILL:
        take_trade_id(s, r->trade_id);
        r->qty = e->qty;
        r->price = o->price;
        r->fee = fee;
        tl__venue_fills_keep(&s->fills, r, o->symbol, o->side);
        o->filled_qty += e->qty;
        s->pos[o->pos].qty = pos_qty;
        o->status = o->filled_qty == o->qty ? TL_OS_FILLED : TL_OS_PARTIALLY_FILLED;
        if (o->status == TL_OS_FILLED)
            retire(s, e->slot);
        break;
    case TL_REPORT_CANCELED:
        o->status = TL_OS_CANCELED;
        retire(s, e->slot);
        break;
    default: /* REJECTED, CANCEL_REJECTED: nothing changes on the books */
        strcpy(r->text, reason_text[e->reason]);
        break;
    }
    queue_pop(s, in_ring);
    return 1;
}

static int effect_error(tl_err *err, int rc)
{
    return tl_err_set(err, rc,
                      rc == TL_ENOMEM ? "sim: out of memory keeping fills"
                                      : "sim: position overflow (or a fee out of range)");
}

/* Moves every event due by `now` into the outbox, so the books describe that time for a snapshot
 * or a quote. */
static int advance_to(sim *s, int64_t now, tl_err *err)
{
    const sim_event *e;
    int in_ring;
    while ((e = queue_first(s, &in_ring)) != NULL && e->due_ns <= now) {
        if (s->out_len == s->out_cap) {
            /* Grow the ring by unrolling it into a new array in order. */
            size_t ncap = s->out_cap > 0 ? s->out_cap * 2 : 64;
            tl_venue_report *n = malloc(ncap * sizeof *n);
            if (n == NULL)
                return tl_err_set(err, TL_ENOMEM, "sim: out of memory queueing reports");
            for (size_t i = 0; i < s->out_len; i++)
                memcpy(&n[i], &s->outbox[(s->out_head + i) % s->out_cap], sizeof *n);
            free(s->outbox);
            s->outbox = n;
            s->out_cap = ncap;
            s->out_head = 0;
        }
        int rc = take_effect(s, e, in_ring, &s->outbox[(s->out_head + s->out_len) % s->out_cap]);
        if (rc < 0)
            return effect_error(err, rc);
        s->out_len += (size_t)rc;
    }
    return 0;
}

static int advance(sim *s, tl_err *err)
{
    return advance_to(s, tl_clock_now(s->clock), err);
}

static int sim_poll(void *state, tl_venue_report *out, size_t cap, size_t *n, tl_err *err)
{
    sim *s = state;
    size_t k = 0;
    /* Reports parked by a snapshot come first: they were produced first. */
    while (k < cap && s->out_len > 0) {
        memcpy(&out[k++], &s->outbox[s->out_head], sizeof *out);
        s->out_head = (s->out_head + 1) % s->out_cap;
        s->out_len--;
    }
    int64_t now = tl_clock_now(s->clock);
    const sim_event *e;
    int in_ring;
    while (k < cap && (e = queue_first(s, &in_ring)) != NULL && e->due_ns <= now) {
        int rc = take_effect(s, e, in_ring, &out[k]);
        if (rc < 0) {
            /* Hand over what is already out; the failing event stays queued and fails the next
             * poll, where nothing else is lost. */
            if (k > 0)
                break;
            return effect_error(err, rc);
        }
        k += (size_t)rc;
    }
    *n = k;
    return 0;
}

static int sim_get_orders(void *state, tl_venue_order_info *out, size_t cap, size_t *n, tl_err *err)
{
    sim *s = state;
    int rc = advance(s, err);
    if (rc < 0)
        return rc;
    size_t k = 0;
    for (uint32_t i = 0; i < s->orders_used; i++) {
        const sim_order *o = &s->orders[i];
        /* Live at the venue: acknowledged and not done. One not yet acknowledged has not
         * reached the venue in this model. */
        if (o->status != TL_OS_OPEN && o->status != TL_OS_PARTIALLY_FILLED)
            continue;
        if (k < cap) {
            tl_venue_order_info *d = &out[k];
            memset(d, 0, sizeof *d);
            d->client_seq = o->client_seq;
            d->venue_seq = o->venue_seq;
            memcpy(d->symbol, o->symbol, sizeof d->symbol);
            d->side = o->side;
            d->status = o->status;
            d->price = o->price;
            d->qty = o->qty;
            d->filled_qty = o->filled_qty;
        }
        k++;
    }
    *n = k;
    return 0;
}

static int sim_get_positions(void *state, tl_venue_position *out, size_t cap, size_t *n,
                             tl_err *err)
{
    sim *s = state;
    int rc = advance(s, err);
    if (rc < 0)
        return rc;
    size_t k = 0;
    for (size_t i = 0; i < s->pos_len; i++) {
        if (s->pos[i].qty == 0)
            continue; /* flat: like a venue's account page, only holdings are listed */
        if (k < cap) {
            memset(&out[k], 0, sizeof out[k]);
            memcpy(out[k].symbol, s->pos[i].symbol, sizeof out[k].symbol);
            out[k].qty = s->pos[i].qty;
        }
        k++;
    }
    *n = k;
    return 0;
}

/* Orders that reached the venue before this quote take effect first, with the quote before it:
 * events due by the quote's time (or by now, if the quote is stamped later than the clock, which
 * cannot be honoured: those in between will see this quote). */
static int sim_on_quote(void *state, const char *symbol, tl_fixed bid, tl_fixed ask, int64_t ts_ns,
                        tl_err *err)
{
    sim *s = state;
    uint32_t idx;
    int rc = position_find(s, symbol, &idx);
    if (rc < 0)
        return tl_err_set(err, rc, "sim: out of memory for the quotes of %s", symbol);
    int64_t now = tl_clock_now(s->clock);
    rc = advance_to(s, ts_ns < now ? ts_ns : now, err);
    if (rc < 0)
        return rc;
    sim_position *p = &s->pos[idx];
    p->bid = bid;
    p->ask = ask;
    p->quote_ns = ts_ns;
    return 0;
}

static int sim_get_fills(void *state, uint64_t after, tl_venue_fill *out, size_t cap, size_t *n,
                         uint64_t *next_cursor, tl_err *err)
{
    sim *s = state;
    int rc = advance(s, err); /* the fills that have happened by now */
    if (rc < 0)
        return rc;
    return tl__venue_fills_list(&s->fills, "sim", after, out, cap, n, next_cursor, err);
}

/* Every report of a place or cancel is due one latency after it, so only latency 0 makes them
 * due at once. */
static uint32_t sim_caps_of(const void *state)
{
    const sim *s = state;
    uint32_t caps = tl_venue_sim_ops.caps;
    return s->p.latency_ns == 0 ? caps : caps & ~TL_VENUE_CAP_IMMEDIATE;
}

const tl_venue_ops tl_venue_sim_ops = {
    .version = TL_VENUE_OPS_VERSION,
    .scheme = "sim",
    .state_size = sizeof(sim),
    .caps = TL_VENUE_CAP_LIMIT | TL_VENUE_CAP_MARKET | TL_VENUE_CAP_CANCEL |
            TL_VENUE_CAP_SIMULATED | TL_VENUE_CAP_QUOTES |
            TL_VENUE_CAP_IMMEDIATE, /* IMMEDIATE only at latency 0: see sim_caps_of */
    .open = sim_open,
    .close = sim_close,
    .place = sim_place,
    .cancel = sim_cancel,
    .poll = sim_poll,
    .get_orders = sim_get_orders,
    .get_positions = sim_get_positions,
    .caps_of = sim_caps_of,
    .on_quote = sim_on_quote,
    .get_fills = sim_get_fills,
};
