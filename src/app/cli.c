/* cli.c -- see cli.h. */
#include "app/cli.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/jsonw.h"
#include "store/store.h"
#include "tradeloop/instrument.h"

static void vmsg(const cli_command *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "tradeloop %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, fmt, ap);
    va_end(ap);
    return CLI_USAGE;
}

int cli_fail(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, fmt, ap);
    va_end(ap);
    return CLI_FAIL;
}

const char *cli_quote(const char *s, char *buf)
{
    size_t n = strnlen(s, CLI_QUOTE_MAX + 1);
    if (n <= CLI_QUOTE_MAX)
        return s;
    memcpy(buf, s, CLI_QUOTE_MAX);
    memcpy(buf + CLI_QUOTE_MAX, "\xe2\x80\xa6", 4); /* "…" and NUL */
    return buf;
}

static const cli_flag *find_flag(const cli_command *cmd, const char *name)
{
    for (const cli_flag *f = cmd->flags; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

const char *cli_source(const cli_command *cmd, const char *name, char *buf, size_t cap)
{
    const cli_flag *f = find_flag(cmd, name);
    if (f && f->source[0])
        snprintf(buf, cap, "%s", f->source);
    else
        snprintf(buf, cap, "--%s (default)", name);
    return buf;
}

int cli_value_error(const cli_command *cmd, const char *name, const char *fmt, ...)
{
    char from[160], msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cli_usage_error(cmd, "%s: %s", cli_source(cmd, name, from, sizeof from), msg);
}

bool cli_flag_seen(const cli_command *cmd, const char *name)
{
    for (const cli_flag *f = cmd->flags; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f->seen || f->source[0] != '\0'; /* the environment sets only the source */
    return false;
}

int cli_check_store_url(const cli_command *cmd, const char *name, const char *url)
{
    tl_store_url u;
    tl_err err = {0};
    if (tl_store_url_parse(url, &u, &err) != 0)
        return cli_value_error(cmd, name, "%s", err.msg);
    if (strcmp(u.scheme, "sqlite") && strcmp(u.scheme, "postgresql") && strcmp(u.scheme, "mem")) {
        char q[CLI_QUOTE_MAX + 4];
        return cli_value_error(cmd, name,
                               "unknown store scheme '%s' in '%s' (want a file path, sqlite:PATH, "
                               "postgresql://… or mem:)",
                               u.scheme, cli_quote(url, q));
    }
    return CLI_OK;
}

static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/* Validates and stores one value; `from` says where it came from for the message. */
int cli_set_value(cli_command *cmd, cli_flag *f, const char *v, const char *from)
{
    char q[CLI_QUOTE_MAX + 4], a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN];
    tl_err e = {0};
    uint64_t u;
    tl_fixed x;

    switch (f->kind) {
    case CLI_BOOL:
        *(bool *)f->dest = true;
        return CLI_OK;
    case CLI_STRING:
        if (!*v)
            return cli_usage_error(cmd, "%s: empty value", from);
        *(const char **)f->dest = v;
        return CLI_OK;
    case CLI_STRINGS: {
        cli_strings *l = f->dest;
        if (!*v)
            return cli_usage_error(cmd, "%s: empty value", from);
        if (l->n >= CLI_STRINGS_MAX)
            return cli_usage_error(cmd, "%s: at most %d of them", from, CLI_STRINGS_MAX);
        l->v[l->n++] = v;
        return CLI_OK;
    }
    case CLI_U64:
    case CLI_U64_POS: {
        uint64_t lo = f->kind == CLI_U64_POS ? 1 : 0;
        if (parse_u64(v, &u) != 0)
            return cli_usage_error(cmd, "%s: '%s' is not a whole number in %llu..%llu", from,
                                   cli_quote(v, q), (unsigned long long)lo,
                                   (unsigned long long)f->max);
        if (u < lo)
            return cli_usage_error(cmd, "%s: must be positive, got 0", from);
        if (u > f->max)
            return cli_usage_error(cmd, "%s: %s is above the maximum %llu", from, cli_quote(v, q),
                                   (unsigned long long)f->max);
        *(uint64_t *)f->dest = u;
        return CLI_OK;
    }
    case CLI_FIXED:
    case CLI_FIXED_POS:
    case CLI_RATE:
        if (tl_fixed_parse(v, (size_t)-1, &x, &e) != 0)
            return cli_usage_error(cmd, "%s: '%s': %s", from, cli_quote(v, q), e.msg);
        if (f->kind == CLI_RATE && (x < 0 || x > TL_FIXED_SCALE))
            return cli_usage_error(cmd, "%s: must be within [0, 1], got %s", from, cli_quote(v, q));
        if (f->kind == CLI_FIXED_POS && x <= 0)
            return cli_usage_error(cmd, "%s: must be positive, got %s", from, cli_quote(v, q));
        if (f->kind != CLI_RATE && x < f->fmin) {
            tl_fixed_format(f->fmin, a, sizeof a);
            return cli_usage_error(cmd, "%s: %s is below the minimum %s", from, cli_quote(v, q), a);
        }
        if (f->kind != CLI_RATE && x > f->fmax) {
            tl_fixed_format(f->fmax, b, sizeof b);
            return cli_usage_error(cmd, "%s: %s is above the maximum %s", from, cli_quote(v, q), b);
        }
        *(tl_fixed *)f->dest = x;
        return CLI_OK;
    }
    return cli_usage_error(cmd, "%s: unsupported flag kind", from);
}

/* A numeric flag must say its range: a count without a bound is how `--iterations 2^64-1` ran
 * for ever. Checked for every flag of the table, so a forgotten bound fails every call. */
static int check_bounds(const cli_command *cmd)
{
    for (const cli_flag *f = cmd->flags; f->name; f++) {
        bool bad = ((f->kind == CLI_U64 || f->kind == CLI_U64_POS) && f->max == 0) ||
                   (f->kind == CLI_FIXED_POS && (f->fmin <= 0 || f->fmax < f->fmin)) ||
                   (f->kind == CLI_FIXED && f->fmax < f->fmin);
        if (bad)
            return cli_usage_error(cmd, "--%s: internal error: the flag declares no range",
                                   f->name);
    }
    return CLI_OK;
}

/* One KEY=VALUE line of a .env file into the environment, unless the environment already has
 * KEY (the environment wins over the file). Returns CLI_OK or a usage error naming the line. */
static int dotenv_line(cli_command *cmd, const char *path, int lineno, char *line)
{
    char *p = line, *end = line + strlen(line);
    while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return CLI_OK;
    if (strncmp(p, "export ", 7) == 0)
        p += 7;
    char *eq = strchr(p, '=');
    if (!eq || eq == p)
        return cli_usage_error(cmd, "%s line %d: want KEY=VALUE", path, lineno);
    *eq = '\0';
    for (char *k = p; *k; k++)
        if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_' ||
              (k > p && *k >= '0' && *k <= '9')))
            return cli_usage_error(cmd, "%s line %d: '%s' is not a variable name", path, lineno, p);
    char *v = eq + 1;
    size_t n = strlen(v);
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        v[n - 1] = '\0';
        v++;
    } else if (n && (v[0] == '"' || v[0] == '\'')) {
        return cli_usage_error(cmd, "%s line %d: unterminated quote", path, lineno);
    }
    if (getenv(p) != NULL)
        return CLI_OK; /* the environment wins */
    if (setenv(p, v, 0) != 0)
        return cli_usage_error(cmd, "%s line %d: cannot set %s", path, lineno, p);
    /* Remembered, so that a bad value names this line rather than "the environment". */
    if (cmd->n_dotenv < CLI_DOTENV_MAX && strlen(p) < sizeof cmd->dotenv[0].key) {
        strcpy(cmd->dotenv[cmd->n_dotenv].key, p);
        cmd->dotenv[cmd->n_dotenv++].line = lineno;
    }
    return CLI_OK;
}

