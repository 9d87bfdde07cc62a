/* bench_replay.c -- `tradeloop bench loop`'s replay through `tradeloop run` (see
 * bench_replay.h). */
#include "app/bench_replay.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/commands.h"
#include "bench/latency.h"
#include "core/vec.h"
#include "loop/quote_csv.h"
#include "tradeloop/clock.h"

#define SYMBOL     "USDCHF"
#define SPREAD_BPS TL_FIXED_INT(2)
#define ACCOUNTS   10
#define SIGNAL_LAG (100 * TL_NS_PER_MS) /* after its quote: inside the 500 ms quote age */

typedef struct tmp_dir {
    char dir[64], accounts[96], signals[96], report[96], db[96];
} tmp_dir;

typedef struct bench_quote {
    int64_t ts_ns;
    tl_fixed price; /* the file's price (the mid of the run's quote) */
} bench_quote;

/* The quotes, read with the run's own parser. *out is malloc'ed. */
static int read_quotes(const char *path, bench_quote **out, uint64_t *n, tl_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return tl_err_set(err, TL_EINVAL, "%s: cannot open", path);
    tl_quote_csv csv;
    tl_quote q;
    tl_err why = {0};
    char *line = NULL;
    size_t cap = 0, room = 0;
    ssize_t len;
    uint64_t no = 0;
    int rc = tl_quote_csv_init(&csv, SYMBOL, SPREAD_BPS, err);
    *out = NULL;
    *n = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        no++;
        int got = tl_quote_csv_line(&csv, line, (size_t)len, &q, &why);
        if (got < 0) {
            rc = tl_err_set(err, TL_EINVAL, "%s line %llu: %s", path, (unsigned long long)no,
                            why.msg);
            break;
        }
        if (got == 0)
            continue;
        if (TL_VEC_RESERVE(out, &room, *n + 1) != 0) {
            rc = tl_err_set(err, TL_ENOMEM, "bench: out of memory");
            break;
        }
        (*out)[*n].ts_ns = q.ts_ns;
        (*out)[*n].price = (q.bid + q.ask) / 2;
        (*n)++;
    }
    free(line);
    fclose(f);
    if (rc == 0 && *n < 2)
        rc = tl_err_set(err, TL_EINVAL, "%s: fewer than two quotes", path);
    return rc;
}

static int write_accounts(const char *path, tl_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return tl_err_set(err, TL_EIO, "%s: cannot create", path);
    fputc('[', f);
    for (int i = 1; i <= ACCOUNTS; i++)
        fprintf(f, "%s{\"name\": \"va%d\", \"starting_balance\": \"100000\"}", i > 1 ? ", " : "",
                i);
    fputs("]\n", f);
    return fclose(f) == 0 ? 0 : tl_err_set(err, TL_EIO, "%s: write failed", path);
}

static void write_signal(FILE *f, const char *id, const bench_quote *q, int account,
                         const char *action, bool entry)
{
    char ts[40], px[TL_FIXED_STRLEN];
    tl_time_format_iso(q->ts_ns + SIGNAL_LAG, ts, sizeof(ts));
    tl_fixed_format(q->price, px, sizeof(px));
    fprintf(f,
            "{\"id\": \"%s\", \"ts\": \"%s\", \"account\": \"va%d\", \"symbol\": \"" SYMBOL
            "\", \"action\": \"%s\"",
            id, ts, account, action);
    if (entry)
        fprintf(f, ", \"qty\": \"1000\", \"expected_price\": \"%s\"", px);
    fputs("}\n", f);
}

/* Pairs of entry and exit spread evenly over the quotes (see bench_replay.h); an odd count ends
 * with an entry. */
static int write_signals(const char *path, const bench_quote *q, uint64_t nq, uint64_t signals,
                         tl_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return tl_err_set(err, TL_EIO, "%s: cannot create", path);
    uint64_t pairs = (signals + 1) / 2, span = (nq - 1) / pairs, gap = span / 2;
    char id[32];
    for (uint64_t k = 0; k < pairs; k++) {
        uint64_t e = 1 + k * span;
        int account = (int)(k % ACCOUNTS) + 1;
        snprintf(id, sizeof(id), "e%llu", (unsigned long long)k);
        write_signal(f, id, &q[e], account, k % 2 ? "ENTER_SHORT" : "ENTER_LONG", true);
        if (2 * k + 1 < signals) {
            snprintf(id, sizeof(id), "x%llu", (unsigned long long)k);
            write_signal(f, id, &q[e + gap], account, "EXIT", false);
        }
    }
    return fclose(f) == 0 ? 0 : tl_err_set(err, TL_EIO, "%s: write failed", path);
}

