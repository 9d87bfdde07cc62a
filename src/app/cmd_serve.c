/* cmd_serve.c -- `tradeloop serve`: the execution service (src/service/serve.h) from flags and the
 * seed's environment variables. Secrets (REDIS_PASSWORD, POSTGRES_PASSWORD, the admin token) come
 * from the environment only, are never flags and are never printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/opts.h"
#include "service/serve.h"

typedef struct serve_opts {
    const char *db, *durability, *listen, *intake, *redis_host, *orders, *results, *group;
    const char *consumer, *workspace, *mode, *log_level, *live_venue;
    const char *pg_host, *pg_db, *pg_user;
    uint64_t redis_port, pg_port, seed, claim_idle_ms, claim_every_ms, max_body, drain_ms;
    uint64_t run_plan_timeout_s;
    uint64_t read_count;
    tl_fixed success_rate, paper_equity;
    bool dry_run, allow_reset;
} serve_opts;

/* The seed's POSTGRES_* variables as a URL, when POSTGRES_HOST is set and --db is not. The
 * password comes from POSTGRES_PASSWORD, percent-encoded. */
static int pg_url(const serve_opts *o, char *url, size_t cap)
{
    const char *pw = getenv("POSTGRES_PASSWORD");
    char enc[3 * 256 + 1], *p = enc;
    for (const char *c = pw ? pw : ""; *c && p < enc + sizeof(enc) - 4; c++) {
        unsigned char u = (unsigned char)*c;
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
            strchr("-._~", u))
            *p++ = (char)u;
        else
            p += sprintf(p, "%%%02X", u);
    }
    *p = '\0';
    int n = snprintf(url, cap, "postgresql://%s%s%s@%s:%llu/%s", o->pg_user, enc[0] ? ":" : "", enc,
                     o->pg_host, (unsigned long long)o->pg_port, o->pg_db);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* 1,000 connections need as many descriptors: the soft limit goes up to the hard one. */
