/*
 * event.c -- event type names and workspace ids.
 *
 * Names come from TL_EVENT_TYPE_MAP, the same table that gives the stored values, so a name and
 * its value cannot drift apart. Workspace ids end up in SQL rows, file names, URLs and log
 * lines, so their alphabet is deliberately small: [A-Za-z0-9._:-]{1,47}.
 */
#include <string.h>

#include "tradeloop/event.h"

static const char *const type_names[TL_EV__MAX + 1] = {
#define TL__EV_NAME(name, value) [value] = #name,
    TL_EVENT_TYPE_MAP(TL__EV_NAME)
#undef TL__EV_NAME
};

const char *tl_event_type_name(int type)
{
    if (type < 1 || type > TL_EV__MAX || type_names[type] == NULL)
        return "?";
    return type_names[type];
}

int tl_event_type_parse(const char *name, tl_event_type *out)
{
    if (name == NULL)
        return TL_EINVAL;
    for (int t = 1; t <= TL_EV__MAX; t++) {
        if (type_names[t] != NULL && strcmp(type_names[t], name) == 0) {
            *out = (tl_event_type)t;
            return 0;
        }
    }
    return TL_EINVAL;
}

static int ws_char_ok(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
}

int tl_workspace_validate(const char *ws, tl_err *err)
{
    if (ws == NULL)
        return tl_err_set(err, TL_EINVAL, "workspace: missing");
    if (ws[0] == '\0')
        return tl_err_set(err, TL_EINVAL,
                          "workspace: empty (1 to %d characters of "
                          "[A-Za-z0-9._:-])",
                          TL_WORKSPACE_MAX - 1);
    size_t len = strnlen(ws, TL_WORKSPACE_MAX);
    if (len >= TL_WORKSPACE_MAX)
        return tl_err_set(err, TL_EINVAL, "workspace: longer than %d characters",
                          TL_WORKSPACE_MAX - 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)ws[i];
        if (ws_char_ok(c))
            continue;
        /* Printable characters are quoted; others by code, since the message is one line. */
        if (c > 0x20 && c < 0x7f)
            return tl_err_set(err, TL_EINVAL,
                              "workspace: invalid character '%c' at position %zu "
                              "(allowed: [A-Za-z0-9._:-])",
                              (char)c, i + 1);
        return tl_err_set(err, TL_EINVAL,
                          "workspace: invalid character 0x%02x at position %zu "
                          "(allowed: [A-Za-z0-9._:-])",
                          c, i + 1);
    }
    return 0;
}
