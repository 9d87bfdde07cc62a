/* rows.c -- see rows.h. */
#include "store/rows.h"

#include <stdlib.h>
#include <string.h>

static void copy_name(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

void tl_position_row_set(tl_position_row *r, const char *ws, const char *symbol,
                         const tl_position *p, int64_t ts_ns)
{
    memset(r, 0, sizeof(*r));
    copy_name(r->workspace, sizeof(r->workspace), ws);
    copy_name(r->symbol, sizeof(r->symbol), symbol);
    if (p) {
        r->qty = p->qty;
        r->avg_price = p->avg_price;
        r->realized_pnl = p->realized_pnl;
        r->fees = p->fees;
    }
    r->updated_ns = ts_ns;
}

void tl_account_row_set(tl_account_row *r, const char *ws, const tl_account *a, int64_t ts_ns)
{
    memset(r, 0, sizeof(*r));
    copy_name(r->workspace, sizeof(r->workspace), ws);
    if (a) {
        r->starting_cash = a->starting_cash;
        r->cash = a->cash;
        r->realized_pnl = a->realized_pnl;
        r->fees = a->fees;
    }
    r->updated_ns = ts_ns;
}

int tl_rows_from_book(const tl_book *book, uint32_t account, const char *ws,
                      const tl_instruments *instruments, int64_t ts_ns, tl_account_row *acct,
                      tl_position_row **positions, size_t *n, tl_err *err)
{
    tl_position_row *rows = calloc(book->pos_count ? book->pos_count : 1, sizeof(*rows));
    size_t k = 0;
    if (!rows)
        return tl_err_set(err, TL_ENOMEM, "rows: out of memory");
    for (uint32_t i = 0; i < book->pos_count; i++) {
        const tl_position *p = &book->positions[i];
        if (p->account != account || p->instrument >= instruments->count)
            continue;
        tl_position_row_set(&rows[k++], ws, instruments->items[p->instrument].symbol, p, ts_ns);
    }
    tl_account_row_set(acct, ws, tl_book_find_account(book, account), ts_ns);
    *positions = rows;
    *n = k;
    return 0;
}
