/*
 * bench.c - synthetic layers built from shapes (dlp bench): the op list is made directly,
 * without ONNX, then compiled and run like a model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/quant.h"
#include "rt_internal.h"

static uint32_t rng = 12345;
static int8_t rnd8(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (int8_t)(rng >> 24);
}

static int add_qt(dlp_rt *rt, const char *name, int rank, const int64_t *d, double s, int zp)
{
    rt_qt *t = &rt->qt[rt->nqt];
    memset(t, 0, sizeof *t);
    t->name = strdup(name);
    t->rank = rank, t->count = 1;
    for (int i = 0; i < rank; i++)
        t->dims[i] = d[i], t->count *= (size_t)d[i];
    t->scale = s, t->zp = zp, t->layout = LAY_ANY;
    return rt->nqt++;
}

int dlp_rt_bench(dlp_dev *dev, const dlp_rt_bench_layer *l, dlp_rt_layer *out, char *err,
                 size_t errlen)
{
    dlp_rt *rt = dlp_rt_new();
    if (!rt)
        return snprintf(err, errlen, "out of memory"), -1;
    rt->qt = calloc(4, sizeof *rt->qt);
    rt->ops = calloc(1, sizeof *rt->ops);
    rt->capqt = 4, rt->capops = 1;
    int rc = -1;
    if (!rt->qt || !rt->ops) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    rt_op *o = &rt->ops[0];
    rt->nops = 1;
    o->name = strdup(l->kind);
    o->opname = l->kind;
    o->expr = -1;
    o->lo = -128, o->hi = 127;
    size_t wn = 0;
    int nch = 1;
    if (!strcmp(l->kind, "conv")) {
        dlp_conv_shape s = {.n = 1,
                            .h = l->a,
                            .w = l->b,
                            .c = l->c,
                            .cout = l->d,
                            .kh = l->e,
                            .kw = l->e,
                            .stride_h = l->f,
                            .stride_w = l->f,
                            .pad_t = l->e / 2,
                            .pad_l = l->e / 2,
                            .pad_b = l->e / 2,
                            .pad_r = l->e / 2,
                            .dil_h = 1,
                            .dil_w = 1,
                            .groups = 1};
        int oh, ow;
        if (dlp_conv_out_hw(&s, &oh, &ow)) {
            snprintf(err, errlen, "bad conv shape");
            goto out;
        }
        int64_t xd[4] = {1, s.c, s.h, s.w}, yd[4] = {1, s.cout, oh, ow};
        o->in[0] = add_qt(rt, "x", 4, xd, 0.05, -3);
        o->out = add_qt(rt, "y", 4, yd, 0.1, 2);
        o->kind = O_CONV, o->cs = s, nch = s.cout;
        wn = (size_t)s.cout * s.kh * s.kw * s.c;
        o->macs = (uint64_t)oh * ow * s.cout * s.c * s.kh * s.kw;
    } else if (!strcmp(l->kind, "matmul")) {
        int64_t xd[2] = {l->a, l->b}, yd[2] = {l->a, l->c};
        o->in[0] = add_qt(rt, "x", 2, xd, 0.05, -3);
        o->out = add_qt(rt, "y", 2, yd, 0.1, 2);
        o->kind = O_MATMUL, o->m = l->a, o->k = l->b, o->n = l->c, nch = l->c;
        wn = (size_t)l->b * l->c;
        o->macs = (uint64_t)l->a * l->b * l->c;
    } else if (!strcmp(l->kind, "softmax") || !strcmp(l->kind, "layernorm") ||
               !strcmp(l->kind, "lut")) {
        int64_t xd[2] = {l->a, l->b};
        o->in[0] = add_qt(rt, "x", 2, xd, 0.05, -3);
        o->out = add_qt(rt, "y", 2, xd, !strcmp(l->kind, "softmax") ? 1.0 / 256 : 0.05, -128);
        o->m = l->a, o->n = l->b;
        if (!strcmp(l->kind, "softmax")) {
            o->kind = O_SOFTMAX;
            dlp_lut_build_softmax_exp(0.05, o->lut);
            dlp_quantize_multiplier(256.0 / 1073741824.0, &o->mult0, &o->shift0);
        } else if (!strcmp(l->kind, "lut")) {
            o->kind = O_LUT;
            dlp_lut_build(DLP_FN_GELU, 0.05, -3, 0.05, -128, o->lut);
        } else {
            o->kind = O_LNORM, o->eps = 1e-5;
        }
    } else {
        snprintf(err, errlen, "unknown bench layer kind '%s'", l->kind);
        goto out;
    }
    rt->nops = 1;
    if (wn) {
        o->w = malloc(wn);
        o->bias = calloc((size_t)nch, sizeof(int32_t));
        o->mult = malloc(sizeof(int32_t) * (size_t)nch);
        o->shift = malloc(sizeof(int32_t) * (size_t)nch);
        if (!o->w || !o->bias || !o->mult || !o->shift) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < wn; i++)
            o->w[i] = rnd8();
        for (int c = 0; c < nch; c++)
            dlp_quantize_multiplier(0.0007, &o->mult[c], &o->shift[c]);
        o->nrq = nch;
    }
    rt_qt *x = &rt->qt[o->in[0]];
    x->host = malloc(x->count);
    if (!x->host) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < x->count; i++)
        x->host[i] = rnd8();
    if (rt_compile(rt, dev)) {
        snprintf(err, errlen, "%s", rt->err);
        goto out;
    }
    x->host_valid = 1;
    if (rt_exec(rt, NULL, NULL)) {
        snprintf(err, errlen, "%s", rt->err);
        goto out;
    }
    *out = rt->layers[0];
    out->name = l->kind, out->op = l->kind;
    rc = 0;
out:
    dlp_rt_free(rt);
    return rc;
}
