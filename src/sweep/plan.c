/*
 * plan.c -- the run-plan generator (plan.h): baseline, grid, ablations, deduplicated by id and
 * cut at max_variants.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/vec.h"
#include "sweep/plan.h"

void tl_sweep_plan_init(tl_sweep_plan *p)
{
    memset(p, 0, sizeof *p);
}

void tl_sweep_plan_close(tl_sweep_plan *p)
{
    free(p->variants);
    free(p->overrides);
    tl_sweep_plan_init(p);
}

const char *tl_sweep_variant_kind_name(tl_sweep_variant_kind k)
{
    switch (k) {
    case TL_SWEEP_BASELINE:
        return "baseline";
    case TL_SWEEP_GRID:
        return "grid";
    case TL_SWEEP_ABLATION:
        return "ablation";
    }
    return "?";
}

/* The first 16 hex digits of SHA-256(text) into id, and the same 64 bits as a number (the
 * dedupe key: equal numbers are equal ids). */
static int short_sha(const char *text, size_t len, char id[TL_SWEEP_ID_STRLEN], uint64_t *key)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) || mdlen < 8)
        return TL_ENOMEM; /* OpenSSL could not allocate its context */
    uint64_t k = 0;
    for (int i = 0; i < 8; i++) {
        id[2 * i] = hex[md[i] >> 4];
        id[2 * i + 1] = hex[md[i] & 15];
        k = k << 8 | md[i];
    }
    id[16] = '\0';
    if (key)
        *key = k;
    return 0;
}

static void write_value(tl_sb *c, const tl_sweep_value *v)
{
    if (v->kind == TL_SWEEP_INT)
        tl_sb_int(c, v->i);
    else
        tl_canon_str(c, v->s, strlen(v->s));
}

/* Overrides ov[0..n), ascending by axis, as a canonical object: the axes are sorted by key, so
 * their order is already the canonical key order. */
static void write_overrides(tl_sb *c, const tl_sweep_spec *spec, const tl_sweep_override *ov,
                            uint32_t n)
{
    tl_sb_put(c, "{", 1);
    for (uint32_t i = 0; i < n; i++) {
        const tl_sweep_axis *ax = &spec->axes[ov[i].axis];
        if (i)
            tl_sb_put(c, ",", 1);
        tl_canon_str(c, ax->key, strlen(ax->key));
        tl_sb_put(c, ":", 1);
        write_value(c, &ax->values[ov[i].value]);
    }
    tl_sb_put(c, "}", 1);
}

void tl_sweep_plan_write_overrides(const tl_sweep_plan *p, const tl_sweep_spec *spec,
                                   const tl_sweep_variant *v, tl_sb *c)
{
    write_overrides(c, spec, p->overrides + v->first_override, v->n_overrides);
}

const tl_sweep_value *tl_sweep_plan_value(const tl_sweep_plan *p, const tl_sweep_spec *spec,
                                          const tl_sweep_variant *v, const char *key)
{
    for (uint32_t i = 0; i < v->n_overrides; i++) {
        const tl_sweep_override *o = &p->overrides[v->first_override + i];
        if (strcmp(spec->axes[o->axis].key, key) == 0)
            return &spec->axes[o->axis].values[o->value];
    }
    return tl_sweep_spec_param(spec, key);
}

/* What building one plan needs besides the plan. */
typedef struct gen {
    tl_sweep_plan *p;
    const tl_sweep_spec *spec;
    tl_uuid ns;
    tl_sb c;         /* the text being hashed, reused */
    tl_hashmap seen; /* variant id (as its 64 bits) -> index */
} gen;

