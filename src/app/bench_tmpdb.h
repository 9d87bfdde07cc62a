/*
 * bench_tmpdb.h -- the temporary SQLite file a benchmark writes when no --db is given: a fresh
 * directory under /tmp holding bench.db, removed afterwards with the file's -wal and -shm.
 * Benchmarks never write into a user's data by default.
 */
#ifndef TL_APP_BENCH_TMPDB_H
#define TL_APP_BENCH_TMPDB_H

typedef struct bench_tmpdb {
    char dir[32];  /* "/tmp/tradeloop-bench-XXXXXX" once made */
    char path[64]; /* dir + "/bench.db": the URL to open */
} bench_tmpdb;

/* Makes the directory. 0, or -1 when it cannot be made (errno says why). */
int bench_tmpdb_make(bench_tmpdb *t);
/* Removes the file, its -wal and -shm, and the directory. */
void bench_tmpdb_remove(bench_tmpdb *t);

#endif /* TL_APP_BENCH_TMPDB_H */
