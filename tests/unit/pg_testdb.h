/*
 * pg_testdb.h -- a database of its own for a unit test on the ctest PostgreSQL server (tests
 * named *_pg get one; its URL is in the file named by TL_PG_URL_FILE). Header-only: each test
 * binary is one translation unit.
 */
#ifndef TL_TEST_PG_TESTDB_H
#define TL_TEST_PG_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

static int pg_testdb_sql(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    int ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PQclear(PQexec(c, "SET client_min_messages = warning"));
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    if (!ok)
        fprintf(stderr, "pg_testdb: %s: %s", sql, PQerrorMessage(c));
    PQfinish(c);
    return ok ? 0 : -1;
}

/* (Re)creates database `name` on the server and writes its URL into url[cap]. 0 or -1. */
static int pg_testdb_create(const char *name, char *url, size_t cap)
{
    char server[1024], admin[1100], sql[256];
    const char *file = getenv("TL_PG_URL_FILE");
    FILE *f = file && *file ? fopen(file, "r") : NULL;
    if (!f || !fgets(server, sizeof server, f)) {
        fprintf(stderr, "pg_testdb: TL_PG_URL_FILE unreadable; run the test through ctest\n");
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    server[strcspn(server, "\r\n")] = '\0';
    const char *slash = strrchr(server, '/');
    if (!slash || strncmp(server, "postgresql://", 13) != 0)
        return -1;
    snprintf(admin, sizeof admin, "%.*s/postgres", (int)(slash - server), server);
    snprintf(url, cap, "%.*s/%s", (int)(slash - server), server, name);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_testdb_sql(admin, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    return pg_testdb_sql(admin, sql);
}

#endif /* TL_TEST_PG_TESTDB_H */
