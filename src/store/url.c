/*
 * url.c -- the one reading of a store URL (the rules are in store.h, above tl_store_url_parse).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "store/store.h"

/* A person needs the scheme and host; a PostgreSQL URL may carry a password further along. */
#define QUOTE_MAX 48

static int scheme_char(int c, int first)
{
    return isalpha(c) || (!first && (isdigit(c) || c == '+' || c == '.' || c == '-'));
}

/* Length of a scheme at the start of url followed by ':' (0 when there is none). */
static size_t scheme_len(const char *url)
{
    size_t n = 0;
    while (url[n] && scheme_char((unsigned char)url[n], n == 0))
        n++;
    return url[n] == ':' ? n : 0;
}

static int named(const char *s, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

int tl_store_url_parse(const char *url, tl_store_url *out, tl_err *err)
{
    tl_store_url u;
    memset(&u, 0, sizeof u);
    if (url == NULL || out == NULL)
        return tl_err_set(err, TL_EINVAL, "store URL: NULL");
    if (*url == '\0')
        return tl_err_set(err, TL_EINVAL, "empty store URL (want a file path, sqlite:PATH, "
                                          "postgresql://… or mem:)");
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return tl_err_set(err, TL_EINVAL,
                              "store URL '%.*s': control character 0x%02x at position %zu",
                              QUOTE_MAX, url, *p, (size_t)(p - (const unsigned char *)url) + 1);
    if (isspace((unsigned char)url[0]) || isspace((unsigned char)url[strlen(url) - 1]))
        return tl_err_set(err, TL_EINVAL, "store URL '%.*s': leading or trailing blank",
                          QUOTE_MAX, url);

    size_t n = scheme_len(url);
    const char *rest = url + n + 1;
    int slashes = n && strncmp(rest, "//", 2) == 0;
    if (n && (slashes || named(url, n, "mem") || named(url, n, "sqlite") ||
              named(url, n, "file") || named(url, n, "postgresql") ||
              named(url, n, "postgres"))) {
        if (n >= sizeof u.scheme)
            return tl_err_set(err, TL_EINVAL, "store URL '%.*s': scheme too long", QUOTE_MAX,
                              url);
        for (size_t i = 0; i < n; i++)
            u.scheme[i] = (char)tolower((unsigned char)url[i]);
        if (strcmp(u.scheme, "postgres") == 0)
            memcpy(u.scheme, "postgresql", sizeof "postgresql");
        if (strcmp(u.scheme, "mem") == 0) {
            u.target = slashes ? rest + 2 : rest; /* a name, may be empty */
        } else if (strcmp(u.scheme, "sqlite") == 0) {
            u.target = slashes ? rest + 2 : rest; /* sqlite://x.db is x.db, sqlite:///x is /x */
            if (*u.target == '\0')
                return tl_err_set(err, TL_EINVAL, "store URL '%.*s': no database file after '%s'",
                                  QUOTE_MAX, url, slashes ? "sqlite://" : "sqlite:");
        } else if (strcmp(u.scheme, "file") == 0) {
            memcpy(u.scheme, "sqlite", sizeof "sqlite"); /* a SQLite URI, read by SQLite */
            u.target = url;
            u.sqlite_uri = 1;
        } else if (strcmp(u.scheme, "postgresql") == 0) {
            if (!slashes)
                return tl_err_set(err, TL_EINVAL,
                                  "store URL '%.*s': want postgresql://[user@]host[:port]/db",
                                  QUOTE_MAX, url);
            u.target = url;
        } else {
            u.target = url; /* not a built-in: an added backend may serve it */
        }
    } else {
        /* No scheme of ours: a path to a SQLite file ("C:data.db", "mem" without a colon). */
        memcpy(u.scheme, "sqlite", sizeof "sqlite");
        u.target = url;
    }
    *out = u;
    return 0;
}
