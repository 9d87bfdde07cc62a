/*
 * bnc.h (internal) -- the live venue adapter on Binance's spot REST API v3: "binance+http://"
 * and "binance+https://" URLs.
 *
 * Files: binance.c the ops table and the order tracking (place with its retries, cancel, poll);
 * bnc_adopt.c the orders of an earlier session handed back after a restart;
 * bnc_url.c the URL and its keys; bnc_http.c the signed requests over libcurl and the rate-limit
 * headers; bnc_json.c the answers (order, trades, balances, time) read with jansson; bnc_map.c
 * the pure decisions: Binance status -> tl_order_status, error -> reason text, and what a place
 * attempt's answer means (retry, adopt, reject). The protocol itself (query building, signing,
 * error bodies, the budget) is src/binapi's; nothing here re-implements it.
 *
 * Source of the shapes: binance/binance-spot-api-docs, rest-api.md ("New order (TRADE)",
 * "Cancel order (TRADE)", "Query order (USER_DATA)", "Current open orders (USER_DATA)",
 * "Account information (USER_DATA)", "Account trade list (USER_DATA)", "Check server time").
 */
#ifndef TL_VENUE_BINANCE_BNC_H
#define TL_VENUE_BINANCE_BNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binapi/errors.h"
#include "binapi/keys.h"
#include "binapi/params.h"
#include "binapi/ratelimit.h"
#include "tradeloop/venue.h"

#define TL__BNC_BASE_MAX  256 /* "http://host:port", with NUL */
#define TL__BNC_QUERY_MAX 1024

/* ---- the URL (bnc_url.c) ------------------------------------------------------------------- */

typedef struct tl__bnc_opts {
    char base[TL__BNC_BASE_MAX];       /* "http://127.0.0.1:8004" or "https://host" */
    char api_key[TL_BAPI_API_KEY_MAX]; /* sent as X-MBX-APIKEY */
    char secret[TL_BAPI_SECRET_MAX];   /* never logged, never in a message; wiped at close */
    int64_t recv_window_ms;            /* recv_window_ms, 1..60000 (5000) */
    int64_t poll_ms;                   /* poll_ms, 0..3600000 (200): between polling rounds */
    int64_t timeout_ms;                /* timeout_ms, 1..60000 (2000): one HTTP request */
    int64_t time_sync_s;               /* time_sync_s, 1..86400 (60): server-time refresh */
    uint32_t place_attempts;           /* place_attempts, 1..10 (3): sends of one order */
    uint64_t drop_reply_after_send;    /* drop_reply_after_send, 0 = off: fault injection */
} tl__bnc_opts;

/* Parses url ("binance+http://host[:port][/]?key=value&...") into o. Keys come from
 * key_env=NAME&secret_env=NAME (environment variables, read here) or keys_file=PATH&account=NAME
 * (src/binapi/keys.h's format). TL_EINVAL naming what is wrong; no secret in a message. */
int tl__bnc_opts_parse(tl__bnc_opts *o, const char *url, tl_err *err);

/* ---- answers (bnc_json.c) ------------------------------------------------------------------ */

/* One trade of the account: myTrades' element, or a fill of a FULL order answer (which carries
 * no symbol, orderId nor time: those come from the order). */
typedef struct tl__bnc_trade {
    uint64_t id;
    uint64_t order_id;
    char symbol[16];
    tl_fixed price, qty;
    tl_fixed commission; /* in the quote asset: a base-asset commission times price */
    int64_t time_ms;
    bool is_buyer;
} tl__bnc_trade;

/* An order answer: POST/DELETE/GET /api/v3/order, or an element of openOrders. */
typedef struct tl__bnc_order_ans {
    char symbol[16];
    uint64_t order_id;
    char client_id[TL_ORDER_ID_MAX]; /* clientOrderId, cut when longer */
    uint8_t status;                  /* tl_order_status (bnc_map.c's reading) */
    uint8_t side;                    /* tl_side */
    tl_fixed price, orig_qty, executed_qty;
    int64_t time_ms; /* transactTime, or updateTime, or time: 0 when none */
} tl__bnc_order_ans;

/* Every parser returns 0, or TL_EINVAL with err saying which member is missing or malformed. */
int tl__bnc_parse_time(const char *body, size_t len, int64_t *server_ms, tl_err *err);
/* An order object; its "fills" (a FULL answer), when present and fills non-NULL, appended to
 * *fills (owned by the caller, grown with TL_VEC_RESERVE) with symbol, order_id and time set. */
int tl__bnc_parse_order(const char *body, size_t len, tl__bnc_order_ans *o, tl__bnc_trade **fills,
                        size_t *fills_cap, size_t *n_fills, tl_err *err);
/* An array of orders (openOrders) into *out (grown, replaced). */
int tl__bnc_parse_orders(const char *body, size_t len, tl__bnc_order_ans **out, size_t *cap,
                         size_t *n, tl_err *err);
/* An array of trades (myTrades) into *out (grown, replaced). */
int tl__bnc_parse_trades(const char *body, size_t len, tl__bnc_trade **out, size_t *cap, size_t *n,
                         tl_err *err);
