/*
 * rfq_screen.h -- what `tradeloop rfq` prints for the desk's events (src/rfq/desk.h): one JSON
 * line per event for machines (--json, or when nobody reads a screen), or the seed's screens for
 * people: the QUOTE LOCKED box (LP, side and amount, client pays, client gets, price, seconds
 * left), printed again only when a strictly better quote replaces the lock (no redraw on polls
 * that change nothing), the EXECUTION SUCCESSFUL / FAILED box, and one line for an expiry, a
 * cancel or an error.
 *
 * On a terminal (interactive) the screen also keeps the prompt: "> " after the banner and after
 * every event, so each line typed gets its answer and a new prompt. An event that comes while the
 * prompt waits (a lock, an expiry) first clears the prompt's line when stdout is a terminal, so
 * the box starts at the margin and the prompt follows it. Everything goes to stdout, flushed at
 * each event: nothing is said before the desk made it durable, and nothing said is held back.
 *
 * No state beyond the prompt's; no allocation.
 */
#ifndef TL_APP_RFQ_SCREEN_H
#define TL_APP_RFQ_SCREEN_H

#include <stdbool.h>
#include <stdint.h>

#include "rfq/desk.h"

#define RFQ_PROMPT "> "

typedef struct rfq_screen {
    bool json;        /* one JSON line per event, no prompt */
    bool interactive; /* a terminal: the prompt and the banner */
    bool tty_out;     /* stdout is a terminal: a waiting prompt is cleared before an event */
    bool at_prompt;   /* the prompt is on screen and nothing was typed since */
    bool quitting;    /* q or the end of input: what follows gets no prompt */
} rfq_screen;

void rfq_screen_init(rfq_screen *s, bool json, bool interactive);
/* Interactive: the first lines and the first prompt. */
void rfq_screen_banner(rfq_screen *s, uint32_t n_lps);
/* A line was read (the terminal echoed its newline): the prompt is no longer waiting. */
void rfq_screen_typed(rfq_screen *s);
/* Interactive: a request went to the LPs; the lock comes at a later poll. */
void rfq_screen_streaming(rfq_screen *s, const tl_rfq_request *req, uint32_t n_lps);
/* q: the last events print without a prompt after them. */
void rfq_screen_quitting(rfq_screen *s);
/* Interactive: the prompt again (after a blank line). */
void rfq_screen_prompt(rfq_screen *s);
/* One event; now is the host clock's time (for the seconds left of a lock). */
void rfq_screen_event(rfq_screen *s, const tl_desk_event *ev, int64_t now);

#endif /* TL_APP_RFQ_SCREEN_H */
