/* fuzz_sweep_spec.c -- a sweep file from a buffer, then its run plan. Accepted files hold 1..32
 * sorted axes of distinct values and a canonical text that is its own canonical form; their plan
 * starts with the baseline, holds 1..max_variants variants with unique ids and version-5
 * workspaces, and each variant's overrides are well-formed for its kind. Refusals leave the spec
 * empty and say why in printable text. */
#include <assert.h>

#include "fuzz_common.h"
#include "fuzz_printable.h"
#include "sweep/plan.h"

/* The plan is generated under a smaller cut: a fuzzed max_variants of 100,000 over a big grid
 * would spend the run hashing, not exploring. */
#define FUZZ_MAX_VARIANTS 64

static void check_canon(const tl_sweep_spec *s)
{
    json_error_t je;
    json_t *v = json_loadb(s->canon, s->canon_len, 0, &je);
    assert(v != NULL);
    tl_sb c = {0};
    tl_canon_json(&c, v);
    assert(c.err == 0 && c.len == s->canon_len && memcmp(c.buf, s->canon, c.len) == 0);
    tl_sb_free(&c);
    json_decref(v);
}

static void check_plan(const tl_sweep_plan *p, const tl_sweep_spec *s)
{
    assert(p->count >= 1 && p->count <= s->max_variants);
    assert(p->variants[0].kind == TL_SWEEP_BASELINE && p->variants[0].n_overrides == 0);
    for (uint32_t i = 0; i < p->count; i++) {
        const tl_sweep_variant *v = &p->variants[i];
        tl_uuid u;
        assert(strlen(v->id) == 16 && strspn(v->id, "0123456789abcdef") == 16);
        assert(tl_uuid_parse(v->workspace, &u, NULL) == 0 && u.b[6] >> 4 == 5);
        assert(i == 0 || v->kind != TL_SWEEP_BASELINE);
        assert(i == 0 || v->kind >= p->variants[i - 1].kind); /* baseline, grid, ablations */
        uint32_t want = v->kind == TL_SWEEP_GRID       ? s->n_axes
                        : v->kind == TL_SWEEP_ABLATION ? s->n_axes - 1
                                                       : 0;
        assert(v->n_overrides == want);
        assert((v->kind == TL_SWEEP_ABLATION) == (v->ablated != TL_SWEEP_NONE));
        for (uint32_t k = 0; k < v->n_overrides; k++) {
            const tl_sweep_override *o = &p->overrides[v->first_override + k];
            assert(o->axis < s->n_axes && o->value < s->axes[o->axis].n);
            assert(o->axis != v->ablated);
            assert(k == 0 || o->axis > p->overrides[v->first_override + k - 1].axis);
        }
        for (uint32_t j = 0; j < i; j++)
            assert(strcmp(v->id, p->variants[j].id) != 0 &&
                   strcmp(v->workspace, p->variants[j].workspace) != 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_sweep_spec s;
    tl_sweep_plan p;
    tl_err err = {0};
    tl_sweep_spec_init(&s);
    tl_sweep_plan_init(&p);
    int rc = tl_sweep_spec_parse(&s, (const char *)data, size, &err);
    if (rc == 0) {
        assert(s.n_axes >= 1 && s.n_axes <= TL_SWEEP_AXES_MAX);
        assert(s.max_variants >= 1 && s.max_variants <= TL_SWEEP_VARIANTS_MAX);
        for (uint32_t a = 0; a < s.n_axes; a++) {
            assert(a == 0 || strcmp(s.axes[a - 1].key, s.axes[a].key) < 0);
            assert(s.axes[a].n >= 1);
            for (uint32_t i = 0; i < s.axes[a].n; i++)
                for (uint32_t j = 0; j < i; j++)
                    assert(!tl_sweep_value_eq(&s.axes[a].values[i], &s.axes[a].values[j]));
        }
        for (uint32_t i = 1; i < s.n_params; i++)
            assert(strcmp(s.params[i - 1].key, s.params[i].key) < 0);
        check_canon(&s);
        if (s.max_variants > FUZZ_MAX_VARIANTS)
            s.max_variants = FUZZ_MAX_VARIANTS;
        rc = tl_sweep_plan_build(&p, &s, &err);
        assert(rc == 0);
        check_plan(&p, &s);
    } else {
        fuzz_check_refusal(rc, &err);
        assert(s.n_axes == 0 && s.axes == NULL && s.canon == NULL);
    }
    tl_sweep_plan_close(&p);
    tl_sweep_spec_close(&s);
    return 0;
}
