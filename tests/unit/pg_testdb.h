/*
 * pg_testdb.h -- the one home of the database set-up of the unit tests on the ctest PostgreSQL
 * server (tests named *_pg get one; the file named by TL_PG_URL_FILE holds its URL).
 *
 * Each test works in a database of its own (the server's own tradeloop_test is shared with
 * other tests running at the same time), made by pg_testdb_create and dropped by
 * pg_testdb_drop, and empties it between its tests with pg_testdb_reset, which drops the whole
 * public schema rather than a list of tables, so a table added to the store's schema never needs
 * a test edit. Every statement runs on a fresh connection from the postgres database or the
 * test's own.
 *
 * Header-only (static inline, so a test need not use all of it): each test binary is one
 * translation unit. The set-up functions return 0 or -1 with the reason on stderr, so they serve
 * in main and in cmocka set-ups alike; pg_testdb_connect and pg_testdb_ok, for a test's own
 * queries, fail the running cmocka test instead.
 */
#ifndef TL_TEST_PG_TESTDB_H
#define TL_TEST_PG_TESTDB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

/* pg_testdb_create's flags. */
#define PG_TESTDB_UTC 1u /* the database's sessions default to timezone UTC (timestamptz text) */

/* Empties a database: every table, view, index and sequence the store made goes with the
 * schema. Also usable inside a test on a connection of its own. */
#define PG_TESTDB_RESET_SQL "DROP SCHEMA public CASCADE; CREATE SCHEMA public"

/* The URL of database db on the ctest server, into url[cap]. */
static inline int pg_testdb_url(const char *db, char *url, size_t cap)
{
    char server[1024];
    const char *file = getenv("TL_PG_URL_FILE");
    if (!file || !*file) {
        fprintf(stderr, "pg_testdb: TL_PG_URL_FILE is not set. Run the test through ctest (the "
                        "pg_server_start fixture starts a server), or start one with "
                        "tests/support/pg_server.sh start DIR and set TL_PG_URL_FILE=DIR/url.\n");
        return -1;
    }
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "pg_testdb: cannot read %s (did pg_server.sh start fail?)\n", file);
        return -1;
    }
    int ok = fgets(server, sizeof server, f) != NULL;
    fclose(f);
    server[strcspn(server, "\r\n")] = '\0';
    const char *slash = strrchr(server, '/');
    if (!ok || strncmp(server, "postgresql://", 13) != 0 || !slash || slash < server + 13) {
        fprintf(stderr, "pg_testdb: %s does not hold a postgresql:// URL\n", file);
        return -1;
    }
    int n = snprintf(url, cap, "%.*s/%s", (int)(slash - server), server, db);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Runs sql (one or more statements, no rows) on a fresh connection to url. Notices are quiet;
 * a lock wait gives up after 10 s, since a connection left open by a failed test would
 * otherwise hang a drop for good. */
static inline int pg_testdb_sql(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    int ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PQclear(PQexec(c, "SET client_min_messages = warning; SET lock_timeout = '10s'"));
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    if (!ok)
        fprintf(stderr, "pg_testdb: %s: %s", sql, PQerrorMessage(c));
    PQfinish(c);
    return ok ? 0 : -1;
}

/* Drops database name (and whoever is still connected to it), if it exists. */
static inline int pg_testdb_drop(const char *name)
{
    char admin[1100], sql[256];
    if (pg_testdb_url("postgres", admin, sizeof admin) != 0)
        return -1;
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    return pg_testdb_sql(admin, sql);
}

/* (Re)creates database name, empty, with the options in flags (PG_TESTDB_*), and writes its URL
 * into url[cap]. */
static inline int pg_testdb_create(const char *name, unsigned flags, char *url, size_t cap)
{
    char admin[1100], sql[256];
    if (pg_testdb_url("postgres", admin, sizeof admin) != 0 || pg_testdb_url(name, url, cap) != 0)
        return -1;
    if (pg_testdb_drop(name) != 0)
        return -1;
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    if (pg_testdb_sql(admin, sql) != 0)
        return -1;
    if (flags & PG_TESTDB_UTC) {
        snprintf(sql, sizeof sql, "ALTER DATABASE %s SET timezone = 'UTC'", name);
        if (pg_testdb_sql(admin, sql) != 0)
            return -1;
    }
    return 0;
}

/* Empties the database at url (see PG_TESTDB_RESET_SQL). The conformance suites' reset hook. */
static inline int pg_testdb_reset(const char *url)
{
    return pg_testdb_sql(url, PG_TESTDB_RESET_SQL);
}

/* A connection to url for a test's own queries, notices quiet; fails the test when refused. The
 * caller PQfinish-es it. */
static inline PGconn *pg_testdb_connect(const char *url)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK)
        print_error("connect %s: %s", url, PQerrorMessage(c));
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    return c;
}

/* Runs sql on c; fails the test unless it succeeds (with or without rows). */
static inline void pg_testdb_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        print_error("%s: %s", sql, PQerrorMessage(c));
    assert_true(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
    PQclear(r);
}

#endif /* TL_TEST_PG_TESTDB_H */
