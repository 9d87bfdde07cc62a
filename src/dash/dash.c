/* dash.c -- see dash.h. */
#include "dash/dash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dash/draw.h"

int tl_dash_screen_open(tl_dash_screen *s, FILE *in, FILE *out, tl_err *err)
{
    if (!isatty(fileno(in)) || !isatty(fileno(out)))
        return tl_err_set(err, TL_EIO, "the dashboard needs a terminal (stdin and stdout)");
    const char *term = getenv("TERM");
    if (!term || !*term)
        return tl_err_set(err, TL_EIO, "TERM is not set: cannot drive the terminal");
    /* newterm rather than initscr: initscr exits the process when the terminal is unknown. */
    SCREEN *scr = newterm(NULL, out, in);
    if (!scr)
        return tl_err_set(err, TL_EIO, "unknown terminal type '%s'", term);
    s->scr = scr;
    s->win = stdscr;
    cbreak(); /* keys arrive one by one; ^C still interrupts (ncurses restores the terminal) */
    noecho();
    keypad(s->win, TRUE); /* KEY_RESIZE and the arrows as single codes */
    curs_set(0);
    s->colors = tl_dash_draw_colors();
    return 0;
}

void tl_dash_screen_draw(tl_dash_screen *s, const tl_dash_frame *f)
{
    tl_dash_draw(s->win, f->has_view ? &f->view : NULL, f->note, s->colors);
    wnoutrefresh(s->win);
    doupdate();
}

bool tl_dash_screen_key(tl_dash_screen *s, int key, const tl_dash_frame *f)
{
    if (key == 'q' || key == 'Q')
        return true;
    if (key == KEY_RESIZE)
        tl_dash_screen_draw(s, f);
    return false;
}

void tl_dash_screen_close(tl_dash_screen *s)
{
    if (!s->scr)
        return;
    endwin();
    delscreen(s->scr);
    s->scr = NULL;
    s->win = NULL;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tl_dash_run(tl_dash_provider fn, void *ctx, int period_ms, tl_err *err)
{
    if (period_ms < 1 || period_ms > 60000)
        return tl_err_set(err, TL_EINVAL, "refresh period %d ms: want 1..60000", period_ms);
    tl_dash_frame *f = calloc(1, sizeof *f); /* ~80 KB: not on the stack */
    if (!f)
        return tl_err_set(err, TL_ENOMEM, "out of memory");
    tl_dash_screen s = {0};
    int rc = tl_dash_screen_open(&s, stdin, stdout, err);
    /* The next refresh is due at `due`; keys that arrive before it do not delay it, so holding a
     * key down cannot freeze the screen. */
    for (int64_t due = now_ms(); rc == 0;) {
        int64_t now = now_ms();
        if (now >= due) {
            if ((rc = fn(ctx, f, err)) != 0)
                break;
            tl_dash_screen_draw(&s, f);
            due = now + period_ms;
        }
        wtimeout(s.win, (int)(due - now > 0 ? due - now : 0));
        int key = wgetch(s.win);
        if (key != ERR && tl_dash_screen_key(&s, key, f))
            break;
    }
    tl_dash_screen_close(&s);
    free(f);
    return rc;
}
