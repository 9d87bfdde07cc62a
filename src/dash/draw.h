/*
 * draw.h -- the one renderer of the dashboard: a view (view.h) onto an ncurses window.
 *
 * The screen, top to bottom: a header (mode, database, engine time, signal counts, open
 * positions), a note when the source has one ("status is 12s old"), the VA panel, the positions
 * panel, the recent refusals, and a footer (kill switch, last reconciliation, filter thresholds).
 * Panels share the rows between them; one that does not fit says how many rows it left out.
 * Column widths grow with the terminal from the 80-column minimum; a number that does not fit
 * its column loses decimals, then shows as "#", never a wrong shorter number. A terminal smaller
 * than TL_DASH_MIN_COLS x TL_DASH_MIN_ROWS gets one message saying so instead of the panels.
 *
 * Drawing only writes into the window: the caller refreshes it (dash.h does).
 */
#ifndef TL_DASH_DRAW_H
#define TL_DASH_DRAW_H

#include <stdbool.h>

#include <curses.h>

#include "dash/view.h"

#define TL_DASH_MIN_COLS 80
#define TL_DASH_MIN_ROWS 20

/* Colour pairs, set up by tl_dash_draw_colors. */
enum { TL_DASH_PAIR_GAIN = 1, TL_DASH_PAIR_LOSS = 2, TL_DASH_PAIR_WARN = 3 };

/* Call once after the screen has started. Sets up the colour pairs when the terminal has colours
 * and returns whether it did; pass the answer to tl_dash_draw. */
bool tl_dash_draw_colors(void);

/* Erases w and draws the dashboard into it. v (borrowed) may be NULL: then only the header line
 * and the note are drawn (a source with nothing to show yet). note (borrowed) may be NULL or "";
 * it is shown highlighted under the header. v must pass tl_dash_view_check. */
void tl_dash_draw(WINDOW *w, const tl_dash_view *v, const char *note, bool colors);

#endif /* TL_DASH_DRAW_H */
