/* prom.c -- the Prometheus registry and its text exposition (format 0.0.4); see prom.h. */
#include "net/prom.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

static void free_strs(char **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* A copy of n strings, or NULL (out of memory). n == 0 gives a non-NULL empty array. */
static char **dup_strs(const char *const *v, size_t n)
{
    char **d = calloc(n > 0 ? n : 1, sizeof(*d));
    if (d == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if ((d[i] = strdup(v[i])) == NULL) {
            free_strs(d, i);
            return NULL;
        }
    }
    return d;
}

static bool name_char(char c, bool first, bool colon)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
        return true;
    if (colon && c == ':')
        return true;
    return !first && c >= '0' && c <= '9';
}

int tl_prom_name_ok(const char *name)
{
    if (name == NULL || name[0] == '\0')
        return 0;
    for (size_t i = 0; name[i] != '\0'; i++)
        if (!name_char(name[i], i == 0, true))
            return 0;
    return 1;
}

int tl_prom_label_name_ok(const char *name)
{
    if (name == NULL || name[0] == '\0' || strncmp(name, "__", 2) == 0)
        return 0;
    for (size_t i = 0; name[i] != '\0'; i++)
        if (!name_char(name[i], i == 0, false))
            return 0;
    return 1;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Whether a family of this type and name produces sample name `sample` (its own name, or a
 * histogram's _bucket, _sum and _count). */
static bool owns(tl_prom_type type, const char *name, const char *sample)
{
    size_t n = strlen(name);
    if (strcmp(sample, name) == 0)
        return true;
    if (type != TL_PROM_HISTOGRAM || strncmp(sample, name, n) != 0)
        return false;
    const char *rest = sample + n;
    return strcmp(rest, "_bucket") == 0 || strcmp(rest, "_sum") == 0 || strcmp(rest, "_count") == 0;
}

/* Whether the sample names of two families meet: either owns a name the other produces. */
static bool families_meet(tl_prom_type ta, const char *a, tl_prom_type tb, const char *b)
{
    static const char *const suffix[] = {"", "_bucket", "_sum", "_count"};
    char buf[256];
    for (int side = 0; side < 2; side++) {
        tl_prom_type t = side == 0 ? ta : tb;
        const char *name = side == 0 ? a : b;
        size_t n = strlen(name);
        for (size_t k = 0; k < (t == TL_PROM_HISTOGRAM ? 4u : 1u); k++) {
            size_t m = strlen(suffix[k]);
            if (n + m >= sizeof(buf))
                continue; /* names are at most 200 bytes (checked) */
            memcpy(buf, name, n);
            memcpy(buf + n, suffix[k], m + 1);
            if (side == 0 ? owns(tb, b, buf) : owns(ta, a, buf))
                return true;
        }
    }
    return false;
}

/* The existing family whose sample names a new one would share, or NULL. */
static const char *collision(const tl_prom *r, tl_prom_type type, const char *name)
{
    for (size_t i = 0; i < r->n_fams; i++)
        if (families_meet(r->fams[i]->type, r->fams[i]->name, type, name))
            return r->fams[i]->name;
    return NULL;
}

static int check_family(const tl_prom *r, tl_prom_type type, const char *name, const char *help,
                        const char *const *labels, size_t n_labels, const int64_t *bounds,
                        size_t n_bounds, unsigned decimals, tl_err *err)
{
    if (type != TL_PROM_COUNTER && type != TL_PROM_GAUGE && type != TL_PROM_HISTOGRAM)
        return tl_err_set(err, TL_EINVAL, "metric type %d unknown", (int)type);
    if (!tl_prom_name_ok(name))
        return tl_err_set(err, TL_EINVAL, "metric name '%s' is not [a-zA-Z_:][a-zA-Z0-9_:]*",
                          name != NULL ? name : "(null)");
    if (strlen(name) > 200)
        return tl_err_set(err, TL_EINVAL, "metric name '%.40s...' longer than 200", name);
    if (help == NULL)
        return tl_err_set(err, TL_EINVAL, "metric %s has no help text", name);
    if (type == TL_PROM_COUNTER && !ends_with(name, "_total"))
        return tl_err_set(err, TL_EINVAL, "counter %s does not end in _total", name);
    if (n_labels > TL_PROM_MAX_LABELS)
        return tl_err_set(err, TL_EINVAL, "metric %s has %zu labels, at most %d", name, n_labels,
                          TL_PROM_MAX_LABELS);
    for (size_t i = 0; i < n_labels; i++) {
        if (!tl_prom_label_name_ok(labels[i]))
            return tl_err_set(err, TL_EINVAL, "metric %s: label name '%s' is not valid", name,
                              labels[i] != NULL ? labels[i] : "(null)");
        if (type == TL_PROM_HISTOGRAM && strcmp(labels[i], "le") == 0)
            return tl_err_set(err, TL_EINVAL, "histogram %s: label 'le' is reserved", name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(labels[i], labels[j]) == 0)
                return tl_err_set(err, TL_EINVAL, "metric %s: label %s twice", name, labels[i]);
    }
    if (decimals > TL_PROM_MAX_DECIMALS)
        return tl_err_set(err, TL_EINVAL, "metric %s: %u decimals, at most %d", name, decimals,
                          TL_PROM_MAX_DECIMALS);
    if (type == TL_PROM_HISTOGRAM) {
        if (bounds == NULL || n_bounds == 0)
            return tl_err_set(err, TL_EINVAL, "histogram %s has no bucket bounds", name);
        for (size_t i = 1; i < n_bounds; i++)
            if (bounds[i] <= bounds[i - 1])
                return tl_err_set(err, TL_EINVAL, "histogram %s: bounds not strictly ascending",
                                  name);
    }
    const char *other = collision(r, type, name);
    if (other != NULL)
        return tl_err_set(err, TL_EINVAL, "metric %s collides with metric %s", name, other);
    return 0;
}

static void free_series(tl_prom_series *s, size_t n_labels)
{
    if (s == NULL)
        return;
    free_strs(s->values, n_labels);
    free(s->buckets);
    free(s);
}

static void free_family(tl_prom_family *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n_series; i++)
        free_series(f->series[i], f->n_labels);
    free(f->series);
    free_strs(f->labels, f->n_labels);
    free(f->bounds);
    free(f->help);
    free(f->name);
    free(f);
}

void tl_prom_init(tl_prom *r)
{
    memset(r, 0, sizeof(*r));
}

void tl_prom_close(tl_prom *r)
{
    for (size_t i = 0; i < r->n_fams; i++)
        free_family(r->fams[i]);
    free(r->fams);
    memset(r, 0, sizeof(*r));
}

int tl_prom_family_add(tl_prom *r, tl_prom_type type, const char *name, const char *help,
                       const char *const *labels, size_t n_labels, const int64_t *bounds,
                       size_t n_bounds, unsigned decimals, tl_prom_family **out, tl_err *err)
{
    int rc = check_family(r, type, name, help, labels, n_labels, bounds, n_bounds, decimals, err);
    if (rc != 0)
        return rc;
    if (type != TL_PROM_HISTOGRAM)
        n_bounds = 0;
    if (TL_VEC_RESERVE(&r->fams, &r->cap_fams, r->n_fams + 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "metric %s: out of memory", name);
    tl_prom_family *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return tl_err_set(err, TL_ENOMEM, "metric %s: out of memory", name);
    f->type = type;
    f->n_labels = n_labels;
    f->n_bounds = n_bounds;
    f->decimals = decimals;
    f->name = strdup(name);
    f->help = strdup(help);
    f->labels = dup_strs(labels, n_labels);
    if (n_bounds > 0 && (f->bounds = malloc(n_bounds * sizeof(*f->bounds))) != NULL)
        memcpy(f->bounds, bounds, n_bounds * sizeof(*f->bounds));
    tl_prom_series *only = NULL;
    if (f->name == NULL || f->help == NULL || f->labels == NULL ||
        (n_bounds > 0 && f->bounds == NULL) ||
        (n_labels == 0 && tl_prom_series_get(f, NULL, &only, err) != 0)) {
        free_family(f);
        return tl_err_set(err, TL_ENOMEM, "metric %s: out of memory", name);
    }
    r->fams[r->n_fams++] = f;
    if (out != NULL)
        *out = f;
    return 0;
}

static bool same_values(const tl_prom_family *f, const tl_prom_series *s, const char *const *v)
{
    for (size_t i = 0; i < f->n_labels; i++)
        if (strcmp(s->values[i], v[i]) != 0)
            return false;
    return true;
}

int tl_prom_series_get(tl_prom_family *f, const char *const *values, tl_prom_series **out,
                       tl_err *err)
{
    for (size_t i = 0; i < f->n_labels; i++)
        if (values == NULL || values[i] == NULL)
            return tl_err_set(err, TL_EINVAL, "metric %s: label %s has no value", f->name,
                              f->labels[i]);
    for (size_t i = 0; i < f->n_series; i++) {
        if (same_values(f, f->series[i], values)) {
            *out = f->series[i];
            return 0;
        }
    }
    if (TL_VEC_RESERVE(&f->series, &f->cap_series, f->n_series + 1) != 0)
        return tl_err_set(err, TL_ENOMEM, "metric %s: out of memory", f->name);
    tl_prom_series *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return tl_err_set(err, TL_ENOMEM, "metric %s: out of memory", f->name);
    s->fam = f;
    s->values = dup_strs(values, f->n_labels);
    if (f->type == TL_PROM_HISTOGRAM)
        s->buckets = calloc(f->n_bounds + 1, sizeof(*s->buckets));
    if (s->values == NULL || (f->type == TL_PROM_HISTOGRAM && s->buckets == NULL)) {
        free_series(s, f->n_labels);
        return tl_err_set(err, TL_ENOMEM, "metric %s: out of memory", f->name);
    }
    f->series[f->n_series++] = s;
    *out = s;
    return 0;
}

void tl_prom_counter_add(tl_prom_series *s, uint64_t n)
{
    assert(s->fam->type == TL_PROM_COUNTER);
    s->count += n;
}

void tl_prom_gauge_set(tl_prom_series *s, int64_t v)
{
    assert(s->fam->type == TL_PROM_GAUGE);
    s->value = v;
}

void tl_prom_gauge_add(tl_prom_series *s, int64_t delta)
{
    assert(s->fam->type == TL_PROM_GAUGE);
    s->value += delta;
}

void tl_prom_observe(tl_prom_series *s, int64_t v)
{
    const tl_prom_family *f = s->fam;
    assert(f->type == TL_PROM_HISTOGRAM);
    /* the first bucket whose upper bound holds v (le is inclusive); binary search */
    size_t lo = 0, hi = f->n_bounds;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->bounds[mid] >= v)
            hi = mid;
        else
            lo = mid + 1;
    }
    s->buckets[lo]++;
    s->count++;
    s->sum += v;
}

