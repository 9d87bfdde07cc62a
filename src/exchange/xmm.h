/*
 * xmm.h -- the exchange's seeded market makers (issue 12): a ladder of LIMIT GTC quotes per
 * symbol around a price path, so that a lone client of `tradeloop exchange` has someone to trade
 * with.
 *
 * The makers are a client of the core like any other: their orders are orders of one funded
 * account of the core ("maker" in data/exchange_keys.json), placed with tl_xcore_place and
 * canceled with tl_xcore_cancel, so they are journaled, matched and recovered by the same code
 * as everyone's. Nothing in the core knows they exist. tl_xmm_step only appends to the core's
 * pending events: the caller commits them (tl_store_append, tl_xcore_committed) as after any
 * other request.
 *
 * Each refresh of a symbol (every refresh_ns) cancels the maker's quotes of that symbol that
 * still rest, takes the path's next price P (rounded to the tick) and places `levels` bids at
 * P - (half_spread + k * spacing) ticks and as many asks at P + (half_spread + k * spacing)
 * ticks, k = 0 .. levels-1, each of `size`. The path is either
 *   walk  a random walk from the symbol's start_price: each refresh after the first moves P by
 *         a whole number of ticks drawn uniformly in [-walk_step, walk_step] from a tl_prng
 *         seeded with (seed, symbol), clamped so the whole ladder stays within PRICE_FILTER;
 *   csv   the mids of a quotes file (tl_xmm_csv_load), one row per refresh, in turn; at the
 *         last row the path turns back (ping-pong), so it never jumps and never ends.
 * Refresh number r always gives the same P: the walk is a function of (seed, symbol, r).
 *
 * Post-only. A quote that would cross a client's resting order (a bid at or above the best
 * ask, an ask at or below the best bid) is not placed: the makers only provide liquidity and
 * never take it, so a jump of the path cannot sweep clients' orders at prices they did not
 * expect the makers to pay, and every trade with a maker is one a client chose to make. A
 * quote the core refuses (the maker cannot afford it, or a filter) is skipped too; both are
 * counted. The other levels are still placed.
 *
 * Client order ids: "mm-<symbol no>-<refresh no>-<b|a><level>", unique for the account forever.
 * tl_xmm_init scans the core (recovered from the journal or fresh): it adopts the maker
 * account's open orders in the configured symbols as the quotes the next refresh cancels (so a
 * restart leaves nothing orphaned) and resumes the refresh numbering after the highest one the
 * maker's ids show, so the path continues where it was and no client id is ever reused.
 *
 * Deterministic: the same core state, seed, configuration and calls give the same orders, byte
 * for byte in the pending events. No I/O, no clock: now_ns is the caller's.
 *
 * Ownership: the caller allocates the tl_xmm; it owns its arrays (tl_xmm_close frees them). The
 * core is borrowed per call. Not thread-safe.
 */
#ifndef TL_EXCHANGE_XMM_H
#define TL_EXCHANGE_XMM_H

#include <stddef.h>
#include <stdint.h>

#include "core/prng.h"
#include "exchange/xcore.h"

#define TL_XMM_LEVELS_MAX 100

/* Defaults of tl_xmm_defaults. */
#define TL_XMM_DEFAULT_LEVELS      5
#define TL_XMM_DEFAULT_SPACING     2 /* ticks between levels */
#define TL_XMM_DEFAULT_HALF_SPREAD 1 /* ticks from P to the first level */
#define TL_XMM_DEFAULT_WALK_STEP   5 /* ticks per refresh, at most */
#define TL_XMM_DEFAULT_REFRESH_NS  1000000000LL
/* size 0 means: the smallest multiple of the lot whose notional at the path's first price is at
 * least this many times the symbol's MIN_NOTIONAL (and at least its min_qty). */
#define TL_XMM_AUTO_SIZE_NOTIONALS 100

