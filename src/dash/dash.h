/*
 * dash.h -- the interactive dashboard: a screen that redraws a view every period and quits on q.
 *
 * Two ways to drive it. tl_dash_run owns the loop: it takes the terminal, asks the provider for a
 * frame every period (1 s for `tradeloop top`), waits for keys in between with an ncurses input
 * timeout, redraws on KEY_RESIZE, and gives the terminal back (endwin) however it ends. A host
 * with its own event loop (`tradeloop run --dashboard`) uses the screen calls instead: open once,
 * draw a frame on its own timer, hand each key it reads to tl_dash_screen_key, close at the end.
 *
 * The only global state is ncurses' own (one screen at a time). For non-ASCII text the program
 * sets LC_CTYPE from the environment before opening the screen (the library does not touch the
 * locale: LC_NUMERIC would change how numbers print elsewhere).
 */
#ifndef TL_DASH_DASH_H
#define TL_DASH_DASH_H

#include <stdbool.h>
#include <stdio.h>

#include <curses.h>

#include "dash/view.h"

#define TL_DASH_NOTE_MAX 320 /* a prefix and a tl_err message */

/* What the screen shows next: a view, or only a note when the source has none yet. */
typedef struct tl_dash_frame {
    bool has_view;
    tl_dash_view view;           /* valid when has_view (tl_dash_view_check) */
    char note[TL_DASH_NOTE_MAX]; /* shown highlighted under the header; "" for none */
} tl_dash_frame;

/* Fills *frame (caller-owned; it holds the previous frame on entry). 0 to go on, or a negative
 * TL_E* code with err set to stop the dashboard with that error. */
typedef int (*tl_dash_provider)(void *ctx, tl_dash_frame *frame, tl_err *err);

typedef struct tl_dash_screen {
    SCREEN *scr; /* owned: from newterm, freed by tl_dash_screen_close */
    WINDOW *win; /* the screen's stdscr (borrowed from scr) */
    bool colors; /* the terminal has colours and the pairs are set up */
} tl_dash_screen;

/* Starts curses on the terminal behind in and out (borrowed; both must stay open until close):
 * keys unbuffered and not echoed, cursor hidden. TL_EIO with a message when they are not a
 * terminal or the terminal type is unknown; nothing is changed then. */
int tl_dash_screen_open(tl_dash_screen *s, FILE *in, FILE *out, tl_err *err);
/* Draws f and puts it on the terminal. */
void tl_dash_screen_draw(tl_dash_screen *s, const tl_dash_frame *f);
/* One key the host read (wgetch on s->win): true when it asks to quit (q or Q). KEY_RESIZE redraws
 * f at the new size. Other keys are ignored. */
bool tl_dash_screen_key(tl_dash_screen *s, int key, const tl_dash_frame *f);
/* Gives the terminal back as it was (endwin) and frees the screen. Safe to call twice. */
void tl_dash_screen_close(tl_dash_screen *s);

/* Runs the dashboard on stdin/stdout until q (returns 0) or until fn fails (returns its code, the
 * terminal already restored, err set by fn). fn is called at once, then every period_ms
 * (1..60000). TL_EIO when stdin or stdout is not a terminal, TL_ENOMEM, TL_EINVAL for a bad
 * period. */
int tl_dash_run(tl_dash_provider fn, void *ctx, int period_ms, tl_err *err);

#endif /* TL_DASH_DASH_H */