/* --- the writer ---------------------------------------------------------------------------- */

typedef struct wr {
    tl_prom_text *t;
    int err;
} wr;

static void put(wr *w, const char *s, size_t n)
{
    if (w->err != 0)
        return;
    if (TL_VEC_RESERVE(&w->t->buf, &w->t->cap, w->t->len + n + 1) != 0) {
        w->err = TL_ENOMEM;
        return;
    }
    memcpy(w->t->buf + w->t->len, s, n);
    w->t->len += n;
    w->t->buf[w->t->len] = '\0';
}

static void puts_(wr *w, const char *s)
{
    put(w, s, strlen(s));
}

/* HELP text escapes backslash and newline; label values also the double quote. */
static void put_escaped(wr *w, const char *s, bool quote)
{
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '\\')
            puts_(w, "\\\\");
        else if (*p == '\n')
            puts_(w, "\\n");
        else if (quote && *p == '"')
            puts_(w, "\\\"");
        else
            put(w, p, 1);
    }
}

/* v in units of 10^-decimals as an exact decimal, trailing zeros trimmed ("0.005", "-12", "0"). */
static void put_scaled(wr *w, __int128 v, unsigned decimals)
{
    char digits[64];
    size_t n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u != 0);
    while (n <= decimals) /* at least one digit before the point */
        digits[n++] = '0';
    size_t frac_end = 0; /* digits[0..frac_end) are trailing fraction zeros, dropped */
    while (frac_end < decimals && digits[frac_end] == '0')
        frac_end++;
    char out[80];
    size_t k = 0;
    if (neg)
        out[k++] = '-';
    for (size_t i = n; i > decimals; i--)
        out[k++] = digits[i - 1];
    if (frac_end < decimals) {
        out[k++] = '.';
        for (size_t i = decimals; i > frac_end; i--)
            out[k++] = digits[i - 1];
    }
    put(w, out, k);
}

