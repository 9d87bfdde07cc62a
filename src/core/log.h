/*
 * log.h -- structured logs: one JSON object per line, for a service's stderr (issue 10).
 *
 *   {"fields":{...},"level":"info","msg":"order filled","ts":"2026-12-04T23:30:54.123Z"}
 *
 * Keys sorted like every JSON document the engine writes. A line is written with one write(2), so
 * lines of concurrent writers never interleave. Fields are key/value pairs the caller adds between
 * tl_log_begin and tl_log_end; a logger below the line's level costs one comparison. The logger
 * is a value the caller owns (no global); secrets are never given to it: the callers' rule.
 */
#ifndef TL_CORE_LOG_H
#define TL_CORE_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/jsonw.h"
#include "tradeloop.h"

typedef enum tl_log_level {
    TL_LOG_DEBUG = 10,
    TL_LOG_INFO = 20,
    TL_LOG_WARNING = 30,
    TL_LOG_ERROR = 40
} tl_log_level;

typedef struct tl_log {
    int fd;             /* where lines go (2) */
    tl_log_level level; /* lines below it are dropped */
    tl_jw w;            /* owned scratch of the line being written */
    bool open_line;     /* between begin and end */
    /* The open line's level, time and message: written by tl_log_end after the fields, since
     * "fields" sorts before "level", "msg" and "ts". */
    tl_log_level line_level;
    int64_t line_ts_ns;
    char line_msg[256];
    uint64_t lines, dropped_write;
} tl_log;

/* "DEBUG", "INFO", "WARNING" (or "WARN"), "ERROR" (or "CRITICAL"), any case. TL_EINVAL naming
 * the value otherwise. */
int tl_log_level_parse(const char *s, tl_log_level *out, tl_err *err);
const char *tl_log_level_name(tl_log_level l); /* "info", ... */

void tl_log_init(tl_log *lg, int fd, tl_log_level level);
void tl_log_close(tl_log *lg);

/* Whether a line at this level is written. */
static inline bool tl_log_on(const tl_log *lg, tl_log_level l)
{
    return lg && l >= lg->level;
}

/* A line: begin (false when the level drops it: then add nothing and do not call end), fields,
 * end. ts_ns is the wall time the line is stamped with. */
bool tl_log_begin(tl_log *lg, tl_log_level l, int64_t ts_ns, const char *msg);
/* Fields, in sorted key order (the caller's duty, as with tl_jw). */
tl_jw *tl_log_fields(tl_log *lg);
void tl_log_end(tl_log *lg);

/* A line without fields. */
void tl_log_msg(tl_log *lg, tl_log_level l, int64_t ts_ns, const char *msg);

#endif /* TL_CORE_LOG_H */