/* Loads TRADELOOP_ENV_FILE, or ./.env when that is unset, into the environment without
 * overriding it: flags > environment > .env > defaults. A missing ./.env is fine; a missing
 * TRADELOOP_ENV_FILE is an error, since someone asked for it. */
static int load_dotenv(cli_command *cmd)
{
    const char *path = getenv("TRADELOOP_ENV_FILE");
    int required = path != NULL;
    char q[CLI_QUOTE_MAX + 4];
    struct stat sb;
    if (!path)
        path = ".env";
    if (required && *path == '\0')
        return cli_usage_error(cmd, "TRADELOOP_ENV_FILE (environment): empty value");
    if (stat(path, &sb) != 0) {
        if (!required && errno == ENOENT)
            return CLI_OK;
        return cli_usage_error(cmd, "%s: cannot read %s: %s",
                               required ? "TRADELOOP_ENV_FILE (environment)" : ".env",
                               cli_quote(path, q), strerror(errno));
    }
    if (!S_ISREG(sb.st_mode))
        return cli_usage_error(cmd, "%s: %s is not a regular file",
                               required ? "TRADELOOP_ENV_FILE (environment)" : ".env",
                               cli_quote(path, q));
    snprintf(cmd->dotenv_path, sizeof cmd->dotenv_path, "%s",
             required ? cli_quote(path, q) : ".env");
    FILE *f = fopen(path, "r");
    if (!f)
        return cli_usage_error(cmd, "%s: cannot read %s: %s",
                               required ? "TRADELOOP_ENV_FILE (environment)" : ".env",
                               cli_quote(path, q), strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0, rc = CLI_OK;
    const char *shown = cmd->dotenv_path;
    while (rc == CLI_OK && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char *p = line;
        /* Read exactly: a UTF-8 byte-order mark is skipped, a NUL byte (which would cut the line
         * short unseen) is refused, and so is a line too long to be a setting. */
        if (lineno == 1 && got >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
            p += 3;
            got -= 3;
        }
        if ((ssize_t)strlen(p) != got)
            rc = cli_usage_error(cmd, "%s line %d: NUL byte at column %zu", shown, lineno,
                                 strlen(p) + 1);
        else if (got > 1024)
            rc = cli_usage_error(cmd, "%s line %d: longer than 1024 characters", shown, lineno);
        else
            rc = dotenv_line(cmd, shown, lineno, p);
    }
    free(line);
    fclose(f);
    return rc;
}

/* Where an environment variable's value came from: the .env line that set it, or the
 * environment itself. */
void cli_env_source(const cli_command *cmd, const char *key, char *buf, size_t cap)
{
    for (int i = 0; i < cmd->n_dotenv; i++)
        if (strcmp(cmd->dotenv[i].key, key) == 0) {
            snprintf(buf, cap, "%s line %d (%s)", cmd->dotenv_path, cmd->dotenv[i].line, key);
            return;
        }
    snprintf(buf, cap, "%s (environment)", key);
}

int cli_parse(cli_command *cmd, int argc, char **argv, int first)
{
    int brc = check_bounds(cmd);
    if (brc != CLI_OK)
        return brc;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_print_help(cmd, stdout);
            return CLI_HELP;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            return cli_usage_error(cmd, "unexpected argument '%s' (see --help)", arg);
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        cli_flag *f = cmd->flags;
        for (; f->name; f++)
            if (strlen(f->name) == nlen && strncmp(f->name, name, nlen) == 0)
                break;
        if (!f->name)
            return cli_usage_error(cmd, "unknown flag --%.*s (see --help)", (int)nlen, name);
        if (f->seen && f->kind != CLI_STRINGS)
            return cli_usage_error(cmd, "--%s given twice", f->name);
        f->seen = true;
        char *from = f->source;
        snprintf(f->source, sizeof f->source, "--%s", f->name);
        const char *value;
        if (f->kind == CLI_BOOL) {
            if (eq)
                return cli_usage_error(cmd, "--%s takes no value", f->name);
            value = "";
        } else if (eq) {
            value = eq + 1;
        } else {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "--%s: missing value", f->name);
            value = argv[++i];
        }
        int rc = cli_set_value(cmd, f, value, from);
        if (rc != CLI_OK)
            return rc;
    }
    int rc = load_dotenv(cmd);
    if (rc != CLI_OK)
        return rc;
    char q[CLI_QUOTE_MAX + 4];
    for (cli_flag *f = cmd->flags; f->name; f++) {
        const char *v;
        if (f->seen || !f->env || !(v = getenv(f->env)))
            continue;
        char *from = f->source;
        cli_env_source(cmd, f->env, f->source, sizeof f->source);
        if (f->kind == CLI_BOOL) {
            if (strcmp(v, "1") && strcmp(v, "true") && strcmp(v, "0") && strcmp(v, "false"))
                return cli_usage_error(cmd, "%s: want 1, 0, true or false, got '%s'", from,
                                       cli_quote(v, q));
            *(bool *)f->dest = v[0] == '1' || v[0] == 't';
            continue;
        }
        rc = cli_set_value(cmd, f, v, from);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

void cli_print_help(const cli_command *cmd, FILE *out)
{
    fprintf(out, "usage: tradeloop %s %s\n\n%s\n\nflags:\n", cmd->name, cmd->synopsis,
            cmd->description);
    for (const cli_flag *f = cmd->flags; f->name; f++) {
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", f->name, f->meta ? " " : "",
                 f->meta ? f->meta : "");
        fprintf(out, "  %-26s %s", left, f->help);
        char a[TL_FIXED_STRLEN], b[TL_FIXED_STRLEN];
        if (f->kind == CLI_U64 || f->kind == CLI_U64_POS)
            fprintf(out, " [%d..%llu]", f->kind == CLI_U64_POS, (unsigned long long)f->max);
        else if (f->kind == CLI_RATE)
            fprintf(out, " [0..1]");
        else if (f->kind == CLI_FIXED || f->kind == CLI_FIXED_POS) {
            tl_fixed_format(f->fmin, a, sizeof a);
            tl_fixed_format(f->fmax, b, sizeof b);
            fprintf(out, " [%s..%s]", a, b);
        }
        if (f->env)
            fprintf(out, " [env %s]", f->env);
        fputc('\n', out);
    }
    fprintf(out, "  %-26s %s\n", "--help", "show this help");
}

