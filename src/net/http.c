/* http.c -- the MHD daemon on the libuv loop, admission (404/405/411/413/415), dispatch. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net/http_int.h"

struct tl__http_uv {
    uv_poll_t poll;   /* MHD's epoll descriptor */
    uv_timer_t timer; /* MHD_get_timeout, and the kick after a resume */
    int open;         /* handles not yet closed; the struct is freed when it reaches 0 */
};

/* --- the loop -------------------------------------------------------------------------------- */

static void run_mhd(tl_http *srv);

static void on_timer(uv_timer_t *t)
{
    run_mhd(t->data);
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    (void)status; /* an error on the epoll descriptor: MHD_run finds it too */
    (void)events;
    run_mhd(p->data);
}

static void rearm(tl_http *srv)
{
    MHD_UNSIGNED_LONG_LONG ms = 0;
    if (MHD_get_timeout(srv->daemon, &ms) == MHD_YES)
        uv_timer_start(&srv->uv->timer, on_timer, (uint64_t)ms, 0);
    else
        uv_timer_stop(&srv->uv->timer);
}

static void run_mhd(tl_http *srv)
{
    srv->in_run = true;
    srv->dispatched = false;
    MHD_run(srv->daemon);
    srv->in_run = false;
    if (srv->dispatched && srv->opt.on_batch != NULL)
        srv->opt.on_batch(srv->opt.batch_ctx); /* may answer deferred requests: kicks */
    if (srv->daemon != NULL)
        rearm(srv);
}

void tl__http_kick(tl_http *srv)
{
    if (srv->uv != NULL)
        uv_timer_start(&srv->uv->timer, on_timer, 0, 0);
}

/* --- requests -------------------------------------------------------------------------------- */

static void req_free(tl_http_req *req)
{
    tl_http *srv = req->srv;
    if (req->prev != NULL)
        req->prev->next = req->next;
    else
        srv->live = req->next;
    if (req->next != NULL)
        req->next->prev = req->prev;
    if (req->state == TL__REQ_DEFERRED)
        srv->deferred--;
    if (req->resp != NULL)
        MHD_destroy_response(req->resp);
    free(req->body);
    free(req->query);
    free(req->path);
    free(req->method);
    free(req);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    if (*con_cls != NULL)
        req_free(*con_cls);
    *con_cls = NULL;
}

static bool path_matches(const tl_http_route *r, const char *path)
{
    size_t n = strlen(r->path);
    if ((r->flags & TL_HTTP_PREFIX) != 0)
        return strncmp(path, r->path, n) == 0;
    return strcmp(path, r->path) == 0;
}

/* The route for method and path, or NULL with *status 404 or 405 (allow: the methods). */
static const tl_http_route *route_find(const tl_http *srv, const char *method, const char *path,
                                       unsigned *status, char *allow, size_t allow_cap)
{
    const tl_http_route *best = NULL;
    size_t best_len = 0;
    bool any = false;
    allow[0] = '\0';
    for (size_t i = 0; i < srv->n_routes; i++) {
        const tl_http_route *r = &srv->routes[i];
        if (!path_matches(r, path))
            continue;
        any = true;
        size_t n = strlen(r->path);
        if (strcmp(r->method, method) == 0 && (best == NULL || n > best_len)) {
            best = r;
            best_len = n;
        }
        if (strstr(allow, r->method) == NULL && strlen(allow) + strlen(r->method) + 3 < allow_cap) {
            if (allow[0] != '\0')
                strcat(allow, ", ");
            strcat(allow, r->method);
        }
    }
    *status = best != NULL ? 200 : any ? 405 : 404;
    return best;
}

/* ct is the media type want, parameters allowed. */
static bool type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    if (ct == NULL)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, want, n) != 0)
        return false;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

static bool wants_json(const char *method)
{
    return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
           strcmp(method, "PATCH") == 0;
}

/* The checks made from the headers alone. 0: admitted; else the status answered. */
static unsigned admit(tl_http *srv, tl_http_req *req)
{
    char allow[128], msg[200];
    unsigned status;
    req->route = route_find(srv, req->method, req->path, &status, allow, sizeof(allow));
    if (status == 404) {
        tl_http_reply_error(req, 404, "not found");
        return 404;
    }
    if (status == 405) {
        snprintf(msg, sizeof(msg), "method %.16s not allowed; allowed: %s", req->method, allow);
        const char *hdr[] = {"Allow", allow, NULL};
        tl__http_reply_error_headers(req, 405, msg, hdr);
        return 405;
    }
    if (req->route->flags & TL_HTTP_PREFIX)
        req->rest_off = strlen(req->route->path);
    else
        req->rest_off = strlen(req->path);
    const char *te = tl_http_req_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING, NULL);
    const char *cl = tl_http_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH, NULL);
    if (te != NULL) {
        tl_http_reply_error(req, 411, "a body needs a Content-Length (chunked bodies are refused)");
        return 411;
    }
    unsigned long long length = cl != NULL ? strtoull(cl, NULL, 10) : 0; /* MHD validated it */
    bool empty_ok = (req->route->flags & TL_HTTP_EMPTY_OK) != 0 && length == 0;
    const char *type = (req->route->flags & TL_HTTP_FORM)     ? "multipart/form-data"
                       : (req->route->flags & TL_HTTP_URLENC) ? "application/x-www-form-urlencoded"
                                                              : "application/json";
    if (wants_json(req->method) && !empty_ok &&
        !type_is(tl_http_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE, NULL), type)) {
        snprintf(msg, sizeof(msg), "Content-Type must be %s", type);
        tl_http_reply_error(req, 415, msg);
        return 415;
    }
    if (length > srv->opt.max_body) {
        snprintf(msg, sizeof(msg), "body of %llu bytes is larger than %zu", length,
                 srv->opt.max_body);
        tl_http_reply_error(req, 413, msg);
        return 413;
    }
    req->expect = (size_t)length;
    return 0;
}

