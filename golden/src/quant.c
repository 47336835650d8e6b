/*
 * quant.c - dlp_quantize_multiplier: real multiplier -> (Q31 multiplier, shift).
 *
 * TFLite QuantizeMultiplier (tensorflow/lite/kernels/internal/quantization_util.cc):
 *   real = frac * 2^exp with frac in [0.5, 1) (frexp); mult = round(frac * 2^31) (half
 *   away from zero); if mult == 2^31 then mult = 2^30, exp + 1; shift = exp.
 * So real ~= mult * 2^(shift - 31) with mult in [2^30, 2^31).
 *
 * Deviations from TFLite, all for cases TFLite leaves to a CHECK or to chance:
 *   - negative real: the multiplier is the negative of the one for |real| (so its
 *     magnitude is always in [2^30, 2^31), never INT32_MIN);
 *   - shift < -31 (|real| < 2^-32): (0, 0), as TFLite, but the call returns -1;
 *   - shift > 30 (|real| >= 2^30) or infinite: saturates to (+-INT32_MAX, 30), returns -1;
 *   - NaN: (0, 0), returns -1.
 */
#include <math.h>

#include "dlp/quant.h"

int dlp_quantize_multiplier(double real, int32_t *mult, int32_t *shift)
{
    int32_t m, s;
    int status = 0;

    if (isnan(real)) {
        m = 0;
        s = 0;
        status = -1;
    } else if (real == 0.0) {
        m = 0;
        s = 0;
    } else if (isinf(real)) {
        m = INT32_MAX;
        s = DLP_SHIFT_MAX;
        status = -1;
    } else {
        int e;
        double frac = frexp(fabs(real), &e); /* |real| = frac * 2^e, frac in [0.5, 1) */
        int64_t q = (int64_t)round(frac * 2147483648.0);
        if (q == (INT64_C(1) << 31)) {
            q /= 2;
            ++e;
        }
        if (e < DLP_SHIFT_MIN) {
            m = 0;
            s = 0;
            status = -1;
        } else if (e > DLP_SHIFT_MAX) {
            m = INT32_MAX;
            s = DLP_SHIFT_MAX;
            status = -1;
        } else {
            m = (int32_t)q;
            s = e;
        }
    }
    if (real < 0)
        m = -m;
    if (mult)
        *mult = m;
    if (shift)
        *shift = s;
    return status;
}
