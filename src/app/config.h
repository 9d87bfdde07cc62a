/*
 * config.h -- settings the environment supplies that no flag table carries.
 *
 * The library never reads the environment (DESIGN.md: the core has no env and no I/O); commands
 * read it here and hand the parsed value down, e.g. an instant to tl_clock_init_frozen. The same
 * precedence as the flags holds: cli_parse has already loaded the .env file below the environment,
 * so calling these after cli_parse gives environment > .env > defaults. A bad value is refused
 * with TL_EINVAL and a message that names the variable.
 */
#ifndef TL_APP_CONFIG_H
#define TL_APP_CONFIG_H

#include <stdint.h>

#include "tradeloop.h"

/* The variable that freezes the clock, and the seed 004 alias accepted for it. */
#define TL_FREEZE_ENV       "TRADELOOP_FREEZE_UTC"
#define TL_FREEZE_ENV_ALIAS "MM_FREEZE_UTC_ISO"

/* The freeze instant from the two variables' values (NULL when unset; empty counts as unset).
 * The first one set wins, even if malformed: falling back silently would hide the typo. Sets
 * *frozen to 1 and *t_ns when one is set and valid, *frozen to 0 when neither is set; TL_EINVAL
 * (err names the variable, outputs untouched) when the one that wins is not an ISO-8601 UTC
 * instant (tl_time_parse_iso) or is out of range. */
int tl_config_freeze_parse(const char *value, const char *alias_value, int *frozen, int64_t *t_ns,
                           tl_err *err);

/* The same, with the values of TRADELOOP_FREEZE_UTC and MM_FREEZE_UTC_ISO in the environment. */
int tl_config_freeze_from_env(int *frozen, int64_t *t_ns, tl_err *err);


#endif /* TL_APP_CONFIG_H */
