/* run.c -- see run.h. */
#include "sweep/run.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backtest/backtest.h"
#include "core/sbuf.h"
#include "core/text.h"

_Static_assert(sizeof(tl_sweep_result) + sizeof(uint32_t) <= PIPE_BUF,
               "a worker's record is written whole");

int tl_sweep_variant_strategy(const tl_sweep_plan *p, const tl_sweep_spec *s,
                              const tl_sweep_variant *v, tl_strategy_spec *out, tl_err *err)
{
    int rc = tl_strategy_spec_init(out, s->strategy, s->symbol, v->workspace, err);
    char num[24];
    /* Every key that may carry a value: base.params', then the swept ones; a key in both is set
     * twice to the same value (the override wins, tl_sweep_plan_value). */
    for (uint32_t i = 0; rc == 0 && i < s->n_params + s->n_axes; i++) {
        const char *key = i < s->n_params ? s->params[i].key : s->axes[i - s->n_params].key;
        const tl_sweep_value *val = tl_sweep_plan_value(p, s, v, key);
        if (!val)
            continue;
        const char *text = val->s;
        if (val->kind == TL_SWEEP_INT) {
            snprintf(num, sizeof(num), "%" PRId64, val->i);
            text = num;
        }
        rc = tl_strategy_spec_set(out, key, text, err);
    }
    return rc == 0 ? tl_strategy_spec_check(out, err) : rc;
}

/* Whether the sweep's store is in memory (mem:): its journals then live no longer than the
 * process, and no one but the variant reads them. */
static bool journals_in_memory(const tl_sweep_run_config *cfg)
{
    tl_store_url u;
    tl_err e = {0};
    return tl_store_url_parse(cfg->db_url, &u, &e) == 0 && strcmp(u.scheme, "mem") == 0;
}

/* One variant, on an open store: its result, whatever happened. With journals in memory the
 * variant trades into a scratch mem: journal of its own, dropped after its result is taken:
 * nothing could read it later anyway (a mem: store is its process's), so keeping every variant's
 * journal in one store only made a sweep's memory grow with its variants, and a worker process
 * pay a page fault for each new 4 KB of it, where a scratch journal reuses the pages the last
 * variant freed. The result is the same (its backtest checks its figures against its own
 * journal either way). */
static void run_one(const tl_sweep_run_config *cfg, tl_store *store, uint32_t i,
                    tl_sweep_result *r)
{
    tl_err err = {0};
    tl_strategy_spec spec;
    tl_backtest bt;
    tl_store scratch;
    bool own = false;
    memset(r, 0, sizeof(*r));
    r->rc = tl_sweep_variant_strategy(cfg->plan, cfg->spec, &cfg->plan->variants[i], &spec, &err);
    if (r->rc == 0 && journals_in_memory(cfg)) {
        r->rc = tl_store_open(&scratch, "mem:", &cfg->store_options, NULL, &err);
        own = r->rc == 0;
        store = &scratch;
    }
    if (r->rc == 0)
        r->rc = tl_backtest_run(&spec, cfg->bars, cfg->starting_equity, store, &bt, &err);
    if (own)
        tl_store_close(&scratch);
    if (r->rc != 0) {
        tl_text_copy(r->error, sizeof(r->error), err.msg);
        return;
    }
    r->metrics = bt.metrics;
    memcpy(r->state_digest, bt.state_digest, sizeof(r->state_digest));
    r->intents = bt.stats.intents;
    tl_backtest_free(&bt);
}

/* The variant's row for the store: its place, its overrides, its figures or its failure. */
static int put_variant(const tl_sweep_run_config *cfg, tl_store *st, uint32_t i,
                       const tl_sweep_result *r, tl_err *err)
{
    static const uint8_t kinds[] = {[TL_SWEEP_BASELINE] = TL_RUN_BASELINE,
                                    [TL_SWEEP_GRID] = TL_RUN_GRID,
                                    [TL_SWEEP_ABLATION] = TL_RUN_ABLATION};
    const tl_sweep_variant *v = &cfg->plan->variants[i];
    tl_run_variant_row row;
    memset(&row, 0, sizeof(row));
    memcpy(row.run_plan_id, cfg->plan->id, sizeof(row.run_plan_id));
    memcpy(row.variant_id, v->id, sizeof(row.variant_id));
    memcpy(row.workspace, v->workspace, sizeof(row.workspace));
    row.ord = i;
    row.kind = kinds[v->kind];
    tl_sb ov = {0};
    tl_sweep_plan_write_overrides(cfg->plan, cfg->spec, v, &ov);
    if (ov.err || ov.len >= sizeof(row.overrides)) {
        tl_sb_free(&ov);
        return tl_err_set(err, ov.err ? ov.err : TL_ERANGE,
                          "sweep: variant %s: its overrides do not fit the store's row", v->id);
    }
    memcpy(row.overrides, ov.buf, ov.len + 1);
    tl_sb_free(&ov);
    row.finished_ns = tl_clock_now(cfg->clock);
    if (r->rc != 0) {
        row.status = TL_RUN_FAILED;
        tl_text_copy(row.error, sizeof(row.error), r->error[0] ? r->error : "failed");
    } else {
        const tl_bt_metrics *m = &r->metrics;
        row.status = TL_RUN_DONE;
        row.trade_count = (int64_t)m->trade_count;
        row.return_pct = m->return_pct;
        row.max_drawdown_pct = m->max_drawdown_pct;
        row.has_sharpe = m->has_sharpe;
        row.sharpe = m->has_sharpe ? m->sharpe : 0;
        row.has_win_rate = m->has_win_rate;
        row.win_rate = m->has_win_rate ? m->win_rate : 0;
        row.has_profit_factor = m->has_profit_factor;
        row.profit_factor = m->has_profit_factor ? m->profit_factor : 0;
        row.ending_equity = m->ending_equity;
        memcpy(row.state_digest, r->state_digest, sizeof(row.state_digest));
    }
    return tl_store_run_variant_put(st, &row, err);
}

