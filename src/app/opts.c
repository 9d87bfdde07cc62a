/* opts.c -- see opts.h. */
#include "app/opts.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_output_check(const cli_command *cmd, bool json, const char *format)
{
    char q[CLI_QUOTE_MAX + 4];
    if (format && strcmp(format, "json") != 0 && strcmp(format, "table") != 0)
        return cli_value_error(cmd, "format", "want table or json, got '%s'",
                               cli_quote(format, q));
    if (format && json && strcmp(format, "table") == 0)
        return cli_usage_error(cmd, "--json and --format table contradict each other");
    return CLI_OK;
}

int cli_output_json(const cli_command *cmd, bool json, const char *format, bool *as_json)
{
    int rc = cli_output_check(cmd, json, format);
    if (rc == CLI_OK)
        *as_json = json || (format ? strcmp(format, "json") == 0 : !isatty(STDOUT_FILENO));
    return rc;
}

int cli_durability(const cli_command *cmd, const char *value, tl_durability *out)
{
    char q[CLI_QUOTE_MAX + 4];
    if (strcmp(value, "full") == 0)
        *out = TL_DURABILITY_FULL;
    else if (strcmp(value, "normal") == 0)
        *out = TL_DURABILITY_NORMAL;
    else
        return cli_value_error(cmd, "durability", "want full or normal, got '%s'",
                               cli_quote(value, q));
    return CLI_OK;
}

int cli_workspace(const cli_command *cmd, const char *flag, const char *ws)
{
    tl_err err = {0};
    if (tl_workspace_validate(ws, &err) == 0)
        return CLI_OK;
    /* The library names its field; the flag's source replaces it, not doubles it. */
    const char *msg = strncmp(err.msg, "workspace: ", 11) == 0 ? err.msg + 11 : err.msg;
    return cli_value_error(cmd, flag, "%s", msg);
}

int cli_open_store(const cli_command *cmd, const char *flag, const char *url,
                   const tl_store_options *so, tl_store *s)
{
    tl_err err = {0};
    int rc = cli_check_store_url(cmd, flag, url);
    if (rc != CLI_OK)
        return rc;
    tl_store_url u;
    if (!so && tl_store_url_parse(url, &u, NULL) == 0 && strcmp(u.scheme, "mem") == 0)
        return cli_value_error(cmd, flag,
                               "mem: holds no journal outside the process that writes it");
    rc = so ? tl_store_open(s, url, so, NULL, &err) : tl_store_open_read(s, url, NULL, &err);
    if (rc == 0)
        return CLI_OK;
    char from[160];
    return cli_fail(cmd, "%s: %s", cli_source(cmd, flag, from, sizeof from),
                    err.msg[0] ? err.msg : tl_strerror(rc));
}

int cli_env_error(const cli_command *cmd, const char *key, const char *msg)
{
    char from[160];
    size_t n = strlen(key);
    if (strncmp(msg, key, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
        msg += n + 2;
    cli_env_source(cmd, key, from, sizeof from);
    return cli_usage_error(cmd, "%s: %s", from, msg);
}
