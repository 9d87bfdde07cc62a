/*
 * sim.h -- the deterministic simulated exchange ("sim://").
 *
 * URL parameters (all optional):
 *   seed=42            PRNG seed (uint64)
 *   fill_rate=0.7      probability that an accepted order trades at all
 *   reject_rate=0.05   probability that an order is rejected on arrival
 *   partial_rate=0.3   probability that a trading order fills in two parts rather than one
 *   latency_us=1000    time from an action to its report, simulated microseconds
 *   fee_bps=1          fee per fill, bps of notional, in [0, 10000] (one rounding, tl_fixed's rule)
 *   capacity=1024      orders it expects to hold at once, 1..1048576 (grows when exceeded); also
 *                      how many finished orders it remembers to refuse their cancels by name
 * Every draw comes from its own PRNG in a fixed order, and every report is stamped in the clock's
 * (simulated) time, so the same seed and inputs give the same reports, byte for byte.
 *
 * The loop's venue is sim://?fill_rate=1&reject_rate=0&partial_rate=0&latency_us=0: every order
 * fills whole, at once.
 *
 * Prices. A LIMIT order that is to fill is filled at its limit price. A MARKET order fills at the
 * latest quote of its symbol (tl_venue_on_quote) at the moment it reaches the venue, one latency
 * after it was sent: the ask for a BUY, the bid for a SELL, and every part of it at that price
 * (fees computed as the fills land). Feeding a quote stamped T first lets every order that
 * reached the venue by T (sent earlier, due at or before T) take effect at the quotes before it
 * (by the clock instead, if the stamp is later than the clock); an order sent after the quote was
 * fed takes it, even at latency 0. So a host feeds each quote to the venue before the engine acts
 * on it, and a market order the quote causes fills at that quote. A MARKET
 * order of a symbol without any quote when it is sent fills at its reference price, and one
 * without a reference price either is REJECTED ("market order without a reference price"),
 * without a draw. One that rests (fill_rate < 1) has the quote's price in get_orders.
 *
 * Fills kept: the last capacity x 4 fills (about 100 bytes each, allocated as they come), for
 * get_fills; older ones are gone, and a cursor before the oldest kept lists from the oldest kept
 * (the first fill's seq shows the gap). Positions (get_positions) are the signed net of every
 * fill that has taken effect, history or not.
 *
 * Trade ids are "T" followed by 10 digits, venue ids are sequence numbers (ORD000001).
 * A quantity off the order's lot is REJECTED ("quantity off the lot") without a draw; placing a
 * client_seq the sim still holds is TL_EDUPLICATE. client_id is not used. With latency 0 every
 * report of a place or cancel is due at once, and the opened venue has TL_VENUE_CAP_IMMEDIATE. A
 * cancel lands one latency after it is sent: fills due by then still happen (and if they complete
 * the order the cancel is refused, "already filled"); later ones are dropped.
 */
#ifndef TL_VENUE_SIM_H
#define TL_VENUE_SIM_H

#include "tradeloop/venue.h"

typedef struct tl_sim_params {
    uint64_t seed;
    tl_fixed fill_rate, reject_rate, partial_rate; /* each in [0, 1] */
    int64_t latency_ns;                            /* >= 0 */
    tl_fixed fee_bps;                              /* in [0, 10000] */
    uint32_t capacity;
    uint64_t first_trade; /* the first trade's number (default 1) */
    uint64_t first_order; /* the first venue order number (default 1) */
} tl_sim_params;

/* Defaults: seed 42, fill 0.7, reject 0.05, partial 0.3, latency 1 ms, fee 1 bps, capacity 1024. */
void tl_sim_params_default(tl_sim_params *p);
/* Parses "sim://?k=v&k=v" on top of the defaults; TL_EINVAL naming the bad key or value. */
int tl_sim_params_parse(const char *url, tl_sim_params *p, tl_err *err);

#endif /* TL_VENUE_SIM_H */
