/* hedge_opts.c -- see hedge_opts.h. */
#include "app/hedge_opts.h"

#include <string.h>

int cli_pair_leg(const cli_command *cmd, const char *flag, const char *value, tl_pair_leg *out)
{
    char q[CLI_QUOTE_MAX + 4];
    if (strcmp(value, "base") == 0)
        *out = TL_PAIR_BASE;
    else if (strcmp(value, "quote") == 0)
        *out = TL_PAIR_QUOTE;
    else
        return cli_value_error(cmd, flag, "want base or quote, got '%s'", cli_quote(value, q));
    return CLI_OK;
}
