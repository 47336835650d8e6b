/*
 * add.c - quantized elementwise ADD (TFLite int8 ADD; the VEC ADD lane).
 *
 * Prepare (TFLite Prepare for kTfLiteInt8 ADD, left_shift = 20):
 *   twice_max = 2 * max(a_scale, b_scale)
 *   (a_mult, a_shift)     = quantize_multiplier(a_scale / twice_max)         (<= 0.5)
 *   (b_mult, b_shift)     = quantize_multiplier(b_scale / twice_max)         (<= 0.5)
 *   (out_mult, out_shift) = quantize_multiplier(twice_max / (2^20 * out_scale))
 *   a_offset = -a_zp, b_offset = -b_zp, out_offset = out_zp
 * Element:
 *   s1 = mbqm((a + a_offset) << left_shift, a_mult, a_shift)
 *   s2 = mbqm((b + b_offset) << left_shift, b_mult, b_shift)
 *   y  = clamp(out_offset + mbqm(s1 + s2, out_mult, out_shift), lo, hi)
 * All adds and the left shift wrap mod 2^32. Elements int8 or uint8 (a, b, y may differ);
 * zero points and lo/hi lie in [-128, 255] (the union of both types' ranges).
 */
#include "ops_internal.h"

static int q8_ok(int32_t v)
{
    return v >= -128 && v <= 255;
}

int dlp_add_prepare(double a_scale, int32_t a_zp, double b_scale, int32_t b_zp, double out_scale,
                    int32_t out_zp, int32_t lo, int32_t hi, dlp_add_params *p)
{
    dlp_add_params r;
    if (!p || !dlp__scale_ok(a_scale) || !dlp__scale_ok(b_scale) || !dlp__scale_ok(out_scale))
        return DLP_E_ARG;
    if (!q8_ok(a_zp) || !q8_ok(b_zp) || !q8_ok(out_zp) || !q8_ok(lo) || !q8_ok(hi) || lo > hi)
        return DLP_E_ARG;
    const int left_shift = 20;
    const double twice_max = 2.0 * (a_scale > b_scale ? a_scale : b_scale);
    if (dlp__qm(a_scale / twice_max, &r.a_mult, &r.a_shift) != DLP_OK ||
        dlp__qm(b_scale / twice_max, &r.b_mult, &r.b_shift) != DLP_OK ||
        dlp__qm(twice_max / ((double)(1 << left_shift) * out_scale), &r.out_mult, &r.out_shift) !=
            DLP_OK)
        return DLP_E_ARG;
    r.a_offset = -a_zp;
    r.b_offset = -b_zp;
    r.out_offset = out_zp;
    r.left_shift = left_shift;
    r.lo = lo;
    r.hi = hi;
    *p = r;
    return DLP_OK;
}

int32_t dlp_add_elem(const dlp_add_params *p, int32_t a, int32_t b)
{
    /* left_shift is 20 from dlp_add_prepare; keep any other value a defined shift. */
    const int ls = p->left_shift < 0 ? 0 : p->left_shift > 31 ? 31 : (int)p->left_shift;
    const int32_t in1 = dlp_wrap_shl(dlp_wrap_add(a, p->a_offset), ls);
    const int32_t in2 = dlp_wrap_shl(dlp_wrap_add(b, p->b_offset), ls);
    const int32_t s1 = dlp_mbqm(in1, p->a_mult, p->a_shift);
    const int32_t s2 = dlp_mbqm(in2, p->b_mult, p->b_shift);
    const int32_t sum = dlp_wrap_add(s1, s2);
    const int32_t out = dlp_wrap_add(p->out_offset, dlp_mbqm(sum, p->out_mult, p->out_shift));
    return dlp_clamp32(out, p->lo, p->hi);
}

int dlp_add_q(size_t count, const void *a, dlp_dtype at, const void *b, dlp_dtype bt,
              const dlp_add_params *p, void *y, dlp_dtype yt)
{
    if (!a || !b || !p || !y || !dlp__dtype_ok(at) || !dlp__dtype_ok(bt))
        return DLP_E_ARG;
    if (!dlp__bounds_ok(p->lo, p->hi, yt) || p->left_shift < 0 || p->left_shift > 31)
        return DLP_E_ARG;
    for (size_t i = 0; i < count; i++)
        dlp_st(y, yt, i, dlp_add_elem(p, dlp_ld(a, at, i), dlp_ld(b, bt, i)));
    return DLP_OK;
}
