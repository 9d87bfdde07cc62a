/* batch.c -- see batch.h. */
#include "app/batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paper/broker.h"

void tl_batch_free(batch_line *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].buf);
    free(v);
}

int tl_batch_parse_line(batch_line *bl, const char *ws, char *why, size_t cap)
{
    static const char *const names[5] = {"intent_id", "action", "symbol", "qty", "fill_price"};
    char *p = bl->buf;
    int n = 0;
    for (;;) {
        char *comma = strchr(p, ',');
        if (n == 5) {
            snprintf(why, cap, "want 5 columns (intent_id,action,symbol,qty,fill_price)");
            return -1;
        }
        bl->f[n++] = p;
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    if (n != 5) {
        snprintf(why, cap, "want 5 columns (intent_id,action,symbol,qty,fill_price), got %d", n);
        return -1;
    }
    tl_err err = {0};
    for (int i = 3; i < 5; i++) {
        tl_fixed v;
        if (tl_fixed_parse(bl->f[i], (size_t)-1, &v, &err) != 0) {
            snprintf(why, cap, "%s: %s", names[i], err.msg);
            return -1;
        }
        if (v <= 0) {
            snprintf(why, cap, "%s: must be > 0, got %s", names[i], bl->f[i]);
            return -1;
        }
        *(i == 3 ? &bl->qty : &bl->price) = v;
    }
    tl_paper_intent in = {ws, bl->f[0], bl->f[1], bl->f[2], bl->qty, bl->price, NULL, 0};
    char key[TL_IDEM_KEY_MAX];
    if (tl_paper_intent_validate(&in, NULL, &err) != 0 ||
        tl_paper_idem_key(ws, in.intent_id, NULL, key, &err) != 0) {
        snprintf(why, cap, "%s", err.msg);
        return -1;
    }
    return 0;
}

