/*
 * desk_rows.c -- the checks and names of the RFQ desk's rows (see desk_rows.h).
 *
 * A row that gets past these checks can be stored by every backend and printed by every
 * reader: its texts fit their columns and are printable ASCII (they end up on terminals and in
 * JSON), its enums have names, and an execution id has the one shape readers sort by.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"
#include "store/desk_rows.h"
#include "tradeloop/order.h"

static const char *const quote_events[] = {NULL, "locked", "improved", "expired", "canceled"};
static const char *const lp_statuses[] = {NULL, "quoted", "refused", "late"};
static const char *const exec_statuses[] = {NULL, "SUCCESS", "FAILED"};

const char *tl_quote_event_name(int ev)
{
    return tl_names_get(quote_events, TL_NAMES_COUNT(quote_events), ev);
}

const char *tl_lpq_status_name(int st)
{
    return tl_names_get(lp_statuses, TL_NAMES_COUNT(lp_statuses), st);
}

const char *tl_exec_status_name(int st)
{
    return tl_names_get(exec_statuses, TL_NAMES_COUNT(exec_statuses), st);
}

int tl_quote_event_parse(const char *name)
{
    return tl_names_parse(quote_events, TL_NAMES_COUNT(quote_events), name);
}

int tl_lpq_status_parse(const char *name)
{
    return tl_names_parse(lp_statuses, TL_NAMES_COUNT(lp_statuses), name);
}

int tl_exec_status_parse(const char *name)
{
    return tl_names_parse(exec_statuses, TL_NAMES_COUNT(exec_statuses), name);
}

int tl_desk_side_parse(const char *name)
{
    return name == NULL                ? -1
           : strcmp(name, "BUY") == 0  ? TL_SIDE_BUY
           : strcmp(name, "SELL") == 0 ? TL_SIDE_SELL
                                       : -1;
}

int tl_execution_id_validate(const char *id, tl_err *err)
{
    static const char shape[] = "E########-######-###";
    size_t n = id != NULL ? strnlen(id, TL_EXEC_ID_MAX) : 0;
    int ok = n == sizeof shape - 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = shape[i] == '#' ? isdigit((unsigned char)id[i]) != 0 : id[i] == shape[i];
    if (!ok)
        return tl_err_set(err, TL_EINVAL, "execution id '%.*s' is not EYYYYMMDD-HHMMSS-mmm",
                          TL_EXEC_ID_MAX, id != NULL ? id : "");
    return 0;
}

/* A text field: NUL inside its array, printable ASCII, and non-empty when required. NULL when
 * good, else what is wrong with it. */
static const char *check_text(const char *f, size_t size, int required)
{
    size_t n = strnlen(f, size);
    if (n == size)
        return "unterminated";
    if (required && n == 0)
        return "empty";
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)f[i] < 0x20 || (unsigned char)f[i] > 0x7e)
            return "not printable ASCII";
    }
    return NULL;
}

#define TEXT(row, field, req)                                                                      \
    do {                                                                                           \
        const char *why = check_text((row)->field, sizeof(row)->field, (req));                     \
        if (why != NULL)                                                                           \
            return tl_err_set(err, TL_EINVAL, "%s row %zu: %s %s", what, i, #field, why);          \
    } while (0)

#define REQUIRE(cond, field, why)                                                                  \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return tl_err_set(err, TL_EINVAL, "%s row %zu: %s %s", what, i, field, why);           \
    } while (0)

static int check_workspace(const char *ws, size_t size, const char *what, size_t i, tl_err *err)
{
    tl_err werr;
    if (strnlen(ws, size) == size)
        return tl_err_set(err, TL_EINVAL, "%s row %zu: workspace unterminated", what, i);
    if (tl_workspace_validate(ws, &werr) < 0)
        return tl_err_set(err, TL_EINVAL, "%s row %zu: %s", what, i, werr.msg);
    return 0;
}

static int check_quote(const tl_quote_row *r, size_t i, tl_err *err)
{
    const char *what = "quote";
    int rc = check_workspace(r->workspace, sizeof r->workspace, what, i, err);
    if (rc < 0)
        return rc;
    TEXT(r, quote_id, 1);
    TEXT(r, symbol, 1);
    TEXT(r, amount_asset, 1);
    TEXT(r, lp, 1);
    TEXT(r, lp_quote_id, 0);
    REQUIRE(r->side == TL_SIDE_BUY || r->side == TL_SIDE_SELL, "side", "unknown");
    REQUIRE(tl_quote_event_name(r->event) != NULL, "event", "unknown");
    REQUIRE(r->amount > 0, "amount", "not positive");
    REQUIRE(r->lp_price >= 0 && r->client_price >= 0, "price", "negative");
    return 0;
}

