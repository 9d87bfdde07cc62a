/* ledger.c -- see ledger.h. */
#include "journal/ledger.h"

#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "store/digest.h"
#include "store/rows.h"

int tl_ledger_init(tl_ledger *l, tl_fixed default_cash)
{
    memset(l, 0, sizeof(*l));
    l->default_cash = default_cash;
    if (tl_book_init(&l->book, default_cash) != 0)
        return TL_ENOMEM;
    if (tl_hashmap_init(&l->ws_index, 16) != 0 || tl_hashmap_init(&l->sym_index, 64) != 0) {
        tl_ledger_close(l);
        return TL_ENOMEM;
    }
    return 0;
}

void tl_ledger_close(tl_ledger *l)
{
    tl_book_close(&l->book);
    tl_hashmap_close(&l->ws_index);
    tl_hashmap_close(&l->sym_index);
    free(l->ws);
    free(l->sym);
    memset(l, 0, sizeof(*l));
}

/* Interns name into (names, n, cap) through index; one generic path for both kinds. */
static int intern(tl_hashmap *index, char **names, size_t width, uint32_t *n, uint32_t *cap,
                  const char *name, int create, uint32_t *id)
{
    size_t len = strlen(name);
    uint64_t h = tl_hash_bytes(name, len), cursor = 0;
    uint32_t v;

    if (len == 0 || len >= width)
        return TL_EINVAL;
    while (tl_hashmap_next_match(index, h, &cursor, &v))
        if (strcmp(*names + (size_t)v * width, name) == 0) {
            *id = v;
            return 0;
        }
    if (!create)
        return TL_ENOTFOUND;
    if (tl_vec_reserve32((void **)names, cap, (size_t)*n + 1, width) != 0)
        return TL_ENOMEM;
    if (tl_hashmap_insert_multi(index, h, *n) != 0)
        return TL_ENOMEM;
    memcpy(*names + (size_t)*n * width, name, len + 1);
    *id = (*n)++;
    return 0;
}

int tl_ledger_workspace(tl_ledger *l, const char *ws, int create, uint32_t *id)
{
    int rc = intern(&l->ws_index, (char **)&l->ws, TL_WORKSPACE_MAX, &l->n_ws, &l->cap_ws, ws,
                    create, id);
    if (rc == 0 && create && !tl_book_account(&l->book, *id, 0))
        rc = tl_book_open_account(&l->book, *id, l->default_cash);
    return rc;
}

int tl_ledger_symbol(tl_ledger *l, const char *symbol, int create, uint32_t *id)
{
    return intern(&l->sym_index, (char **)&l->sym, 16, &l->n_sym, &l->cap_sym, symbol, create, id);
}

int tl_ledger_reset(tl_ledger *l, const char *ws, tl_fixed starting_cash)
{
    uint32_t id;
    int rc = tl_ledger_workspace(l, ws, 1, &id);
    if (rc != 0)
        return rc;
    return tl_book_reset_account(&l->book, id, starting_cash);
}

int tl_ledger_apply_fill(tl_ledger *l, const char *ws, const char *symbol, tl_side side,
                         tl_fixed qty, tl_fixed price, tl_fixed fee, tl_fill_effect *effect)
{
    uint32_t a, s;
    int rc;
    if ((rc = tl_ledger_workspace(l, ws, 1, &a)) != 0 ||
        (rc = tl_ledger_symbol(l, symbol, 1, &s)) != 0)
        return rc;
    return tl_book_apply_fill(&l->book, a, s, side, qty, price, fee, effect);
}

int tl_ledger_rows(const tl_ledger *l, const char *ws, tl_account_row **accounts,
                   size_t *n_accounts, tl_position_row **positions, size_t *n_positions,
                   tl_err *err)
{
    tl_account_row *ar = calloc(l->book.acct_count ? l->book.acct_count : 1, sizeof(*ar));
    tl_position_row *pr = calloc(l->book.pos_count ? l->book.pos_count : 1, sizeof(*pr));
    size_t na = 0, np = 0;
    int all = !ws || !*ws;

    if (!ar || !pr) {
        free(ar);
        free(pr);
        return tl_err_set(err, TL_ENOMEM, "ledger: out of memory");
    }
    for (uint32_t i = 0; i < l->book.acct_count; i++) {
        const tl_account *a = &l->book.accounts[i];
        if (a->id >= l->n_ws || (!all && strcmp(l->ws[a->id], ws) != 0))
            continue;
        tl_account_row_set(&ar[na++], l->ws[a->id], a, 0);
    }
    for (uint32_t i = 0; i < l->book.pos_count; i++) {
        const tl_position *p = &l->book.positions[i];
        if (p->account >= l->n_ws || p->instrument >= l->n_sym ||
            (!all && strcmp(l->ws[p->account], ws) != 0))
            continue;
        tl_position_row_set(&pr[np++], l->ws[p->account], l->sym[p->instrument], p, 0);
    }
    *accounts = ar;
    *n_accounts = na;
    *positions = pr;
    *n_positions = np;
    return 0;
}

int tl_ledger_digest(const tl_ledger *l, const char *ws, char hex[65], tl_err *err)
{
    tl_account_row *ar;
    tl_position_row *pr;
    size_t na, np;
    int rc = tl_ledger_rows(l, ws, &ar, &na, &pr, &np, err);
    if (rc == 0)
        rc = tl_state_digest(ar, na, pr, np, hex, err);
    free(ar);
    free(pr);
    return rc;
}
