/*
 * venue_conformance.h -- the test suite every venue backend passes.
 *
 * One suite, run unchanged against sim:// (with several parameter sets), paper:// and, later, the
 * live adapters against their test endpoints. It drives the venue only through the dispatcher
 * (src/venue/venue.c) with a simulated clock, applies every report to a small model of what the
 * venue said, and checks:
 *
 *   - report order per order: ACCEPTED or REJECTED first and exactly once; FILL only after
 *     ACCEPTED and never after a terminal report (unless the venue documents late fills);
 *     the filled quantity never exceeds the order, fills stay on the lot (or complete the order)
 *     and within a LIMIT price; CANCELED only after a cancel request and before the order filled;
 *     one answer (CANCELED or CANCEL_REJECTED) per cancel request, a refused cancel only for an
 *     order that is done or unknown; report times never go back and are never in the future;
 *   - cancel races: a cancel right after place, a cancel after the FILL report, a cancel of an
 *     unknown id, a cancel sent twice;
 *   - trade ids and venue ids unique in a long seeded run;
 *   - get_orders / get_positions (when the backend has them) equal to the model once the reports
 *     due at the time of the snapshot are applied;
 *   - determinism: the same URL and calls give the same reports, byte for byte;
 *   - bad URLs refused with TL_EINVAL naming what is wrong, the venue left untouched;
 *   - a venue with TL_VENUE_CAP_IMMEDIATE has every report of a place or cancel due at once.
 */
#ifndef TL_TESTS_VENUE_CONFORMANCE_H
#define TL_TESTS_VENUE_CONFORMANCE_H

#include <stdbool.h>

#include "tradeloop/venue.h"

/* A URL the venue must refuse, and a piece of text the error must contain. */
typedef struct tl_venue_conformance_bad_url {
    const char *url;
    const char *want;
} tl_venue_conformance_bad_url;

typedef struct tl_venue_conformance {
    const char *url; /* the venue under test (borrowed) */
    /* URLs of its scheme that must be refused (borrowed; ends with a {NULL, NULL} entry). */
    const tl_venue_conformance_bad_url *bad_urls;
    /* The venue documents late fills: a FILL may follow CANCELED or EXPIRED (still within the
     * order's quantity). Neither sim:// nor paper:// does: their late fills come before the
     * CANCELED report. */
    bool late_fills;
    /* Extra backend tables for tl_venue_open (a third-party backend under test), or NULL. */
    const tl_venue_ops *const *extra;
} tl_venue_conformance;

/* Runs the suite as one cmocka group named group_name against cfg (borrowed for the call).
 * Returns the number of failed tests (0 = all passed), as cmocka does. */
int tl_venue_conformance_run(const char *group_name, const tl_venue_conformance *cfg);

#endif /* TL_TESTS_VENUE_CONFORMANCE_H */
