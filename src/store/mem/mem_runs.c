/* mem_runs.c -- see mem_runs.h. Rows were checked by the dispatcher (run_rows.c). */
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "store/mem/mem_runs.h"

static uint64_t plan_hash(const char *id)
{
    return tl_hash_bytes(id, strlen(id));
}

static uint64_t variant_hash(const char *plan_id, const char *variant_id)
{
    char key[2 * TL_RUN_ID_MAX];
    size_t n = strlen(plan_id);
    memcpy(key, plan_id, n);
    key[n] = ':';
    size_t m = strlen(variant_id);
    memcpy(key + n + 1, variant_id, m);
    return tl_hash_bytes(key, n + 1 + m);
}

int tl__mem_runs_init(tl__mem_runs *r, tl_err *err)
{
    memset(r, 0, sizeof *r);
    if (tl_hashmap_init(&r->plan_ix, 16) < 0)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory");
    if (tl_hashmap_init(&r->variant_ix, 16) < 0) {
        tl_hashmap_close(&r->plan_ix);
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory");
    }
    return 0;
}

void tl__mem_runs_free(tl__mem_runs *r)
{
    for (size_t i = 0; i < r->n_plans; i++)
        free((char *)r->plans[i].spec);
    free(r->plans);
    free(r->variants);
    tl_hashmap_close(&r->plan_ix);
    tl_hashmap_close(&r->variant_ix);
    memset(r, 0, sizeof *r);
}

static const tl_run_plan_row *find_plan(const tl__mem_runs *r, const char *id)
{
    uint64_t cur = 0;
    uint32_t ix;
    while (tl_hashmap_next_match(&r->plan_ix, plan_hash(id), &cur, &ix)) {
        if (strcmp(r->plans[ix].run_plan_id, id) == 0)
            return &r->plans[ix];
    }
    return NULL;
}

static tl_run_variant_row *find_variant(const tl__mem_runs *r, const char *plan_id,
                                        const char *variant_id)
{
    uint64_t cur = 0;
    uint32_t ix;
    while (tl_hashmap_next_match(&r->variant_ix, variant_hash(plan_id, variant_id), &cur, &ix)) {
        tl_run_variant_row *v = &r->variants[ix];
        if (strcmp(v->run_plan_id, plan_id) == 0 && strcmp(v->variant_id, variant_id) == 0)
            return v;
    }
    return NULL;
}

static char *copy_spec(const char *spec)
{
    size_t n = strlen(spec);
    char *c = malloc(n + 1);
    if (c != NULL)
        memcpy(c, spec, n + 1);
    return c;
}

int tl__mem_run_plan_put(tl__mem_runs *r, const tl_run_plan_row *row, tl_err *err)
{
    const tl_run_plan_row *had = find_plan(r, row->run_plan_id);
    if (had != NULL) {
        if (strcmp(had->spec, row->spec) == 0)
            return 0;
        return tl_err_set(err, TL_EDUPLICATE, "mem store: run plan %s is stored with another spec",
                          row->run_plan_id);
    }
    if (r->n_plans >= UINT32_MAX || TL_VEC_RESERVE(&r->plans, &r->cap_plans, r->n_plans + 1) < 0)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory storing a run plan");
    char *spec = copy_spec(row->spec);
    if (spec == NULL ||
        tl_hashmap_insert_multi(&r->plan_ix, plan_hash(row->run_plan_id), (uint32_t)r->n_plans)) {
        free(spec);
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory storing a run plan");
    }
    r->plans[r->n_plans] = *row;
    r->plans[r->n_plans].spec = spec;
    r->n_plans++;
    return 0;
}

int tl__mem_run_variant_put(tl__mem_runs *r, const tl_run_variant_row *row, tl_err *err)
{
    if (find_plan(r, row->run_plan_id) == NULL)
        return tl_err_set(err, TL_ENOTFOUND, "mem store: no run plan %s", row->run_plan_id);
    tl_run_variant_row *had = find_variant(r, row->run_plan_id, row->variant_id);
    if (had != NULL) {
        *had = *row;
        return 0;
    }
    if (r->n_variants >= UINT32_MAX ||
        TL_VEC_RESERVE(&r->variants, &r->cap_variants, r->n_variants + 1) < 0 ||
        tl_hashmap_insert_multi(&r->variant_ix, variant_hash(row->run_plan_id, row->variant_id),
                                (uint32_t)r->n_variants) < 0)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory storing a run variant");
    r->variants[r->n_variants++] = *row;
    return 0;
}

