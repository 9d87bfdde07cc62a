/* main.c -- `tradeloop SUBCOMMAND [flags]`: finds the subcommand and hands it argv. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app/commands.h"
#include "tradeloop.h"

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommand;

static const subcommand subcommands[] = {
    {"run", tl_cmd_run, "the governed loop: accounts, rules, stops, reconciliation, kill switch"},
    {"serve", tl_cmd_serve, "the execution service: orders from Redis, HTTP API, metrics"},
    {"exchange", tl_cmd_exchange, "a matching exchange behind Binance's spot REST API v3"},
    {"shadow", tl_cmd_shadow, "drive the execution loop against the simulated exchange; report"},
    {"reconcile", tl_cmd_reconcile, "rebuild cash and positions from a journal; state digest"},
    {"paper", tl_cmd_paper, "paper broker: execute intents, state, reconcile, reset"},
    {"backtest", tl_cmd_backtest, "a strategy over historical bars through the paper broker"},
    {"sweep", tl_cmd_sweep, "every variant of a sweep file as a backtest, on worker processes"},
    {"sweep-worker", tl_cmd_sweep_worker,
     "run queued sweep variants from a Redis stream (sweep --queue)"},
    {"journal", tl_cmd_journal, "print a journal's events: type names, exact decimals"},
    {"db", tl_cmd_db, "the RFQ desk's records: executions, quotes, LP scorecards, stats"},
    {"unfreeze", tl_cmd_unfreeze,
     "lift a virtual account's reconciliation freeze via its database"},
    {"kill", tl_cmd_kill, "engage or release a running engine's kill switch via its database"},
    {"top", tl_cmd_top, "live dashboard of an engine running on a database (read-only)"},
    {"rfq", tl_cmd_rfq, "the RFQ desk: stream LP quotes, lock the best, execute, hedge, P&L"},
    {"hedge", tl_cmd_hedge, "price one RFQ trade: client price, hedge, profit, fee, P&L in bps"},
    {"bench", tl_cmd_bench, "benchmarks: `bench pipeline`, `bench journal`"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tradeloop SUBCOMMAND [flags]   (tradeloop SUBCOMMAND --help for its flags)\n\n"
            "tradeloop %s -- an order-execution engine for trading desks.\n\nsubcommands:\n",
            tl_version());
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("tradeloop %s\n", tl_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
        if (strcmp(argv[1], subcommands[i].name) != 0)
            continue;
        int rc = subcommands[i].run(argc - 1, argv + 1);
        /* A result that could not be written was not given: whatever the command did, the
         * exit status says so (a full disk, a closed pipe, /dev/full). */
        if ((fflush(stdout) != 0 || ferror(stdout)) && rc != 1) {
            fprintf(stderr, "tradeloop %s: writing the output failed: %s\n", argv[1],
                    strerror(errno));
            return 1;
        }
        return rc;
    }
    fprintf(stderr, "tradeloop: unknown subcommand '%s' (see tradeloop --help)\n", argv[1]);
    return 2;
}
