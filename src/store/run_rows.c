/*
 * run_rows.c -- the checks and names of the run plans' rows (see run_rows.h).
 *
 * A row that gets past these checks can be stored by every backend the same way and shown by
 * every reader: its texts fit their columns and are valid UTF-8 without control characters
 * (PostgreSQL refuses invalid UTF-8 while SQLite would keep it, and the admin pages print them),
 * its enums have names, its ids have the one shape the sweep gives them, and a figure that is
 * absent (NULL) carries no value that a backend would silently drop.
 */
#include <string.h>

#include "core/names.h"
#include "store/run_rows.h"

static const char *const kinds[] = {NULL, "baseline", "grid", "ablation"};
static const char *const statuses[] = {NULL, "done", "failed"};

const char *tl_run_kind_name(int kind)
{
    return tl_names_get(kinds, TL_NAMES_COUNT(kinds), kind);
}

const char *tl_run_status_name(int status)
{
    return tl_names_get(statuses, TL_NAMES_COUNT(statuses), status);
}

int tl_run_kind_parse(const char *name)
{
    return tl_names_parse(kinds, TL_NAMES_COUNT(kinds), name);
}

int tl_run_status_parse(const char *name)
{
    return tl_names_parse(statuses, TL_NAMES_COUNT(statuses), name);
}

static int hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* n lower-case hex digits and nothing else in s[0..size). */
static int is_hex(const char *s, size_t size, size_t n)
{
    if (strnlen(s, size) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!hex_digit(s[i]))
            return 0;
    }
    return 1;
}

int tl_run_id_validate(const char *id, const char *field, tl_err *err)
{
    if (id == NULL || !is_hex(id, TL_RUN_ID_MAX, TL_RUN_ID_MAX - 1))
        return tl_err_set(err, TL_EINVAL, "%s '%.*s' is not 16 lower-case hex digits", field,
                          TL_RUN_ID_MAX, id != NULL ? id : "");
    return 0;
}

/* Bytes of the UTF-8 character at s[0..n), or 0 when none starts there (overlong forms,
 * surrogates and code points past U+10FFFF included: what PostgreSQL refuses). */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len = c < 0x80                 ? 1
                 : c >= 0xc2 && c <= 0xdf ? 2
                 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4
                                          : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    }
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
        (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return len;
}

/* NULL when s[0..n) is text a row may hold, else what is wrong with it. */
static const char *check_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (p[i] < 0x20)
            return "holds a control character";
        size_t len = utf8_char(p + i, n - i);
        if (len == 0)
            return "is not valid UTF-8";
        i += len;
    }
    return NULL;
}

/* A text field: NUL inside its array, non-empty when required, then check_utf8. */
static const char *check_text(const char *f, size_t size, int required)
{
    size_t n = strnlen(f, size);
    if (n == size)
        return "is not NUL-terminated";
    if (required && n == 0)
        return "is empty";
    return check_utf8(f, n);
}

#define TEXT(what, row, field, req)                                                                \
    do {                                                                                           \
        const char *why = check_text((row)->field, sizeof(row)->field, (req));                     \
        if (why != NULL)                                                                           \
            return tl_err_set(err, TL_EINVAL, "%s: %s %s", what, #field, why);                     \
    } while (0)

#define REQUIRE(what, cond, field, why)                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return tl_err_set(err, TL_EINVAL, "%s: %s %s", what, field, why);                      \
    } while (0)

/* A run id field: terminated, then the shape. */
static int check_id(const char *what, const char *id, const char *field, tl_err *err)
{
    if (strnlen(id, TL_RUN_ID_MAX) == TL_RUN_ID_MAX)
        return tl_err_set(err, TL_EINVAL, "%s: %s is not NUL-terminated", what, field);
    tl_err ierr;
    if (tl_run_id_validate(id, field, &ierr) < 0)
        return tl_err_set(err, TL_EINVAL, "%s: %s", what, ierr.msg);
    return 0;
}

