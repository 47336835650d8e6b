/*
 * attention.c - single-head scaled dot-product attention, composed from the other ops
 * exactly as the hardware sequence runs it (no extra rounding steps of its own).
 *
 *   1. S[i][j] = requant(sum_t (q[i][t] - q_zp) * (k[j][t] - k_zp))     dlp_matmul_q, trans_b
 *      multiplier q_scale*k_scale / (sqrt(d) * s_scale), zp s_zp, clamp [-128, 127]
 *   2. mask[i*sk + j] != 0  ->  S[i][j] = -128  (the smallest score, not -inf: a masked
 *      key keeps the weight of the lowest representable score)
 *   3. P = dlp_softmax_q(S rows of sk, in_scale s_scale, out (1/256, -128))
 *   4. o[i][t] = requant(sum_j (P[i][j] + 128) * (v[j][t] - v_zp))         dlp_matmul_q
 *      multiplier (1/256) * v_scale / o_scale, zp o_zp, clamp [-128, 127]
 * Layouts: q [sq][d], k [sk][d], v [sk][d], o [sq][d], mask [sq][sk]; all int8.
 * Scratch: two int8 [sq][sk] buffers (DLP_E_NOMEM if they cannot be allocated).
 */
#include <stdlib.h>

#include "ops_internal.h"

int dlp_attention_q(const dlp_attention_shape *s, const int8_t *q, const int8_t *k, const int8_t *v,
                    const uint8_t *mask, int8_t *o)
{
    int32_t s_mult, s_shift, o_mult, o_shift;
    if (!s || !q || !k || !v || !o)
        return DLP_E_ARG;
    if (s->sq < 1 || s->sk < 1 || s->d < 1 || s->sk > DLP_SOFTMAX_MAX_LEN)
        return DLP_E_SHAPE;
    if (!dlp__scale_ok(s->q_scale) || !dlp__scale_ok(s->k_scale) || !dlp__scale_ok(s->v_scale) ||
        !dlp__scale_ok(s->s_scale) || !dlp__scale_ok(s->o_scale))
        return DLP_E_ARG;
    if (!dlp__zp_ok(s->q_zp, DLP_S8) || !dlp__zp_ok(s->k_zp, DLP_S8) ||
        !dlp__zp_ok(s->v_zp, DLP_S8) || !dlp__zp_ok(s->s_zp, DLP_S8) ||
        !dlp__zp_ok(s->o_zp, DLP_S8))
        return DLP_E_ARG;
    if (dlp__qm(s->q_scale * s->k_scale / (sqrt((double)s->d) * s->s_scale), &s_mult, &s_shift) !=
            DLP_OK ||
        dlp__qm(s->v_scale / (256.0 * s->o_scale), &o_mult, &o_shift) != DLP_OK)
        return DLP_E_ARG;

    const size_t nsc = (size_t)s->sq * (size_t)s->sk;
    int8_t *scores = malloc(2 * nsc);
    if (!scores)
        return DLP_E_NOMEM;
    int8_t *p = scores + nsc;

    /* 1. scores = Q K^T, requantized to (s_scale, s_zp). */
    const dlp_matmul_shape qk = {.batch = 1, .m = s->sq, .k = s->d, .n = s->sk, .trans_b = 1};
    const dlp_requant rq_s = {&s_mult, &s_shift, 1, s->s_zp, -128, 127, DLP_S8};
    const int32_t k_zp = s->k_zp;
    int st = dlp_matmul_q(&qk, q, DLP_S8, s->q_zp, k, DLP_S8, &k_zp, 1, NULL, &rq_s, scores);

    /* 2. mask. */
    if (st == DLP_OK && mask)
        for (size_t i = 0; i < nsc; i++)
            if (mask[i])
                scores[i] = -128;

    /* 3. P = softmax(scores), probabilities in (1/256, -128). */
    if (st == DLP_OK)
        st = dlp_softmax_q(s->sq, s->sk, scores, s->s_scale, 1.0 / 256.0, -128, p);

    /* 4. O = P V, requantized to (o_scale, o_zp). */
    if (st == DLP_OK) {
        const dlp_matmul_shape pv = {.batch = 1, .m = s->sq, .k = s->sk, .n = s->d};
        const dlp_requant rq_o = {&o_mult, &o_shift, 1, s->o_zp, -128, 127, DLP_S8};
        const int32_t v_zp = s->v_zp;
        st = dlp_matmul_q(&pv, p, DLP_S8, -128, v, DLP_S8, &v_zp, 1, NULL, &rq_o, o);
    }
    free(scores);
    return st;
}