/* The balances of /api/v3/account: one position per asset holding free + locked > 0, the asset
 * in symbol. *n gets how many exist; at most cap are copied. */
int tl__bnc_parse_balances(const char *body, size_t len, tl_venue_position *out, size_t cap,
                           size_t *n, tl_err *err);

/* ---- decisions (bnc_map.c) ----------------------------------------------------------------- */

/* Binance's order status ("NEW", "FILLED", ...; enums.md "Order status") as a tl_order_status:
 * NEW -> OPEN, PENDING_NEW -> PENDING_NEW, PENDING_CANCEL -> PENDING_CANCEL (still live),
 * EXPIRED_IN_MATCH -> EXPIRED. TL_EINVAL for an unknown name. */
int tl__bnc_status_parse(const char *name, uint8_t *out);

/* The reason text of a REJECTED report for an error answer, from one table (bnc_map.c):
 * "insufficient balance", "duplicate client order id", "filter: LOT_SIZE", ... */
void tl__bnc_reason(const tl_bapi_err *e, char text[48]);

/* What came back from one send of an order. */
typedef struct tl__bnc_answer {
    bool replied;    /* false: transport error, timeout, or a reply thrown away (no answer) */
    long http;       /* HTTP status when replied */
    int code;        /* the error body's code (0 when none or 2xx) */
    const char *msg; /* the error body's msg (NULL when none) */
} tl__bnc_answer;

typedef enum tl__bnc_step {
    TL__BNC_PLACED = 1, /* 2xx: the order answer is the truth */
    TL__BNC_REJECT,     /* refused: report REJECTED with tl__bnc_reason */
    TL__BNC_RETRY,      /* no answer, or the exchange does not know (5xx): send again, same id */
    TL__BNC_ADOPT,      /* a retry was refused as a duplicate: the first send got there; query it */
    TL__BNC_UNKNOWN     /* no attempt left and no answer: resolve later by querying the order */
} tl__bnc_step;

/* The one rule for retries (a pure function). attempt is 1-based, of max attempts. A duplicate
 * refusal (-2010 "Duplicate order sent.") is ADOPT only on attempt >= 2, since on the first it
 * means the engine reused an id; a 5xx means "execution status UNKNOWN" (rest-api.md "HTTP Return
 * Codes") and is retried like silence. */
tl__bnc_step tl__bnc_place_step(const tl__bnc_answer *a, uint32_t attempt, uint32_t max);

/* ---- requests (bnc_http.c) ----------------------------------------------------------------- */

/* The parameters of POST /api/v3/order for o, in the documented order: symbol, side, type,
 * timeInForce (GTC, LIMIT only), quantity, price (LIMIT only), then newClientOrderId and
 * newOrderRespType=FULL when client_id is non-NULL. */
void tl__bnc_place_query(tl_bapi_query *q, const tl_venue_order *o, const char *client_id);

/* Appends recvWindow, timestamp and the signature of everything before it to q (the signed
 * payload is the whole query string: nothing goes in the body). 0, or TL_ERANGE/TL_EIO. */
int tl__bnc_sign_query(tl_bapi_query *q, const char *secret, int64_t recv_window_ms,
                       int64_t timestamp_ms);

typedef struct tl__bnc_http tl__bnc_http; /* opaque: the curl handle and its buffers */

/* A response: body owned by the http handle, valid until its next request. */
typedef struct tl__bnc_resp {
    bool replied;
    long http;
    const char *body;
    size_t len;
    tl_bapi_err e; /* the error body of a non-2xx answer (code 0 when it had none) */
} tl__bnc_resp;

int tl__bnc_http_open(tl__bnc_http **h, const tl__bnc_opts *o, tl_err *err);
void tl__bnc_http_close(tl__bnc_http *h);
/* Sends method path?query; signed adds recvWindow, timestamp (now_ms + the server offset) and
 * the signature. A transport error or timeout is r->replied false and 0 returned; TL_ERANGE when
 * the query does not fit. The rate-limit headers go into the budget; a 429 sets the back-off. */
int tl__bnc_http_do(tl__bnc_http *h, const char *method, const char *path, tl_bapi_query *q,
                    bool sign, int64_t now_ms, tl__bnc_resp *r, tl_err *err);
/* GET /api/v3/time, the offset = serverTime - the local midpoint of the request. */
int tl__bnc_http_sync_time(tl__bnc_http *h, const tl_clock *clock, tl_err *err);
int64_t tl__bnc_http_offset_ms(const tl__bnc_http *h);
/* The budget the headers reported, and the time (local ms) before which a 429 asks for quiet. */
const tl_bapi_rl_budget *tl__bnc_http_budget(const tl__bnc_http *h);
int64_t tl__bnc_http_backoff_until(const tl__bnc_http *h);

/* ---- the venue's state (binance.c, bnc_track.c) -------------------------------------------- */

#include "venue/fills.h"