/* Appends the variant of overrides ov[0..n) unless its id is in the plan already. */
static int add(gen *g, tl_sweep_variant_kind kind, const tl_sweep_override *ov, uint32_t n,
               uint32_t ablated, tl_err *err)
{
    tl_sweep_plan *p = g->p;
    tl_sweep_variant v = {.kind = kind, .n_overrides = n, .ablated = ablated};
    uint64_t key;
    char name[2 * TL_SWEEP_ID_STRLEN];
    tl_uuid ws;

    g->c.len = 0; /* reused: its error is 0, or the last variant failed the build */
    tl_sb_put(&g->c, "{\"base\":", 8);
    tl_sb_put(&g->c, g->spec->base_canon, g->spec->base_canon_len);
    tl_sb_put(&g->c, ",\"overrides\":", 13);
    write_overrides(&g->c, g->spec, ov, n);
    tl_sb_put(&g->c, "}", 1);
    if (g->c.err != 0 || short_sha(g->c.buf, g->c.len, v.id, &key) != 0)
        return tl_err_set(err, TL_ENOMEM, "sweep plan: no memory for variant %u", p->count);
    int dup = tl_hashmap_insert_new(&g->seen, key, p->count);
    if (dup < 0)
        return tl_err_set(err, TL_ENOMEM, "sweep plan: no memory for variant %u", p->count);
    if (dup == 1)
        return 0;
    int len = snprintf(name, sizeof name, "%s:%s", p->id, v.id);
    if (tl_uuid5(&g->ns, name, (size_t)len, &ws) != 0)
        return tl_err_set(err, TL_ENOMEM, "sweep plan: no memory for variant %u", p->count);
    tl_uuid_format(&ws, v.workspace);
    if (TL_VEC_RESERVE32(&p->variants, &p->cap, (size_t)p->count + 1) != 0 ||
        TL_VEC_RESERVE32(&p->overrides, &p->overrides_cap, (size_t)p->n_overrides + n) != 0)
        return tl_err_set(err, TL_EFULL, "sweep plan: no room for variant %u", p->count);
    v.first_override = p->n_overrides;
    if (n)
        memcpy(p->overrides + p->n_overrides, ov, n * sizeof *ov);
    p->n_overrides += n;
    p->variants[p->count++] = v;
    return 0;
}

/* Baseline, grid, ablations, until the plan is full or every candidate is seen. cur holds
 * n_axes overrides: the grid's odometer, then each ablation's. */
static int generate(gen *g, tl_sweep_override *cur, tl_err *err)
{
    const tl_sweep_spec *s = g->spec;
    const uint32_t max = s->max_variants, na = s->n_axes;
    int rc = add(g, TL_SWEEP_BASELINE, NULL, 0, TL_SWEEP_NONE, err);
    for (uint32_t a = 0; a < na; a++)
        cur[a] = (tl_sweep_override){.axis = a, .value = 0};
    /* The grid: the last axis turns fastest; the walk ends when the first one wraps. */
    while (rc == 0 && g->p->count < max) {
        if ((rc = add(g, TL_SWEEP_GRID, cur, na, TL_SWEEP_NONE, err)) != 0)
            break;
        uint32_t a = na;
        while (a > 0 && ++cur[a - 1].value == s->axes[a - 1].n)
            cur[--a].value = 0;
        if (a == 0)
            break;
    }
    /* The ablations of the first combination (every axis at its first value): drop axis k. */
    for (uint32_t k = 0; rc == 0 && k < na && g->p->count < max; k++) {
        uint32_t n = 0;
        for (uint32_t a = 0; a < na; a++)
            if (a != k)
                cur[n++] = (tl_sweep_override){.axis = a, .value = 0};
        rc = add(g, TL_SWEEP_ABLATION, cur, n, k, err);
    }
    return rc;
}

int tl_sweep_plan_build(tl_sweep_plan *p, const tl_sweep_spec *spec, tl_err *err)
{
    tl_sweep_plan t;
    tl_sweep_plan_init(&t);
    gen g = {.p = &t, .spec = spec, .ns = TL_SWEEP_VARIANT_NS_BIN};
    tl_sweep_override *cur = calloc(spec->n_axes ? spec->n_axes : 1, sizeof *cur);
    int rc = cur ? tl_hashmap_init(&g.seen, spec->max_variants) : TL_ENOMEM;
    if (rc != 0) {
        free(cur);
        return tl_err_set(err, TL_ENOMEM, "sweep plan: no memory");
    }
    rc = short_sha(spec->canon, spec->canon_len, t.id, NULL);
    if (rc != 0)
        tl_err_set(err, rc, "sweep plan: no memory");
    else
        rc = generate(&g, cur, err);
    tl_hashmap_close(&g.seen);
    tl_sb_free(&g.c);
    free(cur);
    if (rc != 0) {
        tl_sweep_plan_close(&t);
        return rc;
    }
    tl_sweep_plan_close(p);
    *p = t;
    return 0;
}
