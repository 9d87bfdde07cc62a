/*
 * test_venue_conformance.c -- the venue conformance suite (tests/conformance/venue_conformance.c)
 * run against every built-in backend: sim:// with parameter sets that exercise fills, partial
 * fills, rejects, resting orders, latency 0 (IMMEDIATE) and latency > 0, and paper:// with and
 * without a fee.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "conformance/venue_conformance.h"

static const tl_venue_conformance_bad_url sim_bad[] = {
    {"sim://?bogus=1", "bogus"},
    {"sim://?fill_rate=2", "fill_rate"},
    {"sim://?latency_us=-1", "latency_us"},
    {"sim://?seed=1&seed=2", "given twice"},
    {"sim://host", "host"},
    {NULL, NULL},
};

static const tl_venue_conformance_bad_url paper_bad[] = {
    {"paper://?bogus=1", "unknown parameter 'bogus'"},
    {"paper://?fee_bps=-1", "fee_bps=-1: must be >= 0"},
    {"paper://?fee_bps=10001", "fee_bps"},
    {"paper://?fee_bps=x", "fee_bps=x: not a decimal number"},
    {"paper://?fee_bps", "'fee_bps' has no value"},
    {"paper://?fee_bps=1&fee_bps=2", "given twice"},
    {"paper://?fee_bps=1&", "empty parameter"},
    {"paper://broker", "broker"},
    {NULL, NULL},
};

int main(void)
{
    static const struct {
        const char *name, *url;
        const tl_venue_conformance_bad_url *bad;
    } runs[] = {
        {"venue_conformance_sim_default", "sim://", sim_bad},
        {"venue_conformance_sim_latency0", "sim://?seed=3&latency_us=0", sim_bad},
        {"venue_conformance_sim_partials",
         "sim://?seed=5&fill_rate=1&partial_rate=0.9&reject_rate=0&latency_us=250", sim_bad},
        {"venue_conformance_sim_partials_latency0",
         "sim://?seed=6&fill_rate=1&partial_rate=0.9&reject_rate=0.1&latency_us=0", sim_bad},
        {"venue_conformance_sim_rejects", "sim://?seed=9&reject_rate=0.5&latency_us=10", sim_bad},
        {"venue_conformance_sim_resting", "sim://?seed=13&fill_rate=0&capacity=8", sim_bad},
        {"venue_conformance_sim_small", "sim://?seed=17&capacity=1&latency_us=3000", sim_bad},
        {"venue_conformance_paper", "paper://", paper_bad},
        {"venue_conformance_paper_fee", "paper://?fee_bps=2.5", paper_bad},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        tl_venue_conformance cfg = {.url = runs[i].url, .bad_urls = runs[i].bad};
        failed += tl_venue_conformance_run(runs[i].name, &cfg);
    }
    return failed;
}