/* `tradeloop run` on the inputs, its stdout into the report file. The time of the call. */
static int run_it(const tmp_dir *t, const char *quotes, bool sqlite, double *seconds, tl_err *err)
{
    char *argv[] = {"run",
                    "--quotes",
                    (char *)quotes,
                    "--symbol",
                    SYMBOL,
                    "--spread-bps",
                    "2",
                    "--accounts",
                    (char *)t->accounts,
                    "--signals",
                    (char *)t->signals,
                    "--trading-window",
                    "off",
                    "--db",
                    sqlite ? (char *)t->db : "mem:",
                    "--until-end",
                    "--json",
                    NULL};
    int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
    int fd = open(t->report, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return tl_err_set(err, TL_EIO, "%s: cannot create", t->report);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (saved < 0 || dup2(fd, STDOUT_FILENO) < 0) {
        close(fd);
        if (saved >= 0)
            close(saved);
        return tl_err_set(err, TL_EIO, "bench: cannot redirect the run's report");
    }
    close(fd);
    uint64_t t0 = tl_bench_mono_ns();
    int rc = tl_cmd_run(argc, argv);
    uint64_t t1 = tl_bench_mono_ns();
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    *seconds = (double)(t1 - t0) / 1e9;
    if (rc != 0)
        return tl_err_set(err, TL_EIO, "bench: tradeloop run exited %d", rc);
    return 0;
}

static uint64_t count_at(json_t *root, const char *obj, const char *key)
{
    json_t *v = json_object_get(json_object_get(root, obj), key);
    return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

static int read_report(const char *path, bench_replay_result *r, tl_err *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return tl_err_set(err, TL_ECORRUPT, "bench: the run's report: %s", je.text);
    r->accepted = count_at(root, "signals", "accepted");
    r->refused = count_at(root, "signals", "refused");
    r->stop_loss_exits = count_at(root, "exits", "stop_loss");
    r->journal_events = count_at(root, "journal", "events");
    uint64_t received = count_at(root, "signals", "received");
    json_decref(root);
    if (received != r->signals)
        return tl_err_set(err, TL_ECORRUPT, "bench: the run received %llu of %llu signals",
                          (unsigned long long)received, (unsigned long long)r->signals);
    return 0;
}

static void remove_dir(const tmp_dir *t)
{
    const char *files[] = {t->accounts, t->signals, t->report, t->db};
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    char f[128];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        for (size_t k = 0; k < sizeof(suffix) / sizeof(suffix[0]); k++) {
            snprintf(f, sizeof(f), "%s%s", files[i], suffix[k]);
            unlink(f);
        }
    rmdir(t->dir);
}

int bench_replay(const char *quotes_path, uint64_t signals, bool sqlite, bench_replay_result *out,
                 tl_err *err)
{
    bench_quote *q = NULL;
    uint64_t nq = 0;
    tmp_dir t;
    bench_replay_result r;
    memset(&r, 0, sizeof(r));
    if (signals == 0)
        return tl_err_set(err, TL_EINVAL, "signals: want at least one");
    int rc = read_quotes(quotes_path, &q, &nq, err);
    if (rc == 0 && (signals + 1) / 2 > (nq - 1) / 2)
        rc = tl_err_set(err, TL_EINVAL, "%s: %llu quotes are too few for %llu signals", quotes_path,
                        (unsigned long long)nq, (unsigned long long)signals);
    if (rc != 0) {
        free(q);
        return rc;
    }
    snprintf(t.dir, sizeof(t.dir), "/tmp/tradeloop-bench-XXXXXX");
    if (!mkdtemp(t.dir)) {
        free(q);
        return tl_err_set(err, TL_EIO, "bench: cannot create a temporary directory");
    }
    snprintf(t.accounts, sizeof(t.accounts), "%s/accounts.json", t.dir);
    snprintf(t.signals, sizeof(t.signals), "%s/signals.jsonl", t.dir);
    snprintf(t.report, sizeof(t.report), "%s/report.json", t.dir);
    snprintf(t.db, sizeof(t.db), "%s/run.db", t.dir);
    r.quotes = nq;
    r.signals = signals;
    if ((rc = write_accounts(t.accounts, err)) == 0 &&
        (rc = write_signals(t.signals, q, nq, signals, err)) == 0 &&
        (rc = run_it(&t, quotes_path, sqlite, &r.seconds, err)) == 0 &&
        (rc = read_report(t.report, &r, err)) == 0) {
        r.quotes_per_sec = r.seconds > 0 ? (double)nq / r.seconds : 0;
        *out = r;
    }
    remove_dir(&t);
    free(q);
    return rc;
}
