/* mem_ctl.c -- see mem_ctl.h. Arguments were checked by the dispatcher (store.c). */
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "store/mem/mem_ctl.h"

void tl__mem_ctl_free(tl__mem_ctl *c)
{
    for (size_t i = 0; i < c->n_status; i++)
        free(c->status[i].doc);
    free(c->status);
    free(c->rows);
    memset(c, 0, sizeof *c);
}

int tl__mem_control_put(tl__mem_ctl *c, const char *command, const char *arg, int64_t ts_ns,
                        uint64_t *id, tl_err *err)
{
    if (TL_VEC_RESERVE(&c->rows, &c->cap_rows, c->n_rows + 1) < 0)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory growing the control inbox");
    tl_control_row *r = &c->rows[c->n_rows];
    memset(r, 0, sizeof *r);
    r->id = c->n_rows + 1;
    r->ts_ns = ts_ns;
    memcpy(r->command, command, strlen(command) + 1); /* lengths checked by the dispatcher */
    memcpy(r->arg, arg, strlen(arg) + 1);
    c->n_rows++;
    *id = r->id;
    return 0;
}

int tl__mem_control_pending(const tl__mem_ctl *c, uint64_t after_id, tl_control_row *out,
                            size_t cap, size_t *n)
{
    size_t got = 0;
    for (size_t i = after_id < c->n_rows ? (size_t)after_id : c->n_rows; i < c->n_rows && got < cap;
         i++) {
        if (c->rows[i].taken_seq == 0)
            out[got++] = c->rows[i];
    }
    *n = got;
    return 0;
}

int tl__mem_control_done(tl__mem_ctl *c, uint64_t id, uint64_t seq, int64_t ts_ns, tl_err *err)
{
    if (id == 0 || id > c->n_rows || c->rows[id - 1].taken_seq != 0)
        return tl_err_set(err, TL_ENOTFOUND, "mem store: no untaken control #%llu",
                          (unsigned long long)id);
    c->rows[id - 1].taken_seq = seq;
    c->rows[id - 1].taken_ns = ts_ns;
    return 0;
}

int tl__mem_control_get(const tl__mem_ctl *c, uint64_t id, tl_control_row *out, tl_err *err)
{
    if (id == 0 || id > c->n_rows)
        return tl_err_set(err, TL_ENOTFOUND, "mem store: no control #%llu", (unsigned long long)id);
    *out = c->rows[id - 1];
    return 0;
}

static tl__mem_status *status_find(const tl__mem_ctl *c, const char *name)
{
    for (size_t i = 0; i < c->n_status; i++) {
        if (strcmp(c->status[i].name, name) == 0)
            return &c->status[i];
    }
    return NULL;
}

int tl__mem_status_put(tl__mem_ctl *c, const char *name, int64_t ts_ns, const char *doc, size_t len,
                       tl_err *err)
{
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory for status '%s'", name);
    memcpy(copy, doc, len);
    copy[len] = '\0';
    tl__mem_status *st = status_find(c, name);
    if (st == NULL) {
        if (TL_VEC_RESERVE(&c->status, &c->cap_status, c->n_status + 1) < 0) {
            free(copy);
            return tl_err_set(err, TL_ENOMEM, "mem store: out of memory for status '%s'", name);
        }
        st = &c->status[c->n_status++];
        memset(st, 0, sizeof *st);
        memcpy(st->name, name, strlen(name) + 1);
    }
    free(st->doc);
    st->doc = copy;
    st->ts_ns = ts_ns;
    return 0;
}

int tl__mem_status_get(const tl__mem_ctl *c, const char *name, char **doc, int64_t *ts_ns,
                       tl_err *err)
{
    const tl__mem_status *st = status_find(c, name);
    if (st == NULL)
        return tl_err_set(err, TL_ENOTFOUND, "mem store: no status '%s'", name);
    char *copy = strdup(st->doc);
    if (copy == NULL)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory reading status '%s'", name);
    *doc = copy;
    *ts_ns = st->ts_ns;
    return 0;
}
