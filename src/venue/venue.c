/*
 * venue.c -- the one caller through tl_venue_ops tables.
 *
 * Backends are chosen by URL scheme, first among the built-ins, then among the tables the caller
 * adds. Every call into a backend passes through a function here, so argument checks, the
 * counters and fault injection are written once and hold for every venue, real or simulated.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "venue/venue.h"

/* Bytes of tl_venue_order.symbol, read as whole words by symbol_ok. */
#define TL_VENUE_SYMBOL_LEN sizeof(((tl_venue_order *)0)->symbol)
_Static_assert(TL_VENUE_SYMBOL_LEN % sizeof(uint64_t) == 0, "symbol is read as whole words");
#define TL_VENUE_CLIENT_ID_LEN sizeof(((tl_venue_order *)0)->client_id)
_Static_assert(TL_VENUE_CLIENT_ID_LEN % sizeof(uint64_t) == 0, "client_id is read as whole words");

/* Longest scheme we accept; real ones are short ("sim", "binance", "paper"). */
#define SCHEME_MAX 32
/* Longest slice of a URL quoted back in an error (a URL may be long, or carry a secret further
 * along; the scheme and host are what a person needs to see). */
#define QUOTE_MAX 64

static const tl_venue_ops *const builtin_venues[] = {
    &tl_venue_sim_ops,
    &tl_venue_paper_ops,
    &tl_venue_binance_http_ops,
    &tl_venue_binance_https_ops,
    NULL,
};

/* The slots of later versions, NULL for an older table: it may have been built with a shorter
 * struct, so nothing past the slots of its own version is read from it. */
typedef int (*on_quote_fn)(void *, const char *, tl_fixed, tl_fixed, int64_t, tl_err *);
typedef int (*get_fills_fn)(void *, uint64_t, tl_venue_fill *, size_t, size_t *, uint64_t *,
                            tl_err *);

static inline on_quote_fn on_quote_slot(const tl_venue_ops *ops)
{
    return ops->version >= 2 ? ops->on_quote : NULL;
}

static inline get_fills_fn get_fills_slot(const tl_venue_ops *ops)
{
    return ops->version >= 2 ? ops->get_fills : NULL;
}

typedef int (*adopt_fn)(void *, const tl_venue_order *, uint64_t, tl_err *);

static inline adopt_fn adopt_slot(const tl_venue_ops *ops)
{
    return ops->version >= 3 ? ops->adopt : NULL;
}

int tl_venue_ops_check(const tl_venue_ops *ops, tl_err *err)
{
    if (ops == NULL)
        return tl_err_set(err, TL_EINVAL, "venue backend table is NULL");
    if (ops->version < 1 || ops->version > TL_VENUE_OPS_VERSION)
        return tl_err_set(err, TL_EINVAL, "venue backend '%s': ops version %d, expected 1..%d",
                          ops->scheme ? ops->scheme : "?", ops->version, TL_VENUE_OPS_VERSION);
    if (ops->scheme == NULL || ops->scheme[0] == '\0')
        return tl_err_set(err, TL_EINVAL, "venue backend has no scheme");
    if (ops->state_size == 0)
        return tl_err_set(err, TL_EINVAL, "venue backend '%s': state_size is 0", ops->scheme);
    /* Each mandatory slot is named, so a backend author sees at once which one is missing. */
    const char *missing = ops->open == NULL     ? "open"
                          : ops->close == NULL  ? "close"
                          : ops->place == NULL  ? "place"
                          : ops->cancel == NULL ? "cancel"
                          : ops->poll == NULL   ? "poll"
                                                : NULL;
    if (missing != NULL)
        return tl_err_set(err, TL_EINVAL, "venue backend '%s': mandatory slot '%s' is NULL",
                          ops->scheme, missing);
    /* The capability is what a host reads to know whether quotes matter: it must not lie. */
    if ((ops->caps & TL_VENUE_CAP_QUOTES) && on_quote_slot(ops) == NULL)
        return tl_err_set(err, TL_EINVAL,
                          "venue backend '%s': TL_VENUE_CAP_QUOTES without on_quote", ops->scheme);
    return 0;
}

/* RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://". Returns the scheme's
 * length, or 0 when the URL does not start with one. */
