/*
 * order.c -- the order state machine and order ids.
 *
 * Every (status, event) pair is one cell of TRANSITION, so the legal set can be read, reviewed and
 * tested as a whole; the functions here only apply what the table says. The module knows nothing
 * of the store: it changes one tl_order and nothing else.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tradeloop/order.h"

static const char *const status_names[TL_OS__COUNT] = {
#define TL__OS_NAME(name) #name,
    TL_ORDER_STATUS_MAP(TL__OS_NAME)
#undef TL__OS_NAME
};

static const char *const event_names[TL_OEV__COUNT] = {
#define TL__OEV_NAME(name) #name,
    TL_ORDER_EVENT_MAP(TL__OEV_NAME)
#undef TL__OEV_NAME
};

/* Short names keep the table readable as a grid. */
#define PN  TL_OS_PENDING_NEW
#define OP  TL_OS_OPEN
#define PF  TL_OS_PARTIALLY_FILLED
#define PC  TL_OS_PENDING_CANCEL
#define CA  TL_OS_CANCELED
#define RJ  TL_OS_REJECTED
#define EX  TL_OS_EXPIRED
#define DN  TL_OS_DENIED
#define NO  (-1)
#define PRV TL_ORDER_PREV_STATUS

/*
 * TRANSITION[status][event]: the next status, NO when refused, PRV for "the status before the
 * cancel request". The FILL column gives the status after a fill that leaves something to trade;
 * tl_order_apply_fill turns it into FILLED when nothing is left (except on CANCELED/EXPIRED,
 * whose late fills are recorded without reviving the order). FILLED refuses fills here; the fill
 * path reports that as an overfill, since the venue is claiming more than was ordered.
 */
/* clang-format off */
static const int8_t TRANSITION[TL_OS__COUNT][TL_OEV__COUNT] = {
    /*                          ACCEPT REJECT FILL CXL_REQ CXL_ACK CXL_REJ EXPIRE DENY */
    [TL_OS_PENDING_NEW]      = {OP,    RJ,    PF,  PC,     NO,     NO,     NO,    DN},
    [TL_OS_OPEN]             = {NO,    NO,    PF,  PC,     NO,     NO,     EX,    NO},
    [TL_OS_PARTIALLY_FILLED] = {NO,    NO,    PF,  PC,     NO,     NO,     EX,    NO},
    [TL_OS_FILLED]           = {NO,    NO,    NO,  NO,     NO,     NO,     NO,    NO},
    [TL_OS_PENDING_CANCEL]   = {NO,    NO,    PC,  NO,     CA,     PRV,    NO,    NO},
    [TL_OS_CANCELED]         = {NO,    NO,    CA,  NO,     NO,     NO,     NO,    NO},
    [TL_OS_REJECTED]         = {NO,    NO,    NO,  NO,     NO,     NO,     NO,    NO},
    [TL_OS_EXPIRED]          = {NO,    NO,    EX,  NO,     NO,     NO,     NO,    NO},
    [TL_OS_DENIED]           = {NO,    NO,    NO,  NO,     NO,     NO,     NO,    NO},
};
/* clang-format on */
_Static_assert(TL_OS__COUNT == 9 && TL_OEV__COUNT == 8,
               "a status or event was added: give it a row or column in TRANSITION");

#undef PN
#undef OP
#undef PF
#undef PC
#undef CA
#undef RJ
#undef EX
#undef DN
#undef NO
#undef PRV

const char *tl_order_status_name(int status)
{
    return status >= 0 && status < TL_OS__COUNT ? status_names[status] : "?";
}

const char *tl_order_event_name(int event)
{
    return event >= 0 && event < TL_OEV__COUNT ? event_names[event] : "?";
}

const char *tl_side_name(int side)
{
    switch (side) {
    case TL_SIDE_BUY:
        return "BUY";
    case TL_SIDE_SELL:
        return "SELL";
    default:
        return "?";
    }
}