int tl_sweep_put_plan(const tl_sweep_run_config *cfg, tl_store *st, tl_err *err)
{
    tl_run_plan_row row;
    memset(&row, 0, sizeof(row));
    memcpy(row.run_plan_id, cfg->plan->id, sizeof(row.run_plan_id));
    row.created_ns = tl_clock_now(cfg->clock);
    tl_text_copy(row.strategy, sizeof(row.strategy), cfg->spec->strategy);
    tl_text_copy(row.symbol, sizeof(row.symbol), cfg->spec->symbol);
    row.spec = cfg->spec->canon;
    tl_text_copy(row.data_name, sizeof(row.data_name), cfg->data_name ? cfg->data_name : "");
    row.bars = (int64_t)cfg->bars->n;
    row.variants = cfg->plan->count;
    return tl_store_run_plan_put(st, &row, err);
}

int tl_sweep_run_variant(const tl_sweep_run_config *cfg, tl_store *st, uint32_t i,
                         tl_sweep_result *r, tl_err *err)
{
    run_one(cfg, st, i, r);
    return put_variant(cfg, st, i, r, err);
}

static int run_here(const tl_sweep_run_config *cfg, tl_store *st, tl_sweep_result *results,
                    tl_err *err)
{
    for (uint32_t i = 0; i < cfg->plan->count; i++) {
        int rc = tl_sweep_run_variant(cfg, st, i, &results[i], err);
        if (rc != 0)
            return rc;
        if (cfg->progress)
            cfg->progress(cfg->ctx, i + 1, cfg->plan->count);
    }
    return 0;
}

typedef struct record {
    uint32_t index;
    tl_sweep_result r;
} record;