static size_t scheme_len(const char *url)
{
    size_t i = 0;
    if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
        return 0;
    for (i = 1; i < SCHEME_MAX && url[i] != '\0'; i++) {
        char c = url[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '-' || c == '.';
        if (!ok)
            break;
    }
    return strncmp(url + i, "://", 3) == 0 ? i : 0;
}

/* Schemes compare case-insensitively (RFC 3986 3.1). */
static const tl_venue_ops *find_in(const tl_venue_ops *const *list, const char *scheme, size_t len)
{
    for (; list != NULL && *list != NULL; list++) {
        const char *s = (*list)->scheme;
        if (s != NULL && strlen(s) == len && strncasecmp(s, scheme, len) == 0)
            return *list;
    }
    return NULL;
}

int tl_venue_open(tl_venue *v, const char *url, const tl_clock *clock,
                  const tl_venue_ops *const *extra, tl_err *err)
{
    if (v == NULL || url == NULL || clock == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_venue_open: NULL venue, URL or clock");
    size_t len = scheme_len(url);
    if (len == 0)
        return tl_err_set(err, TL_EINVAL, "malformed venue URL '%.*s': expected scheme://...",
                          QUOTE_MAX, url);
    /* Built-ins first, so an added table can never shadow "sim" by accident. */
    const tl_venue_ops *ops = find_in(builtin_venues, url, len);
    if (ops == NULL)
        ops = find_in(extra, url, len);
    if (ops == NULL)
        return tl_err_set(err, TL_ENOTSUP, "unknown venue scheme '%.*s' in URL '%.*s'", (int)len,
                          url, QUOTE_MAX, url);
    int rc = tl_venue_ops_check(ops, err);
    if (rc < 0)
        return rc;
    void *state = calloc(1, ops->state_size);
    if (state == NULL)
        return tl_err_set(err, TL_ENOMEM, "venue '%s': cannot allocate %zu bytes of state",
                          ops->scheme, ops->state_size);
    rc = ops->open(state, url, clock, err);
    if (rc < 0) {
        free(state); /* the backend released what it took before failing */
        return rc;
    }
    /* Capabilities that depend on the URL are asked once: calls are checked against them, and a
     * backend claiming more than its table says is refused, since the table is what a person
     * reads to know what a venue can do. */
    uint32_t caps = ops->caps_of != NULL ? ops->caps_of(state) : ops->caps;
    if (caps & ~ops->caps) {
        ops->close(state);
        free(state);
        return tl_err_set(err, TL_EINVAL,
                          "venue backend '%s': caps_of gives 0x%x, beyond its table's 0x%x",
                          ops->scheme, caps, ops->caps);
    }
    memset(v, 0, sizeof *v);
    v->ops = ops;
    v->state = state;
    v->caps = caps;
    return 0;
}

void tl_venue_close(tl_venue *v)
{
    if (v == NULL || v->ops == NULL)
        return;
    v->ops->close(v->state);
    free(v->state);
    memset(v, 0, sizeof *v);
}

/* Common entry check: a NULL or closed venue. */
static int check_open(const tl_venue *v, const char *what, tl_err *err)
{
    if (v == NULL)
        return tl_err_set(err, TL_EINVAL, "%s: NULL venue", what);
    if (v->ops == NULL)
        return tl_err_set(err, TL_ECLOSED, "%s: venue is closed", what);
    return 0;
}

/* True when the len bytes at s (a multiple of 8) hold a NUL. Checked a word at a time (the arrays
 * are always whole) rather than with memchr: this runs for every order placed. */
static inline bool has_nul(const char *s, size_t len)
{
    uint64_t any_zero = 0;
    for (size_t i = 0; i < len; i += sizeof(uint64_t)) {
        uint64_t w;
        memcpy(&w, s + i, sizeof w);
        any_zero |= (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
    }
    return any_zero != 0;
}

static int check_order(const tl_venue *v, const tl_venue_order *o, tl_err *err)
{
    const char *name = v->ops->scheme;
    if (o == NULL)
        return tl_err_set(err, TL_EINVAL, "venue %s: place: NULL order", name);
    if (o->client_seq == 0)
        return tl_err_set(err, TL_EINVAL, "venue %s: place: client_seq 0", name);
    if (o->symbol[0] == '\0' || !has_nul(o->symbol, TL_VENUE_SYMBOL_LEN))
        return tl_err_set(err, TL_EINVAL, "venue %s: order %llu: symbol empty or unterminated",
                          name, (unsigned long long)o->client_seq);
    if (!has_nul(o->client_id, TL_VENUE_CLIENT_ID_LEN))
        return tl_err_set(err, TL_EINVAL, "venue %s: order %llu: client_id unterminated", name,
                          (unsigned long long)o->client_seq);
    if (o->side != TL_SIDE_BUY && o->side != TL_SIDE_SELL)
        return tl_err_set(err, TL_EINVAL, "venue %s: order %llu: bad side %u", name,
                          (unsigned long long)o->client_seq, o->side);
    if (o->type != TL_ORDER_LIMIT && o->type != TL_ORDER_MARKET)
        return tl_err_set(err, TL_EINVAL, "venue %s: order %llu: bad type %u", name,
                          (unsigned long long)o->client_seq, o->type);
    if (o->qty <= 0)
        return tl_err_set(err, TL_EINVAL, "venue %s: order %llu: qty must be > 0", name,
                          (unsigned long long)o->client_seq);
    /* A MARKET order may come without a reference price (0): whether the venue can do without
     * one is its own decision, reported as REJECTED like any other. */
    if (o->price < 0 || (o->price == 0 && o->type == TL_ORDER_LIMIT))
        return tl_err_set(err, TL_EINVAL, "venue %s: order %llu: price must be > 0%s", name,
                          (unsigned long long)o->client_seq,
                          o->type == TL_ORDER_MARKET ? " (or 0: none)" : "");
    if (o->lot_size < 0)
        return tl_err_set(err, TL_EINVAL, "venue %s: order %llu: lot_size must be >= 0", name,
                          (unsigned long long)o->client_seq);
    uint32_t need = o->type == TL_ORDER_MARKET ? TL_VENUE_CAP_MARKET : TL_VENUE_CAP_LIMIT;
    if (!(v->caps & need))
        return tl_err_set(err, TL_ENOTSUP, "venue %s: %s orders not supported", name,
                          o->type == TL_ORDER_MARKET ? "MARKET" : "LIMIT");
    return 0;
}

int tl_venue_place(tl_venue *v, const tl_venue_order *order, tl_err *err)
{
    int rc = check_open(v, "tl_venue_place", err);
    if (rc < 0)
        return rc;
    /* Calls are numbered from 1 whatever their outcome, so "fail the Nth" means the Nth call. */
    uint64_t call = v->stats.placed + v->stats.place_errors + 1;
    rc = check_order(v, order, err);
    if (rc == 0 && v->faults.fail_place_at == call)
        rc = tl_err_set(err, TL_EIO, "injected fault: place #%llu", (unsigned long long)call);
    if (rc == 0)
        rc = v->ops->place(v->state, order, err);
    if (rc < 0) {
        v->stats.place_errors++;
        return rc;
    }
    v->stats.placed++;
    return 0;
}

int tl_venue_cancel(tl_venue *v, uint64_t client_seq, tl_err *err)
{
    int rc = check_open(v, "tl_venue_cancel", err);
    if (rc < 0)
        return rc;
    uint64_t call = v->stats.cancels + v->stats.cancel_errors + 1;
    if (client_seq == 0)
        rc = tl_err_set(err, TL_EINVAL, "venue %s: cancel: client_seq 0", v->ops->scheme);
    else if (!(v->caps & TL_VENUE_CAP_CANCEL))
        rc = tl_err_set(err, TL_ENOTSUP, "venue %s: cancel not supported", v->ops->scheme);
    else if (v->faults.fail_cancel_at == call)
        rc = tl_err_set(err, TL_EIO, "injected fault: cancel #%llu", (unsigned long long)call);
    else
        rc = v->ops->cancel(v->state, client_seq, err);
    if (rc < 0) {
        v->stats.cancel_errors++;
        return rc;
    }
    v->stats.cancels++;
    return 0;
}

/* Shared checks of the three "copy up to cap items" calls. */
static int check_out(const tl_venue *v, const void *out, size_t cap, const size_t *n,
                     const char *what, tl_err *err)
{
    int rc = check_open(v, what, err);
    if (rc < 0)
        return rc;
    if (n == NULL || (out == NULL && cap > 0))
        return tl_err_set(err, TL_EINVAL, "%s: NULL output", what);
    return 0;
}

/* Swallows the FILL report drop_report_at names if it is among out[0..got): counts every FILL
 * report taken from the backend, and closes the gap. Returns the new count. */
static size_t drop_fault(tl_venue *v, tl_venue_report *out, size_t got)
{
    size_t k = 0;
    for (size_t i = 0; i < got; i++) {
        if (out[i].type == TL_REPORT_FILL && ++v->stats.fill_reports == v->faults.drop_report_at) {
            v->stats.dropped_reports++;
            continue;
        }
        if (k != i)
            out[k] = out[i];
        k++;
    }
    return k;
}

int tl_venue_poll(tl_venue *v, tl_venue_report *out, size_t cap, size_t *n, tl_err *err)
{
    int rc = check_out(v, out, cap, n, "tl_venue_poll", err);
    if (rc < 0)
        return rc;
    size_t got = 0;
    for (;;) {
        size_t k = 0;
        rc = v->ops->poll(v->state, out + got, cap - got, &k, err);
        if (rc < 0) {
            if (got == 0)
                return rc;
            break; /* hand over what came; the backend fails again on the next poll */
        }
        /* NEVER: a backend writing past the caller's buffer has already corrupted memory; stop
         * here rather than let the engine read a count it cannot trust. */
        if (k > cap - got)
            return tl_err_set(err, TL_ECORRUPT,
                              "venue %s: poll returned %zu reports for room of %zu", v->ops->scheme,
                              k, cap - got);
        size_t kept = drop_fault(v, out + got, k);
        got += kept;
        /* Ask again only when a report was swallowed and left room: a poll that returns less than
         * its room must still mean "nothing more is due", whatever was dropped. */
        if (kept == k || k == 0 || got == cap)
            break;
    }
    v->stats.reports += got;
    *n = got;
    return 0;
}

int tl_venue_get_orders(tl_venue *v, tl_venue_order_info *out, size_t cap, size_t *n, tl_err *err)
{
    int rc = check_out(v, out, cap, n, "tl_venue_get_orders", err);
    if (rc < 0)
        return rc;
    if (v->ops->get_orders == NULL)
        return tl_err_set(err, TL_ENOTSUP, "venue %s: get_orders not supported", v->ops->scheme);
    size_t got = 0;
    rc = v->ops->get_orders(v->state, out, cap, &got, err);
    if (rc < 0)
        return rc;
    *n = got;
    return 0;
}

int tl_venue_get_positions(tl_venue *v, tl_venue_position *out, size_t cap, size_t *n, tl_err *err)
{
    int rc = check_out(v, out, cap, n, "tl_venue_get_positions", err);
    if (rc < 0)
        return rc;
    if (v->ops->get_positions == NULL)
        return tl_err_set(err, TL_ENOTSUP, "venue %s: get_positions not supported", v->ops->scheme);
    size_t got = 0;
    rc = v->ops->get_positions(v->state, out, cap, &got, err);
    if (rc < 0)
        return rc;
    *n = got;
    return 0;
}

int tl_venue_get_fills(tl_venue *v, uint64_t after, tl_venue_fill *out, size_t cap, size_t *n,
                       uint64_t *next_cursor, tl_err *err)
{
    int rc = check_out(v, out, cap, n, "tl_venue_get_fills", err);
    if (rc < 0)
        return rc;
    if (next_cursor == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_venue_get_fills: NULL cursor output");
    get_fills_fn fn = get_fills_slot(v->ops);
    if (fn == NULL)
        return tl_err_set(err, TL_ENOTSUP, "venue %s: get_fills not supported", v->ops->scheme);
    size_t got = 0;
    uint64_t next = after;
    rc = fn(v->state, after, out, cap, &got, &next, err);
    if (rc < 0)
        return rc;
    if (got > cap) /* NEVER, as in poll */
        return tl_err_set(err, TL_ECORRUPT, "venue %s: get_fills returned %zu for room of %zu",
                          v->ops->scheme, got, cap);
    *n = got;
    *next_cursor = next;
    return 0;
}

int tl_venue_adopt(tl_venue *v, const tl_venue_order *order, uint64_t venue_seq, tl_err *err)
{
    int rc = check_open(v, "tl_venue_adopt", err);
    if (rc < 0)
        return rc;
    adopt_fn fn = adopt_slot(v->ops);
    if (fn == NULL)
        return tl_err_set(err, TL_ENOTSUP, "venue %s: adopt not supported", v->ops->scheme);
    if ((rc = check_order(v, order, err)) < 0)
        return rc;
    return fn(v->state, order, venue_seq, err);
}

int tl_venue_on_quote(tl_venue *v, const char *symbol, tl_fixed bid, tl_fixed ask, int64_t ts_ns,
                      tl_err *err)
{
    int rc = check_open(v, "tl_venue_on_quote", err);
    if (rc < 0)
        return rc;
    const char *name = v->ops->scheme;
    if (symbol == NULL || symbol[0] == '\0' ||
        strnlen(symbol, TL_VENUE_SYMBOL_LEN) == TL_VENUE_SYMBOL_LEN)
        return tl_err_set(err, TL_EINVAL, "venue %s: quote: symbol empty or longer than %zu bytes",
                          name, TL_VENUE_SYMBOL_LEN - 1);
    if (bid <= 0 || ask < bid)
        return tl_err_set(err, TL_EINVAL, "venue %s: quote of %s: need 0 < bid <= ask", name,
                          symbol);
    on_quote_fn fn = on_quote_slot(v->ops);
    if (fn == NULL || !(v->caps & TL_VENUE_CAP_QUOTES))
        return 0; /* prices on its own: nothing to do (documented in venue.h) */
    rc = fn(v->state, symbol, bid, ask, ts_ns, err);
    if (rc < 0)
        return rc;
    v->stats.quotes++;
    return 0;
}