/* A copy of plan p with its own spec into *out; TL_ENOMEM leaves *out alone. */
static int copy_plan(const tl_run_plan_row *p, tl_run_plan_row *out, tl_err *err)
{
    char *spec = copy_spec(p->spec);
    if (spec == NULL)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory reading a run plan");
    *out = *p;
    out->spec = spec;
    return 0;
}

static int newer_first(const void *a, const void *b)
{
    const tl_run_plan_row *x = *(const tl_run_plan_row *const *)a;
    const tl_run_plan_row *y = *(const tl_run_plan_row *const *)b;
    if (x->created_ns != y->created_ns)
        return x->created_ns > y->created_ns ? -1 : 1;
    return strcmp(x->run_plan_id, y->run_plan_id);
}

int tl__mem_run_plans_recent(const tl__mem_runs *r, tl_run_plan_row *out, size_t cap, size_t *n,
                             tl_err *err)
{
    const tl_run_plan_row **all = malloc((r->n_plans ? r->n_plans : 1) * sizeof *all);
    if (all == NULL)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory reading run plans");
    for (size_t i = 0; i < r->n_plans; i++)
        all[i] = &r->plans[i];
    qsort(all, r->n_plans, sizeof *all, newer_first);
    size_t got = r->n_plans < cap ? r->n_plans : cap, done = 0;
    int rc = 0;
    tl_run_plan_row *tmp = malloc((got ? got : 1) * sizeof *tmp);
    if (tmp == NULL)
        rc = tl_err_set(err, TL_ENOMEM, "mem store: out of memory reading run plans");
    for (; rc == 0 && done < got; done++)
        rc = copy_plan(all[done], &tmp[done], err);
    if (rc == 0) {
        memcpy(out, tmp, got * sizeof *tmp);
        *n = got;
    } else {
        for (size_t i = 0; tmp != NULL && i < done; i++)
            free((char *)tmp[i].spec);
    }
    free(tmp);
    free(all);
    return rc;
}

int tl__mem_run_plan_get(const tl__mem_runs *r, const char *id, tl_run_plan_row *out, tl_err *err)
{
    const tl_run_plan_row *p = find_plan(r, id);
    if (p == NULL)
        return tl_err_set(err, TL_ENOTFOUND, "mem store: no run plan %s", id);
    return copy_plan(p, out, err);
}

static int by_ord(const void *a, const void *b)
{
    const tl_run_variant_row *x = *(const tl_run_variant_row *const *)a;
    const tl_run_variant_row *y = *(const tl_run_variant_row *const *)b;
    if (x->ord != y->ord)
        return x->ord < y->ord ? -1 : 1;
    return strcmp(x->variant_id, y->variant_id);
}

int tl__mem_run_variants(const tl__mem_runs *r, const char *plan_id, tl_run_variant_row *out,
                         size_t cap, size_t *n, tl_err *err)
{
    if (find_plan(r, plan_id) == NULL)
        return tl_err_set(err, TL_ENOTFOUND, "mem store: no run plan %s", plan_id);
    const tl_run_variant_row **mine = malloc((r->n_variants ? r->n_variants : 1) * sizeof *mine);
    if (mine == NULL)
        return tl_err_set(err, TL_ENOMEM, "mem store: out of memory reading run variants");
    size_t k = 0;
    for (size_t i = 0; i < r->n_variants; i++) {
        if (strcmp(r->variants[i].run_plan_id, plan_id) == 0)
            mine[k++] = &r->variants[i];
    }
    qsort(mine, k, sizeof *mine, by_ord);
    for (size_t i = 0; i < k && i < cap; i++)
        out[i] = *mine[i];
    *n = k;
    free(mine);
    return 0;
}
