/* fuzz_accounts_file.c -- the --accounts file from a buffer: accepted files hold 1..10,000
 * uniquely named accounts with positive balances and well-formed overrides that tile the
 * override array; refusals leave the previous content and say why in printable text. */
#include <assert.h>

#include "fuzz_common.h"
#include "fuzz_printable.h"
#include "loop/accounts_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_accounts_file f;
    tl_accounts_file_init(&f);
    tl_err err = {0};
    int rc = tl_accounts_file_parse(&f, (const char *)data, size, &err);
    if (rc == 0) {
        assert(f.count >= 1 && f.count <= TL_ACCOUNTS_MAX);
        uint32_t next = 0;
        for (uint32_t i = 0; i < f.count; i++) {
            const tl_account_spec *a = &f.accounts[i];
            assert(tl_workspace_validate(a->name, NULL) == 0);
            assert(a->starting_balance > 0);
            assert(a->first_override == next);
            next += a->n_overrides;
            for (uint32_t j = 0; j < i; j++)
                assert(strcmp(a->name, f.accounts[j].name) != 0);
            for (uint32_t k = 0; k < a->n_overrides; k++) {
                const tl_account_override *o = &f.overrides[a->first_override + k];
                assert(o->key[0] >= 'a' && o->key[0] <= 'z' && o->value[0] != '\0');
                assert(tl_accounts_file_find(&f, a, o->key) != NULL);
            }
        }
        assert(next == f.n_overrides);
    } else {
        fuzz_check_refusal(rc, &err);
        assert(f.count == 0 && f.accounts == NULL);
    }
    tl_accounts_file_close(&f);
    return 0;
}
