/*
 * tz.c -- TZif files (RFC 8536) into a transition table; the offset at an instant.
 *
 * The file is read whole (at most TL_TZ_FILE_MAX) and parsed from memory, so the parser that
 * the fuzzer drives (tl_tz_load_buf) is the one every zone goes through.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"
#include "core/tz.h"

/* Offsets beyond +/-26 hours exist in no zone; RFC 8536 only forbids -2^31. Refusing them keeps
 * local time arithmetic far from overflow. */
#define OFF_LIMIT (26 * 3600)

static int tz_name_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '-' || c == '/';
}

static int name_check(const char *name, tl_err *err)
{
    if (name == NULL || name[0] == '\0')
        return tl_err_set(err, TL_EINVAL, "time zone: empty (an IANA name like Europe/Zurich)");
    size_t len = strnlen(name, TL_TZ_NAME_MAX);
    if (len >= TL_TZ_NAME_MAX)
        return tl_err_set(err, TL_EINVAL, "time zone: longer than %d characters",
                          TL_TZ_NAME_MAX - 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!tz_name_char(c))
            return tl_err_set(err, TL_EINVAL,
                              "time zone '%s': invalid character 0x%02x at position %zu "
                              "(allowed: [A-Za-z0-9_+-/])",
                              name, c, i + 1);
    }
    if (name[0] == '/' || name[len - 1] == '/' || strstr(name, "//") != NULL)
        return tl_err_set(err, TL_EINVAL,
                          "time zone '%s': a relative name like Europe/Zurich, without empty parts",
                          name);
    return 0;
}

int tl_tz_name_validate(const char *name, tl_err *err)
{
    int rc = name_check(name, err);
    if (rc != 0)
        tl__err_printable(err); /* the messages quote the name */
    return rc;
}

void tl_tz_init_utc(tl_tz *tz)
{
    memset(tz, 0, sizeof *tz);
    strcpy(tz->name, "UTC");
    tz->n_types = 1;
    tz->rule.valid = true; /* std_off 0, no daylight time */
}

