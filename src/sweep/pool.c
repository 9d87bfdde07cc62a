/* pool.c -- see pool.h. */
#include "sweep/pool.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/text.h"

#define END_OF_JOB UINT32_MAX /* a record's index: the worker has taken its last variant */

typedef struct record {
    uint32_t index;
    tl_sweep_result r;
} record;

_Static_assert(sizeof(record) <= PIPE_BUF, "a worker's record is written whole");

/* A sweep as it travels to a worker: this, then the spec's canonical text, the store URL and the
 * bars. */
typedef struct job_head {
    uint32_t spec_len, url_len;
    uint64_t n_bars;
    tl_fixed starting_equity;
    int32_t durability;
    char plan_id[TL_SWEEP_ID_STRLEN];
} job_head;

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL); /* a dead worker is EPIPE, not SIGPIPE */
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* ---- the worker's side ---- */

/* What a worker keeps from one job to the next (its buffers, so a warm worker allocates little). */
typedef struct worker_bufs {
    char *spec, *url;
    size_t spec_cap, url_cap;
    tl_bars bars;
} worker_bufs;

static int grow(char **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    char *q = realloc(*p, need);
    if (!q)
        return -1;
    *p = q;
    *cap = need;
    return 0;
}

/* Reads one job; rebuilds its spec, plan and config; runs variants off the counter. 0 when the
 * job pipe ended (the pool closes), 1 after a job. */