static int check_lp_quote(const tl_lp_quote_row *r, size_t i, tl_err *err)
{
    const char *what = "lp_quote";
    int rc = check_workspace(r->workspace, sizeof r->workspace, what, i, err);
    if (rc < 0)
        return rc;
    TEXT(r, request_id, 1);
    TEXT(r, lp, 1);
    TEXT(r, lp_quote_id, 0);
    TEXT(r, symbol, 1);
    TEXT(r, reason, 0);
    REQUIRE(r->side == TL_SIDE_BUY || r->side == TL_SIDE_SELL, "side", "unknown");
    REQUIRE(tl_lpq_status_name(r->status) != NULL, "status", "unknown");
    REQUIRE(r->amount > 0, "amount", "not positive");
    REQUIRE(r->bid >= 0 && r->ask >= 0 && r->price >= 0, "price", "negative");
    REQUIRE(r->status != TL_LPQ_QUOTED || r->price > 0, "price", "missing from a quote");
    REQUIRE(r->response_ns >= 0, "response_ns", "negative");
    REQUIRE(r->won <= 1, "won", "not 0 or 1");
    REQUIRE(!r->won || r->status == TL_LPQ_QUOTED, "won", "set on a row that did not quote");
    return 0;
}

static int check_execution(const tl_execution_row *r, size_t i, tl_err *err)
{
    const char *what = "execution";
    int rc = check_workspace(r->workspace, sizeof r->workspace, what, i, err);
    if (rc < 0)
        return rc;
    TEXT(r, execution_id, 1);
    if ((rc = tl_execution_id_validate(r->execution_id, NULL)) < 0)
        return tl_err_set(err, TL_EINVAL,
                          "execution row %zu: id '%s' is not "
                          "EYYYYMMDD-HHMMSS-mmm",
                          i, r->execution_id);
    TEXT(r, quote_id, 1);
    TEXT(r, lp, 1);
    TEXT(r, pnl_asset, 0);
    TEXT(r, error, 0);
    REQUIRE(tl_exec_status_name(r->status) != NULL, "status", "unknown");
    REQUIRE(r->hedge_side == TL_SIDE_BUY || r->hedge_side == TL_SIDE_SELL, "hedge_side", "unknown");
    REQUIRE(r->status != TL_EXEC_FAILED || r->error[0] != '\0', "error",
            "empty on a failed execution");
    REQUIRE(r->hedge_base_qty >= 0 && r->hedge_quote_qty >= 0 && r->executed_qty >= 0 &&
                r->avg_price >= 0 && r->commission >= 0,
            "quantity", "negative");
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int tl_desk_rows_check(const tl_store_batch *b, tl_err *err)
{
    int rc;
    for (size_t i = 0; i < b->n_quotes; i++) {
        if ((rc = check_quote(&b->quotes[i], i, err)) < 0)
            return rc;
    }
    for (size_t i = 0; i < b->n_lp_quotes; i++) {
        if ((rc = check_lp_quote(&b->lp_quotes[i], i, err)) < 0)
            return rc;
    }
    for (size_t i = 0; i < b->n_executions; i++) {
        if ((rc = check_execution(&b->executions[i], i, err)) < 0)
            return rc;
    }
    if (b->n_executions < 2)
        return 0;
    /* A repeat within the batch, found here so every backend refuses it the same way (a
     * backend finds one already stored). A batch holds a handful of executions. */
    const char **ids = malloc(b->n_executions * sizeof *ids);
    if (ids == NULL)
        return tl_err_set(err, TL_ENOMEM, "out of memory checking execution ids");
    for (size_t i = 0; i < b->n_executions; i++)
        ids[i] = b->executions[i].execution_id;
    qsort(ids, b->n_executions, sizeof *ids, cmp_id);
    rc = 0;
    for (size_t i = 1; rc == 0 && i < b->n_executions; i++) {
        if (strcmp(ids[i - 1], ids[i]) == 0)
            rc = tl_err_set(err, TL_EDUPLICATE, "execution id '%s' twice in one batch", ids[i]);
    }
    free(ids);
    return rc;
}
