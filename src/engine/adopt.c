/*
 * adopt.c -- after a restart, the live orders of the journal handed back to the venue.
 *
 * A venue that can (the adopt slot of include/tradeloop/venue.h: the live adapter) follows each
 * of them again and reports what became of it while the engine was down: fills with the venue's
 * trade ids (one the engine already holds is refused, so nothing is applied twice), its end. The
 * reports are applied here, before any trading, so tl_engine_reconcile_venue after it expires
 * only what the venue never had. A venue without the slot changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "engine/engine.h"
#include "engine/recover.h"

typedef struct live_walk {
    uint64_t *seqs;
    size_t n, cap;
} live_walk;

static int collect_live(void *ctx, tl_order *o)
{
    live_walk *w = ctx;
    if (TL_VEC_RESERVE(&w->seqs, &w->cap, w->n + 1) != 0)
        return TL_ENOMEM;
    w->seqs[w->n++] = o->client_seq;
    return 0;
}

int tl__engine_live_seqs(tl_engine *e, uint64_t **seqs, size_t *n, tl_err *err)
{
    live_walk w = {0};
    int rc = tl_order_store_each_live(&e->orders, collect_live, &w);
    if (rc != 0) {
        free(w.seqs);
        return tl_err_set(err, rc, "live orders: %s", tl_strerror(rc));
    }
    *seqs = w.seqs;
    *n = w.n;
    return 0;
}

/* The order as it was sent (engine.c's tl__engine_place). */
static void as_sent(const tl_engine *e, const tl_order *o, tl_venue_order *vo)
{
    const tl_instrument *inst = &e->instruments.items[o->instrument];
    memset(vo, 0, sizeof *vo);
    vo->client_seq = o->client_seq;
    const char *ext = tl_intake_order_name(&e->intake, o->client_seq);
    if (ext)
        memcpy(vo->client_id, ext, strlen(ext) + 1);
    memcpy(vo->symbol, inst->symbol, sizeof vo->symbol);
    vo->side = o->side;
    vo->type = o->type;
    vo->price = o->price;
    vo->qty = o->qty;
    vo->lot_size = inst->lot_size;
}

int tl_engine_adopt_venue(tl_engine *e, uint64_t *adopted, tl_err *err)
{
    uint64_t *seqs = NULL;
    size_t n = 0;
    int rc;
    *adopted = 0;
    if (!e->venue)
        return 0;
    if ((rc = tl__engine_live_seqs(e, &seqs, &n, err)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const tl_order *o = tl_order_store_by_client(&e->orders, seqs[i]);
        tl_venue_order vo;
        as_sent(e, o, &vo);
        rc = tl_venue_adopt(e->venue, &vo, o->venue_seq, err);
        if (rc == TL_ENOTSUP) {
            rc = 0; /* a venue that cannot: tl_engine_reconcile_venue decides */
            break;
        }
        if (rc == TL_ENOTFOUND) {
            rc = 0; /* never got there: tl_engine_reconcile_venue expires it */
            continue;
        }
        if (rc != 0)
            goto out;
        (*adopted)++;
    }
    /* What happened while the engine was down, applied now, before anything is traded. */
    if (*adopted > 0 && (rc = tl_engine_poll(e, err)) > 0)
        rc = 0;
out:
    free(seqs);
    return rc;
}
