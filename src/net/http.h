/*
 * http.h -- the HTTP server of `tradeloop serve`: libmicrohttpd on the host's libuv loop.
 *
 * One thread. MHD runs with MHD_USE_EPOLL and no thread of its own: its epoll descriptor is
 * watched by a uv_poll_t, MHD_run is called when it is readable and when a uv_timer_t armed from
 * MHD_get_timeout fires (connection timeouts, connections MHD left ready). So every handler runs
 * in the loop's thread, between the engine's other inputs, and the engine needs no lock.
 *
 * Routing: a table of (method, path, flags, handler). A path matches exactly, or as a prefix with
 * TL_HTTP_PREFIX ("/execute/paper/state/" matches "/execute/paper/state/ws1"); the longest
 * matching path wins. Before a handler runs, the server itself answers, in this order:
 *   404  no route's path matches;
 *   405  a route's path matches, not with this method (Allow: lists the methods that do);
 *   411  a body without Content-Length (chunked): bodies are sized before they are read;
 *   415  POST/PUT/PATCH whose Content-Type is not application/json (parameters allowed), or
 *        not multipart/form-data for a TL_HTTP_FORM route (application/x-www-form-urlencoded
 *        for a TL_HTTP_URLENC one), unless the route has
 *        TL_HTTP_EMPTY_OK and the request has no body;
 *   413  Content-Length above max_body: answered from the headers, the body is never read, and
 *        MHD closes the connection after the answer.
 * Error bodies are JSON: {"error":"..."}.
 *
 * A handler gets the request (method, path, query arguments, headers, the whole body) and either
 * answers at once -- tl_http_reply before it returns -- or later: it returns 0 without answering,
 * the server suspends the connection (MHD_suspend_connection) and the caller calls tl_http_reply
 * when it can (the engine answers an intent after the commit that holds it, at the end of the
 * loop step). The reply resumes the connection and wakes MHD on the next loop turn. A handler
 * that returns a negative code without answering gets a 500 with its message.
 *
 * Ownership: the caller allocates the tl_http and keeps it, the loop and the route contexts alive
 * until tl_http_close. Routes and options are copied. A tl_http_req belongs to the server: it is
 * valid from the handler's call until the caller's tl_http_reply (deferred requests are not timed
 * out or freed meanwhile; the client may be gone, the reply then goes nowhere). Every deferred
 * request must be answered before tl_http_close; close answers those left with 503 and frees
 * them, so a pointer kept past close dangles.
 */
#ifndef TL_NET_HTTP_H
#define TL_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>
#include <uv.h>

#include "tradeloop.h"

#define TL_HTTP_LISTEN_DEFAULT    "127.0.0.1:8003"
#define TL_HTTP_MAX_BODY_DEFAULT  ((size_t)1 << 20) /* 1 MiB */
#define TL_HTTP_MAX_CONNS_DEFAULT 4096u
#define TL_HTTP_TIMEOUT_DEFAULT   30u /* seconds a connection may stay idle */
#define TL_HTTP_MAX_ROUTES        64

/* Route flags. */
#define TL_HTTP_PREFIX   1u /* the path is a prefix: the rest is the handler's (tl_http_req_rest) */
#define TL_HTTP_EMPTY_OK 2u /* a POST with no body needs no Content-Type */
#define TL_HTTP_FORM     4u /* the body is multipart/form-data (net/multipart.h), not JSON */
#define TL_HTTP_URLENC   8u /* the body is application/x-www-form-urlencoded (Binance's API) */

typedef struct tl_http tl_http;
typedef struct tl_http_req tl_http_req;

/* Answer with tl_http_reply now, or return 0 without answering to defer (see above). A negative
 * code without an answer: 500 with err's message. */
typedef int (*tl_http_handler)(void *ctx, tl_http_req *req, tl_err *err);

typedef struct tl_http_route {
    const char *method; /* "GET", "POST", ... (copied) */
    const char *path;   /* "/health", or a prefix with TL_HTTP_PREFIX (copied) */
    unsigned flags;
    tl_http_handler handler;
    void *ctx; /* borrowed */
} tl_http_route;

