/*
 * dlp/quant.h - integer requantization primitives of the DLP (the executable spec).
 *
 * These are the TFLite / gemmlowp fixed-point primitives, written so that every
 * intermediate is defined C (no signed overflow): where TFLite relies on wrap-around or
 * leaves a case undefined, the DLP defines two's-complement wrap-around (mod 2^32).
 * The RTL vector unit implements exactly these functions per lane.
 *
 *   dlp_srdhm(a, b)       gemmlowp SaturatingRoundingDoublingHighMul
 *   dlp_rdbpot(x, e)      gemmlowp RoundingDivideByPOT, e in [0, 31]
 *   dlp_mbqm(x, m, s)     TFLite MultiplyByQuantizedMultiplier; s clamped to [-31, 30]
 *   dlp_requant_lane(...) the REQ vector-op lane: clamp(off + mbqm(acc + bias, m, s))
 *
 * Checked bit-exact against gemmlowp's fixedpoint.h by golden/tests/test_gemmlowp.cc.
 */
#ifndef DLP_QUANT_H
#define DLP_QUANT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DLP_SHIFT_MIN (-31)
#define DLP_SHIFT_MAX 30

/* Two's-complement wrap-around add / multiply / left shift on int32 (defined behaviour). */
static inline int32_t dlp_wrap_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t dlp_wrap_mul(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a * (uint32_t)b);
}

static inline int32_t dlp_wrap_shl(int32_t a, int s)
{
    return (int32_t)((uint32_t)a << s);
}

/* gemmlowp SaturatingRoundingDoublingHighMul: a*b / 2^31 rounded to nearest, with the one
 * overflow case (INT32_MIN * INT32_MIN) saturated. Ties go toward +infinity on both
 * signs (0.5 -> 1 but -0.5 -> 0, -1.5 -> -1): the nudge is 2^30 or 1 - 2^30 and the
 * division truncates toward zero, as in gemmlowp. */
static inline int32_t dlp_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : (INT64_C(1) - (INT64_C(1) << 30));
    return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

/* gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero. */
static inline int32_t dlp_rdbpot(int32_t x, int e)
{
    uint32_t mask = (uint32_t)((UINT64_C(1) << e) - 1u);
    int32_t remainder = (int32_t)((uint32_t)x & mask);
    int32_t threshold = (int32_t)(mask >> 1) + (x < 0 ? 1 : 0);
    int32_t q = x >> e; /* arithmetic shift: gcc/clang define it, C11 makes it impl-defined */
    return q + (remainder > threshold ? 1 : 0);
}

/* 64-bit RoundingDivideByPOT (same rounding), e in [0, 62]. Used by LNORM. */
static inline int64_t dlp_rdbpot64(int64_t x, int e)
{
    uint64_t mask = (UINT64_C(1) << e) - 1u;
    int64_t remainder = (int64_t)((uint64_t)x & mask);
    int64_t threshold = (int64_t)(mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (remainder > threshold ? 1 : 0);
}

static inline int dlp_clamp_shift(int32_t s)
{
    return s < DLP_SHIFT_MIN ? DLP_SHIFT_MIN : s > DLP_SHIFT_MAX ? DLP_SHIFT_MAX : (int)s;
}

/* TFLite MultiplyByQuantizedMultiplier: x * m * 2^s / 2^31 with gemmlowp rounding.
 * shift > 0 multiplies x by 2^shift first (wrap-around), shift < 0 is a rounding right
 * shift after the high multiply. shift is clamped to [-31, 30]. */
static inline int32_t dlp_mbqm(int32_t x, int32_t mult, int32_t shift)
{
    int s = dlp_clamp_shift(shift);
    int left = s > 0 ? s : 0;
    int right = s > 0 ? 0 : -s;
    return dlp_rdbpot(dlp_srdhm(dlp_wrap_shl(x, left), mult), right);
}

static inline int32_t dlp_clamp32(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The REQ vector-op lane (ISA section "VEC REQ"): bias add (wrapping), requantize,
 * add output offset (wrapping), clamp to [lo, hi]. */
static inline int32_t dlp_requant_lane(int32_t acc, int32_t bias, int32_t mult, int32_t shift,
                                       int32_t offset, int32_t lo, int32_t hi)
{
    int32_t v = dlp_wrap_add(offset, dlp_mbqm(dlp_wrap_add(acc, bias), mult, shift));
    return dlp_clamp32(v, lo, hi);
}

/* TFLite QuantizeMultiplier: real = mult * 2^(shift - 31), mult in [2^30, 2^31) for
 * real > 0; negative real gives a negative multiplier; real == 0 gives (0, 0).
 * Returns 0, or -1 when |real| cannot be represented (shift outside [-31, 30]; the
 * result is then the nearest representable value: 0 for tiny, saturated for huge). */
int dlp_quantize_multiplier(double real, int32_t *mult, int32_t *shift);

#ifdef __cplusplus
}
#endif

#endif /* DLP_QUANT_H */
