/*
 * cli.h -- command-line flags for the subcommands: one table per command, one parser.
 *
 * Every flag has a kind that says how its value is validated, an optional environment variable
 * that supplies it when the flag is absent, and a help line. Precedence: flags > environment >
 * .env file (./.env, or the file TRADELOOP_ENV_FILE names) > defaults. An invalid value from any
 * of them is refused at start, naming where it came from. The parser stops at the first problem and
 * returns CLI_USAGE with one line on stderr that names the flag and what is wrong; commands exit 2
 * on it before doing anything.
 */
#ifndef TL_APP_CLI_H
#define TL_APP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app/config.h" /* the settings read from the environment alone, after cli_parse */
#include "tradeloop/fixed.h"

#define CLI_OK    0
#define CLI_FAIL  1  /* runtime failure */
#define CLI_USAGE 2  /* bad usage or input */
#define CLI_HELP  -1 /* --help was printed: exit 0 */

typedef enum cli_kind {
    CLI_BOOL,      /* no value; bool* */
    CLI_STRING,    /* const char** (borrowed from argv/environ) */
    CLI_U64,       /* uint64_t*, decimal digits only */
    CLI_U64_POS,   /* uint64_t*, > 0 */
    CLI_FIXED,     /* tl_fixed*, exact decimal */
    CLI_FIXED_POS, /* tl_fixed*, > 0 */
    CLI_RATE,      /* tl_fixed*, within [0, 1] */
    CLI_STRINGS    /* cli_strings*: repeatable, each value kept in order (no environment) */
} cli_kind;

#define CLI_STRINGS_MAX 32

typedef struct cli_strings {
    const char *v[CLI_STRINGS_MAX]; /* borrowed from argv */
    int n;
} cli_strings;

/* Validates v as flag f's kind and range and stores it in f->dest; `from` names the source in
 * the message ("--db", "accounts.json: account va2: max_spread_bps"). CLI_OK or CLI_USAGE. */
struct cli_command;
struct cli_flag;
int cli_set_value(struct cli_command *cmd, struct cli_flag *f, const char *v, const char *from);

/* Whether the flag `name` was given (command line, environment or .env), after cli_parse. */
bool cli_flag_seen(const struct cli_command *cmd, const char *name);

/* Longest slice of a bad value quoted back in a message. */
#define CLI_QUOTE_MAX 80

typedef struct cli_flag {
    const char *name; /* without the leading "--" */
    cli_kind kind;
    void *dest;
    const char *env;  /* environment variable that supplies it, or NULL */
    const char *meta; /* value placeholder for help, e.g. "N" */
    const char *help;
    /* Every number has a bound, printed in --help and enforced: CLI_U64 and CLI_U64_POS take
     * 0 (1) .. max, CLI_FIXED and CLI_FIXED_POS take fmin (> 0) .. fmax, CLI_RATE [0, 1].
     * A numeric flag without one is refused by cli_parse as a programming error. */
    uint64_t max;
    tl_fixed fmin, fmax;
    bool seen;        /* set by the parser */
    char source[128]; /* where the value came from: "--db", "TRADELOOP_DB (environment)",
                         ".env line 3 (TRADELOOP_DB)"; "" for the default */
} cli_flag;

#define CLI_DOTENV_MAX 64

typedef struct cli_command {
    const char *name;     /* "shadow" */
    const char *synopsis; /* one line */
    const char *description;
    cli_flag *flags; /* terminated by an entry with name == NULL */
    /* Set by cli_parse: the variables the .env file supplied, and on which line. */
    char dotenv_path[96];
    struct {
        char key[64];
        int line;
    } dotenv[CLI_DOTENV_MAX];
    int n_dotenv;
} cli_command;

/* Parses argv[first..argc) against cmd's flags, then fills unseen flags from their environment
 * variables. Returns CLI_OK, CLI_HELP (help printed to stdout) or CLI_USAGE (message on stderr). */
int cli_parse(cli_command *cmd, int argc, char **argv, int first);
void cli_print_help(const cli_command *cmd, FILE *out);
/* "tradeloop CMD: " + message on stderr; returns CLI_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A usage error about the value of flag `name`, prefixed with where that value came from
 * ("--db: …", "TRADELOOP_DB (environment): …", ".env line 3 (TRADELOOP_DB): …"). */
int cli_value_error(const cli_command *cmd, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Where flag `name`'s value came from, "--NAME (default)" when from nowhere. */
const char *cli_source(const cli_command *cmd, const char *name, char *buf, size_t cap);
/* Where environment variable key's value came from: ".env line 3 (KEY)" or "KEY (environment)". */
void cli_env_source(const cli_command *cmd, const char *key, char *buf, size_t cap);
/* Reads a store URL (tl_store_url_parse) and refuses a bad one as a usage error naming where it
 * came from. */
int cli_check_store_url(const cli_command *cmd, const char *name, const char *url);
/* At most CLI_QUOTE_MAX characters of s, "…" when cut, into buf (CLI_QUOTE_MAX + 4 bytes). */
const char *cli_quote(const char *s, char *buf);

/* "tradeloop CMD: " + message on stderr; returns CLI_FAIL. */
int cli_fail(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Splits "BTCUSDT,ETHUSDT" into out[max][16]: every item a valid symbol, no empty items, no
 * duplicates. Returns the count or -1 with *why set to a static message. */
int cli_split_symbols(const char *list, char (*out)[16], int max, const char **why);

/* Finishes w (trailing newline), writes it to stdout, frees it. CLI_OK, or CLI_FAIL with a line on
 * stderr when the writer failed or stdout could not be written. */
struct tl_jw;
int cli_print_json(const cli_command *cmd, struct tl_jw *w);

/* Progress on stderr when it is a terminal: "\r[#####     ] 50% label". Silent otherwise. */
void cli_progress(const char *label, uint64_t done, uint64_t total);

#endif /* TL_APP_CLI_H */