/* An order this session placed (or adopted), kept from its send until its last report. */
typedef struct tl__bnc_order {
    uint64_t client_seq;
    uint64_t order_id;               /* the exchange's orderId: 0 until an answer names it */
    char client_id[TL_ORDER_ID_MAX]; /* newClientOrderId, as sent */
    char symbol[16];
    uint8_t side;
    uint8_t final;          /* the terminal tl_order_status seen, 0 while live */
    bool pending;           /* sent, never answered: the exchange may or may not have it */
    int64_t sent_ms;        /* local ms of the last send */
    tl_fixed executed;      /* executedQty as last seen */
    tl_fixed reported;      /* the sum of the FILL reports made */
    uint64_t last_trade_id; /* highest trade id reported for it */
} tl__bnc_order;

/* The myTrades cursor of a symbol: the highest trade id read. */
typedef struct tl__bnc_cursor {
    char symbol[16];
    uint64_t last_trade_id;
} tl__bnc_cursor;

typedef struct tl__bnc {
    tl__bnc_opts o;
    const tl_clock *clock; /* borrowed */
    tl__bnc_http *http;    /* owned */
    /* The tracked orders, unordered (removal swaps the last in). Scanned linearly: each costs a
     * request to the exchange anyway, so their number stays that of an account's open orders. */
    tl__bnc_order *orders;
    size_t n_orders, orders_cap;
    tl__bnc_cursor *cursors; /* owned */
    size_t n_cursors, cursors_cap;
    tl_venue_report *out; /* owned FIFO: [out_head, out_len) not polled yet */
    size_t out_head, out_len, out_cap;
    tl__venue_fills fills; /* every fill reported, for get_fills */
    tl__bnc_trade *trades; /* scratch of the answers, owned */
    size_t trades_cap;
    tl__bnc_order_ans *ans; /* scratch, owned */
    size_t ans_cap;
    uint64_t places;      /* place calls, numbering drop_reply_after_send */
    int64_t next_poll_ms; /* local ms of the next polling round */
    int64_t next_sync_ms; /* local ms of the next server-time refresh */
} tl__bnc;

int64_t tl__bnc_now_ms(const tl__bnc *b);
/* A request; see tl__bnc_http_do. */
int tl__bnc_send(tl__bnc *b, const char *method, const char *path, tl_bapi_query *q,
                 tl__bnc_resp *r, tl_err *err);
/* Adds a pending order for vo named client_id; *out lives until the next add or forget. 0 or
 * TL_ENOMEM. */
int tl__bnc_track(tl__bnc *b, const tl_venue_order *vo, const char *client_id, tl__bnc_order **out);
/* The tracked order of client_seq, or of the exchange's client order id; NULL when none. */
tl__bnc_order *tl__bnc_find(tl__bnc *b, uint64_t client_seq);
tl__bnc_order *tl__bnc_find_id(tl__bnc *b, const char *client_id);
/* Room for n more reports. 0 or TL_ENOMEM. */
int tl__bnc_out_reserve(tl__bnc *b, size_t n);
/* A new report (room reserved), zeroed and stamped with ts_ms of the venue (now when 0). */
tl_venue_report *tl__bnc_push(tl__bnc *b, uint8_t type, uint64_t client_seq, uint64_t venue_seq,
                              int64_t ts_ms);
/* Stops tracking o. */
void tl__bnc_forget(tl__bnc *b, tl__bnc_order *o);
/* What an order answer says of o: ACCEPTED when it is new news, the fills of fills[0..n) not yet
 * reported, and the terminal report once every executed quantity was reported (o is then
 * forgotten: the pointer is dead when it returns 1). 0, 1 (forgotten), or TL_ENOMEM. */
int tl__bnc_apply(tl__bnc *b, tl__bnc_order *o, const tl__bnc_order_ans *a,
                  const tl__bnc_trade *fills, size_t n);
/* Reads the trades of symbol after its cursor and reports those of tracked orders. */
int tl__bnc_sync_trades(tl__bnc *b, const char *symbol, tl_err *err);
/* The cursor of symbol, created at the newest trade (GET myTrades limit=1) when new: an order is
 * placed only once its symbol's trades can be told apart from those before it. */
int tl__bnc_cursor_ensure(tl__bnc *b, const char *symbol, tl_err *err);
/* One polling round: pending orders resolved, open orders checked, trades read. */
int tl__bnc_poll_round(tl__bnc *b, tl_err *err);
/* GET /api/v3/order of o (by origClientOrderId), applied. 0 (also when there was no answer),
 * 1 when o was forgotten, TL_ENOTFOUND when the exchange has no such order, or an error. */
int tl__bnc_query_order(tl__bnc *b, tl__bnc_order *o, tl_err *err);

/* ---- adoption (bnc_adopt.c) ---------------------------------------------------------------- */

/* The adopt slot (include/tradeloop/venue.h): follows again an order placed by an earlier
 * session, found by its client order id; its trades (myTrades by orderId) are all reported. */
int tl__bnc_adopt(void *state, const tl_venue_order *vo, uint64_t venue_seq, tl_err *err);

#endif /* TL_VENUE_BINANCE_BNC_H */
