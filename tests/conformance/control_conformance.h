/*
 * control_conformance.h -- the control inbox and status documents, one suite for every backend.
 *
 * Run unchanged against memory, SQLite and PostgreSQL: ids and their order, pending rows and
 * paging, taking a row (again, by another event, before its event is journaled), the checks on
 * commands, arguments, names and documents, status upserts and a document of the largest size.
 * A durable backend also shows what another process sees: the rows after a reopen, a second
 * store on the same database (the requester and the engine), and a reader opened with
 * tl_store_open_read (reads work, writes are refused).
 *
 * Every test gets a fresh database: url_template's "%d" is replaced by a counter unique in the
 * process, and the reset hook (when set) empties the database at that URL first.
 */
#ifndef TL_TESTS_CONTROL_CONFORMANCE_H
#define TL_TESTS_CONTROL_CONFORMANCE_H

/* durable: the URL names a database that outlives the store and that a second store may open.
 * reset: NULL, or empties the database at url (0 on success). Returns the failed tests' count. */
int tl_control_conformance_run(const char *group_name, const char *url_template, int durable,
                               int (*reset)(const char *url));

#endif /* TL_TESTS_CONTROL_CONFORMANCE_H */
