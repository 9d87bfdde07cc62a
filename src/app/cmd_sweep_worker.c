/*
 * cmd_sweep_worker.c -- `tradeloop sweep-worker`: runs the variants `tradeloop sweep --queue`
 * puts on a Redis stream, on any machine that reaches the Redis server and the store
 * (src/sweep/queue.h). Flags, signals and log lines only.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/opts.h"
#include "sweep/queue.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void log_line(void *ctx, const char *line)
{
    fprintf(stderr, "tradeloop sweep-worker %s: %s\n", (const char *)ctx, line);
}

int tl_cmd_sweep_worker(int argc, char **argv)
{
    const char *queue = NULL, *db = "tradeloop.db", *durability = "full", *consumer = NULL;
    uint64_t idle_ms = 60000;
    cli_flag flags[] = {
        {"queue", CLI_STRING, &queue, NULL, "redis://HOST:PORT[/KEY]",
         "the stream `tradeloop sweep --queue` fills (required; key tradeloop:sweeps)"},
        {"db", CLI_STRING, &db, "TRADELOOP_DB", "URL",
         "the store the submitter uses: plans in, rows and journals out (tradeloop.db)"},
        {"durability", CLI_STRING, &durability, "TRADELOOP_DURABILITY", "full|normal",
         "what a commit waits for (full)"},
        {"consumer", CLI_STRING, &consumer, NULL, "NAME",
         "this worker's name in the group (HOSTNAME-PID); the same name after a restart takes "
         "its own pending entries back at once"},
        {"idle-ms", CLI_U64_POS, &idle_ms, NULL, "N",
         "claim entries another worker left pending this long (60000); keep it above the "
         "longest variant's run",
         .max = 86400000},
        {NULL},
    };
    cli_command cmd = {
        "sweep-worker",
        "--queue redis://HOST:PORT[/KEY] [--db URL] [--consumer NAME] [--idle-ms N]",
        "Runs queued sweep variants one at a time, in the consumer group tradeloop-sweep: each\n"
        "variant's row goes to the store, and only then is its entry acknowledged; entries a dead\n"
        "worker left pending longer than --idle-ms are claimed. SIGTERM or SIGINT: finishes the\n"
        "current variant and exits 0. REDIS_PASSWORD: Redis's password. Exit 1 when the store\n"
        "or Redis cannot be reached at start (later losses are retried), 2 on bad usage.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;
    if (!queue)
        return cli_usage_error(&cmd, "--queue is required");
    tl_sweep_worker_config cfg = {0};
    tl_sweep_queue_url url;
    tl_err err = {0};
    if (tl_sweep_queue_url_parse(queue, &url, &err) != 0)
        return cli_value_error(&cmd, "queue", "%s", err.msg);
    if ((rc = cli_durability(&cmd, durability, &cfg.store_options.durability)) != CLI_OK ||
        (rc = cli_check_store_url(&cmd, "db", db)) != CLI_OK)
        return rc;
    if (strncmp(db, "mem:", 4) == 0)
        return cli_value_error(&cmd, "db", "a worker writes to the submitter's store, not mem:");
    char name[128];
    if (consumer) {
        size_t n = strlen(consumer);
        bool ok = n > 0 && n < sizeof(name);
        for (size_t i = 0; ok && i < n; i++)
            ok = (unsigned char)consumer[i] > 0x20 && (unsigned char)consumer[i] < 0x7f;
        if (!ok)
            return cli_value_error(&cmd, "consumer", "want 1..127 printable characters, no spaces");
        snprintf(name, sizeof(name), "%s", consumer);
    } else {
        char host[64] = "worker";
        if (gethostname(host, sizeof(host)) != 0)
            snprintf(host, sizeof(host), "worker");
        host[sizeof(host) - 1] = '\0';
        snprintf(name, sizeof(name), "%s-%ld", host, (long)getpid());
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    tl_sweep_queue q;
    tl_sweep_queue_init(&q, &url, getenv("REDIS_PASSWORD"));
    const char *hook = getenv("TRADELOOP_TEST_WORKER_DIE_AFTER_ROW");
    cfg.queue = &q;
    cfg.db_url = db;
    cfg.consumer = name;
    cfg.idle_ms = (uint32_t)idle_ms;
    cfg.stop = &stop_requested;
    cfg.die_after_row = hook && strcmp(hook, "1") == 0;
    cfg.log = log_line;
    cfg.ctx = name;
    fprintf(stderr, "tradeloop sweep-worker %s: stream %s on %s:%d, group %s\n", name, url.key,
            url.host, url.port, TL_SWEEP_QUEUE_GROUP);
    rc = tl_sweep_worker_run(&cfg, &err);
    tl_sweep_queue_close(&q);
    if (rc != 0)
        return cli_fail(&cmd, "%s", err.msg);
    fprintf(stderr, "tradeloop sweep-worker %s: stopped after %llu variants (%llu claimed)\n", name,
            (unsigned long long)cfg.done, (unsigned long long)cfg.claimed);
    return 0;
}
