/*
 * opts.h -- the options several commands share, each decided in one place: the output format
 * (--json, --format table|json), the store (--db, --durability; read-only for commands that only
 * read), and the workspace. Every refusal names where the bad value came from (cli_value_error).
 */
#ifndef TL_APP_OPTS_H
#define TL_APP_OPTS_H

#include <stdbool.h>

#include "app/cli.h"
#include "store/store.h"

/* The two output flags, for a command's flag table. */
#define CLI_FORMAT_FLAGS(json, format)                                                             \
    {"json", CLI_BOOL, &(json), NULL, NULL, "print JSON (the default when stdout is not a TTY)"},  \
        {"format", CLI_STRING, &(format), "TRADELOOP_FORMAT", "table|json",                        \
         "force the output format (table on a TTY, json otherwise)"}

/* Checks the two output flags: another value, or --json with --format table, is a usage error. */
int cli_output_check(const cli_command *cmd, bool json, const char *format);
/* Decides the output format: JSON with --json or --format json, a table with --format table,
 * else JSON when stdout is not a terminal. A contradiction or another value is a usage error. */
int cli_output_json(const cli_command *cmd, bool json, const char *format, bool *as_json);

/* --durability full|normal into *out. */
int cli_durability(const cli_command *cmd, const char *value, tl_durability *out);

/* Checks a workspace id (tl_workspace_validate), naming the flag's source; "" is refused. */
int cli_workspace(const cli_command *cmd, const char *flag, const char *ws);

/* Opens the store flag `flag` names. A bad URL is a usage error (exit 2) naming its source.
 * so == NULL opens it read-only (tl_store_open_read): nothing is created, migrated or written,
 * and a missing file or one that holds no journal is an error that says so. Else it opens for
 * writing with so. Failures to open are CLI_FAIL with the store's message. */
int cli_open_store(const cli_command *cmd, const char *flag, const char *url,
                   const tl_store_options *so, tl_store *s);

/* A value from the environment (after cli_parse) that failed: the message, prefixed with where the
 * variable came from (".env line 3 (KEY)" or "KEY (environment)"); msg may start with "KEY: ". */
int cli_env_error(const cli_command *cmd, const char *key, const char *msg);

#endif /* TL_APP_OPTS_H */
