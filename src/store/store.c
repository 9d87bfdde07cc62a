/*
 * store.c -- the one caller through tl_store_ops tables.
 *
 * Backends are chosen by URL, first among the built-ins, then among the tables the caller adds.
 * Every call into a backend passes through a function here or in append.c (the batch), so the
 * checks that keep the journal gap-free live in one place: the batch is validated before
 * anything is written, sequence numbers follow the high-water mark, a failed write or commit is
 * always rolled back, and the mark advances only once the backend's commit has returned 0.
 * Fault injection sits on the same path, so a test's injected failure takes exactly the route a
 * real one would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/desk_rows.h"
#include "store/store.h"

/* Longest scheme we accept; real ones are short ("sqlite", "postgresql", "mem"). */
#define SCHEME_MAX 32
/* Longest slice of a URL quoted back in an error: a PostgreSQL URL may carry a password further
 * along, and the scheme and host are what a person needs to see. */
#define QUOTE_MAX 48

static const tl_store_ops *const builtin_stores[] = {
    &tl_store_sqlite_ops,
    &tl_store_pg_ops,
    &tl_store_mem_ops,
    NULL,
};

static const tl_store_options default_options = {.durability = TL_DURABILITY_FULL};

int tl_store_ops_check(const tl_store_ops *ops, tl_err *err)
{
    if (ops == NULL)
        return tl_err_set(err, TL_EINVAL, "store backend table is NULL");
    if (ops->version < TL_STORE_OPS_VERSION_V1 || ops->version > TL_STORE_OPS_VERSION)
        return tl_err_set(err, TL_EINVAL, "store backend '%s': ops version %d, expected %d to %d",
                          ops->scheme ? ops->scheme : "?", ops->version, TL_STORE_OPS_VERSION_V1,
                          TL_STORE_OPS_VERSION);
    if (ops->scheme == NULL || ops->scheme[0] == '\0')
        return tl_err_set(err, TL_EINVAL, "store backend has no scheme");
    if (strlen(ops->scheme) >= SCHEME_MAX)
        return tl_err_set(err, TL_EINVAL, "store backend scheme '%.*s...' is too long", SCHEME_MAX,
                          ops->scheme);
    if (ops->state_size == 0)
        return tl_err_set(err, TL_EINVAL, "store backend '%s': state_size is 0", ops->scheme);
    /* Each mandatory slot is named, so a backend author sees at once which one is missing. */
    const char *missing = ops->open == NULL            ? "open"
                          : ops->close == NULL         ? "close"
                          : ops->begin == NULL         ? "begin"
                          : ops->write == NULL         ? "write"
                          : ops->commit == NULL        ? "commit"
                          : ops->rollback == NULL      ? "rollback"
                          : ops->high_water == NULL    ? "high_water"
                          : ops->scan == NULL          ? "scan"
                          : ops->find_idem == NULL     ? "find_idem"
                          : ops->get_positions == NULL ? "get_positions"
                          : ops->get_accounts == NULL  ? "get_accounts"
                                                       : NULL;
    if (missing != NULL)
        return tl_err_set(err, TL_EINVAL, "store backend '%s': mandatory slot '%s' is NULL",
                          ops->scheme, missing);
    return 0;
}

static const tl_store_ops *find_in(const tl_store_ops *const *list, const char *scheme)
{
    for (; list != NULL && *list != NULL; list++) {
        if ((*list)->scheme != NULL && strcmp((*list)->scheme, scheme) == 0)
            return *list;
    }
    return NULL;
}

