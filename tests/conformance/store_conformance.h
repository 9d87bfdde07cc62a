/*
 * store_conformance.h -- the test suite every journal storage backend passes.
 *
 * One suite, run unchanged against memory, SQLite and PostgreSQL (nng keeps one transport test
 * for every transport in the same way): sequence numbers, scans and filters, exact round trips,
 * UNIQUE keys of the projections with whole-batch rollback, snapshot rows, idempotency lookups,
 * fault injection through the dispatcher, a large batch and the checks on backend tables.
 *
 * Every test gets a fresh store. When url_template contains "%d" it is replaced by a counter
 * unique within the process ("sqlite:/tmp/tl-XXXXXX/t%d.db": the directory must be fresh, e.g.
 * made by mkdtemp); otherwise the template is used as is. Either way, the reset hook (when set)
 * is called with the URL before each fresh store is opened, so a backend whose URL always names
 * the same database (PostgreSQL) can drop its tables there. "mem:" is fresh on every open.
 */
#ifndef TL_TESTS_STORE_CONFORMANCE_H
#define TL_TESTS_STORE_CONFORMANCE_H

#include <stddef.h>

/* Runs the suite as one cmocka group named group_name against stores opened from url_template
 * through tl_store_open. Returns the number of failed tests (0 = all passed), as cmocka does. */
int tl_store_conformance_run(const char *group_name, const char *url_template);

/* Sets (or clears, with NULL) the hook that empties the database at url before a test; it
 * returns 0 on success. Call it before tl_store_conformance_run. */
void tl_store_conformance_set_reset(int (*reset)(const char *url));

/* Sets (or clears) the hook that runs a query on the database at url, for SQL backends: the first
 * column of the first row as text into out[cap] ("" when no row or NULL); 0 on success. Tests of
 * the SQL-visible schema (event_types, events_v, workspaces) are skipped without it. */
void tl_store_conformance_set_sql(int (*query)(const char *url, const char *sql, char *out,
                                               size_t cap));

#endif /* TL_TESTS_STORE_CONFORMANCE_H */