static void put_labels(wr *w, const tl_prom_family *f, const tl_prom_series *s, const char *le,
                       size_t le_len)
{
    if (f->n_labels == 0 && le == NULL)
        return;
    puts_(w, "{");
    for (size_t i = 0; i < f->n_labels; i++) {
        if (i > 0)
            puts_(w, ",");
        puts_(w, f->labels[i]);
        puts_(w, "=\"");
        put_escaped(w, s->values[i], true);
        puts_(w, "\"");
    }
    if (le != NULL) {
        if (f->n_labels > 0)
            puts_(w, ",");
        puts_(w, "le=\"");
        put(w, le, le_len);
        puts_(w, "\"");
    }
    puts_(w, "}");
}

static void put_histogram(wr *w, const tl_prom_family *f, const tl_prom_series *s)
{
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= f->n_bounds; b++) {
        tl_prom_text le = {0};
        wr lw = {&le, 0};
        if (b < f->n_bounds)
            put_scaled(&lw, f->bounds[b], f->decimals);
        else
            puts_(&lw, "+Inf");
        if (lw.err != 0) {
            w->err = lw.err;
            free(le.buf);
            return;
        }
        cumulative += s->buckets[b];
        puts_(w, f->name);
        puts_(w, "_bucket");
        put_labels(w, f, s, le.buf, le.len);
        puts_(w, " ");
        put_scaled(w, cumulative, 0);
        puts_(w, "\n");
        free(le.buf);
    }
    puts_(w, f->name);
    puts_(w, "_sum");
    put_labels(w, f, s, NULL, 0);
    puts_(w, " ");
    put_scaled(w, s->sum, f->decimals);
    puts_(w, "\n");
    puts_(w, f->name);
    puts_(w, "_count");
    put_labels(w, f, s, NULL, 0);
    puts_(w, " ");
    put_scaled(w, s->count, 0);
    puts_(w, "\n");
}

