/* control_cli.c -- what the commands that talk to a running engine through its database's
 * control inbox share (`tradeloop kill`, `tradeloop unfreeze`): see control_cli.h. */
#include "app/control_cli.h"

#include <string.h>
#include <time.h>

#include "app/opts.h"
#include "tradeloop/clock.h"

#define POLL_NS (10 * TL_NS_PER_MS)

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * TL_NS_PER_SEC + ts.tv_nsec;
}

/* Refuses what is not a tradeloop database before anything is written: a missing file (which
 * opening for writing would create), an empty PostgreSQL database, someone else's. An older
 * schema is let through: opening it to write the request migrates it, as any writer does. */
int control_check_database(const cli_command *cmd, const char *db)
{
    tl_store_url u;
    int rc = cli_check_store_url(cmd, "db", db);
    if (rc != CLI_OK)
        return rc;
    if (tl_store_url_parse(db, &u, NULL) == 0 && strcmp(u.scheme, "mem") == 0)
        return cli_value_error(cmd, "db",
                               "mem: lives inside one process; give the database the engine "
                               "journals to");
    tl_store s;
    tl_err err = {0};
    rc = tl_store_open_read(&s, db, NULL, &err);
    if (rc == 0)
        tl_store_close(&s);
    if (rc == 0 || rc == TL_EVERSION)
        return CLI_OK;
    char from[160];
    return cli_fail(cmd, "%s: %s", cli_source(cmd, "db", from, sizeof from),
                    err.msg[0] ? err.msg : tl_strerror(rc));
}

/* Polls row id until an engine took it or wait_s passed: 0 and *row (taken_seq 0 if not). */
int control_wait_taken(tl_store *s, uint64_t id, uint64_t wait_s, tl_control_row *row, tl_err *err)
{
    int64_t deadline = monotonic_ns() + (int64_t)wait_s * TL_NS_PER_SEC;
    for (;;) {
        int rc = tl_store_control_get(s, id, row, err);
        if (rc != 0 || row->taken_seq != 0)
            return rc;
        int64_t left = deadline - monotonic_ns();
        if (left <= 0)
            return 0;
        struct timespec pause = {0, left < POLL_NS ? left : POLL_NS};
        nanosleep(&pause, NULL);
    }
}
