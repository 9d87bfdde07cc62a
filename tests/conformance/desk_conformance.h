/*
 * desk_conformance.h -- the RFQ desk's rows (quotes, lp_quotes, executions), one suite for every
 * backend.
 *
 * Run unchanged against memory, SQLite and PostgreSQL: every field round-trips, the reads' orders
 * (newest first with ties by insertion or id; requests together), caps, a batch of rows without
 * events, a duplicate execution id (stored or in the batch) refusing the whole batch, rows the
 * dispatcher refuses, a failed write or commit storing none of the batch, the journal committing
 * its buffered rows with its events, and the scorecards and totals folded from them. A durable
 * backend also shows a reader opened with tl_store_open_read.
 *
 * Every test gets a fresh database: url_template's "%d" is replaced by a counter unique in the
 * process, and the reset hook (when set) empties the database at that URL first.
 */
#ifndef TL_TESTS_DESK_CONFORMANCE_H
#define TL_TESTS_DESK_CONFORMANCE_H

/* Returns the failed tests' count. */
int tl_desk_conformance_run(const char *group_name, const char *url_template, int durable,
                            int (*reset)(const char *url));

#endif /* TL_TESTS_DESK_CONFORMANCE_H */
