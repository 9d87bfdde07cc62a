/* serve_metrics.c -- the service's Prometheus families (see serve.h; names follow Prometheus'
 * conventions: the tradeloop_ prefix, _total counters, base units -- seconds). */
#include <stdio.h>

#include "service/serve.h"

/* A step's commit and a message's time in the service, in nanoseconds (decimals 9: seconds). */
static const int64_t seconds_bounds[] = {100000,   250000,    500000,    1000000,
                                         2500000,  5000000,   10000000,  25000000,
                                         50000000, 100000000, 250000000, 1000000000};
#define N_BOUNDS (sizeof(seconds_bounds) / sizeof(seconds_bounds[0]))

static int family(tl_serve *s, tl_prom_type type, const char *name, const char *help,
                  const char *label, tl_prom_family **f, tl_err *err)
{
    const char *labels[1] = {label};
    bool hist = type == TL_PROM_HISTOGRAM;
    return tl_prom_family_add(&s->m.reg, type, name, help, label ? labels : NULL, label ? 1 : 0,
                              hist ? seconds_bounds : NULL, hist ? N_BOUNDS : 0,
                              hist || type == TL_PROM_GAUGE ? 9 : 0, f, err);
}

/* The one series of a family without labels. */
static tl_prom_series *only(tl_prom_family *f)
{
    return f->series[0];
}

static int labelled(tl_prom_family *f, const char *value, tl_prom_series **out, tl_err *err)
{
    const char *v[1] = {value};
    return tl_prom_series_get(f, v, out, err);
}

int tl__serve_metrics_init(tl_serve *s, tl_err *err)
{
    tl_serve_metrics *m = &s->m;
    tl_prom_family *f;
    int rc;
    tl_prom_init(&m->reg);
    if ((rc = family(s, TL_PROM_COUNTER, "tradeloop_orders_total", "Orders answered, by outcome.",
                     "outcome", &f, err)) != 0)
        return rc;
    for (int st = TL_ORDER_RESULT_FILLED; st <= TL_ORDER_RESULT_DRY_RUN; st++)
        if ((rc = labelled(f, tl_order_result_status_name(st), &m->orders[st], err)) != 0)
            return rc;
    if ((rc = family(s, TL_PROM_COUNTER, "tradeloop_orders_malformed_total",
                     "Order messages refused before reaching the engine.", NULL, &f, err)) != 0)
        return rc;
    m->malformed = only(f);
    if ((rc = family(s, TL_PROM_COUNTER, "tradeloop_fills_total", "Fills of the answered orders.",
                     NULL, &f, err)) != 0)
        return rc;
    m->fills = only(f);
    if ((rc = family(s, TL_PROM_COUNTER, "tradeloop_paper_intents_total",
                     "Paper intents answered, by outcome.", "outcome", &f, err)) != 0)
        return rc;
    static const char *const intents[5] = {"filled", "denied", "duplicate", "refused", "failed"};
    for (int i = 0; i < 5; i++)
        if ((rc = labelled(f, intents[i], &m->intents[i], err)) != 0)
            return rc;
    if ((rc = family(s, TL_PROM_COUNTER, "tradeloop_journal_commits_total",
                     "Steps committed to the store (one transaction for every order of a step).",
                     NULL, &f, err)) != 0)
        return rc;
    m->commits = only(f);
    if ((rc = family(s, TL_PROM_COUNTER, "tradeloop_journal_commit_failures_total",
                     "Commits that failed (the service halts).", NULL, &f, err)) != 0)
        return rc;
    m->commit_failures = only(f);
    if ((rc = family(s, TL_PROM_COUNTER, "tradeloop_journal_collisions_total",
                     "Commits refused for another engine's write and decided again.", NULL, &f,
                     err)) != 0)
        return rc;
    m->collisions = only(f);
    if ((rc = family(s, TL_PROM_HISTOGRAM, "tradeloop_journal_commit_seconds",
                     "Time of a step's commit.", NULL, &f, err)) != 0)
        return rc;
    m->commit_seconds = only(f);
    if ((rc = family(s, TL_PROM_HISTOGRAM, "tradeloop_intake_lag_seconds",
                     "From an order message's arrival to its answer (durable).", NULL, &f, err)) !=
        0)
        return rc;
    m->intake_lag = only(f);
    if ((rc = family(s, TL_PROM_GAUGE, "tradeloop_kill_switch",
                     "1 while the kill switch is engaged.", NULL, &f, err)) != 0)
        return rc;
    m->kill_switch = only(f);
    if ((rc = family(s, TL_PROM_GAUGE, "tradeloop_redis_up", "1 while Redis is connected.", NULL,
                     &f, err)) != 0)
        return rc;
    m->redis_up = only(f);
    if ((rc = family(s, TL_PROM_GAUGE, "tradeloop_store_up",
                     "1 while the store takes commits (0: halted).", NULL, &f, err)) != 0)
        return rc;
    m->store_up = only(f);
    if ((rc = family(s, TL_PROM_GAUGE, "tradeloop_uptime_seconds", "Seconds since the start.", NULL,
                     &f, err)) != 0)
        return rc;
    m->uptime = only(f);
    if ((rc = family(s, TL_PROM_GAUGE, "tradeloop_build_info", "The build, as labels.", "version",
                     &f, err)) != 0 ||
        (rc = labelled(f, TL_VERSION_STRING, &m->build_info, err)) != 0)
        return rc;
    tl_prom_gauge_set(m->build_info, 1000000000); /* 1 (decimals 9) */
    if ((rc = family(s, TL_PROM_COUNTER, "tradeloop_http_requests_total", "HTTP requests handled.",
                     NULL, &f, err)) != 0)
        return rc;
    m->http_requests = only(f);
    if ((rc = family(s, TL_PROM_COUNTER, "tradeloop_order_refusals_total",
                     "Orders refused, by reason code (a risk rule's name, VENUE, MALFORMED, ...).",
                     "reason", &m->refusals, err)) != 0)
        return rc;
    /* Decimals 8: a position is a tl_fixed, printed exactly. */
    const char *sym[1] = {"symbol"};
    return tl_prom_family_add(&m->reg, TL_PROM_GAUGE, "tradeloop_position",
                              "The engine's net position, by symbol (base units).", sym, 1, NULL, 0,
                              8, &m->positions, err);
}

