/* lines.c -- see lines.h. */
#include "host/lines.h"

#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "tradeloop.h"

void tl_lines_init(tl_lines *l, size_t max_len)
{
    memset(l, 0, sizeof(*l));
    l->max_len = max_len ? max_len : TL_LINES_MAX_DEFAULT;
    l->no = 1;
}

void tl_lines_close(tl_lines *l)
{
    free(l->buf);
    l->buf = NULL;
    l->cap = l->start = l->end = l->scan = 0;
}

int tl_lines_prepare(tl_lines *l, size_t want, char **ptr, size_t *avail)
{
    if (want == 0)
        want = 1;
    /* Compact when something was consumed and the tail is short: the bytes kept are at most one
     * partial line (<= max_len + 1), so the move is bounded. */
    if (l->start > 0 && (l->start == l->end || l->cap - l->end < want + 1)) {
        size_t keep = l->end - l->start;
        memmove(l->buf, l->buf + l->start, keep);
        l->scan -= l->start;
        l->end = keep;
        l->start = 0;
    }
    if (want > SIZE_MAX - 1 - l->end)
        return TL_ENOMEM;
    if (TL_VEC_RESERVE(&l->buf, &l->cap, l->end + want + 1) != 0)
        return TL_ENOMEM;
    *ptr = l->buf + l->end;
    *avail = l->cap - l->end - 1; /* one byte kept for the final line's NUL */
    return 0;
}

void tl_lines_commit(tl_lines *l, size_t n)
{
    l->end += n;
    if (l->skipping) {
        /* Drop what belongs to the too-long line, keep what follows its newline. */
        char *nl = memchr(l->buf + l->start, '\n', l->end - l->start);
        if (nl == NULL) {
            l->start = l->scan = l->end;
            return;
        }
        l->start = l->scan = (size_t)(nl - l->buf) + 1;
        l->skipping = false;
        l->no++;
    }
}

void tl_lines_eof(tl_lines *l)
{
    l->eof = true;
}

/* Length of the line in [start, stop) once a trailing CR is stripped. */
static size_t content_len(const tl_lines *l, size_t stop)
{
    size_t n = stop - l->start;
    if (n > 0 && l->buf[stop - 1] == '\r')
        n--;
    return n;
}

/* Hands out the line at [first, first + len) (already consumed), or reports it too long. */
static int emit(tl_lines *l, size_t first, size_t len, tl_line *out)
{
    out->no = l->no++;
    if (len > l->max_len) {
        out->text = NULL;
        out->len = 0;
        return TL_LINES_TOO_LONG;
    }
    l->buf[first + len] = '\0'; /* the '\r' or '\n', or the byte prepare keeps past end */
    out->text = l->buf + first;
    out->len = len;
    return TL_LINES_LINE;
}

int tl_lines_next(tl_lines *l, tl_line *out)
{
    if (l->start < l->end) {
        char *nl = memchr(l->buf + l->scan, '\n', l->end - l->scan);
        if (nl != NULL) {
            size_t stop = (size_t)(nl - l->buf), first = l->start;
            size_t len = content_len(l, stop);
            l->start = l->scan = stop + 1;
            return emit(l, first, len, out);
        }
        l->scan = l->end;
        if (!l->eof && content_len(l, l->end) > l->max_len) {
            /* No newline yet and already too long: report now and drop the bytes as they come,
             * rather than buffer a line of unbounded length. Its number stays current until its
             * newline is dropped. */
            l->start = l->scan = l->end;
            l->skipping = true;
            out->text = NULL;
            out->len = 0;
            out->no = l->no;
            return TL_LINES_TOO_LONG;
        }
    }
    if (!l->eof)
        return TL_LINES_NEED;
    if (l->skipping || l->start == l->end) {
        l->skipping = false;
        l->start = l->scan = l->end;
        return TL_LINES_END;
    }
    /* The last line, without a newline. */
    size_t first = l->start, len = content_len(l, l->end);
    l->start = l->scan = l->end;
    return emit(l, first, len, out);
}
