/*
 * clamp.c - elementwise clamp (ReLU / ReLU6 / Clip on quantized data) and the clamp
 * bounds of a fused activation (TFLite CalculateActivationRangeQuantized).
 *
 *   dlp_clamp:      y[i] = min(max(x[i], lo), hi), int8 or uint8, lo <= hi in range.
 *   dlp_act_bounds: NONE  -> [type min, type max]
 *                   RELU  -> [max(zp, type min), type max]
 *                   RELU6 -> [max(zp, type min), min(zp + round(6 / scale), type max)]
 *                   round() is half away from zero. Degenerate inputs (zp outside the
 *                   type, scale <= 0 or NaN) still give type-range bounds with lo <= hi.
 */
#include "ops_internal.h"

int dlp_clamp(size_t count, const void *x, dlp_dtype t, int32_t lo, int32_t hi, void *y)
{
    if (!x || !y || !dlp__bounds_ok(lo, hi, t))
        return DLP_E_ARG;
    for (size_t i = 0; i < count; i++)
        dlp_st(y, t, i, dlp_clamp32(dlp_ld(x, t, i), lo, hi));
    return DLP_OK;
}

void dlp_act_bounds(dlp_act act, double scale, int32_t zp, dlp_dtype type, int32_t *lo, int32_t *hi)
{
    const int32_t tmin = dlp_dtype_min(type), tmax = dlp_dtype_max(type);
    int32_t l = tmin, h = tmax;

    if (act == DLP_ACT_RELU || act == DLP_ACT_RELU6)
        l = dlp_clamp32(zp, tmin, tmax);
    if (act == DLP_ACT_RELU6 && isfinite(scale) && scale > 0.0) {
        const double top = (double)zp + round(6.0 / scale);
        if (top < (double)h)
            h = top < (double)l ? l : (int32_t)top;
    }
    if (lo)
        *lo = l;
    if (hi)
        *hi = h;
}