static int one_job(int job_fd, int res_fd, atomic_uint *next, worker_bufs *b)
{
    job_head h;
    if (read_all(job_fd, &h, sizeof(h)) != 0)
        return 0;
    if (grow(&b->spec, &b->spec_cap, (size_t)h.spec_len + 1) != 0 ||
        grow(&b->url, &b->url_cap, (size_t)h.url_len + 1) != 0 || h.n_bars > SIZE_MAX / 64)
        _exit(4);
    if (h.n_bars > b->bars.cap) {
        tl_bar *v = realloc(b->bars.v, sizeof(tl_bar) * h.n_bars);
        if (!v)
            _exit(4);
        b->bars.v = v;
        b->bars.cap = h.n_bars;
    }
    if (read_all(job_fd, b->spec, h.spec_len) != 0 || read_all(job_fd, b->url, h.url_len) != 0 ||
        read_all(job_fd, b->bars.v, sizeof(tl_bar) * h.n_bars) != 0)
        return 0;
    b->spec[h.spec_len] = b->url[h.url_len] = '\0';
    b->bars.n = h.n_bars;

    record end = {END_OF_JOB, {0}};
    tl_err err = {0};
    tl_sweep_spec spec;
    tl_sweep_plan plan;
    tl_sweep_spec_init(&spec);
    tl_sweep_plan_init(&plan);
    int rc = tl_sweep_spec_parse(&spec, b->spec, h.spec_len, &err);
    if (rc == 0)
        rc = tl_sweep_plan_build(&plan, &spec, &err);
    if (rc == 0 && strcmp(plan.id, h.plan_id) != 0)
        rc = tl_err_set(&err, TL_ECORRUPT, "sweep worker: rebuilt plan %s, not %s", plan.id,
                        h.plan_id);
    tl_sweep_run_config cfg = {&plan, &spec, &b->bars, h.starting_equity, b->url,
                               {(tl_durability)h.durability}, 1, NULL, NULL, NULL, NULL};
    tl_clock wall;
    tl_clock_init_real(&wall);
    cfg.clock = &wall;
    tl_store store;
    bool need_store = rc == 0 && !tl__sweep_journals_in_memory(&cfg);
    if (need_store && (rc = tl_store_open(&store, b->url, &cfg.store_options, NULL, &err)) != 0)
        need_store = false;
    for (;;) {
        uint32_t i = atomic_fetch_add(next, 1);
        if (i >= plan.count || rc != 0)
            break;
        record rec = {i, {0}};
        tl__sweep_run_one(&cfg, need_store ? &store : NULL, i, &rec.r);
        if (write(res_fd, &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
            _exit(3);
    }
    if (need_store)
        tl_store_close(&store);
    end.r.rc = rc;
    tl_text_copy(end.r.error, sizeof(end.r.error), rc ? err.msg : "");
    tl_sweep_plan_close(&plan);
    tl_sweep_spec_close(&spec);
    if (write(res_fd, &end, sizeof(end)) != (ssize_t)sizeof(end))
        _exit(3);
    return 1;
}

static _Noreturn void worker(int job_fd, int res_fd, atomic_uint *next)
{
    worker_bufs b = {0};
    while (one_job(job_fd, res_fd, next, &b))
        ;
    _exit(0);
}

/* ---- the caller's side ---- */

static void bury(tl_sweep_pool *p, unsigned k)
{
    if (p->job_fd[k] >= 0)
        close(p->job_fd[k]);
    if (p->res_fd[k] >= 0)
        close(p->res_fd[k]);
    p->job_fd[k] = p->res_fd[k] = -1;
}

int tl_sweep_pool_open(tl_sweep_pool *p, unsigned jobs, tl_err *err)
{
    memset(p, 0, sizeof(*p));
    if (jobs < 2 || jobs > TL_SWEEP_POOL_MAX + 1)
        return tl_err_set(err, TL_EINVAL, "sweep pool: 2 to %d jobs, not %u",
                          TL_SWEEP_POOL_MAX + 1, jobs);
    p->next = mmap(NULL, sizeof(*p->next), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    if (p->next == MAP_FAILED)
        return tl_err_set(err, TL_ENOMEM, "sweep pool: shared counter: %s", strerror(errno));
    atomic_init(p->next, 0);
    fflush(NULL); /* nothing buffered is written twice by a child */
    /* Free heap pages this process keeps would be the workers' to copy on their first write (a
     * fault and a 4 KB copy each): given back now, a worker faults in zeroed pages instead. */
    malloc_trim(0);
    int rc = 0;
    for (; rc == 0 && p->n < jobs - 1; p->n++) {
        int job[2], res[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, job) != 0) {
            rc = tl_err_set(err, TL_EIO, "sweep pool: socketpair: %s", strerror(errno));
            break;
        }
        if (pipe(res) != 0) {
            close(job[0]);
            close(job[1]);
            rc = tl_err_set(err, TL_EIO, "sweep pool: pipe: %s", strerror(errno));
            break;
        }
        pid_t pid = fork();
        if (pid < 0) {
            close(job[0]);
            close(job[1]);
            close(res[0]);
            close(res[1]);
            rc = tl_err_set(err, TL_EIO, "sweep pool: fork: %s", strerror(errno));
            break;
        }
        if (pid == 0) {
            /* Only its own ends: another worker's, held here, would hide that one's death. */
            close(job[0]);
            close(res[0]);
            for (unsigned k = 0; k < p->n; k++)
                bury(p, k);
            worker(job[1], res[1], p->next);
        }
        close(job[1]);
        close(res[1]);
        p->pid[p->n] = pid;
        p->job_fd[p->n] = job[0];
        p->res_fd[p->n] = res[0];
    }
    if (rc != 0)
        tl_sweep_pool_close(p);
    return rc;
}

void tl_sweep_pool_close(tl_sweep_pool *p)
{
    for (unsigned k = 0; k < p->n; k++) {
        bury(p, k); /* its job pipe ends: the worker exits */
        while (p->pid[k] > 0 && waitpid(p->pid[k], NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (p->next && p->next != MAP_FAILED)
        munmap(p->next, sizeof(*p->next));
    memset(p, 0, sizeof(*p));
}

/* One sweep's progress on the caller's side. */
typedef struct sweep {
    tl_sweep_pool *p;
    const tl_sweep_run_config *cfg;
    tl_store *st;
    tl_sweep_result *results;
    bool *got;
    bool busy[TL_SWEEP_POOL_MAX]; /* sent this job, its end not seen yet */
    unsigned n_busy;
    uint32_t done;
    int rc;
    tl_err *err;
} sweep;

/* Result i is in: stored (the first store error stops storing) and counted. */
static void take(sweep *s, uint32_t i)
{
    s->got[i] = true;
    s->done++;
    if (s->rc == 0)
        s->rc = tl__sweep_put_variant(s->cfg, s->st, i, &s->results[i], s->err);
    if (s->cfg->progress)
        s->cfg->progress(s->cfg->ctx, s->done, s->cfg->plan->count);
}

/* Reads what the busy workers reported, waiting up to timeout_ms (-1: until one does). */
static void drain(sweep *s, int timeout_ms)
{
    struct pollfd fds[TL_SWEEP_POOL_MAX];
    unsigned who[TL_SWEEP_POOL_MAX], n = 0;
    for (unsigned k = 0; k < s->p->n; k++)
        if (s->busy[k]) {
            fds[n] = (struct pollfd){s->p->res_fd[k], POLLIN, 0};
            who[n++] = k;
        }
    int ready = poll(fds, n, timeout_ms);
    if (ready < 0 && errno != EINTR && s->rc == 0)
        s->rc = tl_err_set(s->err, TL_EIO, "sweep: poll: %s", strerror(errno));
    for (unsigned j = 0; ready > 0 && j < n; j++) {
        if (!(fds[j].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        unsigned k = who[j];
        record rec;
        ssize_t got = read(fds[j].fd, &rec, sizeof(rec));
        if (got == (ssize_t)sizeof(rec) && rec.index == END_OF_JOB) {
            s->busy[k] = false;
            s->n_busy--;
            if (rec.r.rc != 0 && s->rc == 0)
                s->rc = tl_err_set(s->err, rec.r.rc, "%s", rec.r.error);
        } else if (got == (ssize_t)sizeof(rec) && rec.index < s->cfg->plan->count &&
                   !s->got[rec.index]) {
            s->results[rec.index] = rec.r;
            take(s, rec.index);
        } else if (got <= 0) { /* it died: its variant in flight is reported below */
            s->busy[k] = false;
            s->n_busy--;
            bury(s->p, k);
        }
    }
}

/* Sends the job to every live worker; a worker that cannot take it is buried. */
static void send_job(sweep *s)
{
    const tl_sweep_run_config *cfg = s->cfg;
    const char *url = cfg->db_url ? cfg->db_url : "";
    job_head h = {(uint32_t)strlen(cfg->spec->canon), (uint32_t)strlen(url), cfg->bars->n,
                  cfg->starting_equity, (int32_t)cfg->store_options.durability, {0}};
    memcpy(h.plan_id, cfg->plan->id, sizeof(h.plan_id));
    for (unsigned k = 0; k < s->p->n; k++) {
        if (s->p->job_fd[k] < 0)
            continue;
        int fd = s->p->job_fd[k];
        if (write_all(fd, &h, sizeof(h)) != 0 || write_all(fd, cfg->spec->canon, h.spec_len) ||
            write_all(fd, url, h.url_len) ||
            write_all(fd, cfg->bars->v, sizeof(tl_bar) * cfg->bars->n)) {
            bury(s->p, k);
            continue;
        }
        s->busy[k] = true;
        s->n_busy++;
    }
}

static int run_sweep(tl_sweep_pool *p, const tl_sweep_run_config *cfg, tl_store *st,
                     tl_sweep_result *results, tl_err *err)
{
    uint32_t total = cfg->plan->count;
    tl_sweep_pool none = {0};
    atomic_uint here;
    if (!p) {
        p = &none;
        p->next = &here;
    }
    sweep s = {p, cfg, st, results, calloc(total ? total : 1, sizeof(bool)), {0}, 0, 0, 0, err};
    if (!s.got)
        return tl_err_set(err, TL_ENOMEM, "sweep: out of memory");
    atomic_store(p->next, 0); /* every worker is idle: none touches it before the job */
    send_job(&s);
    while (s.rc == 0) {
        uint32_t i = atomic_fetch_add(p->next, 1);
        if (i >= total)
            break;
        tl__sweep_run_one(cfg, st, i, &results[i]);
        take(&s, i);
        if (s.n_busy > 0)
            drain(&s, 0);
    }
    if (s.rc != 0) /* stop the others: no variant is taken after this */
        atomic_store(p->next, total);
    while (s.n_busy > 0)
        drain(&s, -1);
    /* A variant no worker reported: its worker died while running it. */
    for (uint32_t i = 0; s.rc == 0 && i < total; i++) {
        if (s.got[i])
            continue;
        memset(&results[i], 0, sizeof(results[i]));
        results[i].rc = TL_EIO;
        snprintf(results[i].error, sizeof(results[i].error),
                 "worker died while running this variant");
        s.rc = tl__sweep_put_variant(cfg, st, i, &results[i], err);
    }
    free(s.got);
    return s.rc;
}

int tl_sweep_pool_run(tl_sweep_pool *p, const tl_sweep_run_config *cfg, tl_sweep_result *results,
                      tl_err *err)
{
    /* The store is opened here first: a new file is created and migrated once, before workers
     * open it; a store that cannot open fails the sweep, not each variant; and this connection
     * records the plan and every variant's row. */
    tl_store st;
    int rc = tl_store_open(&st, cfg->db_url, &cfg->store_options, NULL, err);
    if (rc != 0)
        return rc;
    rc = tl_sweep_put_plan(cfg, &st, err);
    if (rc == 0)
        rc = run_sweep(p, cfg, &st, results, err);
    tl_store_close(&st);
    return rc;
}
