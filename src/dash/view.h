/*
 * view.h -- everything the live dashboard shows, as one plain struct.
 *
 * The dashboard has one renderer (draw.h) and two sources of the view: the running loop fills it
 * in process (`tradeloop run --dashboard`), and `tradeloop top` decodes it from the status document
 * an engine writes to its database (view_json.h). So the view holds values only: fixed-size arrays
 * and copies of strings, no pointer into the engine, and it can be written, read back and compared
 * byte for byte. A producer with more accounts or positions than the arrays hold fills the first
 * ones and says how many exist in the *_total fields; the screen then says how many it left out.
 *
 * Money, prices, quantities and percentages are tl_fixed (8 decimals); times are nanoseconds.
 * tl_dash_view_check is the one place that says what a valid view is: the encoder refuses to write
 * an invalid one and the decoder refuses to return one.
 */
#ifndef TL_DASH_VIEW_H
#define TL_DASH_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tradeloop.h"
#include "tradeloop/event.h" /* TL_WORKSPACE_MAX */
#include "tradeloop/fixed.h"
#include "tradeloop/instrument.h" /* TL_SYMBOL_MAX */

#define TL_DASH_VIEW_VERSION  1   /* "version" of the JSON document */
#define TL_DASH_MAX_ACCOUNTS  256 /* rows of the VA panel a view carries */
#define TL_DASH_MAX_POSITIONS 256
#define TL_DASH_MAX_REFUSALS  20               /* the most recent ones */
#define TL_DASH_NAME_MAX      TL_WORKSPACE_MAX /* a VA name is a workspace id, with NUL */
#define TL_DASH_REASON_MAX    32               /* a reason code: "COOLDOWN", "RECONCILE_MISMATCH" */
#define TL_DASH_TEXT_MAX      128 /* free text: a refusal's detail, a kill reason, a finding */
#define TL_DASH_DB_MAX        128 /* the database as shown */
#define TL_DASH_WINDOW_MAX    16  /* "09:30-16:00" */
#define TL_DASH_TZ_MAX        64  /* an IANA zone name: "America/New_York" */

typedef enum tl_dash_mode {
    TL_DASH_REPLAY = 0, /* simulated time: inputs replayed from files */
    TL_DASH_LIVE = 1    /* real time */
} tl_dash_mode;

/* One row of the VA panel. */
typedef struct tl_dash_account {
    char name[TL_DASH_NAME_MAX]; /* tl_workspace_validate */
    tl_fixed balance;            /* cash */
    tl_fixed equity;             /* cash + marked positions */
    tl_fixed realized_pnl;       /* after fees */
    tl_fixed unrealized_pnl;
    uint64_t wins, losses, trades; /* closed trades; wins + losses <= trades */
    tl_fixed drawdown_pct;         /* from the equity peak, now: 0..100 */
    tl_fixed max_drawdown_pct;     /* the largest seen: drawdown_pct..100 */
    bool in_cooldown;              /* entries refused with COOLDOWN */
    int64_t cooldown_left_ns;      /* engine time left, >= 0; 0 unless in_cooldown */
    bool frozen;                   /* RECONCILE_MISMATCH: frozen until an operator resets it */
} tl_dash_account;

/* One open position. */
typedef struct tl_dash_position {
    char account[TL_DASH_NAME_MAX];
    char symbol[TL_SYMBOL_MAX]; /* tl_symbol_validate */
    tl_fixed qty;               /* signed: < 0 short; never 0 */
    tl_fixed entry;             /* average entry price, > 0 */
    tl_fixed last;              /* last price seen, >= 0 (0: no quote yet) */
    tl_fixed unrealized_pnl;
    tl_fixed stop; /* stop price, >= 0 (0: none) */
} tl_dash_position;

/* One refused signal or entry. */
typedef struct tl_dash_refusal {
    int64_t ts_ns;                   /* engine time, >= 0 */
    char account[TL_DASH_NAME_MAX];  /* "" when the signal named none (a malformed line) */
    char symbol[TL_SYMBOL_MAX];      /* "" likewise */
    char reason[TL_DASH_REASON_MAX]; /* [A-Z0-9_]{1,31}: "COOLDOWN" */
    char text[TL_DASH_TEXT_MAX];     /* printable, "" when none */
} tl_dash_refusal;

typedef struct tl_dash_view {
    /* header */
    int64_t now_ns; /* engine time, >= 0 */
    tl_dash_mode mode;
    char db[TL_DASH_DB_MAX]; /* printable; the producer leaves out any password */
    struct {
        uint64_t received, accepted, refused; /* accepted + refused <= received */
    } signals;

    /* VA panel */
    tl_dash_account accounts[TL_DASH_MAX_ACCOUNTS];
    uint32_t n_accounts;     /* rows filled, <= TL_DASH_MAX_ACCOUNTS */
    uint64_t accounts_total; /* accounts the engine has, >= n_accounts */

    /* positions panel */
    tl_dash_position positions[TL_DASH_MAX_POSITIONS];
    uint32_t n_positions;
    uint64_t positions_total;

    /* recent refusals, most recent first */
    tl_dash_refusal refusals[TL_DASH_MAX_REFUSALS];
    uint32_t n_refusals;

    /* footer */
    struct {
        bool engaged;
        char reason[TL_DASH_TEXT_MAX]; /* printable; "" when released */
    } kill;
    struct {
        int64_t ts_ns; /* engine time of the last run, >= 0; 0 with runs == 0 */
        uint64_t runs;
        char result[TL_DASH_TEXT_MAX]; /* "ok", "1 finding: ..."; "" before the first run */
    } recon;
    struct {
        tl_fixed max_spread_bps; /* >= 0 */
        uint64_t max_quote_age_ms;
        tl_fixed max_slippage_bps;               /* >= 0 */
        char trading_window[TL_DASH_WINDOW_MAX]; /* "HH:MM-HH:MM" */
        char timezone[TL_DASH_TZ_MAX];           /* printable, non-empty: "UTC" */
    } filters;
    uint64_t max_open_positions;
    uint64_t open_positions;
} tl_dash_view;

/* "replay" / "live"; NULL for another value. */
const char *tl_dash_mode_name(tl_dash_mode m);
/* TL_EINVAL for a name that is neither. */
int tl_dash_mode_parse(const char *name, tl_dash_mode *out);

/* 0 when v is a view the screen and the JSON encoder accept, else TL_EINVAL with err naming the
 * first bad field as its JSON path ("accounts[2].name: ..."). */
int tl_dash_view_check(const tl_dash_view *v, tl_err *err);

/* A duration for people, rounded up to the second: "0s", "45s", "2m10s", "1h05m", "3d04h".
 * Negative durations print as "0s". Returns the length, or TL_ERANGE with buf "" when cap is too
 * small (16 bytes always suffice). */
int tl_dash_format_duration(int64_t ns, char *buf, size_t cap);

#endif /* TL_DASH_VIEW_H */
