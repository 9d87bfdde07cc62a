/*
 * script.c -- one line of the desk's input into a tagged tl_rfq_line (script.h).
 */
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "loop/duration.h"
#include "rfq/script.h"

static const struct command {
    const char *shrt, *name;
    tl_rfq_line_kind kind;
} commands[] = {
    {"p", "proceed", TL_RFQ_LINE_PROCEED},
    {"c", "cancel", TL_RFQ_LINE_CANCEL},
    {"q", "quit", TL_RFQ_LINE_QUIT},
    {"wait", "wait", TL_RFQ_LINE_WAIT},
};

const char *tl_rfq_line_kind_name(tl_rfq_line_kind kind)
{
    static const char *const names[] = {"none", "request", "proceed", "cancel", "quit", "wait"};
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

static bool is_word(const tl__rfq_token *tok, const char *word)
{
    return tok->len == strlen(word) && strncasecmp(tok->s, word, tok->len) == 0;
}

static int wait_line(const tl__rfq_token *tok, int n, bool script, tl_rfq_line *l, tl_err *err)
{
    char show[TL__RFQ_TOKEN_SHOW];
    if (!script)
        return tl_err_set(err, TL_EINVAL, "%s: only in scripts",
                          tl__rfq_token_show(&tok[0], 1, show));
    if (n < 2)
        return tl_err_set(err, TL_EINVAL, "token 2 missing (wait DURATION, e.g. wait 2s)");
    if (n > 2)
        return tl_err_set(err, TL_EINVAL, "%s: unexpected (wait DURATION, e.g. wait 2s)",
                          tl__rfq_token_show(&tok[2], 3, show));
    tl_err why;
    int rc = tl_duration_parse(tok[1].s, tok[1].len, &l->u.wait_ns, &why);
    if (rc != 0)
        return tl_err_set(err, rc, "token 2: %s", why.msg); /* why quotes it, printable */
    return 0;
}

int tl_rfq_line_parse(const char *line, size_t len, bool script, tl_rfq_line *out, tl_err *err)
{
    char show[TL__RFQ_TOKEN_SHOW];
    tl__rfq_token tok[TL__RFQ_TOKENS_MAX];
    int n = line == NULL ? 0 : tl__rfq_split(line, len, tok);
    tl_rfq_line l;
    memset(&l, 0, sizeof l);
    if (n == 0) {
        *out = l; /* TL_RFQ_LINE_NONE */
        return 0;
    }
    const struct command *cmd = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0] && cmd == NULL; i++)
        if (is_word(&tok[0], commands[i].shrt) || is_word(&tok[0], commands[i].name))
            cmd = &commands[i];
    int rc = 0;
    tl_side side;
    if (cmd != NULL && cmd->kind == TL_RFQ_LINE_WAIT) {
        rc = wait_line(tok, n, script, &l, err);
    } else if (cmd != NULL) {
        if (n > 1)
            return tl_err_set(err, TL_EINVAL, "%s: %s takes nothing after it",
                              tl__rfq_token_show(&tok[1], 2, show), cmd->name);
    } else if (tl__rfq_side(&tok[0], &side)) {
        rc = tl__rfq_request_tokens(tok, n, &l.u.request, err);
    } else {
        return tl_err_set(err, TL_EINVAL,
                          "%s: not a command or a side (p, c, q%s; b, s: b 1.5 btc btcusdt)",
                          tl__rfq_token_show(&tok[0], 1, show), script ? ", wait" : "");
    }
    if (rc != 0)
        return rc;
    l.kind = cmd != NULL ? cmd->kind : TL_RFQ_LINE_REQUEST;
    *out = l;
    return 0;
}
