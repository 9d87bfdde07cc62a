/*
 * orders_conformance.h -- the orders table read back (tl_store_orders_recent,
 * tl_store_order_counts), one suite for every backend.
 *
 * Run unchanged against memory, SQLite and PostgreSQL: orders written through the journal, by
 * batches of events and by an engine trading on a simulated venue, come back newest first in
 * the one total order (created_at, workspace, order_id, descending), the cap honoured, of one
 * workspace or of all; every field round-trips; the counts follow fills, rejects, denials,
 * cancels and expiries; a failed append changes nothing; bad arguments are refused. A durable
 * backend also shows a reader opened with tl_store_open_read.
 *
 * Every test gets a fresh database: url_template's "%d" is replaced by a counter unique in the
 * process, and the reset hook (when set) empties the database at that URL first.
 */
#ifndef TL_TESTS_ORDERS_CONFORMANCE_H
#define TL_TESTS_ORDERS_CONFORMANCE_H

/* Returns the failed tests' count. */
int tl_orders_conformance_run(const char *group_name, const char *url_template, int durable,
                              int (*reset)(const char *url));

#endif /* TL_TESTS_ORDERS_CONFORMANCE_H */
