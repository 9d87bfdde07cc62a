/*
 * pool.h -- worker processes for sweeps, kept from one sweep to the next (issue 11).
 *
 * tl_sweep_run forks its workers for one sweep; a caller that runs sweeps one after another (a
 * benchmark, a service) would fork, fault in a fresh heap and tear down a process every time: on
 * a 200-variant sweep of ~110 us variants that was a tenth of the sweep. A pool forks its
 * workers once; each sweep is sent to them as a message on their job pipe (the spec's canonical
 * text, the bars, the starting equity and the store), from which a worker rebuilds the same plan
 * (its id is checked) and takes variants off the shared counter, as tl_sweep_run's workers do,
 * the calling process among them. A worker reports each result on its result pipe (one record
 * smaller than PIPE_BUF) and an end record when the counter is spent; the caller stores every
 * variant's row (run.h). A worker that dies takes only its current variant with it ("worker
 * died") and is not sent another sweep.
 *
 * Ownership: the caller allocates the tl_sweep_pool; tl_sweep_pool_close ends the workers
 * (closing their job pipes) and reaps them. One sweep at a time; not thread-safe. Nothing a
 * worker holds outlives its sweep but its warm heap.
 */
#ifndef TL_SWEEP_POOL_H
#define TL_SWEEP_POOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "sweep/run.h"

#define TL_SWEEP_POOL_MAX 64

typedef struct tl_sweep_pool {
    unsigned n;                    /* forked workers (jobs - 1) */
    pid_t pid[TL_SWEEP_POOL_MAX];
    int job_fd[TL_SWEEP_POOL_MAX]; /* write end of each worker's job pipe, -1 once dead */
    int res_fd[TL_SWEEP_POOL_MAX]; /* read end of each worker's result pipe, -1 once dead */
    atomic_uint *next;             /* shared mapping: the next variant to take */
} tl_sweep_pool;

/* Forks jobs - 1 workers (jobs 2..TL_SWEEP_POOL_MAX + 1). 0, TL_EINVAL, TL_EIO (fork, pipe),
 * TL_ENOMEM; on failure nothing is left to close. */
int tl_sweep_pool_open(tl_sweep_pool *p, unsigned jobs, tl_err *err);
void tl_sweep_pool_close(tl_sweep_pool *p);

/* Runs cfg's sweep on the pool and this process (cfg->jobs is not used), as tl_sweep_run does:
 * the plan's row, then every variant's. */
int tl_sweep_pool_run(tl_sweep_pool *p, const tl_sweep_run_config *cfg, tl_sweep_result *results,
                      tl_err *err);

#endif /* TL_SWEEP_POOL_H */