void tl_tz_close(tl_tz *tz)
{
    free(tz->trans);
    tz->trans = NULL;
    tz->trans_type = NULL;
    tz->n_trans = 0;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The six counts of a header, and the size of the data block they announce. */
typedef struct header {
    uint32_t isut, isstd, leap, time, type, chars;
    uint64_t data_len;
} header;

static int read_header(const uint8_t *p, size_t avail, int time_size, header *h, tl_err *err)
{
    if (avail < 44 || memcmp(p, "TZif", 4) != 0)
        return tl_err_set(err, TL_ECORRUPT, "not a TZif file (no 'TZif' header)");
    h->isut = be32(p + 20);
    h->isstd = be32(p + 24);
    h->leap = be32(p + 28);
    h->time = be32(p + 32);
    h->type = be32(p + 36);
    h->chars = be32(p + 40);
    if (h->type == 0 || h->type > TL_TZ_TYPES_MAX || h->chars == 0)
        return tl_err_set(err, TL_ECORRUPT, "TZif: %u local time types, %u designation bytes",
                          h->type, h->chars);
    if ((h->isut != 0 && h->isut != h->type) || (h->isstd != 0 && h->isstd != h->type))
        return tl_err_set(err, TL_ECORRUPT, "TZif: indicator counts differ from the type count");
    /* 64-bit sums of 32-bit counts cannot overflow. */
    h->data_len = (uint64_t)h->time * (uint64_t)(time_size + 1) + (uint64_t)h->type * 6 + h->chars +
                  (uint64_t)h->leap * (uint64_t)(time_size + 4) + h->isstd + h->isut;
    if (h->data_len > avail - 44)
        return tl_err_set(err, TL_ECORRUPT, "TZif: truncated (%llu data bytes announced, %zu left)",
                          (unsigned long long)h->data_len, avail - 44);
    return 0;
}

/* Reads one data block (after its header) into tz's tables. */
static int read_data(tl_tz *tz, const uint8_t *p, const header *h, int time_size, tl_err *err)
{
    if (h->leap != 0)
        return tl_err_set(err, TL_ENOTSUP, "TZif: leap-second zones (right/...) are not supported");
    const uint8_t *times = p, *idx = p + (size_t)h->time * (size_t)time_size;
    const uint8_t *types = idx + h->time;
    for (uint32_t k = 0; k < h->type; k++) {
        int32_t off = (int32_t)be32(types + 6 * k);
        if (off <= -OFF_LIMIT || off >= OFF_LIMIT)
            return tl_err_set(err, TL_ECORRUPT, "TZif: offset %d s of type %u out of range", off,
                              k);
        if (types[6 * k + 5] >= h->chars)
            return tl_err_set(err, TL_ECORRUPT, "TZif: designation of type %u out of range", k);
        tz->type_off[k] = off;
    }
    tz->n_types = h->type;
    if (h->time == 0)
        return 0;
    int64_t *trans = malloc((size_t)h->time * (sizeof(int64_t) + 1));
    if (trans == NULL)
        return tl_err_set(err, TL_ENOMEM, "TZif: no memory for %u transitions", h->time);
    uint8_t *tt = (uint8_t *)(trans + h->time);
    for (uint32_t k = 0; k < h->time; k++) {
        trans[k] = time_size == 8 ? be64(times + 8 * k) : (int32_t)be32(times + 4 * k);
        tt[k] = idx[k];
        int unknown = tt[k] >= h->type;
        if (unknown || (k > 0 && trans[k] <= trans[k - 1])) {
            free(trans);
            return tl_err_set(err, TL_ECORRUPT, "TZif: transition %u %s", k,
                              unknown ? "names an unknown type" : "out of order");
        }
    }
    tz->trans = trans;
    tz->trans_type = tt;
    tz->n_trans = h->time;
    return 0;
}

int tl_tz_load_buf(tl_tz *tz, const uint8_t *buf, size_t len, tl_err *err)
{
    tl_tz t;
    header h;
    memset(&t, 0, sizeof t);
    if (buf == NULL)
        len = 0;
    int rc = read_header(buf, len, 4, &h, err);
    if (rc != 0)
        return rc;
    char version = (char)buf[4];
    if (version == '\0')
        rc = read_data(&t, buf + 44, &h, 4, err);
    else if (version >= '2' && version <= '4') {
        /* Version 2+: skip the 32-bit block, read the 64-bit one, then the footer. */
        size_t at = 44 + (size_t)h.data_len;
        if ((rc = read_header(buf + at, len - at, 8, &h, err)) != 0)
            return rc;
        at += 44;
        if ((rc = read_data(&t, buf + at, &h, 8, err)) != 0)
            return rc;
        at += (size_t)h.data_len;
        const uint8_t *nl = at < len ? memchr(buf + at + 1, '\n', len - at - 1) : NULL;
        if (at >= len || buf[at] != '\n' || nl == NULL || (size_t)(nl - buf) + 1 != len) {
            tl_tz_close(&t);
            return tl_err_set(err, TL_ECORRUPT, "TZif: footer missing or not at the end");
        }
        size_t flen = (size_t)(nl - buf) - at - 1;
        if (flen > 0 &&
            (rc = tl_tz_rule_parse((const char *)buf + at + 1, flen, &t.rule, err)) != 0) {
            tl_tz_close(&t);
            return rc;
        }
    } else {
        return tl_err_set(err, TL_ECORRUPT, "TZif: unknown version byte 0x%02x",
                          (unsigned char)version);
    }
    if (rc != 0)
        return rc;
    if (t.rule.valid && (t.rule.std_off <= -OFF_LIMIT || t.rule.std_off >= OFF_LIMIT ||
                         t.rule.dst_off <= -OFF_LIMIT || t.rule.dst_off >= OFF_LIMIT)) {
        tl_tz_close(&t);
        return tl_err_set(err, TL_ECORRUPT, "TZif: footer offset out of range");
    }
    *tz = t;
    return 0;
}

/* Reads the whole file; *out is malloc'ed (caller frees). */
static int read_file(const char *path, const char *name, uint8_t **out, size_t *len, tl_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return tl_err_set(err, TL_ENOTFOUND, "time zone '%s': not found in %s", name,
                              TL_TZ_DIR);
        return tl_err_set(err, TL_EIO, "time zone '%s': %s", name, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > TL_TZ_FILE_MAX) {
        close(fd);
        return tl_err_set(err, TL_ENOTFOUND, "time zone '%s': not a zone file", name);
    }
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    size_t n = 0;
    while (buf != NULL && n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (buf == NULL || n != (size_t)st.st_size) {
        free(buf);
        return tl_err_set(err, buf ? TL_EIO : TL_ENOMEM, "time zone '%s': cannot read %s", name,
                          path);
    }
    *out = buf;
    *len = n;
    return 0;
}

int tl_tz_load(tl_tz *tz, const char *name, tl_err *err)
{
    int rc = tl_tz_name_validate(name, err);
    if (rc != 0)
        return rc;
    if (strcmp(name, "UTC") == 0) {
        tl_tz_init_utc(tz);
        return 0;
    }
    char path[sizeof TL_TZ_DIR + TL_TZ_NAME_MAX];
    snprintf(path, sizeof path, "%s/%s", TL_TZ_DIR, name);
    uint8_t *buf;
    size_t len;
    if ((rc = read_file(path, name, &buf, &len, err)) != 0)
        return rc;
    tl_tz t;
    tl_err inner;
    rc = tl_tz_load_buf(&t, buf, len, &inner);
    free(buf);
    if (rc != 0)
        return tl_err_set(err, rc, "time zone '%s': %s", name, inner.msg);
    snprintf(t.name, sizeof t.name, "%s", name);
    *tz = t;
    return 0;
}

int32_t tl_tz_offset(const tl_tz *tz, int64_t utc_ns)
{
    int64_t s = utc_ns / 1000000000LL - (utc_ns % 1000000000LL < 0);
    if (tz->n_trans == 0 || s < tz->trans[0])
        return tz->n_trans == 0 && tz->rule.valid ? tl_tz_rule_offset(&tz->rule, s)
                                                  : tz->type_off[0];
    if (s >= tz->trans[tz->n_trans - 1] && tz->rule.valid)
        return tl_tz_rule_offset(&tz->rule, s);
    /* The last transition at or before s. */
    uint32_t lo = 0, hi = tz->n_trans; /* trans[lo] <= s < trans[hi] (hi may be the end) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= s)
            lo = mid;
        else
            hi = mid;
    }
    return tz->type_off[tz->trans_type[lo]];
}