/* Both opens: read_only goes through the backend's open_read (opt unused), else open. */
static int open_store(tl_store *s, const char *url, const tl_store_options *opt, int read_only,
                      const tl_store_ops *const *extra, tl_err *err)
{
    if (s == NULL || url == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_open: NULL store or URL");
    tl_store_url u;
    int rc = tl_store_url_parse(url, &u, err);
    if (rc < 0)
        return rc;
    const char *scheme = u.scheme;
    /* Added tables are checked as a whole, like a registration: a broken one is refused even
     * when this URL does not pick it, so the mistake shows up at once. */
    for (const tl_store_ops *const *e = extra; e != NULL && *e != NULL; e++) {
        rc = tl_store_ops_check(*e, err);
        if (rc < 0)
            return rc;
    }
    /* Built-ins first, so an added table can never shadow "sqlite" by accident. */
    const tl_store_ops *ops = find_in(builtin_stores, scheme);
    if (ops == NULL)
        ops = find_in(extra, scheme);
    if (ops == NULL)
        return tl_err_set(err, TL_ENOTSUP, "unknown store scheme '%s' in URL '%.*s'", scheme,
                          QUOTE_MAX, url);
    rc = tl_store_ops_check(ops, err);
    if (rc < 0)
        return rc;
    if (read_only && ops->open_read == NULL)
        return tl_err_set(err, TL_ENOTSUP, "store '%s' cannot be opened read-only", ops->scheme);
    void *state = calloc(1, ops->state_size);
    if (state == NULL)
        return tl_err_set(err, TL_ENOMEM, "store '%s': cannot allocate %zu bytes of state",
                          ops->scheme, ops->state_size);
    /* A built-in gets the URL as url.c read it: SQLite its path or URI, PostgreSQL and mem their
     * URL with the scheme in lower case. An added backend gets the URL as given. */
    char norm[TL_STORE_URL_MAX];
    const char *arg = url;
    if (find_in(builtin_stores, scheme) == ops) {
        int len = strcmp(scheme, "sqlite") == 0 ? snprintf(norm, sizeof norm, "%s", u.target)
                  : strcmp(scheme, "mem") == 0
                      ? snprintf(norm, sizeof norm, "mem:%s", u.target)
                      : snprintf(norm, sizeof norm, "postgresql%s", strchr(url, ':'));
        if (len < 0 || (size_t)len >= sizeof norm) {
            free(state);
            return tl_err_set(err, TL_EINVAL, "store URL '%.*s…': longer than %d characters",
                              QUOTE_MAX, url, TL_STORE_URL_MAX - 1);
        }
        arg = norm;
    }
    rc = read_only ? ops->open_read(state, arg, err)
                   : ops->open(state, arg, opt != NULL ? opt : &default_options, err);
    if (rc < 0) {
        free(state); /* the backend released what it took before failing */
        return rc;
    }
    uint64_t hw = 0;
    rc = ops->high_water(state, &hw, err);
    if (rc < 0) {
        ops->close(state);
        free(state);
        return rc;
    }
    memset(s, 0, sizeof *s);
    if ((rc = tl__store_marks_init(&s->marks, hw)) < 0) {
        ops->close(state);
        free(state);
        return tl_err_set(err, TL_ENOMEM, "store '%s': out of memory", ops->scheme);
    }
    s->ops = ops;
    s->state = state;
    s->high_water = hw;
    s->read_only = read_only;
    return 0;
}

int tl_store_open(tl_store *s, const char *url, const tl_store_options *opt,
                  const tl_store_ops *const *extra, tl_err *err)
{
    return open_store(s, url, opt, 0, extra, err);
}

int tl_store_open_read(tl_store *s, const char *url, const tl_store_ops *const *extra, tl_err *err)
{
    return open_store(s, url, NULL, 1, extra, err);
}

void tl_store_close(tl_store *s)
{
    if (s == NULL || s->ops == NULL)
        return;
    s->ops->close(s->state);
    free(s->state);
    tl__store_marks_close(&s->marks);
    memset(s, 0, sizeof *s);
}

int tl__store_check_open(const tl_store *s, const char *what, tl_err *err)
{
    if (s == NULL)
        return tl_err_set(err, TL_EINVAL, "%s: NULL store", what);
    if (s->ops == NULL)
        return tl_err_set(err, TL_ECLOSED, "%s: store is closed", what);
    return 0;
}

int tl_store_scan(tl_store *s, const tl_scan_filter *filter, tl_event_fn fn, void *ctx, tl_err *err)
{
    int rc = tl__store_check_open(s, "tl_store_scan", err);
    if (rc < 0)
        return rc;
    if (fn == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_scan: NULL callback");
    tl_scan_filter f = {0};
    if (filter != NULL)
        f = *filter;
    if (f.type < 0 || f.type > TL_EV__MAX)
        return tl_err_set(err, TL_EINVAL, "tl_store_scan: unknown event type %d", f.type);
    if (f.workspace != NULL && f.workspace[0] == '\0')
        f.workspace = NULL; /* one spelling of "any" for the backends */
    if (f.workspace != NULL) {
        tl_err werr;
        if (tl_workspace_validate(f.workspace, &werr) < 0)
            return tl_err_set(err, TL_EINVAL, "tl_store_scan: %s", werr.msg);
    }
    return s->ops->scan(s->state, &f, fn, ctx, err);
}

int tl_store_find_idem(tl_store *s, const char *idem_key, tl_event *out, tl_err *err)
{
    int rc = tl__store_check_open(s, "tl_store_find_idem", err);
    if (rc < 0)
        return rc;
    if (idem_key == NULL || out == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_find_idem: NULL key or output");
    /* "" means "no key" in an event, so it can never be looked up. */
    if (idem_key[0] == '\0')
        return tl_err_set(err, TL_EINVAL, "tl_store_find_idem: empty idempotency key");
    if (strnlen(idem_key, TL_IDEM_KEY_MAX) >= TL_IDEM_KEY_MAX)
        return tl_err_set(err, TL_EINVAL, "tl_store_find_idem: key longer than %d characters",
                          TL_IDEM_KEY_MAX - 1);
    return s->ops->find_idem(s->state, idem_key, out, err);
}

/* Shared checks of the snapshot getters; *ws gets the workspace as the backends expect it. */
static int check_get(const char *what, const char **ws, const void *out, size_t cap,
                     const size_t *n, tl_err *err)
{
    if (n == NULL || (cap > 0 && out == NULL))
        return tl_err_set(err, TL_EINVAL, "%s: NULL output with a non-zero capacity", what);
    if (*ws == NULL)
        *ws = "";
    if ((*ws)[0] != '\0') {
        tl_err werr;
        if (tl_workspace_validate(*ws, &werr) < 0)
            return tl_err_set(err, TL_EINVAL, "%s: %s", what, werr.msg);
    }
    return 0;
}

int tl_store_get_positions(tl_store *s, const char *workspace, tl_position_row *out, size_t cap,
                           size_t *n, tl_err *err)
{
    int rc = tl__store_check_open(s, "tl_store_get_positions", err);
    if (rc == 0)
        rc = check_get("tl_store_get_positions", &workspace, out, cap, n, err);
    if (rc < 0)
        return rc;
    return s->ops->get_positions(s->state, workspace, out, cap, n, err);
}

int tl_store_get_accounts(tl_store *s, const char *workspace, tl_account_row *out, size_t cap,
                          size_t *n, tl_err *err)
{
    int rc = tl__store_check_open(s, "tl_store_get_accounts", err);
    if (rc == 0)
        rc = check_get("tl_store_get_accounts", &workspace, out, cap, n, err);
    if (rc < 0)
        return rc;
    return s->ops->get_accounts(s->state, workspace, out, cap, n, err);
}

/* Without the backend's slot: the first and last event of a workspace scan. */
typedef struct range_ctx {
    tl_workspace_info info;
    int found;
} range_ctx;

static int on_range(void *ctx, const tl_event *ev)
{
    range_ctx *r = ctx;
    if (!r->found)
        r->info.first_seq = ev->seq;
    r->info.last_seq = ev->seq;
    r->found = 1;
    return 0;
}

int tl_store_workspace_info(tl_store *s, const char *ws, tl_workspace_info *out, tl_err *err)
{
    int rc = tl__store_check_open(s, "tl_store_workspace_info", err);
    if (rc < 0)
        return rc;
    if (ws == NULL || out == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_workspace_info: NULL workspace or output");
    tl_err werr;
    if (tl_workspace_validate(ws, &werr) < 0)
        return tl_err_set(err, TL_EINVAL, "tl_store_workspace_info: %s", werr.msg);
    if (s->ops->workspace_info != NULL)
        return s->ops->workspace_info(s->state, ws, out, err);
    range_ctx r = {{0, 0}, 0};
    tl_scan_filter f = {.workspace = ws};
    if ((rc = s->ops->scan(s->state, &f, on_range, &r, err)) != 0)
        return rc;
    if (!r.found)
        return tl_err_set(err, TL_ENOTFOUND, "workspace '%s' has no events", ws);
    *out = r.info;
    return 0;
}

/* ---- the control inbox and the status documents ------------------------------------------- */

/* The version 2 slots. A version 1 table's struct ends before them: they are never read. */
enum {
    SLOT_CONTROL_PUT,
    SLOT_CONTROL_PENDING,
    SLOT_CONTROL_DONE,
    SLOT_CONTROL_GET,
    SLOT_STATUS_PUT,
    SLOT_STATUS_GET,
    SLOT_QUOTES_RECENT, /* version 3 */
    SLOT_EXECUTIONS_RECENT,
    SLOT_EXECUTIONS_SCAN,
    SLOT_LP_QUOTES_SCAN,
    SLOT_ORDERS_RECENT, /* version 5 */
    SLOT_ORDER_COUNTS
};

static int has_slot(const tl_store_ops *o, int slot)
{
    int need = slot >= SLOT_ORDERS_RECENT   ? TL_STORE_OPS_VERSION_V5
               : slot >= SLOT_QUOTES_RECENT ? TL_STORE_OPS_VERSION_V3
                                            : TL_STORE_OPS_VERSION_V2;
    if (o->version < need)
        return 0;
    switch (slot) {
    case SLOT_CONTROL_PUT:
        return o->control_put != NULL;
    case SLOT_CONTROL_PENDING:
        return o->control_pending != NULL;
    case SLOT_CONTROL_DONE: /* it asks control_get to tell a taken row from a missing one */
        return o->control_done != NULL && o->control_get != NULL;
    case SLOT_CONTROL_GET:
        return o->control_get != NULL;
    case SLOT_STATUS_PUT:
        return o->status_put != NULL;
    case SLOT_STATUS_GET:
        return o->status_get != NULL;
    case SLOT_QUOTES_RECENT:
        return o->quotes_recent != NULL;
    case SLOT_EXECUTIONS_RECENT:
        return o->executions_recent != NULL;
    case SLOT_EXECUTIONS_SCAN:
        return o->executions_scan != NULL;
    case SLOT_LP_QUOTES_SCAN:
        return o->lp_quotes_scan != NULL;
    case SLOT_ORDERS_RECENT:
        return o->orders_recent != NULL;
    default:
        return o->order_counts != NULL;
    }
}

/* Common entry of these calls: open, the slot present, and for writes a writable store. */
static int check_slot(const tl_store *s, int slot, int writes, const char *what, tl_err *err)
{
    int rc = tl__store_check_open(s, what, err);
    if (rc < 0)
        return rc;
    if (!has_slot(s->ops, slot))
        return tl_err_set(err, TL_ENOTSUP, "%s: store '%s' has no %s", what, s->ops->scheme,
                          slot >= SLOT_ORDERS_RECENT   ? "reads of the orders table"
                          : slot >= SLOT_QUOTES_RECENT ? "desk tables"
                                                       : "control inbox or status");
    if (writes && s->read_only)
        return tl_err_set(err, TL_ESTATE, "%s: the store is open for reading only", what);
    return 0;
}

int tl_store_control_put(tl_store *s, const char *command, const char *arg, int64_t ts_ns,
                         uint64_t *id, tl_err *err)
{
    int rc = check_slot(s, SLOT_CONTROL_PUT, 1, "tl_store_control_put", err);
    if (rc < 0)
        return rc;
    if (id == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_control_put: NULL id");
    if ((rc = tl_control_validate(command, arg, err)) < 0)
        return rc;
    uint64_t got = 0;
    if ((rc = s->ops->control_put(s->state, command, arg, ts_ns, &got, err)) < 0)
        return rc;
    *id = got;
    return 0;
}

int tl_store_control_pending(tl_store *s, uint64_t after_id, tl_control_row *out, size_t cap,
                             size_t *n, tl_err *err)
{
    int rc = check_slot(s, SLOT_CONTROL_PENDING, 0, "tl_store_control_pending", err);
    if (rc < 0)
        return rc;
    if (n == NULL || (cap > 0 && out == NULL))
        return tl_err_set(err, TL_EINVAL,
                          "tl_store_control_pending: NULL output with a non-zero capacity");
    if (cap == 0) {
        *n = 0;
        return 0;
    }
    return s->ops->control_pending(s->state, after_id, out, cap, n, err);
}

int tl_store_control_get(tl_store *s, uint64_t id, tl_control_row *out, tl_err *err)
{
    int rc = check_slot(s, SLOT_CONTROL_GET, 0, "tl_store_control_get", err);
    if (rc < 0)
        return rc;
    if (out == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_control_get: NULL output");
    tl_control_row row;
    memset(&row, 0, sizeof row);
    if ((rc = s->ops->control_get(s->state, id, &row, err)) < 0)
        return rc;
    *out = row;
    return 0;
}

int tl_store_control_done(tl_store *s, uint64_t id, uint64_t seq, int64_t ts_ns, tl_err *err)
{
    int rc = check_slot(s, SLOT_CONTROL_DONE, 1, "tl_store_control_done", err);
    if (rc < 0)
        return rc;
    /* The row names the event that applied it, so that event must be in the journal first: a
     * crash between the two then leaves the row pending (applied again), never marked taken by
     * an event that was lost. */
    if (seq == 0 || seq > s->high_water)
        return tl_err_set(err, TL_EINVAL,
                          "tl_store_control_done: seq %llu is not in the journal (1..%llu)",
                          (unsigned long long)seq, (unsigned long long)s->high_water);
    tl_err derr = {0};
    rc = s->ops->control_done(s->state, id, seq, ts_ns, &derr);
    if (rc != TL_ENOTFOUND) {
        if (rc < 0 && err != NULL)
            *err = derr;
        return rc;
    }
    /* No untaken row: missing, taken by this same event (a retry), or taken by another. */
    tl_control_row row;
    if ((rc = s->ops->control_get(s->state, id, &row, err)) < 0)
        return rc;
    if (row.taken_seq == seq)
        return 0;
    return tl_err_set(err, TL_ESTATE, "control #%llu was already taken by journal seq %llu",
                      (unsigned long long)id, (unsigned long long)row.taken_seq);
}

int tl_store_status_put(tl_store *s, const char *name, int64_t ts_ns, const char *doc, tl_err *err)
{
    int rc = check_slot(s, SLOT_STATUS_PUT, 1, "tl_store_status_put", err);
    size_t len = 0;
    if (rc == 0)
        rc = tl_status_validate(name, doc, &len, err);
    if (rc < 0)
        return rc;
    return s->ops->status_put(s->state, name, ts_ns, doc, len, err);
}

int tl_store_status_get(tl_store *s, const char *name, char **doc, int64_t *ts_ns, tl_err *err)
{
    int rc = check_slot(s, SLOT_STATUS_GET, 0, "tl_store_status_get", err);
    if (rc < 0)
        return rc;
    if (doc == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_status_get: NULL output");
    if (name == NULL || strnlen(name, TL_STATUS_NAME_MAX) >= TL_STATUS_NAME_MAX || !name[0])
        return tl_err_set(err, TL_EINVAL, "tl_store_status_get: name must be 1-%d characters",
                          TL_STATUS_NAME_MAX - 1);
    char *got = NULL;
    int64_t ts = 0;
    if ((rc = s->ops->status_get(s->state, name, &got, &ts, err)) < 0)
        return rc;
    *doc = got;
    if (ts_ns != NULL)
        *ts_ns = ts;
    return 0;
}

/* ---- the RFQ desk's rows -------------------------------------------------------------------- */

int tl_store_quotes_recent(tl_store *s, tl_quote_row *out, size_t cap, size_t *n, tl_err *err)
{
    int rc = check_slot(s, SLOT_QUOTES_RECENT, 0, "tl_store_quotes_recent", err);
    if (rc < 0)
        return rc;
    if (n == NULL || (cap > 0 && out == NULL))
        return tl_err_set(err, TL_EINVAL, "tl_store_quotes_recent: NULL output");
    if (cap == 0) {
        *n = 0;
        return 0;
    }
    return s->ops->quotes_recent(s->state, out, cap, n, err);
}

int tl_store_executions_recent(tl_store *s, tl_execution_row *out, size_t cap, size_t *n,
                               tl_err *err)
{
    int rc = check_slot(s, SLOT_EXECUTIONS_RECENT, 0, "tl_store_executions_recent", err);
    if (rc < 0)
        return rc;
    if (n == NULL || (cap > 0 && out == NULL))
        return tl_err_set(err, TL_EINVAL, "tl_store_executions_recent: NULL output");
    if (cap == 0) {
        *n = 0;
        return 0;
    }
    return s->ops->executions_recent(s->state, out, cap, n, err);
}

int tl_store_executions_scan(tl_store *s, tl_execution_fn fn, void *ctx, tl_err *err)
{
    int rc = check_slot(s, SLOT_EXECUTIONS_SCAN, 0, "tl_store_executions_scan", err);
    if (rc < 0)
        return rc;
    if (fn == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_executions_scan: NULL callback");
    return s->ops->executions_scan(s->state, fn, ctx, err);
}

int tl_store_lp_quotes_scan(tl_store *s, tl_lp_quote_fn fn, void *ctx, tl_err *err)
{
    int rc = check_slot(s, SLOT_LP_QUOTES_SCAN, 0, "tl_store_lp_quotes_scan", err);
    if (rc < 0)
        return rc;
    if (fn == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_lp_quotes_scan: NULL callback");
    return s->ops->lp_quotes_scan(s->state, fn, ctx, err);
}

/* ---- the orders table read back ------------------------------------------------------------ */

/* The workspace as the backends take it: NULL for all, else checked. */
static int orders_workspace(const char *what, const char **ws, tl_err *err)
{
    if (*ws != NULL && (*ws)[0] == '\0')
        *ws = NULL;
    if (*ws == NULL)
        return 0;
    tl_err werr;
    if (tl_workspace_validate(*ws, &werr) < 0)
        return tl_err_set(err, TL_EINVAL, "%s: %s", what, werr.msg);
    return 0;
}

int tl_store_orders_recent(tl_store *s, const char *workspace, tl_order_row *out, size_t cap,
                           size_t *n, tl_err *err)
{
    int rc = check_slot(s, SLOT_ORDERS_RECENT, 0, "tl_store_orders_recent", err);
    if (rc == 0)
        rc = orders_workspace("tl_store_orders_recent", &workspace, err);
    if (rc < 0)
        return rc;
    if (n == NULL || (cap > 0 && out == NULL))
        return tl_err_set(err, TL_EINVAL, "tl_store_orders_recent: NULL output");
    if (cap == 0) {
        *n = 0;
        return 0;
    }
    return s->ops->orders_recent(s->state, workspace, out, cap, n, err);
}

int tl_store_order_counts(tl_store *s, const char *workspace, tl_order_counts *out, tl_err *err)
{
    int rc = check_slot(s, SLOT_ORDER_COUNTS, 0, "tl_store_order_counts", err);
    if (rc == 0)
        rc = orders_workspace("tl_store_order_counts", &workspace, err);
    if (rc < 0)
        return rc;
    if (out == NULL)
        return tl_err_set(err, TL_EINVAL, "tl_store_order_counts: NULL output");
    tl_order_counts c;
    memset(&c, 0, sizeof c);
    if ((rc = s->ops->order_counts(s->state, workspace, &c, err)) < 0)
        return rc;
    /* The one place that groups the statuses (store.h, tl_order_counts). */
    for (int st = 0; st < TL_OS__COUNT; st++) {
        uint64_t k = c.by_status[st];
        c.total += k;
        switch (st) {
        case TL_OS_FILLED:
            c.filled += k;
            break;
        case TL_OS_REJECTED:
        case TL_OS_DENIED:
            c.rejected += k;
            break;
        case TL_OS_CANCELED:
        case TL_OS_EXPIRED:
            c.canceled += k;
            break;
        default: /* PENDING_NEW, OPEN, PARTIALLY_FILLED, PENDING_CANCEL */
            c.working += k;
            break;
        }
    }
    *out = c;
    return 0;
}