static void raise_nofile(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

/* What /status may say of the store: its kind, never the URL (it may hold a password). */
static const char *scheme_of(const char *url)
{
    static const char *const known[] = {"sqlite", "postgresql", "mem"};
    tl_store_url u;
    if (tl_store_url_parse(url, &u, NULL) == 0)
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            if (strcmp(u.scheme, known[i]) == 0)
                return known[i];
    return "other";
}

int tl_cmd_serve(int argc, char **argv)
{
    serve_opts o = {.durability = "full",
                    .listen = TL_HTTP_LISTEN_DEFAULT,
                    .orders = "orders",
                    .results = "order_results",
                    .group = "tradeloop",
                    .workspace = "execution",
                    .mode = "paper",
                    .log_level = "INFO",
                    .pg_db = "tradeloop",
                    .pg_user = "tradeloop",
                    .redis_port = 6379,
                    .pg_port = 5432,
                    .seed = 42,
                    .claim_idle_ms = 30000,
                    .claim_every_ms = 1000,
                    .read_count = 4096,
                    .max_body = TL_HTTP_MAX_BODY_DEFAULT,
                    .drain_ms = 5000,
                    .run_plan_timeout_s = 600,
                    .success_rate = TL_FIXED_SCALE / 100 * 95,
                    .paper_equity = TL_PAPER_DEFAULT_EQUITY};
    cli_flag flags[] = {
        {"db", CLI_STRING, &o.db, "TRADELOOP_DB", "URL",
         "the store: FILE.db, postgresql://..., mem: (tradeloop.db; POSTGRES_HOST and the other "
         "POSTGRES_* variables make a PostgreSQL URL when --db is not given)"},
        {"durability", CLI_STRING, &o.durability, "TRADELOOP_DURABILITY", "full|normal",
         "what a commit waits for (full)"},
        {"listen", CLI_STRING, &o.listen, "TRADELOOP_LISTEN", "HOST:PORT",
         "the HTTP API (127.0.0.1:8003; port 0: any free port, logged)"},
        {"intake", CLI_STRING, &o.intake, "TRADELOOP_INTAKE", "none|pubsub|streams",
         "orders from Redis (pubsub when REDIS_HOST is set, else none)"},
        {"redis-host", CLI_STRING, &o.redis_host, "REDIS_HOST", "HOST",
         "Redis (password: REDIS_PASSWORD, environment only)"},
        {"redis-port", CLI_U64_POS, &o.redis_port, "REDIS_PORT", "PORT", "(6379)", .max = 65535},
        {"orders", CLI_STRING, &o.orders, "TRADELOOP_ORDERS", "NAME",
         "the channel or stream orders come from (orders)"},
        {"results", CLI_STRING, &o.results, "TRADELOOP_RESULTS", "NAME",
         "the channel or stream results go to (order_results)"},
        {"group", CLI_STRING, &o.group, "TRADELOOP_GROUP", "NAME",
         "streams: the consumer group (tradeloop)"},
        {"consumer", CLI_STRING, &o.consumer, "TRADELOOP_CONSUMER", "NAME",
         "streams: this engine's name in the group, unique (the workspace)"},
        {"claim-idle-ms", CLI_U64_POS, &o.claim_idle_ms, "TRADELOOP_CLAIM_IDLE_MS", "MS",
         "streams: claim what another consumer left pending this long (30000)", .max = 86400000},
        {"claim-every-ms", CLI_U64, &o.claim_every_ms, "TRADELOOP_CLAIM_EVERY_MS", "MS",
         "streams: how often to look, 0 = never (1000)", .max = 86400000},
        {"read-count", CLI_U64_POS, &o.read_count, "TRADELOOP_READ_COUNT", "N",
         "streams: entries per read and per claim; a larger read is a larger commit (4096)",
         .max = 100000},
        {"workspace", CLI_STRING, &o.workspace, "TRADELOOP_WORKSPACE", "NAME",
         "this engine's workspace in the journal, one per engine of a group (execution)"},
        {"trading-mode", CLI_STRING, &o.mode, "TRADING_MODE", "paper|mock|live",
         "paper: fills at the order's price; mock: seeded, --success-rate fill; live: the "
         "--live-venue exchange (paper; live is never a default)"},
        {"live-venue", CLI_STRING, &o.live_venue, "TRADELOOP_LIVE_VENUE", "URL",
         "live: binance+http(s)://HOST[:PORT]?key_env=..&secret_env=.. (or "
         "keys_file=..&account=..)"},
        {"dry-run", CLI_BOOL, &o.dry_run, "DRY_RUN", NULL,
         "validate and log every order, execute none"},
        {"seed", CLI_U64, &o.seed, "TRADELOOP_SEED", "N", "mock: the venue's seed (42)",
         .max = UINT64_MAX},
        {"success-rate", CLI_RATE, &o.success_rate, "TRADELOOP_SUCCESS_RATE", "R",
         "mock: probability an order fills (0.95)"},
        {"paper-equity", CLI_FIXED_POS, &o.paper_equity, "TRADELOOP_PAPER_EQUITY", "CASH",
         "a paper workspace's starting cash (10000)", .fmin = 1,
         .fmax = TL_FIXED_INT(10000000000LL)},
        {"allow-reset", CLI_BOOL, &o.allow_reset, "TRADELOOP_ALLOW_RESET", NULL,
         "allow POST /execute/paper/reset/{workspace_id} (dev only)"},
        {"max-body", CLI_U64_POS, &o.max_body, "TRADELOOP_MAX_BODY", "BYTES",
         "largest request body (1048576)", .max = 64u << 20},
        {"run-plan-timeout", CLI_U64_POS, &o.run_plan_timeout_s, "TRADELOOP_RUN_PLAN_TIMEOUT", "S",
         "POST /testing/run-plans/generate-and-execute: its sweep is stopped past this and the "
         "request answered 504 (600)", .max = 86400},
        {"drain-ms", CLI_U64, &o.drain_ms, "TRADELOOP_DRAIN_MS", "MS",
         "shutdown: wait this long for answers in flight (5000)", .max = 600000},
        {"log-level", CLI_STRING, &o.log_level, "LOG_LEVEL", "LEVEL",
         "DEBUG, INFO, WARNING or ERROR (INFO); one JSON object per line on stderr"},
        {"postgres-host", CLI_STRING, &o.pg_host, "POSTGRES_HOST", "HOST", "see --db"},
        {"postgres-port", CLI_U64_POS, &o.pg_port, "POSTGRES_PORT", "PORT", "(5432)", .max = 65535},
        {"postgres-db", CLI_STRING, &o.pg_db, "POSTGRES_DB", "NAME", "(tradeloop)"},
        {"postgres-user", CLI_STRING, &o.pg_user, "POSTGRES_USER", "NAME", "(tradeloop)"},
        {NULL},
    };
    cli_command cmd = {
        "serve",
        "[--db URL] [--listen HOST:PORT] [--intake none|pubsub|streams] [--trading-mode M]",
        "The execution service (seeds 002 and 003): orders from Redis (pub/sub, or a stream's\n"
        "consumer group shared by several engines on one PostgreSQL store), each executed once\n"
        "and its result published after it is durable; an HTTP API with /health, /status,\n"
        "/metrics (Prometheus), /orders, the paper broker (POST /execute/intents, GET\n"
        "/execute/paper/state|positions/{workspace_id}, POST /execute/paper/reconcile|reset/...)\n"
        "and POST /kill, /kill/release. The admin endpoints need X-Admin-Token: the token is\n"
        "TRADELOOP_ADMIN_TOKEN or the file TRADELOOP_ADMIN_TOKEN_FILE names (environment only).\n"
        "Logs are JSON lines on stderr. SIGTERM or SIGINT: intake stops, what is in flight is\n"
        "made durable and answered, exit 0.",
        flags,
    };
    int rc = cli_parse(&cmd, argc, argv, 1);
    if (rc == CLI_HELP)
        return 0;
    if (rc != CLI_OK)
        return rc;

    tl_serve_config cfg;
    tl_serve_config_default(&cfg);
    tl_err err = {0};
    tl_log_level level;
    if (tl_log_level_parse(o.log_level, &level, &err) != 0)
        return cli_value_error(&cmd, "log-level", "%s", err.msg);
    if (tl_svc_mode_parse(o.mode, &cfg.svc.mode, &err) != 0)
        return cli_value_error(&cmd, "trading-mode", "%s", err.msg);
    if ((rc = cli_workspace(&cmd, "workspace", o.workspace)) != CLI_OK)
        return rc;
    snprintf(cfg.svc.workspace, sizeof(cfg.svc.workspace), "%s", o.workspace);
    cfg.svc.dry_run = o.dry_run;
    cfg.svc.live_venue = o.live_venue;
    char venue[1024];
    if (tl_svc_venue_url(&cfg.svc, venue, sizeof(venue), &err) != 0)
        return cli_value_error(&cmd, "trading-mode", "%s", err.msg);
    cfg.svc.seed = o.seed;
    cfg.svc.success_rate = o.success_rate;
    cfg.paper_equity = o.paper_equity;
    cfg.allow_reset = o.allow_reset;
    cfg.max_body = (size_t)o.max_body;
    cfg.drain_ms = (uint32_t)o.drain_ms;
    cfg.run_plan_timeout_s = (uint32_t)o.run_plan_timeout_s;
    cfg.listen = o.listen;
    struct sockaddr_storage sa;
    socklen_t salen;
    if (tl_http_parse_listen(o.listen, &sa, &salen, &err) != 0)
        return cli_value_error(&cmd, "listen", "%s", err.msg);

    const char *intake = o.intake ? o.intake : o.redis_host ? "pubsub" : "none";
    if (strcmp(intake, "pubsub") == 0)
        cfg.intake = TL_INTAKE_PUBSUB;
    else if (strcmp(intake, "streams") == 0)
        cfg.intake = TL_INTAKE_STREAMS;
    else if (strcmp(intake, "none") != 0)
        return cli_value_error(&cmd, "intake", "want none, pubsub or streams, got '%s'", intake);
    if (cfg.intake) {
        cfg.redis.redis.host = o.redis_host ? o.redis_host : "127.0.0.1";
        cfg.redis.redis.port = (int)o.redis_port;
        cfg.redis.redis.password = getenv("REDIS_PASSWORD");
        cfg.redis.orders = o.orders;
        cfg.redis.results = o.results;
        cfg.redis.group = o.group;
        cfg.redis.consumer = o.consumer ? o.consumer : o.workspace;
        cfg.redis.claim_min_idle_ms = (uint32_t)o.claim_idle_ms;
        cfg.redis.claim_every_ms = (uint32_t)o.claim_every_ms;
        cfg.redis.count = (uint32_t)o.read_count;
    }

    char pgurl[1024];
    const char *db = o.db;
    if (!db && o.pg_host) {
        if (pg_url(&o, pgurl, sizeof(pgurl)) != 0)
            return cli_usage_error(&cmd, "POSTGRES_*: the URL they make is too long");
        db = pgurl;
    }
    if (!db)
        db = "tradeloop.db";
    if (db != pgurl && (rc = cli_check_store_url(&cmd, "db", db)) != CLI_OK)
        return rc;
    cfg.store_scheme = scheme_of(db);
    cfg.db_url = db;                               /* a run-plan execution's process opens it too */
    cfg.sweep_exe = getenv("TRADELOOP_SWEEP_EXE"); /* tests only: a wrapper of this binary */
    /* The admin token: a bad one (empty, unreadable file, both variables) is refused now, as a
     * usage error; the message names the variable, never the token. */
    if (tl_admin_token_from_env(&cfg.token, &err) != 0)
        return cli_usage_error(&cmd, "%s", err.msg);
    tl_store_options so = {TL_DURABILITY_FULL};
    if ((rc = cli_durability(&cmd, o.durability, &so.durability)) != CLI_OK) {
        tl_admin_token_close(&cfg.token);
        return rc;
    }

    tl_log log;
    tl_log_init(&log, 2, level);
    tl_store store;
    /* A URL built from POSTGRES_* holds the password: its errors name the host, not the URL. */
    if ((rc = cli_open_store(&cmd, db == pgurl ? "postgres-host" : "db", db, &so, &store)) !=
        CLI_OK) {
        tl_admin_token_close(&cfg.token);
        tl_log_close(&log);
        return rc;
    }
    raise_nofile();
    tl_host host;
    tl_serve *srv = calloc(1, sizeof(*srv));
    if (!srv || tl_host_init(&host, TL_HOST_LIVE, NULL, &err) != 0) {
        free(srv);
        tl_admin_token_close(&cfg.token);
        tl_store_close(&store);
        tl_log_close(&log);
        return cli_fail(&cmd, "%s", err.msg[0] ? err.msg : "out of memory");
    }
    rc = tl_serve_start(srv, &cfg, &host, &store, &log, &err);
    if (rc == 0)
        rc = tl_host_run(&host, &err);
    int exit_code = CLI_OK;
    if (rc != 0) {
        if (tl_log_begin(&log, TL_LOG_ERROR, tl__serve_wall_ns(), "serve failed")) {
            tl_jw_kv_str(tl_log_fields(&log), "error", err.msg);
            tl_log_end(&log);
        }
        exit_code = rc == TL_EINVAL ? CLI_USAGE : CLI_FAIL;
        fprintf(stderr, "tradeloop serve: %s\n", err.msg);
    } else if (srv->svc.halted) {
        exit_code = CLI_FAIL; /* stopped after a failed commit: not a clean exit */
    }
    tl_serve_close(srv);
    tl_host_close(&host);
    free(srv);
    tl_store_close(&store);
    tl_log_close(&log);
    return exit_code;
}
