/*
 * mem_ctl.h (internal) -- the memory store's control inbox and status documents (mem_ctl.c).
 *
 * Kept apart from the journal's arrays in mem.c: these rows are not part of a batch, each call is
 * its own transaction, and nothing here is undone by a batch's rollback. mem: lives in one
 * process, so the inbox only serves tests and an engine talking to itself.
 */
#ifndef TL_STORE_MEM_CTL_H
#define TL_STORE_MEM_CTL_H

#include "tradeloop/store.h"

typedef struct tl__mem_status {
    char name[TL_STATUS_NAME_MAX];
    int64_t ts_ns;
    char *doc; /* owned, NUL-terminated */
} tl__mem_status;

typedef struct tl__mem_ctl {
    tl_control_row *rows; /* owned, ids 1.. at index id - 1 */
    size_t n_rows, cap_rows;
    tl__mem_status *status; /* owned, unsorted: a loop keeps a handful of names */
    size_t n_status, cap_status;
} tl__mem_ctl;

void tl__mem_ctl_free(tl__mem_ctl *c);
int tl__mem_control_put(tl__mem_ctl *c, const char *command, const char *arg, int64_t ts_ns,
                        uint64_t *id, tl_err *err);
int tl__mem_control_pending(const tl__mem_ctl *c, uint64_t after_id, tl_control_row *out,
                            size_t cap, size_t *n);
int tl__mem_control_done(tl__mem_ctl *c, uint64_t id, uint64_t seq, int64_t ts_ns, tl_err *err);
int tl__mem_control_get(const tl__mem_ctl *c, uint64_t id, tl_control_row *out, tl_err *err);
int tl__mem_status_put(tl__mem_ctl *c, const char *name, int64_t ts_ns, const char *doc, size_t len,
                       tl_err *err);
int tl__mem_status_get(const tl__mem_ctl *c, const char *name, char **doc, int64_t *ts_ns,
                       tl_err *err);

#endif /* TL_STORE_MEM_CTL_H */
