/*
 * pool.c - max / average / global average pooling (ONNX MaxPool, AveragePool,
 * GlobalAveragePool on quantized NHWC data).
 *
 * Window of output (oy, ox): input rows iy = oy*stride_h - pad_t + ky*dil_h (ky < kh) and
 * columns ix = ox*stride_w - pad_l + kx*dil_w (kx < kw); "valid" taps lie inside the input.
 * Output size per ONNX: floor((in + pads - dil*(k-1) - 1) / stride) + 1, or with ceil_mode
 * ceil(...) + 1 reduced by one when the last window would start at or past
 * in + pad_begin (the ONNX / PyTorch rule, so no window starts in the end padding).
 *
 *   maxpool:  y = max over the valid taps (padding never wins). A window without valid
 *             taps is an error (DLP_E_SHAPE).
 *   avgpool:  sum = sum over valid taps of (x - x_zp) (int32, wraps mod 2^32);
 *             cnt = kh*kw if count_include_pad, else the number of valid taps;
 *             (M, S) = quantize_multiplier(in_scale / (out_scale * cnt));
 *             y = clamp(zp + mbqm(sum, M, S), lo, hi)   (sum-then-REQ, not TFLite's divide)
 *             zp, lo, hi and the output type come from rq_tensor; its mult/shift are not
 *             used. Without count_include_pad a window without valid taps is DLP_E_SHAPE.
 * Layouts: x [n][h][w][c], y [n][oh][ow][c]; int8 or uint8.
 */
#include "ops_internal.h"

/* Floor / ceiling of a / b for b > 0 and any sign of a (C division truncates). */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && a < 0);
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return a / b + (a % b != 0 && a > 0);
}

static int pool_dim(int in, int p0, int p1, int k, int dil, int stride, int ceil_mode, int *out)
{
    /* span < 0 when the kernel is larger than the padded input; in ceil mode a span in
     * (-stride, 0) still gives one window (ONNX / PyTorch), which then reaches past it. */
    const int64_t span = (int64_t)in + p0 + p1 - (int64_t)dil * (k - 1) - 1;
    int64_t o = (ceil_mode ? ceil_div(span, stride) : floor_div(span, stride)) + 1;
    if (ceil_mode && (o - 1) * stride >= (int64_t)in + p0)
        o--;
    if (o < 1 || o > INT32_MAX)
        return DLP_E_SHAPE;
    *out = (int)o;
    return DLP_OK;
}

int dlp_pool_out_hw(const dlp_pool_shape *s, int *oh, int *ow)
{
    int h, w, st;
    if (!s || !oh || !ow)
        return DLP_E_ARG;
    if (s->stride_h < 1 || s->stride_w < 1 || s->dil_h < 1 || s->dil_w < 1 || s->pad_t < 0 ||
        s->pad_l < 0 || s->pad_b < 0 || s->pad_r < 0)
        return DLP_E_ARG;
    if (s->n < 1 || s->h < 1 || s->w < 1 || s->c < 1 || s->kh < 1 || s->kw < 1)
        return DLP_E_SHAPE;
    st = pool_dim(s->h, s->pad_t, s->pad_b, s->kh, s->dil_h, s->stride_h, s->ceil_mode, &h);
    if (st != DLP_OK)
        return st;
    st = pool_dim(s->w, s->pad_l, s->pad_r, s->kw, s->dil_w, s->stride_w, s->ceil_mode, &w);
    if (st != DLP_OK)
        return st;
    *oh = h;
    *ow = w;
    return DLP_OK;
}

/* Number of taps of window o (along one axis) that fall inside [0, in). */
static int valid_taps(int o, int stride, int pad, int k, int dil, int in)
{
    int v = 0;
    for (int t = 0; t < k; t++) {
        const int64_t i = (int64_t)o * stride - pad + (int64_t)t * dil;
        v += i >= 0 && i < in;
    }
    return v;
}

/* Smallest number of valid taps over all windows along one axis. */
static int min_taps(int out, int stride, int pad, int k, int dil, int in)
{
    int m = k;
    for (int o = 0; o < out; o++) {
        const int v = valid_taps(o, stride, pad, k, dil, in);
        m = v < m ? v : m;
    }
    return m;
}

