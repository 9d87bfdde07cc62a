/*
 * lps_file.h -- the liquidity providers of a desk (`tradeloop rfq --lps FILE`).
 *
 * The file is a JSON array of 1..1,000 objects, at most 1 MiB. Each is either an LP URL:
 *
 *   {"url": "lpsim://?name=LP-7&spread_bps=4"}        (any scheme an LP backend has)
 *
 * or a simulated LP's settings, which become an lpsim:// URL (lp/sim/lp_sim.h gives each
 * parameter's meaning, range and default):
 *
 *   {"name": "LP-1", "base": {"BTCUSDT": "100000", "ETHUSDT": "3500"}, "amp": {"BTCUSDT": "500"},
 *    "spread_bps": "10", "phase": "0.25", "period_s": 60, "delay_min_ms": 200,
 *    "delay_max_ms": 500, "validity_s": 8, "seed": 1, "refuse_rate": "0",
 *    "exec_refuse_rate": "0"}
 *
 *   name        required, [A-Za-z0-9._-]{1,23}
 *   base, amp   one value for every symbol, or an object of symbol -> value
 *   the others  one value each; all optional
 * A value is a string or a JSON integer (a JSON real is refused: jansson holds it as a double,
 * loop/json_in.h says why). Any other key, or "url" beside other keys, is refused. Names are
 * unique in the file (case-sensitive), for every entry whose name is known here: the settings
 * form, and lpsim:// URLs (parsed here too, so their mistakes are found before the desk starts);
 * a URL of another scheme is checked when the desk opens it.
 *
 * Errors name the entry (its position, and its name once known) and the field.
 */
#ifndef TL_LP_LPS_FILE_H
#define TL_LP_LPS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop/lp.h"

#define TL_LPS_MAX      1000
#define TL_LPS_FILE_MAX (1u << 20)
#define TL_LP_URL_MAX   4096 /* with NUL: room for 32 symbols of base and amp */

typedef struct tl_lp_spec {
    char name[TL_LP_NAME_MAX]; /* "" for a URL whose name is known only once opened */
    char url[TL_LP_URL_MAX];   /* what tl_lp_open takes */
} tl_lp_spec;

/* Caller-allocated; init, then parse or read; close frees the array. */
typedef struct tl_lps_file {
    tl_lp_spec *lps; /* owned, count of them, in file order */
    uint32_t count;
    uint32_t cap;
} tl_lps_file;

void tl_lps_file_init(tl_lps_file *f);
void tl_lps_file_close(tl_lps_file *f);

/* Parses a whole file image (borrowed). On success f's previous content is replaced; on error f
 * is untouched. TL_EINVAL for anything malformed, TL_EDUPLICATE for a name used twice, TL_EFULL
 * past the limits, TL_ENOMEM. */
int tl_lps_file_parse(tl_lps_file *f, const char *buf, size_t len, tl_err *err);
/* Reads path (at most TL_LPS_FILE_MAX bytes) and parses it; messages start with the path. TL_EIO
 * when it cannot be read. */
int tl_lps_file_read(tl_lps_file *f, const char *path, tl_err *err);

#endif /* TL_LP_LPS_FILE_H */
