/*
 * ops_internal.h - argument checks shared by the reference ops (golden/src/ops/).
 * Private to the golden library; not part of the dlp/ops.h contract.
 */
#ifndef DLP_OPS_INTERNAL_H
#define DLP_OPS_INTERNAL_H

#include <math.h>

#include "dlp/ops.h"
#include "dlp/quant.h"

static inline int dlp__dtype_ok(dlp_dtype t)
{
    return t == DLP_S8 || t == DLP_U8;
}

/* A zero point must be a value of its element type. */
static inline int dlp__zp_ok(int32_t zp, dlp_dtype t)
{
    return dlp__dtype_ok(t) && zp >= dlp_dtype_min(t) && zp <= dlp_dtype_max(t);
}

/* Clamp bounds: lo <= hi, both inside the range of t. */
static inline int dlp__bounds_ok(int32_t lo, int32_t hi, dlp_dtype t)
{
    return dlp__dtype_ok(t) && lo <= hi && lo >= dlp_dtype_min(t) && hi <= dlp_dtype_max(t);
}

/* A scale: finite and > 0. */
static inline int dlp__scale_ok(double s)
{
    return isfinite(s) && s > 0.0;
}

/* Output requantization block for `channels` output channels. With need_mult == 0 the
 * mult/shift arrays are not used (avg pool derives its own) and may be NULL. */
static inline int dlp__rq_ok(const dlp_requant *rq, int channels, int need_mult)
{
    if (!rq)
        return 0;
    if (need_mult && (!rq->mult || !rq->shift || (rq->n != 1 && rq->n != channels)))
        return 0;
    return dlp__bounds_ok(rq->lo, rq->hi, rq->type);
}

/* dlp_quantize_multiplier for the prepare functions: DLP_E_ARG when real is NaN or too
 * large to represent (|real| >= 2^30); a tiny |real| (< 2^-32) becomes (0, 0) like in
 * TFLite and is accepted. */
static inline int dlp__qm(double real, int32_t *mult, int32_t *shift)
{
    int32_t m, s;
    if (isnan(real))
        return DLP_E_ARG;
    if (dlp_quantize_multiplier(real, &m, &s) != 0 && m != 0)
        return DLP_E_ARG;
    *mult = m;
    *shift = s;
    return DLP_OK;
}

#endif /* DLP_OPS_INTERNAL_H */
