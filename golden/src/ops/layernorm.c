/*
 * layernorm.c - integer layer normalization over rows of int8 values (the VEC LNORM step)
 * and ONNX LayerNormalization (last axis) built on it.
 *
 * Row algorithm (exact 64-bit integer math, D = len, 1 <= D <= DLP_LNORM_MAX_LEN):
 *   S = sum x_j, SS = sum x_j^2, Q = D*SS - S*S + eps_term        (Q = D^2 (var + eps'))
 *   Q <= 0: z_j = 0
 *   else:   p   = (62 - bitlen(Q)) / 2          (Q << 2p has 61 or 62 bits)
 *           sd  = isqrt64(Q << 2p)              (floor sqrt, in [2^30, 2^31))
 *           inv = floor((2^61 - 1) / sd)        (in [2^30, 2^31 - 1])
 *           z_j = rdbpot64((x_j*D - S) * inv, 61 - 12 - p)
 *   so z_j ~ (x_j - mean) / sqrt(var + eps') * 2^12 (Q12). |x_j*D - S| <= 255*D and
 *   inv < 2^31, so the product stays below 2^63 for D <= 2^20; |z_j| <= sqrt(D) * 2^12.
 *
 * dlp_layernorm_q per row (channel c = position in the row):
 *   eps_term = round(eps * D^2 / in_scale^2) saturated to UINT32_MAX
 *   (M_c, S_c) = quantize_multiplier(gamma_c / (out_scale * 2^12))
 *   off_c = out_zp + round(beta_c / out_scale)             (half away from zero)
 *   y_c = clamp(off_c + mbqm(z_c, M_c, S_c), -128, 127)     (dlp_requant_lane)
 * Layout x, y [rows][len] int8; y may alias x.
 */
#include <stdlib.h>

#include "ops_internal.h"

/* Number of significant bits of v (0 for v == 0). */
static int bitlen64(uint64_t v)
{
    int n = 0;
    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

/* floor(sqrt(v)), the digit-by-digit (restoring) method: 32 steps of one result bit each,
 * compare / subtract / shift only. */
static uint64_t isqrt64(uint64_t v)
{
    uint64_t rem = v, root = 0;
    for (uint64_t bit = UINT64_C(1) << 62; bit != 0; bit >>= 2) {
        if (rem >= root + bit) {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
    }
    return root;
}

void dlp_lnorm_row_s8(int len, const int8_t *x, uint32_t eps_term, int32_t *z)
{
    if (len < 1 || len > DLP_LNORM_MAX_LEN || !x || !z)
        return;
    const int64_t d = len;
    int64_t s = 0, ss = 0;
    for (int j = 0; j < len; j++) {
        s += x[j];
        ss += (int64_t)x[j] * x[j];
    }
    const int64_t q = d * ss - s * s + (int64_t)eps_term;
    if (q <= 0) {
        for (int j = 0; j < len; j++)
            z[j] = 0;
        return;
    }
    const int p = (62 - bitlen64((uint64_t)q)) / 2;
    const uint64_t sd = isqrt64((uint64_t)q << (2 * p));
    const int64_t inv = (int64_t)(((UINT64_C(1) << 61) - 1) / sd);
    for (int j = 0; j < len; j++)
        z[j] = (int32_t)dlp_rdbpot64((x[j] * d - s) * inv, 61 - DLP_LNORM_ZBITS - p);
}

uint32_t dlp_lnorm_eps_term(double eps, int len, double in_scale)
{
    const double v = round(eps * (double)len * (double)len / (in_scale * in_scale));
    if (!(v > 0.0)) /* also NaN */
        return 0;
    if (v >= 4294967295.0)
        return UINT32_MAX;
    return (uint32_t)v;
}

int dlp_layernorm_q(int rows, int len, const int8_t *x, double in_scale, const float *gamma,
                    const float *beta, double eps, double out_scale, int32_t out_zp, int8_t *y)
{
    if (!x || !y || !dlp__scale_ok(in_scale) || !dlp__scale_ok(out_scale) ||
        !dlp__zp_ok(out_zp, DLP_S8) || !isfinite(eps) || eps < 0.0)
        return DLP_E_ARG;
    if (rows < 1 || len < 1 || len > DLP_LNORM_MAX_LEN)
        return DLP_E_SHAPE;

    int32_t *buf = malloc(4 * (size_t)len * sizeof *buf);
    if (!buf)
        return DLP_E_NOMEM;
    int32_t *mult = buf, *shift = buf + len, *off = buf + 2 * (size_t)len;
    int32_t *z = buf + 3 * (size_t)len;

    for (int c = 0; c < len; c++) {
        const double g = gamma ? (double)gamma[c] : 1.0;
        const double b = beta ? (double)beta[c] : 0.0;
        const double o = (double)out_zp + round(b / out_scale);
        if (!isfinite(g) || !(o >= (double)INT32_MIN && o <= (double)INT32_MAX) ||
            dlp__qm(g / (out_scale * (double)(1 << DLP_LNORM_ZBITS)), &mult[c], &shift[c]) !=
                DLP_OK) {
            free(buf);
            return DLP_E_ARG;
        }
        off[c] = (int32_t)o;
    }

    const uint32_t eps_term = dlp_lnorm_eps_term(eps, len, in_scale);
    for (int i = 0; i < rows; i++) {
        const int8_t *xr = x + (size_t)i * len;
        int8_t *yr = y + (size_t)i * len;
        dlp_lnorm_row_s8(len, xr, eps_term, z);
        for (int c = 0; c < len; c++)
            yr[c] = (int8_t)dlp_requant_lane(z[c], 0, mult[c], shift[c], off[c], -128, 127);
    }
    free(buf);
    return DLP_OK;
}