/* A worker: takes variants off the shared counter until none is left, reports each on fd. */
static _Noreturn void worker(const tl_sweep_run_config *cfg, atomic_uint *next, int fd)
{
    tl_store store;
    tl_err err = {0};
    /* Journals in memory: each variant opens its scratch one (run_one), this one would be idle. */
    bool need_store = !journals_in_memory(cfg);
    int rc = need_store ? tl_store_open(&store, cfg->db_url, &cfg->store_options, NULL, &err) : 0;
    for (;;) {
        uint32_t i = atomic_fetch_add(next, 1);
        if (i >= cfg->plan->count)
            break;
        record rec = {i, {0}};
        if (rc != 0) {
            rec.r.rc = rc;
            tl_text_copy(rec.r.error, sizeof(rec.r.error), err.msg);
        } else {
            run_one(cfg, &store, i, &rec.r);
        }
        if (write(fd, &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
            _exit(3);
    }
    if (rc == 0 && need_store)
        tl_store_close(&store);
    _exit(0);
}

static int run_workers(const tl_sweep_run_config *cfg, tl_store *st, tl_sweep_result *results,
                       tl_err *err);

int tl_sweep_run(const tl_sweep_run_config *cfg, tl_sweep_result *results, tl_err *err)
{
    /* The store is opened here first: a new file is created and migrated once, before workers
     * open it at the same moment; a store that cannot open fails the sweep, not each variant;
     * and this connection records the plan and every variant's row. */
    tl_store st;
    int rc = tl_store_open(&st, cfg->db_url, &cfg->store_options, NULL, err);
    if (rc != 0)
        return rc;
    rc = tl_sweep_put_plan(cfg, &st, err);
    if (rc == 0)
        rc = cfg->jobs <= 1 || cfg->plan->count <= 1 ? run_here(cfg, &st, results, err)
                                                     : run_workers(cfg, &st, results, err);
    tl_store_close(&st);
    return rc;
}

/* The sweep's side of its workers: their pipes, and which results are in. */
typedef struct pool {
    const tl_sweep_run_config *cfg;
    tl_store *st;
    tl_sweep_result *results;
    bool *got;
    pid_t *pids;
    struct pollfd *fds;
    unsigned started, open_fds;
    uint32_t done;
} pool;

/* Result i is in: stored and counted. The first store error stops storing (rc keeps it). */
static void take(pool *p, uint32_t i, int *rc, tl_err *err)
{
    p->got[i] = true;
    p->done++;
    if (*rc == 0)
        *rc = put_variant(p->cfg, p->st, i, &p->results[i], err);
    if (p->cfg->progress)
        p->cfg->progress(p->cfg->ctx, p->done, p->cfg->plan->count);
}

/* Reads what the workers reported, waiting up to timeout_ms (-1: until one reports or ends). */
static void drain(pool *p, int timeout_ms, int *rc, tl_err *err)
{
    int n = poll(p->fds, p->started, timeout_ms);
    if (n < 0 && errno != EINTR && *rc == 0)
        *rc = tl_err_set(err, TL_EIO, "sweep: poll: %s", strerror(errno));
    for (unsigned k = 0; n > 0 && k < p->started; k++) {
        if (p->fds[k].fd < 0 || !(p->fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        record rec;
        ssize_t got = read(p->fds[k].fd, &rec, sizeof(rec));
        if (got == (ssize_t)sizeof(rec) && rec.index < p->cfg->plan->count &&
            !p->got[rec.index]) {
            p->results[rec.index] = rec.r;
            take(p, rec.index, rc, err);
        } else if (got <= 0) {
            close(p->fds[k].fd);
            p->fds[k].fd = -1;
            p->open_fds--;
        }
    }
}

/* jobs - 1 forked workers and this process take variants off one shared counter. This process
 * runs its share in between reading the others' results: on 2 cores, a third process that only
 * waited and stored rows would wake up for every result and take the CPU from a worker, and one
 * fork fewer is one copy of this process's written pages fewer. */
static int run_workers(const tl_sweep_run_config *cfg, tl_store *st, tl_sweep_result *results,
                       tl_err *err)
{
    uint32_t total = cfg->plan->count;
    unsigned forks = (cfg->jobs < total ? cfg->jobs : total) - 1;
    atomic_uint *next = mmap(NULL, sizeof(*next), PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (next == MAP_FAILED)
        return tl_err_set(err, TL_ENOMEM, "sweep: shared counter: %s", strerror(errno));
    atomic_init(next, 0);
    pool p = {cfg, st, results, calloc(total, sizeof(bool)), calloc(forks, sizeof(pid_t)),
              calloc(forks, sizeof(struct pollfd)), 0, 0, 0};
    int rc = p.got && p.pids && p.fds ? 0 : tl_err_set(err, TL_ENOMEM, "sweep: out of memory");
    fflush(NULL); /* nothing buffered is written twice by a child */
    /* Free heap pages this process keeps would be the workers' to copy on their first write (a
     * fault and a 4 KB copy each): given back now, a worker faults in zeroed pages instead. */
    malloc_trim(0);
    for (; rc == 0 && p.started < forks; p.started++) {
        int pfd[2];
        if (pipe(pfd) != 0) {
            rc = tl_err_set(err, TL_EIO, "sweep: pipe: %s", strerror(errno));
            break;
        }
        pid_t pid = fork();
        if (pid < 0) {
            close(pfd[0]);
            close(pfd[1]);
            rc = tl_err_set(err, TL_EIO, "sweep: fork: %s", strerror(errno));
            break;
        }
        if (pid == 0) {
            close(pfd[0]);
            for (unsigned k = 0; k < p.started; k++)
                close(p.fds[k].fd);
            worker(cfg, next, pfd[1]);
        }
        close(pfd[1]);
        p.pids[p.started] = pid;
        p.fds[p.started] = (struct pollfd){pfd[0], POLLIN, 0};
    }
    p.open_fds = p.started;
    while (rc == 0) {
        uint32_t i = atomic_fetch_add(next, 1);
        if (i >= total)
            break;
        run_one(cfg, st, i, &results[i]);
        take(&p, i, &rc, err);
        if (p.open_fds > 0)
            drain(&p, 0, &rc, err);
    }
    while (p.open_fds > 0)
        drain(&p, -1, &rc, err);
    for (unsigned k = 0; k < p.started; k++) {
        if (p.fds[k].fd >= 0)
            close(p.fds[k].fd);
        if (rc != 0)
            kill(p.pids[k], SIGTERM);
        while (waitpid(p.pids[k], NULL, 0) < 0 && errno == EINTR)
            ;
    }
    /* A variant no worker reported: its worker died while running it. */
    for (uint32_t i = 0; rc == 0 && i < total; i++) {
        if (p.got[i])
            continue;
        memset(&results[i], 0, sizeof(results[i]));
        results[i].rc = TL_EIO;
        snprintf(results[i].error, sizeof(results[i].error),
                 "worker died while running this variant");
        rc = put_variant(cfg, st, i, &results[i], err);
    }
    free(p.got);
    free(p.pids);
    free(p.fds);
    munmap(next, sizeof(*next));
    return rc;
}
