/*
 * npy.c - NumPy .npy reader and writer (dlp/npy.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/npy.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static const struct {
    const char *descr;
    const char *name;
    size_t size;
} types[] = {
    [DLP_NPY_F32] = {"<f4", "float32", 4}, [DLP_NPY_I8] = {"|i1", "int8", 1},
    [DLP_NPY_U8] = {"|u1", "uint8", 1},    [DLP_NPY_I32] = {"<i4", "int32", 4},
    [DLP_NPY_I64] = {"<i8", "int64", 8},
};

const char *dlp_npy_dtype_name(dlp_npy_dtype t)
{
    return (unsigned)t <= DLP_NPY_I64 ? types[t].name : "unknown";
}

size_t dlp_npy_dtype_size(dlp_npy_dtype t)
{
    return (unsigned)t <= DLP_NPY_I64 ? types[t].size : 0;
}

void dlp_npy_free(dlp_npy *a)
{
    if (a) {
        free(a->data);
        a->data = NULL;
    }
}

/* Find the value text after 'key': in the header dict. */
static const char *dict_value(const char *h, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(h, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

int dlp_npy_parse(const uint8_t *buf, size_t len, dlp_npy *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    if (!buf || len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return fail(err, errlen, "not a .npy file (missing \\x93NUMPY magic)");
    int major = buf[6];
    size_t hlen, hoff;
    if (major == 1) {
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
        hoff = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return fail(err, errlen, "truncated .npy header");
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
        hoff = 12;
    } else {
        return fail(err, errlen, "unsupported .npy format version %d.%d", major, buf[7]);
    }
    if (hlen > len - hoff)
        return fail(err, errlen, "truncated .npy header (%zu bytes announced, %zu present)", hlen,
                    len - hoff);
    char *h = malloc(hlen + 1);
    if (!h)
        return fail(err, errlen, "out of memory");
    memcpy(h, buf + hoff, hlen);
    h[hlen] = 0;
    int rc = -1;
    const char *v = dict_value(h, "descr");
    if (!v || (*v != '\'' && *v != '"')) {
        fail(err, errlen, "malformed .npy header: no 'descr'");
        goto out;
    }
    char descr[16] = {0};
    size_t k = 0;
    for (v++; *v && *v != '\'' && *v != '"' && k < sizeof descr - 1; v++)
        descr[k++] = *v;
    int t = -1;
    for (int i = 0; i <= DLP_NPY_I64; i++) {
        const char *d = types[i].descr;
        /* numpy writes '|i1' / '|u1' but '<i1' is equivalent */
        if (!strcmp(descr, d) || (d[0] == '|' && descr[0] == '<' && !strcmp(descr + 1, d + 1)))
            t = i;
    }
    if (t < 0) {
        fail(err, errlen,
             "unsupported .npy dtype '%s' (float32, int8, uint8, int32 or int64, little-endian)",
             descr);
        goto out;
    }
    a->dtype = (dlp_npy_dtype)t;
    v = dict_value(h, "fortran_order");
    if (!v || (strncmp(v, "False", 5) && strncmp(v, "True", 4))) {
        fail(err, errlen, "malformed .npy header: no 'fortran_order'");
        goto out;
    }
    if (!strncmp(v, "True", 4)) {
        fail(err, errlen, ".npy array is in Fortran order; save it in C order");
        goto out;
    }
    v = dict_value(h, "shape");
    if (!v || *v != '(') {
        fail(err, errlen, "malformed .npy header: no 'shape' tuple");
        goto out;
    }
    v++;
    a->count = 1;
    for (;;) {
        while (*v == ' ' || *v == ',')
            v++;
        if (*v == ')')
            break;
        if (*v < '0' || *v > '9') {
            fail(err, errlen, "malformed .npy shape");
            goto out;
        }
        if (a->rank == DLP_NPY_MAX_RANK) {
            fail(err, errlen, ".npy array has more than %d dimensions", DLP_NPY_MAX_RANK);
            goto out;
        }
        char *end;
        long long d = strtoll(v, &end, 10);
        if (d < 0 || d > (1ll << 31)) {
            fail(err, errlen, "absurd .npy dimension %lld", d);
            goto out;
        }
        a->dims[a->rank++] = d;
        if (d && a->count > ((size_t)1 << 34) / (size_t)d) {
            fail(err, errlen, ".npy array too large");
            goto out;
        }
        a->count *= (size_t)d;
        v = end;
    }
    size_t bytes = a->count * types[t].size, avail = len - hoff - hlen;
    if (bytes != avail) {
        fail(err, errlen, ".npy data is %zu bytes but shape and dtype need %zu%s", avail, bytes,
             avail < bytes ? " (truncated file)" : "");
        goto out;
    }
    a->data = malloc(bytes ? bytes : 1);
    if (!a->data) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    memcpy(a->data, buf + hoff + hlen, bytes);
    rc = 0;
out:
    free(h);
    return rc;
}

int dlp_npy_read(const char *path, dlp_npy *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, "%s: cannot open", path);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return fail(err, errlen, "%s: out of memory", path);
            }
            buf = nb;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0)
            break;
    }
    fclose(f);
    char e[200];
    int rc = dlp_npy_parse(buf, len, a, e, sizeof e);
    free(buf);
    if (rc)
        fail(err, errlen, "%s: %s", path, e);
    return rc;
}

int dlp_npy_write(const char *path, const dlp_npy *a, char *err, size_t errlen)
{
    if ((unsigned)a->dtype > DLP_NPY_I64 || a->rank < 0 || a->rank > DLP_NPY_MAX_RANK)
        return fail(err, errlen, "%s: bad array description", path);
    char h[256];
    int n = snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     types[a->dtype].descr);
    for (int i = 0; i < a->rank; i++)
        n += snprintf(h + n, sizeof h - (size_t)n, "%lld%s", (long long)a->dims[i],
                      a->rank == 1      ? ","
                      : i + 1 < a->rank ? ", "
                                        : "");
    n += snprintf(h + n, sizeof h - (size_t)n, "), }");
    size_t total = 10 + (size_t)n + 1;
    size_t padded = (total + 63) & ~(size_t)63;
    while ((size_t)n < padded - 10 - 1)
        h[n++] = ' ';
    h[n++] = '\n';
    uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)n, (uint8_t)(n >> 8)};
    FILE *f = fopen(path, "wb");
    if (!f)
        return fail(err, errlen, "%s: cannot create", path);
    size_t bytes = a->count * types[a->dtype].size;
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(h, 1, (size_t)n, f) == (size_t)n &&
             (bytes == 0 || fwrite(a->data, 1, bytes, f) == bytes);
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : fail(err, errlen, "%s: write failed", path);
}
