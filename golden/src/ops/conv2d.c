/*
 * conv2d.c - 2-D convolution (ONNX ConvInteger + bias, QLinearConv).
 *
 *   acc[n][oy][ox][co] = bias[co]
 *       + sum_{ky,kx,ci} (x[n][iy][ix][g*cin_g + ci] - x_zp) * (w[co][ky][kx][ci] - w_zp[co])
 *   iy = oy*stride_h - pad_t + ky*dil_h, ix = ox*stride_w - pad_l + kx*dil_w
 *   g = co / cout_g, cin_g = c / groups, cout_g = cout / groups
 *
 * Layouts: x NHWC, w OHWI [cout][kh][kw][cin_g], acc/y NHWC with cout channels.
 * Positions outside the input (padding) are the input zero point, so they add nothing
 * and are skipped. Elements are int8 or uint8; zero points lie in their element type's
 * range, so every product fits in 17 bits; the int32 sum wraps mod 2^32 (uint32 math).
 * bias (cout entries) may be NULL. dlp_conv2d_q requantizes each accumulator with
 * dlp_requant_lane (per channel or per tensor multiplier).
 */
#include "ops_internal.h"

typedef struct {
    const dlp_conv_shape *s;
    int oh, ow;
    const void *x;
    dlp_dtype xt;
    int32_t x_zp;
    const void *w;
    dlp_dtype wt;
    const int32_t *w_zp;
    int w_zp_n;
    const int32_t *bias;
} conv_args;

static int out_size(int in, int pad0, int pad1, int k, int dil, int stride, int *out)
{
    int64_t span = (int64_t)in + pad0 + pad1 - (int64_t)dil * (k - 1) - 1;
    if (span < 0)
        return DLP_E_SHAPE;
    int64_t o = span / stride + 1; /* span >= 0: C division is floor */
    if (o > INT32_MAX)
        return DLP_E_SHAPE;
    *out = (int)o;
    return DLP_OK;
}

int dlp_conv_out_hw(const dlp_conv_shape *s, int *oh, int *ow)
{
    int h, w, st;
    if (!s || !oh || !ow)
        return DLP_E_ARG;
    if (s->stride_h < 1 || s->stride_w < 1 || s->dil_h < 1 || s->dil_w < 1 || s->pad_t < 0 ||
        s->pad_l < 0 || s->pad_b < 0 || s->pad_r < 0)
        return DLP_E_ARG;
    if (s->n < 1 || s->h < 1 || s->w < 1 || s->c < 1 || s->cout < 1 || s->kh < 1 || s->kw < 1)
        return DLP_E_SHAPE;
    st = out_size(s->h, s->pad_t, s->pad_b, s->kh, s->dil_h, s->stride_h, &h);
    if (st != DLP_OK)
        return st;
    st = out_size(s->w, s->pad_l, s->pad_r, s->kw, s->dil_w, s->stride_w, &w);
    if (st != DLP_OK)
        return st;
    *oh = h;
    *ow = w;
    return DLP_OK;
}

static int conv_check(conv_args *a)
{
    const dlp_conv_shape *s = a->s;
    int st = dlp_conv_out_hw(s, &a->oh, &a->ow);
    if (st != DLP_OK)
        return st;
    if (!a->x || !a->w || !a->w_zp)
        return DLP_E_ARG;
    if (s->groups < 1 || s->c % s->groups != 0 || s->cout % s->groups != 0)
        return DLP_E_ARG;
    if (!dlp__zp_ok(a->x_zp, a->xt) || !dlp__dtype_ok(a->wt))
        return DLP_E_ARG;
    if (a->w_zp_n != 1 && a->w_zp_n != s->cout)
        return DLP_E_ARG;
    for (int i = 0; i < a->w_zp_n; i++)
        if (!dlp__zp_ok(a->w_zp[i], a->wt))
            return DLP_E_ARG;
    return DLP_OK;
}

/* The accumulator of one output element. */
static int32_t conv_point(const conv_args *a, int b, int oy, int ox, int co)
{
    const dlp_conv_shape *s = a->s;
    const int cin_g = s->c / s->groups;
    const int cout_g = s->cout / s->groups;
    const int g = co / cout_g;
    const int32_t wzp = a->w_zp[a->w_zp_n == 1 ? 0 : co];
    uint32_t acc = a->bias ? (uint32_t)a->bias[co] : 0u;

    for (int ky = 0; ky < s->kh; ky++) {
        const int iy = oy * s->stride_h - s->pad_t + ky * s->dil_h;
        if (iy < 0 || iy >= s->h)
            continue;
        for (int kx = 0; kx < s->kw; kx++) {
            const int ix = ox * s->stride_w - s->pad_l + kx * s->dil_w;
            if (ix < 0 || ix >= s->w)
                continue;
            const size_t xbase = (((size_t)b * s->h + iy) * s->w + ix) * s->c + (size_t)g * cin_g;
            const size_t wbase = (((size_t)co * s->kh + ky) * s->kw + kx) * cin_g;
            for (int ci = 0; ci < cin_g; ci++) {
                const int32_t xv = dlp_ld(a->x, a->xt, xbase + ci) - a->x_zp;
                const int32_t wv = dlp_ld(a->w, a->wt, wbase + ci) - wzp;
                acc += (uint32_t)(xv * wv);
            }
        }
    }
    return (int32_t)acc;
}

int dlp_conv2d_acc(const dlp_conv_shape *s, const void *x, dlp_dtype xt, int32_t x_zp,
                   const void *w, dlp_dtype wt, const int32_t *w_zp, int w_zp_n,
                   const int32_t *bias, int32_t *acc)
{
    conv_args a = {s, 0, 0, x, xt, x_zp, w, wt, w_zp, w_zp_n, bias};
    int st = conv_check(&a);
    if (st != DLP_OK)
        return st;
    if (!acc)
        return DLP_E_ARG;
    size_t o = 0;
    for (int b = 0; b < s->n; b++)
        for (int oy = 0; oy < a.oh; oy++)
            for (int ox = 0; ox < a.ow; ox++)
                for (int co = 0; co < s->cout; co++)
                    acc[o++] = conv_point(&a, b, oy, ox, co);
    return DLP_OK;
}

int dlp_conv2d_q(const dlp_conv_shape *s, const void *x, dlp_dtype xt, int32_t x_zp, const void *w,
                 dlp_dtype wt, const int32_t *w_zp, int w_zp_n, const int32_t *bias,
                 const dlp_requant *rq, void *y)
{
    conv_args a = {s, 0, 0, x, xt, x_zp, w, wt, w_zp, w_zp_n, bias};
    int st = conv_check(&a);
    if (st != DLP_OK)
        return st;
    if (!y || !dlp__rq_ok(rq, s->cout, 1))
        return DLP_E_ARG;
    size_t o = 0;
    for (int b = 0; b < s->n; b++)
        for (int oy = 0; oy < a.oh; oy++)
            for (int ox = 0; ox < a.ow; ox++)
                for (int co = 0; co < s->cout; co++) {
                    const int r = rq->n == 1 ? 0 : co;
                    const int32_t v =
                        dlp_requant_lane(conv_point(&a, b, oy, ox, co), 0, rq->mult[r],
                                         rq->shift[r], rq->zp, rq->lo, rq->hi);
                    dlp_st(y, rq->type, o++, v);
                }
    return DLP_OK;
}
