/*
 * mul.c - quantized elementwise MUL (TFLite int8 MUL).
 *
 *   (mult, shift) = quantize_multiplier(a_scale * b_scale / out_scale)
 *   y = clamp(out_offset + mbqm((a + a_offset) * (b + b_offset), mult, shift), lo, hi)
 *   a_offset = -a_zp, b_offset = -b_zp, out_offset = out_zp
 * The adds and the product wrap mod 2^32 (with in-range zero points the product fits in
 * 17 bits anyway). Elements int8 or uint8 (a, b, y may differ); zero points and lo/hi
 * lie in [-128, 255].
 */
#include "ops_internal.h"

static int q8_ok(int32_t v)
{
    return v >= -128 && v <= 255;
}

int dlp_mul_prepare(double a_scale, int32_t a_zp, double b_scale, int32_t b_zp, double out_scale,
                    int32_t out_zp, int32_t lo, int32_t hi, dlp_mul_params *p)
{
    dlp_mul_params r;
    if (!p || !dlp__scale_ok(a_scale) || !dlp__scale_ok(b_scale) || !dlp__scale_ok(out_scale))
        return DLP_E_ARG;
    if (!q8_ok(a_zp) || !q8_ok(b_zp) || !q8_ok(out_zp) || !q8_ok(lo) || !q8_ok(hi) || lo > hi)
        return DLP_E_ARG;
    if (dlp__qm(a_scale * b_scale / out_scale, &r.mult, &r.shift) != DLP_OK)
        return DLP_E_ARG;
    r.a_offset = -a_zp;
    r.b_offset = -b_zp;
    r.out_offset = out_zp;
    r.lo = lo;
    r.hi = hi;
    *p = r;
    return DLP_OK;
}

int32_t dlp_mul_elem(const dlp_mul_params *p, int32_t a, int32_t b)
{
    const int32_t prod = dlp_wrap_mul(dlp_wrap_add(a, p->a_offset), dlp_wrap_add(b, p->b_offset));
    const int32_t out = dlp_wrap_add(p->out_offset, dlp_mbqm(prod, p->mult, p->shift));
    return dlp_clamp32(out, p->lo, p->hi);
}

int dlp_mul_q(size_t count, const void *a, dlp_dtype at, const void *b, dlp_dtype bt,
              const dlp_mul_params *p, void *y, dlp_dtype yt)
{
    if (!a || !b || !p || !y || !dlp__dtype_ok(at) || !dlp__dtype_ok(bt))
        return DLP_E_ARG;
    if (!dlp__bounds_ok(p->lo, p->hi, yt))
        return DLP_E_ARG;
    for (size_t i = 0; i < count; i++)
        dlp_st(y, yt, i, dlp_mul_elem(p, dlp_ld(a, at, i), dlp_ld(b, bt, i)));
    return DLP_OK;
}
