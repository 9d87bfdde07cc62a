/*
 * control_cli.h -- the commands that talk to a running engine through its database: the request
 * is a row of the control inbox (durable before anything is said), a running engine takes it and
 * journals what it did, and the command waits a while to say which happened.
 */
#ifndef TL_APP_CONTROL_CLI_H
#define TL_APP_CONTROL_CLI_H

#include "app/cli.h"
#include "store/store.h"

#define CONTROL_WAIT_MAX     60 /* seconds */
#define CONTROL_WAIT_DEFAULT 2

/* Refuses what is not a tradeloop database before anything is written: a missing file (which
 * opening for writing would create), an empty PostgreSQL database, someone else's, and mem:,
 * which no other process can reach. CLI_OK, or the error printed through cmd. */
int control_check_database(const cli_command *cmd, const char *db);
/* Polls row id until an engine took it or wait_s passed: 0 and *row (taken_seq 0 if not). */
int control_wait_taken(tl_store *s, uint64_t id, uint64_t wait_s, tl_control_row *row, tl_err *err);

#endif /* TL_APP_CONTROL_CLI_H */
