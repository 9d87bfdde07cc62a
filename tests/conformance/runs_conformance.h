/*
 * runs_conformance.h -- the run plans and their variants (schema version 8), one suite for every
 * backend.
 *
 * Run unchanged against memory, SQLite and PostgreSQL: every field round-trips (a long UTF-8
 * spec, negative figures, NULL figures apart from zeros), a plan stored twice with the same spec
 * is fine and with another refused, the newest plans in order and cut at cap, a plan's variants
 * in plan order with how many it has, a variant put again replacing its row, an unknown plan
 * refused, and every validation message. A durable backend also shows the rows surviving a
 * reopen and a reader opened with tl_store_open_read (reads yes, writes refused).
 *
 * Every test gets a fresh database: url_template's "%d" is replaced by a counter unique in the
 * process, and the reset hook (when set) empties the database at that URL first.
 */
#ifndef TL_TESTS_RUNS_CONFORMANCE_H
#define TL_TESTS_RUNS_CONFORMANCE_H

/* Returns the failed tests' count. */
int tl_runs_conformance_run(const char *group_name, const char *url_template, int durable,
                            int (*reset)(const char *url));

/* Stores one plan ("0123456789abcdef", sma_cross on SPY) and its baseline variant (return -1.5,
 * drawdown 0.00000001, win rate 0, no Sharpe or profit factor, ending equity 985): the rows the
 * migration tests of every backend write into a store just migrated to version 8. */
struct tl_store;
struct tl_err;
int tl_runs_conformance_put_sample(struct tl_store *s, struct tl_err *err);

#endif /* TL_TESTS_RUNS_CONFORMANCE_H */