typedef struct tl_http_options {
    const char *listen;  /* HOST:PORT; NULL: TL_HTTP_LISTEN_DEFAULT; port 0: any free port */
    size_t max_body;     /* bytes; 0: TL_HTTP_MAX_BODY_DEFAULT */
    unsigned max_conns;  /* 0: TL_HTTP_MAX_CONNS_DEFAULT */
    unsigned timeout_s;  /* idle seconds before a connection is closed; 0: the default */
    /* Called after a batch of MHD work in which at least one handler ran: where the caller ends
     * its step (commits, then answers what it deferred). NULL: none. */
    void (*on_batch)(void *ctx);
    void *batch_ctx;
    /* MHD's own diagnostics, one line each (never a header's value). NULL: dropped. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
} tl_http_options;

struct MHD_Daemon;
struct tl__http_uv;

struct tl_http {
    struct MHD_Daemon *daemon;
    struct tl__http_uv *uv; /* owned: the poll and timer handles, freed by their close callback */
    tl_http_options opt;
    char *listen; /* owned copy of opt.listen */
    tl_http_route routes[TL_HTTP_MAX_ROUTES]; /* method and path owned */
    size_t n_routes;
    uint16_t port;          /* the bound port (the real one when 0 was asked) */
    tl_http_req *live;      /* every request between its headers and its end (a list) */
    size_t deferred;        /* requests suspended, not yet answered */
    bool in_run;            /* inside MHD_run */
    bool dispatched;        /* a handler ran in this batch */
    uint64_t requests;      /* handlers called */
    uint64_t refused;       /* answered by the server itself (404, 405, 411, 413, 415) */
};

/* Parses HOST:PORT: an IPv4 address, [IPv6] or localhost (127.0.0.1), and a port 0..65535.
 * TL_EINVAL naming what is wrong. */
int tl_http_parse_listen(const char *s, struct sockaddr_storage *addr, socklen_t *len,
                         tl_err *err);

/* Initialises srv with routes (n <= TL_HTTP_MAX_ROUTES, checked: method and path non-empty, a
 * path starts with '/', no duplicate method+path), binds and starts listening on loop. On
 * failure nothing is left to close. TL_EINVAL (options, routes), TL_EIO (bind), TL_ENOMEM. */
int tl_http_start(tl_http *srv, uv_loop_t *loop, const tl_http_options *opt,
                  const tl_http_route *routes, size_t n, tl_err *err);

/* Stops accepting connections; those open are served to the end (shutdown: intake stops). */
void tl_http_quiesce(tl_http *srv);

/* Answers what is still deferred with 503, stops the daemon, closes the loop handles (their
 * memory is freed when the loop next runs). Not from a handler. */
void tl_http_close(tl_http *srv);

uint16_t tl_http_port(const tl_http *srv);

/* The request, valid while the request is (see above). Strings are NUL-terminated. */
const char *tl_http_req_method(const tl_http_req *req);
const char *tl_http_req_path(const tl_http_req *req);
/* The part of the path after a prefix route's path ("ws1"), "" for an exact route. */
const char *tl_http_req_rest(const tl_http_req *req);
/* A query argument (?limit=5: "5"; ?flag: ""), NULL when absent. */
const char *tl_http_req_query(const tl_http_req *req, const char *key);
/* The query string exactly as the client sent it (after '?', not decoded), "" when none: what a
 * signature over the query covers (Binance's SIGNED endpoints). */
const char *tl_http_req_raw_query(const tl_http_req *req);
/* A header (case-insensitive name) and its length (it may hold NULs); NULL when absent. */
const char *tl_http_req_header(const tl_http_req *req, const char *name, size_t *len);
/* The whole body (NUL-terminated, len excludes the NUL); "" and 0 when there is none. */
const char *tl_http_req_body(const tl_http_req *req, size_t *len);

/* Answers req: status, Content-Type, body (copied). headers: NULL or name/value pairs ended by
 * NULL ({"Allow", "GET", NULL}). In the handler or later, once. TL_ESTATE when already answered,
 * TL_EINVAL (status outside 100..599), TL_ENOMEM (the request then gets no answer from this call;
 * retry or the client times out). */
int tl_http_reply(tl_http_req *req, unsigned status, const char *content_type, const void *body,
                  size_t len);
int tl_http_reply_headers(tl_http_req *req, unsigned status, const char *content_type,
                          const void *body, size_t len, const char *const *headers);
/* {"error": msg} as application/json. */
int tl_http_reply_error(tl_http_req *req, unsigned status, const char *msg);

#endif /* TL_NET_HTTP_H */