int cli_split_symbols(const char *list, char (*out)[16], int max, const char **why)
{
    int n = 0;
    const char *p = list;

    if (!*list) {
        *why = "empty list";
        return -1;
    }
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0) {
            *why = "empty item (two commas, or a comma at an end)";
            return -1;
        }
        if (len >= 16) {
            *why = "a symbol is longer than 15 characters";
            return -1;
        }
        if (n == max) {
            *why = "too many symbols";
            return -1;
        }
        memcpy(out[n], p, len);
        out[n][len] = '\0';
        if (tl_symbol_validate(out[n], NULL) != 0) {
            *why = "a symbol may hold only A-Z and 0-9";
            return -1;
        }
        for (int j = 0; j < n; j++)
            if (strcmp(out[j], out[n]) == 0) {
                *why = "a symbol is listed twice";
                return -1;
            }
        n++;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

void cli_progress(const char *label, uint64_t done, uint64_t total)
{
    if (!isatty(STDERR_FILENO) || total == 0)
        return;
    int pct = (int)(done * 100 / total);
    int bars = pct / 5;
    fprintf(stderr, "\r[%.*s%*s] %3d%% %s", bars, "####################", 20 - bars, "", pct,
            label);
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

int cli_print_json(const cli_command *cmd, tl_jw *w)
{
    int rc = tl_jw_finish(w);
    if (rc == 0)
        fwrite(w->buf, 1, w->len, stdout);
    tl_jw_free(w);
    if (rc != 0)
        return cli_fail(cmd, "output: %s", tl_strerror(rc));
    return fflush(stdout) == 0 ? CLI_OK : cli_fail(cmd, "writing the output failed");
}
