/*
 * pair.c -- a symbol's base and quote assets (pair.h).
 */
#include <string.h>

#include "core/text.h"
#include "rfq/pair.h"
#include "tradeloop/instrument.h"

const char *tl_pair_leg_name(tl_pair_leg leg)
{
    return leg == TL_PAIR_QUOTE ? "quote" : "base";
}
