/* http_int.h -- what http.c (daemon, loop, dispatch) and http_req.c (requests, replies) share. */
#ifndef TL_NET_HTTP_INT_H
#define TL_NET_HTTP_INT_H

#include <stdbool.h>
#include <microhttpd.h>

#include "net/http.h"

typedef enum tl__http_state {
    TL__REQ_RECEIVING = 0, /* headers admitted, the body arriving */
    TL__REQ_IN_HANDLER,    /* the handler is running: a reply is kept until it returns */
    TL__REQ_DEFERRED,      /* suspended, waiting for tl_http_reply */
    TL__REQ_RESUMED,       /* answered after a deferral: queued when MHD calls back */
    TL__REQ_ANSWERED,      /* the response is queued */
} tl__http_state;

struct tl_http_req {
    tl_http *srv;
    struct MHD_Connection *conn;
    const tl_http_route *route; /* NULL when the server answered itself */
    char *method;               /* owned copies: the request's strings outlive MHD's calls */
    char *path;
    size_t rest_off; /* where tl_http_req_rest starts in path */
    char *query;     /* owned: the raw query string as sent (after '?'), "" when none */
    bool admitted;   /* on_access has seen its headers */
    char *body;      /* owned, NUL-terminated */
    size_t body_len, body_cap;
    size_t expect; /* Content-Length */
    tl__http_state state;
    struct MHD_Response *resp; /* the answer not yet queued (owned) */
    unsigned status;
    tl_http_req *prev, *next; /* srv->live */
};

/* Queues req's kept answer on its connection (MHD_queue_response), drops the reference. */
enum MHD_Result tl__http_queue(tl_http_req *req);
/* tl_http_reply_error with extra headers (405's Allow). */
int tl__http_reply_error_headers(tl_http_req *req, unsigned status, const char *msg,
                                 const char *const *headers);
/* Wakes MHD on the next loop turn (a reply resumed a connection). */
void tl__http_kick(tl_http *srv);

#endif /* TL_NET_HTTP_INT_H */
