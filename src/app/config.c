/* config.c -- see config.h. */
#include "app/config.h"

#include <stdlib.h>

#include "tradeloop/clock.h"

int tl_config_freeze_parse(const char *value, const char *alias_value, int *frozen, int64_t *t_ns,
                           tl_err *err)
{
    /* An empty value counts as unset, as with `TRADELOOP_FREEZE_UTC= tradeloop ...`. */
    const char *name = TL_FREEZE_ENV, *v = value;
    if (v == NULL || v[0] == '\0') {
        name = TL_FREEZE_ENV_ALIAS;
        v = alias_value;
    }
    if (v == NULL || v[0] == '\0') {
        *frozen = 0;
        return 0;
    }
    tl_err inner;
    tl_err_clear(&inner);
    int64_t t = 0;
    /* Out of range is a bad value too: TL_EINVAL whatever the parser's code. */
    if (tl_time_parse_iso(v, &t, &inner) != 0)
        return tl_err_set(err, TL_EINVAL, "%s: %s", name, inner.msg);
    *frozen = 1;
    *t_ns = t;
    return 0;
}

int tl_config_freeze_from_env(int *frozen, int64_t *t_ns, tl_err *err)
{
    return tl_config_freeze_parse(getenv(TL_FREEZE_ENV), getenv(TL_FREEZE_ENV_ALIAS), frozen, t_ns,
                                  err);
}
