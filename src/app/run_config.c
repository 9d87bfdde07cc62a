/* run_config.c -- the run's rule flags into virtual accounts (see run_config.h). */
#include "app/run_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "core/window.h"
#include "loop/duration.h"

void run_rules_default(run_rules *r)
{
    memset(r, 0, sizeof(*r));
    r->max_open_positions = 3;
    r->cooldown_losses = 3;
    r->cooldown = "5m";
    r->max_spread_bps = TL_FIXED_INT(50);
    r->max_quote_age_ms = 500;
    r->max_slippage_bps = TL_FIXED_INT(20);
    r->trading_window = TL_WINDOW_DEFAULT;
    r->timezone = "UTC";
    r->stop_loss_pct = TL_FIXED_INT(2);
}

void run_zones_close(run_zones *z)
{
    for (size_t i = 0; i < z->n; i++)
        tl_tz_close(&z->zones[i]);
    free(z->zones);
    free(z->names);
    memset(z, 0, sizeof(*z));
}

/* The zone of that name, loaded the first time it is asked for. Pointers stay valid: the array
 * is sized once for every account before the first load (see run_build_accounts). */
static const tl_tz *zone(run_zones *z, const char *name, tl_err *err)
{
    for (size_t i = 0; i < z->n; i++)
        if (strcmp(z->names[i], name) == 0)
            return &z->zones[i];
    if (z->n == z->cap) {
        tl_err_set(err, TL_ENOMEM, "too many time zones");
        return NULL;
    }
    if (strlen(name) >= sizeof(z->names[0])) {
        tl_err_set(err, TL_EINVAL, "'%.40s...' is too long for a time zone name", name);
        return NULL;
    }
    if (tl_tz_load(&z->zones[z->n], name, err) != 0)
        return NULL;
    snprintf(z->names[z->n], sizeof(z->names[0]), "%s", name);
    return &z->zones[z->n++];
}

/* A flag of the rule table by its snake_case name, or NULL. */
static cli_flag *rule_flag(cli_command *cmd, const run_rules *base, const char *snake)
{
    char kebab[TL_ACCOUNT_KEY_MAX];
    size_t i;
    for (i = 0; snake[i] && i + 1 < sizeof(kebab); i++)
        kebab[i] = snake[i] == '_' ? '-' : snake[i];
    kebab[i] = '\0';
    for (cli_flag *f = cmd->flags; f->name; f++) {
        const char *d = f->dest;
        if (strcmp(f->name, kebab) == 0 && d >= (const char *)base && d < (const char *)(base + 1))
            return f;
    }
    return NULL;
}

/* Rule values into an account's risk configuration and stop. `from` names their source. */
static int to_va(cli_command *cmd, const run_rules *r, const char *from, run_zones *zones,
                 tl_loop_va *va)
{
    tl_err err = {0};
    tl_risk_config *c = &va->risk;
    memset(c, 0, sizeof(*c));
    c->one_symbol = true;
    c->cooldown_losses = (uint32_t)r->cooldown_losses;
    if (tl_duration_parse(r->cooldown, (size_t)-1, &c->cooldown_ns, &err) != 0)
        return cli_usage_error(cmd, "%s: cooldown: %s", from, err.msg);
    c->max_drawdown_pct = r->max_drawdown_pct;
    c->max_spread_bps = r->max_spread_bps;
    c->max_quote_age_ns = (int64_t)r->max_quote_age_ms * TL_NS_PER_MS;
    c->max_slippage_bps = r->max_slippage_bps;
    if (strcmp(r->trading_window, "off") != 0) {
        if (tl_window_parse(r->trading_window, (size_t)-1, &c->window, &err) != 0)
            return cli_usage_error(cmd, "%s: trading window: %s", from, err.msg);
        c->window_on = true;
        if (!(c->tz = zone(zones, r->timezone, &err)))
            return cli_usage_error(cmd, "%s: timezone: %s", from, err.msg);
    }
    va->stop_loss_pct = r->stop_loss_pct;
    return CLI_OK;
}

static int apply_overrides(cli_command *cmd, const run_rules *base, const char *path,
                           const tl_accounts_file *f, const tl_account_spec *a, run_rules *out)
{
    char from[256];
    *out = *base;
    for (uint32_t k = 0; k < a->n_overrides; k++) {
        const tl_account_override *o = &f->overrides[a->first_override + k];
        snprintf(from, sizeof(from), "%s: account %s: %s", path, a->name, o->key);
        cli_flag *fl = rule_flag(cmd, base, o->key);
        if (!fl)
            return cli_usage_error(cmd, "%s: not a rule an account can override", from);
        if (strcmp(fl->name, "max-open-positions") == 0)
            return cli_usage_error(cmd, "%s: the cap on open positions is engine-wide", from);
        /* The same entry, parsing into the account's copy: one validation, one message. */
        cli_flag tmp = *fl;
        tmp.dest = (char *)out + ((const char *)fl->dest - (const char *)base);
        int rc = cli_set_value(cmd, &tmp, o->value, from);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

int run_build_accounts(cli_command *cmd, const run_rules *base, const char *accounts_path,
                       const char *name, tl_fixed balance, run_zones *zones, tl_loop_va **vas,
                       size_t *n)
{
    tl_accounts_file f;
    tl_err err = {0};
    int rc = CLI_OK;
    size_t count = 1;

    tl_accounts_file_init(&f);
    if (accounts_path) {
        if (tl_accounts_file_read(&f, accounts_path, &err) != 0) {
            tl_accounts_file_close(&f);
            return cli_usage_error(cmd, "--accounts: %s", err.msg);
        }
        count = f.count;
    }
    tl_loop_va *v = calloc(count, sizeof(*v));
    /* Every account may name its own zone: room for all, so the pointers never move. */
    zones->zones = calloc(count, sizeof(*zones->zones));
    zones->names = calloc(count, sizeof(*zones->names));
    zones->cap = count;
    if (!v || !zones->zones || !zones->names) {
        rc = cli_fail(cmd, "out of memory");
        goto out;
    }
    if (!accounts_path) {
        snprintf(v[0].name, sizeof(v[0].name), "%s", name);
        v[0].starting_balance = balance;
        rc = to_va(cmd, base, "rules", zones, &v[0]);
    }
    for (uint32_t i = 0; accounts_path && rc == CLI_OK && i < f.count; i++) {
        const tl_account_spec *a = &f.accounts[i];
        run_rules r;
        char from[256];
        snprintf(from, sizeof(from), "%s: account %s", accounts_path, a->name);
        if ((rc = apply_overrides(cmd, base, accounts_path, &f, a, &r)) != CLI_OK)
            break;
        snprintf(v[i].name, sizeof(v[i].name), "%s", a->name);
        v[i].starting_balance = a->starting_balance;
        rc = to_va(cmd, &r, from, zones, &v[i]);
    }
out:
    tl_accounts_file_close(&f);
    if (rc != CLI_OK) {
        free(v);
        return rc;
    }
    *vas = v;
    *n = count;
    return CLI_OK;
}
