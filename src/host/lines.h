/*
 * lines.h -- line framing for files, pipes and FIFOs, shared by the host's two modes.
 *
 * Bytes go in (read(2) in replay, libuv's read callback in live mode) and complete lines come out,
 * one at a time, so the same framer serves a pull loop (replay asks for the next line when it needs
 * one) and a push loop (live mode drains every line a read brought). A line ends at '\n'; the
 * '\n' and one '\r' before it are stripped; the last line is delivered without a newline when the
 * input ends. A line longer than max_len is reported once, with its number, and the rest of it is
 * skipped as it arrives, so memory stays bounded by max_len plus one read whatever the input.
 *
 * The caller reads straight into the framer's buffer (tl_lines_prepare, then tl_lines_commit):
 * no copy between the read and the line handed out. A line's text is NUL-terminated in that
 * buffer and stays valid until the next tl_lines_prepare.
 *
 * Ownership: the framer owns its buffer; tl_lines_close frees it.
 */
#ifndef TL_HOST_LINES_H
#define TL_HOST_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TL_LINES_MAX_DEFAULT (64 * 1024) /* bytes of one line, CR/LF excluded */

/* What tl_lines_next found. */
enum {
    TL_LINES_NEED = 0,     /* no complete line buffered: read more, or call tl_lines_eof */
    TL_LINES_LINE = 1,     /* *out holds the next line */
    TL_LINES_TOO_LONG = 2, /* line out->no is longer than max_len: reported once, skipped */
    TL_LINES_END = 3,      /* the input ended and every line was handed out */
};

/* One line. text is NUL-terminated (a NUL inside the line is the caller's to refuse). */
typedef struct tl_line {
    const char *text; /* borrowed from the framer's buffer; NULL for TL_LINES_TOO_LONG */
    size_t len;       /* bytes, CR/LF excluded */
    uint64_t no;      /* 1-based line number */
} tl_line;

typedef struct tl_lines {
    char *buf;  /* owned; bytes [start, end) are not handed out yet */
    size_t cap; /* capacity of buf, always > end (room for a final NUL) */
    size_t start, end;
    size_t scan; /* [start, scan) holds no '\n': searching resumes here */
    size_t max_len;
    uint64_t no;   /* number of the line being assembled */
    bool skipping; /* dropping the rest of a too-long line up to its newline */
    bool eof;
} tl_lines;

/* max_len 0 means TL_LINES_MAX_DEFAULT. Allocates nothing until the first prepare. */
void tl_lines_init(tl_lines *l, size_t max_len);
void tl_lines_close(tl_lines *l);

/* Makes room for at least `want` bytes after the buffered ones and returns where to write them
 * (*ptr, *avail >= want). Moves unconsumed bytes to the front, so every line handed out before
 * is invalid afterwards. 0 or TL_ENOMEM (buffer unchanged). */
int tl_lines_prepare(tl_lines *l, size_t want, char **ptr, size_t *avail);
/* n (<= *avail of the last prepare) bytes were written at *ptr. */
void tl_lines_commit(tl_lines *l, size_t n);
/* The input ended: the final bytes become the last line. */
void tl_lines_eof(tl_lines *l);

/* The next line, or what stands in its way (TL_LINES_*). */
int tl_lines_next(tl_lines *l, tl_line *out);

#endif /* TL_HOST_LINES_H */
