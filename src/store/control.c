/*
 * control.c -- what the control inbox and the status documents accept, decided in one place.
 *
 * Both tables are written by one process and read by another (`tradeloop kill` to a running
 * engine; the engine to `tradeloop top`), so a value is checked before it is stored, not where it
 * is read: the command against the one list below, the argument for length and for characters a
 * terminal or a log line would choke on, a status document for being JSON at all. The dispatcher
 * (store.c) calls these before any backend; `tradeloop kill` calls tl_control_validate to refuse
 * a bad --reason as bad usage before it opens anything.
 */
#include <string.h>

#include <jansson.h>

#include "store/store.h"

/* The commands an engine takes from its inbox. Adding one here is all the store needs; the
 * engine decides what it does. */
static const char *const control_commands[] = {"kill", "release", "unfreeze"};

int tl_control_validate(const char *command, const char *arg, tl_err *err)
{
    if (command == NULL || arg == NULL)
        return tl_err_set(err, TL_EINVAL, "control: NULL command or argument");
    int known = 0;
    for (size_t i = 0; i < sizeof control_commands / sizeof control_commands[0]; i++)
        known |= strcmp(command, control_commands[i]) == 0;
    if (!known)
        return tl_err_set(err, TL_EINVAL,
                          "control: unknown command '%.*s' (kill, release, unfreeze)",
                          TL_CONTROL_COMMAND_MAX, command);
    size_t n = strnlen(arg, TL_CONTROL_ARG_MAX);
    if (n >= TL_CONTROL_ARG_MAX)
        return tl_err_set(err, TL_EINVAL, "control: argument longer than %d bytes",
                          TL_CONTROL_ARG_MAX - 1);
    /* Printable ASCII: it is shown on terminals and in the journal's text, where a control
     * character or a stray byte of a cut UTF-8 sequence would garble the line. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)arg[i];
        if (c < 0x20 || c > 0x7e)
            return tl_err_set(err, TL_EINVAL,
                              "control: argument byte %zu (0x%02x) is not printable ASCII", i + 1,
                              c);
    }
    return 0;
}

int tl_status_validate(const char *name, const char *doc, size_t *len, tl_err *err)
{
    if (name == NULL || doc == NULL)
        return tl_err_set(err, TL_EINVAL, "status: NULL name or document");
    size_t n = strnlen(name, TL_STATUS_NAME_MAX);
    if (n == 0 || n >= TL_STATUS_NAME_MAX)
        return tl_err_set(err, TL_EINVAL, "status: name must be 1-%d characters",
                          TL_STATUS_NAME_MAX - 1);
    if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") != n)
        return tl_err_set(err, TL_EINVAL, "status: name '%s' is not [A-Za-z0-9._:-]", name);
    size_t d = strnlen(doc, (size_t)TL_STATUS_DOC_MAX + 1);
    if (d > TL_STATUS_DOC_MAX)
        return tl_err_set(err, TL_EINVAL, "status '%s': document longer than %d bytes", name,
                          TL_STATUS_DOC_MAX);
    /* Readers parse it as JSON; what they could not parse is refused here, where the writer
     * learns of it. A status is written about once a second: parsing it costs little. */
    json_error_t jerr;
    json_t *j = json_loadb(doc, d, JSON_DECODE_ANY, &jerr);
    if (j == NULL)
        return tl_err_set(err, TL_EINVAL, "status '%s': document is not JSON (%s at byte %d)", name,
                          jerr.text, jerr.position);
    json_decref(j);
    if (len != NULL)
        *len = d;
    return 0;
}
