/*
 * bnc_http.c -- the adapter's requests over libcurl: one easy handle per venue (its connection
 * is kept alive between requests), signed per rest-api.md "SIGNED Endpoint security", the
 * rate-limit headers read into src/binapi's budget, and the server-time offset.
 *
 * Every parameter of a request, signed or not, goes in the query string and the body stays
 * empty: the signed payload is then exactly the query string, which the docs allow for every
 * method. A request never blocks longer than timeout_ms (connect included).
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "binapi/sign.h"
#include "venue/binance/bnc.h"

struct tl__bnc_http {
    const tl__bnc_opts *o;      /* borrowed: the venue's options, which outlive this */
    CURL *curl;                 /* owned */
    struct curl_slist *headers; /* owned: X-MBX-APIKEY */
    char *body;                 /* owned: the last response's body, NUL-terminated */
    size_t len, cap;
    bool body_oom;
    tl_bapi_rl_budget budget;
    int64_t backoff_until_ms; /* local ms; 0 when none */
    int64_t offset_ms;        /* serverTime - local time */
    char url[TL__BNC_BASE_MAX + 64 + TL__BNC_QUERY_MAX];
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    tl__bnc_http *h = ctx;
    size_t len = size * n;
    if (TL_VEC_RESERVE(&h->body, &h->cap, h->len + len + 1) < 0) {
        h->body_oom = true;
        return 0; /* curl stops: the request fails as a transport error */
    }
    memcpy(h->body + h->len, data, len);
    h->len += len;
    h->body[h->len] = '\0';
    return len;
}

/* "Name: value\r\n": the four rate-limit headers go into the budget, the others are ignored. */
static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    tl__bnc_http *h = ctx;
    size_t len = size * n;
    char line[128];
    if (len < sizeof line) {
        memcpy(line, data, len);
        line[len] = '\0';
        char *colon = strchr(line, ':');
        if (colon != NULL) {
            *colon = '\0';
            line[strcspn(line, "\r\n")] = '\0';
            char *value = colon + 1;
            value[strcspn(value, "\r\n")] = '\0';
            (void)tl_bapi_rl_budget_header(&h->budget, line, value); /* a bad value is ignored */
        }
    }
    return len;
}

int tl__bnc_http_open(tl__bnc_http **hp, const tl__bnc_opts *o, tl_err *err)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return tl_err_set(err, TL_EIO, "binance: libcurl failed to initialise");
    tl__bnc_http *h = calloc(1, sizeof *h);
    char hdr[32 + TL_BAPI_API_KEY_MAX];
    if (h == NULL) {
        curl_global_cleanup();
        return tl_err_set(err, TL_ENOMEM, "binance: out of memory");
    }
    h->o = o;
    tl_bapi_rl_budget_init(&h->budget);
    h->curl = curl_easy_init();
    snprintf(hdr, sizeof hdr, "X-MBX-APIKEY: %s", o->api_key);
    h->headers = curl_slist_append(NULL, hdr);
    if (h->curl == NULL || h->headers == NULL) {
        tl__bnc_http_close(h);
        return tl_err_set(err, TL_ENOMEM, "binance: cannot create a curl handle");
    }
    curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
    curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
    curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
    curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "tradeloop");
    *hp = h;
    return 0;
}

void tl__bnc_http_close(tl__bnc_http *h)
{
    if (h == NULL)
        return;
    if (h->curl != NULL)
        curl_easy_cleanup(h->curl);
    curl_slist_free_all(h->headers); /* holds the API key: not a secret, but no need to keep it */
    free(h->body);
    free(h);
    curl_global_cleanup();
}

int tl__bnc_sign_query(tl_bapi_query *q, const char *secret, int64_t recv_window_ms,
                       int64_t timestamp_ms)
{
    char sig[TL_BAPI_SIG_HEX + 1];
    tl_bapi_query_int(q, "recvWindow", recv_window_ms);
    tl_bapi_query_int(q, "timestamp", timestamp_ms);
    int rc = tl_bapi_query_finish(q);
    if (rc < 0)
        return rc;
    if ((rc = tl_bapi_sign(secret, strlen(secret), q->buf, q->len, NULL, 0, sig)) < 0)
        return rc;
    tl_bapi_query_str(q, "signature", sig);
    rc = tl_bapi_query_finish(q);
    return rc < 0 ? rc : 0;
}

