/* lock.c -- the desk's best quote and its lock (see lock.h). */
#include "rfq/lock.h"

static const char *const change_names[] = {"none", "locked", "improved", "kept", "expired"};

const char *tl_rfq_lock_change_name(tl_rfq_lock_change c)
{
    return (unsigned)c < sizeof(change_names) / sizeof(change_names[0]) ? change_names[c] : "?";
}

void tl_rfq_lock_init(tl_rfq_lock *l, bool client_buys)
{
    *l = (tl_rfq_lock){.client_buys = client_buys};
}

/* a before b in the choice: better price, then faster, then the lower LP index. */
static bool before(bool client_buys, const tl_rfq_candidate *a, const tl_rfq_candidate *b)
{
    if (a->price != b->price)
        return tl_rfq_better(client_buys, a->price, b->price);
    if (a->latency_ns != b->latency_ns)
        return a->latency_ns < b->latency_ns;
    return a->lp < b->lp;
}

int tl_rfq_best(const tl_rfq_candidate *c, size_t n, bool client_buys)
{
    if (n == 0)
        return -1;
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (before(client_buys, &c[i], &c[best]))
            best = i;
    return (int)best;
}

tl_rfq_lock_change tl_rfq_lock_offer(tl_rfq_lock *l, const tl_rfq_candidate *best, int64_t now_ns)
{
    if (l->expired)
        return TL_RFQ_EXPIRED;
    if (l->held && now_ns > l->quote.valid_until_ns) {
        l->held = false;
        l->expired = true;
        return TL_RFQ_EXPIRED;
    }
    if (!best || best->valid_until_ns < now_ns)
        return l->held ? TL_RFQ_KEPT : TL_RFQ_NONE;
    if (!l->held) {
        l->held = true;
        l->quote = *best;
        l->locked_ns = now_ns;
        return TL_RFQ_LOCKED;
    }
    if (!tl_rfq_better(l->client_buys, best->price, l->quote.price))
        return TL_RFQ_KEPT;
    l->quote = *best;
    l->locked_ns = now_ns;
    return TL_RFQ_IMPROVED;
}