int tl_run_plan_check(const tl_run_plan_row *r, tl_err *err)
{
    static const char what[] = "run plan";
    int rc = check_id(what, r->run_plan_id, "run_plan_id", err);
    if (rc < 0)
        return rc;
    TEXT(what, r, strategy, 1);
    TEXT(what, r, symbol, 1);
    TEXT(what, r, data_name, 1);
    REQUIRE(what, r->spec != NULL, "spec", "is NULL");
    size_t n = strnlen(r->spec, (size_t)TL_RUN_SPEC_MAX + 1);
    REQUIRE(what, n > 0, "spec", "is empty");
    REQUIRE(what, n <= TL_RUN_SPEC_MAX, "spec", "is longer than 64 MiB");
    const char *why = check_utf8(r->spec, n);
    if (why != NULL)
        return tl_err_set(err, TL_EINVAL, "%s: spec %s", what, why);
    REQUIRE(what, r->created_ns >= 0, "created_ns", "is negative");
    REQUIRE(what, r->bars >= 0, "bars", "is negative");
    REQUIRE(what, r->variants >= 1, "variants", "is below 1");
    return 0;
}

/* The canonical lower-case text of a UUID: 8-4-4-4-12 hex digits. */
static int is_uuid(const char *s)
{
    if (strnlen(s, TL_RUN_UUID_MAX) != TL_RUN_UUID_MAX - 1)
        return 0;
    for (int i = 0; i < TL_RUN_UUID_MAX - 1; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !hex_digit(s[i]))
            return 0;
    }
    return 1;
}

int tl_run_variant_check(const tl_run_variant_row *r, tl_err *err)
{
    static const char what[] = "run variant";
    int rc = check_id(what, r->run_plan_id, "run_plan_id", err);
    if (rc == 0)
        rc = check_id(what, r->variant_id, "variant_id", err);
    if (rc < 0)
        return rc;
    REQUIRE(what, r->ord >= 0, "ord", "is negative");
    REQUIRE(what, tl_run_kind_name(r->kind) != NULL, "kind", "is not baseline, grid or ablation");
    REQUIRE(what, strnlen(r->workspace, sizeof r->workspace) < sizeof r->workspace, "workspace",
            "is not NUL-terminated");
    REQUIRE(what, is_uuid(r->workspace), "workspace", "is not a lower-case UUID");
    TEXT(what, r, overrides, 1);
    size_t n = strlen(r->overrides);
    REQUIRE(what, r->overrides[0] == '{' && r->overrides[n - 1] == '}', "overrides",
            "is not a JSON object");
    REQUIRE(what, tl_run_status_name(r->status) != NULL, "status", "is not done or failed");
    TEXT(what, r, error, 0);
    REQUIRE(what, r->status != TL_RUN_FAILED || r->error[0] != '\0', "error",
            "is empty on a failed variant");
    REQUIRE(what, r->status != TL_RUN_DONE || r->error[0] == '\0', "error",
            "is set on a variant that is done");
    REQUIRE(what, r->trade_count >= 0, "trade_count", "is negative");
    REQUIRE(what, r->has_sharpe <= 1, "has_sharpe", "is not 0 or 1");
    REQUIRE(what, r->has_win_rate <= 1, "has_win_rate", "is not 0 or 1");
    REQUIRE(what, r->has_profit_factor <= 1, "has_profit_factor", "is not 0 or 1");
    REQUIRE(what, r->has_sharpe || r->sharpe == 0, "sharpe", "is set without has_sharpe");
    REQUIRE(what, r->has_win_rate || r->win_rate == 0, "win_rate", "is set without has_win_rate");
    REQUIRE(what, r->has_profit_factor || r->profit_factor == 0, "profit_factor",
            "is set without has_profit_factor");
    REQUIRE(what, strnlen(r->state_digest, sizeof r->state_digest) < sizeof r->state_digest,
            "state_digest", "is not NUL-terminated");
    int digest = is_hex(r->state_digest, sizeof r->state_digest, TL_RUN_DIGEST_MAX - 1);
    REQUIRE(what, digest || (r->status == TL_RUN_FAILED && r->state_digest[0] == '\0'),
            "state_digest", "is not 64 lower-case hex digits");
    REQUIRE(what, r->finished_ns >= 0, "finished_ns", "is negative");
    return 0;
}