int tl__bnc_http_do(tl__bnc_http *h, const char *method, const char *path, tl_bapi_query *q,
                    bool sign, int64_t now_ms, tl__bnc_resp *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    if (sign) {
        int rc = tl__bnc_sign_query(q, h->o->secret, h->o->recv_window_ms, now_ms + h->offset_ms);
        if (rc < 0)
            return tl_err_set(err, rc, "binance: %s %s: request too long or not signed", method,
                              path);
    }
    int n = snprintf(h->url, sizeof h->url, "%s%s%s%s", h->o->base, path,
                     q != NULL && q->len > 0 ? "?" : "", q != NULL ? q->buf : "");
    if (n < 0 || (size_t)n >= sizeof h->url)
        return tl_err_set(err, TL_ERANGE, "binance: %s %s: URL too long", method, path);
    h->len = 0;
    h->body_oom = false;
    if (h->body != NULL)
        h->body[0] = '\0';
    curl_easy_setopt(h->curl, CURLOPT_URL, h->url);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE, 0L);
    } else {
        curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST,
                         strcmp(method, "GET") == 0 ? NULL : method);
    }
    CURLcode cc = curl_easy_perform(h->curl);
    if (cc != CURLE_OK)
        return 0; /* no answer: r->replied stays false; the caller decides (retry, later) */
    r->replied = true;
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r->http);
    r->body = h->body != NULL ? h->body : "";
    r->len = h->len;
    if (r->http < 200 || r->http >= 300) {
        if (tl_bapi_err_parse(r->body, r->len, &r->e, NULL) < 0)
            memset(&r->e, 0, sizeof r->e); /* no error body (a proxy's page): the status says */
        r->e.http = (int)r->http;
        if (r->http == 429 || r->http == 418) {
            /* rest-api.md "LIMITS": back off for Retry-After seconds (at least one). */
            int64_t s = h->budget.retry_after_s > 0 ? h->budget.retry_after_s : 1;
            h->backoff_until_ms = now_ms + s * 1000;
        }
    }
    return 0;
}

int tl__bnc_http_sync_time(tl__bnc_http *h, const tl_clock *clock, tl_err *err)
{
    tl__bnc_resp r;
    int64_t t0 = tl_clock_now(clock) / 1000000;
    int rc = tl__bnc_http_do(h, "GET", "/api/v3/time", NULL, false, t0, &r, err);
    int64_t t1 = tl_clock_now(clock) / 1000000, server;
    if (rc < 0)
        return rc;
    if (!r.replied)
        return tl_err_set(err, TL_EIO, "binance: GET %s/api/v3/time: no answer", h->o->base);
    if (r.http != 200)
        return tl_err_set(err, TL_EIO, "binance: GET %s/api/v3/time: HTTP %ld", h->o->base, r.http);
    if ((rc = tl__bnc_parse_time(r.body, r.len, &server, err)) < 0)
        return rc;
    /* The server read its clock somewhere in [t0, t1]: the midpoint halves the error. */
    h->offset_ms = server - (t0 + (t1 - t0) / 2);
    return 0;
}

int64_t tl__bnc_http_offset_ms(const tl__bnc_http *h)
{
    return h->offset_ms;
}

const tl_bapi_rl_budget *tl__bnc_http_budget(const tl__bnc_http *h)
{
    return &h->budget;
}

int64_t tl__bnc_http_backoff_until(const tl__bnc_http *h)
{
    return h->backoff_until_ms;
}

void tl__bnc_place_query(tl_bapi_query *q, const tl_venue_order *o, const char *client_id)
{
    bool limit = o->type == TL_ORDER_LIMIT;
    tl_bapi_query_str(q, "symbol", o->symbol);
    tl_bapi_query_str(q, "side", o->side == TL_SIDE_BUY ? "BUY" : "SELL");
    tl_bapi_query_str(q, "type", limit ? "LIMIT" : "MARKET");
    if (limit)
        tl_bapi_query_str(q, "timeInForce", "GTC");
    tl_bapi_query_fixed(q, "quantity", o->qty);
    /* A MARKET order's price is the engine's reference, not a limit: Binance refuses a price on
     * a MARKET order (-1106), so it stays here. */
    if (limit)
        tl_bapi_query_fixed(q, "price", o->price);
    if (client_id != NULL) {
        tl_bapi_query_str(q, "newClientOrderId", client_id);
        tl_bapi_query_str(q, "newOrderRespType", "FULL");
    }
}