static const char *type_name(tl_prom_type t)
{
    return t == TL_PROM_COUNTER ? "counter" : t == TL_PROM_GAUGE ? "gauge" : "histogram";
}

int tl_prom_write(const tl_prom *r, tl_prom_text *out, tl_err *err)
{
    size_t len0 = out->len;
    wr w = {out, 0};
    for (size_t i = 0; i < r->n_fams; i++) {
        const tl_prom_family *f = r->fams[i];
        puts_(&w, "# HELP ");
        puts_(&w, f->name);
        puts_(&w, " ");
        put_escaped(&w, f->help, false);
        puts_(&w, "\n# TYPE ");
        puts_(&w, f->name);
        puts_(&w, " ");
        puts_(&w, type_name(f->type));
        puts_(&w, "\n");
        for (size_t j = 0; j < f->n_series; j++) {
            const tl_prom_series *s = f->series[j];
            if (f->type == TL_PROM_HISTOGRAM) {
                put_histogram(&w, f, s);
                continue;
            }
            puts_(&w, f->name);
            put_labels(&w, f, s, NULL, 0);
            puts_(&w, " ");
            if (f->type == TL_PROM_COUNTER)
                put_scaled(&w, s->count, 0);
            else
                put_scaled(&w, s->value, f->decimals);
            puts_(&w, "\n");
        }
    }
    if (w.err != 0) {
        out->len = len0;
        if (out->buf != NULL)
            out->buf[len0] = '\0';
        return tl_err_set(err, w.err, "metrics exposition: out of memory");
    }
    return 0;
}