int dlp_maxpool(const dlp_pool_shape *s, const void *x, dlp_dtype t, void *y)
{
    int oh, ow;
    int st = dlp_pool_out_hw(s, &oh, &ow);
    if (st != DLP_OK)
        return st;
    if (!x || !y || !dlp__dtype_ok(t))
        return DLP_E_ARG;
    if (min_taps(oh, s->stride_h, s->pad_t, s->kh, s->dil_h, s->h) == 0 ||
        min_taps(ow, s->stride_w, s->pad_l, s->kw, s->dil_w, s->w) == 0)
        return DLP_E_SHAPE;

    size_t o = 0;
    for (int b = 0; b < s->n; b++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int ch = 0; ch < s->c; ch++) {
                    int32_t m = INT32_MIN;
                    for (int ky = 0; ky < s->kh; ky++) {
                        const int iy = oy * s->stride_h - s->pad_t + ky * s->dil_h;
                        if (iy < 0 || iy >= s->h)
                            continue;
                        for (int kx = 0; kx < s->kw; kx++) {
                            const int ix = ox * s->stride_w - s->pad_l + kx * s->dil_w;
                            if (ix < 0 || ix >= s->w)
                                continue;
                            const int32_t v =
                                dlp_ld(x, t, (((size_t)b * s->h + iy) * s->w + ix) * s->c + ch);
                            m = v > m ? v : m;
                        }
                    }
                    dlp_st(y, t, o++, m);
                }
    return DLP_OK;
}

int dlp_avgpool_q(const dlp_pool_shape *s, const void *x, dlp_dtype xt, int32_t x_zp,
                  double in_scale, double out_scale, const dlp_requant *rq_tensor, void *y)
{
    int oh, ow;
    int32_t mult, shift;
    int st = dlp_pool_out_hw(s, &oh, &ow);
    if (st != DLP_OK)
        return st;
    if (!x || !y || !dlp__zp_ok(x_zp, xt) || !dlp__rq_ok(rq_tensor, s->c, 0))
        return DLP_E_ARG;
    if (!dlp__scale_ok(in_scale) || !dlp__scale_ok(out_scale))
        return DLP_E_ARG;
    /* The largest multiplier belongs to the smallest count: check it is representable. */
    const double full = (double)s->kh * (double)s->kw;
    double min_cnt = full;
    if (!s->count_include_pad) {
        min_cnt = (double)min_taps(oh, s->stride_h, s->pad_t, s->kh, s->dil_h, s->h) *
                  (double)min_taps(ow, s->stride_w, s->pad_l, s->kw, s->dil_w, s->w);
        if (min_cnt == 0.0)
            return DLP_E_SHAPE;
    }
    if (dlp__qm(in_scale / (out_scale * min_cnt), &mult, &shift) != DLP_OK)
        return DLP_E_ARG;

    size_t o = 0;
    for (int b = 0; b < s->n; b++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                const double cnt =
                    s->count_include_pad
                        ? full
                        : (double)valid_taps(oy, s->stride_h, s->pad_t, s->kh, s->dil_h, s->h) *
                              (double)valid_taps(ox, s->stride_w, s->pad_l, s->kw, s->dil_w, s->w);
                (void)dlp__qm(in_scale / (out_scale * cnt), &mult, &shift);
                for (int ch = 0; ch < s->c; ch++) {
                    uint32_t sum = 0;
                    for (int ky = 0; ky < s->kh; ky++) {
                        const int iy = oy * s->stride_h - s->pad_t + ky * s->dil_h;
                        if (iy < 0 || iy >= s->h)
                            continue;
                        for (int kx = 0; kx < s->kw; kx++) {
                            const int ix = ox * s->stride_w - s->pad_l + kx * s->dil_w;
                            if (ix < 0 || ix >= s->w)
                                continue;
                            const size_t i = (((size_t)b * s->h + iy) * s->w + ix) * s->c + ch;
                            sum += (uint32_t)(dlp_ld(x, xt, i) - x_zp);
                        }
                    }
                    const int32_t v = dlp_requant_lane((int32_t)sum, 0, mult, shift, rq_tensor->zp,
                                                       rq_tensor->lo, rq_tensor->hi);
                    dlp_st(y, rq_tensor->type, o++, v);
                }
            }
    return DLP_OK;
}

int dlp_global_avgpool_q(int n, int h, int w, int c, const void *x, dlp_dtype xt, int32_t x_zp,
                         double in_scale, double out_scale, const dlp_requant *rq_tensor, void *y)
{
    const dlp_pool_shape s = {
        .n = n,
        .h = h,
        .w = w,
        .c = c,
        .kh = h,
        .kw = w,
        .stride_h = 1,
        .stride_w = 1,
        .dil_h = 1,
        .dil_w = 1,
        .ceil_mode = 0,
        .count_include_pad = 0,
    };
    return dlp_avgpool_q(&s, x, xt, x_zp, in_scale, out_scale, rq_tensor, y);
}
