/*
 * requantize.c - int32 -> int8/uint8 requantization (the VEC REQ op) and int8/uint8
 * rescaling, plus the multiplier preparation for per-channel requantization.
 *
 *   dlp_requant_prepare: mult[c], shift[c] = quantize_multiplier(in_scale*w_scale[c]/out_scale)
 *   dlp_requantize:      y[i] = clamp(zp + mbqm(x[i] + bias[c], mult[c], shift[c]), lo, hi),
 *                        c = i % channels (channel innermost, NHWC / [..][n]); the bias add
 *                        and the offset add wrap mod 2^32 (dlp_requant_lane).
 *   dlp_rescale:         y[i] = clamp(zp + mbqm(x[i] - x_zp, mult[0], shift[0]), lo, hi),
 *                        int8/uint8 in, int8/uint8 out; the caller prepares mult[0]/shift[0]
 *                        from in_scale/out_scale.
 */
#include "ops_internal.h"

int dlp_requant_prepare(double in_scale, const float *w_scale, int n, double out_scale,
                        int32_t *mult, int32_t *shift)
{
    int32_t m, s;
    if (!w_scale || !mult || !shift || n < 1)
        return DLP_E_ARG;
    if (!dlp__scale_ok(in_scale) || !dlp__scale_ok(out_scale))
        return DLP_E_ARG;
    /* First pass checks everything, so that nothing is written on error. */
    for (int c = 0; c < n; c++) {
        const double ws = (double)w_scale[c];
        if (!isfinite(ws) || ws < 0.0)
            return DLP_E_ARG;
        if (dlp__qm(in_scale * ws / out_scale, &m, &s) != DLP_OK)
            return DLP_E_ARG;
    }
    for (int c = 0; c < n; c++) {
        (void)dlp__qm(in_scale * (double)w_scale[c] / out_scale, &m, &s);
        mult[c] = m;
        shift[c] = s;
    }
    return DLP_OK;
}

int dlp_requantize(size_t count, int channels, const int32_t *x, const int32_t *bias,
                   const dlp_requant *rq, void *y)
{
    if (!x || !y || channels < 1 || !dlp__rq_ok(rq, channels, 1))
        return DLP_E_ARG;
    if (count % (size_t)channels != 0)
        return DLP_E_SHAPE;
    for (size_t i = 0; i < count; i++) {
        const int c = (int)(i % (size_t)channels);
        const int r = rq->n == 1 ? 0 : c;
        const int32_t v = dlp_requant_lane(x[i], bias ? bias[c] : 0, rq->mult[r], rq->shift[r],
                                           rq->zp, rq->lo, rq->hi);
        dlp_st(y, rq->type, i, v);
    }
    return DLP_OK;
}

int dlp_rescale(size_t count, const void *x, dlp_dtype xt, int32_t x_zp, void *y,
                const dlp_requant *rq_tensor)
{
    if (!x || !y || !dlp__zp_ok(x_zp, xt) || !dlp__rq_ok(rq_tensor, 1, 1) || rq_tensor->n != 1)
        return DLP_E_ARG;
    for (size_t i = 0; i < count; i++) {
        const int32_t v =
            dlp_requant_lane(dlp_ld(x, xt, i) - x_zp, 0, rq_tensor->mult[0], rq_tensor->shift[0],
                             rq_tensor->zp, rq_tensor->lo, rq_tensor->hi);
        dlp_st(y, rq_tensor->type, i, v);
    }
    return DLP_OK;
}