/* One symbol's makers. */
typedef struct tl_xmm_symbol_cfg {
    char symbol[TL_X_SYMBOL_MAX]; /* a symbol of the core */
    uint32_t levels;              /* per side, 1 .. TL_XMM_LEVELS_MAX */
    uint32_t spacing_ticks;       /* between levels, >= 1 */
    uint32_t half_spread_ticks;   /* P to the first level, >= 1 (bid and ask never meet) */
    tl_fixed size;                /* per level, on the lot; 0 = automatic (above) */
    int64_t refresh_ns;           /* between refreshes, > 0 */
    uint32_t walk_step_ticks;     /* walk: the largest move per refresh */
    const tl_fixed *mids;         /* csv: the path, borrowed by tl_xmm_init (copied); NULL: walk */
    size_t n_mids;
} tl_xmm_symbol_cfg;

/* Counters, for reports and tests. */
typedef struct tl_xmm_stats {
    uint64_t refreshes, placed, canceled;
    uint64_t skipped_cross;   /* post-only: would have crossed a client's order */
    uint64_t skipped_refused; /* refused by the core (balance, filters) */
    uint64_t adopted;         /* open orders found by tl_xmm_init */
} tl_xmm_stats;

/* One symbol's state. */
typedef struct tl_xmm_book {
    tl_xmm_symbol_cfg cfg; /* mids points at the owned copy below */
    int symbol;            /* the core's symbol number */
    tl_fixed size;         /* resolved */
    tl_fixed lo, hi;       /* P stays within: the ladder fits PRICE_FILTER */
    tl_prng rng;           /* the walk's */
    tl_fixed walk_mid;     /* P after walk_moves moves */
    uint64_t walk_moves;
    uint64_t refresh; /* number of the next refresh */
    int64_t next_ns;  /* when it is due (INT64_MIN: at the next step) */
    uint64_t *quotes; /* owned: ids of the maker's orders that may still rest */
    uint32_t n_quotes, cap_quotes;
    tl_fixed *mids; /* owned copy of the csv path */
} tl_xmm_book;

typedef struct tl_xmm {
    uint32_t account; /* the core's account number of the makers */
    uint64_t seed;
    tl_xmm_book *books; /* owned */
    size_t n_books;
    tl_xmm_stats stats;
} tl_xmm;

/* c for symbol with every default (a walk). */
void tl_xmm_defaults(tl_xmm_symbol_cfg *c, const char *symbol);

/* Sets up the makers of account (an existing account of x) for n symbol configurations, and
 * adopts what x already holds of them (see the file comment). 0 or TL_EINVAL naming what is
 * wrong, TL_ENOMEM; on failure nothing is left to close. */
int tl_xmm_init(tl_xmm *mm, const tl_xcore *x, const char *account, uint64_t seed,
                const tl_xmm_symbol_cfg *syms, size_t n, tl_err *err);
void tl_xmm_close(tl_xmm *mm);

/* Refreshes every symbol whose refresh is due at now_ns. 0, or a TL_E* error from the core
 * (out of memory, corrupt state): the caller stops as for a failed commit. */
int tl_xmm_step(tl_xmm *mm, tl_xcore *x, int64_t now_ns, tl_err *err);

/* When the next refresh is due (INT64_MIN: at the next step), for the host's timer. */
int64_t tl_xmm_next_due(const tl_xmm *mm);

/* The path's price of refresh number r of book b (advances the walk when r is ahead of it;
 * the walk cannot go back). */
tl_fixed tl__xmm_path_price(tl_xmm_book *b, const tl_xsymbol_cfg *sym, uint64_t r);

/* Reads a quotes file (src/loop/quote_csv.h, either format) into *mids (allocated, the caller
 * frees it): per row of symbol, (bid + ask) / 2 rounded half away from zero to tick. A
 * `timestamp,price` file is read as symbol's. 0, TL_EIO (naming the file), TL_EINVAL (naming
 * the line and why), TL_ENOTFOUND (a file without a row of symbol), TL_ENOMEM. */
int tl_xmm_csv_load(const char *path, const char *symbol, tl_fixed tick, tl_fixed **mids, size_t *n,
                    tl_err *err);

#endif /* TL_EXCHANGE_XMM_H */
