/*
 * sweep_plan_dump.c -- prints the run plan of a sweep file as JSON lines, for
 * tests/e2e/test_sweep_ids.sh to recompute with Python; a test program, not the product (the
 * command that runs sweeps is `tradeloop sweep`).
 *
 *   tl_sweep_plan_dump SPEC.json
 *
 * Line 1: {"count":N,"run_plan_id":"..."}; then one line per variant, in plan order:
 * {"ablated":KEY|null,"kind":"baseline|grid|ablation","overrides":{...},"variant_id":"...",
 *  "workspace":"..."}. Every line is canonical JSON (canon.h), so Python can check it byte for byte
 * as well as by value. A refused file: its message on stderr, exit 2.
 */
#include <stdio.h>
#include <string.h>

#include "sweep/plan.h"

static void kv_str(tl_sb *c, const char *key, const char *v, int first)
{
    if (!first)
        tl_sb_put(c, ",", 1);
    tl_canon_str(c, key, strlen(key));
    tl_sb_put(c, ":", 1);
    tl_canon_str(c, v, strlen(v));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: tl_sweep_plan_dump SPEC.json\n");
        return 2;
    }
    tl_sweep_spec spec;
    tl_sweep_plan plan;
    tl_sb c = {0};
    tl_err err = {0};
    tl_sweep_spec_init(&spec);
    tl_sweep_plan_init(&plan);
    int rc = tl_sweep_spec_read(&spec, argv[1], &err);
    if (rc == 0)
        rc = tl_sweep_plan_build(&plan, &spec, &err);
    if (rc != 0) {
        fprintf(stderr, "tl_sweep_plan_dump: %s\n", err.msg);
        tl_sweep_spec_close(&spec);
        return 2;
    }
    tl_sb_put(&c, "{\"count\":", 9);
    tl_sb_int(&c, plan.count);
    tl_sb_put(&c, ",", 1);
    kv_str(&c, "run_plan_id", plan.id, 1);
    tl_sb_put(&c, "}\n", 2);
    for (uint32_t i = 0; i < plan.count; i++) {
        const tl_sweep_variant *v = &plan.variants[i];
        tl_sb_put(&c, "{\"ablated\":", 11);
        if (v->ablated == TL_SWEEP_NONE)
            tl_sb_put(&c, "null", 4);
        else
            tl_canon_str(&c, spec.axes[v->ablated].key, strlen(spec.axes[v->ablated].key));
        kv_str(&c, "kind", tl_sweep_variant_kind_name(v->kind), 0);
        tl_sb_put(&c, ",\"overrides\":", 13);
        tl_sweep_plan_write_overrides(&plan, &spec, v, &c);
        kv_str(&c, "variant_id", v->id, 0);
        kv_str(&c, "workspace", v->workspace, 0);
        tl_sb_put(&c, "}\n", 2);
    }
    rc = c.err;
    if (rc == 0 && fwrite(c.buf, 1, c.len, stdout) != c.len)
        rc = TL_EIO;
    tl_sb_free(&c);
    tl_sweep_plan_close(&plan);
    tl_sweep_spec_close(&spec);
    if (rc != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "tl_sweep_plan_dump: %s\n", tl_strerror(rc ? rc : TL_EIO));
        return 1;
    }
    return 0;
}
