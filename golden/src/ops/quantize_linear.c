/*
 * quantize_linear.c - ONNX QuantizeLinear / DequantizeLinear (float <-> int8/uint8).
 * Host-side boundary ops; float arithmetic in float32 as the ONNX reference and ONNX
 * Runtime do it.
 *
 *   quantize:   q = saturate(round_half_even(x / scale) + zp)    (x / scale in float32)
 *   dequantize: x = (float)(q - zp) * scale                        (float32 product)
 *
 * Per-axis: scale and zp have axis_len entries; element i uses entry (i / inner) % axis_len
 * (inner = product of the dimensions after the axis); axis_len == 1 is per tensor.
 * zp may be NULL (zero point 0). Scales must be finite and > 0. A NaN input quantizes to
 * zp (ONNX leaves it undefined); +-inf saturate.
 */
#include "ops_internal.h"

/* Round to nearest, ties to even, exactly (no dependence on the FP rounding mode). */
static double round_half_even(double v)
{
    const double r = floor(v);
    const double d = v - r;
    if (d > 0.5)
        return r + 1.0;
    if (d == 0.5)
        return fmod(r, 2.0) == 0.0 ? r : r + 1.0;
    return r;
}

static int axis_ok(const float *scale, const int32_t *zp, int axis_len, size_t inner, dlp_dtype t)
{
    if (!scale || axis_len < 1 || inner < 1 || !dlp__dtype_ok(t))
        return 0;
    for (int k = 0; k < axis_len; k++) {
        if (!dlp__scale_ok((double)scale[k]))
            return 0;
        if (zp && !dlp__zp_ok(zp[k], t))
            return 0;
    }
    return 1;
}

int dlp_quantize_linear(size_t count, const float *x, const float *scale, const int32_t *zp,
                        int axis_len, size_t inner, void *y, dlp_dtype t)
{
    if (!x || !y || !axis_ok(scale, zp, axis_len, inner, t))
        return DLP_E_ARG;
    const double tmin = dlp_dtype_min(t), tmax = dlp_dtype_max(t);
    for (size_t i = 0; i < count; i++) {
        const size_t k = (i / inner) % (size_t)axis_len;
        const int32_t z = zp ? zp[k] : 0;
        const float v = x[i] / scale[k];
        double q = isnan(v) ? 0.0 : round_half_even((double)v);
        q += z;
        q = q < tmin ? tmin : q > tmax ? tmax : q;
        dlp_st(y, t, i, (int32_t)q);
    }
    return DLP_OK;
}

int dlp_dequantize_linear(size_t count, const void *x, dlp_dtype t, const float *scale,
                          const int32_t *zp, int axis_len, size_t inner, float *y)
{
    if (!x || !y || !axis_ok(scale, zp, axis_len, inner, t))
        return DLP_E_ARG;
    for (size_t i = 0; i < count; i++) {
        const size_t k = (i / inner) % (size_t)axis_len;
        const int32_t z = zp ? zp[k] : 0;
        y[i] = (float)(dlp_ld(x, t, i) - z) * scale[k];
    }
    return DLP_OK;
}