int tl_order_status_parse(const char *name, tl_order_status *out)
{
    if (name == NULL)
        return TL_EINVAL;
    for (int i = 0; i < TL_OS__COUNT; i++) {
        if (strcmp(name, status_names[i]) == 0) {
            *out = (tl_order_status)i;
            return 0;
        }
    }
    return TL_EINVAL;
}

int tl_order_transition(tl_order_status status, tl_order_event event)
{
    if ((int)status < 0 || status >= TL_OS__COUNT || (int)event < 0 || event >= TL_OEV__COUNT)
        return -1;
    return TRANSITION[status][event];
}

bool tl_order_status_is_terminal(int status)
{
    switch (status) {
    case TL_OS_FILLED:
    case TL_OS_CANCELED:
    case TL_OS_REJECTED:
    case TL_OS_EXPIRED:
    case TL_OS_DENIED:
        return true;
    default:
        return false;
    }
}

bool tl_order_status_is_live(int status)
{
    switch (status) {
    case TL_OS_PENDING_NEW:
    case TL_OS_OPEN:
    case TL_OS_PARTIALLY_FILLED:
    case TL_OS_PENDING_CANCEL:
        return true;
    default:
        return false;
    }
}

void tl_order_init(tl_order *o, uint32_t instrument, uint32_t account, tl_side side,
                   tl_order_type type, tl_fixed price, tl_fixed qty, int64_t now_ns)
{
    memset(o, 0, sizeof(*o)); /* also zeroes padding, so orders compare with memcmp */
    o->instrument = instrument;
    o->account = account;
    o->side = (uint8_t)side;
    o->type = (uint8_t)type;
    o->status = TL_OS_PENDING_NEW;
    o->prev_status = TL_OS_PENDING_NEW;
    o->price = price;
    o->qty = qty;
    o->created_ns = now_ns;
    o->updated_ns = now_ns;
    o->fill_head = UINT32_MAX;
    o->next = UINT32_MAX;
}

/* The order's client id for messages; "CLI00000000" before the store numbered it. */
static const char *cli(const tl_order *o, char *buf)
{
    tl_order_format_client_id(o->client_seq, buf);
    return buf;
}

/* A status a cancel request can have been made from: the only ones CANCEL_REJECT may restore. */
static bool cancelable_from(int status)
{
    return status == TL_OS_PENDING_NEW || status == TL_OS_OPEN || status == TL_OS_PARTIALLY_FILLED;
}

int tl_order_apply(tl_order *o, tl_order_event event, int64_t now_ns, tl_err *err)
{
    char id[TL_ORDER_ID_MAX];

    if (event == TL_OEV_FILL)
        return tl_err_set(err, TL_EINVAL, "a fill goes through tl_order_apply_fill");
    int next = tl_order_transition((tl_order_status)o->status, event);
    if (next < 0) {
        return tl_err_set(err, TL_ESTATE, "%s: %s refused in status %s", cli(o, id),
                          tl_order_event_name(event), tl_order_status_name(o->status));
    }
    if (next == TL_ORDER_PREV_STATUS) {
        /* NEVER: prev_status is only written by a cancel request or a fill while pending. */
        if (!cancelable_from(o->prev_status)) {
            return tl_err_set(err, TL_ECORRUPT, "%s: bad previous status %d", cli(o, id),
                              o->prev_status);
        }
        next = o->prev_status;
    }
    if (event == TL_OEV_CANCEL_REQUEST)
        o->prev_status = o->status;
    o->status = (uint8_t)next;
    o->updated_ns = now_ns;
    return 0;
}

