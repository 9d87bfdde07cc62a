/* http_req.c -- a request's accessors, replies (immediate and deferred), --listen parsing. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "net/http_int.h"

const char *tl_http_req_method(const tl_http_req *req)
{
    return req->method;
}

const char *tl_http_req_path(const tl_http_req *req)
{
    return req->path;
}

const char *tl_http_req_rest(const tl_http_req *req)
{
    return req->path + req->rest_off;
}

const char *tl_http_req_query(const tl_http_req *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *tl_http_req_raw_query(const tl_http_req *req)
{
    return req->query;
}

const char *tl_http_req_header(const tl_http_req *req, const char *name, size_t *len)
{
    const char *v = NULL;
    size_t n = 0;
    if (MHD_lookup_connection_value_n(req->conn, MHD_HEADER_KIND, name, strlen(name), &v, &n) !=
        MHD_YES)
        return NULL;
    if (len != NULL)
        *len = n;
    return v;
}

const char *tl_http_req_body(const tl_http_req *req, size_t *len)
{
    if (len != NULL)
        *len = req->body_len;
    return req->body != NULL ? req->body : "";
}

int tl_http_reply_headers(tl_http_req *req, unsigned status, const char *content_type,
                          const void *body, size_t len, const char *const *headers)
{
    if (req->resp != NULL || (req->state != TL__REQ_IN_HANDLER && req->state != TL__REQ_DEFERRED &&
                              req->state != TL__REQ_RECEIVING))
        return TL_ESTATE;
    if (status < 100 || status > 599)
        return TL_EINVAL;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return TL_ENOMEM;
    if (content_type != NULL &&
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) != MHD_YES)
        goto nomem;
    for (size_t i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
        if (MHD_add_response_header(r, headers[i], headers[i + 1]) != MHD_YES)
            goto nomem;
    req->resp = r;
    req->status = status;
    if (req->state == TL__REQ_DEFERRED) {
        /* MHD calls the access handler again once resumed; that call queues the answer. */
        req->state = TL__REQ_RESUMED;
        req->srv->deferred--;
        MHD_resume_connection(req->conn);
        tl__http_kick(req->srv);
    }
    return 0;
nomem:
    MHD_destroy_response(r);
    return TL_ENOMEM;
}

int tl_http_reply(tl_http_req *req, unsigned status, const char *content_type, const void *body,
                  size_t len)
{
    return tl_http_reply_headers(req, status, content_type, body, len, NULL);
}

int tl__http_reply_error_headers(tl_http_req *req, unsigned status, const char *msg,
                                 const char *const *headers)
{
    tl_jw w;
    tl_jw_init(&w);
    tl_jw_obj_begin(&w);
    tl_jw_kv_str(&w, "error", msg);
    tl_jw_obj_end(&w);
    int rc = tl_jw_finish(&w);
    if (rc == 0)
        rc = tl_http_reply_headers(req, status, "application/json", w.buf, w.len, headers);
    tl_jw_free(&w);
    return rc;
}

int tl_http_reply_error(tl_http_req *req, unsigned status, const char *msg)
{
    return tl__http_reply_error_headers(req, status, msg, NULL);
}

enum MHD_Result tl__http_queue(tl_http_req *req)
{
    enum MHD_Result ok = MHD_queue_response(req->conn, req->status, req->resp);
    MHD_destroy_response(req->resp); /* MHD holds its own reference now */
    req->resp = NULL;
    req->state = TL__REQ_ANSWERED;
    return ok;
}

static int parse_port(const char *s, uint16_t *port)
{
    if (*s == '\0' || strlen(s) > 5)
        return -1;
    unsigned v = 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

int tl_http_parse_listen(const char *s, struct sockaddr_storage *addr, socklen_t *len,
                         tl_err *err)
{
    if (s == NULL || *s == '\0')
        return tl_err_set(err, TL_EINVAL, "--listen is empty: expected HOST:PORT (e.g. %s)",
                          TL_HTTP_LISTEN_DEFAULT);
    const char *colon = strrchr(s, ':');
    if (colon == NULL)
        return tl_err_set(err, TL_EINVAL, "--listen '%.64s': expected HOST:PORT (e.g. %s)", s,
                          TL_HTTP_LISTEN_DEFAULT);
    char host[64];
    size_t hn = (size_t)(colon - s);
    if (hn == 0 || hn >= sizeof(host))
        return tl_err_set(err, TL_EINVAL, "--listen '%.64s': the host is %s", s,
                          hn == 0 ? "missing" : "too long");
    memcpy(host, s, hn);
    host[hn] = '\0';
    uint16_t port;
    if (parse_port(colon + 1, &port) != 0)
        return tl_err_set(err, TL_EINVAL, "--listen '%.64s': port '%.16s' is not a number in 0..65535",
                          s, colon + 1);
    struct sockaddr_storage a;
    memset(&a, 0, sizeof(a));
    if (host[0] == '[') {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a;
        if (hn < 3 || host[hn - 1] != ']')
            return tl_err_set(err, TL_EINVAL, "--listen '%.64s': unclosed [ in the host", s);
        host[hn - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) != 1)
            return tl_err_set(err, TL_EINVAL, "--listen '%.64s': '%s' is not an IPv6 address", s,
                              host + 1);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        *len = sizeof(*v6);
    } else {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&a;
        if (strchr(host, ':') != NULL)
            return tl_err_set(err, TL_EINVAL,
                              "--listen '%.64s': an IPv6 host goes in brackets ([::1]:8003)", s);
        const char *ip = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
        if (inet_pton(AF_INET, ip, &v4->sin_addr) != 1)
            return tl_err_set(err, TL_EINVAL,
                              "--listen '%.64s': host '%s' is not an IPv4 address, [IPv6] "
                              "address or localhost",
                              s, host);
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        *len = sizeof(*v4);
    }
    *addr = a;
    return 0;
}