static enum MHD_Result dispatch(tl_http *srv, tl_http_req *req)
{
    tl_err err;
    tl_err_clear(&err);
    req->state = TL__REQ_IN_HANDLER;
    srv->requests++;
    srv->dispatched = true;
    int rc = req->route->handler(req->route->ctx, req, &err);
    if (req->resp == NULL && rc < 0)
        tl_http_reply_error(req, 500, err.msg[0] != '\0' ? err.msg : tl_strerror(rc));
    if (req->resp != NULL)
        return tl__http_queue(req);
    req->state = TL__REQ_DEFERRED;
    srv->deferred++;
    MHD_suspend_connection(req->conn);
    return MHD_YES;
}

/* MHD's first call for a request, with its target as sent: the request starts here, so that its
 * raw query string is kept (a signed request's signature covers those exact bytes; MHD's own
 * arguments are decoded). What this returns is the request's con_cls from then on. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)c;
    tl_http *srv = cls;
    tl_http_req *req = calloc(1, sizeof(*req));
    if (req == NULL)
        return NULL;
    req->srv = srv;
    const char *q = uri != NULL ? strchr(uri, '?') : NULL;
    req->query = strdup(q != NULL ? q + 1 : "");
    req->next = srv->live;
    if (srv->live != NULL)
        srv->live->prev = req;
    srv->live = req;
    return req;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    (void)version;
    tl_http *srv = cls;
    tl_http_req *req = *con_cls;
    if (req == NULL) /* on_uri could not allocate it */
        return MHD_NO;
    if (!req->admitted) { /* the headers are in: admit or refuse before any body is read */
        req->admitted = true;
        req->conn = c;
        req->method = strdup(method);
        req->path = strdup(url);
        if (req->method == NULL || req->path == NULL || req->query == NULL)
            return MHD_NO;
        if (admit(srv, req) != 0) {
            srv->refused++;
            return req->resp != NULL ? tl__http_queue(req) : MHD_NO;
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        assert(req->state == TL__REQ_RECEIVING);
        size_t n = *upload_size;
        if (req->body_len + n > req->expect) /* MHD holds to Content-Length: never happens */
            return MHD_NO;
        if (req->body == NULL && (req->body = malloc(req->expect + 1)) == NULL)
            return MHD_NO;
        memcpy(req->body + req->body_len, upload, n);
        req->body_len += n;
        req->body[req->body_len] = '\0';
        *upload_size = 0;
        return MHD_YES;
    }
    if (req->state == TL__REQ_RECEIVING)
        return dispatch(srv, req);
    if (req->state == TL__REQ_RESUMED)
        return tl__http_queue(req);
    return MHD_YES; /* NEVER: called again while suspended or after the answer */
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    tl_http *srv = cls;
    if (srv->opt.log == NULL)
        return;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    srv->opt.log(srv->opt.log_ctx, line);
}

/* --- start and stop -------------------------------------------------------------------------- */

static void free_routes(tl_http *srv)
{
    for (size_t i = 0; i < srv->n_routes; i++) {
        free((char *)srv->routes[i].method);
        free((char *)srv->routes[i].path);
    }
    srv->n_routes = 0;
}

static int copy_routes(tl_http *srv, const tl_http_route *routes, size_t n, tl_err *err)
{
    if (n > TL_HTTP_MAX_ROUTES)
        return tl_err_set(err, TL_EINVAL, "%zu routes, at most %d", n, TL_HTTP_MAX_ROUTES);
    for (size_t i = 0; i < n; i++) {
        const tl_http_route *r = &routes[i];
        if (r->method == NULL || r->method[0] == '\0' || r->path == NULL || r->path[0] != '/' ||
            r->handler == NULL)
            return tl_err_set(err, TL_EINVAL, "route %zu: method, path (from /) and handler needed",
                              i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(routes[j].method, r->method) == 0 && strcmp(routes[j].path, r->path) == 0)
                return tl_err_set(err, TL_EINVAL, "route %s %s twice", r->method, r->path);
    }
    for (size_t i = 0; i < n; i++) {
        srv->routes[i] = routes[i];
        srv->routes[i].method = strdup(routes[i].method);
        srv->routes[i].path = strdup(routes[i].path);
        srv->n_routes = i + 1;
        if (srv->routes[i].method == NULL || srv->routes[i].path == NULL)
            return tl_err_set(err, TL_ENOMEM, "routes: out of memory");
    }
    return 0;
}