int tl_order_apply_fill(tl_order *o, tl_fixed qty, tl_fixed price, tl_fixed fee, int64_t now_ns,
                        tl_err *err)
{
    char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN], id[TL_ORDER_ID_MAX];

    if (qty <= 0 || price <= 0 || fee < 0) {
        const char *what = qty <= 0 ? "quantity" : price <= 0 ? "price" : "fee";
        tl_fixed v = qty <= 0 ? qty : price <= 0 ? price : fee;
        tl_fixed_format(v, a, sizeof(a));
        return tl_err_set(err, TL_EINVAL, "%s: fill %s %s is out of range", cli(o, id), what, a);
    }
    int after = tl_order_transition((tl_order_status)o->status, TL_OEV_FILL);
    if (after < 0 && o->status != TL_OS_FILLED) {
        return tl_err_set(err, TL_ESTATE, "%s: fill refused in status %s", cli(o, id),
                          tl_order_status_name(o->status));
    }
    tl_fixed leaves = tl_order_leaves(o);
    if (qty > leaves || o->status == TL_OS_FILLED) {
        tl_fixed_format(qty, a, sizeof(a));
        tl_fixed_format(leaves, b, sizeof(b));
        return tl_err_set(err, TL_EOVERFILL, "%s: fill %s exceeds leaves %s", cli(o, id), a, b);
    }
    tl_fixed fees;
    if (tl_fixed_add(o->fees, fee, &fees) != 0)
        return tl_err_set(err, TL_ERANGE, "%s: fees overflow", cli(o, id));
    if (o->fill_count == UINT32_MAX)
        return tl_err_set(err, TL_ERANGE, "%s: too many fills", cli(o, id));

    /* Checks are over: from here on nothing can fail. qty <= leaves, so filled_qty stays <= qty
     * and sum(qty*price) <= qty * max price < 2^126: neither can overflow. */
    o->filled_qty += qty;
    o->fees = fees;
    o->fill_value += (__int128)qty * price;
    o->fill_count++;
    o->updated_ns = now_ns;
    if (o->status == TL_OS_CANCELED || o->status == TL_OS_EXPIRED)
        return 0; /* a late fill: recorded, but the order stays what the venue said it is */
    if (o->filled_qty == o->qty) {
        o->status = TL_OS_FILLED;
    } else {
        if (o->status == TL_OS_PENDING_CANCEL)
            o->prev_status = TL_OS_PARTIALLY_FILLED; /* what a cancel reject must now restore */
        o->status = (uint8_t)after;
    }
    return 0;
}

/* Ids are "<prefix><seq zero-padded to width>", wider when seq needs more digits. */
/* prefix (3 letters) and seq zero-padded to width digits, written by hand: the journal names an
 * order in every event it records, and snprintf was a tenth of that path. 3 + 20 digits always
 * fit TL_ORDER_ID_MAX. */
static int format_id(const char *prefix, int width, uint64_t seq, char *buf)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + seq % 10);
        seq /= 10;
    } while (seq);
    int len = 3 + (n > width ? n : width);
    memcpy(buf, prefix, 3);
    char *p = buf + 3;
    for (int i = n; i < width; i++)
        *p++ = '0';
    while (n)
        *p++ = digits[--n];
    *p = '\0';
    return len;
}

static int parse_id(const char *prefix, const char *s, uint64_t *seq)
{
    size_t plen = strlen(prefix);
    if (s == NULL || strncmp(s, prefix, plen) != 0)
        return TL_EINVAL;
    s += plen;
    if (*s == '\0')
        return TL_EINVAL;
    uint64_t v = 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return TL_EINVAL;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return TL_EINVAL;
        v = v * 10 + d;
    }
    if (v == 0)
        return TL_EINVAL; /* sequence numbers start at 1 */
    *seq = v;
    return 0;
}

int tl_order_format_client_id(uint64_t seq, char *buf)
{
    return format_id("CLI", 8, seq, buf);
}

int tl_order_format_venue_id(uint64_t seq, char *buf)
{
    return format_id("ORD", 6, seq, buf);
}

int tl_order_parse_client_id(const char *s, uint64_t *seq)
{
    return parse_id("CLI", s, seq);
}

int tl_order_parse_venue_id(const char *s, uint64_t *seq)
{
    return parse_id("ORD", s, seq);
}
