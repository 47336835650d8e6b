/*
 * softmax.c - integer softmax over rows of int8 values (the VEC SOFTMAX step).
 *
 * Row algorithm (exact, integer only once the table is built):
 *   m   = max_j x_j
 *   e_j = max(lut[m - x_j], 0)         m - x_j in [0, 255]; lut is the exponent table
 *   S   = sum_j e_j                    (<= len * 32767: fits int32 for len <= 65536)
 *   S == 0: y_j = clamp(zo, lo, hi)
 *   else:   r = floor(2^30 / S);  y_j = clamp(zo + mbqm(e_j * r, M, sh), lo, hi)
 *           (e_j <= S, so e_j * r <= 2^30)
 * dlp_softmax_q: lut = dlp_lut_build_softmax_exp(in_scale) (e_j ~ 32767 * exp(x_j - m)),
 * (M, sh) = quantize_multiplier(1 / (2^30 * out_scale)), so y_j ~ zo + p_j / out_scale;
 * lo = -128, hi = 127. Layout x, y [rows][len], int8; y may alias x.
 */
#include "ops_internal.h"

void dlp_softmax_row_s8(int len, const int8_t *x, const int16_t lut[256], int32_t mult,
                        int32_t shift, int32_t zo, int32_t lo, int32_t hi, int8_t *y)
{
    if (len < 1 || !x || !lut || !y)
        return;
    int32_t m = x[0];
    for (int j = 1; j < len; j++)
        m = x[j] > m ? x[j] : m;
    int64_t sum = 0; /* int32 in hardware; int64 here keeps len > 65536 defined */
    for (int j = 0; j < len; j++) {
        const int32_t e = lut[m - x[j]];
        sum += e > 0 ? e : 0;
    }
    if (sum == 0) {
        for (int j = 0; j < len; j++)
            y[j] = (int8_t)dlp_clamp32(zo, lo, hi);
        return;
    }
    const int64_t r = (INT64_C(1) << 30) / sum;
    for (int j = 0; j < len; j++) {
        const int32_t le = lut[m - x[j]];
        const int64_t e = le > 0 ? le : 0;
        y[j] = (int8_t)dlp_requant_lane((int32_t)(e * r), 0, mult, shift, zo, lo, hi);
    }
}

int dlp_softmax_q(int rows, int len, const int8_t *x, double in_scale, double out_scale,
                  int32_t out_zp, int8_t *y)
{
    int16_t lut[256];
    int32_t mult, shift;
    if (!x || !y || !dlp__scale_ok(in_scale) || !dlp__scale_ok(out_scale) ||
        !dlp__zp_ok(out_zp, DLP_S8))
        return DLP_E_ARG;
    if (rows < 1 || len < 1 || len > DLP_SOFTMAX_MAX_LEN)
        return DLP_E_SHAPE;
    if (dlp_lut_build_softmax_exp(in_scale, lut) != DLP_OK)
        return DLP_E_ARG;
    if (dlp__qm(1.0 / (1073741824.0 * out_scale), &mult, &shift) != DLP_OK)
        return DLP_E_ARG;
    for (int i = 0; i < rows; i++)
        dlp_softmax_row_s8(len, x + (size_t)i * len, lut, mult, shift, out_zp, -128, 127,
                           y + (size_t)i * len);
    return DLP_OK;
}