void tl__serve_count_refusal(tl_serve *s, const char *code)
{
    tl_prom_series *x;
    if (labelled(s->m.refusals, code && *code ? code : "OTHER", &x, NULL) == 0)
        tl_prom_counter_add(x, 1);
}

/* The state gauges and the counters kept elsewhere, read when scraped. */
void tl__serve_metrics_scrape(tl_serve *s)
{
    tl_serve_metrics *m = &s->m;
    const int64_t one = 1000000000;
    tl_prom_gauge_set(m->kill_switch, s->svc.have_engine && s->svc.engine.risk.killed ? one : 0);
    tl_prom_gauge_set(m->redis_up,
                      s->have_intake && tl_redis_intake_connected(&s->intake) ? one : 0);
    tl_prom_gauge_set(m->store_up, s->svc.halted ? 0 : one);
    tl_prom_gauge_set(m->uptime, tl__serve_wall_ns() - s->started_ns);
    /* Counters the core and the broker keep: the series holds the running total. */
    m->commits->count = s->svc.stats.commits + s->paper.stats.commits;
    m->commit_failures->count = s->svc.stats.commit_failures;
    m->collisions->count = s->svc.stats.collisions;
    m->malformed->count = s->svc.stats.malformed;
    m->http_requests->count = s->http.requests;
    const tl_svc_paper_stats *p = &s->paper.stats;
    uint64_t intents[5] = {p->filled, p->denied, p->duplicates, p->refused, p->busy + p->failed};
    for (int i = 0; i < 5; i++)
        m->intents[i]->count = intents[i];
    /* Positions: every symbol the engine ever held keeps its series (0 once flat). */
    const tl_engine *e = &s->svc.engine;
    for (uint32_t i = 0; s->svc.have_engine && i < e->book.pos_count; i++) {
        const tl_position *pos = &e->book.positions[i];
        if (pos->instrument >= e->instruments.count)
            continue;
        tl_prom_series *x;
        if (labelled(m->positions, e->instruments.items[pos->instrument].symbol, &x, NULL) == 0)
            tl_prom_gauge_set(x, pos->qty);
    }
}