static void on_uv_closed(uv_handle_t *h)
{
    struct tl__http_uv *u = h->data;
    if (--u->open == 0)
        free(u);
}

static int start_daemon(tl_http *srv, const struct sockaddr *addr, tl_err *err)
{
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (addr->sa_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* The logger first: MHD logs the options that follow it through it, not to stderr. */
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, addr, MHD_OPTION_CONNECTION_LIMIT, srv->opt.max_conns,
        MHD_OPTION_CONNECTION_TIMEOUT, srv->opt.timeout_s, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_END);
    if (srv->daemon == NULL)
        return tl_err_set(err, TL_EIO, "cannot listen on %s (address in use, or not permitted)",
                          srv->listen);
    const union MHD_DaemonInfo *port = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = port != NULL ? port->port : 0;
    return 0;
}

int tl_http_start(tl_http *srv, uv_loop_t *loop, const tl_http_options *opt,
                  const tl_http_route *routes, size_t n, tl_err *err)
{
    memset(srv, 0, sizeof(*srv));
    if (opt != NULL)
        srv->opt = *opt;
    if (srv->opt.listen == NULL)
        srv->opt.listen = TL_HTTP_LISTEN_DEFAULT;
    if (srv->opt.max_body == 0)
        srv->opt.max_body = TL_HTTP_MAX_BODY_DEFAULT;
    if (srv->opt.max_conns == 0)
        srv->opt.max_conns = TL_HTTP_MAX_CONNS_DEFAULT;
    if (srv->opt.timeout_s == 0)
        srv->opt.timeout_s = TL_HTTP_TIMEOUT_DEFAULT;
    struct sockaddr_storage addr;
    socklen_t alen;
    int rc = tl_http_parse_listen(srv->opt.listen, &addr, &alen, err);
    if (rc != 0)
        return rc;
    if ((srv->listen = strdup(srv->opt.listen)) == NULL)
        return tl_err_set(err, TL_ENOMEM, "http: out of memory");
    srv->opt.listen = srv->listen;
    if ((rc = copy_routes(srv, routes, n, err)) != 0 ||
        (rc = start_daemon(srv, (const struct sockaddr *)&addr, err)) != 0)
        goto fail;
    const union MHD_DaemonInfo *ep = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    if (ep == NULL) {
        rc = tl_err_set(err, TL_ENOTSUP, "libmicrohttpd gives no epoll descriptor");
        goto fail;
    }
    if ((srv->uv = calloc(1, sizeof(*srv->uv))) == NULL) {
        rc = tl_err_set(err, TL_ENOMEM, "http: out of memory");
        goto fail;
    }
    if (uv_poll_init(loop, &srv->uv->poll, ep->epoll_fd) != 0) {
        free(srv->uv);
        srv->uv = NULL;
        rc = tl_err_set(err, TL_EIO, "cannot watch libmicrohttpd's epoll descriptor");
        goto fail;
    }
    uv_timer_init(loop, &srv->uv->timer);
    srv->uv->open = 2;
    srv->uv->poll.data = srv;
    srv->uv->timer.data = srv;
    uv_poll_start(&srv->uv->poll, UV_READABLE, on_poll);
    rearm(srv);
    return 0;
fail:
    if (srv->daemon != NULL)
        MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
    free_routes(srv);
    free(srv->listen);
    srv->listen = NULL;
    return rc;
}

void tl_http_quiesce(tl_http *srv)
{
    if (srv->daemon == NULL)
        return;
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd); /* quiesce hands the listening socket back to us */
}

void tl_http_close(tl_http *srv)
{
    if (srv->daemon == NULL)
        return;
    /* MHD may not be stopped with suspended connections: answer them (the client gets 503 if
     * one more MHD_run can write it) */
    for (tl_http_req *r = srv->live; r != NULL; r = r->next)
        if (r->state == TL__REQ_DEFERRED)
            tl_http_reply_error(r, 503, "server shutting down");
    MHD_run(srv->daemon);
    if (srv->uv != NULL) {
        uv_poll_stop(&srv->uv->poll); /* before MHD closes the descriptor */
        srv->uv->poll.data = srv->uv;
        srv->uv->timer.data = srv->uv;
        uv_close((uv_handle_t *)&srv->uv->poll, on_uv_closed);
        uv_close((uv_handle_t *)&srv->uv->timer, on_uv_closed);
        srv->uv = NULL;
    }
    MHD_stop_daemon(srv->daemon); /* frees the requests left (on_completed) */
    srv->daemon = NULL;
    free_routes(srv);
    free(srv->listen);
    srv->listen = NULL;
}

uint16_t tl_http_port(const tl_http *srv)
{
    return srv->port;
}
