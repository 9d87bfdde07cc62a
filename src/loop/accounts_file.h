/*
 * accounts_file.h -- the virtual accounts of a governed run (`tradeloop run --accounts FILE`).
 *
 * The file is a JSON array of 1..10,000 objects, at most 16 MiB:
 *
 *   [{"name": "va1", "starting_balance": "100000"},
 *    {"name": "va2", "starting_balance": 50000, "max_spread_bps": "5", "cooldown": "10m"}]
 *
 *   name              the account's name: workspace syntax [A-Za-z0-9._:-]{1,47}, unique in
 *                     the file (case-sensitive)
 *   starting_balance  positive decimal, as a string or a JSON integer (a JSON real is refused:
 *                     json_in.h says why)
 *   any other key     a per-account override of a run flag by its snake_case name: key
 *                     [a-z][a-z0-9_]{0,62}, value a string (1..127 printable characters) or a
 *                     JSON integer, kept as text ("5", "10m", "-3")
 *
 * This module does not know the run's flags: it returns the overrides in file order and the
 * caller checks each key and value against its flag table, naming the account and the key.
 * Parse errors name the account (its position, and its name once known) and the field; the
 * caller adds the file name, except tl_accounts_file_read, which knows it and says it.
 */
#ifndef TL_LOOP_ACCOUNTS_FILE_H
#define TL_LOOP_ACCOUNTS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "tradeloop/event.h"
#include "tradeloop/fixed.h"

#define TL_ACCOUNTS_MAX      10000
#define TL_ACCOUNTS_FILE_MAX (16u * 1024 * 1024)
#define TL_ACCOUNT_KEY_MAX   64  /* with NUL */
#define TL_ACCOUNT_VALUE_MAX 128 /* with NUL */

typedef struct tl_account_override {
    char key[TL_ACCOUNT_KEY_MAX];     /* snake_case flag name, "max_spread_bps" */
    char value[TL_ACCOUNT_VALUE_MAX]; /* its value as text, "5" */
} tl_account_override;

typedef struct tl_account_spec {
    char name[TL_WORKSPACE_MAX];
    tl_fixed starting_balance; /* > 0 */
    uint32_t first_override;   /* index into tl_accounts_file.overrides */
    uint32_t n_overrides;
} tl_account_spec;

/* Caller-allocated; init, then parse or read; close frees the arrays. */
typedef struct tl_accounts_file {
    tl_account_spec *accounts; /* owned, count of them, in file order */
    uint32_t count;
    uint32_t cap;
    tl_account_override *overrides; /* owned, n_overrides of them, grouped by account */
    uint32_t n_overrides;
    uint32_t overrides_cap;
} tl_accounts_file;

void tl_accounts_file_init(tl_accounts_file *f);
void tl_accounts_file_close(tl_accounts_file *f);

/* Parses a whole file image (borrowed). On success f's previous content is replaced; on error f
 * is untouched. TL_EINVAL for anything malformed, TL_EDUPLICATE for a name used twice,
 * TL_EFULL past the limits, TL_ENOMEM. */
int tl_accounts_file_parse(tl_accounts_file *f, const char *buf, size_t len, tl_err *err);
/* Reads path (at most TL_ACCOUNTS_FILE_MAX bytes) and parses it; messages start with the path.
 * TL_EIO when it cannot be read. */
int tl_accounts_file_read(tl_accounts_file *f, const char *path, tl_err *err);

/* The override of account a named key, or NULL. */
const tl_account_override *tl_accounts_file_find(const tl_accounts_file *f,
                                                 const tl_account_spec *a, const char *key);

#endif /* TL_LOOP_ACCOUNTS_FILE_H */
