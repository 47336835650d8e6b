/*
 * matmul.c - batched integer matrix multiply (ONNX MatMulInteger + bias, QLinearMatMul,
 * fully connected).
 *
 *   acc[b][i][j] = bias[j] + sum_{t<k} (A[b][i][t] - a_zp) * (B[b][t][j] - b_zp[j])
 *
 * Layouts (row-major): A [batch][m][k], or [batch][k][m] with trans_a; B [batch][k][n],
 * or [batch][n][k] with trans_b (FC weights [out][in]); b_shared: B has a single batch
 * used by every batch of A. acc/y [batch][m][n]. Elements int8 or uint8, zero points in
 * their element type's range (products fit in 17 bits), int32 sums wrap mod 2^32.
 * bias (n entries) may be NULL. dlp_matmul_q requantizes with dlp_requant_lane, per
 * tensor (rq->n == 1) or per output column (rq->n == n).
 */
#include "ops_internal.h"

typedef struct {
    const dlp_matmul_shape *s;
    const void *a;
    dlp_dtype at;
    int32_t a_zp;
    const void *b;
    dlp_dtype bt;
    const int32_t *b_zp;
    int b_zp_n;
    const int32_t *bias;
} mm_args;

static int mm_check(const mm_args *p)
{
    const dlp_matmul_shape *s = p->s;
    if (!s || !p->a || !p->b || !p->b_zp)
        return DLP_E_ARG;
    if (s->batch < 1 || s->m < 1 || s->k < 1 || s->n < 1)
        return DLP_E_SHAPE;
    if (!dlp__zp_ok(p->a_zp, p->at) || !dlp__dtype_ok(p->bt))
        return DLP_E_ARG;
    if (p->b_zp_n != 1 && p->b_zp_n != s->n)
        return DLP_E_ARG;
    for (int i = 0; i < p->b_zp_n; i++)
        if (!dlp__zp_ok(p->b_zp[i], p->bt))
            return DLP_E_ARG;
    return DLP_OK;
}

static int32_t mm_point(const mm_args *p, int bi, int i, int j)
{
    const dlp_matmul_shape *s = p->s;
    const size_t abase = (size_t)bi * s->m * s->k;
    const size_t bbase = s->b_shared ? 0 : (size_t)bi * s->k * s->n;
    const int32_t bzp = p->b_zp[p->b_zp_n == 1 ? 0 : j];
    uint32_t acc = p->bias ? (uint32_t)p->bias[j] : 0u;

    for (int t = 0; t < s->k; t++) {
        const size_t ai = abase + (s->trans_a ? (size_t)t * s->m + i : (size_t)i * s->k + t);
        const size_t bj = bbase + (s->trans_b ? (size_t)j * s->k + t : (size_t)t * s->n + j);
        const int32_t av = dlp_ld(p->a, p->at, ai) - p->a_zp;
        const int32_t bv = dlp_ld(p->b, p->bt, bj) - bzp;
        acc += (uint32_t)(av * bv);
    }
    return (int32_t)acc;
}

int dlp_matmul_acc(const dlp_matmul_shape *s, const void *a, dlp_dtype at, int32_t a_zp,
                   const void *b, dlp_dtype bt, const int32_t *b_zp, int b_zp_n,
                   const int32_t *bias, int32_t *acc)
{
    const mm_args p = {s, a, at, a_zp, b, bt, b_zp, b_zp_n, bias};
    int st = mm_check(&p);
    if (st != DLP_OK)
        return st;
    if (!acc)
        return DLP_E_ARG;
    size_t o = 0;
    for (int bi = 0; bi < s->batch; bi++)
        for (int i = 0; i < s->m; i++)
            for (int j = 0; j < s->n; j++)
                acc[o++] = mm_point(&p, bi, i, j);
    return DLP_OK;
}

int dlp_matmul_q(const dlp_matmul_shape *s, const void *a, dlp_dtype at, int32_t a_zp,
                 const void *b, dlp_dtype bt, const int32_t *b_zp, int b_zp_n, const int32_t *bias,
                 const dlp_requant *rq, void *y)
{
    const mm_args p = {s, a, at, a_zp, b, bt, b_zp, b_zp_n, bias};
    int st = mm_check(&p);
    if (st != DLP_OK)
        return st;
    if (!y || !dlp__rq_ok(rq, s->n, 1))
        return DLP_E_ARG;
    size_t o = 0;
    for (int bi = 0; bi < s->batch; bi++)
        for (int i = 0; i < s->m; i++)
            for (int j = 0; j < s->n; j++) {
                const int r = rq->n == 1 ? 0 : j;
                const int32_t v = dlp_requant_lane(mm_point(&p, bi, i, j), 0, rq->mult[r],
                                                   rq->shift[r], rq->zp, rq->lo, rq->hi);
                dlp_st(y, rq->type, o++, v);
            }
    return DLP_OK;
}
