/* log.c -- structured log lines (see log.h). */
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tradeloop/clock.h"

static const struct {
    const char *name;
    tl_log_level level;
} level_names[] = {{"debug", TL_LOG_DEBUG}, {"info", TL_LOG_INFO},    {"warning", TL_LOG_WARNING},
                   {"warn", TL_LOG_WARNING}, {"error", TL_LOG_ERROR}, {"critical", TL_LOG_ERROR}};

int tl_log_level_parse(const char *s, tl_log_level *out, tl_err *err)
{
    for (size_t i = 0; s && i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (strcasecmp(s, level_names[i].name) == 0) {
            *out = level_names[i].level;
            return 0;
        }
    return tl_err_set(err, TL_EINVAL, "'%.40s' is not a log level (DEBUG, INFO, WARNING, ERROR)",
                      s ? s : "");
}

const char *tl_log_level_name(tl_log_level l)
{
    return l >= TL_LOG_ERROR ? "error" : l >= TL_LOG_WARNING ? "warning" : l >= TL_LOG_INFO ? "info"
                                                                                        : "debug";
}

void tl_log_init(tl_log *lg, int fd, tl_log_level level)
{
    memset(lg, 0, sizeof(*lg));
    lg->fd = fd;
    lg->level = level;
    tl_jw_init(&lg->w);
}

void tl_log_close(tl_log *lg)
{
    tl_jw_free(&lg->w);
    memset(lg, 0, sizeof(*lg));
}

bool tl_log_begin(tl_log *lg, tl_log_level l, int64_t ts_ns, const char *msg)
{
    if (!tl_log_on(lg, l))
        return false;
    lg->line_level = l;
    lg->line_ts_ns = ts_ns;
    snprintf(lg->line_msg, sizeof(lg->line_msg), "%s", msg);
    tl_jw_reset(&lg->w);
    tl_jw_obj_begin(&lg->w);
    tl_jw_key(&lg->w, "fields");
    tl_jw_obj_begin(&lg->w);
    lg->open_line = true;
    return true;
}

tl_jw *tl_log_fields(tl_log *lg)
{
    return &lg->w;
}

void tl_log_end(tl_log *lg)
{
    if (!lg->open_line)
        return;
    char ts[40];
    if (tl_time_format_iso(lg->line_ts_ns, ts, sizeof(ts)) < 0)
        snprintf(ts, sizeof(ts), "%lld", (long long)lg->line_ts_ns);
    tl_jw_obj_end(&lg->w);
    tl_jw_kv_str(&lg->w, "level", tl_log_level_name(lg->line_level));
    tl_jw_kv_str(&lg->w, "msg", lg->line_msg);
    tl_jw_kv_str(&lg->w, "ts", ts);
    tl_jw_obj_end(&lg->w);
    lg->open_line = false;
    /* finish appends the newline, so a line is one write(2), whole or not at all. */
    if (tl_jw_finish(&lg->w) != 0) {
        lg->dropped_write++;
        return;
    }
    const char *b = lg->w.buf;
    size_t n = lg->w.len;
    while (n > 0) {
        ssize_t k = write(lg->fd, b, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            lg->dropped_write++;
            return;
        }
        b += k;
        n -= (size_t)k;
    }
    lg->lines++;
}

void tl_log_msg(tl_log *lg, tl_log_level l, int64_t ts_ns, const char *msg)
{
    if (tl_log_begin(lg, l, ts_ns, msg))
        tl_log_end(lg);
}
