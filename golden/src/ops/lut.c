/*
 * lut.c - the 256-entry lookup table of the vector unit, and its builders.
 *
 *   dlp_lut_s8: y[i] = clamp(lut[x[i] + 128], lo, hi); int8 in/out, int16 entries,
 *               -128 <= lo <= hi <= 127.
 *   dlp_lut_build: lut[i] = clamp(round(f((i - 128 - in_zp) * in_scale) / out_scale)
 *               + out_zp, -128, 127), i = 0..255, round() half away from zero (C round),
 *               f one of dlp_fn (computed in double). Zero points in [-128, 127].
 *   dlp_lut_build_softmax_exp: lut[d] = round(32767 * exp(-d * in_scale)), d = 0..255,
 *               the exponent table of VEC SOFTMAX (entries in [0, 32767]).
 */
#include "ops_internal.h"

#define DLP_PI 3.14159265358979323846

int dlp_lut_s8(size_t count, const int8_t *x, const int16_t lut[256], int32_t lo, int32_t hi,
               int8_t *y)
{
    if (!x || !lut || !y || !dlp__bounds_ok(lo, hi, DLP_S8))
        return DLP_E_ARG;
    for (size_t i = 0; i < count; i++)
        y[i] = (int8_t)dlp_clamp32(lut[x[i] + 128], lo, hi);
    return DLP_OK;
}

static double fn_eval(dlp_fn fn, double x)
{
    switch (fn) {
    case DLP_FN_GELU: return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
    case DLP_FN_GELU_TANH:
        return 0.5 * x * (1.0 + tanh(sqrt(2.0 / DLP_PI) * (x + 0.044715 * x * x * x)));
    case DLP_FN_SILU: return x / (1.0 + exp(-x));
    case DLP_FN_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case DLP_FN_TANH: return tanh(x);
    case DLP_FN_EXP: return exp(x);
    case DLP_FN_ERF: return erf(x);
    }
    return 0.0;
}

int dlp_lut_build(dlp_fn fn, double in_scale, int32_t in_zp, double out_scale, int32_t out_zp,
                  int16_t lut[256])
{
    if (!lut || (int)fn < (int)DLP_FN_GELU || (int)fn > (int)DLP_FN_ERF)
        return DLP_E_ARG;
    if (!dlp__scale_ok(in_scale) || !dlp__scale_ok(out_scale) || !dlp__zp_ok(in_zp, DLP_S8) ||
        !dlp__zp_ok(out_zp, DLP_S8))
        return DLP_E_ARG;
    for (int i = 0; i < 256; i++) {
        const double xr = (double)(i - 128 - in_zp) * in_scale;
        double q = round(fn_eval(fn, xr) / out_scale) + out_zp;
        q = q < -128.0 ? -128.0 : q > 127.0 ? 127.0 : q; /* also catches +-inf */
        lut[i] = (int16_t)q;
    }
    return DLP_OK;
}

int dlp_lut_build_softmax_exp(double in_scale, int16_t lut[256])
{
    if (!lut || !dlp__scale_ok(in_scale))
        return DLP_E_ARG;
    for (int d = 0; d < 256; d++)
        lut[d] = (int16_t)round(32767.0 * exp(-(double)d * in_scale));
    return DLP_OK;
}
