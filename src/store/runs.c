/*
 * runs.c -- the dispatch of the run plans' rows (schema version 8; see store.h).
 *
 * The one caller of the version 6 slots: it answers TL_ENOTSUP for an older table (whose struct
 * ends before them, so they are never read), refuses writes on a store opened read-only, checks
 * every row (run_rows.c) before a backend sees it, and leaves the caller's outputs untouched on
 * failure. Each write is its own transaction in the backend, apart from any batch.
 */
#include <stdlib.h>
#include <string.h>

#include "store/run_rows.h"
#include "store/store.h"

enum { SLOT_PLAN_PUT, SLOT_VARIANT_PUT, SLOT_PLANS_RECENT, SLOT_PLAN_GET, SLOT_VARIANTS };

static int has_slot(const tl_store_ops *o, int slot)
{
    if (o->version < TL_STORE_OPS_VERSION_V5 + 1)
        return 0;
    switch (slot) {
    case SLOT_PLAN_PUT:
        return o->run_plan_put != NULL;
    case SLOT_VARIANT_PUT:
        return o->run_variant_put != NULL;
    case SLOT_PLANS_RECENT:
        return o->run_plans_recent != NULL;
    case SLOT_PLAN_GET:
        return o->run_plan_get != NULL;
    default:
        return o->run_variants != NULL;
    }
}

static int check_slot(const tl_store *s, int slot, int writes, const char *what, tl_err *err)
{
    int rc = tl__store_check_open(s, what, err);
    if (rc < 0)
        return rc;
    if (!has_slot(s->ops, slot))
        return tl_err_set(err, TL_ENOTSUP, "%s: store '%s' has no run plans", what, s->ops->scheme);
    if (writes && s->read_only)
        return tl_err_set(err, TL_ESTATE, "%s: the store is open for reading only", what);
    return 0;
}

void tl_run_plan_row_free(tl_run_plan_row *row)
{
    if (row == NULL)
        return;
    free((char *)row->spec); /* a read's copy: malloc'ed by the backend, owned by the caller */
    row->spec = NULL;
}

void tl_run_plan_rows_free(tl_run_plan_row *rows, size_t n)
{
    for (size_t i = 0; rows != NULL && i < n; i++)
        tl_run_plan_row_free(&rows[i]);
}

int tl_store_run_plan_put(tl_store *s, const tl_run_plan_row *row, tl_err *err)
{
    int rc = check_slot(s, SLOT_PLAN_PUT, 1, "tl_store_run_plan_put", err);
    if (rc < 0)
        return rc;
    if (row == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_run_plan_put: NULL row");
    if ((rc = tl_run_plan_check(row, err)) < 0)
        return rc;
    return s->ops->run_plan_put(s->state, row, err);
}

int tl_store_run_variant_put(tl_store *s, const tl_run_variant_row *row, tl_err *err)
{
    int rc = check_slot(s, SLOT_VARIANT_PUT, 1, "tl_store_run_variant_put", err);
    if (rc < 0)
        return rc;
    if (row == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_run_variant_put: NULL row");
    if ((rc = tl_run_variant_check(row, err)) < 0)
        return rc;
    return s->ops->run_variant_put(s->state, row, err);
}

int tl_store_run_plans_recent(tl_store *s, tl_run_plan_row *out, size_t cap, size_t *n, tl_err *err)
{
    int rc = check_slot(s, SLOT_PLANS_RECENT, 0, "tl_store_run_plans_recent", err);
    if (rc < 0)
        return rc;
    if (n == NULL || (cap > 0 && out == NULL))
        return tl_err_set(err, TL_EINVAL, "tl_store_run_plans_recent: NULL output");
    if (cap == 0) {
        *n = 0;
        return 0;
    }
    return s->ops->run_plans_recent(s->state, out, cap, n, err);
}

int tl_store_run_plan_get(tl_store *s, const char *run_plan_id, tl_run_plan_row *out, tl_err *err)
{
    int rc = check_slot(s, SLOT_PLAN_GET, 0, "tl_store_run_plan_get", err);
    if (rc < 0)
        return rc;
    if (out == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_run_plan_get: NULL output");
    if ((rc = tl_run_id_validate(run_plan_id, "run_plan_id", err)) < 0)
        return rc;
    tl_run_plan_row row;
    memset(&row, 0, sizeof row);
    if ((rc = s->ops->run_plan_get(s->state, run_plan_id, &row, err)) < 0)
        return rc;
    *out = row;
    return 0;
}

int tl_store_run_variants(tl_store *s, const char *run_plan_id, tl_run_variant_row *out, size_t cap,
                          size_t *n, tl_err *err)
{
    int rc = check_slot(s, SLOT_VARIANTS, 0, "tl_store_run_variants", err);
    if (rc < 0)
        return rc;
    if (n == NULL || (cap > 0 && out == NULL))
        return tl_err_set(err, TL_EINVAL, "tl_store_run_variants: NULL output");
    if ((rc = tl_run_id_validate(run_plan_id, "run_plan_id", err)) < 0)
        return rc;
    return s->ops->run_variants(s->state, run_plan_id, out, cap, n, err);
}
