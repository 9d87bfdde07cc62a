/*
 * keys.h -- the accounts and API keys of `tradeloop exchange --keys FILE`.
 *
 * The file is a JSON array of 1..TL_BAPI_KEYS_MAX objects, at most 1 MiB:
 *
 *   [{"account": "maker", "api_key": "...", "secret": "...",
 *     "balances": {"USDT": "1000000", "BTC": "25"}}]
 *
 *   account   the account's name: workspace syntax [A-Za-z0-9._:-]{1,47}, unique in the file
 *   api_key   [A-Za-z0-9]{1,64} (Binance's keys are 64 letters and digits), unique in the file;
 *             sent by clients in the X-MBX-APIKEY header
 *   secret    1..128 printable ASCII characters: the HMAC-SHA256 key of the account's requests
 *   balances  an object, possibly empty, of asset [A-Z0-9]{1,20} -> amount, a decimal string
 *             >= 0 with at most 8 decimals (a JSON number is refused: it would pass through a
 *             double)
 * No other member is allowed (a misspelt one would otherwise be silently ignored).
 *
 * Errors name the entry (its 1-based position, and its account once known) and the field; the
 * reading function adds the file's name. A secret never appears in a message, nor does an API
 * key; JSON syntax errors leave out the text near the error for the same reason.
 */
#ifndef TL_BINAPI_KEYS_H
#define TL_BINAPI_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop/event.h"
#include "tradeloop/fixed.h"

#define TL_BAPI_KEYS_MAX      10000
#define TL_BAPI_KEYS_FILE_MAX (1u * 1024 * 1024)
#define TL_BAPI_API_KEY_MAX   65  /* with NUL */
#define TL_BAPI_SECRET_MAX    129 /* with NUL */
#define TL_BAPI_ASSET_MAX     21  /* with NUL */

typedef struct tl_bapi_balance {
    char asset[TL_BAPI_ASSET_MAX];
    tl_fixed amount; /* >= 0 */
} tl_bapi_balance;

typedef struct tl_bapi_key {
    char account[TL_WORKSPACE_MAX];
    char api_key[TL_BAPI_API_KEY_MAX];
    char secret[TL_BAPI_SECRET_MAX]; /* never logged, never in a message */
    uint32_t first_balance;          /* index into tl_bapi_keys.balances */
    uint32_t n_balances;             /* in file order */
} tl_bapi_key;

/* Caller-allocated; init, then parse or read; close frees the arrays (and wipes the secrets). */
typedef struct tl_bapi_keys {
    tl_bapi_key *keys; /* owned, count of them, in file order */
    uint32_t count, cap;
    tl_bapi_balance *balances; /* owned, grouped by key */
    uint32_t n_balances, balances_cap;
} tl_bapi_keys;

void tl_bapi_keys_init(tl_bapi_keys *k);
void tl_bapi_keys_close(tl_bapi_keys *k);

/* Parses a whole file image (borrowed). On success k's previous content is replaced; on error k
 * is untouched. TL_EINVAL for anything malformed, TL_EDUPLICATE for an account or API key used
 * twice, TL_EFULL past the limits, TL_ENOMEM. */
int tl_bapi_keys_parse(tl_bapi_keys *k, const char *buf, size_t len, tl_err *err);
/* Reads path and parses it; every message starts with the path. TL_EIO when unreadable. */
int tl_bapi_keys_read(tl_bapi_keys *k, const char *path, tl_err *err);

/* The entry whose api_key is key (exact), or NULL. A linear scan: the exchange builds its own
 * index at start. */
const tl_bapi_key *tl_bapi_keys_find(const tl_bapi_keys *k, const char *api_key);

#endif /* TL_BINAPI_KEYS_H */
