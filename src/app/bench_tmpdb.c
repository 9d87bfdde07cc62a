/* bench_tmpdb.c -- see bench_tmpdb.h. */
#include "app/bench_tmpdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int bench_tmpdb_make(bench_tmpdb *t)
{
    snprintf(t->dir, sizeof(t->dir), "/tmp/tradeloop-bench-XXXXXX");
    if (!mkdtemp(t->dir))
        return -1;
    snprintf(t->path, sizeof(t->path), "%s/bench.db", t->dir);
    return 0;
}

void bench_tmpdb_remove(bench_tmpdb *t)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char f[96];
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof(f), "%s%s", t->path, suffix[i]);
        unlink(f);
    }
    rmdir(t->dir);
}
